/*
** fkmode.c: does a migration section rebuild a table?
**
**     char *zTable = 0;
**     if( migFkRebuild(zSql, &zTable) ) ... zTable names the table ...
**
** The runner keeps PRAGMA foreign_keys as the connection has it while a
** migration runs, so ON DELETE and ON UPDATE actions in its own
** statements fire as they would outside the runner, except for a
** migration that rebuilds a table: there "DROP TABLE t" would run t's
** ON DELETE actions on every child row before t is created again (the
** 12-step recipe of SQLite's ALTER TABLE page switches foreign keys off
** for exactly that reason). A section rebuilds a table when
**   - it drops table t and later creates t or renames a table to t, or
**   - it holds an ALTER TABLE form that the alter engine does by rebuild
**     (migAlterRoute() says so).
** The test reads the first words of each statement only (comments and
** quoted names understood); it never prepares anything.
*/
#include "engine_int.h"
#include <string.h>

/* One word of a statement: start and length, or n==0 at the end. */
typedef struct FkWord FkWord;
struct FkWord {
  const char *z;               /* Start (quotes included) */
  int n;                       /* Length in bytes */
};

/* Skip blanks and comments from z; return the next significant byte. */
static const char *fkSkip(const char *z){
  for(;;){
    while( *z==' ' || *z=='\t' || *z=='\n' || *z=='\r' || *z=='\f' ) z++;
    if( z[0]=='-' && z[1]=='-' ){
      while( *z && *z!='\n' ) z++;
    }else if( z[0]=='/' && z[1]=='*' ){
      const char *zEnd = strstr(z+2, "*/");
      z = zEnd ? zEnd+2 : z+strlen(z);
    }else{
      return z;
    }
  }
}

/* The word at *pz (advanced past it): an identifier, a quoted name, or
** one punctuation byte. */
static FkWord fkNext(const char **pz){
  const char *z = fkSkip(*pz);
  FkWord w;
  w.z = z;
  if( *z=='"' || *z=='`' || *z=='[' ){
    char cEnd = *z=='[' ? ']' : *z;
    const char *e = z+1;
    while( *e && !(*e==cEnd && e[1]!=cEnd) ){ e += (*e==cEnd) ? 2 : 1; }
    if( *e ) e++;
    w.n = (int)(e-z);
  }else{
    const char *e = z;
    while( (*e>='a' && *e<='z') || (*e>='A' && *e<='Z') || *e=='_'
        || (*e>='0' && *e<='9') || (*e&0x80) ) e++;
    w.n = (int)(e-z);
    if( w.n==0 && *z ) w.n = 1;
  }
  *pz = z+w.n;
  return w;
}

/* True if w is keyword zKw (ASCII case-insensitive). */
static int fkIs(FkWord w, const char *zKw){
  int n = (int)strlen(zKw);
  return w.n==n && sqlite3_strnicmp(w.z, zKw, n)==0;
}

/* The table name of a statement after its "TABLE" word, schema dropped,
** unquoted (sqlite3_free; NULL when out of memory or no name). */
static char *fkName(const char **pz){
  FkWord w = fkNext(pz);
  const char *zAfter = fkSkip(*pz);
  if( zAfter[0]=='.' ){
    *pz = zAfter+1;
    w = fkNext(pz);
  }
  if( w.n==0 ) return 0;
  if( w.z[0]=='"' || w.z[0]=='`' || w.z[0]=='[' ){
    char *zOut = sqlite3_malloc64(w.n+1);
    int i, j = 0;
    char cEnd = w.z[0]=='[' ? ']' : w.z[0];
    if( zOut==0 ) return 0;
    for(i=1; i<w.n-1; i++){
      zOut[j++] = w.z[i];
      if( w.z[i]==cEnd && w.z[i+1]==cEnd ) i++;
    }
    zOut[j] = 0;
    return zOut;
  }
  return sqlite3_mprintf("%.*s", w.n, w.z);
}

/*
** What statement zStmt does to a table: 1 drops *pzName, 2 creates or
** renames a table to *pzName, 0 neither (*pzName NULL). *pzName is
** sqlite3_free'd by the caller.
*/
static int fkStatement(const char *zStmt, char **pzName){
  const char *z = zStmt;
  FkWord w = fkNext(&z);
  *pzName = 0;
  if( fkIs(w, "DROP") ){
    if( !fkIs(fkNext(&z), "TABLE") ) return 0;
    {
      const char *zSave = z;
      if( fkIs(fkNext(&z), "IF") ) fkNext(&z); else z = zSave;
    }
    *pzName = fkName(&z);
    return *pzName ? 1 : 0;
  }
  if( fkIs(w, "CREATE") ){
    w = fkNext(&z);
    if( fkIs(w, "TEMP") || fkIs(w, "TEMPORARY") ) return 0;
    if( !fkIs(w, "TABLE") ) return 0;
    {
      const char *zSave = z;
      if( fkIs(fkNext(&z), "IF") ){ fkNext(&z); fkNext(&z); }
      else z = zSave;
    }
    *pzName = fkName(&z);
    return *pzName ? 2 : 0;
  }
  if( fkIs(w, "ALTER") && fkIs(fkNext(&z), "TABLE") ){
    char *zOld = fkName(&z);
    sqlite3_free(zOld);
    if( fkIs(fkNext(&z), "RENAME") ){
      w = fkNext(&z);
      if( fkIs(w, "TO") ){
        *pzName = fkName(&z);
        return *pzName ? 2 : 0;
      }
    }
  }
  return 0;
}

/* Append a copy of z to the list *paz of *pn names. SQLite code. */
static int fkPush(char ***paz, int *pn, char *z){
  char **azNew = sqlite3_realloc64(*paz, sizeof(char*)*(*pn+1));
  if( azNew==0 ){ sqlite3_free(z); return SQLITE_NOMEM; }
  azNew[(*pn)++] = z;
  *paz = azNew;
  return SQLITE_OK;
}

/*
** 1 if section zSql rebuilds a table (see the header), with *pzTable
** its name (sqlite3_free'd by the caller); 0 if not. Out of memory
** counts as a rebuild (the safe answer) with *pzTable NULL.
*/
int migFkRebuild(const char *zSql, char **pzTable){
  MigSplit s;
  char **azDrop = 0, *zStmt = 0;
  int nDrop = 0, iLine = 0, bRebuild = 0, i;
  int rc = migSplitInit(&s, zSql, 1);
  *pzTable = 0;
  while( rc==SQLITE_OK && !bRebuild
      && (rc = migSplitNext(&s, &zStmt, &iLine))==SQLITE_ROW ){
    char *zName = 0, *zClause = 0;
    int e = fkStatement(zStmt, &zName);
    rc = SQLITE_OK;
    if( migAlterRoute(zStmt, pzTable, &zClause) ){
      sqlite3_free(zClause);
      bRebuild = 1;
    }else if( e==1 ){
      rc = fkPush(&azDrop, &nDrop, zName);
      zName = 0;
    }else if( e==2 ){
      for(i=0; i<nDrop && !bRebuild; i++){
        if( migNameEq(azDrop[i], zName) ){
          *pzTable = zName;
          zName = 0;
          bRebuild = 1;
        }
      }
    }
    sqlite3_free(zName);
    sqlite3_free(zStmt);
  }
  if( rc!=SQLITE_OK && rc!=SQLITE_DONE ) bRebuild = 1;
  for(i=0; i<nDrop; i++) sqlite3_free(azDrop[i]);
  sqlite3_free(azDrop);
  migSplitFree(&s);
  return bRebuild;
}
