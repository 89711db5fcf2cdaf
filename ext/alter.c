/*
** alter.c: placeholder until the alter module lands; registers nothing yet.
*/
#include "mig_int.h"

int migAlterInit(sqlite3 *db){
  UNUSED(db);
  return SQLITE_OK;
}

int migAlterApply(sqlite3 *db, const char *zSchema, const char *zTable,
                  int nClause, const char **azClause, char **pzErr){
  UNUSED(db); UNUSED(zSchema); UNUSED(zTable); UNUSED(nClause);
  UNUSED(azClause);
  *pzErr = sqlite3_mprintf("migrate_alter_table is not available yet");
  return SQLITE_ERROR;
}

int migAlterRoute(const char *zSql, char **pzTable, char **pzClause){
  UNUSED(zSql); UNUSED(pzTable); UNUSED(pzClause);
  return 0;
}
