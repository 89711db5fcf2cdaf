/*
** alter_parse.c: a CREATE TABLE statement as columns and constraints.
**
** migTabParse() reads the text stored in sqlite_schema and records, for
** every column and every constraint, the byte span it occupies in that
** text (MigTab, MigCol, MigCons in alter_int.h). Nothing is rewritten or
** normalised: edits (alter_edit.c) splice new text in at those offsets,
** so comments, quoting, COLLATE, GENERATED, AUTOINCREMENT, DEFERRABLE,
** ON DELETE ..., STRICT and WITHOUT ROWID survive as the user wrote them.
**
** The grammar followed is SQLite's (lang_createtable.html): a column is
** a name, an optional type of any number of words and a parenthesised
** size, then column constraints; table constraints follow the columns,
** separated by commas (or, as SQLite also accepts, by nothing).
*/
#include "alter_int.h"
#include <string.h>

/* Parser state for one statement. */
typedef struct MigParse MigParse;
struct MigParse {
  const char *zSql;            /* The text */
  MigToken *aTok;              /* Its tokens */
  int nTok;                    /* Number of tokens */
  char *zErr;                  /* Error message, or NULL */
};

/* Words that start a column constraint. */
static const char *azColStart[] = {
  "CONSTRAINT", "PRIMARY", "NOT", "NULL", "UNIQUE", "CHECK", "DEFAULT",
  "COLLATE", "REFERENCES", "GENERATED", "AS", 0
};

/* Words that start a table constraint. */
static const char *azTabStart[] = {
  "CONSTRAINT", "PRIMARY", "UNIQUE", "CHECK", "FOREIGN", 0
};

/* True if token i is one of the words of azWord. */
static int parseIsOneOf(MigParse *p, int i, const char **azWord){
  int k;
  if( i>=p->nTok ) return 0;
  for(k=0; azWord[k]; k++){
    if( migTokIsWord(p->zSql, &p->aTok[i], azWord[k]) ) return 1;
  }
  return 0;
}

static int parseIsWordAt(MigParse *p, int i, const char *zWord){
  return i<p->nTok && migTokIsWord(p->zSql, &p->aTok[i], zWord);
}

/* True if token i starts a column constraint. GENERATED does only when
** ALWAYS follows: alone it is a type name, as SQLite reads it. */
static int parseIsColStart(MigParse *p, int i){
  if( parseIsWordAt(p, i, "GENERATED") ) return parseIsWordAt(p, i+1, "ALWAYS");
  return parseIsOneOf(p, i, azColStart);
}

/* Offset just past token i. */
static int parseTokEnd(MigParse *p, int i){
  return p->aTok[i].iOff + p->aTok[i].n;
}

/* Record a syntax error at token i (or the end); returns -1. */
static int parseError(MigParse *p, int i){
  if( p->zErr==0 ){
    if( i<p->nTok ){
      p->zErr = sqlite3_mprintf("near \"%.*s\": syntax error",
          p->aTok[i].n, &p->zSql[p->aTok[i].iOff]);
    }else{
      p->zErr = sqlite3_mprintf("incomplete CREATE TABLE statement");
    }
  }
  return -1;
}

/*
** Skip the tail of a constraint: tokens up to iEnd or the next word of
** azStop at depth 0. "SET NULL"/"SET DEFAULT" of ON DELETE and "NOT
** DEFERRABLE" are part of a REFERENCES clause, not new constraints.
*/
static int parseSkipTail(MigParse *p, int i, int iEnd, int bTable){
  while( i<iEnd ){
    if( parseIsWordAt(p, i, "NOT") && parseIsWordAt(p, i+1, "DEFERRABLE") ){
      i += 2;
      continue;
    }
    if( bTable ? parseIsOneOf(p, i, azTabStart) : parseIsColStart(p, i) ) break;
    if( p->aTok[i].eType==MIG_TK_LP ){
      i = migTokMatchParen(p->aTok, iEnd, i);
      if( i>=iEnd ) return parseError(p, iEnd);
    }else if( parseIsWordAt(p, i, "SET") ){
      i++;
    }
    i++;
  }
  return i;
}

