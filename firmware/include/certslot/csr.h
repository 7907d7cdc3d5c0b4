/**
 * @file
 * Key pair and certificate signing request (CSR) generation, for a device
 * certificate requested by the handset itself (certslot_store_csr) and for
 * the host tool's `certslot csr`.
 *
 * The key is RSA 2048 (public exponent 65537), the CSR PKCS#10 signed with
 * SHA-256. Randomness comes from the caller's source (the hal's random on a
 * handset) through a CTR_DRBG. The private key never leaves the caller's
 * buffers in clear except where the caller puts it.
 */
#ifndef CERTSLOT_CSR_H
#define CERTSLOT_CSR_H

#include <stddef.h>

#include "certslot/options.h"

#define CERTSLOT_CSR_MAX_FIELD 64 /**< bytes of CN, O or ST (X.520 upper bounds); an email may have 128 */

/** The subject of the request: cn required, the others NULL or "" when absent.
 * c is a two-letter country code; email an address (emailAddress attribute). */
typedef struct {
    const char *cn;    /**< commonName (required) */
    const char *o;     /**< organizationName */
    const char *email; /**< emailAddress */
    const char *c;     /**< countryName: two letters */
    const char *st;    /**< stateOrProvinceName */
} certslot_csr_subject_t;

/** A source of cryptographically secure random bytes (the shape of hal->random). */
typedef int (*certslot_random_fn)(void *ctx, unsigned char *buf, size_t len);

/**
 * Checks a subject for certslot_csr_generate: 0, or CERTSLOT_ERR_ARG with a
 * reason in why (missing CN, a field too long, a control character or a
 * backslash in a field, a country that is not two letters).
 */
int certslot_csr_check_subject(const certslot_csr_subject_t *subject, char *why, size_t why_size);

/**
 * Generates an RSA 2048 key pair and a SHA-256 CSR for subject. On success
 * *key_der (the private key, PKCS#1 DER) and *csr_pem (NUL-terminated PEM,
 * *csr_len bytes without the NUL) are new buffers from certslot_calloc: the
 * caller wipes and frees the key. On error nothing is allocated and why says
 * why (CERTSLOT_ERR_ARG for a bad subject, CERTSLOT_ERR_CRYPTO,
 * CERTSLOT_ERR_NOMEM, or the random source's error).
 */
int certslot_csr_generate(certslot_random_fn random, void *random_ctx, const certslot_csr_subject_t *subject,
                          unsigned char **key_der, size_t *key_len, char **csr_pem, size_t *csr_len, char *why,
                          size_t why_size);

#endif
