/*
 * Reading whole input files and writing output files for the tool's
 * commands, one way for all (writing: hal/linux's atomic writer).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "certslot/hal_linux.h"
#include "certslot/platform.h"
#include "cli.h"

unsigned char *cli_read_file(const char *cmd, const char *path, size_t max, size_t *len)
{
    FILE *f = fopen(path, "rb");
    unsigned char *buf = NULL;
    size_t cap = 0, n = 0;

    if (f == NULL) {
        fprintf(stderr, "certslot %s: cannot read %s: %s\n", cmd, path, strerror(errno));
        return NULL;
    }
    for (;;) {
        if (n == cap) {
            size_t ncap = cap == 0 ? 16384 : cap * 2;
            unsigned char *b = cap <= max ? certslot_calloc(1, ncap + 1) : NULL;
            if (b == NULL) {
                fprintf(stderr, "certslot %s: %s is larger than the limit of %zu bytes\n", cmd, path, max);
                cli_free_file(buf, cap);
                fclose(f);
                return NULL;
            }
            if (n > 0)
                memcpy(b, buf, n);
            cli_free_file(buf, cap); /* it may hold a key */
            buf = b;
            cap = ncap;
        }
        size_t r = fread(buf + n, 1, cap - n, f);
        n += r;
        if (r == 0)
            break;
    }
    int bad = ferror(f);
    fclose(f);
    if (bad || n > max) {
        if (bad)
            fprintf(stderr, "certslot %s: cannot read %s\n", cmd, path);
        else
            fprintf(stderr, "certslot %s: %s is larger than the limit of %zu bytes\n", cmd, path, max);
        cli_free_file(buf, cap);
        return NULL;
    }
    buf[n] = '\0';
    *len = n;
    return buf;
}

void cli_free_file(void *buf, size_t len)
{
    certslot_zeroize(buf, len);
    certslot_free(buf);
}

int cli_write_file(const char *cmd, const char *path, const void *data, size_t len, unsigned mode, int flags)
{
    char why[PATH_MAX + 128];

    if (certslot_hal_linux_write_file(path, data, len, mode, flags, why, sizeof(why)) == 0)
        return 0;
    fprintf(stderr, "certslot %s: %s\n", cmd, why);
    return -1;
}
