/*
 * Cipher lists: OpenSSL's syntax and semantics on mbedTLS's suites, checked
 * against OpenSSL itself (`openssl ciphers -V`, run at test time) and rule
 * by rule.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <mbedtls/version.h>
#include <mbedtls/ssl.h>
#include <mbedtls/ssl_ciphersuites.h>

#include "certslot/ciphers.h"
#include "certslot/error.h"
#include "testutil.h"

#define MAXS 400

/* Suites in an order, with OpenSSL's names when they came from OpenSSL. */
typedef struct {
    size_t n;
    int id[MAXS];
    char name[MAXS][64];
} list_t;

static list_t mbed_all; /* what mbedTLS offers, in its order */
static list_t ossl_all; /* what OpenSSL knows for TLS <= 1.2: "ALL:COMPLEMENTOFALL" */

static const char *mbed_name(int id)
{
    const mbedtls_ssl_ciphersuite_t *info = mbedtls_ssl_ciphersuite_from_id(id);
    if (info == NULL)
        return "?";
    return mbedtls_ssl_ciphersuite_get_name(info);
}

static int find(const list_t *l, int id)
{
    for (size_t i = 0; i < l->n; i++)
        if (l->id[i] == id)
            return (int)i;
    return -1;
}

/* A suite's name for messages: OpenSSL's when it has one. */
static const char *show(int id)
{
    int i = find(&ossl_all, id);
    return i >= 0 ? ossl_all.name[i] : mbed_name(id);
}

/* The TLS <= 1.2 suites `openssl ciphers -V list` selects, in its order
 * (empty when OpenSSL rejects the list or selects nothing). */
static void openssl_select(const char *list, list_t *out)
{
    char cmd[1200], line[256], name[64], proto[16];
    unsigned hi, lo;

    assert_null(strchr(list, '\''));
    snprintf(cmd, sizeof(cmd), "openssl ciphers -V '%s' 2>/dev/null", list);
    FILE *f = popen(cmd, "r");
    assert_non_null(f);
    out->n = 0;
    while (fgets(line, sizeof(line), f) != NULL) {
        if (sscanf(line, " 0x%x,0x%x - %63s %15s", &hi, &lo, name, proto) != 4 || strcmp(proto, "TLSv1.3") == 0)
            continue;
        assert_true(out->n < MAXS);
        out->id[out->n] = (int)(hi << 8 | lo);
        snprintf(out->name[out->n], sizeof(out->name[0]), "%s", name);
        out->n++;
    }
    pclose(f);
}

static int setup(void **state)
{
    (void)state;
    const int *l = mbedtls_ssl_list_ciphersuites();
    for (mbed_all.n = 0; l[mbed_all.n] != 0; mbed_all.n++)
        mbed_all.id[mbed_all.n] = l[mbed_all.n];
    return 0;
}

/* Fails with a clear message when OpenSSL is not there to compare with. */
static void need_openssl(void)
{
    char line[128] = "";
    FILE *f = popen("openssl version 2>/dev/null", "r");
    if (f == NULL || fgets(line, sizeof(line), f) == NULL || strncmp(line, "OpenSSL", 7) != 0) {
        if (f != NULL)
            pclose(f);
        fail_msg("the `openssl` command is needed to compare cipher lists with OpenSSL: run tools/deps.sh");
    }
    pclose(f);
    if (ossl_all.n == 0)
        openssl_select("ALL:COMPLEMENTOFALL", &ossl_all);
    assert_true(ossl_all.n > 0);
}

/* Our selection for list (empty when it leaves no suite). */
static void our_select(const char *list, list_t *out)
{
    int ids[MAXS];
    char why[160] = "";
    int ret = certslot_ciphers_map(list, ids, MAXS, why, sizeof(why));
    out->n = 0;
    if (ret == CERTSLOT_ERR_VALUE && strstr(why, "no cipher suite") != NULL)
        return;
    if (ret <= 0)
        fail_msg("\"%s\": %d (%s)", list, ret, why);
    for (int i = 0; i < ret; i++) {
        out->id[out->n] = ids[i];
        snprintf(out->name[out->n], sizeof(out->name[0]), "%s", show(ids[i]));
        out->n++;
    }
    assert_int_equal(ids[ret], 0);
}

