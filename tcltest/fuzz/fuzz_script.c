/*
** fuzz_script.c: libFuzzer target for the migration file parser: the
** header block and sections (migScriptParse), statement splitting of
** both sections (migSplitInit/Next), the checksum, and the data-loss
** scan the runner applies to a migration's SQL (migBackupDataLoss). The
** input is the content of a file named 0001_fuzz.sql.
**
**   tcltest/fuzz/fuzz_script [-max_total_time=N] CORPUS_DIR...
**
** Seeds: tcltest/fuzz/seed_script/.
*/
#include "engine_int.h"
#include <string.h>

/* Split zSql into statements, freeing each. */
static void fuzzSplit(const char *zSql, int iLine){
  MigSplit s;
  char *zStmt = 0;
  int iStmt = 0;
  int rc = migSplitInit(&s, zSql, iLine);
  while( rc==SQLITE_OK ){
    rc = migSplitNext(&s, &zStmt, &iStmt);
    if( rc!=SQLITE_ROW ) break;
    sqlite3_free(zStmt);
    rc = SQLITE_OK;
  }
  migSplitFree(&s);
}

int LLVMFuzzerTestOneInput(const unsigned char *aData, size_t nData){
  MigRev rev;
  char *zErr = 0, *zReport = 0;
  char *zText = sqlite3_malloc64(nData+1);
  if( zText==0 ) return 0;
  memcpy(zText, aData, nData);
  zText[nData] = 0;
  memset(&rev, 0, sizeof(rev));
  sqlite3_free(migChecksum(zText, (int)nData));
  if( migScriptParse("migrations/0001_fuzz.sql", zText, (int)nData, &rev,
                     &zErr)==SQLITE_OK ){
    if( rev.zUp ) fuzzSplit(rev.zUp, rev.iUpLine);
    if( rev.zDown ) fuzzSplit(rev.zDown, rev.iDownLine);
    if( rev.zUp && migBackupDataLoss(rev.zUp, &zReport) ){
      sqlite3_free(zReport);
    }
  }
  migRevClear(&rev);
  sqlite3_free(zErr);
  sqlite3_free(zText);
  return 0;
}
