/*
 * Provisioning, URL install and log upload, the firmware code on the
 * simulated handset against real servers (tests/servers/prov-servers.sh:
 * nginx HTTP/HTTPS, vsftpd FTP/FTPS, tftpd-hpa), so that the ARM build
 * under qemu-arm talks to them too. Every refusal leaves the store exactly
 * as it was; a server that never answers ends in the timeout.
 */
#define _GNU_SOURCE /* pipe2 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>

#include <cmocka.h>

#include <mbedtls/sha256.h>
#include <mbedtls/version.h>
#include <mbedtls/x509_crt.h>

#include "certslot/config.h"
#include "certslot/error.h"
#include "certslot/fetch.h"
#include "certslot/hal_sim.h"
#include "certslot/platform.h"
#include "certslot/profile.h"
#include "certslot/prov.h"
#include "certslot/store.h"
#include "certslot/url.h"
#include "testutil.h"

#define LOCAL "127.0.0.1"
#define USER "certslotftp" /* prov-servers.sh: a login on every server */
#define PASSWORD "PlcmSpIp"
#define TIMEOUT_MS 5000u       /* runs that should succeed (qemu is slow) */
#define SHORT_TIMEOUT_MS 1000u /* runs against a server that never answers */

/* ---- the servers (group fixture) ---- */

static char srv[256];   /* prov-servers.sh's directory; files are served from srv/files */
static int watch_fd = -1; /* closing it (or dying) makes the watchdog stop the servers */
static pid_t watch_pid;
static unsigned port_of[CERTSLOT_SCHEME_COUNT]; /* by certslot_scheme_t */
static unsigned ftps12_port; /* implicit FTPS, the server limited to TLS 1.2 */
static unsigned apache_http, apache_https; /* apache2: /digest/, /basic/ and redirects (prov-servers.sh) */
static unsigned tftp_noopts_port;           /* tftpd-hpa refusing every RFC 2347 option */
static unsigned proftpd_port, pureftpd_port, atftpd_port; /* unpacked into build/servers (prov-servers.sh) */
static unsigned char ec_root[2048], rsa_root[2048];
static size_t ec_root_len, rsa_root_len;

static void script_path(char *buf, size_t size)
{
    /* CERTSLOT_TESTDATA is <repo>/tests/data. */
    const char *data = getenv("CERTSLOT_TESTDATA");
    snprintf(buf, size, "%s/../servers/prov-servers.sh", data != NULL ? data : "tests/data");
}

static void served_write(const char *name, const char *data, size_t len)
{
    char dir[300];
    snprintf(dir, sizeof(dir), "%s/files", srv);
    tu_write(dir, name, data, len);
    char path[600];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    chmod(path, 0644);
}

static char *served_read(const char *name, size_t *len)
{
    char path[600];
    snprintf(path, sizeof(path), "%s/files/%s", srv, name);
    return tu_read(path, len);
}

static void served_remove(const char *name)
{
    char path[600];
    snprintf(path, sizeof(path), "%s/files/%s", srv, name);
    unlink(path);
}

/* A PKI certificate's DER, and its PEM body on one line (a config value). */
static void pki_der(const char *name, unsigned char *der, size_t size, size_t *len)
{
    mbedtls_x509_crt crt;
    size_t n;
    char *pem = tu_pki_read(name, &n);
    mbedtls_x509_crt_init(&crt);
    assert_int_equal(mbedtls_x509_crt_parse(&crt, (const unsigned char *)pem, n + 1), 0);
    assert_true(crt.raw.len <= size);
    memcpy(der, crt.raw.p, crt.raw.len);
    *len = crt.raw.len;
    mbedtls_x509_crt_free(&crt);
    free(pem);
}

static char *pem_body(const char *name)
{
    size_t n;
    char *pem = tu_pki_read(name, &n), *out = malloc(n + 1), *o = out;
    assert_non_null(out);
    for (char *line = strtok(pem, "\n"); line != NULL; line = strtok(NULL, "\n"))
        if (strncmp(line, "-----", 5) != 0)
            o += sprintf(o, "%s", line);
    *o = '\0';
    free(pem);
    return out;
}

static int run_script(const char *cmd)
{
    char script[512];
    script_path(script, sizeof(script));
    pid_t pid = fork();
    if (pid == 0) {
        execl("/bin/bash", "bash", script, cmd, srv, tu_pki(""), (char *)NULL);
        _exit(127);
    }
    int status = -1;
    if (pid < 0 || waitpid(pid, &status, 0) != pid)
        return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static int start_servers(void **state)
{
    int p[2];
    (void)state;

    snprintf(srv, sizeof(srv), "%s", tu_tmpdir());
    /*
     * The watchdog: a child that waits until the write end of a pipe closes
     * (the teardown closes it, or the test dies: a crash, a sanitizer
     * abort), then stops the servers and removes their directory. The write
     * end is close-on-exec so that the servers do not keep it open.
     */
    assert_int_equal(pipe2(p, O_CLOEXEC), 0);
    watch_pid = fork();
    assert_true(watch_pid >= 0);
    if (watch_pid == 0) {
        char script[512], b;
        close(p[1]);
        while (read(p[0], &b, 1) != 0 && errno == EINTR)
            ;
        script_path(script, sizeof(script));
        execl("/bin/bash", "bash", "-c", "\"$0\" stop \"$1\"; rm -rf \"$1\"", script, srv, (char *)NULL);
        _exit(127);
    }
    close(p[0]);
    watch_fd = p[1];

    if (run_script("start") != 0) {
        print_error("the provisioning test servers did not start (tests/servers/prov-servers.sh)\n");
        return -1;
    }
    char env[700];
    snprintf(env, sizeof(env), "%s/ports.env", srv);
    char *ports = tu_read(env, NULL);
    static const struct {
        const char *key;
        certslot_scheme_t scheme;
    } keys[] = {{"FTP_PORT=", CERTSLOT_SCHEME_FTP},
                {"TFTP_PORT=", CERTSLOT_SCHEME_TFTP},
                {"HTTP_PORT=", CERTSLOT_SCHEME_HTTP},
                {"HTTPS_PORT=", CERTSLOT_SCHEME_HTTPS},
                {"FTPS_PORT=", CERTSLOT_SCHEME_FTPS},
                {"FTPES_PORT=", CERTSLOT_SCHEME_FTPES},
                {"FTPS12_PORT=", CERTSLOT_SCHEME_COUNT},
                {"APACHE_HTTP_PORT=", CERTSLOT_SCHEME_COUNT},
                {"APACHE_HTTPS_PORT=", CERTSLOT_SCHEME_COUNT},
                {"TFTP_NOOPTS_PORT=", CERTSLOT_SCHEME_COUNT},
                {"PROFTPD_PORT=", CERTSLOT_SCHEME_COUNT},
                {"PUREFTPD_PORT=", CERTSLOT_SCHEME_COUNT},
                {"ATFTPD_PORT=", CERTSLOT_SCHEME_COUNT}};
    unsigned *extra[] = {&ftps12_port, &apache_http, &apache_https, &tftp_noopts_port,
                         &proftpd_port, &pureftpd_port, &atftpd_port};
    size_t next_extra = 0;
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        const char *k = ports;
        while ((k = strstr(k, keys[i].key)) != NULL && k != ports && k[-1] != '\n')
            k++;
        assert_non_null(k);
        unsigned *port = keys[i].scheme == CERTSLOT_SCHEME_COUNT ? extra[next_extra++] : &port_of[keys[i].scheme];
        *port = (unsigned)strtoul(k + strlen(keys[i].key), NULL, 10);
        assert_true(*port > 0 && *port < 65536);
    }
    free(ports);

    /* What the servers serve: the handset's master file names wireless.cfg, which sets a CA slot and a
     * setting; ca.pem / ca.der / junk.txt for URL installs; broken/ has a file that is not XML. */
    pki_der("root-ec.crt", ec_root, sizeof(ec_root), &ec_root_len);
    pki_der("root-rsa.crt", rsa_root, sizeof(rsa_root), &rsa_root_len);
    const char *master = "<APPLICATION CONFIG_FILES=\"wireless.cfg\"/>\n";
    served_write(CERTSLOT_HAL_SIM_DEFAULT_MAC ".cfg", master, strlen(master));
    char *body = pem_body("root-ec.crt"), wireless[4096];
    snprintf(wireless, sizeof(wireless),
             "<w device.set=\"1\" device.sec.TLS.customCaCert1=\"%s\" device.sec.TLS.customCaCert1.set=\"1\"\n"
             "   sec.TLS.profileSelection.SIP=\"ApplicationProfile3\" device.wifi.ssid=\"ProvNet\"/>\n",
             body);
    free(body);
    served_write("wireless.cfg", wireless, strlen(wireless));
    size_t n;
    char *pem = tu_pki_read("root-rsa.crt", &n);
    served_write("ca.pem", pem, n);
    free(pem);
    served_write("ca.der", (const char *)rsa_root, rsa_root_len);
    served_write("junk.txt", "not a certificate\n", 18);
    char broken[300];
    snprintf(broken, sizeof(broken), "%s/files/broken", srv);
    assert_int_equal(mkdir(broken, 0755), 0);
    served_write("broken/000000000000.cfg", "<A CONFIG_FILES=\"wireless.cfg, bad.cfg\"/>", 41);
    served_write("broken/wireless.cfg", wireless, strlen(wireless));
    served_write("broken/bad.cfg", "<x a=\"1\"", 8);
    /* inject/: a master file that smuggles FTP commands through CONFIG_FILES (issue 11, finding 1). */
    char inject[300];
    snprintf(inject, sizeof(inject), "%s/files/inject", srv);
    assert_int_equal(mkdir(inject, 0777), 0);
    const char *evil = "<A CONFIG_FILES=\"site.cfg&#13;&#10;DELE important.txt&#13;&#10;SITE CHMOD 777 important.txt,"
                       " wireless.cfg\"/>";
    served_write("inject/000000000000.cfg", evil, strlen(evil));
    served_write("inject/wireless.cfg", wireless, strlen(wireless));
    /* generic/: no <mac>.cfg, and a CONFIG_FILES entry that does not exist (per-handset files are optional). */
    char generic[300];
    snprintf(generic, sizeof(generic), "%s/files/generic", srv);
    assert_int_equal(mkdir(generic, 0755), 0);
    served_write("generic/000000000000.cfg", "<A CONFIG_FILES=\"[mac]-site.cfg, wireless.cfg\"/>", 48);
    served_write("generic/wireless.cfg", wireless, strlen(wireless));
    return 0;
}

