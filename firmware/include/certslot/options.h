/**
 * @file
 * certslot's compile-time options, all of them, in the style of lwIP's opt.h:
 * every limit and feature switch with its default and what it bounds. A
 * firmware build overrides any of them with -D (or a header it includes
 * first); nothing else in the module defines one.
 *
 * Feature switches are 1 (built in) or 0 (left out). A build without a
 * feature still compiles and links; using it then fails with
 * CERTSLOT_ERR_UNSUPPORTED and a message that says the build leaves it out.
 */
#ifndef CERTSLOT_OPTIONS_H
#define CERTSLOT_OPTIONS_H

/* ---- features ---- */

#ifndef CERTSLOT_WITH_FTP
#define CERTSLOT_WITH_FTP 1 /**< FTP and FTPS for provisioning, URL install and log upload */
#endif
#ifndef CERTSLOT_WITH_TFTP
#define CERTSLOT_WITH_TFTP 1 /**< TFTP for provisioning and URL install */
#endif
#ifndef CERTSLOT_WITH_CONFIG_ENCRYPTION
#define CERTSLOT_WITH_CONFIG_ENCRYPTION 1 /**< encrypted config files (certslot/cfgcrypt.h) */
#endif
#ifndef CERTSLOT_WITH_CSR
#define CERTSLOT_WITH_CSR 1 /**< a key and CSR made on the handset (certslot/csr.h, certslot_store_csr) */
#endif
#ifndef CERTSLOT_WITH_DOT1X
#define CERTSLOT_WITH_DOT1X 1 /**< the dot1x profile as a wpa_supplicant network block (certslot/dot1x.h) */
#endif
#ifndef CERTSLOT_WITH_SYSLOG
#define CERTSLOT_WITH_SYSLOG 1 /**< RFC 5425 syslog over TLS (certslot/syslog.h) */
#endif

/* ---- config files ---- */

#ifndef CERTSLOT_CONFIG_MAX_VALUE
#define CERTSLOT_CONFIG_MAX_VALUE (64u * 1024u) /**< bytes of one value */
#endif
#ifndef CERTSLOT_CONFIG_MAX_FILE
#define CERTSLOT_CONFIG_MAX_FILE (4u * 1024u * 1024u) /**< bytes of one file (decrypted) */
#endif
#ifndef CERTSLOT_CONFIG_MAX_FILES
#define CERTSLOT_CONFIG_MAX_FILES 32 /**< files in one configuration */
#endif
#ifndef CERTSLOT_CONFIG_DIAG_BYTES
#define CERTSLOT_CONFIG_DIAG_BYTES 8192u /**< default heap the kept diagnostics may take, records and text
                                               (certslot_config_t.diag_limit); later ones are only counted */
#endif
#ifndef CERTSLOT_CONFIG_MAX_SUGGEST
#define CERTSLOT_CONFIG_MAX_SUGGEST 32 /**< did-you-mean searches in one configuration: each is a pass over every
                                          name, so a file of near-miss names cannot cost more than these */
#endif
#ifndef CERTSLOT_CONFIG_DIAG_LEN
#define CERTSLOT_CONFIG_DIAG_LEN 200 /**< bytes of one diagnostic's message */
#endif

/* ---- settings ---- */

#ifndef CERTSLOT_SETTINGS_TEXT_MAX
#define CERTSLOT_SETTINGS_TEXT_MAX 4096 /**< bytes of every text setting together: cipher lists, server, credentials */
#endif

/* ---- store ---- */

#ifndef CERTSLOT_STORE_MAX_CERTS
#define CERTSLOT_STORE_MAX_CERTS 8 /**< certificates in one CA slot, or device certificate + chain */
#endif
#ifndef CERTSLOT_STORE_MAX_FILE
#define CERTSLOT_STORE_MAX_FILE (512u * 1024u) /**< bytes of the store file */
#endif
#ifndef CERTSLOT_CSR_KEY_BITS
#define CERTSLOT_CSR_KEY_BITS 2048 /**< RSA key made on the handset for a CSR */
#endif

/* ---- verification ---- */

#ifndef CERTSLOT_TIME_FLOOR
#define CERTSLOT_TIME_FLOOR 1763856000 /**< "now" while the clock is unsynchronised: the release date, 2025-11-23 */
#endif
#ifndef CERTSLOT_NAME_MAX
#define CERTSLOT_NAME_MAX 255 /**< bytes of a server name the strict check compares */
#endif
#ifndef CERTSLOT_VERIFY_MAX_DEPTH
#define CERTSLOT_VERIFY_MAX_DEPTH 8 /**< intermediates a path may hold (leaf and trust anchor not counted) */
#endif
#ifndef CERTSLOT_VERIFY_MAX_SIGNATURES
#define CERTSLOT_VERIFY_MAX_SIGNATURES 32 /**< signature checks one path search may make (a hostile chain of
                                             look-alike issuers costs at most this many) */
