/*
 * Cipher lists: OpenSSL's cipher-string rules applied to the suites the
 * linked mbedTLS offers (mbedtls_ssl_list_ciphersuites, in its preference
 * order). A suite's attributes (key exchange, authentication, cipher, key
 * bits, MAC) and its OpenSSL name are derived from its mbedTLS name
 * ("TLS-<kx>-WITH-<cipher>[-<mac>]"); suites whose name does not parse
 * (TLS 1.3 ones among them) are never selected.
 *
 * The list is kept as OpenSSL keeps it: every suite has a place in one
 * ordering and is active, inactive or killed. Adding appends inactive
 * suites in their current order, '-' deactivates and moves to the front,
 * '+' moves active ones to the end, '!' kills. So the result agrees with
 * OpenSSL 3 whenever the two libraries' starting orders agree.
 */
#include "certslot/ciphers.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <mbedtls/version.h>
#include <mbedtls/ssl.h>
#include <mbedtls/ssl_ciphersuites.h>

#include "certslot/error.h"
#include "core/internal.h"

/* Most suites the linked library may offer (more is CERTSLOT_ERR_LIMIT). */
#define MAX_SUITES 256
/* Longest word (suite or category name) that can match anything. */
#define MAX_WORD 64

#define BIT(n) ((uint64_t)1 << (n))
/* key exchange */
#define K_RSA BIT(0)
#define K_DHE BIT(1)
#define K_ECDHE BIT(2)
#define K_ECDH BIT(3) /* static ECDH (mbedTLS only) */
#define K_PSK BIT(4)
#define K_DHEPSK BIT(5)
#define K_ECDHEPSK BIT(6)
#define K_RSAPSK BIT(7)
#define K_ECJPAKE BIT(8) /* mbedTLS only */
#define K_ANYPSK (K_PSK | K_DHEPSK | K_ECDHEPSK | K_RSAPSK)
/* authentication */
#define AU_RSA BIT(9)
#define AU_ECDSA BIT(10)
#define AU_PSK BIT(11)
#define AU_ECDH BIT(12)
#define AU_NULL BIT(13)
/* encryption: algorithm, mode, key size */
#define E_NULL BIT(14)
#define E_RC4 BIT(15)
#define E_DES BIT(16)
#define E_3DES BIT(17)
#define E_AES BIT(18)
#define E_CAMELLIA BIT(19)
#define E_ARIA BIT(20)
#define E_CHACHA20 BIT(21)
#define M_GCM BIT(22)
#define M_CCM BIT(23) /* CCM and CCM-8 */
#define M_CCM8 BIT(24)
#define B_128 BIT(25)
#define B_256 BIT(26)
/* MAC */
#define H_MD5 BIT(27)
#define H_SHA1 BIT(28)
#define H_SHA256 BIT(29)
#define H_SHA384 BIT(30)
#define H_AEAD BIT(31)
/* oldest protocol version, as OpenSSL labels the suite */
#define V_SSL3 BIT(32)
#define V_TLS1 BIT(33)
#define V_TLS12 BIT(34)
/* strength classes and OpenSSL's "not in DEFAULT" mark */
#define S_HIGH BIT(35)
#define S_MEDIUM BIT(36)
#define S_LOW BIT(37)
#define NOT_DEFAULT BIT(38)

/*
 * OpenSSL's category words: X(name, any, all, none). A suite matches when it
 * has one of any (if any), all of all and none of none. any and none are
 * indexes into the few masks they take (A_ / N_ below). The names are one
 * string and the masks arrays, so no table holds a pointer the loader would
 * relocate.
 */
