/*
 * certslot's own path building and path validation (RFC 5280 6.1), on the
 * certificates mbedTLS parsed: from the peer's certificate up to a trust
 * anchor of the profile (a certificate of its CA slots, or a built-in root),
 * over the other certificates the peer sent in any order, with duplicates,
 * extras and cross-signed alternatives. Candidate issuers are tried by name
 * (and key identifier when both sides have one), trust anchors first; a
 * candidate whose path fails (a signature, dates, a CA rule, pathLen, name
 * constraints, the policy) is backtracked from. The search is bounded: at
 * most CERTSLOT_VERIFY_MAX_DEPTH intermediates (and v->max_depth),
 * CERTSLOT_VERIFY_MAX_PEER certificates of the peer, and
 * CERTSLOT_VERIFY_MAX_SIGNATURES signature checks in all, so a hostile chain
 * of look-alike issuers costs a bounded amount of work.
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include <mbedtls/md.h>
#include <mbedtls/oid.h>

#include "certslot/builtin.h"
#include "certslot/cert.h"
#include "certslot/error.h"
#include "certslot/options.h"
#include "verify_internal.h"

#define CRT(c, f) ((c)->MBEDTLS_PRIVATE(f))

/* One certificate of a path: a parsed certificate, or a built-in root (only its name and key). */
typedef struct {
    const mbedtls_x509_crt *crt; /* for a built-in root: the certificate it issued */
    int builtin;                 /* a built-in root above path[i - 1] */
    int anchor;                  /* a trust anchor: ends the path */
} node_t;

typedef struct {
    certslot_verify_t *v;
    const mbedtls_x509_crt *peer[CERTSLOT_VERIFY_MAX_PEER]; /* [0]: the peer's certificate */
    size_t npeer;
    const mbedtls_x509_crt *trust;
    node_t path[CERTSLOT_VERIFY_MAX_DEPTH + 2];
    int max_inter;      /* intermediates a path may hold */
    unsigned work;      /* signature checks left */
    int best;           /* length of the longest path a failure was found on (-1: none yet) */
    uint32_t best_flags;
    char best_why[sizeof(((certslot_verify_t *)0)->why)];
    char why[sizeof(((certslot_verify_t *)0)->why)];
} search_t;

/* ---- checks of one certificate ---- */

static int same_der(const mbedtls_x509_crt *a, const mbedtls_x509_crt *b)
{
    return a->raw.len == b->raw.len && memcmp(a->raw.p, b->raw.p, a->raw.len) == 0;
}

static int issued_by_name(const mbedtls_x509_crt *child, const mbedtls_x509_crt *parent)
{
    return child->issuer_raw.len == parent->subject_raw.len &&
           memcmp(child->issuer_raw.p, parent->subject_raw.p, parent->subject_raw.len) == 0;
}

/* The authority key identifier of child names another key than parent's subject key identifier. */
static int other_key(const mbedtls_x509_crt *child, const mbedtls_x509_crt *parent)
{
    const mbedtls_x509_buf *aki = &child->authority_key_id.keyIdentifier, *ski = &parent->subject_key_id;
    return aki->len > 0 && ski->len > 0 && (aki->len != ski->len || memcmp(aki->p, ski->p, aki->len) != 0);
}

/* child's signature, checked with parent's key (not inlined: its hash buffer stays out of the recursion). */
#if defined(__GNUC__)
#define NOINLINE __attribute__((noinline))
#else
#define NOINLINE
#endif
static NOINLINE int signed_by(search_t *s, const mbedtls_x509_crt *child, const mbedtls_x509_crt *parent)
{
    unsigned char hash[MBEDTLS_MD_MAX_SIZE];
    const mbedtls_md_info_t *md = mbedtls_md_info_from_type(CRT(child, sig_md));

    if (s->work == 0)
        return 0;
    s->work--;
    for (size_t d = 0; d + 1 < sizeof(s->v->lib_chain) / sizeof(s->v->lib_chain[0]); d++)
        if (s->v->lib_chain[d] == child && s->v->lib_chain[d + 1] == parent && (s->v->lib_signed >> d & 1u) != 0)
            return 1; /* mbedTLS checked this very signature in the handshake (certslot_verify_cb) */
    return md != NULL && mbedtls_md(md, child->tbs.p, child->tbs.len, hash) == 0 &&
           mbedtls_pk_verify_ext(CRT(child, sig_pk), CRT(child, sig_opts), (mbedtls_pk_context *)&parent->pk,
                                 CRT(child, sig_md), hash, mbedtls_md_get_size(md), CRT(child, sig).p,
                                 CRT(child, sig).len) == 0;
}

