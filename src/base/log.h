/* log.h - process-wide structured logging to stderr, as JSON lines or plain text. */
#ifndef OS_BASE_LOG_H
#define OS_BASE_LOG_H

typedef enum { OS_LOG_DEBUG, OS_LOG_INFO, OS_LOG_WARN, OS_LOG_ERROR } os_log_level;

/* Chooses JSON (json != 0) or text output and the minimum level.  Call once at
 * start-up, before threads. */
void os_log_configure(int json, os_log_level min_level);
/* Logs a message.  Never pass secrets: tokens and keys must not reach logs. */
void os_log(os_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Writes one pre-built JSON object (without newline) as its own line, or, in
 * text mode, the given text line.  Used by the access log.  Thread-safe. */
void os_log_line(const char *json_line, const char *text_line);
/* 1 when JSON output is configured. */
int os_log_is_json(void);

#endif
