/*
 * The administrator's PKI commands: `ca create`, `issue`, `csr`, `oneline`.
 *
 * A CA directory holds ca.key (PEM, mode 0600), ca.crt (PEM) and, for an
 * intermediate, ca-chain.pem (ca.crt then its issuers, root excluded): the
 * files `issue --intermediate --out DIR/ca` writes. Everything is signed with
 * SHA-256; serial numbers are 128 random bits (positive). Outputs are never
 * overwritten.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <mbedtls/asn1write.h>
#include <mbedtls/base64.h>
#include <mbedtls/ecp.h>
#include <mbedtls/oid.h>
#include <mbedtls/pem.h>
#include <mbedtls/pk.h>
#include <mbedtls/platform.h>
#include <mbedtls/rsa.h>
#include <mbedtls/version.h>
#include <mbedtls/x509_crt.h>
#include <mbedtls/x509_csr.h>

#include "certslot/cert.h"
#include "certslot/csr.h"
#include "certslot/error.h"
#include "certslot/platform.h"
#include "cli.h"
#include "pki.h"

#ifndef MBEDTLS_PRIVATE
#define MBEDTLS_PRIVATE(m) m
#endif

#define MAX_SANS 16
#define BUF 16384

/* ---- options ---- */

/* Takes "--name VALUE" at argv[*i]; 1 when it matched. */
static int opt(int argc, char **argv, int *i, const char *name, const char **value)
{
    if (strcmp(argv[*i], name) != 0 || *i + 1 >= argc)
        return 0;
    *value = argv[++*i];
    return 1;
}

static int is_help(const char *a)
{
    return strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0;
}

static int usage(const char *cmd, const char *help, const char *msg)
{
    if (msg != NULL)
        fprintf(stderr, "certslot %s: %s\n", cmd, msg);
    fputs(help, stderr);
    return EXIT_USAGE;
}

static int parse_days(const char *s, int *days)
{
    char *end;
    long v = s != NULL ? strtol(s, &end, 10) : 0;
    if (s == NULL || *end != '\0' || v < 1 || v > 36500)
        return -1;
    *days = (int)v;
    return 0;
}

/* ---- keys ---- */

static int gen_key(const char *type, mbedtls_pk_context *pk, pki_rng_t *rng)
{
    static const struct {
        const char *name;
        int rsa_bits;
        mbedtls_ecp_group_id curve;
    } types[] = {{"rsa2048", 2048, MBEDTLS_ECP_DP_NONE}, {"rsa3072", 3072, MBEDTLS_ECP_DP_NONE},
                 {"rsa4096", 4096, MBEDTLS_ECP_DP_NONE}, {"ec256", 0, MBEDTLS_ECP_DP_SECP256R1},
                 {"ec384", 0, MBEDTLS_ECP_DP_SECP384R1}};
    for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
        if (strcmp(type, types[i].name) != 0)
            continue;
        if (types[i].rsa_bits > 0)
            return mbedtls_pk_setup(pk, mbedtls_pk_info_from_type(MBEDTLS_PK_RSA)) != 0 ||
                           mbedtls_rsa_gen_key(mbedtls_pk_rsa(*pk), mbedtls_ctr_drbg_random, &rng->drbg,
                                               (unsigned)types[i].rsa_bits, 65537) != 0
                       ? CERTSLOT_ERR_CRYPTO
                       : 0;
        return mbedtls_pk_setup(pk, mbedtls_pk_info_from_type(MBEDTLS_PK_ECKEY)) != 0 ||
                       mbedtls_ecp_gen_key(types[i].curve, mbedtls_pk_ec(*pk), mbedtls_ctr_drbg_random,
                                           &rng->drbg) != 0
                   ? CERTSLOT_ERR_CRYPTO
                   : 0;
    }
    return CERTSLOT_ERR_ARG;
}

static int valid_key_type(const char *t)
{
    return strcmp(t, "rsa2048") == 0 || strcmp(t, "rsa3072") == 0 || strcmp(t, "rsa4096") == 0 ||
           strcmp(t, "ec256") == 0 || strcmp(t, "ec384") == 0;
}

static int write_key(const char *cmd, const char *path, mbedtls_pk_context *pk)
{
    unsigned char *buf = calloc(1, BUF);
    int ret = -1;
    if (buf != NULL && mbedtls_pk_write_key_pem(pk, buf, BUF) == 0)
        ret = pki_write_new(cmd, path, buf, strlen((char *)buf), 0600);
    else
        fprintf(stderr, "certslot %s: cannot encode the key for %s\n", cmd, path);
    pki_free_secret(buf, BUF);
    return ret;
}

/* ---- names ---- */

