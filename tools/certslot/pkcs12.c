/*
 * PKCS#12 reader (RFC 7292): a bounded, iterative DER walk
 *
 *   PFX -> authSafe (data) -> AuthenticatedSafe: ContentInfo (data | encryptedData)...
 *       -> SafeContents: SafeBag (keyBag | pkcs8ShroudedKeyBag | certBag | other, skipped)...
 *
 * The MAC is checked over the AuthenticatedSafe before anything is decrypted.
 * mbedTLS 2.28 has the PKCS#12 KDF and PBKDF2 but neither AES in PBES2 nor
 * RC2, so both schemes are driven here; RC2 decryption (RFC 2268) is here
 * because OpenSSL's -legacy encrypts the certificates with 40-bit RC2.
 */
#include "pkcs12.h"

#include <stdio.h>
#include <string.h>

#include <mbedtls/asn1.h>
#include <mbedtls/cipher.h>
#include <mbedtls/md.h>
#include <mbedtls/oid.h>
#include <mbedtls/pk.h>
#include <mbedtls/pkcs12.h>
#include <mbedtls/pkcs5.h>
#include <mbedtls/version.h>
#include <mbedtls/x509_crt.h>

#include "certslot/cert.h"
#include "certslot/error.h"
#include "certslot/platform.h"
#include "core/internal.h"

#define OID_PKCS7 "\x2a\x86\x48\x86\xf7\x0d\x01\x07"
#define OID_DATA OID_PKCS7 "\x01"
#define OID_SIGNED_DATA OID_PKCS7 "\x02"
#define OID_ENVELOPED_DATA OID_PKCS7 "\x03"
#define OID_ENCRYPTED_DATA OID_PKCS7 "\x06"
#define OID_BAGS "\x2a\x86\x48\x86\xf7\x0d\x01\x0c\x0a\x01"
#define OID_KEY_BAG OID_BAGS "\x01"
#define OID_SHROUDED_KEY_BAG OID_BAGS "\x02"
#define OID_CERT_BAG OID_BAGS "\x03"
#define OID_SAFE_CONTENTS_BAG OID_BAGS "\x06"
#define OID_X509_CERT "\x2a\x86\x48\x86\xf7\x0d\x01\x09\x16\x01"
#define OID_PBMAC1 "\x2a\x86\x48\x86\xf7\x0d\x01\x05\x0e"
/* pbeWithSHAAnd128BitRC4, pbeWithSHAAnd40BitRC4 (1.2.840.113549.1.12.1.1 and .2): named only to refuse them. */
#define OID_PBE_SHA1_RC4_128 "\x2a\x86\x48\x86\xf7\x0d\x01\x0c\x01\x01"
#define OID_PBE_SHA1_RC4_40 "\x2a\x86\x48\x86\xf7\x0d\x01\x0c\x01\x02"
#define OID_AES128_CBC "\x60\x86\x48\x01\x65\x03\x04\x01\x02"
#define OID_AES192_CBC "\x60\x86\x48\x01\x65\x03\x04\x01\x16"
#define OID_AES256_CBC "\x60\x86\x48\x01\x65\x03\x04\x01\x2a"

#define CT(tag) (MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_CONTEXT_SPECIFIC | (tag))
#define SEQ (MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE)

typedef struct {
    certslot_pkcs12_t *out;
    const unsigned char *pw;  /* UTF-8, for PBES2 */
    size_t pw_len;
    unsigned char bmp[2 * CERTSLOT_PKCS12_MAX_PASSWORD * 2 + 2]; /* BMPString + 00 00, for the PKCS#12 KDF */
    size_t bmp_len;
    unsigned items; /* contents and bags seen, against CERTSLOT_PKCS12_MAX_BAGS */
    char *why;
    size_t why_size;
} walk_t;

static int oid_is(const mbedtls_asn1_buf *oid, const char *lit, size_t lit_len)
{
    return oid->len == lit_len && memcmp(oid->p, lit, lit_len) == 0;
}
#define OID_IS(oid, lit) oid_is((oid), (lit), sizeof(lit) - 1)

static int corrupt(walk_t *w, const char *what)
{
    snprintf(w->why, w->why_size, "malformed PKCS#12: %s", what);
    return CERTSLOT_ERR_CORRUPT;
}

static int unsupported(walk_t *w, const char *what)
{
    snprintf(w->why, w->why_size, "unsupported: %s", what);
    return CERTSLOT_ERR_UNSUPPORTED;
}

/* The password as a BMPString with its two-byte terminator (RFC 7292 B.1). */
static void to_bmp(walk_t *w)
{
    const unsigned char *s = w->pw;
    size_t n = w->pw_len, o = 0;

    for (size_t i = 0; i < n;) {
        unsigned long c = s[i];
        size_t extra = c < 0x80 ? 0 : (c & 0xe0) == 0xc0 ? 1 : (c & 0xf0) == 0xe0 ? 2 : (c & 0xf8) == 0xf0 ? 3 : 9;
        if (extra == 9 || i + extra >= n) {
            extra = 0; /* not UTF-8: the byte as Latin-1, as older OpenSSL did */
        } else {
            c = extra == 0 ? c : c & (0x3fu >> extra);
            for (size_t k = 1; k <= extra; k++) {
                if ((s[i + k] & 0xc0) != 0x80) {
                    c = s[i];
                    extra = 0;
                    break;
                }
                c = (c << 6) | (s[i + k] & 0x3f);
            }
        }
        i += extra + 1;
        if (c >= 0x10000) { /* a surrogate pair */
            c -= 0x10000;
            unsigned long hi = 0xd800 | (c >> 10), lo = 0xdc00 | (c & 0x3ff);
            w->bmp[o++] = (unsigned char)(hi >> 8);
            w->bmp[o++] = (unsigned char)hi;
            c = lo;
        }
        w->bmp[o++] = (unsigned char)(c >> 8);
        w->bmp[o++] = (unsigned char)c;
    }
    w->bmp[o++] = 0;
    w->bmp[o++] = 0;
    w->bmp_len = o;
}

