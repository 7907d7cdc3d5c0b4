/*
 * The simulated handset (see certslot/hal_sim.h).
 *
 * Content buffers are immutable once made, so an inode's volatile and durable
 * content may share one buffer (after a sync or a reboot): sync and reboot
 * then allocate nothing and cannot fail half-way. Only corrupt and truncate
 * change a buffer, and they change it once however many contents share it.
 */
#include "certslot/hal_sim.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mbedtls/bignum.h>
#include <mbedtls/ctr_drbg.h>
#include <mbedtls/ecp.h>
#include <mbedtls/oid.h>
#include <mbedtls/pk.h>
#include <mbedtls/sha256.h>
#include <mbedtls/version.h>
#include <mbedtls/x509_crt.h>

#include "certslot/error.h"
#include "certslot/platform.h"

struct certslot_sim_inode {
    struct certslot_sim_inode *next;
    unsigned char *vdata, *ddata; /* NULL: empty; may be the same buffer */
    size_t vlen, dlen;
};

struct certslot_sim_dirent {
    char name[CERTSLOT_HAL_SIM_NAME_MAX + 1];
    struct certslot_sim_inode *ino;
};

typedef struct certslot_sim_inode inode_t;
typedef struct certslot_sim_dirent dirent_t;

/* ---- hashing (mbedTLS 2.28 and 3.x spell it differently) ---- */

#define SHA256_STARTS mbedtls_sha256_starts
#define SHA256_UPDATE mbedtls_sha256_update
#define SHA256_FINISH mbedtls_sha256_finish

/* out = SHA-256(a || b || c); c may be NULL. */
static void sha256_3(const void *a, size_t alen, const void *b, size_t blen, const void *c, size_t clen,
                     unsigned char out[32])
{
    mbedtls_sha256_context ctx;
    mbedtls_sha256_init(&ctx);
    SHA256_STARTS(&ctx, 0);
    SHA256_UPDATE(&ctx, a, alen);
    SHA256_UPDATE(&ctx, b, blen);
    if (c != NULL)
        SHA256_UPDATE(&ctx, c, clen);
    SHA256_FINISH(&ctx, out);
    mbedtls_sha256_free(&ctx);
}

/* ---- names and directories ---- */

static int check_name(const char *name)
{
    if (name == NULL || name[0] == '\0' || name[0] == '.')
        return CERTSLOT_ERR_ARG;
    size_t n = strnlen(name, CERTSLOT_HAL_SIM_NAME_MAX + 1);
    if (n > CERTSLOT_HAL_SIM_NAME_MAX || memchr(name, '/', n) != NULL)
        return CERTSLOT_ERR_ARG;
    return 0;
}

/* Index of name in a sorted directory, or where it would go (*found = 0). */
static size_t dir_find(const dirent_t *dir, size_t n, const char *name, int *found)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(dir[mid].name, name);
        if (c == 0) {
            *found = 1;
            return mid;
        }
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    *found = 0;
    return lo;
}

/* Makes room for at least want entries. */
static int dir_reserve(dirent_t **dir, size_t n, size_t *cap, size_t want)
{
    if (want <= *cap)
        return 0;
    size_t ncap = *cap < 8 ? 8 : *cap;
    while (ncap < want)
        ncap *= 2;
    dirent_t *d = certslot_calloc(ncap, sizeof(*d));
    if (d == NULL)
        return CERTSLOT_ERR_NOMEM;
    if (n > 0)
        memcpy(d, *dir, n * sizeof(*d));
    certslot_free(*dir);
    *dir = d;
    *cap = ncap;
    return 0;
}

/* Inserts at position i (room must be reserved). */
static void dir_insert(dirent_t *dir, size_t *n, size_t i, const char *name, inode_t *ino)
{
    memmove(dir + i + 1, dir + i, (*n - i) * sizeof(*dir));
    memset(&dir[i], 0, sizeof(dir[i]));
    memcpy(dir[i].name, name, strlen(name) + 1);
    dir[i].ino = ino;
    (*n)++;
}

static void dir_erase(dirent_t *dir, size_t *n, size_t i)
{
    memmove(dir + i, dir + i + 1, (*n - i - 1) * sizeof(*dir));
    (*n)--;
}

static inode_t *lookup(const certslot_hal_sim_t *sim, const char *name)
{
    int found;
    size_t i = dir_find(sim->vdir, sim->nvdir, name, &found);
    return found ? sim->vdir[i].ino : NULL;
}

