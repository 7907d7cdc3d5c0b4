/*
 * The verification policy, as an mbedTLS verify callback: mbedTLS builds
 * the chain and checks signatures against the CA slots; this decides.
 */
#include "certslot/verify.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <mbedtls/oid.h>
#include <mbedtls/version.h>

#include "certslot/builtin.h"
#include "certslot/cert.h"
#include "certslot/error.h"
#include "certslot/name.h"
#include "certslot/text.h"
#include "core/internal.h"

#define X509_CA_IS_TRUE(c) ((c)->MBEDTLS_PRIVATE(ca_istrue))

/* Flags this file decides itself, whatever mbedTLS concluded. */
#define OWN_FLAGS                                                                                               \
    (MBEDTLS_X509_BADCERT_EXPIRED | MBEDTLS_X509_BADCERT_FUTURE | MBEDTLS_X509_BADCERT_CN_MISMATCH |               \
     MBEDTLS_X509_BADCRL_EXPIRED | MBEDTLS_X509_BADCRL_FUTURE)

static const mbedtls_x509_crt_profile strict_profile = {
    MBEDTLS_X509_ID_FLAG(MBEDTLS_MD_SHA256) | MBEDTLS_X509_ID_FLAG(MBEDTLS_MD_SHA384) |
        MBEDTLS_X509_ID_FLAG(MBEDTLS_MD_SHA512),
    0xFFFFFFF, /* any public key algorithm */
    MBEDTLS_X509_ID_FLAG(MBEDTLS_ECP_DP_SECP256R1) | MBEDTLS_X509_ID_FLAG(MBEDTLS_ECP_DP_SECP384R1),
    2048,
};

static const mbedtls_x509_crt_profile weak_profile = {
    0xFFFFFFF, /* any hash */
    0xFFFFFFF,
    0xFFFFFFF, /* any curve */
    1024,
};

void certslot_verify_init(certslot_verify_t *v, const certslot_hal_t *hal)
{
    memset(v, 0, sizeof(*v));
    v->hal = hal;
    v->strict = 1;
    v->max_depth = 8;
    v->what = "tls";
}

int certslot_verify_set_name(certslot_verify_t *v, const char *name, size_t len)
{
    if (len > CERTSLOT_NAME_MAX)
        return CERTSLOT_ERR_ARG;
    memcpy(v->name, name, len);
    v->name[len] = '\0';
    v->name_len = len;
    return 0;
}

const mbedtls_x509_crt_profile *certslot_verify_profile(const certslot_verify_t *v)
{
    return v->allow_weak ? &weak_profile : &strict_profile;
}

void certslot_verify_start(certslot_verify_t *v)
{
    v->flags = 0;
    v->verified = 0;
    v->top_depth = -1;
    v->why[0] = '\0';
}

static void subject_cn(const mbedtls_x509_crt *crt, char *buf, size_t size)
{
    certslot_cert_info_t info;
    certslot_cert_info(crt, &info);
    snprintf(buf, size, "%s", info.subject_cn[0] != '\0' ? info.subject_cn : "(no CN)");
}

/* The first reason only: later checks do not overwrite it. */
#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static void reason(certslot_verify_t *v, const char *fmt, ...)
{
    va_list ap;

    if (v->why[0] != '\0')
        return;
    va_start(ap, fmt);
    vsnprintf(v->why, sizeof(v->why), fmt, ap);
    va_end(ap);
    certslot_text_escape_inplace(v->why, sizeof(v->why));
}

/* "now" for validity checks; *synced is 0 while the clock is unset. */
static int64_t now_of(const certslot_verify_t *v, int *synced)
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

static void check_validity(certslot_verify_t *v, const mbedtls_x509_crt *crt, uint32_t *flags)
{
    int synced;
    int64_t now = now_of(v, &synced);
    int64_t from = certslot_time_from_x509(&crt->valid_from), to = certslot_time_from_x509(&crt->valid_to);
    char cn[CERTSLOT_CERT_CN_SIZE], when[64];

    if (now > to) {
        *flags |= MBEDTLS_X509_BADCERT_EXPIRED;
        subject_cn(crt, cn, sizeof(cn));
        certslot_time_iso8601(to, when, sizeof(when));
        reason(v, "certificate '%s' expired on %s", cn, when);
    } else if (synced && now < from) {
        *flags |= MBEDTLS_X509_BADCERT_FUTURE;
        subject_cn(crt, cn, sizeof(cn));
        certslot_time_iso8601(from, when, sizeof(when));
        reason(v, "certificate '%s' is not valid before %s", cn, when);
    }
}

