/*
** dryrun.c: migDryRun(), a pending upgrade run on a scratch copy of the
** database and reported migration by migration, for `.migrate upgrade
** [TARGET] --dry-run`.
**
** The copy is made with SQLite's backup API: in memory when the database
** is at most MIG_DRYRUN_MEM bytes (the environment variable
** MIGRATE_DRYRUN_MEMORY, in bytes, changes the limit), else in a
** temporary file beside it ("DB-dryrun-XXXXXXXX"), removed afterwards. The
** database itself is only read. The pending revisions run one at a time
** through the runner, as the real upgrade would run them, and the report
** is streamed line by line (so a long dry run shows its progress):
**
**   dry run: upgrade to head on a copy of app.db (in memory); 2 pending
**   Running upgrade r01 -> r02, add phone          (the runner's own lines)
**   data loss: drops column users.age
**   r02: ok in 0.004 s
**     users: 3 updated
**     users: rebuilt, 3 rows copied
**   Running upgrade r02 -> r03, cleanup
**   r03: FAILED after 0.001 s: migrations/r03.sql:7: no such table: x
**   dry run: 1 of 2 migrations ran, r03 failed; app.db was not changed
**
** Rows written per table come from SQLite's preupdate hook, which sees
** every row (triggers, foreign key actions and the alter engine's
** rebuilds included); where the library lacks it, the report says that
** counts are not available. Rows of the bookkeeping tables are not
** counted; those copied into a rebuilt table are shown as "rebuilt".
*/
#include "stairway_int.h"
#include <string.h>
#include <stdlib.h>
#include <unistd.h>

/* Largest database copied into memory (bytes); larger ones use a file. */
#define MIG_DRYRUN_MEM (256*1024*1024)

/*
** sqlite3.h declares the preupdate hook only when the application is
** built with SQLITE_ENABLE_PREUPDATE_HOOK, but the library may have it
** either way (Debian's has). The static build declares it weak, so a
** library without it leaves the address NULL; the loadable build cannot
** reach it (it is not in the API routines) and reports no counts.
*/
#if defined(SQLITE_CORE) && defined(__GNUC__)
# define MIG_HAVE_PREUPDATE 1
extern void *sqlite3_preupdate_hook(sqlite3*,
    void(*)(void*, sqlite3*, int, const char*, const char*, sqlite3_int64,
            sqlite3_int64), void*) __attribute__((weak));
#else
# define MIG_HAVE_PREUPDATE 0
#endif

/* Rows written to one table by one migration. */
typedef struct DryTab DryTab;
struct DryTab {
  char *zName;                 /* Table name (owned) */
  sqlite3_int64 nIns, nUpd, nDel;  /* Rows inserted, updated, deleted */
  sqlite3_int64 nCopy;         /* Rows copied into its rebuilt version */
};

/* State of one dry run. */
typedef struct Dry Dry;
struct Dry {
  MigConn *pLive;              /* The database's own state (only read) */
  StwScratch s;                /* The scratch copy */
  char *zFile;                 /* Its file, or NULL in memory (owned) */
  MigGraph *g;                 /* The revisions (owned) */
  int *aCur; int nCur;         /* Current revisions of the database */
  int bCounts;                 /* The preupdate hook is counting */
  int nTab; DryTab *aTab;      /* Counts of the current migration */
  int bNoMem;                  /* A count was lost for want of memory */
  void (*xLine)(void*, const char*);  /* Where report lines go */
  void *pArg;                  /* First argument of xLine */
  sqlite3_str *pRep;           /* The report, also kept whole */
};

/* Send one line (printf-style) of the report. */
static void dryLine(Dry *d, const char *zFmt, ...){
  va_list ap;
  char *z;
  va_start(ap, zFmt);
  z = sqlite3_vmprintf(zFmt, ap);
  va_end(ap);
  if( z==0 ){ d->bNoMem = 1; return; }
  sqlite3_str_appendf(d->pRep, "%s\n", z);
  if( d->xLine ) d->xLine(d->pArg, z);
  sqlite3_free(z);
}

/* The runner's log lines, passed on as they come. */
static void dryLog(void *pArg, const char *zLine){
  dryLine((Dry*)pArg, "%s", zLine);
}

