/*
 * The applied settings as one XML element that the parser reads back: what
 * the handset keeps so its profiles survive a reboot.
 */
#include <stdio.h>
#include <string.h>

#include "certslot/config.h"
#include "certslot/error.h"
#include "certslot/platform.h"

/* Appends text to buf (when buf is NULL, only counts), XML-escaped when escape. */
static size_t put(char *buf, size_t o, const char *text, int escape)
{
    for (; *text != '\0'; text++) {
        const char *rep = NULL;
        char num[8];
        unsigned char c = (unsigned char)*text;
        if (escape && (c == '&' || c == '<' || c == '"' || c < 0x20)) {
            snprintf(num, sizeof(num), "&#%u;", c);
            rep = num;
        }
        if (rep != NULL) {
            size_t n = strlen(rep);
            if (buf != NULL)
                memcpy(buf + o, rep, n);
            o += n;
        } else {
            if (buf != NULL)
                buf[o] = (char)c;
            o++;
        }
    }
    return o;
}

static size_t export_to(const certslot_config_t *cfg, char *buf)
{
    char name[CERTSLOT_PARAM_NAME_MAX];
    size_t o = put(buf, 0, "<certslot device.set=\"1\"", 0);

    for (certslot_param_t p = 0; p < CERTSLOT_PARAM_COUNT; p++) {
        certslot_type_t type = certslot_param_type(p);
        if (p == CERTSLOT_P_DEVICE_SET || type == CERTSLOT_TYPE_CERT || type == CERTSLOT_TYPE_KEY ||
            !certslot_config_is_set(cfg, p) || cfg->v[p].len == 0)
            continue;
        certslot_param_name(p, name, sizeof(name));
        o = put(buf, o, "\n ", 0);
        o = put(buf, o, name, 0);
        o = put(buf, o, "=\"", 0);
        o = put(buf, o, cfg->v[p].text, 1);
        o = put(buf, o, "\"", 0);
        if (certslot_param_is_device(p)) {
            o = put(buf, o, " ", 0);
            o = put(buf, o, name, 0);
            o = put(buf, o, ".set=\"1\"", 0);
        }
    }
    return put(buf, o, "/>\n", 0);
}

int certslot_config_export(const certslot_config_t *cfg, char **xml, size_t *len)
{
    size_t n = export_to(cfg, NULL);

    *xml = certslot_calloc(1, n + 1);
    if (*xml == NULL)
        return CERTSLOT_ERR_NOMEM;
    export_to(cfg, *xml);
    *len = n;
    return 0;
}
