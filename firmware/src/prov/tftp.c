/*
 * TFTP client (RFC 1350): read request in octet mode, the server's
 * transfer port learnt from its first reply, the last packet sent again
 * when nothing arrives in time, the total size bounded. The request asks
 * for the options of RFC 2347: blksize TFTP_BLKSIZE (RFC 2348: blocks that
 * fill an Ethernet frame), tsize (RFC 2349: a file over the limit is refused
 * before it is sent) and timeout (RFC 2349, the client's own wait). A server
 * that ignores them sends 512-byte blocks; one that refuses them (error 8)
 * gets the request again without options.
 */
#include <stdio.h>
#include <string.h>

#include "certslot/error.h"
#include "certslot/port.h"
#include "certslot/text.h"
#include "core/internal.h"
#include "xfer.h"

#if CERTSLOT_WITH_TFTP /* certslot/options.h */

#define TFTP_BLOCK 512
#define TFTP_BLKSIZE 1468 /* 1500-byte Ethernet MTU - IP 20 - UDP 8 - TFTP 4 */
#define TFTP_TRIES 5      /* sends of one packet before giving up */

enum { OP_RRQ = 1, OP_DATA = 3, OP_ACK = 4, OP_ERROR = 5, OP_OACK = 6 };

static int tftp_error(certslot_xfer_t *x, const unsigned char *p, size_t n)
{
    char text[100];
    unsigned code = (unsigned)(p[2] << 8 | p[3]);

    certslot_text_escape(text, sizeof(text), (const char *)p + 4, strnlen((const char *)p + 4, n - 4));
    if (code == 1)
        return certslot_xfer_fail(x, -1, CERTSLOT_ERR_NOT_FOUND, "%s: not found (%s)", x->where, text);
    if (code == 2)
        return certslot_xfer_fail(x, -1, CERTSLOT_ERR_AUTH, "%s: access violation (%s)", x->where, text);
    return certslot_xfer_fail(x, -1, CERTSLOT_ERR_PROTOCOL, "%s: TFTP error %u (%s)", x->where, code, text);
}

/* The read request for path, with the options when opts; its length. */
static size_t request(unsigned char *req, size_t size, const char *path, int opts, unsigned wait_ms)
{
    size_t n = 2;
    req[0] = 0;
    req[1] = OP_RRQ;
    n += (size_t)snprintf((char *)req + n, size - n, "%s", path) + 1;
    n += (size_t)snprintf((char *)req + n, size - n, "octet") + 1;
    if (opts) {
        unsigned t = (wait_ms + 999) / 1000;
        const char *names[] = {"blksize", "tsize", "timeout"};
        char values[3][12];
        snprintf(values[0], sizeof(values[0]), "%u", TFTP_BLKSIZE);
        snprintf(values[1], sizeof(values[1]), "0");
        snprintf(values[2], sizeof(values[2]), "%u", t < 1 ? 1 : t > 255 ? 255 : t);
        for (int i = 0; i < 3; i++) {
            n += (size_t)snprintf((char *)req + n, size - n, "%s", names[i]) + 1;
            n += (size_t)snprintf((char *)req + n, size - n, "%s", values[i]) + 1;
        }
    }
    return n;
}

/*
 * The options the server accepted (an OACK): *blksize (8..what we asked),
 * *tsize (0: not said). 0, or -1 for anything we did not ask for or a value
 * out of range (RFC 2347: the transfer is then refused).
 */
static int oack(const unsigned char *p, size_t n, unsigned *blksize, unsigned long long *tsize)
{
    size_t i = 2;
    while (i < n) {
        const char *name = (const char *)p + i;
        size_t nl = strnlen(name, n - i);
        if (i + nl >= n)
            return -1;
        const char *val = name + nl + 1;
        size_t vl = strnlen(val, n - i - nl - 1);
        if (i + nl + 1 + vl >= n || vl == 0 || vl > 19)
            return -1;
        unsigned long long v = 0;
        for (size_t k = 0; k < vl; k++) {
            if (val[k] < '0' || val[k] > '9')
                return -1;
            v = v * 10 + (unsigned)(val[k] - '0');
        }
        if (cs_equal_ci(name, nl, "blksize") && v >= 8 && v <= TFTP_BLKSIZE)
            *blksize = (unsigned)v;
        else if (cs_equal_ci(name, nl, "tsize"))
            *tsize = v;
        else if (!cs_equal_ci(name, nl, "timeout"))
            return -1;
        i += nl + 1 + vl + 1;
    }
    return 0;
}

