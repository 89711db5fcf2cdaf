/*
** sql_clause.c: the extension's one ALTER TABLE clause grammar:
** PostgreSQL-style clauses as MigOp values (sql_int.h), used by the
** alter engine, ALTER routing and the data-loss scan alike.
**
** migClauseParse() reads one clause string, or several separated by
** commas at the top level as PostgreSQL writes them in one ALTER TABLE
** ("ADD COLUMN a INT, ALTER COLUMN b SET NOT NULL"), and appends one
** MigOp per clause. The grammar (COLUMN is optional wherever
** PostgreSQL makes it so):
**
**   ADD [COLUMN] [IF NOT EXISTS] column-def
**   ADD [CONSTRAINT name] CHECK (expr) | UNIQUE (cols) | PRIMARY KEY (cols)
**       | FOREIGN KEY (cols) REFERENCES table [(cols)] [actions]
**   DROP [COLUMN] [IF EXISTS] name [RESTRICT|CASCADE]
**   DROP CONSTRAINT [IF EXISTS] name [RESTRICT|CASCADE]
**   DROP CHECK (expr)        an unnamed CHECK, found by what it says
**   RENAME [COLUMN] old TO new
**   RENAME TO new-table-name
**   ALTER [COLUMN] c [SET DATA] TYPE type [USING expr]
**   ALTER [COLUMN] c SET NOT NULL | DROP NOT NULL
**   ALTER [COLUMN] c SET DEFAULT expr | DROP DEFAULT
**   MOVE [COLUMN] c FIRST | MOVE [COLUMN] c AFTER other
**
** migRouteNative() tells whether a clause is one SQLite's own ALTER
** TABLE runs as it is; migAlterHead() reads "ALTER TABLE [schema.]name"
** at the start of a statement; migAlterRoute() uses both to pick out the
** ALTER TABLE statements of a migration that go to the alter engine (it
** lives here, not in alter.c, so that the engine alone links without
** the alter module).
*/
#include "sql_int.h"
#include <string.h>

/* Parser state for one clause. */
typedef struct MigClause MigClause;
struct MigClause {
  const char *z;               /* The clause text */
  MigToken *aTok;              /* Tokens of one comma-separated part */
  int nTok;                    /* Number of tokens in aTok */
  int i;                       /* Next token */
  char *zErr;                  /* Error message */
};

/* True, and advance, if the next token is the word zWord. */
static int clauseEat(MigClause *c, const char *zWord){
  if( c->i<c->nTok && migTokIsWord(c->z, &c->aTok[c->i], zWord) ){
    c->i++;
    return 1;
  }
  return 0;
}

/* Record a syntax error at the next token; returns SQLITE_ERROR. */
static int clauseError(MigClause *c){
  if( c->zErr==0 ){
    const char *zPart = c->nTok ? &c->z[c->aTok[0].iOff] : "";
    int nPart = c->nTok ? c->aTok[c->nTok-1].iOff + c->aTok[c->nTok-1].n
                          - c->aTok[0].iOff : 0;
    if( c->i<c->nTok ){
      c->zErr = sqlite3_mprintf("near \"%.*s\": syntax error in clause: %.*s",
          c->aTok[c->i].n, &c->z[c->aTok[c->i].iOff], nPart, zPart);
    }else{
      c->zErr = sqlite3_mprintf("incomplete clause: %.*s", nPart, zPart);
    }
  }
  return SQLITE_ERROR;
}

/* Read a name token into *pz (dequoted, sqlite3_malloc'd). */
static int clauseEatName(MigClause *c, char **pz){
  if( c->i>=c->nTok || !migTokIsName(c->aTok[c->i].eType) ){
    return clauseError(c);
  }
  *pz = migTokName(c->z, &c->aTok[c->i++]);
  return *pz ? SQLITE_OK : SQLITE_NOMEM;
}

/* Copy the text of tokens [iFrom, iTo) into *pz; empty is an error. */
static int clauseTextOf(MigClause *c, int iFrom, int iTo, char **pz){
  int iStart, iEnd;
  if( iFrom>=iTo ) return clauseError(c);
  iStart = c->aTok[iFrom].iOff;
  iEnd = c->aTok[iTo-1].iOff + c->aTok[iTo-1].n;
  *pz = sqlite3_mprintf("%.*s", iEnd-iStart, &c->z[iStart]);
  return *pz ? SQLITE_OK : SQLITE_NOMEM;
}

