/*
 * certslot called from several threads at once, each with its own contexts:
 * what a handset does when SIP, syslog and provisioning connect at the same
 * time. make test also runs this program under valgrind's DRD, which fails
 * it on any access to shared state that nothing orders (a lock, a join,
 * call_once): certslot's own, and mbedTLS's PSA state, which TLS 1.3 and
 * the blinding of key operations use.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include <mbedtls/platform.h>

#include "certslot/cert.h"
#include "certslot/config.h"
#include "certslot/error.h"
#include "certslot/hal_linux.h"
#include "certslot/hal_sim.h"
#include "certslot/platform.h"
#include "certslot/store.h"
#include "certslot/tls.h"
#include "sserver.h"
#include "testutil.h"

/*
 * mbedTLS reports some failed allocations as parse errors, so certslot counts the allocations it refused since
 * the calling thread's last look. That count is the thread's own: an allocation that failed in one thread does not
 * turn another thread's bad certificate into "out of memory", nor does the other thread's look hide it.
 */
static pthread_t failing_thread;
static int fail_now;
static int other_result;

static void *calloc_failing_in_one_thread(size_t n, size_t size)
{
    return fail_now && pthread_equal(pthread_self(), failing_thread) ? NULL : calloc(n, size);
}

static const unsigned char not_a_certificate[] = {0x30, 0x03, 0x02, 0x01, 0x00};

static int decode_not_a_certificate(void)
{
    mbedtls_x509_crt chain;
    char reason[CERTSLOT_WHY_LEN];
    mbedtls_x509_crt_init(&chain);
    int ret = certslot_cert_decode(not_a_certificate, sizeof(not_a_certificate), &chain, reason, sizeof(reason));
    mbedtls_x509_crt_free(&chain);
    return ret;
}

static void *other_thread(void *arg)
{
    (void)arg;
    other_result = decode_not_a_certificate();
    return NULL;
}

static void test_failed_allocations_are_counted_per_thread(void **state)
{
    (void)state;
    failing_thread = pthread_self();
    certslot_platform_set_calloc_free(calloc_failing_in_one_thread, free);
    fail_now = 1;
    assert_null(mbedtls_calloc(1, 64)); /* refused, and not yet looked at */
    fail_now = 0;

    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, other_thread, NULL), 0);
    assert_int_equal(pthread_join(t, NULL), 0);
    assert_int_equal(other_result, CERTSLOT_ERR_CERT);
    assert_int_equal(decode_not_a_certificate(), CERTSLOT_ERR_NOMEM); /* this thread's failure, still there */
    assert_int_equal(decode_not_a_certificate(), CERTSLOT_ERR_CERT);
    certslot_platform_set_calloc_free(NULL, NULL);
}

/*
 * Keys decoded and matched with their certificates in two threads at once: the pair checks are blinded with PSA's
 * random generator, one for the whole process.
 */
#define KEY_THREADS 2
#define KEY_ROUNDS 3

static struct {
    char *key, *crt;
    size_t key_len, crt_len;
} pairs[2]; /* an EC and an RSA device certificate with its key, read before the threads start */

static void *decode_keys(void *arg)
{
    int *failures = arg;

    for (int round = 0; round < KEY_ROUNDS; round++) {
        for (size_t k = 0; k < sizeof(pairs) / sizeof(pairs[0]); k++) {
            mbedtls_pk_context pk;
            mbedtls_x509_crt crt;
            char reason[CERTSLOT_WHY_LEN];
            mbedtls_pk_init(&pk);
            mbedtls_x509_crt_init(&crt);
            if (certslot_key_decode((const unsigned char *)pairs[k].key, pairs[k].key_len, &pk, reason,
                                    sizeof(reason)) != 0 ||
                certslot_cert_decode((const unsigned char *)pairs[k].crt, pairs[k].crt_len, &crt, reason,
                                     sizeof(reason)) != 0 ||
                certslot_key_matches(&crt, &pk) != 0)
                (*failures)++;
            mbedtls_x509_crt_free(&crt);
            mbedtls_pk_free(&pk);
        }
    }
    return NULL;
}

