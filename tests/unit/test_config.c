/*
 * Config parser: every rule of the parameter contract, as a handset
 * administrator would notice it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <ctype.h>
#include <strings.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "certslot/cert.h"
#include "certslot/config.h"
#include "certslot/error.h"
#include "certslot/platform.h"
#include "testutil.h"

#define HDR "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"

static certslot_config_t cfg;

static certslot_param_t P(const char *name)
{
    int companion = 0;
    certslot_param_t p = certslot_param_lookup(name, strlen(name), &companion);
    assert_true(p >= 0);
    assert_int_equal(companion, 0);
    return p;
}

/* Parses one document as "a.cfg" and finishes. Returns the parse result. */
static int parse1(const char *xml)
{
    certslot_config_init(&cfg);
    int ret = certslot_config_parse_buffer(&cfg, "a.cfg", xml, strlen(xml));
    certslot_config_finish(&cfg);
    return ret;
}

#define find_diag(sev, text) tu_find_diag(&cfg, (sev), (text))

static size_t count_diags(certslot_severity_t sev)
{
    size_t n = 0;
    for (size_t i = 0; i < cfg.ndiags; i++)
        n += cfg.diags[i].severity == sev;
    return n;
}

static int teardown(void **state)
{
    (void)state;
    certslot_config_free(&cfg);
    tu_alloc_uninstall();
    return 0;
}

/* ---- the seed 001 working file ---- */

static void test_seed001_wireless_cfg(void **state)
{
    (void)state;
    certslot_config_init(&cfg);
    assert_int_equal(tu_parse_file(&cfg, tu_data("seed001/wireless.cfg")), 0);
    assert_int_equal(certslot_config_finish(&cfg), 0);

    /* The lower-case "device.sec.tls.customCaCert1" fills platform CA slot 1. */
    certslot_param_t ca1 = CERTSLOT_PARAM(PLATFORM_CA_CERT, 1);
    assert_true(certslot_config_is_set(&cfg, ca1));
    assert_memory_equal(certslot_config_get(&cfg, ca1), "MIIDcTCCAlmgAwIBAgIQfd7Y9uouwrFM37k8j7dKhz", 42);

    /* The typo: a warning that suggests the real name... */
    const certslot_diag_t *w = find_diag(CERTSLOT_WARNING, "unknown parameter 'device.sec.TLS.cusomCaCert2.set'; "
                                                           "did you mean 'device.sec.TLS.customCaCert2.set'?");
    assert_non_null(w);
    assert_int_equal(w->line, 20);
    assert_int_equal(w->col, 5);
    /* ...and customCaCert2 is ignored because its .set never became 1. */
    certslot_param_t ca2 = CERTSLOT_PARAM(PLATFORM_CA_CERT, 2);
    assert_false(certslot_config_is_set(&cfg, ca2));
    assert_string_equal(certslot_config_get(&cfg, ca2), "");
    const certslot_diag_t *n =
        find_diag(CERTSLOT_NOTE, "value present but device.sec.TLS.customCaCert2.set is not 1: ignored");
    assert_non_null(n);
    assert_int_equal(n->line, 19);

    assert_int_equal(certslot_config_get_num(&cfg, P("device.sec.TLS.profileSelection.provisioning")), 1);
    assert_int_equal(certslot_config_get_num(&cfg, P("device.sec.TLS.prov.strictCertCommonNameValidation")), 0);
    assert_int_equal(certslot_config_get_num(&cfg, P("device.prov.serverType")), 4);
    assert_string_equal(certslot_config_get(&cfg, P("device.prov.serverName")), "jb-serv");
    /* device.prov.user.set="0": the default stays, and lint says why. */
    assert_non_null(find_diag(CERTSLOT_NOTE, "device.prov.user.set is not 1"));
    /* Parameters of other handset subsystems (device.wifi.*) are not ours to warn about. */
    assert_null(find_diag(CERTSLOT_WARNING, "device.wifi"));
    assert_int_equal(cfg.errors, 0);
}

/* ---- names ---- */

static void test_names_are_case_insensitive(void **state)
{
    (void)state;
    assert_int_equal(parse1(HDR "<x DEVICE.SET=\"1\" device.SEC.tls.PROFILE.cacertlist1=\"platform1\" "
                                "Device.Sec.TLS.Profile.CaCertList1.SET=\"1\" SEC.tls.PROFILESELECTION.sip="
                                "\"applicationprofile3\"/>"),
                     0);
    assert_int_equal(certslot_config_get_num(&cfg, P("device.sec.TLS.profile.caCertList1")), 4);
    assert_int_equal(certslot_config_get_num(&cfg, P("sec.TLS.profileSelection.SIP")), 4);
    char name[CERTSLOT_PARAM_NAME_MAX];
    certslot_param_name(P("SEC.TLS.PROFILESELECTION.SIP"), name, sizeof(name));
    assert_string_equal(name, "sec.TLS.profileSelection.SIP");
    assert_int_equal(cfg.warnings, 0);
}

static void test_registry_round_trip(void **state)
{
    (void)state;
    char name[CERTSLOT_PARAM_NAME_MAX + 8], why[200];
    for (certslot_param_t p = 0; p < CERTSLOT_PARAM_COUNT; p++) {
        int companion = 1, num;
        certslot_param_name(p, name, CERTSLOT_PARAM_NAME_MAX);
        assert_int_equal(certslot_param_lookup(name, strlen(name), &companion), p);
        assert_int_equal(companion, 0);
        const char *def = certslot_param_default(p);
        assert_int_equal(certslot_param_check(p, def, strlen(def), &num, why, sizeof(why)), 0);
        if (certslot_param_type(p) == CERTSLOT_TYPE_ENUM && def[0] != '\0') { /* the number names its spelling */
            const char *canon;
            size_t n = certslot_param_enum_name(p, num, &canon);
            assert_int_equal(n, strlen(def));
            assert_int_equal(strncasecmp(canon, def, n), 0);
            assert_int_equal(certslot_param_enum_name(p, 99, &canon), 0);
            assert_string_equal(canon, "");
        }
        if (certslot_param_is_device(p) && p != CERTSLOT_P_DEVICE_SET) {
            strcat(name, ".set");
            assert_int_equal(certslot_param_lookup(name, strlen(name), &companion), p);
            assert_int_equal(companion, 1);
        }
        for (char *c = name; *c != '\0'; c++) /* any case */
            *c = (char)toupper((unsigned char)*c);
        assert_int_equal(certslot_param_lookup(name, strlen(name), NULL), p);
    }
    /* Only the bytes given are looked at; a longer name sharing a namespace's beginning is none. */
    assert_int_equal(certslot_param_lookup("device.set.set", 10, NULL), CERTSLOT_P_DEVICE_SET);
    assert_int_equal(certslot_param_lookup("device.sec.TLS.customCaCert1.set", 28, &(int){1}), P("device.sec.TLS.customCaCert1"));
    assert_int_equal(certslot_param_lookup("device.setupWizard", 18, NULL), -1);
    assert_int_equal(certslot_param_lookup("device.set.set", 14, NULL), -1);
    assert_int_equal(certslot_param_lookup("sec.TLS.customCaCert.1.set", 26, NULL), -1);
    /* Indexes outside a family's range are not parameters. */
    assert_int_equal(certslot_param_lookup("device.sec.TLS.customCaCert3", 28, NULL), -1);
    assert_int_equal(certslot_param_lookup("sec.TLS.customCaCert.0", 22, NULL), -1);
    assert_int_equal(certslot_param_lookup("sec.TLS.customCaCert.01", 23, NULL), -1);
    assert_int_equal(certslot_param_lookup("sec.TLS.profile.7.cipherSuite", 29, NULL), -1);
    assert_int_equal(CERTSLOT_PARAM2(APP_PROFILE_CA_APP, 2, 3), P("sec.TLS.profile.2.caCert.application3"));
}

/*
 * Lookup against its definition: a name is a parameter when it is that parameter's canonical name in any case, and
 * a device.* parameter's .set companion when it is that name and ".set". Checked on every name and thousands of
 * names one or two edits from one (case, digits, a byte inserted, dropped or replaced, cut short, run on): lookup
 * narrows the families by masks and compares words, and none of that may change an answer.
 */
