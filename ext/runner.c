/*
** runner.c: upgrade, downgrade, stamp, and their offline SQL.
**
** migRun(db, &opts, &nDone, &zOut, &zErr) does one command, as the
** MigRunOpts say (migrate_run.h): the front ends (SQL functions, C API,
** shell) only fill in the options.
**
**  1. PRAGMA foreign_keys is set between transactions (it cannot change
**     inside one): each migration runs with the connection's own setting,
**     except one that rebuilds a table (fkmode.c), which runs with them
**     off so its DROP TABLE cannot cascade; with them on, their checks
**     are deferred to the runner's own foreign_key_check. BEGIN IMMEDIATE
**     takes the write lock, honouring the busy timeout, BEFORE the
**     current revision is read. So of two
**     processes upgrading one database the second waits, then reads the
**     first one's result: every migration is applied exactly once.
**     Called inside an open transaction, a SAVEPOINT is used instead;
**     that is refused while foreign keys are on (they cannot be switched
**     off there, and a DROP TABLE would cascade).
**  2. The scripts and the current revisions are loaded and the plan made
**     with Alembic's rules (steps.c): an upgrade applies the ancestors of
**     the target that are not applied yet, parents first; a downgrade
**     reverts the applied descendants of the target's children, children
**     first, and fails before changing anything if one is irreversible.
**     When the plan would lose data and the options have an xConfirm
**     hook, it is called once here, before anything is changed.
**     The applied set the plan would leave is checked (migStepsCheck():
**     closed under Revises and Depends On) before anything changes.
**  3. Each migration runs inside SAVEPOINT migrate_step: statements one
**     at a time (ALTER TABLE forms that SQLite lacks go to
**     migAlterApply()), then PRAGMA foreign_key_check (failing on a
**     violation that was not there before the run). On error the
**     savepoint is rolled back, so the migration is applied whole or not
**     at all, and the error reads "FILE:LINE: message". Migrations
**     applied before it are committed. Their bookkeeping (migrate_version,
**     migrate_history) is queued and written by one prepared statement
**     just before each COMMIT, in the same transaction (runFlush()).
**  4. A transaction:false section commits what came before, runs its
**     statements in autocommit mode, then takes the lock again, checks
**     that nobody else moved the database meanwhile, and records itself.
**     A transaction it left open is rolled back and the foreign-key
**     setting it changed is put back. Switching foreign keys between two
**     migrations relocks the same way.
**  5. migrate_version is checked to hold exactly the heads of what is
**     applied (else everything is rolled back, naming the revisions);
**     COMMIT, then the connection's own foreign-key setting is restored.
**
** Offline (MIG_RUN_SQL_*): the same plan, printed as SQL with the
** bookkeeping statements, starting from the database's current revision
** or, for a target "START:END" as in Alembic's offline mode, from START;
** nothing is written. MIG_RUN_CHECK counts pending migrations.
*/
#include "engine_int.h"
#include <string.h>
#include <stdarg.h>

/* A migration run since the last commit whose bookkeeping rows are
** still to be written (runRecord() queues, runFlush() writes). */
typedef struct RunDone RunDone;
struct RunDone {
  int iRev;                    /* The revision */
  int bDown;                   /* 1: reverted, 0: applied */
  double rSec;                 /* How long it took */
  sqlite3_int64 iAt;           /* When it ended (migNowMs()) */
};

/* State of one run. */
typedef struct Runner Runner;
struct Runner {
  MigConn *p;                  /* Connection state */
  sqlite3 *db;                 /* The connection */
  const MigRunOpts *o;         /* What to do, whom to tell (not owned) */
  int eOp;                     /* MIG_RUN_* */
  MigGraph *g;                 /* Scripts and history (owned) */
  int *aCur; int nCur;         /* Current revisions (owned) */
  char *aApplied;              /* Applied marks, g->nRev (owned) */
  int *aPlan; int nPlan;       /* Revisions to run, in order (owned) */
  int *aTarget; int nTarget;   /* Resolved target (owned) */
  int bTxn;                    /* 1: BEGIN IMMEDIATE by us; 2: SAVEPOINT */
  int bFkUser;                 /* PRAGMA foreign_keys of the connection */
  int bFkRun;                  /* Foreign keys in the current transaction */
  int bFkOwn;                  /* The run may set foreign keys (autocommit) */
  int bFkStart;                /* Foreign keys for the first transaction */
  int bSnapshot;               /* A snapshot was written in this run */
  int bLost;                   /* SQLite rolled the transaction back */
  char *zFkBefore;             /* Foreign key violations before the run */
  char *zFkWhy;                /* Why ON DELETE actions did not run, or 0 */
  RunDone *aDone;              /* Bookkeeping not written yet (owned) */
  int nDone, nDoneAlloc;       /* Entries used and allocated in aDone */
  sqlite3_str *pOut;           /* Offline SQL */
  char *zErr;                  /* Error message */
};

static int runFlush(Runner *r);

/* Record an error message (printf-style). Returns SQLITE_ERROR. */
static int runError(Runner *r, const char *zFmt, ...){
  va_list ap;
  int rc;
  va_start(ap, zFmt);
  rc = migErrorV(&r->zErr, SQLITE_ERROR, zFmt, ap);
  va_end(ap);
  return rc;
}

/* Send a line (printf-style) to the options' xLog, if any. */
static void runLog(Runner *r, const char *zFmt, ...){
  va_list ap;
  char *z;
  if( r->o->xLog==0 ) return;
  va_start(ap, zFmt);
  z = sqlite3_vmprintf(zFmt, ap);
  va_end(ap);
  if( z ) r->o->xLog(r->o->pLogArg, z);
  sqlite3_free(z);
}

/* Run zSql (owned, freed here). Errors are recorded as they are. */
static int runExec(Runner *r, char *zSql){
  char *zErr = 0;
  int rc;
  if( zSql==0 ) return SQLITE_NOMEM;
  rc = sqlite3_exec(r->db, zSql, 0, 0, &zErr);
  sqlite3_free(zSql);
  if( rc!=SQLITE_OK ){
    sqlite3_free(r->zErr);
    r->zErr = zErr ? zErr : sqlite3_mprintf("%s", sqlite3_errstr(rc));
  }
  return rc;
}

/*
** True if zText contains zWord (lowercase ASCII), in any case. The
** scanners that look for data loss, rebuilds and ALTER TABLE forms can
** only find something in text that mentions "drop" or "alter"; this
** cheap test lets a run skip them for the many sections that do not.
*/
static int runMentions(const char *zText, const char *zWord){
  int n = (int)strlen(zWord);
  const char *z;
  for(z=zText; *z; z++){
    if( (*z|0x20)==zWord[0] && sqlite3_strnicmp(z, zWord, n)==0 ) return 1;
  }
  return 0;
}

/* "a, b" list of the parents of pRev, for log lines ("" for a root). */
static char *runParents(MigGraph *g, const MigRev *pRev){
  sqlite3_str *pStr = sqlite3_str_new(0);
  int k;
  for(k=0; k<pRev->nParent; k++){
    sqlite3_str_appendf(pStr, "%s%s", k ? ", " : "",
                        g->aRev[pRev->aParent[k]].zId);
  }
  return sqlite3_str_finish(pStr);
}

