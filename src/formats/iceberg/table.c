/* table.c - an Iceberg table over a store: finding its metadata file, relocating paths, choosing snapshots. */
#include <stdlib.h>
#include <string.h>

#include "base/strutil.h"
#include "formats/iceberg/iceberg_int.h"

#define HINT_MAX 4096

static char *join(const char *root, const char *rel)
{
    size_t a = strlen(root), b = strlen(rel);
    char *s = malloc(a + b + 2);
    if (s == NULL)
        return NULL;
    memcpy(s, root, a);
    size_t n = a;
    if (a > 0)
        s[n++] = '/';
    memcpy(s + n, rel, b + 1);
    return s;
}

/* ---- which metadata file ------------------------------------------------ */

/* The version a metadata file name carries: vN.metadata.json, vN.gz.metadata.json,
 * NNNNN-uuid.metadata.json (also with .gz), or -1 when it is no metadata file. */
static int64_t metadata_version(const char *name)
{
    if (!os_str_ends_with(name, ".metadata.json") && !os_str_ends_with(name, ".metadata.json.gz"))
        return -1;
    const char *p = name;
    if (*p == 'v')
        p++;
    if (*p < '0' || *p > '9')
        return -1;
    int64_t v = 0;
    while (*p >= '0' && *p <= '9') {
        if (v > INT64_MAX / 10 - 10)
            return -1;
        v = v * 10 + (*p++ - '0');
    }
    if (*p != '.' && *p != '-')
        return -1;
    if (name[0] == 'v' && *p != '.')
        return -1;
    return v;
}

typedef struct pick {
    const char *dir;
    int64_t best;
    char *name;
    char *other;                   /* a metadata file without a version number */
    int n_other;
} pick;

static int on_metadata_entry(void *ctx, const objstore_entry *e, os_err *err)
{
    pick *p = ctx;
    const char *base = e->name + strlen(p->dir);
    int64_t v = metadata_version(base);
    if (v < 0 && (os_str_ends_with(base, ".metadata.json") || os_str_ends_with(base, ".metadata.json.gz"))) {
        /* Kept only to be used when it is the one metadata file there. */
        if (p->n_other++ == 0 && (p->other = strdup(base)) == NULL)
            return os_err_set(err, OS_ENOMEM, "out of memory");
        return 0;
    }
    /* Highest version wins; at a tie the later name (a uuid) keeps it stable. */
    if (v < 0 || v < p->best || (v == p->best && p->name && strcmp(base, p->name) <= 0))
        return 0;
    char *copy = strdup(base);
    if (copy == NULL)
        return os_err_set(err, OS_ENOMEM, "out of memory");
    free(p->name);
    p->name = copy;
    p->best = v;
    return 0;
}

/* Reads metadata/version-hint.text: a version number or a file name stem.
 * Sets *key (malloc'd) to the file it names when that file exists; leaves it
 * NULL when there is no usable hint. */
