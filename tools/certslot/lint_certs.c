/*
 * The certificate checks of `certslot lint`: every certificate and key
 * parameter that applies is decoded and checked as the handset would see it
 * (validity dates, security policy, CN in SAN, chain order, key pairing),
 * and, given the provisioning server's certificate, device.prov.serverName
 * against it under the strict name check.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <mbedtls/asn1.h>
#include <mbedtls/oid.h>
#include <mbedtls/pk.h>
#include <mbedtls/x509_crt.h>

#include "certslot/cert.h"
#include "certslot/config.h"
#include "certslot/error.h"
#include "certslot/name.h"
#include "certslot/platform.h"
#include "certslot/prov.h"
#include "certslot/url.h"
#include "cli.h"

#define EXPIRY_WARN_DAYS 30
#define TAG_SAN_DNS (MBEDTLS_ASN1_CONTEXT_SPECIFIC | 2)
#define TAG_SAN_IP (MBEDTLS_ASN1_CONTEXT_SPECIFIC | 7)

typedef struct {
    FILE *f;
    const certslot_config_t *cfg;
    int errors;
} lint_t;

#if defined(__GNUC__)
__attribute__((format(printf, 4, 5)))
#endif
static void report(lint_t *l, certslot_severity_t sev, certslot_param_t p, const char *fmt, ...)
{
    static const char *const sev_name[] = {"note", "warning", "error"};
    const certslot_where_t *w = p >= 0 ? certslot_config_where(l->cfg, p) : NULL;
    char name[CERTSLOT_PARAM_NAME_MAX];
    va_list ap;

    if (w != NULL && w->file != NULL)
        fprintf(l->f, "%s:%u:%u: ", w->file, (unsigned)w->line, (unsigned)w->col);
    else
        fprintf(l->f, "certslot: ");
    fprintf(l->f, "%s: ", sev_name[sev]);
    if (p >= 0) {
        certslot_param_name(p, name, sizeof(name));
        fprintf(l->f, "%s: ", name);
    }
    va_start(ap, fmt);
    vfprintf(l->f, fmt, ap);
    va_end(ap);
    fputc('\n', l->f);
    if (sev == CERTSLOT_ERROR)
        l->errors++;
}

static int same_buf(const mbedtls_x509_buf *a, const mbedtls_x509_buf *b)
{
    return a->len == b->len && memcmp(a->p, b->p, a->len) == 0;
}

static int ieq(const unsigned char *a, size_t alen, const unsigned char *b, size_t blen)
{
    if (alen != blen)
        return 0;
    for (size_t i = 0; i < alen; i++) {
        unsigned char x = a[i], y = b[i];
        if (x >= 'A' && x <= 'Z')
            x = (unsigned char)(x - 'A' + 'a');
        if (y >= 'A' && y <= 'Z')
            y = (unsigned char)(y - 'A' + 'a');
        if (x != y)
            return 0;
    }
    return 1;
}

/* The first subject CN not found among the SAN entries of a certificate that has a SAN, or NULL. */
static const mbedtls_x509_name *cn_missing_from_san(const mbedtls_x509_crt *crt)
{
    int has_san = 0;
    for (const mbedtls_x509_sequence *s = &crt->subject_alt_names; s != NULL; s = s->next)
        has_san |= s->buf.p != NULL;
    if (!has_san)
        return NULL;
    for (const mbedtls_x509_name *n = &crt->subject; n != NULL; n = n->next) {
        if (n->oid.p == NULL || MBEDTLS_OID_CMP(MBEDTLS_OID_AT_CN, &n->oid) != 0)
            continue;
        unsigned char ip[16];
        size_t ip_len = 0;
        int is_ip = certslot_ip_parse((const char *)n->val.p, n->val.len, ip, &ip_len);
        int found = 0;
        for (const mbedtls_x509_sequence *s = &crt->subject_alt_names; s != NULL && !found; s = s->next) {
            const mbedtls_x509_buf *b = &s->buf;
            if (b->p == NULL)
                continue;
            found = (b->tag == TAG_SAN_DNS && ieq(b->p, b->len, n->val.p, n->val.len)) ||
                    (b->tag == TAG_SAN_IP && is_ip && b->len == ip_len && memcmp(b->p, ip, ip_len) == 0);
        }
        if (!found)
            return n;
    }
    return NULL;
}

