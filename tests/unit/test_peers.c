/*
 * SIP, syslog and LDAP against their real peers, each through its own
 * application profile: rsyslog (RFC 5425 syslog over TLS, the message must
 * land in its output file), slapd (LDAPS simple bind: success, and
 * invalidCredentials for a wrong password) and kamailio (SIP OPTIONS over
 * TLS answered 200, also with mutual TLS using the profile's device
 * certificate). Each application also refuses a wrong server name under the
 * strict check and a server its profile's CA does not vouch for.
 *
 * The servers are the Debian packages (make deps), started once on
 * 127.0.0.1 high ports with configurations in a temporary directory and the
 * test PKI, and stopped at the end, also when a test fails. The client is the
 * firmware on the simulated handset; the same program runs under qemu-arm
 * (the servers stay native).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "certslot/config.h"
#include "certslot/error.h"
#include "certslot/hal_sim.h"
#include "certslot/store.h"
#include "certslot/syslog.h"
#include "certslot/tls.h"
#include "testutil.h"

#define TIMEOUT_MS 20000

/* ---- the servers ---- */

typedef struct server server_t;
struct server {
    const char *what;
    unsigned nports, port[2];
    char log[600];
    char args[12][600];
    const char *argv[13];
    void (*prepare)(server_t *s); /* writes its configuration for s->port, fills argv */
    pid_t pid;                    /* also its process group */
};

static char tmp[64];
static char pki_dir[512];

static void prepare_rsyslog(server_t *s);
static void prepare_slapd(server_t *s);
static void prepare_kamailio(server_t *s);

enum { RSYSLOG, SLAPD, KAMAILIO, NSERVERS };
static server_t servers[NSERVERS] = {
    {"rsyslogd", 1, {0, 0}, "", {{0}}, {0}, prepare_rsyslog, 0},
    {"slapd", 1, {0, 0}, "", {{0}}, {0}, prepare_slapd, 0},
    {"kamailio", 2, {0, 0}, "", {{0}}, {0}, prepare_kamailio, 0},
};