static void test_lookup_agrees_with_its_definition(void **state)
{
    (void)state;
    static char canon[CERTSLOT_PARAM_COUNT][CERTSLOT_PARAM_NAME_MAX];
    static const char alphabet[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-";
    for (certslot_param_t p = 0; p < CERTSLOT_PARAM_COUNT; p++)
        certslot_param_name(p, canon[p], sizeof(canon[p]));

    unsigned seed = 12345;
    size_t checked = 0, found = 0;
    for (certslot_param_t base = 0; base < CERTSLOT_PARAM_COUNT; base++) {
        for (int k = 0; k < 160; k++) {
            char name[CERTSLOT_PARAM_NAME_MAX + 16];
            size_t len = strlen(canon[base]);
            memcpy(name, canon[base], len + 1);
            if (k % 4 == 1) { /* as a companion */
                memcpy(name + len, ".set", 5);
                len += 4;
            }
            for (int edits = 1 + k % 2; edits > 0; edits--) {
                seed = seed * 1103515245u + 12345u;
                unsigned r = seed >> 8, at = len > 0 ? (r >> 4) % len : 0;
                char c = alphabet[(r >> 12) % (sizeof(alphabet) - 1)];
                switch (k < 8 ? 7 : r % 8) {
                case 0: /* a byte replaced */
                    name[at] = c;
                    break;
                case 1: /* a byte inserted */
                    if (len + 1 < sizeof(name)) {
                        memmove(name + at + 1, name + at, len - at + 1);
                        name[at] = c;
                        len++;
                    }
                    break;
                case 2: /* a byte dropped */
                    memmove(name + at, name + at + 1, len - at);
                    len--;
                    break;
                case 3: /* cut short */
                    name[at] = '\0';
                    len = at;
                    break;
                case 4: /* a digit changed, or one added after a digit */
                    for (size_t i = 0; i < len; i++)
                        if (name[i] >= '0' && name[i] <= '9') {
                            if (r & 1) {
                                name[i] = (char)('0' + (r >> 20) % 10);
                            } else if (len + 1 < sizeof(name)) {
                                memmove(name + i + 1, name + i, len - i + 1);
                                len++;
                            }
                            break;
                        }
                    break;
                case 5: /* run on */
                    if (len + 1 < sizeof(name)) {
                        name[len++] = c;
                        name[len] = '\0';
                    }
                    break;
                default: /* the case of every byte, at random */
                    for (size_t i = 0; i < len; i++)
                        if ((r >> (i % 24)) & 1)
                            name[i] = (char)(isupper((unsigned char)name[i]) ? tolower((unsigned char)name[i])
                                                                              : toupper((unsigned char)name[i]));
                    break;
                }
            }
            /* The definition. */
            certslot_param_t want = -1;
            int want_companion = 0;
            for (certslot_param_t p = 0; p < CERTSLOT_PARAM_COUNT && want < 0; p++) {
                size_t n = strlen(canon[p]);
                if (n == len && strncasecmp(canon[p], name, n) == 0) {
                    want = p;
                } else if (len == n + 4 && certslot_param_is_device(p) && p != CERTSLOT_P_DEVICE_SET &&
                           strncasecmp(canon[p], name, n) == 0 && strncasecmp(name + n, ".set", 4) == 0) {
                    want = p;
                    want_companion = 1;
                }
            }
            int companion = -1;
            certslot_param_t got = certslot_param_lookup(name, len, &companion);
            if (got != want || (want >= 0 && companion != want_companion))
                fail_msg("'%s': lookup %d (companion %d), expected %d (companion %d)", name, (int)got, companion,
                         (int)want, want_companion);
            checked++;
            found += want >= 0;
        }
    }
    assert_true(checked > 20000);
    assert_true(found > checked / 8 && found < checked / 2); /* both answers, often (about 1 in 5 is one) */
}

/* mbedTLS 3.6 has no TLS 1.0 or 1.1: those values are kept (vendor files carry them) and said to act as TLS 1.2. */
static void test_old_protocols_act_as_tls12(void **state)
{
    (void)state;
    assert_int_equal(parse1(HDR "<x sec.TLS.protocol.sip='TLSv1_0' sec.TLS.protocol.ldap='TLSv1_1' "
                                "sec.TLS.protocol.browser='TLSv1_3' device.set='1' device.sec.TLS.protocol.prov='TLSv1_1' "
                                "device.sec.TLS.protocol.prov.set='1'/>"),
                     0);
    const certslot_diag_t *w = find_diag(CERTSLOT_WARNING, "sec.TLS.protocol.sip: TLSv1_0 acts as TLSv1_2");
    assert_non_null(w);
    assert_non_null(strstr(w->msg, "mbedTLS 3.6"));
    assert_non_null(find_diag(CERTSLOT_WARNING, "sec.TLS.protocol.ldap: TLSv1_1 acts as TLSv1_2"));
    assert_non_null(find_diag(CERTSLOT_WARNING, "device.sec.TLS.protocol.prov: TLSv1_1 acts as TLSv1_2"));
    assert_null(find_diag(CERTSLOT_WARNING, "sec.TLS.protocol.browser"));
    assert_int_equal(tu_settings(&cfg)->app[CERTSLOT_APP_BROWSER].min_version, CERTSLOT_TLS_1_3);
    assert_int_equal(tu_settings(&cfg)->app[CERTSLOT_APP_SIP].min_version, CERTSLOT_TLS_1_0);
}

static void test_unknown_parameters(void **state)
{
    (void)state;
    assert_int_equal(parse1(HDR "<x device.wifi.ssid=\"a\" sec.TLS.customCaCert.1.set=\"1\" sec.TLS.fooBar=\"1\"\n"
                                "   devce.set=\"1\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"/>"),
                     0);
    assert_null(find_diag(CERTSLOT_WARNING, "device.wifi.ssid"));
    assert_non_null(find_diag(CERTSLOT_WARNING, "'sec.TLS.customCaCert.1.set' has no .set companion"));
    assert_non_null(find_diag(CERTSLOT_WARNING, "unknown parameter 'sec.TLS.fooBar'"));
    const certslot_diag_t *d = find_diag(CERTSLOT_WARNING, "unknown parameter 'devce.set'; did you mean 'device.set'?");
    assert_non_null(d);
    assert_int_equal(d->line, 3);
    assert_int_equal(d->col, 4);
    assert_null(find_diag(CERTSLOT_WARNING, "xsi"));
    assert_int_equal(cfg.errors, 0);
}

/*
 * A did-you-mean search is a pass over every name: a file of near-miss names (a provisioning server's, say)
 * gets CERTSLOT_CONFIG_MAX_SUGGEST of them, and none once the diagnostics are full.
 */
static size_t count_text(const char *text)
{
    size_t n = 0;
    for (size_t i = 0; i < cfg.ndiags; i++)
        n += strstr(cfg.diags[i].msg, text) != NULL;
    return n;
}

static void test_near_miss_names_are_bounded(void **state)
{
    (void)state;
    size_t size = 600 * 64, o = 0;
    char *xml = malloc(size);
    assert_non_null(xml);
    o += (size_t)snprintf(xml + o, size - o, HDR "<r>");
    for (int i = 0; i < 100; i++)
        o += (size_t)snprintf(xml + o, size - o, "<e devce.set=\"1\"/>\n");
    snprintf(xml + o, size - o, "</r>");
    parse1(xml);
    assert_int_equal(cfg.suggestions, CERTSLOT_CONFIG_MAX_SUGGEST);
    assert_int_equal(count_text("did you mean 'device.set'?"), CERTSLOT_CONFIG_MAX_SUGGEST);
    certslot_config_free(&cfg);

    /* The diagnostics filled by repeated values first: no search at all afterwards. */
    o = (size_t)snprintf(xml, size, HDR "<r>");
    for (int i = 0; i < 1000; i++)
        o += (size_t)snprintf(xml + o, size - o, "<e sec.TLS.SIP.cipherList=\"AES\"/>\n");
    for (int i = 0; i < 5; i++)
        o += (size_t)snprintf(xml + o, size - o, "<e devce.set=\"1\"/>\n");
    snprintf(xml + o, size - o, "</r>");
    parse1(xml);
    assert_true(cfg.diags_dropped > 0);
    assert_int_equal(cfg.ndiags + cfg.diags_dropped, 999); /* devce.* is another subsystem's without a search */
    assert_int_equal(cfg.suggestions, 0);
    free(xml);
}

/*
 * The diagnostics a configuration keeps take at most diag_limit bytes of heap, however many there are: a file of
 * a hundred thousand repeated values (a provisioning server's) costs the handset that much and no more. The first
 * ones are kept whole; a caller may raise the limit; a rejected file gives its diagnostics' room back.
 */
static void test_diagnostics_heap_is_bounded(void **state)
{
    (void)state;
    size_t size = 100000 * 40 + 256, o;
    char *xml = malloc(size);
    assert_non_null(xml);
    o = (size_t)snprintf(xml, size, HDR "<r device.prov.serverType=\"BOGUS\">\n");
    for (int i = 0; i < 100000; i++)
        o += (size_t)snprintf(xml + o, size - o, "<e sec.TLS.SIP.cipherList=\"AES\"/>\n");
    snprintf(xml + o, size - o, "</r>");

    size_t kept[2];
    for (int big = 0; big < 2; big++) {
        certslot_config_init(&cfg);
        assert_int_equal(cfg.diag_limit, CERTSLOT_CONFIG_DIAG_BYTES);
        if (big)
            cfg.diag_limit = 64 * CERTSLOT_CONFIG_DIAG_BYTES;
        tu_alloc_install(0);
        size_t before = tu_alloc_outstanding();
        certslot_config_parse_buffer(&cfg, "a.cfg", xml, strlen(xml));
        size_t held = tu_alloc_outstanding() - before;
        certslot_config_finish(&cfg);
        tu_alloc_uninstall();
        assert_true(cfg.diag_bytes <= cfg.diag_limit);
        /* What the configuration holds: its values, names and the diagnostics' limit. */
        assert_true(held <= cfg.diag_limit + 4096);
        assert_int_equal(cfg.ndiags + cfg.diags_dropped, 100000);
        assert_int_equal(cfg.warnings, 100000 - 1); /* counted all the same; one is the gated error's note */
        kept[big] = cfg.ndiags;
        /* The gated error became a note with the reason appended, in the room kept for it. */
        assert_string_equal(cfg.diags[0].msg, "device.prov.serverType: expected a number or one of "
                                              "FTP,TFTP,HTTP,HTTPS,FTPS (ignored: device.set is not 1)");
        assert_int_equal(cfg.diags[0].severity, CERTSLOT_NOTE);
        char last[100];
        snprintf(last, sizeof(last), "sec.TLS.SIP.cipherList given again; this value replaces the one at line %u",
                 (unsigned)cfg.diags[cfg.ndiags - 1].line - 1);
        assert_string_equal(cfg.diags[cfg.ndiags - 1].msg, last);
        assert_int_equal(cfg.diags[cfg.ndiags - 1].line, cfg.ndiags + 2); /* kept in order: the first ones */
        certslot_config_free(&cfg);
    }
    assert_true(kept[0] >= 64);
    assert_true(kept[1] > 32 * kept[0]);

    /*
     * Once they are full: a later file's rejection is kept all the same (the provisioning flow fails the run on
     * it), and a refused value still makes finish say so.
     */
    certslot_config_init(&cfg);
    certslot_config_parse_buffer(&cfg, "a.cfg", xml, strlen(xml));
    assert_true(cfg.diags_dropped > 0);
    const char *bad = HDR "<r sec.TLS.SIP.cipherList='x'>";
    assert_int_equal(certslot_config_parse_buffer(&cfg, "b.cfg", bad, strlen(bad)), CERTSLOT_ERR_XML);
    const char *refused = HDR "<r sec.TLS.SIP.strictCertCommonNameValidation='2'/>";
    assert_int_equal(certslot_config_parse_buffer(&cfg, "c.cfg", refused, strlen(refused)), CERTSLOT_ERR_VALUE);
    assert_int_equal(certslot_config_finish(&cfg), CERTSLOT_ERR_VALUE);
    assert_int_equal(cfg.errors, 2); /* b.cfg's rejection, and c.cfg's value, not kept */
    const certslot_diag_t *rej = find_diag(CERTSLOT_ERROR, "not well-formed XML");
    assert_non_null(rej);
    assert_int_equal(rej->rejects_file, 1);
    assert_string_equal(rej->file, "b.cfg");
    certslot_config_free(&cfg);

    /* A file rejected whole takes its diagnostics with it, and gives their room to the files after it. */
    certslot_config_init(&cfg);
    xml[o] = '\0'; /* no end tag: not well-formed */
    certslot_config_parse_buffer(&cfg, "bad.cfg", xml, strlen(xml));
    assert_int_equal(cfg.ndiags, 1);
    assert_int_equal(cfg.diags[0].rejects_file, 1);
    assert_int_equal(cfg.diags_full, 0);
    const char *good = HDR "<r devce.set=\"1\"/>";
    assert_int_equal(certslot_config_parse_buffer(&cfg, "good.cfg", good, strlen(good)), 0);
    certslot_config_finish(&cfg);
    assert_non_null(find_diag(CERTSLOT_WARNING, "did you mean 'device.set'?"));
    certslot_config_free(&cfg);
    free(xml);
}

/* A certificate value takes base64, PEM's '-' and whitespace, and no other byte. */
static void test_certificate_value_bytes(void **state)
{
    (void)state;
    char why[200];
    int num;
    for (int c = 0; c < 256; c++) {
        char t[2] = {(char)c, '\0'};
        int ok = isalnum(c) || strchr("+/=- \t\r\n", c) != NULL;
        if (c == 0)
            ok = 0;
        int ret = certslot_param_check(P("sec.TLS.customCaCert.1"), t, 1, &num, why, sizeof(why));
        assert_int_equal(ret == 0, c < 128 && ok);
    }
}

/* Other subsystems' device.s* names (device.sntp, device.serial, device.setup...) are not certslot's: silent. */
static void test_other_device_names_are_not_ours(void **state)
{
    (void)state;
    assert_int_equal(parse1(HDR "<x device.sntp.serverName='ntp' device.serial.enable='0' device.serial.enable.set='1' "
                                "device.setupWizard.1='0' device.secondaryDns1='192.0.2.1' device.setting='1'/>"),
                     0);
    assert_int_equal(cfg.ndiags, 0);
}

/* ---- the .set gate ---- */

static void test_device_set_zero_blocks_every_device_parameter(void **state)
{
    (void)state;
    assert_int_equal(parse1(HDR "<x device.set=\"0\" device.prov.serverType=\"3\" device.prov.serverType.set=\"1\" "
                                "sec.TLS.protocol.sip=\"TLSv1_1\"/>"),
                     0);
    assert_false(certslot_config_is_set(&cfg, P("device.prov.serverType")));
    assert_int_equal(certslot_config_get_num(&cfg, P("device.prov.serverType")), 0);
    assert_non_null(find_diag(CERTSLOT_NOTE, "device.set is not 1: device.prov.serverType ignored"));
    /* sec.* parameters have no gate. */
    assert_int_equal(certslot_config_get_num(&cfg, P("sec.TLS.protocol.sip")), 2);
    certslot_config_free(&cfg);

    /* No device.set at all is the same as 0. */
    assert_int_equal(parse1(HDR "<x device.prov.serverType=\"3\" device.prov.serverType.set=\"1\"/>"), 0);
    assert_false(certslot_config_is_set(&cfg, P("device.prov.serverType")));
}

static void test_set_companion_not_one_ignores_value(void **state)
{
    (void)state;
    assert_int_equal(parse1(HDR "<x device.set=\"1\"\n"
                                " device.prov.serverType=\"3\" device.prov.serverType.set=\"0\"\n"
                                " device.prov.serverName=\"a.example.com\"\n"
                                " device.sec.TLS.customCaCert1=\"\" device.sec.TLS.customCaCert1.set=\"0\"/>"),
                     0);
    assert_false(certslot_config_is_set(&cfg, P("device.prov.serverType")));
    assert_false(certslot_config_is_set(&cfg, P("device.prov.serverName")));
    const certslot_diag_t *n = find_diag(CERTSLOT_NOTE, "device.prov.serverType.set is not 1: ignored");
    assert_non_null(n);
    assert_int_equal(n->line, 3);
    assert_int_equal(n->col, 2);
    assert_non_null(find_diag(CERTSLOT_NOTE, "device.prov.serverName.set is not 1"));
    /* An empty value switched off on purpose is not worth a note. */
    assert_null(find_diag(CERTSLOT_NOTE, "customCaCert1"));
    assert_int_equal(count_diags(CERTSLOT_NOTE), 2);
}

static void test_set_one_with_empty_value_resets(void **state)
{
    (void)state;
    const char *high = HDR "<x device.prov.user=\"\" device.prov.user.set=\"1\" sec.TLS.protocol.ldap=\"\"/>";
    const char *low = HDR "<x device.set=\"1\" device.prov.user=\"bob\" device.prov.user.set=\"1\" "
                          "sec.TLS.protocol.ldap=\"TLSv1_0\" device.prov.password=\"pw\" "
                          "device.prov.password.set=\"1\"/>";
    certslot_config_init(&cfg);
    assert_int_equal(certslot_config_parse_buffer(&cfg, "high.cfg", high, strlen(high)), 0);
    assert_int_equal(certslot_config_parse_buffer(&cfg, "low.cfg", low, strlen(low)), 0);
    assert_int_equal(certslot_config_finish(&cfg), 0);
    certslot_param_t user = P("device.prov.user");
    assert_true(certslot_config_is_set(&cfg, user)); /* set, to empty: a slot would be emptied */
    assert_string_equal(certslot_config_get(&cfg, user), "PlcmSpIp");
    assert_int_equal(certslot_config_get_num(&cfg, P("sec.TLS.protocol.ldap")), 3);
    assert_string_equal(certslot_config_get(&cfg, P("device.prov.password")), "pw");
}

/* ---- precedence ---- */

static void test_left_file_overrides_right_and_last_wins_in_file(void **state)
{
    (void)state;
    const char *a = HDR "<r><x sec.TLS.protocol.sip=\"TLSv1_0\"/><y sec.TLS.protocol.sip=\"TLSv1_1\"/></r>";
    const char *b = HDR "<x sec.TLS.protocol.sip=\"SSLv2v3\" sec.TLS.protocol.ldap=\"TLSv1_0\" device.set=\"1\"/>";
    certslot_config_init(&cfg);
    assert_int_equal(certslot_config_parse_buffer(&cfg, "a.cfg", a, strlen(a)), 0);
    assert_int_equal(certslot_config_parse_buffer(&cfg, "b.cfg", b, strlen(b)), 0);
    certslot_config_finish(&cfg);
    assert_int_equal(certslot_config_get_num(&cfg, P("sec.TLS.protocol.sip")), 2); /* a.cfg's last */
    assert_int_equal(certslot_config_get_num(&cfg, P("sec.TLS.protocol.ldap")), 1); /* only in b.cfg */
    const certslot_diag_t *w = find_diag(CERTSLOT_WARNING, "sec.TLS.protocol.sip given again");
    assert_non_null(w);
    assert_string_equal(w->file, "a.cfg");
    assert_int_equal(w->col, 42);
    const certslot_where_t *where = certslot_config_where(&cfg, P("sec.TLS.protocol.sip"));
    assert_string_equal(where->file, "a.cfg");
}

static void test_gate_merges_across_files(void **state)
{
    (void)state;
    /* The value in one file, its .set in another, device.set in a third. */
    const char *a = HDR "<x device.sec.TLS.protocol.prov=\"TLSv1_1\"/>";
    const char *b = HDR "<x device.sec.TLS.protocol.prov.set=\"1\"/>";
    const char *c = HDR "<x device.set=\"1\" device.sec.TLS.protocol.prov.set=\"0\"/>";
    certslot_config_init(&cfg);
    certslot_config_parse_buffer(&cfg, "a.cfg", a, strlen(a));
    certslot_config_parse_buffer(&cfg, "b.cfg", b, strlen(b));
    certslot_config_parse_buffer(&cfg, "c.cfg", c, strlen(c));
    certslot_config_finish(&cfg);
    assert_int_equal(certslot_config_get_num(&cfg, P("device.sec.TLS.protocol.prov")), 2);
}

/* ---- bad values ---- */

static void test_bad_value_keeps_previous(void **state)
{
    (void)state;
    const char *a = HDR "<r><x sec.TLS.protocol.sip=\"TLSv1_1\"/>\n   <y sec.TLS.protocol.sip=\"TLSv9\"/></r>";
    const char *b = HDR "<x sec.TLS.protocol.ldap=\"TLSv1_0\"/>";
    const char *c = HDR "<x sec.TLS.protocol.ldap=\"bogus\" sec.TLS.protocol.browser=\"TLSv1_1\"/>";
    certslot_config_init(&cfg);
    assert_int_equal(certslot_config_parse_buffer(&cfg, "a.cfg", a, strlen(a)), CERTSLOT_ERR_VALUE);
    assert_int_equal(certslot_config_parse_buffer(&cfg, "c.cfg", c, strlen(c)), CERTSLOT_ERR_VALUE);
    assert_int_equal(certslot_config_parse_buffer(&cfg, "b.cfg", b, strlen(b)), 0);
    assert_int_equal(certslot_config_finish(&cfg), CERTSLOT_ERR_VALUE);
    /* Same file: the earlier good value stays. */
    assert_int_equal(certslot_config_get_num(&cfg, P("sec.TLS.protocol.sip")), 2);
    /* Higher file bad: the lower file's value applies, as if the bad line were absent. */
    assert_int_equal(certslot_config_get_num(&cfg, P("sec.TLS.protocol.ldap")), 1);
    /* The rest of the file with the error still applies. */
    assert_int_equal(certslot_config_get_num(&cfg, P("sec.TLS.protocol.browser")), 2);
    const certslot_diag_t *e = find_diag(CERTSLOT_ERROR, "sec.TLS.protocol.sip: expected one of SSLv2v3,TLSv1_0");
    assert_non_null(e);
    assert_string_equal(e->file, "a.cfg");
    assert_int_equal(e->line, 3);
    assert_int_equal(e->col, 7);
    assert_int_equal(cfg.errors, 2);
}

static void test_bad_value_of_gated_off_parameter_is_only_a_note(void **state)
{
    (void)state;
    assert_int_equal(parse1(HDR "<x device.set=\"1\" device.prov.serverType=\"9\"/>"), CERTSLOT_ERR_VALUE);
    assert_int_equal(cfg.errors, 0);
    assert_non_null(find_diag(CERTSLOT_NOTE, "device.prov.serverType: expected a number or one of"));
    certslot_config_free(&cfg);
    assert_int_equal(parse1(HDR "<x device.set=\"1\" device.prov.serverType=\"9\" device.prov.serverType.set=\"1\"/>"),
                     CERTSLOT_ERR_VALUE);
    assert_int_equal(cfg.errors, 1);
}

typedef struct {
    const char *name, *value, *why;
} bad_t;

static const bad_t bad_values[] = {
    {"sec.TLS.profile.1.caCert.defaultList", "2", "expected 0 or 1"},
    {"sec.TLS.profile.1.caCert.defaultList", "yes", "expected 0 or 1"},
    {"sec.TLS.profile.1.caCert.defaultList", "01", "expected 0 or 1"},
    {"sec.TLS.profileSelection.SIP", "ApplicationProfile7", "expected one of PlatformProfile1"},
    {"sec.TLS.profileSelection.SIP", "Platform Profile1", "expected one of"},
    {"device.sec.TLS.profileSelection.dot1x", "ApplicationProfile1", "expected one of PlatformProfile1,PlatformProfile2"},
    {"device.sec.TLS.profileSelection.provisioning", "ApplicationProfile2", "expected one of PlatformProfile1,"},
    {"device.sec.TLS.profile.caCertList1", "Everything", "expected one of All,Builtin"},
    {"sec.TLS.profile.2.deviceCert", "Application7", "expected one of Builtin"},
    {"device.prov.serverType", "5", "expected a number or one of FTP,TFTP,HTTP,HTTPS,FTPS"},
    {"device.prov.serverType", "SFTP", "expected a number or one of"},
    {"device.prov.serverType", "-1", "expected a number"},
    {"device.prov.serverName", "prov server", "space at position 5"},
    {"device.prov.user", "a&#9;b", "control character at position 2"},
    {"device.sec.TLS.customCaCert1", "MIIB*AA", "cannot be part of a base64 or PEM certificate"},
    {"sec.TLS.customCaCert.3", "MIIB\xc3\xa9", "cannot be part of a base64"},
    {"sec.TLS.customDeviceKey.2", "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC", "header kept"},
    {"sec.TLS.customDeviceKey.2", "-----BEGIN CERTIFICATE-----", "header kept"},
    {"sec.TLS.cipherList", "ALL:!aNULL:RC4$", "character '$' is not allowed"},
    {"sec.TLS.cipherList", "::", "names no cipher"},
    {"sec.TLS.cipherList", "ALL:!", "'!' must be followed by a cipher name"},
    {"sec.TLS.profile.4.cipherSuite", "AES128 SHA;", "character ';'"},
    {"device.sec.configEncryption.key", "Crypt=1;KeyDesc=site;Key=00112233;", "Key must be 32 hex digits"},
    {"device.sec.configEncryption.key", "Crypt=0;KeyDesc=site;Key=00112233445566778899aabbccddeeff;",
     "Crypt must be 1"},
    {"device.sec.configEncryption.key", "Crypt=1;Key=00112233445566778899aabbccddeeff;", "missing KeyDesc"},
    {"device.sec.configEncryption.key", "Crypt=1;KeyDesc=x;Key=00112233445566778899aabbccddeefg;", "32 hex"},
    {"device.sec.configEncryption.key", "Crypt=1;KeyDesc=x;Key=00112233445566778899aabbccddeeff;Mode=2",
     "unknown field 'Mode'"},
    {"device.sec.configEncryption.key", "hello", "expected Crypt=1"},
};

static void test_every_type_rejects_bad_values(void **state)
{
    (void)state;
    char xml[512];
    for (size_t i = 0; i < sizeof(bad_values) / sizeof(bad_values[0]); i++) {
        const bad_t *b = &bad_values[i];
        snprintf(xml, sizeof(xml), HDR "<x device.set=\"1\" %s=\"%s\" %s.set=\"1\"/>", b->name, b->value, b->name);
        int ret = parse1(xml);
        const certslot_diag_t *e = find_diag(CERTSLOT_ERROR, b->why);
        if (ret != CERTSLOT_ERR_VALUE || e == NULL)
            fail_msg("%s=\"%s\": expected an error containing '%s' (ret %d)", b->name, b->value, b->why, ret);
        assert_int_equal(e->param, P(b->name));
        assert_false(certslot_config_is_set(&cfg, P(b->name)));
        certslot_config_free(&cfg);
    }
}

typedef struct {
    const char *name, *value, *shown;
    int num;
} good_t;

static const good_t good_values[] = {
    {"sec.TLS.profile.1.caCert.defaultList", " 0 ", "0", 0},
    {"device.prov.serverType", "https", "3", 3},
    {"device.prov.serverType", "4", "4", 4},
    {"device.sec.TLS.profile.caCertList2", "builtinandplatform2", "BuiltinAndPlatform2", 3},
    {"sec.TLS.profile.3.deviceCert", " application4\n", "Application4", 6},
    {"device.prov.serverName", "https://user:pw@prov.example.com/cfg", "https://user:pw@prov.example.com/cfg", 0},
    {"device.prov.password", "p a s s", "p a s s", 0},
    {"sec.TLS.cipherList", "ECDHE-RSA-AES128-GCM-SHA256:+AES:-CBC:@STRENGTH", NULL, 0},
    {"sec.TLS.SIP.cipherList", "NoCipher", "NoCipher", 0},
    {"device.sec.configEncryption.key", "Crypt=1;KeyDesc=site-2026;Key=00112233445566778899AABBCCDDEEFF;", NULL, 0},
    {"sec.TLS.customDeviceKey.1", "-----BEGIN " "PRIVATE KEY----- MIIEvQ== -----END " "PRIVATE KEY-----", NULL, 0},
    {"sec.TLS.customCaCert.6", "-----BEGIN CERTIFICATE-----MIIB-----END CERTIFICATE-----", NULL, 0},
};

static void test_every_type_accepts_good_values(void **state)
{
    (void)state;
    char xml[512];
    for (size_t i = 0; i < sizeof(good_values) / sizeof(good_values[0]); i++) {
        const good_t *g = &good_values[i];
        snprintf(xml, sizeof(xml), HDR "<x device.set=\"1\" %s=\"%s\" %s.set=\"1\"/>", g->name, g->value, g->name);
        if (parse1(xml) != 0)
            fail_msg("%s=\"%s\" refused: %s", g->name, g->value, cfg.ndiags ? cfg.diags[0].msg : "");
        assert_true(certslot_config_is_set(&cfg, P(g->name)));
        if (g->shown != NULL)
            assert_string_equal(certslot_config_get(&cfg, P(g->name)), g->shown);
        assert_int_equal(certslot_config_get_num(&cfg, P(g->name)), g->num);
        certslot_config_free(&cfg);
    }
}

static void test_value_size_limit(void **state)
{
    (void)state;
    size_t n = CERTSLOT_CONFIG_MAX_VALUE;
    char *xml = malloc(n + 200);
    assert_non_null(xml);
    for (int over = 0; over <= 1; over++) {
        int o = sprintf(xml, HDR "<x sec.TLS.customCaCert.1=\"");
        memset(xml + o, 'A', n + (size_t)over);
        strcpy(xml + o + n + (size_t)over, "\" sec.TLS.protocol.sip=\"TLSv1_0\"/>");
        int ret = parse1(xml);
        assert_int_equal(ret, over ? CERTSLOT_ERR_VALUE : 0);
        assert_int_equal(certslot_config_is_set(&cfg, P("sec.TLS.customCaCert.1")), !over);
        assert_int_equal(certslot_config_get_num(&cfg, P("sec.TLS.protocol.sip")), 1);
        if (over)
            assert_non_null(find_diag(CERTSLOT_ERROR, "longer than the limit of 65536"));
        certslot_config_free(&cfg);
    }
    free(xml);
}

/* ---- files rejected whole ---- */

static void test_malformed_xml_rejects_whole_file(void **state)
{
    (void)state;
    const char *bad = HDR "<x sec.TLS.protocol.sip=\"TLSv1_0\" sec.TLS.fooo=\"1\">\n  <y a=\"1\">\n</x>\n";
    const char *good = HDR "<x sec.TLS.protocol.ldap=\"TLSv1_3\"/>";
    certslot_config_init(&cfg);
    assert_int_equal(certslot_config_parse_buffer(&cfg, "bad.cfg", bad, strlen(bad)), CERTSLOT_ERR_XML);
    assert_int_equal(certslot_config_parse_buffer(&cfg, "good.cfg", good, strlen(good)), 0);
    certslot_config_finish(&cfg);
    assert_false(certslot_config_is_set(&cfg, P("sec.TLS.protocol.sip")));
    assert_int_equal(certslot_config_get_num(&cfg, P("sec.TLS.protocol.ldap")), 4);
    assert_int_equal(cfg.ndiags, 1); /* only the fatal error, not the dropped file's warnings */
    const certslot_diag_t *e = find_diag(CERTSLOT_ERROR, "not well-formed XML: mismatched tag");
    assert_non_null(e);
    assert_string_equal(e->file, "bad.cfg");
    assert_int_equal(e->line, 4);
    assert_int_equal(e->col, 3);
}

static void test_dtd_and_entities_refused(void **state)
{
    (void)state;
    static const char *const docs[] = {
        HDR "<!DOCTYPE x [<!ENTITY a \"TLSv1_0\">]><x sec.TLS.protocol.sip=\"&a;\"/>",
        HDR "<!DOCTYPE x SYSTEM \"http://example.com/x.dtd\"><x/>",
        HDR "<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><x sec.TLS.protocol.sip=\"&e;\"/>",
    };
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(parse1(docs[i]), CERTSLOT_ERR_XML);
        assert_non_null(find_diag(CERTSLOT_ERROR, "DOCTYPE declarations (DTDs, entities) are not allowed"));
        assert_int_equal(cfg.diags[0].line, 2);
        assert_false(certslot_config_is_set(&cfg, P("sec.TLS.protocol.sip")));
        certslot_config_free(&cfg);
    }
    /* Without a DTD, an entity reference is simply undefined. */
    assert_int_equal(parse1(HDR "<x sec.TLS.protocol.sip=\"&a;\"/>"), CERTSLOT_ERR_XML);
    assert_non_null(find_diag(CERTSLOT_ERROR, "undefined entity"));
    certslot_config_free(&cfg);
    /* Character references are plain XML and fine. */
    assert_int_equal(parse1(HDR "<x device.prov.serverName=\"a&#46;example&#x2E;com\" device.prov.serverName.set="
                                "\"1\" device.set=\"1\"/>"),
                     0);
    assert_string_equal(certslot_config_get(&cfg, P("device.prov.serverName")), "a.example.com");
}

static void test_billion_laughs_fails_fast_in_bounded_memory(void **state)
{
    (void)state;
    char xml[4096];
    int o = sprintf(xml, HDR "<!DOCTYPE lolz [\n <!ENTITY lol0 \"lol\">\n");
    for (int i = 1; i < 10; i++) {
        o += sprintf(xml + o, " <!ENTITY lol%d \"", i);
        for (int k = 0; k < 10; k++)
            o += sprintf(xml + o, "&lol%d;", i - 1);
        o += sprintf(xml + o, "\">\n");
    }
    sprintf(xml + o, "]>\n<x sec.TLS.cipherList=\"&lol9;\"/>");
    tu_alloc_install(0);
    assert_int_equal(parse1(xml), CERTSLOT_ERR_XML);
    assert_non_null(find_diag(CERTSLOT_ERROR, "DOCTYPE declarations"));
    assert_true(tu_alloc_peak() < 128 * 1024);
    certslot_config_free(&cfg);
    assert_int_equal(tu_alloc_outstanding(), 0);
}

/* A document of exactly size bytes setting sec.TLS.protocol.sip, padded with spaces. */
static char *sized_doc(size_t size)
{
    const char *head = HDR "<x sec.TLS.protocol.sip=\"TLSv1_0\">";
    char *xml = malloc(size + 1);
    assert_non_null(xml);
    memset(xml, ' ', size);
    xml[size] = '\0';
    memcpy(xml, head, strlen(head));
    memcpy(xml + size - 4, "</x>", 4);
    return xml;
}

static void test_file_size_limit(void **state)
{
    (void)state;
    const char *dir = tu_tmpdir();
    char path[256];
    snprintf(path, sizeof(path), "%s/big.cfg", dir);

    for (int over = 0; over <= 1; over++) {
        size_t n = CERTSLOT_CONFIG_MAX_FILE + (size_t)over;
        char *xml = sized_doc(n);
        assert_int_equal(parse1(xml), over ? CERTSLOT_ERR_LIMIT : 0);
        assert_int_equal(certslot_config_is_set(&cfg, P("sec.TLS.protocol.sip")), !over);
        certslot_config_free(&cfg);

        tu_write(dir, "big.cfg", xml, n);
        free(xml);
        certslot_config_init(&cfg);
        assert_int_equal(tu_parse_file(&cfg, path), over ? CERTSLOT_ERR_LIMIT : 0);
        certslot_config_finish(&cfg);
        assert_int_equal(certslot_config_is_set(&cfg, P("sec.TLS.protocol.sip")), !over);
        if (over)
            assert_non_null(find_diag(CERTSLOT_ERROR, "file is larger than the limit of 4194304 bytes"));
        certslot_config_free(&cfg);
    }
    tu_rmtree(dir);
}

static void test_attribute_positions_on_multiline_tags(void **state)
{
    (void)state;
    /* Tabs count as one column, multi-byte UTF-8 characters as one, values may span lines. */
    assert_int_equal(parse1(HDR "<r>\xc3\xa9<x\n\tsec.TLS.a=\"1\"\n  other=\"two\nlines\" sec.TLS.b=\"x\" />\n</r>"),
                     0);
    const certslot_diag_t *a = find_diag(CERTSLOT_WARNING, "'sec.TLS.a'");
    const certslot_diag_t *b = find_diag(CERTSLOT_WARNING, "'sec.TLS.b'");
    assert_non_null(a);
    assert_non_null(b);
    assert_int_equal(a->line, 3);
    assert_int_equal(a->col, 2);
    assert_int_equal(b->line, 5);
    assert_int_equal(b->col, 8);
}

/* ---- master file ---- */

static void test_master_file_and_config_files(void **state)
{
    (void)state;
    const char *dir = tu_tmpdir();
    tu_write_str(dir, "000000000000.cfg",
                 HDR "<APPLICATION CONFIG_FILES=\"site.cfg\" sec.TLS.protocol.sip=\"TLSv1_0\"/>");
    tu_write_str(dir, "0004f2a1b2c3.cfg",
                 HDR "<APPLICATION CONFIG_FILES=\" [mac]-phone.cfg ,[PHONE_MAC_ADDRESS]-x.cfg, site.cfg,\n"
                     " wireless.cfg, ../etc/passwd, /etc/passwd, missing.cfg\"/>");
    tu_write_str(dir, "0004f2a1b2c3-phone.cfg", HDR "<p sec.TLS.protocol.sip=\"TLSv1_1\"/>");
    tu_write_str(dir, "0004f2a1b2c3-x.cfg", HDR "<p sec.TLS.protocol.sip=\"TLSv1_0\" sec.TLS.protocol.ldap=\"TLSv1_1\"/>");
    tu_write_str(dir, "site.cfg", HDR "<s sec.TLS.protocol.ldap=\"TLSv1_0\" sec.TLS.protocol.browser=\"TLSv1_0\"/>");
    tu_write_str(dir, "wireless.cfg", HDR "<w sec.TLS.protocol.browser=\"TLSv1_1\" sec.TLS.cipherList=\"AES\"/>");

    /* With the MAC, <mac>.cfg is the master; left overrides right. */
    certslot_config_init(&cfg);
    assert_int_equal(certslot_config_set_mac(&cfg, "00:04:F2:A1:B2:C3"), 0);
    assert_int_equal(tu_load_master(&cfg, dir), CERTSLOT_ERR_VALUE);
    certslot_config_finish(&cfg);
    assert_int_equal(certslot_config_get_num(&cfg, P("sec.TLS.protocol.sip")), 2);     /* -phone.cfg */
    assert_int_equal(certslot_config_get_num(&cfg, P("sec.TLS.protocol.ldap")), 2);    /* -x.cfg */
    assert_int_equal(certslot_config_get_num(&cfg, P("sec.TLS.protocol.browser")), 1); /* site.cfg */
    assert_string_equal(certslot_config_get(&cfg, P("sec.TLS.cipherList")), "AES");
    assert_non_null(find_diag(CERTSLOT_ERROR, "CONFIG_FILES entry '../etc/passwd' refused"));
    assert_non_null(find_diag(CERTSLOT_ERROR, "CONFIG_FILES entry '/etc/passwd' refused"));
    assert_non_null(find_diag(CERTSLOT_WARNING, "names 'missing.cfg', which does not exist; skipped"));
    assert_int_equal(cfg.io_error, 0);
    certslot_config_free(&cfg);

    /* Another handset: 000000000000.cfg; its own parameter is not applied. */
    certslot_config_init(&cfg);
    assert_int_equal(certslot_config_set_mac(&cfg, "0004f2000001"), 0);
    assert_int_equal(tu_load_master(&cfg, dir), 0);
    certslot_config_finish(&cfg);
    assert_int_equal(certslot_config_get_num(&cfg, P("sec.TLS.protocol.sip")), 3);
    assert_int_equal(certslot_config_get_num(&cfg, P("sec.TLS.protocol.ldap")), 1);
    assert_non_null(find_diag(CERTSLOT_WARNING, "in the master file is not applied"));
    certslot_config_free(&cfg);

    /* A master file path works as well as its directory. */
    char path[256];
    snprintf(path, sizeof(path), "%s/000000000000.cfg", dir);
    certslot_config_init(&cfg);
    assert_int_equal(certslot_config_set_mac(&cfg, "0004F2A1B2C3"), 0);
    assert_int_equal(tu_load_master(&cfg, path), 0);
    certslot_config_finish(&cfg);
    assert_int_equal(certslot_config_get_num(&cfg, P("sec.TLS.protocol.browser")), 1);
    certslot_config_free(&cfg);

    /* CONFIG_FILES outside a master file has no effect. */
    assert_int_equal(parse1(HDR "<x CONFIG_FILES=\"a.cfg\"/>"), 0);
    assert_non_null(find_diag(CERTSLOT_WARNING, "CONFIG_FILES has effect only in a master file"));
    tu_rmtree(dir);
}

/* From a directory only regular files inside it are read: no FIFO (it would block for ever), no device or
 * directory, no symbolic link leading out. */
static void test_only_regular_files_inside_the_directory_are_read(void **state)
{
    (void)state;
    const char *dir = tu_tmpdir(), *outside = tu_tmpdir();
    char path[512], target[512];

    tu_write_str(outside, "secret.cfg", HDR "<o sec.TLS.protocol.ldap=\"TLSv1_1\"/>");
    tu_write_str(outside, "x.cfg", HDR "<o sec.TLS.protocol.browser=\"TLSv1_1\"/>");
    tu_write_str(dir, "000000000000.cfg",
                 HDR "<A CONFIG_FILES=\"fifo.cfg, out.cfg, in.cfg, sub, dangling.cfg, linkdir/x.cfg, site.cfg\"/>");
    tu_write_str(dir, "site.cfg", HDR "<s sec.TLS.protocol.sip=\"TLSv1_1\"/>");
    snprintf(path, sizeof(path), "%s/fifo.cfg", dir);
    assert_int_equal(mkfifo(path, 0600), 0);
    snprintf(path, sizeof(path), "%s/out.cfg", dir);
    snprintf(target, sizeof(target), "%s/secret.cfg", outside);
    assert_int_equal(symlink(target, path), 0);
    snprintf(path, sizeof(path), "%s/in.cfg", dir);
    assert_int_equal(symlink("site.cfg", path), 0); /* inside: fine */
    snprintf(path, sizeof(path), "%s/sub", dir);
    assert_int_equal(mkdir(path, 0700), 0);
    snprintf(path, sizeof(path), "%s/dangling.cfg", dir);
    assert_int_equal(symlink("nowhere.cfg", path), 0);
    snprintf(path, sizeof(path), "%s/linkdir", dir);
    assert_int_equal(symlink(outside, path), 0);

    alarm(20); /* a FIFO read would block: fail instead of hanging */
    certslot_config_init(&cfg);
    assert_int_equal(tu_load_master(&cfg, dir), CERTSLOT_ERR_VALUE);
    certslot_config_finish(&cfg);
    alarm(0);
    assert_int_equal(certslot_config_get_num(&cfg, P("sec.TLS.protocol.sip")), 2);     /* in.cfg, site.cfg */
    assert_int_equal(certslot_config_get_num(&cfg, P("sec.TLS.protocol.ldap")), 3);    /* not from outside */
    assert_int_equal(certslot_config_get_num(&cfg, P("sec.TLS.protocol.browser")), 3); /* not from outside */
    static const struct {
        const char *file, *why;
    } refused[] = {{"fifo.cfg", "not a regular file (a FIFO, a device or a directory)"},
                   {"out.cfg", "it leads outside the master file's directory (a symbolic link)"},
                   {"sub", "not a regular file"},
                   {"dangling.cfg", "a symbolic link to nothing"},
                   {"linkdir/x.cfg", "it leads outside the master file's directory"}};
    for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
        const certslot_diag_t *e = NULL;
        char want[300];
        snprintf(want, sizeof(want), "%s/%s", dir, refused[i].file);
        for (size_t k = 0; k < cfg.ndiags && e == NULL; k++)
            if (cfg.diags[k].file != NULL && strcmp(cfg.diags[k].file, want) == 0 &&
                cfg.diags[k].severity == CERTSLOT_ERROR && strstr(cfg.diags[k].msg, refused[i].why) != NULL)
                e = &cfg.diags[k];
        if (e == NULL)
            fail_msg("no error '%s' for %s", refused[i].why, want);
    }
    certslot_config_free(&cfg);
    tu_rmtree(dir);
    tu_rmtree(outside);
}

