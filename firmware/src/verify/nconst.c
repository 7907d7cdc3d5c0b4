/*
 * Name constraints (RFC 5280 4.2.1.10), which mbedTLS does not process:
 * dNSName, iPAddress and directoryName subtrees, permitted and excluded.
 * A CA's constraints apply to every certificate below it in the path: to
 * its subject (directoryName) unless it is a self-issued intermediate, and,
 * for the end entity, to its subjectAltName entries, or to its CN used as a
 * host name when it has none.
 */
#include <stdio.h>
#include <string.h>

#include <mbedtls/asn1.h>
#include <mbedtls/oid.h>

#include "certslot/error.h"
#include "certslot/name.h"
#include "core/internal.h"
#include "verify_internal.h"

/* GeneralName tags (RFC 5280 4.2.1.6). */
#define GN_DNS (MBEDTLS_ASN1_CONTEXT_SPECIFIC | 2)
#define GN_IP (MBEDTLS_ASN1_CONTEXT_SPECIFIC | 7)
#define GN_DN (MBEDTLS_ASN1_CONTEXT_SPECIFIC | MBEDTLS_ASN1_CONSTRUCTED | 4)

typedef enum { F_DNS, F_IP, F_DN } form_t;

/* A name of the certificate, of one form: text (DNS), octets (IP) or an RDNSequence's content (DN). */
typedef struct {
    form_t form;
    const unsigned char *p;
    size_t len;
} name_t;

typedef struct {
    const char *ca;
    int critical;
    char *why;
    size_t why_size;
} ctx_t;

static size_t strip_dot(const unsigned char *s, size_t len)
{
    return len > 0 && s[len - 1] == '.' ? len - 1 : len;
}

static int ieq(const unsigned char *a, const unsigned char *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (cs_lower((char)a[i]) != cs_lower((char)b[i]))
            return 0;
    return 1;
}

/* "example.com" matches itself and every name below it; ".example.com" only names below it; "" everything. */
static int dns_match(const unsigned char *c, size_t clen, const unsigned char *n, size_t nlen)
{
    clen = strip_dot(c, clen);
    nlen = strip_dot(n, nlen);
    if (clen == 0)
        return 1;
    if (c[0] == '.')
        return nlen > clen && ieq(n + nlen - clen, c, clen);
    if (nlen == clen)
        return ieq(n, c, clen);
    return nlen > clen && n[nlen - clen - 1] == '.' && ieq(n + nlen - clen, c, clen);
}

/* An address and a mask of the same family: the name's bits under the mask are the constraint's. */
static int ip_match(const unsigned char *c, size_t clen, const unsigned char *n, size_t nlen)
{
    if (clen != 2 * nlen)
        return 0;
    for (size_t i = 0; i < nlen; i++)
        if ((n[i] & c[nlen + i]) != (c[i] & c[nlen + i]))
            return 0;
    return 1;
}

/* The constraint's RDNs are the first RDNs of the name, byte for byte. */
static int dn_match(const unsigned char *c, size_t clen, const unsigned char *n, size_t nlen)
{
    return clen <= nlen && memcmp(c, n, clen) == 0 && (clen == nlen || n[clen] == (MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SET));
}

static int matches(form_t form, const unsigned char *c, size_t clen, const name_t *n)
{
    return form == F_DNS ? dns_match(c, clen, n->p, n->len)
           : form == F_IP ? ip_match(c, clen, n->p, n->len)
                          : dn_match(c, clen, n->p, n->len);
}

/* The content of an RDNSequence (the SEQUENCE's value) at p. */
static int rdn_content(unsigned char **p, const unsigned char *end, size_t *len)
{
    return mbedtls_asn1_get_tag(p, end, len, MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE);
}

static int refuse(const ctx_t *x, const char *what)
{
    snprintf(x->why, x->why_size, "the name constraints of %s %s", x->ca, what);
    return CERTSLOT_ERR_VERIFY;
}

/*
 * Looks through one GeneralSubtrees (permitted or excluded) for constraints
 * of n's form: *seen when there is one, *hit when one matches n. A form
 * certslot does not implement, or a malformed entry, is an error when the
 * extension is critical and skipped when it is not.
 */
static int scan(const ctx_t *x, unsigned char *p, const unsigned char *end, const name_t *n, int *seen, int *hit)
{
    while (p < end) {
        size_t len, blen;
        unsigned char *sub_end, *b;
        if (mbedtls_asn1_get_tag(&p, end, &len, MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE) != 0)
            return refuse(x, "are malformed");
        sub_end = p + len;
        int tag = *p;
        b = p + 1;
        if (mbedtls_asn1_get_len(&b, sub_end, &blen) != 0)
            return refuse(x, "are malformed");
        if (b + blen != sub_end) /* minimum and maximum: RFC 5280 says 0 and absent */
            return refuse(x, "use a minimum or maximum distance (RFC 5280: never)");
        form_t form = tag == GN_DNS ? F_DNS : tag == GN_IP ? F_IP : F_DN;
        if (tag != GN_DNS && tag != GN_IP && tag != GN_DN) {
            if (x->critical)
                return refuse(x, "use a name form certslot does not implement (only dNSName, iPAddress and "
                                 "directoryName)");
        } else if (form == n->form) {
            unsigned char *c = b;
            size_t clen = blen;
            if (form == F_DN && rdn_content(&c, b + blen, &clen) != 0)
                return x->critical ? refuse(x, "are malformed") : 0;
            if (form == F_IP && clen != 8 && clen != 32)
                return x->critical ? refuse(x, "have an iPAddress that is not an address and a mask") : 0;
            *seen = 1;
            *hit |= matches(form, c, clen, n);
        }
        p = sub_end;
    }
    return 0;
}

