/**
 * @file
 * A ready TLS client configuration per application, and connections made
 * with it. Stage 5 of the flow (README, "Architecture"; folder
 * firmware/src/tls/, with verify/ for the policy):
 *
 *   config text -> config -> settings -> store -> profile -> TLS -> port
 *
 * It takes settings and the store, resolves the profile (profile.h) and
 * talks to the network only through port.h.
 *
 * certslot_tls_setup() turns an application's resolved profile into an
 * mbedtls_ssl_config: its CA slots as the CA chain, the built-in list
 * through the verify callback (parsed lazily, one root at a time), its
 * device certificate and key when it has one (mutual TLS), its cipher list
 * mapped from OpenSSL syntax, its lowest protocol version, and verify.h's
 * policy always applied. A certslot_tls_t serves one connection at a time.
 */
#ifndef CERTSLOT_TLS_H
#define CERTSLOT_TLS_H

#include <stdint.h>

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/pk.h>
#include <mbedtls/ssl.h>
#include <mbedtls/x509_crt.h>

#include "certslot/cert.h"
#include "certslot/hal.h"
#include "certslot/options.h"
#include "certslot/port.h"
#include "certslot/profile.h"
#include "certslot/store.h"
#include "certslot/verify.h"

/** One application's TLS configuration, made by certslot_tls_setup; it serves any number of connections. */
typedef struct {
    const certslot_hal_t *hal;      /**< log, clock, entropy */
    certslot_app_profile_t profile; /**< the application's resolved profile */
    certslot_verify_t verify;       /**< the verification settings its connections start from */
    mbedtls_ssl_config conf;        /**< the mbedTLS configuration */
    mbedtls_ctr_drbg_context drbg;  /**< seeded from hal->random */
    mbedtls_x509_crt ca;  /**< the profile's CA slots */
    mbedtls_x509_crt own; /**< device certificate and its chain */
    mbedtls_pk_context own_key; /**< the device certificate's key */
    int has_ca;                 /**< 1: ca holds a certificate */
    int has_own;                /**< 1: a device certificate is presented */
    int suites[CERTSLOT_TLS_MAX_SUITES]; /**< the suites offered (TLS 1.3's first), for mbedtls_ssl_conf_ciphersuites */
    char own_cn[CERTSLOT_CERT_CN_SIZE];     /**< CN of the device certificate presented, for logs */
} certslot_tls_t;

/** An empty configuration. Cannot fail. */
void certslot_tls_init(certslot_tls_t *t);

/**
 * Builds the configuration for app from settings and slots into t (made by
 * certslot_tls_init, used once). Fails closed with a reason: a profile that
 * trusts no CA, a device slot that is not complete, a cipher list that
 * leaves no suite. Free t with certslot_tls_free() whatever it returned.
 */
int certslot_tls_setup(certslot_tls_t *t, const certslot_hal_t *hal, const certslot_settings_t *settings,
                       const certslot_store_t *st, certslot_app_t app, char *why, size_t why_size);
/** Frees and wipes; accepts an initialised, set up or freed t. */
void certslot_tls_free(certslot_tls_t *t);

/** One TLS connection. */
typedef struct {
    mbedtls_ssl_context ssl; /**< the mbedTLS context (mbedtls_ssl_get_version, ...) */
    certslot_conn_t *conn;   /**< the port's connection under it */
    certslot_tls_t *tls;     /**< the configuration it was made with */
    unsigned timeout_ms;          /**< longest wait for the peer */
    certslot_deadline_t deadline; /**< reads and writes time out once it is spent (ms 0: none) */
    unsigned char refused;        /**< the TLS alert with which the server refused the device certificate, or 0 */
    unsigned char resumed;        /**< 1: the server resumed the session given to certslot_tls_start */
    unsigned char first[4];       /**< the first bytes the peer sent (a plain-text FTP greeting shows here) */
    unsigned char first_len;      /**< bytes in first */
    unsigned char notified;       /**< close_notify sent (certslot_tls_shutdown) */
} certslot_tls_conn_t;

/**
 * Connects to host:port and completes a verified handshake, all within
 * timeout_ms (a peer that trickles the handshake cannot stretch it). name
 * is the configured server name the strict check compares (NULL: host
 * itself); it is also sent as SNI unless it is an IP literal. Returns 0, or
 * CERTSLOT_ERR_VERIFY / CERTSLOT_ERR_NAME (the peer was refused; why says
 * why), CERTSLOT_ERR_TLS, CERTSLOT_ERR_NET or CERTSLOT_ERR_TIMEOUT. On error
 * the connection is already closed. Afterwards each read or write waits at
 * most timeout_ms, and c->deadline (none after connect) bounds them all.
 */
int certslot_tls_connect(certslot_tls_conn_t *c, certslot_tls_t *t, const char *host, uint16_t port,
                         const char *name, unsigned timeout_ms, char *why, size_t why_size);

/**
 * certslot_tls_connect over a connection already made (conn, from
 * certslot_port_connect: c owns it from here, and has closed it when this
 * fails), for protocols that start TLS inside a plain session (FTP's AUTH
 * TLS) or that resume a session: resume (NULL: none) is a session of an
 * earlier connection to the same server (certslot_tls_get_session), which
 * that connection verified. When the server resumes it (c->resumed), no
 * certificate is sent and none is needed; when it does not, the handshake is
 * a full one, verified as always.
 */
int certslot_tls_start(certslot_tls_conn_t *c, certslot_tls_t *t, certslot_conn_t *conn, const char *name,
                       const mbedtls_ssl_session *resume, unsigned timeout_ms, char *why, size_t why_size);

/**
 * The session of c (in TLS 1.3 the latest ticket the server sent) into out
 * (mbedtls_ssl_session_init'ed; free it with mbedtls_ssl_session_free), for
 * certslot_tls_start's resume. 0, or CERTSLOT_ERR_TLS when there is none.
 */
int certslot_tls_get_session(const certslot_tls_conn_t *c, mbedtls_ssl_session *out);

/** @{ */
/**
 * Bytes written / read (0: the peer closed), or a negative CERTSLOT_ERR_*:
 * CERTSLOT_ERR_TIMEOUT, CERTSLOT_ERR_AUTH when the server refused the
 * device certificate (in TLS 1.3 it says so only after the handshake: c->refused
 * holds its alert), CERTSLOT_ERR_TLS for anything else.
 */
int certslot_tls_write(certslot_tls_conn_t *c, const unsigned char *buf, size_t len);
int certslot_tls_read(certslot_tls_conn_t *c, unsigned char *buf, size_t len);
/** @} */
/**
 * Sends close_notify now (an upload's end: the peer learns that all data
 * came); the connection stays open for reading what the peer still sends.
 * 0 or CERTSLOT_ERR_TLS. certslot_tls_close does not send it again.
 */
int certslot_tls_shutdown(certslot_tls_conn_t *c);
/** Sends close_notify (unless certslot_tls_shutdown did), closes the port connection and frees c's TLS state;
 * accepts NULL. */
void certslot_tls_close(certslot_tls_conn_t *c);

#endif