enum { A_0, A_ECDH, A_PSK };
enum { N_0, N_ENULL, N_ANULL };
static const uint64_t any_masks[] = {0, K_ECDHE | K_ECDH, K_ANYPSK};
static const uint64_t none_masks[] = {0, E_NULL, AU_NULL};
#define CATEGORIES(X) \
    X("ALL", A_0, 0, N_ENULL) \
    X("COMPLEMENTOFALL", A_0, E_NULL, N_0) \
    X("COMPLEMENTOFDEFAULT", A_0, NOT_DEFAULT, N_0) \
    X("HIGH", A_0, S_HIGH, N_0) \
    X("MEDIUM", A_0, S_MEDIUM, N_0) \
    X("LOW", A_0, S_LOW, N_0) \
    X("NULL", A_0, E_NULL, N_0) \
    X("eNULL", A_0, E_NULL, N_0) \
    X("aNULL", A_0, AU_NULL, N_0) \
    X("kRSA", A_0, K_RSA, N_0) \
    X("RSA", A_0, K_RSA, N_0) \
    X("aRSA", A_0, AU_RSA, N_0) \
    X("kDHE", A_0, K_DHE, N_0) \
    X("kEDH", A_0, K_DHE, N_0) \
    X("DHE", A_0, K_DHE, N_ANULL) \
    X("EDH", A_0, K_DHE, N_ANULL) \
    X("ADH", A_0, K_DHE | AU_NULL, N_0) \
    X("kECDHE", A_0, K_ECDHE, N_0) \
    X("kEECDH", A_0, K_ECDHE, N_0) \
    X("ECDHE", A_0, K_ECDHE, N_ANULL) \
    X("EECDH", A_0, K_ECDHE, N_ANULL) \
    X("AECDH", A_0, K_ECDHE | AU_NULL, N_0) \
    X("ECDH", A_ECDH, 0, N_0) \
    X("kECDH", A_0, K_ECDH, N_0) \
    X("aECDH", A_0, AU_ECDH, N_0) \
    X("aECDSA", A_0, AU_ECDSA, N_0) \
    X("ECDSA", A_0, AU_ECDSA, N_0) \
    X("PSK", A_PSK, 0, N_0) \
    X("kPSK", A_0, K_PSK, N_0) \
    X("kDHEPSK", A_0, K_DHEPSK, N_0) \
    X("kECDHEPSK", A_0, K_ECDHEPSK, N_0) \
    X("kRSAPSK", A_0, K_RSAPSK, N_0) \
    X("aPSK", A_0, AU_PSK, N_0) \
    X("ECJPAKE", A_0, K_ECJPAKE, N_0) \
    X("AES", A_0, E_AES, N_0) \
    X("AES128", A_0, E_AES | B_128, N_0) \
    X("AES256", A_0, E_AES | B_256, N_0) \
    X("AESGCM", A_0, E_AES | M_GCM, N_0) \
    X("AESCCM", A_0, E_AES | M_CCM, N_0) \
    X("AESCCM8", A_0, E_AES | M_CCM8, N_0) \
    X("CAMELLIA", A_0, E_CAMELLIA, N_0) \
    X("CAMELLIA128", A_0, E_CAMELLIA | B_128, N_0) \
    X("CAMELLIA256", A_0, E_CAMELLIA | B_256, N_0) \
    X("ARIA", A_0, E_ARIA, N_0) \
    X("ARIA128", A_0, E_ARIA | B_128, N_0) \
    X("ARIA256", A_0, E_ARIA | B_256, N_0) \
    X("ARIAGCM", A_0, E_ARIA | M_GCM, N_0) \
    X("CHACHA20", A_0, E_CHACHA20, N_0) \
    X("3DES", A_0, E_3DES, N_0) \
    X("DES", A_0, E_DES, N_0) \
    X("RC4", A_0, E_RC4, N_0) \
    X("MD5", A_0, H_MD5, N_0) \
    X("SHA1", A_0, H_SHA1, N_0) \
    X("SHA", A_0, H_SHA1, N_0) \
    X("SHA256", A_0, H_SHA256, N_0) \
    X("SHA384", A_0, H_SHA384, N_0) \
    X("TLSv1.2", A_0, V_TLS12, N_0) \
    X("TLSv1.0", A_0, V_TLS1, N_0) \
    X("TLSv1", A_0, V_TLS1, N_0) \
    X("SSLv3", A_0, V_SSL3, N_0)

#define X(name, any, all, none) name "\0"
static const char category_names[] = CATEGORIES(X); /* each name with its terminator, in the tables' order */
#undef X
#define X(name, any, all, none) all,
static const uint64_t category_all[] = {CATEGORIES(X)};
#undef X
#define X(name, any, all, none) (uint8_t)((any) | (none) << 2),
static const uint8_t category_rule[] = {CATEGORIES(X)}; /* any | none << 2 */
#undef X

/* The key exchange part of an mbedTLS name; OpenSSL prefixes the same text
 * and a '-' (nothing for plain RSA). */
