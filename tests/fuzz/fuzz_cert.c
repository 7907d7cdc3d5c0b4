/*
 * libFuzzer: certificate and key values in every encoding, the policy, the
 * description, and path building: when the value holds two certificates or
 * more, the last is the trust anchor and the others the chain a peer sent
 * (in any order), verified for "server.test" a day after the harness
 * started (the test PKI is made at test time), with the built-in list
 * trusted too when the input's length is odd. The config stage's PEM
 * decoder is held to the store's on the same input.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "certslot/cert.h"
#include "certslot/verify.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void path(mbedtls_x509_crt *chain, size_t size)
{
    static int64_t now;
    mbedtls_x509_crt *before = NULL;
    for (mbedtls_x509_crt *c = chain; c->next != NULL; c = c->next)
        before = c;
    if (before == NULL)
        return;
    if (now == 0)
        now = (int64_t)time(NULL) + 86400;
    mbedtls_x509_crt *trust = before->next;
    certslot_verify_t v;
    before->next = NULL; /* the anchor apart, given back before the chain is freed */
    certslot_verify_init(&v, NULL);
    v.use_time = 1;
    v.time = now;
    v.builtin = (int)(size & 1);
    (void)certslot_verify_set_name(&v, "server.test", 11);
    (void)certslot_verify_chain(&v, chain, trust);
    before->next = trust;
}

/*
 * The config stage's PEM decoder (a value as DER) against the store's: what
 * it takes, the store reads as the same certificates, and a room one byte
 * short is refused, not overrun (ASan).
 */
static void pem_der(const uint8_t *data, size_t size, const mbedtls_x509_crt *chain, int decoded)
{
    size_t room = CERTSLOT_CERT_PEM_DER_ROOM(size);
    unsigned char *der = malloc(room);
    size_t n = der != NULL ? certslot_cert_pem_der(data, size, der, room) : 0;
    if (n > 0) {
        char why[CERTSLOT_WHY_LEN];
        mbedtls_x509_crt again;
        mbedtls_x509_crt_init(&again);
        int ok = certslot_cert_decode(der, n, &again, why, sizeof(why)) == 0;
        if (ok != decoded)
            abort();
        size_t at = 0;
        for (const mbedtls_x509_crt *c = chain; ok && c != NULL; c = c->next) {
            if (at + c->raw.len > n || memcmp(der + at, c->raw.p, c->raw.len) != 0)
                abort();
            at += c->raw.len;
        }
        if (ok && at != n)
            abort();
        mbedtls_x509_crt_free(&again);
        unsigned char *tight = malloc(n - 1); /* n >= 6: a room one byte short of the DER */
        if (tight != NULL && certslot_cert_pem_der(data, size, tight, n - 1) != 0)
            abort();
        free(tight);
    }
    free(der);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char why[CERTSLOT_WHY_LEN];
    mbedtls_x509_crt chain;
    mbedtls_pk_context pk;

    mbedtls_x509_crt_init(&chain);
    mbedtls_pk_init(&pk);
    int decoded = certslot_cert_decode(data, size, &chain, why, sizeof(why)) == 0;
    pem_der(data, size, &chain, decoded);
    if (decoded) {
        for (const mbedtls_x509_crt *c = &chain; c != NULL && c->raw.len > 0; c = c->next) {
            certslot_cert_info_t info;
            int relaxed;
            (void)certslot_cert_info(c, &info);
            (void)certslot_policy_check(c, 0, &relaxed, why, sizeof(why));
        }
        path(&chain, size);
    }
    if (certslot_key_decode(data, size, &pk, why, sizeof(why)) == 0 && chain.raw.len > 0)
        (void)certslot_key_matches(&chain, &pk);
    mbedtls_pk_free(&pk);
    mbedtls_x509_crt_free(&chain);
    return 0;
}
