/*
** conn.c: per-connection state of the migrate extension.
**
** sqlite3_migrate_init() calls migConnInit(), which allocates a MigConn and
** ties its lifetime to the connection: it is the user data of the hidden
** function migrate_internal_state(), whose destructor runs when the
** connection closes. Modules find it again with migConnGet(db), which
** looks it up in a small registry guarded by a mutex of its own, so
** C callers (the shell's .migrate command) can reach it without SQL.
**
** It also owns the connection's settings functions:
**   migrate_dir([path])  -> the migrations directory (sets it when given)
*/
#include "mig_int.h"
#include <string.h>
#include <stdarg.h>

/* Registry of live states: a singly linked list, guarded by aMutex. */
typedef struct MigConnEntry MigConnEntry;
struct MigConnEntry {
  MigConn *pConn;              /* The state (owned) */
  MigConnEntry *pNext;         /* Next entry */
};
static MigConnEntry *pRegistry = 0;

/*
** The mutex guarding pRegistry: a dynamic mutex of our own, allocated by
** the first caller (SQLite reserves its static APP mutexes for the
** application, which may link this library). The pointer is published
** once; the allocation itself is serialised by SQLite's main mutex,
** which is held only around sqlite3_mutex_alloc(). NULL when SQLite is
** single-threaded, or when the allocation failed (migConnInit() then
** fails, so no state exists that would need the mutex).
*/
static sqlite3_mutex *pConnMutex = 0;
static sqlite3_mutex *connMutex(void){
  sqlite3_mutex *m;
#if defined(__GNUC__) || defined(__clang__)
  m = __atomic_load_n(&pConnMutex, __ATOMIC_ACQUIRE);
  if( m ) return m;
#endif
  {
    sqlite3_mutex *pMain = sqlite3_mutex_alloc(SQLITE_MUTEX_STATIC_MAIN);
    sqlite3_mutex_enter(pMain);
    m = pConnMutex;
    if( m==0 && sqlite3_threadsafe() ){
      m = sqlite3_mutex_alloc(SQLITE_MUTEX_FAST);
#if defined(__GNUC__) || defined(__clang__)
      __atomic_store_n(&pConnMutex, m, __ATOMIC_RELEASE);
#else
      pConnMutex = m;
#endif
    }
    sqlite3_mutex_leave(pMain);
  }
  return m;
}

/* Remove p from the registry and free it with everything it owns. */
static void connFree(void *pArg){
  MigConn *p = (MigConn*)pArg;
  MigConnEntry **pp;
  MigConnEntry *pDead = 0;
  sqlite3_mutex *m = connMutex();
  sqlite3_mutex_enter(m);
  for(pp=&pRegistry; *pp; pp=&(*pp)->pNext){
    if( (*pp)->pConn==p ){
      pDead = *pp;
      *pp = pDead->pNext;
      break;
    }
  }
  sqlite3_mutex_leave(m);
  sqlite3_free(pDead);
  if( p->xEngineFree ) p->xEngineFree(p->pEngine);
  sqlite3_free(p->zDir);
  sqlite3_free(p->zSavedDir);
  sqlite3_free(p->zConfigErr);
  sqlite3_free(p->zSchemaFile);
  while( p->nPlace>0 ) sqlite3_free(p->azPlace[--p->nPlace]);
  sqlite3_free(p->azPlace);
  sqlite3_free(p);
}

/* Hidden SQL function that carries the state; returns nothing useful. */
static void connStateFunc(sqlite3_context *ctx, int argc, sqlite3_value **argv){
  UNUSED(argc); UNUSED(argv);
  sqlite3_result_null(ctx);
}

/*
** Guard for the functions with side effects. SQLITE_DIRECTONLY keeps them
** out of views, triggers and indexes, but SQLite 3.40 lets a CHECK
** constraint call a non-deterministic function, so a hostile database
** file could run one on INSERT. A CHECK only runs inside a statement that
** writes, and these functions are only ever meant to be called from a
** statement of their own: so if a statement that writes is running, set
** "unsafe use of FUNC()" (SQLite's own words) on ctx and return 1.
*/
int migDirectOnly(sqlite3_context *ctx, const char *zFunc){
  sqlite3 *db = sqlite3_context_db_handle(ctx);
  sqlite3_stmt *pStmt;
  for(pStmt=sqlite3_next_stmt(db, 0); pStmt;
      pStmt=sqlite3_next_stmt(db, pStmt)){
    if( sqlite3_stmt_busy(pStmt) && !sqlite3_stmt_readonly(pStmt) ){
      char *zErr = sqlite3_mprintf("unsafe use of %s()", zFunc);
      sqlite3_result_error(ctx, zErr ? zErr : "out of memory", -1);
      sqlite3_free(zErr);
      return 1;
    }
  }
  return 0;
}

/* The migrations directory of p: the one set on the connection, else
** MIGRATE_DIR, else the saved one, else "migrations" (config.c). */
const char *migConnDir(MigConn *p){
  return migConfigDir(p);
}

/*
** True if p's directory was set explicitly (on the connection, by
** MIGRATE_DIR or in the project file; not the "migrations" default):
** only then do files join revisions registered from C or SQL.
*/
int migConnDirSet(MigConn *p){
  return migConfigDirSource(p)!=MIG_DIR_DEFAULT;
}

