/*
 * A simulated handset: the firmware's main job from an empty store, built
 * for ARM and run under qemu-arm by `make demo`.
 *
 *   handset --dir STORE --mac MAC [--ca-url URL] --server URL
 *           [--peer APP[!]=HOST:PORT[,NAME]]...
 *
 * 1. (optional) installs the provisioning CA from --ca-url into platform CA
 *    slot 2, as an administrator does from the handset's menu (seed 000);
 * 2. provisions from --server (boot flow: <mac>.cfg or 000000000000.cfg and
 *    its CONFIG_FILES) with the provisioning profile and strict name check;
 * 3. prints the slot table and each application's profile;
 * 4. makes one verified TLS connection per --peer with that application's
 *    profile ("APP!" : one that must be refused), and prints a summary.
 *    Exit 0 when everything went as expected.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "certslot/cert.h"
#include "certslot/error.h"
#include "certslot/fetch.h"
#include "certslot/hal_linux.h"
#include "certslot/profile.h"
#include "certslot/prov.h"
#include "certslot/store.h"
#include "certslot/tls.h"

#define MAX_PEERS 8

static int passed, failed;

static void result(int ok, const char *what, const char *detail)
{
    printf("  [%s] %s%s%s\n", ok ? "PASS" : "FAIL", what, detail[0] != '\0' ? ": " : "", detail);
    if (ok)
        passed++;
    else
        failed++;
}

static void log_line(void *ctx, certslot_log_level_t level, const char *msg)
{
    (void)ctx;
    if (level >= CERTSLOT_LOG_WARNING)
        printf("  log: %s\n", msg);
}

static void report(void *ctx, const char *msg)
{
    (void)ctx;
    printf("  %s\n", msg);
}

static void slot_table(const certslot_store_t *st)
{
    int64_t now = (int64_t)time(NULL);
    int rows = 0;

    printf("\n== slot table\n");
    for (unsigned s = 0; s < CERTSLOT_SLOT_COUNT; s++) {
        for (unsigned k = 0; k < 2; k++) {
            const certslot_part_t *p = &st->part[s][k];
            for (unsigned i = 0; i < p->ncerts; i++) {
                mbedtls_x509_crt crt;
                certslot_cert_info_t info;
                char when[64];
                mbedtls_x509_crt_init(&crt);
                if (certslot_cert_parse_der(&crt, p->certs[i].der, p->certs[i].len) == 0 &&
                    certslot_cert_info(&crt, &info) == 0) {
                    certslot_time_iso8601(info.not_after, when, sizeof(when));
                    printf("  %-12s %-6s %-28s issuer %-24s until %s (%ld days) %s-%u%s\n",
                           certslot_slot_name((certslot_slot_t)s), k == 0 ? "ca" : i == 0 ? "device" : "chain",
                           info.subject_cn, info.issuer_cn, when, (long)((info.not_after - now) / 86400),
                           info.key_type, info.key_bits, k == 1 && i == 0 && p->key.der != NULL ? " +key" : "");
                    rows++;
                }
                mbedtls_x509_crt_free(&crt);
            }
        }
    }
    if (rows == 0)
        printf("  (empty)\n");
}

static void profiles(const certslot_settings_t *settings, const certslot_store_t *st)
{
    static const char *const versions[] = {"any", "TLS 1.0", "TLS 1.1", "TLS 1.2"};

    printf("\n== applications\n");
    for (unsigned a = 0; a < CERTSLOT_APP_COUNT; a++) {
        certslot_app_profile_t p;
        char why[256] = "", cas[128] = "";
        int ret = certslot_profile_resolve(settings, st, (certslot_app_t)a, &p, why, sizeof(why));
        if (p.builtin)
            strcat(cas, "built-in");
        for (unsigned s = 0; s < CERTSLOT_SLOT_COUNT; s++) {
            if (p.ca_slots & (1u << s)) {
                strcat(cas, cas[0] != '\0' ? "+" : "");
                strcat(cas, certslot_slot_name((certslot_slot_t)s));
            }
        }
        printf("  %-12s %-20s CAs %-32s device %-12s min %-7s name check %s%s%s\n",
               certslot_app_name((certslot_app_t)a), p.profile_name, cas[0] != '\0' ? cas : "(none)",
               p.device == CERTSLOT_DEVICE_BUILTIN ? "built-in" : certslot_slot_name((certslot_slot_t)p.device),
               versions[p.min_version], p.strict ? "on" : "OFF", ret != 0 ? "  -- " : "", ret != 0 ? why : "");
    }
}

typedef struct {
    certslot_app_t app;
    char host[128];
    unsigned port;
    char name[128];
    int expect_refusal;
} peer_t;

static int parse_peer(const char *text, peer_t *p)
{
    char app[32];
    const char *eq = strchr(text, '='), *colon, *comma;

    if (eq == NULL || (size_t)(eq - text) >= sizeof(app))
        return -1;
    snprintf(app, sizeof(app), "%.*s", (int)(eq - text), text);
    p->expect_refusal = eq > text && eq[-1] == '!';
    if (p->expect_refusal)
        app[strlen(app) - 1] = '\0';
    if (certslot_app_parse(app, &p->app) != 0)
        return -1;
    colon = strrchr(eq, ':');
    comma = strchr(eq, ',');
    if (colon == NULL || (comma != NULL && comma < colon))
        return -1;
    snprintf(p->host, sizeof(p->host), "%.*s", (int)(colon - eq - 1), eq + 1);
    p->port = (unsigned)strtoul(colon + 1, NULL, 10);
    snprintf(p->name, sizeof(p->name), "%s", comma != NULL ? comma + 1 : p->host);
    return p->port > 0 && p->port < 65536 ? 0 : -1;
}

/* The browser's job: one HTTP GET over the verified connection; the status line into status. */
static void http_get(certslot_tls_conn_t *c, const char *host, char *status, size_t size)
{
    char req[512];
    unsigned char buf[256];
    size_t have = 0;
    int n = snprintf(req, sizeof(req),
                     "GET /ca.crt HTTP/1.0\r\nHost: %s\r\nAuthorization: Basic UGxjbVNwSXA6UGxjbVNwSXA=\r\n\r\n", host);

    snprintf(status, size, "no answer");
    if (n <= 0 || certslot_tls_write(c, (const unsigned char *)req, (size_t)n) != n)
        return;
    while (have < sizeof(buf) - 1 && (n = certslot_tls_read(c, buf + have, sizeof(buf) - 1 - have)) > 0)
        have += (size_t)n;
    buf[have] = '\0';
    char *eol = strpbrk((char *)buf, "\r\n");
    if (eol != NULL)
        *eol = '\0';
    if (have > 0)
        snprintf(status, size, "%.60s", (char *)buf);
}

