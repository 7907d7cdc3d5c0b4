/*
 * The config parser's two helpers around expat: where each attribute starts
 * (expat reports only an element's position), and expat's allocator routed
 * through certslot's when a firmware installed its own.
 */
#include <stddef.h>
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

/* Moves s to the next byte c (or the end), counting as scan_advance does, a line at a time. */
static void scan_until(cs_scan_t *s, char c)
{
    const char *stop = memchr(s->p, c, (size_t)(s->end - s->p)), *nl;

    if (stop == NULL)
        stop = s->end;
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
    for (; s->p < stop; s->p++)
        s->col += ((unsigned char)*s->p & 0xC0) != 0x80;
}

int cs_config_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Positions s at the first attribute of the start tag. */
void cs_scan_begin(cs_scan_t *s, XML_Parser xp)
{
    int off = 0, size = 0;
    const char *buf = XML_GetInputContext(xp, &off, &size);
    int count = XML_GetCurrentByteCount(xp);

    s->line = (uint32_t)XML_GetCurrentLineNumber(xp);
    s->col = (uint32_t)XML_GetCurrentColumnNumber(xp);
    s->in_attr = 0;
    if (buf == NULL || count <= 0 || off + count > size) {
        s->p = s->end = NULL;
        return;
    }
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

