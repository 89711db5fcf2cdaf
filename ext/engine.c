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
**   migrate_format([dir])           -> the directory's format (format.c)
**   migrate_config(key [, value])   -> a setting (config.c)
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
  int bShared;                 /* Use aShared instead of the directory */
  int nShared;                 /* Number of shared revisions */
  const MigRev *aShared;       /* Scripts loaded once (not owned) */
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

/* A new, empty engine state for p (which had none); NULL: no memory. */
static MigEngine *engineState(MigConn *p){
  MigEngine *e = sqlite3_malloc64(sizeof(*e));
  if( e==0 ) return 0;
  memset(e, 0, sizeof(*e));
  p->pEngine = e;
  p->xEngineFree = engineFree;
  return e;
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
    return migErrorf(pzErr, SQLITE_ERROR,
                     "a registered revision needs a revision id");
  }
  if( pRev->zUp==0 ){
    return migErrorf(pzErr, SQLITE_ERROR, "revision %s: the up SQL is "
                     "missing", pRev->zId);
  }
  if( e==0 && (e = engineState(p))==0 ) return SQLITE_NOMEM;
  for(i=0; i<e->nReg; i++){
    if( strcmp(e->aReg[i].zId, pRev->zId)==0 ){
      return migErrorf(pzErr, SQLITE_ERROR, "revision %s is already "
                       "registered", pRev->zId);
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

/*
** The fleet's hook. From now on migEngineLoad(p, NULL, ...) works from
** copies of the nRev revisions aRev (as migScriptsLoad() returns them)
** instead of reading p's directory, so scripts parsed once can serve the
** connections of many threads: aRev is only read, never changed, and the
** caller keeps it alive while p uses it. SQLITE_OK or SQLITE_NOMEM.
*/
int migEngineShareScripts(MigConn *p, const MigRev *aRev, int nRev){
  MigEngine *e = (MigEngine*)p->pEngine;
  if( e==0 && (e = engineState(p))==0 ) return SQLITE_NOMEM;
  e->bShared = 1;
  e->aShared = aRev;
  e->nShared = nRev;
  return SQLITE_OK;
}

/* Copies of the shared scripts of e in a new array *paRev of *pnRev. */
static int engineSharedCopy(MigEngine *e, MigRev **paRev, int *pnRev){
  int i, rc = SQLITE_OK;
  *paRev = sqlite3_malloc64(sizeof(MigRev)*(e->nShared+1));
  *pnRev = 0;
  if( *paRev==0 ) return SQLITE_NOMEM;
  for(i=0; rc==SQLITE_OK && i<e->nShared; i++){
    rc = migRevCopy(&(*paRev)[i], &e->aShared[i]);
    if( rc==SQLITE_OK ) (*pnRev)++;
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

/*
** The one applied-set helper: *paApplied gets g->nRev+1 marks, 1 for the
** revisions of aCur and all their ancestors (sqlite3_free it). Returns
** SQLITE_OK or SQLITE_NOMEM (*paApplied NULL).
*/
int migEngineApplied(MigGraph *g, const int *aCur, int nCur,
                     char **paApplied){
  char *a = sqlite3_malloc64(g->nRev+1);
  *paApplied = a;
  if( a==0 ) return SQLITE_NOMEM;
  memset(a, 0, g->nRev+1);
  migGraphAncestors(g, aCur, nCur, a);
  return SQLITE_OK;
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
  int nRev = 0, nId = 0, bAlembic = 0, rc, eFmt = 0;
  char **azId = 0;
  *ppG = 0;
  if( paCur ){ *paCur = 0; *pnCur = 0; }
  if( p->pGraphLent && zDir==0 ){
    return engineLoadLent(p, db, ppG, paCur, pnCur, pzErr);
  }
  if( zDir==0 && e && e->bShared ){
    rc = engineSharedCopy(e, &aRev, &nRev);
  }else if( zDir || !e || e->nReg==0 || migConnDirSet(p) ){
    /* Registered revisions are used alone unless a directory was set */
    rc = migFormatLoad(p, zDir ? zDir : migConnDir(p), db, e && e->nReg>0,
                       &aRev, &nRev, &eFmt, pzErr);
  }else{
    rc = SQLITE_OK;
  }
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
    if( rc==SQLITE_OK ){       /* The old tool's table may say otherwise */
      rc = migPeerCurrent(p, db, *ppG, paCur, pnCur, pzErr);
      if( rc!=SQLITE_OK ){ sqlite3_free(*paCur); *paCur = 0; *pnCur = 0; }
    }
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
  if( bAlembic || migPeerAny(p->db) ){
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

/*
** Append "line\n" problems of applied revisions (drift, missing files).
** Returns SQLITE_OK, or the error of a check that could not run.
*/
static int engineVerifyRevs(MigConn *p, MigGraph *g, const int *aCur,
                            int nCur, sqlite3_str *pStr){
  char *aApplied = 0;
  sqlite3_int64 bHist = 0;     /* migrate_history exists (not adopted) */
  int i, rc = migEngineApplied(g, aCur, nCur, &aApplied);
  if( rc!=SQLITE_OK ) return rc;
  rc = migQueryInt(p->db, &bHist, "SELECT count(*) FROM main.sqlite_schema "
                   "WHERE type='table' AND name='migrate_history'");
  for(i=0; rc==SQLITE_OK && i<g->nRev; i++){
    MigRev *r = &g->aRev[g->aOrder[i]];
    char *zSum;
    if( !aApplied[g->aOrder[i]] ) continue;
    if( r->eSource==MIG_SRC_HISTORY ){
      sqlite3_str_appendf(pStr, "missing: revision %s is applied but has "
                          "no file\n", r->zId);
      continue;
    }
    zSum = bHist ? migBookLast(p->db, r->zId, "checksum", &rc) : 0;
    if( zSum && r->zChecksum && strcmp(zSum, r->zChecksum)!=0 ){
      char *zLabel = migRevLabel(r);
      if( zLabel==0 ) rc = SQLITE_NOMEM;
      sqlite3_str_appendf(pStr, "drift: %s changed since revision %s was "
                          "applied\n", zLabel, r->zId);
      sqlite3_free(zLabel);
    }
    sqlite3_free(zSum);
  }
  sqlite3_free(aApplied);
  return rc;
}

/*
** Append a line "zPrefix: ..." per row of PRAGMA zPragma (on main) that
** reports a problem. Returns SQLITE_OK or the error of the pragma.
*/
static int engineVerifyPragma(sqlite3 *db, const char *zPragma,
                              sqlite3_str *pStr){
  sqlite3_stmt *pStmt = 0;
  int bFk = strcmp(zPragma, "foreign_key_check")==0;
  int rc = migPrepare(db, &pStmt, "PRAGMA main.%s", zPragma);
  while( rc==SQLITE_OK && sqlite3_step(pStmt)==SQLITE_ROW ){
    const char *z = (const char*)sqlite3_column_text(pStmt, 0);
    if( bFk ){
      sqlite3_str_appendf(pStr, "foreign_key_check: %s row %lld references "
          "%s\n", z, sqlite3_column_int64(pStmt, 1),
          sqlite3_column_text(pStmt, 2));
    }else if( z && strcmp(z, "ok")!=0 ){
      sqlite3_str_appendf(pStr, "%s: %s\n", zPragma, z);
    }
  }
  if( rc==SQLITE_OK ) rc = sqlite3_finalize(pStmt);
  return rc;
}

/*
** migrate_verify(): "ok", or one problem per line in *pzOut. A check
** that cannot run (I/O error, out of memory) is an error with *pzErr.
*/
int migEngineVerify(MigConn *p, char **pzOut, char **pzErr){
  MigGraph *g = 0;
  int *aCur = 0, nCur = 0, n;
  sqlite3_str *pStr;
  int rc = migEngineLoad(p, 0, p->db, &g, &aCur, &nCur, pzErr);
  *pzOut = 0;
  if( rc!=SQLITE_OK ) return rc;
  pStr = sqlite3_str_new(0);
  rc = engineVerifyRevs(p, g, aCur, nCur, pStr);
  if( rc==SQLITE_OK ) rc = engineVerifyPragma(p->db, "integrity_check", pStr);
  if( rc==SQLITE_OK ){
    rc = engineVerifyPragma(p->db, "foreign_key_check", pStr);
  }
  sqlite3_free(aCur);
  migGraphFree(g);
  if( rc!=SQLITE_OK && rc!=SQLITE_NOMEM ){
    *pzErr = sqlite3_mprintf("migrate_verify: %s", sqlite3_errmsg(p->db));
  }
  if( rc==SQLITE_OK ) rc = sqlite3_str_errcode(pStr);
  n = sqlite3_str_length(pStr);
  *pzOut = sqlite3_str_finish(pStr);
  if( rc!=SQLITE_OK ){
    sqlite3_free(*pzOut);
    *pzOut = 0;
    return rc;
  }
  if( n==0 ){
    sqlite3_free(*pzOut);
    *pzOut = sqlite3_mprintf("ok");
  }else if( *pzOut ){
    (*pzOut)[n-1] = 0;
  }
  return *pzOut ? SQLITE_OK : SQLITE_NOMEM;
}

/******************************** migrate_new ******************************/

/* File-name slug of zMsg, as Alembic makes it: the words (ASCII letters
** and Latin-1 letters lowercased, digits, and any other non-ASCII UTF-8
** character kept whole)
** joined by "_"; at most 40 bytes, never cutting a character. */
static char *engineSlug(const char *zMsg){
  char zBuf[41];
  int n = 0, i;
  for(i=0; zMsg[i] && n<40; i++){
    unsigned char c = (unsigned char)zMsg[i];
    if( c>='A' && c<='Z' ) c += 'a'-'A';
    if( c>=0xc0 ){
      int nChar = 1;
      while( (zMsg[i+nChar]&0xc0)==0x80 ) nChar++;
      if( n+nChar>40 ) break;
      memcpy(&zBuf[n], &zMsg[i], nChar);
      /* Latin-1 capitals (U+00C0..U+00DE but U+00D7) to small letters */
      if( c==0xc3 && nChar==2 && (unsigned char)zBuf[n+1]>=0x80
       && (unsigned char)zBuf[n+1]<=0x9e && (unsigned char)zBuf[n+1]!=0x97 ){
        zBuf[n+1] = (char)(zBuf[n+1]+0x20);
      }
      n += nChar;
      i += nChar-1;
    }else if( (c>='a' && c<='z') || (c>='0' && c<='9') ){
      zBuf[n++] = (char)c;
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
  const char *z = zRevises, *zItem;
  int nTok;
  while( rc==SQLITE_OK && z && (zItem = migListNext(&z, &nTok))!=0 ){
    int *aOut = 0, nOut = 0;
    char *zTok = sqlite3_mprintf("%.*s", nTok, zItem);
    rc = zTok ? migGraphRevisions(g, zTok, &aOut, &nOut, pzErr)
              : SQLITE_NOMEM;
    for(i=0; rc==SQLITE_OK && i<nOut; i++){
      sqlite3_str_appendf(pStr, "%s%s", n++ ? ", " : "",
                          g->aRev[aOut[i]].zId);
    }
    sqlite3_free(aOut);
    sqlite3_free(zTok);
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

/* Why zMsg is not a usable message (one line of text, not blank, at
** most 200 bytes), or NULL when it is. */
static const char *engineMessageBad(const char *zMsg){
  int i, bText = 0;
  for(i=0; zMsg[i]; i++){
    if( (unsigned char)zMsg[i]<0x20 ){
      return "the message must be one line (no newline or control "
             "character)";
    }
    if( zMsg[i]!=' ' ) bText = 1;
  }
  if( !bText ){
    return "the message is empty: give the revision a short description, "
           "e.g. \"add users\"";
  }
  if( i>200 ) return "the message is longer than 200 bytes";
  return 0;
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
  if( engineMessageBad(zMsg) ){
    *pzErr = sqlite3_mprintf("migrate_new: %s", engineMessageBad(zMsg));
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

/*
** Options of a run started from SQL or the C API: the connection's own
** log, progress and confirm callbacks (sqlite3_migrate_log() & co).
*/
void migRunOptsInit(MigRunOpts *o, MigConn *p, int eOp,
                    const char *zTarget){
  memset(o, 0, sizeof(*o));
  o->eOp = eOp;
  o->zTarget = zTarget;
  o->xLog = p->xLog;
  o->pLogArg = p->pLogArg;
  o->xProgress = p->xProgress;
  o->pProgressArg = p->pProgressArg;
  o->xConfirm = p->xConfirm;
  o->pConfirmArg = p->pConfirmArg;
}

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
  MigRunOpts o;
  int rc;
  if( migDirectOnly(ctx, zFunc) ) return;
  if( argc>0 && (zTarget = engineArg(ctx, argv, 0, zFunc, "target"))==0 ){
    return;
  }
  migRunOptsInit(&o, p, eOp, zTarget);
  rc = migRun(p->db, &o, &nDone, 0, &zErr);
  if( engineResultError(ctx, rc, zErr) ) return;
  if( eOp==MIG_RUN_STAMP ){
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
  engineRunFunc(c, n, a, MIG_RUN_UPGRADE, "migrate_upgrade");
}
static void engineDowngradeFunc(sqlite3_context *c, int n, sqlite3_value **a){
  engineRunFunc(c, n, a, MIG_RUN_DOWNGRADE, "migrate_downgrade");
}
static void engineStampFunc(sqlite3_context *c, int n, sqlite3_value **a){
  engineRunFunc(c, n, a, MIG_RUN_STAMP, "migrate_stamp");
}
static void engineCheckFunc(sqlite3_context *c, int n, sqlite3_value **a){
  engineRunFunc(c, n, a, MIG_RUN_CHECK, "migrate_check");
}

/*
** The body of a function zFunc() without arguments whose result is the
** text xText(p, &zOut, &zErr) makes (SQL NULL when zOut stays NULL).
*/
static void engineTextFunc(sqlite3_context *ctx, const char *zFunc,
                           int (*xText)(MigConn*, char**, char**)){
  MigConn *p = (MigConn*)sqlite3_user_data(ctx);
  char *zOut = 0, *zErr = 0;
  int rc;
  if( migDirectOnly(ctx, zFunc) ) return;
  rc = xText(p, &zOut, &zErr);
  if( engineResultError(ctx, rc, zErr) ) return;
  sqlite3_result_text(ctx, zOut, -1, sqlite3_free);
}

/* migrate_current() */
static void engineCurrentFunc(sqlite3_context *ctx, int argc,
                              sqlite3_value **argv){
  UNUSED(argc); UNUSED(argv);
  engineTextFunc(ctx, "migrate_current", engineCurrent);
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
  UNUSED(argc); UNUSED(argv);
  engineTextFunc(ctx, "migrate_verify", migEngineVerify);
}

/* migrate_sql(direction, target) */
static void engineSqlFunc(sqlite3_context *ctx, int argc,
                          sqlite3_value **argv){
  MigConn *p = (MigConn*)sqlite3_user_data(ctx);
  const char *zDir, *zTarget;
  char *zOut = 0, *zErr = 0;
  sqlite3_int64 n = 0;
  MigRunOpts o;
  int rc, eOp;
  UNUSED(argc);
  if( migDirectOnly(ctx, "migrate_sql") ) return;
  zDir = engineArg(ctx, argv, 0, "migrate_sql", "direction");
  if( zDir==0 ) return;
  zTarget = engineArg(ctx, argv, 1, "migrate_sql", "target");
  if( zTarget==0 ) return;
  if( strcmp(zDir, "upgrade")==0 ) eOp = MIG_RUN_SQL_UP;
  else if( strcmp(zDir, "downgrade")==0 ) eOp = MIG_RUN_SQL_DOWN;
  else{
    sqlite3_result_error(ctx, "migrate_sql: the direction must be "
                         "'upgrade' or 'downgrade'", -1);
    return;
  }
  migRunOptsInit(&o, p, eOp, zTarget);
  rc = migRun(p->db, &o, &n, &zOut, &zErr);
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
  { "migrate_format",    0, migFormatFunc },
  { "migrate_format",    1, migFormatFunc },
  { "migrate_config",    1, migConfigFunc },
  { "migrate_config",    2, migConfigFunc },
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
  if( p==0 ){
    migErrorf(pzErr, SQLITE_MISUSE, "the migrate extension is not "
              "registered on this connection");
  }
  return p;
}

/* Hand zErr to the caller through pzErr (NULL: free it). Returns rc. */
static int engineApiErr(int rc, char *zErr, char **pzErr){
  if( pzErr ) *pzErr = zErr;
  else sqlite3_free(zErr);
  return rc;
}

/*
** One run for the C API: operation eOp toward zTarget with the
** connection's callbacks; *pnDone (if not NULL) and *pzOut (offline)
** as migRun() sets them.
*/
static int engineApiRun(sqlite3 *db, int eOp, const char *zTarget,
                        sqlite3_int64 *pnDone, char **pzOut, char **pzErr){
  MigConn *p;
  MigRunOpts o;
  sqlite3_int64 n = 0;
  char *zErr = 0;
  int rc;
  if( pzErr ) *pzErr = 0;
  if( pzOut ) *pzOut = 0;
  if( pnDone ) *pnDone = 0;
  if( (p = engineConn(db, pzErr))==0 ) return SQLITE_MISUSE;
  migRunOptsInit(&o, p, eOp, zTarget);
  rc = migRun(db, &o, &n, pzOut, &zErr);
  if( pnDone ) *pnDone = n;
  return engineApiErr(rc, zErr, pzErr);
}

/* Drop the registered revisions from index nKeep on. */
static void engineUnregister(MigConn *p, int nKeep){
  MigEngine *e = (MigEngine*)p->pEngine;
  while( e && e->nReg>nKeep ) migRevClear(&e->aReg[--e->nReg]);
}

/* Public within the extension: see migrate_run.h. */
int migRunVerify(sqlite3 *db, char **pzOut, char **pzErr){
  MigConn *p = engineConn(db, pzErr);
  *pzOut = 0;
  return p ? migEngineVerify(p, pzOut, pzErr) : SQLITE_MISUSE;
}

/* Public API: see migrate.h. All or nothing. */
MIGRATE_API int sqlite3_migrate_register(
  sqlite3 *db,
  const sqlite3_migration *aMig,
  int nMig,
  char **pzErr
){
  MigConn *p;
  int i, nKeep, rc = SQLITE_OK;
  char *zErr = 0;
  if( pzErr ) *pzErr = 0;
  if( (p = engineConn(db, pzErr))==0 ) return SQLITE_MISUSE;
  if( nMig<0 || (nMig>0 && aMig==0) ){
    return migErrorf(pzErr, SQLITE_MISUSE, "sqlite3_migrate_register: no "
                     "array of %d migrations", nMig);
  }
  nKeep = p->pEngine ? ((MigEngine*)p->pEngine)->nReg : 0;
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
  if( rc!=SQLITE_OK ) engineUnregister(p, nKeep);
  return engineApiErr(rc, zErr, pzErr);
}

/* Public API: see migrate.h. */
MIGRATE_API int sqlite3_migrate_upgrade(
  sqlite3 *db,
  const char *zTarget,
  int *pnApplied,
  char **pzErr
){
  sqlite3_int64 n = 0;
  int rc = engineApiRun(db, MIG_RUN_UPGRADE, zTarget, &n, 0, pzErr);
  if( pnApplied ) *pnApplied = (int)n;
  return rc;
}

/* Public API: see migrate.h. */
MIGRATE_API int sqlite3_migrate_downgrade(
  sqlite3 *db,
  const char *zTarget,
  int *pnReverted,
  char **pzErr
){
  sqlite3_int64 n = 0;
  int rc;
  if( pzErr ) *pzErr = 0;
  if( zTarget==0 ){
    if( pnReverted ) *pnReverted = 0;
    return migErrorf(pzErr, SQLITE_MISUSE,
                     "sqlite3_migrate_downgrade: the target is required");
  }
  rc = engineApiRun(db, MIG_RUN_DOWNGRADE, zTarget, &n, 0, pzErr);
  if( pnReverted ) *pnReverted = (int)n;
  return rc;
}

/* Public API: see migrate.h. */
MIGRATE_API int sqlite3_migrate_stamp(
  sqlite3 *db,
  const char *zTarget,
  char **pzErr
){
  if( pzErr ) *pzErr = 0;
  if( zTarget==0 ){
    return migErrorf(pzErr, SQLITE_MISUSE,
                     "sqlite3_migrate_stamp: the target is required");
  }
  return engineApiRun(db, MIG_RUN_STAMP, zTarget, 0, 0, pzErr);
}

/* Public API: see migrate.h. */
MIGRATE_API int sqlite3_migrate_check(
  sqlite3 *db,
  int *pnPending,
  char **pzErr
){
  sqlite3_int64 n = 0;
  int rc = engineApiRun(db, MIG_RUN_CHECK, 0, &n, 0, pzErr);
  if( pnPending ) *pnPending = (int)n;
  return rc;
}

/* Public API: see migrate.h. */
MIGRATE_API int sqlite3_migrate_sql(
  sqlite3 *db,
  int bDowngrade,
  const char *zTarget,
  char **pzSql,
  char **pzErr
){
  *pzSql = 0;
  if( pzErr ) *pzErr = 0;
  if( bDowngrade && zTarget==0 ){
    return migErrorf(pzErr, SQLITE_MISUSE,
                     "sqlite3_migrate_sql: a downgrade needs a target");
  }
  return engineApiRun(db, bDowngrade ? MIG_RUN_SQL_DOWN : MIG_RUN_SQL_UP,
                      zTarget, 0, pzSql, pzErr);
}

/* Public API: see migrate.h. */
MIGRATE_API int sqlite3_migrate_verify(
  sqlite3 *db,
  char **pzReport,
  char **pzErr
){
  char *zErr = 0;
  int rc;
  if( pzErr ) *pzErr = 0;
  rc = migRunVerify(db, pzReport, &zErr);
  return engineApiErr(rc, zErr, pzErr);
}

/* Public API: see migrate.h. */
MIGRATE_API int sqlite3_migrate_current(
  sqlite3 *db,
  char **pzCurrent,
  char **pzErr
){
  MigConn *p;
  char *zErr = 0;
  *pzCurrent = 0;
  if( pzErr ) *pzErr = 0;
  if( (p = engineConn(db, pzErr))==0 ) return SQLITE_MISUSE;
  return engineApiErr(engineCurrent(p, pzCurrent, &zErr), zErr, pzErr);
}

/* Public API: see migrate.h. */
MIGRATE_API int sqlite3_migrate_dir(sqlite3 *db, const char *zDir){
  MigConn *p = migConnGet(db);
  return p ? migConnSetDir(p, zDir) : SQLITE_MISUSE;
}

/* Public API: see migrate.h. */
MIGRATE_API int sqlite3_migrate_log(
  sqlite3 *db,
  void (*xLog)(void*, const char *zLine),
  void *pArg
){
  MigConn *p = migConnGet(db);
  if( p==0 ) return SQLITE_MISUSE;
  p->xLog = xLog;
  p->pLogArg = pArg;
  return SQLITE_OK;
}

/* Public API: see migrate.h. */
MIGRATE_API int sqlite3_migrate_progress(
  sqlite3 *db,
  void (*xProgress)(void*, sqlite3_int64 nDone, sqlite3_int64 nTotal),
  void *pArg
){
  MigConn *p = migConnGet(db);
  if( p==0 ) return SQLITE_MISUSE;
  p->xProgress = xProgress;
  p->pProgressArg = pArg;
  return SQLITE_OK;
}

/* Public API: see migrate.h. */
MIGRATE_API int sqlite3_migrate_confirm(
  sqlite3 *db,
  int (*xConfirm)(void*, const char *zDataLossLines),
  void *pArg
){
  MigConn *p = migConnGet(db);
  if( p==0 ) return SQLITE_MISUSE;
  p->xConfirm = xConfirm;
  p->pConfirmArg = pArg;
  return SQLITE_OK;
}
