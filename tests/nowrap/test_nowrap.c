/*
 * certslot linked without -Wl,--wrap=mbedtls_x509_crt_parse_der (the one
 * program built so): mbedTLS would then parse the server's chain itself,
 * past the cap on its length and the RSA exponent bound, so TLS setup
 * refuses and says which flag is missing. Parsing and verifying without a
 * handshake (certslot_cert_decode, `certslot verify`) need no wrap.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "certslot/cert.h"
#include "certslot/config.h"
#include "certslot/error.h"
#include "certslot/hal_sim.h"
#include "certslot/store.h"
#include "certslot/tls.h"
#include "testutil.h"

static void test_tls_setup_refuses_without_the_wrap(void **state)
{
    certslot_hal_sim_t sim;
    certslot_hal_t hal;
    certslot_store_t st;
    certslot_config_t cfg;
    certslot_tls_t tls;
    char why[CERTSLOT_WHY_LEN];
    static const char xml[] = "<x sec.TLS.profileSelection.SIP='ApplicationProfile1'/>";
    (void)state;

    certslot_hal_sim_init(&sim, &hal);
    assert_int_equal(certslot_store_open(&st, &hal), 0);
    certslot_config_init(&cfg);
    assert_int_equal(certslot_config_parse_buffer(&cfg, "case.cfg", xml, strlen(xml)), 0);
    assert_int_equal(certslot_config_finish(&cfg), 0);
    certslot_tls_init(&tls);
    assert_int_equal(certslot_tls_setup(&tls, &hal, tu_settings(&cfg), &st, CERTSLOT_APP_SIP, why, sizeof(why)),
                     CERTSLOT_ERR_TLS);
    if (strstr(why, "linked without -Wl,--wrap=mbedtls_x509_crt_parse_der") == NULL)
        fail_msg("why: %s", why);
    certslot_tls_free(&tls);
    certslot_config_free(&cfg);
    certslot_store_free(&st);
    certslot_hal_sim_free(&sim);
}

static void test_certificates_still_parse(void **state)
{
    mbedtls_x509_crt chain;
    size_t len;
    char why[CERTSLOT_WHY_LEN];
    char *pem = tu_pki_read("rfc5280/root.crt", &len);
    (void)state;

    mbedtls_x509_crt_init(&chain);
    assert_int_equal(certslot_cert_decode((unsigned char *)pem, len, &chain, why, sizeof(why)), 0);
    mbedtls_x509_crt_free(&chain);
    free(pem);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tls_setup_refuses_without_the_wrap),
        cmocka_unit_test(test_certificates_still_parse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