static void test_keys_decode_in_threads_at_once(void **state)
{
    (void)state;
    pthread_t t[KEY_THREADS];
    int failures[KEY_THREADS] = {0};

    static const char *const names[][2] = {{"device-ec.key", "device-ec.crt"}, {"device.key", "device.crt"}};
    for (size_t k = 0; k < sizeof(pairs) / sizeof(pairs[0]); k++) {
        pairs[k].key = tu_pki_read(names[k][0], &pairs[k].key_len);
        pairs[k].crt = tu_pki_read(names[k][1], &pairs[k].crt_len);
        assert_non_null(pairs[k].key);
        assert_non_null(pairs[k].crt);
    }
    for (int i = 0; i < KEY_THREADS; i++)
        assert_int_equal(pthread_create(&t[i], NULL, decode_keys, &failures[i]), 0);
    for (int i = 0; i < KEY_THREADS; i++) {
        assert_int_equal(pthread_join(t[i], NULL), 0);
        assert_int_equal(failures[i], 0);
    }
    for (size_t k = 0; k < sizeof(pairs) / sizeof(pairs[0]); k++) {
        free(pairs[k].key);
        free(pairs[k].crt);
    }
}

/*
 * TLS 1.3 connections in threads at once, through SIP's profile, to one openssl s_server: two handsets of their
 * own, each filling its store meanwhile, and two threads of one handset, sharing its hal/linux and its store (which
 * nobody changes meanwhile). TLS 1.3 keeps its keys in PSA's key slots, one table for the process.
 */
#define TLS_THREADS 4 /* even: own handsets, odd: the shared one */

static struct {
    char *ca, *crt, *key;
    size_t ca_len, crt_len, key_len;
    uint16_t port;
    certslot_hal_t hal; /* the shared handset */
    certslot_store_t st;
} peer; /* set before the threads start */

typedef struct {
    int ret;
    char why[256], version[16];
} tls_result_t;

static int fill_store(certslot_store_t *st, const certslot_hal_t *hal, char *why, size_t why_size)
{
    certslot_result_t res;
    int ret = certslot_store_open(st, hal);

    if (ret == 0)
        ret = certslot_store_install(st, CERTSLOT_SLOT_APPLICATION2, CERTSLOT_KIND_CA, (unsigned char *)peer.ca,
                                     peer.ca_len, NULL, 0, 0, &res);
    if (ret == 0)
        ret = certslot_store_install(st, CERTSLOT_SLOT_APPLICATION2, CERTSLOT_KIND_DEVICE, (unsigned char *)peer.crt,
                                     peer.crt_len, (unsigned char *)peer.key, peer.key_len, 0, &res);
    if (ret != 0)
        snprintf(why, why_size, "store: %.200s", res.msg);
    return ret;
}

/* A SIP connection through st's application profile 2, a request and its answer. */
static void connect_sip(tls_result_t *r, const certslot_hal_t *hal, const certslot_store_t *st)
{
    static const char xml[] = "<x sec.TLS.profileSelection.SIP='ApplicationProfile2' "
                              "sec.TLS.profile.2.caCert.defaultList='0' sec.TLS.profile.2.deviceCert='Application2'/>";
    certslot_config_t cfg;
    certslot_settings_t set;
    certslot_tls_t tls;
    certslot_tls_conn_t conn;

    certslot_config_init(&cfg);
    certslot_settings_init(&set);
    certslot_tls_init(&tls);
    if ((r->ret = certslot_config_parse_buffer(&cfg, "sip.cfg", xml, sizeof(xml) - 1)) == 0 &&
        (r->ret = certslot_config_finish(&cfg)) == 0 &&
        (r->ret = certslot_config_settings(&cfg, &set, r->why, sizeof(r->why))) == 0 &&
        (r->ret = certslot_tls_setup(&tls, hal, &set, st, CERTSLOT_APP_SIP, r->why, sizeof(r->why))) == 0)
        r->ret = certslot_tls_connect(&conn, &tls, "127.0.0.1", peer.port, "server.test", 60000, r->why,
                                      sizeof(r->why));
    if (r->ret == 0) {
        static const unsigned char req[] = "GET / HTTP/1.0\r\n\r\n";
        unsigned char buf[64];
        snprintf(r->version, sizeof(r->version), "%s", mbedtls_ssl_get_version(&conn.ssl));
        if (certslot_tls_write(&conn, req, sizeof(req) - 1) != (int)sizeof(req) - 1 ||
            certslot_tls_read(&conn, buf, sizeof(buf)) <= 0)
            r->ret = -1, snprintf(r->why, sizeof(r->why), "no data through the connection");
        certslot_tls_close(&conn);
    }
    certslot_tls_free(&tls);
    certslot_settings_free(&set);
    certslot_config_free(&cfg);
}

