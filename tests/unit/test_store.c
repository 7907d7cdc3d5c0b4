/*
 * The certificate store on the simulated handset: slots keep what they had
 * when a change is refused; every power-cut point of an update gives the old
 * or the new store; damage is detected and the last good copy used; no key
 * byte is stored in clear.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <mbedtls/sha256.h>
#include <mbedtls/version.h>

#include "certslot/config.h"
#include "certslot/error.h"
#include "certslot/hal_sim.h"
#include "certslot/platform.h"
#include "certslot/store.h"
#include "testutil.h"

static certslot_hal_sim_t sim;
static certslot_hal_t hal;
static certslot_store_t st;
static certslot_result_t res;

typedef struct {
    unsigned char h[32];
} digest_t;

/* A digest of everything the store holds, to compare whole states. */
static digest_t digest(const certslot_store_t *s)
{
    mbedtls_sha256_context c;
    digest_t d;
    mbedtls_sha256_init(&c);
    mbedtls_sha256_starts(&c, 0);
    for (unsigned i = 0; i < CERTSLOT_SLOT_COUNT; i++) {
        for (unsigned k = 0; k < 2; k++) {
            const certslot_part_t *p = &s->part[i][k];
            unsigned char tag[4] = {(unsigned char)i, (unsigned char)k, (unsigned char)p->ncerts,
                                    (unsigned char)(p->key.der != NULL)};
            mbedtls_sha256_update(&c, tag, 4);
            for (unsigned n = 0; n < p->ncerts; n++)
                mbedtls_sha256_update(&c, p->certs[n].der, p->certs[n].len);
            if (p->key.der != NULL)
                mbedtls_sha256_update(&c, p->key.der, p->key.len);
        }
    }
    mbedtls_sha256_finish(&c, d.h);
    mbedtls_sha256_free(&c);
    return d;
}

static int same(digest_t a, digest_t b)
{
    return memcmp(a.h, b.h, sizeof(a.h)) == 0;
}

static int setup(void **state)
{
    (void)state;
    certslot_hal_sim_init(&sim, &hal);
    assert_int_equal(certslot_store_open(&st, &hal), 0);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    certslot_store_free(&st);
    certslot_hal_sim_free(&sim);
    tu_alloc_uninstall();
    return 0;
}

static void reopen(int expect)
{
    certslot_store_free(&st);
    assert_int_equal(certslot_store_open(&st, &hal), expect);
}

static int install_file(certslot_slot_t slot, certslot_kind_t kind, const char *cert, const char *key, int weak)
{
    size_t cl = 0, kl = 0;
    char *c = cert != NULL ? tu_pki_read(cert, &cl) : NULL, *k = key != NULL ? tu_pki_read(key, &kl) : NULL;
    int ret = certslot_store_install(&st, slot, kind, (unsigned char *)c, cl, (unsigned char *)k, kl, weak, &res);
    free(c);
    free(k);
    return ret;
}

/* platform1 CA and platform2 device filled: the "old" state of most tests. */
static void fill_two_slots(void)
{
    assert_int_equal(install_file(CERTSLOT_SLOT_PLATFORM1, CERTSLOT_KIND_CA, "root-rsa.crt", NULL, 0), 0);
    assert_int_equal(install_file(CERTSLOT_SLOT_PLATFORM2, CERTSLOT_KIND_DEVICE, "device.crt", "device.key", 0), 0);
}

/* ---- installing ---- */

static void test_install_and_reopen(void **state)
{
    (void)state;
    fill_two_slots();
    assert_string_equal(res.msg, "installed into platform2 device: 1 certificate, first CN=handset-0004f2a1b2c3, "
                                 "with private key");
    digest_t before = digest(&st);
    reopen(0);
    assert_true(same(before, digest(&st)));
    assert_int_equal(st.generation, 2);
    assert_int_equal(st.part[CERTSLOT_SLOT_PLATFORM1][CERTSLOT_KIND_CA].ncerts, 1);
    size_t der_len;
    char *der = tu_pki_read("root-rsa.der", &der_len);
    assert_int_equal(st.part[CERTSLOT_SLOT_PLATFORM1][CERTSLOT_KIND_CA].certs[0].len, der_len);
    assert_memory_equal(st.part[CERTSLOT_SLOT_PLATFORM1][CERTSLOT_KIND_CA].certs[0].der, der, der_len);
    free(der);
    /* A chain in a CA slot: every certificate is a trusted CA, in order. */
    assert_int_equal(install_file(CERTSLOT_SLOT_APPLICATION6, CERTSLOT_KIND_CA, "server-chain.pem", NULL, 0), 0);
    assert_int_equal(st.part[CERTSLOT_SLOT_APPLICATION6][CERTSLOT_KIND_CA].ncerts, 2);
}

