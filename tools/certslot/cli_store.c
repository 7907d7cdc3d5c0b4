/*
 * The store of a directory, opened the one way every command opens it:
 * through hal/linux, with the device secret and the anti-rollback counter
 * where the options put them, creating nothing for a read-only command.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "certslot/error.h"
#include "cli.h"

static int exists(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0;
}

/* dir without trailing slashes, then suffix (the counter's default: beside the directory, not in it). */
static int sibling(char *out, size_t size, const char *dir, const char *suffix)
{
    size_t n = strlen(dir);
    while (n > 1 && dir[n - 1] == '/')
        n--;
    if (n == 1 && dir[0] == '.') { /* "." is the working directory: its name, outside it */
        char cwd[4096];
        if (getcwd(cwd, sizeof(cwd)) == NULL)
            return -1;
        return snprintf(out, size, "%s%s", cwd, suffix) < (int)size ? 0 : -1;
    }
    return snprintf(out, size, "%.*s%s", (int)n, dir, suffix) < (int)size ? 0 : -1;
}

int cli_store_open(cli_store_t *h, const cli_store_opts_t *o, const char *cmd)
{
    certslot_hal_linux_options_t opt;
    certslot_result_t res;
    int ret;

    memset(h, 0, sizeof(*h));
    if (o->secret != NULL)
        snprintf(h->secret, sizeof(h->secret), "%s", o->secret);
    else if (snprintf(h->secret, sizeof(h->secret), "%s/.device_secret", o->dir) >= (int)sizeof(h->secret))
        return fprintf(stderr, "certslot %s: --dir is too long\n", cmd), EXIT_USAGE;
    if (o->counter != NULL && strcmp(o->counter, "none") != 0)
        snprintf(h->counter, sizeof(h->counter), "%s", o->counter);
    else if (o->counter == NULL && sibling(h->counter, sizeof(h->counter), o->dir, ".counter") != 0)
        return fprintf(stderr, "certslot %s: --dir is too long\n", cmd), EXIT_USAGE;
    int had_secret = exists(h->secret), had_counter = h->counter[0] != '\0' && exists(h->counter);

    memset(&opt, 0, sizeof(opt));
    opt.storage_dir = o->dir;
    opt.secret_path = h->secret;
    opt.counter_path = h->counter[0] != '\0' ? h->counter : NULL;
    opt.create = o->write;
    opt.mac = o->mac != NULL ? o->mac : "000000000000";
    opt.factory_cert_path = o->factory_cert;
    opt.factory_key_path = o->factory_key;
    opt.log_level = CERTSLOT_LOG_WARNING;
    certslot_hal_linux_init(&h->linux_hal);
    ret = certslot_hal_linux_open(&h->linux_hal, &h->hal, &opt);
    if (ret == CERTSLOT_ERR_NOT_FOUND) {
        fprintf(stderr, "certslot %s: no store in %s\n", cmd, o->dir);
        return EXIT_USAGE;
    }
    if (ret == CERTSLOT_ERR_SECRET) {
        fprintf(stderr, "certslot %s: the store in %s cannot be opened: its device secret %s is missing "
                        "(give it with --secret FILE); no new one is made\n",
                cmd, o->dir, h->secret);
        return EXIT_USAGE;
    }
    if (ret != 0) {
        fprintf(stderr, "certslot %s: cannot open %s: %s\n", cmd, o->dir, certslot_strerror(ret));
        return EXIT_USAGE;
    }
    h->hal_open = 1;
    if (!had_secret)
        fprintf(stderr, "certslot %s: note: made a new device secret %s; a handset keeps it apart from the store "
                        "(see certslot store --help)\n",
                cmd, h->secret);
    h->new_counter = h->counter[0] != '\0' && !had_counter;
    ret = o->accept_rollback ? certslot_store_accept_rollback(&h->store, &h->hal, &res)
                             : certslot_store_open(&h->store, &h->hal);
    if (ret == CERTSLOT_ERR_CORRUPT) {
        fprintf(stderr, "certslot %s: warning: no intact store in %s; starting empty\n", cmd, o->dir);
    } else if (ret == CERTSLOT_ERR_ROLLBACK) {
        fprintf(stderr, "certslot %s: error: the store in %s is refused as a rollback (its anti-rollback counter is "
                        "%s); 'certslot store --dir %s accept-rollback' keeps what is there\n",
                cmd, o->dir, h->counter, o->dir);
        cli_store_close(h);
        return EXIT_ERRORS;
    } else if (ret == CERTSLOT_ERR_SECRET) {
        fprintf(stderr, "certslot %s: the store in %s was written under another device secret than %s\n", cmd,
                o->dir, h->secret);
        cli_store_close(h);
        return EXIT_USAGE;
    } else if (ret != 0) {
        fprintf(stderr, "certslot %s: cannot open the store in %s: %s\n", cmd, o->dir, certslot_strerror(ret));
        cli_store_close(h);
        return EXIT_USAGE;
    }
    if (o->accept_rollback)
        printf("%s\n", res.msg);
    if (!o->write && h->store.files == 0) {
        fprintf(stderr, "certslot %s: no store in %s\n", cmd, o->dir);
        cli_store_close(h);
        return EXIT_USAGE;
    }
    return 0;
}

void cli_store_close(cli_store_t *h)
{
    if (h->new_counter && exists(h->counter))
        fprintf(stderr, "certslot: note: the store's anti-rollback counter is %s (outside the store directory)\n",
                h->counter);
    certslot_store_free(&h->store);
    if (h->hal_open)
        certslot_hal_linux_free(&h->linux_hal);
    memset(h, 0, sizeof(*h));
}

int cli_store_option(int argc, char **argv, int *i, cli_store_opts_t *o)
{
    if (*i + 1 >= argc)
        return 0;
    if (strcmp(argv[*i], "--secret") == 0)
        o->secret = argv[++*i];
    else if (strcmp(argv[*i], "--counter") == 0)
        o->counter = argv[++*i];
    else
        return 0;
    return 1;
}
