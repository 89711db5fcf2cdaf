/*
** diff_apply.c: the declarative apply, and where the schema file is.
**
** migDiffApply() brings the live database straight to a desired schema:
** the migration from its own schema (MIG_DIFF_DB) is computed and proven
** (diff_run.c), refused while it would lose data unless bAllowLoss, then
** run in one transaction together with a migrate_history row
** (revision "apply", direction "upgrade", the SQL both ways), so the
** change is on record like any migration.
**
** migDiffSchemaPath(): the desired schema file of a connection: the
** "schema" setting when set, else schema.sql in the directory holding
** the migrations directory.
*/
#include "diff_int.h"
#include "engine_int.h"
#include <string.h>

/* The history row of an apply, as SQL. */
static char *applyHistorySql(const MigDiff *pDiff, const char *zFile){
  MigRev rev;
  memset(&rev, 0, sizeof(rev));
  rev.zId = "apply";
  rev.zMessage = zFile ? (char*)zFile : "apply";
  rev.zUp = pDiff->zUp;
  rev.zDown = pDiff->zDown;
  return migBookHistorySql(&rev, "upgrade", -1.0);
}

/*
** Apply zDesired to db. *pOut gets the SQL run (or that would run, with
** bDryRun). Returns SQLITE_OK, or an error code with *pzErr set and the
** database unchanged.
*/
int migDiffApply(sqlite3 *db, const char *zDesired, const char *zFile,
                 int bAllowLoss, int bDryRun, MigDiff *pOut, char **pzErr){
  int rc = migDiffCompute(db, zDesired, zFile, MIG_DIFF_DB, pOut, pzErr);
  if( rc==SQLITE_OK && pOut->zLossUp && !bAllowLoss && !bDryRun ){
    int n = (int)strlen(pOut->zLossUp);
    *pzErr = sqlite3_mprintf("refusing to lose data (allow it with "
        "--allow-data-loss):\n%.*s", n>0 ? n-1 : 0, pOut->zLossUp);
    rc = SQLITE_ERROR;
  }
  if( rc==SQLITE_OK && pOut->nStmt>0 && !bDryRun ){
    char *zHist = applyHistorySql(pOut, zFile);
    char *zAll = zHist ? sqlite3_mprintf("%s%s\n%s\n%s", migBookDdl(),
                                         pOut->zUp, zHist, "") : 0;
    rc = zAll ? migDiffExec(db, zAll, pzErr) : SQLITE_NOMEM;
    sqlite3_free(zHist);
    sqlite3_free(zAll);
  }
  if( rc!=SQLITE_OK && *pzErr==0 ){
    *pzErr = sqlite3_mprintf("%s", sqlite3_errstr(rc));
  }
  return rc;
}

/* The desired schema file of db (sqlite3_free), or NULL on OOM. */
char *migDiffSchemaPath(sqlite3 *db){
  MigConn *p = migConnGet(db);
  const char *zDir;
  const char *zSlash;
  int n;
  if( p && p->zSchemaFile ) return sqlite3_mprintf("%s", p->zSchemaFile);
  zDir = migConnDir(p);
  n = (int)strlen(zDir);
  while( n>1 && zDir[n-1]=='/' ) n--;
  for(zSlash=&zDir[n-1]; zSlash>=zDir && *zSlash!='/'; zSlash--){}
  if( zSlash<zDir ) return sqlite3_mprintf("schema.sql");
  if( zSlash==zDir ) return sqlite3_mprintf("/schema.sql");
  return sqlite3_mprintf("%.*s/schema.sql", (int)(zSlash-zDir), zDir);
}
