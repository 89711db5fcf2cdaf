/*
** remote_send.c: what the engine does on the shadow (remote.c), sent to
** the cluster's leader, one transaction at a time, exactly once.
**
** Capture. Three hooks on the shadow connection:
**   - the statement trace (SQLITE_TRACE_STMT) sees every statement as it
**     starts, the alter engine's own included (its rebuild copy, its
**     sqlite_master edit under writable_schema, its schema_version bump).
**     Statements that write (sqlite3_stmt_readonly() false) are kept with
**     their bound values expanded into the text; so are connection
**     settings made inside a transaction (PRAGMA writable_schema=ON,
**     legacy_alter_table, defer_foreign_keys), in order. Reads are not
**     sent, nor triggers' statements (the cluster fires its triggers).
**     BEGIN starts a new list; ROLLBACK empties it; SAVEPOINT marks it,
**     ROLLBACK TO drops what was written since the mark (settings stay,
**     as they do on the shadow), RELEASE forgets the mark. So the list
**     is the net effect of the transaction, without savepoints.
**   - the authorizer refuses, before they run, PRAGMA journal_mode (but
**     WAL) and PRAGMA page_size with a value: both crash a dqlite 1.11
**     leader. The engine's "FILE:LINE: not authorized" becomes a message
**     naming the statement (migRemoteErr()).
**   - the commit hook sends the list before the shadow commits; when the
**     cluster did not commit it, the hook fails and the shadow rolls
**     back too, so the engine never believes in a migration the cluster
**     does not have. A write outside a transaction (a transaction:false
**     section) is refused there: it could not go with its bookkeeping.
**
** Sending one transaction: PRAGMA foreign_keys as the shadow had it at
** BEGIN (dqlite connections start with them on; off is what keeps a
** rebuild's DROP TABLE from cascading), BEGIN, the bookkeeping state
** read and compared with the shadow's (another process may not have
** moved the cluster meanwhile), the statements one per request, the
** state read again (what it will be once this commits), COMMIT.
**
** Exactly once. The state is the rows of migrate_version and the count
** and last id of migrate_history, which every migration, downgrade and
** stamp changes. When the connection is lost or the node stops leading,
** the transaction's outcome is unknown only if COMMIT was sent: connect
** again (any node of the URL finds the leader) and read the state: the
** state after this transaction means it committed (a commit can succeed
** without its reply arriving); the state before means it did not, and
** it is sent again; anything else is another process's doing, an error.
** Reconnecting is bounded (REM_RETRY_MS per transaction, REM_TRIES
** sends), so a run always ends, with a message that says what the
** cluster has.
*/
#include "remote_int.h"
#include "sql_int.h"
#include <string.h>

/* How long one transaction may wait for a leader, in ms, and how many
** times it may be sent. */
#define REM_RETRY_MS 30000
#define REM_TRIES    5

/* Longest part of a statement quoted in a message. */
#define REM_QUOTE 200

/* Kinds of statement for the capture (remKind()). */
#define REMK_OTHER       0
#define REMK_BEGIN       1
#define REMK_COMMIT      2     /* COMMIT, END */
#define REMK_ROLLBACK    3     /* ROLLBACK without TO */
#define REMK_ROLLBACK_TO 4
#define REMK_SAVEPOINT   5
#define REMK_RELEASE     6
#define REMK_SETTING     7     /* PRAGMA name = value */

/* A line to the remote's log (printf-style). */
static void remLog(MigRemote *pR, const char *zFmt, ...){
  va_list ap;
  char *z;
  if( pR->xLog==0 ) return;
  va_start(ap, zFmt);
  z = sqlite3_vmprintf(zFmt, ap);
  va_end(ap);
  if( z ) pR->xLog(pR->pLogArg, z);
  sqlite3_free(z);
}

/* Set pR->zErr (printf-style); returns rc. */
static int remFail(MigRemote *pR, int rc, const char *zFmt, ...){
  va_list ap;
  sqlite3_free(pR->zErr);
  pR->zErr = 0;
  va_start(ap, zFmt);
  migErrorV(&pR->zErr, rc, zFmt, ap);
  va_end(ap);
  return rc;
}

