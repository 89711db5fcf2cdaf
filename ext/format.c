/*
** format.c: a migrations directory in the format of the tool that wrote
** it, read into MigRev records in that tool's order.
**
**   rc = migFormatLoad(p, zDir, db, bMissingOk, &aRev, &nRev, &eFmt, &zErr);
**
** The format is p->eFormat when set (".migrate config format NAME"),
** else detected from the files, first match winning:
**   diesel         a subdirectory holding up.sql
**   goose          a file with a "-- +goose Up" line
**   sql-migrate    a file with a "-- +migrate Up" line
**   migrate        a file with a "Revision ID:" header, or "-- migrate:"
**                  markers in files not all named N_x.sql
**   dbmate         files "N_x.sql" with "-- migrate:" markers
**   Flyway         files V1__x.sql, U1__x.sql, R__x.sql
**   golang-migrate files N_x.up.sql / N_x.down.sql (sqlx when the database
**                  has _sqlx_migrations, or a file says -- no-transaction
**                  or "-- Add migration script here", as sqlx writes it)
**   sqlx           files N_x.sql when the database has _sqlx_migrations
**                  or a file holds one of those two lines
**   plain          any other *.sql files: up only, in name order
** A directory with entries but no migration in any of them is an error
** (never "up to date"); an empty one has no revisions.
**
** Names, versions and order, as each tool reads them:
**   golang-migrate ^([0-9]+)_(.*)\.(up|down)\.sql$, version an unsigned
**                  number; numeric order; a missing up or down file runs
**                  as an empty one, as golang-migrate runs it
**   goose          ^([0-9]+)_.*\.sql$, version a number > 0; numeric order
**   sqlx           ^([0-9]+)_(.*)\.sql$, optionally .up.sql / .down.sql;
**                  numeric order
**   diesel         DIR/up.sql, DIR/down.sql, optional DIR/metadata.toml;
**                  version: DIR up to its first "_", dashes removed;
**                  ordered as strings
**   Flyway         V<version>__<desc>.sql, U<version>__<desc>.sql (undo),
**                  R__<desc>.sql (repeatable, after all versions, by
**                  description); "_" in a version reads as "."; versions
**                  compare part by part as numbers (1.2 < 1.10, 1 = 1.0)
**   sql-migrate    any *.sql, id the file name; names with a numeric
**                  prefix first, by that number, then by name
**   plain          any *.sql, ordered as sql-migrate orders
**   dbmate, migrate  as script.c reads them (name order)
** Two files with one version are refused, naming both. Every revision
** but the first follows the one before it (a single line of history);
** its id is the tool's version (sql-migrate and plain: the file name
** without ".sql"), with "@-+," and blanks read as "_" (they have a
** meaning in targets), its message the description with "_" as " ".
*/
#include "engine_int.h"
#include <string.h>
#include <stdlib.h>
#include <dirent.h>
#include <sys/stat.h>

static const char *azFmtName[MIG_FMT_COUNT] = {
  "auto", "migrate", "dbmate", "golang-migrate", "goose", "sqlx", "diesel",
  "flyway", "sql-migrate", "plain"
};

/* Name of format eFormat ("auto" for 0). */
const char *migFormatName(int eFormat){
  if( eFormat<0 || eFormat>=MIG_FMT_COUNT ) return "?";
  return azFmtName[eFormat];
}

/* MIG_FMT_* of name zName (ASCII case-insensitive), or -1. */
int migFormatParse(const char *zName){
  int i;
  for(i=0; i<MIG_FMT_COUNT; i++){
    if( migNameEq(zName, azFmtName[i]) ) return i;
  }
  if( migNameEq(zName, "golang") || migNameEq(zName, "migrate-go") ){
    return MIG_FMT_GOLANG;
  }
  if( migNameEq(zName, "native") ) return MIG_FMT_NATIVE;
  return -1;
}

/* One entry of the directory. */
typedef struct FmtEnt FmtEnt;
struct FmtEnt {
  char *zName;                 /* File or subdirectory name */
  int bDir;                    /* A subdirectory holding up.sql */
  char *zText;                 /* Contents of a file (owned), or NULL */
  int nText;                   /* Its size */
};

