/*
 * Key pair and CSR generation: RSA 2048 from a CTR_DRBG seeded by the
 * caller's random source, PKCS#10 request signed with SHA-256.
 */
#include "certslot/csr.h"

#include <stdio.h>
#include <string.h>

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/pk.h>
#include <mbedtls/rsa.h>
#include <mbedtls/x509_csr.h>

#include "certslot/error.h"
#include "certslot/platform.h"

#if CERTSLOT_WITH_CSR /* certslot/options.h */

#define KEY_BUF 2048  /* an RSA 2048 key in DER takes about 1,200 bytes */
#define CSR_BUF 4096
#define NAME_BUF 600  /* the subject as mbedTLS's "C=..,ST=..,O=..,CN=..,emailAddress=.." */

typedef struct {
    certslot_random_fn fn;
    void *ctx;
    int err;
} source_t;

static int entropy(void *p, unsigned char *buf, size_t len)
{
    source_t *s = p;
    int ret = s->fn(s->ctx, buf, len);

    if (ret != 0) {
        s->err = ret;
        return MBEDTLS_ERR_CTR_DRBG_ENTROPY_SOURCE_FAILED;
    }
    return 0;
}

static int check_field(const char *name, const char *v, size_t max, int required, char *why, size_t why_size)
{
    if (v == NULL || v[0] == '\0') {
        if (required)
            snprintf(why, why_size, "%s is required", name);
        return required ? CERTSLOT_ERR_ARG : 0;
    }
    size_t n = strlen(v);
    if (n > max) {
        snprintf(why, why_size, "%s is longer than %u bytes", name, (unsigned)max);
        return CERTSLOT_ERR_ARG;
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)v[i];
        if (c < 0x20 || c == 0x7f || c == '\\' || c == '+' || (i == 0 && c == '#')) {
            snprintf(why, why_size, "%s contains a character certslot does not put in a name (control character, "
                                    "backslash, '+', or a leading '#')",
                     name);
            return CERTSLOT_ERR_ARG;
        }
    }
    return 0;
}

int certslot_csr_check_subject(const certslot_csr_subject_t *s, char *why, size_t why_size)
{
    int ret;

    if (s == NULL)
        return CERTSLOT_ERR_ARG;
    if ((ret = check_field("CN", s->cn, CERTSLOT_CSR_MAX_FIELD, 1, why, why_size)) != 0 ||
        (ret = check_field("O", s->o, CERTSLOT_CSR_MAX_FIELD, 0, why, why_size)) != 0 ||
        (ret = check_field("ST", s->st, CERTSLOT_CSR_MAX_FIELD, 0, why, why_size)) != 0 ||
        (ret = check_field("email", s->email, 128, 0, why, why_size)) != 0 ||
        (ret = check_field("C", s->c, 2, 0, why, why_size)) != 0)
        return ret;
    if (s->c != NULL && s->c[0] != '\0' &&
        !(strlen(s->c) == 2 && ((s->c[0] >= 'A' && s->c[0] <= 'Z') || (s->c[0] >= 'a' && s->c[0] <= 'z')) &&
          ((s->c[1] >= 'A' && s->c[1] <= 'Z') || (s->c[1] >= 'a' && s->c[1] <= 'z')))) {
        snprintf(why, why_size, "C must be a two-letter country code");
        return CERTSLOT_ERR_ARG;
    }
    if (s->email != NULL && s->email[0] != '\0') {
        for (const char *e = s->email; *e != '\0'; e++) {
            if ((unsigned char)*e >= 0x80 || *e == ',') {
                snprintf(why, why_size, "email must be a plain ASCII address");
                return CERTSLOT_ERR_ARG;
            }
        }
    }
    return 0;
}

/* Appends ",KEY=value" with ',' escaped as mbedTLS's name parser wants it. */
static void add_rdn(char *buf, size_t size, size_t *o, const char *key, const char *v)
{
    if (v == NULL || v[0] == '\0')
        return;
    *o += (size_t)snprintf(buf + *o, size - *o, "%s%s=", *o > 0 ? "," : "", key);
    for (; *v != '\0' && *o + 3 < size; v++) {
        if (*v == ',')
            buf[(*o)++] = '\\';
        buf[(*o)++] = *v;
    }
    buf[*o] = '\0';
}

