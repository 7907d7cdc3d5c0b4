/*
 * The dot1x profile -> wpa_supplicant network block and its PEM files.
 */
#include "certslot/dot1x.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <mbedtls/asn1.h>
#include <mbedtls/base64.h>
#include <mbedtls/x509_crt.h>

#include "certslot/cert.h"
#include "certslot/error.h"
#include "certslot/platform.h"
#include "certslot/profile.h"
#include "core/internal.h"

#if CERTSLOT_WITH_DOT1X /* certslot/options.h */

/* A text being built in a buffer of fixed capacity (no reallocation: a key never gets copied around). */
typedef struct {
    char *buf;
    size_t len, cap;
    int overflow;
} text_t;

/* The files of one export, in the order they are renamed into place. */
enum { F_CA, F_CERT, F_KEY, F_CONF, F_COUNT };
static const char *const file_names[F_COUNT] = {CERTSLOT_DOT1X_CA, CERTSLOT_DOT1X_CLIENT_CERT,
                                                CERTSLOT_DOT1X_CLIENT_KEY, CERTSLOT_DOT1X_CONF};

static int text_alloc(text_t *t, size_t cap)
{
    t->buf = certslot_calloc(1, cap);
    t->len = 0;
    t->cap = cap;
    t->overflow = 0;
    return t->buf != NULL ? 0 : CERTSLOT_ERR_NOMEM;
}

static void text_free(text_t *t)
{
    if (t->buf != NULL) {
        certslot_zeroize(t->buf, t->cap);
        certslot_free(t->buf);
    }
    memset(t, 0, sizeof(*t));
}

__attribute__((format(printf, 2, 3))) static void put(text_t *t, const char *fmt, ...)
{
    va_list ap;
    if (t->overflow)
        return;
    va_start(ap, fmt);
    int n = vsnprintf(t->buf + t->len, t->cap - t->len, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= t->cap - t->len) {
        t->overflow = 1;
        t->buf[t->len] = '\0';
        return;
    }
    t->len += (size_t)n;
}

static void put_bytes(text_t *t, const unsigned char *p, size_t n)
{
    if (t->overflow || n >= t->cap - t->len) {
        t->overflow = 1;
        return;
    }
    memcpy(t->buf + t->len, p, n);
    t->len += n;
    t->buf[t->len] = '\0';
}

/* Bytes a PEM block of n DER bytes takes (base64, 64-column lines, header and footer). */
static size_t pem_size(size_t n)
{
    size_t b64 = 4 * ((n + 2) / 3);
    return b64 + b64 / 64 + 1 + 2 * 40 + 1;
}

/* Appends der as a PEM block with label; the base64 buffer is wiped. */
static int put_pem(text_t *t, const char *label, const unsigned char *der, size_t len)
{
    size_t need = 0, olen = 0;
    (void)mbedtls_base64_encode(NULL, 0, &need, der, len);
    unsigned char *b64 = certslot_calloc(1, need + 1);
    if (b64 == NULL)
        return CERTSLOT_ERR_NOMEM;
    int ret = mbedtls_base64_encode(b64, need + 1, &olen, der, len) == 0 ? 0 : CERTSLOT_ERR_CRYPTO;
    if (ret == 0) {
        put(t, "-----BEGIN %s-----\n", label);
        for (size_t i = 0; i < olen; i += 64) {
            put_bytes(t, b64 + i, olen - i < 64 ? olen - i : 64);
            put_bytes(t, (const unsigned char *)"\n", 1);
        }
        put(t, "-----END %s-----\n", label);
        if (t->overflow)
            ret = CERTSLOT_ERR_LIMIT;
    }
    certslot_zeroize(b64, need + 1);
    certslot_free(b64);
    return ret;
}

/* The PEM label of a DER private key: PKCS#1, PKCS#8 or SEC1, told apart by the element after the version. */
static const char *key_label(const unsigned char *der, size_t len)
{
    unsigned char *p = (unsigned char *)der, *end = p + len;
    size_t n;
    if (mbedtls_asn1_get_tag(&p, end, &n, MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE) != 0 ||
        mbedtls_asn1_get_tag(&p, end, &n, MBEDTLS_ASN1_INTEGER) != 0 || (p += n) >= end)
        return NULL;
    switch (*p) {
    case MBEDTLS_ASN1_INTEGER:
        return "RSA PRIVATE KEY";
    case MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE:
        return "PRIVATE KEY";
    case MBEDTLS_ASN1_OCTET_STRING:
        return "EC PRIVATE KEY";
    default:
        return NULL;
    }
}

