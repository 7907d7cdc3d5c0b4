/**
 * @file
 * The built-in list: well-known public root CAs, preloaded in the firmware.
 *
 * Generated at build time from Debian's ca-certificates bundle into read-only
 * data: per root only its subject name (DER) and its public key
 * (SubjectPublicKeyInfo DER), sorted by subject bytes. Nothing is parsed at
 * start-up. A chain is checked against the list by looking its top
 * certificate's issuer up by binary search and verifying that certificate's
 * signature with the root's key, which is parsed only then (the approach of
 * ESP-IDF's certificate bundle).
 */
#ifndef CERTSLOT_BUILTIN_H
#define CERTSLOT_BUILTIN_H

#include <stddef.h>

#include <mbedtls/pk.h>
#include <mbedtls/x509_crt.h>

/** Number of roots in the list. */
size_t certslot_builtin_count(void);

/** Index of the root whose subject name is exactly these DER bytes, or -1. */
long certslot_builtin_find(const unsigned char *subject_der, size_t len);

/** @{ */
/**
 * Subject name (DER) and public key (SubjectPublicKeyInfo DER) of root i,
 * pointing into read-only data. NULL and 0 when i is not below the count.
 */
void certslot_builtin_subject(size_t i, const unsigned char **der, size_t *len);
void certslot_builtin_key(size_t i, const unsigned char **der, size_t *len);
/** @} */

/**
 * Parses root i's public key into pk (initialised by the caller, freed with
 * mbedtls_pk_free). CERTSLOT_ERR_ARG for a bad index, CERTSLOT_ERR_CRYPTO when
 * this build of mbedTLS does not support the key.
 */
int certslot_builtin_parse_key(size_t i, mbedtls_pk_context *pk);

/**
 * 0 when crt was issued by a root of the list: its issuer name is a root's
 * subject and its signature verifies with that root's key (an issuer with
 * several roots of the same name: any of them). CERTSLOT_ERR_NOT_FOUND when
 * no root has that name, CERTSLOT_ERR_CERT when the signature does not
 * verify. Checks neither validity dates nor extensions of crt.
 */
int certslot_builtin_verify_issued(const mbedtls_x509_crt *crt);

/** Bytes of read-only data the list takes (names, keys and index). */
size_t certslot_builtin_size(void);

#endif