/* True if rc says the connection is gone or the node no longer leads. */
int migRemoteIsIo(int rc){
  return (rc&0xff)==SQLITE_IOERR || (rc&0xff)==SQLITE_BUSY
      || (rc&0xff)==SQLITE_CANTOPEN;
}

/******************************** Capture **********************************/

/* Forget the captured statements. */
static void remListClear(MigRemote *pR){
  int i;
  for(i=0; i<pR->nStmt; i++) sqlite3_free(pR->aStmt[i].zSql);
  pR->nStmt = 0;
  pR->bAuto = 0;
  sqlite3_free(pR->zAutoSql);
  pR->zAutoSql = 0;
}

/* Append zSql (taken over) of kind eKind to the list. */
static void remListAdd(MigRemote *pR, int eKind, char *zSql){
  if( zSql==0 ){ pR->rcCapture = SQLITE_NOMEM; return; }
  if( pR->nStmt>=pR->nAlloc ){
    int nNew = pR->nAlloc ? 2*pR->nAlloc : 32;
    RemStmt *aNew = sqlite3_realloc64(pR->aStmt, sizeof(RemStmt)*nNew);
    if( aNew==0 ){
      sqlite3_free(zSql);
      pR->rcCapture = SQLITE_NOMEM;
      return;
    }
    pR->aStmt = aNew;
    pR->nAlloc = nNew;
  }
  pR->aStmt[pR->nStmt].zSql = zSql;
  pR->aStmt[pR->nStmt].eKind = eKind;
  pR->nStmt++;
}

/* The index of the last mark named zName, or -1. */
static int remMarkFind(MigRemote *pR, const char *zName){
  int i;
  for(i=pR->nStmt-1; i>=0; i--){
    if( pR->aStmt[i].eKind==REM_MARK
     && sqlite3_stricmp(pR->aStmt[i].zSql, zName)==0 ){
      return i;
    }
  }
  return -1;
}

/*
** ROLLBACK TO (bRollback) or RELEASE savepoint zName: drop the marks
** above it (RELEASE: and itself) and, for ROLLBACK TO, every write after
** it; settings stay, as they do on a connection.
*/
static void remMarkEnd(MigRemote *pR, const char *zName, int bRollback){
  int iMark = remMarkFind(pR, zName), i, j;
  if( iMark<0 ) return;
  for(i=j=iMark+bRollback; i<pR->nStmt; i++){
    RemStmt *p = &pR->aStmt[i];
    if( p->eKind==REM_SET || (!bRollback && p->eKind!=REM_MARK) ){
      pR->aStmt[j++] = *p;
    }else{
      sqlite3_free(p->zSql);
    }
  }
  pR->nStmt = j;
}

/*
** The kind of statement zSql (REMK_*) and, for the savepoint forms, its
** savepoint name in *pzName (sqlite3_malloc'd; NULL if none or no
** memory).
*/
static int remKind(const char *zSql, char **pzName){
  MigToken *aTok = 0;
  int nTok = 0, i, n = 0, eKind = REMK_OTHER, iName = -1;
  int aW[6];                               /* Word tokens, the first few */
  *pzName = 0;
  if( migTokenize(zSql, &aTok, &nTok)!=SQLITE_OK ) return REMK_OTHER;
  for(i=0; i<nTok && n<6; i++){
    if( aTok[i].eType==MIG_TK_SPACE ) continue;
    if( aTok[i].eType==MIG_TK_OP && aTok[i].n==1 && zSql[aTok[i].iOff]=='='
     && eKind==REMK_OTHER && n>0 && migTokIsWord(zSql, &aTok[aW[0]], "PRAGMA")){
      eKind = REMK_SETTING;
    }
    aW[n++] = i;
  }
#define REM_W(k, z) (n>(k) && migTokIsWord(zSql, &aTok[aW[k]], z))
  if( eKind==REMK_SETTING ){
    /* PRAGMA [schema.]name = value */
  }else if( REM_W(0, "BEGIN") ){
    eKind = REMK_BEGIN;
  }else if( REM_W(0, "COMMIT") || REM_W(0, "END") ){
    eKind = REMK_COMMIT;
  }else if( REM_W(0, "SAVEPOINT") ){
    eKind = REMK_SAVEPOINT;
    iName = 1;
  }else if( REM_W(0, "RELEASE") ){
    eKind = REMK_RELEASE;
    iName = REM_W(1, "SAVEPOINT") ? 2 : 1;
  }else if( REM_W(0, "ROLLBACK") ){
    int k = REM_W(1, "TRANSACTION") ? 2 : 1;
    eKind = REMK_ROLLBACK;
    if( REM_W(k, "TO") ){
      eKind = REMK_ROLLBACK_TO;
      iName = REM_W(k+1, "SAVEPOINT") ? k+2 : k+1;
    }
  }
#undef REM_W
  if( iName>=0 && iName<n ) *pzName = migTokName(zSql, &aTok[aW[iName]]);
  sqlite3_free(aTok);
  return eKind;
}

