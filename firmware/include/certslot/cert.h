/**
 * @file
 * Certificate and key values as administrators paste them, decoded to DER,
 * checked against the security policy, and described for people.
 *
 * Accepted certificate encodings (all decode to the same DER):
 *   1. single-line base64 of the DER (openssl enc -base64 -A of a .der);
 *   2. PEM with the body on one line, with or without line breaks around it;
 *   3. ordinary multi-line PEM (breaks may arrive as spaces);
 *   4. base64 of a PEM text (openssl enc -base64 -A of a PEM .cer);
 *   5. several PEM blocks: a chain, leaf first, root last;
 * plus raw DER (one or more certificates back to back) for files and URLs.
 * Private keys: PEM with its header, PKCS#1 (RSA PRIVATE KEY), PKCS#8
 * (PRIVATE KEY) or SEC1 (EC PRIVATE KEY); DER too. Encrypted keys are
 * refused.
 */
#ifndef CERTSLOT_CERT_H
#define CERTSLOT_CERT_H

#include <stddef.h>
#include <stdint.h>

#include <mbedtls/pk.h>
#include <mbedtls/x509_crt.h>

#include "certslot/options.h"


/**
 * Decodes a certificate value or file into chain (initialised by the
 * caller), in the order given. Returns 0, or CERTSLOT_ERR_CERT with a
 * one-line reason in why; on error chain holds nothing new.
 */
int certslot_cert_decode(const unsigned char *data, size_t len, mbedtls_x509_crt *chain, char *why,
                         size_t why_size);

/** Room certslot_cert_pem_der needs at most for len bytes of text. */
#define CERTSLOT_CERT_PEM_DER_ROOM(len) ((len) / 4 * 3 + 3)

/**
 * A certificate value made of PEM certificate blocks only, as the DER the
 * store keeps: blocks "-----BEGIN CERTIFICATE-----", base64 (whitespace
 * anywhere, padding optional), "-----END CERTIFICATE-----", whitespace
 * around them, each block one DER element. Writes their DER, back to back,
 * to der (room bytes) and returns its length; 0 when the text is anything
 * else (certslot_cert_decode reads the other forms) or it does not fit, and
 * then der's content is undefined. der NULL: only measures. One pass; only
 * for certificates: the decoding is fast, not constant-time.
 */
size_t certslot_cert_pem_der(const unsigned char *pem, size_t len, unsigned char *der, size_t room);

/**
 * Decodes an unencrypted private key (PEM with header, or DER) into pk
 * (initialised by the caller). CERTSLOT_ERR_KEY with a reason in why; an
 * encrypted key is refused with a reason that says so.
 */
int certslot_key_decode(const unsigned char *data, size_t len, mbedtls_pk_context *pk, char *why, size_t why_size);

/**
 * Parses one DER certificate onto chain as mbedtls_x509_crt_parse_der does,
 * but past extensions mbedTLS does not know, critical ones included:
 * certslot_cert_extensions applies the rule for those. Every certificate
 * certslot parses goes through it; linked with
 * -Wl,--wrap=mbedtls_x509_crt_parse_der, so do the peer's certificates in a
 * handshake (README, "Dependencies").
 */
int certslot_cert_parse_der(mbedtls_x509_crt *chain, const unsigned char *der, size_t len);

/**
 * certslot_cert_parse_der's refusal of a certificate whose RSA public
 * exponent is longer than CERTSLOT_CERT_MAX_RSA_E_BITS (chain left as it
 * was). mbedTLS accepts any exponent below the modulus, and checking a
 * signature with a key of an 8,000-bit exponent costs what a private-key
 * operation does, each time (README, "Verification", has the figures): a
 * server's chain of such CAs would make each of mbedTLS's dozens of
 * signature checks in one handshake that costly. 33 bits is BoringSSL's bound (2^32 + 1 is in
 * use); keys are made with 65537. A PK error of mbedTLS with an unused
 * low-level part (0x007E), so mbedtls_strerror still says "PK - ...".
 */
