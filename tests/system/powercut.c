/*
 * The store's power-cut check on a real ARM kernel and file system: runs inside the system image
 * (tools/qemu/init, make test-system and make power-cut) on hal/linux, over the store in DIR on the
 * image's ext4 disk (the device secret in DIR.secret, the anti-rollback counter in DIR.counter).
 *
 *   powercut check DIR PKI        opens the store and checks that it is one whole generation
 *   powercut write DIR PKI [N]    the same, then N updates (0 or none: until the machine is killed)
 *
 * PKI holds ca0.der .. ca<K-1>.der (K >= 2), CA certificates of the test PKI. Generation G is recognised
 * by its content: device.prov.serverName "gen-G.powercut.test" and, in slot s, the CA part ca((G+s) % K);
 * generation 0 is the empty store. Each update is one transaction changing every slot and the settings.
 *
 * Lines on stdout (the serial console), which the host's driver (tools/qemu/power-cut.sh) reads:
 *   powercut: generation G intact        what open found, checked against generation G's content
 *   powercut: DAMAGED: why               open refused the store, or its content is not generation G's
 *   powercut: begin G                    update G is about to be committed
 *   powercut: durable G                  the commit of update G returned 0
 * Each line is drained to the console before the program goes on, so "begin G" is on the console before
 * update G touches the disk, and "durable G" is never reported for an update that was not committed.
 * Exit 0 intact (and every update committed), 1 damaged or an update failed, 2 usage or set-up error.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "certslot/error.h"
#include "certslot/hal_linux.h"
#include "certslot/settings.h"
#include "certslot/store.h"

#define MAX_CAS 8
#define MAC "00a0f0000001"

typedef struct {
    unsigned char *der[MAX_CAS];
    size_t len[MAX_CAS];
    unsigned n;
} cas_t;

#if defined(__GNUC__)
__attribute__((format(printf, 1, 2)))
#endif
static void say(const char *fmt, ...)
{
    va_list ap;

    fputs("powercut: ", stdout);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    fputc('\n', stdout);
    fflush(stdout);
    (void)tcdrain(STDOUT_FILENO); /* on the console's wire before anything else happens; not a tty: nothing */
}

static void log_line(void *ctx, certslot_log_level_t level, const char *msg)
{
    (void)ctx;
    if (level >= CERTSLOT_LOG_INFO)
        say("log: %s", msg);
}

static unsigned char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    unsigned char *buf = NULL;
    long size;

    if (f == NULL)
        return NULL;
    if (fseek(f, 0, SEEK_END) == 0 && (size = ftell(f)) > 0 && fseek(f, 0, SEEK_SET) == 0 &&
        (buf = malloc((size_t)size)) != NULL && fread(buf, 1, (size_t)size, f) != (size_t)size) {
        free(buf);
        buf = NULL;
    }
    if (buf != NULL)
        *len = (size_t)size;
    fclose(f);
    return buf;
}

static int load_cas(cas_t *c, const char *dir)
{
    char path[4096];

    memset(c, 0, sizeof(*c));
    while (c->n < MAX_CAS) {
        snprintf(path, sizeof(path), "%s/ca%u.der", dir, c->n);
        if ((c->der[c->n] = read_file(path, &c->len[c->n])) == NULL)
            break;
        c->n++;
    }
    return c->n >= 2 ? 0 : -1;
}

static void free_cas(cas_t *c)
{
    for (unsigned i = 0; i < c->n; i++)
        free(c->der[i]);
}

/* Generation g's settings: the defaults, with the server name that names g. */
static int gen_settings(certslot_settings_t *s, unsigned long long g)
{
    char name[64];
    int n = snprintf(name, sizeof(name), "gen-%llu.powercut.test", g);

    certslot_settings_init(s);
    return g == 0 ? 0 : certslot_settings_set_text(s, &s->prov_server, name, (size_t)n);
}

