/*
 * certslot store: the handset's certificate store in a directory, through
 * the same store code and the Linux hal the handset uses.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <mbedtls/base64.h>
#include <mbedtls/x509_crt.h>

#include "certslot/cert.h"
#include "certslot/error.h"
#include "certslot/platform.h"
#include "certslot/prov.h"
#include "certslot/store.h"
#include "cli.h"

static const char store_help[] =
    "usage: certslot store --dir DIR [--mac MAC] [--secret FILE] [--counter FILE|none] COMMAND ...\n"
    "\n"
    "  apply [--mac MAC] [--master] FILE...\n"
    "                                  apply the certificate parameters of config files\n"
    "                                  (all-or-nothing per slot; files as in 'certslot config')\n"
    "  list [--expiring DAYS]          one line per certificate: slot, kind, subject and issuer\n"
    "                                  CN, not-after (UTC), days left, key, SHA-256 fingerprint\n"
    "  install SLOT ca|device FILE|URL [KEYFILE] [--allow-weak] [--user U --password P]\n"
    "                                  install certificates (PEM, DER or base64, any layout;\n"
    "                                  for device: certificate first, then its chain); a URL's\n"
    "                                  credentials may come from --user/--password instead (a\n"
    "                                  value, @FILE or -: no password in 'ps')\n"
    "  clear SLOT ca|device            empty a slot's CA or device part\n"
    "  export SLOT ca|device           the slot's certificates as PEM (never the key)\n"
    "  csr SLOT --cn NAME [--o ORG] [--email E] [--c CC] [--st STATE] [--replace]\n"
    "                                  generate an RSA 2048 key into SLOT's device part (awaiting\n"
    "                                  its certificate) and print its CSR (PEM, SHA-256); a slot\n"
    "                                  holding a device certificate needs --replace\n"
    "  accept-rollback                 keep a store refused as a rollback (an older copy, deleted\n"
    "                                  or damaged files) and write it back as the newest version\n"
    "\n"
    "SLOT is platform1, platform2 or application1..application6. The store is\n"
    "kept in DIR, encrypted under a device secret: --secret FILE, by default\n"
    "DIR/.device_secret (on a handset the secret comes from the hardware, or lives\n"
    "apart from the store). Its anti-rollback counter is --counter FILE, by default\n"
    "DIR.counter, beside the directory: a store older than it is refused. list and\n"
    "export never create anything: a DIR without a store is an error. A missing\n"
    "secret is never made anew for a store that exists. --mac sets the handset MAC\n"
    "(default 000000000000).\n"
    "Exit status: 0 done, 1 refused or errors in the input, 2 usage error or\n"
    "unreadable input (no store, its secret missing or another one).\n";

typedef cli_store_t handset_t;

static int usage(const char *msg)
{
    if (msg != NULL)
        fprintf(stderr, "certslot store: %s\n", msg);
    fputs(store_help, stderr);
    return EXIT_USAGE;
}

static int slot_kind(const char *s, const char *k, certslot_slot_t *slot, certslot_kind_t *kind)
{
    if (certslot_slot_parse(s, slot) != 0) {
        fprintf(stderr, "certslot store: '%s' is not a slot (platform1, platform2, application1..application6)\n", s);
        return EXIT_USAGE;
    }
    if (certslot_kind_parse(k, kind) != 0) {
        fprintf(stderr, "certslot store: '%s' is not a kind (ca or device)\n", k);
        return EXIT_USAGE;
    }
    return 0;
}

/* ---- apply ---- */

typedef struct {
    int refused;
} apply_ctx_t;

static void report(void *ctx, certslot_param_t param, const certslot_where_t *where, const char *msg)
{
    char name[CERTSLOT_PARAM_NAME_MAX] = "certslot";
    apply_ctx_t *a = ctx;

    if (param >= 0)
        certslot_param_name(param, name, sizeof(name));
    if (where != NULL && where->file != NULL)
        fprintf(stderr, "%s:%u:%u: error: %s: %s\n", where->file, (unsigned)where->line, (unsigned)where->col, name,
                msg);
    else
        fprintf(stderr, "certslot: error: %s: %s\n", name, msg);
    a->refused++;
}

