/*
 * The RFC 5280 conformance suite (issue 14): path building over chains sent
 * out of order, with extras and with an expired cross-signed candidate;
 * pathLenConstraint; name constraints of every form certslot implements,
 * permitted and excluded, critical and not, from intermediates and from the
 * trust anchor; critical and duplicated extensions; structural rules; the
 * hash policy on verified signatures only; the depth limit; the search's
 * bound on signature checks; the server's own certificate trusted. Each case, one
 * rule and one direction, is judged twice: by certslot_verify_chain (what
 * `certslot verify` uses) and by a real handshake against openssl s_server
 * sending the same chain, and both must give the same verdict and reason.
 * The certificates are made at test time by tests/pki/make-rfc5280.sh. The
 * same program runs under qemu-arm.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include <mbedtls/asn1write.h>
#include <mbedtls/ctr_drbg.h>
#include <mbedtls/pk.h>
#include <mbedtls/sha256.h>

#include "certslot/cert.h"
#include "certslot/config.h"
#include "certslot/error.h"
#include "certslot/hal_sim.h"
#include "certslot/store.h"
#include "certslot/tls.h"
#include "certslot/verify.h"
#include "sserver.h"
#include "testutil.h"

typedef struct {
    const char *what;
    const char *leaf;  /* rfc5280/LEAF.crt and .key: the server's certificate */
    const char *sent;  /* what the server sends after it (a file of rfc5280/), or NULL */
    const char *trust; /* the profile's CA */
    const char *name;  /* the configured server name */
    int days;          /* the clock: now + days */
    int max_depth;     /* 0: the default */
    int expect;        /* 0 or CERTSLOT_ERR_VERIFY */
    const char *why;   /* a part of the reason */
} case_t;

#define OK(what, leaf, sent, trust, name) {what, leaf, sent, trust, name, 0, 0, 0, NULL}
#define NO(what, leaf, sent, trust, name, why) {what, leaf, sent, trust, name, 0, 0, CERTSLOT_ERR_VERIFY, why}

