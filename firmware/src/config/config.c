/*
 * Config parser: expat streams each file's attributes into a per-file
 * staging table; a file that parses cleanly is then merged into the
 * configuration under the precedence rule, a file that does not is dropped.
 */
#include "certslot/config.h"

#include <stdarg.h>
#include <stddef.h>
#include <expat.h>
#include <stdio.h>
#include <string.h>

#include "certslot/cert.h"
#include "certslot/error.h"
#include "certslot/platform.h"
#include "certslot/text.h"
#include "config_internal.h"
#include "param_internal.h"
#include "core/internal.h"

/* Attributes of the master file that are not parameters. */
static const char *const master_attrs[] = {
    "APP_FILE_PATH",       "CONFIG_FILES",      "MISC_FILES",        "LOG_FILE_DIRECTORY",
    "OVERRIDES_DIRECTORY", "CONTACTS_DIRECTORY", "LICENSE_DIRECTORY", "USER_PROFILES_DIRECTORY",
    "CALL_LISTS_DIRECTORY", "COREFILE_DIRECTORY",
};

/* ---- diagnostics (config_diag.c keeps them) ---- */

#if defined(__GNUC__)
__attribute__((format(printf, 5, 6)))
#endif
static void pdiag_fmt(parse_t *ps, certslot_severity_t sev, const certslot_where_t *w, certslot_param_t param,
                      const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    certslot_param_t gate = -1;
    if (sev == CERTSLOT_ERROR && param >= 0 && certslot_param_is_device(param) && param != CERTSLOT_P_DEVICE_SET)
        gate = param;
    cs_config_vdiag(ps->cfg, 0, sev, ps->rank, w->line, w->col, param, gate, fmt, ap);
    va_end(ap);
}

/* A diagnostic at w: formatted only while they are kept (its arguments are not even worked out once they are full). */
#define pdiag(ps, sev, ...) \
    ((ps)->cfg->diags_full ? cs_config_diag_drop((ps)->cfg, (sev)) : pdiag_fmt((ps), (sev), __VA_ARGS__))

static void fatal(parse_t *ps, int err, const char *msg)
{
    if (ps->fatal != 0)
        return;
    ps->fatal = err;
    ps->fatal_line = (uint32_t)XML_GetCurrentLineNumber(ps->xp);
    ps->fatal_col = (uint32_t)XML_GetCurrentColumnNumber(ps->xp) + 1;
    snprintf(ps->fatal_msg, sizeof(ps->fatal_msg), "%s", msg);
    XML_StopParser(ps->xp, XML_FALSE);
}

/* ---- one attribute ---- */

static int is_master_attr(const char *name)
{
    for (size_t i = 0; i < sizeof(master_attrs) / sizeof(master_attrs[0]); i++)
        if (cs_equal_ci(name, strlen(name), master_attrs[i]))
            return 1;
    return 0;
}

/* A did-you-mean search is still allowed: for the first names only, and never once the diagnostics are full. */
static int may_suggest(const certslot_config_t *cfg)
{
    return cfg->suggestions < CERTSLOT_CONFIG_MAX_SUGGEST && !cfg->diags_full;
}

/* p's name in buf, for a diagnostic; not worked out once the diagnostics are full (the text is not kept). */
static const char *pname(const parse_t *ps, certslot_param_t p, char *buf)
{
    buf[0] = '\0';
    if (!ps->cfg->diags_full)
        certslot_param_name(p, buf, CERTSLOT_PARAM_NAME_MAX);
    return buf;
}

