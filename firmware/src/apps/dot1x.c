/*
 * The dot1x profile -> wpa_supplicant network block and its PEM files.
 */
#include "certslot/dot1x.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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
    unsigned char *fcert = NULL, *fkey = NULL, *fchain = NULL;
    size_t fcert_len = 0, fkey_len = 0, fchain_len = 0;
    const unsigned char *key;
    size_t key_len, cap = 0;
    mbedtls_x509_crt chain;
    int ret;

    mbedtls_x509_crt_init(&chain);
    if (device == CERTSLOT_DEVICE_BUILTIN) {
        ret = hal->factory_device == NULL ? CERTSLOT_ERR_NOT_FOUND
                                          : hal->factory_device(hal->ctx, &fcert, &fcert_len, &fkey, &fkey_len,
                                                                &fchain, &fchain_len);
        if (ret != 0) {
            snprintf(why, why_size, "dot1x: EAP-TLS needs a device certificate; the built-in one is unavailable: %s",
                     certslot_strerror(ret));
            goto cleanup;
        }
        ret = mbedtls_x509_crt_parse_der(&chain, fcert, fcert_len) == 0 ? 0 : CERTSLOT_ERR_CERT;
        if (ret == 0 && fchain != NULL)
            ret = certslot_cert_decode(fchain, fchain_len, &chain, why, why_size);
        key = fkey;
        key_len = fkey_len;
    } else {
        const certslot_part_t *p = &st->part[device][CERTSLOT_KIND_DEVICE];
        ret = 0;
        for (unsigned i = 0; i < p->ncerts && ret == 0; i++)
            ret = mbedtls_x509_crt_parse_der(&chain, p->certs[i].der, p->certs[i].len) == 0 ? 0 : CERTSLOT_ERR_CERT;
        key = p->key.der;
        key_len = p->key.len;
    }
    if (ret != 0) {
        if (why[0] == '\0')
            snprintf(why, why_size, "dot1x: the device certificate of the profile cannot be decoded");
        goto cleanup;
    }
    const char *label = key != NULL ? key_label(key, key_len) : NULL;
    if (label == NULL) {
        snprintf(why, why_size, "dot1x: the device certificate's private key cannot be used");
        ret = CERTSLOT_ERR_KEY;
        goto cleanup;
    }
    certslot_cert_info_t info;
    certslot_cert_info(&chain, &info);
    snprintf(cn, CERTSLOT_CERT_CN_SIZE, "%s", info.subject_cn);
    if (cn[0] == '\0') {
        snprintf(why, why_size, "dot1x: the device certificate has no CN to use as the EAP-TLS identity");
        ret = CERTSLOT_ERR_CERT;
        goto cleanup;
    }
    for (const mbedtls_x509_crt *c = &chain; c != NULL && c->raw.len > 0; c = c->next)
        cap += pem_size(c->raw.len);
    if ((ret = text_alloc(cert_pem, cap)) != 0 || (ret = text_alloc(key_pem, pem_size(key_len))) != 0)
        goto cleanup;
    for (const mbedtls_x509_crt *c = &chain; c != NULL && c->raw.len > 0 && ret == 0; c = c->next)
        ret = put_pem(cert_pem, "CERTIFICATE", c->raw.p, c->raw.len);
    if (ret == 0)
        ret = put_pem(key_pem, label, key, key_len);
cleanup:
    mbedtls_x509_crt_free(&chain);
    if (fkey != NULL) {
        certslot_zeroize(fkey, fkey_len);
        certslot_free(fkey);
    }
    certslot_free(fcert);
    certslot_free(fchain);
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

static void tmp_name(char *buf, size_t size, const char *dir, const char *name)
{
    snprintf(buf, size, "%s/.%s.new", dir, name);
}

