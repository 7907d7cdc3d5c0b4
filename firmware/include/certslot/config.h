/**
 * @file
 * The handset's XML configuration files, parsed into settings. Stage 1 of
 * the flow (README, "Architecture"; folder firmware/src/config/):
 *
 *   config text -> config -> settings -> store -> profile -> TLS -> port
 *
 * It reads files through a certslot_source_t (source.h), gives the later
 * stages a certslot_settings_t (certslot_config_settings) and the store the
 * configured slot values as one transaction (certslot_config_apply). Only
 * the config stage, the provisioning flow that drives it and the tool
 * include this header.
 *
 * Every attribute of every element is a parameter (see param.h). Files are
 * parsed in precedence order, highest first: a file parsed earlier overrides
 * one parsed later, and inside one file the last occurrence wins. That is the
 * CONFIG_FILES rule "files on the left override files on their right".
 *
 * Invariants:
 * - A file that is not well-formed XML, uses a DTD or entities, or exceeds
 *   CERTSLOT_CONFIG_MAX_FILE changes nothing: it is rejected whole.
 * - A bad value is an error for that parameter only; the parameter keeps the
 *   value it would have had without that occurrence.
 * - device.* parameters apply only when device.set = 1 and their own
 *   ".set" companion = 1; certslot_config_finish() applies that gate.
 * - Certificate and key values are kept as text; the store decodes them.
 * - A file that starts with the cfgcrypt.h header is decrypted first, with the
 *   key certslot_config_set_key() supplied or the one the configuration
 *   itself set in a file parsed earlier (see certslot_config_set_key). One
 *   that cannot be decrypted is rejected whole, like XML that is not well
 *   formed; the size limit applies to the decrypted text. A master file is
 *   never encrypted: an encrypted one is refused.
 *
 * Use: certslot_config_init(), then any of the parse/load functions, then
 * certslot_config_finish(), then the getters; certslot_config_free() always.
 */
#ifndef CERTSLOT_CONFIG_H
#define CERTSLOT_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "certslot/cfgcrypt.h"
#include "certslot/options.h"
#include "certslot/param.h"
#include "certslot/source.h"
#include "certslot/settings.h"
#include "certslot/store.h"

/** How bad a diagnostic is: an error refuses the value (or the file), a warning and a note do not. */
typedef enum {
    CERTSLOT_NOTE,    /**< for information */
    CERTSLOT_WARNING, /**< applied, but probably not what was meant */
    CERTSLOT_ERROR    /**< refused */
} certslot_severity_t;

/** One diagnostic, located at file:line:col (1-based; 0 when not in a file). */
typedef struct {
    const char *file;             /**< the file's name, or NULL */
    const char *msg;        /**< one line, control bytes escaped (at most CERTSLOT_CONFIG_DIAG_LEN - 1 bytes) */
    uint32_t line;                /**< 1-based line */
    uint32_t col;                 /**< 1-based column */
    certslot_severity_t severity; /**< note, warning or error */
    certslot_param_t param; /**< -1 when it is not about a parameter */
    certslot_param_t gate; /**< internal: the error is void if this param's gate is closed */
    uint16_t file_rank; /**< internal: the file's place in parse order */
    uint8_t rejects_file;   /**< this error rejected its file whole (nothing of it applies) */
} certslot_diag_t;

/** Where a value came from. */
typedef struct {
    const char *file; /**< the file's name */
    uint32_t line;    /**< 1-based line */
    uint32_t col;     /**< 1-based column */
} certslot_where_t;

/** One parameter's value as the configuration gives it (certslot_config_t.v). */
typedef struct {
    char *text;     /**< NULL: not given */
    size_t len;     /**< bytes of text */
    int num;        /**< BOOL / ENUM / INDEX value */
    certslot_where_t where; /**< where the value came from */
    uint16_t rank;  /**< file that set it */
    uint8_t given;  /**< a valid value was given */
    uint8_t set;    /**< device params: value of ".set" (when set_given) */
    uint8_t set_given; /**< device params: a ".set" was given */
    uint8_t applied; /**< after finish: the value applies */
    uint8_t der;     /**< a certificate parameter given as PEM: text holds the certificates' DER, back to back */
    certslot_where_t set_where; /**< where the ".set" came from */
} certslot_value_t;

/** A configuration being read: the values of every parameter, the files read and the diagnostics. */
typedef struct {
    certslot_value_t v[CERTSLOT_PARAM_COUNT]; /**< every parameter's value, by certslot_param_t */
    char *files[CERTSLOT_CONFIG_MAX_FILES]; /**< names, in parse order */
    unsigned nfiles;                        /**< files parsed */
    certslot_diag_t *diags;                 /**< the diagnostics (ordered by certslot_config_finish) */
    size_t ndiags;                          /**< how many diags holds */
    size_t diag_cap;                        /**< internal: room in diags */
    size_t diags_dropped;                   /**< diagnostics beyond diag_limit, only counted */
    /**
     * Heap the kept diagnostics may take, their records and their text;
     * init sets CERTSLOT_CONFIG_DIAG_BYTES. Once one does not fit, the later
     * ones are only counted (diags_dropped): a file of a million bad values
     * costs this much and no more. A caller that wants more (a lint tool)
     * raises it before the first parse.
     */
    size_t diag_limit;
    size_t diag_bytes;                      /**< internal: heap the diagnostics take */
    int diags_full;                         /**< internal: one did not fit; later ones are only counted */
    unsigned dropped_errors;                /**< internal: of diags_dropped, the errors */
    unsigned dropped_warnings;              /**< internal: of diags_dropped, the warnings */
    void *diag_text;                        /**< internal: the blocks their messages are in */
    unsigned errors;   /**< error diagnostics, kept or not (one not kept counts, even when its gate closes) */
    unsigned warnings; /**< warning diagnostics, kept or not */
    unsigned suggestions; /**< did-you-mean searches made: at most CERTSLOT_CONFIG_MAX_SUGGEST */
    char mac[13];                           /**< the handset's MAC, 12 lower-case hex digits */
    int finished;                           /**< certslot_config_finish was called */
    int applied; /**< certslot_config_apply was called: the slot values went to the store */
    int io_error; /**< a file could not be read */
    /** Keys for encrypted files: [0] from certslot_config_set_key, [1] set by the configuration. */
    certslot_cfgcrypt_key_t keys[2];
} certslot_config_t;

