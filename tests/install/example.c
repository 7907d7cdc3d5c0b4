/*
 * An application as a firmware team writes one, built only from the installed tree (tests/install/install.sh
 * compiles it with `pkg-config --cflags --static --libs certslot`, for the host and for ARM):
 *
 *   example STORE MASTER HOST PORT NAME
 *
 * opens (or creates) the store in the directory STORE with hal/linux, applies the config file MASTER and the files
 * its CONFIG_FILES names, and makes one TLS connection with the provisioning application's profile to HOST:PORT,
 * verified against NAME. Prints the versions and the verdict. Exit 0 verified, 1 refused, 2 anything else.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <certslot/config.h>
#include <certslot/error.h>
#include <certslot/hal_linux.h>
#include <certslot/store.h>
#include <certslot/tls.h>
#include <certslot/version.h>

#if CERTSLOT_VERSION_NUMBER < 0x00090000
#error "this example needs certslot 0.9.0 or later"
#endif

static void report(void *ctx, certslot_param_t param, const certslot_where_t *where, const char *msg)
{
    (void)ctx;
    (void)param;
    fprintf(stderr, "example: %s:%u: %s\n", where != NULL ? where->file : "-", where != NULL ? where->line : 0, msg);
}

static int apply_config(certslot_store_t *st, const char *path)
{
    static certslot_config_t cfg;
    certslot_hal_linux_dir_t dir;
    certslot_source_t src;
    const char *master;
    int ret;

    certslot_config_init(&cfg);
    ret = certslot_hal_linux_config_dir(&dir, &src, path, &master);
    if (ret == 0)
        ret = certslot_config_load_master(&cfg, &src, master);
    if (ret == 0)
        ret = certslot_config_finish(&cfg);
    if (ret == 0 && (cfg.errors > 0 || cfg.io_error))
        ret = CERTSLOT_ERR_VALUE;
    if (ret == 0)
        ret = certslot_config_apply(&cfg, st, report, NULL);
    certslot_config_free(&cfg);
    return ret;
}

int main(int argc, char **argv)
{
    static certslot_store_t st;
    certslot_hal_linux_t lh;
    certslot_hal_linux_options_t opt;
    certslot_hal_t hal;
    certslot_tls_t tls;
    certslot_tls_conn_t conn;
    char secret[4096], why[256] = "";
    int ret, status = 2;

    if (argc != 6) {
        fprintf(stderr, "usage: example STORE MASTER HOST PORT NAME\n");
        return 2;
    }
    printf("built with certslot %s, running %s\n", CERTSLOT_VERSION, certslot_version());
    snprintf(secret, sizeof(secret), "%s.secret", argv[1]);
    memset(&opt, 0, sizeof(opt));
    opt.storage_dir = argv[1];
    opt.secret_path = secret;
    opt.create = 1;
    opt.mac = "00:04:f2:00:00:01";
    certslot_hal_linux_init(&lh);
    certslot_tls_init(&tls);
    ret = certslot_hal_linux_open(&lh, &hal, &opt);
    if (ret == 0)
        ret = certslot_store_open(&st, &hal);
    if (ret != 0) {
        fprintf(stderr, "example: cannot open the store in %s: %s\n", argv[1], certslot_strerror(ret));
        goto cleanup;
    }
    ret = apply_config(&st, argv[2]);
    if (ret != 0) {
        fprintf(stderr, "example: %s not applied: %s\n", argv[2], certslot_strerror(ret));
        goto cleanup;
    }
    ret = certslot_tls_setup(&tls, &hal, &st.settings, &st, CERTSLOT_APP_PROV, why, sizeof(why));
    if (ret == 0)
        ret = certslot_tls_connect(&conn, &tls, argv[3], (uint16_t)strtoul(argv[4], NULL, 10), argv[5], 10000, why,
                                   sizeof(why));
    if (ret == 0) {
        printf("verified: %s (%s)\n", argv[5], mbedtls_ssl_get_version(&conn.ssl));
        (void)certslot_tls_shutdown(&conn);
        certslot_tls_close(&conn);
        status = 0;
    } else {
        printf("refused: %s\n", why[0] != '\0' ? why : certslot_strerror(ret));
        status = 1;
    }

cleanup:
    certslot_tls_free(&tls);
    certslot_store_free(&st);
    certslot_hal_linux_free(&lh);
    return status;
}
