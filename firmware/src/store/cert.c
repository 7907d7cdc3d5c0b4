/*
 * Certificate and key decoding, the key-size/hash policy, descriptions.
 */
#include "certslot/cert.h"

#include <stdio.h>
#include <string.h>

#include <mbedtls/asn1.h>
#include <mbedtls/ecp.h>
#include <mbedtls/entropy.h>
#include <mbedtls/error.h>
#include <mbedtls/md.h>
#include <mbedtls/oid.h>
#include <mbedtls/psa_util.h>
#include <mbedtls/rsa.h>
#include <mbedtls/sha256.h>
#include <mbedtls/version.h>

#include "certslot/error.h"
#include "certslot/platform.h"
#include "certslot/text.h"
#include "core/internal.h"

static int cs_mbedtls_rng(void *ctx, unsigned char *out, size_t len);
#define X509_SIG_MD(c) ((c)->MBEDTLS_PRIVATE(sig_md))
#define ECP_GROUP_ID(ec) ((ec)->MBEDTLS_PRIVATE(grp).id)
#define PK_PARSE_KEY(pk, d, n) mbedtls_pk_parse_key((pk), (d), (n), NULL, 0, cs_mbedtls_rng, NULL)
#define PK_CHECK_PAIR(pub, prv) mbedtls_pk_check_pair((pub), (prv), cs_mbedtls_rng, NULL)

#define MAX_DEPTH 2 /* base64 of PEM holds PEM: decode at most twice */

