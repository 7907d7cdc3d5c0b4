/*
 * The built-in list against the bundle it was generated from: every root is
 * there, sorted, once; roots accept what they signed and nothing else.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/ecp.h>
#include <mbedtls/version.h>
#include <mbedtls/x509_crt.h>

#include "certslot/builtin.h"
#include "certslot/error.h"
#include "testutil.h"

#define CRT_SIG(crt) ((crt)->MBEDTLS_PRIVATE(sig))

/* The Makefile passes BUILTIN_BUNDLE; the default is Debian's bundle. */
#define DEFAULT_BUNDLE "/etc/ssl/certs/ca-certificates.crt"

static mbedtls_x509_crt bundle;
static size_t bundle_len;

static int load_bundle(void **state)
{
    const char *path = getenv("CERTSLOT_BUILTIN_BUNDLE");
    (void)state;
    if (path == NULL || *path == '\0')
        path = DEFAULT_BUNDLE;
    mbedtls_x509_crt_init(&bundle);
    /* A positive result counts certificates mbedTLS could not parse. */
    if (mbedtls_x509_crt_parse_file(&bundle, path) < 0)
        return -1;
    for (const mbedtls_x509_crt *c = &bundle; c != NULL && c->raw.p != NULL; c = c->next)
        bundle_len++;
    return bundle_len > 0 ? 0 : -1;
}

static int free_bundle(void **state)
{
    (void)state;
    mbedtls_x509_crt_free(&bundle);
    return 0;
}

static int bytes_cmp(const unsigned char *a, size_t alen, const unsigned char *b, size_t blen)
{
    int c = memcmp(a, b, alen < blen ? alen : blen);
    if (c != 0)
        return c;
    return alen < blen ? -1 : alen > blen;
}

static int buf_equal(const mbedtls_x509_buf *a, const mbedtls_x509_buf *b)
{
    return bytes_cmp(a->p, a->len, b->p, b->len) == 0;
}

static int is_self_issued(const mbedtls_x509_crt *c)
{
    return buf_equal(&c->issuer_raw, &c->subject_raw);
}

/* Index of the root with exactly this subject and key, or -1. */
static long find_pair(const mbedtls_x509_crt *c)
{
    long first = certslot_builtin_find(c->subject_raw.p, c->subject_raw.len);
    if (first < 0)
        return -1;
    for (size_t i = (size_t)first; i < certslot_builtin_count(); i++) {
        const unsigned char *s, *k;
        size_t slen, klen;
        certslot_builtin_subject(i, &s, &slen);
        if (bytes_cmp(s, slen, c->subject_raw.p, c->subject_raw.len) != 0)
            break;
        certslot_builtin_key(i, &k, &klen);
        if (bytes_cmp(k, klen, c->pk_raw.p, c->pk_raw.len) == 0)
            return (long)i;
    }
    return -1;
}

/* ---- contents ---- */

static void test_every_bundle_root_is_found_with_its_key(void **state)
{
    (void)state;
    for (const mbedtls_x509_crt *c = &bundle; c != NULL; c = c->next) {
        long i = certslot_builtin_find(c->subject_raw.p, c->subject_raw.len);
        assert_true(i >= 0);

        /* find() gives the first root of that name. */
        if (i > 0) {
            const unsigned char *s;
            size_t slen;
            certslot_builtin_subject((size_t)i - 1, &s, &slen);
            assert_true(bytes_cmp(s, slen, c->subject_raw.p, c->subject_raw.len) < 0);
        }
        assert_true(find_pair(c) >= 0);
    }
}

static void test_count_is_distinct_subject_key_pairs(void **state)
{
    size_t distinct = 0;
    (void)state;
    for (const mbedtls_x509_crt *c = &bundle; c != NULL; c = c->next) {
        int seen = 0;
        for (const mbedtls_x509_crt *d = &bundle; d != c && !seen; d = d->next)
            seen = buf_equal(&c->subject_raw, &d->subject_raw) && buf_equal(&c->pk_raw, &d->pk_raw);
        distinct += !seen;
    }
    assert_int_equal(certslot_builtin_count(), distinct);
}

static void test_list_is_sorted_without_duplicates(void **state)
{
    size_t n = certslot_builtin_count(), data = 0;
    (void)state;
    for (size_t i = 0; i < n; i++) {
        const unsigned char *s, *k;
        size_t slen, klen;
        certslot_builtin_subject(i, &s, &slen);
        certslot_builtin_key(i, &k, &klen);
        assert_non_null(s);
        assert_non_null(k);
        assert_true(slen > 0 && klen > 0);
        data += slen + klen;
        if (i == 0)
            continue;

        const unsigned char *ps, *pk;
        size_t pslen, pklen;
        certslot_builtin_subject(i - 1, &ps, &pslen);
        certslot_builtin_key(i - 1, &pk, &pklen);
        int c = bytes_cmp(ps, pslen, s, slen);
        assert_true(c <= 0);
        if (c == 0) /* same name: another key, never the same one twice */
            assert_true(bytes_cmp(pk, pklen, k, klen) != 0);
    }
    /* Names and keys, plus an index of at most 16 bytes per root. */
    assert_true(certslot_builtin_size() >= data);
    assert_true(certslot_builtin_size() <= data + 16 * n);
}

