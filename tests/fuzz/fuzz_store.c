/*
 * libFuzzer: the store loader. Odd inputs go to the record parser behind the
 * encryption (reachable only with the device's key); even inputs are a whole
 * store file, with its header, length and authentication checks.
 */
#include <stddef.h>
#include <stdint.h>

#include "certslot/hal_sim.h"
#include "certslot/store.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int certslot_store_fuzz_records(const unsigned char *plain, size_t len);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static certslot_hal_sim_t sim;
    static certslot_hal_t hal;
    static int ready;
    certslot_store_t st;

    if (size == 0)
        return 0;
    if (data[0] & 1) {
        (void)certslot_store_fuzz_records(data + 1, size - 1);
        return 0;
    }
    if (!ready) {
        certslot_hal_sim_init(&sim, &hal);
        ready = 1;
    }
    (void)hal.storage_write(hal.ctx, "store", data + 1, size - 1);
    (void)certslot_store_open(&st, &hal);
    certslot_store_free(&st);
    (void)hal.storage_remove(hal.ctx, "store");
    return 0;
}
