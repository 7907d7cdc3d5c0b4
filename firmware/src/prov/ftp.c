/*
 * FTP client for provisioning: login (USER/PASS), binary mode, passive data
 * connection (EPSV, else PASV), RETR for files and APPE for log upload.
 * FTPS protects the control and the data connections (PBSZ 0, PROT P), in
 * either mode: implicit (ftps://, TLS from the first byte) or explicit
 * (ftpes://, AUTH TLS after the greeting, before USER). An ftps:// server
 * that greets in plain text speaks explicit FTPS: the transfer starts again
 * with AUTH TLS. A server refusing AUTH TLS, PBSZ or PROT P is an error,
 * never a fall back to plain text. Every data connection offers the control
 * connection's TLS session, which vsftpd and proftpd require by default.
 * Replies, multi-line ones included, are read line by line with a bound on
 * their length and count. The passive address is always the control
 * connection's host (a PASV address is ignored: no bounce).
 */
#include <stdio.h>
#include <string.h>

#include "certslot/error.h"
#include "certslot/platform.h"
#include "certslot/text.h"
#include "core/internal.h"
#include "xfer.h"

#if CERTSLOT_WITH_FTP /* certslot/options.h */

#define FTP_MAX_REPLY_LINES 100

/* Reads one reply; *code is its 3-digit code; text keeps its first line. */
static int reply(certslot_xfer_stream_t *s, int *code, char *text, size_t size)
{
    char line[CERTSLOT_FETCH_LINE_MAX];
    int ret;

    if ((ret = certslot_xfer_line(s, line, sizeof(line))) != 0)
        return ret;
    if (!(line[0] >= '1' && line[0] <= '5' && line[1] >= '0' && line[1] <= '9' && line[2] >= '0' && line[2] <= '9'))
        return CERTSLOT_ERR_PROTOCOL;
    *code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
    snprintf(text, size, "%s", line);
    if (line[3] != '-')
        return 0;
    char end[5];
    memcpy(end, line, 3);
    end[3] = ' ';
    end[4] = '\0';
    for (int i = 0; i < FTP_MAX_REPLY_LINES; i++) {
        if ((ret = certslot_xfer_line(s, line, sizeof(line))) != 0)
            return ret;
        if (strncmp(line, end, 4) == 0 || (strncmp(line, end, 3) == 0 && line[3] == '\0'))
            return 0;
    }
    return CERTSLOT_ERR_PROTOCOL;
}

/*
 * Sends "cmd arg\r\n" (arg may be NULL). A control byte in either would end
 * the command early and smuggle another (a CONFIG_FILES name, a user name):
 * refused here, whatever checked the data before.
 */
static int send_command(certslot_xfer_t *x, certslot_xfer_stream_t *s, const char *cmd, const char *arg)
{
    char buf[CERTSLOT_URL_MAX_PATH + 16];

    if (certslot_text_has_ctl(cmd, strlen(cmd)) || (arg != NULL && certslot_text_has_ctl(arg, strlen(arg))))
        return certslot_xfer_fail(x, CERTSLOT_STATUS_BAD_URL, CERTSLOT_ERR_VALUE,
                                  "%s: %s refused: its argument contains a control character", x->where, cmd);
    int n = snprintf(buf, sizeof(buf), "%s%s%s\r\n", cmd, arg != NULL ? " " : "", arg != NULL ? arg : "");
    int ret = (size_t)n >= sizeof(buf) ? CERTSLOT_ERR_LIMIT : certslot_xfer_write(s, (const unsigned char *)buf, (size_t)n);
    certslot_zeroize(buf, sizeof(buf)); /* may be PASS */
    return ret;
}

/* send_command, then the reply. */
static int command(certslot_xfer_t *x, certslot_xfer_stream_t *s, const char *cmd, const char *arg, int *code,
                   char *text, size_t size)
{
    int ret = send_command(x, s, cmd, arg);
    return ret != 0 ? ret : reply(s, code, text, size);
}

/* The text of a reply for a message: bounded (xfer_fail escapes it). */
static const char *clean(char *text)
{
    if (strlen(text) > 100)
        text[100] = '\0';
    return text;
}

static int unexpected(certslot_xfer_t *x, const char *what, int code, char *text)
{
    if (code == 530 || code == 532)
        return certslot_xfer_fail(x, -1, CERTSLOT_ERR_AUTH, "%s: login refused: %s", x->where, clean(text));
    if (code == 550 && (strcmp(what, "RETR") == 0 || strcmp(what, "APPE") == 0))
        return certslot_xfer_fail(x, -1, CERTSLOT_ERR_NOT_FOUND, "%s: %s: %s", x->where,
                                  what[0] == 'R' ? "not found" : "cannot write", clean(text));
    return certslot_xfer_fail(x, -1, CERTSLOT_ERR_PROTOCOL, "%s: %s failed: %s", x->where, what, clean(text));
}

