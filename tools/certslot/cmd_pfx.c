/*
 * certslot pfx split: a PKCS#12 file into the PEM files a slot takes, through
 * the tool's own PKCS#12 reader (tools/certslot/pkcs12.h; the firmware does not need one).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "certslot/error.h"
#include "pkcs12.h"
#include "certslot/platform.h"
#include "cli.h"
#include "pki.h"

static const char pfx_help[] =
    "usage: certslot pfx split --in FILE.pfx --pass PASS|@FILE|- --out PREFIX\n"
    "\n"
    "Splits a PKCS#12 file (.pfx/.p12, as 'openssl pkcs12 -export' writes it, with or\n"
    "without -legacy) into PREFIX.key (the private key, unencrypted PKCS#8 PEM, mode 0600),\n"
    "PREFIX.crt (the certificate matching the key) and PREFIX-chain.pem (the other\n"
    "certificates in file order; written only when there are some). --pass '' for none;\n"
    "--pass @FILE reads it from FILE's first line and --pass - from standard input, so\n"
    "that it never shows in 'ps'.\n"
    "Supported: the PKCS#12 MAC (SHA-1/SHA-2), PBES2 (PBKDF2, AES-CBC or 3DES) and the\n"
    "PKCS#12 PBEs with 3DES or RC2; anything else is named in the error. Outputs are\n"
    "never overwritten.\n"
    "Exit status: 0 done, 1 refused (wrong password, unsupported algorithm, damaged file,\n"
    "no key or no matching certificate, outputs exist), 2 usage error or unreadable FILE.\n";

static int usage(const char *msg)
{
    if (msg != NULL)
        fprintf(stderr, "certslot pfx: %s\n", msg);
    fputs(pfx_help, stderr);
    return EXIT_USAGE;
}

int cmd_pfx(int argc, char **argv)
{
    const char *in = NULL, *pass = NULL, *out = NULL;

    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        fputs(pfx_help, stdout);
        return EXIT_ACCEPT;
    }
    if (argc < 2 || strcmp(argv[1], "split") != 0)
        return usage(argc < 2 ? "no COMMAND given (split)" : "unknown COMMAND (only 'split')");
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            fputs(pfx_help, stdout);
            return EXIT_ACCEPT;
        } else if (strcmp(argv[i], "--in") == 0 && i + 1 < argc) {
            in = argv[++i];
        } else if (strcmp(argv[i], "--pass") == 0 && i + 1 < argc) {
            pass = argv[++i];
        } else if (strcmp(argv[i], "--out") == 0 && i + 1 < argc) {
            out = argv[++i];
        } else {
            return usage("unknown or incomplete option");
        }
    }
    if (in == NULL || pass == NULL || out == NULL)
        return usage("--in, --pass and --out are required");
    char kpath[4096], cpath[4096], chpath[4096];
    if ((size_t)snprintf(kpath, sizeof(kpath), "%s.key", out) >= sizeof(kpath) ||
        (size_t)snprintf(cpath, sizeof(cpath), "%s.crt", out) >= sizeof(cpath) ||
        (size_t)snprintf(chpath, sizeof(chpath), "%s-chain.pem", out) >= sizeof(chpath))
        return usage("--out is too long");
    const char *outs[3] = {kpath, cpath, chpath};
    for (int i = 0; i < 3; i++) {
        if (pki_exists(outs[i])) {
            fprintf(stderr, "certslot pfx: %s exists: refusing to overwrite\n", outs[i]);
            return EXIT_ERRORS;
        }
    }
    size_t len;
    unsigned char *data = cli_read_file("pfx", in, CLI_FILE_MAX, &len);
    if (data == NULL)
        return EXIT_USAGE;

    certslot_pkcs12_t p12;
    char why[200], pass_buf[1024];
    if (cli_secret_arg(pass, pass_buf, sizeof(pass_buf), "pfx", "--pass") != 0) {
        free(data);
        return EXIT_USAGE;
    }
    certslot_pkcs12_init(&p12);
    int ret = certslot_pkcs12_parse(&p12, data, len, pass_buf, why, sizeof(why));
    certslot_zeroize(pass_buf, sizeof(pass_buf));
    free(data);
    if (ret != 0) {
        fprintf(stderr, "certslot pfx: %s: %s\n", in, why[0] != '\0' ? why : certslot_strerror(ret));
        return ret == CERTSLOT_ERR_NOMEM ? EXIT_USAGE : EXIT_ERRORS;
    }
    int status = EXIT_ERRORS;
    char *key = NULL, *crt = NULL, *chain = NULL;
    size_t key_len = 0, crt_len = 0, chain_len = 0;
    unsigned others = 0;
    if (p12.key == NULL) {
        fprintf(stderr, "certslot pfx: %s: holds no private key\n", in);
        goto cleanup;
    }
    if (p12.key_cert < 0) {
        fprintf(stderr, "certslot pfx: %s: no certificate matches the private key (%u certificates)\n", in,
                p12.ncerts);
        goto cleanup;
    }
    if (pki_pem_append(&key, &key_len, "PRIVATE KEY", p12.key, p12.key_len) != 0 ||
        pki_pem_append(&crt, &crt_len, "CERTIFICATE", p12.cert[p12.key_cert], p12.cert_len[p12.key_cert]) != 0)
        goto cleanup;
    for (unsigned i = 0; i < p12.ncerts; i++) {
        if ((int)i == p12.key_cert)
            continue;
        if (pki_pem_append(&chain, &chain_len, "CERTIFICATE", p12.cert[i], p12.cert_len[i]) != 0)
            goto cleanup;
        others++;
    }
    if (pki_write_new("pfx", kpath, key, key_len, 0600) != 0)
        goto cleanup;
    if (pki_write_new("pfx", cpath, crt, crt_len, 0644) != 0 ||
        (others > 0 && pki_write_new("pfx", chpath, chain, chain_len, 0644) != 0)) {
        unlink(kpath);
        unlink(cpath);
        goto cleanup;
    }
    if (others > 0)
        printf("wrote %s, %s and %s (%u certificate%s)\n", kpath, cpath, chpath, others, others == 1 ? "" : "s");
    else
        printf("wrote %s and %s (no other certificates)\n", kpath, cpath);
    status = EXIT_ACCEPT;
cleanup:
    pki_free_secret(key, key_len);
    free(crt);
    free(chain);
    certslot_pkcs12_free(&p12);
    return status;
}
