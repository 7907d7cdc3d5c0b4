/*
 * The strict name check: every rule of name.h against certificates made
 * here with mbedTLS (deterministic EC P-256 key, subject and subjectAltName
 * encoded by hand so they can hold what a real CA should never issue).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <mbedtls/asn1write.h>
#include <mbedtls/ctr_drbg.h>
#include <mbedtls/ecp.h>
#include <mbedtls/oid.h>
#include <mbedtls/pk.h>
#include <mbedtls/version.h>
#include <mbedtls/x509_crt.h>

#include "certslot/cert.h"
#include "certslot/error.h"
#include "certslot/name.h"
#include "certslot/text.h"
#include "testutil.h"

#define WRITER_SUBJECT(w) ((w)->MBEDTLS_PRIVATE(subject))

/* ------------------------------------------------ making certificates */

/* One thing a test certificate holds: a subject CN or a subjectAltName entry. */
typedef struct {
    char kind; /* 'C': subject CN, 'S': GeneralName, 0: end of the list */
    int tag;   /* CN: ASN.1 string type; SAN: GeneralName number (2 dNSName, 7 iPAddress) */
    const char *p;
    size_t len;
} item_t;

/* String literals: the length is the literal's, NUL bytes included. */
#define CN(s) { 'C', MBEDTLS_ASN1_UTF8_STRING, s, sizeof(s) - 1 }
#define CN_AS(tag, s) { 'C', tag, s, sizeof(s) - 1 }
#define DNS(s) { 'S', 2, s, sizeof(s) - 1 }
#define IP(s) { 'S', 7, s, sizeof(s) - 1 }
#define URI(s) { 'S', 6, s, sizeof(s) - 1 }
#define END { 0, 0, NULL, 0 }

#define MAX_ITEMS 32

static mbedtls_ctr_drbg_context drbg;
static mbedtls_pk_context key;
static mbedtls_x509_crt crt;
static char why[CERTSLOT_WHY_LEN];

/* Always the same bytes: the key and signatures are the same on every run. */
static int fixed_entropy(void *ctx, unsigned char *out, size_t len)
{
    (void)ctx;
    for (size_t i = 0; i < len; i++)
        out[i] = (unsigned char)(i * 7 + 1);
    return 0;
}

static int group_setup(void **state)
{
    (void)state;
    mbedtls_ctr_drbg_init(&drbg);
    mbedtls_pk_init(&key);
    if (mbedtls_ctr_drbg_seed(&drbg, fixed_entropy, NULL, (const unsigned char *)"certslot test_name", 18) != 0 ||
        mbedtls_pk_setup(&key, mbedtls_pk_info_from_type(MBEDTLS_PK_ECKEY)) != 0 ||
        mbedtls_ecp_gen_key(MBEDTLS_ECP_DP_SECP256R1, mbedtls_pk_ec(key), mbedtls_ctr_drbg_random, &drbg) != 0)
        return -1;
    mbedtls_x509_crt_init(&crt);
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    mbedtls_x509_crt_free(&crt);
    mbedtls_pk_free(&key);
    mbedtls_ctr_drbg_free(&drbg);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    mbedtls_x509_crt_free(&crt);
    mbedtls_x509_crt_init(&crt);
    return 0;
}

#define CHK(call)                     \
    do {                              \
        int chk_ = (call);            \
        assert_true(chk_ >= 0);       \
        san_len += (size_t)chk_;      \
    } while (0)

/*
 * Makes crt a self-signed certificate whose subject is O=certslot test and
 * the CNs of items in order, with a subjectAltName of the other items in
 * order when there are any.
 */