static const struct {
    const char *mbed;
    uint64_t attr;
} kxs[] = {
    {"RSA", K_RSA | AU_RSA},           {"DHE-RSA", K_DHE | AU_RSA},         {"ECDHE-RSA", K_ECDHE | AU_RSA},
    {"ECDHE-ECDSA", K_ECDHE | AU_ECDSA}, {"ECDH-RSA", K_ECDH | AU_ECDH},     {"ECDH-ECDSA", K_ECDH | AU_ECDH},
    {"PSK", K_PSK | AU_PSK},           {"DHE-PSK", K_DHEPSK | AU_PSK},      {"ECDHE-PSK", K_ECDHEPSK | AU_PSK},
    {"RSA-PSK", K_RSAPSK | AU_RSA},    {"ECJPAKE", K_ECJPAKE},
};

/* The cipher part: mbedTLS spelling, OpenSSL spelling, attributes. */
static const struct {
    const char *mbed, *ossl;
    uint64_t attr;
} encs[] = {
    {"AES-128-", "AES128", E_AES | B_128},           {"AES-256-", "AES256", E_AES | B_256},
    {"CAMELLIA-128-", "CAMELLIA128", E_CAMELLIA | B_128}, {"CAMELLIA-256-", "CAMELLIA256", E_CAMELLIA | B_256},
    {"ARIA-128-", "ARIA128", E_ARIA | B_128},        {"ARIA-256-", "ARIA256", E_ARIA | B_256},
    {"CHACHA20-POLY1305", "CHACHA20-POLY1305", E_CHACHA20 | B_256 | H_AEAD},
    {"3DES-EDE-CBC", "DES-CBC3", E_3DES},            {"RC4-128", "RC4", E_RC4 | B_128},
    {"DES-CBC", "DES-CBC", E_DES},                   {"NULL", "NULL", E_NULL},
};

/* The mode after a block cipher with a key size ("CCM-8" before "CCM"). */
static const struct {
    const char *mbed, *ossl;
    uint64_t attr;
} modes[] = {
    {"GCM", "-GCM", M_GCM | H_AEAD}, {"CCM-8", "-CCM8", M_CCM | M_CCM8 | H_AEAD}, {"CCM", "-CCM", M_CCM | H_AEAD},
    {"CBC", "", 0},
};

static const struct {
    const char *name;
    uint64_t attr;
} macs[] = {{"SHA", H_SHA1}, {"SHA256", H_SHA256}, {"SHA384", H_SHA384}, {"MD5", H_MD5}};

/* Consumes prefix from *p when *p starts with it. */
static int eat(const char **p, const char *prefix)
{
    size_t n = strlen(prefix);
    if (strncmp(*p, prefix, n) != 0)
        return 0;
    *p += n;
    return 1;
}

/* Appends s to the string in out (size bytes), cut to fit; no printf: it runs for every suite of a list. */
static void put(char *out, size_t size, const char *s)
{
    size_t len = strlen(out), n = strlen(s);

    if (len + 1 >= size)
        return;
    if (n > size - len - 1)
        n = size - len - 1;
    memcpy(out + len, s, n);
    out[len + n] = '\0';
}

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/*
 * Attributes of the suite an mbedTLS name describes, and its OpenSSL name
 * in ossl (may be NULL). Returns 0, or -1 when the name does not parse.
 */
