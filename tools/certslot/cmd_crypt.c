/*
 * certslot encrypt / decrypt: config files encrypted at rest (cfgcrypt.h),
 * and the --key argument shared with config and lint.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "certslot/cfgcrypt.h"
#include "certslot/config.h"
#include "certslot/error.h"
#include "certslot/platform.h"
#include "cli.h"
#include "pki.h"

static const char encrypt_help[] =
    "usage: certslot encrypt --key KEY IN OUT\n"
    "\n"
    "Encrypts the config file IN for the handset and writes OUT (replaced\n"
    "atomically). The format is certslot's own: a header line\n"
    "'CERTSLOT-ENCRYPTED-CONFIG v1 keydesc=<label>', then base64 of a random\n"
    "nonce, the AES-128-GCM ciphertext and its tag. The handset refuses a file\n"
    "that was altered, truncated or encrypted under another key.\n"
    "\n"
    "  --key KEY   the key string, as device.sec.configEncryption.key takes it:\n"
    "              'Crypt=1;KeyDesc=<label>;Key=<32 hex digits>;', or @FILE to\n"
    "              read it from FILE (keeps the key out of the process list)\n"
    "\n"
    "IN must be well-formed XML and not encrypted already. Never encrypt the\n"
    "master file: the handset refuses an encrypted one.\n"
    "Exit status: 0 written, 1 refused, 2 usage error or unreadable input.\n";

static const char decrypt_help[] =
    "usage: certslot decrypt --key KEY IN OUT\n"
    "\n"
    "Decrypts a file written by 'certslot encrypt' and writes the config file\n"
    "OUT (mode 0600, replaced atomically), only when IN authenticates under KEY.\n"
    "\n"
    "  --key KEY   the key string 'Crypt=1;KeyDesc=<label>;Key=<32 hex digits>;',\n"
    "              or @FILE to read it from FILE\n"
    "\n"
    "Exit status: 0 written, 1 refused (not encrypted, another key, altered or\n"
    "truncated), 2 usage error or unreadable input.\n";

#define KEYSTRING_MAX 256

/* Parses `--key KEY IN OUT` (any order of the option); 0, EXIT_USAGE, or -1 for --help. */
static int crypt_args(int argc, char **argv, const char *help, char *key, size_t key_size, const char **in,
                      const char **out)
{
    const char *key_arg = NULL, *pos[2];
    int npos = 0;

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            fputs(help, stdout);
            return -1;
        } else if (strcmp(argv[i], "--key") == 0 && i + 1 < argc) {
            key_arg = argv[++i];
        } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
            fprintf(stderr, "certslot %s: unknown or incomplete option '%s'\n%s", argv[0], argv[i], help);
            return EXIT_USAGE;
        } else if (npos < 2) {
            pos[npos++] = argv[i];
        } else {
            npos++;
        }
    }
    if (key_arg == NULL || npos != 2) {
        fprintf(stderr, "certslot %s: %s\n%s", argv[0], key_arg == NULL ? "--key is required" : "expected IN and OUT",
                help);
        return EXIT_USAGE;
    }
    *in = pos[0];
    *out = pos[1];
    return cli_key_arg(key_arg, key, key_size, argv[0]);
}

/*
 * What encrypt and decrypt share: the arguments, the key (the key string
 * wiped at once) and IN read whole (at most max bytes). 0, -1 after --help,
 * or an exit status.
 */
static int crypt_open(int argc, char **argv, const char *help, size_t max, certslot_cfgcrypt_key_t *key,
                      const char **in, const char **out, char **data, size_t *len)
{
    char keystring[KEYSTRING_MAX], why[CERTSLOT_CFGCRYPT_WHY_LEN];
    int ret = crypt_args(argc, argv, help, keystring, sizeof(keystring), in, out);

    memset(key, 0, sizeof(*key));
    *data = NULL;
    if (ret != 0)
        return ret;
    (void)certslot_cfgcrypt_key_parse(key, keystring, strlen(keystring), why, sizeof(why));
    certslot_zeroize(keystring, sizeof(keystring));
    *data = (char *)cli_read_file(argv[0], *in, max, len);
    return *data != NULL ? 0 : EXIT_USAGE;
}