/* Tells the server the transfer ends (an ERROR packet), ignoring whether it arrives. */
static void send_error(certslot_udp_t *u, unsigned code, const char *text)
{
    unsigned char e[64];
    int n = snprintf((char *)e + 4, sizeof(e) - 4, "%s", text);
    e[0] = 0;
    e[1] = OP_ERROR;
    e[2] = 0;
    e[3] = (unsigned char)code;
    (void)certslot_port_udp_send(u, e, 4 + (size_t)n + 1);
}

int certslot_tftp_run(certslot_xfer_t *x, const certslot_url_t *url, const unsigned char *up, size_t up_len,
                      certslot_xfer_buf_t *out)
{
    certslot_udp_t *u = NULL;
    unsigned char pkt[4 + TFTP_BLKSIZE], ack[4], req[CERTSLOT_URL_MAX_PATH + 64];
    size_t req_len;
    uint16_t tid = 0, expect = 1;
    unsigned wait = x->timeout_ms / TFTP_TRIES, blksize = TFTP_BLOCK;
    int ret, opts = 1;

    (void)up, (void)up_len; /* the scheme table never asks TFTP to upload */
    char path[CERTSLOT_URL_MAX_PATH + 1];
    if (certslot_url_file_name(url, path, sizeof(path)) != 0)
        return certslot_xfer_fail(x, CERTSLOT_STATUS_BAD_URL, CERTSLOT_ERR_LIMIT, "%s: file name too long", x->where);
    size_t plen = strlen(path);
    if (plen == 0)
        return certslot_xfer_fail(x, CERTSLOT_STATUS_BAD_URL, CERTSLOT_ERR_VALUE, "%s: no file name", x->where);
    if (certslot_text_has_ctl(path, plen))
        return certslot_xfer_fail(x, CERTSLOT_STATUS_BAD_URL, CERTSLOT_ERR_VALUE,
                                  "%s: the file name contains a control character", x->where);
    if (wait < 200)
        wait = 200;
    req_len = request(req, sizeof(req), path, opts, wait);
    if ((ret = certslot_port_udp_open(&u, url->host, url->port)) != 0)
        return certslot_xfer_fail(x, -1, ret, "%s: cannot reach %s: %s", x->where, url->host, certslot_strerror(ret));
    const unsigned char *last = req;
    size_t last_len = req_len;
    int tries = 0;
    if ((ret = certslot_port_udp_send(u, last, last_len)) < 0)
        goto cleanup;
    for (;;) {
        uint16_t from = 0;
        /* Each wait within what is left of the transfer: junk packets and slow blocks cannot stretch it. */
        unsigned left = certslot_deadline_wait(&x->deadline, wait);
        if (left == 0) {
            ret = CERTSLOT_ERR_TIMEOUT;
            goto cleanup;
        }
        int n = certslot_port_udp_recv(u, pkt, sizeof(pkt), left, &from);
        if (n == CERTSLOT_ERR_TIMEOUT && left < wait)
            continue; /* the deadline, not a lost packet: the check above ends it */
        if (n == CERTSLOT_ERR_TIMEOUT) {
            if (++tries >= TFTP_TRIES) {
                ret = certslot_xfer_fail(x, -1, CERTSLOT_ERR_TIMEOUT, "%s: no answer from the TFTP server", x->where);
                goto cleanup;
            }
            if ((ret = certslot_port_udp_send(u, last, last_len)) < 0)
                goto cleanup;
            continue;
        }
        if (n < 0) {
            ret = certslot_xfer_fail(x, -1, CERTSLOT_ERR_NET, "%s: no TFTP server there", x->where);
            goto cleanup;
        }
        if (n < 4 || (tid != 0 && from != tid))
            continue; /* too short, or another transfer's packet */
        unsigned op = (unsigned)(pkt[0] << 8 | pkt[1]);
        if (op == OP_ERROR && tid == 0 && opts && pkt[2] == 0 && pkt[3] == 8) {
            /* The options refused (RFC 2347): ask again without them. */
            opts = 0;
            req_len = request(req, sizeof(req), path, 0, wait);
            last_len = req_len;
            tries = 0;
            if ((ret = certslot_port_udp_send(u, req, req_len)) < 0)
                goto cleanup;
            continue;
        }
        if (op == OP_ERROR) {
            ret = tftp_error(x, pkt, (size_t)n);
            goto cleanup;
        }
        if (op == OP_OACK && tid == 0 && opts) {
            unsigned long long tsize = 0;
            tid = from;
            certslot_port_udp_set_port(u, tid);
            if (oack(pkt, (size_t)n, &blksize, &tsize) != 0) {
                send_error(u, 8, "unrequested option");
                ret = certslot_xfer_fail(x, -1, CERTSLOT_ERR_PROTOCOL,
                                         "%s: the TFTP server answered with options certslot did not ask for",
                                         x->where);
                goto cleanup;
            }
            if (tsize > out->max) {
                send_error(u, 3, "too large");
                ret = certslot_xfer_fail(x, -1, CERTSLOT_ERR_LIMIT, "%s: the file is larger than %u bytes",
                                         x->where, (unsigned)out->max);
                goto cleanup;
            }
            cs_log(x->o->hal, CERTSLOT_LOG_DEBUG, "%s: TFTP blksize %u, tsize %llu", x->where, blksize, tsize);
            ack[0] = 0, ack[1] = OP_ACK, ack[2] = 0, ack[3] = 0; /* block 0: the options taken */
            last = ack;
            last_len = 4;
            tries = 0;
            if ((ret = certslot_port_udp_send(u, ack, 4)) < 0)
                goto cleanup;
            continue;
        }
        if (op == OP_OACK && tid != 0 && expect == 1) { /* our ACK of the options was lost */
            if ((ret = certslot_port_udp_send(u, last, last_len)) < 0)
                goto cleanup;
            continue;
        }
        unsigned block = (unsigned)(pkt[2] << 8 | pkt[3]);
        if (op != OP_DATA || (size_t)n - 4 > blksize) {
            ret = certslot_xfer_fail(x, -1, CERTSLOT_ERR_PROTOCOL, "%s: unexpected TFTP packet", x->where);
            goto cleanup;
        }
        if (tid == 0) { /* DATA at once: the server ignored the options */
            tid = from;
            certslot_port_udp_set_port(u, tid);
        }
        if (block == expect) {
            if ((ret = certslot_xfer_progress(x, (size_t)n - 4)) != 0 ||
                (ret = certslot_xfer_buf_add(out, pkt + 4, (size_t)n - 4)) != 0) {
                if (ret == CERTSLOT_ERR_LIMIT)
                    certslot_xfer_fail(x, -1, ret, "%s: the file is larger than %u bytes", x->where,
                                       (unsigned)out->max);
                goto cleanup;
            }
            ack[0] = 0;
            ack[1] = OP_ACK;
            ack[2] = pkt[2];
            ack[3] = pkt[3];
            last = ack;
            last_len = 4;
            tries = 0;
            if ((ret = certslot_port_udp_send(u, ack, 4)) < 0)
                goto cleanup;
            if ((size_t)n - 4 < blksize)
                break; /* the last block (empty when the size is a multiple of blksize) */
            expect = (uint16_t)(expect + 1);
        } else if (block == (uint16_t)(expect - 1)) {
            /* Our ACK was lost: acknowledge again. */
            if ((ret = certslot_port_udp_send(u, last, last_len)) < 0)
                goto cleanup;
        }
    }
    ret = 0;
cleanup:
    certslot_port_udp_close(u);
    return ret;
}

#endif /* CERTSLOT_WITH_TFTP */
