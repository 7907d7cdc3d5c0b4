/*
 * Slot and kind names, and one part of a slot, built and checked before
 * anything is stored: the certificates decoded in any encoding and held to
 * the security policy, the key decoded and matched to the device
 * certificate (store_internal.h).
 */
#include <stdio.h>
#include <string.h>

#include <mbedtls/pk.h>
#include <mbedtls/x509_crt.h>

#include "certslot/cert.h"
#include "certslot/error.h"
#include "certslot/platform.h"
#include "core/internal.h"
#include "store_internal.h"

/* ---- slot and kind names ---- */

static const char *const slot_names[CERTSLOT_SLOT_COUNT] = {
    "platform1", "platform2", "application1", "application2",
    "application3", "application4", "application5", "application6",
};

const char *certslot_slot_name(certslot_slot_t slot)
{
    return (unsigned)slot < CERTSLOT_SLOT_COUNT ? slot_names[slot] : "?";
}

const char *certslot_kind_name(certslot_kind_t kind)
{
    return kind == CERTSLOT_KIND_CA ? "ca" : "device";
}

int certslot_slot_parse(const char *name, certslot_slot_t *slot)
{
    for (unsigned i = 0; i < CERTSLOT_SLOT_COUNT; i++) {
        if (cs_equal_ci(name, strlen(name), slot_names[i])) {
            *slot = (certslot_slot_t)i;
            return 0;
        }
    }
    return CERTSLOT_ERR_NOT_FOUND;
}

int certslot_kind_parse(const char *name, certslot_kind_t *kind)
{
    if (cs_equal_ci(name, strlen(name), "ca"))
        *kind = CERTSLOT_KIND_CA;
    else if (cs_equal_ci(name, strlen(name), "device"))
        *kind = CERTSLOT_KIND_DEVICE;
    else
        return CERTSLOT_ERR_NOT_FOUND;
    return 0;
}

/* ---- building a part ---- */

typedef struct {
    const certslot_hal_t *hal;
    certslot_slot_t slot;
    certslot_kind_t kind;
    int allow_weak;
    char *why;
    size_t why_size;
} check_t;

/* Decodes certificates, checks the policy for each, and copies them into p. */
static int take_certs(const check_t *c, const unsigned char *text, size_t len, certslot_part_t *p)
{
    mbedtls_x509_crt chain;
    char why[CERTSLOT_WHY_LEN];
    unsigned n = 0;
    int ret;

    mbedtls_x509_crt_init(&chain);
    ret = certslot_cert_decode(text, len, &chain, c->why, c->why_size);
    for (const mbedtls_x509_crt *crt = &chain; ret == 0 && crt != NULL; crt = crt->next, n++) {
        char cn[CERTSLOT_CERT_CN_SIZE]; /* for messages: the CN alone, not the fingerprint and the rest of the info */
        int relaxed = 0;
        certslot_cert_cn(&crt->subject, cn, sizeof(cn));
        if (n == CERTSLOT_STORE_MAX_CERTS) {
            snprintf(c->why, c->why_size, "more than %u certificates", (unsigned)CERTSLOT_STORE_MAX_CERTS);
            ret = CERTSLOT_ERR_LIMIT;
            break;
        }
        ret = certslot_policy_check(crt, c->allow_weak, &relaxed, why, sizeof(why));
        if (ret != 0) {
            snprintf(c->why, c->why_size, "certificate %u (CN=%s): %s", n + 1, cn, why);
            break;
        }
        /* A certificate no path could use (an extension twice, a critical one nobody processes) is not stored. */
        certslot_cert_ext_t ext;
        char who[CERTSLOT_CERT_CN_SIZE + 16];
        snprintf(who, sizeof(who), "%u (CN=%s)", n + 1, cn);
        ret = certslot_cert_extensions(crt, who, &ext, c->why, c->why_size);
        if (ret != 0)
            break;
        if (relaxed)
            cs_log(c->hal, CERTSLOT_LOG_WARNING,
                  "store: %s %s: accepted weak certificate CN=%s: %s (weak-certificate policy relaxed)",
                  certslot_slot_name(c->slot), certslot_kind_name(c->kind), cn, why);
        ret = cs_blob_set(&p->certs[n], crt->raw.p, crt->raw.len);
        if (ret == 0)
            p->ncerts = n + 1;
    }
    mbedtls_x509_crt_free(&chain);
    return ret;
}

