/* sto_http.c - libcurl calls for the object stores: SigV4 header signing, ranges, body caps, no redirects. */
#include "storage/sto_http.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "base/timeutil.h"

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;

static void curl_init_once(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
}

typedef struct sink {
    const sto_http_req *req;
    sto_http_resp *resp;
    uint64_t skipped;   /* bytes dropped before the range when a server ignored Range */
    uint64_t drained;   /* bytes of an error body seen */
    int oom;
} sink;

static size_t on_body(char *p, size_t size, size_t nmemb, void *ud)
{
    sink *s = ud;
    size_t n = size * nmemb;
    if (s->resp->status / 100 != 2) {
        /* Error bodies are not data: kept (for error codes) up to 64 KiB, then cut. */
        s->drained += n;
        if (s->drained > 65536)
            return 0;
        if (os_buf_append(&s->resp->body, p, n) != 0) {
            s->oom = 1;
            return 0;
        }
        return n;
    }
    if (s->req->has_range && s->req->dst) {
        /* A ranged read.  Error bodies are not data; a 200 means the server
         * ignored Range, so the bytes before the range are dropped. */
        size_t off = 0;
        if (s->resp->status == 200 && s->skipped < s->req->range_start) {
            uint64_t want = s->req->range_start - s->skipped;
            off = want < n ? (size_t)want : n;
            s->skipped += off;
            if (off == n)
                return n;
        }
        size_t room = (size_t)s->req->range_len - s->resp->got;
        size_t take = n - off < room ? n - off : room;
        memcpy((char *)s->req->dst + s->resp->got, p + off, take);
        s->resp->got += take;
        return take == n - off ? n : 0; /* stop once full */
    }
    if (s->resp->body.len + n > s->req->max_body) {
        s->resp->too_large = 1;
        return 0;
    }
    if (os_buf_append(&s->resp->body, p, n) != 0) {
        s->oom = 1;
        return 0;
    }
    return n;
}

static size_t on_header(char *p, size_t size, size_t nmemb, void *ud)
{
    sink *s = ud;
    size_t n = size * nmemb;
    if (n >= 5 && strncmp(p, "HTTP/", 5) == 0) {
        /* A new status line (e.g. after 100 Continue): reset per-response state. */
        s->resp->content_length = -1;
        s->resp->last_modified_ms = -1;
        const char *sp = memchr(p, ' ', n);
        long st = 0;
        if (sp)
            for (const char *q = sp + 1; q < p + n && *q >= '0' && *q <= '9' && st < 1000; q++)
                st = st * 10 + (*q - '0');
        s->resp->status = st;
        return n;
    }
    const char *colon = memchr(p, ':', n);
    if (colon == NULL)
        return n;
    size_t nl = (size_t)(colon - p);
    const char *v = colon + 1, *end = p + n;
    while (v < end && (*v == ' ' || *v == '\t'))
        v++;
    while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' '))
        end--;
    if (nl == 14 && strncasecmp(p, "Content-Length", 14) == 0) {
        int64_t x = 0;
        const char *q = v;
        for (; q < end && *q >= '0' && *q <= '9' && x < INT64_MAX / 10 - 10; q++)
            x = x * 10 + (*q - '0');
        if (q == end && q > v)
            s->resp->content_length = x;
        if (!s->req->has_range && s->resp->status / 100 == 2 && s->req->max_body &&
            (uint64_t)x > s->req->max_body && strcmp(s->req->method, "HEAD") != 0) {
            s->resp->too_large = 1;
            return 0;
        }
    } else if (nl == 13 && strncasecmp(p, "Last-Modified", 13) == 0) {
        int64_t ms;
        if (sto_http_date_parse(v, (size_t)(end - v), &ms) == 0)
            s->resp->last_modified_ms = ms;
    }
    return n;
}

/* The URL's host[:port] for messages (never user info, path or query). */
static void url_origin(const char *url, char *out, size_t cap)
{
    const char *h = strstr(url, "://");
    h = h ? h + 3 : url;
    size_t n = strcspn(h, "/?#");
    const char *at = memchr(h, '@', n);
    if (at) {
        n -= (size_t)(at + 1 - h);
        h = at + 1;
    }
    if (n >= cap)
        n = cap - 1;
    memcpy(out, h, n);
    out[n] = '\0';
}

