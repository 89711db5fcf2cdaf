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
** Output follows Alembic's ("a1b2 -> c3d4 (head), add status"): current,
** heads, branches and history print what Alembic's commands print,
** decorations and labels included, in the graph's topological order.
** Errors go to stderr through migShellError().
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
  if( migEngineApplied(c->g, c->aCur, c->nCur, &c->aApplied) ){
    return migShellError(p, "out of memory");
  }
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

/* Append the ids of aIdx (nIdx) joined by ", ". */
static void cmdIdList(sqlite3_str *pStr, CmdGraph *c, const int *aIdx,
                      int nIdx){
  int k;
  for(k=0; k<nIdx; k++){
    sqlite3_str_appendf(pStr, "%s%s", k ? ", " : "", c->g->aRev[aIdx[k]].zId);
  }
}

/* Append a comma-separated header list ("a,b" or "a b") as "a, b". */
static void cmdCommaList(sqlite3_str *pStr, const char *z){
  int n = 0;
  while( z && *z ){
    int k;
    while( *z==' ' || *z==',' ) z++;
    for(k=0; z[k] && z[k]!=',' && z[k]!=' '; k++){}
    if( k ) sqlite3_str_appendf(pStr, "%s%.*s", n++ ? ", " : "", k, z);
    z += k;
  }
}

/* Parents of revision i as Alembic shows them: <base>, a, a, b */
static void cmdParents(sqlite3_str *pStr, CmdGraph *c, int i){
  MigRev *r = &c->g->aRev[i];
  if( r->nParent==0 ) sqlite3_str_appendall(pStr, "<base>");
  else cmdIdList(pStr, c, r->aParent, r->nParent);
}

/* Flags of cmdHeadOnly() */
#define CMD_LABELS  0x01       /* " (labels)" */
#define CMD_DOC     0x02       /* ", message" */
#define CMD_PARENTS 0x04       /* "parents (deps) -> " before the id */
#define CMD_TREE    0x08       /* " (branchpoint)", " (mergepoint)" */
#define CMD_CURRENT 0x10       /* " (current)" on current revisions */

/*
** Revision i on one line as Alembic's Script._head_only() prints it:
** "[PARENTS [(DEPS)] -> ]ID[ (LABELS)][ (head)|(effective head)]
** [ (current)][ (branchpoint)][ (mergepoint)][, MESSAGE]".
*/
static void cmdHeadOnly(sqlite3_str *pStr, CmdGraph *c, int i, int eFlags){
  MigRev *r = &c->g->aRev[i];
  if( eFlags & CMD_PARENTS ){
    cmdParents(pStr, c, i);
    if( r->zDepends ){
      sqlite3_str_appendall(pStr, " (");
      cmdCommaList(pStr, r->zDepends);
      sqlite3_str_appendall(pStr, ")");
    }
    sqlite3_str_appendall(pStr, " -> ");
  }
  sqlite3_str_appendall(pStr, r->zId);
  if( eFlags & CMD_LABELS ){
    char *zLab = migGraphLabelList(c->g, i);
    if( zLab ) sqlite3_str_appendf(pStr, " (%s)", zLab);
    sqlite3_free(zLab);
  }
  if( migGraphIsRealHead(c->g, i) ){
    sqlite3_str_appendall(pStr, " (head)");
  }else if( migGraphIsHead(c->g, i) ){
    sqlite3_str_appendall(pStr, " (effective head)");
  }
  if( (eFlags & CMD_CURRENT) && cmdIsCurrent(c, i) ){
    sqlite3_str_appendall(pStr, " (current)");
  }
  if( eFlags & CMD_TREE ){
    if( r->nChild>1 ) sqlite3_str_appendall(pStr, " (branchpoint)");
    if( r->nParent>1 ) sqlite3_str_appendall(pStr, " (mergepoint)");
  }
  if( eFlags & CMD_DOC ){
    sqlite3_str_appendf(pStr, ", %s", r->zMessage ? r->zMessage : "");
  }
}

