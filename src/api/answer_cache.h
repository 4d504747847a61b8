/* answer_cache.h - rendered JSON answers kept per catalog generation, so a repeated discovery request skips building them.
 *
 * A discovery answer (shares, schemas, tables, a share or an asset) depends
 * only on the catalog, the caller and the request; the catalog's generation
 * (store_generation) changes with every catalog write.  An entry is keyed by
 * a text the handler builds from the caller and the request, and is valid
 * only for the generation it was rendered at: a write makes every older entry
 * a miss, with no invalidation to forget.
 *
 * The cache is bounded (slots and bytes); a full slot is simply replaced.
 * Answers carry a strong ETag (a digest of the body), so a client sending
 * If-None-Match gets 304 without a body.  Thread-safe. */
#ifndef OS_API_ANSWER_CACHE_H
#define OS_API_ANSWER_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include "net/http.h"

typedef struct answer_cache answer_cache;

/* A cache of at most `slots` answers and `max_bytes` of bodies and keys; NULL when out
 * of memory. */
answer_cache *answer_cache_new(size_t slots, size_t max_bytes);
/* Frees every entry.  NULL is a no-op. */
void answer_cache_free(answer_cache *c);

/* When `key` holds an answer rendered at `gen`, sets it (200, its ETag; 304
 * and no body when the request's If-None-Match names it) on res and returns 1.
 * Returns 0 on a miss (res untouched) and -1 when the response could not be
 * set (out of memory). */
int answer_cache_send(answer_cache *c, const char *key, int64_t gen, const http_request *req,
                      http_response *res);

/* Stores body (a JSON text of n bytes) for key at gen, replacing what the
 * slot held, then sends it like answer_cache_send.  Bodies too big for the
 * cache are sent without being kept.  Returns 0, or -1 when the response
 * could not be set.  c may be NULL (then it only sends). */
int answer_cache_put_send(answer_cache *c, const char *key, int64_t gen, const char *body, size_t n,
                          const http_request *req, http_response *res);

#endif
