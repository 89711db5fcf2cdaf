/*
** cmd_fleet.c: ".migrate fleet", one command over many database files.
**
**   .migrate fleet upgrade [TARGET] [OPTIONS] DB...
**   .migrate fleet status [OPTIONS] DB...
**
** A DB is a path, a quoted glob pattern (e.g. tenants/<star>.db, expanded
** here with glob(3), never by a shell) or @FILE (one path a line; blank
** lines and lines starting with # are skipped). For upgrade, the first
** word is the TARGET when it holds no "/", "." or glob character, does
** not start with "@" and names no existing file. OPTIONS: -j N, --canary N,
** --continue, --backup DIR, --report FILE, --timeout MS (busy timeout of
** each file; default the shell's .timeout, else 60 s). The work is done
** by migFleetRun() (ext/fleet.c); this file parses, expands and prints.
**
** Output: a failed file is named on stderr as it fails; interactive runs
** keep one progress line on stderr (done/total, failures, rate); at the
** end one summary line (upgrade) or the count of files per revision and
** the exceptions by name (status). Exit status 1 when a file failed or
** was not run (upgrade), or when not every file is at the head (status).
*/
#include "shell_int.h"
#include "../ext/fleet.h"
#include <glob.h>
#include <string.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>

/*
** A growing list of strings. Each path is stored once: az points into
** the blocks the list owns (glob(3) results, the text of @FILE lists,
** copies made by fleetListAdd()) or into the command's own arguments, so
** ten thousand paths cost their names and a pointer each.
*/
typedef struct FleetList FleetList;
struct FleetList {
  char **az;                   /* The strings (not owned one by one) */
  int n;                       /* Number of strings */
  int nAlloc;                  /* Slots allocated */
  char **azOwn;                /* Blocks to sqlite3_free() */
  int nOwn;                    /* Number of blocks */
  glob_t *aGlob;               /* Expanded patterns, to globfree() */
  int nGlob;                   /* Number of patterns */
};

/* One revision line of the status summary. */
typedef struct FleetGroup FleetGroup;
struct FleetGroup {
  char *zRev;                  /* Revision(s), or NULL for base (owned) */
  int bHead;                   /* At the head */
  int nPending;                /* Migrations pending */
  int nFile;                   /* Files at it */
};

/* What the callbacks need while the fleet runs. */
typedef struct FleetShow FleetShow;
struct FleetShow {
  MigShell *p;                 /* The shell */
  int eOp;                     /* MIG_FLEET_* */
  double t0;                   /* Start time */
  double tShown;               /* When the progress line was last drawn */
  int bLine;                   /* A progress line is on screen */
  FleetGroup *aGroup;          /* Status: files per revision */
  int nGroup;                  /* Number of groups */
  FleetList odd;               /* Status: exceptions, one line each */
  int bNoMem;                  /* A malloc failed */
};

/* Seconds since some fixed moment. */
static double fleetCmdNow(void){
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + t.tv_nsec/1e9;
}

/* Append z (not copied) to l; SQLITE_OK or SQLITE_NOMEM. */
static int fleetListPush(FleetList *l, char *z){
  if( l->n>=l->nAlloc ){
    int nNew = l->nAlloc ? l->nAlloc*2 : 64;
    char **azNew = sqlite3_realloc64(l->az, sizeof(char*)*nNew);
    if( azNew==0 ) return SQLITE_NOMEM;
    l->az = azNew;
    l->nAlloc = nNew;
  }
  l->az[l->n++] = z;
  return SQLITE_OK;
}

/* Make l the owner of block z (freed with l); SQLITE_OK or NOMEM. */
static int fleetListOwn(FleetList *l, char *z){
  char **azNew = sqlite3_realloc64(l->azOwn, sizeof(char*)*(l->nOwn+1));
  if( azNew==0 ){ sqlite3_free(z); return SQLITE_NOMEM; }
  l->azOwn = azNew;
  azNew[l->nOwn++] = z;
  return SQLITE_OK;
}

