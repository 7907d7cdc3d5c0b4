/*
 * The two HALs: the simulated handset's storage keeps exactly the POSIX
 * durability promises of hal.h (and no more), its power cuts and factory
 * certificate are reproducible; the Linux HAL keeps the same contract on
 * real files.
 */

/* 64-bit directory offsets: 32-bit readdir() fails with EOVERFLOW on some
 * host file systems under qemu-arm. */
#ifndef _FILE_OFFSET_BITS
#define _FILE_OFFSET_BITS 64
#endif

#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <unistd.h>

#include <cmocka.h>

#include <mbedtls/oid.h>
#include <mbedtls/pk.h>
#include <mbedtls/sha256.h>
#include <mbedtls/version.h>
#include <mbedtls/x509_crt.h>
#include <psa/crypto.h>

#include "certslot/error.h"
#include "certslot/hal.h"
#include "certslot/hal_linux.h"
#include "certslot/hal_sim.h"
#include "certslot/platform.h"
#include "certslot/store.h"
#include "testutil.h"

static certslot_hal_sim_t sim;
static certslot_hal_t hal;

static int teardown(void **state)
{
    (void)state;
    certslot_hal_sim_free(&sim);
    tu_alloc_uninstall();
    return 0;
}

/* ---- helpers ---- */

static void put(const char *name, const char *text)
{
    assert_int_equal(hal.storage_write(hal.ctx, name, (const unsigned char *)text, strlen(text)), 0);
}

/* Asserts name's current content through storage_read (NULL: absent). */
static void expect(const char *name, const char *text)
{
    unsigned char *data = NULL;
    size_t len = 0;
    int ret = hal.storage_read(hal.ctx, name, &data, &len);
    if (text == NULL) {
        assert_int_equal(ret, CERTSLOT_ERR_NOT_FOUND);
        return;
    }
    assert_int_equal(ret, 0);
    assert_non_null(data);
    assert_int_equal(len, strlen(text));
    assert_memory_equal(data, text, len);
    certslot_free(data);
}

static void sim_up(const char *mac)
{
    certslot_hal_sim_init(&sim, &hal);
    if (mac != NULL)
        assert_int_equal(certslot_hal_sim_set_mac(&sim, mac), 0);
}

static void sha256(const unsigned char *p, size_t n, unsigned char out[32])
{
    assert_int_equal(mbedtls_sha256(p, n, out, 0), 0);
}

static int parse_key(mbedtls_pk_context *pk, const unsigned char *der, size_t len)
{
    return mbedtls_pk_parse_key(pk, der, len, NULL, 0, hal.random, hal.ctx);
}

static int check_pair(const mbedtls_pk_context *pub, const mbedtls_pk_context *prv)
{
    return mbedtls_pk_check_pair(pub, prv, hal.random, hal.ctx);
}

typedef struct {
    unsigned char *cert, *key, *chain;
    size_t cert_len, key_len, chain_len;
} factory_t;

/* What the store stage makes of a hal's factory files (certslot_store_factory): certificate, chain, key, all DER. */
static int factory_of(const certslot_hal_t *h, factory_t *f)
{
    certslot_part_t part;
    char why[200];

    memset(&part, 0, sizeof(part));
    memset(f, 0, sizeof(*f));
    int ret = certslot_store_factory(h, &part, why, sizeof(why));
    if (ret != 0)
        return ret;
    f->cert_len = part.certs[0].len;
    f->cert = certslot_calloc(1, f->cert_len);
    memcpy(f->cert, part.certs[0].der, f->cert_len);
    for (unsigned i = 1; i < part.ncerts; i++)
        f->chain_len += part.certs[i].len;
    f->chain = certslot_calloc(1, f->chain_len + 1);
    for (size_t i = 1, off = 0; i < part.ncerts; off += part.certs[i].len, i++)
        memcpy(f->chain + off, part.certs[i].der, part.certs[i].len);
    f->key_len = part.key.len;
    f->key = certslot_calloc(1, f->key_len);
    memcpy(f->key, part.key.der, f->key_len);
    certslot_part_free(&part);
    return 0;
}

static void factory_get(factory_t *f)
{
    assert_int_equal(factory_of(&hal, f), 0);
}

static void factory_free(factory_t *f)
{
    certslot_zeroize(f->key, f->key_len);
    certslot_free(f->key);
    certslot_free(f->cert);
    certslot_free(f->chain);
    memset(f, 0, sizeof(*f));
}

/* ---- simulated storage: durability ---- */

static void test_sim_written_not_synced_is_lost(void **state)
{
    (void)state;
    sim_up(NULL);

    /* A new name that was never dir-synced is gone. */
    put("new", "data");
    assert_int_equal(hal.storage_sync(hal.ctx, "new"), 0);
    expect("new", "data");
    assert_int_equal(certslot_hal_sim_power_cycle(&sim), 0);
    expect("new", NULL);

    /* A dir-synced name whose data was never synced comes back empty. */
    put("new", "data");
    assert_int_equal(hal.storage_sync_dir(hal.ctx), 0);
    assert_int_equal(certslot_hal_sim_power_cycle(&sim), 0);
    expect("new", "");

    /* Overwriting a durable object without sync: the old content comes back. */
    put("cfg", "old");
    assert_int_equal(hal.storage_sync(hal.ctx, "cfg"), 0);
    assert_int_equal(hal.storage_sync_dir(hal.ctx), 0);
    put("cfg", "new content");
    expect("cfg", "new content");
    assert_int_equal(certslot_hal_sim_power_cycle(&sim), 0);
    expect("cfg", "old");

    /* The harsher model: half of the unsynced content, neither old nor new. */
    sim.torn_unsynced = 1;
    put("cfg", "NEW-CONTENT!");
    assert_int_equal(certslot_hal_sim_power_cycle(&sim), 0);
    expect("cfg", "NEW-CO");
    /* That torn state is now the durable one. */
    assert_int_equal(certslot_hal_sim_power_cycle(&sim), 0);
    expect("cfg", "NEW-CO");
}

static void test_sim_rename_needs_sync_dir(void **state)
{
    (void)state;
    sim_up(NULL);
    put("slot", "v1");
    assert_int_equal(hal.storage_sync(hal.ctx, "slot"), 0);
    assert_int_equal(hal.storage_sync_dir(hal.ctx), 0);

    /* The atomic-update pattern without the final sync_dir. */
    put("slot.tmp", "v2");
    assert_int_equal(hal.storage_sync(hal.ctx, "slot.tmp"), 0);
    assert_int_equal(hal.storage_rename(hal.ctx, "slot.tmp", "slot"), 0);
    expect("slot", "v2");
    expect("slot.tmp", NULL);
    assert_int_equal(certslot_hal_sim_power_cycle(&sim), 0);
    expect("slot", "v1");     /* the old mapping */
    expect("slot.tmp", NULL); /* never dir-synced: the name never existed */

    /* tmp dir-synced, then renamed without sync_dir: both old names are back. */
    put("slot.tmp", "v2");
    assert_int_equal(hal.storage_sync(hal.ctx, "slot.tmp"), 0);
    assert_int_equal(hal.storage_sync_dir(hal.ctx), 0);
    assert_int_equal(hal.storage_rename(hal.ctx, "slot.tmp", "slot"), 0);
    assert_int_equal(certslot_hal_sim_power_cycle(&sim), 0);
    expect("slot", "v1");
    expect("slot.tmp", "v2");

    /* With the sync_dir: the new mapping survives. */
    assert_int_equal(hal.storage_rename(hal.ctx, "slot.tmp", "slot"), 0);
    assert_int_equal(hal.storage_sync_dir(hal.ctx), 0);
    assert_int_equal(certslot_hal_sim_power_cycle(&sim), 0);
    expect("slot", "v2");
    expect("slot.tmp", NULL);
    assert_int_equal(certslot_hal_sim_count(&sim), 1);
}

