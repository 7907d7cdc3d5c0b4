/*
 * Files outside the store, for the handset's Linux (see certslot/hal_linux.h):
 * config files read through a certslot_source_t, and files written
 * atomically for other programs (wpa_supplicant) and for the tool.
 */
#ifndef _FILE_OFFSET_BITS
#define _FILE_OFFSET_BITS 64
#endif

#include "certslot/hal_linux.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "certslot/error.h"
#include "certslot/platform.h"

/* ---- reading config files ---- */

/* Puts a reason in why (when there is room) and returns err. */
#if defined(__GNUC__)
__attribute__((format(printf, 4, 5)))
#endif
static int say(char *why, size_t size, int err, const char *fmt, ...)
{
    va_list ap;

    if (size > 0) {
        va_start(ap, fmt);
        vsnprintf(why, size, fmt, ap);
        va_end(ap);
    }
    return err;
}

/* Opens path for reading if it is a regular file: never blocks on a FIFO, never reads a device. */
static int open_regular(const char *path, void **file, char *why, size_t size)
{
    struct stat st;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);

    if (fd < 0)
        return say(why, size, errno == ENOENT ? CERTSLOT_ERR_NOT_FOUND : CERTSLOT_ERR_IO, "cannot read: %s",
                   strerror(errno));
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return say(why, size, CERTSLOT_ERR_VALUE, "refused: %s; nothing in it applies",
                   "not a regular file (a FIFO, a device or a directory)");
    }
    (void)fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    *file = (void *)(intptr_t)fd;
    return 0;
}

static int fd_read(void *ctx, void *file, char *buf, size_t size, size_t *got)
{
    (void)ctx;
    for (;;) {
        ssize_t n = read((int)(intptr_t)file, buf, size);
        if (n >= 0) {
            *got = (size_t)n;
            return 0;
        }
        if (errno != EINTR)
            return CERTSLOT_ERR_IO;
    }
}

static void fd_close(void *ctx, void *file)
{
    (void)ctx;
    close((int)(intptr_t)file);
}

static int path_open(void *ctx, const char *name, void **file, char *why, size_t size)
{
    (void)ctx;
    return open_regular(name, file, why, size);
}

void certslot_hal_linux_config_files(certslot_source_t *src)
{
    memset(src, 0, sizeof(*src));
    src->open = path_open;
    src->read = fd_read;
    src->close = fd_close;
}

/*
 * Only regular files inside the directory: a FIFO would block the parser
 * for ever, a device or a directory is not a config file, and a symbolic
 * link may point anywhere (one that stays inside is fine).
 */
static int dir_open(void *ctx, const char *name, void **file, char *why, size_t size)
{
    const certslot_hal_linux_dir_t *d = ctx;
    char full[PATH_MAX], real[PATH_MAX], root[PATH_MAX];
    struct stat st;

    if (snprintf(full, sizeof(full), "%s/%s", d->dir, name) >= (int)sizeof(full))
        return say(why, size, CERTSLOT_ERR_LIMIT, "cannot read: the path is too long");
    if (lstat(full, &st) != 0 && errno == ENOENT)
        return say(why, size, CERTSLOT_ERR_NOT_FOUND, "cannot read: %s", strerror(ENOENT));
    if (realpath(d->dir, root) == NULL)
        return say(why, size, CERTSLOT_ERR_IO, "cannot read: %s", strerror(errno));
    if (realpath(full, real) == NULL)
        return say(why, size, CERTSLOT_ERR_VALUE, "refused: %s; nothing in it applies",
                   errno == ENOENT ? "a symbolic link to nothing" : "cannot be resolved");
    size_t n = strlen(root);
    if (!(strncmp(real, root, n) == 0 && (real[n] == '/' || (n == 1 && root[0] == '/'))))
        return say(why, size, CERTSLOT_ERR_VALUE, "refused: %s; nothing in it applies",
                   "it leads outside the master file's directory (a symbolic link)");
    return open_regular(real, file, why, size);
}

int certslot_hal_linux_config_dir(certslot_hal_linux_dir_t *d, certslot_source_t *src, const char *path,
                                  const char **master)
{
    struct stat st;
    size_t len = strlen(path);
    const char *slash = strrchr(path, '/');

    *master = NULL;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
        while (len > 1 && path[len - 1] == '/')
            len--;
    } else {
        *master = slash != NULL ? slash + 1 : path;
        len = slash == NULL ? 0 : slash == path ? 1 : (size_t)(slash - path);
    }
    if (len >= sizeof(d->dir))
        return CERTSLOT_ERR_LIMIT;
    memcpy(d->dir, len > 0 ? path : ".", len > 0 ? len : 1);
    d->dir[len > 0 ? len : 1] = '\0';
    memset(src, 0, sizeof(*src));
    src->open = dir_open;
    src->read = fd_read;
    src->close = fd_close;
    src->ctx = d;
    src->label = d->dir;
    return 0;
}

/* ---- writing files ---- */

static int write_all(int fd, const unsigned char *data, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, data, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return CERTSLOT_ERR_IO;
        data += n;
        len -= (size_t)n;
    }
    return 0;
}

