/*
 * Config files encrypted at rest: the format round-trips; any altered,
 * truncated or foreign file is refused whole with a message that says why;
 * encrypted and plain files mix in one load with the precedence rule intact;
 * an encrypted master file is refused; nothing leaks when memory runs out.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "certslot/cfgcrypt.h"
#include "certslot/config.h"
#include "certslot/error.h"
#include "certslot/platform.h"
#include "testutil.h"

#define KEY_A "Crypt=1;KeyDesc=site-2026;Key=00112233445566778899aabbccddeeff;"
#define KEY_A_WRONG "Crypt=1;KeyDesc=site-2026;Key=00112233445566778899aabbccddeefe;"
#define KEY_B "Crypt=1;KeyDesc=site-2027;Key=ffeeddccbbaa99887766554433221100;"
#define DOC "<x sec.TLS.protocol.sip=\"TLSv1_1\" sec.TLS.protocol.ldap=\"TLSv1_0\"/>\n"

static certslot_config_t cfg;

static certslot_param_t P(const char *name)
{
    int companion = 0;
    certslot_param_t p = certslot_param_lookup(name, strlen(name), &companion);
    assert_true(p >= 0);
    return p;
}

/* Deterministic "random" nonces: a counter. */
static int counter_rng(void *ctx, unsigned char *buf, size_t len)
{
    unsigned *n = ctx;
    for (size_t i = 0; i < len; i++)
        buf[i] = (unsigned char)(*n + i);
    (*n)++;
    return 0;
}

static certslot_cfgcrypt_key_t key(const char *text)
{
    certslot_cfgcrypt_key_t k;
    char why[CERTSLOT_CFGCRYPT_WHY_LEN];
    assert_int_equal(certslot_cfgcrypt_key_parse(&k, text, strlen(text), why, sizeof(why)), 0);
    return k;
}

/* Encrypts text under the key string; a certslot_calloc buffer. */
static char *enc(const char *keystring, const char *text, size_t *len)
{
    static unsigned n;
    certslot_cfgcrypt_key_t k = key(keystring);
    char *out = NULL;
    assert_int_equal(certslot_cfgcrypt_encrypt(&k, counter_rng, &n, text, strlen(text), &out, len), 0);
    certslot_cfgcrypt_key_free(&k);
    return out;
}

/* Decrypts with one key string (or none); returns the error, why in *why. */
static int dec(const char *keystring, const char *data, size_t len, char *why)
{
    certslot_cfgcrypt_key_t k;
    char *plain = NULL;
    size_t plen = 0;
    memset(&k, 0, sizeof(k));
    if (keystring != NULL)
        k = key(keystring);
    int ret = certslot_cfgcrypt_decrypt(&k, 1, data, len, CERTSLOT_CONFIG_MAX_FILE, &plain, &plen, why,
                                        CERTSLOT_CFGCRYPT_WHY_LEN);
    if (ret == 0) {
        assert_int_equal(plen, strlen(DOC));
        assert_memory_equal(plain, DOC, plen);
    } else {
        assert_null(plain);
    }
    certslot_free(plain);
    certslot_cfgcrypt_key_free(&k);
    return ret;
}

#define find_diag(sev, text) tu_find_diag(&cfg, (sev), (text))

static int teardown(void **state)
{
    (void)state;
    certslot_config_free(&cfg);
    tu_alloc_uninstall();
    return 0;
}

/* ---- keys ---- */