/* Keeps the suites both libraries have. */
static void common_only(list_t *l)
{
    size_t k = 0;
    for (size_t i = 0; i < l->n; i++)
        if (find(&mbed_all, l->id[i]) >= 0 && find(&ossl_all, l->id[i]) >= 0) {
            l->id[k] = l->id[i];
            memmove(l->name[k], l->name[i], sizeof(l->name[0]));
            k++;
        }
    l->n = k;
}

static void print_list(const char *who, const list_t *l)
{
    fprintf(stderr, "  %s (%zu):", who, l->n);
    for (size_t i = 0; i < l->n; i++)
        fprintf(stderr, " %s", show(l->id[i]));
    fprintf(stderr, "\n");
}

/*
 * Compares our selection with OpenSSL's on the suites both libraries have:
 * the same set, and the same order for every two suites whose order both
 * libraries' starting lists agree on (every two, when strict: the list
 * names its suites one by one). Returns the number of common suites.
 */
static size_t compare_with_openssl(const char *list, int strict)
{
    list_t *ours = calloc(1, sizeof(*ours)), *theirs = calloc(1, sizeof(*theirs));
    int bad = 0;

    assert_non_null(ours);
    assert_non_null(theirs);
    our_select(list, ours);
    openssl_select(list, theirs);
    common_only(ours);
    common_only(theirs);

    for (size_t i = 0; i < ours->n; i++)
        if (find(theirs, ours->id[i]) < 0) {
            fprintf(stderr, "\"%s\": we select %s, OpenSSL does not\n", list, show(ours->id[i]));
            bad = 1;
        }
    for (size_t i = 0; i < theirs->n; i++)
        if (find(ours, theirs->id[i]) < 0) {
            fprintf(stderr, "\"%s\": OpenSSL selects %s, we do not\n", list, show(theirs->id[i]));
            bad = 1;
        }
    for (size_t i = 0; i < ours->n && !bad; i++)
        for (size_t j = i + 1; j < ours->n && !bad; j++) {
            int a = ours->id[i], b = ours->id[j];
            if (find(theirs, a) < find(theirs, b))
                continue;
            int base_agrees = (find(&mbed_all, a) < find(&mbed_all, b)) == (find(&ossl_all, a) < find(&ossl_all, b));
            if (strict || base_agrees) {
                fprintf(stderr, "\"%s\": we put %s before %s, OpenSSL after\n", list, show(a), show(b));
                bad = 1;
            }
        }
    if (bad) {
        print_list("ours   ", ours);
        print_list("OpenSSL", theirs);
        fail_msg("\"%s\" selects differently from OpenSSL (details above)", list);
    }
    size_t n = ours->n;
    free(ours);
    free(theirs);
    return n;
}

/* ---- against OpenSSL ---- */

static void test_suite_names_translate(void **state)
{
    (void)state;
    int ids[4];
    char why[160], iana[80];
    size_t both = 0;

    need_openssl();
    for (size_t i = 0; i < ossl_all.n; i++) {
        if (find(&mbed_all, ossl_all.id[i]) < 0)
            continue;
        int ret = certslot_ciphers_map(ossl_all.name[i], ids, 4, why, sizeof(why));
        if (ret != 1 || ids[0] != ossl_all.id[i])
            fail_msg("OpenSSL's %s is %s, but maps to %d suites (first %s): %s", ossl_all.name[i],
                     mbed_name(ossl_all.id[i]), ret, ret > 0 ? mbed_name(ids[0]) : "-", why);
        both++;
    }
    /* certslot's mbedTLS configuration (firmware/mbedtls/) has 27 TLS 1.2 suites; each has an OpenSSL name. */
    assert_true(both >= 25);
    for (size_t i = 0; i < mbed_all.n; i++) {
        if ((mbed_all.id[i] >> 8) == 0x13)
            continue; /* TLS 1.3 suites: not what an OpenSSL cipher list governs */
        const char *name = mbed_name(mbed_all.id[i]);
        assert_int_equal(certslot_ciphers_map(name, ids, 4, why, sizeof(why)), 1);
        assert_int_equal(ids[0], mbed_all.id[i]);
        snprintf(iana, sizeof(iana), "%s", name);
        for (char *c = iana; *c != '\0'; c++)
            if (*c == '-')
                *c = '_';
        assert_int_equal(certslot_ciphers_map(iana, ids, 4, why, sizeof(why)), 1);
        assert_int_equal(ids[0], mbed_all.id[i]);
    }
}