static int cmd_apply(handset_t *h, const char *mac, int argc, char **argv)
{
    static certslot_config_t cfg;
    apply_ctx_t a = {0};
    int master = 0, i = 0;

    for (; i < argc && argv[i][0] == '-'; i++) {
        if (strcmp(argv[i], "--master") == 0)
            master = 1;
        else if (strcmp(argv[i], "--mac") == 0 && i + 1 < argc)
            mac = argv[++i];
        else
            return usage("apply: unknown or incomplete option");
    }
    if (i == argc || (master && argc - i != 1))
        return usage(master ? "apply --master takes exactly one FILE" : "apply: no FILE given");
    int status = cli_load_config(&cfg, mac, master, argv + i, argc - i, "store apply");
    if (status == EXIT_USAGE && cfg.nfiles == 0)
        return status;
    cli_print_diags(stderr, &cfg, 0);
    if (status == EXIT_USAGE) {
        certslot_config_free(&cfg);
        return status;
    }
    int ret = certslot_config_apply(&cfg, &h->store, report, &a);
    certslot_config_free(&cfg);
    if (ret != 0 && ret != CERTSLOT_ERR_VALUE) {
        fprintf(stderr, "certslot store: not saved: %s\n", certslot_strerror(ret));
        return EXIT_ERRORS;
    }
    return a.refused > 0 || status == EXIT_ERRORS ? EXIT_ERRORS : EXIT_ACCEPT;
}

/* ---- list, export ---- */

static void list_cert(const char *slot, const char *kind, const certslot_blob_t *b, int64_t now, long expiring)
{
    mbedtls_x509_crt crt;
    certslot_cert_info_t info;
    char when[64], fp[65];

    mbedtls_x509_crt_init(&crt);
    if (certslot_cert_parse_der(&crt, b->der, b->len) != 0 || certslot_cert_info(&crt, &info) != 0) {
        printf("%s %s (unreadable certificate)\n", slot, kind);
        mbedtls_x509_crt_free(&crt);
        return;
    }
    int64_t left = info.not_after - now;
    long days = (long)(left >= 0 ? left / 86400 : -((-left + 86399) / 86400));
    if (expiring < 0 || days <= expiring) {
        certslot_time_iso8601(info.not_after, when, sizeof(when));
        for (int i = 0; i < 32; i++)
            snprintf(fp + 2 * i, 3, "%02x", info.sha256[i]);
        printf("%s %s subject=\"%s\" issuer=\"%s\" not-after=%s days-left=%ld key=%s-%u sha256=%s\n", slot, kind,
               info.subject_cn, info.issuer_cn, when, days, info.key_type, info.key_bits, fp);
    }
    mbedtls_x509_crt_free(&crt);
}

static int cmd_list(handset_t *h, int argc, char **argv)
{
    long expiring = -1;

    if (argc == 2 && strcmp(argv[0], "--expiring") == 0) {
        char *end;
        expiring = strtol(argv[1], &end, 10);
        if (*end != '\0' || expiring < 0)
            return usage("--expiring takes a number of days");
    } else if (argc != 0) {
        return usage("list takes only --expiring DAYS");
    }
    int64_t now = (int64_t)time(NULL);
    for (unsigned s = 0; s < CERTSLOT_SLOT_COUNT; s++) {
        const char *slot = certslot_slot_name((certslot_slot_t)s);
        for (unsigned k = 0; k < 2; k++) {
            const certslot_part_t *p = &h->store.part[s][k];
            for (unsigned i = 0; i < p->ncerts; i++)
                list_cert(slot, k == CERTSLOT_KIND_CA ? "ca" : i == 0 ? "device" : "chain", &p->certs[i], now,
                          expiring);
            if (k == CERTSLOT_KIND_DEVICE && p->ncerts == 0 && p->key.der != NULL && expiring < 0)
                printf("%s device (private key awaiting its certificate)\n", slot);
        }
    }
    return EXIT_ACCEPT;
}

static int cmd_export(handset_t *h, int argc, char **argv)
{
    certslot_slot_t slot;
    certslot_kind_t kind;

    if (argc != 2)
        return usage("export takes SLOT and ca|device");
    int ret = slot_kind(argv[0], argv[1], &slot, &kind);
    if (ret != 0)
        return ret;
    const certslot_part_t *p = &h->store.part[slot][kind];
    if (p->ncerts == 0) {
        fprintf(stderr, "certslot store: %s %s holds no certificate\n", argv[0], argv[1]);
        return EXIT_ERRORS;
    }
    for (unsigned i = 0; i < p->ncerts; i++) {
        size_t n = 0;
        mbedtls_base64_encode(NULL, 0, &n, p->certs[i].der, p->certs[i].len);
        unsigned char *b64 = malloc(n);
        if (b64 == NULL || mbedtls_base64_encode(b64, n, &n, p->certs[i].der, p->certs[i].len) != 0) {
            free(b64);
            return EXIT_ERRORS;
        }
        printf("-----BEGIN CERTIFICATE-----\n");
        for (size_t o = 0; o < n; o += 64)
            printf("%.*s\n", (int)(n - o < 64 ? n - o : 64), b64 + o);
        printf("-----END CERTIFICATE-----\n");
        free(b64);
    }
    return EXIT_ACCEPT;
}