static const case_t cases[] = {
    /* Path building. */
    OK("chain sent out of order, with its root", "order", "order.rest", "root.crt", "server.test"),
    {"first cross-signed candidate expired", "cross", "cross.rest", "root.crt", "server.test", 2, 0, 0, NULL},
    {"only candidate expired", "cross", "int-old.crt", "root.crt", "server.test", 2, 0, CERTSLOT_ERR_VERIFY,
     "'Int 1' expired on"},
    OK("unrelated certificates, one twice", "extra", "extra.rest", "root.crt", "server.test"),
    NO("a signature that does not verify", "forged", "int1.crt", "root.crt", "server.test",
       "the signature of certificate 'server.test' does not verify with the key of 'Int 1'"),
    NO("an intermediate's signature that does not verify (mbedTLS checked the peer's chain too)", "order",
       "forged-mid.rest", "root.crt", "server.test",
       "the signature of certificate 'Int 2' does not verify with the key of 'Int 1'"),
    NO("an issuer of that name with another key identifier", "other-key", "int1.crt", "root.crt", "server.test",
       "(its issuer, O=certslot tests, CN=Int 1, was found only with another key identifier)"),
    NO("an issuer missing", "order", "int2.crt", "root.crt", "server.test", "(its issuer, O=certslot tests, CN=Int 1, was not found)"),
    /* pathLenConstraint. */
    OK("self-issued intermediate not counted", "pl-self", "pl-self.rest", "root.crt", "server.test"),
    NO("pathlen 0 with a CA below", "pl-deep", "pl-deep.rest", "root.crt", "server.test", "pathLenConstraint allows (at 'Below pathlen 0')"),
    OK("a lower CA's larger pathlen", "pl-wide", "pl-wide.rest", "root.crt", "server.test"),
    NO("the upper CA's pathlen still limits", "pl-wide-deep", "pl-wide-deep.rest", "root.crt", "server.test",
       "pathLenConstraint allows (at 'Below pathlen 5')"),
    /* Name constraints. */
    OK("permitted DNS", "nc-dns-ok", "nc-dns.crt", "root.crt", "www.allowed.example"),
    NO("DNS outside permitted", "nc-dns-bad", "nc-dns.crt", "root.crt", "evil.example.com",
       "the name constraints of 'NC DNS' do not permit DNS:evil.example.com"),
    NO("non-critical constraints apply too", "nc-soft-bad", "nc-dns-soft.crt", "root.crt", "evil.example.com",
       "'NC DNS soft' do not permit DNS:evil.example.com"),
    OK("DNS not excluded", "nc-ex-ok", "nc-ex.crt", "root.crt", "good.example"),
    NO("DNS excluded", "nc-ex-bad", "nc-ex.crt", "root.crt", "www.bad.example", "exclude DNS:www.bad.example"),
    OK("permitted IP", "nc-ip-ok", "nc-ip.crt", "root.crt", "10.1.2.3"),
    NO("IP outside permitted", "nc-ip-bad", "nc-ip.crt", "root.crt", "192.168.1.1", "do not permit IP:192.168.1.1"),
    OK("permitted directoryName", "nc-dir-ok", "nc-dir.crt", "root.crt", "server.test"),
    NO("subject outside permitted directoryName", "nc-dir-bad", "nc-dir.crt", "root.crt", "server.test",
       "'NC dir' do not permit its subject name"),
    OK("rfc822Name constraint, no mailbox", "nc-email-leaf", "nc-email.crt", "root.crt", "server.test"),
    OK("permitted rfc822Name", "nc-email-ok", "nc-email.crt", "root.crt", "server.test"),
    NO("rfc822Name outside permitted", "nc-email-bad", "nc-email.crt", "root.crt", "server.test",
       "do not permit email:a@other.test"),
    NO("subject emailAddress outside permitted", "nc-email-subj", "nc-email.crt", "root.crt", "server.test",
       "do not permit email:a@other.test"),
    NO("critical constraint of a form not implemented", "nc-uri-leaf", "nc-uri.crt", "root.crt", "server.test",
       "'NC URI' use a name form certslot does not implement"),
    OK("non-critical constraint of a form not implemented", "nc-uri-soft-leaf", "nc-uri-soft.crt", "root.crt",
       "server.test"),
    NO("malformed constraints", "nc-malformed-leaf", "nc-malformed.crt", "root.crt", "server.test",
       "'NC malformed' are malformed"),
    NO("CN as the host name without a SAN", "nc-cn", "nc-dns.crt", "root.crt", "evil.example.com",
       "do not permit DNS:evil.example.com of certificate 'evil.example.com'"),
    NO("an intermediate's SAN", "nc-int-bad", "nc-int-bad.rest", "root.crt", "www.allowed.example",
       "do not permit DNS:evil.example.com of certificate 'Int below NC'"),
    OK("the trust anchor's constraints, permitted", "root-nc-ok", "root-nc-int.crt", "root-nc.crt",
       "www.allowed.example"),
    NO("the trust anchor's constraints, refused", "root-nc-bad", "root-nc-int.crt", "root-nc.crt",
       "evil.example.com", "'RFC5280 Root NC' do not permit DNS:evil.example.com"),
    /* Extensions and structure. */
    NO("an unknown critical extension", "crit", "int-crit.crt", "root.crt", "server.test",
       "'Unknown critical' has a critical extension certslot does not process (1.3.6.1.4.1.55555.1)"),
    OK("an unknown non-critical extension", "soft", "int-soft.crt", "root.crt", "server.test"),
    NO("a CA without keyCertSign", "noks", "int-noks.crt", "root.crt", "server.test", "lacks keyCertSign"),
    NO("an intermediate that is not a CA", "noca", "int-noca.crt", "root.crt", "server.test",
       "'Not a CA' is not a CA"),
    NO("empty subject, SAN not critical", "empty-subject", "int1.crt", "root.crt", "server.test",
       "has an empty subject name without a critical subjectAltName"),
    OK("empty subject, critical SAN", "empty-subject-ok", "int1.crt", "root.crt", "server.test"),
    /* The hash policy: a trust anchor's self-signature is not judged. */
    OK("under a root self-signed with SHA-1", "under-sha1", NULL, "root-sha1.crt", "server.test"),
    /* Seed 000: a v1 root is a CA as a trust anchor, never as an intermediate. */
    OK("under a v1 root", "under-v1", NULL, "root-v1.crt", "server.test"),
    NO("a v1 certificate as an intermediate", "under-v1", "int-v1.crt", "root.crt", "server.test",
       "intermediate certificate 'RFC5280 v1 Root' is not a CA"),
    /* Depth: intermediates counted, leaf and trust anchor not. */
    {"two intermediates, limit 2", "depth2", "depth2.rest", "root.crt", "server.test", 0, 2, 0, NULL},
    {"two intermediates, limit 1", "depth2", "depth2.rest", "root.crt", "server.test", 0, 1, CERTSLOT_ERR_VERIFY,
     "more intermediate certificates than the limit of 1"},
    /* The search's bound: a chain of look-alike issuers spends its signature checks, then it stops. */
    NO("eight look-alike issuers", "loop", "loop.rest", "root.crt", "server.test",
       "no path to a trusted CA within 32 signature checks"),
    NO("a chain of 17 certificates", "loop", "toolong.rest", "root.crt", "server.test",
       "the chain holds more than 16 certificates (CERTSLOT_VERIFY_MAX_PEER)"),
    /* RSA public exponents: one of 2,000 bits would make each signature check as costly as a private-key
     * operation, so certificates with one longer than 33 bits are refused while they are parsed. */
    NO("a CA whose RSA public exponent has 2,000 bits", "under-e-huge", "e-huge.crt", "root.crt", "server.test",
       "has an RSA public exponent longer than 33 bits"),
    NO("a CA whose RSA public exponent has 34 bits", "under-e-34", "e-34.crt", "root.crt", "server.test",
       "has an RSA public exponent longer than 33 bits"),
    OK("a CA whose RSA public exponent is 2^32 + 1", "under-e-33", "e-33.crt", "root.crt", "server.test"),
    /* The server's own certificate as the profile's CA (pinned): trusted as it is, its dates still checked. */
    OK("the server's own certificate, trusted as it is", "order", NULL, "order.crt", "server.test"),
    {"the server's own certificate, trusted as it is, expired", "order", NULL, "order.crt", "server.test", 900, 0,
     CERTSLOT_ERR_VERIFY, "expired on"},
};

