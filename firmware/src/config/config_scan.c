/*
 * The config parser's two helpers around expat: where each attribute starts
 * (expat reports only an element's position), and expat's allocator routed
 * through certslot's when a firmware installed its own.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#if defined(__linux__)
#include <malloc.h> /* malloc_usable_size: glibc, musl and bionic have it */
#endif

#include "certslot/platform.h"
#include "config/config_internal.h"
#include "core/internal.h"

/* ---- attribute positions ---- */

static void scan_advance(cs_scan_t *s)
{
    unsigned char c = (unsigned char)*s->p++;

    if (c == '\n' || (c == '\r' && !(s->p < s->end && *s->p == '\n'))) {
        s->line++;
        s->col = 0;
    } else if ((c & 0xC0) != 0x80 && c != '\r') {
        s->col++;
    }
}

/* 1 when a byte of w is below 0x20 (a line end among them) or not ASCII: not simply a column each. */
static inline int special(uint64_t w)
{
    const uint64_t ones = 0x0101010101010101u;
    return ((((w - 0x20 * ones) & ~w) | w) & (0x80 * ones)) != 0;
}

/*
 * Moves s to stop (inside s's text), counting as scan_advance does: eight
 * bytes a step while they hold no control byte and no UTF-8 (each is a column).
 */
static void scan_to(cs_scan_t *s, const char *stop)
{
    const char *p = s->p;
    uint32_t line = s->line, col = s->col;

    while (p < stop) {
        uint64_t w;
        if (stop - p >= 8 && (memcpy(&w, p, 8), !special(w))) {
            col += 8;
            p += 8;
            continue;
        }
        if (stop - p < 8 && stop - s->buf >= 8 && (memcpy(&w, stop - 8, 8), !special(w))) { /* the last bytes */
            col += (uint32_t)(stop - p);
            p = stop;
            break;
        }
        unsigned char c = (unsigned char)*p++;
        if (c == '\n' || (c == '\r' && !(p < s->end && *p == '\n'))) {
            line++;
            col = 0;
        } else if ((c & 0xC0) != 0x80 && c != '\r') {
            col++;
        }
    }
    s->p = p;
    s->line = line;
    s->col = col;
}

/*
 * Positions s at the first attribute of the start tag. Where the tag starts
 * is counted from the last tag's start (mark) when expat's buffer still
 * holds it, with the counting above; expat's own position (which scans the
 * same bytes, slower) only otherwise: a file's first tag, a new buffer.
 */
void cs_scan_begin(cs_scan_t *s, XML_Parser xp, cs_scan_mark_t *mark)
{
    int off = 0, size = 0;
    const char *buf = XML_GetInputContext(xp, &off, &size);
    int count = XML_GetCurrentByteCount(xp);
    XML_Index at = XML_GetCurrentByteIndex(xp), base = at - off; /* base: buf[0]'s place in the file */

    s->in_attr = 0;
    s->buf = buf; /* before any scan_to: its last-word check reads back from stop no further than buf */
    s->base = base;
    if (buf == NULL || count <= 0 || off + count > size || at < 0) {
        s->line = (uint32_t)XML_GetCurrentLineNumber(xp);
        s->col = (uint32_t)XML_GetCurrentColumnNumber(xp);
        s->p = s->end = NULL;
        mark->valid = 0;
        return;
    }
    if (mark->valid && mark->index >= base && mark->index <= at) {
        s->p = buf + (mark->index - base);
        s->end = buf + size;
        s->line = mark->line;
        s->col = mark->col;
        scan_to(s, buf + off);
    } else {
        s->line = (uint32_t)XML_GetCurrentLineNumber(xp);
        s->col = (uint32_t)XML_GetCurrentColumnNumber(xp);
    }
    *mark = (cs_scan_mark_t){at, s->line, s->col, 1};
    s->p = buf + off;
    s->end = s->p + count;
    if (s->p < s->end && *s->p == '<')
        scan_advance(s);
    while (s->p < s->end && !cs_config_space(*s->p) && *s->p != '/' && *s->p != '>')
        scan_advance(s);
}

/* 1 when the n bytes at p are all ASCII (the 8 bytes before p + n are the text's). */
static int ascii(const char *p, size_t n)
{
    uint64_t w, any = 0;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        memcpy(&w, p + i, 8);
        any |= w;
    }
    if (i < n) { /* the last eight bytes, some seen already */
        memcpy(&w, p + n - 8, 8);
        any |= w;
    }
    return (any & 0x8080808080808080u) == 0;
}

