/*
 * certslot dot1x: the dot1x application's profile, as stored by 'certslot
 * store apply', written as a wpa_supplicant network block and its files.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "certslot/dot1x.h"
#include "certslot/error.h"
#include "certslot/hal_linux.h"
#include "certslot/profile.h"
#include "certslot/prov.h"
#include "certslot/store.h"
#include "certslot/platform.h"
#include "cli.h"

static const char dot1x_help[] =
    "usage: certslot dot1x --dir STORE_DIR [--secret FILE] [--counter FILE|none]\n"
    "                      --out DIR --eap tls|peap [--ssid SSID]\n"
    "                      [--identity USER --password PASSWORD|@FILE|-] [--name SERVER]\n"
    "                      [--factory-cert FILE --factory-key FILE] [--ca-path DIR]\n"
    "\n"
    "Writes the dot1x application's profile, with the slots and settings stored\n"
    "in STORE_DIR, as a wpa_supplicant network block for 802.1X: DIR/dot1x.conf\n"
    "(network={...}), DIR/dot1x-ca.pem (ca_cert: the profile's CA slots) and, for\n"
    "EAP-TLS, DIR/dot1x-client.pem and DIR/dot1x-client.key (client_cert and\n"
    "private_key: the profile's device certificate; identity: its CN). When the\n"
    "profile includes the built-in CA list, ca_path is the system's CA directory\n"
    "(--ca-path, default /etc/ssl/certs). With the strict name check on,\n"
    "domain_match is SERVER (--name, required then). PEAP uses MSCHAPv2 with\n"
    "--identity and --password (@FILE: its first line; -: standard input; so that\n"
    "it never shows in 'ps'). --factory-cert/--factory-key stand for the\n"
    "handset's built-in device certificate. Files are written atomically with\n"
    "mode 0600. Exit status: 0 written, 1 refused (nothing written), 2 usage\n"
    "error.\n";

static int usage(const char *msg)
{
    fprintf(stderr, "certslot dot1x: %s\n%s", msg, dot1x_help);
    return EXIT_USAGE;
}

int cmd_dot1x(int argc, char **argv)
{
    static cli_store_t h;
    cli_store_opts_t so;
    certslot_dot1x_opts_t o;
    const char *dir = NULL, *out = NULL, *eap = NULL, *fcert = NULL, *fkey = NULL, *password = NULL;
    char why[256], abs_out[PATH_MAX], pw_buf[CERTSLOT_DOT1X_MAX_STRING + 2];

    memset(&o, 0, sizeof(o));
    memset(&so, 0, sizeof(so));
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            fputs(dot1x_help, stdout);
            return EXIT_ACCEPT;
        }
        if (a[0] != '-' || i + 1 == argc) {
            fprintf(stderr, "certslot dot1x: %s '%s'\n%s", a[0] == '-' ? "no value for" : "unexpected", a,
                    dot1x_help);
            return EXIT_USAGE;
        }
        if (cli_store_option(argc, argv, &i, &so))
            continue;
        const char *v = argv[++i];
        if (strcmp(a, "--dir") == 0)
            dir = v;
        else if (strcmp(a, "--out") == 0)
            out = v;
        else if (strcmp(a, "--eap") == 0)
            eap = v;
        else if (strcmp(a, "--ssid") == 0)
            o.ssid = v;
        else if (strcmp(a, "--identity") == 0)
            o.identity = v;
        else if (strcmp(a, "--password") == 0)
            password = v;
        else if (strcmp(a, "--name") == 0)
            o.server_name = v;
        else if (strcmp(a, "--ca-path") == 0)
            o.builtin_ca_path = v;
        else if (strcmp(a, "--factory-cert") == 0)
            fcert = v;
        else if (strcmp(a, "--factory-key") == 0)
            fkey = v;
        else {
            fprintf(stderr, "certslot dot1x: unknown option '%s'\n%s", a, dot1x_help);
            return EXIT_USAGE;
        }
    }
    if (dir == NULL || out == NULL || eap == NULL)
        return usage("--dir, --out and --eap are required");
    if (strcmp(eap, "tls") == 0)
        o.eap = CERTSLOT_DOT1X_EAP_TLS;
    else if (strcmp(eap, "peap") == 0)
        o.eap = CERTSLOT_DOT1X_EAP_PEAP;
    else
        return usage("--eap is tls or peap");
    if ((fcert == NULL) != (fkey == NULL))
        return usage("--factory-cert and --factory-key go together");
    if (out[0] == '/') {
        snprintf(abs_out, sizeof(abs_out), "%s", out);
    } else {
        char cwd[PATH_MAX];
        if (getcwd(cwd, sizeof(cwd)) == NULL)
            return usage("cannot resolve --out");
        if (snprintf(abs_out, sizeof(abs_out), "%s/%s", cwd, out) >= (int)sizeof(abs_out))
            return usage("--out is too long");
    }
    o.out_dir = abs_out;

    if (password != NULL) {
        if (cli_secret_arg(password, pw_buf, sizeof(pw_buf), "dot1x", "--password") != 0)
            return EXIT_USAGE;
        o.password = pw_buf;
    }
    so.dir = dir;
    so.factory_cert = fcert;
    so.factory_key = fkey;
    int ret = cli_store_open(&h, &so, "dot1x");
    if (ret != 0) {
        certslot_zeroize(pw_buf, sizeof(pw_buf));
        return ret;
    }
    ret = certslot_dot1x_export(&h.store.settings, &h.store, &h.hal, &o, why, sizeof(why));
    if (ret == 0) {
        printf("wrote %s/%s (EAP-%s)\n", abs_out, CERTSLOT_DOT1X_CONF,
               o.eap == CERTSLOT_DOT1X_EAP_TLS ? "TLS" : "PEAP");
    } else {
        fprintf(stderr, "certslot dot1x: %s\n", why[0] != '\0' ? why : certslot_strerror(ret));
    }
    cli_store_close(&h);
    certslot_zeroize(pw_buf, sizeof(pw_buf));
    return ret == 0 ? EXIT_ACCEPT : ret == CERTSLOT_ERR_ARG ? EXIT_USAGE : EXIT_ERRORS;
}
