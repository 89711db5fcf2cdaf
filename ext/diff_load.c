/*
** diff_load.c: the desired schema, validated by SQLite and read as a
** model, in time linear in its size.
**
** SQLite 3.40's CREATE scans the whole of sqlite_schema (and clears
** every table's foreign key cache) each time, so one database holding a
** 10,000-table schema costs time quadratic in it. migDiffLoad() runs the
** statements in chunks of about MIG_LOAD_CHUNK tables, each table
** together with its indexes and triggers in one scratch database, reads
** each chunk as a model and merges them. SQLite checks the same things
** either way: a CREATE VIEW or a trigger body is not resolved against
** other tables when it is created, only its own table must exist (and
** it is in the same chunk). Names must be unique across the chunks:
** that is checked on the merged model.
*/
#include "diff_int.h"
#include "alter_int.h"
#include "engine_int.h"
#include <string.h>
#include <stdlib.h>

#define MIG_LOAD_CHUNK 40      /* Tables per scratch database */

/* One chunk: a scratch database and the tables created in it. */
typedef struct LoadChunk LoadChunk;
struct LoadChunk {
  sqlite3 *db;                 /* Scratch database */
  int nTab;                    /* Tables created in it */
};

/* State of one load. */
typedef struct Load Load;
struct Load {
  int (*xOpen)(sqlite3**, char**);  /* Opens a scratch database */
  LoadChunk *aChunk;           /* Chunks */
  int nChunk;                  /* Number of chunks */
  char **azTab;                /* Table names seen (lowercase, owned) */
  int *aTabChunk;              /* Chunk of each */
  int nTab;                    /* Number of tables seen */
  char *zErr;                  /* Error message */
};

/* The name at token i of zSql, skipping "schema." (sqlite3_malloc'd). */
static char *loadName(const char *zSql, MigToken *aTok, int nTok, int i){
  if( i+2<nTok && aTok[i+1].eType==MIG_TK_DOT ) i += 2;
  if( i>=nTok || !migTokIsName(aTok[i].eType) ) return 0;
  return migTokName(zSql, &aTok[i]);
}

/*
** What statement zSql creates: *peKind 1 for a table, 2 for an index or
** trigger (on table *pzTab), 0 for anything else. *pzTab sqlite3_free'd
** by the caller. Transaction control gets *peKind -1 (skipped).
*/
static void loadKind(const char *zSql, int *peKind, char **pzTab){
  MigToken *aTok = 0;
  int nTok = 0, i;
  *peKind = 0;
  *pzTab = 0;
  if( migTokenize(zSql, &aTok, &nTok) || nTok==0 ){
    sqlite3_free(aTok);
    return;
  }
  if( migTokIsWord(zSql, &aTok[0], "BEGIN")
   || migTokIsWord(zSql, &aTok[0], "COMMIT")
   || migTokIsWord(zSql, &aTok[0], "END") ){
    *peKind = -1;
  }else if( migTokIsWord(zSql, &aTok[0], "CREATE") ){
    for(i=1; i<nTok && i<4; i++){
      if( migTokIsWord(zSql, &aTok[i], "TABLE") ){
        int j = i+1;
        if( j<nTok && migTokIsWord(zSql, &aTok[j], "IF") ) j += 3;
        *pzTab = loadName(zSql, aTok, nTok, j);
        *peKind = 1;
        break;
      }
      if( migTokIsWord(zSql, &aTok[i], "INDEX")
       || migTokIsWord(zSql, &aTok[i], "TRIGGER") ){
        int j;
        for(j=i+1; j<nTok && !migTokIsWord(zSql, &aTok[j], "ON"); j++){}
        *pzTab = loadName(zSql, aTok, nTok, j+1);
        *peKind = 2;
        break;
      }
    }
  }
  sqlite3_free(aTok);
}

/* The chunk of table zTab, or -1. */
static int loadFind(Load *p, const char *zTab){
  int i;
  for(i=p->nTab-1; zTab && i>=0; i--){
    if( sqlite3_stricmp(p->azTab[i], zTab)==0 ) return p->aTabChunk[i];
  }
  return -1;
}