/* Dates, policy and CN/SAN of one certificate (number n of the value). */
static void check_one(lint_t *l, certslot_param_t p, const mbedtls_x509_crt *crt, unsigned n, int64_t now,
                      int allow_weak)
{
    certslot_cert_info_t info;
    char when[64], why[CERTSLOT_WHY_LEN];
    int relaxed = 0;

    certslot_cert_info(crt, &info);
    if (info.not_after < now) {
        certslot_time_iso8601(info.not_after, when, sizeof(when));
        report(l, CERTSLOT_ERROR, p, "certificate %u (CN=%s) expired on %s", n, info.subject_cn, when);
    } else if (info.not_after - now < (int64_t)EXPIRY_WARN_DAYS * 86400) {
        certslot_time_iso8601(info.not_after, when, sizeof(when));
        report(l, CERTSLOT_WARNING, p, "certificate %u (CN=%s) expires on %s, in %ld days", n, info.subject_cn, when,
               (long)((info.not_after - now) / 86400));
    }
    if (info.not_before > now) {
        certslot_time_iso8601(info.not_before, when, sizeof(when));
        report(l, CERTSLOT_WARNING, p, "certificate %u (CN=%s) is not valid before %s", n, info.subject_cn, when);
    }
    if (certslot_policy_check(crt, allow_weak, &relaxed, why, sizeof(why)) != 0)
        report(l, CERTSLOT_ERROR, p, "certificate %u (CN=%s) is refused by the security policy: %s", n,
               info.subject_cn, why);
    else if (relaxed)
        report(l, CERTSLOT_WARNING, p,
               "certificate %u (CN=%s) is weak (%s); accepted only because device.sec.TLS.allowWeakCertificates is 1",
               n, info.subject_cn, why);
    const mbedtls_x509_name *cn = cn_missing_from_san(crt);
    if (cn != NULL)
        report(l, CERTSLOT_WARNING, p, "certificate %u: its CN '%.*s' is not in its subjectAltName", n,
               (int)(cn->val.len > 64 ? 64 : cn->val.len), (const char *)cn->val.p);
}

/* A device chain: leaf first, each next certificate the issuer of the previous one. */
static void check_order(lint_t *l, certslot_param_t p, const mbedtls_x509_crt *chain)
{
    unsigned i = 1;
    for (const mbedtls_x509_crt *c = chain; c != NULL && c->next != NULL; c = c->next, i++) {
        if (same_buf(&c->issuer_raw, &c->next->subject_raw))
            continue;
        certslot_cert_info_t a, b;
        certslot_cert_info(c, &a);
        certslot_cert_info(c->next, &b);
        unsigned j = 1;
        const mbedtls_x509_crt *issuer = NULL;
        for (const mbedtls_x509_crt *d = chain; d != NULL && issuer == NULL; d = d->next, j++)
            if (d != c && same_buf(&c->issuer_raw, &d->subject_raw))
                issuer = d;
        if (issuer != NULL)
            report(l, CERTSLOT_WARNING, p,
                   "chain out of order: certificate %u (CN=%s) is followed by CN=%s, but its issuer is certificate %u; "
                   "give the device certificate first, then each issuer in turn",
                   i, a.subject_cn, b.subject_cn, j - 1);
        else
            report(l, CERTSLOT_ERROR, p,
                   "broken chain: certificate %u (CN=%s) is not the issuer of certificate %u (CN=%s, issued by CN=%s)",
                   i + 1, b.subject_cn, i, a.subject_cn, a.issuer_cn);
        return;
    }
}

/* The value p applies (DER when it was given as PEM) and its length, or NULL when it sets none. */
static const unsigned char *applied_value(const certslot_config_t *cfg, certslot_param_t p, size_t *len)
{
    if (!certslot_config_is_set(cfg, p) || cfg->v[p].len == 0)
        return NULL;
    *len = cfg->v[p].len;
    return (const unsigned char *)cfg->v[p].text;
}

static void check_slot(lint_t *l, certslot_param_t pcert, certslot_param_t pkey, int device, int64_t now,
                       int allow_weak)
{
    mbedtls_x509_crt chain;
    mbedtls_pk_context pk;
    char why[CERTSLOT_WHY_LEN];
    size_t cert_len = 0, key_len = 0;
    const unsigned char *cert = applied_value(l->cfg, pcert, &cert_len);
    const unsigned char *key = pkey >= 0 ? applied_value(l->cfg, pkey, &key_len) : NULL;
    int cert_ok = 0, key_ok = 0;

    mbedtls_x509_crt_init(&chain);
    mbedtls_pk_init(&pk);
    if (cert != NULL) {
        if (certslot_cert_decode(cert, cert_len, &chain, why, sizeof(why)) != 0) {
            report(l, CERTSLOT_ERROR, pcert, "cannot be decoded: %s", why);
        } else {
            cert_ok = 1;
            unsigned n = 1;
            for (const mbedtls_x509_crt *c = &chain; c != NULL; c = c->next, n++)
                check_one(l, pcert, c, n, now, allow_weak);
            if (device)
                check_order(l, pcert, &chain);
        }
    }
    if (key != NULL) {
        if (certslot_key_decode(key, key_len, &pk, why, sizeof(why)) != 0)
            report(l, CERTSLOT_ERROR, pkey, "%s", why);
        else
            key_ok = 1;
    }
    if (cert_ok && key_ok && certslot_key_matches(&chain, &pk) != 0) {
        certslot_cert_info_t info;
        certslot_cert_info(&chain, &info);
        report(l, CERTSLOT_ERROR, pkey, "the private key does not match the device certificate (CN=%s)",
               info.subject_cn);
    }
    mbedtls_pk_free(&pk);
    mbedtls_x509_crt_free(&chain);
}

