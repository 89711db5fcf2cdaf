/*
** migrate.c: the entry point of the migrate extension.
**
** sqlite3_migrate_init() registers the engine (migrate_engine.c: the
** connection's state, the migration functions) and then calls the
** initialiser of every other module from the table aInit[] below,
** stopping at the first that fails and reporting which. Built two ways:
**   loadable:  gcc -shared ... ; .load ./migrate
**   static:    -DSQLITE_CORE ; sqlite3_auto_extension(sqlite3_migrate_init)
*/
#include "mig_int.h"
#ifndef SQLITE_CORE
SQLITE_EXTENSION_INIT1
#endif

/* The modules beyond the engine (migrate_engine.c), in order. */
static const MigInit aInit[] = {
  { "introspection",    migIntrospectInit },
  { "schema_columns",   migSchemaColumnsInit },
  { "alter",            migAlterInit },
  { "backup",           migBackupInit },
  { "autogenerate",     migDiffInit },
  { "testing",          migTestInit },
  { "version",          migVersionInit },
};

/*
** Register everything on db: the engine, then the other modules (also on
** a connection that has the engine alone). On failure *pzErrMsg (when not
** NULL) gets a message naming the module that failed, obtained from
** sqlite3_malloc().
*/
#ifdef _WIN32
__declspec(dllexport)
#endif
int sqlite3_migrate_init(
  sqlite3 *db,
  char **pzErrMsg,
  const void *pApi
){
  MigConn *p;
  int rc = sqlite3_migrate_engine_init(db, pzErrMsg, pApi);
  if( rc!=SQLITE_OK ) return rc;
  p = migConnGet(db);
  if( p->bAllModules ) return SQLITE_OK;   /* Already registered on db */
  rc = migInitModules(db, aInit, (int)(sizeof(aInit)/sizeof(aInit[0])),
                      pzErrMsg);
  if( rc==SQLITE_OK ) p->bAllModules = 1;
  return rc;
}