/* Comma-separated ids of aIdx, or NULL when nIdx==0 (sqlite3_free). */
static char *runIdList(MigGraph *g, const int *aIdx, int nIdx){
  sqlite3_str *pStr;
  int i;
  if( nIdx==0 ) return 0;
  pStr = sqlite3_str_new(0);
  for(i=0; i<nIdx; i++){
    sqlite3_str_appendf(pStr, "%s%s", i ? "," : "", g->aRev[aIdx[i]].zId);
  }
  return sqlite3_str_finish(pStr);
}

/************************** Locking and loading ****************************/

/*
** Set PRAGMA foreign_keys to bOn between transactions (a no-op inside
** one) and remember it as the run's state. SQLite code.
*/
static int runFkSet(Runner *r, int bOn){
  int rc = runExec(r, sqlite3_mprintf("PRAGMA foreign_keys=%s",
                                      bOn ? "ON" : "OFF"));
  if( rc==SQLITE_OK ) r->bFkRun = bOn;
  return rc;
}

/* BEGIN IMMEDIATE; with foreign keys on, their checks wait for COMMIT
** (the runner's foreign_key_check names the row), their actions do not */
static int runBegin(Runner *r){
  int rc = runExec(r, sqlite3_mprintf("BEGIN IMMEDIATE"));
  if( rc==SQLITE_OK ) r->bTxn = 1;
  if( rc==SQLITE_OK && r->bFkRun ){
    rc = runExec(r, sqlite3_mprintf("PRAGMA defer_foreign_keys=ON"));
  }
  return rc;
}

/* Switch foreign keys off and take the write lock (or open a savepoint). */
static int runLock(Runner *r){
  sqlite3_int64 bFk = 0;
  int rc = SQLITE_OK;
  if( sqlite3_db_readonly(r->db, "main")==1 ){
    /* BEGIN IMMEDIATE succeeds on a read-only database: without this the
    ** first migration would fail, blamed on its file. */
    return runError(r, "the database is read-only: nothing was migrated");
  }
  rc = migQueryInt(r->db, &bFk, "PRAGMA foreign_keys");
  r->bFkUser = r->bFkRun = bFk!=0;
  if( rc==SQLITE_OK && !sqlite3_get_autocommit(r->db) ){
    /* PRAGMA foreign_keys cannot change inside a transaction, and with
    ** it on, a DROP TABLE in a migration would run ON DELETE actions. */
    if( bFk ){
      return runError(r, "cannot migrate inside a transaction while "
                      "PRAGMA foreign_keys is on");
    }
    r->bTxn = 2;
    return runExec(r, sqlite3_mprintf("SAVEPOINT migrate_run"));
  }
  r->bFkOwn = 1;
  if( rc==SQLITE_OK && bFk!=r->bFkStart ) rc = runFkSet(r, r->bFkStart);
  if( rc==SQLITE_OK ) rc = runBegin(r);
  if( (rc&0xff)==SQLITE_BUSY ){
    sqlite3_int64 nMs = 0;
    migQueryInt(r->db, &nMs, "PRAGMA busy_timeout");
    if( nMs>0 ){
      runError(r, "database is locked: another connection held the write "
               "lock for longer than the busy timeout (%lld ms)", nMs);
    }else{
      runError(r, "database is locked: another connection is writing to it "
               "(set a busy timeout to wait, e.g. .timeout 30000)");
    }
  }
  return rc;
}

/*
** End the transaction: keep what was done (bKeep) or undo all of it;
** then restore foreign keys. Returns the result of the COMMIT (on
** failure everything is rolled back and r->zErr says why, unless an
** earlier error is recorded there already).
*/
static int runUnlock(Runner *r, int bKeep){
  int rc = SQLITE_OK;
  if( r->bTxn && bKeep ){
    rc = runFlush(r);
    if( rc!=SQLITE_OK ) bKeep = 0;
  }
  r->nDone = 0;                /* Not kept: the rows go with the work */
  if( r->bTxn==1 ){
    if( bKeep ){
      char *zErr = 0;
      rc = sqlite3_exec(r->db, "COMMIT", 0, 0, &zErr);
      if( rc!=SQLITE_OK ){
        if( r->zErr==0 ){ r->zErr = zErr; zErr = 0; }
        sqlite3_exec(r->db, "ROLLBACK", 0, 0, 0);
      }
      sqlite3_free(zErr);
    }else{
      sqlite3_exec(r->db, "ROLLBACK", 0, 0, 0);
    }
  }else if( r->bTxn==2 ){
    if( !bKeep ) sqlite3_exec(r->db, "ROLLBACK TO migrate_run", 0, 0, 0);
    sqlite3_exec(r->db, "RELEASE migrate_run", 0, 0, 0);
  }
  r->bTxn = 0;
  if( r->bFkOwn && sqlite3_get_autocommit(r->db) ){
    /* Whatever the migrations did to it, the connection gets its own
    ** setting back */
    sqlite3_exec(r->db, r->bFkUser ? "PRAGMA foreign_keys=ON"
                                   : "PRAGMA foreign_keys=OFF", 0, 0, 0);
  }
  return rc;
}

/* Load the graph and the current revisions; mark what is applied. */
static int runLoad(Runner *r){
  int rc = migEngineLoad(r->p, 0, r->db, &r->g, &r->aCur, &r->nCur, &r->zErr);
  if( rc==SQLITE_OK ){
    rc = migEngineApplied(r->g, r->aCur, r->nCur, &r->aApplied);
  }
  return rc;
}

/****************************** Planning ***********************************/

/*
** Resolve the target and make the plan for r->eOp (steps.c); then check
** that the applied set the plan leaves is consistent, before anything
** changes. A stamp's new version rows go to r->aTarget.
*/
static int runPlan(Runner *r, const char *zTarget){
  MigGraph *g = r->g;
  MigSteps plan;
  char *aAfter = 0;
  int bDown = r->eOp==MIG_RUN_DOWNGRADE || r->eOp==MIG_RUN_SQL_DOWN;
  int rc, i;
  memset(&plan, 0, sizeof(plan));
  if( r->eOp==MIG_RUN_STAMP ){
    rc = migStepsStamp(g, zTarget, r->aCur, r->nCur, &plan, &r->zErr);
  }else if( bDown ){
    rc = migStepsDowngrade(g, zTarget, r->aCur, r->nCur, &plan, &r->zErr);
  }else{
    rc = migStepsUpgrade(g, zTarget, r->aCur, r->nCur, &plan, &r->zErr);
  }
  for(i=0; rc==SQLITE_OK && bDown && i<plan.steps.n; i++){
    MigRev *pRev = &g->aRev[plan.steps.a[i]];
    if( pRev->zDown==0 ){
      char *zLabel = migRevLabel(pRev);
      int bOwn = pRev->eFormat<=MIG_FMT_DBMATE;
      rc = runError(r, "%s: revision %s is irreversible (no %s)", zLabel,
                    pRev->zId, bOwn ? "\"-- migrate:down\" section"
                                    : "down migration");
      sqlite3_free(zLabel);
    }
  }
  if( rc==SQLITE_OK ){
    aAfter = sqlite3_malloc64(g->nRev+1);
    if( aAfter==0 ) rc = SQLITE_NOMEM;
  }
  if( rc==SQLITE_OK ){
    if( r->eOp==MIG_RUN_STAMP ){
      memset(aAfter, 0, g->nRev);
      migGraphAncestors(g, plan.heads.a, plan.heads.n, aAfter);
    }else{
      memcpy(aAfter, r->aApplied, g->nRev);
      for(i=0; i<plan.steps.n; i++) aAfter[plan.steps.a[i]] = !bDown;
    }
    rc = migStepsCheck(g, aAfter, r->eOp==MIG_RUN_STAMP ? plan.heads.a : 0,
                      plan.heads.n, &r->zErr);
  }
  sqlite3_free(aAfter);
  r->aPlan = plan.steps.a;
  r->nPlan = plan.steps.n;
  r->aTarget = plan.heads.a;
  r->nTarget = plan.heads.n;
  return rc;
}

