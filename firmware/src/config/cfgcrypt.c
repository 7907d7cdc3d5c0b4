/*
 * Encrypted config files: key strings, the v1 file format (see cfgcrypt.h),
 * AES-128-GCM through mbedTLS's one-shot calls (same in 2.28 and 3.6).
 */
#include "certslot/cfgcrypt.h"

#include <stdio.h>
#include <string.h>

#include <mbedtls/base64.h>
#include <mbedtls/gcm.h>

#include "certslot/error.h"
#include "certslot/platform.h"
#include "core/internal.h"

#define KEYDESC " keydesc="
#define LINE_CHARS 64 /* base64 characters per line */
#define OVERHEAD (CERTSLOT_CFGCRYPT_NONCE_LEN + CERTSLOT_CFGCRYPT_TAG_LEN)

static int hexval(char c)
{
    char l = cs_lower(c);
    return c >= '0' && c <= '9' ? c - '0' : l >= 'a' && l <= 'f' ? l - 'a' + 10 : -1;
}

static int label_char(char c)
{
    return c >= 0x20 && c <= 0x7e && c != ';';
}

int certslot_cfgcrypt_key_parse(certslot_cfgcrypt_key_t *key, const char *t, size_t len, char *why,
                                size_t why_size)
{
    certslot_cfgcrypt_key_t k;
    int crypt = 0, desc = 0, have_key = 0, ret = CERTSLOT_ERR_VALUE;

    memset(&k, 0, sizeof(k));
    memset(key, 0, sizeof(*key));
    while (len > 0 && (t[len - 1] == ' ' || t[len - 1] == '\t' || t[len - 1] == '\n' || t[len - 1] == '\r'))
        len--;
    while (len > 0 && (*t == ' ' || *t == '\t' || *t == '\n' || *t == '\r'))
        t++, len--;
    for (size_t i = 0; i < len;) {
        size_t end = i;
        while (end < len && t[end] != ';')
            end++;
        const char *eq = memchr(t + i, '=', end - i);
        if (eq == NULL) {
            snprintf(why, why_size, "expected Crypt=1;KeyDesc=<label>;Key=<32 hex digits>;");
            goto cleanup;
        }
        size_t klen = (size_t)(eq - (t + i)), vlen = end - i - klen - 1;
        const char *v = eq + 1;
        if (cs_equal_ci(t + i, klen, "Crypt")) {
            if (vlen != 1 || v[0] != '1') {
                snprintf(why, why_size, "Crypt must be 1");
                goto cleanup;
            }
            crypt = 1;
        } else if (cs_equal_ci(t + i, klen, "KeyDesc")) {
            if (vlen > CERTSLOT_CFGCRYPT_LABEL_MAX) {
                snprintf(why, why_size, "KeyDesc is longer than %u characters", (unsigned)CERTSLOT_CFGCRYPT_LABEL_MAX);
                goto cleanup;
            }
            for (size_t c = 0; c < vlen; c++) {
                if (!label_char(v[c])) {
                    snprintf(why, why_size, "KeyDesc may hold only printable ASCII characters");
                    goto cleanup;
                }
            }
            memcpy(k.label, v, vlen);
            k.label[vlen] = '\0';
            desc = 1;
        } else if (cs_equal_ci(t + i, klen, "Key")) {
            if (vlen != 2 * CERTSLOT_CFGCRYPT_KEY_LEN) {
                snprintf(why, why_size, "Key must be 32 hex digits (an AES-128 key)");
                goto cleanup;
            }
            for (size_t b = 0; b < CERTSLOT_CFGCRYPT_KEY_LEN; b++) {
                int hi = hexval(v[2 * b]), lo = hexval(v[2 * b + 1]);
                if (hi < 0 || lo < 0) {
                    snprintf(why, why_size, "Key must be 32 hex digits (an AES-128 key)");
                    goto cleanup;
                }
                k.key[b] = (unsigned char)(hi << 4 | lo);
            }
            have_key = 1;
        } else {
            snprintf(why, why_size, "unknown field '%.*s' (expected Crypt, KeyDesc, Key)", (int)(klen > 20 ? 20 : klen),
                     t + i);
            goto cleanup;
        }
        i = end < len ? end + 1 : end;
    }
    if (!crypt || !desc || !have_key) {
        snprintf(why, why_size, "missing %s (expected Crypt=1;KeyDesc=<label>;Key=<32 hex digits>;)",
                 !crypt ? "Crypt=1" : !desc ? "KeyDesc" : "Key");
        goto cleanup;
    }
    k.loaded = 1;
    *key = k;
    ret = 0;
cleanup:
    certslot_zeroize(&k, sizeof(k));
    return ret;
}

