/*
 * certslot's mbedTLS 3.6 configuration (MBEDTLS_CONFIG_FILE): what the
 * module needs, and nothing more. The Makefile builds Debian 13's mbedTLS
 * source with it, for the host and for ARM, and compiles every certslot
 * file with it, so the library and the code that uses it agree on every
 * structure.
 *
 * Two parts. The first is what the firmware needs; firmware/src/core/tls_lib.c
 * refuses, with an #error naming it, a configuration that lacks one of
 * those options (an integrator who links an mbedTLS 3.6 of their own
 * starts from this part). The second, left out when
 * CERTSLOT_MBEDTLS_FIRMWARE_ONLY is defined, adds what only the host tool
 * and the tests use: TLS servers for the test peers, certificate writing,
 * PKCS#12. `make mbedtls-footprint` builds the first part alone for ARM and
 * reports its size.
 */
#ifndef CERTSLOT_MBEDTLS_CONFIG_H
#define CERTSLOT_MBEDTLS_CONFIG_H

/* ---- the firmware ---- */

/* System */
#define MBEDTLS_HAVE_ASM
#define MBEDTLS_HAVE_TIME
#define MBEDTLS_HAVE_TIME_DATE
#define MBEDTLS_PLATFORM_C
#define MBEDTLS_PLATFORM_MEMORY /* certslot_platform_set_calloc_free reaches mbedTLS too */
/* As Debian builds its 3.6.7 (debian/rules): no word-sized unaligned loads, which misbehave with some compilers
 * and which UBSan would report. */
#define MBEDTLS_ALIGNMENT_DISABLE_EFFICENT_UNALIGNED_ACCESS
/* Threads: PSA (TLS 1.3's keys, and the random generator certslot blinds key operations with) is one state for the
 * process, safe for threads at once only with the threading layer (mbedTLS 3.6). pthreads on Linux; a port to an
 * RTOS defines MBEDTLS_THREADING_ALT and gives mbedTLS its mutexes (mbedtls_threading_set_alt) instead. */
#define MBEDTLS_THREADING_C
#define MBEDTLS_THREADING_PTHREAD

/* Symmetric ciphers and modes: TLS 1.2 and 1.3 AEAD suites, CBC suites for older servers, the store (AES-GCM) */
#define MBEDTLS_AES_C
#define MBEDTLS_GCM_C
#define MBEDTLS_CHACHA20_C
#define MBEDTLS_POLY1305_C
#define MBEDTLS_CHACHAPOLY_C
#define MBEDTLS_CIPHER_C
#define MBEDTLS_CIPHER_MODE_CBC

/* Hashes: SHA-1 and MD5 only to name (and, relaxed, accept) what the policy refuses; HKDF for the store key */
#define MBEDTLS_MD_C
#define MBEDTLS_MD5_C
#define MBEDTLS_SHA1_C
#define MBEDTLS_SHA224_C
#define MBEDTLS_SHA256_C
#define MBEDTLS_SHA384_C
#define MBEDTLS_SHA512_C
#define MBEDTLS_HKDF_C

/* Randomness: the module's DRBGs are seeded from the hal; PSA (which TLS 1.3 needs) seeds its own from the
 * platform's entropy (getrandom on Linux; a port without it defines MBEDTLS_PSA_CRYPTO_EXTERNAL_RNG) */
#define MBEDTLS_CTR_DRBG_C
#define MBEDTLS_ENTROPY_C
#define MBEDTLS_PSA_CRYPTO_C

/* Public keys: RSA (PKCS#1 v1.5 and PSS, key generation for the CSR), ECDSA and ECDH on P-256, P-384, P-521 and
 * X25519 (the policy accepts P-256 and P-384 keys; the key exchange may use any of these groups) */
