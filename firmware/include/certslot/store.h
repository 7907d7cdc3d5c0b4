/**
 * @file
 * The certificate store: two platform and six application slots, each with
 * a CA part (one or more trusted CA certificates) and a device part (device
 * certificate, its chain, and its private key), persisted through the hal.
 * Stage 3 of the flow (README, "Architecture"; folder firmware/src/store/):
 *
 *   config text -> config -> settings -> store -> profile -> TLS -> port
 *
 * It keeps slots, the settings of the last configuration (an opaque binary
 * record), the update protocol and the anti-rollback rule; it never reads a
 * parameter. The factory device certificate is decoded here too.
 *
 * Invariants:
 * - A change that fails changes nothing: a refused certificate leaves its
 *   slot exactly as it was, in memory and on storage.
 * - Storage holds the whole store in one file, encrypted and authenticated
 *   (AES-256-GCM under a key derived from the hal's device secret), so no
 *   private key byte is ever stored in clear and any corruption is detected.
 * - An update is power-cut safe: after a cut at any storage operation, the
 *   store opens as exactly the old or exactly the new contents, and an update
 *   that returned 0 is durable. The previous version is kept; a corrupt,
 *   truncated or missing newest file is reported and the last good version is
 *   used — unless the hal's anti-rollback counter says a newer one was
 *   written: then the store is refused as a rollback.
 * - Slot contents are DER. Keys are wiped from memory when freed.
 *
 * Slot names everywhere: platform1, platform2, application1..application6;
 * kinds: ca, device.
 */
#ifndef CERTSLOT_STORE_H
#define CERTSLOT_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "certslot/csr.h"
#include "certslot/error.h"
#include "certslot/hal.h"
#include "certslot/options.h"
#include "certslot/settings.h"

#define CERTSLOT_SLOT_COUNT 8 /**< two platform and six application slots */

/** A slot. */
typedef enum {
    CERTSLOT_SLOT_PLATFORM1,
    CERTSLOT_SLOT_PLATFORM2,
    CERTSLOT_SLOT_APPLICATION1,
    CERTSLOT_SLOT_APPLICATION2,
    CERTSLOT_SLOT_APPLICATION3,
    CERTSLOT_SLOT_APPLICATION4,
    CERTSLOT_SLOT_APPLICATION5,
    CERTSLOT_SLOT_APPLICATION6
} certslot_slot_t;

/** A part of a slot. */
typedef enum {
    CERTSLOT_KIND_CA,    /**< the trusted CA certificates */
    CERTSLOT_KIND_DEVICE /**< the device certificate, its chain and its key */
} certslot_kind_t;

/** "platform1".."application6". */
const char *certslot_slot_name(certslot_slot_t slot);
/** "ca", "device". */
const char *certslot_kind_name(certslot_kind_t kind);
/** Parses "platform1".."application6" (any case); 0 or CERTSLOT_ERR_NOT_FOUND. */
int certslot_slot_parse(const char *name, certslot_slot_t *slot);
/** Parses "ca" or "device" (any case); 0 or CERTSLOT_ERR_NOT_FOUND. */
int certslot_kind_parse(const char *name, certslot_kind_t *kind);

/** DER bytes in memory the store owns. */
typedef struct {
    unsigned char *der; /**< the bytes, or NULL */
    size_t len;         /**< their length */
} certslot_blob_t;

/** One part of a slot. CA part: ncerts trusted CAs. Device part: certs[0] is
 * the device certificate, the rest its chain; key is its private key (DER).
 * A device part may hold only a key: a key generated for a CSR, waiting for
 * its certificate. */
typedef struct {
    unsigned ncerts;                                /**< certificates in certs */
    certslot_blob_t certs[CERTSLOT_STORE_MAX_CERTS]; /**< DER certificates */
    certslot_blob_t key;                             /**< device part: the private key (DER), or empty */
} certslot_part_t;

/** Wipes the key and frees; accepts a zeroed part. */
void certslot_part_free(certslot_part_t *p);

/**
 * The factory device certificate (certs[0]), its chain and its key, read
 * through hal->factory_device and decoded (PEM or DER) into out (zeroed, or
 * a part whose content is dropped): what CERTSLOT_DEVICE_BUILTIN presents. The key must be
 * unencrypted and match the certificate. CERTSLOT_ERR_NOT_FOUND when the
 * handset has none; CERTSLOT_ERR_CERT or CERTSLOT_ERR_KEY, or the hal's
 * error, with a one-line reason in why. Free out with certslot_part_free.
 */
int certslot_store_factory(const certslot_hal_t *hal, certslot_part_t *out, char *why, size_t why_size);

/** The store: every slot's parts and the settings, as loaded from and persisted through the hal. */
typedef struct {
    const certslot_hal_t *hal; /**< the hal it was opened with */
    uint64_t generation; /**< 0: never stored */
    unsigned files;      /**< store files found by open (0: none was ever written here) */
    int refused;         /**< open refused the store (CERTSLOT_ERR_ROLLBACK, _SECRET, ...): empty, and no change is made */
    certslot_part_t part[CERTSLOT_SLOT_COUNT][2]; /**< by slot, then by certslot_kind_t */
    /** The settings of the last configuration applied, so profiles survive a
     * reboot; the defaults until one is. */
    certslot_settings_t settings;
    int main_intact; /**< internal: the main store file is intact */
} certslot_store_t;


