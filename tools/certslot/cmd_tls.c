/*
 * certslot verify / connect: the firmware's verification policy and TLS
 * profiles, run from the host.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <mbedtls/ssl.h>
#include <mbedtls/x509_crt.h>

#include "certslot/cert.h"
#include "certslot/error.h"
#include "certslot/hal_linux.h"
#include "certslot/name.h"
#include "certslot/profile.h"
#include "certslot/store.h"
#include "certslot/tls.h"
#include "certslot/verify.h"
#include "certslot/prov.h"
#include "cli.h"

static const char verify_help[] =
    "usage: certslot verify --trust FILE [--trust FILE]... [--builtin] [--untrusted FILE]...\n"
    "                       [--name HOST | --ip ADDR | --no-name-check] [--time ISO8601]\n"
    "                       [--purpose server|client] [--max-depth N] [--allow-weak] PEER_FILE\n"
    "\n"
    "Verifies PEER_FILE's first certificate (the rest, and --untrusted files, are\n"
    "intermediates) with the handset's policy: a chain to a --trust CA (or the\n"
    "built-in list with --builtin), validity at --time (UTC; default now), RSA of\n"
    "2048 bits or more and SHA-256 or stronger, the extended key usage of\n"
    "--purpose, and the strict name check: --name or --ip must equal the CN or a\n"
    "subjectAltName by plain comparison (no DNS). Without a name the check fails\n"
    "unless --no-name-check is given. --max-depth limits the intermediates (the\n"
    "leaf and the trusted CA not counted, as OpenSSL's -verify_depth; default and\n"
    "at most 8). Files are PEM, DER or base64.\n"
    "Exit status: 0 accepted, 1 refused (one-line reason on stderr: also for a\n"
    "file that is read but holds no certificate certslot can accept), 2 usage\n"
    "error or a file that cannot be read.\n";

static const char connect_help[] =
    "usage: certslot connect --dir STORE_DIR --app dot1x|provisioning|sip|syslog|ldap|browser\n"
    "                        [--secret FILE] [--counter FILE|none] [--name NAME]\n"
    "                        [--timeout SECONDS] HOST:PORT\n"
    "\n"
    "Makes one TLS handshake to HOST:PORT with the application's profile and\n"
    "settings as stored in STORE_DIR by 'certslot store apply': its CA slots and\n"
    "the built-in list as the profile says, its device certificate (mutual TLS),\n"
    "cipher list, lowest protocol and strict name check against NAME (default:\n"
    "HOST). Prints the protocol, cipher suite, peer chain subjects and verdict.\n"
    "Exit status: 0 verified handshake, 1 refused or failed, 2 usage error.\n";

/* Decodes every certificate of path onto chain: EXIT_USAGE when it cannot be read, EXIT_ERRORS ("refused: ...")
 * when it holds something certslot cannot accept. */
static int load_certs(const char *path, mbedtls_x509_crt *chain)
{
    char why[CERTSLOT_WHY_LEN];
    size_t len = 0;
    unsigned char *data = cli_read_file("verify", path, CLI_FILE_MAX, &len);

    if (data == NULL)
        return EXIT_USAGE;
    int ret = certslot_cert_decode(data, len, chain, why, sizeof(why));
    cli_free_file(data, len);
    if (ret != 0) {
        /* Read, but not a certificate certslot can accept: a verdict, not a usage error. */
        fprintf(stderr, "refused: %s: %s\n", path, why);
        return EXIT_ERRORS;
    }
    return 0;
}

/* "2026-01-02", "2026-01-02T03:04:05Z" (UTC). */
static int parse_time(const char *s, int64_t *out)
{
    mbedtls_x509_time t = {0, 0, 0, 0, 0, 0};
    char z = 'Z';
    int n = sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%c", &t.year, &t.mon, &t.day, &t.hour, &t.min, &t.sec, &z);

    if (!(n == 3 || n == 6 || n == 7) || z != 'Z' || t.mon < 1 || t.mon > 12 || t.day < 1 || t.day > 31 ||
        t.hour > 23 || t.min > 59 || t.sec > 60)
        return -1;
    *out = certslot_time_from_x509(&t);
    return 0;
}