/* What a file name says in a format. */
typedef struct FmtName FmtName;
struct FmtName {
  int eKind;                   /* 0 none, 1 whole, 2 up, 3 down, 4 repeat */
  char *zVersion;              /* Canonical version (owned) */
  char *zDesc;                 /* Description, "_" as " " (owned) */
};

/* Free what pEnt owns. */
static void fmtEntClear(FmtEnt *pEnt){
  sqlite3_free(pEnt->zName);
  sqlite3_free(pEnt->zText);
}

/* Number of leading ASCII digits of z. */
static int fmtDigits(const char *z){
  int n = 0;
  while( z[n]>='0' && z[n]<='9' ) n++;
  return n;
}

/* True if z ends with zSuffix. */
static int fmtEnds(const char *z, const char *zSuffix){
  size_t n = strlen(z), m = strlen(zSuffix);
  return n>=m && strcmp(z+n-m, zSuffix)==0;
}

/* z[0..n-1] with "_" read as " " (sqlite3_free), or NULL when empty;
** *pRc gets SQLITE_NOMEM when out of memory. */
static char *fmtDesc(const char *z, int n, int *pRc){
  char *zOut;
  int i;
  if( n<=0 ) return 0;
  zOut = sqlite3_mprintf("%.*s", n, z);
  if( zOut==0 ) *pRc = SQLITE_NOMEM;
  for(i=0; zOut && zOut[i]; i++) if( zOut[i]=='_' ) zOut[i] = ' ';
  return zOut;
}

/* Digits z[0..n-1] without leading zeros ("0" for all zeros). */
static char *fmtNumber(const char *z, int n){
  while( n>1 && z[0]=='0' ){ z++; n--; }
  return sqlite3_mprintf("%.*s", n, z);
}

/*
** Read name zName (bDir: a diesel directory) in format eFormat into
** *pN. Returns SQLITE_OK (pN->eKind 0: not a migration of that format)
** or SQLITE_NOMEM.
*/
static int fmtName(int eFormat, const char *zName, int bDir, FmtName *pN){
  int n = (int)strlen(zName), nDig = fmtDigits(zName), rc = SQLITE_OK;
  memset(pN, 0, sizeof(*pN));
  if( eFormat==MIG_FMT_DIESEL ){
    const char *zU = strchr(zName, '_');
    int nV = zU ? (int)(zU-zName) : n, i, j = 0;
    if( !bDir ) return SQLITE_OK;
    pN->zVersion = sqlite3_malloc64(nV+1);
    if( pN->zVersion==0 ) return SQLITE_NOMEM;
    for(i=0; i<nV; i++) if( zName[i]!='-' ) pN->zVersion[j++] = zName[i];
    pN->zVersion[j] = 0;
    if( zU ) pN->zDesc = fmtDesc(zU+1, n-nV-1, &rc);
    pN->eKind = 1;
    return rc;
  }
  if( bDir || !fmtEnds(zName, ".sql") ) return SQLITE_OK;
  n -= 4;
  switch( eFormat ){
    case MIG_FMT_GOLANG:
    case MIG_FMT_SQLX:
    case MIG_FMT_GOOSE: {
      int bUp = fmtEnds(zName, ".up.sql"), bDown = fmtEnds(zName, ".down.sql");
      if( nDig==0 || zName[nDig]!='_' ) return SQLITE_OK;
      if( eFormat==MIG_FMT_GOLANG && !bUp && !bDown ) return SQLITE_OK;
      if( eFormat==MIG_FMT_GOOSE ){
        bUp = bDown = 0;
        if( strspn(zName, "0")>=(size_t)nDig ) return SQLITE_OK;
      }
      if( bUp ) n -= 3;
      if( bDown ) n -= 5;
      pN->eKind = bUp ? 2 : bDown ? 3 : 1;
      pN->zVersion = fmtNumber(zName, nDig);
      pN->zDesc = fmtDesc(zName+nDig+1, n-nDig-1, &rc);
      break;
    }
    case MIG_FMT_FLYWAY: {
      const char *zSep = strstr(zName, "__");
      int nV, i;
      if( zSep==0 || (zName[0]!='V' && zName[0]!='U' && zName[0]!='R') ){
        return SQLITE_OK;
      }
      nV = (int)(zSep-zName)-1;
      if( zName[0]=='R' ){
        if( nV!=0 ) return SQLITE_OK;
        pN->eKind = 4;
        pN->zVersion = sqlite3_mprintf("R__%.*s", n-3, zName+3);
      }else{
        if( nV<=0 || fmtDigits(zName+1)==0 ) return SQLITE_OK;
        for(i=1; i<=nV; i++){
          char c = zName[i];
          if( !(c>='0' && c<='9') && c!='.' && c!='_' ) return SQLITE_OK;
        }
        pN->eKind = zName[0]=='V' ? 2 : 3;
        pN->zVersion = sqlite3_mprintf("%.*s", nV, zName+1);
        for(i=0; pN->zVersion && pN->zVersion[i]; i++){
          if( pN->zVersion[i]=='_' ) pN->zVersion[i] = '.';
        }
      }
      pN->zDesc = fmtDesc(zSep+2, n-(int)(zSep-zName)-2, &rc);
      break;
    }
    default: {                 /* sql-migrate, plain */
      const char *zU = strchr(zName, '_');
      pN->eKind = 1;
      pN->zVersion = sqlite3_mprintf("%.*s", n, zName);
      if( nDig>0 && zU && zU-zName==nDig ){
        pN->zDesc = fmtDesc(zU+1, n-nDig-1, &rc);
      }else{
        pN->zDesc = fmtDesc(zName, n, &rc);
      }
      break;
    }
  }
  if( pN->zVersion==0 ) return SQLITE_NOMEM;
  return rc;
}

