/*
 * Shared by the benchmark programs (each includes it once): a counting
 * allocator and the measured section.
 *
 * Heap: malloc/calloc/realloc/free are interposed for the whole process
 * (mbedTLS in Debian's build allocates with libc calloc, expat and certslot
 * through certslot_calloc, which is libc calloc by default), so every heap
 * byte of either side is counted. Sizes are the block's usable size.
 *
 * Instructions: tools/bench.sh runs a program under callgrind with
 * --toggle-collect=bench_measure, so only bench_measure() and what it calls
 * is counted. A program prints "key value" lines that the driver reads.
 */
#ifndef CERTSLOT_BENCH_H
#define CERTSLOT_BENCH_H

#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "certslot/hal.h"

extern void *__libc_malloc(size_t n);
extern void *__libc_calloc(size_t n, size_t size);
extern void *__libc_realloc(void *p, size_t n);
extern void __libc_free(void *p);

static long long bench_now_bytes, bench_peak_bytes;

static inline void bench_count(long long delta)
{
    bench_now_bytes += delta;
    if (bench_now_bytes > bench_peak_bytes)
        bench_peak_bytes = bench_now_bytes;
}

void *malloc(size_t n)
{
    void *p = __libc_malloc(n);
    if (p != NULL)
        bench_count((long long)malloc_usable_size(p));
    return p;
}

void *calloc(size_t n, size_t size)
{
    void *p = __libc_calloc(n, size);
    if (p != NULL)
        bench_count((long long)malloc_usable_size(p));
    return p;
}

void *realloc(void *p, size_t n)
{
    long long old = p != NULL ? (long long)malloc_usable_size(p) : 0;
    void *q = __libc_realloc(p, n);
    if (q != NULL)
        bench_count((long long)malloc_usable_size(q) - old);
    else if (n == 0)
        bench_count(-old);
    return q;
}

void free(void *p)
{
    if (p != NULL)
        bench_count(-(long long)malloc_usable_size(p));
    __libc_free(p);
}

/* Starts a heap window: the peak is measured from here, relative to now. */
static long long bench_heap_mark;
static inline void bench_heap_start(void)
{
    bench_heap_mark = bench_now_bytes;
    bench_peak_bytes = bench_now_bytes;
}

/* Most bytes held at once since bench_heap_start, above what was held then. */
static inline long long bench_heap_peak(void)
{
    return bench_peak_bytes - bench_heap_mark;
}

/* Bytes held now, above what was held at bench_heap_start. */
static inline long long bench_heap_held(void)
{
    return bench_now_bytes - bench_heap_mark;
}

/*
 * hal/sim keeps its storage in the heap; on a handset that is flash. What a
 * storage call changes in the heap (the copy written, an old copy dropped)
 * is not the module's: bench_flash_hal makes hal's storage calls leave the
 * heap figures as they found them.
 */
static certslot_hal_t bench_flash_inner;

static inline int bench_flash_call(int ret, long long now, long long peak)
{
    bench_now_bytes = now;
    bench_peak_bytes = peak;
    return ret;
}

static int bench_flash_write(void *ctx, const char *name, const unsigned char *data, size_t len)
{
    long long now = bench_now_bytes, peak = bench_peak_bytes;
    return bench_flash_call(bench_flash_inner.storage_write(ctx, name, data, len), now, peak);
}

static int bench_flash_rename(void *ctx, const char *from, const char *to)
{
    long long now = bench_now_bytes, peak = bench_peak_bytes;
    return bench_flash_call(bench_flash_inner.storage_rename(ctx, from, to), now, peak);
}

static int bench_flash_remove(void *ctx, const char *name)
{
    long long now = bench_now_bytes, peak = bench_peak_bytes;
    return bench_flash_call(bench_flash_inner.storage_remove(ctx, name), now, peak);
}

static inline void bench_flash_hal(certslot_hal_t *hal)
{
    bench_flash_inner = *hal;
    hal->storage_write = bench_flash_write;
    hal->storage_rename = bench_flash_rename;
    hal->storage_remove = bench_flash_remove;
}

static inline void bench_die(const char *what)
{
    fprintf(stderr, "bench: %s\n", what);
    exit(1);
}

static inline char *bench_read(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    size_t cap = 0, n = 0;

    if (f == NULL)
        return NULL;
    for (;;) {
        if (n + 4096 + 1 > cap) {
            cap = cap == 0 ? 65536 : cap * 2;
            char *b = realloc(buf, cap);
            if (b == NULL)
                bench_die("out of memory");
            buf = b;
        }
        size_t got = fread(buf + n, 1, cap - n - 1, f);
        n += got;
        if (got == 0)
            break;
    }
    fclose(f);
    buf[n] = '\0';
    *len = n;
    return buf;
}

static inline const char *bench_pki(const char *name)
{
    static char path[4][1024];
    static unsigned next;
    const char *dir = getenv("CERTSLOT_TESTPKI");

    if (dir == NULL)
        bench_die("CERTSLOT_TESTPKI is not set (run through make bench)");
    char *p = path[next++ % 4];
    snprintf(p, sizeof(path[0]), "%s/%s", dir, name);
    return p;
}

#endif
