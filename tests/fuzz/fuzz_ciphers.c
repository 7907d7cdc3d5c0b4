/* libFuzzer: OpenSSL-syntax cipher lists. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "certslot/ciphers.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char list[1024], why[160];
    int ids[64];

    if (size >= sizeof(list))
        return 0;
    memcpy(list, data, size);
    list[size] = '\0';
    (void)certslot_ciphers_map(list, ids, sizeof(ids) / sizeof(ids[0]), why, sizeof(why));
    return 0;
}
