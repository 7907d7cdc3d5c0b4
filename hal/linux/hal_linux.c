/*
 * The HAL for the handset's Linux (see certslot/hal_linux.h).
 */

/* 64-bit off_t and time_t inside this file on 32-bit ARM (nothing of either
 * crosses the public interface): files over 2 GiB are measured, not
 * misread, and the clock survives 2038. */
#ifndef _FILE_OFFSET_BITS
#define _FILE_OFFSET_BITS 64
#endif
#ifndef _TIME_BITS
#define _TIME_BITS 64
#endif

#include "certslot/hal_linux.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 25))
#define HAVE_GETRANDOM 1
#include <sys/random.h>
#endif

#include "certslot/error.h"
#include "certslot/platform.h"
#include "certslot/text.h"

#define NAME_MAX_LEN 255

/* ---- small POSIX helpers ---- */

/* 0 for a plain file name the store may use, CERTSLOT_ERR_ARG otherwise. */
static int check_name(const char *name)
{
    if (name == NULL || name[0] == '\0' || name[0] == '.')
        return CERTSLOT_ERR_ARG;
    size_t n = strnlen(name, NAME_MAX_LEN + 1);
    if (n > NAME_MAX_LEN || memchr(name, '/', n) != NULL)
        return CERTSLOT_ERR_ARG;
    return 0;
}

static int errno_to_err(int e)
{
    return e == ENOENT ? CERTSLOT_ERR_NOT_FOUND : CERTSLOT_ERR_IO;
}

static int write_all(int fd, const unsigned char *data, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, data, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return CERTSLOT_ERR_IO;
        }
        if (n == 0)
            return CERTSLOT_ERR_IO;
        data += n;
        len -= (size_t)n;
    }
    return 0;
}

static int close_checked(int fd)
{
    /* Linux releases the descriptor even when close() fails with EINTR. */
    return close(fd) == 0 || errno == EINTR ? 0 : CERTSLOT_ERR_IO;
}

/* Reads a regular file of at most max bytes into a new NUL-terminated buffer. */
static int read_fd(int fd, size_t max, unsigned char **data, size_t *len)
{
    struct stat st;
    unsigned char *buf = NULL;
    size_t size, got = 0;
    int ret;

    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
        return CERTSLOT_ERR_IO;
    if (st.st_size < 0 || (uint64_t)st.st_size > (uint64_t)max)
        return CERTSLOT_ERR_LIMIT;
    size = (size_t)st.st_size;
    buf = certslot_calloc(1, size + 1);
    if (buf == NULL)
        return CERTSLOT_ERR_NOMEM;
    while (got < size) {
        ssize_t n = read(fd, buf + got, size - got);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            ret = CERTSLOT_ERR_IO;
            goto cleanup;
        }
        if (n == 0)
            break; /* the file shrank meanwhile: what is there is its content */
        got += (size_t)n;
    }
    *data = buf;
    *len = got;
    buf = NULL;
    ret = 0;

cleanup:
    if (buf != NULL) {
        certslot_zeroize(buf, size);
        certslot_free(buf);
    }
    return ret;
}

static int read_path(const char *path, size_t max, unsigned char **data, size_t *len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return errno_to_err(errno);
    int ret = read_fd(fd, max, data, len);
    close(fd);
    return ret;
}

static int fill_random(unsigned char *buf, size_t len)
{
#if defined(HAVE_GETRANDOM)
    size_t done = 0;
    while (done < len) {
        ssize_t n = getrandom(buf + done, len - done, 0);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno == ENOSYS)
                break; /* kernel older than 3.17: /dev/urandom below */
            return CERTSLOT_ERR_IO;
        }
        done += (size_t)n;
    }
    if (done == len)
        return 0;
#endif
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return CERTSLOT_ERR_IO;
    size_t got = 0;
    int ret = 0;
    while (got < len) {
        ssize_t n = read(fd, buf + got, len - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            ret = CERTSLOT_ERR_IO;
            break;
        }
        got += (size_t)n;
    }
    close(fd);
    return ret;
}

/* ---- log ---- */

static void hl_log(void *ctx, certslot_log_level_t level, const char *msg)
{
    certslot_hal_linux_t *h = ctx;
    char line[512];

    if (level < h->log_level || msg == NULL)
        return;
    /* One message is one line: control characters cannot forge others. */
    certslot_text_escape(line, sizeof(line), msg, strnlen(msg, sizeof(line)));
    if (h->log != NULL) {
        h->log(h->log_ctx, level, line);
        return;
    }
    FILE *f = h->log_file != NULL ? h->log_file : stderr;
    fprintf(f, "certslot: %s: %s\n", certslot_log_level_name(level), line);
    fflush(f);
}

