/* libFuzzer: PKCS#12 files (pfx split), with the test PKI's password. */
#include <stddef.h>
#include <stdint.h>

#include "pkcs12.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    certslot_pkcs12_t p12;
    char why[200];

    certslot_pkcs12_init(&p12);
    (void)certslot_pkcs12_parse(&p12, data, size, "pfx-secret", why, sizeof(why));
    certslot_pkcs12_free(&p12);
    return 0;
}
