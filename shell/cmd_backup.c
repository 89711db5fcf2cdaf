/*
** cmd_backup.c: the backup subcommands of ".migrate".
**
**   .migrate backup FILE                  snapshot (gzip if FILE ends .gz)
**   .migrate backup --tables [--prefix P] copy every user table
**   .migrate backups [--drop [OLDER_THAN]] list or drop table backups
**   .migrate restore FILE [--yes]         replace the database with FILE
**
** Each is a thin front end over ext/: the snapshot and the restore call
** migBackupCall() and migRestoreCall() with the progress callback in their
** options, the rest run SQL functions (backup.c lists them). Run
** interactively, snapshots and restores of large
** databases print their progress on stderr, and restore asks before
** replacing anything unless --yes is given.
*/
#include "shell_int.h"
#include <stdio.h>
#include <string.h>

/* Below these totals there are no progress lines. */
#define MIG_PROGRESS_MIN_PAGES 10000      /* Snapshot: pages */
#define MIG_PROGRESS_MIN_BYTES (4<<20)    /* Restore: compressed bytes */

/* Progress state for one command. */
typedef struct MigShProgress MigShProgress;
struct MigShProgress {
  const char *zWhat;           /* "backup" or "restore" */
  sqlite3_int64 nMin;          /* Smallest total worth reporting */
  int iLast;                   /* Last figure printed, or -1 */
  int bPrinted;                /* True once a line was printed */
};

/* MigCallOpts.xProgress: "\rbackup: 42%" (or MB when the total is not
** known), only for large databases and only when the figure changes. */
static void cmdProgressCb(void *pArg, sqlite3_int64 nDone,
                          sqlite3_int64 nTotal){
  MigShProgress *p = (MigShProgress*)pArg;
  int iNow;
  if( nTotal>0 ){
    if( nTotal<p->nMin ) return;
    iNow = (int)(nDone*100/nTotal);
    if( iNow==p->iLast ) return;
    fprintf(stderr, "\r%s: %3d%%", p->zWhat, iNow);
  }else{
    iNow = (int)(nDone>>20);
    if( iNow<16 || iNow==p->iLast ) return;
    fprintf(stderr, "\r%s: %d MB", p->zWhat, iNow);
  }
  fflush(stderr);
  p->iLast = iNow;
  p->bPrinted = 1;
}

/* Run one statement and return its single text result (sqlite3_free),
** or NULL after reporting the error. */
static char *cmdValue(MigShell *p, const char *zFmt, const char *zArg,
                      const char *zArg2){
  char *zSql = sqlite3_mprintf(zFmt, zArg, zArg2);
  sqlite3_stmt *pStmt = 0;
  char *zRes = 0;
  int rc = zSql ? sqlite3_prepare_v2(p->db, zSql, -1, &pStmt, 0)
                : SQLITE_NOMEM;
  sqlite3_free(zSql);
  if( rc==SQLITE_OK && sqlite3_step(pStmt)==SQLITE_ROW ){
    zRes = sqlite3_mprintf("%s", sqlite3_column_text(pStmt, 0));
  }
  if( rc==SQLITE_OK ) rc = sqlite3_finalize(pStmt);
  if( rc!=SQLITE_OK || zRes==0 ){
    migShellError(p, "%s", rc==SQLITE_NOMEM ? "out of memory"
                                            : sqlite3_errmsg(p->db));
    sqlite3_free(zRes);
    zRes = 0;
  }
  return zRes;
}

/* Start the progress lines of one command: options for migBackupCall()
** or migRestoreCall() whose callback prints them when interactive. */
static void cmdProgressInit(MigShell *p, MigShProgress *pProg,
                            const char *zWhat, sqlite3_int64 nMin,
                            MigCallOpts *pOpts){
  pProg->zWhat = zWhat;
  pProg->nMin = nMin;
  pProg->iLast = -1;
  pProg->bPrinted = 0;
  memset(pOpts, 0, sizeof(*pOpts));
  if( p->bInteractive ){
    pOpts->xProgress = cmdProgressCb;
    pOpts->pProgressArg = pProg;
  }
}

