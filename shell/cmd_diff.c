/*
** cmd_diff.c: the autogenerate subcommands of .migrate.
**
**   .migrate diff [SCHEMA_FILE] [--from-db] [--verbose]
**       prints the -- migrate:up and -- migrate:down sections taking the
**       scripts' head (or, with --from-db, the live database) to the
**       desired schema. Exit status as diff(1): 0 no difference, 1
**       differences printed, 2 error (run non-interactively, an error
**       exits at once with status 2; interactively it is an ordinary
**       failed command).
**   .migrate new --autogenerate [-m] MESSAGE, and new -m MESSAGE while
**       the schema file exists (Flask-Migrate's "flask db migrate -m")
**       a new revision with that diff as its sections (migCmdNew in
**       cmd_engine.c parses the words and calls migCmdNewAuto()).
**   .migrate apply [SCHEMA_FILE] [--dry-run] [--allow-data-loss]
**       the live database brought to the desired schema.
**   .migrate check also fails while the schema file differs from the
**       scripts' head (migCmdCheckSchema(), called by migCmdCheck).
** The schema file defaults to migDiffSchemaPath() (the "schema" setting,
** or schema.sql beside the migrations directory).
*/
#include "shell_int.h"
#include "../ext/migrate_run.h"
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Arguments of the three subcommands. */
typedef struct DiffArgs DiffArgs;
struct DiffArgs {
  char *zFile;                 /* Schema file (owned) */
  int bFromDb;                 /* --from-db */
  int bVerbose;                /* --verbose */
  int bDryRun;                 /* --dry-run */
  int bAllowLoss;              /* --allow-data-loss */
};

/* An error of .migrate diff: exit status 2 when not interactive. */
static int diffFail(MigShell *p, const char *zErr){
  migShellError(p, "%s", zErr ? zErr : "out of memory");
  if( !p->bInteractive ){
    fflush(p->out);
    exit(2);
  }
  return 1;
}

/* Parse options; azOpt lists the ones allowed. Returns 0 or 1 (usage). */
static int diffArgs(int nArg, char **azArg, const char *zOpts, DiffArgs *a){
  int i;
  memset(a, 0, sizeof(*a));
  for(i=1; i<nArg; i++){
    const char *z = azArg[i];
    if( z[0]=='-' && z[1]=='-' && strstr(zOpts, z)==0 ) return 1;
    if( strcmp(z, "--from-db")==0 ) a->bFromDb = 1;
    else if( strcmp(z, "--verbose")==0 ) a->bVerbose = 1;
    else if( strcmp(z, "--dry-run")==0 ) a->bDryRun = 1;
    else if( strcmp(z, "--allow-data-loss")==0 ) a->bAllowLoss = 1;
    else if( a->zFile ) return 1;
    else a->zFile = sqlite3_mprintf("%s", z);
  }
  return 0;
}

/* Read the desired schema named by a (or the default). *pzSql, or an
** error message in *pzErr. */
static int diffRead(MigShell *p, DiffArgs *a, char **pzSql, char **pzErr){
  int n = 0;
  if( a->zFile==0 ) a->zFile = migDiffSchemaPath(p->db);
  if( a->zFile==0 ) return SQLITE_NOMEM;
  *pzSql = migReadFile(a->zFile, &n, pzErr);
  return *pzSql ? SQLITE_OK : SQLITE_ERROR;
}

/* Read the schema file of a and compute the diff into *pD from the
** side eFrom (MIG_DIFF_*). SQLite code; *pzErr set on error. */
static int diffLoad(MigShell *p, DiffArgs *a, int eFrom, MigDiff *pD,
                    char **pzErr){
  char *zSql = 0;
  int rc = diffRead(p, a, &zSql, pzErr);
  if( rc==SQLITE_OK ){
    rc = migDiffCompute(p->db, zSql, a->zFile, eFrom, pD, pzErr);
  }
  sqlite3_free(zSql);
  return rc;
}

