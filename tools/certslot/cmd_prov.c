/*
 * certslot provision: one provisioning run of the handset's boot flow
 * against a server, into a store directory.
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

static void report(void *ctx, const char *msg)
{
    (void)ctx;
    fprintf(stderr, "certslot provision: %s\n", msg);
}

int cmd_provision(int argc, char **argv)
{
    static cli_store_t h;
    cli_store_opts_t so;
    certslot_url_t server;
    certslot_result_t res;
    const char *dir = NULL, *mac = NULL, *name = NULL, *user = NULL, *password = NULL;
    long type = 0, timeout = 0;
    char why[200];

    memset(&so, 0, sizeof(so));
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        char *end = NULL;
        if (cli_store_option(argc, argv, &i, &so))
            continue;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            fputs(prov_help, stdout);
            return EXIT_ACCEPT;
        } else if (a[0] != '-' || i + 1 == argc) {
            fprintf(stderr, "certslot provision: unexpected '%s'\n%s", a, prov_help);
            return EXIT_USAGE;
        } else if (strcmp(a, "--dir") == 0) {
            dir = argv[++i];
        } else if (strcmp(a, "--mac") == 0) {
            mac = argv[++i];
        } else if (strcmp(a, "--server") == 0) {
            name = argv[++i];
        } else if (strcmp(a, "--user") == 0) {
            user = argv[++i];
        } else if (strcmp(a, "--password") == 0) {
            password = argv[++i];
        } else if (strcmp(a, "--type") == 0) {
            type = strtol(argv[++i], &end, 10);
            if (*end != '\0' || type < 0 || type > 4) {
                fprintf(stderr, "certslot provision: --type is 0..4 (FTP, TFTP, HTTP, HTTPS, FTPS)\n");
                return EXIT_USAGE;
            }
        } else if (strcmp(a, "--timeout") == 0) {
            timeout = strtol(argv[++i], &end, 10);
            if (*end != '\0' || timeout < 1 || timeout > 600) {
                fprintf(stderr, "certslot provision: --timeout is 1..600 seconds\n");
                return EXIT_USAGE;
            }
        } else {
            fprintf(stderr, "certslot provision: unknown option '%s'\n%s", a, prov_help);
            return EXIT_USAGE;
        }
    }
    if (dir == NULL || mac == NULL || name == NULL || (user == NULL) != (password == NULL)) {
        fprintf(stderr, "certslot provision: %s\n%s",
                (user == NULL) != (password == NULL) ? "give --user and --password together"
                                                     : "--dir, --mac and --server are required",
                prov_help);
        return EXIT_USAGE;
    }
    /* --user and --password (each also @FILE or -) win over credentials in the URL. */
    char user_buf[CERTSLOT_URL_MAX_CRED + 2], pw_buf[CERTSLOT_URL_MAX_CRED + 2];
    int bad = 0;
    if (user != NULL && (cli_secret_arg(user, user_buf, sizeof(user_buf), "provision", "--user") != 0 ||
                         cli_secret_arg(password, pw_buf, sizeof(pw_buf), "provision", "--password") != 0))
        bad = EXIT_USAGE;
    if (!bad && certslot_prov_server(&server, name, (int)type, NULL, NULL, why, sizeof(why)) != 0) {
        fprintf(stderr, "certslot provision: bad --server: %s\n", why);
        bad = EXIT_USAGE;
    }
    if (!bad && user != NULL && certslot_url_set_credentials(&server, user_buf, pw_buf, why, sizeof(why)) != 0) {
        fprintf(stderr, "certslot provision: bad --user or --password: %s\n", why);
        certslot_url_wipe(&server);
        bad = EXIT_USAGE;
    }
    certslot_zeroize(user_buf, sizeof(user_buf));
    certslot_zeroize(pw_buf, sizeof(pw_buf));
    if (bad)
        return bad;
    so.dir = dir;
    so.mac = mac;
    so.write = 1;
    int ret = cli_store_open(&h, &so, "provision");
    if (ret != 0) {
        certslot_url_wipe(&server);
        return ret;
    }
    ret = certslot_prov_run(&h.store, &h.hal, &server, (unsigned)timeout * 1000u, report, NULL, &res);
    if (res.status == CERTSLOT_STATUS_OK)
        printf("%s\n", res.msg);
    else
        fprintf(stderr, "certslot provision: %s: %s\n", certslot_status_name(res.status), res.msg);
    certslot_url_wipe(&server);
    cli_store_close(&h);
    return res.status == CERTSLOT_STATUS_OK && ret == 0 ? EXIT_ACCEPT : EXIT_ERRORS;
}
