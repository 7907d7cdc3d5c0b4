/*
 * The strict name check: the configured server name against the leaf
 * certificate's subject CN and subjectAltName, by text (no DNS lookup).
 */
#include "certslot/name.h"

#include <stdint.h>
#include <string.h>

#include <mbedtls/asn1.h>
#include <mbedtls/oid.h>

#include "certslot/error.h"
#include "certslot/text.h"
#include "core/internal.h"

#define TAG_SAN_DNS (MBEDTLS_ASN1_CONTEXT_SPECIFIC | 2)
#define TAG_SAN_IP (MBEDTLS_ASN1_CONTEXT_SPECIFIC | 7)

/* The reason line: at most this many bytes of one name or entry, and entries. */
#define WHY_ITEM_MAX 40
#define WHY_ENTRIES_MAX 6

/* ------------------------------------------------------------ IP literals */

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static int hex_value(char c)
{
    if (is_digit(c))
        return c - '0';
    c = cs_lower(c);
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

/* 1 when s[0..len) is exactly four decimal parts 0..255 without leading zeros. */
static int parse_v4(const char *s, size_t len, unsigned char out[4])
{
    size_t i = 0;

    for (int part = 0; part < 4; part++) {
        size_t start = i;
        unsigned v = 0;

        if (part > 0) {
            if (i >= len || s[i] != '.')
                return 0;
            start = ++i;
        }
        while (i < len && is_digit(s[i]) && i - start < 3)
            v = v * 10 + (unsigned)(s[i++] - '0');
        if (i == start || v > 255 || (s[start] == '0' && i - start > 1))
            return 0;
        out[part] = (unsigned char)v;
    }
    return i == len;
}

/* 1 when s[0..len) is an RFC 4291 text form of an IPv6 address. */
static int parse_v6(const char *s, size_t len, unsigned char out[16])
{
    uint16_t groups[8];
    size_t ng = 0, i = 0;
    int gap = -1; /* index in groups where "::" stands, or -1 */

    if (len >= 2 && s[0] == ':' && s[1] == ':') {
        gap = 0;
        i = 2;
    } else if (len == 0 || s[0] == ':') {
        return 0;
    }
    while (i < len) {
        size_t end = i;
        unsigned v = 0;

        while (end < len && s[end] != ':')
            end++;
        if (memchr(s + i, '.', end - i) != NULL) {
            /* The embedded IPv4 tail: last, in the last 32 bits. */
            unsigned char v4[4];

            if (end != len || ng > 6 || !parse_v4(s + i, end - i, v4))
                return 0;
            groups[ng++] = (uint16_t)(v4[0] << 8 | v4[1]);
            groups[ng++] = (uint16_t)(v4[2] << 8 | v4[3]);
            break;
        }
        if (end == i || end - i > 4 || ng == 8)
            return 0;
        for (size_t k = i; k < end; k++) {
            int h = hex_value(s[k]);

            if (h < 0)
                return 0;
            v = v << 4 | (unsigned)h;
        }
        groups[ng++] = (uint16_t)v;
        if (end == len)
            break;
        if (end + 1 < len && s[end + 1] == ':') {
            if (gap >= 0)
                return 0;
            gap = (int)ng;
            i = end + 2;
        } else {
            i = end + 1;
            if (i == len)
                return 0; /* a single trailing ':' */
        }
    }
    if (gap < 0 ? ng != 8 : ng > 7)
        return 0;

    memset(out, 0, 16);
    size_t head = gap < 0 ? ng : (size_t)gap, tail = ng - head;
    for (size_t k = 0; k < head; k++) {
        out[2 * k] = (unsigned char)(groups[k] >> 8);
        out[2 * k + 1] = (unsigned char)groups[k];
    }
    for (size_t k = 0; k < tail; k++) {
        size_t at = 8 - tail + k;
        out[2 * at] = (unsigned char)(groups[head + k] >> 8);
        out[2 * at + 1] = (unsigned char)groups[head + k];
    }
    return 1;
}

int certslot_ip_parse(const char *text, size_t len, unsigned char addr[16], size_t *addr_len)
{
    if (text == NULL || addr == NULL || addr_len == NULL)
        return 0;
    if (memchr(text, ':', len) != NULL) {
        if (!parse_v6(text, len, addr))
            return 0;
        *addr_len = 16;
        return 1;
    }
    if (!parse_v4(text, len, addr))
        return 0;
    *addr_len = 4;
    return 1;
}

/* ------------------------------------------------------------ comparison */

/* s[0..len) without one trailing dot. */
static size_t strip_dot(const char *s, size_t len)
{
    return len > 0 && s[len - 1] == '.' ? len - 1 : len;
}

/* 1 when a and b, each without one trailing dot, are equal ignoring ASCII case. */
static int text_equal(const char *a, size_t alen, const char *b, size_t blen)
{
    alen = strip_dot(a, alen);
    blen = strip_dot(b, blen);
    return alen > 0 && alen == blen && cs_ncase_equal(a, b, alen);
}

/* Number of labels of s[0..len) (no trailing dot), or 0 when one is empty. */
static size_t count_labels(const char *s, size_t len)
{
    size_t n = 1, label = 0;

    if (len == 0)
        return 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] != '.') {
            label++;
            continue;
        }
        if (label == 0)
            return 0;
        n++;
        label = 0;
    }
    return label == 0 ? 0 : n;
}

