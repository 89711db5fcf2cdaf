/*
** dataloss.c: migBackupDataLoss(), which finds the statements of a
** migration that throw data away, so the runner can call them out and,
** with migrate_config('backup','auto'), take a snapshot first.
**
** It tokenises the SQL as SQLite does (strings, quoted identifiers, both
** kinds of comment), so a DROP inside a string or a comment is not a
** drop. Statements are split at ';'. What counts as data loss:
**   DROP TABLE [IF EXISTS] [schema.]t          "data loss: drops table t"
**   ALTER TABLE [schema.]t DROP [COLUMN] c     "data loss: drops column t.c"
**     (also each "DROP [COLUMN] c" of a comma-separated clause list)
**   migrate_alter_table('t', 'DROP COLUMN c', ...)   the same, per clause
** Other DROPs (views, indexes, triggers, constraints, defaults) keep the
** data and are not reported.
**
** The same check is the SQL function migrate_data_loss(sql): the report,
** or NULL when the SQL loses no data.
**   SELECT migrate_data_loss('ALTER TABLE users DROP COLUMN age');
**     -> 'data loss: drops column users.age'
*/
#include "backup_int.h"
#include <string.h>

/* Token types. */
#define MIG_TK_END    0            /* End of input */
#define MIG_TK_WORD   1            /* Keyword or bare identifier */
#define MIG_TK_ID     2            /* Quoted identifier: "x" [x] `x` */
#define MIG_TK_STR    3            /* String literal: 'x' */
#define MIG_TK_PUNCT  4            /* Any other single character */

typedef struct MigTok MigTok;
struct MigTok {
  int eType;                   /* MIG_TK_* */
  const char *z;               /* First byte (quotes included) */
  int n;                       /* Length in bytes */
};

/* Length of the comment or white space at z, or 0 if there is none. */
static int migDlSkip(const char *z){
  int i = 0;
  if( z[0]==' ' || z[0]=='\t' || z[0]=='\n' || z[0]=='\r' || z[0]=='\f' ){
    return 1;
  }
  if( z[0]=='-' && z[1]=='-' ){
    while( z[i] && z[i]!='\n' ) i++;
    return i;
  }
  if( z[0]=='/' && z[1]=='*' ){
    for(i=2; z[i] && !(z[i]=='*' && z[i+1]=='/'); i++){}
    return z[i] ? i+2 : i;
  }
  return 0;
}

/* True for a byte that may continue a bare identifier. */
static int migDlIdChar(char c){
  return (c>='a' && c<='z') || (c>='A' && c<='Z') || (c>='0' && c<='9')
      || c=='_' || c=='$' || (c & 0x80);
}

/* Read the token at *pz into pTok and advance *pz past it. */
static void migDlNext(const char **pz, MigTok *pTok){
  const char *z = *pz;
  int n;
  while( (n = migDlSkip(z))>0 ) z += n;
  pTok->z = z;
  if( z[0]==0 ){
    pTok->eType = MIG_TK_END;
    n = 0;
  }else if( z[0]=='\'' || z[0]=='"' || z[0]=='`' || z[0]=='[' ){
    char cEnd = z[0]=='[' ? ']' : z[0];
    for(n=1; z[n]; n++){
      if( z[n]!=cEnd ) continue;
      if( cEnd!=']' && z[n+1]==cEnd ){ n++; continue; }
      break;
    }
    if( z[n] ) n++;
    pTok->eType = z[0]=='\'' ? MIG_TK_STR : MIG_TK_ID;
  }else if( migDlIdChar(z[0]) ){
    for(n=1; migDlIdChar(z[n]); n++){}
    pTok->eType = MIG_TK_WORD;
  }else{
    n = 1;
    pTok->eType = MIG_TK_PUNCT;
  }
  pTok->n = n;
  *pz = z + n;
}

/* True if pTok is the keyword zKw (any case). */
static int migDlIs(const MigTok *pTok, const char *zKw){
  return pTok->eType==MIG_TK_WORD && (int)strlen(zKw)==pTok->n
      && sqlite3_strnicmp(pTok->z, zKw, pTok->n)==0;
}

/* True if pTok is the punctuation character c. */
static int migDlPunct(const MigTok *pTok, char c){
  return pTok->eType==MIG_TK_PUNCT && pTok->z[0]==c;
}

