/*
 * certslot provision: one provisioning run of the handset's boot flow
 * against a server, into a store directory; certslot upload: a log file
 * uploaded as the handset uploads its logs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "certslot/error.h"
#include "certslot/hal_linux.h"
#include "certslot/platform.h"
#include "certslot/prov.h"
#include "certslot/store.h"
#include "cli.h"

static const char prov_help[] =
    "usage: certslot provision --dir DIR [--secret FILE] [--counter FILE|none] --mac MAC\n"
    "                          --server URL_OR_NAME [--type N]\n"
    "                          [--user U --password P] [--timeout SECONDS]\n"
    "\n"
    "Runs the handset's provisioning once: fetches MAC.cfg (else 000000000000.cfg)\n"
    "and the files its CONFIG_FILES names from the server, and applies them to\n"
    "the store in DIR as one update. If any file cannot be fetched or is rejected,\n"
    "nothing applies. --server is a URL (ftp, tftp, http, https, ftps, ftpes) or\n"
    "host[:port][/path] with --type 0 FTP (default), 1 TFTP, 2 HTTP, 3 HTTPS,\n"
    "4 FTPS. FTPS is implicit TLS (port 990; a server that greets in plain text\n"
    "gets AUTH TLS); ftpes:// is explicit FTPS (AUTH TLS, port 21). --user and --password win over credentials in the URL (and those\n"
    "over the default PlcmSpIp); each is a value, @FILE (its first line) or -\n"
    "(a line of standard input), so that no password shows in 'ps'. HTTPS and\n"
    "FTPS use the provisioning TLS profile of the settings stored in DIR.\n"
    "--timeout is the most one transfer (connection, TLS handshake, all its data)\n"
    "may take, 1..600 seconds (default 60); a server that sends less than 1 KiB a\n"
    "second for 10 s is given up on sooner.\n"
    "Exit status: 0 applied, 1 refused or failed (store unchanged), 2 usage error.\n";

static const char upload_help[] =
    "usage: certslot upload --dir DIR [--secret FILE] [--counter FILE|none] --mac MAC\n"
    "                       [--server URL_OR_NAME [--type N]] [--user U --password P]\n"
    "                       [--name NAME] [--timeout SECONDS] LOGFILE\n"
    "\n"
    "Uploads LOGFILE as the handset does: into the provisioning server's\n"
    "directory as NAME (default MAC-app.log), appended over FTP and FTPS\n"
    "(APPE), replacing the file over HTTP and HTTPS (PUT); TFTP cannot upload.\n"
    "The server is the one the settings stored in DIR name (device.prov.*),\n"
    "unless --server gives one (with --type, --user and --password as for\n"
    "'certslot provision'). HTTPS and FTPS use the stored provisioning TLS\n"
    "profile. Nothing in DIR changes.\n"
    "Exit status: 0 uploaded, 1 refused or failed, 2 usage error.\n";

static void report(void *ctx, const char *msg)
{
    (void)ctx;
    fprintf(stderr, "certslot provision: %s\n", msg);
}

/* What provision and upload share on their command lines. */
typedef struct {
    cli_store_opts_t so;
    const char *dir, *mac, *name, *user, *password, *log_name, *file;
    long type, timeout;
    int help; /* --help was given (and printed) */
} prov_args_t;

/* Parses argv into a (upload: also --name and LOGFILE). 0 (a->help after --help) or EXIT_USAGE. */
static int parse(int argc, char **argv, int upload, const char *cmd, const char *help, prov_args_t *a)
{
    char *end = NULL;
    memset(a, 0, sizeof(*a));
    a->type = -1;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (cli_store_option(argc, argv, &i, &a->so))
            continue;
        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            fputs(help, stdout);
            a->help = 1;
            return 0;
        } else if (upload && arg[0] != '-' && a->file == NULL) {
            a->file = arg;
        } else if (arg[0] != '-' || i + 1 == argc) {
            fprintf(stderr, "certslot %s: unexpected '%s'\n%s", cmd, arg, help);
            return EXIT_USAGE;
        } else if (strcmp(arg, "--dir") == 0) {
            a->dir = argv[++i];
        } else if (strcmp(arg, "--mac") == 0) {
            a->mac = argv[++i];
        } else if (strcmp(arg, "--server") == 0) {
            a->name = argv[++i];
        } else if (strcmp(arg, "--user") == 0) {
            a->user = argv[++i];
        } else if (strcmp(arg, "--password") == 0) {
            a->password = argv[++i];
        } else if (upload && strcmp(arg, "--name") == 0) {
            a->log_name = argv[++i];
        } else if (strcmp(arg, "--type") == 0) {
            a->type = strtol(argv[++i], &end, 10);
            if (*end != '\0' || a->type < 0 || a->type > 4) {
                fprintf(stderr, "certslot %s: --type is 0..4 (FTP, TFTP, HTTP, HTTPS, FTPS)\n", cmd);
                return EXIT_USAGE;
            }
        } else if (strcmp(arg, "--timeout") == 0) {
            a->timeout = strtol(argv[++i], &end, 10);
            if (*end != '\0' || a->timeout < 1 || a->timeout > 600) {
                fprintf(stderr, "certslot %s: --timeout is 1..600 seconds\n", cmd);
                return EXIT_USAGE;
            }
        } else {
            fprintf(stderr, "certslot %s: unknown option '%s'\n%s", cmd, arg, help);
            return EXIT_USAGE;
        }
    }
    const char *missing = a->dir == NULL || a->mac == NULL ? "--dir and --mac are required"
                          : !upload && a->name == NULL   ? "--server is required"
                          : upload && a->file == NULL    ? "the log file to upload is required"
                          : a->name == NULL && a->type >= 0 ? "--type needs --server"
                          : (a->user == NULL) != (a->password == NULL) ? "give --user and --password together"
                                                                       : NULL;
    if (missing != NULL) {
        fprintf(stderr, "certslot %s: %s\n%s", cmd, missing, help);
        return EXIT_USAGE;
    }
    return 0;
}

