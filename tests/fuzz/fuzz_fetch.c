/*
 * libFuzzer: the HTTP, FTP and TFTP reply readers. This harness replaces the
 * transport (it defines every port.h function, so the linker takes these
 * instead of port/posix): every connection and datagram socket reads the
 * fuzz input as what the server says, and whatever the client sends is
 * dropped. The first byte picks the protocol and whether to upload. A
 * simulated handset supplies randomness (Digest answers) and the TLS
 * profile of ftpes:// (its AUTH TLS reply; the handshake then reads the
 * input too). Redirects and 401s make further connections, which read on.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "certslot/error.h"
#include "certslot/fetch.h"
#include "certslot/hal_sim.h"
#include "certslot/platform.h"
#include "certslot/port.h"
#include "certslot/url.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t *in;
static size_t in_len, in_pos;

struct certslot_conn {
    int unused;
};
struct certslot_udp {
    int unused;
};

static int serve(unsigned char *buf, size_t len)
{
    size_t n = in_len - in_pos;
    if (n == 0)
        return CERTSLOT_ERR_TIMEOUT;
    /* Vary the chunking with the data so line and record splitting get exercised. */
    size_t chunk = 1 + (in[in_pos] % 97u);
    n = n < chunk ? n : chunk;
    n = n < len ? n : len;
    memcpy(buf, in + in_pos, n);
    in_pos += n;
    return (int)n;
}

int certslot_port_connect(certslot_conn_t **conn, const char *host, uint16_t port, unsigned timeout_ms)
{
    (void)host, (void)port, (void)timeout_ms;
    *conn = certslot_calloc(1, sizeof(**conn));
    return *conn != NULL ? 0 : CERTSLOT_ERR_NOMEM;
}

int certslot_port_send(certslot_conn_t *conn, const unsigned char *buf, size_t len, unsigned timeout_ms)
{
    (void)conn, (void)buf, (void)timeout_ms;
    return (int)len;
}

/* A clock that moves a millisecond a look: runs are deterministic, and the deadline is reached in long ones. */
uint32_t certslot_port_ticks_ms(void)
{
    static uint32_t now;
    return now++;
}

int certslot_port_recv(certslot_conn_t *conn, unsigned char *buf, size_t len, unsigned timeout_ms)
{
    (void)conn, (void)timeout_ms;
    return serve(buf, len);
}

void certslot_port_close(certslot_conn_t *conn)
{
    certslot_free(conn);
}

int certslot_port_udp_open(certslot_udp_t **udp, const char *host, uint16_t port)
{
    (void)host, (void)port;
    *udp = certslot_calloc(1, sizeof(**udp));
    return *udp != NULL ? 0 : CERTSLOT_ERR_NOMEM;
}

int certslot_port_udp_send(certslot_udp_t *udp, const unsigned char *buf, size_t len)
{
    (void)udp, (void)buf;
    return (int)len;
}

int certslot_port_udp_recv(certslot_udp_t *udp, unsigned char *buf, size_t len, unsigned timeout_ms,
                           uint16_t *from_port)
{
    (void)udp, (void)timeout_ms;
    *from_port = 4242;
    return serve(buf, len);
}

void certslot_port_udp_set_port(certslot_udp_t *udp, uint16_t port)
{
    (void)udp, (void)port;
}

void certslot_port_udp_close(certslot_udp_t *udp)
{
    certslot_free(udp);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const urls[] = {"http://u:p@server/dir/file.cfg", "ftp://u:p@server/dir/file.cfg",
                                       "tftp://server/file.cfg", "ftpes://u:p@server/dir/file.cfg"};
    static certslot_hal_sim_t sim;
    static certslot_hal_t hal;
    static certslot_store_t st;
    static int ready;
    certslot_fetch_opts_t o;
    certslot_result_t res;
    certslot_url_t url;
    char why[200];
    unsigned char *out = NULL;
    size_t out_len = 0;

    if (size < 1)
        return 0;
    in = data + 1;
    in_len = size - 1;
    in_pos = 0;
    if (!ready) { /* once: kept for the whole run */
        certslot_hal_sim_init(&sim, &hal);
        if (certslot_store_open(&st, &hal) != 0)
            return 0;
        ready = 1;
    }
    if (certslot_url_parse(urls[(data[0] & 0x7f) % 4], &url, why, sizeof(why)) != 0)
        return 0;
    memset(&o, 0, sizeof(o));
    o.hal = &hal;
    o.settings = &st.settings;
    o.st = &st;
    o.timeout_ms = 1;
    o.max_size = 64 * 1024;
    if (data[0] & 0x80) {
        static const unsigned char log[] = "log line\n";
        (void)certslot_upload(&o, &url, log, sizeof(log) - 1, &res);
    } else if (certslot_fetch(&o, &url, &out, &out_len, &res) == 0) {
        certslot_free(out);
    }
    certslot_url_wipe(&url);
    return 0;
}
