/*
 * URL parsing: bounded, no allocation, nothing outside the grammar in url.h.
 */
#include "certslot/url.h"

#include <stdio.h>
#include <string.h>

#include "certslot/error.h"
#include "certslot/platform.h"
#include "certslot/text.h"
#include "core/internal.h"

static const struct {
    const char *name;
    uint16_t port;
    uint8_t tls;
} schemes[CERTSLOT_SCHEME_COUNT] = {
#define CERTSLOT_X_(id, name, port, tls) {name, port, tls},
    CERTSLOT_SCHEMES(CERTSLOT_X_)
#undef CERTSLOT_X_
};

const char *certslot_scheme_name(certslot_scheme_t scheme)
{
    return (unsigned)scheme < CERTSLOT_SCHEME_COUNT ? schemes[scheme].name : "?";
}

uint16_t certslot_scheme_default_port(certslot_scheme_t scheme)
{
    return (unsigned)scheme < CERTSLOT_SCHEME_COUNT ? schemes[scheme].port : 0;
}

int certslot_scheme_is_tls(certslot_scheme_t scheme)
{
    return (unsigned)scheme < CERTSLOT_SCHEME_COUNT && schemes[scheme].tls;
}

int certslot_url_is_url(const char *text)
{
    return text != NULL && strstr(text, "://") != NULL;
}

static int hexval(int c)
{
    c = cs_lower((char)c);
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/*
 * Percent-decodes s[0..n) into out (size max + 1). Refuses control characters
 * (FTP command injection). With keep (the path), an encoded '/' or '%' stays
 * encoded ("%2F", "%25"): a decoded '/' would become a path separator the
 * URL did not have.
 */
static int decode(const char *s, size_t n, char *out, size_t max, const char *what, int keep, char *why,
                  size_t why_size)
{
    size_t o = 0;

    for (size_t i = 0; i < n; i++) {
        int c = (unsigned char)s[i];
        if (c == '%') {
            int h = i + 2 < n ? hexval(s[i + 1]) : -1, l = i + 2 < n ? hexval(s[i + 2]) : -1;
            if (h < 0 || l < 0) {
                snprintf(why, why_size, "bad percent escape in the %s", what);
                return CERTSLOT_ERR_VALUE;
            }
            c = h * 16 + l;
            i += 2;
            if (keep && (c == '/' || c == '%')) {
                if (max - o < 3)
                    goto too_long;
                memcpy(out + o, c == '/' ? "%2F" : "%25", 3);
                o += 3;
                continue;
            }
        }
        if (c < 0x20 || c == 0x7f) {
            snprintf(why, why_size, "the %s contains a control character", what);
            return CERTSLOT_ERR_VALUE;
        }
        if (o == max)
            goto too_long;
        out[o++] = (char)c;
    }
    out[o] = '\0';
    return 0;
too_long:
    snprintf(why, why_size, "the %s is longer than %u bytes", what, (unsigned)max);
    return CERTSLOT_ERR_VALUE;
}

/* host[:port][/path] at s; fills host, port (when given) and path. */
static int parse_hostpart(const char *s, certslot_url_t *url, char *why, size_t why_size)
{
    const char *h = s, *end;
    size_t hlen;

    if (*s == '[') {
        end = strchr(s, ']');
        if (end == NULL) {
            snprintf(why, why_size, "IPv6 address without its closing ']'");
            return CERTSLOT_ERR_VALUE;
        }
        h = s + 1;
        hlen = (size_t)(end - h);
        for (size_t i = 0; i < hlen; i++)
            if (hexval(h[i]) < 0 && h[i] != ':' && h[i] != '.') {
                snprintf(why, why_size, "bad character in the IPv6 address");
                return CERTSLOT_ERR_VALUE;
            }
        if (hlen == 0 || memchr(h, ':', hlen) == NULL) {
            snprintf(why, why_size, "bad IPv6 address in brackets");
            return CERTSLOT_ERR_VALUE;
        }
        end++;
    } else {
        end = s + strcspn(s, ":/");
        hlen = (size_t)(end - h);
        for (size_t i = 0; i < hlen; i++) {
            int c = (unsigned char)h[i];
            if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                  c == '.' || c == '_')) {
                snprintf(why, why_size, "bad character in the host name");
                return CERTSLOT_ERR_VALUE;
            }
        }
    }
    if (hlen == 0) {
        snprintf(why, why_size, "no host");
        return CERTSLOT_ERR_VALUE;
    }
    if (hlen > CERTSLOT_URL_MAX_HOST) {
        snprintf(why, why_size, "host name longer than %u bytes", CERTSLOT_URL_MAX_HOST);
        return CERTSLOT_ERR_VALUE;
    }
    for (size_t i = 0; i < hlen; i++)
        url->host[i] = cs_lower(h[i]);
    url->host[hlen] = '\0';
    if (*end == ':') {
        unsigned long port = 0;
        const char *p = end + 1;
        for (; *p >= '0' && *p <= '9' && port <= 65535; p++)
            port = port * 10 + (unsigned long)(*p - '0');
        if (p == end + 1 || port == 0 || port > 65535 || (*p != '\0' && *p != '/')) {
            snprintf(why, why_size, "bad port (1..65535)");
            return CERTSLOT_ERR_VALUE;
        }
        url->port = (uint16_t)port;
        end = p;
    } else if (*end != '\0' && *end != '/') {
        snprintf(why, why_size, "unexpected character after the host");
        return CERTSLOT_ERR_VALUE;
    }
    if (strpbrk(end, "?# ") != NULL) {
        snprintf(why, why_size, "queries, fragments and spaces are not supported in the path");
        return CERTSLOT_ERR_VALUE;
    }
    return decode(end, strlen(end), url->path, CERTSLOT_URL_MAX_PATH, "path", 1, why, why_size);
}