/* Reads an INTEGER iteration count and checks it against the limit. */
static int get_iterations(walk_t *w, unsigned char **p, const unsigned char *end, int *iter)
{
    if (mbedtls_asn1_get_int(p, end, iter) != 0 || *iter < 1)
        return corrupt(w, "bad iteration count");
    if (*iter > CERTSLOT_PKCS12_MAX_ITERATIONS) {
        snprintf(w->why, w->why_size, "iteration count %d is over the limit of %d", *iter,
                 (int)CERTSLOT_PKCS12_MAX_ITERATIONS);
        return CERTSLOT_ERR_LIMIT;
    }
    return 0;
}

/* ---- RC2-CBC decryption (RFC 2268) ---- */

static const unsigned char pitable[256] = {
    0xd9, 0x78, 0xf9, 0xc4, 0x19, 0xdd, 0xb5, 0xed, 0x28, 0xe9, 0xfd, 0x79, 0x4a, 0xa0, 0xd8, 0x9d, 0xc6, 0x7e, 0x37,
    0x83, 0x2b, 0x76, 0x53, 0x8e, 0x62, 0x4c, 0x64, 0x88, 0x44, 0x8b, 0xfb, 0xa2, 0x17, 0x9a, 0x59, 0xf5, 0x87, 0xb3,
    0x4f, 0x13, 0x61, 0x45, 0x6d, 0x8d, 0x09, 0x81, 0x7d, 0x32, 0xbd, 0x8f, 0x40, 0xeb, 0x86, 0xb7, 0x7b, 0x0b, 0xf0,
    0x95, 0x21, 0x22, 0x5c, 0x6b, 0x4e, 0x82, 0x54, 0xd6, 0x65, 0x93, 0xce, 0x60, 0xb2, 0x1c, 0x73, 0x56, 0xc0, 0x14,
    0xa7, 0x8c, 0xf1, 0xdc, 0x12, 0x75, 0xca, 0x1f, 0x3b, 0xbe, 0xe4, 0xd1, 0x42, 0x3d, 0xd4, 0x30, 0xa3, 0x3c, 0xb6,
    0x26, 0x6f, 0xbf, 0x0e, 0xda, 0x46, 0x69, 0x07, 0x57, 0x27, 0xf2, 0x1d, 0x9b, 0xbc, 0x94, 0x43, 0x03, 0xf8, 0x11,
    0xc7, 0xf6, 0x90, 0xef, 0x3e, 0xe7, 0x06, 0xc3, 0xd5, 0x2f, 0xc8, 0x66, 0x1e, 0xd7, 0x08, 0xe8, 0xea, 0xde, 0x80,
    0x52, 0xee, 0xf7, 0x84, 0xaa, 0x72, 0xac, 0x35, 0x4d, 0x6a, 0x2a, 0x96, 0x1a, 0xd2, 0x71, 0x5a, 0x15, 0x49, 0x74,
    0x4b, 0x9f, 0xd0, 0x5e, 0x04, 0x18, 0xa4, 0xec, 0xc2, 0xe0, 0x41, 0x6e, 0x0f, 0x51, 0xcb, 0xcc, 0x24, 0x91, 0xaf,
    0x50, 0xa1, 0xf4, 0x70, 0x39, 0x99, 0x7c, 0x3a, 0x85, 0x23, 0xb8, 0xb4, 0x7a, 0xfc, 0x02, 0x36, 0x5b, 0x25, 0x55,
    0x97, 0x31, 0x2d, 0x5d, 0xfa, 0x98, 0xe3, 0x8a, 0x92, 0xae, 0x05, 0xdf, 0x29, 0x10, 0x67, 0x6c, 0xba, 0xc9, 0xd3,
    0x00, 0xe6, 0xcf, 0xe1, 0x9e, 0xa8, 0x2c, 0x63, 0x16, 0x01, 0x3f, 0x58, 0xe2, 0x89, 0xa9, 0x0d, 0x38, 0x34, 0x1b,
    0xab, 0x33, 0xff, 0xb0, 0xbb, 0x48, 0x0c, 0x5f, 0xb9, 0xb1, 0xcd, 0x2e, 0xc5, 0xf3, 0xdb, 0x47, 0xe5, 0xa5, 0x9c,
    0x77, 0x0a, 0xa6, 0x20, 0x68, 0xfe, 0x7f, 0xc1, 0xad,
};

