/*
 * certslot inject: sets parameters in an XML config file, byte-exactly.
 *
 * Only the bytes of the values set (and of the attributes added) change:
 * every other byte of the file, its line endings, quoting and comments stay.
 * Every value is decoded and checked as the store would check it before the
 * file is touched; the file is replaced atomically (temporary file in the
 * same directory, fsync, rename, fsync of the directory), keeping its mode,
 * except that a file that gets a private key or a password and was readable
 * by group or others is tightened to 0600 (the owner's bits), with a note.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <expat.h>
#include <mbedtls/base64.h>
#include <mbedtls/pk.h>
#include <mbedtls/x509_crt.h>

#include "certslot/cert.h"
#include "certslot/error.h"
#include "certslot/param.h"
#include "certslot/platform.h"
#include "certslot/store.h"
#include "cli.h"

static const char inject_help[] =
    "usage: certslot inject --param NAME (--file FILE | --value TEXT)\n"
    "                       [--param NAME (--file FILE | --value TEXT)]... CONFIG\n"
    "\n"
    "Sets parameters in the XML config file CONFIG and changes nothing else in\n"
    "it (line endings, quoting, comments and layout stay byte for byte).\n"
    "\n"
    "- An attribute that already names the parameter (any ASCII case) gets the new\n"
    "  value and keeps its spelling; every occurrence is updated.\n"
    "- A missing attribute is added, in canonical spelling, next to the attributes\n"
    "  of the same family (e.g. other device.sec.TLS.* parameters), else to the\n"
    "  first element.\n"
    "- For device.* parameters, NAME.set and device.set are set to \"1\" (updated\n"
    "  when present, added when missing).\n"
    "- Certificates are written as single-line base64 DER; a chain of several\n"
    "  certificates as PEM blocks (leaf first) with &#10; line breaks. Keys are\n"
    "  written as PEM with their header, line breaks as &#10;. FILE may hold any\n"
    "  encoding certslot reads (PEM, DER, base64). An empty value clears.\n"
    "\n"
    "Refused before CONFIG is touched: an unknown NAME (with a did-you-mean), a\n"
    "value the store would refuse (not a certificate, a weak key or hash unless\n"
    "CONFIG sets device.sec.TLS.allowWeakCertificates=\"1\", an encrypted key, a\n"
    "device key that does not match the device certificate of its slot, taken\n"
    "from this command or from CONFIG), and a CONFIG that is not well-formed XML.\n"
    "Give a device certificate and its key together to replace both.\n"
    "Exit status: 0 written, 1 refused (CONFIG unchanged), 2 usage error or\n"
    "unreadable input.\n";

#define INJECT_MAX_ITEMS 8
#define INJECT_MAX_ATTRS 100000u

/* ---- the file: elements and attributes with their byte offsets ---- */

typedef struct {
    size_t sep_off;  /* the whitespace before the name */
    size_t name_off, name_len;
    size_t val_off, val_len; /* raw value, between the quotes */
    certslot_param_t param;  /* -1 when not a known parameter */
    int companion;           /* the ".set" of param */
    int is_one;              /* the decoded value is exactly "1" */
    unsigned elem;
    unsigned order;
} attr_t;

typedef struct {
    size_t name_end; /* just after the element name */
} elem_t;

typedef struct {
    const char *buf;
    size_t len;
    attr_t *a;
    size_t na, cap_a;
    elem_t *e;
    size_t ne, cap_e;
    /* decoded values of the slot parameters, for the key/certificate pairing */
    char *slot_value[CERTSLOT_PARAM_COUNT];
    int allow_weak;
    XML_Parser xp;
    int failed;
    char msg[320];
} doc_t;

static int is_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static void doc_fail(doc_t *d, const char *msg)
{
    if (!d->failed) {
        d->failed = 1;
        snprintf(d->msg, sizeof(d->msg), "%s", msg);
    }
    XML_StopParser(d->xp, XML_FALSE);
}

static const char *att_value(const char **atts, const char *name, size_t len)
{
    for (size_t i = 0; atts[i] != NULL; i += 2)
        if (strlen(atts[i]) == len && memcmp(atts[i], name, len) == 0)
            return atts[i + 1];
    return NULL;
}