static void mk(const item_t *items)
{
    mbedtls_x509write_cert w;
    mbedtls_asn1_named_data nodes[MAX_ITEMS + 1], *head = NULL;
    mbedtls_mpi serial;
    static unsigned char san[2048], der[4096];
    unsigned char *p = san + sizeof(san);
    size_t n = 0, nsan = 0, san_len = 0;

    for (n = 0; items[n].kind != 0; n++)
        assert_true(n < MAX_ITEMS);

    /* The writer writes the list backwards: prepending keeps the given order. */
    memset(nodes, 0, sizeof(nodes));
    nodes[0].oid.p = (unsigned char *)MBEDTLS_OID_AT_ORGANIZATION;
    nodes[0].oid.len = MBEDTLS_OID_SIZE(MBEDTLS_OID_AT_ORGANIZATION);
    nodes[0].val.tag = MBEDTLS_ASN1_UTF8_STRING;
    nodes[0].val.p = (unsigned char *)"certslot test";
    nodes[0].val.len = 13;
    head = &nodes[0];
    for (size_t i = 0; i < n; i++) {
        if (items[i].kind != 'C')
            continue;
        mbedtls_asn1_named_data *d = &nodes[i + 1];
        d->oid.p = (unsigned char *)MBEDTLS_OID_AT_CN;
        d->oid.len = MBEDTLS_OID_SIZE(MBEDTLS_OID_AT_CN);
        d->val.tag = items[i].tag;
        d->val.p = (unsigned char *)items[i].p;
        d->val.len = items[i].len;
        d->next = head;
        head = d;
    }

    for (size_t i = n; i-- > 0;) {
        if (items[i].kind != 'S')
            continue;
        CHK(mbedtls_asn1_write_raw_buffer(&p, san, (const unsigned char *)items[i].p, items[i].len));
        CHK(mbedtls_asn1_write_len(&p, san, items[i].len));
        CHK(mbedtls_asn1_write_tag(&p, san, (unsigned char)(MBEDTLS_ASN1_CONTEXT_SPECIFIC | items[i].tag)));
        nsan++;
    }
    CHK(mbedtls_asn1_write_len(&p, san, san_len));
    CHK(mbedtls_asn1_write_tag(&p, san, MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE));

    mbedtls_x509write_crt_init(&w);
    mbedtls_mpi_init(&serial);
    mbedtls_x509write_crt_set_version(&w, MBEDTLS_X509_CRT_VERSION_3);
    mbedtls_x509write_crt_set_md_alg(&w, MBEDTLS_MD_SHA256);
    mbedtls_x509write_crt_set_subject_key(&w, &key);
    mbedtls_x509write_crt_set_issuer_key(&w, &key);
    assert_int_equal(mbedtls_x509write_crt_set_issuer_name(&w, "CN=certslot test CA"), 0);
    assert_int_equal(mbedtls_mpi_lset(&serial, 1), 0);
    assert_int_equal(mbedtls_x509write_crt_set_serial_raw(&w, (unsigned char *)"\x01", 1), 0);
    assert_int_equal(mbedtls_x509write_crt_set_validity(&w, "20240101000000", "20440101000000"), 0);
    WRITER_SUBJECT(&w) = head;
    if (nsan > 0)
        assert_int_equal(mbedtls_x509write_crt_set_extension(&w, MBEDTLS_OID_SUBJECT_ALT_NAME,
                                                             MBEDTLS_OID_SIZE(MBEDTLS_OID_SUBJECT_ALT_NAME), 0, p,
                                                             san_len),
                         0);
    int len = mbedtls_x509write_crt_der(&w, der, sizeof(der), mbedtls_ctr_drbg_random, &drbg);
    WRITER_SUBJECT(&w) = NULL; /* the nodes are ours */
    mbedtls_x509write_crt_free(&w);
    mbedtls_mpi_free(&serial);
    assert_true(len > 0);

    mbedtls_x509_crt_free(&crt);
    mbedtls_x509_crt_init(&crt);
    int ret = mbedtls_x509_crt_parse_der(&crt, der + sizeof(der) - len, (size_t)len);
    if (ret != 0)
        fail_msg("the test certificate does not parse: -0x%04x", (unsigned)-ret);
}

/* ------------------------------------------------------------ checking */

static int check_n(const char *name, size_t len)
{
    memset(why, 'X', sizeof(why));
    return certslot_name_check(&crt, name, len, why, sizeof(why));
}

/* The reason is one bounded, printable line: escaping it again changes nothing. */
static void assert_why_is_a_line(void)
{
    size_t n = strnlen(why, sizeof(why));
    char again[sizeof(why)];

    assert_true(n > 0 && n < sizeof(why));
    certslot_text_escape(again, sizeof(again), why, n);
    if (strcmp(again, why) != 0)
        fail_msg("the reason holds a control byte or invalid UTF-8: %s", again);
}

static void ok_n(const char *name, size_t len)
{
    int ret = check_n(name, len);

    if (ret != 0)
        fail_msg("'%.*s' should match (%d): %s", (int)len, name, ret, why);
    assert_string_equal(why, "");
}

static void no_n(const char *name, size_t len)
{
    int ret = check_n(name, len);

    if (ret != CERTSLOT_ERR_NAME)
        fail_msg("'%.*s' should not match (%d)", (int)len, name, ret);
    assert_why_is_a_line();
}