#endif
#ifndef CERTSLOT_VERIFY_MAX_PEER
#define CERTSLOT_VERIFY_MAX_PEER 16 /**< most certificates a peer's chain may hold (a longer one is refused) */
#endif

/* ---- TLS ---- */

#ifndef CERTSLOT_TLS_TIMEOUT_MS
#define CERTSLOT_TLS_TIMEOUT_MS 10000 /**< longest wait for a TLS peer */
#endif
#ifndef CERTSLOT_TLS_SETTLE_MS
#define CERTSLOT_TLS_SETTLE_MS 1000 /**< TLS 1.3 with a device certificate: how long connect waits for the server's
                                       verdict on it (a session ticket, data or a refusal) */
#endif
#ifndef CERTSLOT_TLS_MAX_SUITES
#define CERTSLOT_TLS_MAX_SUITES 160 /**< cipher suites one cipher list may map to */
#endif

/* ---- transfers (provisioning, URL install, log upload) ---- */

#ifndef CERTSLOT_URL_MAX_HOST
#define CERTSLOT_URL_MAX_HOST 255 /**< bytes of a URL's host */
#endif
#ifndef CERTSLOT_URL_MAX_CRED
#define CERTSLOT_URL_MAX_CRED 127 /**< bytes of a URL's user, and of its password */
#endif
#ifndef CERTSLOT_URL_MAX_PATH
#define CERTSLOT_URL_MAX_PATH 511 /**< bytes of a URL's path */
#endif
#ifndef CERTSLOT_FETCH_MAX_SIZE
#define CERTSLOT_FETCH_MAX_SIZE (1024u * 1024u) /**< bytes of a file fetched (config files: CONFIG_MAX_FILE) */
#endif
#ifndef CERTSLOT_FETCH_LINE_MAX
#define CERTSLOT_FETCH_LINE_MAX 1024 /**< bytes of a server's reply or header line kept */
#endif
#ifndef CERTSLOT_FETCH_TIMEOUT_MS
#define CERTSLOT_FETCH_TIMEOUT_MS 10000 /**< longest wait for a server */
#endif
/**
 * The most one transfer (connection, TLS handshake, all its data) may take.
 * 60 s: the largest file (a 4 MiB config) over a congested 1 Mbit/s Wi-Fi
 * link takes about 34 s, a handshake a second or two; a server that stalls
 * costs the handset at most a minute per file.
 */
#ifndef CERTSLOT_FETCH_DEADLINE_MS
#define CERTSLOT_FETCH_DEADLINE_MS 60000
#endif
/**
 * Minimum progress: at least CERTSLOT_FETCH_MIN_RATE bytes a second over
 * each CERTSLOT_FETCH_RATE_WINDOW_MS of a transfer, so a server that trickles
 * (a byte every few seconds, each wait in time) is given up on after one
 * window instead of at the deadline. 0 turns the rule off.
 */
#ifndef CERTSLOT_FETCH_MIN_RATE
#define CERTSLOT_FETCH_MIN_RATE 1024
#endif
#ifndef CERTSLOT_FETCH_RATE_WINDOW_MS
/** The window CERTSLOT_FETCH_MIN_RATE is measured over, in milliseconds. */
#define CERTSLOT_FETCH_RATE_WINDOW_MS 10000
#endif

/* ---- applications ---- */

#ifndef CERTSLOT_SYSLOG_MAX
#define CERTSLOT_SYSLOG_MAX 2048 /**< octets of one syslog message (RFC 5425: what every receiver accepts) */
#endif
#ifndef CERTSLOT_DOT1X_MAX_CONF
#define CERTSLOT_DOT1X_MAX_CONF 8192 /**< bytes of the wpa_supplicant network block */
#endif
#ifndef CERTSLOT_DOT1X_MAX_STRING
#define CERTSLOT_DOT1X_MAX_STRING 256 /**< bytes of an identity, a password, a server name */
#endif

/* ---- platform ---- */

#ifndef CERTSLOT_THREADS
/** 1: threads may call certslot at once, each with its own contexts. The one state certslot changes behind them,
 *  the count of allocations mbedTLS was refused (it reports some as parse errors), is then kept per thread
 *  (_Thread_local); mbedTLS's list of the suites it offers, which it fills on its first use, is filled once
 *  (C11 call_once); and mbedTLS must have its threading layer (MBEDTLS_THREADING_C), because PSA, which TLS 1.3
 *  and the blinding of key operations use, is one state for the process. 0, for a toolchain or RTOS without C11
 *  threads: certslot is called from one thread at a time. */
#define CERTSLOT_THREADS 1
#endif

/* ---- messages ---- */

#ifndef CERTSLOT_WHY_LEN
#define CERTSLOT_WHY_LEN 160 /**< bytes of a one-line reason */
#endif

#endif