/**
 * Loads the store through hal. 0 when it loaded (or there was none yet);
 * when the newest version was damaged or missing and an older one was used,
 * still 0, with the fallback logged as a warning. CERTSLOT_ERR_CORRUPT when
 * versions exist but none is intact: the store is then empty and usable,
 * and the next change replaces the damaged files.
 *
 * Refused (st->refused set: the store is empty and every change returns
 * the same error, so nothing is trusted or overwritten):
 * - CERTSLOT_ERR_ROLLBACK: the hal has an anti-rollback counter and the
 *   newest intact version is older than it (an older copy was restored,
 *   the files were deleted or all damaged). Only
 *   certslot_store_accept_rollback() gets past it.
 * - CERTSLOT_ERR_SECRET: the files were written under another device secret.
 * - the hal's error when its counter cannot be read.
 */
int certslot_store_open(certslot_store_t *st, const certslot_hal_t *hal);

/**
 * An administrator's decision after CERTSLOT_ERR_ROLLBACK: opens the store
 * as certslot_store_open does, but keeps the newest intact version (or an
 * empty store) even if it is older than the counter, and writes it back as a
 * generation above the counter. res says what was accepted. Without a
 * counter, or when there was no rollback, it is certslot_store_open.
 */
int certslot_store_accept_rollback(certslot_store_t *st, const certslot_hal_t *hal, certslot_result_t *res);

/** Frees and wipes (keys, settings); accepts a zeroed or freed st. */
void certslot_store_free(certslot_store_t *st);

/**
 * Installs certificates (and for a device part, a private key) from values
 * in any encoding of cert.h. CA part: every certificate becomes a trusted CA
 * of the slot, replacing what it held. Device part: the first certificate is
 * the device certificate, the rest its chain; key_text may be NULL to keep
 * the slot's current key (it must match). Checks the security policy
 * (allow_weak relaxes it; each relaxation is logged), decodes everything,
 * then persists. On any error the slot is unchanged and res says why.
 */
int certslot_store_install(certslot_store_t *st, certslot_slot_t slot, certslot_kind_t kind,
                           const unsigned char *cert, size_t cert_len, const unsigned char *key, size_t key_len,
                           int allow_weak, certslot_result_t *res);

/** Empties a slot's CA or device part and persists. */
int certslot_store_clear(certslot_store_t *st, certslot_slot_t slot, certslot_kind_t kind, certslot_result_t *res);

/**
 * A change of several parts (and the settings), persisted as one update:
 * the config stage applies a configuration with one. Each part is checked
 * when it is put (the slot keeps what it had when that fails); commit writes
 * them all or none.
 */
typedef struct {
    certslot_store_t *st;                         /**< the store it changes */
    certslot_part_t next[CERTSLOT_SLOT_COUNT][2]; /**< the staged parts */
    uint8_t changed[CERTSLOT_SLOT_COUNT][2];      /**< 1: the part is staged */
    const certslot_settings_t *settings; /**< new settings; NULL: keep the store's */
} certslot_store_txn_t;

/** An empty transaction on st. Cannot fail. */
void certslot_store_txn_init(certslot_store_txn_t *t, certslot_store_t *st);

/**
 * Stages new content for a part, as certslot_store_install checks it
 * (cert NULL: keep the part's certificates; key NULL: keep its key). On error
 * (why says it; CERTSLOT_ERR_KEY when the key was at fault) nothing is staged
 * and the part keeps what it had.
 */
int certslot_store_txn_put(certslot_store_txn_t *t, certslot_slot_t slot, certslot_kind_t kind,
                           const unsigned char *cert, size_t cert_len, const unsigned char *key, size_t key_len,
                           int allow_weak, char *why, size_t why_size);

/** Stages emptying a part. */
int certslot_store_txn_empty(certslot_store_txn_t *t, certslot_slot_t slot, certslot_kind_t kind);

/** Stages settings (the caller keeps them alive until commit); staged only when they differ from the store's. */
void certslot_store_txn_settings(certslot_store_txn_t *t, const certslot_settings_t *settings);

/** Persists everything staged as one update (nothing when nothing was staged), then empties t. On error the
 * store is as it was. */
int certslot_store_txn_commit(certslot_store_txn_t *t);

/** Drops what is staged; accepts an empty or committed t. */
void certslot_store_txn_free(certslot_store_txn_t *t);

/**
 * Generates a key pair on the handset (RSA 2048, randomness from hal->random
 * through a CTR_DRBG) and a SHA-256 CSR for subject (CN required; O, email,
 * C, ST optional). The key goes into slot's device part, which then holds "a
 * private key awaiting its certificate" (persisted, encrypted like every
 * store change); installing the signed certificate later with
 * certslot_store_install (certificate only) completes the slot. A device
 * part that holds a certificate is refused (CERTSLOT_ERR_CERT) unless
 * replace is 1: its certificate and key are then dropped. On success
 * *csr_pem (NUL-terminated, *csr_len bytes) is a new buffer from
 * certslot_calloc for the caller to upload as `<MAC>.csr` and free. On error
 * the slot is unchanged and res says why.
 */
int certslot_store_csr(certslot_store_t *st, certslot_slot_t slot, const certslot_csr_subject_t *subject,
                       int replace, char **csr_pem, size_t *csr_len, certslot_result_t *res);

#endif
