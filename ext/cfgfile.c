/*
** cfgfile.c: the project file that keeps settings between runs.
**
** The file is "migrate.ini" in the working directory (found there as
** alembic.ini and dbmate's .env are), plain "key = value" lines:
**
**   # written by .migrate init, dir and config
**   [migrate]
**   dir = db/migrations
**   backup = auto
**
** Blank lines and lines starting with '#' or ';' are comments. Lines
** before any section header, or under "[migrate]", are settings; other
** sections are skipped (so the file may hold other tools' settings).
** Keys and values are trimmed; a value runs to the end of its line.
**
** migCfgFileRead() calls back once per setting; migCfgFileWrite() sets
** or removes one key, keeping every other line as it was, and replaces
** the file in one rename() so a reader never sees half of it.
*/
#include "mig_int.h"
#include <stdio.h>
#include <string.h>
#include <errno.h>
#include <ctype.h>

/* Read the whole of zPath; NULL with *pbMissing set when it does not
** exist, NULL with *pzErr set on another error. sqlite3_free the result. */
static char *cfgReadAll(const char *zPath, int *pbMissing, char **pzErr){
  FILE *f = fopen(zPath, "rb");
  sqlite3_str *pStr;
  char aBuf[4096];
  size_t n;
  char *z;
  *pbMissing = 0;
  if( f==0 ){
    if( errno==ENOENT ){ *pbMissing = 1; return 0; }
    *pzErr = sqlite3_mprintf("cannot read %s: %s", zPath, strerror(errno));
    return 0;
  }
  pStr = sqlite3_str_new(0);
  while( (n = fread(aBuf, 1, sizeof(aBuf), f))>0 ){
    sqlite3_str_append(pStr, aBuf, (int)n);
  }
  if( ferror(f) ){
    *pzErr = sqlite3_mprintf("cannot read %s: %s", zPath, strerror(errno));
    fclose(f);
    sqlite3_free(sqlite3_str_finish(pStr));
    return 0;
  }
  fclose(f);
  z = sqlite3_str_finish(pStr);
  if( z==0 ) z = sqlite3_mprintf("");
  if( z==0 ) *pzErr = sqlite3_mprintf("out of memory");
  return z;
}

/* Trim blanks from both ends of z[0..*pn-1]; returns the new start. */
static char *cfgTrim(char *z, int *pn){
  int n = *pn;
  while( n>0 && isspace((unsigned char)z[0]) ){ z++; n--; }
  while( n>0 && isspace((unsigned char)z[n-1]) ) n--;
  *pn = n;
  return z;
}

/*
** Classify one line (NUL-terminated, modified in place): returns 0 for a
** comment or blank, 1 for a section header (*pbOurs: it is [migrate]), 2
** for a setting (*pzKey, *pzValue point into the line), -1 for a line
** that is none of these.
*/
static int cfgLine(char *zLine, int *pbOurs, char **pzKey, char **pzValue){
  int n = (int)strlen(zLine), nKey, nVal;
  char *z = cfgTrim(zLine, &n), *zEq;
  if( n==0 || z[0]=='#' || z[0]==';' ) return 0;
  z[n] = 0;
  if( z[0]=='[' && z[n-1]==']' ){
    *pbOurs = n==9 && sqlite3_strnicmp(z, "[migrate]", 9)==0;
    return 1;
  }
  zEq = strchr(z, '=');
  if( zEq==0 ) return -1;
  nKey = (int)(zEq-z);
  *pzKey = cfgTrim(z, &nKey);
  if( nKey==0 ) return -1;
  (*pzKey)[nKey] = 0;
  nVal = (int)strlen(zEq+1);
  *pzValue = cfgTrim(zEq+1, &nVal);
  (*pzValue)[nVal] = 0;
  return 2;
}