static void inode_free(inode_t *ino)
{
    if (ino->ddata != ino->vdata)
        certslot_free(ino->ddata);
    certslot_free(ino->vdata);
    certslot_free(ino);
}

static int referenced(const dirent_t *dir, size_t n, const inode_t *ino)
{
    for (size_t i = 0; i < n; i++)
        if (dir[i].ino == ino)
            return 1;
    return 0;
}

/* Frees the inodes no directory refers to (an unlinked file nobody holds open). */
static void collect(certslot_hal_sim_t *sim)
{
    inode_t **pp = &sim->inodes;
    while (*pp != NULL) {
        inode_t *ino = *pp;
        if (referenced(sim->vdir, sim->nvdir, ino) || referenced(sim->ddir, sim->nddir, ino)) {
            pp = &ino->next;
        } else {
            *pp = ino->next;
            inode_free(ino);
        }
    }
}

/* ---- storage ---- */

/* 0 when a storage call may proceed; counts and performs the cut. */
static int power_gate(certslot_hal_sim_t *sim, int mutating)
{
    if (sim->power_off)
        return CERTSLOT_ERR_POWER;
    if (!mutating)
        return 0;
    sim->ops++;
    if (sim->cut_at != 0 && sim->ops == sim->cut_at) {
        sim->power_off = 1;
        return CERTSLOT_ERR_POWER;
    }
    return 0;
}

static int sim_read(void *ctx, const char *name, unsigned char **data, size_t *len)
{
    certslot_hal_sim_t *sim = ctx;
    if (check_name(name) != 0 || data == NULL || len == NULL)
        return CERTSLOT_ERR_ARG;
    int ret = power_gate(sim, 0);
    if (ret != 0)
        return ret;
    sim->reads++;
    inode_t *ino = lookup(sim, name);
    if (ino == NULL)
        return CERTSLOT_ERR_NOT_FOUND;
    unsigned char *buf = certslot_calloc(1, ino->vlen + 1);
    if (buf == NULL)
        return CERTSLOT_ERR_NOMEM;
    if (ino->vlen > 0)
        memcpy(buf, ino->vdata, ino->vlen);
    *data = buf;
    *len = ino->vlen;
    return 0;
}

/* Creates or truncates name and gives it len bytes of data (volatile only). */
static int do_write(certslot_hal_sim_t *sim, const char *name, const unsigned char *data, size_t len)
{
    unsigned char *buf = NULL;
    inode_t *ino = lookup(sim, name);

    if (len > 0) {
        buf = certslot_calloc(1, len);
        if (buf == NULL)
            return CERTSLOT_ERR_NOMEM;
        memcpy(buf, data, len);
    }
    if (ino == NULL) {
        int found;
        size_t i = dir_find(sim->vdir, sim->nvdir, name, &found);
        ino = certslot_calloc(1, sizeof(*ino));
        if (ino == NULL || dir_reserve(&sim->vdir, sim->nvdir, &sim->capvdir, sim->nvdir + 1) != 0) {
            certslot_free(ino);
            certslot_free(buf);
            return CERTSLOT_ERR_NOMEM;
        }
        ino->next = sim->inodes;
        sim->inodes = ino;
        dir_insert(sim->vdir, &sim->nvdir, i, name, ino);
    } else if (ino->vdata != ino->ddata) {
        certslot_free(ino->vdata);
    }
    ino->vdata = buf;
    ino->vlen = len;
    return 0;
}

static int sim_write(void *ctx, const char *name, const unsigned char *data, size_t len)
{
    certslot_hal_sim_t *sim = ctx;
    if (check_name(name) != 0 || (data == NULL && len > 0))
        return CERTSLOT_ERR_ARG;
    int was_off = sim->power_off;
    int ret = power_gate(sim, 1);
    if (ret != 0) {
        /* The cut write itself is torn: half of it reached the file. */
        if (!was_off)
            do_write(sim, name, data, len / 2);
        return ret;
    }
    return do_write(sim, name, data, len);
}

