/*
 * A finished configuration applied to the store: its slot parameters staged
 * part by part (all-or-nothing per part) and its settings, committed as one
 * store update. The store itself knows only slots (certslot/store.h).
 */
#include <stdio.h>
#include <string.h>

#include "certslot/config.h"
#include "certslot/error.h"
#include "certslot/platform.h"
#include "core/internal.h"

static certslot_param_t slot_param(certslot_slot_t slot, int platform_family, int app_family)
{
    return slot <= CERTSLOT_SLOT_PLATFORM2 ? (certslot_param_t)(platform_family + (int)slot)
                                           : (certslot_param_t)(app_family + (int)slot - 2);
}

/* The value of p if the configuration sets it: its bytes (none for "clear"), else NULL. */
static const unsigned char *set_value(const certslot_config_t *cfg, certslot_param_t p, size_t *len)
{
    if (!certslot_config_is_set(cfg, p))
        return NULL;
    *len = cfg->v[p].len;
    return (const unsigned char *)certslot_config_get(cfg, p);
}

/* The store has what p held (or refused it): the configuration lets go of its copy, a key wiped. */
static void hand_over(certslot_config_t *cfg, certslot_param_t p)
{
    certslot_value_t *v = &cfg->v[p];

    certslot_zeroize(v->text, v->len);
    certslot_free(v->text);
    v->text = NULL;
    v->len = 0;
}

/* Stages one part's parameters; 0, a refusal (*blame and why say which and why), or CERTSLOT_ERR_NOMEM. */
static int stage_part(certslot_store_txn_t *t, certslot_config_t *cfg, certslot_slot_t s, certslot_kind_t k,
                      int allow_weak, certslot_param_t *blame, char *why, size_t why_size)
{
    certslot_param_t pk = slot_param(s, CERTSLOT_P_PLATFORM_DEVICE_KEY, CERTSLOT_P_APP_DEVICE_KEY);
    certslot_param_t pc = k == CERTSLOT_KIND_CA ? slot_param(s, CERTSLOT_P_PLATFORM_CA_CERT, CERTSLOT_P_APP_CA_CERT)
                                                : slot_param(s, CERTSLOT_P_PLATFORM_DEVICE_CERT,
                                                             CERTSLOT_P_APP_DEVICE_CERT);
    size_t cert_len = 0, key_len = 0;
    const unsigned char *cert = set_value(cfg, pc, &cert_len);
    const unsigned char *key = k == CERTSLOT_KIND_DEVICE ? set_value(cfg, pk, &key_len) : NULL;

    *blame = cert != NULL ? pc : pk;
    if (cert == NULL && key == NULL)
        return 0;
    if (cert != NULL && cert_len == 0)
        return certslot_store_txn_empty(t, s, k); /* set empty: empty the part */
    if (key != NULL && key_len == 0) {
        if (cert == NULL && t->st->part[s][k].ncerts == 0)
            return certslot_store_txn_empty(t, s, k);
        snprintf(why, why_size, "the device certificate needs its private key (set the certificate empty to "
                                "empty the slot)");
        *blame = pk;
        return CERTSLOT_ERR_KEY;
    }
    int ret = certslot_store_txn_put(t, s, k, cert, cert_len, key, key_len, allow_weak, why, why_size);
    if (ret == CERTSLOT_ERR_KEY && key != NULL)
        *blame = pk;
    if (ret != CERTSLOT_ERR_NOMEM) {
        hand_over(cfg, pc);
        if (key != NULL)
            hand_over(cfg, pk);
    }
    return ret;
}

int certslot_config_apply(certslot_config_t *cfg, certslot_store_t *st, certslot_apply_report_fn report,
                          void *report_ctx)
{
    certslot_store_txn_t *t = NULL; /* about 1 KiB: on the heap, neither on the stack nor shared by threads */
    certslot_settings_t *settings;
    char why[CERTSLOT_WHY_LEN];
    int refused = 0, ret;

    if (cfg->applied)
        return CERTSLOT_ERR_ARG; /* its slot values are gone */
    if ((settings = certslot_calloc(1, sizeof(*settings))) == NULL || (t = certslot_calloc(1, sizeof(*t))) == NULL) {
        certslot_free(settings);
        return CERTSLOT_ERR_NOMEM;
    }
    ret = certslot_config_settings(cfg, settings, why, sizeof(why));
    if (ret != 0) {
        if (report != NULL)
            report(report_ctx, -1, NULL, why);
        goto cleanup;
    }
    certslot_store_txn_init(t, st);
    cfg->applied = 1;
    for (unsigned s = 0; s < CERTSLOT_SLOT_COUNT && ret == 0; s++) {
        for (unsigned k = 0; k < 2; k++) {
            certslot_param_t blame;
            why[0] = '\0';
            int r = stage_part(t, cfg, (certslot_slot_t)s, (certslot_kind_t)k, settings->allow_weak, &blame, why,
                               sizeof(why));
            if (r == CERTSLOT_ERR_NOMEM) {
                ret = r;
                break;
            }
            if (r == 0)
                continue;
            refused++;
            char msg[300];
            snprintf(msg, sizeof(msg), "%s %s refused, slot unchanged: %s", certslot_slot_name((certslot_slot_t)s),
                     certslot_kind_name((certslot_kind_t)k), why);
            cs_log(st->hal, CERTSLOT_LOG_INFO, "store: %s", msg);
            if (report != NULL)
                report(report_ctx, blame, certslot_config_where(cfg, blame), msg);
        }
    }
    if (ret == 0) {
        certslot_store_txn_settings(t, settings);
        ret = certslot_store_txn_commit(t);
    }
    certslot_store_txn_free(t);
    if (ret == 0 && refused > 0)
        ret = CERTSLOT_ERR_VALUE;
cleanup:
    certslot_free(t);
    certslot_settings_free(settings);
    certslot_free(settings);
    return ret;
}