/** An empty configuration for the MAC 000000000000. Cannot fail. */
void certslot_config_init(certslot_config_t *cfg);
/**
 * The handset's MAC ([mac] in CONFIG_FILES, `<mac>.cfg`): 12 hex digits, any
 * case, ':' or '-' separators allowed; before any file is loaded.
 * CERTSLOT_ERR_ARG (nothing changes) otherwise.
 */
int certslot_config_set_mac(certslot_config_t *cfg, const char *mac);
/** Frees and wipes; accepts a zeroed or freed cfg. */
void certslot_config_free(certslot_config_t *cfg);

/**
 * Supplies the key for encrypted config files, as a key string
 * (`Crypt=1;KeyDesc=<label>;Key=<32 hex digits>;`), before any file is parsed;
 * the handset passes the key it kept from an earlier configuration.
 * CERTSLOT_ERR_VALUE for a malformed key string (nothing changes).
 *
 * Besides this key, once the files parsed so far settle
 * device.sec.configEncryption.key with its gate open (the value, its .set = 1
 * and device.set = 1, each from the file that wins it: no later file can
 * change them), that key also decrypts the files parsed after. So a handset
 * that receives the key in a plain file named early in CONFIG_FILES reads the
 * encrypted files named after it in the same load. The file's label picks
 * the key.
 */
int certslot_config_set_key(certslot_config_t *cfg, const char *keystring);

/** Parses one file's contents; name is used in diagnostics. */
int certslot_config_parse_buffer(certslot_config_t *cfg, const char *name, const char *data, size_t len);

/**
 * Reads the file name through src (certslot/source.h) and parses it. A file
 * that cannot be opened is an error at that file: CERTSLOT_ERR_IO (io_error
 * set) when it does not exist or cannot be read, or the source's refusal.
 */
int certslot_config_parse(certslot_config_t *cfg, const certslot_source_t *src, const char *name);

/**
 * Loads a master file and the files its CONFIG_FILES names, all through src
 * ([mac] / [PHONE_MAC_ADDRESS] in the names replaced by the MAC). master
 * names the master file; NULL: `<mac>.cfg` when src has it, else
 * "000000000000.cfg". A file that cannot be read is an error (io_error
 * set); a CONFIG_FILES entry that does not exist is skipped with a warning.
 */
int certslot_config_load_master(certslot_config_t *cfg, const certslot_source_t *src, const char *master);

/** Applies the .set gate and orders the diagnostics. Call once, after parsing. */
int certslot_config_finish(certslot_config_t *cfg);

/**
 * Effective text of p: the applied value, or the default. Never NULL. A
 * certificate parameter given as PEM is held as the certificates' DER
 * (v[p].der; binary, v[p].len bytes), what certslot_cert_decode and the
 * store read. After certslot_config_apply the slot parameters read empty.
 */
const char *certslot_config_get(const certslot_config_t *cfg, certslot_param_t p);

/** Effective number of a BOOL, ENUM or INDEX parameter (default when not applied). */
int certslot_config_get_num(const certslot_config_t *cfg, certslot_param_t p);

/**
 * 1 when the configuration explicitly sets p (after the gate), even to the
 * empty value: the store empties a slot whose parameter is set empty, and
 * leaves alone a slot whose parameter is not set at all.
 */
int certslot_config_is_set(const certslot_config_t *cfg, certslot_param_t p);

/**
 * The configuration's effective values as settings (certslot/settings.h),
 * what the stages below the config stage use. CERTSLOT_ERR_LIMIT with why
 * when the text settings together do not fit CERTSLOT_SETTINGS_TEXT_MAX.
 */
int certslot_config_settings(const certslot_config_t *cfg, certslot_settings_t *s, char *why, size_t why_size);

/** Called for each problem of certslot_config_apply (the parameter, -1 for none; where it came from; why). */
typedef void (*certslot_apply_report_fn)(void *ctx, certslot_param_t param, const certslot_where_t *where,
                                         const char *msg);

/**
 * Applies a finished configuration to the store: its slot parameters,
 * all-or-nothing per slot part (a part whose new value is invalid keeps what
 * it had and report() names the parameter, file and line; the others apply;
 * a slot parameter set to the empty value empties the part, one not set
 * leaves it alone), and its settings, which replace the stored ones. One
 * store update. Returns 0, CERTSLOT_ERR_VALUE when some part was refused
 * (the rest applied), or another error (nothing applied).
 *
 * The slot values are handed over: once a part is built from them, the
 * configuration wipes and frees its copy, so a certificate bundle or a key
 * is not held twice (the store keeps its own). A configuration is applied
 * once: a second call returns CERTSLOT_ERR_ARG; to retry after an error,
 * parse the files again.
 */
int certslot_config_apply(certslot_config_t *cfg, certslot_store_t *st, certslot_apply_report_fn report,
                          void *report_ctx);

/** Where the applied value of p came from, or NULL. */
const certslot_where_t *certslot_config_where(const certslot_config_t *cfg, certslot_param_t p);

#endif
