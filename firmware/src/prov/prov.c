/*
 * The provisioning boot flow: master file and CONFIG_FILES from the server,
 * all or nothing, then one store update.
 */
#include "certslot/prov.h"

#include <stdio.h>
#include <string.h>

#include "certslot/config.h"
#include "certslot/error.h"
#include "certslot/param.h"
#include "certslot/platform.h"
#include "certslot/text.h"
#include "core/internal.h"


int certslot_prov_server(certslot_url_t *server, const char *server_name, int type, const char *user,
                         const char *password, char *why, size_t why_size)
{
    int ret;

    if (server_name == NULL || server_name[0] == '\0') {
        memset(server, 0, sizeof(*server));
        snprintf(why, why_size, "no provisioning server configured (device.prov.serverName)");
        return CERTSLOT_ERR_VALUE;
    }
    if (certslot_url_is_url(server_name)) {
        ret = certslot_url_parse(server_name, server, why, why_size);
    } else {
        if (type < 0 || type > 4) {
            memset(server, 0, sizeof(*server));
            snprintf(why, why_size, "server type %d is not 0..4 (FTP, TFTP, HTTP, HTTPS, FTPS)", type);
            return CERTSLOT_ERR_VALUE;
        }
        ret = certslot_url_parse_server(server_name, (certslot_scheme_t)type, server, why, why_size);
    }
    if (ret != 0 || server->has_user)
        return ret;
    ret = certslot_url_set_credentials(server, user != NULL ? user : CERTSLOT_PROV_CREDENTIAL_DEFAULT,
                                       password != NULL ? password : CERTSLOT_PROV_CREDENTIAL_DEFAULT, why, why_size);
    if (ret != 0)
        certslot_url_wipe(server);
    return ret;
}

int certslot_prov_server_from_settings(const certslot_settings_t *s, certslot_url_t *server, char *why,
                                       size_t why_size)
{
    return certslot_prov_server(server, certslot_settings_text(s, s->prov_server), s->prov_type,
                                certslot_settings_text(s, s->prov_user), certslot_settings_text(s, s->prov_password),
                                why, why_size);
}

/* server's URL with name in its directory. */
static int file_url(const certslot_url_t *server, const char *name, certslot_url_t *url)
{
    *url = *server;
    return certslot_url_append_name(url, name);
}

typedef struct {
    const certslot_url_t *server;
    certslot_fetch_opts_t opts;
    certslot_prov_report_fn report;
    void *report_ctx;
    certslot_result_t *res;
    unsigned files; /* fetched */
    int failed, refused;
} run_t;

static void say(run_t *r, const char *msg)
{
    if (r->report != NULL)
        r->report(r->report_ctx, msg);
}

static void failure(run_t *r, certslot_status_t status, const char *msg)
{
    say(r, msg);
    if (r->failed++ == 0)
        cs_result(r->res, (int)status, 0, "%s", msg);
}

/* A config file fetched whole from the server, read back by the config stage. */
typedef struct {
    unsigned char *data;
    size_t len, pos;
} fetched_t;

static int fetch_open(void *ctx, const char *name, void **file, char *why, size_t why_size)
{
    run_t *r = ctx;
    certslot_url_t url;
    certslot_result_t fres;
    fetched_t *f = certslot_calloc(1, sizeof(*f));
    int ret = f == NULL ? CERTSLOT_ERR_NOMEM : file_url(r->server, name, &url);

    if (ret != 0) {
        char msg[300];
        snprintf(msg, sizeof(msg), "file name '%.80s' refused: %s", name,
                 ret == CERTSLOT_ERR_NOMEM   ? "out of memory"
                 : ret == CERTSLOT_ERR_LIMIT ? "too long"
                                             : "it contains a control character");
        certslot_text_escape_inplace(msg, sizeof(msg));
        failure(r, CERTSLOT_STATUS_BAD_URL, msg);
        snprintf(why, why_size, "cannot fetch: %s", certslot_strerror(ret));
        certslot_free(f);
        return CERTSLOT_ERR_IO;
    }
    ret = certslot_fetch(&r->opts, &url, &f->data, &f->len, &fres);
    certslot_url_wipe(&url);
    if (ret == 0) {
        r->files++;
        *file = f;
        return 0;
    }
    if (ret == CERTSLOT_ERR_NOT_FOUND) {
        /* Expected: <mac>.cfg before 000000000000.cfg, and optional files; not a problem to report. */
        cs_log(r->opts.hal, CERTSLOT_LOG_INFO, "%s", fres.msg);
    } else {
        failure(r, fres.status, fres.msg);
        snprintf(why, why_size, "cannot fetch: %s", certslot_strerror(ret));
        ret = CERTSLOT_ERR_IO;
    }
    certslot_free(f);
    return ret;
}

