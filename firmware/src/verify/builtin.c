/*
 * The built-in list over the data tools/gen_builtin generates at build time
 * (build/gen/builtin_roots.inc): one read-only blob holding each root's
 * subject name followed by its public key, and an index sorted by subject.
 */
#include "certslot/builtin.h"

#include <stdint.h>
#include <string.h>

#include <mbedtls/md.h>
#include <mbedtls/version.h>

#include "certslot/error.h"

/* mbedTLS 3 hides these certificate fields behind MBEDTLS_PRIVATE(). */
#define CRT_PRIVATE(crt, field) ((crt)->MBEDTLS_PRIVATE(field))

struct builtin_root {
    uint32_t off; /* subject at blob + off, its key right after it */
    uint16_t subject_len;
    uint16_t key_len;
};

#include "builtin_roots.inc"

size_t certslot_builtin_count(void)
{
    return BUILTIN_ROOTS_COUNT;
}

size_t certslot_builtin_size(void)
{
    return BUILTIN_BLOB_LEN + BUILTIN_ROOTS_COUNT * sizeof(struct builtin_root);
}

static int subject_cmp(size_t i, const unsigned char *der, size_t len)
{
    const struct builtin_root *r = &builtin_index[i];
    int c = memcmp(builtin_blob + r->off, der, r->subject_len < len ? r->subject_len : len);

    if (c != 0)
        return c;
    return r->subject_len < len ? -1 : r->subject_len > len;
}

long certslot_builtin_find(const unsigned char *subject_der, size_t len)
{
    size_t lo = 0, hi = BUILTIN_ROOTS_COUNT;

    if (subject_der == NULL)
        return -1;
    /* The first root not below the name: roots of one name are adjacent. */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (subject_cmp(mid, subject_der, len) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < BUILTIN_ROOTS_COUNT && subject_cmp(lo, subject_der, len) == 0)
        return (long)lo;
    return -1;
}

void certslot_builtin_subject(size_t i, const unsigned char **der, size_t *len)
{
    if (i >= BUILTIN_ROOTS_COUNT) {
        *der = NULL;
        *len = 0;
        return;
    }
    *der = builtin_blob + builtin_index[i].off;
    *len = builtin_index[i].subject_len;
}

void certslot_builtin_key(size_t i, const unsigned char **der, size_t *len)
{
    if (i >= BUILTIN_ROOTS_COUNT) {
        *der = NULL;
        *len = 0;
        return;
    }
    *der = builtin_blob + builtin_index[i].off + builtin_index[i].subject_len;
    *len = builtin_index[i].key_len;
}

int certslot_builtin_parse_key(size_t i, mbedtls_pk_context *pk)
{
    const unsigned char *der;
    size_t len;

    if (i >= BUILTIN_ROOTS_COUNT || pk == NULL)
        return CERTSLOT_ERR_ARG;
    certslot_builtin_key(i, &der, &len);
    /* A firmware's mbedTLS may lack an algorithm the generating host had. */
    if (mbedtls_pk_parse_public_key(pk, der, len) != 0)
        return CERTSLOT_ERR_CRYPTO;
    return 0;
}

int certslot_builtin_verify_issued(const mbedtls_x509_crt *crt)
{
    unsigned char hash[MBEDTLS_MD_MAX_SIZE];
    const mbedtls_md_info_t *md;
    long first;

    if (crt == NULL)
        return CERTSLOT_ERR_ARG;
    first = certslot_builtin_find(crt->issuer_raw.p, crt->issuer_raw.len);
    if (first < 0)
        return CERTSLOT_ERR_NOT_FOUND;

    md = mbedtls_md_info_from_type(CRT_PRIVATE(crt, sig_md));
    if (md == NULL || mbedtls_md(md, crt->tbs.p, crt->tbs.len, hash) != 0)
        return CERTSLOT_ERR_CERT;

    for (size_t i = (size_t)first;
         i < BUILTIN_ROOTS_COUNT && subject_cmp(i, crt->issuer_raw.p, crt->issuer_raw.len) == 0; i++) {
        mbedtls_pk_context pk;
        mbedtls_pk_init(&pk);
        int ok = certslot_builtin_parse_key(i, &pk) == 0 &&
                 mbedtls_pk_verify_ext(CRT_PRIVATE(crt, sig_pk), CRT_PRIVATE(crt, sig_opts), &pk,
                                       CRT_PRIVATE(crt, sig_md), hash, mbedtls_md_get_size(md),
                                       CRT_PRIVATE(crt, sig).p, CRT_PRIVATE(crt, sig).len) == 0;
        mbedtls_pk_free(&pk);
        if (ok)
            return 0;
    }
    return CERTSLOT_ERR_CERT;
}
