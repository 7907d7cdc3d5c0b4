/*
 * The parameter registry: name lookup, canonical names, value checks.
 */
#include "certslot/param.h"

#include <stdio.h>
#include <string.h>

#include "certslot/cfgcrypt.h"
#include "certslot/error.h"
#include "certslot/platform.h"
#include "certslot/url.h"
#include "core/internal.h"

static const certslot_family_info_t families[CERTSLOT_FAM_COUNT] = {
#define X(id, pat, n1, n2, type, values, def, flags, help) {pat, n1, n2, type, values, def, flags, help},
    CERTSLOT_PARAM_FAMILIES(X)
#undef X
};

static const certslot_param_t family_first[CERTSLOT_FAM_COUNT + 1] = {
#define X(id, pat, n1, n2, type, values, def, flags, help) CERTSLOT_P_##id,
    CERTSLOT_PARAM_FAMILIES(X)
#undef X
        CERTSLOT_PARAM_COUNT};

const certslot_family_info_t *certslot_family_info(certslot_family_t fam)
{
    return (unsigned)fam < CERTSLOT_FAM_COUNT ? &families[fam] : NULL;
}

unsigned certslot_family_n2(certslot_family_t fam)
{
    return families[fam].n2;
}

certslot_family_t certslot_param_family(certslot_param_t p, unsigned *index1, unsigned *index2)
{
    unsigned lo = 0, hi = CERTSLOT_FAM_COUNT;

    while (hi - lo > 1) { /* last family whose first parameter is <= p */
        unsigned mid = (lo + hi) / 2;
        if (family_first[mid] <= p)
            lo = mid;
        else
            hi = mid;
    }
    unsigned off = (unsigned)(p - family_first[lo]);
    if (index1 != NULL)
        *index1 = off / families[lo].n2 + 1;
    if (index2 != NULL)
        *index2 = off % families[lo].n2 + 1;
    return (certslot_family_t)lo;
}

static const certslot_family_info_t *info_of(certslot_param_t p)
{
    return &families[certslot_param_family(p, NULL, NULL)];
}

void certslot_param_name(certslot_param_t p, char *buf, size_t size)
{
    unsigned i, j;
    const certslot_family_info_t *f = &families[certslot_param_family(p, &i, &j)];
    size_t o = 0;
    int which = 0;

    for (const char *s = f->pattern; *s != '\0' && o + 1 < size; s++) {
        if (s[0] == '%' && s[1] == 'u') {
            int n = snprintf(buf + o, size - o, "%u", which++ == 0 ? i : j);
            o += n > 0 ? (size_t)n : 0;
            if (o >= size)
                o = size - 1;
            s++;
        } else {
            buf[o++] = *s;
        }
    }
    if (size > 0)
        buf[o] = '\0';
}

int certslot_param_is_device(certslot_param_t p)
{
    return strncmp(info_of(p)->pattern, "device.", 7) == 0;
}

certslot_type_t certslot_param_type(certslot_param_t p)
{
    return info_of(p)->type;
}

const char *certslot_param_default(certslot_param_t p)
{
    return info_of(p)->def;
}

int certslot_param_is_secret(certslot_param_t p)
{
    return (info_of(p)->flags & CERTSLOT_PF_SECRET) != 0;
}

/*
 * Matches name against a family pattern, case-insensitively. A %u matches
 * 1 to 2 decimal digits without a leading zero, within the family's range.
 * Returns the number of name bytes consumed, or 0 when it does not match.
 */
