/*
** report.c: the engine's reports of the loaded graph, as text, and the
** revisions of a merge.
**
** migRunReport() writes what Alembic's current, heads, branches, history
** and show commands print ("a1b2 -> c3d4 (head), add status"),
** decorations and labels included, in the graph's topological order;
** migRunMerge() resolves the revisions a new merge revision revises.
** Both are declared in migrate_run.h for the front ends (the shell's
** .migrate current, heads, branches, history, show and merge), which
** print the text and never see the graph.
*/
#include "engine_int.h"
#include <string.h>

/* A loaded graph with the current revisions. */
typedef struct ReportGraph ReportGraph;
struct ReportGraph {
  sqlite3 *db;                 /* The connection read */
  MigGraph *g;                 /* The graph (one reference) */
  int *aCur; int nCur;         /* Current revisions, indexes into g */
  char *aApplied;              /* aApplied[i]: revision i is applied */
};

/* Load it for db; SQLite code, *pzErr set on error. */
static int reportLoad(sqlite3 *db, ReportGraph *c, char **pzErr){
  int rc;
  memset(c, 0, sizeof(*c));
  c->db = db;
  rc = migEngineLoad(migConnGet(db), 0, db, &c->g, &c->aCur, &c->nCur,
                     pzErr);
  if( rc==SQLITE_OK && migEngineApplied(c->g, c->aCur, c->nCur,
                                        &c->aApplied) ){
    rc = SQLITE_NOMEM;
  }
  return rc;
}

/* Free what reportLoad() loaded. */
static void reportUnload(ReportGraph *c){
  migGraphFree(c->g);
  sqlite3_free(c->aCur);
  sqlite3_free(c->aApplied);
}

/* True if revision i is current. */
static int reportIsCurrent(ReportGraph *c, int i){
  int k;
  for(k=0; k<c->nCur; k++) if( c->aCur[k]==i ) return 1;
  return 0;
}

/* Append the ids of aIdx (nIdx) joined by ", ". */
static void reportIdList(sqlite3_str *pStr, ReportGraph *c, const int *aIdx,
                         int nIdx){
  int k;
  for(k=0; k<nIdx; k++){
    sqlite3_str_appendf(pStr, "%s%s", k ? ", " : "", c->g->aRev[aIdx[k]].zId);
  }
}

/* Append a comma-separated header list ("a,b" or "a b") as "a, b". */
static void reportCommaList(sqlite3_str *pStr, const char *z){
  const char *zItem;
  int n = 0, nItem;
  while( z && (zItem = migListNext(&z, &nItem))!=0 ){
    sqlite3_str_appendf(pStr, "%s%.*s", n++ ? ", " : "", nItem, zItem);
  }
}

/* Parents of revision i as Alembic shows them: <base>, a, a, b */
static void reportParents(sqlite3_str *pStr, ReportGraph *c, int i){
  MigRev *r = &c->g->aRev[i];
  if( r->nParent==0 ) sqlite3_str_appendall(pStr, "<base>");
  else reportIdList(pStr, c, r->aParent, r->nParent);
}

/* Flags of reportHeadOnly() */
#define REPORT_LABELS  0x01    /* " (labels)" */
#define REPORT_DOC     0x02    /* ", message" */
#define REPORT_PARENTS 0x04    /* "parents (deps) -> " before the id */
#define REPORT_TREE    0x08    /* " (branchpoint)", " (mergepoint)" */
#define REPORT_CURRENT 0x10    /* " (current)" on current revisions */