/* Key expansion of RFC 2268 section 2, effective key bits = key bits (as PKCS#12 uses it). */
static void rc2_expand(const unsigned char *key, size_t len, uint16_t k[64])
{
    unsigned char l[128];
    size_t t8 = len, bits = len * 8;
    unsigned tm = 0xffu >> (8 * t8 - bits);

    memcpy(l, key, len);
    for (size_t i = len; i < 128; i++)
        l[i] = pitable[(l[i - 1] + l[i - len]) & 0xff];
    l[128 - t8] = pitable[l[128 - t8] & tm];
    for (size_t i = 128 - t8; i-- > 0;)
        l[i] = pitable[l[i + 1] ^ l[i + t8]];
    for (unsigned i = 0; i < 64; i++)
        k[i] = (uint16_t)(l[2 * i] | (l[2 * i + 1] << 8));
    certslot_zeroize(l, sizeof(l));
}

static void rc2_decrypt_block(const uint16_t k[64], unsigned char b[8])
{
    unsigned r[4];
    int j = 63;

    for (int i = 0; i < 4; i++)
        r[i] = (unsigned)(b[2 * i] | (b[2 * i + 1] << 8));
    for (int round = 15; round >= 0; round--) {
        static const unsigned s[4] = {1, 2, 3, 5};
        for (int i = 3; i >= 0; i--) {
            unsigned x = r[i] & 0xffff;
            x = ((x >> s[i]) | (x << (16 - s[i]))) & 0xffff;
            r[i] = (x - k[j--] - (r[(i + 3) & 3] & r[(i + 2) & 3]) - (~r[(i + 3) & 3] & r[(i + 1) & 3])) & 0xffff;
        }
        if (round == 5 || round == 11) /* undo a mashing round */
            for (int i = 3; i >= 0; i--)
                r[i] = (r[i] - k[r[(i + 3) & 3] & 63]) & 0xffff;
    }
    for (int i = 0; i < 4; i++) {
        b[2 * i] = (unsigned char)r[i];
        b[2 * i + 1] = (unsigned char)(r[i] >> 8);
    }
}

/* RC2-CBC with PKCS#7 padding; out has room for len bytes. */
static int rc2_cbc_decrypt(const unsigned char *key, size_t key_len, const unsigned char iv[8],
                           const unsigned char *in, size_t len, unsigned char *out, size_t *out_len)
{
    uint16_t k[64];
    unsigned char prev[8], blk[8];

    if (len == 0 || len % 8 != 0)
        return -1;
    rc2_expand(key, key_len, k);
    memcpy(prev, iv, 8);
    for (size_t o = 0; o < len; o += 8) {
        memcpy(blk, in + o, 8);
        rc2_decrypt_block(k, blk);
        for (int i = 0; i < 8; i++)
            out[o + i] = blk[i] ^ prev[i];
        memcpy(prev, in + o, 8);
    }
    certslot_zeroize(k, sizeof(k));
    certslot_zeroize(blk, sizeof(blk));
    unsigned pad = out[len - 1];
    int bad = pad == 0 || pad > 8;
    for (unsigned i = 1; !bad && i <= pad; i++)
        bad |= out[len - i] != pad;
    if (bad)
        return -1;
    *out_len = len - pad;
    return 0;
}

/* ---- decryption ---- */

/* CBC decryption with PKCS#7 padding through mbedTLS; -1 when the padding is wrong. */
static int cbc_decrypt(mbedtls_cipher_type_t type, const unsigned char *key, const unsigned char *iv, size_t iv_len,
                       const unsigned char *in, size_t len, unsigned char *out, size_t *out_len)
{
    const mbedtls_cipher_info_t *info = mbedtls_cipher_info_from_type(type);
    mbedtls_cipher_context_t c;
    size_t n = 0, fin = 0;
    int ret = -1;

    if (info == NULL)
        return -2;
    mbedtls_cipher_init(&c);
    if (mbedtls_cipher_setup(&c, info) == 0 &&
        mbedtls_cipher_setkey(&c, key, (int)mbedtls_cipher_get_key_bitlen(&c), MBEDTLS_DECRYPT) == 0 &&
        mbedtls_cipher_set_padding_mode(&c, MBEDTLS_PADDING_PKCS7) == 0 &&
        mbedtls_cipher_set_iv(&c, iv, iv_len) == 0 && mbedtls_cipher_reset(&c) == 0 &&
        mbedtls_cipher_update(&c, in, len, out, &n) == 0 && mbedtls_cipher_finish(&c, out + n, &fin) == 0) {
        *out_len = n + fin;
        ret = 0;
    }
    mbedtls_cipher_free(&c);
    return ret;
}

/* A key derivation's mbedTLS result: 0, out of memory, or a failure. */
static int derived(const walk_t *w, int r)
{
    int ret = cs_mbed(r, CERTSLOT_ERR_CRYPTO);
    if (ret != 0)
        snprintf(w->why, w->why_size, "%s", ret == CERTSLOT_ERR_NOMEM ? "out of memory" : "key derivation failed");
    return ret;
}

static int pbkdf2(mbedtls_md_type_t md, const unsigned char *pw, size_t pw_len, const unsigned char *salt,
                  size_t salt_len, int iter, unsigned char *key, size_t key_len)
{
    return mbedtls_pkcs5_pbkdf2_hmac_ext(md, pw, pw_len, salt, salt_len, (unsigned)iter, (uint32_t)key_len, key);
}

