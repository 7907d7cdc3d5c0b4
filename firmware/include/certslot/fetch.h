/**
 * @file
 * Fetching a file from a server (FTP, TFTP, HTTP, HTTPS, FTPS), uploading a
 * log, and installing a certificate from a URL. On top of the stages
 * (README, "Architecture"; folder firmware/src/prov/): it takes settings and
 * the store for its TLS profile, and the scheme table of url.h says which
 * protocol file runs each scheme.
 *
 * Every call ends with a status a UI can show and a one-line message (never
 * a password). HTTPS and FTPS use the provisioning application's TLS
 * profile (certslot_tls_setup with CERTSLOT_APP_PROV): its CA slots, its
 * strict name check against the configured server name, its lowest
 * protocol. Replies are untrusted input: every line, header and body is
 * bounded; a body larger than the limit is refused, never truncated; and
 * so is time: each wait, the whole transfer, and its progress (below).
 * FTPS protects the control and the data connections (PBSZ 0, PROT P):
 * ftps:// is implicit TLS (port 990 by default; a server that greets in
 * plain text is explicit FTPS and gets AUTH TLS on a new connection),
 * ftpes:// explicit TLS (AUTH TLS, port 21). A refused AUTH TLS or PROT P
 * is an error, never a fall back to plain text. Data connections resume the
 * control connection's TLS session.
 */
#ifndef CERTSLOT_FETCH_H
#define CERTSLOT_FETCH_H

#include <stddef.h>

#include "certslot/error.h"
#include "certslot/hal.h"
#include "certslot/options.h"
#include "certslot/store.h"
#include "certslot/url.h"


/** How certslot_fetch, certslot_fetch_install and certslot_upload run: zeroed fields take the defaults. */
typedef struct {
    const certslot_hal_t *hal;    /**< log and entropy; required for HTTPS/FTPS */
    const certslot_settings_t *settings; /**< the provisioning profile's settings (HTTPS/FTPS) */
    const certslot_store_t *st;   /**< slots the TLS profile trusts (HTTPS/FTPS) */
    const char *tls_name;         /**< configured server name for the strict check; NULL: the URL's host */
    unsigned timeout_ms;          /**< longest wait; 0: CERTSLOT_FETCH_TIMEOUT_MS */
    unsigned deadline_ms;         /**< the whole transfer; 0: CERTSLOT_FETCH_DEADLINE_MS */
    unsigned min_rate;            /**< bytes a second, see above; 0: CERTSLOT_FETCH_MIN_RATE */
    unsigned rate_window_ms;      /**< 0: CERTSLOT_FETCH_RATE_WINDOW_MS */
    size_t max_size;              /**< 0: CERTSLOT_FETCH_MAX_SIZE */
    const char *user;             /**< certslot_fetch_install: when user is set, user and password, not the URL's */
    const char *password;         /**< the password going with user */
} certslot_fetch_opts_t;

/**
 * Fetches url into `*data` (certslot_calloc, NUL-terminated, `*len` bytes
 * without the NUL; the caller wipes and frees). Returns 0, or a negative
 * CERTSLOT_ERR_* with res saying why (res->status is never OK then).
 */
int certslot_fetch(const certslot_fetch_opts_t *o, const certslot_url_t *url, unsigned char **data, size_t *len,
                   certslot_result_t *res);

/**
 * Uploads a log: FTP and FTPS append to the file (APPE), HTTP and HTTPS
 * replace it (PUT). TFTP: CERTSLOT_STATUS_UNSUPPORTED.
 */
int certslot_upload(const certslot_fetch_opts_t *o, const certslot_url_t *url, const unsigned char *data, size_t len,
                    certslot_result_t *res);

/**
 * Installs the certificate(s) at url_text (http:// or ftp:// with user
 * and password; PEM in any layout, or DER) into slot's kind part with the
 * store's all-or-nothing rule (certslot_store_install). An ftp:// URL
 * without user and password is refused before any connection. res->msg is
 * the store's "installed into ..." line on success. o->user and o->password,
 * when set, replace the URL's credentials (so they need not be in a URL).
 */
int certslot_fetch_install(certslot_store_t *st, certslot_slot_t slot, certslot_kind_t kind, const char *url_text,
                           const certslot_fetch_opts_t *o, int allow_weak, certslot_result_t *res);

#endif
