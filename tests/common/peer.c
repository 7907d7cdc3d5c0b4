/*
 * Scripted peers for tests (see peer.h).
 */
#define _GNU_SOURCE /* for the POSIX socket and process calls under -std=c11 */
#include "peer.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int record_fd = -1;

void tu_sleep_ms(unsigned ms)
{
    struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

static int bound_socket(int type, unsigned *port)
{
    struct sockaddr_in a;
    socklen_t alen = sizeof(a);
    int one = 1, fd = socket(AF_INET, type, 0);

    if (fd < 0)
        return -1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(fd, (struct sockaddr *)&a, sizeof(a)) != 0 || (type == SOCK_STREAM && listen(fd, 8) != 0) ||
        getsockname(fd, (struct sockaddr *)&a, &alen) != 0) {
        close(fd);
        return -1;
    }
    *port = ntohs(a.sin_port);
    return fd;
}

int tu_peer_listen(unsigned *port)
{
    return bound_socket(SOCK_STREAM, port);
}

void tu_peer_start(tu_peer_t *p, int type, tu_peer_fn fn, void *arg)
{
    const char *tmp = getenv("TMPDIR");
    int fd;

    memset(p, 0, sizeof(*p));
    snprintf(p->log_path, sizeof(p->log_path), "%s/certslot-peer.XXXXXX", tmp != NULL ? tmp : "/tmp");
    int lfd = mkstemp(p->log_path);
    fd = bound_socket(type, &p->port);
    if (lfd < 0 || fd < 0) {
        fprintf(stderr, "tu_peer_start: %s\n", strerror(errno));
        abort();
    }
    fflush(NULL);
    p->pid = fork();
    if (p->pid < 0)
        abort();
    if (p->pid == 0) {
        signal(SIGPIPE, SIG_IGN);
        alarm(TU_PEER_LIFETIME);
        record_fd = lfd;
        fn(fd, arg);
        _exit(0);
    }
    close(lfd);
    close(fd);
}

void tu_peer_stop(tu_peer_t *p)
{
    if (p->pid > 0) {
        kill(p->pid, SIGKILL);
        waitpid(p->pid, NULL, 0);
        p->pid = 0;
    }
}

void tu_peer_record(const void *data, size_t len)
{
    if (record_fd >= 0 && write(record_fd, data, len) < 0)
        return;
}

char *tu_peer_log(const tu_peer_t *p, size_t *len)
{
    FILE *f = fopen(p->log_path, "rb");
    char *buf = calloc(1, 65536);
    size_t n = f != NULL && buf != NULL ? fread(buf, 1, 65535, f) : 0;

    if (f != NULL)
        fclose(f);
    unlink(p->log_path);
    if (len != NULL)
        *len = n;
    return buf;
}

int tu_peer_accept(int listen_fd)
{
    int c;
    while ((c = accept(listen_fd, NULL, NULL)) < 0 && errno == EINTR)
        ;
    return c;
}

void tu_peer_send(int fd, const char *text, unsigned per_byte_ms)
{
    size_t n = strlen(text);
    if (per_byte_ms == 0) {
        if (send(fd, text, n, MSG_NOSIGNAL) < 0)
            return;
        return;
    }
    for (size_t i = 0; i < n; i++) {
        if (send(fd, text + i, 1, MSG_NOSIGNAL) != 1)
            return;
        tu_sleep_ms(per_byte_ms);
    }
}

int tu_peer_line(int fd, char *buf, size_t size)
{
    size_t o = 0;
    char c;

    for (;;) {
        ssize_t n = recv(fd, &c, 1, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            buf[o] = '\0';
            if (o > 0)
                tu_peer_record(buf, o);
            return o > 0 ? 0 : -1;
        }
        if (o + 1 < size)
            buf[o++] = c;
        if (c == '\n')
            break;
    }
    buf[o] = '\0';
    tu_peer_record(buf, o);
    return 0;
}