/* The statement trace: see the header comment. */
static int remTrace(unsigned eType, void *pCtx, void *pP, void *pX){
  MigRemote *pR = (MigRemote*)pCtx;
  sqlite3_stmt *pStmt = (sqlite3_stmt*)pP;
  const char *zX = (const char*)pX;
  sqlite3 *db = pR->shadow.db;
  char *zName = 0;
  int eKind;
  if( eType!=SQLITE_TRACE_STMT || zX==0 ) return 0;
  if( zX[0]=='-' && zX[1]=='-' ) return 0;           /* A trigger's */
  eKind = remKind(sqlite3_sql(pStmt), &zName);
  switch( eKind ){
    case REMK_BEGIN:
      remListClear(pR);
      sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_FKEY, -1, &pR->bFkTxn);
      break;
    case REMK_ROLLBACK:
      remListClear(pR);
      break;
    case REMK_SAVEPOINT:
      if( sqlite3_get_autocommit(db) ){                /* Starts one */
        remListClear(pR);
        sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_FKEY, -1, &pR->bFkTxn);
      }
      if( zName ) remListAdd(pR, REM_MARK, zName);
      zName = 0;
      break;
    case REMK_RELEASE:
    case REMK_ROLLBACK_TO:
      if( zName ) remMarkEnd(pR, zName, eKind==REMK_ROLLBACK_TO);
      break;
    case REMK_COMMIT:
      break;
    default:
      if( !sqlite3_stmt_readonly(pStmt) ){
        int eSend = sqlite3_column_count(pStmt)>0 ? REM_ROWS : REM_WRITE;
        if( sqlite3_get_autocommit(db) ){
          pR->bAuto = 1;
          sqlite3_free(pR->zAutoSql);
          pR->zAutoSql = sqlite3_mprintf("%s", sqlite3_sql(pStmt));
        }else{
          remListAdd(pR, eSend, sqlite3_expanded_sql(pStmt));
        }
      }else if( eKind==REMK_SETTING && !sqlite3_get_autocommit(db) ){
        remListAdd(pR, REM_SET, sqlite3_expanded_sql(pStmt));
      }
      break;
  }
  sqlite3_free(zName);
  return 0;
}

/* The authorizer: refuse what crashes a dqlite 1.11 leader. */
static int remAuth(void *pCtx, int eAction, const char *zA, const char *zB,
                   const char *zDb, const char *zTrigger){
  MigRemote *pR = (MigRemote*)pCtx;
  UNUSED(zDb); UNUSED(zTrigger);
  if( eAction!=SQLITE_PRAGMA || zA==0 || zB==0 ) return SQLITE_OK;
  if( (sqlite3_stricmp(zA, "journal_mode")==0 && sqlite3_stricmp(zB, "wal"))
   || sqlite3_stricmp(zA, "page_size")==0 ){
    sqlite3_free(pR->zRefused);
    pR->zRefused = sqlite3_mprintf("PRAGMA %s=%s is refused on a dqlite "
        "cluster (it crashes the leader of dqlite 1.11; the cluster keeps "
        "its own journal and page size): nothing was sent", zA, zB);
    return SQLITE_DENY;
  }
  return SQLITE_OK;
}

/******************************** Sending **********************************/

