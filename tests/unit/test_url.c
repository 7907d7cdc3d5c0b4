/*
 * The URL parser of provisioning and certificate downloads: what it accepts
 * (case-insensitive schemes and hosts, IPv6 in brackets, ports, percent-
 * decoded credentials and paths) and that everything else is refused with a
 * reason that never shows the password.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "certslot/error.h"
#include "certslot/url.h"

static certslot_url_t url;
static char why[200];

static void ok(const char *text)
{
    int ret = certslot_url_parse(text, &url, why, sizeof(why));
    if (ret != 0)
        fail_msg("'%s' refused: %s", text, why);
}

/* Refused, with a reason containing want (and never the password "s3cret"). */
static void bad(const char *text, const char *want)
{
    memset(&url, 0x5a, sizeof(url));
    int ret = certslot_url_parse(text, &url, why, sizeof(why));
    if (ret != CERTSLOT_ERR_VALUE)
        fail_msg("'%.80s' accepted (ret %d)", text, ret);
    if (strstr(why, want) == NULL)
        fail_msg("'%.80s': reason '%s' does not say '%s'", text, why, want);
    assert_null(strstr(why, "s3cret"));
    /* A refused URL leaves nothing behind (it may have held a password). */
    static const certslot_url_t zero;
    assert_memory_equal(&url, &zero, sizeof(url));
}

static void test_schemes_and_default_ports(void **state)
{
    static const struct {
        const char *text;
        certslot_scheme_t scheme;
        uint16_t port;
    } cases[] = {
        {"ftp://h/f", CERTSLOT_SCHEME_FTP, 21},       {"TFTP://h/f", CERTSLOT_SCHEME_TFTP, 69},
        {"Http://h/f", CERTSLOT_SCHEME_HTTP, 80},     {"hTTpS://h/f", CERTSLOT_SCHEME_HTTPS, 443},
        {"FTPS://h/f", CERTSLOT_SCHEME_FTPS, 990},   {"ftpes://h/f", CERTSLOT_SCHEME_FTPES, 21},
    };
    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        ok(cases[i].text);
        assert_int_equal(url.scheme, cases[i].scheme);
        assert_int_equal(url.port, cases[i].port);
        assert_string_equal(url.host, "h");
        assert_string_equal(url.path, "/f");
        assert_int_equal(url.has_user, 0);
        assert_int_equal(url.has_password, 0);
    }
    assert_string_equal(certslot_scheme_name(CERTSLOT_SCHEME_FTPS), "ftps");
    assert_string_equal(certslot_scheme_name(CERTSLOT_SCHEME_FTPES), "ftpes");
    assert_true(certslot_scheme_is_tls(CERTSLOT_SCHEME_FTPES));
    assert_int_equal(certslot_scheme_default_port(CERTSLOT_SCHEME_TFTP), 69);
}

static void test_hosts_and_ports(void **state)
{
    (void)state;
    ok("http://BootServer1.Example.COM:8080/Dir/File.CFG");
    assert_string_equal(url.host, "bootserver1.example.com");
    assert_int_equal(url.port, 8080);
    assert_string_equal(url.path, "/Dir/File.CFG"); /* the path keeps its case */

    ok("https://192.0.2.10");
    assert_string_equal(url.host, "192.0.2.10");
    assert_int_equal(url.port, 443);
    assert_string_equal(url.path, "");

    ok("ftp://u:p@[2001:DB8::1]:2121/x");
    assert_string_equal(url.host, "2001:db8::1");
    assert_int_equal(url.port, 2121);
    assert_string_equal(url.path, "/x");

    ok("tftp://[::ffff:192.0.2.1]/boot");
    assert_string_equal(url.host, "::ffff:192.0.2.1");
    assert_int_equal(url.port, 69);

    ok("http://h:1/");
    assert_int_equal(url.port, 1);
    ok("http://h:65535");
    assert_int_equal(url.port, 65535);
    assert_string_equal(url.path, "");
    ok("http://my_host-1.lan/");
    assert_string_equal(url.host, "my_host-1.lan");

    /* Described without credentials, IPv6 back in brackets. */
    char buf[300];
    ok("ftp://user:s3cret@[2001:db8::1]:2121/x");
    certslot_url_describe(&url, buf, sizeof(buf));
    assert_string_equal(buf, "ftp://[2001:db8::1]:2121/x");
    ok("HTTP://User:s3cret@Host/a");
    certslot_url_describe(&url, buf, sizeof(buf));
    assert_string_equal(buf, "http://host:80/a");
}

