/*
 * The transport over lwIP's sockets API (OEM ports without the handset's
 * Linux).
 *
 * Needs, in the port's lwipopts.h: LWIP_SOCKET (and so NO_SYS 0 with a
 * running tcpip thread: tcpip_init() is the OEM's start-up code), LWIP_TCP,
 * LWIP_UDP for the datagram functions (TFTP),
 * LWIP_SOCKET_POLL or LWIP_SOCKET_SELECT for the timeouts, and LWIP_DNS for
 * host names (without it only IP literals connect; a name is
 * CERTSLOT_ERR_NET, never a lookup elsewhere). Only lwip_* names are used,
 * so LWIP_COMPAT_SOCKETS may be 0 and the build may also contain the C
 * library's own sockets.
 */
#include "certslot/port.h"

#include <stdio.h>
#include <string.h>

#include "lwip/opt.h"
#include "lwip/def.h"
#include "lwip/sockets.h"
#include "lwip/sys.h"
#if LWIP_DNS
#include "lwip/netdb.h"
#endif

#include "certslot/error.h"
#include "certslot/name.h"
#include "certslot/platform.h"

#if !LWIP_SOCKET
#error "port/lwip needs LWIP_SOCKET 1 in lwipopts.h"
#endif
#if !LWIP_SOCKET_POLL && !LWIP_SOCKET_SELECT
#error "port/lwip needs LWIP_SOCKET_POLL or LWIP_SOCKET_SELECT in lwipopts.h"
#endif

struct certslot_conn {
    int fd;
};

/* 0 when fd is ready (readable, or writable/failed with want_write),
 * CERTSLOT_ERR_TIMEOUT after timeout_ms, else CERTSLOT_ERR_NET. */
static int wait_fd(int fd, int want_write, unsigned timeout_ms)
{
    int n;
#if LWIP_SOCKET_POLL
    struct pollfd p;

    memset(&p, 0, sizeof(p));
    p.fd = fd;
    p.events = want_write ? POLLOUT : POLLIN;
    do
        n = lwip_poll(&p, 1, timeout_ms > 0x7fffffff ? -1 : (int)timeout_ms);
    while (n < 0 && errno == EINTR);
#else
    fd_set set, err;
    struct timeval tv;

    FD_ZERO(&set);
    FD_ZERO(&err);
    FD_SET(fd, &set);
    FD_SET(fd, &err);
    tv.tv_sec = (long)(timeout_ms / 1000);
    tv.tv_usec = (long)(timeout_ms % 1000) * 1000;
    n = lwip_select(fd + 1, want_write ? NULL : &set, want_write ? &set : NULL, &err, &tv);
#endif
    return n > 0 ? 0 : n == 0 ? CERTSLOT_ERR_TIMEOUT : CERTSLOT_ERR_NET;
}

/* Connects one address without blocking longer than timeout_ms. */
static int connect_one(int family, const struct sockaddr *sa, socklen_t sa_len, unsigned timeout_ms, int *out)
{
    int fd = lwip_socket(family, SOCK_STREAM, 0), err = 0;
    socklen_t len = sizeof(err);

    if (fd < 0)
        return CERTSLOT_ERR_NET;
    /* lwIP knows no other status flag: set O_NONBLOCK alone. */
    if (lwip_fcntl(fd, F_SETFL, O_NONBLOCK) != 0)
        goto fail;
    if (lwip_connect(fd, sa, sa_len) != 0) {
        if (errno != EINPROGRESS)
            goto fail;
        int ret = wait_fd(fd, 1, timeout_ms);
        if (ret != 0) {
            lwip_close(fd);
            return ret;
        }
        if (lwip_getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0 || err != 0)
            goto fail;
    }
    *out = fd;
    return 0;
fail:
    lwip_close(fd);
    return CERTSLOT_ERR_NET;
}

/* The socket address of an IP literal (the module's strict syntax, the one
 * the name check uses); 0, or CERTSLOT_ERR_NET for IPv6 on an IPv4-only stack. */
