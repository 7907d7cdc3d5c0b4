/*
 * Scripted peers for tests: a child process on 127.0.0.1 that plays a
 * server written in C (a hostile one, usually), records what it received,
 * and stops by itself.
 *
 *   tu_peer_t p;
 *   tu_peer_start(&p, SOCK_STREAM, my_server, arg);   // p.port is its port
 *   ... the code under test talks to 127.0.0.1:p.port ...
 *   tu_peer_stop(&p);                                  // kills it if still running
 *   char *got = tu_peer_log(&p, NULL);                 // what it wrote with tu_peer_record
 *
 * The child runs fn(fd, arg) with fd a listening TCP socket (SOCK_STREAM) or
 * a bound UDP socket (SOCK_DGRAM), then exits. An alarm ends it after
 * TU_PEER_LIFETIME seconds whatever it does, so a test that dies never leaves
 * it behind for long.
 */
#ifndef CERTSLOT_TEST_PEER_H
#define CERTSLOT_TEST_PEER_H

#include <stddef.h>
#include <sys/types.h>

#define TU_PEER_LIFETIME 30

typedef struct {
    pid_t pid;
    unsigned port;
    char log_path[256];
} tu_peer_t;

typedef void (*tu_peer_fn)(int fd, void *arg);

void tu_peer_start(tu_peer_t *p, int type, tu_peer_fn fn, void *arg);
void tu_peer_stop(tu_peer_t *p);

/* In the child: appends len bytes to the peer's record (read with tu_peer_log). */
void tu_peer_record(const void *data, size_t len);

/* What the peer recorded (NUL-terminated, free with free()). */
char *tu_peer_log(const tu_peer_t *p, size_t *len);

/* In the child: accepts one connection on a listening socket (-1 on error). */
int tu_peer_accept(int listen_fd);

/* In the child: sends text, then sleeps; with per_byte_ms > 0 one byte at a time with that pause. */
void tu_peer_send(int fd, const char *text, unsigned per_byte_ms);

/* In the child: reads one line (up to LF, at most size - 1 bytes kept) into buf and records it; -1 at EOF. */
int tu_peer_line(int fd, char *buf, size_t size);

/* In the child: a listening socket on 127.0.0.1 and its port. */
int tu_peer_listen(unsigned *port);

void tu_sleep_ms(unsigned ms);

#endif