/* "CN=value" with ',' escaped for mbedTLS's name parser; refuses what it cannot express. */
static int cn_name(const char *cmd, const char *cn, char *out, size_t size)
{
    size_t o = (size_t)snprintf(out, size, "CN=");
    if (cn[0] == '\0' || strlen(cn) > 64) {
        fprintf(stderr, "certslot %s: --cn must have 1 to 64 characters\n", cmd);
        return -1;
    }
    for (const char *c = cn; *c != '\0'; c++) {
        if ((unsigned char)*c < 0x20 || *c == 0x7f || *c == '\\' || *c == '+' || (c == cn && *c == '#')) {
            fprintf(stderr, "certslot %s: --cn contains a control character, a backslash, '+' or a leading '#'\n",
                    cmd);
            return -1;
        }
        if (*c == ',')
            out[o++] = '\\';
        out[o++] = *c;
    }
    out[o] = '\0';
    return 0;
}

/* Copies a parsed name (DER order) into a name list mbedTLS's writer emits in the same order. */
static int copy_name(const mbedtls_x509_name *from, mbedtls_asn1_named_data **to)
{
    for (const mbedtls_x509_name *n = from; n != NULL; n = n->next) {
        mbedtls_asn1_named_data *d = mbedtls_calloc(1, sizeof(*d));
        if (d == NULL)
            return -1;
        d->oid.p = mbedtls_calloc(1, n->oid.len);
        d->val.p = mbedtls_calloc(1, n->val.len + 1);
        d->next = *to;
        *to = d;
        if (d->oid.p == NULL || d->val.p == NULL)
            return -1;
        d->oid.tag = n->oid.tag;
        d->oid.len = n->oid.len;
        memcpy(d->oid.p, n->oid.p, n->oid.len);
        d->val.tag = n->val.tag;
        d->val.len = n->val.len;
        memcpy(d->val.p, n->val.p, n->val.len);
    }
    return 0;
}

/* The CN of a parsed name into buf ("" when none). */
static void name_cn(const mbedtls_x509_name *n, char *buf, size_t size)
{
    buf[0] = '\0';
    for (; n != NULL; n = n->next) {
        if (MBEDTLS_OID_CMP(MBEDTLS_OID_AT_CN, &n->oid) == 0) {
            size_t len = n->val.len < size - 1 ? n->val.len : size - 1;
            memcpy(buf, n->val.p, len);
            buf[len] = '\0';
        }
    }
}

/* ---- certificates ---- */

typedef struct {
    char text[MAX_SANS][256];
    unsigned n;
} sans_t;

static int add_san(const char *cmd, sans_t *s, const char *v)
{
    for (unsigned i = 0; i < s->n; i++)
        if (strcasecmp(s->text[i], v) == 0)
            return 0;
    if (v[0] == '\0' || strlen(v) >= sizeof(s->text[0])) {
        fprintf(stderr, "certslot %s: --san '%s' is empty or too long\n", cmd, v);
        return -1;
    }
    for (const char *c = v; *c != '\0'; c++) {
        if ((unsigned char)*c <= 0x20 || (unsigned char)*c >= 0x7f) {
            fprintf(stderr, "certslot %s: subject alternative name '%s' has a space or a non-ASCII character\n",
                    cmd, v);
            return -1;
        }
    }
    if (s->n == MAX_SANS) {
        fprintf(stderr, "certslot %s: more than %d subject alternative names\n", cmd, MAX_SANS);
        return -1;
    }
    snprintf(s->text[s->n++], sizeof(s->text[0]), "%s", v);
    return 0;
}

/* subjectAltName: dNSName for names, iPAddress for IPv4/IPv6 literals. */
static int set_sans(mbedtls_x509write_cert *crt, const sans_t *s)
{
    unsigned char buf[MAX_SANS * 270], *p = buf + sizeof(buf);
    size_t len = 0;
    int ret;

    for (unsigned i = s->n; i-- > 0;) {
        unsigned char ip[16];
        size_t n;
        const unsigned char *v = ip;
        int tag = MBEDTLS_ASN1_CONTEXT_SPECIFIC | 7;
        if (inet_pton(AF_INET, s->text[i], ip) == 1) {
            n = 4;
        } else if (inet_pton(AF_INET6, s->text[i], ip) == 1) {
            n = 16;
        } else {
            v = (const unsigned char *)s->text[i];
            n = strlen(s->text[i]);
            tag = MBEDTLS_ASN1_CONTEXT_SPECIFIC | 2;
        }
        MBEDTLS_ASN1_CHK_ADD(len, mbedtls_asn1_write_raw_buffer(&p, buf, v, n));
        MBEDTLS_ASN1_CHK_ADD(len, mbedtls_asn1_write_len(&p, buf, n));
        MBEDTLS_ASN1_CHK_ADD(len, mbedtls_asn1_write_tag(&p, buf, (unsigned char)tag));
    }
    MBEDTLS_ASN1_CHK_ADD(len, mbedtls_asn1_write_len(&p, buf, len));
    MBEDTLS_ASN1_CHK_ADD(len, mbedtls_asn1_write_tag(&p, buf, MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE));
    return mbedtls_x509write_crt_set_extension(crt, MBEDTLS_OID_SUBJECT_ALT_NAME,
                                               MBEDTLS_OID_SIZE(MBEDTLS_OID_SUBJECT_ALT_NAME), 0, p, len);
}