/* PBES2 parameters (RFC 8018): PBKDF2 key, then the cipher and its IV. */
static int pbes2_params(walk_t *w, const mbedtls_asn1_buf *params, mbedtls_cipher_type_t *type, unsigned char *key,
                        size_t *key_len, unsigned char *iv, size_t *iv_len)
{
    unsigned char *p = params->p;
    const unsigned char *end = params->p + params->len;
    mbedtls_asn1_buf kdf, kdf_params, enc, enc_params, prf, prf_params, salt;
    mbedtls_md_type_t md = MBEDTLS_MD_SHA1;
    int iter = 0, want_len = -1, ret;

    if (params->tag != SEQ || mbedtls_asn1_get_alg(&p, end, &kdf, &kdf_params) != 0 ||
        mbedtls_asn1_get_alg(&p, end, &enc, &enc_params) != 0 || p != end)
        return corrupt(w, "bad PBES2 parameters");
    if (!OID_IS(&kdf, MBEDTLS_OID_PKCS5_PBKDF2))
        return unsupported(w, "PBES2 key derivation other than PBKDF2");
    if (OID_IS(&enc, OID_AES128_CBC))
        *type = MBEDTLS_CIPHER_AES_128_CBC, *key_len = 16;
    else if (OID_IS(&enc, OID_AES192_CBC))
        *type = MBEDTLS_CIPHER_AES_192_CBC, *key_len = 24;
    else if (OID_IS(&enc, OID_AES256_CBC))
        *type = MBEDTLS_CIPHER_AES_256_CBC, *key_len = 32;
    else if (OID_IS(&enc, MBEDTLS_OID_DES_EDE3_CBC))
        *type = MBEDTLS_CIPHER_DES_EDE3_CBC, *key_len = 24;
    else
        return unsupported(w, "PBES2 encryption other than AES-CBC or DES-EDE3-CBC");
    *iv_len = *type == MBEDTLS_CIPHER_DES_EDE3_CBC ? 8 : 16;
    if (enc_params.tag != MBEDTLS_ASN1_OCTET_STRING || enc_params.len != *iv_len)
        return corrupt(w, "bad PBES2 IV");
    memcpy(iv, enc_params.p, *iv_len);

    p = kdf_params.p;
    end = kdf_params.p + kdf_params.len;
    if (kdf_params.tag != SEQ || mbedtls_asn1_get_tag(&p, end, &salt.len, MBEDTLS_ASN1_OCTET_STRING) != 0)
        return corrupt(w, "bad PBKDF2 parameters");
    salt.p = p;
    p += salt.len;
    if ((ret = get_iterations(w, &p, end, &iter)) != 0)
        return ret;
    if (p < end && *p == MBEDTLS_ASN1_INTEGER && (mbedtls_asn1_get_int(&p, end, &want_len) != 0 ||
                                                  want_len != (int)*key_len))
        return corrupt(w, "PBKDF2 key length does not fit the cipher");
    if (p < end) {
        if (mbedtls_asn1_get_alg(&p, end, &prf, &prf_params) != 0 || p != end)
            return corrupt(w, "bad PBKDF2 pseudo-random function");
        if (mbedtls_oid_get_md_hmac(&prf, &md) != 0)
            return unsupported(w, "PBKDF2 with a pseudo-random function other than HMAC-SHA-1/SHA-2");
    }
    return derived(w, pbkdf2(md, w->pw, w->pw_len, salt.p, salt.len, iter, key, *key_len));
}

/* PKCS#12 PBE parameters (RFC 7292 appendix C): salt and iterations, SHA-1 KDF. */
static int pkcs12_pbe_key(walk_t *w, const mbedtls_asn1_buf *params, unsigned char *key, size_t key_len,
                          unsigned char *iv, size_t iv_len)
{
    unsigned char *p = params->p;
    const unsigned char *end = params->p + params->len;
    size_t salt_len;
    int iter, ret;

    if (params->tag != SEQ || mbedtls_asn1_get_tag(&p, end, &salt_len, MBEDTLS_ASN1_OCTET_STRING) != 0)
        return corrupt(w, "bad PKCS#12 PBE parameters");
    const unsigned char *salt = p;
    p += salt_len;
    if ((ret = get_iterations(w, &p, end, &iter)) != 0)
        return ret;
    if (p != end)
        return corrupt(w, "bad PKCS#12 PBE parameters");
    int r = mbedtls_pkcs12_derivation(key, key_len, w->bmp, w->bmp_len, salt, salt_len, MBEDTLS_MD_SHA1,
                                      MBEDTLS_PKCS12_DERIVE_KEY, iter);
    if (r == 0)
        r = mbedtls_pkcs12_derivation(iv, iv_len, w->bmp, w->bmp_len, salt, salt_len, MBEDTLS_MD_SHA1,
                                      MBEDTLS_PKCS12_DERIVE_IV, iter);
    return derived(w, r);
}

/*
 * Decrypts data encrypted under the AlgorithmIdentifier at *p into a new
 * buffer (caller wipes and frees). what names the content for messages.
 */
