/*
 * The verification policy: certslot's own path (path.c) over what the peer
 * sent, then the leaf's purpose, the strict name check and the end-entity
 * rules. The same code for a handshake (the mbedTLS verify callback) and
 * for certslot verify (certslot_verify_chain).
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
#include "verify_internal.h"

#define X509_CA_IS_TRUE(c) ((c)->MBEDTLS_PRIVATE(ca_istrue))

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
    v->max_depth = CERTSLOT_VERIFY_MAX_DEPTH;
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
    memset(v->lib_chain, 0, sizeof(v->lib_chain));
    v->lib_signed = 0;
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
static uint32_t check_end_entity(certslot_verify_t *v, const mbedtls_x509_crt *crt)
{
    char who[96];

    cs_cert_name(crt, who, sizeof(who));
    if (X509_CA_IS_TRUE(crt)) {
        cs_reason(v, "certificate %s is a CA (basicConstraints cA=TRUE), not a %s certificate", who,
                  v->purpose == CERTSLOT_PURPOSE_SERVER ? "server" : "client");
        return MBEDTLS_X509_BADCERT_OTHER;
    }
    if (has_key_usage(crt) && mbedtls_x509_crt_check_key_usage(crt, MBEDTLS_X509_KU_KEY_CERT_SIGN) == 0) {
        cs_reason(v, "certificate %s asserts keyCertSign without being a CA (basicConstraints cA=FALSE; RFC 5280 "
                     "4.2.1.9)",
                  who);
        return MBEDTLS_X509_BADCERT_KEY_USAGE;
    }
    return 0;
}

/* The leaf's purpose and the strict name check. */
static uint32_t check_leaf(certslot_verify_t *v, const mbedtls_x509_crt *crt)
{
    char name_why[200] = "";

    if (has_eku(crt)) {
        int server = v->purpose == CERTSLOT_PURPOSE_SERVER;
        const char *oid = server ? MBEDTLS_OID_SERVER_AUTH : MBEDTLS_OID_CLIENT_AUTH;
        size_t oid_len = server ? MBEDTLS_OID_SIZE(MBEDTLS_OID_SERVER_AUTH) : MBEDTLS_OID_SIZE(MBEDTLS_OID_CLIENT_AUTH);
        if (mbedtls_x509_crt_check_extended_key_usage(crt, oid, oid_len) != 0) {
            cs_reason(v, "the certificate is not for a TLS %s (extendedKeyUsage lacks %s)",
                      server ? "server" : "client", server ? "serverAuth" : "clientAuth");
            return MBEDTLS_X509_BADCERT_EXT_KEY_USAGE;
        }
    }
    if (!v->strict) {
        cs_log(v->hal, CERTSLOT_LOG_WARNING, "%s: strict name check is off: the server name is not compared (insecure)",
               v->what);
        return 0;
    }
    if (v->name_len == 0) {
        cs_reason(v, "no server name is configured to check the certificate against");
        return MBEDTLS_X509_BADCERT_CN_MISMATCH;
    }
    if (certslot_name_check(crt, v->name, v->name_len, name_why, sizeof(name_why)) != 0) {
        cs_reason(v, "%s", name_why);
        return MBEDTLS_X509_BADCERT_CN_MISMATCH;
    }
    return 0;
}

/* The whole decision, on the peer's chain as it came (leaf first): the path, then the leaf's own rules. */
static uint32_t decide(certslot_verify_t *v, const mbedtls_x509_crt *chain)
{
    uint32_t flags = cs_path_verify(v, chain, v->trust);

    if (flags == 0)
        flags = check_leaf(v, chain);
    if (flags == 0)
        flags = check_end_entity(v, chain);
    v->flags = flags;
    if (flags == 0) {
        int synced;
        (void)cs_now(v, &synced);
        if (!synced)
            cs_log(v->hal, CERTSLOT_LOG_WARNING, "%s: clock not synchronised: certificate dates checked against %s only",
                   v->what, "the firmware's release date");
        v->verified = 1;
    }
    return flags;
}

/*
 * mbedTLS calls this for each certificate of the chain it built, the leaf
 * last; its conclusions are not used: at the leaf, certslot decides on the
 * whole chain the peer sent (crt and its next ones, as received).
 */
int certslot_verify_cb(void *ctx, mbedtls_x509_crt *crt, int depth, uint32_t *flags)
{
    certslot_verify_t *v = ctx;

    /*
     * mbedTLS calls this from the top of the chain it built down to the leaf,
     * and has already checked each certificate's signature with the key of
     * the one above it: NOT_TRUSTED means it found no parent or the
     * signature failed. The path search takes those checks instead of
     * repeating them (a trust anchor's self-signature is never one).
     */
    const int n = (int)(sizeof(v->lib_chain) / sizeof(v->lib_chain[0]));
    if (depth >= 0 && depth < n) {
        v->lib_chain[depth] = crt;
        if ((*flags & MBEDTLS_X509_BADCERT_NOT_TRUSTED) == 0 && depth + 1 < n && v->lib_chain[depth + 1] != NULL)
            v->lib_signed |= 1u << depth;
    }
    *flags = 0;
    if (depth != 0)
        return 0;
    *flags = decide(v, crt);
    /* Not X509_CERT_VERIFY_FAILED: mbedTLS's optional mode would ignore that. */
    return *flags == 0 ? 0 : MBEDTLS_ERR_X509_FATAL_ERROR;
}

int certslot_verify_chain(certslot_verify_t *v, mbedtls_x509_crt *chain, mbedtls_x509_crt *trust)
{
    certslot_verify_start(v);
    v->trust = trust;
    if (decide(v, chain) == 0)
        return 0;
    if (v->why[0] == '\0')
        snprintf(v->why, sizeof(v->why), "chain refused (flags 0x%05x)", (unsigned)v->flags);
    return v->flags == MBEDTLS_X509_BADCERT_CN_MISMATCH ? CERTSLOT_ERR_NAME : CERTSLOT_ERR_VERIFY;
}
