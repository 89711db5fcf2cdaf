/*
** migrate_shell.c: the ".migrate" dot-command of sqlite3-migrate.
**
** migrateDotCommand() looks its first word up in aCmd[] (unique prefixes
** accepted, as the shell does for dot-commands) and calls the handler.
** ".migrate help" prints the table. Handlers live in cmd_*.c.
*/
#include "shell_int.h"
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static int shellCmdHelp(MigShell *p, int nArg, char **azArg);

/* The subcommands, in the order ".migrate help" lists them. */
static const struct MigCmd {
  const char *zName;           /* Subcommand name */
  MigCmdFunc xCmd;             /* Handler */
  const char *zUsage;          /* Arguments, for help and usage errors */
  const char *zHelp;           /* One line of help */
} aCmd[] = {
  { "init", migCmdInit, "[DIR]", "Create the migrations directory" },
  { "new", migCmdNew, "[-m] MESSAGE | --autogenerate [-m] MESSAGE",
    "Create a new revision file on the head (--autogenerate: from the "
    "schema file)" },
  { "merge", migCmdMerge, "[-m] MESSAGE REV...",
    "Create a revision merging REVs" },
  { "upgrade", migCmdUpgrade,
    "[TARGET] [--sql] [--yes] [--backup FILE] [--dry-run]",
    "Apply migrations up to TARGET (head)" },
  { "downgrade", migCmdDowngrade, "TARGET [--sql] [--yes]",
    "Revert migrations down to TARGET" },
  { "current", migCmdCurrent, "[-v]", "Show the current revision(s)" },
  { "heads", migCmdHeads, "", "Show the head revision(s) of the scripts" },
  { "branches", migCmdBranches, "", "Show the branch points" },
  { "history", migCmdHistory, "[-v] [-i] [-r RANGE]",
    "List revisions, newest first" },
  { "show", migCmdShow, "REV", "Show one revision" },
  { "stamp", migCmdStamp, "TARGET", "Set the current revision; run nothing" },
  { "check", migCmdCheck, "",
    "Exit 0 up to date, 1 pending or the schema file differs, 2 errors" },
  { "diff", migCmdDiff, "[SCHEMA_FILE] [--from-db]",
    "Print the migration to the schema file (exit 1 if any)" },
  { "apply", migCmdApply, "[SCHEMA_FILE] [--dry-run] [--allow-data-loss]",
    "Bring the database straight to the schema file" },
  { "verify", migCmdVerify, "", "Check files, history and the database" },
  { "test", migCmdTest, "[TARGET] [--with-data] [--strict]",
    "Test every up and down on a scratch copy" },
  { "backup", migCmdBackup, "FILE | --tables [--prefix P]",
    "Snapshot the database, or copy every table" },
  { "backups", migCmdBackups, "[--drop [OLDER_THAN]]",
    "List table backups, or drop them" },
  { "restore", migCmdRestore, "FILE [--yes]",
    "Replace the database with a checked backup" },
  { "config", migCmdConfig, "[KEY [VALUE]] | --unset KEY",
    "Show, change and save a setting" },
  { "alter", migCmdAlter, "TABLE CLAUSE...",
    "ALTER TABLE without loss: each CLAUSE quoted" },
  { "fleet", migCmdFleet, "upgrade|status [TARGET] [OPTIONS] DB...",
    "Upgrade or survey many databases at once" },
  { "dir",  migCmdDir,  "[PATH]", "Show or set the migrations directory" },
  { "version", migCmdVersion, "", "Show the versions of migrate and SQLite" },
  { "help", shellCmdHelp, "",       "Show this message" },
};

/* Write "PREFIX<message>\n" to stderr, after what is pending on out. */
static void shellStderr(MigShell *p, const char *zPrefix,
                        const char *zFormat, va_list ap){
  fflush(p->out);
  if( p->out!=stdout ) fflush(stdout);
  fprintf(stderr, "%s", zPrefix);
  vfprintf(stderr, zFormat, ap);
  fprintf(stderr, "\n");
  fflush(stderr);
}

int migShellError(MigShell *p, const char *zFormat, ...){
  va_list ap;
  va_start(ap, zFormat);
  shellStderr(p, "Error: ", zFormat, ap);
  va_end(ap);
  return 1;
}

void migShellNote(MigShell *p, const char *zFormat, ...){
  va_list ap;
  va_start(ap, zFormat);
  shellStderr(p, "", zFormat, ap);
  va_end(ap);
}

const char *migShellSubcommand(int i){
  if( i<0 || (size_t)i>=sizeof(aCmd)/sizeof(aCmd[0]) ) return 0;
  return aCmd[i].zName;
}

int migShellExit(MigShell *p, int rc, int iStatus){
  if( rc==0 || p->bInteractive ) return rc;
  fflush(p->out);
  fflush(stdout);
  fflush(stderr);
  exit(iStatus);
}

/* .migrate version (also --version): this extension's and SQLite's. */
int migCmdVersion(MigShell *p, int nArg, char **azArg){
  UNUSED(azArg);
  if( nArg!=1 ) return migShellError(p, "usage: .migrate version");
  fprintf(p->out, "migrate %s (SQLite %s)\n", MIG_VERSION,
          sqlite3_libversion());
  return 0;
}