/* The server of a (or, without --server, of the stored settings), with --user and --password applied. */
static int server_of(const prov_args_t *a, const certslot_settings_t *settings, const char *cmd,
                     certslot_url_t *server)
{
    char user_buf[CERTSLOT_URL_MAX_CRED + 2], pw_buf[CERTSLOT_URL_MAX_CRED + 2], why[200];
    int bad = 0;

    if (a->user != NULL && (cli_secret_arg(a->user, user_buf, sizeof(user_buf), cmd, "--user") != 0 ||
                            cli_secret_arg(a->password, pw_buf, sizeof(pw_buf), cmd, "--password") != 0))
        bad = EXIT_USAGE;
    if (!bad && a->name != NULL &&
        certslot_prov_server(server, a->name, a->type < 0 ? 0 : (int)a->type, NULL, NULL, why, sizeof(why)) != 0) {
        fprintf(stderr, "certslot %s: bad --server: %s\n", cmd, why);
        bad = EXIT_USAGE;
    }
    if (!bad && a->name == NULL && certslot_prov_server_from_settings(settings, server, why, sizeof(why)) != 0) {
        fprintf(stderr, "certslot %s: the stored settings name no usable server: %s\n", cmd, why);
        bad = EXIT_ERRORS;
    }
    /* --user and --password (each also @FILE or -) win over credentials in the URL. */
    if (!bad && a->user != NULL && certslot_url_set_credentials(server, user_buf, pw_buf, why, sizeof(why)) != 0) {
        fprintf(stderr, "certslot %s: bad --user or --password: %s\n", cmd, why);
        certslot_url_wipe(server);
        bad = EXIT_USAGE;
    }
    certslot_zeroize(user_buf, sizeof(user_buf));
    certslot_zeroize(pw_buf, sizeof(pw_buf));
    return bad;
}

int cmd_provision(int argc, char **argv)
{
    static cli_store_t h;
    prov_args_t a;
    certslot_url_t server;
    certslot_result_t res;

    int ret = parse(argc, argv, 0, "provision", prov_help, &a);
    if (ret != 0 || a.help)
        return ret;
    if ((ret = server_of(&a, NULL, "provision", &server)) != 0)
        return ret;
    a.so.dir = a.dir;
    a.so.mac = a.mac;
    a.so.write = 1;
    if ((ret = cli_store_open(&h, &a.so, "provision")) != 0) {
        certslot_url_wipe(&server);
        return ret;
    }
    ret = certslot_prov_run(&h.store, &h.hal, &server, (unsigned)a.timeout * 1000u, report, NULL, &res);
    if (res.status == CERTSLOT_STATUS_OK)
        printf("%s\n", res.msg);
    else
        fprintf(stderr, "certslot provision: %s: %s\n", certslot_status_name(res.status), res.msg);
    certslot_url_wipe(&server);
    cli_store_close(&h);
    return res.status == CERTSLOT_STATUS_OK && ret == 0 ? EXIT_ACCEPT : EXIT_ERRORS;
}

int cmd_upload(int argc, char **argv)
{
    static cli_store_t h;
    prov_args_t a;
    certslot_url_t server;
    certslot_result_t res;
    char name[80];
    size_t len;

    int ret = parse(argc, argv, 1, "upload", upload_help, &a);
    if (ret != 0 || a.help)
        return ret;
    unsigned char *log = cli_read_file("upload", a.file, CERTSLOT_FETCH_MAX_SIZE, &len);
    if (log == NULL)
        return EXIT_USAGE;
    a.so.dir = a.dir;
    a.so.mac = a.mac;
    if ((ret = cli_store_open(&h, &a.so, "upload")) != 0) {
        cli_free_file(log, len);
        return ret;
    }
    if ((ret = server_of(&a, &h.store.settings, "upload", &server)) == 0) {
        char mac[13];
        if (a.log_name == NULL && h.hal.mac(h.hal.ctx, mac) == 0)
            snprintf(name, sizeof(name), "%s-app.log", mac);
        else
            snprintf(name, sizeof(name), "%s", a.log_name != NULL ? a.log_name : "app.log");
        ret = certslot_prov_upload_log(&h.store, &h.hal, &server, name, log, len, (unsigned)a.timeout * 1000u,
                                       &res);
        if (res.status == CERTSLOT_STATUS_OK)
            printf("%s\n", res.msg);
        else
            fprintf(stderr, "certslot upload: %s: %s\n", certslot_status_name(res.status), res.msg);
        ret = res.status == CERTSLOT_STATUS_OK && ret == 0 ? EXIT_ACCEPT : EXIT_ERRORS;
        certslot_url_wipe(&server);
    }
    cli_free_file(log, len);
    cli_store_close(&h);
    return ret;
}
