/**
 * @file
 * Syslog over TLS (RFC 5425): one RFC 5424 message per octet-counted frame,
 * "LEN <PRI>1 TIMESTAMP HOSTNAME APP-NAME - - - MSG", sent over a connection
 * made with the syslog application's profile (certslot_tls_setup with
 * CERTSLOT_APP_SYSLOG, certslot_tls_connect).
 *
 * A frame is at most CERTSLOT_SYSLOG_MAX octets, the size every RFC 5425
 * receiver must accept: a longer MSG is cut at a UTF-8 character boundary,
 * never refused (a cut log line is better than a lost one). HOSTNAME and
 * APP-NAME are RFC 5424 header fields: printable ASCII without spaces, at
 * most 255 and 48 characters; empty or NULL is sent as "-".
 */
#ifndef CERTSLOT_SYSLOG_H
#define CERTSLOT_SYSLOG_H

#include <stddef.h>
#include <stdint.h>

#include "certslot/tls.h"

/** The frame's length prefix, "2048 ", is not counted in CERTSLOT_SYSLOG_MAX. */
#define CERTSLOT_SYSLOG_FRAME_MAX (CERTSLOT_SYSLOG_MAX + 8)

/** RFC 5424 severities (0..7); facilities are 0..23 (16..23: local0..local7). */
#define CERTSLOT_SYSLOG_ERR 3
#define CERTSLOT_SYSLOG_WARNING 4 /**< severity warning */
#define CERTSLOT_SYSLOG_NOTICE 5  /**< severity notice */
#define CERTSLOT_SYSLOG_INFO 6    /**< severity informational */
#define CERTSLOT_SYSLOG_LOCAL0 16 /**< facility local0 */

/** One syslog message's fields (RFC 5424). */
typedef struct {
    unsigned facility; /**< 0..23 */
    unsigned severity; /**< 0..7 */
    int64_t time;      /**< seconds since 1970 (UTC); negative: clock not synchronised, sent as "-" */
    const char *host;  /**< HOSTNAME, e.g. the handset's MAC or address */
    const char *app;   /**< APP-NAME */
    const char *msg;   /**< MSG (UTF-8 text; NULL: empty) */
} certslot_syslog_msg_t;

/**
 * Writes m's frame into buf (size at least CERTSLOT_SYSLOG_FRAME_MAX always
 * suffices; not NUL-terminated) and returns its length, or CERTSLOT_ERR_ARG
 * for a facility or severity out of range or a HOSTNAME / APP-NAME that is
 * too long or not printable ASCII without spaces, CERTSLOT_ERR_LIMIT when
 * buf is too small. buf is unchanged on error.
 */
int certslot_syslog_frame(const certslot_syslog_msg_t *m, unsigned char *buf, size_t size);

/**
 * Frames m and writes it whole to c. 0, or the frame's error, or
 * certslot_tls_write's.
 */
int certslot_syslog_send(certslot_tls_conn_t *c, const certslot_syslog_msg_t *m);

#endif
