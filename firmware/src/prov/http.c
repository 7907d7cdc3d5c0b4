/*
 * HTTP/1.1 client for provisioning: GET (files) and PUT (log upload,
 * replacing the file), Content-Length, chunked and read-until-close bodies,
 * all bounded; one request per connection. Authentication answers the
 * server's challenge: Digest (http_auth.c) when offered, else Basic, which
 * is sent unasked only over HTTPS. Redirects (301, 302, 303, 307, 308; an
 * upload only 307 and 308) are followed up to HTTP_MAX_REDIRECTS, keeping
 * the scheme or going from http to https, with the credentials only for the
 * configured host, and TLS checking the name of the host the redirect names.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "certslot/error.h"
#include "certslot/platform.h"
#include "certslot/text.h"
#include "core/internal.h"
#include "xfer.h"

#define HTTP_MAX_HEADERS 100
#define HTTP_MAX_REDIRECTS 5

/* Path with characters outside the safe set percent-encoded (the URL parser decoded them); its '%' are the
 * "%2F" and "%25" the parser kept encoded (url.h), sent as they are. */
static int encode_path(const char *path, char *out, size_t size)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t o = 0;

    if (*path == '\0')
        path = "/";
    for (; *path != '\0'; path++) {
        unsigned char c = (unsigned char)*path;
        int safe = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                   strchr("/-._~!$&'()*+,;=:@%", c) != NULL;
        if (o + 4 > size)
            return CERTSLOT_ERR_LIMIT;
        if (safe) {
            out[o++] = (char)c;
        } else {
            out[o++] = '%';
            out[o++] = hex[c >> 4];
            out[o++] = hex[c & 15];
        }
    }
    out[o] = '\0';
    return 0;
}

/* A reply that breaks HTTP's framing, in its headers or its body: CERTSLOT_ERR_PROTOCOL, saying how. */
static int broken_reply(certslot_xfer_t *x, const char *how)
{
    return certslot_xfer_fail(x, -1, CERTSLOT_ERR_PROTOCOL, "%s: the server's reply breaks HTTP: %s", x->where, how);
}

static int read_body(certslot_xfer_t *x, certslot_xfer_stream_t *s, certslot_xfer_buf_t *out, long long length,
                     int chunked)
{
    unsigned char buf[2048];
    char line[128];
    int ret;

    if (!chunked) {
        if (length >= 0 && (unsigned long long)length > out->max)
            return certslot_xfer_fail(x, -1, CERTSLOT_ERR_LIMIT, "%s: the file is larger than %u bytes", x->where,
                                      (unsigned)out->max);
        for (long long left = length; left != 0;) {
            size_t want = left < 0 || left > (long long)sizeof(buf) ? sizeof(buf) : (size_t)left;
            int n = certslot_xfer_read(s, buf, want);
            if (n < 0)
                return n;
            if (n == 0)
                return length < 0 ? 0 : broken_reply(x, "the connection closed before Content-Length bytes came");
            if ((ret = certslot_xfer_buf_add(out, buf, (size_t)n)) != 0)
                return ret;
            if (left > 0)
                left -= n;
        }
        return 0;
    }
    for (;;) {
        if ((ret = certslot_xfer_line(s, line, sizeof(line))) != 0)
            return ret;
        char *end;
        unsigned long size = strtoul(line, &end, 16);
        if (end == line || (*end != '\0' && *end != ';' && *end != ' '))
            return broken_reply(x, "a chunk size that is not hexadecimal");
        if (size > out->max)
            return certslot_xfer_fail(x, -1, CERTSLOT_ERR_LIMIT, "%s: the file is larger than %u bytes", x->where,
                                      (unsigned)out->max);
        if (size == 0)
            break;
        while (size > 0) {
            int n = certslot_xfer_read(s, buf, size < sizeof(buf) ? size : sizeof(buf));
            if (n < 0)
                return n;
            if (n == 0)
                return broken_reply(x, "the connection closed inside a chunk");
            if ((ret = certslot_xfer_buf_add(out, buf, (size_t)n)) != 0)
                return ret;
            size -= (unsigned long)n;
        }
        if ((ret = certslot_xfer_line(s, line, sizeof(line))) != 0)
            return ret;
        if (line[0] != '\0')
            return broken_reply(x, "a chunk longer than its size");
    }
    /* Trailers, up to the empty line. */
    for (int i = 0; i < HTTP_MAX_HEADERS; i++) {
        if ((ret = certslot_xfer_line(s, line, sizeof(line))) != 0)
            return ret;
        if (line[0] == '\0')
            return 0;
    }
    return broken_reply(x, "too many trailer lines");
}

