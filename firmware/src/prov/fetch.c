/*
 * One entry point per use: fetch a file, upload a log, install a
 * certificate from a URL; the protocols are in http.c, ftp.c and tftp.c.
 */
#include "certslot/fetch.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "certslot/cert.h"
#include "certslot/error.h"
#include "certslot/platform.h"
#include "certslot/text.h"
#include "certslot/tls.h"
#include "xfer.h"

const char *certslot_fetch_status_name(certslot_fetch_status_t status)
{
    static const char *const names[] = {"ok", "bad URL", "cannot connect", "timeout", "refused", "not found",
                                        "server certificate refused", "TLS failed", "protocol error", "too large",
                                        "not a certificate", "policy violation", "not supported", "failed"};
    return (unsigned)status < sizeof(names) / sizeof(names[0]) ? names[status] : "failed";
}

/* 1 when a equals b ignoring ASCII case (FTP servers take ANONYMOUS and FTP in any case). */
static int ieq(const char *a, const char *b)
{
    for (; *a != '\0' && *b != '\0'; a++, b++)
        if ((*a >= 'A' && *a <= 'Z' ? *a + 32 : *a) != *b)
            return 0;
    return *a == *b;
}

static certslot_fetch_status_t status_of(int err)
{
    switch (err) {
    case 0:
        return CERTSLOT_FETCH_OK;
    case CERTSLOT_ERR_NET:
        return CERTSLOT_FETCH_CANNOT_CONNECT;
    case CERTSLOT_ERR_TIMEOUT:
        return CERTSLOT_FETCH_TIMEOUT;
    case CERTSLOT_ERR_AUTH:
        return CERTSLOT_FETCH_REFUSED;
    case CERTSLOT_ERR_NOT_FOUND:
        return CERTSLOT_FETCH_NOT_FOUND;
    case CERTSLOT_ERR_NAME:
    case CERTSLOT_ERR_VERIFY:
        return CERTSLOT_FETCH_TLS_REFUSED;
    case CERTSLOT_ERR_TLS:
        return CERTSLOT_FETCH_TLS_FAILED;
    case CERTSLOT_ERR_PROTOCOL:
        return CERTSLOT_FETCH_PROTOCOL;
    case CERTSLOT_ERR_LIMIT:
        return CERTSLOT_FETCH_TOO_LARGE;
    case CERTSLOT_ERR_CERT:
        return CERTSLOT_FETCH_NOT_CERT;
    case CERTSLOT_ERR_POLICY:
        return CERTSLOT_FETCH_POLICY;
    case CERTSLOT_ERR_VALUE:
        return CERTSLOT_FETCH_BAD_URL;
    default:
        return CERTSLOT_FETCH_FAILED;
    }
}