/* Logs "what path" or "what path: detail". */
static void logf_(certslot_hal_linux_t *h, certslot_log_level_t level, const char *what, const char *path,
                  const char *detail)
{
    char msg[400];
    int n;
    /* A long path is cut short in the log; the line is still logged. */
    if (detail != NULL)
        n = snprintf(msg, sizeof(msg), "%s %s: %s", what, path, detail);
    else
        n = snprintf(msg, sizeof(msg), "%s %s", what, path);
    if (n >= 0)
        hl_log(h, level, msg);
}

/* ---- storage ---- */

static int hl_read(void *ctx, const char *name, unsigned char **data, size_t *len)
{
    certslot_hal_linux_t *h = ctx;
    int ret = check_name(name);
    if (ret != 0 || data == NULL || len == NULL)
        return CERTSLOT_ERR_ARG;
    int fd = openat(h->dir_fd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return errno_to_err(errno);
    ret = read_fd(fd, CERTSLOT_HAL_LINUX_MAX_OBJECT, data, len);
    close(fd);
    return ret;
}

static int hl_write(void *ctx, const char *name, const unsigned char *data, size_t len)
{
    certslot_hal_linux_t *h = ctx;
    if (check_name(name) != 0 || (data == NULL && len > 0))
        return CERTSLOT_ERR_ARG;
    int fd = openat(h->dir_fd, name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0)
        return CERTSLOT_ERR_IO;
    int ret = write_all(fd, data, len);
    int cret = close_checked(fd);
    return ret != 0 ? ret : cret;
}

static int hl_sync(void *ctx, const char *name)
{
    certslot_hal_linux_t *h = ctx;
    if (check_name(name) != 0)
        return CERTSLOT_ERR_ARG;
#if defined(CERTSLOT_TEST_BROKEN_FSYNC)
    /* A deliberately broken hal, for the power-cut test only (the Makefile builds it into
     * build/arm/system/powercut-broken and nothing else): the store's rename then comes before its data is
     * on the disk, the bug the test exists to catch. */
    return 0;
#endif
    int fd = openat(h->dir_fd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return errno_to_err(errno);
    int ret = fsync(fd) == 0 ? 0 : CERTSLOT_ERR_IO;
    close(fd);
    return ret;
}

static int hl_rename(void *ctx, const char *from, const char *to)
{
    certslot_hal_linux_t *h = ctx;
    if (check_name(from) != 0 || check_name(to) != 0)
        return CERTSLOT_ERR_ARG;
    if (renameat(h->dir_fd, from, h->dir_fd, to) != 0)
        return errno_to_err(errno);
    return 0;
}

static int hl_sync_dir(void *ctx)
{
    certslot_hal_linux_t *h = ctx;
    return fsync(h->dir_fd) == 0 ? 0 : CERTSLOT_ERR_IO;
}

static int hl_remove(void *ctx, const char *name)
{
    certslot_hal_linux_t *h = ctx;
    if (check_name(name) != 0)
        return CERTSLOT_ERR_ARG;
    if (unlinkat(h->dir_fd, name, 0) != 0 && errno != ENOENT)
        return CERTSLOT_ERR_IO;
    return 0;
}

/* ---- entropy, clock, identity ---- */

static int hl_random(void *ctx, unsigned char *buf, size_t len)
{
    (void)ctx;
    if (buf == NULL && len > 0)
        return CERTSLOT_ERR_ARG;
    return fill_random(buf, len);
}

int certslot_hal_linux_check_time(int64_t now)
{
    return now >= CERTSLOT_HAL_LINUX_CLOCK_FLOOR ? 0 : CERTSLOT_ERR_CLOCK;
}

static int hl_time(void *ctx, int64_t *now)
{
    (void)ctx;
    if (now == NULL)
        return CERTSLOT_ERR_ARG;
    time_t t = time(NULL);
    if (t == (time_t)-1)
        return CERTSLOT_ERR_CLOCK;
    int ret = certslot_hal_linux_check_time((int64_t)t);
    if (ret == 0)
        *now = (int64_t)t;
    return ret;
}

static int hl_mac(void *ctx, char mac[13])
{
    certslot_hal_linux_t *h = ctx;
    memcpy(mac, h->mac, 13);
    return 0;
}

static int hl_device_secret(void *ctx, unsigned char secret[CERTSLOT_DEVICE_SECRET_LEN])
{
    certslot_hal_linux_t *h = ctx;
    memcpy(secret, h->secret, CERTSLOT_DEVICE_SECRET_LEN);
    return 0;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int certslot_hal_linux_parse_mac(const char *text, char mac[13])
{
    static const char hex[] = "0123456789abcdef";
    char out[13];
    size_t n = 0, i = 0;

    if (text == NULL || mac == NULL)
        return CERTSLOT_ERR_ARG;
    /* Trailing white space: sysfs ends the address with a newline. */
    size_t len = strlen(text);
    while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == ' ' || text[len - 1] == '\r'))
        len--;
    int sep = len == 17 ? text[2] : 0;
    if (len != 12 && !(len == 17 && (sep == ':' || sep == '-')))
        return CERTSLOT_ERR_ARG;
    while (i < len) {
        if (sep != 0 && n > 0 && n % 2 == 0) {
            if (text[i] != sep)
                return CERTSLOT_ERR_ARG;
            i++;
        }
        int v = hexval(text[i++]);
        if (v < 0)
            return CERTSLOT_ERR_ARG;
        out[n++] = hex[v];
    }
    if (n != 12)
        return CERTSLOT_ERR_ARG;
    out[12] = '\0';
    memcpy(mac, out, 13);
    return 0;
}

static int read_sysfs_mac(certslot_hal_linux_t *h, const char *iface, char mac[13])
{
    char path[128];
    unsigned char *text = NULL;
    size_t len = 0;
    int ret;

    if (iface[0] == '\0' || iface[0] == '.' || strchr(iface, '/') != NULL || strlen(iface) > 15)
        return CERTSLOT_ERR_ARG;
    snprintf(path, sizeof(path), "/sys/class/net/%s/address", iface);
    /* sysfs reports a size of 4096 whatever the content. */
    ret = read_path(path, 4096, &text, &len);
    if (ret == CERTSLOT_ERR_NOT_FOUND)
        logf_(h, CERTSLOT_LOG_ERROR, "no MAC address for interface", iface, NULL);
    if (ret != 0)
        return ret;
    ret = certslot_hal_linux_parse_mac((const char *)text, mac);
    if (ret != 0) {
        logf_(h, CERTSLOT_LOG_ERROR, "unreadable MAC address in", path, NULL);
        ret = CERTSLOT_ERR_IO;
    }
    certslot_free(text);
    return ret;
}

/* ---- factory device certificate ---- */

/* The files as the factory stored them: the store stage decodes and checks them. */
static int hl_factory_device(void *ctx, unsigned char **cert, size_t *cert_len, unsigned char **key, size_t *key_len)
{
    certslot_hal_linux_t *h = ctx;
    int ret;

    if (h->factory_cert_path == NULL || h->factory_key_path == NULL)
        return CERTSLOT_ERR_NOT_FOUND;
    ret = read_path(h->factory_cert_path, CERTSLOT_HAL_LINUX_MAX_FACTORY_FILE, cert, cert_len);
    if (ret != 0) {
        logf_(h, CERTSLOT_LOG_ERROR, "cannot read factory certificate", h->factory_cert_path, certslot_strerror(ret));
        return ret;
    }
    ret = read_path(h->factory_key_path, CERTSLOT_HAL_LINUX_MAX_FACTORY_FILE, key, key_len);
    if (ret != 0) {
        logf_(h, CERTSLOT_LOG_ERROR, "cannot read factory key", h->factory_key_path, certslot_strerror(ret));
        certslot_free(*cert);
        *cert = NULL;
    }
    return ret;
}

static int hl_files_write(void *ctx, const char *dir, const certslot_file_t *files, size_t n, char *why,
                          size_t why_size)
{
    (void)ctx;
    return certslot_hal_linux_write_files(dir, files, n, CERTSLOT_HAL_LINUX_MKDIR, why, why_size);
}

/* ---- device secret file ---- */

/* 0: made; 1: another process made one meanwhile (it wins); or an error. */
static int create_secret(certslot_hal_linux_t *h, const char *path)
{
    char why[512];
    int ret = fill_random(h->secret, sizeof(h->secret));

    if (ret == 0)
        ret = certslot_hal_linux_write_file(path, h->secret, sizeof(h->secret), 0600, CERTSLOT_HAL_LINUX_NEW, why,
                                            sizeof(why));
    if (ret == CERTSLOT_ERR_EXISTS)
        ret = 1;
    else if (ret == 0)
        logf_(h, CERTSLOT_LOG_INFO, "created device secret", path, NULL);
    else
        logf_(h, CERTSLOT_LOG_ERROR, "cannot create device secret:", why, NULL);
    if (ret != 0)
        certslot_zeroize(h->secret, sizeof(h->secret));
    return ret;
}

/* Reads the secret at path; a missing one is made only with create and for an empty storage directory. */
static int load_secret(certslot_hal_linux_t *h, const char *path, int create, int has_objects)
{
    unsigned char *data = NULL;
    size_t len = 0;
    int ret;

    for (int attempt = 0; attempt < 2; attempt++) {
        int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0) {
            if (errno != ENOENT) {
                logf_(h, CERTSLOT_LOG_ERROR, "cannot open device secret", path, strerror(errno));
                return CERTSLOT_ERR_IO;
            }
            if (has_objects) {
                /* A new secret could not open the store that is there: never make one silently. */
                logf_(h, CERTSLOT_LOG_ERROR, "device secret is missing:", path,
                      "the storage directory holds a store, which only its own secret opens");
                return CERTSLOT_ERR_SECRET;
            }
            if (!create)
                return CERTSLOT_ERR_NOT_FOUND;
            ret = create_secret(h, path);
            if (ret <= 0)
                return ret;
            continue; /* lost the race to another process: read its file */
        }
        ret = read_fd(fd, 4096, &data, &len);
        close(fd);
        if (ret == CERTSLOT_ERR_LIMIT || (ret == 0 && len != CERTSLOT_DEVICE_SECRET_LEN)) {
            logf_(h, CERTSLOT_LOG_ERROR, "device secret is not 32 bytes:", path, NULL);
            ret = CERTSLOT_ERR_CORRUPT;
        }
        if (ret == 0)
            memcpy(h->secret, data, CERTSLOT_DEVICE_SECRET_LEN);
        if (data != NULL) {
            certslot_zeroize(data, len);
            certslot_free(data);
        }
        return ret;
    }
    return CERTSLOT_ERR_IO;
}

