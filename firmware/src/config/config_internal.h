/*
 * Internal to the config stage (config.c: parsing one file's text;
 * config_source.c: reading files through a certslot_source_t, the master
 * file and CONFIG_FILES). Not part of the API.
 */
#ifndef CERTSLOT_CONFIG_INTERNAL_H
#define CERTSLOT_CONFIG_INTERNAL_H

#include <expat.h>
#include <stdarg.h>
#include <stdint.h>

#include "certslot/config.h"

#define MASTER_NAME "000000000000.cfg"
#define READ_CHUNK 16384

#define FAR_NAMES 8 /* far name beginnings relevant() remembers */

/* One parameter's state inside the file being parsed (the file is the parse's: only line and column kept). */
typedef struct {
    char *text;
    uint32_t len; /* at most CERTSLOT_CONFIG_MAX_VALUE */
    uint32_t cap; /* text's room: a value given again reuses it when it fits */
    int32_t num;
    uint32_t line, col, set_line, set_col;
    uint8_t given, set, set_given, der;
} staged_t;

/* A known place in the file, inside the last start tag scanned: the next tag's is counted from it. */
typedef struct {
    XML_Index index; /* its byte's index in the file */
    uint32_t line, col;
    int valid;
} cs_scan_mark_t;

typedef struct {
    certslot_config_t *cfg;
    XML_Parser xp;
    cs_scan_mark_t mark; /* attribute positions: the last start tag's (config_scan.c) */
    const char *file;
    uint16_t rank;
    staged_t *st;
    size_t diag_mark;                 /* the diagnostics before this file: their count, */
    struct cs_diag_block *diag_block; /* the newest text block */
    size_t diag_used;                 /* and what of it was used */
    unsigned dropped_errors, dropped_warnings;
    size_t bytes;
    int master;
    char *config_files; /* master mode: last CONFIG_FILES value */
    certslot_where_t config_files_where;
    int fatal;            /* error code that rejects the file */
    char fatal_msg[CERTSLOT_CONFIG_DIAG_LEN];
    uint32_t fatal_line, fatal_col;
    int value_errors;
    /* Beginnings of names relevant() found far from every parameter (see there). */
    char far[FAR_NAMES][40];
    uint8_t far_len[FAR_NAMES];
    unsigned far_next;
} parse_t;


/* Registers a file name for diagnostics; its rank is its position. */
int cs_config_add_file(certslot_config_t *cfg, const char *name, uint16_t *rank);

/*
 * One file, in steps: begin (registers name for diagnostics), chunks of its
 * text (final: the last), or the whole of an encrypted file, or a reject
 * (a whole-file problem at 1:1), then end (merges it, or drops it with its
 * diagnostics). master = 1: only master-file attributes count.
 */
int cs_config_begin(parse_t *ps, certslot_config_t *cfg, const char *name, int master);
/* data NULL: the len bytes are in the room cs_config_room gave. */
void cs_config_chunk(parse_t *ps, const char *data, size_t len, int final);
/* Room for the next size bytes of text in expat's own buffer (NULL: out of memory, or the file is rejected
 * already): a file read in chunks needs no buffer of its own. */
char *cs_config_room(parse_t *ps, size_t size);
void cs_config_encrypted(parse_t *ps, const char *data, size_t len);
void cs_config_reject(parse_t *ps, int err, const char *why);
int cs_config_end(parse_t *ps);

/* The same for a file in memory. */
int cs_config_parse_buffer(certslot_config_t *cfg, const char *name, const char *data, size_t len, int master,
                           parse_t *ps);

/*
 * Diagnostics (config_diag.c). cs_config_diag records one (gate: the error
 * is void when that parameter's .set gate stays closed), or only counts it
 * once cfg->diag_limit is reached; cs_config_vdiag returns the record, NULL
 * when only counted (force: kept beyond the limit). A file's rejection is
 * always kept. mark / rollback: a rejected file's diagnostics are dropped
 * with it. finish marks gated errors ignored, orders them and recounts.
 */
#if defined(__GNUC__)
__attribute__((format(printf, 8, 9)))
#endif
void cs_config_diag(certslot_config_t *cfg, certslot_severity_t sev, uint16_t rank, uint32_t line, uint32_t col,
                    certslot_param_t param, certslot_param_t gate, const char *fmt, ...);
#if defined(__GNUC__)
__attribute__((format(printf, 9, 0)))
#endif
certslot_diag_t *cs_config_vdiag(certslot_config_t *cfg, int force, certslot_severity_t sev, uint16_t rank,
                                 uint32_t line, uint32_t col, certslot_param_t param, certslot_param_t gate,
                                 const char *fmt, va_list ap);
void cs_config_diag_reject(certslot_config_t *cfg, uint16_t rank, uint32_t line, uint32_t col, const char *msg);
void cs_config_diag_mark(const certslot_config_t *cfg, parse_t *ps);
void cs_config_diag_rollback(certslot_config_t *cfg, const parse_t *ps);
void cs_config_diag_ignored(certslot_diag_t *d, const char *why);
void cs_config_diag_sort(certslot_config_t *cfg);
void cs_config_diag_recount(certslot_config_t *cfg);
void cs_config_diag_free(certslot_config_t *cfg);

/* A diagnostic only counted (the diagnostics are full). */
static inline void cs_config_diag_drop(certslot_config_t *cfg, certslot_severity_t sev)
{
    cfg->errors += sev == CERTSLOT_ERROR;
    cfg->warnings += sev == CERTSLOT_WARNING;
    cfg->diags_full = 1;
    cfg->diags_dropped++;
    cfg->dropped_errors += sev == CERTSLOT_ERROR; /* counted as errors still, gated or not */
    cfg->dropped_warnings += sev == CERTSLOT_WARNING;
}

/* XML white space. */
static inline int cs_config_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/*
 * Attribute positions (config_scan.c): cs_scan_begin at a start tag, then
 * cs_scan_next once per attribute, in order, gives where each starts
 * (prev_len: the length of the name before, as expat reported it; 0 for the
 * first, or unknown).
 */
typedef struct {
    const char *p, *end;
    uint32_t line, col; /* col 0-based, in characters as expat counts */
    int in_attr;        /* p is at the start of the attribute last reported: skipped only when needed */
    const char *buf;    /* expat's buffer, */
    XML_Index base;     /* and its first byte's index in the file */
} cs_scan_t;
void cs_scan_begin(cs_scan_t *s, XML_Parser xp, cs_scan_mark_t *mark);
certslot_where_t cs_scan_next(cs_scan_t *s, const char *file, size_t prev_len);
/* After the tag's last cs_scan_next: the next tag is counted from where this one's scan stopped. */
void cs_scan_end(const cs_scan_t *s, cs_scan_mark_t *mark);

/* expat's allocator through certslot_calloc/certslot_free (config_scan.c). */
extern const XML_Memory_Handling_Suite cs_config_xml_mem;

#endif
