/*
** stairway_state.c: records of database states and their comparison, for
** the migration tester (see stairway_int.h for the shape).
**
**   StwDirty d; StwState s0, s1;
**   migStwWatch(db, &d);                     authorizer marks written tables
**   migStwTake(db, 0, &d, &s0, &zErr);       the state now
**   ... run a migration ...
**   migStwTake(db, &s0, &d, &s1, &zErr);     rows recomputed where written
**   migStwDiff(&s0, &s1, &words, pOut, "r01 downgrade: ", &nDiff);
**
** What a state leaves out: sqlite_* objects, the bookkeeping tables
** (migrate_version, migrate_history and anything else named migrate_*)
** with their indexes, and the rows of virtual tables.
**
** Comparison: entries whose type, name and SQL text are equal are the
** same. Where the text differs, both texts are normalised (tokens, case,
** quoting and whitespace ignored); where that still differs, tables are
** created in a scratch in-memory database and compared column by column
** (PRAGMA table_xinfo) and foreign key by foreign key (PRAGMA
** foreign_key_list), so the difference is named ("column users.phone
** left behind"). Rows are compared by count and an order-independent
** hash of their values.
*/
#include "stairway_int.h"
#include "model.h"
#include <string.h>

/******************************* Dirty marks *******************************/

/* True if zName is in p (ASCII case-insensitive). */
static int stwHas(const StwNames *p, const char *zName){
  int i;
  for(i=0; i<p->n; i++){
    if( migNameEq(p->az[i], zName) ) return 1;
  }
  return 0;
}

/* Add zName to p once; *pRc set to SQLITE_NOMEM on failure. */
static void stwAdd(StwNames *p, const char *zName, int *pRc){
  char **azNew;
  if( zName==0 || stwHas(p, zName) ) return;
  azNew = sqlite3_realloc64(p->az, sizeof(char*)*(p->n+1));
  if( azNew==0 ){ *pRc = SQLITE_NOMEM; return; }
  p->az = azNew;
  azNew[p->n] = sqlite3_mprintf("%s", zName);
  if( azNew[p->n]==0 ){ *pRc = SQLITE_NOMEM; return; }
  p->n++;
}

/* Empty p. */
static void stwNamesClear(StwNames *p){
  int i;
  for(i=0; i<p->n; i++) sqlite3_free(p->az[i]);
  sqlite3_free(p->az);
  p->az = 0;
  p->n = 0;
}

/* True if z names the schema table itself. */
static int stwIsSchemaTable(const char *z){
  return z && (migNameEq(z, "sqlite_master") || migNameEq(z, "sqlite_schema"));
}

/*
** The authorizer: every statement prepared on the scratch connection
** names the tables it may write (top level, triggers and foreign key
** actions alike) and the objects it creates or drops. Marks are
** conservative (a statement prepared is taken as run). Nothing is refused.
*/
static int stwAuth(void *pArg, int eOp, const char *z1, const char *z2,
                   const char *z3, const char *z4){
  StwDirty *p = (StwDirty*)pArg;
  UNUSED(z3); UNUSED(z4);
  switch( eOp ){
    case SQLITE_INSERT: case SQLITE_UPDATE: case SQLITE_DELETE:
      /* sqlite_schema is written by every CREATE and DROP (marked below
      ** by name); by SQL only under PRAGMA writable_schema (bFull). */
      if( !stwIsSchemaTable(z1) ) stwAdd(&p->rows, z1, &p->rc);
      break;
    case SQLITE_CREATE_TABLE: case SQLITE_DROP_TABLE:
    case SQLITE_CREATE_VTABLE: case SQLITE_DROP_VTABLE:
      stwAdd(&p->rows, z1, &p->rc);
      stwAdd(&p->schema, z1, &p->rc);
      break;
    case SQLITE_CREATE_INDEX: case SQLITE_DROP_INDEX:
    case SQLITE_CREATE_TRIGGER: case SQLITE_DROP_TRIGGER:
      stwAdd(&p->schema, z1, &p->rc);
      stwAdd(&p->schema, z2, &p->rc);
      break;
    case SQLITE_CREATE_VIEW: case SQLITE_DROP_VIEW:
      stwAdd(&p->schema, z1, &p->rc);
      break;
    case SQLITE_ALTER_TABLE:
      stwAdd(&p->rows, z2, &p->rc);
      p->bFull = 1;
      break;
    case SQLITE_PRAGMA:
      if( z1 && migNameEq(z1, "writable_schema") ) p->bFull = 1;
      break;
  }
  return SQLITE_OK;
}

