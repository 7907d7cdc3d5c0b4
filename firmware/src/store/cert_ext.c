/*
 * A certificate's extensions, read from its DER by certslot (cert.h): the
 * critical-extension rule (RFC 5280 4.2: a critical extension nobody
 * processes refuses the certificate), duplicates (4.2: at most one instance
 * of each), and the nameConstraints value, which mbedTLS does not process
 * (verify/nconst.c does). mbedTLS parses certificates past extensions it
 * does not know (certslot_cert_parse_der), so this is the rule.
 */
#include <stdio.h>
#include <string.h>

#include <mbedtls/asn1.h>
#include <mbedtls/oid.h>
#include <mbedtls/platform.h>
#include <mbedtls/rsa.h>

#include "certslot/cert.h"
#include "certslot/error.h"
#include "core/internal.h"

/* Extensions a certificate may mark critical: mbedTLS processes them, or certslot does (nameConstraints). */
static const struct {
    const char *oid;
    size_t len;
} processed[] = {
#define OID(x) {x, sizeof(x) - 1}
    OID(MBEDTLS_OID_BASIC_CONSTRAINTS),  OID(MBEDTLS_OID_KEY_USAGE),        OID(MBEDTLS_OID_EXTENDED_KEY_USAGE),
    OID(MBEDTLS_OID_SUBJECT_ALT_NAME),   OID(MBEDTLS_OID_NAME_CONSTRAINTS), OID(MBEDTLS_OID_CERTIFICATE_POLICIES),
    OID(MBEDTLS_OID_SUBJECT_KEY_IDENTIFIER), OID(MBEDTLS_OID_AUTHORITY_KEY_IDENTIFIER), OID(MBEDTLS_OID_NS_CERT_TYPE),
#undef OID
};

#define MAX_EXTENSIONS 32 /* for the duplicate check; a certificate with more is refused */

static int is(const mbedtls_asn1_buf *oid, const char *der, size_t len)
{
    return oid->len == len && memcmp(oid->p, der, len) == 0;
}

static void oid_text(const mbedtls_asn1_buf *oid, char *buf, size_t size)
{
    if (mbedtls_oid_get_numeric_string(buf, size, oid) < 0)
        snprintf(buf, size, "?");
}

int certslot_cert_extensions(const mbedtls_x509_crt *crt, const char *who, certslot_cert_ext_t *out, char *why,
                             size_t why_size)
{
    mbedtls_asn1_buf seen[MAX_EXTENSIONS];
    unsigned char *p = crt->v3_ext.p, *end;
    size_t n, count = 0;
    char oid[64];

    memset(out, 0, sizeof(*out));
    if (crt->v3_ext.len == 0)
        return 0; /* no extensions (v1, v2): p is NULL, and NULL + 0 is undefined */
    end = p + crt->v3_ext.len;
    if (mbedtls_asn1_get_tag(&p, end, &n, MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE) != 0)
        goto malformed;
    end = p + n;
    while (p < end) {
        unsigned char *ext_end;
        mbedtls_asn1_buf id;
        int critical = 0;
        if (mbedtls_asn1_get_tag(&p, end, &n, MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE) != 0)
            goto malformed;
        ext_end = p + n;
        if (mbedtls_asn1_get_tag(&p, ext_end, &id.len, MBEDTLS_ASN1_OID) != 0)
            goto malformed;
        id.p = p;
        p += id.len;
        if (p < ext_end && *p == MBEDTLS_ASN1_BOOLEAN && mbedtls_asn1_get_bool(&p, ext_end, &critical) != 0)
            goto malformed;
        if (mbedtls_asn1_get_tag(&p, ext_end, &n, MBEDTLS_ASN1_OCTET_STRING) != 0 || p + n != ext_end)
            goto malformed;
        oid_text(&id, oid, sizeof(oid));
        for (size_t i = 0; i < count; i++) {
            if (is(&seen[i], (const char *)id.p, id.len)) {
                snprintf(why, why_size, "certificate %s has the extension %s twice (RFC 5280 4.2)", who, oid);
                return CERTSLOT_ERR_CERT;
            }
        }
        if (count == MAX_EXTENSIONS) {
            snprintf(why, why_size, "certificate %s has more than %d extensions", who, MAX_EXTENSIONS);
            return CERTSLOT_ERR_CERT;
        }
        seen[count++] = id;
        int known = 0;
        for (size_t i = 0; i < sizeof(processed) / sizeof(processed[0]); i++)
            known |= is(&id, processed[i].oid, processed[i].len);
        if (critical && !known) {
            snprintf(why, why_size, "certificate %s has a critical extension certslot does not process (%s)", who,
                     oid);
            return CERTSLOT_ERR_CERT;
        }
        if (is(&id, MBEDTLS_OID_NAME_CONSTRAINTS, sizeof(MBEDTLS_OID_NAME_CONSTRAINTS) - 1)) {
            out->nc = p;
            out->nc_len = n;
            out->nc_critical = critical;
        }
        if (is(&id, MBEDTLS_OID_SUBJECT_ALT_NAME, sizeof(MBEDTLS_OID_SUBJECT_ALT_NAME) - 1))
            out->san_critical = critical;
        p = ext_end;
    }
    return 0;
malformed:
    snprintf(why, why_size, "certificate %s has malformed extensions", who);
    return CERTSLOT_ERR_CERT;
}