static void show(const name_t *n, char *buf, size_t size)
{
    if (n->form == F_DNS) {
        snprintf(buf, size, "DNS:%.*s", (int)(n->len > 80 ? 80 : n->len), (const char *)n->p);
    } else if (n->form == F_IP && n->len == 4) {
        snprintf(buf, size, "IP:%u.%u.%u.%u", n->p[0], n->p[1], n->p[2], n->p[3]);
    } else if (n->form == F_IP) {
        snprintf(buf, size, "IP:(IPv6)");
    } else {
        snprintf(buf, size, "its subject name");
    }
}

/* One name against the whole extension. */
static int check_name(const ctx_t *x, const unsigned char *nc, size_t nc_len, const name_t *n, const char *who)
{
    unsigned char *p = (unsigned char *)nc, *end = p + nc_len;
    size_t len;
    int permitted_seen = 0, permitted_hit = 0, excluded_seen = 0, excluded_hit = 0, ret;
    char shown[128], what[300];

    if (mbedtls_asn1_get_tag(&p, end, &len, MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE) != 0 || p + len != end)
        return x->critical ? refuse(x, "are malformed") : 0;
    while (p < end) {
        int tag = *p;
        unsigned char *q = p + 1;
        if (mbedtls_asn1_get_len(&q, end, &len) != 0 || (tag != 0xa0 && tag != 0xa1))
            return x->critical ? refuse(x, "are malformed") : 0;
        ret = tag == 0xa0 ? scan(x, q, q + len, n, &permitted_seen, &permitted_hit)
                          : scan(x, q, q + len, n, &excluded_seen, &excluded_hit);
        if (ret != 0)
            return ret;
        p = q + len;
    }
    show(n, shown, sizeof(shown));
    if (excluded_hit) {
        snprintf(what, sizeof(what), "exclude %s of certificate %s", shown, who);
        return refuse(x, what);
    }
    if (permitted_seen && !permitted_hit) {
        snprintf(what, sizeof(what), "do not permit %s of certificate %s", shown, who);
        return refuse(x, what);
    }
    return 0;
}

/* The CN, when it is a host name: an IP literal, or letters, digits, '-' and '.' with a dot. */
static int cn_as_host(const mbedtls_x509_crt *crt, name_t *n, unsigned char ip[16])
{
    for (const mbedtls_x509_name *a = &crt->subject; a != NULL; a = a->next) {
        if (MBEDTLS_OID_CMP(MBEDTLS_OID_AT_CN, &a->oid) != 0)
            continue;
        size_t ip_len;
        if (certslot_ip_parse((const char *)a->val.p, a->val.len, ip, &ip_len)) {
            n->form = F_IP, n->p = ip, n->len = ip_len;
            return 1;
        }
        int dot = 0, ok = a->val.len > 0;
        for (size_t i = 0; i < a->val.len && ok; i++) {
            unsigned char c = a->val.p[i];
            dot |= c == '.';
            ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.';
        }
        if (ok && dot) {
            n->form = F_DNS, n->p = a->val.p, n->len = a->val.len;
            return 1;
        }
    }
    return 0;
}

int cs_nc_check(const unsigned char *nc, size_t nc_len, int critical, const char *ca, const mbedtls_x509_crt *crt,
                const char *who, int leaf, char *why, size_t why_size)
{
    const ctx_t x = {ca, critical, why, why_size};
    unsigned char *p = crt->subject_raw.p, ip[16];
    size_t len;
    name_t n;
    int ret;

    /* The subject, unless empty or a self-issued intermediate's (RFC 5280 6.1.3 (b)). */
    if ((leaf || !cs_self_issued(crt)) && rdn_content(&p, crt->subject_raw.p + crt->subject_raw.len, &len) == 0 &&
        len > 0) {
        n.form = F_DN, n.p = p, n.len = len;
        if ((ret = check_name(&x, nc, nc_len, &n, who)) != 0)
            return ret;
    }
    if (!leaf)
        return 0;
    int any_san = 0;
    for (const mbedtls_x509_sequence *s = &crt->subject_alt_names; s != NULL && s->buf.p != NULL; s = s->next) {
        any_san = 1;
        if (s->buf.tag == GN_DNS || s->buf.tag == GN_IP) {
            n.form = s->buf.tag == GN_DNS ? F_DNS : F_IP, n.p = s->buf.p, n.len = s->buf.len;
        } else if (s->buf.tag == GN_DN) {
            p = s->buf.p;
            if (rdn_content(&p, s->buf.p + s->buf.len, &len) != 0)
                continue;
            n.form = F_DN, n.p = p, n.len = len;
        } else {
            continue;
        }
        if ((ret = check_name(&x, nc, nc_len, &n, who)) != 0)
            return ret;
    }
    if (!any_san && cn_as_host(crt, &n, ip))
        return check_name(&x, nc, nc_len, &n, who);
    return 0;
}
