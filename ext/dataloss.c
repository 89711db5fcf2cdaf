/*
** dataloss.c: migBackupDataLoss(), which finds the statements of a
** migration that throw data away, so the runner can call them out and,
** with migrate_config('backup','auto'), take a snapshot first.
**
** It reads the SQL with the extension's own lexer and ALTER clause
** grammar (sql_int.h), the ones the splitter, the runner and the alter
** engine use: a DROP inside a string or a comment is not a drop, a
** trigger body is one statement, and a clause means here what it means
** to the engine (DROP CHECK (...) drops a constraint, DROP COLUMN IF
** EXISTS c drops c). What counts as data loss:
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
#include "sql_int.h"
#include <string.h>

/* Where the report goes, and whether a line may be missing from it. */
typedef struct MigDlOut MigDlOut;
struct MigDlOut {
  sqlite3_str *pStr;           /* Report lines */
  int bNoMem;                  /* An allocation failed: report incomplete */
};

/* Report the DROP COLUMN clauses of zClause, a clause list of table
** zTab (a syntax error ends the list: what came before still counts). */
static void dlClauses(const char *zClause, const char *zTab,
                      MigDlOut *pOut){
  MigOp *aOp = 0;
  char *zErr = 0;
  int i, nOp = 0;
  if( migClauseParse(zClause, &aOp, &nOp, &zErr)==SQLITE_NOMEM ){
    pOut->bNoMem = 1;
  }
  for(i=0; i<nOp; i++){
    if( aOp[i].eOp==MIG_OP_DROP_COLUMN && aOp[i].zCol ){
      sqlite3_str_appendf(pOut->pStr, "data loss: drops column %s.%s\n",
                          zTab, aOp[i].zCol);
    }
  }
  sqlite3_free(zErr);
  migOpFree(aOp, nOp);
}

/* The token after aTok[i]'s "[schema.]name", the name in *pz (NULL if
** there is none; *pbNoMem on OOM). */
static int dlName(const char *z, MigToken *aTok, int nTok, int i,
                  char **pz, int *pbNoMem){
  *pz = 0;
  if( i<nTok && migTokIsName(aTok[i].eType) ){
    if( i+2<nTok && aTok[i+1].eType==MIG_TK_DOT
     && migTokIsName(aTok[i+2].eType) ){
      i += 2;
    }
    *pz = migTokName(z, &aTok[i]);
    if( *pz==0 ) *pbNoMem = 1;
    i++;
  }
  return i;
}

/* migrate_alter_table('t', 'clause', ...) at token i of z. */
static void dlAlterCall(const char *z, MigToken *aTok, int nTok, int i,
                        MigDlOut *pOut){
  char *zTab;
  if( i+2>=nTok || aTok[i+1].eType!=MIG_TK_LP
   || aTok[i+2].eType!=MIG_TK_STRING ) return;
  zTab = migTokName(z, &aTok[i+2]);
  if( zTab==0 ){ pOut->bNoMem = 1; return; }
  for(i+=3; i+1<nTok && aTok[i].eType==MIG_TK_COMMA; i+=2){
    if( aTok[i+1].eType==MIG_TK_STRING ){
      char *zClause = migTokName(z, &aTok[i+1]);
      if( zClause ) dlClauses(zClause, zTab, pOut);
      else pOut->bNoMem = 1;
      sqlite3_free(zClause);
    }
  }
  sqlite3_free(zTab);
}

/* Report the data loss of one statement z (its own copy). */
static void dlStatement(const char *z, MigDlOut *pOut){
  MigToken *aTok = 0;
  int nTok = 0, i;
  char *zSchema = 0, *zName = 0;
  if( migTokenize(z, &aTok, &nTok)!=SQLITE_OK ){ pOut->bNoMem = 1; return; }
  if( nTok>=3 && migTokIsWord(z, &aTok[0], "DROP")
   && migTokIsWord(z, &aTok[1], "TABLE") ){
    i = 2;
    if( migTokIsWord(z, &aTok[i], "IF") ) i += 2;
    dlName(z, aTok, nTok, i, &zName, &pOut->bNoMem);
    if( zName ){
      sqlite3_str_appendf(pOut->pStr, "data loss: drops table %s\n", zName);
    }
  }else{
    int iClause = migAlterHead(z, aTok, nTok, &zSchema, &zName);
    if( iClause>=0 ) dlClauses(&z[iClause], zName, pOut);
    if( iClause==-2 ) pOut->bNoMem = 1;
  }
  for(i=0; i<nTok; i++){
    if( migTokIsWord(z, &aTok[i], "migrate_alter_table") ){
      dlAlterCall(z, aTok, nTok, i, pOut);
    }
  }
  sqlite3_free(zSchema);
  sqlite3_free(zName);
  sqlite3_free(aTok);
}

int migBackupDataLoss(const char *zSql, char **pzReport){
  MigDlOut out;
  const char *z = zSql ? zSql : "";
  char *zReport;
  *pzReport = 0;
  out.pStr = sqlite3_str_new(0);
  out.bNoMem = 0;
  while( *z ){
    int n = migStmtEnd(z);
    char *zStmt = sqlite3_mprintf("%.*s", n, z);
    if( zStmt ) dlStatement(zStmt, &out);
    else out.bNoMem = 1;
    sqlite3_free(zStmt);
    z += n;
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
