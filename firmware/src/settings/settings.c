/*
 * Settings: defaults, the text pool, and the binary record the store keeps
 * (see certslot/settings.h).
 *
 * Record (version 1): 0x01, then per setting: tag (1) | length (2, BE) | value.
 *   0x10 + p  profile p (0..7): builtin, ca_slots, device (0xff: built-in), own_ciphers, then the cipher list
 *   0x20 + a  application a (0..5): profile, strict, min_version, then its cipher list
 *   0x30 global cipher list   0x31 allow_weak   0x32 prov_type
 *   0x33 prov_server          0x34 prov_user    0x35 prov_password   0x36 config_key
 */
#include "certslot/settings.h"

#include <string.h>

#include "certslot/error.h"
#include "certslot/platform.h"

#define RECORD_VERSION 1
enum { TAG_PROFILE = 0x10, TAG_APP = 0x20, TAG_CIPHERS = 0x30, TAG_ALLOW_WEAK, TAG_PROV_TYPE, TAG_PROV_SERVER,
       TAG_PROV_USER, TAG_PROV_PASSWORD, TAG_CONFIG_KEY, TAG_SUITES13, TAG_APP_SUITES13 = 0x40 };

const char *certslot_settings_text(const certslot_settings_t *s, certslot_text_ref_t ref)
{
    return ref != 0 && ref < s->text_used ? s->text + ref : "";
}

int certslot_settings_set_text(certslot_settings_t *s, certslot_text_ref_t *ref, const char *text, size_t len)
{
    if (len == 0) {
        *ref = 0;
        return 0;
    }
    if (memchr(text, '\0', len) != NULL || len >= sizeof(s->text) - s->text_used)
        return CERTSLOT_ERR_LIMIT;
    memcpy(s->text + s->text_used, text, len);
    s->text[s->text_used + len] = '\0';
    *ref = s->text_used;
    s->text_used = (uint16_t)(s->text_used + len + 1);
    return 0;
}

static void set_literal(certslot_settings_t *s, certslot_text_ref_t *ref, const char *text)
{
    (void)certslot_settings_set_text(s, ref, text, strlen(text)); /* the defaults always fit */
}

void certslot_settings_init(certslot_settings_t *s)
{
    memset(s, 0, sizeof(*s));
    s->text_used = 1; /* text[0] is the empty string every ref 0 means */
    for (unsigned p = 0; p < CERTSLOT_PROFILE_COUNT; p++) {
        /* Platform "All", and application profiles trusting the built-in list and every slot. */
        s->profile[p].builtin = 1;
        s->profile[p].ca_slots = 0xff;
        s->profile[p].device = CERTSLOT_DEVICE_BUILTIN;
    }
    for (unsigned a = 0; a < CERTSLOT_APP_COUNT; a++) {
        s->app[a].strict = 1;
        s->app[a].min_version = CERTSLOT_TLS_1_2;
    }
    set_literal(s, &s->ciphers, CERTSLOT_CIPHERS_DEFAULT);
    set_literal(s, &s->prov_user, CERTSLOT_PROV_CREDENTIAL_DEFAULT);
    set_literal(s, &s->prov_password, CERTSLOT_PROV_CREDENTIAL_DEFAULT);
}

void certslot_settings_free(certslot_settings_t *s)
{
    certslot_zeroize(s, sizeof(*s));
    certslot_settings_init(s);
}

/* ---- the record ---- */

typedef struct {
    unsigned char *buf;
    size_t size, len;
} out_t;

static void put(out_t *o, unsigned tag, const unsigned char *head, size_t head_len, const char *text)
{
    size_t tlen = strlen(text), n = head_len + tlen;
    if (o->buf != NULL && o->len + 3 + n <= o->size) {
        o->buf[o->len] = (unsigned char)tag;
        o->buf[o->len + 1] = (unsigned char)(n >> 8);
        o->buf[o->len + 2] = (unsigned char)n;
        if (head_len > 0)
            memcpy(o->buf + o->len + 3, head, head_len);
        memcpy(o->buf + o->len + 3 + head_len, text, tlen);
    }
    o->len += 3 + n;
}