static void unknown_param(parse_t *ps, const char *name, const certslot_where_t *w)
{
    size_t len = strlen(name);
    char buf[CERTSLOT_PARAM_NAME_MAX];

    if (len > 4 && cs_equal_ci(name + len - 4, 4, ".set")) {
        certslot_param_t base = certslot_param_lookup(name, len - 4, NULL);
        if (base >= 0) {
            certslot_param_name(base, buf, sizeof(buf));
            pdiag(ps, CERTSLOT_WARNING, w, -1,
                  "'%s' has no .set companion (only device.* parameters do); %s applies without one", name, buf);
            return;
        }
    }
    /* A search over every name: for the first names only, and never once the diagnostics are full. */
    certslot_config_t *cfg = ps->cfg;
    if (len < CERTSLOT_PARAM_NAME_MAX + 8 && may_suggest(cfg) && certslot_param_may_be_near(name, len, NULL)) {
        cfg->suggestions++;
        if (certslot_param_suggest(name, buf, sizeof(buf))) {
            pdiag(ps, CERTSLOT_WARNING, w, -1, "unknown parameter '%s'; did you mean '%s'?", name, buf);
            return;
        }
    }
    /* Names outside certslot's namespaces belong to other parts of the handset. */
    if (cs_starts_ci(name, "device.sec.") || cs_starts_ci(name, "sec.tls.") || cs_starts_ci(name, "device.prov."))
        pdiag(ps, CERTSLOT_WARNING, w, -1, "unknown parameter '%s'", name);
}

static void trim(const char **t, size_t *len)
{
    while (*len > 0 && cs_config_space(**t)) {
        (*t)++;
        (*len)--;
    }
    while (*len > 0 && cs_config_space((*t)[*len - 1]))
        (*len)--;
}

static void set_companion(parse_t *ps, certslot_param_t p, const char *value, const certslot_where_t *w)
{
    staged_t *s = &ps->st[p];
    char name[CERTSLOT_PARAM_NAME_MAX];
    size_t len = strlen(value);

    trim(&value, &len);
    if (len != 1 || (value[0] != '0' && value[0] != '1')) {
        pdiag(ps, CERTSLOT_ERROR, w, p, "%s.set: expected 0 or 1, got '%.40s'", pname(ps, p, name), value);
        ps->value_errors++;
        return;
    }
    if (s->set_given)
        pdiag(ps, CERTSLOT_WARNING, w, p, "%s.set given again; this one replaces the one at line %u",
              pname(ps, p, name), (unsigned)s->set_line);
    s->set = (uint8_t)(value[0] - '0');
    s->set_given = 1;
    s->set_line = w->line;
    s->set_col = w->col;
}

/* s's room for need bytes and a NUL: the value before's when it fits, else new; 0, or -1 (fatal, out of memory).
 * A secret value before is wiped either way: a shorter one leaves none of its tail. */
static int room(parse_t *ps, staged_t *s, size_t need, int secret)
{
    char *copy = s->text != NULL && need < s->cap ? s->text : certslot_calloc(1, need + 1);

    if (copy == NULL) {
        fatal(ps, CERTSLOT_ERR_NOMEM, "out of memory"); /* the value before stays as it was */
        return -1;
    }
    if (secret)
        certslot_zeroize(s->text, s->len);
    if (copy == s->text)
        return 0;
    certslot_free(s->text);
    s->text = copy;
    s->cap = (uint32_t)need + 1;
    return 0;
}