/* Query callback: the first column of the first row into *(char**)pArg. */
static int remFirst(void *pArg, int nCol, char **azVal, char **azCol){
  char **pz = (char**)pArg;
  UNUSED(azCol);
  if( *pz==0 ) *pz = sqlite3_mprintf("%s", nCol>0 && azVal[0] ? azVal[0] : "");
  return 0;
}

/* Run query zSql on the shadow (bLocal) or the cluster: the first value
** in *pz (sqlite3_malloc'd, NULL when there is no row). */
static int remValue(MigRemote *pR, int bLocal, const char *zSql, char **pz,
                    char **pzErr){
  int rc;
  *pz = 0;
  if( bLocal ){
    rc = sqlite3_exec(pR->shadow.db, zSql, remFirst, pz, pzErr);
  }else{
    rc = pR->io.xQuery(pR->io.pCtx, zSql, remFirst, pz, pzErr);
  }
  return rc;
}

/*
** The bookkeeping state of the shadow (bLocal) or of the cluster, as
** text: "-" without the bookkeeping tables, else "N/ID VERSIONS" (rows
** and last id of migrate_history, migrate_version's rows in order).
** The same text for the same rows on both sides. SQLite code.
*/
int migRemoteState(MigRemote *pR, int bLocal, char **pzState, char **pzErr){
  char *zN = 0;
  int rc = remValue(pR, bLocal, "SELECT count(*) FROM sqlite_master WHERE "
      "type='table' AND name IN ('migrate_version','migrate_history')",
      &zN, pzErr);
  *pzState = 0;
  if( rc==SQLITE_OK && (zN==0 || strcmp(zN, "2")!=0) ){
    *pzState = sqlite3_mprintf("-");
  }else if( rc==SQLITE_OK ){
    rc = remValue(pR, bLocal, "SELECT (SELECT count(*)||'/'||ifnull(max(id),"
        "0) FROM migrate_history)||' '||ifnull((SELECT group_concat("
        "version_num, ',') FROM (SELECT version_num FROM migrate_version "
        "ORDER BY 1)), '')", pzState, pzErr);
  }
  if( rc==SQLITE_OK && *pzState==0 ) rc = SQLITE_NOMEM;
  sqlite3_free(zN);
  return rc;
}

/* The cluster's state in *pz: an error other than a lost connection
** is reported as it is. */
static int remClusterState(MigRemote *pR, char **pz, char **pzWhy){
  return migRemoteState(pR, 0, pz, pzWhy);
}

/* The first REM_QUOTE bytes of zSql, for a message. */
static char *remQuote(const char *zSql){
  int n = (int)strlen(zSql);
  if( n<=REM_QUOTE ) return sqlite3_mprintf("%s", zSql);
  return sqlite3_mprintf("%.*s...", REM_QUOTE, zSql);
}

/* One statement of the list on the cluster. */
static int remSendStmt(MigRemote *pR, const RemStmt *p, char **pzWhy){
  if( p->eKind==REM_ROWS ){
    return pR->io.xQuery(pR->io.pCtx, p->zSql, 0, 0, pzWhy);
  }
  return pR->io.xExec(pR->io.pCtx, p->zSql, pzWhy);
}

