/*
 * The parameter registry's value checks: what the parser accepts for each
 * type (certslot/param.h), and the enum values by number.
 */
#include "certslot/param.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "certslot/cfgcrypt.h"
#include "certslot/error.h"
#include "certslot/platform.h"
#include "certslot/url.h"
#include "config/param_internal.h"
#include "core/internal.h"

size_t certslot_param_enum_name(certslot_param_t p, int num, const char **name)
{
    const char *s = cs_family_values(certslot_param_family(p, NULL, NULL));

    for (int k = 0; s != NULL; k++) {
        const char *bar = strchr(s, '|');
        size_t n = bar != NULL ? (size_t)(bar - s) : strlen(s);
        if (k == num) {
            *name = s;
            return n;
        }
        s = bar != NULL ? bar + 1 : NULL;
    }
    *name = "";
    return 0;
}

/*
 * Which of the values v ("A|B|C") t is, case ignored: its number, and where
 * its canonical spelling is. Each value is compared only when its length,
 * last and first characters agree (values often differ only at the end).
 */
static int check_enum(certslot_type_t type, const char *v, const char *t, size_t len, int *num, const char **canon)
{
    int k = 0;
    char first = len > 0 ? cs_lower(t[0]) : 0, last = len > 0 ? cs_lower(t[len - 1]) : 0;

    for (; v != NULL; k++) {
        const char *bar = strchr(v, '|');
        size_t n = bar != NULL ? (size_t)(bar - v) : strlen(v);
        if (n == len && n > 0 && cs_lower(v[n - 1]) == last && cs_lower(v[0]) == first && cs_ncase_equal(v, t, n)) {
            *num = k;
            *canon = v;
            return 0;
        }
        v = bar != NULL ? bar + 1 : NULL;
    }
    /* k is now the number of values. */
    if (type == CERTSLOT_TYPE_INDEX && len == 1 && t[0] >= '0' && t[0] - '0' < k) {
        *num = t[0] - '0';
        *canon = t;
        return 0;
    }
    return CERTSLOT_ERR_VALUE;
}

/*
 * The bytes a value may hold, one lookup per byte: CERT_BYTE for a
 * certificate (base64 A-Z a-z 0-9 + / =, '-' of PEM lines, whitespace),
 * KEY_BYTE for a PEM key (printable ASCII, whitespace). Bytes 128..255: none.
 */
enum { CERT_BYTE = 1, KEY_BYTE = 2 };
static const uint8_t value_bytes[256] = {
    0, 0, 0, 0, 0, 0, 0, 0, 0, 3, 3, 0, 0, 3, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    3, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 3, 2, 3, 2, 3,
    3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 2, 2, 2, 3, 2, 2,
    2, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3,
    3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 2, 2, 2, 2, 2,
    2, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3,
    3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 2, 2, 2, 2, 0,
};

/* Cipher list: ':', ',' or ' ' separated tokens of [A-Za-z0-9_.=+!@-]. */
/* A TLS 1.3 suite list: names of letters, digits and '_', separated by ':' (OpenSSL's -ciphersuites), or NoCipher. */
static int check_suites13(const char *t, size_t len, char *why, size_t why_size)
{
    for (size_t i = 0; i < len; i++) {
        char c = t[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == ':')) {
            snprintf(why, why_size, "character '%c' is not allowed in a TLS 1.3 suite list (names separated by ':')",
                     c);
            return CERTSLOT_ERR_VALUE;
        }
    }
    return 0;
}

/* The bytes a cipher name may hold, a bit each: letters, digits and "_-.=+". */
#define BIT_(c) ((uint64_t)1 << ((c) & 63))
static const uint64_t cipher_chars[2] = {
    0x03FF000000000000u | BIT_('-') | BIT_('.') | BIT_('=') | BIT_('+'), /* 0-63: digits and these */
    0x07FFFFFE07FFFFFEu | BIT_('_'),                                     /* 64-127: letters and '_' */
};
#undef BIT_

static int check_ciphers(const char *t, size_t len, char *why, size_t why_size)
{
    size_t tokens = 0;

    for (size_t i = 0; i < len;) {
        while (i < len && (t[i] == ':' || t[i] == ',' || t[i] == ' '))
            i++;
        if (i == len)
            break;
        size_t start = i;
        if (t[i] == '!' || t[i] == '+' || t[i] == '-' || t[i] == '@')
            i++;
        size_t body = i;
        while (i < len) {
            unsigned char c = (unsigned char)t[i];
            if (c < 128 && ((cipher_chars[c >> 6] >> (c & 63)) & 1) != 0) { /* the common case first */
                i++;
                continue;
            }
            if (c == ':' || c == ',' || c == ' ')
                break;
            snprintf(why, why_size, "character '%c' is not allowed in a cipher list", c);
            return CERTSLOT_ERR_VALUE;
        }
        if (i == body) {
            snprintf(why, why_size, "'%c' must be followed by a cipher name", t[start]);
            return CERTSLOT_ERR_VALUE;
        }
        tokens++;
    }
    if (tokens == 0) {
        snprintf(why, why_size, "cipher list names no cipher");
        return CERTSLOT_ERR_VALUE;
    }
    return 0;
}

