/*
 * HTTP authentication for http.c: the server's WWW-Authenticate challenges
 * (Basic, and Digest of RFC 7616 with MD5 or SHA-256, plain or -sess, and
 * qop=auth or none) and the Authorization line that answers one. Every value
 * of a challenge is bounded, and one holding a quote, a backslash or a
 * control byte is refused: it is echoed in the request line.
 */
#include <stdio.h>
#include <string.h>

#include <mbedtls/base64.h>
#include <mbedtls/md.h>

#include "certslot/error.h"
#include "certslot/platform.h"
#include "certslot/text.h"
#include "core/internal.h"
#include "xfer.h"

/* The next token or quoted string of a challenge at *p into out: 0, or -1 when malformed. */
static int value(const char **p, char *out, size_t size)
{
    const char *s = *p;
    size_t n = 0;
    int quoted = *s == '"';

    if (quoted)
        s++;
    for (; *s != '\0'; s++) {
        unsigned char c = (unsigned char)*s;
        if (quoted && c == '"')
            break;
        if (!quoted && (c == ',' || c == ' ' || c == '\t'))
            break;
        if (c == '\\' || c < 0x20 || c == 0x7f || (!quoted && c == '"'))
            return -1;
        if (n + 1 >= size)
            return -1;
        out[n++] = (char)c;
    }
    if (quoted && *s++ != '"')
        return -1;
    out[n] = '\0';
    *p = s;
    return 0;
}

static void skip_space(const char **p)
{
    while (**p == ' ' || **p == '\t')
        (*p)++;
}

/* A Digest challenge's parameters (after "Digest "): 0, or -1 when malformed or of no use. */
static int digest_params(const char *p, certslot_http_auth_t *a)
{
    char name[32], v[CERTSLOT_HTTP_AUTH_VALUE_MAX];
    int qop_auth = 0, qop_given = 0;

    memset(&a->digest, 0, sizeof(a->digest));
    a->digest.md = MBEDTLS_MD_MD5;
    for (;;) {
        skip_space(&p);
        if (*p == '\0')
            break;
        size_t n = 0;
        while ((p[n] >= 'a' && p[n] <= 'z') || (p[n] >= 'A' && p[n] <= 'Z') || p[n] == '-')
            n++;
        if (n == 0 || n >= sizeof(name) || p[n] != '=')
            return -1;
        memcpy(name, p, n);
        name[n] = '\0';
        p += n + 1;
        if (value(&p, v, sizeof(v)) != 0)
            return -1;
        if (cs_equal_ci(name, n, "realm"))
            snprintf(a->digest.realm, sizeof(a->digest.realm), "%s", v);
        else if (cs_equal_ci(name, n, "nonce"))
            snprintf(a->digest.nonce, sizeof(a->digest.nonce), "%s", v);
        else if (cs_equal_ci(name, n, "opaque"))
            a->digest.has_opaque = 1, snprintf(a->digest.opaque, sizeof(a->digest.opaque), "%s", v);
        else if (cs_equal_ci(name, n, "stale"))
            a->digest.stale = cs_equal_ci(v, strlen(v), "true");
        else if (cs_equal_ci(name, n, "algorithm")) {
            size_t l = strlen(v);
            a->digest.sess = l > 5 && cs_equal_ci(v + l - 5, 5, "-sess");
            l -= a->digest.sess ? 5 : 0;
            if (cs_equal_ci(v, l, "MD5"))
                a->digest.md = MBEDTLS_MD_MD5;
            else if (cs_equal_ci(v, l, "SHA-256"))
                a->digest.md = MBEDTLS_MD_SHA256;
            else
                return -1; /* SHA-512-256 and others: not offered by this challenge */
            snprintf(a->digest.algorithm, sizeof(a->digest.algorithm), "%.15s", v);
        } else if (cs_equal_ci(name, n, "qop")) {
            qop_given = 1;
            for (const char *q = v; *q != '\0';) {
                size_t l = strcspn(q, ", \t");
                qop_auth |= cs_equal_ci(q, l, "auth");
                q += l;
                q += strspn(q, ", \t");
            }
        }
        skip_space(&p);
        if (*p == ',')
            p++;
    }
    if (a->digest.nonce[0] == '\0' || (qop_given && !qop_auth)) /* auth-int only: a body hash we do not do */
        return -1;
    a->digest.qop = qop_auth;
    return 0;
}

void certslot_http_auth_challenge(certslot_http_auth_t *a, const char *header)
{
    const char *p = header;
    skip_space(&p);
    if (cs_starts_ci(p, "digest ")) {
        certslot_http_auth_t d = *a;
        if (digest_params(p + 7, &d) == 0 && (!a->offered_digest || d.digest.md > a->digest.md)) {
            d.offered_digest = 1; /* the strongest of the Digest challenges */
            *a = d;
        }
    } else if (cs_starts_ci(p, "basic") && (p[5] == ' ' || p[5] == '\0')) {
        a->offered_basic = 1;
    } else if (*p != '\0') {
        size_t n = strcspn(p, " ,");
        snprintf(a->other, sizeof(a->other), "%.*s", (int)(n > 20 ? 20 : n), p);
    }
}

