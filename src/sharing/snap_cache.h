/* snap_cache.h - reconciled Delta snapshots kept as image files in the data directory, keyed by table location and version.
 *
 * A full-table query replays the log once per version: the first query of a
 * version tees its active files into an image (formats/delta snapshot
 * images), later queries of that version read the image instead.  The index
 * is in memory and bounded (entries and bytes on disk, least recently used
 * out first); the images themselves are streamed, never held in memory.
 * Entries are immutable: a new commit is a new version and so a new key, and
 * the key also carries the version's file times (a table recreated at the
 * same place never matches).  Thread-safe. */
#ifndef OS_SHARING_SNAP_CACHE_H
#define OS_SHARING_SNAP_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

typedef struct snap_cache snap_cache;

/* Opens the cache in dir (created 0700; images left by an earlier process are
 * removed).  max_bytes / max_entries bound what is kept (0: 4 GiB / 64).
 * Returns NULL with err (OS_EIO, OS_ENOMEM). */
snap_cache *snap_cache_open(const char *dir, uint64_t max_bytes, size_t max_entries, os_err *err);
/* Frees the index (images stay until the next open).  NULL-safe. */
void snap_cache_close(snap_cache *c);

/* The key of a table's snapshot: a digest of the location and the
 * snapshot's fingerprint, written into key. */
void snap_cache_key(const char *location, const char *fingerprint, char key[65]);

/* Opens the image of key for reading: an fd at offset 0 the caller closes,
 * or -1 when there is none. */
int snap_cache_lookup(snap_cache *c, const char *key);

/* Starts writing the image of key: returns an fd of a new temporary file, or
 * -1 when the image exists, is being built by another request, or cannot be
 * created (a cache never fails a query).  Every successful begin is followed
 * by one snap_cache_build_end with the same key and fd. */
int snap_cache_build_begin(snap_cache *c, const char *key);
/* Ends a build: with keep, the image becomes the entry of key (then the
 * oldest entries go while over the bounds); without, it is deleted.  Closes
 * fd. */
void snap_cache_build_end(snap_cache *c, const char *key, int fd, bool keep);

/* Removes the image of key (found corrupt).  A reader holding it open keeps
 * its fd. */
void snap_cache_drop(snap_cache *c, const char *key);

/* Counters for tests and logs. */
typedef struct snap_cache_stats {
    uint64_t hits, misses, builds, drops, entries, bytes;
} snap_cache_stats;
void snap_cache_get_stats(snap_cache *c, snap_cache_stats *out);

#endif
