/**
 * @file
 * The strict name check (seeds 000, 001, 002): the configured server name,
 * exactly as the administrator typed it or DHCP gave it, against the
 * certificate by plain string comparison. No DNS lookup, forward or reverse.
 *
 * A name matches when it equals, ignoring ASCII case, the subject CN or a
 * subjectAltName entry: dNSName for a host name, iPAddress for a name that is
 * an IPv4 or IPv6 literal (an IP literal also matches a CN that is the same
 * text). One trailing dot on either side is ignored. No wildcard in a CN
 * ever matches. A dNSName "*.rest" matches a name with exactly one more
 * label, non-empty, on the left of "rest"; never a bare suffix ("*.com" or
 * "*.example.com" against "example.com"), never when rest has fewer than two
 * labels, never an IP literal; partial wildcards ("f*.example.com") never
 * match. An empty name, a name containing a NUL byte or a '*', and a CN or
 * dNSName containing a NUL byte never match.
 *
 * Where the rules above leave room:
 * - Only the first certificate of crt (the server's own) is looked at.
 * - Of several CN attributes, any may match. A CN counts only as a
 *   UTF8String, PrintableString, IA5String or TeletexString; a BMPString or
 *   UniversalString CN holds no text comparable to the name and never
 *   matches.
 * - An IP literal matches an iPAddress entry of its own family, byte for
 *   byte: an IPv4 literal only a 4-byte entry, an IPv6 literal (also
 *   "::ffff:127.0.0.1") only a 16-byte entry. It never matches a dNSName,
 *   and neither does a name that is an IP literal once its trailing dot is
 *   dropped ("127.0.0.1." is a host name that no dNSName matches). A CN
 *   holding an address matches only the same text ("::1" is not "0::1").
 * - Malformed literals ("1.2.3", "01.2.3.4", "[::1]", "fe80::1%eth0") are
 *   host names: they match a dNSName or CN of the same text only.
 */
#ifndef CERTSLOT_NAME_H
#define CERTSLOT_NAME_H

#include <stddef.h>

#include <mbedtls/x509_crt.h>

/**
 * 0 when name (len bytes; may contain NUL bytes, which never match) matches
 * crt; CERTSLOT_ERR_NAME otherwise, with a one-line reason in why naming
 * what the certificate holds (CN and SAN entries, abbreviated).
 * CERTSLOT_ERR_ARG when crt is NULL, or name is NULL with len > 0.
 * The reason is printable ASCII (other bytes shown as '?'), cut to
 * why_size with "..." at the cut, and empty on a match; why may be NULL
 * when why_size is 0.
 */
int certslot_name_check(const mbedtls_x509_crt *crt, const char *name, size_t len, char *why, size_t why_size);

/**
 * 1 when text (len bytes) is an IPv4 dotted-quad or an IPv6 literal (RFC
 * 4291 text forms, with "::" and an optional embedded IPv4 tail; no zone,
 * no brackets), with the address written to addr (4 or 16 bytes) and its
 * size to *addr_len; else 0.
 */
int certslot_ip_parse(const char *text, size_t len, unsigned char addr[16], size_t *addr_len);

#endif
