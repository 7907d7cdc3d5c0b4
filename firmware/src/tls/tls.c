/*
 * Application profile -> mbedtls_ssl_config, and verified connections.
 */
#include "certslot/tls.h"

#include <stdio.h>
#include <string.h>

#include <mbedtls/error.h>
#include <mbedtls/net_sockets.h>
#include <mbedtls/version.h>

#include "certslot/cert.h"
#include "certslot/ciphers.h"
#include "certslot/error.h"
#include "certslot/name.h"
#include "certslot/platform.h"
#include "certslot/text.h"
#include "core/internal.h"

/* The server's DHE group (TLS 1.2): at least 2048 bits, as keys (seed 002), and at most 4096, which bounds what a
 * hostile server's group costs the handset (a handshake over 8192 bits took 6 times one over 4096 on the host);
 * mbedTLS's 1024 and 8192 when weak certificates are allowed. */
#define DH_MIN(t) ((t)->verify.allow_weak ? 1024u : 2048u)
#define DH_MAX(t) ((t)->verify.allow_weak ? 8192u : 4096u)
#define PK_PARSE_KEY(pk, d, n, rng, ctx) mbedtls_pk_parse_key((pk), (d), (n), NULL, 0, (rng), (ctx))

static int hal_entropy(void *ctx, unsigned char *out, size_t len)
{
    const certslot_hal_t *hal = ctx;
    return hal->random(hal->ctx, out, len) == 0 ? 0 : MBEDTLS_ERR_CTR_DRBG_ENTROPY_SOURCE_FAILED;
}

/* The device certificate the profile presents, into t->own / t->own_key. */
static int load_own(certslot_tls_t *t, const certslot_store_t *st, char *why, size_t why_size)
{
    certslot_part_t factory;
    const certslot_part_t *p = &factory;
    char reason[CERTSLOT_WHY_LEN];
    int ret = 0;

    memset(&factory, 0, sizeof(factory));
    if (t->profile.device == CERTSLOT_DEVICE_BUILTIN) {
        ret = certslot_store_factory(t->hal, &factory, reason, sizeof(reason));
        if (ret == CERTSLOT_ERR_NOT_FOUND)
            return 0; /* no factory certificate: connections without client authentication still work */
        if (ret != 0) {
            snprintf(why, why_size, "built-in device certificate unavailable: %s", reason);
            return ret;
        }
    } else {
        p = &st->part[t->profile.device][CERTSLOT_KIND_DEVICE];
    }
    for (unsigned i = 0; i < p->ncerts && ret == 0; i++)
        ret = certslot_cert_parse_der(&t->own, p->certs[i].der, p->certs[i].len) == 0 ? 0 : CERTSLOT_ERR_CERT;
    if (ret == 0 && PK_PARSE_KEY(&t->own_key, p->key.der, p->key.len, mbedtls_ctr_drbg_random, &t->drbg) != 0)
        ret = CERTSLOT_ERR_KEY;
    if (ret == 0) {
        certslot_cert_cn(&t->own.subject, t->own_cn, sizeof(t->own_cn));
        t->has_own = 1;
        if (mbedtls_ssl_conf_own_cert(&t->conf, &t->own, &t->own_key) != 0)
            ret = CERTSLOT_ERR_TLS;
    } else {
        snprintf(why, why_size, "the device certificate of the profile cannot be used");
    }
    certslot_part_free(&factory);
    return ret;
}

/*
 * The suites the connection offers: the TLS 1.3 list, then (unless TLS 1.3 is
 * the lowest protocol) the TLS 1.2 suites of the OpenSSL-syntax list. Each
 * version that is on must keep at least one suite.
 */