static void value(parse_t *ps, certslot_param_t p, certslot_family_t fam, const char *text, const certslot_where_t *w)
{
    staged_t *s = &ps->st[p];
    char name[CERTSLOT_PARAM_NAME_MAX], why[CERTSLOT_CONFIG_DIAG_LEN - CERTSLOT_PARAM_NAME_MAX - 8];
    size_t len = strlen(text);
    certslot_type_t type = cs_family_type(fam);
    int num;

    if (len > CERTSLOT_CONFIG_MAX_VALUE) {
        pdiag(ps, CERTSLOT_ERROR, w, p, "%s: value is %zu bytes, longer than the limit of %u", pname(ps, p, name), len,
              (unsigned)CERTSLOT_CONFIG_MAX_VALUE);
        ps->value_errors++;
        return;
    }
    if (type != CERTSLOT_TYPE_CERT && type != CERTSLOT_TYPE_KEY && type != CERTSLOT_TYPE_STRING)
        trim(&text, &len);
    const char *canon = text;
    if (cs_param_check(fam, text, len, &num, &canon, why, sizeof(why)) != 0) {
        pdiag(ps, CERTSLOT_ERROR, w, p, "%s: %s", pname(ps, p, name), why);
        ps->value_errors++;
        return;
    }
    if (fam >= CERTSLOT_FAM_PROTOCOL_DOT1X && fam <= CERTSLOT_FAM_PROTOCOL_BROWSER &&
        (num == CERTSLOT_TLS_1_0 || num == CERTSLOT_TLS_1_1))
        pdiag(ps, CERTSLOT_WARNING, w, p, "%s: %.*s acts as TLSv1_2: the TLS library (mbedTLS 3.6) has no TLS 1.0 "
              "or 1.1", pname(ps, p, name), (int)len, text);
    char digit[2] = {(char)('0' + num), '\0'};
    if (len > 0 && type == CERTSLOT_TYPE_ENUM) /* keep the canonical spelling (same length) */
        text = canon;
    else if (len > 0 && type == CERTSLOT_TYPE_INDEX)
        text = digit, len = 1;
    int secret = (cs_family_flags(fam) & CERTSLOT_PF_SECRET) != 0; /* keys, passwords: wiped; certificates are public */
    if (s->given)
        pdiag(ps, CERTSLOT_WARNING, w, p, "%s given again; this value replaces the one at line %u",
              pname(ps, p, name), (unsigned)s->line);
    /*
     * A PEM certificate value is kept as its DER, the store's form: three
     * quarters of the text, decoded in one pass into the room of the value
     * before when it fits, else measured first. The check above passed (only
     * what a certificate may hold), so the value before is replaced whatever
     * the decoding finds. Any other form is kept as given.
     */
    const unsigned char *pem = type == CERTSLOT_TYPE_CERT && len > 0 ? (const unsigned char *)text : NULL;
    size_t der = pem != NULL && s->text != NULL ? certslot_cert_pem_der(pem, len, (unsigned char *)s->text, s->cap - 1)
                                                : 0;
    if (pem != NULL && der == 0 && (der = certslot_cert_pem_der(pem, len, NULL, 0)) != 0) {
        if (room(ps, s, der, 0) != 0) /* measured first: a room no bigger than the DER */
            return;
        certslot_cert_pem_der(pem, len, (unsigned char *)s->text, der);
    }
    if (der == 0) {
        if (room(ps, s, len, secret) != 0)
            return; /* out of memory: the file is rejected (a room a failed decoding filled is dropped with it) */
        memcpy(s->text, text, len);
    }
    size_t keep = der != 0 ? der : len;
    s->text[keep] = '\0';
    s->len = (uint32_t)keep;
    s->der = der != 0;
    s->num = num;
    s->given = 1;
    s->line = w->line;
    s->col = w->col;
}

/* What an attribute is to certslot: relevant() finds it, attribute() acts on it. */
typedef struct {
    certslot_param_t p;    /* -1: none */
    certslot_family_t fam; /* p's family */
    int companion;      /* p's .set companion */
    int master_attr;    /* a master-file attribute (CONFIG_FILES, ...) */
} kind_t;

static void attribute(parse_t *ps, const char *name, const char *text, const certslot_where_t *w, const kind_t *k)
{
    certslot_param_t p = k->p;

    if (k->master_attr) {
        if (!ps->master) {
            pdiag(ps, CERTSLOT_WARNING, w, -1, "%s has effect only in a master file; ignored here", name);
        } else if (cs_equal_ci(name, strlen(name), "CONFIG_FILES")) {
            char *copy = certslot_strndup(text, strlen(text));
            if (copy == NULL) {
                fatal(ps, CERTSLOT_ERR_NOMEM, "out of memory");
                return;
            }
            certslot_free(ps->config_files);
            ps->config_files = copy;
            ps->config_files_where = *w;
        }
    } else if (p < 0) {
        if (strcmp(name, "xmlns") != 0 && strchr(name, ':') == NULL) /* else XML machinery, not a parameter */
            unknown_param(ps, name, w);
    } else if (ps->master) {
        pdiag(ps, CERTSLOT_WARNING, w, p,
              "'%s' in the master file is not applied; put it in a file named by CONFIG_FILES", name);
    } else if (k->companion) {
        set_companion(ps, p, text, w);
    } else {
        value(ps, p, k->fam, text, w);
    }
}