/* Start marking what is written on db in *pDirty (zeroed here). */
void migStwWatch(sqlite3 *db, StwDirty *pDirty){
  memset(pDirty, 0, sizeof(*pDirty));
  sqlite3_set_authorizer(db, stwAuth, pDirty);
}

/* Forget the marks (the authorizer stays). */
void migStwDirtyClear(StwDirty *p){
  stwNamesClear(&p->rows);
  stwNamesClear(&p->schema);
  p->bFull = 0;
}

/****************************** Fingerprints *******************************/

/* FNV-1a of n bytes of z, continuing from h. */
static sqlite3_uint64 stwFnv(sqlite3_uint64 h, const void *z, int n){
  const unsigned char *a = (const unsigned char*)z;
  int i;
  for(i=0; i<n; i++){ h ^= a[i]; h *= 0x100000001b3ULL; }
  return h;
}

/* Hash of the current row of pStmt. */
static sqlite3_uint64 stwRowHash(sqlite3_stmt *pStmt){
  sqlite3_uint64 h = 0xcbf29ce484222325ULL;
  int i, n = sqlite3_column_count(pStmt);
  for(i=0; i<n; i++){
    unsigned char t = (unsigned char)sqlite3_column_type(pStmt, i);
    h = stwFnv(h, &t, 1);
    if( t==SQLITE_INTEGER ){
      sqlite3_int64 v = sqlite3_column_int64(pStmt, i);
      h = stwFnv(h, &v, sizeof(v));
    }else if( t==SQLITE_FLOAT ){
      double v = sqlite3_column_double(pStmt, i);
      h = stwFnv(h, &v, sizeof(v));
    }else if( t!=SQLITE_NULL ){
      const void *z = sqlite3_column_blob(pStmt, i);
      int nz = sqlite3_column_bytes(pStmt, i);
      h = stwFnv(h, &nz, sizeof(nz));
      if( z ) h = stwFnv(h, z, nz);
    }
  }
  return h;
}

/* Count and hash the rows of table pObj->zName. */
static int stwRows(sqlite3 *db, StwObj *pObj, char **pzErr){
  sqlite3_stmt *pStmt = 0;
  int rc = migPrepare(db, &pStmt, "SELECT * FROM main.\"%w\"", pObj->zName);
  pObj->nRow = 0;
  pObj->h = 0;
  while( rc==SQLITE_OK && (rc = sqlite3_step(pStmt))==SQLITE_ROW ){
    pObj->nRow++;
    pObj->h += stwRowHash(pStmt);
    rc = SQLITE_OK;
  }
  if( rc==SQLITE_DONE ) rc = SQLITE_OK;
  if( rc!=SQLITE_OK ){
    *pzErr = sqlite3_mprintf("cannot read table %s: %s", pObj->zName,
                             sqlite3_errmsg(db));
  }
  sqlite3_finalize(pStmt);
  pObj->bRows = 1;
  return rc;
}

/******************************** States ***********************************/

/* Drop one reference to the strings of o. */
static void stwObjRelease(StwObj *o){
  if( o->pBlock && --o->pBlock[0]==0 ) sqlite3_free(o->pBlock);
  o->pBlock = 0;
}

/* *pTo becomes a copy of *pFrom sharing its strings. */
static void stwObjShare(StwObj *pTo, const StwObj *pFrom){
  *pTo = *pFrom;
  pTo->pBlock[0]++;
}

/* Free what p holds and empty it. */
void migStwFree(StwState *p){
  int i;
  for(i=0; i<p->nObj; i++) stwObjRelease(&p->aObj[i]);
  sqlite3_free(p->aObj);
  memset(p, 0, sizeof(*p));
}

/* Replace *pTo by *pFrom, which is left empty. */
int migStwMove(StwState *pTo, StwState *pFrom){
  migStwFree(pTo);
  *pTo = *pFrom;
  memset(pFrom, 0, sizeof(*pFrom));
  return SQLITE_OK;
}

/* Order of entries: type, then name (as sqlite_schema sorts them). */
static int stwCmp(const StwObj *a, const StwObj *b){
  int c = strcmp(a->zType, b->zType);
  return c ? c : strcmp(a->zName, b->zName);
}

