/*
** migrations_vtab.c: the "migrations" eponymous virtual table.
**
**   SELECT * FROM migrations;                 -- the connection's directory
**   SELECT * FROM migrations('other/dir');    -- another directory
**   INSERT INTO migrations(revision, down_revision, message, up_sql,
**                          down_sql) VALUES(...);   -- register (no file)
**
** One row per revision, in topological order (parents first):
**   revision, down_revision, message, filename, create_date,
**   branch_labels, depends_on, checksum, is_head, is_applied, applied_at,
**   up_sql, down_sql, and the HIDDEN argument column dir.
** Applied revisions whose file is gone appear too (filename NULL, SQL
** from migrate_history). INSERT registers a revision on this connection,
** like sqlite3_migrate_register(); UPDATE and DELETE are errors.
**
** SQLITE_VTAB_DIRECTONLY: the table reads files from disk and INSERT
** changes which migrations run, so an untrusted schema (a view or a
** trigger) must not be able to use it.
*/
#include "engine_int.h"
#include <string.h>

/* Column numbers */
#define MV_REVISION    0
#define MV_DOWN        1
#define MV_MESSAGE     2
#define MV_FILENAME    3
#define MV_DATE        4
#define MV_LABELS      5
#define MV_DEPENDS     6
#define MV_CHECKSUM    7
#define MV_IS_HEAD     8
#define MV_IS_APPLIED  9
#define MV_APPLIED_AT 10
#define MV_UP_SQL     11
#define MV_DOWN_SQL   12
#define MV_DIR        13

typedef struct MvTab MvTab;
struct MvTab {
  sqlite3_vtab base;           /* Base class */
  MigConn *p;                  /* Connection state */
};

typedef struct MvCursor MvCursor;
struct MvCursor {
  sqlite3_vtab_cursor base;    /* Base class */
  MigGraph *g;                 /* Revisions (owned) */
  char *aApplied;              /* Applied marks (owned) */
  char *zDir;                  /* Directory argument or NULL (owned) */
  int iRow;                    /* Position in g->aOrder */
};

static int mvConnect(sqlite3 *db, void *pAux, int argc,
                     const char *const*argv, sqlite3_vtab **ppVtab,
                     char **pzErr){
  MvTab *pTab;
  int rc;
  UNUSED(argc); UNUSED(argv); UNUSED(pzErr);
  rc = sqlite3_declare_vtab(db, "CREATE TABLE x(revision, down_revision, "
      "message, filename, create_date, branch_labels, depends_on, checksum, "
      "is_head, is_applied, applied_at, up_sql, down_sql, dir HIDDEN)");
  if( rc==SQLITE_OK ) rc = sqlite3_vtab_config(db, SQLITE_VTAB_DIRECTONLY);
  if( rc!=SQLITE_OK ) return rc;
  pTab = sqlite3_malloc64(sizeof(*pTab));
  if( pTab==0 ) return SQLITE_NOMEM;
  memset(pTab, 0, sizeof(*pTab));
  pTab->p = (MigConn*)pAux;
  *ppVtab = &pTab->base;
  return SQLITE_OK;
}

/* The usual virtual table methods follow; the cursor holds a loaded
** graph and the applied marks from xFilter to xClose. */
static int mvDisconnect(sqlite3_vtab *pVtab){
  sqlite3_free(pVtab);
  return SQLITE_OK;
}

static int mvOpen(sqlite3_vtab *pVtab, sqlite3_vtab_cursor **ppCur){
  MvCursor *pCur = sqlite3_malloc64(sizeof(*pCur));
  UNUSED(pVtab);
  if( pCur==0 ) return SQLITE_NOMEM;
  memset(pCur, 0, sizeof(*pCur));
  *ppCur = &pCur->base;
  return SQLITE_OK;
}

/* Free what the cursor holds from its last xFilter. */
static void mvReset(MvCursor *pCur){
  migGraphFree(pCur->g);
  sqlite3_free(pCur->aApplied);
  sqlite3_free(pCur->zDir);
  pCur->g = 0;
  pCur->aApplied = 0;
  pCur->zDir = 0;
  pCur->iRow = 0;
}

