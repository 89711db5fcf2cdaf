/*
** engine.c: the SQL functions and the C API of the migration engine, and
** the revisions registered on a connection.
**
** SQL functions (all SQLITE_DIRECTONLY: they read migration files from
** disk, run migrations or reveal the history, so a view or trigger in an
** untrusted database file must never be able to call them):
**   migrate_upgrade([target])       -> migrations applied (target: head)
**   migrate_downgrade(target)       -> migrations reverted
**   migrate_stamp(target)           -> the new current revision(s)
**   migrate_current()               -> current revision(s), or NULL
**   migrate_heads()                 -> heads of the scripts, or NULL
**   migrate_check()                 -> number of pending migrations
**   migrate_verify()                -> 'ok' or one problem per line
**   migrate_sql(direction, target)  -> SQL of an upgrade or downgrade
**   migrate_new(message [, revises])-> path of a new migration file
** Lists are comma-separated. The C API (migrate.h):
** sqlite3_migrate_register(), sqlite3_migrate_upgrade(),
** sqlite3_migrate_current().
**
** Registered revisions (C API, INSERT INTO migrations) live in the
** connection's MigConn.pEngine; migEngineLoad() merges them with the
** directory's files (registered ones win) and, given a database, with
** the applied revisions whose files are gone (from migrate_history).
*/
#include "engine_int.h"
#include <string.h>
#include <stdio.h>

/* The engine's per-connection state: revisions registered in C or SQL. */
typedef struct MigEngine MigEngine;
struct MigEngine {
  int nReg;                    /* Number of registered revisions */
  MigRev *aReg;                /* The revisions (owned) */
};

/* Destructor of MigConn.pEngine */
static void engineFree(void *pArg){
  MigEngine *e = (MigEngine*)pArg;
  int i;
  if( e==0 ) return;
  for(i=0; i<e->nReg; i++) migRevClear(&e->aReg[i]);
  sqlite3_free(e->aReg);
  sqlite3_free(e);
}

/*
** Register a copy of pRev (zId and zUp required) on the connection.
** Returns SQLITE_OK, or an error code with *pzErr naming the revision.
*/
int migEngineRegister(MigConn *p, const MigRev *pRev, char **pzErr){
  MigEngine *e = (MigEngine*)p->pEngine;
  MigRev *aNew;
  int i, rc;
  if( pRev->zId==0 || pRev->zId[0]==0 ){
    *pzErr = sqlite3_mprintf("a registered revision needs a revision id");
    return SQLITE_ERROR;
  }
  if( pRev->zUp==0 ){
    *pzErr = sqlite3_mprintf("revision %s: the up SQL is missing", pRev->zId);
    return SQLITE_ERROR;
  }
  if( e==0 ){
    e = sqlite3_malloc64(sizeof(*e));
    if( e==0 ) return SQLITE_NOMEM;
    memset(e, 0, sizeof(*e));
    p->pEngine = e;
    p->xEngineFree = engineFree;
  }
  for(i=0; i<e->nReg; i++){
    if( strcmp(e->aReg[i].zId, pRev->zId)==0 ){
      *pzErr = sqlite3_mprintf("revision %s is already registered",
                               pRev->zId);
      return SQLITE_ERROR;
    }
  }
  aNew = sqlite3_realloc64(e->aReg, sizeof(MigRev)*(e->nReg+1));
  if( aNew==0 ) return SQLITE_NOMEM;
  e->aReg = aNew;
  rc = migRevCopy(&aNew[e->nReg], pRev);
  if( rc==SQLITE_OK ){
    MigRev *r = &aNew[e->nReg];
    char *zAll = sqlite3_mprintf("%s\n-- migrate:down\n%s", r->zUp,
                                 r->zDown ? r->zDown : "");
    r->eSource = MIG_SRC_REGISTER;
    r->iUpLine = r->iDownLine = 1;
    sqlite3_free(r->zChecksum);
    r->zChecksum = zAll ? migChecksum(zAll, (int)strlen(zAll)) : 0;
    sqlite3_free(zAll);
    if( r->zChecksum==0 ){ migRevClear(r); return SQLITE_NOMEM; }
    e->nReg++;
  }
  return rc;
}

