/*
 * A simulated handset for tests: the whole HAL in RAM, deterministic, with
 * power cuts.
 *
 * Storage models the POSIX durability of hal.h, no kinder than real flash.
 * Objects are inodes; the directory maps names to inodes in two versions:
 * the volatile directory (what operations see now) and the durable directory
 * (what a power cut leaves). Each inode has volatile content and durable
 * content.
 *   storage_write    new name: a new inode (durable content empty) and a
 *                    volatile directory entry; existing name: replaces that
 *                    inode's volatile content (truncate + write).
 *   storage_sync     the named inode's durable content := its volatile content.
 *   storage_rename   volatile directory only (replaces any entry "to").
 *   storage_remove   volatile directory only.
 *   storage_sync_dir durable directory := volatile directory.
 * Names follow hal_linux's rule (not empty, at most 255 bytes, no '/', not
 * starting with '.'): others are refused with CERTSLOT_ERR_ARG, uncounted.
 *
 * Power cut: with cut_at = N (> 0), the N-th mutating storage call after
 * power-on (write, sync, rename, sync_dir or remove, whatever its outcome;
 * counted in ops) does not happen, except that a cut write puts the first half
 * of its data into the volatile content (a torn write). That call and every
 * later storage call, reads included, return CERTSLOT_ERR_POWER until
 * certslot_hal_sim_power_cycle().
 *
 * Reboot (certslot_hal_sim_power_cycle): the volatile directory becomes the
 * durable directory; an inode whose volatile content differs from its durable
 * content (written, not synced) gets its durable content, or, with
 * torn_unsynced set, the first half of its volatile content (neither old nor
 * new: what a half-flushed page cache leaves); inodes no directory refers to
 * are freed. So unsynced data never survives whole, a created or renamed name
 * without sync_dir is gone, and a removed name without sync_dir is back.
 *
 * The rest: random is a SHA-256 counter-mode stream from seed; time is now,
 * or CERTSLOT_ERR_CLOCK while clock_synced is 0; device_secret is
 * SHA-256("certslot-sim-secret" || mac); factory_device is a certificate for
 * the MAC (CN = the 12 hex digits, O = "certslot Simulated Vendor", EC P-256,
 * clientAuth) issued by "certslot Simulated Vendor Root CA", both made with
 * mbedTLS on first use from fixed seeds: the same MAC gives byte-identical
 * DER in every run. Log lines are kept (the last CERTSLOT_HAL_SIM_LOG_LINES)
 * and echoed to stderr when the environment has CERTSLOT_SIM_LOG=1.
 *
 * All memory comes from certslot_calloc; only mbedTLS's own working memory
 * comes from its allocator.
 */
#ifndef CERTSLOT_HAL_SIM_H
#define CERTSLOT_HAL_SIM_H

#include <stddef.h>
#include <stdint.h>

#include "certslot/hal.h"

#define CERTSLOT_HAL_SIM_LOG_LINES 64
#define CERTSLOT_HAL_SIM_LOG_LINE_MAX 256
#define CERTSLOT_HAL_SIM_NAME_MAX 255

/* The MAC used when init is given NULL (the demo handset). */
#define CERTSLOT_HAL_SIM_DEFAULT_MAC "0004f2a1b2c3"
/* The clock at init: 2024-01-01T00:00:00Z, synchronised. */
#define CERTSLOT_HAL_SIM_DEFAULT_NOW 1704067200

struct certslot_sim_inode;
struct certslot_sim_dirent;
struct certslot_sim_export;