static void ok(const char *name)
{
    ok_n(name, strlen(name));
}

static void no(const char *name)
{
    no_n(name, strlen(name));
}

/* Literal with its NUL bytes. */
#define OK_LIT(s) ok_n(s, sizeof(s) - 1)
#define NO_LIT(s) no_n(s, sizeof(s) - 1)

/* ---------------------------------------------------- host names, CN, SAN */

static void test_exact_match_on_cn(void **state)
{
    (void)state;
    mk((item_t[]){ CN("server.test"), END });
    ok("server.test");
    no("other.test");
    no("server.tes");
    no("server.test.x");
    no("erver.test");
    no("www.server.test");
}

static void test_exact_match_on_san_dns_name(void **state)
{
    (void)state;
    mk((item_t[]){ CN("unrelated.test"), DNS("www.example.com"), DNS("api.example.com"), END });
    ok("www.example.com");
    ok("api.example.com");
    ok("unrelated.test");
    no("example.com");
    no("mail.example.com");
}

static void test_cn_absent_from_present_san_still_matches(void **state)
{
    (void)state;
    mk((item_t[]){ CN("legacy.example.com"), DNS("www.example.com"), IP("\x0a\x00\x00\x01"), END });
    ok("legacy.example.com");
    ok("www.example.com");
    ok("10.0.0.1");
}

static void test_any_of_several_cns(void **state)
{
    (void)state;
    mk((item_t[]){ CN("a.example.com"), CN("b.example.com"), CN_AS(MBEDTLS_ASN1_PRINTABLE_STRING, "c.example.com"),
                   CN_AS(MBEDTLS_ASN1_IA5_STRING, "d.example.com"), CN_AS(MBEDTLS_ASN1_BMP_STRING, "e.example.com"),
                   END });
    /* The test certificate holds what was asked, in order. */
    const mbedtls_x509_name *n = crt.subject.next;
    assert_non_null(n);
    assert_int_equal(n->val.tag, MBEDTLS_ASN1_UTF8_STRING);
    assert_memory_equal(n->val.p, "a.example.com", 13);
    ok("a.example.com");
    ok("b.example.com");
    ok("c.example.com");
    ok("d.example.com");
    /* A BMPString's bytes are UCS-2, not the name's text, even when they look alike. */
    no("e.example.com");
}

static void test_ascii_case_is_ignored_other_bytes_are_exact(void **state)
{
    (void)state;
    mk((item_t[]){ CN("Mixed.Example.COM"), DNS("caf\xc3\xa9.example.com"), DNS("\xe9t\xe9.example.com"),
                   DNS("a[b].example.com"), END });
    ok("mixed.example.com");
    ok("MIXED.EXAMPLE.COM");
    ok("mIxEd.eXaMpLe.cOm");
    ok("CAF\xc3\xa9.EXAMPLE.com");
    no("caf\xc3\x89.example.com");  /* U+00C9 is not U+00E9 here: no Unicode folding */
    no("\xc9t\xc9.example.com");    /* Latin-1 bytes 0xc9/0xe9 differ by 0x20 like ASCII case */
    ok("\xe9T\xe9.EXAMPLE.COM");
    no("a{b}.example.com");         /* '[' | 0x20 == '{': no bit-twiddling folding */
    ok("A[B].example.com");
}

static void test_one_trailing_dot_on_either_side(void **state)
{
    (void)state;
    mk((item_t[]){ CN("cn.example.com"), DNS("dotted.example.com."), DNS("plain.example.com"), END });
    ok("cn.example.com.");
    ok("dotted.example.com");
    ok("dotted.example.com.");
    ok("plain.example.com.");
    ok("plain.example.com");
    no("plain.example.com..");
    no("dotted.example.com..");
    no(".plain.example.com");
    no("plain.example.co");
}

/* --------------------------------------------------------- IP literals */