/* Port of a 229 "(|||port|)" or 227 "(h1,h2,h3,h4,p1,p2)" reply; 0 when malformed. */
static unsigned passive_port(int code, const char *text)
{
    const char *p = strchr(text + 4, '(');
    unsigned a[6];
    if (p == NULL && code == 227) /* "227 Entering Passive Mode h1,h2,..." without parentheses */
        for (p = text + 4; *p != '\0' && !(*p >= '0' && *p <= '9'); p++)
            ;
    else if (p != NULL)
        p++;
    if (p == NULL)
        return 0;
    if (code == 229) {
        char d = p[0];
        unsigned port;
        char close;
        if (d == '\0' || p[1] != d || p[2] != d || sscanf(p + 3, "%5u%c", &port, &close) != 2 || close != d ||
            port == 0 || port > 65535)
            return 0;
        return port;
    }
    if (sscanf(p, "%3u,%3u,%3u,%3u,%3u,%3u", &a[0], &a[1], &a[2], &a[3], &a[4], &a[5]) != 6 || a[4] > 255 ||
        a[5] > 255)
        return 0;
    unsigned port = a[4] * 256 + a[5];
    return port;
}

typedef enum { PLAIN, IMPLICIT, EXPLICIT } mode_t_;

static int login(certslot_xfer_t *x, certslot_xfer_stream_t *c, const certslot_url_t *url, mode_t_ mode)
{
    char text[CERTSLOT_FETCH_LINE_MAX];
    int code, ret;

    if ((ret = reply(c, &code, text, sizeof(text))) != 0)
        return ret;
    if (code != 220)
        return unexpected(x, "connect", code, text);
    if (mode == EXPLICIT) {
        if ((ret = command(x, c, "AUTH", "TLS", &code, text, sizeof(text))) != 0)
            return ret;
        if (code != 234)
            return certslot_xfer_fail(x, CERTSLOT_STATUS_TLS_FAILED, CERTSLOT_ERR_TLS,
                                      "%s: the server refused AUTH TLS (nothing was sent in clear): %s", x->where,
                                      clean(text));
        if ((ret = certslot_xfer_starttls(c, NULL)) != 0)
            return ret;
    }
    if ((ret = command(x, c, "USER", url->user, &code, text, sizeof(text))) != 0)
        return ret;
    if (code == 331 || code == 332) {
        if ((ret = command(x, c, "PASS", url->password, &code, text, sizeof(text))) != 0)
            return ret;
    }
    if (code != 230 && code != 202)
        return unexpected(x, "login", code == 331 || code >= 500 ? 530 : code, text);
    if (mode != PLAIN) {
        if ((ret = command(x, c, "PBSZ", "0", &code, text, sizeof(text))) != 0)
            return ret;
        if (code != 200)
            return unexpected(x, "PBSZ", code, text);
        if ((ret = command(x, c, "PROT", "P", &code, text, sizeof(text))) != 0)
            return ret;
        if (code != 200)
            return certslot_xfer_fail(x, CERTSLOT_STATUS_TLS_FAILED, CERTSLOT_ERR_TLS,
                                      "%s: the server refused to protect the data connection (PROT P): %s",
                                      x->where, clean(text));
    }
    if ((ret = command(x, c, "TYPE", "I", &code, text, sizeof(text))) != 0)
        return ret;
    return code == 200 ? 0 : unexpected(x, "TYPE", code, text);
}

/*
 * After a data connection failed: the server's reply on the control
 * connection, when it is a refusal, is what the user is told (a 550 says more
 * than the TLS failure it caused). ret otherwise.
 */
static int data_failed(certslot_xfer_t *x, certslot_xfer_stream_t *c, const char *cmd, int ret)
{
    char text[CERTSLOT_FETCH_LINE_MAX];
    int code;
    certslot_result_t saved = *x->res;

    if (reply(c, &code, text, sizeof(text)) == 0 && code >= 400)
        return unexpected(x, cmd, code, text);
    *x->res = saved;
    return ret;
}

/*
 * The data connection for cmd: connected, cmd sent and its preliminary
 * reply read (a refusal is reported as the server's reply); then, in FTPS,
 * the TLS handshake the server starts after that reply, offering the
 * control connection's session (in TLS 1.3 its latest ticket).
 */
