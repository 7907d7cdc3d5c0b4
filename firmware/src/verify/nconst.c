/*
 * Name constraints (RFC 5280 4.2.1.10), which mbedTLS does not process:
 * dNSName, rfc822Name, iPAddress and directoryName subtrees, permitted and
 * excluded. A CA's constraints apply to every certificate below it in the
 * path except self-issued intermediates (RFC 5280 6.1.3 (b)): to its
 * subject, its subjectAltName entries, its emailAddress attributes when it
 * has no SAN, and, for the end entity without a SAN, to its CN used as a
 * host name (what the strict name check would compare).
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
#define GN_EMAIL (MBEDTLS_ASN1_CONTEXT_SPECIFIC | 1)

typedef enum { F_DNS, F_IP, F_DN, F_EMAIL } form_t;

/* A name of the certificate, of one form: text (DNS, email), octets (IP) or an RDNSequence's content (DN). */
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

/*
 * "user@host" matches that mailbox (the local part exactly, the host in any
 * case), "host" every mailbox at host, ".example.com" every mailbox at a
 * host below it.
 */
static int email_match(const unsigned char *c, size_t clen, const unsigned char *n, size_t nlen)
{
    size_t at = nlen;
    while (at > 0 && n[at - 1] != '@')
        at--;
    if (at == 0) /* not a mailbox */
        return 0;
    const unsigned char *host = n + at;
    size_t hlen = nlen - at;
    if (memchr(c, '@', clen) != NULL)
        return clen == nlen && memcmp(c, n, at) == 0 && ieq(c + at, host, hlen);
    if (clen > 0 && c[0] == '.')
        return hlen > clen && ieq(host + hlen - clen, c, clen);
    return hlen == clen && ieq(host, c, clen);
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
    switch (form) {
    case F_DNS:
        return dns_match(c, clen, n->p, n->len);
    case F_EMAIL:
        return email_match(c, clen, n->p, n->len);
    case F_IP:
        return ip_match(c, clen, n->p, n->len);
    default:
        return dn_match(c, clen, n->p, n->len);
    }
}

static int form_of(int tag, form_t *form)
{
    switch (tag) {
    case GN_DNS:
        *form = F_DNS;
        return 1;
    case GN_EMAIL:
        *form = F_EMAIL;
        return 1;
    case GN_IP:
        *form = F_IP;
        return 1;
    case GN_DN:
        *form = F_DN;
        return 1;
    default:
        return 0;
    }
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
 * certslot does not implement is an error when the extension is critical
 * and skipped when it is not; a malformed entry is always an error (a CA
 * that meant to constrain its names is not taken as unconstrained).
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
        form_t form;
        if (!form_of(tag, &form)) {
            if (x->critical)
                return refuse(x, "use a name form certslot does not implement (only dNSName, rfc822Name, "
                                 "iPAddress and directoryName)");
        } else if (form == n->form) {
            unsigned char *c = b;
            size_t clen = blen;
            if (form == F_DN && rdn_content(&c, b + blen, &clen) != 0)
                return refuse(x, "are malformed");
            if (form == F_IP && clen != 8 && clen != 32)
                return refuse(x, "have an iPAddress that is not an address and a mask");
            *seen = 1;
            *hit |= matches(form, c, clen, n);
        }
        p = sub_end;
    }
    return 0;
}

static void show(const name_t *n, char *buf, size_t size)
{
    if (n->form == F_DNS || n->form == F_EMAIL) {
        snprintf(buf, size, "%s:%.*s", n->form == F_DNS ? "DNS" : "email", (int)(n->len > 80 ? 80 : n->len),
                 (const char *)n->p);
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
        return refuse(x, "are malformed");
    while (p < end) {
        int tag = *p;
        unsigned char *q = p + 1;
        if (mbedtls_asn1_get_len(&q, end, &len) != 0 || (tag != 0xa0 && tag != 0xa1))
            return refuse(x, "are malformed");
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

static int check_one(const ctx_t *x, const unsigned char *nc, size_t nc_len, form_t form, const unsigned char *p,
                     size_t len, const char *who)
{
    const name_t n = {form, p, len};
    return check_name(x, nc, nc_len, &n, who);
}

/* The subject's emailAddress attributes (PKCS #9), checked as rfc822Names when there is no SAN (4.2.1.10). */
static int check_subject_email(const ctx_t *x, const unsigned char *nc, size_t nc_len, const mbedtls_x509_crt *crt,
                               const char *who)
{
    for (const mbedtls_x509_name *a = &crt->subject; a != NULL; a = a->next) {
        if (a->oid.p == NULL || MBEDTLS_OID_CMP(MBEDTLS_OID_PKCS9_EMAIL, &a->oid) != 0)
            continue;
        int ret = check_one(x, nc, nc_len, F_EMAIL, a->val.p, a->val.len, who);
        if (ret != 0)
            return ret;
    }
    return 0;
}

int cs_nc_check(const unsigned char *nc, size_t nc_len, int critical, const char *ca, const mbedtls_x509_crt *crt,
                const char *who, int leaf, char *why, size_t why_size)
{
    const ctx_t x = {ca, critical, why, why_size};
    unsigned char *p = crt->subject_raw.p, ip[16];
    size_t len;
    form_t form;
    int ret;

    if (!leaf && certslot_cert_self_issued(crt)) /* RFC 5280 6.1.3 (b) */
        return 0;
    /* The subject, unless empty. */
    if (rdn_content(&p, crt->subject_raw.p + crt->subject_raw.len, &len) == 0 && len > 0 &&
        (ret = check_one(&x, nc, nc_len, F_DN, p, len, who)) != 0)
        return ret;
    int any_san = 0;
    for (const mbedtls_x509_sequence *s = &crt->subject_alt_names; s != NULL && s->buf.p != NULL; s = s->next) {
        any_san = 1;
        if (!form_of(s->buf.tag, &form))
            continue; /* forms not constrained by certslot: refused above when a critical constraint names them */
        p = s->buf.p;
        len = s->buf.len;
        if (form == F_DN && rdn_content(&p, s->buf.p + s->buf.len, &len) != 0)
            continue;
        if ((ret = check_one(&x, nc, nc_len, form, p, len, who)) != 0)
            return ret;
    }
    if (any_san)
        return 0;
    if ((ret = check_subject_email(&x, nc, nc_len, crt, who)) != 0)
        return ret;
    name_t n;
    if (leaf && cn_as_host(crt, &n, ip))
        return check_name(&x, nc, nc_len, &n, who);
    return 0;
}