/* A string wpa_supplicant can take quoted: printable ASCII without '"'. */
static int quotable(const char *s)
{
    for (; *s != '\0'; s++)
        if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e || *s == '"')
            return 0;
    return 1;
}

/* key="value", or key=hex for anything else (wpa_supplicant's own rule for ssid, identity, password). */
static void put_string(text_t *t, const char *key, const char *value)
{
    if (quotable(value)) {
        put(t, "\t%s=\"%s\"\n", key, value);
        return;
    }
    put(t, "\t%s=", key);
    for (const unsigned char *p = (const unsigned char *)value; *p != '\0'; p++)
        put(t, "%02x", *p);
    put(t, "\n");
}

/* Checks one option string: NULL allowed when optional, at most max bytes, and (when plain) printable. */
static int check_string(const char *what, const char *s, size_t max, int plain, char *why, size_t why_size)
{
    if (s == NULL)
        return 0;
    size_t n = strlen(s);
    if (n == 0 || n > max) {
        snprintf(why, why_size, "dot1x: the %s must be 1 to %u bytes", what, (unsigned)max);
        return CERTSLOT_ERR_ARG;
    }
    if (plain && !quotable(s)) {
        snprintf(why, why_size, "dot1x: the %s has a control character, a quote or a non-ASCII byte", what);
        return CERTSLOT_ERR_ARG;
    }
    return 0;
}

static int check_opts(const certslot_dot1x_opts_t *o, char *why, size_t why_size)
{
    int ret;
    if (o->out_dir == NULL || o->out_dir[0] != '/') {
        snprintf(why, why_size, "dot1x: the output directory must be an absolute path");
        return CERTSLOT_ERR_ARG;
    }
    if ((ret = check_string("output directory", o->out_dir, 200, 1, why, why_size)) != 0 ||
        (ret = check_string("SSID", o->ssid, CERTSLOT_DOT1X_MAX_SSID, 0, why, why_size)) != 0 ||
        (ret = check_string("identity", o->identity, CERTSLOT_DOT1X_MAX_STRING, 0, why, why_size)) != 0 ||
        (ret = check_string("password", o->password, CERTSLOT_DOT1X_MAX_STRING, 0, why, why_size)) != 0 ||
        (ret = check_string("server name", o->server_name, CERTSLOT_DOT1X_MAX_STRING, 1, why, why_size)) != 0 ||
        (ret = check_string("CA directory", o->builtin_ca_path, 200, 1, why, why_size)) != 0)
        return ret;
    if (o->eap == CERTSLOT_DOT1X_EAP_PEAP && (o->identity == NULL || o->password == NULL)) {
        snprintf(why, why_size, "dot1x: PEAP needs an identity and a password");
        return CERTSLOT_ERR_ARG;
    }
    if (o->eap == CERTSLOT_DOT1X_EAP_TLS && (o->identity != NULL || o->password != NULL)) {
        snprintf(why, why_size, "dot1x: EAP-TLS takes no identity or password (the identity is the device "
                                "certificate's CN)");
        return CERTSLOT_ERR_ARG;
    }
    if (o->eap != CERTSLOT_DOT1X_EAP_TLS && o->eap != CERTSLOT_DOT1X_EAP_PEAP)
        return CERTSLOT_ERR_ARG;
    return 0;
}

