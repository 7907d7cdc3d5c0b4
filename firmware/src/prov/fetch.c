/*
 * One entry point per use: fetch a file, upload a log, install a
 * certificate from a URL. The protocols are in http.c, ftp.c and tftp.c,
 * reached through the scheme table below; what they share is in xfer.c.
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
#include "core/internal.h"
#include "xfer.h"

/* ---- entry points ---- */

/* The scheme table (with url.h's names, ports and TLS): what runs each scheme, NULL when the build leaves it
 * out, and whether it can upload. */
#if CERTSLOT_WITH_FTP
#define FTP_RUN certslot_ftp_run
#else
#define FTP_RUN NULL
#endif
#if CERTSLOT_WITH_TFTP
#define TFTP_RUN certslot_tftp_run
#else
#define TFTP_RUN NULL
#endif

static const struct {
    certslot_xfer_run_fn run;
    int upload;
} schemes[CERTSLOT_SCHEME_COUNT] = {
    [CERTSLOT_SCHEME_FTP] = {FTP_RUN, 1},
    [CERTSLOT_SCHEME_TFTP] = {TFTP_RUN, 0},
    [CERTSLOT_SCHEME_HTTP] = {certslot_http_run, 1},
    [CERTSLOT_SCHEME_HTTPS] = {certslot_http_run, 1},
    [CERTSLOT_SCHEME_FTPS] = {FTP_RUN, 1},
    [CERTSLOT_SCHEME_FTPES] = {FTP_RUN, 1},
};

static int run(const certslot_fetch_opts_t *o, const certslot_url_t *url, const unsigned char *up, size_t up_len,
               int upload, certslot_xfer_buf_t *out, certslot_result_t *res)
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
    if ((url->scheme == CERTSLOT_SCHEME_FTP || url->scheme == CERTSLOT_SCHEME_FTPS ||
         url->scheme == CERTSLOT_SCHEME_FTPES) &&
        (!url->has_user || !url->has_password || url->user[0] == '\0' ||
         cs_equal_ci(url->user, strlen(url->user), "anonymous") || cs_equal_ci(url->user, strlen(url->user), "ftp")))
        return certslot_xfer_fail(&x, CERTSLOT_STATUS_BAD_URL, CERTSLOT_ERR_AUTH,
                                  "%s: anonymous FTP is not allowed (give user and password)", x.where);
    if ((unsigned)url->scheme >= CERTSLOT_SCHEME_COUNT || schemes[url->scheme].run == NULL)
        return certslot_xfer_fail(&x, CERTSLOT_STATUS_UNSUPPORTED, CERTSLOT_ERR_UNSUPPORTED,
                                  "%s: %s is left out of this build", x.where, certslot_scheme_name(url->scheme));
    if (upload && !schemes[url->scheme].upload)
        return certslot_xfer_fail(&x, CERTSLOT_STATUS_UNSUPPORTED, CERTSLOT_ERR_ARG,
                                  "%s: log upload over %s is not supported", x.where,
                                  url->scheme == CERTSLOT_SCHEME_TFTP ? "TFTP" : certslot_scheme_name(url->scheme));
    if (certslot_scheme_is_tls(url->scheme) && (ret = certslot_xfer_tls(&x)) != 0)
        return ret;
    ret = schemes[url->scheme].run(&x, url, up, up_len, out);
    if (x.tls != NULL) {
        certslot_tls_free(x.tls);
        certslot_free(x.tls);
    }
    if (ret == 0)
        cs_result(res, -1, 0, "%s: %s %u bytes", x.where, upload ? "uploaded" : "fetched",
                  (unsigned)(upload ? up_len : out->len));
    else if (ret == CERTSLOT_ERR_TIMEOUT && x.too_slow)
        certslot_xfer_fail(&x, -1, ret, "%s: given up: the server sent less than %u bytes a second for %u s",
                           x.where, (unsigned)x.min_rate, x.window_ms / 1000u);
    else if (ret == CERTSLOT_ERR_TIMEOUT && certslot_xfer_wait(&x) == 0)
        certslot_xfer_fail(&x, -1, ret, "%s: given up: the transfer took longer than its limit of %u s", x.where,
                           x.deadline.ms / 1000u);
    else if (res->status == CERTSLOT_STATUS_OK)
        certslot_xfer_fail(&x, -1, ret, "%s: %s", x.where, certslot_strerror(ret));
    return ret;
}

int certslot_fetch(const certslot_fetch_opts_t *o, const certslot_url_t *url, unsigned char **data, size_t *len,
                   certslot_result_t *res)
{
    certslot_xfer_buf_t b;

    memset(&b, 0, sizeof(b));
    *data = NULL;
    *len = 0;
    int ret = run(o, url, NULL, 0, 0, &b, res);
    if (ret == 0 && b.data == NULL) {
        b.data = certslot_calloc(1, 1);
        if (b.data == NULL) {
            return cs_result(res, -1, CERTSLOT_ERR_NOMEM, "out of memory");
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
                    certslot_result_t *res)
{
    certslot_xfer_buf_t b;

    memset(&b, 0, sizeof(b));
    int ret = run(o, url, data, len, 1, &b, res);
    certslot_xfer_buf_free(&b);
    return ret;
}

int certslot_fetch_install(certslot_store_t *st, certslot_slot_t slot, certslot_kind_t kind, const char *url_text,
                           const certslot_fetch_opts_t *o, int allow_weak, certslot_result_t *res)
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
        return cs_result(res, CERTSLOT_STATUS_BAD_URL, ret, "bad URL: %s", why);
    }
    ret = certslot_fetch(o, &url, &data, &len, res);
    certslot_url_wipe(&url);
    if (ret != 0)
        return ret;
    ret = certslot_store_install(st, slot, kind, data, len, NULL, 0, allow_weak, &sres);
    certslot_zeroize(data, len);
    certslot_free(data);
    *res = sres;
    if (ret != 0 && res->status == CERTSLOT_STATUS_FAILED && kind == CERTSLOT_KIND_DEVICE)
        res->status = CERTSLOT_STATUS_NOT_CERT;
    return ret;
}
