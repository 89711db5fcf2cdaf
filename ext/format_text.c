/*
** format_text.c: the sections of one migration file written for another
** tool, read into a MigRev (zUp, zDown, their first lines, transaction).
**
**   rc = migFormatText(p, MIG_FMT_GOOSE, zFile, zText, nText, pRev, &zErr);
**   rc = migFormatDown(p, MIG_FMT_GOLANG, zDown, zText, nText, pRev, &zErr);
**
** What each tool's files say (from its own documentation and source):
**   goose        "-- +goose Up", "-- +goose Down" sections; lines
**                "-- +goose StatementBegin" / "StatementEnd" keep a block
**                together (our splitter keeps BEGIN ... END whole anyway);
**                "-- +goose NO TRANSACTION" runs the file outside a
**                transaction; between "-- +goose ENVSUB ON" and "OFF",
**                $NAME, ${NAME} and ${NAME:-default} are replaced from the
**                environment (unset: empty), as goose's interpolation does.
**                Down must follow Up. Without a Down section the down is
**                empty, as goose runs it (nothing, then the version row
**                goes).
**   sql-migrate  "-- +migrate Up [notransaction]", "-- +migrate Down
**                [notransaction]", StatementBegin / StatementEnd as goose.
**                A missing Down section is empty, as sql-migrate runs it.
**   sqlx         the whole file; "-- no-transaction" on its first line
**                runs it outside a transaction.
**   Flyway       the whole file, "${name}" placeholders replaced by the
**                values of "placeholder.NAME" settings, and Flyway's own
**                ${flyway:defaultSchema}, ${flyway:database},
**                ${flyway:table} and ${flyway:filename}; a placeholder
**                without a value is an error naming file and line.
**   golang-migrate, diesel, plain scripts: the whole file.
** Marker lines become empty lines, so a statement keeps the line number
** it has in the file. For every format but this project's own, a section
** that carries its own BEGIN / COMMIT runs outside the runner's
** transaction, since that is the only way its tool could have run it.
** Errors: "FILE:LINE: message".
*/
#include "engine_int.h"
#include <string.h>
#include <stdlib.h>

/* The marker of a line: its words after "-- +goose" or "-- +migrate". */
typedef struct TextMark TextMark;
struct TextMark {
  int bMark;                   /* The line is a marker */
  const char *zCmd;            /* First word after the tool's tag */
  int nCmd;                    /* Its length */
  const char *zRest;           /* The rest of the line, trimmed */
  int nRest;                   /* Its length */
};

/* Trim blanks and CR around z[0..*pn-1]; returns the new start. */
static const char *textTrim(const char *z, int *pn){
  int n = *pn;
  while( n>0 && (z[0]==' ' || z[0]=='\t') ){ z++; n--; }
  while( n>0 && (z[n-1]==' ' || z[n-1]=='\t' || z[n-1]=='\r') ) n--;
  *pn = n;
  return z;
}

/* Parse line z[0..n-1] as a marker of tag zTag ("+goose", "+migrate"). */
static TextMark textMark(const char *z, int n, const char *zTag){
  TextMark m;
  int nTag = (int)strlen(zTag), i;
  memset(&m, 0, sizeof(m));
  z = textTrim(z, &n);
  if( n<2 || z[0]!='-' || z[1]!='-' ) return m;
  z += 2; n -= 2;
  z = textTrim(z, &n);
  if( n<nTag || strncmp(z, zTag, nTag)!=0 ) return m;
  if( n>nTag && z[nTag]!=' ' && z[nTag]!='\t' ) return m;
  z += nTag; n -= nTag;
  z = textTrim(z, &n);
  m.bMark = 1;
  for(i=0; i<n && z[i]!=' ' && z[i]!='\t'; i++){}
  m.zCmd = z;
  m.nCmd = i;
  m.zRest = z+i;
  m.nRest = n-i;
  m.zRest = textTrim(m.zRest, &m.nRest);
  return m;
}

/* True if the n bytes at z are word zWord, ignoring ASCII case. */
static int textIs(const char *z, int n, const char *zWord){
  return n==(int)strlen(zWord) && sqlite3_strnicmp(z, zWord, n)==0;
}