static void XMLCALL on_start(void *ud, const char *name, const char **atts)
{
    doc_t *d = ud;
    XML_Index off = XML_GetCurrentByteIndex(d->xp);
    int cnt = XML_GetCurrentByteCount(d->xp);
    (void)name;

    if (d->failed)
        return;
    if (off < 0 || cnt <= 0 || (size_t)off + (size_t)cnt > d->len || d->buf[off] != '<') {
        doc_fail(d, "cannot locate an element in the file");
        return;
    }
    if (d->ne == d->cap_e) {
        size_t cap = d->cap_e == 0 ? 16 : d->cap_e * 2;
        elem_t *e = realloc(d->e, cap * sizeof(*e));
        if (e == NULL) {
            doc_fail(d, "out of memory");
            return;
        }
        d->e = e;
        d->cap_e = cap;
    }
    const char *b = d->buf;
    size_t p = (size_t)off + 1, end = (size_t)off + (size_t)cnt;
    while (p < end && !is_ws(b[p]) && b[p] != '/' && b[p] != '>')
        p++;
    unsigned ei = (unsigned)d->ne++;
    d->e[ei].name_end = p;
    for (;;) {
        size_t ws = p;
        while (p < end && is_ws(b[p]))
            p++;
        if (p >= end || b[p] == '/' || b[p] == '>')
            break;
        size_t n0 = p;
        while (p < end && !is_ws(b[p]) && b[p] != '=')
            p++;
        size_t n1 = p;
        while (p < end && is_ws(b[p]))
            p++;
        if (p >= end || b[p] != '=' || ws == n0) {
            doc_fail(d, "cannot read an attribute of the file");
            return;
        }
        p++;
        while (p < end && is_ws(b[p]))
            p++;
        if (p >= end || (b[p] != '"' && b[p] != '\'')) {
            doc_fail(d, "cannot read an attribute of the file");
            return;
        }
        char q = b[p++];
        size_t v0 = p;
        while (p < end && b[p] != q)
            p++;
        if (p >= end) {
            doc_fail(d, "cannot read an attribute of the file");
            return;
        }
        size_t v1 = p++;
        if (d->na == d->cap_a) {
            size_t cap = d->cap_a == 0 ? 64 : d->cap_a * 2;
            attr_t *a = cap <= INJECT_MAX_ATTRS ? realloc(d->a, cap * sizeof(*a)) : NULL;
            if (a == NULL) {
                doc_fail(d, "too many attributes");
                return;
            }
            d->a = a;
            d->cap_a = cap;
        }
        attr_t *a = &d->a[d->na];
        memset(a, 0, sizeof(*a));
        a->sep_off = ws;
        a->name_off = n0;
        a->name_len = n1 - n0;
        a->val_off = v0;
        a->val_len = v1 - v0;
        a->elem = ei;
        a->order = (unsigned)d->na;
        a->param = certslot_param_lookup(b + n0, n1 - n0, &a->companion);
        const char *value = att_value(atts, b + n0, n1 - n0);
        if (value == NULL) {
            doc_fail(d, "cannot match an attribute of the file");
            return;
        }
        a->is_one = strcmp(value, "1") == 0;
        if (a->param >= 0 && !a->companion) {
            certslot_type_t t = certslot_param_type(a->param);
            if (t == CERTSLOT_TYPE_CERT || t == CERTSLOT_TYPE_KEY) {
                char *copy = strdup(value);
                if (copy == NULL) {
                    doc_fail(d, "out of memory");
                    return;
                }
                if (d->slot_value[a->param] != NULL) {
                    certslot_zeroize(d->slot_value[a->param], strlen(d->slot_value[a->param]));
                    free(d->slot_value[a->param]);
                }
                d->slot_value[a->param] = copy; /* the last occurrence wins */
            }
            if (a->param == CERTSLOT_PARAM(ALLOW_WEAK_CERTS, 1))
                d->allow_weak = a->is_one;
        }
        d->na++;
    }
}

static void XMLCALL on_doctype(void *ud, const char *name, const char *sysid, const char *pubid, int has_internal)
{
    (void)name, (void)sysid, (void)pubid, (void)has_internal;
    doc_fail(ud, "DOCTYPE declarations are refused");
}

static void doc_free(doc_t *d)
{
    free(d->a);
    free(d->e);
    for (unsigned p = 0; p < CERTSLOT_PARAM_COUNT; p++) {
        if (d->slot_value[p] != NULL) {
            certslot_zeroize(d->slot_value[p], strlen(d->slot_value[p]));
            free(d->slot_value[p]);
        }
    }
    memset(d, 0, sizeof(*d));
}

/* Parses buf; 0, or -1 with the reason (and line:col) in d->msg. */
static int doc_parse(doc_t *d, const char *buf, size_t len)
{
    memset(d, 0, sizeof(*d));
    d->buf = buf;
    d->len = len;
    if (len >= 2 && ((unsigned char)buf[0] == 0xfe || (unsigned char)buf[0] == 0xff)) {
        snprintf(d->msg, sizeof(d->msg), "only UTF-8 (or ASCII) files are supported");
        return -1;
    }
    if (memchr(buf, '\0', len) != NULL) {
        snprintf(d->msg, sizeof(d->msg), "not a text file (NUL byte)");
        return -1;
    }
    if (len > CERTSLOT_CONFIG_MAX_FILE || len > (size_t)INT_MAX) {
        snprintf(d->msg, sizeof(d->msg), "larger than %u bytes", (unsigned)CERTSLOT_CONFIG_MAX_FILE);
        return -1;
    }
    d->xp = XML_ParserCreate(NULL);
    if (d->xp == NULL) {
        snprintf(d->msg, sizeof(d->msg), "out of memory");
        return -1;
    }
    XML_SetUserData(d->xp, d);
    XML_SetStartElementHandler(d->xp, on_start);
    XML_SetStartDoctypeDeclHandler(d->xp, on_doctype);
    enum XML_Status st = XML_Parse(d->xp, buf, (int)len, 1);
    if (st != XML_STATUS_OK || d->failed) {
        char what[200];
        snprintf(what, sizeof(what), "%.*s", 190, d->failed ? d->msg : XML_ErrorString(XML_GetErrorCode(d->xp)));
        snprintf(d->msg, sizeof(d->msg), "%lu:%lu: not well-formed XML: %s",
                 (unsigned long)XML_GetCurrentLineNumber(d->xp),
                 (unsigned long)XML_GetCurrentColumnNumber(d->xp) + 1, what);
        d->failed = 1;
    } else if (d->ne == 0) {
        snprintf(d->msg, sizeof(d->msg), "no element");
        d->failed = 1;
    }
    XML_ParserFree(d->xp);
    d->xp = NULL;
    return d->failed ? -1 : 0;
}