static size_t match_pattern(const certslot_family_info_t *f, const char *name, size_t len, unsigned idx[2])
{
    size_t o = 0;
    int which = 0;

    idx[0] = idx[1] = 1;
    for (const char *s = f->pattern; *s != '\0'; s++) {
        if (s[0] == '%' && s[1] == 'u') {
            unsigned v = 0, digits = 0;
            while (o < len && name[o] >= '0' && name[o] <= '9' && digits < 3) {
                if (digits == 1 && v == 0)
                    return 0;
                v = v * 10 + (unsigned)(name[o++] - '0');
                digits++;
            }
            unsigned max = which == 0 ? f->n1 : f->n2;
            if (digits == 0 || v < 1 || v > max)
                return 0;
            idx[which++] = v;
            s++;
        } else if (o >= len || cs_lower(name[o]) != cs_lower(*s)) {
            return 0;
        } else {
            o++;
        }
    }
    return o;
}

/*
 * Every family pattern starts with one of these (case-insensitively), so a
 * name that starts with none of them is no parameter: one check instead of
 * trying every family. (A new family outside them must extend the list, and
 * near_prefixes below.)
 */
static const char *const namespaces[] = {"device.se", "device.prov.", "sec.tls."};

int certslot_param_in_namespace(const char *name, size_t len)
{
    for (size_t i = 0; i < sizeof(namespaces) / sizeof(namespaces[0]); i++) {
        size_t n = strlen(namespaces[i]);
        if (len >= n && cs_ncase_equal(name, namespaces[i], n))
            return 1;
    }
    return 0;
}

certslot_param_t certslot_param_lookup(const char *name, size_t len, int *is_set_companion)
{
    if (!certslot_param_in_namespace(name, len))
        return -1;
    for (unsigned fam = 0; fam < CERTSLOT_FAM_COUNT; fam++) {
        const certslot_family_info_t *f = &families[fam];
        unsigned idx[2];
        size_t n;

        if (cs_lower(name[0]) != cs_lower(f->pattern[0]))
            continue;
        n = match_pattern(f, name, len, idx);
        if (n == 0)
            continue;
        certslot_param_t p = family_first[fam] + (certslot_param_t)((idx[0] - 1) * f->n2 + idx[1] - 1);
        int companion = 0;
        if (n != len) {
            if (fam == CERTSLOT_FAM_DEVICE_SET || strncmp(f->pattern, "device.", 7) != 0 ||
                !cs_equal_ci(name + n, len - n, ".set"))
                continue;
            companion = 1;
        }
        if (is_set_companion != NULL)
            *is_set_companion = companion;
        return p;
    }
    return -1;
}

/* Edit distance of a and b (lower-cased), or limit + 1 once it exceeds limit. */
static unsigned edit_distance(const char *a, size_t la, const char *b, size_t lb, unsigned limit)
{
    unsigned row[CERTSLOT_PARAM_NAME_MAX + 1];

    if (lb > CERTSLOT_PARAM_NAME_MAX || (la > lb ? la - lb : lb - la) > limit)
        return limit + 1;
    for (size_t j = 0; j <= lb; j++)
        row[j] = (unsigned)j;
    for (size_t i = 1; i <= la; i++) {
        unsigned diag = row[0], best;
        row[0] = (unsigned)i;
        best = row[0];
        for (size_t j = 1; j <= lb; j++) {
            unsigned up = row[j];
            unsigned cost = cs_lower(a[i - 1]) == cs_lower(b[j - 1]) ? 0 : 1;
            unsigned v = diag + cost;
            if (up + 1 < v)
                v = up + 1;
            if (row[j - 1] + 1 < v)
                v = row[j - 1] + 1;
            row[j] = v;
            diag = up;
            if (v < best)
                best = v;
        }
        if (best > limit)
            return limit + 1;
    }
    return row[lb];
}

/*
 * The literal beginnings of all parameter names (with their .set forms): every
 * name starts with one of these, lower-cased.
 */
static const char *const near_prefixes[] = {"device.set", "device.sec.tls.", "device.sec.configencryption.key",
                                             "device.prov.", "sec.tls."};
#define SUGGEST_LIMIT 2 /* most edits certslot_param_suggest accepts */

