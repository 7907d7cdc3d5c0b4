/*
 * Internal to verify/: the path builder (path.c), name constraints
 * (nconst.c; the extensions come from certslot/cert.h) and the reasons
 * and clock rules they share (reason.c), used by the policy (verify.c).
 * Not a public header.
 */
#ifndef CERTSLOT_VERIFY_INTERNAL_H
#define CERTSLOT_VERIFY_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include <mbedtls/x509_crt.h>

#include "certslot/cert.h"
#include "certslot/verify.h"

/*
 * Applies the name constraints nc (DER) of the CA named ca to crt, a
 * certificate below it in the path (leaf: 1 for the end entity): its
 * subject, SAN entries, emailAddress attributes when it has no SAN, and,
 * for the end entity without a SAN, its CN used as a host name; nothing for
 * a self-issued intermediate. 0, or CERTSLOT_ERR_VERIFY with the reason. A
 * constraint of a form certslot does not implement refuses when critical
 * and is ignored when not; a malformed extension always refuses.
 */
int cs_nc_check(const unsigned char *nc, size_t nc_len, int critical, const char *ca, const mbedtls_x509_crt *crt,
                const char *who, int leaf, char *why, size_t why_size);

/* "'CN'" of crt, or its subject DN when it has no CN, into buf (reason.c). */
void cs_cert_name(const mbedtls_x509_crt *crt, char *buf, size_t size);

/* The first reason of a verification: later ones do not overwrite it; escaped (reason.c). */
#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
void cs_reason(certslot_verify_t *v, const char *fmt, ...);

/* "now" for validity checks: the hal's clock, or v->time; *synced is 0 while the clock is unset (reason.c). */
int64_t cs_now(const certslot_verify_t *v, int *synced);

/* crt's dates against the clock rules of verify.h: 0 or MBEDTLS_X509_BADCERT_EXPIRED / _FUTURE, with the reason. */
uint32_t cs_validity(certslot_verify_t *v, const mbedtls_x509_crt *crt, const char *who);

/*
 * Builds and checks a path from chain's first certificate (the peer's, then
 * any others it sent, in any order) to a trust anchor of v (trust, and the
 * built-in list when v->builtin), RFC 5280 6.1 with certslot's policy; 0 or
 * MBEDTLS_X509_BADCERT_* flags with v->why. Bounded by
 * CERTSLOT_VERIFY_MAX_DEPTH intermediates and CERTSLOT_VERIFY_MAX_SIGNATURES
 * signature checks.
 */
uint32_t cs_path_verify(certslot_verify_t *v, const mbedtls_x509_crt *chain, const mbedtls_x509_crt *trust);

#endif