static int describe(const char *name, uint64_t *attr, char *ossl, size_t ossl_size)
{
    const char *with = strstr(name, "-WITH-");
    const char *p, *mac;
    size_t k, e, m = 0, h = 0;
    uint64_t a;

    if (strncmp(name, "TLS-", 4) != 0 || with == NULL)
        return -1;
    for (k = 0; k < COUNT(kxs); k++)
        if (strlen(kxs[k].mbed) == (size_t)(with - name - 4) &&
            strncmp(name + 4, kxs[k].mbed, strlen(kxs[k].mbed)) == 0)
            break;
    p = with + 6;
    for (e = 0; e < COUNT(encs); e++)
        if (eat(&p, encs[e].mbed))
            break;
    if (k == COUNT(kxs) || e == COUNT(encs))
        return -1;
    a = kxs[k].attr | encs[e].attr;
    if (a & (E_AES | E_CAMELLIA | E_ARIA)) {
        while (m < COUNT(modes) && !eat(&p, modes[m].mbed))
            m++;
        if (m == COUNT(modes))
            return -1;
        a |= modes[m].attr;
    }
    mac = p;
    if (*p != '\0') {
        while (h < COUNT(macs) && !(p[0] == '-' && strcmp(p + 1, macs[h].name) == 0))
            h++;
        if (h == COUNT(macs))
            return -1;
        if (!(a & H_AEAD))
            a |= macs[h].attr;
    } else if (!(a & H_AEAD)) {
        return -1;
    }

    /* Versions, strength and DEFAULT membership as OpenSSL 3 assigns them. */
    if (a & (H_AEAD | H_SHA256 | H_SHA384))
        a |= (a & K_ANYPSK) && !(a & H_AEAD) ? V_TLS1 : V_TLS12;
    else
        a |= a & (K_ECDHE | K_ECDH | K_ECDHEPSK | K_ECJPAKE) ? V_TLS1 : V_SSL3;
    if (a & (E_AES | E_CAMELLIA | E_ARIA | E_CHACHA20))
        a |= S_HIGH;
    else if (a & (E_3DES | E_RC4))
        a |= S_MEDIUM;
    else if (a & E_DES)
        a |= S_LOW;
    if (a & (AU_NULL | E_CAMELLIA | E_ARIA | M_CCM | E_3DES | E_RC4 | E_DES | K_ECJPAKE))
        a |= NOT_DEFAULT;
    *attr = a;

    if (ossl != NULL) {
        ossl[0] = '\0';
        if (!(a & K_RSA)) {
            /* OpenSSL drops the "RSA" of ECDHE-RSA with ARIA. */
            put(ossl, ossl_size, (a & E_ARIA) && (a & K_ECDHE) && (a & AU_RSA) ? "ECDHE" : kxs[k].mbed);
            put(ossl, ossl_size, "-");
        }
        /* With PSK, OpenSSL keeps IANA's "3DES-EDE-CBC" and AES's "-CBC". */
        put(ossl, ossl_size, (a & K_ANYPSK) && (a & E_3DES) ? "3DES-EDE-CBC" : encs[e].ossl);
        if (a & (E_AES | E_CAMELLIA | E_ARIA))
            put(ossl, ossl_size, (a & K_ANYPSK) && (a & E_AES) && !(a & H_AEAD) ? "-CBC" : modes[m].ossl);
        if (!(a & (M_CCM | E_CHACHA20)))
            put(ossl, ossl_size, mac);
    }
    return 0;
}

static const char *suite_name(int id)
{
    const mbedtls_ssl_ciphersuite_t *info = mbedtls_ssl_ciphersuite_from_id(id);
    if (info == NULL)
        return "";
    return mbedtls_ssl_ciphersuite_get_name(info);
}

#define F_ACTIVE 1
#define F_KILLED 2
#define F_MATCH 4

/* The working list: suite i (in the library's order) has attr[i] and
 * flag[i]; order[] is the current order of all of them. */
typedef struct {
    const int *ids;
    size_t n;
    uint64_t attr[MAX_SUITES];
    uint8_t flag[MAX_SUITES];
    uint8_t order[MAX_SUITES];
    uint8_t tmp[MAX_SUITES];
} sel_t;

static unsigned key_bits(uint64_t a)
{
    return a & B_256 ? 256 : a & B_128 ? 128 : a & E_3DES ? 112 : a & E_DES ? 56 : 0;
}

/* Moves the F_MATCH suites to the front or the back, keeping the order
 * within both groups. */
static void move(sel_t *s, int to_front)
{
    size_t k = 0;
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < s->n; i++)
            if (((s->flag[s->order[i]] & F_MATCH) != 0) == (to_front == (pass == 0)))
                s->tmp[k++] = s->order[i];
    memcpy(s->order, s->tmp, s->n);
}

/* Applies op (0: add, '-', '+' or '!') to the F_MATCH suites, then clears F_MATCH. */
static void apply(sel_t *s, char op)
{
    for (size_t i = 0; i < s->n; i++) {
        uint8_t f = s->flag[i];
        if ((op == 0 && (f & (F_ACTIVE | F_KILLED))) || ((op == '-' || op == '+') && !(f & F_ACTIVE)))
            s->flag[i] &= (uint8_t)~F_MATCH;
    }
    move(s, op == '-');
    for (size_t i = 0; i < s->n; i++) {
        if (s->flag[i] & F_MATCH)
            s->flag[i] = op == 0 ? F_ACTIVE : op == '-' ? 0 : op == '+' ? F_ACTIVE : F_KILLED;
        s->flag[i] &= (uint8_t)~F_MATCH;
    }
}