/* Before a commit: migrate_version holds exactly the heads of what is
** applied, and that is closed under Revises and Depends On. */
static int runCheckRows(Runner *r){
  char **azId = 0;
  int nId = 0, bAlembic = 0, i, *aRow = 0, rc;
  rc = migBookHeads(r->db, &azId, &nId, &bAlembic);
  if( rc==SQLITE_OK && !bAlembic ){
    aRow = sqlite3_malloc64(sizeof(int)*(nId+1));
    if( aRow==0 ) rc = SQLITE_NOMEM;
    for(i=0; rc==SQLITE_OK && i<nId; i++) aRow[i] = migGraphFind(r->g, azId[i]);
    if( rc==SQLITE_OK ){
      rc = migStepsCheck(r->g, r->aApplied, aRow, nId, &r->zErr);
    }
  }
  sqlite3_free(aRow);
  migBookFreeList(azId, nId);
  return rc;
}

/****************************** Running ************************************/

/* True if zStmt starts with a transaction-control keyword. */
static int runIsTxnControl(const char *zStmt){
  static const char *azKw[] = {
    "BEGIN", "COMMIT", "END", "ROLLBACK", "SAVEPOINT", "RELEASE"
  };
  size_t i;
  for(i=0; i<sizeof(azKw)/sizeof(azKw[0]); i++){
    int n = (int)strlen(azKw[i]);
    char c = zStmt[n];
    if( sqlite3_strnicmp(zStmt, azKw[i], n)==0
     && !((c>='a' && c<='z') || (c>='A' && c<='Z') || c=='_'
          || (c>='0' && c<='9')) ){
      return 1;
    }
  }
  return 0;
}

/*
** ALTER TABLE statements SQLite cannot run, collected while consecutive
** statements change the same table, then applied by one migAlterApply()
** call (one rebuild for several clauses).
*/
typedef struct RunBatch RunBatch;
struct RunBatch {
  char *zTable;                /* Table altered (owned) */
  char **azClause;             /* Clauses (each owned) */
  int nClause;                 /* Number of clauses */
  char *zWhere;                /* "FILE:LINE" of the first (owned) */
  char **azWhere;              /* "FILE:LINE" of each clause (owned) */
};

/* Free what b holds and empty it. */
static void runBatchClear(RunBatch *b){
  int i;
  for(i=0; i<b->nClause; i++){
    sqlite3_free(b->azClause[i]);
    if( b->azWhere ) sqlite3_free(b->azWhere[i]);
  }
  sqlite3_free(b->azClause);
  sqlite3_free(b->azWhere);
  sqlite3_free(b->zTable);
  sqlite3_free(b->zWhere);
  memset(b, 0, sizeof(*b));
}

/* Apply the collected clauses, if any, and empty the batch. An error
** names the statement of the clause it is about. */
static int runBatchFlush(Runner *r, RunBatch *b){
  char *zErr = 0;
  int rc = SQLITE_OK, iClause = -1;
  if( b->nClause ){
    rc = r->p->xAlterApply(r->db, 0, b->zTable, b->nClause,
                           (const char**)b->azClause, &zErr, &iClause);
    if( rc!=SQLITE_OK ){
      const char *zWhere = b->zWhere;
      if( iClause>=0 && iClause<b->nClause && b->azWhere[iClause] ){
        zWhere = b->azWhere[iClause];
      }
      runError(r, "%s: %s", zWhere, zErr ? zErr : sqlite3_errstr(rc));
    }
    sqlite3_free(zErr);
  }
  runBatchClear(b);
  return rc;
}

/* Add clause zClause of table zTable (both taken over) to the batch. */
static int runBatchAdd(RunBatch *b, char *zTable, char *zClause,
                       const char *zWhere){
  char **azNew = sqlite3_realloc64(b->azClause,
                                   sizeof(char*)*(b->nClause+1));
  char **azW = azNew ? sqlite3_realloc64(b->azWhere,
                                         sizeof(char*)*(b->nClause+1)) : 0;
  if( azNew ) b->azClause = azNew;
  if( azW ) b->azWhere = azW;
  if( azNew==0 || azW==0 ){
    sqlite3_free(zTable);
    sqlite3_free(zClause);
    return SQLITE_NOMEM;
  }
  azW[b->nClause] = sqlite3_mprintf("%s", zWhere);
  azNew[b->nClause++] = zClause;
  if( azW[b->nClause-1]==0 ){
    sqlite3_free(zTable);
    return SQLITE_NOMEM;
  }
  if( b->zTable==0 ){
    b->zTable = zTable;
    b->zWhere = sqlite3_mprintf("%s", zWhere);
    if( b->zWhere==0 ) return SQLITE_NOMEM;
  }else{
    sqlite3_free(zTable);
  }
  return SQLITE_OK;
}

/* Prepare and step one statement natively. zWhere is "FILE:LINE". */
static int runNative(Runner *r, const char *zStmt, const char *zWhere){
  sqlite3_stmt *pStmt = 0;
  int rc = sqlite3_prepare_v2(r->db, zStmt, -1, &pStmt, 0);
  if( rc==SQLITE_OK && pStmt ){
    while( (rc = sqlite3_step(pStmt))==SQLITE_ROW ){}
    if( rc==SQLITE_DONE ) rc = SQLITE_OK;
  }
  if( rc!=SQLITE_OK ) runError(r, "%s: %s", zWhere, sqlite3_errmsg(r->db));
  sqlite3_finalize(pStmt);
  return rc;
}

/*
** On a connection with the engine alone (no alter module), run an ALTER
** TABLE the alter engine would take as SQLite runs it (DROP COLUMN
** works, ALTER COLUMN does not); SQLite's error then says what would.
*/
static int runNativeAlter(Runner *r, const char *zStmt, const char *zWhere){
  int rc = runNative(r, zStmt, zWhere);
  if( rc!=SQLITE_OK ){
    char *zWhy = r->zErr;
    r->zErr = 0;
    runError(r, "%s (the alter module would run this ALTER TABLE: "
             "sqlite3_migrate_init(), not sqlite3_migrate_engine_init())",
             zWhy ? zWhy : sqlite3_errstr(rc));
    sqlite3_free(zWhy);
  }
  return rc;
}

/*
** Run one statement of a migration, zWhere being "FILE:LINE": ALTER
** TABLE forms SQLite lacks join the batch b (consecutive ones on one
** table go to the alter engine together), anything else runs natively
** after the batch is applied.
*/
static int runStatement(Runner *r, RunBatch *b, const char *zStmt,
                        const char *zWhere, int bTxn){
  char *zTable = 0, *zClause = 0;
  int rc = SQLITE_OK;
  if( bTxn && runIsTxnControl(zStmt) ){
    return runError(r, "%s: transaction control is not allowed in a "
                    "migration (use transaction:false)", zWhere);
  }
  if( runMentions(zStmt, "alter") && migAlterRoute(zStmt, &zTable, &zClause) ){
    if( r->p->xAlterApply==0 ){
      sqlite3_free(zTable);
      sqlite3_free(zClause);
      return runNativeAlter(r, zStmt, zWhere);
    }
    if( b->zTable && !migNameEq(b->zTable, zTable) ){
      rc = runBatchFlush(r, b);
    }
    if( rc==SQLITE_OK ) return runBatchAdd(b, zTable, zClause, zWhere);
    sqlite3_free(zTable);
    sqlite3_free(zClause);
    return rc;
  }
  rc = runBatchFlush(r, b);
  if( rc==SQLITE_OK ) rc = runNative(r, zStmt, zWhere);
  return rc;
}