/*
** Set p's migrations directory to a copy of zDir, or back to the default
** when zDir is NULL. Returns SQLITE_OK, SQLITE_MISUSE for an empty
** string, or SQLITE_NOMEM (the directory is then unchanged).
*/
int migConnSetDir(MigConn *p, const char *zDir){
  char *zNew = 0;
  if( zDir ){
    if( zDir[0]==0 ) return SQLITE_MISUSE;
    zNew = sqlite3_mprintf("%s", zDir);
    if( zNew==0 ) return SQLITE_NOMEM;
  }
  sqlite3_free(p->zDir);
  p->zDir = zNew;
  return SQLITE_OK;
}

/*
** migrate_dir([path]): return the migrations directory, after setting it
** to path when one is given. The path is used as given (no globbing);
** an empty string or a non-text argument is an error.
*/
static void connDirFunc(sqlite3_context *ctx, int argc, sqlite3_value **argv){
  MigConn *p = (MigConn*)sqlite3_user_data(ctx);
  if( migDirectOnly(ctx, "migrate_dir") ) return;
  if( p->zConfigErr ){
    sqlite3_result_error(ctx, p->zConfigErr, -1);
    return;
  }
  if( argc==1 ){
    const char *z = (const char*)sqlite3_value_text(argv[0]);
    if( sqlite3_value_type(argv[0])!=SQLITE_TEXT || z==0 || z[0]==0 ){
      sqlite3_result_error(ctx,
          "migrate_dir: the path must be a non-empty string", -1);
      return;
    }
    if( migConnSetDir(p, z) ){ sqlite3_result_error_nomem(ctx); return; }
  }
  sqlite3_result_text(ctx, migConnDir(p), -1, SQLITE_TRANSIENT);
}

int migConnInit(sqlite3 *db){
  MigConn *p;
  MigConnEntry *pEntry;
  sqlite3_mutex *m;
  int rc;
  p = sqlite3_malloc64(sizeof(*p));
  pEntry = sqlite3_malloc64(sizeof(*pEntry));
  if( p==0 || pEntry==0 ){
    sqlite3_free(p);
    sqlite3_free(pEntry);
    return SQLITE_NOMEM;
  }
  memset(p, 0, sizeof(*p));
  p->db = db;
  migConfigLoad(p);
  pEntry->pConn = p;
  m = connMutex();
  if( m==0 && sqlite3_threadsafe() ){
    sqlite3_free(p);
    sqlite3_free(pEntry);
    return SQLITE_NOMEM;
  }
  sqlite3_mutex_enter(m);
  pEntry->pNext = pRegistry;
  pRegistry = pEntry;
  sqlite3_mutex_leave(m);
  /* On failure create_function_v2 calls connFree(p) itself. */
  rc = sqlite3_create_function_v2(db, "migrate_internal_state", 0,
      SQLITE_UTF8|SQLITE_DIRECTONLY, p, connStateFunc, 0, 0, connFree);
  /* migrate_dir() decides which files migrations are read from: a
  ** schema must never redirect it, hence SQLITE_DIRECTONLY. */
  if( rc==SQLITE_OK ){
    rc = sqlite3_create_function(db, "migrate_dir", 0,
        SQLITE_UTF8|SQLITE_DIRECTONLY, p, connDirFunc, 0, 0);
  }
  if( rc==SQLITE_OK ){
    rc = sqlite3_create_function(db, "migrate_dir", 1,
        SQLITE_UTF8|SQLITE_DIRECTONLY, p, connDirFunc, 0, 0);
  }
  return rc;
}

MigConn *migConnGet(sqlite3 *db){
  MigConnEntry *pE;
  MigConn *pRet = 0;
  sqlite3_mutex *m = connMutex();
  sqlite3_mutex_enter(m);
  for(pE=pRegistry; pE; pE=pE->pNext){
    if( pE->pConn->db==db ){ pRet = pE->pConn; break; }
  }
  sqlite3_mutex_leave(m);
  return pRet;
}

/*
** Report progress of what runs on p: to the options of the C call under
** way when there is one, else to the connection's callback.
*/
void migProgress(MigConn *p, sqlite3_int64 nDone, sqlite3_int64 nTotal){
  if( p && p->pCall ){
    if( p->pCall->xProgress ){
      p->pCall->xProgress(p->pCall->pProgressArg, nDone, nTotal);
    }
  }else if( p && p->xProgress ){
    p->xProgress(p->pProgressArg, nDone, nTotal);
  }
}

/* 1 if migProgress(p, ...) reaches a callback (worth counting rows). */
int migProgressOn(MigConn *p){
  if( p==0 ) return 0;
  return p->pCall ? p->pCall->xProgress!=0 : p->xProgress!=0;
}

/*
** Make pOpts (borrowed; NULL: none) the options of the C call starting on
** p, until migConnCallEnd(p, <the value returned>) puts back the ones in
** force before (calls may nest). Nothing is allocated, so nothing asked
** for can be dropped.
*/
const MigCallOpts *migConnCallBegin(MigConn *p, const MigCallOpts *pOpts){
  const MigCallOpts *pPrev = p ? p->pCall : 0;
  if( p && pOpts ) p->pCall = pOpts;
  return pPrev;
}

/* End the call begun by migConnCallBegin(), which returned pPrev. */
void migConnCallEnd(MigConn *p, const MigCallOpts *pPrev){
  if( p ) p->pCall = pPrev;
}
