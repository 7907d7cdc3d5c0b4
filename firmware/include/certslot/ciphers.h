/*
 * Cipher lists in OpenSSL syntax ("ALL:!aNULL:!eNULL:!MD5:!RC4:@STRENGTH"),
 * mapped onto the TLS library's cipher suites.
 *
 * Syntax, as OpenSSL's ciphers(1): elements separated by ':' (also ',' or
 * ' '); an element is a suite name (OpenSSL or IANA/mbedTLS spelling) or a
 * category (ALL, DEFAULT, COMPLEMENTOFDEFAULT, HIGH, MEDIUM, LOW, EXP,
 * EXPORT, NULL, eNULL, aNULL, kRSA, RSA, aRSA, kECDHE, ECDHE, EECDH, kDHE,
 * DHE, EDH, aECDSA, ECDSA, PSK, AES, AES128, AES256, AESGCM, AESCCM, CHACHA20,
 * CAMELLIA, ARIA, 3DES, DES, RC4, MD5, SHA1, SHA, SHA256, SHA384, TLSv1.2,
 * TLSv1, SSLv3, ...), and categories joined by '+' must all hold. A plain
 * element appends the suites it names that are not yet listed; '-' removes
 * them (they may come back); '!' removes them for good; '+' moves them to
 * the end; "@STRENGTH" sorts by cipher key length, strongest first
 * (stable). Unknown names match nothing (as in OpenSSL).
 */
#ifndef CERTSLOT_CIPHERS_H
#define CERTSLOT_CIPHERS_H

#include <stddef.h>

/*
 * Writes the mbedTLS suite ids the list selects, in preference order, to
 * ids (at most max - 1 of them, then a 0 terminator, as
 * mbedtls_ssl_conf_ciphersuites wants). Returns the number of suites (> 0),
 * or CERTSLOT_ERR_VALUE with a one-line reason in why when the list has a
 * syntax error or selects no suite at all ("a list that leaves no suite is
 * a value error, not an empty list").
 */
int certslot_ciphers_map(const char *list, int *ids, size_t max, char *why, size_t why_size);

#endif
