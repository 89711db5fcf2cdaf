/*
** dqlite_client_test.c: drives the dqlite client (ext/dqlite.c) from the
** command line for tcltest/dqlite_client.test. Links the static library.
**
** Usage: dqlite_client_test [-t MS] URL COMMAND...
**
** Connects to the leader of the cluster in URL (dqlite://ADDRS/NAME)
** within MS milliseconds (default 10000) and prints "leader ADDR", or
** "connect error: MESSAGE" and exits 1. Then runs each COMMAND in order
** on that one connection:
**   exec:SQL      migDqExec; prints "ok"
**   query:SQL     migDqQuery; prints "COL|COL..." once, then each row as
**                 "VAL|VAL..." (NULL for SQL NULL, bytes under 0x20 or
**                 0x7f and above as \xHH)
**   count:SQL     migDqQuery; prints "rows N sum S" (S: sum of column 1
**                 as integers) instead of the rows
**   stop:N:SQL    migDqQuery stopped by the callback after N rows;
**                 prints "stopped after N rc RC"
**   cluster       migDqCluster; prints its lines
**   leader        prints "leader ADDR"
**   sleep:MS      pauses
**   wait:FILE     pauses until FILE exists (60 s at most)
** A failing command prints "error RC: MESSAGE" (RC the numeric result
** code) and the run goes on with the next one. Exit status 0.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "dqlite.h"

/* State of one query's callback. */
typedef struct Rows Rows;
struct Rows {
  int bHeader;                 /* Column names printed */
  int bCount;                  /* Count and sum only */
  int nStop;                   /* Stop after this many rows (0: never) */
  long long nRow;              /* Rows seen */
  long long iSum;              /* Sum of column 1 */
};

/* Print z with control and non-ASCII bytes as \xHH. */
static void putEscaped(const char *z){
  for(; *z; z++){
    unsigned char c = (unsigned char)*z;
    if( c<0x20 || c>=0x7f ) printf("\\x%02x", c); else putchar(c);
  }
}

/* Print one line of n fields separated by '|'. */
static void putFields(int n, char **az){
  int i;
  for(i=0; i<n; i++){
    if( i ) putchar('|');
    if( az[i] ) putEscaped(az[i]); else fputs("NULL", stdout);
  }
  putchar('\n');
}

/* migDqQuery's callback. */
static int xRow(void *pArg, int nCol, char **azVal, char **azCol){
  Rows *p = (Rows*)pArg;
  p->nRow++;
  if( p->bCount ){
    if( azVal[0] ) p->iSum += atoll(azVal[0]);
  }else{
    if( !p->bHeader ) putFields(nCol, azCol);
    p->bHeader = 1;
    putFields(nCol, azVal);
  }
  return p->nStop && p->nRow>=p->nStop;
}

/* Run command zCmd on pDq. */
static void runCommand(MigDq *pDq, const char *zCmd){
  char *zErr = 0;
  int rc = SQLITE_OK;
  Rows rows;
  memset(&rows, 0, sizeof(rows));
  if( strncmp(zCmd, "exec:", 5)==0 ){
    rc = migDqExec(pDq, zCmd+5, &zErr);
    if( rc==SQLITE_OK ) printf("ok\n");
  }else if( strncmp(zCmd, "query:", 6)==0 ){
    rc = migDqQuery(pDq, zCmd+6, xRow, &rows, &zErr);
  }else if( strncmp(zCmd, "count:", 6)==0 ){
    rows.bCount = 1;
    rc = migDqQuery(pDq, zCmd+6, xRow, &rows, &zErr);
    if( rc==SQLITE_OK ) printf("rows %lld sum %lld\n", rows.nRow, rows.iSum);
  }else if( strncmp(zCmd, "stop:", 5)==0 && strchr(zCmd+5, ':') ){
    rows.bCount = 1;
    rows.nStop = atoi(zCmd+5);
    rc = migDqQuery(pDq, strchr(zCmd+5, ':')+1, xRow, &rows, &zErr);
    printf("stopped after %lld rc %d\n", rows.nRow, rc);
    if( rc==SQLITE_ABORT ) rc = SQLITE_OK;
  }else if( strcmp(zCmd, "cluster")==0 ){
    char *zOut = 0;
    rc = migDqCluster(pDq, &zOut, &zErr);
    if( rc==SQLITE_OK ) printf("%s\n", zOut);
    sqlite3_free(zOut);
  }else if( strcmp(zCmd, "leader")==0 ){
    printf("leader %s\n", migDqLeader(pDq));
  }else if( strncmp(zCmd, "sleep:", 6)==0 ){
    usleep(1000*atoi(zCmd+6));
  }else if( strncmp(zCmd, "wait:", 5)==0 ){
    int i;
    for(i=0; i<1200 && access(zCmd+5, F_OK)!=0; i++) usleep(50000);
  }else{
    printf("unknown command: %s\n", zCmd);
  }
  if( rc!=SQLITE_OK ) printf("error %d: %s\n", rc, zErr ? zErr : "?");
  sqlite3_free(zErr);
  fflush(stdout);
}

int main(int argc, char **argv){
  char *zAddrs = 0, *zDb = 0, *zErr = 0;
  MigDq *pDq = 0;
  int ms = 10000;
  int i = 1;
  if( argc>2 && strcmp(argv[1], "-t")==0 ){
    ms = atoi(argv[2]);
    i = 3;
  }
  if( i>=argc ){
    fprintf(stderr, "usage: %s [-t MS] URL COMMAND...\n", argv[0]);
    return 2;
  }
  if( migDqParseUrl(argv[i], &zAddrs, &zDb, &zErr)
   || migDqConnect(zAddrs, zDb, ms, &pDq, &zErr) ){
    printf("connect error: %s\n", zErr ? zErr : "?");
    sqlite3_free(zErr);
    sqlite3_free(zAddrs);
    sqlite3_free(zDb);
    return 1;
  }
  printf("leader %s\n", migDqLeader(pDq));
  fflush(stdout);
  for(i++; i<argc; i++) runCommand(pDq, argv[i]);
  migDqClose(pDq);
  sqlite3_free(zAddrs);
  sqlite3_free(zDb);
  return 0;
}