size_t certslot_settings_encode(const certslot_settings_t *s, unsigned char *buf, size_t size)
{
    out_t o = {buf, size, 1};
    unsigned char head[4];

    if (buf != NULL && size > 0)
        buf[0] = RECORD_VERSION;
    for (unsigned p = 0; p < CERTSLOT_PROFILE_COUNT; p++) {
        const certslot_profile_settings_t *ps = &s->profile[p];
        head[0] = ps->builtin;
        head[1] = ps->ca_slots;
        head[2] = ps->device < 0 ? 0xff : (unsigned char)ps->device;
        head[3] = ps->own_ciphers;
        put(&o, TAG_PROFILE + p, head, 4, certslot_settings_text(s, ps->ciphers));
    }
    for (unsigned a = 0; a < CERTSLOT_APP_COUNT; a++) {
        const certslot_app_settings_t *as = &s->app[a];
        head[0] = as->profile;
        head[1] = as->strict;
        head[2] = as->min_version;
        put(&o, TAG_APP + a, head, 3, certslot_settings_text(s, as->ciphers));
        put(&o, TAG_APP_SUITES13 + a, NULL, 0, certslot_settings_text(s, as->suites13));
    }
    put(&o, TAG_SUITES13, NULL, 0, certslot_settings_text(s, s->suites13));
    put(&o, TAG_CIPHERS, NULL, 0, certslot_settings_text(s, s->ciphers));
    put(&o, TAG_ALLOW_WEAK, &s->allow_weak, 1, "");
    put(&o, TAG_PROV_TYPE, &s->prov_type, 1, "");
    put(&o, TAG_PROV_SERVER, NULL, 0, certslot_settings_text(s, s->prov_server));
    put(&o, TAG_PROV_USER, NULL, 0, certslot_settings_text(s, s->prov_user));
    put(&o, TAG_PROV_PASSWORD, NULL, 0, certslot_settings_text(s, s->prov_password));
    put(&o, TAG_CONFIG_KEY, NULL, 0, certslot_settings_text(s, s->config_key));
    return o.len;
}

/* One setting of the record into s; CERTSLOT_ERR_CORRUPT for a value out of its range. */
static int take(certslot_settings_t *s, unsigned tag, const unsigned char *v, size_t n)
{
    certslot_text_ref_t *text = NULL;
    size_t skip = 0;

    if (tag >= TAG_PROFILE && tag < TAG_PROFILE + CERTSLOT_PROFILE_COUNT) {
        certslot_profile_settings_t *ps = &s->profile[tag - TAG_PROFILE];
        if (n < 4 || v[0] > 1 || v[3] > 1 || (v[2] != 0xff && v[2] >= 8))
            return CERTSLOT_ERR_CORRUPT;
        ps->builtin = v[0];
        ps->ca_slots = v[1];
        ps->device = v[2] == 0xff ? CERTSLOT_DEVICE_BUILTIN : (int8_t)v[2];
        ps->own_ciphers = v[3];
        text = &ps->ciphers;
        skip = 4;
    } else if (tag >= TAG_APP && tag < TAG_APP + CERTSLOT_APP_COUNT) {
        certslot_app_settings_t *as = &s->app[tag - TAG_APP];
        /* dot1x and provisioning use platform profiles only. */
        unsigned max_profile = tag - TAG_APP <= CERTSLOT_APP_PROV ? 1 : CERTSLOT_PROFILE_COUNT - 1;
        if (n < 3 || v[0] > max_profile || v[1] > 1 || v[2] >= CERTSLOT_TLS_VERSION_COUNT)
            return CERTSLOT_ERR_CORRUPT;
        as->profile = v[0];
        as->strict = v[1];
        as->min_version = v[2];
        text = &as->ciphers;
        skip = 3;
    } else if (tag >= TAG_APP_SUITES13 && tag < TAG_APP_SUITES13 + CERTSLOT_APP_COUNT) {
        text = &s->app[tag - TAG_APP_SUITES13].suites13;
    } else if (tag == TAG_ALLOW_WEAK || tag == TAG_PROV_TYPE) {
        if (n != 1 || v[0] > (tag == TAG_ALLOW_WEAK ? 1 : 4)) /* 4: FTPS, the last device.prov.serverType */
            return CERTSLOT_ERR_CORRUPT;
        *(tag == TAG_ALLOW_WEAK ? &s->allow_weak : &s->prov_type) = v[0];
        return 0;
    } else {
        text = tag == TAG_CIPHERS         ? &s->ciphers
               : tag == TAG_SUITES13      ? &s->suites13
               : tag == TAG_PROV_SERVER   ? &s->prov_server
               : tag == TAG_PROV_USER     ? &s->prov_user
               : tag == TAG_PROV_PASSWORD ? &s->prov_password
               : tag == TAG_CONFIG_KEY    ? &s->config_key
                                          : NULL;
        if (text == NULL)
            return 0; /* a later version's setting: skipped */
    }
    return certslot_settings_set_text(s, text, (const char *)v + skip, n - skip) == 0 ? 0 : CERTSLOT_ERR_CORRUPT;
}

