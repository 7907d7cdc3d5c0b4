/*
 * Allocation hook, secret wiping, small string helpers and error messages.
 */
#include "certslot/platform.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "certslot/error.h"
#include "certslot/hal.h"
#include "certslot/text.h"
#include "core/internal.h"

static certslot_calloc_fn calloc_fn = calloc;
static certslot_free_fn free_fn = free;

void certslot_platform_set_calloc_free(certslot_calloc_fn c, certslot_free_fn f)
{
    calloc_fn = c != NULL ? c : calloc;
    free_fn = f != NULL ? f : free;
    cs_tls_lib_memory(calloc_fn, free_fn); /* mbedTLS's own allocations too */
}

int cs_platform_libc_alloc(void)
{
    return calloc_fn == calloc && free_fn == free;
}

void *certslot_calloc(size_t n, size_t size)
{
    return calloc_fn(n, size);
}

void certslot_free(void *p)
{
    if (p != NULL)
        free_fn(p);
}

char *certslot_strndup(const char *s, size_t len)
{
    char *d = certslot_calloc(1, len + 1);

    if (d != NULL && len > 0)
        memcpy(d, s, len);
    return d;
}

void certslot_zeroize(void *p, size_t n)
{
    if (p == NULL || n == 0)
        return;
#if defined(__GNUC__) || defined(__clang__)
    /* memset, and a barrier that tells the compiler the bytes are read after: the store cannot be dropped. */
    memset(p, 0, n);
    __asm__ __volatile__("" : : "r"(p) : "memory");
#else
    volatile unsigned char *v = p;
    while (n-- > 0)
        *v++ = 0;
#endif
}

int cs_ncase_equal(const char *a, const char *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (a[i] != b[i] && cs_lower(a[i]) != cs_lower(b[i])) /* mostly they are simply the same */
            return 0;
    return 1;
}

int cs_equal_ci(const char *s, size_t len, const char *lit)
{
    return strlen(lit) == len && cs_ncase_equal(s, lit, len);
}

int cs_starts_ci(const char *s, const char *prefix)
{
    size_t n = strlen(prefix);
    return strnlen(s, n) == n && cs_ncase_equal(s, prefix, n);
}

int cs_find(const char *hay, size_t len, const char *needle)
{
    size_t n = strlen(needle);

    for (size_t i = 0; i + n <= len; i++)
        if (memcmp(hay + i, needle, n) == 0)
            return 1;
    return 0;
}

void cs_log(const certslot_hal_t *hal, certslot_log_level_t level, const char *fmt, ...)
{
    char line[512];
    va_list ap;

    if (hal == NULL || hal->log == NULL)
        return;
    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    certslot_text_escape_inplace(line, sizeof(line));
    hal->log(hal->ctx, level, line);
}

const char *certslot_log_level_name(certslot_log_level_t level)
{
    switch (level) {
    case CERTSLOT_LOG_DEBUG:
        return "debug";
    case CERTSLOT_LOG_INFO:
        return "info";
    case CERTSLOT_LOG_WARNING:
        return "warning";
    case CERTSLOT_LOG_ERROR:
        return "error";
    }
    return "log";
}

