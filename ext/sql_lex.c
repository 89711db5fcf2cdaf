/*
** sql_lex.c: the extension's SQL tokenizer, which keeps byte offsets,
** and migStmtEnd(), where a statement ends.
**
** Every module that reads SQL text goes through here (sql_int.h): the
** statement splitter, the data-loss scan, ALTER routing and the alter
** engine, which never reflects a table through PRAGMAs when it can read
** the table's own CREATE TABLE text: it cuts that text into tokens with
** migTokenize() (comments and whitespace dropped, every token
** remembering where it lies), then edits the text by those offsets, so
** whatever a request does not touch stays byte-for-byte as written.
**
** Token rules follow SQLite's tokenizer: identifiers in "double",
** `back` and [bracket] quotes, 'strings' with '' escapes, x'blobs',
** numbers (decimal, real, hex), -- and C comments, variables, and the
** one-, two- and three-character operators. Bytes >= 0x80 are identifier
** characters, so unicode names are single tokens.
*/
#include "sql_int.h"
#include <string.h>

/* True if c may appear in a bare identifier. */
static int lexIsIdChar(unsigned char c){
  return (c>='a' && c<='z') || (c>='A' && c<='Z') || (c>='0' && c<='9')
      || c=='_' || c=='$' || c>=0x80;
}

static int lexIsDigit(unsigned char c){ return c>='0' && c<='9'; }

static int lexIsSpace(unsigned char c){
  return c==' ' || c=='\t' || c=='\n' || c=='\r' || c=='\f' || c=='\v';
}

/* Length of a quoted token starting at z whose closing quote is cEnd;
** a doubled closing quote is an escape. Sets *peType to ILLEGAL when the
** quote is not closed. */
static int lexQuotedLen(const char *z, char cEnd, int *peType){
  int i;
  for(i=1; z[i]; i++){
    if( z[i]==cEnd ){
      if( cEnd!=']' && z[i+1]==cEnd ){ i++; continue; }
      return i+1;
    }
  }
  *peType = MIG_TK_ILLEGAL;
  return i;
}

/* Length of the number starting at z (a digit, or '.' then a digit). */
static int lexNumberLen(const char *z){
  const unsigned char *u = (const unsigned char*)z;
  int i = 0;
  if( u[0]=='0' && (u[1]=='x' || u[1]=='X') ){
    for(i=2; lexIsIdChar(u[i]); i++){}
    return i;
  }
  while( lexIsDigit(u[i]) || u[i]=='_' ) i++;
  if( u[i]=='.' ){
    i++;
    while( lexIsDigit(u[i]) || u[i]=='_' ) i++;
  }
  if( (u[i]=='e' || u[i]=='E') && (lexIsDigit(u[i+1])
      || ((u[i+1]=='+' || u[i+1]=='-') && lexIsDigit(u[i+2]))) ){
    i += 2;
    while( lexIsDigit(u[i]) ) i++;
  }
  return i;
}

/* Length of the operator at z: the longest of SQLite's operators. */
static int lexOperatorLen(const char *z){
  static const char *azOp[] = {
    "->>", "||", "<=", ">=", "<>", "!=", "==", "<<", ">>", "->"
  };
  size_t k;
  for(k=0; k<sizeof(azOp)/sizeof(azOp[0]); k++){
    size_t n = strlen(azOp[k]);
    if( strncmp(z, azOp[k], n)==0 ) return (int)n;
  }
  return 1;
}

/* Length of whitespace or one comment at z, or 0 if there is none. */
static int lexSpaceLen(const char *z){
  int i = 0;
  if( lexIsSpace((unsigned char)z[0]) ){
    while( lexIsSpace((unsigned char)z[i]) ) i++;
    return i;
  }
  if( z[0]=='-' && z[1]=='-' ){
    for(i=2; z[i] && z[i]!='\n'; i++){}
    return z[i] ? i+1 : i;
  }
  if( z[0]=='/' && z[1]=='*' ){
    for(i=2; z[i] && !(z[i]=='*' && z[i+1]=='/'); i++){}
    return z[i] ? i+2 : i;
  }
  return 0;
}