/* Append a copy of z (sqlite3_malloc'd, owned by l) to l. */
static int fleetListAdd(FleetList *l, const char *z){
  char *zCopy = sqlite3_mprintf("%s", z);
  int rc = zCopy ? fleetListOwn(l, zCopy) : SQLITE_NOMEM;
  return rc==SQLITE_OK ? fleetListPush(l, zCopy) : rc;
}

static void fleetListFree(FleetList *l){
  int i;
  for(i=0; i<l->nOwn; i++) sqlite3_free(l->azOwn[i]);
  for(i=0; i<l->nGlob; i++) globfree(&l->aGlob[i]);
  sqlite3_free(l->azOwn);
  sqlite3_free(l->aGlob);
  sqlite3_free(l->az);
}

/* True if z holds a glob(3) special character. */
static int fleetIsGlob(const char *z){
  return strpbrk(z, "*?[")!=0;
}

/* Add the paths listed in file zFile, one a line. Returns 0 or 1. */
static int fleetReadList(MigShell *p, FleetList *l, const char *zFile){
  int nText = 0, i = 0, rc = SQLITE_OK;
  char *zErr = 0;
  char *zText = migReadFile(zFile, &nText, &zErr);
  if( zText==0 ){
    migShellError(p, "cannot read the list %s: %s", zFile,
                  zErr ? zErr : "out of memory");
    sqlite3_free(zErr);
    return 1;
  }
  rc = fleetListOwn(l, zText);
  while( rc==SQLITE_OK && i<nText ){
    int n = 0;
    while( i+n<nText && zText[i+n]!='\n' ) n++;
    zText[i+n] = 0;                       /* the \n, or the final NUL */
    if( n>0 && zText[i+n-1]=='\r' ) zText[i+n-1] = 0;
    if( zText[i] && zText[i]!='#' ) rc = fleetListPush(l, &zText[i]);
    i += n+1;
  }
  if( rc!=SQLITE_OK ) return migShellError(p, "out of memory");
  return 0;
}

/* Add the files matching pattern zPat (none: an error). Returns 0 or 1. */
static int fleetGlob(MigShell *p, FleetList *l, const char *zPat){
  glob_t *aNew = sqlite3_realloc64(l->aGlob, sizeof(glob_t)*(l->nGlob+1));
  glob_t *g;
  size_t i;
  int rc = SQLITE_OK, e;
  if( aNew==0 ) return migShellError(p, "out of memory");
  l->aGlob = aNew;
  g = &aNew[l->nGlob];
  e = glob(zPat, 0, 0, g);
  if( e==0 || e==GLOB_NOMATCH ) l->nGlob++;  /* globfree() it later */
  if( e==GLOB_NOMATCH ){
    return migShellError(p, "no file matches %s", zPat);
  }
  if( e!=0 ) return migShellError(p, "cannot expand %s", zPat);
  for(i=0; rc==SQLITE_OK && i<g->gl_pathc; i++){
    rc = fleetListPush(l, g->gl_pathv[i]);
  }
  if( rc!=SQLITE_OK ) return migShellError(p, "out of memory");
  return 0;
}

/* Add the paths one DB argument stands for. Returns 0 or 1. */
static int fleetExpand(MigShell *p, FleetList *l, char *zArg){
  if( zArg[0]=='@' ) return fleetReadList(p, l, zArg+1);
  if( fleetIsGlob(zArg) ) return fleetGlob(p, l, zArg);
  if( fleetListPush(l, zArg) ) return migShellError(p, "out of memory");
  return 0;
}

/* True if zArg reads as a TARGET rather than a database (see above). */
static int fleetIsTarget(const char *zArg){
  struct stat st;
  return strpbrk(zArg, "/.*?[")==0 && zArg[0]!='@' && stat(zArg, &st)!=0;
}