typedef enum { AUTH_NONE, AUTH_BASIC, AUTH_DIGEST } auth_t;

/* The Authorization line for auth into out ("" for none). */
static int auth_line(certslot_xfer_t *x, const certslot_url_t *url, const char *method, const char *path,
                     auth_t auth, const certslot_http_auth_t *ch, char *out, size_t size)
{
    out[0] = '\0';
    if (auth == AUTH_BASIC)
        return certslot_http_basic_line(url->user, url->password, out, size);
    if (auth != AUTH_DIGEST)
        return 0;
    unsigned char r[16];
    char cnonce[2 * sizeof(r) + 1];
    const certslot_hal_t *hal = x->o->hal;
    if (hal == NULL || hal->random(hal->ctx, r, sizeof(r)) != 0)
        return certslot_xfer_fail(x, CERTSLOT_STATUS_FAILED, CERTSLOT_ERR_ARG,
                                  "%s: Digest authentication needs the hal's random source", x->where);
    for (size_t i = 0; i < sizeof(r); i++)
        snprintf(cnonce + 2 * i, 3, "%02x", r[i]);
    int ret = certslot_http_digest_line(ch, url->user, url->password, method, path, cnonce, out, size);
    if (ret == CERTSLOT_ERR_VALUE)
        return certslot_xfer_fail(x, CERTSLOT_STATUS_BAD_URL, ret,
                                  "%s: the user name cannot be sent in a Digest answer (a quote or backslash)",
                                  x->where);
    return ret;
}