/* The rest of the clause from the next token: *pz. */
static int clauseRest(MigClause *c, char **pz){
  int rc = clauseTextOf(c, c->i, c->nTok, pz);
  c->i = c->nTok;
  return rc;
}

/* Expect the end of the clause, allowing PostgreSQL's RESTRICT or
** CASCADE (which change nothing here: SQLite has no dependent objects
** that a DROP would remove). */
static int clauseEnd(MigClause *c){
  if( !clauseEat(c, "RESTRICT") ) clauseEat(c, "CASCADE");
  return c->i==c->nTok ? SQLITE_OK : clauseError(c);
}

/* True if the next token starts a table constraint. */
static int clauseAtConstraint(MigClause *c){
  static const char *az[] = {"CONSTRAINT","CHECK","UNIQUE","PRIMARY","FOREIGN"};
  size_t k;
  if( c->i>=c->nTok ) return 0;
  for(k=0; k<sizeof(az)/sizeof(az[0]); k++){
    if( migTokIsWord(c->z, &c->aTok[c->i], az[k]) ) return 1;
  }
  return 0;
}

/* ADD ... */
static int clauseParseAdd(MigClause *c, MigOp *pOp){
  if( clauseAtConstraint(c) ){
    pOp->eOp = MIG_OP_ADD_CONS;
    if( c->i+1<c->nTok && migTokIsWord(c->z, &c->aTok[c->i], "CONSTRAINT") ){
      pOp->zCol = migTokName(c->z, &c->aTok[c->i+1]);
      if( pOp->zCol==0 ) return SQLITE_NOMEM;
    }
    return clauseRest(c, &pOp->zArg);
  }
  pOp->eOp = MIG_OP_ADD_COLUMN;
  clauseEat(c, "COLUMN");
  if( clauseEat(c, "IF") ){
    if( !clauseEat(c, "NOT") || !clauseEat(c, "EXISTS") ) return clauseError(c);
    pOp->bIf = 1;
  }
  if( c->i>=c->nTok || !migTokIsName(c->aTok[c->i].eType) ){
    return clauseError(c);
  }
  pOp->zCol = migTokName(c->z, &c->aTok[c->i]);
  if( pOp->zCol==0 ) return SQLITE_NOMEM;
  return clauseRest(c, &pOp->zArg);
}

/* DROP ... */
static int clauseParseDrop(MigClause *c, MigOp *pOp){
  int rc;
  if( clauseEat(c, "CHECK") ){
    int j;
    pOp->eOp = MIG_OP_DROP_CHECK;
    if( c->i>=c->nTok || c->aTok[c->i].eType!=MIG_TK_LP ){
      return clauseError(c);
    }
    j = migTokMatchParen(c->aTok, c->nTok, c->i);
    if( j!=c->nTok-1 ){ c->i = j; return clauseError(c); }
    rc = clauseTextOf(c, c->i+1, j, &pOp->zArg);
    c->i = c->nTok;
    return rc;
  }
  pOp->eOp = clauseEat(c, "CONSTRAINT") ? MIG_OP_DROP_CONS : MIG_OP_DROP_COLUMN;
  if( pOp->eOp==MIG_OP_DROP_COLUMN ) clauseEat(c, "COLUMN");
  if( clauseEat(c, "IF") ){
    if( !clauseEat(c, "EXISTS") ) return clauseError(c);
    pOp->bIf = 1;
  }
  rc = clauseEatName(c, pOp->eOp==MIG_OP_DROP_CONS ? &pOp->zArg : &pOp->zCol);
  if( rc==SQLITE_OK ) rc = clauseEnd(c);
  return rc;
}

