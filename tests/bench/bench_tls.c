/*
 * One full TLS handshake through an application's profile against a plain
 * mbedTLS client doing the same handshake with the same certificates.
 *
 *   bench_tls ours|base 1.2|1.3 rsa|ec
 *
 * The server: openssl s_server, TLS 1.2 with one suite (ECDHE-RSA- or
 * ECDHE-ECDSA-AES128-GCM-SHA256) or TLS 1.3 with one suite
 * (TLS_AES_128_GCM_SHA256), with the test PKI's server.crt, its key and
 * inter.crt as the chain under root-rsa (rsa), or server-ec.crt and its key
 * under root-ec (ec), on 127.0.0.1 and a random high port, started before and
 * stopped after the measured part (also when the program fails).
 * ours: certslot_tls_setup + certslot_tls_connect + certslot_tls_close +
 * certslot_tls_free for SIP on ApplicationProfile2 (built-in list off,
 * the root in application CA slot 2, sec.TLS.SIP.cipherList or
 * sec.TLS.SIP.tls13CipherSuites forcing the suite, strict name check on for
 * "server.test"). The hal/sim store and the
 * parsed config are prepared before; the handset has no factory device
 * certificate (the server asks for none, and the baseline presents none).
 * base: mbedtls_ssl_config_defaults, the same root DER parsed as the CA chain,
 * MBEDTLS_SSL_VERIFY_REQUIRED, the same suite forced, a CTR_DRBG seeded from
 * the same entropy source (the hal's random), mbedtls_ssl_set_hostname
 * ("server.test"), handshake, close_notify, frees. Both sides run over the
 * same transport functions (port/posix through the same bio shims as tls.c),
 * so the figure is certslot's TLS layer and nothing else.
 */
#include "bench.h"

#include <time.h>
#include <unistd.h>

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/net_sockets.h>
#include <mbedtls/ssl.h>
#include <mbedtls/x509_crt.h>
#include <psa/crypto.h>

#include "certslot/config.h"
#include "certslot/error.h"
#include "certslot/hal_sim.h"
#include "certslot/port.h"
#include "certslot/store.h"
#include "certslot/tls.h"
#include "sserver.h"

#define SUITE "ECDHE-RSA-AES128-GCM-SHA256"
#define SUITE_EC "ECDHE-ECDSA-AES128-GCM-SHA256"
#define SUITE13 "TLS_AES_128_GCM_SHA256"
#define NAME "server.test"

static int tls13; /* 1: the TLS 1.3 handshake */
static int ec;    /* 1: the ECDSA server */

__attribute__((noinline)) int bench_measure(int ours);

static certslot_hal_sim_t sim;
static certslot_hal_t hal;
static certslot_store_t store;
static certslot_config_t cfg;
static certslot_settings_t settings; /* what cfg decides: what a handset keeps in its store */
static unsigned char root_der[4096];
static size_t root_der_len;
static char suite[64];

/* ---- openssl s_server ---- */

static sserver_t server;
static char server_log[64];

static void server_stop(void)
{
    sserver_stop(&server);
    if (server_log[0] != '\0')
        unlink(server_log);
}

/* On a random high port, with the one suite forced. */
static void server_start(void)
{
    char cert[1024], key[1024], chain[1024];

    snprintf(cert, sizeof(cert), "%s", bench_pki(ec ? "server-ec.crt" : "server.crt"));
    snprintf(key, sizeof(key), "%s", bench_pki(ec ? "server-ec.key" : "server.key"));
    snprintf(chain, sizeof(chain), "%s", bench_pki(ec ? "server-ec.crt" : "inter.crt"));
    snprintf(server_log, sizeof(server_log), "/tmp/bench_tls.%ld.log", (long)getpid());
    atexit(server_stop);
    const char *args12[] = {"-no_tls1_3", "-cipher", ec ? SUITE_EC : SUITE, "-cert", cert, "-key", key, "-cert_chain", chain, NULL};
    const char *args13[] = {"-tls1_3", "-ciphersuites", SUITE13, "-cert", cert, "-key", key, "-cert_chain", chain,
                            NULL};
    const char **args = tls13 ? args13 : args12;
    if (sserver_start(&server, server_log, args) != 0)
        bench_die("openssl s_server did not start");
}

/* ---- ours ---- */

static certslot_tls_t tls;
static certslot_tls_conn_t conn;