void certslot_cfgcrypt_key_free(certslot_cfgcrypt_key_t *key)
{
    if (key != NULL)
        certslot_zeroize(key, sizeof(*key));
}

int certslot_cfgcrypt_detect(const char *data, size_t len)
{
    size_t n = strlen(CERTSLOT_CFGCRYPT_MAGIC);
    return data != NULL && len >= n && memcmp(data, CERTSLOT_CFGCRYPT_MAGIC, n) == 0;
}

/* The header line (AAD) for key: "CERTSLOT-ENCRYPTED-CONFIG v1 keydesc=<label>"; its length. */
#if CERTSLOT_WITH_CONFIG_ENCRYPTION /* certslot/options.h; without it keys still parse */

static size_t header(const certslot_cfgcrypt_key_t *key, char *buf, size_t size)
{
    int n = snprintf(buf, size, "%s v%u%s%s", CERTSLOT_CFGCRYPT_MAGIC, (unsigned)CERTSLOT_CFGCRYPT_VERSION,
                     KEYDESC, key->label);
    return n < 0 ? 0 : (size_t)n;
}

int certslot_cfgcrypt_encrypt(const certslot_cfgcrypt_key_t *key, certslot_cfgcrypt_random_fn rng, void *rng_ctx,
                              const char *plain, size_t len, char **out, size_t *out_len)
{
    char hdr[sizeof(CERTSLOT_CFGCRYPT_MAGIC) + sizeof(KEYDESC) + CERTSLOT_CFGCRYPT_LABEL_MAX + 8];
    mbedtls_gcm_context gcm;
    unsigned char *bin = NULL;
    char *file = NULL;
    int ret;

    *out = NULL;
    *out_len = 0;
    if (key->loaded != 1 || rng == NULL || len > ((size_t)-1) / 2 - 256)
        return CERTSLOT_ERR_ARG;
    size_t hlen = header(key, hdr, sizeof(hdr));
    size_t blen = len + OVERHEAD;
    size_t b64 = (blen + 2) / 3 * 4;
    size_t flen = hlen + 1 + b64 + (b64 + LINE_CHARS - 1) / LINE_CHARS;

    mbedtls_gcm_init(&gcm);
    bin = certslot_calloc(1, blen);
    file = certslot_calloc(1, flen + 1);
    if (bin == NULL || file == NULL) {
        ret = CERTSLOT_ERR_NOMEM;
        goto cleanup;
    }
    if (rng(rng_ctx, bin, CERTSLOT_CFGCRYPT_NONCE_LEN) != 0) {
        ret = CERTSLOT_ERR_CRYPTO;
        goto cleanup;
    }
    ret = mbedtls_gcm_setkey(&gcm, MBEDTLS_CIPHER_ID_AES, key->key, 8 * CERTSLOT_CFGCRYPT_KEY_LEN);
    if (ret == 0)
        ret = mbedtls_gcm_crypt_and_tag(&gcm, MBEDTLS_GCM_ENCRYPT, len, bin, CERTSLOT_CFGCRYPT_NONCE_LEN,
                                        (const unsigned char *)hdr, hlen, (const unsigned char *)plain,
                                        bin + CERTSLOT_CFGCRYPT_NONCE_LEN, CERTSLOT_CFGCRYPT_TAG_LEN,
                                        bin + CERTSLOT_CFGCRYPT_NONCE_LEN + len);
    if ((ret = cs_mbed(ret, CERTSLOT_ERR_CRYPTO)) != 0)
        goto cleanup;
    memcpy(file, hdr, hlen);
    size_t o = hlen;
    file[o++] = '\n';
    for (size_t i = 0; i < blen; i += LINE_CHARS / 4 * 3) {
        size_t n = blen - i < LINE_CHARS / 4 * 3 ? blen - i : LINE_CHARS / 4 * 3, w = 0;
        if (mbedtls_base64_encode((unsigned char *)file + o, flen + 1 - o, &w, bin + i, n) != 0) {
            ret = CERTSLOT_ERR_CRYPTO;
            goto cleanup;
        }
        o += w;
        file[o++] = '\n';
    }
    file[o] = '\0';
    *out = file;
    *out_len = o;
    file = NULL;
    ret = 0;
cleanup:
    mbedtls_gcm_free(&gcm);
    certslot_free(bin); /* ciphertext and nonce only: nothing secret */
    certslot_free(file);
    return ret;
}