static int stop_servers(void **state)
{
    (void)state;
    if (watch_fd >= 0) {
        close(watch_fd);
        watch_fd = -1;
        waitpid(watch_pid, NULL, 0);
    }
    return 0;
}

/* ---- the handset (per test) ---- */

static certslot_hal_sim_t sim;
static certslot_hal_t hal;
static certslot_store_t st;
static char reports[4096];

static void report(void *ctx, const char *msg)
{
    size_t n = strlen(reports);
    (void)ctx;
    snprintf(reports + n, sizeof(reports) - n, "%s\n", msg);
}

static void apply_xml(const char *xml)
{
    certslot_config_t *cfg = calloc(1, sizeof(*cfg));
    assert_non_null(cfg);
    certslot_config_init(cfg);
    assert_int_equal(certslot_config_parse_buffer(cfg, "test.cfg", xml, strlen(xml)), 0);
    assert_int_equal(certslot_config_finish(cfg), 0);
    assert_int_equal(certslot_config_apply(cfg, &st, NULL, NULL), 0);
    certslot_config_free(cfg);
    free(cfg);
}

/* The handset before provisioning: root-rsa (which issued the servers' chain) in platform2, and stored
 * settings that are not the defaults. */
static int handset_up(void **state)
{
    certslot_result_t r;
    size_t n;
    (void)state;
    reports[0] = '\0';
    certslot_hal_sim_init(&sim, &hal);
    sim.now = (int64_t)time(NULL); /* the test PKI is made today */
    assert_int_equal(certslot_store_open(&st, &hal), 0);
    char *pem = tu_pki_read("root-rsa.crt", &n);
    int ret = certslot_store_install(&st, CERTSLOT_SLOT_PLATFORM2, CERTSLOT_KIND_CA, (unsigned char *)pem, n, NULL,
                                     0, 0, &r);
    free(pem);
    assert_int_equal(ret, 0);
    apply_xml("<x sec.TLS.profileSelection.LDAP=\"ApplicationProfile2\"/>");
    return 0;
}

static int handset_down(void **state)
{
    (void)state;
    certslot_store_free(&st);
    certslot_hal_sim_free(&sim);
    return 0;
}

typedef struct {
    unsigned char h[32];
} digest_t;

/* Everything the store holds: every slot part and the stored settings. */
static digest_t store_digest(void)
{
    mbedtls_sha256_context c;
    digest_t d;
    mbedtls_sha256_init(&c);
#define SHA_START mbedtls_sha256_starts
#define SHA_UPDATE mbedtls_sha256_update
#define SHA_FINISH mbedtls_sha256_finish
    SHA_START(&c, 0);
    for (unsigned i = 0; i < CERTSLOT_SLOT_COUNT; i++)
        for (unsigned k = 0; k < 2; k++) {
            const certslot_part_t *p = &st.part[i][k];
            unsigned char tag[4] = {(unsigned char)i, (unsigned char)k, (unsigned char)p->ncerts,
                                    (unsigned char)(p->key.der != NULL)};
            SHA_UPDATE(&c, tag, sizeof(tag));
            for (unsigned n = 0; n < p->ncerts; n++)
                SHA_UPDATE(&c, p->certs[n].der, p->certs[n].len);
            if (p->key.der != NULL)
                SHA_UPDATE(&c, p->key.der, p->key.len);
        }
    unsigned char settings[sizeof(st.settings.text) + 256];
    size_t n = certslot_settings_encode(&st.settings, settings, sizeof(settings));
    SHA_UPDATE(&c, settings, n);
    SHA_FINISH(&c, d.h);
    mbedtls_sha256_free(&c);
    return d;
}

#define assert_store_unchanged(before)                                                                             \
    do {                                                                                                           \
        digest_t after_ = store_digest();                                                                          \
        if (memcmp((before).h, after_.h, sizeof(after_.h)) != 0)                                                   \
            fail_msg("the store changed");                                                                         \
    } while (0)

/* 1 when slot's CA part holds exactly der. */
static int ca_is(certslot_slot_t slot, const unsigned char *der, size_t len)
{
    const certslot_part_t *p = &st.part[slot][CERTSLOT_KIND_CA];
    return p->ncerts == 1 && p->certs[0].len == len && memcmp(p->certs[0].der, der, len) == 0;
}

/* The profile application app selects in the stored settings. */
static void assert_stored_profile(certslot_app_t app, const char *want)
{
    assert_string_equal(certslot_profile_name(st.settings.app[app].profile), want);
}

static void server_at(certslot_url_t *server, certslot_scheme_t scheme, const char *host, unsigned port,
                      const char *path, const char *user, const char *password)
{
    char name[300], why[200];
    /* Explicit FTPS has no serverType number: a URL selects it. */
    snprintf(name, sizeof(name), "%s%s:%u%s", scheme == CERTSLOT_SCHEME_FTPES ? "ftpes://" : "", host, port, path);
    if (certslot_prov_server(server, name, scheme == CERTSLOT_SCHEME_FTPES ? (int)CERTSLOT_SCHEME_FTPS : (int)scheme,
                             user, password, why, sizeof(why)) != 0)
        fail_msg("server %s: %s", name, why);
}

