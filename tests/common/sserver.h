/*
 * `openssl s_server -www` on 127.0.0.1 and a random high port, for tests and
 * benchmarks (no cmocka here, so benchmarks can link it too).
 */
#ifndef CERTSLOT_SSERVER_H
#define CERTSLOT_SSERVER_H

#include <stdint.h>
#include <sys/types.h>

typedef struct {
    pid_t pid;
    uint16_t port;
    char log[512]; /* its stdout and stderr */
} sserver_t;

/*
 * Starts the server with args (after "s_server -www -accept HOST:PORT";
 * NULL-terminated), its output in log_path, retrying other ports while one
 * is busy. 0 once it listens; -1 (with the reason on stderr) otherwise.
 */
int sserver_start(sserver_t *s, const char *log_path, const char *const *args);

/* Stops it (SIGTERM, then waits); accepts a stopped or zeroed server. */
void sserver_stop(sserver_t *s);

/* 1 when the server's output contains text. */
int sserver_log_has(const sserver_t *s, const char *text);

#endif