/*
 * 1 when the dNSName pattern "*.rest" matches the host name: exactly one
 * non-empty label left of rest, rest of at least two non-empty labels.
 */
static int wildcard_match(const char *pat, size_t plen, const char *name, size_t nlen)
{
    const char *rest = pat + 2, *dot;
    size_t rlen;

    plen = strip_dot(pat, plen);
    nlen = strip_dot(name, nlen);
    if (plen < 2 || pat[0] != '*' || pat[1] != '.')
        return 0;
    rlen = plen - 2;
    if (memchr(rest, '*', rlen) != NULL || count_labels(rest, rlen) < 2)
        return 0;
    dot = memchr(name, '.', nlen);
    if (dot == NULL || dot == name)
        return 0;
    return (size_t)(name + nlen - (dot + 1)) == rlen && cs_ncase_equal(dot + 1, rest, rlen);
}

/* 1 for the string types whose bytes are text a name can be compared to. */
static int is_text_string(int tag)
{
    return tag == MBEDTLS_ASN1_UTF8_STRING || tag == MBEDTLS_ASN1_PRINTABLE_STRING ||
           tag == MBEDTLS_ASN1_IA5_STRING || tag == MBEDTLS_ASN1_T61_STRING;
}

static int is_cn(const mbedtls_x509_name *n)
{
    return n->oid.p != NULL && MBEDTLS_OID_CMP(MBEDTLS_OID_AT_CN, &n->oid) == 0;
}

static int cn_matches(const mbedtls_x509_name *n, const char *name, size_t len)
{
    return is_text_string(n->val.tag) && n->val.len > 0 && memchr(n->val.p, '\0', n->val.len) == NULL &&
           text_equal((const char *)n->val.p, n->val.len, name, len);
}

static int dns_matches(const mbedtls_x509_buf *b, const char *name, size_t len, int name_is_ip)
{
    const char *v = (const char *)b->p;

    if (name_is_ip || b->len == 0 || memchr(v, '\0', b->len) != NULL)
        return 0;
    return text_equal(v, b->len, name, len) || wildcard_match(v, b->len, name, len);
}

/* ------------------------------------------------------------ the reason */

typedef struct {
    char *buf;
    size_t size;
    size_t len;
    int full;
} why_t;

static void why_bytes(why_t *w, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (w->len + 1 >= w->size) {
            w->full = 1;
            return;
        }
        w->buf[w->len++] = s[i];
    }
}

static void why_str(why_t *w, const char *s)
{
    why_bytes(w, s, strlen(s));
}

/* A certificate or name text, escaped and abbreviated. */
static void why_text(why_t *w, const char *s, size_t n)
{
    char shown[CERTSLOT_TEXT_ESCAPED_SIZE(WHY_ITEM_MAX)];
    certslot_text_escape(shown, sizeof(shown), s, n > WHY_ITEM_MAX ? WHY_ITEM_MAX : n);
    why_str(w, shown);
    if (n > WHY_ITEM_MAX)
        why_str(w, "...");
}

static void why_uint(why_t *w, unsigned v, int hex)
{
    char tmp[12];
    size_t n = 0;
    unsigned base = hex ? 16 : 10;

    do {
        tmp[n++] = "0123456789abcdef"[v % base];
        v /= base;
    } while (v > 0);
    while (n > 0)
        why_bytes(w, &tmp[--n], 1);
}

/* An iPAddress value: dotted quad, RFC 5952 IPv6, or its size. */
static void why_ip(why_t *w, const unsigned char *p, size_t n)
{
    if (n == 4) {
        for (size_t i = 0; i < 4; i++) {
            if (i > 0)
                why_str(w, ".");
            why_uint(w, p[i], 0);
        }
        return;
    }
    if (n != 16) {
        why_str(w, "?(");
        why_uint(w, (unsigned)n, 0);
        why_str(w, " bytes)");
        return;
    }
    size_t best = 8, best_len = 0;
    for (size_t i = 0; i < 8;) {
        size_t j = i;

        while (j < 8 && p[2 * j] == 0 && p[2 * j + 1] == 0)
            j++;
        if (j - i > best_len && j - i >= 2) {
            best = i;
            best_len = j - i;
        }
        i = j > i ? j : i + 1;
    }
    for (size_t i = 0; i < 8; i++) {
        if (i == best) {
            why_str(w, "::");
            i += best_len - 1;
            continue;
        }
        if (i > 0 && i != best + best_len)
            why_str(w, ":");
        why_uint(w, (unsigned)(p[2 * i] << 8 | p[2 * i + 1]), 1);
    }
}

