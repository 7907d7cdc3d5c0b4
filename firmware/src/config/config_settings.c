/*
 * The configuration's effective values as settings (certslot/settings.h):
 * the one place where parameters become what the stages below use.
 */
#include <stdio.h>
#include <string.h>

#include "certslot/config.h"
#include "certslot/error.h"
#include "certslot/settings.h"

typedef struct {
    const certslot_config_t *cfg;
    certslot_settings_t *s;
    certslot_param_t full; /* the first text that did not fit, or -1 */
} build_t;

static int num(const build_t *b, certslot_param_t p)
{
    return certslot_config_get_num(b->cfg, p);
}

static void text(build_t *b, certslot_text_ref_t *ref, certslot_param_t p)
{
    const char *t = certslot_config_get(b->cfg, p);
    if (certslot_settings_set_text(b->s, ref, t, strlen(t)) != 0 && b->full < 0)
        b->full = p;
}

/* Platform profile n (0, 1). */
static void platform_profile(build_t *b, int n)
{
    /* All|Builtin|BuiltinAndPlatform1|BuiltinAndPlatform2|Platform1|Platform2|Platform1AndPlatform2 */
    static const struct {
        uint8_t builtin, slots;
    } lists[] = {{1, 0xff}, {1, 0}, {1, 1}, {1, 2}, {0, 1}, {0, 2}, {0, 3}};
    certslot_profile_settings_t *p = &b->s->profile[n];
    int list = num(b, CERTSLOT_PARAM(PLATFORM_PROFILE_CA_LIST, n + 1));
    int dev = num(b, CERTSLOT_PARAM(PLATFORM_PROFILE_DEVICE_CERT, n + 1)); /* Builtin|Platform1|Platform2 */

    p->builtin = lists[list].builtin;
    p->ca_slots = lists[list].slots;
    p->device = (int8_t)(dev == 0 ? CERTSLOT_DEVICE_BUILTIN : dev - 1);
    p->own_ciphers = num(b, CERTSLOT_PARAM(PLATFORM_PROFILE_CIPHER_DEFAULT, n + 1)) == 0;
    text(b, &p->ciphers, CERTSLOT_PARAM(PLATFORM_PROFILE_CIPHER, n + 1));
}

/* Application profile n (0..5). */
static void application_profile(build_t *b, int n)
{
    certslot_profile_settings_t *p = &b->s->profile[2 + n];
    int dev = num(b, CERTSLOT_PARAM(APP_PROFILE_DEVICE_CERT, n + 1)); /* Builtin|Platform1|..|Application6 */

    p->builtin = (uint8_t)num(b, CERTSLOT_PARAM(APP_PROFILE_CA_BUILTIN, n + 1));
    p->ca_slots = 0;
    for (int s = 0; s < 8; s++) {
        certslot_param_t ps = s < 2 ? CERTSLOT_PARAM2(APP_PROFILE_CA_PLATFORM, n + 1, s + 1)
                                    : CERTSLOT_PARAM2(APP_PROFILE_CA_APP, n + 1, s - 1);
        if (num(b, ps) == 1)
            p->ca_slots |= (uint8_t)(1u << s);
    }
    p->device = (int8_t)(dev == 0 ? CERTSLOT_DEVICE_BUILTIN : dev - 1);
    p->own_ciphers = num(b, CERTSLOT_PARAM(APP_PROFILE_CIPHER_DEFAULT, n + 1)) == 0;
    text(b, &p->ciphers, CERTSLOT_PARAM(APP_PROFILE_CIPHER, n + 1));
}

/* Per application: its selection, strict check, protocol and cipher list parameters. */
static const struct {
    certslot_param_t select, strict, protocol, ciphers, suites13;
} app_params[CERTSLOT_APP_COUNT] = {
#define APP_PARAMS(ID) \
    {CERTSLOT_P_SELECT_##ID, CERTSLOT_P_STRICT_##ID, CERTSLOT_P_PROTOCOL_##ID, CERTSLOT_P_CIPHERS_##ID, \
     CERTSLOT_P_SUITES13_##ID}
    APP_PARAMS(DOT1X), APP_PARAMS(PROV), APP_PARAMS(SYSLOG), APP_PARAMS(SIP), APP_PARAMS(LDAP), APP_PARAMS(BROWSER),
#undef APP_PARAMS
};

/* The value of a per-application list: "" for NoCipher (the wider list applies). */
static void app_list(build_t *b, certslot_text_ref_t *ref, certslot_param_t p)
{
    if (strcmp(certslot_config_get(b->cfg, p), "NoCipher") == 0)
        *ref = 0;
    else
        text(b, ref, p);
}

int certslot_config_settings(const certslot_config_t *cfg, certslot_settings_t *s, char *why, size_t why_size)
{
    build_t b = {cfg, s, -1};

    certslot_settings_init(s);
    s->text_used = 1; /* every text is set below */
    for (int n = 0; n < 2; n++)
        platform_profile(&b, n);
    for (int n = 0; n < 6; n++)
        application_profile(&b, n);
    for (unsigned a = 0; a < CERTSLOT_APP_COUNT; a++) {
        certslot_app_settings_t *as = &s->app[a];
        /* PlatformProfile1|PlatformProfile2|ApplicationProfile1..6: the value's position is the profile. */
        as->profile = (uint8_t)num(&b, app_params[a].select);
        as->strict = (uint8_t)num(&b, app_params[a].strict);
        as->min_version = (uint8_t)num(&b, app_params[a].protocol);
        app_list(&b, &as->ciphers, app_params[a].ciphers);
        app_list(&b, &as->suites13, app_params[a].suites13);
    }
    text(&b, &s->ciphers, CERTSLOT_P_CIPHERS);
    text(&b, &s->suites13, CERTSLOT_P_SUITES13);
    s->allow_weak = (uint8_t)num(&b, CERTSLOT_PARAM(ALLOW_WEAK_CERTS, 1));
    s->prov_type = (uint8_t)num(&b, CERTSLOT_PARAM(PROV_SERVER_TYPE, 1));
    text(&b, &s->prov_server, CERTSLOT_PARAM(PROV_SERVER_NAME, 1));
    text(&b, &s->prov_user, CERTSLOT_PARAM(PROV_USER, 1));
    text(&b, &s->prov_password, CERTSLOT_PARAM(PROV_PASSWORD, 1));
    text(&b, &s->config_key, CERTSLOT_PARAM(CONFIG_ENCRYPTION_KEY, 1));
    if (b.full >= 0) {
        char name[CERTSLOT_PARAM_NAME_MAX];
        certslot_param_name(b.full, name, sizeof(name));
        snprintf(why, why_size, "%s: the text settings together exceed %u bytes (CERTSLOT_SETTINGS_TEXT_MAX)", name,
                 (unsigned)CERTSLOT_SETTINGS_TEXT_MAX);
        certslot_settings_free(s);
        return CERTSLOT_ERR_LIMIT;
    }
    return 0;
}