/* tmp = dir/.name.XXXXXX, complete, with its mode, synced and closed; tmp is "" when nothing was made. */
static int write_temp(const char *dir, const certslot_file_t *f, char *tmp, size_t tmp_size, char *why, size_t size)
{
    int fd = -1;

    if (snprintf(tmp, tmp_size, "%s/.%s.XXXXXX", dir, f->name) < (int)tmp_size)
        fd = mkstemp(tmp); /* mode 0600 until it is complete */
    else
        errno = ENAMETOOLONG;
    if (fd < 0) {
        tmp[0] = '\0';
        return say(why, size, CERTSLOT_ERR_IO, "cannot create a file in %s: %s", dir, strerror(errno));
    }
    int ok = write_all(fd, f->data, f->len) == 0 && fchmod(fd, (mode_t)f->mode) == 0 && fsync(fd) == 0;
    int e = errno;
    if (close(fd) != 0 && ok) {
        ok = 0;
        e = errno;
    }
    return ok ? 0 : say(why, size, CERTSLOT_ERR_IO, "cannot write %s: %s", tmp, strerror(e));
}

/* Puts tmp in place of path: never replacing with CERTSLOT_HAL_LINUX_NEW. */
static int put_in_place(const char *tmp, const char *path, int flags, char *why, size_t size)
{
    if (flags & CERTSLOT_HAL_LINUX_NEW) {
        if (link(tmp, path) == 0)
            return 0;
        if (errno == EEXIST)
            return say(why, size, CERTSLOT_ERR_EXISTS, "cannot create %s: %s", path,
                       "it exists (refusing to overwrite)");
        /* A file system without hard links: rename, which replaces, but atomically. */
    }
    if (rename(tmp, path) != 0)
        return say(why, size, CERTSLOT_ERR_IO, "cannot write %s: %s", path, strerror(errno));
    return 0;
}

static int sync_dir(const char *dir, char *why, size_t size)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    int ok = fd >= 0 && fsync(fd) == 0;

    int e = errno;

    if (fd >= 0)
        close(fd);
    return ok ? 0 : say(why, size, CERTSLOT_ERR_IO, "cannot sync %s: %s", dir, strerror(e));
}

int certslot_hal_linux_write_files(const char *dir, const certslot_file_t *files, size_t n, int flags, char *why,
                                   size_t why_size)
{
    char tmp[CERTSLOT_HAL_LINUX_MAX_FILES][PATH_MAX], path[PATH_MAX];
    int ret = 0, created = 0;

    if (why_size > 0)
        why[0] = '\0';
    if (n > CERTSLOT_HAL_LINUX_MAX_FILES)
        return CERTSLOT_ERR_ARG;
    for (size_t i = 0; i < n; i++) {
        tmp[i][0] = '\0';
        const char *name = files[i].name;
        if (name[0] == '\0' || strcmp(name, ".") == 0 || strcmp(name, "..") == 0 || strchr(name, '/') != NULL)
            return say(why, why_size, CERTSLOT_ERR_ARG, "cannot write %s/%s: not a plain file name", dir,
                       files[i].name);
    }
    if ((flags & CERTSLOT_HAL_LINUX_MKDIR) && mkdir(dir, 0700) == 0)
        created = 1;
    else if ((flags & CERTSLOT_HAL_LINUX_MKDIR) && errno != EEXIST)
        return say(why, why_size, CERTSLOT_ERR_IO, "cannot create %s: %s", dir, strerror(errno));
    /* Every file complete and synced under a temporary name first: an error here changes nothing. */
    for (size_t i = 0; i < n && ret == 0; i++)
        if (files[i].data != NULL)
            ret = write_temp(dir, &files[i], tmp[i], sizeof(tmp[i]), why, why_size);
    for (size_t i = 0; i < n && ret == 0; i++) {
        snprintf(path, sizeof(path), "%s/%s", dir, files[i].name);
        if (files[i].data != NULL) {
            ret = put_in_place(tmp[i], path, flags, why, why_size);
        } else if (unlink(path) != 0 && errno != ENOENT) {
            ret = say(why, why_size, CERTSLOT_ERR_IO, "cannot remove %s: %s", path, strerror(errno));
        }
    }
    if (ret == 0)
        ret = sync_dir(dir, why, why_size);
    for (size_t i = 0; i < n; i++)
        if (tmp[i][0] != '\0')
            (void)unlink(tmp[i]); /* gone after a rename; the spare name after a link */
    if (ret != 0 && created)
        (void)rmdir(dir); /* only when still empty */
    return ret;
}

int certslot_hal_linux_write_file(const char *path, const void *data, size_t len, unsigned mode, int flags,
                                  char *why, size_t why_size)
{
    char dir[PATH_MAX];
    const char *slash = strrchr(path, '/');
    size_t n = slash == NULL ? 0 : slash == path ? 1 : (size_t)(slash - path);
    certslot_file_t f = {slash != NULL ? slash + 1 : path, data, len, mode};

    if (n >= sizeof(dir))
        return say(why, why_size, CERTSLOT_ERR_LIMIT, "cannot write %s: %s", path, "the path is too long");
    memcpy(dir, n > 0 ? path : ".", n > 0 ? n : 1);
    dir[n > 0 ? n : 1] = '\0';
    return certslot_hal_linux_write_files(dir, &f, 1, flags, why, why_size);
}