/* True if z[0..n-1] is blank or a "--" comment. */
static int textIsComment(const char *z, int n){
  z = textTrim(z, &n);
  return n==0 || (n>=2 && z[0]=='-' && z[1]=='-');
}

/* State of one marker-format parse. */
typedef struct TextParse TextParse;
struct TextParse {
  const char *zFile;           /* For messages */
  MigRev *pRev;                /* Being filled */
  sqlite3_str *pSec[3];        /* Text of no section, up, down */
  int eSec;                    /* Open section: 0 none, 1 up, 2 down */
  int bNoTxnAll;               /* goose NO TRANSACTION */
  int bEnvsub;                 /* goose ENVSUB ON */
  char *zErr;                  /* Error */
};

/* Open section eSec at line iLine (the marker). SQLite code. */
static int textOpen(TextParse *t, int eSec, int iLine, const char *zTag,
                    int bNoTxn){
  if( t->pSec[eSec] ){
    t->zErr = sqlite3_mprintf("%s:%d: duplicate \"-- %s %s\" section",
                              t->zFile, iLine, zTag, eSec==1 ? "Up":"Down");
    return SQLITE_ERROR;
  }
  t->pSec[eSec] = sqlite3_str_new(0);
  t->eSec = eSec;
  if( eSec==1 ){
    t->pRev->iUpLine = iLine+1;
    t->pRev->bUpNoTxn = bNoTxn;
  }else{
    t->pRev->iDownLine = iLine+1;
    t->pRev->bDownNoTxn = bNoTxn;
  }
  return SQLITE_OK;
}

/*
** One marker line of goose (bGoose) or sql-migrate at line iLine.
** SQLite code; t->zErr on error.
*/
static int textMarker(TextParse *t, TextMark *m, int iLine, int bGoose){
  const char *zTag = bGoose ? "+goose" : "+migrate";
  int bUp = textIs(m->zCmd, m->nCmd, "Up");
  int bDown = textIs(m->zCmd, m->nCmd, "Down");
  int bNoTxn = 0;
  if( bUp || bDown ){
    if( bGoose && bDown && t->pSec[1]==0 ){
      t->zErr = sqlite3_mprintf("%s:%d: \"-- +goose Down\" before \"-- "
                                "+goose Up\"", t->zFile, iLine);
      return SQLITE_ERROR;
    }
    if( !bGoose && textIs(m->zRest, m->nRest, "notransaction") ){
      bNoTxn = 1;
    }else if( m->nRest>0 ){
      t->zErr = sqlite3_mprintf("%s:%d: unknown option \"%.*s\"",
                                t->zFile, iLine, m->nRest, m->zRest);
      return SQLITE_ERROR;
    }
    return textOpen(t, bUp ? 1 : 2, iLine, zTag, bNoTxn);
  }
  if( textIs(m->zCmd, m->nCmd, "StatementBegin")
   || textIs(m->zCmd, m->nCmd, "StatementEnd") ){
    if( t->eSec ) return SQLITE_OK;
  }else if( bGoose && textIs(m->zCmd, m->nCmd, "NO")
         && textIs(m->zRest, m->nRest, "TRANSACTION") ){
    t->bNoTxnAll = 1;
    return SQLITE_OK;
  }else if( bGoose && textIs(m->zCmd, m->nCmd, "ENVSUB")
         && (textIs(m->zRest, m->nRest, "ON")
             || textIs(m->zRest, m->nRest, "OFF")) ){
    t->bEnvsub = textIs(m->zRest, m->nRest, "ON");
    return SQLITE_OK;
  }
  t->zErr = sqlite3_mprintf("%s:%d: %s \"-- %s %.*s\"", t->zFile, iLine,
      t->eSec ? "unknown annotation" : "annotation outside a section",
      zTag, m->nCmd, m->zCmd);
  return SQLITE_ERROR;
}

