/*
 * certslot config / lint / params.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mbedtls/asn1.h>
#include <mbedtls/pem.h>

#include "certslot/config.h"
#include "certslot/error.h"
#include "certslot/hal_linux.h"
#include "certslot/platform.h"
#include "certslot/text.h"
#include "certslot/url.h"
#include "cli.h"

static const char config_help[] =
    "usage: certslot config [--mac MAC] [--master] [--key KEY] [--get NAME] FILE...\n"
    "\n"
    "Parses the config files and prints every parameter whose effective value\n"
    "differs from its default, one per line as 'name = value', in canonical\n"
    "spelling and registry order. Files on the left override files on their\n"
    "right; inside one file the last occurrence wins.\n"
    "\n"
    "  --master      FILE is a master file (000000000000.cfg or <mac>.cfg, or a\n"
    "                directory holding them): load the files its CONFIG_FILES names\n"
    "  --mac MAC     the handset's MAC, for <mac>.cfg and [mac] (default 000000000000)\n"
    "  --get NAME    print only NAME's effective value (its default when unset)\n"
    "  --key KEY     decrypt encrypted files with KEY, a key string\n"
    "                'Crypt=1;KeyDesc=<label>;Key=<32 hex digits>;' or @FILE holding one\n"
    "\n"
    "Values are printed with \\n, \\r, \\t and \\\\ escaped; private keys and\n"
    "passwords are shown as <secret>. Diagnostics go to stderr as\n"
    "'file:line:col: error|warning: message'.\n"
    "Exit status: 0 no error, 1 a parameter or file had an error, 2 usage error\n"
    "or unreadable file.\n";

static const char lint_help[] =
    "usage: certslot lint [--mac MAC] [--master] [--key KEY] [--server-cert FILE] FILE...\n"
    "\n"
    "Parses the config files like 'certslot config' and prints only the\n"
    "diagnostics: errors, warnings (unknown parameters with a did-you-mean,\n"
    "repeated parameters) and notes (values ignored because device.set or their\n"
    ".set companion is not 1), as 'file:line:col: severity: message'.\n"
    "--key KEY decrypts encrypted files, as for 'certslot config'.\n"
    "\n"
    "Every certificate and key parameter that applies is also checked: not\n"
    "decodable, expired (error) or expiring within 30 days (warning), refused by\n"
    "the security policy, CN missing from the subjectAltName (warning), a device\n"
    "chain out of order, a device key that does not match its certificate.\n"
    "  --server-cert FILE  the provisioning server's certificate: an error when\n"
    "                      device.prov.serverName (its host part) does not match\n"
    "                      it under the strict name check\n"
    "Exit status: 0 no error, 1 a parameter or file had an error, 2 usage error\n"
    "or unreadable file.\n";

static const char params_help[] =
    "usage: certslot params [--markdown]\n"
    "\n"
    "Lists every parameter certslot understands, with its type and default.\n"
    "N and M stand for slot or profile numbers. --markdown prints the table the\n"
    "README carries.\n";

static const char *const severity_name[] = {"note", "warning", "error"};

void cli_print_diags(FILE *f, const certslot_config_t *cfg, int with_notes)
{
    for (size_t i = 0; i < cfg->ndiags; i++) {
        const certslot_diag_t *d = &cfg->diags[i];
        if (d->severity == CERTSLOT_NOTE && !with_notes)
            continue;
        if (d->file == NULL)
            fprintf(f, "certslot: ");
        else if (d->line == 0)
            fprintf(f, "%s: ", d->file);
        else
            fprintf(f, "%s:%u:%u: ", d->file, (unsigned)d->line, (unsigned)d->col);
        fprintf(f, "%s: %s\n", severity_name[d->severity], d->msg);
    }
    if (cfg->diags_dropped > 0)
        fprintf(f, "certslot: note: %zu more diagnostics not shown\n", cfg->diags_dropped);
}

/* s as one line: \n, \r, \t and \\ spelt so, other control bytes as \xNN (certslot_text_escape). */
static void print_escaped(FILE *f, const char *s)
{
    char shown[CERTSLOT_TEXT_ESCAPED_SIZE(256)];

    while (*s != '\0') {
        size_t run = strcspn(s, "\n\r\t\\");
        if (run > 256) /* cut before a UTF-8 continuation byte, never inside a character */
            for (run = 256; run > 252 && ((unsigned char)s[run] & 0xc0) == 0x80; run--)
                ;
        if (run > 0) {
            certslot_text_escape(shown, sizeof(shown), s, run);
            fputs(shown, f);
            s += run;
            continue;
        }
        fputs(*s == '\n' ? "\\n" : *s == '\r' ? "\\r" : *s == '\t' ? "\\t" : "\\\\", f);
        s++;
    }
}