static int literal_sockaddr(const unsigned char *ip, size_t ip_len, uint16_t port, struct sockaddr_storage *ss,
                            socklen_t *ss_len)
{
    memset(ss, 0, sizeof(*ss));
    if (ip_len == 4) {
        struct sockaddr_in *sin = (struct sockaddr_in *)(void *)ss;
        sin->sin_family = AF_INET;
        sin->sin_port = lwip_htons(port);
        memcpy(&sin->sin_addr, ip, 4);
        *ss_len = sizeof(*sin);
        return 0;
    }
#if LWIP_IPV6
    struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)(void *)ss;
    sin6->sin6_family = AF_INET6;
    sin6->sin6_port = lwip_htons(port);
    memcpy(&sin6->sin6_addr, ip, 16);
    *ss_len = sizeof(*sin6);
    return 0;
#else
    return CERTSLOT_ERR_NET;
#endif
}

int certslot_port_connect(certslot_conn_t **conn, const char *host, uint16_t port, unsigned timeout_ms)
{
    unsigned char ip[16];
    size_t ip_len;
    int ret, fd = -1;

    *conn = NULL;
    if (certslot_ip_parse(host, strlen(host), ip, &ip_len)) {
        struct sockaddr_storage ss;
        socklen_t ss_len;
        ret = literal_sockaddr(ip, ip_len, port, &ss, &ss_len);
        if (ret == 0)
            ret = connect_one(ss.ss_family, (const struct sockaddr *)&ss, ss_len, timeout_ms, &fd);
    } else {
#if LWIP_DNS
        struct addrinfo hints, *res = NULL;
        char service[8];

        memset(&hints, 0, sizeof(hints));
        hints.ai_family = AF_UNSPEC;
        hints.ai_socktype = SOCK_STREAM;
        snprintf(service, sizeof(service), "%u", (unsigned)port);
        if (lwip_getaddrinfo(host, service, &hints, &res) != 0)
            return CERTSLOT_ERR_NET;
        ret = CERTSLOT_ERR_NET;
        for (const struct addrinfo *ai = res; ai != NULL; ai = ai->ai_next) {
            ret = connect_one(ai->ai_family, ai->ai_addr, ai->ai_addrlen, timeout_ms, &fd);
            if (ret == 0)
                break;
        }
        lwip_freeaddrinfo(res);
#else
        ret = CERTSLOT_ERR_NET; /* no resolver in this lwIP build */
#endif
    }
    if (ret != 0)
        return ret;
    *conn = certslot_calloc(1, sizeof(**conn));
    if (*conn == NULL) {
        lwip_close(fd);
        return CERTSLOT_ERR_NOMEM;
    }
    (*conn)->fd = fd;
    return 0;
}

uint32_t certslot_port_ticks_ms(void)
{
    return (uint32_t)sys_now();
}

int certslot_port_send(certslot_conn_t *conn, const unsigned char *buf, size_t len, unsigned timeout_ms)
{
    for (;;) {
        ssize_t n = lwip_send(conn->fd, buf, len, 0);
        if (n >= 0)
            return (int)n;
        if (errno == EINTR)
            continue;
        if (errno != EAGAIN && errno != EWOULDBLOCK)
            return CERTSLOT_ERR_NET;
        int ret = wait_fd(conn->fd, 1, timeout_ms);
        if (ret != 0)
            return ret;
    }
}

int certslot_port_recv(certslot_conn_t *conn, unsigned char *buf, size_t len, unsigned timeout_ms)
{
    for (;;) {
        int ret = wait_fd(conn->fd, 0, timeout_ms);
        if (ret != 0)
            return ret;
        ssize_t n = lwip_recv(conn->fd, buf, len, 0);
        if (n >= 0)
            return (int)n;
        if (errno != EINTR && errno != EAGAIN && errno != EWOULDBLOCK)
            return CERTSLOT_ERR_NET;
    }
}

void certslot_port_close(certslot_conn_t *conn)
{
    if (conn == NULL)
        return;
    lwip_close(conn->fd);
    certslot_free(conn);
}

/* ---- datagrams ---- */

struct certslot_udp {
    int fd;
    struct sockaddr_storage peer;
    socklen_t peer_len;
};

static uint16_t *sockaddr_port(struct sockaddr_storage *ss)
{
#if LWIP_IPV6
    if (ss->ss_family == AF_INET6)
        return &((struct sockaddr_in6 *)(void *)ss)->sin6_port;
#endif
    return &((struct sockaddr_in *)(void *)ss)->sin_port;
}