/* Token i must be "(": record the span inside it in pCons->iArg..iArgEnd
** and return the index after the matching ")". */
static int parseParenArg(MigParse *p, int i, int iEnd, MigCons *pCons){
  int j;
  if( i>=iEnd || p->aTok[i].eType!=MIG_TK_LP ) return parseError(p, i);
  j = migTokMatchParen(p->aTok, iEnd, i);
  if( j>=iEnd ) return parseError(p, iEnd);
  pCons->iArg = parseTokEnd(p, i);
  pCons->iArgEnd = p->aTok[j].iOff;
  return j+1;
}

/* DEFAULT value: a parenthesised expression, a signed number or one
** literal token. Token i is the first token of the value. */
static int parseDefault(MigParse *p, int i, int iEnd, MigCons *pCons){
  int j = i;
  if( i>=iEnd ) return parseError(p, i);
  if( p->aTok[i].eType==MIG_TK_LP ){
    j = migTokMatchParen(p->aTok, iEnd, i);
    if( j>=iEnd ) return parseError(p, iEnd);
  }else if( p->aTok[i].eType==MIG_TK_OP && i+1<iEnd ){
    j = i+1;
  }
  pCons->iArg = p->aTok[i].iOff;
  pCons->iArgEnd = parseTokEnd(p, j);
  return j+1;
}

/* [GENERATED ALWAYS] AS (expr) [STORED|VIRTUAL], token i after AS. */
static int parseGenerated(MigParse *p, int i, int iEnd, MigCons *pCons){
  i = parseParenArg(p, i, iEnd, pCons);
  if( i>0 && (parseIsWordAt(p, i, "STORED")
             || parseIsWordAt(p, i, "VIRTUAL")) ){
    i++;
  }
  return i;
}

/*
** Parse one constraint starting at token i (before iEnd) into pCons.
** bTable: a table constraint, else a column constraint. Returns the
** index of the token after it, or -1 on a syntax error.
*/
static int parseCons(MigParse *p, int i, int iEnd, int bTable,
                     MigCons *pCons){
  memset(pCons, 0, sizeof(*pCons));
  pCons->iStart = p->aTok[i].iOff;
  while( parseIsWordAt(p, i, "CONSTRAINT") ){
    /* SQLite accepts "CONSTRAINT a CONSTRAINT b ..." (the last name
    ** counts) and a name that names nothing. */
    if( i+1>=iEnd || !migTokIsName(p->aTok[i+1].eType) ){
      return parseError(p, i+1);
    }
    sqlite3_free(pCons->zName);
    pCons->zName = migTokName(p->zSql, &p->aTok[i+1]);
    if( pCons->zName==0 ) return parseError(p, i);
    i += 2;
  }
  if( i>=iEnd || (pCons->zName && (bTable ? !parseIsOneOf(p, i, azTabStart)
                                          : !parseIsColStart(p, i))) ){
    if( pCons->zName==0 ) return parseError(p, i);
    pCons->eKind = MIG_CONS_NAME;
    pCons->iEnd = parseTokEnd(p, i-1);
    return i;
  }
  if( parseIsWordAt(p, i, "PRIMARY") || parseIsWordAt(p, i, "UNIQUE") ){
    pCons->eKind = parseIsWordAt(p, i, "UNIQUE") ? MIG_CONS_UNIQUE
                                                 : MIG_CONS_PK;
    i += pCons->eKind==MIG_CONS_PK ? 2 : 1;
    if( bTable ) i = parseParenArg(p, i, iEnd, pCons);
    if( i>0 ) i = parseSkipTail(p, i, iEnd, bTable);
  }else if( !bTable && parseIsWordAt(p, i, "NOT")
         && parseIsWordAt(p, i+1, "NULL") ){
    pCons->eKind = MIG_CONS_NOTNULL;
    i = parseSkipTail(p, i+2, iEnd, bTable);
  }else if( !bTable && parseIsWordAt(p, i, "NULL") ){
    pCons->eKind = MIG_CONS_NULL;
    i = parseSkipTail(p, i+1, iEnd, bTable);
  }else if( parseIsWordAt(p, i, "CHECK") ){
    pCons->eKind = MIG_CONS_CHECK;
    i = parseParenArg(p, i+1, iEnd, pCons);
  }else if( !bTable && parseIsWordAt(p, i, "DEFAULT") ){
    pCons->eKind = MIG_CONS_DEFAULT;
    i = parseDefault(p, i+1, iEnd, pCons);
  }else if( !bTable && parseIsWordAt(p, i, "COLLATE") && i+1<iEnd ){
    pCons->eKind = MIG_CONS_COLLATE;
    pCons->iArg = p->aTok[i+1].iOff;
    pCons->iArgEnd = parseTokEnd(p, i+1);
    i += 2;
  }else if( !bTable && parseIsWordAt(p, i, "REFERENCES") ){
    pCons->eKind = MIG_CONS_FK;
    i = parseSkipTail(p, i+1, iEnd, bTable);
  }else if( bTable && parseIsWordAt(p, i, "FOREIGN") ){
    pCons->eKind = MIG_CONS_FK;
    i = parseParenArg(p, i+2, iEnd, pCons);
    if( i>0 ) i = parseSkipTail(p, i, iEnd, bTable);
  }else if( !bTable && parseIsWordAt(p, i, "GENERATED") ){
    pCons->eKind = MIG_CONS_GENERATED;
    if( !parseIsWordAt(p, i+1, "ALWAYS") || !parseIsWordAt(p, i+2, "AS") ){
      return parseError(p, i+1);
    }
    i = parseGenerated(p, i+3, iEnd, pCons);
  }else if( !bTable && parseIsWordAt(p, i, "AS") ){
    pCons->eKind = MIG_CONS_GENERATED;
    i = parseGenerated(p, i+1, iEnd, pCons);
  }else{
    return parseError(p, i);
  }
  if( i>0 ) pCons->iEnd = parseTokEnd(p, i-1);
  return i;
}

