/*
 * The store file: the parts and the settings, sealed (AES-256-GCM) and
 * unsealed. What is done with it (the update protocol, rollback) is store.c.
 *
 * Store file (version 2): a 44-byte clear header, then AES-256-GCM
 * ciphertext and tag.
 *   "CSLTSTOR" | version (1 byte) | 3 zero bytes | generation (8, big endian)
 *   | ciphertext length (4, big endian) | nonce (12) | key id (8)
 * The header is the GCM additional data. The key and the key id are
 * HKDF-SHA256 of the hal's device secret (two labels): a file whose key id
 * is not ours was written under another device secret, which is reported
 * as that, not as damage. Version 1 files (36-byte header, no key id) are
 * still read. The plaintext is a list of records:
 *   slot (1) | kind (1) | type (1: certificate, 2: key, 4: settings) | 0 (1) | length (4, BE) | data
 * Certificates and keys are DER; the settings are certslot_settings_encode's
 * record. Type 3 (an earlier version's settings, as XML) is skipped: such a
 * store opens with default settings until the next configuration.
 */
#include <string.h>

#include <mbedtls/gcm.h>
#include <mbedtls/hkdf.h>
#include <mbedtls/md.h>

#include "certslot/error.h"
#include "certslot/platform.h"
#include "store_internal.h"

#define MAGIC "CSLTSTOR"
#define VERSION 2
#define HDR_V1 36
#define HDR_LEN 44 /* version 2 */
#define KEY_ID_LEN 8
#define NONCE_LEN 12
#define TAG_LEN 16
#define REC_HDR 8
#define REC_CERT 1
#define REC_KEY 2
#define REC_SETTINGS_XML 3 /* written by earlier versions; skipped */
#define REC_SETTINGS 4     /* certslot_settings_encode */

/* ---- parts ---- */

void certslot_part_free(certslot_part_t *p)
{
    for (unsigned i = 0; i < p->ncerts; i++)
        certslot_free(p->certs[i].der);
    certslot_zeroize(p->key.der, p->key.len);
    certslot_free(p->key.der);
    memset(p, 0, sizeof(*p));
}

int cs_blob_set(certslot_blob_t *b, const unsigned char *der, size_t len)
{
    b->der = certslot_calloc(1, len);
    if (b->der == NULL)
        return CERTSLOT_ERR_NOMEM;
    memcpy(b->der, der, len);
    b->len = len;
    return 0;
}

void cs_parts_free(cs_parts_t parts)
{
    for (unsigned s = 0; s < CERTSLOT_SLOT_COUNT; s++)
        for (unsigned k = 0; k < 2; k++)
            certslot_part_free(&parts[s][k]);
}

/* ---- the file ---- */

static void put_be(unsigned char *p, uint64_t v, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        p[i] = (unsigned char)(v >> (8 * (n - 1 - i)));
}

static uint64_t get_be(const unsigned char *p, unsigned n)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < n; i++)
        v = (v << 8) | p[i];
    return v;
}

/* The file key and its key id, both from the device secret. */
static int derive_key(const certslot_hal_t *hal, unsigned char key[32], unsigned char id[KEY_ID_LEN])
{
    static const unsigned char salt[] = "certslot-store-v1";
    static const unsigned char info[] = "store file key", id_info[] = "store key id";
    const mbedtls_md_info_t *sha256 = mbedtls_md_info_from_type(MBEDTLS_MD_SHA256);
    unsigned char secret[CERTSLOT_DEVICE_SECRET_LEN];
    int ret = hal->device_secret(hal->ctx, secret);

    if (ret == 0 && (mbedtls_hkdf(sha256, salt, sizeof(salt) - 1, secret, sizeof(secret), info, sizeof(info) - 1,
                                  key, 32) != 0 ||
                     mbedtls_hkdf(sha256, salt, sizeof(salt) - 1, secret, sizeof(secret), id_info,
                                  sizeof(id_info) - 1, id, KEY_ID_LEN) != 0))
        ret = CERTSLOT_ERR_CRYPTO;
    certslot_zeroize(secret, sizeof(secret));
    return ret;
}

static size_t plain_size(cs_parts_t parts, size_t settings_len)
{
    size_t n = REC_HDR + settings_len;
    for (unsigned s = 0; s < CERTSLOT_SLOT_COUNT; s++) {
        for (unsigned k = 0; k < 2; k++) {
            const certslot_part_t *p = &parts[s][k];
            for (unsigned i = 0; i < p->ncerts; i++)
                n += REC_HDR + p->certs[i].len;
            if (p->key.der != NULL)
                n += REC_HDR + p->key.len;
        }
    }
    return n;
}