/* ---- install, clear ---- */

/* install SLOT KIND URL: fetched (plain HTTP or FTP; HTTPS/FTPS with the stored provisioning profile). */
static int install_url(handset_t *h, certslot_slot_t slot, certslot_kind_t kind, const char *url, int allow_weak,
                       const char *user, const char *password)
{
    certslot_fetch_opts_t o;
    certslot_result_t res;
    char user_buf[CERTSLOT_URL_MAX_CRED + 2], pw_buf[CERTSLOT_URL_MAX_CRED + 2];

    memset(&o, 0, sizeof(o));
    if (user != NULL) {
        if (cli_secret_arg(user, user_buf, sizeof(user_buf), "store", "--user") != 0 ||
            cli_secret_arg(password, pw_buf, sizeof(pw_buf), "store", "--password") != 0)
            return EXIT_USAGE;
        o.user = user_buf;
        o.password = pw_buf;
    }
    o.hal = &h->hal;
    o.settings = &h->store.settings;
    o.st = &h->store;
    int ret = certslot_fetch_install(&h->store, slot, kind, url, &o, allow_weak, &res);
    certslot_zeroize(user_buf, sizeof(user_buf));
    certslot_zeroize(pw_buf, sizeof(pw_buf));
    if (ret == 0)
        printf("%s\n", res.msg);
    else
        fprintf(stderr, "certslot store: error: %s: %s\n", certslot_status_name(res.status), res.msg);
    return ret == 0 ? EXIT_ACCEPT : EXIT_ERRORS;
}

static int cmd_install(handset_t *h, int argc, char **argv)
{
    certslot_slot_t slot;
    certslot_kind_t kind;
    certslot_result_t res;
    int allow_weak = 0, n = 0;
    char *args[4];
    const char *user = NULL, *password = NULL;

    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--allow-weak") == 0)
            allow_weak = 1;
        else if (strcmp(argv[i], "--user") == 0 && i + 1 < argc)
            user = argv[++i];
        else if (strcmp(argv[i], "--password") == 0 && i + 1 < argc)
            password = argv[++i];
        else if (n < 4)
            args[n++] = argv[i];
        else
            return usage("install: too many arguments");
    }
    if (n < 3)
        return usage("install takes SLOT, ca|device and FILE");
    int ret = slot_kind(args[0], args[1], &slot, &kind);
    if (ret != 0)
        return ret;
    if (n == 4 && kind == CERTSLOT_KIND_CA)
        return usage("a CA slot takes no KEYFILE");
    if ((user == NULL) != (password == NULL))
        return usage("give --user and --password together");
    if (strstr(args[2], "://") != NULL) { /* a URL: fetch it */
        if (n == 4)
            return usage("a URL install takes no KEYFILE");
        return install_url(h, slot, kind, args[2], allow_weak, user, password);
    }
    if (user != NULL)
        return usage("--user and --password go with a URL");
    size_t cert_len = 0, key_len = 0;
    unsigned char *cert = cli_read_file("store", args[2], CLI_FILE_MAX, &cert_len), *key = NULL;
    if (cert == NULL)
        return EXIT_USAGE;
    if (n == 4 && (key = cli_read_file("store", args[3], CLI_FILE_MAX, &key_len)) == NULL) {
        cli_free_file(cert, cert_len);
        return EXIT_USAGE;
    }
    ret = certslot_store_install(&h->store, slot, kind, cert, cert_len, key, key_len, allow_weak, &res);
    if (key != NULL)
        cli_free_file(key, key_len);
    cli_free_file(cert, cert_len);
    fprintf(ret == 0 ? stdout : stderr, "%s%s\n", ret == 0 ? "" : "certslot store: error: ", res.msg);
    return ret == 0 ? EXIT_ACCEPT : EXIT_ERRORS;
}

static int cmd_clear(handset_t *h, int argc, char **argv)
{
    certslot_slot_t slot;
    certslot_kind_t kind;
    certslot_result_t res;

    if (argc != 2)
        return usage("clear takes SLOT and ca|device");
    int ret = slot_kind(argv[0], argv[1], &slot, &kind);
    if (ret != 0)
        return ret;
    ret = certslot_store_clear(&h->store, slot, kind, &res);
    fprintf(ret == 0 ? stdout : stderr, "%s\n", res.msg);
    return ret == 0 ? EXIT_ACCEPT : EXIT_ERRORS;
}

