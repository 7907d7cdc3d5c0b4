/*
 * PKCS#12 (.pfx / .p12) reader: the private key and certificates of a file
 * made by `openssl pkcs12 -export` (or a similar tool), for the host tool's
 * `pfx split` (tool code: a handset receives keys as PEM in its config).
 *
 * Supported: password integrity mode (the PKCS#12 MAC, key derived with the
 * PKCS#12 KDF over SHA-1 or SHA-2, as OpenSSL 1.x and 3.x write it, and no
 * MAC at all), data and encryptedData contents, keyBag,
 * pkcs8ShroudedKeyBag and certBag (X.509). Encryption: PBES2 (PBKDF2 with
 * HMAC-SHA-1/SHA-2, AES-128/192/256-CBC or DES-EDE3-CBC: OpenSSL 3's
 * default) and the PKCS#12 PBEs with SHA-1 and 3-key or 2-key triple DES,
 * and 40- or 128-bit RC2-CBC (OpenSSL's -legacy). Anything else (RC4,
 * public-key integrity or privacy modes, PBMAC1, nested SafeContents) is
 * refused with a reason naming it.
 *
 * Invariants: the input is untrusted. The walk is iterative over a fixed
 * structure (no recursion), every length is checked against its enclosing
 * element, and everything is bounded by the compile-time limits below. On
 * error the result holds nothing. Decrypted key material is wiped when
 * freed.
 */
#ifndef CERTSLOT_PKCS12_H
#define CERTSLOT_PKCS12_H

#include <stddef.h>

#ifndef CERTSLOT_PKCS12_MAX_INPUT
#define CERTSLOT_PKCS12_MAX_INPUT (256u * 1024u) /* bytes of one .pfx */
#endif
#ifndef CERTSLOT_PKCS12_MAX_CERTS
#define CERTSLOT_PKCS12_MAX_CERTS 16 /* certificates in one .pfx */
#endif
#ifndef CERTSLOT_PKCS12_MAX_BAGS
#define CERTSLOT_PKCS12_MAX_BAGS 64 /* contents + bags of every kind, in total */
#endif
#ifndef CERTSLOT_PKCS12_MAX_ITERATIONS
#define CERTSLOT_PKCS12_MAX_ITERATIONS 1000000 /* of one key derivation */
#endif
#define CERTSLOT_PKCS12_MAX_PASSWORD 128 /* bytes (UTF-8) */

typedef struct {
    unsigned char *key; /* the private key as unencrypted PKCS#8 DER; NULL when the file has none */
    size_t key_len;
    unsigned ncerts; /* certificates (DER), in file order */
    unsigned char *cert[CERTSLOT_PKCS12_MAX_CERTS];
    size_t cert_len[CERTSLOT_PKCS12_MAX_CERTS];
    int key_cert; /* index of the certificate whose public key is the key's, or -1 */
} certslot_pkcs12_t;

void certslot_pkcs12_init(certslot_pkcs12_t *p12);
/* Wipes the key and releases everything; accepts a zeroed or freed object. */
void certslot_pkcs12_free(certslot_pkcs12_t *p12);

/*
 * Reads a DER PKCS#12 file with password (UTF-8, NUL-terminated; "" for
 * none) into p12 (initialised by the caller). Returns 0;
 * CERTSLOT_ERR_PASSWORD when the MAC or a decryption fails (wrong password,
 * or a damaged file); CERTSLOT_ERR_UNSUPPORTED for an algorithm or mode this
 * reader does not implement; CERTSLOT_ERR_CORRUPT for malformed input;
 * CERTSLOT_ERR_LIMIT past a limit above; CERTSLOT_ERR_KEY when the file
 * holds more than one key or a key that does not parse; CERTSLOT_ERR_NOMEM.
 * why gets a one-line reason (never a secret).
 */
int certslot_pkcs12_parse(certslot_pkcs12_t *p12, const unsigned char *der, size_t len, const char *password,
                          char *why, size_t why_size);

#endif
