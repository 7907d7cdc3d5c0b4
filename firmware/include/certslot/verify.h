/**
 * @file
 * certslot's verification of a peer's certificate chain, used by every TLS
 * connection (from the mbedTLS verify callback, with no CA chain given to
 * mbedTLS) and by `certslot verify` (folder firmware/src/verify/, part of
 * the TLS stage of README's "Architecture"). It:
 *
 * - builds a path of its own (path.c) from the peer's certificate through
 *   the other certificates it sent, in any order, to a trusted CA of the
 *   profile: its CA slots (v->trust) or, when the profile includes it, the
 *   built-in list (builtin.h). Candidate issuers are found by name and key
 *   identifier and tried in turn, backtracking when one fails; bounded by
 *   CERTSLOT_VERIFY_MAX_DEPTH intermediates, CERTSLOT_VERIFY_MAX_PEER
 *   certificates of the peer and CERTSLOT_VERIFY_MAX_SIGNATURES signature
 *   checks (options.h);
 * - checks the path to RFC 5280 6.1: signatures, validity, basicConstraints
 *   and keyUsage of every CA, pathLenConstraint (self-issued intermediates
 *   not counted), name constraints of every CA including the trust anchor
 *   (nconst.c), and refuses a certificate with a critical extension that
 *   neither mbedTLS nor certslot processes or with an extension twice
 *   (certslot/cert.h);
 * - checks every certificate's validity period against the hal's clock.
 *   While the clock is not yet synchronised, "now" is taken to be
 *   CERTSLOT_TIME_FLOOR (the firmware's release date): a certificate that
 *   expired before it is refused, "not yet valid" cannot be judged and is not
 *   refused, and the connection logs that the clock is unsynchronised;
 * - refuses weak keys and hashes (RSA below 2048 bits; signatures below
 *   SHA-256; EC curves other than P-256/P-384) unless allow_weak: every key
 *   in the path and every signature the path verification checks (not a
 *   trust anchor's self-signature);
 * - refuses a leaf that is a CA (basicConstraints cA=TRUE) or asserts
 *   keyCertSign without being one (RFC 5280 4.2.1.9);
 * - when the leaf has an extendedKeyUsage, requires serverAuth for a server
 *   (clientAuth for a client);
 * - applies the strict name check (name.h) when strict is on. mbedTLS's own
 *   name check is never relied on: it is skipped when no hostname is set,
 *   and its rules differ. An empty name with strict on is refused, never
 *   treated as "no check". With strict off the name comparison alone is
 *   skipped and that is logged as insecure.
 */
#ifndef CERTSLOT_VERIFY_H
#define CERTSLOT_VERIFY_H

#include <stddef.h>
#include <stdint.h>

#include <mbedtls/x509_crt.h>

#include "certslot/hal.h"
#include "certslot/options.h"


/** What the leaf must be for: the extended key usage it must allow, when it has one. */
typedef enum {
    CERTSLOT_PURPOSE_SERVER, /**< serverAuth */
    CERTSLOT_PURPOSE_CLIENT  /**< clientAuth */
} certslot_purpose_t;

/** A verification: its settings, then the result of the last chain it judged. */
typedef struct {
    /* ---- settings (certslot_verify_init sets the defaults) ---- */
    const certslot_hal_t *hal; /**< clock and log; may be NULL with use_time */
    int builtin;               /**< the built-in list is trusted */
    certslot_purpose_t purpose; /**< server (default) or client */
    int strict;                /**< the strict name check is on */
    char name[CERTSLOT_NAME_MAX + 1]; /**< the configured name (certslot_verify_set_name) */
    size_t name_len;           /**< may include NUL bytes: they never match */
    int use_time;              /**< 1: `time` is now (overrides the hal clock) */
    int64_t time;              /**< seconds since 1970 (UTC), with use_time */
    int max_depth;             /**< most intermediates (leaf and trust anchor not counted); default and at most
                                  CERTSLOT_VERIFY_MAX_DEPTH */
    const mbedtls_x509_crt *trust; /**< the trusted CAs (certslot_tls_setup and certslot_verify_chain set it) */
    int allow_weak;            /**< 1: anything mbedTLS can verify (device.sec.TLS.allowWeakCertificates) */
    const char *what;          /**< for log lines: "sip", "verify", ... */
    /* ---- result of the last verification ---- */
    uint32_t flags;            /**< MBEDTLS_X509_BADCERT_* of the whole chain */
    int verified;              /**< 1: the whole chain was checked and accepted */
    int top_depth;             /**< internal: -1 after certslot_verify_start (nothing reads it) */
    char why[256];             /**< one line when refused */
    /* ---- internal: the signatures mbedTLS checked during the handshake (certslot_verify_cb) ---- */
    const mbedtls_x509_crt *lib_chain[CERTSLOT_VERIFY_MAX_DEPTH + 2]; /**< mbedTLS's chain by depth, leaf first */
    uint32_t lib_signed; /**< bit d: lib_chain[d]'s signature verified with lib_chain[d + 1]'s key */
} certslot_verify_t;

/** The defaults: strict name check on, server purpose, at most CERTSLOT_VERIFY_MAX_DEPTH intermediates, no
 * trusted CA, the hal's clock. Cannot fail. */
void certslot_verify_init(certslot_verify_t *v, const certslot_hal_t *hal);

/** Sets the name to check (any bytes, at most CERTSLOT_NAME_MAX). */
int certslot_verify_set_name(certslot_verify_t *v, const char *name, size_t len);

/** The mbedTLS certificate profile matching v->allow_weak. */
const mbedtls_x509_crt_profile *certslot_verify_profile(const certslot_verify_t *v);

/**
 * Verifies chain (leaf first, then any intermediates the peer sent) against
 * trust (may be NULL or empty) and v's settings, without a connection.
 * 0 when accepted; CERTSLOT_ERR_VERIFY or CERTSLOT_ERR_NAME with v->why.
 */
int certslot_verify_chain(certslot_verify_t *v, mbedtls_x509_crt *chain, mbedtls_x509_crt *trust);

/** @{ */
/**
 * The mbedTLS verify callback (mbedtls_ssl_conf_verify with ctx = v, or
 * mbedtls_x509_crt_verify's f_vrfy). Call certslot_verify_start(v) before
 * each handshake. At the leaf it returns MBEDTLS_ERR_X509_CERT_VERIFY_FAILED
 * when the chain is refused, so the handshake stops there.
 */
void certslot_verify_start(certslot_verify_t *v);
int certslot_verify_cb(void *ctx, mbedtls_x509_crt *crt, int depth, uint32_t *flags);
/** @} */

#endif
