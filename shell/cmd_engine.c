/*
** cmd_engine.c: the .migrate subcommands of the migration engine.
**
**   init [DIR]                 create the migrations directory
**   new MESSAGE                new revision file on top of the head
**   merge MESSAGE REV...       new revision merging REV... (e.g. heads)
**   current [-v] | heads | branches | history [-v] [-i] [-r RANGE]
**   show REV
**
** (upgrade, downgrade, stamp, check and verify are in cmd_run.c.)
** Output follows Alembic's ("a1b2 -> c3d4 (head), add status"): the
** engine writes the reports (migRunReport(), ext/report.c) and resolves a
** merge's revisions (migRunMerge()); this file parses the words and
** prints. Errors go to stderr through migShellError().
*/
#include "shell_int.h"
#include "../ext/migrate_run.h"
#include <string.h>
#include <sys/stat.h>
#include <dirent.h>
#include <errno.h>

/* Report an engine error (freeing it); returns 1. */
static int cmdFail(MigShell *p, char *zErr){
  migShellError(p, "%s", zErr ? zErr : "out of memory");
  sqlite3_free(zErr);
  return 1;
}

/****************************** Reporting **********************************/

/* Print report eReport (MIG_REPORT_*, migrate_run.h) of the connection;
** returns 0, or 1 after reporting the engine's error. */
static int cmdReport(MigShell *p, int eReport, int eFlags, const char *zArg){
  char *zOut = 0, *zErr = 0;
  if( migRunReport(p->db, eReport, eFlags, zArg, &zOut, &zErr) ){
    return cmdFail(p, zErr);
  }
  if( zOut ) fputs(zOut, p->out);
  sqlite3_free(zOut);
  return 0;
}

/* True if azArg[i] is -v or --verbose. */
static int cmdIsVerbose(char **azArg, int i){
  return strcmp(azArg[i], "-v")==0 || strcmp(azArg[i], "--verbose")==0;
}

/*
** .migrate current [-v]: as Alembic's, the branch tips of what is applied
** (the version rows and everything below them), "(head)" marked; with
** -v, Alembic's verbose block of each.
*/
int migCmdCurrent(MigShell *p, int nArg, char **azArg){
  int bVerbose = nArg==2 && cmdIsVerbose(azArg, 1);
  if( nArg!=1 && !bVerbose ){
    return migShellError(p, "usage: .migrate current [-v]");
  }
  return cmdReport(p, MIG_REPORT_CURRENT, bVerbose ? MIG_REPORT_VERBOSE : 0,
                   0);
}

/* .migrate heads: the heads of the scripts, labels and (head) shown */
int migCmdHeads(MigShell *p, int nArg, char **azArg){
  UNUSED(azArg);
  if( nArg!=1 ) return migShellError(p, "usage: .migrate heads");
  return cmdReport(p, MIG_REPORT_HEADS, 0, 0);
}

/* .migrate branches: each branch point, newest first, and its children */
int migCmdBranches(MigShell *p, int nArg, char **azArg){
  UNUSED(azArg);
  if( nArg!=1 ) return migShellError(p, "usage: .migrate branches");
  return cmdReport(p, MIG_REPORT_BRANCHES, 0, 0);
}

/* .migrate history [-v] [-i] [-r START:END]: newest first */
int migCmdHistory(MigShell *p, int nArg, char **azArg){
  const char *zRange = 0;
  int i, eFlags = 0;
  for(i=1; i<nArg; i++){
    if( cmdIsVerbose(azArg, i) ){
      eFlags |= MIG_REPORT_VERBOSE;
    }else if( strcmp(azArg[i], "-i")==0
           || strcmp(azArg[i], "--indicate-current")==0 ){
      eFlags |= MIG_REPORT_INDICATE;
    }else if( strcmp(azArg[i], "-r")==0 && i+1<nArg && zRange==0 ){
      zRange = azArg[++i];
    }else{
      return migShellError(p, "usage: .migrate history [-v] [-i] [-r RANGE]");
    }
  }
  return cmdReport(p, MIG_REPORT_HISTORY, eFlags, zRange);
}

/* .migrate show REV: the verbose block of each revision REV names */
int migCmdShow(MigShell *p, int nArg, char **azArg){
  if( nArg!=2 ) return migShellError(p, "usage: .migrate show REV");
  return cmdReport(p, MIG_REPORT_SHOW, 0, azArg[1]);
}

/**************************** Creating files *******************************/