/* The value of option azArg[*pi] as a number >= iMin, or -1 (reported) */
static int fleetNumArg(MigShell *p, int nArg, char **azArg, int *pi,
                       int iMin){
  char *zEnd = 0;
  long v;
  if( *pi+1>=nArg ){
    migShellError(p, "%s needs a number", azArg[*pi]);
    return -1;
  }
  v = strtol(azArg[*pi+1], &zEnd, 10);
  if( zEnd==azArg[*pi+1] || *zEnd || v<iMin || v>100000000 ){
    migShellError(p, "%s: not a number of at least %d: %s", azArg[*pi],
                  iMin, azArg[*pi+1]);
    return -1;
  }
  (*pi)++;
  return (int)v;
}

/*
** Parse the options and DB arguments of azArg[2..] into o and l.
** Returns 0, or 1 after reporting a usage error.
*/
static int fleetParse(MigShell *p, int nArg, char **azArg, MigFleetOpt *o,
                      FleetList *l){
  int i, nDb = 0;
  for(i=2; i<nArg; i++){
    char *z = azArg[i];
    if( strcmp(z, "-j")==0 || strcmp(z, "--jobs")==0 ){
      if( (o->nJob = fleetNumArg(p, nArg, azArg, &i, 1))<0 ) return 1;
    }else if( strcmp(z, "--canary")==0 ){
      if( (o->nCanary = fleetNumArg(p, nArg, azArg, &i, 0))<0 ) return 1;
    }else if( strcmp(z, "--timeout")==0 ){
      if( (o->nBusyMs = fleetNumArg(p, nArg, azArg, &i, 0))<0 ) return 1;
    }else if( strcmp(z, "--continue")==0 ){
      o->bContinue = 1;
    }else if( strcmp(z, "--backup")==0 || strcmp(z, "--report")==0 ){
      if( i+1>=nArg ) return migShellError(p, "%s needs a path", z);
      if( z[2]=='b' ) o->zBackupDir = azArg[++i];
      else o->zReport = azArg[++i];
    }else if( z[0]=='-' && z[1] ){
      return migShellError(p, "unknown option: %s", z);
    }else if( nDb==0 && o->eOp==MIG_FLEET_UPGRADE && o->zTarget==0
           && fleetIsTarget(z) ){
      o->zTarget = z;
    }else{
      nDb++;
      if( fleetExpand(p, l, z) ) return 1;
    }
  }
  if( nDb==0 ){
    return migShellError(p, "usage: .migrate fleet %s DB...",
        o->eOp==MIG_FLEET_UPGRADE ? "upgrade [TARGET] [-j N] [--canary N] "
        "[--continue] [--backup DIR] [--report FILE]" : "status");
  }
  return 0;
}

/* Clear the progress line if one is shown. */
static void fleetClearLine(FleetShow *s){
  if( s->bLine ){ fprintf(stderr, "\r\033[K"); s->bLine = 0; }
}

/* Redraw the progress line (interactive only, at most 10 times a second) */
static void fleetProgress(FleetShow *s, const MigFleetSum *pSum, int bForce){
  double t = fleetCmdNow();
  if( !s->p->bInteractive || (!bForce && t-s->tShown<0.1) ) return;
  s->tShown = t;
  fprintf(stderr, "\rfleet: %d/%d done, %d failed, %.0f files/s\033[K",
          pSum->nDone, pSum->nTotal, pSum->nFailed,
          t>s->t0 ? pSum->nDone/(t-s->t0) : 0.0);
  fflush(stderr);
  s->bLine = 1;
}

