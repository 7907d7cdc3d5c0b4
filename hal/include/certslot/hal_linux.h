/**
 * @file
 * The HAL for the handset's Linux: storage as files in one directory, entropy
 * from getrandom() (or /dev/urandom), the clock from time(), identity from
 * sysfs and files.
 *
 * Storage: every object is a regular file directly inside the storage
 * directory. Names are plain file names: not empty, at most 255 bytes, no
 * '/', and not starting with '.' (such names are refused with
 * CERTSLOT_ERR_ARG; hidden files of the directory, like the default device
 * secret file, are therefore out of the store's reach). Objects are written
 * with mode 0600, symbolic links are not followed, and reads are refused with
 * CERTSLOT_ERR_LIMIT above CERTSLOT_HAL_LINUX_MAX_OBJECT bytes. The
 * durability rules are those of hal.h, given by fsync(2) of the file and of
 * the directory.
 *
 * Clock: Linux does not say whether its clock was ever set, so a time before
 * CERTSLOT_HAL_LINUX_CLOCK_FLOOR (2020-01-01T00:00:00Z) is taken as "not yet
 * synchronised" (CERTSLOT_ERR_CLOCK): the typical RTC-less boot at 1970. A
 * plausible but wrong RTC time is not detected.
 *
 * Device secret: a 32-byte file made once from the entropy source, at a
 * path the integrator sets apart from the storage directory (whoever can
 * write the store's directory must not be able to swap in a secret of their
 * own). On a handset: a root-only file on a partition the store is not on,
 * or better, no file at all: a device_secret function that derives the
 * secret from OTP, eFuse or a TEE (replace the one this hal fills in). A
 * missing secret is made only for an empty storage directory: never for a
 * store that exists, which the new secret could not open.
 *
 * Anti-rollback counter: optionally a file, again apart from the storage
 * directory (counter_path), holding the store's generation, replaced
 * atomically. It is only as strong as that file's protection; a handset
 * with RPMB, OTP bits or a TEE counter should fill counter_read and
 * counter_advance with those instead.
 */
#ifndef CERTSLOT_HAL_LINUX_H
#define CERTSLOT_HAL_LINUX_H

#include <stdint.h>
#include <stdio.h>

#include "certslot/hal.h"
#include "certslot/source.h"

/** Largest object storage_read accepts. */
#ifndef CERTSLOT_HAL_LINUX_MAX_OBJECT
#define CERTSLOT_HAL_LINUX_MAX_OBJECT (16u * 1024u * 1024u)
#endif

/** Most files one certslot_hal_linux_write_files call writes. */
#ifndef CERTSLOT_HAL_LINUX_MAX_FILES
#define CERTSLOT_HAL_LINUX_MAX_FILES 8
#endif

/** Largest factory certificate or key file accepted. */
#ifndef CERTSLOT_HAL_LINUX_MAX_FACTORY_FILE
#define CERTSLOT_HAL_LINUX_MAX_FACTORY_FILE (256u * 1024u)
#endif

/** 2020-01-01T00:00:00Z: earlier clock readings count as unsynchronised. */
#define CERTSLOT_HAL_LINUX_CLOCK_FLOOR 1577836800

/** Where log lines go, instead of a file (options.log). */
typedef void (*certslot_hal_linux_log_fn)(void *log_ctx, certslot_log_level_t level, const char *msg);

/** What certslot_hal_linux_open opens. */
typedef struct {
    /** Directory of the stored objects (required). */
    const char *storage_dir;
    /** File holding the 32-byte device secret (required; see above). */
    const char *secret_path;
    /** File of the anti-rollback counter; NULL: no counter. */
    const char *counter_path;
    /** 1: create storage_dir (mode 0700; its parent must exist) when missing,
     * and the device secret (mode 0600, atomically, never replacing a file
     * another process created meanwhile) when missing and storage_dir holds
     * no object. 0: both must exist (a read-only user: nothing is created). */
    int create;
    /** The MAC as text ("00:04:f2:a1:b2:c3", "00-04-F2-...", or 12 hex
     * digits); NULL: read from `/sys/class/net/<iface>/address`. */
    const char *mac;
    /** Interface whose MAC is read when mac is NULL; NULL: "wlan0". */
    const char *iface;
    /** Factory device certificate (optionally followed by its chain) and
     * private key (unencrypted), PEM or DER. Either NULL: factory_device
     * returns CERTSLOT_ERR_NOT_FOUND. Read at each factory_device call. */
    const char *factory_cert_path;
    const char *factory_key_path; /**< see factory_cert_path */
    /** Where log lines go: the callback when set, else log_file, else stderr,
     * as `"certslot: <level>: <message>"`. Lines below log_level are dropped. */
    certslot_hal_linux_log_fn log;
    void *log_ctx;                  /**< passed to log */
    FILE *log_file;                 /**< see log */
    certslot_log_level_t log_level; /**< see log */
} certslot_hal_linux_options_t;