/*
 * 1 when some prefix of name is within limit edits of P: a name within limit
 * edits of a parameter name must be. Rows are name bytes, a band of columns
 * around the diagonal; *used = name bytes looked at (len + 1 when the end
 * of the name was).
 */
static int prefix_near(const char *name, size_t len, const char *p, size_t *used)
{
    enum { INF = SUGGEST_LIMIT + 1 };
    size_t lp = strlen(p);
    unsigned buf[2][40], *row = buf[0], *next = buf[1];

    if (lp >= sizeof(buf[0]) / sizeof(buf[0][0]))
        return 1; /* cannot screen: let the caller look */
    for (size_t j = 0; j <= lp; j++) {
        row[j] = j <= SUGGEST_LIMIT ? (unsigned)j : INF;
        next[j] = INF;
    }
    for (size_t i = 1;; i++) {
        if (row[lp] <= SUGGEST_LIMIT) {
            *used = i - 1;
            return 1;
        }
        if (i > len || i > lp + SUGGEST_LIMIT) {
            *used = i > len ? len + 1 : i - 1;
            return 0;
        }
        /* Only the band |i - j| <= SUGGEST_LIMIT can stay within the limit. */
        size_t lo = i > SUGGEST_LIMIT ? i - SUGGEST_LIMIT : 0, hi = i + SUGGEST_LIMIT < lp ? i + SUGGEST_LIMIT : lp;
        unsigned best = INF;
        char c = cs_lower(name[i - 1]);
        if (hi == i + SUGGEST_LIMIT)
            row[hi] = INF; /* outside the previous row's band */
        for (size_t j = lo; j <= hi; j++) {
            unsigned v;
            if (j == 0) {
                v = (unsigned)i;
            } else {
                v = row[j - 1] + (c != p[j - 1]);
                if (row[j] + 1 < v)
                    v = row[j] + 1;
                if (j > lo && next[j - 1] + 1 < v)
                    v = next[j - 1] + 1;
            }
            next[j] = v < INF ? v : INF;
            if (next[j] < best)
                best = next[j];
        }
        if (lo > 0)
            next[lo - 1] = INF;
        unsigned *t = row;
        row = next;
        next = t;
        if (best > SUGGEST_LIMIT) { /* row minima never decrease */
            *used = i;
            return 0;
        }
    }
}

int certslot_param_may_be_near(const char *name, size_t len, size_t *used)
{
    size_t most = 0;

    for (size_t k = 0; k < sizeof(near_prefixes) / sizeof(near_prefixes[0]); k++) {
        size_t u = 0;
        if (prefix_near(name, len, near_prefixes[k], &u))
            return 1;
        if (u > most)
            most = u;
    }
    if (used != NULL)
        *used = most;
    return 0;
}

int certslot_param_suggest(const char *name, char *buf, size_t size)
{
    size_t len = strlen(name);
    unsigned limit = len < 12 ? 1 : 2, best = limit + 1;
    char cand[CERTSLOT_PARAM_NAME_MAX];

    if (!certslot_param_may_be_near(name, len, NULL))
        return 0;

    for (certslot_param_t p = 0; p < CERTSLOT_PARAM_COUNT; p++) {
        int forms = certslot_param_is_device(p) && p != CERTSLOT_P_DEVICE_SET ? 2 : 1;
        certslot_param_name(p, cand, sizeof(cand) - 4);
        for (int form = 0; form < forms; form++) {
            if (form == 1)
                strcat(cand, ".set");
            unsigned d = edit_distance(name, len, cand, strlen(cand), limit);
            if (d < best) {
                best = d;
                snprintf(buf, size, "%s", cand);
            }
        }
    }
    return best <= limit;
}

size_t certslot_param_enum_name(certslot_param_t p, int num, const char **name)
{
    const char *s = info_of(p)->values;

    for (int k = 0; s != NULL; k++) {
        const char *bar = strchr(s, '|');
        size_t n = bar != NULL ? (size_t)(bar - s) : strlen(s);
        if (k == num) {
            *name = s;
            return n;
        }
        s = bar != NULL ? bar + 1 : NULL;
    }
    *name = "";
    return 0;
}