/* Status: count a file at zRev in its group. */
static void fleetGroupAdd(FleetShow *s, const MigFleetFile *pF){
  int i, bHead = pF->eStatus==MIG_FS_HEAD;
  FleetGroup *aNew;
  for(i=0; i<s->nGroup; i++){
    FleetGroup *g = &s->aGroup[i];
    if( g->bHead==bHead && ((g->zRev==0 && pF->zBefore==0)
        || (g->zRev && pF->zBefore && strcmp(g->zRev, pF->zBefore)==0)) ){
      g->nFile++;
      return;
    }
  }
  aNew = sqlite3_realloc64(s->aGroup, sizeof(FleetGroup)*(s->nGroup+1));
  if( aNew==0 ){ s->bNoMem = 1; return; }
  s->aGroup = aNew;
  aNew[s->nGroup].zRev = pF->zBefore ? sqlite3_mprintf("%s", pF->zBefore) : 0;
  aNew[s->nGroup].bHead = bHead;
  aNew[s->nGroup].nPending = pF->nPending;
  aNew[s->nGroup].nFile = 1;
  s->nGroup++;
}

/* After each file: name a failure, count, redraw the progress line. */
static void fleetOnFile(void *pArg, const MigFleetFile *pF,
                        const MigFleetSum *pSum){
  FleetShow *s = (FleetShow*)pArg;
  if( pF->eStatus==MIG_FS_FAILED ){
    fleetClearLine(s);
    fprintf(stderr, "fleet: %s: %s\n", pF->zPath, pF->zErr ? pF->zErr : "");
  }else if( pF->eStatus==MIG_FS_HEAD || pF->eStatus==MIG_FS_BEHIND ){
    fleetGroupAdd(s, pF);
  }else if( s->eOp==MIG_FLEET_STATUS ){
    char *z = sqlite3_mprintf("%s: %s: %s", migFleetStatusName(pF->eStatus),
                              pF->zPath, pF->zErr ? pF->zErr : "");
    if( z==0 || fleetListAdd(&s->odd, z) ) s->bNoMem = 1;
    sqlite3_free(z);
  }
  fleetProgress(s, pSum, pSum->nDone==pSum->nTotal);
}

/* A notice from the fleet (e.g. canary passed), on the output. */
static void fleetOnLog(void *pArg, const char *zLine){
  FleetShow *s = (FleetShow*)pArg;
  fleetClearLine(s);
  fprintf(s->p->out, "%s\n", zLine);
  fflush(s->p->out);
}

/* Order of the status lines: fewest pending first. */
static int fleetGroupCmp(const void *a, const void *b){
  const FleetGroup *x = (const FleetGroup*)a, *y = (const FleetGroup*)b;
  if( x->nPending!=y->nPending ) return x->nPending<y->nPending ? -1 : 1;
  return strcmp(x->zRev ? x->zRev : "", y->zRev ? y->zRev : "");
}

/* Order of the exceptions: by status, then path (qsort of char*). */
static int fleetStrCmp(const void *a, const void *b){
  return strcmp(*(char*const*)a, *(char*const*)b);
}

/* The status summary; returns 1 unless every file is at the head. */
static int fleetPrintStatus(FleetShow *s, const MigFleetSum *pSum){
  FILE *out = s->p->out;
  int i;
  fprintf(out, "%d database%s:\n", pSum->nTotal, pSum->nTotal==1 ? "" : "s");
  if( s->nGroup>1 ){
    qsort(s->aGroup, s->nGroup, sizeof(FleetGroup), fleetGroupCmp);
  }
  for(i=0; i<s->nGroup; i++){
    FleetGroup *g = &s->aGroup[i];
    if( g->bHead ){
      fprintf(out, "  %d at %s (head)\n", g->nFile, g->zRev ? g->zRev : "base");
    }else{
      fprintf(out, "  %d at %s (%d pending)\n", g->nFile,
              g->zRev ? g->zRev : "base", g->nPending);
    }
  }
  for(i=MIG_FS_AHEAD; i<MIG_FS_COUNT; i++){
    if( pSum->anStatus[i] ){
      fprintf(out, "  %d %s\n", pSum->anStatus[i], migFleetStatusName(i));
    }
  }
  if( s->odd.n>1 ) qsort(s->odd.az, s->odd.n, sizeof(char*), fleetStrCmp);
  for(i=0; i<s->odd.n; i++) fprintf(out, "  %s\n", s->odd.az[i]);
  return pSum->anStatus[MIG_FS_HEAD]!=pSum->nTotal;
}