static void test_categories_match_openssl(void **state)
{
    (void)state;
    static const char *const cats[] = {
        "ALL", "COMPLEMENTOFALL", "DEFAULT", "COMPLEMENTOFDEFAULT", "HIGH", "MEDIUM", "LOW", "EXP", "EXPORT",
        "NULL", "eNULL", "aNULL", "kRSA", "RSA", "aRSA", "kECDHE", "kEECDH", "ECDHE", "EECDH", "AECDH", "ECDH",
        "kDHE", "kEDH", "DHE", "EDH", "ADH", "aECDSA", "ECDSA", "PSK", "kPSK", "aPSK", "kDHEPSK", "kECDHEPSK",
        "kRSAPSK", "AES", "AES128", "AES256", "AESGCM", "AESCCM", "AESCCM8", "CHACHA20", "CAMELLIA",
        "CAMELLIA128", "CAMELLIA256", "ARIA", "ARIA128", "ARIA256", "ARIAGCM", "3DES", "DES", "RC4", "MD5",
        "SHA1", "SHA", "SHA256", "SHA384", "TLSv1.2", "TLSv1.0", "TLSv1", "SSLv3",
    };
    need_openssl();
    for (size_t i = 0; i < sizeof(cats) / sizeof(cats[0]); i++)
        compare_with_openssl(cats[i], 0);
}

static void test_real_world_lists_match_openssl(void **state)
{
    (void)state;
    static const struct {
        const char *list;
        int strict;
    } lists[] = {
        {"ALL:!aNULL:!eNULL:!MD5:!RC4:!LOW:!EXP:@STRENGTH", 0}, /* the project default */
        {"HIGH:!aNULL", 0},
        {"HIGH:!aNULL:!MD5", 0},
        {"HIGH:MEDIUM:!aNULL:!MD5:!RC4", 0},
        {"ECDHE+AESGCM", 0},
        {"EECDH+AESGCM:EDH+AESGCM", 0},
        {"EECDH+AESGCM:EDH+AESGCM:AES256+EECDH:AES256+EDH", 0},
        {"AES128-SHA:DES-CBC3-SHA", 1},
        {"kRSA:!3DES", 0},
        {"ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384", 1},
        /* Mozilla's "intermediate" configuration */
        {"ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
         "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:"
         "DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384:DHE-RSA-CHACHA20-POLY1305",
         1},
        {"ALL:-AES:+CHACHA20", 0},
        {"DEFAULT", 0},
        {"DEFAULT:!SHA1", 0},
        {"DEFAULT:CAMELLIA:ADH", 0},
        {"RSA+AES128:@STRENGTH", 0},
        {"aECDSA+CHACHA20", 0},
        {"ALL:!ADH:!LOW:!EXP:!MD5:@STRENGTH", 0},
        {"ALL:!PSK:!CAMELLIA:!ARIA:+AESCCM:-SHA1:SHA1", 0},
        {"ECDHE:!ECDSA:-AES256:AES256", 0},
        {"AES256:+AESGCM:@STRENGTH", 0},
        {"PSK:!aPSK", 0},
        {"kRSA:+AES128:-SHA256", 0},
        {"aECDSA:DEFAULT", 0}, /* DEFAULT is special only first */
        {"HIGH:!SSLv3:!TLSv1 !kRSA,!PSK", 0},
        {"AES256-SHA:AES128-SHA:ECDHE-ECDSA-AES128-CCM8:DHE-RSA-CAMELLIA256-SHA:PSK-AES128-CBC-SHA256", 1},
        {"AES128-SHA:BOGUS:AES256-SHA:RSA+NOPE", 1},
        {"AES128-SHA:AES256-SHA:-AES128-SHA:AES128-SHA", 1},
    };
    size_t compared = 0;

    need_openssl();
    for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++)
        compared += compare_with_openssl(lists[i].list, lists[i].strict);
    assert_true(compared > 300); /* 339 with certslot's mbedTLS configuration */
}

