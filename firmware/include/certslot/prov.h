/**
 * @file
 * Provisioning at boot: fetch the master file and the files it names from
 * the provisioning server, and apply them to the store as one update.
 *
 * The server comes from device.prov.serverType / serverName / user /
 * password (a URL in serverName overrides the type and, when it has them,
 * the credentials). Flow: "<mac>.cfg", else "000000000000.cfg", then each
 * CONFIG_FILES entry (certslot_config_load_master through a source that
 * fetches). If any file could not be fetched or was rejected whole, that is
 * reported and nothing of this provisioning applies: slots and stored
 * settings stay as they were.
 * Otherwise the configuration is applied with certslot_config_apply (one
 * persisted update). HTTPS and FTPS use the provisioning TLS profile of the
 * settings stored in the store (the last configuration applied), with the
 * strict name check against the server's host name. The flow sits on top of
 * the stages: it drives the config stage with what it fetches and the store
 * with the result.
 */
#ifndef CERTSLOT_PROV_H
#define CERTSLOT_PROV_H

#include "certslot/error.h"
#include "certslot/fetch.h"
#include "certslot/hal.h"
#include "certslot/store.h"
#include "certslot/url.h"

/**
 * The server from explicit values: server_name is a URL or host[:port][/path];
 * type 0..4 (device.prov.serverType); user and password used unless the URL
 * has credentials (NULL: "PlcmSpIp"). CERTSLOT_ERR_VALUE with why.
 */
int certslot_prov_server(certslot_url_t *server, const char *server_name, int type, const char *user,
                         const char *password, char *why, size_t why_size);

/** The server as the settings name it (device.prov.*). */
int certslot_prov_server_from_settings(const certslot_settings_t *s, certslot_url_t *server, char *why,
                                       size_t why_size);

/** Called with each problem of the run (fetch failures, rejected files, refused slot values). */
typedef void (*certslot_prov_report_fn)(void *ctx, const char *msg);


/**
 * One provisioning run against server for the handset whose MAC the hal
 * gives. timeout_ms is the most each transfer (connection, TLS handshake,
 * all its data) may take; 0: CERTSLOT_FETCH_DEADLINE_MS. Returns 0 when applied; CERTSLOT_ERR_VALUE when applied but some
 * values were refused (each reported with its file:line:col: a bad value, a
 * refused CONFIG_FILES entry, a refused slot value; they kept what they
 * had); any other error: nothing applied, res says why.
 */
int certslot_prov_run(certslot_store_t *st, const certslot_hal_t *hal, const certslot_url_t *server,
                      unsigned timeout_ms, certslot_prov_report_fn report, void *report_ctx,
                      certslot_result_t *res);

/**
 * Uploads a log as name in the server's directory: appended on FTP/FTPS,
 * replaced on HTTP/HTTPS (PUT); TFTP: not supported. timeout_ms as for
 * certslot_prov_run.
 */
int certslot_prov_upload_log(const certslot_store_t *st, const certslot_hal_t *hal, const certslot_url_t *server,
                             const char *name, const unsigned char *data, size_t len, unsigned timeout_ms,
                             certslot_result_t *res);

#endif
