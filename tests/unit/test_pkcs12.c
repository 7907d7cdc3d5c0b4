/*
 * The PKCS#12 reader on files made by OpenSSL 3 at test time: its defaults
 * (PBES2/AES-256, SHA-256 MAC), -legacy (RC2-40, 3DES, SHA-1 MAC), clear
 * certificates with 3DES and a SHA-384 MAC; wrong passwords, truncated and
 * corrupted files, and allocation failures all fail cleanly.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <mbedtls/pk.h>
#include <mbedtls/x509_crt.h>

#include "certslot/cert.h"
#include "certslot/error.h"
#include "pkcs12.h"
#include "testutil.h"

#define PASS "pfx-secret"

static char why[200];

/* The subject CN of a DER certificate. */
static void cn_of(const unsigned char *der, size_t len, char *cn)
{
    mbedtls_x509_crt crt;
    certslot_cert_info_t info;
    mbedtls_x509_crt_init(&crt);
    assert_int_equal(mbedtls_x509_crt_parse_der(&crt, der, len), 0);
    assert_int_equal(certslot_cert_info(&crt, &info), 0);
    strcpy(cn, info.subject_cn);
    mbedtls_x509_crt_free(&crt);
}

/* p12's key is the private key of the test PKI's key file key_name. */
static void assert_key_is(const certslot_pkcs12_t *p12, const char *key_name)
{
    size_t len;
    char *text = tu_pki_read(key_name, &len);
    mbedtls_pk_context a, b;
    unsigned char pa[1024], pb[1024];
    mbedtls_pk_init(&a);
    mbedtls_pk_init(&b);
    assert_int_equal(certslot_key_decode(p12->key, p12->key_len, &a, why, sizeof(why)), 0);
    assert_int_equal(certslot_key_decode((unsigned char *)text, len, &b, why, sizeof(why)), 0);
    int na = mbedtls_pk_write_pubkey_der(&a, pa, sizeof(pa)), nb = mbedtls_pk_write_pubkey_der(&b, pb, sizeof(pb));
    assert_true(na > 0);
    assert_int_equal(na, nb);
    assert_memory_equal(pa + sizeof(pa) - na, pb + sizeof(pb) - nb, (size_t)na);
    mbedtls_pk_free(&a);
    mbedtls_pk_free(&b);
    free(text);
}

static void check_file(const char *pfx, const char *key_name, const char *leaf_cn, unsigned ncerts)
{
    size_t len;
    char *der = tu_pki_read(pfx, &len), cn[65];
    certslot_pkcs12_t p12;
    certslot_pkcs12_init(&p12);
    int ret = certslot_pkcs12_parse(&p12, (unsigned char *)der, len, PASS, why, sizeof(why));
    if (ret != 0)
        fail_msg("%s: %s", pfx, why);
    assert_non_null(p12.key);
    assert_int_equal(p12.ncerts, ncerts);
    assert_true(p12.key_cert >= 0);
    cn_of(p12.cert[p12.key_cert], p12.cert_len[p12.key_cert], cn);
    assert_string_equal(cn, leaf_cn);
    assert_key_is(&p12, key_name);
    certslot_pkcs12_free(&p12);
    certslot_pkcs12_free(&p12); /* a freed object may be freed again */
    free(der);
}

static void test_openssl3_default(void **state)
{
    (void)state;
    check_file("device.pfx", "device.key", "handset-0004f2a1b2c3", 2);
}

static void test_openssl3_legacy(void **state)
{
    (void)state;
    check_file("device-legacy.pfx", "device.key", "handset-0004f2a1b2c3", 2);
}

static void test_clear_certs_3des_sha384_mac(void **state)
{
    (void)state;
    check_file("device-ec.pfx", "device-ec.key", "handset-ec", 1);
}

static void test_wrong_password(void **state)
{
    (void)state;
    static const char *const files[] = {"device.pfx", "device-legacy.pfx", "device-ec.pfx"};
    for (unsigned i = 0; i < 3; i++) {
        size_t len;
        char *der = tu_pki_read(files[i], &len);
        certslot_pkcs12_t p12;
        certslot_pkcs12_init(&p12);
        assert_int_equal(certslot_pkcs12_parse(&p12, (unsigned char *)der, len, "pfx-secreT", why, sizeof(why)),
                         CERTSLOT_ERR_PASSWORD);
        assert_non_null(strstr(why, "wrong password"));
        assert_null(p12.key);
        assert_int_equal(p12.ncerts, 0);
        assert_int_equal(certslot_pkcs12_parse(&p12, (unsigned char *)der, len, "", why, sizeof(why)),
                         CERTSLOT_ERR_PASSWORD);
        free(der);
    }
}