/* The chunk for a new table: the last one, or a new one when it is
** full. Returns its index, or -1 with p->zErr set. */
static int loadChunkFor(Load *p){
  LoadChunk *aNew;
  int rc;
  if( p->nChunk>0 && p->aChunk[p->nChunk-1].nTab<MIG_LOAD_CHUNK ){
    return p->nChunk-1;
  }
  aNew = sqlite3_realloc64(p->aChunk, sizeof(LoadChunk)*(p->nChunk+1));
  if( aNew==0 ) return -1;
  p->aChunk = aNew;
  memset(&aNew[p->nChunk], 0, sizeof(LoadChunk));
  rc = p->xOpen(&aNew[p->nChunk].db, &p->zErr);
  if( rc==SQLITE_OK ) rc = sqlite3_exec(aNew[p->nChunk].db, "BEGIN", 0,0,0);
  p->nChunk++;
  return rc==SQLITE_OK ? p->nChunk-1 : -1;
}

/* Remember that table zTab (taken over) lives in chunk iChunk. */
static int loadAddTable(Load *p, char *zTab, int iChunk){
  char **azNew = sqlite3_realloc64(p->azTab, sizeof(char*)*(p->nTab+1));
  int *aNew = sqlite3_realloc64(p->aTabChunk, sizeof(int)*(p->nTab+1));
  if( azNew ) p->azTab = azNew;
  if( aNew ) p->aTabChunk = aNew;
  if( azNew==0 || aNew==0 ){ sqlite3_free(zTab); return SQLITE_NOMEM; }
  p->azTab[p->nTab] = zTab;
  p->aTabChunk[p->nTab++] = iChunk;
  p->aChunk[iChunk].nTab++;
  return SQLITE_OK;
}

/* Run one statement of the desired SQL in its chunk. */
static int loadStatement(Load *p, const char *zStmt){
  char *zTab = 0;
  int eKind, iChunk, rc = SQLITE_OK;
  loadKind(zStmt, &eKind, &zTab);
  if( eKind<0 ){ sqlite3_free(zTab); return SQLITE_OK; }
  iChunk = eKind==2 ? loadFind(p, zTab) : -1;
  if( iChunk<0 ) iChunk = loadChunkFor(p);
  if( iChunk<0 ){
    sqlite3_free(zTab);
    return p->zErr ? SQLITE_ERROR : SQLITE_NOMEM;
  }
  rc = sqlite3_exec(p->aChunk[iChunk].db, zStmt, 0, 0, 0);
  if( rc!=SQLITE_OK ){
    p->zErr = sqlite3_mprintf("%s", sqlite3_errmsg(p->aChunk[iChunk].db));
    sqlite3_free(zTab);
  }else if( eKind==1 && zTab ){
    rc = loadAddTable(p, zTab, iChunk);
  }else{
    sqlite3_free(zTab);
  }
  return rc;
}

/* True for objects sharing one namespace (all but triggers). */
static int loadShared(const MigMObj *o){ return o->eType!=MIG_OBJ_TRIGGER; }

/* Order of two object pointers by name, for the duplicate check. */
static int loadCmpName(const void *a, const void *b){
  return sqlite3_stricmp((*(const MigMObj**)a)->zName,
                         (*(const MigMObj**)b)->zName);
}

/* The first name two objects of pM share, as an error, or NULL. */
static char *loadDuplicate(const MigModel *pM){
  const MigMObj **ap = sqlite3_malloc64(sizeof(MigMObj*)*(pM->nObj+1));
  char *zErr = 0;
  int i, n = 0;
  static const char *azType[] = { "", "table", "index", "view", "trigger" };
  if( ap==0 ) return sqlite3_mprintf("out of memory");
  for(i=0; i<pM->nObj; i++){
    if( loadShared(&pM->aObj[i]) ) ap[n++] = &pM->aObj[i];
  }
  if( n>1 ) qsort(ap, n, sizeof(ap[0]), loadCmpName);
  for(i=1; i<n && zErr==0; i++){
    if( sqlite3_stricmp(ap[i-1]->zName, ap[i]->zName)==0 ){
      zErr = sqlite3_mprintf("%s %s already exists",
                             azType[ap[i]->eType], ap[i]->zName);
    }
  }
  sqlite3_free(ap);
  return zErr;
}

