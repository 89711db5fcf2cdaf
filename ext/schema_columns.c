/*
** schema_columns.c: the schema_columns eponymous virtual table, the SQLite
** counterpart of information_schema.columns.
**
**   SELECT * FROM schema_columns WHERE table_name='meetings';
**
** One row per column of every table and view of every attached schema:
**   table_schema      schema name (main, temp, or an attached name)
**   table_name        table or view name
**   table_type        'BASE TABLE', 'VIEW', 'VIRTUAL TABLE' or 'SHADOW TABLE'
**   column_name       column name
**   ordinal_position  1-based position, hidden columns included
**   data_type         declared type as written ('' when none)
**   affinity          INTEGER, TEXT, BLOB, REAL or NUMERIC, by SQLite's rules
**   is_nullable       'YES' or 'NO' (NOT NULL, INTEGER PRIMARY KEY, or a
**                     PRIMARY KEY column of a WITHOUT ROWID table)
**   column_default    default expression text, or NULL
**   pk                position in the primary key, 0 when not part of it
**   is_hidden         0 normal, 1 hidden (virtual tables), 2 generated
**                     VIRTUAL, 3 generated STORED (as PRAGMA table_xinfo)
**   collation         collating sequence (BINARY unless declared)
**
** Views whose definition no longer compiles (a dropped table) have no
** rows. The internal sqlite_schema tables are not listed.
**
** Read-only and harmless, so usable anywhere (SQLITE_VTAB_INNOCUOUS).
*/
#include "mig_int.h"
#include <string.h>

/* Column numbers, in the order of the CREATE TABLE in scolConnect(). */
#define SCOL_SCHEMA     0
#define SCOL_TABLE      1
#define SCOL_TYPE       2
#define SCOL_COLUMN     3
#define SCOL_POSITION   4
#define SCOL_DATATYPE   5
#define SCOL_AFFINITY   6
#define SCOL_NULLABLE   7
#define SCOL_DEFAULT    8
#define SCOL_PK         9
#define SCOL_HIDDEN     10
#define SCOL_COLLATION  11

/* The virtual table: only the connection, for the cursors. */
typedef struct ScolVtab ScolVtab;
struct ScolVtab {
  sqlite3_vtab base;           /* Base class: must be first */
  sqlite3 *db;                 /* The connection */
  MigTabList *pCache;          /* Tables of all schemas, or NULL */
};

typedef struct ScolCursor ScolCursor;
struct ScolCursor {
  sqlite3_vtab_cursor base;    /* Base class: must be first */
  sqlite3 *db;                 /* The connection */
  ScolVtab *pTab;              /* The virtual table, for its cache */
  MigTabList *pList;           /* Tables and views (a reference) */
  int iEntry;                  /* Current entry of pList */
  int iEnd;                    /* One past the last entry to visit */
  char *zSchema;               /* Only visit this schema, if not NULL */
  sqlite3_stmt *pCols;         /* Columns of the current table, or NULL */
  sqlite3_int64 iRowid;        /* Row counter */
  int bEof;                    /* True past the last row */
  const char *zCollation;      /* Collation of the current column */
};

static int scolConnect(
  sqlite3 *db, void *pAux, int argc, const char *const*argv,
  sqlite3_vtab **ppVtab, char **pzErr
){
  ScolVtab *pNew;
  int rc;
  UNUSED(pAux); UNUSED(argc); UNUSED(argv); UNUSED(pzErr);
  rc = sqlite3_declare_vtab(db, "CREATE TABLE x(table_schema, table_name,"
      " table_type, column_name, ordinal_position, data_type, affinity,"
      " is_nullable, column_default, pk, is_hidden, collation)");
  if( rc==SQLITE_OK ) rc = sqlite3_vtab_config(db, SQLITE_VTAB_INNOCUOUS);
  if( rc!=SQLITE_OK ) return rc;
  pNew = sqlite3_malloc64(sizeof(*pNew));
  if( pNew==0 ) return SQLITE_NOMEM;
  memset(pNew, 0, sizeof(*pNew));
  pNew->db = db;
  *ppVtab = &pNew->base;
  return SQLITE_OK;
}

static int scolDisconnect(sqlite3_vtab *pVtab){
  migTabListUnref(((ScolVtab*)pVtab)->pCache);
  sqlite3_free(pVtab);
  return SQLITE_OK;
}