/*
** True (and the run marked as having lost its transaction) if SQLite
** rolled back the whole transaction after an error (I/O, out of memory):
** nothing done so far in it survives and nothing more may run.
*/
static int runTxnLost(Runner *r){
  if( r->bTxn && sqlite3_get_autocommit(r->db) ){
    r->bTxn = 0;
    r->bLost = 1;
  }
  return r->bLost;
}

/* Run every statement of zSql (line iLine of pRev's file). */
static int runSection(Runner *r, const MigRev *pRev, const char *zSql,
                      int iLine, int bTxn){
  MigSplit s;
  RunBatch b;
  char *zStmt = 0, *zLabel;
  int rc = migSplitInit(&s, zSql, iLine), iStmt = 0;
  if( zSql==pRev->zDown && pRev->zDownFile ){
    zLabel = sqlite3_mprintf("%s", pRev->zDownFile);   /* Its own file */
  }else{
    zLabel = migRevLabel(pRev);
  }
  memset(&b, 0, sizeof(b));
  if( zLabel==0 ) rc = SQLITE_NOMEM;
  while( rc==SQLITE_OK && (rc = migSplitNext(&s, &zStmt, &iStmt))==SQLITE_ROW ){
    char *zWhere = sqlite3_mprintf("%s:%d", zLabel, iStmt);
    rc = zWhere ? runStatement(r, &b, zStmt, zWhere, bTxn) : SQLITE_NOMEM;
    if( rc==SQLITE_OK && bTxn && runTxnLost(r) ){
      rc = runError(r, "%s: the transaction was rolled back", zWhere);
    }
    sqlite3_free(zWhere);
    sqlite3_free(zStmt);
  }
  if( rc==SQLITE_DONE ){
    char *zWhere = b.zWhere ? sqlite3_mprintf("%s", b.zWhere) : 0;
    rc = runBatchFlush(r, &b);
    if( rc==SQLITE_OK && bTxn && runTxnLost(r) ){
      rc = runError(r, "%s: the transaction was rolled back", zWhere);
    }
    sqlite3_free(zWhere);
  }
  runBatchClear(&b);
  migSplitFree(&s);
  sqlite3_free(zLabel);
  return rc;
}

/* One foreign_key_check row as "\ntable|rowid|parent|fkid\n". */
static char *runFkRow(sqlite3_stmt *pStmt){
  return sqlite3_mprintf("\n%s|%lld|%s|%d\n", sqlite3_column_text(pStmt, 0),
      sqlite3_column_int64(pStmt, 1), sqlite3_column_text(pStmt, 2),
      sqlite3_column_int(pStmt, 3));
}

/*
** PRAGMA foreign_key_check on table zTab (every table when NULL): each
** violation goes to pBefore when not NULL, else is checked against
** r->zFkBefore, and one that was not there is an error naming it (pRev's
** doing). A table whose keys SQLite cannot check at all ("foreign key
** mismatch": the parent key is not unique, or gone) is recorded the same
** way as a line "\n!message\n", so a mismatch there before the run is not
** blamed on a migration. With zTab NULL, *pbMismatch is set instead and
** nothing recorded: the caller then checks table by table.
*/
static int runFkScan(Runner *r, const MigRev *pRev, const char *zTab,
                     sqlite3_str *pBefore, int *pbMismatch){
  sqlite3_stmt *pStmt = 0;
  char *zSql = zTab ? sqlite3_mprintf("PRAGMA main.foreign_key_check(%Q)",
                                      zTab)
                    : sqlite3_mprintf("PRAGMA main.foreign_key_check");
  int rc = zSql ? sqlite3_prepare_v2(r->db, zSql, -1, &pStmt, 0)
                : SQLITE_NOMEM;
  sqlite3_free(zSql);
  if( rc==SQLITE_ERROR ){
    /* SQLite finds a mismatch while compiling the check. */
    char *zRow;
    if( zTab==0 ){ *pbMismatch = 1; return SQLITE_OK; }
    zRow = sqlite3_mprintf("\n!%s\n", sqlite3_errmsg(r->db));
    if( zRow==0 ) return SQLITE_NOMEM;
    if( pBefore ){
      sqlite3_str_appendall(pBefore, zRow+1);
      rc = SQLITE_OK;
    }else if( r->zFkBefore==0 || strstr(r->zFkBefore, zRow)==0 ){
      char *zLabel = migRevLabel(pRev);
      rc = runError(r, "%s: foreign key check failed: %.*s (its parent "
          "columns are neither a PRIMARY KEY nor UNIQUE; not so before "
          "this migration)", zLabel, (int)strlen(zRow)-3, zRow+2);
      sqlite3_free(zLabel);
    }else{
      rc = SQLITE_OK;
    }
    sqlite3_free(zRow);
    return rc;
  }
  if( rc!=SQLITE_OK ) return rc;
  while( rc==SQLITE_OK && sqlite3_step(pStmt)==SQLITE_ROW ){
    char *zRow = runFkRow(pStmt);
    if( zRow==0 ){ rc = SQLITE_NOMEM; break; }
    if( pBefore ){
      sqlite3_str_appendall(pBefore, zRow+1);
    }else if( r->zFkBefore==0 || strstr(r->zFkBefore, zRow)==0 ){
      char *zLabel = migRevLabel(pRev);
      rc = runError(r, "%s: foreign key check failed: %s row %lld "
          "references %s%s%s%s", zLabel, sqlite3_column_text(pStmt, 0),
          sqlite3_column_int64(pStmt, 1), sqlite3_column_text(pStmt, 2),
          r->zFkWhy ? " (" : "", r->zFkWhy ? r->zFkWhy : "",
          r->zFkWhy ? ")" : "");
      sqlite3_free(zLabel);
    }
    sqlite3_free(zRow);
  }
  if( rc==SQLITE_OK ){
    rc = sqlite3_finalize(pStmt);
    if( rc!=SQLITE_OK && r->zErr==0 ){
      runError(r, "%s", sqlite3_errmsg(r->db));
    }
  }else{
    sqlite3_finalize(pStmt);
  }
  return rc;
}

/*
** PRAGMA foreign_key_check. With pRev==0: remember the violations and
** mismatches there are before the first migration (r->zFkBefore). Else:
** an error naming the first one that was not there before (pRev's
** doing). Table by table only when some table has a mismatch.
*/
static int runFkCheck(Runner *r, const MigRev *pRev){
  sqlite3_str *pBefore = pRev ? 0 : sqlite3_str_new(0);
  int bMismatch = 0;
  int rc;
  if( pBefore ) sqlite3_str_appendall(pBefore, "\n");
  rc = runFkScan(r, pRev, 0, pBefore, &bMismatch);
  if( rc==SQLITE_OK && bMismatch ){
    sqlite3_stmt *pStmt = 0;
    rc = sqlite3_prepare_v2(r->db, "SELECT name FROM main.sqlite_schema "
                            "WHERE type='table' ORDER BY name", -1, &pStmt, 0);
    while( rc==SQLITE_OK && sqlite3_step(pStmt)==SQLITE_ROW ){
      rc = runFkScan(r, pRev, (const char*)sqlite3_column_text(pStmt, 0),
                     pBefore, &bMismatch);
    }
    if( rc==SQLITE_OK ) rc = sqlite3_finalize(pStmt);
    else sqlite3_finalize(pStmt);
    if( rc!=SQLITE_OK && r->zErr==0 ) runError(r, "%s", sqlite3_errmsg(r->db));
  }
  if( pBefore ){
    if( rc==SQLITE_OK ) rc = sqlite3_str_errcode(pBefore);
    sqlite3_free(r->zFkBefore);
    r->zFkBefore = sqlite3_str_finish(pBefore);
    if( rc==SQLITE_OK && r->zFkBefore==0 ) rc = SQLITE_NOMEM;
  }
  return rc;
}