static const char *rfc(const char *name)
{
    static char buf[8][512];
    static unsigned next;
    char *b = buf[next++ % 8], file[256];
    snprintf(file, sizeof(file), "rfc5280/%s", name);
    snprintf(b, 512, "%s", tu_pki(file));
    return b;
}

/* rfc5280/NAME onto crt: 0, or certslot_cert_decode's error and why. */
static int read_certs(mbedtls_x509_crt *crt, const char *name, char *why, size_t why_size)
{
    size_t len;
    char file[256];
    snprintf(file, sizeof(file), "rfc5280/%s", name);
    char *pem = tu_pki_read(file, &len);
    int ret = certslot_cert_decode((unsigned char *)pem, len, crt, why, why_size);
    free(pem);
    return ret;
}

static void load(mbedtls_x509_crt *crt, const char *name)
{
    char why[256];
    if (read_certs(crt, name, why, sizeof(why)) != 0)
        fail_msg("%s does not decode: %s", name, why);
}

/* ---- the verdict of certslot_verify_chain (`certslot verify`) ---- */

static int verify(const case_t *c, char *why, size_t why_size)
{
    certslot_verify_t v;
    mbedtls_x509_crt chain, trust;
    char leaf[128];

    mbedtls_x509_crt_init(&chain);
    mbedtls_x509_crt_init(&trust);
    snprintf(leaf, sizeof(leaf), "%s.crt", c->leaf);
    load(&chain, leaf);
    /* A certificate refused as it is read (an RSA exponent too long) refuses the chain: `certslot verify` says so
     * while it reads its files, a handshake while mbedTLS parses what the server sent. */
    if (c->sent != NULL && read_certs(&chain, c->sent, why, why_size) != 0) {
        mbedtls_x509_crt_free(&chain);
        return CERTSLOT_ERR_VERIFY;
    }
    load(&trust, c->trust);
    certslot_verify_init(&v, NULL);
    v.use_time = 1;
    v.time = (int64_t)time(NULL) + (int64_t)c->days * 86400;
    if (c->max_depth > 0)
        v.max_depth = c->max_depth;
    assert_int_equal(certslot_verify_set_name(&v, c->name, strlen(c->name)), 0);
    int ret = certslot_verify_chain(&v, &chain, &trust);
    snprintf(why, why_size, "%s", v.why);
    mbedtls_x509_crt_free(&chain);
    mbedtls_x509_crt_free(&trust);
    return ret;
}