static int prov(certslot_scheme_t scheme, const char *host, unsigned port, const char *path, const char *password,
                unsigned timeout_ms, certslot_result_t *res)
{
    certslot_url_t server;
    server_at(&server, scheme, host, port, path, USER, password);
    reports[0] = '\0';
    int ret = certslot_prov_run(&st, &hal, &server, timeout_ms, report, NULL, res);
    certslot_url_wipe(&server);
    return ret;
}

#define assert_status(res, want)                                                                                   \
    do {                                                                                                           \
        if ((res).status != (want))                                                                                \
            fail_msg("status '%s', expected '%s': %s\n%s", certslot_status_name((res).status),               \
                     certslot_status_name(want), (res).msg, reports);                                        \
    } while (0)

/* ---- 1. provisioning over each protocol ---- */

static void test_each_server_type_applies_the_configuration(void **state)
{
    static const certslot_scheme_t schemes[] = {CERTSLOT_SCHEME_FTP,   CERTSLOT_SCHEME_TFTP, CERTSLOT_SCHEME_HTTP,
                                                 CERTSLOT_SCHEME_HTTPS, CERTSLOT_SCHEME_FTPS, CERTSLOT_SCHEME_FTPES};
    certslot_result_t res;

    for (size_t i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++) {
        certslot_scheme_t s = schemes[i];
        if (i > 0) {
            handset_down(state);
            handset_up(state);
        }
        assert_int_equal(st.part[CERTSLOT_SLOT_PLATFORM1][CERTSLOT_KIND_CA].ncerts, 0);
        int ret = prov(s, LOCAL, port_of[s], "", PASSWORD, TIMEOUT_MS, &res);
        assert_status(res, CERTSLOT_STATUS_OK);
        assert_int_equal(ret, 0);
        assert_non_null(strstr(res.msg, "applied 2 files from"));
        assert_non_null(strstr(res.msg, certslot_scheme_name(s)));
        /* The served master file is 000000000000.cfg's stand-in <mac>.cfg: nothing missed, nothing reported. */
        if (reports[0] != '\0')
            fail_msg("%s: reported: %s", certslot_scheme_name(s), reports);
        /* The CA of the served wireless.cfg is in platform1; platform2 kept its own. */
        assert_true(ca_is(CERTSLOT_SLOT_PLATFORM1, ec_root, ec_root_len));
        assert_true(ca_is(CERTSLOT_SLOT_PLATFORM2, rsa_root, rsa_root_len));
        /* The setting is stored; the served settings replaced the old ones. */
        assert_stored_profile(CERTSLOT_APP_SIP, "ApplicationProfile3");
        assert_stored_profile(CERTSLOT_APP_LDAP, "PlatformProfile1");
        /* And it survives a reboot. */
        certslot_store_free(&st);
        assert_int_equal(certslot_hal_sim_power_cycle(&sim), 0);
        assert_int_equal(certslot_store_open(&st, &hal), 0);
        assert_true(ca_is(CERTSLOT_SLOT_PLATFORM1, ec_root, ec_root_len));
        assert_stored_profile(CERTSLOT_APP_SIP, "ApplicationProfile3");
    }
}

/* The server as device.prov.* name it (a URL with credentials in serverName wins over serverType). */
static void test_server_from_settings(void **state)
{
    certslot_config_t *cfg = calloc(1, sizeof(*cfg));
    certslot_url_t server;
    certslot_result_t res;
    char xml[600], why[200];
    (void)state;

    snprintf(xml, sizeof(xml),
             "<p device.set=\"1\" device.prov.serverType=\"FTP\" device.prov.serverType.set=\"1\"\n"
             "   device.prov.serverName=\"HTTP://" USER ":" PASSWORD "@" LOCAL ":%u/\" device.prov.serverName.set=\"1\""
             "/>",
             port_of[CERTSLOT_SCHEME_HTTP]);
    assert_non_null(cfg);
    certslot_config_init(cfg);
    assert_int_equal(certslot_config_parse_buffer(cfg, "prov.cfg", xml, strlen(xml)), 0);
    assert_int_equal(certslot_config_finish(cfg), 0);
    assert_int_equal(certslot_prov_server_from_settings(tu_settings(cfg), &server, why, sizeof(why)), 0);
    certslot_config_free(cfg);
    free(cfg);
    assert_int_equal(server.scheme, CERTSLOT_SCHEME_HTTP);
    assert_int_equal(certslot_prov_run(&st, &hal, &server, TIMEOUT_MS, report, NULL, &res), 0);
    certslot_url_wipe(&server);
    assert_status(res, CERTSLOT_STATUS_OK);
    assert_true(ca_is(CERTSLOT_SLOT_PLATFORM1, ec_root, ec_root_len));
}

/* A file rejected whole (not XML): nothing of the run applies. */
static void test_rejected_file_applies_nothing(void **state)
{
    certslot_result_t res;
    (void)state;
    digest_t before = store_digest();
    int ret = prov(CERTSLOT_SCHEME_HTTP, LOCAL, port_of[CERTSLOT_SCHEME_HTTP], "/broken", PASSWORD, TIMEOUT_MS, &res);
    assert_int_not_equal(ret, 0);
    assert_status(res, CERTSLOT_STATUS_PROTOCOL);
    assert_non_null(strstr(res.msg, "bad.cfg: rejected"));
    assert_non_null(strstr(res.msg, "nothing applied"));
    assert_store_unchanged(before);
}

/*
 * A file whose diagnostics fill what the handset keeps before a value is refused: the value still counts as
 * refused (the run says so and returns CERTSLOT_ERR_VALUE), and the report says how many were not listed.
 */
static void test_refused_values_beyond_the_diagnostics_limit(void **state)
{
    certslot_result_t res;
    char dir[300];
    (void)state;
    snprintf(dir, sizeof(dir), "%s/files/many", srv);
    (void)mkdir(dir, 0755);
    const char *master = "<A CONFIG_FILES=\"site.cfg\"/>";
    served_write("many/000000000000.cfg", master, strlen(master));
    size_t size = 3000 * 40 + 200, o = 0;
    char *xml = malloc(size);
    assert_non_null(xml);
    o += (size_t)snprintf(xml + o, size - o, "<r>\n");
    for (int i = 0; i < 3000; i++)
        o += (size_t)snprintf(xml + o, size - o, "<e sec.TLS.SIP.cipherList=\"AES\"/>\n");
    snprintf(xml + o, size - o, "<e sec.TLS.SIP.strictCertCommonNameValidation=\"2\"/>\n</r>\n");
    served_write("many/site.cfg", xml, strlen(xml));
    free(xml);
    int ret = prov(CERTSLOT_SCHEME_HTTP, LOCAL, port_of[CERTSLOT_SCHEME_HTTP], "/many", PASSWORD, TIMEOUT_MS, &res);
    assert_int_equal(ret, CERTSLOT_ERR_VALUE);
    assert_status(res, CERTSLOT_STATUS_OK);
    assert_non_null(strstr(res.msg, "some values were refused"));
    assert_non_null(strstr(reports, "1 more refused value not listed"));
}

/* A hostile master file: CR LF in a CONFIG_FILES name never reaches the FTP server as a command. */
static void test_config_files_cannot_smuggle_ftp_commands(void **state)
{
    static const certslot_scheme_t schemes[] = {CERTSLOT_SCHEME_FTP, CERTSLOT_SCHEME_FTPS};
    certslot_result_t res;
    struct stat sb;
    char victim[600];

    snprintf(victim, sizeof(victim), "%s/files/important.txt", srv);
    for (size_t i = 0; i < 2; i++) {
        certslot_scheme_t s = schemes[i];
        if (i > 0) {
            handset_down(state);
            handset_up(state);
        }
        served_write("important.txt", "keep me\n", 8); /* mode 0644 in a 0777 directory: DELE would work */
        int ret = prov(s, LOCAL, port_of[s], "/inject", PASSWORD, TIMEOUT_MS, &res);
        assert_int_equal(stat(victim, &sb), 0);
        assert_int_equal(sb.st_mode & 0777, 0644);
        /* The entry is a config error, reported with its place; the rest of the run applies. */
        assert_int_equal(ret, CERTSLOT_ERR_VALUE);
        assert_status(res, CERTSLOT_STATUS_OK);
        assert_non_null(strstr(reports, "000000000000.cfg:1:4: CONFIG_FILES entry 'site.cfg\\x0d\\x0aDELE important.txt"));
        assert_non_null(strstr(reports, "contains a control character; nothing is fetched for it"));
        assert_null(strchr(reports, '\r'));
        assert_true(ca_is(CERTSLOT_SLOT_PLATFORM1, ec_root, ec_root_len));
    }
}

