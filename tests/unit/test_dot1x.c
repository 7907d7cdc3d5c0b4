/*
 * The dot1x profile as a wpa_supplicant network block, on the simulated
 * handset: what the block says for each profile, the files' modes and
 * contents, and that a refused or failed export leaves the directory as it
 * was. (tests/cli/dot1x.sh proves the blocks with eapol_test against
 * FreeRADIUS.)
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "certslot/config.h"
#include "certslot/dot1x.h"
#include "certslot/error.h"
#include "certslot/hal_sim.h"
#include "certslot/store.h"
#include "testutil.h"

static certslot_hal_sim_t sim;
static certslot_hal_t hal;
static certslot_store_t st;
static certslot_config_t cfg;
static certslot_result_t res;
static char dir[256], out[300], why[256];

static int setup(void **state)
{
    (void)state;
    certslot_hal_sim_init(&sim, &hal);
    assert_int_equal(certslot_store_open(&st, &hal), 0);
    snprintf(dir, sizeof(dir), "%s", tu_tmpdir());
    snprintf(out, sizeof(out), "%s/wpa", dir);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    certslot_config_free(&cfg);
    certslot_store_free(&st);
    certslot_hal_sim_free(&sim);
    tu_alloc_uninstall();
    tu_rmtree(dir);
    return 0;
}

/* The settings of xml (NULL: defaults). */
static void settings(const char *xml)
{
    certslot_config_free(&cfg);
    certslot_config_init(&cfg);
    if (xml != NULL)
        assert_int_equal(certslot_config_parse_buffer(&cfg, "t.cfg", xml, strlen(xml)), 0);
    assert_int_equal(certslot_config_finish(&cfg), 0);
}

static void install(certslot_slot_t slot, certslot_kind_t kind, const char *cert, const char *key)
{
    size_t cl = 0, kl = 0;
    char *c = tu_pki_read(cert, &cl), *k = key != NULL ? tu_pki_read(key, &kl) : NULL;
    assert_int_equal(certslot_store_install(&st, slot, kind, (unsigned char *)c, cl, (unsigned char *)k, kl, 0, &res),
                     0);
    free(c);
    free(k);
}

static certslot_dot1x_opts_t tls_opts(void)
{
    certslot_dot1x_opts_t o;
    memset(&o, 0, sizeof(o));
    o.eap = CERTSLOT_DOT1X_EAP_TLS;
    o.server_name = "radius.test";
    o.out_dir = out;
    return o;
}

static certslot_dot1x_opts_t peap_opts(void)
{
    certslot_dot1x_opts_t o = tls_opts();
    o.eap = CERTSLOT_DOT1X_EAP_PEAP;
    o.identity = "alice";
    o.password = "s3cret";
    return o;
}

/* The content of out/name as the hal received it (mode 0600), or NULL when there is no such file. */
static char *file(const char *name)
{
    char path[512];
    const unsigned char *data;
    size_t len;
    unsigned mode;
    snprintf(path, sizeof(path), "%s/%s", out, name);
    if (certslot_hal_sim_exported(&sim, path, &data, &len, &mode) != 0)
        return NULL;
    assert_int_equal(mode, 0600);
    char *copy = calloc(1, len + 1);
    memcpy(copy, data, len);
    return copy;
}

static int has(const char *text, const char *needle)
{
    return text != NULL && strstr(text, needle) != NULL;
}

/* Every file of the output directory, names and contents, as one string (to compare states). */
static char *snapshot(void)
{
    static const char *const names[] = {"dot1x.conf", "dot1x-ca.pem", "dot1x-client.pem", "dot1x-client.key"};
    size_t cap = 16, len = 0;
    char *all = calloc(1, cap);
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        char *c = file(names[i]);
        if (c == NULL)
            continue;
        size_t n = strlen(names[i]) + strlen(c) + 2;
        all = realloc(all, cap += n);
        len += (size_t)snprintf(all + len, cap - len, "%s:%s", names[i], c);
        free(c);
    }
    return all;
}

