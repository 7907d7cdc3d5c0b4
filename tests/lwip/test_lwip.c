/*
 * The TLS layer over port/lwip, with Debian's lwIP stack running inside this
 * process: tcpip_init() starts lwIP's thread, one netif holds 127.0.0.1/8 and
 * lwIP's own loopback (LWIP_NETIF_LOOPBACK, netif_loop_output) carries every
 * packet back into the stack; no kernel socket is involved. A TLS server
 * thread (mbedTLS over lwip_* sockets, the test PKI's server.test chain)
 * answers the module's client (certslot_tls_setup + certslot_tls_connect):
 * a verified handshake with the strict name check and data both ways, a
 * refused wrong name, a silent server timing out, a closed port; and the
 * datagram functions in TFTP's request/answer pattern. The same
 * program runs under qemu-arm against the armhf liblwip.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/pk.h>
#include <mbedtls/ssl.h>
#include <mbedtls/version.h>
#include <mbedtls/x509_crt.h>

#include "lwip/opt.h"
#include "lwip/def.h"
#include "lwip/ip4_addr.h"
#include "lwip/netif.h"
#include "lwip/sockets.h"
#include "lwip/sys.h"
#include "lwip/tcpip.h"

#include "certslot/config.h"
#include "certslot/error.h"
#include "certslot/hal_sim.h"
#include "certslot/store.h"
#include "certslot/tls.h"
#include "testutil.h"

#define PAYLOAD_LEN 20000 /* more than one TLS record and many TCP segments */

/* ---- lwIP inside the process ---- */

static struct netif lo;
static atomic_int lwip_up;

/* Only traffic for other addresses reaches here: lwIP loops 127.0.0.1 back
 * itself (netif_loop_output) before calling output. */
static err_t lo_output(struct netif *nif, struct pbuf *p, const ip4_addr_t *dst)
{
    (void)nif;
    (void)p;
    (void)dst;
    return ERR_RTE;
}

static err_t lo_init(struct netif *nif)
{
    nif->name[0] = 'l';
    nif->name[1] = 'o';
    nif->mtu = 1500;
    nif->output = lo_output;
    return ERR_OK;
}

/* Runs in lwIP's thread, which holds the core lock. */
static void lwip_started(void *arg)
{
    ip4_addr_t addr, mask, gw;

    (void)arg;
    IP4_ADDR(&addr, 127, 0, 0, 1);
    IP4_ADDR(&mask, 255, 0, 0, 0);
    IP4_ADDR(&gw, 0, 0, 0, 0);
    if (netif_add(&lo, &addr, &mask, &gw, NULL, lo_init, tcpip_input) != NULL) {
        netif_set_default(&lo);
        netif_set_link_up(&lo);
        netif_set_up(&lo);
        atomic_store(&lwip_up, 1);
    } else {
        atomic_store(&lwip_up, -1);
    }
}

/* ---- the TLS server: mbedTLS over lwIP sockets, in its own thread ---- */

typedef struct {
    int listen_fd, silent_fd;
    uint16_t port, silent_port, closed_port;
    sys_thread_t thread;
    atomic_int stop, finished;
    atomic_int exchanged; /* connections that completed a handshake and the data exchange */
    atomic_int refused;   /* connections whose handshake failed */
    char sni[64];         /* the last SNI the server was sent ("" for none) */
    mbedtls_ssl_config conf;
    mbedtls_x509_crt chain;
    mbedtls_pk_context key;
    mbedtls_entropy_context entropy;
    mbedtls_ctr_drbg_context drbg;
} server_t;

static server_t srv;

static int srv_send(void *ctx, const unsigned char *buf, size_t len)
{
    ssize_t n = lwip_send(*(int *)ctx, buf, len, 0);
    return n >= 0 ? (int)n : MBEDTLS_ERR_SSL_INTERNAL_ERROR;
}

static int srv_recv(void *ctx, unsigned char *buf, size_t len)
{
    ssize_t n = lwip_recv(*(int *)ctx, buf, len, 0);
    return n >= 0 ? (int)n : MBEDTLS_ERR_SSL_TIMEOUT;
}