static int decrypt(walk_t *w, unsigned char **p, const unsigned char *end, const unsigned char *ct, size_t ct_len,
                   const char *what, unsigned char **out, size_t *out_len)
{
    mbedtls_asn1_buf alg, params;
    mbedtls_cipher_type_t type = MBEDTLS_CIPHER_NONE;
    unsigned char key[32], iv[16];
    size_t key_len = 0, iv_len = 0;
    int rc2 = 0, ret;

    if (mbedtls_asn1_get_alg(p, end, &alg, &params) != 0)
        return corrupt(w, "bad encryption algorithm");
    if (OID_IS(&alg, MBEDTLS_OID_PKCS5_PBES2)) {
        ret = pbes2_params(w, &params, &type, key, &key_len, iv, &iv_len);
    } else if (OID_IS(&alg, MBEDTLS_OID_PKCS12_PBE_SHA1_DES3_EDE_CBC) ||
               OID_IS(&alg, MBEDTLS_OID_PKCS12_PBE_SHA1_DES2_EDE_CBC)) {
        int three = OID_IS(&alg, MBEDTLS_OID_PKCS12_PBE_SHA1_DES3_EDE_CBC);
        type = three ? MBEDTLS_CIPHER_DES_EDE3_CBC : MBEDTLS_CIPHER_DES_EDE_CBC;
        key_len = three ? 24 : 16;
        iv_len = 8;
        ret = pkcs12_pbe_key(w, &params, key, key_len, iv, iv_len);
    } else if (OID_IS(&alg, MBEDTLS_OID_PKCS12_PBE_SHA1_RC2_40_CBC) ||
               OID_IS(&alg, MBEDTLS_OID_PKCS12_PBE_SHA1_RC2_128_CBC)) {
        rc2 = 1;
        key_len = OID_IS(&alg, MBEDTLS_OID_PKCS12_PBE_SHA1_RC2_40_CBC) ? 5 : 16;
        iv_len = 8;
        ret = pkcs12_pbe_key(w, &params, key, key_len, iv, iv_len);
    } else if (OID_IS(&alg, OID_PBE_SHA1_RC4_128) || OID_IS(&alg, OID_PBE_SHA1_RC4_40)) {
        ret = unsupported(w, "encryption pbeWithSHAAnd128BitRC4/40BitRC4 (RC4)");
    } else {
        ret = unsupported(w, "an encryption algorithm other than PBES2 (AES, 3DES), PKCS#12 3DES or RC2");
    }
    if (ret != 0)
        goto cleanup;
    *out = certslot_calloc(1, ct_len + 16);
    if (*out == NULL) {
        ret = CERTSLOT_ERR_NOMEM;
        goto cleanup;
    }
    ret = rc2 ? rc2_cbc_decrypt(key, key_len, iv, ct, ct_len, *out, out_len)
              : cbc_decrypt(type, key, iv, iv_len, ct, ct_len, *out, out_len);
    if (ret != 0) {
        certslot_zeroize(*out, ct_len + 16);
        certslot_free(*out);
        *out = NULL;
        if (ret == -2) {
            ret = unsupported(w, "cipher not built into this mbedTLS");
        } else if (cs_mbed(ret, 0) == CERTSLOT_ERR_NOMEM) {
            snprintf(w->why, w->why_size, "out of memory");
            ret = CERTSLOT_ERR_NOMEM;
        } else {
            snprintf(w->why, w->why_size, "cannot decrypt the %s: wrong password, or the file is damaged", what);
            ret = CERTSLOT_ERR_PASSWORD;
        }
    }
cleanup:
    certslot_zeroize(key, sizeof(key));
    certslot_zeroize(iv, sizeof(iv));
    return ret;
}

/* ---- bags ---- */

static int copy_out(unsigned char **dst, size_t *dst_len, const unsigned char *src, size_t len)
{
    *dst = certslot_calloc(1, len);
    if (*dst == NULL)
        return CERTSLOT_ERR_NOMEM;
    memcpy(*dst, src, len);
    *dst_len = len;
    return 0;
}

/* Takes a PrivateKeyInfo (one whole DER SEQUENCE in [der, der+len)). */
static int take_key(walk_t *w, const unsigned char *der, size_t len)
{
    unsigned char *p = (unsigned char *)der;
    size_t inner;

    if (mbedtls_asn1_get_tag(&p, der + len, &inner, SEQ) != 0 || p + inner != der + len)
        return corrupt(w, "bad private key");
    if (w->out->key != NULL) {
        snprintf(w->why, w->why_size, "the file holds more than one private key");
        return CERTSLOT_ERR_KEY;
    }
    return copy_out(&w->out->key, &w->out->key_len, der, len);
}

static int take_cert(walk_t *w, unsigned char *p, const unsigned char *end)
{
    mbedtls_asn1_buf type;
    size_t len;
    certslot_pkcs12_t *o = w->out;

    if (mbedtls_asn1_get_tag(&p, end, &len, SEQ) != 0 || p + len != end ||
        mbedtls_asn1_get_tag(&p, end, &type.len, MBEDTLS_ASN1_OID) != 0)
        return corrupt(w, "bad certificate bag");
    type.p = p;
    p += type.len;
    if (!OID_IS(&type, OID_X509_CERT))
        return 0; /* an SDSI certificate: not ours */
    if (mbedtls_asn1_get_tag(&p, end, &len, CT(0)) != 0 ||
        mbedtls_asn1_get_tag(&p, end, &len, MBEDTLS_ASN1_OCTET_STRING) != 0 || p + len != end)
        return corrupt(w, "bad certificate bag");
    if (o->ncerts == CERTSLOT_PKCS12_MAX_CERTS) {
        snprintf(w->why, w->why_size, "more than %u certificates", (unsigned)CERTSLOT_PKCS12_MAX_CERTS);
        return CERTSLOT_ERR_LIMIT;
    }
    mbedtls_x509_crt crt;
    mbedtls_x509_crt_init(&crt);
    int ret = certslot_cert_parse_der(&crt, p, len);
    mbedtls_x509_crt_free(&crt);
    if (cs_mbed(ret, 0) == CERTSLOT_ERR_NOMEM) {
        snprintf(w->why, w->why_size, "out of memory");
        return CERTSLOT_ERR_NOMEM;
    }
    if (ret != 0) {
        snprintf(w->why, w->why_size, "certificate %u does not parse (mbedTLS error -0x%04x)", o->ncerts + 1,
                 (unsigned)-ret);
        return CERTSLOT_ERR_CERT;
    }
    ret = copy_out(&o->cert[o->ncerts], &o->cert_len[o->ncerts], p, len);
    if (ret == 0)
        o->ncerts++;
    return ret;
}