static void connect_peer(const certslot_hal_t *hal, const certslot_settings_t *settings, const certslot_store_t *st,
                         const peer_t *p)
{
    certslot_tls_t tls;
    certslot_tls_conn_t c;
    char why[256], what[256];
    certslot_tls_init(&tls);
    int ret = certslot_tls_setup(&tls, hal, settings, st, p->app, why, sizeof(why));

    snprintf(what, sizeof(what), "%s to %s:%u as '%s'", certslot_app_name(p->app), p->host, p->port, p->name);
    if (ret == 0)
        ret = certslot_tls_connect(&c, &tls, p->host, (uint16_t)p->port, p->name, 10000, why, sizeof(why));
    if (ret == 0) {
        char status[64] = "";
        if (p->app == CERTSLOT_APP_BROWSER)
            http_get(&c, p->name, status, sizeof(status));
        snprintf(why, sizeof(why), "%s, %s, verified%s%s%s%s", mbedtls_ssl_get_version(&c.ssl),
                 mbedtls_ssl_get_ciphersuite(&c.ssl), tls.has_own ? ", client certificate " : "",
                 tls.has_own ? tls.own_cn : "", status[0] != '\0' ? ", GET /ca.crt: " : "", status);
        certslot_tls_close(&c);
    }
    if (p->expect_refusal && ret != 0) {
        char refused[300];
        snprintf(refused, sizeof(refused), "refused as it must be: %s", why);
        result(1, what, refused);
    } else {
        result(ret == 0 && !p->expect_refusal, what, why);
    }
    certslot_tls_free(&tls);
}

