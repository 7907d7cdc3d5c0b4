#define _GNU_SOURCE /* memmem */
/*
 * Fetching from hostile servers: scripted peers on 127.0.0.1 (tests/common/
 * peer.h) that trickle, flood, never read, or answer with control bytes.
 * Every transfer ends within its deadline or the minimum-progress rule, what
 * the server says is shown escaped, and the request lines the handset sends
 * are what the URL said. Runs on the host, under ASan and under qemu-arm.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <cmocka.h>

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/ssl.h>
#include <unistd.h>

#include "certslot/config.h"
#include "certslot/error.h"
#include "certslot/fetch.h"
#include "certslot/hal_sim.h"
#include "certslot/platform.h"
#include "certslot/port.h"
#include "certslot/store.h"
#include "certslot/url.h"
#include "peer.h"
#include "prov/xfer.h"
#include "testutil.h"

#define DEADLINE_MS 2000u
/* A functional bound, not a speed target: the transfer ends near its deadline, not when the peer gives up. */
#define GIVE_UP_WITHIN_MS (DEADLINE_MS + 4000u)

static tu_peer_t peer;
static certslot_result_t res;
static unsigned long elapsed_ms;

static int teardown(void **state)
{
    (void)state;
    tu_peer_stop(&peer);
    free(tu_peer_log(&peer, NULL));
    return 0;
}

/* Fetches prefix (scheme://[cred@]) 127.0.0.1:<the peer's port> path with opts; the result is in res, the time in
 * elapsed_ms. */
static unsigned char body[256]; /* the start of what the last fetch_from got, and its whole length */
static size_t body_len;

static int fetch_from(const char *prefix, const char *path, const certslot_fetch_opts_t *o)
{
    certslot_url_t url;
    char text[300], why[200];
    unsigned char *data = NULL;
    size_t len = 0;

    snprintf(text, sizeof(text), "%s127.0.0.1:%u%s", prefix, peer.port, path);
    if (certslot_url_parse(text, &url, why, sizeof(why)) != 0)
        fail_msg("%s: %s", text, why);
    uint32_t t0 = certslot_port_ticks_ms();
    int ret = certslot_fetch(o, &url, &data, &len, &res);
    elapsed_ms = certslot_port_ticks_ms() - t0;
    body_len = len;
    if (data != NULL)
        memcpy(body, data, len < sizeof(body) ? len : sizeof(body));
    certslot_free(data);
    certslot_url_wipe(&url);
    return ret;
}

static void assert_gave_up_in_time(int ret, const char *why)
{
    assert_int_equal(ret, CERTSLOT_ERR_TIMEOUT);
    assert_int_equal(res.status, CERTSLOT_STATUS_TIMEOUT);
    if (strstr(res.msg, why) == NULL)
        fail_msg("message '%s' does not say '%s'", res.msg, why);
    if (elapsed_ms > GIVE_UP_WITHIN_MS)
        fail_msg("gave up after %lu ms (deadline %u ms)", elapsed_ms, DEADLINE_MS);
}

/* ---- peers ---- */

/* HTTP: a 200 with a long body, then one byte every 200 ms. */
static void http_trickle_body(int fd, void *arg)
{
    (void)arg;
    int c = tu_peer_accept(fd);
    char line[512];
    while (tu_peer_line(c, line, sizeof(line)) == 0 && strcmp(line, "\r\n") != 0)
        ;
    tu_peer_send(c, "HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n", 0);
    for (;;)
        tu_peer_send(c, "x", 200);
}

/* HTTP: the status line itself, a byte every 200 ms, never ending. */
static void http_trickle_status(int fd, void *arg)
{
    (void)arg;
    int c = tu_peer_accept(fd);
    for (;;)
        tu_peer_send(c, "HTTP/1.1 200 ", 200);
}

/* FTP: the greeting, a byte every 200 ms, never ending. */
static void ftp_trickle_greeting(int fd, void *arg)
{
    (void)arg;
    int c = tu_peer_accept(fd);
    for (;;)
        tu_peer_send(c, "220-", 200);
}

/* TLS: a handshake record header, then its body a byte every 200 ms. */
static void tls_trickle_handshake(int fd, void *arg)
{
    (void)arg;
    int c = tu_peer_accept(fd);
    char hello[600];
    recv(c, hello, sizeof(hello), 0); /* the ClientHello */
    tu_peer_send(c, "\x16\x03\x03\x01\x00", 0);
    for (;;)
        tu_peer_send(c, "\x02", 200);
}

/* HTTP: accepts a PUT and never reads it. */
static void http_never_reads(int fd, void *arg)
{
    (void)arg;
    int c = tu_peer_accept(fd);
    (void)c;
    for (;;)
        tu_sleep_ms(1000);
}

/* HTTP: a canned reply to each request, one connection each (at most two), recording the requests. */
typedef struct {
    const char *reply[2];
} http_script_t;

static void http_canned(int fd, void *arg)
{
    const http_script_t *script = arg;
    for (int i = 0; i < 2 && script->reply[i] != NULL; i++) {
        int c = tu_peer_accept(fd);
        char line[512];
        while (tu_peer_line(c, line, sizeof(line)) == 0 && strcmp(line, "\r\n") != 0)
            ;
        tu_peer_send(c, script->reply[i], 0);
        close(c);
    }
}