static int sim_sync(void *ctx, const char *name)
{
    certslot_hal_sim_t *sim = ctx;
    if (check_name(name) != 0)
        return CERTSLOT_ERR_ARG;
    int ret = power_gate(sim, 1);
    if (ret != 0)
        return ret;
    inode_t *ino = lookup(sim, name);
    if (ino == NULL)
        return CERTSLOT_ERR_NOT_FOUND;
    if (ino->ddata != ino->vdata)
        certslot_free(ino->ddata);
    ino->ddata = ino->vdata;
    ino->dlen = ino->vlen;
    return 0;
}

static int sim_rename(void *ctx, const char *from, const char *to)
{
    certslot_hal_sim_t *sim = ctx;
    int found;
    if (check_name(from) != 0 || check_name(to) != 0)
        return CERTSLOT_ERR_ARG;
    int ret = power_gate(sim, 1);
    if (ret != 0)
        return ret;
    size_t i = dir_find(sim->vdir, sim->nvdir, from, &found);
    if (!found)
        return CERTSLOT_ERR_NOT_FOUND;
    if (strcmp(from, to) == 0)
        return 0;
    inode_t *ino = sim->vdir[i].ino;
    dir_erase(sim->vdir, &sim->nvdir, i);
    size_t j = dir_find(sim->vdir, sim->nvdir, to, &found);
    if (found)
        sim->vdir[j].ino = ino; /* the old "to" inode loses this name */
    else
        dir_insert(sim->vdir, &sim->nvdir, j, to, ino); /* room: one entry was just erased */
    collect(sim);
    return 0;
}

static int sim_sync_dir(void *ctx)
{
    certslot_hal_sim_t *sim = ctx;
    int ret = power_gate(sim, 1);
    if (ret != 0)
        return ret;
    ret = dir_reserve(&sim->ddir, sim->nddir, &sim->capddir, sim->nvdir);
    if (ret != 0)
        return ret;
    if (sim->nvdir > 0)
        memcpy(sim->ddir, sim->vdir, sim->nvdir * sizeof(*sim->ddir));
    sim->nddir = sim->nvdir;
    collect(sim);
    return 0;
}

static int sim_remove(void *ctx, const char *name)
{
    certslot_hal_sim_t *sim = ctx;
    int found;
    if (check_name(name) != 0)
        return CERTSLOT_ERR_ARG;
    int ret = power_gate(sim, 1);
    if (ret != 0)
        return ret;
    size_t i = dir_find(sim->vdir, sim->nvdir, name, &found);
    if (found) {
        dir_erase(sim->vdir, &sim->nvdir, i);
        collect(sim);
    }
    return 0;
}

static int sim_counter_read(void *ctx, uint64_t *value)
{
    certslot_hal_sim_t *sim = ctx;
    int ret = power_gate(sim, 0);
    if (ret != 0)
        return ret;
    if (sim->counter_fails)
        return CERTSLOT_ERR_IO;
    *value = sim->counter;
    return 0;
}

static int sim_counter_advance(void *ctx, uint64_t value)
{
    certslot_hal_sim_t *sim = ctx;
    int ret = power_gate(sim, 1);
    if (ret != 0)
        return ret;
    if (sim->counter_fails)
        return CERTSLOT_ERR_IO;
    if (value > sim->counter)
        sim->counter = value;
    return 0;
}

void certslot_hal_sim_use_counter(certslot_hal_sim_t *sim, certslot_hal_t *hal)
{
    (void)sim;
    hal->counter_read = sim_counter_read;
    hal->counter_advance = sim_counter_advance;
}

int certslot_hal_sim_power_cycle(certslot_hal_sim_t *sim)
{
    int ret = dir_reserve(&sim->vdir, sim->nvdir, &sim->capvdir, sim->nddir);
    if (ret != 0)
        return ret;
    if (sim->nddir > 0)
        memcpy(sim->vdir, sim->ddir, sim->nddir * sizeof(*sim->vdir));
    sim->nvdir = sim->nddir;
    for (inode_t *ino = sim->inodes; ino != NULL; ino = ino->next) {
        if (ino->vdata == ino->ddata)
            continue;
        if (ino->vlen == ino->dlen && (ino->vlen == 0 || memcmp(ino->vdata, ino->ddata, ino->vlen) == 0)) {
            certslot_free(ino->vdata); /* same bytes: nothing was lost */
        } else if (sim->torn_unsynced) {
            certslot_free(ino->ddata);
            ino->ddata = ino->vdata;
            ino->dlen = ino->vlen / 2;
        } else {
            certslot_free(ino->vdata);
        }
        ino->vdata = ino->ddata;
        ino->vlen = ino->dlen;
    }
    collect(sim);
    sim->power_off = 0;
    sim->ops = 0;
    sim->reads = 0;
    sim->cut_at = 0;
    return 0;
}

