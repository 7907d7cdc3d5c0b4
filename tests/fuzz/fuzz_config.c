/* libFuzzer: the config parser on whole files (XML, the .set gate, values), and the settings it makes as the store
 * keeps them: encoded, decoded, and the same; a record of random bytes (the first input byte odd) decoded. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "certslot/config.h"
#include "certslot/platform.h"
#include "certslot/settings.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static certslot_config_t cfg;
    static certslot_settings_t settings, again;
    static unsigned char record[CERTSLOT_SETTINGS_TEXT_MAX + 512];
    char why[200];

    if (size > 0 && (data[0] & 1)) {
        (void)certslot_settings_decode(&again, data + 1, size - 1);
        certslot_settings_free(&again);
        return 0;
    }
    certslot_config_init(&cfg);
    (void)certslot_config_set_mac(&cfg, "0004f2a1b2c3");
    (void)certslot_config_parse_buffer(&cfg, "fuzz.cfg", (const char *)data, size);
    (void)certslot_config_finish(&cfg);
    for (certslot_param_t p = 0; p < CERTSLOT_PARAM_COUNT; p++)
        (void)certslot_config_get_num(&cfg, p);
    /* What the store keeps must read back as the same settings. */
    if (certslot_config_settings(&cfg, &settings, why, sizeof(why)) == 0) {
        size_t n = certslot_settings_encode(&settings, record, sizeof(record));
        if (n > sizeof(record) || certslot_settings_decode(&again, record, n) != 0 ||
            !certslot_settings_equal(&settings, &again))
            abort();
    }
    certslot_settings_free(&settings);
    certslot_settings_free(&again);
    certslot_config_free(&cfg);
    return 0;
}