int cmd_encrypt(int argc, char **argv)
{
    static certslot_config_t cfg;
    certslot_cfgcrypt_key_t key;
    const char *in = NULL, *out = NULL;
    char *plain = NULL, *enc = NULL;
    size_t plen = 0, elen = 0;
    int ret = crypt_open(argc, argv, encrypt_help, CERTSLOT_CONFIG_MAX_FILE, &key, &in, &out, &plain, &plen);

    if (ret < 0)
        return EXIT_ACCEPT;
    if (ret != 0)
        goto cleanup;
    if (certslot_cfgcrypt_detect(plain, plen)) {
        fprintf(stderr, "certslot encrypt: %s is encrypted already\n", in);
        ret = EXIT_ERRORS;
        goto cleanup;
    }
    /* The handset would reject a file that is not well-formed XML: refuse to encrypt one. */
    certslot_config_init(&cfg);
    int parsed = certslot_config_parse_buffer(&cfg, in, plain, plen);
    if (parsed != 0 && parsed != CERTSLOT_ERR_VALUE) {
        certslot_config_finish(&cfg);
        cli_print_diags(stderr, &cfg, 0);
        fprintf(stderr, "certslot encrypt: %s not encrypted\n", in);
        ret = EXIT_ERRORS;
    }
    certslot_config_free(&cfg);
    if (ret != 0)
        goto cleanup;
    int err = certslot_cfgcrypt_encrypt(&key, pki_os_random, NULL, plain, plen, &enc, &elen);
    if (err != 0) {
        fprintf(stderr, "certslot encrypt: %s\n", certslot_strerror(err));
        ret = EXIT_USAGE;
        goto cleanup;
    }
    mode_t mask = umask(0);
    umask(mask);
    ret = cli_write_file("encrypt", out, enc, elen, 0666 & ~mask, 0) == 0 ? 0 : EXIT_USAGE;
cleanup:
    certslot_cfgcrypt_key_free(&key);
    if (plain != NULL)
        certslot_zeroize(plain, plen);
    certslot_free(plain);
    certslot_free(enc);
    return ret;
}

int cmd_decrypt(int argc, char **argv)
{
    char why[CERTSLOT_CFGCRYPT_WHY_LEN];
    certslot_cfgcrypt_key_t key;
    const char *in = NULL, *out = NULL;
    char *enc = NULL, *plain = NULL;
    size_t elen = 0, plen = 0;
    int ret = crypt_open(argc, argv, decrypt_help, CERTSLOT_CFGCRYPT_MAX_ENCODED(CERTSLOT_CONFIG_MAX_FILE), &key,
                         &in, &out, &enc, &elen);

    if (ret < 0)
        return EXIT_ACCEPT;
    if (ret != 0)
        goto cleanup;
    int err = certslot_cfgcrypt_decrypt(&key, 1, enc, elen, CERTSLOT_CONFIG_MAX_FILE, &plain, &plen, why,
                                        sizeof(why));
    if (err != 0) {
        fprintf(stderr, "%s:1:1: error: %s; %s not written\n", in,
                err == CERTSLOT_ERR_NOMEM ? certslot_strerror(err) : why, out);
        ret = err == CERTSLOT_ERR_NOMEM ? EXIT_USAGE : EXIT_ERRORS;
        goto cleanup;
    }
    ret = cli_write_file("decrypt", out, plain, plen, 0600, 0) == 0 ? 0 : EXIT_USAGE;
cleanup:
    certslot_cfgcrypt_key_free(&key);
    if (plain != NULL)
        certslot_zeroize(plain, plen);
    certslot_free(plain);
    certslot_free(enc);
    return ret;
}