int cs_part_build(const certslot_hal_t *hal, certslot_slot_t slot, certslot_kind_t kind, const certslot_part_t *cur,
                  const unsigned char *cert, size_t cert_len, const unsigned char *key, size_t key_len,
                  int allow_weak, char *why, size_t why_size, certslot_part_t *out)
{
    const check_t check = {hal, slot, kind, allow_weak, why, why_size}, *c = &check;
    int ret = 0;

    why[0] = '\0';
    if (cert != NULL) {
        ret = take_certs(c, cert, cert_len, out);
    } else {
        for (unsigned i = 0; i < cur->ncerts && ret == 0; i++, out->ncerts++)
            ret = cs_blob_set(&out->certs[i], cur->certs[i].der, cur->certs[i].len);
    }
    if (ret != 0 || c->kind == CERTSLOT_KIND_CA)
        goto done;

    mbedtls_pk_context pk;
    mbedtls_pk_init(&pk);
    if (key != NULL) {
        ret = certslot_key_decode(key, key_len, &pk, c->why, c->why_size);
        if (ret == 0) {
            /* Store the key as DER whatever encoding it came in. */
            unsigned char buf[4096];
            int n = mbedtls_pk_write_key_der(&pk, buf, sizeof(buf));
            ret = n > 0 ? cs_blob_set(&out->key, buf + sizeof(buf) - n, (size_t)n) : CERTSLOT_ERR_KEY;
            certslot_zeroize(buf, sizeof(buf));
        }
    } else if (cur->key.der != NULL) {
        ret = certslot_key_decode(cur->key.der, cur->key.len, &pk, c->why, c->why_size);
        if (ret == 0)
            ret = cs_blob_set(&out->key, cur->key.der, cur->key.len);
    } else if (out->ncerts > 0) {
        snprintf(c->why, c->why_size, "a device certificate needs its private key");
        ret = CERTSLOT_ERR_KEY;
    }
    if (ret == 0 && out->ncerts > 0) {
        mbedtls_x509_crt crt;
        mbedtls_x509_crt_init(&crt);
        ret = certslot_cert_parse_der(&crt, out->certs[0].der, out->certs[0].len) == 0
                  ? certslot_key_matches(&crt, &pk)
                  : CERTSLOT_ERR_CERT;
        if (ret != 0)
            snprintf(c->why, c->why_size, "the private key does not match the device certificate");
        mbedtls_x509_crt_free(&crt);
    }
    mbedtls_pk_free(&pk);
done:
    if (ret != 0)
        certslot_part_free(out);
    return ret;
}

void cs_part_describe(const certslot_part_t *p, char *buf, size_t size)
{
    mbedtls_x509_crt crt;
    char cn[CERTSLOT_CERT_CN_SIZE];

    mbedtls_x509_crt_init(&crt);
    if (p->ncerts > 0 && certslot_cert_parse_der(&crt, p->certs[0].der, p->certs[0].len) == 0) {
        certslot_cert_cn(&crt.subject, cn, sizeof(cn));
        snprintf(buf, size, "%u certificate%s, first CN=%s%s", p->ncerts, p->ncerts == 1 ? "" : "s", cn,
                 p->key.der != NULL ? ", with private key" : "");
    } else {
        snprintf(buf, size, "%s", p->key.der != NULL ? "a private key awaiting its certificate" : "empty");
    }
    mbedtls_x509_crt_free(&crt);
}

