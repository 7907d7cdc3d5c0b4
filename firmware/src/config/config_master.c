/*
 * The master file (000000000000.cfg or <mac>.cfg) and the files its
 * CONFIG_FILES names, from a directory or through a fetch callback: the
 * same precedence, [mac] substitution, path refusal and optional files
 * wherever the files come from. From a directory, only regular files inside
 * it are read.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "certslot/config.h"
#include "certslot/error.h"
#include "certslot/platform.h"
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

/* out = dir + "/" + name; CERTSLOT_ERR_LIMIT when it does not fit. */
static int join_path(char *out, size_t size, const char *dir, size_t dir_len, const char *name)
{
    size_t n = strlen(name);

    if (dir_len + 1 + n + 1 > size)
        return CERTSLOT_ERR_LIMIT;
    memcpy(out, dir, dir_len);
    out[dir_len] = '/';
    memcpy(out + dir_len + 1, name, n + 1);
    return 0;
}

/*
 * Parses one file named by the master-file machinery: the master itself
 * (master = 1) or a CONFIG_FILES entry. CERTSLOT_ERR_NOT_FOUND, with no
 * diagnostic, when there is no such file.
 */
typedef int (*load_fn)(certslot_config_t *cfg, const char *name, int master, parse_t *ps, void *ctx);

typedef struct {
    const char *dir;
    size_t dir_len;
    char real[PATH_MAX]; /* the directory with every symbolic link resolved */
} dir_ctx_t;

/* Refuses a file found in the directory: an error at the file, nothing read. */
static int refuse_file(certslot_config_t *cfg, const char *path, const char *why)
{
    uint16_t rank;
    if (cs_config_add_file(cfg, path, &rank) != 0)
        rank = UINT16_MAX;
    cs_config_diag(cfg, CERTSLOT_ERROR, rank, 0, 0, -1, -1, "refused: %s; nothing in it applies", why);
    return CERTSLOT_ERR_VALUE;
}

/*
 * Only regular files inside the master file's directory are read: a FIFO
 * would block the parser for ever, a device or a directory is not a config
 * file, and a symbolic link may point anywhere (one pointing inside is fine).
 */
static int load_from_dir(certslot_config_t *cfg, const char *name, int master, parse_t *ps, void *ctx)
{
    const dir_ctx_t *d = ctx;
    char full[1024], real[PATH_MAX];
    struct stat st;

    if (join_path(full, sizeof(full), d->dir, d->dir_len, name) != 0)
        return CERTSLOT_ERR_LIMIT;
    if (lstat(full, &st) != 0 && errno == ENOENT)
        return CERTSLOT_ERR_NOT_FOUND;
    if (realpath(full, real) == NULL)
        return refuse_file(cfg, full, errno == ENOENT ? "a symbolic link to nothing" : "cannot be resolved");
    size_t n = strlen(d->real);
    if (!(strncmp(real, d->real, n) == 0 && (real[n] == '/' || (n == 1 && d->real[0] == '/'))))
        return refuse_file(cfg, full, "it leads outside the master file's directory (a symbolic link)");
    if (stat(real, &st) != 0 || !S_ISREG(st.st_mode))
        return refuse_file(cfg, full, "not a regular file (a FIFO, a device or a directory)");
    return cs_config_parse_path(cfg, full, master, ps);
}

typedef struct {
    certslot_config_fetch_fn fetch;
    void *ctx;
} fetch_ctx_t;

static int load_fetched(certslot_config_t *cfg, const char *name, int master, parse_t *ps, void *ctx)
{
    const fetch_ctx_t *f = ctx;
    char *data = NULL;
    size_t len = 0;
    int ret = f->fetch(f->ctx, name, &data, &len);

    if (ret == CERTSLOT_ERR_NOT_FOUND)
        return ret;
    if (ret != 0) {
        uint16_t rank;
        cfg->io_error = 1;
        if (cs_config_add_file(cfg, name, &rank) != 0)
            rank = UINT16_MAX;
        cs_config_diag(cfg, CERTSLOT_ERROR, rank, 0, 0, -1, -1, "cannot fetch: %s", certslot_strerror(ret));
        return CERTSLOT_ERR_IO;
    }
    ret = cs_config_parse_buffer(cfg, name, data, len, master, ps);
    certslot_zeroize(data, len);
    certslot_free(data);
    return ret;
}