/* Join azArg[0..nArg-1] with spaces (sqlite3_free). */
static char *cmdJoin(int nArg, char **azArg){
  sqlite3_str *pStr = sqlite3_str_new(0);
  int i;
  for(i=0; i<nArg; i++) sqlite3_str_appendf(pStr, "%s%s", i?" ":"", azArg[i]);
  return sqlite3_str_finish(pStr);
}

/* migrate_new(zMsg [, zRevises]) and print where the file went. */
static int cmdNewFile(MigShell *p, const char *zMsg, const char *zRevises){
  sqlite3_stmt *pStmt = 0;
  int rc = sqlite3_prepare_v2(p->db, zRevises ? "SELECT migrate_new(?1, ?2)"
                              : "SELECT migrate_new(?1)", -1, &pStmt, 0);
  if( rc==SQLITE_OK ){
    sqlite3_bind_text(pStmt, 1, zMsg, -1, SQLITE_STATIC);
    if( zRevises ) sqlite3_bind_text(pStmt, 2, zRevises, -1, SQLITE_STATIC);
    if( sqlite3_step(pStmt)==SQLITE_ROW ){
      fprintf(p->out, "Generating %s ... done\n",
              (const char*)sqlite3_column_text(pStmt, 0));
    }
    rc = sqlite3_finalize(pStmt);
  }
  if( rc!=SQLITE_OK ) return migShellError(p, "%s", sqlite3_errmsg(p->db));
  return 0;
}

/*
** Split the words of new/merge: "-m MSG" (or --message MSG) gives the
** message, every other word goes to azRest; returns the -m value, or 0.
** *pbBad is set when -m has no value or is given twice.
*/
static const char *cmdMessageFlag(int nArg, char **azArg, char **azRest,
                                  int *pnRest, int *pbBad){
  const char *zMsg = 0;
  int i;
  *pnRest = 0;
  *pbBad = 0;
  for(i=0; i<nArg; i++){
    if( strcmp(azArg[i], "-m")==0 || strcmp(azArg[i], "--message")==0 ){
      if( i+1>=nArg || zMsg ) *pbBad = 1;
      else zMsg = azArg[++i];
    }else{
      azRest[(*pnRest)++] = azArg[i];
    }
  }
  return zMsg;
}

/* .migrate new [--autogenerate] MESSAGE | new [--autogenerate] -m MESSAGE
** (the words are joined). "-m MESSAGE" autogenerates while the desired
** schema file exists, as Flask-Migrate's "flask db migrate -m" does, and
** is only the message otherwise (Alembic's "revision -m"); the words
** without -m always write an empty revision. */
int migCmdNew(MigShell *p, int nArg, char **azArg){
  char **azRest = sqlite3_malloc64(sizeof(char*)*(nArg+1));
  const char *zFlag;
  char *zMsg;
  int rc, nRest = 0, bBad = 0, bAuto = 0;
  if( azRest==0 ) return migShellError(p, "out of memory");
  zFlag = cmdMessageFlag(nArg-1, azArg+1, azRest, &nRest, &bBad);
  if( nRest>0 && strcmp(azRest[0], "--autogenerate")==0 ){
    bAuto = 1;
    memmove(azRest, azRest+1, sizeof(char*)*(--nRest));
  }
  if( bBad || (zFlag==0 && nRest==0) || (zFlag && nRest>0) ){
    sqlite3_free(azRest);
    return migShellError(p, "usage: .migrate new [--autogenerate] [-m] "
                         "MESSAGE");
  }
  if( zFlag && !bAuto && migCmdSchemaFileExists(p) ) bAuto = 1;
  zMsg = zFlag ? sqlite3_mprintf("%s", zFlag) : cmdJoin(nRest, azRest);
  if( zMsg && bAuto ){
    /* Alembic's revision --autogenerate -m MSG: cmd_diff.c writes it. */
    static char zAutoFlag[] = "--autogenerate";
    char *azAuto[3];
    azAuto[0] = azArg[0];
    azAuto[1] = zAutoFlag;
    azAuto[2] = zMsg;
    rc = migCmdNewAuto(p, 3, azAuto);
  }else{
    rc = zMsg ? cmdNewFile(p, zMsg, 0) : migShellError(p, "out of memory");
  }
  sqlite3_free(zMsg);
  sqlite3_free(azRest);
  return rc;
}