/* ---- expat callbacks ---- */

/*
 * 0 when attribute() would do nothing with name (else *k says what it is):
 * a name of the handset's other subsystems, neither a parameter, nor close enough to one for a
 * did-you-mean, nor a master-file attribute. Most attributes of a real file
 * are such names, so this is kept cheap: the last far name's screened bytes
 * are remembered, and names sharing them are far too.
 */
static int relevant(parse_t *ps, const char *name, size_t len, kind_t *kind)
{
    size_t used;

    kind->p = -1;
    kind->companion = kind->master_attr = 0;
    char c0 = cs_lower(name[0]); /* the master file's attributes start with these */
    if ((c0 == 'a' || c0 == 'c' || c0 == 'm' || c0 == 'l' || c0 == 'o' || c0 == 'u') && is_master_attr(name))
        return kind->master_attr = 1;
    kind->p = cs_param_lookup(name, len, &kind->companion, &kind->fam);
    if (kind->p >= 0 || certslot_param_in_namespace(name, len))
        return 1;
    /* Outside the namespaces only a did-you-mean could come of it: none once they are used up. */
    if (!may_suggest(ps->cfg))
        return 0;
    for (size_t k = 0; k < FAR_NAMES; k++)
        if (ps->far_len[k] > 0 && len + 1 >= ps->far_len[k] && cs_ncase_equal(name, ps->far[k], ps->far_len[k]))
            return 0;
    if (certslot_param_may_be_near(name, len, &used))
        return 1;
    if (used <= sizeof(ps->far[0])) {
        size_t k = ps->far_next++ % FAR_NAMES;
        memcpy(ps->far[k], name, used); /* with the terminator when used = len + 1 */
        ps->far_len[k] = used;
    }
    return 0;
}

static void XMLCALL on_start(void *ud, const XML_Char *el, const XML_Char **atts)
{
    parse_t *ps = ud;
    cs_scan_t s;
    size_t scanned = 0; /* attributes whose position the scan has passed */
    certslot_where_t w = {NULL, 0, 0};

    (void)el;
    if (ps->fatal != 0)
        return;
    size_t len = 0, prev_len = 0; /* the name's length, and the one's before it */
    for (size_t i = 0; atts[i] != NULL && ps->fatal == 0; i += 2) {
        kind_t k;
        prev_len = len;
        len = strlen(atts[i]);
        if (!relevant(ps, atts[i], len, &k))
            continue;
        if (scanned == 0)
            cs_scan_begin(&s, ps->xp, &ps->mark);
        while (scanned <= i / 2) { /* positions are found only when needed */
            size_t before = scanned == 0 ? 0 : scanned == i / 2 ? prev_len : strlen(atts[2 * (scanned - 1)]);
            w = cs_scan_next(&s, ps->file, before);
            scanned++;
        }
        attribute(ps, atts[i], atts[i + 1], &w, &k);
    }
    if (scanned > 0)
        cs_scan_end(&s, &ps->mark);
}

static void XMLCALL on_doctype(void *ud, const XML_Char *name, const XML_Char *sysid, const XML_Char *pubid,
                               int has_internal_subset)
{
    (void)name, (void)sysid, (void)pubid, (void)has_internal_subset;
    fatal(ud, CERTSLOT_ERR_XML, "DOCTYPE declarations (DTDs, entities) are not allowed in config files");
}

