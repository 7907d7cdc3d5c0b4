/*
 * Trust anchors: a real chain, an intermediate CA certificate signed by a
 * root, checked with the built-in list against the common approach of
 * parsing the whole PEM bundle into an mbedtls_x509_crt list and calling
 * mbedtls_x509_crt_verify.
 *
 *   bench_anchors ours|base start|verify BUNDLE INTERMEDIATE
 *
 * BUNDLE is the CA bundle with the test PKI's root added (make bench makes
 * it), and this program links a built-in list generated from that same
 * bundle, so the root is in both: no public root's key can sign a
 * certificate made at test time. The intermediate (the test PKI's inter.crt,
 * signed by that root) is parsed before either side is measured, as both
 * get it from the peer the same way; both check its signature with the
 * root's key.
 * ours: start-up is nothing; verify is certslot_builtin_verify_issued.
 * base: start-up is mbedtls_x509_crt_parse_file(BUNDLE); verify is
 * mbedtls_x509_crt_verify against that list.
 * Heap: what start-up leaves held, and the peak while verifying, apart.
 */
#include "bench.h"

#include <mbedtls/x509_crt.h>

#include "certslot/builtin.h"

__attribute__((noinline)) int bench_start(int ours);
__attribute__((noinline)) int bench_verify(int ours);

static mbedtls_x509_crt list, chain;
static const char *bundle;

int bench_start(int ours)
{
    if (ours)
        return 0; /* the built-in list is read-only data: nothing to do */
    return mbedtls_x509_crt_parse_file(&list, bundle) < 0;
}

int bench_verify(int ours)
{
    if (ours)
        return certslot_builtin_verify_issued(&chain) != 0;
    uint32_t flags = 0;
    return mbedtls_x509_crt_verify(&chain, &list, NULL, NULL, &flags, NULL, NULL) != 0;
}

int main(int argc, char **argv)
{
    if (argc != 5)
        bench_die("usage: bench_anchors ours|base start|verify BUNDLE INTERMEDIATE");
    int ours = strcmp(argv[1], "ours") == 0;
    bundle = argv[3];
    mbedtls_x509_crt_init(&list);
    mbedtls_x509_crt_init(&chain);
    if (mbedtls_x509_crt_parse_file(&chain, argv[4]) != 0 || chain.next != NULL)
        bench_die("cannot parse the intermediate");
    if (ours && certslot_builtin_find(chain.issuer_raw.p, chain.issuer_raw.len) < 0)
        bench_die("the intermediate's root is not in this program's built-in list");
    char dn[256];
    mbedtls_x509_dn_gets(dn, sizeof(dn), &chain.subject);
    printf("chain %s\n", dn);

    bench_heap_start();
    if (bench_start(ours) != 0)
        bench_die("start-up failed");
    long long held = bench_heap_held();
    bench_heap_start(); /* the verification's own peak, above what start-up holds */
    if (bench_verify(ours) != 0)
        bench_die("the intermediate was not accepted");
    printf("heap_held_startup %lld\n", held);
    printf("heap_peak_verify %lld\n", bench_heap_peak());
    size_t n = 0;
    for (mbedtls_x509_crt *c = &list; c != NULL && c->raw.p != NULL; c = c->next)
        n++;
    printf("roots %zu\n", ours ? certslot_builtin_count() : n);
    printf("builtin_rodata %zu\n", certslot_builtin_size());
    mbedtls_x509_crt_free(&list);
    mbedtls_x509_crt_free(&chain);
    return 0;
}