/* Keeps F_MATCH only on the suites the word names (a category or a suite). */
static void match_word(sel_t *s, const char *w, size_t len)
{
    char word[MAX_WORD + 1], ossl[MAX_WORD];
    uint64_t a;

    size_t c = 0;
    for (const char *nm = category_names; c < COUNT(category_all); nm += strlen(nm) + 1, c++)
        if (strlen(nm) == len && strncmp(w, nm, len) == 0) {
            uint64_t any = any_masks[category_rule[c] & 3], all = category_all[c];
            uint64_t none = none_masks[category_rule[c] >> 2];
            for (size_t i = 0; i < s->n; i++)
                if ((any != 0 && !(s->attr[i] & any)) || (s->attr[i] & all) != all || (s->attr[i] & none) != 0)
                    s->flag[i] &= (uint8_t)~F_MATCH;
            return;
        }
    if (len > MAX_WORD)
        len = 0; /* too long to be a name: matches nothing */
    memcpy(word, w, len);
    word[len] = '\0';
    if (strncmp(word, "EDH-", 4) == 0) /* OpenSSL's older spelling */
        memcpy(word, "DHE-", 4);
    for (size_t i = 0; i < s->n; i++) {
        const char *name = suite_name(s->ids[i]);
        size_t j = 0;
        while (name[j] != '\0' && (name[j] == word[j] || (name[j] == '-' && word[j] == '_')))
            j++;
        int hit = len > 0 && name[j] == '\0' && word[j] == '\0';
        if (!hit && describe(name, &a, ossl, sizeof(ossl)) == 0)
            hit = strcmp(ossl, word) == 0;
        if (!hit)
            s->flag[i] &= (uint8_t)~F_MATCH;
    }
}

static int is_word_char(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
           c == '.' || c == '=';
}

static int is_sep(char c)
{
    return c == ':' || c == ',' || c == ' ';
}

/* Applies every element of list to s. Returns 0 or CERTSLOT_ERR_VALUE. */
static int apply_list(sel_t *s, const char *list, char *why, size_t why_size)
{
    const char *p = list;

    while (*p != '\0') {
        if (is_sep(*p)) {
            p++;
            continue;
        }
        const char *elem = p;
        char op = *p == '-' || *p == '+' || *p == '!' ? *p++ : 0;
        if (*p == '@') {
            const char *cmd = ++p;
            while (is_word_char(*p))
                p++;
            if ((size_t)(p - cmd) == 8 && strncmp(cmd, "STRENGTH", 8) == 0 && op == 0) {
                static const unsigned bits[] = {256, 128, 112, 56, 0};
                for (size_t b = 0; b < COUNT(bits); b++) {
                    for (size_t i = 0; i < s->n; i++)
                        if (key_bits(s->attr[i]) == bits[b])
                            s->flag[i] |= F_MATCH;
                    apply(s, '+');
                }
            } else if (!(op == 0 && strncmp(cmd, "SECLEVEL=", 9) == 0 && p - cmd == 10 && cmd[9] >= '0' &&
                         cmd[9] <= '5')) {
                snprintf(why, why_size, "unknown cipher list command '%.*s'", (int)(p - elem), elem);
                return CERTSLOT_ERR_VALUE;
            }
        } else {
            for (size_t i = 0; i < s->n; i++)
                s->flag[i] |= F_MATCH;
            for (;;) {
                const char *w = p;
                while (is_word_char(*p))
                    p++;
                if (p == w) {
                    if (*p == '\0' || *p == '+' || is_sep(*p))
                        snprintf(why, why_size, "cipher list element '%.*s' is incomplete", (int)(p - elem + 1),
                                 elem);
                    else
                        snprintf(why, why_size, "character '%c' is not allowed in a cipher list", *p);
                    return CERTSLOT_ERR_VALUE;
                }
                match_word(s, w, (size_t)(p - w));
                if (*p != '+')
                    break;
                p++;
            }
            apply(s, op);
        }
        if (*p != '\0' && !is_sep(*p)) {
            snprintf(why, why_size, "character '%c' is not allowed in a cipher list", *p);
            return CERTSLOT_ERR_VALUE;
        }
    }
    return 0;
}

/* What both mappers check first: why made writable (sink, when it is NULL), the arguments. */
static int start(const char *list, const int *ids, size_t max, char **why, size_t *why_size, char *sink)
{
    if (*why == NULL || *why_size == 0) {
        *why = sink;
        *why_size = 1;
    }
    (*why)[0] = '\0';
    if (list == NULL || ids == NULL || max < 2) {
        snprintf(*why, *why_size, "invalid argument");
        return CERTSLOT_ERR_ARG;
    }
    return 0;
}

