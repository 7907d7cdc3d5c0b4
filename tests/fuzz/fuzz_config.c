/* libFuzzer: the config parser on whole files (XML, the .set gate, values). */
#include <stddef.h>
#include <stdint.h>

#include "certslot/config.h"
#include "certslot/platform.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static certslot_config_t cfg;
    char *xml = NULL;
    size_t len = 0;

    certslot_config_init(&cfg);
    (void)certslot_config_set_mac(&cfg, "0004f2a1b2c3");
    (void)certslot_config_parse_buffer(&cfg, "fuzz.cfg", (const char *)data, size);
    (void)certslot_config_finish(&cfg);
    for (certslot_param_t p = 0; p < CERTSLOT_PARAM_COUNT; p++)
        (void)certslot_config_get_num(&cfg, p);
    /* What the store keeps must read back. */
    if (certslot_config_export(&cfg, &xml, &len) == 0) {
        static certslot_config_t again;
        certslot_config_init(&again);
        (void)certslot_config_parse_buffer(&again, "export", xml, len);
        (void)certslot_config_finish(&again);
        certslot_config_free(&again);
        certslot_free(xml);
    }
    certslot_config_free(&cfg);
    return 0;
}