/* TLS 1.3 suite lists: what `openssl ciphers -s -tls1_3 -ciphersuites LIST` keeps, in its order, of the suites
 * the library has (OpenSSL's names are the IANA names; mbedTLS's ids are theirs). */
static void test_tls13_suite_lists_match_openssl(void **state)
{
    (void)state;
    static const char *const lists[] = {
        "TLS_AES_256_GCM_SHA384:TLS_AES_128_GCM_SHA256",
        "TLS_CHACHA20_POLY1305_SHA256",
        "TLS_FOO:TLS_AES_128_GCM_SHA256:TLS_FOO",
        "TLS_AES_128_CCM_SHA256:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_256_GCM_SHA384",
        "TLS_AES_128_GCM_SHA256:TLS_AES_128_GCM_SHA256",
    };
    static const struct {
        int id;
        const char *name;
    } names[] = {{0x1301, "TLS_AES_128_GCM_SHA256"},
                 {0x1302, "TLS_AES_256_GCM_SHA384"},
                 {0x1303, "TLS_CHACHA20_POLY1305_SHA256"},
                 {0x1304, "TLS_AES_128_CCM_SHA256"},
                 {0x1305, "TLS_AES_128_CCM_8_SHA256"}};
    int ids[8];
    char why[160], cmd[512], out[2048];

    need_openssl();
    for (size_t l = 0; l < sizeof(lists) / sizeof(lists[0]); l++) {
        snprintf(cmd, sizeof(cmd), "openssl ciphers -s -tls1_3 -ciphersuites '%s' 2>/dev/null", lists[l]);
        FILE *f = popen(cmd, "r");
        assert_non_null(f);
        size_t n = fread(out, 1, sizeof(out) - 1, f);
        out[n] = '\0';
        pclose(f);
        /* OpenSSL's TLS 1.3 names, in order, that the library has too (once each: OpenSSL repeats a repeated
         * name, certslot offers a suite once). */
        int want[8], nwant = 0;
        for (char *t = strtok(out, ":\n"); t != NULL; t = strtok(NULL, ":\n"))
            for (size_t k = 0; k < sizeof(names) / sizeof(names[0]); k++) {
                int seen = 0;
                for (int w = 0; w < nwant; w++)
                    seen |= want[w] == names[k].id;
                if (strcmp(t, names[k].name) == 0 && find(&mbed_all, names[k].id) >= 0 && !seen)
                    want[nwant++] = names[k].id;
            }
        int got = certslot_ciphers_map13(lists[l], ids, 8, why, sizeof(why));
        assert_int_equal(got, nwant);
        for (int k = 0; k < nwant; k++)
            assert_int_equal(ids[k], want[k]);
    }
    /* Nothing the library has: a value error, as OpenSSL refuses it. */
    assert_int_equal(certslot_ciphers_map13("TLS_FOO:TLS_AES_128_CCM_8_SHA256", ids, 8, why, sizeof(why)),
                     CERTSLOT_ERR_VALUE);
    assert_non_null(strstr(why, "names no TLS 1.3 suite that the TLS library offers"));
    /* Empty: every TLS 1.3 suite the library has. */
    int all = certslot_ciphers_map13("", ids, 8, why, sizeof(why));
    assert_true(all >= 3);
    for (int k = 0; k < all; k++)
        assert_int_equal(ids[k] >> 8, 0x13);
}

/* ---- the rules, one by one ---- */

#define AES128_SHA 0x002F
#define AES256_SHA 0x0035
#define AES128_GCM 0x009C

/* Maps list and checks the result is exactly the n ids that follow. */
static void expect(const char *list, size_t n, ...)
{
    int ids[MAXS];
    char why[160];
    va_list ap;

    int ret = certslot_ciphers_map(list, ids, MAXS, why, sizeof(why));
    if (ret < 0)
        fail_msg("\"%s\": %d (%s)", list, ret, why);
    assert_int_equal(ret, n);
    va_start(ap, n);
    for (size_t i = 0; i < n; i++) {
        int id = va_arg(ap, int);
        if (ids[i] != id)
            fail_msg("\"%s\": suite %zu is %s, not %s", list, i, mbed_name(ids[i]), mbed_name(id));
    }
    va_end(ap);
    assert_int_equal(ids[n], 0);
}

