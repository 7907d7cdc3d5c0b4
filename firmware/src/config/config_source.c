/*
 * Config files through a certslot_source_t: one file read in chunks (an
 * encrypted one read whole, bounded, then authenticated), and the master
 * file (000000000000.cfg or <mac>.cfg) with the files its CONFIG_FILES
 * names: the same precedence, [mac] substitution and path refusal wherever
 * the files come from. No file-system call here: the source makes them.
 */
#include <stdio.h>
#include <string.h>

#include "certslot/cfgcrypt.h"
#include "certslot/config.h"
#include "certslot/error.h"
#include "certslot/platform.h"
#include "certslot/source.h"
#include "certslot/text.h"
#include "config_internal.h"
#include "core/internal.h"

/* Replaces [mac] and [PHONE_MAC_ADDRESS] in name; 0, or an error for a name we refuse. */
static int expand_name(const char *mac, const char *name, size_t len, char *out, size_t size)
{
    size_t o = 0;

    for (size_t i = 0; i < len;) {
        const char *rep = NULL;
        size_t skip = 0;
        if (name[i] == '[' && i + 5 <= len && cs_ncase_equal(name + i, "[mac]", 5))
            rep = mac, skip = 5;
        else if (name[i] == '[' && i + 19 <= len && cs_ncase_equal(name + i, "[PHONE_MAC_ADDRESS]", 19))
            rep = mac, skip = 19;
        if (rep != NULL) {
            if (o + 12 >= size)
                return CERTSLOT_ERR_LIMIT;
            memcpy(out + o, rep, 12);
            o += 12;
            i += skip;
        } else {
            if (o + 1 >= size)
                return CERTSLOT_ERR_LIMIT;
            out[o++] = name[i++];
        }
    }
    out[o] = '\0';
    /* Only plain relative paths inside the master's directory. */
    if (o == 0 || out[0] == '/' || strchr(out, '\\') != NULL)
        return CERTSLOT_ERR_ARG;
    for (const char *c = out; c != NULL; c = strchr(c, '/')) {
        if (*c == '/')
            c++;
        if (c[0] == '.' && c[1] == '.' && (c[2] == '/' || c[2] == '\0'))
            return CERTSLOT_ERR_ARG;
    }
    return 0;
}

typedef struct {
    const certslot_source_t *src;
    void *file;
} reader_t;

/* Fills buf (up to size bytes) unless the file ends first: *n bytes, *end at the end. */
static int fill(reader_t *r, char *buf, size_t size, size_t *n, int *end)
{
    *n = 0;
    *end = 0;
    while (*n < size) {
        size_t got = 0;
        int ret = r->src->read(r->src->ctx, r->file, buf + *n, size - *n, &got);
        if (ret != 0)
            return ret;
        if (got == 0) {
            *end = 1;
            break;
        }
        *n += got;
    }
    return 0;
}

static void read_failed(parse_t *ps, int err)
{
    if (err == CERTSLOT_ERR_IO)
        ps->cfg->io_error = 1;
    cs_config_reject(ps, err, err == CERTSLOT_ERR_IO ? "read error" : certslot_strerror(err));
}

/* The rest of an encrypted file whose first n bytes are in head, bounded, then decrypted and parsed. */
static void read_encrypted(parse_t *ps, reader_t *r, const char *head, size_t n, int end)
{
    size_t max = CERTSLOT_CFGCRYPT_MAX_ENCODED(CERTSLOT_CONFIG_MAX_FILE), cap = 4 * READ_CHUNK, len = n;
    char *all = certslot_calloc(1, cap);
    int ret = 0;

    if (all != NULL)
        memcpy(all, head, n);
    while (all != NULL && !end && len <= max && ret == 0) {
        if (len == cap) {
            size_t ncap = cap > max / 2 ? max + 1 : cap * 2;
            char *grown = certslot_calloc(1, ncap);
            if (grown != NULL)
                memcpy(grown, all, len);
            certslot_free(all); /* ciphertext: nothing secret */
            all = grown;
            cap = ncap;
            continue;
        }
        size_t got;
        ret = fill(r, all + len, cap - len, &got, &end);
        len += got;
    }
    if (all == NULL)
        cs_config_reject(ps, CERTSLOT_ERR_NOMEM, "out of memory");
    else if (ret != 0)
        read_failed(ps, ret);
    else
        cs_config_encrypted(ps, all, len);
    certslot_free(all);
}

/* Read straight into expat's buffer: the text is held once, not also in a buffer of ours. */
static void read_plain(parse_t *ps, reader_t *r)
{
    int end = 0, ret;

    while (!end && ps->fatal == 0) {
        char *buf = cs_config_room(ps, READ_CHUNK);
        size_t n;
        if (buf == NULL)
            return;
        ret = fill(r, buf, READ_CHUNK, &n, &end);
        if (ret != 0) {
            read_failed(ps, ret);
        } else if (ps->bytes == 0 && certslot_cfgcrypt_detect(buf, n)) {
            read_encrypted(ps, r, buf, n, end);
            break;
        } else {
            cs_config_chunk(ps, NULL, n, end);
        }
    }
}

/* Registers a file that could not be opened, with the reason. */
static void open_failed(certslot_config_t *cfg, const char *shown, int err, const char *why)
{
    uint16_t rank;

    if (err == CERTSLOT_ERR_IO)
        cfg->io_error = 1;
    if (cs_config_add_file(cfg, shown, &rank) != 0)
        rank = UINT16_MAX;
    cs_config_diag(cfg, CERTSLOT_ERROR, rank, 0, 0, -1, -1, "%s", why[0] != '\0' ? why : certslot_strerror(err));
}