static int from_hint(const iceberg_table *t, const char *mdir, char **key, os_err *err)
{
    *key = NULL;
    char *hint_key = join(mdir, "version-hint.text");
    if (hint_key == NULL)
        return os_err_set(err, OS_ENOMEM, "out of memory");
    os_buf b = OS_BUF_INIT;
    os_err e2;
    int rc = objstore_read_all(t->store, hint_key, HINT_MAX, &b, &e2);
    free(hint_key);
    if (rc != 0) {
        os_buf_free(&b);
        if (e2.code == OS_ENOTFOUND || e2.code == OS_ELIMIT)
            return 0;   /* no hint (or not a hint): list instead */
        *err = e2;
        return -1;
    }
    char *h = b.data ? b.data : "";
    while (*h == ' ' || *h == '\t' || *h == '\n' || *h == '\r')
        h++;
    size_t n = strlen(h);
    while (n > 0 && (h[n - 1] == ' ' || h[n - 1] == '\n' || h[n - 1] == '\r' || h[n - 1] == '\t'))
        h[--n] = '\0';
    if (n == 0 || strchr(h, '/') || strstr(h, "..")) {
        os_buf_free(&b);
        return 0;
    }
    int64_t v;
    const char *forms_num[] = {"v%s.metadata.json", "v%s.gz.metadata.json", "v%s.metadata.json.gz", NULL};
    const char *forms_name[] = {"%s.metadata.json", "%s.gz.metadata.json", "%s.metadata.json.gz", "%s", NULL};
    const char **forms = os_parse_i64(h, &v) == 0 ? forms_num : forms_name;
    for (int i = 0; forms[i]; i++) {
        char name[HINT_MAX + 64];
        snprintf(name, sizeof name, forms[i], h);
        char *k = join(mdir, name);
        if (k == NULL) {
            os_buf_free(&b);
            return os_err_set(err, OS_ENOMEM, "out of memory");
        }
        objstore_entry st;
        if (objstore_stat(t->store, k, &st, &e2) == 0) {
            *key = k;
            break;
        }
        free(k);
    }
    os_buf_free(&b);
    return 0;
}

static int find_metadata(const iceberg_table *t, char **key, os_err *err)
{
    char *mdir = join(t->root, "metadata");
    if (mdir == NULL)
        return os_err_set(err, OS_ENOMEM, "out of memory");
    if (from_hint(t, mdir, key, err) != 0) {
        free(mdir);
        return -1;
    }
    if (*key) {
        free(mdir);
        return 0;
    }
    char *dir = join(mdir, "");   /* "metadata/" or "root/metadata/" */
    free(mdir);
    if (dir == NULL)
        return os_err_set(err, OS_ENOMEM, "out of memory");
    if (dir[0] == '/')            /* root "" gives "metadata" + "/" */
        memmove(dir, dir + 1, strlen(dir));
    pick p = {dir, -1, NULL, NULL, 0};
    int rc = objstore_list(t->store, dir, NULL, on_metadata_entry, &p, err);
    if (rc != 0 && err->code == OS_ENOTFOUND)
        os_err_set(err, OS_ENOTFOUND, "no Iceberg table here: there is no metadata/ directory under "
                   "the table's location");
    else if (rc == 0 && p.name == NULL && p.n_other == 1) {
        p.name = p.other;
        p.other = NULL;
    } else if (rc == 0 && p.name == NULL && p.n_other > 1)
        rc = os_err_set(err, OS_ENOTFOUND, "metadata/ holds %d metadata files without a version number "
                        "(such as '%s') and no version-hint.text: set the table's metadata_location to "
                        "the current one", p.n_other, p.other);
    else if (rc == 0 && p.name == NULL)
        rc = os_err_set(err, OS_ENOTFOUND, "no Iceberg table here: metadata/ holds no "
                        "*.metadata.json file");
    if (rc == 0) {
        *key = malloc(strlen(dir) + strlen(p.name) + 1);
        if (*key == NULL)
            rc = os_err_set(err, OS_ENOMEM, "out of memory");
        else
            strcat(strcpy(*key, dir), p.name);
    }
    free(p.name);
    free(p.other);
    free(dir);
    return rc;
}

int iceberg_metadata_find(const objstore *store, const char *root, char **key, os_err *err)
{
    iceberg_table t;
    memset(&t, 0, sizeof t);
    t.store = store;
    size_t rn = strlen(root);
    while (rn > 0 && root[rn - 1] == '/')
        rn--;
    if ((t.root = strndup(root, rn)) == NULL)
        return os_err_set(err, OS_ENOMEM, "out of memory");
    *key = NULL;
    int rc = find_metadata(&t, key, err);
    free(t.root);
    return rc;
}

/* ---- locations ------------------------------------------------------------ */

/* Sets aside a scheme-less "file:" form and a leading "./", so the same place
 * written as file:/x, file:///x, file://x or ./x compares equal. */