static int set_eku(mbedtls_x509write_cert *crt, int client)
{
    unsigned char buf[32], *p = buf + sizeof(buf);
    size_t len = 0;
    int ret;

    if (client)
        MBEDTLS_ASN1_CHK_ADD(len, mbedtls_asn1_write_oid(&p, buf, MBEDTLS_OID_CLIENT_AUTH,
                                                         MBEDTLS_OID_SIZE(MBEDTLS_OID_CLIENT_AUTH)));
    else
        MBEDTLS_ASN1_CHK_ADD(len, mbedtls_asn1_write_oid(&p, buf, MBEDTLS_OID_SERVER_AUTH,
                                                         MBEDTLS_OID_SIZE(MBEDTLS_OID_SERVER_AUTH)));
    MBEDTLS_ASN1_CHK_ADD(len, mbedtls_asn1_write_len(&p, buf, len));
    MBEDTLS_ASN1_CHK_ADD(len, mbedtls_asn1_write_tag(&p, buf, MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE));
    return mbedtls_x509write_crt_set_extension(crt, MBEDTLS_OID_EXTENDED_KEY_USAGE,
                                               MBEDTLS_OID_SIZE(MBEDTLS_OID_EXTENDED_KEY_USAGE), 0, p, len);
}

static int set_serial(mbedtls_x509write_cert *crt, pki_rng_t *rng)
{
    unsigned char s[16];
    if (mbedtls_ctr_drbg_random(&rng->drbg, s, sizeof(s)) != 0)
        return -1;
    s[0] = (unsigned char)((s[0] & 0x7f) | 0x40); /* positive, 16 bytes, 126 random bits */
    return mbedtls_x509write_crt_set_serial_raw(crt, s, sizeof(s));
}

static int set_validity(mbedtls_x509write_cert *crt, int days)
{
    char from[16], to[16];
    time_t now = time(NULL) - 300, end = now + 300 + (time_t)days * 86400;
    struct tm a, b;
    if (gmtime_r(&now, &a) == NULL || gmtime_r(&end, &b) == NULL)
        return -1;
    strftime(from, sizeof(from), "%Y%m%d%H%M%S", &a);
    strftime(to, sizeof(to), "%Y%m%d%H%M%S", &b);
    return mbedtls_x509write_crt_set_validity(crt, from, to);
}

typedef enum { CERT_ROOT, CERT_INTERMEDIATE, CERT_SERVER, CERT_CLIENT } cert_role_t;

/*
 * Signs a certificate for subject_key with issuer_key. The subject is
 * subject_str (mbedTLS string) or a copy of subject_name; the issuer a copy
 * of issuer_name (NULL: the subject, self-signed). PEM into out.
 */
static int make_cert(cert_role_t role, mbedtls_pk_context *subject_key, const char *subject_str,
                     const mbedtls_x509_name *subject_name, mbedtls_pk_context *issuer_key,
                     const mbedtls_x509_name *issuer_name, const sans_t *sans, int days, pki_rng_t *rng,
                     unsigned char *out, size_t out_size)
{
    mbedtls_x509write_cert crt;
    int ret = -1;

    mbedtls_x509write_crt_init(&crt);
    mbedtls_x509write_crt_set_version(&crt, MBEDTLS_X509_CRT_VERSION_3);
    mbedtls_x509write_crt_set_md_alg(&crt, MBEDTLS_MD_SHA256);
    mbedtls_x509write_crt_set_subject_key(&crt, subject_key);
    mbedtls_x509write_crt_set_issuer_key(&crt, issuer_key);
    if (subject_str != NULL) {
        if (mbedtls_x509write_crt_set_subject_name(&crt, subject_str) != 0)
            goto cleanup;
    } else if (copy_name(subject_name, &crt.MBEDTLS_PRIVATE(subject)) != 0) {
        goto cleanup;
    }
    if (issuer_name == NULL) {
        if (subject_str != NULL ? mbedtls_x509write_crt_set_issuer_name(&crt, subject_str) != 0
                                : copy_name(subject_name, &crt.MBEDTLS_PRIVATE(issuer)) != 0)
            goto cleanup;
    } else if (copy_name(issuer_name, &crt.MBEDTLS_PRIVATE(issuer)) != 0) {
        goto cleanup;
    }
    int ca = role == CERT_ROOT || role == CERT_INTERMEDIATE;
    unsigned ku = ca ? MBEDTLS_X509_KU_KEY_CERT_SIGN | MBEDTLS_X509_KU_CRL_SIGN : MBEDTLS_X509_KU_DIGITAL_SIGNATURE;
    if (role == CERT_SERVER && mbedtls_pk_get_type(subject_key) == MBEDTLS_PK_RSA)
        ku |= MBEDTLS_X509_KU_KEY_ENCIPHERMENT;
    if (set_serial(&crt, rng) != 0 || set_validity(&crt, days) != 0 ||
        mbedtls_x509write_crt_set_basic_constraints(&crt, ca, role == CERT_INTERMEDIATE ? 0 : -1) != 0 ||
        mbedtls_x509write_crt_set_key_usage(&crt, ku) != 0 || mbedtls_x509write_crt_set_subject_key_identifier(&crt))
        goto cleanup;
    if (role != CERT_ROOT && mbedtls_x509write_crt_set_authority_key_identifier(&crt) != 0)
        goto cleanup;
    if (!ca && (set_eku(&crt, role == CERT_CLIENT) != 0 || set_sans(&crt, sans) != 0))
        goto cleanup;
    ret = mbedtls_x509write_crt_pem(&crt, out, out_size, mbedtls_ctr_drbg_random, &rng->drbg) == 0 ? 0 : -1;
cleanup:
    mbedtls_x509write_crt_free(&crt);
    return ret;
}