/** The open hal/linux: what its functions work on (ctx of the certslot_hal_t it filled). */
typedef struct {
    int dir_fd;   /**< the storage directory */
    int dir_open; /**< dir_fd is valid (a zeroed object has no descriptor) */
    char mac[13]; /**< 12 lower-case hex digits */
    unsigned char secret[CERTSLOT_DEVICE_SECRET_LEN]; /**< the device secret (wiped by free) */
    char *counter_path;      /**< the options' counter_path, or NULL */
    char *factory_cert_path; /**< the options' factory_cert_path, or NULL */
    char *factory_key_path;  /**< the options' factory_key_path, or NULL */
    certslot_hal_linux_log_fn log;  /**< the options' log */
    void *log_ctx;                  /**< the options' log_ctx */
    FILE *log_file;                 /**< the options' log_file */
    certslot_log_level_t log_level; /**< the options' log_level */
} certslot_hal_linux_t;

/** An empty h, holding nothing. Cannot fail. */
void certslot_hal_linux_init(certslot_hal_linux_t *h);

/**
 * Opens (or, with create, creates) the storage directory and the device
 * secret, reads the MAC, and fills hal with functions whose ctx is h (the
 * counter functions only with counter_path). h must stay in place and
 * outlive every use of hal. On failure h holds nothing (free it anyway or
 * not) and hal is unchanged: CERTSLOT_ERR_ARG for missing or malformed
 * options, CERTSLOT_ERR_NOT_FOUND when the interface has no MAC, or (without
 * create) the storage directory or the secret does not exist,
 * CERTSLOT_ERR_SECRET when the secret is missing but the storage directory
 * holds objects, CERTSLOT_ERR_CORRUPT when the secret file is not 32 bytes,
 * CERTSLOT_ERR_IO otherwise. Each failure is also logged.
 */
int certslot_hal_linux_open(certslot_hal_linux_t *h, certslot_hal_t *hal, const certslot_hal_linux_options_t *opt);

/** Closes the directory and wipes the secret. Accepts a zeroed or freed h. */
void certslot_hal_linux_free(certslot_hal_linux_t *h);

/** The clock rule on its own: 0 for a reading at or after
 * CERTSLOT_HAL_LINUX_CLOCK_FLOOR, CERTSLOT_ERR_CLOCK before it. */
int certslot_hal_linux_check_time(int64_t now);

/** Normalises a MAC text (see options.mac) to 12 lower-case hex digits and a
 * NUL; CERTSLOT_ERR_ARG when it is not a MAC. */
int certslot_hal_linux_parse_mac(const char *text, char mac[13]);

/* ---- files outside the store (hal/linux/files.c) ---- */

/** Config files named by their paths (the tool's command line): any regular file. */
void certslot_hal_linux_config_files(certslot_source_t *src);

/** A directory of config files (certslot_hal_linux_config_dir). */
typedef struct {
    char dir[1024]; /**< its path */
} certslot_hal_linux_dir_t;

/**
 * Config files from a directory, for certslot_config_load_master: path is
 * the directory (`*master` = NULL: the config stage picks `<mac>.cfg` or
 * 000000000000.cfg) or a master file in it (`*master` points at its name in
 * path). Only regular files inside that directory are read: no FIFO, device
 * or directory, no symbolic link that leads out of it (each refused as a
 * config error at that file); files are named `"<dir>/<name>"` in
 * diagnostics. d must outlive src. CERTSLOT_ERR_LIMIT for a path too long.
 */
int certslot_hal_linux_config_dir(certslot_hal_linux_dir_t *d, certslot_source_t *src, const char *path,
                                  const char **master);

/** Flags of the writers below. */
#define CERTSLOT_HAL_LINUX_NEW 1   /**< never replace a file: CERTSLOT_ERR_EXISTS */
#define CERTSLOT_HAL_LINUX_MKDIR 2 /**< make dir (mode 0700) when missing; removed again on failure */

/**
 * Writes n files (at most CERTSLOT_HAL_LINUX_MAX_FILES) into dir, all or
 * nothing as far as POSIX allows: each complete, with its mode and synced
 * under a temporary name in dir first, then renamed into place (linked,
 * with CERTSLOT_HAL_LINUX_NEW), then the directory synced; a file whose data
 * is NULL is removed. On failure no temporary remains; why says what failed
 * ("cannot write PATH: reason").
 */
int certslot_hal_linux_write_files(const char *dir, const certslot_file_t *files, size_t n, int flags, char *why,
                                   size_t why_size);

/** One file at path, the same way. */
int certslot_hal_linux_write_file(const char *path, const void *data, size_t len, unsigned mode, int flags,
                                  char *why, size_t why_size);

#endif
