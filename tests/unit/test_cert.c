/*
 * Certificate and key values in every layout administrators paste, and the
 * security policy.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "certslot/cert.h"
#include "certslot/error.h"
#include "testutil.h"

static char why[CERTSLOT_WHY_LEN];

/* Decodes text and returns the number of certificates; fails the test on error. */
static int decode_ok(const char *text, size_t len, mbedtls_x509_crt *chain)
{
    mbedtls_x509_crt_init(chain);
    int ret = certslot_cert_decode((const unsigned char *)text, len, chain, why, sizeof(why));
    if (ret != 0)
        fail_msg("decode failed: %s", why);
    int n = 0;
    for (const mbedtls_x509_crt *c = chain; c != NULL && c->raw.len > 0; c = c->next)
        n++;
    return n;
}

/* Replaces every occurrence of byte from by to (in place). */
static void replace(char *s, char from, char to)
{
    for (; *s != '\0'; s++)
        if (*s == from)
            *s = to;
}

/* Removes every byte c (in place). */
static void drop(char *s, char c)
{
    char *o = s;
    for (; *s != '\0'; s++)
        if (*s != c)
            *o++ = *s;
    *o = '\0';
}

static void test_every_encoding_decodes_to_the_same_der(void **state)
{
    (void)state;
    size_t der_len;
    char *der = tu_pki_read("root-rsa.der", &der_len);
    char *variants[7];
    size_t lens[7];
    variants[0] = tu_pki_read("root-rsa.der.b64", &lens[0]); /* 1: single-line base64 of the DER */
    variants[1] = tu_pki_read("root-rsa.crt", &lens[1]);     /* 3: ordinary PEM */
    variants[2] = tu_pki_read("root-rsa.crt", NULL);         /* 3: newlines arrived as spaces */
    replace(variants[2], '\n', ' ');
    variants[3] = tu_pki_read("root-rsa.crt", NULL); /* 2: body on one line, glued to header and footer */
    drop(variants[3], '\n');
    variants[4] = tu_pki_read("root-rsa.pem.b64", &lens[4]); /* 4: base64 of the PEM file */
    variants[5] = tu_pki_read("root-rsa.der", &lens[5]);     /* raw DER from a file or URL */
    variants[6] = tu_pki_read("root-rsa.crt", NULL);         /* CRLF line ends, leading spaces */
    char *crlf = malloc(strlen(variants[6]) * 2 + 8);
    assert_non_null(crlf);
    strcpy(crlf, "  ");
    for (char *s = variants[6], *o = crlf + 2;; s++) {
        if (*s == '\n')
            *o++ = '\r';
        *o++ = *s;
        if (*s == '\0')
            break;
    }
    free(variants[6]);
    variants[6] = crlf;
    for (int i = 0; i < 7; i++) {
        size_t len = i == 5 ? lens[5] : strlen(variants[i]);
        mbedtls_x509_crt chain;
        assert_int_equal(decode_ok(variants[i], len, &chain), 1);
        assert_int_equal(chain.raw.len, der_len);
        assert_memory_equal(chain.raw.p, der, der_len);
        mbedtls_x509_crt_free(&chain);
        free(variants[i]);
    }
    free(der);
}

/* Base64 padding: optional at the end, nowhere else, never more than the group allows. */
static void test_base64_padding(void **state)
{
    (void)state;
    size_t der_len, len;
    char *der = tu_pki_read("root-rsa.der", &der_len);
    char *b64 = tu_pki_read("root-rsa.der.b64", &len);
    while (len > 0 && (b64[len - 1] == '\n' || b64[len - 1] == '='))
        b64[--len] = '\0';
    mbedtls_x509_crt chain;
    char *bad = malloc(len + 8);
    assert_non_null(bad);
    /* Without its padding: the same DER. */
    assert_int_equal(decode_ok(b64, len, &chain), 1);
    assert_memory_equal(chain.raw.p, der, der_len);
    mbedtls_x509_crt_free(&chain);
    const char *const tails[] = {"===", "=A", "A"};
    for (size_t i = 0; i < 3; i++) {
        snprintf(bad, len + 8, "%s%s", b64, tails[i]);
        mbedtls_x509_crt_init(&chain);
        assert_int_not_equal(certslot_cert_decode((unsigned char *)bad, strlen(bad), &chain, why, sizeof(why)), 0);
        mbedtls_x509_crt_free(&chain);
    }
    /* '=' inside the text. */
    memcpy(bad, b64, len + 1);
    bad[len / 2] = '=';
    mbedtls_x509_crt_init(&chain);
    assert_int_not_equal(certslot_cert_decode((unsigned char *)bad, len, &chain, why, sizeof(why)), 0);
    mbedtls_x509_crt_free(&chain);
    free(bad);
    free(b64);
    free(der);
}

