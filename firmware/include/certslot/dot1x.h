/**
 * @file
 * The dot1x application's profile as a wpa_supplicant network block.
 *
 * On the handset's Linux, 802.1X (Wi-Fi EAP) is done by wpa_supplicant, not
 * by certslot's TLS layer. certslot_dot1x_export() turns the profile dot1x
 * selects (a platform profile) into the files wpa_supplicant reads, in one
 * output directory:
 *
 *   dot1x.conf         the network block (network={...}); holds the PEAP
 *                      password, so mode 0600
 *   dot1x-ca.pem       the profile's CA slots (every CA certificate of each
 *                      trusted, filled CA slot), PEM: ca_cert
 *   dot1x-client.pem   EAP-TLS: the device certificate and its chain, PEM:
 *                      client_cert
 *   dot1x-client.key   EAP-TLS: its private key, unencrypted PEM
 *                      (PKCS#1, SEC1 or PKCS#8 as held): private_key
 *
 * Trust: ca_cert is exactly the profile's CA slots. The built-in CA list is
 * kept as names and keys only, so it cannot be written as certificates: when
 * the profile includes it, the network block gets ca_path = the system's CA
 * directory (opts.builtin_ca_path, default "/etc/ssl/certs"), whose roots the
 * built-in list was generated from. A profile that trusts nothing fails
 * closed (certslot_profile_resolve), so a block never accepts any server.
 *
 * Name check: with device.sec.TLS.dot1x.strictCertCommonNameValidation on,
 * domain_match = the configured server name (a full, case-insensitive match
 * against the certificate's dNSName entries, or its CN when it has none; no
 * wildcards), never subject_match (a substring match). With the check on and
 * no server name, nothing is written. With it off, no name is checked and
 * that is logged as insecure.
 *
 * Also written: the TLS versions, as the module's own connections offer them
 * (phase1 tls_disable_tlsv1_x: TLS 1.2 and 1.3, or 1.3 alone when TLSv1_3 is
 * the lowest protocol; wpa_supplicant 2.10 needs tls_disable_tlsv1_3=0 for
 * EAP-TLS 1.3), and the profile's cipher list (openssl_ciphers, OpenSSL
 * syntax as configured).
 *
 * Every file is written with mode 0600 through a temporary file, fsync and
 * rename, then the directory is synced: a reader sees the old or the new
 * file, never a half-written one. All files are prepared before any is
 * renamed; on an error before that, nothing in the directory changes. An
 * export for PEAP removes a dot1x-client.* left by an earlier EAP-TLS export,
 * and one whose profile has no CA slot removes an old dot1x-ca.pem. Key and
 * password buffers are wiped; neither is ever logged.
 *
 * This module uses POSIX files directly (wpa_supplicant reads real files).
 */
#ifndef CERTSLOT_DOT1X_H
#define CERTSLOT_DOT1X_H

#include <stddef.h>

#include "certslot/hal.h"
#include "certslot/store.h"

/** The EAP method of the network block. */
typedef enum {
    CERTSLOT_DOT1X_EAP_TLS, /**< EAP-TLS: the profile's device certificate authenticates the handset */
    CERTSLOT_DOT1X_EAP_PEAP /**< PEAP with MSCHAPv2: a user name and password inside the TLS tunnel */
} certslot_dot1x_eap_t;

/** The network block's maximum size, and of each string argument. */
#define CERTSLOT_DOT1X_MAX_SSID 32

/** File names inside out_dir: the network block, */
#define CERTSLOT_DOT1X_CONF "dot1x.conf"
#define CERTSLOT_DOT1X_CA "dot1x-ca.pem"               /**< the trusted CAs, */
#define CERTSLOT_DOT1X_CLIENT_CERT "dot1x-client.pem"  /**< the device certificate, */
#define CERTSLOT_DOT1X_CLIENT_KEY "dot1x-client.key"   /**< and its private key. */

/** The default directory of the system's trusted roots, for ca_path. */
#define CERTSLOT_DOT1X_SYSTEM_CA_PATH "/etc/ssl/certs"

/** What certslot_dot1x_export writes. */
typedef struct {
    certslot_dot1x_eap_t eap; /**< EAP-TLS or PEAP */
    const char *ssid;        /**< the WLAN's SSID (1..32 bytes), or NULL: no ssid line */
    const char *identity;    /**< PEAP: the user name (required); EAP-TLS: must be NULL (the CN is used) */
    const char *password;    /**< PEAP: the MSCHAPv2 password (required); EAP-TLS: must be NULL */
    const char *server_name; /**< the RADIUS server's name for the strict check; NULL: none */
    const char *out_dir;     /**< where the files go (created 0700 if missing); absolute, as
                              * the network block names files by out_dir + "/" + name */
    const char *builtin_ca_path; /**< ca_path when the profile includes the built-in list;
                                  * NULL: CERTSLOT_DOT1X_SYSTEM_CA_PATH */
} certslot_dot1x_opts_t;

/**
 * Writes the files above for the profile the settings select for dot1x, with st's
 * slots and, when the profile presents the built-in device certificate,
 * hal->factory_device (EAP-TLS only; hal->log also gets the insecure-check
 * warning). Returns 0, or with a one-line reason in why: CERTSLOT_ERR_ARG
 * (bad options: a missing PEAP identity or password, EAP-TLS given one, a
 * string with a control character, too long, or a relative out_dir),
 * CERTSLOT_ERR_NAME (strict check on, no server name), CERTSLOT_ERR_VERIFY
 * (the profile trusts no CA), CERTSLOT_ERR_KEY / CERTSLOT_ERR_NOT_FOUND (no
 * usable device certificate for EAP-TLS), CERTSLOT_ERR_IO, CERTSLOT_ERR_LIMIT,
 * CERTSLOT_ERR_NOMEM. On any error before the files are renamed into place,
 * out_dir is unchanged.
 */
int certslot_dot1x_export(const certslot_settings_t *settings, const certslot_store_t *st, const certslot_hal_t *hal,
                          const certslot_dot1x_opts_t *o, char *why, size_t why_size);

#endif
