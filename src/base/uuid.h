/* uuid.h - random (version 4) UUIDs for immutable object ids. */
#ifndef OS_BASE_UUID_H
#define OS_BASE_UUID_H

#define OS_UUID_STRLEN 36

/* Writes a random UUID v4 in canonical lower-case form plus NUL into out[37].
 * Returns 0, or -1 when the random source fails (out is then empty). */
int os_uuid_v4(char out[OS_UUID_STRLEN + 1]);
/* Returns 1 when s is a canonical UUID string (any version). */
int os_uuid_valid(const char *s);

#endif