/* ---- edits ---- */

typedef struct {
    size_t off, del;
    char *ins; /* malloc'd */
    size_t ins_len;
    unsigned seq;
} edit_t;

typedef struct {
    edit_t e[4 * INJECT_MAX_ITEMS + 64];
    size_t n;
    int nomem;
} edits_t;

/* Text of an attribute value with its quote: XML-escaped, one line. */
static size_t escape_value(char *out, const char *v, size_t len, char quote)
{
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        const char *r = NULL;
        switch (v[i]) {
        case '&': r = "&amp;"; break;
        case '<': r = "&lt;"; break;
        case '>': r = "&gt;"; break;
        case '"': r = quote == '"' ? "&quot;" : NULL; break;
        case '\'': r = quote == '\'' ? "&apos;" : NULL; break;
        case '\n': r = "&#10;"; break;
        case '\r': r = "&#13;"; break;
        case '\t': r = "&#9;"; break;
        default: break;
        }
        if (r != NULL) {
            if (out != NULL)
                memcpy(out + o, r, strlen(r));
            o += strlen(r);
        } else {
            if (out != NULL)
                out[o] = v[i];
            o++;
        }
    }
    return o;
}

static void edit_add(edits_t *ed, size_t off, size_t del, const char *parts[], const size_t lens[], size_t nparts,
                     int escape_last, char quote)
{
    size_t total = 0;
    if (ed->n == sizeof(ed->e) / sizeof(ed->e[0])) {
        ed->nomem = 1;
        return;
    }
    for (size_t i = 0; i < nparts; i++)
        total += i + 1 == nparts && escape_last ? escape_value(NULL, parts[i], lens[i], quote) : lens[i];
    char *t = malloc(total + 1);
    if (t == NULL) {
        ed->nomem = 1;
        return;
    }
    size_t o = 0;
    for (size_t i = 0; i < nparts; i++) {
        if (i + 1 == nparts && escape_last) {
            o += escape_value(t + o, parts[i], lens[i], quote);
        } else {
            memcpy(t + o, parts[i], lens[i]);
            o += lens[i];
        }
    }
    edit_t *e = &ed->e[ed->n];
    e->off = off;
    e->del = del;
    e->ins = t;
    e->ins_len = o;
    e->seq = (unsigned)ed->n;
    ed->n++;
}

/* Replaces an attribute's value. */
static void edit_value(edits_t *ed, const doc_t *d, const attr_t *a, const char *v, size_t len)
{
    const char *parts[] = {v};
    size_t lens[] = {len};
    edit_add(ed, a->val_off, a->val_len, parts, lens, 1, 1, d->buf[a->val_off - 1]);
}

/* Adds name="value" after anchor (or after the element name when anchor is NULL). */
static void edit_insert(edits_t *ed, const doc_t *d, unsigned elem, const attr_t *anchor, const char *name,
                        size_t name_len, const char *suffix, const char *v, size_t len)
{
    const char *sep = " ";
    size_t sep_len = 1, off = d->e[elem].name_end;
    if (anchor != NULL) {
        sep = d->buf + anchor->sep_off;
        sep_len = anchor->name_off - anchor->sep_off;
        off = anchor->val_off + anchor->val_len + 1;
    }
    const char *parts[] = {sep, name, suffix, "=\"", v};
    size_t lens[] = {sep_len, name_len, strlen(suffix), 2, len};
    edit_add(ed, off, 0, parts, lens, 5, 1, '"');
    const char *close[] = {"\""};
    size_t close_len[] = {1};
    edit_add(ed, off, 0, close, close_len, 1, 0, '"');
}

static int edit_cmp(const void *x, const void *y)
{
    const edit_t *a = x, *b = y;
    if (a->off != b->off)
        return a->off < b->off ? -1 : 1;
    return a->seq < b->seq ? -1 : a->seq > b->seq;
}