/* A source over a fetch function, as the provisioning flow makes one: a file is fetched whole, then read. */
typedef int (*fetch_fn)(void *ctx, const char *name, char **data, size_t *len);
typedef struct {
    fetch_fn fetch;
    void *ctx;
} shim_t;
typedef struct {
    char *data;
    size_t len, pos;
} memfile_t;

static int shim_open(void *ctx, const char *name, void **file, char *why, size_t size)
{
    const shim_t *s = ctx;
    memfile_t *f = calloc(1, sizeof(*f));
    int ret = s->fetch(s->ctx, name, &f->data, &f->len);
    if (ret == 0) {
        *file = f;
        return 0;
    }
    free(f);
    if (ret == CERTSLOT_ERR_NOT_FOUND)
        return ret;
    snprintf(why, size, "cannot fetch: %s", certslot_strerror(ret));
    return CERTSLOT_ERR_IO;
}

static int shim_read(void *ctx, void *file, char *buf, size_t size, size_t *got)
{
    memfile_t *f = file;
    (void)ctx;
    *got = f->len - f->pos < size ? f->len - f->pos : size;
    memcpy(buf, f->data + f->pos, *got);
    f->pos += *got;
    return 0;
}

static void shim_close(void *ctx, void *file)
{
    memfile_t *f = file;
    (void)ctx;
    certslot_free(f->data);
    free(f);
}

