/*
 * RFC 5425 frames of RFC 5424 messages: what a collector parses (length
 * prefix, PRI, timestamp, header fields), long messages cut at a character
 * boundary within the size every receiver accepts, bad header fields and
 * small buffers refused without touching the buffer.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "certslot/error.h"
#include "certslot/syslog.h"

static unsigned char buf[CERTSLOT_SYSLOG_FRAME_MAX + 16];

static const char *frame(const certslot_syslog_msg_t *m)
{
    static char text[sizeof(buf) + 1];
    int n = certslot_syslog_frame(m, buf, sizeof(buf));
    assert_true(n > 0);
    memcpy(text, buf, (size_t)n);
    text[n] = '\0';
    return text;
}

static void test_frame_fields(void **state)
{
    (void)state;
    certslot_syslog_msg_t m = {CERTSLOT_SYSLOG_LOCAL0, CERTSLOT_SYSLOG_NOTICE, 1704067200 + 3723,
                               "handset-0004f2a1b2c3", "certslot", "slot 3 installed"};
    const char *want = "<133>1 2024-01-01T01:02:03Z handset-0004f2a1b2c3 certslot - - - slot 3 installed";
    char expect[256];
    snprintf(expect, sizeof(expect), "%zu %s", strlen(want), want);
    assert_string_equal(frame(&m), expect);

    /* Clock not synchronised, no host, no app, no message: nil values. */
    certslot_syslog_msg_t nil = {0, 0, -1, NULL, "", NULL};
    assert_string_equal(frame(&nil), "17 <0>1 - - - - - - ");

    /* Dates across leap years and the last representable second. */
    m.time = 951782400; /* 2000-02-29 */
    assert_non_null(strstr(frame(&m), " 2000-02-29T00:00:00Z "));
    m.time = INT64_C(253402300799);
    assert_non_null(strstr(frame(&m), " 9999-12-31T23:59:59Z "));
    m.time = INT64_C(253402300800);
    assert_non_null(strstr(frame(&m), "<133>1 - handset"));
    m.facility = 23, m.severity = 7, m.time = 0;
    assert_non_null(strstr(frame(&m), "<191>1 1970-01-01T00:00:00Z "));
}

static void test_long_message_cut_at_a_character(void **state)
{
    (void)state;
    char *msg = malloc(3 * CERTSLOT_SYSLOG_MAX + 1);
    assert_non_null(msg);
    /* "é" (2 bytes) repeated: the cut must not split one. */
    for (size_t i = 0; i < 3 * CERTSLOT_SYSLOG_MAX / 2; i++)
        memcpy(msg + 2 * i, "\xc3\xa9", 2);
    msg[3 * CERTSLOT_SYSLOG_MAX] = '\0';
    for (int shift = 0; shift < 2; shift++) {
        certslot_syslog_msg_t m = {1, 6, 0, shift ? "h1" : "h", "a", msg};
        const char *f = frame(&m);
        char *end;
        unsigned long len = strtoul(f, &end, 10);
        assert_true(len <= CERTSLOT_SYSLOG_MAX && len >= CERTSLOT_SYSLOG_MAX - 1);
        assert_int_equal(strlen(end + 1), len); /* the prefix counts exactly what follows */
        const char *body = strstr(end, "- - - ") + 6;
        size_t bl = strlen(body);
        assert_true(bl % 2 == 0 && (unsigned char)body[bl - 1] == 0xa9);
    }
    free(msg);
}

static void test_refused_unchanged(void **state)
{
    (void)state;
    static const char *const bad_host[] = {"two words", "tab\there", "\x7f", "caf\xc3\xa9"};
    char long_host[300], long_app[50];
    memset(long_host, 'h', 256);
    long_host[256] = '\0';
    memset(long_app, 'a', 49);
    long_app[49] = '\0';

    memset(buf, 0x5a, sizeof(buf));
    for (size_t i = 0; i < sizeof(bad_host) / sizeof(bad_host[0]); i++) {
        certslot_syslog_msg_t m = {1, 6, 0, bad_host[i], "a", "x"};
        assert_int_equal(certslot_syslog_frame(&m, buf, sizeof(buf)), CERTSLOT_ERR_ARG);
        m.host = "h", m.app = bad_host[i];
        assert_int_equal(certslot_syslog_frame(&m, buf, sizeof(buf)), CERTSLOT_ERR_ARG);
    }
    certslot_syslog_msg_t m = {1, 6, 0, long_host, "a", "x"};
    assert_int_equal(certslot_syslog_frame(&m, buf, sizeof(buf)), CERTSLOT_ERR_ARG);
    long_host[255] = '\0'; /* 255: the most RFC 5424 allows */
    assert_true(certslot_syslog_frame(&m, buf, sizeof(buf)) > 0);
    memset(buf, 0x5a, sizeof(buf));
    m.host = "h", m.app = long_app;
    assert_int_equal(certslot_syslog_frame(&m, buf, sizeof(buf)), CERTSLOT_ERR_ARG);
    m.app = "a", m.facility = 24;
    assert_int_equal(certslot_syslog_frame(&m, buf, sizeof(buf)), CERTSLOT_ERR_ARG);
    m.facility = 1, m.severity = 8;
    assert_int_equal(certslot_syslog_frame(&m, buf, sizeof(buf)), CERTSLOT_ERR_ARG);
    m.severity = 6;
    /* "38 <14>1 1970-01-01T00:00:00Z h a - - - x" is 41 bytes. */
    assert_int_equal(certslot_syslog_frame(&m, buf, 40), CERTSLOT_ERR_LIMIT);
    for (size_t i = 0; i < sizeof(buf); i++)
        assert_int_equal(buf[i], 0x5a);
    assert_int_equal(certslot_syslog_frame(&m, buf, 41), 41);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_frame_fields),
        cmocka_unit_test(test_long_message_cut_at_a_character),
        cmocka_unit_test(test_refused_unchanged),
    };
    return cmocka_run_group_tests_name("syslog", tests, NULL, NULL);
}
