/*
** migrate.c: the entry point of the migrate extension.
**
** sqlite3_migrate_init() creates the connection's state and then calls the
** initialiser of every module from the table aInit[] below, stopping at
** the first that fails and reporting which. Built two ways:
**   loadable:  gcc -shared ... ; .load ./migrate
**   static:    -DSQLITE_CORE ; sqlite3_auto_extension(sqlite3_migrate_init)
*/
#include "mig_int.h"
#ifndef SQLITE_CORE
SQLITE_EXTENSION_INIT1
#endif

/* One module: its name (for error messages) and its initialiser. */
static const struct MigInit {
  const char *zName;             /* Module name */
  int (*xInit)(sqlite3*);        /* Registers its functions and tables */
} aInit[] = {
  { "connection state", migConnInit },
  { "introspection",    migIntrospectInit },
  { "schema_columns",   migSchemaColumnsInit },
  { "engine",           migEngineInit },
  { "alter",            migAlterInit },
  { "backup",           migBackupInit },
  { "autogenerate",     migDiffInit },
  { "testing",          migTestInit },
  { "version",          migVersionInit },
};

/*
** Register everything on db. On failure *pzErrMsg (when not NULL) gets a
** message naming the module that failed, obtained from sqlite3_malloc().
*/
#ifdef _WIN32
__declspec(dllexport)
#endif
int sqlite3_migrate_init(
  sqlite3 *db,
  char **pzErrMsg,
  const void *pApi
){
  int rc = SQLITE_OK;
  size_t i;
#ifndef SQLITE_CORE
  SQLITE_EXTENSION_INIT2((const sqlite3_api_routines*)pApi);
#else
  UNUSED(pApi);
#endif
  if( migConnGet(db) ) return SQLITE_OK;   /* Already registered on db */
  for(i=0; rc==SQLITE_OK && i<sizeof(aInit)/sizeof(aInit[0]); i++){
    rc = aInit[i].xInit(db);
    if( rc!=SQLITE_OK && pzErrMsg ){
      *pzErrMsg = sqlite3_mprintf("migrate: cannot register %s: %s",
                                  aInit[i].zName, sqlite3_errstr(rc));
    }
  }
  return rc;
}