/* True if o is an ordinary table whose rows are fingerprinted. */
static int stwHasRows(const StwObj *o){
  return strcmp(o->zType, "table")==0
      && sqlite3_strnicmp(o->zSql, "CREATE VIRTUAL", 14)!=0;
}

/* Copy one sqlite_schema row of pStmt into o (one counted block). */
static int stwObjLoad(sqlite3_stmt *pStmt, StwObj *o){
  const char *az[4];
  int an[4], i, n = 0;
  char *z;
  for(i=0; i<4; i++){
    az[i] = (const char*)sqlite3_column_text(pStmt, i);
    an[i] = az[i] ? sqlite3_column_bytes(pStmt, i) : 0;
    n += an[i]+1;
  }
  memset(o, 0, sizeof(*o));
  o->pBlock = sqlite3_malloc64(sizeof(sqlite3_int64) + n);
  if( o->pBlock==0 ) return SQLITE_NOMEM;
  o->pBlock[0] = 1;
  z = (char*)&o->pBlock[1];
  for(i=0; i<4; i++){
    if( an[i] ) memcpy(z, az[i], an[i]);
    z[an[i]] = 0;
    if( i==0 ) o->zType = z;
    if( i==1 ) o->zName = z;
    if( i==2 ) o->zTbl = z;
    if( i==3 ) o->zSql = z;
    z += an[i]+1;
  }
  return SQLITE_OK;
}

/* Append o to p, taking over its reference. */
static int stwPush(StwState *p, int *pnAlloc, StwObj *o){
  if( p->nObj==*pnAlloc ){
    int nNew = *pnAlloc ? 2*(*pnAlloc) : 64;
    StwObj *aNew = sqlite3_realloc64(p->aObj, sizeof(StwObj)*nNew);
    if( aNew==0 ){ stwObjRelease(o); return SQLITE_NOMEM; }
    p->aObj = aNew;
    *pnAlloc = nNew;
  }
  p->aObj[p->nObj++] = *o;
  return SQLITE_OK;
}

/* The filter every state query uses: what a state leaves out. */
#define STW_FILTER \
  "name NOT LIKE 'sqlite\\_%' ESCAPE '\\'" \
  " AND tbl_name NOT LIKE 'migrate\\_%' ESCAPE '\\' AND sql IS NOT NULL" \
  " AND tbl_name NOT IN ('alembic_version', 'schema_migrations'," \
  " 'goose_db_version', '_sqlx_migrations', '__diesel_schema_migrations'," \
  " 'flyway_schema_history', 'gorp_migrations')"

/* Read the entries zWhere selects (sorted) into *pOut. zWhere is tested
** first: it is the cheap test that drops most rows. */
static int stwRead(sqlite3 *db, const char *zWhere, StwState *pOut,
                   char **pzErr){
  sqlite3_stmt *pStmt = 0;
  int rc, nAlloc = 0;
  memset(pOut, 0, sizeof(*pOut));
  rc = migPrepare(db, &pStmt, "SELECT type, name, tbl_name, sql "
      "FROM main.sqlite_schema WHERE %s AND %s ORDER BY type, name",
      zWhere, STW_FILTER);
  while( rc==SQLITE_OK && sqlite3_step(pStmt)==SQLITE_ROW ){
    StwObj o;
    rc = stwObjLoad(pStmt, &o);
    if( rc==SQLITE_OK ) rc = stwPush(pOut, &nAlloc, &o);
  }
  if( rc==SQLITE_OK ){
    rc = sqlite3_finalize(pStmt);
    if( rc!=SQLITE_OK ) *pzErr = sqlite3_mprintf("%s", sqlite3_errmsg(db));
  }else{
    sqlite3_finalize(pStmt);
  }
  if( rc!=SQLITE_OK ) migStwFree(pOut);
  return rc;
}

/* "('a','b')" of the names in p (sqlite3_free), or NULL on OOM. */
static char *stwInList(const StwNames *p){
  sqlite3_str *pStr = sqlite3_str_new(0);
  int i;
  sqlite3_str_appendchar(pStr, 1, '(');
  for(i=0; i<p->n; i++) sqlite3_str_appendf(pStr, "%s%Q", i?",":"", p->az[i]);
  sqlite3_str_appendchar(pStr, 1, ')');
  return sqlite3_str_finish(pStr);
}

