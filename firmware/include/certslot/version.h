/**
 * @file
 * certslot's version, and the TLS library it was built with.
 *
 * The version follows semantic versioning of the public API (the headers make install installs; README,
 * "Building"): MAJOR changes break source or binary compatibility, MINOR adds to the API, PATCH fixes. Before 1.0.0,
 * a MINOR change may break the API; CHANGELOG.md says when one does.
 */
#ifndef CERTSLOT_VERSION_H
#define CERTSLOT_VERSION_H

/** The major version: an incompatible change of the public API (from 1.0.0 on). */
#define CERTSLOT_VERSION_MAJOR 0
/** The minor version: added to the public API (before 1.0.0: may also break it). */
#define CERTSLOT_VERSION_MINOR 9
/** The patch version: fixes that leave the public API as it was. */
#define CERTSLOT_VERSION_PATCH 0

/** The version as text, "MAJOR.MINOR.PATCH". */
#define CERTSLOT_VERSION "0.9.0"

/** The version as one number, 0xMMNNPP00, for `#if CERTSLOT_VERSION_NUMBER >= 0x00090000`. */
#define CERTSLOT_VERSION_NUMBER \
    ((CERTSLOT_VERSION_MAJOR << 24) | (CERTSLOT_VERSION_MINOR << 16) | (CERTSLOT_VERSION_PATCH << 8))

/**
 * The version of the library linked, with the mbedTLS it was built with: "certslot 0.9.0 (mbedTLS 3.6.7)".
 * A static string. A program compiled against one version's headers can compare it with CERTSLOT_VERSION.
 */
const char *certslot_version(void);

#endif