static void test_eap_tls_with_platform_slots(void **state)
{
    (void)state;
    install(CERTSLOT_SLOT_PLATFORM1, CERTSLOT_KIND_CA, "root-rsa.crt", NULL);
    install(CERTSLOT_SLOT_PLATFORM2, CERTSLOT_KIND_DEVICE, "device.crt", "device.key");
    install(CERTSLOT_SLOT_APPLICATION1, CERTSLOT_KIND_CA, "root-ec.crt", NULL); /* not in Platform1's list */
    settings("<x device.set='1' device.sec.TLS.profile.caCertList1='Platform1' device.sec.TLS.profile.caCertList1.set='1'"
             " device.sec.TLS.profile.deviceCert1='Platform2' device.sec.TLS.profile.deviceCert1.set='1'/>");
    certslot_dot1x_opts_t o = tls_opts();
    o.ssid = "Corp";
    assert_int_equal(certslot_dot1x_export(tu_settings(&cfg), &st, &hal, &o, why, sizeof(why)), 0);

    char *conf = file("dot1x.conf"), *ca = file("dot1x-ca.pem"), *crt = file("dot1x-client.pem"),
         *key = file("dot1x-client.key");
    char expect[512];
    assert_true(has(conf, "network={\n\tssid=\"Corp\"\n\tkey_mgmt=WPA-EAP\n\teap=TLS\n"));
    assert_true(has(conf, "\tidentity=\"handset-0004f2a1b2c3\"\n"));
    snprintf(expect, sizeof(expect), "\tca_cert=\"%s/dot1x-ca.pem\"\n", out);
    assert_true(has(conf, expect));
    snprintf(expect, sizeof(expect), "\tprivate_key=\"%s/dot1x-client.key\"\n", out);
    assert_true(has(conf, expect));
    assert_true(has(conf, "\tdomain_match=\"radius.test\"\n"));
    assert_false(has(conf, "subject_match"));
    assert_false(has(conf, "ca_path")); /* Platform1 leaves the built-in list out */
    assert_false(has(conf, "password"));
    /* The CA file is exactly platform1's root, byte for byte. */
    char *root = tu_pki_read("root-rsa.crt", NULL);
    assert_string_equal(ca, root);
    free(root);
    char *dev = tu_pki_read("device.crt", NULL);
    assert_string_equal(crt, dev);
    free(dev);
    assert_true(has(key, "-----BEGIN RSA " "PRIVATE KEY-----\n"));
    free(conf);
    free(ca);
    free(crt);
    free(key);
}

static void test_builtin_device_certificate_and_list(void **state)
{
    (void)state;
    settings(NULL); /* All, Builtin: nothing in the slots, so ca_path only */
    certslot_dot1x_opts_t o = tls_opts();
    o.builtin_ca_path = "/usr/share/ca-roots";
    assert_int_equal(certslot_dot1x_export(tu_settings(&cfg), &st, &hal, &o, why, sizeof(why)), 0);
    char *conf = file("dot1x.conf"), *key = file("dot1x-client.key"), *crt = file("dot1x-client.pem");
    assert_true(has(conf, "\tidentity=\"0004f2a1b2c3\"\n")); /* the sim's factory CN: its MAC */
    assert_true(has(conf, "\tca_path=\"/usr/share/ca-roots\"\n"));
    assert_false(has(conf, "ca_cert"));
    assert_null(file("dot1x-ca.pem"));
    assert_true(has(key, "-----BEGIN EC " "PRIVATE KEY-----\n"));
    assert_true(has(crt, "-----BEGIN CERTIFICATE-----\n"));
    free(conf);
    free(key);
    free(crt);

    /* No factory certificate: EAP-TLS is refused, PEAP needs none. */
    sim.no_factory_device = 1;
    tu_rmtree(out);
    assert_int_equal(certslot_dot1x_export(tu_settings(&cfg), &st, &hal, &o, why, sizeof(why)), CERTSLOT_ERR_NOT_FOUND);
    assert_non_null(strstr(why, "the built-in one is unavailable"));
    certslot_dot1x_opts_t p = peap_opts();
    assert_int_equal(certslot_dot1x_export(tu_settings(&cfg), &st, &hal, &p, why, sizeof(why)), 0);
}