/* The device certificate (and chain) and key EAP-TLS presents, as PEM, and its CN. */
static int device_files(const certslot_store_t *st, const certslot_hal_t *hal, int device, text_t *cert_pem,
                        text_t *key_pem, char cn[CERTSLOT_CERT_CN_SIZE], char *why, size_t why_size)
{
    certslot_part_t factory;
    const certslot_part_t *p = &factory;
    char reason[CERTSLOT_WHY_LEN];
    size_t cap = 0;
    mbedtls_x509_crt crt;
    int ret = 0;

    memset(&factory, 0, sizeof(factory));
    mbedtls_x509_crt_init(&crt);
    if (device == CERTSLOT_DEVICE_BUILTIN) {
        ret = certslot_store_factory(hal, &factory, reason, sizeof(reason));
        if (ret != 0) {
            snprintf(why, why_size, "dot1x: EAP-TLS needs a device certificate; the built-in one is unavailable: %s",
                     reason);
            goto cleanup;
        }
    } else {
        p = &st->part[device][CERTSLOT_KIND_DEVICE];
    }
    ret = p->ncerts == 0 ? CERTSLOT_ERR_CERT
                         : cs_mbed(certslot_cert_parse_der(&crt, p->certs[0].der, p->certs[0].len), CERTSLOT_ERR_CERT);
    if (ret != 0) {
        snprintf(why, why_size, "dot1x: the device certificate of the profile cannot be decoded");
        goto cleanup;
    }
    const char *label = p->key.der != NULL ? key_label(p->key.der, p->key.len) : NULL;
    if (label == NULL) {
        snprintf(why, why_size, "dot1x: the device certificate's private key cannot be used");
        ret = CERTSLOT_ERR_KEY;
        goto cleanup;
    }
    certslot_cert_cn(&crt.subject, cn, CERTSLOT_CERT_CN_SIZE);
    if (cn[0] == '\0') {
        snprintf(why, why_size, "dot1x: the device certificate has no CN to use as the EAP-TLS identity");
        ret = CERTSLOT_ERR_CERT;
        goto cleanup;
    }
    for (unsigned i = 0; i < p->ncerts; i++)
        cap += pem_size(p->certs[i].len);
    if ((ret = text_alloc(cert_pem, cap)) != 0 || (ret = text_alloc(key_pem, pem_size(p->key.len))) != 0)
        goto cleanup;
    for (unsigned i = 0; i < p->ncerts && ret == 0; i++)
        ret = put_pem(cert_pem, "CERTIFICATE", p->certs[i].der, p->certs[i].len);
    if (ret == 0)
        ret = put_pem(key_pem, label, p->key.der, p->key.len);
cleanup:
    mbedtls_x509_crt_free(&crt);
    certslot_part_free(&factory);
    return ret;
}

/* The CA slots of the profile as PEM; t->len stays 0 when it has none. */
static int ca_file(const certslot_store_t *st, unsigned slots, text_t *t)
{
    size_t cap = 1;
    int ret = 0;
    for (unsigned s = 0; s < CERTSLOT_SLOT_COUNT; s++)
        if (slots & (1u << s))
            for (unsigned i = 0; i < st->part[s][CERTSLOT_KIND_CA].ncerts; i++)
                cap += pem_size(st->part[s][CERTSLOT_KIND_CA].certs[i].len);
    if ((ret = text_alloc(t, cap)) != 0)
        return ret;
    for (unsigned s = 0; s < CERTSLOT_SLOT_COUNT && ret == 0; s++) {
        if (!(slots & (1u << s)))
            continue;
        const certslot_part_t *p = &st->part[s][CERTSLOT_KIND_CA];
        for (unsigned i = 0; i < p->ncerts && ret == 0; i++)
            ret = put_pem(t, "CERTIFICATE", p->certs[i].der, p->certs[i].len);
    }
    return ret;
}

static void put_network(text_t *c, const certslot_app_profile_t *pr, const certslot_dot1x_opts_t *o,
                        const char *ca_path, int has_ca, const char *cn)
{
    put(c, "# wpa_supplicant network block written by certslot: the dot1x profile %s\n", pr->profile_name);
    put(c, "network={\n");
    if (o->ssid != NULL)
        put_string(c, "ssid", o->ssid);
    put(c, "\tkey_mgmt=WPA-EAP\n");
    put(c, "\teap=%s\n", o->eap == CERTSLOT_DOT1X_EAP_TLS ? "TLS" : "PEAP");
    if (o->eap == CERTSLOT_DOT1X_EAP_TLS) {
        put_string(c, "identity", cn);
    } else {
        put_string(c, "identity", o->identity);
        put_string(c, "password", o->password);
        put(c, "\tphase2=\"auth=MSCHAPV2\"\n");
    }
    if (has_ca)
        put(c, "\tca_cert=\"%s/%s\"\n", o->out_dir, CERTSLOT_DOT1X_CA);
    if (pr->builtin)
        put(c, "\tca_path=\"%s\"\n", ca_path);
    if (o->eap == CERTSLOT_DOT1X_EAP_TLS) {
        put(c, "\tclient_cert=\"%s/%s\"\n", o->out_dir, CERTSLOT_DOT1X_CLIENT_CERT);
        put(c, "\tprivate_key=\"%s/%s\"\n", o->out_dir, CERTSLOT_DOT1X_CLIENT_KEY);
    }
    if (pr->strict)
        put(c, "\tdomain_match=\"%s\"\n", o->server_name);
    /* The versions the module's own connections offer (TLS 1.2 and 1.3; TLSv1_3: 1.3 only). wpa_supplicant 2.10
     * leaves EAP-TLS 1.3 off unless told. */
    put(c, "\tphase1=\"tls_disable_tlsv1_0=1 tls_disable_tlsv1_1=1%s tls_disable_tlsv1_3=0\"\n",
        pr->min_version == CERTSLOT_TLS_1_3 ? " tls_disable_tlsv1_2=1" : "");
    if (pr->ciphers != NULL && pr->ciphers[0] != '\0' && quotable(pr->ciphers))
        put(c, "\topenssl_ciphers=\"%s\"\n", pr->ciphers);
    put(c, "}\n");
}