/* Every truncation and a spread of single-byte corruptions fail and leave nothing. */
static void test_truncated_and_corrupted(void **state)
{
    (void)state;
    size_t len;
    char *der = tu_pki_read("device-legacy.pfx", &len);
    unsigned char *copy = malloc(len);
    certslot_pkcs12_t p12;

    for (size_t n = 0; n < len; n++) {
        memcpy(copy, der, n);
        certslot_pkcs12_init(&p12);
        assert_int_not_equal(certslot_pkcs12_parse(&p12, copy, n, PASS, why, sizeof(why)), 0);
        assert_null(p12.key);
        assert_int_equal(p12.ncerts, 0);
        assert_true(why[0] != '\0');
    }
    for (size_t off = 0; off < len; off += 41) {
        memcpy(copy, der, len);
        copy[off] ^= 0x5a;
        certslot_pkcs12_init(&p12);
        int ret = certslot_pkcs12_parse(&p12, copy, len, PASS, why, sizeof(why));
        if (ret == 0) /* only an unused byte (a bag attribute outside the MAC) may change unnoticed */
            certslot_pkcs12_free(&p12);
        else
            assert_null(p12.key);
    }
    /* Not PKCS#12 at all: a PEM certificate. */
    size_t pem_len;
    char *pem = tu_pki_read("device.crt", &pem_len);
    certslot_pkcs12_init(&p12);
    assert_int_equal(certslot_pkcs12_parse(&p12, (unsigned char *)pem, pem_len, PASS, why, sizeof(why)),
                     CERTSLOT_ERR_CORRUPT);
    assert_non_null(strstr(why, "binary"));
    free(pem);
    free(copy);
    free(der);
}

/* The bytes the MAC covers are all checked: a flip inside the encrypted data is a MAC failure. */
static void test_tampered_content_fails_the_mac(void **state)
{
    (void)state;
    size_t len;
    char *der = tu_pki_read("device.pfx", &len);
    certslot_pkcs12_t p12;
    der[len / 2] ^= 1;
    certslot_pkcs12_init(&p12);
    assert_int_equal(certslot_pkcs12_parse(&p12, (unsigned char *)der, len, PASS, why, sizeof(why)),
                     CERTSLOT_ERR_PASSWORD);
    assert_non_null(strstr(why, "MAC"));
    free(der);
}

static void test_allocation_failures_leak_nothing(void **state)
{
    (void)state;
    size_t len;
    char *der = tu_pki_read("device.pfx", &len);
    certslot_pkcs12_t p12;
    int ok = 0;

    for (size_t n = 1; n < 200 && !ok; n++) {
        tu_alloc_install(n);
        certslot_pkcs12_init(&p12);
        int ret = certslot_pkcs12_parse(&p12, (unsigned char *)der, len, PASS, why, sizeof(why));
        if (ret == 0) {
            ok = 1;
            certslot_pkcs12_free(&p12);
        } else {
            assert_true(ret == CERTSLOT_ERR_NOMEM || ret == CERTSLOT_ERR_KEY);
            assert_null(p12.key);
        }
        assert_int_equal(tu_alloc_outstanding(), 0);
        tu_alloc_uninstall();
    }
    assert_true(ok);
    free(der);
}

static void test_limits(void **state)
{
    (void)state;
    char pw[CERTSLOT_PKCS12_MAX_PASSWORD + 2];
    unsigned char big[4] = {0x30, 0x00, 0x00, 0x00};
    certslot_pkcs12_t p12;
    memset(pw, 'a', sizeof(pw) - 1);
    pw[sizeof(pw) - 1] = '\0';
    certslot_pkcs12_init(&p12);
    assert_int_equal(certslot_pkcs12_parse(&p12, big, sizeof(big), pw, why, sizeof(why)), CERTSLOT_ERR_LIMIT);
    assert_int_equal(certslot_pkcs12_parse(&p12, big, CERTSLOT_PKCS12_MAX_INPUT + 1u, PASS, why, sizeof(why)),
                     CERTSLOT_ERR_LIMIT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_openssl3_default),
        cmocka_unit_test(test_openssl3_legacy),
        cmocka_unit_test(test_clear_certs_3des_sha384_mac),
        cmocka_unit_test(test_wrong_password),
        cmocka_unit_test(test_truncated_and_corrupted),
        cmocka_unit_test(test_tampered_content_fails_the_mac),
        cmocka_unit_test(test_allocation_failures_leak_nothing),
        cmocka_unit_test(test_limits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