/* Append a zeroed element to the array *paX of *pnX elements of size
** sz; returns it, or NULL on OOM. */
static void *parseGrow(void **paX, int *pnX, size_t sz){
  char *aNew = sqlite3_realloc64(*paX, (*pnX+1)*sz);
  if( aNew==0 ) return 0;
  memset(aNew + (*pnX)*sz, 0, sz);
  *paX = aNew;
  return aNew + (*pnX)++ * sz;
}

/* Parse the constraints in tokens [i, iEnd) into *paCons, *pnCons.
** Returns SQLITE_OK, SQLITE_ERROR (p->zErr set) or SQLITE_NOMEM. */
static int parseConsList(MigParse *p, int i, int iEnd, int bTable,
                         MigCons **paCons, int *pnCons){
  while( i<iEnd ){
    MigCons *pNew = parseGrow((void**)paCons, pnCons, sizeof(MigCons));
    if( pNew==0 ) return SQLITE_NOMEM;
    i = parseCons(p, i, iEnd, bTable, pNew);
    if( i<0 ) return SQLITE_ERROR;
    if( bTable && i<iEnd && p->aTok[i].eType==MIG_TK_COMMA ) i++;
  }
  return SQLITE_OK;
}

/* Parse the column definition in tokens [i, iEnd) and append it. */
static int parseColumn(MigParse *p, MigTab *pTab, int i, int iEnd){
  MigCol *pCol = parseGrow((void**)&pTab->aCol, &pTab->nCol, sizeof(MigCol));
  int j;
  if( pCol==0 ) return SQLITE_NOMEM;
  if( !migTokIsName(p->aTok[i].eType) ){
    parseError(p, i);
    return SQLITE_ERROR;
  }
  pCol->zName = migTokName(p->zSql, &p->aTok[i]);
  if( pCol->zName==0 ) return SQLITE_NOMEM;
  pCol->iStart = p->aTok[i].iOff;
  pCol->iEnd = parseTokEnd(p, iEnd-1);
  pCol->iType = pCol->iTypeEnd = parseTokEnd(p, i);
  for(j=i+1; j<iEnd && !parseIsColStart(p, j); j++){
    if( p->aTok[j].eType==MIG_TK_LP ){
      j = migTokMatchParen(p->aTok, iEnd, j);
      if( j>=iEnd ){ parseError(p, iEnd); return SQLITE_ERROR; }
    }
    if( j==i+1 ) pCol->iType = p->aTok[j].iOff;
    pCol->iTypeEnd = parseTokEnd(p, j);
  }
  return parseConsList(p, j, iEnd, 0, &pCol->aCons, &pCol->nCons);
}