static const char *strip_local(const char *p)
{
    if (strncmp(p, "file://", 7) == 0) {
        p += 7;
        /* file:///abs keeps its '/', file://rel does not have one */
    } else if (strncmp(p, "file:", 5) == 0) {
        p += 5;
    }
    while (strncmp(p, "./", 2) == 0)
        p += 2;
    return p;
}

static char *normalise_location(const char *loc)
{
    const char *p = strip_local(loc);
    /* s3a:// and s3n:// name the same objects as s3:// */
    char scheme_fix[8] = "";
    if (strncmp(p, "s3a://", 6) == 0 || strncmp(p, "s3n://", 6) == 0) {
        strcpy(scheme_fix, "s3://");
        p += 6;
    }
    size_t n = strlen(p);
    while (n > 0 && p[n - 1] == '/')
        n--;
    char *s = malloc(strlen(scheme_fix) + n + 2);
    if (s == NULL)
        return NULL;
    strcpy(s, scheme_fix);
    strncat(s, p, n);
    strcat(s, "/");
    return s;
}

int iceberg_path_to_key(const iceberg_table *t, const char *path, os_buf *out, os_err *err)
{
    os_buf_reset(out);
    const char *p = strip_local(path);
    const char *loc = t->loc_norm;
    size_t ln = strlen(loc);
    int ok = 0;
    if (strncmp(p, "s3a://", 6) == 0 || strncmp(p, "s3n://", 6) == 0) {
        ok = strncmp(loc, "s3://", 5) == 0 && strncmp(p + 6, loc + 5, ln - 5) == 0;
        if (ok)
            p += 6 + (ln - 5);
    } else {
        ok = strncmp(p, loc, ln) == 0;
        if (ok)
            p += ln;
    }
    /* The rest must stay inside: no empty, "." or ".." segments. */
    if (ok && *p != '\0') {
        for (const char *s = p; *s;) {
            const char *e = strchr(s, '/');
            size_t n = e ? (size_t)(e - s) : strlen(s);
            if (n == 0 || (n == 1 && s[0] == '.') || (n == 2 && s[0] == '.' && s[1] == '.')) {
                ok = 0;
                break;
            }
            s += n + (e != NULL);
        }
    } else {
        ok = 0;
    }
    if (!ok)
        return os_err_set(err, OS_EPERM, "the table refers to '%.300s', which is outside its location "
                          "'%.200s'; files outside a shared table are never served", path,
                          t->meta.location);
    if ((t->root[0] && (os_buf_puts(out, t->root) != 0 || os_buf_putc(out, '/') != 0)) ||
        os_buf_puts(out, p) != 0)
        return os_err_set(err, OS_ENOMEM, "out of memory");
    return 0;
}

/* ---- open / close --------------------------------------------------------- */