/* ---- the verdict of a handshake with openssl s_server sending the same chain ---- */

static int install(certslot_store_t *st, const char *name, char *why, size_t why_size)
{
    certslot_result_t res;
    size_t len;
    char file[256];
    snprintf(file, sizeof(file), "rfc5280/%s", name);
    char *pem = tu_pki_read(file, &len);
    int ret = certslot_store_install(st, CERTSLOT_SLOT_APPLICATION2, CERTSLOT_KIND_CA, (unsigned char *)pem, len,
                                     NULL, 0, 0, &res);
    snprintf(why, why_size, "%.200s", res.msg);
    free(pem);
    return ret;
}

static int handshake(const case_t *c, const char *tmp, char *why, size_t why_size)
{
    certslot_hal_sim_t sim;
    certslot_hal_t hal;
    certslot_store_t st;
    certslot_config_t cfg;
    certslot_tls_t tls;
    certslot_tls_conn_t conn;
    sserver_t server;
    char crt[64], key[64], log[512];
    static const char xml[] = "<x sec.TLS.profileSelection.SIP='ApplicationProfile2' "
                              "sec.TLS.profile.2.caCert.defaultList='0'/>";

    snprintf(crt, sizeof(crt), "%s.crt", c->leaf);
    snprintf(key, sizeof(key), "%s.key", c->leaf);
    const char *args[] = {"-no_tls1_3", "-cert", rfc(crt), "-key", rfc(key), NULL, NULL, NULL};
    if (c->sent != NULL)
        args[5] = "-cert_chain", args[6] = rfc(c->sent);
    snprintf(log, sizeof(log), "%s/%s.log", tmp, c->leaf);
    if (sserver_start(&server, log, args) != 0)
        fail_msg("%s: openssl s_server did not start", c->what);

    certslot_hal_sim_init(&sim, &hal);
    sim.now = (int64_t)time(NULL) + (int64_t)c->days * 86400;
    assert_int_equal(certslot_store_open(&st, &hal), 0);
    if (install(&st, c->trust, why, why_size) != 0)
        fail_msg("%s: the trust anchor %s was not installed: %s", c->what, c->trust, why);
    certslot_config_init(&cfg);
    assert_int_equal(certslot_config_parse_buffer(&cfg, "case.cfg", xml, strlen(xml)), 0);
    assert_int_equal(certslot_config_finish(&cfg), 0);
    certslot_tls_init(&tls);
    if (certslot_tls_setup(&tls, &hal, tu_settings(&cfg), &st, CERTSLOT_APP_SIP, why, why_size) != 0)
        fail_msg("%s: setup failed: %s", c->what, why);
    if (c->max_depth > 0)
        tls.verify.max_depth = c->max_depth;
    int ret = certslot_tls_connect(&conn, &tls, "127.0.0.1", server.port, c->name, 20000, why, why_size);
    if (ret == 0)
        certslot_tls_close(&conn);
    certslot_tls_free(&tls);
    certslot_config_free(&cfg);
    certslot_store_free(&st);
    certslot_hal_sim_free(&sim);
    sserver_stop(&server);
    return ret;
}