/* The master file (master_name, or <mac>.cfg / 000000000000.cfg), then its CONFIG_FILES. */
static int load_master(certslot_config_t *cfg, const char *master_name, load_fn load, void *ctx)
{
    char name[256], mac_name[20];
    parse_t ps;
    int ret, worst = 0;

    ps.config_files = NULL;
    if (master_name != NULL) {
        ret = load(cfg, master_name, 1, &ps, ctx);
    } else {
        snprintf(mac_name, sizeof(mac_name), "%s.cfg", cfg->mac);
        ret = load(cfg, mac_name, 1, &ps, ctx);
        if (ret == CERTSLOT_ERR_NOT_FOUND)
            ret = load(cfg, MASTER_NAME, 1, &ps, ctx);
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
    if (ret != 0) {
        certslot_free(ps.config_files);
        return ret;
    }
    const char *list = ps.config_files;
    if (list == NULL || list[strspn(list, " \t\n\r,")] == '\0') {
        cs_config_diag(cfg, CERTSLOT_WARNING, ps.rank, 1, 1, -1, -1, "master file names no CONFIG_FILES");
        certslot_free(ps.config_files);
        return 0;
    }
    certslot_where_t where = ps.config_files_where;
    uint16_t master_rank = ps.rank;
    for (const char *c = list; *c != '\0';) {
        const char *t;
        size_t len;
        c += strspn(c, " \t\n\r,");
        t = c;
        len = strcspn(c, ",");
        c += len;
        while (len > 0 && cs_config_space(t[len - 1]))
            len--;
        if (len == 0)
            continue;
        if (certslot_text_has_ctl(t, len)) {
            /* A CR LF would end the FTP command the name goes into and smuggle another. */
            cs_config_diag(cfg, CERTSLOT_ERROR, master_rank, where.line, where.col, -1, -1,
                           "CONFIG_FILES entry '%.*s' refused: it contains a control character; nothing is fetched "
                           "for it",
                           (int)(len > 80 ? 80 : len), t);
            worst = worst != 0 ? worst : CERTSLOT_ERR_VALUE;
            continue;
        }
        if (expand_name(cfg->mac, t, len, name, sizeof(name)) != 0) {
            cs_config_diag(cfg, CERTSLOT_ERROR, master_rank, where.line, where.col, -1, -1,
                 "CONFIG_FILES entry '%.*s' refused: only relative paths inside the master file's directory",
                 (int)(len > 80 ? 80 : len), t);
            worst = worst != 0 ? worst : CERTSLOT_ERR_VALUE;
            continue;
        }
        parse_t file_ps;
        ret = load(cfg, name, 0, &file_ps, ctx);
        if (ret == CERTSLOT_ERR_NOT_FOUND) {
            /* Per-handset files such as [mac]-ext.cfg are optional. */
            cs_config_diag(cfg, CERTSLOT_WARNING, master_rank, where.line, where.col, -1, -1,
                 "CONFIG_FILES names '%s', which does not exist; skipped", name);
            continue;
        }
        if (ret == CERTSLOT_ERR_IO || worst == 0)
            worst = ret;
    }
    certslot_free(ps.config_files);
    return worst;
}

int certslot_config_load_master(certslot_config_t *cfg, const char *path)
{
    struct stat st;
    dir_ctx_t d;
    const char *master = NULL;
    char dir[1024];

    d.dir = path;
    d.dir_len = strlen(path);
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
        while (d.dir_len > 1 && path[d.dir_len - 1] == '/')
            d.dir_len--;
    } else {
        const char *slash = strrchr(path, '/');
        d.dir = slash != NULL ? path : ".";
        d.dir_len = slash == path ? 1 : slash != NULL ? (size_t)(slash - path) : 1;
        master = slash != NULL ? slash + 1 : path;
    }
    if (d.dir_len >= sizeof(dir))
        return CERTSLOT_ERR_LIMIT;
    memcpy(dir, d.dir, d.dir_len);
    dir[d.dir_len] = '\0';
    if (realpath(dir, d.real) == NULL) {
        uint16_t rank;
        cfg->io_error = 1;
        if (cs_config_add_file(cfg, path, &rank) != 0)
            rank = UINT16_MAX;
        cs_config_diag(cfg, CERTSLOT_ERROR, rank, 0, 0, -1, -1, "cannot read: %s", strerror(errno));
        return CERTSLOT_ERR_IO;
    }
    return load_master(cfg, master, load_from_dir, &d);
}

int certslot_config_load_master_from(certslot_config_t *cfg, certslot_config_fetch_fn fetch, void *ctx)
{
    fetch_ctx_t f = {fetch, ctx};
    return load_master(cfg, NULL, load_fetched, &f);
}