/* Compare two decimal strings without leading zeros as numbers. */
static int fmtCmpNum(const char *zA, int nA, const char *zB, int nB){
  while( nA>1 && zA[0]=='0' ){ zA++; nA--; }
  while( nB>1 && zB[0]=='0' ){ zB++; nB--; }
  if( nA!=nB ) return nA<nB ? -1 : 1;
  return memcmp(zA, zB, nA);
}

/* Flyway: compare versions part by part, missing parts as 0. */
static int fmtCmpFlyway(const char *zA, const char *zB){
  while( *zA || *zB ){
    int nA = fmtDigits(zA), nB = fmtDigits(zB), c;
    c = fmtCmpNum(nA ? zA : "0", nA ? nA : 1, nB ? zB : "0", nB ? nB : 1);
    if( c ) return c;
    zA += nA; zB += nB;
    if( *zA=='.' ) zA++;
    if( *zB=='.' ) zB++;
  }
  return 0;
}

/* The order of two versions (or ids) of format eFormat. */
static int fmtCmp(int eFormat, const char *zA, const char *zB){
  switch( eFormat ){
    case MIG_FMT_GOLANG: case MIG_FMT_GOOSE: case MIG_FMT_SQLX:
      return fmtCmpNum(zA, (int)strlen(zA), zB, (int)strlen(zB));
    case MIG_FMT_FLYWAY: {
      int bRa = zA[0]=='R', bRb = zB[0]=='R';
      if( bRa || bRb ) return bRa!=bRb ? bRa-bRb : strcmp(zA, zB);
      return fmtCmpFlyway(zA, zB);
    }
    case MIG_FMT_SQLMIGRATE: case MIG_FMT_PLAIN: {
      int nA = fmtDigits(zA), nB = fmtDigits(zB), c;
      if( nA && nB ){
        c = fmtCmpNum(zA, nA, zB, nB);
        if( c ) return c;
      }else if( nA || nB ){
        return nA ? -1 : 1;
      }
      return strcmp(zA, zB);
    }
    default:
      return strcmp(zA, zB);
  }
}

/* True if zText has a line that starts (after blanks) with zMark. */
static int fmtHasLine(const char *zText, const char *zMark){
  int n = (int)strlen(zMark);
  const char *z = zText;
  while( z && *z ){
    while( *z==' ' || *z=='\t' ) z++;
    if( sqlite3_strnicmp(z, zMark, n)==0 ) return 1;
    z = strchr(z, '\n');
    if( z ) z++;
  }
  return 0;
}

