/*
 * The certslot command-line tool: shared declarations of its subcommands.
 */
#ifndef CERTSLOT_CLI_H
#define CERTSLOT_CLI_H

#include <stdio.h>

#include "certslot/config.h"
#include "certslot/hal_linux.h"
#include "certslot/store.h"

/* Exit codes of every subcommand. */
#define EXIT_ACCEPT 0 /* no error */
#define EXIT_ERRORS 1 /* some parameter or file had an error */
#define EXIT_USAGE 2  /* usage error or unreadable input */

int cmd_config(int argc, char **argv);
int cmd_lint(int argc, char **argv);
int cmd_params(int argc, char **argv);
int cmd_store(int argc, char **argv);

/* Largest input file a command reads. */
#define CLI_FILE_MAX (16u * 1024u * 1024u)

/*
 * Reads a whole file of at most max bytes into a new NUL-terminated buffer
 * (*len excludes the NUL); NULL with "certslot CMD: ..." on stderr when it
 * cannot. Free with cli_free_file(), which wipes it (it may hold a key).
 */
unsigned char *cli_read_file(const char *cmd, const char *path, size_t max, size_t *len);
void cli_free_file(void *buf, size_t len);

/*
 * Writes path atomically with mode (hal/linux's writer; flags
 * CERTSLOT_HAL_LINUX_NEW: never replacing a file): 0, or -1 with the reason
 * on stderr ("certslot CMD: cannot write PATH: ..."); path is then unchanged.
 */
int cli_write_file(const char *cmd, const char *path, const void *data, size_t len, unsigned mode, int flags);
int cmd_verify(int argc, char **argv);
int cmd_connect(int argc, char **argv);
int cmd_ca(int argc, char **argv);
int cmd_issue(int argc, char **argv);
int cmd_csr(int argc, char **argv);
int cmd_oneline(int argc, char **argv);
int cmd_pfx(int argc, char **argv);
int cmd_provision(int argc, char **argv);
int cmd_upload(int argc, char **argv);
int cmd_encrypt(int argc, char **argv);
int cmd_decrypt(int argc, char **argv);
int cmd_inject(int argc, char **argv);
int cmd_dot1x(int argc, char **argv);

/*
 * Loads config files as `certslot config` does (a master file when master)
 * and finishes the configuration; returns the exit status its diagnostics
 * call for. cfg must be freed by the caller in every case but a bad MAC.
 */
int cli_load_config(certslot_config_t *cfg, const char *mac, int master, char **files, int nfiles, const char *cmd);
/* The same, with key (a --key argument, or NULL) decrypting encrypted files. */
int cli_load_config_key(certslot_config_t *cfg, const char *mac, int master, char **files, int nfiles,
                        const char *key, const char *cmd);

/*
 * A secret option's value (cli_secret.c): the argument itself, @FILE (the
 * first line of FILE) or - (the first line of standard input, for one
 * option only), into buf. 0, or EXIT_USAGE with a message naming opt.
 */
int cli_secret_arg(const char *arg, char *buf, size_t size, const char *cmd, const char *opt);

/* The key string of a --key argument (cli_secret_arg), checked. 0, or EXIT_USAGE with a message. */
int cli_key_arg(const char *arg, char *buf, size_t size, const char *cmd);

/*
 * The certificate checks of `certslot lint` on a finished configuration:
 * prints its diagnostics to f and returns the number of errors, or -1 when
 * server_cert (the provisioning server's certificate file, or NULL) cannot
 * be read or decoded.
 */
int lint_certs(FILE *f, const certslot_config_t *cfg, const char *server_cert);

/*
 * A store directory as every command opens it (cli_store.c): the device
 * secret at secret (NULL: DIR/.device_secret, the tool's convenient default),
 * the anti-rollback counter at counter (NULL: DIR.counter, beside the
 * directory; "none": no counter). Only with write are the directory, the
 * secret and the store created. Returns 0, or the exit status with the
 * reason printed (a missing store, a rollback, another device secret).
 */
typedef struct {
    const char *dir, *mac, *secret, *counter, *factory_cert, *factory_key;
    int write, accept_rollback;
} cli_store_opts_t;

typedef struct {
    certslot_hal_linux_t linux_hal;
    certslot_hal_t hal;
    certslot_store_t store;
    char secret[4096], counter[4096];
    int hal_open, new_counter;
} cli_store_t;

int cli_store_open(cli_store_t *h, const cli_store_opts_t *o, const char *cmd);
void cli_store_close(cli_store_t *h);

/* Parses --secret FILE and --counter FILE|none at argv[*i] into o; 1 when it took one, 0 otherwise. */
int cli_store_option(int argc, char **argv, int *i, cli_store_opts_t *o);

/* Prints cfg's diagnostics to f; notes only when with_notes. */
void cli_print_diags(FILE *f, const certslot_config_t *cfg, int with_notes);

/* Writes p's effective value as shown to users (canonical, escaped, secrets hidden). */
void cli_print_value(FILE *f, const certslot_config_t *cfg, certslot_param_t p);

#endif