/*
** Revision i on one line as Alembic's Script._head_only() prints it:
** "[PARENTS [(DEPS)] -> ]ID[ (LABELS)][ (head)|(effective head)]
** [ (current)][ (branchpoint)][ (mergepoint)][, MESSAGE]".
*/
static void reportHeadOnly(sqlite3_str *pStr, ReportGraph *c, int i,
                           int eFlags){
  MigRev *r = &c->g->aRev[i];
  if( eFlags & REPORT_PARENTS ){
    reportParents(pStr, c, i);
    if( r->zDepends ){
      sqlite3_str_appendall(pStr, " (");
      reportCommaList(pStr, r->zDepends);
      sqlite3_str_appendall(pStr, ")");
    }
    sqlite3_str_appendall(pStr, " -> ");
  }
  sqlite3_str_appendall(pStr, r->zId);
  if( eFlags & REPORT_LABELS ){
    char *zLab = migGraphLabelList(c->g, i);
    if( zLab ) sqlite3_str_appendf(pStr, " (%s)", zLab);
    sqlite3_free(zLab);
  }
  if( migGraphIsRealHead(c->g, i) ){
    sqlite3_str_appendall(pStr, " (head)");
  }else if( migGraphIsHead(c->g, i) ){
    sqlite3_str_appendall(pStr, " (effective head)");
  }
  if( (eFlags & REPORT_CURRENT) && reportIsCurrent(c, i) ){
    sqlite3_str_appendall(pStr, " (current)");
  }
  if( eFlags & REPORT_TREE ){
    if( r->nChild>1 ) sqlite3_str_appendall(pStr, " (branchpoint)");
    if( r->nParent>1 ) sqlite3_str_appendall(pStr, " (mergepoint)");
  }
  if( eFlags & REPORT_DOC ){
    sqlite3_str_appendf(pStr, ", %s", r->zMessage ? r->zMessage : "");
  }
}

/* Alembic's Script.log_entry: the verbose block of revision i. */
static void reportLogEntry(sqlite3_str *pStr, ReportGraph *c, int i,
                           int eFlags){
  MigRev *r = &c->g->aRev[i];
  char *zLab = migGraphLabelList(c->g, i), *z;
  sqlite3_str_appendf(pStr, "Rev: %s%s%s%s%s\n", r->zId,
      migGraphIsHead(c->g, i) ? " (head)" : "",
      r->nChild>1 ? " (branchpoint)" : "", r->nParent>1 ? " (mergepoint)" : "",
      (eFlags & REPORT_CURRENT) && reportIsCurrent(c, i) ? " (current)" : "");
  sqlite3_str_appendall(pStr, r->nParent>1 ? "Merges: " : "Parent: ");
  reportParents(pStr, c, i);
  if( r->zDepends ){
    sqlite3_str_appendall(pStr, "\nAlso depends on: ");
    reportCommaList(pStr, r->zDepends);
  }
  if( r->nChild>1 ){
    sqlite3_str_appendall(pStr, "\nBranches into: ");
    reportIdList(pStr, c, r->aChild, r->nChild);
  }
  if( zLab ) sqlite3_str_appendf(pStr, "\nBranch names: %s", zLab);
  sqlite3_free(zLab);
  sqlite3_str_appendf(pStr, "\nPath: %s\n\n    %s\n", r->zFile ? r->zFile
                      : r->eSource==MIG_SRC_HISTORY ? "(file gone; SQL "
                      "from migrate_history)" : "(registered)",
                      r->zMessage ? r->zMessage : "");
  sqlite3_str_appendf(pStr, "    \n    Revision ID: %s\n    Revises: ",
                      r->zId);
  reportIdList(pStr, c, r->aParent, r->nParent);
  if( r->zDate ) sqlite3_str_appendf(pStr, "\n    Create Date: %s", r->zDate);
  z = c->aApplied[i] ? migBookLast(c->db, r->zId, "at", 0) : 0;
  if( z ) sqlite3_str_appendf(pStr, "\n    Applied: %s", z);
  sqlite3_free(z);
  sqlite3_str_appendall(pStr, "\n");
}

/* Revision i as history prints it: one line, or the verbose block; then
** a newline. */
static void reportRev(sqlite3_str *pStr, ReportGraph *c, int i, int bVerbose,
                      int eFlags){
  if( bVerbose ) reportLogEntry(pStr, c, i, eFlags);
  else reportHeadOnly(pStr, c, i, REPORT_LABELS|REPORT_DOC|REPORT_PARENTS
                                  |REPORT_TREE|eFlags);
  sqlite3_str_appendall(pStr, "\n");
}

/* current: the branch tips of what is applied (the version rows and
** everything below them), "(head)" marked; verbose: each one's block. */
static void reportCurrent(sqlite3_str *pStr, ReportGraph *c, int bVerbose){
  int i, k;
  for(i=0; i<c->g->nRev; i++){
    MigRev *r = &c->g->aRev[i];
    if( !c->aApplied[i] ) continue;
    for(k=0; k<r->nChild && !c->aApplied[r->aChild[k]]; k++){}
    if( k<r->nChild ) continue;
    if( bVerbose ) reportLogEntry(pStr, c, i, 0);
    else reportHeadOnly(pStr, c, i, REPORT_TREE);
    sqlite3_str_appendall(pStr, "\n");
  }
}

