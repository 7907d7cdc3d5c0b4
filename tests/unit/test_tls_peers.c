/*
 * Every application against real OpenSSL servers (openssl s_server on
 * 127.0.0.1, high ports, certificates made at test time): accepted with the
 * right CA and name; refused for a wrong name, an untrusted CA, an expired or
 * not yet valid certificate, a SHA-1 or 1024-bit leaf, a CA:false
 * intermediate; accepted with a wrong name when the strict check is off;
 * mutual TLS with the profile's device certificate; the minimum protocol and
 * the cipher list enforced; the same over TLS 1.3, and TLS 1.2 servers that
 * sign with RSA-PSS. The same program runs under qemu-arm.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "certslot/config.h"
#include "certslot/error.h"
#include "certslot/hal_sim.h"
#include "certslot/store.h"
#include "certslot/tls.h"
#include "sserver.h"
#include "testutil.h"

/* ---- openssl s_server ---- */

enum { GOOD, SHA1, RSA1024, NOCA, MUTUAL, TLS11, CIPHER, LEAF_CA, LEAF_KCS, EVIL, TLS13, MUTUAL13, PSS12, DH1024,
       DH2048, DH8192, E13, NSERVERS };
static sserver_t servers[NSERVERS];
static const char *tmp;

static char pki_paths[22][512];
static const char *pki(int slot, const char *name)
{
    snprintf(pki_paths[slot], sizeof(pki_paths[slot]), "%s", tu_pki(name));
    return pki_paths[slot];
}

static int start_servers(void **state)
{
    (void)state;
    tmp = tu_tmpdir();
    const char *weak = "DEFAULT@SECLEVEL=0";
    const char *good[] = {"-no_tls1_3", "-cert", pki(0, "server.crt"), "-key", pki(1, "server.key"), "-cert_chain",
                          pki(2, "inter.crt"), NULL};
    const char *sha1[] = {"-no_tls1_3", "-cert", pki(3, "server-sha1.crt"), "-key", pki(4, "server-sha1.key"), "-cipher", weak,
                          NULL};
    const char *rsa1024[] = {"-no_tls1_3", "-cert", pki(5, "server-rsa1024.crt"), "-key", pki(6, "server-rsa1024.key"), "-cipher",
                             weak, NULL};
    const char *noca[] = {"-no_tls1_3", "-cert", pki(7, "server-noca.crt"), "-key", pki(8, "server-noca.key"), "-cert_chain",
                          pki(9, "inter-noca.crt"), NULL};
    const char *mutual[] = {"-no_tls1_3", "-cert", pki(0, "server.crt"), "-key", pki(1, "server.key"), "-cert_chain",
                            pki(2, "inter.crt"), "-Verify", "2", "-verify_return_error", "-CAfile", pki(10, "root-rsa.crt"), NULL};
    const char *tls11[] = {"-cert", pki(0, "server.crt"), "-key", pki(1, "server.key"), "-cert_chain",
                           pki(2, "inter.crt"), "-tls1_1", "-cipher", weak, NULL};
    const char *cipher[] = {"-no_tls1_3", "-cert", pki(0, "server.crt"), "-key", pki(1, "server.key"), "-cert_chain",
                            pki(2, "inter.crt"), "-cipher", "AES128-SHA", NULL};
    const char *leaf_ca[] = {"-no_tls1_3", "-cert", pki(11, "server-ca.crt"), "-key", pki(12, "server-ca.key"), NULL};
    const char *leaf_kcs[] = {"-no_tls1_3", "-cert", pki(13, "server-kcs.crt"), "-key", pki(14, "server-kcs.key"),
                              NULL};
    const char *evil[] = {"-no_tls1_3", "-cert", pki(15, "server-evil.crt"), "-key", pki(14, "server-kcs.key"), NULL};
    /* TLS 1.3 only; TLS 1.3 only asking for a client certificate; TLS 1.2 signing only with RSA-PSS. */
    const char *tls13[] = {"-tls1_3", "-cert", pki(0, "server.crt"), "-key", pki(1, "server.key"), "-cert_chain",
                           pki(2, "inter.crt"), NULL};
    const char *mutual13[] = {"-tls1_3", "-cert", pki(0, "server.crt"), "-key", pki(1, "server.key"), "-cert_chain",
                              pki(2, "inter.crt"), "-Verify", "2", "-verify_return_error", "-CAfile",
                              pki(10, "root-rsa.crt"), NULL};
    const char *pss12[] = {"-no_tls1_3", "-cert", pki(0, "server.crt"), "-key", pki(1, "server.key"), "-cert_chain",
                           pki(2, "inter.crt"), "-sigalgs", "rsa_pss_rsae_sha512:rsa_pss_rsae_sha384:rsa_pss_rsae_sha256",
                           NULL};
    /* TLS 1.2 with DHE only, over a group of 1024, 2048 and 8192 bits. */
#define DHE(n, slot, file)                                                                                             \
    const char *n[] = {"-no_tls1_3", "-cert", pki(0, "server.crt"), "-key", pki(1, "server.key"), "-cert_chain",      \
                       pki(2, "inter.crt"), "-dhparam", pki(slot, file), "-cipher",                                   \
                       "DHE-RSA-AES128-GCM-SHA256@SECLEVEL=0", NULL}
    DHE(dh1024, 16, "dh-1024.pem");
    DHE(dh2048, 17, "dh-2048.pem");
    DHE(dh8192, 18, "dh-8192.pem");
#undef DHE
    /* TLS 1.3, a CA in the chain whose RSA exponent has 2,000 bits (tests/pki/make-rfc5280.sh). */
    const char *e13[] = {"-tls1_3", "-cert", pki(19, "rfc5280/under-e-huge.crt"), "-key",
                         pki(20, "rfc5280/under-e-huge.key"), "-cert_chain", pki(21, "rfc5280/e-huge.crt"), NULL};
    const char *const *all[NSERVERS] = {good,   sha1,     rsa1024, noca,  mutual,   tls11,  cipher, leaf_ca,
                                        leaf_kcs, evil, tls13,   mutual13, pss12, dh1024, dh2048, dh8192,
                                        e13};
    for (int i = 0; i < NSERVERS; i++) {
        char log[512];
        snprintf(log, sizeof(log), "%s/server%d.log", tmp, i);
        if (sserver_start(&servers[i], log, all[i]) != 0)
            fail_msg("openssl s_server %d did not start", i);
    }
    return 0;
}

