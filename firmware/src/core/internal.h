/*
 * Small helpers shared by the module's source files. Not part of the API.
 */
#ifndef CERTSLOT_INTERNAL_H
#define CERTSLOT_INTERNAL_H

#include <stdarg.h>
#include <stddef.h>

#include "certslot/error.h"
#include "certslot/hal.h"

/* ASCII lower case; every other byte unchanged. */
static inline char cs_lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* 1 when a[0..n) equals b[0..n) ignoring ASCII case. */
int cs_ncase_equal(const char *a, const char *b, size_t n);

/* 1 when s[0..len) equals the C string lit ignoring ASCII case. */
int cs_equal_ci(const char *s, size_t len, const char *lit);

/* 1 when the C string s starts with the C string prefix, ignoring ASCII case. */
int cs_starts_ci(const char *s, const char *prefix);

/* 1 when the C string needle occurs in hay[0..len) (case-sensitive). */
int cs_find(const char *hay, size_t len, const char *needle);

/* 1 while certslot allocates with libc's calloc and free (no pair installed): then others may use malloc too. */
int cs_platform_libc_alloc(void);

/*
 * The one log helper: formats a line, escapes control bytes in it (it may
 * carry untrusted names; certslot/text.h) and hands it to hal->log. Does
 * nothing without a hal or a log function. Never given secrets.
 */
#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
void cs_log(const certslot_hal_t *hal, certslot_log_level_t level, const char *fmt, ...);

/* The TLS library (tls_lib.c): its one-time start (0 or CERTSLOT_ERR_CRYPTO), and its allocator. */
int cs_tls_lib_start(void);
/* mbedtls_ssl_list_ciphersuites(), made safe for threads at once (CERTSLOT_THREADS). */
const int *cs_tls_lib_suites(void);
/*
 * The peer's chain in a handshake holds at most CERTSLOT_VERIFY_MAX_PEER
 * certificates: mbedTLS links it itself before certslot's search, with a
 * signature check for each candidate it passes over. Between begin and end
 * (tls.c, this thread's handshake), cs_tls_lib_peer_cert is 0 for each
 * certificate past the limit (the parse wrapper refuses it); end returns how
 * many the peer sent, up to the first refused. A server's DHE group of
 * more than dh_max bits is refused before mbedTLS computes with it (the
 * wrap of mbedtls_dhm_read_params); cs_tls_lib_peer_dh says how many bits
 * the group had (0: none came).
 */
void cs_tls_lib_peer_begin(size_t dh_max);
size_t cs_tls_lib_peer_dh(void);
/*
 * 1 when the program is linked with -Wl,--wrap=mbedtls_x509_crt_parse_der
 * and -Wl,--wrap=mbedtls_dhm_read_params: without the first, mbedTLS parses
 * the peer's chain itself, and neither the cap above nor the RSA exponent
 * bound holds in a handshake (without the second the link fails: tls_lib.c
 * calls __real_mbedtls_dhm_read_params). Each wrapper answers CS_WRAP_PROBE
 * to a NULL context, which mbedTLS's own functions never get.
 */
int cs_tls_lib_wrapped(void);
#define CS_WRAP_PROBE 1
int cs_tls_lib_peer_end(void);
int cs_tls_lib_peer_cert(void);
void cs_tls_lib_memory(void *(*c)(size_t, size_t), void (*f)(void *));
/*
 * An mbedTLS (or PSA) return code as certslot's: 0, CERTSLOT_ERR_NOMEM when
 * the library ran out of memory (by its code, or because one of its
 * allocations failed in this thread since its last cs_mbed: mbedTLS reports
 * some as parse errors), else otherwise.
 */
int cs_mbed(int ret, int otherwise);

/*
 * The one way to fill a certslot_result_t (certslot/error.h): status (< 0:
 * the status of err), then the formatted line, escaped. Returns err.
 */
#if defined(__GNUC__)
__attribute__((format(printf, 4, 5)))
#endif
int cs_result(certslot_result_t *res, int status, int err, const char *fmt, ...);
#if defined(__GNUC__)
__attribute__((format(printf, 4, 0)))
#endif
void cs_vresult(certslot_result_t *res, int status, int err, const char *fmt, va_list ap);

#endif