int certslot_cert_self_issued(const mbedtls_x509_crt *crt)
{
    return crt->issuer_raw.len == crt->subject_raw.len &&
           memcmp(crt->issuer_raw.p, crt->subject_raw.p, crt->subject_raw.len) == 0;
}

/* Every extension mbedTLS does not know is left to certslot_cert_extensions. */
static int any_extension(void *ctx, const mbedtls_x509_crt *crt, const mbedtls_x509_buf *oid, int critical,
                         const unsigned char *p, const unsigned char *end)
{
    (void)ctx, (void)crt, (void)oid, (void)critical, (void)p, (void)end;
    return 0;
}

int certslot_cert_parse_der(mbedtls_x509_crt *chain, const unsigned char *der, size_t len)
{
    int ret = mbedtls_x509_crt_parse_der_with_ext_cb(chain, der, len, 1, any_extension, NULL);
    mbedtls_x509_crt *last = chain, *prev = NULL;

    if (ret != 0)
        return ret;
    while (last->next != NULL)
        prev = last, last = last->next;
    if (mbedtls_pk_get_type(&last->pk) != MBEDTLS_PK_RSA ||
        mbedtls_mpi_bitlen(&mbedtls_pk_rsa(last->pk)->MBEDTLS_PRIVATE(E)) <= CERTSLOT_CERT_MAX_RSA_E_BITS)
        return 0;
    /* Taken off again as mbedTLS drops a certificate it fails to parse. */
    mbedtls_x509_crt_free(last);
    if (prev != NULL) {
        prev->next = NULL;
        mbedtls_free(last);
    }
    return CERTSLOT_CERT_ERR_RSA_EXPONENT;
}

/* Linked with -Wl,--wrap=mbedtls_x509_crt_parse_der, mbedTLS's TLS layer parses the peer's certificates so too. */
int __wrap_mbedtls_x509_crt_parse_der(mbedtls_x509_crt *chain, const unsigned char *buf, size_t buflen);
int __wrap_mbedtls_x509_crt_parse_der(mbedtls_x509_crt *chain, const unsigned char *buf, size_t buflen)
{
    if (chain == NULL)
        return CS_WRAP_PROBE; /* cs_tls_lib_wrapped */
    if (!cs_tls_lib_peer_cert())
        return MBEDTLS_ERR_X509_INVALID_FORMAT; /* past the handshake's limit (core/internal.h) */
    return certslot_cert_parse_der(chain, buf, buflen);
}