static void test_key_strings(void **state)
{
    (void)state;
    char why[CERTSLOT_CFGCRYPT_WHY_LEN];
    certslot_cfgcrypt_key_t k = key("key=00112233445566778899AABBCCDDEEFF;crypt=1;keydesc=lab el");
    assert_int_equal(k.loaded, 1);
    assert_string_equal(k.label, "lab el");
    assert_int_equal(k.key[0], 0x00);
    assert_int_equal(k.key[15], 0xff);
    certslot_cfgcrypt_key_free(&k);
    static const unsigned char zero[sizeof(k)];
    assert_memory_equal(&k, zero, sizeof(k)); /* wiped */

    static const struct {
        const char *text, *why;
    } bad[] = {
        {"Crypt=1;KeyDesc=x;Key=0011223344556677889900aabbccddee0;", "Key must be 32 hex digits"},
        {"Crypt=1;KeyDesc=x;Key=0011223344556677889900aabbccddeg;", "Key must be 32 hex digits"},
        {"Crypt=0;KeyDesc=x;Key=00112233445566778899aabbccddeeff;", "Crypt must be 1"},
        {"Crypt=1;Key=00112233445566778899aabbccddeeff;", "missing KeyDesc"},
        {"Crypt=1;KeyDesc=x;", "missing Key"},
        {"Crypt=1;KeyDesc=x;Key=00112233445566778899aabbccddeeff;Salt=1", "unknown field 'Salt'"},
        {"Crypt=1;KeyDesc=a\tb;Key=00112233445566778899aabbccddeeff;", "printable ASCII"},
        {"Crypt=1;KeyDesc=0123456789012345678901234567890123456789012345678901234567890123456789;"
         "Key=00112233445566778899aabbccddeeff;",
         "longer than 64"},
        {"", "missing Crypt=1"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        k.loaded = 7;
        assert_int_equal(certslot_cfgcrypt_key_parse(&k, bad[i].text, strlen(bad[i].text), why, sizeof(why)),
                         CERTSLOT_ERR_VALUE);
        assert_int_equal(k.loaded, 0);
        assert_non_null(strstr(why, bad[i].why));
        assert_null(strstr(why, "00112233")); /* never quotes the key */
    }
}

/* ---- the format ---- */

static void test_round_trip_and_format(void **state)
{
    (void)state;
    size_t len, len2;
    char why[CERTSLOT_CFGCRYPT_WHY_LEN];
    char *e = enc(KEY_A, DOC, &len), *e2 = enc(KEY_A, DOC, &len2);

    assert_int_equal(strncmp(e, "CERTSLOT-ENCRYPTED-CONFIG v1 keydesc=site-2026\n", 47), 0);
    assert_int_equal(strlen(e), len);
    assert_null(strstr(e, "TLSv1")); /* no plaintext */
    for (const char *line = e; *line != '\0'; line = strchr(line, '\n') + 1)
        assert_true(strchr(line, '\n') - line <= 64 || line == e);
    assert_true(e[len - 1] == '\n');
    assert_true(strcmp(e, e2) != 0); /* a fresh nonce each time */
    assert_int_equal(dec(KEY_A, e, len, why), 0);
    assert_int_equal(dec(KEY_A, e2, len2, why), 0);
    assert_true(certslot_cfgcrypt_detect(e, len));
    assert_false(certslot_cfgcrypt_detect(DOC, strlen(DOC)));

    /* FTP ASCII mode: every "\n" becomes "\r\n"; still the same authenticated file. */
    char *crlf = malloc(2 * len + 1);
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        if (e[i] == '\n')
            crlf[o++] = '\r';
        crlf[o++] = e[i];
    }
    assert_int_equal(dec(KEY_A, crlf, o, why), 0);
    free(crlf);

    /* The decrypted size is bounded by the caller's limit. */
    certslot_cfgcrypt_key_t k = key(KEY_A);
    char *plain = (char *)1;
    size_t plen = 0;
    assert_int_equal(certslot_cfgcrypt_decrypt(&k, 1, e, len, 10, &plain, &plen, why, sizeof(why)),
                     CERTSLOT_ERR_LIMIT);
    assert_null(plain);
    assert_non_null(strstr(why, "larger, decrypted, than the limit of 10 bytes"));
    certslot_cfgcrypt_key_free(&k);
    certslot_free(e);
    certslot_free(e2);
}

