/*
 * A key pair and CSR generated on the simulated handset: the CSR is valid
 * and signed by the key the slot keeps (encrypted, across a reboot); the
 * slot waits for its certificate, refuses one for another key, and is
 * complete once the certificate signed for the CSR is installed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/md.h>
#include <mbedtls/pk.h>
#include <mbedtls/x509_crt.h>
#include <mbedtls/x509_csr.h>

#include "certslot/cert.h"
#include "certslot/csr.h"
#include "certslot/error.h"
#include "certslot/hal_sim.h"
#include "certslot/platform.h"
#include "certslot/store.h"
#include "testutil.h"

#ifndef MBEDTLS_PRIVATE
#define MBEDTLS_PRIVATE(m) m
#endif

static certslot_hal_sim_t sim;
static certslot_hal_t hal;
static certslot_store_t st;
static certslot_result_t res;

static int setup(void **state)
{
    (void)state;
    certslot_hal_sim_init(&sim, &hal);
    assert_int_equal(certslot_hal_sim_set_mac(&sim, "0004f2a1b2c3"), 0);
    assert_int_equal(certslot_store_open(&st, &hal), 0);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    certslot_store_free(&st);
    certslot_hal_sim_free(&sim);
    return 0;
}

static int rng(void *ctx, unsigned char *buf, size_t len)
{
    (void)ctx;
    for (size_t i = 0; i < len; i++)
        buf[i] = (unsigned char)(rand() & 0xff);
    return 0;
}

/* Signs the CSR's key with the test PKI's root (the administrator's part), DER into out. */
static size_t sign_csr(const mbedtls_x509_csr *csr, unsigned char *out, size_t size)
{
    size_t len;
    char *key_pem = tu_pki_read("root-rsa.key", &len), why[CERTSLOT_WHY_LEN];
    char *ca_pem = tu_pki_read("root-rsa.crt", &len);
    mbedtls_pk_context ca_key;
    mbedtls_x509_crt ca;
    mbedtls_x509write_cert w;
    mbedtls_mpi serial;
    char issuer[256];

    mbedtls_pk_init(&ca_key);
    mbedtls_x509_crt_init(&ca);
    mbedtls_x509write_crt_init(&w);
    mbedtls_mpi_init(&serial);
    assert_int_equal(certslot_key_decode((unsigned char *)key_pem, strlen(key_pem), &ca_key, why, sizeof(why)), 0);
    assert_int_equal(certslot_cert_decode((unsigned char *)ca_pem, strlen(ca_pem), &ca, why, sizeof(why)), 0);
    assert_true(mbedtls_x509_dn_gets(issuer, sizeof(issuer), &ca.subject) > 0);
    mbedtls_x509write_crt_set_version(&w, MBEDTLS_X509_CRT_VERSION_3);
    mbedtls_x509write_crt_set_md_alg(&w, MBEDTLS_MD_SHA256);
    mbedtls_x509write_crt_set_subject_key(&w, (mbedtls_pk_context *)&csr->pk);
    mbedtls_x509write_crt_set_issuer_key(&w, &ca_key);
    assert_int_equal(mbedtls_x509write_crt_set_subject_name(&w, "CN=handset-0004f2a1b2c3"), 0);
    assert_int_equal(mbedtls_x509write_crt_set_issuer_name(&w, issuer), 0);
    assert_int_equal(mbedtls_mpi_lset(&serial, 4242), 0);
    assert_int_equal(mbedtls_x509write_crt_set_serial(&w, &serial), 0);
    assert_int_equal(mbedtls_x509write_crt_set_validity(&w, "20240101000000", "20991231235959"), 0);
    int n = mbedtls_x509write_crt_der(&w, out, size, rng, NULL);
    assert_true(n > 0);
    memmove(out, out + size - (size_t)n, (size_t)n);
    mbedtls_mpi_free(&serial);
    mbedtls_x509write_crt_free(&w);
    mbedtls_x509_crt_free(&ca);
    mbedtls_pk_free(&ca_key);
    free(key_pem);
    free(ca_pem);
    return (size_t)n;
}

