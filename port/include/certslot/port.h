/*
 * The network transport under TLS: one TCP connection, four functions.
 *
 * Each port (port/posix: BSD sockets; port/lwip: lwIP's sockets API)
 * implements them; the build links exactly one. Everything above is written
 * once. Return values: bytes transferred (>= 0), or a negative
 * CERTSLOT_ERR_* code: CERTSLOT_ERR_TIMEOUT when nothing arrived in time,
 * CERTSLOT_ERR_NET for any other failure. recv returns 0 when the peer
 * closed the connection.
 */
#ifndef CERTSLOT_PORT_H
#define CERTSLOT_PORT_H

#include <stddef.h>
#include <stdint.h>

typedef struct certslot_conn certslot_conn_t;

/* Connects to host (a name or an IP literal) within timeout_ms. */
int certslot_port_connect(certslot_conn_t **conn, const char *host, uint16_t port, unsigned timeout_ms);
int certslot_port_send(certslot_conn_t *conn, const unsigned char *buf, size_t len);
int certslot_port_recv(certslot_conn_t *conn, unsigned char *buf, size_t len, unsigned timeout_ms);
/* Closes and frees; accepts NULL. */
void certslot_port_close(certslot_conn_t *conn);

#endif