static int measure_ours(void)
{
    char why[256];
    certslot_tls_init(&tls);
    int ret = certslot_tls_setup(&tls, &hal, &settings, &store, CERTSLOT_APP_SIP, why, sizeof(why));
    if (ret == 0) {
        ret = certslot_tls_connect(&conn, &tls, "127.0.0.1", server.port, NAME, CERTSLOT_TLS_TIMEOUT_MS, why,
                                   sizeof(why));
        if (ret == 0) {
            snprintf(suite, sizeof(suite), "%s", mbedtls_ssl_get_ciphersuite(&conn.ssl));
            certslot_tls_close(&conn);
        }
    }
    certslot_tls_free(&tls);
    if (ret != 0)
        fprintf(stderr, "bench: ours: %s\n", why);
    return ret;
}

/* ---- base: a plain mbedTLS client ---- */

static mbedtls_ssl_config conf;
static mbedtls_ctr_drbg_context drbg;
static mbedtls_x509_crt ca;
static mbedtls_ssl_context ssl;
static certslot_conn_t *sock;
static const int base_suites[] = {MBEDTLS_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, 0};
static const int base_suites_ec[] = {MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, 0};
static const int base_suites13[] = {MBEDTLS_TLS1_3_AES_128_GCM_SHA256, 0};

static int entropy(void *ctx, unsigned char *out, size_t len)
{
    const certslot_hal_t *h = ctx;
    return h->random(h->ctx, out, len) == 0 ? 0 : MBEDTLS_ERR_CTR_DRBG_ENTROPY_SOURCE_FAILED;
}

/* The same shims as firmware/src/tls.c. */
static int bio_send(void *ctx, const unsigned char *buf, size_t len)
{
    int n = certslot_port_send(ctx, buf, len, CERTSLOT_TLS_TIMEOUT_MS);
    return n >= 0 ? n : MBEDTLS_ERR_NET_SEND_FAILED;
}

static int bio_recv(void *ctx, unsigned char *buf, size_t len, uint32_t timeout)
{
    int n = certslot_port_recv(ctx, buf, len, timeout != 0 ? timeout : CERTSLOT_TLS_TIMEOUT_MS);
    if (n >= 0)
        return n;
    return n == CERTSLOT_ERR_TIMEOUT ? MBEDTLS_ERR_SSL_TIMEOUT : MBEDTLS_ERR_NET_RECV_FAILED;
}

static int measure_base(void)
{
    static const unsigned char pers[] = "bench tls";
    int ret;

    mbedtls_ssl_config_init(&conf);
    mbedtls_ctr_drbg_init(&drbg);
    mbedtls_x509_crt_init(&ca);
    mbedtls_ssl_init(&ssl);
    ret = psa_crypto_init() == PSA_SUCCESS ? 0 : -1; /* TLS 1.3 needs it (certslot_tls_setup does the same) */
    if (ret == 0)
        ret = mbedtls_ctr_drbg_seed(&drbg, entropy, &hal, pers, sizeof(pers) - 1);
    if (ret == 0)
        ret = mbedtls_ssl_config_defaults(&conf, MBEDTLS_SSL_IS_CLIENT, MBEDTLS_SSL_TRANSPORT_STREAM,
                                          MBEDTLS_SSL_PRESET_DEFAULT);
    if (ret == 0)
        ret = mbedtls_x509_crt_parse_der(&ca, root_der, root_der_len);
    if (ret == 0) {
        mbedtls_ssl_conf_rng(&conf, mbedtls_ctr_drbg_random, &drbg);
        mbedtls_ssl_conf_authmode(&conf, MBEDTLS_SSL_VERIFY_REQUIRED);
        mbedtls_ssl_conf_ca_chain(&conf, &ca, NULL);
        mbedtls_ssl_conf_ciphersuites(&conf, tls13 ? base_suites13 : ec ? base_suites_ec : base_suites);
        mbedtls_ssl_conf_read_timeout(&conf, CERTSLOT_TLS_TIMEOUT_MS);
        ret = certslot_port_connect(&sock, "127.0.0.1", server.port, CERTSLOT_TLS_TIMEOUT_MS);
    }
    if (ret == 0)
        ret = mbedtls_ssl_setup(&ssl, &conf);
    if (ret == 0)
        ret = mbedtls_ssl_set_hostname(&ssl, NAME);
    if (ret == 0) {
        mbedtls_ssl_set_bio(&ssl, sock, bio_send, NULL, bio_recv);
        do
            ret = mbedtls_ssl_handshake(&ssl);
        while (ret == MBEDTLS_ERR_SSL_WANT_READ || ret == MBEDTLS_ERR_SSL_WANT_WRITE);
    }
    if (ret == 0 && mbedtls_ssl_get_verify_result(&ssl) != 0)
        ret = -1;
    if (ret == 0) {
        snprintf(suite, sizeof(suite), "%s", mbedtls_ssl_get_ciphersuite(&ssl));
        (void)mbedtls_ssl_close_notify(&ssl);
    }
    if (ret != 0)
        fprintf(stderr, "bench: base: handshake failed: -0x%04x\n", (unsigned)-ret);
    mbedtls_ssl_free(&ssl);
    certslot_port_close(sock);
    sock = NULL;
    mbedtls_x509_crt_free(&ca);
    mbedtls_ctr_drbg_free(&drbg);
    mbedtls_ssl_config_free(&conf);
    return ret;
}