/* Every byte of the file changed (header, nonce, ciphertext, tag, padding): refused. */
static void test_tampering_anywhere_is_refused(void **state)
{
    (void)state;
    size_t len;
    char why[CERTSLOT_CFGCRYPT_WHY_LEN];
    char *e = enc(KEY_A, DOC, &len);
    char *t = malloc(len + 1);
    size_t body = strchr(e, '\n') - e + 1;

    for (size_t i = 0; i < len; i++) {
        memcpy(t, e, len + 1);
        if (e[i] == '\n')
            t[i] = 'A'; /* joining lines adds a character */
        else if (i < body)
            t[i] = e[i] == 'x' ? 'y' : 'x';
        else
            t[i] = e[i] == 'A' ? 'B' : 'A';
        if (dec(KEY_A, t, len, why) != CERTSLOT_ERR_DECRYPT)
            fail_msg("byte %zu ('%c' -> '%c') changed and still accepted", i, e[i], t[i]);
    }
    /* Each region of the decoded body, flipped bit by bit: nonce, ciphertext, tag. */
    certslot_cfgcrypt_key_t k = key(KEY_A);
    unsigned char bin[256];
    size_t blen = 0;
    static const char *const b64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    {
        /* decode with a tiny local decoder to stay independent of the code under test */
        unsigned acc = 0, bits = 0;
        for (size_t i = body; i < len; i++) {
            const char *c = e[i] != '\0' ? strchr(b64, e[i]) : NULL;
            if (c == NULL)
                continue;
            acc = acc << 6 | (unsigned)(c - b64);
            bits += 6;
            if (bits >= 8) {
                bits -= 8;
                bin[blen++] = (unsigned char)(acc >> bits);
            }
        }
    }
    assert_int_equal(blen, 12 + strlen(DOC) + 16);
    for (size_t i = 0; i < blen; i++) {
        /* re-encode with one bit flipped */
        bin[i] ^= 0x01;
        char txt[512];
        size_t o = (size_t)snprintf(txt, sizeof(txt), "%.*s", (int)body, e);
        for (size_t j = 0; j < blen; j += 3) {
            unsigned v = (unsigned)bin[j] << 16 | (j + 1 < blen ? (unsigned)bin[j + 1] << 8 : 0) |
                         (j + 2 < blen ? bin[j + 2] : 0);
            txt[o++] = b64[v >> 18 & 63];
            txt[o++] = b64[v >> 12 & 63];
            txt[o++] = j + 1 < blen ? b64[v >> 6 & 63] : '=';
            txt[o++] = j + 2 < blen ? b64[v & 63] : '=';
        }
        txt[o++] = '\n';
        bin[i] ^= 0x01;
        assert_int_equal(dec(KEY_A, txt, o, why), CERTSLOT_ERR_DECRYPT);
        assert_non_null(strstr(why, "failed authentication"));
        (void)k;
    }
    certslot_cfgcrypt_key_free(&k);
    free(t);
    certslot_free(e);
}

static void test_truncation_wrong_key_wrong_label(void **state)
{
    (void)state;
    size_t len;
    char why[CERTSLOT_CFGCRYPT_WHY_LEN];
    char *e = enc(KEY_A, DOC, &len);

    /* Cut anywhere before the final line end: refused. */
    for (size_t n = 0; n + 1 < len; n++)
        assert_int_equal(dec(KEY_A, e, n, why), CERTSLOT_ERR_DECRYPT);
    assert_int_equal(dec(KEY_A, e, 30, why), CERTSLOT_ERR_DECRYPT);
    assert_string_equal(why, "encrypted file truncated: its header line has no end");
    assert_int_equal(dec(KEY_A, e, 47, why), CERTSLOT_ERR_DECRYPT);
    assert_non_null(strstr(why, "encrypted file truncated: 0 bytes of body"));

    assert_int_equal(dec(KEY_A_WRONG, e, len, why), CERTSLOT_ERR_DECRYPT);
    assert_string_equal(why, "encrypted file failed authentication: it was altered or truncated, or key 'site-2026' "
                             "is not the key it was encrypted with");
    assert_int_equal(dec(KEY_B, e, len, why), CERTSLOT_ERR_DECRYPT);
    assert_string_equal(why, "encrypted with key 'site-2026', but the key supplied is 'site-2027'");
    assert_int_equal(dec(NULL, e, len, why), CERTSLOT_ERR_DECRYPT);
    assert_string_equal(why, "encrypted with key 'site-2026', but no key was supplied");

    /* Another format version, or a damaged header line. */
    e[27] = '2';
    assert_int_equal(dec(KEY_A, e, len, why), CERTSLOT_ERR_DECRYPT);
    assert_string_equal(why, "encrypted file format v2 is not supported (this handset reads v1)");
    e[27] = '1';
    e[30] = 'K';
    assert_int_equal(dec(KEY_A, e, len, why), CERTSLOT_ERR_DECRYPT);
    assert_non_null(strstr(why, "malformed header"));
    certslot_free(e);
}

/* ---- in the config parser ---- */