/* True if the main schema of db has table zName. */
static int fmtHasTable(sqlite3 *db, const char *zName){
  sqlite3_int64 n = 0;
  if( db==0 ) return 0;
  migQueryInt(db, &n, "SELECT count(*) FROM main.sqlite_schema "
              "WHERE type='table' AND name=%Q", zName);
  return n>0;
}

/* The format of entries aEnt, or 0 when none of them is a migration. */
static int fmtDetect(FmtEnt *aEnt, int nEnt, sqlite3 *db){
  int i, nSql = 0, nPair = 0, nNum = 0, nFly = 0, nNative = 0, bRevId = 0;
  int bNoTxn = 0;
  for(i=0; i<nEnt; i++){
    const char *z = aEnt[i].zName;
    const char *zT = aEnt[i].zText;
    int nDig = fmtDigits(z);
    if( aEnt[i].bDir ) return MIG_FMT_DIESEL;
    if( zT==0 ) continue;
    if( fmtHasLine(zT, "-- +goose up") ) return MIG_FMT_GOOSE;
    if( fmtHasLine(zT, "-- +migrate up") ) return MIG_FMT_SQLMIGRATE;
    nSql++;
    if( fmtHasLine(zT, "-- migrate:") ) nNative++;
    if( fmtHasLine(zT, "-- revision id:") ) bRevId = 1;
    if( fmtHasLine(zT, "-- no-transaction") ) bNoTxn = 1;
    if( fmtHasLine(zT, "-- add migration script here")
     || fmtHasLine(zT, "-- add up migration script here")
     || fmtHasLine(zT, "-- add down migration script here") ){
      bNoTxn = 1;              /* What "sqlx migrate add" writes: sqlx */
    }
    if( nDig && z[nDig]=='_' ){
      nNum++;
      if( fmtEnds(z, ".up.sql") || fmtEnds(z, ".down.sql") ) nPair++;
    }
    if( (z[0]=='V' || z[0]=='U' || z[0]=='R') && strstr(z, "__") ) nFly++;
  }
  if( bRevId ) return MIG_FMT_NATIVE;
  if( nNative ) return nNum<nSql ? MIG_FMT_NATIVE : MIG_FMT_DBMATE;
  if( nFly && nFly==nSql ) return MIG_FMT_FLYWAY;
  if( nPair ){
    return (bNoTxn || (fmtHasTable(db, "_sqlx_migrations")
                       && !fmtHasTable(db, "schema_migrations")))
           ? MIG_FMT_SQLX : MIG_FMT_GOLANG;
  }
  if( nNum && nNum==nSql && (bNoTxn || fmtHasTable(db, "_sqlx_migrations")) ){
    return MIG_FMT_SQLX;
  }
  return nSql ? MIG_FMT_PLAIN : 0;
}

/* Read file zDir/zName into pEnt (NULL text when it cannot be read). */
static int fmtReadEnt(const char *zDir, FmtEnt *pEnt, char **pzErr){
  char *zPath = sqlite3_mprintf("%s/%s", zDir, pEnt->zName);
  struct stat st;
  if( zPath==0 ) return SQLITE_NOMEM;
  if( stat(zPath, &st)==0 && S_ISDIR(st.st_mode) ){
    char *zUp = sqlite3_mprintf("%s/up.sql", zPath);
    if( zUp==0 ){ sqlite3_free(zPath); return SQLITE_NOMEM; }
    pEnt->bDir = stat(zUp, &st)==0;
    sqlite3_free(zUp);
  }else if( fmtEnds(pEnt->zName, ".sql") ){
    pEnt->zText = migReadFile(zPath, &pEnt->nText, pzErr);
    if( pEnt->zText==0 ){ sqlite3_free(zPath); return SQLITE_ERROR; }
  }
  sqlite3_free(zPath);
  return SQLITE_OK;
}

/* qsort comparison of two entries by name */
static int fmtEntCmp(const void *a, const void *b){
  return strcmp(((const FmtEnt*)a)->zName, ((const FmtEnt*)b)->zName);
}