/*
** The schema entries of a state taken after pPrev: those of pPrev that no
** mark names (shared), merged with the marked ones read again.
*/
static int stwReadSome(sqlite3 *db, const StwState *pPrev,
                       const StwNames *pMarked, StwState *pOut,
                       char **pzErr){
  StwState fresh;
  char *zIn = stwInList(pMarked), *zWhere;
  int rc, i = 0, j = 0, nAlloc = 0;
  memset(pOut, 0, sizeof(*pOut));
  zWhere = zIn ? sqlite3_mprintf("(name IN %s OR tbl_name IN %s)", zIn, zIn)
               : 0;
  rc = zWhere ? stwRead(db, zWhere, &fresh, pzErr) : SQLITE_NOMEM;
  sqlite3_free(zIn);
  sqlite3_free(zWhere);
  if( rc!=SQLITE_OK ) return rc;
  while( rc==SQLITE_OK && (i<pPrev->nObj || j<fresh.nObj) ){
    const StwObj *a = i<pPrev->nObj ? &pPrev->aObj[i] : 0;
    StwObj o;
    if( a && (stwHas(pMarked, a->zName) || stwHas(pMarked, a->zTbl)) ){
      i++;
      continue;
    }
    if( j<fresh.nObj && (a==0 || stwCmp(&fresh.aObj[j], a)<0) ){
      o = fresh.aObj[j];
      fresh.aObj[j++].pBlock = 0;
    }else{
      stwObjShare(&o, a);
      i++;
    }
    rc = stwPush(pOut, &nAlloc, &o);
  }
  migStwFree(&fresh);
  if( rc!=SQLITE_OK ) migStwFree(pOut);
  return rc;
}

/*
** Take the state of db's main schema into *pOut. After pPrev (may be
** NULL) only the entries pDirty marks are read again (all of them when it
** cannot tell); row fingerprints are copied from pPrev for tables neither
** marked as written nor changed, and computed for the others. The marks
** are cleared. On error an SQLite code with *pzErr set.
*/
int migStwTake(sqlite3 *db, const StwState *pPrev, StwDirty *pDirty,
               StwState *pOut, char **pzErr){
  int rc = pDirty ? pDirty->rc : SQLITE_OK, i, j;
  memset(pOut, 0, sizeof(*pOut));
  if( rc==SQLITE_OK ){
    if( pPrev==0 || pDirty==0 || pDirty->bFull ){
      rc = stwRead(db, "1", pOut, pzErr);
    }else{
      rc = stwReadSome(db, pPrev, &pDirty->schema, pOut, pzErr);
    }
  }
  for(i=0, j=0; rc==SQLITE_OK && i<pOut->nObj; i++){
    StwObj *o = &pOut->aObj[i];
    const StwObj *pOld = 0;
    /* Both are sorted: walk pPrev alongside (shared blocks match at once) */
    while( pPrev && j<pPrev->nObj && pPrev->aObj[j].pBlock!=o->pBlock
        && stwCmp(&pPrev->aObj[j], o)<0 ){
      j++;
    }
    if( pPrev && j<pPrev->nObj && (pPrev->aObj[j].pBlock==o->pBlock
                                   || stwCmp(&pPrev->aObj[j], o)==0) ){
      pOld = &pPrev->aObj[j];
    }
    if( !stwHasRows(o) ) continue;
    if( pOld && pOld->bRows && (pOld->zSql==o->zSql
                                || strcmp(pOld->zSql, o->zSql)==0)
     && !(pDirty && stwHas(&pDirty->rows, o->zName)) ){
      o->bRows = 1;
      o->nRow = pOld->nRow;
      o->h = pOld->h;
    }else{
      rc = stwRows(db, o, pzErr);
    }
  }
  if( pDirty ) migStwDirtyClear(pDirty);
  if( rc!=SQLITE_OK ){
    migStwFree(pOut);
    if( *pzErr==0 ) *pzErr = sqlite3_mprintf("%s", sqlite3_errstr(rc));
  }
  return rc;
}

/****************************** Comparing **********************************/

/* True if the SQL of a and b means the same (normalised texts equal). */
static int stwSameSql(const char *zA, const char *zB, int *pRc){
  char *a, *b;
  int bSame;
  if( zA==zB || strcmp(zA, zB)==0 ) return 1;
  a = migModelNorm(zA);
  b = migModelNorm(zB);
  if( a==0 || b==0 ){
    *pRc = SQLITE_NOMEM;
    bSame = 0;
  }else{
    bSame = strcmp(a, b)==0;
  }
  sqlite3_free(a);
  sqlite3_free(b);
  return bSame;
}