static void test_ipv4_literal_against_ip_address_san(void **state)
{
    (void)state;
    mk((item_t[]){ CN("server.test"), IP("\x7f\x00\x00\x01"), IP("\xc0\xa8\x01\x0a"),
                   IP("\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02"), END });
    /* mbedTLS 2.28 keeps iPAddress entries in subject_alt_names. */
    int ips = 0;
    for (const mbedtls_x509_sequence *s = &crt.subject_alt_names; s != NULL; s = s->next)
        ips += s->buf.tag == (MBEDTLS_ASN1_CONTEXT_SPECIFIC | 7);
    assert_int_equal(ips, 3);

    ok("127.0.0.1");
    ok("192.168.1.10");
    no("127.0.0.2");
    no("192.168.1.1");
    /* The same address as 16 bytes is a different entry: an IPv6 literal needs a 16-byte one. */
    no("::ffff:127.0.0.1");
    no("::127.0.0.1");
    /* An IPv4 literal never matches a 16-byte entry, even one ending in its bytes. */
    no("0.0.0.2");
    ok("::2");
    /* Not an IP literal (a trailing dot): a host name, and no dNSName holds it. */
    no("127.0.0.1.");

    /* Entries that begin with the other family's bytes. */
    mk((item_t[]){ IP("\x7f\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"),
                   IP("\x7f\x00\x00\x02"), END });
    no("127.0.0.1");
    no("7f00:2::");
    ok("7f00:1::");
    ok("127.0.0.2");
}

static void test_ipv6_literal_in_every_text_form(void **state)
{
    (void)state;
    mk((item_t[]){ CN("server.test"), IP("\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01"),
                   IP("\x20\x01\x0d\xb8\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01"),
                   IP("\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\xff\xff\x7f\x00\x00\x01"),
                   IP("\xfe\x80\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01"), END });
    ok("::1");
    ok("0::1");
    ok("::0:1");
    ok("0:0:0:0:0:0:0:1");
    ok("0000:0000:0000:0000:0000:0000:0000:0001");
    ok("::0.0.0.1");
    ok("2001:db8::1");
    ok("2001:DB8::1");
    ok("2001:0db8:0:0::1");
    ok("2001:db8:0:0:0:0:0:1");
    ok("2001:db8::0.0.0.1");
    ok("::ffff:127.0.0.1");
    ok("::FFFF:7F00:1");
    ok("0:0:0:0:0:ffff:7f00:0001");
    ok("fe80::1");
    no("::2");
    no("2001:db8::2");
    no("::");
    /* The v4-mapped entry is 16 bytes: the IPv4 literal needs a 4-byte entry. */
    no("127.0.0.1");
    /* Not IP literals: host names, and no dNSName or CN holds them. */
    no("[::1]");
    no("fe80::1%eth0");
    no("::1.");
}

static void test_ip_literal_matches_cn_by_text_only(void **state)
{
    (void)state;
    mk((item_t[]){ CN("192.0.2.7"), CN("2001:db8::7"), END });
    ok("192.0.2.7");
    ok("192.0.2.7.");
    ok("2001:DB8::7");
    no("2001:db8:0::7"); /* the same address, other text: the CN is text */
    no("2001:0db8::7");
    no("192.0.2.8");
}

static void test_ip_literal_never_matches_a_dns_name(void **state)
{
    (void)state;
    mk((item_t[]){ CN("server.test"), DNS("10.0.0.1"), DNS("*.0.0.1"), DNS("*.10.0.0"), DNS("::1"), END });
    no("10.0.0.1");
    no("10.0.0.1.");
    no("127.0.0.1");
    no("127.0.0.1.");
    no("1.10.0.0");
    no("::1");
}

static void test_malformed_ip_literals_are_host_names(void **state)
{
    (void)state;
    /* As iPAddress entries: none of these texts is that address. */
    mk((item_t[]){ CN("server.test"), IP("\x01\x02\x03\x00"), IP("\x01\x02\x03\x04"), IP("\x7f\x00\x00\x01"),
                   IP("\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01"),
                   IP("\xfe\x80\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01"),
                   IP("\x00\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\x03"), END });
    no("1.2.3");
    no("1.2.3.256");
    no("01.2.3.4");
    no("1.2.3.04");
    no("127.1");
    no("0x7f.0.0.1");
    no("1::2::3");
    no("[::1]");
    no("fe80::1%eth0");
    no(" 1.2.3.4");
    ok("1.2.3.4");

    /* As text: they match a dNSName or CN holding the same text. */
    mk((item_t[]){ CN("[::1]"), DNS("1.2.3"), DNS("1.2.3.256"), DNS("01.2.3.4"), DNS("1::2::3"),
                   DNS("fe80::1%eth0"), END });
    ok("[::1]");
    ok("1.2.3");
    ok("1.2.3.256");
    ok("01.2.3.4");
    ok("1::2::3");
    ok("FE80::1%ETH0");
    no("1.2.3.4");
    no("::1");
}

