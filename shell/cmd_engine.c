/*
** cmd_engine.c: the .migrate subcommands of the migration engine.
**
**   init [DIR]                 create the migrations directory
**   new MESSAGE                new revision file on top of the head
**   merge MESSAGE REV...       new revision merging REV... (e.g. heads)
**   current | heads | branches | history [-v] [-r RANGE] | show REV
**
** (upgrade, downgrade, stamp, check and verify are in cmd_run.c.)
** Output follows Alembic's ("a1b2 -> c3d4 (head), add status"). Errors
** go to stderr through migShellError().
*/
#include "shell_int.h"
#include "../ext/engine_int.h"
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

/* A loaded graph with the current revisions, for the reports below. */
typedef struct CmdGraph CmdGraph;
struct CmdGraph {
  MigGraph *g;
  int *aCur; int nCur;
  char *aApplied;
};

/* Load it; returns 1 after reporting an error. */
static int cmdLoad(MigShell *p, CmdGraph *c){
  char *zErr = 0;
  memset(c, 0, sizeof(*c));
  if( migEngineLoad(migConnGet(p->db), 0, p->db, &c->g, &c->aCur, &c->nCur,
                    &zErr) ){
    return cmdFail(p, zErr);
  }
  c->aApplied = sqlite3_malloc64(c->g->nRev+1);
  if( c->aApplied==0 ) return migShellError(p, "out of memory");
  memset(c->aApplied, 0, c->g->nRev+1);
  migGraphAncestors(c->g, c->aCur, c->nCur, c->aApplied);
  return 0;
}

/* Free what cmdLoad() loaded. */
static void cmdUnload(CmdGraph *c){
  migGraphFree(c->g);
  sqlite3_free(c->aCur);
  sqlite3_free(c->aApplied);
}

/* True if revision i is current. */
static int cmdIsCurrent(CmdGraph *c, int i){
  int k;
  for(k=0; k<c->nCur; k++) if( c->aCur[k]==i ) return 1;
  return 0;
}

/* " (labels) (head) (branchpoint) (mergepoint) (current)" of revision i */
static void cmdMarks(sqlite3_str *pStr, CmdGraph *c, int i){
  MigRev *r = &c->g->aRev[i];
  if( r->zLabels ) sqlite3_str_appendf(pStr, " (%s)", r->zLabels);
  if( r->nChild==0 ) sqlite3_str_appendall(pStr, " (head)");
  if( r->nChild>1 ) sqlite3_str_appendall(pStr, " (branchpoint)");
  if( r->nParent>1 ) sqlite3_str_appendall(pStr, " (mergepoint)");
  if( cmdIsCurrent(c, i) ) sqlite3_str_appendall(pStr, " (current)");
}

/* Parents of revision i as Alembic shows them: <base>, a, (a, b) */
static void cmdParents(sqlite3_str *pStr, CmdGraph *c, int i){
  MigRev *r = &c->g->aRev[i];
  int k;
  if( r->nParent==0 ){ sqlite3_str_appendall(pStr, "<base>"); return; }
  if( r->nParent>1 ) sqlite3_str_appendall(pStr, "(");
  for(k=0; k<r->nParent; k++){
    sqlite3_str_appendf(pStr, "%s%s", k ? ", " : "",
                        c->g->aRev[r->aParent[k]].zId);
  }
  if( r->nParent>1 ) sqlite3_str_appendall(pStr, ")");
}

