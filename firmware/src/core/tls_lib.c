/*
 * The TLS library under certslot: mbedTLS 3.6 LTS with the options the
 * firmware needs. A build against another version, or one that lacks an
 * option, stops here with an #error that names it (README, "Dependencies",
 * lists them; firmware/mbedtls/certslot_mbedtls_config.h turns them on).
 */
#include <stdlib.h>

#include <mbedtls/asn1.h>
#include <mbedtls/bignum.h>
#include <mbedtls/build_info.h>
#include <mbedtls/cipher.h>
#include <mbedtls/dhm.h>
#include <mbedtls/ecp.h>
#include <mbedtls/md.h>
#include <mbedtls/pem.h>
#include <mbedtls/pk.h>
#include <mbedtls/platform.h>
#include <mbedtls/ssl.h>
#include <mbedtls/x509.h>
#include <mbedtls/x509_crt.h>
#include <psa/crypto.h>

#include "certslot/error.h"
#include "certslot/options.h"
#include "certslot/version.h"
#include "core/internal.h"

#if CERTSLOT_THREADS
#if !defined(MBEDTLS_THREADING_C)
#error "CERTSLOT_THREADS needs MBEDTLS_THREADING_C (PSA is one state for the process); or build with CERTSLOT_THREADS=0"
#endif
#include <threads.h>
#define THREAD_LOCAL _Thread_local
#else
#define THREAD_LOCAL
#endif

#if MBEDTLS_VERSION_NUMBER < 0x03060000 || MBEDTLS_VERSION_NUMBER >= 0x03070000
#error "certslot needs mbedTLS 3.6 LTS (3.6.x)"
#endif

/* The options every build needs. */
#if !defined(MBEDTLS_PLATFORM_C) || !defined(MBEDTLS_PLATFORM_MEMORY) || defined(MBEDTLS_PLATFORM_CALLOC_MACRO)
#error "certslot needs MBEDTLS_PLATFORM_C and MBEDTLS_PLATFORM_MEMORY (without MBEDTLS_PLATFORM_CALLOC_MACRO)"
#endif
#if !defined(MBEDTLS_PSA_CRYPTO_C)
#error "certslot needs MBEDTLS_PSA_CRYPTO_C (TLS 1.3)"
#endif
#if !defined(MBEDTLS_SSL_TLS_C) || !defined(MBEDTLS_SSL_CLI_C)
#error "certslot needs MBEDTLS_SSL_TLS_C and MBEDTLS_SSL_CLI_C"
#endif
#if !defined(MBEDTLS_SSL_PROTO_TLS1_2) || !defined(MBEDTLS_SSL_PROTO_TLS1_3) || \
    !defined(MBEDTLS_SSL_TLS1_3_KEY_EXCHANGE_MODE_EPHEMERAL_ENABLED)
#error "certslot needs MBEDTLS_SSL_PROTO_TLS1_2, MBEDTLS_SSL_PROTO_TLS1_3 and its ephemeral key exchange"
#endif
#if !defined(MBEDTLS_SSL_SERVER_NAME_INDICATION) || !defined(MBEDTLS_SSL_KEEP_PEER_CERTIFICATE)
#error "certslot needs MBEDTLS_SSL_SERVER_NAME_INDICATION and MBEDTLS_SSL_KEEP_PEER_CERTIFICATE"
#endif
#if !defined(MBEDTLS_X509_CRT_PARSE_C) || !defined(MBEDTLS_X509_RSASSA_PSS_SUPPORT) || !defined(MBEDTLS_PEM_PARSE_C) || \
    !defined(MBEDTLS_BASE64_C) || !defined(MBEDTLS_OID_C) || !defined(MBEDTLS_ASN1_WRITE_C)
#error "certslot needs MBEDTLS_X509_CRT_PARSE_C, _RSASSA_PSS_SUPPORT, PEM_PARSE_C, BASE64_C, OID_C, ASN1_WRITE_C"
#endif
#if !defined(MBEDTLS_PK_PARSE_C) || !defined(MBEDTLS_PK_WRITE_C) || !defined(MBEDTLS_RSA_C) || \
    !defined(MBEDTLS_PKCS1_V15) || !defined(MBEDTLS_PKCS1_V21) || !defined(MBEDTLS_ECDSA_C) || \
    !defined(MBEDTLS_ECP_DP_SECP256R1_ENABLED) || !defined(MBEDTLS_ECP_DP_SECP384R1_ENABLED)
#error "certslot needs MBEDTLS_PK_PARSE_C, PK_WRITE_C, RSA_C, PKCS1_V15, PKCS1_V21, ECDSA_C, P-256 and P-384"
#endif
#if !defined(MBEDTLS_AES_C) || !defined(MBEDTLS_GCM_C) || !defined(MBEDTLS_HKDF_C) || !defined(MBEDTLS_SHA256_C) || \
    !defined(MBEDTLS_CTR_DRBG_C) || !defined(MBEDTLS_MD_C)
#error "certslot needs MBEDTLS_AES_C, GCM_C, HKDF_C, SHA256_C, CTR_DRBG_C and MD_C (the store, the DRBGs)"
#endif
#if !defined(MBEDTLS_DHM_C)
#error "certslot needs MBEDTLS_DHM_C (TLS 1.2's DHE suites; the wrap of mbedtls_dhm_read_params bounds their group)"
#endif
#if !defined(MBEDTLS_ERROR_C)
#error "certslot needs MBEDTLS_ERROR_C (the library's reason in a handshake failure)"
#endif
#if CERTSLOT_WITH_CSR && (!defined(MBEDTLS_X509_CSR_WRITE_C) || !defined(MBEDTLS_PEM_WRITE_C) || !defined(MBEDTLS_GENPRIME))
#error "CERTSLOT_WITH_CSR needs MBEDTLS_X509_CSR_WRITE_C, PEM_WRITE_C and GENPRIME"
#endif