static int check_server(lint_t *l, const char *path)
{
    FILE *fp = fopen(path, "rb");
    unsigned char *buf;
    size_t len;
    char why[CERTSLOT_WHY_LEN];
    mbedtls_x509_crt crt;
    certslot_param_t pname = CERTSLOT_PARAM(PROV_SERVER_NAME, 1);

    if (fp == NULL) {
        fprintf(stderr, "certslot lint: cannot read %s: %s\n", path, strerror(errno));
        return -1;
    }
    buf = malloc(1024 * 1024);
    len = buf != NULL ? fread(buf, 1, 1024 * 1024, fp) : 0;
    fclose(fp);
    mbedtls_x509_crt_init(&crt);
    if (buf == NULL || certslot_cert_decode(buf, len, &crt, why, sizeof(why)) != 0) {
        fprintf(stderr, "certslot lint: %s: not a certificate: %s\n", path, buf == NULL ? "out of memory" : why);
        free(buf);
        return -1;
    }
    free(buf);
    const char *name = certslot_config_get(l->cfg, pname), *host = NULL;
    int strict = certslot_config_get_num(l->cfg, CERTSLOT_PARAM(STRICT_PROV, 1));
    static certslot_settings_t settings;
    certslot_url_t server;
    /* The host the handset will compare: the firmware's own reading of device.prov.*. */
    int bad = certslot_config_settings(l->cfg, &settings, why, sizeof(why));
    if (bad == 0)
        bad = certslot_prov_server_from_settings(&settings, &server, why, sizeof(why));
    else
        memset(&server, 0, sizeof(server));
    certslot_settings_free(&settings);
    host = server.host;
    size_t host_len = strlen(host);
    if (name[0] == '\0') {
        report(l, CERTSLOT_WARNING, -1,
               "device.prov.serverName is not set: the provisioning server certificate %s cannot be checked", path);
    } else if (bad != 0) {
        report(l, CERTSLOT_ERROR, pname, "device.prov.serverName cannot be used: %s", why);
    } else if (certslot_name_check(&crt, host, host_len, why, sizeof(why)) != 0) {
        if (strict)
            report(l, CERTSLOT_ERROR, pname, "the provisioning server certificate %s does not name '%.*s': %s", path,
                   (int)host_len, host, why);
        else
            report(l, CERTSLOT_WARNING, pname,
                   "the provisioning server certificate %s does not name '%.*s' (ignored: "
                   "device.sec.TLS.prov.strictCertCommonNameValidation is 0): %s",
                   path, (int)host_len, host, why);
    }
    certslot_url_wipe(&server);
    mbedtls_x509_crt_free(&crt);
    return 0;
}

int lint_certs(FILE *f, const certslot_config_t *cfg, const char *server_cert)
{
    lint_t l = {f, cfg, 0};
    int64_t now = (int64_t)time(NULL);
    int allow_weak = certslot_config_get_num(cfg, CERTSLOT_PARAM(ALLOW_WEAK_CERTS, 1));

    for (unsigned i = 1; i <= 2; i++) {
        check_slot(&l, CERTSLOT_PARAM(PLATFORM_CA_CERT, i), -1, 0, now, allow_weak);
        check_slot(&l, CERTSLOT_PARAM(PLATFORM_DEVICE_CERT, i), CERTSLOT_PARAM(PLATFORM_DEVICE_KEY, i), 1, now,
                   allow_weak);
    }
    for (unsigned i = 1; i <= 6; i++) {
        check_slot(&l, CERTSLOT_PARAM(APP_CA_CERT, i), -1, 0, now, allow_weak);
        check_slot(&l, CERTSLOT_PARAM(APP_DEVICE_CERT, i), CERTSLOT_PARAM(APP_DEVICE_KEY, i), 1, now, allow_weak);
    }
    if (server_cert != NULL && check_server(&l, server_cert) != 0)
        return -1;
    return l.errors;
}