static void edits_free(edits_t *ed)
{
    for (size_t i = 0; i < ed->n; i++) {
        certslot_zeroize(ed->e[i].ins, ed->e[i].ins_len);
        free(ed->e[i].ins);
    }
    ed->n = 0;
}

/* The file with the edits applied; NULL when out of memory. */
static char *edits_apply(edits_t *ed, const char *buf, size_t len, size_t *out_len)
{
    size_t total = len;
    qsort(ed->e, ed->n, sizeof(ed->e[0]), edit_cmp);
    for (size_t i = 0; i < ed->n; i++)
        total += ed->e[i].ins_len - ed->e[i].del;
    char *out = malloc(total + 1);
    if (out == NULL)
        return NULL;
    size_t o = 0, pos = 0;
    for (size_t i = 0; i < ed->n; i++) {
        memcpy(out + o, buf + pos, ed->e[i].off - pos);
        o += ed->e[i].off - pos;
        memcpy(out + o, ed->e[i].ins, ed->e[i].ins_len);
        o += ed->e[i].ins_len;
        pos = ed->e[i].off + ed->e[i].del;
    }
    memcpy(out + o, buf + pos, len - pos);
    o += len - pos;
    *out_len = o;
    return out;
}

/* ---- values ---- */

typedef struct {
    const char *name_arg;
    const char *file, *value; /* one of them */
    certslot_param_t param;
    char *raw; /* what was given */
    size_t raw_len;
    char *text; /* what is written (unescaped) */
    size_t text_len;
    char summary[200];
} item_t;

static void wipe_free(char *p, size_t len)
{
    if (p != NULL) {
        certslot_zeroize(p, len);
        free(p);
    }
}

/* base64 of der, as one line (lines of 64 with '\n' when pem_lines), appended at out+*o. */
static int b64_append(char **out, size_t *o, size_t *cap, const unsigned char *der, size_t len, const char *label)
{
    size_t n = 0;
    mbedtls_base64_encode(NULL, 0, &n, der, len);
    size_t need = *o + n + n / 64 + (label != NULL ? 2 * strlen(label) : 0) + 64;
    if (need > *cap) {
        char *b = malloc(need);
        if (b == NULL)
            return CERTSLOT_ERR_NOMEM;
        if (*out != NULL)
            memcpy(b, *out, *o);
        wipe_free(*out, *cap);
        *out = b;
        *cap = need;
    }
    unsigned char *tmp = malloc(n + 1);
    if (tmp == NULL || mbedtls_base64_encode(tmp, n + 1, &n, der, len) != 0) {
        wipe_free((char *)tmp, n + 1);
        return CERTSLOT_ERR_NOMEM;
    }
    if (label == NULL) {
        memcpy(*out + *o, tmp, n);
        *o += n;
    } else {
        *o += (size_t)sprintf(*out + *o, "%s-----BEGIN %s-----\n", *o > 0 ? "\n" : "", label);
        for (size_t i = 0; i < n; i += 64) {
            size_t k = n - i < 64 ? n - i : 64;
            memcpy(*out + *o, tmp + i, k);
            *o += k;
            (*out)[(*o)++] = '\n';
        }
        *o += (size_t)sprintf(*out + *o, "-----END %s-----", label);
    }
    wipe_free((char *)tmp, n + 1);
    (*out)[*o] = '\0';
    return 0;
}

/* Decodes and checks a certificate value; the text to write in it->text. */
static int prepare_cert(item_t *it, int allow_weak, char *why, size_t why_size)
{
    mbedtls_x509_crt chain;
    size_t cap = 0, o = 0, n = 0;
    int ret;

    mbedtls_x509_crt_init(&chain);
    ret = certslot_cert_decode((const unsigned char *)it->raw, it->raw_len, &chain, why, why_size);
    for (const mbedtls_x509_crt *c = &chain; ret == 0 && c != NULL; c = c->next)
        n++;
    if (ret == 0 && n > CERTSLOT_STORE_MAX_CERTS) {
        snprintf(why, why_size, "more than %u certificates", (unsigned)CERTSLOT_STORE_MAX_CERTS);
        ret = CERTSLOT_ERR_LIMIT;
    }
    n = 0;
    for (const mbedtls_x509_crt *c = &chain; ret == 0 && c != NULL; c = c->next) {
        char pwhy[CERTSLOT_WHY_LEN];
        certslot_cert_info_t info;
        int relaxed = 0;
        certslot_cert_info(c, &info);
        n++;
        ret = certslot_policy_check(c, allow_weak, &relaxed, pwhy, sizeof(pwhy));
        if (ret != 0)
            snprintf(why, why_size, "certificate %zu (CN=%s): %s", n, info.subject_cn, pwhy);
        else if (relaxed)
            fprintf(stderr,
                    "certslot inject: warning: weak certificate CN=%s accepted because the file sets "
                    "device.sec.TLS.allowWeakCertificates=\"1\": %s\n",
                    info.subject_cn, pwhy);
    }
    for (const mbedtls_x509_crt *c = &chain; ret == 0 && c != NULL; c = c->next)
        ret = b64_append(&it->text, &o, &cap, c->raw.p, c->raw.len, n > 1 ? "CERTIFICATE" : NULL);
    if (ret == 0) {
        certslot_cert_info_t info;
        certslot_cert_info(&chain, &info);
        it->text_len = o;
        snprintf(it->summary, sizeof(it->summary), "%zu certificate%s, first CN=%s", n, n > 1 ? "s" : "",
                 info.subject_cn);
    } else if (ret == CERTSLOT_ERR_NOMEM) {
        snprintf(why, why_size, "out of memory");
    }
    mbedtls_x509_crt_free(&chain);
    return ret;
}