static int load_master_from(certslot_config_t *c, fetch_fn fetch, void *ctx)
{
    shim_t s = {fetch, ctx};
    const certslot_source_t src = {shim_open, shim_read, shim_close, &s, NULL};
    return certslot_config_load_master(c, &src, NULL);
}

/* One file of the served text, for certslot_config_parse through the shim. */
static const char *positions_text;
static int fetch_text(void *ctx, const char *name, char **data, size_t *len)
{
    (void)ctx, (void)name;
    *len = strlen(positions_text);
    *data = certslot_calloc(1, *len + 1);
    memcpy(*data, positions_text, *len);
    return 0;
}

/*
 * Every error's line:col, over files much larger than the parser's read
 * buffer (so tags are counted from the previous one, and from expat's
 * position after each new buffer), with UTF-8 text before the attribute
 * (columns are characters) and LF, CRLF and bare CR line ends.
 */
static void test_positions_across_read_buffers(void **state)
{
    (void)state;
    static const char *const ends[] = {"\n", "\r\n", "\r"};
    size_t size = 200 * 1024;
    char *xml = malloc(size);
    uint32_t want_line[400], want_col[400];
    assert_non_null(xml);
    for (size_t e = 0; e < 3; e++) {
        size_t o = (size_t)snprintf(xml, size, "<?xml version='1.0' encoding='UTF-8'?>%s<r>%s", ends[e], ends[e]);
        uint32_t line = 3, n = 0;
        for (int i = 0; i < 2400; i++, line++) {
            /* 5 characters of UTF-8 text (2-byte and 3-byte ones), other subsystems' names, then ours. */
            int pad = i % 7;
            o += (size_t)snprintf(xml + o, size - o, "%*s<x voice.label=\"h\xc3\xa9llo \xe2\x82\xac\" reg.%d.x=\"1\"", pad, "", i);
            if (i % 6 == 0 && n < 400) {
                /* the column, in characters: pad + "<x voice.label=\"" (16) + 7 characters + "\" reg.N.x=\"1\" " */
                char head[64];
                int hl = snprintf(head, sizeof(head), "\" reg.%d.x=\"1\" ", i);
                want_line[n] = line;
                want_col[n] = (uint32_t)(pad + 16 + 7 + hl + 1);
                n++;
                o += (size_t)snprintf(xml + o, size - o, " sec.TLS.SIP.strictCertCommonNameValidation=\"2\"");
            }
            o += (size_t)snprintf(xml + o, size - o, "/>%s", ends[e]);
        }
        snprintf(xml + o, size - o, "</r>");
        assert_true(o > 3 * 16384);
        positions_text = xml;
        shim_t sh = {fetch_text, NULL};
        const certslot_source_t src = {shim_open, shim_read, shim_close, &sh, NULL};
        certslot_config_init(&cfg);
        cfg.diag_limit = 1u << 20; /* every one of them kept */
        assert_int_equal(certslot_config_parse(&cfg, &src, "big.cfg"), CERTSLOT_ERR_VALUE);
        assert_int_equal(cfg.ndiags, n);
        for (uint32_t k = 0; k < n; k++) {
            if (cfg.diags[k].line != want_line[k] || cfg.diags[k].col != want_col[k])
                fail_msg("line ends %zu, error %u: at %u:%u, expected %u:%u", e, k, cfg.diags[k].line,
                         cfg.diags[k].col, want_line[k], want_col[k]);
        }
        certslot_config_free(&cfg);
    }
    free(xml);
}

