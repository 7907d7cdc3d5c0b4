/*
 * Settings, the typed stage between the config files and the store: the
 * defaults are what an empty configuration decides, the record the store
 * keeps reads back the same, and a damaged or foreign record is refused.
 */
#define _GNU_SOURCE /* memmem */
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
#include "certslot/settings.h"
#include "testutil.h"

static certslot_config_t cfg;
static certslot_settings_t a, b;
static unsigned char rec[CERTSLOT_SETTINGS_TEXT_MAX + 512];

static void load(const char *xml)
{
    certslot_config_free(&cfg);
    certslot_config_init(&cfg);
    assert_int_equal(certslot_config_parse_buffer(&cfg, "s.cfg", xml, strlen(xml)), 0);
    assert_int_equal(certslot_config_finish(&cfg), 0);
}

static int teardown(void **state)
{
    (void)state;
    certslot_config_free(&cfg);
    return 0;
}

static void test_defaults_are_what_an_empty_configuration_decides(void **state)
{
    char why[200];
    (void)state;
    load("<x/>");
    assert_int_equal(certslot_config_settings(&cfg, &a, why, sizeof(why)), 0);
    certslot_settings_init(&b);
    assert_true(certslot_settings_equal(&a, &b));
    assert_string_equal(certslot_settings_text(&b, b.ciphers), CERTSLOT_CIPHERS_DEFAULT);
    assert_string_equal(certslot_settings_text(&b, b.prov_user), "PlcmSpIp");
    assert_int_equal(b.app[CERTSLOT_APP_SIP].min_version, CERTSLOT_TLS_1_2);
    assert_int_equal(b.app[CERTSLOT_APP_SIP].strict, 1);
    assert_int_equal(b.profile[0].ca_slots, 0xff); /* All */
}

static void test_every_setting_round_trips(void **state)
{
    char why[200];
    (void)state;
    load("<x device.set='1' device.sec.TLS.profile.caCertList2='BuiltinAndPlatform1' "
         "device.sec.TLS.profile.caCertList2.set='1' device.sec.TLS.profile.deviceCert2='Platform2' "
         "device.sec.TLS.profile.deviceCert2.set='1' device.sec.TLS.profile.cipherSuiteDefault2='0' "
         "device.sec.TLS.profile.cipherSuiteDefault2.set='1' device.sec.TLS.profile.cipherSuite2='AES128-SHA' "
         "device.sec.TLS.profile.cipherSuite2.set='1' sec.TLS.profile.4.caCert.defaultList='0' "
         "sec.TLS.profile.4.caCert.application3='0' sec.TLS.profile.4.deviceCert='Application6' "
         "sec.TLS.profileSelection.SIP='ApplicationProfile4' sec.TLS.SIP.strictCertCommonNameValidation='0' "
         "sec.TLS.protocol.sip='TLSv1_1' sec.TLS.LDAP.cipherList='ECDHE+AESGCM' sec.TLS.cipherList='HIGH' "
         "device.sec.TLS.allowWeakCertificates='1' device.sec.TLS.allowWeakCertificates.set='1' "
         "device.prov.serverType='HTTPS' device.prov.serverType.set='1' "
         "device.prov.serverName='prov.example.com/cfg' device.prov.serverName.set='1' "
         "device.prov.password='s3cret' device.prov.password.set='1'/>");
    assert_int_equal(certslot_config_settings(&cfg, &a, why, sizeof(why)), 0);
    assert_int_equal(a.profile[1].builtin, 1);
    assert_int_equal(a.profile[1].ca_slots, 1);
    assert_int_equal(a.profile[1].device, 1);
    assert_int_equal(a.profile[1].own_ciphers, 1);
    assert_string_equal(certslot_settings_text(&a, a.profile[1].ciphers), "AES128-SHA");
    assert_int_equal(a.profile[5].builtin, 0);
    assert_int_equal(a.profile[5].ca_slots, 0xff & ~(1u << 4));
    assert_int_equal(a.profile[5].device, 7);
    assert_int_equal(a.app[CERTSLOT_APP_SIP].profile, 5);
    assert_int_equal(a.app[CERTSLOT_APP_SIP].strict, 0);
    assert_int_equal(a.app[CERTSLOT_APP_SIP].min_version, CERTSLOT_TLS_1_1);
    assert_string_equal(certslot_settings_text(&a, a.app[CERTSLOT_APP_LDAP].ciphers), "ECDHE+AESGCM");
    assert_string_equal(certslot_settings_text(&a, a.app[CERTSLOT_APP_SIP].ciphers), ""); /* NoCipher */
    assert_string_equal(certslot_settings_text(&a, a.ciphers), "HIGH");
    assert_int_equal(a.allow_weak, 1);
    assert_int_equal(a.prov_type, 3);
    assert_string_equal(certslot_settings_text(&a, a.prov_server), "prov.example.com/cfg");
    assert_string_equal(certslot_settings_text(&a, a.prov_password), "s3cret");

    size_t n = certslot_settings_encode(&a, rec, sizeof(rec));
    assert_true(n < sizeof(rec));
    assert_int_equal(certslot_settings_encode(&a, NULL, 0), n);
    assert_int_equal(certslot_settings_decode(&b, rec, n), 0);
    assert_true(certslot_settings_equal(&a, &b));
    certslot_settings_init(&b);
    assert_false(certslot_settings_equal(&a, &b));
    /* Freed settings hold no password any more. */
    certslot_settings_free(&a);
    assert_null(memmem(&a, sizeof(a), "s3cret", 6));
}

