/*
 * The factory device certificate: the hal hands over the files as the
 * factory stored them; decoding and the key/certificate check happen here,
 * with the same decoders a slot install uses, so no port decodes anything.
 */
#include <stdio.h>
#include <string.h>

#include <mbedtls/pk.h>
#include <mbedtls/x509_crt.h>

#include "certslot/cert.h"
#include "certslot/error.h"
#include "certslot/platform.h"
#include "certslot/store.h"
#include "store_internal.h"

/* Decodes cert (with its chain) and key into out, checks the pair. */
static int decode(const unsigned char *cert, size_t cert_len, const unsigned char *key, size_t key_len,
                  certslot_part_t *out, char *why, size_t why_size)
{
    mbedtls_x509_crt chain;
    mbedtls_pk_context pk;
    unsigned char der[4096];
    char reason[CERTSLOT_WHY_LEN] = "";
    int ret, n = 0;

    mbedtls_x509_crt_init(&chain);
    mbedtls_pk_init(&pk);
    ret = certslot_cert_decode(cert, cert_len, &chain, reason, sizeof(reason));
    if (ret != 0) {
        snprintf(why, why_size, "the factory device certificate: %s", reason);
        goto cleanup;
    }
    ret = certslot_key_decode(key, key_len, &pk, reason, sizeof(reason));
    if (ret != 0) {
        snprintf(why, why_size, "the factory private key: %s", reason);
        goto cleanup;
    }
    if (certslot_key_matches(&chain, &pk) != 0) {
        snprintf(why, why_size, "the factory private key does not match the factory device certificate");
        ret = CERTSLOT_ERR_KEY;
        goto cleanup;
    }
    for (const mbedtls_x509_crt *c = &chain; c != NULL && c->raw.len > 0 && ret == 0; c = c->next) {
        if (out->ncerts == CERTSLOT_STORE_MAX_CERTS) {
            snprintf(why, why_size, "the factory device certificate file holds more than %u certificates",
                     (unsigned)CERTSLOT_STORE_MAX_CERTS);
            ret = CERTSLOT_ERR_LIMIT;
        } else if ((ret = cs_blob_set(&out->certs[out->ncerts], c->raw.p, c->raw.len)) == 0) {
            out->ncerts++;
        }
    }
    n = ret == 0 ? mbedtls_pk_write_key_der(&pk, der, sizeof(der)) : 0;
    if (ret == 0)
        ret = n > 0 ? cs_blob_set(&out->key, der + sizeof(der) - n, (size_t)n) : CERTSLOT_ERR_KEY;
cleanup:
    certslot_zeroize(der, sizeof(der));
    mbedtls_pk_free(&pk);
    mbedtls_x509_crt_free(&chain);
    return ret;
}

int certslot_store_factory(const certslot_hal_t *hal, certslot_part_t *out, char *why, size_t why_size)
{
    unsigned char *cert = NULL, *key = NULL;
    size_t cert_len = 0, key_len = 0;
    int ret;

    certslot_part_free(out);
    if (why_size > 0)
        why[0] = '\0';
    ret = hal->factory_device == NULL ? CERTSLOT_ERR_NOT_FOUND
                                      : hal->factory_device(hal->ctx, &cert, &cert_len, &key, &key_len);
    if (ret == 0)
        ret = decode(cert, cert_len, key, key_len, out, why, why_size);
    else if (ret == CERTSLOT_ERR_NOT_FOUND)
        snprintf(why, why_size, "the handset has no factory device certificate");
    else
        snprintf(why, why_size, "the factory device certificate cannot be read: %s", certslot_strerror(ret));
    if (ret != 0)
        certslot_part_free(out);
    if (key != NULL) {
        certslot_zeroize(key, key_len);
        certslot_free(key);
    }
    certslot_free(cert);
    return ret;
}