/* ---- ca create ---- */

static const char ca_help[] =
    "usage: certslot ca create --cn NAME --out DIR [--days N] [--key rsa2048|rsa3072|rsa4096|ec256|ec384]\n"
    "\n"
    "Makes a root CA: DIR/ca.key (PEM, mode 0600) and DIR/ca.crt (self-signed, SHA-256,\n"
    "basicConstraints CA:true critical, keyUsage keyCertSign+cRLSign, subject key id).\n"
    "DIR is created when missing; an existing ca.key or ca.crt is never overwritten.\n"
    "Defaults: --days 3650, --key rsa2048.\n"
    "Exit status: 0 done, 1 refused (a CA exists in DIR), 2 usage error or unwritable DIR.\n";

static int path_join(char *buf, size_t size, const char *a, const char *b)
{
    return (size_t)snprintf(buf, size, "%s%s", a, b) < size ? 0 : -1;
}

int cmd_ca(int argc, char **argv)
{
    const char *cn = NULL, *out = NULL, *days_s = "3650", *key_type = "rsa2048";
    char name[200], kpath[4096], cpath[4096];
    int days;

    if (argc < 2)
        return usage("ca", ca_help, "no COMMAND given (create)");
    if (is_help(argv[1])) {
        fputs(ca_help, stdout);
        return EXIT_ACCEPT;
    }
    if (strcmp(argv[1], "create") != 0)
        return usage("ca", ca_help, "unknown COMMAND (only 'create')");
    for (int i = 2; i < argc; i++) {
        if (is_help(argv[i])) {
            fputs(ca_help, stdout);
            return EXIT_ACCEPT;
        }
        if (!opt(argc, argv, &i, "--cn", &cn) && !opt(argc, argv, &i, "--out", &out) &&
            !opt(argc, argv, &i, "--days", &days_s) && !opt(argc, argv, &i, "--key", &key_type))
            return usage("ca", ca_help, "unknown or incomplete option");
    }
    if (cn == NULL || out == NULL)
        return usage("ca", ca_help, "--cn and --out are required");
    if (parse_days(days_s, &days) != 0)
        return usage("ca", ca_help, "--days takes 1 to 36500");
    if (!valid_key_type(key_type))
        return usage("ca", ca_help, "--key takes rsa2048, rsa3072, rsa4096, ec256 or ec384");
    if (cn_name("ca", cn, name, sizeof(name)) != 0)
        return EXIT_USAGE;
    if (path_join(kpath, sizeof(kpath), out, "/ca.key") != 0 || path_join(cpath, sizeof(cpath), out, "/ca.crt") != 0)
        return usage("ca", ca_help, "--out is too long");
    if (pki_exists(kpath) || pki_exists(cpath)) {
        fprintf(stderr, "certslot ca: %s already holds a CA (ca.key or ca.crt): refusing to overwrite\n", out);
        return EXIT_ERRORS;
    }
    if (mkdir(out, 0700) != 0 && errno != EEXIST) {
        fprintf(stderr, "certslot ca: cannot create %s: %s\n", out, strerror(errno));
        return EXIT_USAGE;
    }

    pki_rng_t rng;
    mbedtls_pk_context key;
    unsigned char *pem = calloc(1, BUF);
    int status = EXIT_ERRORS;
    mbedtls_pk_init(&key);
    if (pem == NULL || pki_rng_init(&rng) != 0) {
        fprintf(stderr, "certslot ca: no random generator\n");
        free(pem);
        return EXIT_ERRORS;
    }
    if (gen_key(key_type, &key, &rng) != 0) {
        fprintf(stderr, "certslot ca: key generation failed\n");
    } else if (make_cert(CERT_ROOT, &key, name, NULL, &key, NULL, NULL, days, &rng, pem, BUF) != 0) {
        fprintf(stderr, "certslot ca: cannot make the certificate\n");
    } else if (write_key("ca", kpath, &key) == 0) {
        if (pki_write_new("ca", cpath, pem, strlen((char *)pem), 0644) == 0) {
            printf("wrote %s and %s\n", kpath, cpath);
            status = EXIT_ACCEPT;
        } else {
            unlink(kpath);
        }
    }
    mbedtls_pk_free(&key);
    pki_rng_free(&rng);
    free(pem);
    return status;
}

/* ---- issue ---- */