static void test_sim_fully_synced_survives(void **state)
{
    (void)state;
    sim_up(NULL);
    put("b", "bee");
    put("a", "ay");
    assert_int_equal(hal.storage_sync(hal.ctx, "a"), 0);
    assert_int_equal(hal.storage_sync(hal.ctx, "b"), 0);
    assert_int_equal(hal.storage_sync_dir(hal.ctx), 0);
    assert_int_equal(certslot_hal_sim_power_cycle(&sim), 0);
    expect("a", "ay");
    expect("b", "bee");
    assert_int_equal(certslot_hal_sim_count(&sim), 2);
    assert_string_equal(certslot_hal_sim_name(&sim, 0), "a");
    assert_string_equal(certslot_hal_sim_name(&sim, 1), "b");
    assert_null(certslot_hal_sim_name(&sim, 2));

    /* A remove is durable only after sync_dir. */
    assert_int_equal(hal.storage_remove(hal.ctx, "a"), 0);
    assert_int_equal(hal.storage_remove(hal.ctx, "a"), 0); /* absent: no error */
    expect("a", NULL);
    assert_int_equal(certslot_hal_sim_power_cycle(&sim), 0);
    expect("a", "ay");
    assert_int_equal(hal.storage_remove(hal.ctx, "a"), 0);
    assert_int_equal(hal.storage_sync_dir(hal.ctx), 0);
    assert_int_equal(certslot_hal_sim_power_cycle(&sim), 0);
    expect("a", NULL);
    expect("b", "bee");
}

static void test_sim_errors(void **state)
{
    (void)state;
    sim_up(NULL);
    unsigned char *d = NULL;
    size_t n = 0;
    char long_name[300];
    memset(long_name, 'x', sizeof(long_name) - 1);
    long_name[sizeof(long_name) - 1] = '\0';
    const char *bad[] = {"", "a/b", "/abs", ".hidden", "..", long_name};

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(hal.storage_write(hal.ctx, bad[i], (const unsigned char *)"x", 1), CERTSLOT_ERR_ARG);
        assert_int_equal(hal.storage_read(hal.ctx, bad[i], &d, &n), CERTSLOT_ERR_ARG);
        assert_int_equal(hal.storage_sync(hal.ctx, bad[i]), CERTSLOT_ERR_ARG);
        assert_int_equal(hal.storage_rename(hal.ctx, "ok", bad[i]), CERTSLOT_ERR_ARG);
        assert_int_equal(hal.storage_remove(hal.ctx, bad[i]), CERTSLOT_ERR_ARG);
    }
    assert_int_equal(sim.ops, 0); /* refused calls are not counted */
    assert_int_equal(hal.storage_sync(hal.ctx, "none"), CERTSLOT_ERR_NOT_FOUND);
    assert_int_equal(hal.storage_rename(hal.ctx, "none", "x"), CERTSLOT_ERR_NOT_FOUND);
    assert_int_equal(sim.ops, 2);

    /* Empty objects read back as a non-NULL empty buffer. */
    assert_int_equal(hal.storage_write(hal.ctx, "empty", NULL, 0), 0);
    assert_int_equal(hal.storage_read(hal.ctx, "empty", &d, &n), 0);
    assert_non_null(d);
    assert_int_equal(n, 0);
    certslot_free(d);
    char mac[13];
    assert_int_equal(certslot_hal_sim_set_mac(&sim, "0004f2a1b2c"), CERTSLOT_ERR_ARG);
    assert_int_equal(certslot_hal_sim_set_mac(&sim, "00:04:f2:a1:b2:cg"), CERTSLOT_ERR_ARG);
    assert_int_equal(hal.mac(hal.ctx, mac), 0);
    assert_string_equal(mac, CERTSLOT_HAL_SIM_DEFAULT_MAC); /* unchanged */
}

/* ---- power cuts ---- */

/* A fixed run of mutating calls; returns each result in res. */
#define RUN_OPS 8
static void run_ops(int res[RUN_OPS])
{
    static const unsigned char v[] = "value";
    int i = 0;
    res[i++] = hal.storage_write(hal.ctx, "a.tmp", v, 5);
    res[i++] = hal.storage_sync(hal.ctx, "a.tmp");
    res[i++] = hal.storage_rename(hal.ctx, "a.tmp", "a");
    res[i++] = hal.storage_sync_dir(hal.ctx);
    res[i++] = hal.storage_write(hal.ctx, "b", v, 5);
    res[i++] = hal.storage_remove(hal.ctx, "a");
    res[i++] = hal.storage_sync(hal.ctx, "b");
    res[i++] = hal.storage_sync_dir(hal.ctx);
}

static void test_sim_cut_at_every_op(void **state)
{
    (void)state;
    int res[RUN_OPS];

    sim_up(NULL);
    run_ops(res);
    for (int i = 0; i < RUN_OPS; i++)
        assert_int_equal(res[i], 0);
    assert_int_equal(sim.ops, RUN_OPS);
    certslot_hal_sim_free(&sim);

    for (unsigned long n = 1; n <= RUN_OPS; n++) {
        sim_up(NULL);
        put("keep", "k");
        assert_int_equal(hal.storage_sync(hal.ctx, "keep"), 0);
        assert_int_equal(hal.storage_sync_dir(hal.ctx), 0);
        sim.cut_at = sim.ops + n;
        run_ops(res);
        for (unsigned long i = 0; i < RUN_OPS; i++)
            assert_int_equal(res[i], i + 1 < n ? 0 : CERTSLOT_ERR_POWER);
        assert_true(sim.power_off);
        assert_int_equal(sim.ops, 3 + n); /* nothing counted after the cut */
        /* Reads fail too while the power is off. */
        unsigned char *d = NULL;
        size_t len = 0;
        assert_int_equal(hal.storage_read(hal.ctx, "keep", &d, &len), CERTSLOT_ERR_POWER);

        assert_int_equal(certslot_hal_sim_power_cycle(&sim), 0);
        assert_false(sim.power_off);
        assert_int_equal(sim.ops, 0);
        assert_int_equal(sim.cut_at, 0);
        expect("keep", "k");
        /* "a" is durable only once its rename was dir-synced (op 4) and
         * until its remove is (op 8, never reached here). */
        expect("a", n > 4 ? "value" : NULL);
        expect("b", NULL);
        put("after", "x"); /* the power is back */
        certslot_hal_sim_free(&sim);
    }
}