/* Put the registered revisions into *paRev, replacing files of equal id */
static int engineMerge(MigEngine *e, MigRev **paRev, int *pnRev){
  int i, j, rc = SQLITE_OK;
  for(i=0; e && rc==SQLITE_OK && i<e->nReg; i++){
    MigRev *aNew;
    for(j=0; j<*pnRev && strcmp((*paRev)[j].zId, e->aReg[i].zId); j++){}
    if( j<*pnRev ){
      migRevClear(&(*paRev)[j]);
      rc = migRevCopy(&(*paRev)[j], &e->aReg[i]);
      continue;
    }
    aNew = sqlite3_realloc64(*paRev, sizeof(MigRev)*(*pnRev+1));
    if( aNew==0 ) return SQLITE_NOMEM;
    *paRev = aNew;
    rc = migRevCopy(&aNew[*pnRev], &e->aReg[i]);
    if( rc==SQLITE_OK ) (*pnRev)++;
  }
  return rc;
}

/* Indexes of the alembic_version ids, or none if one is not in g. */
static int engineAdopt(MigGraph *g, char **azId, int nId, int **paCur,
                       int *pnCur){
  int i;
  *pnCur = 0;
  *paCur = sqlite3_malloc64(sizeof(int)*(nId+1));
  if( *paCur==0 ) return SQLITE_NOMEM;
  for(i=0; i<nId; i++){
    int j = migGraphFind(g, azId[i]);
    if( j<0 ){ *pnCur = 0; break; }
    (*paCur)[(*pnCur)++] = j;
  }
  return SQLITE_OK;
}

/*
** migEngineLoad() on a connection lent a graph (MigConn.pGraphLent, the
** migration tester's scratch copies): that graph, one more reference to
** it, and the current revisions of db as indexes into it.
*/
static int engineLoadLent(MigConn *p, sqlite3 *db, MigGraph **ppG,
                          int **paCur, int *pnCur, char **pzErr){
  MigGraph *g = (MigGraph*)p->pGraphLent;
  char **azId = 0;
  int nId = 0, bAlembic = 0, rc = SQLITE_OK;
  g->nRef++;
  *ppG = g;
  if( db==0 || paCur==0 ) return SQLITE_OK;
  rc = migBookHeads(db, &azId, &nId, &bAlembic);
  if( rc!=SQLITE_OK ){
    *pzErr = sqlite3_mprintf("%s", sqlite3_errmsg(db));
  }else if( bAlembic ){
    rc = engineAdopt(g, azId, nId, paCur, pnCur);
  }else{
    rc = migGraphCurrent(g, azId, nId, paCur, pzErr);
    if( rc==SQLITE_OK ) *pnCur = nId;
  }
  migBookFreeList(azId, nId);
  if( rc!=SQLITE_OK ){
    migGraphFree(g);
    *ppG = 0;
    if( *pzErr==0 ) *pzErr = sqlite3_mprintf("%s", sqlite3_errstr(rc));
  }
  return rc;
}

