/*
 * FTP client for provisioning: login (USER/PASS), binary mode, passive data
 * connection (EPSV, else PASV), RETR for files and APPE for log upload.
 * FTPS is implicit TLS on the control and the data connections (PBSZ 0,
 * PROT P). Replies, multi-line ones included, are read line by line with a
 * bound on their length and count. The passive address is always the
 * control connection's host (a PASV address is ignored: no bounce).
 */
#include <stdio.h>
#include <string.h>

#include "certslot/error.h"
#include "certslot/platform.h"
#include "certslot/text.h"
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

static int login(certslot_xfer_t *x, certslot_xfer_stream_t *c, const certslot_url_t *url, int tls)
{
    char text[CERTSLOT_FETCH_LINE_MAX];
    int code, ret;

    if ((ret = reply(c, &code, text, sizeof(text))) != 0)
        return ret;
    if (code != 220)
        return unexpected(x, "connect", code, text);
    if ((ret = command(x, c, "USER", url->user, &code, text, sizeof(text))) != 0)
        return ret;
    if (code == 331 || code == 332) {
        if ((ret = command(x, c, "PASS", url->password, &code, text, sizeof(text))) != 0)
            return ret;
    }
    if (code != 230 && code != 202)
        return unexpected(x, "login", code == 331 || code >= 500 ? 530 : code, text);
    if (tls) {
        if ((ret = command(x, c, "PBSZ", "0", &code, text, sizeof(text))) != 0)
            return ret;
        if (code != 200)
            return unexpected(x, "PBSZ", code, text);
        if ((ret = command(x, c, "PROT", "P", &code, text, sizeof(text))) != 0)
            return ret;
        if (code != 200)
            return unexpected(x, "PROT", code, text);
    }
    if ((ret = command(x, c, "TYPE", "I", &code, text, sizeof(text))) != 0)
        return ret;
    return code == 200 ? 0 : unexpected(x, "TYPE", code, text);
}

int certslot_ftp_run(certslot_xfer_t *x, const certslot_url_t *url, const unsigned char *append, size_t append_len,
                     certslot_xfer_buf_t *out)
{
    certslot_xfer_stream_t c, d;
    char text[CERTSLOT_FETCH_LINE_MAX];
    const char *cmd = append != NULL ? "APPE" : "RETR";
    int tls = url->scheme == CERTSLOT_SCHEME_FTPS, code, ret;
    unsigned port;

    memset(&d, 0, sizeof(d));
    if ((ret = certslot_xfer_open(x, &c, url->host, url->port, tls)) != 0)
        return ret;
    if ((ret = login(x, &c, url, tls)) != 0)
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
    if (!tls) {
        if ((ret = certslot_xfer_open(x, &d, url->host, (uint16_t)port, 0)) != 0)
            goto cleanup;
        if ((ret = command(x, &c, cmd, path, &code, text, sizeof(text))) != 0)
            goto cleanup;
    } else {
        /*
         * The server starts TLS on the data connection after it accepted it
         * and answered 150, and certslot_tls_connect() connects and shakes
         * hands in one call: so ask SIZE first (a missing file is reported
         * at once), send the command, shake hands, then read its reply.
         */
        if (append == NULL) {
            if ((ret = command(x, &c, "SIZE", path, &code, text, sizeof(text))) != 0)
                goto cleanup;
            if (code == 550) {
                ret = unexpected(x, cmd, code, text);
                goto cleanup;
            }
        }
        if ((ret = send_command(x, &c, cmd, path)) != 0)
            goto cleanup;
        if ((ret = certslot_xfer_open(x, &d, url->host, (uint16_t)port, 1)) != 0)
            goto cleanup;
        if ((ret = reply(&c, &code, text, sizeof(text))) != 0)
            goto cleanup;
    }
    if (code != 150 && code != 125) {
        ret = unexpected(x, cmd, code, text);
        goto cleanup;
    }
    if (append != NULL) {
        ret = certslot_xfer_write(&d, append, append_len);
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

#endif /* CERTSLOT_WITH_FTP */
