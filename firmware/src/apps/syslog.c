/*
 * RFC 5425 framing of RFC 5424 messages, and sending them over TLS.
 */
#include "certslot/syslog.h"

#include <stdio.h>
#include <string.h>

#include "certslot/error.h"

#if CERTSLOT_WITH_SYSLOG /* certslot/options.h */

#define HOST_MAX 255
#define APP_MAX 48
#define HEADER_MAX (sizeof("<191>1 YYYY-MM-DDThh:mm:ssZ ") + HOST_MAX + 1 + APP_MAX + sizeof(" - - - "))

/* A header field: printable US-ASCII (33..126), 1..max characters; "-" for none. */
static int field(const char *s, size_t max, const char **out)
{
    size_t n = s != NULL ? strlen(s) : 0;
    if (n == 0) {
        *out = "-";
        return 0;
    }
    if (n > max)
        return CERTSLOT_ERR_ARG;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 33 || (unsigned char)s[i] > 126)
            return CERTSLOT_ERR_ARG;
    *out = s;
    return 0;
}

/* RFC 3339 UTC time (RFC 5424 TIMESTAMP), or "-" outside years 1970..9999. */
static void timestamp(int64_t t, char *out, size_t size)
{
    if (t < 0 || t > INT64_C(253402300799)) {
        snprintf(out, size, "-");
        return;
    }
    int64_t days = t / 86400, secs = t % 86400;
    /* Civil from days (Howard Hinnant's algorithm). */
    int64_t z = days + 719468, era = z / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int64_t d = doy - (153 * mp + 2) / 5 + 1, m = mp < 10 ? mp + 3 : mp - 9;
    int64_t y = yoe + era * 400 + (m <= 2);
    snprintf(out, size, "%04d-%02d-%02dT%02d:%02d:%02dZ", (int)y, (int)m, (int)d, (int)(secs / 3600),
             (int)(secs / 60 % 60), (int)(secs % 60));
}

int certslot_syslog_frame(const certslot_syslog_msg_t *m, unsigned char *buf, size_t size)
{
    char header[HEADER_MAX], ts[64], prefix[16];
    const char *host, *app;

    if (m == NULL || buf == NULL || m->facility > 23 || m->severity > 7 || field(m->host, HOST_MAX, &host) != 0 ||
        field(m->app, APP_MAX, &app) != 0)
        return CERTSLOT_ERR_ARG;
    timestamp(m->time, ts, sizeof(ts));
    int hl = snprintf(header, sizeof(header), "<%u>1 %s %s %s - - - ", m->facility * 8 + m->severity, ts, host, app);
    if (hl < 0 || (size_t)hl >= sizeof(header))
        return CERTSLOT_ERR_ARG;

    const char *msg = m->msg != NULL ? m->msg : "";
    size_t ml = strlen(msg), room = CERTSLOT_SYSLOG_MAX - (size_t)hl;
    if (ml > room) {
        ml = room;
        while (ml > 0 && ((unsigned char)msg[ml] & 0xC0) == 0x80)
            ml--; /* msg[ml] continues a character: cut before that character */
    }
    size_t len = (size_t)hl + ml;
    int pl = snprintf(prefix, sizeof(prefix), "%u ", (unsigned)len);
    if ((size_t)pl + len > size)
        return CERTSLOT_ERR_LIMIT;
    memcpy(buf, prefix, (size_t)pl);
    memcpy(buf + pl, header, (size_t)hl);
    memcpy(buf + pl + hl, msg, ml);
    return (int)((size_t)pl + len);
}

int certslot_syslog_send(certslot_tls_conn_t *c, const certslot_syslog_msg_t *m)
{
    unsigned char frame[CERTSLOT_SYSLOG_FRAME_MAX];
    int n = certslot_syslog_frame(m, frame, sizeof(frame));
    for (int off = 0; n > 0 && off < n;) {
        int w = certslot_tls_write(c, frame + off, (size_t)(n - off));
        if (w < 0)
            return w;
        if (w == 0)
            return CERTSLOT_ERR_TLS;
        off += w;
    }
    return n < 0 ? n : 0;
}

#endif /* CERTSLOT_WITH_SYSLOG */
