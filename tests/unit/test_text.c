/*
 * The control-byte helper every protocol line, log line and message goes
 * through (certslot/text.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "certslot/text.h"

static const char *esc(const char *s, size_t len)
{
    static char out[256];
    certslot_text_escape(out, sizeof(out), s, len);
    return out;
}

#define ESC(lit) esc(lit, sizeof(lit) - 1)

static void test_control_bytes_are_found(void **state)
{
    (void)state;
    assert_int_equal(certslot_text_has_ctl("site.cfg", 8), 0);
    assert_int_equal(certslot_text_has_ctl("", 0), 0);
    assert_int_equal(certslot_text_has_ctl("caf\xc3\xa9", 5), 0); /* UTF-8 is not a control */
    assert_int_equal(certslot_text_has_ctl("a\r\nDELE x", 9), 1);
    assert_int_equal(certslot_text_has_ctl("a\0b", 3), 1);
    assert_int_equal(certslot_text_has_ctl("a\tb", 3), 1);
    assert_int_equal(certslot_text_has_ctl("a\x7f", 2), 1);
    assert_int_equal(certslot_text_has_ctl("a\x1f", 2), 1);
}

static void test_controls_are_escaped_and_text_is_kept(void **state)
{
    (void)state;
    assert_string_equal(ESC("plain text: 1/2 'q' \"x\" \\"), "plain text: 1/2 'q' \"x\" \\");
    assert_string_equal(ESC("site.cfg\r\nDELE important.txt"), "site.cfg\\x0d\\x0aDELE important.txt");
    assert_string_equal(ESC("\x1b[31mred\x07"), "\\x1b[31mred\\x07");
    assert_string_equal(ESC("a\0b"), "a\\x00b");
    assert_string_equal(ESC("del\x7f"), "del\\x7f");
    /* Valid UTF-8 stays as it is: 2, 3 and 4 bytes. */
    assert_string_equal(ESC("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x94\x92"), "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x94\x92");
}

static void test_invalid_utf8_c1_and_bidi_are_escaped(void **state)
{
    (void)state;
    assert_string_equal(ESC("\x9b" "2J"), "\\x9b2J");                  /* a raw 8-bit CSI */
    assert_string_equal(ESC("\xc2\x9b" "2J"), "\\xc2\\x9b2J");         /* CSI as UTF-8 (C1) */
    assert_string_equal(ESC("\xc0\xaf"), "\\xc0\\xaf");                /* overlong '/' */
    assert_string_equal(ESC("\xed\xa0\x80"), "\\xed\\xa0\\x80");       /* a surrogate */
    assert_string_equal(ESC("\xf4\x90\x80\x80"), "\\xf4\\x90\\x80\\x80"); /* beyond U+10FFFF */
    assert_string_equal(ESC("ab\xe2\x82"), "ab\\xe2\\x82");            /* cut short */
    assert_string_equal(ESC("x\xe2\x80\xaeyz"), "x\\xe2\\x80\\xaeyz"); /* RIGHT-TO-LEFT OVERRIDE */
    assert_string_equal(ESC("x\xe2\x81\xa6y"), "x\\xe2\\x81\\xa6y");   /* LEFT-TO-RIGHT ISOLATE */
    assert_string_equal(ESC("\xe2\x80\x94"), "\xe2\x80\x94");          /* an em dash is fine */
}

static void test_cut_at_a_boundary(void **state)
{
    char out[8];
    (void)state;
    /* "ab" + "\x0a" needs 6 bytes + NUL; "ab\x0a" + "c" would need 8. */
    assert_int_equal(certslot_text_escape(out, sizeof(out), "ab\ncd", 5), 7);
    assert_string_equal(out, "ab\\x0ac");
    assert_int_equal(certslot_text_escape(out, 6, "ab\ncd", 5), 2); /* never half an escape */
    assert_string_equal(out, "ab");
    assert_int_equal(certslot_text_escape(out, 4, "a\xe2\x82\xac", 4), 1); /* never half a character */
    assert_string_equal(out, "a");
    assert_int_equal(certslot_text_escape(out, 1, "abc", 3), 0);
    assert_string_equal(out, "");
}

static void test_in_place(void **state)
{
    char buf[40] = "line one\nline two: \x1b]0;title\x07";
    (void)state;
    certslot_text_escape_inplace(buf, sizeof(buf));
    assert_string_equal(buf, "line one\\x0aline two: \\x1b]0;title\\x07");
    assert_null(strchr(buf, '\n'));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_control_bytes_are_found),
        cmocka_unit_test(test_controls_are_escaped_and_text_is_kept),
        cmocka_unit_test(test_invalid_utf8_c1_and_bidi_are_escaped),
        cmocka_unit_test(test_cut_at_a_boundary),
        cmocka_unit_test(test_in_place),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