static void test_sim_torn_write(void **state)
{
    (void)state;
    const unsigned char *d;
    size_t n;

    sim_up(NULL);
    put("f", "0123456789");
    assert_int_equal(hal.storage_sync(hal.ctx, "f"), 0);
    assert_int_equal(hal.storage_sync_dir(hal.ctx), 0);

    sim.cut_at = sim.ops + 1;
    assert_int_equal(hal.storage_write(hal.ctx, "f", (const unsigned char *)"abcdefghij", 10), CERTSLOT_ERR_POWER);
    assert_int_equal(hal.storage_write(hal.ctx, "f", (const unsigned char *)"ABCDEFGHIJ", 10), CERTSLOT_ERR_POWER);
    assert_int_equal(certslot_hal_sim_file(&sim, "f", &d, &n), 0);
    assert_int_equal(n, 5);
    assert_memory_equal(d, "abcde", 5); /* only the cut write reached it, half of it */
    assert_int_equal(certslot_hal_sim_power_cycle(&sim), 0);
    expect("f", "0123456789"); /* never synced: lost */

    /* Under the harsher model the torn half of the torn write remains. */
    sim.torn_unsynced = 1;
    sim.cut_at = 1;
    assert_int_equal(hal.storage_write(hal.ctx, "f", (const unsigned char *)"abcdefghij", 10), CERTSLOT_ERR_POWER);
    assert_int_equal(certslot_hal_sim_power_cycle(&sim), 0);
    expect("f", "ab");

    /* A torn write of a new name, then a cycle: the name was never durable. */
    sim.cut_at = 1;
    assert_int_equal(hal.storage_write(hal.ctx, "g", (const unsigned char *)"1234", 4), CERTSLOT_ERR_POWER);
    assert_int_equal(certslot_hal_sim_file(&sim, "g", &d, &n), 0);
    assert_int_equal(n, 2);
    assert_int_equal(certslot_hal_sim_power_cycle(&sim), 0);
    expect("g", NULL);
}

static void test_sim_corrupt_truncate_peek(void **state)
{
    (void)state;
    const unsigned char *d;
    size_t n;

    sim_up(NULL);
    put("f", "hello");
    assert_int_equal(hal.storage_sync(hal.ctx, "f"), 0); /* volatile and durable share */
    assert_int_equal(hal.storage_sync_dir(hal.ctx), 0);
    unsigned long ops = sim.ops;
    assert_int_equal(certslot_hal_sim_corrupt(&sim, "f", 0, 0x20), 0);
    expect("f", "Hello");
    assert_int_equal(certslot_hal_sim_power_cycle(&sim), 0);
    expect("f", "Hello"); /* flipped once, and durably */
    assert_int_equal(certslot_hal_sim_corrupt(&sim, "f", 5, 1), CERTSLOT_ERR_ARG);
    assert_int_equal(certslot_hal_sim_corrupt(&sim, "nope", 0, 1), CERTSLOT_ERR_NOT_FOUND);
    assert_int_equal(certslot_hal_sim_truncate(&sim, "f", 2), 0);
    assert_int_equal(certslot_hal_sim_file(&sim, "f", &d, &n), 0);
    assert_int_equal(n, 2);
    assert_memory_equal(d, "He", 2);
    assert_int_equal(certslot_hal_sim_power_cycle(&sim), 0);
    expect("f", "He");
    assert_int_equal(sim.ops, 0);
    (void)ops;
    assert_int_equal(certslot_hal_sim_file(&sim, "nope", &d, &n), CERTSLOT_ERR_NOT_FOUND);
}

/* Every allocation failure: the call fails with NOMEM and changes nothing. */
static void sim_ten_files(void)
{
    sim_up(NULL);
    for (int i = 0; i < 10; i++) {
        char name[16];
        snprintf(name, sizeof(name), "f%d", i);
        put(name, "v");
    }
    assert_int_equal(hal.storage_sync_dir(hal.ctx), 0);
}

static void test_sim_allocation_failures(void **state)
{
    (void)state;
    tu_alloc_install(0);
    sim_ten_files();
    size_t base = tu_alloc_calls();
    certslot_hal_sim_free(&sim);
    assert_int_equal(tu_alloc_outstanding(), 0);

    for (size_t fail = base + 1;; fail++) {
        tu_alloc_install(fail);
        sim_ten_files();
        int r1 = hal.storage_write(hal.ctx, "new", (const unsigned char *)"x", 1);
        int r2 = hal.storage_sync_dir(hal.ctx);
        int r3 = hal.storage_rename(hal.ctx, "f1", "g1");
        int r4 = certslot_hal_sim_power_cycle(&sim);
        assert_true(r1 == 0 || r1 == CERTSLOT_ERR_NOMEM);
        assert_true(r2 == 0 || r2 == CERTSLOT_ERR_NOMEM);
        assert_int_equal(r3, 0);
        assert_true(r4 == 0 || r4 == CERTSLOT_ERR_NOMEM);
        if (r1 != 0) /* nothing was created */
            assert_int_equal(certslot_hal_sim_file(&sim, "new", &(const unsigned char *){NULL}, &(size_t){0}),
                             CERTSLOT_ERR_NOT_FOUND);
        certslot_hal_sim_free(&sim);
        assert_int_equal(tu_alloc_outstanding(), 0);
        if (!tu_alloc_failed())
            break;
    }
    tu_alloc_uninstall();
}

/* ---- simulated entropy, clock, identity, log ---- */

static void test_sim_random_clock_identity(void **state)
{
    (void)state;
    unsigned char a[100], b[100], c[100];
    certslot_hal_sim_t other;
    certslot_hal_t ohal;

    sim_up("00:04:F2:A1:B2:C3");
    certslot_hal_sim_init(&other, &ohal);
    assert_int_equal(certslot_hal_sim_set_mac(&other, "0004f2a1b2c3"), 0);
    assert_int_equal(hal.random(hal.ctx, a, sizeof(a)), 0);
    assert_int_equal(ohal.random(ohal.ctx, b, sizeof(b)), 0);
    assert_memory_equal(a, b, sizeof(a)); /* same seed, same stream */
    assert_int_equal(hal.random(hal.ctx, c, sizeof(c)), 0);
    assert_memory_not_equal(a, c, sizeof(a)); /* the stream moves on */
    other.seed = 7;
    other.rnd_block = 0;
    assert_int_equal(ohal.random(ohal.ctx, b, sizeof(b)), 0);
    assert_memory_not_equal(a, b, sizeof(a));

    int64_t now = 0;
    assert_int_equal(hal.time(hal.ctx, &now), 0);
    assert_int_equal(now, CERTSLOT_HAL_SIM_DEFAULT_NOW);
    sim.now = 42;
    sim.clock_synced = 0;
    assert_int_equal(hal.time(hal.ctx, &now), CERTSLOT_ERR_CLOCK);
    sim.clock_synced = 1;
    assert_int_equal(hal.time(hal.ctx, &now), 0);
    assert_int_equal(now, 42);

    char mac[13];
    assert_int_equal(hal.mac(hal.ctx, mac), 0);
    assert_string_equal(mac, "0004f2a1b2c3");

    unsigned char s1[CERTSLOT_DEVICE_SECRET_LEN], s2[CERTSLOT_DEVICE_SECRET_LEN], want[32];
    assert_int_equal(hal.device_secret(hal.ctx, s1), 0);
    sha256((const unsigned char *)"certslot-sim-secret0004f2a1b2c3", 31, want);
    assert_memory_equal(s1, want, 32);
    certslot_hal_sim_free(&other);
    certslot_hal_sim_init(&other, &ohal);
    assert_int_equal(certslot_hal_sim_set_mac(&other, "0004f2a1b2c4"), 0);
    assert_int_equal(ohal.device_secret(ohal.ctx, s2), 0);
    assert_memory_not_equal(s1, s2, sizeof(s1));
    certslot_hal_sim_free(&other);
    certslot_hal_sim_free(&other); /* twice is fine */
}

