/*
 * The certificate store: slots and settings, and the rules that keep them:
 * updates are one transaction persisted power-cut safe, never older than
 * the anti-rollback counter, never under another device secret. The file
 * format is store_file.c; the checks a part passes are store_part.c.
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

#include <stdio.h>
#include <string.h>

#include "certslot/csr.h"
#include "certslot/error.h"
#include "certslot/platform.h"
#include "core/internal.h"
#include "store_internal.h"

#define FILE_MAIN "store"
#define FILE_NEW "store.new"
#define FILE_BAK "store.bak"

/*
 * Writes parts as the next generation; on success st's generation advances
 * (the update is durable then) and the anti-rollback counter follows.
 */
static int persist(certslot_store_t *st, cs_parts_t parts, const certslot_settings_t *settings)
{
    const certslot_hal_t *hal = st->hal;
    unsigned char *file = NULL;
    size_t len = 0;
    int ret = cs_store_seal(hal, parts, settings, st->generation + 1, &file, &len);

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

/*
 * Reads the three names; st takes the intact version with the highest
 * generation. Only what is needed is decrypted: the files in the order of
 * the generation their headers claim, until one authenticates (normally the
 * first: 'store'); one whose header is malformed is not tried at all. A
 * file after the one taken is not looked into, so damage to an older copy
 * shows when it is needed. One file is in memory at a time: the headers are
 * read first, and the file tried is read again (a store is decrypted in
 * place). settings: room for one file's.
 */
static int scan(certslot_store_t *st, found_t *f, certslot_settings_t *settings)
{
    const certslot_hal_t *hal = st->hal;
    uint64_t claim[3] = {0, 0, 0};
    int order[3], n = 0, ret = 0;

    memset(f, 0, sizeof(*f));
    f->used = -1;
    for (int i = 0; i < 3; i++) {
        unsigned char *file = NULL;
        size_t len = 0;
        ret = hal->storage_read(hal->ctx, file_names[i], &file, &len);
        if (ret == CERTSLOT_ERR_NOT_FOUND)
            continue;
        f->present[i] = 1;
        st->files++;
        f->why[i] = "unreadable";
        if (ret == 0)
            ret = cs_store_peek(file, len, &claim[i], &f->why[i]);
        certslot_free(file);
        if (ret != 0) {
            f->err[i] = CERTSLOT_ERR_CORRUPT;
            continue;
        }
        int k = n++; /* by claimed generation, highest first; ties keep store, store.new, store.bak */
        for (; k > 0 && claim[order[k - 1]] < claim[i]; k--)
            order[k] = order[k - 1];
        order[k] = i;
    }
    ret = 0;
    for (int k = 0; k < n && f->used < 0; k++) {
        int i = order[k];
        cs_parts_t parts;
        uint64_t gen = 0;
        unsigned char *file = NULL;
        size_t len = 0;
        memset(parts, 0, sizeof(parts));
        f->why[i] = "unreadable";
        ret = hal->storage_read(hal->ctx, file_names[i], &file, &len);
        if (ret == 0)
            ret = cs_store_unseal(hal, file, len, parts, settings, &gen, &f->why[i]);
        certslot_free(file);
        if (ret == CERTSLOT_ERR_NOMEM)
            break;
        if (ret != 0) {
            f->err[i] = ret == CERTSLOT_ERR_SECRET ? ret : CERTSLOT_ERR_CORRUPT;
            ret = 0;
            continue;
        }
        memcpy(st->part, parts, sizeof(parts));
        memcpy(&st->settings, settings, sizeof(*settings));
        st->generation = gen;
        st->main_intact = i == 0; /* not decrypted: not known intact, so never moved over store.bak */
        f->used = i;
    }
    return ret;
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
            cs_result(res, -1, CERTSLOT_ERR_ROLLBACK, "no intact store, but the anti-rollback counter says version %llu "
                                                 "was written: refused as a rollback",
                     (unsigned long long)counter);
        else
            cs_result(res, -1, CERTSLOT_ERR_ROLLBACK, "version %llu is older than the anti-rollback counter (%llu): "
                                                 "refused as a rollback",
                     gen, (unsigned long long)counter);
        cs_log(hal, CERTSLOT_LOG_ERROR, "store: %s; only an administrator can accept it (accept-rollback)", res->msg);
        return CERTSLOT_ERR_ROLLBACK;
    }
    /* Accepted: what is there becomes the newest version, above the counter. */
    st->generation = counter;
    ret = persist(st, st->part, &st->settings);
    if (ret == 0)
        cs_result(res, -1, 0, "rollback accepted: version %llu (the counter said %llu) is kept as "
                                             "version %llu",
                 gen, (unsigned long long)counter, (unsigned long long)st->generation);
    else
        cs_result(res, -1, ret, "rollback not accepted: %s", certslot_strerror(ret));
    cs_log(hal, ret == 0 ? CERTSLOT_LOG_WARNING : CERTSLOT_LOG_ERROR, "store: %s", res->msg);
    return ret;
}