static void test_credentials_and_path_are_decoded(void **state)
{
    (void)state;
    ok("ftp://PlcmSpIp:PlcmSpIp@h/dir");
    assert_int_equal(url.has_user, 1);
    assert_int_equal(url.has_password, 1);
    assert_string_equal(url.user, "PlcmSpIp");
    assert_string_equal(url.password, "PlcmSpIp");

    ok("http://us%65r%40corp:p%3Aw%2F%40%25d@h/a%20b/c%2Fd%2f%25.cfg");
    assert_string_equal(url.user, "user@corp");
    assert_string_equal(url.password, "p:w/@%d");
    /* An encoded '/' or '%' stays encoded in the path: it never becomes a separator. */
    assert_string_equal(url.path, "/a b/c%2Fd%2F%25.cfg");
    char name[64];
    assert_int_equal(certslot_url_file_name(&url, name, sizeof(name)), 0);
    assert_string_equal(name, "a b/c%2Fd%2F%.cfg");
    assert_int_equal(certslot_url_file_name(&url, name, 8), CERTSLOT_ERR_LIMIT);
    /* Names appended to a server directory keep that rule. */
    ok("ftp://u:p@h/dir/");
    assert_int_equal(certslot_url_append_name(&url, "50%off.cfg"), 0);
    assert_string_equal(url.path, "/dir/50%25off.cfg");
    assert_int_equal(certslot_url_file_name(&url, name, sizeof(name)), 0);
    assert_string_equal(name, "dir/50%off.cfg");
    assert_int_equal(certslot_url_append_name(&url, "x.cfg\r\nDELE y"), CERTSLOT_ERR_VALUE);
    assert_string_equal(url.path, "/dir/50%25off.cfg");
    char big[600];
    memset(big, 'a', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    assert_int_equal(certslot_url_append_name(&url, big), CERTSLOT_ERR_LIMIT);
    assert_string_equal(url.path, "/dir/50%25off.cfg");

    /* Only a user; an empty password is still a password. */
    ok("ftp://alice@h/f");
    assert_int_equal(url.has_user, 1);
    assert_int_equal(url.has_password, 0);
    assert_string_equal(url.user, "alice");
    ok("ftp://alice:@h/f");
    assert_int_equal(url.has_password, 1);
    assert_string_equal(url.password, "");

    /* The last '@' before the path ends the credentials. */
    ok("http://a:b@c@h/f");
    assert_string_equal(url.user, "a");
    assert_string_equal(url.password, "b@c");
    assert_string_equal(url.host, "h");
    /* '@' inside the path is path. */
    ok("http://h/a@b");
    assert_int_equal(url.has_user, 0);
    assert_string_equal(url.path, "/a@b");

    certslot_url_wipe(&url);
    static const certslot_url_t zero;
    assert_memory_equal(&url, &zero, sizeof(url));
}

/* What is shown of a server URL: the password the parser finds, and nothing of it, is hidden. */
static void test_redaction_splits_as_the_parser_does(void **state)
{
    static const struct {
        const char *text, *shown, *user, *password;
    } cases[] = {
        {"ftp://admin:Top@Secret99@prov.example.com/dir", "ftp://admin:<secret>@prov.example.com/dir", "admin",
         "Top@Secret99"},
        {"ftps://u:pa:ss@w:rd@10.0.0.5:990/", "ftps://u:<secret>@10.0.0.5:990/", "u", "pa:ss@w:rd"},
        {"https://ad%40min:p%40ss%3Aw0rd@prov.example.com", "https://ad%40min:<secret>@prov.example.com", "ad@min",
         "p@ss:w0rd"},
        {"http://us%3Aer:x%2Fy@h/a@b:c", "http://us%3Aer:<secret>@h/a@b:c", "us:er", "x/y"},
        {"ftp://alice@h/f", "ftp://alice@h/f", "alice", ""},
        {"ftp://alice:@h/f", "ftp://alice:<secret>@h/f", "alice", ""},
        {"http://h:8080/a:b@c", "http://h:8080/a:b@c", "", ""},
    };
    char shown[200];
    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        ok(cases[i].text);
        assert_string_equal(url.user, cases[i].user);
        assert_string_equal(url.password, cases[i].password);
        certslot_url_redact(cases[i].text, shown, sizeof(shown));
        assert_string_equal(shown, cases[i].shown);
    }
    /* Not URLs the parser takes, still never shown with what looks like a password. */
    certslot_url_redact("admin:pw@host/dir", shown, sizeof(shown));
    assert_string_equal(shown, "admin:<secret>@host/dir");
    certslot_url_redact("gopher://u:s3cret@h:99999", shown, sizeof(shown));
    assert_string_equal(shown, "gopher://u:<secret>@h:99999");
    /* Cut to the buffer: the password is never copied, so no part of it shows. */
    certslot_url_redact("ftp://u:s3cret@h", shown, 12);
    assert_string_equal(shown, "ftp://u:<se");
}