/* Write a snapshot to zPath and log it. */
static int runSnapshot(Runner *r, const char *zPath){
  sqlite3_int64 nByte = 0;
  char *zErr = 0;
  int rc;
  if( r->p->xSnapshot==0 ){
    return runError(r, "cannot write backup %s: backups need the backup "
                    "module (sqlite3_migrate_init(), not "
                    "sqlite3_migrate_engine_init())", zPath);
  }
  rc = r->p->xSnapshot(r->db, "main", zPath, &nByte, &zErr);
  if( rc==SQLITE_OK ){
    r->bSnapshot = 1;
    runLog(r, "Backup written to %s (%lld bytes)", zPath, nByte);
  }else{
    runError(r, "%s", zErr ? zErr : sqlite3_errstr(rc));
  }
  sqlite3_free(zErr);
  return rc;
}

/* Before a migration: report data loss; snapshot first with backup=auto */
static int runDataLoss(Runner *r, const MigRev *pRev, const char *zSql){
  char *zReport = 0;
  int rc = SQLITE_OK;
  if( runMentions(zSql, "drop") && migBackupDataLoss(zSql, &zReport) ){
    const char *z = zReport;
    if( zReport==0 ){                    /* Out of memory: scan incomplete */
      runError(r, "%s", sqlite3_errstr(SQLITE_NOMEM));
      return SQLITE_NOMEM;
    }
    while( z && *z ){
      const char *zEol = strchr(z, '\n');
      int n = zEol ? (int)(zEol-z) : (int)strlen(z);
      if( n ) runLog(r, "%.*s", n, z);
      z += n + (zEol!=0);
    }
    if( r->p->eBackupAuto && !r->bSnapshot ){
      const char *zDb = sqlite3_db_filename(r->db, "main");
      if( zDb && zDb[0] ){
        char *zPath = sqlite3_mprintf("%s.before-%s.db.gz", zDb, pRev->zId);
        rc = zPath ? runSnapshot(r, zPath) : SQLITE_NOMEM;
        sqlite3_free(zPath);
      }
    }
  }
  sqlite3_free(zReport);
  return rc;
}

/*
** Update aApplied for revision iRev having run, and queue its
** bookkeeping rows: runFlush() writes the rows of every migration since
** the last commit in one go, just before the runner commits (all of them
** inside the same transaction, so what a commit makes visible is the
** same as if each migration had written its own rows; but one prepared
** statement does it, instead of two statements parsed per migration).
*/
static int runRecord(Runner *r, int iRev, int bDown, sqlite3_int64 iStart){
  RunDone *p;
  sqlite3_int64 iNow = migNowMs();
  if( r->nDone>=r->nDoneAlloc ){
    int nNew = r->nDoneAlloc ? 2*r->nDoneAlloc : 16;
    RunDone *aNew = sqlite3_realloc64(r->aDone, sizeof(RunDone)*nNew);
    if( aNew==0 ) return SQLITE_NOMEM;
    r->aDone = aNew;
    r->nDoneAlloc = nNew;
  }
  p = &r->aDone[r->nDone++];
  p->iRev = iRev;
  p->bDown = bDown;
  p->rSec = (iNow-iStart)/1000.0;
  p->iAt = iNow;
  r->aApplied[iRev] = !bDown;
  return SQLITE_OK;
}

/*
** CHECK constraints off (bOn 0) or back on (bOn 1) for the history rows
** runFlush() inserts. migrate_history's CHECK on direction is an IN
** list, which SQLite builds into a temporary index each time the INSERT
** runs: that cost three times the rest of the row, and the runner only
** writes the values the CHECK allows. With pbWasOff (bOn 0), *pbWasOff
** gets whether they were off already (PRAGMA ignore_check_constraints
** of the connection), in which case nothing changes and runFlush()
** leaves them off. Like any flag pragma, each change expires the
** connection's prepared statements (they re-prepare on their next run).
*/
static int runChecks(Runner *r, int bOn, sqlite3_int64 *pbWasOff){
  int rc = SQLITE_OK;
  if( pbWasOff ){
    rc = migQueryInt(r->db, pbWasOff, "PRAGMA ignore_check_constraints");
    if( rc!=SQLITE_OK ){
      runError(r, "%s", sqlite3_errmsg(r->db));
      return rc;
    }
    if( *pbWasOff ) return SQLITE_OK;
  }
  return runExec(r, sqlite3_mprintf("PRAGMA ignore_check_constraints=%d",
                                    !bOn));
}

/*
** Write the queued bookkeeping: migrate_version set to the heads of
** aApplied, one migrate_history row and the peer table's rows (peer.c)
** per migration queued (a run goes one way, so aApplied as it ends says
** what the peer must say of each of them). Called before
** every COMMIT (or RELEASE of migrate_run) that keeps the work. Returns
** an SQLite code, r->zErr set on error.
*/
static int runFlush(Runner *r){
  sqlite3_stmt *pStmt = 0;
  sqlite3_int64 bChecksOff = 0;
  int i, rc;
  if( r->nDone==0 ) return SQLITE_OK;
  rc = runExec(r, migBookHeadsSql(r->g, r->aApplied));
  if( rc==SQLITE_OK ) rc = runChecks(r, 0, &bChecksOff);
  for(i=0; rc==SQLITE_OK && i<r->nDone; i++){
    RunDone *p = &r->aDone[i];
    rc = migBookHistoryRow(r->db, &pStmt, &r->g->aRev[p->iRev],
                           p->bDown ? "downgrade" : "upgrade", p->rSec,
                           p->iAt);
    if( rc!=SQLITE_OK && r->zErr==0 ){
      runError(r, "%s", sqlite3_errmsg(r->db));
    }
    if( rc==SQLITE_OK ){     /* The old tool's table says the same */
      rc = runExec(r, migPeerSql(r->p, r->g, r->aApplied, p->iRev, p->rSec));
    }
  }
  sqlite3_finalize(pStmt);
  if( !bChecksOff ){
    int rc2 = runChecks(r, 1, 0);
    if( rc==SQLITE_OK ) rc = rc2;
  }
  r->nDone = 0;
  return rc;
}

/* Check that migrate_version still says what aApplied says, after the
** lock was let go while zWhile (for the message). */
static int runSameHeads(Runner *r, const MigRev *pRev, const char *zWhile){
  char **azId = 0;
  int nId = 0, bAlembic = 0, rc, i, nHead = 0, bSame = 1;
  rc = migBookHeads(r->db, &azId, &nId, &bAlembic);
  for(i=0; rc==SQLITE_OK && i<nId; i++){
    int j = migGraphFind(r->g, azId[i]);
    if( j<0 || !r->aApplied[j] ) bSame = 0;
  }
  for(i=0; i<r->g->nRev; i++){
    int k, bHead = r->aApplied[i];
    for(k=0; bHead && k<r->g->aRev[i].nChild; k++){
      if( r->aApplied[r->g->aRev[i].aChild[k]] ) bHead = 0;
    }
    nHead += bHead;
  }
  migBookFreeList(azId, nId);
  if( rc==SQLITE_OK && (!bSame || nHead!=nId) ){
    char *zLabel = migRevLabel(pRev);
    rc = runError(r, "%s: the database was changed by another process while "
                  "%s", zLabel, zWhile);
    sqlite3_free(zLabel);
  }
  return rc;
}