/*
** The entries of zDir (not hidden), sorted by name, files read. *pnAll
** counts every entry, migrations or not. A missing directory: no
** entries when bMissingOk, else an error.
*/
static int fmtList(const char *zDir, int bMissingOk, FmtEnt **paEnt,
                   int *pnEnt, char **pzErr){
  DIR *d = opendir(zDir);
  struct dirent *pE;
  FmtEnt *a = 0;
  int n = 0, rc = SQLITE_OK;
  *paEnt = 0;
  *pnEnt = 0;
  if( d==0 ){
    if( bMissingOk ) return SQLITE_OK;
    *pzErr = sqlite3_mprintf("no such directory: %s", zDir);
    return SQLITE_ERROR;
  }
  while( rc==SQLITE_OK && (pE = readdir(d))!=0 ){
    FmtEnt *aNew;
    if( pE->d_name[0]=='.' ) continue;
    aNew = sqlite3_realloc64(a, sizeof(FmtEnt)*(n+1));
    if( aNew==0 ){ rc = SQLITE_NOMEM; break; }
    a = aNew;
    memset(&a[n], 0, sizeof(FmtEnt));
    a[n].zName = sqlite3_mprintf("%s", pE->d_name);
    if( a[n].zName==0 ){ rc = SQLITE_NOMEM; break; }
    rc = fmtReadEnt(zDir, &a[n], pzErr);
    n++;
  }
  closedir(d);
  if( n>1 ) qsort(a, n, sizeof(FmtEnt), fmtEntCmp);
  *paEnt = a;
  *pnEnt = n;
  return rc;
}

/* Read zDir/zSub/zFile; *pzText NULL (no error) when it is not there. */
static int fmtReadSub(const char *zDir, const char *zSub, const char *zFile,
                      char **pzPath, char **pzText, int *pnText,
                      char **pzErr){
  struct stat st;
  *pzText = 0;
  *pzPath = sqlite3_mprintf("%s/%s/%s", zDir, zSub, zFile);
  if( *pzPath==0 ) return SQLITE_NOMEM;
  if( stat(*pzPath, &st)!=0 ) return SQLITE_OK;
  *pzText = migReadFile(*pzPath, pnText, pzErr);
  return *pzText ? SQLITE_OK : SQLITE_ERROR;
}

/* True if diesel's metadata.toml text says run_in_transaction = false. */
static int fmtDieselNoTxn(const char *zText){
  const char *z = zText ? strstr(zText, "run_in_transaction") : 0;
  if( z==0 ) return 0;
  z += 18;
  while( *z==' ' || *z=='\t' || *z=='=' ) z++;
  return strncmp(z, "false", 5)==0;
}

/* A diesel migration: directory zSub of zDir into pRev. */
static int fmtDiesel(MigConn *p, const char *zDir, const char *zSub,
                     MigRev *pRev, char **pzErr){
  char *zPath = 0, *zText = 0;
  int nText = 0;
  int rc = fmtReadSub(zDir, zSub, "up.sql", &zPath, &zText, &nText, pzErr);
  if( rc==SQLITE_OK ){
    pRev->zFile = zPath;
    zPath = 0;
    rc = migFormatText(p, MIG_FMT_DIESEL, pRev->zFile, zText ? zText : "",
                       nText, pRev, pzErr);
  }
  sqlite3_free(zText);
  if( rc==SQLITE_OK ){
    rc = fmtReadSub(zDir, zSub, "down.sql", &zPath, &zText, &nText, pzErr);
  }
  if( rc==SQLITE_OK && zText ){
    rc = migFormatDown(p, MIG_FMT_DIESEL, zPath, zText, nText, pRev, pzErr);
  }
  sqlite3_free(zPath);
  sqlite3_free(zText);
  zPath = zText = 0;
  if( rc==SQLITE_OK ){
    rc = fmtReadSub(zDir, zSub, "metadata.toml", &zPath, &zText, &nText,
                    pzErr);
  }
  if( rc==SQLITE_OK && fmtDieselNoTxn(zText) ){
    pRev->bUpNoTxn = pRev->bDownNoTxn = 1;
  }
  sqlite3_free(zPath);
  sqlite3_free(zText);
  return rc;
}