static void test_sim_log(void **state)
{
    (void)state;
    sim_up(NULL);
    hal.log(hal.ctx, CERTSLOT_LOG_WARNING, "slot 1 is empty");
    assert_true(certslot_hal_sim_log_contains(&sim, "warning: slot 1 is empty"));
    assert_false(certslot_hal_sim_log_contains(&sim, "error"));
    for (int i = 0; i < CERTSLOT_HAL_SIM_LOG_LINES; i++) {
        char msg[32];
        snprintf(msg, sizeof(msg), "line %d.", i);
        hal.log(hal.ctx, CERTSLOT_LOG_INFO, msg);
    }
    assert_false(certslot_hal_sim_log_contains(&sim, "slot 1 is empty")); /* pushed out */
    assert_true(certslot_hal_sim_log_contains(&sim, "info: line 0."));
    assert_true(certslot_hal_sim_log_contains(&sim, "line 63."));
    certslot_hal_sim_log_clear(&sim);
    assert_false(certslot_hal_sim_log_contains(&sim, "line"));
}

/* ---- simulated factory certificate ---- */

static void test_sim_factory_deterministic(void **state)
{
    (void)state;
    factory_t f1, f2, f3;
    certslot_hal_sim_t s2;
    certslot_hal_t h2;

    /* PSA's state, made once for the process (its generator blinds key operations), is not the factory's. */
    assert_int_equal(psa_crypto_init(), PSA_SUCCESS);
    tu_alloc_install(0);
    sim_up("0004f2a1b2c3");
    factory_get(&f1);
    /* A second, independent simulated handset with the same MAC. */
    certslot_hal_sim_init(&s2, &h2);
    assert_int_equal(certslot_hal_sim_set_mac(&s2, "00-04-f2-a1-b2-c3"), 0);
    memset(&f2, 0, sizeof(f2));
    assert_int_equal(factory_of(&h2, &f2),
                     0);
    assert_int_equal(f1.cert_len, f2.cert_len);
    assert_memory_equal(f1.cert, f2.cert, f1.cert_len);
    assert_int_equal(f1.key_len, f2.key_len);
    assert_memory_equal(f1.key, f2.key, f1.key_len);
    assert_int_equal(f1.chain_len, f2.chain_len);
    assert_memory_equal(f1.chain, f2.chain, f1.chain_len);
    certslot_hal_sim_free(&s2);
    factory_free(&f2);

    /* Another MAC: another certificate and key, the same vendor CA. */
    certslot_hal_sim_init(&s2, &h2);
    assert_int_equal(certslot_hal_sim_set_mac(&s2, "0004f2a1b2c4"), 0);
    assert_int_equal(factory_of(&h2, &f3),
                     0);
    assert_false(f1.cert_len == f3.cert_len && memcmp(f1.cert, f3.cert, f1.cert_len) == 0);
    assert_false(f1.key_len == f3.key_len && memcmp(f1.key, f3.key, f1.key_len) == 0);
    assert_int_equal(f1.chain_len, f3.chain_len);
    assert_memory_equal(f1.chain, f3.chain, f1.chain_len);
    certslot_hal_sim_free(&s2);
    factory_free(&f3);

    /* Across runs and machines (host, ARM): the same bytes as when this test
     * was written. Other mbedTLS versions may encode differently. */

    sim.no_factory_device = 1;
    memset(&f2, 0, sizeof(f2));
    assert_int_equal(factory_of(&hal, &f2),
                     CERTSLOT_ERR_NOT_FOUND);
    factory_free(&f1);
    certslot_hal_sim_free(&sim);
    assert_int_equal(tu_alloc_outstanding(), 0);
}

static void test_sim_factory_verifies(void **state)
{
    (void)state;
    factory_t f;
    const unsigned char *ca_der;
    size_t ca_len;
    mbedtls_x509_crt ca, crt;
    mbedtls_pk_context key;
    uint32_t flags = 0;

    sim_up("0004f2a1b2c3");
    factory_get(&f);
    assert_int_equal(certslot_hal_sim_vendor_ca(&sim, &ca_der, &ca_len), 0);
    assert_int_equal(f.chain_len, ca_len);
    assert_memory_equal(f.chain, ca_der, ca_len);

    mbedtls_x509_crt_init(&ca);
    mbedtls_x509_crt_init(&crt);
    mbedtls_pk_init(&key);
    assert_int_equal(mbedtls_x509_crt_parse_der(&ca, ca_der, ca_len), 0);
    assert_int_equal(mbedtls_x509_crt_parse_der(&crt, f.cert, f.cert_len), 0);
    assert_int_equal(mbedtls_x509_crt_verify(&crt, &ca, NULL, NULL, &flags, NULL, NULL), 0);
    assert_int_equal(flags, 0);
    /* The CA is a CA, the device certificate a TLS client. */
    assert_int_equal(mbedtls_x509_crt_verify(&ca, &ca, NULL, NULL, &flags, NULL, NULL), 0);
    assert_int_equal(mbedtls_x509_crt_check_key_usage(&ca, MBEDTLS_X509_KU_KEY_CERT_SIGN), 0);
    assert_int_equal(mbedtls_x509_crt_check_key_usage(&crt, MBEDTLS_X509_KU_DIGITAL_SIGNATURE), 0);
    assert_int_equal(mbedtls_x509_crt_check_extended_key_usage(&crt, MBEDTLS_OID_CLIENT_AUTH,
                                                               MBEDTLS_OID_SIZE(MBEDTLS_OID_CLIENT_AUTH)),
                     0);
    assert_int_not_equal(mbedtls_x509_crt_check_extended_key_usage(&crt, MBEDTLS_OID_SERVER_AUTH,
                                                                   MBEDTLS_OID_SIZE(MBEDTLS_OID_SERVER_AUTH)),
                         0);
    char dn[256];
    assert_true(mbedtls_x509_dn_gets(dn, sizeof(dn), &crt.subject) > 0);
    assert_non_null(strstr(dn, "CN=0004f2a1b2c3"));
    assert_non_null(strstr(dn, "O=certslot Simulated Vendor"));
    assert_true(mbedtls_x509_dn_gets(dn, sizeof(dn), &crt.issuer) > 0);
    assert_non_null(strstr(dn, "CN=certslot Simulated Vendor Root CA"));
    assert_true(mbedtls_pk_can_do(&crt.pk, MBEDTLS_PK_ECKEY));

    assert_int_equal(parse_key(&key, f.key, f.key_len), 0);
    assert_int_equal(check_pair(&crt.pk, &key), 0);
    /* The CA's key is not the device's. */
    assert_int_not_equal(check_pair(&ca.pk, &key), 0);

    mbedtls_pk_free(&key);
    mbedtls_x509_crt_free(&crt);
    mbedtls_x509_crt_free(&ca);
    factory_free(&f);
}