static const char issue_help[] =
    "usage: certslot issue --ca DIR --cn NAME [--san DNS_OR_IP]... [--server|--client]\n"
    "                      [--days N] [--key TYPE] [--csr FILE] [--intermediate] --out PREFIX\n"
    "\n"
    "Issues a certificate signed (SHA-256) by the CA in DIR (DIR/ca.key, DIR/ca.crt, and\n"
    "DIR/ca-chain.pem when the CA is an intermediate). Writes PREFIX.crt, PREFIX-chain.pem\n"
    "(the certificate, then the CA's chain up to but excluding the root) and, for a new key\n"
    "(--key, default rsa2048), PREFIX.key (PEM, mode 0600).\n"
    "  --csr FILE       certify the key of a CSR (PEM or DER) whose signature verifies; the\n"
    "                   subject is the CSR's, --cn (optional then) must equal its CN\n"
    "  --san NAME       a further subjectAltName; the CN is always one (an IP literal becomes\n"
    "                   an iPAddress, anything else a dNSName)\n"
    "  --server         extendedKeyUsage serverAuth (the default); --client: clientAuth\n"
    "  --intermediate   a CA (CA:true, pathlen 0, keyCertSign+cRLSign) that can issue leaves:\n"
    "                   --out DIR2/ca makes DIR2 a CA directory for --ca\n"
    "Defaults: --days 825 (1825 with --intermediate). Outputs are never overwritten.\n"
    "Exit status: 0 done, 1 refused (bad CSR, not a CA, outputs exist), 2 usage error or\n"
    "unreadable file.\n";

typedef struct {
    mbedtls_x509_crt ca;    /* ca.crt, then ca-chain.pem's certificates after the first */
    mbedtls_pk_context key; /* ca.key */
    int has_chain;
} ca_dir_t;

static int load_ca(const char *dir, ca_dir_t *c)
{
    char path[4096], why[CERTSLOT_WHY_LEN];
    size_t len;
    unsigned char *data;

    snprintf(path, sizeof(path), "%s/ca.crt", dir);
    if ((data = cli_read_file("issue", path, CLI_FILE_MAX, &len)) == NULL)
        return EXIT_USAGE;
    int ret = certslot_cert_decode(data, len, &c->ca, why, sizeof(why));
    free(data);
    if (ret != 0) {
        fprintf(stderr, "certslot issue: %s: %s\n", path, why);
        return EXIT_ERRORS;
    }
    if (!c->ca.MBEDTLS_PRIVATE(ca_istrue)) {
        fprintf(stderr, "certslot issue: %s is not a CA certificate (basicConstraints CA:true missing)\n", path);
        return EXIT_ERRORS;
    }
    snprintf(path, sizeof(path), "%s/ca.key", dir);
    if ((data = cli_read_file("issue", path, CLI_FILE_MAX, &len)) == NULL)
        return EXIT_USAGE;
    ret = certslot_key_decode(data, len, &c->key, why, sizeof(why));
    pki_free_secret(data, len);
    if (ret == 0 && certslot_key_matches(&c->ca, &c->key) != 0) {
        snprintf(why, sizeof(why), "does not match %s/ca.crt", dir);
        ret = CERTSLOT_ERR_KEY;
    }
    if (ret != 0) {
        fprintf(stderr, "certslot issue: %s: %s\n", path, why);
        return EXIT_ERRORS;
    }
    snprintf(path, sizeof(path), "%s/ca-chain.pem", dir);
    if (pki_exists(path)) {
        mbedtls_x509_crt chain;
        mbedtls_x509_crt_init(&chain);
        if ((data = cli_read_file("issue", path, CLI_FILE_MAX, &len)) == NULL)
            return EXIT_USAGE;
        ret = certslot_cert_decode(data, len, &chain, why, sizeof(why));
        free(data);
        if (ret == 0 && (chain.raw.len != c->ca.raw.len || memcmp(chain.raw.p, c->ca.raw.p, chain.raw.len) != 0)) {
            snprintf(why, sizeof(why), "its first certificate is not ca.crt");
            ret = CERTSLOT_ERR_CERT;
        }
        for (const mbedtls_x509_crt *x = chain.next; ret == 0 && x != NULL; x = x->next)
            if (certslot_cert_parse_der(&c->ca, x->raw.p, x->raw.len) != 0)
                ret = CERTSLOT_ERR_NOMEM;
        mbedtls_x509_crt_free(&chain);
        if (ret != 0) {
            fprintf(stderr, "certslot issue: %s: %s\n", path, why);
            return EXIT_ERRORS;
        }
        c->has_chain = 1;
    }
    return 0;
}

