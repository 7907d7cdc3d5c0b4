/*
 * certslot's version, and the TLS library it was built with.
 */
#ifndef CERTSLOT_VERSION_H
#define CERTSLOT_VERSION_H

#define CERTSLOT_VERSION "0.5.0"

/* "certslot 0.5.0 (mbedTLS 3.6.7)": a static string. */
const char *certslot_version(void);

#endif