static void test_plain_and_encrypted_files_mix_with_precedence(void **state)
{
    (void)state;
    const char *dir = tu_tmpdir();
    size_t len;
    char *b = enc(KEY_A, "<b sec.TLS.protocol.sip=\"TLSv1_0\" sec.TLS.protocol.ldap=\"TLSv1_0\"/>", &len);

    tu_write_str(dir, "000000000000.cfg", "<APPLICATION CONFIG_FILES=\"a.cfg, b.cfg, c.cfg\"/>");
    tu_write_str(dir, "a.cfg", "<a sec.TLS.protocol.sip=\"TLSv1_1\"/>");
    tu_write(dir, "b.cfg", b, len);
    tu_write_str(dir, "c.cfg", "<c sec.TLS.protocol.ldap=\"TLSv1_1\" sec.TLS.protocol.browser=\"TLSv1_1\"/>");
    certslot_config_init(&cfg);
    assert_int_equal(certslot_config_set_key(&cfg, KEY_A), 0);
    assert_int_equal(tu_load_master(&cfg, dir), 0);
    assert_int_equal(certslot_config_finish(&cfg), 0);
    assert_string_equal(certslot_config_get(&cfg, P("sec.TLS.protocol.sip")), "TLSv1_1");    /* a over b */
    assert_string_equal(certslot_config_get(&cfg, P("sec.TLS.protocol.ldap")), "TLSv1_0");   /* b over c */
    assert_string_equal(certslot_config_get(&cfg, P("sec.TLS.protocol.browser")), "TLSv1_1"); /* c */
    assert_non_null(strstr(certslot_config_where(&cfg, P("sec.TLS.protocol.ldap"))->file, "/b.cfg"));
    certslot_config_free(&cfg);

    /* b.cfg altered: rejected whole at b.cfg:1:1, c.cfg's value applies instead. */
    b[len - 5] = b[len - 5] == 'A' ? 'B' : 'A';
    tu_write(dir, "b.cfg", b, len);
    certslot_config_init(&cfg);
    assert_int_equal(certslot_config_set_key(&cfg, KEY_A), 0);
    assert_int_equal(tu_load_master(&cfg, dir), CERTSLOT_ERR_DECRYPT);
    assert_int_equal(certslot_config_finish(&cfg), CERTSLOT_ERR_VALUE);
    const certslot_diag_t *d = find_diag(CERTSLOT_ERROR, "encrypted file failed authentication");
    assert_non_null(d);
    assert_non_null(strstr(d->file, "/b.cfg"));
    assert_int_equal(d->line, 1);
    assert_int_equal(d->col, 1);
    assert_non_null(strstr(d->msg, "nothing in this file applies"));
    assert_string_equal(certslot_config_get(&cfg, P("sec.TLS.protocol.ldap")), "TLSv1_1");
    assert_string_equal(certslot_config_get(&cfg, P("sec.TLS.protocol.sip")), "TLSv1_1");
    certslot_config_free(&cfg);

    /* No key at all: the same, with a message naming the file's key. */
    certslot_config_init(&cfg);
    tu_load_master(&cfg, dir);
    certslot_config_finish(&cfg);
    assert_non_null(find_diag(CERTSLOT_ERROR, "encrypted with key 'site-2026', but no key was supplied"));
    assert_int_equal(certslot_config_set_key(&cfg, "Crypt=1;Key=00;"), CERTSLOT_ERR_ARG); /* after finish */
    certslot_config_free(&cfg);
    certslot_config_init(&cfg);
    assert_int_equal(certslot_config_set_key(&cfg, "Crypt=1;Key=00;"), CERTSLOT_ERR_VALUE);
    assert_int_equal(cfg.keys[0].loaded, 0);
    certslot_config_free(&cfg);
    certslot_free(b);
    tu_rmtree(dir);
}