static int open_store(certslot_store_t *st, const certslot_hal_t *hal, int accept, certslot_result_t *res)
{
    found_t f;
    int ret, damaged;

    memset(st, 0, sizeof(*st));
    st->hal = hal;
    certslot_settings_init(&st->settings);
    res->status = CERTSLOT_STATUS_OK;
    res->msg[0] = '\0';
    certslot_settings_t *settings = certslot_calloc(1, sizeof(*settings)); /* one file's, while it is read */
    ret = settings != NULL ? scan(st, &f, settings) : CERTSLOT_ERR_NOMEM;
    if (settings != NULL) {
        certslot_settings_free(settings);
        certslot_free(settings);
    }
    if (ret != 0) {
        certslot_store_free(st);
        return ret;
    }
    damaged = report_found(st, &f);
    if (damaged == CERTSLOT_ERR_SECRET) {
        cs_result(res, -1, damaged, "%s", certslot_strerror(damaged));
        ret = damaged;
    } else {
        ret = check_counter(st, accept, res);
    }
    if (ret != 0) {
        /* Refused: nothing of it is trusted or changed until someone who may decides. */
        cs_parts_free(st->part);
        certslot_settings_free(&st->settings);
        st->refused = ret;
        return ret;
    }
    if (res->msg[0] == '\0')
        cs_result(res, -1, 0, "version %llu", (unsigned long long)st->generation);
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
    cs_parts_free(st->part);
    certslot_zeroize(st, sizeof(*st));
}

/* ---- changes: a transaction of staged parts, committed as one update ---- */

void certslot_store_txn_init(certslot_store_txn_t *t, certslot_store_t *st)
{
    memset(t, 0, sizeof(*t));
    t->st = st;
}

void certslot_store_txn_free(certslot_store_txn_t *t)
{
    for (unsigned s = 0; s < CERTSLOT_SLOT_COUNT; s++)
        for (unsigned k = 0; k < 2; k++)
            certslot_part_free(&t->next[s][k]);
    memset(t->changed, 0, sizeof(t->changed));
    t->settings = NULL;
}

/* A transaction for one call, about 1 KiB: on the heap, neither on the stack nor a static that threads would
 * share. NULL: out of memory. */
static certslot_store_txn_t *txn_new(certslot_store_t *st)
{
    certslot_store_txn_t *t = certslot_calloc(1, sizeof(*t));

    if (t != NULL)
        certslot_store_txn_init(t, st);
    return t;
}

static void txn_delete(certslot_store_txn_t *t)
{
    if (t != NULL)
        certslot_store_txn_free(t);
    certslot_free(t);
}

static int valid(certslot_slot_t slot, certslot_kind_t kind)
{
    return (unsigned)slot < CERTSLOT_SLOT_COUNT && (kind == CERTSLOT_KIND_CA || kind == CERTSLOT_KIND_DEVICE);
}