/* SafeContents: SEQUENCE OF SafeBag. */
static int safe_contents(walk_t *w, unsigned char *p, const unsigned char *end)
{
    size_t len;
    int ret = 0;

    if (mbedtls_asn1_get_tag(&p, end, &len, SEQ) != 0 || p + len != end)
        return corrupt(w, "bad SafeContents");
    while (p < end && ret == 0) {
        mbedtls_asn1_buf id;
        unsigned char *bag_end;
        if (++w->items > CERTSLOT_PKCS12_MAX_BAGS) {
            snprintf(w->why, w->why_size, "more than %u bags", (unsigned)CERTSLOT_PKCS12_MAX_BAGS);
            return CERTSLOT_ERR_LIMIT;
        }
        if (mbedtls_asn1_get_tag(&p, end, &len, SEQ) != 0)
            return corrupt(w, "bad SafeBag");
        bag_end = p + len;
        if (mbedtls_asn1_get_tag(&p, bag_end, &id.len, MBEDTLS_ASN1_OID) != 0)
            return corrupt(w, "bad SafeBag type");
        id.p = p;
        p += id.len;
        if (mbedtls_asn1_get_tag(&p, bag_end, &len, CT(0)) != 0)
            return corrupt(w, "bad SafeBag value");
        unsigned char *v = p, *v_end = p + len; /* the attributes after it are not needed */
        if (OID_IS(&id, OID_KEY_BAG)) {
            ret = take_key(w, v, len);
        } else if (OID_IS(&id, OID_SHROUDED_KEY_BAG)) {
            size_t ct_len;
            unsigned char *plain = NULL;
            size_t plain_len = 0;
            if (mbedtls_asn1_get_tag(&v, v_end, &len, SEQ) != 0 || v + len != v_end)
                return corrupt(w, "bad encrypted private key");
            unsigned char *alg = v;
            if (mbedtls_asn1_get_alg(&v, v_end, &(mbedtls_asn1_buf){0}, &(mbedtls_asn1_buf){0}) != 0 ||
                mbedtls_asn1_get_tag(&v, v_end, &ct_len, MBEDTLS_ASN1_OCTET_STRING) != 0 || v + ct_len != v_end)
                return corrupt(w, "bad encrypted private key");
            ret = decrypt(w, &alg, v_end, v, ct_len, "private key", &plain, &plain_len);
            if (ret == 0) {
                ret = take_key(w, plain, plain_len);
                if (ret == CERTSLOT_ERR_CORRUPT) {
                    snprintf(w->why, w->why_size, "cannot decrypt the private key: wrong password, or the file "
                                                  "is damaged");
                    ret = CERTSLOT_ERR_PASSWORD;
                }
                certslot_zeroize(plain, plain_len);
                certslot_free(plain);
            }
        } else if (OID_IS(&id, OID_CERT_BAG)) {
            ret = take_cert(w, v, v_end);
        } else if (OID_IS(&id, OID_SAFE_CONTENTS_BAG)) {
            ret = unsupported(w, "nested SafeContents bags");
        }
        p = bag_end;
    }
    return ret;
}

/* ---- the PFX ---- */

