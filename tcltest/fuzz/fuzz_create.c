/*
** fuzz_create.c: libFuzzer target for the alter module's CREATE TABLE
** reader: the tokenizer (migTokenize), the table parser and span finder
** (migTabParse) and the router that picks ALTER TABLE statements SQLite
** cannot run (migAlterRoute). The input is any text; nothing it holds may
** crash, leak or read out of bounds (built with ASan and UBSan).
**
**   tcltest/fuzz/fuzz_create [-max_total_time=N] CORPUS_DIR...
**
** Seeds: tcltest/fuzz/seed_create/. Built by make check when clang is
** installed; run by tcltest/fuzz.test.
*/
#include "alter_int.h"
#include <string.h>

int LLVMFuzzerTestOneInput(const unsigned char *aData, size_t nData){
  char *zSql = sqlite3_malloc64(nData+1);
  MigToken *aTok = 0;
  MigTab *pTab = 0;
  char *zErr = 0, *zTab = 0, *zClause = 0;
  int nTok = 0, i;
  if( zSql==0 ) return 0;
  memcpy(zSql, aData, nData);
  zSql[nData] = 0;
  if( migTokenize(zSql, &aTok, &nTok)==SQLITE_OK ){
    for(i=0; i<nTok; i++){
      if( migTokIsName(aTok[i].eType) ){
        sqlite3_free(migTokName(zSql, &aTok[i]));
      }
      if( aTok[i].eType==MIG_TK_LP ) migTokMatchParen(aTok, nTok, i);
    }
  }
  sqlite3_free(aTok);
  if( migTabParse(zSql, &pTab, &zErr)==SQLITE_OK && pTab ){
    for(i=0; i<pTab->nCol; i++){
      migTabFindCol(pTab, pTab->aCol[i].zName);
      migColFindCons(&pTab->aCol[i], MIG_CONS_DEFAULT);
    }
  }
  migTabFree(pTab);
  sqlite3_free(zErr);
  if( migAlterRoute(zSql, &zTab, &zClause) ){
    sqlite3_free(zTab);
    sqlite3_free(zClause);
  }
  sqlite3_free(zSql);
  return 0;
}