/* ----------------------------------------------------------- wildcards */

static void test_wildcard_dns_name_covers_one_label(void **state)
{
    (void)state;
    mk((item_t[]){ CN("server.test"), DNS("*.example.com"), END });
    ok("a.example.com");
    ok("www.example.com");
    ok("A.EXAMPLE.COM");
    ok("a.example.com.");
    ok("xn--bcher-kva.example.com");
    no("a.b.example.com");
    no("example.com");
    no(".example.com");
    no("a..example.com");
    no("aexample.com");
    no("a.example.com.evil");
    no("a.example.org");
    no("a.xexample.com");
    no("*.example.com"); /* a name holding '*' never matches */
}

static void test_wildcard_with_trailing_dot(void **state)
{
    (void)state;
    mk((item_t[]){ DNS("*.example.com."), END });
    ok("a.example.com");
    ok("a.example.com.");
    no("example.com");
    no("a.b.example.com");
}

static void test_wildcard_over_a_bare_suffix_matches_nothing(void **state)
{
    (void)state;
    mk((item_t[]){ DNS("*.com"), DNS("*.com."), DNS("*"), DNS("*."), DNS("*..com"), DNS("*.com.."), END });
    no("a.com");
    no("example.com");
    no("com");
    no("a");
    no("a..com");
    no("a.com.");
}

static void test_partial_and_inner_wildcards_match_nothing(void **state)
{
    (void)state;
    mk((item_t[]){ DNS("f*.example.com"), DNS("*f.example.com"), DNS("a.*.example.com"), DNS("*.*.example.com"),
                   DNS("**.example.com"), DNS("*.example.*"), DNS("x.example.*"), END });
    no("f.example.com");
    no("foo.example.com");
    no("ff.example.com");
    no("off.example.com");
    no("a.b.example.com");
    no("a.x.example.com");
    no("x.y.example.com");
    no("a.example.com");
    no("x.example.com");
    no("a.example.org");
}

static void test_wildcard_cn_never_matches(void **state)
{
    (void)state;
    mk((item_t[]){ CN("*.example.com"), END });
    no("a.example.com");
    no("example.com");
    no("*.example.com");
    /* ...even next to a SAN that does not hold the name. */
    mk((item_t[]){ CN("*.example.com"), DNS("www.example.com"), END });
    no("a.example.com");
    ok("www.example.com");
}

/* ------------------------------------------------------ NUL bytes, empty */

static void test_nul_in_the_name(void **state)
{
    (void)state;
    mk((item_t[]){ CN("good.example.com"), DNS("www.example.com"), DNS("*.example.com"), END });
    NO_LIT("good.example.com\0.evil.com");
    NO_LIT("good.example.com\0");
    NO_LIT("\0good.example.com");
    NO_LIT("www.example.com\0");
    NO_LIT("a.example.com\0");
    NO_LIT("127.0.0.1\0");
    assert_non_null(strstr(why, "NUL"));
    OK_LIT("good.example.com");
}

static void test_nul_in_cn(void **state)
{
    (void)state;
    mk((item_t[]){ CN("good.example.com\0.evil.com"), END });
    no("good.example.com");
    NO_LIT("good.example.com\0.evil.com");
    no("good.example.com.evil.com");
    no(".evil.com");
    no("evil.com");
    /* Only that CN is void: another CN still counts. */
    mk((item_t[]){ CN("good.example.com\0.evil.com"), CN("ok.example.com"), END });
    no("good.example.com");
    ok("ok.example.com");
}

static void test_nul_in_san_dns_name(void **state)
{
    (void)state;
    mk((item_t[]){ DNS("good.example.com\0.evil.com"), DNS("*.example.org\0.evil.com"), DNS("\0"),
                   DNS("ok.example.com"), END });
    no("good.example.com");
    NO_LIT("good.example.com\0.evil.com");
    no("good.example.com.evil.com");
    no("evil.com");
    no("a.example.org");
    ok("ok.example.com");
}

static void test_empty_names(void **state)
{
    (void)state;
    mk((item_t[]){ CN(""), DNS(""), DNS("."), CN("."), END });
    no("");
    no(".");
    no_n(NULL, 0);
    NO_LIT("\0");
    no("..");
}

static void test_name_with_a_star(void **state)
{
    (void)state;
    mk((item_t[]){ CN("*.example.com"), DNS("*.example.com"), DNS("*"), DNS("a*b.example.com"), END });
    no("*.example.com");
    no("*");
    no("a*b.example.com");
    assert_non_null(strstr(why, "'*'"));
}

