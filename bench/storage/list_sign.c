/* list_sign.c - lists a location recursively and signs a URL for every file; prints time, count and peak RSS. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "storage/store_open.h"
#include "storage/url_signer.h"

typedef struct acc {
    url_signer *signer;
    os_buf url;
    long count;
    size_t bytes;
} acc;

static int on_entry(void *ctx, const objstore_entry *e, os_err *err)
{
    acc *a = ctx;
    int64_t exp;
    os_buf_reset(&a->url);
    if (url_signer_sign(a->signer, e->name, 1700000000, 3600, &a->url, &exp, err) != 0)
        return -1;
    a->count++;
    a->bytes += a->url.len;
    return 0;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: list_sign LOCATION_URI SECRET_REF [OPTIONS_JSON]\n");
        return 2;
    }
    cat_location loc = {0, "bench", argv[1], argv[2][0] ? argv[2] : NULL, argc > 3 ? argv[3] : NULL};
    uint8_t key[LOCAL_URL_KEYLEN] = {1};
    url_signer_local local = {key, "http://127.0.0.1:8080/opensharing"};
    os_err err;
    objstore st;
    double t0 = now_s();
    if (objstore_open_location(&loc, NULL, &st, &err) != 0) {
        fprintf(stderr, "open: %s\n", err.msg);
        return 1;
    }
    acc a = {url_signer_open(&loc, NULL, &local, &err), OS_BUF_INIT, 0, 0};
    if (a.signer == NULL) {
        fprintf(stderr, "signer: %s\n", err.msg);
        return 1;
    }
    if (objstore_list_recursive(&st, "", NULL, on_entry, &a, &err) != 0) {
        fprintf(stderr, "list: %s\n", err.msg);
        return 1;
    }
    double dt = now_s() - t0;
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("{\"files\": %ld, \"seconds\": %.3f, \"us_per_file\": %.2f, \"peak_rss_mb\": %.1f, \"avg_url_bytes\": %zu}\n",
           a.count, dt, a.count ? dt * 1e6 / (double)a.count : 0.0, ru.ru_maxrss / 1024.0,
           a.count ? a.bytes / (size_t)a.count : 0);
    os_buf_free(&a.url);
    url_signer_free(a.signer);
    objstore_close(&st);
    return 0;
}
