/**
 * @file
 * The parameter registry: every configuration parameter certslot knows.
 *
 * This list is the only place parameters are named. The parser, lint, the
 * command-line tool and the README's parameter table (`certslot params
 * --markdown`) are all generated from it.
 *
 * A row is a *family*: a name pattern where each %u is an index (1..n1, then
 * 1..n2), so "device.sec.TLS.customCaCert%u" with n1 = 2 is two parameters.
 * Every concrete parameter has a number, certslot_param_t, from 0 to
 * CERTSLOT_PARAM_COUNT - 1; CERTSLOT_PARAM(FAMILY, i) and
 * CERTSLOT_PARAM2(FAMILY, i, j) give it from the family and 1-based indexes.
 *
 * A parameter whose name starts with "device." is a device parameter: it
 * applies only when device.set = 1 and its own "<name>.set" = 1.
 */
#ifndef CERTSLOT_PARAM_H
#define CERTSLOT_PARAM_H

#include <stddef.h>

#include "certslot/settings.h" /* the defaults both show */

/** The type of a parameter's value: how the parser checks it. */
typedef enum {
    CERTSLOT_TYPE_BOOL,    /**< 0 or 1 */
    CERTSLOT_TYPE_ENUM,    /**< one of the '|'-separated values, any ASCII case */
    CERTSLOT_TYPE_INDEX,   /**< ENUM that is also accepted (and shown) as 0..n-1 */
    CERTSLOT_TYPE_STRING,  /**< free text without control characters */
    CERTSLOT_TYPE_SERVER,  /**< host, FQDN, IP, host/path or URL: no spaces */
    CERTSLOT_TYPE_CERT,    /**< certificate(s) as text; decoded by the store */
    CERTSLOT_TYPE_KEY,     /**< PEM private key, header kept; decoded by the store */
    CERTSLOT_TYPE_CIPHERS, /**< OpenSSL-syntax cipher list */
    CERTSLOT_TYPE_SUITES13, /**< TLS 1.3 suites, OpenSSL -ciphersuites syntax: names separated by ':' */
    CERTSLOT_TYPE_ENCKEY   /**< `Crypt=1;KeyDesc=<label>;Key=<32 hex digits>;` */
} certslot_type_t;

/** Flags of a family. */
#define CERTSLOT_PF_SECRET 0x1u /**< never printed: shown as `<secret>` */


/**
 * X(ID, pattern, n1, n2, type, values, default, flags, help). values is ""
 * for a type other than ENUM and INDEX. The help sentence is for `certslot
 * params` and the README: only the tool compiles it in
 * (certslot_family_info_t does not carry it, so no firmware pays for the
 * text).
 */
