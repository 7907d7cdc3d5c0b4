/*
 * Profile resolution: settings + filled slots -> what one application's
 * TLS connections trust and present.
 */
#include "certslot/profile.h"

#include <stdio.h>
#include <string.h>

#include "certslot/error.h"
#include "core/internal.h"

static const char *const app_names[CERTSLOT_APP_COUNT] = {"dot1x", "provisioning", "syslog", "sip", "ldap", "browser"};

/* Per application: its selection, strict check, protocol and cipher list parameters. */
static const struct {
    certslot_param_t select, strict, protocol, ciphers;
} app_params[CERTSLOT_APP_COUNT] = {
    {CERTSLOT_P_SELECT_DOT1X, CERTSLOT_P_STRICT_DOT1X, CERTSLOT_P_PROTOCOL_DOT1X, CERTSLOT_P_CIPHERS_DOT1X},
    {CERTSLOT_P_SELECT_PROV, CERTSLOT_P_STRICT_PROV, CERTSLOT_P_PROTOCOL_PROV, CERTSLOT_P_CIPHERS_PROV},
    {CERTSLOT_P_SELECT_SYSLOG, CERTSLOT_P_STRICT_SYSLOG, CERTSLOT_P_PROTOCOL_SYSLOG, CERTSLOT_P_CIPHERS_SYSLOG},
    {CERTSLOT_P_SELECT_SIP, CERTSLOT_P_STRICT_SIP, CERTSLOT_P_PROTOCOL_SIP, CERTSLOT_P_CIPHERS_SIP},
    {CERTSLOT_P_SELECT_LDAP, CERTSLOT_P_STRICT_LDAP, CERTSLOT_P_PROTOCOL_LDAP, CERTSLOT_P_CIPHERS_LDAP},
    {CERTSLOT_P_SELECT_BROWSER, CERTSLOT_P_STRICT_BROWSER, CERTSLOT_P_PROTOCOL_BROWSER, CERTSLOT_P_CIPHERS_BROWSER},
};

const char *certslot_app_name(certslot_app_t app)
{
    return (unsigned)app < CERTSLOT_APP_COUNT ? app_names[app] : "?";
}

int certslot_app_parse(const char *name, certslot_app_t *app)
{
    for (unsigned i = 0; i < CERTSLOT_APP_COUNT; i++) {
        if (cs_equal_ci(name, strlen(name), app_names[i]) ||
            (i == CERTSLOT_APP_PROV && cs_equal_ci(name, strlen(name), "prov"))) {
            *app = (certslot_app_t)i;
            return 0;
        }
    }
    return CERTSLOT_ERR_NOT_FOUND;
}

static int filled_ca(const certslot_store_t *st, unsigned slot)
{
    return st->part[slot][CERTSLOT_KIND_CA].ncerts > 0;
}

/* Platform profile n (0, 1): CA list and device certificate from device.sec.TLS.profile.*. */
static void platform_profile(const certslot_config_t *cfg, const certslot_store_t *st, int n,
                             certslot_app_profile_t *out)
{
    /* All|Builtin|BuiltinAndPlatform1|BuiltinAndPlatform2|Platform1|Platform2|Platform1AndPlatform2 */
    static const struct {
        int builtin;
        unsigned slots;
    } lists[] = {{1, 0xFF}, {1, 0}, {1, 1}, {1, 2}, {0, 1}, {0, 2}, {0, 3}};
    int list = certslot_config_get_num(cfg, CERTSLOT_PARAM(PLATFORM_PROFILE_CA_LIST, n + 1));
    out->builtin = lists[list].builtin;
    for (unsigned s = 0; s < CERTSLOT_SLOT_COUNT; s++)
        if ((lists[list].slots & (1u << s)) && filled_ca(st, s))
            out->ca_slots |= 1u << s;
    int dev = certslot_config_get_num(cfg, CERTSLOT_PARAM(PLATFORM_PROFILE_DEVICE_CERT, n + 1));
    out->device = dev == 0 ? CERTSLOT_DEVICE_BUILTIN : dev - 1; /* Builtin|Platform1|Platform2 */
    out->ciphers = certslot_config_get_num(cfg, CERTSLOT_PARAM(PLATFORM_PROFILE_CIPHER_DEFAULT, n + 1)) == 1
                       ? NULL
                       : certslot_config_get(cfg, CERTSLOT_PARAM(PLATFORM_PROFILE_CIPHER, n + 1));
}