#if MIG_HAVE_PREUPDATE
/* The counters of table zName (created on first use), or NULL. */
static DryTab *dryTab(Dry *d, const char *zName){
  DryTab *aNew;
  int i;
  for(i=0; i<d->nTab; i++){
    if( migNameEq(d->aTab[i].zName, zName) ) return &d->aTab[i];
  }
  aNew = sqlite3_realloc64(d->aTab, sizeof(DryTab)*(d->nTab+1));
  if( aNew==0 ){ d->bNoMem = 1; return 0; }
  d->aTab = aNew;
  memset(&aNew[d->nTab], 0, sizeof(DryTab));
  aNew[d->nTab].zName = sqlite3_mprintf("%s", zName);
  if( aNew[d->nTab].zName==0 ){ d->bNoMem = 1; return 0; }
  return &aNew[d->nTab++];
}
#endif

/* Forget the counts of the last migration. */
static void dryTabClear(Dry *d){
  int i;
  for(i=0; i<d->nTab; i++) sqlite3_free(d->aTab[i].zName);
  sqlite3_free(d->aTab);
  d->aTab = 0;
  d->nTab = 0;
}

#if MIG_HAVE_PREUPDATE
/* The preupdate hook: count one row of zTab in schema zDb. */
static void dryPreupdate(void *pArg, sqlite3 *db, int eOp, const char *zDb,
                         const char *zTab, sqlite3_int64 iKey1,
                         sqlite3_int64 iKey2){
  Dry *d = (Dry*)pArg;
  DryTab *t;
  UNUSED(db); UNUSED(iKey1); UNUSED(iKey2);
  if( strcmp(zDb, "main")!=0 ) return;
  if( strncmp(zTab, "migrate_alter_", 14)==0 ){
    if( eOp==SQLITE_INSERT && (t = dryTab(d, zTab+14))!=0 ) t->nCopy++;
    return;
  }
  if( strncmp(zTab, "migrate_", 8)==0 || strncmp(zTab, "sqlite_", 7)==0 ){
    return;
  }
  if( (t = dryTab(d, zTab))==0 ) return;
  if( eOp==SQLITE_INSERT ) t->nIns++;
  else if( eOp==SQLITE_DELETE ) t->nDel++;
  else t->nUpd++;
}
#endif

/* Start counting rows on the scratch copy, where the library allows. */
static void dryCountStart(Dry *d){
#if MIG_HAVE_PREUPDATE
  if( sqlite3_preupdate_hook
   && sqlite3_compileoption_used("ENABLE_PREUPDATE_HOOK") ){
    sqlite3_preupdate_hook(d->s.db, dryPreupdate, d);
    d->bCounts = 1;
  }
#else
  UNUSED(d);
#endif
}

/* Report the counts of the migration just run, one line per table. */
static void dryCountReport(Dry *d){
  int i;
  if( !d->bCounts ){
    dryLine(d, "  (rows written: not available, this SQLite library has no "
            "preupdate hook)");
    return;
  }
  for(i=0; i<d->nTab; i++){
    DryTab *t = &d->aTab[i];
    sqlite3_str *pStr = sqlite3_str_new(0);
    char *z;
    if( t->nIns ) sqlite3_str_appendf(pStr, ", %lld inserted", t->nIns);
    if( t->nUpd ) sqlite3_str_appendf(pStr, ", %lld updated", t->nUpd);
    if( t->nDel ) sqlite3_str_appendf(pStr, ", %lld deleted", t->nDel);
    z = sqlite3_str_finish(pStr);
    if( z ) dryLine(d, "  %s: %s", t->zName, z+2);
    sqlite3_free(z);
    if( t->nCopy ){
      dryLine(d, "  %s: rebuilt, %lld row%s copied", t->zName, t->nCopy,
              t->nCopy==1 ? "" : "s");
    }
  }
}

/* Size of the live database in bytes (0 when it cannot be read). */
static sqlite3_int64 drySize(sqlite3 *db){
  sqlite3_int64 nPage = 0, nSize = 0;
  migQueryInt(db, &nPage, "PRAGMA main.page_count");
  migQueryInt(db, &nSize, "PRAGMA main.page_size");
  return nPage*nSize;
}