static int scolOpen(sqlite3_vtab *pVtab, sqlite3_vtab_cursor **ppCursor){
  ScolCursor *pCur = sqlite3_malloc64(sizeof(*pCur));
  if( pCur==0 ) return SQLITE_NOMEM;
  memset(pCur, 0, sizeof(*pCur));
  pCur->pTab = (ScolVtab*)pVtab;
  pCur->db = pCur->pTab->db;
  *ppCursor = &pCur->base;
  return SQLITE_OK;
}

/* Release what the cursor holds. */
static void scolReset(ScolCursor *pCur){
  migTabListUnref(pCur->pList);
  sqlite3_finalize(pCur->pCols);
  sqlite3_free(pCur->zSchema);
  pCur->pList = 0;
  pCur->pCols = 0;
  pCur->zSchema = 0;
}

/* The table or view the cursor is on. */
static MigTabEntry *scolEntry(ScolCursor *pCur){
  return &pCur->pList->aEntry[pCur->iEntry];
}

static int scolClose(sqlite3_vtab_cursor *cur){
  scolReset((ScolCursor*)cur);
  sqlite3_free(cur);
  return SQLITE_OK;
}

/*
** Move to the next table whose columns can be read (starting with entry
** iEntry itself when bFirst), preparing pCols for it; set bEof when there
** is none. A view that no longer compiles is skipped. Returns an SQLite
** code.
*/
static int scolNextTable(ScolCursor *pCur, int bFirst){
  int rc = SQLITE_OK;
  sqlite3_finalize(pCur->pCols);
  pCur->pCols = 0;
  if( !bFirst ) pCur->iEntry++;
  for(; rc==SQLITE_OK && pCur->iEntry<pCur->iEnd; pCur->iEntry++){
    MigTabEntry *pE = scolEntry(pCur);
    if( pCur->zSchema && sqlite3_stricmp(pCur->zSchema, pE->zSchema) ){
      continue;
    }
    rc = sqlite3_prepare_v2(pCur->db, "SELECT cid, name, type, \"notnull\","
        " dflt_value, pk, hidden FROM pragma_table_xinfo(?1, ?2)", -1,
        &pCur->pCols, 0);
    if( rc==SQLITE_OK ){
      sqlite3_bind_text(pCur->pCols, 1, pE->zName, -1, SQLITE_STATIC);
      sqlite3_bind_text(pCur->pCols, 2, pE->zSchema, -1, SQLITE_STATIC);
      if( sqlite3_step(pCur->pCols)==SQLITE_ROW ) return SQLITE_OK;
      /* No columns, or a view that no longer compiles (SQLITE_ERROR):
      ** try the next table. Anything else (no memory, I/O) is an error. */
      rc = sqlite3_finalize(pCur->pCols);
      pCur->pCols = 0;
      if( rc==SQLITE_ERROR ) rc = SQLITE_OK;
    }
  }
  pCur->bEof = 1;
  return rc;
}

/*
** Look up the collation of the current column (tables only: for a view
** the lookup fails with SQLITE_ERROR and the collation stays NULL).
** Returns SQLITE_OK or an error such as SQLITE_NOMEM.
*/
static int scolFindCollation(ScolCursor *pCur){
  const char *zColl = 0;
  MigTabEntry *pE = scolEntry(pCur);
  const char *zCol = (const char*)sqlite3_column_text(pCur->pCols, 1);
  int rc;
  pCur->zCollation = 0;
  if( zCol==0 ) return SQLITE_NOMEM;
  rc = sqlite3_table_column_metadata(pCur->db, pE->zSchema, pE->zName,
                                     zCol, 0, &zColl, 0, 0, 0);
  if( rc==SQLITE_OK ) pCur->zCollation = zColl;
  return rc==SQLITE_ERROR ? SQLITE_OK : rc;
}

static int scolNext(sqlite3_vtab_cursor *cur){
  ScolCursor *pCur = (ScolCursor*)cur;
  int rc = SQLITE_OK;
  pCur->iRowid++;
  if( sqlite3_step(pCur->pCols)!=SQLITE_ROW ){
    rc = sqlite3_reset(pCur->pCols);
    if( rc==SQLITE_OK ) rc = scolNextTable(pCur, 0);
  }
  if( rc==SQLITE_OK && !pCur->bEof ) rc = scolFindCollation(pCur);
  return rc;
}