/* "ambiguous subcommand: X (could be A, B)"; returns 1. */
static int shellAmbiguous(MigShell *p, const char *zWord){
  sqlite3_str *pStr = sqlite3_str_new(0);
  size_t i, n = strlen(zWord);
  char *z;
  for(i=0; i<sizeof(aCmd)/sizeof(aCmd[0]); i++){
    if( strncmp(aCmd[i].zName, zWord, n)==0 ){
      sqlite3_str_appendf(pStr, "%s%s", sqlite3_str_length(pStr) ? ", " : "",
                          aCmd[i].zName);
    }
  }
  z = sqlite3_str_finish(pStr);
  migShellError(p, "ambiguous subcommand: %s (could be %s)", zWord,
                z ? z : "");
  sqlite3_free(z);
  return 1;
}

int migShellQuery(MigShell *p, const char *zFmt, ...){
  va_list ap;
  sqlite3_stmt *pStmt = 0;
  int rc;
  va_start(ap, zFmt);
  rc = migPrepareV(p->db, &pStmt, zFmt, ap);
  va_end(ap);
  while( rc==SQLITE_OK && sqlite3_step(pStmt)==SQLITE_ROW ){
    const char *z = (const char*)sqlite3_column_text(pStmt, 0);
    if( z ) fprintf(p->out, "%s\n", z);
  }
  if( rc==SQLITE_OK ) rc = sqlite3_finalize(pStmt);
  if( rc==SQLITE_NOMEM ) return migShellError(p, "out of memory");
  if( rc!=SQLITE_OK ) return migShellError(p, "%s", sqlite3_errmsg(p->db));
  return 0;
}

/* .migrate help: one line per subcommand. */
static int shellCmdHelp(MigShell *p, int nArg, char **azArg){
  size_t i;
  UNUSED(nArg); UNUSED(azArg);
  fprintf(p->out, "Usage: .migrate SUBCOMMAND [ARGS...]\n");
  for(i=0; i<sizeof(aCmd)/sizeof(aCmd[0]); i++){
    char *z = sqlite3_mprintf("%s %s", aCmd[i].zName, aCmd[i].zUsage);
    const char *zUse = z ? z : aCmd[i].zName;
    if( strlen(zUse)>28 ){
      /* A long usage gets a line of its own; the help goes below it. */
      fprintf(p->out, "  %s\n  %-28s %s\n", zUse, "", aCmd[i].zHelp);
    }else{
      fprintf(p->out, "  %-28s %s\n", zUse, aCmd[i].zHelp);
    }
    sqlite3_free(z);
  }
  fprintf(p->out, "Upgrade, downgrade, stamp, current, heads, history, "
          "check and verify take\n  --remote dqlite://HOST:PORT[,...]/NAME "
          "(a dqlite cluster, docs/replicated.md)\n");
  return 0;
}

int migrateDotCommand(sqlite3 *db, FILE *out, int bInteractive,
                      char **azArg, int nArg){
  MigShell s;
  size_t i, n;
  const struct MigCmd *pFound = 0;
  int rc;
  s.db = db;
  s.out = out;
  migShellCompleteDb(db);
  s.bInteractive = bInteractive;
  s.bLossShown = 0;
  s.bYes = 0;
  s.eConfirm = 0;
  s.zVerb = "";
  s.pRemote = 0;
  if( nArg<2 ){
    shellCmdHelp(&s, nArg, azArg);
    return 1;
  }
  if( strcmp(azArg[1], "--version")==0 ) return migCmdVersion(&s, 1, azArg+1);
  n = strlen(azArg[1]);
  for(i=0; i<sizeof(aCmd)/sizeof(aCmd[0]); i++){
    if( strncmp(aCmd[i].zName, azArg[1], n)!=0 ) continue;
    if( strlen(aCmd[i].zName)==n ){ pFound = &aCmd[i]; break; }
    if( pFound ) return shellAmbiguous(&s, azArg[1]);
    pFound = &aCmd[i];
  }
  if( pFound==0 || n==0 ){
    return migShellError(&s,
        "unknown subcommand: %s (try \".migrate help\")", azArg[1]);
  }
  if( pFound->xCmd!=shellCmdHelp && pFound->xCmd!=migCmdVersion
   && migConfigError(migConnGet(db)) ){
    /* A refused project file: say so before anything uses settings. */
    return migShellError(&s, "%s", migConfigError(migConnGet(db)));
  }
  rc = migShellRemote(&s, pFound->xCmd, nArg-1, azArg+1);
  return rc>=0 ? rc : pFound->xCmd(&s, nArg-1, azArg+1);
}

/* Auto-extension: remember the connection just opened for completion. */
static int shellSeeDb(sqlite3 *db, char **pzErr, const void *pApi){
  UNUSED(pzErr); UNUSED(pApi);
  migShellCompleteDb(db);
  return SQLITE_OK;
}

void migrateShellInit(void){
  sqlite3_auto_extension((void(*)(void))sqlite3_migrate_init);
  sqlite3_auto_extension((void(*)(void))shellSeeDb);
  migShellCompleteInit();
  sqlite3_initialize();
}