/* Make z a valid revision id: the characters targets give a meaning
** to ("@-+," and blanks, as in "REV-1") become "_". */
static void fmtIdChars(char *z){
  for(; *z; z++) if( strchr("@-+, \t", *z) ) *z = '_';
}

/* Index of the revision of version zVersion in aRev[0..nRev-1], or -1. */
static int fmtFind(MigRev *aRev, int nRev, char *zVersion){
  int i;
  fmtIdChars(zVersion);
  for(i=0; i<nRev; i++) if( strcmp(aRev[i].zId, zVersion)==0 ) return i;
  return -1;
}

/* Error: two files for one version. */
static int fmtTwice(const char *zFile, const char *zOther, const char *zV,
                    char **pzErr){
  *pzErr = sqlite3_mprintf("%s: version %s is there twice (also %s)",
                           zFile, zV, zOther);
  return SQLITE_ERROR;
}

/*
** Add entry pEnt of zDir (format eFormat) to *paRev: a new revision, or
** the other half of a pair. SQLite code.
*/
static int fmtAdd(MigConn *p, int eFormat, const char *zDir, FmtEnt *pEnt,
                  MigRev **paRev, int *pnRev, char **pzErr){
  FmtName nm;
  MigRev *r;
  char *zPath = 0;
  int rc = fmtName(eFormat, pEnt->zName, pEnt->bDir, &nm), i;
  if( rc!=SQLITE_OK || nm.eKind==0 ) goto done;
  zPath = sqlite3_mprintf("%s/%s", zDir, pEnt->zName);
  if( zPath==0 ){ rc = SQLITE_NOMEM; goto done; }
  i = fmtFind(*paRev, *pnRev, nm.zVersion);
  if( i<0 ){
    MigRev *aNew = sqlite3_realloc64(*paRev, sizeof(MigRev)*(*pnRev+1));
    if( aNew==0 ){ rc = SQLITE_NOMEM; goto done; }
    *paRev = aNew;
    i = (*pnRev)++;
    r = &aNew[i];
    memset(r, 0, sizeof(*r));
    r->zId = nm.zVersion; nm.zVersion = 0;
    fmtIdChars(r->zId);
    r->zMessage = nm.zDesc; nm.zDesc = 0;
    r->eFormat = eFormat;
    r->bFollow = 1;
  }
  r = &(*paRev)[i];
  if( pEnt->bDir ){
    if( r->zFile ){ rc = fmtTwice(zPath, r->zFile, r->zId, pzErr); goto done; }
    rc = fmtDiesel(p, zDir, pEnt->zName, r, pzErr);
  }else if( nm.eKind==3 ){
    if( r->zDownFile ){
      rc = fmtTwice(zPath, r->zDownFile, r->zId, pzErr);
      goto done;
    }
    rc = migFormatDown(p, eFormat, zPath, pEnt->zText, pEnt->nText, r, pzErr);
  }else{
    if( r->zFile ){ rc = fmtTwice(zPath, r->zFile, r->zId, pzErr); goto done; }
    r->zFile = zPath;
    zPath = 0;
    rc = migFormatText(p, eFormat, r->zFile, pEnt->zText, pEnt->nText, r,
                       pzErr);
  }
done:
  sqlite3_free(zPath);
  sqlite3_free(nm.zVersion);
  sqlite3_free(nm.zDesc);
  return rc;
}

/* What revision r is ordered by: its version, or for sql-migrate and
** plain scripts its file name (sql-migrate's Id). */
static const char *fmtKey(int eFormat, const MigRev *r){
  if( (eFormat==MIG_FMT_SQLMIGRATE || eFormat==MIG_FMT_PLAIN) && r->zFile ){
    const char *z = strrchr(r->zFile, '/');
    return z ? z+1 : r->zFile;
  }
  return r->zId;
}

/* Sort aRev in the tool's order (insertion sort: stable, no context
** argument needed, and directories hold hundreds of files at most). */
static void fmtSort(int eFormat, MigRev *aRev, int nRev){
  int i, j;
  for(i=1; i<nRev; i++){
    MigRev t = aRev[i];
    for(j=i; j>0 && fmtCmp(eFormat, fmtKey(eFormat, &aRev[j-1]),
                           fmtKey(eFormat, &t))>0; j--){
      aRev[j] = aRev[j-1];
    }
    aRev[j] = t;
  }
}