/* The policy for a key of the path (seed 002; relaxed: RSA from 1024 bits, any curve). */
static uint32_t key_policy(const certslot_verify_t *v, const mbedtls_x509_crt *crt, const char *who)
{
    mbedtls_pk_type_t type = mbedtls_pk_get_type(&crt->pk);
    size_t bits = mbedtls_pk_get_bitlen(&crt->pk);

    if (type == MBEDTLS_PK_RSA && bits < (v->allow_weak ? 1024u : 2048u)) {
        cs_reason((certslot_verify_t *)v, "certificate %s has a weak key (RSA below %u bits)", who,
                  v->allow_weak ? 1024u : 2048u);
        return MBEDTLS_X509_BADCERT_BAD_KEY;
    }
    if ((type == MBEDTLS_PK_ECKEY || type == MBEDTLS_PK_ECDSA) && !v->allow_weak) {
        mbedtls_ecp_group_id g = mbedtls_pk_ec(crt->pk)->MBEDTLS_PRIVATE(grp).id;
        if (g != MBEDTLS_ECP_DP_SECP256R1 && g != MBEDTLS_ECP_DP_SECP384R1) {
            cs_reason((certslot_verify_t *)v, "certificate %s has a weak key (an unaccepted curve: only P-256 and "
                                              "P-384)", who);
            return MBEDTLS_X509_BADCERT_BAD_KEY;
        }
    }
    if (type != MBEDTLS_PK_RSA && type != MBEDTLS_PK_ECKEY && type != MBEDTLS_PK_ECDSA) {
        cs_reason((certslot_verify_t *)v, "certificate %s has an unaccepted key type", who);
        return MBEDTLS_X509_BADCERT_BAD_PK;
    }
    return 0;
}

/* The policy for a signature the path verification checked. */
static uint32_t md_policy(const certslot_verify_t *v, const mbedtls_x509_crt *crt, const char *who)
{
    mbedtls_md_type_t md = CRT(crt, sig_md);
    if (v->allow_weak || md == MBEDTLS_MD_SHA256 || md == MBEDTLS_MD_SHA384 || md == MBEDTLS_MD_SHA512)
        return 0;
    cs_reason((certslot_verify_t *)v, "certificate %s is signed with a hash weaker than SHA-256", who);
    return MBEDTLS_X509_BADCERT_BAD_MD;
}

/* RFC 5280's structural rule for a certificate of the path (an empty issuer name mbedTLS does not parse at all). */
static uint32_t structure(certslot_verify_t *v, const mbedtls_x509_crt *crt, const char *who, const certslot_cert_ext_t *ext)
{
    if (crt->subject_raw.len <= 2 && !ext->san_critical) {
        cs_reason(v, "certificate %s has an empty subject name without a critical subjectAltName (RFC 5280 4.1.2.6)",
                  who);
        return MBEDTLS_X509_BADCERT_OTHER;
    }
    return 0;
}

/* A certificate above the peer's: a CA with keyCertSign (a v1 trust anchor is taken as one). */
static uint32_t issuer_rules(certslot_verify_t *v, const mbedtls_x509_crt *crt, const char *who, int anchor)
{
    if (anchor && crt->version < 3)
        return 0; /* a v1 root, trusted locally: it has no extensions to say it is a CA (seed 000) */
    if (!CRT(crt, ca_istrue)) {
        cs_reason(v, "%s certificate %s is not a CA (basicConstraints CA:false)", anchor ? "trusted" : "intermediate",
                  who);
        return MBEDTLS_X509_BADCERT_NOT_TRUSTED;
    }
    if (mbedtls_x509_crt_has_ext_type(crt, MBEDTLS_X509_EXT_KEY_USAGE) &&
        mbedtls_x509_crt_check_key_usage(crt, MBEDTLS_X509_KU_KEY_CERT_SIGN) != 0) {
        cs_reason(v, "CA certificate %s lacks keyCertSign in its keyUsage (RFC 5280 4.2.1.3)", who);
        return MBEDTLS_X509_BADCERT_KEY_USAGE;
    }
    return 0;
}

/* ---- a whole path: RFC 5280 6.1, from the trust anchor down ---- */