static void test_certificate_without_cn_or_san(void **state)
{
    (void)state;
    mk((item_t[]){ END });
    no("certslot test");
    no("server.test");
    no("127.0.0.1");
    assert_string_equal(why, "name '127.0.0.1' is not in the certificate (no CN; no SAN)");

    /* Only SAN entries of other kinds. */
    mk((item_t[]){ URI("https://server.test/"), END });
    no("server.test");
    no("https://server.test/");
}

static void test_bad_arguments(void **state)
{
    (void)state;
    mk((item_t[]){ CN("server.test"), END });
    assert_int_equal(certslot_name_check(NULL, "server.test", 11, why, sizeof(why)), CERTSLOT_ERR_ARG);
    assert_int_equal(certslot_name_check(&crt, NULL, 3, why, sizeof(why)), CERTSLOT_ERR_ARG);
    /* No room for a reason is fine. */
    assert_int_equal(certslot_name_check(&crt, "server.test", 11, NULL, 0), 0);
    assert_int_equal(certslot_name_check(&crt, "other.test", 10, NULL, 0), CERTSLOT_ERR_NAME);
    assert_int_equal(certslot_name_check(&crt, "other.test", 10, why, 0), CERTSLOT_ERR_NAME);
}

/* ------------------------------------------------------------ the reason */

static void test_reason_names_what_the_certificate_holds(void **state)
{
    (void)state;
    mk((item_t[]){ CN("server.test"), DNS("server.test"), IP("\x7f\x00\x00\x01"), END });
    no("x.example.com");
    assert_string_equal(why,
                        "name 'x.example.com' is not in the certificate (CN=server.test; SAN DNS:server.test, "
                        "IP:127.0.0.1)");

    mk((item_t[]){ IP("\x20\x01\x0d\xb8\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01"),
                   IP("\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01"),
                   IP("\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\xff\xff\x7f\x00\x00\x01"), END });
    no("::2");
    assert_string_equal(why, "name '::2' is not in the certificate (no CN; SAN IP:2001:db8::1, IP:::1, "
                             "IP:::ffff:7f00:1)");
    /* An iPAddress of another length: mbedTLS 3.6 refuses the whole certificate (name.c still shows such an entry
     * as "IP:?(N bytes)" should one ever reach it). */

    /* RFC 5952: the longest run of two or more zero groups, the first of equals. */
    mk((item_t[]){ IP("\x00\x01\x00\x00\x00\x02\x00\x00\x00\x00\x00\x03\x00\x00\x00\x00"),
                   IP("\x00\x01\x00\x00\x00\x00\x00\x02\x00\x00\x00\x00\x00\x00\x00\x03"),
                   IP("\x00\x01\x00\x00\x00\x02\x00\x03\x00\x04\x00\x05\x00\x06\x00\x07"),
                   IP("\x00\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"),
                   IP("\x00\x01\x00\x02\x00\x03\x00\x04\x00\x05\x00\x06\x00\x07\x00\x08"),
                   IP("\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"), END });
    no("::2");
    assert_string_equal(why, "name '::2' is not in the certificate (no CN; SAN IP:1:0:2::3:0:0, IP:1:0:0:2::3, "
                             "IP:1:0:2:3:4:5:6:7, IP:1::, IP:1:2:3:4:5:6:7:8, IP:::)");
}

static void test_reason_is_printable_and_bounded(void **state)
{
    (void)state;
    mk((item_t[]){ CN("good.example.com\0.evil.com"), DNS("tab\there.example.com"),
                   DNS("\xc3\xa9.example.com"), END });
    no("\x01\x7f\xff.example.com");
    /* Control bytes and invalid UTF-8 escaped (certslot/text.h); valid UTF-8 kept. */
    assert_string_equal(why, "name '\\x01\\x7f\\xff.example.com' is not in the certificate (CN=good.example.com\\x00"
                             ".evil.com; SAN DNS:tab\\x09here.example.com, DNS:\xc3\xa9.example.com)");

    /* Long entries are abbreviated, many entries counted, the line cut to the buffer. */
    mk((item_t[]){ CN("a-very-long-label-that-goes-on-and-on-and-on.example.com"), DNS("one.example.com"),
                   DNS("two.example.com"), DNS("three.example.com"), DNS("four.example.com"),
                   DNS("five.example.com"), DNS("six.example.com"), DNS("seven.example.com"), END });
    char long_name[300];
    memset(long_name, 'n', sizeof(long_name));
    no_n(long_name, sizeof(long_name));
    assert_non_null(strstr(why, "nnn...' is not"));
    assert_int_equal(strlen(why), sizeof(why) - 1);
    assert_string_equal(why + sizeof(why) - 4, "...");

    no("x.test");
    assert_string_equal(why, "name 'x.test' is not in the certificate (CN=a-very-long-label-that-goes-on-and-on-"
                             "an...; SAN DNS:one.example.com, DNS:two.example.com, DNS:three.example.com...");

    char small[16];
    assert_int_equal(certslot_name_check(&crt, "x.test", 6, small, sizeof(small)), CERTSLOT_ERR_NAME);
    assert_string_equal(small, "name 'x.test...");
    assert_int_equal(certslot_name_check(&crt, "x.test", 6, small, 1), CERTSLOT_ERR_NAME);
    assert_string_equal(small, "");
}