/* " (CN=a, CN=b; SAN DNS:x, IP:y, +n more)" for what crt holds. */
static void why_holdings(why_t *w, const mbedtls_x509_crt *crt)
{
    size_t shown = 0, more = 0;

    why_str(w, " (");
    for (const mbedtls_x509_name *n = &crt->subject; n != NULL; n = n->next) {
        if (!is_cn(n))
            continue;
        if (shown == WHY_ENTRIES_MAX) {
            more++;
            continue;
        }
        why_str(w, shown++ > 0 ? ", CN=" : "CN=");
        why_text(w, (const char *)n->val.p, n->val.len);
    }
    if (shown == 0)
        why_str(w, "no CN");

    size_t cns = shown;
    for (const mbedtls_x509_sequence *s = &crt->subject_alt_names; s != NULL; s = s->next) {
        const mbedtls_x509_buf *b = &s->buf;

        if (b->p == NULL)
            continue;
        if (shown == WHY_ENTRIES_MAX) {
            more++;
            continue;
        }
        why_str(w, shown++ == cns ? "; SAN " : ", ");
        if (b->tag == TAG_SAN_DNS) {
            why_str(w, "DNS:");
            why_text(w, (const char *)b->p, b->len);
        } else if (b->tag == TAG_SAN_IP) {
            why_str(w, "IP:");
            why_ip(w, b->p, b->len);
        } else {
            why_str(w, "other");
        }
    }
    if (shown == cns)
        why_str(w, "; no SAN");
    if (more > 0) {
        why_str(w, ", +");
        why_uint(w, (unsigned)more, 0);
        why_str(w, " more");
    }
    why_str(w, ")");
}

static void why_finish(why_t *w)
{
    if (w->size == 0)
        return;
    if (w->full && w->size >= 4)
        memcpy(w->buf + w->size - 4, "...", 3);
    w->buf[w->len < w->size ? w->len : w->size - 1] = '\0';
}

/* ---------------------------------------------------------------- check */

int certslot_name_check(const mbedtls_x509_crt *crt, const char *name, size_t len, char *why, size_t why_size)
{
    why_t w = { why, why == NULL ? 0 : why_size, 0, 0 };
    unsigned char ip[16], tmp[16];
    size_t ip_len = 0, tmp_len = 0;
    int is_ip, looks_ip, ret = CERTSLOT_ERR_NAME;

    if (crt == NULL || (name == NULL && len > 0)) {
        why_str(&w, "no certificate or no name given");
        ret = CERTSLOT_ERR_ARG;
        goto cleanup;
    }
    if (strip_dot(name, len) == 0) {
        why_str(&w, "an empty name never matches");
        goto cleanup;
    }
    if (memchr(name, '\0', len) != NULL || memchr(name, '*', len) != NULL) {
        why_str(&w, "name '");
        why_text(&w, name, len);
        why_str(&w, memchr(name, '\0', len) != NULL ? "' contains a NUL byte" : "' contains '*'");
        goto cleanup;
    }

    is_ip = certslot_ip_parse(name, len, ip, &ip_len);
    /* "127.0.0.1." is no IP literal, but still never a dNSName match. */
    looks_ip = is_ip || certslot_ip_parse(name, strip_dot(name, len), tmp, &tmp_len);

    for (const mbedtls_x509_name *n = &crt->subject; n != NULL; n = n->next) {
        if (is_cn(n) && cn_matches(n, name, len)) {
            ret = 0;
            goto cleanup;
        }
    }
    for (const mbedtls_x509_sequence *s = &crt->subject_alt_names; s != NULL; s = s->next) {
        const mbedtls_x509_buf *b = &s->buf;

        if (b->p == NULL)
            continue;
        if ((b->tag == TAG_SAN_DNS && dns_matches(b, name, len, looks_ip)) ||
            (b->tag == TAG_SAN_IP && is_ip && b->len == ip_len && memcmp(b->p, ip, ip_len) == 0)) {
            ret = 0;
            goto cleanup;
        }
    }
    why_str(&w, "name '");
    why_text(&w, name, len);
    why_str(&w, "' is not in the certificate");

cleanup:
    if (ret == CERTSLOT_ERR_NAME)
        why_holdings(&w, crt);
    why_finish(&w);
    return ret;
}