static int stop_servers(void **state)
{
    (void)state;
    for (int i = 0; i < NSERVERS; i++)
        sserver_stop(&servers[i]);
    tu_rmtree(tmp);
    return 0;
}

/* ---- the applications ---- */

typedef struct {
    certslot_app_t app;
    certslot_slot_t slot;    /* CA and device slot the profile uses */
    const char *profile_xml; /* selection and profile settings */
    const char *strict, *protocol, *ciphers, *suites13;
} app_t;

static const app_t apps[] = {
    {CERTSLOT_APP_DOT1X, CERTSLOT_SLOT_PLATFORM1,
     "device.sec.TLS.profileSelection.dot1x='PlatformProfile1' device.sec.TLS.profileSelection.dot1x.set='1' "
     "device.sec.TLS.profile.caCertList1='Platform1' device.sec.TLS.profile.caCertList1.set='1' "
     "device.sec.TLS.profile.deviceCert1='%s' device.sec.TLS.profile.deviceCert1.set='1'",
     "device.sec.TLS.dot1x.strictCertCommonNameValidation", "device.sec.TLS.protocol.dot1x",
     "sec.TLS.dot1x.cipherList", "sec.TLS.dot1x.tls13CipherSuites"},
    {CERTSLOT_APP_PROV, CERTSLOT_SLOT_PLATFORM2,
     "device.sec.TLS.profileSelection.provisioning='PlatformProfile2' "
     "device.sec.TLS.profileSelection.provisioning.set='1' "
     "device.sec.TLS.profile.caCertList2='Platform2' device.sec.TLS.profile.caCertList2.set='1' "
     "device.sec.TLS.profile.deviceCert2='%s' device.sec.TLS.profile.deviceCert2.set='1'",
     "device.sec.TLS.prov.strictCertCommonNameValidation", "device.sec.TLS.protocol.prov", "sec.TLS.prov.cipherList", "sec.TLS.prov.tls13CipherSuites"},
    {CERTSLOT_APP_SYSLOG, CERTSLOT_SLOT_APPLICATION1,
     "device.sec.TLS.profileSelection.syslog='ApplicationProfile1' device.sec.TLS.profileSelection.syslog.set='1' "
     "sec.TLS.profile.1.caCert.defaultList='0' sec.TLS.profile.1.deviceCert='%s'",
     "device.sec.TLS.syslog.strictCertCommonNameValidation", "device.sec.TLS.protocol.syslog",
     "sec.TLS.syslog.cipherList", "sec.TLS.syslog.tls13CipherSuites"},
    {CERTSLOT_APP_SIP, CERTSLOT_SLOT_APPLICATION2,
     "sec.TLS.profileSelection.SIP='ApplicationProfile2' sec.TLS.profile.2.caCert.defaultList='0' "
     "sec.TLS.profile.2.deviceCert='%s'",
     "sec.TLS.SIP.strictCertCommonNameValidation", "sec.TLS.protocol.sip", "sec.TLS.SIP.cipherList", "sec.TLS.SIP.tls13CipherSuites"},
    {CERTSLOT_APP_LDAP, CERTSLOT_SLOT_APPLICATION3,
     "sec.TLS.profileSelection.LDAP='ApplicationProfile3' sec.TLS.profile.3.caCert.defaultList='0' "
     "sec.TLS.profile.3.deviceCert='%s'",
     "sec.TLS.LDAP.strictCertCommonNameValidation", "sec.TLS.protocol.ldap", "sec.TLS.LDAP.cipherList", "sec.TLS.LDAP.tls13CipherSuites"},
    {CERTSLOT_APP_BROWSER, CERTSLOT_SLOT_APPLICATION6,
     "sec.TLS.profileSelection.browser='ApplicationProfile6' sec.TLS.profile.6.caCert.defaultList='0' "
     "sec.TLS.profile.6.deviceCert='%s'",
     "sec.TLS.browser.strictCertCommonNameValidation", "sec.TLS.protocol.browser", "sec.TLS.browser.cipherList", "sec.TLS.browser.tls13CipherSuites"},
};