/*
 * The user-info of the authority at auth: *at is the last '@' before the
 * path (NULL: none), *colon the first ':' before it (NULL: no password).
 * A password may therefore hold '@' and ':'; a user name holds neither
 * unless percent-encoded. The parser and the redaction both split here.
 */
static void userinfo(const char *auth, const char **at, const char **colon)
{
    const char *slash = auth + strcspn(auth, "/");

    *at = *colon = NULL;
    for (const char *p = auth; p < slash; p++)
        if (*p == '@')
            *at = p;
    if (*at != NULL)
        *colon = memchr(auth, ':', (size_t)(*at - auth));
}

static int fail(certslot_url_t *url, int ret)
{
    certslot_url_wipe(url);
    return ret;
}

int certslot_url_parse(const char *text, certslot_url_t *url, char *why, size_t why_size)
{
    const char *sep = text != NULL ? strstr(text, "://") : NULL;
    int ret;

    memset(url, 0, sizeof(*url));
    why[0] = '\0';
    if (sep == NULL) {
        snprintf(why, why_size, "not a URL (scheme://host/path)");
        return CERTSLOT_ERR_VALUE;
    }
    size_t slen = (size_t)(sep - text);
    unsigned s;
    for (s = 0; s < CERTSLOT_SCHEME_COUNT; s++)
        if (cs_equal_ci(text, slen, schemes[s].name))
            break;
    if (s == CERTSLOT_SCHEME_COUNT) {
        snprintf(why, why_size, "unsupported scheme '%.*s' (ftp, tftp, http, https, ftps, ftpes)", (int)(slen > 16 ? 16 : slen),
                 text);
        return CERTSLOT_ERR_VALUE;
    }
    url->scheme = (certslot_scheme_t)s;
    const char *auth = sep + 3, *at, *colon;
    userinfo(auth, &at, &colon);
    if (at != NULL) {
        size_t ulen = colon != NULL ? (size_t)(colon - auth) : (size_t)(at - auth);
        if (ulen == 0) {
            snprintf(why, why_size, "empty user name before '@'");
            return fail(url, CERTSLOT_ERR_VALUE);
        }
        ret = decode(auth, ulen, url->user, CERTSLOT_URL_MAX_CRED, "user name", 0, why, why_size);
        if (ret == 0 && colon != NULL)
            ret = decode(colon + 1, (size_t)(at - colon - 1), url->password, CERTSLOT_URL_MAX_CRED, "password", 0,
                         why, why_size);
        if (ret != 0)
            return fail(url, ret);
        url->has_user = 1;
        url->has_password = colon != NULL;
        auth = at + 1;
    }
    ret = parse_hostpart(auth, url, why, why_size);
    if (ret != 0)
        return fail(url, ret);
    if (url->port == 0)
        url->port = schemes[s].port;
    return 0;
}