static void test_reason_counts_what_it_leaves_out(void **state)
{
    (void)state;
    mk((item_t[]){ CN("a.test"), DNS("b.test"), DNS("c.test"), DNS("d.test"), DNS("e.test"), DNS("f.test"),
                   DNS("g.test"), IP("\x7f\x00\x00\x01"), URI("https://h.test/"), END });
    no("x.test");
    assert_string_equal(why, "name 'x.test' is not in the certificate (CN=a.test; SAN DNS:b.test, DNS:c.test, "
                             "DNS:d.test, DNS:e.test, DNS:f.test, +3 more)");
    /* Entries not shown still match. */
    ok("g.test");
    ok("127.0.0.1");
}

/* --------------------------------------------------------- IP parsing */

static void test_ip_parse_accepts_rfc_4291_forms(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        const char *addr; /* 4 or 16 bytes */
        size_t addr_len;
    } good[] = {
        { "1.2.3.4", "\x01\x02\x03\x04", 4 },
        { "0.0.0.0", "\x00\x00\x00\x00", 4 },
        { "255.255.255.255", "\xff\xff\xff\xff", 4 },
        { "10.0.100.9", "\x0a\x00\x64\x09", 4 },
        { "::", "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 16 },
        { "::1", "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\x01", 16 },
        { "1::", "\0\x01\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 16 },
        { "1:2:3:4:5:6:7:8", "\0\x01\0\x02\0\x03\0\x04\0\x05\0\x06\0\x07\0\x08", 16 },
        { "1:2:3:4:5:6:7::", "\0\x01\0\x02\0\x03\0\x04\0\x05\0\x06\0\x07\0\0", 16 },
        { "::2:3:4:5:6:7:8", "\0\0\0\x02\0\x03\0\x04\0\x05\0\x06\0\x07\0\x08", 16 },
        { "1:2::7:8", "\0\x01\0\x02\0\0\0\0\0\0\0\0\0\x07\0\x08", 16 },
        { "ABCD:ef01::FfFf", "\xab\xcd\xef\x01\0\0\0\0\0\0\0\0\0\0\xff\xff", 16 },
        { "0001:0002:0003:0004:0005:0006:0007:0008", "\0\x01\0\x02\0\x03\0\x04\0\x05\0\x06\0\x07\0\x08", 16 },
        { "::ffff:1.2.3.4", "\0\0\0\0\0\0\0\0\0\0\xff\xff\x01\x02\x03\x04", 16 },
        { "::1.2.3.4", "\0\0\0\0\0\0\0\0\0\0\0\0\x01\x02\x03\x04", 16 },
        { "1:2:3:4:5:6:1.2.3.4", "\0\x01\0\x02\0\x03\0\x04\0\x05\0\x06\x01\x02\x03\x04", 16 },
        { "1::6:255.255.255.0", "\0\x01\0\0\0\0\0\0\0\0\0\x06\xff\xff\xff\0", 16 },
    };
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        unsigned char addr[16];
        size_t addr_len = 0;

        if (!certslot_ip_parse(good[i].text, strlen(good[i].text), addr, &addr_len))
            fail_msg("'%s' is an IP literal", good[i].text);
        assert_int_equal(addr_len, good[i].addr_len);
        assert_memory_equal(addr, good[i].addr, addr_len);
    }
}