/* Print revision i: one line, or Alembic's verbose block. */
static void cmdPrintRev(MigShell *p, CmdGraph *c, int i, int bVerbose){
  MigRev *r = &c->g->aRev[i];
  sqlite3_str *pStr = sqlite3_str_new(0);
  char *z;
  int k;
  if( !bVerbose ){
    cmdParents(pStr, c, i);
    sqlite3_str_appendf(pStr, " -> %s", r->zId);
    cmdMarks(pStr, c, i);
    sqlite3_str_appendf(pStr, ", %s", r->zMessage ? r->zMessage : "");
  }else{
    sqlite3_str_appendf(pStr, "Rev: %s", r->zId);
    cmdMarks(pStr, c, i);
    sqlite3_str_appendf(pStr, "\n%s: ", r->nParent>1 ? "Merges" : "Parent");
    cmdParents(pStr, c, i);
    if( r->nChild>1 ){
      sqlite3_str_appendall(pStr, "\nBranches into: ");
      for(k=0; k<r->nChild; k++){
        sqlite3_str_appendf(pStr, "%s%s", k ? ", " : "",
                            c->g->aRev[r->aChild[k]].zId);
      }
    }
    if( r->zDepends ) sqlite3_str_appendf(pStr, "\nDepends on: %s",
                                          r->zDepends);
    sqlite3_str_appendf(pStr, "\nPath: %s", r->zFile ? r->zFile
                        : r->eSource==MIG_SRC_HISTORY ? "(file gone; SQL "
                        "from migrate_history)" : "(registered)");
    if( r->zDate ) sqlite3_str_appendf(pStr, "\nCreate Date: %s", r->zDate);
    z = c->aApplied[i] ? migBookLast(p->db, r->zId, "at", 0) : 0;
    if( z ) sqlite3_str_appendf(pStr, "\nApplied: %s", z);
    sqlite3_free(z);
    sqlite3_str_appendf(pStr, "\n\n    %s\n", r->zMessage ? r->zMessage : "");
  }
  z = sqlite3_str_finish(pStr);
  if( z ) fprintf(p->out, "%s\n", z);
  sqlite3_free(z);
}

/* .migrate current [-v]: one line per current revision, "(head)" marked;
** with -v, Alembic's verbose block of each */
int migCmdCurrent(MigShell *p, int nArg, char **azArg){
  CmdGraph c;
  int k, bVerbose = nArg==2 && (strcmp(azArg[1], "-v")==0
                                || strcmp(azArg[1], "--verbose")==0);
  if( nArg!=1 && !bVerbose ){
    return migShellError(p, "usage: .migrate current [-v]");
  }
  if( cmdLoad(p, &c) ) return 1;
  for(k=0; k<c.nCur; k++){
    MigRev *r = &c.g->aRev[c.aCur[k]];
    if( bVerbose ){
      cmdPrintRev(p, &c, c.aCur[k], 1);
    }else{
      fprintf(p->out, "%s%s\n", r->zId, r->nChild==0 ? " (head)" : "");
    }
  }
  cmdUnload(&c);
  return 0;
}

/* .migrate heads: the heads of the scripts */
int migCmdHeads(MigShell *p, int nArg, char **azArg){
  CmdGraph c;
  int i;
  UNUSED(azArg);
  if( nArg!=1 ) return migShellError(p, "usage: .migrate heads");
  if( cmdLoad(p, &c) ) return 1;
  for(i=0; i<c.g->nRev; i++){
    int iRev = c.g->aOrder[i];
    MigRev *r = &c.g->aRev[iRev];
    if( r->nChild ) continue;
    if( r->zLabels ) fprintf(p->out, "%s (%s) (head)\n", r->zId, r->zLabels);
    else fprintf(p->out, "%s (head)\n", r->zId);
  }
  cmdUnload(&c);
  return 0;
}

/* .migrate branches: each branch point and the revisions it leads to */
int migCmdBranches(MigShell *p, int nArg, char **azArg){
  CmdGraph c;
  int i, k;
  UNUSED(azArg);
  if( nArg!=1 ) return migShellError(p, "usage: .migrate branches");
  if( cmdLoad(p, &c) ) return 1;
  for(i=c.g->nRev-1; i>=0; i--){
    int iRev = c.g->aOrder[i];
    MigRev *r = &c.g->aRev[iRev];
    if( r->nChild<2 ) continue;
    cmdPrintRev(p, &c, iRev, 0);
    for(k=0; k<r->nChild; k++){
      MigRev *pKid = &c.g->aRev[r->aChild[k]];
      sqlite3_str *pStr = sqlite3_str_new(0);
      char *z;
      sqlite3_str_appendf(pStr, "%*s -> %s", (int)strlen(r->zId), "",
                          pKid->zId);
      cmdMarks(pStr, &c, r->aChild[k]);
      sqlite3_str_appendf(pStr, ", %s", pKid->zMessage ? pKid->zMessage : "");
      z = sqlite3_str_finish(pStr);
      if( z ) fprintf(p->out, "%s\n", z);
      sqlite3_free(z);
    }
  }
  cmdUnload(&c);
  return 0;
}

