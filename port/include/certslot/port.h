/**
 * @file
 * The network transport under TLS: one TCP connection, four functions, and
 * UDP and a clock for TFTP and deadlines. The last stage of the flow
 * (README, "Architecture"; folders port/posix/, port/lwip/):
 *
 *   config text -> config -> settings -> store -> profile -> TLS -> port
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

/** A TCP connection of the port (opaque). */
typedef struct certslot_conn certslot_conn_t;

/** Connects to host (a name or an IP literal) within timeout_ms. */
int certslot_port_connect(certslot_conn_t **conn, const char *host, uint16_t port, unsigned timeout_ms);
/** Sends what the connection takes within timeout_ms (at least one byte, or an error). */
int certslot_port_send(certslot_conn_t *conn, const unsigned char *buf, size_t len, unsigned timeout_ms);
/** Receives what arrived within timeout_ms: bytes (0 when the peer closed), or an error. */
int certslot_port_recv(certslot_conn_t *conn, unsigned char *buf, size_t len, unsigned timeout_ms);
/** Closes and frees; accepts NULL. */
void certslot_port_close(certslot_conn_t *conn);

/**
 * Datagrams (TFTP). A UDP socket bound to an ephemeral local port and aimed
 * at host:port. Replies may come from another port of the same host (TFTP
 * answers from a new port): recv accepts datagrams from the peer's address
 * on any port and reports that port; udp_set_port then aims later sends at
 * it. Same return conventions as above; recv returns the datagram's length
 * (truncated to len).
 */
typedef struct certslot_udp certslot_udp_t;

/** Opens a UDP socket aimed at host:port. */
int certslot_port_udp_open(certslot_udp_t **udp, const char *host, uint16_t port);
/** Sends one datagram to the peer. */
int certslot_port_udp_send(certslot_udp_t *udp, const unsigned char *buf, size_t len);
/** from_port may be NULL. Datagrams from other addresses are dropped (they do not extend timeout_ms). */
int certslot_port_udp_recv(certslot_udp_t *udp, unsigned char *buf, size_t len, unsigned timeout_ms,
                           uint16_t *from_port);
/** Aims later sends at port (same host). */
void certslot_port_udp_set_port(certslot_udp_t *udp, uint16_t port);
/** Closes and frees; accepts NULL. */
void certslot_port_udp_close(certslot_udp_t *udp);

/** Milliseconds of a monotonic clock (any origin; wraps after 49 days): what deadlines are measured with. */
uint32_t certslot_port_ticks_ms(void);

/**
 * A time budget over the port's clock: what a whole transfer (connect,
 * handshake, all data) may take. ms == 0: no budget.
 */
typedef struct {
    uint32_t start; /**< certslot_port_ticks_ms() when it started */
    unsigned ms;    /**< the budget; 0: none */
} certslot_deadline_t;

/** Starts a budget of ms milliseconds (0: none) now. */
static inline void certslot_deadline_start(certslot_deadline_t *d, unsigned ms)
{
    d->start = certslot_port_ticks_ms();
    d->ms = ms;
}

/** The wait allowed now: wait_ms, or what is left of the budget when that is less; 0 once it is spent. */
static inline unsigned certslot_deadline_wait(const certslot_deadline_t *d, unsigned wait_ms)
{
    if (d->ms == 0)
        return wait_ms;
    uint32_t spent = certslot_port_ticks_ms() - d->start; /**< wrap-safe */
    unsigned left = spent >= d->ms ? 0 : d->ms - (unsigned)spent;
    return left < wait_ms ? left : wait_ms;
}

#endif
