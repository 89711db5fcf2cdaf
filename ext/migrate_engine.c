/*
** migrate_engine.c: sqlite3_migrate_engine_init(), the entry point that
** registers the migration engine alone, and migInitModules(), the loop
** both entry points run over their table of module initialisers.
**
** The engine is the connection state, the migration functions and the
** migrations table (migrate_upgrade() ..., the C API of migrate.h). This
** file names no other module, so a static program that calls only
** sqlite3_migrate_engine_init() links only the engine: not the ALTER
** TABLE engine, backups, autogenerate, foreign formats' writers or the
** migration tester (about a third of the library's size):
**
**     sqlite3_auto_extension((void(*)(void))sqlite3_migrate_engine_init);
**
** On such a connection a migration statement that needs the alter
** engine, and a backup, fail with an error saying so.
*/
#include "mig_int.h"

/* The engine's modules, in order. */
static const MigInit aEngineInit[] = {
  { "connection state", migConnInit },
  { "engine",           migEngineInit },
};

/*
** Run aInit[0..nInit) on db in order, stopping at the first that fails.
** Returns SQLITE_OK or that module's code, with *pzErrMsg (when not NULL)
** naming the module, obtained from sqlite3_malloc().
*/
int migInitModules(sqlite3 *db, const MigInit *aInit, int nInit,
                   char **pzErrMsg){
  int rc = SQLITE_OK;
  int i;
  for(i=0; rc==SQLITE_OK && i<nInit; i++){
    rc = aInit[i].xInit(db);
    if( rc!=SQLITE_OK && pzErrMsg ){
      *pzErrMsg = sqlite3_mprintf("migrate: cannot register %s: %s",
                                  aInit[i].zName, sqlite3_errstr(rc));
    }
  }
  return rc;
}

/*
** Register the engine on db, once: SQLITE_OK when it already has it. On
** failure *pzErrMsg (when not NULL) names the module that failed.
*/
#ifdef _WIN32
__declspec(dllexport)
#endif
int sqlite3_migrate_engine_init(
  sqlite3 *db,
  char **pzErrMsg,
  const void *pApi
){
#ifndef SQLITE_CORE
  SQLITE_EXTENSION_INIT2((const sqlite3_api_routines*)pApi);
#else
  UNUSED(pApi);
#endif
  if( migConnGet(db) ) return SQLITE_OK;   /* Already registered on db */
  return migInitModules(db, aEngineInit,
                        (int)(sizeof(aEngineInit)/sizeof(aEngineInit[0])),
                        pzErrMsg);
}
