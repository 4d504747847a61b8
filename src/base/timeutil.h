/* timeutil.h - wall-clock milliseconds and ISO-8601 formatting/parsing in UTC. */
#ifndef OS_BASE_TIMEUTIL_H
#define OS_BASE_TIMEUTIL_H

#include <stdint.h>

/* Milliseconds since the Unix epoch (wall clock). */
int64_t os_now_ms(void);
/* Monotonic milliseconds, for durations. */
int64_t os_mono_ms(void);
/* Formats ms as "YYYY-MM-DDTHH:MM:SS.mmmZ" into out[32]. */
void os_time_format_iso(int64_t ms, char out[32]);
/* Parses ISO-8601 / RFC 3339: "YYYY-MM-DD", "YYYY-MM-DDTHH:MM[:SS[.fff...]]"
 * followed by "Z", "+HH:MM" or "-HH:MM" (a date-only or zone-less value is UTC).
 * Returns 0 and sets *ms, or -1 for anything malformed or out of range. */
int os_time_parse_iso(const char *s, int64_t *ms);
/* Days since 1970-01-01 for a proleptic Gregorian date (no range checks). */
int64_t os_days_from_civil(int64_t y, unsigned m, unsigned d);
/* Inverse of os_days_from_civil. */
void os_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d);

#endif