/* The name pTok stands for, dequoted; sqlite3_malloc'd. */
static char *migDlName(const MigTok *pTok){
  char *zOut;
  int i, j = 0;
  if( pTok->eType==MIG_TK_WORD ){
    return sqlite3_mprintf("%.*s", pTok->n, pTok->z);
  }
  zOut = sqlite3_malloc64(pTok->n+1);
  if( zOut==0 ) return 0;
  for(i=1; i<pTok->n; i++){
    char c = pTok->z[i];
    if( c==pTok->z[0] && pTok->z[0]!='[' && i+1<pTok->n ){ i++; }
    else if( i==pTok->n-1 && (c==pTok->z[0] || c==']') ) break;
    zOut[j++] = c;
  }
  zOut[j] = 0;
  return zOut;
}

/* True if pTok can be a name. */
static int migDlIsName(const MigTok *pTok){
  return pTok->eType==MIG_TK_WORD || pTok->eType==MIG_TK_ID
      || pTok->eType==MIG_TK_STR;
}

/*
** Read "[schema.]name" starting with token *pTok; leaves in *pTok the
** token after it. Returns the name (sqlite3_malloc'd) or NULL.
*/
static char *migDlQualified(const char **pz, MigTok *pTok){
  MigTok t = *pTok;
  const char *zSave;
  if( !migDlIsName(&t) ) return 0;
  migDlNext(pz, pTok);
  if( migDlPunct(pTok, '.') ){
    zSave = *pz;
    migDlNext(pz, pTok);
    if( !migDlIsName(pTok) ){ *pz = zSave; return migDlName(&t); }
    t = *pTok;
    migDlNext(pz, pTok);
  }
  return migDlName(&t);
}

/* Where the report goes, and whether a line may be missing from it. */
typedef struct MigDlOut MigDlOut;
struct MigDlOut {
  sqlite3_str *pStr;           /* Report lines */
  int bNoMem;                  /* An allocation failed: report incomplete */
};

/*
** Scan a clause list "c1, c2, ..." (the rest of an ALTER TABLE, or one
** migrate_alter_table() argument) for DROP [COLUMN] x clauses of table
** zTab, appending a report line for each to pOut. Stops at ';' or the
** end. *pz is left after the last token read.
*/
static void migDlClauses(const char **pz, const char *zTab, MigDlOut *pOut){
  MigTok t;
  int bStart = 1, nDepth = 0;
  for(migDlNext(pz, &t); t.eType!=MIG_TK_END; migDlNext(pz, &t)){
    if( nDepth==0 && migDlPunct(&t, ';') ) return;
    if( migDlPunct(&t, '(') ) nDepth++;
    if( migDlPunct(&t, ')') && nDepth>0 ) nDepth--;
    if( bStart && migDlIs(&t, "DROP") ){
      migDlNext(pz, &t);
      if( migDlIs(&t, "COLUMN") ) migDlNext(pz, &t);
      if( migDlIsName(&t) && !migDlIs(&t, "CONSTRAINT")
       && !migDlIs(&t, "DEFAULT") && !migDlIs(&t, "NOT")
       && !migDlIs(&t, "IDENTITY") && !migDlIs(&t, "EXPRESSION") ){
        char *zCol = migDlName(&t);
        if( zCol==0 ) pOut->bNoMem = 1;
        sqlite3_str_appendf(pOut->pStr, "data loss: drops column %s.%s\n",
                            zTab, zCol ? zCol : "?");
        sqlite3_free(zCol);
      }
    }
    bStart = (nDepth==0 && migDlPunct(&t, ','));
  }
}

/* migrate_alter_table('t', 'clause', ...): the tokens after its name. */
static void migDlAlterCall(const char **pz, MigDlOut *pOut){
  MigTok t;
  char *zTab = 0;
  migDlNext(pz, &t);
  if( !migDlPunct(&t, '(') ) return;
  migDlNext(pz, &t);
  if( t.eType!=MIG_TK_STR ) return;
  zTab = migDlName(&t);
  if( zTab==0 ) pOut->bNoMem = 1;
  for(migDlNext(pz, &t); zTab && migDlPunct(&t, ','); migDlNext(pz, &t)){
    migDlNext(pz, &t);
    if( t.eType==MIG_TK_STR ){
      char *zClause = migDlName(&t);
      const char *zc = zClause;
      if( zClause ) migDlClauses(&zc, zTab, pOut);
      else pOut->bNoMem = 1;
      sqlite3_free(zClause);
    }
  }
  sqlite3_free(zTab);
}