int sto_http_do(const sto_http_req *req, sto_http_resp *resp, os_err *err)
{
    pthread_once(&curl_once, curl_init_once);
    resp->content_length = -1;
    resp->last_modified_ms = -1;
    CURL *c = curl_easy_init();
    if (c == NULL)
        return os_err_set(err, OS_ENOMEM, "out of memory");
    struct curl_slist *hl = NULL;
    int oom = 0;
    for (const char *const *h = req->headers; h && *h; h++) {
        struct curl_slist *t = curl_slist_append(hl, *h);
        if (t == NULL)
            oom = 1;
        else
            hl = t;
    }
    char range[64];
    if (req->has_range) {
        if (req->range_len == 0) {
            curl_slist_free_all(hl);
            curl_easy_cleanup(c);
            return 0;
        }
        snprintf(range, sizeof range, "%llu-%llu", (unsigned long long)req->range_start,
                 (unsigned long long)(req->range_start + req->range_len - 1));
        curl_easy_setopt(c, CURLOPT_RANGE, range);
    }
    sink s = {req, resp, 0, 0, 0};
    curl_easy_setopt(c, CURLOPT_URL, req->url);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 15L);
    /* Big objects (checkpoints) may take a while: a generous overall cap, and
     * stalled transfers (under 1 KiB/s for 30 s) are cut. */
    curl_easy_setopt(c, CURLOPT_TIMEOUT, req->timeout_s > 0 ? req->timeout_s : 600L);
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1024L);
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, 30L);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &s);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &s);
    if (hl)
        curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
    if (strcmp(req->method, "HEAD") == 0)
        curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
    else if (strcmp(req->method, "POST") == 0) {
        curl_easy_setopt(c, CURLOPT_POST, 1L);
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, req->body ? req->body : "");
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body_len);
    }
    if (req->aws_sigv4) {
        curl_easy_setopt(c, CURLOPT_AWS_SIGV4, req->aws_sigv4);
        curl_easy_setopt(c, CURLOPT_USERNAME, req->aws_key_id);
        curl_easy_setopt(c, CURLOPT_PASSWORD, req->aws_secret);
    }
    CURLcode rc = oom ? CURLE_OUT_OF_MEMORY : curl_easy_perform(c);
    curl_slist_free_all(hl);
    curl_easy_cleanup(c);
    if (s.oom || rc == CURLE_OUT_OF_MEMORY)
        return os_err_set(err, OS_ENOMEM, "out of memory");
    if (rc == CURLE_WRITE_ERROR && (resp->too_large || resp->status / 100 != 2 ||
                                    (req->has_range && resp->got == req->range_len)))
        return 0;
    if (rc != CURLE_OK) {
        char origin[160];
        url_origin(req->url, origin, sizeof origin);
        return os_err_set(err, OS_EIO, "request to %s failed: %s", origin, curl_easy_strerror(rc));
    }
    return 0;
}

int sto_http_status_err(long status, const char *store, const char *what, os_err *err)
{
    if (status == 404)
        return os_err_set(err, OS_ENOTFOUND, "%s object '%s' not found", store, what);
    if (status == 401 || status == 403)
        return os_err_set(err, OS_EPERM, "%s refused access to '%s' (HTTP %ld)", store, what,
                          status);
    return os_err_set(err, OS_EIO, "%s answered HTTP %ld for '%s'", store, status, what);
}

int sto_http_stat_take(const sto_http_resp *rs, const char *store, const char *key,
                       objstore_entry *out, os_err *err)
{
    if (rs->status != 200)
        return sto_http_status_err(rs->status, store, key, err);
    if (rs->content_length < 0)
        return os_err_set(err, OS_EIO, "%s HEAD gave no Content-Length", store);
    out->name = key;
    out->size = rs->content_length;
    out->mtime_ms = rs->last_modified_ms > 0 ? rs->last_modified_ms : 0;
    return 0;
}

int sto_http_body_take(const sto_http_resp *rs, const char *store, const char *key, size_t max,
                       os_buf *out, os_err *err)
{
    if (rs->too_large)
        return os_err_set(err, OS_ELIMIT, "object '%s' is larger than %zu bytes", key, max);
    if (rs->status != 200)
        return sto_http_status_err(rs->status, store, key, err);
    if (os_buf_append(out, rs->body.data ? rs->body.data : "", rs->body.len) != 0)
        return os_err_set(err, OS_ENOMEM, "out of memory");
    return 0;
}

int sto_http_range_take(const sto_http_resp *rs, const char *store, const char *key,
                        size_t *got, os_err *err)
{
    if (rs->status == 416) {
        *got = 0;
        return 0;
    }
    if (rs->status != 206 && rs->status != 200)
        return sto_http_status_err(rs->status, store, key, err);
    *got = rs->got;
    return 0;
}

int sto_http_date_parse(const char *s, size_t n, int64_t *ms)
{
    static const char *mon[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    /* "Www, DD Mon YYYY HH:MM:SS GMT" */
    char b[40];
    if (n < 29 || n >= sizeof b)
        return -1;
    memcpy(b, s, n);
    b[n] = '\0';
    unsigned d, y, h, mi, se;
    char m[4];
    if (sscanf(b + 5, "%2u %3s %4u %2u:%2u:%2u", &d, m, &y, &h, &mi, &se) != 6)
        return -1;
    int mo = -1;
    for (int i = 0; i < 12; i++)
        if (strcmp(m, mon[i]) == 0)
            mo = i + 1;
    if (mo < 0 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60)
        return -1;
    int64_t days = os_days_from_civil((int64_t)y, (unsigned)mo, d);
    *ms = ((days * 86400) + h * 3600 + mi * 60 + se) * 1000;
    return 0;
}