/* Reads the header line: label and where the body starts; 0 or CERTSLOT_ERR_DECRYPT with why. */
static int read_header(const char *data, size_t len, char *label, size_t *aad_len, size_t *body, char *why,
                       size_t why_size)
{
    const char *nl = memchr(data, '\n', len);
    size_t line = nl != NULL ? (size_t)(nl - data) : len;
    size_t m = strlen(CERTSLOT_CFGCRYPT_MAGIC), i = m;
    unsigned long version = 0;

    if (nl == NULL) {
        snprintf(why, why_size, "encrypted file truncated: its header line has no end");
        return CERTSLOT_ERR_DECRYPT;
    }
    *body = line + 1;
    if (line > 0 && data[line - 1] == '\r')
        line--;
    *aad_len = line;
    if (i + 2 > line || data[i] != ' ' || data[i + 1] != 'v')
        goto malformed;
    for (i += 2; i < line && data[i] >= '0' && data[i] <= '9' && version < 1000; i++)
        version = version * 10 + (unsigned long)(data[i] - '0');
    if (version != CERTSLOT_CFGCRYPT_VERSION) {
        if (version == 0)
            goto malformed;
        snprintf(why, why_size, "encrypted file format v%lu is not supported (this handset reads v%u)", version,
                 (unsigned)CERTSLOT_CFGCRYPT_VERSION);
        return CERTSLOT_ERR_DECRYPT;
    }
    size_t kd = strlen(KEYDESC);
    if (line - i < kd || memcmp(data + i, KEYDESC, kd) != 0 || line - i - kd > CERTSLOT_CFGCRYPT_LABEL_MAX)
        goto malformed;
    for (size_t c = i + kd; c < line; c++)
        if (!label_char(data[c]))
            goto malformed;
    memcpy(label, data + i + kd, line - i - kd);
    label[line - i - kd] = '\0';
    return 0;
malformed:
    snprintf(why, why_size, "encrypted file with a malformed header (expected '%s v%u keydesc=<label>')",
             CERTSLOT_CFGCRYPT_MAGIC,
             (unsigned)CERTSLOT_CFGCRYPT_VERSION);
    return CERTSLOT_ERR_DECRYPT;
}

/*
 * 1 when the base64 is canonical: whole groups of 4, and the bits padding
 * leaves unused are zero. So every changed character (line ends aside)
 * changes the decoded bytes.
 */
static int canonical_base64(const char *b, size_t n)
{
    static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t chars = 0;
    unsigned pads = 0;

    for (size_t i = 0; i < n; i++)
        chars += b[i] != '\n' && b[i] != '\r' && b[i] != ' ';
    if (chars % 4 != 0)
        return 0;
    while (n > 0 && (b[n - 1] == '\n' || b[n - 1] == '\r' || b[n - 1] == ' ' || b[n - 1] == '='))
        pads += b[--n] == '=';
    if (pads == 0)
        return 1;
    const char *c = n > 0 ? memchr(alphabet, b[n - 1], 64) : NULL;
    if (c == NULL)
        return 0;
    unsigned v = (unsigned)(c - alphabet);
    return (v & (pads == 1 ? 3u : 15u)) == 0;
}

