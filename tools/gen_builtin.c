/*
 * gen_builtin: turns a PEM bundle of root CAs into the C data of the built-in
 * list (firmware/include/certslot/builtin.h). A host program, run by the
 * Makefile at build time.
 *
 *   gen_builtin BUNDLE.pem > builtin_roots.inc
 *
 * For each root it keeps only the subject name (DER) and the public key
 * (SubjectPublicKeyInfo DER), stored back to back in one read-only blob, with
 * an index of {offset, subject length, key length}. Roots are sorted by
 * subject bytes (memcmp order, a prefix first), then by key bytes; a root
 * whose subject and key both repeat an earlier one is dropped. The output
 * depends only on the bundle's contents. Certificates mbedTLS cannot parse
 * are skipped with a note on stderr; the last stderr line is the summary.
 *
 * The output defines BUILTIN_ROOTS_COUNT, BUILTIN_BLOB_LEN, builtin_blob[]
 * and builtin_index[], whose element type struct builtin_root
 * { uint32_t off; uint16_t subject_len; uint16_t key_len; } the including
 * file declares.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mbedtls/x509_crt.h>

#define PEM_BEGIN "-----BEGIN CERTIFICATE-----"
#define PEM_END "-----END CERTIFICATE-----"

/* Bytes of index per root in the generated data (see the header comment). */
#define INDEX_ENTRY_SIZE 8u

struct root {
    unsigned char *subject;
    size_t subject_len;
    unsigned char *key;
    size_t key_len;
};

static int bytes_cmp(const unsigned char *a, size_t alen, const unsigned char *b, size_t blen)
{
    int c = memcmp(a, b, alen < blen ? alen : blen);

    if (c != 0)
        return c;
    return alen < blen ? -1 : alen > blen;
}

static int root_cmp(const void *pa, const void *pb)
{
    const struct root *a = pa, *b = pb;
    int c = bytes_cmp(a->subject, a->subject_len, b->subject, b->subject_len);

    return c != 0 ? c : bytes_cmp(a->key, a->key_len, b->key, b->key_len);
}

static unsigned char *dup_bytes(const unsigned char *p, size_t len)
{
    unsigned char *d = malloc(len != 0 ? len : 1);

    if (d != NULL)
        memcpy(d, p, len);
    return d;
}

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    size_t cap = 0, n = 0;

    if (f == NULL)
        return NULL;
    for (;;) {
        if (cap - n < 4096) {
            char *nb = realloc(buf, cap * 2 + 4096 + 1);
            if (nb == NULL)
                goto fail;
            buf = nb;
            cap = cap * 2 + 4096;
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0)
            break;
    }
    if (ferror(f))
        goto fail;
    fclose(f);
    buf[n] = '\0';
    *len = n;
    return buf;

fail:
    free(buf);
    fclose(f);
    return NULL;
}

static size_t line_of(const char *text, const char *pos)
{
    size_t line = 1;

    for (const char *p = text; p < pos; p++)
        line += *p == '\n';
    return line;
}

static void emit_bytes(const unsigned char *p, size_t len, size_t *col)
{
    for (size_t i = 0; i < len; i++) {
        if (*col == 0)
            fputs("   ", stdout);
        printf(" 0x%02x,", p[i]);
        if (++*col == 12) {
            putchar('\n');
            *col = 0;
        }
    }
}