static int map_suites(certslot_tls_t *t, char *why, size_t why_size)
{
    char reason[CERTSLOT_WHY_LEN];
    int n13 = certslot_ciphers_map13(t->profile.suites13, t->suites, CERTSLOT_TLS_MAX_SUITES, reason, sizeof(reason));

    if (n13 <= 0) {
        snprintf(why, why_size, "%s: TLS 1.3 suites '%s': %s", certslot_app_name(t->profile.app), t->profile.suites13,
                 reason);
        return CERTSLOT_ERR_VALUE;
    }
    if (t->profile.min_version != CERTSLOT_TLS_1_3 &&
        certslot_ciphers_map(t->profile.ciphers, t->suites + n13, CERTSLOT_TLS_MAX_SUITES - (size_t)n13, reason,
                             sizeof(reason)) <= 0) {
        snprintf(why, why_size, "%s: cipher list '%s': %s", certslot_app_name(t->profile.app), t->profile.ciphers,
                 reason);
        return CERTSLOT_ERR_VALUE;
    }
    return 0;
}

void certslot_tls_init(certslot_tls_t *t)
{
    memset(t, 0, sizeof(*t));
    mbedtls_ssl_config_init(&t->conf);
    mbedtls_ctr_drbg_init(&t->drbg);
    mbedtls_x509_crt_init(&t->ca);
    mbedtls_x509_crt_init(&t->own);
    mbedtls_pk_init(&t->own_key);
}

int certslot_tls_setup(certslot_tls_t *t, const certslot_hal_t *hal, const certslot_settings_t *settings,
                       const certslot_store_t *st, certslot_app_t app, char *why, size_t why_size)
{
    static const unsigned char pers[] = "certslot tls";
    int ret;

    t->hal = hal;
    why[0] = '\0';

    ret = certslot_profile_resolve(settings, st, app, &t->profile, why, why_size);
    if (ret != 0)
        return ret;
    if ((ret = map_suites(t, why, why_size)) != 0)
        return ret;
    if (!cs_tls_lib_wrapped()) {
        snprintf(why, why_size, "certslot was linked without -Wl,--wrap=mbedtls_x509_crt_parse_der: its handshakes "
                 "would not bound the server's chain (README, \"Verification\")");
        return CERTSLOT_ERR_TLS;
    }
    if (cs_tls_lib_start() != 0 || mbedtls_ctr_drbg_seed(&t->drbg, hal_entropy, (void *)hal, pers, sizeof(pers) - 1) != 0 ||
        mbedtls_ssl_config_defaults(&t->conf, MBEDTLS_SSL_IS_CLIENT, MBEDTLS_SSL_TRANSPORT_STREAM,
                                    MBEDTLS_SSL_PRESET_DEFAULT) != 0) {
        snprintf(why, why_size, "TLS library setup failed");
        return CERTSLOT_ERR_TLS;
    }
    for (unsigned s = 0; s < CERTSLOT_SLOT_COUNT; s++) {
        if (!(t->profile.ca_slots & (1u << s)))
            continue;
        const certslot_part_t *p = &st->part[s][CERTSLOT_KIND_CA];
        for (unsigned i = 0; i < p->ncerts; i++)
            if (certslot_cert_parse_der(&t->ca, p->certs[i].der, p->certs[i].len) == 0)
                t->has_ca = 1;
    }
    ret = load_own(t, st, why, why_size);
    if (ret != 0)
        return ret;

    certslot_verify_init(&t->verify, hal);
    t->verify.builtin = t->profile.builtin;
    t->verify.strict = t->profile.strict;
    t->verify.purpose = CERTSLOT_PURPOSE_SERVER;
    t->verify.what = certslot_app_name(app);
    t->verify.allow_weak = settings->allow_weak;
    mbedtls_ssl_conf_dhm_min_bitlen(&t->conf, DH_MIN(t));

    mbedtls_ssl_conf_rng(&t->conf, mbedtls_ctr_drbg_random, &t->drbg);
    /* Optional, so mbedTLS hands every chain to the callback even with no CA
     * slot; the callback aborts the handshake itself, and connect() refuses
     * any handshake the callback did not accept. */
    mbedtls_ssl_conf_authmode(&t->conf, MBEDTLS_SSL_VERIFY_OPTIONAL);
    mbedtls_ssl_conf_verify(&t->conf, certslot_verify_cb, &t->verify);
    /* mbedTLS gets no CA chain: certslot builds the path itself, from the callback (verify.h). */
    mbedtls_ssl_conf_ca_chain(&t->conf, NULL, NULL);
    t->verify.trust = t->has_ca ? &t->ca : NULL;
    mbedtls_ssl_conf_cert_profile(&t->conf, certslot_verify_profile(&t->verify));
    mbedtls_ssl_conf_ciphersuites(&t->conf, t->suites);
    /* SSLv2v3, TLSv1_0, TLSv1_1 and TLSv1_2 all mean TLS 1.2 and 1.3: the library has nothing older. */
    mbedtls_ssl_conf_min_tls_version(&t->conf, t->profile.min_version == CERTSLOT_TLS_1_3 ? MBEDTLS_SSL_VERSION_TLS1_3
                                                                                          : MBEDTLS_SSL_VERSION_TLS1_2);
    mbedtls_ssl_conf_max_tls_version(&t->conf, MBEDTLS_SSL_VERSION_TLS1_3);
    mbedtls_ssl_conf_read_timeout(&t->conf, CERTSLOT_TLS_TIMEOUT_MS);
    /* A session ticket is the server's word, in TLS 1.3, that it took the device certificate (settle()). */
    mbedtls_ssl_conf_tls13_enable_signal_new_session_tickets(&t->conf,
                                                            MBEDTLS_SSL_TLS1_3_SIGNAL_NEW_SESSION_TICKETS_ENABLED);
    return 0;
}

