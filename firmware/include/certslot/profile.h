/**
 * @file
 * TLS profiles and their selection per application.
 *
 * Two platform profiles and six application profiles say which CAs are
 * trusted, which device certificate is presented, the cipher list and (per
 * application) the lowest protocol version. Each of the six applications
 * selects one profile; dot1x and provisioning may select only platform
 * profiles (the registry refuses anything else as a value error). Stage 4
 * of the flow: settings and the store's filled slots become what one
 * application's connections trust and present.
 */
#ifndef CERTSLOT_PROFILE_H
#define CERTSLOT_PROFILE_H

#include "certslot/settings.h"
#include "certslot/store.h"

/** "dot1x", "provisioning", "syslog", "sip", "ldap", "browser". */
const char *certslot_app_name(certslot_app_t app);
/** Parses one of those names (any case; "prov" too): 0, or CERTSLOT_ERR_NOT_FOUND. */
int certslot_app_parse(const char *name, certslot_app_t *app);

/** "PlatformProfile1", "PlatformProfile2", "ApplicationProfile1".."ApplicationProfile6". */
const char *certslot_profile_name(int profile);

/** What an application's connections use, resolved from settings and slots. */
typedef struct {
    certslot_app_t app;   /**< the application */
    int profile;          /**< 0..7 */
    char profile_name[24]; /**< "PlatformProfile1", "ApplicationProfile3", ... */
    int builtin;          /**< the built-in CA list is trusted */
    unsigned ca_slots;    /**< bit s: the CA part of slot s is trusted (only filled ones) */
    int device;           /**< CERTSLOT_DEVICE_BUILTIN or a slot */
    const char *ciphers;  /**< OpenSSL-syntax list for TLS 1.2 (points into the settings) */
    const char *suites13; /**< TLS 1.3 suites, OpenSSL -ciphersuites syntax; "": all the library has */
    certslot_tls_version_t min_version; /**< the lowest protocol */
    int strict;           /**< strict name check */
} certslot_app_profile_t;

/**
 * Resolves the profile application app selects. Fails closed:
 * CERTSLOT_ERR_VERIFY with a reason when the profile trusts no CA at all
 * (neither the built-in list nor a filled CA slot), CERTSLOT_ERR_KEY when it
 * names a device slot without a complete certificate and key.
 */
int certslot_profile_resolve(const certslot_settings_t *s, const certslot_store_t *st, certslot_app_t app,
                             certslot_app_profile_t *out, char *why, size_t why_size);

#endif