/* Alembic's Script.log_entry: the verbose block of revision i. */
static void cmdLogEntry(MigShell *p, sqlite3_str *pStr, CmdGraph *c, int i,
                        int eFlags){
  MigRev *r = &c->g->aRev[i];
  char *zLab = migGraphLabelList(c->g, i), *z;
  sqlite3_str_appendf(pStr, "Rev: %s%s%s%s%s\n", r->zId,
      migGraphIsHead(c->g, i) ? " (head)" : "",
      r->nChild>1 ? " (branchpoint)" : "", r->nParent>1 ? " (mergepoint)" : "",
      (eFlags & CMD_CURRENT) && cmdIsCurrent(c, i) ? " (current)" : "");
  sqlite3_str_appendall(pStr, r->nParent>1 ? "Merges: " : "Parent: ");
  cmdParents(pStr, c, i);
  if( r->zDepends ){
    sqlite3_str_appendall(pStr, "\nAlso depends on: ");
    cmdCommaList(pStr, r->zDepends);
  }
  if( r->nChild>1 ){
    sqlite3_str_appendall(pStr, "\nBranches into: ");
    cmdIdList(pStr, c, r->aChild, r->nChild);
  }
  if( zLab ) sqlite3_str_appendf(pStr, "\nBranch names: %s", zLab);
  sqlite3_free(zLab);
  sqlite3_str_appendf(pStr, "\nPath: %s\n\n    %s\n", r->zFile ? r->zFile
                      : r->eSource==MIG_SRC_HISTORY ? "(file gone; SQL "
                      "from migrate_history)" : "(registered)",
                      r->zMessage ? r->zMessage : "");
  sqlite3_str_appendf(pStr, "    \n    Revision ID: %s\n    Revises: ",
                      r->zId);
  cmdIdList(pStr, c, r->aParent, r->nParent);
  if( r->zDate ) sqlite3_str_appendf(pStr, "\n    Create Date: %s", r->zDate);
  z = c->aApplied[i] ? migBookLast(p->db, r->zId, "at", 0) : 0;
  if( z ) sqlite3_str_appendf(pStr, "\n    Applied: %s", z);
  sqlite3_free(z);
  sqlite3_str_appendall(pStr, "\n");
}

/* Print what pStr holds as one line (and free it). */
static void cmdPrintStr(MigShell *p, sqlite3_str *pStr){
  char *z = sqlite3_str_finish(pStr);
  if( z ) fprintf(p->out, "%s\n", z);
  sqlite3_free(z);
}

/* Print revision i as history does: one line, or the verbose block. */
static void cmdPrintRev(MigShell *p, CmdGraph *c, int i, int bVerbose,
                        int eFlags){
  sqlite3_str *pStr = sqlite3_str_new(0);
  if( bVerbose ) cmdLogEntry(p, pStr, c, i, eFlags);
  else cmdHeadOnly(pStr, c, i, CMD_LABELS|CMD_DOC|CMD_PARENTS|CMD_TREE|eFlags);
  cmdPrintStr(p, pStr);
}

/*
** .migrate current [-v]: as Alembic's, the branch tips of what is applied
** (the version rows and everything below them), "(head)" marked; with
** -v, Alembic's verbose block of each.
*/
int migCmdCurrent(MigShell *p, int nArg, char **azArg){
  CmdGraph c;
  int i, k, bVerbose = nArg==2 && (strcmp(azArg[1], "-v")==0
                                   || strcmp(azArg[1], "--verbose")==0);
  if( nArg!=1 && !bVerbose ){
    return migShellError(p, "usage: .migrate current [-v]");
  }
  if( cmdLoad(p, &c) ) return 1;
  for(i=0; i<c.g->nRev; i++){
    MigRev *r = &c.g->aRev[i];
    sqlite3_str *pStr;
    if( !c.aApplied[i] ) continue;
    for(k=0; k<r->nChild && !c.aApplied[r->aChild[k]]; k++){}
    if( k<r->nChild ) continue;
    pStr = sqlite3_str_new(0);
    if( bVerbose ) cmdLogEntry(p, pStr, &c, i, 0);
    else cmdHeadOnly(pStr, &c, i, CMD_TREE);
    cmdPrintStr(p, pStr);
  }
  cmdUnload(&c);
  return 0;
}

