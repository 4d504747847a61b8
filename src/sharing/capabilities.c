/* capabilities.c - parses "key=v1,v2;key2=v3" with case-insensitive keys and values. */
#include "sharing/capabilities.h"

#include <string.h>
#include <strings.h>

#include "base/strutil.h"

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        s[--n] = '\0';
    return s;
}

int caps_parse(const char *header, caps *out, os_err *err)
{
    memset(out, 0, sizeof *out);
    if (header == NULL || *header == '\0') {
        out->want_parquet = 1;
        return 0;
    }
    if (strlen(header) >= sizeof out->buf)
        return os_err_set(err, OS_EINVAL, "delta-sharing-capabilities header is too long");
    strcpy(out->buf, header);
    os_str_lower(out->buf);
    char *save = NULL;
    for (char *part = strtok_r(out->buf, ";", &save); part; part = strtok_r(NULL, ";", &save)) {
        char *eq = strchr(part, '=');
        if (eq == NULL)
            continue;
        *eq = '\0';
        char *key = trim(part), *values = eq + 1;
        char *vsave = NULL;
        for (char *v = strtok_r(values, ",", &vsave); v; v = strtok_r(NULL, ",", &vsave)) {
            v = trim(v);
            if (!strcmp(key, "responseformat")) {
                out->format_given = 1;
                if (!strcmp(v, "parquet"))
                    out->want_parquet = 1;
                else if (!strcmp(v, "delta"))
                    out->want_delta = 1;
                else
                    return os_err_set(err, OS_EINVAL,
                                      "unknown responseformat '%.40s' in delta-sharing-capabilities "
                                      "(use parquet or delta)", v);
            } else if (!strcmp(key, "readerfeatures")) {
                if (*v && out->n_reader_features < CAPS_MAX_FEATURES)
                    out->reader_features[out->n_reader_features++] = v;
            } else if (!strcmp(key, "includeendstreamaction")) {
                out->include_end_stream = !strcmp(v, "true");
            }
        }
    }
    if (!out->format_given)
        out->want_parquet = 1;
    return 0;
}

int caps_has_feature(const caps *c, const char *feature)
{
    for (int i = 0; i < c->n_reader_features; i++)
        if (strcasecmp(c->reader_features[i], feature) == 0)
            return 1;
    return 0;
}