/* A certificate value the parser keeps as DER (it was given as PEM): PEM again, a block per certificate. */
static void print_der_certs(FILE *f, const unsigned char *der, size_t len)
{
    const unsigned char *p = der, *end = der + len;

    while (p < end) {
        unsigned char *q = (unsigned char *)p, *pem;
        size_t n, size, olen;
        if (mbedtls_asn1_get_tag(&q, (unsigned char *)end, &n, MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE) != 0)
            return; /* cannot be: the parser checked every certificate's length */
        n += (size_t)(q - p);
        size = n / 3 * 4 + n / 48 + 128;
        pem = malloc(size);
        if (pem == NULL || mbedtls_pem_write_buffer("-----BEGIN CERTIFICATE-----\n", "-----END CERTIFICATE-----\n", p, n,
                                                    pem, size, &olen) != 0) {
            free(pem);
            fputs("<out of memory>", f);
            return;
        }
        print_escaped(f, (const char *)pem);
        free(pem);
        p += n;
    }
}

void cli_print_value(FILE *f, const certslot_config_t *cfg, certslot_param_t p)
{
    const char *v = certslot_config_get(cfg, p);
    const certslot_value_t *cv = &cfg->v[p];

    if (cv->applied && cv->len > 0 && cv->der) {
        print_der_certs(f, (const unsigned char *)cv->text, cv->len);
        return;
    }

    if (certslot_param_is_secret(p) && v[0] != '\0') {
        fputs("<secret>", f);
        return;
    }
    /* A server URL's password (scheme://user:password@host) is a secret too: the firmware's URL parser finds it. */
    if (certslot_param_type(p) == CERTSLOT_TYPE_SERVER) {
        size_t size = strlen(v) + sizeof("<secret>");
        char *shown = malloc(size);
        if (shown == NULL) {
            fputs("<out of memory>", f);
            return;
        }
        certslot_url_redact(v, shown, size);
        print_escaped(f, shown);
        free(shown);
        return;
    }
    print_escaped(f, v);
}

static int differs_from_default(const certslot_config_t *cfg, certslot_param_t p)
{
    return certslot_config_is_set(cfg, p) && strcmp(certslot_config_get(cfg, p), certslot_param_default(p)) != 0;
}

typedef struct {
    const char *mac, *get, *server_cert, *key;
    int master;
    char **files;
    int nfiles;
} args_t;

/* Parses the options shared by config and lint; returns 0 or EXIT_USAGE (-1 for --help). */
static int parse_args(int argc, char **argv, args_t *a, int allow_get, const char *help)
{
    int i;

    memset(a, 0, sizeof(*a));
    for (i = 1; i < argc && argv[i][0] == '-'; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            fputs(help, stdout);
            return -1;
        } else if (strcmp(argv[i], "--master") == 0) {
            a->master = 1;
        } else if (strcmp(argv[i], "--mac") == 0 && i + 1 < argc) {
            a->mac = argv[++i];
        } else if (strcmp(argv[i], "--key") == 0 && i + 1 < argc) {
            a->key = argv[++i];
        } else if (allow_get && strcmp(argv[i], "--get") == 0 && i + 1 < argc) {
            a->get = argv[++i];
        } else if (!allow_get && strcmp(argv[i], "--server-cert") == 0 && i + 1 < argc) {
            a->server_cert = argv[++i];
        } else if (strcmp(argv[i], "--") == 0) {
            i++;
            break;
        } else {
            fprintf(stderr, "certslot %s: unknown or incomplete option '%s'\n%s", argv[0], argv[i], help);
            return EXIT_USAGE;
        }
    }
    a->files = argv + i;
    a->nfiles = argc - i;
    if (a->nfiles == 0 || (a->master && a->nfiles != 1)) {
        fprintf(stderr, "certslot %s: %s\n%s", argv[0], a->master ? "--master takes exactly one FILE" : "no FILE given",
                help);
        return EXIT_USAGE;
    }
    return 0;
}