/* ---- Linux ---- */

typedef struct {
    char base[64];
    char dir[128];
    char secret[160];
    certslot_hal_linux_t h;
} linux_fixture_t;

static void quiet_log(void *ctx, certslot_log_level_t level, const char *msg)
{
    (void)ctx;
    (void)level;
    (void)msg;
}

static void linux_up(linux_fixture_t *fx, certslot_hal_linux_options_t *opt)
{
    if (opt->log == NULL && opt->log_file == NULL)
        opt->log = quiet_log;
    snprintf(fx->base, sizeof(fx->base), "%s", tu_tmpdir());
    snprintf(fx->dir, sizeof(fx->dir), "%s/store", fx->base);
    snprintf(fx->secret, sizeof(fx->secret), "%s/device_secret", fx->base); /* apart from the store */
    opt->storage_dir = fx->dir;
    if (opt->secret_path == NULL)
        opt->secret_path = fx->secret;
    opt->create = 1;
    if (opt->mac == NULL && opt->iface == NULL)
        opt->mac = "00:04:F2:A1:B2:C3";
    assert_int_equal(certslot_hal_linux_open(&fx->h, &hal, opt), 0);
}

static void linux_down(linux_fixture_t *fx)
{
    certslot_hal_linux_free(&fx->h);
    certslot_hal_linux_free(&fx->h); /* twice is fine */
    tu_rmtree(fx->base);
}

static mode_t mode_of(const char *dir, const char *name)
{
    char path[600];
    struct stat st;
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    assert_int_equal(stat(path, &st), 0);
    return st.st_mode & 07777;
}

static void test_linux_storage_round_trip(void **state)
{
    (void)state;
    linux_fixture_t fx;
    certslot_hal_linux_options_t opt = {0};

    linux_up(&fx, &opt);
    assert_int_equal(mode_of(fx.base, "store"), 0700);
    put("slot.tmp", "certificate");
    assert_int_equal(mode_of(fx.dir, "slot.tmp"), 0600);
    assert_int_equal(hal.storage_sync(hal.ctx, "slot.tmp"), 0);
    assert_int_equal(hal.storage_rename(hal.ctx, "slot.tmp", "slot"), 0);
    assert_int_equal(hal.storage_sync_dir(hal.ctx), 0);
    expect("slot", "certificate");
    expect("slot.tmp", NULL);
    put("slot", "short"); /* truncates */
    expect("slot", "short");
    assert_int_equal(hal.storage_write(hal.ctx, "empty", NULL, 0), 0);
    expect("empty", "");
    assert_int_equal(hal.storage_remove(hal.ctx, "slot"), 0);
    assert_int_equal(hal.storage_remove(hal.ctx, "slot"), 0);
    expect("slot", NULL);
    assert_int_equal(hal.storage_sync(hal.ctx, "slot"), CERTSLOT_ERR_NOT_FOUND);
    assert_int_equal(hal.storage_rename(hal.ctx, "slot", "x"), CERTSLOT_ERR_NOT_FOUND);

    /* A large object, written in one call. */
    size_t big = 3u * 1024u * 1024u + 17;
    unsigned char *buf = malloc(big);
    assert_non_null(buf);
    for (size_t i = 0; i < big; i++)
        buf[i] = (unsigned char)(i * 7);
    assert_int_equal(hal.storage_write(hal.ctx, "big", buf, big), 0);
    unsigned char *d = NULL;
    size_t n = 0;
    assert_int_equal(hal.storage_read(hal.ctx, "big", &d, &n), 0);
    assert_int_equal(n, big);
    assert_memory_equal(d, buf, big);
    certslot_free(d);
    free(buf);

    /* Over the limit: refused before reading (a sparse file). */
    char path[256];
    snprintf(path, sizeof(path), "%s/huge", fx.dir);
    int fd = open(path, O_WRONLY | O_CREAT, 0600);
    assert_true(fd >= 0);
    assert_int_equal(ftruncate(fd, (off_t)CERTSLOT_HAL_LINUX_MAX_OBJECT + 1), 0);
    close(fd);
    assert_int_equal(hal.storage_read(hal.ctx, "huge", &d, &n), CERTSLOT_ERR_LIMIT);

    /* A symbolic link is not followed. */
    snprintf(path, sizeof(path), "%s/link", fx.dir);
    assert_int_equal(symlink("/etc/passwd", path), 0);
    assert_int_not_equal(hal.storage_read(hal.ctx, "link", &d, &n), 0);
    linux_down(&fx);
}

static void test_linux_names_refused(void **state)
{
    (void)state;
    linux_fixture_t fx;
    certslot_hal_linux_options_t opt = {0};
    unsigned char *d = NULL;
    size_t n = 0;
    const char *bad[] = {"", "a/b", "../escape", "/etc/passwd", ".device_secret", ".", ".."};

    linux_up(&fx, &opt);
    put("ok", "x");
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(hal.storage_write(hal.ctx, bad[i], (const unsigned char *)"x", 1), CERTSLOT_ERR_ARG);
        assert_int_equal(hal.storage_read(hal.ctx, bad[i], &d, &n), CERTSLOT_ERR_ARG);
        assert_int_equal(hal.storage_sync(hal.ctx, bad[i]), CERTSLOT_ERR_ARG);
        assert_int_equal(hal.storage_rename(hal.ctx, "ok", bad[i]), CERTSLOT_ERR_ARG);
        assert_int_equal(hal.storage_rename(hal.ctx, bad[i], "ok"), CERTSLOT_ERR_ARG);
        assert_int_equal(hal.storage_remove(hal.ctx, bad[i]), CERTSLOT_ERR_ARG);
    }
    expect("ok", "x");
    char path[256];
    snprintf(path, sizeof(path), "%s/a", fx.base);
    assert_int_equal(access(path, F_OK), -1); /* nothing escaped the directory */
    linux_down(&fx);
}

