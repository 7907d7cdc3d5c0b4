/*
 * The store: open, listing and one update, against the least work each
 * must do, on a hal/sim store filled with N CA certificates (8 per slot in
 * the first seven slots, so N <= 56; taken in order from the PEM bundle of
 * CERTSLOT_BUILTIN_BUNDLE, after its first, which is the update's).
 *
 *   bench_store open|list|update ours|base N
 *
 * open    ours: certslot_store_open on a store written twice (store and
 *         store.bak both there). base: reading 'store' and decrypting it once
 *         (cs_store_unseal): the copy open uses, and nothing else.
 * list    ours: for every certificate of the open store, what a listing shows
 *         (certslot_cert_parse_der + certslot_cert_info), from memory.
 *         base: mbedtls_x509_crt_parse_der + the SHA-256 fingerprint.
 * update  ours: certslot_store_install of one more certificate into the
 *         last slot (the whole store is re-encrypted and written, as every
 *         update is). base: one AES-256-GCM encryption of as many bytes as
 *         the store file has afterwards: a whole-file AEAD at the least.
 */
#include "bench.h"

#include <mbedtls/gcm.h>
#include <mbedtls/sha256.h>
#include <mbedtls/x509_crt.h>

#include "certslot/cert.h"
#include "certslot/hal_sim.h"
#include "certslot/platform.h"
#include "certslot/store.h"
#include "store/store_internal.h"

__attribute__((noinline)) int bench_measure(int ours);

static certslot_hal_sim_t sim;
static certslot_hal_t hal;
static certslot_store_t store, opened;
static const char *mode;
static char *update_text; /* the update's certificate (PEM) */
static size_t update_len, store_bytes;

/* The PEM blocks of the bundle, one after another. */
static char *bundle;
static const char *next_pem;

static const char *take_pem(size_t *len)
{
    const char *b = strstr(next_pem, "-----BEGIN CERTIFICATE-----");
    const char *e = b != NULL ? strstr(b, "-----END CERTIFICATE-----") : NULL;
    if (e == NULL)
        bench_die("the bundle has too few certificates");
    e += strlen("-----END CERTIFICATE-----");
    next_pem = e;
    *len = (size_t)(e - b);
    return b;
}

/* The next n certificates of the bundle as one PEM text (a new buffer, *used bytes). */
static char *take_pems(unsigned n, size_t *used)
{
    char *text = malloc(64 * 1024);
    if (text == NULL)
        bench_die("out of memory");
    *used = 0;
    for (unsigned k = 0; k < n; k++) {
        size_t len;
        const char *pem = take_pem(&len);
        if (*used + len + 2 > 64 * 1024)
            bench_die("slot text too large");
        memcpy(text + *used, pem, len);
        *used += len;
        text[(*used)++] = '\n';
    }
    return text;
}

/* Fills the first seven CA slots with n certificates, 8 a slot; each slot is one update (so store.bak exists). */
static void fill(unsigned n)
{
    if (n > (CERTSLOT_SLOT_COUNT - 1) * CERTSLOT_STORE_MAX_CERTS)
        bench_die("N: at most 56 (the last slot takes the update)");
    for (unsigned s = 0; n > 0; s++) {
        unsigned k = n < CERTSLOT_STORE_MAX_CERTS ? n : CERTSLOT_STORE_MAX_CERTS;
        size_t used;
        char *text = take_pems(k, &used);
        certslot_result_t res;
        if (certslot_store_install(&store, (certslot_slot_t)s, CERTSLOT_KIND_CA, (unsigned char *)text, used, NULL,
                                   0, 1, &res) != 0)
            bench_die(res.msg);
        free(text);
        n -= k;
    }
}

static int update(void)
{
    certslot_result_t res;
    return certslot_store_install(&store, (certslot_slot_t)(CERTSLOT_SLOT_COUNT - 1), CERTSLOT_KIND_CA,
                                  (unsigned char *)update_text, update_len, NULL, 0, 1, &res);
}

static unsigned certs_of(const certslot_store_t *st)
{
    unsigned n = 0;
    for (unsigned s = 0; s < CERTSLOT_SLOT_COUNT; s++)
        n += st->part[s][CERTSLOT_KIND_CA].ncerts;
    return n;
}

static int measure_open(int ours)
{
    if (ours)
        return certslot_store_open(&opened, &hal);
    unsigned char *file = NULL;
    size_t len = 0;
    cs_parts_t parts;
    certslot_settings_t settings;
    uint64_t gen;
    const char *why;
    memset(parts, 0, sizeof(parts));
    int ret = hal.storage_read(hal.ctx, "store", &file, &len);
    if (ret == 0)
        ret = cs_store_unseal(&hal, file, len, parts, &settings, &gen, &why);
    cs_parts_free(parts);
    certslot_settings_free(&settings);
    certslot_free(file);
    return ret;
}