int cli_load_config(certslot_config_t *cfg, const char *mac, int master, char **files, int nfiles, const char *cmd)
{
    return cli_load_config_key(cfg, mac, master, files, nfiles, NULL, cmd);
}

int cli_load_config_key(certslot_config_t *cfg, const char *mac, int master, char **files, int nfiles,
                        const char *key, const char *cmd)
{
    certslot_config_init(cfg);
    cfg->diag_limit = 64 * CERTSLOT_CONFIG_DIAG_BYTES; /* an administrator's lint sees more than a handset keeps */
    if (mac != NULL && certslot_config_set_mac(cfg, mac) != 0) {
        fprintf(stderr, "certslot %s: '%s' is not a MAC address (12 hex digits)\n", cmd, mac);
        return EXIT_USAGE;
    }
    if (key != NULL) {
        char buf[256];
        int bad = cli_key_arg(key, buf, sizeof(buf), cmd) != 0 || certslot_config_set_key(cfg, buf) != 0;
        certslot_zeroize(buf, sizeof(buf));
        if (bad)
            return EXIT_USAGE;
    }
    certslot_source_t src;
    if (master) {
        certslot_hal_linux_dir_t dir;
        const char *name;
        if (certslot_hal_linux_config_dir(&dir, &src, files[0], &name) != 0) {
            fprintf(stderr, "certslot %s: %s: the path is too long\n", cmd, files[0]);
            return EXIT_USAGE;
        }
        (void)certslot_config_load_master(cfg, &src, name);
    } else {
        certslot_hal_linux_config_files(&src);
        for (int i = 0; i < nfiles; i++)
            (void)certslot_config_parse(cfg, &src, files[i]);
    }
    (void)certslot_config_finish(cfg);
    return cfg->io_error ? EXIT_USAGE : cfg->errors > 0 ? EXIT_ERRORS : EXIT_ACCEPT;
}

int cmd_config(int argc, char **argv)
{
    static certslot_config_t cfg;
    certslot_param_t want = -1;
    args_t a;
    int ret = parse_args(argc, argv, &a, 1, config_help);

    if (ret != 0)
        return ret < 0 ? EXIT_ACCEPT : ret;
    if (a.get != NULL) {
        char buf[CERTSLOT_PARAM_NAME_MAX];
        int companion = 0;
        want = certslot_param_lookup(a.get, strlen(a.get), &companion);
        if (want < 0 || companion) {
            if (certslot_param_suggest(a.get, buf, sizeof(buf)))
                fprintf(stderr, "certslot config: unknown parameter '%s'; did you mean '%s'?\n", a.get, buf);
            else
                fprintf(stderr, "certslot config: unknown parameter '%s'\n", a.get);
            return EXIT_USAGE;
        }
    }
    ret = cli_load_config_key(&cfg, a.mac, a.master, a.files, a.nfiles, a.key, "config");
    cli_print_diags(stderr, &cfg, 0);
    if (want >= 0) {
        cli_print_value(stdout, &cfg, want);
        fputc('\n', stdout);
    } else {
        char name[CERTSLOT_PARAM_NAME_MAX];
        for (certslot_param_t p = 0; p < CERTSLOT_PARAM_COUNT; p++) {
            if (!differs_from_default(&cfg, p))
                continue;
            certslot_param_name(p, name, sizeof(name));
            printf("%s = ", name);
            cli_print_value(stdout, &cfg, p);
            fputc('\n', stdout);
        }
    }
    certslot_config_free(&cfg);
    return ret;
}

