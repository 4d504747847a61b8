/* log.c - one mutex-guarded writer so lines from worker threads never interleave. */
#include "base/log.h"

#include <jansson.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "base/timeutil.h"

static int g_json = 0;
static os_log_level g_min = OS_LOG_INFO;
static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;

void os_log_configure(int json, os_log_level min_level)
{
    g_json = json;
    g_min = min_level;
}

int os_log_is_json(void)
{
    return g_json;
}

static const char *level_name(os_log_level l)
{
    switch (l) {
    case OS_LOG_DEBUG: return "debug";
    case OS_LOG_INFO: return "info";
    case OS_LOG_WARN: return "warn";
    case OS_LOG_ERROR: return "error";
    }
    return "info";
}

void os_log(os_log_level level, const char *fmt, ...)
{
    if (level < g_min)
        return;
    char msg[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    char ts[32];
    os_time_format_iso(os_now_ms(), ts);
    pthread_mutex_lock(&g_lock);
    if (g_json) {
        json_t *o = json_pack("{s:s,s:s,s:s}", "time", ts, "level", level_name(level), "msg", msg);
        char *s = o ? json_dumps(o, JSON_COMPACT) : NULL;
        if (s)
            fprintf(stderr, "%s\n", s);
        free(s);
        json_decref(o);
    } else {
        fprintf(stderr, "%s %-5s %s\n", ts, level_name(level), msg);
    }
    fflush(stderr);
    pthread_mutex_unlock(&g_lock);
}

void os_log_line(const char *json_line, const char *text_line)
{
    pthread_mutex_lock(&g_lock);
    fprintf(stderr, "%s\n", g_json ? json_line : text_line);
    fflush(stderr);
    pthread_mutex_unlock(&g_lock);
}
