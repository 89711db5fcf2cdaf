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
** A statement ends at the first ";" after which sqlite3_complete() says
** the text is complete, so a trigger's BEGIN ... END stays whole and a
** ";" inside a string or comment does not split. Whitespace and comments
** between statements are skipped; a last statement without ";" counts.
** Statements are not prepared here, so an ALTER TABLE that SQLite cannot
** parse still reaches the runner (which routes it to the alter engine).
*/
#include "engine_int.h"
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

/* Skip whitespace, "--" comments and C comments from p->iPos. */
static void splitSkipSpace(MigSplit *p){
  const char *z = p->zBuf;
  int i = p->iPos;
  for(;;){
    while( z[i]==' ' || z[i]=='\t' || z[i]=='\n' || z[i]=='\r'
        || z[i]=='\f' || z[i]=='\v' ) i++;
    if( z[i]=='-' && z[i+1]=='-' ){
      while( z[i] && z[i]!='\n' ) i++;
    }else if( z[i]=='/' && z[i+1]=='*' ){
      const char *zEnd = strstr(z+i+2, "*/");
      i = zEnd ? (int)(zEnd-z)+2 : (int)strlen(z);
    }else{
      break;
    }
  }
  splitAdvance(p, i);
}

/*
** Return the offset just past the ";" that completes the statement at
** p->iPos, or the end of the text when none does.
*/
static int splitEnd(MigSplit *p){
  char *z = p->zBuf;
  char *zSemi = z+p->iPos;
  while( (zSemi = strchr(zSemi, ';'))!=0 ){
    char c = zSemi[1];
    int bDone;
    zSemi[1] = 0;
    bDone = sqlite3_complete(z+p->iPos);
    zSemi[1] = c;
    if( bDone ) return (int)(zSemi-z)+1;
    zSemi++;
  }
  return (int)strlen(z);
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
  iEnd = splitEnd(p);
  n = iEnd - p->iPos;
  while( n>0 && (p->zBuf[p->iPos+n-1]==' ' || p->zBuf[p->iPos+n-1]=='\n'
              || p->zBuf[p->iPos+n-1]=='\r' || p->zBuf[p->iPos+n-1]=='\t') ){
    n--;
  }
  *pzStmt = sqlite3_mprintf("%.*s", n, p->zBuf+p->iPos);
  splitAdvance(p, iEnd);
  return *pzStmt ? SQLITE_ROW : SQLITE_NOMEM;
}