/* End the progress line, if one was printed; report zErr (freeing it)
** when rc is an error. Returns 0, or 1 after an error. */
static int cmdProgressEnd(MigShell *p, MigShProgress *pProg, int rc,
                          char *zErr){
  if( pProg->bPrinted ) fprintf(stderr, "\n");
  if( rc!=SQLITE_OK ){
    migShellError(p, "%s", zErr ? zErr : "out of memory");
  }
  sqlite3_free(zErr);
  return rc!=SQLITE_OK;
}

/* .migrate backup FILE: a snapshot of the database. */
static int cmdSnapshot(MigShell *p, const char *zFile){
  MigShProgress prog;
  MigCallOpts o;
  sqlite3_int64 nByte = 0;
  char *zErr = 0;
  int rc;
  cmdProgressInit(p, &prog, "backup", MIG_PROGRESS_MIN_PAGES, &o);
  rc = migBackupCall(p->db, zFile, &o, &nByte, &zErr);
  if( cmdProgressEnd(p, &prog, rc, zErr) ) return 1;
  fprintf(p->out, "wrote %s (%lld bytes)\n", zFile, nByte);
  return 0;
}
/* .migrate backup --tables [--prefix P]: back up every user table, all
** or none, with one suffix: P, or the UTC time. */
static int cmdBackupTables(MigShell *p, const char *zLabel){
  char *zSuffix = zLabel ? sqlite3_mprintf("%s", zLabel)
      : cmdValue(p, "SELECT strftime('%%Y%%m%%d_%%H%%M%%S','now')", 0, 0);
  int rc;
  if( zSuffix==0 ) return 1;
  rc = sqlite3_exec(p->db, "SAVEPOINT migrate_backup_tables", 0, 0, 0);
  if( rc==SQLITE_OK ){
    rc = migShellQuery(p,
        "SELECT migrate_backup_table(name, %Q) FROM ("
        " SELECT name FROM main.sqlite_schema WHERE type='table'"
        " AND name NOT LIKE 'sqlite\\_%%' ESCAPE '\\'"
        " AND name NOT LIKE 'migrate\\_%%' ESCAPE '\\'"
        " AND sql NOT LIKE 'CREATE VIRTUAL%%' ORDER BY name)", zSuffix);
    if( rc ) sqlite3_exec(p->db, "ROLLBACK TO migrate_backup_tables", 0,0,0);
    sqlite3_exec(p->db, "RELEASE migrate_backup_tables", 0, 0, 0);
  }else{
    rc = migShellError(p, "%s", sqlite3_errmsg(p->db));
  }
  sqlite3_free(zSuffix);
  return rc;
}

int migCmdBackup(MigShell *p, int nArg, char **azArg){
  static const char zUsage[] =
      "usage: .migrate backup FILE | .migrate backup --tables [--prefix P]";
  if( nArg==2 && strcmp(azArg[1], "--tables")==0 ){
    return cmdBackupTables(p, 0);
  }
  if( nArg==4 && strcmp(azArg[1], "--tables")==0
   && strcmp(azArg[2], "--prefix")==0 ){
    return cmdBackupTables(p, azArg[3]);
  }
  if( nArg!=2 || azArg[1][0]=='-' || azArg[1][0]==0 ){
    return migShellError(p, zUsage);
  }
  return cmdSnapshot(p, azArg[1]);
}

/* The table backups of main, with the time each was taken ('' when not
** known), as SQL to embed: columns name, taken. */
#define MIG_SH_BACKUPS \
  "SELECT name, CASE WHEN instr(sql, '/* migrate backup taken ')>0" \
  " THEN substr(sql, instr(sql, '/* migrate backup taken ')+24, 19)" \
  " ELSE '' END AS taken FROM main.sqlite_schema WHERE type='table'" \
  " AND name LIKE 'migrate\\_backup\\_%' ESCAPE '\\'"