/*
** Send the list once: see the header comment. On success *pzAfter is
** the state it committed. *pbCommit is set once COMMIT was sent (from
** then on a lost connection leaves the outcome unknown). An error other
** than a lost connection sets pR->zErr; a lost connection leaves its
** reason in *pzWhy.
*/
static int remSendOnce(MigRemote *pR, char **pzAfter, int *pbCommit,
                       char **pzWhy){
  MigRemoteIo *io = &pR->io;
  char *zNow = 0;
  int rc, i;
  *pbCommit = 0;
  rc = io->xExec(io->pCtx, pR->bFkTxn ? "PRAGMA foreign_keys=ON"
                                      : "PRAGMA foreign_keys=OFF", pzWhy);
  if( rc==SQLITE_OK ) rc = io->xExec(io->pCtx, "BEGIN", pzWhy);
  if( rc==SQLITE_OK ) rc = remClusterState(pR, &zNow, pzWhy);
  if( rc==SQLITE_OK && strcmp(zNow, pR->zState)!=0 ){
    io->xExec(io->pCtx, "ROLLBACK", 0);
    rc = remFail(pR, SQLITE_ERROR, "%s was changed by another process "
        "while this command ran (migrate_history and migrate_version: "
        "\"%s\", this command expected \"%s\"): nothing more was sent",
        pR->zUrl, zNow, pR->zState);
  }
  sqlite3_free(zNow);
  for(i=0; rc==SQLITE_OK && i<pR->nStmt; i++){
    const RemStmt *p = &pR->aStmt[i];
    if( p->eKind==REM_MARK ) continue;
    rc = remSendStmt(pR, p, pzWhy);
    if( rc!=SQLITE_OK && !migRemoteIsIo(rc) ){
      char *zStmt = remQuote(p->zSql);
      io->xExec(io->pCtx, "ROLLBACK", 0);
      rc = remFail(pR, rc, "%s: the leader %s refused a statement that "
          "ran here on the copy of its database: %s: %s; this migration "
          "was not applied there", pR->zUrl, io->xLeader(io->pCtx),
          zStmt ? zStmt : "", *pzWhy ? *pzWhy : sqlite3_errstr(rc));
      sqlite3_free(zStmt);
    }
  }
  if( rc==SQLITE_OK ) rc = remClusterState(pR, pzAfter, pzWhy);
  if( rc==SQLITE_OK ){
    *pbCommit = 1;
    rc = io->xExec(io->pCtx, "COMMIT", pzWhy);
    if( rc!=SQLITE_OK && !migRemoteIsIo(rc) ){
      io->xExec(io->pCtx, "ROLLBACK", 0);
      rc = remFail(pR, rc, "%s: COMMIT failed on the leader %s: %s; this "
                   "migration was not applied there", pR->zUrl,
                   io->xLeader(io->pCtx), *pzWhy ? *pzWhy : "");
    }
  }
  return rc;
}

/*
** After the connection was lost: connect again until iEnd (ms) and read
** the state into *pzNow. SQLITE_OK, or the last error, its reason in
** *pzWhy.
*/
static int remReconnect(MigRemote *pR, sqlite3_int64 iEnd, char **pzNow,
                        char **pzWhy){
  int rc = SQLITE_IOERR;
  *pzNow = 0;
  while( migNowMs()<iEnd ){
    int ms = (int)(iEnd - migNowMs());
    sqlite3_free(*pzWhy);
    *pzWhy = 0;
    rc = pR->io.xReconnect(pR->io.pCtx, ms>0 ? ms : 1, pzWhy);
    if( rc==SQLITE_OK ) rc = remClusterState(pR, pzNow, pzWhy);
    if( rc==SQLITE_OK || !migRemoteIsIo(rc) ) break;
    sqlite3_sleep(200);          /* No leader yet: elections take seconds */
  }
  return rc;
}