static const int *suites;

static void list_suites(void)
{
    suites = mbedtls_ssl_list_ciphersuites();
}

const int *cs_tls_lib_suites(void)
{
    /* mbedTLS fills the list on its first call, without a lock: the first call is made once, so that no thread
     * reads it half filled (mbedtls_ssl_config_defaults reads it too, after this). */
#if CERTSLOT_THREADS
    static once_flag once = ONCE_FLAG_INIT;
    call_once(&once, list_suites);
#else
    if (suites == NULL)
        list_suites();
#endif
    return suites;
}

/* The peer's certificates parsed in this thread's running handshake; -1: none runs. Its Diffie-Hellman group:
 * the bits of its prime (0: none came) and the most taken. */
static THREAD_LOCAL int peer_certs = -1;
static THREAD_LOCAL size_t peer_dh_bits, peer_dh_max;

void cs_tls_lib_peer_begin(size_t dh_max)
{
    peer_certs = 0;
    peer_dh_bits = 0;
    peer_dh_max = dh_max;
}

size_t cs_tls_lib_peer_dh(void)
{
    return peer_dh_bits;
}

/* Linked with -Wl,--wrap=mbedtls_dhm_read_params: the server's DHE group, in TLS 1.2's ServerKeyExchange, before
 * mbedTLS computes with it (mbedTLS has a lower bound only). */
int __real_mbedtls_dhm_read_params(mbedtls_dhm_context *ctx, unsigned char **p, const unsigned char *end);
int __wrap_mbedtls_dhm_read_params(mbedtls_dhm_context *ctx, unsigned char **p, const unsigned char *end);
int __wrap_mbedtls_dhm_read_params(mbedtls_dhm_context *ctx, unsigned char **p, const unsigned char *end)
{
    if (ctx == NULL)
        return CS_WRAP_PROBE; /* cs_tls_lib_wrapped */
    int ret = __real_mbedtls_dhm_read_params(ctx, p, end);
    if (ret != 0 || peer_certs < 0)
        return ret;
    peer_dh_bits = mbedtls_dhm_get_bitlen(ctx);
    return peer_dh_bits > peer_dh_max ? MBEDTLS_ERR_DHM_BAD_INPUT_DATA : 0;
}

int cs_tls_lib_peer_end(void)
{
    int n = peer_certs;
    peer_certs = -1;
    return n;
}

int cs_tls_lib_peer_cert(void)
{
    return peer_certs < 0 || ++peer_certs <= CERTSLOT_VERIFY_MAX_PEER;
}

int cs_tls_lib_wrapped(void)
{
    return mbedtls_x509_crt_parse_der(NULL, NULL, 0) == CS_WRAP_PROBE &&
           mbedtls_dhm_read_params(NULL, NULL, NULL) == CS_WRAP_PROBE;
}

int cs_tls_lib_start(void)
{
    /* Idempotent; TLS 1.3 needs it before the first handshake. */
    return psa_crypto_init() == PSA_SUCCESS ? 0 : CERTSLOT_ERR_CRYPTO;
}

static void *(*mbed_calloc_fn)(size_t, size_t) = calloc;
/* Allocations mbedTLS asked for and did not get, and how many of them cs_mbed has seen: the calling thread's. */
static THREAD_LOCAL unsigned long mbed_failures, mbed_seen;

/* mbedTLS's allocator: the installed one, counting what it refuses (mbedTLS reports some as parse errors). */
static void *mbed_calloc(size_t n, size_t size)
{
    void *p = mbed_calloc_fn(n, size);
    if (p == NULL && n != 0 && size != 0)
        mbed_failures++;
    return p;
}

int cs_mbed(int ret, int otherwise)
{
    /* An error code is a high-level part (0xff80) and a low-level one (0x7f); either may say "no memory". */
    static const int high[] = {MBEDTLS_ERR_X509_ALLOC_FAILED, MBEDTLS_ERR_PK_ALLOC_FAILED,
                               MBEDTLS_ERR_SSL_ALLOC_FAILED,  MBEDTLS_ERR_CIPHER_ALLOC_FAILED,
                               MBEDTLS_ERR_MD_ALLOC_FAILED,   MBEDTLS_ERR_PEM_ALLOC_FAILED,
                               MBEDTLS_ERR_ECP_ALLOC_FAILED};
    static const int low[] = {MBEDTLS_ERR_MPI_ALLOC_FAILED, MBEDTLS_ERR_ASN1_ALLOC_FAILED};

    int failed = mbed_failures != mbed_seen;
    mbed_seen = mbed_failures;
    if (ret == 0)
        return 0;
    if (failed || ret == PSA_ERROR_INSUFFICIENT_MEMORY)
        return CERTSLOT_ERR_NOMEM;
    for (size_t i = 0; i < sizeof(high) / sizeof(high[0]); i++)
        if ((-ret & 0xff80) == -high[i])
            return CERTSLOT_ERR_NOMEM;
    for (size_t i = 0; i < sizeof(low) / sizeof(low[0]); i++)
        if ((-ret & 0x7f) == -low[i])
            return CERTSLOT_ERR_NOMEM;
    return otherwise;
}

void cs_tls_lib_memory(void *(*c)(size_t, size_t), void (*f)(void *))
{
    mbed_calloc_fn = c;
    (void)mbedtls_platform_set_calloc_free(mbed_calloc, f);
}

const char *certslot_version(void)
{
    return "certslot " CERTSLOT_VERSION " (mbedTLS " MBEDTLS_VERSION_STRING ")";
}
