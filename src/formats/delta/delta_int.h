/* delta_int.h - internal interfaces shared by the files of the Delta module (not for other modules). */
#ifndef OS_FORMATS_DELTA_INT_H
#define OS_FORMATS_DELTA_INT_H

#include "base/buf.h"
#include "formats/delta/delta.h"

#define DL_VERSION_DIGITS 20

/* ------------------------------------------------------------ listing */

typedef struct dl_commit {
    int64_t version;
    int64_t size;
    int64_t mtime_ms;
} dl_commit;

typedef enum dl_cp_kind {
    DL_CP_CLASSIC = 1,   /* N.checkpoint.parquet (may still hold v2 sidecars) */
    DL_CP_MULTI,         /* N.checkpoint.i.n.parquet */
    DL_CP_V2_JSON,       /* N.checkpoint.<uuid>.json */
    DL_CP_V2_PARQUET     /* N.checkpoint.<uuid>.parquet */
} dl_cp_kind;

typedef struct dl_checkpoint {
    int64_t version;
    dl_cp_kind kind;
    int32_t nparts;      /* 1 unless multi-part */
    char **keys;         /* nparts full keys, in part order (NULL for missing parts) */
    int64_t mtime_ms;
} dl_checkpoint;

typedef struct dl_listing {
    dl_commit *commits;      /* ascending versions (may have gaps) */
    size_t ncommits;
    dl_checkpoint *cps;      /* ascending versions; incomplete multi-part sets included */
    size_t ncps;
    bool partial;            /* listed from a _last_checkpoint hint, not from the start */
} dl_listing;

/* Lists t's _delta_log.  With from_version >= 0, only names at or above that
 * version are listed (partial).  Returns 0, or -1: OS_ENOTFOUND (no log),
 * OS_ELIMIT, OS_EIO. */
int dl_listing_load(const delta_table *t, int64_t from_version, dl_listing *out, os_err *err);
void dl_listing_free(dl_listing *l);
/* Reads _delta_log/_last_checkpoint; returns its version, or -1 when it is
 * missing, empty or corrupt (never an error: it is only a hint). */
int64_t dl_last_checkpoint_hint(const delta_table *t);
/* True when every part of cp is present. */
bool dl_checkpoint_complete(const dl_checkpoint *cp);
/* Highest version reachable: max commit or complete checkpoint; -1 if none. */
int64_t dl_listing_latest(const dl_listing *l);
/* The commit entry for version v, or NULL. */
const dl_commit *dl_listing_commit(const dl_listing *l, int64_t v);
/* Makes the file times of commits[from..] strictly increasing, as Delta does
 * for tables without in-commit timestamps: a commit whose time is not after
 * its predecessor's gets the predecessor's plus 1 ms (a copied table whose
 * files share one mtime then still has one version per millisecond).  Delta
 * applies it over the range it lists, so callers pass the range they answer
 * for; a snapshot's own timestamp stays the raw time, as in Delta. */
void dl_listing_monotonize(dl_listing *l, size_t from);

/* The pieces needed to rebuild version `version`: the newest complete
 * checkpoint at or below it (cp NULL when replaying from 0) and the commits
 * after it.  Returns 0, or -1: OS_ENOTFOUND (version absent), OS_ECORRUPT (a
 * gap in the versions needed). */
typedef struct dl_segment {
    int64_t version;
    const dl_checkpoint *cp;
    int64_t first_commit;    /* cp ? cp->version + 1 : 0 */
} dl_segment;
int dl_segment_find(const delta_table *t, const dl_listing *l, int64_t version,
                    dl_segment *out, os_err *err);

/* Key of commit v into buf ("<log_dir>/00000000000000000007.json"). */
int dl_commit_key(const delta_table *t, int64_t v, os_buf *buf);

/* ------------------------------------------------------------ commits */

typedef struct dl_commit_actions {
    int64_t version;
    int64_t mtime_ms;
    delta_action *actions;
    size_t n;
} dl_commit_actions;

/* Reads and parses commit file v into arena.  Returns 0, or -1: OS_ENOTFOUND,
 * OS_ECORRUPT (naming the file and line), OS_ELIMIT, OS_EIO. */
int dl_commit_read(const delta_table *t, int64_t v, int64_t mtime_ms, os_arena *arena,
                   dl_commit_actions *out, os_err *err);

/* ------------------------------------------------------------ checkpoints */

/* Which actions a checkpoint read must deliver. */
enum {
    DL_WANT_ADD = 1u << 0,
    DL_WANT_REMOVE = 1u << 1,
    DL_WANT_METADATA = 1u << 2,
    DL_WANT_PROTOCOL = 1u << 3,
    DL_WANT_TXN = 1u << 4,
    DL_WANT_DOMAIN = 1u << 5,
    DL_WANT_SIDECARS = 1u << 6   /* internal: v2 checkpoint top-level files */
};

/* Action callback: 0 continue, 1 stop, -1 error.  The action is valid only
 * during the call. */
typedef int (*dl_action_cb)(void *ctx, const delta_action *a, os_err *err);

/* Streams the wanted actions of checkpoint cp (every part, then the sidecars
 * it names).  Memory stays bounded by one row group (Parquet) or one line
 * (JSON).  Returns 0, or -1 (OS_ECORRUPT naming the file, OS_ENOTFOUND for a
 * missing part or sidecar, OS_EIO, or the callback's error). */