static void test_missing_parts(void **state)
{
    (void)state;
    bad("", "not a URL");
    bad("bootserver/dir", "not a URL");
    bad("://h/f", "unsupported scheme");
    bad("http://", "no host");
    bad("http:///f", "no host");
    bad("http://u:s3cret@/f", "no host");
    bad("http://:80/f", "no host");
    bad("ftp://@h/f", "empty user name");
    bad("ftp://:s3cret@h/f", "empty user name");
    bad("http://h:/f", "bad port");
    bad("http://[]/f", "bad IPv6");
    bad("http://[2001:db8::1/f", "closing ']'");
    assert_int_equal(certslot_url_parse(NULL, &url, why, sizeof(why)), CERTSLOT_ERR_VALUE);
}

static void test_garbage_is_refused(void **state)
{
    (void)state;
    bad("gopher://h/f", "unsupported scheme 'gopher'");
    bad("file:///etc/passwd", "unsupported scheme");
    bad("sftp://h/f", "unsupported scheme");
    bad("http://h:0/f", "bad port");
    bad("http://h:65536/f", "bad port");
    bad("http://h:99999999999999999999/f", "bad port");
    bad("http://h:8o/f", "bad port");
    bad("http://h:-1/f", "bad port");
    bad("http://ho st/f", "bad character in the host");
    bad("http://h\x01/f", "bad character in the host");
    bad("http://h\xc3\xa9/f", "bad character in the host");
    bad("http://h;x/f", "bad character in the host");
    bad("http://[2001:db8::g]/f", "bad character in the IPv6");
    bad("http://[192.0.2.1]/f", "bad IPv6");
    bad("http://[::1]x/f", "unexpected character after the host");
    bad("http://h/f?x=1", "queries");
    bad("http://h/f#frag", "fragments");
    bad("http://h/a b", "spaces");
    /* Percent escapes: malformed, control characters (FTP command injection), NUL. */
    bad("http://h/a%2", "bad percent escape in the path");
    bad("http://h/a%zz", "bad percent escape in the path");
    bad("ftp://u:s3cret%G1@h/f", "bad percent escape in the password");
    bad("ftp://u%:s3cret@h/f", "bad percent escape in the user name");
    bad("ftp://u:s3cret@h/f%0d%0aDELE%20x", "control character");
    bad("ftp://u%0a:s3cret@h/f", "control character");
    bad("ftp://u:s3cret%00@h/f", "control character");
    bad("http://h/%7f", "control character");
    bad("http://h/a\tb", "control character");
}