/*
** Return the length of the token at z (z[0] must not be 0) and set
** *peType to its MIG_TK_* type.
*/
int migTokenLen(const char *z, int *peType){
  const unsigned char *u = (const unsigned char*)z;
  int n = lexSpaceLen(z);
  if( n>0 ){ *peType = MIG_TK_SPACE; return n; }
  switch( u[0] ){
    case '"': case '`': *peType = MIG_TK_QID;
      return lexQuotedLen(z, z[0], peType);
    case '[': *peType = MIG_TK_QID; return lexQuotedLen(z, ']', peType);
    case '\'': *peType = MIG_TK_STRING; return lexQuotedLen(z, '\'', peType);
    case '(': *peType = MIG_TK_LP; return 1;
    case ')': *peType = MIG_TK_RP; return 1;
    case ',': *peType = MIG_TK_COMMA; return 1;
    case ';': *peType = MIG_TK_SEMI; return 1;
    case '?': *peType = MIG_TK_VAR;
      for(n=1; lexIsDigit(u[n]); n++){}
      return n;
    case ':': case '@': case '$': *peType = MIG_TK_VAR;
      for(n=1; lexIsIdChar(u[n]); n++){}
      return n;
  }
  if( (u[0]=='x' || u[0]=='X') && u[1]=='\'' ){
    *peType = MIG_TK_BLOB;
    return 1+lexQuotedLen(z+1, '\'', peType);
  }
  if( lexIsDigit(u[0]) || (u[0]=='.' && lexIsDigit(u[1])) ){
    *peType = MIG_TK_NUMBER;
    return lexNumberLen(z);
  }
  if( u[0]=='.' ){ *peType = MIG_TK_DOT; return 1; }
  if( lexIsIdChar(u[0]) ){
    for(n=1; lexIsIdChar(u[n]); n++){}
    *peType = MIG_TK_ID;
    return n;
  }
  *peType = MIG_TK_OP;
  return lexOperatorLen(z);
}

/*
** Cut zSql into tokens, dropping whitespace and comments. On success
** *paTok (sqlite3_malloc'd, caller frees) holds *pnTok tokens. Returns
** SQLITE_OK or SQLITE_NOMEM.
*/
int migTokenize(const char *zSql, MigToken **paTok, int *pnTok){
  MigToken *aTok = 0;
  int nTok = 0, nAlloc = 0, i = 0;
  while( zSql[i] ){
    int eType;
    int n = migTokenLen(&zSql[i], &eType);
    if( eType!=MIG_TK_SPACE ){
      if( nTok>=nAlloc ){
        MigToken *aNew;
        nAlloc = nAlloc ? nAlloc*2 : 32;
        aNew = sqlite3_realloc64(aTok, nAlloc*sizeof(MigToken));
        if( aNew==0 ){ sqlite3_free(aTok); return SQLITE_NOMEM; }
        aTok = aNew;
      }
      aTok[nTok].eType = eType;
      aTok[nTok].iOff = i;
      aTok[nTok].n = n;
      nTok++;
    }
    i += n;
  }
  *paTok = aTok;
  *pnTok = nTok;
  return SQLITE_OK;
}

/* True if pTok is the bare word zWord (ASCII case-insensitive). */
int migTokIsWord(const char *zSql, const MigToken *pTok, const char *zWord){
  int n = (int)strlen(zWord);
  return pTok->eType==MIG_TK_ID && pTok->n==n
      && sqlite3_strnicmp(&zSql[pTok->iOff], zWord, n)==0;
}

/* True if a token of type eType can name a column, table or constraint. */
int migTokIsName(int eType){
  return eType==MIG_TK_ID || eType==MIG_TK_QID || eType==MIG_TK_STRING;
}

/*
** The name a token stands for, quotes removed and doubled quotes undone
** (sqlite3_malloc'd; NULL on OOM).
*/
char *migTokName(const char *zSql, const MigToken *pTok){
  const char *z = &zSql[pTok->iOff];
  char *zOut;
  int i, j = 0;
  if( pTok->eType!=MIG_TK_QID && pTok->eType!=MIG_TK_STRING ){
    return sqlite3_mprintf("%.*s", pTok->n, z);
  }
  zOut = sqlite3_malloc64(pTok->n+1);
  if( zOut==0 ) return 0;
  for(i=1; i<pTok->n-1; i++){
    zOut[j++] = z[i];
    if( z[0]!='[' && z[i]==z[0] ) i++;
  }
  zOut[j] = 0;
  return zOut;
}

/*
** aTok[i] is "(": return the index of its matching ")", or nTok if the
** parentheses are not balanced.
*/
int migTokMatchParen(const MigToken *aTok, int nTok, int i){
  int nDepth = 0;
  for(; i<nTok; i++){
    if( aTok[i].eType==MIG_TK_LP ) nDepth++;
    if( aTok[i].eType==MIG_TK_RP && --nDepth==0 ) return i;
  }
  return nTok;
}