/*
 * Opens name through src and parses it (master = 1: as a master file). When
 * there is no such file: CERTSLOT_ERR_NOT_FOUND with no diagnostic when
 * missing_ok, else an error at the file.
 */
static int parse_source(certslot_config_t *cfg, const certslot_source_t *src, const char *name, int master,
                        int missing_ok, parse_t *ps)
{
    char shown[1024], why[CERTSLOT_CONFIG_DIAG_LEN] = "";
    reader_t r = {src, NULL};
    int ret;

    if (src->label != NULL)
        snprintf(shown, sizeof(shown), "%s/%s", src->label, name);
    else
        snprintf(shown, sizeof(shown), "%s", name);
    ps->config_files = NULL;
    ret = src->open(src->ctx, name, &r.file, why, sizeof(why));
    if (ret == CERTSLOT_ERR_NOT_FOUND && missing_ok)
        return ret;
    if (ret != 0) {
        open_failed(cfg, shown, ret == CERTSLOT_ERR_NOT_FOUND ? CERTSLOT_ERR_IO : ret, why);
        return ret == CERTSLOT_ERR_NOT_FOUND ? CERTSLOT_ERR_IO : ret;
    }
    ret = cs_config_begin(ps, cfg, shown, master);
    if (ret == 0) {
        read_plain(ps, &r);
        ret = cs_config_end(ps);
    }
    src->close(src->ctx, r.file);
    return ret;
}

/* One CONFIG_FILES entry (t, len bytes), reported at the attribute (rank, w): 0 or the error it adds. */
static int load_listed(certslot_config_t *cfg, const certslot_source_t *src, const char *t, size_t len,
                       uint16_t rank, const certslot_where_t *w)
{
    char name[256];
    parse_t ps;

    if (certslot_text_has_ctl(t, len)) {
        /* A CR LF would end the FTP command the name goes into and smuggle another. */
        cs_config_diag(cfg, CERTSLOT_ERROR, rank, w->line, w->col, -1, -1,
                       "CONFIG_FILES entry '%.*s' refused: it contains a control character; nothing is fetched for it",
                       (int)(len > 80 ? 80 : len), t);
        return CERTSLOT_ERR_VALUE;
    }
    if (expand_name(cfg->mac, t, len, name, sizeof(name)) != 0) {
        cs_config_diag(cfg, CERTSLOT_ERROR, rank, w->line, w->col, -1, -1,
                       "CONFIG_FILES entry '%.*s' refused: only relative paths inside the master file's directory",
                       (int)(len > 80 ? 80 : len), t);
        return CERTSLOT_ERR_VALUE;
    }
    int ret = parse_source(cfg, src, name, 0, 1, &ps);
    if (ret == CERTSLOT_ERR_NOT_FOUND) {
        /* Per-handset files such as [mac]-ext.cfg are optional. */
        cs_config_diag(cfg, CERTSLOT_WARNING, rank, w->line, w->col, -1, -1,
                       "CONFIG_FILES names '%s', which does not exist; skipped", name);
        return 0;
    }
    return ret;
}

/* The master file (master_name, or <mac>.cfg / 000000000000.cfg), then its CONFIG_FILES. */
static int load_master(certslot_config_t *cfg, const certslot_source_t *src, const char *master_name)
{
    char mac_name[20];
    parse_t ps;
    int ret, worst = 0;

    if (master_name != NULL) {
        ret = parse_source(cfg, src, master_name, 1, 1, &ps);
    } else {
        snprintf(mac_name, sizeof(mac_name), "%s.cfg", cfg->mac);
        ret = parse_source(cfg, src, mac_name, 1, 1, &ps);
        if (ret == CERTSLOT_ERR_NOT_FOUND)
            ret = parse_source(cfg, src, MASTER_NAME, 1, 1, &ps);
    }
    if (ret == CERTSLOT_ERR_NOT_FOUND) {
        cfg->io_error = 1;
        if (master_name != NULL)
            cs_config_diag(cfg, CERTSLOT_ERROR, UINT16_MAX, 0, 0, -1, -1, "cannot read master file '%s': no such file",
                           master_name);
        else
            cs_config_diag(cfg, CERTSLOT_ERROR, UINT16_MAX, 0, 0, -1, -1, "no master file (%s.cfg or %s)", cfg->mac,
                           MASTER_NAME);
        return CERTSLOT_ERR_IO;
    }
    const char *list = ps.config_files;
    if (ret == 0 && (list == NULL || list[strspn(list, " \t\n\r,")] == '\0'))
        cs_config_diag(cfg, CERTSLOT_WARNING, ps.rank, 1, 1, -1, -1, "master file names no CONFIG_FILES");
    for (const char *c = list; ret == 0 && c != NULL && *c != '\0';) {
        c += strspn(c, " \t\n\r,");
        const char *t = c;
        size_t len = strcspn(c, ",");
        c += len;
        while (len > 0 && cs_config_space(t[len - 1]))
            len--;
        int one = len > 0 ? load_listed(cfg, src, t, len, ps.rank, &ps.config_files_where) : 0;
        if (one == CERTSLOT_ERR_IO || (worst == 0 && one != 0))
            worst = one;
    }
    certslot_free(ps.config_files);
    return ret != 0 ? ret : worst;
}

int certslot_config_parse(certslot_config_t *cfg, const certslot_source_t *src, const char *name)
{
    parse_t ps;
    return parse_source(cfg, src, name, 0, 0, &ps);
}

int certslot_config_load_master(certslot_config_t *cfg, const certslot_source_t *src, const char *master)
{
    return load_master(cfg, src, master);
}