static int mvClose(sqlite3_vtab_cursor *cur){
  mvReset((MvCursor*)cur);
  sqlite3_free(cur);
  return SQLITE_OK;
}

/*
** idxNum: 1 when dir= is constrained (argv[0] is the directory), else 0
** (the connection's directory). No other constraint is used.
*/
static int mvBestIndex(sqlite3_vtab *pVtab, sqlite3_index_info *pInfo){
  int i;
  UNUSED(pVtab);
  pInfo->idxNum = 0;
  pInfo->estimatedCost = 1000;
  for(i=0; i<pInfo->nConstraint; i++){
    const struct sqlite3_index_constraint *pC = &pInfo->aConstraint[i];
    if( pC->iColumn!=MV_DIR || pC->op!=SQLITE_INDEX_CONSTRAINT_EQ ) continue;
    if( !pC->usable ) return SQLITE_CONSTRAINT;
    pInfo->aConstraintUsage[i].argvIndex = 1;
    pInfo->aConstraintUsage[i].omit = 1;
    pInfo->idxNum = 1;
  }
  return SQLITE_OK;
}

/* Set the table's error message (freeing the old one). */
static void mvSetError(sqlite3_vtab *pVtab, char *zErr){
  sqlite3_free(pVtab->zErrMsg);
  pVtab->zErrMsg = zErr;
}

static int mvFilter(sqlite3_vtab_cursor *cur, int idxNum, const char *idxStr,
                    int argc, sqlite3_value **argv){
  MvCursor *pCur = (MvCursor*)cur;
  MvTab *pTab = (MvTab*)cur->pVtab;
  int *aCur = 0, nCur = 0, rc;
  char *zErr = 0;
  UNUSED(idxStr); UNUSED(argc);
  mvReset(pCur);
  if( idxNum==1 ){
    const char *z = (const char*)sqlite3_value_text(argv[0]);
    if( z==0 || z[0]==0 ){
      mvSetError(cur->pVtab, sqlite3_mprintf("migrations: the directory must "
                                             "be a non-empty string"));
      return SQLITE_ERROR;
    }
    pCur->zDir = sqlite3_mprintf("%s", z);
    if( pCur->zDir==0 ) return SQLITE_NOMEM;
  }
  rc = migEngineLoad(pTab->p, pCur->zDir, pTab->p->db, &pCur->g, &aCur,
                     &nCur, &zErr);
  if( rc!=SQLITE_OK ){
    mvSetError(cur->pVtab, zErr);
    return rc;
  }
  rc = migEngineApplied(pCur->g, aCur, nCur, &pCur->aApplied);
  sqlite3_free(aCur);
  return rc;
}

static int mvNext(sqlite3_vtab_cursor *cur){
  ((MvCursor*)cur)->iRow++;
  return SQLITE_OK;
}

static int mvEof(sqlite3_vtab_cursor *cur){
  MvCursor *pCur = (MvCursor*)cur;
  return pCur->g==0 || pCur->iRow>=pCur->g->nRev;
}

/* Result z (may be NULL) as text. */
static void mvText(sqlite3_context *ctx, const char *z){
  if( z ) sqlite3_result_text(ctx, z, -1, SQLITE_TRANSIENT);
}