static const char *const device_cert_value[] = {"Platform1", "Platform2", "Application1", "Application2",
                                                "Application3", "Application4", "Application5", "Application6"};

typedef struct {
    const char *what;
    int server;
    const char *name;      /* configured server name */
    const char *ca;        /* CA put in the profile's slot */
    long clock_days;       /* handset clock: now + days */
    int strict;            /* -1: default (on) */
    const char *protocol;  /* NULL: default */
    const char *ciphers;   /* NULL: default */
    int builtin_device;    /* the profile presents the built-in device certificate */
    int expect;            /* 0 or CERTSLOT_ERR_* */
    const char *expect_why, *expect_version, *expect_suite;
    const char *suites13; /* NULL: default */
    const char *more;     /* more attributes, or NULL */
} case_t;

static const case_t cases[] = {
    {"accepted", GOOD, "server.test", "root-rsa.crt", 0, -1, NULL, NULL, 0, 0, NULL, "TLSv1.2", NULL, NULL, NULL},
    {"accepted by IP subjectAltName", GOOD, "127.0.0.1", "root-rsa.crt", 0, -1, NULL, NULL, 0, 0, NULL, NULL, NULL, NULL,
     NULL},
    {"wrong name, strict", GOOD, "other.test", "root-rsa.crt", 0, -1, NULL, NULL, 0, CERTSLOT_ERR_NAME,
     "name 'other.test'", NULL, NULL, NULL, NULL},
    {"no name configured, strict: never skipped", GOOD, "", "root-rsa.crt", 0, -1, NULL, NULL, 0, CERTSLOT_ERR_NAME,
     "no server name is configured", NULL, NULL, NULL, NULL},
    {"wrong name, strict off", GOOD, "other.test", "root-rsa.crt", 0, 0, NULL, NULL, 0, 0, NULL, NULL, NULL, NULL,
     NULL},
    {"untrusted CA", GOOD, "server.test", "root-ec.crt", 0, -1, NULL, NULL, 0, CERTSLOT_ERR_VERIFY,
     "not issued by a CA this profile trusts", NULL, NULL, NULL, NULL},
    {"expired", GOOD, "server.test", "root-rsa.crt", 900, -1, NULL, NULL, 0, CERTSLOT_ERR_VERIFY, "expired on",
     NULL, NULL, NULL, NULL},
    {"not yet valid", GOOD, "server.test", "root-rsa.crt", -2, -1, NULL, NULL, 0, CERTSLOT_ERR_VERIFY,
     "is not valid before", NULL, NULL, NULL, NULL},
    {"SHA-1 leaf", SHA1, "server.test", "root-rsa.crt", 0, -1, NULL, NULL, 0, CERTSLOT_ERR_VERIFY,
     "signed with a hash weaker than SHA-256", NULL, NULL, NULL, NULL},
    {"1024-bit leaf", RSA1024, "server.test", "root-rsa.crt", 0, -1, NULL, NULL, 0, CERTSLOT_ERR_VERIFY,
     "has a weak key", NULL, NULL, NULL, NULL},
    {"CA:false intermediate", NOCA, "server.test", "root-rsa.crt", 0, -1, NULL, NULL, 0, CERTSLOT_ERR_VERIFY,
     "intermediate certificate 'certslot Test Not-A-CA' is not a CA", NULL, NULL, NULL, NULL},
    {"a CA as the server's certificate", LEAF_CA, "server.test", "root-rsa.crt", 0, -1, NULL, NULL, 0,
     CERTSLOT_ERR_VERIFY, "certificate 'server.test' is a CA (basicConstraints cA=TRUE), not a server certificate",
     NULL, NULL, NULL, NULL},
    {"keyCertSign on a leaf that is not a CA", LEAF_KCS, "server.test", "root-rsa.crt", 0, -1, NULL, NULL, 0,
     CERTSLOT_ERR_VERIFY, "certificate 'server.test' asserts keyCertSign without being a CA", NULL, NULL, NULL, NULL},
    {"control bytes of the server's CN shown escaped", EVIL, "other.test", "root-rsa.crt", 0, -1, NULL, NULL, 0,
     CERTSLOT_ERR_NAME, "(CN=evil\\x1b[2J\\x0aforged: line\\x07; SAN DNS:server.test", NULL, NULL, NULL, NULL},
    {"mutual TLS with the profile's device certificate", MUTUAL, "server.test", "root-rsa.crt", 0, -1, NULL, NULL, 0,
     0, NULL, NULL, NULL, NULL, NULL},
    {"mutual TLS with a device certificate the server does not trust", MUTUAL, "server.test", "root-rsa.crt", 0, -1,
     NULL, NULL, 1, CERTSLOT_ERR_AUTH, "the server refused the device certificate", NULL, NULL, NULL, NULL},
    {"server below the minimum protocol", TLS11, "server.test", "root-rsa.crt", 0, -1, NULL, NULL, 0,
     CERTSLOT_ERR_TLS, "handshake failed", NULL, NULL, NULL, NULL},
    /* mbedTLS 3.6 has no TLS 1.0 or 1.1: TLSv1_1 as the lowest protocol acts as TLSv1_2. */
    {"minimum protocol lowered to TLSv1_1: still TLS 1.2", TLS11, "server.test", "root-rsa.crt", 0, -1, "TLSv1_1",
     NULL, 0, CERTSLOT_ERR_TLS, "handshake failed", NULL, NULL, NULL, NULL},
    {"cipher list picks the suite", GOOD, "server.test", "root-rsa.crt", 0, -1, NULL, "ECDHE-RSA-AES256-GCM-SHA384", 0,
     0, NULL, NULL, "TLS-ECDHE-RSA-WITH-AES-256-GCM-SHA384", NULL, NULL},
    {"cipher list without the server's only suite", CIPHER, "server.test", "root-rsa.crt", 0, -1, NULL,
     "ECDHE+AESGCM", 0, CERTSLOT_ERR_TLS, "handshake failed", NULL, NULL, NULL, NULL},
    /* TLS 1.3: the same rules; the lowest protocol and the TLS 1.3 suites enforced. */
    {"TLS 1.3 server: accepted", TLS13, "server.test", "root-rsa.crt", 0, -1, NULL, NULL, 0, 0, NULL, "TLSv1.3", NULL,
     NULL, NULL},
    {"TLS 1.3 server, wrong name", TLS13, "other.test", "root-rsa.crt", 0, -1, NULL, NULL, 0, CERTSLOT_ERR_NAME,
     "name 'other.test'", NULL, NULL, NULL, NULL},
    {"TLS 1.3 server, untrusted CA", TLS13, "server.test", "root-ec.crt", 0, -1, NULL, NULL, 0, CERTSLOT_ERR_VERIFY,
     "not issued by a CA this profile trusts", NULL, NULL, NULL, NULL},
    {"TLS 1.3 server, expired", TLS13, "server.test", "root-rsa.crt", 900, -1, NULL, NULL, 0, CERTSLOT_ERR_VERIFY,
     "expired on", NULL, NULL, NULL, NULL},
    {"TLS 1.3 mutual TLS", MUTUAL13, "server.test", "root-rsa.crt", 0, -1, NULL, NULL, 0, 0, NULL, "TLSv1.3", NULL, NULL,
     NULL},
    {"TLS 1.3 mutual TLS, a device certificate the server does not trust", MUTUAL13, "server.test", "root-rsa.crt", 0,
     -1, NULL, NULL, 1, CERTSLOT_ERR_AUTH, "the server refused the device certificate", NULL, NULL, NULL, NULL},
    {"lowest protocol TLSv1_3 refuses a TLS 1.2 server", GOOD, "server.test", "root-rsa.crt", 0, -1, "TLSv1_3", NULL,
     0, CERTSLOT_ERR_TLS, "handshake failed", NULL, NULL, NULL, NULL},
    {"lowest protocol TLSv1_3, TLS 1.3 server", TLS13, "server.test", "root-rsa.crt", 0, -1, "TLSv1_3", NULL, 0, 0,
     NULL, "TLSv1.3", NULL, NULL, NULL},
    {"TLS 1.3 suite list picks the suite", TLS13, "server.test", "root-rsa.crt", 0, -1, NULL, NULL, 0, 0, NULL,
     "TLSv1.3", "TLS1-3-CHACHA20-POLY1305-SHA256", "TLS_CHACHA20_POLY1305_SHA256", NULL},
    /* DHE: the server's group within 2048 to 4096 bits, as keys (seed 002); past 4096 refused before the handset
     * computes with it. */
    {"DHE with a 2048-bit group", DH2048, "server.test", "root-rsa.crt", 0, -1, NULL, NULL, 0, 0, NULL, "TLSv1.2",
     "TLS-DHE-RSA-WITH-AES-128-GCM-SHA256", NULL, NULL},
    {"DHE with a 1024-bit group", DH1024, "server.test", "root-rsa.crt", 0, -1, NULL, NULL, 0, CERTSLOT_ERR_TLS,
     "the server's Diffie-Hellman group has 1024 bits; the profile takes 2048 to 4096", NULL, NULL, NULL, NULL},
    {"DHE with a 1024-bit group, weak certificates allowed", DH1024, "server.test", "root-rsa.crt", 0, -1, NULL, NULL,
     0, 0, NULL, "TLSv1.2", "TLS-DHE-RSA-WITH-AES-128-GCM-SHA256", NULL,
     "device.sec.TLS.allowWeakCertificates='1' device.sec.TLS.allowWeakCertificates.set='1'"},
    {"DHE with an 8192-bit group", DH8192, "server.test", "root-rsa.crt", 0, -1, NULL, NULL, 0, CERTSLOT_ERR_TLS,
     "the server's Diffie-Hellman group has 8192 bits; the profile takes 2048 to 4096", NULL, NULL, NULL, NULL},
    /* The RSA exponent bound in TLS 1.3's certificate parse too (test_rfc5280 has TLS 1.2), naming the certificate. */
    {"TLS 1.3, a CA with a 2,000-bit RSA exponent", E13, "server.test", "rfc5280/root.crt", 0, -1, NULL, NULL, 0,
     CERTSLOT_ERR_VERIFY, "certificate 2 of the server's chain has an RSA public exponent longer than 33 bits",
     NULL, NULL, NULL, NULL},
    {"TLS 1.2 server that signs only with RSA-PSS", PSS12, "server.test", "root-rsa.crt", 0, -1, NULL, NULL, 0, 0,
     NULL, "TLSv1.2", NULL, NULL, NULL},
};