/*
** Take the lock again after it was let go, with foreign keys as the run
** has them, without losing an error already recorded (rc). Returns rc,
** or the error of the BEGIN when rc is SQLITE_OK.
*/
static int runRelock(Runner *r, int rc){
  char *zSaved = r->zErr;
  int rc2;
  r->zErr = 0;
  rc2 = runExec(r, sqlite3_mprintf("PRAGMA foreign_keys=%s",
                                   r->bFkRun ? "ON" : "OFF"));
  if( rc2==SQLITE_OK ) rc2 = runBegin(r);
  if( rc!=SQLITE_OK ){
    sqlite3_free(r->zErr);
    r->zErr = zSaved;
    return rc;
  }
  sqlite3_free(zSaved);
  return rc2;
}

/* Commit, switch foreign keys to bFk and take the lock again. */
static int runFkSwitch(Runner *r, const MigRev *pRev, int bFk){
  int rc = runFlush(r);
  if( rc==SQLITE_OK ) rc = runExec(r, sqlite3_mprintf("COMMIT"));
  if( rc!=SQLITE_OK ) return rc;
  r->bTxn = 0;
  r->bFkRun = bFk;
  rc = runRelock(r, SQLITE_OK);
  if( rc==SQLITE_OK ){
    rc = runSameHeads(r, pRev, "foreign keys were switched for it");
  }
  return rc;
}

/*
** A transaction:false migration: commit, run unlocked with foreign keys
** bFk, relock, record. Whatever the section did to its own transaction
** or to PRAGMA foreign_keys is undone before the next migration: a
** transaction it left open (its own BEGIN, then an error or no COMMIT)
** is rolled back, as closing its tool's connection would, and its error
** is the one reported.
*/
static int runNoTxn(Runner *r, int iRev, int bDown, const char *zSql,
                    int iLine, int bFk){
  MigRev *pRev = &r->g->aRev[iRev];
  sqlite3_int64 iStart = migNowMs();
  int rc;
  if( r->bTxn!=1 ){
    char *zLabel = migRevLabel(pRev);
    rc = runError(r, "%s: a transaction:false section cannot run inside a "
                  "transaction", zLabel);
    sqlite3_free(zLabel);
    return rc;
  }
  rc = runFlush(r);
  if( rc==SQLITE_OK ) rc = runExec(r, sqlite3_mprintf("COMMIT"));
  if( rc!=SQLITE_OK ) return rc;
  r->bTxn = 0;
  if( bFk!=r->bFkRun ) rc = runFkSet(r, bFk);
  if( rc==SQLITE_OK ) rc = runSection(r, pRev, zSql, iLine, 0);
  if( !sqlite3_get_autocommit(r->db) ){
    sqlite3_exec(r->db, "ROLLBACK", 0, 0, 0);
    if( rc==SQLITE_OK ){
      char *zLabel = migRevLabel(pRev);
      rc = runError(r, "%s: the section's own transaction was left open "
                    "(BEGIN without COMMIT) and was rolled back", zLabel);
      sqlite3_free(zLabel);
    }
  }
  rc = runRelock(r, rc);
  if( rc==SQLITE_OK ){
    rc = runSameHeads(r, pRev, "this transaction:false migration ran");
  }
  if( rc==SQLITE_OK ) rc = runRecord(r, iRev, bDown, iStart);
  return rc;
}

/*
** Foreign keys for migration pRev's section zSql: the connection's own
** setting, except off for a section that rebuilds a table (fkmode.c).
** r->zFkWhy gets what a failing foreign key check should add.
*/
static int runFkWant(Runner *r, const char *zSql){
  char *zTable = 0;
  int bRebuild = (runMentions(zSql, "drop") || runMentions(zSql, "alter"))
                 && migFkRebuild(zSql, &zTable);
  sqlite3_free(r->zFkWhy);
  r->zFkWhy = 0;
  if( !r->bFkUser ){
    r->zFkWhy = sqlite3_mprintf("PRAGMA foreign_keys is off on this "
                                "connection, so no ON DELETE action ran");
  }else if( bRebuild ){
    r->zFkWhy = sqlite3_mprintf("foreign keys are off in a migration that "
        "rebuilds a table (%s), so no ON DELETE action ran",
        zTable ? zTable : "?");
  }
  sqlite3_free(zTable);
  return r->bFkUser && !bRebuild;
}

/* Run migration iRev of the plan in its own savepoint. */
static int runStep(Runner *r, int iRev, int bDown){
  MigRev *pRev = &r->g->aRev[iRev];
  const char *zSql = bDown ? pRev->zDown : pRev->zUp;
  int iLine = bDown ? pRev->iDownLine : pRev->iUpLine;
  sqlite3_int64 iStart = migNowMs();
  char *zFrom = runParents(r->g, pRev);
  int rc, bFk;
  if( bDown ){
    runLog(r, "Running downgrade %s -> %s, %s", pRev->zId,
           zFrom ? zFrom : "", pRev->zMessage ? pRev->zMessage : "");
  }else{
    runLog(r, "Running upgrade %s -> %s, %s", zFrom ? zFrom : "",
           pRev->zId, pRev->zMessage ? pRev->zMessage : "");
  }
  sqlite3_free(zFrom);
  rc = runDataLoss(r, pRev, zSql);
  bFk = runFkWant(r, zSql);
  if( rc==SQLITE_OK && (bDown ? pRev->bDownNoTxn : pRev->bUpNoTxn) ){
    return runNoTxn(r, iRev, bDown, zSql, iLine, bFk);
  }
  if( rc==SQLITE_OK && bFk!=r->bFkRun && r->bTxn==1 ){
    rc = runFkSwitch(r, pRev, bFk);
  }
  if( rc==SQLITE_OK ){
    rc = runExec(r, sqlite3_mprintf("SAVEPOINT migrate_step"));
  }
  if( rc!=SQLITE_OK ) return rc;
  rc = runSection(r, pRev, zSql, iLine, 1);
  if( rc==SQLITE_OK ) rc = runFkCheck(r, pRev);
  if( rc==SQLITE_OK && !runTxnLost(r) ) rc = runRecord(r, iRev, bDown, iStart);
  if( runTxnLost(r) ){
    if( rc==SQLITE_OK ) rc = runError(r, "the transaction was rolled back");
    return rc;
  }
  if( rc!=SQLITE_OK ){
    sqlite3_exec(r->db, "ROLLBACK TO migrate_step", 0, 0, 0);
  }
  sqlite3_exec(r->db, "RELEASE migrate_step", 0, 0, 0);
  return rc;
}