static void check(const case_t *c, const char *how, int ret, const char *why)
{
    if (ret != c->expect || (c->why != NULL && strstr(why, c->why) == NULL))
        fail_msg("%s (%s): got %d (%s), expected %d (%s)", c->what, how, ret, why, c->expect,
                 c->why != NULL ? c->why : "");
}

static void test_cases_verify(void **state)
{
    (void)state;
    char why[256];
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        check(&cases[i], "verify", verify(&cases[i], why, sizeof(why)), why);
}

static void test_cases_handshake(void **state)
{
    (void)state;
    const char *tmp = tu_tmpdir();
    char why[256];
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        check(&cases[i], "handshake", handshake(&cases[i], tmp, why, sizeof(why)), why);
    tu_rmtree(tmp);
}

/* ---- extensions OpenSSL cannot make: the same extension twice ---- */

static int fixed_entropy(void *ctx, unsigned char *out, size_t len)
{
    (void)ctx;
    memset(out, 0x5a, len);
    return 0;
}

/*
 * int-dup.der has the extensions 1.3.6.1.4.1.55555.1 and .2 (both NULL);
 * the second is renamed to the first and the certificate signed again with
 * root.key, so that only the duplicate is wrong with it. DER into out.
 */
static size_t make_duplicate(unsigned char *out, size_t size)
{
    static const unsigned char oid2[] = {0x06, 0x09, 0x2b, 0x06, 0x01, 0x04, 0x01, 0x83, 0xb2, 0x03, 0x02};
    static const unsigned char ecdsa_sha256[] = {0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02};
    size_t der_len, key_len, len;
    char *der = tu_pki_read("rfc5280/int-dup.der", &der_len);
    char *pem = tu_pki_read("rfc5280/root.key", &key_len);
    unsigned char *p = (unsigned char *)der, *end = p + der_len, *tbs, hash[32], sig[MBEDTLS_PK_SIGNATURE_MAX_SIZE];
    mbedtls_pk_context key;
    mbedtls_ctr_drbg_context drbg;

    /* Certificate ::= SEQUENCE { tbsCertificate, ... }: the TBS with its header. */
    assert_int_equal(mbedtls_asn1_get_tag(&p, end, &len, MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE), 0);
    tbs = p;
    assert_int_equal(mbedtls_asn1_get_tag(&p, end, &len, MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE), 0);
    size_t tbs_len = (size_t)(p - tbs) + len;
    unsigned char *hit = NULL;
    for (unsigned char *q = tbs; q + sizeof(oid2) <= tbs + tbs_len; q++)
        if (memcmp(q, oid2, sizeof(oid2)) == 0)
            hit = q;
    assert_non_null(hit);
    hit[sizeof(oid2) - 1] = 0x01;

    mbedtls_pk_init(&key);
    mbedtls_ctr_drbg_init(&drbg);
    assert_int_equal(mbedtls_ctr_drbg_seed(&drbg, fixed_entropy, NULL, (const unsigned char *)"test_rfc5280", 12), 0);
    assert_int_equal(mbedtls_pk_parse_key(&key, (unsigned char *)pem, key_len + 1, NULL, 0, mbedtls_ctr_drbg_random,
                                          &drbg),
                     0);
    assert_int_equal(mbedtls_sha256(tbs, tbs_len, hash, 0), 0);
    assert_int_equal(mbedtls_pk_sign(&key, MBEDTLS_MD_SHA256, hash, sizeof(hash), sig, sizeof(sig), &len,
                                     mbedtls_ctr_drbg_random, &drbg),
                     0);

    /* Written backwards: the signature as a BIT STRING, the algorithm, the TBS, the outer SEQUENCE. */
    unsigned char *w = out + size;
    int n = 0, r;
    assert_true((r = mbedtls_asn1_write_bitstring(&w, out, sig, len * 8)) > 0);
    n += r;
    assert_true((r = mbedtls_asn1_write_raw_buffer(&w, out, ecdsa_sha256, sizeof(ecdsa_sha256))) > 0);
    n += r;
    assert_true((r = mbedtls_asn1_write_raw_buffer(&w, out, tbs, tbs_len)) > 0);
    n += r;
    assert_true((r = mbedtls_asn1_write_len(&w, out, (size_t)n)) > 0);
    n += r;
    assert_true((r = mbedtls_asn1_write_tag(&w, out, MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE)) > 0);
    n += r;
    memmove(out, w, (size_t)n);

    mbedtls_pk_free(&key);
    mbedtls_ctr_drbg_free(&drbg);
    free(der);
    free(pem);
    return (size_t)n;
}