/* Finish section eSec into *pz (NULL when never opened). SQLite code. */
static int textFinish(TextParse *t, int eSec, char **pz){
  int rc;
  if( t->pSec[eSec]==0 ) return SQLITE_OK;
  rc = sqlite3_str_errcode(t->pSec[eSec]);
  *pz = sqlite3_str_finish(t->pSec[eSec]);
  t->pSec[eSec] = 0;
  if( rc==SQLITE_OK && *pz==0 ) *pz = sqlite3_mprintf("");
  if( *pz==0 ) rc = SQLITE_NOMEM;
  return rc;
}

/* Append line z[0..n-1] with goose's environment substitution: $NAME,
** ${NAME} and ${NAME:-default}; "$$" is a "$". SQLITE_OK or NOMEM. */
static int textEnvsub(sqlite3_str *pStr, const char *z, int n){
  int i = 0;
  while( i<n ){
    int j, bBrace;
    char *zName;
    const char *zVal, *zDef = 0;
    int nDef = 0;
    if( z[i]!='$' || i+1>=n ){
      sqlite3_str_append(pStr, z+i, 1);
      i++;
      continue;
    }
    if( z[i+1]=='$' ){ sqlite3_str_append(pStr, "$", 1); i += 2; continue; }
    bBrace = z[i+1]=='{';
    j = i+1+bBrace;
    while( j<n && (z[j]=='_' || (z[j]>='a' && z[j]<='z')
                  || (z[j]>='A' && z[j]<='Z') || (z[j]>='0' && z[j]<='9')) ){
      j++;
    }
    if( j==i+1+bBrace ){ sqlite3_str_append(pStr, z+i, 1); i++; continue; }
    zName = sqlite3_mprintf("%.*s", j-i-1-bBrace, z+i+1+bBrace);
    if( zName==0 ) return SQLITE_NOMEM;
    if( bBrace ){
      int k = j;
      if( k+1<n && z[k]==':' && z[k+1]=='-' ){
        zDef = z+k+2;
        for(k+=2; k<n && z[k]!='}'; k++){}
        nDef = (int)(z+k-zDef);
      }
      if( k>=n || z[k]!='}' ){
        sqlite3_free(zName);
        sqlite3_str_append(pStr, z+i, 1);
        i++;
        continue;
      }
      j = k+1;
    }
    zVal = getenv(zName);
    if( zVal && zVal[0] ) sqlite3_str_appendall(pStr, zVal);
    else if( zDef ) sqlite3_str_append(pStr, zDef, nDef);
    sqlite3_free(zName);
    i = j;
  }
  return SQLITE_OK;
}

/* goose (bGoose) or sql-migrate: the sections of zText. */
static int textMarkers(const char *zFile, const char *zText, int nText,
                       MigRev *pRev, int bGoose, char **pzErr){
  TextParse t;
  int i = 0, iLine = 1, rc = SQLITE_OK, k;
  const char *zTag = bGoose ? "+goose" : "+migrate";
  memset(&t, 0, sizeof(t));
  t.zFile = zFile;
  t.pRev = pRev;
  while( rc==SQLITE_OK && i<nText ){
    const char *zEol = memchr(zText+i, '\n', nText-i);
    int n = zEol ? (int)(zEol-(zText+i)) : nText-i;
    TextMark m = textMark(zText+i, n, zTag);
    if( m.bMark ){
      rc = textMarker(&t, &m, iLine, bGoose);
      if( rc==SQLITE_OK && t.eSec && t.pSec[t.eSec] && iLine>=
          (t.eSec==1 ? pRev->iUpLine : pRev->iDownLine) ){
        sqlite3_str_appendall(t.pSec[t.eSec], "\n");
      }
    }else if( t.eSec && t.bEnvsub ){
      rc = textEnvsub(t.pSec[t.eSec], zText+i, n);
      sqlite3_str_appendall(t.pSec[t.eSec], "\n");
    }else if( t.eSec ){
      sqlite3_str_append(t.pSec[t.eSec], zText+i, n);
      sqlite3_str_appendall(t.pSec[t.eSec], "\n");
    }else if( !textIsComment(zText+i, n) ){
      t.zErr = sqlite3_mprintf("%s:%d: SQL outside a \"-- %s Up\" or "
                               "\"-- %s Down\" section", zFile, iLine,
                               zTag, zTag);
      rc = SQLITE_ERROR;
    }
    i += n + (zEol!=0);
    iLine++;
  }
  if( rc==SQLITE_OK && t.pSec[1]==0 ){
    t.zErr = sqlite3_mprintf("%s: no \"-- %s Up\" section", zFile, zTag);
    rc = SQLITE_ERROR;
  }
  if( rc==SQLITE_OK ) rc = textFinish(&t, 1, &pRev->zUp);
  if( rc==SQLITE_OK ) rc = textFinish(&t, 2, &pRev->zDown);
  if( rc==SQLITE_OK && pRev->zDown==0 ){
    /* Both tools run a missing Down section as an empty one */
    pRev->zDown = sqlite3_mprintf("");
    pRev->iDownLine = 1;
    if( pRev->zDown==0 ) rc = SQLITE_NOMEM;
  }
  if( t.bNoTxnAll ) pRev->bUpNoTxn = pRev->bDownNoTxn = 1;
  for(k=0; k<3; k++) sqlite3_free(sqlite3_str_finish(t.pSec[k]));
  if( rc!=SQLITE_OK ){
    *pzErr = t.zErr ? t.zErr : sqlite3_mprintf("out of memory");
  }else{
    sqlite3_free(t.zErr);
  }
  return rc;
}

