/* table_actions.c - renders protocol, metadata, file and end-of-stream actions with the streaming JSON writer. */
#include "sharing/table_actions.h"

#include <string.h>

#include "base/crypto.h"
#include "json/jw.h"

static void write_map(jw *w, const char *key, const delta_map *m)
{
    jw_key(w, key);
    jw_obj_begin(w);
    for (size_t i = 0; i < m->n; i++)
        jw_kstr(w, m->items[i].key, m->items[i].value);
    jw_obj_end(w);
}

static int finish(os_buf *out, jw *w)
{
    if (jw_failed(w) || os_buf_putc(out, '\n') != 0)
        return -1;
    return 0;
}

int ta_protocol(os_buf *out, resp_format fmt, const delta_protocol *p, int64_t version)
{
    jw w;
    jw_init(&w, out);
    jw_obj_begin(&w);
    jw_key(&w, "protocol");
    jw_obj_begin(&w);
    if (fmt == RESP_PARQUET) {
        /* The parquet response format is version 1 whatever the table needs:
         * tables that need more are only served in delta format. */
        jw_kint(&w, "minReaderVersion", 1);
    } else {
        if (version >= 0)
            jw_kint(&w, "version", version);
        jw_key(&w, "deltaProtocol");
        jw_obj_begin(&w);
        jw_kint(&w, "minReaderVersion", p->min_reader_version);
        jw_kint(&w, "minWriterVersion", p->min_writer_version);
        if (p->has_reader_features) {
            jw_key(&w, "readerFeatures");
            jw_arr_begin(&w);
            for (size_t i = 0; i < p->n_reader_features; i++)
                jw_str(&w, p->reader_features[i]);
            jw_arr_end(&w);
        }
        if (p->has_writer_features) {
            jw_key(&w, "writerFeatures");
            jw_arr_begin(&w);
            for (size_t i = 0; i < p->n_writer_features; i++)
                jw_str(&w, p->writer_features[i]);
            jw_arr_end(&w);
        }
        jw_obj_end(&w);
    }
    jw_obj_end(&w);
    jw_obj_end(&w);
    return finish(out, &w);
}

static void metadata_body(jw *w, const delta_metadata *m, int delta)
{
    jw_kstr(w, "id", m->id);
    if (m->name)
        jw_kstr(w, "name", m->name);
    if (m->description)
        jw_kstr(w, "description", m->description);
    jw_key(w, "format");
    jw_obj_begin(w);
    jw_kstr(w, "provider", m->format_provider ? m->format_provider : "parquet");
    if (delta)
        write_map(w, "options", &m->format_options);
    jw_obj_end(w);
    jw_kstr(w, "schemaString", m->schema_string ? m->schema_string : "{\"type\":\"struct\",\"fields\":[]}");
    jw_key(w, "partitionColumns");
    jw_arr_begin(w);
    for (size_t i = 0; i < m->n_partition_columns; i++)
        jw_str(w, m->partition_columns[i]);
    jw_arr_end(w);
    write_map(w, "configuration", &m->configuration);
    if (delta && m->has_created_time)
        jw_kint(w, "createdTime", m->created_time);
}

int ta_metadata(os_buf *out, resp_format fmt, const delta_metadata *m, int64_t version)
{
    jw w;
    jw_init(&w, out);
    jw_obj_begin(&w);
    jw_key(&w, "metaData");
    jw_obj_begin(&w);
    if (fmt == RESP_PARQUET) {
        metadata_body(&w, m, 0);
        if (version >= 0)
            jw_kint(&w, "version", version);
    } else {
        if (version >= 0)
            jw_kint(&w, "version", version);
        jw_key(&w, "deltaMetadata");
        jw_obj_begin(&w);
        metadata_body(&w, m, 1);
        jw_obj_end(&w);
    }
    jw_obj_end(&w);
    jw_obj_end(&w);
    return finish(out, &w);
}

void ta_file_id(const delta_file *f, char id[33])
{
    uint8_t md[OS_SHA256_LEN];
    if (!f->has_dv) {
        /* The common case hashes the path in place. */
        const char *p = f->path ? f->path : "";
        os_sha256(p, strlen(p), md);
        os_hex_encode(md, 16, id);
        return;
    }
    /* The path as logged plus the deletion vector identity: a file with a new
     * deletion vector is a new file for caching clients. */
    os_buf b = OS_BUF_INIT;
    os_buf_puts(&b, f->path ? f->path : "");
    if (f->has_dv) {
        os_buf_printf(&b, "\n%c%s", f->dv.storage_type,
                      f->dv.path_or_inline_dv ? f->dv.path_or_inline_dv : "");
        if (f->dv.has_offset)
            os_buf_printf(&b, "@%d", f->dv.offset);
    }
    os_sha256(os_buf_cstr(&b), b.len, md);
    os_buf_free(&b);
    os_hex_encode(md, 16, id);
}

static void write_dv(jw *w, const delta_dv *dv, const char *dv_url)
{
    jw_key(w, "deletionVector");
    jw_obj_begin(w);
    if (dv_url && dv->storage_type != 'i') {
        jw_kstr(w, "storageType", "p");
        jw_kstr(w, "pathOrInlineDv", dv_url);
    } else {
        char t[2] = {dv->storage_type, 0};
        jw_kstr(w, "storageType", t);
        jw_kstr(w, "pathOrInlineDv", dv->path_or_inline_dv);
    }
    if (dv->has_offset)
        jw_kint(w, "offset", dv->offset);
    jw_kint(w, "sizeInBytes", dv->size_in_bytes);
    jw_kint(w, "cardinality", dv->cardinality);
    jw_obj_end(w);
}

