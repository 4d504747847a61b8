/* dv_path.h - where a deletion vector's file lives: Delta's relative (Z85-encoded UUID) and absolute forms. */
#ifndef OS_FORMATS_DELTA_DV_PATH_H
#define OS_FORMATS_DELTA_DV_PATH_H

#include "base/buf.h"
#include "base/err.h"
#include "formats/delta/delta.h"

/* For storage type 'u' appends the file's path relative to the table root
 * ("<prefix>/deletion_vector_<uuid>.bin", or without "<prefix>/" when the
 * prefix is empty); for 'p' appends the absolute path as written (a URI).
 * Inline vectors ('i') have no file: OS_EINVAL.  Returns 0 or -1 (OS_ECORRUPT
 * for a malformed encoded UUID). */
int delta_dv_file_path(const delta_dv *dv, os_buf *out, os_err *err);

#endif