static void add(char *xml, size_t size, const char *name, const char *value)
{
    size_t o = strlen(xml);
    snprintf(xml + o, size - o, " %s='%s'", name, value);
    if (strncmp(name, "device.", 7) == 0) {
        o = strlen(xml);
        snprintf(xml + o, size - o, " %s.set='1'", name);
    }
}

static int install(certslot_store_t *st, certslot_slot_t slot, certslot_kind_t kind, const char *cert,
                   const char *key)
{
    certslot_result_t res;
    size_t cl, kl = 0;
    char *c = tu_pki_read(cert, &cl), *k = key != NULL ? tu_pki_read(key, &kl) : NULL;
    int ret = certslot_store_install(st, slot, kind, (unsigned char *)c, cl, (unsigned char *)k, kl, 0, &res);
    free(c);
    free(k);
    return ret;
}

static void run_case(const app_t *a, const case_t *c)
{
    certslot_hal_sim_t sim;
    certslot_hal_t hal;
    certslot_store_t st;
    certslot_config_t cfg;
    certslot_tls_t tls;
    certslot_tls_conn_t conn;
    char xml[4096] = "<x device.set='1'", profile[1024], why[256] = "";
    const char *label = certslot_app_name(a->app);

    certslot_hal_sim_init(&sim, &hal);
    sim.now = (int64_t)time(NULL) + c->clock_days * 86400;
    assert_int_equal(certslot_store_open(&st, &hal), 0);
    assert_int_equal(install(&st, a->slot, CERTSLOT_KIND_CA, c->ca, NULL), 0);
    assert_int_equal(install(&st, a->slot, CERTSLOT_KIND_DEVICE, "device.crt", "device.key"), 0);

    /* The profile's deviceCert value goes where the template says %s. */
    const char *mark = strstr(a->profile_xml, "%s");
    snprintf(profile, sizeof(profile), "%.*s%s%s", (int)(mark - a->profile_xml), a->profile_xml,
             c->builtin_device ? "Builtin" : device_cert_value[a->slot], mark + 2);
    strcat(xml, " ");
    strcat(xml, profile);
    if (c->strict >= 0)
        add(xml, sizeof(xml), a->strict, c->strict ? "1" : "0");
    if (c->protocol != NULL)
        add(xml, sizeof(xml), a->protocol, c->protocol);
    if (c->ciphers != NULL)
        add(xml, sizeof(xml), a->ciphers, c->ciphers);
    if (c->suites13 != NULL)
        add(xml, sizeof(xml), a->suites13, c->suites13);
    if (c->more != NULL)
        strcat(strcat(xml, " "), c->more);
    strcat(xml, "/>");
    certslot_config_init(&cfg);
    assert_int_equal(certslot_config_parse_buffer(&cfg, "case.cfg", xml, strlen(xml)), 0);
    assert_int_equal(certslot_config_finish(&cfg), 0);

    /* Every block freed from here on is kept, to look for the device key in it at the end. */
    const certslot_part_t *dev = &st.part[a->slot][CERTSLOT_KIND_DEVICE];
    unsigned char *key = malloc(dev->key.len), *crt = malloc(dev->certs[0].len);
    size_t key_len = dev->key.len, crt_len = dev->certs[0].len;
    memcpy(key, dev->key.der, key_len);
    memcpy(crt, dev->certs[0].der, crt_len);
    tu_alloc_quarantine(1);
    certslot_tls_init(&tls);
    int ret = certslot_tls_setup(&tls, &hal, tu_settings(&cfg), &st, a->app, why, sizeof(why));
    if (ret != 0)
        fail_msg("%s / %s: setup failed: %s", label, c->what, why);
    ret = certslot_tls_connect(&conn, &tls, "127.0.0.1", (uint16_t)servers[c->server].port, c->name, 20000, why,
                               sizeof(why));
    if (ret != c->expect || (c->expect_why != NULL && strstr(why, c->expect_why) == NULL))
        fail_msg("%s / %s: got %d (%s), expected %d (%s)", label, c->what, ret, why, c->expect,
                 c->expect_why != NULL ? c->expect_why : "");
    if (ret == 0) {
        if (c->expect_version != NULL)
            assert_string_equal(mbedtls_ssl_get_version(&conn.ssl), c->expect_version);
        if (c->expect_suite != NULL)
            assert_string_equal(mbedtls_ssl_get_ciphersuite(&conn.ssl), c->expect_suite);
        /* Data flows: the -www server answers a request. */
        static const unsigned char req[] = "GET / HTTP/1.0\r\n\r\n";
        unsigned char buf[64];
        assert_int_equal(certslot_tls_write(&conn, req, sizeof(req) - 1), (int)sizeof(req) - 1);
        assert_true(certslot_tls_read(&conn, buf, sizeof(buf)) > 0);
        certslot_tls_close(&conn);
        if (c->server == MUTUAL || c->server == MUTUAL13)
            assert_true(sserver_log_has(&servers[c->server], "handset-0004f2a1b2c3"));
        if (c->strict == 0)
            assert_true(certslot_hal_sim_log_contains(&sim, "strict name check is off"));
    }
    if (c->server == EVIL) /* the log line too: escaped, one line */
        assert_true(certslot_hal_sim_log_contains(&sim, "CN=evil\\x1b[2J\\x0aforged: line\\x07"));
    certslot_tls_free(&tls);
    certslot_config_free(&cfg);
    certslot_store_free(&st);
    certslot_hal_sim_free(&sim);
    /* No freed block holds a piece of the device's private key: setup, handshake and free wiped every copy. */
    size_t leaked = tu_alloc_freed_key_chunks(key, key_len, crt, crt_len);
    tu_alloc_quarantine(0);
    free(key);
    free(crt);
    if (leaked != 0)
        fail_msg("%s / %s: %zu pieces of the device key left in freed memory", label, c->what, leaked);
}