/* Reads and checks a CSR: parsed, signature verified, key acceptable. */
static int load_csr(const char *path, mbedtls_x509_csr *csr)
{
    size_t len;
    unsigned char *data = cli_read_file("issue", path, CLI_FILE_MAX, &len), *buf;
    unsigned char hash[MBEDTLS_MD_MAX_SIZE];

    if (data == NULL)
        return EXIT_USAGE;
    buf = realloc(data, len + 1); /* PEM parsing wants a NUL */
    if (buf == NULL) {
        free(data);
        return EXIT_ERRORS;
    }
    buf[len] = '\0';
    int ret = mbedtls_x509_csr_parse(csr, buf, len > 0 && buf[0] != 0x30 ? len + 1 : len);
    free(buf);
    if (ret != 0) {
        fprintf(stderr, "certslot issue: %s: not a certificate signing request (mbedTLS error -0x%04x)\n", path,
                (unsigned)-ret);
        return EXIT_ERRORS;
    }
    const mbedtls_md_info_t *md = mbedtls_md_info_from_type(csr->MBEDTLS_PRIVATE(sig_md));
    if (md == NULL || mbedtls_md(md, csr->cri.p, csr->cri.len, hash) != 0 ||
        mbedtls_pk_verify_ext(csr->MBEDTLS_PRIVATE(sig_pk), csr->MBEDTLS_PRIVATE(sig_opts), &csr->pk,
                              csr->MBEDTLS_PRIVATE(sig_md), hash, mbedtls_md_get_size(md), csr->MBEDTLS_PRIVATE(sig).p,
                              csr->MBEDTLS_PRIVATE(sig).len) != 0) {
        fprintf(stderr, "certslot issue: %s: the CSR's signature does not verify\n", path);
        return EXIT_ERRORS;
    }
    mbedtls_pk_type_t t = mbedtls_pk_get_type(&csr->pk);
    size_t bits = mbedtls_pk_get_bitlen(&csr->pk);
    if ((t == MBEDTLS_PK_RSA && (bits < 2048 || bits > 4096)) ||
        (t == MBEDTLS_PK_ECKEY && bits != 256 && bits != 384) || (t != MBEDTLS_PK_RSA && t != MBEDTLS_PK_ECKEY)) {
        fprintf(stderr, "certslot issue: %s: key refused by the policy (RSA 2048..4096 or EC P-256/P-384)\n", path);
        return EXIT_ERRORS;
    }
    return 0;
}

static int self_signed(const mbedtls_x509_crt *c)
{
    return c->issuer_raw.len == c->subject_raw.len &&
           memcmp(c->issuer_raw.p, c->subject_raw.p, c->issuer_raw.len) == 0;
}