static void test_chain_keeps_order_leaf_first(void **state)
{
    (void)state;
    char *pem = tu_pki_read("server-chain.pem", NULL);
    mbedtls_x509_crt chain;
    certslot_cert_info_t info;
    assert_int_equal(decode_ok(pem, strlen(pem), &chain), 2);
    certslot_cert_info(&chain, &info);
    assert_string_equal(info.subject_cn, "server.test");
    assert_string_equal(info.issuer_cn, "certslot Test Intermediate CA");
    certslot_cert_info(chain.next, &info);
    assert_string_equal(info.subject_cn, "certslot Test Intermediate CA");
    mbedtls_x509_crt_free(&chain);
    /* The same chain glued on one line, as an XML attribute may carry it. */
    replace(pem, '\n', ' ');
    assert_int_equal(decode_ok(pem, strlen(pem), &chain), 2);
    mbedtls_x509_crt_free(&chain);
    free(pem);
}

static void test_bad_certificates_are_refused_with_a_reason(void **state)
{
    (void)state;
    char *pem = tu_pki_read("root-rsa.crt", NULL);
    char *b64 = tu_pki_read("root-rsa.der.b64", NULL);
    struct {
        char *text;
        const char *why;
    } cases[] = {
        {strdup("hello world!"), "neither PEM nor base64 nor DER"},
        {strdup("-----BEGIN CERTIFICATE-----\nMIIB\n"), "no END CERTIFICATE"},
        {strdup("-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n"), "is not base64"},
        {strdup("aGVsbG8gd29ybGQ="), "decodes to neither DER nor PEM"},
        {strdup(b64), NULL}, /* truncated below */
        {strdup(pem), NULL}, /* one base64 character changed below */
        {strdup("-----BEGIN " "PRIVATE KEY-----\nMIIB\n-----END " "PRIVATE KEY-----\n"), "no BEGIN CERTIFICATE block"},
    };
    cases[4].text[strlen(cases[4].text) / 2 / 4 * 4] = '\0'; /* still base64 (whole quanta), of a cut DER */
    cases[4].why = "not valid DER";
    cases[5].text[100] = cases[5].text[100] == 'A' ? 'B' : 'A';
    cases[5].why = "certificate 1";
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        mbedtls_x509_crt chain;
        mbedtls_x509_crt_init(&chain);
        why[0] = '\0';
        int ret = certslot_cert_decode((const unsigned char *)cases[i].text, strlen(cases[i].text), &chain, why,
                                       sizeof(why));
        if (ret != CERTSLOT_ERR_CERT || strstr(why, cases[i].why) == NULL)
            fail_msg("case %zu: ret %d, why '%s', expected '%s'", i, ret, why, cases[i].why);
        assert_int_equal(chain.raw.len, 0); /* nothing half-decoded is handed back */
        mbedtls_x509_crt_free(&chain);
        free(cases[i].text);
    }
    /* A chain whose second block is broken is refused whole. */
    char *chain_text = tu_pki_read("server-chain.pem", NULL);
    char *second = strstr(strstr(chain_text, "END CERTIFICATE") + 1, "BEGIN CERTIFICATE") + 40;
    second[0] = second[0] == 'A' ? 'B' : 'A';
    second[1] = '*';
    mbedtls_x509_crt chain;
    mbedtls_x509_crt_init(&chain);
    assert_int_equal(certslot_cert_decode((unsigned char *)chain_text, strlen(chain_text), &chain, why, sizeof(why)),
                     CERTSLOT_ERR_CERT);
    assert_non_null(strstr(why, "PEM block 2"));
    assert_int_equal(chain.raw.len, 0);
    mbedtls_x509_crt_free(&chain);
    free(chain_text);
    free(pem);
    free(b64);
}