static int srv_sni(void *ctx, mbedtls_ssl_context *ssl, const unsigned char *name, size_t len)
{
    server_t *s = ctx;
    (void)ssl;
    snprintf(s->sni, sizeof(s->sni), "%.*s", (int)len, (const char *)name);
    return 0;
}

static void set_timeout(int fd, int optname, unsigned ms)
{
    struct timeval tv;
    tv.tv_sec = (time_t)(ms / 1000);
    tv.tv_usec = (suseconds_t)(ms % 1000) * 1000;
    lwip_setsockopt(fd, SOL_SOCKET, optname, &tv, sizeof(tv));
}

/* One connection: handshake, then every byte received comes back plus one,
 * until PAYLOAD_LEN bytes went both ways; then close_notify. */
static void serve(server_t *s, int fd)
{
    mbedtls_ssl_context ssl;
    unsigned char buf[4096];
    size_t done = 0;
    int ret;

    mbedtls_ssl_init(&ssl);
    set_timeout(fd, SO_RCVTIMEO, 30000);
    set_timeout(fd, SO_SNDTIMEO, 30000);
    s->sni[0] = '\0';
    if (mbedtls_ssl_setup(&ssl, &s->conf) != 0)
        goto out;
    mbedtls_ssl_set_bio(&ssl, &fd, srv_send, srv_recv, NULL);
    do
        ret = mbedtls_ssl_handshake(&ssl);
    while (ret == MBEDTLS_ERR_SSL_WANT_READ || ret == MBEDTLS_ERR_SSL_WANT_WRITE);
    if (ret != 0) {
        atomic_fetch_add(&s->refused, 1);
        goto out;
    }
    while (done < PAYLOAD_LEN) {
        ret = mbedtls_ssl_read(&ssl, buf, sizeof(buf));
        if (ret <= 0)
            goto out;
        for (int i = 0; i < ret; i++)
            buf[i] = (unsigned char)(buf[i] + 1);
        for (int off = 0; off < ret;) {
            int n = mbedtls_ssl_write(&ssl, buf + off, (size_t)(ret - off));
            if (n < 0)
                goto out;
            off += n;
        }
        done += (size_t)ret;
    }
    (void)mbedtls_ssl_close_notify(&ssl);
    atomic_fetch_add(&s->exchanged, 1);
out:
    mbedtls_ssl_free(&ssl);
    lwip_close(fd);
}

static void server_main(void *arg)
{
    server_t *s = arg;

    while (!atomic_load(&s->stop)) {
        int fd = lwip_accept(s->listen_fd, NULL, NULL); /* wakes every 100 ms (SO_RCVTIMEO) */
        if (fd >= 0)
            serve(s, fd);
    }
    atomic_store(&s->finished, 1);
}

