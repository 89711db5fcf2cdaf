/*
** backup.c: placeholder until the backup module lands; registers nothing yet.
*/
#include "mig_int.h"

int migBackupInit(sqlite3 *db){
  UNUSED(db);
  return SQLITE_OK;
}

int migBackupSnapshot(sqlite3 *db, const char *zSchema, const char *zPath,
                      sqlite3_int64 *pnByte, char **pzErr){
  UNUSED(db); UNUSED(zSchema); UNUSED(zPath);
  *pnByte = 0;
  *pzErr = sqlite3_mprintf("snapshots are not available yet");
  return SQLITE_ERROR;
}

int migBackupDataLoss(const char *zSql, char **pzReport){
  UNUSED(zSql);
  *pzReport = 0;
  return 0;
}