/*
** idxNum encoding (set by scolBestIndex, read by scolFilter):
**   bit 0x01  argv[] holds an equality value for table_schema
**   bit 0x02  argv[] holds an equality value for table_name (after the
**             schema value when both are present)
** With table_name known, a binary search in the cached table list finds
** it, so a lookup costs the same whatever the number of tables.
*/
static int scolFilter(
  sqlite3_vtab_cursor *cur, int idxNum, const char *idxStr,
  int argc, sqlite3_value **argv
){
  ScolCursor *pCur = (ScolCursor*)cur;
  sqlite3_value *pSchema = (idxNum & 1) ? argv[0] : 0;
  sqlite3_value *pTable = (idxNum & 2) ? argv[(idxNum & 1) ? 1 : 0] : 0;
  int rc;
  UNUSED(idxStr); UNUSED(argc);
  scolReset(pCur);
  pCur->iRowid = 1;
  pCur->bEof = 0;
  /* An equality with NULL matches nothing, as in SQL. */
  if( (pSchema && sqlite3_value_type(pSchema)==SQLITE_NULL)
   || (pTable && sqlite3_value_type(pTable)==SQLITE_NULL) ){
    pCur->bEof = 1;
    return SQLITE_OK;
  }
  rc = migTabListFetch(pCur->db, &pCur->pTab->pCache, &pCur->pList);
  if( rc==SQLITE_OK && pSchema ){
    pCur->zSchema = sqlite3_mprintf("%s", sqlite3_value_text(pSchema));
    if( pCur->zSchema==0 ) rc = SQLITE_NOMEM;
  }
  if( rc==SQLITE_OK ){
    if( pTable ){
      migTabListFind(pCur->pList, (const char*)sqlite3_value_text(pTable),
                     &pCur->iEntry, &pCur->iEnd);
    }else{
      pCur->iEntry = 0;
      pCur->iEnd = pCur->pList->nEntry;
    }
    rc = scolNextTable(pCur, 1);
  }
  if( rc==SQLITE_OK && !pCur->bEof ) rc = scolFindCollation(pCur);
  if( rc!=SQLITE_OK ){
    sqlite3_free(cur->pVtab->zErrMsg);
    cur->pVtab->zErrMsg = sqlite3_mprintf("%s", sqlite3_errmsg(pCur->db));
  }
  return rc;
}

static int scolEof(sqlite3_vtab_cursor *cur){
  return ((ScolCursor*)cur)->bEof;
}

/* The name of the affinity of a declared type. */
static const char *scolAffinity(const char *zType){
  switch( migAffinity(zType) ){
    case 'A': return "BLOB";
    case 'B': return "TEXT";
    case 'C': return "NUMERIC";
    case 'D': return "INTEGER";
    case 'E': return "REAL";
  }
  return "NUMERIC";
}

/*
** Is the current column nullable? Not when declared NOT NULL, when it is
** the rowid alias (the only PRIMARY KEY column, declared INTEGER), or when
** it is in the PRIMARY KEY of a WITHOUT ROWID table. Sets *pbNullable;
** returns an SQLite code.
*/
static int scolNullable(ScolCursor *pCur, int *pbNullable){
  sqlite3_stmt *p = pCur->pCols;
  MigTabEntry *pE = scolEntry(pCur);
  int iPk = sqlite3_column_int(p, 5);
  const char *zType = (const char*)sqlite3_column_text(p, 2);
  int rc = SQLITE_OK;
  *pbNullable = 0;
  if( sqlite3_column_int(p, 3) ) return SQLITE_OK;
  if( iPk>0 && pE->bWithoutRowid ) return SQLITE_OK;
  if( iPk==1 && zType && sqlite3_stricmp(zType, "INTEGER")==0 ){
    sqlite3_int64 nPk = 0;
    rc = migQueryInt(pCur->db, &nPk, "SELECT count(*) FROM"
        " pragma_table_info(%Q, %Q) WHERE pk>0", pE->zName, pE->zSchema);
    if( nPk==1 ) return rc;
  }
  *pbNullable = 1;
  return rc;
}

/* table_type for pragma_table_list's type. */
static const char *scolTableType(const char *zType){
  if( zType && strcmp(zType, "view")==0 ) return "VIEW";
  if( zType && strcmp(zType, "virtual")==0 ) return "VIRTUAL TABLE";
  if( zType && strcmp(zType, "shadow")==0 ) return "SHADOW TABLE";
  return "BASE TABLE";
}