const char *certslot_strerror(int err)
{
    switch (err) {
    case CERTSLOT_OK:
        return "success";
    case CERTSLOT_ERR_ARG:
        return "invalid argument";
    case CERTSLOT_ERR_NOMEM:
        return "out of memory";
    case CERTSLOT_ERR_IO:
        return "file could not be read or written";
    case CERTSLOT_ERR_XML:
        return "config file rejected";
    case CERTSLOT_ERR_VALUE:
        return "bad parameter value";
    case CERTSLOT_ERR_LIMIT:
        return "size limit exceeded";
    case CERTSLOT_ERR_NOT_FOUND:
        return "not found";
    case CERTSLOT_ERR_CLOCK:
        return "clock not yet synchronised";
    case CERTSLOT_ERR_POWER:
        return "power cut";
    case CERTSLOT_ERR_CERT:
        return "not a usable certificate";
    case CERTSLOT_ERR_KEY:
        return "not a usable private key";
    case CERTSLOT_ERR_POLICY:
        return "refused by the security policy";
    case CERTSLOT_ERR_CORRUPT:
        return "stored data is corrupt";
    case CERTSLOT_ERR_CRYPTO:
        return "cryptographic operation failed";
    case CERTSLOT_ERR_NAME:
        return "server name does not match the certificate";
    case CERTSLOT_ERR_VERIFY:
        return "peer certificate refused";
    case CERTSLOT_ERR_TLS:
        return "TLS handshake failed";
    case CERTSLOT_ERR_TIMEOUT:
        return "timed out";
    case CERTSLOT_ERR_NET:
        return "cannot connect";
    case CERTSLOT_ERR_DECRYPT:
        return "encrypted config file cannot be decrypted (wrong key, altered or truncated)";
    case CERTSLOT_ERR_AUTH:
        return "refused by the server (login or access denied)";
    case CERTSLOT_ERR_PROTOCOL:
        return "the server's reply was malformed or an unexpected error";
    case CERTSLOT_ERR_PASSWORD:
        return "wrong password, or the protected file is damaged";
    case CERTSLOT_ERR_UNSUPPORTED:
        return "unsupported algorithm or format";
    case CERTSLOT_ERR_ROLLBACK:
        return "the store is older than its anti-rollback counter (rolled back)";
    case CERTSLOT_ERR_SECRET:
        return "the store was written under another device secret";
    case CERTSLOT_ERR_EXISTS:
        return "it exists (refusing to overwrite)";
    default:
        return "unknown error";
    }
}

const char *certslot_status_name(certslot_status_t status)
{
    static const char *const names[] = {"ok", "bad URL", "cannot connect", "timeout", "refused", "not found",
                                        "server certificate refused", "TLS failed", "protocol error", "too large",
                                        "not a certificate", "policy violation", "not supported", "failed"};
    return (unsigned)status < sizeof(names) / sizeof(names[0]) ? names[status] : "failed";
}

certslot_status_t certslot_status_of(int err)
{
    switch (err) {
    case 0:
        return CERTSLOT_STATUS_OK;
    case CERTSLOT_ERR_NET:
        return CERTSLOT_STATUS_CANNOT_CONNECT;
    case CERTSLOT_ERR_TIMEOUT:
        return CERTSLOT_STATUS_TIMEOUT;
    case CERTSLOT_ERR_AUTH:
        return CERTSLOT_STATUS_REFUSED;
    case CERTSLOT_ERR_NOT_FOUND:
        return CERTSLOT_STATUS_NOT_FOUND;
    case CERTSLOT_ERR_NAME:
    case CERTSLOT_ERR_VERIFY:
        return CERTSLOT_STATUS_TLS_REFUSED;
    case CERTSLOT_ERR_TLS:
        return CERTSLOT_STATUS_TLS_FAILED;
    case CERTSLOT_ERR_PROTOCOL:
        return CERTSLOT_STATUS_PROTOCOL;
    case CERTSLOT_ERR_LIMIT:
        return CERTSLOT_STATUS_TOO_LARGE;
    case CERTSLOT_ERR_CERT:
    case CERTSLOT_ERR_KEY:
        return CERTSLOT_STATUS_NOT_CERT;
    case CERTSLOT_ERR_POLICY:
        return CERTSLOT_STATUS_POLICY;
    case CERTSLOT_ERR_VALUE:
        return CERTSLOT_STATUS_BAD_URL;
    case CERTSLOT_ERR_UNSUPPORTED:
        return CERTSLOT_STATUS_UNSUPPORTED;
    default:
        return CERTSLOT_STATUS_FAILED;
    }
}

void cs_vresult(certslot_result_t *res, int status, int err, const char *fmt, va_list ap)
{
    res->status = status >= 0 ? (certslot_status_t)status : certslot_status_of(err);
    vsnprintf(res->msg, sizeof(res->msg), fmt, ap);
    certslot_text_escape_inplace(res->msg, sizeof(res->msg));
}

int cs_result(certslot_result_t *res, int status, int err, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    cs_vresult(res, status, err, fmt, ap);
    va_end(ap);
    return err;
}