static void write_file(const char *name, const char *fmt, ...)
{
    char path[700];
    va_list ap;
    snprintf(path, sizeof(path), "%s/%s", tmp, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    va_start(ap, fmt);
    vfprintf(f, fmt, ap);
    va_end(ap);
    assert_int_equal(fclose(f), 0);
}

static void set_args(server_t *s, int n, ...)
{
    va_list ap;
    va_start(ap, n);
    for (int i = 0; i < n; i++) {
        snprintf(s->args[i], sizeof(s->args[i]), "%s", va_arg(ap, const char *));
        s->argv[i] = s->args[i];
    }
    s->argv[n] = NULL;
    va_end(ap);
}

static void prepare_rsyslog(server_t *s)
{
    char conf[600], pid[600];
    write_file("rsyslog.conf",
               "global(workDirectory=\"%s\"\n"
               "       DefaultNetstreamDriverCAFile=\"%s/root-rsa.crt\"\n"
               "       DefaultNetstreamDriverCertFile=\"%s/server-chain.pem\"\n"
               "       DefaultNetstreamDriverKeyFile=\"%s/server.key\")\n"
               "module(load=\"imtcp\" StreamDriver.Name=\"gtls\" StreamDriver.Mode=\"1\" "
               "StreamDriver.AuthMode=\"anon\")\n"
               "input(type=\"imtcp\" address=\"127.0.0.1\" port=\"%u\")\n"
               "template(name=\"peers\" type=\"string\" string=\"%%hostname%% %%app-name%% %%msg%%\\n\")\n"
               "action(type=\"omfile\" file=\"%s/syslog.out\" template=\"peers\")\n",
               tmp, pki_dir, pki_dir, pki_dir, s->port[0], tmp);
    snprintf(conf, sizeof(conf), "%s/rsyslog.conf", tmp);
    snprintf(pid, sizeof(pid), "%s/rsyslogd.pid", tmp);
    set_args(s, 6, "rsyslogd", "-n", "-f", conf, "-i", pid);
}

static void prepare_slapd(server_t *s)
{
    char conf[600], url[64], db[600];
    snprintf(db, sizeof(db), "%s/ldap-db", tmp);
    if (mkdir(db, 0700) != 0 && errno != EEXIST)
        fail_msg("mkdir %s: %s", db, strerror(errno));
    write_file("slapd.conf",
               "include /etc/ldap/schema/core.schema\n"
               "modulepath /usr/lib/ldap\n"
               "moduleload back_mdb\n"
               "pidfile %s/slapd.pid\n"
               "argsfile %s/slapd.args\n"
               "TLSCACertificateFile %s/root-rsa.crt\n"
               "TLSCertificateFile %s/server-chain.pem\n"
               "TLSCertificateKeyFile %s/server.key\n"
               "database mdb\n"
               "maxsize 1048576\n"
               "suffix \"dc=test\"\n"
               "rootdn \"cn=admin,dc=test\"\n"
               "rootpw ldap-secret\n"
               "directory %s\n",
               tmp, tmp, pki_dir, pki_dir, pki_dir, db);
    snprintf(conf, sizeof(conf), "%s/slapd.conf", tmp);
    snprintf(url, sizeof(url), "ldaps://127.0.0.1:%u/", s->port[0]);
    set_args(s, 7, "slapd", "-d", "32768", "-h", url, "-f", conf);
}

/* Port 0: server authentication only; port 1: the client must present a
 * certificate issued by root-rsa. The reply's reason phrase names the
 * client certificate's CN, so a test sees which one was presented. */
static void prepare_kamailio(server_t *s)
{
    char cfg[600];
    write_file("kamailio.cfg",
               "#!KAMAILIO\n"
               "debug=2\n"
               "log_stderror=yes\n"
               "children=1\n"
               "tcp_children=1\n"
               "auto_aliases=no\n"
               "enable_tls=yes\n"
               "listen=tls:127.0.0.1:%u\n"
               "listen=tls:127.0.0.1:%u\n"
               "loadmodule \"sl.so\"\n"
               "loadmodule \"tls.so\"\n"
               "modparam(\"tls\", \"config\", \"%s/tls.cfg\")\n"
               "request_route {\n"
               "    if (method == \"OPTIONS\") {\n"
               "        if ($tls_peer_subject_cn != $null) {\n"
               "            sl_send_reply(\"200\", \"OK client $tls_peer_subject_cn\");\n"
               "        } else {\n"
               "            sl_send_reply(\"200\", \"OK\");\n"
               "        }\n"
               "        exit;\n"
               "    }\n"
               "    sl_send_reply(\"405\", \"Method Not Allowed\");\n"
               "}\n",
               s->port[0], s->port[1], tmp);
    write_file("tls.cfg",
               "[server:default]\n"
               "method = TLSv1.2+\n"
               "verify_certificate = no\n"
               "require_certificate = no\n"
               "certificate = %s/server-chain.pem\n"
               "private_key = %s/server.key\n"
               "\n"
               "[server:127.0.0.1:%u]\n"
               "method = TLSv1.2+\n"
               "verify_certificate = yes\n"
               "require_certificate = yes\n"
               "certificate = %s/server-chain.pem\n"
               "private_key = %s/server.key\n"
               "ca_list = %s/root-rsa.crt\n"
               "\n"
               "[client:default]\n"
               "verify_certificate = no\n"
               "require_certificate = no\n",
               pki_dir, pki_dir, s->port[1], pki_dir, pki_dir, pki_dir);
    snprintf(cfg, sizeof(cfg), "%s/kamailio.cfg", tmp);
    /* -Y: the run directory (control sockets) in tmp, not /run/kamailio. */
    set_args(s, 11, "kamailio", "-DD", "-E", "-m", "32", "-M", "8", "-Y", tmp, "-f", cfg);
}

static int sock_to(unsigned port, int do_bind)
{
    struct sockaddr_in a;
    int fd = socket(AF_INET, SOCK_STREAM, 0), ok;
    if (fd < 0)
        return 0;
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ok = do_bind ? bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0 : connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0;
    close(fd);
    return ok;
}

static int log_has(const server_t *s, const char *text)
{
    char *data;
    size_t len;
    FILE *f = fopen(s->log, "r");
    if (f == NULL)
        return 0;
    fclose(f);
    data = tu_read(s->log, &len);
    int found = strstr(data, text) != NULL;
    free(data);
    return found;
}

static void server_stop(server_t *s)
{
    pid_t pid = s->pid;
    int gone = 0;

    if (pid <= 0)
        return;
    s->pid = 0;
    kill(-pid, SIGTERM);
    for (int i = 0; i < 300 && !gone; i++) {
        gone = waitpid(pid, NULL, WNOHANG) == pid;
        if (!gone)
            usleep(10000);
    }
    /* Its process group (the server and any child it left behind), by id. */
    kill(-pid, SIGKILL);
    if (!gone)
        waitpid(pid, NULL, 0);
}

/* Starts s on free high ports; 0 when all its ports accept connections. */
static int server_start(server_t *s, unsigned *seq)
{
    for (int attempt = 0; attempt < 20; attempt++) {
        int free_ports = 1;
        for (unsigned p = 0; p < s->nports; p++) {
            s->port[p] = 20000 + ((unsigned)getpid() * 7919u + (unsigned)time(NULL) + (*seq)++ * 104729u) % 40000u;
            free_ports &= sock_to(s->port[p], 1);
        }
        if (!free_ports)
            continue;
        s->prepare(s);
        snprintf(s->log, sizeof(s->log), "%s/%s.log", tmp, s->what);
        s->pid = fork();
        if (s->pid < 0)
            return -1;
        if (s->pid == 0) {
            int fd = open(s->log, O_WRONLY | O_CREAT | O_TRUNC, 0600), null = open("/dev/null", O_RDONLY);
            setpgid(0, 0);
            prctl(PR_SET_PDEATHSIG, SIGTERM); /* the test program died: do not stay behind */
            dup2(null, 0);
            dup2(fd, 1);
            dup2(fd, 2);
            execvp(s->argv[0], (char *const *)s->argv);
            _exit(127);
        }
        setpgid(s->pid, s->pid);
        for (int i = 0; i < 1000; i++) {
            int status, up = 1;
            if (waitpid(s->pid, &status, WNOHANG) == s->pid) {
                s->pid = 0;
                if (WIFEXITED(status) && WEXITSTATUS(status) == 127) {
                    print_error("cannot run %s (make deps installs it)\n", s->argv[0]);
                    return -1;
                }
                break; /* exited: a port taken meanwhile, or a bad configuration (see the log) */
            }
            for (unsigned p = 0; p < s->nports && up; p++)
                up = sock_to(s->port[p], 0);
            if (up && !log_has(s, "already in use"))
                return 0;
            if (up)
                break;
            usleep(10000);
        }
        server_stop(s);
    }
    FILE *f = fopen(s->log, "r");
    char line[512];
    print_error("%s did not start; its output:\n", s->what);
    while (f != NULL && fgets(line, sizeof(line), f) != NULL)
        print_error("  %s", line);
    if (f != NULL)
        fclose(f);
    return -1;
}

static int stop_servers(void **state)
{
    (void)state;
    for (int i = 0; i < NSERVERS; i++)
        server_stop(&servers[i]);
    if (getenv("CERTSLOT_KEEP_TMP") == NULL)
        tu_rmtree(tmp);
    return 0;
}

static int start_servers(void **state)
{
    unsigned seq = 0;
    snprintf(tmp, sizeof(tmp), "%s", tu_tmpdir());
    snprintf(pki_dir, sizeof(pki_dir), "%s", tu_pki(""));
    pki_dir[strlen(pki_dir) - 1] = '\0'; /* no trailing slash */
    for (int i = 0; i < NSERVERS; i++) {
        if (server_start(&servers[i], &seq) != 0) {
            stop_servers(state);
            return -1;
        }
    }
    return 0;
}

/* ---- the handset ---- */

typedef struct {
    certslot_hal_sim_t sim;
    certslot_hal_t hal;
    certslot_store_t st;
    certslot_config_t cfg;
    certslot_tls_t tls;
    certslot_tls_conn_t conn;
    char why[256];
} handset_t;

static void install(handset_t *h, certslot_slot_t slot, certslot_kind_t kind, const char *cert, const char *key)
{
    certslot_result_t res;
    size_t cl, kl = 0;
    char *c = tu_pki_read(cert, &cl), *k = key != NULL ? tu_pki_read(key, &kl) : NULL;
    int ret = certslot_store_install(&h->st, slot, kind, (unsigned char *)c, cl, (unsigned char *)k, kl, 0, &res);
    free(c);
    free(k);
    assert_int_equal(ret, 0);
}

/*
 * A handset whose CA slot `slot` holds ca (and, with device set, whose device
 * slot `slot` holds the test device certificate), configured by xml, with
 * app's TLS configuration set up.
 */
static void handset_open(handset_t *h, const char *xml, certslot_app_t app, certslot_slot_t slot, const char *ca,
                         int device)
{
    memset(h, 0, sizeof(*h));
    certslot_hal_sim_init(&h->sim, &h->hal);
    h->sim.now = (int64_t)time(NULL); /* the test PKI is issued today */
    assert_int_equal(certslot_store_open(&h->st, &h->hal), 0);
    install(h, slot, CERTSLOT_KIND_CA, ca, NULL);
    if (device)
        install(h, slot, CERTSLOT_KIND_DEVICE, "device.crt", "device.key");
    certslot_config_init(&h->cfg);
    assert_int_equal(certslot_config_parse_buffer(&h->cfg, "peers.cfg", xml, strlen(xml)), 0);
    assert_int_equal(certslot_config_finish(&h->cfg), 0);
    certslot_tls_init(&h->tls);
    if (certslot_tls_setup(&h->tls, &h->hal, tu_settings(&h->cfg), &h->st, app, h->why, sizeof(h->why)) != 0)
        fail_msg("%s: setup failed: %s", certslot_app_name(app), h->why);
}

static int handset_connect(handset_t *h, unsigned port, const char *name)
{
    return certslot_tls_connect(&h->conn, &h->tls, "127.0.0.1", (uint16_t)port, name, TIMEOUT_MS, h->why,
                                sizeof(h->why));
}

static void handset_close(handset_t *h)
{
    certslot_tls_free(&h->tls);
    certslot_config_free(&h->cfg);
    certslot_store_free(&h->st);
    certslot_hal_sim_free(&h->sim);
}

/* Connects and expects a refusal (err) whose reason contains why. */
static void expect_refused(handset_t *h, unsigned port, const char *name, int err, const char *why)
{
    int ret = handset_connect(h, port, name);
    if (ret == 0)
        certslot_tls_close(&h->conn);
    if (ret != err || strstr(h->why, why) == NULL)
        fail_msg("connect as '%s': got %d (%s), expected %d (%s)", name, ret, h->why, err, why);
}

/* Reads until the reply holds `end` (or len - 1 bytes); NUL-terminated. */
static size_t read_until(handset_t *h, char *buf, size_t len, const char *end)
{
    size_t n = 0;
    buf[0] = '\0';
    while (n < len - 1 && strstr(buf, end) == NULL) {
        int r = certslot_tls_read(&h->conn, (unsigned char *)buf + n, len - 1 - n);
        if (r <= 0)
            break;
        n += (size_t)r;
        buf[n] = '\0';
    }
    return n;
}

/* ---- syslog: rsyslog ---- */

/* The syslog application on application profile 1, trusting only its CA slots (no built-in list). */
static const char syslog_xml[] = "<x device.set='1' device.sec.TLS.profileSelection.syslog='ApplicationProfile1' "
                                 "device.sec.TLS.profileSelection.syslog.set='1' "
                                 "device.sec.TLS.syslog.strictCertCommonNameValidation='1' "
                                 "device.sec.TLS.syslog.strictCertCommonNameValidation.set='1' "
                                 "sec.TLS.profile.1.caCert.defaultList='0'/>";

/* 1 when rsyslog's output file gets line within about 10 s. */
static int syslog_received(const char *line)
{
    char path[700];
    snprintf(path, sizeof(path), "%s/syslog.out", tmp);
    for (int i = 0; i < 1000; i++) {
        FILE *f = fopen(path, "r");
        if (f != NULL) {
            char text[1024];
            while (fgets(text, sizeof(text), f) != NULL) {
                if (strcmp(text, line) == 0) {
                    fclose(f);
                    return 1;
                }
            }
            fclose(f);
        }
        usleep(10000);
    }
    return 0;
}

static void test_syslog_reaches_rsyslog(void **state)
{
    (void)state;
    handset_t h;
    char text[96], line[160];
    snprintf(text, sizeof(text), "certificate slot 3 installed (run %ld-%d)", (long)time(NULL), (int)getpid());
    certslot_syslog_msg_t m = {CERTSLOT_SYSLOG_LOCAL0, CERTSLOT_SYSLOG_NOTICE, (int64_t)time(NULL),
                               "handset-0004f2a1b2c3", "certslot", text};

    handset_open(&h, syslog_xml, CERTSLOT_APP_SYSLOG, CERTSLOT_SLOT_APPLICATION1, "root-rsa.crt", 0);
    assert_int_equal(h.tls.profile.strict, 1);
    if (handset_connect(&h, servers[RSYSLOG].port[0], "server.test") != 0)
        fail_msg("syslog: %s", h.why);
    /* rsyslog's gtls driver, in its shipped settings, offers TLS 1.2 only (slapd's GnuTLS offers 1.3). */
    assert_string_equal(mbedtls_ssl_get_version(&h.conn.ssl), "TLSv1.2");
    assert_int_equal(certslot_syslog_send(&h.conn, &m), 0);
    /* A second frame on the same connection: the octet count delimits them. */
    m.msg = "second";
    assert_int_equal(certslot_syslog_send(&h.conn, &m), 0);
    certslot_tls_close(&h.conn);
    handset_close(&h);

    /* rsyslog parsed it as RFC 5424: host, app name and message in their fields. */
    snprintf(line, sizeof(line), "handset-0004f2a1b2c3 certslot %s\n", text);
    if (!syslog_received(line))
        fail_msg("rsyslog did not write \"%s\": see %s/syslog.out and %s (CERTSLOT_KEEP_TMP=1 keeps them)", text,
                 tmp, servers[RSYSLOG].log);
    assert_true(syslog_received("handset-0004f2a1b2c3 certslot second\n"));
}

static void test_syslog_refused(void **state)
{
    (void)state;
    handset_t h;

    handset_open(&h, syslog_xml, CERTSLOT_APP_SYSLOG, CERTSLOT_SLOT_APPLICATION1, "root-rsa.crt", 0);
    expect_refused(&h, servers[RSYSLOG].port[0], "logs.other.test", CERTSLOT_ERR_NAME, "logs.other.test");
    handset_close(&h);
    /* The profile's only CA is another root. */
    handset_open(&h, syslog_xml, CERTSLOT_APP_SYSLOG, CERTSLOT_SLOT_APPLICATION1, "root-ec.crt", 0);
    expect_refused(&h, servers[RSYSLOG].port[0], "server.test", CERTSLOT_ERR_VERIFY,
                   "not issued by a CA this profile trusts");
    handset_close(&h);
}

/* ---- LDAP: slapd ---- */

static const char ldap_xml[] = "<x sec.TLS.profileSelection.LDAP='ApplicationProfile3' "
                               "sec.TLS.LDAP.strictCertCommonNameValidation='1' "
                               "sec.TLS.profile.3.caCert.defaultList='0'/>";

/* An LDAPv3 simple BindRequest, message ID 1 (dn and password under 100 bytes). */
static size_t ldap_bind_request(unsigned char *out, const char *dn, const char *password)
{
    size_t dl = strlen(dn), pl = strlen(password), n = 0;
    assert_true(dl < 100 && pl < 100);
    size_t bind_len = 3 + 2 + dl + 2 + pl;
    out[n++] = 0x30; /* LDAPMessage SEQUENCE */
    out[n++] = (unsigned char)(3 + 2 + bind_len);
    out[n++] = 0x02, out[n++] = 0x01, out[n++] = 0x01; /* messageID 1 */
    out[n++] = 0x60;                                    /* [APPLICATION 0] BindRequest */
    out[n++] = (unsigned char)bind_len;
    out[n++] = 0x02, out[n++] = 0x01, out[n++] = 0x03; /* version 3 */
    out[n++] = 0x04, out[n++] = (unsigned char)dl;      /* name */
    memcpy(out + n, dn, dl);
    n += dl;
    out[n++] = 0x80, out[n++] = (unsigned char)pl; /* authentication: simple [0] */
    memcpy(out + n, password, pl);
    return n + pl;
}

/* One BER tag and length at *p (short or long form); the length, or -1. */
static long ber_header(const unsigned char **p, const unsigned char *end, unsigned char tag)
{
    if (end - *p < 2 || (*p)[0] != tag)
        return -1;
    unsigned first = (*p)[1];
    *p += 2;
    if (first < 0x80)
        return (long)first;
    unsigned n = first & 0x7f;
    long len = 0;
    if (n == 0 || n > 4 || end - *p < (long)n)
        return -1;
    while (n-- > 0)
        len = len * 256 + *(*p)++;
    return len;
}

/* The resultCode of the BindResponse in buf, or -1 when it is not one. */
static int ldap_bind_result(const unsigned char *buf, size_t len)
{
    const unsigned char *p = buf, *end = buf + len;
    long l = ber_header(&p, end, 0x30);
    if (l < 0 || l > end - p)
        return -1;
    if ((l = ber_header(&p, end, 0x02)) != 1 || *p++ != 1) /* messageID 1 */
        return -1;
    if (ber_header(&p, end, 0x61) < 0) /* [APPLICATION 1] BindResponse */
        return -1;
    if (ber_header(&p, end, 0x0a) != 1) /* resultCode ENUMERATED */
        return -1;
    return *p;
}

/* Binds over a connection made with the LDAP profile; the resultCode. */
static int ldap_bind(handset_t *h, const char *dn, const char *password)
{
    unsigned char req[256], resp[512];
    size_t n = ldap_bind_request(req, dn, password), got = 0;
    if (handset_connect(h, servers[SLAPD].port[0], "server.test") != 0)
        fail_msg("ldap: %s", h->why);
    assert_string_equal(mbedtls_ssl_get_version(&h->conn.ssl), "TLSv1.3"); /* slapd's GnuTLS offers it */
    assert_int_equal(certslot_tls_write(&h->conn, req, n), (int)n);
    /* The whole LDAPMessage: its outer length says when it is complete. */
    for (;;) {
        int r = certslot_tls_read(&h->conn, resp + got, sizeof(resp) - got);
        if (r <= 0)
            break;
        got += (size_t)r;
        const unsigned char *p = resp;
        long l = ber_header(&p, resp + got, 0x30);
        if (l >= 0 && (size_t)(p - resp) + (size_t)l <= got)
            break;
    }
    certslot_tls_close(&h->conn);
    return ldap_bind_result(resp, got);
}

static void test_ldap_bind_to_slapd(void **state)
{
    (void)state;
    handset_t h;
    handset_open(&h, ldap_xml, CERTSLOT_APP_LDAP, CERTSLOT_SLOT_APPLICATION3, "root-rsa.crt", 0);
    assert_int_equal(ldap_bind(&h, "cn=admin,dc=test", "ldap-secret"), 0);  /* success */
    assert_int_equal(ldap_bind(&h, "cn=admin,dc=test", "wrong-secret"), 49); /* invalidCredentials */
    handset_close(&h);
}

static void test_ldap_refused(void **state)
{
    (void)state;
    handset_t h;
    handset_open(&h, ldap_xml, CERTSLOT_APP_LDAP, CERTSLOT_SLOT_APPLICATION3, "root-rsa.crt", 0);
    expect_refused(&h, servers[SLAPD].port[0], "ldap.other.test", CERTSLOT_ERR_NAME, "ldap.other.test");
    handset_close(&h);
    handset_open(&h, ldap_xml, CERTSLOT_APP_LDAP, CERTSLOT_SLOT_APPLICATION3, "root-ec.crt", 0);
    expect_refused(&h, servers[SLAPD].port[0], "server.test", CERTSLOT_ERR_VERIFY,
                   "not issued by a CA this profile trusts");
    handset_close(&h);
}

/* ---- SIP: kamailio ---- */

/* SIP on application profile 2; %s: the profile's deviceCert. */
static const char sip_xml[] = "<x sec.TLS.profileSelection.SIP='ApplicationProfile2' "
                              "sec.TLS.SIP.strictCertCommonNameValidation='1' "
                              "sec.TLS.profile.2.caCert.defaultList='0' sec.TLS.profile.2.deviceCert='%s'/>";

/* Sends an OPTIONS request over a connection made with the SIP profile; the status line. */
static void sip_options(handset_t *h, unsigned port, char *status, size_t size)
{
    char req[512], resp[2048];
    int n = snprintf(req, sizeof(req),
                     "OPTIONS sip:server.test SIP/2.0\r\n"
                     "Via: SIP/2.0/TLS 127.0.0.1:5061;branch=z9hG4bK-certslot-%d\r\n"
                     "Max-Forwards: 70\r\n"
                     "From: <sip:handset@server.test>;tag=certslot\r\n"
                     "To: <sip:server.test>\r\n"
                     "Call-ID: %d@handset\r\n"
                     "CSeq: 1 OPTIONS\r\n"
                     "Content-Length: 0\r\n\r\n",
                     (int)getpid(), (int)getpid());
    if (handset_connect(h, port, "server.test") != 0)
        fail_msg("sip: %s", h->why);
    assert_string_equal(mbedtls_ssl_get_version(&h->conn.ssl), "TLSv1.3"); /* kamailio's OpenSSL offers it */
    assert_int_equal(certslot_tls_write(&h->conn, (unsigned char *)req, (size_t)n), n);
    read_until(h, resp, sizeof(resp), "\r\n\r\n");
    certslot_tls_close(&h->conn);
    snprintf(status, size, "%.*s", (int)strcspn(resp, "\r\n"), resp);
}

static void sip_open(handset_t *h, const char *device_cert, const char *ca, int device)
{
    char xml[512];
    snprintf(xml, sizeof(xml), sip_xml, device_cert);
    handset_open(h, xml, CERTSLOT_APP_SIP, CERTSLOT_SLOT_APPLICATION2, ca, device);
}

static void test_sip_options_to_kamailio(void **state)
{
    (void)state;
    handset_t h;
    char status[128];
    /* Server authentication only: kamailio asks for no client certificate. */
    sip_open(&h, "Builtin", "root-rsa.crt", 0);
    sip_options(&h, servers[KAMAILIO].port[0], status, sizeof(status));
    assert_string_equal(status, "SIP/2.0 200 OK");
    handset_close(&h);
}

static void test_sip_mutual_tls_with_the_profiles_device_certificate(void **state)
{
    (void)state;
    handset_t h;
    char status[128];
    sip_open(&h, "Application2", "root-rsa.crt", 1);
    assert_string_equal(h.tls.own_cn, "handset-0004f2a1b2c3");
    sip_options(&h, servers[KAMAILIO].port[1], status, sizeof(status));
    /* kamailio verified it against root-rsa and names it in the reason phrase. */
    assert_string_equal(status, "SIP/2.0 200 OK client handset-0004f2a1b2c3");
    handset_close(&h);

    /* The built-in (vendor) device certificate is not one kamailio trusts. */
    sip_open(&h, "Builtin", "root-rsa.crt", 1);
    expect_refused(&h, servers[KAMAILIO].port[1], "server.test", CERTSLOT_ERR_AUTH,
                   "the server refused the device certificate '0004f2a1b2c3'");
    handset_close(&h);
}

static void test_sip_refused(void **state)
{
    (void)state;
    handset_t h;
    sip_open(&h, "Builtin", "root-rsa.crt", 0);
    expect_refused(&h, servers[KAMAILIO].port[0], "sip.other.test", CERTSLOT_ERR_NAME, "sip.other.test");
    handset_close(&h);
    sip_open(&h, "Builtin", "root-ec.crt", 0);
    expect_refused(&h, servers[KAMAILIO].port[0], "server.test", CERTSLOT_ERR_VERIFY,
                   "not issued by a CA this profile trusts");
    handset_close(&h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_syslog_reaches_rsyslog),
        cmocka_unit_test(test_syslog_refused),
        cmocka_unit_test(test_ldap_bind_to_slapd),
        cmocka_unit_test(test_ldap_refused),
        cmocka_unit_test(test_sip_options_to_kamailio),
        cmocka_unit_test(test_sip_mutual_tls_with_the_profiles_device_certificate),
        cmocka_unit_test(test_sip_refused),
    };
    return cmocka_run_group_tests_name("peers", tests, start_servers, stop_servers);
}