int certslot_csr_generate(certslot_random_fn random, void *random_ctx, const certslot_csr_subject_t *subject,
                          unsigned char **key_der, size_t *key_len, char **csr_pem, size_t *csr_len, char *why,
                          size_t why_size)
{
    static const unsigned char pers[] = "certslot csr";
    source_t src = {random, random_ctx, 0};
    mbedtls_ctr_drbg_context drbg;
    mbedtls_pk_context pk;
    mbedtls_x509write_csr csr;
    unsigned char *kbuf = NULL, *cbuf = NULL;
    char name[NAME_BUF];
    size_t o = 0;
    int ret;

    if (random == NULL || key_der == NULL || key_len == NULL || csr_pem == NULL || csr_len == NULL)
        return CERTSLOT_ERR_ARG;
    ret = certslot_csr_check_subject(subject, why, why_size);
    if (ret != 0)
        return ret;
    name[0] = '\0';
    add_rdn(name, sizeof(name), &o, "C", subject->c);
    add_rdn(name, sizeof(name), &o, "ST", subject->st);
    add_rdn(name, sizeof(name), &o, "O", subject->o);
    add_rdn(name, sizeof(name), &o, "CN", subject->cn);
    add_rdn(name, sizeof(name), &o, "emailAddress", subject->email);

    mbedtls_ctr_drbg_init(&drbg);
    mbedtls_pk_init(&pk);
    mbedtls_x509write_csr_init(&csr);
    kbuf = certslot_calloc(1, KEY_BUF);
    cbuf = certslot_calloc(1, CSR_BUF);
    if (kbuf == NULL || cbuf == NULL) {
        ret = CERTSLOT_ERR_NOMEM;
        goto cleanup;
    }
    ret = CERTSLOT_ERR_CRYPTO;
    if (mbedtls_ctr_drbg_seed(&drbg, entropy, &src, pers, sizeof(pers) - 1) != 0) {
        snprintf(why, why_size, "the random source failed");
        ret = src.err != 0 ? src.err : CERTSLOT_ERR_CRYPTO;
        goto cleanup;
    }
    if (mbedtls_pk_setup(&pk, mbedtls_pk_info_from_type(MBEDTLS_PK_RSA)) != 0 ||
        mbedtls_rsa_gen_key(mbedtls_pk_rsa(pk), mbedtls_ctr_drbg_random, &drbg, CERTSLOT_CSR_KEY_BITS, 65537) != 0) {
        snprintf(why, why_size, "RSA key generation failed");
        goto cleanup;
    }
    mbedtls_x509write_csr_set_md_alg(&csr, MBEDTLS_MD_SHA256);
    mbedtls_x509write_csr_set_key(&csr, &pk);
    if (mbedtls_x509write_csr_set_subject_name(&csr, name) != 0) {
        snprintf(why, why_size, "the subject is not a valid name");
        ret = CERTSLOT_ERR_ARG;
        goto cleanup;
    }
    if (mbedtls_x509write_csr_pem(&csr, cbuf, CSR_BUF, mbedtls_ctr_drbg_random, &drbg) != 0) {
        snprintf(why, why_size, "writing the CSR failed");
        goto cleanup;
    }
    int n = mbedtls_pk_write_key_der(&pk, kbuf, KEY_BUF);
    if (n <= 0) {
        snprintf(why, why_size, "writing the key failed");
        goto cleanup;
    }
    size_t clen = strlen((char *)cbuf);
    *key_der = certslot_calloc(1, (size_t)n);
    *csr_pem = certslot_calloc(1, clen + 1);
    if (*key_der == NULL || *csr_pem == NULL) {
        certslot_free(*key_der);
        certslot_free(*csr_pem);
        *key_der = NULL;
        *csr_pem = NULL;
        ret = CERTSLOT_ERR_NOMEM;
        goto cleanup;
    }
    memcpy(*key_der, kbuf + KEY_BUF - n, (size_t)n);
    *key_len = (size_t)n;
    memcpy(*csr_pem, cbuf, clen + 1);
    *csr_len = clen;
    ret = 0;
cleanup:
    mbedtls_x509write_csr_free(&csr);
    mbedtls_pk_free(&pk);
    mbedtls_ctr_drbg_free(&drbg);
    if (kbuf != NULL)
        certslot_zeroize(kbuf, KEY_BUF);
    certslot_free(kbuf);
    certslot_free(cbuf);
    return ret;
}

#endif /* CERTSLOT_WITH_CSR */
