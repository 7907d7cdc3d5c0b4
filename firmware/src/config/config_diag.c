/*
 * A configuration's diagnostics: recorded, counted once they are full,
 * dropped with a rejected file, marked ignored and ordered by finish.
 *
 * The kept ones take at most cfg->diag_limit bytes of heap: the record
 * array's room plus the blocks their messages are in (blocks never move: a
 * record points into one). Once one does not fit, later ones are only
 * counted, until a rejected file gives its room back.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "certslot/config.h"
#include "certslot/platform.h"
#include "certslot/text.h"
#include "config_internal.h"

struct cs_diag_block {
    struct cs_diag_block *prev; /* the block before, older */
    size_t size, used;          /* bytes of text, bytes used */
    char text[];
};

#define DIAG_BLOCK 1024u /* text bytes of a block, unless one message needs more */
#define IGNORED_MAX " (ignored: device.set is not 1)" /* what finish may append to a gated error */

/* Room for one more record within limit: 0, or -1. */
static int diag_record_room(certslot_config_t *cfg, size_t limit)
{
    if (cfg->ndiags < cfg->diag_cap)
        return 0;
    size_t others = cfg->diag_bytes - cfg->diag_cap * sizeof(certslot_diag_t);
    size_t cap = cfg->diag_cap == 0 ? 16 : cfg->diag_cap * 2;
    size_t most = limit > others ? (limit - others) / sizeof(certslot_diag_t) : 0;
    if (cap > most)
        cap = most;
    certslot_diag_t *d = cap > cfg->diag_cap ? certslot_calloc(cap, sizeof(*d)) : NULL;
    if (d == NULL)
        return -1;
    if (cfg->ndiags > 0)
        memcpy(d, cfg->diags, cfg->ndiags * sizeof(*d));
    certslot_free(cfg->diags);
    cfg->diags = d;
    cfg->diag_bytes = others + cap * sizeof(*d);
    cfg->diag_cap = cap;
    return 0;
}

/* n bytes of text within limit, or NULL. */
static char *diag_text(certslot_config_t *cfg, size_t n, size_t limit)
{
    struct cs_diag_block *b = cfg->diag_text;
    if (b == NULL || b->size - b->used < n) {
        size_t size = n > DIAG_BLOCK ? n : DIAG_BLOCK;
        size_t left = limit > cfg->diag_bytes ? limit - cfg->diag_bytes : 0;
        if (left < sizeof(*b) + n)
            return NULL;
        if (sizeof(*b) + size > left)
            size = left - sizeof(*b);
        b = certslot_calloc(1, sizeof(*b) + size);
        if (b == NULL)
            return NULL;
        b->prev = cfg->diag_text;
        b->size = size;
        b->used = 0;
        cfg->diag_text = b;
        cfg->diag_bytes += sizeof(*b) + size;
    }
    char *t = b->text + b->used;
    b->used += n;
    return t;
}

/* Back to the diagnostics as they were at the mark (a rejected file's are dropped with it). */
void cs_config_diag_rollback(certslot_config_t *cfg, const parse_t *ps)
{
    while (cfg->diag_text != ps->diag_block) {
        struct cs_diag_block *b = cfg->diag_text;
        cfg->diag_text = b->prev;
        cfg->diag_bytes -= sizeof(*b) + b->size;
        certslot_free(b);
    }
    if (ps->diag_block != NULL)
        ps->diag_block->used = ps->diag_used;
    cfg->ndiags = ps->diag_mark;
    cfg->diags_full = 0;
    cfg->dropped_errors = ps->dropped_errors;
    cfg->dropped_warnings = ps->dropped_warnings;
}

/*
 * Records a diagnostic, or only counts it once they are full. force: kept
 * beyond the limit (a file's rejection, which the provisioning flow acts on:
 * one per file at most).
 */