/* RENAME [COLUMN] a TO b | RENAME TO t */
static int clauseParseRename(MigClause *c, MigOp *pOp){
  int rc;
  if( clauseEat(c, "TO") ){
    pOp->eOp = MIG_OP_RENAME_TABLE;
    rc = clauseEatName(c, &pOp->zArg);
  }else{
    pOp->eOp = MIG_OP_RENAME_COLUMN;
    clauseEat(c, "COLUMN");
    rc = clauseEatName(c, &pOp->zCol);
    if( rc==SQLITE_OK && !clauseEat(c, "TO") ) rc = clauseError(c);
    if( rc==SQLITE_OK && c->i<c->nTok ){
      rc = clauseTextOf(c, c->i, c->i+1, &pOp->zRaw);
    }
    if( rc==SQLITE_OK ) rc = clauseEatName(c, &pOp->zArg);
  }
  if( rc==SQLITE_OK ) rc = clauseEnd(c);
  return rc;
}

/* TYPE t [USING e], after TYPE. */
static int clauseParseType(MigClause *c, MigOp *pOp){
  int j, rc;
  pOp->eOp = MIG_OP_TYPE;
  for(j=c->i; j<c->nTok; j++){
    if( c->aTok[j].eType==MIG_TK_LP ) j = migTokMatchParen(c->aTok, c->nTok, j);
    if( j<c->nTok && migTokIsWord(c->z, &c->aTok[j], "USING") ) break;
  }
  if( j>c->nTok ) j = c->nTok;
  rc = clauseTextOf(c, c->i, j, &pOp->zArg);
  c->i = j;
  if( rc==SQLITE_OK && clauseEat(c, "USING") ) rc = clauseRest(c, &pOp->zUsing);
  return rc;
}

/* ALTER [COLUMN] c ... */
static int clauseParseAlter(MigClause *c, MigOp *pOp){
  int rc;
  clauseEat(c, "COLUMN");
  rc = clauseEatName(c, &pOp->zCol);
  if( rc!=SQLITE_OK ) return rc;
  if( clauseEat(c, "TYPE") ) return clauseParseType(c, pOp);
  if( clauseEat(c, "SET") ){
    if( clauseEat(c, "DATA") ){
      if( !clauseEat(c, "TYPE") ) return clauseError(c);
      return clauseParseType(c, pOp);
    }
    if( clauseEat(c, "DEFAULT") ){
      pOp->eOp = MIG_OP_SET_DEFAULT;
      return clauseRest(c, &pOp->zArg);
    }
    if( clauseEat(c, "NOT") && clauseEat(c, "NULL") ){
      pOp->eOp = MIG_OP_SET_NOT_NULL;
      return clauseEnd(c);
    }
  }else if( clauseEat(c, "DROP") ){
    if( clauseEat(c, "DEFAULT") ){
      pOp->eOp = MIG_OP_DROP_DEFAULT;
      return clauseEnd(c);
    }
    if( clauseEat(c, "NOT") && clauseEat(c, "NULL") ){
      pOp->eOp = MIG_OP_DROP_NOT_NULL;
      return clauseEnd(c);
    }
  }
  return clauseError(c);
}

/* MOVE [COLUMN] c FIRST | AFTER d */
static int clauseParseMove(MigClause *c, MigOp *pOp){
  int rc;
  pOp->eOp = MIG_OP_MOVE;
  clauseEat(c, "COLUMN");
  rc = clauseEatName(c, &pOp->zCol);
  if( rc==SQLITE_OK ){
    if( clauseEat(c, "AFTER") ){
      rc = clauseEatName(c, &pOp->zArg);
    }else if( !clauseEat(c, "FIRST") ){
      rc = clauseError(c);
    }
  }
  if( rc==SQLITE_OK ) rc = clauseEnd(c);
  return rc;
}

/* Parse the clause in c->aTok (one comma-separated part) into pOp. */
static int clauseParseOne(MigClause *c, MigOp *pOp){
  int rc;
  if( c->nTok==0 ) return clauseError(c);
  rc = clauseTextOf(c, 0, c->nTok, &pOp->zText);
  if( rc!=SQLITE_OK ) return rc;
  if( clauseEat(c, "ADD") ) return clauseParseAdd(c, pOp);
  if( clauseEat(c, "DROP") ) return clauseParseDrop(c, pOp);
  if( clauseEat(c, "RENAME") ) return clauseParseRename(c, pOp);
  if( clauseEat(c, "ALTER") ) return clauseParseAlter(c, pOp);
  if( clauseEat(c, "MOVE") ) return clauseParseMove(c, pOp);
  return clauseError(c);
}

