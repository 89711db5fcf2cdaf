/*
** embed.c: migrations compiled into a device application, no files.
**
** Build against an installed migrate (or, with PKG_CONFIG_PATH pointing
** at a build tree, against its migrate-uninstalled.pc):
**
**     cc -o embed embed.c $(pkg-config --cflags --libs migrate)
**
** Usage: embed DB [TARGET]
**   Upgrades DB to TARGET (default "head"), refusing any migration that
**   would lose data, then prints the current revision, the pending count
**   and migrate_verify()'s report. A TARGET starting with "-" or "base"
**   downgrades instead. Exit status 0 on success, 1 on any error.
*/
#include <stdio.h>
#include <string.h>
#include "migrate.h"

/* The application's schema history, oldest first. */
static const sqlite3_migration aMigration[] = {
  { "0001", 0, "create notes",
    "CREATE TABLE note(id INTEGER PRIMARY KEY, body TEXT NOT NULL);",
    "DROP TABLE note;" },
  { "0002", "0001", "add created_at",
    "ALTER TABLE note ADD COLUMN created_at TEXT;",
    "ALTER TABLE note DROP COLUMN created_at;" },
  { "0003", "0002", "index bodies",
    "CREATE INDEX note_body ON note(body);",
    "DROP INDEX note_body;" },
};
#define N_MIGRATION (int)(sizeof(aMigration)/sizeof(aMigration[0]))

/* Log callback: the engine's progress lines, as Alembic words them. */
static void onLog(void *pArg, const char *zLine){
  fprintf((FILE*)pArg, "migrate: %s\n", zLine);
}

/* Confirm hook: this app never loses data on its own. */
static int onDataLoss(void *pArg, const char *zLines){
  fprintf((FILE*)pArg, "refusing:\n%s", zLines);
  return 1;
}

/* Print zErr (if any) as the reason of failure zWhat; returns 1. */
static int fail(const char *zWhat, char *zErr){
  fflush(stdout);
  fprintf(stderr, "embed: %s: %s\n", zWhat, zErr ? zErr : "unknown error");
  sqlite3_free(zErr);
  return 1;
}

int main(int argc, char **argv){
  const char *zTarget = argc>2 ? argv[2] : "head";
  sqlite3 *db = 0;
  char *zErr = 0, *zCur = 0, *zReport = 0;
  int n = 0, nPending = 0, rc;
  if( argc<2 || argc>3 ){
    fprintf(stderr, "usage: %s DB [TARGET]\n", argv[0]);
    return 1;
  }
  /* Every connection opened from now on has the migration engine (only
  ** it: sqlite3_migrate_init would add ALTER TABLE, backups ... and
  ** about twice the code; see docs/embedding.md). */
  sqlite3_auto_extension((void(*)(void))sqlite3_migrate_engine_init);
  if( sqlite3_open(argv[1], &db)!=SQLITE_OK ){
    fprintf(stderr, "embed: %s\n", sqlite3_errmsg(db));
    sqlite3_close(db);
    return 1;
  }
  sqlite3_busy_timeout(db, 5000);
  sqlite3_migrate_log(db, onLog, stdout);
  sqlite3_migrate_confirm(db, onDataLoss, stdout);
  rc = sqlite3_migrate_register(db, aMigration, N_MIGRATION, &zErr);
  if( rc!=SQLITE_OK ) return fail("register", zErr);
  if( zTarget[0]=='-' || strncmp(zTarget, "base", 4)==0 ){
    rc = sqlite3_migrate_downgrade(db, zTarget, &n, &zErr);
  }else{
    rc = sqlite3_migrate_upgrade(db, zTarget, &n, &zErr);
  }
  if( rc!=SQLITE_OK ) return fail(zTarget, zErr);
  if( sqlite3_migrate_current(db, &zCur, &zErr)
   || sqlite3_migrate_check(db, &nPending, &zErr)
   || sqlite3_migrate_verify(db, &zReport, &zErr) ){
    return fail("status", zErr);
  }
  printf("changed %d, current %s, pending %d, verify %s\n", n,
         zCur ? zCur : "base", nPending, zReport);
  sqlite3_free(zCur);
  sqlite3_free(zReport);
  sqlite3_close(db);
  return 0;
}
