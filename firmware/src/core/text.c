/*
 * Control bytes in untrusted text: refused on protocol lines, escaped in
 * messages (see certslot/text.h).
 */
#include "certslot/text.h"

#include <string.h>

int certslot_text_has_ctl(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] == 0x7f)
            return 1;
    return 0;
}

/* Length of the valid UTF-8 character at p[0..n) that may be shown as it is;
 * 0 when p[0] must be escaped (a control, an invalid byte, C1, a bidi override). */
static size_t shown_len(const unsigned char *p, size_t n)
{
    unsigned char c = p[0];
    size_t need;
    unsigned lo = 0x80, hi = 0xbf; /* allowed range of the second byte */

    if (c >= 0x20 && c < 0x7f)
        return 1;
    if (c < 0xc2 || c > 0xf4)
        return 0; /* C0, DEL, a continuation byte, an overlong lead, or beyond U+10FFFF */
    if (c < 0xe0) {
        need = 2;
        if (c == 0xc2)
            lo = 0xa0; /* U+0080..U+009F: C1 controls */
    } else if (c < 0xf0) {
        need = 3;
        if (c == 0xe0)
            lo = 0xa0;
        else if (c == 0xed)
            hi = 0x9f; /* no UTF-16 surrogates */
    } else {
        need = 4;
        if (c == 0xf0)
            lo = 0x90;
        else if (c == 0xf4)
            hi = 0x8f;
    }
    if (n < need || p[1] < lo || p[1] > hi)
        return 0;
    for (size_t i = 2; i < need; i++)
        if ((p[i] & 0xc0) != 0x80)
            return 0;
    /* U+202A..U+202E (E2 80 AA..AE) and U+2066..U+2069 (E2 81 A6..A9) reorder what a terminal shows. */
    if (c == 0xe2 && ((p[1] == 0x80 && p[2] >= 0xaa && p[2] <= 0xae) || (p[1] == 0x81 && p[2] >= 0xa6 && p[2] <= 0xa9)))
        return 0;
    return need;
}

size_t certslot_text_escape(char *out, size_t size, const char *s, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *p = (const unsigned char *)s;
    size_t o = 0;

    if (size == 0)
        return 0;
    for (size_t i = 0; i < len;) {
        size_t n = shown_len(p + i, len - i);
        if (n > 0) {
            if (o + n >= size)
                break;
            memcpy(out + o, p + i, n);
            o += n;
            i += n;
            continue;
        }
        if (o + 4 >= size)
            break;
        out[o++] = '\\';
        out[o++] = 'x';
        out[o++] = hex[p[i] >> 4];
        out[o++] = hex[p[i] & 15];
        i++;
    }
    out[o] = '\0';
    return o;
}

void certslot_text_escape_inplace(char *buf, size_t size)
{
    char copy[1024];
    size_t n = strlen(buf);

    if (n >= sizeof(copy))
        n = sizeof(copy) - 1;
    memcpy(copy, buf, n);
    certslot_text_escape(buf, size, copy, n);
}