int certslot_hal_sim_file(certslot_hal_sim_t *sim, const char *name, const unsigned char **data, size_t *len)
{
    static const unsigned char empty[1];
    if (sim == NULL || name == NULL || data == NULL || len == NULL)
        return CERTSLOT_ERR_ARG;
    inode_t *ino = lookup(sim, name);
    if (ino == NULL)
        return CERTSLOT_ERR_NOT_FOUND;
    *data = ino->vdata != NULL ? ino->vdata : empty;
    *len = ino->vlen;
    return 0;
}

int certslot_hal_sim_corrupt(certslot_hal_sim_t *sim, const char *name, size_t offset, unsigned char xor_mask)
{
    if (sim == NULL || name == NULL)
        return CERTSLOT_ERR_ARG;
    inode_t *ino = lookup(sim, name);
    if (ino == NULL)
        return CERTSLOT_ERR_NOT_FOUND;
    int in_v = offset < ino->vlen, in_d = offset < ino->dlen;
    if (in_v)
        ino->vdata[offset] ^= xor_mask;
    if (in_d && (ino->ddata != ino->vdata || !in_v))
        ino->ddata[offset] ^= xor_mask; /* a shared buffer is flipped once */
    int done = in_v || in_d;
    return done ? 0 : CERTSLOT_ERR_ARG;
}

int certslot_hal_sim_truncate(certslot_hal_sim_t *sim, const char *name, size_t len)
{
    if (sim == NULL || name == NULL)
        return CERTSLOT_ERR_ARG;
    inode_t *ino = lookup(sim, name);
    if (ino == NULL)
        return CERTSLOT_ERR_NOT_FOUND;
    if (ino->vlen > len)
        ino->vlen = len;
    if (ino->dlen > len)
        ino->dlen = len;
    return 0;
}

size_t certslot_hal_sim_count(const certslot_hal_sim_t *sim)
{
    return sim->nvdir;
}

const char *certslot_hal_sim_name(const certslot_hal_sim_t *sim, size_t i)
{
    return i < sim->nvdir ? sim->vdir[i].name : NULL;
}

/* ---- entropy, clock, identity, log ---- */

static int sim_random(void *ctx, unsigned char *buf, size_t len)
{
    static const char label[] = "certslot-sim-random";
    certslot_hal_sim_t *sim = ctx;
    unsigned char in[16], block[32];

    if (buf == NULL && len > 0)
        return CERTSLOT_ERR_ARG;
    while (len > 0) {
        for (int i = 0; i < 8; i++) {
            in[i] = (unsigned char)(sim->seed >> (8 * i));
            in[8 + i] = (unsigned char)(sim->rnd_block >> (8 * i));
        }
        sim->rnd_block++;
        sha256_3(label, sizeof(label) - 1, in, sizeof(in), NULL, 0, block);
        size_t n = len < sizeof(block) ? len : sizeof(block);
        memcpy(buf, block, n);
        buf += n;
        len -= n;
    }
    certslot_zeroize(block, sizeof(block));
    return 0;
}

static int sim_time(void *ctx, int64_t *now)
{
    certslot_hal_sim_t *sim = ctx;
    if (now == NULL)
        return CERTSLOT_ERR_ARG;
    if (!sim->clock_synced)
        return CERTSLOT_ERR_CLOCK;
    *now = sim->now;
    return 0;
}

static int sim_mac(void *ctx, char mac[13])
{
    certslot_hal_sim_t *sim = ctx;
    memcpy(mac, sim->mac, 13);
    return 0;
}

static int sim_device_secret(void *ctx, unsigned char secret[CERTSLOT_DEVICE_SECRET_LEN])
{
    static const char label[] = "certslot-sim-secret";
    certslot_hal_sim_t *sim = ctx;
    sha256_3(label, sizeof(label) - 1, sim->mac, 12, NULL, 0, secret);
    return 0;
}