static int request(certslot_xfer_t *x, certslot_xfer_stream_t *s, const certslot_url_t *url,
                   const unsigned char *put, size_t put_len, auth_t auth, const certslot_http_auth_t *ch,
                   int *status)
{
    char path[3 * CERTSLOT_URL_MAX_PATH + 4], req[4096 + 2 * sizeof(path)], line[4 * CERTSLOT_HTTP_AUTH_VALUE_MAX + sizeof(path) + 300];
    const char *method = put != NULL ? "PUT" : "GET";
    int ret, n;

    /* The path is percent-encoded below; what goes into the lines as it is must hold no control byte. */
    if (certslot_text_has_ctl(url->host, strlen(url->host)) || certslot_text_has_ctl(url->user, strlen(url->user)) ||
        certslot_text_has_ctl(url->password, strlen(url->password)))
        return certslot_xfer_fail(x, CERTSLOT_STATUS_BAD_URL, CERTSLOT_ERR_VALUE,
                                  "%s: request refused: the host or the credentials contain a control character",
                                  x->where);
    if (encode_path(url->path, path, sizeof(path)) != 0)
        return CERTSLOT_ERR_LIMIT;
    int v6 = strchr(url->host, ':') != NULL;
    n = snprintf(req, sizeof(req), "%s %s HTTP/1.1\r\nHost: %s%s%s", method, path, v6 ? "[" : "", url->host,
                 v6 ? "]" : "");
    if (url->port != certslot_scheme_default_port(url->scheme))
        n += snprintf(req + n, sizeof(req) - (size_t)n, ":%u", (unsigned)url->port);
    n += snprintf(req + n, sizeof(req) - (size_t)n, "\r\nUser-Agent: certslot\r\nConnection: close\r\n");
    if ((ret = auth_line(x, url, method, path, auth, ch, line, sizeof(line))) != 0) {
        certslot_zeroize(line, sizeof(line));
        return ret;
    }
    n += snprintf(req + n, sizeof(req) - (size_t)n, "%s", line);
    certslot_zeroize(line, sizeof(line));
    if (put != NULL)
        n += snprintf(req + n, sizeof(req) - (size_t)n, "Content-Type: application/octet-stream\r\n"
                                                        "Content-Length: %lu\r\n", (unsigned long)put_len);
    n += snprintf(req + n, sizeof(req) - (size_t)n, "\r\n");
    ret = (size_t)n >= sizeof(req) ? CERTSLOT_ERR_LIMIT : certslot_xfer_write(s, (const unsigned char *)req, (size_t)n);
    certslot_zeroize(req, sizeof(req));
    if (ret == 0 && put != NULL && put_len > 0)
        ret = certslot_xfer_write(s, put, put_len);
    if (ret != 0)
        return ret;

    char status_line[CERTSLOT_FETCH_LINE_MAX];
    if ((ret = certslot_xfer_line(s, status_line, sizeof(status_line))) != 0)
        return ret;
    if (strncmp(status_line, "HTTP/1.", 7) != 0 || status_line[7] == '\0' || status_line[8] != ' ' ||
        sscanf(status_line + 9, "%3d", status) != 1)
        return certslot_xfer_fail(x, CERTSLOT_STATUS_PROTOCOL, CERTSLOT_ERR_PROTOCOL, "%s: not an HTTP reply",
                                  x->where);
    return 0;
}

/* What the headers of a reply said. */
typedef struct {
    int status, chunked;
    long long length;
    certslot_http_auth_t auth;
    char location[CERTSLOT_FETCH_LINE_MAX];
} reply_t;

static const char *header_value(const char *line, size_t name_len)
{
    const char *v = line + name_len;
    while (*v == ' ' || *v == '\t')
        v++;
    return v;
}

/* A Content-Length value: digits, then at most whitespace; -1 when it is not that or does not fit. */
static long long content_length(const char *v)
{
    long long n = 0;

    if (*v < '0' || *v > '9')
        return -1;
    for (; *v >= '0' && *v <= '9'; v++) {
        if (n > (LLONG_MAX - 9) / 10)
            return -1;
        n = n * 10 + (*v - '0');
    }
    while (*v == ' ' || *v == '\t')
        v++;
    return *v == '\0' ? n : -1;
}

static int headers(certslot_xfer_t *x, certslot_xfer_stream_t *s, reply_t *r)
{
    char line[CERTSLOT_FETCH_LINE_MAX];
    int ret;

    for (int i = 0;; i++) {
        if ((ret = certslot_xfer_line(s, line, sizeof(line))) != 0)
            return ret != CERTSLOT_ERR_PROTOCOL ? ret : broken_reply(x, "the connection closed inside the headers");
        if (line[0] == '\0')
            return 0;
        if (i == HTTP_MAX_HEADERS)
            return certslot_xfer_fail(x, -1, CERTSLOT_ERR_PROTOCOL, "%s: the server's reply breaks HTTP: more "
                                      "than %d header lines", x->where, HTTP_MAX_HEADERS);
        if (cs_starts_ci(line, "content-length:")) {
            long long n = content_length(header_value(line, 15));
            if (n < 0)
                return broken_reply(x, "a Content-Length that is not a number");
            if (r->length >= 0 && r->length != n)
                return broken_reply(x, "two different Content-Length values");
            r->length = n;
        } else if (cs_starts_ci(line, "transfer-encoding:")) {
            if (!cs_starts_ci(header_value(line, 18), "chunked"))
                return certslot_xfer_fail(x, -1, CERTSLOT_ERR_PROTOCOL, /* no other coding was asked for */
                                          "%s: the server's reply breaks HTTP: a Transfer-Encoding that was not "
                                          "asked for (%.40s)", x->where, header_value(line, 18));
            r->chunked = 1;
        } else if (cs_starts_ci(line, "www-authenticate:")) {
            certslot_http_auth_challenge(&r->auth, header_value(line, 17));
        } else if (cs_starts_ci(line, "location:")) {
            snprintf(r->location, sizeof(r->location), "%s", header_value(line, 9));
        }
    }
}