/*
** Load the revisions of zDir (NULL: the connection's directory) plus the
** registered ones into a new graph *ppG (migGraphFree() it). With db,
** also the applied revisions whose file is gone, and the current
** revisions as indexes in *paCur and *pnCur (sqlite3_free). On error an
** SQLite code with *pzErr set.
*/
int migEngineLoad(MigConn *p, const char *zDir, sqlite3 *db,
                  MigGraph **ppG, int **paCur, int *pnCur, char **pzErr){
  MigEngine *e = (MigEngine*)p->pEngine;
  MigRev *aRev = 0;
  int nRev = 0, nId = 0, bAlembic = 0, rc;
  char **azId = 0;
  *ppG = 0;
  if( paCur ){ *paCur = 0; *pnCur = 0; }
  if( p->pGraphLent && zDir==0 ){
    return engineLoadLent(p, db, ppG, paCur, pnCur, pzErr);
  }
  rc = migScriptsLoad(zDir ? zDir : migConnDir(p), e && e->nReg>0,
                      &aRev, &nRev, pzErr);
  if( rc==SQLITE_OK ) rc = engineMerge(e, &aRev, &nRev);
  if( rc==SQLITE_OK && db ){
    rc = migBookHeads(db, &azId, &nId, &bAlembic);
    if( rc==SQLITE_OK && !bAlembic ){
      rc = migBookGhosts(db, azId, nId, &aRev, &nRev);
    }
    if( rc!=SQLITE_OK ) *pzErr = sqlite3_mprintf("%s", sqlite3_errmsg(db));
  }
  if( rc==SQLITE_OK ){
    rc = migGraphBuild(aRev, nRev, ppG, pzErr);
    aRev = 0;
    nRev = 0;
  }
  if( rc==SQLITE_OK && db && paCur ){
    rc = bAlembic ? engineAdopt(*ppG, azId, nId, paCur, pnCur)
                  : migGraphCurrent(*ppG, azId, nId, paCur, pzErr);
    if( rc==SQLITE_OK && !bAlembic ) *pnCur = nId;
    if( rc!=SQLITE_OK ){ migGraphFree(*ppG); *ppG = 0; }
  }
  if( aRev ){
    int i;
    for(i=0; i<nRev; i++) migRevClear(&aRev[i]);
    sqlite3_free(aRev);
  }
  migBookFreeList(azId, nId);
  if( rc!=SQLITE_OK && *pzErr==0 ){
    *pzErr = sqlite3_mprintf("%s", sqlite3_errstr(rc));
  }
  return rc;
}

/* The current revisions, comma-separated, or NULL at base. */
static int engineCurrent(MigConn *p, char **pzOut, char **pzErr){
  char **azId = 0;
  int nId = 0, bAlembic = 0, i, rc;
  sqlite3_str *pStr;
  *pzOut = 0;
  rc = migBookHeads(p->db, &azId, &nId, &bAlembic);
  if( rc!=SQLITE_OK ){
    migBookFreeList(azId, nId);
    *pzErr = sqlite3_mprintf("%s", sqlite3_errmsg(p->db));
    return rc;
  }
  if( bAlembic ){
    MigGraph *g = 0;
    int *aCur = 0, nCur = 0;
    migBookFreeList(azId, nId);
    rc = migEngineLoad(p, 0, p->db, &g, &aCur, &nCur, pzErr);
    if( rc!=SQLITE_OK ) return rc;
    pStr = sqlite3_str_new(0);
    for(i=0; i<nCur; i++){
      sqlite3_str_appendf(pStr, "%s%s", i ? "," : "", g->aRev[aCur[i]].zId);
    }
    sqlite3_free(aCur);
    migGraphFree(g);
    nId = nCur;
  }else{
    pStr = sqlite3_str_new(0);
    for(i=0; i<nId; i++) sqlite3_str_appendf(pStr, "%s%s", i?",":"", azId[i]);
    migBookFreeList(azId, nId);
  }
  rc = sqlite3_str_errcode(pStr);
  *pzOut = sqlite3_str_finish(pStr);
  if( nId==0 || rc!=SQLITE_OK ){ sqlite3_free(*pzOut); *pzOut = 0; }
  return rc;
}

/* Append "line\n" problems of applied revisions (drift, missing files). */
static void engineVerifyRevs(MigConn *p, MigGraph *g, const int *aCur,
                             int nCur, sqlite3_str *pStr){
  char *aApplied = sqlite3_malloc64(g->nRev+1);
  int i;
  if( aApplied==0 ) return;
  memset(aApplied, 0, g->nRev+1);
  migGraphAncestors(g, aCur, nCur, aApplied);
  for(i=0; i<g->nRev; i++){
    MigRev *r = &g->aRev[g->aOrder[i]];
    char *zSum;
    if( !aApplied[g->aOrder[i]] ) continue;
    if( r->eSource==MIG_SRC_HISTORY ){
      sqlite3_str_appendf(pStr, "missing: revision %s is applied but has "
                          "no file\n", r->zId);
      continue;
    }
    zSum = migBookLast(p->db, r->zId, "checksum", 0);
    if( zSum && r->zChecksum && strcmp(zSum, r->zChecksum)!=0 ){
      char *zLabel = migRevLabel(r);
      sqlite3_str_appendf(pStr, "drift: %s changed since revision %s was "
                          "applied\n", zLabel, r->zId);
      sqlite3_free(zLabel);
    }
    sqlite3_free(zSum);
  }
  sqlite3_free(aApplied);
}

