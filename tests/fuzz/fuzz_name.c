/*
 * libFuzzer: the strict name check. The first byte says how long the name
 * is; the rest is a certificate (DER).
 */
#include <stddef.h>
#include <stdint.h>

#include "certslot/name.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    unsigned char ip[16];
    size_t ip_len, n;
    char why[160];
    mbedtls_x509_crt crt;

    if (size == 0)
        return 0;
    n = data[0] < size - 1 ? data[0] : size - 1;
    (void)certslot_ip_parse((const char *)data + 1, n, ip, &ip_len);
    mbedtls_x509_crt_init(&crt);
    if (mbedtls_x509_crt_parse_der(&crt, data + 1 + n, size - 1 - n) == 0)
        (void)certslot_name_check(&crt, (const char *)data + 1, n, why, sizeof(why));
    mbedtls_x509_crt_free(&crt);
    return 0;
}