/* heads: the heads of the scripts, labels and (head) shown. */
static void reportHeads(sqlite3_str *pStr, ReportGraph *c){
  int i;
  for(i=0; i<c->g->nRev; i++){
    if( !migGraphIsHead(c->g, i) ) continue;
    reportHeadOnly(pStr, c, i, REPORT_LABELS);
    sqlite3_str_appendall(pStr, "\n");
  }
}

/* branches: each branch point, newest first, and its children. */
static void reportBranches(sqlite3_str *pStr, ReportGraph *c){
  int i, k;
  for(i=c->g->nRev-1; i>=0; i--){
    int iRev = c->g->aOrder[i];
    MigRev *r = &c->g->aRev[iRev];
    if( r->nChild<2 ) continue;
    reportHeadOnly(pStr, c, iRev, REPORT_LABELS|REPORT_TREE);
    for(k=0; k<r->nChild; k++){
      sqlite3_str_appendf(pStr, "\n%*s -> ", (int)strlen(r->zId), "");
      reportHeadOnly(pStr, c, r->aChild[k], REPORT_LABELS|REPORT_TREE);
    }
    sqlite3_str_appendall(pStr, "\n\n");
  }
}

/*
** Mark in aMark one end of a history range: from zSpec up (bUp) or from
** zSpec down. zSpec is a target, "current", or empty (everything).
** SQLite code, *pzErr set on error.
*/
static int reportRangeEnd(ReportGraph *c, const char *zSpec, int bUp,
                          char *aMark, char **pzErr){
  int *aOut = 0, nOut = 0, rc;
  if( zSpec[0]==0 ){
    memset(aMark, 1, c->g->nRev);
    return SQLITE_OK;
  }
  if( strcmp(zSpec, "current")==0 ){
    aOut = c->aCur;
    nOut = c->nCur;
  }else{
    rc = migGraphRevisions(c->g, zSpec, &aOut, &nOut, pzErr);
    if( rc!=SQLITE_OK ) return rc;
  }
  if( bUp ){
    migGraphDescendants(c->g, aOut, nOut, aMark);
    if( nOut==0 ) memset(aMark, 1, c->g->nRev);
  }else{
    migGraphAncestors(c->g, aOut, nOut, aMark);
  }
  if( aOut!=c->aCur ) sqlite3_free(aOut);
  return SQLITE_OK;
}

/* history [RANGE]: newest first, within START:END when zRange is set. */
static int reportHistory(sqlite3_str *pStr, ReportGraph *c,
                         const char *zRange, int bVerbose, int eFlags,
                         char **pzErr){
  char *aFrom = sqlite3_malloc64(c->g->nRev+1);
  char *aTo = sqlite3_malloc64(c->g->nRev+1);
  char *zLo = 0;
  int i, rc = SQLITE_OK;
  if( aFrom==0 || aTo==0 ) rc = SQLITE_NOMEM;
  if( rc==SQLITE_OK ){
    const char *zColon = zRange ? strchr(zRange, ':') : 0;
    memset(aFrom, zRange==0, c->g->nRev+1);
    memset(aTo, zRange==0, c->g->nRev+1);
    if( zRange ){
      zLo = sqlite3_mprintf("%.*s", (int)(zColon-zRange), zRange);
      rc = reportRangeEnd(c, zLo ? zLo : "", 1, aFrom, pzErr);
      if( rc==SQLITE_OK ) rc = reportRangeEnd(c, zColon+1, 0, aTo, pzErr);
    }
  }
  for(i=c->g->nRev-1; rc==SQLITE_OK && i>=0; i--){
    int iRev = c->g->aOrder[i];
    if( aFrom[iRev] && aTo[iRev] ) reportRev(pStr, c, iRev, bVerbose, eFlags);
  }
  sqlite3_free(zLo);
  sqlite3_free(aFrom);
  sqlite3_free(aTo);
  return rc;
}

/* show REV: the verbose block of each revision zRev names. */
static int reportShow(sqlite3_str *pStr, ReportGraph *c, const char *zRev,
                      char **pzErr){
  int *aOut = 0, nOut = 0, i;
  int rc = migGraphRevisions(c->g, zRev, &aOut, &nOut, pzErr);
  for(i=0; rc==SQLITE_OK && i<nOut; i++) reportRev(pStr, c, aOut[i], 1, 0);
  sqlite3_free(aOut);
  return rc;
}