#define CERTSLOT_CERT_ERR_RSA_EXPONENT (MBEDTLS_ERR_PK_INVALID_PUBKEY - 0x007E)
/** The longest RSA public exponent certslot_cert_parse_der accepts, in bits. */
#define CERTSLOT_CERT_MAX_RSA_E_BITS 33

/** What certslot reads from a certificate's extensions itself. */
typedef struct {
    const unsigned char *nc; /**< the nameConstraints value (DER), or NULL */
    size_t nc_len;   /**< its length */
    int nc_critical; /**< 1: nameConstraints is critical */
    int san_critical; /**< a subjectAltName that is critical */
} certslot_cert_ext_t;

/**
 * Reads crt's extensions from its DER into out: 0, or CERTSLOT_ERR_CERT with
 * the reason (naming the certificate as who) when one appears twice or a
 * critical one is processed neither by mbedTLS (basicConstraints, keyUsage,
 * extendedKeyUsage, subjectAltName, certificatePolicies, the key
 * identifiers, nsCertType) nor by certslot (nameConstraints).
 */
int certslot_cert_extensions(const mbedtls_x509_crt *crt, const char *who, certslot_cert_ext_t *out, char *why,
                             size_t why_size);

/** 1 when crt's subject and issuer are the same name (RFC 5280: self-issued). */
int certslot_cert_self_issued(const mbedtls_x509_crt *crt);

/** 0 when pk is the private key of crt's public key, else CERTSLOT_ERR_KEY. */
int certslot_key_matches(const mbedtls_x509_crt *crt, mbedtls_pk_context *pk);

/**
 * The security policy (seed 002): RSA keys of 2048 to 4096 bits, EC keys on
 * P-256 or P-384, signatures with SHA-256 or stronger; the hash of a
 * self-signature is not judged (a trust anchor's self-signature is never
 * checked, so it says nothing about a path's security). Returns 0 when crt
 * meets it; otherwise CERTSLOT_ERR_POLICY with the reason in why — unless
 * allow_weak, when it returns 0, sets *relaxed to 1 and still fills why, so
 * the caller can log the relaxation.
 */
int certslot_policy_check(const mbedtls_x509_crt *crt, int allow_weak, int *relaxed, char *why, size_t why_size);

/** A CN as shown: escaped (certslot/text.h), cut to fit, NUL-terminated. */
#define CERTSLOT_CERT_CN_SIZE 129

/** What `certslot store list` and a handset UI show of a certificate. */
typedef struct {
    char subject_cn[CERTSLOT_CERT_CN_SIZE]; /**< the subject's CN, as shown */
    char issuer_cn[CERTSLOT_CERT_CN_SIZE];  /**< the issuer's CN, as shown */
    int64_t not_before;            /**< start of validity: seconds since 1970, UTC */
    int64_t not_after;             /**< end of validity: seconds since 1970, UTC */
    char key_type[8];              /**< "RSA", "EC" or "other" */
    unsigned key_bits;             /**< the key's size in bits */
    unsigned char sha256[32];      /**< fingerprint of the DER */
} certslot_cert_info_t;

/** Fills info from crt: 0, or CERTSLOT_ERR_CRYPTO when its fingerprint cannot be computed. */
int certslot_cert_info(const mbedtls_x509_crt *crt, certslot_cert_info_t *info);

/** The last common name of name (a subject or issuer), escaped as certslot_text_escape does; "" when none. */
void certslot_cert_cn(const mbedtls_x509_name *name, char *out, size_t size);

/** Seconds since 1970 of an mbedTLS time (UTC). */
int64_t certslot_time_from_x509(const mbedtls_x509_time *t);

/** t as "YYYY-MM-DDTHH:MM:SSZ" (UTC); 64 bytes always suffice. */
void certslot_time_iso8601(int64_t t, char *buf, size_t size);

#endif
