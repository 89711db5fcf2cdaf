/*
** cmd_wait.c: what .migrate says before an upgrade, downgrade or stamp
** touches the database, so that nothing is blamed on a migration file:
**
**   Error: cannot upgrade: app.db is read-only (...)
**   waiting for the write lock held by another connection...
**
** The lock is probed with BEGIN IMMEDIATE and no busy timeout; when it
** is busy the notice goes to stderr once and the runner then waits as
** usual (the shell's .timeout, or the 60 s .migrate allows by default).
*/
#include "shell_int.h"
#include "../ext/migrate_run.h"

/* The verb of eOp for messages, or NULL when eOp does not write. */
static const char *cmdWaitVerb(int eOp){
  switch( eOp ){
    case MIG_RUN_UPGRADE:   return "upgrade";
    case MIG_RUN_DOWNGRADE: return "downgrade";
    case MIG_RUN_STAMP:     return "stamp";
  }
  return 0;
}

int migShellWriteCheck(MigShell *p, int eOp){
  const char *zVerb = cmdWaitVerb(eOp);
  const char *zFile;
  sqlite3_int64 nTimeout = 0;
  int rc;
  if( zVerb==0 ) return 0;
  if( sqlite3_db_readonly(p->db, "main")==1 ){
    zFile = sqlite3_db_filename(p->db, "main");
    return migShellError(p, "cannot %s: %s is read-only (the file is not "
        "writable, or the shell was started with -readonly); nothing was "
        "changed", zVerb, zFile && zFile[0] ? zFile : "the database");
  }
  if( !sqlite3_get_autocommit(p->db) ) return 0;
  migQueryInt(p->db, &nTimeout, "PRAGMA busy_timeout");
  sqlite3_busy_timeout(p->db, 0);
  rc = sqlite3_exec(p->db, "BEGIN IMMEDIATE", 0, 0, 0);
  if( rc==SQLITE_OK ) sqlite3_exec(p->db, "ROLLBACK", 0, 0, 0);
  sqlite3_busy_timeout(p->db, (int)nTimeout);
  if( (rc&0xff)==SQLITE_BUSY ){
    migShellNote(p, "waiting for the write lock held by another "
                 "connection...");
  }
  return 0;
}
