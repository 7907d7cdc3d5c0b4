/* libFuzzer: certificate and key values in every encoding, the policy, the description. */
#include <stddef.h>
#include <stdint.h>

#include "certslot/cert.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char why[CERTSLOT_WHY_LEN];
    mbedtls_x509_crt chain;
    mbedtls_pk_context pk;

    mbedtls_x509_crt_init(&chain);
    mbedtls_pk_init(&pk);
    if (certslot_cert_decode(data, size, &chain, why, sizeof(why)) == 0) {
        for (const mbedtls_x509_crt *c = &chain; c != NULL && c->raw.len > 0; c = c->next) {
            certslot_cert_info_t info;
            int relaxed;
            (void)certslot_cert_info(c, &info);
            (void)certslot_policy_check(c, 0, &relaxed, why, sizeof(why));
        }
    }
    if (certslot_key_decode(data, size, &pk, why, sizeof(why)) == 0 && chain.raw.len > 0)
        (void)certslot_key_matches(&chain, &pk);
    mbedtls_pk_free(&pk);
    mbedtls_x509_crt_free(&chain);
    return 0;
}