/* Free what a holds. */
static void diffArgsFree(DiffArgs *a){
  sqlite3_free(a->zFile);
}

/* End of a subcommand: free a, d and zErr; report zErr when rc is an
** error. Returns 0 or 1. */
static int diffDone(MigShell *p, DiffArgs *a, MigDiff *d, int rc,
                    char *zErr){
  migDiffClear(d);
  diffArgsFree(a);
  if( rc!=SQLITE_OK ){
    migShellError(p, "%s", zErr ? zErr : sqlite3_errstr(rc));
  }
  sqlite3_free(zErr);
  return rc!=SQLITE_OK;
}

/* Print the notes of fallbacks taken, when asked to. */
static void diffNotes(const DiffArgs *a, const MigDiff *d){
  if( a->bVerbose && d->zNote ) fprintf(stderr, "note: %s", d->zNote);
}

/* .migrate diff [SCHEMA_FILE] [--from-db] [--verbose] */
int migCmdDiff(MigShell *p, int nArg, char **azArg){
  DiffArgs a;
  MigDiff d;
  char *zErr = 0;
  int rc;
  memset(&d, 0, sizeof(d));
  if( diffArgs(nArg, azArg, "--from-db --verbose", &a) ){
    diffArgsFree(&a);
    return diffFail(p, "usage: .migrate diff [SCHEMA_FILE] [--from-db]");
  }
  rc = diffLoad(p, &a, a.bFromDb ? MIG_DIFF_DB : MIG_DIFF_HEAD, &d, &zErr);
  if( rc!=SQLITE_OK ){
    diffArgsFree(&a);
    rc = diffFail(p, zErr);
    sqlite3_free(zErr);
    return rc;
  }
  diffNotes(&a, &d);
  diffArgsFree(&a);
  if( d.nStmt==0 ){
    migDiffClear(&d);
    return 0;
  }
  fprintf(p->out, "-- migrate:up\n%s\n\n-- migrate:down\n%s\n", d.zUp,
          d.zDown);
  migDiffClear(&d);
  return 1;
}

/* Replace the empty sections of the new revision file zPath with d. */
static int diffWriteSections(MigShell *p, const char *zPath,
                             const MigDiff *d){
  static const char zUp[] = "-- migrate:up\n";
  char *zErr = 0, *zText, *zAt;
  int n = 0, bOk = 0;
  FILE *f;
  zText = migReadFile(zPath, &n, &zErr);
  if( zText==0 ){
    migShellError(p, "%s", zErr ? zErr : "out of memory");
    sqlite3_free(zErr);
    return 1;
  }
  zAt = strstr(zText, zUp);
  if( zAt ){
    f = fopen(zPath, "wb");
    if( f ){
      bOk = fprintf(f, "%.*s-- migrate:up\n%s\n\n-- migrate:down\n%s\n",
                    (int)(zAt-zText), zText, d->zUp, d->zDown)>0;
      if( fclose(f)!=0 ) bOk = 0;
    }
  }
  sqlite3_free(zText);
  if( !bOk ) return migShellError(p, "cannot write %s", zPath);
  return 0;
}

/* True when the desired schema file (migDiffSchemaPath()) exists. */
int migCmdSchemaFileExists(MigShell *p){
  char *zPath = migDiffSchemaPath(p->db);
  int bExists = zPath!=0 && access(zPath, F_OK)==0;
  sqlite3_free(zPath);
  return bExists;
}