/* A provisioning server in memory: name -> contents, or an error. */
static const struct {
    const char *name, *text;
    int err;
} served[] = {
    {"000000000000.cfg", "<APPLICATION CONFIG_FILES='[mac]-phone.cfg, site.cfg, gone.cfg, broken.cfg'/>", 0},
    {"0004f2a1b2c3-phone.cfg", "<p sec.TLS.protocol.sip='TLSv1_1'/>", 0},
    {"site.cfg", "<s sec.TLS.protocol.sip='TLSv1_0' sec.TLS.protocol.ldap='TLSv1_0'/>", 0},
    {"broken.cfg", NULL, CERTSLOT_ERR_TIMEOUT},
};

static int fetch_served(void *ctx, const char *name, char **data, size_t *len)
{
    int *calls = ctx;
    (*calls)++;
    for (size_t i = 0; i < sizeof(served) / sizeof(served[0]); i++) {
        if (strcmp(served[i].name, name) != 0)
            continue;
        if (served[i].err != 0)
            return served[i].err;
        *len = strlen(served[i].text);
        *data = certslot_calloc(1, *len + 1);
        memcpy(*data, served[i].text, *len);
        return 0;
    }
    return CERTSLOT_ERR_NOT_FOUND;
}

static int fetch_nothing(void *ctx, const char *name, char **data, size_t *len)
{
    (void)ctx, (void)name, (void)data, (void)len;
    return CERTSLOT_ERR_NOT_FOUND;
}

