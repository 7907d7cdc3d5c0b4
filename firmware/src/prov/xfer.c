/*
 * What every protocol of a transfer shares: the result, the time rules, a
 * byte stream over a plain or TLS connection with a bounded line reader, and
 * a bounded growing buffer (see xfer.h).
 */
#include "xfer.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "certslot/error.h"
#include "certslot/platform.h"
#include "certslot/text.h"
#include "certslot/tls.h"
#include "core/internal.h"

int certslot_xfer_fail(certslot_xfer_t *x, int status, int err, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    cs_vresult(x->res, status, err, fmt, ap); /* escaped: it may quote the server */
    va_end(ap);
    return err;
}

/* ---- time ---- */

unsigned certslot_xfer_wait(const certslot_xfer_t *x)
{
    return certslot_deadline_wait(&x->deadline, x->timeout_ms);
}

int certslot_xfer_progress(certslot_xfer_t *x, size_t n)
{
    uint32_t now = certslot_port_ticks_ms();

    x->window_bytes += n;
    if (x->min_rate == 0 || now - x->window_start < x->window_ms)
        return 0;
    if (x->window_bytes < (uint64_t)x->min_rate * x->window_ms / 1000u) {
        x->too_slow = 1;
        return CERTSLOT_ERR_TIMEOUT;
    }
    x->window_start = now;
    x->window_bytes = 0;
    return 0;
}

/* ---- stream ---- */

int certslot_xfer_tls(certslot_xfer_t *x)
{
    const certslot_fetch_opts_t *o = x->o;
    char why[200];

    if (x->tls != NULL)
        return 0;
    if (o->hal == NULL || o->settings == NULL || o->st == NULL)
        return certslot_xfer_fail(x, CERTSLOT_STATUS_TLS_FAILED, CERTSLOT_ERR_ARG,
                                  "%s: no TLS settings for provisioning", x->where);
    x->tls = certslot_calloc(1, sizeof(*x->tls));
    if (x->tls == NULL)
        return certslot_xfer_fail(x, CERTSLOT_STATUS_FAILED, CERTSLOT_ERR_NOMEM, "out of memory");
    certslot_tls_init(x->tls);
    int ret = certslot_tls_setup(x->tls, o->hal, o->settings, o->st, CERTSLOT_APP_PROV, why, sizeof(why));
    if (ret != 0) {
        certslot_tls_free(x->tls);
        certslot_free(x->tls);
        x->tls = NULL;
        return certslot_xfer_fail(x, CERTSLOT_STATUS_TLS_FAILED, ret, "%s: %s", x->where, why);
    }
    /* Every TLS wait (handshake included) within our timeout; certslot_xfer_open bounds the sum. */
    mbedtls_ssl_conf_read_timeout(&x->tls->conf, x->timeout_ms);
    return 0;
}

int certslot_xfer_open(certslot_xfer_t *x, certslot_xfer_stream_t *s, const char *host, uint16_t port, int tls)
{
    int ret;

    memset(s, 0, sizeof(*s));
    s->x = x;
    unsigned wait = certslot_xfer_wait(x);
    if (wait == 0)
        return certslot_xfer_fail(x, -1, CERTSLOT_ERR_TIMEOUT, "%s: out of time", x->where);
    if (certslot_text_has_ctl(host, strlen(host)))
        return certslot_xfer_fail(x, CERTSLOT_STATUS_BAD_URL, CERTSLOT_ERR_VALUE,
                                  "%s: the host name contains a control character", x->where);
    snprintf(s->host, sizeof(s->host), "%s", host);
    ret = certslot_port_connect(&s->conn, host, port, wait);
    if (ret != 0)
        return certslot_xfer_fail(x, -1, ret == CERTSLOT_ERR_TIMEOUT ? ret : CERTSLOT_ERR_NET,
                                  "%s: cannot connect to %s port %u: %s", x->where, host, (unsigned)port,
                                  certslot_strerror(ret));
    s->open = 1;
    return tls ? certslot_xfer_starttls(s, NULL) : 0;
}

int certslot_xfer_starttls(certslot_xfer_stream_t *s, const mbedtls_ssl_session *resume)
{
    certslot_xfer_t *x = s->x;
    char why[200];

    if (s->pos != s->have) { /* bytes before the handshake would be taken as if they came over TLS */
        certslot_xfer_close(s);
        return certslot_xfer_fail(x, -1, CERTSLOT_ERR_PROTOCOL, "%s: the server sent data before TLS started",
                                  x->where);
    }
    /* The configured server name, unless a redirect led to another host: then that host's name. */
    const char *name = x->o->tls_name != NULL && !x->other_host ? x->o->tls_name : s->host;
    certslot_conn_t *conn = s->conn;
    s->conn = NULL;
    s->open = 0;
    /* The handshake within what is left of the transfer; its data within the rest. */
    int ret = certslot_tls_start(&s->tls, x->tls, conn, name, resume, certslot_deadline_wait(&x->deadline, ~0u), why,
                                 sizeof(why));
    if (ret != 0)
        return certslot_xfer_fail(x, -1, ret, "%s: %s", x->where, why);
    s->tls.timeout_ms = x->timeout_ms;
    s->tls.deadline = x->deadline;
    s->is_tls = 1;
    s->open = 1;
    return 0;
}