/* Append integrity_check and foreign_key_check failures. */
static void engineVerifyDb(sqlite3 *db, sqlite3_str *pStr){
  sqlite3_stmt *pStmt = 0;
  if( sqlite3_prepare_v2(db, "PRAGMA main.integrity_check", -1, &pStmt, 0)
      ==SQLITE_OK ){
    while( sqlite3_step(pStmt)==SQLITE_ROW ){
      const char *z = (const char*)sqlite3_column_text(pStmt, 0);
      if( z && strcmp(z, "ok")!=0 ){
        sqlite3_str_appendf(pStr, "integrity_check: %s\n", z);
      }
    }
  }
  sqlite3_finalize(pStmt);
  pStmt = 0;
  if( sqlite3_prepare_v2(db, "PRAGMA main.foreign_key_check", -1, &pStmt, 0)
      ==SQLITE_OK ){
    while( sqlite3_step(pStmt)==SQLITE_ROW ){
      sqlite3_str_appendf(pStr, "foreign_key_check: %s row %lld references "
          "%s\n", sqlite3_column_text(pStmt, 0),
          sqlite3_column_int64(pStmt, 1), sqlite3_column_text(pStmt, 2));
    }
  }
  sqlite3_finalize(pStmt);
}

/* migrate_verify(): "ok", or one problem per line in *pzOut. */
int migEngineVerify(MigConn *p, char **pzOut, char **pzErr){
  MigGraph *g = 0;
  int *aCur = 0, nCur = 0, n;
  sqlite3_str *pStr;
  int rc = migEngineLoad(p, 0, p->db, &g, &aCur, &nCur, pzErr);
  if( rc!=SQLITE_OK ) return rc;
  pStr = sqlite3_str_new(0);
  engineVerifyRevs(p, g, aCur, nCur, pStr);
  engineVerifyDb(p->db, pStr);
  sqlite3_free(aCur);
  migGraphFree(g);
  n = sqlite3_str_length(pStr);
  *pzOut = sqlite3_str_finish(pStr);
  if( n==0 ){
    sqlite3_free(*pzOut);
    *pzOut = sqlite3_mprintf("ok");
  }else if( *pzOut ){
    (*pzOut)[n-1] = 0;
  }
  return *pzOut ? SQLITE_OK : SQLITE_NOMEM;
}

/******************************** migrate_new ******************************/

/* File-name slug of zMsg: lowercase letters, digits, "_"; at most 40. */
static char *engineSlug(const char *zMsg){
  char zBuf[41];
  int n = 0, i;
  for(i=0; zMsg[i] && n<40; i++){
    char c = zMsg[i];
    if( c>='A' && c<='Z' ) c += 'a'-'A';
    if( (c>='a' && c<='z') || (c>='0' && c<='9') ){
      zBuf[n++] = c;
    }else if( n>0 && zBuf[n-1]!='_' ){
      zBuf[n++] = '_';
    }
  }
  while( n>0 && zBuf[n-1]=='_' ) n--;
  zBuf[n] = 0;
  return sqlite3_mprintf("%s", n ? zBuf : "migration");
}