static int check_enum(const certslot_family_info_t *f, const char *t, size_t len, int *num)
{
    const char *s = f->values;
    int k = 0;

    for (; s != NULL; k++) {
        const char *bar = strchr(s, '|');
        size_t n = bar != NULL ? (size_t)(bar - s) : strlen(s);
        if (n == len && cs_ncase_equal(s, t, n)) {
            *num = k;
            return 0;
        }
        s = bar != NULL ? bar + 1 : NULL;
    }
    /* k is now the number of values. */
    if (f->type == CERTSLOT_TYPE_INDEX && len == 1 && t[0] >= '0' && t[0] - '0' < k) {
        *num = t[0] - '0';
        return 0;
    }
    return CERTSLOT_ERR_VALUE;
}

static int is_b64(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/' ||
           c == '=';
}

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Cipher list: ':', ',' or ' ' separated tokens of [A-Za-z0-9_.=+!@-]. */
/* A TLS 1.3 suite list: names of letters, digits and '_', separated by ':' (OpenSSL's -ciphersuites), or NoCipher. */
static int check_suites13(const char *t, size_t len, char *why, size_t why_size)
{
    for (size_t i = 0; i < len; i++) {
        char c = t[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == ':')) {
            snprintf(why, why_size, "character '%c' is not allowed in a TLS 1.3 suite list (names separated by ':')",
                     c);
            return CERTSLOT_ERR_VALUE;
        }
    }
    return 0;
}

static int check_ciphers(const char *t, size_t len, char *why, size_t why_size)
{
    size_t tokens = 0;

    for (size_t i = 0; i < len;) {
        while (i < len && (t[i] == ':' || t[i] == ',' || t[i] == ' '))
            i++;
        if (i == len)
            break;
        size_t start = i;
        if (t[i] == '!' || t[i] == '+' || t[i] == '-' || t[i] == '@')
            i++;
        size_t body = i;
        while (i < len && t[i] != ':' && t[i] != ',' && t[i] != ' ') {
            char c = t[i];
            if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
                  c == '-' || c == '.' || c == '=' || c == '+')) {
                snprintf(why, why_size, "character '%c' is not allowed in a cipher list", c);
                return CERTSLOT_ERR_VALUE;
            }
            i++;
        }
        if (i == body) {
            snprintf(why, why_size, "'%c' must be followed by a cipher name", t[start]);
            return CERTSLOT_ERR_VALUE;
        }
        tokens++;
    }
    if (tokens == 0) {
        snprintf(why, why_size, "cipher list names no cipher");
        return CERTSLOT_ERR_VALUE;
    }
    return 0;
}

/* Crypt=1;KeyDesc=<label>;Key=<32 hex digits>;: checked by the code that will use it. */
static int check_enckey(const char *t, size_t len, char *why, size_t why_size)
{
    certslot_cfgcrypt_key_t key;
    int ret = certslot_cfgcrypt_key_parse(&key, t, len, why, why_size);

    certslot_cfgcrypt_key_free(&key);
    return ret == 0 ? 0 : CERTSLOT_ERR_VALUE;
}

/* A provisioning server: read as the provisioning flow will read it (url.h), so its errors show at load time. */
static int check_server(const char *t, size_t len, char *why, size_t why_size)
{
    char text[CERTSLOT_URL_MAX_HOST + 2 * CERTSLOT_URL_MAX_CRED + 3 * CERTSLOT_URL_MAX_PATH + 32], reason[200];
    certslot_url_t url;
    int ret;

    if (len >= sizeof(text)) {
        snprintf(why, why_size, "longer than %u bytes", (unsigned)sizeof(text) - 1);
        return CERTSLOT_ERR_VALUE;
    }
    memcpy(text, t, len);
    text[len] = '\0';
    ret = certslot_url_is_url(text) ? certslot_url_parse(text, &url, reason, sizeof(reason))
                                    : certslot_url_parse_server(text, CERTSLOT_SCHEME_FTP, &url, reason, sizeof(reason));
    certslot_url_wipe(&url);
    certslot_zeroize(text, sizeof(text));
    if (ret != 0)
        snprintf(why, why_size, "%s", reason); /* never holds the password */
    return ret;
}