static void test_master_file_from_a_server(void **state)
{
    (void)state;
    int calls = 0;
    certslot_config_init(&cfg);
    assert_int_equal(certslot_config_set_mac(&cfg, "0004f2a1b2c3"), 0);
    assert_int_equal(load_master_from(&cfg, fetch_served, &calls), CERTSLOT_ERR_IO);
    certslot_config_finish(&cfg);
    /* <mac>.cfg, 000000000000.cfg, then the four CONFIG_FILES. */
    assert_int_equal(calls, 6);
    assert_int_equal(certslot_config_get_num(&cfg, P("sec.TLS.protocol.sip")), 2);
    assert_int_equal(certslot_config_get_num(&cfg, P("sec.TLS.protocol.ldap")), 1);
    assert_non_null(find_diag(CERTSLOT_WARNING, "names 'gone.cfg', which does not exist; skipped"));
    const certslot_diag_t *e = find_diag(CERTSLOT_ERROR, "cannot fetch: timed out");
    assert_non_null(e);
    assert_string_equal(e->file, "broken.cfg");
    assert_int_equal(cfg.io_error, 1);
    certslot_config_free(&cfg);
    /* A server with no master file at all. */
    certslot_config_init(&cfg);
    assert_int_equal(certslot_config_set_mac(&cfg, "0004f2a1b2c3"), 0);
    assert_int_equal(load_master_from(&cfg, fetch_nothing, NULL), CERTSLOT_ERR_IO);
    certslot_config_finish(&cfg);
    assert_non_null(find_diag(CERTSLOT_ERROR, "no master file (0004f2a1b2c3.cfg or 000000000000.cfg)"));
}