/* The value of Flyway placeholder z[0..n-1] for file zFile, or NULL. */
static char *textPlaceholder(MigConn *p, const char *zFile, const char *z,
                             int n){
  int i;
  for(i=0; i+1<p->nPlace; i+=2){
    if( (int)strlen(p->azPlace[i])==n && strncmp(p->azPlace[i], z, n)==0 ){
      return sqlite3_mprintf("%s", p->azPlace[i+1]);
    }
  }
  if( textIs(z, n, "flyway:defaultSchema") || textIs(z, n, "flyway:database") ){
    return sqlite3_mprintf("main");
  }
  if( textIs(z, n, "flyway:table") ){
    return sqlite3_mprintf("flyway_schema_history");
  }
  if( textIs(z, n, "flyway:filename") ){
    const char *zBase = strrchr(zFile, '/');
    return sqlite3_mprintf("%s", zBase ? zBase+1 : zFile);
  }
  return 0;
}

/* Flyway: zText with its ${name} placeholders replaced, into *pzOut. */
static int textFlyway(MigConn *p, const char *zFile, const char *zText,
                      int nText, char **pzOut, char **pzErr){
  sqlite3_str *pStr = sqlite3_str_new(0);
  int i = 0, iLine = 1, rc = SQLITE_OK;
  while( i<nText ){
    const char *zEnd;
    char *zVal;
    if( zText[i]=='\n' ) iLine++;
    if( zText[i]!='$' || i+1>=nText || zText[i+1]!='{' ){
      sqlite3_str_append(pStr, zText+i, 1);
      i++;
      continue;
    }
    zEnd = memchr(zText+i+2, '}', nText-i-2);
    if( zEnd==0 || memchr(zText+i+2, '\n', zEnd-(zText+i+2)) ){
      sqlite3_str_append(pStr, zText+i, 1);
      i++;
      continue;
    }
    zVal = textPlaceholder(p, zFile, zText+i+2, (int)(zEnd-zText)-i-2);
    if( zVal==0 ){
      *pzErr = sqlite3_mprintf("%s:%d: no value for placeholder %.*s (set "
          "it with .migrate config placeholder.%.*s VALUE)", zFile, iLine,
          (int)(zEnd-zText)-i+1, zText+i, (int)(zEnd-zText)-i-2, zText+i+2);
      rc = SQLITE_ERROR;
      break;
    }
    sqlite3_str_appendall(pStr, zVal);
    sqlite3_free(zVal);
    i = (int)(zEnd-zText)+1;
  }
  if( rc==SQLITE_OK ){
    rc = sqlite3_str_errcode(pStr);
    *pzOut = sqlite3_str_finish(pStr);
    if( *pzOut==0 ) rc = SQLITE_NOMEM;
  }else{
    sqlite3_free(sqlite3_str_finish(pStr));
  }
  return rc;
}