typedef struct {
    /* ---- set by tests ---- */
    unsigned long cut_at;  /* 0: never; N: cut the N-th mutating storage call */
    int torn_unsynced;     /* power_cycle keeps the first half of unsynced content */
    uint64_t seed;         /* random stream seed (0 at init) */
    int64_t now;           /* what time returns */
    int clock_synced;      /* 0: time returns CERTSLOT_ERR_CLOCK */
    int no_factory_device; /* 1: factory_device returns CERTSLOT_ERR_NOT_FOUND */
    int factory_fails;     /* 1: factory_device returns CERTSLOT_ERR_IO (a damaged factory partition) */
    uint64_t counter;      /* the anti-rollback counter (certslot_hal_sim_use_counter) */
    int counter_fails;     /* 1: counter_read and counter_advance fail with CERTSLOT_ERR_IO */

    /* ---- read by tests ---- */
    unsigned long ops;   /* mutating storage calls since power-on */
    int power_off;       /* a cut happened; storage fails until power_cycle */
    unsigned long reads; /* storage_read calls since power-on */

    /* ---- private ---- */
    char mac[13];
    uint64_t rnd_block;
    struct certslot_sim_inode *inodes;
    struct certslot_sim_dirent *vdir, *ddir;
    size_t nvdir, nddir, capvdir, capddir;
    unsigned char *ca_der, *cert_der, *key_der;
    size_t ca_len, cert_len, key_len;
    char log_lines[CERTSLOT_HAL_SIM_LOG_LINES][CERTSLOT_HAL_SIM_LOG_LINE_MAX];
    size_t log_next, log_count;
    struct certslot_sim_export *exports;
} certslot_hal_sim_t;

/*
 * Fills sim (empty storage, seed 0, clock synchronised at
 * CERTSLOT_HAL_SIM_DEFAULT_NOW, power on, MAC CERTSLOT_HAL_SIM_DEFAULT_MAC)
 * and hal (ctx = sim). Cannot fail.
 */
void certslot_hal_sim_init(certslot_hal_sim_t *sim, certslot_hal_t *hal);

/* Another MAC, as in hal_linux's options ("00:04:f2:a1:b2:c3" or 12 hex digits), before anything is made for
 * it. CERTSLOT_ERR_ARG for a malformed MAC (nothing changes). */
int certslot_hal_sim_set_mac(certslot_hal_sim_t *sim, const char *mac);

/*
 * Gives hal an anti-rollback counter (hal.h), off by default: sim->counter,
 * durable at once and kept across power cycles, like RPMB. counter_advance is
 * a mutating storage call for the power cut (cut, it does not happen).
 */
void certslot_hal_sim_use_counter(certslot_hal_sim_t *sim, certslot_hal_t *hal);

/* Frees everything (wiping the factory key). Accepts a zeroed or freed sim. */
void certslot_hal_sim_free(certslot_hal_sim_t *sim);

/* The reboot described above; also powers on, sets ops = 0 and cut_at = 0.
 * CERTSLOT_ERR_NOMEM leaves the storage as it was. */
int certslot_hal_sim_power_cycle(certslot_hal_sim_t *sim);

/* Current (volatile) content of name, owned by the sim, valid until the next
 * storage change. Counts no operation and works while the power is off.
 * *data is never NULL on success. CERTSLOT_ERR_NOT_FOUND when absent. */
int certslot_hal_sim_file(certslot_hal_sim_t *sim, const char *name, const unsigned char **data, size_t *len);

/* Flips bits (data[offset] ^= xor) in both the volatile and the durable
 * content of name, where that offset exists. CERTSLOT_ERR_ARG when it exists
 * in neither. */
int certslot_hal_sim_corrupt(certslot_hal_sim_t *sim, const char *name, size_t offset, unsigned char xor_mask);

/* Cuts both contents of name to at most len bytes. */
int certslot_hal_sim_truncate(certslot_hal_sim_t *sim, const char *name, size_t len);

/* Names of the volatile directory, sorted by bytes: count, and name i. */
size_t certslot_hal_sim_count(const certslot_hal_sim_t *sim);
const char *certslot_hal_sim_name(const certslot_hal_sim_t *sim, size_t i);

/* A file files_write exported for another program (in memory, apart from
 * the storage), by its path "dir/name": content (owned by the sim, valid
 * until the next files_write), length and mode. CERTSLOT_ERR_NOT_FOUND when
 * there is none. */
int certslot_hal_sim_exported(const certslot_hal_sim_t *sim, const char *path, const unsigned char **data,
                              size_t *len, unsigned *mode);

/* The vendor CA certificate (DER, owned by the sim), made on first use. */
int certslot_hal_sim_vendor_ca(certslot_hal_sim_t *sim, const unsigned char **der, size_t *len);

/* 1 when a kept log line contains text, else 0. */
int certslot_hal_sim_log_contains(const certslot_hal_sim_t *sim, const char *text);

/* Forgets the kept log lines. */
void certslot_hal_sim_log_clear(certslot_hal_sim_t *sim);

#endif