static void test_peap_strings_and_stale_files(void **state)
{
    (void)state;
    install(CERTSLOT_SLOT_PLATFORM2, CERTSLOT_KIND_CA, "root-rsa.crt", NULL);
    settings(NULL);
    certslot_dot1x_opts_t o = tls_opts();
    assert_int_equal(certslot_dot1x_export(tu_settings(&cfg), &st, &hal, &o, why, sizeof(why)), 0);
    char *key = file("dot1x-client.key");
    assert_non_null(key);
    free(key);

    certslot_dot1x_opts_t p = peap_opts();
    p.ssid = "caf\xc3\xa9";     /* not plain ASCII: hex */
    p.password = "pa\"ss word"; /* a quote: hex */
    assert_int_equal(certslot_dot1x_export(tu_settings(&cfg), &st, &hal, &p, why, sizeof(why)), 0);
    char *conf = file("dot1x.conf");
    assert_true(has(conf, "\tssid=636166c3a9\n"));
    assert_true(has(conf, "\teap=PEAP\n\tidentity=\"alice\"\n\tpassword=706122737320776f7264\n"
                          "\tphase2=\"auth=MSCHAPV2\"\n"));
    assert_true(has(conf, "\tdomain_match=\"radius.test\"\n"));
    assert_false(has(conf, "client_cert"));
    free(conf);
    assert_null(file("dot1x-client.key")); /* the earlier EAP-TLS key is gone */
    assert_null(file("dot1x-client.pem"));
    assert_false(certslot_hal_sim_log_contains(&sim, "pa\"ss"));
}