int certslot_xfer_write(certslot_xfer_stream_t *s, const unsigned char *buf, size_t len)
{
    while (len > 0) {
        unsigned wait = certslot_xfer_wait(s->x);
        int n = wait == 0  ? CERTSLOT_ERR_TIMEOUT
                : s->is_tls ? certslot_tls_write(&s->tls, buf, len)
                            : certslot_port_send(s->conn, buf, len, wait);
        if (n > 0 && certslot_xfer_progress(s->x, (size_t)n) != 0)
            n = CERTSLOT_ERR_TIMEOUT;
        if (n < 0)
            return n;
        if (n == 0)
            return CERTSLOT_ERR_NET;
        buf += n;
        len -= (size_t)n;
    }
    return 0;
}

static int fill(certslot_xfer_stream_t *s)
{
    unsigned wait = certslot_xfer_wait(s->x);
    int n = wait == 0   ? CERTSLOT_ERR_TIMEOUT
            : s->is_tls ? certslot_tls_read(&s->tls, s->buf, sizeof(s->buf))
                        : certslot_port_recv(s->conn, s->buf, sizeof(s->buf), wait);
    if (n > 0 && certslot_xfer_progress(s->x, (size_t)n) != 0)
        return CERTSLOT_ERR_TIMEOUT;
    if (n > 0) {
        s->pos = 0;
        s->have = (size_t)n;
    }
    return n;
}

int certslot_xfer_read(certslot_xfer_stream_t *s, unsigned char *buf, size_t len)
{
    if (s->pos == s->have) {
        int n = fill(s);
        if (n <= 0)
            return n;
    }
    size_t n = s->have - s->pos < len ? s->have - s->pos : len;
    memcpy(buf, s->buf + s->pos, n);
    s->pos += n;
    return (int)n;
}

int certslot_xfer_line(certslot_xfer_stream_t *s, char *line, size_t size)
{
    size_t o = 0;

    for (;;) {
        if (s->pos == s->have) {
            int n = fill(s);
            if (n < 0)
                return n;
            if (n == 0)
                return CERTSLOT_ERR_PROTOCOL; /* closed in the middle of a line */
        }
        char c = (char)s->buf[s->pos++];
        if (c == '\n')
            break;
        if (o + 1 < size)
            line[o++] = c;
    }
    if (o > 0 && line[o - 1] == '\r')
        o--;
    line[o] = '\0';
    return 0;
}

int certslot_xfer_finish(certslot_xfer_stream_t *s)
{
    unsigned char buf[256];
    int n, ret;

    if (!s->open || !s->is_tls)
        return 0;
    if ((ret = certslot_tls_shutdown(&s->tls)) != 0)
        return ret;
    /* Whatever is still on its way (TLS 1.3 tickets), up to the server's own close. */
    for (int i = 0; i < 64 && (n = certslot_xfer_read(s, buf, sizeof(buf))) > 0; i++)
        ;
    return 0;
}

void certslot_xfer_close(certslot_xfer_stream_t *s)
{
    if (!s->open)
        return;
    if (s->is_tls)
        certslot_tls_close(&s->tls);
    else
        certslot_port_close(s->conn);
    s->conn = NULL;
    s->open = 0;
}

/* ---- buffer ---- */

int certslot_xfer_buf_add(certslot_xfer_buf_t *b, const unsigned char *p, size_t n)
{
    if (n > b->max || b->len > b->max - n)
        return CERTSLOT_ERR_LIMIT;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap == 0 ? 4096 : b->cap;
        while (cap < b->len + n + 1)
            cap *= 2;
        if (cap > b->max + 1)
            cap = b->max + 1;
        unsigned char *d = certslot_calloc(1, cap);
        if (d == NULL)
            return CERTSLOT_ERR_NOMEM;
        if (b->data != NULL) {
            memcpy(d, b->data, b->len);
            certslot_zeroize(b->data, b->cap);
            certslot_free(b->data);
        }
        b->data = d;
        b->cap = cap;
    }
    memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = 0;
    return 0;
}

void certslot_xfer_buf_free(certslot_xfer_buf_t *b)
{
    if (b->data != NULL) {
        certslot_zeroize(b->data, b->cap);
        certslot_free(b->data);
    }
    memset(b, 0, sizeof(*b));
}

