/* cmd_admin_http.c - the admin client's transport (libcurl, bearer token, JSON) and its text tables. */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "cli/cmd_admin.h"

static size_t on_data(char *p, size_t size, size_t n, void *ud)
{
    os_buf *b = ud;
    size_t len = size * n;
    if (b->len + len > (64u << 20))
        return 0;   /* refuse absurd answers */
    return os_buf_append(b, p, len) == 0 ? len : 0;
}

char *admin_client_escape(const char *s)
{
    char *e = curl_easy_escape(NULL, s, 0);
    char *out = e ? strdup(e) : NULL;
    curl_free(e);
    return out;
}

int admin_client_call(const admin_client *c, const char *method, const char *path, json_t *body,
                      json_t **out)
{
    *out = NULL;
    CURL *h = curl_easy_init();
    if (h == NULL) {
        fprintf(stderr, "opensharing admin: cannot initialise libcurl\n");
        return ADMIN_EXIT_SERVER;
    }
    os_buf url = OS_BUF_INIT, resp = OS_BUF_INIT, auth = OS_BUF_INIT;
    size_t sl = strlen(c->server);
    while (sl > 0 && c->server[sl - 1] == '/')
        sl--;
    os_buf_printf(&url, "%.*s%s", (int)sl, c->server, path);
    os_buf_printf(&auth, "Authorization: Bearer %s", c->token);
    struct curl_slist *hdrs = curl_slist_append(NULL, os_buf_cstr(&auth));
    hdrs = curl_slist_append(hdrs, "Accept: application/json");
    char *text = NULL;
    if (body) {
        text = json_dumps(body, JSON_COMPACT);
        hdrs = curl_slist_append(hdrs, "Content-Type: application/json");
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, text ? text : "{}");
    }
    char errbuf[CURL_ERROR_SIZE] = "";
    curl_easy_setopt(h, CURLOPT_URL, os_buf_cstr(&url));
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &resp);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(h, CURLOPT_TIMEOUT, 60L);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    CURLcode cc = curl_easy_perform(h);
    long status = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    int rc;
    if (cc != CURLE_OK) {
        fprintf(stderr, "opensharing admin: cannot reach %s: %s\n", c->server,
                errbuf[0] ? errbuf : curl_easy_strerror(cc));
        rc = ADMIN_EXIT_SERVER;
    } else {
        json_t *doc = resp.len ? json_loadb(resp.data, resp.len, 0, NULL) : NULL;
        if (status >= 200 && status < 300) {
            if (resp.len && doc == NULL) {
                fprintf(stderr, "opensharing admin: the server answered something that is not JSON\n");
                rc = ADMIN_EXIT_SERVER;
            } else {
                *out = doc;
                doc = NULL;
                rc = ADMIN_EXIT_OK;
            }
        } else {
            const char *code = json_string_value(json_object_get(doc, "errorCode"));
            const char *msg = json_string_value(json_object_get(doc, "message"));
            fprintf(stderr, "opensharing admin: %s %s: HTTP %ld %s: %s\n", method, path, status,
                    code ? code : "", msg ? msg : "(no message)");
            rc = status >= 400 && status < 500 ? ADMIN_EXIT_REFUSED : ADMIN_EXIT_SERVER;
        }
        json_decref(doc);
    }
    curl_slist_free_all(hdrs);
    curl_easy_cleanup(h);
    free(text);
    os_buf_free(&url);
    os_buf_free(&auth);
    os_buf_free(&resp);
    return rc;
}

void admin_print_table(const char *const *headers, size_t cols, const char *const *cells, size_t rows)
{
    size_t width[16] = {0};
    if (cols > 16)
        cols = 16;
    for (size_t c = 0; c < cols; c++)
        width[c] = strlen(headers[c]);
    for (size_t r = 0; r < rows; r++)
        for (size_t c = 0; c < cols; c++) {
            const char *v = cells[r * cols + c];
            size_t l = strlen(v ? v : "-");
            if (l > width[c])
                width[c] = l > 60 ? 60 : l;
        }
    for (size_t c = 0; c < cols; c++)
        printf("%-*s%s", (int)width[c], headers[c], c + 1 < cols ? "  " : "\n");
    for (size_t r = 0; r < rows; r++)
        for (size_t c = 0; c < cols; c++) {
            const char *v = cells[r * cols + c];
            printf("%-*s%s", (int)width[c], v ? v : "-", c + 1 < cols ? "  " : "\n");
        }
}