/*
 * A value the file may hold but the store refuses when the run applies it (a CA certificate with a 1024-bit key):
 * the run reports it with its file, line and parameter, the slot keeps what it had, the rest of the file applies,
 * and the run returns CERTSLOT_ERR_VALUE.
 */
static void test_value_refused_when_applied_is_reported(void **state)
{
    certslot_result_t res;
    char dir[300], site[4096];
    (void)state;
    snprintf(dir, sizeof(dir), "%s/files/weak", srv);
    (void)mkdir(dir, 0755);
    const char *master = "<A CONFIG_FILES=\"site.cfg\"/>";
    served_write("weak/000000000000.cfg", master, strlen(master));
    char *body = pem_body("server-rsa1024.crt");
    snprintf(site, sizeof(site),
             "<s sec.TLS.profileSelection.LDAP=\"ApplicationProfile5\"\n"
             "   device.set=\"1\" device.sec.TLS.customCaCert2=\"%s\" device.sec.TLS.customCaCert2.set=\"1\"/>\n",
             body);
    free(body);
    served_write("weak/site.cfg", site, strlen(site));
    const certslot_part_t *ca = &st.part[CERTSLOT_SLOT_PLATFORM2][CERTSLOT_KIND_CA];
    unsigned char before[2048];
    size_t before_len = ca->ncerts > 0 ? ca->certs[0].len : 0;
    assert_true(before_len <= sizeof(before));
    if (before_len > 0)
        memcpy(before, ca->certs[0].der, before_len);

    int ret = prov(CERTSLOT_SCHEME_HTTP, LOCAL, port_of[CERTSLOT_SCHEME_HTTP], "/weak", PASSWORD, TIMEOUT_MS, &res);
    assert_int_equal(ret, CERTSLOT_ERR_VALUE);
    assert_status(res, CERTSLOT_STATUS_OK);
    assert_non_null(strstr(res.msg, "some values were refused"));
    if (strstr(reports, "site.cfg:2: device.sec.TLS.customCaCert2: platform2 ca refused, slot unchanged: ") == NULL ||
        strstr(reports, "RSA key of 1024 bits (allowed: 2048 to 4096)") == NULL)
        fail_msg("reports: %s", reports);
    assert_int_equal(ca->ncerts > 0 ? ca->certs[0].len : 0, before_len);
    assert_true(before_len == 0 || memcmp(ca->certs[0].der, before, before_len) == 0);
    assert_stored_profile(CERTSLOT_APP_LDAP, "ApplicationProfile5");
}

/* Credentials given to the API are refused with control characters before any connection. */
static void test_control_characters_in_credentials_refused(void **state)
{
    certslot_url_t server;
    char why[200], name[64];
    (void)state;
    snprintf(name, sizeof(name), "%s:%u", LOCAL, port_of[CERTSLOT_SCHEME_FTP]);
    assert_int_equal(certslot_prov_server(&server, name, 0, "u\r\nDELE victim.cfg", PASSWORD, why, sizeof(why)),
                     CERTSLOT_ERR_VALUE);
    assert_string_equal(why, "the user name contains a control character");
    assert_int_equal(certslot_prov_server(&server, name, 0, USER, "pw\nSITE CHMOD 777 x", why, sizeof(why)),
                     CERTSLOT_ERR_VALUE);
    assert_string_equal(why, "the password contains a control character");
    assert_null(strstr(why, "SITE"));
    /* A log upload under a name that would split the command line. */
    certslot_result_t fres;
    server_at(&server, CERTSLOT_SCHEME_FTP, LOCAL, port_of[CERTSLOT_SCHEME_FTP], "", USER, PASSWORD);
    assert_int_equal(certslot_prov_upload_log(&st, &hal, &server, "x.log\r\nDELE important.txt",
                                              (const unsigned char *)"x", 1, TIMEOUT_MS, &fres),
                     CERTSLOT_ERR_VALUE);
    assert_status(fres, CERTSLOT_STATUS_BAD_URL);
    certslot_url_wipe(&server);
}

/* ---- 2. the strict name check ---- */

static void test_name_mismatch_refused_under_strict_check(void **state)
{
    static const certslot_scheme_t schemes[] = {CERTSLOT_SCHEME_HTTPS, CERTSLOT_SCHEME_FTPS};
    certslot_result_t res;

    for (size_t i = 0; i < 2; i++) {
        certslot_scheme_t s = schemes[i];
        if (i > 0) {
            handset_down(state);
            handset_up(state);
        }
        /* The servers' certificate names server.test and 127.0.0.1, not "localhost". */
        digest_t before = store_digest();
        int ret = prov(s, "localhost", port_of[s], "", PASSWORD, TIMEOUT_MS, &res);
        assert_int_not_equal(ret, 0);
        assert_status(res, CERTSLOT_STATUS_TLS_REFUSED);
        assert_non_null(strstr(res.msg, "nothing applied"));
        assert_store_unchanged(before);

        /* With the check off (a stored setting) the same server is accepted; the chain is still verified. */
        apply_xml("<x device.set=\"1\" device.sec.TLS.prov.strictCertCommonNameValidation=\"0\""
                  " device.sec.TLS.prov.strictCertCommonNameValidation.set=\"1\"/>");
        ret = prov(s, "localhost", port_of[s], "", PASSWORD, TIMEOUT_MS, &res);
        assert_status(res, CERTSLOT_STATUS_OK);
        assert_int_equal(ret, 0);
        assert_true(ca_is(CERTSLOT_SLOT_PLATFORM1, ec_root, ec_root_len));
        assert_true(certslot_hal_sim_log_contains(&sim, "insecure"));
    }
}

/* The chain is verified with the name check off: without the servers' root trusted, refused. */
static void test_untrusted_chain_refused_with_check_off(void **state)
{
    certslot_result_t r;
    certslot_result_t res;
    (void)state;
    assert_int_equal(certslot_store_clear(&st, CERTSLOT_SLOT_PLATFORM2, CERTSLOT_KIND_CA, &r), 0);
    apply_xml("<x device.set=\"1\" device.sec.TLS.prov.strictCertCommonNameValidation=\"0\""
              " device.sec.TLS.prov.strictCertCommonNameValidation.set=\"1\"/>");
    digest_t before = store_digest();
    int ret = prov(CERTSLOT_SCHEME_HTTPS, LOCAL, port_of[CERTSLOT_SCHEME_HTTPS], "", PASSWORD, TIMEOUT_MS, &res);
    assert_int_not_equal(ret, 0);
    assert_status(res, CERTSLOT_STATUS_TLS_REFUSED);
    assert_store_unchanged(before);
}

/* ---- 3. failures: missing master, wrong password, silence ---- */