/* Decodes a key value; its PEM (header kept) in it->text. */
static int prepare_key(item_t *it, char *why, size_t why_size)
{
    mbedtls_pk_context pk;
    unsigned char der[8192];
    size_t cap = 0, o = 0;
    int ret;

    mbedtls_pk_init(&pk);
    ret = certslot_key_decode((const unsigned char *)it->raw, it->raw_len, &pk, why, why_size);
    if (ret == 0) {
        int n = mbedtls_pk_write_key_der(&pk, der, sizeof(der));
        mbedtls_pk_type_t t = mbedtls_pk_get_type(&pk);
        if (n <= 0 || (t != MBEDTLS_PK_RSA && t != MBEDTLS_PK_ECKEY)) {
            snprintf(why, why_size, "the key cannot be written as PEM");
            ret = CERTSLOT_ERR_KEY;
        } else {
            ret = b64_append(&it->text, &o, &cap, der + sizeof(der) - n, (size_t)n,
                             t == MBEDTLS_PK_RSA ? "RSA PRIVATE KEY" : "EC PRIVATE KEY");
            if (ret == 0) {
                it->text_len = o;
                snprintf(it->summary, sizeof(it->summary), "private key (%s-%u)", t == MBEDTLS_PK_RSA ? "RSA" : "EC",
                         (unsigned)mbedtls_pk_get_bitlen(&pk));
            } else {
                snprintf(why, why_size, "out of memory");
            }
        }
    }
    certslot_zeroize(der, sizeof(der));
    mbedtls_pk_free(&pk);
    return ret;
}

/* The device certificate and key parameters of the slot p belongs to; 0 when p is not a device slot one. */
static int slot_pair(certslot_param_t p, certslot_param_t *cert, certslot_param_t *key)
{
    unsigned i, j;
    certslot_family_t f = certslot_param_family(p, &i, &j);

    if (f == CERTSLOT_FAM_PLATFORM_DEVICE_CERT || f == CERTSLOT_FAM_PLATFORM_DEVICE_KEY) {
        *cert = CERTSLOT_PARAM(PLATFORM_DEVICE_CERT, i);
        *key = CERTSLOT_PARAM(PLATFORM_DEVICE_KEY, i);
        return 1;
    }
    if (f == CERTSLOT_FAM_APP_DEVICE_CERT || f == CERTSLOT_FAM_APP_DEVICE_KEY) {
        *cert = CERTSLOT_PARAM(APP_DEVICE_CERT, i);
        *key = CERTSLOT_PARAM(APP_DEVICE_KEY, i);
        return 1;
    }
    return 0;
}

/* Refuses a device certificate and key of one slot that do not belong together. */
static int check_pair(const item_t *items, size_t n, size_t k, const doc_t *d, char *why, size_t why_size)
{
    certslot_param_t pc, pk;
    const char *cert = NULL, *key = NULL;
    size_t cert_len = 0, key_len = 0;
    int cert_given = 0, key_given = 0, ret = 0;

    if (!slot_pair(items[k].param, &pc, &pk))
        return 0;
    for (size_t i = 0; i < n; i++) {
        if (items[i].param == pc) {
            cert = items[i].text, cert_len = items[i].text_len, cert_given = 1;
            if (i < k && items[k].param == pk)
                return 0; /* checked with the certificate */
        } else if (items[i].param == pk) {
            key = items[i].text, key_len = items[i].text_len, key_given = 1;
            if (i < k && items[k].param == pc)
                return 0;
        }
    }
    if (!cert_given && d->slot_value[pc] != NULL)
        cert = d->slot_value[pc], cert_len = strlen(cert);
    if (!key_given && d->slot_value[pk] != NULL)
        key = d->slot_value[pk], key_len = strlen(key);
    if (cert == NULL || key == NULL || cert_len == 0 || key_len == 0) {
        if (cert != NULL && cert_len > 0 && (key == NULL || key_len == 0))
            fprintf(stderr,
                    "certslot inject: warning: no private key for this device certificate in the file; the store "
                    "accepts it only if the slot already holds its key\n");
        return 0;
    }

    mbedtls_x509_crt crt;
    mbedtls_pk_context pkc;
    char w[CERTSLOT_WHY_LEN];
    mbedtls_x509_crt_init(&crt);
    mbedtls_pk_init(&pkc);
    if (certslot_cert_decode((const unsigned char *)cert, cert_len, &crt, w, sizeof(w)) != 0) {
        snprintf(why, why_size, "the device certificate of this slot in the file is unusable (%s)", w);
        ret = CERTSLOT_ERR_CERT;
    } else if (certslot_key_decode((const unsigned char *)key, key_len, &pkc, w, sizeof(w)) != 0) {
        snprintf(why, why_size, "the private key of this slot in the file is unusable (%s)", w);
        ret = CERTSLOT_ERR_KEY;
    } else if (certslot_key_matches(&crt, &pkc) != 0) {
        snprintf(why, why_size, "the private key %s does not match the device certificate %s",
                 key_given ? "given" : "in the file", cert_given ? "given" : "in the file");
        ret = CERTSLOT_ERR_KEY;
    }
    mbedtls_pk_free(&pkc);
    mbedtls_x509_crt_free(&crt);
    return ret;
}