/* Examine one statement, whose first token is t; report into pOut. */
static void migDlStatement(const char **pz, MigTok t, MigDlOut *pOut){
  char *zName = 0;
  int bName = 0;             /* A name was there: NULL zName is no memory */
  if( migDlIs(&t, "DROP") ){
    migDlNext(pz, &t);
    if( !migDlIs(&t, "TABLE") ) return;
    migDlNext(pz, &t);
    if( migDlIs(&t, "IF") ){ migDlNext(pz, &t); migDlNext(pz, &t); }
    bName = migDlIsName(&t);
    zName = migDlQualified(pz, &t);
    if( zName ){
      sqlite3_str_appendf(pOut->pStr, "data loss: drops table %s\n", zName);
    }
  }else if( migDlIs(&t, "ALTER") ){
    migDlNext(pz, &t);
    if( !migDlIs(&t, "TABLE") ) return;
    migDlNext(pz, &t);
    bName = migDlIsName(&t);
    zName = migDlQualified(pz, &t);
    if( zName ){
      *pz = t.z;                           /* Rescan from that token */
      migDlClauses(pz, zName, pOut);
    }
  }
  if( bName && zName==0 ) pOut->bNoMem = 1;
  sqlite3_free(zName);
}

/* Report the data loss of the one statement of n bytes at zStmt. */
static void migDlOne(const char *zStmt, int n, MigDlOut *pOut){
  char *zCopy = sqlite3_mprintf("%.*s", n, zStmt);
  const char *z = zCopy;
  MigTok t;
  if( zCopy==0 ){
    pOut->bNoMem = 1;
    return;
  }
  migDlNext(&z, &t);
  migDlStatement(&z, t, pOut);
  z = zCopy;
  for(migDlNext(&z, &t); t.eType!=MIG_TK_END; migDlNext(&z, &t)){
    if( migDlIs(&t, "migrate_alter_table") ) migDlAlterCall(&z, pOut);
  }
  sqlite3_free(zCopy);
}

int migBackupDataLoss(const char *zSql, char **pzReport){
  MigDlOut out;
  const char *z = zSql ? zSql : "";
  const char *zStmt = z;
  MigTok t;
  char *zReport;
  *pzReport = 0;
  out.pStr = sqlite3_str_new(0);
  out.bNoMem = 0;
  for(migDlNext(&z, &t); 1; migDlNext(&z, &t)){
    if( t.eType==MIG_TK_END || migDlPunct(&t, ';') ){
      migDlOne(zStmt, (int)(t.z - zStmt), &out);
      if( t.eType==MIG_TK_END ) break;
      zStmt = z;
    }
  }
  if( out.bNoMem || sqlite3_str_errcode(out.pStr) ){
    sqlite3_free(sqlite3_str_finish(out.pStr));
    return 1;                                  /* Out of memory */
  }
  if( sqlite3_str_length(out.pStr)==0 ){
    sqlite3_free(sqlite3_str_finish(out.pStr));
    return 0;
  }
  zReport = sqlite3_str_finish(out.pStr);
  if( zReport==0 ) return 1;
  zReport[strlen(zReport)-1] = 0;              /* The last newline */
  *pzReport = zReport;
  return 1;
}

/* migrate_data_loss(sql) -> the report lines, or NULL. */
void migDataLossFunc(sqlite3_context *ctx, int argc, sqlite3_value **argv){
  const char *zSql = (const char*)sqlite3_value_text(argv[0]);
  char *zReport = 0;
  UNUSED(argc);
  if( zSql==0 && sqlite3_value_type(argv[0])!=SQLITE_NULL ){
    sqlite3_result_error_nomem(ctx);
  }else if( zSql && migBackupDataLoss(zSql, &zReport) ){
    if( zReport ) sqlite3_result_text(ctx, zReport, -1, sqlite3_free);
    else sqlite3_result_error_nomem(ctx);
  }
}