#define CERTSLOT_PARAM_FAMILIES(X) \
    X(DEVICE_SET, "device.set", 1, 1, CERTSLOT_TYPE_BOOL, "", "0", 0, \
      "Master switch: no device.* parameter applies unless this is 1.") \
    X(PLATFORM_CA_CERT, "device.sec.TLS.customCaCert%u", 2, 1, CERTSLOT_TYPE_CERT, "", "", 0, \
      "CA certificate(s) of platform CA slot N (base64 DER, PEM, or a PEM chain).") \
    X(PLATFORM_DEVICE_CERT, "device.sec.TLS.customDeviceCert%u", 2, 1, CERTSLOT_TYPE_CERT, "", "", 0, \
      "Device certificate of platform device slot N, optionally followed by its chain (leaf first).") \
    X(PLATFORM_DEVICE_KEY, "device.sec.TLS.customDeviceKey%u", 2, 1, CERTSLOT_TYPE_KEY, "", "", CERTSLOT_PF_SECRET, \
      "Private key of platform device slot N (PEM, header kept, unencrypted).") \
    X(APP_CA_CERT, "sec.TLS.customCaCert.%u", 6, 1, CERTSLOT_TYPE_CERT, "", "", 0, \
      "CA certificate(s) of application CA slot N.") \
    X(APP_DEVICE_CERT, "sec.TLS.customDeviceCert.%u", 6, 1, CERTSLOT_TYPE_CERT, "", "", 0, \
      "Device certificate (and chain) of application device slot N.") \
    X(APP_DEVICE_KEY, "sec.TLS.customDeviceKey.%u", 6, 1, CERTSLOT_TYPE_KEY, "", "", CERTSLOT_PF_SECRET, \
      "Private key of application device slot N.") \
    X(PLATFORM_PROFILE_CA_LIST, "device.sec.TLS.profile.caCertList%u", 2, 1, CERTSLOT_TYPE_ENUM, \
      "All|Builtin|BuiltinAndPlatform1|BuiltinAndPlatform2|Platform1|Platform2|Platform1AndPlatform2", "All", 0, \
      "CAs trusted by platform profile N. All = built-in list, both platform and every filled application CA slot.") \
    X(PLATFORM_PROFILE_DEVICE_CERT, "device.sec.TLS.profile.deviceCert%u", 2, 1, CERTSLOT_TYPE_ENUM, \
      "Builtin|Platform1|Platform2", "Builtin", 0, \
      "Device certificate platform profile N presents.") \
    X(PLATFORM_PROFILE_CIPHER_DEFAULT, "device.sec.TLS.profile.cipherSuiteDefault%u", 2, 1, CERTSLOT_TYPE_BOOL, \
      "", "1", 0, "1: platform profile N uses sec.TLS.cipherList; 0: its own cipherSuite.") \
    X(PLATFORM_PROFILE_CIPHER, "device.sec.TLS.profile.cipherSuite%u", 2, 1, CERTSLOT_TYPE_CIPHERS, "", "", 0, \
      "Cipher list of platform profile N when cipherSuiteDefault is 0.") \
    X(APP_PROFILE_CA_BUILTIN, "sec.TLS.profile.%u.caCert.defaultList", 6, 1, CERTSLOT_TYPE_BOOL, "", "1", 0, \
      "Application profile N trusts the built-in CA list.") \
    X(APP_PROFILE_CA_PLATFORM, "sec.TLS.profile.%u.caCert.platform%u", 6, 2, CERTSLOT_TYPE_BOOL, "", "1", 0, \
      "Application profile N trusts platform CA slot M.") \
    X(APP_PROFILE_CA_APP, "sec.TLS.profile.%u.caCert.application%u", 6, 6, CERTSLOT_TYPE_BOOL, "", "1", 0, \
      "Application profile N trusts application CA slot M.") \
    X(APP_PROFILE_DEVICE_CERT, "sec.TLS.profile.%u.deviceCert", 6, 1, CERTSLOT_TYPE_ENUM, \
      "Builtin|Platform1|Platform2|Application1|Application2|Application3|Application4|Application5|Application6", \
      "Builtin", 0, "Device certificate application profile N presents.") \
    X(APP_PROFILE_CIPHER_DEFAULT, "sec.TLS.profile.%u.cipherSuiteDefault", 6, 1, CERTSLOT_TYPE_BOOL, "", "1", 0, \
      "1: application profile N uses sec.TLS.cipherList; 0: its own cipherSuite.") \
    X(APP_PROFILE_CIPHER, "sec.TLS.profile.%u.cipherSuite", 6, 1, CERTSLOT_TYPE_CIPHERS, "", "", 0, \
      "Cipher list of application profile N when cipherSuiteDefault is 0.") \
    X(SELECT_DOT1X, "device.sec.TLS.profileSelection.dot1x", 1, 1, CERTSLOT_TYPE_ENUM, \
      "PlatformProfile1|PlatformProfile2", "PlatformProfile1", 0, \
      "TLS profile of Wi-Fi 802.1X (EAP); platform profiles only.") \
    X(SELECT_PROV, "device.sec.TLS.profileSelection.provisioning", 1, 1, CERTSLOT_TYPE_ENUM, \
      "PlatformProfile1|PlatformProfile2", "PlatformProfile1", 0, \
      "TLS profile of provisioning (HTTPS, FTPS); platform profiles only.") \
    X(SELECT_SYSLOG, "device.sec.TLS.profileSelection.syslog", 1, 1, CERTSLOT_TYPE_ENUM, CERTSLOT_PROFILE_NAMES, \
      "PlatformProfile1", 0, "TLS profile of syslog over TLS.") \
    X(SELECT_SIP, "sec.TLS.profileSelection.SIP", 1, 1, CERTSLOT_TYPE_ENUM, CERTSLOT_PROFILE_NAMES, \
      "PlatformProfile1", 0, "TLS profile of SIP over TLS.") \
    X(SELECT_LDAP, "sec.TLS.profileSelection.LDAP", 1, 1, CERTSLOT_TYPE_ENUM, CERTSLOT_PROFILE_NAMES, \
      "PlatformProfile1", 0, "TLS profile of LDAP over TLS.") \
    X(SELECT_BROWSER, "sec.TLS.profileSelection.browser", 1, 1, CERTSLOT_TYPE_ENUM, CERTSLOT_PROFILE_NAMES, \
      "PlatformProfile1", 0, "TLS profile of the micro-browser.") \
    X(STRICT_DOT1X, "device.sec.TLS.dot1x.strictCertCommonNameValidation", 1, 1, CERTSLOT_TYPE_BOOL, "", "1", 0, \
      "802.1X: the RADIUS server certificate must name the configured server (plain string compare).") \
    X(STRICT_PROV, "device.sec.TLS.prov.strictCertCommonNameValidation", 1, 1, CERTSLOT_TYPE_BOOL, "", "1", 0, \
      "Provisioning: the server certificate must name device.prov.serverName.") \
    X(STRICT_SYSLOG, "device.sec.TLS.syslog.strictCertCommonNameValidation", 1, 1, CERTSLOT_TYPE_BOOL, "", "1", \
      0, "syslog: the server certificate must name the configured server.") \
    X(STRICT_SIP, "sec.TLS.SIP.strictCertCommonNameValidation", 1, 1, CERTSLOT_TYPE_BOOL, "", "1", 0, \
      "SIP: the server certificate must name the configured server.") \
    X(STRICT_LDAP, "sec.TLS.LDAP.strictCertCommonNameValidation", 1, 1, CERTSLOT_TYPE_BOOL, "", "1", 0, \
      "LDAP: the server certificate must name the configured server.") \
    X(STRICT_BROWSER, "sec.TLS.browser.strictCertCommonNameValidation", 1, 1, CERTSLOT_TYPE_BOOL, "", "1", 0, \
      "Browser: the server certificate must name the host in the URL.") \
    X(PROTOCOL_DOT1X, "device.sec.TLS.protocol.dot1x", 1, 1, CERTSLOT_TYPE_ENUM, CERTSLOT_PROTOCOL_NAMES, \
      "TLSv1_2", 0, "Lowest TLS version 802.1X accepts.") \
    X(PROTOCOL_PROV, "device.sec.TLS.protocol.prov", 1, 1, CERTSLOT_TYPE_ENUM, CERTSLOT_PROTOCOL_NAMES, \
      "TLSv1_2", 0, "Lowest TLS version provisioning accepts.") \
    X(PROTOCOL_SYSLOG, "device.sec.TLS.protocol.syslog", 1, 1, CERTSLOT_TYPE_ENUM, CERTSLOT_PROTOCOL_NAMES, \
      "TLSv1_2", 0, "Lowest TLS version syslog accepts.") \
    X(PROTOCOL_SIP, "sec.TLS.protocol.sip", 1, 1, CERTSLOT_TYPE_ENUM, CERTSLOT_PROTOCOL_NAMES, "TLSv1_2", 0, \
      "Lowest TLS version SIP accepts.") \
    X(PROTOCOL_LDAP, "sec.TLS.protocol.ldap", 1, 1, CERTSLOT_TYPE_ENUM, CERTSLOT_PROTOCOL_NAMES, "TLSv1_2", 0, \
      "Lowest TLS version LDAP accepts.") \
    X(PROTOCOL_BROWSER, "sec.TLS.protocol.browser", 1, 1, CERTSLOT_TYPE_ENUM, CERTSLOT_PROTOCOL_NAMES, \
      "TLSv1_2", 0, "Lowest TLS version the browser accepts.") \
    X(CIPHERS, "sec.TLS.cipherList", 1, 1, CERTSLOT_TYPE_CIPHERS, "", CERTSLOT_CIPHERS_DEFAULT, 0, \
      "Global cipher list (OpenSSL syntax) used by profiles whose cipherSuiteDefault is 1.") \
    X(CIPHERS_DOT1X, "sec.TLS.dot1x.cipherList", 1, 1, CERTSLOT_TYPE_CIPHERS, "", "NoCipher", 0, \
      "802.1X cipher list; NoCipher = the profile's list.") \
    X(CIPHERS_PROV, "sec.TLS.prov.cipherList", 1, 1, CERTSLOT_TYPE_CIPHERS, "", "NoCipher", 0, \
      "Provisioning cipher list; NoCipher = the profile's list.") \
    X(CIPHERS_SYSLOG, "sec.TLS.syslog.cipherList", 1, 1, CERTSLOT_TYPE_CIPHERS, "", "NoCipher", 0, \
      "syslog cipher list; NoCipher = the profile's list.") \
    X(CIPHERS_SIP, "sec.TLS.SIP.cipherList", 1, 1, CERTSLOT_TYPE_CIPHERS, "", "NoCipher", 0, \
      "SIP cipher list; NoCipher = the profile's list.") \
    X(CIPHERS_LDAP, "sec.TLS.LDAP.cipherList", 1, 1, CERTSLOT_TYPE_CIPHERS, "", "NoCipher", 0, \
      "LDAP cipher list; NoCipher = the profile's list.") \
    X(CIPHERS_BROWSER, "sec.TLS.browser.cipherList", 1, 1, CERTSLOT_TYPE_CIPHERS, "", "NoCipher", 0, \
      "Browser cipher list; NoCipher = the profile's list.") \
    X(SUITES13, "sec.TLS.tls13CipherSuites", 1, 1, CERTSLOT_TYPE_SUITES13, "", "", 0, \
      "Global TLS 1.3 suites (OpenSSL -ciphersuites syntax: TLS_AES_128_GCM_SHA256:...); empty = every TLS 1.3 " \
      "suite the TLS library has.") \
    X(SUITES13_DOT1X, "sec.TLS.dot1x.tls13CipherSuites", 1, 1, CERTSLOT_TYPE_SUITES13, "", "NoCipher", 0, \
      "802.1X TLS 1.3 suites; NoCipher = the global list.") \
    X(SUITES13_PROV, "sec.TLS.prov.tls13CipherSuites", 1, 1, CERTSLOT_TYPE_SUITES13, "", "NoCipher", 0, \
      "Provisioning TLS 1.3 suites; NoCipher = the global list.") \
    X(SUITES13_SYSLOG, "sec.TLS.syslog.tls13CipherSuites", 1, 1, CERTSLOT_TYPE_SUITES13, "", "NoCipher", 0, \
      "syslog TLS 1.3 suites; NoCipher = the global list.") \
    X(SUITES13_SIP, "sec.TLS.SIP.tls13CipherSuites", 1, 1, CERTSLOT_TYPE_SUITES13, "", "NoCipher", 0, \
      "SIP TLS 1.3 suites; NoCipher = the global list.") \
    X(SUITES13_LDAP, "sec.TLS.LDAP.tls13CipherSuites", 1, 1, CERTSLOT_TYPE_SUITES13, "", "NoCipher", 0, \
      "LDAP TLS 1.3 suites; NoCipher = the global list.") \
    X(SUITES13_BROWSER, "sec.TLS.browser.tls13CipherSuites", 1, 1, CERTSLOT_TYPE_SUITES13, "", "NoCipher", 0, \
      "Browser TLS 1.3 suites; NoCipher = the global list.") \
    X(ALLOW_WEAK_CERTS, "device.sec.TLS.allowWeakCertificates", 1, 1, CERTSLOT_TYPE_BOOL, "", "0", 0, \
      "1 relaxes the slot policy (RSA 2048..4096, EC P-256/P-384, SHA-256 or stronger) for legacy servers; " \
      "each weak certificate accepted is logged.") \
    X(PROV_SERVER_TYPE, "device.prov.serverType", 1, 1, CERTSLOT_TYPE_INDEX, "FTP|TFTP|HTTP|HTTPS|FTPS", "0", 0, \
      "Provisioning protocol: 0 FTP, 1 TFTP, 2 HTTP, 3 HTTPS, 4 FTPS (implicit TLS, port 990; explicit when the server greets in plain text, or with an ftpes:// serverName).") \
    X(PROV_SERVER_NAME, "device.prov.serverName", 1, 1, CERTSLOT_TYPE_SERVER, "", "", 0, \
      "Provisioning server: host, FQDN, IP, optionally with a path, or a URL (its scheme and credentials win).") \
    X(PROV_USER, "device.prov.user", 1, 1, CERTSLOT_TYPE_STRING, "", CERTSLOT_PROV_CREDENTIAL_DEFAULT, 0, \
      "Provisioning user name.") \
    X(PROV_PASSWORD, "device.prov.password", 1, 1, CERTSLOT_TYPE_STRING, "", CERTSLOT_PROV_CREDENTIAL_DEFAULT, \
      CERTSLOT_PF_SECRET, \
      "Provisioning password.") \
    X(CONFIG_ENCRYPTION_KEY, "device.sec.configEncryption.key", 1, 1, CERTSLOT_TYPE_ENCKEY, "", "", \
      CERTSLOT_PF_SECRET, "Key for encrypted config files: Crypt=1;KeyDesc=<label>;Key=<32 hex digits>;")