/* A master file from a hostile server smuggles FTP commands through CONFIG_FILES: nothing is fetched for it. */
static char fetched_names[512];

static int fetch_recording(void *ctx, const char *name, char **data, size_t *len)
{
    static const char master[] = "<A CONFIG_FILES='site.cfg&#13;&#10;DELE important.txt&#13;&#10;SITE CHMOD 777 x,"
                                 " other.cfg, tab&#9;bed.cfg, del&#127;.cfg'/>";
    const char *text = strcmp(name, "000000000000.cfg") == 0 ? master
                       : strcmp(name, "other.cfg") == 0      ? "<o sec.TLS.protocol.sip='TLSv1_1'/>"
                                                             : NULL;
    size_t n = strlen(fetched_names);
    (void)ctx;
    snprintf(fetched_names + n, sizeof(fetched_names) - n, "[%s]", name);
    if (text == NULL)
        return CERTSLOT_ERR_NOT_FOUND;
    *len = strlen(text);
    *data = certslot_calloc(1, *len + 1);
    memcpy(*data, text, *len);
    return 0;
}

static void test_config_files_with_control_characters_fetch_nothing(void **state)
{
    (void)state;
    fetched_names[0] = '\0';
    certslot_config_init(&cfg);
    assert_int_equal(certslot_config_set_mac(&cfg, "0004f2a1b2c3"), 0);
    assert_int_equal(load_master_from(&cfg, fetch_recording, NULL), CERTSLOT_ERR_VALUE);
    certslot_config_finish(&cfg);
    /* Only names without a control byte reached the fetch. */
    assert_string_equal(fetched_names, "[0004f2a1b2c3.cfg][000000000000.cfg][other.cfg]");
    assert_int_equal(certslot_config_get_num(&cfg, P("sec.TLS.protocol.sip")), 2);
    /* Each refused entry is an error at the CONFIG_FILES attribute, shown escaped on one line. */
    const certslot_diag_t *e = find_diag(CERTSLOT_ERROR, "CONFIG_FILES entry 'site.cfg\\x0d\\x0aDELE important.txt"
                                                         "\\x0d\\x0aSITE CHMOD 777 x' refused: it contains a control "
                                                         "character; nothing is fetched for it");
    assert_non_null(e);
    assert_string_equal(e->file, "000000000000.cfg");
    assert_int_equal(e->line, 1);
    assert_int_equal(e->col, 4);
    assert_non_null(find_diag(CERTSLOT_ERROR, "CONFIG_FILES entry 'tab\\x09bed.cfg' refused"));
    assert_non_null(find_diag(CERTSLOT_ERROR, "CONFIG_FILES entry 'del\\x7f.cfg' refused"));
}

/* Untrusted bytes in diagnostics (values, file names) are escaped: one line each, no terminal control. */
static void test_diagnostics_escape_control_bytes(void **state)
{
    (void)state;
    /* XML lets through CR, LF, TAB, DEL and C1 controls (U+009B is CSI) as character references. */
    assert_int_equal(parse1(HDR "<x device.set='1' device.sec.TLS.customCaCert1.set='&#x9b;2J&#127;&#13;&#10;a.cfg:1:1: "
                                "error: forged'/>"),
                     CERTSLOT_ERR_VALUE);
    const certslot_diag_t *e = find_diag(CERTSLOT_NOTE, "device.sec.TLS.customCaCert1.set: expected 0 or 1");
    assert_non_null(e);
    assert_non_null(strstr(e->msg, "\\xc2\\x9b2J\\x7f\\x0d\\x0aa.cfg:1:1: error: forged"));
    for (size_t i = 0; i < cfg.ndiags; i++)
        for (const char *c = cfg.diags[i].msg; *c != '\0'; c++)
            assert_false((unsigned char)*c < 0x20 || *c == 0x7f || (unsigned char)*c == 0xc2);
    certslot_config_free(&cfg);
    /* A file name with a line break (from a directory listing, a command line, a server). */
    certslot_config_init(&cfg);
    assert_int_equal(certslot_config_parse_buffer(&cfg, "evil\n.cfg:9:9: note: x", "<x", 2), CERTSLOT_ERR_XML);
    certslot_config_finish(&cfg);
    e = find_diag(CERTSLOT_ERROR, "not well-formed");
    assert_non_null(e);
    assert_string_equal(e->file, "evil\\x0a.cfg:9:9: note: x");
}

static void test_unreadable_files(void **state)
{
    (void)state;
    const char *dir = tu_tmpdir();
    certslot_config_init(&cfg);
    assert_int_equal(tu_load_master(&cfg, dir), CERTSLOT_ERR_IO);
    assert_int_equal(cfg.io_error, 1);
    certslot_config_free(&cfg);
    certslot_config_init(&cfg);
    assert_int_equal(tu_parse_file(&cfg, "/nonexistent/x.cfg"), CERTSLOT_ERR_IO);
    certslot_config_finish(&cfg);
    assert_non_null(find_diag(CERTSLOT_ERROR, "cannot read"));
    certslot_config_free(&cfg);
    certslot_config_init(&cfg);
    assert_int_equal(certslot_config_set_mac(&cfg, "0004f2a1b2"), CERTSLOT_ERR_ARG);
    certslot_config_init(&cfg);
    assert_int_equal(certslot_config_set_mac(&cfg, "0004f2a1b2c3d4"), CERTSLOT_ERR_ARG);
    certslot_config_init(&cfg);
    assert_int_equal(certslot_config_set_mac(&cfg, "0004f2a1b2cg"), CERTSLOT_ERR_ARG);
    tu_rmtree(dir);
}

/* ---- resources ---- */

