/* line_stream.h - runs a producer of NDJSON lines on its own thread, feeding a pull-based HTTP stream through a bounded queue.
 *
 * The queue bounds memory (the producer blocks while the client is slow) and
 * lets a client disconnect stop the producer: its next put fails.  The
 * reading side may compress (gzip, zstd), on its own core. */
#ifndef OS_SHARING_LINE_STREAM_H
#define OS_SHARING_LINE_STREAM_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "base/buf.h"
#include "base/err.h"

typedef struct line_sink line_sink;

/* Queues the bytes of `lines` (then resets it) and writes them out once more
 * than a block is queued.  Returns 0, or -1 with OS_EIO when the reader went
 * away (the producer should stop). */
int line_sink_put(line_sink *s, os_buf *lines, os_err *err);

/* The block being filled, to render lines straight into (no copy); call
 * line_sink_commit after each complete line.  Never NULL. */
os_buf *line_sink_buf(line_sink *s);
/* Hands the block on once it is full.  Returns 0, or -1 with OS_EIO when the
 * reader went away. */
int line_sink_commit(line_sink *s, os_err *err);

/* Queues whole lines already in a buffer of their own without copying them:
 * *block is taken and replaced by an empty buffer (to reuse).  Returns 0, or
 * -1 with OS_EIO when the reader went away. */
int line_sink_put_block(line_sink *s, os_buf *block, os_err *err);

/* Records a count the producer wants reported when the stream ends cleanly
 * (e.g. the number of files it signed). */
void line_sink_set_count(line_sink *s, int64_t count);

/* The producer: writes lines, returns 0 when complete, -1 to abort the
 * response (the client sees a truncated body). */
typedef int (*line_producer_fn)(void *job, line_sink *sink, os_err *err);

typedef struct line_stream line_stream;

/* Starts the producer thread.  Ownership of job passes to the stream (also on
 * failure); free_job is called once after the producer has finished.  Returns
 * NULL with err on failure (no thread). */
line_stream *line_stream_start(line_producer_fn fn, void *job, void (*free_job)(void *),
                               os_err *err);
/* Calls fn(ctx, count) from line_stream_read when it reaches a complete end,
 * that is on the reader's thread while the request is still alive.  Set it
 * before handing the stream to the HTTP layer. */
void line_stream_on_end(line_stream *ls, void (*fn)(void *ctx, int64_t count), void *ctx);
/* Content codings a stream can be sent in. */
typedef enum line_encoding {
    LINE_ENC_IDENTITY = 0,
    LINE_ENC_GZIP,
    LINE_ENC_ZSTD
} line_encoding;

/* The coding to answer with for a request's Accept-Encoding value (NULL:
 * absent): zstd when the client offers it, else gzip (also for "*"), else
 * identity; a coding with q=0 is refused.  Never fails. */
line_encoding line_encoding_choose(const char *accept_encoding);
/* The Content-Encoding token of enc, or NULL for identity. */
const char *line_encoding_name(line_encoding enc);
/* Makes line_stream_read return the lines compressed with enc (streamed:
 * memory stays bounded whatever the answer's size), at the level measured as
 * the best trade (bench/serve/query.sh).  Call before the first read.
 * Returns 0, or -1 with OS_ENOMEM (the stream is then unchanged). */
int line_stream_set_encoding(line_stream *ls, line_encoding enc, os_err *err);

/* Reads up to max bytes: >0 bytes, 0 at a complete end, -1 when the producer
 * failed (the response must be aborted).  Blocks while the producer works. */
ssize_t line_stream_read(void *stream, char *buf, size_t max);
/* Stops (closing the queue makes the producer's next put fail), joins the
 * thread and frees everything.  NULL-safe. */
void line_stream_free(void *stream);

#endif