/* The memory limit: MIGRATE_DRYRUN_MEMORY when set, else MIG_DRYRUN_MEM */
static sqlite3_int64 dryMemLimit(void){
  const char *z = getenv("MIGRATE_DRYRUN_MEMORY");
  if( z && z[0]>='0' && z[0]<='9' ) return (sqlite3_int64)strtoll(z, 0, 10);
  return MIG_DRYRUN_MEM;
}

/* Open the scratch copy (memory or a file beside the database). */
static int dryOpen(Dry *d, const char *zDb, char **pzErr){
  sqlite3_backup *pB;
  int rc;
  if( zDb && zDb[0] && drySize(d->pLive->db)>dryMemLimit() ){
    unsigned int r;
    sqlite3_randomness(sizeof(r), &r);
    d->zFile = sqlite3_mprintf("%s-dryrun-%08x", zDb, r);
    if( d->zFile==0 ) return SQLITE_NOMEM;
  }
  rc = migTestScratch(d->pLive, d->zFile, &d->s, pzErr);
  if( rc!=SQLITE_OK ) return rc;
  pB = sqlite3_backup_init(d->s.db, "main", d->pLive->db, "main");
  if( pB==0 ){
    *pzErr = sqlite3_mprintf("cannot copy the database: %s",
                             sqlite3_errmsg(d->s.db));
    return SQLITE_ERROR;
  }
  sqlite3_backup_step(pB, -1);
  rc = sqlite3_backup_finish(pB);
  if( rc!=SQLITE_OK ){
    *pzErr = sqlite3_mprintf("cannot copy the database: %s",
                             sqlite3_errmsg(d->s.db));
  }
  return rc;
}

/* Close the scratch copy and remove its file, if any. */
static void dryClose(Dry *d){
  static const char *azSuffix[] = { "", "-journal", "-wal", "-shm" };
  size_t i;
  migTestScratchClose(&d->s);
  for(i=0; d->zFile && i<sizeof(azSuffix)/sizeof(azSuffix[0]); i++){
    char *z = sqlite3_mprintf("%s%s", d->zFile, azSuffix[i]);
    if( z ) unlink(z);
    sqlite3_free(z);
  }
}

/* The pending revisions up to zTarget, in order, into aRun marks. */
static int dryPlan(Dry *d, const char *zTarget, char *aRun, int *pnRun,
                   char **pzErr){
  MigGraph *g = d->g;
  int *aOut = 0, nOut = 0, i;
  int rc = migStepsTargets(g, zTarget, d->aCur, d->nCur, &aOut, &nOut, pzErr);
  char *aDone = rc==SQLITE_OK ? sqlite3_malloc64(g->nRev+1) : 0;
  if( rc==SQLITE_OK && aDone==0 ) rc = SQLITE_NOMEM;
  if( rc==SQLITE_OK ){
    memset(aRun, 0, g->nRev+1);
    memset(aDone, 0, g->nRev+1);
    migGraphAncestors(g, aOut, nOut, aRun);
    migGraphAncestors(g, d->aCur, d->nCur, aDone);
    *pnRun = 0;
    for(i=0; i<g->nRev; i++){
      if( aDone[i] ) aRun[i] = 0;
      *pnRun += aRun[i];
    }
  }
  sqlite3_free(aDone);
  sqlite3_free(aOut);
  return rc;
}

/*
** Run one pending migration on the copy and report it. Returns 1 when
** it failed (reported), 0 when it ran, or -1 after a fatal error (*pzErr
** set).
*/
static int dryStep(Dry *d, int iRev, char **pzErr){
  MigRev *r = &d->g->aRev[iRev];
  sqlite3_int64 nDone = 0, t0 = migNowMs();
  char *zErr = 0;
  MigRunOpts o;
  int rc;
  dryTabClear(d);
  migRunOptsInit(&o, d->s.pConn, MIG_RUN_UPGRADE, r->zId);
  rc = migRun(d->s.db, &o, &nDone, 0, &zErr);
  if( rc!=SQLITE_OK && migTestFatal(rc) ){
    *pzErr = zErr ? zErr : sqlite3_mprintf("%s", sqlite3_errstr(rc));
    return -1;
  }
  if( rc!=SQLITE_OK ){
    dryLine(d, "%s: FAILED after %.3f s: %s", r->zId, (migNowMs()-t0)/1000.0,
            zErr ? zErr : sqlite3_errstr(rc));
    sqlite3_free(zErr);
    return 1;
  }
  dryLine(d, "%s: ok in %.3f s", r->zId, (migNowMs()-t0)/1000.0);
  dryCountReport(d);
  return 0;
}