/* .migrate merge MESSAGE REV... | merge -m MESSAGE REV... (without -m,
** the trailing words that name revisions are the revisions) */
int migCmdMerge(MigShell *p, int nArg, char **azArg){
  static const char zUsage[] = "usage: .migrate merge [-m] MESSAGE REV...";
  char **azRest = sqlite3_malloc64(sizeof(char*)*(nArg+1));
  const char *zFlag;
  char *zMsg = 0, *zRevs = 0, *zErr = 0;
  int rc = 1, nRest = 0, bBad = 0, nMsg = 0;
  if( azRest==0 ) return migShellError(p, "out of memory");
  zFlag = cmdMessageFlag(nArg-1, azArg+1, azRest, &nRest, &bBad);
  if( bBad || nRest<(zFlag ? 1 : 2) ){
    sqlite3_free(azRest);
    return migShellError(p, zUsage);
  }
  if( migRunMerge(p->db, nRest, azRest, zFlag!=0, &nMsg, &zRevs, &zErr) ){
    cmdFail(p, zErr);
  }else{
    zMsg = zFlag ? sqlite3_mprintf("%s", zFlag) : cmdJoin(nMsg, azRest);
    if( zMsg==0 ) migShellError(p, "out of memory");
  }
  if( zMsg && zRevs ) rc = cmdNewFile(p, zMsg, zRevs);
  sqlite3_free(zMsg);
  sqlite3_free(zRevs);
  sqlite3_free(azRest);
  return rc;
}

/* True if directory zDir holds anything but "." and "..". */
static int cmdDirUsed(const char *zDir){
  DIR *d = opendir(zDir);
  struct dirent *pEnt;
  int bUsed = 0;
  if( d==0 ) return 0;
  while( !bUsed && (pEnt = readdir(d))!=0 ){
    if( strcmp(pEnt->d_name, ".") && strcmp(pEnt->d_name, "..") ) bUsed = 1;
  }
  closedir(d);
  return bUsed;
}

/*
** Create directory zDir and any parents it lacks (as mkdir -p); returns 0,
** or 1 after reporting which part could not be made and why.
*/
static int cmdMakeDirs(MigShell *p, const char *zDir){
  char *zPath = sqlite3_mprintf("%s", zDir);
  size_t i, n;
  int rc = 0;
  if( zPath==0 ) return migShellError(p, "out of memory");
  n = strlen(zPath);
  for(i=1; rc==0 && i<=n; i++){
    struct stat st;
    char c = zPath[i];
    if( c!='/' && c!=0 ) continue;
    zPath[i] = 0;
    if( stat(zPath, &st)==0 ){
      if( !S_ISDIR(st.st_mode) ){
        rc = i==n ? migShellError(p, "cannot create directory %s: a file of "
                                  "that name exists", zDir)
                  : migShellError(p, "cannot create directory %s: %s is a "
                                  "file, not a directory", zDir, zPath);
      }
    }else if( mkdir(zPath, 0777)!=0 ){
      rc = i==n ? migShellError(p, "cannot create directory %s: %s", zDir,
                                strerror(errno))
                : migShellError(p, "cannot create directory %s: cannot "
                                "create %s: %s", zDir, zPath, strerror(errno));
    }
    zPath[i] = c;
  }
  sqlite3_free(zPath);
  return rc;
}

/* .migrate init [DIR]: create DIR and its parents; when DIR is given,
** use it and save it in the project file */
int migCmdInit(MigShell *p, int nArg, char **azArg){
  const char *zDir;
  struct stat st;
  if( nArg>2 ) return migShellError(p, "usage: .migrate init [DIR]");
  zDir = nArg==2 ? azArg[1] : migConnDir(migConnGet(p->db));
  if( stat(zDir, &st)==0 ){
    if( !S_ISDIR(st.st_mode) ){
      return migShellError(p, "cannot create directory %s: a file of that "
                           "name exists", zDir);
    }
    if( cmdDirUsed(zDir) ){
      return migShellError(p, "Directory %s already exists and is not empty",
                           zDir);
    }
  }else if( cmdMakeDirs(p, zDir) ){
    return 1;
  }else{
    fprintf(p->out, "Creating directory %s ... done\n", zDir);
  }
  if( nArg==2 ){
    MigConn *pConn = migConnGet(p->db);
    char *zErr = 0;
    if( migConfigSet(pConn, "dir", zDir, &zErr)
     || migConfigSave(pConn, "dir", zDir, &zErr) ){
      migShellError(p, "%s", zErr ? zErr : "out of memory");
      sqlite3_free(zErr);
      return 1;
    }
    fprintf(p->out, "Saving dir = %s in %s ... done\n", zDir,
            MIG_CONFIG_FILE);
  }
  return 0;
}
