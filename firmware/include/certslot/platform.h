/**
 * @file
 * The one place certslot allocates memory.
 *
 * All heap memory of the module (including expat's and mbedTLS's) goes
 * through the pair installed here, so a test or a handset can count, bound
 * or fail allocations by installing its own. The default is the C
 * library's calloc/free. Install it once, before the first allocation:
 * memory must be freed by the pair that allocated it.
 */
#ifndef CERTSLOT_PLATFORM_H
#define CERTSLOT_PLATFORM_H

#include <stddef.h>

/** An allocator with calloc's contract. */
typedef void *(*certslot_calloc_fn)(size_t n, size_t size);
/** The free of that allocator; accepts NULL. */
typedef void (*certslot_free_fn)(void *p);

/** Installs an allocator pair, for certslot and for mbedTLS (mbedtls_platform_set_calloc_free); NULL for either
 * restores the default pair. */
void certslot_platform_set_calloc_free(certslot_calloc_fn c, certslot_free_fn f);

/** Zeroed memory for n objects of size bytes from the installed allocator; NULL on failure. */
void *certslot_calloc(size_t n, size_t size);
/** Frees what certslot_calloc returned; accepts NULL. */
void certslot_free(void *p);

/** Copies s (at most len bytes, then a NUL) into new memory; NULL on failure. */
char *certslot_strndup(const char *s, size_t len);

/** Overwrites n bytes at p with zeroes in a way the compiler cannot elide. */
void certslot_zeroize(void *p, size_t n);

#endif