/** The values of a profile selection, '|'-separated, in profile order (0..7). */
#define CERTSLOT_PROFILE_NAMES \
    "PlatformProfile1|PlatformProfile2|ApplicationProfile1|ApplicationProfile2|ApplicationProfile3|" \
    "ApplicationProfile4|ApplicationProfile5|ApplicationProfile6"
/** The values of a lowest protocol, '|'-separated, in the order of certslot_tls_version_t. */
#define CERTSLOT_PROTOCOL_NAMES "SSLv2v3|TLSv1_0|TLSv1_1|TLSv1_2|TLSv1_3"

/** Family numbers: CERTSLOT_FAM_<ID>. */
typedef enum {
#define CERTSLOT_X_(id, pat, n1, n2, type, values, def, flags, help) CERTSLOT_FAM_##id,
    CERTSLOT_PARAM_FAMILIES(CERTSLOT_X_)
#undef CERTSLOT_X_
    CERTSLOT_FAM_COUNT
} certslot_family_t;

/** First parameter number of each family: CERTSLOT_P_<ID>. */
enum {
#define CERTSLOT_X_(id, pat, n1, n2, type, values, def, flags, help) \
    CERTSLOT_P_##id, CERTSLOT_P_##id##_LAST_ = CERTSLOT_P_##id + (n1) * (n2) - 1,
    CERTSLOT_PARAM_FAMILIES(CERTSLOT_X_)
#undef CERTSLOT_X_
    CERTSLOT_PARAM_COUNT
};