/*
** Mark in aMark one end of a history range: from zSpec up (bUp) or from
** zSpec down. zSpec is a target, "current", or empty (everything).
** Returns 1 after reporting an error.
*/
static int cmdRangeEnd(MigShell *p, CmdGraph *c, const char *zSpec,
                       int bUp, char *aMark){
  int *aOut = 0, nOut = 0, iBranch = -1;
  char *zErr = 0;
  if( zSpec[0]==0 ){
    memset(aMark, 1, c->g->nRev);
    return 0;
  }
  if( strcmp(zSpec, "current")==0 ){
    aOut = c->aCur;
    nOut = c->nCur;
  }else if( migGraphResolve(c->g, zSpec, 0, c->aCur, c->nCur, &aOut, &nOut,
                            &iBranch, &zErr) ){
    return cmdFail(p, zErr);
  }
  if( bUp ){
    migGraphDescendants(c->g, aOut, nOut, aMark);
    if( nOut==0 ) memset(aMark, 1, c->g->nRev);
  }else{
    migGraphAncestors(c->g, aOut, nOut, aMark);
  }
  if( aOut!=c->aCur ) sqlite3_free(aOut);
  return 0;
}

/* .migrate history [-v] [-r START:END]: newest first */
int migCmdHistory(MigShell *p, int nArg, char **azArg){
  CmdGraph c;
  const char *zRange = 0;
  char *aFrom = 0, *aTo = 0, *zLo = 0;
  int i, bVerbose = 0, rc = 0;
  for(i=1; i<nArg; i++){
    if( strcmp(azArg[i], "-v")==0 || strcmp(azArg[i], "--verbose")==0 ){
      bVerbose = 1;
    }else if( strcmp(azArg[i], "-r")==0 && i+1<nArg && zRange==0 ){
      zRange = azArg[++i];
    }else{
      return migShellError(p, "usage: .migrate history [-v] [-r RANGE]");
    }
  }
  if( zRange && strchr(zRange, ':')==0 ){
    return migShellError(p, "History range requires [start]:[end], "
                         "[start]:, or :[end]");
  }
  if( cmdLoad(p, &c) ) return 1;
  aFrom = sqlite3_malloc64(c.g->nRev+1);
  aTo = sqlite3_malloc64(c.g->nRev+1);
  if( aFrom==0 || aTo==0 ) rc = migShellError(p, "out of memory");
  if( rc==0 ){
    const char *zColon = zRange ? strchr(zRange, ':') : 0;
    memset(aFrom, zRange==0, c.g->nRev+1);
    memset(aTo, zRange==0, c.g->nRev+1);
    if( zRange ){
      zLo = sqlite3_mprintf("%.*s", (int)(zColon-zRange), zRange);
      rc = cmdRangeEnd(p, &c, zLo ? zLo : "", 1, aFrom);
      if( rc==0 ) rc = cmdRangeEnd(p, &c, zColon+1, 0, aTo);
    }
  }
  for(i=c.g->nRev-1; rc==0 && i>=0; i--){
    int iRev = c.g->aOrder[i];
    if( aFrom[iRev] && aTo[iRev] ) cmdPrintRev(p, &c, iRev, bVerbose);
  }
  sqlite3_free(zLo);
  sqlite3_free(aFrom);
  sqlite3_free(aTo);
  cmdUnload(&c);
  return rc;
}

