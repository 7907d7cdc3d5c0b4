/**
 * @file
 * Cipher lists in OpenSSL syntax ("ALL:!aNULL:!eNULL:!MD5:!RC4:@STRENGTH"),
 * mapped onto the TLS library's cipher suites (those for TLS 1.2 and older).
 *
 * Syntax and semantics are OpenSSL 3's ciphers(1): elements separated by ':'
 * (also ',' or ' '); an element is a suite name (OpenSSL or IANA/mbedTLS
 * spelling: "ECDHE-RSA-AES128-GCM-SHA256", "TLS-ECDHE-RSA-WITH-AES-128-GCM-
 * SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256") or a category (ALL,
 * COMPLEMENTOFALL, COMPLEMENTOFDEFAULT, HIGH, MEDIUM, LOW, NULL, eNULL,
 * aNULL, kRSA, RSA, aRSA, kECDHE, ECDHE, EECDH, AECDH, ECDH, kDHE, DHE, EDH,
 * ADH, aECDSA, ECDSA, PSK, kPSK, aPSK, AES, AES128, AES256, AESGCM, AESCCM,
 * AESCCM8, CHACHA20, CAMELLIA, ARIA, 3DES, DES, RC4, MD5, SHA1, SHA, SHA256,
 * SHA384, TLSv1.2, TLSv1, SSLv3, ...), and categories joined by '+' must all
 * hold. A plain element appends the suites it names that are not yet listed;
 * '-' removes them (they may come back); '!' removes them for good; '+'
 * moves listed ones to the end; "@STRENGTH" sorts by cipher key length,
 * strongest first (stable); "@SECLEVEL=n" is accepted and ignored. DEFAULT
 * as the first element stands for "ALL:!COMPLEMENTOFDEFAULT:!eNULL" and
 * elsewhere names nothing. Names are case-sensitive; unknown names match
 * nothing (as in OpenSSL). Suites OpenSSL lacks get categories by the same
 * rules (static ECDH: kECDH, aECDH, in ECDH; ECJPAKE: not in DEFAULT).
 */
#ifndef CERTSLOT_CIPHERS_H
#define CERTSLOT_CIPHERS_H

#include <stddef.h>

/**
 * Writes the mbedTLS suite ids the list selects, in preference order, to
 * ids (at most max - 1 of them, then a 0 terminator, as
 * mbedtls_ssl_conf_ciphersuites wants). Returns the number written (> 0):
 * a list that selects more than max - 1 suites is not an error, the most
 * preferred ones are kept. Fails, writing nothing to ids, with
 * CERTSLOT_ERR_VALUE and a one-line reason in why (may be NULL) when the
 * list has a syntax error (a character outside [A-Za-z0-9._=-] and the
 * separators, a prefix or '+' not followed by a name, an unknown
 * "@command") or selects no suite at all ("a list that leaves no suite is a
 * value error, not an empty list"); CERTSLOT_ERR_ARG when list or ids is
 * NULL or max < 2. Allocates nothing.
 */
int certslot_ciphers_map(const char *list, int *ids, size_t max, char *why, size_t why_size);

/**
 * The TLS 1.3 suites of list, OpenSSL's -ciphersuites syntax: suite names
 * (TLS_AES_128_GCM_SHA256, TLS_AES_256_GCM_SHA384,
 * TLS_CHACHA20_POLY1305_SHA256, TLS_AES_128_CCM_SHA256,
 * TLS_AES_128_CCM_8_SHA256) separated by ':', in preference order,
 * case-sensitive; a name the TLS library lacks, or does not know, selects
 * nothing (as in OpenSSL). An empty list stands for every TLS 1.3 suite
 * the library has, in its order. Writes ids as certslot_ciphers_map does
 * and returns their number (> 0); CERTSLOT_ERR_VALUE with a reason when the
 * list selects none, CERTSLOT_ERR_ARG as above.
 */
int certslot_ciphers_map13(const char *list, int *ids, size_t max, char *why, size_t why_size);

#endif