static void test_refusals_leave_the_slot_and_storage_unchanged(void **state)
{
    (void)state;
    fill_two_slots();
    struct {
        certslot_slot_t slot;
        certslot_kind_t kind;
        const char *cert, *key, *why;
    } cases[] = {
        {CERTSLOT_SLOT_PLATFORM1, CERTSLOT_KIND_CA, "weak-rsa1024.crt", NULL, "RSA key of 1024 bits"},
        {CERTSLOT_SLOT_PLATFORM1, CERTSLOT_KIND_CA, "weak-sha1.crt", NULL, "signed with SHA-1"},
        {CERTSLOT_SLOT_PLATFORM1, CERTSLOT_KIND_CA, "weak-rsa4104.crt", NULL, "RSA key of 4104 bits"},
        {CERTSLOT_SLOT_PLATFORM1, CERTSLOT_KIND_CA, "weak-p521.crt", NULL, "other than P-256 and P-384"},
        {CERTSLOT_SLOT_PLATFORM1, CERTSLOT_KIND_CA, "rfc5280/e-huge.crt", NULL,
         "certificate 1 has an RSA public exponent longer than 33 bits"},
        {CERTSLOT_SLOT_PLATFORM1, CERTSLOT_KIND_CA, "device.key", NULL, "no BEGIN CERTIFICATE block"},
        {CERTSLOT_SLOT_PLATFORM2, CERTSLOT_KIND_DEVICE, "device.crt", "other.key", "does not match"},
        {CERTSLOT_SLOT_PLATFORM2, CERTSLOT_KIND_DEVICE, "device.crt", "device.enc.key", "is encrypted"},
        {CERTSLOT_SLOT_PLATFORM2, CERTSLOT_KIND_DEVICE, "device-ec.crt", NULL, "does not match"},
        {CERTSLOT_SLOT_PLATFORM2, CERTSLOT_KIND_DEVICE, NULL, "device-ec.key", "does not match"},
        {CERTSLOT_SLOT_PLATFORM2, CERTSLOT_KIND_DEVICE, "weak-rsa1024.crt", "weak-rsa1024.key", "1024 bits"},
        {CERTSLOT_SLOT_APPLICATION1, CERTSLOT_KIND_DEVICE, "device.crt", NULL, "needs its private key"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        digest_t before = digest(&st);
        uint64_t gen = st.generation;
        unsigned long ops = sim.ops;
        res.msg[0] = '\0';
        int ret = install_file(cases[i].slot, cases[i].kind, cases[i].cert, cases[i].key, 0);
        if (ret == 0 || strstr(res.msg, cases[i].why) == NULL || strstr(res.msg, "refused") == NULL)
            fail_msg("case %zu: ret %d, '%s'", i, ret, res.msg);
        assert_true(same(before, digest(&st)));
        assert_int_equal(st.generation, gen);
        assert_int_equal(sim.ops, ops); /* nothing was written */
    }
    reopen(0);
    assert_int_equal(st.generation, 2);
}

static void test_weak_certificates_with_relaxed_policy_are_logged(void **state)
{
    (void)state;
    certslot_hal_sim_log_clear(&sim);
    assert_int_equal(install_file(CERTSLOT_SLOT_APPLICATION2, CERTSLOT_KIND_CA, "weak-sha1.crt", NULL, 1), 0);
    assert_true(certslot_hal_sim_log_contains(&sim, "application2 ca: accepted weak certificate CN=weak sha1: "
                                                    "signed with SHA-1"));
    assert_int_equal(install_file(CERTSLOT_SLOT_APPLICATION2, CERTSLOT_KIND_CA, "ec384.crt", NULL, 0), 0);
}

/* A trust anchor's self-signature is never checked: its hash is no reason to refuse it (its key size is). */
static void test_sha1_self_signed_root_is_accepted(void **state)
{
    (void)state;
    certslot_hal_sim_log_clear(&sim);
    assert_int_equal(install_file(CERTSLOT_SLOT_APPLICATION4, CERTSLOT_KIND_CA, "root-sha1.crt", NULL, 0), 0);
    assert_false(certslot_hal_sim_log_contains(&sim, "weak"));
    /* Self-signed with SHA-1 but a 1024-bit key: still refused, for the key. */
    assert_int_not_equal(install_file(CERTSLOT_SLOT_APPLICATION4, CERTSLOT_KIND_CA, "weak-rsa1024.crt", NULL, 0), 0);
    assert_non_null(strstr(res.msg, "1024 bits"));
}

static void test_key_first_then_certificate(void **state)
{
    (void)state;
    /* A key generated for a CSR waits in the slot; the signed certificate completes it. */
    assert_int_equal(install_file(CERTSLOT_SLOT_APPLICATION3, CERTSLOT_KIND_DEVICE, NULL, "device-ec.key", 0), 0);
    assert_string_equal(res.msg, "installed into application3 device: a private key awaiting its certificate");
    assert_int_not_equal(install_file(CERTSLOT_SLOT_APPLICATION3, CERTSLOT_KIND_DEVICE, "device.crt", NULL, 0), 0);
    assert_int_equal(install_file(CERTSLOT_SLOT_APPLICATION3, CERTSLOT_KIND_DEVICE, "device-ec.crt", NULL, 0), 0);
    reopen(0);
    const certslot_part_t *p = &st.part[CERTSLOT_SLOT_APPLICATION3][CERTSLOT_KIND_DEVICE];
    assert_int_equal(p->ncerts, 1);
    assert_non_null(p->key.der);
    assert_int_equal(certslot_store_clear(&st, CERTSLOT_SLOT_APPLICATION3, CERTSLOT_KIND_DEVICE, &res), 0);
    reopen(0);
    assert_int_equal(p->ncerts, 0);
    assert_null(p->key.der);
}

static void test_no_key_byte_in_clear_on_storage(void **state)
{
    (void)state;
    fill_two_slots();
    assert_int_equal(install_file(CERTSLOT_SLOT_APPLICATION1, CERTSLOT_KIND_DEVICE, "device-ec.crt",
                                  "device-ec.key", 0),
                     0);
    for (unsigned s = 0; s < CERTSLOT_SLOT_COUNT; s++) {
        const certslot_blob_t *key = &st.part[s][CERTSLOT_KIND_DEVICE].key;
        if (key->der == NULL)
            continue;
        for (size_t f = 0; f < certslot_hal_sim_count(&sim); f++) {
            const unsigned char *data;
            size_t len;
            assert_int_equal(certslot_hal_sim_file(&sim, certslot_hal_sim_name(&sim, f), &data, &len), 0);
            for (size_t o = 0; o + 8 <= key->len; o++)
                for (size_t i = 0; i + 8 <= len; i++)
                    if (memcmp(data + i, key->der + o, 8) == 0)
                        fail_msg("8 key bytes at offset %zu found in %s", o, certslot_hal_sim_name(&sim, f));
        }
    }
    /* Certificates are encrypted as well: the device CN is nowhere on storage. */
    for (size_t f = 0; f < certslot_hal_sim_count(&sim); f++) {
        const unsigned char *data;
        size_t len;
        certslot_hal_sim_file(&sim, certslot_hal_sim_name(&sim, f), &data, &len);
        for (size_t i = 0; i + 10 <= len; i++)
            assert_int_not_equal(memcmp(data + i, "handset-ec", 10), 0);
    }
}

/* ---- power cuts ---- */

typedef int (*update_fn)(void);

static int update_install(void)
{
    return install_file(CERTSLOT_SLOT_APPLICATION1, CERTSLOT_KIND_CA, "root-ec.crt", NULL, 0);
}

static int update_replace_device(void)
{
    return install_file(CERTSLOT_SLOT_PLATFORM2, CERTSLOT_KIND_DEVICE, "device-ec.crt", "device-ec.key", 0);
}

static int update_clear(void)
{
    return certslot_store_clear(&st, CERTSLOT_SLOT_PLATFORM1, CERTSLOT_KIND_CA, &res);
}

static int use_counter; /* walk_cuts with the anti-rollback counter */

static void setup_walk(void)
{
    setup(NULL);
    if (use_counter) {
        certslot_hal_sim_use_counter(&sim, &hal);
        reopen(0);
    }
}

/*
 * Runs `update` on a store in state `prepare` left, with the power cut at
 * every storage operation in turn, and checks that each reboot finds exactly
 * the old or exactly the new store, the new one whenever the update said it
 * was done, and (with the counter) never a rollback. Returns the number of
 * cut points.
 */
static unsigned walk_cuts(void (*prepare)(void), update_fn update, int torn)
{
    digest_t old, new_state;
    unsigned cuts = 0;

    /* The new state, from an update without a cut. */
    setup_walk();
    prepare();
    old = digest(&st);
    assert_int_equal(update(), 0);
    new_state = digest(&st);
    assert_false(same(old, new_state));
    teardown(NULL);

    for (unsigned long n = 1;; n++) {
        setup_walk();
        prepare();
        sim.torn_unsynced = torn;
        sim.cut_at = sim.ops + n;
        int ret = update();
        int cut = sim.power_off;
        if (cut) {
            /* A failed update changed nothing in the running store; a done one changed it. */
            assert_true(same(ret == 0 ? new_state : old, digest(&st)));
            assert_int_equal(certslot_hal_sim_power_cycle(&sim), 0);
        }
        reopen(0);
        digest_t now = digest(&st);
        if (!same(now, old) && !same(now, new_state))
            fail_msg("cut at storage operation %lu: the store is neither old nor new", n);
        if (ret == 0 && !same(now, new_state))
            fail_msg("cut at storage operation %lu: an update reported done was lost", n);
        if (use_counter)
            assert_int_equal(sim.counter, st.generation); /* caught up, never ahead */
        if (!cut) {
            assert_true(same(now, new_state));
            teardown(NULL);
            break;
        }
        cuts++;
        /* And the store works after the reboot: the same update now succeeds. */
        assert_int_equal(update(), 0);
        reopen(0);
        assert_true(same(new_state, digest(&st)));
        teardown(NULL);
    }
    return cuts;
}

static void prepare_empty(void)
{
}

static void test_every_power_cut_point_gives_old_or_new(void **state)
{
    (void)state;
    teardown(NULL);
    for (use_counter = 0; use_counter <= 1; use_counter++) {
        for (int torn = 0; torn <= 1; torn++) {
            /* First write of a fresh store, then updates of a store with history; the counter adds a cut point. */
            assert_true(walk_cuts(prepare_empty, update_install, torn) >= 3u + (unsigned)use_counter);
            assert_true(walk_cuts(fill_two_slots, update_install, torn) >= 5u + (unsigned)use_counter);
            assert_true(walk_cuts(fill_two_slots, update_replace_device, torn) >= 5u + (unsigned)use_counter);
            assert_true(walk_cuts(fill_two_slots, update_clear, torn) >= 5u + (unsigned)use_counter);
        }
    }
    use_counter = 0;
    setup(NULL);
}

static const char *apply_xml;

static int update_apply(void)
{
    certslot_config_t cfg;
    certslot_config_init(&cfg);
    certslot_config_parse_buffer(&cfg, "w.cfg", apply_xml, strlen(apply_xml));
    certslot_config_finish(&cfg);
    int ret = certslot_config_apply(&cfg, &st, NULL, NULL);
    certslot_config_free(&cfg);
    return ret;
}

static void test_power_cut_while_applying_a_configuration(void **state)
{
    (void)state;
    char *ca = tu_pki_read("root-ec.crt", NULL), *dev = tu_pki_read("device-ec.crt", NULL),
         *key = tu_pki_read("device-ec.key", NULL);
    size_t n = strlen(ca) + strlen(dev) + strlen(key) + 1024;
    char *xml = malloc(n);
    assert_non_null(xml);
    snprintf(xml, n,
             "<x device.set=\"1\" sec.TLS.customCaCert.4=\"%s\" sec.TLS.customDeviceCert.5=\"%s\" "
             "sec.TLS.customDeviceKey.5=\"%s\" device.sec.TLS.customCaCert1=\"\" "
             "device.sec.TLS.customCaCert1.set=\"1\"/>",
             ca, dev, key);
    apply_xml = xml;
    teardown(NULL);
    assert_true(walk_cuts(fill_two_slots, update_apply, 0) >= 5);
    setup(NULL);
    /* The three slot changes are one update: after it, all three are there. */
    fill_two_slots();
    update_apply();
    assert_int_equal(st.part[CERTSLOT_SLOT_APPLICATION4][CERTSLOT_KIND_CA].ncerts, 1);
    assert_int_equal(st.part[CERTSLOT_SLOT_APPLICATION5][CERTSLOT_KIND_DEVICE].ncerts, 1);
    assert_int_equal(st.part[CERTSLOT_SLOT_PLATFORM1][CERTSLOT_KIND_CA].ncerts, 0);
    assert_int_equal(st.generation, 3);
    free(xml);
    free(ca);
    free(dev);
    free(key);
}

/* ---- damage ---- */

static void test_damaged_newest_file_falls_back_to_last_good_copy(void **state)
{
    (void)state;
    fill_two_slots(); /* generation 1 in store.bak, 2 in store */
    static const size_t offsets[] = {0, 9, 13, 21, 30, 40, 500, (size_t)-1};
    for (size_t i = 0; i < sizeof(offsets) / sizeof(offsets[0]); i++) {
        teardown(NULL);
        setup(NULL);
        fill_two_slots();
        const unsigned char *data;
        size_t len;
        assert_int_equal(certslot_hal_sim_file(&sim, "store", &data, &len), 0);
        size_t off = offsets[i] == (size_t)-1 ? len - 1 : offsets[i]; /* the last byte: the GCM tag */
        assert_int_equal(certslot_hal_sim_corrupt(&sim, "store", off, 0x20), 0);
        certslot_hal_sim_log_clear(&sim);
        reopen(0);
        assert_int_equal(st.generation, 1);
        assert_int_equal(st.part[CERTSLOT_SLOT_PLATFORM1][CERTSLOT_KIND_CA].ncerts, 1);
        assert_int_equal(st.part[CERTSLOT_SLOT_PLATFORM2][CERTSLOT_KIND_DEVICE].ncerts, 0);
        assert_true(certslot_hal_sim_log_contains(&sim, "file 'store' is corrupt"));
        assert_true(certslot_hal_sim_log_contains(&sim, "using version 1 from 'store.bak'"));
    }
    /* Truncated: same. */
    teardown(NULL);
    setup(NULL);
    fill_two_slots();
    const unsigned char *data;
    size_t len;
    certslot_hal_sim_file(&sim, "store", &data, &len);
    assert_int_equal(certslot_hal_sim_truncate(&sim, "store", len - 5), 0);
    reopen(0);
    assert_int_equal(st.generation, 1);
    assert_true(certslot_hal_sim_log_contains(&sim, "truncated"));

    /* The next update keeps the intact store.bak rather than the damaged file. */
    assert_int_equal(install_file(CERTSLOT_SLOT_APPLICATION1, CERTSLOT_KIND_CA, "root-ec.crt", NULL, 0), 0);
    assert_int_equal(certslot_hal_sim_corrupt(&sim, "store", 50, 1), 0);
    reopen(0);
    assert_int_equal(st.generation, 1);
}

/* A store file's bytes (a new buffer from hal/sim's storage, *len bytes). */
static unsigned char *read_file(const char *name, size_t *len)
{
    unsigned char *data = NULL;
    assert_int_equal(hal.storage_read(hal.ctx, name, &data, len), 0);
    return data;
}

/* The generation a store file's header claims (big endian at 12..19). */
static uint64_t claimed_generation(const char *name)
{
    const unsigned char *data;
    size_t len;
    uint64_t g = 0;
    assert_int_equal(certslot_hal_sim_file(&sim, name, &data, &len), 0);
    assert_true(len > 20);
    for (int i = 12; i < 20; i++)
        g = g << 8 | data[i];
    return g;
}

/*
 * Open decrypts only the copy it uses: damage inside an older copy is not
 * even looked at while the newest authenticates, and the next update makes
 * the newest the last good copy, so the damage never matters.
 */
static void test_open_leaves_an_older_copy_alone(void **state)
{
    (void)state;
    fill_two_slots(); /* generation 1 in store.bak, 2 in store */
    assert_int_equal(certslot_hal_sim_corrupt(&sim, "store.bak", 60, 1), 0); /* inside the ciphertext */
    certslot_hal_sim_log_clear(&sim);
    reopen(0);
    assert_int_equal(st.generation, 2);
    assert_false(certslot_hal_sim_log_contains(&sim, "store.bak")); /* not decrypted: nothing to say */
    assert_int_equal(install_file(CERTSLOT_SLOT_APPLICATION1, CERTSLOT_KIND_CA, "root-ec.crt", NULL, 0), 0);
    /* The newest copy damaged now: store.bak is generation 2, intact. */
    assert_int_equal(certslot_hal_sim_corrupt(&sim, "store", 60, 1), 0);
    certslot_hal_sim_log_clear(&sim);
    reopen(0);
    assert_int_equal(st.generation, 2);
    assert_true(certslot_hal_sim_log_contains(&sim, "using version 2 from 'store.bak'"));
}

/* An unfinished update (store.new claims a newer generation but does not authenticate) is tried first, then 'store'. */
static void test_open_tries_the_newest_claim_first(void **state)
{
    (void)state;
    fill_two_slots();
    size_t len;
    unsigned char *copy = read_file("store", &len);
    copy[19] = 9; /* generation 9 claimed: the header is authenticated with the file, so it fails */
    assert_int_equal(hal.storage_write(hal.ctx, "store.new", copy, len), 0);
    certslot_free(copy);
    certslot_hal_sim_log_clear(&sim);
    reopen(0);
    assert_int_equal(st.generation, 2);
    assert_true(certslot_hal_sim_log_contains(&sim, "discarded an unfinished update"));
}

/*
 * A finished store.new whose renames a cut prevented: it is used, and 'store'
 * is not decrypted, so the next update does not move 'store' over store.bak
 * (it is not known intact): store.bak keeps generation 1.
 */
static void test_a_copy_not_decrypted_never_becomes_store_bak(void **state)
{
    (void)state;
    fill_two_slots();
    size_t main_len, bak_len, new_len;
    unsigned char *old_main = read_file("store", &main_len), *old_bak = read_file("store.bak", &bak_len);
    assert_int_equal(install_file(CERTSLOT_SLOT_APPLICATION1, CERTSLOT_KIND_CA, "root-ec.crt", NULL, 0), 0);
    unsigned char *newest = read_file("store", &new_len);
    assert_int_equal(hal.storage_write(hal.ctx, "store.new", newest, new_len), 0); /* generation 3 */
    assert_int_equal(hal.storage_write(hal.ctx, "store", old_main, main_len), 0);  /* generation 2 */
    assert_int_equal(hal.storage_write(hal.ctx, "store.bak", old_bak, bak_len), 0); /* generation 1 */
    certslot_free(newest);
    certslot_free(old_main);
    certslot_free(old_bak);
    reopen(0);
    assert_int_equal(st.generation, 3);
    assert_int_equal(install_file(CERTSLOT_SLOT_APPLICATION2, CERTSLOT_KIND_CA, "root-ec.crt", NULL, 0), 0);
    assert_int_equal(claimed_generation("store"), 4);
    assert_int_equal(claimed_generation("store.bak"), 1);
}

static void test_nothing_intact_starts_empty_and_recovers(void **state)
{
    (void)state;
    fill_two_slots();
    certslot_hal_sim_corrupt(&sim, "store", 60, 1);
    certslot_hal_sim_corrupt(&sim, "store.bak", 60, 1);
    reopen(CERTSLOT_ERR_CORRUPT);
    assert_int_equal(st.generation, 0);
    assert_int_equal(st.part[CERTSLOT_SLOT_PLATFORM1][CERTSLOT_KIND_CA].ncerts, 0);
    assert_true(certslot_hal_sim_log_contains(&sim, "no intact version left"));
    /* A new change replaces the damaged files. */
    assert_int_equal(install_file(CERTSLOT_SLOT_PLATFORM1, CERTSLOT_KIND_CA, "root-ec.crt", NULL, 0), 0);
    reopen(0);
    assert_int_equal(st.part[CERTSLOT_SLOT_PLATFORM1][CERTSLOT_KIND_CA].ncerts, 1);

    /* Garbage and foreign files are not mistaken for a store. */
    static const unsigned char junk[] = "CSLTSTOR\x07 not really";
    assert_int_equal(hal.storage_write(hal.ctx, "store", junk, sizeof(junk)), 0);
    reopen(CERTSLOT_ERR_CORRUPT); /* store.bak is still the damaged file of before */
    assert_true(certslot_hal_sim_log_contains(&sim, "unsupported store format version"));
}

static void test_store_of_another_handset_is_refused(void **state)
{
    (void)state;
    fill_two_slots();
    const unsigned char *data;
    size_t len;
    assert_int_equal(certslot_hal_sim_file(&sim, "store", &data, &len), 0);
    certslot_hal_sim_t other;
    certslot_hal_t other_hal;
    certslot_store_t other_st;
    certslot_hal_sim_init(&other, &other_hal);
    assert_int_equal(certslot_hal_sim_set_mac(&other, "0004f2000099"), 0);
    assert_int_equal(other_hal.storage_write(other_hal.ctx, "store", data, len), 0);
    /* Reported as another device secret, not as damage; refused: empty, and changes would not overwrite it. */
    assert_int_equal(certslot_store_open(&other_st, &other_hal), CERTSLOT_ERR_SECRET);
    assert_true(certslot_hal_sim_log_contains(&other, "file 'store' is unusable (written under another device secret"));
    assert_true(certslot_hal_sim_log_contains(&other, "no version opens with this device secret"));
    assert_int_equal(other_st.part[CERTSLOT_SLOT_PLATFORM1][CERTSLOT_KIND_CA].ncerts, 0);
    size_t cl;
    char *c = tu_pki_read("root-ec.crt", &cl);
    assert_int_equal(certslot_store_install(&other_st, CERTSLOT_SLOT_PLATFORM1, CERTSLOT_KIND_CA, (unsigned char *)c,
                                            cl, NULL, 0, 0, &res),
                     CERTSLOT_ERR_SECRET);
    free(c);
    const unsigned char *now;
    size_t now_len;
    assert_int_equal(certslot_hal_sim_file(&other, "store", &now, &now_len), 0);
    assert_int_equal(now_len, len);
    certslot_store_free(&other_st);
    certslot_hal_sim_free(&other);
}

/* ---- rollback ---- */

/* The whole of the store's storage, to put back later (an older generation an attacker kept). */
typedef struct {
    unsigned char *data[3];
    size_t len[3];
} snapshot_t;

static const char *const store_files[] = {"store", "store.new", "store.bak"};

static void snapshot(snapshot_t *s)
{
    for (int i = 0; i < 3; i++) {
        const unsigned char *d;
        s->data[i] = NULL;
        s->len[i] = 0;
        if (certslot_hal_sim_file(&sim, store_files[i], &d, &s->len[i]) == 0) {
            s->data[i] = malloc(s->len[i] + 1);
            memcpy(s->data[i], d, s->len[i]);
        }
    }
}

/* Writes the snapshot back over the files (durably), as someone with access to the storage would. */
static void restore(snapshot_t *s)
{
    for (int i = 0; i < 3; i++) {
        hal.storage_remove(hal.ctx, store_files[i]);
        if (s->data[i] != NULL) {
            assert_int_equal(hal.storage_write(hal.ctx, store_files[i], s->data[i], s->len[i]), 0);
            assert_int_equal(hal.storage_sync(hal.ctx, store_files[i]), 0);
        }
        free(s->data[i]);
    }
    assert_int_equal(hal.storage_sync_dir(hal.ctx), 0);
}

static void test_older_copy_is_refused_as_a_rollback(void **state)
{
    snapshot_t older;
    (void)state;
    certslot_hal_sim_use_counter(&sim, &hal);
    fill_two_slots();
    assert_int_equal(sim.counter, 2);
    digest_t gen2 = digest(&st);
    snapshot(&older);
    assert_int_equal(install_file(CERTSLOT_SLOT_APPLICATION1, CERTSLOT_KIND_CA, "root-ec.crt", NULL, 0), 0);
    assert_int_equal(sim.counter, 3);

    /* Generation 2 copied back over store and store.bak: refused, empty, and nothing can be changed. */
    restore(&older);
    certslot_hal_sim_log_clear(&sim);
    reopen(CERTSLOT_ERR_ROLLBACK);
    assert_int_equal(st.refused, CERTSLOT_ERR_ROLLBACK);
    assert_int_equal(st.part[CERTSLOT_SLOT_PLATFORM1][CERTSLOT_KIND_CA].ncerts, 0);
    assert_true(certslot_hal_sim_log_contains(&sim, "version 2 is older than the anti-rollback counter (3): refused "
                                                    "as a rollback"));
    assert_int_equal(install_file(CERTSLOT_SLOT_APPLICATION2, CERTSLOT_KIND_CA, "root-ec.crt", NULL, 0),
                     CERTSLOT_ERR_ROLLBACK);
    assert_int_equal(certslot_store_clear(&st, CERTSLOT_SLOT_PLATFORM1, CERTSLOT_KIND_CA, &res),
                     CERTSLOT_ERR_ROLLBACK);
    assert_int_equal(sim.counter, 3);

    /* The administrator accepts it: generation 2's contents, written as generation 4. */
    certslot_store_free(&st);
    assert_int_equal(certslot_store_accept_rollback(&st, &hal, &res), 0);
    assert_string_equal(res.msg, "rollback accepted: version 2 (the counter said 3) is kept as version 4");
    assert_true(same(gen2, digest(&st)));
    assert_int_equal(st.generation, 4);
    assert_int_equal(sim.counter, 4);
    reopen(0);
    assert_true(same(gen2, digest(&st)));
    /* Accepting when nothing was rolled back changes nothing. */
    certslot_store_free(&st);
    assert_int_equal(certslot_store_accept_rollback(&st, &hal, &res), 0);
    assert_string_equal(res.msg, "version 4");
    assert_int_equal(sim.counter, 4);
}

static void test_deleted_or_missing_files_with_a_counter(void **state)
{
    (void)state;
    certslot_hal_sim_use_counter(&sim, &hal);
    fill_two_slots(); /* 1 in store.bak, 2 in store */
    /* store deleted: store.bak is generation 1, older than the counter. */
    assert_int_equal(hal.storage_remove(hal.ctx, "store"), 0);
    reopen(CERTSLOT_ERR_ROLLBACK);
    /* Everything deleted: not a fresh handset. */
    assert_int_equal(hal.storage_remove(hal.ctx, "store.bak"), 0);
    certslot_hal_sim_log_clear(&sim);
    reopen(CERTSLOT_ERR_ROLLBACK);
    assert_true(certslot_hal_sim_log_contains(&sim, "no intact store, but the anti-rollback counter says version 2 "
                                                    "was written"));
    /* Both copies damaged: the same (an empty store would be a rollback to factory state). */
    certslot_store_free(&st);
    assert_int_equal(certslot_store_accept_rollback(&st, &hal, &res), 0);
    assert_int_equal(st.generation, 3);
    assert_int_equal(install_file(CERTSLOT_SLOT_PLATFORM1, CERTSLOT_KIND_CA, "root-rsa.crt", NULL, 0), 0);
    certslot_hal_sim_corrupt(&sim, "store", 60, 1);
    certslot_hal_sim_corrupt(&sim, "store.bak", 60, 1);
    reopen(CERTSLOT_ERR_ROLLBACK);
}

static void test_missing_newest_file_is_reported(void **state)
{
    (void)state;
    fill_two_slots();
    assert_int_equal(hal.storage_remove(hal.ctx, "store"), 0);
    certslot_hal_sim_log_clear(&sim);
    reopen(0); /* no counter: the last good copy, said out loud */
    assert_int_equal(st.generation, 1);
    assert_true(certslot_hal_sim_log_contains(&sim, "warning: store: file 'store' is missing; using version 1 from "
                                                    "'store.bak'"));
}

static void test_counter_failures(void **state)
{
    (void)state;
    certslot_hal_sim_use_counter(&sim, &hal);
    fill_two_slots();
    /* An update whose counter cannot advance is still done (it is durable); the next open catches up. */
    sim.counter_fails = 1;
    certslot_hal_sim_log_clear(&sim);
    assert_int_equal(install_file(CERTSLOT_SLOT_APPLICATION1, CERTSLOT_KIND_CA, "root-ec.crt", NULL, 0), 0);
    assert_true(certslot_hal_sim_log_contains(&sim, "the anti-rollback counter was not advanced"));
    assert_int_equal(sim.counter, 2);
    /* A counter that cannot be read: nothing can be trusted. */
    reopen(CERTSLOT_ERR_IO);
    assert_int_equal(st.refused, CERTSLOT_ERR_IO);
    assert_int_equal(st.part[CERTSLOT_SLOT_PLATFORM1][CERTSLOT_KIND_CA].ncerts, 0);
    sim.counter_fails = 0;
    reopen(0);
    assert_int_equal(st.generation, 3);
    assert_int_equal(sim.counter, 3);
}

/* ---- applying a configuration ---- */

typedef struct {
    int calls;
    certslot_param_t param;
    uint32_t line;
    char msg[300];
} report_t;

static void on_report(void *ctx, certslot_param_t param, const certslot_where_t *where, const char *msg)
{
    report_t *r = ctx;
    r->calls++;
    r->param = param;
    r->line = where != NULL ? where->line : 0;
    snprintf(r->msg, sizeof(r->msg), "%s", msg);
}

static void test_apply_is_all_or_nothing_per_slot(void **state)
{
    (void)state;
    fill_two_slots();
    digest_t before = digest(&st);
    char *weak = tu_pki_read("weak-sha1.crt", NULL), *ec = tu_pki_read("root-ec.crt", NULL);
    size_t n = 2 * strlen(weak) + strlen(ec) + 512;
    char *xml = malloc(n);
    assert_non_null(xml);
    snprintf(xml, n,
             "<x device.set=\"1\"\n sec.TLS.customCaCert.2=\"%s\"\n sec.TLS.customCaCert.3=\"%s\"\n"
             " device.sec.TLS.customCaCert1=\"%s\" device.sec.TLS.customCaCert1.set=\"1\"/>",
             ec, weak, weak);
    certslot_config_t cfg;
    certslot_config_init(&cfg);
    certslot_config_parse_buffer(&cfg, "site.cfg", xml, strlen(xml));
    certslot_config_finish(&cfg);
    report_t r = {0};
    assert_int_equal(certslot_config_apply(&cfg, &st, on_report, &r), CERTSLOT_ERR_VALUE);
    assert_int_equal(r.calls, 2);
    /* application2 applied; application3 and platform1 refused and unchanged. */
    assert_int_equal(st.part[CERTSLOT_SLOT_APPLICATION2][CERTSLOT_KIND_CA].ncerts, 1);
    assert_int_equal(st.part[CERTSLOT_SLOT_APPLICATION3][CERTSLOT_KIND_CA].ncerts, 0);
    assert_false(same(before, digest(&st)));
    assert_int_equal(r.param, CERTSLOT_PARAM(APP_CA_CERT, 3)); /* reports come in slot order: platform1 first */
    uint32_t line = 1;
    for (const char *c = xml; c < strstr(xml, "sec.TLS.customCaCert.3"); c++)
        line += *c == '\n';
    assert_int_equal(r.line, line);
    assert_non_null(strstr(r.msg, "application3 ca refused, slot unchanged: certificate 1 (CN=weak sha1)"));
    size_t der_len;
    char *der = tu_pki_read("root-rsa.der", &der_len);
    assert_memory_equal(st.part[CERTSLOT_SLOT_PLATFORM1][CERTSLOT_KIND_CA].certs[0].der, der, der_len);
    free(der);
    certslot_config_free(&cfg);

    /* The same configuration with the weak policy relaxed applies whole. */
    snprintf(xml, n, "<x device.set=\"1\" sec.TLS.customCaCert.3=\"%s\" device.sec.TLS.allowWeakCertificates=\"1\" "
                     "device.sec.TLS.allowWeakCertificates.set=\"1\"/>",
             weak);
    certslot_config_init(&cfg);
    certslot_config_parse_buffer(&cfg, "site.cfg", xml, strlen(xml));
    certslot_config_finish(&cfg);
    r.msg[0] = '\0';
    if (certslot_config_apply(&cfg, &st, on_report, &r) != 0)
        fail_msg("relaxed apply: %s", r.msg);
    assert_int_equal(st.part[CERTSLOT_SLOT_APPLICATION3][CERTSLOT_KIND_CA].ncerts, 1);
    certslot_config_free(&cfg);

    /* Nothing new: nothing written. */
    certslot_config_init(&cfg);
    certslot_config_finish(&cfg);
    assert_int_equal(certslot_config_apply(&cfg, &st, on_report, &r), 0);
    unsigned long ops = sim.ops;
    certslot_config_free(&cfg);
    certslot_config_init(&cfg);
    certslot_config_finish(&cfg);
    assert_int_equal(certslot_config_apply(&cfg, &st, on_report, &r), 0);
    assert_int_equal(sim.ops, ops);
    /* A configuration is applied once: its slot values went to the store. */
    assert_int_equal(certslot_config_apply(&cfg, &st, on_report, &r), CERTSLOT_ERR_ARG);
    certslot_config_free(&cfg);
    free(xml);
    free(weak);
    free(ec);
}

/* Applies xml to st; its result, with the last report in r. */
static int apply_text(const char *xml, report_t *r)
{
    certslot_config_t cfg;
    certslot_config_init(&cfg);
    certslot_config_parse_buffer(&cfg, "site.cfg", xml, strlen(xml));
    certslot_config_finish(&cfg);
    memset(r, 0, sizeof(*r));
    int ret = certslot_config_apply(&cfg, &st, on_report, r);
    certslot_config_free(&cfg);
    return ret;
}

/*
 * A device part's key set empty, its certificate not: refused (a certificate without its key is no device
 * certificate), the slot as it was. Setting the certificate empty empties the part; an empty key alone in an empty
 * part changes nothing.
 */
static void test_device_key_emptied_alone_is_refused(void **state)
{
    (void)state;
    report_t r;
    const certslot_part_t *dev = &st.part[CERTSLOT_SLOT_PLATFORM2][CERTSLOT_KIND_DEVICE];
    fill_two_slots();
    digest_t before = digest(&st);
    assert_int_equal(apply_text("<x device.set=\"1\" device.sec.TLS.customDeviceKey2=\"\" "
                                "device.sec.TLS.customDeviceKey2.set=\"1\"/>", &r), CERTSLOT_ERR_VALUE);
    assert_int_equal(r.calls, 1);
    assert_int_equal(r.param, CERTSLOT_PARAM(PLATFORM_DEVICE_KEY, 2));
    if (strstr(r.msg, "platform2 device refused, slot unchanged: the device certificate needs its private key "
                      "(set the certificate empty to empty the slot)") == NULL)
        fail_msg("%s", r.msg);
    assert_true(same(before, digest(&st)));
    assert_int_equal(apply_text("<x device.set=\"1\" device.sec.TLS.customDeviceCert2=\"\" "
                                "device.sec.TLS.customDeviceCert2.set=\"1\"/>", &r), 0);
    assert_int_equal(dev->ncerts, 0);
    assert_int_equal(dev->key.len, 0);
    before = digest(&st);
    assert_int_equal(apply_text("<x device.set=\"1\" device.sec.TLS.customDeviceKey2=\"\" "
                                "device.sec.TLS.customDeviceKey2.set=\"1\"/>", &r), 0);
    assert_int_equal(r.calls, 0);
    assert_true(same(before, digest(&st)));
}

static void test_allocation_failures_change_nothing(void **state)
{
    (void)state;
    /* Everything, the simulated storage included, allocates through the counting allocator. */
    teardown(NULL);
    tu_alloc_install(0);
    setup(NULL);
    fill_two_slots();
    digest_t old = digest(&st);
    size_t len;
    char *crt = tu_pki_read("device-ec.crt", &len), *key = tu_pki_read("device-ec.key", NULL);

    for (size_t n = 1;; n++) {
        tu_alloc_fail_at(n);
        int ret = certslot_store_install(&st, CERTSLOT_SLOT_PLATFORM2, CERTSLOT_KIND_DEVICE, (unsigned char *)crt,
                                         len, (unsigned char *)key, strlen(key), 0, &res);
        int failed = tu_alloc_failed();
        tu_alloc_fail_at(0);
        if (!failed || ret == 0) { /* no failure, or only a log line was lost */
            assert_int_equal(ret, 0);
            break;
        }
        assert_true(same(old, digest(&st)));
        /* Storage holds the old or the new store, whatever the failure hit. */
        certslot_store_t again;
        assert_int_equal(certslot_store_open(&again, &hal), 0);
        digest_t d = digest(&again);
        certslot_store_free(&again);
        assert_true(same(old, d) || n > 1);
    }
    assert_false(same(old, digest(&st)));
    free(crt);
    free(key);
}

/* ---- memory ---- */

/* The simulated storage's own copy of what is written is the flash of a real handset, not the store's heap. */
static int write_uncounted(void *ctx, const char *name, const unsigned char *data, size_t len)
{
    tu_alloc_pause(1);
    int ret = hal.storage_write(ctx, name, data, len);
    tu_alloc_pause(0);
    return ret;
}

/* The store reopened on a hal whose flash writes the heap counters leave out; bundle: eight PEM certificates. */
static const certslot_hal_t *counted_store(char bundle[16384])
{
    static certslot_hal_t counted;
    counted = hal;
    counted.storage_write = write_uncounted;
    certslot_store_free(&st);
    assert_int_equal(certslot_store_open(&st, &counted), 0);
    bundle[0] = '\0';
    for (unsigned i = 0; i < 8; i++) {
        static const char *const files[] = {"root-rsa.crt", "inter.crt", "server-ca.crt", "root-ec.crt"};
        char *pem = tu_pki_read(files[i % 4], NULL);
        assert_true(strlen(bundle) + strlen(pem) < 16384);
        strcat(bundle, pem);
        free(pem);
    }
    return &counted;
}

static void test_update_and_open_hold_one_copy_of_the_store(void **state)
{
    (void)state;
    /* Every CA slot full: the store is about 40 KB, far more than the slack allowed below. */
    char bundle[16384];
    const certslot_hal_t *counted = counted_store(bundle);
    for (unsigned s = 0; s < CERTSLOT_SLOT_COUNT; s++)
        assert_int_equal(certslot_store_install(&st, (certslot_slot_t)s, CERTSLOT_KIND_CA, (unsigned char *)bundle,
                                                strlen(bundle), NULL, 0, 0, &res),
                         0);
    unsigned char *file = NULL;
    size_t flen = 0, der = 0;
    assert_int_equal(hal.storage_read(hal.ctx, "store", &file, &flen), 0);
    certslot_free(file);
    for (unsigned s = 0; s < CERTSLOT_SLOT_COUNT; s++)
        for (unsigned i = 0; i < st.part[s][CERTSLOT_KIND_CA].ncerts; i++)
            der += st.part[s][CERTSLOT_KIND_CA].certs[i].len;
    assert_true(flen > 32768);

    /* An update: the new part, and the new file, sealed in place (not the records and then their ciphertext). */
    tu_alloc_install(0);
    size_t base = tu_alloc_outstanding();
    assert_int_equal(install_file(CERTSLOT_SLOT_PLATFORM1, CERTSLOT_KIND_CA, "root-ec.crt", NULL, 0), 0);
    assert_true(tu_alloc_peak() - base <= flen + 4096);

    /* Open, with store and store.bak present: one file at a time, decrypted in place, and the parts it gives. */
    certslot_store_free(&st);
    tu_alloc_install(0);
    assert_int_equal(certslot_store_open(&st, counted), 0);
    assert_true(tu_alloc_peak() <= flen + der + 4096);
    tu_alloc_uninstall();
}

/* A configuration of certificate bundles: held as DER while parsed, handed over to the store when applied (not
 * held beside the store's new parts and the sealed file). */
static void test_config_bundles_are_held_once(void **state)
{
    (void)state;
    static certslot_config_t cfg;
    char bundle[16384];
    counted_store(bundle);
    size_t text = strlen(bundle), size = 6 * (text + 64) + 64;
    char *xml = malloc(size);
    int o = snprintf(xml, size, "<x");
    for (unsigned s = 1; s <= 6; s++)
        o += snprintf(xml + o, size - (size_t)o, " sec.TLS.customCaCert.%u=\"%s\"", s, bundle);
    snprintf(xml + o, size - (size_t)o, "/>");

    tu_alloc_install(0);
    certslot_config_init(&cfg);
    assert_int_equal(certslot_config_parse_buffer(&cfg, "w.cfg", xml, strlen(xml)), 0);
    assert_int_equal(certslot_config_finish(&cfg), 0);
    const certslot_value_t *v = &cfg.v[certslot_param_lookup("sec.TLS.customCaCert.1", 22, NULL)];
    assert_true(v->der);
    size_t der = v->len;
    assert_true(der < text * 4 / 5);
    /* The six bundles as DER, three quarters of their text; held as text they would take 6 * text. */
    assert_true(tu_alloc_outstanding() < 6 * der + 4096);

    tu_alloc_peak_reset();
    size_t before = tu_alloc_outstanding();
    assert_int_equal(certslot_config_apply(&cfg, &st, NULL, NULL), 0);
    unsigned char *file = NULL;
    size_t flen = 0;
    assert_int_equal(hal.storage_read(hal.ctx, "store", &file, &flen), 0);
    certslot_free(file);
    /* The new parts and the sealed file: a bundle's DER each. The configuration's copy went as the parts were
     * built; held until the end it would add another 6 * der. */
    assert_true(tu_alloc_peak() - before < flen + 3 * der);
    for (unsigned s = 1; s <= 6; s++) {
        char name[32];
        snprintf(name, sizeof(name), "sec.TLS.customCaCert.%u", s);
        assert_null(cfg.v[certslot_param_lookup(name, strlen(name), NULL)].text);
        assert_int_equal(st.part[CERTSLOT_SLOT_APPLICATION1 + s - 1][CERTSLOT_KIND_CA].ncerts, 8);
    }
    tu_alloc_uninstall();
    certslot_config_free(&cfg);
    free(xml);
}

/* Once a device key is installed and the store closed, no freed block holds a piece of it (the DER the store keeps). */
static void test_key_bytes_are_wiped_from_freed_memory(void **state)
{
    (void)state;
    assert_int_equal(install_file(CERTSLOT_SLOT_PLATFORM2, CERTSLOT_KIND_DEVICE, "device.crt", "device.key", 0), 0);
    const certslot_part_t *p = &st.part[CERTSLOT_SLOT_PLATFORM2][CERTSLOT_KIND_DEVICE];
    size_t key_len = p->key.len, crt_len = p->certs[0].len;
    unsigned char *key = malloc(key_len), *crt = malloc(crt_len);
    memcpy(key, p->key.der, key_len);
    memcpy(crt, p->certs[0].der, crt_len);

    tu_alloc_quarantine(1);
    reopen(0); /* the store decrypts the file, parses the records, keeps the key */
    assert_int_equal(install_file(CERTSLOT_SLOT_APPLICATION1, CERTSLOT_KIND_CA, "root-rsa.crt", NULL, 0), 0);
    certslot_store_free(&st);
    size_t leaked = tu_alloc_freed_key_chunks(key, key_len, crt, crt_len);
    tu_alloc_quarantine(0);
    free(key);
    free(crt);
    assert_int_equal(leaked, 0);
    assert_int_equal(certslot_store_open(&st, &hal), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_install_and_reopen, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refusals_leave_the_slot_and_storage_unchanged, setup, teardown),
        cmocka_unit_test_setup_teardown(test_weak_certificates_with_relaxed_policy_are_logged, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sha1_self_signed_root_is_accepted, setup, teardown),
        cmocka_unit_test_setup_teardown(test_key_first_then_certificate, setup, teardown),
        cmocka_unit_test_setup_teardown(test_no_key_byte_in_clear_on_storage, setup, teardown),
        cmocka_unit_test_setup_teardown(test_every_power_cut_point_gives_old_or_new, setup, teardown),
        cmocka_unit_test_setup_teardown(test_power_cut_while_applying_a_configuration, setup, teardown),
        cmocka_unit_test_setup_teardown(test_damaged_newest_file_falls_back_to_last_good_copy, setup, teardown),
        cmocka_unit_test_setup_teardown(test_open_leaves_an_older_copy_alone, setup, teardown),
        cmocka_unit_test_setup_teardown(test_open_tries_the_newest_claim_first, setup, teardown),
        cmocka_unit_test_setup_teardown(test_a_copy_not_decrypted_never_becomes_store_bak, setup, teardown),
        cmocka_unit_test_setup_teardown(test_nothing_intact_starts_empty_and_recovers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_store_of_another_handset_is_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_older_copy_is_refused_as_a_rollback, setup, teardown),
        cmocka_unit_test_setup_teardown(test_deleted_or_missing_files_with_a_counter, setup, teardown),
        cmocka_unit_test_setup_teardown(test_missing_newest_file_is_reported, setup, teardown),
        cmocka_unit_test_setup_teardown(test_counter_failures, setup, teardown),
        cmocka_unit_test_setup_teardown(test_apply_is_all_or_nothing_per_slot, setup, teardown),
        cmocka_unit_test_setup_teardown(test_device_key_emptied_alone_is_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_allocation_failures_change_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_update_and_open_hold_one_copy_of_the_store, setup, teardown),
        cmocka_unit_test_setup_teardown(test_config_bundles_are_held_once, setup, teardown),
        cmocka_unit_test_setup_teardown(test_key_bytes_are_wiped_from_freed_memory, setup, teardown),
    };
    return cmocka_run_group_tests_name("store", tests, NULL, NULL);
}