/* ---- where to add a missing attribute ---- */

/* Leading dot-separated components two names share, ASCII case-insensitively. */
static unsigned shared_components(const char *a, size_t alen, const char *b, size_t blen)
{
    unsigned n = 0;
    size_t i = 0;
    for (;; i++) {
        int aend = i == alen || a[i] == '.', bend = i == blen || b[i] == '.';
        if (aend && bend) {
            n++;
            if (i == alen || i == blen)
                return n;
            continue;
        }
        if (aend || bend)
            return n;
        char x = a[i], y = b[i];
        if (x >= 'A' && x <= 'Z')
            x = (char)(x - 'A' + 'a');
        if (y >= 'A' && y <= 'Z')
            y = (char)(y - 'A' + 'a');
        if (x != y)
            return n;
    }
}

/* The attribute after which a new parameter goes: the last one sharing the most (>= 2) name components. */
static const attr_t *related_anchor(const doc_t *d, const char *name)
{
    const attr_t *best = NULL;
    unsigned best_score = 1;
    for (size_t i = 0; i < d->na; i++) {
        const attr_t *a = &d->a[i];
        unsigned s = shared_components(name, strlen(name), d->buf + a->name_off, a->name_len);
        if (s >= best_score && s >= 2) {
            best = a;
            best_score = s;
        }
    }
    return best;
}

static const attr_t *last_attr_of(const doc_t *d, unsigned elem)
{
    const attr_t *last = NULL;
    for (size_t i = 0; i < d->na; i++)
        if (d->a[i].elem == elem)
            last = &d->a[i];
    return last;
}

/* Plans the edits that set item it. */
static void plan_item(edits_t *ed, const doc_t *d, const item_t *it)
{
    char canon[CERTSLOT_PARAM_NAME_MAX];
    const attr_t *last = NULL, *set_last = NULL;
    int device = certslot_param_is_device(it->param) && it->param != CERTSLOT_P_DEVICE_SET;

    certslot_param_name(it->param, canon, sizeof(canon));
    for (size_t i = 0; i < d->na; i++) {
        const attr_t *a = &d->a[i];
        if (a->param != it->param)
            continue;
        if (!a->companion) {
            edit_value(ed, d, a, it->text, it->text_len);
            last = a;
        } else {
            if (!a->is_one)
                edit_value(ed, d, a, "1", 1);
            set_last = a;
        }
    }
    const char *name = canon;
    size_t name_len = strlen(canon);
    if (last == NULL && set_last != NULL) {
        /* NAME goes just before its NAME.set, laid out like it. */
        const char *parts[] = {d->buf + set_last->sep_off, canon, "=\"", it->text};
        size_t lens[] = {set_last->name_off - set_last->sep_off, strlen(canon), 2, it->text_len};
        edit_add(ed, set_last->sep_off, 0, parts, lens, 4, 1, '"');
        const char *close[] = {"\""};
        size_t close_len[] = {1};
        edit_add(ed, set_last->sep_off, 0, close, close_len, 1, 0, '"');
    } else if (last == NULL) {
        const attr_t *anchor = related_anchor(d, canon);
        unsigned elem = anchor != NULL ? anchor->elem : 0;
        if (anchor == NULL)
            anchor = last_attr_of(d, 0);
        edit_insert(ed, d, elem, anchor, canon, strlen(canon), "", it->text, it->text_len);
        if (device && set_last == NULL)
            edit_insert(ed, d, elem, anchor, canon, strlen(canon), ".set", "1", 1);
    } else if (device && set_last == NULL) {
        /* NAME.set next to NAME, in the file's spelling of NAME. */
        name = d->buf + last->name_off;
        name_len = last->name_len;
        edit_insert(ed, d, last->elem, last, name, name_len, ".set", "1", 1);
    }
}