static int check_mac(walk_t *w, unsigned char *p, const unsigned char *end, const unsigned char *data, size_t len)
{
    mbedtls_asn1_buf alg, params, digest, salt;
    mbedtls_md_type_t md;
    unsigned char key[MBEDTLS_MD_MAX_SIZE], mac[MBEDTLS_MD_MAX_SIZE];
    size_t n;
    int iter = 1, ret;

    if (mbedtls_asn1_get_tag(&p, end, &n, SEQ) != 0 || p + n != end || mbedtls_asn1_get_tag(&p, end, &n, SEQ) != 0)
        return corrupt(w, "bad MacData");
    unsigned char *di_end = p + n;
    if (mbedtls_asn1_get_alg(&p, di_end, &alg, &params) != 0 ||
        mbedtls_asn1_get_tag(&p, di_end, &digest.len, MBEDTLS_ASN1_OCTET_STRING) != 0 || p + digest.len != di_end)
        return corrupt(w, "bad MAC");
    digest.p = p;
    p = di_end;
    if (mbedtls_asn1_get_tag(&p, end, &salt.len, MBEDTLS_ASN1_OCTET_STRING) != 0)
        return corrupt(w, "bad MAC salt");
    salt.p = p;
    p += salt.len;
    if (p < end && (ret = get_iterations(w, &p, end, &iter)) != 0)
        return ret;
    if (p != end)
        return corrupt(w, "bad MacData");
    if (OID_IS(&alg, OID_PBMAC1))
        return unsupported(w, "MAC algorithm PBMAC1");
    const mbedtls_md_info_t *info = mbedtls_oid_get_md_alg(&alg, &md) == 0 ? mbedtls_md_info_from_type(md) : NULL;
    if (info == NULL || md == MBEDTLS_MD_MD5)
        return unsupported(w, "MAC algorithm other than HMAC with SHA-1 or SHA-2");
    unsigned char size = mbedtls_md_get_size(info);
    if (digest.len != size)
        return corrupt(w, "MAC of the wrong length");
    ret = CERTSLOT_ERR_PASSWORD;
    /* An empty password: OpenSSL may have used no password at all, or "" as a BMPString. */
    for (int attempt = 0; attempt < (w->pw_len == 0 ? 2 : 1) && ret != 0; attempt++) {
        const unsigned char *pw = attempt == 0 ? w->bmp : NULL;
        size_t pw_len = attempt == 0 ? w->bmp_len : 0;
        int r = mbedtls_pkcs12_derivation(key, size, pw, pw_len, salt.p, salt.len, md, MBEDTLS_PKCS12_DERIVE_MAC_KEY,
                                          iter);
        if (r == 0)
            r = mbedtls_md_hmac(info, key, size, data, len, mac);
        if ((ret = cs_mbed(r, CERTSLOT_ERR_CRYPTO)) != 0) {
            snprintf(w->why, w->why_size, "%s", ret == CERTSLOT_ERR_NOMEM ? "out of memory" : "MAC computation failed");
            break;
        }
        unsigned char diff = 0;
        for (size_t i = 0; i < size; i++)
            diff |= mac[i] ^ digest.p[i];
        ret = diff == 0 ? 0 : CERTSLOT_ERR_PASSWORD;
    }
    if (ret == CERTSLOT_ERR_PASSWORD)
        snprintf(w->why, w->why_size, "the MAC does not verify: wrong password, or the file is damaged");
    certslot_zeroize(key, sizeof(key));
    return ret;
}

/* One ContentInfo of the AuthenticatedSafe. */
static int content_info(walk_t *w, unsigned char *p, const unsigned char *end)
{
    mbedtls_asn1_buf type;
    size_t len;

    if (mbedtls_asn1_get_tag(&p, end, &type.len, MBEDTLS_ASN1_OID) != 0)
        return corrupt(w, "bad ContentInfo");
    type.p = p;
    p += type.len;
    if (mbedtls_asn1_get_tag(&p, end, &len, CT(0)) != 0 || p + len != end)
        return corrupt(w, "bad ContentInfo");
    if (OID_IS(&type, OID_DATA)) {
        if (mbedtls_asn1_get_tag(&p, end, &len, MBEDTLS_ASN1_OCTET_STRING) != 0 || p + len != end)
            return corrupt(w, "bad data content (BER constructed strings are not supported)");
        return safe_contents(w, p, end);
    }
    if (OID_IS(&type, OID_ENVELOPED_DATA))
        return unsupported(w, "public-key privacy mode (envelopedData)");
    if (!OID_IS(&type, OID_ENCRYPTED_DATA))
        return unsupported(w, "a content type other than data and encryptedData");
    /* EncryptedData: version, EncryptedContentInfo { type, algorithm, [0] IMPLICIT OCTET STRING } */
    int version;
    if (mbedtls_asn1_get_tag(&p, end, &len, SEQ) != 0 || p + len != end || mbedtls_asn1_get_int(&p, end, &version) ||
        mbedtls_asn1_get_tag(&p, end, &len, SEQ) != 0 || p + len != end ||
        mbedtls_asn1_get_tag(&p, end, &type.len, MBEDTLS_ASN1_OID) != 0)
        return corrupt(w, "bad encryptedData");
    p += type.len;
    unsigned char *alg = p;
    if (mbedtls_asn1_get_alg(&p, end, &(mbedtls_asn1_buf){0}, &(mbedtls_asn1_buf){0}) != 0)
        return corrupt(w, "bad encryptedData algorithm");
    if (p == end)
        return 0; /* no content */
    if (mbedtls_asn1_get_tag(&p, end, &len, MBEDTLS_ASN1_CONTEXT_SPECIFIC | 0) != 0 || p + len != end)
        return corrupt(w, "bad encryptedData content (BER constructed strings are not supported)");
    unsigned char *plain = NULL;
    size_t plain_len = 0;
    int ret = decrypt(w, &alg, p, p, len, "certificates", &plain, &plain_len);
    if (ret != 0)
        return ret;
    ret = safe_contents(w, plain, plain + plain_len);
    if (ret == CERTSLOT_ERR_CORRUPT) {
        snprintf(w->why, w->why_size, "cannot decrypt the certificates: wrong password, or the file is damaged");
        ret = CERTSLOT_ERR_PASSWORD;
    }
    certslot_zeroize(plain, plain_len);
    certslot_free(plain);
    return ret;
}

