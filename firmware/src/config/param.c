/*
 * The parameter registry: its table, name lookup, canonical names and
 * did-you-mean (the value checks are param_check.c).
 */
#include "certslot/param.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "certslot/error.h"
#include "config/param_internal.h"
#include "core/internal.h"

/*
 * The registry: the patterns and defaults in one constant (a family's are
 * offsets into it, so they need no pointers and the linker no relocations),
 * and a row per family (12 bytes on ARM). The values stay string literals:
 * several families share the same list, which the linker then keeps once.
 */
static const struct fam_text {
#define X(id, pat, n1, n2, type, values, def, flags, help) \
    char id##_pat[sizeof(pat)];                            \
    char id##_def[sizeof(def)];
    CERTSLOT_PARAM_FAMILIES(X)
#undef X
} fam_text = {
#define X(id, pat, n1, n2, type, values, def, flags, help) pat, def,
    CERTSLOT_PARAM_FAMILIES(X)
#undef X
};

typedef struct {
    const char *values;    /* "A|B|C", NULL for a type without */
    uint16_t pattern, def; /* offsets into fam_text */
    uint8_t n1, n2, type, flags;
} fam_t;

#define TEXT_AT(off) ((const char *)&fam_text + (off))
static const fam_t families[CERTSLOT_FAM_COUNT] = {
#define X(id, pat, n1, n2, type, values, def, flags, help)                                                   \
    {sizeof(values) > 1 ? values : NULL, offsetof(struct fam_text, id##_pat), offsetof(struct fam_text, id##_def), \
     n1, n2, type, flags},
    CERTSLOT_PARAM_FAMILIES(X)
#undef X
};
_Static_assert(sizeof(fam_text) <= UINT16_MAX, "the registry's strings need wider offsets");
#define X(id, pat, n1, n2, type, values, def, flags, help) \
    _Static_assert((n1) <= UINT8_MAX && (n2) <= UINT8_MAX && (flags) <= UINT8_MAX, "a registry row's field overflows");
CERTSLOT_PARAM_FAMILIES(X)
#undef X

static const uint16_t family_first[CERTSLOT_FAM_COUNT + 1] = {
#define X(id, pat, n1, n2, type, values, def, flags, help) CERTSLOT_P_##id,
    CERTSLOT_PARAM_FAMILIES(X)
#undef X
        CERTSLOT_PARAM_COUNT};
_Static_assert(CERTSLOT_PARAM_COUNT <= UINT16_MAX, "parameter numbers need a wider family_first");

int certslot_family_info(certslot_family_t fam, certslot_family_info_t *info)
{
    if ((unsigned)fam >= CERTSLOT_FAM_COUNT)
        return CERTSLOT_ERR_ARG;
    const fam_t *f = &families[fam];
    info->pattern = TEXT_AT(f->pattern);
    info->n1 = f->n1;
    info->n2 = f->n2;
    info->type = (certslot_type_t)f->type;
    info->values = f->values;
    info->def = TEXT_AT(f->def);
    info->flags = f->flags;
    return 0;
}

certslot_type_t cs_family_type(certslot_family_t fam)
{
    return (certslot_type_t)families[fam].type;
}

unsigned cs_family_flags(certslot_family_t fam)
{
    return families[fam].flags;
}

const char *cs_family_values(certslot_family_t fam)
{
    return families[fam].values;
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

static const fam_t *info_of(certslot_param_t p)
{
    return &families[certslot_param_family(p, NULL, NULL)];
}

void certslot_param_name(certslot_param_t p, char *buf, size_t size)
{
    unsigned i, j;
    const fam_t *f = &families[certslot_param_family(p, &i, &j)];
    size_t o = 0;
    int which = 0;

    for (const char *s = TEXT_AT(f->pattern); *s != '\0' && o + 1 < size; s++) {
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
    return strncmp(TEXT_AT(info_of(p)->pattern), "device.", 7) == 0;
}

certslot_type_t certslot_param_type(certslot_param_t p)
{
    return (certslot_type_t)info_of(p)->type;
}

const char *certslot_param_default(certslot_param_t p)
{
    return TEXT_AT(info_of(p)->def);
}

int certslot_param_is_secret(certslot_param_t p)
{
    return (info_of(p)->flags & CERTSLOT_PF_SECRET) != 0;
}

/* The number of v's lowest set bit (v != 0). */
static inline unsigned lowest_bit(uint64_t v)
{
#if defined(__GNUC__)
    return (unsigned)__builtin_ctzll(v);
#else
    unsigned n = 0;
    while ((v & 1u) == 0)
        v >>= 1, n++;
    return n;
#endif
}

/* Where the first (in memory order) of the bytes flagged in mask is, and a mask of the bytes before it. */
static inline unsigned first_byte(uint64_t mask)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    return (unsigned)__builtin_clzll(mask) / 8;
#else
    return lowest_bit(mask) / 8;
#endif
}

static inline uint64_t bytes_before(unsigned k)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    return k == 0 ? 0 : ~(~(uint64_t)0 >> (8 * k));
#else
    return ((uint64_t)1 << (8 * k)) - 1;
#endif
}

/*
 * Matches name against a family pattern, case-insensitively, from byte skip
 * on (the caller compared those). A %u matches 1 to 2 decimal digits without
 * a leading zero, within the family's range. Returns the number of name bytes
 * consumed, or 0 when it does not match.
 */
static size_t match_pattern(const fam_t *f, size_t patlen, size_t skip, const char *name, size_t len,
                            unsigned idx[2])
{
    const uint64_t ones = 0x0101010101010101u, high = 0x8080808080808080u, fold = 0x20 * ones;
    const char *pat = TEXT_AT(f->pattern);
    size_t o = skip, s = skip;
    int which = 0;

    idx[0] = idx[1] = 1;
    while (s < patlen) {
        if (s + 8 <= patlen && o + 8 <= len) { /* eight bytes a step, up to the next %u */
            uint64_t a, b;
            memcpy(&a, name + o, 8);
            memcpy(&b, pat + s, 8);
            uint64_t pct = b ^ (0x25 * ones);
            uint64_t at = ~((((pct & ~high) + ~high) | pct) & high) & high; /* high bit: the byte is a '%' */
            uint64_t diff = (a | fold) ^ (b | fold);
            if (at == 0) {
                if (diff != 0)
                    return 0;
                o += 8, s += 8;
                continue;
            }
            unsigned k = first_byte(at); /* the bytes before the first '%' */
            if ((diff & bytes_before(k)) != 0)
                return 0;
            o += k, s += k;
        }
        if (pat[s] == '%' && pat[s + 1] == 'u') {
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
            s += 2;
        } else if (o >= len || (name[o] | 0x20) != (pat[s] | 0x20)) { /* patterns: letters, digits, '.' */
            return 0;
        } else {
            o++, s++;
        }
    }
    return o;
}

/*
 * Every family pattern starts with one of these (case-insensitively), or is
 * "device.set" itself, so a name that does neither is no parameter: one check
 * instead of trying every family. (A new family outside them must extend the
 * list, and near_prefixes below.)
 */
enum { NS_NONE = -1, NS_DEVICE_SEC, NS_DEVICE_PROV, NS_SEC, NS_DEVICE_SET };
#define NS_DEVICE_SEC_TEXT "device.sec."
#define NS_DEVICE_PROV_TEXT "device.prov."
#define NS_SEC_TEXT "sec.tls."
#define NS_DEVICE_SET_TEXT "device.set"
static const uint8_t ns_len[] = {sizeof(NS_DEVICE_SEC_TEXT) - 1, sizeof(NS_DEVICE_PROV_TEXT) - 1,
                                 sizeof(NS_SEC_TEXT) - 1, sizeof(NS_DEVICE_SET_TEXT) - 1};

/*
 * 1 when name starts with lit (lower case: letters, digits and '.') in any
 * case. | 0x20 folds a letter's case, and changes no byte a pattern holds
 * into another (it would only fold control bytes, which XML names cannot
 * hold, into '.' or digits).
 */
static inline int starts_ci(const char *name, const char *lit, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if ((name[i] | 0x20) != lit[i])
            return 0;
    return 1;
}

/* name's first 8 bytes, letters in lower case (| 0x20, as starts_ci), and the same of an 8-byte literal. */
static inline uint64_t word_ci(const char *name)
{
    uint64_t w;
    memcpy(&w, name, 8);
    return w | 0x2020202020202020u;
}

/* Which namespace name starts with (device.set: is), or NS_NONE; by its first bytes, a word at a time. */
static int namespace_of(const char *name, size_t len)
{
    if (len < 8)
        return NS_NONE;
    uint64_t w = word_ci(name);
    if (w == word_ci("sec.tls."))
        return NS_SEC;
    if (len < 10) /* "device.set", the shortest of the others */
        return NS_NONE;
    if (w == word_ci("device.s")) {
        if (starts_ci(name + 8, "ec.", 3))
            return len >= 11 ? NS_DEVICE_SEC : NS_NONE;
        return len == 10 && starts_ci(name + 8, "et", 2) ? NS_DEVICE_SET : NS_NONE;
    }
    return w == word_ci("device.p") && len >= 12 && starts_ci(name + 8, "rov.", 4) ? NS_DEVICE_PROV : NS_NONE;
}

int certslot_param_in_namespace(const char *name, size_t len)
{
    return namespace_of(name, len) != NS_NONE;
}

#define X(id, pat, n1, n2, type, values, def, flags, help) _Static_assert(sizeof(pat) <= 65, "pattern too long: " pat);
CERTSLOT_PARAM_FAMILIES(X)
#undef X

/*
 * Per family, worked out at compile time from its pattern: the pattern's
 * length and its number of %u. A name of len bytes can match only when
 * patlen - nidx <= len <= patlen (each %u stands for one or two digits); a
 * family has a %u for each index whose range exceeds 1 (the registry test
 * looks every name up). SHAPE_NS: its namespace (whose prefix lookup need
 * not compare again).
 */
#define SHAPE_NS(pat)                                                                                            \
    ((pat)[0] == 's' ? NS_SEC : (pat)[7] == 'p' ? NS_DEVICE_PROV : (pat)[9] == 'c' ? NS_DEVICE_SEC : NS_DEVICE_SET)
static const struct {
    uint8_t patlen, nidx;
} shapes[CERTSLOT_FAM_COUNT] = {
#define X(id, pat, n1, n2, type, values, def, flags, help) {sizeof(pat) - 1, ((n1) > 1) + ((n2) > 1)},
    CERTSLOT_PARAM_FAMILIES(X)
#undef X
};

/* The families of the same namespace, as bits. */
#define IN_NS(ns, id, pat) | ((uint64_t)(SHAPE_NS(pat) == (ns)) << CERTSLOT_FAM_##id)
#define XN0(id, pat, ...) IN_NS(NS_DEVICE_SEC, id, pat)
#define XN1(id, pat, ...) IN_NS(NS_DEVICE_PROV, id, pat)
#define XN2(id, pat, ...) IN_NS(NS_SEC, id, pat)
#define XN3(id, pat, ...) IN_NS(NS_DEVICE_SET, id, pat)
static const uint64_t ns_fams[4] = {
    0 CERTSLOT_PARAM_FAMILIES(XN0), 0 CERTSLOT_PARAM_FAMILIES(XN1),
    0 CERTSLOT_PARAM_FAMILIES(XN2), 0 CERTSLOT_PARAM_FAMILIES(XN3),
};

/*
 * The families whose names can be L bytes long (patlen - nidx <= L <=
 * patlen), as bits, in two tables: by L's low three bits and by the rest.
 * Both masks together leave the one to three families of that length.
 */
#define LEN_HAS(pat, n1, n2, sel, b)                                                                              \
    (sel(sizeof(pat) - 1) == (b) || (((n1) > 1 || (n2) > 1) && sel(sizeof(pat) - 2) == (b)) ||                    \
     ((n1) > 1 && (n2) > 1 && sel(sizeof(pat) - 3) == (b)))
#define LOW3(l) ((l) & 7u)
#define HIGH3(l) ((l) >> 3)
#define IN_LEN(sel, b, id, pat, n1, n2) | ((uint64_t)LEN_HAS(pat, n1, n2, sel, b) << CERTSLOT_FAM_##id)
#define XL0(id, pat, n1, n2, ...) IN_LEN(LOW3, 0u, id, pat, n1, n2)
#define XL1(id, pat, n1, n2, ...) IN_LEN(LOW3, 1u, id, pat, n1, n2)
#define XL2(id, pat, n1, n2, ...) IN_LEN(LOW3, 2u, id, pat, n1, n2)
#define XL3(id, pat, n1, n2, ...) IN_LEN(LOW3, 3u, id, pat, n1, n2)
#define XL4(id, pat, n1, n2, ...) IN_LEN(LOW3, 4u, id, pat, n1, n2)
#define XL5(id, pat, n1, n2, ...) IN_LEN(LOW3, 5u, id, pat, n1, n2)
#define XL6(id, pat, n1, n2, ...) IN_LEN(LOW3, 6u, id, pat, n1, n2)
#define XL7(id, pat, n1, n2, ...) IN_LEN(LOW3, 7u, id, pat, n1, n2)
#define XH0(id, pat, n1, n2, ...) IN_LEN(HIGH3, 0u, id, pat, n1, n2)
#define XH1(id, pat, n1, n2, ...) IN_LEN(HIGH3, 1u, id, pat, n1, n2)
#define XH2(id, pat, n1, n2, ...) IN_LEN(HIGH3, 2u, id, pat, n1, n2)
#define XH3(id, pat, n1, n2, ...) IN_LEN(HIGH3, 3u, id, pat, n1, n2)
#define XH4(id, pat, n1, n2, ...) IN_LEN(HIGH3, 4u, id, pat, n1, n2)
#define XH5(id, pat, n1, n2, ...) IN_LEN(HIGH3, 5u, id, pat, n1, n2)
#define XH6(id, pat, n1, n2, ...) IN_LEN(HIGH3, 6u, id, pat, n1, n2)
#define XH7(id, pat, n1, n2, ...) IN_LEN(HIGH3, 7u, id, pat, n1, n2)
#define XH8(id, pat, n1, n2, ...) IN_LEN(HIGH3, 8u, id, pat, n1, n2)
#define LENS(x) (0 CERTSLOT_PARAM_FAMILIES(x))
static const uint64_t len_low[8] = {LENS(XL0), LENS(XL1), LENS(XL2), LENS(XL3),
                                    LENS(XL4), LENS(XL5), LENS(XL6), LENS(XL7)};
static const uint64_t len_high[9] = {LENS(XH0), LENS(XH1), LENS(XH2), LENS(XH3), LENS(XH4),
                                     LENS(XH5), LENS(XH6), LENS(XH7), LENS(XH8)};
#undef LENS

/*
 * And by the low three bits of the last character that is not an index's
 * digit (no pattern ends in a literal digit: the registry test, which looks
 * every name up, would fail): the families left are then nearly always one.
 */
#define LAST_CHAR(pat)                                                                                           \
    ((unsigned)(pat)[sizeof(pat) >= 3 && (pat)[sizeof(pat) >= 3 ? sizeof(pat) - 3 : 0] == '%'                      \
                         ? sizeof(pat) - 4                                                                       \
                         : sizeof(pat) - 2] |                                                                    \
     0x20u)
#define IN_LAST(b, id, pat) | ((uint64_t)((LAST_CHAR(pat) & 7u) == (b)) << CERTSLOT_FAM_##id)
#define XE0(id, pat, ...) IN_LAST(0u, id, pat)
#define XE1(id, pat, ...) IN_LAST(1u, id, pat)
#define XE2(id, pat, ...) IN_LAST(2u, id, pat)
#define XE3(id, pat, ...) IN_LAST(3u, id, pat)
#define XE4(id, pat, ...) IN_LAST(4u, id, pat)
#define XE5(id, pat, ...) IN_LAST(5u, id, pat)
#define XE6(id, pat, ...) IN_LAST(6u, id, pat)
#define XE7(id, pat, ...) IN_LAST(7u, id, pat)
#define LASTS(x) (0 CERTSLOT_PARAM_FAMILIES(x))
static const uint64_t last_fams[8] = {LASTS(XE0), LASTS(XE1), LASTS(XE2), LASTS(XE3),
                                      LASTS(XE4), LASTS(XE5), LASTS(XE6), LASTS(XE7)};
#undef LASTS

/* The families of namespace ns whose names can be name's first len bytes. */
static inline uint64_t candidates(int ns, const char *name, size_t len)
{
    size_t i = len;
    while (i > len - 2 && i > 1 && name[i - 1] >= '0' && name[i - 1] <= '9') /* an index: one or two digits */
        i--;
    return len <= 64 ? ns_fams[ns] & len_low[len & 7u] & len_high[len >> 3] & last_fams[(name[i - 1] | 0x20) & 7]
                     : 0;
}

certslot_param_t certslot_param_lookup(const char *name, size_t len, int *is_set_companion)
{
    certslot_family_t fam;
    return cs_param_lookup(name, len, is_set_companion, &fam);
}

certslot_param_t cs_param_lookup(const char *name, size_t len, int *is_set_companion, certslot_family_t *family)
{
    int ns = namespace_of(name, len);
    if (ns == NS_NONE)
        return -1;
    /* A device.* name ending in ".set" is a companion first: its parameter's name is 4 bytes shorter. */
    int dotset = ns != NS_SEC && ns != NS_DEVICE_SET && len > 4 && starts_ci(name + len - 4, ".set", 4);
    for (int companion = dotset; companion >= 0; companion--) {
        size_t want = companion ? len - 4 : len;
        for (uint64_t cand = candidates(ns, name, want); cand != 0; cand &= cand - 1) {
            unsigned fam = lowest_bit(cand), idx[2];
            const fam_t *f = &families[fam];
            size_t hi = shapes[fam].patlen, lo = hi - shapes[fam].nidx;
            if (want < lo || want > hi || match_pattern(f, hi, ns_len[ns], name, want, idx) != want)
                continue;
            if (is_set_companion != NULL)
                *is_set_companion = companion;
            *family = (certslot_family_t)fam;
            return family_first[fam] + (certslot_param_t)((idx[0] - 1) * f->n2 + idx[1] - 1);
        }
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
        /* Only names whose length is within limit of len can be within limit edits of it. */
        certslot_family_t fam = certslot_param_family(p, NULL, NULL);
        size_t hi = shapes[fam].patlen + (forms == 2 ? 4 : 0), lo = shapes[fam].patlen - shapes[fam].nidx;
        if (len + limit < lo || len > hi + limit) {
            p = family_first[fam + 1] - 1; /* the family's other names have the same lengths */
            continue;
        }
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