/* Same host (address family and address), any port. */
static int same_host(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
    if (a->ss_family != b->ss_family)
        return 0;
#if LWIP_IPV6
    if (a->ss_family == AF_INET6)
        return memcmp(&((const struct sockaddr_in6 *)(const void *)a)->sin6_addr,
                      &((const struct sockaddr_in6 *)(const void *)b)->sin6_addr, 16) == 0;
#endif
    if (a->ss_family == AF_INET)
        return memcmp(&((const struct sockaddr_in *)(const void *)a)->sin_addr,
                      &((const struct sockaddr_in *)(const void *)b)->sin_addr, 4) == 0;
    return 0;
}

/* The first address of host:port. */
static int resolve_one(const char *host, uint16_t port, struct sockaddr_storage *ss, socklen_t *ss_len)
{
    unsigned char ip[16];
    size_t ip_len;

    if (certslot_ip_parse(host, strlen(host), ip, &ip_len))
        return literal_sockaddr(ip, ip_len, port, ss, ss_len);
#if LWIP_DNS
    struct addrinfo hints, *res = NULL;
    char service[8];
    int ret = CERTSLOT_ERR_NET;

    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_DGRAM;
    snprintf(service, sizeof(service), "%u", (unsigned)port);
    if (lwip_getaddrinfo(host, service, &hints, &res) != 0 || res == NULL)
        return CERTSLOT_ERR_NET;
    if (res->ai_addrlen <= sizeof(*ss)) {
        memset(ss, 0, sizeof(*ss));
        memcpy(ss, res->ai_addr, res->ai_addrlen);
        *ss_len = (socklen_t)res->ai_addrlen;
        ret = 0;
    }
    lwip_freeaddrinfo(res);
    return ret;
#else
    return CERTSLOT_ERR_NET; /* no resolver in this lwIP build */
#endif
}

int certslot_port_udp_open(certslot_udp_t **udp, const char *host, uint16_t port)
{
    struct sockaddr_storage peer;
    socklen_t peer_len = 0;
    int ret, fd;

    *udp = NULL;
    ret = resolve_one(host, port, &peer, &peer_len);
    if (ret != 0)
        return ret;
    fd = lwip_socket(peer.ss_family, SOCK_DGRAM, 0);
    if (fd < 0)
        return CERTSLOT_ERR_NET;
    if (lwip_fcntl(fd, F_SETFL, O_NONBLOCK) != 0) {
        lwip_close(fd);
        return CERTSLOT_ERR_NET;
    }
    certslot_udp_t *u = certslot_calloc(1, sizeof(*u));
    if (u == NULL) {
        lwip_close(fd);
        return CERTSLOT_ERR_NOMEM;
    }
    u->fd = fd;
    u->peer = peer;
    u->peer_len = peer_len;
    *udp = u;
    return 0;
}

int certslot_port_udp_send(certslot_udp_t *udp, const unsigned char *buf, size_t len)
{
    for (;;) {
        ssize_t n = lwip_sendto(udp->fd, buf, len, 0, (const struct sockaddr *)&udp->peer, udp->peer_len);
        if (n >= 0)
            return (int)n;
        if (errno != EINTR)
            return CERTSLOT_ERR_NET;
    }
}

int certslot_port_udp_recv(certslot_udp_t *udp, unsigned char *buf, size_t len, unsigned timeout_ms,
                           uint16_t *from_port)
{
    struct sockaddr_storage from;
    uint32_t start = certslot_port_ticks_ms();

    for (;;) {
        /* Dropped strangers' datagrams do not extend the caller's timeout. */
        uint32_t spent = certslot_port_ticks_ms() - start;
        int ret = wait_fd(udp->fd, 0, spent >= timeout_ms ? 0 : timeout_ms - (unsigned)spent);
        if (ret != 0)
            return ret;
        socklen_t from_len = sizeof(from);
        memset(&from, 0, sizeof(from));
        ssize_t n = lwip_recvfrom(udp->fd, buf, len, 0, (struct sockaddr *)&from, &from_len);
        if (n < 0) {
            if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)
                continue;
            return CERTSLOT_ERR_NET;
        }
        if (!same_host(&from, &udp->peer))
            continue;
        if (from_port != NULL)
            *from_port = lwip_ntohs(*sockaddr_port(&from));
        return (size_t)n > len ? (int)len : (int)n;
    }
}

void certslot_port_udp_set_port(certslot_udp_t *udp, uint16_t port)
{
    *sockaddr_port(&udp->peer) = lwip_htons(port);
}

void certslot_port_udp_close(certslot_udp_t *udp)
{
    if (udp == NULL)
        return;
    lwip_close(udp->fd);
    certslot_free(udp);
}