int main(int argc, char **argv)
{
    int ret = 1;
    size_t text_len = 0, nroots = 0, cap = 0, skipped = 0;
    char *text = NULL;
    struct root *roots = NULL;

    if (argc != 2) {
        fprintf(stderr, "usage: %s BUNDLE.pem > builtin_roots.inc\n", argv[0]);
        return 2;
    }
    text = read_file(argv[1], &text_len);
    if (text == NULL) {
        perror(argv[1]);
        return 2;
    }

    for (char *begin = strstr(text, PEM_BEGIN); begin != NULL; begin = strstr(begin, PEM_BEGIN)) {
        char *end = strstr(begin, PEM_END);
        if (end == NULL) {
            fprintf(stderr, "%s:%zu: note: skipped, no " PEM_END "\n", argv[1], line_of(text, begin));
            skipped++;
            break;
        }
        end += strlen(PEM_END);

        /* mbedTLS wants one NUL-terminated PEM block. */
        char saved = *end;
        mbedtls_x509_crt crt;
        mbedtls_x509_crt_init(&crt);
        *end = '\0';
        int rc = mbedtls_x509_crt_parse(&crt, (const unsigned char *)begin, (size_t)(end - begin) + 1);
        *end = saved;
        if (rc != 0) {
            fprintf(stderr, "%s:%zu: note: skipped, mbedTLS cannot parse this certificate (-0x%04x)\n",
                    argv[1], line_of(text, begin), (unsigned)-rc);
            skipped++;
        } else {
            if (nroots == cap) {
                struct root *nr = realloc(roots, (cap * 2 + 64) * sizeof(*roots));
                if (nr == NULL) {
                    mbedtls_x509_crt_free(&crt);
                    goto oom;
                }
                roots = nr;
                cap = cap * 2 + 64;
            }
            struct root *r = &roots[nroots];
            r->subject_len = crt.subject_raw.len;
            r->key_len = crt.pk_raw.len;
            r->subject = dup_bytes(crt.subject_raw.p, crt.subject_raw.len);
            r->key = dup_bytes(crt.pk_raw.p, crt.pk_raw.len);
            nroots++;
            if (r->subject == NULL || r->key == NULL) {
                mbedtls_x509_crt_free(&crt);
                goto oom;
            }
            if (r->subject_len > UINT16_MAX || r->key_len > UINT16_MAX) {
                fprintf(stderr, "%s:%zu: error: subject or key over 65535 bytes\n", argv[1],
                        line_of(text, begin));
                mbedtls_x509_crt_free(&crt);
                goto cleanup;
            }
        }
        mbedtls_x509_crt_free(&crt);
        begin = end;
    }

    if (nroots > 0)
        qsort(roots, nroots, sizeof(*roots), root_cmp);
    size_t kept = 0, blob_len = 0;
    for (size_t i = 0; i < nroots; i++) {
        if (kept > 0 && root_cmp(&roots[kept - 1], &roots[i]) == 0) {
            free(roots[i].subject);
            free(roots[i].key);
            continue;
        }
        roots[kept++] = roots[i];
        blob_len += roots[i].subject_len + roots[i].key_len;
    }
    size_t dups = nroots - kept;
    nroots = kept;
    if (blob_len > UINT32_MAX) {
        fprintf(stderr, "%s: error: %zu bytes of roots do not fit 32-bit offsets\n", argv[1], blob_len);
        goto cleanup;
    }

    printf("/* Generated by tools/gen_builtin: the built-in list, %zu roots. Do not edit. */\n\n", nroots);
    printf("#define BUILTIN_ROOTS_COUNT %zuu\n", nroots);
    printf("#define BUILTIN_BLOB_LEN %zuu\n\n", blob_len);
    /* C has no empty arrays: an empty list keeps one unused byte and entry. */
    printf("static const unsigned char builtin_blob[] = {\n");
    size_t col = 0;
    for (size_t i = 0; i < nroots; i++) {
        emit_bytes(roots[i].subject, roots[i].subject_len, &col);
        emit_bytes(roots[i].key, roots[i].key_len, &col);
    }
    if (nroots == 0)
        printf("    0x00,");
    printf("%s};\n\n", col != 0 || nroots == 0 ? "\n" : "");
    printf("static const struct builtin_root builtin_index[] = {\n");
    size_t off = 0;
    for (size_t i = 0; i < nroots; i++) {
        printf("    { %zuu, %zuu, %zuu },\n", off, roots[i].subject_len, roots[i].key_len);
        off += roots[i].subject_len + roots[i].key_len;
    }
    if (nroots == 0)
        printf("    { 0u, 0u, 0u },\n");
    printf("};\n");
    if (fflush(stdout) != 0 || ferror(stdout)) {
        perror("gen_builtin: stdout");
        goto cleanup;
    }

    fprintf(stderr, "gen_builtin: %zu roots, %zu bytes (%zu names and keys + %zu index); "
            "%zu duplicates dropped, %zu skipped\n",
            nroots, blob_len + nroots * INDEX_ENTRY_SIZE, blob_len, nroots * INDEX_ENTRY_SIZE, dups, skipped);
    ret = 0;
    goto cleanup;

oom:
    fprintf(stderr, "gen_builtin: out of memory\n");
cleanup:
    for (size_t i = 0; i < nroots; i++) {
        free(roots[i].subject);
        free(roots[i].key);
    }
    free(roots);
    free(text);
    return ret;
}