/* Parse one item of the body, tokens [i, iEnd): a column or table
** constraints. */
static int parseItem(MigParse *p, MigTab *pTab, int i, int iEnd){
  MigSpan *pItem;
  if( i>=iEnd ){
    parseError(p, i);
    return SQLITE_ERROR;
  }
  pItem = parseGrow((void**)&pTab->aItem, &pTab->nItem, sizeof(MigSpan));
  if( pItem==0 ) return SQLITE_NOMEM;
  pItem->iStart = p->aTok[i].iOff;
  pItem->iEnd = parseTokEnd(p, iEnd-1);
  if( parseIsOneOf(p, i, azTabStart) ){
    return parseConsList(p, i, iEnd, 1, &pTab->aCons, &pTab->nCons);
  }
  if( pTab->nCons>0 ){
    parseError(p, i);   /* A column after a table constraint */
    return SQLITE_ERROR;
  }
  return parseColumn(p, pTab, i, iEnd);
}

/* Find the table name and the opening "(": sets pTab->iName.. and
** returns the index of the "(" token, or -1. */
static int parseHead(MigParse *p, MigTab *pTab){
  int i = 0;
  if( !parseIsWordAt(p, i, "CREATE") ) return parseError(p, i);
  i++;
  if( parseIsWordAt(p, i, "TEMP") || parseIsWordAt(p, i, "TEMPORARY") ) i++;
  if( !parseIsWordAt(p, i, "TABLE") ) return parseError(p, i);
  i++;
  if( parseIsWordAt(p, i, "IF") ) i += 3;
  if( i+1<p->nTok && p->aTok[i+1].eType==MIG_TK_DOT ) i += 2;
  if( i>=p->nTok || !migTokIsName(p->aTok[i].eType) ){
    return parseError(p, i);
  }
  pTab->iName = p->aTok[i].iOff;
  pTab->iNameEnd = parseTokEnd(p, i);
  pTab->zName = migTokName(p->zSql, &p->aTok[i]);
  if( pTab->zName==0 ) return -1;
  i++;
  if( i>=p->nTok || p->aTok[i].eType!=MIG_TK_LP ) return parseError(p, i);
  return i;
}

/* Table options after the closing ")": WITHOUT ROWID, STRICT. */
static int parseOptions(MigParse *p, MigTab *pTab, int i){
  for(; i<p->nTok; i++){
    if( parseIsWordAt(p, i, "WITHOUT") && parseIsWordAt(p, i+1, "ROWID") ){
      pTab->bWithoutRowid = 1;
      i++;
    }else if( parseIsWordAt(p, i, "STRICT") ){
      pTab->bStrict = 1;
    }else if( p->aTok[i].eType!=MIG_TK_COMMA
           && p->aTok[i].eType!=MIG_TK_SEMI ){
      parseError(p, i);
      return SQLITE_ERROR;
    }
  }
  return SQLITE_OK;
}

/* Parse the body: the items between "(" (token iOpen) and its ")". */
static int parseBody(MigParse *p, MigTab *pTab, int iOpen){
  int iClose = migTokMatchParen(p->aTok, p->nTok, iOpen);
  int i, iItem = iOpen+1;
  int rc = SQLITE_OK;
  if( iClose>=p->nTok ){
    parseError(p, p->nTok);
    return SQLITE_ERROR;
  }
  pTab->iOpen = p->aTok[iOpen].iOff;
  pTab->iClose = p->aTok[iClose].iOff;
  for(i=iItem; rc==SQLITE_OK && i<=iClose; i++){
    if( p->aTok[i].eType==MIG_TK_LP ){
      i = migTokMatchParen(p->aTok, iClose, i);
    }else if( i==iClose || p->aTok[i].eType==MIG_TK_COMMA ){
      rc = parseItem(p, pTab, iItem, i);
      iItem = i+1;
    }
  }
  if( rc==SQLITE_OK ) rc = parseOptions(p, pTab, iClose+1);
  return rc;
}