/* device.set="1": updated where present, added to the first element when missing. */
static void plan_device_set(edits_t *ed, const doc_t *d)
{
    int found = 0;
    for (size_t i = 0; i < d->na; i++) {
        const attr_t *a = &d->a[i];
        if (a->param == CERTSLOT_P_DEVICE_SET && !a->companion) {
            found = 1;
            if (!a->is_one)
                edit_value(ed, d, a, "1", 1);
        }
    }
    if (!found)
        edit_insert(ed, d, 0, last_attr_of(d, 0), "device.set", 10, "", "1", 1);
}

/* ---- writing ---- */

/*
 * Replaces path with data, keeping its mode; with secret (a private key or a
 * password goes in), a file group or others could read is tightened to the
 * owner's bits, and the note says so.
 */
static int write_atomically(const char *path, const char *data, size_t len, int secret)
{
    char real[PATH_MAX];
    struct stat st;

    if (realpath(path, real) == NULL || stat(real, &st) != 0) {
        fprintf(stderr, "certslot inject: %s: %s\n", path, strerror(errno));
        return -1;
    }
    mode_t mode = st.st_mode & 07777;
    if (secret && (mode & 077) != 0) {
        mode &= 0700;
        fprintf(stderr, "certslot inject: note: %s now holds a secret: its mode goes from %04o to %04o (it was "
                        "readable by %s)\n",
                path, (unsigned)(st.st_mode & 07777), (unsigned)mode, (st.st_mode & 004) ? "everyone" : "its group");
    }
    /* Through a symbolic link, the file it names is replaced, not the link. */
    return cli_write_file("inject", real, data, len, (unsigned)mode, 0);
}

/* ---- the command ---- */

static int usage(const char *msg)
{
    fprintf(stderr, "certslot inject: %s\n%s", msg, inject_help);
    return EXIT_USAGE;
}

static int refuse(const char *config, const item_t *it, const char *why)
{
    char canon[CERTSLOT_PARAM_NAME_MAX];
    certslot_param_name(it->param, canon, sizeof(canon));
    fprintf(stderr, "certslot inject: error: %s: %s; %s unchanged\n", canon, why, config);
    return EXIT_ERRORS;
}