static unsigned char *put_record(unsigned char *o, unsigned s, unsigned k, unsigned type, const certslot_blob_t *b)
{
    o[0] = (unsigned char)s;
    o[1] = (unsigned char)k;
    o[2] = (unsigned char)type;
    o[3] = 0;
    put_be(o + 4, b->len, 4);
    memcpy(o + REC_HDR, b->der, b->len);
    return o + REC_HDR + b->len;
}

int cs_store_seal(const certslot_hal_t *hal, cs_parts_t parts, const certslot_settings_t *settings, uint64_t gen,
                  unsigned char **out, size_t *out_len)
{
    size_t slen = certslot_settings_encode(settings, NULL, 0);
    size_t plen = plain_size(parts, slen), total = HDR_LEN + plen + TAG_LEN;
    unsigned char *file = NULL, key[32];
    mbedtls_gcm_context gcm;
    int ret;

    if (total > CERTSLOT_STORE_MAX_FILE)
        return CERTSLOT_ERR_LIMIT;
    mbedtls_gcm_init(&gcm);
    /* One buffer: the records are written where their ciphertext goes and encrypted in place. */
    file = certslot_calloc(1, total);
    ret = file != NULL ? derive_key(hal, key, file + 24 + NONCE_LEN) : CERTSLOT_ERR_NOMEM;
    if (ret != 0)
        goto cleanup;
    unsigned char *plain = file + HDR_LEN, *o = plain;
    for (unsigned s = 0; s < CERTSLOT_SLOT_COUNT; s++) {
        for (unsigned k = 0; k < 2; k++) {
            const certslot_part_t *p = &parts[s][k];
            for (unsigned i = 0; i < p->ncerts; i++)
                o = put_record(o, s, k, REC_CERT, &p->certs[i]);
            if (p->key.der != NULL)
                o = put_record(o, s, k, REC_KEY, &p->key);
        }
    }
    /* The settings: one record, slot and kind 0. */
    o[0] = o[1] = o[3] = 0;
    o[2] = REC_SETTINGS;
    put_be(o + 4, slen, 4);
    certslot_settings_encode(settings, o + REC_HDR, slen);
    memcpy(file, MAGIC, 8);
    file[8] = VERSION;
    put_be(file + 12, gen, 8);
    put_be(file + 20, plen, 4);
    ret = hal->random(hal->ctx, file + 24, NONCE_LEN);
    if (ret != 0)
        goto cleanup;
    if (mbedtls_gcm_setkey(&gcm, MBEDTLS_CIPHER_ID_AES, key, 256) != 0 ||
        mbedtls_gcm_crypt_and_tag(&gcm, MBEDTLS_GCM_ENCRYPT, plen, file + 24, NONCE_LEN, file, HDR_LEN, plain, plain,
                                  TAG_LEN, plain + plen) != 0) {
        ret = CERTSLOT_ERR_CRYPTO;
        goto cleanup;
    }
    *out = file;
    *out_len = total;
    file = NULL;
cleanup:
    mbedtls_gcm_free(&gcm);
    certslot_zeroize(key, sizeof(key));
    if (file != NULL) /* not sealed: it may hold the records in the clear, keys among them */
        certslot_zeroize(file, total);
    certslot_free(file);
    return ret;
}

/* The decrypted record list into parts and settings (zeroed by the caller). */
static int parse_records(const unsigned char *plain, size_t plen, cs_parts_t parts, certslot_settings_t *settings)
{
    int have_settings = 0;

    for (size_t o = 0; o < plen;) {
        if (plen - o < REC_HDR)
            return CERTSLOT_ERR_CORRUPT;
        unsigned s = plain[o], k = plain[o + 1], type = plain[o + 2];
        size_t n = (size_t)get_be(plain + o + 4, 4);
        o += REC_HDR;
        if (s >= CERTSLOT_SLOT_COUNT || k > 1 || n == 0 || n > plen - o)
            return CERTSLOT_ERR_CORRUPT;
        certslot_part_t *p = &parts[s][k];
        int ret;
        if (type == REC_CERT && p->ncerts < CERTSLOT_STORE_MAX_CERTS) {
            ret = cs_blob_set(&p->certs[p->ncerts], plain + o, n);
            p->ncerts += ret == 0;
        } else if (type == REC_KEY && k == CERTSLOT_KIND_DEVICE && p->key.der == NULL) {
            ret = cs_blob_set(&p->key, plain + o, n);
        } else if (type == REC_SETTINGS && !have_settings) {
            ret = certslot_settings_decode(settings, plain + o, n);
            have_settings = 1;
        } else if (type == REC_SETTINGS_XML) {
            ret = 0; /* an earlier certslot's settings, as XML: not read; defaults until the next configuration */
        } else {
            return CERTSLOT_ERR_CORRUPT;
        }
        if (ret != 0)
            return ret;
        o += n;
    }
    return 0;
}