/* The "Revises:" list of a new file: resolved zRevises, or the head. */
static int engineRevises(MigConn *p, const char *zRevises, char **pzOut,
                         char **pzErr){
  MigGraph *g = 0;
  int rc = migEngineLoad(p, 0, 0, &g, 0, 0, pzErr);
  int i, n = 0;
  sqlite3_str *pStr = sqlite3_str_new(0);
  const char *z = zRevises;
  while( rc==SQLITE_OK && z && *z ){
    int nTok, *aOut = 0, nOut = 0, iBranch;
    char *zTok;
    while( *z==' ' || *z==',' ) z++;
    for(nTok=0; z[nTok] && z[nTok]!=',' && z[nTok]!=' '; nTok++){}
    if( nTok==0 ) break;
    zTok = sqlite3_mprintf("%.*s", nTok, z);
    rc = zTok ? migGraphResolve(g, zTok, 0, 0, 0, &aOut, &nOut, &iBranch,
                                pzErr) : SQLITE_NOMEM;
    for(i=0; rc==SQLITE_OK && i<nOut; i++){
      sqlite3_str_appendf(pStr, "%s%s", n++ ? ", " : "",
                          g->aRev[aOut[i]].zId);
    }
    sqlite3_free(aOut);
    sqlite3_free(zTok);
    z += nTok;
  }
  if( rc==SQLITE_OK && zRevises==0 ){
    for(i=0; i<g->nRev; i++){
      if( migGraphIsHead(g, i) ){
        sqlite3_str_appendf(pStr, "%s", g->aRev[i].zId);
        n++;
      }
    }
    if( n>1 ){
      *pzErr = sqlite3_mprintf("Multiple heads are present; please specify "
          "the head revision on which the new revision should be based, or "
          "perform a merge.");
      rc = SQLITE_ERROR;
    }
  }
  migGraphFree(g);
  *pzOut = sqlite3_str_finish(pStr);
  if( rc==SQLITE_OK && *pzOut==0 ) *pzOut = sqlite3_mprintf("");
  if( rc==SQLITE_OK && *pzOut==0 ) rc = SQLITE_NOMEM;
  if( rc!=SQLITE_OK ){ sqlite3_free(*pzOut); *pzOut = 0; }
  return rc;
}

/* True if zMsg is a usable message: one line, not blank. */
static int engineMessageOk(const char *zMsg){
  int i, bText = 0;
  for(i=0; zMsg[i]; i++){
    if( (unsigned char)zMsg[i]<0x20 ) return 0;
    if( zMsg[i]!=' ' ) bText = 1;
  }
  return bText && i<=200;
}

/* Write the template of a new revision to zPath (must not exist). */
static int engineWriteNew(const char *zPath, const char *zMsg,
                          const char *zId, const char *zRevises,
                          const char *zDate, char **pzErr){
  FILE *f = fopen(zPath, "wx");
  int bOk;
  if( f==0 ){
    *pzErr = sqlite3_mprintf("cannot create %s", zPath);
    return SQLITE_CANTOPEN;
  }
  bOk = fprintf(f, "-- %s\n--\n-- Revision ID: %s\n-- Revises: %s\n"
                "-- Create Date: %s\n\n-- migrate:up\n\n\n-- migrate:down\n\n",
                zMsg, zId, zRevises, zDate)>0;
  if( fclose(f)!=0 ) bOk = 0;
  if( !bOk ){
    *pzErr = sqlite3_mprintf("cannot write %s", zPath);
    return SQLITE_IOERR;
  }
  return SQLITE_OK;
}

/* migrate_new(): create the file; *pzPath gets its path. */
static int engineNew(MigConn *p, const char *zMsg, const char *zRevises,
                     char **pzPath, char **pzErr){
  char *zParents = 0, *zSlug = 0, *zStamp = 0, *zDate = 0;
  unsigned char aRand[6];
  char zId[13];
  int rc, i;
  *pzPath = 0;
  if( !engineMessageOk(zMsg) ){
    *pzErr = sqlite3_mprintf("migrate_new: the message must be one line of "
                             "text (at most 200 bytes)");
    return SQLITE_ERROR;
  }
  rc = engineRevises(p, zRevises, &zParents, pzErr);
  if( rc==SQLITE_OK ){
    sqlite3_randomness(sizeof(aRand), aRand);
    for(i=0; i<6; i++){
      sqlite3_snprintf(3, zId+2*i, "%02x", aRand[i]);
    }
    zSlug = engineSlug(zMsg);
  }
  if( rc==SQLITE_OK ){
    sqlite3_stmt *pStmt = 0;
    rc = sqlite3_prepare_v2(p->db, "SELECT strftime('%Y_%m_%d_%H%M%S','now'),"
                            " strftime('%Y-%m-%d %H:%M:%S','now')", -1,
                            &pStmt, 0);
    if( rc==SQLITE_OK && sqlite3_step(pStmt)==SQLITE_ROW ){
      zStamp = sqlite3_mprintf("%s", sqlite3_column_text(pStmt, 0));
      zDate = sqlite3_mprintf("%s", sqlite3_column_text(pStmt, 1));
    }
    sqlite3_finalize(pStmt);
    if( zStamp==0 || zDate==0 || zSlug==0 ) rc = SQLITE_NOMEM;
  }
  if( rc==SQLITE_OK ){
    *pzPath = sqlite3_mprintf("%s/%s_%s.sql", migConnDir(p), zStamp, zSlug);
    rc = *pzPath ? engineWriteNew(*pzPath, zMsg, zId, zParents, zDate, pzErr)
                 : SQLITE_NOMEM;
  }
  if( rc!=SQLITE_OK ){ sqlite3_free(*pzPath); *pzPath = 0; }
  sqlite3_free(zParents);
  sqlite3_free(zSlug);
  sqlite3_free(zStamp);
  sqlite3_free(zDate);
  return rc;
}