static void test_missing_master_file(void **state)
{
    static const certslot_scheme_t schemes[] = {CERTSLOT_SCHEME_FTP, CERTSLOT_SCHEME_TFTP, CERTSLOT_SCHEME_HTTP,
                                                 CERTSLOT_SCHEME_HTTPS, CERTSLOT_SCHEME_FTPS};
    certslot_result_t res;
    (void)state;
    digest_t before = store_digest();
    for (size_t i = 0; i < 5; i++) {
        certslot_scheme_t s = schemes[i];
        int ret = prov(s, LOCAL, port_of[s], "/nowhere", PASSWORD, TIMEOUT_MS, &res);
        assert_status(res, CERTSLOT_STATUS_NOT_FOUND);
        assert_int_equal(ret, CERTSLOT_ERR_NOT_FOUND);
        assert_non_null(strstr(res.msg, "no master file"));
        assert_store_unchanged(before);
    }
}

static void test_wrong_password(void **state)
{
    static const certslot_scheme_t schemes[] = {CERTSLOT_SCHEME_HTTP, CERTSLOT_SCHEME_FTP, CERTSLOT_SCHEME_HTTPS};
    certslot_result_t res;
    (void)state;
    digest_t before = store_digest();
    for (size_t i = 0; i < 3; i++) {
        certslot_scheme_t s = schemes[i];
        int ret = prov(s, LOCAL, port_of[s], "", "wrong-password", TIMEOUT_MS, &res);
        assert_int_not_equal(ret, 0);
        assert_status(res, CERTSLOT_STATUS_REFUSED);
        assert_null(strstr(res.msg, "wrong-password"));
        assert_null(strstr(reports, "wrong-password"));
        assert_store_unchanged(before);
    }
}

/* A password with '@' and ':' in a server URL: refused by the server, and no part of it in any message or log line. */
static void test_url_password_never_shown(void **state)
{
    static const certslot_scheme_t schemes[] = {CERTSLOT_SCHEME_FTP, CERTSLOT_SCHEME_HTTP, CERTSLOT_SCHEME_FTPS};
    certslot_result_t res;
    certslot_url_t server;
    char text[300], why[200];
    (void)state;
    for (size_t i = 0; i < 3; i++) {
        snprintf(text, sizeof(text), "%s://" USER ":Top@Secret:99@" LOCAL ":%u/", certslot_scheme_name(schemes[i]),
                 port_of[schemes[i]]);
        assert_int_equal(certslot_prov_server(&server, text, 0, NULL, NULL, why, sizeof(why)), 0);
        assert_string_equal(server.password, "Top@Secret:99");
        reports[0] = '\0';
        certslot_hal_sim_log_clear(&sim);
        assert_int_not_equal(certslot_prov_run(&st, &hal, &server, TIMEOUT_MS, report, NULL, &res), 0);
        certslot_url_wipe(&server);
        assert_status(res, CERTSLOT_STATUS_REFUSED);
        assert_null(strstr(res.msg, "Secret"));
        assert_null(strstr(reports, "Secret"));
        assert_false(certslot_hal_sim_log_contains(&sim, "Secret"));
    }
}

/* A socket on 127.0.0.1 (TCP: listening, never accepting; UDP: never answering); its port in *port. */
static int silent_socket(int type, int do_listen, unsigned *port)
{
    struct sockaddr_in a;
    socklen_t alen = sizeof(a);
    int fd = socket(AF_INET, type, 0);
    assert_true(fd >= 0);
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
    if (do_listen)
        assert_int_equal(listen(fd, 8), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &alen), 0);
    *port = ntohs(a.sin_port);
    return fd;
}

static void test_server_that_never_answers_times_out(void **state)
{
    static const certslot_scheme_t schemes[] = {CERTSLOT_SCHEME_HTTP, CERTSLOT_SCHEME_FTPS, CERTSLOT_SCHEME_TFTP};
    certslot_result_t res;
    (void)state;
    digest_t before = store_digest();
    for (size_t i = 0; i < 3; i++) {
        certslot_scheme_t s = schemes[i];
        unsigned port;
        int fd = silent_socket(s == CERTSLOT_SCHEME_TFTP ? SOCK_DGRAM : SOCK_STREAM, s != CERTSLOT_SCHEME_TFTP, &port);
        time_t t0 = time(NULL);
        int ret = prov(s, LOCAL, port, "", PASSWORD, SHORT_TIMEOUT_MS, &res);
        time_t elapsed = time(NULL) - t0;
        close(fd);
        assert_int_not_equal(ret, 0);
        assert_status(res, CERTSLOT_STATUS_TIMEOUT);
        /* A functional bound (qemu is slow): it ends in the timeout, not in the default 10 s. */
        if (elapsed > (time_t)(3 * SHORT_TIMEOUT_MS / 1000))
            fail_msg("%s: %ld s for a %u ms timeout", certslot_scheme_name(s), (long)elapsed, SHORT_TIMEOUT_MS);
        assert_store_unchanged(before);
    }
}

static void test_nobody_listening(void **state)
{
    certslot_result_t res;
    unsigned port;
    (void)state;
    /* Bound, not listening: the connection is refused at once. */
    int fd = silent_socket(SOCK_STREAM, 0, &port);
    digest_t before = store_digest();
    int ret = prov(CERTSLOT_SCHEME_FTP, LOCAL, port, "", PASSWORD, TIMEOUT_MS, &res);
    close(fd);
    assert_int_not_equal(ret, 0);
    assert_status(res, CERTSLOT_STATUS_CANNOT_CONNECT);
    assert_store_unchanged(before);
}

/* ---- 4. installing a certificate from a URL ---- */

static int install(certslot_slot_t slot, const char *url, certslot_result_t *res)
{
    certslot_fetch_opts_t o;

    memset(&o, 0, sizeof(o));
    o.hal = &hal;
    o.settings = &st.settings;
    o.st = &st;
    o.timeout_ms = TIMEOUT_MS;
    return certslot_fetch_install(&st, slot, CERTSLOT_KIND_CA, url, &o, 0, res);
}

#define CRED USER ":" PASSWORD "@"

/* scheme://[cred]127.0.0.1:port/file (static buffer). */
static const char *url_of(const char *scheme, const char *cred, unsigned port, const char *file)
{
    static char buf[300];
    snprintf(buf, sizeof(buf), "%s://%s" LOCAL ":%u/%s", scheme, cred, port, file);
    return buf;
}

static void test_install_from_url(void **state)
{
    static const struct {
        certslot_scheme_t scheme;
        const char *file;
    } cases[] = {{CERTSLOT_SCHEME_HTTP, "ca.pem"},
                 {CERTSLOT_SCHEME_HTTP, "ca.der"},
                 {CERTSLOT_SCHEME_FTP, "ca.pem"},
                 {CERTSLOT_SCHEME_FTP, "ca.der"},
                 {CERTSLOT_SCHEME_HTTPS, "ca.pem"}};
    certslot_result_t res;
    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        certslot_slot_t slot = (certslot_slot_t)(CERTSLOT_SLOT_APPLICATION1 + i);
        certslot_scheme_t s = cases[i].scheme;
        int ret = install(slot, url_of(certslot_scheme_name(s), CRED, port_of[s], cases[i].file), &res);
        assert_status(res, CERTSLOT_STATUS_OK);
        assert_int_equal(ret, 0);
        assert_non_null(strstr(res.msg, certslot_slot_name(slot)));
        assert_true(ca_is(slot, rsa_root, rsa_root_len));
    }
}