int certslot_store_txn_put(certslot_store_txn_t *t, certslot_slot_t slot, certslot_kind_t kind,
                           const unsigned char *cert, size_t cert_len, const unsigned char *key, size_t key_len,
                           int allow_weak, char *why, size_t why_size)
{
    certslot_part_t built;

    if (!valid(slot, kind) || (cert == NULL && key == NULL) || (kind == CERTSLOT_KIND_CA && key != NULL))
        return CERTSLOT_ERR_ARG;
    memset(&built, 0, sizeof(built));
    /* Built against what the store holds: a change staged earlier for this part is replaced. */
    int ret = cs_part_build(t->st->hal, slot, kind, &t->st->part[slot][kind], cert, cert_len, key, key_len,
                            allow_weak, why, why_size, &built);
    if (ret != 0)
        return ret;
    certslot_part_free(&t->next[slot][kind]);
    t->next[slot][kind] = built;
    t->changed[slot][kind] = 1;
    return 0;
}

int certslot_store_txn_empty(certslot_store_txn_t *t, certslot_slot_t slot, certslot_kind_t kind)
{
    if (!valid(slot, kind))
        return CERTSLOT_ERR_ARG;
    certslot_part_free(&t->next[slot][kind]);
    t->changed[slot][kind] = 1;
    return 0;
}

void certslot_store_txn_settings(certslot_store_txn_t *t, const certslot_settings_t *settings)
{
    t->settings = settings != NULL && !certslot_settings_equal(settings, &t->st->settings) ? settings : NULL;
}

int certslot_store_txn_commit(certslot_store_txn_t *t)
{
    certslot_store_t *st = t->st;
    cs_parts_t merged;
    int any = t->settings != NULL;

    if (st->refused != 0) { /* a rolled-back store, or one of another secret: changes are refused too */
        certslot_store_txn_free(t);
        return st->refused;
    }
    for (unsigned s = 0; s < CERTSLOT_SLOT_COUNT; s++) {
        for (unsigned k = 0; k < 2; k++) {
            merged[s][k] = t->changed[s][k] ? t->next[s][k] : st->part[s][k];
            any |= t->changed[s][k];
        }
    }
    int ret = any ? persist(st, merged, t->settings != NULL ? t->settings : &st->settings) : 0;
    if (ret == 0) {
        /* Durable: the store takes the staged parts (the txn no longer owns them). */
        for (unsigned s = 0; s < CERTSLOT_SLOT_COUNT; s++) {
            for (unsigned k = 0; k < 2; k++) {
                if (!t->changed[s][k])
                    continue;
                certslot_part_free(&st->part[s][k]);
                st->part[s][k] = t->next[s][k];
                memset(&t->next[s][k], 0, sizeof(t->next[s][k]));
            }
        }
        if (t->settings != NULL)
            memcpy(&st->settings, t->settings, sizeof(st->settings));
    }
    certslot_store_txn_free(t);
    return ret;
}

/* ---- one change at a time ---- */

int certslot_store_install(certslot_store_t *st, certslot_slot_t slot, certslot_kind_t kind,
                           const unsigned char *cert, size_t cert_len, const unsigned char *key, size_t key_len,
                           int allow_weak, certslot_result_t *res)
{
    certslot_store_txn_t *t = txn_new(st);
    char why[CERTSLOT_WHY_LEN] = "", desc[200];
    int ret = t != NULL ? certslot_store_txn_put(t, slot, kind, cert, cert_len, key, key_len, allow_weak, why,
                                                 sizeof(why))
                        : CERTSLOT_ERR_NOMEM;

    if (ret == CERTSLOT_ERR_ARG) {
        /* nothing to say: the call itself is wrong */
    } else if (ret != 0) {
        cs_result(res, -1, ret, "%s %s: refused: %s", certslot_slot_name(slot),
                 certslot_kind_name(kind), why[0] != '\0' ? why : certslot_strerror(ret));
        cs_log(st->hal, CERTSLOT_LOG_INFO, "store: %s", res->msg);
    } else {
        cs_part_describe(&t->next[slot][kind], desc, sizeof(desc));
        ret = certslot_store_txn_commit(t);
        if (ret == 0) {
            cs_result(res, -1, 0, "installed into %s %s: %s", certslot_slot_name(slot),
                     certslot_kind_name(kind), desc);
            cs_log(st->hal, CERTSLOT_LOG_INFO, "store: %s", res->msg);
        } else {
            cs_result(res, -1, ret, "%s %s: not saved: %s", certslot_slot_name(slot),
                     certslot_kind_name(kind), certslot_strerror(ret));
        }
    }
    txn_delete(t);
    return ret;
}

