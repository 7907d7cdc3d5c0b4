/**
 * @file
 * Settings: everything a configuration decides besides the slots' contents,
 * as one plain typed struct. Stage 2 of the flow (README, "Architecture"):
 *
 *   config text -> config -> settings -> store -> profile -> TLS -> port
 *
 * The config stage produces them (certslot_config_settings), the store keeps
 * them as a binary record so they survive a reboot, and profile resolution,
 * TLS setup, transfers, provisioning and dot1x read them. Nothing here knows
 * XML, parameters or files.
 *
 * Invariants: a certslot_settings_t holds no pointer (it may be copied with
 * memcpy and persisted byte for byte through the codec below); its text
 * (cipher lists, the server, credentials, the config key) lives in one
 * bounded pool, reached through certslot_settings_text(); a value it cannot
 * hold is refused where it is set, never cut.
 */
#ifndef CERTSLOT_SETTINGS_H
#define CERTSLOT_SETTINGS_H

#include <stddef.h>
#include <stdint.h>

#include "certslot/options.h"

/** Defaults the parameter registry shows too (one definition). */
#define CERTSLOT_CIPHERS_DEFAULT "ALL:!aNULL:!eNULL:!MD5:!RC4:!LOW:!EXP:@STRENGTH"
#define CERTSLOT_PROV_CREDENTIAL_DEFAULT "PlcmSpIp" /**< device.prov.user and .password (seed 001) */

/** The six applications that make TLS connections. */
typedef enum {
    CERTSLOT_APP_DOT1X,
    CERTSLOT_APP_PROV,
    CERTSLOT_APP_SYSLOG,
    CERTSLOT_APP_SIP,
    CERTSLOT_APP_LDAP,
    CERTSLOT_APP_BROWSER,
    CERTSLOT_APP_COUNT
} certslot_app_t;

#define CERTSLOT_PROFILE_COUNT 8 /**< 0, 1: platform 1, 2; 2..7: application 1..6 */
#define CERTSLOT_DEVICE_BUILTIN (-1) /**< a profile's device certificate: the factory one (hal->factory_device) */

/** A lowest protocol (sec.TLS.*.protocol.*), in the order of CERTSLOT_PROTOCOL_NAMES. */
typedef enum {
    CERTSLOT_TLS_ANY, /**< SSLv2v3: any version the TLS library offers (mbedTLS 3.6: 1.2 and 1.3) */
    CERTSLOT_TLS_1_0, /**< as TLS 1.2: mbedTLS 3.6 has no TLS 1.0 or 1.1 */
    CERTSLOT_TLS_1_1, /**< as TLS 1.2 */
    CERTSLOT_TLS_1_2, /**< TLSv1_2 */
    CERTSLOT_TLS_1_3, /**< TLSv1_3 */
    CERTSLOT_TLS_VERSION_COUNT /**< the order of CERTSLOT_PROTOCOL_NAMES (param.h) */
} certslot_tls_version_t;

/** Text of the settings: an offset into certslot_settings_t.text; 0 is "". */
typedef uint16_t certslot_text_ref_t;

/** What one of the eight profiles trusts and presents. */
typedef struct {
    uint8_t builtin;             /**< trusts the built-in CA list */
    uint8_t ca_slots;            /**< bit s: trusts the CA part of slot s (when it is filled) */
    int8_t device;               /**< CERTSLOT_DEVICE_BUILTIN, or the slot whose device part it presents */
    uint8_t own_ciphers;         /**< 1: uses ciphers below; 0: the global list */
    certslot_text_ref_t ciphers; /**< OpenSSL syntax */
} certslot_profile_settings_t;

/** One application's settings: its profile and its own choices. */
typedef struct {
    uint8_t profile;             /**< 0..7: PlatformProfile1..2, ApplicationProfile1..6 */
    uint8_t strict;              /**< the strict name check */
    uint8_t min_version;         /**< certslot_tls_version_t: the lowest protocol */
    certslot_text_ref_t ciphers; /**< its own list; "" (NoCipher): the profile's */
    certslot_text_ref_t suites13; /**< its own TLS 1.3 suites; "" (NoCipher): the global ones */
} certslot_app_settings_t;

/** Everything a configuration decides besides the slots: a plain struct with its own text pool. */
typedef struct {
    certslot_profile_settings_t profile[CERTSLOT_PROFILE_COUNT]; /**< the profiles, 0..7 */
    certslot_app_settings_t app[CERTSLOT_APP_COUNT];             /**< the applications, by certslot_app_t */
    certslot_text_ref_t ciphers;     /**< sec.TLS.cipherList */
    certslot_text_ref_t suites13;    /**< sec.TLS.tls13CipherSuites; "": every TLS 1.3 suite of the library */
    uint8_t allow_weak;              /**< device.sec.TLS.allowWeakCertificates */
    uint8_t prov_type;               /**< device.prov.serverType: a certslot_scheme_t */
    certslot_text_ref_t prov_server; /**< device.prov.serverName: a host, host/path or URL; "" none */
    certslot_text_ref_t prov_user;     /**< device.prov.user */
    certslot_text_ref_t prov_password; /**< device.prov.password */
    certslot_text_ref_t config_key;  /**< device.sec.configEncryption.key (a key string); "" none */
    uint16_t text_used;                    /**< bytes of text in use */
    char text[CERTSLOT_SETTINGS_TEXT_MAX]; /**< the pool the text refs point into */
} certslot_settings_t;

/** The defaults: what a handset without a configuration does. Cannot fail. */
void certslot_settings_init(certslot_settings_t *s);

/** Wipes s (it holds a password and a key); s is then as after init. */
void certslot_settings_free(certslot_settings_t *s);

/** The text at ref, NUL-terminated; "" for 0 or a ref outside the pool. */
const char *certslot_settings_text(const certslot_settings_t *s, certslot_text_ref_t ref);

/** Puts text[0..len) into the pool and *ref at it; CERTSLOT_ERR_LIMIT (nothing changes) when the pool is full. */
int certslot_settings_set_text(certslot_settings_t *s, certslot_text_ref_t *ref, const char *text, size_t len);

/** @{ */
/**
 * The binary record the store keeps: a version byte, then tag, length
 * (2 bytes, big endian), value for each setting. Tags a reader does not know
 * are skipped and missing ones keep their defaults, so a firmware upgrade
 * reads what an older one wrote. certslot_settings_encode writes into buf
 * (size bytes; NULL: only counts) and returns the length;
 * certslot_settings_decode returns 0 or CERTSLOT_ERR_CORRUPT (s then holds
 * the defaults).
 */
size_t certslot_settings_encode(const certslot_settings_t *s, unsigned char *buf, size_t size);
int certslot_settings_decode(certslot_settings_t *s, const unsigned char *data, size_t len);
/** @} */

/** 1 when a and b decide the same (text compared, not pool layout). */
int certslot_settings_equal(const certslot_settings_t *a, const certslot_settings_t *b);

#endif