static void delta_single_action(jw *w, const ta_file_line *l)
{
    const delta_file *f = l->f;
    const char *kind = f->kind == DELTA_FILE_ADD ? "add" : f->kind == DELTA_FILE_REMOVE ? "remove" : "cdc";
    jw_key(w, "deltaSingleAction");
    jw_obj_begin(w);
    jw_key(w, kind);
    jw_obj_begin(w);
    jw_kstr(w, "path", l->url);
    write_map(w, "partitionValues", &f->partition_values);
    if (f->has_size)
        jw_kint(w, "size", f->size);
    if (f->kind == DELTA_FILE_ADD && f->has_modification_time)
        jw_kint(w, "modificationTime", f->modification_time);
    if (f->kind == DELTA_FILE_REMOVE && f->has_deletion_timestamp)
        jw_kint(w, "deletionTimestamp", f->deletion_timestamp);
    jw_key(w, "dataChange");
    jw_bool(w, f->data_change);
    if (f->kind == DELTA_FILE_REMOVE && f->extended_file_metadata) {
        jw_key(w, "extendedFileMetadata");
        jw_bool(w, 1);
    }
    if (f->stats && f->kind == DELTA_FILE_ADD)
        jw_kstr(w, "stats", f->stats);
    if (f->tags.n)
        write_map(w, "tags", &f->tags);
    if (f->has_dv)
        write_dv(w, &f->dv, l->dv_url);
    if (f->has_base_row_id)
        jw_kint(w, "baseRowId", f->base_row_id);
    if (f->has_default_row_commit_version)
        jw_kint(w, "defaultRowCommitVersion", f->default_row_commit_version);
    if (f->clustering_provider)
        jw_kstr(w, "clusteringProvider", f->clustering_provider);
    jw_obj_end(w);
    jw_obj_end(w);
}

int ta_file_parquet_body(os_buf *out, const delta_file *f)
{
    char id[33];
    ta_file_id(f, id);
    jw w;
    jw_init(&w, out);
    jw_kstr(&w, "id", id);
    write_map(&w, "partitionValues", &f->partition_values);
    jw_kint(&w, "size", f->has_size ? f->size : 0);
    if (f->stats && f->kind == DELTA_FILE_ADD)
        jw_kstr(&w, "stats", f->stats);
    return jw_failed(&w) ? -1 : 0;
}

int ta_file_parquet_line(os_buf *out, const char *wrapper, const char *url, const char *body,
                         size_t body_len, int64_t version, int64_t timestamp, int64_t expires_ms)
{
    int rc = os_buf_putc(out, '{') | jw_escape(out, wrapper, strlen(wrapper)) |
             os_buf_append(out, ":{\"url\":", 8) | jw_escape(out, url, strlen(url)) |
             os_buf_putc(out, ',') | os_buf_append(out, body, body_len);
    if (rc == 0 && version >= 0)
        rc = os_buf_append(out, ",\"version\":", 11) | os_buf_put_i64(out, version);
    if (rc == 0 && timestamp >= 0)
        rc = os_buf_append(out, ",\"timestamp\":", 13) | os_buf_put_i64(out, timestamp);
    if (rc == 0)
        rc = os_buf_append(out, ",\"expirationTimestamp\":", 23) | os_buf_put_i64(out, expires_ms) |
             os_buf_append(out, "}}\n", 3);
    return rc == 0 ? 0 : -1;
}

int ta_file(os_buf *out, resp_format fmt, const ta_file_line *l)
{
    const delta_file *f = l->f;
    if (fmt == RESP_PARQUET) {
        os_buf body = OS_BUF_INIT;
        int rc = ta_file_parquet_body(&body, f);
        if (rc == 0)
            rc = ta_file_parquet_line(out, l->wrapper, l->url, body.data, body.len, l->version,
                                      l->timestamp, l->expires_ms);
        os_buf_free(&body);
        return rc;
    }
    char id[33];
    ta_file_id(f, id);
    jw w;
    jw_init(&w, out);
    jw_obj_begin(&w);
    {
        jw_key(&w, "file");
        jw_obj_begin(&w);
        jw_kstr(&w, "id", id);
        if (f->has_dv && f->dv.storage_type != 'i') {
            char dvid[33];
            delta_file dvf;
            memset(&dvf, 0, sizeof dvf);
            dvf.path = f->dv.path_or_inline_dv;
            ta_file_id(&dvf, dvid);
            jw_kstr(&w, "deletionVectorFileId", dvid);
        }
        if (l->version >= 0)
            jw_kint(&w, "version", l->version);
        if (l->timestamp >= 0)
            jw_kint(&w, "timestamp", l->timestamp);
        jw_kint(&w, "expirationTimestamp", l->expires_ms);
        delta_single_action(&w, l);
        jw_obj_end(&w);
    }
    jw_obj_end(&w);
    return finish(out, &w);
}

int ta_end_stream(os_buf *out, const char *next_page_token, const char *refresh_token,
                  int64_t min_url_expiration, const char *error_message)
{
    jw w;
    jw_init(&w, out);
    jw_obj_begin(&w);
    jw_key(&w, "endStreamAction");
    jw_obj_begin(&w);
    if (next_page_token)
        jw_kstr(&w, "nextPageToken", next_page_token);
    if (refresh_token)
        jw_kstr(&w, "refreshToken", refresh_token);
    if (min_url_expiration >= 0)
        jw_kint(&w, "minUrlExpirationTimestamp", min_url_expiration);
    if (error_message)
        jw_kstr(&w, "errorMessage", error_message);
    jw_obj_end(&w);
    jw_obj_end(&w);
    return finish(out, &w);
}
