/**
 * @file
 * certslot error codes.
 *
 * Every fallible certslot function returns 0 on success or one of these
 * negative codes. certslot_strerror() turns a code into a one-line message.
 */
#ifndef CERTSLOT_ERROR_H
#define CERTSLOT_ERROR_H

#define CERTSLOT_OK 0            /**< success */
#define CERTSLOT_ERR_ARG -1      /**< invalid argument (a caller bug) */
#define CERTSLOT_ERR_NOMEM -2    /**< allocation failed */
#define CERTSLOT_ERR_IO -3       /**< a file could not be read or written */
#define CERTSLOT_ERR_XML -4      /**< a config file was rejected whole */
#define CERTSLOT_ERR_VALUE -5    /**< one or more parameters had bad values */
#define CERTSLOT_ERR_LIMIT -6    /**< a compile-time size limit was exceeded */
#define CERTSLOT_ERR_NOT_FOUND -7 /**< no such parameter, slot or file */
#define CERTSLOT_ERR_CLOCK -8    /**< the clock is not yet synchronised */
#define CERTSLOT_ERR_POWER -9    /**< (hal/sim) the power is cut: nothing more is written */
#define CERTSLOT_ERR_CERT -10    /**< not a certificate, or not a usable one */
#define CERTSLOT_ERR_KEY -11     /**< not a private key, encrypted, or not matching */
#define CERTSLOT_ERR_POLICY -12  /**< refused by the security policy (key size, hash) */
#define CERTSLOT_ERR_CORRUPT -13 /**< stored data failed its integrity check */
#define CERTSLOT_ERR_CRYPTO -14  /**< a cryptographic operation failed */
#define CERTSLOT_ERR_NAME -15    /**< the server name does not match the certificate */
#define CERTSLOT_ERR_VERIFY -16  /**< the peer's certificate chain was refused */
#define CERTSLOT_ERR_TLS -17     /**< the TLS handshake or connection failed */
#define CERTSLOT_ERR_TIMEOUT -18 /**< the peer did not answer in time */
#define CERTSLOT_ERR_NET -19     /**< no connection to the peer */
#define CERTSLOT_ERR_DECRYPT -20 /**< an encrypted config file could not be decrypted */
#define CERTSLOT_ERR_AUTH -21     /**< the server refused the login or the access */
#define CERTSLOT_ERR_PROTOCOL -22 /**< the server's reply was malformed or an unexpected error */
#define CERTSLOT_ERR_PASSWORD -23 /**< wrong password (or a damaged password-protected file) */
#define CERTSLOT_ERR_UNSUPPORTED -24 /**< an algorithm or format certslot does not implement */
#define CERTSLOT_ERR_ROLLBACK -25 /**< the store is older than the anti-rollback counter says */
#define CERTSLOT_ERR_SECRET -26   /**< the store was written under another device secret */
#define CERTSLOT_ERR_EXISTS -27   /**< the file exists and is not replaced */

/** A static one-line message for an error code; never NULL. */
const char *certslot_strerror(int err);

/**
 * How a call that does work (a store change, a transfer, provisioning) ended,
 * for a UI and a log: the status a UI shows and one line saying why (never a
 * secret; control bytes escaped). The return code says whether it failed;
 * the result says why. This is the one way a failure reason comes back:
 * besides it, only pure checks and decoders (certificate, key, URL, cipher
 * list) fill a caller's why buffer, and a run that meets several problems
 * (a config load, a provisioning run) also lists each, as diagnostics or
 * through its report callback.
 */
typedef enum {
    CERTSLOT_STATUS_OK,
    CERTSLOT_STATUS_BAD_URL,        /**< not an accepted URL or value, or anonymous FTP (refused before connecting) */
    CERTSLOT_STATUS_CANNOT_CONNECT, /**< no connection (nobody listening, no route, unknown host) */
    CERTSLOT_STATUS_TIMEOUT,        /**< the server did not answer in time */
    CERTSLOT_STATUS_REFUSED,        /**< login or access refused (HTTP 401/403, FTP 530, TFTP access violation) */
    CERTSLOT_STATUS_NOT_FOUND,      /**< no such file on the server, or no such slot content */
    CERTSLOT_STATUS_TLS_REFUSED,    /**< the server's certificate was refused (chain or name) */
    CERTSLOT_STATUS_TLS_FAILED,     /**< the TLS handshake failed, or no usable TLS profile */
    CERTSLOT_STATUS_PROTOCOL,       /**< a malformed reply or another server error */
    CERTSLOT_STATUS_TOO_LARGE,      /**< the file exceeds the size limit */
    CERTSLOT_STATUS_NOT_CERT,       /**< not a certificate (or key) certslot can use */
    CERTSLOT_STATUS_POLICY,         /**< refused by the security policy */
    CERTSLOT_STATUS_UNSUPPORTED,    /**< not possible here (TFTP upload, a feature the build leaves out) */
    CERTSLOT_STATUS_FAILED          /**< anything else (memory, storage) */
} certslot_status_t;

/** "ok", "bad URL", "cannot connect", "timeout", "refused", "not found", ... */
const char *certslot_status_name(certslot_status_t status);

/** The status of an error code (0: OK). */
certslot_status_t certslot_status_of(int err);

/** What a call that does work (a store change, a transfer, provisioning) says about how it went. */
typedef struct {
    certslot_status_t status; /**< for a UI: what kind of outcome */
    char msg[512];            /**< one line, escaped, never a secret */
} certslot_result_t;

#endif