static void XMLCALL on_entity_decl(void *ud, const XML_Char *name, int is_param, const XML_Char *value,
                                   int value_len, const XML_Char *base, const XML_Char *sysid,
                                   const XML_Char *pubid, const XML_Char *notation)
{
    (void)name, (void)is_param, (void)value, (void)value_len, (void)base, (void)sysid, (void)pubid, (void)notation;
    fatal(ud, CERTSLOT_ERR_XML, "entity declarations are not allowed in config files");
}

static int XMLCALL on_external_entity(XML_Parser xp, const XML_Char *context, const XML_Char *base,
                                      const XML_Char *sysid, const XML_Char *pubid)
{
    (void)xp, (void)context, (void)base, (void)sysid, (void)pubid;
    return XML_STATUS_ERROR;
}

/* ---- one file ---- */

int cs_config_add_file(certslot_config_t *cfg, const char *name, uint16_t *rank)
{
    if (cfg->nfiles >= CERTSLOT_CONFIG_MAX_FILES)
        return CERTSLOT_ERR_LIMIT;
    /* Kept for diagnostics only: as it is shown. */
    size_t len = strlen(name), size = CERTSLOT_TEXT_ESCAPED_SIZE(len > 1024 ? 1024 : len);
    char *shown = certslot_calloc(1, size);
    if (shown == NULL)
        return CERTSLOT_ERR_NOMEM;
    certslot_text_escape(shown, size, name, len);
    cfg->files[cfg->nfiles] = shown;
    *rank = (uint16_t)cfg->nfiles++;
    return 0;
}

int cs_config_begin(parse_t *ps, certslot_config_t *cfg, const char *name, int master)
{
    memset(ps, 0, sizeof(*ps));
    ps->cfg = cfg;
    ps->master = master;
    if (cfg->finished)
        return CERTSLOT_ERR_ARG;
    int ret = cs_config_add_file(cfg, name, &ps->rank);
    if (ret != 0) {
        cs_config_diag(cfg, CERTSLOT_ERROR, UINT16_MAX, 0, 0, -1, -1, "%s: %s", name,
             ret == CERTSLOT_ERR_LIMIT ? "too many config files" : "out of memory");
        return ret;
    }
    ps->file = cfg->files[ps->rank];
    cs_config_diag_mark(cfg, ps);
    ps->st = certslot_calloc(CERTSLOT_PARAM_COUNT, sizeof(staged_t));
    /* expat allocates through cs_config_xml_mem (config_scan.c), which wipes every block it frees. */
    ps->xp = ps->st != NULL ? XML_ParserCreate_MM(NULL, &cs_config_xml_mem, NULL) : NULL;
    if (ps->xp == NULL) {
        certslot_free(ps->st);
        ps->st = NULL;
        cs_config_diag(cfg, CERTSLOT_ERROR, ps->rank, 0, 0, -1, -1, "out of memory");
        return CERTSLOT_ERR_NOMEM;
    }
    XML_SetUserData(ps->xp, ps);
    XML_SetStartElementHandler(ps->xp, on_start);
    XML_SetStartDoctypeDeclHandler(ps->xp, on_doctype);
    XML_SetEntityDeclHandler(ps->xp, on_entity_decl);
    XML_SetExternalEntityRefHandler(ps->xp, on_external_entity);
    XML_SetParamEntityParsing(ps->xp, XML_PARAM_ENTITY_PARSING_NEVER);
    return 0;
}

void cs_config_chunk(parse_t *ps, const char *data, size_t len, int final)
{
    if (ps->fatal != 0)
        return;
    ps->bytes += len;
    if (ps->bytes > CERTSLOT_CONFIG_MAX_FILE) {
        ps->fatal = CERTSLOT_ERR_LIMIT;
        snprintf(ps->fatal_msg, sizeof(ps->fatal_msg), "file is larger than the limit of %u bytes",
                 (unsigned)CERTSLOT_CONFIG_MAX_FILE);
        return;
    }
    enum XML_Status st = data != NULL ? XML_Parse(ps->xp, data, (int)len, final)
                                      : XML_ParseBuffer(ps->xp, (int)len, final);
    if (st == XML_STATUS_OK || ps->fatal != 0)
        return;
    enum XML_Error e = XML_GetErrorCode(ps->xp);
    ps->fatal = e == XML_ERROR_NO_MEMORY ? CERTSLOT_ERR_NOMEM : CERTSLOT_ERR_XML;
    ps->fatal_line = (uint32_t)XML_GetCurrentLineNumber(ps->xp);
    ps->fatal_col = (uint32_t)XML_GetCurrentColumnNumber(ps->xp) + 1;
    snprintf(ps->fatal_msg, sizeof(ps->fatal_msg), "not well-formed XML: %s; nothing in this file applies",
             XML_ErrorString(e));
}