/* URL install from each kind of server the provisioning tests run; and FTPS with the wrong CA refused. */
static void test_install_from_url_from_every_server(void **state)
{
    char files[300], url[700];
    certslot_result_t res, r;
    (void)state;
    snprintf(files, sizeof(files), "%s/files", srv);
    const struct {
        const char *scheme;
        unsigned port;
        const char *dir;
    } cases[] = {{"http", apache_http, "/digest"},
                 {"http", apache_http, "/moved"},
                 {"https", apache_https, "/basic"},
                 {"ftps", port_of[CERTSLOT_SCHEME_FTPS], ""},
                 {"ftpes", port_of[CERTSLOT_SCHEME_FTPES], ""},
                 {"ftp", proftpd_port, files},
                 {"ftpes", proftpd_port, files},
                 {"ftpes", pureftpd_port, files}};
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        assert_int_equal(certslot_store_clear(&st, CERTSLOT_SLOT_APPLICATION1, CERTSLOT_KIND_CA, &r), 0);
        snprintf(url, sizeof(url), "%s://" CRED LOCAL ":%u%s/ca.pem", cases[i].scheme, cases[i].port, cases[i].dir);
        if (install(CERTSLOT_SLOT_APPLICATION1, url, &res) != 0)
            fail_msg("%s: %s", url, res.msg);
        assert_true(ca_is(CERTSLOT_SLOT_APPLICATION1, rsa_root, rsa_root_len));
    }
    /* The provisioning profile trusting another CA (its default list takes every CA slot): the FTPS server is
     * refused, nothing changes. */
    assert_int_equal(certslot_store_clear(&st, CERTSLOT_SLOT_APPLICATION1, CERTSLOT_KIND_CA, &r), 0);
    char *pem = tu_pki_read("root-ec.crt", NULL);
    assert_int_equal(certslot_store_install(&st, CERTSLOT_SLOT_PLATFORM2, CERTSLOT_KIND_CA, (unsigned char *)pem,
                                            strlen(pem), NULL, 0, 0, &r),
                     0);
    free(pem);
    digest_t before = store_digest();
    assert_int_not_equal(prov(CERTSLOT_SCHEME_FTPES, LOCAL, proftpd_port, files, PASSWORD, TIMEOUT_MS, &res), 0);
    assert_status(res, CERTSLOT_STATUS_TLS_REFUSED);
    assert_store_unchanged(before);
}

static void test_install_from_url_refusals(void **state)
{
    certslot_result_t res;
    (void)state;
    digest_t before = store_digest();

    unsigned http = port_of[CERTSLOT_SCHEME_HTTP], ftp = port_of[CERTSLOT_SCHEME_FTP];

    assert_int_equal(install(CERTSLOT_SLOT_APPLICATION1, url_of("http", CRED, http, "missing.pem"), &res),
                     CERTSLOT_ERR_NOT_FOUND);
    assert_status(res, CERTSLOT_STATUS_NOT_FOUND);
    assert_int_equal(install(CERTSLOT_SLOT_APPLICATION1, url_of("ftp", CRED, ftp, "missing.der"), &res),
                     CERTSLOT_ERR_NOT_FOUND);
    assert_status(res, CERTSLOT_STATUS_NOT_FOUND);
    assert_int_not_equal(install(CERTSLOT_SLOT_APPLICATION1, url_of("http", CRED, http, "junk.txt"), &res), 0);
    assert_status(res, CERTSLOT_STATUS_NOT_CERT);
    assert_int_not_equal(install(CERTSLOT_SLOT_APPLICATION1, url_of("ftp", CRED, ftp, "junk.txt"), &res), 0);
    assert_status(res, CERTSLOT_STATUS_NOT_CERT);
    assert_int_not_equal(install(CERTSLOT_SLOT_APPLICATION1, url_of("http", "", http, "ca.pem"), &res), 0);
    assert_status(res, CERTSLOT_STATUS_REFUSED); /* no credentials: HTTP 401 */
    assert_int_not_equal(install(CERTSLOT_SLOT_APPLICATION1, url_of("gopher", "", 70, "ca.pem"), &res), 0);
    assert_status(res, CERTSLOT_STATUS_BAD_URL);
    assert_store_unchanged(before);
}

/* Anonymous FTP is refused before any connection: the listening socket sees none. */
static void test_anonymous_ftp_refused_before_connecting(void **state)
{
    static const struct {
        const char *scheme, *cred;
    } urls[] = {{"ftp", ""}, {"ftp", "anonymous:me%40example.com@"}, {"ftp", "ftp:x@"}, {"ftp", "ANONYMOUS:x@"}, {"ftp", USER "@"},
                {"ftps", ""}};
    certslot_result_t res;
    unsigned port;
    (void)state;
    int fd = silent_socket(SOCK_STREAM, 1, &port);
    digest_t before = store_digest();
    for (size_t i = 0; i < sizeof(urls) / sizeof(urls[0]); i++) {
        assert_int_not_equal(install(CERTSLOT_SLOT_APPLICATION1, url_of(urls[i].scheme, urls[i].cred, port, "ca.der"), &res), 0);
        assert_status(res, CERTSLOT_STATUS_BAD_URL);
        assert_non_null(strstr(res.msg, "anonymous FTP is not allowed"));
    }
    assert_store_unchanged(before);
    struct pollfd p = {fd, POLLIN, 0};
    assert_int_equal(poll(&p, 1, 200), 0); /* no connection waiting to be accepted */
    /* The check can see one: connect ourselves. */
    struct sockaddr_in a;
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons((uint16_t)port);
    int c = socket(AF_INET, SOCK_STREAM, 0);
    assert_int_equal(connect(c, (struct sockaddr *)&a, sizeof(a)), 0);
    assert_int_equal(poll(&p, 1, 2000), 1);
    close(c);
    close(fd);
}

/* Expected misses are logged at info level, not reported as problems. */
static void test_expected_misses_are_not_problems(void **state)
{
    certslot_result_t res;
    (void)state;
    int ret = prov(CERTSLOT_SCHEME_HTTP, LOCAL, port_of[CERTSLOT_SCHEME_HTTP], "/generic", PASSWORD, TIMEOUT_MS, &res);
    assert_status(res, CERTSLOT_STATUS_OK);
    assert_int_equal(ret, 0);
    assert_true(ca_is(CERTSLOT_SLOT_PLATFORM1, ec_root, ec_root_len));
    if (reports[0] != '\0')
        fail_msg("reported: %s", reports);
    assert_true(certslot_hal_sim_log_contains(&sim, "info: http://127.0.0.1:"));
    assert_true(certslot_hal_sim_log_contains(&sim, "/generic/0004f2a1b2c3.cfg: not found (HTTP 404)"));
}

/* ---- 4b. FTPS as vsftpd ships it: session reuse required, implicit and explicit ---- */

static void test_ftps_data_connections_resume_the_session(void **state)
{
    static const struct {
        certslot_scheme_t scheme;
        const unsigned *port;
        const char *what;
    } runs[] = {{CERTSLOT_SCHEME_FTPS, &port_of[CERTSLOT_SCHEME_FTPS], "implicit, TLS 1.3"},
                {CERTSLOT_SCHEME_FTPS, &ftps12_port, "implicit, TLS 1.2"},
                {CERTSLOT_SCHEME_FTPES, &port_of[CERTSLOT_SCHEME_FTPES], "explicit, TLS 1.3"}};
    certslot_result_t res;

    for (size_t i = 0; i < sizeof(runs) / sizeof(runs[0]); i++) {
        handset_down(state);
        handset_up(state);
        /* vsftpd's require_ssl_reuse=YES refuses a data connection that does not resume the session. */
        int ret = prov(runs[i].scheme, LOCAL, *runs[i].port, "", PASSWORD, TIMEOUT_MS, &res);
        if (ret != 0)
            fail_msg("%s: %s", runs[i].what, res.msg);
        assert_true(ca_is(CERTSLOT_SLOT_PLATFORM1, ec_root, ec_root_len));
        assert_false(certslot_hal_sim_log_contains(&sim, "did not resume"));
    }
}

/*
 * proftpd (mod_tls defaults: session reuse required) and pure-ftpd (TLS required), explicit FTPS, whose users log
 * in at "/": the files are under srv's absolute path. Provisioning over each, and a log upload: appended by
 * pure-ftpd, refused by proftpd's defaults with its own words; plain FTP to pure-ftpd is refused by the server.
 */