/* TFTP: answers every packet with the next full block after 300 ms: a file without end, each wait in time. */
static void tftp_endless(int fd, void *arg)
{
    unsigned char pkt[516], data[516];
    struct sockaddr_storage from;
    socklen_t flen = sizeof(from);
    unsigned block = 0;
    (void)arg;
    memset(data, 'd', sizeof(data));
    for (;;) {
        flen = sizeof(from);
        if (recvfrom(fd, pkt, sizeof(pkt), 0, (struct sockaddr *)&from, &flen) < 0)
            return;
        tu_sleep_ms(300);
        block++;
        data[0] = 0, data[1] = 3, data[2] = (unsigned char)(block >> 8), data[3] = (unsigned char)block;
        sendto(fd, data, sizeof(data), 0, (struct sockaddr *)&from, flen);
    }
}

/* TFTP: a flood of junk datagrams (too short to be TFTP) from the server's address, every 100 ms. */
static void tftp_junk(int fd, void *arg)
{
    unsigned char pkt[600];
    struct sockaddr_storage from;
    socklen_t flen = sizeof(from);
    (void)arg;
    if (recvfrom(fd, pkt, sizeof(pkt), 0, (struct sockaddr *)&from, &flen) < 0)
        return;
    for (;;) {
        sendto(fd, "\x00", 1, 0, (struct sockaddr *)&from, flen);
        tu_sleep_ms(100);
    }
}