static void sim_log(void *ctx, certslot_log_level_t level, const char *msg)
{
    certslot_hal_sim_t *sim = ctx;
    char *line = sim->log_lines[sim->log_next];
    const char *echo = getenv("CERTSLOT_SIM_LOG");

    /* Lines longer than CERTSLOT_HAL_SIM_LOG_LINE_MAX are kept cut short. */
    if (snprintf(line, CERTSLOT_HAL_SIM_LOG_LINE_MAX, "%s: %s", certslot_log_level_name(level), msg != NULL ? msg : "") < 0)
        line[0] = '\0';
    sim->log_next = (sim->log_next + 1) % CERTSLOT_HAL_SIM_LOG_LINES;
    if (sim->log_count < CERTSLOT_HAL_SIM_LOG_LINES)
        sim->log_count++;
    if (echo != NULL && strcmp(echo, "1") == 0)
        fprintf(stderr, "certslot-sim: %s\n", line);
}

int certslot_hal_sim_log_contains(const certslot_hal_sim_t *sim, const char *text)
{
    for (size_t i = 0; i < sim->log_count; i++)
        if (strstr(sim->log_lines[i], text) != NULL)
            return 1;
    return 0;
}

void certslot_hal_sim_log_clear(certslot_hal_sim_t *sim)
{
    memset(sim->log_lines, 0, sizeof(sim->log_lines));
    sim->log_next = sim->log_count = 0;
}

/* ---- the simulated factory: vendor CA and device certificate ---- */

#define VENDOR_O "certslot Simulated Vendor"
#define VENDOR_CA_NAME "O=" VENDOR_O ",CN=certslot Simulated Vendor Root CA"
#define NOT_BEFORE "20200101000000"
#define NOT_AFTER "20491231235959"
#define DER_MAX 2048

/* The "entropy" of the factory DRBGs: fixed, so that keys depend only on the
 * personalization string. */
static int fixed_entropy(void *ctx, unsigned char *buf, size_t len)
{
    (void)ctx;
    memset(buf, 0x5c, len);
    return 0;
}

static int drbg_seed(mbedtls_ctr_drbg_context *drbg, const char *label, const char *mac)
{
    unsigned char pers[96];
    size_t n = strlen(label);
    memcpy(pers, label, n);
    if (mac != NULL) {
        memcpy(pers + n, mac, 12);
        n += 12;
    }
    return mbedtls_ctr_drbg_seed(drbg, fixed_entropy, NULL, pers, n);
}

/* An EC P-256 key made from the DRBG personalised with label || mac. */
static int derive_key(mbedtls_pk_context *pk, const char *label, const char *mac)
{
    mbedtls_ctr_drbg_context drbg;
    int ret;

    mbedtls_ctr_drbg_init(&drbg);
    ret = drbg_seed(&drbg, label, mac);
    if (ret == 0)
        ret = mbedtls_pk_setup(pk, mbedtls_pk_info_from_type(MBEDTLS_PK_ECKEY));
    if (ret == 0)
        ret = mbedtls_ecp_gen_key(MBEDTLS_ECP_DP_SECP256R1, mbedtls_pk_ec(*pk), mbedtls_ctr_drbg_random, &drbg);
    mbedtls_ctr_drbg_free(&drbg);
    return ret;
}

/* Copies the last len bytes of a DER work buffer into a new exact buffer. */
static int take_der(const unsigned char *work, int len, unsigned char **out, size_t *out_len)
{
    if (len <= 0)
        return CERTSLOT_ERR_CRYPTO;
    *out = certslot_calloc(1, (size_t)len);
    if (*out == NULL)
        return CERTSLOT_ERR_NOMEM;
    memcpy(*out, work + DER_MAX - (size_t)len, (size_t)len);
    *out_len = (size_t)len;
    return 0;
}

