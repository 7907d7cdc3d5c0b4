/**
 * @file
 * URLs of provisioning servers and certificate downloads.
 *
 * Accepted: scheme://[user[:password]@]host[:port][/path] with scheme ftp,
 * tftp, http, https, ftps or ftpes (any case), host a name, an IPv4 address or an
 * IPv6 literal in brackets (any case; kept lower case), user, password and
 * path percent-decoded. Every field has a fixed bound; anything else
 * (another scheme, a query or fragment, control characters or spaces,
 * a decoded NUL, an empty host, a port outside 1..65535) is refused with a
 * one-line reason. Default ports: ftp 21, tftp 69, http 80, https 443,
 * ftps 990 (implicit TLS), ftpes 21 (explicit TLS: AUTH TLS).
 *
 * The path is kept decoded except for two escapes: an encoded '/' stays
 * "%2F" and an encoded '%' stays "%25". So every '/' of the path is a
 * separator the URL had (a "%2F" is never sent as '/'), and every '%' in it
 * starts one of these two escapes.
 */
#ifndef CERTSLOT_URL_H
#define CERTSLOT_URL_H

#include <stddef.h>
#include <stdint.h>

#include "certslot/options.h"


/**
 * The schemes: X(ID, name, default port, TLS), in the order of
 * device.prov.serverType's numbers (0..4; ftpes, explicit FTPS, has no
 * number: a URL in device.prov.serverName selects it). fetch.c maps each to
 * the protocol that runs it; this table is the one place a scheme is named.
 */
#define CERTSLOT_SCHEMES(X)                                                                                          \
    X(FTP, "ftp", 21, 0) X(TFTP, "tftp", 69, 0) X(HTTP, "http", 80, 0) X(HTTPS, "https", 443, 1)                      \
    X(FTPS, "ftps", 990, 1) X(FTPES, "ftpes", 21, 1)

/** A scheme: CERTSLOT_SCHEME_<ID> of CERTSLOT_SCHEMES. */
typedef enum {
#define CERTSLOT_X_(id, name, port, tls) CERTSLOT_SCHEME_##id,
    CERTSLOT_SCHEMES(CERTSLOT_X_)
#undef CERTSLOT_X_
    CERTSLOT_SCHEME_COUNT
} certslot_scheme_t;

/** A parsed URL. */
typedef struct {
    certslot_scheme_t scheme;             /**< its scheme */
    char host[CERTSLOT_URL_MAX_HOST + 1]; /**< without brackets */
    uint16_t port;                        /**< explicit or the scheme's default */
    int has_user;                         /**< 1: the URL names a user */
    int has_password;                     /**< 1: the URL has a password */
    char user[CERTSLOT_URL_MAX_CRED + 1]; /**< the user, decoded */
    char password[CERTSLOT_URL_MAX_CRED + 1]; /**< the password, decoded (a secret) */
    char path[CERTSLOT_URL_MAX_PATH + 1]; /**< "" or starts with '/'; decoded but "%2F" and "%25" (above) */
} certslot_url_t;

/** "ftp", "tftp", "http", "https", "ftps", "ftpes"; "?" for anything else. */
const char *certslot_scheme_name(certslot_scheme_t scheme);
/** 21, 69, 80, 443, 990, 21 for ftp, tftp, http, https, ftps, ftpes. */
uint16_t certslot_scheme_default_port(certslot_scheme_t scheme);
/** 1 for the schemes over TLS (https, ftps, ftpes). */
int certslot_scheme_is_tls(certslot_scheme_t scheme);

/**
 * Parses text into url. CERTSLOT_ERR_VALUE with the reason in why (which
 * never contains the password) when text is not an accepted URL; url is
 * then wiped.
 */
int certslot_url_parse(const char *text, certslot_url_t *url, char *why, size_t why_size);

/**
 * Parses host[:port][/path] (no scheme, no credentials) into url with the
 * given scheme, as device.prov.serverName is read when it is not a URL.
 */
int certslot_url_parse_server(const char *text, certslot_scheme_t scheme, certslot_url_t *url, char *why,
                              size_t why_size);

/**
 * Sets url's credentials (password may be NULL: none), replacing any it had.
 * CERTSLOT_ERR_VALUE with why for an empty user, a field longer than
 * CERTSLOT_URL_MAX_CRED, or a control character (url is then unchanged).
 */
int certslot_url_set_credentials(certslot_url_t *url, const char *user, const char *password, char *why,
                                 size_t why_size);

/** 1 when text has a "://" (it is meant as a URL), else 0. */
int certslot_url_is_url(const char *text);

/**
 * The path as a file name for FTP and TFTP: without its leading '/', "%25"
 * as '%', "%2F" kept as it is. CERTSLOT_ERR_LIMIT when it does not fit.
 */
int certslot_url_file_name(const certslot_url_t *url, char *out, size_t size);

/**
 * Appends "/name" to url's path (one '/', whatever the path ended with; a
 * '%' of name becomes "%25"). CERTSLOT_ERR_VALUE for a name with a control
 * character, CERTSLOT_ERR_LIMIT when the path would be too long; url is
 * unchanged then.
 */
int certslot_url_append_name(certslot_url_t *url, const char *name);

/**
 * text (a URL, or a server name that may not be one) as it may be shown:
 * the password of its user-info replaced by "<secret>", split exactly as
 * certslot_url_parse splits it (the last '@' before the path ends the
 * user-info, the first ':' in it starts the password), into out (always
 * NUL-terminated, cut to size; the password is never copied).
 */
void certslot_url_redact(const char *text, char *out, size_t size);

/** url as text for messages: scheme://host:port/path, never credentials. */
void certslot_url_describe(const certslot_url_t *url, char *buf, size_t size);

/** Wipes url (it holds a password). */
void certslot_url_wipe(certslot_url_t *url);

#endif