static void test_duplicate_extension_refused(void **state)
{
    (void)state;
    unsigned char der[4096];
    size_t len = make_duplicate(der, sizeof(der));
    mbedtls_x509_crt chain, trust;
    certslot_verify_t v;

    /* Refused by verification, naming the certificate and the rule... */
    mbedtls_x509_crt_init(&chain);
    mbedtls_x509_crt_init(&trust);
    load(&chain, "dup.crt");
    assert_int_equal(certslot_cert_parse_der(&chain, der, len), 0);
    load(&trust, "root.crt");
    certslot_verify_init(&v, NULL);
    v.use_time = 1;
    v.time = (int64_t)time(NULL);
    assert_int_equal(certslot_verify_set_name(&v, "server.test", 11), 0);
    assert_int_equal(certslot_verify_chain(&v, &chain, &trust), CERTSLOT_ERR_VERIFY);
    if (strstr(v.why, "'Duplicate' has the extension 1.3.6.1.4.1.55555.1 twice") == NULL)
        fail_msg("reason: %s", v.why);
    mbedtls_x509_crt_free(&chain);
    mbedtls_x509_crt_free(&trust);

    /* ...while the same certificate, before the edit, is accepted. */
    mbedtls_x509_crt_init(&chain);
    mbedtls_x509_crt_init(&trust);
    load(&chain, "dup.crt");
    load(&chain, "int-dup.crt");
    load(&trust, "root.crt");
    assert_int_equal(certslot_verify_chain(&v, &chain, &trust), 0);
    mbedtls_x509_crt_free(&chain);
    mbedtls_x509_crt_free(&trust);

    /* ...and by the store, which keeps the slot as it was. */
    certslot_hal_sim_t sim;
    certslot_hal_t hal;
    certslot_store_t st;
    certslot_result_t res;
    char why[256];
    certslot_hal_sim_init(&sim, &hal);
    assert_int_equal(certslot_store_open(&st, &hal), 0);
    assert_int_equal(install(&st, "root.crt", why, sizeof(why)), 0);
    assert_int_equal(certslot_store_install(&st, CERTSLOT_SLOT_APPLICATION2, CERTSLOT_KIND_CA, der, len, NULL, 0, 0,
                                            &res),
                     CERTSLOT_ERR_CERT);
    if (strstr(res.msg, "has the extension 1.3.6.1.4.1.55555.1 twice") == NULL)
        fail_msg("store reason: %s", res.msg);
    assert_int_not_equal(install(&st, "int-crit.crt", why, sizeof(why)), 0);
    if (strstr(why, "has a critical extension certslot does not process (1.3.6.1.4.1.55555.1)") == NULL)
        fail_msg("store reason: %s", why);
    certslot_store_free(&st);
    certslot_hal_sim_free(&sim);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cases_verify),
        cmocka_unit_test(test_cases_handshake),
        cmocka_unit_test(test_duplicate_extension_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