int certslot_settings_decode(certslot_settings_t *s, const unsigned char *data, size_t len)
{
    int seen_ciphers = 0, seen_user = 0, seen_password = 0;

    certslot_settings_init(s);
    /* The texts come from the record into an empty pool; those it lacks get their defaults after. */
    s->text_used = 1;
    s->ciphers = s->prov_user = s->prov_password = 0;
    int ret = len >= 1 && data[0] == RECORD_VERSION ? 0 : CERTSLOT_ERR_CORRUPT;
    for (size_t o = 1; ret == 0 && o < len;) {
        size_t n = len - o >= 3 ? (size_t)data[o + 1] << 8 | data[o + 2] : 0;
        if (len - o < 3 || n > len - o - 3) {
            ret = CERTSLOT_ERR_CORRUPT;
            break;
        }
        seen_ciphers |= data[o] == TAG_CIPHERS;
        seen_user |= data[o] == TAG_PROV_USER;
        seen_password |= data[o] == TAG_PROV_PASSWORD;
        ret = take(s, data[o], data + o + 3, n);
        o += 3 + n;
    }
    if (ret == 0 && !seen_ciphers)
        ret = certslot_settings_set_text(s, &s->ciphers, CERTSLOT_CIPHERS_DEFAULT, strlen(CERTSLOT_CIPHERS_DEFAULT));
    if (ret == 0 && !seen_user)
        ret = certslot_settings_set_text(s, &s->prov_user, CERTSLOT_PROV_CREDENTIAL_DEFAULT,
                                         strlen(CERTSLOT_PROV_CREDENTIAL_DEFAULT));
    if (ret == 0 && !seen_password)
        ret = certslot_settings_set_text(s, &s->prov_password, CERTSLOT_PROV_CREDENTIAL_DEFAULT,
                                         strlen(CERTSLOT_PROV_CREDENTIAL_DEFAULT));
    if (ret != 0) {
        certslot_settings_free(s);
        ret = CERTSLOT_ERR_CORRUPT;
    }
    return ret;
}

static int same_text(const certslot_settings_t *a, certslot_text_ref_t ra, const certslot_settings_t *b,
                     certslot_text_ref_t rb)
{
    return strcmp(certslot_settings_text(a, ra), certslot_settings_text(b, rb)) == 0;
}

int certslot_settings_equal(const certslot_settings_t *a, const certslot_settings_t *b)
{
    for (unsigned p = 0; p < CERTSLOT_PROFILE_COUNT; p++) {
        const certslot_profile_settings_t *x = &a->profile[p], *y = &b->profile[p];
        if (x->builtin != y->builtin || x->ca_slots != y->ca_slots || x->device != y->device ||
            x->own_ciphers != y->own_ciphers || !same_text(a, x->ciphers, b, y->ciphers))
            return 0;
    }
    for (unsigned i = 0; i < CERTSLOT_APP_COUNT; i++) {
        const certslot_app_settings_t *x = &a->app[i], *y = &b->app[i];
        if (x->profile != y->profile || x->strict != y->strict || x->min_version != y->min_version ||
            !same_text(a, x->ciphers, b, y->ciphers) || !same_text(a, x->suites13, b, y->suites13))
            return 0;
    }
    return a->allow_weak == b->allow_weak && a->prov_type == b->prov_type && same_text(a, a->ciphers, b, b->ciphers) &&
           same_text(a, a->suites13, b, b->suites13) &&
           same_text(a, a->prov_server, b, b->prov_server) && same_text(a, a->prov_user, b, b->prov_user) &&
           same_text(a, a->prov_password, b, b->prov_password) && same_text(a, a->config_key, b, b->config_key);
}
