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

/*
 * Datagrams (TFTP). A UDP socket bound to an ephemeral local port and aimed
 * at host:port. Replies may come from another port of the same host (TFTP
 * answers from a new port): recv accepts datagrams from the peer's address
 * on any port and reports that port; udp_set_port then aims later sends at
 * it. Same return conventions as above; recv returns the datagram's length
 * (truncated to len).
 */
typedef struct certslot_udp certslot_udp_t;

int certslot_port_udp_open(certslot_udp_t **udp, const char *host, uint16_t port);
int certslot_port_udp_send(certslot_udp_t *udp, const unsigned char *buf, size_t len);
/* from_port may be NULL. Datagrams from other addresses are dropped. */
int certslot_port_udp_recv(certslot_udp_t *udp, unsigned char *buf, size_t len, unsigned timeout_ms,
                           uint16_t *from_port);
/* Aims later sends at port (same host). */
void certslot_port_udp_set_port(certslot_udp_t *udp, uint16_t port);
/* Closes and frees; accepts NULL. */
void certslot_port_udp_close(certslot_udp_t *udp);

#endif