static void test_linux_device_secret(void **state)
{
    (void)state;
    linux_fixture_t fx;
    certslot_hal_linux_options_t opt = {0};
    unsigned char s1[CERTSLOT_DEVICE_SECRET_LEN], s2[CERTSLOT_DEVICE_SECRET_LEN];
    size_t len = 0;

    linux_up(&fx, &opt);
    assert_int_equal(mode_of(fx.base, "device_secret"), 0600);
    char *file = tu_read(fx.secret, &len);
    assert_int_equal(len, CERTSLOT_DEVICE_SECRET_LEN);
    assert_int_equal(hal.device_secret(hal.ctx, s1), 0);
    assert_memory_equal(s1, file, len);
    free(file);

    /* Stable across a second init; no temporary file is left behind. */
    certslot_hal_linux_free(&fx.h);
    assert_int_equal(certslot_hal_linux_open(&fx.h, &hal, &opt), 0);
    assert_int_equal(hal.device_secret(hal.ctx, s2), 0);
    assert_memory_equal(s1, s2, sizeof(s1));
    certslot_hal_linux_free(&fx.h);
    size_t entries = 0;
    DIR *dh = opendir(fx.base);
    assert_non_null(dh);
    for (struct dirent *e; (e = readdir(dh)) != NULL;)
        entries += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    closedir(dh);
    assert_int_equal(entries, 2); /* store/ and device_secret */

    /* A secret file of the wrong size is corrupt, not replaced. */
    tu_write(fx.base, "device_secret", "short", 5);
    certslot_hal_t before = hal;
    assert_int_equal(certslot_hal_linux_open(&fx.h, &hal, &opt), CERTSLOT_ERR_CORRUPT);
    assert_memory_equal(&before, &hal, sizeof(hal)); /* hal untouched */

    /* Its location is the integrator's to set: there is no default beside the store. */
    opt.secret_path = NULL;
    assert_int_equal(certslot_hal_linux_open(&fx.h, &hal, &opt), CERTSLOT_ERR_ARG);

    /* A missing secret is made for an empty storage directory only: never for a store it could not open. */
    char other[256];
    snprintf(other, sizeof(other), "%s/secret.bin", fx.base);
    opt.secret_path = other;
    assert_int_equal(certslot_hal_linux_open(&fx.h, &hal, &opt), 0);
    assert_int_equal(mode_of(fx.base, "secret.bin"), 0600);
    assert_int_equal(hal.device_secret(hal.ctx, s2), 0);
    assert_memory_not_equal(s1, s2, sizeof(s1));
    put("store", "a store");
    certslot_hal_linux_free(&fx.h);
    assert_int_equal(unlink(other), 0);
    assert_int_equal(certslot_hal_linux_open(&fx.h, &hal, &opt), CERTSLOT_ERR_SECRET);
    assert_int_equal(access(other, F_OK), -1);
    opt.create = 0;
    assert_int_equal(certslot_hal_linux_open(&fx.h, &hal, &opt), CERTSLOT_ERR_SECRET);
    linux_down(&fx);
}

/* A read-only user (create = 0) creates nothing: no directory, no secret. */
static void test_linux_read_only_creates_nothing(void **state)
{
    (void)state;
    linux_fixture_t fx;
    certslot_hal_linux_options_t opt = {0};
    char typo[256], secret[256];

    linux_up(&fx, &opt);
    certslot_hal_linux_free(&fx.h);
    snprintf(typo, sizeof(typo), "%s/typo", fx.base);
    snprintf(secret, sizeof(secret), "%s/typo-secret", fx.base);
    opt.storage_dir = typo;
    opt.secret_path = secret;
    opt.create = 0;
    assert_int_equal(certslot_hal_linux_open(&fx.h, &hal, &opt), CERTSLOT_ERR_NOT_FOUND);
    assert_int_equal(access(typo, F_OK), -1);
    assert_int_equal(access(secret, F_OK), -1);
    /* A directory without a store and without a secret: nothing to read, nothing made. */
    assert_int_equal(mkdir(typo, 0700), 0);
    assert_int_equal(certslot_hal_linux_open(&fx.h, &hal, &opt), CERTSLOT_ERR_NOT_FOUND);
    assert_int_equal(access(secret, F_OK), -1);
    linux_down(&fx);
}

/* The counter file: 0 before the first advance, never lowered, replaced atomically, damage detected. */
static void test_linux_counter(void **state)
{
    (void)state;
    linux_fixture_t fx;
    certslot_hal_linux_options_t opt = {0};
    char counter[256];
    uint64_t v = 99;

    snprintf(counter, sizeof(counter), "%s/counter", tu_tmpdir());
    opt.counter_path = counter;
    linux_up(&fx, &opt);
    assert_non_null(hal.counter_read);
    assert_int_equal(hal.counter_read(hal.ctx, &v), 0);
    assert_int_equal(v, 0);
    assert_int_equal(hal.counter_advance(hal.ctx, 5), 0);
    assert_int_equal(hal.counter_read(hal.ctx, &v), 0);
    assert_int_equal(v, 5);
    assert_int_equal(hal.counter_advance(hal.ctx, 3), 0); /* never lowered */
    assert_int_equal(hal.counter_read(hal.ctx, &v), 0);
    assert_int_equal(v, 5);
    assert_int_equal(hal.counter_advance(hal.ctx, UINT64_C(0x0102030405060708)), 0);
    size_t len;
    char *file = tu_read(counter, &len);
    assert_int_equal(len, 16);
    assert_memory_equal(file, "CSLTCNTR\x01\x02\x03\x04\x05\x06\x07\x08", 16);
    free(file);
    char tmp[300];
    snprintf(tmp, sizeof(tmp), "%s.new", counter);
    assert_int_equal(access(tmp, F_OK), -1);
    /* Damage is an error, never a reset to 0. */
    char dir[256];
    snprintf(dir, sizeof(dir), "%s", counter);
    *strrchr(dir, '/') = '\0';
    tu_write(dir, "counter", "CSLTCNTRxx", 10);
    assert_int_equal(hal.counter_read(hal.ctx, &v), CERTSLOT_ERR_CORRUPT);
    assert_int_equal(hal.counter_advance(hal.ctx, 9), CERTSLOT_ERR_CORRUPT);
    linux_down(&fx);
    tu_rmtree(dir);
    /* Without counter_path, no counter. */
    certslot_hal_linux_options_t none = {0};
    linux_up(&fx, &none);
    assert_null(hal.counter_read);
    assert_null(hal.counter_advance);
    linux_down(&fx);
}

