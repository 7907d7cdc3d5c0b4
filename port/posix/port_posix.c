/*
 * The transport over BSD sockets (the handset's Linux).
 */
#include "certslot/port.h"

#include <errno.h>
#include <fcntl.h>
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "certslot/error.h"
#include "certslot/platform.h"

struct certslot_conn {
    int fd;
};

static int wait_fd(int fd, short events, unsigned timeout_ms)
{
    struct pollfd p = {fd, events, 0};
    int n;

    do
        n = poll(&p, 1, timeout_ms > 0x7fffffff ? -1 : (int)timeout_ms);
    while (n < 0 && errno == EINTR);
    return n > 0 ? 0 : n == 0 ? CERTSLOT_ERR_TIMEOUT : CERTSLOT_ERR_NET;
}

/* Connects one address without blocking longer than timeout_ms. */
static int connect_one(const struct addrinfo *ai, unsigned timeout_ms, int *out)
{
    int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol), err = 0;
    socklen_t len = sizeof(err);

    if (fd < 0)
        return CERTSLOT_ERR_NET;
    int flags = fcntl(fd, F_GETFL);
    if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0)
        goto fail;
    if (connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
        if (errno != EINPROGRESS)
            goto fail;
        int ret = wait_fd(fd, POLLOUT, timeout_ms);
        if (ret != 0) {
            close(fd);
            return ret;
        }
        if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0 || err != 0)
            goto fail;
    }
    *out = fd;
    return 0;
fail:
    close(fd);
    return CERTSLOT_ERR_NET;
}

int certslot_port_connect(certslot_conn_t **conn, const char *host, uint16_t port, unsigned timeout_ms)
{
    struct addrinfo hints, *res = NULL;
    char service[8];
    int ret = CERTSLOT_ERR_NET, fd = -1;

    *conn = NULL;
    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    snprintf(service, sizeof(service), "%u", (unsigned)port);
    if (getaddrinfo(host, service, &hints, &res) != 0)
        return CERTSLOT_ERR_NET;
    for (const struct addrinfo *ai = res; ai != NULL; ai = ai->ai_next) {
        ret = connect_one(ai, timeout_ms, &fd);
        if (ret == 0)
            break;
    }
    freeaddrinfo(res);
    if (ret != 0)
        return ret;
    *conn = certslot_calloc(1, sizeof(**conn));
    if (*conn == NULL) {
        close(fd);
        return CERTSLOT_ERR_NOMEM;
    }
    (*conn)->fd = fd;
    return 0;
}

uint32_t certslot_port_ticks_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint32_t)((uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u);
}

int certslot_port_send(certslot_conn_t *conn, const unsigned char *buf, size_t len, unsigned timeout_ms)
{
    for (;;) {
        ssize_t n = send(conn->fd, buf, len, MSG_NOSIGNAL);
        if (n >= 0)
            return (int)n;
        if (errno == EINTR)
            continue;
        if (errno != EAGAIN && errno != EWOULDBLOCK)
            return CERTSLOT_ERR_NET;
        int ret = wait_fd(conn->fd, POLLOUT, timeout_ms);
        if (ret != 0)
            return ret;
    }
}

int certslot_port_recv(certslot_conn_t *conn, unsigned char *buf, size_t len, unsigned timeout_ms)
{
    for (;;) {
        int ret = wait_fd(conn->fd, POLLIN, timeout_ms);
        if (ret != 0)
            return ret;
        ssize_t n = recv(conn->fd, buf, len, 0);
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
    close(conn->fd);
    certslot_free(conn);
}

struct certslot_udp {
    int fd;
    struct sockaddr_storage peer;
    socklen_t peer_len;
};

static uint16_t *sockaddr_port(struct sockaddr_storage *sa)
{
    if (sa->ss_family == AF_INET6)
        return &((struct sockaddr_in6 *)(void *)sa)->sin6_port;
    return &((struct sockaddr_in *)(void *)sa)->sin_port;
}

/* Same host (address family and address), any port. */
static int same_host(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
    if (a->ss_family != b->ss_family)
        return 0;
    if (a->ss_family == AF_INET6)
        return memcmp(&((const struct sockaddr_in6 *)(const void *)a)->sin6_addr,
                      &((const struct sockaddr_in6 *)(const void *)b)->sin6_addr, sizeof(struct in6_addr)) == 0;
    if (a->ss_family == AF_INET)
        return ((const struct sockaddr_in *)(const void *)a)->sin_addr.s_addr ==
               ((const struct sockaddr_in *)(const void *)b)->sin_addr.s_addr;
    return 0;
}

int certslot_port_udp_open(certslot_udp_t **udp, const char *host, uint16_t port)
{
    struct addrinfo hints, *res = NULL;
    char service[8];

    *udp = NULL;
    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_DGRAM;
    snprintf(service, sizeof(service), "%u", (unsigned)port);
    if (getaddrinfo(host, service, &hints, &res) != 0 || res == NULL)
        return CERTSLOT_ERR_NET;
    if (res->ai_addrlen > sizeof(struct sockaddr_storage)) {
        freeaddrinfo(res);
        return CERTSLOT_ERR_NET;
    }
    int fd = socket(res->ai_family, res->ai_socktype | SOCK_CLOEXEC, res->ai_protocol);
    if (fd < 0) {
        freeaddrinfo(res);
        return CERTSLOT_ERR_NET;
    }
    certslot_udp_t *u = certslot_calloc(1, sizeof(*u));
    if (u == NULL) {
        freeaddrinfo(res);
        close(fd);
        return CERTSLOT_ERR_NOMEM;
    }
    u->fd = fd;
    memcpy(&u->peer, res->ai_addr, res->ai_addrlen);
    u->peer_len = res->ai_addrlen;
    freeaddrinfo(res);
    *udp = u;
    return 0;
}

int certslot_port_udp_send(certslot_udp_t *udp, const unsigned char *buf, size_t len)
{
    for (;;) {
        ssize_t n = sendto(udp->fd, buf, len, MSG_NOSIGNAL, (const struct sockaddr *)&udp->peer, udp->peer_len);
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
        int ret = wait_fd(udp->fd, POLLIN, spent >= timeout_ms ? 0 : timeout_ms - (unsigned)spent);
        if (ret != 0)
            return ret;
        socklen_t from_len = sizeof(from);
        ssize_t n = recvfrom(udp->fd, buf, len, MSG_TRUNC, (struct sockaddr *)&from, &from_len);
        if (n < 0) {
            if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)
                continue;
            /* ICMP port unreachable from an earlier send: nobody there. */
            return CERTSLOT_ERR_NET;
        }
        if (!same_host(&from, &udp->peer))
            continue; /* a stranger's datagram: drop */
        if (from_port != NULL)
            *from_port = ntohs(*sockaddr_port(&from));
        return (size_t)n > len ? (int)len : (int)n;
    }
}

void certslot_port_udp_set_port(certslot_udp_t *udp, uint16_t port)
{
    *sockaddr_port(&udp->peer) = htons(port);
}

void certslot_port_udp_close(certslot_udp_t *udp)
{
    if (udp == NULL)
        return;
    close(udp->fd);
    certslot_free(udp);
}
