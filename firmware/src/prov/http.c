/*
 * HTTP/1.1 client for provisioning: GET (files) and PUT (log upload,
 * replacing the file), basic authentication, Content-Length, chunked and
 * read-until-close bodies, all bounded. One request per connection.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mbedtls/base64.h>

#include "certslot/error.h"
#include "certslot/platform.h"
#include "certslot/text.h"
#include "core/internal.h"
#include "xfer.h"

#define HTTP_MAX_HEADERS 100

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
                return length < 0 ? 0 : CERTSLOT_ERR_PROTOCOL; /* closed before Content-Length */
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
        if (end == line || (*end != '\0' && *end != ';' && *end != ' ') || size > out->max)
            return size > out->max ? CERTSLOT_ERR_LIMIT : CERTSLOT_ERR_PROTOCOL;
        if (size == 0)
            break;
        while (size > 0) {
            int n = certslot_xfer_read(s, buf, size < sizeof(buf) ? size : sizeof(buf));
            if (n <= 0)
                return n < 0 ? n : CERTSLOT_ERR_PROTOCOL;
            if ((ret = certslot_xfer_buf_add(out, buf, (size_t)n)) != 0)
                return ret;
            size -= (unsigned long)n;
        }
        if ((ret = certslot_xfer_line(s, line, sizeof(line))) != 0 || line[0] != '\0')
            return ret != 0 ? ret : CERTSLOT_ERR_PROTOCOL;
    }
    /* Trailers, up to the empty line. */
    for (int i = 0; i < HTTP_MAX_HEADERS; i++) {
        if ((ret = certslot_xfer_line(s, line, sizeof(line))) != 0)
            return ret;
        if (line[0] == '\0')
            return 0;
    }
    return CERTSLOT_ERR_PROTOCOL;
}

static int request(certslot_xfer_t *x, certslot_xfer_stream_t *s, const certslot_url_t *url,
                   const unsigned char *put, size_t put_len, int *status)
{
    char path[3 * CERTSLOT_URL_MAX_PATH + 4], req[4096 + sizeof(path)], cred[2 * CERTSLOT_URL_MAX_CRED + 2];
    unsigned char b64[4 * sizeof(cred) / 3 + 8];
    size_t b64_len = 0;
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
    n = snprintf(req, sizeof(req), "%s %s HTTP/1.1\r\nHost: %s%s%s", put != NULL ? "PUT" : "GET", path,
                 v6 ? "[" : "", url->host, v6 ? "]" : "");
    if (url->port != certslot_scheme_default_port(url->scheme))
        n += snprintf(req + n, sizeof(req) - (size_t)n, ":%u", (unsigned)url->port);
    n += snprintf(req + n, sizeof(req) - (size_t)n, "\r\nUser-Agent: certslot\r\nConnection: close\r\n");
    if (url->has_user) {
        int c = snprintf(cred, sizeof(cred), "%s:%s", url->user, url->password);
        ret = mbedtls_base64_encode(b64, sizeof(b64), &b64_len, (const unsigned char *)cred, (size_t)c);
        certslot_zeroize(cred, sizeof(cred));
        if (ret != 0)
            return CERTSLOT_ERR_LIMIT;
        n += snprintf(req + n, sizeof(req) - (size_t)n, "Authorization: Basic %.*s\r\n", (int)b64_len, b64);
        certslot_zeroize(b64, sizeof(b64));
    }
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

    char line[CERTSLOT_FETCH_LINE_MAX];
    if ((ret = certslot_xfer_line(s, line, sizeof(line))) != 0)
        return ret;
    if (strncmp(line, "HTTP/1.", 7) != 0 || line[7] == '\0' || line[8] != ' ' ||
        sscanf(line + 9, "%3d", status) != 1)
        return certslot_xfer_fail(x, CERTSLOT_STATUS_PROTOCOL, CERTSLOT_ERR_PROTOCOL, "%s: not an HTTP reply",
                                  x->where);
    return 0;
}

int certslot_http_run(certslot_xfer_t *x, const certslot_url_t *url, const unsigned char *put, size_t put_len,
                      certslot_xfer_buf_t *out)
{
    certslot_xfer_stream_t s;
    char line[CERTSLOT_FETCH_LINE_MAX];
    long long length = -1;
    int status = 0, chunked = 0, ret, i;

    ret = certslot_xfer_open(x, &s, url->host, url->port, url->scheme == CERTSLOT_SCHEME_HTTPS);
    if (ret != 0)
        return ret;
    ret = request(x, &s, url, put, put_len, &status);
    for (i = 0; ret == 0 && i < HTTP_MAX_HEADERS; i++) {
        if ((ret = certslot_xfer_line(&s, line, sizeof(line))) != 0 || line[0] == '\0')
            break;
        if (cs_starts_ci(line, "content-length:")) {
            char *end;
            length = strtoll(line + 15, &end, 10);
            if (length < 0 || end == line + 15)
                ret = CERTSLOT_ERR_PROTOCOL;
        } else if (cs_starts_ci(line, "transfer-encoding:")) {
            const char *v = line + 18;
            while (*v == ' ' || *v == '\t')
                v++;
            if (!cs_starts_ci(v, "chunked"))
                ret = CERTSLOT_ERR_PROTOCOL; /* no other coding was asked for */
            chunked = 1;
        }
    }
    if (ret == 0 && i == HTTP_MAX_HEADERS)
        ret = CERTSLOT_ERR_PROTOCOL;
    if (ret == 0) {
        if (status == 401 || status == 403)
            ret = certslot_xfer_fail(x, -1, CERTSLOT_ERR_AUTH, "%s: refused by the server (HTTP %d)%s", x->where,
                                     status, status == 401 ? ": wrong user or password" : "");
        else if (status == 404 || status == 410)
            ret = certslot_xfer_fail(x, -1, CERTSLOT_ERR_NOT_FOUND, "%s: not found (HTTP %d)", x->where, status);
        else if (status < 200 || status > 299)
            ret = certslot_xfer_fail(x, -1, CERTSLOT_ERR_PROTOCOL, "%s: the server answered HTTP %d", x->where,
                                     status);
        else if (put == NULL)
            ret = read_body(x, &s, out, length, chunked);
    }
    certslot_xfer_close(&s);
    return ret;
}
