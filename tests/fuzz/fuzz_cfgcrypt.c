/* libFuzzer: encrypted config files (header, base64, authentication) with a fixed key. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "certslot/cfgcrypt.h"
#include "certslot/platform.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char keytext[] = "Crypt=1;KeyDesc=fuzz;Key=00112233445566778899aabbccddeeff;";
    certslot_cfgcrypt_key_t key;
    char why[200], *plain = NULL;
    size_t plain_len = 0;

    memset(&key, 0, sizeof(key));
    if (certslot_cfgcrypt_key_parse(&key, keytext, sizeof(keytext) - 1, why, sizeof(why)) != 0)
        return 0;
    (void)certslot_cfgcrypt_detect((const char *)data, size);
    if (certslot_cfgcrypt_decrypt(&key, 1, (const char *)data, size, 1u << 20, &plain, &plain_len, why,
                                  sizeof(why)) == 0) {
        certslot_zeroize(plain, plain_len);
        certslot_free(plain);
    }
    /* Key strings too. */
    certslot_cfgcrypt_key_free(&key);
    (void)certslot_cfgcrypt_key_parse(&key, (const char *)data, size < 256 ? size : 256, why, sizeof(why));
    certslot_cfgcrypt_key_free(&key);
    return 0;
}