static void test_bang_is_permanent_minus_is_not(void **state)
{
    (void)state;
    expect("AES128-SHA:!AES128-SHA:AES128-SHA:AES256-SHA", 1, AES256_SHA);
    expect("AES128-SHA:AES256-SHA:-AES128-SHA:AES128-SHA", 2, AES256_SHA, AES128_SHA);
    expect("!AES128-SHA:ALL:-ALL:AES128-SHA:AES256-SHA", 1, AES256_SHA);
    /* What "-" removes goes to the front, so it comes back in its old order. */
    expect("AES128-SHA:AES256-SHA:-AES:AES+kRSA+SHA1", 2, AES128_SHA, AES256_SHA);
}

static void test_plus_moves_and_joins(void **state)
{
    (void)state;
    expect("AES128-SHA:AES256-SHA:AES128-GCM-SHA256:+AES128-SHA", 3, AES256_SHA, AES128_GCM, AES128_SHA);
    /* '+' only moves what is listed. */
    expect("AES256-SHA:+AES128-SHA", 1, AES256_SHA);
    /* Joined categories must all hold: ECDHE+AESGCM is mbedTLS's ECDHE AES-GCM suites, in its order. */
    int ids[MAXS], k = 0;
    char why[160];
    int n = certslot_ciphers_map("ECDHE+AESGCM", ids, MAXS, why, sizeof(why));
    assert_true(n > 0);
    for (size_t i = 0; i < mbed_all.n; i++) {
        const char *name = mbed_name(mbed_all.id[i]);
        if (strncmp(name, "TLS-ECDHE-", 10) == 0 && strstr(name, "-PSK-") == NULL && strstr(name, "-AES-") != NULL &&
            strstr(name, "-GCM-") != NULL)
            assert_int_equal(ids[k++], mbed_all.id[i]);
    }
    assert_int_equal(k, n);
}

static void test_unknown_names_match_nothing(void **state)
{
    (void)state;
    expect("BOGUS:AES128-SHA:NOPE+AES:aes256-sha:RSA+BOGUS", 1, AES128_SHA);
    expect("TLS-RSA-WITH-AES-128-CBC-SHA:TLS_RSA_WITH_AES_256_CBC_SHA", 2, AES128_SHA, AES256_SHA);
}

static void test_strength_sorts_stably(void **state)
{
    (void)state;
    expect("AES128-SHA:AES256-SHA:@STRENGTH", 2, AES256_SHA, AES128_SHA);
    expect("AES128-SHA:AES128-GCM-SHA256:AES256-SHA:@STRENGTH", 3, AES256_SHA, AES128_SHA, AES128_GCM);
    expect("AES128-SHA:AES256-SHA:@SECLEVEL=2", 2, AES128_SHA, AES256_SHA);
}

static void test_separators(void **state)
{
    (void)state;
    expect("AES128-SHA,AES256-SHA AES128-GCM-SHA256", 3, AES128_SHA, AES256_SHA, AES128_GCM);
    expect("::AES128-SHA,, :AES256-SHA:", 2, AES128_SHA, AES256_SHA);
}

static void test_empty_selection_is_a_value_error(void **state)
{
    (void)state;
    static const char *const lists[] = {"!ALL", "NULL-MD5-NOPE", "AES:!AES", "", "  ::", "+AES128-SHA",
                                        "ALL:-ALL"};
    for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
        int ids[4] = {7, 7, 7, 7};
        char why[160] = "";
        assert_int_equal(certslot_ciphers_map(lists[i], ids, 4, why, sizeof(why)), CERTSLOT_ERR_VALUE);
        if (strstr(why, "no cipher suite") == NULL)
            fail_msg("\"%s\": reason \"%s\"", lists[i], why);
        assert_int_equal(ids[0], 7); /* a failure writes nothing */
    }
}