int main(int argc, char **argv)
{
    static certslot_store_t st;
    certslot_hal_linux_t lh;
    certslot_hal_t hal;
    certslot_hal_linux_options_t opt;
    peer_t peers[MAX_PEERS];
    int npeers = 0;
    const char *dir = NULL, *mac = NULL, *ca_url = NULL, *server = NULL, *secret = NULL, *counter = NULL;
    char why[256], secret_path[4096], counter_path[4096];

    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--dir") == 0)
            dir = argv[i + 1];
        else if (strcmp(argv[i], "--mac") == 0)
            mac = argv[i + 1];
        else if (strcmp(argv[i], "--ca-url") == 0)
            ca_url = argv[i + 1];
        else if (strcmp(argv[i], "--server") == 0)
            server = argv[i + 1];
        else if (strcmp(argv[i], "--secret") == 0)
            secret = argv[i + 1];
        else if (strcmp(argv[i], "--counter") == 0)
            counter = argv[i + 1];
        else if (strcmp(argv[i], "--peer") == 0 && npeers < MAX_PEERS && parse_peer(argv[i + 1], &peers[npeers]) == 0)
            npeers++;
        else {
            fprintf(stderr, "handset: bad argument '%s'\n", argv[i]);
            return 2;
        }
    }
    if (dir == NULL || mac == NULL || server == NULL) {
        fprintf(stderr, "usage: handset --dir STORE [--secret FILE] [--counter FILE] --mac MAC [--ca-url URL] --server URL\n"
                        "               [--peer APP[!]=HOST:PORT[,NAME]]...\n"
                        "(the secret and the counter default to STORE.secret and STORE.counter, beside STORE)\n");
        return 2;
    }
    /* The handset's choice: the device secret and the anti-rollback counter apart from the store directory
     * (on real hardware: derived from OTP or a TEE, and RPMB). */
    snprintf(secret_path, sizeof(secret_path), "%s", secret != NULL ? secret : dir);
    snprintf(counter_path, sizeof(counter_path), "%s", counter != NULL ? counter : dir);
    if (secret == NULL)
        strncat(secret_path, ".secret", sizeof(secret_path) - strlen(secret_path) - 1);
    if (counter == NULL)
        strncat(counter_path, ".counter", sizeof(counter_path) - strlen(counter_path) - 1);
    memset(&opt, 0, sizeof(opt));
    opt.storage_dir = dir;
    opt.secret_path = secret_path;
    opt.counter_path = counter_path;
    opt.create = 1;
    opt.mac = mac;
    opt.log = log_line;
    certslot_hal_linux_init(&lh);
    if (certslot_hal_linux_open(&lh, &hal, &opt) != 0 || certslot_store_open(&st, &hal) != 0) {
        fprintf(stderr, "handset: cannot open the store in %s\n", dir);
        return 2;
    }
    printf("== handset %s boots: store generation %llu\n", mac, (unsigned long long)st.generation);
    slot_table(&st);

    if (ca_url != NULL) {
        certslot_fetch_opts_t fo;
        certslot_result_t fr;
        memset(&fo, 0, sizeof(fo));
        fo.hal = &hal;
        printf("\n== install the provisioning CA from %s (menu: Custom CA Certificates)\n", ca_url);
        int ret = certslot_fetch_install(&st, CERTSLOT_SLOT_PLATFORM2, CERTSLOT_KIND_CA, ca_url, &fo, 0, &fr);
        result(ret == 0, "CA installed from URL", fr.msg);
    }

    printf("\n== provisioning from %s\n", server);
    certslot_url_t url;
    certslot_result_t pr;
    int ret = certslot_prov_server(&url, server, 3, NULL, NULL, why, sizeof(why));
    if (ret == 0)
        ret = certslot_prov_run(&st, &hal, &url, 10000, report, NULL, &pr);
    result(ret == 0, "provisioning applied", ret == 0 ? pr.msg : ret == CERTSLOT_ERR_VALUE ? why : pr.msg);

    slot_table(&st);
    profiles(&st.settings, &st);

    printf("\n== one connection per peer\n");
    for (int i = 0; i < npeers; i++)
        connect_peer(&hal, &st.settings, &st, &peers[i]);

    printf("\n== summary: %d passed, %d failed\n", passed, failed);
    certslot_store_free(&st);
    certslot_hal_linux_free(&lh);
    return failed == 0 ? 0 : 1;
}
