/* protocol.c - which reader versions and table features this engine can read. */
#include "formats/delta/delta.h"

#include <stdio.h>
#include <string.h>

/* Reader features whose log semantics are implemented here (deletion vector
 * identities, column mapping, v2 checkpoints) or that change nothing in the
 * log a reader must interpret (type widening, timestamp_ntz, variant: the
 * schema says so and files are served as written). */
static const char *const supported_reader_features[] = {
    "columnMapping",
    "deletionVectors",
    "timestampNtz",
    "v2Checkpoint",
    "typeWidening",
    "typeWidening-preview",
    "vacuumProtocolCheck",
    "variantType",
    "variantType-preview",
    NULL,
};

int delta_protocol_check(const delta_protocol *p, os_err *err)
{
    if (p->min_reader_version < 1)
        return os_err_set(err, OS_ECORRUPT, "minReaderVersion %d is invalid", (int)p->min_reader_version);
    if (p->min_reader_version > 3)
        return os_err_set(err, OS_EUNSUPPORTED,
                          "table requires reader version %d; this server reads up to 3",
                          (int)p->min_reader_version);
    if (p->min_reader_version < 3)
        return 0;
    if (!p->has_reader_features)
        return os_err_set(err, OS_ECORRUPT,
                          "protocol has reader version 3 but no readerFeatures list");
    for (size_t i = 0; i < p->n_reader_features; i++) {
        const char *f = p->reader_features[i];
        bool ok = false;
        for (size_t k = 0; supported_reader_features[k] != NULL; k++)
            if (strcmp(f, supported_reader_features[k]) == 0)
                ok = true;
        if (!ok)
            return os_err_set(err, OS_EUNSUPPORTED,
                              "table requires reader feature '%s', which this server does not support", f);
    }
    return 0;
}