/* The TLS versions written are those the module's own connections offer: 1.2 and 1.3, or 1.3 alone. */
static void test_tls_versions(void **state)
{
    (void)state;
    install(CERTSLOT_SLOT_PLATFORM1, CERTSLOT_KIND_CA, "root-rsa.crt", NULL);
    static const struct {
        const char *value, *phase1;
    } cases[] = {
        {"TLSv1_2", "\tphase1=\"tls_disable_tlsv1_0=1 tls_disable_tlsv1_1=1 tls_disable_tlsv1_3=0\"\n"},
        {"TLSv1_0", "\tphase1=\"tls_disable_tlsv1_0=1 tls_disable_tlsv1_1=1 tls_disable_tlsv1_3=0\"\n"},
        {"TLSv1_3",
         "\tphase1=\"tls_disable_tlsv1_0=1 tls_disable_tlsv1_1=1 tls_disable_tlsv1_2=1 tls_disable_tlsv1_3=0\"\n"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char xml[256];
        snprintf(xml, sizeof(xml),
                 "<x device.set='1' device.sec.TLS.protocol.dot1x='%s' device.sec.TLS.protocol.dot1x.set='1'/>",
                 cases[i].value);
        settings(xml);
        certslot_dot1x_opts_t p = peap_opts();
        assert_int_equal(certslot_dot1x_export(tu_settings(&cfg), &st, &hal, &p, why, sizeof(why)), 0);
        char *conf = file("dot1x.conf");
        if (!has(conf, cases[i].phase1))
            fail_msg("%s: %s", cases[i].value, conf);
        free(conf);
    }
}

static void test_refusals_write_nothing(void **state)
{
    (void)state;
    install(CERTSLOT_SLOT_PLATFORM1, CERTSLOT_KIND_CA, "root-rsa.crt", NULL);
    settings(NULL);
    certslot_dot1x_opts_t p = peap_opts();
    assert_int_equal(certslot_dot1x_export(tu_settings(&cfg), &st, &hal, &p, why, sizeof(why)), 0);
    char *before = snapshot();

    certslot_dot1x_opts_t o = peap_opts();
    o.server_name = NULL; /* strict check on by default */
    assert_int_equal(certslot_dot1x_export(tu_settings(&cfg), &st, &hal, &o, why, sizeof(why)), CERTSLOT_ERR_NAME);
    assert_string_equal(why, "dot1x: the strict name check is on and no RADIUS server name is given");
    o = peap_opts();
    o.password = NULL;
    assert_int_equal(certslot_dot1x_export(tu_settings(&cfg), &st, &hal, &o, why, sizeof(why)), CERTSLOT_ERR_ARG);
    o = tls_opts();
    o.identity = "x";
    assert_int_equal(certslot_dot1x_export(tu_settings(&cfg), &st, &hal, &o, why, sizeof(why)), CERTSLOT_ERR_ARG);
    o = peap_opts();
    o.server_name = "radius.test\"\n\teap=MD5";
    assert_int_equal(certslot_dot1x_export(tu_settings(&cfg), &st, &hal, &o, why, sizeof(why)), CERTSLOT_ERR_ARG);
    o.server_name = "radius.test";
    o.out_dir = "relative/dir";
    assert_int_equal(certslot_dot1x_export(tu_settings(&cfg), &st, &hal, &o, why, sizeof(why)), CERTSLOT_ERR_ARG);
    o = peap_opts();
    o.ssid = "an SSID longer than thirty-two bytes";
    assert_int_equal(certslot_dot1x_export(tu_settings(&cfg), &st, &hal, &o, why, sizeof(why)), CERTSLOT_ERR_ARG);
    /* A profile that trusts nothing fails closed. */
    settings("<x device.set='1' device.sec.TLS.profile.caCertList1='Platform2'"
             " device.sec.TLS.profile.caCertList1.set='1'/>");
    assert_int_equal(certslot_dot1x_export(tu_settings(&cfg), &st, &hal, &p, why, sizeof(why)), CERTSLOT_ERR_VERIFY);
    /* Strict check off: no domain_match, and the log says it is insecure. */
    settings("<x device.set='1' device.sec.TLS.dot1x.strictCertCommonNameValidation='0'"
             " device.sec.TLS.dot1x.strictCertCommonNameValidation.set='1'/>");
    char *now = snapshot();
    assert_string_equal(before, now);
    free(now);
    o = peap_opts();
    o.server_name = NULL;
    assert_int_equal(certslot_dot1x_export(tu_settings(&cfg), &st, &hal, &o, why, sizeof(why)), 0);
    char *conf = file("dot1x.conf");
    assert_false(has(conf, "domain_match"));
    free(conf);
    assert_true(certslot_hal_sim_log_contains(&sim, "strict name check is off"));
    free(before);
}

static void test_allocation_failures_change_nothing(void **state)
{
    (void)state;
    install(CERTSLOT_SLOT_PLATFORM1, CERTSLOT_KIND_CA, "root-rsa.crt", NULL);
    install(CERTSLOT_SLOT_PLATFORM2, CERTSLOT_KIND_DEVICE, "device.crt", "device.key");
    settings("<x device.set='1' device.sec.TLS.profile.deviceCert1='Platform2'"
             " device.sec.TLS.profile.deviceCert1.set='1'/>");
    certslot_dot1x_opts_t p = peap_opts(), o = tls_opts();
    assert_int_equal(certslot_dot1x_export(tu_settings(&cfg), &st, &hal, &p, why, sizeof(why)), 0);
    char *before = snapshot();
    int ret = CERTSLOT_ERR_NOMEM;
    size_t n;
    for (n = 1; n < 200 && ret != 0; n++) {
        tu_alloc_install(n);
        ret = certslot_dot1x_export(tu_settings(&cfg), &st, &hal, &o, why, sizeof(why));
        int failed = tu_alloc_failed();
        tu_alloc_uninstall();
        if (ret != 0) {
            assert_true(failed);
            assert_int_equal(ret, CERTSLOT_ERR_NOMEM);
            char *now = snapshot();
            assert_string_equal(before, now);
            free(now);
        }
    }
    assert_int_equal(ret, 0);
    assert_true(n > 3);
    char *key = file("dot1x-client.key");
    assert_non_null(key);
    free(key);
    free(before);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_eap_tls_with_platform_slots, setup, teardown),
        cmocka_unit_test_setup_teardown(test_builtin_device_certificate_and_list, setup, teardown),
        cmocka_unit_test_setup_teardown(test_peap_strings_and_stale_files, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tls_versions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refusals_write_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_allocation_failures_change_nothing, setup, teardown),
    };
    return cmocka_run_group_tests_name("dot1x", tests, NULL, NULL);
}
