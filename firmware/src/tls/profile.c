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

static const char *const profile_names[CERTSLOT_PROFILE_COUNT] = {
    "PlatformProfile1",    "PlatformProfile2",    "ApplicationProfile1", "ApplicationProfile2",
    "ApplicationProfile3", "ApplicationProfile4", "ApplicationProfile5", "ApplicationProfile6"};

const char *certslot_app_name(certslot_app_t app)
{
    return (unsigned)app < CERTSLOT_APP_COUNT ? app_names[app] : "?";
}

const char *certslot_profile_name(int profile)
{
    return (unsigned)profile < CERTSLOT_PROFILE_COUNT ? profile_names[profile] : "?";
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

int certslot_profile_resolve(const certslot_settings_t *s, const certslot_store_t *st, certslot_app_t app,
                             certslot_app_profile_t *out, char *why, size_t why_size)
{
    if ((unsigned)app >= CERTSLOT_APP_COUNT)
        return CERTSLOT_ERR_ARG;
    memset(out, 0, sizeof(*out));
    out->app = app;
    const certslot_app_settings_t *as = &s->app[app];
    out->profile = as->profile;
    if (out->profile >= CERTSLOT_PROFILE_COUNT ||
        ((app == CERTSLOT_APP_DOT1X || app == CERTSLOT_APP_PROV) && out->profile > 1))
        return CERTSLOT_ERR_VALUE; /* the registry already refuses it */
    snprintf(out->profile_name, sizeof(out->profile_name), "%s", profile_names[out->profile]);
    const certslot_profile_settings_t *ps = &s->profile[out->profile];
    out->builtin = ps->builtin;
    for (unsigned slot = 0; slot < CERTSLOT_SLOT_COUNT; slot++)
        if ((ps->ca_slots & (1u << slot)) && st->part[slot][CERTSLOT_KIND_CA].ncerts > 0)
            out->ca_slots |= 1u << slot;
    out->device = ps->device;
    /* The application's own list wins over the profile's, which wins over the global one. */
    out->ciphers = certslot_settings_text(s, as->ciphers);
    if (out->ciphers[0] == '\0' && ps->own_ciphers)
        out->ciphers = certslot_settings_text(s, ps->ciphers);
    if (out->ciphers[0] == '\0')
        out->ciphers = certslot_settings_text(s, s->ciphers);
    out->suites13 = certslot_settings_text(s, as->suites13);
    if (out->suites13[0] == '\0')
        out->suites13 = certslot_settings_text(s, s->suites13);
    out->min_version = (certslot_tls_version_t)as->min_version;
    out->strict = as->strict;

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