/*
 * Follows r's redirect from *url: its Location, absolute or an absolute
 * path, on the same scheme or from http to https, never from https to http.
 * *creds stays 1 only while the host is the configured one (conf).
 */
static int redirect(certslot_xfer_t *x, certslot_url_t *url, const certslot_url_t *conf, const reply_t *r,
                    int *creds)
{
    certslot_url_t next;
    char text[CERTSLOT_FETCH_LINE_MAX + CERTSLOT_URL_MAX_HOST + 32], why[200];
    const char *loc = r->location;

    if (loc[0] == '\0')
        return certslot_xfer_fail(x, CERTSLOT_STATUS_PROTOCOL, CERTSLOT_ERR_PROTOCOL,
                                  "%s: HTTP %d without a Location", x->where, r->status);
    if (loc[0] == '/' && loc[1] != '/') {
        int v6 = strchr(url->host, ':') != NULL;
        snprintf(text, sizeof(text), "%s://%s%s%s:%u%s", certslot_scheme_name(url->scheme), v6 ? "[" : "", url->host,
                 v6 ? "]" : "", (unsigned)url->port, loc);
        loc = text;
    }
    if (certslot_url_parse(loc, &next, why, sizeof(why)) != 0) {
        certslot_url_wipe(&next);
        return certslot_xfer_fail(x, CERTSLOT_STATUS_PROTOCOL, CERTSLOT_ERR_PROTOCOL,
                                  "%s: HTTP %d to a location certslot does not follow: %s", x->where, r->status, why);
    }
    int up = url->scheme == CERTSLOT_SCHEME_HTTP && next.scheme == CERTSLOT_SCHEME_HTTPS;
    if (next.scheme != url->scheme && !up) {
        char where[300];
        certslot_url_describe(&next, where, sizeof(where));
        certslot_url_wipe(&next);
        return certslot_xfer_fail(x, CERTSLOT_STATUS_REFUSED, CERTSLOT_ERR_AUTH,
                                  "%s: HTTP %d to %s refused: a redirect may keep the scheme or go from http to "
                                  "https, never to another one",
                                  x->where, r->status, where);
    }
    /* Credentials go only to the configured host (its scheme and port, or https on it after http). */
    *creds = *creds && strcmp(next.host, conf->host) == 0 &&
             ((next.scheme == conf->scheme && next.port == conf->port) || up);
    x->other_host = strcmp(next.host, conf->host) != 0;
    certslot_url_wipe(url);
    *url = next;
    if (*creds)
        (void)certslot_url_set_credentials(url, conf->user, conf->password, why, sizeof(why));
    certslot_url_wipe(&next);
    certslot_url_describe(url, x->where, sizeof(x->where));
    return url->scheme == CERTSLOT_SCHEME_HTTPS ? certslot_xfer_tls(x) : 0;
}

