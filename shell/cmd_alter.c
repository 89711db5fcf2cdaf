/*
** cmd_alter.c: ".migrate alter TABLE CLAUSE...", lossless ALTER TABLE
** from the shell. Each CLAUSE is one shell argument (quote it), e.g.
**   .migrate alter meetings "ALTER COLUMN description SET NOT NULL"
** All clauses apply at once through migrate_alter_table(); the strategy
** used (native, edit, validate or rebuild) is printed. When the shell is
** interactive, a rebuild shows "rows copied of total" on one progress
** line on stderr.
*/
#include "shell_int.h"

/* Progress callback: rewrite one line on stderr. */
static void migAlterShowProgress(void *pArg, sqlite3_int64 nDone,
                                 sqlite3_int64 nTotal){
  const char *zTable = (const char*)pArg;
  fprintf(stderr, "\rcopying %s: %lld of %lld rows", zTable, nDone, nTotal);
  if( nDone>=nTotal ) fprintf(stderr, "\n");
  fflush(stderr);
}

int migCmdAlter(MigShell *p, int nArg, char **azArg){
  MigConn *pConn = migConnGet(p->db);
  sqlite3_str *pSql;
  char *zSql;
  int i, rc;
  if( nArg<3 ){
    return migShellError(p, "usage: .migrate alter TABLE CLAUSE...");
  }
  pSql = sqlite3_str_new(p->db);
  sqlite3_str_appendf(pSql, "SELECT migrate_alter_table(%Q", azArg[1]);
  for(i=2; i<nArg; i++) sqlite3_str_appendf(pSql, ", %Q", azArg[i]);
  sqlite3_str_appendall(pSql, ")");
  zSql = sqlite3_str_finish(pSql);
  if( zSql==0 ) return migShellError(p, "out of memory");
  if( pConn && p->bInteractive ){
    pConn->xProgress = migAlterShowProgress;
    pConn->pProgressArg = azArg[1];
  }
  rc = migShellQuery(p, "%s", zSql);
  if( pConn && p->bInteractive ){
    pConn->xProgress = 0;
    pConn->pProgressArg = 0;
  }
  sqlite3_free(zSql);
  return rc;
}