/* Read every chunk and merge the models into *ppModel. */
static int loadMerge(Load *p, MigModel **ppModel, char **pzErr){
  MigModel *pAll = sqlite3_malloc64(sizeof(MigModel));
  int rc = pAll ? SQLITE_OK : SQLITE_NOMEM, i, j;
  if( pAll ) memset(pAll, 0, sizeof(*pAll));
  for(i=0; rc==SQLITE_OK && i<p->nChunk; i++){
    MigModel *pOne = 0;
    MigMObj *aNew;
    rc = sqlite3_exec(p->aChunk[i].db, "COMMIT", 0, 0, 0);
    if( rc==SQLITE_OK ) rc = migModelRead(p->aChunk[i].db, "main", &pOne,
                                          pzErr);
    if( rc!=SQLITE_OK ) break;
    aNew = sqlite3_realloc64(pAll->aObj,
                             sizeof(MigMObj)*(pAll->nObj+pOne->nObj+1));
    if( aNew==0 ){ migModelFree(pOne); rc = SQLITE_NOMEM; break; }
    pAll->aObj = aNew;
    for(j=0; j<pOne->nObj; j++){
      aNew[pAll->nObj] = pOne->aObj[j];
      aNew[pAll->nObj++].iOrder += i*10000000;
    }
    sqlite3_free(pOne->aObj);
    sqlite3_free(pOne);
  }
  if( rc==SQLITE_OK ){
    migModelSort(pAll);
    *pzErr = loadDuplicate(pAll);
    if( *pzErr ) rc = SQLITE_ERROR;
  }
  if( rc==SQLITE_OK ) *ppModel = pAll; else migModelFree(pAll);
  return rc;
}

/*
** Run desired SQL zSql (file zFile, for messages) in scratch databases
** opened by xOpen and read it as one model *ppModel. Returns SQLITE_OK,
** or an error with *pzErr ("FILE: message").
*/
int migDiffLoad(const char *zSql, const char *zFile,
                int (*xOpen)(sqlite3**, char**), MigModel **ppModel,
                char **pzErr){
  Load s;
  MigSplit sp;
  char *zStmt = 0, *zErr = 0;
  int rc, iLine = 0, i;
  memset(&s, 0, sizeof(s));
  s.xOpen = xOpen;
  *ppModel = 0;
  rc = migSplitInit(&sp, zSql, 1);
  while( rc==SQLITE_OK
      && (rc = migSplitNext(&sp, &zStmt, &iLine))==SQLITE_ROW ){
    rc = loadStatement(&s, zStmt);
    sqlite3_free(zStmt);
  }
  migSplitFree(&sp);
  if( rc==SQLITE_DONE ) rc = loadChunkFor(&s)<0 ? SQLITE_NOMEM : SQLITE_OK;
  if( rc==SQLITE_OK ) rc = loadMerge(&s, ppModel, &zErr);
  if( rc!=SQLITE_OK ){
    const char *z = s.zErr ? s.zErr : zErr ? zErr : sqlite3_errstr(rc);
    *pzErr = sqlite3_mprintf("%s: %s", zFile ? zFile : "desired schema", z);
  }
  for(i=0; i<s.nChunk; i++) sqlite3_close(s.aChunk[i].db);
  for(i=0; i<s.nTab; i++) sqlite3_free(s.azTab[i]);
  sqlite3_free(s.aChunk);
  sqlite3_free(s.azTab);
  sqlite3_free(s.aTabChunk);
  sqlite3_free(s.zErr);
  sqlite3_free(zErr);
  return rc;
}