int bench_measure(int ours)
{
    return ours ? measure_ours() : measure_base();
}

/* ---- the handset, prepared before the measured part ---- */

static void prepare(void)
{
    static const char xml12[] = "<x sec.TLS.profileSelection.SIP='ApplicationProfile2'"
                                " sec.TLS.profile.2.caCert.defaultList='0' sec.TLS.SIP.cipherList='" SUITE "'/>";
    static const char xml12ec[] = "<x sec.TLS.profileSelection.SIP='ApplicationProfile2'"
                                  " sec.TLS.profile.2.caCert.defaultList='0' sec.TLS.SIP.cipherList='" SUITE_EC "'/>";
    static const char xml13[] = "<x sec.TLS.profileSelection.SIP='ApplicationProfile2'"
                                " sec.TLS.profile.2.caCert.defaultList='0' sec.TLS.SIP.tls13CipherSuites='" SUITE13
                                "'/>";
    const char *xml = tls13 ? xml13 : ec ? xml12ec : xml12;
    certslot_result_t res;
    char why[200];
    size_t len;
    char *pem = bench_read(bench_pki(ec ? "root-ec.crt" : "root-rsa.crt"), &len);

    if (pem == NULL)
        bench_die("cannot read the test PKI (make bench builds it)");
    certslot_hal_sim_init(&sim, &hal);
    sim.now = (int64_t)time(NULL); /* the test PKI is valid from today */
    sim.no_factory_device = 1;
    if (certslot_store_open(&store, &hal) != 0 ||
        certslot_store_install(&store, CERTSLOT_SLOT_APPLICATION2, CERTSLOT_KIND_CA, (unsigned char *)pem, len,
                               NULL, 0, 0, &res) != 0)
        bench_die("cannot install the root in application CA slot 2");
    free(pem);
    const certslot_part_t *p = &store.part[CERTSLOT_SLOT_APPLICATION2][CERTSLOT_KIND_CA];
    if (p->ncerts != 1 || p->certs[0].len > sizeof(root_der))
        bench_die("application CA slot 2 does not hold the root");
    memcpy(root_der, p->certs[0].der, p->certs[0].len);
    root_der_len = p->certs[0].len;
    certslot_config_init(&cfg);
    if (certslot_config_parse_buffer(&cfg, "bench.cfg", xml, strlen(xml)) != 0 ||
        certslot_config_finish(&cfg) != 0 || cfg.warnings != 0 || cfg.errors != 0 ||
        certslot_config_settings(&cfg, &settings, why, sizeof(why)) != 0)
        bench_die("bench.cfg did not apply as intended");
}

int main(int argc, char **argv)
{
    if (argc != 4 || (strcmp(argv[1], "ours") != 0 && strcmp(argv[1], "base") != 0) ||
        (strcmp(argv[2], "1.2") != 0 && strcmp(argv[2], "1.3") != 0) ||
        (strcmp(argv[3], "rsa") != 0 && strcmp(argv[3], "ec") != 0))
        bench_die("usage: bench_tls ours|base 1.2|1.3 rsa|ec");
    int ours = strcmp(argv[1], "ours") == 0;
    tls13 = strcmp(argv[2], "1.3") == 0;
    ec = strcmp(argv[3], "ec") == 0;

    prepare();
    server_start();
    bench_heap_start();
    if (bench_measure(ours) != 0)
        bench_die("the handshake failed");
    printf("suite %s\n", suite);
    printf("version %s\n", tls13 ? "TLS 1.3" : "TLS 1.2");
    printf("heap_peak %lld\n", bench_heap_peak());
    server_stop();
    certslot_config_free(&cfg);
    certslot_store_free(&store);
    certslot_hal_sim_free(&sim);
    return 0;
}
