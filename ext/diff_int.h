/*
** diff_int.h: declarations shared by the files of autogenerate, the
** migration written from a desired schema.
**
**   model.c, model_cmp.c  the normalised schema model (model.h)
**   diff_sql.c            SQL functions
*/
#ifndef DIFF_INT_H
#define DIFF_INT_H
#include "model.h"

#endif /* DIFF_INT_H */
