/*
 * The library built with every feature switch of certslot/options.h off
 * (the min variant): it links, and each feature left out fails with
 * CERTSLOT_ERR_UNSUPPORTED and a message that says so.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "certslot/config.h"
#include "certslot/error.h"
#include "certslot/fetch.h"
#include "certslot/hal_sim.h"
#include "certslot/store.h"
#include "certslot/url.h"

#if CERTSLOT_WITH_FTP || CERTSLOT_WITH_TFTP || CERTSLOT_WITH_CONFIG_ENCRYPTION || CERTSLOT_WITH_CSR
#error "tests/min is built with every feature off"
#endif

static void test_left_out_protocols(void **state)
{
    static const char *const urls[] = {"ftp://u:p@127.0.0.1:1/f.cfg", "ftps://u:p@127.0.0.1:1/f.cfg",
                                       "tftp://127.0.0.1:1/f.cfg"};
    certslot_fetch_opts_t o;
    certslot_result_t res;
    (void)state;
    memset(&o, 0, sizeof(o));
    for (size_t i = 0; i < sizeof(urls) / sizeof(urls[0]); i++) {
        certslot_url_t url;
        char why[200];
        unsigned char *data = NULL;
        size_t len = 0;
        assert_int_equal(certslot_url_parse(urls[i], &url, why, sizeof(why)), 0);
        assert_int_equal(certslot_fetch(&o, &url, &data, &len, &res), CERTSLOT_ERR_UNSUPPORTED);
        assert_int_equal(res.status, CERTSLOT_STATUS_UNSUPPORTED);
        assert_non_null(strstr(res.msg, "is left out of this build"));
        assert_null(data);
    }
}

static void test_left_out_csr_and_encryption(void **state)
{
    certslot_hal_sim_t sim;
    certslot_hal_t hal;
    certslot_store_t st;
    certslot_result_t res;
    certslot_csr_subject_t subject = {"handset", NULL, NULL, NULL, NULL};
    char *pem = (char *)&res;
    size_t pem_len = 0;
    (void)state;
    certslot_hal_sim_init(&sim, &hal);
    assert_int_equal(certslot_store_open(&st, &hal), 0);
    assert_int_equal(certslot_store_csr(&st, CERTSLOT_SLOT_PLATFORM1, &subject, 0, &pem, &pem_len, &res),
                     CERTSLOT_ERR_UNSUPPORTED);
    assert_null(pem);
    assert_non_null(strstr(res.msg, "left out of this build"));
    certslot_store_free(&st);
    certslot_hal_sim_free(&sim);

    /* An encrypted config file is rejected whole, saying why. */
    static const char enc[] = "CERTSLOT-ENCRYPTED-CONFIG v1 keydesc=site\nAAAA\n";
    certslot_config_t *cfg = calloc(1, sizeof(*cfg));
    assert_non_null(cfg);
    certslot_config_init(cfg);
    assert_int_not_equal(certslot_config_parse_buffer(cfg, "site.enc", enc, sizeof(enc) - 1), 0);
    certslot_config_finish(cfg);
    int found = 0;
    for (size_t i = 0; i < cfg->ndiags; i++)
        found |= strstr(cfg->diags[i].msg, "left out of this build") != NULL;
    assert_true(found);
    certslot_config_free(cfg);
    free(cfg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_left_out_protocols),
        cmocka_unit_test(test_left_out_csr_and_encryption),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