/****************************** SQL functions ******************************/

/* Text of argument i, or NULL after an error naming fn and what. */
static const char *engineArg(sqlite3_context *ctx, sqlite3_value **argv,
                             int i, const char *zFunc, const char *zWhat){
  if( sqlite3_value_type(argv[i])!=SQLITE_TEXT ){
    char *z = sqlite3_mprintf("%s: the %s must be text", zFunc, zWhat);
    sqlite3_result_error(ctx, z ? z : "out of memory", -1);
    sqlite3_free(z);
    return 0;
  }
  return (const char*)sqlite3_value_text(argv[i]);
}

/* Report rc/zErr on ctx; returns 1 when it was an error. */
static int engineResultError(sqlite3_context *ctx, int rc, char *zErr){
  if( rc==SQLITE_OK ) return 0;
  if( rc==SQLITE_NOMEM ) sqlite3_result_error_nomem(ctx);
  else sqlite3_result_error(ctx, zErr ? zErr : sqlite3_errstr(rc), -1);
  sqlite3_free(zErr);
  return 1;
}

/* migrate_upgrade / migrate_downgrade / migrate_stamp / migrate_check */
static void engineRunFunc(sqlite3_context *ctx, int argc, sqlite3_value **argv,
                          int eOp, const char *zFunc){
  MigConn *p = (MigConn*)sqlite3_user_data(ctx);
  const char *zTarget = 0;
  sqlite3_int64 nDone = 0;
  char *zErr = 0;
  int rc;
  if( migDirectOnly(ctx, zFunc) ) return;
  if( argc>0 && (zTarget = engineArg(ctx, argv, 0, zFunc, "target"))==0 ){
    return;
  }
  rc = migRun(p, eOp, zTarget, &nDone, 0, &zErr);
  if( engineResultError(ctx, rc, zErr) ) return;
  if( eOp==MIG_OP_STAMP ){
    char *zCur = 0;
    rc = engineCurrent(p, &zCur, &zErr);
    if( engineResultError(ctx, rc, zErr) ) return;
    sqlite3_result_text(ctx, zCur, -1, sqlite3_free);
  }else{
    sqlite3_result_int64(ctx, nDone);
  }
}

/* The SQL entry points of engineRunFunc(), one per operation. */
static void engineUpgradeFunc(sqlite3_context *c, int n, sqlite3_value **a){
  engineRunFunc(c, n, a, MIG_OP_UPGRADE, "migrate_upgrade");
}
static void engineDowngradeFunc(sqlite3_context *c, int n, sqlite3_value **a){
  engineRunFunc(c, n, a, MIG_OP_DOWNGRADE, "migrate_downgrade");
}
static void engineStampFunc(sqlite3_context *c, int n, sqlite3_value **a){
  engineRunFunc(c, n, a, MIG_OP_STAMP, "migrate_stamp");
}
static void engineCheckFunc(sqlite3_context *c, int n, sqlite3_value **a){
  engineRunFunc(c, n, a, MIG_OP_CHECK, "migrate_check");
}

/* migrate_current() */
static void engineCurrentFunc(sqlite3_context *ctx, int argc,
                              sqlite3_value **argv){
  MigConn *p = (MigConn*)sqlite3_user_data(ctx);
  char *zOut = 0, *zErr = 0;
  int rc;
  UNUSED(argc); UNUSED(argv);
  if( migDirectOnly(ctx, "migrate_current") ) return;
  rc = engineCurrent(p, &zOut, &zErr);
  if( engineResultError(ctx, rc, zErr) ) return;
  sqlite3_result_text(ctx, zOut, -1, sqlite3_free);
}

