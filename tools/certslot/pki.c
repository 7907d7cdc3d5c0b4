/*
 * Helpers of the PKI commands (pki.h): files, PEM, randomness.
 */
#include "pki.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <mbedtls/base64.h>

#include "certslot/error.h"
#include "certslot/hal_linux.h"
#include "certslot/platform.h"
#include "cli.h"

int pki_exists(const char *path)
{
    struct stat sb;
    return lstat(path, &sb) == 0;
}

int pki_write_new(const char *cmd, const char *path, const void *data, size_t len, unsigned mode)
{
    return cli_write_file(cmd, path, data, len, mode, CERTSLOT_HAL_LINUX_NEW);
}

int pki_pem_append(char **buf, size_t *len, const char *label, const unsigned char *der, size_t der_len)
{
    size_t b64 = 0;
    mbedtls_base64_encode(NULL, 0, &b64, der, der_len);
    size_t need = *len + b64 + b64 / 64 + 2 * strlen(label) + 64;
    char *nb = realloc(*buf, need);
    unsigned char *tmp = malloc(b64 + 1);
    if (nb == NULL || tmp == NULL) {
        free(tmp);
        if (nb != NULL)
            *buf = nb;
        return -1;
    }
    *buf = nb;
    if (mbedtls_base64_encode(tmp, b64 + 1, &b64, der, der_len) != 0) {
        free(tmp);
        return -1;
    }
    size_t o = *len;
    o += (size_t)snprintf(nb + o, need - o, "-----BEGIN %s-----\n", label);
    for (size_t i = 0; i < b64; i += 64) {
        size_t n = b64 - i < 64 ? b64 - i : 64;
        memcpy(nb + o, tmp + i, n);
        o += n;
        nb[o++] = '\n';
    }
    o += (size_t)snprintf(nb + o, need - o, "-----END %s-----\n", label);
    *len = o;
    pki_free_secret(tmp, b64 + 1);
    return 0;
}

void pki_free_secret(void *p, size_t len)
{
    if (p != NULL)
        certslot_zeroize(p, len);
    free(p);
}

int pki_os_random(void *ctx, unsigned char *buf, size_t len)
{
    (void)ctx;
    while (len > 0) {
        ssize_t n = getrandom(buf, len, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return CERTSLOT_ERR_IO;
        buf += n;
        len -= (size_t)n;
    }
    return 0;
}

int pki_rng_init(pki_rng_t *rng)
{
    static const unsigned char pers[] = "certslot pki";
    mbedtls_entropy_init(&rng->entropy);
    mbedtls_ctr_drbg_init(&rng->drbg);
    return mbedtls_ctr_drbg_seed(&rng->drbg, mbedtls_entropy_func, &rng->entropy, pers, sizeof(pers) - 1) == 0
               ? 0
               : CERTSLOT_ERR_CRYPTO;
}

void pki_rng_free(pki_rng_t *rng)
{
    mbedtls_ctr_drbg_free(&rng->drbg);
    mbedtls_entropy_free(&rng->entropy);
}

