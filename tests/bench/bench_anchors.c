/*
 * Trust anchors: a chain whose root is in the built-in list, checked with the
 * built-in list against the common approach of parsing the whole PEM bundle
 * into an mbedtls_x509_crt list and calling mbedtls_x509_crt_verify.
 *
 *   bench_anchors ours|base start|verify BUNDLE
 *
 * The chain is one certificate: the first root of BUNDLE that the built-in
 * list holds and mbedTLS's default profile accepts (not SHA-1 signed), as a server that sends its root presents it. A public root's
 * key cannot sign a leaf made here, so the signature checked is the root's
 * own self-signature: the same work (one issuer lookup, one signature
 * verification with the anchor's key) as for a top certificate issued by it.
 * ours: start-up is nothing; verify is certslot_builtin_verify_issued.
 * base: start-up is mbedtls_x509_crt_parse_file(BUNDLE); verify is
 * mbedtls_x509_crt_verify against that list. The chain is parsed before
 * either (both sides get it from the peer the same way).
 */
#include "bench.h"

#include <mbedtls/pem.h>
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

/* The first certificate of the bundle whose subject the built-in list has. */
static void pick_root(void)
{
    mbedtls_x509_crt all;
    mbedtls_x509_crt_init(&all);
    if (mbedtls_x509_crt_parse_file(&all, bundle) < 0)
        bench_die("cannot parse the bundle");
    for (mbedtls_x509_crt *c = &all; c != NULL && c->raw.p != NULL; c = c->next) {
        uint32_t flags = 0;
        /* One that mbedTLS's default profile accepts too (SHA-256 or better). */
        if (certslot_builtin_find(c->subject_raw.p, c->subject_raw.len) >= 0 &&
            mbedtls_x509_crt_verify(c, c, NULL, NULL, &flags, NULL, NULL) == 0) {
            if (mbedtls_x509_crt_parse_der(&chain, c->raw.p, c->raw.len) != 0)
                bench_die("parse");
            char dn[256];
            mbedtls_x509_dn_gets(dn, sizeof(dn), &c->subject);
            printf("root %s\n", dn);
            break;
        }
    }
    mbedtls_x509_crt_free(&all);
    if (chain.raw.p == NULL)
        bench_die("no root of the bundle is in the built-in list");
}

int main(int argc, char **argv)
{
    if (argc != 4)
        bench_die("usage: bench_anchors ours|base start|verify BUNDLE");
    int ours = strcmp(argv[1], "ours") == 0;
    bundle = argv[3];
    mbedtls_x509_crt_init(&list);
    mbedtls_x509_crt_init(&chain);
    pick_root();

    bench_heap_start();
    if (bench_start(ours) != 0)
        bench_die("start-up failed");
    long long held = bench_heap_held();
    if (bench_verify(ours) != 0)
        bench_die("the root was not accepted");
    printf("heap_held_startup %lld\n", held);
    printf("heap_peak %lld\n", bench_heap_peak());
    size_t n = 0;
    for (mbedtls_x509_crt *c = &list; c != NULL && c->raw.p != NULL; c = c->next)
        n++;
    printf("roots %zu\n", ours ? certslot_builtin_count() : n);
    printf("builtin_rodata %zu\n", certslot_builtin_size());
    mbedtls_x509_crt_free(&list);
    mbedtls_x509_crt_free(&chain);
    return 0;
}