/* A key type the TLS library cannot use is refused by name, not as "not a valid X.509 certificate". */
static void test_unusable_key_types_are_named(void **state)
{
    (void)state;
    static const struct {
        const char *file, *why;
    } cases[] = {
        {"key-ed25519.crt", "certificate 1 has an Ed25519 key, which the TLS library (mbedTLS 3.6) cannot use"},
        {"key-ed448.crt", "certificate 1 has an Ed448 key, which the TLS library"},
        {"key-RSA-PSS.crt", "certificate 1 has an RSASSA-PSS key (id-RSASSA-PSS), which the TLS library"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        size_t len;
        char *text = tu_pki_read(cases[i].file, &len);
        mbedtls_x509_crt chain;
        mbedtls_x509_crt_init(&chain);
        why[0] = '\0';
        int ret = certslot_cert_decode((const unsigned char *)text, len, &chain, why, sizeof(why));
        if (ret != CERTSLOT_ERR_CERT || strstr(why, cases[i].why) == NULL)
            fail_msg("%s: ret %d, why '%s', expected '%s'", cases[i].file, ret, why, cases[i].why);
        mbedtls_x509_crt_free(&chain);
        free(text);
    }
}

static void test_keys_in_every_format(void **state)
{
    (void)state;
    static const char *const names[] = {"device.key", "device-pkcs1.key", "device-ec.key", "device-ec.p8.key"};
    static const char *const certs[] = {"device.crt", "device.crt", "device-ec.crt", "device-ec.crt"};
    for (size_t i = 0; i < 4; i++) {
        char *key = tu_pki_read(names[i], NULL);
        char *crt_pem = tu_pki_read(certs[i], NULL);
        mbedtls_x509_crt crt;
        decode_ok(crt_pem, strlen(crt_pem), &crt);
        for (int spaces = 0; spaces <= 1; spaces++) {
            if (spaces)
                replace(key, '\n', ' '); /* as XML attribute normalisation delivers it */
            mbedtls_pk_context pk;
            mbedtls_pk_init(&pk);
            if (certslot_key_decode((unsigned char *)key, strlen(key), &pk, why, sizeof(why)) != 0)
                fail_msg("%s (spaces %d): %s", names[i], spaces, why);
            assert_int_equal(certslot_key_matches(&crt, &pk), 0);
            mbedtls_pk_free(&pk);
        }
        mbedtls_x509_crt_free(&crt);
        free(key);
        free(crt_pem);
    }
}

static void test_bad_keys_are_refused_with_a_reason(void **state)
{
    (void)state;
    struct {
        const char *file, *text, *why;
    } cases[] = {
        {"device.enc.key", NULL, "the private key is encrypted"},
        {"device.legacy-enc.key", NULL, "the private key is encrypted"},
        {"device.crt", NULL, "'CERTIFICATE' is not a private key"},
        {NULL, "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC", "no -----BEGIN ... PRIVATE KEY----- header"},
        {NULL, "-----BEGIN " "PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n", "no -----END"},
        {NULL, "-----BEGIN " "PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END " "PRIVATE KEY-----\n",
         "not a valid PKCS#1, PKCS#8 or SEC1 private key"},
        {NULL, "-----BEGIN " "PRIVATE KEY-----\n%%%%\n-----END " "PRIVATE KEY-----\n", "not base64"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *text = cases[i].file != NULL ? tu_pki_read(cases[i].file, NULL) : strdup(cases[i].text);
        mbedtls_pk_context pk;
        mbedtls_pk_init(&pk);
        why[0] = '\0';
        int ret = certslot_key_decode((unsigned char *)text, strlen(text), &pk, why, sizeof(why));
        if (ret != CERTSLOT_ERR_KEY || strstr(why, cases[i].why) == NULL)
            fail_msg("case %zu: ret %d, why '%s', expected '%s'", i, ret, why, cases[i].why);
        mbedtls_pk_free(&pk);
        free(text);
    }
    /* A key that is fine but belongs to another certificate. */
    char *crt_pem = tu_pki_read("device.crt", NULL), *other = tu_pki_read("other.key", NULL);
    mbedtls_x509_crt crt;
    mbedtls_pk_context pk;
    decode_ok(crt_pem, strlen(crt_pem), &crt);
    mbedtls_pk_init(&pk);
    assert_int_equal(certslot_key_decode((unsigned char *)other, strlen(other), &pk, why, sizeof(why)), 0);
    assert_int_equal(certslot_key_matches(&crt, &pk), CERTSLOT_ERR_KEY);
    mbedtls_pk_free(&pk);
    mbedtls_x509_crt_free(&crt);
    free(crt_pem);
    free(other);
}

static void test_policy(void **state)
{
    (void)state;
    struct {
        const char *file, *why; /* why NULL: accepted */
    } cases[] = {
        {"root-rsa.crt", NULL},
        {"root-ec.crt", NULL},
        {"ec384.crt", NULL},
        {"weak-rsa1024.crt", "RSA key of 1024 bits (allowed: 2048 to 4096)"},
        {"weak-rsa4104.crt", "RSA key of 4104 bits"},
        {"weak-sha1.crt", "signed with SHA-1 (SHA-256 or stronger required)"},
        {"weak-p521.crt", "EC key on a 521-bit curve other than P-256 and P-384"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *pem = tu_pki_read(cases[i].file, NULL);
        mbedtls_x509_crt crt;
        int relaxed = -1;
        decode_ok(pem, strlen(pem), &crt);
        why[0] = '\0';
        int ret = certslot_policy_check(&crt, 0, &relaxed, why, sizeof(why));
        if (cases[i].why == NULL) {
            assert_int_equal(ret, 0);
            assert_int_equal(relaxed, 0);
        } else {
            if (ret != CERTSLOT_ERR_POLICY || strstr(why, cases[i].why) == NULL)
                fail_msg("%s: ret %d, why '%s'", cases[i].file, ret, why);
            /* Relaxed: accepted, but the caller learns what to log. */
            why[0] = '\0';
            assert_int_equal(certslot_policy_check(&crt, 1, &relaxed, why, sizeof(why)), 0);
            assert_int_equal(relaxed, 1);
            assert_non_null(strstr(why, cases[i].why));
        }
        mbedtls_x509_crt_free(&crt);
        free(pem);
    }
}

static void test_info_for_listing(void **state)
{
    (void)state;
    char *pem = tu_pki_read("device.crt", NULL);
    mbedtls_x509_crt crt;
    certslot_cert_info_t info;
    decode_ok(pem, strlen(pem), &crt);
    assert_int_equal(certslot_cert_info(&crt, &info), 0);
    assert_string_equal(info.subject_cn, "handset-0004f2a1b2c3");
    assert_string_equal(info.issuer_cn, "certslot Test Root CA");
    assert_string_equal(info.key_type, "RSA");
    assert_int_equal(info.key_bits, 2048);
    /* issued with -days 825 */
    assert_int_equal(info.not_after - info.not_before, 825 * 86400);
    mbedtls_x509_time epoch = {1970, 1, 1, 0, 0, 0}, leap = {2024, 2, 29, 12, 0, 1};
    assert_int_equal(certslot_time_from_x509(&epoch), 0);
    assert_int_equal(certslot_time_from_x509(&leap), 1709208001);
    mbedtls_x509_crt_free(&crt);
    free(pem);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_encoding_decodes_to_the_same_der),
        cmocka_unit_test(test_base64_padding),
        cmocka_unit_test(test_chain_keeps_order_leaf_first),
        cmocka_unit_test(test_bad_certificates_are_refused_with_a_reason),
        cmocka_unit_test(test_unusable_key_types_are_named),
        cmocka_unit_test(test_keys_in_every_format),
        cmocka_unit_test(test_bad_keys_are_refused_with_a_reason),
        cmocka_unit_test(test_policy),
        cmocka_unit_test(test_info_for_listing),
    };
    return cmocka_run_group_tests_name("cert", tests, NULL, NULL);
}