/* Crypt=1;KeyDesc=<label>;Key=<32 hex digits>;: checked by the code that will use it. */
static int check_enckey(const char *t, size_t len, char *why, size_t why_size)
{
    certslot_cfgcrypt_key_t key;
    int ret = certslot_cfgcrypt_key_parse(&key, t, len, why, why_size);

    certslot_cfgcrypt_key_free(&key);
    return ret == 0 ? 0 : CERTSLOT_ERR_VALUE;
}

/* A provisioning server: read as the provisioning flow will read it (url.h), so its errors show at load time. */
static int check_server(const char *t, size_t len, char *why, size_t why_size)
{
    char text[CERTSLOT_URL_MAX_HOST + 2 * CERTSLOT_URL_MAX_CRED + 3 * CERTSLOT_URL_MAX_PATH + 32], reason[200];
    certslot_url_t url;
    int ret;

    if (len >= sizeof(text)) {
        snprintf(why, why_size, "longer than %u bytes", (unsigned)sizeof(text) - 1);
        return CERTSLOT_ERR_VALUE;
    }
    memcpy(text, t, len);
    text[len] = '\0';
    ret = certslot_url_is_url(text) ? certslot_url_parse(text, &url, reason, sizeof(reason))
                                    : certslot_url_parse_server(text, CERTSLOT_SCHEME_FTP, &url, reason, sizeof(reason));
    certslot_url_wipe(&url);
    certslot_zeroize(text, len + 1);
    if (ret != 0)
        snprintf(why, why_size, "%s", reason); /* never holds the password */
    return ret;
}

int certslot_param_check(certslot_param_t p, const char *t, size_t len, int *num, char *why, size_t why_size)
{
    const char *canon;
    return cs_param_check(certslot_param_family(p, NULL, NULL), t, len, num, &canon, why, why_size);
}

int cs_param_check(certslot_family_t fam, const char *t, size_t len, int *num, const char **canon, char *why,
                   size_t why_size)
{
    certslot_type_t type = cs_family_type(fam);

    *num = 0;
    if (len == 0)
        return 0; /* empty: back to the default */
    switch (type) {
    case CERTSLOT_TYPE_BOOL:
        if (len == 1 && (t[0] == '0' || t[0] == '1')) {
            *num = t[0] - '0';
            return 0;
        }
        snprintf(why, why_size, "expected 0 or 1");
        return CERTSLOT_ERR_VALUE;
    case CERTSLOT_TYPE_ENUM:
    case CERTSLOT_TYPE_INDEX:
        if (check_enum(type, cs_family_values(fam), t, len, num, canon) == 0)
            return 0;
        snprintf(why, why_size, "expected %s%s", type == CERTSLOT_TYPE_INDEX ? "a number or one of " : "one of ",
                 cs_family_values(fam));
        for (char *c = why; *c != '\0'; c++)
            if (*c == '|')
                *c = ',';
        return CERTSLOT_ERR_VALUE;
    case CERTSLOT_TYPE_STRING:
    case CERTSLOT_TYPE_SERVER:
        for (size_t i = 0; i < len; i++) {
            unsigned char c = (unsigned char)t[i];
            if (c < 0x20 || c == 0x7f || (type == CERTSLOT_TYPE_SERVER && c == ' ')) {
                snprintf(why, why_size, "%s at position %zu", c == ' ' ? "space" : "control character", i + 1);
                return CERTSLOT_ERR_VALUE;
            }
        }
        return type == CERTSLOT_TYPE_SERVER ? check_server(t, len, why, why_size) : 0;
    case CERTSLOT_TYPE_CERT:
    case CERTSLOT_TYPE_KEY: {
        size_t i = 0;
        uint8_t want = type == CERTSLOT_TYPE_KEY ? KEY_BYTE : CERT_BYTE;
        const unsigned char *u = (const unsigned char *)t;
        while (i + 8 <= len && (value_bytes[u[i]] & value_bytes[u[i + 1]] & value_bytes[u[i + 2]] &
                                value_bytes[u[i + 3]] & value_bytes[u[i + 4]] & value_bytes[u[i + 5]] &
                                value_bytes[u[i + 6]] & value_bytes[u[i + 7]] & want) != 0)
            i += 8; /* values are long: eight bytes a step */
        while (i < len && (value_bytes[u[i]] & want) != 0)
            i++;
        if (i < len) {
            snprintf(why, why_size, "character '%c' at position %zu cannot be part of a %s", t[i], i + 1,
                     type == CERTSLOT_TYPE_KEY ? "PEM key" : "base64 or PEM certificate");
            return CERTSLOT_ERR_VALUE;
        }
        if (type == CERTSLOT_TYPE_KEY && (!cs_find(t, len, "-----BEGIN ") || !cs_find(t, len, "PRIVATE KEY-----"))) {
            snprintf(why, why_size, "a key must be PEM with its -----BEGIN ... PRIVATE KEY----- header kept");
            return CERTSLOT_ERR_VALUE;
        }
        return 0;
    }
    case CERTSLOT_TYPE_CIPHERS:
        return check_ciphers(t, len, why, why_size);
    case CERTSLOT_TYPE_SUITES13:
        return check_suites13(t, len, why, why_size);
    case CERTSLOT_TYPE_ENCKEY:
        return check_enckey(t, len, why, why_size);
    }
    return CERTSLOT_ERR_VALUE;
}

int certslot_param_default_num(certslot_param_t p)
{
    char why[8];
    const char *def = certslot_param_default(p);
    int num = 0;

    (void)certslot_param_check(p, def, strlen(def), &num, why, sizeof(why));
    return num;
}
