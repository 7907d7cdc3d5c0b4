/*
 * The certificate store: slot contents, their validation, and the
 * encrypted, power-cut-safe, rollback-checked store file.
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
 *   slot (1) | kind (1) | type (1: certificate, 2: key, 3: settings) | 0 (1) | length (4, BE) | data
 * Certificates and keys are DER; settings are certslot_config_export text.
 *
 * Update protocol (only the guarantees of hal.h are assumed):
 *   write "store.new", sync it; rename "store" -> "store.bak" (kept as the
 *   last good copy); rename "store.new" -> "store"; sync the directory;
 *   then, when the hal has an anti-rollback counter, advance it to the new
 *   generation. Open reads all three names and takes the intact one with the
 *   highest generation, so every cut point yields exactly the old or the new
 *   store, and a generation below the counter is a rollback: refused.
 */
#include "certslot/store.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <mbedtls/gcm.h>
#include <mbedtls/hkdf.h>
#include <mbedtls/md.h>
#include <mbedtls/x509_crt.h>

#include "certslot/cert.h"
#include "certslot/csr.h"
#include "certslot/error.h"
#include "certslot/platform.h"
#include "core/internal.h"

#define FILE_MAIN "store"
#define FILE_NEW "store.new"
#define FILE_BAK "store.bak"
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
#define REC_SETTINGS 3

typedef certslot_part_t parts_t[CERTSLOT_SLOT_COUNT][2];

static const char *const slot_names[CERTSLOT_SLOT_COUNT] = {
    "platform1", "platform2", "application1", "application2",
    "application3", "application4", "application5", "application6",
};

const char *certslot_slot_name(certslot_slot_t slot)
{
    return (unsigned)slot < CERTSLOT_SLOT_COUNT ? slot_names[slot] : "?";
}

const char *certslot_kind_name(certslot_kind_t kind)
{
    return kind == CERTSLOT_KIND_CA ? "ca" : "device";
}

int certslot_slot_parse(const char *name, certslot_slot_t *slot)
{
    for (unsigned i = 0; i < CERTSLOT_SLOT_COUNT; i++) {
        if (cs_equal_ci(name, strlen(name), slot_names[i])) {
            *slot = (certslot_slot_t)i;
            return 0;
        }
    }
    return CERTSLOT_ERR_NOT_FOUND;
}

int certslot_kind_parse(const char *name, certslot_kind_t *kind)
{
    if (cs_equal_ci(name, strlen(name), "ca"))
        *kind = CERTSLOT_KIND_CA;
    else if (cs_equal_ci(name, strlen(name), "device"))
        *kind = CERTSLOT_KIND_DEVICE;
    else
        return CERTSLOT_ERR_NOT_FOUND;
    return 0;
}

/* ---- parts ---- */

static void part_free(certslot_part_t *p)
{
    for (unsigned i = 0; i < p->ncerts; i++)
        certslot_free(p->certs[i].der);
    certslot_zeroize(p->key.der, p->key.len);
    certslot_free(p->key.der);
    memset(p, 0, sizeof(*p));
}

static int blob_set(certslot_blob_t *b, const unsigned char *der, size_t len)
{
    b->der = certslot_calloc(1, len);
    if (b->der == NULL)
        return CERTSLOT_ERR_NOMEM;
    memcpy(b->der, der, len);
    b->len = len;
    return 0;
}

static void blob_free(certslot_blob_t *b)
{
    certslot_zeroize(b->der, b->len);
    certslot_free(b->der);
    b->der = NULL;
    b->len = 0;
}

static void parts_free(parts_t parts)
{
    for (unsigned s = 0; s < CERTSLOT_SLOT_COUNT; s++)
        for (unsigned k = 0; k < 2; k++)
            part_free(&parts[s][k]);
}

/* ---- the store file ---- */

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