int dl_checkpoint_read(const delta_table *t, const dl_checkpoint *cp, unsigned wanted,
                       dl_action_cb cb, void *ctx, os_err *err);

/* Streams the wanted actions of one Parquet checkpoint file or sidecar (key)
 * to cb, one row at a time; strings live until cb returns.  A row whose
 * add.stats is absent but stats_parsed is present gets stats re-serialized
 * as JSON.  Returns 0, or -1 (OS_ECORRUPT naming the file, OS_ENOTFOUND,
 * OS_EIO, or the callback's error). */
int dl_cp_parquet_read(const delta_table *t, const char *key, unsigned wanted,
                       dl_action_cb cb, void *ctx, os_err *err);

/* The fast path of dl_cp_parquet_read for add rows alone: reads the add
 * columns of f directly, page by page (memory: one decoded page per column,
 * whatever the number of rows).  Returns 1 when done, 0 when the file's
 * shape is not one it reads (the caller then assembles records), -1 on
 * error.  Sidecar rows are not looked at: the caller reads those first. */
struct pq_file;
int dl_cp_columns_read(const delta_table *t, struct pq_file *f, const char *key,
                       dl_action_cb cb, void *ctx, os_err *err);

/* ------------------------------------------------------------ key set */

/* A hash set of byte strings (file keys), with a per-key mark. */
typedef struct dl_keyset {
    struct dl_keyset_slot *slots;
    size_t cap, n;
    os_arena arena;
} dl_keyset;

void dl_keyset_init(dl_keyset *s);
void dl_keyset_free(dl_keyset *s);
/* Inserts key (len bytes).  Returns 1 when newly added, 0 when present, -1 on
 * allocation failure. */
int dl_keyset_add(dl_keyset *s, const char *key, size_t len);
bool dl_keyset_has(const dl_keyset *s, const char *key, size_t len);

/* Deep copies into arena.  Return 0 or -1 (out of memory). */
/* Deletion vector fields as every reader of actions checks them (JSON commits,
 * checkpoint records, checkpoint columns).  dl_dv_storage_type_ok: whether
 * st (n bytes) is "u", "p" or "i".  dl_dv_set fills f->dv and sets has_dv;
 * it returns -1 and leaves f unchanged when offset or sizeInBytes is
 * negative or past INT32_MAX, or cardinality is negative (the caller names
 * the problem in its own terms).  path is borrowed. */
bool dl_dv_storage_type_ok(const char *st, size_t n);
int dl_dv_set(delta_file *f, char storage_type, const char *path, bool has_offset, int64_t offset,
              int64_t size, int64_t cardinality);

int dl_protocol_copy(os_arena *a, delta_protocol *dst, const delta_protocol *src);
int dl_metadata_copy(os_arena *a, delta_metadata *dst, const delta_metadata *src);

/* Checks what a metadata action demands of a reader (column mapping mode,
 * data format).  Returns 0 or -1 with OS_EUNSUPPORTED. */
int dl_check_metadata(const delta_table *t, const delta_metadata *m, int64_t v, os_err *err);

/* ------------------------------------------------------------ time */

/* True when the metadata enables in-commit timestamps for version v. */
bool dl_ict_enabled_at(const delta_metadata *m, int64_t v);
/* Commit timestamp of a parsed commit: its in-commit timestamp when ict (and
 * refuses a commit without one, OS_ECORRUPT), else mtime. */
int dl_commit_timestamp(const dl_commit_actions *c, bool ict, const char *where,
                        int64_t *ts, os_err *err);

/* ------------------------------------------------------------ values */

/* Timestamp text to microseconds, telling whether a zone was written.
 * Returns 0 or -1. */
int dl_parse_timestamp_zone(const char *s, int64_t *us, bool *has_zone);
/* "YYYY-MM-DD" to days since the epoch.  Returns 0 or -1. */
int dl_parse_date(const char *s, int64_t *days);

/* ------------------------------------------------------------ stats */

/* A file's statistics JSON, validated once and then read in place. */
typedef struct dl_stats {
    const char *text;   /* NULL when absent or malformed */
} dl_stats;

typedef enum dl_jkind { DL_J_ABSENT = 0, DL_J_NULL, DL_J_INT, DL_J_REAL, DL_J_STRING, DL_J_OTHER } dl_jkind;

/* One JSON value found in statistics; s/len for strings (decoded, not
 * NUL-terminated: into the arena when it held escapes, else into the text). */
typedef struct dl_jval {
    dl_jkind kind;
    int64_t i;
    double d;
    const char *s;
    size_t len;
} dl_jval;

/* Validates json (a whole JSON object) and keeps a pointer to it (which must
 * outlive s).  Returns false, leaving s empty, for NULL or malformed text. */
bool dl_stats_init(dl_stats *s, const char *json);
/* numRecords, or -1 when unknown. */
int64_t dl_stats_num_records(const dl_stats *s);
/* tightBounds (true when absent). */
bool dl_stats_tight_bounds(const dl_stats *s);
/* The value of section (e.g. "minValues") then the dotted physical column
 * path (NULL: the section itself); kind DL_J_ABSENT when missing.  a may be
 * NULL when escaped strings need not be decoded (they then read as OTHER). */
void dl_stats_lookup(const dl_stats *s, const char *section, const char *path, os_arena *a,
                     dl_jval *out);

#endif