static int mvColumn(sqlite3_vtab_cursor *cur, sqlite3_context *ctx, int i){
  MvCursor *pCur = (MvCursor*)cur;
  MvTab *pTab = (MvTab*)cur->pVtab;
  int iRev = pCur->g->aOrder[pCur->iRow];
  MigRev *r = &pCur->g->aRev[iRev];
  switch( i ){
    case MV_REVISION:   mvText(ctx, r->zId); break;
    case MV_DOWN:       mvText(ctx, r->zRevises); break;
    case MV_MESSAGE:    mvText(ctx, r->zMessage); break;
    case MV_FILENAME:   mvText(ctx, r->zFile); break;
    case MV_DATE:       mvText(ctx, r->zDate); break;
    case MV_LABELS:     mvText(ctx, r->zLabels); break;
    case MV_DEPENDS:    mvText(ctx, r->zDepends); break;
    case MV_CHECKSUM:   mvText(ctx, r->zChecksum); break;
    case MV_IS_HEAD:
      sqlite3_result_int(ctx, migGraphIsHead(pCur->g, iRev));
      break;
    case MV_IS_APPLIED: sqlite3_result_int(ctx, pCur->aApplied[iRev]); break;
    case MV_APPLIED_AT:
      if( pCur->aApplied[iRev] ){
        int rc = SQLITE_OK;
        char *z = migBookLast(pTab->p->db, r->zId, "at", &rc);
        if( rc!=SQLITE_OK ) return rc;
        if( z ) sqlite3_result_text(ctx, z, -1, sqlite3_free);
      }
      break;
    case MV_UP_SQL:     mvText(ctx, r->zUp); break;
    case MV_DOWN_SQL:   mvText(ctx, r->zDown); break;
    default:            mvText(ctx, pCur->zDir); break;
  }
  return SQLITE_OK;
}

static int mvRowid(sqlite3_vtab_cursor *cur, sqlite_int64 *pRowid){
  *pRowid = ((MvCursor*)cur)->iRow + 1;
  return SQLITE_OK;
}

/* Text value of column iCol of an INSERT, or NULL. */
static char *mvValue(sqlite3_value **argv, int iCol){
  sqlite3_value *pVal = argv[2+iCol];
  if( sqlite3_value_type(pVal)==SQLITE_NULL ) return 0;
  return (char*)sqlite3_value_text(pVal);
}

/* INSERT registers a revision; UPDATE and DELETE are refused. */
static int mvUpdate(sqlite3_vtab *pVtab, int argc, sqlite3_value **argv,
                    sqlite_int64 *pRowid){
  MvTab *pTab = (MvTab*)pVtab;
  MigRev r;
  char *zErr = 0;
  int rc;
  if( argc==1 || sqlite3_value_type(argv[0])!=SQLITE_NULL ){
    mvSetError(pVtab, sqlite3_mprintf("migrations: only INSERT is "
                                      "supported"));
    return SQLITE_ERROR;
  }
  memset(&r, 0, sizeof(r));
  r.zId = mvValue(argv, MV_REVISION);
  r.zRevises = mvValue(argv, MV_DOWN);
  r.zMessage = mvValue(argv, MV_MESSAGE);
  r.zLabels = mvValue(argv, MV_LABELS);
  r.zDepends = mvValue(argv, MV_DEPENDS);
  r.zUp = mvValue(argv, MV_UP_SQL);
  r.zDown = mvValue(argv, MV_DOWN_SQL);
  rc = migEngineRegister(pTab->p, &r, &zErr);
  if( rc!=SQLITE_OK ){
    mvSetError(pVtab, zErr ? sqlite3_mprintf("migrations: %s", zErr) : 0);
    sqlite3_free(zErr);
  }
  *pRowid = 0;
  return rc;
}

/* Eponymous only (no xCreate); xUpdate for INSERT. */
static sqlite3_module mvModule = {
  0,                           /* iVersion */
  0,                           /* xCreate: eponymous only */
  mvConnect,                   /* xConnect */
  mvBestIndex,                 /* xBestIndex */
  mvDisconnect,                /* xDisconnect */
  0,                           /* xDestroy */
  mvOpen,                      /* xOpen */
  mvClose,                     /* xClose */
  mvFilter,                    /* xFilter */
  mvNext,                      /* xNext */
  mvEof,                       /* xEof */
  mvColumn,                    /* xColumn */
  mvRowid,                     /* xRowid */
  mvUpdate,                    /* xUpdate */
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0
};

/* Register the table on db; p is the connection's state. */
int migMigrationsVtabInit(sqlite3 *db, MigConn *p){
  return sqlite3_create_module(db, "migrations", &mvModule, p);
}