static int scolColumn(sqlite3_vtab_cursor *cur, sqlite3_context *ctx, int i){
  ScolCursor *pCur = (ScolCursor*)cur;
  MigTabEntry *pE = scolEntry(pCur);
  sqlite3_stmt *pC = pCur->pCols;
  switch( i ){
    case SCOL_SCHEMA:   sqlite3_result_text(ctx, pE->zSchema, -1,
                                            SQLITE_TRANSIENT);
                        break;
    case SCOL_TABLE:    sqlite3_result_text(ctx, pE->zName, -1,
                                            SQLITE_TRANSIENT);
                        break;
    case SCOL_TYPE:     sqlite3_result_text(ctx, scolTableType(pE->zType),
                                            -1, SQLITE_STATIC);
                        break;
    case SCOL_COLUMN:   sqlite3_result_value(ctx, sqlite3_column_value(pC, 1));
                        break;
    case SCOL_POSITION: sqlite3_result_int(ctx, sqlite3_column_int(pC, 0)+1);
                        break;
    case SCOL_DATATYPE: sqlite3_result_value(ctx, sqlite3_column_value(pC, 2));
                        break;
    case SCOL_AFFINITY: sqlite3_result_text(ctx,
                          scolAffinity((const char*)sqlite3_column_text(pC,2)),
                          -1, SQLITE_STATIC);
                        break;
    case SCOL_NULLABLE: {
                          int bNull = 0;
                          int rc = scolNullable(pCur, &bNull);
                          if( rc!=SQLITE_OK ) return rc;
                          sqlite3_result_text(ctx, bNull ? "YES" : "NO", -1,
                                              SQLITE_STATIC);
                          break;
                        }
    case SCOL_DEFAULT:  sqlite3_result_value(ctx, sqlite3_column_value(pC, 4));
                        break;
    case SCOL_PK:       sqlite3_result_int(ctx, sqlite3_column_int(pC, 5));
                        break;
    case SCOL_HIDDEN:   sqlite3_result_int(ctx, sqlite3_column_int(pC, 6));
                        break;
    default:            if( pCur->zCollation ){
                          sqlite3_result_text(ctx, pCur->zCollation, -1,
                                              SQLITE_TRANSIENT);
                        }
                        break;
  }
  return SQLITE_OK;
}

static int scolRowid(sqlite3_vtab_cursor *cur, sqlite_int64 *pRowid){
  *pRowid = ((ScolCursor*)cur)->iRowid;
  return SQLITE_OK;
}

/*
** Use usable equality constraints on table_schema and table_name; see the
** idxNum encoding above scolFilter(). A plan that knows the table name is
** far cheaper: it visits one table instead of every table of the schema.
*/
static int scolBestIndex(sqlite3_vtab *tab, sqlite3_index_info *pInfo){
  int iSchema = -1, iTable = -1;
  int i, nArg = 0;
  UNUSED(tab);
  for(i=0; i<pInfo->nConstraint; i++){
    const struct sqlite3_index_constraint *p = &pInfo->aConstraint[i];
    if( !p->usable || p->op!=SQLITE_INDEX_CONSTRAINT_EQ ) continue;
    if( p->iColumn==SCOL_SCHEMA ) iSchema = i;
    if( p->iColumn==SCOL_TABLE ) iTable = i;
  }
  pInfo->idxNum = 0;
  if( iSchema>=0 ){
    pInfo->idxNum |= 1;
    pInfo->aConstraintUsage[iSchema].argvIndex = ++nArg;
    pInfo->aConstraintUsage[iSchema].omit = 0;  /* Rechecked: NOCASE here */
  }
  if( iTable>=0 ){
    pInfo->idxNum |= 2;
    pInfo->aConstraintUsage[iTable].argvIndex = ++nArg;
    pInfo->aConstraintUsage[iTable].omit = 0;  /* Names compare NOCASE */
  }
  pInfo->estimatedCost = iTable>=0 ? 10.0 : (iSchema>=0 ? 10000.0 : 100000.0);
  pInfo->estimatedRows = iTable>=0 ? 10 : 1000;
  return SQLITE_OK;
}

static sqlite3_module scolModule = {
  0,                /* iVersion */
  0,                /* xCreate: eponymous only */
  scolConnect,      /* xConnect */
  scolBestIndex,    /* xBestIndex */
  scolDisconnect,   /* xDisconnect */
  0,                /* xDestroy */
  scolOpen,         /* xOpen */
  scolClose,        /* xClose */
  scolFilter,       /* xFilter */
  scolNext,         /* xNext */
  scolEof,          /* xEof */
  scolColumn,       /* xColumn */
  scolRowid,        /* xRowid */
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0   /* xUpdate .. xShadowName */
};

int migSchemaColumnsInit(sqlite3 *db){
  return sqlite3_create_module(db, "schema_columns", &scolModule, 0);
}