/* The run once the graph is loaded: plan, copy, steps, summary. */
static int dryRun(Dry *d, const char *zTarget, const char *zName,
                  int *pbFailed, char **pzErr){
  char *aRun = sqlite3_malloc64(d->g->nRev+1);
  int rc, nRun = 0, nOk = 0, i, iFail = -1;
  if( aRun==0 ) return SQLITE_NOMEM;
  rc = dryPlan(d, zTarget, aRun, &nRun, pzErr);
  if( rc==SQLITE_OK ) rc = dryOpen(d, sqlite3_db_filename(d->pLive->db,
                                                          "main"), pzErr);
  if( rc==SQLITE_OK ){
    d->s.pConn->pGraphLent = d->g;
    d->s.pConn->xLog = dryLog;
    d->s.pConn->pLogArg = d;
    d->s.pConn->xProgress = d->pLive->xProgress;
    d->s.pConn->pProgressArg = d->pLive->pProgressArg;
    dryCountStart(d);
    dryLine(d, "dry run: upgrade to %s on a copy of %s (%s); %d pending",
            zTarget, zName, d->zFile ? d->zFile : "in memory", nRun);
  }
  for(i=0; rc==SQLITE_OK && iFail<0 && i<d->g->nRev; i++){
    int iRev = d->g->aOrder[i], e;
    if( !aRun[iRev] ) continue;
    e = dryStep(d, iRev, pzErr);
    if( e<0 ) rc = SQLITE_ERROR;
    else if( e ) iFail = iRev;
    else nOk++;
  }
  if( rc==SQLITE_OK ){
    if( iFail>=0 ){
      dryLine(d, "dry run: %d of %d migration%s ran, %s failed; %s was not "
              "changed", nOk, nRun, nRun==1 ? "" : "s", d->g->aRev[iFail].zId,
              zName);
    }else{
      dryLine(d, "dry run: %d migration%s ran; %s was not changed", nOk,
              nOk==1 ? "" : "s", zName);
    }
    *pbFailed = iFail>=0;
  }
  if( rc==SQLITE_OK && d->bNoMem ) rc = SQLITE_NOMEM;
  sqlite3_free(aRun);
  return rc;
}

/*
** Dry run of `upgrade zTarget` (NULL: head) for pLive's database, named
** zName in the report. Report lines go to xLine as they are made and,
** whole, to *pzReport (sqlite3_free). *pbFailed: a migration failed (the
** report says which and why). On an error of the dry run itself (no such
** target, the copy cannot be made): an SQLite code with *pzErr set. The
** database of pLive is only read.
*/
int migDryRun(MigConn *pLive, const char *zTarget, const char *zName,
              void (*xLine)(void*, const char*), void *pArg,
              char **pzReport, int *pbFailed, char **pzErr){
  Dry d;
  int rc;
  memset(&d, 0, sizeof(d));
  d.pLive = pLive;
  d.xLine = xLine;
  d.pArg = pArg;
  d.pRep = sqlite3_str_new(0);
  *pzReport = 0;
  *pbFailed = 0;
  *pzErr = 0;
  rc = migEngineLoad(pLive, 0, pLive->db, &d.g, &d.aCur, &d.nCur, pzErr);
  if( rc==SQLITE_OK ) rc = dryRun(&d, zTarget ? zTarget : "head", zName,
                                  pbFailed, pzErr);
  dryClose(&d);
  dryTabClear(&d);
  migGraphFree(d.g);
  sqlite3_free(d.aCur);
  sqlite3_free(d.zFile);
  if( rc==SQLITE_OK ) rc = sqlite3_str_errcode(d.pRep);
  *pzReport = sqlite3_str_finish(d.pRep);
  if( rc==SQLITE_OK && *pzReport==0 ) rc = SQLITE_NOMEM;
  if( rc!=SQLITE_OK ){
    sqlite3_free(*pzReport);
    *pzReport = 0;
    if( *pzErr==0 ) *pzErr = sqlite3_mprintf("%s", sqlite3_errstr(rc));
  }
  return rc;
}