/* NULL when st holds exactly generation st->generation; else what differs. */
static const char *check_content(const certslot_store_t *st, const cas_t *c, char *why, size_t size)
{
    unsigned long long g = (unsigned long long)st->generation;
    certslot_settings_t want;

    if (gen_settings(&want, g) != 0)
        return "the settings of a generation do not fit";
    const char *have = certslot_settings_text(&st->settings, st->settings.prov_server);
    const char *name = certslot_settings_text(&want, want.prov_server);
    if (strcmp(have, name) != 0) {
        snprintf(why, size, "generation %llu holds the server name '%.80s', not '%s'", g, have, name);
        return why;
    }
    for (unsigned s = 0; s < CERTSLOT_SLOT_COUNT; s++) {
        const certslot_part_t *ca = &st->part[s][CERTSLOT_KIND_CA], *dev = &st->part[s][CERTSLOT_KIND_DEVICE];
        unsigned k = (unsigned)((g + s) % c->n);
        int ok = g == 0 ? ca->ncerts == 0
                        : ca->ncerts == 1 && ca->certs[0].len == c->len[k] &&
                              memcmp(ca->certs[0].der, c->der[k], c->len[k]) == 0;
        if (!ok || dev->ncerts != 0 || dev->key.der != NULL) {
            snprintf(why, size, "generation %llu: slot %s is not as that generation wrote it", g,
                     certslot_slot_name((certslot_slot_t)s));
            return why;
        }
    }
    return NULL;
}

static int update(certslot_store_t *st, const cas_t *c, unsigned long long g)
{
    certslot_store_txn_t t;
    certslot_settings_t s;
    char why[256] = "";
    int ret = gen_settings(&s, g);

    certslot_store_txn_init(&t, st);
    for (unsigned slot = 0; slot < CERTSLOT_SLOT_COUNT && ret == 0; slot++) {
        unsigned k = (unsigned)((g + slot) % c->n);
        ret = certslot_store_txn_put(&t, (certslot_slot_t)slot, CERTSLOT_KIND_CA, c->der[k], c->len[k], NULL, 0, 0,
                                     why, sizeof(why));
    }
    if (ret == 0) {
        certslot_store_txn_settings(&t, &s);
        ret = certslot_store_txn_commit(&t);
    }
    certslot_store_txn_free(&t);
    if (ret != 0)
        say("update %llu failed: %s%s%s", g, certslot_strerror(ret), why[0] != '\0' ? ": " : "", why);
    else if (st->generation != g)
        ret = CERTSLOT_ERR_CORRUPT;
    return ret;
}

int main(int argc, char **argv)
{
    static certslot_store_t st;
    certslot_hal_linux_t lh;
    certslot_hal_t hal;
    certslot_hal_linux_options_t opt;
    char secret[4096], counter[4096], why[256];
    cas_t cas;
    int write = argc >= 4 && strcmp(argv[1], "write") == 0, rc = 2;
    unsigned long long count = write && argc == 5 ? strtoull(argv[4], NULL, 10) : 0;

    if (!(argc == 4 && strcmp(argv[1], "check") == 0) && !(write && argc <= 5)) {
        fprintf(stderr, "usage: powercut check DIR PKI | powercut write DIR PKI [N]\n");
        return 2;
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (load_cas(&cas, argv[3]) != 0) {
        say("cannot read %s/ca0.der and ca1.der", argv[3]);
        return 2;
    }
    snprintf(secret, sizeof(secret), "%s.secret", argv[2]);
    snprintf(counter, sizeof(counter), "%s.counter", argv[2]);
    memset(&opt, 0, sizeof(opt));
    opt.storage_dir = argv[2];
    opt.secret_path = secret;
    opt.counter_path = counter;
    opt.create = 1;
    opt.mac = MAC;
    opt.log = log_line;
    certslot_hal_linux_init(&lh);
    int ret = certslot_hal_linux_open(&lh, &hal, &opt);
    if (ret != 0) {
        say("cannot open the storage in %s: %s", argv[2], certslot_strerror(ret));
        goto cleanup;
    }
    rc = 1;
    ret = certslot_store_open(&st, &hal);
    const char *bad = ret != 0 ? certslot_strerror(ret) : check_content(&st, &cas, why, sizeof(why));
    if (bad != NULL) {
        say("DAMAGED: %s", bad);
        goto cleanup;
    }
    say("generation %llu intact", (unsigned long long)st.generation);
    rc = 0;
    for (unsigned long long i = 0; write && rc == 0 && (count == 0 || i < count); i++) {
        unsigned long long g = (unsigned long long)st.generation + 1;
        say("begin %llu", g);
        if (update(&st, &cas, g) != 0)
            rc = 1;
        else
            say("durable %llu", g);
    }

cleanup:
    certslot_store_free(&st);
    certslot_hal_linux_free(&lh);
    free_cas(&cas);
    return rc;
}