static void test_encrypted_master_is_refused(void **state)
{
    (void)state;
    const char *dir = tu_tmpdir();
    size_t len;
    char *m = enc(KEY_A, "<APPLICATION CONFIG_FILES=\"a.cfg\"/>", &len);

    tu_write(dir, "000000000000.cfg", m, len);
    tu_write_str(dir, "a.cfg", "<a sec.TLS.protocol.sip=\"TLSv1_1\"/>");
    certslot_config_init(&cfg);
    assert_int_equal(certslot_config_set_key(&cfg, KEY_A), 0);
    assert_int_equal(tu_load_master(&cfg, dir), CERTSLOT_ERR_DECRYPT);
    certslot_config_finish(&cfg);
    const certslot_diag_t *d = find_diag(CERTSLOT_ERROR, "a master file is never encrypted: refused");
    assert_non_null(d);
    assert_int_equal(d->line, 1);
    assert_false(certslot_config_is_set(&cfg, P("sec.TLS.protocol.sip")));
    certslot_free(m);
    tu_rmtree(dir);
}

/* The key arrives in a plain file; encrypted files named after it use it in the same load. */
static void test_key_from_an_earlier_plain_file(void **state)
{
    (void)state;
    const char *dir = tu_tmpdir();
    size_t len;
    char *s = enc(KEY_B, "<s sec.TLS.protocol.sip=\"TLSv1_0\"/>", &len);

    tu_write_str(dir, "000000000000.cfg", "<APPLICATION CONFIG_FILES=\"key.cfg, site.cfg\"/>");
    tu_write_str(dir, "key.cfg", "<k device.set=\"1\" device.sec.configEncryption.key=\"" KEY_B "\" "
                                 "device.sec.configEncryption.key.set=\"1\"/>");
    tu_write(dir, "site.cfg", s, len);
    certslot_config_init(&cfg);
    assert_int_equal(certslot_config_set_key(&cfg, KEY_A), 0); /* the old key: another label */
    assert_int_equal(tu_load_master(&cfg, dir), 0);
    assert_int_equal(certslot_config_finish(&cfg), 0);
    assert_string_equal(certslot_config_get(&cfg, P("sec.TLS.protocol.sip")), "TLSv1_0");
    certslot_config_free(&cfg);

    /* Named after the encrypted file, the key comes too late for it. */
    tu_write_str(dir, "000000000000.cfg", "<APPLICATION CONFIG_FILES=\"site.cfg, key.cfg\"/>");
    certslot_config_init(&cfg);
    tu_load_master(&cfg, dir);
    certslot_config_finish(&cfg);
    assert_non_null(find_diag(CERTSLOT_ERROR, "encrypted with key 'site-2027', but no key was supplied"));
    assert_false(certslot_config_is_set(&cfg, P("sec.TLS.protocol.sip")));
    certslot_config_free(&cfg);

    /* Gate closed (no .set): the key does not apply, so it does not decrypt either. */
    tu_write_str(dir, "000000000000.cfg", "<APPLICATION CONFIG_FILES=\"key.cfg, site.cfg\"/>");
    tu_write_str(dir, "key.cfg", "<k device.set=\"1\" device.sec.configEncryption.key=\"" KEY_B "\"/>");
    certslot_config_init(&cfg);
    tu_load_master(&cfg, dir);
    certslot_config_finish(&cfg);
    assert_non_null(find_diag(CERTSLOT_ERROR, "but no key was supplied"));
    assert_false(certslot_config_is_set(&cfg, P("sec.TLS.protocol.sip")));
    certslot_free(s);
    tu_rmtree(dir);
}

/* A large encrypted file read from disk (several read chunks), and the same from a buffer. */
static void test_large_file_from_disk(void **state)
{
    (void)state;
    const char *dir = tu_tmpdir();
    size_t n = 200 * 1024, len;
    char *doc = malloc(n + 1), path[512];
    memset(doc, ' ', n);
    memcpy(doc, "<x sec.TLS.protocol.sip=\"TLSv1_0\"", 33);
    memcpy(doc + n - 3, "/>\n", 3);
    doc[n] = '\0';
    char *e = enc(KEY_A, doc, &len);
    tu_write(dir, "big.cfg", e, len);
    snprintf(path, sizeof(path), "%s/big.cfg", dir);
    certslot_config_init(&cfg);
    assert_int_equal(certslot_config_set_key(&cfg, KEY_A), 0);
    assert_int_equal(tu_parse_file(&cfg, path), 0);
    assert_int_equal(certslot_config_parse_buffer(&cfg, "again.cfg", e, len), 0);
    certslot_config_finish(&cfg);
    assert_string_equal(certslot_config_get(&cfg, P("sec.TLS.protocol.sip")), "TLSv1_0");
    certslot_free(e);
    free(doc);
    tu_rmtree(dir);
}

