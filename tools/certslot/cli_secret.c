/*
 * Secrets on the command line: every option that takes one (a password, a
 * key string) also takes @FILE (the first line of FILE) and - (the first
 * line of standard input), so that it never has to appear in `ps`.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "certslot/cfgcrypt.h"
#include "certslot/platform.h"
#include "cli.h"

static int stdin_taken;

/* The first line of f (without its line end) into buf; -1 when it does not fit or cannot be read. */
static int first_line(FILE *f, char *buf, size_t size)
{
    size_t len = 0;
    int c;

    while ((c = fgetc(f)) != EOF && c != '\n') {
        if (len + 1 >= size)
            return -1;
        buf[len++] = (char)c;
    }
    if (ferror(f))
        return -1;
    if (len > 0 && buf[len - 1] == '\r')
        len--;
    buf[len] = '\0';
    return 0;
}

int cli_secret_arg(const char *arg, char *buf, size_t size, const char *cmd, const char *opt)
{
    int ret = 0;

    if (strcmp(arg, "-") == 0) {
        if (stdin_taken++) {
            fprintf(stderr, "certslot %s: %s -: standard input is already read by another option\n", cmd, opt);
            return EXIT_USAGE;
        }
        ret = first_line(stdin, buf, size);
    } else if (arg[0] == '@') {
        FILE *f = fopen(arg + 1, "rb");
        if (f == NULL) {
            fprintf(stderr, "certslot %s: %s: cannot read %s: %s\n", cmd, opt, arg + 1, strerror(errno));
            return EXIT_USAGE;
        }
        ret = first_line(f, buf, size);
        fclose(f);
    } else if (strlen(arg) < size) {
        memcpy(buf, arg, strlen(arg) + 1);
    } else {
        ret = -1;
    }
    if (ret != 0) {
        certslot_zeroize(buf, size);
        fprintf(stderr, "certslot %s: %s: unreadable, or longer than %zu characters\n", cmd, opt, size - 1);
        return EXIT_USAGE;
    }
    return 0;
}

int cli_key_arg(const char *arg, char *buf, size_t size, const char *cmd)
{
    char why[CERTSLOT_CFGCRYPT_WHY_LEN];
    certslot_cfgcrypt_key_t key;

    int ret = cli_secret_arg(arg, buf, size, cmd, "--key");
    if (ret != 0)
        return ret;
    ret = certslot_cfgcrypt_key_parse(&key, buf, strlen(buf), why, sizeof(why));
    certslot_cfgcrypt_key_free(&key);
    if (ret != 0) {
        certslot_zeroize(buf, size);
        fprintf(stderr, "certslot %s: --key: %s\n", cmd, why);
        return EXIT_USAGE;
    }
    return 0;
}