/* .migrate new --autogenerate MESSAGE: azArg is {"new", flag, MESSAGE} */
int migCmdNewAuto(MigShell *p, int nArg, char **azArg){
  DiffArgs a;
  MigDiff d;
  char *zErr = 0, *zPath = 0;
  sqlite3_stmt *pStmt = 0;
  int rc;
  memset(&a, 0, sizeof(a));
  memset(&d, 0, sizeof(d));
  if( nArg<3 ){
    return migShellError(p, "usage: .migrate new --autogenerate MESSAGE");
  }
  rc = diffLoad(p, &a, MIG_DIFF_HEAD, &d, &zErr);
  if( rc==SQLITE_OK && d.nStmt==0 ){
    fprintf(p->out, "No changes in schema detected.\n");
  }else if( rc==SQLITE_OK ){
    rc = sqlite3_prepare_v2(p->db, "SELECT migrate_new(?1)", -1, &pStmt, 0);
    if( rc==SQLITE_OK ){
      sqlite3_bind_text(pStmt, 1, azArg[2], -1, SQLITE_STATIC);
      if( sqlite3_step(pStmt)==SQLITE_ROW ){
        zPath = sqlite3_mprintf("%s", sqlite3_column_text(pStmt, 0));
      }
      rc = sqlite3_finalize(pStmt);
    }
    if( rc!=SQLITE_OK ) zErr = sqlite3_mprintf("%s", sqlite3_errmsg(p->db));
    if( rc==SQLITE_OK && zPath ){
      rc = diffWriteSections(p, zPath, &d);
      if( rc==0 ){
        fprintf(p->out, "Generating %s ... done\n", zPath);
        if( d.zLossUp ) fprintf(p->out, "%s", d.zLossUp);
      }
      sqlite3_free(zPath);
      diffDone(p, &a, &d, SQLITE_OK, 0);
      return rc;
    }
  }
  return diffDone(p, &a, &d, rc, zErr);
}

/* .migrate apply [SCHEMA_FILE] [--dry-run] [--allow-data-loss] */
int migCmdApply(MigShell *p, int nArg, char **azArg){
  DiffArgs a;
  MigDiff d;
  char *zSql = 0, *zErr = 0;
  int rc;
  memset(&d, 0, sizeof(d));
  if( diffArgs(nArg, azArg, "--dry-run --allow-data-loss --verbose", &a) ){
    diffArgsFree(&a);
    return migShellError(p, "usage: .migrate apply [SCHEMA_FILE] "
                         "[--dry-run] [--allow-data-loss]");
  }
  rc = diffRead(p, &a, &zSql, &zErr);
  if( rc==SQLITE_OK ){
    rc = migDiffApply(p->db, zSql, a.zFile, a.bAllowLoss, a.bDryRun, &d,
                      &zErr);
  }
  sqlite3_free(zSql);
  if( rc==SQLITE_OK ){
    diffNotes(&a, &d);
    if( d.nStmt==0 ){
      fprintf(p->out, "No changes in schema detected.\n");
    }else if( a.bDryRun ){
      fprintf(p->out, "%s\n", d.zUp);
    }else{
      fprintf(p->out, "Applied %s: %d statement%s\n", a.zFile, d.nStmt,
              d.nStmt==1 ? "" : "s");
      if( d.zLossUp ) fprintf(p->out, "%s", d.zLossUp);
    }
  }
  return diffDone(p, &a, &d, rc, zErr);
}

/*
** For .migrate check: 0 when there is no schema file or it has no
** difference from the scripts' head, else 1 after reporting it.
*/
int migCmdCheckSchema(MigShell *p){
  DiffArgs a;
  MigDiff d;
  char *zErr = 0;
  int rc;
  memset(&a, 0, sizeof(a));
  memset(&d, 0, sizeof(d));
  a.zFile = migDiffSchemaPath(p->db);
  if( a.zFile==0 ) return migShellError(p, "out of memory");
  if( access(a.zFile, F_OK)!=0 ){
    diffArgsFree(&a);
    return 0;
  }
  rc = diffLoad(p, &a, MIG_DIFF_HEAD, &d, &zErr);
  if( rc==SQLITE_OK && d.nStmt>0 ){
    zErr = sqlite3_mprintf("%s differs from the migrations' head (see "
                           ".migrate diff)", a.zFile);
    rc = SQLITE_ERROR;
  }
  return diffDone(p, &a, &d, rc, zErr);
}