static void test_allocation_failures_lose_nothing(void **state)
{
    (void)state;
    size_t len;
    char *xml = tu_read(tu_data("seed001/wireless.cfg"), &len);
    size_t total;

    tu_alloc_install(0);
    certslot_config_init(&cfg);
    assert_int_equal(certslot_config_parse_buffer(&cfg, "w.cfg", xml, len), 0);
    certslot_config_finish(&cfg);
    certslot_config_free(&cfg);
    total = tu_alloc_calls();
    assert_int_equal(tu_alloc_outstanding(), 0);

    for (size_t n = 1; n <= total; n++) {
        tu_alloc_install(n);
        certslot_config_init(&cfg);
        int ret = certslot_config_parse_buffer(&cfg, "w.cfg", xml, len);
        certslot_config_finish(&cfg);
        assert_true(tu_alloc_failed());
        /* Either the file is rejected whole for lack of memory, or only a diagnostic was lost. */
        if (ret == 0) {
            assert_true(cfg.diags_dropped > 0);
            assert_true(certslot_config_is_set(&cfg, CERTSLOT_PARAM(PLATFORM_CA_CERT, 1)));
        } else {
            assert_int_equal(ret, CERTSLOT_ERR_NOMEM);
            assert_false(certslot_config_is_set(&cfg, CERTSLOT_PARAM(PLATFORM_CA_CERT, 1)));
        }
        certslot_config_free(&cfg);
        assert_int_equal(tu_alloc_outstanding(), 0);
    }
    free(xml);
}

/* ---- secrets ---- */

/* A file's keys and passwords are wiped from every buffer that held them, expat's own included. */
static void test_secrets_are_wiped_from_freed_memory(void **state)
{
    (void)state;
    const char *dir = tu_tmpdir();
    char path[512];
    tu_write_str(dir, "secret.cfg",
                 HDR "<p device.prov.password=\"pw-W1peMarker\" device.prov.password.set=\"1\" device.set=\"1\"\n"
                     "   sec.TLS.customDeviceKey.1=\"-----BEGIN " "PRIVATE KEY-----&#10;MIIEvW1peMarkerAAAA&#10;"
                     "-----END PRIVATE KEY-----\"/>\n");
    snprintf(path, sizeof(path), "%s/secret.cfg", dir);
    tu_alloc_quarantine(1);
    certslot_config_init(&cfg);
    assert_int_equal(tu_parse_file(&cfg, path), 0);
    assert_int_equal(certslot_config_finish(&cfg), 0);
    assert_non_null(strstr(certslot_config_get(&cfg, P("device.prov.password")), "W1peMarker"));
    certslot_config_free(&cfg);
    size_t hits = tu_alloc_freed_holding("W1peMarker", 10);
    tu_alloc_quarantine(0);
    assert_int_equal(hits, 0);
    tu_rmtree(dir);
}

/* The DER of the certificates in a PEM file, back to back, into der (room size); its length. */
static size_t pem_file_der(const char *name, unsigned char *der, size_t size)
{
    size_t len, n = 0;
    char *pem = tu_pki_read(name, &len), why[200];
    mbedtls_x509_crt chain;
    mbedtls_x509_crt_init(&chain);
    assert_int_equal(certslot_cert_decode((unsigned char *)pem, len, &chain, why, sizeof(why)), 0);
    for (const mbedtls_x509_crt *c = &chain; c != NULL; c = c->next) {
        assert_true(n + c->raw.len <= size);
        memcpy(der + n, c->raw.p, c->raw.len);
        n += c->raw.len;
    }
    mbedtls_x509_crt_free(&chain);
    free(pem);
    return n;
}

static void test_pem_certificate_values_are_held_as_der(void **state)
{
    (void)state;
    static unsigned char want[8192];
    static char xml[32768], lines[8192], broken[8192];
    size_t n = pem_file_der("root-ec.crt", want, sizeof(want));
    n += pem_file_der("inter.crt", want + n, sizeof(want) - n);
    char *ec = tu_pki_read("root-ec.crt", NULL), *inter = tu_pki_read("inter.crt", NULL), both[8192];
    snprintf(both, sizeof(both), "%s%s", ec, inter);
    size_t o = 0; /* the bundle with &#10; for its line breaks, as a generator escapes them */
    for (const char *t = both; *t != '\0'; t++)
        o += (size_t)snprintf(lines + o, sizeof(lines) - o, *t == '\n' ? "&#10;" : "%c", *t);

    /* Both forms of a bundle: the certificates' DER, what the store keeps, and a quarter smaller. */
    snprintf(xml, sizeof(xml), "<x sec.TLS.customCaCert.1=\"%s\" sec.TLS.customCaCert.2=\"%s\"/>", both, lines);
    assert_int_equal(parse1(xml), 0);
    for (unsigned i = 1; i <= 2; i++) {
        const certslot_value_t *v = &cfg.v[P(i == 1 ? "sec.TLS.customCaCert.1" : "sec.TLS.customCaCert.2")];
        assert_true(v->der);
        assert_int_equal(v->len, n);
        assert_memory_equal(v->text, want, n);
        assert_true(v->len < strlen(both) * 4 / 5);
    }
    certslot_config_free(&cfg);

    /* Given again with a byte no certificate holds, near its end (another certificate, so that decoding it over the
     * value before would show): an error there, and the value before stays. */
    snprintf(broken, sizeof(broken), "%s", inter);
    size_t bad = strlen(broken) - strlen("==\n-----END CERTIFICATE-----\n") - 10;
    broken[bad] = '!';
    snprintf(xml, sizeof(xml), "<r><x sec.TLS.customCaCert.1=\"%s\"/>\n<y sec.TLS.customCaCert.1=\"%s\"/></r>", both, broken);
    assert_int_equal(parse1(xml), CERTSLOT_ERR_VALUE);
    char msg[80];
    snprintf(msg, sizeof(msg), "character '!' at position %zu cannot be part of a base64 or PEM", bad + 1);
    assert_non_null(find_diag(CERTSLOT_ERROR, msg));
    const certslot_value_t *v = &cfg.v[P("sec.TLS.customCaCert.1")];
    assert_true(v->der);
    assert_int_equal(v->len, n);
    assert_memory_equal(v->text, want, n);
    certslot_config_free(&cfg);

    /* Given again as base64 that is no PEM certificate ('=' inside): kept as given, for the store to judge. */
    snprintf(broken, sizeof(broken), "%s", ec);
    broken[strlen("-----BEGIN CERTIFICATE-----\n") + 10] = '=';
    snprintf(xml, sizeof(xml), "<r><x sec.TLS.customCaCert.1=\"%s\"/>\n<y sec.TLS.customCaCert.1=\"%s\"/></r>", ec, broken);
    assert_int_equal(parse1(xml), 0);
    v = &cfg.v[P("sec.TLS.customCaCert.1")];
    assert_false(v->der);
    for (char *c = broken; *c != '\0'; c++)
        *c = *c == '\n' ? ' ' : *c; /* XML gives line breaks in an attribute as spaces */
    assert_int_equal(v->len, strlen(broken));
    assert_memory_equal(v->text, broken, strlen(broken));
    free(ec);
    free(inter);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_seed001_wireless_cfg, teardown),
        cmocka_unit_test_teardown(test_names_are_case_insensitive, teardown),
        cmocka_unit_test_teardown(test_near_miss_names_are_bounded, teardown),
        cmocka_unit_test_teardown(test_diagnostics_heap_is_bounded, teardown),
        cmocka_unit_test_teardown(test_old_protocols_act_as_tls12, teardown),
        cmocka_unit_test_teardown(test_registry_round_trip, teardown),
        cmocka_unit_test_teardown(test_lookup_agrees_with_its_definition, teardown),
        cmocka_unit_test_teardown(test_certificate_value_bytes, teardown),
        cmocka_unit_test_teardown(test_other_device_names_are_not_ours, teardown),
        cmocka_unit_test_teardown(test_positions_across_read_buffers, teardown),
        cmocka_unit_test_teardown(test_unknown_parameters, teardown),
        cmocka_unit_test_teardown(test_device_set_zero_blocks_every_device_parameter, teardown),
        cmocka_unit_test_teardown(test_set_companion_not_one_ignores_value, teardown),
        cmocka_unit_test_teardown(test_set_one_with_empty_value_resets, teardown),
        cmocka_unit_test_teardown(test_left_file_overrides_right_and_last_wins_in_file, teardown),
        cmocka_unit_test_teardown(test_gate_merges_across_files, teardown),
        cmocka_unit_test_teardown(test_bad_value_keeps_previous, teardown),
        cmocka_unit_test_teardown(test_bad_value_of_gated_off_parameter_is_only_a_note, teardown),
        cmocka_unit_test_teardown(test_every_type_rejects_bad_values, teardown),
        cmocka_unit_test_teardown(test_every_type_accepts_good_values, teardown),
        cmocka_unit_test_teardown(test_value_size_limit, teardown),
        cmocka_unit_test_teardown(test_malformed_xml_rejects_whole_file, teardown),
        cmocka_unit_test_teardown(test_dtd_and_entities_refused, teardown),
        cmocka_unit_test_teardown(test_billion_laughs_fails_fast_in_bounded_memory, teardown),
        cmocka_unit_test_teardown(test_file_size_limit, teardown),
        cmocka_unit_test_teardown(test_attribute_positions_on_multiline_tags, teardown),
        cmocka_unit_test_teardown(test_master_file_and_config_files, teardown),
        cmocka_unit_test_teardown(test_master_file_from_a_server, teardown),
        cmocka_unit_test_teardown(test_only_regular_files_inside_the_directory_are_read, teardown),
        cmocka_unit_test_teardown(test_config_files_with_control_characters_fetch_nothing, teardown),
        cmocka_unit_test_teardown(test_diagnostics_escape_control_bytes, teardown),
        cmocka_unit_test_teardown(test_unreadable_files, teardown),
        cmocka_unit_test_teardown(test_allocation_failures_lose_nothing, teardown),
        cmocka_unit_test_teardown(test_secrets_are_wiped_from_freed_memory, teardown),
        cmocka_unit_test_teardown(test_pem_certificate_values_are_held_as_der, teardown),
    };
    return cmocka_run_group_tests_name("config", tests, NULL, NULL);
}