/* Context of one comparison: where lines go and how they are worded. */
typedef struct StwOut StwOut;
struct StwOut {
  const StwWords *pW;          /* Words for the two sides */
  sqlite3_str *pOut;           /* Lines */
  const char *zPrefix;         /* Start of every line */
  int nDiff;                   /* Lines written */
  sqlite3 *dbN;                /* Scratch connection for models, or NULL */
};

/* Write one line: prefix, then printf-style text. */
static void stwLine(StwOut *o, const char *zFmt, ...){
  va_list ap;
  va_start(ap, zFmt);
  sqlite3_str_appendall(o->pOut, o->zPrefix);
  sqlite3_str_vappendf(o->pOut, zFmt, ap);
  sqlite3_str_appendall(o->pOut, "\n");
  va_end(ap);
  o->nDiff++;
}

/*
** The model (model.h) of table zName as zSql creates it on its own, in
** the scratch connection dbN (created, read, dropped). An SQLite code;
** an error when SQLite does not take zSql alone (the caller then
** compares text).
*/
static int stwModel(sqlite3 *dbN, const char *zName, const char *zSql,
                    MigModel **ppM){
  char *zErr = 0, *zDrop;
  int rc = sqlite3_exec(dbN, zSql, 0, 0, 0);
  *ppM = 0;
  if( rc==SQLITE_OK ) rc = migModelRead(dbN, "main", ppM, &zErr);
  sqlite3_free(zErr);
  zDrop = sqlite3_mprintf("DROP TABLE IF EXISTS main.\"%w\"", zName);
  if( zDrop ) sqlite3_exec(dbN, zDrop, 0, 0, 0);
  sqlite3_free(zDrop);
  if( rc==SQLITE_OK && (*ppM==0 || (*ppM)->nObj!=1) ) rc = SQLITE_ERROR;
  if( rc!=SQLITE_OK ){ migModelFree(*ppM); *ppM = 0; }
  return rc;
}

/* Columns of pA missing from pB, one line each worded zWord. */
static int stwColumns(StwOut *o, const MigMObj *pA, const MigMObj *pB,
                      const char *zWord){
  int i, n = 0;
  for(i=0; i<pA->nCol; i++){
    if( migModelCol(pB, pA->aCol[i].zName)<0 ){
      stwLine(o, "column %s.%s %s", pA->zName, pA->aCol[i].zName, zWord);
      n++;
    }
  }
  return n;
}

/*
** Write the model differences zDiff (lines of migModelDiff()), leaving
** out the column list line when the columns were named already, and
** wording "only in the first/second schema" with the words of this check.
*/
static int stwModelLines(StwOut *o, char *zDiff, int bColsNamed){
  char *z = zDiff;
  int rc = SQLITE_OK;
  while( z && *z ){
    char *zEol = strchr(z, '\n');
    char *zOnly;
    if( zEol ) *zEol = 0;
    zOnly = strstr(z, " only in the ");
    if( bColsNamed && strstr(z, ": columns: ") ){
      /* named column by column already */
    }else if( zOnly && strcmp(zOnly, " only in the first schema")==0 ){
      stwLine(o, "%.*s %s", (int)(zOnly-z), z, o->pW->zOnlyA);
    }else if( zOnly && strcmp(zOnly, " only in the second schema")==0 ){
      stwLine(o, "%.*s %s", (int)(zOnly-z), z, o->pW->zOnlyB);
    }else{
      stwLine(o, "%s", z);
    }
    z = zEol ? zEol+1 : 0;
  }
  return rc;
}

/* Compare the rows of table a (in A) and b (in B), same definition. */
static void stwRowDiff(StwOut *o, const StwObj *a, const StwObj *b){
  if( !a->bRows || !b->bRows ) return;
  const StwWords *w = o->pW;
  if( b->nRow < a->nRow ){
    stwLine(o, "table %s: %lld row%s %s (%lld %s, %lld %s)", a->zName,
            a->nRow-b->nRow, a->nRow-b->nRow==1 ? "" : "s", w->zOnlyA,
            a->nRow, w->zA, b->nRow, w->zB);
  }else if( b->nRow > a->nRow ){
    stwLine(o, "table %s: %lld row%s %s (%lld %s, %lld %s)", a->zName,
            b->nRow-a->nRow, b->nRow-a->nRow==1 ? "" : "s", w->zOnlyB,
            a->nRow, w->zA, b->nRow, w->zB);
  }else if( a->h!=b->h ){
    stwLine(o, "table %s: rows changed (%lld rows, different values)",
            a->zName, a->nRow);
  }
}