static void test_every_key_parses(void **state)
{
    (void)state;
    for (size_t i = 0; i < certslot_builtin_count(); i++) {
        mbedtls_pk_context pk;
        mbedtls_pk_init(&pk);
        assert_int_equal(certslot_builtin_parse_key(i, &pk), 0);
        mbedtls_pk_free(&pk);
    }
}

static void test_out_of_range_index(void **state)
{
    size_t n = certslot_builtin_count();
    const unsigned char *der = (const unsigned char *)"x";
    size_t len = 1;
    mbedtls_pk_context pk;
    (void)state;

    certslot_builtin_subject(n, &der, &len);
    assert_null(der);
    assert_int_equal(len, 0);
    der = (const unsigned char *)"x";
    len = 1;
    certslot_builtin_key(n, &der, &len);
    assert_null(der);
    assert_int_equal(len, 0);

    mbedtls_pk_init(&pk);
    assert_int_equal(certslot_builtin_parse_key(n, &pk), CERTSLOT_ERR_ARG);
    mbedtls_pk_free(&pk);
    assert_int_equal(certslot_builtin_verify_issued(NULL), CERTSLOT_ERR_ARG);
}

static void test_find_unknown_name(void **state)
{
    static const unsigned char empty_name[] = {0x30, 0x00};
    unsigned char name[1024];
    const mbedtls_x509_buf *s = &bundle.subject_raw;
    (void)state;

    assert_int_equal(certslot_builtin_find(empty_name, sizeof(empty_name)), -1);
    assert_int_equal(certslot_builtin_find(NULL, 0), -1);

    /* A real name that is one byte off, one byte short or one byte long. */
    assert_true(s->len < sizeof(name));
    memcpy(name, s->p, s->len);
    name[s->len - 1] ^= 0x01;
    assert_int_equal(certslot_builtin_find(name, s->len), -1);
    name[s->len - 1] ^= 0x01;
    assert_true(certslot_builtin_find(name, s->len) >= 0);
    assert_int_equal(certslot_builtin_find(name, s->len - 1), -1);
    name[s->len] = 0x00;
    assert_int_equal(certslot_builtin_find(name, s->len + 1), -1);
}

/* ---- verification ---- */

static void test_every_self_signed_root_verifies(void **state)
{
    size_t self_signed = 0;
    (void)state;
    for (const mbedtls_x509_crt *c = &bundle; c != NULL; c = c->next) {
        if (!is_self_issued(c))
            continue;
        self_signed++;
        assert_int_equal(certslot_builtin_verify_issued(c), 0);
    }
    /* A root bundle is (almost) all self-signed roots: the loop ran. */
    assert_true(self_signed * 2 > bundle_len);
}

/* Parses a copy of c's DER with the byte at offset off flipped. */
static int verify_altered(const mbedtls_x509_crt *c, size_t off)
{
    mbedtls_x509_crt bad;
    unsigned char *der = malloc(c->raw.len);
    int ret;

    assert_non_null(der);
    memcpy(der, c->raw.p, c->raw.len);
    der[off] ^= 0x01;
    mbedtls_x509_crt_init(&bad);
    assert_int_equal(mbedtls_x509_crt_parse_der(&bad, der, c->raw.len), 0);
    ret = certslot_builtin_verify_issued(&bad);
    mbedtls_x509_crt_free(&bad);
    free(der);
    return ret;
}

static void test_altered_certificate_is_rejected(void **state)
{
    size_t tried = 0;
    (void)state;
    for (const mbedtls_x509_crt *c = &bundle; c != NULL; c = c->next) {
        if (!is_self_issued(c))
            continue;
        /* The last signature byte (RSA: the signature; ECDSA: s) ... */
        size_t sig_end = (size_t)(CRT_SIG(c).p - c->raw.p) + CRT_SIG(c).len - 1;
        assert_int_equal(verify_altered(c, sig_end), CERTSLOT_ERR_CERT);
        /* ... and a signed byte that is not the issuer: the serial number. */
        size_t serial_end = (size_t)(c->serial.p - c->raw.p) + c->serial.len - 1;
        assert_int_equal(verify_altered(c, serial_end), CERTSLOT_ERR_CERT);
        tried++;
    }
    assert_true(tried > 0);
}