void certslot_tls_free(certslot_tls_t *t)
{
    if (t == NULL)
        return;
    mbedtls_ssl_config_free(&t->conf);
    mbedtls_ctr_drbg_free(&t->drbg);
    mbedtls_x509_crt_free(&t->ca);
    mbedtls_x509_crt_free(&t->own);
    mbedtls_pk_free(&t->own_key);
    certslot_zeroize(t, sizeof(*t));
}

/* ---- mbedTLS bio over the port ---- */

static int bio_send(void *ctx, const unsigned char *buf, size_t len)
{
    certslot_tls_conn_t *c = ctx;
    unsigned wait = certslot_deadline_wait(&c->deadline, c->timeout_ms);
    int n = wait > 0 ? certslot_port_send(c->conn, buf, len, wait) : CERTSLOT_ERR_TIMEOUT;
    return n >= 0 ? n : n == CERTSLOT_ERR_TIMEOUT ? MBEDTLS_ERR_SSL_TIMEOUT : MBEDTLS_ERR_NET_SEND_FAILED;
}

static int bio_recv(void *ctx, unsigned char *buf, size_t len, uint32_t timeout)
{
    certslot_tls_conn_t *c = ctx;
    unsigned wait = certslot_deadline_wait(&c->deadline, timeout != 0 ? timeout : c->timeout_ms);
    int n = wait > 0 ? certslot_port_recv(c->conn, buf, len, wait) : CERTSLOT_ERR_TIMEOUT;
    for (int i = 0; i < n && c->first_len < sizeof(c->first); i++)
        c->first[c->first_len++] = buf[i];
    if (n >= 0)
        return n;
    return n == CERTSLOT_ERR_TIMEOUT ? MBEDTLS_ERR_SSL_TIMEOUT : MBEDTLS_ERR_NET_RECV_FAILED;
}

/*
 * A failure of mbedTLS's as certslot's. An alert about certificates is the
 * server refusing the device certificate (or wanting one): in TLS 1.2 it
 * ends the handshake, in TLS 1.3 it arrives after the client's handshake is
 * complete, with the next record; either way it is reported as what it is.
 */
