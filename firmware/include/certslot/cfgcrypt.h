/**
 * @file
 * Config files encrypted at rest (seed 002, device.sec.configEncryption.key).
 *
 * Key string (the parameter's value, or what an administrator types):
 *
 *     Crypt=1;KeyDesc=<label>;Key=<32 hex digits>;
 *
 * fields in any order, the final ';' optional. Key is an AES-128 key. The
 * label names the key, so a file can say which key it needs; it is 0 to
 * CERTSLOT_CFGCRYPT_LABEL_MAX printable ASCII characters other than ';'.
 *
 * File format, version 1 (text, so it survives FTP ASCII mode, TFTP, web
 * forms, mail and editors unchanged):
 *
 *     CERTSLOT-ENCRYPTED-CONFIG v1 keydesc=<label>\n
 *     base64( nonce (12 bytes) | AES-128-GCM ciphertext | tag (16 bytes) )
 *
 * The base64 is written in lines of 64 characters, each ending "\n". On
 * reading, "\r\n" line ends are accepted anywhere. The nonce is random per
 * encryption. The additional authenticated data is the header line without
 * its line end, so the version and the label are authenticated too: a file
 * whose header, nonce, ciphertext or tag is altered, or that is truncated or
 * extended, fails authentication and is refused whole. The plaintext is the
 * config file's bytes, unchanged.
 *
 * Invariants: no plaintext is returned unless the tag verified; key bytes
 * are wiped (certslot_cfgcrypt_key_free) and never logged or printed, and
 * every temporary copy of plaintext or key is wiped before it is freed.
 */
#ifndef CERTSLOT_CFGCRYPT_H
#define CERTSLOT_CFGCRYPT_H

#include <stddef.h>

#include "certslot/options.h"

#define CERTSLOT_CFGCRYPT_MAGIC "CERTSLOT-ENCRYPTED-CONFIG" /**< how the header line starts */
#define CERTSLOT_CFGCRYPT_VERSION 1                         /**< the format's version, "v1" in the header */
#define CERTSLOT_CFGCRYPT_KEY_LEN 16   /**< AES-128 */
#define CERTSLOT_CFGCRYPT_LABEL_MAX 64 /**< characters of KeyDesc */
#define CERTSLOT_CFGCRYPT_NONCE_LEN 12 /**< bytes of the GCM nonce */
#define CERTSLOT_CFGCRYPT_TAG_LEN 16   /**< bytes of the GCM tag */
#define CERTSLOT_CFGCRYPT_WHY_LEN 180 /**< enough for every message of this module */

/** Largest encrypted file holding at most plain_max bytes of plaintext (header, base64, line ends). */
#define CERTSLOT_CFGCRYPT_MAX_ENCODED(plain_max) \
    (128u + ((size_t)(plain_max) + CERTSLOT_CFGCRYPT_NONCE_LEN + CERTSLOT_CFGCRYPT_TAG_LEN + 2u) / 3u * 4u / 64u * 66u + 66u)

/** A parsed key string: its label and AES key. Wipe it with certslot_cfgcrypt_key_free. */
typedef struct {
    char label[CERTSLOT_CFGCRYPT_LABEL_MAX + 1]; /**< KeyDesc, NUL-terminated */
    unsigned char key[CERTSLOT_CFGCRYPT_KEY_LEN]; /**< the AES-128 key */
    int loaded; /**< 1 once a key string was parsed into it (other values: not usable) */
} certslot_cfgcrypt_key_t;

/** Source of random bytes for the nonce (same shape as certslot_hal_t.random). */
typedef int (*certslot_cfgcrypt_random_fn)(void *ctx, unsigned char *buf, size_t len);

/**
 * Parses a key string into key. On error (CERTSLOT_ERR_VALUE) key is left
 * unloaded and why says what is wrong (never quoting the key).
 */
int certslot_cfgcrypt_key_parse(certslot_cfgcrypt_key_t *key, const char *text, size_t len, char *why,
                                size_t why_size);

/** Wipes key; accepts a zeroed or already freed key. */
void certslot_cfgcrypt_key_free(certslot_cfgcrypt_key_t *key);

/** 1 when data starts like an encrypted config file (the magic), else 0. */
int certslot_cfgcrypt_detect(const char *data, size_t len);

/**
 * Encrypts len bytes of plain into a new encrypted file *out (from
 * certslot_calloc, NUL-terminated; *out_len excludes the NUL).
 */
int certslot_cfgcrypt_encrypt(const certslot_cfgcrypt_key_t *key, certslot_cfgcrypt_random_fn rng, void *rng_ctx,
                              const char *plain, size_t len, char **out, size_t *out_len);

/**
 * Decrypts an encrypted file with whichever of the nkeys keys its header
 * names (keys whose loaded is not 1 are skipped). On success *plain is a new buffer
 * from certslot_calloc (NUL-terminated; the caller wipes and frees it).
 * Errors, with why set to a one-line message:
 *   CERTSLOT_ERR_DECRYPT  no key with the file's label, authentication
 *                         failed (altered, truncated, or the same label with
 *                         another key), malformed or unsupported header
 *   CERTSLOT_ERR_LIMIT    the plaintext would exceed max_plain bytes
 *   CERTSLOT_ERR_NOMEM
 */
int certslot_cfgcrypt_decrypt(const certslot_cfgcrypt_key_t *keys, size_t nkeys, const char *data, size_t len,
                              size_t max_plain, char **plain, size_t *plain_len, char *why, size_t why_size);

#endif