/* Send the captured transaction, exactly once (the header comment). */
static int remSend(MigRemote *pR){
  sqlite3_int64 iEnd = 0;
  int i, nWrite = 0, nTry, rc = SQLITE_OK;
  for(i=0; i<pR->nStmt; i++) nWrite += pR->aStmt[i].eKind!=REM_MARK;
  if( nWrite==0 ) return SQLITE_OK;
  for(nTry=1; ; nTry++){
    char *zAfter = 0, *zWhy = 0, *zNow = 0;
    const char *zLost = pR->io.xLeader(pR->io.pCtx);
    int bCommit = 0;
    char *zLostCopy = sqlite3_mprintf("%s", zLost);
    rc = remSendOnce(pR, &zAfter, &bCommit, &zWhy);
    if( rc==SQLITE_OK ){
      sqlite3_free(pR->zState);
      pR->zState = zAfter;
      pR->nSent++;
      zAfter = 0;
    }else if( migRemoteIsIo(rc) ){
      if( iEnd==0 ) iEnd = migNowMs() + REM_RETRY_MS;
      if( (rc&0xff)==SQLITE_BUSY && zWhy && strstr(zWhy, "locked") ){
        /* Another client holds the write lock: give it time */
        remLog(pR, "the database is locked on the leader %s (another "
               "client is writing); trying again...", zLostCopy);
        sqlite3_sleep(250*nTry*nTry);
      }else{
        remLog(pR, "lost the leader %s (%s); looking for the new leader...",
               zLostCopy ? zLostCopy : "", zWhy ? zWhy : sqlite3_errstr(rc));
      }
      rc = remReconnect(pR, iEnd, &zNow, &zWhy);
      if( rc!=SQLITE_OK ){
        remFail(pR, rc, "%s: no leader reachable for %d s (%s): %s; run "
            "the command again: it reads the cluster's migrate_version "
            "first", pR->zUrl, REM_RETRY_MS/1000,
            zWhy ? zWhy : sqlite3_errstr(rc), bCommit
            ? "not known whether the migration being sent committed"
            : "the migration being sent was not applied");
      }else if( bCommit && zAfter && strcmp(zNow, zAfter)==0 ){
        remLog(pR, "the new leader %s has the migration: it committed "
               "before the leader changed", pR->io.xLeader(pR->io.pCtx));
        sqlite3_free(pR->zState);
        pR->zState = zAfter;
        pR->nSent++;
        zAfter = 0;
      }else if( strcmp(zNow, pR->zState)!=0 ){
        rc = remFail(pR, SQLITE_ERROR, "%s was changed by another process "
            "while the leader changed (migrate_history and migrate_version: "
            "\"%s\", expected \"%s\"): nothing more was sent", pR->zUrl,
            zNow, pR->zState);
      }else if( nTry>=REM_TRIES ){
        rc = remFail(pR, SQLITE_IOERR, "%s: the migration being sent did "
            "not commit in %d attempts: not applied; run the command again",
            pR->zUrl, nTry);
      }else{
        remLog(pR, "the migration did not commit: sending it again to the "
               "leader %s", pR->io.xLeader(pR->io.pCtx));
        rc = SQLITE_BUSY;                     /* Go round again */
      }
    }
    sqlite3_free(zLostCopy);
    sqlite3_free(zAfter);
    sqlite3_free(zWhy);
    sqlite3_free(zNow);
    if( rc!=SQLITE_BUSY ) break;
  }
  return rc;
}

/* The commit hook: send, or make the shadow roll back. */
static int remCommit(void *pCtx){
  MigRemote *pR = (MigRemote*)pCtx;
  int rc = SQLITE_OK;
  if( pR->rcCapture ){
    rc = remFail(pR, pR->rcCapture, "%s: out of memory while recording the "
                 "migration: nothing was sent", pR->zUrl);
  }else if( pR->bAuto ){
    char *zStmt = remQuote(pR->zAutoSql ? pR->zAutoSql : "");
    rc = remFail(pR, SQLITE_ERROR, "%s: a statement outside a transaction "
        "(a transaction:false section) cannot be sent to a dqlite cluster: "
        "each migration goes as one transaction with its bookkeeping: %s",
        pR->zUrl, zStmt ? zStmt : "");
    sqlite3_free(zStmt);
  }else{
    rc = remSend(pR);
  }
  remListClear(pR);
  return rc!=SQLITE_OK;
}

/* Install the hooks on the shadow. SQLite code. */
int migRemoteCaptureStart(MigRemote *pR){
  sqlite3 *db = pR->shadow.db;
  int rc = sqlite3_trace_v2(db, SQLITE_TRACE_STMT, remTrace, pR);
  if( rc==SQLITE_OK ) rc = sqlite3_set_authorizer(db, remAuth, pR);
  if( rc==SQLITE_OK ) sqlite3_commit_hook(db, remCommit, pR);
  return rc;
}

/* Remove the hooks and free the capture. */
void migRemoteCaptureFree(MigRemote *pR){
  sqlite3 *db = pR->shadow.db;
  if( db ){
    sqlite3_trace_v2(db, 0, 0, 0);
    sqlite3_set_authorizer(db, 0, 0);
    sqlite3_commit_hook(db, 0, 0);
  }
  remListClear(pR);
  sqlite3_free(pR->aStmt);
  pR->aStmt = 0;
  pR->nAlloc = 0;
}