/* HTTP: records the request, answers 404. */
static void http_record(int fd, void *arg)
{
    (void)arg;
    int c = tu_peer_accept(fd);
    char line[1024];
    while (tu_peer_line(c, line, sizeof(line)) == 0 && strcmp(line, "\r\n") != 0)
        ;
    tu_peer_send(c, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", 0);
}

/*
 * FTP: a server that logs in anyone, records the commands, opens the passive
 * data port, and refuses RETR (550); with arg, a reply with terminal control
 * bytes instead of the login.
 */
static void ftp_record(int fd, void *arg)
{
    int c = tu_peer_accept(fd);
    char line[1024], reply[128];
    unsigned dport;
    int d = tu_peer_listen(&dport); /* the kernel accepts the data connection; nothing is sent on it */
    (void)d;

    tu_peer_send(c, "220 certslot test peer\r\n", 0);
    while (tu_peer_line(c, line, sizeof(line)) == 0) {
        if (arg != NULL && strncmp(line, "USER", 4) == 0) {
            tu_peer_send(c, arg, 0);
            continue;
        }
        if (strncmp(line, "USER", 4) == 0)
            tu_peer_send(c, "331 password please\r\n", 0);
        else if (strncmp(line, "PASS", 4) == 0)
            tu_peer_send(c, "230 in\r\n", 0);
        else if (strncmp(line, "TYPE", 4) == 0)
            tu_peer_send(c, "200 binary\r\n", 0);
        else if (strncmp(line, "EPSV", 4) == 0) {
            snprintf(reply, sizeof(reply), "229 Entering Extended Passive Mode (|||%u|)\r\n", dport);
            tu_peer_send(c, reply, 0);
        } else if (strncmp(line, "RETR", 4) == 0)
            tu_peer_send(c, "550 no such file\r\n", 0);
        else
            tu_peer_send(c, "502 not here\r\n", 0);
    }
}

static certslot_fetch_opts_t short_opts(void)
{
    certslot_fetch_opts_t o;
    memset(&o, 0, sizeof(o));
    o.timeout_ms = 1000;
    o.deadline_ms = DEADLINE_MS;
    return o;
}

/* A simulated handset (its clock today: the test PKI is made at test time) and o set up to use its store,
 * which trusts root-rsa in slot when slot < CERTSLOT_SLOT_COUNT. */
static certslot_hal_sim_t sim;
static certslot_hal_t hal;
static certslot_store_t st;

static void handset_up(certslot_slot_t slot, certslot_fetch_opts_t *o)
{
    certslot_result_t r;
    size_t n;
    certslot_hal_sim_init(&sim, &hal);
    sim.now = (int64_t)time(NULL);
    assert_int_equal(certslot_store_open(&st, &hal), 0);
    if (slot < CERTSLOT_SLOT_COUNT) {
        char *pem = tu_pki_read("root-rsa.crt", &n);
        assert_int_equal(certslot_store_install(&st, slot, CERTSLOT_KIND_CA, (unsigned char *)pem, n, NULL, 0, 0, &r),
                         0);
        free(pem);
    }
    o->hal = &hal;
    o->settings = &st.settings;
    o->st = &st;
}

static void handset_down(void)
{
    certslot_store_free(&st);
    certslot_hal_sim_free(&sim);
}

/* ---- the whole-transfer deadline, every protocol ---- */

static void test_http_trickle_ends_at_the_deadline(void **state)
{
    certslot_fetch_opts_t o = short_opts();
    (void)state;
    tu_peer_start(&peer, SOCK_STREAM, http_trickle_body, NULL);
    assert_gave_up_in_time(fetch_from("http://u:p@", "/f.cfg", &o), "took longer than its limit of 2 s");
    tu_peer_stop(&peer);
    tu_peer_start(&peer, SOCK_STREAM, http_trickle_status, NULL);
    assert_gave_up_in_time(fetch_from("http://u:p@", "/f.cfg", &o), "took longer than its limit");
}

static void test_ftp_trickle_ends_at_the_deadline(void **state)
{
    certslot_fetch_opts_t o = short_opts();
    (void)state;
    tu_peer_start(&peer, SOCK_STREAM, ftp_trickle_greeting, NULL);
    assert_gave_up_in_time(fetch_from("ftp://u:p@", "/f.cfg", &o), "took longer than its limit");
}

/* TFTP: refuses the options (error 8), then serves "hello" to a request without them; records what it got. */
static void tftp_refuses_options(int fd, void *arg)
{
    unsigned char pkt[600];
    struct sockaddr_storage from;
    socklen_t flen;
    (void)arg;
    for (int i = 0; i < 3; i++) {
        flen = sizeof(from);
        ssize_t n = recvfrom(fd, pkt, sizeof(pkt), 0, (struct sockaddr *)&from, &flen);
        if (n < 4)
            return;
        int has_opts = memmem(pkt, (size_t)n, "blksize", 7) != NULL;
        const char *what = pkt[1] == 1 ? (has_opts ? "RRQ+options;" : "RRQ;") : pkt[1] == 4 ? "ACK;" : "?;";
        tu_peer_record(what, strlen(what));
        if (pkt[1] == 1 && has_opts)
            sendto(fd, "\x00\x05\x00\x08options refused", 20, 0, (struct sockaddr *)&from, flen);
        else if (pkt[1] == 1)
            sendto(fd, "\x00\x03\x00\x01hello", 9, 0, (struct sockaddr *)&from, flen);
        else
            return;
    }
}

/* TFTP: an OACK with a block size larger than asked for (RFC 2348: the client must refuse it). */
static void tftp_bad_oack(int fd, void *arg)
{
    unsigned char pkt[600];
    struct sockaddr_storage from;
    socklen_t flen = sizeof(from);
    (void)arg;
    if (recvfrom(fd, pkt, sizeof(pkt), 0, (struct sockaddr *)&from, &flen) < 4)
        return;
    sendto(fd, "\x00\x06" "blksize\x00" "65464\x00", 16, 0, (struct sockaddr *)&from, flen);
    ssize_t n = recvfrom(fd, pkt, sizeof(pkt), 0, (struct sockaddr *)&from, &flen);
    if (n >= 4 && pkt[1] == 5 && pkt[3] == 8)
        tu_peer_record("ERROR 8", 7);
}

static void test_tftp_options_refused_or_out_of_range(void **state)
{
    certslot_fetch_opts_t o = short_opts();
    (void)state;
    o.timeout_ms = 5000;
    tu_peer_start(&peer, SOCK_DGRAM, tftp_refuses_options, NULL);
    assert_int_equal(fetch_from("tftp://", "/f.cfg", &o), 0);
    tu_sleep_ms(200); /* the last ACK reaches it */
    tu_peer_stop(&peer);
    char *got = tu_peer_log(&peer, NULL);
    assert_string_equal(got, "RRQ+options;RRQ;ACK;");
    free(got);
    tu_peer_start(&peer, SOCK_DGRAM, tftp_bad_oack, NULL);
    assert_int_equal(fetch_from("tftp://", "/f.cfg", &o), CERTSLOT_ERR_PROTOCOL);
    assert_non_null(strstr(res.msg, "options certslot did not ask for"));
    tu_sleep_ms(200);
    tu_peer_stop(&peer);
    got = tu_peer_log(&peer, NULL);
    assert_string_equal(got, "ERROR 8");
    free(got);
}

/*
 * TFTP over a network that loses packets: the first read request gets no answer (the client sends it again), and
 * block 1 comes twice, as when the client's ACK was lost (the client acknowledges it again and keeps one copy).
 */
static void tftp_lossy(int fd, void *arg)
{
    unsigned char pkt[600], data[4 + 512];
    struct sockaddr_storage from;
    socklen_t flen;
    (void)arg;
    data[0] = 0, data[1] = 3, data[2] = 0, data[3] = 1;
    memset(data + 4, 'a', 512);
    for (int i = 0; i < 6; i++) {
        flen = sizeof(from);
        ssize_t n = recvfrom(fd, pkt, sizeof(pkt), 0, (struct sockaddr *)&from, &flen);
        if (n < 4)
            return;
        char what[16];
        snprintf(what, sizeof(what), pkt[1] == 1 ? "RRQ;" : pkt[1] == 4 ? "ACK%u;" : "?;", (unsigned)pkt[3]);
        tu_peer_record(what, strlen(what));
        if (i == 0)
            continue; /* the first request is lost */
        if (pkt[1] == 1 || (pkt[1] == 4 && pkt[3] == 1 && i == 2)) /* block 1, and again: "our ACK was lost" */
            sendto(fd, data, sizeof(data), 0, (struct sockaddr *)&from, flen);
        else if (pkt[1] == 4 && pkt[3] == 1)
            sendto(fd, "\x00\x03\x00\x02" "end", 7, 0, (struct sockaddr *)&from, flen);
        else
            return;
    }
}

/* TFTP: no answer at all; or an error of the server's (access violation). */
static void tftp_silent(int fd, void *arg)
{
    unsigned char pkt[600];
    (void)arg;
    while (recv(fd, pkt, sizeof(pkt), 0) >= 4)
        tu_peer_record("RRQ;", 4);
}

static void tftp_access_violation(int fd, void *arg)
{
    unsigned char pkt[600];
    struct sockaddr_storage from;
    socklen_t flen = sizeof(from);
    (void)arg;
    if (recvfrom(fd, pkt, sizeof(pkt), 0, (struct sockaddr *)&from, &flen) >= 4)
        sendto(fd, "\x00\x05\x00\x02no access to f.cfg", 22, 0, (struct sockaddr *)&from, flen);
}

static void test_tftp_lost_packets_retries_and_errors(void **state)
{
    certslot_fetch_opts_t o = short_opts();
    (void)state;
    o.timeout_ms = 1000; /* 200 ms a try, five tries */
    o.deadline_ms = 5000;
    tu_peer_start(&peer, SOCK_DGRAM, tftp_lossy, NULL);
    int ret = fetch_from("tftp://", "/f.cfg", &o);
    tu_sleep_ms(200); /* the last ACK reaches it */
    tu_peer_stop(&peer);
    char *got = tu_peer_log(&peer, NULL);
    if (ret != 0)
        fail_msg("%d: %s (the server saw %s)", ret, res.msg, got);
    assert_string_equal(got, "RRQ;RRQ;ACK1;ACK1;ACK2;");
    free(got);
    assert_int_equal(body_len, 515);
    assert_memory_equal(body, "aaaa", 4);

    tu_peer_start(&peer, SOCK_DGRAM, tftp_silent, NULL);
    ret = fetch_from("tftp://", "/f.cfg", &o);
    tu_peer_stop(&peer);
    got = tu_peer_log(&peer, NULL);
    if (ret != CERTSLOT_ERR_TIMEOUT || strstr(res.msg, "no answer from the TFTP server") == NULL)
        fail_msg("%d: %s", ret, res.msg);
    assert_string_equal(got, "RRQ;RRQ;RRQ;RRQ;RRQ;"); /* five tries, then no more */
    free(got);

    tu_peer_start(&peer, SOCK_DGRAM, tftp_access_violation, NULL);
    ret = fetch_from("tftp://", "/f.cfg", &o);
    tu_peer_stop(&peer);
    if (ret != CERTSLOT_ERR_AUTH || strstr(res.msg, "access violation (no access to f.cfg)") == NULL)
        fail_msg("%d: %s", ret, res.msg);
}

static void test_tftp_endless_file_and_junk_end_at_the_deadline(void **state)
{
    certslot_fetch_opts_t o = short_opts();
    (void)state;
    o.timeout_ms = 5000; /* 1 s per try: every block arrives in time */
    tu_peer_start(&peer, SOCK_DGRAM, tftp_endless, NULL);
    assert_gave_up_in_time(fetch_from("tftp://", "/f.cfg", &o), "took longer than its limit");
    tu_peer_stop(&peer);
    tu_peer_start(&peer, SOCK_DGRAM, tftp_junk, NULL);
    assert_gave_up_in_time(fetch_from("tftp://", "/f.cfg", &o), "took longer than its limit");
}

static void test_tls_handshake_trickle_ends_at_the_deadline(void **state)
{
    certslot_fetch_opts_t o = short_opts();
    (void)state;
    handset_up(CERTSLOT_SLOT_COUNT, &o); /* the default settings, no CA */
    tu_peer_start(&peer, SOCK_STREAM, tls_trickle_handshake, NULL);
    assert_gave_up_in_time(fetch_from("https://u:p@", "/f.cfg", &o), "took longer than its limit");
    tu_peer_stop(&peer);
    tu_peer_start(&peer, SOCK_STREAM, tls_trickle_handshake, NULL);
    assert_gave_up_in_time(fetch_from("ftps://u:p@", "/f.cfg", &o), "took longer than its limit");
    handset_down();
}

/*
 * TLS setup that fails after the profile's CA slot was parsed (the factory device certificate cannot be
 * read): nothing is left behind (under ASan and valgrind, a leak fails this test), and no connection is tried.
 */
static void test_failed_tls_setup_leaks_nothing(void **state)
{
    certslot_fetch_opts_t o = short_opts();
    (void)state;
    handset_up(CERTSLOT_SLOT_PLATFORM1, &o);
    sim.factory_fails = 1;
    tu_peer_start(&peer, SOCK_STREAM, http_record, NULL);
    assert_int_equal(fetch_from("https://u:p@", "/f.cfg", &o), CERTSLOT_ERR_IO);
    assert_int_equal(res.status, CERTSLOT_STATUS_TLS_FAILED);
    assert_non_null(strstr(res.msg, "built-in device certificate unavailable"));
    tu_peer_stop(&peer);
    size_t len;
    char *got = tu_peer_log(&peer, &len);
    assert_int_equal(len, 0); /* no connection was made */
    free(got);
    handset_down();
}

/* A server that never reads an upload: the send waits end at the deadline too. */
static void test_upload_to_a_server_that_never_reads(void **state)
{
    certslot_fetch_opts_t o = short_opts();
    certslot_url_t url;
    char text[100], why[200];
    size_t len = 32u * 1024u * 1024u; /* more than the socket buffers hold */
    unsigned char *data = calloc(1, len);
    (void)state;
    o.timeout_ms = 5000; /* longer than the deadline: the deadline ends it */
    assert_non_null(data);
    tu_peer_start(&peer, SOCK_STREAM, http_never_reads, NULL);
    snprintf(text, sizeof(text), "http://u:p@127.0.0.1:%u/x.log", peer.port);
    assert_int_equal(certslot_url_parse(text, &url, why, sizeof(why)), 0);
    uint32_t t0 = certslot_port_ticks_ms();
    int ret = certslot_upload(&o, &url, data, len, &res);
    elapsed_ms = certslot_port_ticks_ms() - t0;
    free(data);
    assert_gave_up_in_time(ret, "took longer than its limit");
}

/* ---- minimum progress: a trickle is given up on before the deadline ---- */

static void test_minimum_progress_rule(void **state)
{
    certslot_fetch_opts_t o = short_opts();
    (void)state;
    o.deadline_ms = 60000;
    o.min_rate = 100;         /* bytes a second; the peer sends 5 */
    o.rate_window_ms = 1000;
    tu_peer_start(&peer, SOCK_STREAM, http_trickle_body, NULL);
    int ret = fetch_from("http://u:p@", "/f.cfg", &o);
    assert_int_equal(ret, CERTSLOT_ERR_TIMEOUT);
    assert_int_equal(res.status, CERTSLOT_STATUS_TIMEOUT);
    assert_non_null(strstr(res.msg, "given up: the server sent less than 100 bytes a second for 1 s"));
    if (elapsed_ms > 1000u + 4000u)
        fail_msg("gave up after %lu ms with a 1 s window", elapsed_ms);
}

/* ---- what is sent and what is shown ---- */

/*
 * HTTP replies real servers give and the client must read: a chunked body (chunk extensions and trailers, as a
 * generated config file comes), a redirect to an absolute path, and the refusals, each with its reason.
 */
#define H1 "X-Header: 1\r\n"
#define H9 H1 H1 H1 H1 H1 H1 H1 H1 H1
#define H99 H9 H9 H9 H9 H9 H9 H9 H9 H9 H9 H9 /* with Content-Length, 100 header lines: the most a reply may have */
static void test_http_chunked_redirects_and_refusals(void **state)
{
    certslot_fetch_opts_t o = short_opts();
    (void)state;
    static const struct {
        http_script_t script;
        int ret;
        const char *body, *msg, *request;
    } runs[] = {
        {{{"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\nD;name=x\r\n world, again\r\n"
           "0\r\nX-Trailer: 1\r\n\r\n", NULL}}, 0, "hello world, again", NULL, NULL},
        {{{"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n", NULL}},
         CERTSLOT_ERR_PROTOCOL, NULL, "the server's reply breaks HTTP: a chunk size that is not hexadecimal", NULL},
        {{{"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhelloXX\r\n0\r\n\r\n", NULL}},
         CERTSLOT_ERR_PROTOCOL, NULL, "the server's reply breaks HTTP: a chunk longer than its size", NULL},
        {{{"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n9\r\nhello", NULL}}, CERTSLOT_ERR_PROTOCOL, NULL,
         "the server's reply breaks HTTP: the connection closed inside a chunk", NULL},
        {{{"HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nhello", NULL}}, CERTSLOT_ERR_PROTOCOL, NULL,
         "the server's reply breaks HTTP: the connection closed before Content-Length bytes came", NULL},
        {{{"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nhello", NULL}}, CERTSLOT_ERR_PROTOCOL, NULL,
         "the server's reply breaks HTTP: a Transfer-Encoding that was not asked for (gzip)", NULL},
        /* Content-Length is digits: "5x" is not 5, and two that differ leave the body's end unknown. */
        {{{"HTTP/1.1 200 OK\r\nContent-Length: 5x\r\n\r\nhello", NULL}}, CERTSLOT_ERR_PROTOCOL, NULL,
         "the server's reply breaks HTTP: a Content-Length that is not a number", NULL},
        {{{"HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\nhello", NULL}}, CERTSLOT_ERR_PROTOCOL,
         NULL, "the server's reply breaks HTTP: a Content-Length that is not a number", NULL},
        {{{"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 3\r\n\r\nhello", NULL}},
         CERTSLOT_ERR_PROTOCOL, NULL, "the server's reply breaks HTTP: two different Content-Length values", NULL},
        {{{"HTTP/1.1 200 OK\r\nContent-Length: 5 \r\nContent-Length: 5\r\n\r\nhello", NULL}}, 0, "hello", NULL,
         NULL},
        {{{"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n" H99 "\r\nhello", NULL}}, 0, "hello", NULL, NULL},
        {{{"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n" H99 H1 "\r\nhello", NULL}}, CERTSLOT_ERR_PROTOCOL, NULL,
         "the server's reply breaks HTTP: more than 100 header lines", NULL},
        {{{"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-A", NULL}}, CERTSLOT_ERR_PROTOCOL, NULL,
         "the server's reply breaks HTTP: the connection closed inside the headers", NULL},
        {{{"HTTP/1.1 302 Found\r\nLocation: /moved/f.cfg\r\nContent-Length: 0\r\n\r\n",
           "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nmoved"}}, 0, "moved", NULL, "GET /moved/f.cfg HTTP/1.1"},
        {{{"HTTP/1.1 302 Found\r\nContent-Length: 0\r\n\r\n", NULL}}, CERTSLOT_ERR_PROTOCOL, NULL,
         "HTTP 302 without a Location", NULL},
        {{{"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n", NULL}}, CERTSLOT_ERR_AUTH, NULL,
         "refused by the server (HTTP 403)", NULL},
        {{{"HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\n\r\n", NULL}}, CERTSLOT_ERR_PROTOCOL, NULL,
         "the server answered HTTP 500", NULL},
        {{{"SSH-2.0-OpenSSH_9.2\r\n", NULL}}, CERTSLOT_ERR_PROTOCOL, NULL, "not an HTTP reply", NULL},
    };
    for (size_t i = 0; i < sizeof(runs) / sizeof(runs[0]); i++) {
        tu_peer_start(&peer, SOCK_STREAM, http_canned, (void *)&runs[i].script);
        int ret = fetch_from("http://", "/f.cfg", &o);
        tu_peer_stop(&peer);
        char *got = tu_peer_log(&peer, NULL);
        if (ret != runs[i].ret || (runs[i].msg != NULL && strstr(res.msg, runs[i].msg) == NULL) ||
            (runs[i].request != NULL && strstr(got, runs[i].request) == NULL))
            fail_msg("run %zu: %d (%s); requests: %s", i, ret, res.msg, got);
        free(got);
        if (runs[i].body != NULL) {
            assert_int_equal(body_len, strlen(runs[i].body));
            assert_memory_equal(body, runs[i].body, body_len);
        }
    }
}

/* An encoded '/' in the path is sent encoded: it never becomes a separator the URL did not have. */
static void test_encoded_slash_stays_encoded(void **state)
{
    certslot_fetch_opts_t o = short_opts();
    (void)state;
    tu_peer_start(&peer, SOCK_STREAM, http_record, NULL);
    assert_int_equal(fetch_from("http://u:p@", "/dir/a%2Fb%2f..%2Fc%25d%20e.cfg", &o),
                     CERTSLOT_ERR_NOT_FOUND);
    tu_peer_stop(&peer);
    char *got = tu_peer_log(&peer, NULL);
    if (strncmp(got, "GET /dir/a%2Fb%2F..%2Fc%25d%20e.cfg HTTP/1.1\r\n", 46) != 0)
        fail_msg("request: %.80s", got);
    free(got);

    tu_peer_start(&peer, SOCK_STREAM, ftp_record, NULL);
    assert_int_equal(fetch_from("ftp://u:p@", "/dir/a%2Fb%25c.cfg", &o), CERTSLOT_ERR_NOT_FOUND);
    tu_peer_stop(&peer);
    got = tu_peer_log(&peer, NULL);
    if (strstr(got, "RETR dir/a%2Fb%c.cfg\r\n") == NULL)
        fail_msg("commands: %s", got);
    free(got);
}

/* Control bytes in a server's reply never reach the message raw. */
static void test_server_text_is_escaped(void **state)
{
    certslot_fetch_opts_t o = short_opts();
    (void)state;
    tu_peer_start(&peer, SOCK_STREAM, ftp_record, "530 denied\x1b[2J\x1b]0;owned\x07 \x9b" "31m\r\n");
    assert_int_equal(fetch_from("ftp://u:p@", "/f.cfg", &o), CERTSLOT_ERR_AUTH);
    assert_non_null(strstr(res.msg, "login refused: 530 denied\\x1b[2J\\x1b]0;owned\\x07 \\x9b31m"));
    for (const char *c = res.msg; *c != '\0'; c++)
        assert_false((unsigned char)*c < 0x20 || (unsigned char)*c >= 0x7f);
}

/* Explicit FTPS: a server that sends more after its 234 (text an attacker on the path injected in clear). */
static void ftp_inject_after_auth(int fd, void *arg)
{
    char line[256];
    int c = tu_peer_accept(fd);
    (void)arg;
    tu_peer_send(c, "220 ready\r\n", 0);
    while (tu_peer_line(c, line, sizeof(line)) >= 0)
        if (strncmp(line, "AUTH", 4) == 0)
            tu_peer_send(c, "234 go ahead\r\n230 you are logged in\r\n", 0);
}

/*
 * Plain FTP without EPSV: PASV names another host (arg: "" for a well-formed 227, else the reply to send). The data
 * connection must go to the server the handset called, on the port the reply names, never to the host it names.
 */
static void ftp_pasv_only(int fd, void *arg)
{
    const char *bad = arg;
    char line[256], pasv[96];
    unsigned port;
    int c = tu_peer_accept(fd), data = tu_peer_listen(&port);
    tu_peer_send(c, "220 ready\r\n", 0);
    while (tu_peer_line(c, line, sizeof(line)) >= 0) {
        if (strncmp(line, "EPSV", 4) == 0) {
            tu_peer_send(c, "500 EPSV not understood\r\n", 0);
        } else if (strncmp(line, "PASV", 4) == 0) {
            snprintf(pasv, sizeof(pasv), "227 Entering Passive Mode (10,0,0,99,%u,%u)\r\n", port >> 8, port & 255);
            tu_peer_send(c, bad[0] != '\0' ? bad : pasv, 0);
        } else if (strncmp(line, "RETR", 4) == 0) {
            int d = tu_peer_accept(data);
            tu_peer_send(c, "150 here it comes\r\n", 0);
            tu_peer_send(d, "hello", 0);
            close(d);
            tu_peer_send(c, "226 done\r\n", 0);
        } else {
            tu_peer_send(c, strncmp(line, "USER", 4) == 0   ? "331 password\r\n"
                            : strncmp(line, "PASS", 4) == 0 ? "230 in\r\n"
                            : strncmp(line, "QUIT", 4) == 0 ? "221 bye\r\n"
                                                            : "200 ok\r\n", 0);
        }
    }
}

static void test_ftp_passive_mode_without_epsv(void **state)
{
    certslot_fetch_opts_t o = short_opts();
    (void)state;
    tu_peer_start(&peer, SOCK_STREAM, ftp_pasv_only, "");
    int ret = fetch_from("ftp://u:p@", "/f.cfg", &o);
    tu_peer_stop(&peer);
    char *got = tu_peer_log(&peer, NULL);
    if (ret != 0)
        fail_msg("%d: %s (the server saw %s)", ret, res.msg, got);
    assert_non_null(strstr(got, "EPSV\r\nPASV\r\n"));
    free(got);
    assert_int_equal(body_len, 5);
    assert_memory_equal(body, "hello", 5);
    tu_peer_start(&peer, SOCK_STREAM, ftp_pasv_only, "227 Entering Passive Mode (10,0,0,99,300,1)\r\n");
    ret = fetch_from("ftp://u:p@", "/f.cfg", &o);
    tu_peer_stop(&peer);
    if (ret != CERTSLOT_ERR_PROTOCOL || strstr(res.msg, "passive mode failed: 227 Entering Passive Mode") == NULL)
        fail_msg("%d: %s", ret, res.msg);
}

/* ---- an implicit FTPS server of our own (mbedTLS), scripted ---- */

static int fd_send(void *ctx, const unsigned char *b, size_t n)
{
    ssize_t r = write(*(int *)ctx, b, n);
    return r < 0 ? MBEDTLS_ERR_SSL_INTERNAL_ERROR : (int)r;
}

static int fd_recv(void *ctx, unsigned char *b, size_t n)
{
    ssize_t r = read(*(int *)ctx, b, n);
    return r < 0 ? MBEDTLS_ERR_SSL_INTERNAL_ERROR : (int)r;
}

static void tls_say(mbedtls_ssl_context *ssl, const char *text)
{
    (void)mbedtls_ssl_write(ssl, (const unsigned char *)text, strlen(text));
}

/* The answer to one line of the control connection (recorded already), with what it takes to give it. */
typedef const char *(*ftps_answer_fn)(const char *line);
typedef struct {
    ftps_answer_fn answer;
} ftps_script_t;

/* An implicit FTPS server: TLS from the first byte on the control connection, each line answered by the script. */
static void ftps_server(int fd, void *arg)
{
    const ftps_script_t *script = arg;
    mbedtls_ssl_config conf;
    mbedtls_ssl_context ssl;
    mbedtls_x509_crt chain;
    mbedtls_pk_context key;
    mbedtls_entropy_context entropy;
    mbedtls_ctr_drbg_context drbg;
    int c = tu_peer_accept(fd);
    mbedtls_ssl_config_init(&conf);
    mbedtls_ssl_init(&ssl);
    mbedtls_x509_crt_init(&chain);
    mbedtls_pk_init(&key);
    mbedtls_entropy_init(&entropy);
    mbedtls_ctr_drbg_init(&drbg);
    if (c < 0 || mbedtls_ctr_drbg_seed(&drbg, mbedtls_entropy_func, &entropy, NULL, 0) != 0 ||
        mbedtls_x509_crt_parse_file(&chain, tu_pki("server-chain.pem")) != 0 ||
        mbedtls_pk_parse_keyfile(&key, tu_pki("server.key"), NULL, mbedtls_ctr_drbg_random, &drbg) != 0 ||
        mbedtls_ssl_config_defaults(&conf, MBEDTLS_SSL_IS_SERVER, MBEDTLS_SSL_TRANSPORT_STREAM,
                                    MBEDTLS_SSL_PRESET_DEFAULT) != 0)
        return;
    mbedtls_ssl_conf_rng(&conf, mbedtls_ctr_drbg_random, &drbg);
    if (mbedtls_ssl_conf_own_cert(&conf, &chain, &key) != 0 || mbedtls_ssl_setup(&ssl, &conf) != 0)
        return;
    mbedtls_ssl_set_bio(&ssl, &c, fd_send, fd_recv, NULL);
    int ret;
    while ((ret = mbedtls_ssl_handshake(&ssl)) == MBEDTLS_ERR_SSL_WANT_READ || ret == MBEDTLS_ERR_SSL_WANT_WRITE)
        ;
    if (ret != 0)
        return;
    tls_say(&ssl, "220 ready\r\n");
    char line[256];
    size_t n = 0;
    unsigned char ch;
    while ((ret = mbedtls_ssl_read(&ssl, &ch, 1)) == 1 || ret == MBEDTLS_ERR_SSL_WANT_READ) {
        if (ret != 1 || n + 1 >= sizeof(line))
            continue;
        line[n++] = (char)ch;
        if (ch != '\n')
            continue;
        tu_peer_record(line, n);
        line[n] = '\0';
        n = 0;
        tls_say(&ssl, strncmp(line, "USER", 4) == 0   ? "331 password\r\n"
                      : strncmp(line, "PASS", 4) == 0 ? "230 in\r\n"
                      : strncmp(line, "PBSZ", 4) == 0 ? "200 PBSZ=0\r\n"
                                                      : script->answer(line));
    }
}

static const char *refuses_prot(const char *line)
{
    return strncmp(line, "PROT", 4) == 0 ? "536 PROT P not accepted\r\n" : "500 what\r\n";
}

/*
 * Takes PROT P, offers a data connection, and when it comes, closes it before any TLS, then says why on the
 * control connection, as vsftpd does when a data connection does not resume the control connection's session.
 */
static const char *drops_data_tls(const char *line)
{
    static int data_fd = -1;
    static char pasv[80];
    if (strncmp(line, "PROT", 4) == 0 || strncmp(line, "TYPE", 4) == 0)
        return "200 ok\r\n";
    if (strncmp(line, "EPSV", 4) == 0) {
        unsigned port;
        data_fd = tu_peer_listen(&port);
        snprintf(pasv, sizeof(pasv), "229 Entering Extended Passive Mode (|||%u|)\r\n", port);
        return pasv;
    }
    if (strncmp(line, "RETR", 4) == 0 && data_fd >= 0) {
        int d = tu_peer_accept(data_fd);
        if (d >= 0)
            close(d);
        return "150 here it comes\r\n522 SSL connection failed: session reuse required\r\n";
    }
    return "500 what\r\n";
}

/* ftps://u:secret@.../f.cfg from the scripted FTPS server answering with answer, to a handset that trusts its CA. */
static int ftps_fetch(ftps_answer_fn answer)
{
    certslot_fetch_opts_t o = short_opts();
    ftps_script_t script = {answer}; /* the peer, forked, has its copy */
    handset_up(CERTSLOT_SLOT_PLATFORM2, &o);
    o.timeout_ms = o.deadline_ms = 10000; /* a handshake under qemu */
    tu_peer_start(&peer, SOCK_STREAM, ftps_server, &script);
    return fetch_from("ftps://u:secret@", "/f.cfg", &o);
}

static void test_ftps_server_refusing_prot_p(void **state)
{
    (void)state;
    int ret = ftps_fetch(refuses_prot);
    if (ret != CERTSLOT_ERR_TLS)
        fail_msg("%d: %s", ret, res.msg);
    assert_int_equal(res.status, CERTSLOT_STATUS_TLS_FAILED);
    if (strstr(res.msg, "the server refused to protect the data connection (PROT P): 536") == NULL)
        fail_msg("%s", res.msg);
    tu_peer_stop(&peer);
    char *got = tu_peer_log(&peer, NULL);
    assert_non_null(strstr(got, "PROT P\r\n"));
    assert_null(strstr(got, "EPSV")); /* no data connection is asked for */
    assert_null(strstr(got, "RETR"));
    free(got);
    handset_down();
}

/* A data connection whose TLS fails: the user is told the server's reply on the control connection, not "TLS failed". */
static void test_ftps_data_connection_refused_reports_the_servers_reply(void **state)
{
    (void)state;
    int ret = ftps_fetch(drops_data_tls);
    if (ret == 0 || strstr(res.msg, "RETR failed: 522 SSL connection failed: session reuse required") == NULL)
        fail_msg("%d: %s", ret, res.msg);
    tu_peer_stop(&peer);
    char *got = tu_peer_log(&peer, NULL);
    assert_non_null(strstr(got, "RETR f.cfg\r\n"));
    free(got);
    handset_down();
}

static void test_explicit_ftps_refuses_text_injected_before_tls(void **state)
{
    certslot_fetch_opts_t o = short_opts();
    (void)state;
    handset_up(CERTSLOT_SLOT_COUNT, &o); /* the default settings, no CA */
    tu_peer_start(&peer, SOCK_STREAM, ftp_inject_after_auth, NULL);
    assert_int_equal(fetch_from("ftpes://u:secret@", "/f.cfg", &o), CERTSLOT_ERR_PROTOCOL);
    assert_non_null(strstr(res.msg, "the server sent data before TLS started"));
    tu_peer_stop(&peer);
    char *got = tu_peer_log(&peer, NULL);
    assert_non_null(strstr(got, "AUTH TLS"));
    assert_null(strstr(got, "USER")); /* nothing else was sent, in clear or not */
    assert_null(strstr(got, "secret"));
    free(got);
    handset_down();
}

/* RFC 7616 3.9.1: the same request answered with SHA-256 and with MD5, from the challenges as a server sends them. */
static void test_digest_answers_rfc7616_examples(void **state)
{
    static const char *const challenges[] = {
        "Digest realm=\"http-auth@example.org\", qop=\"auth, auth-int\", algorithm=SHA-256, "
        "nonce=\"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v\", opaque=\"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS\"",
        "Digest realm=\"http-auth@example.org\", qop=\"auth, auth-int\", algorithm=MD5, "
        "nonce=\"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v\", opaque=\"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS\""};
    certslot_http_auth_t a;
    char line[1024];
    (void)state;

    /* Both offered: the stronger is answered. */
    memset(&a, 0, sizeof(a));
    certslot_http_auth_challenge(&a, challenges[1]);
    certslot_http_auth_challenge(&a, challenges[0]);
    certslot_http_auth_challenge(&a, "Basic realm=\"x\"");
    assert_true(a.offered_digest && a.offered_basic);
    assert_int_equal(certslot_http_digest_line(&a, "Mufasa", "Circle of Life", "GET", "/dir/index.html",
                                               "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ", line, sizeof(line)),
                     0);
    assert_non_null(strstr(line, "response=\"753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1\""));
    assert_non_null(strstr(line, "algorithm=SHA-256, qop=auth, nc=00000001"));
    assert_non_null(strstr(line, "opaque=\"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS\"\r\n"));
    memset(&a, 0, sizeof(a));
    certslot_http_auth_challenge(&a, challenges[1]);
    assert_int_equal(certslot_http_digest_line(&a, "Mufasa", "Circle of Life", "GET", "/dir/index.html",
                                               "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ", line, sizeof(line)),
                     0);
    assert_non_null(strstr(line, "response=\"8ca523f5e9506fed4657c9700eebdbec\""));
    /* Values that would break out of the quoted strings are not taken; nor is a user name with a quote. */
    memset(&a, 0, sizeof(a));
    certslot_http_auth_challenge(&a, "Digest realm=\"r\\\", evil=\"1\", nonce=\"n\"");
    certslot_http_auth_challenge(&a, "Digest realm=r\"x, nonce=n");
    certslot_http_auth_challenge(&a, "Digest realm=\"r\", nonce=\"n\", qop=\"auth-int\""); /* nothing we answer */
    certslot_http_auth_challenge(&a, "Negotiate");
    assert_false(a.offered_digest);
    assert_string_equal(a.other, "Negotiate");
    certslot_http_auth_challenge(&a, challenges[1]);
    assert_int_equal(certslot_http_digest_line(&a, "a\"b", "p", "GET", "/", "c", line, sizeof(line)),
                     CERTSLOT_ERR_VALUE);
}

int main(void)
{
#define T(f) cmocka_unit_test_teardown(f, teardown)
    const struct CMUnitTest tests[] = {
        T(test_http_trickle_ends_at_the_deadline),
        T(test_ftp_trickle_ends_at_the_deadline),
        T(test_ftp_passive_mode_without_epsv),
        T(test_tftp_endless_file_and_junk_end_at_the_deadline),
        T(test_tftp_options_refused_or_out_of_range),
        T(test_tftp_lost_packets_retries_and_errors),
        T(test_tls_handshake_trickle_ends_at_the_deadline),
        T(test_failed_tls_setup_leaks_nothing),
        T(test_upload_to_a_server_that_never_reads),
        T(test_minimum_progress_rule),
        T(test_http_chunked_redirects_and_refusals),
        T(test_encoded_slash_stays_encoded),
        T(test_server_text_is_escaped),
        T(test_explicit_ftps_refuses_text_injected_before_tls),
        T(test_digest_answers_rfc7616_examples),
        T(test_ftps_server_refusing_prot_p),
        T(test_ftps_data_connection_refused_reports_the_servers_reply),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