int cmd_issue(int argc, char **argv)
{
    const char *ca_dir = NULL, *cn = NULL, *out = NULL, *days_s = NULL, *csr_path = NULL, *key_type = "rsa2048";
    const char *v;
    int client = 0, server = 0, inter = 0, days;
    sans_t sans;
    static char extra[MAX_SANS][256];
    unsigned nextra = 0;

    memset(&sans, 0, sizeof(sans));
    for (int i = 1; i < argc; i++) {
        if (is_help(argv[i])) {
            fputs(issue_help, stdout);
            return EXIT_ACCEPT;
        } else if (strcmp(argv[i], "--client") == 0) {
            client = 1;
        } else if (strcmp(argv[i], "--server") == 0) {
            server = 1;
        } else if (strcmp(argv[i], "--intermediate") == 0) {
            inter = 1;
        } else if (opt(argc, argv, &i, "--san", &v)) {
            if (nextra == MAX_SANS)
                return usage("issue", issue_help, "too many --san");
            snprintf(extra[nextra++], sizeof(extra[0]), "%s", v);
        } else if (!opt(argc, argv, &i, "--ca", &ca_dir) && !opt(argc, argv, &i, "--cn", &cn) &&
                   !opt(argc, argv, &i, "--out", &out) && !opt(argc, argv, &i, "--days", &days_s) &&
                   !opt(argc, argv, &i, "--csr", &csr_path) && !opt(argc, argv, &i, "--key", &key_type)) {
            return usage("issue", issue_help, "unknown or incomplete option");
        }
    }
    if (ca_dir == NULL || out == NULL || (cn == NULL && csr_path == NULL))
        return usage("issue", issue_help, "--ca, --out and --cn (or --csr) are required");
    if (client + server + inter > 1)
        return usage("issue", issue_help, "--server, --client and --intermediate exclude each other");
    if (parse_days(days_s != NULL ? days_s : inter ? "1825" : "825", &days) != 0)
        return usage("issue", issue_help, "--days takes 1 to 36500");
    if (!valid_key_type(key_type))
        return usage("issue", issue_help, "--key takes rsa2048, rsa3072, rsa4096, ec256 or ec384");
    if (inter && nextra > 0)
        return usage("issue", issue_help, "an --intermediate has no --san");
    char name[200], kpath[4096], cpath[4096], chpath[4096];
    if (cn != NULL && cn_name("issue", cn, name, sizeof(name)) != 0)
        return EXIT_USAGE;
    if (path_join(kpath, sizeof(kpath), out, ".key") != 0 || path_join(cpath, sizeof(cpath), out, ".crt") != 0 ||
        path_join(chpath, sizeof(chpath), out, "-chain.pem") != 0)
        return usage("issue", issue_help, "--out is too long");
    const char *outs[3] = {cpath, chpath, csr_path == NULL ? kpath : NULL};
    for (int i = 0; i < 3; i++) {
        if (outs[i] != NULL && pki_exists(outs[i])) {
            fprintf(stderr, "certslot issue: %s exists: refusing to overwrite\n", outs[i]);
            return EXIT_ERRORS;
        }
    }

    ca_dir_t ca;
    mbedtls_x509_csr csr;
    mbedtls_pk_context newkey;
    pki_rng_t rng;
    unsigned char *pem = calloc(1, BUF);
    char *chain = NULL;
    size_t chain_len = 0;
    int status = EXIT_ERRORS;
    mbedtls_x509_crt_init(&ca.ca);
    mbedtls_pk_init(&ca.key);
    ca.has_chain = 0;
    mbedtls_x509_csr_init(&csr);
    mbedtls_pk_init(&newkey);
    if (pki_rng_init(&rng) != 0 || pem == NULL) {
        fprintf(stderr, "certslot issue: no random generator\n");
        goto cleanup;
    }
    if ((status = load_ca(ca_dir, &ca)) != 0)
        goto cleanup;
    status = EXIT_ERRORS;
    if (inter && ca.ca.MBEDTLS_PRIVATE(max_pathlen) == 1) {
        fprintf(stderr, "certslot issue: %s/ca.crt has pathlen 0: it cannot issue an intermediate\n", ca_dir);
        goto cleanup;
    }
    mbedtls_pk_context *subject_key = &newkey;
    char subject_cn[260];
    if (csr_path != NULL) {
        if ((status = load_csr(csr_path, &csr)) != 0)
            goto cleanup;
        status = EXIT_ERRORS;
        name_cn(&csr.subject, subject_cn, sizeof(subject_cn));
        if (subject_cn[0] == '\0') {
            fprintf(stderr, "certslot issue: %s: the CSR's subject has no CN\n", csr_path);
            goto cleanup;
        }
        if (cn != NULL && strcmp(cn, subject_cn) != 0) {
            fprintf(stderr, "certslot issue: %s: the CSR asks for CN=%s, not --cn %s\n", csr_path, subject_cn, cn);
            goto cleanup;
        }
        subject_key = &csr.pk;
    } else {
        snprintf(subject_cn, sizeof(subject_cn), "%s", cn);
        if (gen_key(key_type, &newkey, &rng) != 0) {
            fprintf(stderr, "certslot issue: key generation failed\n");
            goto cleanup;
        }
    }
    if (!inter && add_san("issue", &sans, subject_cn) != 0) {
        fprintf(stderr, "certslot issue: the CN goes into the subjectAltName too: it must be a host name or an "
                        "IP address\n");
        goto cleanup;
    }
    for (unsigned i = 0; i < nextra; i++)
        if (add_san("issue", &sans, extra[i]) != 0)
            goto cleanup;
    cert_role_t role = inter ? CERT_INTERMEDIATE : client ? CERT_CLIENT : CERT_SERVER;
    if (make_cert(role, subject_key, csr_path != NULL ? NULL : name, csr_path != NULL ? &csr.subject : NULL, &ca.key,
                  &ca.ca.subject, &sans, days, &rng, pem, BUF) != 0) {
        fprintf(stderr, "certslot issue: cannot make the certificate\n");
        goto cleanup;
    }
    /* The chain: the new certificate, then the CA's chain without the root. */
    size_t pem_len = strlen((char *)pem);
    chain = malloc(pem_len + 1);
    if (chain == NULL)
        goto cleanup;
    memcpy(chain, pem, pem_len + 1);
    chain_len = pem_len;
    for (const mbedtls_x509_crt *x = &ca.ca; x != NULL; x = x->next) {
        if (self_signed(x))
            break;
        if (pki_pem_append(&chain, &chain_len, "CERTIFICATE", x->raw.p, x->raw.len) != 0)
            goto cleanup;
    }
    if (csr_path == NULL && write_key("issue", kpath, &newkey) != 0)
        goto cleanup;
    if (pki_write_new("issue", cpath, pem, pem_len, 0644) != 0 ||
        pki_write_new("issue", chpath, chain, chain_len, 0644) != 0) {
        unlink(cpath);
        if (csr_path == NULL)
            unlink(kpath);
        goto cleanup;
    }
    if (csr_path == NULL)
        printf("wrote %s, %s and %s\n", kpath, cpath, chpath);
    else
        printf("wrote %s and %s\n", cpath, chpath);
    status = EXIT_ACCEPT;
cleanup:
    free(chain);
    free(pem);
    mbedtls_pk_free(&newkey);
    mbedtls_x509_csr_free(&csr);
    mbedtls_pk_free(&ca.key);
    mbedtls_x509_crt_free(&ca.ca);
    pki_rng_free(&rng);
    return status;
}

/* ---- csr ---- */

static const char csr_help[] =
    "usage: certslot csr --cn NAME [--o ORG] [--email E] [--c CC] [--st STATE] --out PREFIX\n"
    "\n"
    "Makes an RSA 2048 key (PREFIX.key, PEM, mode 0600) and a certificate signing request\n"
    "for it (PREFIX.csr, PEM, SHA-256), the same way a handset does ('certslot store csr').\n"
    "Outputs are never overwritten.\n"
    "Exit status: 0 done, 1 refused (outputs exist), 2 usage error.\n";