int certslot_cfgcrypt_decrypt(const certslot_cfgcrypt_key_t *keys, size_t nkeys, const char *data, size_t len,
                              size_t max_plain, char **plain, size_t *plain_len, char *why, size_t why_size)
{
    char label[CERTSLOT_CFGCRYPT_LABEL_MAX + 1];
    size_t aad_len = 0, body = 0, blen = 0, clen = 0;
    unsigned char *bin = NULL, *out = NULL;
    mbedtls_gcm_context gcm;
    int ret, tried = 0;

    *plain = NULL;
    *plain_len = 0;
    snprintf(why, why_size, "cannot be decrypted");
    if (!certslot_cfgcrypt_detect(data, len)) {
        snprintf(why, why_size, "not an encrypted config file");
        return CERTSLOT_ERR_DECRYPT;
    }
    ret = read_header(data, len, label, &aad_len, &body, why, why_size);
    if (ret != 0)
        return ret;
    /* Which key: the header's label must be one we hold. */
    const char *have = NULL;
    size_t nhave = 0;
    for (size_t k = 0; k < nkeys; k++) {
        if (keys[k].loaded != 1)
            continue;
        nhave++;
        have = have == NULL ? keys[k].label : have;
        tried += strcmp(keys[k].label, label) == 0;
    }
    if (tried == 0) {
        if (nhave == 0)
            snprintf(why, why_size, "encrypted with key '%s', but no key was supplied", label);
        else if (nhave == 1)
            snprintf(why, why_size, "encrypted with key '%s', but the key supplied is '%s'", label, have);
        else
            snprintf(why, why_size, "encrypted with key '%s', which is none of the %zu keys supplied (first: '%s')",
                     label, nhave, have);
        return CERTSLOT_ERR_DECRYPT;
    }
    /* The body: base64 of nonce | ciphertext | tag; line ends allowed. */
    size_t cap = (len - body) / 4 * 3 + 3;
    bin = certslot_calloc(1, cap + 1);
    if (bin == NULL)
        return CERTSLOT_ERR_NOMEM;
    if (mbedtls_base64_decode(bin, cap, &blen, (const unsigned char *)data + body, len - body) != 0 ||
        !canonical_base64(data + body, len - body)) {
        snprintf(why, why_size, "encrypted file body is not intact base64 (altered or truncated)");
        ret = CERTSLOT_ERR_DECRYPT;
        goto cleanup;
    }
    if (blen < OVERHEAD) {
        snprintf(why, why_size, "encrypted file truncated: %zu bytes of body, fewer than the %u of nonce and tag", blen,
                 (unsigned)OVERHEAD);
        ret = CERTSLOT_ERR_DECRYPT;
        goto cleanup;
    }
    clen = blen - OVERHEAD;
    if (clen > max_plain) {
        snprintf(why, why_size, "encrypted file is larger, decrypted, than the limit of %zu bytes", max_plain);
        ret = CERTSLOT_ERR_LIMIT;
        goto cleanup;
    }
    out = certslot_calloc(1, clen + 1);
    if (out == NULL) {
        ret = CERTSLOT_ERR_NOMEM;
        goto cleanup;
    }
    /* Every key with the file's label is tried (a failed try wipes out, never bin). */
    ret = CERTSLOT_ERR_DECRYPT;
    for (size_t k = 0; k < nkeys && ret == CERTSLOT_ERR_DECRYPT; k++) {
        if (keys[k].loaded != 1 || strcmp(keys[k].label, label) != 0)
            continue;
        mbedtls_gcm_init(&gcm);
        int r = mbedtls_gcm_setkey(&gcm, MBEDTLS_CIPHER_ID_AES, keys[k].key, 8 * CERTSLOT_CFGCRYPT_KEY_LEN);
        if (r == 0)
            r = mbedtls_gcm_auth_decrypt(&gcm, clen, bin, CERTSLOT_CFGCRYPT_NONCE_LEN, (const unsigned char *)data,
                                         aad_len, bin + CERTSLOT_CFGCRYPT_NONCE_LEN + clen, CERTSLOT_CFGCRYPT_TAG_LEN,
                                         bin + CERTSLOT_CFGCRYPT_NONCE_LEN, out);
        ret = cs_mbed(r, CERTSLOT_ERR_DECRYPT);
        mbedtls_gcm_free(&gcm);
    }
    if (ret == CERTSLOT_ERR_NOMEM) {
        snprintf(why, why_size, "out of memory");
        goto cleanup;
    }
    if (ret != 0) {
        snprintf(why, why_size,
                 "encrypted file failed authentication: it was altered or truncated, or key '%s' is not the key "
                 "it was encrypted with",
                 label);
        goto cleanup;
    }
    *plain = (char *)out;
    *plain_len = clen;
    out = NULL;
cleanup:
    if (out != NULL) {
        certslot_zeroize(out, clen + 1);
        certslot_free(out);
    }
    certslot_free(bin); /* ciphertext only */
    return ret;
}

#else

int certslot_cfgcrypt_encrypt(const certslot_cfgcrypt_key_t *key, certslot_cfgcrypt_random_fn rng, void *rng_ctx,
                              const char *plain, size_t plain_len, char **out, size_t *out_len)
{
    (void)key, (void)rng, (void)rng_ctx, (void)plain, (void)plain_len;
    *out = NULL;
    *out_len = 0;
    return CERTSLOT_ERR_UNSUPPORTED;
}

int certslot_cfgcrypt_decrypt(const certslot_cfgcrypt_key_t *keys, size_t nkeys, const char *data, size_t len,
                              size_t max_plain, char **plain, size_t *plain_len, char *why, size_t why_size)
{
    (void)keys, (void)nkeys, (void)data, (void)len, (void)max_plain;
    *plain = NULL;
    *plain_len = 0;
    snprintf(why, why_size, "encrypted config files are left out of this build");
    return CERTSLOT_ERR_UNSUPPORTED;
}

#endif /* CERTSLOT_WITH_CONFIG_ENCRYPTION */