/* A listening TCP socket on 127.0.0.1, on a port lwIP picks; returns the fd. */
static int listen_on(uint16_t *port)
{
    struct sockaddr_in sin;
    socklen_t len = sizeof(sin);
    int fd = lwip_socket(AF_INET, SOCK_STREAM, 0);

    assert_true(fd >= 0);
    memset(&sin, 0, sizeof(sin));
    sin.sin_family = AF_INET;
    sin.sin_addr.s_addr = lwip_htonl(0x7f000001);
    assert_int_equal(lwip_bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
    assert_int_equal(lwip_listen(fd, 4), 0);
    assert_int_equal(lwip_getsockname(fd, (struct sockaddr *)&sin, &len), 0);
    *port = lwip_ntohs(sin.sin_port);
    return fd;
}

static int setup(void **state)
{
    (void)state;
    tcpip_init(lwip_started, NULL);
    for (int i = 0; i < 500 && atomic_load(&lwip_up) == 0; i++)
        usleep(10000);
    assert_int_equal(atomic_load(&lwip_up), 1);

    server_t *s = &srv;
    mbedtls_ssl_config_init(&s->conf);
    mbedtls_x509_crt_init(&s->chain);
    mbedtls_pk_init(&s->key);
    mbedtls_entropy_init(&s->entropy);
    mbedtls_ctr_drbg_init(&s->drbg);
    assert_int_equal(mbedtls_ctr_drbg_seed(&s->drbg, mbedtls_entropy_func, &s->entropy,
                                           (const unsigned char *)"lwip-server", 11),
                     0);
    assert_int_equal(mbedtls_x509_crt_parse_file(&s->chain, tu_pki("server-chain.pem")), 0);
    assert_int_equal(mbedtls_pk_parse_keyfile(&s->key, tu_pki("server.key"), NULL, mbedtls_ctr_drbg_random, &s->drbg),
                     0);
    assert_int_equal(mbedtls_ssl_config_defaults(&s->conf, MBEDTLS_SSL_IS_SERVER, MBEDTLS_SSL_TRANSPORT_STREAM,
                                                 MBEDTLS_SSL_PRESET_DEFAULT),
                     0);
    mbedtls_ssl_conf_rng(&s->conf, mbedtls_ctr_drbg_random, &s->drbg);
    assert_int_equal(mbedtls_ssl_conf_own_cert(&s->conf, &s->chain, &s->key), 0);
    mbedtls_ssl_conf_sni(&s->conf, srv_sni, s);

    s->listen_fd = listen_on(&s->port);
    set_timeout(s->listen_fd, SO_RCVTIMEO, 100);
    /* Accepts at TCP level (the backlog) and never speaks. */
    s->silent_fd = listen_on(&s->silent_port);
    /* A port nobody listens on: bound, then closed. */
    int fd = listen_on(&s->closed_port);
    lwip_close(fd);
    s->thread = sys_thread_new("tls-server", server_main, s, 0, 0);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    server_t *s = &srv;
    atomic_store(&s->stop, 1);
    for (int i = 0; i < 3000 && !atomic_load(&s->finished); i++)
        usleep(10000);
    assert_true(atomic_load(&s->finished));
    lwip_close(s->listen_fd);
    lwip_close(s->silent_fd);
    mbedtls_ssl_config_free(&s->conf);
    mbedtls_x509_crt_free(&s->chain);
    mbedtls_pk_free(&s->key);
    mbedtls_ctr_drbg_free(&s->drbg);
    mbedtls_entropy_free(&s->entropy);
    return 0;
}

/* ---- the client: SIP on application profile 2, which trusts only its CA slot ---- */

typedef struct {
    certslot_hal_sim_t sim;
    certslot_hal_t hal;
    certslot_store_t st;
    certslot_config_t cfg;
    certslot_tls_t tls;
} client_t;

static void client_init(client_t *c)
{
    static const char xml[] =
        "<x sec.TLS.profileSelection.SIP='ApplicationProfile2' sec.TLS.profile.2.caCert.defaultList='0'/>";
    certslot_result_t res;
    size_t len;
    char why[256];
    char *root = tu_pki_read("root-rsa.crt", &len);

    certslot_hal_sim_init(&c->sim, &c->hal);
    c->sim.now = (int64_t)time(NULL);
    assert_int_equal(certslot_store_open(&c->st, &c->hal), 0);
    assert_int_equal(certslot_store_install(&c->st, CERTSLOT_SLOT_APPLICATION2, CERTSLOT_KIND_CA,
                                            (unsigned char *)root, len, NULL, 0, 0, &res),
                     0);
    free(root);
    certslot_config_init(&c->cfg);
    assert_int_equal(certslot_config_parse_buffer(&c->cfg, "sip.cfg", xml, strlen(xml)), 0);
    assert_int_equal(certslot_config_finish(&c->cfg), 0);
    certslot_tls_init(&c->tls);
    if (certslot_tls_setup(&c->tls, &c->hal, tu_settings(&c->cfg), &c->st, CERTSLOT_APP_SIP, why, sizeof(why)) != 0)
        fail_msg("setup failed: %s", why);
}

static void client_free(client_t *c)
{
    certslot_tls_free(&c->tls);
    certslot_config_free(&c->cfg);
    certslot_store_free(&c->st);
    certslot_hal_sim_free(&c->sim);
}

static void wait_for(atomic_int *counter, int value)
{
    for (int i = 0; i < 3000 && atomic_load(counter) < value; i++)
        usleep(10000);
    assert_int_equal(atomic_load(counter), value);
}

/* Connects with name, sends PAYLOAD_LEN bytes and checks the server's answer. */
static void exchange(const char *name)
{
    static unsigned char out[PAYLOAD_LEN], in[PAYLOAD_LEN];
    client_t c;
    certslot_tls_conn_t conn;
    char why[256];
    int before = atomic_load(&srv.exchanged), ret;
    size_t got = 0;

    client_init(&c);
    ret = certslot_tls_connect(&conn, &c.tls, "127.0.0.1", srv.port, name, 30000, why, sizeof(why));
    if (ret != 0)
        fail_msg("connect (name %s): %d: %s", name != NULL ? name : "(host)", ret, why);
    for (size_t i = 0; i < sizeof(out); i++)
        out[i] = (unsigned char)(i * 7 + i / 251);
    for (size_t off = 0; off < sizeof(out);) {
        ret = certslot_tls_write(&conn, out + off, sizeof(out) - off);
        assert_true(ret > 0);
        off += (size_t)ret;
    }
    while (got < sizeof(in)) {
        ret = certslot_tls_read(&conn, in + got, sizeof(in) - got);
        if (ret <= 0)
            fail_msg("read after %zu bytes: %d", got, ret);
        got += (size_t)ret;
    }
    for (size_t i = 0; i < sizeof(in); i++)
        if (in[i] != (unsigned char)(out[i] + 1))
            fail_msg("byte %zu: got %u, sent %u", i, in[i], out[i]);
    /* Then the server closes: the client sees the end of the stream. */
    assert_int_equal(certslot_tls_read(&conn, in, sizeof(in)), 0);
    certslot_tls_close(&conn);
    wait_for(&srv.exchanged, before + 1);
    client_free(&c);
}

static void test_verified_handshake_and_data_both_ways(void **state)
{
    (void)state;
    exchange("server.test");
    assert_string_equal(srv.sni, "server.test"); /* the name went out as SNI */
}

static void test_ip_literal_matches_ip_subject_alt_name(void **state)
{
    (void)state;
    exchange(NULL); /* name = host = 127.0.0.1 */
    assert_string_equal(srv.sni, "");            /* never sent as SNI */
}

static void test_wrong_name_refused(void **state)
{
    (void)state;
    client_t c;
    certslot_tls_conn_t conn;
    char why[256];
    int before = atomic_load(&srv.refused);

    client_init(&c);
    assert_int_equal(certslot_tls_connect(&conn, &c.tls, "127.0.0.1", srv.port, "other.test", 30000, why,
                                          sizeof(why)),
                     CERTSLOT_ERR_NAME);
    assert_non_null(strstr(why, "name 'other.test'"));
    assert_null(conn.conn); /* already closed */
    wait_for(&srv.refused, before + 1);
    client_free(&c);
}

static void test_silent_server_times_out(void **state)
{
    (void)state;
    client_t c;
    certslot_tls_conn_t conn;
    char why[256];
    struct timespec t0, t1;

    client_init(&c);
    /* The handshake's wait for each record is the configuration's read timeout. */
    mbedtls_ssl_conf_read_timeout(&c.tls.conf, 300);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    assert_int_equal(certslot_tls_connect(&conn, &c.tls, "127.0.0.1", srv.silent_port, "server.test", 300, why,
                                          sizeof(why)),
                     CERTSLOT_ERR_TIMEOUT);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    long ms = (long)(t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
    assert_true(ms >= 250);
    assert_true(ms < 5000);

    /* The port itself: nothing to read within the timeout. */
    certslot_conn_t *raw = NULL;
    unsigned char b[16];
    assert_int_equal(certslot_port_connect(&raw, "127.0.0.1", srv.silent_port, 5000), 0);
    assert_int_equal(certslot_port_recv(raw, b, sizeof(b), 100), CERTSLOT_ERR_TIMEOUT);
    certslot_port_close(raw);
    client_free(&c);
}

static void test_closed_port_and_names_without_resolver(void **state)
{
    (void)state;
    certslot_conn_t *raw = (certslot_conn_t *)&raw;

    assert_int_equal(certslot_port_connect(&raw, "127.0.0.1", srv.closed_port, 5000), CERTSLOT_ERR_NET);
    assert_null(raw);
#if !LWIP_DNS
    /* Debian's lwIP has no resolver: a name never connects (and is never looked up elsewhere). */
    assert_int_equal(certslot_port_connect(&raw, "server.test", srv.port, 5000), CERTSLOT_ERR_NET);
    assert_null(raw);
#endif
    certslot_port_close(NULL);
}

/* A UDP socket of the test's own on 127.0.0.1 (lwIP picks the port). */
static int udp_socket(uint16_t *port)
{
    struct sockaddr_in sin;
    socklen_t len = sizeof(sin);
    int fd = lwip_socket(AF_INET, SOCK_DGRAM, 0);

    assert_true(fd >= 0);
    memset(&sin, 0, sizeof(sin));
    sin.sin_family = AF_INET;
    sin.sin_addr.s_addr = lwip_htonl(0x7f000001);
    assert_int_equal(lwip_bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
    assert_int_equal(lwip_getsockname(fd, (struct sockaddr *)&sin, &len), 0);
    *port = lwip_ntohs(sin.sin_port);
    set_timeout(fd, SO_RCVTIMEO, 5000);
    return fd;
}

/* TFTP's pattern: a request to the well-known port, the answer from another
 * port, later datagrams aimed at that port. */
static void test_udp_datagrams(void **state)
{
    (void)state;
    uint16_t listen_port, transfer_port, from = 0;
    int listen_fd = udp_socket(&listen_port), transfer_fd = udp_socket(&transfer_port);
    certslot_udp_t *u = NULL;
    struct sockaddr_in peer;
    socklen_t peer_len = sizeof(peer);
    unsigned char buf[64];

    assert_int_equal(certslot_port_udp_open(&u, "127.0.0.1", listen_port), 0);
    assert_int_equal(certslot_port_udp_send(u, (const unsigned char *)"request", 7), 7);
    assert_int_equal(lwip_recvfrom(listen_fd, buf, sizeof(buf), 0, (struct sockaddr *)&peer, &peer_len), 7);
    assert_memory_equal(buf, "request", 7);

    /* The answer comes from the transfer port; the port reports it. */
    assert_int_equal(lwip_sendto(transfer_fd, "data-block", 10, 0, (struct sockaddr *)&peer, peer_len), 10);
    assert_int_equal(certslot_port_udp_recv(u, buf, sizeof(buf), 5000, &from), 10);
    assert_memory_equal(buf, "data-block", 10);
    assert_int_equal(from, transfer_port);

    certslot_port_udp_set_port(u, transfer_port);
    assert_int_equal(certslot_port_udp_send(u, (const unsigned char *)"ack", 3), 3);
    assert_int_equal(lwip_recv(transfer_fd, buf, sizeof(buf), 0), 3);
    assert_memory_equal(buf, "ack", 3);

    /* A datagram longer than the buffer is cut to it. */
    assert_int_equal(lwip_sendto(transfer_fd, "0123456789", 10, 0, (struct sockaddr *)&peer, peer_len), 10);
    assert_int_equal(certslot_port_udp_recv(u, buf, 4, 5000, NULL), 4);
    assert_memory_equal(buf, "0123", 4);

    /* Nothing more: the timeout. */
    assert_int_equal(certslot_port_udp_recv(u, buf, sizeof(buf), 100, NULL), CERTSLOT_ERR_TIMEOUT);
    certslot_port_udp_close(u);
    certslot_port_udp_close(NULL);
    lwip_close(listen_fd);
    lwip_close(transfer_fd);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_verified_handshake_and_data_both_ways),
        cmocka_unit_test(test_ip_literal_matches_ip_subject_alt_name),
        cmocka_unit_test(test_wrong_name_refused),
        cmocka_unit_test(test_silent_server_times_out),
        cmocka_unit_test(test_closed_port_and_names_without_resolver),
        cmocka_unit_test(test_udp_datagrams),
    };
    return cmocka_run_group_tests_name("lwip", tests, setup, teardown);
}