/* ---- csr ---- */

static int cmd_csr_slot(handset_t *h, int argc, char **argv)
{
    certslot_csr_subject_t subj = {NULL, NULL, NULL, NULL, NULL};
    certslot_slot_t slot;
    certslot_result_t res;
    int replace = 0;

    if (argc < 1 || argv[0][0] == '-')
        return usage("csr takes SLOT and --cn NAME");
    if (certslot_slot_parse(argv[0], &slot) != 0) {
        fprintf(stderr, "certslot store: '%s' is not a slot (platform1, platform2, application1..application6)\n",
                argv[0]);
        return EXIT_USAGE;
    }
    for (int i = 1; i < argc; i++) {
        const char **v = strcmp(argv[i], "--cn") == 0      ? &subj.cn
                         : strcmp(argv[i], "--o") == 0     ? &subj.o
                         : strcmp(argv[i], "--email") == 0 ? &subj.email
                         : strcmp(argv[i], "--c") == 0     ? &subj.c
                         : strcmp(argv[i], "--st") == 0    ? &subj.st
                                                           : NULL;
        if (strcmp(argv[i], "--replace") == 0)
            replace = 1;
        else if (v != NULL && i + 1 < argc)
            *v = argv[++i];
        else
            return usage("csr: unknown or incomplete option");
    }
    if (subj.cn == NULL)
        return usage("csr: --cn NAME is required");
    char why[CERTSLOT_WHY_LEN];
    if (certslot_csr_check_subject(&subj, why, sizeof(why)) != 0) {
        fprintf(stderr, "certslot store: csr: %s\n", why);
        return EXIT_USAGE;
    }
    char *pem = NULL;
    size_t pem_len = 0;
    int ret = certslot_store_csr(&h->store, slot, &subj, replace, &pem, &pem_len, &res);
    if (ret != 0) {
        fprintf(stderr, "certslot store: error: %s\n", res.msg);
        return EXIT_ERRORS;
    }
    fwrite(pem, 1, pem_len, stdout);
    fprintf(stderr, "%s\n", res.msg);
    certslot_free(pem);
    return EXIT_ACCEPT;
}

int cmd_store(int argc, char **argv)
{
    static handset_t h;
    cli_store_opts_t o;
    int i;

    memset(&o, 0, sizeof(o));
    for (i = 1; i < argc && argv[i][0] == '-'; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            fputs(store_help, stdout);
            return EXIT_ACCEPT;
        } else if (strcmp(argv[i], "--dir") == 0 && i + 1 < argc) {
            o.dir = argv[++i];
        } else if (strcmp(argv[i], "--mac") == 0 && i + 1 < argc) {
            o.mac = argv[++i];
        } else if (!cli_store_option(argc, argv, &i, &o)) {
            return usage("unknown or incomplete option");
        }
    }
    if (o.dir == NULL || i == argc)
        return usage(o.dir == NULL ? "--dir DIR is required" : "no COMMAND given");
    static const struct {
        const char *name;
        int (*run)(handset_t *h, int argc, char **argv);
        int write;
    } cmds[] = {{"list", cmd_list, 0},     {"install", cmd_install, 1}, {"clear", cmd_clear, 1},
                {"export", cmd_export, 0}, {"csr", cmd_csr_slot, 1},    {"accept-rollback", NULL, 1},
                {"apply", NULL, 1}};
    const char *cmd = argv[i++];
    size_t c = 0;
    while (c < sizeof(cmds) / sizeof(cmds[0]) && strcmp(cmd, cmds[c].name) != 0)
        c++;
    if (c == sizeof(cmds) / sizeof(cmds[0]))
        return usage("unknown COMMAND");
    if (strcmp(cmd, "accept-rollback") == 0) {
        if (i != argc)
            return usage("accept-rollback takes no argument");
        o.accept_rollback = 1;
    }
    o.write = cmds[c].write;
    int ret = cli_store_open(&h, &o, "store");
    if (ret != 0)
        return ret;
    if (strcmp(cmd, "apply") == 0)
        ret = cmd_apply(&h, o.mac, argc - i, argv + i);
    else if (cmds[c].run != NULL)
        ret = cmds[c].run(&h, argc - i, argv + i);
    cli_store_close(&h);
    return ret;
}