int iceberg_table_open(iceberg_table *t, const objstore *store, const char *root,
                       const char *metadata_key, const iceberg_limits *limits, os_err *err)
{
    memset(t, 0, sizeof *t);
    t->store = store;
    t->limits.max_metadata_bytes = 64u << 20;
    t->limits.max_manifest_bytes = 256u << 20;
    if (limits && limits->max_metadata_bytes)
        t->limits.max_metadata_bytes = limits->max_metadata_bytes;
    if (limits && limits->max_manifest_bytes)
        t->limits.max_manifest_bytes = limits->max_manifest_bytes;
    size_t rn = strlen(root);
    while (rn > 0 && root[rn - 1] == '/')
        rn--;
    t->root = strndup(root, rn);
    if (t->root == NULL)
        return os_err_set(err, OS_ENOMEM, "out of memory");
    char *key = NULL;
    int rc;
    if (metadata_key && metadata_key[0])
        rc = (key = join(t->root, metadata_key)) ? 0 : os_err_set(err, OS_ENOMEM, "out of memory");
    else
        rc = find_metadata(t, &key, err);
    os_buf text = OS_BUF_INIT;
    if (rc == 0 && objstore_read_all(store, key, t->limits.max_metadata_bytes, &text, err) != 0) {
        if (err->code == OS_ENOTFOUND)
            os_err_set(err, OS_ENOTFOUND, "the table's metadata file '%.300s' does not exist", key);
        rc = -1;
    }
    if (rc == 0) {
        rc = iceberg_metadata_parse(text.data ? text.data : "", text.len, key, &t->arena, &t->meta, err);
        t->meta.key = os_arena_strdup(&t->arena, key);
    }
    /* Kept inflated for iceberg_metadata_json. */
    if (rc == 0 && text.len >= 2 && (unsigned char)text.data[0] == 0x1f && (unsigned char)text.data[1] == 0x8b)
        rc = ice_gunzip(text.data, text.len, t->limits.max_metadata_bytes, &t->text, key, err);
    else if (rc == 0) {
        t->text = text;
        text = (os_buf)OS_BUF_INIT;
    }
    os_buf_free(&text);
    free(key);
    if (rc == 0 && (t->loc_norm = normalise_location(t->meta.location)) == NULL)
        rc = os_err_set(err, OS_ENOMEM, "out of memory");
    if (rc != 0) {
        iceberg_table_close(t);
        return -1;
    }
    return 0;
}

void iceberg_table_close(iceberg_table *t)
{
    if (t == NULL)
        return;
    free(t->root);
    free(t->loc_norm);
    os_buf_free(&t->text);
    os_arena_free(&t->arena);
    memset(t, 0, sizeof *t);
}

/* ---- snapshots ------------------------------------------------------------ */

const iceberg_snapshot *iceberg_snapshot_current(const iceberg_table *t)
{
    if (!t->meta.has_current_snapshot)
        return NULL;
    return iceberg_snapshot_by_id(&t->meta, t->meta.current_snapshot_id);
}

const iceberg_snapshot *iceberg_snapshot_at_ref(const iceberg_table *t, const char *name, os_err *err)
{
    for (size_t i = 0; i < t->meta.n_refs; i++)
        if (strcmp(t->meta.refs[i].name, name) == 0)
            return iceberg_snapshot_by_id(&t->meta, t->meta.refs[i].snapshot_id);
    os_err_set(err, OS_ENOTFOUND, "the table has no branch or tag called '%.100s'", name);
    return NULL;
}

long iceberg_ancestry(const iceberg_table *t, const iceberg_snapshot *head, os_arena *a,
                      const iceberg_snapshot ***out, os_err *err)
{
    size_t n = 0;
    for (const iceberg_snapshot *s = head; s; n++) {
        if (n > t->meta.n_snapshots) {
            os_err_set(err, OS_ECORRUPT, "%s: the snapshots' parents form a cycle", t->meta.key);
            return -1;
        }
        s = s->has_parent ? iceberg_snapshot_by_id(&t->meta, s->parent_id) : NULL;
    }
    const iceberg_snapshot **v = os_arena_alloc(a, (n + 1) * sizeof *v);
    if (v == NULL) {
        os_err_set(err, OS_ENOMEM, "out of memory");
        return -1;
    }
    size_t i = n;
    for (const iceberg_snapshot *s = head; s; s = s->has_parent ? iceberg_snapshot_by_id(&t->meta, s->parent_id) : NULL)
        v[--i] = s;
    *out = v;
    return (long)n;
}

const iceberg_snapshot *iceberg_snapshot_as_of(const iceberg_table *t, int64_t ts_ms, os_err *err)
{
    const iceberg_snapshot *best = NULL;
    size_t steps = 0;   /* parents may form a cycle in a broken file */
    for (const iceberg_snapshot *s = iceberg_snapshot_current(t); s && steps <= t->meta.n_snapshots;
         s = s->has_parent ? iceberg_snapshot_by_id(&t->meta, s->parent_id) : NULL, steps++) {
        if (s->timestamp_ms <= ts_ms) {
            best = s;
            break;
        }
    }
    if (best == NULL)
        os_err_set(err, OS_EINVAL, "there is no snapshot of the table at or before that time");
    return best;
}