int certslot_xfer_fail(certslot_xfer_t *x, int status, int err, const char *fmt, ...)
{
    va_list ap;

    x->res->status = status >= 0 ? (certslot_fetch_status_t)status : status_of(err);
    va_start(ap, fmt);
    vsnprintf(x->res->msg, sizeof(x->res->msg), fmt, ap);
    va_end(ap);
    certslot_text_escape_inplace(x->res->msg, sizeof(x->res->msg)); /* may quote the server */
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

int certslot_xfer_open(certslot_xfer_t *x, certslot_xfer_stream_t *s, const char *host, uint16_t port, int tls)
{
    char why[200];
    int ret;

    memset(s, 0, sizeof(*s));
    s->x = x;
    unsigned wait = certslot_xfer_wait(x);
    if (wait == 0)
        return certslot_xfer_fail(x, -1, CERTSLOT_ERR_TIMEOUT, "%s: out of time", x->where);
    if (certslot_text_has_ctl(host, strlen(host)))
        return certslot_xfer_fail(x, CERTSLOT_FETCH_BAD_URL, CERTSLOT_ERR_VALUE,
                                  "%s: the host name contains a control character", x->where);
    if (tls) {
        const char *name = x->o->tls_name != NULL ? x->o->tls_name : host;
        /* Connection and handshake within what is left of the transfer; its data within the rest. */
        ret = certslot_tls_connect(&s->tls, x->tls, host, port, name, certslot_deadline_wait(&x->deadline, ~0u),
                                   why, sizeof(why));
        if (ret != 0)
            return certslot_xfer_fail(x, -1, ret, "%s: %s", x->where, why);
        s->tls.timeout_ms = x->timeout_ms;
        s->tls.deadline = x->deadline;
        s->is_tls = 1;
    } else {
        ret = certslot_port_connect(&s->conn, host, port, wait);
        if (ret != 0)
            return certslot_xfer_fail(x, -1, ret == CERTSLOT_ERR_TIMEOUT ? ret : CERTSLOT_ERR_NET,
                                      "%s: cannot connect to %s port %u: %s", x->where, host, (unsigned)port,
                                      certslot_strerror(ret));
    }
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

/* ---- entry points ---- */

static int run(const certslot_fetch_opts_t *o, const certslot_url_t *url, const unsigned char *up, size_t up_len,
               int upload, certslot_xfer_buf_t *out, certslot_fetch_result_t *res)
{
    certslot_xfer_t x;
    int ret;

    memset(&x, 0, sizeof(x));
    memset(res, 0, sizeof(*res));
    x.o = o;
    x.res = res;
    x.timeout_ms = o->timeout_ms != 0 ? o->timeout_ms : CERTSLOT_FETCH_TIMEOUT_MS;
    certslot_deadline_start(&x.deadline, o->deadline_ms != 0 ? o->deadline_ms : CERTSLOT_FETCH_DEADLINE_MS);
    x.min_rate = o->min_rate != 0 ? o->min_rate : CERTSLOT_FETCH_MIN_RATE;
    x.window_ms = o->rate_window_ms != 0 ? o->rate_window_ms : CERTSLOT_FETCH_RATE_WINDOW_MS;
    x.window_start = x.deadline.start;
    x.max_size = o->max_size != 0 ? o->max_size : CERTSLOT_FETCH_MAX_SIZE;
    out->max = x.max_size;
    certslot_url_describe(url, x.where, sizeof(x.where));
    if ((url->scheme == CERTSLOT_SCHEME_FTP || url->scheme == CERTSLOT_SCHEME_FTPS) &&
        (!url->has_user || !url->has_password || url->user[0] == '\0' ||
         ieq(url->user, "anonymous") || ieq(url->user, "ftp")))
        return certslot_xfer_fail(&x, CERTSLOT_FETCH_BAD_URL, CERTSLOT_ERR_AUTH,
                                  "%s: anonymous FTP is not allowed (give user and password)", x.where);
    if (upload && url->scheme == CERTSLOT_SCHEME_TFTP)
        return certslot_xfer_fail(&x, CERTSLOT_FETCH_UNSUPPORTED, CERTSLOT_ERR_ARG,
                                  "%s: log upload over TFTP is not supported", x.where);
    if (url->scheme == CERTSLOT_SCHEME_HTTPS || url->scheme == CERTSLOT_SCHEME_FTPS) {
        char why[200];
        if (o->hal == NULL || o->cfg == NULL || o->st == NULL)
            return certslot_xfer_fail(&x, CERTSLOT_FETCH_TLS_FAILED, CERTSLOT_ERR_ARG,
                                      "%s: no TLS settings for provisioning", x.where);
        x.tls = certslot_calloc(1, sizeof(*x.tls));
        if (x.tls == NULL)
            return certslot_xfer_fail(&x, CERTSLOT_FETCH_FAILED, CERTSLOT_ERR_NOMEM, "out of memory");
        ret = certslot_tls_setup(x.tls, o->hal, o->cfg, o->st, CERTSLOT_APP_PROV, why, sizeof(why));
        if (ret != 0) {
            certslot_free(x.tls);
            return certslot_xfer_fail(&x, CERTSLOT_FETCH_TLS_FAILED, ret, "%s: %s", x.where, why);
        }
        /* Every TLS wait (handshake included) within our timeout; certslot_xfer_open bounds the sum. */
        mbedtls_ssl_conf_read_timeout(&x.tls->conf, x.timeout_ms);
    }
    switch (url->scheme) {
    case CERTSLOT_SCHEME_HTTP:
    case CERTSLOT_SCHEME_HTTPS:
        ret = certslot_http_run(&x, url, up, up_len, out);
        break;
    case CERTSLOT_SCHEME_FTP:
    case CERTSLOT_SCHEME_FTPS:
        ret = certslot_ftp_run(&x, url, up, up_len, out);
        break;
    default:
        ret = certslot_tftp_run(&x, url, out);
        break;
    }
    if (x.tls != NULL) {
        certslot_tls_free(x.tls);
        certslot_free(x.tls);
    }
    if (ret == 0)
        snprintf(res->msg, sizeof(res->msg), "%s: %s %u bytes", x.where, upload ? "uploaded" : "fetched",
                 (unsigned)(upload ? up_len : out->len));
    else if (ret == CERTSLOT_ERR_TIMEOUT && x.too_slow)
        certslot_xfer_fail(&x, -1, ret, "%s: given up: the server sent less than %u bytes a second for %u s",
                           x.where, (unsigned)x.min_rate, x.window_ms / 1000u);
    else if (ret == CERTSLOT_ERR_TIMEOUT && certslot_xfer_wait(&x) == 0)
        certslot_xfer_fail(&x, -1, ret, "%s: given up: the transfer took longer than its limit of %u s", x.where,
                           x.deadline.ms / 1000u);
    else if (res->status == CERTSLOT_FETCH_OK)
        certslot_xfer_fail(&x, -1, ret, "%s: %s", x.where, certslot_strerror(ret));
    return ret;
}

int certslot_fetch(const certslot_fetch_opts_t *o, const certslot_url_t *url, unsigned char **data, size_t *len,
                   certslot_fetch_result_t *res)
{
    certslot_xfer_buf_t b;

    memset(&b, 0, sizeof(b));
    *data = NULL;
    *len = 0;
    int ret = run(o, url, NULL, 0, 0, &b, res);
    if (ret == 0 && b.data == NULL) {
        b.data = certslot_calloc(1, 1);
        if (b.data == NULL) {
            res->status = CERTSLOT_FETCH_FAILED;
            snprintf(res->msg, sizeof(res->msg), "out of memory");
            return CERTSLOT_ERR_NOMEM;
        }
        b.cap = 1;
    }
    if (ret != 0) {
        certslot_xfer_buf_free(&b);
        return ret;
    }
    *data = b.data;
    *len = b.len;
    return 0;
}

int certslot_upload(const certslot_fetch_opts_t *o, const certslot_url_t *url, const unsigned char *data, size_t len,
                    certslot_fetch_result_t *res)
{
    certslot_xfer_buf_t b;

    memset(&b, 0, sizeof(b));
    int ret = run(o, url, data, len, 1, &b, res);
    certslot_xfer_buf_free(&b);
    return ret;
}

int certslot_fetch_install(certslot_store_t *st, certslot_slot_t slot, certslot_kind_t kind, const char *url_text,
                           const certslot_fetch_opts_t *o, int allow_weak, certslot_fetch_result_t *res)
{
    certslot_url_t url;
    certslot_result_t sres;
    unsigned char *data = NULL;
    size_t len = 0;
    char why[200];

    memset(res, 0, sizeof(*res));
    int ret = certslot_url_parse(url_text, &url, why, sizeof(why));
    if (ret == 0 && o->user != NULL)
        ret = certslot_url_set_credentials(&url, o->user, o->password, why, sizeof(why));
    if (ret != 0) {
        certslot_url_wipe(&url);
        res->status = CERTSLOT_FETCH_BAD_URL;
        snprintf(res->msg, sizeof(res->msg), "bad URL: %s", why);
        return ret;
    }
    ret = certslot_fetch(o, &url, &data, &len, res);
    certslot_url_wipe(&url);
    if (ret != 0)
        return ret;
    ret = certslot_store_install(st, slot, kind, data, len, NULL, 0, allow_weak, &sres);
    certslot_zeroize(data, len);
    certslot_free(data);
    res->status = status_of(ret);
    if (ret == CERTSLOT_ERR_KEY || (ret != 0 && res->status == CERTSLOT_FETCH_FAILED && kind == CERTSLOT_KIND_DEVICE))
        res->status = CERTSLOT_FETCH_NOT_CERT;
    snprintf(res->msg, sizeof(res->msg), "%s", sres.msg);
    return ret;
}