static int open_data(certslot_xfer_t *x, certslot_xfer_stream_t *c, certslot_xfer_stream_t *d,
                     const certslot_url_t *url, unsigned port, const char *cmd, const char *path, int tls)
{
    char text[CERTSLOT_FETCH_LINE_MAX];
    int code, ret;

    if ((ret = certslot_xfer_open(x, d, url->host, (uint16_t)port, 0)) != 0)
        return ret;
    if ((ret = command(x, c, cmd, path, &code, text, sizeof(text))) != 0)
        return ret;
    if (code != 150 && code != 125)
        return unexpected(x, cmd, code, text);
    if (!tls)
        return 0;
    mbedtls_ssl_session session;
    mbedtls_ssl_session_init(&session);
    int have = certslot_tls_get_session(&c->tls, &session) == 0;
    ret = certslot_xfer_starttls(d, have ? &session : NULL);
    mbedtls_ssl_session_free(&session);
    if (ret == 0 && have && !d->tls.resumed)
        cs_log(x->o->hal, CERTSLOT_LOG_INFO, "%s: the server did not resume the TLS session on the data connection",
               x->where);
    return ret != 0 ? data_failed(x, c, cmd, ret) : 0;
}

static int transfer(certslot_xfer_t *x, const certslot_url_t *url, mode_t_ mode, const unsigned char *append,
                    size_t append_len, certslot_xfer_buf_t *out, int *plain_greeting)
{
    certslot_xfer_stream_t c, d;
    char text[CERTSLOT_FETCH_LINE_MAX];
    const char *cmd = append != NULL ? "APPE" : "RETR";
    int tls = mode != PLAIN, code, ret;
    unsigned port;

    memset(&d, 0, sizeof(d));
    if ((ret = certslot_xfer_open(x, &c, url->host, url->port, mode == IMPLICIT)) != 0) {
        /* An explicit-mode server greets in clear before any TLS: "220". */
        *plain_greeting = mode == IMPLICIT && ret == CERTSLOT_ERR_TLS && c.tls.first_len >= 4 &&
                          memcmp(c.tls.first, "220", 3) == 0 && (c.tls.first[3] == ' ' || c.tls.first[3] == '-');
        return ret;
    }
    if ((ret = login(x, &c, url, mode)) != 0)
        goto cleanup;
    if ((ret = command(x, &c, "EPSV", NULL, &code, text, sizeof(text))) != 0)
        goto cleanup;
    if (code != 229 && ((ret = command(x, &c, "PASV", NULL, &code, text, sizeof(text))) != 0))
        goto cleanup;
    port = code == 229 || code == 227 ? passive_port(code, text) : 0;
    if (port == 0) {
        ret = unexpected(x, "passive mode", code, text);
        goto cleanup;
    }
    /* The path as given, relative to the login directory (RFC 1738). */
    char path[CERTSLOT_URL_MAX_PATH + 1];
    if ((ret = certslot_url_file_name(url, path, sizeof(path))) != 0)
        goto cleanup;
    if ((ret = open_data(x, &c, &d, url, port, cmd, path, tls)) != 0)
        goto cleanup;
    if (append != NULL) {
        ret = certslot_xfer_write(&d, append, append_len);
        if (ret == 0)
            ret = certslot_xfer_finish(&d);
    } else {
        unsigned char buf[2048];
        int n;
        while ((n = certslot_xfer_read(&d, buf, sizeof(buf))) > 0)
            if ((ret = certslot_xfer_buf_add(out, buf, (size_t)n)) != 0)
                break;
        if (ret == 0 && n < 0)
            ret = n;
        if (ret == CERTSLOT_ERR_LIMIT)
            certslot_xfer_fail(x, -1, ret, "%s: the file is larger than %u bytes", x->where, (unsigned)out->max);
    }
    certslot_xfer_close(&d); /* end of data (and TLS close_notify) before the final reply */
    if (ret != 0 && ret != CERTSLOT_ERR_LIMIT)
        ret = data_failed(x, &c, cmd, ret);
    if (ret != 0)
        goto cleanup;
    if ((ret = reply(&c, &code, text, sizeof(text))) != 0)
        goto cleanup;
    if (code != 226 && code != 250)
        ret = unexpected(x, cmd, code, text);
    else
        (void)command(x, &c, "QUIT", NULL, &code, text, sizeof(text));
cleanup:
    certslot_xfer_close(&d);
    certslot_xfer_close(&c);
    return ret;
}

int certslot_ftp_run(certslot_xfer_t *x, const certslot_url_t *url, const unsigned char *append, size_t append_len,
                     certslot_xfer_buf_t *out)
{
    mode_t_ mode = url->scheme == CERTSLOT_SCHEME_FTPS ? IMPLICIT : url->scheme == CERTSLOT_SCHEME_FTPES ? EXPLICIT
                                                                                                         : PLAIN;
    int plain_greeting = 0;
    int ret = transfer(x, url, mode, append, append_len, out, &plain_greeting);
    if (ret != 0 && plain_greeting) {
        cs_log(x->o->hal, CERTSLOT_LOG_INFO, "%s: the server greets in plain text: explicit FTPS (AUTH TLS)",
               x->where);
        memset(x->res, 0, sizeof(*x->res));
        ret = transfer(x, url, EXPLICIT, append, append_len, out, &plain_greeting);
    }
    return ret;
}

#endif /* CERTSLOT_WITH_FTP */