static uint32_t validate(search_t *s, int top)
{
    certslot_verify_t *v = s->v;
    certslot_cert_ext_t ext[CERTSLOT_VERIFY_MAX_DEPTH + 2];
    char who[CERTSLOT_VERIFY_MAX_DEPTH + 2][96];
    uint32_t flags = 0;
    int remaining = INT_MAX;

    for (int i = 0; i <= top; i++) {
        memset(&ext[i], 0, sizeof(ext[i]));
        if (!s->path[i].builtin)
            cs_cert_name(s->path[i].crt, who[i], sizeof(who[i]));
    }
    for (int i = top; i >= 0 && flags == 0; i--) {
        const node_t *n = &s->path[i];
        if (n->builtin)
            continue; /* a built-in root: a name and a key, no dates or extensions */
        const mbedtls_x509_crt *crt = n->crt;
        char why[sizeof(v->why)];
        if (certslot_cert_extensions(crt, who[i], &ext[i], why, sizeof(why)) != 0) {
            cs_reason(v, "%s", why);
            return MBEDTLS_X509_BADCERT_OTHER;
        }
        flags |= cs_validity(v, crt, who[i]);
        flags |= key_policy(v, crt, who[i]);
        if (!n->anchor) /* a trust anchor's self-signature is not part of the path */
            flags |= md_policy(v, crt, who[i]) | structure(v, crt, who[i], &ext[i]);
        if (i > 0) {
            flags |= issuer_rules(v, crt, who[i], n->anchor);
            /* pathLenConstraint: self-issued intermediates do not count (RFC 5280 6.1.4 (l), (m)). */
            if (!n->anchor && !certslot_cert_self_issued(crt)) {
                if (remaining <= 0 && flags == 0) {
                    cs_reason(v, "the path is longer than a CA's pathLenConstraint allows (at %s)", who[i]);
                    flags |= MBEDTLS_X509_BADCERT_NOT_TRUSTED;
                }
                remaining--;
            }
            int pathlen = CRT(crt, max_pathlen); /* mbedTLS keeps pathLenConstraint + 1; 0: none */
            if (pathlen > 0 && pathlen - 1 < remaining)
                remaining = pathlen - 1;
        }
        /* Name constraints of every CA above apply to this certificate. */
        for (int k = top; k > i && flags == 0; k--) {
            if (s->path[k].builtin || ext[k].nc == NULL)
                continue;
            if (cs_nc_check(ext[k].nc, ext[k].nc_len, ext[k].nc_critical, who[k], crt, who[i], i == 0, why,
                            sizeof(why)) != 0) {
                cs_reason(v, "%s", why);
                flags |= MBEDTLS_X509_BADCERT_NOT_TRUSTED;
            }
        }
    }
    return flags;
}

/* ---- the search ---- */

/* Keeps the reason of the failure that got furthest (the most complete path), for the message. */
static void note_failure(search_t *s, int len, uint32_t flags)
{
    if (len > s->best) {
        s->best = len;
        s->best_flags = flags;
        snprintf(s->best_why, sizeof(s->best_why), "%s", s->v->why);
    }
    s->v->why[0] = '\0';
}

static int in_path(const search_t *s, int depth, const mbedtls_x509_crt *c)
{
    for (int i = 0; i <= depth; i++)
        if (!s->path[i].builtin && (s->path[i].crt == c || same_der(s->path[i].crt, c)))
            return 1;
    return 0;
}

static int extend(search_t *s, int depth);

/*
 * The reasons of a failed step, apart from the recursion (try_parent and
 * extend), so that their buffers are not on the stack once per level.
 */
static NOINLINE void say_bad_signature(search_t *s, const mbedtls_x509_crt *child, const mbedtls_x509_crt *parent)
{
    char who[96], by[96];
    cs_cert_name(child, who, sizeof(who));
    cs_cert_name(parent, by, sizeof(by));
    cs_reason(s->v, "the signature of certificate %s does not verify with the key of %s", who, by);
}

static NOINLINE void say_not_found(search_t *s, const mbedtls_x509_crt *child, int named)
{
    char who[96], issuer[128];
    cs_cert_name(child, who, sizeof(who));
    if (mbedtls_x509_dn_gets(issuer, sizeof(issuer), &child->issuer) < 0)
        snprintf(issuer, sizeof(issuer), "?");
    cs_reason(s->v, "certificate %s is not issued by a CA this profile trusts (its issuer, %s, was %s)", who, issuer,
              named ? "found only with another key identifier" : "not found");
}

/* Tries parent (a trust anchor when anchor) as the issuer of path[depth]: 0 when a whole path was accepted. */
static int try_parent(search_t *s, int depth, const mbedtls_x509_crt *parent, int anchor)
{
    const mbedtls_x509_crt *child = s->path[depth].crt;

    if (!issued_by_name(child, parent) || other_key(child, parent) || in_path(s, depth, parent))
        return -1;
    if (!anchor && depth + 1 > s->max_inter) { /* it would be one intermediate too many */
        cs_reason(s->v, "the path needs more intermediate certificates than the limit of %d", s->max_inter);
        note_failure(s, depth + 2, MBEDTLS_X509_BADCERT_NOT_TRUSTED);
        return -1;
    }
    if (!signed_by(s, child, parent)) {
        say_bad_signature(s, child, parent);
        note_failure(s, depth + 1, MBEDTLS_X509_BADCERT_NOT_TRUSTED);
        return -1;
    }
    s->path[depth + 1] = (node_t){parent, 0, anchor};
    if (!anchor)
        return extend(s, depth + 1);
    uint32_t flags = validate(s, depth + 1);
    if (flags == 0)
        return 0;
    note_failure(s, depth + 2, flags);
    return -1;
}

