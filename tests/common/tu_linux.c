/*
 * Test helpers over hal/linux (testutil.h): the lwIP tests, whose library
 * has no hal/linux, link without this file.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "certslot/hal_linux.h"
#include "testutil.h"

int tu_parse_file(certslot_config_t *cfg, const char *path)
{
    certslot_source_t src;
    certslot_hal_linux_config_files(&src);
    return certslot_config_parse(cfg, &src, path);
}

int tu_load_master(certslot_config_t *cfg, const char *path)
{
    certslot_hal_linux_dir_t dir;
    certslot_source_t src;
    const char *master;
    assert_int_equal(certslot_hal_linux_config_dir(&dir, &src, path, &master), 0);
    return certslot_config_load_master(cfg, &src, master);
}