/* See migrate_run.h. */
int migRunReport(sqlite3 *db, int eReport, int eFlags, const char *zArg,
                 char **pzOut, char **pzErr){
  ReportGraph c;
  sqlite3_str *pStr;
  int bVerbose = (eFlags & MIG_REPORT_VERBOSE)!=0;
  int eRev = (eFlags & MIG_REPORT_INDICATE) ? REPORT_CURRENT : 0;
  int rc;
  *pzOut = 0;
  if( eReport==MIG_REPORT_HISTORY && zArg && strchr(zArg, ':')==0 ){
    return migErrorf(pzErr, SQLITE_ERROR, "History range requires "
                     "[start]:[end], [start]:, or :[end]");
  }
  rc = reportLoad(db, &c, pzErr);
  if( rc!=SQLITE_OK ){
    reportUnload(&c);
    return rc;
  }
  pStr = sqlite3_str_new(0);
  switch( eReport ){
    case MIG_REPORT_CURRENT:  reportCurrent(pStr, &c, bVerbose);  break;
    case MIG_REPORT_HEADS:    reportHeads(pStr, &c);              break;
    case MIG_REPORT_BRANCHES: reportBranches(pStr, &c);           break;
    case MIG_REPORT_HISTORY:
      rc = reportHistory(pStr, &c, zArg, bVerbose, eRev, pzErr);
      break;
    default:
      rc = reportShow(pStr, &c, zArg ? zArg : "", pzErr);
      break;
  }
  reportUnload(&c);
  if( rc==SQLITE_OK ) rc = sqlite3_str_errcode(pStr);
  if( rc==SQLITE_OK ){
    *pzOut = sqlite3_str_finish(pStr);
  }else{
    sqlite3_free(sqlite3_str_finish(pStr));
  }
  return rc;
}

/* True if zWord names revisions on its own (so it is not part of a
** merge message): heads/head, X@head, or an id or a prefix of 4 or more
** characters that resolves. */
static int reportIsRevWord(ReportGraph *c, const char *zWord){
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
** The "Revises:" list of a merge of azRev[0..nRev-1] into *pzOut,
** comma-separated: every word resolved, duplicates refused as Alembic
** refuses them, fewer than two refused. SQLite code, *pzErr on error.
*/
static int reportMergeParents(ReportGraph *c, int nRev, char **azRev,
                              char **pzOut, char **pzErr){
  char *aSeen = sqlite3_malloc64(c->g->nRev+1);
  sqlite3_str *pStr = sqlite3_str_new(0);
  int i, k, n = 0, bDup = 0, rc = aSeen ? SQLITE_OK : SQLITE_NOMEM;
  char *zOut;
  if( aSeen ) memset(aSeen, 0, c->g->nRev+1);
  for(i=0; rc==SQLITE_OK && i<nRev; i++){
    int *aOut = 0, nOut = 0;
    rc = migGraphRevisions(c->g, azRev[i], &aOut, &nOut, pzErr);
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
  if( rc==SQLITE_OK && zOut==0 && n>0 ) rc = SQLITE_NOMEM;
  if( rc==SQLITE_OK && bDup ){
    rc = migErrorf(pzErr, SQLITE_ERROR, "Duplicate head revisions "
                   "specified");
  }else if( rc==SQLITE_OK && n<2 ){
    rc = migErrorf(pzErr, SQLITE_ERROR, "a merge needs two or more "
                   "revisions; %s names only %s (use .migrate new for a "
                   "revision with one parent)", nRev==1 ? azRev[0] : "that",
                   zOut ? zOut : "");
  }
  if( rc==SQLITE_OK ){
    *pzOut = zOut;
  }else{
    sqlite3_free(zOut);
  }
  return rc;
}

/* See migrate_run.h. */
int migRunMerge(sqlite3 *db, int nWord, char **azWord, int bAllRevs,
                int *pnMsg, char **pzRevises, char **pzErr){
  ReportGraph c;
  int nMsg = 0;
  int rc = reportLoad(db, &c, pzErr);
  *pzRevises = 0;
  if( rc==SQLITE_OK && !bAllRevs ){
    nMsg = nWord-1;
    while( nMsg>1 && reportIsRevWord(&c, azWord[nMsg-1]) ) nMsg--;
  }
  *pnMsg = nMsg;
  if( rc==SQLITE_OK ){
    rc = reportMergeParents(&c, nWord-nMsg, azWord+nMsg, pzRevises, pzErr);
  }
  reportUnload(&c);
  return rc;
}