int cmd_verify(int argc, char **argv)
{
    mbedtls_x509_crt trust, peer;
    certslot_verify_t v;
    const char *peer_file = NULL, *name = NULL;
    int ret = EXIT_USAGE, ntrust = 0, name_given = 0, no_name = 0;

    mbedtls_x509_crt_init(&trust);
    mbedtls_x509_crt_init(&peer);
    certslot_verify_init(&v, NULL);
    v.what = "verify";
    v.use_time = 1;
    v.time = (int64_t)time(NULL);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *arg = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            fputs(verify_help, stdout);
            ret = EXIT_ACCEPT;
            goto cleanup;
        } else if (strcmp(a, "--builtin") == 0) {
            v.builtin = 1;
        } else if (strcmp(a, "--no-name-check") == 0) {
            no_name = 1;
        } else if (strcmp(a, "--allow-weak") == 0) {
            v.allow_weak = 1;
        } else if (arg == NULL && a[0] == '-') {
            fprintf(stderr, "certslot verify: %s needs a value\n%s", a, verify_help);
            goto cleanup;
        } else if (strcmp(a, "--trust") == 0) {
            if ((ret = load_certs(argv[++i], &trust)) != 0)
                goto cleanup;
            ret = EXIT_USAGE;
            ntrust++;
        } else if (strcmp(a, "--untrusted") == 0) {
            i++; /* loaded after the peer: intermediates go after the leaf */
        } else if (strcmp(a, "--name") == 0 || strcmp(a, "--ip") == 0) {
            unsigned char ip[16];
            size_t ip_len;
            name = argv[++i];
            name_given++;
            if (a[2] == 'i' && !certslot_ip_parse(name, strlen(name), ip, &ip_len)) {
                fprintf(stderr, "certslot verify: '%s' is not an IP address\n", name);
                goto cleanup;
            }
        } else if (strcmp(a, "--time") == 0) {
            if (parse_time(argv[++i], &v.time) != 0) {
                fprintf(stderr, "certslot verify: bad --time '%s' (expected YYYY-MM-DD[THH:MM:SSZ])\n", argv[i]);
                goto cleanup;
            }
        } else if (strcmp(a, "--purpose") == 0) {
            i++;
            if (strcmp(arg, "server") == 0)
                v.purpose = CERTSLOT_PURPOSE_SERVER;
            else if (strcmp(arg, "client") == 0)
                v.purpose = CERTSLOT_PURPOSE_CLIENT;
            else {
                fprintf(stderr, "certslot verify: --purpose is server or client\n");
                goto cleanup;
            }
        } else if (strcmp(a, "--max-depth") == 0) {
            char *end;
            long n = strtol(argv[++i], &end, 10);
            if (*end != '\0' || n < 0 || n > CERTSLOT_VERIFY_MAX_DEPTH) {
                fprintf(stderr, "certslot verify: --max-depth takes 0..%d (intermediates)\n",
                        CERTSLOT_VERIFY_MAX_DEPTH);
                goto cleanup;
            }
            v.max_depth = (int)n;
        } else if (a[0] == '-') {
            fprintf(stderr, "certslot verify: unknown option '%s'\n%s", a, verify_help);
            goto cleanup;
        } else if (peer_file == NULL) {
            peer_file = a;
        } else {
            fprintf(stderr, "certslot verify: only one PEER_FILE\n");
            goto cleanup;
        }
    }
    if (peer_file == NULL || (ntrust == 0 && !v.builtin) || name_given > 1 || (name_given && no_name)) {
        fprintf(stderr, "certslot verify: %s\n%s",
                peer_file == NULL ? "no PEER_FILE" : name_given > 1 || no_name ? "give one of --name, --ip, --no-name-check"
                                                                               : "no --trust FILE (or --builtin)",
                verify_help);
        goto cleanup;
    }
    if ((ret = load_certs(peer_file, &peer)) != 0)
        goto cleanup;
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "--untrusted") == 0 && i + 1 < argc && (ret = load_certs(argv[++i], &peer)) != 0)
            goto cleanup;
    v.strict = !no_name;
    if (name != NULL)
        certslot_verify_set_name(&v, name, strlen(name));
    if (certslot_verify_chain(&v, &peer, ntrust > 0 ? &trust : NULL) == 0) {
        certslot_cert_info_t info;
        certslot_cert_info(&peer, &info);
        printf("accepted: %s%s\n", info.subject_cn[0] != '\0' ? info.subject_cn : "(no common name)", no_name ? " (name not checked)" : "");
        ret = EXIT_ACCEPT;
    } else {
        fprintf(stderr, "refused: %s\n", v.why);
        ret = EXIT_ERRORS;
    }