static void test_record_reads_forward_and_refuses_damage(void **state)
{
    (void)state;
    certslot_settings_init(&a);
    size_t n = certslot_settings_encode(&a, rec, sizeof(rec));
    /* A later version's setting (unknown tag) is skipped; missing settings keep their defaults. */
    memcpy(rec + n, "\x7f\x00\x03xyz", 6);
    assert_int_equal(certslot_settings_decode(&b, rec, n + 6), 0);
    assert_true(certslot_settings_equal(&a, &b));
    static const unsigned char only_weak[] = {1, 0x31, 0, 1, 1};
    assert_int_equal(certslot_settings_decode(&b, only_weak, sizeof(only_weak)), 0);
    assert_int_equal(b.allow_weak, 1);
    assert_string_equal(certslot_settings_text(&b, b.ciphers), CERTSLOT_CIPHERS_DEFAULT);
    /* Damage: refused, and the settings are the defaults. */
    static const struct {
        unsigned char rec[8];
        size_t len;
    } bad[] = {
        {{2}, 1},                      /* another version */
        {{0}, 0},                      /* empty */
        {{1, 0x31, 0, 5, 1}, 5},       /* length past the end */
        {{1, 0x31, 0, 1, 2}, 5},       /* allow_weak 2 */
        {{1, 0x21, 0, 3, 2, 1, 3}, 7}, /* provisioning on an application profile */
        {{1, 0x10, 0, 4, 1, 0, 9, 0}, 8}, /* a device slot that does not exist */
        {{1, 0x30, 0, 2, 'a', 0}, 6},  /* a NUL inside a text */
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        b.allow_weak = 1;
        assert_int_equal(certslot_settings_decode(&b, bad[i].rec, bad[i].len), CERTSLOT_ERR_CORRUPT);
        assert_true(certslot_settings_equal(&a, &b));
    }
}

static void test_text_that_does_not_fit_is_refused_by_name(void **state)
{
    char why[200];
    (void)state;
    /* Cipher lists of 1000 bytes each: five fit the pool, the next does not. */
    size_t n = 16 * 1024;
    char *xml = malloc(n), *list = malloc(1001);
    assert_non_null(xml);
    assert_non_null(list);
    for (size_t i = 0; i < 1000; i++)
        list[i] = i % 5 == 4 ? ':' : "AES1"[i % 5];
    list[1000] = '\0';
    snprintf(xml, n,
             "<x sec.TLS.profile.1.cipherSuite='%s' sec.TLS.profile.2.cipherSuite='%s' "
             "sec.TLS.profile.3.cipherSuite='%s' sec.TLS.profile.4.cipherSuite='%s' "
             "sec.TLS.profile.5.cipherSuite='%s'/>",
             list, list, list, list, list);
    load(xml);
    assert_int_equal(certslot_config_settings(&cfg, &a, why, sizeof(why)), CERTSLOT_ERR_LIMIT);
    assert_non_null(strstr(why, "sec.TLS.profile.5.cipherSuite: the text settings together exceed 4096 bytes"));
    certslot_settings_init(&b);
    assert_true(certslot_settings_equal(&a, &b)); /* nothing half-made */
    free(xml);
    free(list);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_defaults_are_what_an_empty_configuration_decides, teardown),
        cmocka_unit_test_teardown(test_every_setting_round_trips, teardown),
        cmocka_unit_test_teardown(test_record_reads_forward_and_refuses_damage, teardown),
        cmocka_unit_test_teardown(test_text_that_does_not_fit_is_refused_by_name, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