static void test_ip_parse_refuses_everything_else(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "", "1.2.3", "1.2.3.4.5", "1.2.3.256", "256.1.1.1", "01.2.3.4", "1.2.3.04", "1.2.3.00", "0x1.2.3.4",
        "127.1", "1..2.3", ".1.2.3.4", "1.2.3.4.", " 1.2.3.4", "1.2.3.4 ", "1.2.3.-4", "1111.2.3.4", "1.2.3.+4",
        "1.2.3.a", "localhost", "example.com", ":", ":::", "1:::2", "1::2::3", ":1::", ":1", "1:", "1::2:",
        "1:2:3:4:5:6:7", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7:8::", "::1:2:3:4:5:6:7:8", "12345::", "::g",
        "::-1", "1:2:3:4:5:6:7:1.2.3.4", "::1.2.3", "1.2.3.4::", "::1.2.3.4:1", "::ffff:01.2.3.4",
        "::ffff:1.2.3.256", "[::1]", "fe80::1%eth0", "fe80::1%1", "::1 ", " ::1", "0x1::", "1:2:3:4:5:6:7:8:",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        unsigned char addr[16];
        size_t addr_len = 99;

        if (certslot_ip_parse(bad[i], strlen(bad[i]), addr, &addr_len))
            fail_msg("'%s' is not an IP literal", bad[i]);
        assert_int_equal(addr_len, 99);
    }

    /* The length is the caller's: bytes past it are not read, a NUL inside counts. */
    unsigned char addr[16];
    size_t addr_len = 0;
    assert_true(certslot_ip_parse("1.2.3.4XYZ", 7, addr, &addr_len));
    assert_true(certslot_ip_parse("::1junk", 3, addr, &addr_len));
    assert_false(certslot_ip_parse("1.2.3.4\0", 8, addr, &addr_len));
    assert_false(certslot_ip_parse("::1\0", 4, addr, &addr_len));
    assert_false(certslot_ip_parse("1.2\0.3.4", 8, addr, &addr_len));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_exact_match_on_cn, teardown),
        cmocka_unit_test_teardown(test_exact_match_on_san_dns_name, teardown),
        cmocka_unit_test_teardown(test_cn_absent_from_present_san_still_matches, teardown),
        cmocka_unit_test_teardown(test_any_of_several_cns, teardown),
        cmocka_unit_test_teardown(test_ascii_case_is_ignored_other_bytes_are_exact, teardown),
        cmocka_unit_test_teardown(test_one_trailing_dot_on_either_side, teardown),
        cmocka_unit_test_teardown(test_ipv4_literal_against_ip_address_san, teardown),
        cmocka_unit_test_teardown(test_ipv6_literal_in_every_text_form, teardown),
        cmocka_unit_test_teardown(test_ip_literal_matches_cn_by_text_only, teardown),
        cmocka_unit_test_teardown(test_ip_literal_never_matches_a_dns_name, teardown),
        cmocka_unit_test_teardown(test_malformed_ip_literals_are_host_names, teardown),
        cmocka_unit_test_teardown(test_wildcard_dns_name_covers_one_label, teardown),
        cmocka_unit_test_teardown(test_wildcard_with_trailing_dot, teardown),
        cmocka_unit_test_teardown(test_wildcard_over_a_bare_suffix_matches_nothing, teardown),
        cmocka_unit_test_teardown(test_partial_and_inner_wildcards_match_nothing, teardown),
        cmocka_unit_test_teardown(test_wildcard_cn_never_matches, teardown),
        cmocka_unit_test_teardown(test_nul_in_the_name, teardown),
        cmocka_unit_test_teardown(test_nul_in_cn, teardown),
        cmocka_unit_test_teardown(test_nul_in_san_dns_name, teardown),
        cmocka_unit_test_teardown(test_empty_names, teardown),
        cmocka_unit_test_teardown(test_name_with_a_star, teardown),
        cmocka_unit_test_teardown(test_certificate_without_cn_or_san, teardown),
        cmocka_unit_test_teardown(test_bad_arguments, teardown),
        cmocka_unit_test_teardown(test_reason_names_what_the_certificate_holds, teardown),
        cmocka_unit_test_teardown(test_reason_is_printable_and_bounded, teardown),
        cmocka_unit_test_teardown(test_reason_counts_what_it_leaves_out, teardown),
        cmocka_unit_test_teardown(test_ip_parse_accepts_rfc_4291_forms, teardown),
        cmocka_unit_test_teardown(test_ip_parse_refuses_everything_else, teardown),
    };
    return cmocka_run_group_tests_name("name", tests, group_setup, group_teardown);
}