static void run_app(const app_t *a)
{
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        run_case(a, &cases[i]);
}

static void test_dot1x(void **state)
{
    (void)state;
    run_app(&apps[0]);
}

static void test_provisioning(void **state)
{
    (void)state;
    run_app(&apps[1]);
}

static void test_syslog(void **state)
{
    (void)state;
    run_app(&apps[2]);
}

static void test_sip(void **state)
{
    (void)state;
    run_app(&apps[3]);
}

static void test_ldap(void **state)
{
    (void)state;
    run_app(&apps[4]);
}

static void test_browser(void **state)
{
    (void)state;
    run_app(&apps[5]);
}

static void test_profile_that_trusts_nothing_fails_closed(void **state)
{
    (void)state;
    certslot_hal_sim_t sim;
    certslot_hal_t hal;
    certslot_store_t st;
    certslot_config_t cfg;
    certslot_tls_t tls;
    char why[256];
    /* SIP on application profile 4, which trusts neither the built-in list nor any (empty) slot. */
    const char *xml = "<x sec.TLS.profileSelection.SIP='ApplicationProfile4' sec.TLS.profile.4.caCert.defaultList='0'/>";
    certslot_hal_sim_init(&sim, &hal);
    assert_int_equal(certslot_store_open(&st, &hal), 0);
    certslot_config_init(&cfg);
    certslot_config_parse_buffer(&cfg, "x.cfg", xml, strlen(xml));
    certslot_config_finish(&cfg);
    certslot_tls_init(&tls);
    assert_int_equal(certslot_tls_setup(&tls, &hal, tu_settings(&cfg), &st, CERTSLOT_APP_SIP, why, sizeof(why)),
                     CERTSLOT_ERR_VERIFY);
    assert_non_null(strstr(why, "sip: ApplicationProfile4 trusts no CA"));
    certslot_tls_free(&tls);
    /* A cipher list that leaves no suite is refused before any connection. */
    certslot_config_free(&cfg);
    xml = "<x sec.TLS.SIP.cipherList='!ALL'/>";
    certslot_config_init(&cfg);
    certslot_config_parse_buffer(&cfg, "x.cfg", xml, strlen(xml));
    certslot_config_finish(&cfg);
    certslot_tls_init(&tls);
    assert_int_equal(certslot_tls_setup(&tls, &hal, tu_settings(&cfg), &st, CERTSLOT_APP_SIP, why, sizeof(why)),
                     CERTSLOT_ERR_VALUE);
    certslot_tls_free(&tls);
    certslot_config_free(&cfg);
    certslot_store_free(&st);
    certslot_hal_sim_free(&sim);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dot1x),   cmocka_unit_test(test_provisioning),
        cmocka_unit_test(test_syslog),  cmocka_unit_test(test_sip),
        cmocka_unit_test(test_ldap),    cmocka_unit_test(test_browser),
        cmocka_unit_test(test_profile_that_trusts_nothing_fails_closed),
    };
    return cmocka_run_group_tests_name("tls_peers", tests, start_servers, stop_servers);
}