int migCfgFileRead(const char *zPath,
                   int (*xEach)(void*, const char*, const char*, char**),
                   void *pArg, char **pzErr){
  int bMissing = 0, bOurs = 1, iLine = 0, rc = SQLITE_OK;
  char *zText = cfgReadAll(zPath, &bMissing, pzErr);
  char *zNext = zText;
  if( zText==0 ) return bMissing ? SQLITE_OK : SQLITE_ERROR;
  while( rc==SQLITE_OK && zNext && zNext[0] ){
    char *zLine = zNext, *zKey = 0, *zValue = 0, *zEol = strchr(zNext, '\n');
    char *zWhy = 0;
    int e;
    if( zEol ){ *zEol = 0; zNext = zEol+1; }else{ zNext = 0; }
    iLine++;
    e = cfgLine(zLine, &bOurs, &zKey, &zValue);
    if( e<0 && bOurs ){
      *pzErr = sqlite3_mprintf("%s:%d: expected KEY = VALUE", zPath, iLine);
      rc = SQLITE_ERROR;
    }else if( e==2 && bOurs && xEach(pArg, zKey, zValue, &zWhy) ){
      *pzErr = sqlite3_mprintf("%s:%d: %s", zPath, iLine,
                               zWhy ? zWhy : "out of memory");
      sqlite3_free(zWhy);
      rc = SQLITE_ERROR;
    }
  }
  sqlite3_free(zText);
  return rc;
}

/* Write zText to zPath through a temporary file and rename(). */
static int cfgReplace(const char *zPath, const char *zText, char **pzErr){
  char *zTmp = sqlite3_mprintf("%s.tmp", zPath);
  FILE *f;
  size_t n = strlen(zText);
  int bOk;
  if( zTmp==0 ){ *pzErr = sqlite3_mprintf("out of memory"); return 1; }
  f = fopen(zTmp, "wb");
  bOk = f!=0 && fwrite(zText, 1, n, f)==n;
  if( f && fclose(f)!=0 ) bOk = 0;
  if( bOk && rename(zTmp, zPath)!=0 ) bOk = 0;
  if( !bOk ){
    *pzErr = sqlite3_mprintf("cannot write %s: %s", zPath, strerror(errno));
    if( f ) remove(zTmp);
  }
  sqlite3_free(zTmp);
  return !bOk;
}

int migCfgFileWrite(const char *zPath, const char *zKey, const char *zValue,
                    char **pzErr){
  int bMissing = 0, bOurs = 1, bDone = zValue==0, rc;
  char *zText = cfgReadAll(zPath, &bMissing, pzErr);
  char *zNext = zText, *zOut;
  sqlite3_str *pOut;
  if( zText==0 && !bMissing ) return SQLITE_ERROR;
  pOut = sqlite3_str_new(0);
  if( bMissing ){
    sqlite3_str_appendall(pOut, "# Settings of sqlite3-migrate for this "
        "directory, written by .migrate init,\n# .migrate dir and .migrate "
        "config (see docs/migrations.md, \"Settings\").\n[migrate]\n");
  }
  while( zNext && zNext[0] ){
    char *zEol = strchr(zNext, '\n'), *zCopy, *zK = 0, *zV = 0;
    int nLine = zEol ? (int)(zEol-zNext) : (int)strlen(zNext), e;
    int bWasOurs = bOurs;
    zCopy = sqlite3_mprintf("%.*s", nLine, zNext);
    e = zCopy ? cfgLine(zCopy, &bOurs, &zK, &zV) : 0;
    if( e==1 && bWasOurs && !bOurs && !bDone ){
      /* Leaving our section: the new key goes at its end. */
      sqlite3_str_appendf(pOut, "%s = %s\n", zKey, zValue);
      bDone = 1;
    }
    if( e==2 && bOurs && sqlite3_stricmp(zK, zKey)==0 ){
      if( !bDone ) sqlite3_str_appendf(pOut, "%s = %s\n", zKey, zValue);
      bDone = 1;
    }else{
      sqlite3_str_appendf(pOut, "%.*s\n", nLine, zNext);
    }
    sqlite3_free(zCopy);
    zNext = zEol ? zEol+1 : 0;
  }
  if( !bDone && !bOurs ) sqlite3_str_appendall(pOut, "[migrate]\n");
  if( !bDone ) sqlite3_str_appendf(pOut, "%s = %s\n", zKey, zValue);
  zOut = sqlite3_str_finish(pOut);
  sqlite3_free(zText);
  if( zOut==0 ){
    *pzErr = sqlite3_mprintf("out of memory");
    return SQLITE_NOMEM;
  }
  rc = cfgReplace(zPath, zOut, pzErr) ? SQLITE_ERROR : SQLITE_OK;
  sqlite3_free(zOut);
  return rc;
}