static int has_eku(const mbedtls_x509_crt *crt)
{
    return mbedtls_x509_crt_has_ext_type(crt, MBEDTLS_X509_EXT_EXTENDED_KEY_USAGE);
}

static int has_key_usage(const mbedtls_x509_crt *crt)
{
    return mbedtls_x509_crt_has_ext_type(crt, MBEDTLS_X509_EXT_KEY_USAGE);
}

/*
 * The end entity is not a CA: cA=TRUE is refused (a CA's key signs
 * certificates, not handshakes), and so is keyCertSign without cA=TRUE
 * (RFC 5280 4.2.1.9 forbids it), for servers and clients alike.
 */
static void check_end_entity(certslot_verify_t *v, const mbedtls_x509_crt *crt, uint32_t *flags)
{
    char cn[CERTSLOT_CERT_CN_SIZE];

    if (X509_CA_IS_TRUE(crt)) {
        *flags |= MBEDTLS_X509_BADCERT_OTHER;
        subject_cn(crt, cn, sizeof(cn));
        reason(v, "certificate '%s' is a CA (basicConstraints cA=TRUE), not a %s certificate", cn,
               v->purpose == CERTSLOT_PURPOSE_SERVER ? "server" : "client");
    } else if (has_key_usage(crt) && mbedtls_x509_crt_check_key_usage(crt, MBEDTLS_X509_KU_KEY_CERT_SIGN) == 0) {
        *flags |= MBEDTLS_X509_BADCERT_KEY_USAGE;
        subject_cn(crt, cn, sizeof(cn));
        reason(v, "certificate '%s' asserts keyCertSign without being a CA (basicConstraints cA=FALSE; RFC 5280 "
                  "4.2.1.9)",
               cn);
    }
}

static void check_leaf(certslot_verify_t *v, const mbedtls_x509_crt *crt, uint32_t *flags)
{
    char name_why[200] = "";

    if (has_eku(crt)) {
        int server = v->purpose == CERTSLOT_PURPOSE_SERVER;
        const char *oid = server ? MBEDTLS_OID_SERVER_AUTH : MBEDTLS_OID_CLIENT_AUTH;
        size_t oid_len = server ? MBEDTLS_OID_SIZE(MBEDTLS_OID_SERVER_AUTH) : MBEDTLS_OID_SIZE(MBEDTLS_OID_CLIENT_AUTH);
        if (mbedtls_x509_crt_check_extended_key_usage(crt, oid, oid_len) != 0) {
            *flags |= MBEDTLS_X509_BADCERT_EXT_KEY_USAGE;
            reason(v, "the certificate is not for a TLS %s (extendedKeyUsage lacks %s)", server ? "server" : "client",
                   server ? "serverAuth" : "clientAuth");
        }
    }
    if (!v->strict) {
        cs_log(v->hal, CERTSLOT_LOG_WARNING, "%s: strict name check is off: the server name is not compared (insecure)",
             v->what);
        return;
    }
    if (v->name_len == 0) {
        *flags |= MBEDTLS_X509_BADCERT_CN_MISMATCH;
        reason(v, "no server name is configured to check the certificate against");
    } else if (certslot_name_check(crt, v->name, v->name_len, name_why, sizeof(name_why)) != 0) {
        *flags |= MBEDTLS_X509_BADCERT_CN_MISMATCH;
        reason(v, "%s", name_why);
    }
}

/* A reason for flags mbedTLS set and this file did not explain. */
static void explain(certslot_verify_t *v, const mbedtls_x509_crt *crt, uint32_t flags)
{
    char cn[CERTSLOT_CERT_CN_SIZE];

    if (flags == 0 || v->why[0] != '\0')
        return;
    subject_cn(crt, cn, sizeof(cn));
    if (flags & MBEDTLS_X509_BADCERT_NOT_TRUSTED)
        reason(v, "certificate '%s' is not issued by a CA this profile trusts", cn);
    else if (flags & MBEDTLS_X509_BADCERT_BAD_MD)
        reason(v, "certificate '%s' is signed with a hash weaker than SHA-256", cn);
    else if (flags & MBEDTLS_X509_BADCERT_BAD_KEY)
        reason(v, "certificate '%s' has a weak key (RSA below 2048 bits or an unaccepted curve)", cn);
    else if (flags & MBEDTLS_X509_BADCERT_BAD_PK)
        reason(v, "certificate '%s' has an unaccepted key type", cn);
    else if (flags & (MBEDTLS_X509_BADCERT_KEY_USAGE | MBEDTLS_X509_BADCERT_EXT_KEY_USAGE))
        reason(v, "certificate '%s' is not meant for this use (key usage)", cn);
    else if (flags & MBEDTLS_X509_BADCERT_NOT_TRUSTED)
        reason(v, "certificate '%s' is not trusted", cn);
    else if (flags != 0)
        reason(v, "certificate '%s' refused (mbedTLS flags 0x%05x)", cn, (unsigned)flags);
}