/** A concrete parameter's number, 0 to CERTSLOT_PARAM_COUNT - 1 (-1: none). */
typedef int certslot_param_t;

/** The parameter of family CERTSLOT_FAM_<id> with 1-based index i. */
#define CERTSLOT_PARAM(id, i) ((certslot_param_t)(CERTSLOT_P_##id + (i) - 1))
/** The parameter of a family with two indexes: i (1..n1) and j (1..n2). */
#define CERTSLOT_PARAM2(id, i, j) \
    ((certslot_param_t)(CERTSLOT_P_##id + ((i) - 1) * certslot_family_n2(CERTSLOT_FAM_##id) + (j) - 1))

/** Longest canonical parameter name, with ".set", plus the NUL. */
#define CERTSLOT_PARAM_NAME_MAX 64

/** One row of the registry (CERTSLOT_PARAM_FAMILIES). */
typedef struct {
    const char *pattern; /**< the name, each %u an index */
    unsigned n1;         /**< values of the first index (1 when none) */
    unsigned n2;         /**< values of the second index (1 when none) */
    certslot_type_t type; /**< how values are checked */
    const char *values; /**< '|'-separated, ENUM and INDEX only (NULL for the other types) */
    const char *def;    /**< default as text */
    unsigned flags;     /**< CERTSLOT_PF_* */
} certslot_family_info_t;

/** The registry's row for fam into info: 0, or CERTSLOT_ERR_ARG when fam is not a family. */
int certslot_family_info(certslot_family_t fam, certslot_family_info_t *info);
/** n2 of family fam (a valid family). */
unsigned certslot_family_n2(certslot_family_t fam);

/** The family of a parameter and its 1-based indexes (index2 is 1 when unused). */
certslot_family_t certslot_param_family(certslot_param_t p, unsigned *index1, unsigned *index2);

/** Writes the canonical name into buf (CERTSLOT_PARAM_NAME_MAX bytes suffice). */
void certslot_param_name(certslot_param_t p, char *buf, size_t size);

/** 1 for device.* parameters (gated by device.set and their .set companion). */
int certslot_param_is_device(certslot_param_t p);

/** The type of p's value. */
certslot_type_t certslot_param_type(certslot_param_t p);
/** p's default value as text. */
const char *certslot_param_default(certslot_param_t p);
/** The default's number, for BOOL, ENUM and INDEX parameters. */
int certslot_param_default_num(certslot_param_t p);
/** 1 when p's value is a secret (CERTSLOT_PF_SECRET): never printed or logged. */
int certslot_param_is_secret(certslot_param_t p);

/**
 * Looks a name up, ASCII case-insensitively. Returns the parameter, or -1.
 * `*is_set_companion` (may be NULL) is set to 1 when name is `"<device param>.set"`.
 */
certslot_param_t certslot_param_lookup(const char *name, size_t len, int *is_set_companion);

/**
 * The known name (with ".set" when that is closer) nearest to an unknown
 * one, for "did you mean". Writes it into buf and returns 1, or returns 0
 * when nothing is close enough.
 */
int certslot_param_suggest(const char *name, char *buf, size_t size);

/** @{ */
/**
 * Cheap screens for the parser. certslot_param_in_namespace: 0 when name
 * cannot be a parameter or its .set companion (it starts with none of the
 * parameters' namespaces). certslot_param_may_be_near: 0 when name is too far
 * from every parameter name for certslot_param_suggest to suggest one; then
 * *used (if not NULL) is how many bytes of name that depended on (len + 1:
 * all of it), so any name with the same first *used bytes, ignoring case, is
 * too far as well.
 */
int certslot_param_in_namespace(const char *name, size_t len);
int certslot_param_may_be_near(const char *name, size_t len, size_t *used);
/** @} */

/**
 * Checks text as a value of p. On success returns 0 and, for BOOL, ENUM and
 * INDEX, stores the number (0/1, or the value's position) in *num and the
 * canonical spelling's position; on failure returns CERTSLOT_ERR_VALUE and
 * writes a one-line reason into why.
 */
int certslot_param_check(certslot_param_t p, const char *text, size_t len, int *num, char *why, size_t why_size);

/** The canonical spelling of value number num of an ENUM/INDEX parameter. */
size_t certslot_param_enum_name(certslot_param_t p, int num, const char **name);

#endif