char *cs_config_room(parse_t *ps, size_t size)
{
    char *room = ps->fatal == 0 ? XML_GetBuffer(ps->xp, (int)size) : NULL;
    if (room == NULL && ps->fatal == 0)
        cs_config_reject(ps, CERTSLOT_ERR_NOMEM, "out of memory");
    return room;
}

/* Rejects the file being parsed, at 1:1 (a whole-file problem). */
void cs_config_reject(parse_t *ps, int err, const char *why)
{
    ps->fatal = err;
    ps->fatal_line = ps->fatal_col = 1;
    snprintf(ps->fatal_msg, sizeof(ps->fatal_msg), "%.168s; nothing in this file applies", why);
}

/* An encrypted file: authenticated as a whole, then parsed like a plain one. */
void cs_config_encrypted(parse_t *ps, const char *data, size_t len)
{
    char why[CERTSLOT_CFGCRYPT_WHY_LEN], *plain = NULL;
    size_t plen = 0;
    int ret;

    if (ps->master) {
        cs_config_reject(ps, CERTSLOT_ERR_DECRYPT, "a master file is never encrypted: refused");
        return;
    }
    if (len > CERTSLOT_CFGCRYPT_MAX_ENCODED(CERTSLOT_CONFIG_MAX_FILE)) {
        snprintf(why, sizeof(why), "encrypted file is larger than the limit for %u bytes of text",
                 (unsigned)CERTSLOT_CONFIG_MAX_FILE);
        cs_config_reject(ps, CERTSLOT_ERR_LIMIT, why);
        return;
    }
    ret = certslot_cfgcrypt_decrypt(ps->cfg->keys, 2, data, len, CERTSLOT_CONFIG_MAX_FILE, &plain, &plen, why,
                                    sizeof(why));
    if (ret != 0) {
        cs_config_reject(ps, ret, ret == CERTSLOT_ERR_NOMEM ? "out of memory" : why);
        return;
    }
    cs_config_chunk(ps, plain, plen, 1);
    certslot_zeroize(plain, plen);
    certslot_free(plain);
}

static void staged_free(staged_t *st)
{
    if (st == NULL)
        return;
    for (size_t p = 0; p < CERTSLOT_PARAM_COUNT; p++) {
        if (certslot_param_is_secret((certslot_param_t)p))
            certslot_zeroize(st[p].text, st[p].len);
        certslot_free(st[p].text);
    }
    certslot_free(st);
}

/* Merges a cleanly parsed file: it fills what no earlier (higher) file set. */
static void merge(parse_t *ps)
{
    certslot_config_t *cfg = ps->cfg;

    for (size_t p = 0; p < CERTSLOT_PARAM_COUNT; p++) {
        staged_t *s = &ps->st[p];
        certslot_value_t *v = &cfg->v[p];
        if (s->given && !v->given) {
            v->text = s->text;
            v->len = s->len;
            v->der = s->der;
            v->num = s->num;
            v->where = (certslot_where_t){ps->file, s->line, s->col};
            v->rank = ps->rank;
            v->given = 1;
            s->text = NULL;
            s->len = 0;
        }
        if (s->set_given && !v->set_given) {
            v->set = s->set;
            v->set_given = 1;
            v->set_where = (certslot_where_t){ps->file, s->set_line, s->set_col};
        }
    }
}

static int gate_open(const certslot_config_t *cfg, certslot_param_t p);