/* ---- anti-rollback counter file ---- */

#define COUNTER_MAGIC "CSLTCNTR"
#define COUNTER_LEN 16 /* magic, then the value as 8 bytes big endian */

static int hl_counter_read(void *ctx, uint64_t *value)
{
    certslot_hal_linux_t *h = ctx;
    unsigned char *data = NULL;
    size_t len = 0;
    int ret = read_path(h->counter_path, 4096, &data, &len);

    if (ret == CERTSLOT_ERR_NOT_FOUND) {
        *value = 0; /* never advanced */
        return 0;
    }
    if (ret == 0 && (len != COUNTER_LEN || memcmp(data, COUNTER_MAGIC, 8) != 0)) {
        logf_(h, CERTSLOT_LOG_ERROR, "anti-rollback counter file is damaged:", h->counter_path, NULL);
        ret = CERTSLOT_ERR_CORRUPT;
    } else if (ret != 0) {
        logf_(h, CERTSLOT_LOG_ERROR, "cannot read anti-rollback counter", h->counter_path, certslot_strerror(ret));
    } else {
        *value = 0;
        for (int i = 8; i < COUNTER_LEN; i++)
            *value = *value << 8 | data[i];
    }
    certslot_free(data);
    return ret;
}

/* Replaces the counter file atomically; never lowers it. */
static int hl_counter_advance(void *ctx, uint64_t value)
{
    certslot_hal_linux_t *h = ctx;
    unsigned char data[COUNTER_LEN];
    char why[512];
    uint64_t now;
    int ret = hl_counter_read(ctx, &now);

    if (ret != 0 || value <= now)
        return ret;
    memcpy(data, COUNTER_MAGIC, 8);
    for (int i = 0; i < 8; i++)
        data[8 + i] = (unsigned char)(value >> (56 - 8 * i));
    ret = certslot_hal_linux_write_file(h->counter_path, data, sizeof(data), 0600, 0, why, sizeof(why));
    if (ret != 0)
        logf_(h, CERTSLOT_LOG_ERROR, "cannot write anti-rollback counter:", why, NULL);
    return ret;
}