static int failure(certslot_tls_conn_t *c, int ret)
{
    if (ret != MBEDTLS_ERR_SSL_FATAL_ALERT_MESSAGE)
        return ret == MBEDTLS_ERR_SSL_TIMEOUT ? CERTSLOT_ERR_TIMEOUT : CERTSLOT_ERR_TLS;
    /* No accessor for the alert received: the record is still in the input buffer. */
    unsigned char alert = c->ssl.MBEDTLS_PRIVATE(in_msg)[1];
    switch (alert) {
    case MBEDTLS_SSL_ALERT_MSG_BAD_CERT:
    case MBEDTLS_SSL_ALERT_MSG_UNSUPPORTED_CERT:
    case MBEDTLS_SSL_ALERT_MSG_CERT_REVOKED:
    case MBEDTLS_SSL_ALERT_MSG_CERT_EXPIRED:
    case MBEDTLS_SSL_ALERT_MSG_CERT_UNKNOWN:
    case MBEDTLS_SSL_ALERT_MSG_UNKNOWN_CA:
    case MBEDTLS_SSL_ALERT_MSG_ACCESS_DENIED:
    case MBEDTLS_SSL_ALERT_MSG_CERT_REQUIRED:
        c->refused = alert;
        return CERTSLOT_ERR_AUTH;
    default:
        return CERTSLOT_ERR_TLS;
    }
}

/* The reason for CERTSLOT_ERR_AUTH from failure(). */
static void refused(const certslot_tls_conn_t *c, char *why, size_t why_size)
{
    if (c->tls->has_own)
        snprintf(why, why_size, "the server refused the device certificate '%s' (TLS alert %u)", c->tls->own_cn,
                 (unsigned)c->refused);
    else
        snprintf(why, why_size, "the server wants a device certificate, and the profile presents none (TLS alert %u)",
                 (unsigned)c->refused);
}

/*
 * In TLS 1.3 the client's handshake ends before the server has judged the
 * device certificate: wait (briefly) for its verdict, so a refusal is the
 * connection's result, not a later read's. A session ticket or data means
 * it was taken (data stays buffered for the caller); silence for
 * CERTSLOT_TLS_SETTLE_MS is taken as acceptance too.
 */
static int settle(certslot_tls_conn_t *c)
{
    unsigned char none[1];
    certslot_deadline_t handshake = c->deadline;

    if (!c->tls->has_own || mbedtls_ssl_get_version_number(&c->ssl) != MBEDTLS_SSL_VERSION_TLS1_3)
        return 0;
    certslot_deadline_start(&c->deadline, certslot_deadline_wait(&handshake, CERTSLOT_TLS_SETTLE_MS));
    int ret;
    do /* WANT_READ: a ticket arrived, which the next call takes */
        ret = mbedtls_ssl_read(&c->ssl, none, 0);
    while (ret == MBEDTLS_ERR_SSL_WANT_READ);
    if (ret == MBEDTLS_ERR_SSL_RECEIVED_NEW_SESSION_TICKET || ret == MBEDTLS_ERR_SSL_TIMEOUT || ret >= 0)
        return 0;
    return ret == MBEDTLS_ERR_SSL_FATAL_ALERT_MESSAGE ? failure(c, ret) : CERTSLOT_ERR_TLS;
}

/* The callback never saw a chain: with a session offered, the server resumed it (it sends none then). */
static int resumed(const certslot_verify_t *v)
{
    return !v->verified && v->flags == 0 && v->why[0] == '\0';
}

/* Checks and records the names: 0, or CERTSLOT_ERR_ARG with why. */
static int begin(certslot_tls_conn_t *c, certslot_tls_t *t, const char *host, const char *name, unsigned timeout_ms,
                 char *why, size_t why_size)
{
    memset(c, 0, sizeof(*c));
    mbedtls_ssl_init(&c->ssl);
    c->tls = t;
    c->timeout_ms = timeout_ms;
    certslot_deadline_start(&c->deadline, timeout_ms); /* the connection and the whole handshake */
    why[0] = '\0';
    size_t name_len = strlen(name);
    if ((host != NULL && certslot_text_has_ctl(host, strlen(host))) || certslot_text_has_ctl(name, name_len)) {
        snprintf(why, why_size, "the host or server name contains a control character");
        return CERTSLOT_ERR_ARG;
    }
    if (certslot_verify_set_name(&t->verify, name, name_len) != 0) {
        snprintf(why, why_size, "server name too long");
        return CERTSLOT_ERR_ARG;
    }
    return 0;
}