static void test_linux_clock_random_mac(void **state)
{
    (void)state;
    linux_fixture_t fx;
    certslot_hal_linux_options_t opt = {0};
    char mac[13];

    assert_int_equal(certslot_hal_linux_check_time(0), CERTSLOT_ERR_CLOCK);
    assert_int_equal(certslot_hal_linux_check_time(-1), CERTSLOT_ERR_CLOCK);
    assert_int_equal(certslot_hal_linux_check_time(CERTSLOT_HAL_LINUX_CLOCK_FLOOR - 1), CERTSLOT_ERR_CLOCK);
    assert_int_equal(certslot_hal_linux_check_time(CERTSLOT_HAL_LINUX_CLOCK_FLOOR), 0);
    assert_int_equal(certslot_hal_linux_check_time(INT64_C(4102444800)), 0); /* 2100 */

    assert_int_equal(certslot_hal_linux_parse_mac("00:04:F2:A1:B2:C3", mac), 0);
    assert_string_equal(mac, "0004f2a1b2c3");
    assert_int_equal(certslot_hal_linux_parse_mac("00-04-f2-a1-b2-c3\n", mac), 0);
    assert_string_equal(mac, "0004f2a1b2c3");
    assert_int_equal(certslot_hal_linux_parse_mac("0004F2A1B2C3", mac), 0);
    assert_string_equal(mac, "0004f2a1b2c3");
    assert_int_equal(certslot_hal_linux_parse_mac("00:04:f2:a1:b2", mac), CERTSLOT_ERR_ARG);
    assert_int_equal(certslot_hal_linux_parse_mac("00:04-f2:a1:b2:c3", mac), CERTSLOT_ERR_ARG);
    assert_int_equal(certslot_hal_linux_parse_mac("0004f2a1b2cz", mac), CERTSLOT_ERR_ARG);
    assert_int_equal(certslot_hal_linux_parse_mac("000:4f2:a1b:2c3:", mac), CERTSLOT_ERR_ARG);

    linux_up(&fx, &opt);
    assert_int_equal(hal.mac(hal.ctx, mac), 0);
    assert_string_equal(mac, "0004f2a1b2c3");
    int64_t now = 0;
    int ret = hal.time(hal.ctx, &now);
    assert_true(ret == 0 || ret == CERTSLOT_ERR_CLOCK);
    if (ret == 0)
        assert_true(now >= CERTSLOT_HAL_LINUX_CLOCK_FLOOR);
    unsigned char a[64] = {0}, b[64] = {0};
    assert_int_equal(hal.random(hal.ctx, a, sizeof(a)), 0);
    assert_int_equal(hal.random(hal.ctx, b, sizeof(b)), 0);
    assert_memory_not_equal(a, b, sizeof(a));
    certslot_hal_linux_free(&fx.h);

    /* No MAC option and an interface that does not exist. */
    certslot_hal_t before = hal;
    opt.mac = NULL;
    opt.iface = "csnone0";
    assert_int_equal(certslot_hal_linux_open(&fx.h, &hal, &opt), CERTSLOT_ERR_NOT_FOUND);
    assert_memory_equal(&before, &hal, sizeof(hal));
    opt.iface = "../x";
    assert_int_equal(certslot_hal_linux_open(&fx.h, &hal, &opt), CERTSLOT_ERR_ARG);
    /* Loopback has an address file (all zeroes) where sysfs is mounted. */
    if (access("/sys/class/net/lo/address", R_OK) == 0) {
        opt.iface = "lo";
        assert_int_equal(certslot_hal_linux_open(&fx.h, &hal, &opt), 0);
        assert_int_equal(hal.mac(hal.ctx, mac), 0);
        assert_string_equal(mac, "000000000000");
        certslot_hal_linux_free(&fx.h);
    }
    opt.mac = "not a mac";
    assert_int_equal(certslot_hal_linux_open(&fx.h, &hal, &opt), CERTSLOT_ERR_ARG);
    linux_down(&fx);
}

static void capture_log(void *ctx, certslot_log_level_t level, const char *msg)
{
    char *buf = ctx;
    snprintf(buf + strlen(buf), 512 - strlen(buf), "%d|%s\n", (int)level, msg);
}

static void test_linux_log(void **state)
{
    (void)state;
    linux_fixture_t fx;
    certslot_hal_linux_options_t opt = {0};
    FILE *f = tmpfile();
    assert_non_null(f);

    opt.log_file = f;
    opt.log_level = CERTSLOT_LOG_INFO;
    linux_up(&fx, &opt);
    hal.log(hal.ctx, CERTSLOT_LOG_DEBUG, "hidden");
    hal.log(hal.ctx, CERTSLOT_LOG_WARNING, "slot 2\nforged: line");
    rewind(f);
    char text[1024] = {0};
    size_t n = fread(text, 1, sizeof(text) - 1, f);
    text[n] = '\0';
    fclose(f);
    assert_non_null(strstr(text, "certslot: info: created storage directory"));
    assert_non_null(strstr(text, "certslot: warning: slot 2\\x0aforged: line\n"));
    assert_null(strstr(text, "hidden"));
    certslot_hal_linux_free(&fx.h);

    char buf[512] = {0};
    opt.log = capture_log;
    opt.log_ctx = buf;
    assert_int_equal(certslot_hal_linux_open(&fx.h, &hal, &opt), 0);
    hal.log(hal.ctx, CERTSLOT_LOG_ERROR, "boom");
    assert_string_equal(buf, "3|boom\n");
    linux_down(&fx);
}

/* Names in dir, sorted, comma-separated (to see that no temporary file is left). */
static void listing(const char *dir, char *out, size_t size)
{
    struct dirent **names;
    int n = scandir(dir, &names, NULL, alphasort);
    size_t len = 0;
    out[0] = '\0';
    assert_true(n >= 0);
    for (int i = 0; i < n; i++) {
        if (strcmp(names[i]->d_name, ".") != 0 && strcmp(names[i]->d_name, "..") != 0)
            len += (size_t)snprintf(out + len, size - len, "%s%s", len > 0 ? "," : "", names[i]->d_name);
        free(names[i]);
    }
    free(names);
}