/* True if a statement of zSql is BEGIN, COMMIT, END or ROLLBACK. */
static int textOwnTxn(const char *zSql){
  MigSplit s;
  char *zStmt = 0;
  int iLine = 0, bTxn = 0;
  int rc = migSplitInit(&s, zSql, 1);
  while( rc==SQLITE_OK && !bTxn
      && migSplitNext(&s, &zStmt, &iLine)==SQLITE_ROW ){
    static const char *azKw[] = { "BEGIN", "COMMIT", "END", "ROLLBACK" };
    size_t k;
    for(k=0; k<sizeof(azKw)/sizeof(azKw[0]); k++){
      int n = (int)strlen(azKw[k]);
      char c;
      /* zStmt[n] is read only once the first n bytes matched (so exist) */
      if( sqlite3_strnicmp(zStmt, azKw[k], n)!=0 ) continue;
      c = zStmt[n];
      if( c==0 || c==';' || c==' ' || c=='\t' || c=='\n' || c=='\r' ){
        bTxn = 1;
      }
    }
    sqlite3_free(zStmt);
  }
  migSplitFree(&s);
  return bTxn;
}

/* The whole of zText as one section (Flyway: placeholders replaced). */
static int textWhole(MigConn *p, int eFormat, const char *zFile,
                     const char *zText, int nText, char **pz, char **pzErr){
  if( eFormat==MIG_FMT_FLYWAY ){
    return textFlyway(p, zFile, zText, nText, pz, pzErr);
  }
  *pz = sqlite3_mprintf("%.*s", nText, zText);
  return *pz ? SQLITE_OK : SQLITE_NOMEM;
}

/* True if the first line of zText is sqlx's "-- no-transaction". */
static int textSqlxNoTxn(const char *zText, int nText){
  int n = 0;
  const char *z;
  while( n<nText && zText[n]!='\n' ) n++;
  z = textTrim(zText, &n);
  return textIs(z, n, "-- no-transaction");
}

/*
** Fill the up section of pRev (and, for marker formats, its down
** section) from file zFile of format eFormat. SQLite code, *pzErr set.
*/
int migFormatText(MigConn *p, int eFormat, const char *zFile,
                  const char *zText, int nText, MigRev *pRev, char **pzErr){
  int rc;
  if( eFormat==MIG_FMT_GOOSE || eFormat==MIG_FMT_SQLMIGRATE ){
    rc = textMarkers(zFile, zText, nText, pRev, eFormat==MIG_FMT_GOOSE,
                     pzErr);
  }else{
    rc = textWhole(p, eFormat, zFile, zText, nText, &pRev->zUp, pzErr);
    pRev->iUpLine = 1;
    if( eFormat==MIG_FMT_SQLX ) pRev->bUpNoTxn = textSqlxNoTxn(zText, nText);
  }
  if( rc==SQLITE_OK && textOwnTxn(pRev->zUp) ) pRev->bUpNoTxn = 1;
  if( rc==SQLITE_OK && pRev->zDown && textOwnTxn(pRev->zDown) ){
    pRev->bDownNoTxn = 1;
  }
  if( rc==SQLITE_NOMEM && *pzErr==0 ) *pzErr = sqlite3_mprintf("out of memory");
  return rc;
}

/* Fill the down section of pRev from its own file zFile (paired formats) */
int migFormatDown(MigConn *p, int eFormat, const char *zFile,
                  const char *zText, int nText, MigRev *pRev, char **pzErr){
  int rc = textWhole(p, eFormat, zFile, zText, nText, &pRev->zDown, pzErr);
  pRev->iDownLine = 1;
  if( rc==SQLITE_OK ){
    pRev->zDownFile = sqlite3_mprintf("%s", zFile);
    if( pRev->zDownFile==0 ) rc = SQLITE_NOMEM;
  }
  if( rc==SQLITE_OK ){
    pRev->bDownNoTxn = textOwnTxn(pRev->zDown)
        || (eFormat==MIG_FMT_SQLX && textSqlxNoTxn(zText, nText));
  }
  if( rc==SQLITE_NOMEM && *pzErr==0 ) *pzErr = sqlite3_mprintf("out of memory");
  return rc;
}
