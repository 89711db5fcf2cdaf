/*
** split.c: split the SQL of a migration section into statements, one at
** a time, each with the line of the file where it starts.
**
**     MigSplit s;
**     char *zStmt; int iLine;
**     rc = migSplitInit(&s, zSection, iFirstLine);
**     while( (rc = migSplitNext(&s, &zStmt, &iLine))==SQLITE_ROW ){
**       ... run zStmt ...; sqlite3_free(zStmt);
**     }                          (then rc is SQLITE_DONE or SQLITE_NOMEM)
**     migSplitFree(&s);
**
** The extension's lexer (sql_int.h) decides where a statement ends
** (migStmtEnd): a trigger's BEGIN ... END stays whole and a ";" inside a
** string, a quoted name or a comment does not split. Whitespace and
** comments between statements are skipped; a last statement without ";"
** counts.
** Statements are not prepared here, so an ALTER TABLE that SQLite cannot
** parse still reaches the runner (which routes it to the alter engine).
*/
#include "engine_int.h"
#include "sql_int.h"
#include <string.h>

/* Start iterating over zSql, whose first line is line iLine of its file. */
int migSplitInit(MigSplit *p, const char *zSql, int iLine){
  p->zBuf = sqlite3_mprintf("%s", zSql ? zSql : "");
  p->iPos = 0;
  p->iLine = iLine;
  return p->zBuf ? SQLITE_OK : SQLITE_NOMEM;
}

/* Free what p owns. */
void migSplitFree(MigSplit *p){
  sqlite3_free(p->zBuf);
  p->zBuf = 0;
}

/* Move p->iPos to iEnd, counting the newlines passed. */
static void splitAdvance(MigSplit *p, int iEnd){
  const char *z = p->zBuf;
  int i;
  for(i=p->iPos; i<iEnd; i++) if( z[i]=='\n' ) p->iLine++;
  p->iPos = iEnd;
}

/* Skip whitespace and comments from p->iPos. */
static void splitSkipSpace(MigSplit *p){
  const char *z = p->zBuf;
  int i = p->iPos, eType = MIG_TK_SPACE;
  while( z[i] ){
    int n = migTokenLen(&z[i], &eType);
    if( eType!=MIG_TK_SPACE ) break;
    i += n;
  }
  splitAdvance(p, i);
}

/*
** Next statement: *pzStmt (sqlite3_free it) and *piLine, returning
** SQLITE_ROW; SQLITE_DONE when there are no more; SQLITE_NOMEM.
*/
int migSplitNext(MigSplit *p, char **pzStmt, int *piLine){
  int iEnd, n;
  *pzStmt = 0;
  splitSkipSpace(p);
  if( p->zBuf[p->iPos]==0 ) return SQLITE_DONE;
  *piLine = p->iLine;
  iEnd = p->iPos + migStmtEnd(p->zBuf + p->iPos);
  n = iEnd - p->iPos;
  while( n>0 && (p->zBuf[p->iPos+n-1]==' ' || p->zBuf[p->iPos+n-1]=='\n'
              || p->zBuf[p->iPos+n-1]=='\r' || p->zBuf[p->iPos+n-1]=='\t') ){
    n--;
  }
  *pzStmt = sqlite3_mprintf("%.*s", n, p->zBuf+p->iPos);
  splitAdvance(p, iEnd);
  return *pzStmt ? SQLITE_ROW : SQLITE_NOMEM;
}