/*
 * Once the files merged so far settle device.sec.configEncryption.key with
 * its gate open (first file wins, so nothing later changes it), that key
 * decrypts the files parsed after.
 */
static void adopt_key(certslot_config_t *cfg)
{
    const certslot_param_t p = CERTSLOT_P_CONFIG_ENCRYPTION_KEY;
    const certslot_value_t *v = &cfg->v[p];
    char why[CERTSLOT_CFGCRYPT_WHY_LEN];

    if (cfg->keys[1].loaded != 0 || !v->given || v->len == 0 || !gate_open(cfg, p))
        return;
    if (certslot_cfgcrypt_key_parse(&cfg->keys[1], v->text, v->len, why, sizeof(why)) != 0) {
        cfg->keys[1].loaded = -1; /* tried: reported once */
        cs_config_diag(cfg, CERTSLOT_WARNING, v->rank, v->where.line, v->where.col, p, -1,
             "device.sec.configEncryption.key: %s; it cannot decrypt config files", why);
    }
}

int cs_config_end(parse_t *ps)
{
    certslot_config_t *cfg = ps->cfg;
    int ret = 0;

    if (ps->fatal != 0) {
        cs_config_diag_rollback(cfg, ps); /* the file is rejected whole: so are its diagnostics */
        cs_config_diag_reject(cfg, ps->rank, ps->fatal_line, ps->fatal_col, ps->fatal_msg);
        ret = ps->fatal;
    } else if (ps->st != NULL) {
        if (!ps->master) {
            merge(ps);
            adopt_key(cfg);
        }
        ret = ps->value_errors > 0 ? CERTSLOT_ERR_VALUE : 0;
    }
    if (ps->xp != NULL)
        XML_ParserFree(ps->xp);
    staged_free(ps->st);
    ps->xp = NULL;
    ps->st = NULL;
    return ret;
}

int cs_config_parse_buffer(certslot_config_t *cfg, const char *name, const char *data, size_t len, int master,
                        parse_t *ps)
{
    int ret = cs_config_begin(ps, cfg, name, master);

    if (ret != 0)
        return ret;
    if (certslot_cfgcrypt_detect(data, len))
        cs_config_encrypted(ps, data, len);
    else
        cs_config_chunk(ps, data, len > CERTSLOT_CONFIG_MAX_FILE ? CERTSLOT_CONFIG_MAX_FILE + 1 : len, 1);
    return cs_config_end(ps);
}

/* ---- public API ---- */

void certslot_config_init(certslot_config_t *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    memcpy(cfg->mac, "000000000000", 13);
    cfg->diag_limit = CERTSLOT_CONFIG_DIAG_BYTES;
}

int certslot_config_set_mac(certslot_config_t *cfg, const char *mac)
{
    char out[13];
    size_t n = 0;

    for (const char *c = mac; *c != '\0'; c++) {
        char l = cs_lower(*c);
        if (*c == ':' || *c == '-')
            continue;
        if (!((l >= '0' && l <= '9') || (l >= 'a' && l <= 'f')) || n == 12)
            return CERTSLOT_ERR_ARG;
        out[n++] = l;
    }
    if (n != 12 || cfg->nfiles > 0)
        return CERTSLOT_ERR_ARG;
    out[12] = '\0';
    memcpy(cfg->mac, out, sizeof(out));
    return 0;
}

void certslot_config_free(certslot_config_t *cfg)
{
    if (cfg == NULL)
        return;
    for (size_t p = 0; p < CERTSLOT_PARAM_COUNT; p++) {
        certslot_zeroize(cfg->v[p].text, cfg->v[p].len);
        certslot_free(cfg->v[p].text);
    }
    for (unsigned i = 0; i < cfg->nfiles; i++)
        certslot_free(cfg->files[i]);
    cs_config_diag_free(cfg);
    certslot_cfgcrypt_key_free(&cfg->keys[0]);
    certslot_cfgcrypt_key_free(&cfg->keys[1]);
    memset(cfg, 0, sizeof(*cfg));
}

