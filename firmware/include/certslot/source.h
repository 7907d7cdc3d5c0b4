/**
 * @file
 * Where config files come from, inih style: the config stage asks a source
 * for a file by name and reads it in chunks, so it makes no file-system call
 * of its own. hal/linux supplies one for a directory
 * (certslot_hal_linux_config_dir), the provisioning flow one for a server,
 * the tool one for the files named on its command line.
 */
#ifndef CERTSLOT_SOURCE_H
#define CERTSLOT_SOURCE_H

#include <stddef.h>

/** Where config files come from: three functions and their context. */
typedef struct {
    /**
     * Opens the file name (a master file or a CONFIG_FILES entry, as the
     * config stage checked it: relative, no "..", no control byte): 0;
     * CERTSLOT_ERR_NOT_FOUND when there is no such file (optional files are
     * skipped, not an error); any other error with a one-line reason in why,
     * which is reported at that file.
     */
    int (*open)(void *ctx, const char *name, void **file, char *why, size_t why_size);
    /** Reads up to size bytes into buf: 0 with *got bytes (0 at the end), or an error. */
    int (*read)(void *ctx, void *file, char *buf, size_t size, size_t *got);
    /** Closes what open returned. */
    void (*close)(void *ctx, void *file);
    void *ctx; /**< passed to each function */
    /** How its files are named in diagnostics: `"<label>/<name>"`; NULL: the name alone. */
    const char *label;
} certslot_source_t;

#endif