static int walk(walk_t *w, const unsigned char *der, size_t len)
{
    unsigned char *p = (unsigned char *)der;
    const unsigned char *end = der + len;
    mbedtls_asn1_buf type;
    size_t n;
    int version, ret;

    if (mbedtls_asn1_get_tag(&p, end, &n, SEQ) != 0)
        return corrupt(w, "not a DER SEQUENCE (is it PEM or base64? PKCS#12 files are binary)");
    if (p + n != end)
        return corrupt(w, "trailing data or truncated file");
    if (mbedtls_asn1_get_int(&p, end, &version) != 0 || version != 3)
        return corrupt(w, "version is not 3");
    if (mbedtls_asn1_get_tag(&p, end, &n, SEQ) != 0)
        return corrupt(w, "bad authSafe");
    unsigned char *ci_end = p + n;
    if (mbedtls_asn1_get_tag(&p, ci_end, &type.len, MBEDTLS_ASN1_OID) != 0)
        return corrupt(w, "bad authSafe");
    type.p = p;
    p += type.len;
    if (OID_IS(&type, OID_SIGNED_DATA))
        return unsupported(w, "public-key integrity mode (signedData)");
    if (!OID_IS(&type, OID_DATA))
        return corrupt(w, "authSafe is not data");
    if (mbedtls_asn1_get_tag(&p, ci_end, &n, CT(0)) != 0 || p + n != ci_end ||
        mbedtls_asn1_get_tag(&p, ci_end, &n, MBEDTLS_ASN1_OCTET_STRING) != 0 || p + n != ci_end)
        return corrupt(w, "bad authSafe content (BER constructed strings are not supported)");
    unsigned char *safe = p;
    size_t safe_len = n;
    p = ci_end;
    if (p < end && (ret = check_mac(w, p, end, safe, safe_len)) != 0)
        return ret;

    /* AuthenticatedSafe: SEQUENCE OF ContentInfo */
    p = safe;
    end = safe + safe_len;
    if (mbedtls_asn1_get_tag(&p, end, &n, SEQ) != 0 || p + n != end)
        return corrupt(w, "bad AuthenticatedSafe");
    while (p < end) {
        if (++w->items > CERTSLOT_PKCS12_MAX_BAGS) {
            snprintf(w->why, w->why_size, "more than %u contents and bags", (unsigned)CERTSLOT_PKCS12_MAX_BAGS);
            return CERTSLOT_ERR_LIMIT;
        }
        if (mbedtls_asn1_get_tag(&p, end, &n, SEQ) != 0)
            return corrupt(w, "bad ContentInfo");
        ret = content_info(w, p, p + n);
        if (ret != 0)
            return ret;
        p += n;
    }
    return 0;
}

void certslot_pkcs12_init(certslot_pkcs12_t *p12)
{
    memset(p12, 0, sizeof(*p12));
    p12->key_cert = -1;
}

void certslot_pkcs12_free(certslot_pkcs12_t *p12)
{
    if (p12 == NULL)
        return;
    if (p12->key != NULL)
        certslot_zeroize(p12->key, p12->key_len);
    certslot_free(p12->key);
    for (unsigned i = 0; i < p12->ncerts && i < CERTSLOT_PKCS12_MAX_CERTS; i++)
        certslot_free(p12->cert[i]);
    certslot_pkcs12_init(p12);
}

/* Which certificate holds the key's public key. */
static int match_key(certslot_pkcs12_t *p12, char *why, size_t why_size)
{
    mbedtls_pk_context pk;
    int ret;

    mbedtls_pk_init(&pk);
    ret = certslot_key_decode(p12->key, p12->key_len, &pk, why, why_size);
    for (unsigned i = 0; ret == 0 && i < p12->ncerts && p12->key_cert < 0; i++) {
        mbedtls_x509_crt crt;
        mbedtls_x509_crt_init(&crt);
        if (certslot_cert_parse_der(&crt, p12->cert[i], p12->cert_len[i]) == 0 &&
            certslot_key_matches(&crt, &pk) == 0)
            p12->key_cert = (int)i;
        mbedtls_x509_crt_free(&crt);
    }
    mbedtls_pk_free(&pk);
    return ret;
}

int certslot_pkcs12_parse(certslot_pkcs12_t *p12, const unsigned char *der, size_t len, const char *password,
                          char *why, size_t why_size)
{
    walk_t *w;
    int ret;

    if (p12 == NULL || der == NULL || password == NULL || why == NULL)
        return CERTSLOT_ERR_ARG;
    why[0] = '\0';
    certslot_pkcs12_init(p12);
    if (len > CERTSLOT_PKCS12_MAX_INPUT) {
        snprintf(why, why_size, "larger than %u bytes", (unsigned)CERTSLOT_PKCS12_MAX_INPUT);
        return CERTSLOT_ERR_LIMIT;
    }
    if (strlen(password) > CERTSLOT_PKCS12_MAX_PASSWORD) {
        snprintf(why, why_size, "password longer than %u bytes", (unsigned)CERTSLOT_PKCS12_MAX_PASSWORD);
        return CERTSLOT_ERR_LIMIT;
    }
    w = certslot_calloc(1, sizeof(*w));
    if (w == NULL)
        return CERTSLOT_ERR_NOMEM;
    w->out = p12;
    w->pw = (const unsigned char *)password;
    w->pw_len = strlen(password);
    w->why = why;
    w->why_size = why_size;
    to_bmp(w);
    ret = walk(w, der, len);
    if (ret == 0 && p12->key != NULL)
        ret = match_key(p12, why, why_size);
    certslot_zeroize(w, sizeof(*w));
    certslot_free(w);
    if (ret != 0)
        certslot_pkcs12_free(p12);
    return ret;
}