static void test_over_long_fields(void **state)
{
    char text[2200], field[700];
    (void)state;

    /* Longest host, credentials and path accepted; one more byte refused. */
    memset(field, 'a', CERTSLOT_URL_MAX_HOST);
    field[CERTSLOT_URL_MAX_HOST] = '\0';
    snprintf(text, sizeof(text), "http://%s/f", field);
    ok(text);
    assert_int_equal(strlen(url.host), CERTSLOT_URL_MAX_HOST);
    snprintf(text, sizeof(text), "http://%sa/f", field);
    bad(text, "longer than");

    memset(field, 'u', CERTSLOT_URL_MAX_CRED);
    field[CERTSLOT_URL_MAX_CRED] = '\0';
    snprintf(text, sizeof(text), "ftp://%s:p@h/f", field);
    ok(text);
    assert_int_equal(strlen(url.user), CERTSLOT_URL_MAX_CRED);
    snprintf(text, sizeof(text), "ftp://%su:s3cret@h/f", field);
    bad(text, "user name is longer than");
    snprintf(text, sizeof(text), "ftp://u:%s@h/f", field);
    ok(text);
    assert_int_equal(strlen(url.password), CERTSLOT_URL_MAX_CRED);
    snprintf(text, sizeof(text), "ftp://u:%sx@h/f", field);
    bad(text, "password is longer than");

    /* The bound is on the decoded length: "%41" counts as one byte. */
    char *p = text + snprintf(text, sizeof(text), "http://h");
    for (unsigned i = 0; i < CERTSLOT_URL_MAX_PATH; i++)
        p += snprintf(p, 4, i == 0 ? "/" : "%%41");
    ok(text);
    assert_int_equal(strlen(url.path), CERTSLOT_URL_MAX_PATH);
    assert_int_equal(url.path[1], 'A');
    snprintf(p, 4, "%%41");
    bad(text, "path is longer than");
}

static void test_server_name_without_scheme(void **state)
{
    (void)state;
    assert_int_equal(certslot_url_parse_server("Boot.Example.com:2121/phones", CERTSLOT_SCHEME_FTP, &url, why,
                                               sizeof(why)),
                     0);
    assert_int_equal(url.scheme, CERTSLOT_SCHEME_FTP);
    assert_string_equal(url.host, "boot.example.com");
    assert_int_equal(url.port, 2121);
    assert_string_equal(url.path, "/phones");

    assert_int_equal(certslot_url_parse_server("192.0.2.7", CERTSLOT_SCHEME_FTPS, &url, why, sizeof(why)), 0);
    assert_int_equal(url.port, 990);
    assert_int_equal(certslot_url_parse_server("[fe80::1]", CERTSLOT_SCHEME_HTTPS, &url, why, sizeof(why)), 0);
    assert_string_equal(url.host, "fe80::1");
    assert_int_equal(url.port, 443);

    /* Credentials belong to device.prov.user/password, not to the name. */
    assert_int_equal(certslot_url_parse_server("u:s3cret@h", CERTSLOT_SCHEME_FTP, &url, why, sizeof(why)),
                     CERTSLOT_ERR_VALUE);
    assert_null(strstr(why, "s3cret"));
    assert_int_equal(certslot_url_parse_server("h:70000", CERTSLOT_SCHEME_FTP, &url, why, sizeof(why)),
                     CERTSLOT_ERR_VALUE);
    assert_non_null(strstr(why, "bad port"));
    assert_int_equal(certslot_url_parse_server("", CERTSLOT_SCHEME_FTP, &url, why, sizeof(why)), CERTSLOT_ERR_VALUE);
    assert_non_null(strstr(why, "no host"));

    assert_int_equal(certslot_url_is_url("http://h"), 1);
    assert_int_equal(certslot_url_is_url("h/http"), 0);
    assert_int_equal(certslot_url_is_url(NULL), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_schemes_and_default_ports),
        cmocka_unit_test(test_hosts_and_ports),
        cmocka_unit_test(test_credentials_and_path_are_decoded),
        cmocka_unit_test(test_redaction_splits_as_the_parser_does),
        cmocka_unit_test(test_missing_parts),
        cmocka_unit_test(test_garbage_is_refused),
        cmocka_unit_test(test_over_long_fields),
        cmocka_unit_test(test_server_name_without_scheme),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