/*
 * The chain stopped at crt: say so precisely when the peer sent crt's issuer
 * but it is not a CA (mbedTLS then just reports "not trusted").
 */
static void not_a_ca(certslot_verify_t *v, const mbedtls_x509_crt *crt)
{
    char cn[CERTSLOT_CERT_CN_SIZE];

    for (const mbedtls_x509_crt *c = crt->next; c != NULL && c->raw.len > 0; c = c->next) {
        if (c->subject_raw.len == crt->issuer_raw.len &&
            memcmp(c->subject_raw.p, crt->issuer_raw.p, c->subject_raw.len) == 0 && !X509_CA_IS_TRUE(c)) {
            subject_cn(c, cn, sizeof(cn));
            reason(v, "intermediate certificate '%s' is not a CA (basicConstraints CA:false)", cn);
            return;
        }
    }
}

int certslot_verify_cb(void *ctx, mbedtls_x509_crt *crt, int depth, uint32_t *flags)
{
    certslot_verify_t *v = ctx;

    if (v->top_depth < 0) {
        v->top_depth = depth;
        if (depth > v->max_depth) {
            *flags |= MBEDTLS_X509_BADCERT_NOT_TRUSTED;
            reason(v, "the chain is longer than %d certificates above the leaf", v->max_depth);
        }
        /* The top of the chain: trusted when a built-in root issued it. */
        if ((*flags & MBEDTLS_X509_BADCERT_NOT_TRUSTED) && v->builtin && depth <= v->max_depth &&
            certslot_builtin_verify_issued(crt) == 0)
            *flags &= ~(uint32_t)MBEDTLS_X509_BADCERT_NOT_TRUSTED;
        if (*flags & MBEDTLS_X509_BADCERT_NOT_TRUSTED)
            not_a_ca(v, crt);
    }
    *flags &= ~(uint32_t)OWN_FLAGS;
    check_validity(v, crt, flags);
    if (depth == 0)
        check_leaf(v, crt, flags);
    explain(v, crt, *flags);
    if (depth == 0) /* after explain: an untrusted chain is reported as that first */
        check_end_entity(v, crt, flags);
    v->flags |= *flags;
    if (depth != 0)
        return 0;
    if (v->flags == 0) {
        int synced;
        (void)now_of(v, &synced);
        if (!synced)
            cs_log(v->hal, CERTSLOT_LOG_WARNING, "%s: clock not synchronised: certificate dates checked against %s only",
                 v->what, "the firmware's release date");
        v->verified = 1;
        return 0;
    }
    /* Not X509_CERT_VERIFY_FAILED: mbedTLS's optional mode would ignore that. */
    return MBEDTLS_ERR_X509_FATAL_ERROR;
}

int certslot_verify_chain(certslot_verify_t *v, mbedtls_x509_crt *chain, mbedtls_x509_crt *trust)
{
    uint32_t flags = 0;
    mbedtls_x509_crt empty;

    mbedtls_x509_crt_init(&empty);
    certslot_verify_start(v);
    int ret = mbedtls_x509_crt_verify_with_profile(chain, trust != NULL ? trust : &empty, NULL,
                                                   certslot_verify_profile(v), NULL, &flags, certslot_verify_cb, v);
    mbedtls_x509_crt_free(&empty);
    if (ret == 0 && v->verified)
        return 0;
    if (v->why[0] == '\0')
        snprintf(v->why, sizeof(v->why), "chain refused (mbedTLS error -0x%04x, flags 0x%05x)", (unsigned)-ret,
                 (unsigned)flags);
    return (v->flags & ~(uint32_t)MBEDTLS_X509_BADCERT_CN_MISMATCH) == 0 && (v->flags != 0) ? CERTSLOT_ERR_NAME
                                                                                          : CERTSLOT_ERR_VERIFY;
}