/*
** Parse the CREATE TABLE statement zSql. On success *ppTab is a new
** MigTab (free with migTabFree) holding a copy of zSql. On a syntax error
** returns SQLITE_ERROR with *pzErr set (sqlite3_malloc'd).
*/
int migTabParse(const char *zSql, MigTab **ppTab, char **pzErr){
  MigParse s;
  MigTab *pTab = sqlite3_malloc64(sizeof(MigTab));
  int rc = SQLITE_OK;
  int iOpen;
  memset(&s, 0, sizeof(s));
  *ppTab = 0;
  if( pTab==0 ) return SQLITE_NOMEM;
  memset(pTab, 0, sizeof(*pTab));
  pTab->zSql = sqlite3_mprintf("%s", zSql);
  if( pTab->zSql==0 ) rc = SQLITE_NOMEM;
  if( rc==SQLITE_OK ) rc = migTokenize(pTab->zSql, &s.aTok, &s.nTok);
  s.zSql = pTab->zSql;
  if( rc==SQLITE_OK ){
    iOpen = parseHead(&s, pTab);
    rc = iOpen<0 ? SQLITE_ERROR : parseBody(&s, pTab, iOpen);
  }
  sqlite3_free(s.aTok);
  if( rc==SQLITE_ERROR && s.zErr==0 ) rc = SQLITE_NOMEM;
  if( rc!=SQLITE_OK ){
    migTabFree(pTab);
    if( rc==SQLITE_ERROR ){ *pzErr = s.zErr; s.zErr = 0; }
    sqlite3_free(s.zErr);
    return rc;
  }
  *ppTab = pTab;
  return SQLITE_OK;
}

/* Free the constraints aCons[0..nCons). */
static void parseConsFree(MigCons *aCons, int nCons){
  int i;
  for(i=0; i<nCons; i++) sqlite3_free(aCons[i].zName);
  sqlite3_free(aCons);
}

/* Free a MigTab and everything it owns. NULL is a no-op. */
void migTabFree(MigTab *pTab){
  int i;
  if( pTab==0 ) return;
  for(i=0; i<pTab->nCol; i++){
    sqlite3_free(pTab->aCol[i].zName);
    parseConsFree(pTab->aCol[i].aCons, pTab->aCol[i].nCons);
  }
  sqlite3_free(pTab->aCol);
  parseConsFree(pTab->aCons, pTab->nCons);
  sqlite3_free(pTab->aItem);
  sqlite3_free(pTab->zName);
  sqlite3_free(pTab->zSql);
  sqlite3_free(pTab);
}

/* Index of the column named zName (as SQLite compares names), or -1. */
int migTabFindCol(MigTab *pTab, const char *zName){
  int i;
  for(i=0; i<pTab->nCol; i++){
    if( migNameEq(pTab->aCol[i].zName, zName) ) return i;
  }
  return -1;
}

/* The first constraint of kind eKind on column pCol, or NULL. */
MigCons *migColFindCons(MigCol *pCol, int eKind){
  int i;
  for(i=0; i<pCol->nCons; i++){
    if( pCol->aCons[i].eKind==eKind ) return &pCol->aCons[i];
  }
  return 0;
}

/* The last constraint of kind eKind on column pCol, or NULL: where
** SQLite lets a clause repeat (DEFAULT, COLLATE), the last one counts. */
MigCons *migColFindLast(MigCol *pCol, int eKind){
  int i;
  for(i=pCol->nCons-1; i>=0; i--){
    if( pCol->aCons[i].eKind==eKind ) return &pCol->aCons[i];
  }
  return 0;
}

/*
** True if the column list of table constraint pCons (PRIMARY KEY,
** UNIQUE, or the child columns of a FOREIGN KEY) names column zCol.
** Each element of the list is a column name, possibly followed by
** COLLATE and ASC/DESC; only that first name counts, so a keyword used
** as a column name or the parent columns of REFERENCES never match.
*/
int migConsListHas(MigTab *pTab, MigCons *pCons, const char *zCol){
  const char *z = pTab->zSql;
  int i = pCons->iArg, bFirst = 1, bHas = 0;
  while( i<pCons->iArgEnd && !bHas ){
    int eType, n = migTokenLen(&z[i], &eType);
    if( eType==MIG_TK_COMMA ){
      bFirst = 1;
    }else if( eType!=MIG_TK_SPACE ){
      if( bFirst && migTokIsName(eType) ){
        MigToken t;
        char *zName;
        t.eType = eType;
        t.iOff = i;
        t.n = n;
        zName = migTokName(z, &t);
        bHas = zName && migNameEq(zName, zCol);
        sqlite3_free(zName);
      }
      bFirst = 0;
    }
    i += n;
  }
  return bHas;
}