#define MBEDTLS_BIGNUM_C
#define MBEDTLS_RSA_C
#define MBEDTLS_PKCS1_V15
#define MBEDTLS_PKCS1_V21
#define MBEDTLS_GENPRIME
#define MBEDTLS_ECP_C
#define MBEDTLS_ECDSA_C
#define MBEDTLS_ECDH_C
#define MBEDTLS_DHM_C
#define MBEDTLS_ECP_DP_SECP256R1_ENABLED
#define MBEDTLS_ECP_DP_SECP384R1_ENABLED
#define MBEDTLS_ECP_DP_SECP521R1_ENABLED
#define MBEDTLS_ECP_DP_CURVE25519_ENABLED
#define MBEDTLS_ECP_NIST_OPTIM
#define MBEDTLS_PK_C
#define MBEDTLS_PK_PARSE_C
#define MBEDTLS_PK_WRITE_C

/* Encodings and X.509: parsing, PSS signatures, the CSR the handset makes */
#define MBEDTLS_ASN1_PARSE_C
#define MBEDTLS_ASN1_WRITE_C
#define MBEDTLS_OID_C
#define MBEDTLS_BASE64_C
#define MBEDTLS_PEM_PARSE_C
#define MBEDTLS_PEM_WRITE_C
#define MBEDTLS_X509_USE_C
#define MBEDTLS_X509_CRT_PARSE_C
#define MBEDTLS_X509_RSASSA_PSS_SUPPORT
#define MBEDTLS_X509_CREATE_C
#define MBEDTLS_X509_CSR_WRITE_C

/* TLS: a client of TLS 1.2 and 1.3 */
#define MBEDTLS_SSL_TLS_C
#define MBEDTLS_SSL_CLI_C
#define MBEDTLS_SSL_PROTO_TLS1_2
#define MBEDTLS_SSL_PROTO_TLS1_3
#define MBEDTLS_SSL_TLS1_3_COMPATIBILITY_MODE
#define MBEDTLS_SSL_TLS1_3_KEY_EXCHANGE_MODE_EPHEMERAL_ENABLED
#define MBEDTLS_SSL_TLS1_3_KEY_EXCHANGE_MODE_PSK_EPHEMERAL_ENABLED /* resuming a session (FTPS data connections) */
#define MBEDTLS_SSL_SESSION_TICKETS /* and the server's tickets: in TLS 1.3, its word that it took the client's
                                       certificate */
#define MBEDTLS_KEY_EXCHANGE_ECDHE_ECDSA_ENABLED
#define MBEDTLS_KEY_EXCHANGE_ECDHE_RSA_ENABLED
#define MBEDTLS_KEY_EXCHANGE_DHE_RSA_ENABLED
#define MBEDTLS_KEY_EXCHANGE_RSA_ENABLED
#define MBEDTLS_SSL_SERVER_NAME_INDICATION
#define MBEDTLS_SSL_KEEP_PEER_CERTIFICATE
#define MBEDTLS_SSL_ENCRYPT_THEN_MAC
#define MBEDTLS_SSL_EXTENDED_MASTER_SECRET
#define MBEDTLS_SSL_ALL_ALERT_MESSAGES
#define MBEDTLS_ERROR_C /* the library's reason, in a handshake failure's message */

/* ---- the host tool and the tests ---- */

#ifndef CERTSLOT_MBEDTLS_FIRMWARE_ONLY
#define MBEDTLS_SSL_SRV_C        /* the tests' TLS peers */
#define MBEDTLS_X509_CRT_WRITE_C /* certslot ca / issue; the simulated factory */
#define MBEDTLS_X509_CSR_PARSE_C /* certslot issue --csr */
#define MBEDTLS_PKCS5_C          /* certslot pfx: PBES2 */
#define MBEDTLS_PKCS12_C         /* certslot pfx: PKCS#12 key derivation */
#define MBEDTLS_DES_C            /* certslot pfx: 3DES of legacy files */
#define MBEDTLS_CIPHER_PADDING_PKCS7
#define MBEDTLS_FS_IO            /* the tests read certificates and keys from files */
#endif

#endif