/* ---- the metadata document, re-rooted -------------------------------------- */

bool iceberg_table_at(const iceberg_table *t, const char *base_uri)
{
    char *n = normalise_location(base_uri);
    bool same = n && strcmp(n, t->loc_norm) == 0;
    free(n);
    return same;
}

/* Replaces the string at o[key] by base + its key under the table, when it
 * lies inside the table's location. */
static void rebase(const iceberg_table *t, json_t *o, const char *key, const char *base, os_buf *tmp)
{
    json_t *v = json_object_get(o, key);
    const char *p = json_string_value(v);
    os_err ignore;
    if (p == NULL || iceberg_path_to_key(t, p, tmp, &ignore) != 0)
        return;
    /* The key carries the store root (the table's own root in the server). */
    const char *rel = os_buf_cstr(tmp) + (t->root[0] ? strlen(t->root) + 1 : 0);
    char *uri = malloc(strlen(base) + strlen(rel) + 2);
    if (uri == NULL)
        return;
    sprintf(uri, "%s/%s", base, rel);
    json_object_set_new(o, key, json_string(uri));
    free(uri);
}

static bool referenced(const iceberg_metadata *m, int64_t id)
{
    for (size_t i = 0; i < m->n_refs; i++)
        if (m->refs[i].snapshot_id == id)
            return true;
    return m->has_current_snapshot && m->current_snapshot_id == id;
}

char *iceberg_metadata_json(const iceberg_table *t, const char *base_uri, bool refs_only, os_err *err)
{
    json_error_t je;
    json_t *doc = json_loadb(t->text.data ? t->text.data : "", t->text.len, 0, &je);
    if (doc == NULL) {
        os_err_set(err, OS_ECORRUPT, "%s: not valid JSON: %s", t->meta.key, je.text);
        return NULL;
    }
    size_t bn = strlen(base_uri);
    while (bn > 0 && base_uri[bn - 1] == '/')
        bn--;
    char *base = strndup(base_uri, bn);
    os_buf tmp = OS_BUF_INIT;
    bool moved = base && !iceberg_table_at(t, base);
    json_t *snaps = json_object_get(doc, "snapshots");
    if (refs_only && json_is_array(snaps)) {
        for (size_t i = json_array_size(snaps); i-- > 0;) {
            json_t *id = json_object_get(json_array_get(snaps, i), "snapshot-id");
            if (json_is_integer(id) && !referenced(&t->meta, json_integer_value(id)))
                json_array_remove(snaps, i);
        }
    }
    if (moved) {
        json_object_set_new(doc, "location", json_string(base));
        size_t i;
        json_t *s;
        json_array_foreach(snaps, i, s)
        {
            rebase(t, s, "manifest-list", base, &tmp);
            json_t *ms = json_object_get(s, "manifests");
            for (size_t k = 0; json_is_array(ms) && k < json_array_size(ms); k++) {
                json_t *holder = json_pack("{s:O}", "p", json_array_get(ms, k));
                rebase(t, holder, "p", base, &tmp);
                json_array_set(ms, k, json_object_get(holder, "p"));
                json_decref(holder);
            }
        }
        static const char *const lists[] = {"metadata-log", "statistics", "partition-statistics"};
        static const char *const keys[] = {"metadata-file", "statistics-path", "statistics-path"};
        for (int l = 0; l < 3; l++) {
            json_t *arr = json_object_get(doc, lists[l]), *e;
            json_array_foreach(arr, i, e)
                rebase(t, e, keys[l], base, &tmp);
        }
    }
    char *out = json_dumps(doc, JSON_COMPACT);
    json_decref(doc);
    os_buf_free(&tmp);
    free(base);
    if (out == NULL)
        os_err_set(err, OS_ENOMEM, "out of memory");
    return out;
}