cleanup:
    mbedtls_x509_crt_free(&trust);
    mbedtls_x509_crt_free(&peer);
    return ret;
}

int cmd_connect(int argc, char **argv)
{
    static cli_store_t h;
    static certslot_tls_t tls;
    cli_store_opts_t so;
    certslot_app_t app = CERTSLOT_APP_COUNT;
    const char *dir = NULL, *name = NULL, *target = NULL;
    unsigned timeout = 10;
    char why[256];

    memset(&so, 0, sizeof(so));
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (cli_store_option(argc, argv, &i, &so))
            continue;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            fputs(connect_help, stdout);
            return EXIT_ACCEPT;
        } else if (a[0] == '-' && i + 1 == argc) {
            fprintf(stderr, "certslot connect: %s needs a value\n%s", a, connect_help);
            return EXIT_USAGE;
        } else if (strcmp(a, "--dir") == 0) {
            dir = argv[++i];
        } else if (strcmp(a, "--name") == 0) {
            name = argv[++i];
        } else if (strcmp(a, "--timeout") == 0) {
            timeout = (unsigned)strtoul(argv[++i], NULL, 10);
        } else if (strcmp(a, "--app") == 0) {
            if (certslot_app_parse(argv[++i], &app) != 0) {
                fprintf(stderr, "certslot connect: unknown application '%s'\n", argv[i]);
                return EXIT_USAGE;
            }
        } else if (a[0] == '-' || target != NULL) {
            fprintf(stderr, "certslot connect: unexpected '%s'\n%s", a, connect_help);
            return EXIT_USAGE;
        } else {
            target = a;
        }
    }
    const char *colon = target != NULL ? strrchr(target, ':') : NULL;
    char *end = NULL;
    unsigned long port = colon != NULL ? strtoul(colon + 1, &end, 10) : 0;
    if (dir == NULL || app == CERTSLOT_APP_COUNT || colon == NULL || *end != '\0' || port == 0 || port > 65535 ||
        timeout == 0) {
        fprintf(stderr, "certslot connect: --dir, --app and HOST:PORT are required\n%s", connect_help);
        return EXIT_USAGE;
    }
    char host[256];
    snprintf(host, sizeof(host), "%.*s", (int)(colon - target), target);
    if (host[0] == '[' && host[strlen(host) - 1] == ']') { /* [::1]:443 */
        memmove(host, host + 1, strlen(host));
        host[strlen(host) - 1] = '\0';
    }

    so.dir = dir;
    int ret = cli_store_open(&h, &so, "connect");
    if (ret != 0)
        return ret;

    certslot_tls_init(&tls);
    ret = certslot_tls_setup(&tls, &h.hal, &h.store.settings, &h.store, app, why, sizeof(why));
    certslot_tls_conn_t c;
    if (ret == 0)
        ret = certslot_tls_connect(&c, &tls, host, (uint16_t)port, name, timeout * 1000, why, sizeof(why));
    printf("application: %s (%s, strict name check %s)\n", certslot_app_name(app), tls.profile.profile_name,
           tls.profile.strict ? "on" : "off");
    if (ret == 0) {
        printf("protocol: %s\ncipher suite: %s\n", mbedtls_ssl_get_version(&c.ssl), mbedtls_ssl_get_ciphersuite(&c.ssl));
        if (tls.has_own)
            printf("client certificate: %s\n", tls.own_cn);
        int depth = 0;
        for (const mbedtls_x509_crt *p = mbedtls_ssl_get_peer_cert(&c.ssl); p != NULL && p->raw.len > 0;
             p = p->next, depth++) {
            certslot_cert_info_t info;
            certslot_cert_info(p, &info);
            printf("peer %d: %s (issuer %s)\n", depth, info.subject_cn, info.issuer_cn);
        }
        printf("verdict: verified\n");
        certslot_tls_close(&c);
    } else {
        printf("verdict: refused: %s\n", why);
        fprintf(stderr, "certslot connect: %s\n", why);
    }
    certslot_tls_free(&tls);
    cli_store_close(&h);
    return ret == 0 ? EXIT_ACCEPT : EXIT_ERRORS;
}
