/*
 * certslot: the administrator's tool, built on the firmware's own code.
 */
#include <stdio.h>
#include <string.h>

#include "certslot/version.h"
#include "cli.h"

static const struct {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} commands[] = {
    {"config", cmd_config, "print the effective settings of config files"},
    {"lint", cmd_lint, "check config files and print only the diagnostics"},
    {"params", cmd_params, "list every parameter certslot understands"},
    {"store", cmd_store, "the certificate store: apply config, list, install, clear, export"},
    {"verify", cmd_verify, "verify a certificate chain and server name with the handset's policy"},
    {"connect", cmd_connect, "one TLS handshake with an application's profile"},
    {"ca", cmd_ca, "create a root CA (key and self-signed certificate)"},
    {"issue", cmd_issue, "issue a certificate from a CA directory (new key or a CSR)"},
    {"csr", cmd_csr, "make a key and a certificate signing request"},
    {"oneline", cmd_oneline, "a certificate as the single-line base64 a config value takes"},
    {"pfx", cmd_pfx, "split a PKCS#12 file into key, certificate and chain"},
    {"provision", cmd_provision, "one provisioning run against a server (FTP, TFTP, HTTP, HTTPS, FTPS)"},
    {"upload", cmd_upload, "upload a log file to the provisioning server, as the handset does"},
    {"encrypt", cmd_encrypt, "encrypt a config file for the handset (AES-128-GCM)"},
    {"decrypt", cmd_decrypt, "decrypt an encrypted config file"},
    {"inject", cmd_inject, "set a parameter (certificate, key, ...) in a config file, byte-exactly"},
    {"dot1x", cmd_dot1x, "the dot1x profile as a wpa_supplicant network block (EAP-TLS, PEAP)"},
};

static void usage(FILE *f)
{
    fprintf(f, "usage: certslot COMMAND [ARGS...]\n\ncommands:\n");
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].summary);
    fprintf(f, "\n'certslot COMMAND --help' describes one command.\n"
               "'certslot --version' prints certslot's version and the mbedTLS it was built with.\n"
               "Exit status: 0 no error, 1 errors in the input, 2 usage error or unreadable input.\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return EXIT_USAGE;
    }
    if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) {
        printf("%s\n", certslot_version());
        return EXIT_ACCEPT;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return EXIT_ACCEPT;
    }
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        if (strcmp(argv[1], commands[i].name) == 0)
            return commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "certslot: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return EXIT_USAGE;
}
