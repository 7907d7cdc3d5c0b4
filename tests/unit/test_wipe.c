/*
 * With libc's allocator, the default (no certslot_platform_set_calloc_free),
 * the blocks expat frees are wiped too: they are libc's own then, not
 * certslot's. This program puts libc's allocator back (testutil installs a
 * counting one), interposes free and searches every block freed while a
 * config file is parsed for the file's password. Under ASan, which has its
 * own free, the program has no free of its own and the test is skipped.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <malloc.h>

#include "certslot/config.h"
#include "certslot/param.h"
#include "certslot/platform.h"
#include "testutil.h"

#if defined(__SANITIZE_ADDRESS__)
#define INTERPOSED 0
#else
#define INTERPOSED 1
static const char *needle;
static size_t hits;

extern void __libc_free(void *p);

void free(void *p)
{
    if (p != NULL && needle != NULL) {
        const unsigned char *b = p;
        size_t n = malloc_usable_size(p), k = strlen(needle);
        for (size_t i = 0; i + k <= n; i++) {
            if (b[i] == (unsigned char)needle[0] && memcmp(b + i, needle, k) == 0) {
                hits++;
                break;
            }
        }
    }
    __libc_free(p);
}
#endif

static void test_expat_blocks_from_libc_are_wiped(void **state)
{
    (void)state;
#if INTERPOSED
    const char *dir = tu_tmpdir();
    char path[512];
    certslot_config_t cfg;
    tu_write_str(dir, "secret.cfg",
                 "<p device.set=\"1\" device.prov.password=\"pw-W1peMarker\" device.prov.password.set=\"1\"/>\n");
    snprintf(path, sizeof(path), "%s/secret.cfg", dir);
    certslot_config_init(&cfg);
    needle = "W1peMarker";
    hits = 0;
    assert_int_equal(tu_parse_file(&cfg, path), 0);
    assert_int_equal(certslot_config_finish(&cfg), 0);
    certslot_param_t pw = certslot_param_lookup("device.prov.password", 20, NULL);
    assert_string_equal(certslot_config_get(&cfg, pw), "pw-W1peMarker");
    certslot_config_free(&cfg);
    needle = NULL;
    assert_int_equal(hits, 0);
    tu_rmtree(dir);
#else
    skip();
#endif
}

int main(void)
{
    certslot_platform_set_calloc_free(calloc, free); /* libc's, as on a handset that installs none */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_expat_blocks_from_libc_are_wiped),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