/* Writes one certificate: subject_key signed by issuer_key. */
static int make_cert(mbedtls_pk_context *subject_key, mbedtls_pk_context *issuer_key, const char *subject,
                     const unsigned char *serial, size_t serial_len, int is_ca, const char *mac,
                     unsigned char *work, unsigned char **der, size_t *der_len)
{
    /* ExtendedKeyUsage ::= SEQUENCE { id-kp-clientAuth } */
    static const unsigned char eku_client_auth[] = {0x30, 0x0a, 0x06, 0x08, 0x2b, 0x06, 0x01,
                                                    0x05, 0x05, 0x07, 0x03, 0x02};
    mbedtls_x509write_cert crt;
    mbedtls_ctr_drbg_context drbg;
    int mret, ret = CERTSLOT_ERR_CRYPTO;

    mbedtls_x509write_crt_init(&crt);
    mbedtls_ctr_drbg_init(&drbg);

    /* Signing randomness (ECDSA blinding, or k without deterministic ECDSA)
     * comes from a fixed DRBG too, so every byte is reproducible. */
    mret = drbg_seed(&drbg, is_ca ? "certslot-sim-sign-ca" : "certslot-sim-sign-device:", is_ca ? NULL : mac);
    if (mret != 0)
        goto cleanup;
    mbedtls_x509write_crt_set_version(&crt, MBEDTLS_X509_CRT_VERSION_3);
    mbedtls_x509write_crt_set_md_alg(&crt, MBEDTLS_MD_SHA256);
    mbedtls_x509write_crt_set_subject_key(&crt, subject_key);
    mbedtls_x509write_crt_set_issuer_key(&crt, issuer_key);
    mret = mbedtls_x509write_crt_set_serial_raw(&crt, (unsigned char *)serial, serial_len);
    if (mret == 0)
        mret = mbedtls_x509write_crt_set_subject_name(&crt, subject);
    if (mret == 0)
        mret = mbedtls_x509write_crt_set_issuer_name(&crt, VENDOR_CA_NAME);
    if (mret == 0)
        mret = mbedtls_x509write_crt_set_validity(&crt, NOT_BEFORE, NOT_AFTER);
    if (mret == 0)
        mret = mbedtls_x509write_crt_set_basic_constraints(&crt, is_ca, -1);
    if (mret == 0)
        mret = mbedtls_x509write_crt_set_key_usage(&crt, is_ca ? MBEDTLS_X509_KU_KEY_CERT_SIGN
                                                               : MBEDTLS_X509_KU_DIGITAL_SIGNATURE);
    if (mret == 0 && !is_ca)
        mret = mbedtls_x509write_crt_set_extension(&crt, MBEDTLS_OID_EXTENDED_KEY_USAGE,
                                                   MBEDTLS_OID_SIZE(MBEDTLS_OID_EXTENDED_KEY_USAGE), 0,
                                                   eku_client_auth, sizeof(eku_client_auth));
#if defined(MBEDTLS_SHA1_C)
    if (mret == 0)
        mret = mbedtls_x509write_crt_set_subject_key_identifier(&crt);
    if (mret == 0)
        mret = mbedtls_x509write_crt_set_authority_key_identifier(&crt);
#endif
    if (mret != 0)
        goto cleanup;
    ret = take_der(work, mbedtls_x509write_crt_der(&crt, work, DER_MAX, mbedtls_ctr_drbg_random, &drbg), der,
                   der_len);

cleanup:
    mbedtls_ctr_drbg_free(&drbg);
    mbedtls_x509write_crt_free(&crt);
    return ret;
}

/* Makes the vendor CA, the device certificate and key on first use. */
static int factory_make(certslot_hal_sim_t *sim)
{
    static const unsigned char ca_serial[] = {0x01};
    mbedtls_pk_context ca_key, dev_key;
    unsigned char serial_hash[32];
    unsigned char *work = NULL;
    char subject[80];
    int ret;

    if (sim->ca_der != NULL)
        return 0;
    mbedtls_pk_init(&ca_key);
    mbedtls_pk_init(&dev_key);
    work = certslot_calloc(1, DER_MAX);
    if (work == NULL) {
        ret = CERTSLOT_ERR_NOMEM;
        goto cleanup;
    }
    if (derive_key(&ca_key, "certslot Simulated Vendor Root CA key", NULL) != 0 ||
        derive_key(&dev_key, "certslot-sim-device-key:", sim->mac) != 0) {
        ret = CERTSLOT_ERR_CRYPTO;
        goto cleanup;
    }
    ret = make_cert(&ca_key, &ca_key, VENDOR_CA_NAME, ca_serial, sizeof(ca_serial), 1, sim->mac, work,
                    &sim->ca_der, &sim->ca_len);
    if (ret != 0)
        goto cleanup;
    /* Serial: 16 bytes from the MAC, positive and without a leading zero. */
    sha256_3("certslot-sim-serial", 19, sim->mac, 12, NULL, 0, serial_hash);
    serial_hash[0] = (unsigned char)((serial_hash[0] & 0x7f) | 0x40);
    snprintf(subject, sizeof(subject), "O=" VENDOR_O ",CN=%s", sim->mac);
    ret = make_cert(&dev_key, &ca_key, subject, serial_hash, 16, 0, sim->mac, work, &sim->cert_der,
                    &sim->cert_len);
    if (ret != 0)
        goto cleanup;
    ret = take_der(work, mbedtls_pk_write_key_der(&dev_key, work, DER_MAX), &sim->key_der, &sim->key_len);

cleanup:
    if (ret != 0) {
        certslot_free(sim->ca_der);
        certslot_free(sim->cert_der);
        sim->ca_der = sim->cert_der = NULL;
        sim->ca_len = sim->cert_len = 0;
    }
    if (work != NULL) {
        certslot_zeroize(work, DER_MAX);
        certslot_free(work);
    }
    mbedtls_pk_free(&ca_key);
    mbedtls_pk_free(&dev_key);
    return ret;
}