static int is_ws(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static const unsigned char *find(const unsigned char *p, const unsigned char *end, const char *needle)
{
    size_t n = strlen(needle);

    for (; p + n <= end; p++)
        if (memcmp(p, needle, n) == 0)
            return p;
    return NULL;
}

/*
 * The value of a base64 digit, or -1; without a branch on c, as keys are
 * decoded here too. ((lo - x) & (x - hi)) >> 8 is all ones exactly when
 * lo < x < hi (x is 0..255); each range adds its offset only then.
 */
static int b64_value(unsigned char c)
{
    int x = c, v = -1;

    v += (((64 - x) & (x - 91)) >> 8) & (x - 64);  /* A-Z: 0..25 */
    v += (((96 - x) & (x - 123)) >> 8) & (x - 70); /* a-z: 26..51 */
    v += (((47 - x) & (x - 58)) >> 8) & (x + 5);   /* 0-9: 52..61 */
    v += (((42 - x) & (x - 44)) >> 8) & 63;        /* +: 62 */
    v += (((46 - x) & (x - 48)) >> 8) & 64;        /* /: 63 */
    return v;
}

/*
 * Base64, any whitespace ignored, into a new buffer. Only where whitespace
 * and padding are depends on branches, a digit's value does not (keys are
 * decoded here too). Padding is optional; '=' only at the end, at most two,
 * none after one digit of a group. Returns 0, or CERTSLOT_ERR_CERT when the
 * text is not base64.
 */
static int b64_decode(const unsigned char *p, size_t len, unsigned char **out, size_t *out_len)
{
    unsigned char *bin = certslot_calloc(1, len / 4 * 3 + 3);
    size_t olen = 0;
    unsigned acc = 0, digits = 0, pad = 0;

    if (bin == NULL)
        return CERTSLOT_ERR_NOMEM;
    for (size_t i = 0; i < len; i++) {
        int v = b64_value(p[i]);
        if (v < 0 && is_ws(p[i]))
            continue;
        if (v < 0 && p[i] == '=' && digits % 4 >= 2 && pad < 2) {
            pad++;
            continue;
        }
        if (v < 0 || pad > 0)
            goto bad;
        acc = acc << 6 | (unsigned)v;
        if (++digits % 4 == 0) {
            bin[olen++] = (unsigned char)(acc >> 16);
            bin[olen++] = (unsigned char)(acc >> 8);
            bin[olen++] = (unsigned char)acc;
            acc = 0;
        }
    }
    switch (digits % 4) { /* the last group's bytes */
    case 1:
        goto bad;
    case 2:
        if (pad == 1)
            goto bad;
        bin[olen++] = (unsigned char)(acc >> 4);
        break;
    case 3:
        if (pad == 2)
            goto bad;
        bin[olen++] = (unsigned char)(acc >> 10);
        bin[olen++] = (unsigned char)(acc >> 2);
        break;
    default:
        if (pad > 0)
            goto bad;
    }
    if (olen == 0)
        goto bad;
    *out = bin;
    *out_len = olen;
    return 0;
bad:
    certslot_zeroize(bin, olen);
    certslot_free(bin);
    return CERTSLOT_ERR_CERT;
}

/* Length of the DER element at p (tag, length, contents), or 0 when malformed. */
static size_t der_element_len(const unsigned char *p, size_t avail)
{
    size_t hdr = 2, len;

    if (avail < 2 || p[0] != 0x30)
        return 0;
    if (p[1] < 0x80) {
        len = p[1];
    } else {
        size_t nbytes = p[1] & 0x7f;
        if (nbytes == 0 || nbytes > 4 || avail < 2 + nbytes)
            return 0;
        len = 0;
        for (size_t i = 0; i < nbytes; i++)
            len = (len << 8) | p[2 + i];
        hdr += nbytes;
    }
    return len <= avail - hdr ? hdr + len : 0;
}

/* ---- PEM certificates as the config stage keeps them: DER ---- */

enum { B64_WS = 0x40, B64_PAD = 0x41, B64_BAD = 0x80 };

/* Each byte as a base64 digit (0..63), or what else it is. Certificates only: the lookup's address depends on
 * the byte, and a key's bytes are secret (b64_value). */
static const unsigned char b64_table[256] = {
#define X B64_BAD
#define W B64_WS
#define XX X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X
    X,  X,  X,  X,  X,  X,  X,  X,  X,  W,  W,  X,  X,  W,  X,  X,  /* \t \n \r */
    XX,
    W,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  62, X,  X,  X,  63, /* space + / */
    52, 53, 54, 55, 56, 57, 58, 59, 60, 61, X,  X,  X,  B64_PAD, X, X, /* 0-9 = */
    X,  0,  1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 12, 13, 14, /* A-O */
    15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, X,  X,  X,  X,  X,  /* P-Z */
    X,  26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, /* a-o */
    41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, X,  X,  X,  X,  X,  /* p-z */
    XX, XX, XX, XX, XX, XX, XX, XX,
#undef XX
#undef X
#undef W
};

/* The whole groups of four digits from *pp on, decoded into o (room for max groups; NULL: counted only); how
 * many. Few variables: they stay in registers. */
static size_t b64_groups(const unsigned char **pp, const unsigned char *end, unsigned char *o, size_t max)
{
    const unsigned char *p = *pp;
    size_t n = (size_t)(end - p) / 4, i = 0;

    n = n < max ? n : max;
    while (o == NULL && i < n && (b64_table[p[0]] | b64_table[p[1]] | b64_table[p[2]] | b64_table[p[3]]) < 64)
        i++, p += 4; /* measuring: a value's first time, a new room */
    for (; o != NULL && i < n; i++, p += 4, o += 3) {
        unsigned a = b64_table[p[0]], b = b64_table[p[1]], c = b64_table[p[2]], d = b64_table[p[3]];
        if ((a | b | c | d) >= 64)
            break;
        uint32_t g = a << 18 | b << 12 | c << 6 | d;
        o[0] = (unsigned char)(g >> 16);
        o[1] = (unsigned char)(g >> 8);
        o[2] = (unsigned char)g;
    }
    *pp = p;
    return i;
}

/* One PEM body, from *pp up to the '-' of its END line, into der (room bytes; NULL: measured only): its length,
 * or 0 when it is not base64 or does not fit. */
static size_t pem_body(const unsigned char **pp, const unsigned char *end, unsigned char *der, size_t room)
{
    const unsigned char *p = *pp, *body = p;
/* At a space: "END CERTIFICATE" around it, where certslot_cert_decode's reader ends the block. */
#define END_WORDS(p) (*(p) == ' ' && (p) - body >= 3 && end - (p) >= 12 && memcmp((p) - 3, "END CERTIFICATE", 15) == 0)
    size_t n = 0;
    uint32_t acc = 0;
    unsigned digits = 0, pad = 0; /* of the group begun */

    for (;; p++) {
        /* Whole groups of four digits, line after line: most of a body. */
        while (digits == 0 && pad == 0) {
            n += 3 * b64_groups(&p, end, der != NULL ? der + n : NULL, (room - n) / 3);
            if (p == end || b64_table[*p] != B64_WS)
                break;
            if (END_WORDS(p))
                return 0;
            p++;
        }
        /* One byte at a time: a group broken by whitespace, padding, the end. */
        unsigned v = p < end ? b64_table[*p] : B64_BAD;
        if (v < 64 && pad == 0) {
            acc = acc << 6 | v;
            if (++digits < 4)
                continue;
            digits = 0;
        } else if (v == B64_PAD && digits >= 2 && pad < 2) {
            pad++;
            continue;
        } else if (v == B64_WS && !END_WORDS(p)) {
            continue;
        } else {
            break; /* the END line's '-', or not base64 */
        }
        if (room - n < 3) /* a group of four, whole */
            return 0;
        for (unsigned i = 0; i < 3; i++, n++)
            if (der != NULL)
                der[n] = (unsigned char)(acc >> (16 - 8 * i));
        acc = 0;
    }
    /* The last group: 2 digits give 1 byte, 3 give 2; padding, when there is some, completes it. */
    if (digits == 1 || (digits == 0 && pad > 0) || (digits == 2 && pad == 1) || (digits == 3 && pad == 2) ||
        (digits > 1 && room - n < digits - 1))
        return 0;
    acc <<= 6 * (4 - digits);
    for (unsigned i = 0; i + 1 < digits; i++, n++)
        if (der != NULL)
            der[n] = (unsigned char)(acc >> (16 - 8 * i));
    *pp = p;
    return n;
#undef END_WORDS
}

/* The first six bytes of a base64 body that holds at least eight digits (whitespace between them skipped). */
static void b64_head(const unsigned char *p, unsigned char hdr[6])
{
    uint64_t acc = 0;

    for (unsigned digits = 0; digits < 8; p++)
        if (b64_table[*p] < 64)
            acc = acc << 6 | b64_table[*p], digits++;
    for (unsigned i = 0; i < 6; i++)
        hdr[i] = (unsigned char)(acc >> (40 - 8 * i));
}

size_t certslot_cert_pem_der(const unsigned char *pem, size_t len, unsigned char *der, size_t room)
{
    static const char head[] = "-----BEGIN CERTIFICATE-----", tail[] = "-----END CERTIFICATE-----";
    const unsigned char *p = pem, *end = pem + len;
    size_t total = 0;

    if (der == NULL)
        room = SIZE_MAX;
    for (;;) {
        while (p < end && is_ws(*p))
            p++;
        if (p == end)
            return total;
        if ((size_t)(end - p) < sizeof(head) - 1 || memcmp(p, head, sizeof(head) - 1) != 0)
            return 0;
        p += sizeof(head) - 1;
        const unsigned char *body = p;
        unsigned char hdr[6];
        size_t n = pem_body(&p, end, der != NULL ? der + total : NULL, room - total);
        if (n < sizeof(hdr))
            return 0; /* fewer than six bytes: no certificate */
        if (der == NULL)
            b64_head(body, hdr);
        if (der_element_len(der != NULL ? der + total : hdr, n) != n || (size_t)(end - p) < sizeof(tail) - 1 ||
            memcmp(p, tail, sizeof(tail) - 1) != 0)
            return 0;
        p += sizeof(tail) - 1;
        total += n;
    }
}

/* Key algorithms mbedTLS 3.6 cannot use, by the DER of their OID (RFC 4055, RFC 8410, RFC 3279). */
static const struct {
    const char *oid;
    size_t len;
    const char *name;
} unusable[] = {
    {"\x2a\x86\x48\x86\xf7\x0d\x01\x01\x0a", 9, "an RSASSA-PSS key (id-RSASSA-PSS)"},
    {"\x2b\x65\x70", 3, "an Ed25519 key"},
    {"\x2b\x65\x71", 3, "an Ed448 key"},
    {"\x2b\x65\x6e", 3, "an X25519 key"},
    {"\x2b\x65\x6f", 3, "an X448 key"},
    {"\x2a\x86\x48\xce\x38\x04\x01", 7, "a DSA key"},
};

/* The subjectPublicKeyInfo algorithm of a DER certificate mbedTLS refused, when it is one it cannot use. */
static const char *unusable_key(const unsigned char *der, size_t len)
{
    unsigned char *p = (unsigned char *)der, *end = p + len;
    size_t n;

    if (mbedtls_asn1_get_tag(&p, end, &n, MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE) != 0 ||
        mbedtls_asn1_get_tag(&p, end, &n, MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE) != 0)
        return NULL;
    end = p + n; /* tbsCertificate */
    if (mbedtls_asn1_get_tag(&p, end, &n, MBEDTLS_ASN1_CONTEXT_SPECIFIC | MBEDTLS_ASN1_CONSTRUCTED | 0) == 0)
        p += n; /* version */
    /* serialNumber, signature, issuer, validity, subject */
    static const int skip[] = {MBEDTLS_ASN1_INTEGER, MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE,
                               MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE,
                               MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE,
                               MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE};
    for (size_t i = 0; i < sizeof(skip) / sizeof(skip[0]); i++) {
        if (mbedtls_asn1_get_tag(&p, end, &n, skip[i]) != 0)
            return NULL;
        p += n;
    }
    mbedtls_asn1_buf oid;
    mbedtls_asn1_buf params;
    if (mbedtls_asn1_get_tag(&p, end, &n, MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE) != 0 ||
        mbedtls_asn1_get_alg(&p, p + n, &oid, &params) != 0)
        return NULL;
    for (size_t i = 0; i < sizeof(unusable) / sizeof(unusable[0]); i++)
        if (oid.len == unusable[i].len && memcmp(oid.p, unusable[i].oid, oid.len) == 0)
            return unusable[i].name;
    return NULL;
}

static int add_der(mbedtls_x509_crt *chain, const unsigned char *der, size_t len, unsigned index, char *why,
                   size_t why_size)
{
    int raw = certslot_cert_parse_der(chain, der, len), ret = cs_mbed(raw, CERTSLOT_ERR_CERT);
    const char *key = ret == CERTSLOT_ERR_CERT ? unusable_key(der, len) : NULL;

    if (key != NULL)
        snprintf(why, why_size, "certificate %u has %s, which the TLS library (mbedTLS 3.6) cannot use: only RSA "
                 "and EC keys", index, key);
    else if (raw == CERTSLOT_CERT_ERR_RSA_EXPONENT)
        snprintf(why, why_size, "certificate %u has an RSA public exponent longer than %d bits (each signature check "
                 "would cost a private-key operation)", index,
                 CERTSLOT_CERT_MAX_RSA_E_BITS);
    else if (ret == CERTSLOT_ERR_CERT) {
        char reason[120];
        mbedtls_strerror(raw, reason, sizeof(reason));
        snprintf(why, why_size, "certificate %u is not a valid X.509 certificate (%s)", index, reason);
    }
    return ret;
}

/* DER certificates back to back. */
static int decode_der(const unsigned char *p, size_t len, mbedtls_x509_crt *chain, unsigned *count, char *why,
                      size_t why_size)
{
    while (len > 0) {
        size_t n = der_element_len(p, len);
        if (n == 0) {
            snprintf(why, why_size, "certificate %u is not valid DER", *count + 1);
            return CERTSLOT_ERR_CERT;
        }
        int ret = add_der(chain, p, n, ++*count, why, why_size);
        if (ret != 0)
            return ret;
        p += n;
        len -= n;
    }
    return 0;
}

static int decode_text(const unsigned char *p, size_t len, mbedtls_x509_crt *chain, unsigned *count, int depth,
                       char *why, size_t why_size);

/* PEM blocks "BEGIN CERTIFICATE ... END CERTIFICATE", however the dashes and breaks came through. */
static int decode_pem(const unsigned char *p, const unsigned char *end, mbedtls_x509_crt *chain, unsigned *count,
                      char *why, size_t why_size)
{
    const unsigned char *begin;

    while ((begin = find(p, end, "BEGIN CERTIFICATE")) != NULL) {
        const unsigned char *body = begin + strlen("BEGIN CERTIFICATE"), *stop;
        unsigned char *der = NULL;
        size_t der_len = 0;
        while (body < end && *body == '-')
            body++;
        stop = find(body, end, "END CERTIFICATE");
        if (stop == NULL) {
            snprintf(why, why_size, "PEM block %u has no END CERTIFICATE line", *count + 1);
            return CERTSLOT_ERR_CERT;
        }
        p = stop + strlen("END CERTIFICATE");
        while (stop > body && stop[-1] == '-')
            stop--;
        int ret = b64_decode(body, (size_t)(stop - body), &der, &der_len);
        if (ret == 0) {
            size_t n = der_element_len(der, der_len);
            ret = n == der_len ? add_der(chain, der, der_len, *count + 1, why, why_size) : CERTSLOT_ERR_CERT;
            if (ret == CERTSLOT_ERR_CERT && n != der_len)
                snprintf(why, why_size, "PEM block %u does not hold one DER certificate", *count + 1);
            (*count)++;
        } else if (ret == CERTSLOT_ERR_CERT) {
            snprintf(why, why_size, "PEM block %u is not base64", *count + 1);
        }
        certslot_free(der);
        if (ret != 0)
            return ret;
    }
    if (*count == 0) {
        snprintf(why, why_size, "no BEGIN CERTIFICATE block");
        return CERTSLOT_ERR_CERT;
    }
    return 0;
}

static int decode_text(const unsigned char *p, size_t len, mbedtls_x509_crt *chain, unsigned *count, int depth,
                       char *why, size_t why_size)
{
    const unsigned char *end = p + len;
    unsigned char *bin = NULL;
    size_t bin_len = 0;
    int ret;

    if (find(p, end, "-----BEGIN") != NULL || find(p, end, "BEGIN CERTIFICATE") != NULL)
        return decode_pem(p, end, chain, count, why, why_size);
    ret = b64_decode(p, len, &bin, &bin_len);
    if (ret == CERTSLOT_ERR_CERT) {
        snprintf(why, why_size, "neither PEM nor base64 nor DER");
        return ret;
    }
    if (ret != 0)
        return ret;
    if (bin[0] == 0x30)
        ret = decode_der(bin, bin_len, chain, count, why, why_size);
    else if (depth < MAX_DEPTH && find(bin, bin + bin_len, "-----BEGIN") != NULL)
        ret = decode_text(bin, bin_len, chain, count, depth + 1, why, why_size);
    else {
        snprintf(why, why_size, "base64 that decodes to neither DER nor PEM");
        ret = CERTSLOT_ERR_CERT;
    }
    certslot_free(bin);
    return ret;
}

int certslot_cert_decode(const unsigned char *data, size_t len, mbedtls_x509_crt *chain, char *why, size_t why_size)
{
    mbedtls_x509_crt parsed;
    unsigned count = 0;
    int ret;

    if (data == NULL || len == 0) {
        snprintf(why, why_size, "empty");
        return CERTSLOT_ERR_CERT;
    }
    mbedtls_x509_crt_init(&parsed);
    /* Into an empty chain directly (dropped again on error); else beside it, until all of them parsed. */
    mbedtls_x509_crt *into = chain->version == 0 ? chain : &parsed;
    if (data[0] == 0x30 && der_element_len(data, len) > 0)
        ret = decode_der(data, len, into, &count, why, why_size);
    else
        ret = decode_text(data, len, into, &count, 0, why, why_size);
    if (ret != 0 && into == chain) {
        mbedtls_x509_crt_free(chain);
        mbedtls_x509_crt_init(chain);
    }
    if (ret == 0 && into == &parsed) {
        /* Move the certificates into chain only now that all of them parsed. */
        for (const mbedtls_x509_crt *c = &parsed; c != NULL && c->raw.len > 0; c = c->next) {
            ret = certslot_cert_parse_der(chain, c->raw.p, c->raw.len);
            if (ret != 0) {
                ret = CERTSLOT_ERR_NOMEM;
                break;
            }
        }
    }
    mbedtls_x509_crt_free(&parsed);
    return ret;
}

/* PEM private key: header kind, body to DER. */
static int key_pem_to_der(const unsigned char *p, size_t len, unsigned char **der, size_t *der_len, char *why,
                          size_t why_size)
{
    const unsigned char *end = p + len, *begin = find(p, end, "-----BEGIN "), *label, *body, *stop;

    if (begin == NULL) {
        snprintf(why, why_size, "no -----BEGIN ... PRIVATE KEY----- header");
        return CERTSLOT_ERR_KEY;
    }
    label = begin + strlen("-----BEGIN ");
    body = find(label, end, "-----");
    if (body == NULL) {
        snprintf(why, why_size, "broken PEM header");
        return CERTSLOT_ERR_KEY;
    }
    size_t label_len = (size_t)(body - label);
    if (find(label, body, "ENCRYPTED") != NULL || find(body, end, "Proc-Type:") != NULL ||
        find(body, end, "DEK-Info:") != NULL) {
        snprintf(why, why_size, "the private key is encrypted: remove its passphrase first (openssl pkey -in KEY)");
        return CERTSLOT_ERR_KEY;
    }
    static const char *const labels[] = {"RSA PRIVATE KEY", "PRIVATE KEY", "EC PRIVATE KEY"};
    int known = 0;
    for (size_t i = 0; i < 3; i++)
        known |= label_len == strlen(labels[i]) && memcmp(label, labels[i], label_len) == 0;
    if (!known) {
        snprintf(why, why_size, "'%.*s' is not a private key (expected RSA PRIVATE KEY, PRIVATE KEY or EC PRIVATE KEY)",
                 (int)(label_len > 40 ? 40 : label_len), (const char *)label);
        return CERTSLOT_ERR_KEY;
    }
    body += 5;
    stop = find(body, end, "-----END ");
    if (stop == NULL) {
        snprintf(why, why_size, "no -----END ... PRIVATE KEY----- line");
        return CERTSLOT_ERR_KEY;
    }
    int ret = b64_decode(body, (size_t)(stop - body), der, der_len);
    if (ret == CERTSLOT_ERR_CERT) {
        snprintf(why, why_size, "the key's PEM body is not base64");
        return CERTSLOT_ERR_KEY;
    }
    return ret;
}

int certslot_key_decode(const unsigned char *data, size_t len, mbedtls_pk_context *pk, char *why, size_t why_size)
{
    unsigned char *der = NULL;
    size_t der_len = 0;
    int ret;

    if (data == NULL || len == 0) {
        snprintf(why, why_size, "empty");
        return CERTSLOT_ERR_KEY;
    }
    if (data[0] == 0x30) {
        der = certslot_calloc(1, len);
        if (der == NULL)
            return CERTSLOT_ERR_NOMEM;
        memcpy(der, data, len);
        der_len = len;
    } else {
        ret = key_pem_to_der(data, len, &der, &der_len, why, why_size);
        if (ret != 0)
            return ret;
    }
    ret = PK_PARSE_KEY(pk, der, der_len);
    if (ret == MBEDTLS_ERR_PK_PASSWORD_REQUIRED) {
        snprintf(why, why_size, "the private key is encrypted: remove its passphrase first (openssl pkey -in KEY)");
        ret = CERTSLOT_ERR_KEY;
    } else if (ret != 0) {
        snprintf(why, why_size, "not a valid PKCS#1, PKCS#8 or SEC1 private key (mbedTLS error -0x%04x)",
                 (unsigned)-ret);
        ret = ret == MBEDTLS_ERR_PK_ALLOC_FAILED ? CERTSLOT_ERR_NOMEM : CERTSLOT_ERR_KEY;
    }
    certslot_zeroize(der, der_len);
    certslot_free(der);
    return ret;
}

/*
 * The blinding of a key parse's and a pair check's private-key operations:
 * PSA's generator, which TLS 1.3 starts anyway (seeded from the platform's
 * entropy). A fixed sequence, as before, would let the same key's operations
 * repeat the same blinded values, which is what blinding is there to stop.
 */
static int cs_mbedtls_rng(void *ctx, unsigned char *out, size_t len)
{
    (void)ctx;
    if (cs_tls_lib_start() != 0)
        return MBEDTLS_ERR_ENTROPY_SOURCE_FAILED;
    return mbedtls_psa_get_random(MBEDTLS_PSA_RANDOM_STATE, out, len);
}

int certslot_key_matches(const mbedtls_x509_crt *crt, mbedtls_pk_context *pk)
{
    return PK_CHECK_PAIR((mbedtls_pk_context *)&crt->pk, pk) == 0 ? 0 : CERTSLOT_ERR_KEY;
}

static const char *md_name(mbedtls_md_type_t md)
{
    switch (md) {
    case MBEDTLS_MD_MD5: return "MD5";
    case MBEDTLS_MD_SHA1: return "SHA-1";
    case MBEDTLS_MD_SHA224: return "SHA-224";
    case MBEDTLS_MD_SHA256: return "SHA-256";
    case MBEDTLS_MD_SHA384: return "SHA-384";
    case MBEDTLS_MD_SHA512: return "SHA-512";
    default: return "an unknown hash";
    }
}

/* Issued by its own subject and signed by its own key. */
static int self_signed(const mbedtls_x509_crt *crt)
{
    unsigned char hash[MBEDTLS_MD_MAX_SIZE];
    const mbedtls_md_info_t *md = mbedtls_md_info_from_type(X509_SIG_MD(crt));

    return crt->issuer_raw.len == crt->subject_raw.len &&
           memcmp(crt->issuer_raw.p, crt->subject_raw.p, crt->subject_raw.len) == 0 && md != NULL &&
           mbedtls_md(md, crt->tbs.p, crt->tbs.len, hash) == 0 &&
           mbedtls_pk_verify_ext(crt->MBEDTLS_PRIVATE(sig_pk), crt->MBEDTLS_PRIVATE(sig_opts),
                                 (mbedtls_pk_context *)&crt->pk, X509_SIG_MD(crt), hash, mbedtls_md_get_size(md),
                                 crt->MBEDTLS_PRIVATE(sig).p, crt->MBEDTLS_PRIVATE(sig).len) == 0;
}

int certslot_policy_check(const mbedtls_x509_crt *crt, int allow_weak, int *relaxed, char *why, size_t why_size)
{
    mbedtls_pk_type_t type = mbedtls_pk_get_type(&crt->pk);
    size_t bits = mbedtls_pk_get_bitlen(&crt->pk);
    mbedtls_md_type_t md = X509_SIG_MD(crt);
    int ok = 1;

    *relaxed = 0;
    if (type == MBEDTLS_PK_RSA || type == MBEDTLS_PK_RSASSA_PSS) {
        if (bits < 2048 || bits > 4096) {
            snprintf(why, why_size, "RSA key of %zu bits (allowed: 2048 to 4096)", bits);
            ok = 0;
        }
    } else if (type == MBEDTLS_PK_ECKEY || type == MBEDTLS_PK_ECDSA) {
        mbedtls_ecp_group_id gid = ECP_GROUP_ID(mbedtls_pk_ec(crt->pk));
        if (gid != MBEDTLS_ECP_DP_SECP256R1 && gid != MBEDTLS_ECP_DP_SECP384R1) {
            snprintf(why, why_size, "EC key on a %zu-bit curve other than P-256 and P-384", bits);
            ok = 0;
        }
    } else {
        snprintf(why, why_size, "key type %s (allowed: RSA, EC)", mbedtls_pk_get_name(&crt->pk));
        ok = 0;
    }
    /* A self-signature is never checked by a path (a trust anchor's is not part of it): its hash is no reason. */
    if (ok && md != MBEDTLS_MD_SHA256 && md != MBEDTLS_MD_SHA384 && md != MBEDTLS_MD_SHA512 && !self_signed(crt)) {
        snprintf(why, why_size, "signed with %s (SHA-256 or stronger required)", md_name(md));
        ok = 0;
    }
    if (ok)
        return 0;
    if (allow_weak) {
        *relaxed = 1;
        return 0;
    }
    return CERTSLOT_ERR_POLICY;
}

void certslot_cert_cn(const mbedtls_x509_name *name, char *out, size_t size)
{
    out[0] = '\0';
    for (; name != NULL; name = name->next) {
        if (MBEDTLS_OID_CMP(MBEDTLS_OID_AT_CN, &name->oid) != 0)
            continue;
        certslot_text_escape(out, size, (const char *)name->val.p, name->val.len);
    }
}

int64_t certslot_time_from_x509(const mbedtls_x509_time *t)
{
    /* Days from civil (Howard Hinnant's algorithm), valid for all Gregorian dates. */
    int64_t y = t->year, m = t->mon, d = t->day;
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    int64_t days = era * 146097 + doe - 719468;
    return days * 86400 + t->hour * 3600 + t->min * 60 + t->sec;
}

void certslot_time_iso8601(int64_t t, char *buf, size_t size)
{
    int64_t days = t / 86400, secs = t % 86400;
    if (secs < 0) {
        secs += 86400;
        days--;
    }
    /* Civil from days (Howard Hinnant's algorithm). */
    int64_t z = days + 719468, era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097, yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
    int64_t d = doy - (153 * mp + 2) / 5 + 1, m = mp + (mp < 10 ? 3 : -9), y = yoe + era * 400 + (m <= 2);
    snprintf(buf, size, "%04lld-%02lld-%02lldT%02lld:%02lld:%02lldZ", (long long)y, (long long)m, (long long)d,
             (long long)(secs / 3600), (long long)(secs / 60 % 60), (long long)(secs % 60));
}

int certslot_cert_info(const mbedtls_x509_crt *crt, certslot_cert_info_t *info)
{
    memset(info, 0, sizeof(*info));
    certslot_cert_cn(&crt->subject, info->subject_cn, sizeof(info->subject_cn));
    certslot_cert_cn(&crt->issuer, info->issuer_cn, sizeof(info->issuer_cn));
    info->not_before = certslot_time_from_x509(&crt->valid_from);
    info->not_after = certslot_time_from_x509(&crt->valid_to);
    mbedtls_pk_type_t type = mbedtls_pk_get_type(&crt->pk);
    snprintf(info->key_type, sizeof(info->key_type), "%s",
             type == MBEDTLS_PK_RSA ? "RSA" : type == MBEDTLS_PK_ECKEY || type == MBEDTLS_PK_ECDSA ? "EC" : "other");
    info->key_bits = (unsigned)mbedtls_pk_get_bitlen(&crt->pk);
    return mbedtls_sha256(crt->raw.p, crt->raw.len, info->sha256, 0) == 0 ? 0 : CERTSLOT_ERR_CRYPTO;
}