/* .migrate show REV: the verbose block of each revision REV names */
int migCmdShow(MigShell *p, int nArg, char **azArg){
  CmdGraph c;
  int *aOut = 0, nOut = 0, iBranch, i;
  char *zErr = 0;
  if( nArg!=2 ) return migShellError(p, "usage: .migrate show REV");
  if( cmdLoad(p, &c) ) return 1;
  if( migGraphResolve(c.g, azArg[1], 0, c.aCur, c.nCur, &aOut, &nOut,
                      &iBranch, &zErr) ){
    cmdUnload(&c);
    return cmdFail(p, zErr);
  }
  for(i=0; i<nOut; i++) cmdPrintRev(p, &c, aOut[i], 1);
  sqlite3_free(aOut);
  cmdUnload(&c);
  return 0;
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
** (the words are joined) */
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

/* True if zWord names revisions on its own (so it is not part of a
** merge message): heads/head, X@head, or an id or a prefix of 4 or more
** characters that resolves. */
static int cmdIsRevWord(CmdGraph *c, const char *zWord){
  int *aOut = 0, nOut = 0, iBranch, rc;
  char *zErr = 0;
  if( strcmp(zWord, "heads")==0 || strcmp(zWord, "head")==0 ) return 1;
  if( strchr(zWord, '@')==0 && strlen(zWord)<4 ) return 0;
  rc = migGraphResolve(c->g, zWord, 0, 0, 0, &aOut, &nOut, &iBranch, &zErr);
  sqlite3_free(aOut);
  sqlite3_free(zErr);
  return rc==SQLITE_OK && nOut>0;
}

/*
** The "Revises:" list of a merge of azRev[0..nRev-1], comma-separated
** (sqlite3_free), or NULL after reporting an error: every word resolved,
** duplicates refused as Alembic refuses them, fewer than two refused.
*/
static char *cmdMergeParents(MigShell *p, CmdGraph *c, int nRev,
                             char **azRev){
  char *aSeen = sqlite3_malloc64(c->g->nRev+1);
  sqlite3_str *pStr = sqlite3_str_new(0);
  int i, k, n = 0, bDup = 0, rc = SQLITE_OK;
  char *zErr = 0, *zOut;
  if( aSeen ) memset(aSeen, 0, c->g->nRev+1);
  for(i=0; aSeen && rc==SQLITE_OK && i<nRev; i++){
    int *aOut = 0, nOut = 0, iBranch;
    rc = migGraphResolve(c->g, azRev[i], 0, 0, 0, &aOut, &nOut, &iBranch,
                         &zErr);
    for(k=0; rc==SQLITE_OK && k<nOut; k++){
      if( aSeen[aOut[k]] ){ bDup = 1; continue; }
      aSeen[aOut[k]] = 1;
      sqlite3_str_appendf(pStr, "%s%s", n++ ? ", " : "",
                          c->g->aRev[aOut[k]].zId);
    }
    sqlite3_free(aOut);
  }
  sqlite3_free(aSeen);
  zOut = sqlite3_str_finish(pStr);
  if( rc!=SQLITE_OK || aSeen==0 ){
    cmdFail(p, zErr);
  }else if( bDup ){
    migShellError(p, "Duplicate head revisions specified");
  }else if( n<2 ){
    migShellError(p, "a merge needs two or more revisions; %s names only "
                  "%s (use .migrate new for a revision with one parent)",
                  nRev==1 ? azRev[0] : "that", zOut ? zOut : "");
  }else{
    return zOut;
  }
  sqlite3_free(zOut);
  return 0;
}

/* .migrate merge MESSAGE REV... | merge -m MESSAGE REV... (without -m,
** the trailing words that name revisions are the revisions) */
int migCmdMerge(MigShell *p, int nArg, char **azArg){
  static const char zUsage[] = "usage: .migrate merge [-m] MESSAGE REV...";
  char **azRest = sqlite3_malloc64(sizeof(char*)*(nArg+1));
  const char *zFlag;
  char *zMsg = 0, *zRevs = 0;
  int rc = 1, nRest = 0, bBad = 0, nMsg;
  CmdGraph c;
  if( azRest==0 ) return migShellError(p, "out of memory");
  zFlag = cmdMessageFlag(nArg-1, azArg+1, azRest, &nRest, &bBad);
  if( bBad || nRest<(zFlag ? 1 : 2) ){
    sqlite3_free(azRest);
    return migShellError(p, zUsage);
  }
  if( cmdLoad(p, &c) ){
    sqlite3_free(azRest);
    return 1;
  }
  nMsg = 0;
  if( zFlag==0 ){
    nMsg = nRest-1;
    while( nMsg>1 && cmdIsRevWord(&c, azRest[nMsg-1]) ) nMsg--;
    zMsg = cmdJoin(nMsg, azRest);
  }else{
    zMsg = sqlite3_mprintf("%s", zFlag);
  }
  zRevs = zMsg ? cmdMergeParents(p, &c, nRest-nMsg, azRest+nMsg) : 0;
  if( zMsg==0 ) migShellError(p, "out of memory");
  cmdUnload(&c);
  if( zRevs ) rc = cmdNewFile(p, zMsg, zRevs);
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