/* .migrate heads: the heads of the scripts, labels and (head) shown */
int migCmdHeads(MigShell *p, int nArg, char **azArg){
  CmdGraph c;
  int i;
  UNUSED(azArg);
  if( nArg!=1 ) return migShellError(p, "usage: .migrate heads");
  if( cmdLoad(p, &c) ) return 1;
  for(i=0; i<c.g->nRev; i++){
    sqlite3_str *pStr;
    if( !migGraphIsHead(c.g, i) ) continue;
    pStr = sqlite3_str_new(0);
    cmdHeadOnly(pStr, &c, i, CMD_LABELS);
    cmdPrintStr(p, pStr);
  }
  cmdUnload(&c);
  return 0;
}

/* .migrate branches: each branch point, newest first, and its children */
int migCmdBranches(MigShell *p, int nArg, char **azArg){
  CmdGraph c;
  int i, k;
  UNUSED(azArg);
  if( nArg!=1 ) return migShellError(p, "usage: .migrate branches");
  if( cmdLoad(p, &c) ) return 1;
  for(i=c.g->nRev-1; i>=0; i--){
    int iRev = c.g->aOrder[i];
    MigRev *r = &c.g->aRev[iRev];
    sqlite3_str *pStr;
    if( r->nChild<2 ) continue;
    pStr = sqlite3_str_new(0);
    cmdHeadOnly(pStr, &c, iRev, CMD_LABELS|CMD_TREE);
    for(k=0; k<r->nChild; k++){
      sqlite3_str_appendf(pStr, "\n%*s -> ", (int)strlen(r->zId), "");
      cmdHeadOnly(pStr, &c, r->aChild[k], CMD_LABELS|CMD_TREE);
    }
    sqlite3_str_appendall(pStr, "\n");
    cmdPrintStr(p, pStr);
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
  int *aOut = 0, nOut = 0;
  char *zErr = 0;
  if( zSpec[0]==0 ){
    memset(aMark, 1, c->g->nRev);
    return 0;
  }
  if( strcmp(zSpec, "current")==0 ){
    aOut = c->aCur;
    nOut = c->nCur;
  }else if( migGraphRevisions(c->g, zSpec, &aOut, &nOut, &zErr) ){
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

/* .migrate history [-v] [-i] [-r START:END]: newest first */
int migCmdHistory(MigShell *p, int nArg, char **azArg){
  CmdGraph c;
  const char *zRange = 0;
  char *aFrom = 0, *aTo = 0, *zLo = 0;
  int i, bVerbose = 0, rc = 0, eFlags = 0;
  for(i=1; i<nArg; i++){
    if( strcmp(azArg[i], "-v")==0 || strcmp(azArg[i], "--verbose")==0 ){
      bVerbose = 1;
    }else if( strcmp(azArg[i], "-i")==0
           || strcmp(azArg[i], "--indicate-current")==0 ){
      eFlags = CMD_CURRENT;
    }else if( strcmp(azArg[i], "-r")==0 && i+1<nArg && zRange==0 ){
      zRange = azArg[++i];
    }else{
      return migShellError(p, "usage: .migrate history [-v] [-i] [-r RANGE]");
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
    if( aFrom[iRev] && aTo[iRev] ) cmdPrintRev(p, &c, iRev, bVerbose, eFlags);
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
  int *aOut = 0, nOut = 0, i;
  char *zErr = 0;
  if( nArg!=2 ) return migShellError(p, "usage: .migrate show REV");
  if( cmdLoad(p, &c) ) return 1;
  if( migGraphRevisions(c.g, azArg[1], &aOut, &nOut, &zErr) ){
    cmdUnload(&c);
    return cmdFail(p, zErr);
  }
  for(i=0; i<nOut; i++) cmdPrintRev(p, &c, aOut[i], 1, 0);
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

/* True if zWord names revisions on its own (so it is not part of a
** merge message): heads/head, X@head, or an id or a prefix of 4 or more
** characters that resolves. */
static int cmdIsRevWord(CmdGraph *c, const char *zWord){
  int *aOut = 0, nOut = 0, rc;
  char *zErr = 0;
  if( strcmp(zWord, "heads")==0 || strcmp(zWord, "head")==0 ) return 1;
  if( strchr(zWord, '@')==0 && strlen(zWord)<4 ) return 0;
  rc = migGraphRevisions(c->g, zWord, &aOut, &nOut, &zErr);
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
    int *aOut = 0, nOut = 0;
    rc = migGraphRevisions(c->g, azRev[i], &aOut, &nOut, &zErr);
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