static size_t plain_size(parts_t parts, const certslot_blob_t *settings)
{
    size_t n = settings->der != NULL ? REC_HDR + settings->len : 0;
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

/* Serialises and encrypts parts as generation gen into a new buffer. */
static int seal(const certslot_hal_t *hal, parts_t parts, const certslot_blob_t *settings, uint64_t gen,
                unsigned char **out, size_t *out_len)
{
    size_t plen = plain_size(parts, settings), total = HDR_LEN + plen + TAG_LEN;
    unsigned char *plain = NULL, *file = NULL, key[32];
    mbedtls_gcm_context gcm;
    int ret;

    if (total > CERTSLOT_STORE_MAX_FILE)
        return CERTSLOT_ERR_LIMIT;
    mbedtls_gcm_init(&gcm);
    plain = certslot_calloc(1, plen + 1);
    file = certslot_calloc(1, total);
    ret = plain != NULL && file != NULL ? derive_key(hal, key, file + 24 + NONCE_LEN) : CERTSLOT_ERR_NOMEM;
    if (ret != 0)
        goto cleanup;
    unsigned char *o = plain;
    for (unsigned s = 0; s < CERTSLOT_SLOT_COUNT; s++) {
        for (unsigned k = 0; k < 2; k++) {
            const certslot_part_t *p = &parts[s][k];
            for (unsigned i = 0; i < p->ncerts; i++)
                o = put_record(o, s, k, REC_CERT, &p->certs[i]);
            if (p->key.der != NULL)
                o = put_record(o, s, k, REC_KEY, &p->key);
        }
    }
    if (settings->der != NULL)
        o = put_record(o, 0, 0, REC_SETTINGS, settings);
    memcpy(file, MAGIC, 8);
    file[8] = VERSION;
    put_be(file + 12, gen, 8);
    put_be(file + 20, plen, 4);
    ret = hal->random(hal->ctx, file + 24, NONCE_LEN);
    if (ret != 0)
        goto cleanup;
    if (mbedtls_gcm_setkey(&gcm, MBEDTLS_CIPHER_ID_AES, key, 256) != 0 ||
        mbedtls_gcm_crypt_and_tag(&gcm, MBEDTLS_GCM_ENCRYPT, plen, file + 24, NONCE_LEN, file, HDR_LEN, plain,
                                  file + HDR_LEN, TAG_LEN, file + HDR_LEN + plen) != 0) {
        ret = CERTSLOT_ERR_CRYPTO;
        goto cleanup;
    }
    *out = file;
    *out_len = total;
    file = NULL;
cleanup:
    mbedtls_gcm_free(&gcm);
    certslot_zeroize(key, sizeof(key));
    if (plain != NULL)
        certslot_zeroize(plain, plen);
    certslot_free(plain);
    certslot_free(file);
    return ret;
}

/* The decrypted record list into parts and settings (zeroed by the caller). */
static int parse_records(const unsigned char *plain, size_t plen, parts_t parts, certslot_blob_t *settings)
{
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
            ret = blob_set(&p->certs[p->ncerts], plain + o, n);
            p->ncerts += ret == 0;
        } else if (type == REC_KEY && k == CERTSLOT_KIND_DEVICE && p->key.der == NULL) {
            ret = blob_set(&p->key, plain + o, n);
        } else if (type == REC_SETTINGS && settings->der == NULL) {
            ret = blob_set(settings, plain + o, n);
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
    parts_t parts;
    certslot_blob_t settings = {NULL, 0};
    memset(parts, 0, sizeof(parts));
    int ret = parse_records(plain, len, parts, &settings);
    parts_free(parts);
    blob_free(&settings);
    return ret;
}
#endif

/*
 * Checks and decrypts a store file into parts (zeroed by the caller).
 * CERTSLOT_ERR_SECRET for a file of another device secret, CERTSLOT_ERR_CORRUPT
 * for anything else that is not an intact store; *why says which.
 */
static int unseal(const certslot_hal_t *hal, const unsigned char *file, size_t len, parts_t parts,
                  certslot_blob_t *settings, uint64_t *gen, const char **why)
{
    unsigned char *plain = NULL, key[32], id[KEY_ID_LEN];
    mbedtls_gcm_context gcm;
    size_t plen, hdr;
    int ret;

    *why = "not a certslot store file";
    if (len < 9 || memcmp(file, MAGIC, 8) != 0)
        return CERTSLOT_ERR_CORRUPT;
    if (file[8] != VERSION && file[8] != 1) {
        *why = "unsupported store format version";
        return CERTSLOT_ERR_CORRUPT;
    }
    hdr = file[8] == 1 ? HDR_V1 : HDR_LEN;
    *why = "truncated or extended";
    if (len < hdr + TAG_LEN)
        return CERTSLOT_ERR_CORRUPT;
    plen = (size_t)get_be(file + 20, 4);
    if (plen != len - hdr - TAG_LEN)
        return CERTSLOT_ERR_CORRUPT;
    mbedtls_gcm_init(&gcm);
    plain = certslot_calloc(1, plen + 1);
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
    if (ret != 0) {
        *why = "malformed contents";
        goto cleanup;
    }
    *gen = get_be(file + 12, 8);
    ret = 0;
cleanup:
    mbedtls_gcm_free(&gcm);
    certslot_zeroize(key, sizeof(key));
    if (plain != NULL)
        certslot_zeroize(plain, plen);
    certslot_free(plain);
    if (ret != 0) {
        parts_free(parts);
        blob_free(settings);
    }
    return ret;
}

/*
 * Writes parts as the next generation; on success st's generation advances
 * (the update is durable then) and the anti-rollback counter follows.
 */
static int persist(certslot_store_t *st, parts_t parts, const certslot_blob_t *settings)
{
    const certslot_hal_t *hal = st->hal;
    unsigned char *file = NULL;
    size_t len = 0;
    int ret = seal(hal, parts, settings, st->generation + 1, &file, &len);

    if (ret != 0)
        return ret;
    ret = hal->storage_write(hal->ctx, FILE_NEW, file, len);
    if (ret == 0)
        ret = hal->storage_sync(hal->ctx, FILE_NEW);
    /* Keep the current version as the last good copy, unless it is the
     * damaged file open() skipped: then the good copy stays where it is. */
    if (ret == 0 && st->main_intact)
        ret = hal->storage_rename(hal->ctx, FILE_MAIN, FILE_BAK);
    if (ret == 0)
        ret = hal->storage_rename(hal->ctx, FILE_NEW, FILE_MAIN);
    if (ret == 0)
        ret = hal->storage_sync_dir(hal->ctx);
    certslot_free(file);
    if (ret != 0) {
        cs_log(hal, CERTSLOT_LOG_ERROR, "store: update not saved: %s", certslot_strerror(ret));
        return ret;
    }
    st->generation++;
    st->main_intact = 1;
    st->files = 1;
    /* After the update is durable, never before: a cut in between leaves a store newer than the counter,
     * which the next open accepts and catches up with. */
    if (hal->counter_advance != NULL && (ret = hal->counter_advance(hal->ctx, st->generation)) != 0)
        cs_log(hal, CERTSLOT_LOG_WARNING,
               "store: the anti-rollback counter was not advanced (%s): until the next update an older copy "
               "would not be noticed", certslot_strerror(ret));
    return 0;
}

static const char *const file_names[] = {FILE_MAIN, FILE_NEW, FILE_BAK};

/* What open found under the three names. */
typedef struct {
    int present[3];
    int err[3];         /* 0: intact (or absent); else why the file was skipped */
    const char *why[3];
    int used;           /* the file the store holds, -1: none */
} found_t;

/* Reads the three names; st takes the intact version with the highest generation. */
static int scan(certslot_store_t *st, found_t *f)
{
    const certslot_hal_t *hal = st->hal;

    memset(f, 0, sizeof(*f));
    f->used = -1;
    for (int i = 0; i < 3; i++) {
        unsigned char *file = NULL;
        size_t len = 0;
        int ret = hal->storage_read(hal->ctx, file_names[i], &file, &len);
        if (ret == CERTSLOT_ERR_NOT_FOUND)
            continue;
        f->present[i] = 1;
        st->files++;
        parts_t parts;
        certslot_blob_t settings = {NULL, 0};
        uint64_t gen = 0;
        f->why[i] = "unreadable";
        memset(parts, 0, sizeof(parts));
        if (ret == 0)
            ret = unseal(hal, file, len, parts, &settings, &gen, &f->why[i]);
        certslot_free(file);
        if (ret == CERTSLOT_ERR_NOMEM)
            return ret;
        if (ret != 0) {
            f->err[i] = ret == CERTSLOT_ERR_SECRET ? ret : CERTSLOT_ERR_CORRUPT;
            continue;
        }
        if (i == 0)
            st->main_intact = 1;
        if (gen > st->generation) {
            parts_free(st->part);
            blob_free(&st->settings);
            memcpy(st->part, parts, sizeof(parts));
            st->settings = settings;
            st->generation = gen;
            f->used = i;
        } else {
            parts_free(parts);
            blob_free(&settings);
        }
    }
    return 0;
}

/* Logs what scan found that is not the plain case; the result when no version is intact. */
static int report_found(const certslot_store_t *st, const found_t *f)
{
    const certslot_hal_t *hal = st->hal;
    unsigned long long gen = (unsigned long long)st->generation;
    int secret = 0, damaged = 0;

    for (int i = 0; i < 3; i++) {
        if (f->err[i] == 0)
            continue;
        secret |= f->err[i] == CERTSLOT_ERR_SECRET;
        damaged |= f->err[i] == CERTSLOT_ERR_CORRUPT && i != 1;
        if (i == 1 && f->err[i] == CERTSLOT_ERR_CORRUPT) /* an update cut short by a power loss: expected */
            cs_log(hal, CERTSLOT_LOG_INFO, "store: discarded an unfinished update (%s)", f->why[i]);
        else if (f->used >= 0) /* the secret opened another file: a key id that does not match is damage */
            cs_log(hal, CERTSLOT_LOG_WARNING, "store: file '%s' is corrupt (%s); using version %llu from '%s'",
                   file_names[i], f->err[i] == CERTSLOT_ERR_SECRET ? "damaged key id" : f->why[i], gen,
                   file_names[f->used]);
        else
            cs_log(hal, CERTSLOT_LOG_ERROR, "store: file '%s' is %s (%s)", file_names[i],
                   f->err[i] == CERTSLOT_ERR_SECRET ? "unusable" : "corrupt", f->why[i]);
    }
    if (f->used == 2 && !f->present[0])
        cs_log(hal, CERTSLOT_LOG_WARNING, "store: file 'store' is missing; using version %llu from 'store.bak'", gen);
    else if (f->used == 1)
        cs_log(hal, CERTSLOT_LOG_INFO, "store: completing an update a power cut interrupted (version %llu)", gen);
    if (f->used >= 0)
        return 0;
    if (secret) {
        cs_log(hal, CERTSLOT_LOG_ERROR, "store: no version opens with this device secret: the store is refused "
                                        "(restore the secret, or remove the store to start again)");
        return CERTSLOT_ERR_SECRET;
    }
    if (damaged) {
        cs_log(hal, CERTSLOT_LOG_ERROR, "store: no intact version left; starting empty");
        return CERTSLOT_ERR_CORRUPT;
    }
    return 0;
}

/*
 * The anti-rollback rule: a generation below the counter is refused (or,
 * with accept, kept and rewritten above it); a counter behind the store
 * catches up.
 */
static int check_counter(certslot_store_t *st, int accept, certslot_result_t *res)
{
    const certslot_hal_t *hal = st->hal;
    unsigned long long gen = (unsigned long long)st->generation;
    uint64_t counter = 0;
    int ret;

    if (hal->counter_read == NULL)
        return 0;
    if ((ret = hal->counter_read(hal->ctx, &counter)) != 0) {
        cs_log(hal, CERTSLOT_LOG_ERROR, "store: cannot read the anti-rollback counter (%s): the store is refused",
               certslot_strerror(ret));
        return ret;
    }
    if (st->generation > counter) {
        if ((ret = hal->counter_advance(hal->ctx, st->generation)) != 0)
            cs_log(hal, CERTSLOT_LOG_WARNING, "store: the anti-rollback counter cannot catch up (%s)",
                   certslot_strerror(ret));
        return 0;
    }
    if (st->generation == counter)
        return 0;
    if (!accept) {
        if (st->files == 0 || gen == 0)
            snprintf(res->msg, sizeof(res->msg), "no intact store, but the anti-rollback counter says version %llu "
                                                 "was written: refused as a rollback",
                     (unsigned long long)counter);
        else
            snprintf(res->msg, sizeof(res->msg), "version %llu is older than the anti-rollback counter (%llu): "
                                                 "refused as a rollback",
                     gen, (unsigned long long)counter);
        cs_log(hal, CERTSLOT_LOG_ERROR, "store: %s; only an administrator can accept it (accept-rollback)", res->msg);
        return CERTSLOT_ERR_ROLLBACK;
    }
    /* Accepted: what is there becomes the newest version, above the counter. */
    st->generation = counter;
    ret = persist(st, st->part, &st->settings);
    if (ret == 0)
        snprintf(res->msg, sizeof(res->msg), "rollback accepted: version %llu (the counter said %llu) is kept as "
                                             "version %llu",
                 gen, (unsigned long long)counter, (unsigned long long)st->generation);
    else
        snprintf(res->msg, sizeof(res->msg), "rollback not accepted: %s", certslot_strerror(ret));
    cs_log(hal, ret == 0 ? CERTSLOT_LOG_WARNING : CERTSLOT_LOG_ERROR, "store: %s", res->msg);
    return ret;
}

static int open_store(certslot_store_t *st, const certslot_hal_t *hal, int accept, certslot_result_t *res)
{
    found_t f;
    int ret, damaged;

    memset(st, 0, sizeof(*st));
    st->hal = hal;
    res->msg[0] = '\0';
    ret = scan(st, &f);
    if (ret != 0) {
        certslot_store_free(st);
        return ret;
    }
    damaged = report_found(st, &f);
    if (damaged == CERTSLOT_ERR_SECRET) {
        snprintf(res->msg, sizeof(res->msg), "%s", certslot_strerror(damaged));
        ret = damaged;
    } else {
        ret = check_counter(st, accept, res);
    }
    if (ret != 0) {
        /* Refused: nothing of it is trusted or changed until someone who may decides. */
        parts_free(st->part);
        blob_free(&st->settings);
        st->refused = ret;
        return ret;
    }
    if (res->msg[0] == '\0')
        snprintf(res->msg, sizeof(res->msg), "version %llu", (unsigned long long)st->generation);
    return damaged;
}

int certslot_store_open(certslot_store_t *st, const certslot_hal_t *hal)
{
    certslot_result_t res;
    return open_store(st, hal, 0, &res);
}

int certslot_store_accept_rollback(certslot_store_t *st, const certslot_hal_t *hal, certslot_result_t *res)
{
    return open_store(st, hal, 1, res);
}

void certslot_store_free(certslot_store_t *st)
{
    if (st == NULL)
        return;
    parts_free(st->part);
    blob_free(&st->settings);
    memset(st, 0, sizeof(*st));
}

/* ---- validation ---- */

typedef struct {
    const certslot_hal_t *hal;
    certslot_slot_t slot;
    certslot_kind_t kind;
    int allow_weak;
    char *why;
    size_t why_size;
} check_t;

/* Decodes certificates, checks the policy for each, and copies them into p. */
static int take_certs(const check_t *c, const unsigned char *text, size_t len, certslot_part_t *p)
{
    mbedtls_x509_crt chain;
    char why[CERTSLOT_WHY_LEN];
    unsigned n = 0;
    int ret;

    mbedtls_x509_crt_init(&chain);
    ret = certslot_cert_decode(text, len, &chain, c->why, c->why_size);
    for (const mbedtls_x509_crt *crt = &chain; ret == 0 && crt != NULL; crt = crt->next, n++) {
        certslot_cert_info_t info;
        int relaxed = 0;
        certslot_cert_info(crt, &info);
        if (n == CERTSLOT_STORE_MAX_CERTS) {
            snprintf(c->why, c->why_size, "more than %u certificates", (unsigned)CERTSLOT_STORE_MAX_CERTS);
            ret = CERTSLOT_ERR_LIMIT;
            break;
        }
        ret = certslot_policy_check(crt, c->allow_weak, &relaxed, why, sizeof(why));
        if (ret != 0) {
            snprintf(c->why, c->why_size, "certificate %u (CN=%s): %s", n + 1, info.subject_cn, why);
            break;
        }
        if (relaxed)
            cs_log(c->hal, CERTSLOT_LOG_WARNING,
                  "store: %s %s: accepted weak certificate CN=%s: %s (weak-certificate policy relaxed)",
                  certslot_slot_name(c->slot), certslot_kind_name(c->kind), info.subject_cn, why);
        ret = blob_set(&p->certs[n], crt->raw.p, crt->raw.len);
        if (ret == 0)
            p->ncerts = n + 1;
    }
    mbedtls_x509_crt_free(&chain);
    return ret;
}

/*
 * Builds the new content of one part into out (zeroed by the caller) from
 * certificate text (NULL: keep the current certificates) and key text (NULL:
 * keep the current key). Nothing of cur changes.
 */
static int build_part(const check_t *c, const certslot_part_t *cur, const unsigned char *cert, size_t cert_len,
                      const unsigned char *key, size_t key_len, certslot_part_t *out)
{
    int ret = 0;

    if (cert != NULL) {
        ret = take_certs(c, cert, cert_len, out);
    } else {
        for (unsigned i = 0; i < cur->ncerts && ret == 0; i++, out->ncerts++)
            ret = blob_set(&out->certs[i], cur->certs[i].der, cur->certs[i].len);
    }
    if (ret != 0 || c->kind == CERTSLOT_KIND_CA)
        goto done;

    mbedtls_pk_context pk;
    mbedtls_pk_init(&pk);
    if (key != NULL) {
        ret = certslot_key_decode(key, key_len, &pk, c->why, c->why_size);
        if (ret == 0) {
            /* Store the key as DER whatever encoding it came in. */
            unsigned char buf[4096];
            int n = mbedtls_pk_write_key_der(&pk, buf, sizeof(buf));
            ret = n > 0 ? blob_set(&out->key, buf + sizeof(buf) - n, (size_t)n) : CERTSLOT_ERR_KEY;
            certslot_zeroize(buf, sizeof(buf));
        }
    } else if (cur->key.der != NULL) {
        ret = certslot_key_decode(cur->key.der, cur->key.len, &pk, c->why, c->why_size);
        if (ret == 0)
            ret = blob_set(&out->key, cur->key.der, cur->key.len);
    } else if (out->ncerts > 0) {
        snprintf(c->why, c->why_size, "a device certificate needs its private key");
        ret = CERTSLOT_ERR_KEY;
    }
    if (ret == 0 && out->ncerts > 0) {
        mbedtls_x509_crt crt;
        mbedtls_x509_crt_init(&crt);
        ret = mbedtls_x509_crt_parse_der(&crt, out->certs[0].der, out->certs[0].len) == 0
                  ? certslot_key_matches(&crt, &pk)
                  : CERTSLOT_ERR_CERT;
        if (ret != 0)
            snprintf(c->why, c->why_size, "the private key does not match the device certificate");
        mbedtls_x509_crt_free(&crt);
    }
    mbedtls_pk_free(&pk);
done:
    if (ret != 0)
        part_free(out);
    return ret;
}

static void describe(const certslot_part_t *p, char *buf, size_t size)
{
    mbedtls_x509_crt crt;
    certslot_cert_info_t info;

    mbedtls_x509_crt_init(&crt);
    if (p->ncerts > 0 && mbedtls_x509_crt_parse_der(&crt, p->certs[0].der, p->certs[0].len) == 0 &&
        certslot_cert_info(&crt, &info) == 0)
        snprintf(buf, size, "%u certificate%s, first CN=%s%s", p->ncerts, p->ncerts == 1 ? "" : "s", info.subject_cn,
                 p->key.der != NULL ? ", with private key" : "");
    else
        snprintf(buf, size, "%s", p->key.der != NULL ? "a private key awaiting its certificate" : "empty");
    mbedtls_x509_crt_free(&crt);
}

/*
 * Persists st's parts with `changed` replaced by the parts in next, and the
 * settings by *settings when it is not NULL (which commit then owns).
 */
static int commit(certslot_store_t *st, parts_t next, const int changed[CERTSLOT_SLOT_COUNT][2],
                  certslot_blob_t *settings)
{
    parts_t merged;
    int any = settings != NULL;

    if (st->refused != 0) { /* a rolled-back store, or one of another secret: changes are refused too */
        for (unsigned s = 0; s < CERTSLOT_SLOT_COUNT; s++)
            for (unsigned k = 0; k < 2; k++)
                if (changed[s][k])
                    part_free(&next[s][k]);
        if (settings != NULL)
            blob_free(settings);
        return st->refused;
    }

    for (unsigned s = 0; s < CERTSLOT_SLOT_COUNT; s++) {
        for (unsigned k = 0; k < 2; k++) {
            merged[s][k] = changed[s][k] ? next[s][k] : st->part[s][k];
            any |= changed[s][k];
        }
    }
    int ret = any ? persist(st, merged, settings != NULL ? settings : &st->settings) : 0;
    for (unsigned s = 0; s < CERTSLOT_SLOT_COUNT; s++) {
        for (unsigned k = 0; k < 2; k++) {
            if (!changed[s][k])
                continue;
            if (ret == 0) {
                part_free(&st->part[s][k]);
                st->part[s][k] = next[s][k];
            } else {
                part_free(&next[s][k]);
            }
        }
    }
    if (settings != NULL) {
        if (ret == 0) {
            blob_free(&st->settings);
            st->settings = *settings;
        } else {
            blob_free(settings);
        }
    }
    return ret;
}

int certslot_store_install(certslot_store_t *st, certslot_slot_t slot, certslot_kind_t kind,
                           const unsigned char *cert, size_t cert_len, const unsigned char *key, size_t key_len,
                           int allow_weak, certslot_result_t *res)
{
    char why[CERTSLOT_WHY_LEN] = "";
    check_t c = {st->hal, slot, kind, allow_weak, why, sizeof(why)};
    parts_t next;
    int changed[CERTSLOT_SLOT_COUNT][2] = {{0}};
    int ret;

    if ((unsigned)slot >= CERTSLOT_SLOT_COUNT || (kind != CERTSLOT_KIND_CA && kind != CERTSLOT_KIND_DEVICE) ||
        (cert == NULL && key == NULL) || (kind == CERTSLOT_KIND_CA && key != NULL))
        return CERTSLOT_ERR_ARG;
    memset(next, 0, sizeof(next));
    ret = build_part(&c, &st->part[slot][kind], cert, cert_len, key, key_len, &next[slot][kind]);
    if (ret == 0) {
        changed[slot][kind] = 1;
        char desc[200];
        describe(&next[slot][kind], desc, sizeof(desc));
        ret = commit(st, next, changed, NULL);
        if (ret == 0) {
            snprintf(res->msg, sizeof(res->msg), "installed into %s %s: %s", certslot_slot_name(slot),
                     certslot_kind_name(kind), desc);
            cs_log(st->hal, CERTSLOT_LOG_INFO, "store: %s", res->msg);
        } else {
            snprintf(res->msg, sizeof(res->msg), "%s %s: not saved: %s", certslot_slot_name(slot),
                     certslot_kind_name(kind), certslot_strerror(ret));
        }
        return ret;
    }
    snprintf(res->msg, sizeof(res->msg), "%s %s: refused: %s", certslot_slot_name(slot), certslot_kind_name(kind),
             why[0] != '\0' ? why : certslot_strerror(ret));
    cs_log(st->hal, CERTSLOT_LOG_INFO, "store: %s", res->msg);
    return ret;
}

int certslot_store_clear(certslot_store_t *st, certslot_slot_t slot, certslot_kind_t kind, certslot_result_t *res)
{
    parts_t next;
    int changed[CERTSLOT_SLOT_COUNT][2] = {{0}};

    if ((unsigned)slot >= CERTSLOT_SLOT_COUNT || (kind != CERTSLOT_KIND_CA && kind != CERTSLOT_KIND_DEVICE))
        return CERTSLOT_ERR_ARG;
    memset(next, 0, sizeof(next));
    changed[slot][kind] = 1;
    int ret = commit(st, next, changed, NULL);
    snprintf(res->msg, sizeof(res->msg), "%s %s: %s", certslot_slot_name(slot), certslot_kind_name(kind),
             ret == 0 ? "emptied" : certslot_strerror(ret));
    if (ret == 0)
        cs_log(st->hal, CERTSLOT_LOG_INFO, "store: %s", res->msg);
    return ret;
}

/* ---- applying a configuration ---- */

static certslot_param_t slot_param(certslot_slot_t slot, int platform_family, int app_family)
{
    return slot <= CERTSLOT_SLOT_PLATFORM2 ? (certslot_param_t)(platform_family + (int)slot)
                                           : (certslot_param_t)(app_family + (int)slot - 2);
}

/* The value of p if the configuration sets it: its text (empty for "clear"), else NULL. */
static const unsigned char *set_value(const certslot_config_t *cfg, certslot_param_t p, size_t *len)
{
    if (!certslot_config_is_set(cfg, p))
        return NULL;
    const char *t = certslot_config_get(cfg, p);
    *len = strlen(t);
    return (const unsigned char *)t;
}

int certslot_store_apply(certslot_store_t *st, const certslot_config_t *cfg, certslot_apply_report_fn report,
                         void *report_ctx)
{
    int allow_weak = certslot_config_get_num(cfg, CERTSLOT_PARAM(ALLOW_WEAK_CERTS, 1));
    parts_t next;
    int changed[CERTSLOT_SLOT_COUNT][2] = {{0}}, refused = 0;

    memset(next, 0, sizeof(next));
    for (unsigned s = 0; s < CERTSLOT_SLOT_COUNT; s++) {
        certslot_param_t pc[2], pk = slot_param((certslot_slot_t)s, CERTSLOT_P_PLATFORM_DEVICE_KEY,
                                                 CERTSLOT_P_APP_DEVICE_KEY);
        pc[CERTSLOT_KIND_CA] = slot_param((certslot_slot_t)s, CERTSLOT_P_PLATFORM_CA_CERT, CERTSLOT_P_APP_CA_CERT);
        pc[CERTSLOT_KIND_DEVICE] =
            slot_param((certslot_slot_t)s, CERTSLOT_P_PLATFORM_DEVICE_CERT, CERTSLOT_P_APP_DEVICE_CERT);
        for (unsigned k = 0; k < 2; k++) {
            char why[CERTSLOT_WHY_LEN] = "";
            check_t c = {st->hal, (certslot_slot_t)s, (certslot_kind_t)k, allow_weak, why, sizeof(why)};
            size_t cert_len = 0, key_len = 0;
            const unsigned char *cert = set_value(cfg, pc[k], &cert_len);
            const unsigned char *key = k == CERTSLOT_KIND_DEVICE ? set_value(cfg, pk, &key_len) : NULL;
            certslot_param_t blame = cert != NULL ? pc[k] : pk;
            int ret;

            if (cert == NULL && key == NULL)
                continue;
            if (cert != NULL && cert_len == 0) {
                changed[s][k] = 1; /* set empty: empty the part */
                continue;
            }
            if (key != NULL && key_len == 0) {
                if (cert == NULL && st->part[s][k].ncerts == 0) {
                    changed[s][k] = 1;
                    continue;
                }
                snprintf(why, sizeof(why), "the device certificate needs its private key (set the certificate "
                                           "empty to empty the slot)");
                ret = CERTSLOT_ERR_KEY;
                blame = pk;
            } else {
                ret = build_part(&c, &st->part[s][k], cert, cert_len, key, key_len, &next[s][k]);
                if (ret == CERTSLOT_ERR_KEY && key != NULL)
                    blame = pk;
            }
            if (ret == 0) {
                changed[s][k] = 1;
                continue;
            }
            if (ret == CERTSLOT_ERR_NOMEM) {
                parts_free(next);
                return ret;
            }
            refused++;
            char msg[300];
            snprintf(msg, sizeof(msg), "%s %s refused, slot unchanged: %s", certslot_slot_name((certslot_slot_t)s),
                     certslot_kind_name((certslot_kind_t)k), why);
            cs_log(st->hal, CERTSLOT_LOG_INFO, "store: %s", msg);
            if (report != NULL)
                report(report_ctx, blame, certslot_config_where(cfg, blame), msg);
        }
    }
    /* The other settings, replaced only when they changed. */
    certslot_blob_t settings = {NULL, 0};
    char *xml = NULL;
    int ret = certslot_config_export(cfg, &xml, &settings.len);
    if (ret != 0) {
        parts_free(next);
        return ret;
    }
    settings.der = (unsigned char *)xml;
    int same_settings = st->settings.der != NULL && st->settings.len == settings.len &&
                        memcmp(st->settings.der, settings.der, settings.len) == 0;
    if (same_settings)
        blob_free(&settings);
    ret = commit(st, next, changed, same_settings ? NULL : &settings);
    if (ret != 0)
        return ret;
    return refused > 0 ? CERTSLOT_ERR_VALUE : 0;
}

/* ---- a key and CSR generated on the handset ---- */

#if CERTSLOT_WITH_CSR /* certslot/options.h */

static int hal_random(void *ctx, unsigned char *buf, size_t len)
{
    const certslot_hal_t *hal = ctx;
    return hal->random(hal->ctx, buf, len);
}

int certslot_store_csr(certslot_store_t *st, certslot_slot_t slot, const certslot_csr_subject_t *subject,
                       int replace, char **csr_pem, size_t *csr_len, certslot_result_t *res)
{
    char why[CERTSLOT_WHY_LEN] = "";
    parts_t next;
    int changed[CERTSLOT_SLOT_COUNT][2] = {{0}};
    const int dev = CERTSLOT_KIND_DEVICE;
    unsigned char *key = NULL;
    size_t key_len = 0;
    int ret;

    if ((unsigned)slot >= CERTSLOT_SLOT_COUNT || subject == NULL || csr_pem == NULL || csr_len == NULL)
        return CERTSLOT_ERR_ARG;
    *csr_pem = NULL;
    if (st->part[slot][dev].ncerts > 0 && !replace) {
        snprintf(why, sizeof(why), "it holds a device certificate (replace it explicitly)");
        ret = CERTSLOT_ERR_CERT;
    } else {
        ret = certslot_csr_generate(hal_random, (void *)st->hal, subject, &key, &key_len, csr_pem, csr_len, why,
                                    sizeof(why));
    }
    if (ret == 0) {
        memset(next, 0, sizeof(next));
        next[slot][dev].key.der = key; /* next owns the key now */
        next[slot][dev].key.len = key_len;
        changed[slot][dev] = 1;
        ret = commit(st, next, changed, NULL);
        if (ret == 0) {
            snprintf(res->msg, sizeof(res->msg), "%s device: new RSA %d key awaiting its certificate; CSR for CN=%s",
                     certslot_slot_name(slot), CERTSLOT_CSR_KEY_BITS, subject->cn);
            cs_log(st->hal, CERTSLOT_LOG_INFO, "store: %s", res->msg);
            return 0;
        }
        certslot_free(*csr_pem);
        *csr_pem = NULL;
        snprintf(res->msg, sizeof(res->msg), "%s device: not saved: %s", certslot_slot_name(slot),
                 certslot_strerror(ret));
        return ret;
    }
    snprintf(res->msg, sizeof(res->msg), "%s device: no CSR: %s", certslot_slot_name(slot),
             why[0] != '\0' ? why : certslot_strerror(ret));
    cs_log(st->hal, CERTSLOT_LOG_INFO, "store: %s", res->msg);
    return ret;
}

#else

int certslot_store_csr(certslot_store_t *st, certslot_slot_t slot, const certslot_csr_subject_t *subject,
                       int replace, char **csr_pem, size_t *csr_len, certslot_result_t *res)
{
    (void)st, (void)slot, (void)subject, (void)replace, (void)csr_len;
    if (csr_pem != NULL)
        *csr_pem = NULL;
    snprintf(res->msg, sizeof(res->msg), "a key and CSR made on the handset are left out of this build");
    return CERTSLOT_ERR_UNSUPPORTED;
}

#endif /* CERTSLOT_WITH_CSR */