/* migrate_heads() */
static void engineHeadsFunc(sqlite3_context *ctx, int argc,
                            sqlite3_value **argv){
  MigConn *p = (MigConn*)sqlite3_user_data(ctx);
  MigGraph *g = 0;
  char *zErr = 0, *zOut;
  int rc;
  UNUSED(argc); UNUSED(argv);
  if( migDirectOnly(ctx, "migrate_heads") ) return;
  rc = migEngineLoad(p, 0, p->db, &g, 0, 0, &zErr);
  if( engineResultError(ctx, rc, zErr) ) return;
  zOut = migGraphHeadList(g);      /* NULL: no revisions (or no memory) */
  if( zOut ) sqlite3_result_text(ctx, zOut, -1, sqlite3_free);
  else if( g->nRev>0 ) sqlite3_result_error_nomem(ctx);
  migGraphFree(g);
}

/* migrate_verify() */
static void engineVerifyFunc(sqlite3_context *ctx, int argc,
                             sqlite3_value **argv){
  MigConn *p = (MigConn*)sqlite3_user_data(ctx);
  char *zOut = 0, *zErr = 0;
  int rc;
  UNUSED(argc); UNUSED(argv);
  if( migDirectOnly(ctx, "migrate_verify") ) return;
  rc = migEngineVerify(p, &zOut, &zErr);
  if( engineResultError(ctx, rc, zErr) ) return;
  sqlite3_result_text(ctx, zOut, -1, sqlite3_free);
}

/* migrate_sql(direction, target) */
static void engineSqlFunc(sqlite3_context *ctx, int argc,
                          sqlite3_value **argv){
  MigConn *p = (MigConn*)sqlite3_user_data(ctx);
  const char *zDir, *zTarget;
  char *zOut = 0, *zErr = 0;
  sqlite3_int64 n = 0;
  int rc, eOp;
  UNUSED(argc);
  if( migDirectOnly(ctx, "migrate_sql") ) return;
  zDir = engineArg(ctx, argv, 0, "migrate_sql", "direction");
  if( zDir==0 ) return;
  zTarget = engineArg(ctx, argv, 1, "migrate_sql", "target");
  if( zTarget==0 ) return;
  if( strcmp(zDir, "upgrade")==0 ) eOp = MIG_OP_SQL_UP;
  else if( strcmp(zDir, "downgrade")==0 ) eOp = MIG_OP_SQL_DOWN;
  else{
    sqlite3_result_error(ctx, "migrate_sql: the direction must be "
                         "'upgrade' or 'downgrade'", -1);
    return;
  }
  rc = migRun(p, eOp, zTarget, &n, &zOut, &zErr);
  if( engineResultError(ctx, rc, zErr) ) return;
  sqlite3_result_text(ctx, zOut, -1, sqlite3_free);
}

/* migrate_new(message [, revises]) */
static void engineNewFunc(sqlite3_context *ctx, int argc,
                          sqlite3_value **argv){
  MigConn *p = (MigConn*)sqlite3_user_data(ctx);
  const char *zMsg, *zRevises = 0;
  char *zPath = 0, *zErr = 0;
  int rc;
  if( migDirectOnly(ctx, "migrate_new") ) return;
  zMsg = engineArg(ctx, argv, 0, "migrate_new", "message");
  if( zMsg==0 ) return;
  if( argc>1 ){
    zRevises = engineArg(ctx, argv, 1, "migrate_new", "revises list");
    if( zRevises==0 ) return;
  }
  rc = engineNew(p, zMsg, zRevises, &zPath, &zErr);
  if( engineResultError(ctx, rc, zErr) ) return;
  sqlite3_result_text(ctx, zPath, -1, sqlite3_free);
}