/* The writer dot1x exports and the tool's outputs go through: all or nothing, modes kept, no temporary left. */
static void test_linux_write_files(void **state)
{
    (void)state;
    const char *base = tu_tmpdir();
    char dir[256], path[300], why[512], names[512], longname[300];
    certslot_file_t files[2] = {{"a.pem", "A1", 2, 0600}, {"b.conf", "B1", 2, 0644}};

    snprintf(dir, sizeof(dir), "%s/out", base);
    /* Without MKDIR a missing directory is an error, and nothing is made. */
    assert_int_equal(certslot_hal_linux_write_files(dir, files, 2, 0, why, sizeof(why)), CERTSLOT_ERR_IO);
    assert_non_null(strstr(why, "cannot create a file in"));
    assert_int_equal(access(dir, F_OK), -1);
    assert_int_equal(certslot_hal_linux_write_files(dir, files, 2, CERTSLOT_HAL_LINUX_MKDIR, why, sizeof(why)), 0);
    assert_int_equal(mode_of(base, "out"), 0700);
    assert_int_equal(mode_of(dir, "a.pem"), 0600);
    assert_int_equal(mode_of(dir, "b.conf"), 0644);
    listing(dir, names, sizeof(names));
    assert_string_equal(names, "a.pem,b.conf");

    /* Replace one, remove the other. */
    files[0].data = "A2";
    files[1].data = NULL;
    assert_int_equal(certslot_hal_linux_write_files(dir, files, 2, 0, why, sizeof(why)), 0);
    snprintf(path, sizeof(path), "%s/a.pem", dir);
    char *got = tu_read(path, NULL);
    assert_string_equal(got, "A2");
    free(got);
    listing(dir, names, sizeof(names));
    assert_string_equal(names, "a.pem");

    /* A failure at the second file leaves the first as it was, and no temporary. */
    memset(longname, 'x', 250);
    longname[250] = '\0';
    certslot_file_t bad[2] = {{"a.pem", "A3", 2, 0600}, {longname, "L", 1, 0600}};
    assert_int_equal(certslot_hal_linux_write_files(dir, bad, 2, 0, why, sizeof(why)), CERTSLOT_ERR_IO);
    got = tu_read(path, NULL);
    assert_string_equal(got, "A2");
    free(got);
    listing(dir, names, sizeof(names));
    assert_string_equal(names, "a.pem");

    /* NEW never replaces. */
    assert_int_equal(certslot_hal_linux_write_file(path, "A4", 2, 0600, CERTSLOT_HAL_LINUX_NEW, why, sizeof(why)),
                     CERTSLOT_ERR_EXISTS);
    assert_non_null(strstr(why, "it exists (refusing to overwrite)"));
    got = tu_read(path, NULL);
    assert_string_equal(got, "A2");
    free(got);
    snprintf(path, sizeof(path), "%s/new.key", dir);
    assert_int_equal(certslot_hal_linux_write_file(path, "K", 1, 0600, CERTSLOT_HAL_LINUX_NEW, why, sizeof(why)), 0);
    listing(dir, names, sizeof(names));
    assert_string_equal(names, "a.pem,new.key");

    /* Names that are not plain file names. */
    certslot_file_t sneaky = {"../x", "X", 1, 0600};
    assert_int_equal(certslot_hal_linux_write_files(dir, &sneaky, 1, 0, why, sizeof(why)), CERTSLOT_ERR_ARG);
    tu_rmtree(base);
}

/* The Linux HAL reads the factory files the simulated vendor made. */
static void test_linux_factory_device(void **state)
{
    (void)state;
    linux_fixture_t fx;
    certslot_hal_linux_options_t opt = {0};
    factory_t want, got, other;
    const unsigned char *ca;
    size_t ca_len;
    char cert_path[256], key_path[256], wrong_key[256];
    unsigned char pem[4096];
    mbedtls_pk_context pk;

    /* The simulated factory's output, as files: DER cert+chain, PEM key. */
    sim_up("0004f2a1b2c3");
    factory_get(&want);
    assert_int_equal(certslot_hal_sim_vendor_ca(&sim, &ca, &ca_len), 0);
    certslot_hal_sim_free(&sim);
    sim_up("0004f2a1b2c4");
    factory_get(&other);
    certslot_hal_sim_free(&sim);

    linux_up(&fx, &opt);
    memset(&got, 0, sizeof(got));
    assert_int_equal(factory_of(&hal, &got),
                     CERTSLOT_ERR_NOT_FOUND);
    certslot_hal_linux_free(&fx.h);

    snprintf(cert_path, sizeof(cert_path), "%s/device.der", fx.base);
    snprintf(key_path, sizeof(key_path), "%s/device.key", fx.base);
    snprintf(wrong_key, sizeof(wrong_key), "%s/other.key", fx.base);
    unsigned char *both = malloc(want.cert_len + want.chain_len);
    assert_non_null(both);
    memcpy(both, want.cert, want.cert_len);
    memcpy(both + want.cert_len, want.chain, want.chain_len);
    tu_write(fx.base, "device.der", (const char *)both, want.cert_len + want.chain_len);
    free(both);
    mbedtls_pk_init(&pk);
    assert_int_equal(parse_key(&pk, want.key, want.key_len), 0);
    assert_int_equal(mbedtls_pk_write_key_pem(&pk, pem, sizeof(pem)), 0);
    mbedtls_pk_free(&pk);
    tu_write_str(fx.base, "device.key", (const char *)pem);
    tu_write(fx.base, "other.key", (const char *)other.key, other.key_len);

    opt.factory_cert_path = cert_path;
    opt.factory_key_path = key_path;
    assert_int_equal(certslot_hal_linux_open(&fx.h, &hal, &opt), 0);
    factory_get(&got);
    assert_int_equal(got.cert_len, want.cert_len);
    assert_memory_equal(got.cert, want.cert, want.cert_len);
    assert_int_equal(got.key_len, want.key_len);
    assert_memory_equal(got.key, want.key, want.key_len);
    assert_int_equal(got.chain_len, ca_len);
    assert_memory_equal(got.chain, want.chain, ca_len);
    factory_free(&got);
    certslot_hal_linux_free(&fx.h);

    /* A key that belongs to another certificate. */
    opt.factory_key_path = wrong_key;
    assert_int_equal(certslot_hal_linux_open(&fx.h, &hal, &opt), 0);
    assert_int_equal(factory_of(&hal, &got),
                     CERTSLOT_ERR_KEY);
    certslot_hal_linux_free(&fx.h);

    /* A missing file. */
    opt.factory_key_path = "/nonexistent/certslot.key";
    assert_int_equal(certslot_hal_linux_open(&fx.h, &hal, &opt), 0);
    assert_int_equal(factory_of(&hal, &got),
                     CERTSLOT_ERR_NOT_FOUND);
    factory_free(&want);
    factory_free(&other);
    linux_down(&fx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_sim_written_not_synced_is_lost, teardown),
        cmocka_unit_test_teardown(test_sim_rename_needs_sync_dir, teardown),
        cmocka_unit_test_teardown(test_sim_fully_synced_survives, teardown),
        cmocka_unit_test_teardown(test_sim_errors, teardown),
        cmocka_unit_test_teardown(test_sim_cut_at_every_op, teardown),
        cmocka_unit_test_teardown(test_sim_torn_write, teardown),
        cmocka_unit_test_teardown(test_sim_corrupt_truncate_peek, teardown),
        cmocka_unit_test_teardown(test_sim_allocation_failures, teardown),
        cmocka_unit_test_teardown(test_sim_random_clock_identity, teardown),
        cmocka_unit_test_teardown(test_sim_log, teardown),
        cmocka_unit_test_teardown(test_sim_factory_deterministic, teardown),
        cmocka_unit_test_teardown(test_sim_factory_verifies, teardown),
        cmocka_unit_test_teardown(test_linux_storage_round_trip, teardown),
        cmocka_unit_test_teardown(test_linux_names_refused, teardown),
        cmocka_unit_test_teardown(test_linux_device_secret, teardown),
        cmocka_unit_test_teardown(test_linux_read_only_creates_nothing, teardown),
        cmocka_unit_test_teardown(test_linux_counter, teardown),
        cmocka_unit_test_teardown(test_linux_clock_random_mac, teardown),
        cmocka_unit_test_teardown(test_linux_log, teardown),
        cmocka_unit_test_teardown(test_linux_factory_device, teardown),
        cmocka_unit_test_teardown(test_linux_write_files, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