/*
** Check, sort and chain the revisions: each needs its up file (a lone
** down file is an error), gets a checksum, and follows the one before.
*/
static int fmtFinish(int eFormat, MigRev *aRev, int nRev, char **pzErr){
  int i, rc = SQLITE_OK;
  fmtSort(eFormat, aRev, nRev);
  for(i=0; rc==SQLITE_OK && i<nRev; i++){
    MigRev *r = &aRev[i];
    char *zAll;
    if( i>0 && fmtCmp(eFormat, fmtKey(eFormat, &aRev[i-1]),
                      fmtKey(eFormat, r))==0 ){
      return fmtTwice(r->zFile ? r->zFile : r->zId,
                      aRev[i-1].zFile ? aRev[i-1].zFile : aRev[i-1].zId,
                      r->zId, pzErr);
    }
    if( eFormat==MIG_FMT_GOLANG ){
      /* golang-migrate runs a missing up or down file as an empty one
      ** (migrate.go, newMigration(): 'create "empty" migration') */
      if( r->zUp==0 ){ r->zUp = sqlite3_mprintf(""); r->iUpLine = 1; }
      if( r->zDown==0 ){ r->zDown = sqlite3_mprintf(""); r->iDownLine = 1; }
      if( r->zUp==0 || r->zDown==0 ) return SQLITE_NOMEM;
      if( r->zFile==0 ){
        r->zFile = sqlite3_mprintf("%s", r->zDownFile);
        if( r->zFile==0 ) return SQLITE_NOMEM;
      }
    }
    if( r->zUp==0 ){
      *pzErr = sqlite3_mprintf("%s: no up migration for version %s",
                               r->zDownFile ? r->zDownFile : r->zId, r->zId);
      return SQLITE_ERROR;
    }
    zAll = sqlite3_mprintf("%s\n-- down\n%s", r->zUp, r->zDown ? r->zDown:"");
    r->zChecksum = zAll ? migChecksum(zAll, (int)strlen(zAll)) : 0;
    sqlite3_free(zAll);
    if( r->zChecksum==0 ) rc = SQLITE_NOMEM;
    if( rc==SQLITE_OK && i>0 ){
      r->zRevises = sqlite3_mprintf("%s", aRev[i-1].zId);
      if( r->zRevises==0 ) rc = SQLITE_NOMEM;
    }
  }
  return rc;
}

/*
** The native and dbmate formats: migScriptsLoad() on the *.sql files of
** the nEnt entries aEnt that fmtList() listed, sorted and read already
** (each file is read once per load).
*/
static int fmtNativeLoad(const char *zDir, FmtEnt *aEnt, int nEnt,
                         MigRev **paRev, int *pnRev, char **pzErr){
  const char **azName = sqlite3_malloc64(sizeof(char*)*(nEnt+1));
  const char **azText = sqlite3_malloc64(sizeof(char*)*(nEnt+1));
  int *anText = sqlite3_malloc64(sizeof(int)*(nEnt+1));
  int i, n = 0, rc = SQLITE_NOMEM;
  if( azName && azText && anText ){
    for(i=0; i<nEnt; i++){
      if( !migScriptIsSql(aEnt[i].zName) ) continue;
      azName[n] = aEnt[i].zName;
      azText[n] = aEnt[i].zText;
      anText[n++] = aEnt[i].nText;
    }
    rc = migScriptsParse(zDir, n, azName, azText, anText, paRev, pnRev,
                         pzErr);
  }
  sqlite3_free(azName);
  sqlite3_free(azText);
  sqlite3_free(anText);
  return rc;
}

/* Free nRev revisions of aRev and the array. */
static void fmtFreeRevs(MigRev *aRev, int nRev){
  int i;
  for(i=0; i<nRev; i++) migRevClear(&aRev[i]);
  sqlite3_free(aRev);
}