static void test_proftpd_and_pureftpd(void **state)
{
    const unsigned *ports[] = {&proftpd_port, &pureftpd_port};
    const char *names[] = {"proftpd", "pure-ftpd"};
    char files[300], log[32];
    certslot_result_t res;
    snprintf(files, sizeof(files), "%s/files", srv);
    for (size_t i = 0; i < 2; i++) {
        handset_down(state);
        handset_up(state);
        if (prov(CERTSLOT_SCHEME_FTPES, LOCAL, *ports[i], files, PASSWORD, TIMEOUT_MS, &res) != 0)
            fail_msg("%s: %s", names[i], res.msg);
        assert_true(ca_is(CERTSLOT_SLOT_PLATFORM1, ec_root, ec_root_len));
        /* proftpd requires the session resumed (it would refuse the data connection); pure-ftpd offers none. */
        assert_int_equal(certslot_hal_sim_log_contains(&sim, "did not resume"), i == 1);
        certslot_url_t server;
        server_at(&server, CERTSLOT_SCHEME_FTPES, LOCAL, *ports[i], files, USER, PASSWORD);
        snprintf(log, sizeof(log), "%.20s.log", names[i]);
        served_remove(log);
        for (int k = 0; k < 2; k++) {
            int ret = certslot_prov_upload_log(&st, &hal, &server, log, (const unsigned char *)"line\n", 5,
                                               TIMEOUT_MS, &res);
            /* proftpd's default (AllowStoreRestart off) refuses to append to a file that exists: its reply is
             * the message. */
            if (i == 0 && k == 1 && (ret == 0 || strstr(res.msg, "APPE failed: 451") == NULL ||
                                     strstr(res.msg, "Append/Restart not permitted") == NULL))
                fail_msg("%s upload: %d %s", names[i], ret, res.msg);
            if ((i == 1 || k == 0) && ret != 0)
                fail_msg("%s upload: %s", names[i], res.msg);
        }
        certslot_url_wipe(&server);
        if (i == 1) {
            size_t len;
            char *got = served_read(log, &len);
            assert_string_equal(got, "line\nline\n");
            free(got);
        }
    }
    digest_t before = store_digest();
    assert_int_not_equal(prov(CERTSLOT_SCHEME_FTP, LOCAL, pureftpd_port, files, PASSWORD, TIMEOUT_MS, &res), 0);
    if (strstr(res.msg, "cleartext sessions and weak ciphers are not accepted") == NULL)
        fail_msg("%s", res.msg);
    assert_store_unchanged(before);
}

static void test_ftps_url_against_an_explicit_server_uses_auth_tls(void **state)
{
    certslot_result_t res;
    (void)state;
    int ret = prov(CERTSLOT_SCHEME_FTPS, LOCAL, port_of[CERTSLOT_SCHEME_FTPES], "", PASSWORD, TIMEOUT_MS, &res);
    if (ret != 0)
        fail_msg("%s", res.msg);
    assert_true(certslot_hal_sim_log_contains(&sim, "greets in plain text: explicit FTPS (AUTH TLS)"));
    assert_true(ca_is(CERTSLOT_SLOT_PLATFORM1, ec_root, ec_root_len));
}

static void test_explicit_ftps_never_falls_back_to_plain_text(void **state)
{
    certslot_result_t res;
    (void)state;
    digest_t before = store_digest();
    /* The plain vsftpd answers AUTH TLS with a refusal: nothing more is sent, the password least of all. */
    int ret = prov(CERTSLOT_SCHEME_FTPES, LOCAL, port_of[CERTSLOT_SCHEME_FTP], "", PASSWORD, TIMEOUT_MS, &res);
    assert_int_not_equal(ret, 0);
    assert_status(res, CERTSLOT_STATUS_TLS_FAILED);
    assert_non_null(strstr(res.msg, "the server refused AUTH TLS (nothing was sent in clear)"));
    assert_store_unchanged(before);
}

/* ---- 4c. HTTP as apache2 and nginx ship it: Digest, Basic, redirects ---- */

static void test_http_digest_and_basic(void **state)
{
    static const struct {
        certslot_scheme_t scheme;
        const unsigned *port;
        const char *path;
    } runs[] = {{CERTSLOT_SCHEME_HTTP, &apache_http, "/digest"},
                {CERTSLOT_SCHEME_HTTPS, &apache_https, "/digest"},
                {CERTSLOT_SCHEME_HTTP, &apache_http, "/basic"},
                {CERTSLOT_SCHEME_HTTPS, &apache_https, "/basic"}};
    certslot_result_t res;

    for (size_t i = 0; i < sizeof(runs) / sizeof(runs[0]); i++) {
        handset_down(state);
        handset_up(state);
        if (prov(runs[i].scheme, LOCAL, *runs[i].port, runs[i].path, PASSWORD, TIMEOUT_MS, &res) != 0)
            fail_msg("%s %s: %s", certslot_scheme_name(runs[i].scheme), runs[i].path, res.msg);
        assert_true(ca_is(CERTSLOT_SLOT_PLATFORM1, ec_root, ec_root_len));
    }
}

static void test_http_credentials_refused_or_missing(void **state)
{
    certslot_result_t res;
    (void)state;
    digest_t before = store_digest();
    assert_int_not_equal(prov(CERTSLOT_SCHEME_HTTP, LOCAL, apache_http, "/digest", "wrong", TIMEOUT_MS, &res), 0);
    assert_status(res, CERTSLOT_STATUS_REFUSED);
    assert_non_null(strstr(res.msg, "the server refused the user or password (HTTP 401)"));
    /* A redirect to another host: the credentials stay behind, so that server sees none. */
    assert_int_not_equal(prov(CERTSLOT_SCHEME_HTTP, LOCAL, apache_http, "/elsewhere", PASSWORD, TIMEOUT_MS, &res), 0);
    assert_status(res, CERTSLOT_STATUS_REFUSED);
    assert_non_null(strstr(res.msg, "http://localhost:"));
    assert_non_null(strstr(res.msg, "the server needs a user and password (HTTP 401)"));
    assert_store_unchanged(before);
}

static void test_http_redirects(void **state)
{
    static const struct {
        certslot_scheme_t scheme;
        const unsigned *port;
        const char *path, *refused;
    } runs[] = {{CERTSLOT_SCHEME_HTTP, &apache_http, "/moved", NULL},
                {CERTSLOT_SCHEME_HTTP, &apache_http, "/secure", NULL}, /* http -> https, credentials kept */
                {CERTSLOT_SCHEME_HTTP, &port_of[CERTSLOT_SCHEME_HTTP], "/moved", NULL}, /* nginx */
                {CERTSLOT_SCHEME_HTTP, &apache_http, "/to-ftp", "/0004f2a1b2c3.cfg refused: a redirect may keep the scheme"},
                {CERTSLOT_SCHEME_HTTPS, &apache_https, "/downgrade", "never to another one"},
                /* TLS checks the name of the host redirected to, not the configured 127.0.0.1 */
                {CERTSLOT_SCHEME_HTTPS, &apache_https, "/elsewhere", "name 'localhost' is not in the certificate"}};
    certslot_result_t res;

    for (size_t i = 0; i < sizeof(runs) / sizeof(runs[0]); i++) {
        handset_down(state);
        handset_up(state);
        digest_t before = store_digest();
        int ret = prov(runs[i].scheme, LOCAL, *runs[i].port, runs[i].path, PASSWORD, TIMEOUT_MS, &res);
        if (runs[i].refused == NULL) {
            if (ret != 0)
                fail_msg("%s: %s", runs[i].path, res.msg);
            assert_true(ca_is(CERTSLOT_SLOT_PLATFORM1, ec_root, ec_root_len));
        } else {
            assert_int_not_equal(ret, 0);
            if (strstr(res.msg, runs[i].refused) == NULL)
                fail_msg("%s: %s", runs[i].path, res.msg);
            assert_store_unchanged(before);
        }
    }
}

/* ---- 4d. TFTP options (RFC 2347-2349) ---- */