int certslot_config_set_key(certslot_config_t *cfg, const char *keystring)
{
    char why[CERTSLOT_CFGCRYPT_WHY_LEN];
    certslot_cfgcrypt_key_t key;

    if (cfg->finished || keystring == NULL)
        return CERTSLOT_ERR_ARG;
    int ret = certslot_cfgcrypt_key_parse(&key, keystring, strlen(keystring), why, sizeof(why));
    if (ret == 0)
        cfg->keys[0] = key;
    certslot_cfgcrypt_key_free(&key);
    return ret;
}

int certslot_config_parse_buffer(certslot_config_t *cfg, const char *name, const char *data, size_t len)
{
    parse_t ps;
    return cs_config_parse_buffer(cfg, name, data, len, 0, &ps);
}

static int gate_open(const certslot_config_t *cfg, certslot_param_t p)
{
    const certslot_value_t *ds = &cfg->v[CERTSLOT_P_DEVICE_SET];
    const certslot_value_t *v = &cfg->v[p];

    if (!certslot_param_is_device(p) || p == CERTSLOT_P_DEVICE_SET)
        return 1;
    return ds->given && ds->len > 0 && ds->num == 1 && v->set_given && v->set == 1;
}

int certslot_config_finish(certslot_config_t *cfg)
{
    char name[CERTSLOT_PARAM_NAME_MAX];

    if (cfg->finished)
        return CERTSLOT_ERR_ARG;
    cfg->finished = 1;
    const certslot_value_t *ds = &cfg->v[CERTSLOT_P_DEVICE_SET];
    int device_set = ds->given && ds->len > 0 && ds->num == 1;
    for (certslot_param_t p = 0; p < CERTSLOT_PARAM_COUNT; p++) {
        certslot_value_t *v = &cfg->v[p];
        if (!v->given)
            continue;
        v->applied = (uint8_t)gate_open(cfg, p);
        if (v->applied || (v->len == 0 && v->set_given))
            continue;
        certslot_param_name(p, name, sizeof(name));
        if (!device_set)
            cs_config_diag(cfg, CERTSLOT_NOTE, v->rank, v->where.line, v->where.col, p, -1,
                 "value present but device.set is not 1: %s ignored", name);
        else
            cs_config_diag(cfg, CERTSLOT_NOTE, v->rank, v->where.line, v->where.col, p, -1,
                 "value present but %s.set is not 1: ignored", name);
    }
    for (size_t i = 0; i < cfg->ndiags; i++) {
        certslot_diag_t *d = &cfg->diags[i];
        if (d->gate < 0 || gate_open(cfg, d->gate))
            continue;
        cs_config_diag_ignored(d, device_set ? ".set is not 1" : "device.set is not 1");
    }
    cs_config_diag_sort(cfg);
    cs_config_diag_recount(cfg);
    return cfg->errors > 0 ? CERTSLOT_ERR_VALUE : 0;
}

const char *certslot_config_get(const certslot_config_t *cfg, certslot_param_t p)
{
    if (p < 0 || p >= CERTSLOT_PARAM_COUNT)
        return "";
    const certslot_value_t *v = &cfg->v[p];
    return v->applied && v->len > 0 ? v->text : certslot_param_default(p);
}

int certslot_config_get_num(const certslot_config_t *cfg, certslot_param_t p)
{
    if (p < 0 || p >= CERTSLOT_PARAM_COUNT)
        return 0;
    const certslot_value_t *v = &cfg->v[p];
    return v->applied && v->len > 0 ? v->num : certslot_param_default_num(p);
}

int certslot_config_is_set(const certslot_config_t *cfg, certslot_param_t p)
{
    return p >= 0 && p < CERTSLOT_PARAM_COUNT && cfg->v[p].applied;
}

const certslot_where_t *certslot_config_where(const certslot_config_t *cfg, certslot_param_t p)
{
    return certslot_config_is_set(cfg, p) ? &cfg->v[p].where : NULL;
}