int certslot_store_clear(certslot_store_t *st, certslot_slot_t slot, certslot_kind_t kind, certslot_result_t *res)
{
    certslot_store_txn_t *t = txn_new(st);
    int ret = t != NULL ? certslot_store_txn_empty(t, slot, kind) : CERTSLOT_ERR_NOMEM;

    if (ret == 0)
        ret = certslot_store_txn_commit(t);
    if (ret != CERTSLOT_ERR_ARG)
        cs_result(res, -1, ret, "%s %s: %s", certslot_slot_name(slot), certslot_kind_name(kind),
                 ret == 0 ? "emptied" : certslot_strerror(ret));
    if (ret == 0)
        cs_log(st->hal, CERTSLOT_LOG_INFO, "store: %s", res->msg);
    txn_delete(t);
    return ret;
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
    certslot_store_txn_t *t;
    char why[CERTSLOT_WHY_LEN] = "";
    const int dev = CERTSLOT_KIND_DEVICE;
    unsigned char *key = NULL;
    size_t key_len = 0;
    int ret;

    if ((unsigned)slot >= CERTSLOT_SLOT_COUNT || subject == NULL || csr_pem == NULL || csr_len == NULL)
        return CERTSLOT_ERR_ARG;
    *csr_pem = NULL;
    if ((t = txn_new(st)) == NULL) {
        ret = CERTSLOT_ERR_NOMEM;
    } else if (st->part[slot][dev].ncerts > 0 && !replace) {
        snprintf(why, sizeof(why), "it holds a device certificate (replace it explicitly)");
        ret = CERTSLOT_ERR_CERT;
    } else {
        ret = certslot_csr_generate(hal_random, (void *)st->hal, subject, &key, &key_len, csr_pem, csr_len, why,
                                    sizeof(why));
    }
    if (ret == 0) {
        t->next[slot][dev].key.der = key; /* the transaction owns the key now */
        t->next[slot][dev].key.len = key_len;
        t->changed[slot][dev] = 1;
        ret = certslot_store_txn_commit(t);
        if (ret == 0) {
            cs_result(res, -1, 0, "%s device: new RSA %d key awaiting its certificate; CSR for CN=%s",
                     certslot_slot_name(slot), CERTSLOT_CSR_KEY_BITS, subject->cn);
            cs_log(st->hal, CERTSLOT_LOG_INFO, "store: %s", res->msg);
        } else {
            certslot_free(*csr_pem);
            *csr_pem = NULL;
            cs_result(res, -1, ret, "%s device: not saved: %s", certslot_slot_name(slot),
                     certslot_strerror(ret));
        }
    } else {
        cs_result(res, -1, ret, "%s device: no CSR: %s", certslot_slot_name(slot),
                 why[0] != '\0' ? why : certslot_strerror(ret));
        cs_log(st->hal, CERTSLOT_LOG_INFO, "store: %s", res->msg);
    }
    txn_delete(t);
    return ret;
}

#else

int certslot_store_csr(certslot_store_t *st, certslot_slot_t slot, const certslot_csr_subject_t *subject,
                       int replace, char **csr_pem, size_t *csr_len, certslot_result_t *res)
{
    (void)st, (void)slot, (void)subject, (void)replace, (void)csr_len;
    if (csr_pem != NULL)
        *csr_pem = NULL;
    return cs_result(res, -1, CERTSLOT_ERR_UNSUPPORTED, "a key and CSR made on the handset are left out of this build");
}

#endif /* CERTSLOT_WITH_CSR */