static int is_redirect(int status)
{
    return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

/* A 401: the next way to authenticate, or the error. */
static int unauthorized(certslot_xfer_t *x, const reply_t *r, int creds, auth_t *auth, certslot_http_auth_t *ch,
                        int *tries)
{
    if (!creds)
        return certslot_xfer_fail(x, CERTSLOT_STATUS_REFUSED, CERTSLOT_ERR_AUTH,
                                  "%s: the server needs a user and password (HTTP 401)", x->where);
    if (r->auth.offered_digest && (*auth != AUTH_DIGEST || r->auth.digest.stale) && (*tries)++ < 2) {
        *ch = r->auth;
        *auth = AUTH_DIGEST;
        return 0;
    }
    if (r->auth.offered_basic && *auth == AUTH_NONE && (*tries)++ < 2) {
        *auth = AUTH_BASIC;
        return 0;
    }
    if (*auth != AUTH_NONE)
        return certslot_xfer_fail(x, CERTSLOT_STATUS_REFUSED, CERTSLOT_ERR_AUTH,
                                  "%s: the server refused the user or password (HTTP 401)", x->where);
    return certslot_xfer_fail(x, CERTSLOT_STATUS_UNSUPPORTED, CERTSLOT_ERR_UNSUPPORTED,
                              "%s: the server asks for an authentication scheme certslot does not support (%s)",
                              x->where, r->auth.other[0] != '\0' ? r->auth.other : "none named");
}

int certslot_http_run(certslot_xfer_t *x, const certslot_url_t *conf, const unsigned char *put, size_t put_len,
                      certslot_xfer_buf_t *out)
{
    certslot_xfer_stream_t s;
    certslot_url_t url = *conf;
    certslot_http_auth_t ch;
    reply_t r;
    int creds = conf->has_user, redirects = 0, tries = 0, ret;
    /* Basic is sent unasked only over TLS; in clear, only when the server asks for it. */
    auth_t auth = creds && conf->scheme == CERTSLOT_SCHEME_HTTPS ? AUTH_BASIC : AUTH_NONE;

    memset(&ch, 0, sizeof(ch));
    for (;;) {
        memset(&r, 0, sizeof(r));
        r.length = -1;
        if ((ret = certslot_xfer_open(x, &s, url.host, url.port, url.scheme == CERTSLOT_SCHEME_HTTPS)) != 0)
            break;
        ret = request(x, &s, &url, put, put_len, auth, &ch, &r.status);
        if (ret == 0)
            ret = headers(x, &s, &r);
        if (ret == 0 && r.status == 401) {
            certslot_xfer_close(&s);
            if ((ret = unauthorized(x, &r, creds, &auth, &ch, &tries)) != 0)
                break;
            continue;
        }
        if (ret == 0 && is_redirect(r.status) && (put == NULL || r.status == 307 || r.status == 308)) {
            certslot_xfer_close(&s);
            if (++redirects > HTTP_MAX_REDIRECTS) {
                ret = certslot_xfer_fail(x, CERTSLOT_STATUS_PROTOCOL, CERTSLOT_ERR_PROTOCOL,
                                         "%s: more than %d redirects", x->where, HTTP_MAX_REDIRECTS);
                break;
            }
            if ((ret = redirect(x, &url, conf, &r, &creds)) != 0)
                break;
            auth = creds && url.scheme == CERTSLOT_SCHEME_HTTPS ? AUTH_BASIC : AUTH_NONE;
            tries = 0;
            memset(&ch, 0, sizeof(ch));
            continue;
        }
        if (ret == 0) {
            if (r.status == 403)
                ret = certslot_xfer_fail(x, -1, CERTSLOT_ERR_AUTH, "%s: refused by the server (HTTP 403)", x->where);
            else if (r.status == 404 || r.status == 410)
                ret = certslot_xfer_fail(x, -1, CERTSLOT_ERR_NOT_FOUND, "%s: not found (HTTP %d)", x->where,
                                         r.status);
            else if (r.status < 200 || r.status > 299)
                ret = certslot_xfer_fail(x, -1, CERTSLOT_ERR_PROTOCOL, "%s: the server answered HTTP %d", x->where,
                                         r.status);
            else if (put == NULL)
                ret = read_body(x, &s, out, r.length, r.chunked);
        }
        certslot_xfer_close(&s);
        break;
    }
    certslot_zeroize(&ch, sizeof(ch));
    certslot_url_wipe(&url);
    return ret;
}