/* Append a zeroed MigOp to *paOp; NULL on OOM. */
static MigOp *clauseOpAppend(MigOp **paOp, int *pnOp){
  MigOp *aNew = sqlite3_realloc64(*paOp, (*pnOp+1)*sizeof(MigOp));
  if( aNew==0 ) return 0;
  *paOp = aNew;
  memset(&aNew[*pnOp], 0, sizeof(MigOp));
  return &aNew[(*pnOp)++];
}

/*
** Parse zClause (one clause or several separated by top-level commas)
** and append the operations to *paOp / *pnOp (free with migOpFree).
** A trailing ";" is ignored. On a syntax error returns SQLITE_ERROR with
** *pzErr set.
*/
int migClauseParse(const char *zClause, MigOp **paOp, int *pnOp,
                   char **pzErr){
  MigToken *aAll = 0;
  int nAll = 0, i, iPart = 0;
  int rc = migTokenize(zClause, &aAll, &nAll);
  while( rc==SQLITE_OK && nAll>0 && aAll[nAll-1].eType==MIG_TK_SEMI ) nAll--;
  for(i=0; rc==SQLITE_OK && i<=nAll; i++){
    if( i<nAll && aAll[i].eType==MIG_TK_LP ){
      i = migTokMatchParen(aAll, nAll, i);
      if( i>=nAll ) i = nAll-1;
    }else if( i>=nAll || aAll[i].eType==MIG_TK_COMMA ){
      MigClause c;
      MigOp *pOp = clauseOpAppend(paOp, pnOp);
      if( pOp==0 ){ rc = SQLITE_NOMEM; break; }
      memset(&c, 0, sizeof(c));
      c.z = zClause;
      c.aTok = aAll ? &aAll[iPart] : 0;
      c.nTok = (i<nAll ? i : nAll) - iPart;
      rc = clauseParseOne(&c, pOp);
      if( rc==SQLITE_ERROR && c.zErr==0 ) rc = SQLITE_NOMEM;
      if( rc!=SQLITE_OK ){ *pzErr = c.zErr; c.zErr = 0; }
      iPart = i+1;
    }
  }
  sqlite3_free(aAll);
  return rc;
}

/* Free an array of operations. */
void migOpFree(MigOp *aOp, int nOp){
  int i;
  for(i=0; i<nOp; i++){
    sqlite3_free(aOp[i].zCol);
    sqlite3_free(aOp[i].zArg);
    sqlite3_free(aOp[i].zUsing);
    sqlite3_free(aOp[i].zRaw);
    sqlite3_free(aOp[i].zText);
  }
  sqlite3_free(aOp);
}

/* True if the column definition zDef has something SQLite's ADD COLUMN
** refuses: PRIMARY KEY, UNIQUE, a STORED column, NOT NULL without a
** DEFAULT, or a parenthesised (possibly non-constant) DEFAULT. */
static int clauseAddNeedsUs(const char *zDef){
  MigToken *aTok = 0;
  int nTok = 0, i, bNotNull = 0, bDefault = 0, bNeed = 0;
  if( migTokenize(zDef, &aTok, &nTok)!=SQLITE_OK ) return 1;
  for(i=0; i<nTok; i++){
    if( migTokIsWord(zDef, &aTok[i], "PRIMARY")
     || migTokIsWord(zDef, &aTok[i], "UNIQUE")
     || migTokIsWord(zDef, &aTok[i], "STORED") ) bNeed = 1;
    if( migTokIsWord(zDef, &aTok[i], "NOT") && i+1<nTok
     && migTokIsWord(zDef, &aTok[i+1], "NULL") ) bNotNull = 1;
    if( migTokIsWord(zDef, &aTok[i], "DEFAULT") ){
      bDefault = 1;
      if( i+1<nTok && aTok[i+1].eType==MIG_TK_LP ) bNeed = 1;
    }
  }
  sqlite3_free(aTok);
  return bNeed || (bNotNull && !bDefault);
}