/* ---- certificates made by the test ---- */

#define TEST_ISSUER "CN=certslot test CA not in the built-in list,O=certslot tests"

/* Not random on purpose: a test key, reproducible, from no entropy source. */
static int fixed_entropy(void *ctx, unsigned char *out, size_t len)
{
    (void)ctx;
    memset(out, 0x5a, len);
    return 0;
}

/* Writes and parses a certificate that TEST_ISSUER's fresh P-256 key signed. */
static void make_test_cert(mbedtls_x509_crt *crt)
{
    mbedtls_ctr_drbg_context drbg;
    mbedtls_pk_context key;
    mbedtls_x509write_cert w;
    mbedtls_mpi serial;
    unsigned char der[1024];
    int len;

    mbedtls_ctr_drbg_init(&drbg);
    mbedtls_pk_init(&key);
    mbedtls_x509write_crt_init(&w);
    mbedtls_mpi_init(&serial);

    assert_int_equal(mbedtls_ctr_drbg_seed(&drbg, fixed_entropy, NULL, (const unsigned char *)"certslot", 8), 0);
    assert_int_equal(mbedtls_pk_setup(&key, mbedtls_pk_info_from_type(MBEDTLS_PK_ECKEY)), 0);
    assert_int_equal(
        mbedtls_ecp_gen_key(MBEDTLS_ECP_DP_SECP256R1, mbedtls_pk_ec(key), mbedtls_ctr_drbg_random, &drbg), 0);

    mbedtls_x509write_crt_set_version(&w, MBEDTLS_X509_CRT_VERSION_3);
    mbedtls_x509write_crt_set_md_alg(&w, MBEDTLS_MD_SHA256);
    mbedtls_x509write_crt_set_subject_key(&w, &key);
    mbedtls_x509write_crt_set_issuer_key(&w, &key);
    assert_int_equal(mbedtls_x509write_crt_set_subject_name(&w, "CN=certslot test server,O=certslot tests"), 0);
    assert_int_equal(mbedtls_x509write_crt_set_issuer_name(&w, TEST_ISSUER), 0);
    assert_int_equal(mbedtls_mpi_lset(&serial, 1), 0);
    assert_int_equal(mbedtls_x509write_crt_set_serial(&w, &serial), 0);
    assert_int_equal(mbedtls_x509write_crt_set_validity(&w, "20240101000000", "20340101000000"), 0);
    len = mbedtls_x509write_crt_der(&w, der, sizeof(der), mbedtls_ctr_drbg_random, &drbg);
    assert_true(len > 0);

    mbedtls_x509_crt_init(crt);
    assert_int_equal(mbedtls_x509_crt_parse_der(crt, der + sizeof(der) - (size_t)len, (size_t)len), 0);

    mbedtls_mpi_free(&serial);
    mbedtls_x509write_crt_free(&w);
    mbedtls_pk_free(&key);
    mbedtls_ctr_drbg_free(&drbg);
}

static void test_unknown_issuer_is_not_found(void **state)
{
    mbedtls_x509_crt crt;
    (void)state;
    make_test_cert(&crt);
    assert_int_equal(certslot_builtin_find(crt.issuer_raw.p, crt.issuer_raw.len), -1);
    assert_int_equal(certslot_builtin_verify_issued(&crt), CERTSLOT_ERR_NOT_FOUND);
    mbedtls_x509_crt_free(&crt);
}

/* A certificate naming a built-in root as issuer, signed by another key. */
static void test_forged_issuer_name_is_rejected(void **state)
{
    mbedtls_x509_crt crt, forged;
    (void)state;
    make_test_cert(&crt);
    for (const mbedtls_x509_crt *c = &bundle; c != NULL; c = c->next) {
        /* Only the issuer bytes change; tbs and signature stay the test key's. */
        forged = crt;
        forged.issuer_raw = c->subject_raw;
        assert_int_equal(certslot_builtin_verify_issued(&forged), CERTSLOT_ERR_CERT);
    }
    mbedtls_x509_crt_free(&crt);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_bundle_root_is_found_with_its_key),
        cmocka_unit_test(test_count_is_distinct_subject_key_pairs),
        cmocka_unit_test(test_list_is_sorted_without_duplicates),
        cmocka_unit_test(test_every_key_parses),
        cmocka_unit_test(test_out_of_range_index),
        cmocka_unit_test(test_find_unknown_name),
        cmocka_unit_test(test_every_self_signed_root_verifies),
        cmocka_unit_test(test_altered_certificate_is_rejected),
        cmocka_unit_test(test_unknown_issuer_is_not_found),
        cmocka_unit_test(test_forged_issuer_name_is_rejected),
    };
    return cmocka_run_group_tests_name("builtin", tests, load_bundle, free_bundle);
}