int cmd_inject(int argc, char **argv)
{
    static item_t items[INJECT_MAX_ITEMS];
    static doc_t doc, check;
    static edits_t ed;
    size_t n = 0, len = 0, out_len = 0;
    const char *config = NULL;
    char *buf = NULL, *out = NULL;
    int ret = EXIT_ERRORS;

    memset(items, 0, sizeof(items));
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            fputs(inject_help, stdout);
            return EXIT_ACCEPT;
        } else if (strcmp(a, "--param") == 0 && i + 1 < argc) {
            if (n > 0 && items[n - 1].file == NULL && items[n - 1].value == NULL)
                return usage("each --param needs its --file or --value");
            if (n == INJECT_MAX_ITEMS)
                return usage("too many --param");
            items[n++].name_arg = argv[++i];
        } else if ((strcmp(a, "--file") == 0 || strcmp(a, "--value") == 0) && i + 1 < argc) {
            if (n == 0 || items[n - 1].file != NULL || items[n - 1].value != NULL)
                return usage("--file and --value follow a --param, one each");
            *(a[2] == 'f' ? &items[n - 1].file : &items[n - 1].value) = argv[++i];
        } else if (a[0] == '-' && a[1] != '\0') {
            return usage("unknown or incomplete option");
        } else if (config == NULL && i + 1 == argc) {
            config = a;
        } else {
            return usage("exactly one CONFIG file, last");
        }
    }
    if (n == 0 || config == NULL)
        return usage(n == 0 ? "no --param given" : "no CONFIG file given");
    if (items[n - 1].file == NULL && items[n - 1].value == NULL)
        return usage("each --param needs its --file or --value");

    for (size_t k = 0; k < n; k++) {
        item_t *it = &items[k];
        char sugg[CERTSLOT_PARAM_NAME_MAX];
        int companion = 0;
        it->param = certslot_param_lookup(it->name_arg, strlen(it->name_arg), &companion);
        if (companion) {
            fprintf(stderr, "certslot inject: '%s' is a .set companion: give the parameter itself; inject sets "
                            "its .set to 1\n", it->name_arg);
            return EXIT_USAGE;
        }
        if (it->param < 0) {
            if (certslot_param_suggest(it->name_arg, sugg, sizeof(sugg)))
                fprintf(stderr, "certslot inject: unknown parameter '%s'; did you mean '%s'?\n", it->name_arg, sugg);
            else
                fprintf(stderr, "certslot inject: unknown parameter '%s' (see 'certslot params')\n", it->name_arg);
            return EXIT_USAGE;
        }
        for (size_t j = 0; j < k; j++)
            if (items[j].param == it->param)
                return usage("a parameter is given twice");
    }

    buf = (char *)cli_read_file("inject", config, CERTSLOT_CONFIG_MAX_FILE, &len);
    if (buf == NULL)
        return EXIT_USAGE;
    if (doc_parse(&doc, buf, len) != 0) {
        fprintf(stderr, "certslot inject: error: %s:%s; file unchanged\n", config, doc.msg);
        goto cleanup;
    }

    for (size_t k = 0; k < n; k++) {
        item_t *it = &items[k];
        char why[CERTSLOT_WHY_LEN + 256] = "";
        certslot_type_t t = certslot_param_type(it->param);
        if (it->file != NULL) {
            it->raw = (char *)cli_read_file("inject", it->file, CERTSLOT_CONFIG_MAX_VALUE * 4, &it->raw_len);
            if (it->raw == NULL) {
                ret = EXIT_USAGE;
                goto cleanup;
            }
        } else {
            it->raw_len = strlen(it->value);
            it->raw = malloc(it->raw_len + 1);
            if (it->raw == NULL)
                goto cleanup;
            memcpy(it->raw, it->value, it->raw_len + 1);
        }
        int r = 0;
        if ((t == CERTSLOT_TYPE_CERT || t == CERTSLOT_TYPE_KEY) && it->raw_len > 0) {
            r = t == CERTSLOT_TYPE_CERT ? prepare_cert(it, doc.allow_weak, why, sizeof(why))
                                        : prepare_key(it, why, sizeof(why));
        } else {
            /* A value from a file loses its final line break. */
            if (it->file != NULL && it->raw_len > 0 && it->raw[it->raw_len - 1] == '\n')
                it->raw[--it->raw_len] = '\0';
            if (it->file != NULL && it->raw_len > 0 && it->raw[it->raw_len - 1] == '\r')
                it->raw[--it->raw_len] = '\0';
            int num = 0;
            if (it->raw_len > 0 || (t != CERTSLOT_TYPE_CERT && t != CERTSLOT_TYPE_KEY))
                r = certslot_param_check(it->param, it->raw, it->raw_len, &num, why, sizeof(why));
            if (r == 0 && memchr(it->raw, '\0', it->raw_len) != NULL) {
                snprintf(why, sizeof(why), "the value contains a NUL byte");
                r = CERTSLOT_ERR_VALUE;
            }
            if (r == 0) {
                it->text = malloc(it->raw_len + 1);
                if (it->text == NULL)
                    goto cleanup;
                memcpy(it->text, it->raw, it->raw_len + 1);
                it->text_len = it->raw_len;
                snprintf(it->summary, sizeof(it->summary), "%s",
                         it->raw_len == 0 ? "empty value" : certslot_param_is_secret(it->param) ? "<secret>"
                                                                                                  : it->text);
            }
        }
        if (r == 0 && it->text_len > CERTSLOT_CONFIG_MAX_VALUE) {
            snprintf(why, sizeof(why), "the value is longer than %u bytes", (unsigned)CERTSLOT_CONFIG_MAX_VALUE);
            r = CERTSLOT_ERR_LIMIT;
        }
        if (r != 0) {
            ret = refuse(config, it, why);
            goto cleanup;
        }
    }
    for (size_t k = 0; k < n; k++) {
        char why[CERTSLOT_WHY_LEN + 256];
        if (check_pair(items, n, k, &doc, why, sizeof(why)) != 0) {
            ret = refuse(config, &items[k], why);
            goto cleanup;
        }
    }

    int any_device = 0, gives_device_set = 0;
    for (size_t k = 0; k < n; k++) {
        plan_item(&ed, &doc, &items[k]);
        any_device |= certslot_param_is_device(items[k].param);
        gives_device_set |= items[k].param == CERTSLOT_P_DEVICE_SET;
    }
    if (any_device && !gives_device_set)
        plan_device_set(&ed, &doc);
    if (ed.nomem || (out = edits_apply(&ed, buf, len, &out_len)) == NULL) {
        fprintf(stderr, "certslot inject: out of memory; %s unchanged\n", config);
        goto cleanup;
    }
    /* The result must read back as well-formed XML; anything else is a bug here. */
    if (doc_parse(&check, out, out_len) != 0) {
        fprintf(stderr, "certslot inject: internal error: the result would not be well-formed (%s); %s unchanged\n",
                check.msg, config);
        doc_free(&check);
        goto cleanup;
    }
    doc_free(&check);
    int secret = 0;
    for (size_t k = 0; k < n; k++)
        secret |= certslot_param_is_secret(items[k].param) && items[k].text_len > 0;
    if (write_atomically(config, out, out_len, secret) != 0)
        goto cleanup;
    for (size_t k = 0; k < n; k++) {
        char canon[CERTSLOT_PARAM_NAME_MAX];
        certslot_param_name(items[k].param, canon, sizeof(canon));
        printf("%s: set %s: %s\n", config, canon, items[k].summary);
    }
    ret = EXIT_ACCEPT;

cleanup:
    for (size_t k = 0; k < n; k++) {
        wipe_free(items[k].raw, items[k].raw_len);
        wipe_free(items[k].text, items[k].text_len);
    }
    memset(items, 0, sizeof(items));
    edits_free(&ed);
    doc_free(&doc);
    wipe_free(out, out_len);
    wipe_free(buf, len);
    return ret;
}