/* True if two tokens are the same, names compared as SQLite does. */
static int lexTokSame(const char *zA, const MigToken *pA,
                      const char *zB, const MigToken *pB){
  int bName = (pA->eType==MIG_TK_ID || pA->eType==MIG_TK_QID)
           && (pB->eType==MIG_TK_ID || pB->eType==MIG_TK_QID);
  if( bName ){
    char *a = migTokName(zA, pA);
    char *b = migTokName(zB, pB);
    int bSame = a && b && sqlite3_stricmp(a, b)==0;
    sqlite3_free(a);
    sqlite3_free(b);
    return bSame;
  }
  return pA->eType==pB->eType && pA->n==pB->n
      && memcmp(&zA[pA->iOff], &zB[pB->iOff], pA->n)==0;
}

/*
** True if zA and zB are the same SQL text token for token: whitespace,
** comments and identifier quoting and case do not matter. Used to find
** an unnamed CHECK by what it says.
*/
int migTokSameText(const char *zA, const char *zB){
  MigToken *aA = 0, *aB = 0;
  int nA = 0, nB = 0, i, bSame = 0;
  if( migTokenize(zA, &aA, &nA)==SQLITE_OK
   && migTokenize(zB, &aB, &nB)==SQLITE_OK && nA==nB ){
    bSame = 1;
    for(i=0; i<nA && bSame; i++) bSame = lexTokSame(zA, &aA[i], zB, &aB[i]);
  }
  sqlite3_free(aA);
  sqlite3_free(aB);
  return bSame;
}

/*
** True if the text zSql[iStart..iEnd) mentions the name zName as an
** identifier (bare or quoted, any case).
*/
int migTokUsesName(const char *zSql, int iStart, int iEnd, const char *zName){
  char *zPart = sqlite3_mprintf("%.*s", iEnd-iStart, &zSql[iStart]);
  MigToken *aTok = 0;
  int nTok = 0, i, bUses = 0;
  if( zPart && migTokenize(zPart, &aTok, &nTok)==SQLITE_OK ){
    for(i=0; i<nTok && !bUses; i++){
      if( aTok[i].eType==MIG_TK_ID || aTok[i].eType==MIG_TK_QID ){
        char *z = migTokName(zPart, &aTok[i]);
        bUses = z && sqlite3_stricmp(z, zName)==0;
        sqlite3_free(z);
      }
    }
  }
  sqlite3_free(aTok);
  sqlite3_free(zPart);
  return bUses;
}

/* True if the token of n bytes at z is the bare word zWord. */
static int lexIsWordAt(const char *z, int n, int eType, const char *zWord){
  return eType==MIG_TK_ID && n==(int)strlen(zWord)
      && sqlite3_strnicmp(z, zWord, n)==0;
}

/*
** The offset just past the ";" that ends the first statement of zSql,
** or the length of zSql when no ";" does. A ";" inside a string, a
** quoted name or a comment ends nothing; in CREATE [TEMP] TRIGGER, the
** ";"s of the body end nothing either: the statement ends at the ";"
** after an END that follows a ";" (the rule of sqlite3_complete()).
*/
int migStmtEnd(const char *zSql){
  int i = 0, eHead = 0, bTrigger = 0;
  int ePrev = 0;                   /* Type of the last significant token */
  int bEnd = 0;                    /* It was an END right after a ";" */
  while( zSql[i] ){
    int eType, n = migTokenLen(&zSql[i], &eType);
    const char *z = &zSql[i];
    i += n;
    if( eType==MIG_TK_SPACE ) continue;
    if( eHead==0 ){                /* First word: CREATE? */
      eHead = lexIsWordAt(z, n, eType, "CREATE") ? 1 : 2;
    }else if( eHead==1 && !lexIsWordAt(z, n, eType, "TEMP")
           && !lexIsWordAt(z, n, eType, "TEMPORARY") ){
      bTrigger = lexIsWordAt(z, n, eType, "TRIGGER");
      eHead = 2;
    }
    if( eType==MIG_TK_SEMI && (!bTrigger || bEnd) ) return i;
    bEnd = ePrev==MIG_TK_SEMI && lexIsWordAt(z, n, eType, "END");
    ePrev = eType;
  }
  return i;
}