int certslot_dot1x_export(const certslot_settings_t *settings, const certslot_store_t *st, const certslot_hal_t *hal,
                          const certslot_dot1x_opts_t *o, char *why, size_t why_size)
{
    certslot_app_profile_t pr;
    text_t f[F_COUNT];
    char cn[CERTSLOT_CERT_CN_SIZE] = "", reason[CERTSLOT_WHY_LEN];
    int ret;

    memset(f, 0, sizeof(f));
    if (why_size > 0)
        why[0] = '\0';
    if (settings == NULL || st == NULL || hal == NULL || o == NULL)
        return CERTSLOT_ERR_ARG;
    if ((ret = check_opts(o, why, why_size)) != 0)
        return ret;
    const char *ca_path = o->builtin_ca_path != NULL ? o->builtin_ca_path : CERTSLOT_DOT1X_SYSTEM_CA_PATH;
    if ((ret = certslot_profile_resolve(settings, st, CERTSLOT_APP_DOT1X, &pr, why, why_size)) != 0)
        return ret;
    if (pr.strict && o->server_name == NULL) {
        snprintf(why, why_size, "dot1x: the strict name check is on and no RADIUS server name is given");
        return CERTSLOT_ERR_NAME;
    }
    if ((ret = ca_file(st, pr.ca_slots, &f[F_CA])) != 0)
        goto cleanup;
    if (o->eap == CERTSLOT_DOT1X_EAP_TLS &&
        (ret = device_files(st, hal, pr.device, &f[F_CERT], &f[F_KEY], cn, why, why_size)) != 0)
        goto cleanup;
    if ((ret = text_alloc(&f[F_CONF], CERTSLOT_DOT1X_MAX_CONF)) != 0)
        goto cleanup;
    put_network(&f[F_CONF], &pr, o, ca_path, f[F_CA].len > 0, cn);
    if (f[F_CONF].overflow) {
        snprintf(why, why_size, "dot1x: the network block is larger than %u bytes", CERTSLOT_DOT1X_MAX_CONF);
        ret = CERTSLOT_ERR_LIMIT;
        goto cleanup;
    }

    /* All or nothing: a stale file of an earlier export (one this export does not write) is removed. */
    certslot_file_t files[F_COUNT];
    for (int i = 0; i < F_COUNT; i++) {
        files[i].name = file_names[i];
        files[i].data = f[i].len > 0 ? f[i].buf : NULL;
        files[i].len = f[i].len;
        files[i].mode = 0600;
    }
    if (hal->files_write == NULL) {
        snprintf(why, why_size, "dot1x: this handset's hal writes no files for other programs");
        ret = CERTSLOT_ERR_UNSUPPORTED;
    } else if ((ret = hal->files_write(hal->ctx, o->out_dir, files, F_COUNT, reason, sizeof(reason))) != 0) {
        snprintf(why, why_size, "dot1x: %s", reason);
    }
    if (ret == 0 && !pr.strict)
        cs_log(hal, CERTSLOT_LOG_WARNING,
                 "dot1x: strict name check is off: any RADIUS server certificate from a trusted CA is accepted "
                 "(insecure)");
cleanup:
    for (int i = 0; i < F_COUNT; i++)
        text_free(&f[i]);
    return ret;
}

#endif /* CERTSLOT_WITH_DOT1X */