int certslot_ciphers_map(const char *list, int *ids, size_t max, char *why, size_t why_size)
{
    static const char default_list[] = "ALL:!COMPLEMENTOFDEFAULT:!eNULL";
    char dummy[1];
    sel_t s;
    size_t count = 0;
    int ret;

    if ((ret = start(list, ids, max, &why, &why_size, dummy)) != 0)
        return ret;

    s.ids = cs_tls_lib_suites();
    for (s.n = 0; s.ids[s.n] != 0; s.n++) {
        if (s.n == MAX_SUITES) {
            snprintf(why, why_size, "the TLS library offers more than %d cipher suites", MAX_SUITES);
            return CERTSLOT_ERR_LIMIT;
        }
        s.order[s.n] = (uint8_t)s.n;
        s.attr[s.n] = 0; /* a suite describe() does not know (TLS 1.3's) has no attributes, and is killed */
        s.flag[s.n] = describe(suite_name(s.ids[s.n]), &s.attr[s.n], NULL, 0) == 0 ? 0 : F_KILLED;
    }

    /* As in OpenSSL 3, DEFAULT means something only as the first element. */
    if (strncmp(list, "DEFAULT", 7) == 0 && (list[7] == '\0' || is_sep(list[7]))) {
        ret = apply_list(&s, default_list, why, why_size);
        if (ret != 0)
            return ret;
        list += 7;
    }
    ret = apply_list(&s, list, why, why_size);
    if (ret != 0)
        return ret;

    for (size_t i = 0; i < s.n; i++)
        count += (s.flag[s.order[i]] & (F_ACTIVE | F_KILLED)) == F_ACTIVE;
    if (count == 0) {
        snprintf(why, why_size, "the cipher list leaves no cipher suite that the TLS library offers");
        return CERTSLOT_ERR_VALUE;
    }
    count = 0;
    for (size_t i = 0; i < s.n && count < max - 1; i++)
        if ((s.flag[s.order[i]] & (F_ACTIVE | F_KILLED)) == F_ACTIVE)
            ids[count++] = s.ids[s.order[i]];
    ids[count] = 0;
    return (int)count;
}

/* ---- TLS 1.3 ---- */

static const struct {
    int id;
    const char *name;
} suites13[] = {
    {0x1301, "TLS_AES_128_GCM_SHA256"},       {0x1302, "TLS_AES_256_GCM_SHA384"},
    {0x1303, "TLS_CHACHA20_POLY1305_SHA256"}, {0x1304, "TLS_AES_128_CCM_SHA256"},
    {0x1305, "TLS_AES_128_CCM_8_SHA256"},
};

/* 1 when the library offers suite id. */
static int offered(int id)
{
    for (const int *l = cs_tls_lib_suites(); *l != 0; l++)
        if (*l == id)
            return 1;
    return 0;
}

int certslot_ciphers_map13(const char *list, int *ids, size_t max, char *why, size_t why_size)
{
    char dummy[1];
    size_t count = 0;
    int ret;

    if ((ret = start(list, ids, max, &why, &why_size, dummy)) != 0)
        return ret;
    if (list[0] == '\0') {
        for (const int *l = cs_tls_lib_suites(); *l != 0 && count < max - 1; l++)
            if ((*l >> 8) == 0x13)
                ids[count++] = *l;
    }
    for (const char *c = list; *c != '\0' && count < max - 1;) {
        size_t n = strcspn(c, ":");
        for (size_t i = 0; i < sizeof(suites13) / sizeof(suites13[0]); i++) {
            int id = suites13[i].id, dup = 0;
            if (strlen(suites13[i].name) != n || strncmp(c, suites13[i].name, n) != 0 || !offered(id))
                continue;
            for (size_t k = 0; k < count; k++)
                dup |= ids[k] == id;
            if (!dup)
                ids[count++] = id;
        }
        c += n;
        if (*c == ':')
            c++;
    }
    if (count == 0) {
        snprintf(why, why_size, "the TLS 1.3 suite list names no TLS 1.3 suite that the TLS library offers");
        return CERTSLOT_ERR_VALUE;
    }
    ids[count] = 0;
    return (int)count;
}