static int measure_list(int ours)
{
    for (unsigned s = 0; s < CERTSLOT_SLOT_COUNT; s++) {
        const certslot_part_t *p = &store.part[s][CERTSLOT_KIND_CA];
        for (unsigned i = 0; i < p->ncerts; i++) {
            mbedtls_x509_crt crt;
            mbedtls_x509_crt_init(&crt);
            int ret;
            if (ours) {
                certslot_cert_info_t info;
                ret = certslot_cert_parse_der(&crt, p->certs[i].der, p->certs[i].len);
                if (ret == 0)
                    ret = certslot_cert_info(&crt, &info);
            } else {
                unsigned char fp[32];
                ret = mbedtls_x509_crt_parse_der(&crt, p->certs[i].der, p->certs[i].len);
                if (ret == 0)
                    ret = mbedtls_sha256(crt.raw.p, crt.raw.len, fp, 0);
            }
            mbedtls_x509_crt_free(&crt);
            if (ret != 0)
                return ret;
        }
    }
    return 0;
}

static int measure_update(int ours)
{
    if (ours)
        return update();
    static const unsigned char key[32], iv[12];
    unsigned char tag[16];
    unsigned char *in = calloc(1, store_bytes), *out = calloc(1, store_bytes);
    mbedtls_gcm_context gcm;
    mbedtls_gcm_init(&gcm);
    int ret = in != NULL && out != NULL ? mbedtls_gcm_setkey(&gcm, MBEDTLS_CIPHER_ID_AES, key, 256) : -1;
    if (ret == 0)
        ret = mbedtls_gcm_crypt_and_tag(&gcm, MBEDTLS_GCM_ENCRYPT, store_bytes, iv, sizeof(iv), NULL, 0, in, out,
                                        sizeof(tag), tag);
    mbedtls_gcm_free(&gcm);
    free(in);
    free(out);
    return ret;
}

int bench_measure(int ours)
{
    if (strcmp(mode, "open") == 0)
        return measure_open(ours);
    if (strcmp(mode, "list") == 0)
        return measure_list(ours);
    return measure_update(ours);
}

int main(int argc, char **argv)
{
    if (argc != 4 || (strcmp(argv[1], "open") != 0 && strcmp(argv[1], "list") != 0 &&
                      strcmp(argv[1], "update") != 0))
        bench_die("usage: bench_store open|list|update ours|base N");
    mode = argv[1];
    int ours = strcmp(argv[2], "ours") == 0;
    unsigned n = (unsigned)atoi(argv[3]);
    const char *path = getenv("CERTSLOT_BUILTIN_BUNDLE");
    size_t len;

    bundle = bench_read(path != NULL ? path : "/etc/ssl/certs/ca-certificates.crt", &len);
    if (bundle == NULL)
        bench_die("cannot read the CA bundle");
    next_pem = bundle;
    certslot_hal_sim_init(&sim, &hal);
    if (certslot_store_open(&store, &hal) != 0)
        bench_die("hal/sim store");
    update_text = take_pems(1, &update_len); /* the bundle's first: the same for every n */
    fill(n);
    unsigned char *file = NULL;
    int updated = strcmp(mode, "update") == 0 && !ours; /* the baseline encrypts the size the update leaves */
    if (updated && update() != 0)
        bench_die("the update failed");
    if (hal.storage_read(hal.ctx, "store", &file, &store_bytes) != 0)
        store_bytes = 0; /* none yet: n = 0 */
    certslot_free(file);
    bench_heap_start();
    if (bench_measure(ours) != 0)
        bench_die("the measured operation failed");
    if (strcmp(mode, "update") == 0 && ours) {
        if (hal.storage_read(hal.ctx, "store", &file, &store_bytes) != 0)
            bench_die("no store file");
        certslot_free(file);
    }
    printf("certs %u\n", certs_of(&store));
    printf("bytes %zu\n", store_bytes);
    printf("heap_peak %lld\n", bench_heap_peak());
    if (strcmp(mode, "open") == 0 && ours) {
        if (certs_of(&opened) != certs_of(&store))
            bench_die("the reopened store differs");
        certslot_store_free(&opened);
    }
    certslot_store_free(&store);
    certslot_hal_sim_free(&sim);
    free(update_text);
    free(bundle);
    return 0;
}