int cmd_lint(int argc, char **argv)
{
    static certslot_config_t cfg;
    args_t a;
    int ret = parse_args(argc, argv, &a, 0, lint_help);

    if (ret != 0)
        return ret < 0 ? EXIT_ACCEPT : ret;
    ret = cli_load_config_key(&cfg, a.mac, a.master, a.files, a.nfiles, a.key, "lint");
    cli_print_diags(stdout, &cfg, 1);
    if (ret != EXIT_USAGE) {
        int cert_errors = lint_certs(stdout, &cfg, a.server_cert);
        ret = cert_errors < 0 ? EXIT_USAGE : cert_errors > 0 ? EXIT_ERRORS : ret;
    }
    certslot_config_free(&cfg);
    return ret;
}

static const char *const type_name[] = {
    [CERTSLOT_TYPE_BOOL] = "0/1",          [CERTSLOT_TYPE_ENUM] = "enum",
    [CERTSLOT_TYPE_INDEX] = "number/name", [CERTSLOT_TYPE_STRING] = "string",
    [CERTSLOT_TYPE_SERVER] = "server",     [CERTSLOT_TYPE_CERT] = "certificate",
    [CERTSLOT_TYPE_KEY] = "private key",   [CERTSLOT_TYPE_CIPHERS] = "cipher list",
    [CERTSLOT_TYPE_SUITES13] = "TLS 1.3 suite list",
    [CERTSLOT_TYPE_ENCKEY] = "key string",
};

/* Each family's one sentence, from the registry: compiled into the tool only (the firmware never shows it). */
static const char *const family_help[CERTSLOT_FAM_COUNT] = {
#define X(id, pat, n1, n2, type, values, def, flags, help) help,
    CERTSLOT_PARAM_FAMILIES(X)
#undef X
};

/* The family's pattern with its %u shown as N and M. */
static void family_name(const certslot_family_info_t *f, char *buf, size_t size)
{
    size_t o = 0;
    const char *letter = "NM";

    for (const char *s = f->pattern; *s != '\0' && o + 1 < size; s++) {
        if (s[0] == '%' && s[1] == 'u') {
            buf[o++] = *letter != '\0' ? *letter++ : '?';
            s++;
        } else {
            buf[o++] = *s;
        }
    }
    buf[o] = '\0';
}

int cmd_params(int argc, char **argv)
{
    int markdown = 0;

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--markdown") == 0) {
            markdown = 1;
        } else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            fputs(params_help, stdout);
            return EXIT_ACCEPT;
        } else {
            fprintf(stderr, "certslot params: unknown option '%s'\n%s", argv[i], params_help);
            return EXIT_USAGE;
        }
    }
    if (markdown)
        printf("| parameter | N | type | values | default | meaning |\n|---|---|---|---|---|---|\n");
    for (unsigned fam = 0; fam < CERTSLOT_FAM_COUNT; fam++) {
        certslot_family_info_t info;
        if (certslot_family_info((certslot_family_t)fam, &info) != 0)
            continue;
        const certslot_family_info_t *f = &info;
        char name[CERTSLOT_PARAM_NAME_MAX], range[48] = "";
        family_name(f, name, sizeof(name));
        if (f->n1 > 1 && f->n2 > 1)
            snprintf(range, sizeof(range), "N=1..%u, M=1..%u", f->n1, f->n2);
        else if (f->n1 > 1)
            snprintf(range, sizeof(range), "N=1..%u", f->n1);
        const char *values = f->values != NULL ? f->values : "";
        if (markdown) {
            printf("| `%s`%s | %s | %s | ", name, strncmp(name, "device.", 7) == 0 && fam != 0 ? " (+`.set`)" : "",
                   range, type_name[f->type]);
            for (const char *c = values; *c != '\0'; c++)
                fputs(*c == '|' ? ", " : (char[]){*c, '\0'}, stdout);
            printf(" | %s%s%s | %s |\n", f->def[0] != '\0' ? "`" : "", f->def[0] != '\0' ? f->def : "(empty)",
                   f->def[0] != '\0' ? "`" : "", family_help[fam]);
        } else {
            printf("%-56s %-14s %-12s default '%s'\n", name, range, type_name[f->type], f->def);
        }
    }
    return EXIT_ACCEPT;
}
