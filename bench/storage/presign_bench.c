/* presign_bench.c - per-URL cost of our signers (SigV4 presign, Azure SAS, local HMAC URL) on one thread. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "storage/azure_sas.h"
#include "storage/gcs_sign.h"
#include "storage/local_url.h"
#include "storage/s3_sign.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    long n = argc > 1 ? atol(argv[1]) : 200000;
    s3_target t = {NULL, "eu-west-1", 0, "my-bucket"};
    s3_creds c = {"AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", NULL};
    os_buf u = OS_BUF_INIT;
    os_err e;
    char key[128];
    size_t bytes = 0;
    double t0 = now_s();
    for (long i = 0; i < n; i++) {
        snprintf(key, sizeof key, "tables/t1/part-%05ld-c000.snappy.parquet", i);
        os_buf_reset(&u);
        if (s3_presign_get(&t, &c, key, 1700000000 + i, 3600, 0, &u, &e) != 0) {
            fprintf(stderr, "presign: %s\n", e.msg);
            return 1;
        }
        bytes += u.len;
    }
    double s3 = (now_s() - t0) / (double)n;
    t0 = now_s();
    for (long i = 0; i < n; i++) {
        snprintf(key, sizeof key, "tables/t1/part-%05ld-c000.snappy.parquet", i);
        os_buf_reset(&u);
        if (azure_presign_get("https://acct.blob.core.windows.net", "acct",
                              "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==",
                              "c", key, 1700000000 + i, 3600, 0, &u, &e) != 0)
            return 1;
    }
    double az = (now_s() - t0) / (double)n;
    uint8_t k[LOCAL_URL_KEYLEN];
    memset(k, 3, sizeof k);
    t0 = now_s();
    for (long i = 0; i < n; i++) {
        snprintf(key, sizeof key, "part-%05ld-c000.snappy.parquet", i);
        os_buf_reset(&u);
        if (local_url_sign(k, "http://127.0.0.1:8080/opensharing", "/srv/data/tables/t1", key,
                           1700000000 + i, &u, &e) != 0)
            return 1;
    }
    double lo = (now_s() - t0) / (double)n;
    /* GCS V4 is RSA-2048 per URL: far slower, so fewer rounds. */
    double gcs = 0;
    long ng = n / 100 > 0 ? n / 100 : 1;
    const char *sa = getenv("OS_BENCH_GCS_KEY");
    if (sa) {
        gcs_signer *g = gcs_signer_new(sa, &e);
        if (g == NULL) {
            fprintf(stderr, "gcs: %s\n", e.msg);
            return 1;
        }
        t0 = now_s();
        for (long i = 0; i < ng; i++) {
            snprintf(key, sizeof key, "tables/t1/part-%05ld-c000.snappy.parquet", i);
            os_buf_reset(&u);
            if (gcs_sign_url(g, NULL, "my-bucket", key, 1700000000 + i, 3600, &u, &e) != 0)
                return 1;
        }
        gcs = (now_s() - t0) / (double)ng;
        gcs_signer_free(g);
    }
    os_buf_free(&u);
    printf("{\"n\": %ld, \"s3_us\": %.3f, \"azure_us\": %.3f, \"local_us\": %.3f, \"gcs_us\": %.1f, \"avg_url_bytes\": %zu}\n",
           n, s3 * 1e6, az * 1e6, lo * 1e6, gcs * 1e6, bytes / (size_t)n);
    return 0;
}
