/* scan_pipeline.h - a snapshot scan in two stages on two threads: log replay and per-file rendering on a helper, the rest on the caller's.
 *
 * Stage one replays the log (decoding the checkpoint, reconciling commits)
 * and renders what depends only on each file into snapshot-image records,
 * packed in blocks; stage two, on the calling thread, takes the blocks in
 * order (signing, joining lines, writing the image).  A bounded queue of
 * blocks sits between them, so memory does not grow with the table, and the
 * output order is the scan's. */
#ifndef OS_SHARING_SCAN_PIPELINE_H
#define OS_SHARING_SCAN_PIPELINE_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/err.h"
#include "sharing/table_source.h"

/* Stage one, per active file: appends to aux what stands for f in the image
 * (left empty: the whole file is kept).  Runs on the helper thread: it may
 * only read what stage two does not change.  Returns 0 or -1 with err. */
typedef int (*scan_render_fn)(void *ctx, const delta_file *f, os_buf *aux, os_err *err);
/* Stage two, per block of `count` records (delta_image_block_each reads it;
 * the block may be changed).  Returns 0, 1 to stop (not an error), -1 with
 * err. */
typedef int (*scan_consume_fn)(void *ctx, char *block, size_t n, uint64_t count, os_err *err);

/* Runs snapshot_scan of src over snap with opts in the two stages.  Returns
 * 0, 1 when stage two stopped, or -1 with the first error of either stage
 * (the other is stopped; the helper is always joined). */
int scan_pipeline_run(const table_source *src, void *snap, const delta_scan_opts *opts,
                      scan_render_fn render, scan_consume_fn consume, void *ctx, os_err *err);

#endif