static int fetch_read(void *ctx, void *file, char *buf, size_t size, size_t *got)
{
    fetched_t *f = file;
    (void)ctx;
    *got = f->len - f->pos < size ? f->len - f->pos : size;
    if (*got > 0)
        memcpy(buf, f->data + f->pos, *got);
    f->pos += *got;
    return 0;
}

static void fetch_close(void *ctx, void *file)
{
    fetched_t *f = file;
    (void)ctx;
    certslot_zeroize(f->data, f->len);
    certslot_free(f->data);
    certslot_free(f);
}

static void apply_report(void *ctx, certslot_param_t param, const certslot_where_t *where, const char *msg)
{
    run_t *r = ctx;
    char name[CERTSLOT_PARAM_NAME_MAX], line[512];

    if (param >= 0) {
        certslot_param_name(param, name, sizeof(name));
        snprintf(line, sizeof(line), "%s:%u: %s: %s", where != NULL && where->file != NULL ? where->file : "?",
                 where != NULL ? (unsigned)where->line : 0u, name, msg);
    } else {
        snprintf(line, sizeof(line), "%s", msg);
    }
    r->refused++;
    say(r, line);
}

/*
 * Whether the load may be applied: a file rejected whole (not XML, DTD, too
 * large, cannot be decrypted), no master file, or one that could not be
 * fetched fails the run. 0, or the run's error with res saying why.
 */
static int loaded(run_t *r, const certslot_config_t *cfg, int ret, const char *where, const char *mac)
{
    char msg[512];

    for (size_t i = 0; i < cfg->ndiags && r->failed == 0; i++) {
        const certslot_diag_t *d = &cfg->diags[i];
        if (d->rejects_file) {
            snprintf(msg, sizeof(msg), "%s: rejected: %s", d->file != NULL ? d->file : "?", d->msg);
            failure(r, CERTSLOT_STATUS_PROTOCOL, msg);
        }
    }
    if (r->failed == 0 && r->files == 0) {
        snprintf(msg, sizeof(msg), "%s: not found: no master file (%s.cfg or 000000000000.cfg)", where, mac);
        failure(r, CERTSLOT_STATUS_NOT_FOUND, msg);
    } else if (r->failed == 0 && (cfg->io_error || (ret != 0 && ret != CERTSLOT_ERR_VALUE))) {
        snprintf(msg, sizeof(msg), "%s: the configuration could not be loaded: %s", where, certslot_strerror(ret));
        failure(r, CERTSLOT_STATUS_FAILED, msg);
    }
    if (r->failed == 0)
        return 0;
    snprintf(msg, sizeof(msg), "%s", r->res->msg);
    cs_result(r->res, (int)r->res->status, 0, "%.480s; nothing applied", msg);
    if (r->res->status == CERTSLOT_STATUS_NOT_FOUND)
        return CERTSLOT_ERR_NOT_FOUND;
    return ret != 0 && ret != CERTSLOT_ERR_VALUE ? ret : CERTSLOT_ERR_IO;
}