/* hex of the hash of the parts joined with ':' into out (2 * size + 1). */
static int hash_hex(mbedtls_md_type_t md, const char *const *parts, size_t n, char *out)
{
    const mbedtls_md_info_t *info = mbedtls_md_info_from_type(md);
    mbedtls_md_context_t ctx;
    unsigned char h[MBEDTLS_MD_MAX_SIZE];
    int ret;

    if (info == NULL)
        return CERTSLOT_ERR_UNSUPPORTED;
    mbedtls_md_init(&ctx);
    ret = mbedtls_md_setup(&ctx, info, 0) != 0 || mbedtls_md_starts(&ctx) != 0;
    for (size_t i = 0; i < n && ret == 0; i++)
        ret = (i > 0 && mbedtls_md_update(&ctx, (const unsigned char *)":", 1) != 0) ||
              mbedtls_md_update(&ctx, (const unsigned char *)parts[i], strlen(parts[i])) != 0;
    ret = ret || mbedtls_md_finish(&ctx, h) != 0;
    mbedtls_md_free(&ctx);
    size_t len = mbedtls_md_get_size(info);
    for (size_t i = 0; i < len; i++)
        snprintf(out + 2 * i, 3, "%02x", h[i]);
    certslot_zeroize(h, sizeof(h));
    return ret ? CERTSLOT_ERR_UNSUPPORTED : 0;
}

int certslot_http_digest_line(const certslot_http_auth_t *a, const char *user, const char *password,
                              const char *method, const char *uri, const char *cnonce, char *out, size_t size)
{
    char ha1[2 * MBEDTLS_MD_MAX_SIZE + 1], ha2[sizeof(ha1)], resp[sizeof(ha1)];
    const char *nc = "00000001";
    int ret;

    if (certslot_text_has_ctl(user, strlen(user)) || strchr(user, '"') != NULL || strchr(user, '\\') != NULL)
        return CERTSLOT_ERR_VALUE;
    const char *p1[] = {user, a->digest.realm, password};
    if ((ret = hash_hex(a->digest.md, p1, 3, ha1)) != 0)
        return ret;
    if (a->digest.sess) {
        const char *ps[] = {ha1, a->digest.nonce, cnonce};
        char tmp[sizeof(ha1)];
        if ((ret = hash_hex(a->digest.md, ps, 3, tmp)) != 0)
            return ret;
        memcpy(ha1, tmp, sizeof(ha1));
    }
    const char *p2[] = {method, uri};
    if ((ret = hash_hex(a->digest.md, p2, 2, ha2)) != 0)
        return ret;
    if (a->digest.qop) {
        const char *pr[] = {ha1, a->digest.nonce, nc, cnonce, "auth", ha2};
        ret = hash_hex(a->digest.md, pr, 6, resp);
    } else { /* RFC 2069 */
        const char *pr[] = {ha1, a->digest.nonce, ha2};
        ret = hash_hex(a->digest.md, pr, 3, resp);
    }
    certslot_zeroize(ha1, sizeof(ha1));
    if (ret != 0)
        return ret;
    int n = snprintf(out, size, "Authorization: Digest username=\"%s\", realm=\"%s\", nonce=\"%s\", uri=\"%s\", "
                                "response=\"%s\"",
                     user, a->digest.realm, a->digest.nonce, uri, resp);
    if (a->digest.algorithm[0] != '\0')
        n += snprintf(out + n, size - (size_t)n, ", algorithm=%s", a->digest.algorithm);
    if (a->digest.qop)
        n += snprintf(out + n, size - (size_t)n, ", qop=auth, nc=%s, cnonce=\"%s\"", nc, cnonce);
    if (a->digest.has_opaque)
        n += snprintf(out + n, size - (size_t)n, ", opaque=\"%s\"", a->digest.opaque);
    n += snprintf(out + n, size - (size_t)n, "\r\n");
    return (size_t)n < size ? 0 : CERTSLOT_ERR_LIMIT;
}

int certslot_http_basic_line(const char *user, const char *password, char *out, size_t size)
{
    char cred[2 * CERTSLOT_URL_MAX_CRED + 2];
    unsigned char b64[4 * sizeof(cred) / 3 + 8];
    size_t b64_len = 0;

    int c = snprintf(cred, sizeof(cred), "%s:%s", user, password);
    int ret = mbedtls_base64_encode(b64, sizeof(b64), &b64_len, (const unsigned char *)cred, (size_t)c);
    certslot_zeroize(cred, sizeof(cred));
    if (ret == 0 && (size_t)snprintf(out, size, "Authorization: Basic %.*s\r\n", (int)b64_len, b64) >= size)
        ret = -1;
    certslot_zeroize(b64, sizeof(b64));
    return ret == 0 ? 0 : CERTSLOT_ERR_LIMIT;
}