/* Stamp: the planned rows (r->aTarget) become the version rows. */
static int runStamp(Runner *r){
  MigGraph *g = r->g;
  char *zFrom = runIdList(g, r->aCur, r->nCur);
  char *zTo = runIdList(g, r->aTarget, r->nTarget);
  int rc;
  if( (r->nCur && zFrom==0) || (r->nTarget && zTo==0) ){
    sqlite3_free(zFrom);
    sqlite3_free(zTo);
    return SQLITE_NOMEM;
  }
  runLog(r, "Running stamp_revision %s -> %s", zFrom ? zFrom : "",
         zTo ? zTo : "");
  memset(r->aApplied, 0, g->nRev);
  migGraphAncestors(g, r->aTarget, r->nTarget, r->aApplied);
  rc = runExec(r, migBookHeadsSql(g, r->aApplied));
  if( rc==SQLITE_OK ) rc = runExec(r, migBookStampSql(zFrom, zTo));
  if( rc==SQLITE_OK ) rc = runExec(r, migPeerSql(r->p, g, r->aApplied, -1, 0));
  sqlite3_free(zFrom);
  sqlite3_free(zTo);
  return rc;
}

/**************************** Offline SQL **********************************/

/* Append the statements of zSql, ALTERs routed to migrate_alter_table. */
static int runOfflineSection(Runner *r, const char *zSql){
  MigSplit s;
  char *zStmt = 0;
  int iLine = 0, rc = migSplitInit(&s, zSql, 1);
  while( rc==SQLITE_OK && (rc = migSplitNext(&s, &zStmt, &iLine))==SQLITE_ROW ){
    char *zTable = 0, *zClause = 0;
    if( migAlterRoute(zStmt, &zTable, &zClause) ){
      sqlite3_str_appendf(r->pOut, "SELECT migrate_alter_table(%Q, %Q);\n",
                          zTable, zClause);
    }else{
      int n = (int)strlen(zStmt);
      sqlite3_str_appendf(r->pOut, "%s%s\n", zStmt,
                          n && zStmt[n-1]==';' ? "" : ";");
    }
    sqlite3_free(zTable);
    sqlite3_free(zClause);
    sqlite3_free(zStmt);
    rc = SQLITE_OK;
  }
  migSplitFree(&s);
  return rc==SQLITE_DONE ? SQLITE_OK : rc;
}

/*
** Offline "START:END": plan as if the database were at START (the first
** nStart bytes of zRange; empty: base) instead of its current revision.
*/
static int runOfflineStart(Runner *r, const char *zRange, int nStart){
  char *zStart = sqlite3_mprintf("%.*s", nStart, zRange);
  int *aOut = 0, nOut = 0, rc;
  if( zStart==0 ) return SQLITE_NOMEM;
  rc = migGraphRevisions(r->g, zStart[0] ? zStart : "base", &aOut, &nOut,
                         &r->zErr);
  sqlite3_free(zStart);
  if( rc!=SQLITE_OK ) return rc;
  sqlite3_free(r->aCur);
  r->aCur = aOut;
  r->nCur = nOut;
  memset(r->aApplied, 0, r->g->nRev);
  migGraphAncestors(r->g, r->aCur, r->nCur, r->aApplied);
  return SQLITE_OK;
}

/* The whole plan as SQL text in r->pOut. */
static int runOffline(Runner *r, int bDown){
  int i, rc = SQLITE_OK;
  sqlite3_str_appendall(r->pOut, migBookDdl());
  sqlite3_str_appendall(r->pOut, migPeerOfflineDdl(r->p, r->g));
  for(i=0; rc==SQLITE_OK && i<r->nPlan; i++){
    int iRev = r->aPlan[i];
    MigRev *pRev = &r->g->aRev[iRev];
    char *zFrom = runParents(r->g, pRev);
    int bNoTxn = bDown ? pRev->bDownNoTxn : pRev->bUpNoTxn;
    if( pRev->nParent && zFrom==0 ) return SQLITE_NOMEM;
    sqlite3_str_appendf(r->pOut, "\n-- Running %s %s -> %s, %s\n%s",
        bDown ? "downgrade" : "upgrade", bDown ? pRev->zId : zFrom,
        bDown ? zFrom : pRev->zId, pRev->zMessage ? pRev->zMessage : "",
        bNoTxn ? "" : "BEGIN;\n");
    sqlite3_free(zFrom);
    rc = runOfflineSection(r, bDown ? pRev->zDown : pRev->zUp);
    r->aApplied[iRev] = !bDown;
    if( rc==SQLITE_OK ){
      char *zHeads = migBookStepSql(r->g, r->aApplied, iRev, bDown);
      char *zHist = migBookHistorySql(pRev, bDown ? "downgrade":"upgrade", -1);
      char *zPeer = migPeerSql(r->p, r->g, r->aApplied, iRev, 0);
      sqlite3_str_appendf(r->pOut, "%s\n%s\n%s%s", zHeads, zHist, zPeer,
                          bNoTxn ? "" : "COMMIT;\n");
      if( zHeads==0 || zHist==0 || zPeer==0 ) rc = SQLITE_NOMEM;
      sqlite3_free(zHeads);
      sqlite3_free(zHist);
      sqlite3_free(zPeer);
    }
  }
  return rc;
}

/*************************** The entry point *******************************/

/* Append the lines of report zReport to pStr, each ending in "\n". */
static void runAppendLines(sqlite3_str *pStr, const char *zReport){
  const char *z = zReport;
  while( *z ){
    const char *zEol = strchr(z, '\n');
    int n = zEol ? (int)(zEol-z) : (int)strlen(z);
    if( n ) sqlite3_str_appendf(pStr, "%.*s\n", n, z);
    z += n + (zEol!=0);
  }
}

/*
** With an xConfirm hook: collect the data-loss lines of the whole plan
** and, if there are any, ask. Returns SQLITE_OK to go on, or an error
** (SQLITE_ABORT when the hook said no) before anything was changed.
*/
static int runConfirm(Runner *r){
  int bDown = r->eOp==MIG_RUN_DOWNGRADE;
  sqlite3_str *pStr;
  char *zLines;
  int i, rc = SQLITE_OK;
  if( r->o->xConfirm==0 || r->nPlan==0 || r->eOp==MIG_RUN_STAMP ){
    return SQLITE_OK;
  }
  pStr = sqlite3_str_new(0);
  for(i=0; rc==SQLITE_OK && i<r->nPlan; i++){
    MigRev *pRev = &r->g->aRev[r->aPlan[i]];
    char *zReport = 0;
    const char *zSql = bDown ? pRev->zDown : pRev->zUp;
    if( runMentions(zSql, "drop") && migBackupDataLoss(zSql, &zReport) ){
      if( zReport==0 ) rc = SQLITE_NOMEM;   /* The scan is incomplete */
      else runAppendLines(pStr, zReport);
    }
    sqlite3_free(zReport);
  }
  if( rc==SQLITE_OK ) rc = sqlite3_str_errcode(pStr);
  zLines = sqlite3_str_finish(pStr);
  if( rc==SQLITE_OK && zLines && zLines[0]
   && r->o->xConfirm(r->o->pConfirmArg, zLines) ){
    runError(r, "cancelled: the %s would lose data, nothing was changed",
             bDown ? "downgrade" : "upgrade");
    rc = SQLITE_ABORT;
  }
  sqlite3_free(zLines);
  return rc;
}

/* MigRunOpts.bCommitEach: after migration pRev, commit it with its
** bookkeeping and take the lock again; *pnDone counts it once it is
** committed. */
static int runCommitEach(Runner *r, const MigRev *pRev,
                         sqlite3_int64 *pnDone){
  int rc = runFlush(r);
  if( rc==SQLITE_OK ) rc = runExec(r, sqlite3_mprintf("COMMIT"));
  if( rc!=SQLITE_OK ) return rc;
  (*pnDone)++;
  r->bTxn = 0;
  rc = runRelock(r, SQLITE_OK);
  if( rc==SQLITE_OK ) rc = runSameHeads(r, pRev, "it was committed");
  return rc;
}