/* ---- resources ---- */

static void test_allocation_failures_lose_nothing(void **state)
{
    (void)state;
    size_t len, total;
    char *e = enc(KEY_A, DOC, &len);
    char *copy = malloc(len);
    memcpy(copy, e, len);
    certslot_free(e);

    tu_alloc_install(0);
    certslot_config_init(&cfg);
    assert_int_equal(certslot_config_set_key(&cfg, KEY_A), 0);
    assert_int_equal(certslot_config_parse_buffer(&cfg, "e.cfg", copy, len), 0);
    certslot_config_finish(&cfg);
    certslot_config_free(&cfg);
    total = tu_alloc_calls();
    assert_int_equal(tu_alloc_outstanding(), 0);
    for (size_t n = 1; n <= total; n++) {
        tu_alloc_install(n);
        certslot_config_init(&cfg);
        assert_int_equal(certslot_config_set_key(&cfg, KEY_A), 0);
        int ret = certslot_config_parse_buffer(&cfg, "e.cfg", copy, len);
        certslot_config_finish(&cfg);
        assert_true(tu_alloc_failed());
        if (ret == 0) {
            assert_true(cfg.diags_dropped > 0);
        } else {
            assert_int_equal(ret, CERTSLOT_ERR_NOMEM);
            assert_false(certslot_config_is_set(&cfg, P("sec.TLS.protocol.sip")));
        }
        certslot_config_free(&cfg);
        assert_int_equal(tu_alloc_outstanding(), 0);
    }
    /* Encrypting, too. */
    certslot_cfgcrypt_key_t k = key(KEY_A);
    unsigned ctr = 0;
    for (size_t n = 1; n <= 2; n++) {
        char *out = (char *)1;
        size_t olen = 1;
        tu_alloc_install(n);
        assert_int_equal(certslot_cfgcrypt_encrypt(&k, counter_rng, &ctr, DOC, strlen(DOC), &out, &olen),
                         CERTSLOT_ERR_NOMEM);
        assert_null(out);
        assert_int_equal(tu_alloc_outstanding(), 0);
    }
    certslot_cfgcrypt_key_free(&k);
    free(copy);
}

/* The decrypted text of an encrypted file, and its keys and passwords, are wiped from every block freed. */
static void test_decrypted_secrets_are_wiped(void **state)
{
    (void)state;
    const char *dir = tu_tmpdir();
    size_t len;
    char *b = enc(KEY_A, "<b device.set=\"1\" device.prov.password=\"pw-W1peMarker\" device.prov.password.set=\"1\"/>",
                  &len);
    tu_write_str(dir, "000000000000.cfg", "<APPLICATION CONFIG_FILES=\"b.cfg\"/>");
    tu_write(dir, "b.cfg", b, len);
    certslot_free(b);
    tu_alloc_quarantine(1);
    certslot_config_init(&cfg);
    assert_int_equal(certslot_config_set_key(&cfg, KEY_A), 0);
    assert_int_equal(tu_load_master(&cfg, dir), 0);
    assert_int_equal(certslot_config_finish(&cfg), 0);
    assert_string_equal(certslot_config_get(&cfg, P("device.prov.password")), "pw-W1peMarker");
    certslot_config_free(&cfg);
    size_t hits = tu_alloc_freed_holding("W1peMarker", 10);
    tu_alloc_quarantine(0);
    assert_int_equal(hits, 0);
    tu_rmtree(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_key_strings, teardown),
        cmocka_unit_test_teardown(test_round_trip_and_format, teardown),
        cmocka_unit_test_teardown(test_tampering_anywhere_is_refused, teardown),
        cmocka_unit_test_teardown(test_truncation_wrong_key_wrong_label, teardown),
        cmocka_unit_test_teardown(test_plain_and_encrypted_files_mix_with_precedence, teardown),
        cmocka_unit_test_teardown(test_encrypted_master_is_refused, teardown),
        cmocka_unit_test_teardown(test_key_from_an_earlier_plain_file, teardown),
        cmocka_unit_test_teardown(test_large_file_from_disk, teardown),
        cmocka_unit_test_teardown(test_allocation_failures_lose_nothing, teardown),
        cmocka_unit_test_teardown(test_decrypted_secrets_are_wiped, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
