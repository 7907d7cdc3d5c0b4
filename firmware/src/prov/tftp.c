/*
 * TFTP client (RFC 1350): read request in octet mode, 512-byte blocks,
 * the server's transfer port learnt from its first reply, the last packet
 * sent again when nothing arrives in time, the total size bounded.
 */
#include <stdio.h>
#include <string.h>

#include "certslot/error.h"
#include "certslot/port.h"
#include "certslot/text.h"
#include "xfer.h"

#if CERTSLOT_WITH_TFTP /* certslot/options.h */

#define TFTP_BLOCK 512
#define TFTP_TRIES 5 /* sends of one packet before giving up */

enum { OP_RRQ = 1, OP_DATA = 3, OP_ACK = 4, OP_ERROR = 5 };

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

int certslot_tftp_run(certslot_xfer_t *x, const certslot_url_t *url, const unsigned char *up, size_t up_len,
                      certslot_xfer_buf_t *out)
{
    certslot_udp_t *u = NULL;
    unsigned char pkt[4 + TFTP_BLOCK], ack[4], req[CERTSLOT_URL_MAX_PATH + 16];
    size_t req_len;
    uint16_t tid = 0, expect = 1;
    unsigned wait = x->timeout_ms / TFTP_TRIES;
    int ret;

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
    req[0] = 0;
    req[1] = OP_RRQ;
    memcpy(req + 2, path, plen + 1);
    memcpy(req + 2 + plen + 1, "octet", 6);
    req_len = 2 + plen + 1 + 6;
    if ((ret = certslot_port_udp_open(&u, url->host, url->port)) != 0)
        return certslot_xfer_fail(x, -1, ret, "%s: cannot reach %s: %s", x->where, url->host, certslot_strerror(ret));
    if (wait < 200)
        wait = 200;
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
        if (op == OP_ERROR) {
            ret = tftp_error(x, pkt, (size_t)n);
            goto cleanup;
        }
        unsigned block = (unsigned)(pkt[2] << 8 | pkt[3]);
        if (op != OP_DATA) {
            ret = certslot_xfer_fail(x, -1, CERTSLOT_ERR_PROTOCOL, "%s: unexpected TFTP packet", x->where);
            goto cleanup;
        }
        if (tid == 0) {
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
            if (n - 4 < TFTP_BLOCK)
                break; /* the last block */
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