static void test_syntax_errors(void **state)
{
    (void)state;
    static const struct {
        const char *list, *reason;
    } bad[] = {
        {"AES128-SHA:@FOO", "unknown cipher list command '@FOO'"},
        {"AES128-SHA:@strength", "unknown cipher list command"},
        {"AES128-SHA:!@STRENGTH", "unknown cipher list command"},
        {"AES128-SHA+", "incomplete"},
        {"AES+:HIGH", "incomplete"},
        {"ALL:!", "incomplete"},
        {"ALL:!a$b", "character '$' is not allowed"},
        {"ALL;HIGH", "character ';' is not allowed"},
        {"ALL:\tHIGH", "is not allowed"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        int ids[4] = {7, 7, 7, 7};
        char why[160] = "";
        assert_int_equal(certslot_ciphers_map(bad[i].list, ids, 4, why, sizeof(why)), CERTSLOT_ERR_VALUE);
        if (strstr(why, bad[i].reason) == NULL)
            fail_msg("\"%s\": reason \"%s\", expected \"%s\"", bad[i].list, why, bad[i].reason);
        assert_int_equal(ids[0], 7);
    }
}

static void test_small_buffer_keeps_the_most_preferred(void **state)
{
    (void)state;
    int ids[5] = {7, 7, 7, 7, 7};
    char why[160];
    assert_int_equal(certslot_ciphers_map("AES128-SHA:AES256-SHA:AES128-GCM-SHA256", ids, 3, why, sizeof(why)), 2);
    assert_int_equal(ids[0], AES128_SHA);
    assert_int_equal(ids[1], AES256_SHA);
    assert_int_equal(ids[2], 0);
    assert_int_equal(ids[3], 7);
    assert_int_equal(certslot_ciphers_map("ALL", ids, 2, NULL, 0), 1);
    assert_int_equal(ids[1], 0);
    /* No room for a suite, or no list: a caller bug. */
    assert_int_equal(certslot_ciphers_map("ALL", ids, 1, why, sizeof(why)), CERTSLOT_ERR_ARG);
    assert_int_equal(certslot_ciphers_map(NULL, ids, 5, why, sizeof(why)), CERTSLOT_ERR_ARG);
    assert_int_equal(certslot_ciphers_map("ALL", NULL, 5, why, sizeof(why)), CERTSLOT_ERR_ARG);
}

static void test_no_allocation(void **state)
{
    (void)state;
    int ids[MAXS];
    char why[160];
    tu_alloc_install(0);
    assert_true(certslot_ciphers_map("DEFAULT:!SHA1:+AESCCM:@STRENGTH", ids, MAXS, why, sizeof(why)) > 0);
    assert_int_equal(tu_alloc_calls(), 0);
    tu_alloc_uninstall();
}

static void test_all_is_the_library_order_without_null(void **state)
{
    (void)state;
    int ids[MAXS];
    char why[160];
    int n = certslot_ciphers_map("ALL:COMPLEMENTOFALL", ids, MAXS, why, sizeof(why)), k = 0;
    for (size_t i = 0; i < mbed_all.n; i++) {
        const char *name = mbed_name(mbed_all.id[i]);
        if (strstr(name, "-WITH-") != NULL && strstr(name, "-WITH-NULL-") == NULL)
            assert_int_equal(ids[k++], mbed_all.id[i]);
    }
    assert_true(k > 0 && k <= n);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_suite_names_translate),
        cmocka_unit_test(test_tls13_suite_lists_match_openssl),
        cmocka_unit_test(test_categories_match_openssl),
        cmocka_unit_test(test_real_world_lists_match_openssl),
        cmocka_unit_test(test_bang_is_permanent_minus_is_not),
        cmocka_unit_test(test_plus_moves_and_joins),
        cmocka_unit_test(test_unknown_names_match_nothing),
        cmocka_unit_test(test_strength_sorts_stably),
        cmocka_unit_test(test_separators),
        cmocka_unit_test(test_empty_selection_is_a_value_error),
        cmocka_unit_test(test_syntax_errors),
        cmocka_unit_test(test_small_buffer_keeps_the_most_preferred),
        cmocka_unit_test(test_no_allocation),
        cmocka_unit_test(test_all_is_the_library_order_without_null),
    };
    return cmocka_run_group_tests_name("ciphers", tests, setup, NULL);
}