/*
** Name what differs between two versions of one table: its columns
** (lost, left behind) and, through the schema model, every other
** attribute; when nothing differs but the text, their rows. An SQLite
** code.
*/
static int stwTableDiff(StwOut *o, const StwObj *a, const StwObj *b){
  MigModel *mA = 0, *mB = 0;
  char *zDiff = 0;
  int rc = SQLITE_OK, nBefore = o->nDiff, nCol = 0;
  if( o->dbN==0 ){
    rc = sqlite3_open(":memory:", &o->dbN);
    if( rc!=SQLITE_OK ) return rc;
  }
  if( stwModel(o->dbN, a->zName, a->zSql, &mA)==SQLITE_OK
   && stwModel(o->dbN, b->zName, b->zSql, &mB)==SQLITE_OK ){
    nCol = stwColumns(o, &mA->aObj[0], &mB->aObj[0], o->pW->zOnlyA);
    nCol += stwColumns(o, &mB->aObj[0], &mA->aObj[0], o->pW->zOnlyB);
    rc = migModelDiff(mA, mB, 1, &zDiff);
    if( rc==SQLITE_OK ) rc = stwModelLines(o, zDiff, nCol>0);
    sqlite3_free(zDiff);
  }else{
    char *zA = migModelNorm(a->zSql), *zB = migModelNorm(b->zSql);
    if( zA && zB && strcmp(zA, zB)!=0 ){
      stwLine(o, "table %s changed: %s -> %s", a->zName, zA, zB);
    }else if( zA==0 || zB==0 ){
      rc = SQLITE_NOMEM;
    }
    sqlite3_free(zA);
    sqlite3_free(zB);
  }
  migModelFree(mA);
  migModelFree(mB);
  if( rc==SQLITE_OK && o->nDiff==nBefore && o->pW->bRows ){
    stwRowDiff(o, a, b);
  }
  return rc;
}

/* Compare one object present in both states. */
static int stwObjDiff(StwOut *o, const StwObj *a, const StwObj *b){
  int rc = SQLITE_OK;
  if( !stwSameSql(a->zSql, b->zSql, &rc) ){
    if( rc ) return rc;
    if( strcmp(a->zType, "table")==0 ) return stwTableDiff(o, a, b);
    {
      char *zA = migModelNorm(a->zSql), *zB = migModelNorm(b->zSql);
      if( zA && zB ){
        stwLine(o, "%s %s changed: %s -> %s", a->zType, a->zName, zA, zB);
      }else{
        rc = SQLITE_NOMEM;
      }
      sqlite3_free(zA);
      sqlite3_free(zB);
    }
    return rc;
  }
  if( o->pW->bRows ) stwRowDiff(o, a, b);
  return rc;
}

/*
** Compare state A with state B. One line per difference is appended to
** pOut, each starting with zPrefix, worded with pW ("index ix left
** behind", "column users.email lost", "table t: 3 rows lost (3 before,
** 0 after)"); *pnDiff gets the number of lines. Returns an SQLite code.
*/
int migStwDiff(const StwState *pA, const StwState *pB, const StwWords *pW,
               sqlite3_str *pOut, const char *zPrefix, int *pnDiff){
  StwOut o;
  int i = 0, j = 0, rc = SQLITE_OK;
  memset(&o, 0, sizeof(o));
  o.pW = pW;
  o.pOut = pOut;
  o.zPrefix = zPrefix;
  while( rc==SQLITE_OK && (i<pA->nObj || j<pB->nObj) ){
    const StwObj *a = i<pA->nObj ? &pA->aObj[i] : 0;
    const StwObj *b = j<pB->nObj ? &pB->aObj[j] : 0;
    int c = a==0 ? 1 : b==0 ? -1 : stwCmp(a, b);
    if( c<0 ){
      stwLine(&o, "%s %s %s", a->zType, a->zName, pW->zOnlyA);
      i++;
    }else if( c>0 ){
      stwLine(&o, "%s %s %s", b->zType, b->zName, pW->zOnlyB);
      j++;
    }else{
      rc = stwObjDiff(&o, a, b);
      i++; j++;
    }
  }
  if( o.dbN ) sqlite3_close(o.dbN);
  if( rc==SQLITE_OK ) rc = sqlite3_str_errcode(pOut);
  *pnDiff = o.nDiff;
  return rc;
}