/* Rows and bytes of table zName, as text ("?" when not known). */
static char *cmdTableSize(MigShell *p, const char *zName){
  sqlite3_int64 nRow = 0, nByte = -1;
  int rc = migQueryInt(p->db, &nRow, "SELECT count(*) FROM main.\"%w\"",
                       zName);
  if( rc==SQLITE_OK ){
    if( migQueryInt(p->db, &nByte, "SELECT sum(pgsize) FROM dbstat('main')"
                    " WHERE name=%Q", zName)!=SQLITE_OK ) nByte = -1;
  }
  if( rc!=SQLITE_OK ) return sqlite3_mprintf("%10s %12s", "?", "?");
  if( nByte<0 ) return sqlite3_mprintf("%10lld %12s", nRow, "?");
  return sqlite3_mprintf("%10lld %12lld", nRow, nByte);
}

/* .migrate backups: one line per table backup. */
static int cmdListBackups(MigShell *p){
  sqlite3_stmt *pStmt = 0;
  int n = 0;
  int rc = sqlite3_prepare_v2(p->db, MIG_SH_BACKUPS " ORDER BY name",
                              -1, &pStmt, 0);
  while( rc==SQLITE_OK && sqlite3_step(pStmt)==SQLITE_ROW ){
    const char *zName = (const char*)sqlite3_column_text(pStmt, 0);
    char *zSize = cmdTableSize(p, zName);
    if( n++==0 ){
      fprintf(p->out, "%-44s %-19s %10s %12s\n", "name", "taken (UTC)",
              "rows", "bytes");
    }
    fprintf(p->out, "%-44s %-19s %s\n", zName,
            (const char*)sqlite3_column_text(pStmt, 1), zSize ? zSize : "");
    sqlite3_free(zSize);
  }
  if( rc==SQLITE_OK ) rc = sqlite3_finalize(pStmt);
  if( rc!=SQLITE_OK ) return migShellError(p, "%s", sqlite3_errmsg(p->db));
  if( n==0 ) fprintf(p->out, "no table backups\n");
  return 0;
}

/*
** The cutoff for OLDER_THAN as an SQL expression: "Nd", "Nh", "Nm" or
** "Ns" (days, hours, minutes, seconds ago) or a date/time in UTC.
** Returns NULL after reporting an error.
*/
static char *cmdCutoff(MigShell *p, const char *zAge){
  static const struct { char c; const char *zUnit; } aUnit[] = {
    { 'd', "days" }, { 'h', "hours" }, { 'm', "minutes" }, { 's', "seconds" }
  };
  size_t n = strlen(zAge), i;
  char *zRes;
  if( n>1 && strspn(zAge, "0123456789")==n-1 ){
    for(i=0; i<sizeof(aUnit)/sizeof(aUnit[0]); i++){
      if( zAge[n-1]==aUnit[i].c ){
        return sqlite3_mprintf("datetime('now', '-%.*s %s')", (int)(n-1),
                               zAge, aUnit[i].zUnit);
      }
    }
  }
  zRes = cmdValue(p, "SELECT coalesce(datetime(%Q), '')", zAge, 0);
  if( zRes && zRes[0] ){
    char *zExpr = sqlite3_mprintf("%Q", zRes);
    sqlite3_free(zRes);
    return zExpr;
  }
  sqlite3_free(zRes);
  migShellError(p, "bad OLDER_THAN: %s (try 7d, 12h, 30m or 2024-01-31)",
                zAge);
  return 0;
}