int cmd_csr(int argc, char **argv)
{
    certslot_csr_subject_t s = {NULL, NULL, NULL, NULL, NULL};
    const char *out = NULL;
    char kpath[4096], cpath[4096], why[CERTSLOT_WHY_LEN] = "";

    for (int i = 1; i < argc; i++) {
        if (is_help(argv[i])) {
            fputs(csr_help, stdout);
            return EXIT_ACCEPT;
        }
        if (!opt(argc, argv, &i, "--cn", &s.cn) && !opt(argc, argv, &i, "--o", &s.o) &&
            !opt(argc, argv, &i, "--email", &s.email) && !opt(argc, argv, &i, "--c", &s.c) &&
            !opt(argc, argv, &i, "--st", &s.st) && !opt(argc, argv, &i, "--out", &out))
            return usage("csr", csr_help, "unknown or incomplete option");
    }
    if (s.cn == NULL || out == NULL)
        return usage("csr", csr_help, "--cn and --out are required");
    if (certslot_csr_check_subject(&s, why, sizeof(why)) != 0)
        return usage("csr", csr_help, why);
    if (path_join(kpath, sizeof(kpath), out, ".key") != 0 || path_join(cpath, sizeof(cpath), out, ".csr") != 0)
        return usage("csr", csr_help, "--out is too long");
    if (pki_exists(kpath) || pki_exists(cpath)) {
        fprintf(stderr, "certslot csr: %s exists: refusing to overwrite\n", pki_exists(kpath) ? kpath : cpath);
        return EXIT_ERRORS;
    }
    unsigned char *key = NULL;
    char *csr = NULL, *kpem = NULL;
    size_t key_len = 0, csr_len = 0, kpem_len = 0;
    int status = EXIT_ERRORS;
    int ret = certslot_csr_generate(pki_os_random, NULL, &s, &key, &key_len, &csr, &csr_len, why, sizeof(why));
    if (ret != 0) {
        fprintf(stderr, "certslot csr: %s\n", why[0] != '\0' ? why : certslot_strerror(ret));
        return EXIT_ERRORS;
    }
    if (pki_pem_append(&kpem, &kpem_len, "RSA PRIVATE KEY", key, key_len) == 0 &&
        pki_write_new("csr", kpath, kpem, kpem_len, 0600) == 0) {
        if (pki_write_new("csr", cpath, csr, csr_len, 0644) == 0) {
            printf("wrote %s and %s\n", kpath, cpath);
            status = EXIT_ACCEPT;
        } else {
            unlink(kpath);
        }
    }
    pki_free_secret(kpem, kpem_len);
    certslot_zeroize(key, key_len);
    certslot_free(key);
    certslot_free(csr);
    return status;
}

/* ---- oneline ---- */

static const char oneline_help[] =
    "usage: certslot oneline FILE\n"
    "\n"
    "Prints the certificate in FILE (PEM, DER or any encoding a config value accepts) as\n"
    "the single-line base64 DER a config value takes (what 'openssl enc -base64 -A' of the\n"
    "DER gives), then a newline. A file with several certificates is refused: a chain goes\n"
    "into a config value as PEM blocks, leaf first.\n"
    "Exit status: 0 done, 1 not exactly one certificate, 2 usage error or unreadable FILE.\n";

int cmd_oneline(int argc, char **argv)
{
    char why[CERTSLOT_WHY_LEN];
    size_t len, n = 0;

    if (argc == 2 && is_help(argv[1])) {
        fputs(oneline_help, stdout);
        return EXIT_ACCEPT;
    }
    if (argc != 2)
        return usage("oneline", oneline_help, "takes exactly one FILE");
    unsigned char *data = cli_read_file("oneline", argv[1], CLI_FILE_MAX, &len);
    if (data == NULL)
        return EXIT_USAGE;
    mbedtls_x509_crt chain;
    mbedtls_x509_crt_init(&chain);
    int ret = certslot_cert_decode(data, len, &chain, why, sizeof(why));
    free(data);
    int status = EXIT_ERRORS;
    if (ret != 0) {
        fprintf(stderr, "certslot oneline: %s: %s\n", argv[1], why);
    } else if (chain.next != NULL) {
        unsigned count = 0;
        for (const mbedtls_x509_crt *x = &chain; x != NULL; x = x->next)
            count++;
        fprintf(stderr,
                "certslot oneline: %s: holds %u certificates; a single-line value holds one (put a chain in the "
                "config as PEM blocks, leaf first)\n",
                argv[1], count);
    } else {
        mbedtls_base64_encode(NULL, 0, &n, chain.raw.p, chain.raw.len);
        unsigned char *b64 = malloc(n);
        if (b64 != NULL && mbedtls_base64_encode(b64, n, &n, chain.raw.p, chain.raw.len) == 0) {
            printf("%.*s\n", (int)n, b64);
            status = EXIT_ACCEPT;
        }
        free(b64);
    }
    mbedtls_x509_crt_free(&chain);
    return status;
}
