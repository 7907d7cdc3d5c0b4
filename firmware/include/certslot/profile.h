/*
 * TLS profiles and their selection per application.
 *
 * Two platform profiles and six application profiles say which CAs are
 * trusted, which device certificate is presented, the cipher list and (per
 * application) the lowest protocol version. Each of the six applications
 * selects one profile; dot1x and provisioning may select only platform
 * profiles (the registry refuses anything else as a value error).
 */
#ifndef CERTSLOT_PROFILE_H
#define CERTSLOT_PROFILE_H

#include "certslot/config.h"
#include "certslot/store.h"

typedef enum {
    CERTSLOT_APP_DOT1X,
    CERTSLOT_APP_PROV,
    CERTSLOT_APP_SYSLOG,
    CERTSLOT_APP_SIP,
    CERTSLOT_APP_LDAP,
    CERTSLOT_APP_BROWSER,
    CERTSLOT_APP_COUNT
} certslot_app_t;

/* "dot1x", "provisioning", "syslog", "sip", "ldap", "browser". */
const char *certslot_app_name(certslot_app_t app);
int certslot_app_parse(const char *name, certslot_app_t *app);

#define CERTSLOT_PROFILE_COUNT 8 /* 0, 1: platform 1, 2; 2..7: application 1..6 */
#define CERTSLOT_DEVICE_BUILTIN (-1)

typedef enum {
    CERTSLOT_TLS_ANY, /* SSLv2v3: any version the TLS library offers */
    CERTSLOT_TLS_1_0,
    CERTSLOT_TLS_1_1,
    CERTSLOT_TLS_1_2
} certslot_tls_version_t;

/* What an application's connections use, resolved from settings and slots. */
typedef struct {
    certslot_app_t app;
    int profile;          /* 0..7 */
    char profile_name[24];/* "PlatformProfile1", "ApplicationProfile3", ... */
    int builtin;          /* the built-in CA list is trusted */
    unsigned ca_slots;    /* bit s: the CA part of slot s is trusted (only filled ones) */
    int device;           /* CERTSLOT_DEVICE_BUILTIN or a slot */
    const char *ciphers;  /* OpenSSL-syntax list (points into the configuration or a default) */
    certslot_tls_version_t min_version;
    int strict;           /* strict name check */
} certslot_app_profile_t;

/*
 * Resolves the profile application app selects. Fails closed:
 * CERTSLOT_ERR_VERIFY with a reason when the profile trusts no CA at all
 * (neither the built-in list nor a filled CA slot), CERTSLOT_ERR_KEY when it
 * names a device slot without a complete certificate and key.
 */
int certslot_profile_resolve(const certslot_config_t *cfg, const certslot_store_t *st, certslot_app_t app,
                             certslot_app_profile_t *out, char *why, size_t why_size);

#endif