static void test_csr_key_waits_for_its_certificate(void **state)
{
    (void)state;
    certslot_csr_subject_t subj = {"handset-0004f2a1b2c3", "ACME, Inc", "it@example.com", "DE", "Bayern"};
    char *pem = NULL;
    size_t pem_len = 0;

    tu_alloc_quarantine(1); /* every block freed while the key is made is kept, to look for the key in it */
    assert_int_equal(certslot_store_csr(&st, CERTSLOT_SLOT_PLATFORM2, &subj, 0, &pem, &pem_len, &res), 0);
    assert_non_null(strstr(res.msg, "awaiting its certificate"));
    assert_int_equal(strlen(pem), pem_len);
    assert_non_null(strstr(pem, "-----BEGIN CERTIFICATE REQUEST-----"));

    /* A valid request: SHA-256, RSA 2048, the subject asked for, signed by the slot's key. */
    mbedtls_x509_csr csr;
    mbedtls_x509_csr_init(&csr);
    assert_int_equal(mbedtls_x509_csr_parse(&csr, (unsigned char *)pem, pem_len + 1), 0);
    assert_int_equal(csr.MBEDTLS_PRIVATE(sig_md), MBEDTLS_MD_SHA256);
    assert_int_equal(mbedtls_pk_get_bitlen(&csr.pk), 2048);
    char dn[300];
    assert_true(mbedtls_x509_dn_gets(dn, sizeof(dn), &csr.subject) > 0);
    /* (mbedTLS versions differ in whether they escape the comma in "ACME, Inc") */
    assert_non_null(strstr(dn, "C=DE, ST=Bayern, O=ACME"));
    assert_non_null(strstr(dn, " Inc, CN=handset-0004f2a1b2c3, emailAddress=it@example.com"));
    unsigned char hash[32];
    assert_int_equal(mbedtls_md(mbedtls_md_info_from_type(MBEDTLS_MD_SHA256), csr.cri.p, csr.cri.len, hash), 0);
    assert_int_equal(mbedtls_pk_verify(&csr.pk, MBEDTLS_MD_SHA256, hash, 32, csr.MBEDTLS_PRIVATE(sig).p,
                                       csr.MBEDTLS_PRIVATE(sig).len),
                     0);
    /* No block freed while the key was generated, stored and the request signed holds a piece of the key. */
    const certslot_blob_t *made = &st.part[CERTSLOT_SLOT_PLATFORM2][CERTSLOT_KIND_DEVICE].key;
    assert_int_equal(tu_alloc_freed_key_chunks(made->der, made->len, csr.raw.p, csr.raw.len), 0);
    tu_alloc_quarantine(0);

    /* The slot holds only the key, never in clear on storage, and keeps it across a reboot. */
    const certslot_part_t *p = &st.part[CERTSLOT_SLOT_PLATFORM2][CERTSLOT_KIND_DEVICE];
    assert_int_equal(p->ncerts, 0);
    assert_non_null(p->key.der);
    unsigned char key_head[64];
    memcpy(key_head, p->key.der + p->key.len - 64, 64);
    const unsigned char *file;
    size_t file_len;
    assert_int_equal(certslot_hal_sim_file(&sim, "store", &file, &file_len), 0);
    for (size_t i = 0; i + 64 <= file_len; i++)
        assert_memory_not_equal(file + i, key_head, 64);
    assert_int_equal(certslot_hal_sim_power_cycle(&sim), 0);
    certslot_store_free(&st);
    assert_int_equal(certslot_store_open(&st, &hal), 0);
    p = &st.part[CERTSLOT_SLOT_PLATFORM2][CERTSLOT_KIND_DEVICE];
    assert_non_null(p->key.der);
    assert_memory_equal(p->key.der + p->key.len - 64, key_head, 64);

    /* A certificate for another key is refused; the key stays. */
    size_t len;
    char *other = tu_pki_read("device.crt", &len);
    assert_int_equal(certslot_store_install(&st, CERTSLOT_SLOT_PLATFORM2, CERTSLOT_KIND_DEVICE,
                                            (unsigned char *)other, len, NULL, 0, 0, &res),
                     CERTSLOT_ERR_KEY);
    assert_non_null(strstr(res.msg, "does not match"));
    assert_int_equal(p->ncerts, 0);
    assert_non_null(p->key.der);
    free(other);

    /* The certificate signed for the CSR completes the slot. */
    unsigned char der[4096];
    size_t der_len = sign_csr(&csr, der, sizeof(der));
    assert_int_equal(certslot_store_install(&st, CERTSLOT_SLOT_PLATFORM2, CERTSLOT_KIND_DEVICE, der, der_len, NULL,
                                            0, 0, &res),
                     0);
    assert_non_null(strstr(res.msg, "with private key"));
    assert_int_equal(p->ncerts, 1);

    /* Now the slot holds a certificate: a new CSR needs replace. */
    char *again = NULL;
    assert_int_equal(certslot_store_csr(&st, CERTSLOT_SLOT_PLATFORM2, &subj, 0, &again, &len, &res),
                     CERTSLOT_ERR_CERT);
    assert_null(again);
    assert_non_null(strstr(res.msg, "holds a device certificate"));
    assert_int_equal(p->ncerts, 1);

    mbedtls_x509_csr_free(&csr);
    certslot_free(pem);
}