certslot_diag_t *cs_config_vdiag(certslot_config_t *cfg, int force, certslot_severity_t sev, uint16_t rank, uint32_t line,
                                 uint32_t col, certslot_param_t param, certslot_param_t gate, const char *fmt,
                                 va_list ap)
{
    char msg[CERTSLOT_CONFIG_DIAG_LEN];
    char *text = NULL;
    size_t limit = force ? SIZE_MAX : cfg->diag_limit;

    if (sev == CERTSLOT_ERROR)
        cfg->errors++;
    else if (sev == CERTSLOT_WARNING)
        cfg->warnings++;
    if (!cfg->diags_full || force) {
        vsnprintf(msg, sizeof(msg), fmt, ap);
        certslot_text_escape_inplace(msg, sizeof(msg)); /* names and values are untrusted */
        size_t n = strlen(msg) + 1;
        if (diag_record_room(cfg, limit) == 0)
            text = diag_text(cfg, n + (gate >= 0 ? sizeof(IGNORED_MAX) - 1 : 0), limit);
        if (text != NULL)
            memcpy(text, msg, n);
    }
    if (text == NULL) {
        cfg->errors -= sev == CERTSLOT_ERROR; /* cs_config_diag_drop counts it */
        cfg->warnings -= sev == CERTSLOT_WARNING;
        cs_config_diag_drop(cfg, sev);
        return NULL;
    }
    certslot_diag_t *d = &cfg->diags[cfg->ndiags++];
    d->severity = sev;
    d->file_rank = rank;
    d->file = rank < cfg->nfiles ? cfg->files[rank] : NULL;
    d->line = line;
    d->col = col;
    d->param = param;
    d->gate = gate;
    d->rejects_file = 0;
    d->msg = text;
    return d;
}

void cs_config_diag(certslot_config_t *cfg, certslot_severity_t sev, uint16_t rank, uint32_t line, uint32_t col,
                 certslot_param_t param, certslot_param_t gate, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    cs_config_vdiag(cfg, 0, sev, rank, line, col, param, gate, fmt, ap);
    va_end(ap);
}

#if defined(__GNUC__)
__attribute__((format(printf, 5, 6)))
#endif
static void vreject(certslot_config_t *cfg, uint16_t rank, uint32_t line, uint32_t col, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    certslot_diag_t *d = cs_config_vdiag(cfg, 1, CERTSLOT_ERROR, rank, line, col, -1, -1, fmt, ap);
    va_end(ap);
    if (d != NULL)
        d->rejects_file = 1;
}

void cs_config_diag_reject(certslot_config_t *cfg, uint16_t rank, uint32_t line, uint32_t col, const char *msg)
{
    vreject(cfg, rank, line, col, "%s", msg);
}

void cs_config_diag_mark(const certslot_config_t *cfg, parse_t *ps)
{
    ps->diag_mark = cfg->ndiags;
    ps->diag_block = cfg->diag_text;
    ps->diag_used = ps->diag_block != NULL ? ps->diag_block->used : 0;
    ps->dropped_errors = cfg->dropped_errors;
    ps->dropped_warnings = cfg->dropped_warnings;
}

void cs_config_diag_recount(certslot_config_t *cfg)
{
    cfg->errors = cfg->dropped_errors;
    cfg->warnings = cfg->dropped_warnings;
    for (size_t i = 0; i < cfg->ndiags; i++) {
        cfg->errors += cfg->diags[i].severity == CERTSLOT_ERROR;
        cfg->warnings += cfg->diags[i].severity == CERTSLOT_WARNING;
    }
}

void cs_config_diag_ignored(certslot_diag_t *d, const char *why)
{
    d->severity = CERTSLOT_NOTE;
    char *m = (char *)(uintptr_t)d->msg; /* cs_config_vdiag's text, with room for IGNORED_MAX */
    snprintf(m + strlen(m), sizeof(IGNORED_MAX), " (ignored: %s)", why);
}

/* Stable insertion sort: file order, then position. */
void cs_config_diag_sort(certslot_config_t *cfg)
{
    for (size_t i = 1; i < cfg->ndiags; i++) {
        certslot_diag_t d = cfg->diags[i];
        size_t j = i;
        while (j > 0) {
            const certslot_diag_t *e = &cfg->diags[j - 1];
            if (e->file_rank < d.file_rank ||
                (e->file_rank == d.file_rank && (e->line < d.line || (e->line == d.line && e->col <= d.col))))
                break;
            cfg->diags[j] = *e;
            j--;
        }
        cfg->diags[j] = d;
    }
}

void cs_config_diag_free(certslot_config_t *cfg)
{
    certslot_free(cfg->diags);
    for (struct cs_diag_block *b = cfg->diag_text, *prev; b != NULL; b = prev) {
        prev = b->prev;
        certslot_free(b);
    }
}