static void *own_handset(void *arg)
{
    tls_result_t *r = arg;
    certslot_hal_sim_t sim;
    certslot_hal_t hal;
    certslot_store_t st;

    certslot_hal_sim_init(&sim, &hal);
    sim.now = (int64_t)time(NULL);
    r->ret = fill_store(&st, &hal, r->why, sizeof(r->why));
    if (r->ret == 0)
        connect_sip(r, &hal, &st);
    certslot_store_free(&st);
    certslot_hal_sim_free(&sim);
    return NULL;
}

static void *shared_handset(void *arg)
{
    connect_sip(arg, &peer.hal, &peer.st);
    return NULL;
}

static void test_tls13_connections_in_threads_at_once(void **state)
{
    (void)state;
    sserver_t server;
    char log[600], cert[512], key[512], chain[512], dir[512], storage[600], secret[600], why[256] = "";
    const char *args[] = {"-tls1_3", "-cert", cert, "-key", key, "-cert_chain", chain, NULL};
    snprintf(cert, sizeof(cert), "%s", tu_pki("server.crt"));
    snprintf(key, sizeof(key), "%s", tu_pki("server.key"));
    snprintf(chain, sizeof(chain), "%s", tu_pki("inter.crt"));
    snprintf(dir, sizeof(dir), "%s", tu_tmpdir());
    snprintf(log, sizeof(log), "%s/s_server.log", dir);
    snprintf(storage, sizeof(storage), "%s/store", dir);
    snprintf(secret, sizeof(secret), "%s/secret", dir);
    assert_int_equal(sserver_start(&server, log, args), 0);
    peer.port = server.port;
    peer.ca = tu_pki_read("root-rsa.crt", &peer.ca_len);
    peer.crt = tu_pki_read("device.crt", &peer.crt_len);
    peer.key = tu_pki_read("device.key", &peer.key_len);
    assert_non_null(peer.ca);
    assert_non_null(peer.crt);
    assert_non_null(peer.key);
    certslot_hal_linux_t linux_hal;
    certslot_hal_linux_options_t opt = {.storage_dir = storage, .secret_path = secret, .create = 1,
                                        .mac = "00:04:f2:a1:b2:c3", .log_level = CERTSLOT_LOG_ERROR};
    certslot_hal_linux_init(&linux_hal);
    assert_int_equal(certslot_hal_linux_open(&linux_hal, &peer.hal, &opt), 0);
    if (fill_store(&peer.st, &peer.hal, why, sizeof(why)) != 0)
        fail_msg("%s", why);

    pthread_t t[TLS_THREADS];
    tls_result_t r[TLS_THREADS];
    memset(r, 0, sizeof(r));
    for (int i = 0; i < TLS_THREADS; i++)
        assert_int_equal(pthread_create(&t[i], NULL, i % 2 == 0 ? own_handset : shared_handset, &r[i]), 0);
    for (int i = 0; i < TLS_THREADS; i++)
        assert_int_equal(pthread_join(t[i], NULL), 0);
    sserver_stop(&server);
    certslot_store_free(&peer.st);
    certslot_hal_linux_free(&linux_hal);
    free(peer.ca);
    free(peer.crt);
    free(peer.key);
    for (int i = 0; i < TLS_THREADS; i++) {
        if (r[i].ret != 0)
            fail_msg("thread %d: %d (%s)", i, r[i].ret, r[i].why);
        assert_string_equal(r[i].version, "TLSv1.3");
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_failed_allocations_are_counted_per_thread),
        cmocka_unit_test(test_keys_decode_in_threads_at_once),
        cmocka_unit_test(test_tls13_connections_in_threads_at_once),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
