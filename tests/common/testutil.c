#include "testutil.h"

#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "certslot/platform.h"

#if defined(__has_include)
#if __has_include(<valgrind/memcheck.h>)
#include <valgrind/memcheck.h>
#endif
#endif
#if !defined(VALGRIND_MAKE_MEM_DEFINED)
#define VALGRIND_MAKE_MEM_DEFINED(p, n) ((void)(p), (void)(n))
#endif

/*
 * The counting allocator is certslot's (and so mbedTLS's) allocator for the
 * whole run, installed before main: memory must be freed by the allocator
 * that made it, and mbedTLS keeps some (PSA's state) from one test to the
 * next. tu_alloc_install starts an epoch: calls, failures and outstanding
 * bytes count only what the epoch allocates; tu_alloc_uninstall ends it.
 */
typedef union hdr {
    struct {
        size_t size;
        unsigned long epoch;
        union hdr *next; /* in the quarantine */
    } h;
    max_align_t align;
} hdr_t;

static size_t outstanding, peak, calls, fail_at;
static unsigned long epoch;
static int counting, failed, paused;
static int quarantining;
static hdr_t *quarantine; /* freed blocks kept, newest first */

/* 1 when the n bytes at p hold the len bytes of needle. */
static int holds(const unsigned char *p, size_t n, const void *needle, size_t len)
{
    const unsigned char *w = needle;
    for (size_t i = 0; len > 0 && i + len <= n; i++)
        if (p[i] == w[0] && memcmp(p + i, w, len) == 0)
            return 1;
    return 0;
}

static void *counting_calloc(size_t n, size_t size)
{
    if (counting) {
        calls++;
        if (fail_at != 0 && calls == fail_at) {
            failed = 1;
            return NULL;
        }
    }
    if (size != 0 && n > ((size_t)-1 - sizeof(hdr_t)) / size)
        return NULL;
    hdr_t *h = calloc(1, sizeof(hdr_t) + n * size);
    if (h == NULL)
        return NULL;
    h->h.size = n * size;
    h->h.epoch = counting && !paused ? epoch : 0;
    if (counting && !paused) {
        outstanding += h->h.size;
        if (outstanding > peak)
            peak = outstanding;
    }
    return h + 1;
}

static void counting_free(void *p)
{
    if (p == NULL)
        return; /* mbedTLS frees NULL; certslot_free never passes it on */
    hdr_t *h = (hdr_t *)p - 1;
    if (counting && h->h.epoch == epoch)
        outstanding -= h->h.size;
    if (quarantining) {
        h->h.next = quarantine;
        quarantine = h;
        return;
    }
    free(h);
}

void tu_alloc_quarantine(int on)
{
    quarantining = on;
    while (!on && quarantine != NULL) {
        hdr_t *next = quarantine->h.next;
        free(quarantine);
        quarantine = next;
    }
}

size_t tu_alloc_freed_holding(const void *bytes, size_t len)
{
    size_t n = 0;
    for (hdr_t *h = quarantine; h != NULL; h = h->h.next) {
        /* A freed block may hold bytes never written (padding, unused room): the search reads them as they are. */
        VALGRIND_MAKE_MEM_DEFINED(h + 1, h->h.size);
        n += holds((const unsigned char *)(h + 1), h->h.size, bytes, len);
    }
    return n;
}

size_t tu_alloc_freed_key_chunks(const unsigned char *key, size_t key_len, const unsigned char *pub, size_t pub_len)
{
    size_t n = 0;
    for (size_t off = 0; off + 16 <= key_len; off += 16)
        if (!holds(pub, pub_len, key + off, 16)) /* a modulus or public point is no secret */
            n += tu_alloc_freed_holding(key + off, 16) != 0;
    return n;
}

__attribute__((constructor)) static void tu_alloc_start(void)
{
    certslot_platform_set_calloc_free(counting_calloc, counting_free);
}

void tu_alloc_install(size_t fail)
{
    outstanding = peak = calls = 0;
    failed = 0;
    fail_at = fail;
    epoch++;
    counting = 1;
}

void tu_alloc_fail_at(size_t fail)
{
    calls = 0;
    failed = 0;
    fail_at = fail;
}

void tu_alloc_pause(int on)
{
    paused = on;
}

void tu_alloc_uninstall(void)
{
    counting = 0;
    paused = 0;
    fail_at = 0;
}

size_t tu_alloc_outstanding(void)
{
    return outstanding;
}

size_t tu_alloc_peak(void)
{
    return peak;
}

void tu_alloc_peak_reset(void)
{
    peak = outstanding;
}

size_t tu_alloc_calls(void)
{
    return calls;
}

int tu_alloc_failed(void)
{
    return failed;
}

const char *tu_data(const char *rel)
{
    static char buf[4096];
    const char *base = getenv("CERTSLOT_TESTDATA");
    snprintf(buf, sizeof(buf), "%s/%s", base != NULL ? base : "tests/data", rel);
    return buf;
}

const char *tu_pki(const char *name)
{
    static char buf[4096];
    const char *base = getenv("CERTSLOT_TESTPKI");
    snprintf(buf, sizeof(buf), "%s/%s", base != NULL ? base : "build/testpki", name);
    return buf;
}

char *tu_pki_read(const char *name, size_t *len)
{
    return tu_read(tu_pki(name), len);
}

const char *tu_tmpdir(void)
{
    static char bufs[8][64];
    static unsigned next;
    char *b = bufs[next++ % 8];
    const char *t = getenv("TMPDIR");
    snprintf(b, 64, "%s/certslot-XXXXXX", t != NULL && strlen(t) < 40 ? t : "/tmp");
    assert_non_null(mkdtemp(b));
    return b;
}

void tu_write(const char *dir, const char *name, const char *data, size_t len)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

void tu_write_str(const char *dir, const char *name, const char *text)
{
    tu_write(dir, name, text, strlen(text));
}

void tu_rmtree(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char path[4096];

    if (d == NULL)
        return;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        struct stat st;
        if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode))
            tu_rmtree(path);
        else
            unlink(path);
    }
    closedir(d);
    rmdir(dir);
}

char *tu_read(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    buf[n] = '\0';
    fclose(f);
    if (len != NULL)
        *len = (size_t)n;
    return buf;
}

const certslot_diag_t *tu_find_diag(const certslot_config_t *cfg, certslot_severity_t sev, const char *text)
{
    for (size_t i = 0; i < cfg->ndiags; i++)
        if (cfg->diags[i].severity == sev && strstr(cfg->diags[i].msg, text) != NULL)
            return &cfg->diags[i];
    return NULL;
}

const certslot_settings_t *tu_settings(const certslot_config_t *cfg)
{
    static certslot_settings_t s;
    char why[200];
    if (certslot_config_settings(cfg, &s, why, sizeof(why)) != 0)
        fail_msg("settings: %s", why);
    return &s;
}
