/* image_lines.h - file lines of a cached snapshot image, signed and joined by two threads, written in order.
 *
 * A snapshot image keeps, for each file of a parquet-format answer, its
 * relative key and line body (table_read.c writes them).  A repeated full
 * query then only signs URLs and joins lines: a helper thread does that for
 * every other block while the caller does the blocks between, and the lines
 * go out in the image's order.  Memory stays bounded (a few blocks in
 * flight). */
#ifndef OS_SHARING_IMAGE_LINES_H
#define OS_SHARING_IMAGE_LINES_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/err.h"
#include "formats/delta/delta.h"
#include "sharing/file_access.h"

/* Appends the parquet-format line of a file read back from an image (its
 * aux: [u32 key length][key][NUL][body]), signed now with fa, to out;
 * *expires_ms is the URL's expiry.  url is scratch.  Returns 0, 2 when f
 * carries no such aux (the caller renders it), or -1 (OS_ECORRUPT for a
 * malformed aux, signing errors, OS_ENOMEM). */
int image_line_render(const file_access *fa, const delta_file *f, int64_t version, int64_t timestamp,
                      os_buf *url, os_buf *out, int64_t *expires_ms, os_err *err);

typedef struct image_lines_out {
    /* Renders one block on the caller's thread (the blocks the helper did not
     * take, or could not render); returns 0, 1 to stop, -1. */
    int (*block)(void *ctx, char *block, size_t n, os_err *err);
    /* Writes lines the helper rendered: `files` file lines, the earliest URL
     * expiry among them (or -1); returns 0 or -1. */
    int (*lines)(void *ctx, os_buf *lines, int64_t files, int64_t min_expiry, os_err *err);
    void *ctx;
} image_lines_out;

/* Reads the image at fd (from its start) and writes its lines through out,
 * the helper signing with fa (which must allow signing from two threads).
 * Returns 0 when all of the image was written, 1 when out stopped, 2 when
 * the image proved corrupt or incomplete: *files_done files were written
 * before the bad block (none after), the caller goes on from the log; -1 with
 * err (out's error, OS_ENOMEM). */
int image_lines_run(int fd, const file_access *fa, int64_t version, int64_t timestamp,
                    const image_lines_out *out, int64_t *files_done, os_err *err);

#endif