/*
 * Skips the attribute s is at: its name (namelen bytes, as expat reported
 * it: an ASCII name is that many columns on one line), then its value up to
 * the closing quote, counted in one pass.
 */
static void scan_skip(cs_scan_t *s, size_t namelen)
{
    /* Lengths compared, not pointers formed past the buffer: namelen is expat's, trusted only once it fits. */
    if (namelen > 0 && namelen < (size_t)(s->end - s->p) && (size_t)(s->p - s->buf) + namelen >= 8 &&
        (s->p[namelen] == '=' || cs_config_space(s->p[namelen])) && ascii(s->p, namelen)) {
        s->col += (uint32_t)namelen;
        s->p += namelen;
    }
    const char *q = s->p, *stop = s->end; /* the name holds no quote */
    while (q < s->end && *q != '"' && *q != '\'')
        q++;
    if (q < s->end) {
        const char *close = memchr(q + 1, *q, (size_t)(s->end - (q + 1)));
        stop = close != NULL ? close + 1 : s->end;
    }
    scan_to(s, stop);
    s->in_attr = 0;
}

/* Where the next attribute name starts (past the one reported before). */
certslot_where_t cs_scan_next(cs_scan_t *s, const char *file, size_t prev_len)
{
    certslot_where_t w = {file, s->line, s->col + 1};

    if (s->p == NULL)
        return w;
    if (s->in_attr)
        scan_skip(s, prev_len);
    while (s->p < s->end && cs_config_space(*s->p))
        scan_advance(s);
    w.line = s->line;
    w.col = s->col + 1;
    s->in_attr = 1;
    return w;
}

void cs_scan_end(const cs_scan_t *s, cs_scan_mark_t *mark)
{
    if (s->p != NULL && mark->valid)
        *mark = (cs_scan_mark_t){s->base + (s->p - s->buf), s->line, s->col, 1};
}

/* ---- allocation ---- */

/*
 * expat's allocator, every block wiped when freed: expat's buffer and pools
 * hold the file's text, keys and passwords among it. certslot's allocator
 * has no realloc, so a block is grown by copying it and wiping the old one.
 *
 * With an installed allocator, each block carries its size in a header for
 * the wipe. With libc's (the default) on Linux, whose libcs all have
 * malloc_usable_size, a block is libc's own: expat makes one block per
 * distinct attribute name (24 bytes), and a header on each would add a
 * sixth to its heap on a file of many names. malloc, not calloc: expat needs
 * no zeroed memory.
 */
#if defined(__linux__)
#define LIBC_KNOWS_SIZE() cs_platform_libc_alloc()
static size_t libc_size(void *p)
{
    return malloc_usable_size(p);
}
#else
#define LIBC_KNOWS_SIZE() 0
static size_t libc_size(void *p)
{
    (void)p;
    return 0;
}
#endif

typedef union {
    size_t size;
    max_align_t align;
} xhdr_t;

static void *xmalloc(size_t n)
{
    if (LIBC_KNOWS_SIZE())
        return malloc(n > 0 ? n : 1);
    if (n > SIZE_MAX - sizeof(xhdr_t))
        return NULL;
    xhdr_t *h = certslot_calloc(1, sizeof(xhdr_t) + n);
    if (h == NULL)
        return NULL;
    h->size = n;
    return h + 1;
}

static size_t xsize(void *p)
{
    return LIBC_KNOWS_SIZE() ? libc_size(p) : ((xhdr_t *)p - 1)->size;
}

static void xfree(void *p)
{
    if (p == NULL)
        return;
    certslot_zeroize(p, xsize(p));
    if (LIBC_KNOWS_SIZE())
        free(p);
    else
        certslot_free((xhdr_t *)p - 1);
}

static void *xrealloc(void *p, size_t n)
{
    void *q = xmalloc(n);
    if (q != NULL && p != NULL) {
        size_t old = xsize(p);
        memcpy(q, p, old < n ? old : n);
        xfree(p);
    }
    return q;
}

const XML_Memory_Handling_Suite cs_config_xml_mem = {xmalloc, xrealloc, xfree};