/* The handshake on c->conn, verified (or resumed from resume); on failure c is closed. */
static int handshake(certslot_tls_conn_t *c, certslot_tls_t *t, const char *name, const mbedtls_ssl_session *resume,
                     char *why, size_t why_size)
{
    unsigned char ip[16];
    size_t ip_len, name_len = strlen(name);
    int ret;

    if (mbedtls_ssl_setup(&c->ssl, &t->conf) != 0 ||
        (name_len > 0 && !certslot_ip_parse(name, name_len, ip, &ip_len) &&
         mbedtls_ssl_set_hostname(&c->ssl, name) != 0)) {
        snprintf(why, why_size, "TLS setup failed");
        certslot_tls_close(c);
        return CERTSLOT_ERR_TLS;
    }
    if (resume != NULL)
        (void)mbedtls_ssl_set_session(&c->ssl, resume); /* one the library cannot take: a full handshake */
    mbedtls_ssl_set_bio(&c->ssl, c, bio_send, NULL, bio_recv);
    certslot_verify_start(&t->verify);
    cs_tls_lib_peer_begin(DH_MAX(t));
    do
        ret = mbedtls_ssl_handshake(&c->ssl);
    while (ret == MBEDTLS_ERR_SSL_WANT_READ || ret == MBEDTLS_ERR_SSL_WANT_WRITE);
    size_t dh = cs_tls_lib_peer_dh();
    int sent = cs_tls_lib_peer_end();

    if (ret != 0 && sent > CERTSLOT_VERIFY_MAX_PEER) {
        snprintf(why, why_size, "the chain holds more than %d certificates (CERTSLOT_VERIFY_MAX_PEER)",
                 CERTSLOT_VERIFY_MAX_PEER);
        ret = CERTSLOT_ERR_VERIFY;
    } else if (ret != 0 && dh != 0 && (dh < DH_MIN(t) || dh > DH_MAX(t))) {
        snprintf(why, why_size, "the server's Diffie-Hellman group has %u bits; the profile takes %u to %u%s",
                 (unsigned)dh, DH_MIN(t), DH_MAX(t),
                 t->verify.allow_weak ? "" : " (1024 to 8192 with allowWeakCertificates)");
        ret = CERTSLOT_ERR_TLS;
    } else if (ret == CERTSLOT_CERT_ERR_RSA_EXPONENT) {
        snprintf(why, why_size, "certificate %d of the server's chain has an RSA public exponent longer than %d bits "
                 "(each signature check would cost a private-key operation)", sent,
                 CERTSLOT_CERT_MAX_RSA_E_BITS);
        ret = CERTSLOT_ERR_VERIFY;
    } else if (ret == 0 && ((t->verify.verified && mbedtls_ssl_get_verify_result(&c->ssl) == 0) ||
                     (resume != NULL && resumed(&t->verify)))) {
        c->resumed = !t->verify.verified;
        ret = settle(c);
        if (ret == 0) {
            c->deadline.ms = 0; /* the caller bounds what follows */
            return 0;
        }
        if (ret != CERTSLOT_ERR_AUTH)
            snprintf(why, why_size, "the connection failed right after the handshake");
    } else if (ret != 0 && t->verify.why[0] == '\0' && failure(c, ret) == CERTSLOT_ERR_AUTH) {
        ret = CERTSLOT_ERR_AUTH;
    } else if (t->verify.why[0] != '\0') {
        snprintf(why, why_size, "%s", t->verify.why);
        ret = (t->verify.flags & ~(uint32_t)MBEDTLS_X509_BADCERT_CN_MISMATCH) == 0 ? CERTSLOT_ERR_NAME
                                                                                   : CERTSLOT_ERR_VERIFY;
    } else if (ret == 0) {
        snprintf(why, why_size, "the server's certificate was not verified");
        ret = CERTSLOT_ERR_VERIFY;
    } else {
        char err[120];
        mbedtls_strerror(ret, err, sizeof(err));
        snprintf(why, why_size, "TLS handshake failed: %s", err);
        ret = ret == MBEDTLS_ERR_SSL_TIMEOUT ? CERTSLOT_ERR_TIMEOUT : CERTSLOT_ERR_TLS;
    }
    if (ret == CERTSLOT_ERR_AUTH)
        refused(c, why, why_size);
    cs_log(t->hal, CERTSLOT_LOG_WARNING, "%s", why);
    certslot_tls_close(c);
    return ret;
}