/* Values refused by the parser (and CONFIG_FILES entries refused) are the administrator's to see too. */
static void report_refused(run_t *r, const certslot_config_t *cfg)
{
    for (size_t i = 0; i < cfg->ndiags; i++) {
        const certslot_diag_t *d = &cfg->diags[i];
        char line[512];
        if (d->severity != CERTSLOT_ERROR || d->rejects_file)
            continue;
        snprintf(line, sizeof(line), "%s:%u:%u: %s", d->file != NULL ? d->file : "?", (unsigned)d->line,
                 (unsigned)d->col, d->msg);
        r->refused++;
        say(r, line);
    }
    if (cfg->dropped_errors > 0) { /* beyond the diagnostics' limit: counted, not kept */
        char line[160];
        snprintf(line, sizeof(line), "%u more refused value%s not listed (the handset keeps %zu bytes of diagnostics)",
                 cfg->dropped_errors, cfg->dropped_errors == 1 ? "" : "s", cfg->diag_limit);
        r->refused += (int)cfg->dropped_errors;
        say(r, line);
    }
}

int certslot_prov_run(certslot_store_t *st, const certslot_hal_t *hal, const certslot_url_t *server,
                      unsigned timeout_ms, certslot_prov_report_fn report, void *report_ctx,
                      certslot_result_t *res)
{
    certslot_config_t *cfg = certslot_calloc(1, sizeof(*cfg));
    char mac[13], where[300];
    run_t r;
    int ret;

    memset(res, 0, sizeof(*res));
    memset(&r, 0, sizeof(r));
    certslot_url_describe(server, where, sizeof(where));
    if (cfg == NULL)
        return cs_result(res, -1, CERTSLOT_ERR_NOMEM, "out of memory");
    certslot_config_init(cfg);
    if ((ret = hal->mac(hal->ctx, mac)) != 0 || (ret = certslot_config_set_mac(cfg, mac)) != 0) {
        cs_result(res, CERTSLOT_STATUS_FAILED, ret, "cannot start provisioning: %s", certslot_strerror(ret));
        goto cleanup;
    }
    r.server = server;
    r.opts.hal = hal;
    r.opts.settings = &st->settings; /* the TLS profile of the last configuration applied */
    r.opts.st = st;
    r.opts.tls_name = server->host;
    r.opts.deadline_ms = timeout_ms;
    r.opts.max_size = CERTSLOT_CONFIG_MAX_FILE;
    r.report = report;
    r.report_ctx = report_ctx;
    r.res = res;
    const certslot_source_t src = {fetch_open, fetch_read, fetch_close, &r, NULL};
    ret = certslot_config_load_master(cfg, &src, NULL);
    (void)certslot_config_finish(cfg);
    if ((ret = loaded(&r, cfg, ret, where, mac)) != 0)
        goto cleanup;
    report_refused(&r, cfg);
    ret = certslot_config_apply(cfg, st, apply_report, &r);
    if (ret == 0 && r.refused > 0)
        ret = CERTSLOT_ERR_VALUE;
    if (ret == 0 || ret == CERTSLOT_ERR_VALUE) {
        cs_result(res, CERTSLOT_STATUS_OK, 0, "applied %u file%s from %s%s", r.files, r.files == 1 ? "" : "s", where,
                  r.refused > 0 ? "; some values were refused (reported; they kept what they had)" : "");
    } else {
        cs_result(res, CERTSLOT_STATUS_FAILED, ret, "cannot store the configuration: %s; nothing applied",
                  certslot_strerror(ret));
    }
cleanup:
    certslot_config_free(cfg);
    certslot_free(cfg);
    return ret;
}

int certslot_prov_upload_log(const certslot_store_t *st, const certslot_hal_t *hal, const certslot_url_t *server,
                             const char *name, const unsigned char *data, size_t len, unsigned timeout_ms,
                             certslot_result_t *res)
{
    certslot_fetch_opts_t o;
    certslot_url_t url;

    memset(res, 0, sizeof(*res));
    memset(&o, 0, sizeof(o));
    o.hal = hal;
    o.settings = &st->settings;
    o.st = st;
    o.tls_name = server->host;
    o.deadline_ms = timeout_ms;
    int ret = file_url(server, name, &url);
    if (ret == 0)
        ret = certslot_upload(&o, &url, data, len, res);
    else {
        cs_result(res, CERTSLOT_STATUS_BAD_URL, ret, "log file name refused: %s",
                  ret == CERTSLOT_ERR_LIMIT ? "too long" : "it contains a control character");
    }
    certslot_url_wipe(&url);
    return ret;
}
