#include "mig_int.h"
int migSchemaColumnsInit(sqlite3 *db){ UNUSED(db); return SQLITE_OK; }
