/* pred_int.h - the parsed form of a Delta Sharing JSON predicate, shared by parser and evaluator. */
#ifndef OS_FORMATS_DELTA_PRED_INT_H
#define OS_FORMATS_DELTA_PRED_INT_H

#include "formats/delta/delta.h"

#define PRED_MAX_DEPTH 48
#define PRED_MAX_NODES 4096

typedef enum pred_op {
    P_COLUMN = 1, P_LITERAL, P_ISNULL, P_EQ, P_LT, P_LE, P_GT, P_GE, P_AND, P_OR, P_NOT
} pred_op;

typedef struct pred_node pred_node;
struct pred_node {
    pred_op op;
    const char *name;          /* COLUMN */
    const char *value_type;    /* COLUMN, LITERAL: "int", "date", ... */
    delta_value lit;           /* LITERAL (kind NULL for a null literal) */
    pred_node **kids;
    size_t nkids;
};

struct delta_predicate {
    os_arena arena;
    pred_node *root;
};

/* Maps a predicate valueType to the Delta type name used for parsing
 * ("int" -> "integer", "bool" -> "boolean"); NULL when unknown. */
const char *pred_delta_type(const char *value_type);

#endif