/* The functions of this file. */
static const struct EngineFunc {
  const char *zName;           /* SQL name */
  int nArg;                    /* Number of arguments */
  void (*xFunc)(sqlite3_context*, int, sqlite3_value**);
} aEngineFunc[] = {
  { "migrate_upgrade",   0, engineUpgradeFunc },
  { "migrate_upgrade",   1, engineUpgradeFunc },
  { "migrate_downgrade", 1, engineDowngradeFunc },
  { "migrate_stamp",     1, engineStampFunc },
  { "migrate_current",   0, engineCurrentFunc },
  { "migrate_heads",     0, engineHeadsFunc },
  { "migrate_check",     0, engineCheckFunc },
  { "migrate_verify",    0, engineVerifyFunc },
  { "migrate_sql",       2, engineSqlFunc },
  { "migrate_new",       1, engineNewFunc },
  { "migrate_new",       2, engineNewFunc },
};

/*
** Register the functions and the migrations table. Every function is
** SQLITE_DIRECTONLY: each reads files from disk, writes the database or
** reveals its history, which a view or trigger of an untrusted database
** must not be able to make happen.
*/
int migEngineInit(sqlite3 *db){
  MigConn *p = migConnGet(db);
  size_t i;
  int rc = p ? SQLITE_OK : SQLITE_MISUSE;
  for(i=0; rc==SQLITE_OK && i<sizeof(aEngineFunc)/sizeof(aEngineFunc[0]); i++){
    rc = sqlite3_create_function(db, aEngineFunc[i].zName,
        aEngineFunc[i].nArg, SQLITE_UTF8|SQLITE_DIRECTONLY, p,
        aEngineFunc[i].xFunc, 0, 0);
  }
  if( rc==SQLITE_OK ) rc = migMigrationsVtabInit(db, p);
  return rc;
}

/********************************** C API **********************************/

/* The state of db, or NULL with *pzErr set. */
static MigConn *engineConn(sqlite3 *db, char **pzErr){
  MigConn *p = migConnGet(db);
  if( p==0 && pzErr ){
    *pzErr = sqlite3_mprintf("the migrate extension is not registered on "
                             "this connection");
  }
  return p;
}

/* Public API: see migrate.h. Registration stops at the first bad entry
** (the entries before it stay registered). */
MIGRATE_API int sqlite3_migrate_register(
  sqlite3 *db,
  const sqlite3_migration *aMig,
  int nMig,
  char **pzErr
){
  MigConn *p = engineConn(db, pzErr);
  int i, rc = SQLITE_OK;
  char *zErr = 0;
  if( p==0 ) return SQLITE_MISUSE;
  for(i=0; rc==SQLITE_OK && i<nMig; i++){
    MigRev r;
    memset(&r, 0, sizeof(r));
    r.zId = (char*)aMig[i].zRevision;
    r.zRevises = (char*)aMig[i].zDownRevision;
    r.zMessage = (char*)aMig[i].zMessage;
    r.zUp = (char*)aMig[i].zUp;
    r.zDown = (char*)aMig[i].zDown;
    rc = migEngineRegister(p, &r, &zErr);
  }
  if( pzErr ) *pzErr = zErr;
  else sqlite3_free(zErr);
  return rc;
}

/* Public API: see migrate.h. */
MIGRATE_API int sqlite3_migrate_upgrade(
  sqlite3 *db,
  const char *zTarget,
  int *pnApplied,
  char **pzErr
){
  MigConn *p = engineConn(db, pzErr);
  sqlite3_int64 n = 0;
  char *zErr = 0;
  int rc;
  if( p==0 ) return SQLITE_MISUSE;
  rc = migRun(p, MIG_OP_UPGRADE, zTarget, &n, 0, &zErr);
  if( pnApplied ) *pnApplied = (int)n;
  if( pzErr ) *pzErr = zErr;
  else sqlite3_free(zErr);
  return rc;
}

/* Public API: see migrate.h. */
MIGRATE_API int sqlite3_migrate_current(
  sqlite3 *db,
  char **pzCurrent,
  char **pzErr
){
  MigConn *p = engineConn(db, pzErr);
  char *zErr = 0;
  int rc;
  *pzCurrent = 0;
  if( p==0 ) return SQLITE_MISUSE;
  rc = engineCurrent(p, pzCurrent, &zErr);
  if( pzErr ) *pzErr = zErr;
  else sqlite3_free(zErr);
  return rc;
}