/*
** Load the migrations of directory zDir in its format into a new array
** *paRev of *pnRev revisions (migRevClear() each, then sqlite3_free),
** in the tool's order, each following the one before. *peFormat gets the
** format used (0 for an empty directory). db (may be NULL) helps tell
** sqlx from golang-migrate. SQLite code, *pzErr set on error.
*/
int migFormatLoad(MigConn *p, const char *zDir, sqlite3 *db, int bMissingOk,
                  MigRev **paRev, int *pnRev, int *peFormat, char **pzErr){
  FmtEnt *aEnt = 0;
  MigRev *aRev = 0;
  int nEnt = 0, nRev = 0, i, rc, eFmt;
  *paRev = 0;
  *pnRev = 0;
  *peFormat = 0;
  rc = fmtList(zDir, bMissingOk, &aEnt, &nEnt, pzErr);
  eFmt = p->eFormat ? p->eFormat : fmtDetect(aEnt, nEnt, db);
  if( rc==SQLITE_OK && eFmt==0 && nEnt>0 ){
    *pzErr = sqlite3_mprintf("%s: no migration in any known format (%s "
        "and more: see .migrate config format)", zDir, azFmtName[1]);
    rc = SQLITE_ERROR;
  }
  *peFormat = eFmt;
  if( rc==SQLITE_OK && (eFmt==MIG_FMT_NATIVE || eFmt==MIG_FMT_DBMATE) ){
    rc = fmtNativeLoad(zDir, aEnt, nEnt, &aRev, &nRev, pzErr);
    for(i=0; rc==SQLITE_OK && i<nRev; i++) aRev[i].eFormat = eFmt;
  }else if( rc==SQLITE_OK && eFmt ){
    for(i=0; rc==SQLITE_OK && i<nEnt; i++){
      rc = fmtAdd(p, eFmt, zDir, &aEnt[i], &aRev, &nRev, pzErr);
    }
    if( rc==SQLITE_OK ) rc = fmtFinish(eFmt, aRev, nRev, pzErr);
    if( rc==SQLITE_OK && nRev==0 ){
      *pzErr = sqlite3_mprintf("%s: no %s migration in it", zDir,
                               azFmtName[eFmt]);
      rc = SQLITE_ERROR;
    }
  }
  for(i=0; i<nEnt; i++) fmtEntClear(&aEnt[i]);
  sqlite3_free(aEnt);
  if( rc!=SQLITE_OK ){
    fmtFreeRevs(aRev, nRev);
    if( *pzErr==0 ) *pzErr = sqlite3_mprintf("%s", sqlite3_errstr(rc));
    return rc;
  }
  *paRev = aRev;
  *pnRev = nRev;
  return SQLITE_OK;
}

/*
** migrate_format([dir]): the format directory dir (default: the
** connection's) is read in: the forced one, or the one detected; NULL
** for an empty or missing directory. An unreadable directory or one
** with no migration in any format is an error, as for an upgrade.
*/
void migFormatFunc(sqlite3_context *ctx, int argc, sqlite3_value **argv){
  MigConn *p = (MigConn*)sqlite3_user_data(ctx);
  const char *zDir = argc>0 ? (const char*)sqlite3_value_text(argv[0]) : 0;
  FmtEnt *aEnt = 0;
  char *zErr = 0;
  int nEnt = 0, i, eFmt;
  int rc = fmtList(zDir ? zDir : migConnDir(p), 1, &aEnt, &nEnt, &zErr);
  eFmt = p->eFormat ? p->eFormat
                    : fmtDetect(aEnt, nEnt, sqlite3_context_db_handle(ctx));
  for(i=0; i<nEnt; i++) fmtEntClear(&aEnt[i]);
  sqlite3_free(aEnt);
  if( rc==SQLITE_OK && eFmt==0 && nEnt>0 ){
    zErr = sqlite3_mprintf("%s: no migration in any known format",
                           zDir ? zDir : migConnDir(p));
    rc = SQLITE_ERROR;
  }
  if( rc!=SQLITE_OK ){
    sqlite3_result_error(ctx, zErr ? zErr : sqlite3_errstr(rc), -1);
  }else if( eFmt ){
    sqlite3_result_text(ctx, azFmtName[eFmt], -1, SQLITE_STATIC);
  }
  sqlite3_free(zErr);
}