int certslot_tls_connect(certslot_tls_conn_t *c, certslot_tls_t *t, const char *host, uint16_t port,
                         const char *name, unsigned timeout_ms, char *why, size_t why_size)
{
    int ret = begin(c, t, host, name != NULL ? name : host, timeout_ms, why, why_size);
    if (ret == 0 && (ret = certslot_port_connect(&c->conn, host, port, timeout_ms)) != 0) {
        snprintf(why, why_size, "cannot connect to %s port %u: %s", host, (unsigned)port, certslot_strerror(ret));
        ret = ret == CERTSLOT_ERR_TIMEOUT ? ret : CERTSLOT_ERR_NET;
    }
    if (ret != 0) {
        mbedtls_ssl_free(&c->ssl);
        return ret;
    }
    return handshake(c, t, name != NULL ? name : host, NULL, why, why_size);
}

int certslot_tls_start(certslot_tls_conn_t *c, certslot_tls_t *t, certslot_conn_t *conn, const char *name,
                       const mbedtls_ssl_session *resume, unsigned timeout_ms, char *why, size_t why_size)
{
    int ret = begin(c, t, NULL, name, timeout_ms, why, why_size);
    c->conn = conn;
    if (ret != 0) {
        certslot_tls_close(c);
        return ret;
    }
    return handshake(c, t, name, resume, why, why_size);
}

int certslot_tls_get_session(const certslot_tls_conn_t *c, mbedtls_ssl_session *out)
{
    return mbedtls_ssl_get_session(&c->ssl, out) == 0 ? 0 : CERTSLOT_ERR_TLS;
}

int certslot_tls_write(certslot_tls_conn_t *c, const unsigned char *buf, size_t len)
{
    int ret;
    do
        ret = mbedtls_ssl_write(&c->ssl, buf, len);
    while (ret == MBEDTLS_ERR_SSL_WANT_READ || ret == MBEDTLS_ERR_SSL_WANT_WRITE ||
           ret == MBEDTLS_ERR_SSL_RECEIVED_NEW_SESSION_TICKET); /* a ticket that was pending: taken, go on */
    return ret >= 0 ? ret : failure(c, ret);
}

int certslot_tls_read(certslot_tls_conn_t *c, unsigned char *buf, size_t len)
{
    int ret;
    do
        ret = mbedtls_ssl_read(&c->ssl, buf, len);
    while (ret == MBEDTLS_ERR_SSL_WANT_READ || ret == MBEDTLS_ERR_SSL_WANT_WRITE ||
           ret == MBEDTLS_ERR_SSL_RECEIVED_NEW_SESSION_TICKET);
    if (ret == MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY || ret == MBEDTLS_ERR_SSL_CONN_EOF)
        return 0;
    return ret >= 0 ? ret : failure(c, ret);
}

int certslot_tls_shutdown(certslot_tls_conn_t *c)
{
    int ret;
    do
        ret = mbedtls_ssl_close_notify(&c->ssl);
    while (ret == MBEDTLS_ERR_SSL_WANT_WRITE || ret == MBEDTLS_ERR_SSL_WANT_READ);
    c->notified = 1;
    return ret == 0 ? 0 : CERTSLOT_ERR_TLS;
}

void certslot_tls_close(certslot_tls_conn_t *c)
{
    if (c == NULL)
        return;
    if (c->conn != NULL && !c->notified)
        (void)mbedtls_ssl_close_notify(&c->ssl);
    mbedtls_ssl_free(&c->ssl);
    certslot_port_close(c->conn);
    c->conn = NULL;
}