int certslot_param_check(certslot_param_t p, const char *t, size_t len, int *num, char *why, size_t why_size)
{
    const certslot_family_info_t *f = info_of(p);

    *num = 0;
    if (len == 0)
        return 0; /* empty: back to the default */
    switch (f->type) {
    case CERTSLOT_TYPE_BOOL:
        if (len == 1 && (t[0] == '0' || t[0] == '1')) {
            *num = t[0] - '0';
            return 0;
        }
        snprintf(why, why_size, "expected 0 or 1");
        return CERTSLOT_ERR_VALUE;
    case CERTSLOT_TYPE_ENUM:
    case CERTSLOT_TYPE_INDEX:
        if (check_enum(f, t, len, num) == 0)
            return 0;
        snprintf(why, why_size, "expected %s%s", f->type == CERTSLOT_TYPE_INDEX ? "a number or one of " : "one of ",
                 f->values);
        for (char *c = why; *c != '\0'; c++)
            if (*c == '|')
                *c = ',';
        return CERTSLOT_ERR_VALUE;
    case CERTSLOT_TYPE_STRING:
    case CERTSLOT_TYPE_SERVER:
        for (size_t i = 0; i < len; i++) {
            unsigned char c = (unsigned char)t[i];
            if (c < 0x20 || c == 0x7f || (f->type == CERTSLOT_TYPE_SERVER && c == ' ')) {
                snprintf(why, why_size, "%s at position %zu", c == ' ' ? "space" : "control character", i + 1);
                return CERTSLOT_ERR_VALUE;
            }
        }
        return f->type == CERTSLOT_TYPE_SERVER ? check_server(t, len, why, why_size) : 0;
    case CERTSLOT_TYPE_CERT:
    case CERTSLOT_TYPE_KEY:
        for (size_t i = 0; i < len; i++) {
            unsigned char c = (unsigned char)t[i];
            int ok = f->type == CERTSLOT_TYPE_KEY ? (c >= 0x20 && c < 0x7f) || is_space(t[i])
                                                  : is_b64(t[i]) || is_space(t[i]) || t[i] == '-';
            if (!ok) {
                snprintf(why, why_size, "character '%c' at position %zu cannot be part of a %s", t[i], i + 1,
                         f->type == CERTSLOT_TYPE_KEY ? "PEM key" : "base64 or PEM certificate");
                return CERTSLOT_ERR_VALUE;
            }
        }
        if (f->type == CERTSLOT_TYPE_KEY && (!cs_find(t, len, "-----BEGIN ") || !cs_find(t, len, "PRIVATE KEY-----"))) {
            snprintf(why, why_size, "a key must be PEM with its -----BEGIN ... PRIVATE KEY----- header kept");
            return CERTSLOT_ERR_VALUE;
        }
        return 0;
    case CERTSLOT_TYPE_CIPHERS:
        return check_ciphers(t, len, why, why_size);
    case CERTSLOT_TYPE_SUITES13:
        return check_suites13(t, len, why, why_size);
    case CERTSLOT_TYPE_ENCKEY:
        return check_enckey(t, len, why, why_size);
    }
    return CERTSLOT_ERR_VALUE;
}

int certslot_param_default_num(certslot_param_t p)
{
    char why[8];
    const char *def = certslot_param_default(p);
    int num = 0;

    (void)certslot_param_check(p, def, strlen(def), &num, why, sizeof(why));
    return num;
}
