/* libFuzzer: URLs (install from URL, provisioning server names). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "certslot/url.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char text[2048], why[200], desc[512];
    certslot_url_t url;

    if (size >= sizeof(text))
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    (void)certslot_url_is_url(text);
    if (certslot_url_parse(text, &url, why, sizeof(why)) == 0) {
        certslot_url_describe(&url, desc, sizeof(desc));
        certslot_url_wipe(&url);
    }
    for (int scheme = 0; scheme < 5; scheme++) {
        if (certslot_url_parse_server(text, (certslot_scheme_t)scheme, &url, why, sizeof(why)) == 0)
            certslot_url_wipe(&url);
    }
    return 0;
}