/* .migrate backups --drop [OLDER_THAN]: drop table backups, all at once. */
static int cmdDropBackups(MigShell *p, const char *zAge){
  char *zCut = zAge ? cmdCutoff(p, zAge) : sqlite3_mprintf("NULL");
  sqlite3_str *pDrop = sqlite3_str_new(p->db);
  sqlite3_str *pDone = sqlite3_str_new(p->db);
  sqlite3_stmt *pStmt = 0;
  char *zSql, *zDrop, *zDone;
  int rc = SQLITE_NOMEM;
  if( zCut==0 ){
    sqlite3_free(sqlite3_str_finish(pDrop));
    sqlite3_free(sqlite3_str_finish(pDone));
    return 1;
  }
  zSql = sqlite3_mprintf("WITH b AS (%s), c(t) AS (SELECT %s)"
      " SELECT name FROM b, c WHERE t IS NULL OR (taken<>'' AND taken<t)"
      " ORDER BY name", MIG_SH_BACKUPS, zCut);
  if( zSql ) rc = sqlite3_prepare_v2(p->db, zSql, -1, &pStmt, 0);
  sqlite3_str_appendall(pDrop, "SAVEPOINT migrate_backups_drop;");
  while( rc==SQLITE_OK && sqlite3_step(pStmt)==SQLITE_ROW ){
    const char *zName = (const char*)sqlite3_column_text(pStmt, 0);
    sqlite3_str_appendf(pDrop, "DROP TABLE main.\"%w\";", zName);
    sqlite3_str_appendf(pDone, "dropped %s\n", zName);
  }
  if( rc==SQLITE_OK ) rc = sqlite3_finalize(pStmt);
  sqlite3_str_appendall(pDrop, "RELEASE migrate_backups_drop;");
  zDrop = sqlite3_str_finish(pDrop);
  zDone = sqlite3_str_finish(pDone);
  if( rc==SQLITE_OK ){
    rc = zDrop ? sqlite3_exec(p->db, zDrop, 0, 0, 0) : SQLITE_NOMEM;
    if( rc!=SQLITE_OK ){
      migShellError(p, "%s", sqlite3_errmsg(p->db));
      sqlite3_exec(p->db, "ROLLBACK TO migrate_backups_drop;"
                          "RELEASE migrate_backups_drop", 0, 0, 0);
    }
  }else{
    migShellError(p, "%s", sqlite3_errmsg(p->db));
  }
  if( rc==SQLITE_OK ) fprintf(p->out, "%s", zDone && zDone[0] ? zDone
                                          : "no table backups dropped\n");
  sqlite3_free(zSql);
  sqlite3_free(zCut);
  sqlite3_free(zDrop);
  sqlite3_free(zDone);
  return rc!=SQLITE_OK;
}

int migCmdBackups(MigShell *p, int nArg, char **azArg){
  if( nArg==1 ) return cmdListBackups(p);
  if( nArg<=3 && strcmp(azArg[1], "--drop")==0 ){
    return cmdDropBackups(p, nArg==3 ? azArg[2] : 0);
  }
  return migShellError(p, "usage: .migrate backups [--drop [OLDER_THAN]]");
}

/* Ask on stdout whether to replace the database; true for yes. */
static int cmdConfirm(MigShell *p, const char *zFile){
  char zLine[32];
  fprintf(p->out, "Replace the whole content of the database with %s?"
                  " [y/N] ", zFile);
  fflush(p->out);
  if( fgets(zLine, sizeof(zLine), stdin)==0 ) return 0;
  return zLine[0]=='y' || zLine[0]=='Y';
}

int migCmdRestore(MigShell *p, int nArg, char **azArg){
  const char *zFile = 0;
  MigShProgress prog;
  MigCallOpts o;
  char *zErr = 0;
  int bYes = 0, i, rc;
  for(i=1; i<nArg; i++){
    if( strcmp(azArg[i], "--yes")==0 ) bYes = 1;
    else if( zFile==0 && azArg[i][0]!='-' ) zFile = azArg[i];
    else zFile = "";
  }
  if( zFile==0 || zFile[0]==0 ){
    return migShellError(p, "usage: .migrate restore FILE [--yes]");
  }
  if( p->bInteractive && !bYes && !cmdConfirm(p, zFile) ){
    fprintf(p->out, "restore cancelled\n");
    return 0;
  }
  cmdProgressInit(p, &prog, "restore", MIG_PROGRESS_MIN_BYTES, &o);
  rc = migRestoreCall(p->db, zFile, &o, &zErr);
  if( cmdProgressEnd(p, &prog, rc, zErr) ) return 1;
  fprintf(p->out, "restored from %s\n", zFile);
  return 0;
}