/* The upgrade summary line; returns 1 if a file failed or was not run. */
static int fleetPrintUpgrade(FleetShow *s, const MigFleetSum *pSum){
  double t = fleetCmdNow()-s->t0;
  if( pSum->bCanaryFailed ){
    fprintf(s->p->out, "fleet: canary failed: the other databases were "
            "not touched\n");
  }else if( pSum->bStopped && pSum->anStatus[MIG_FS_NOTRUN]>0 ){
    fprintf(s->p->out, "fleet: stopped at the first failure (use --continue "
            "to try every database)\n");
  }
  fprintf(s->p->out, "fleet: %d database%s in %.1f s (%d worker%s): "
      "%d upgraded, %d current, %d failed, %d not run\n",
      pSum->nTotal, pSum->nTotal==1 ? "" : "s", t, pSum->nJob,
      pSum->nJob==1 ? "" : "s", pSum->anStatus[MIG_FS_UPGRADED],
      pSum->anStatus[MIG_FS_CURRENT], pSum->anStatus[MIG_FS_FAILED],
      pSum->anStatus[MIG_FS_NOTRUN]);
  return pSum->nFailed>0 || pSum->anStatus[MIG_FS_NOTRUN]>0;
}

/* Run the parsed fleet and print its outcome. Returns 0 or 1. */
static int fleetGo(MigShell *p, MigFleetOpt *o, FleetList *l){
  FleetShow s;
  MigFleetSum sum;
  char *zErr = 0;
  int rc, i, bBad;
  memset(&s, 0, sizeof(s));
  s.p = p;
  s.eOp = o->eOp;
  s.t0 = fleetCmdNow();
  o->xFile = fleetOnFile;
  o->xLog = fleetOnLog;
  o->pArg = &s;
  rc = migFleetRun(o, l->n, l->az, &sum, &zErr);
  fleetClearLine(&s);
  if( rc!=SQLITE_OK ){
    migShellError(p, "%s", zErr ? zErr : sqlite3_errstr(rc));
    bBad = 1;
  }else if( o->eOp==MIG_FLEET_STATUS ){
    bBad = fleetPrintStatus(&s, &sum);
  }else{
    bBad = fleetPrintUpgrade(&s, &sum);
  }
  if( s.bNoMem ) bBad = migShellError(p, "out of memory");
  sqlite3_free(zErr);
  fleetListFree(&s.odd);
  for(i=0; i<s.nGroup; i++) sqlite3_free(s.aGroup[i].zRev);
  sqlite3_free(s.aGroup);
  return bBad;
}

int migCmdFleet(MigShell *p, int nArg, char **azArg){
  MigConn *pConn = migConnGet(p->db);
  MigFleetOpt o;
  FleetList l;
  sqlite3_int64 nTimeout = 0;
  int rc = 1;
  memset(&o, 0, sizeof(o));
  memset(&l, 0, sizeof(l));
  if( pConn==0 ) return migShellError(p, "the migrate extension is missing");
  if( nArg<2 || (strcmp(azArg[1], "upgrade") && strcmp(azArg[1], "status")) ){
    return migShellError(p, "usage: .migrate fleet upgrade|status ... DB...");
  }
  o.eOp = azArg[1][0]=='u' ? MIG_FLEET_UPGRADE : MIG_FLEET_STATUS;
  o.zDir = migConnDir(pConn);
  o.nJob = 1;
  migQueryInt(p->db, &nTimeout, "PRAGMA busy_timeout");
  o.nBusyMs = nTimeout>0 ? (int)nTimeout : 60000;
  if( fleetParse(p, nArg, azArg, &o, &l)==0 ) rc = fleetGo(p, &o, &l);
  fleetListFree(&l);
  return rc;
}
