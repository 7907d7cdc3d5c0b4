/**
 * @file
 * What certslot needs from the handset, as one small table of functions:
 * every stage reaches storage, entropy, the clock and identity only through
 * it (README, "Architecture" and "Porting"; folders hal/linux/, hal/sim/).
 *
 * A port fills a certslot_hal_t (hal/linux does it for the handset's Linux,
 * hal/sim for tests) and hands it to the store. Every function returns 0 or a
 * negative CERTSLOT_ERR_* code. Nothing here knows TLS or config files.
 *
 * Storage is a flat namespace of small named objects ("files") with POSIX
 * durability rules: data written is durable only after storage_sync() of that
 * name; a name created, renamed or removed is durable only after
 * storage_sync_dir(). The store builds its power-cut-safe update on exactly
 * these guarantees and assumes nothing more.
 */
#ifndef CERTSLOT_HAL_H
#define CERTSLOT_HAL_H

#include <stddef.h>
#include <stdint.h>

/** The level of a log line. */
typedef enum {
    CERTSLOT_LOG_DEBUG,   /**< detail for a developer */
    CERTSLOT_LOG_INFO,    /**< what happened */
    CERTSLOT_LOG_WARNING, /**< something an administrator should look at */
    CERTSLOT_LOG_ERROR    /**< something failed */
} certslot_log_level_t;

/** "debug", "info", "warning", "error": how log lines name their level. */
const char *certslot_log_level_name(certslot_log_level_t level);

/** Bytes of the device secret (device_secret). */
#define CERTSLOT_DEVICE_SECRET_LEN 32

/** One file of files_write: a plain name (no '/', not starting with '.'), its bytes and mode. */
typedef struct {
    const char *name; /**< the file's name */
    const void *data; /**< its bytes; NULL: the file is removed */
    size_t len;       /**< their length */
    unsigned mode;    /**< its permission bits (0600, 0644) */
} certslot_file_t;

/** The platform: the functions a port fills in (README, "Porting"), each given ctx. */
typedef struct certslot_hal {
    void *ctx; /**< passed to every function */

    /** Reads the whole object into a new buffer from certslot_calloc (caller frees).
     * CERTSLOT_ERR_NOT_FOUND when there is no such object. */
    int (*storage_read)(void *ctx, const char *name, unsigned char **data, size_t *len);
    /** Creates or truncates the object and writes data (not durable yet). */
    int (*storage_write)(void *ctx, const char *name, const unsigned char *data, size_t len);
    /** Makes the object's data durable (fsync). */
    int (*storage_sync)(void *ctx, const char *name);
    /** Atomically gives object `from` the name `to`, replacing any `to`. */
    int (*storage_rename)(void *ctx, const char *from, const char *to);
    /** Makes every create, rename and remove so far durable (fsync of the directory). */
    int (*storage_sync_dir)(void *ctx);
    /** Removes the object; no error when it does not exist. */
    int (*storage_remove)(void *ctx, const char *name);

    /** Fills buf with len bytes from a cryptographically secure source. */
    int (*random)(void *ctx, unsigned char *buf, size_t len);

    /** Current UTC time in seconds since 1970; CERTSLOT_ERR_CLOCK while the
     * handset has not yet synchronised its clock (no NTP answer yet). */
    int (*time)(void *ctx, int64_t *now);

    /** The handset's MAC as 12 lower-case hex digits and a NUL. */
    int (*mac)(void *ctx, char mac[13]);
    /** A per-handset secret that never leaves the device (OTP, eFuse, TEE)
     * and is kept apart from the store's storage: the store derives its
     * encryption key from it. */
    int (*device_secret)(void *ctx, unsigned char secret[CERTSLOT_DEVICE_SECRET_LEN]);
    /** The factory-installed (built-in) device certificate, optionally
     * followed by its issuing chain, and its unencrypted private key, as the
     * factory stored them (PEM or DER: the store stage decodes and checks
     * them), in new buffers from certslot_calloc. The caller wipes and frees
     * the key. CERTSLOT_ERR_NOT_FOUND when the handset has none. */
    int (*factory_device)(void *ctx, unsigned char **cert, size_t *cert_len, unsigned char **key, size_t *key_len);

    /** One line for the handset's log. Never given secrets. */
    void (*log)(void *ctx, certslot_log_level_t level, const char *msg);

    /**
     * Optional (both NULL when the handset has none): an anti-rollback
     * counter, a number that never decreases and that whoever can write the
     * store's storage cannot reset (RPMB, OTP bits, a TEE's monotonic
     * counter). counter_read gives 0 before the first advance;
     * counter_advance(value) raises it to value (never lowers it) and is
     * durable when it returns 0. The store keeps it at the generation of the
     * last update and refuses an older one.
     */
    int (*counter_read)(void *ctx, uint64_t *value);
    /** See counter_read. */
    int (*counter_advance)(void *ctx, uint64_t value);

    /**
     * Optional (NULL: no exports): writes files for another program of the
     * handset (wpa_supplicant's certificates and network block) into the
     * directory dir, made (mode 0700) when missing. All or nothing: every
     * file complete and synced under a temporary name before the first is
     * renamed into place; a file whose data is NULL is removed. A one-line
     * reason in why on failure.
     */
    int (*files_write)(void *ctx, const char *dir, const certslot_file_t *files, size_t n, char *why,
                       size_t why_size);
} certslot_hal_t;

#endif