int certslot_url_parse_server(const char *text, certslot_scheme_t scheme, certslot_url_t *url, char *why,
                              size_t why_size)
{
    memset(url, 0, sizeof(*url));
    why[0] = '\0';
    if (text == NULL || (unsigned)scheme >= CERTSLOT_SCHEME_COUNT || strchr(text, '@') != NULL) {
        snprintf(why, why_size, "bad server name (host[:port][/path])");
        return CERTSLOT_ERR_VALUE;
    }
    url->scheme = scheme;
    int ret = parse_hostpart(text, url, why, why_size);
    if (ret != 0)
        return fail(url, ret);
    if (url->port == 0)
        url->port = schemes[scheme].port;
    return 0;
}

int certslot_url_set_credentials(certslot_url_t *url, const char *user, const char *password, char *why,
                                 size_t why_size)
{
    size_t ul = user != NULL ? strlen(user) : 0, pl = password != NULL ? strlen(password) : 0;

    why[0] = '\0';
    if (user == NULL || ul == 0) {
        snprintf(why, why_size, "empty user name");
        return CERTSLOT_ERR_VALUE;
    }
    if (ul > CERTSLOT_URL_MAX_CRED || pl > CERTSLOT_URL_MAX_CRED) {
        snprintf(why, why_size, "user or password longer than %u bytes", CERTSLOT_URL_MAX_CRED);
        return CERTSLOT_ERR_VALUE;
    }
    /* They go into FTP commands (USER, PASS): a CR LF would smuggle another command. */
    if (certslot_text_has_ctl(user, ul) || (password != NULL && certslot_text_has_ctl(password, pl))) {
        snprintf(why, why_size, "the %s contains a control character", certslot_text_has_ctl(user, ul) ? "user name"
                                                                                                     : "password");
        return CERTSLOT_ERR_VALUE;
    }
    certslot_zeroize(url->user, sizeof(url->user));
    certslot_zeroize(url->password, sizeof(url->password));
    memcpy(url->user, user, ul);
    if (password != NULL)
        memcpy(url->password, password, pl);
    url->has_user = 1;
    url->has_password = password != NULL;
    return 0;
}

int certslot_url_file_name(const certslot_url_t *url, char *out, size_t size)
{
    const char *p = url->path[0] == '/' ? url->path + 1 : url->path;
    size_t o = 0;

    for (; *p != '\0'; p++) {
        if (o + 1 >= size)
            return CERTSLOT_ERR_LIMIT;
        out[o++] = *p;
        if (p[0] == '%' && p[1] == '2' && p[2] == '5')
            p += 2; /* "%25" is '%'; "%2F" stays as it is */
    }
    out[o] = '\0';
    return 0;
}

int certslot_url_append_name(certslot_url_t *url, const char *name)
{
    char path[CERTSLOT_URL_MAX_PATH + 1];
    size_t o = strlen(url->path);

    if (certslot_text_has_ctl(name, strlen(name)))
        return CERTSLOT_ERR_VALUE; /* it goes into an FTP command or a request line */
    while (o > 0 && url->path[o - 1] == '/')
        o--;
    memcpy(path, url->path, o);
    path[o++] = '/';
    for (const char *p = name; *p != '\0'; p++) {
        size_t n = *p == '%' ? 3 : 1; /* a '%' of the name is "%25" in the path */
        if (o + n > CERTSLOT_URL_MAX_PATH)
            return CERTSLOT_ERR_LIMIT;
        memcpy(path + o, *p == '%' ? "%25" : p, n);
        o += n;
    }
    path[o] = '\0';
    memcpy(url->path, path, o + 1);
    return 0;
}

void certslot_url_redact(const char *text, char *out, size_t size)
{
    static const char secret[] = "<secret>";
    const char *sep = strstr(text, "://"), *auth = sep != NULL ? sep + 3 : text, *at, *colon;

    userinfo(auth, &at, &colon);
    if (colon == NULL) {
        snprintf(out, size, "%s", text);
        return;
    }
    /* Up to and with the ':', "<secret>", then from the '@' on: the password is never copied. */
    snprintf(out, size, "%.*s%s%s", (int)(colon + 1 - text), text, secret, at);
}

void certslot_url_describe(const certslot_url_t *url, char *buf, size_t size)
{
    int v6 = strchr(url->host, ':') != NULL;
    snprintf(buf, size, "%s://%s%s%s:%u%s", certslot_scheme_name(url->scheme), v6 ? "[" : "", url->host, v6 ? "]" : "",
             (unsigned)url->port, url->path);
}

void certslot_url_wipe(certslot_url_t *url)
{
    certslot_zeroize(url, sizeof(*url));
}