static int tftp_fetch(unsigned port, const char *name, size_t max, unsigned char **data, size_t *len,
                      certslot_result_t *res)
{
    certslot_url_t url;
    certslot_fetch_opts_t o;
    char text[300], why[200];
    memset(&o, 0, sizeof(o));
    o.hal = &hal;
    o.timeout_ms = TIMEOUT_MS;
    o.max_size = max;
    snprintf(text, sizeof(text), "tftp://%s:%u/%s", LOCAL, port, name);
    assert_int_equal(certslot_url_parse(text, &url, why, sizeof(why)), 0);
    int ret = certslot_fetch(&o, &url, data, len, res);
    certslot_url_wipe(&url);
    return ret;
}

static void test_tftp_block_sizes_and_fallback(void **state)
{
    static const size_t sizes[] = {0, 1, 511, 512, 1024, 1467, 1468, 2936, 100000};
    const unsigned ports[] = {port_of[CERTSLOT_SCHEME_TFTP], tftp_noopts_port, atftpd_port};
    static const char *const servers[] = {"tftpd-hpa", "tftpd-hpa without options", "atftpd"};
    certslot_result_t res;
    (void)state;
    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        char name[64], *want = malloc(sizes[i] + 1);
        assert_non_null(want);
        for (size_t k = 0; k < sizes[i]; k++)
            want[k] = (char)('a' + (k * 7 + i) % 26);
        snprintf(name, sizeof(name), "size-%zu.bin", sizes[i]);
        served_write(name, want, sizes[i]);
        for (size_t p = 0; p < 3; p++) {
            unsigned char *got = NULL;
            size_t len = 0;
            certslot_hal_sim_log_clear(&sim);
            if (tftp_fetch(ports[p], name, 1 << 20, &got, &len, &res) != 0)
                fail_msg("%s from %s: %s", name, servers[p], res.msg);
            assert_int_equal(len, sizes[i]);
            assert_memory_equal(got, want, sizes[i]);
            certslot_free(got);
            /* With the options, 1468-byte blocks; without, the server's 512 (and no OACK to log). */
            assert_int_equal(certslot_hal_sim_log_contains(&sim, "TFTP blksize 1468"), p != 1);
        }
        free(want);
    }
    /* tsize: a file over the limit is refused before its blocks come. */
    unsigned char *got = NULL;
    size_t len = 0;
    assert_int_equal(tftp_fetch(port_of[CERTSLOT_SCHEME_TFTP], "size-100000.bin", 4096, &got, &len, &res),
                     CERTSLOT_ERR_LIMIT);
    assert_non_null(strstr(res.msg, "larger than 4096 bytes"));
}

/* ---- 5. log upload ---- */

static int upload(certslot_scheme_t s, const char *name, const char *text, certslot_result_t *res)
{
    certslot_url_t server;
    server_at(&server, s, LOCAL, port_of[s], "", USER, PASSWORD);
    int ret = certslot_prov_upload_log(&st, &hal, &server, name, (const unsigned char *)text, strlen(text),
                                       TIMEOUT_MS, res);
    certslot_url_wipe(&server);
    return ret;
}

static void test_log_upload_ftp_appends(void **state)
{
    static const certslot_scheme_t schemes[] = {CERTSLOT_SCHEME_FTP, CERTSLOT_SCHEME_FTPS, CERTSLOT_SCHEME_FTPES};
    static const char *const names[] = {"0004f2a1b2c3-ftp.log", "0004f2a1b2c3-ftps.log", "0004f2a1b2c3-ftpes.log"};
    certslot_result_t res;
    size_t len;
    (void)state;
    for (size_t i = 0; i < 3; i++) {
        served_remove(names[i]);
        if (upload(schemes[i], names[i], "boot 1: provisioning started\n", &res) != 0)
            fail_msg("%s: %s", names[i], res.msg);
        assert_status(res, CERTSLOT_STATUS_OK);
        char *got = served_read(names[i], &len);
        assert_string_equal(got, "boot 1: provisioning started\n");
        free(got);
        if (upload(schemes[i], names[i], "boot 2: applied 2 files\n", &res) != 0)
            fail_msg("%s: %s", names[i], res.msg);
        assert_status(res, CERTSLOT_STATUS_OK);
        got = served_read(names[i], &len);
        assert_string_equal(got, "boot 1: provisioning started\nboot 2: applied 2 files\n");
        free(got);
    }
}

/* A refusal of APPE over FTPS is the server's reply, not the TLS failure of the data connection it never opens. */
static void test_log_upload_refusal_is_the_servers_reply(void **state)
{
    static const certslot_scheme_t schemes[] = {CERTSLOT_SCHEME_FTP, CERTSLOT_SCHEME_FTPS, CERTSLOT_SCHEME_FTPES};
    certslot_result_t res;
    (void)state;
    for (size_t i = 0; i < 3; i++) {
        assert_int_not_equal(upload(schemes[i], "no-such-dir/0004f2a1b2c3.log", "boot 3\n", &res), 0);
        if (strstr(res.msg, "APPE") == NULL || strstr(res.msg, "553") == NULL)
            fail_msg("%s: %s", certslot_scheme_name(schemes[i]), res.msg);
    }
}

static void test_log_upload_http_replaces(void **state)
{
    static const certslot_scheme_t schemes[] = {CERTSLOT_SCHEME_HTTP, CERTSLOT_SCHEME_HTTPS};
    static const char *const names[] = {"0004f2a1b2c3-http.log", "0004f2a1b2c3-https.log"};
    certslot_result_t res;
    size_t len;
    (void)state;
    for (size_t i = 0; i < 2; i++) {
        served_remove(names[i]);
        assert_int_equal(upload(schemes[i], names[i], "first log, rather long\n", &res), 0);
        assert_status(res, CERTSLOT_STATUS_OK);
        char *got = served_read(names[i], &len);
        assert_string_equal(got, "first log, rather long\n");
        free(got);
        assert_int_equal(upload(schemes[i], names[i], "second\n", &res), 0);
        assert_status(res, CERTSLOT_STATUS_OK);
        got = served_read(names[i], &len);
        assert_string_equal(got, "second\n");
        free(got);
    }
    /* TFTP cannot upload. */
    assert_int_not_equal(upload(CERTSLOT_SCHEME_TFTP, "0004f2a1b2c3-tftp.log", "x\n", &res), 0);
    assert_status(res, CERTSLOT_STATUS_UNSUPPORTED);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, handset_up, handset_down)
    const struct CMUnitTest tests[] = {
        T(test_each_server_type_applies_the_configuration),
        T(test_server_from_settings),
        T(test_rejected_file_applies_nothing),
        T(test_refused_values_beyond_the_diagnostics_limit),
        T(test_value_refused_when_applied_is_reported),
        T(test_config_files_cannot_smuggle_ftp_commands),
        T(test_control_characters_in_credentials_refused),
        T(test_name_mismatch_refused_under_strict_check),
        T(test_untrusted_chain_refused_with_check_off),
        T(test_missing_master_file),
        T(test_wrong_password),
        T(test_url_password_never_shown),
        T(test_server_that_never_answers_times_out),
        T(test_nobody_listening),
        T(test_install_from_url),
        T(test_install_from_url_refusals),
        T(test_anonymous_ftp_refused_before_connecting),
        T(test_expected_misses_are_not_problems),
        T(test_ftps_data_connections_resume_the_session),
        T(test_ftps_url_against_an_explicit_server_uses_auth_tls),
        T(test_proftpd_and_pureftpd),
        T(test_install_from_url_from_every_server),
        T(test_explicit_ftps_never_falls_back_to_plain_text),
        T(test_http_digest_and_basic),
        T(test_http_credentials_refused_or_missing),
        T(test_http_redirects),
        T(test_tftp_block_sizes_and_fallback),
        T(test_log_upload_ftp_appends),
        T(test_log_upload_refusal_is_the_servers_reply),
        T(test_log_upload_http_replaces),
    };
    signal(SIGPIPE, SIG_IGN);
    return cmocka_run_group_tests(tests, start_servers, stop_servers);
}
