/*
 * The config parser's two helpers around expat: where each attribute starts
 * (expat reports only an element's position), and expat's allocator routed
 * through certslot's when a firmware installed its own.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "certslot/platform.h"
#include "config/config_internal.h"

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

/* Characters in [p, end) as expat counts columns (UTF-8 continuation bytes are not), eight bytes a step. */
static uint32_t chars(const char *p, const char *end)
{
    size_t n = (size_t)(end - p), cont = 0;

    for (; end - p >= 8; p += 8) {
        uint64_t w;
        memcpy(&w, p, sizeof(w));
        if ((w & 0x8080808080808080u) != 0) /* not all ASCII */
            for (int k = 0; k < 8; k++)
                cont += ((unsigned char)p[k] & 0xC0) == 0x80;
    }
    for (; p < end; p++)
        cont += ((unsigned char)*p & 0xC0) == 0x80;
    return (uint32_t)(n - cont);
}

/* Moves s to stop (inside s's text), counting as scan_advance does, a line at a time. */
static void scan_to(cs_scan_t *s, const char *stop)
{
    const char *nl;

    if (memchr(s->p, '\r', (size_t)(stop - s->p)) != NULL) { /* rare: byte by byte */
        while (s->p < stop)
            scan_advance(s);
        return;
    }
    while ((nl = memchr(s->p, '\n', (size_t)(stop - s->p))) != NULL) {
        s->line++;
        s->col = 0;
        s->p = nl + 1;
    }
    s->col += chars(s->p, stop);
    s->p = stop;
}

/* Moves s to the next byte c (or the end). */
static void scan_until(cs_scan_t *s, char c)
{
    const char *stop = memchr(s->p, c, (size_t)(s->end - s->p));

    scan_to(s, stop != NULL ? stop : s->end);
}

int cs_config_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
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

/* Skips the attribute s is at: its name, its value. */
static void scan_skip(cs_scan_t *s)
{
    scan_until(s, '='); /* the name holds no quote */
    while (s->p < s->end && *s->p != '"' && *s->p != '\'')
        scan_advance(s);
    if (s->p < s->end) {
        char q = *s->p;
        scan_advance(s);
        scan_until(s, q);
        if (s->p < s->end)
            scan_advance(s);
    }
    s->in_attr = 0;
}

/* Where the next attribute name starts (past the one reported before). */
certslot_where_t cs_scan_next(cs_scan_t *s, const char *file)
{
    certslot_where_t w = {file, s->line, s->col + 1};

    if (s->p == NULL)
        return w;
    if (s->in_attr)
        scan_skip(s);
    while (s->p < s->end && cs_config_space(*s->p))
        scan_advance(s);
    w.line = s->line;
    w.col = s->col + 1;
    s->in_attr = 1;
    return w;
}

/* ---- allocation ---- */

/* expat's allocator, routed through certslot_calloc (which has no realloc). */
typedef union {
    size_t size;
    max_align_t align;
} xhdr_t;

static void *xmalloc(size_t n)
{
    xhdr_t *h = certslot_calloc(1, sizeof(xhdr_t) + n);
    if (h == NULL)
        return NULL;
    h->size = n;
    return h + 1;
}

static void xfree(void *p)
{
    if (p != NULL)
        certslot_free((xhdr_t *)p - 1);
}

static void *xrealloc(void *p, size_t n)
{
    void *q = xmalloc(n);
    if (q != NULL && p != NULL) {
        size_t old = ((xhdr_t *)p - 1)->size;
        memcpy(q, p, old < n ? old : n);
        xfree(p);
    }
    return q;
}

const XML_Memory_Handling_Suite cs_config_xml_mem = {xmalloc, xrealloc, xfree};

