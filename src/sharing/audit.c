/* audit.c - the audit sink: events into the catalog's audit table and one JSON line each into audit.jsonl. */
#include "sharing/audit.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/log.h"
#include "base/timeutil.h"

struct audit_sink {
    cat_store *st;
    FILE *file;
    pthread_mutex_t lock;
};

static audit_sink *g_sink;

audit_sink *audit_sink_open(cat_store *st, const char *data_dir, os_err *err)
{
    char path[PATH_MAX];
    if (snprintf(path, sizeof path, "%s/audit.jsonl", data_dir) >= (int)sizeof path) {
        os_err_set(err, OS_EINVAL, "data directory path is too long");
        return NULL;
    }
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (fd < 0) {
        os_err_set(err, OS_EIO, "cannot open audit log %s: %s", path, strerror(errno));
        return NULL;
    }
    audit_sink *s = calloc(1, sizeof *s);
    FILE *f = fdopen(fd, "a");
    if (s == NULL || f == NULL) {
        if (f)
            fclose(f);
        else
            close(fd);
        free(s);
        os_err_set(err, OS_ENOMEM, "out of memory");
        return NULL;
    }
    s->st = st;
    s->file = f;
    pthread_mutex_init(&s->lock, NULL);
    return s;
}

void audit_sink_close(audit_sink *s)
{
    if (s == NULL)
        return;
    if (g_sink == s)
        g_sink = NULL;
    fclose(s->file);
    pthread_mutex_destroy(&s->lock);
    free(s);
}

void audit_sink_install(audit_sink *s)
{
    g_sink = s;
}

static void set_str(json_t *o, const char *key, const char *v)
{
    json_t *j = v ? json_string(v) : json_null();
    json_object_set_new(o, key, j ? j : json_string("?"));
}

char *audit_event_json(const cat_audit_event *ev)
{
    char iso[32];
    os_time_format_iso(ev->time_ms, iso);
    json_t *o = json_object();
    if (o == NULL)
        return NULL;
    if (ev->id)
        json_object_set_new(o, "id", json_integer(ev->id));
    set_str(o, "time", iso);
    set_str(o, "recipient", ev->recipient);
    set_str(o, "share", ev->share);
    set_str(o, "schema", ev->schema);
    set_str(o, "asset", ev->asset);
    set_str(o, "operation", ev->operation);
    set_str(o, "method", ev->method);
    set_str(o, "path", ev->path);
    json_object_set_new(o, "status", json_integer(ev->status));
    json_object_set_new(o, "files", json_integer(ev->files));
    json_object_set_new(o, "credentials", json_integer(ev->credentials));
    if (ev->has_snapshot)
        json_object_set_new(o, "snapshot_id", json_integer(ev->snapshot_id));
    set_str(o, "client_ip", ev->client_ip);
    set_str(o, "user_agent", ev->user_agent);
    char *text = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(o);
    return text;
}

void audit_sink_write(audit_sink *s, const cat_audit_event *ev)
{
    if (s == NULL)
        return;
    os_err err;
    if (store_audit_append(s->st, ev, &err) != 0)
        os_log(OS_LOG_ERROR, "audit: cannot record a request in the catalog: %s", err.msg);
    char *line = audit_event_json(ev);
    if (line == NULL) {
        os_log(OS_LOG_ERROR, "audit: cannot render an event");
        return;
    }
    pthread_mutex_lock(&s->lock);
    if (fprintf(s->file, "%s\n", line) < 0 || fflush(s->file) != 0)
        os_log(OS_LOG_ERROR, "audit: cannot append to audit.jsonl: %s", strerror(errno));
    pthread_mutex_unlock(&s->lock);
    free(line);
}

audit_sink *audit_sink_installed(void)
{
    return g_sink;
}