/* Finds an issuer for path[depth] and completes the path from there: 0 when accepted. */
static int extend(search_t *s, int depth)
{
    const mbedtls_x509_crt *child = s->path[depth].crt;
    int found = 0, named = 0; /* a candidate of the issuer's name and key identifier; of the name only */

    for (const mbedtls_x509_crt *t = s->trust; t != NULL && t->raw.len > 0 && s->work > 0; t = t->next) {
        named |= issued_by_name(child, t);
        found |= issued_by_name(child, t) && !other_key(child, t);
        if (try_parent(s, depth, t, 1) == 0)
            return 0;
    }
    if (s->v->builtin && s->work > 0 && certslot_builtin_find(child->issuer_raw.p, child->issuer_raw.len) >= 0) {
        found = 1;
        s->work--;
        if (certslot_builtin_verify_issued(child) == 0) {
            s->path[depth + 1] = (node_t){child, 1, 1};
            uint32_t flags = validate(s, depth + 1);
            if (flags == 0)
                return 0;
            note_failure(s, depth + 2, flags);
        }
    }
    for (size_t i = 1; i < s->npeer && s->work > 0; i++) {
        named |= issued_by_name(child, s->peer[i]);
        found |= issued_by_name(child, s->peer[i]) && !other_key(child, s->peer[i]);
        if (try_parent(s, depth, s->peer[i], 0) == 0)
            return 0;
    }
    if (!found) {
        say_not_found(s, child, named);
        note_failure(s, depth + 1, MBEDTLS_X509_BADCERT_NOT_TRUSTED);
    }
    return -1;
}

uint32_t cs_path_verify(certslot_verify_t *v, const mbedtls_x509_crt *chain, const mbedtls_x509_crt *trust)
{
    search_t s; /* on the stack (under 1 KiB; the search about 5 KiB at most): threads share nothing */

    memset(&s, 0, sizeof(s));
    s.v = v;
    s.trust = trust;
    s.work = CERTSLOT_VERIFY_MAX_SIGNATURES;
    s.best = -1;
    s.max_inter = v->max_depth < CERTSLOT_VERIFY_MAX_DEPTH ? v->max_depth : CERTSLOT_VERIFY_MAX_DEPTH;
    for (const mbedtls_x509_crt *c = chain; c != NULL && c->raw.len > 0; c = c->next) {
        if (s.npeer == CERTSLOT_VERIFY_MAX_PEER) { /* a handshake refuses such a chain too (tls.c) */
            cs_reason(v, "the chain holds more than %d certificates (CERTSLOT_VERIFY_MAX_PEER)",
                      CERTSLOT_VERIFY_MAX_PEER);
            return MBEDTLS_X509_BADCERT_OTHER;
        }
        s.peer[s.npeer++] = c;
    }
    if (s.npeer == 0) {
        cs_reason(v, "no certificate to verify");
        return MBEDTLS_X509_BADCERT_MISSING;
    }
    s.path[0] = (node_t){chain, 0, 0};
    v->why[0] = '\0';
    /* The peer's own certificate, when the profile trusts exactly it. */
    for (const mbedtls_x509_crt *t = trust; t != NULL && t->raw.len > 0; t = t->next) {
        if (same_der(t, chain)) {
            s.path[0].anchor = 1;
            uint32_t flags = validate(&s, 0);
            if (flags == 0)
                return 0;
            note_failure(&s, 1, flags);
        }
    }
    if (extend(&s, 0) == 0)
        return 0;
    if (s.work == 0) { /* cut short: a path it did not try may have been the one, so no path's reason is the reason */
        snprintf(v->why, sizeof(v->why), "no path to a trusted CA within %d signature checks",
                 CERTSLOT_VERIFY_MAX_SIGNATURES);
        return MBEDTLS_X509_BADCERT_NOT_TRUSTED;
    }
    snprintf(v->why, sizeof(v->why), "%s", s.best_why);
    return s.best_flags != 0 ? s.best_flags : MBEDTLS_X509_BADCERT_NOT_TRUSTED;
}