/* Application profile n (0..5): from sec.TLS.profile.<n+1>.*. */
static void application_profile(const certslot_config_t *cfg, const certslot_store_t *st, int n,
                                certslot_app_profile_t *out)
{
    out->builtin = certslot_config_get_num(cfg, CERTSLOT_PARAM(APP_PROFILE_CA_BUILTIN, n + 1));
    for (unsigned s = 0; s < CERTSLOT_SLOT_COUNT; s++) {
        certslot_param_t p = s < 2 ? CERTSLOT_PARAM2(APP_PROFILE_CA_PLATFORM, n + 1, (int)s + 1)
                                   : CERTSLOT_PARAM2(APP_PROFILE_CA_APP, n + 1, (int)s - 1);
        if (certslot_config_get_num(cfg, p) == 1 && filled_ca(st, s))
            out->ca_slots |= 1u << s;
    }
    int dev = certslot_config_get_num(cfg, CERTSLOT_PARAM(APP_PROFILE_DEVICE_CERT, n + 1));
    out->device = dev == 0 ? CERTSLOT_DEVICE_BUILTIN : dev - 1; /* Builtin|Platform1|Platform2|Application1.. */
    out->ciphers = certslot_config_get_num(cfg, CERTSLOT_PARAM(APP_PROFILE_CIPHER_DEFAULT, n + 1)) == 1
                       ? NULL
                       : certslot_config_get(cfg, CERTSLOT_PARAM(APP_PROFILE_CIPHER, n + 1));
}

int certslot_profile_resolve(const certslot_config_t *cfg, const certslot_store_t *st, certslot_app_t app,
                             certslot_app_profile_t *out, char *why, size_t why_size)
{
    if ((unsigned)app >= CERTSLOT_APP_COUNT)
        return CERTSLOT_ERR_ARG;
    memset(out, 0, sizeof(*out));
    out->app = app;
    /* PlatformProfile1|PlatformProfile2|ApplicationProfile1..6: the enum position is the profile. */
    out->profile = certslot_config_get_num(cfg, app_params[app].select);
    if (app == CERTSLOT_APP_DOT1X || app == CERTSLOT_APP_PROV) {
        if (out->profile > 1)
            return CERTSLOT_ERR_VALUE; /* the registry already refuses it */
    }
    const char *name;
    size_t n = certslot_param_enum_name(CERTSLOT_P_SELECT_SIP, out->profile, &name);
    snprintf(out->profile_name, sizeof(out->profile_name), "%.*s", (int)n, name);
    if (out->profile < 2)
        platform_profile(cfg, st, out->profile, out);
    else
        application_profile(cfg, st, out->profile - 2, out);
    /* The application's own list wins over the profile's, which wins over the global one. */
    const char *own = certslot_config_get(cfg, app_params[app].ciphers);
    if (strcmp(own, "NoCipher") != 0)
        out->ciphers = own;
    else if (out->ciphers == NULL || out->ciphers[0] == '\0')
        out->ciphers = certslot_config_get(cfg, CERTSLOT_P_CIPHERS);
    out->min_version = (certslot_tls_version_t)certslot_config_get_num(cfg, app_params[app].protocol);
    out->strict = certslot_config_get_num(cfg, app_params[app].strict);

    if (!out->builtin && out->ca_slots == 0) {
        snprintf(why, why_size, "%s: %s trusts no CA (no built-in list, no filled CA slot): every connection fails",
                 app_names[app], out->profile_name);
        return CERTSLOT_ERR_VERIFY;
    }
    if (out->device != CERTSLOT_DEVICE_BUILTIN) {
        const certslot_part_t *p = &st->part[out->device][CERTSLOT_KIND_DEVICE];
        if (p->ncerts == 0 || p->key.der == NULL) {
            snprintf(why, why_size, "%s: %s presents the device certificate of slot %s, which is not complete",
                     app_names[app], out->profile_name, certslot_slot_name((certslot_slot_t)out->device));
            return CERTSLOT_ERR_KEY;
        }
    }
    return 0;
}