/* ---- init / free ---- */

/* 1 when the storage directory holds an object (a name the store may use), else 0. */
static int storage_has_objects(int dir_fd)
{
    int fd = dup(dir_fd), found = 0;
    DIR *d = fd >= 0 ? fdopendir(fd) : NULL;

    if (d == NULL) {
        if (fd >= 0)
            close(fd);
        return 1; /* cannot tell: never make a secret then */
    }
    for (struct dirent *e; !found && (e = readdir(d)) != NULL;)
        found = check_name(e->d_name) == 0;
    closedir(d);
    return found;
}

void certslot_hal_linux_init(certslot_hal_linux_t *h)
{
    memset(h, 0, sizeof(*h));
}

int certslot_hal_linux_open(certslot_hal_linux_t *h, certslot_hal_t *hal, const certslot_hal_linux_options_t *opt)
{
    struct stat st;
    int ret;

    if (h == NULL || hal == NULL || opt == NULL || opt->storage_dir == NULL || opt->storage_dir[0] == '\0' ||
        opt->secret_path == NULL || opt->secret_path[0] == '\0' || strlen(opt->secret_path) >= 4000 ||
        (opt->counter_path != NULL && (opt->counter_path[0] == '\0' || strlen(opt->counter_path) >= 4000)))
        return CERTSLOT_ERR_ARG;
    memset(h, 0, sizeof(*h));
    h->log = opt->log;
    h->log_ctx = opt->log_ctx;
    h->log_file = opt->log_file;
    h->log_level = opt->log_level;

    if (opt->mac != NULL)
        ret = certslot_hal_linux_parse_mac(opt->mac, h->mac);
    else
        ret = read_sysfs_mac(h, opt->iface != NULL ? opt->iface : "wlan0", h->mac);
    if (ret != 0)
        goto cleanup;

    if (!opt->create) {
        /* Nothing is created for a read-only user. */
    } else if (mkdir(opt->storage_dir, 0700) == 0) {
        logf_(h, CERTSLOT_LOG_INFO, "created storage directory", opt->storage_dir, NULL);
    } else if (errno != EEXIST) {
        logf_(h, CERTSLOT_LOG_ERROR, "cannot create storage directory", opt->storage_dir, strerror(errno));
        ret = CERTSLOT_ERR_IO;
        goto cleanup;
    }
    h->dir_fd = open(opt->storage_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (h->dir_fd < 0) {
        int e = errno;
        logf_(h, CERTSLOT_LOG_ERROR, e == ENOENT ? "no storage directory" : "cannot open storage directory",
              opt->storage_dir, e == ENOENT ? NULL : strerror(e));
        h->dir_fd = 0;
        ret = e == ENOENT ? CERTSLOT_ERR_NOT_FOUND : CERTSLOT_ERR_IO;
        goto cleanup;
    }
    h->dir_open = 1;
    if (fstat(h->dir_fd, &st) == 0 && (st.st_mode & 077) != 0)
        logf_(h, CERTSLOT_LOG_WARNING, "storage directory is readable by others:", opt->storage_dir, NULL);

    ret = load_secret(h, opt->secret_path, opt->create, storage_has_objects(h->dir_fd));
    if (ret != 0)
        goto cleanup;
    if (opt->counter_path != NULL &&
        (h->counter_path = certslot_strndup(opt->counter_path, strlen(opt->counter_path))) == NULL) {
        ret = CERTSLOT_ERR_NOMEM;
        goto cleanup;
    }

    if (opt->factory_cert_path != NULL && opt->factory_key_path != NULL) {
        h->factory_cert_path = certslot_strndup(opt->factory_cert_path, strlen(opt->factory_cert_path));
        h->factory_key_path = certslot_strndup(opt->factory_key_path, strlen(opt->factory_key_path));
        if (h->factory_cert_path == NULL || h->factory_key_path == NULL) {
            ret = CERTSLOT_ERR_NOMEM;
            goto cleanup;
        }
    }

    memset(hal, 0, sizeof(*hal));
    hal->ctx = h;
    hal->storage_read = hl_read;
    hal->storage_write = hl_write;
    hal->storage_sync = hl_sync;
    hal->storage_rename = hl_rename;
    hal->storage_sync_dir = hl_sync_dir;
    hal->storage_remove = hl_remove;
    hal->random = hl_random;
    hal->time = hl_time;
    hal->mac = hl_mac;
    hal->device_secret = hl_device_secret;
    hal->factory_device = hl_factory_device;
    hal->files_write = hl_files_write;
    hal->log = hl_log;
    if (h->counter_path != NULL) {
        hal->counter_read = hl_counter_read;
        hal->counter_advance = hl_counter_advance;
    }
    ret = 0;

cleanup:
    if (ret != 0)
        certslot_hal_linux_free(h);
    return ret;
}

void certslot_hal_linux_free(certslot_hal_linux_t *h)
{
    if (h == NULL)
        return;
    if (h->dir_open)
        close(h->dir_fd);
    certslot_free(h->counter_path);
    certslot_free(h->factory_cert_path);
    certslot_free(h->factory_key_path);
    certslot_zeroize(h, sizeof(*h));
}
