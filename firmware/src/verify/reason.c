/*
 * What the verification steps share: how a certificate is named in a
 * reason, the first reason kept, and the clock rules (verify.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "certslot/cert.h"
#include "certslot/options.h"
#include "certslot/text.h"
#include "verify_internal.h"

void cs_cert_name(const mbedtls_x509_crt *crt, char *buf, size_t size)
{
    char cn[CERTSLOT_CERT_CN_SIZE], dn[128];

    certslot_cert_cn(&crt->subject, cn, sizeof(cn)); /* not certslot_cert_info: no fingerprint needed */
    if (cn[0] != '\0')
        snprintf(buf, size, "'%s'", cn);
    else if (mbedtls_x509_dn_gets(dn, sizeof(dn), &crt->subject) > 0)
        snprintf(buf, size, "'%s'", dn);
    else
        snprintf(buf, size, "(with an empty subject)");
}

/* The first reason only: later checks do not overwrite it. */
void cs_reason(certslot_verify_t *v, const char *fmt, ...)
{
    va_list ap;

    if (v->why[0] != '\0')
        return;
    va_start(ap, fmt);
    vsnprintf(v->why, sizeof(v->why), fmt, ap);
    va_end(ap);
    certslot_text_escape_inplace(v->why, sizeof(v->why));
}

int64_t cs_now(const certslot_verify_t *v, int *synced)
{
    int64_t now = 0;

    *synced = 1;
    if (v->use_time)
        return v->time;
    if (v->hal != NULL && v->hal->time != NULL && v->hal->time(v->hal->ctx, &now) == 0)
        return now;
    *synced = 0;
    return CERTSLOT_TIME_FLOOR;
}

uint32_t cs_validity(certslot_verify_t *v, const mbedtls_x509_crt *crt, const char *who)
{
    int synced;
    int64_t now = cs_now(v, &synced);
    int64_t from = certslot_time_from_x509(&crt->valid_from), to = certslot_time_from_x509(&crt->valid_to);
    char when[64];

    if (now > to) {
        certslot_time_iso8601(to, when, sizeof(when));
        cs_reason(v, "certificate %s expired on %s", who, when);
        return MBEDTLS_X509_BADCERT_EXPIRED;
    }
    if (synced && now < from) {
        certslot_time_iso8601(from, when, sizeof(when));
        cs_reason(v, "certificate %s is not valid before %s", who, when);
        return MBEDTLS_X509_BADCERT_FUTURE;
    }
    return 0;
}
