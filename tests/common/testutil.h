/*
 * Helpers shared by the cmocka suites: a counting, failable allocator
 * installed through certslot_platform_set_calloc_free, and test data paths.
 */
#ifndef CERTSLOT_TESTUTIL_H
#define CERTSLOT_TESTUTIL_H

#include <stddef.h>

#include "certslot/config.h"

/* Installs the counting allocator; fail_at = N makes the Nth call fail (0: never). */
void tu_alloc_install(size_t fail_at);
void tu_alloc_uninstall(void);
/* With the counting allocator installed: the Nth call from now fails (0: never). */
void tu_alloc_fail_at(size_t fail_at);
/* 1: blocks freed from now on are kept (their memory as it was when freed) until tu_alloc_quarantine(0), so that
 * tu_alloc_freed_holding can look for bytes known only later, such as a key generated meanwhile. */
void tu_alloc_quarantine(int on);
/* How many of the kept blocks hold those len bytes. */
size_t tu_alloc_freed_holding(const void *bytes, size_t len);
/* How many 16-byte pieces of a private key (DER) the kept blocks hold, leaving out those that are in pub (the
 * certificate or request that carries its public half). */
size_t tu_alloc_freed_key_chunks(const unsigned char *key, size_t key_len, const unsigned char *pub, size_t pub_len);
/* 1: allocations from now on are not counted (frees of counted ones still are); 0: counted again. */
void tu_alloc_pause(int on);
size_t tu_alloc_outstanding(void); /* bytes allocated and not freed */
size_t tu_alloc_peak(void);        /* most bytes outstanding at once */
void tu_alloc_peak_reset(void);    /* the peak from now on: what is outstanding now */
size_t tu_alloc_calls(void);       /* allocation calls so far */
int tu_alloc_failed(void);         /* 1 once an injected failure happened */

/* The settings a finished cfg decides (certslot_config_settings), in a static buffer; fails the test on error. */
const certslot_settings_t *tu_settings(const certslot_config_t *cfg);

/* Config files from the file system, through hal/linux's sources (tu_linux.c): one file by its path, or a master
 * file (or its directory) with its CONFIG_FILES (certslot_config_parse / certslot_config_load_master). */
int tu_parse_file(certslot_config_t *cfg, const char *path);
int tu_load_master(certslot_config_t *cfg, const char *path);

/* The first diagnostic of cfg with this severity whose message contains text, or NULL. */
const certslot_diag_t *tu_find_diag(const certslot_config_t *cfg, certslot_severity_t sev, const char *text);

/* Path of a file under tests/data (CERTSLOT_TESTDATA); static buffer. */
const char *tu_data(const char *rel);

/* Path of a file of the test PKI (CERTSLOT_TESTPKI, made by tests/pki/make-pki.sh). */
const char *tu_pki(const char *name);

/* Reads a test PKI file (NUL-terminated; free with free()). */
char *tu_pki_read(const char *name, size_t *len);

/* Makes a fresh temporary directory and returns its path (static buffer per call slot). */
const char *tu_tmpdir(void);

/* Writes len bytes of data to dir/name; fails the test on error. */
void tu_write(const char *dir, const char *name, const char *data, size_t len);
void tu_write_str(const char *dir, const char *name, const char *text);

/* Removes a directory made by tu_tmpdir and everything in it. */
void tu_rmtree(const char *dir);

/* Reads a whole file into a NUL-terminated heap buffer (free with free()). */
char *tu_read(const char *path, size_t *len);

#endif