int certslot_hal_sim_vendor_ca(certslot_hal_sim_t *sim, const unsigned char **der, size_t *len)
{
    if (sim == NULL || der == NULL || len == NULL)
        return CERTSLOT_ERR_ARG;
    int ret = factory_make(sim);
    if (ret != 0)
        return ret;
    *der = sim->ca_der;
    *len = sim->ca_len;
    return 0;
}

static unsigned char *dup_bytes(const unsigned char *p, size_t n)
{
    unsigned char *d = certslot_calloc(1, n);
    if (d != NULL)
        memcpy(d, p, n);
    return d;
}

/* The simulated factory's files: the certificate with its chain (DER, one after another) and the key (DER). */
static int sim_factory_device(void *ctx, unsigned char **cert, size_t *cert_len, unsigned char **key, size_t *key_len)
{
    certslot_hal_sim_t *sim = ctx;
    int ret;

    if (sim->no_factory_device)
        return CERTSLOT_ERR_NOT_FOUND;
    if (sim->factory_fails)
        return CERTSLOT_ERR_IO;
    ret = factory_make(sim);
    if (ret != 0)
        return ret;
    *cert = certslot_calloc(1, sim->cert_len + sim->ca_len);
    *key = dup_bytes(sim->key_der, sim->key_len);
    if (*cert == NULL || *key == NULL) {
        certslot_free(*cert);
        if (*key != NULL)
            certslot_zeroize(*key, sim->key_len);
        certslot_free(*key);
        *cert = *key = NULL;
        return CERTSLOT_ERR_NOMEM;
    }
    memcpy(*cert, sim->cert_der, sim->cert_len);
    memcpy(*cert + sim->cert_len, sim->ca_der, sim->ca_len);
    *cert_len = sim->cert_len + sim->ca_len;
    *key_len = sim->key_len;
    return 0;
}

/* ---- files for other programs (in memory; the sim's own allocations, not the module's) ---- */

struct certslot_sim_export {
    char *path;
    unsigned char *data;
    size_t len;
    unsigned mode;
    struct certslot_sim_export *next;
};

static void export_free(struct certslot_sim_export *e)
{
    if (e == NULL)
        return;
    certslot_zeroize(e->data, e->len); /* a private key, maybe */
    free(e->data);
    free(e->path);
    free(e);
}

static struct certslot_sim_export **export_find(certslot_hal_sim_t *sim, const char *path)
{
    struct certslot_sim_export **e = &sim->exports;
    while (*e != NULL && strcmp((*e)->path, path) != 0)
        e = &(*e)->next;
    return e;
}

/* All or nothing: every new file is made before anything changes. */
static int sim_files_write(void *ctx, const char *dir, const certslot_file_t *files, size_t n, char *why,
                           size_t why_size)
{
    certslot_hal_sim_t *sim = ctx;
    struct certslot_sim_export *made[16] = {0};
    int ret = 0;

    if (n > sizeof(made) / sizeof(made[0]))
        return CERTSLOT_ERR_ARG;
    for (size_t i = 0; i < n && ret == 0; i++) {
        size_t plen = strlen(dir) + strlen(files[i].name) + 2;
        made[i] = calloc(1, sizeof(*made[i]));
        if (made[i] == NULL || (made[i]->path = calloc(1, plen)) == NULL) {
            ret = CERTSLOT_ERR_NOMEM;
            break;
        }
        snprintf(made[i]->path, plen, "%s/%s", dir, files[i].name);
        if (files[i].data != NULL) {
            made[i]->data = calloc(1, files[i].len + 1);
            if (made[i]->data == NULL)
                ret = CERTSLOT_ERR_NOMEM;
            else
                memcpy(made[i]->data, files[i].data, files[i].len);
            made[i]->len = files[i].len;
            made[i]->mode = files[i].mode;
        }
    }
    for (size_t i = 0; i < n; i++) {
        if (ret != 0 || made[i] == NULL) {
            export_free(made[i]);
            continue;
        }
        struct certslot_sim_export **e = export_find(sim, made[i]->path), *old = *e;
        if (old != NULL) {
            *e = old->next;
            export_free(old);
        }
        if (made[i]->data != NULL) {
            made[i]->next = sim->exports;
            sim->exports = made[i];
        } else {
            export_free(made[i]);
        }
    }
    if (ret != 0)
        snprintf(why, why_size, "cannot write %s: %s", dir, certslot_strerror(ret));
    return ret;
}