/* Run the plan; *pnDone counts the migrations that were applied. */
static int runAll(Runner *r, sqlite3_int64 *pnDone){
  int bDown = r->eOp==MIG_RUN_DOWNGRADE;
  int i, rc = SQLITE_OK;
  if( !bDown && r->nPlan>0 && r->o->zBackup ){
    rc = runSnapshot(r, r->o->zBackup);
  }
  if( rc==SQLITE_OK && r->nPlan>0 ) rc = runFkCheck(r, 0);
  for(i=0; rc==SQLITE_OK && i<r->nPlan; i++){
    rc = runStep(r, r->aPlan[i], bDown);
    if( rc==SQLITE_OK && r->o->bCommitEach && r->bTxn==1 && i+1<r->nPlan ){
      rc = runCommitEach(r, &r->g->aRev[r->aPlan[i]], pnDone);
    }else if( rc==SQLITE_OK ){
      (*pnDone)++;
    }
    if( rc==SQLITE_OK && r->o->xProgress ){
      r->o->xProgress(r->o->pProgressArg, i+1, r->nPlan);
    }
  }
  return rc;
}

/* Free what runLoad() and runPlan() made. */
static void runFreeState(Runner *r){
  migGraphFree(r->g);
  sqlite3_free(r->aCur);
  sqlite3_free(r->aApplied);
  sqlite3_free(r->aPlan);
  sqlite3_free(r->aTarget);
  r->g = 0;
  r->aCur = r->aTarget = r->aPlan = 0;
  r->aApplied = 0;
  r->nCur = r->nTarget = r->nPlan = 0;
}

/*
** True if the first migration of the plan wants foreign keys otherwise
** than the lock was taken with: the run then starts again with them
** switched (nothing is done yet, so no other process can slip in
** between two migrations of the run).
*/
static int runFkRestart(Runner *r){
  int bDown = r->eOp==MIG_RUN_DOWNGRADE;
  const MigRev *pRev;
  if( r->eOp==MIG_RUN_STAMP || r->nPlan==0 || r->bTxn!=1 ) return 0;
  pRev = &r->g->aRev[r->aPlan[0]];
  return runFkWant(r, bDown ? pRev->zDown : pRev->zUp)!=r->bFkStart;
}

/* Write side: lock, load, ensure tables, plan, run, unlock. */
static int runWrite(Runner *r, const char *zTarget, sqlite3_int64 *pnDone){
  int bAdopted = 0, rc2;
  const char *zPeer = 0;
  int rc = runLock(r);
  if( rc==SQLITE_OK ) rc = runLoad(r);
  if( rc==SQLITE_OK ) zPeer = migPeerTable(r->p, r->g);
  if( rc==SQLITE_OK ){
    rc = migBookEnsure(r->db, r->g, r->aCur, r->nCur, zPeer, &bAdopted,
                       &r->zErr);
  }
  if( rc==SQLITE_OK && bAdopted ){
    char *zIds = runIdList(r->g, r->aCur, r->nCur);
    runLog(r, "Adopted %s: %s", zPeer ? zPeer : "alembic_version",
           zIds ? zIds : "");
    sqlite3_free(zIds);
  }
  if( rc==SQLITE_OK ){
    char *zLog = 0;
    rc = migPeerEnsure(r->p, r->db, r->g, r->aCur, r->nCur, &zLog, &r->zErr);
    if( zLog ) runLog(r, "%s", zLog);
    sqlite3_free(zLog);
  }
  if( rc==SQLITE_OK ) rc = runPlan(r, zTarget);
  if( rc==SQLITE_OK && !r->bFkStart && runFkRestart(r) ){
    runUnlock(r, 0);
    runFreeState(r);
    r->bFkStart = 1;
    return runWrite(r, zTarget, pnDone);
  }
  if( rc==SQLITE_OK ) rc = runConfirm(r);
  if( rc==SQLITE_OK ){
    if( r->eOp==MIG_RUN_STAMP ){
      rc = runStamp(r);
      if( rc==SQLITE_OK ) *pnDone = r->nTarget;
    }else{
      rc = runAll(r, pnDone);
    }
  }
  if( (rc==SQLITE_OK || *pnDone>0) && !runTxnLost(r) ){
    int rc3 = runFlush(r);   /* The rows the check reads */
    if( rc3==SQLITE_OK ) rc3 = runCheckRows(r);
    if( rc3!=SQLITE_OK ){ rc = rc3; *pnDone = 0; }
  }
  runTxnLost(r);
  rc2 = runUnlock(r, rc==SQLITE_OK || *pnDone>0);
  if( rc2!=SQLITE_OK || r->bLost ){
    *pnDone = 0;
    if( rc==SQLITE_OK ) rc = rc2;
  }
  return rc;
}

/* Public within the extension: see migrate_run.h. */
int migRun(sqlite3 *db, const MigRunOpts *pOpts, sqlite3_int64 *pnDone,
           char **pzOut, char **pzErr){
  Runner r;
  const char *zTarget = pOpts->zTarget ? pOpts->zTarget : "head";
  int eOp = pOpts->eOp;
  int rc;
  memset(&r, 0, sizeof(r));
  r.p = migConnGet(db);
  r.db = db;
  r.o = pOpts;
  r.eOp = eOp;
  *pnDone = 0;
  if( pzOut ) *pzOut = 0;
  *pzErr = 0;
  if( r.p==0 ){
    return migErrorf(pzErr, SQLITE_MISUSE, "the migrate extension is not "
                     "registered on this connection");
  }
  if( eOp==MIG_RUN_UPGRADE || eOp==MIG_RUN_DOWNGRADE || eOp==MIG_RUN_STAMP ){
    rc = runWrite(&r, zTarget, pnDone);
  }else{
    const char *zColon = eOp==MIG_RUN_CHECK ? 0 : strchr(zTarget, ':');
    if( eOp==MIG_RUN_CHECK ) zTarget = "heads";
    rc = runLoad(&r);
    if( rc==SQLITE_OK && zColon ){
      rc = runOfflineStart(&r, zTarget, (int)(zColon-zTarget));
      zTarget = zColon+1;
    }
    if( rc==SQLITE_OK ) rc = runPlan(&r, zTarget);
    if( rc==SQLITE_OK && eOp==MIG_RUN_CHECK ) *pnDone = r.nPlan;
    if( rc==SQLITE_OK && eOp!=MIG_RUN_CHECK ){
      r.pOut = sqlite3_str_new(0);
      rc = runOffline(&r, eOp==MIG_RUN_SQL_DOWN);
      if( rc==SQLITE_OK ) rc = sqlite3_str_errcode(r.pOut);
      if( rc==SQLITE_OK && pzOut ) *pzOut = sqlite3_str_finish(r.pOut);
      else sqlite3_free(sqlite3_str_finish(r.pOut));
    }
  }
  if( rc!=SQLITE_OK ){
    *pzErr = r.zErr ? r.zErr : sqlite3_mprintf("%s", sqlite3_errstr(rc));
    r.zErr = 0;
  }
  sqlite3_free(r.zErr);
  sqlite3_free(r.zFkBefore);
  sqlite3_free(r.zFkWhy);
  sqlite3_free(r.aDone);
  runFreeState(&r);
  return rc;
}
