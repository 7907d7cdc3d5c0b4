/*
 * Helpers shared by the administrator's PKI commands (cmd_pki.c, cmd_pfx.c):
 * whole-file reading, files written without overwriting, PEM output, and
 * the host's random generator.
 */
#ifndef CERTSLOT_TOOL_PKI_H
#define CERTSLOT_TOOL_PKI_H

#include <stddef.h>

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>


/* 1 when path exists (as anything). */
int pki_exists(const char *path);

/* Creates path (never overwriting) with mode and writes data; 0, or -1 with
 * a message on stderr (and nothing left behind). */
int pki_write_new(const char *cmd, const char *path, const void *data, size_t len, unsigned mode);

/* DER as PEM with the given label ("CERTIFICATE", "PRIVATE KEY"...),
 * appended to buf (malloc'd, NUL-terminated, *len grows); 0 or -1. */
int pki_pem_append(char **buf, size_t *len, const char *label, const unsigned char *der, size_t der_len);

/* Frees a buffer that held secrets, wiping it first. */
void pki_free_secret(void *p, size_t len);

/* The host's random generator: CTR_DRBG over the OS entropy. */
typedef struct {
    mbedtls_entropy_context entropy;
    mbedtls_ctr_drbg_context drbg;
} pki_rng_t;

int pki_rng_init(pki_rng_t *rng);
void pki_rng_free(pki_rng_t *rng);

/* OS randomness in the certslot_random_fn shape (ctx unused). */
int pki_os_random(void *ctx, unsigned char *buf, size_t len);

#endif