int certslot_hal_sim_exported(const certslot_hal_sim_t *sim, const char *path, const unsigned char **data,
                              size_t *len, unsigned *mode)
{
    for (const struct certslot_sim_export *e = sim->exports; e != NULL; e = e->next) {
        if (strcmp(e->path, path) == 0) {
            *data = e->data;
            *len = e->len;
            *mode = e->mode;
            return 0;
        }
    }
    return CERTSLOT_ERR_NOT_FOUND;
}

/* ---- init / free ---- */

static int parse_mac(const char *text, char mac[13])
{
    static const char hex[] = "0123456789abcdef";
    size_t len = strlen(text), n = 0;
    int sep = len == 17 ? text[2] : 0;

    if (len != 12 && !(len == 17 && (sep == ':' || sep == '-')))
        return CERTSLOT_ERR_ARG;
    for (size_t i = 0; i < len; i++) {
        char c = text[i];
        if (sep != 0 && i % 3 == 2) {
            if (c != sep)
                return CERTSLOT_ERR_ARG;
            continue;
        }
        const char *p = c != '\0' ? strchr("0123456789abcdefABCDEF", c) : NULL;
        if (p == NULL)
            return CERTSLOT_ERR_ARG;
        int v = (int)(p - "0123456789abcdefABCDEF");
        mac[n++] = hex[v < 16 ? v : v - 6];
    }
    mac[12] = '\0';
    return 0;
}

int certslot_hal_sim_set_mac(certslot_hal_sim_t *sim, const char *mac)
{
    char m[13];

    if (parse_mac(mac, m) != 0)
        return CERTSLOT_ERR_ARG;
    memcpy(sim->mac, m, sizeof(m));
    return 0;
}

void certslot_hal_sim_init(certslot_hal_sim_t *sim, certslot_hal_t *hal)
{
    memset(sim, 0, sizeof(*sim));
    (void)parse_mac(CERTSLOT_HAL_SIM_DEFAULT_MAC, sim->mac);
    sim->now = CERTSLOT_HAL_SIM_DEFAULT_NOW;
    sim->clock_synced = 1;

    memset(hal, 0, sizeof(*hal));
    hal->ctx = sim;
    hal->storage_read = sim_read;
    hal->storage_write = sim_write;
    hal->storage_sync = sim_sync;
    hal->storage_rename = sim_rename;
    hal->storage_sync_dir = sim_sync_dir;
    hal->storage_remove = sim_remove;
    hal->random = sim_random;
    hal->time = sim_time;
    hal->mac = sim_mac;
    hal->device_secret = sim_device_secret;
    hal->factory_device = sim_factory_device;
    hal->files_write = sim_files_write;
    hal->log = sim_log;
}

void certslot_hal_sim_free(certslot_hal_sim_t *sim)
{
    if (sim == NULL)
        return;
    while (sim->inodes != NULL) {
        inode_t *next = sim->inodes->next;
        inode_free(sim->inodes);
        sim->inodes = next;
    }
    certslot_free(sim->vdir);
    certslot_free(sim->ddir);
    while (sim->exports != NULL) {
        struct certslot_sim_export *next = sim->exports->next;
        export_free(sim->exports);
        sim->exports = next;
    }
    if (sim->key_der != NULL)
        certslot_zeroize(sim->key_der, sim->key_len);
    certslot_free(sim->key_der);
    certslot_free(sim->cert_der);
    certslot_free(sim->ca_der);
    certslot_zeroize(sim, sizeof(*sim));
}