/*
** True if zClause is a single clause that SQLite's own ALTER TABLE runs
** as it is: RENAME TO, RENAME COLUMN, or an ADD COLUMN it accepts.
** Everything else (including DROP COLUMN, which SQLite refuses for
** indexed, UNIQUE or constrained columns) goes through migAlterApply(),
** which still uses SQLite's native ALTER where that works.
*/
int migRouteNative(const char *zClause){
  MigOp *aOp = 0;
  int nOp = 0, bNative = 0;
  char *zErr = 0;
  if( migClauseParse(zClause, &aOp, &nOp, &zErr)==SQLITE_OK && nOp==1 ){
    switch( aOp[0].eOp ){
      case MIG_OP_RENAME_TABLE:
      case MIG_OP_RENAME_COLUMN:
        bNative = 1;
        break;
      case MIG_OP_ADD_COLUMN:
        bNative = !aOp[0].bIf && !clauseAddNeedsUs(aOp[0].zArg);
        break;
    }
  }
  sqlite3_free(zErr);
  migOpFree(aOp, nOp);
  return bNative;
}

/*
** If the tokens aTok[0..nTok) of zSql start "ALTER TABLE [schema.]name"
** and a clause follows, set *pzSchema (NULL when not written) and
** *pzTable (dequoted, sqlite3_malloc'd) and return the offset of the
** clause text; else return -1, or -2 when out of memory (both NULL).
*/
int migAlterHead(const char *zSql, MigToken *aTok, int nTok,
                 char **pzSchema, char **pzTable){
  int i = 2;
  *pzSchema = *pzTable = 0;
  if( nTok<4 || !migTokIsWord(zSql, &aTok[0], "ALTER")
   || !migTokIsWord(zSql, &aTok[1], "TABLE") ){
    return -1;
  }
  if( aTok[3].eType==MIG_TK_DOT ) i = 4;
  if( i+1>=nTok || !migTokIsName(aTok[i].eType) ) return -1;
  *pzTable = migTokName(zSql, &aTok[i]);
  if( *pzTable && i==4 ){
    *pzSchema = migTokName(zSql, &aTok[2]);
    if( *pzSchema==0 ){
      sqlite3_free(*pzTable);
      *pzTable = 0;
    }
  }
  return *pzTable ? aTok[i+1].iOff : -2;
}

/* "name", or "schema.name" for a schema other than main, from the head
** of an ALTER TABLE (migAlterHead); takes both strings over. */
static char *clauseRouteName(char *zSchema, char *zTable){
  if( zTable && zSchema && !migNameEq(zSchema, "main") ){
    char *zFull = sqlite3_mprintf("%s.%s", zSchema, zTable);
    sqlite3_free(zTable);
    zTable = zFull;
  }
  sqlite3_free(zSchema);
  return zTable;
}

/*
** If zSql is "ALTER TABLE [schema.]t <clauses>" and SQLite cannot run it
** as it is, set *pzTable and *pzClause (sqlite3_malloc'd) and return 1.
** Otherwise (not an ALTER TABLE, or one SQLite runs natively) return 0.
*/
int migAlterRoute(const char *zSql, char **pzTable, char **pzClause){
  MigToken *aTok = 0;
  int nTok = 0, iClause, bRoute = 0;
  char *zTable = 0, *zSchema = 0;
  *pzTable = 0;
  *pzClause = 0;
  if( migTokenize(zSql, &aTok, &nTok)!=SQLITE_OK ) return 0;
  while( nTok>0 && aTok[nTok-1].eType==MIG_TK_SEMI ) nTok--;
  iClause = migAlterHead(zSql, aTok, nTok, &zSchema, &zTable);
  zTable = clauseRouteName(zSchema, zTable);
  if( zTable==0 ) iClause = -1;
  if( iClause>=0 ){
    int iEnd = aTok[nTok-1].iOff + aTok[nTok-1].n;
    char *zClause = sqlite3_mprintf("%.*s", iEnd-iClause, &zSql[iClause]);
    if( zClause && !migRouteNative(zClause) ){
      *pzTable = zTable;
      *pzClause = zClause;
      zTable = zClause = 0;
      bRoute = 1;
    }
    sqlite3_free(zClause);
  }
  sqlite3_free(zTable);
  sqlite3_free(aTok);
  return bRoute;
}