#if defined(CERTSLOT_FUZZING)
/* For the fuzz harness only: the record parser behind the store's encryption. */
int certslot_store_fuzz_records(const unsigned char *plain, size_t len);
int certslot_store_fuzz_records(const unsigned char *plain, size_t len)
{
    cs_parts_t parts;
    certslot_settings_t settings;
    memset(parts, 0, sizeof(parts));
    certslot_settings_init(&settings);
    int ret = parse_records(plain, len, parts, &settings);
    cs_parts_free(parts);
    certslot_settings_free(&settings);
    return ret;
}
#endif

/*
 * Checks and decrypts a store file into parts (zeroed by the caller).
 * CERTSLOT_ERR_SECRET for a file of another device secret, CERTSLOT_ERR_CORRUPT
 * for anything else that is not an intact store; *why says which.
 */
int cs_store_peek(const unsigned char *file, size_t len, uint64_t *gen, const char **why)
{
    size_t hdr;

    *why = "not a certslot store file";
    if (len < 9 || memcmp(file, MAGIC, 8) != 0)
        return CERTSLOT_ERR_CORRUPT;
    if (file[8] != VERSION && file[8] != 1) {
        *why = "unsupported store format version";
        return CERTSLOT_ERR_CORRUPT;
    }
    hdr = file[8] == 1 ? HDR_V1 : HDR_LEN;
    *why = "truncated or extended";
    if (len < hdr + TAG_LEN || (size_t)get_be(file + 20, 4) != len - hdr - TAG_LEN)
        return CERTSLOT_ERR_CORRUPT;
    *gen = get_be(file + 12, 8);
    return 0;
}

int cs_store_unseal(const certslot_hal_t *hal, unsigned char *file, size_t len, cs_parts_t parts,
                    certslot_settings_t *settings, uint64_t *gen, const char **why)
{
    unsigned char *plain = NULL, key[32], id[KEY_ID_LEN];
    mbedtls_gcm_context gcm;
    size_t plen, hdr;
    int ret = cs_store_peek(file, len, gen, why);

    if (ret != 0)
        return ret;
    hdr = file[8] == 1 ? HDR_V1 : HDR_LEN;
    plen = len - hdr - TAG_LEN;
    mbedtls_gcm_init(&gcm);
    certslot_settings_init(settings);
#if defined(MBEDTLS_GCM_ALT) /* an accelerator may not decrypt in place */
    plain = certslot_calloc(1, plen + 1);
#else
    plain = file + hdr; /* decrypted in place: no second copy of the store in memory */
#endif
    ret = plain != NULL ? derive_key(hal, key, id) : CERTSLOT_ERR_NOMEM;
    if (ret != 0)
        goto cleanup;
    if (hdr == HDR_LEN && memcmp(file + 24 + NONCE_LEN, id, KEY_ID_LEN) != 0) {
        *why = "written under another device secret (the secret changed, or the file comes from another device)";
        ret = CERTSLOT_ERR_SECRET;
        goto cleanup;
    }
    if (mbedtls_gcm_setkey(&gcm, MBEDTLS_CIPHER_ID_AES, key, 256) != 0) {
        ret = CERTSLOT_ERR_CRYPTO;
        goto cleanup;
    }
    if (mbedtls_gcm_auth_decrypt(&gcm, plen, file + 24, NONCE_LEN, file, hdr, file + hdr + plen, TAG_LEN,
                                 file + hdr, plain) != 0) {
        *why = hdr == HDR_LEN ? "authentication failed (damaged)"
                              : "authentication failed (damaged, or written for another device)";
        ret = CERTSLOT_ERR_CORRUPT;
        goto cleanup;
    }
    ret = parse_records(plain, plen, parts, settings);
    if (ret != 0)
        *why = "malformed contents";
cleanup:
    mbedtls_gcm_free(&gcm);
    certslot_zeroize(key, sizeof(key));
    if (plain != NULL)
        certslot_zeroize(plain, plen);
#if defined(MBEDTLS_GCM_ALT)
    certslot_free(plain);
#endif
    if (ret != 0) {
        cs_parts_free(parts);
        certslot_settings_free(settings);
    }
    return ret;
}

