/*
 * Internal to prov/: what fetch.c, http.c, ftp.c and tftp.c share (xfer.c):
 * a byte stream over a plain or TLS connection with a bounded line reader, a
 * bounded growing buffer, the time rules and the result helper; and the
 * protocols' run functions the scheme table in fetch.c calls. Not a public
 * header.
 */
#ifndef CERTSLOT_XFER_H
#define CERTSLOT_XFER_H

#include <stddef.h>

#include "certslot/fetch.h"
#include "certslot/port.h"
#include "certslot/tls.h"

#include <mbedtls/md.h>


/*
 * A transfer in progress: options, TLS configuration (NULL: plain), result,
 * and its time rules: each wait at most timeout_ms, the whole transfer
 * within deadline, and at least min_rate bytes a second over every
 * window_ms of data (a peer that trickles is given up on early).
 */
typedef struct {
    const certslot_fetch_opts_t *o;
    certslot_tls_t *tls;
    unsigned timeout_ms;
    certslot_deadline_t deadline;
    size_t min_rate;
    unsigned window_ms;
    uint32_t window_start;
    size_t window_bytes;
    int too_slow; /* the minimum-progress rule ended it */
    size_t max_size;
    int other_host; /* a redirect left the configured host: TLS checks the new host's name */
    certslot_result_t *res;
    char where[300]; /* scheme://host:port/path, for messages */
} certslot_xfer_t;

typedef struct {
    certslot_xfer_t *x; /* whose time rules apply */
    certslot_conn_t *conn; /* plain */
    certslot_tls_conn_t tls;
    int is_tls, open;
    char host[CERTSLOT_URL_MAX_HOST + 1]; /* connected to */
    unsigned char buf[2048];
    size_t pos, have;
} certslot_xfer_stream_t;

/* The wait x's rules allow now (0: the transfer is out of time). */
unsigned certslot_xfer_wait(const certslot_xfer_t *x);
/* Counts n bytes of progress; CERTSLOT_ERR_TIMEOUT (x->too_slow set) when the minimum-progress rule fails. */
int certslot_xfer_progress(certslot_xfer_t *x, size_t n);

typedef struct {
    unsigned char *data;
    size_t len, cap, max;
} certslot_xfer_buf_t;

/* Sets up x->tls for the provisioning profile, once (freed by fetch.c); on failure fills x->res. */
int certslot_xfer_tls(certslot_xfer_t *x);
/* Connects (with TLS when x->tls and tls); on failure fills x->res. */
int certslot_xfer_open(certslot_xfer_t *x, certslot_xfer_stream_t *s, const char *host, uint16_t port, int tls);
/*
 * Starts TLS on the open plain stream s (FTP's AUTH TLS; resume: a session
 * to offer, NULL for none); refused when the server already sent bytes the
 * stream holds unread. On failure s is closed and x->res says why.
 */
int certslot_xfer_starttls(certslot_xfer_stream_t *s, const mbedtls_ssl_session *resume);
int certslot_xfer_write(certslot_xfer_stream_t *s, const unsigned char *buf, size_t len); /* all or error */
/* Up to len bytes (0: closed by the peer). */
int certslot_xfer_read(certslot_xfer_stream_t *s, unsigned char *buf, size_t len);
/* One line without its CR LF, NUL-terminated; a longer line is cut to size - 1 (the rest skipped). */
int certslot_xfer_line(certslot_xfer_stream_t *s, char *line, size_t size);
/*
 * The end of an upload over TLS: close_notify, then what the server still
 * sends read until it closes too, so that the close cannot reset the
 * connection before the server has read everything (no-op in clear).
 */
int certslot_xfer_finish(certslot_xfer_stream_t *s);
void certslot_xfer_close(certslot_xfer_stream_t *s);

/* Appends; CERTSLOT_ERR_LIMIT beyond b->max, CERTSLOT_ERR_NOMEM. Keeps one spare byte for a NUL. */
int certslot_xfer_buf_add(certslot_xfer_buf_t *b, const unsigned char *p, size_t n);
void certslot_xfer_buf_free(certslot_xfer_buf_t *b);

/* Sets res (status from err when status < 0) and returns err. */
int certslot_xfer_fail(certslot_xfer_t *x, int status, int err, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

/*
 * A protocol's transfer: fetches url into out, or with up (not NULL)
 * uploads up_len bytes (HTTP: PUT, replacing; FTP: APPE, appending). On
 * failure x->res says why.
 */
typedef int (*certslot_xfer_run_fn)(certslot_xfer_t *x, const certslot_url_t *url, const unsigned char *up,
                                    size_t up_len, certslot_xfer_buf_t *out);

/* ---- HTTP authentication (http_auth.c) ---- */

#define CERTSLOT_HTTP_AUTH_VALUE_MAX 200 /* a challenge's realm, nonce or opaque */

/* What the server's WWW-Authenticate lines offered. */
typedef struct {
    int offered_basic, offered_digest;
    char other[24]; /* a scheme certslot does not answer (Negotiate, NTLM, ...), for the message */
    struct {
        mbedtls_md_type_t md; /* MD5 or SHA-256 */
        int sess, qop, stale, has_opaque;
        char realm[CERTSLOT_HTTP_AUTH_VALUE_MAX], nonce[CERTSLOT_HTTP_AUTH_VALUE_MAX];
        char opaque[CERTSLOT_HTTP_AUTH_VALUE_MAX], algorithm[16];
    } digest; /* the strongest usable Digest challenge */
} certslot_http_auth_t;

/* Takes one WWW-Authenticate value into a (zeroed first); a malformed or unusable Digest challenge is skipped. */
void certslot_http_auth_challenge(certslot_http_auth_t *a, const char *header);
/*
 * The "Authorization: Digest ...\r\n" line answering a's Digest challenge
 * (RFC 7616, nc 00000001) for method and uri. CERTSLOT_ERR_VALUE for a user
 * name a quoted string cannot hold, CERTSLOT_ERR_LIMIT when it does not fit.
 */
int certslot_http_digest_line(const certslot_http_auth_t *a, const char *user, const char *password,
                              const char *method, const char *uri, const char *cnonce, char *out, size_t size);
/* The "Authorization: Basic ...\r\n" line. */
int certslot_http_basic_line(const char *user, const char *password, char *out, size_t size);

int certslot_http_run(certslot_xfer_t *x, const certslot_url_t *url, const unsigned char *put, size_t put_len,
                      certslot_xfer_buf_t *out);
int certslot_ftp_run(certslot_xfer_t *x, const certslot_url_t *url, const unsigned char *append, size_t append_len,
                     certslot_xfer_buf_t *out);
int certslot_tftp_run(certslot_xfer_t *x, const certslot_url_t *url, const unsigned char *up, size_t up_len,
                      certslot_xfer_buf_t *out); /* fetch only */

#endif