/* Writes t to dir/.name.new with mode 0600 and syncs it. */
static int write_tmp(const char *dir, const char *name, const text_t *t, char *why, size_t why_size)
{
    char path[512];
    tmp_name(path, sizeof(path), dir, name);
    (void)unlink(path);
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) {
        snprintf(why, why_size, "dot1x: cannot create %s: %s", path, strerror(errno));
        return CERTSLOT_ERR_IO;
    }
    size_t off = 0;
    while (off < t->len) {
        ssize_t n = write(fd, t->buf + off, t->len - off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        off += (size_t)n;
    }
    int ok = off == t->len && fchmod(fd, 0600) == 0 && fsync(fd) == 0;
    if (close(fd) != 0)
        ok = 0;
    if (!ok) {
        snprintf(why, why_size, "dot1x: cannot write %s: %s", path, strerror(errno));
        (void)unlink(path);
        return CERTSLOT_ERR_IO;
    }
    return 0;
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
    if (pr->min_version == CERTSLOT_TLS_1_2)
        put(c, "\tphase1=\"tls_disable_tlsv1_0=1 tls_disable_tlsv1_1=1\"\n");
    else if (pr->min_version == CERTSLOT_TLS_1_1)
        put(c, "\tphase1=\"tls_disable_tlsv1_0=1\"\n");
    if (pr->ciphers != NULL && pr->ciphers[0] != '\0' && quotable(pr->ciphers))
        put(c, "\topenssl_ciphers=\"%s\"\n", pr->ciphers);
    put(c, "}\n");
}

int certslot_dot1x_export(const certslot_settings_t *settings, const certslot_store_t *st, const certslot_hal_t *hal,
                          const certslot_dot1x_opts_t *o, char *why, size_t why_size)
{
    certslot_app_profile_t pr;
    text_t f[F_COUNT];
    char cn[CERTSLOT_CERT_CN_SIZE] = "", path[512], tmp[512];
    int ret, created = 0, written[F_COUNT] = {0};

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

    if (mkdir(o->out_dir, 0700) == 0) {
        created = 1;
    } else if (errno != EEXIST) {
        snprintf(why, why_size, "dot1x: cannot create %s: %s", o->out_dir, strerror(errno));
        ret = CERTSLOT_ERR_IO;
        goto cleanup;
    }
    /* Every file complete and synced under a temporary name first: an error here leaves the directory as it was. */
    for (int i = 0; i < F_COUNT && ret == 0; i++) {
        if (f[i].len == 0)
            continue;
        ret = write_tmp(o->out_dir, file_names[i], &f[i], why, why_size);
        written[i] = ret == 0;
    }
    for (int i = 0; i < F_COUNT && ret == 0; i++) {
        snprintf(path, sizeof(path), "%s/%s", o->out_dir, file_names[i]);
        if (written[i]) {
            tmp_name(tmp, sizeof(tmp), o->out_dir, file_names[i]);
            if (rename(tmp, path) != 0) {
                snprintf(why, why_size, "dot1x: cannot rename %s to %s: %s", tmp, path, strerror(errno));
                ret = CERTSLOT_ERR_IO;
            }
            written[i] = 0;
        } else if (unlink(path) != 0 && errno != ENOENT) { /* a stale file of an earlier export */
            snprintf(why, why_size, "dot1x: cannot remove %s: %s", path, strerror(errno));
            ret = CERTSLOT_ERR_IO;
        }
    }
    if (ret == 0) {
        int dfd = open(o->out_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0 || fsync(dfd) != 0) {
            snprintf(why, why_size, "dot1x: cannot sync %s: %s", o->out_dir, strerror(errno));
            ret = CERTSLOT_ERR_IO;
        }
        if (dfd >= 0)
            close(dfd);
    }
    if (ret == 0 && !pr.strict)
        cs_log(hal, CERTSLOT_LOG_WARNING,
                 "dot1x: strict name check is off: any RADIUS server certificate from a trusted CA is accepted "
                 "(insecure)");
cleanup:
    for (int i = 0; i < F_COUNT; i++) {
        if (written[i]) {
            tmp_name(tmp, sizeof(tmp), o->out_dir, file_names[i]);
            (void)unlink(tmp);
        }
        text_free(&f[i]);
    }
    if (ret != 0 && created)
        (void)rmdir(o->out_dir); /* only when still empty */
    return ret;
}

#endif /* CERTSLOT_WITH_DOT1X */