static void test_bad_subjects_change_nothing(void **state)
{
    (void)state;
    static const certslot_csr_subject_t bad[] = {
        {NULL, NULL, NULL, NULL, NULL},          {"", NULL, NULL, NULL, NULL},
        {"a\\b", NULL, NULL, NULL, NULL},        {"x", NULL, NULL, "DEU", NULL},
        {"x", NULL, NULL, "1A", NULL},           {"x", "line\nbreak", NULL, NULL, NULL},
        {"x", NULL, "a,b@example.com", NULL, NULL},
        {"0123456789012345678901234567890123456789012345678901234567890123456789", NULL, NULL, NULL, NULL},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char *pem = NULL;
        size_t len = 0;
        assert_int_equal(certslot_store_csr(&st, CERTSLOT_SLOT_APPLICATION1, &bad[i], 0, &pem, &len, &res),
                         CERTSLOT_ERR_ARG);
        assert_null(pem);
        assert_non_null(strstr(res.msg, "no CSR"));
        assert_null(st.part[CERTSLOT_SLOT_APPLICATION1][CERTSLOT_KIND_DEVICE].key.der);
    }
    assert_int_equal(st.generation, 0); /* nothing was written */
}

/* The hal's random source fails (a broken entropy driver): no key is made from what it gave, nothing is stored. */
static int broken_random(void *ctx, unsigned char *buf, size_t len)
{
    (void)ctx, (void)buf, (void)len;
    return CERTSLOT_ERR_IO;
}

static void test_failing_random_source_makes_no_key(void **state)
{
    (void)state;
    const certslot_csr_subject_t subj = {"handset-0004f2a1b2c3", NULL, NULL, NULL, NULL};
    char *pem = NULL;
    size_t len = 0;
    hal.random = broken_random;
    assert_int_equal(certslot_store_csr(&st, CERTSLOT_SLOT_APPLICATION1, &subj, 0, &pem, &len, &res), CERTSLOT_ERR_IO);
    assert_null(pem);
    if (strstr(res.msg, "application1 device: no CSR: the random source failed") == NULL)
        fail_msg("%s", res.msg);
    assert_null(st.part[CERTSLOT_SLOT_APPLICATION1][CERTSLOT_KIND_DEVICE].key.der);
    assert_int_equal(st.generation, 0); /* nothing was written */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_csr_key_waits_for_its_certificate, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_subjects_change_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failing_random_source_makes_no_key, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
