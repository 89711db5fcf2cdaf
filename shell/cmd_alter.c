/*
** cmd_alter.c: ".migrate alter TABLE CLAUSE...", lossless ALTER TABLE
** from the shell. Each CLAUSE is one shell argument (quote it), e.g.
**   .migrate alter meetings "ALTER COLUMN description SET NOT NULL"
** All clauses apply at once through migAlterCall() (what
** migrate_alter_table() runs); the strategy
** used (native, edit, validate or rebuild) is printed. When the shell is
** interactive, a rebuild shows "rows copied of total" on one progress
** line on stderr.
*/
#include "shell_int.h"
#include <string.h>

/* Progress callback: rewrite one line on stderr. */
static void cmdShowProgress(void *pArg, sqlite3_int64 nDone,
                            sqlite3_int64 nTotal){
  const char *zTable = (const char*)pArg;
  fprintf(stderr, "\rcopying %s: %lld of %lld rows", zTable, nDone, nTotal);
  if( nDone>=nTotal ) fprintf(stderr, "\n");
  fflush(stderr);
}

int migCmdAlter(MigShell *p, int nArg, char **azArg){
  MigCallOpts o;
  const char *zHow = 0;
  char *zErr = 0;
  int rc;
  if( nArg<3 ){
    return migShellError(p, "usage: .migrate alter TABLE CLAUSE...");
  }
  memset(&o, 0, sizeof(o));
  if( p->bInteractive ){
    o.xProgress = cmdShowProgress;
    o.pProgressArg = azArg[1];
  }
  rc = migAlterCall(p->db, azArg[1], nArg-2, (const char**)&azArg[2], &o,
                   &zHow, &zErr);
  if( rc!=SQLITE_OK ){
    migShellError(p, "%s", zErr ? zErr : "out of memory");
    sqlite3_free(zErr);
    return 1;
  }
  fprintf(p->out, "%s\n", zHow);
  return 0;
}
