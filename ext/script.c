/*
** script.c: migration files, read into MigRev records.
**
** A file is a header comment block followed by sections:
**
**     -- Add meeting status                      (first line: message)
**     --
**     -- Revision ID: 3f9a1c2b7d10
**     -- Revises: 7c1e2a9b4f10                   (a, b: merge; empty: root)
**     -- Create Date: 2024-01-02 10:00:00
**     -- Branch Labels: billing                  (optional)
**     -- Depends On: 1a2b3c4d5e6f                (optional)
**
**     -- migrate:up [transaction:false]
**     ...SQL...
**     -- migrate:down [transaction:false]
**     ...SQL...
**
** Without "Revision ID:" the revision is the file name up to its first
** "_" (dbmate's version), and without "Revises:" the file follows the
** one before it in name order, so a plain dbmate directory runs as it is.
** A file must hold an up section; without a down section it is
** irreversible. Refused with "FILE:LINE: message": invalid UTF-8, SQL
** outside a section, a repeated or unknown section, an unknown option.
**
** Checksums are FNV-1a 64 over the file with CRLF and CR read as LF, so
** a file whose line endings change keeps its checksum.
*/
#include "engine_int.h"
#include <string.h>
#include <stdio.h>
#include <stdlib.h>
#include <dirent.h>

/* Free everything pRev owns and zero it. */
void migRevClear(MigRev *pRev){
  sqlite3_free(pRev->zId);
  sqlite3_free(pRev->zRevises);
  sqlite3_free(pRev->zDepends);
  sqlite3_free(pRev->zLabels);
  sqlite3_free(pRev->zMessage);
  sqlite3_free(pRev->zFile);
  sqlite3_free(pRev->zDate);
  sqlite3_free(pRev->zUp);
  sqlite3_free(pRev->zDown);
  sqlite3_free(pRev->zChecksum);
  sqlite3_free(pRev->zDownFile);
  sqlite3_free(pRev->aParent);
  sqlite3_free(pRev->aDep);
  sqlite3_free(pRev->aChild);
  memset(pRev, 0, sizeof(*pRev));
}

/* Copy of z (NULL stays NULL); sets *pRc to SQLITE_NOMEM on failure. */
static char *scriptDup(const char *z, int *pRc){
  char *zNew;
  if( z==0 ) return 0;
  zNew = sqlite3_mprintf("%s", z);
  if( zNew==0 ) *pRc = SQLITE_NOMEM;
  return zNew;
}

/*
** Deep copy of the text fields of pFrom into pTo (graph fields are left
** zero). Returns SQLITE_OK or SQLITE_NOMEM (pTo then cleared).
*/
int migRevCopy(MigRev *pTo, const MigRev *pFrom){
  int rc = SQLITE_OK;
  memset(pTo, 0, sizeof(*pTo));
  pTo->zId = scriptDup(pFrom->zId, &rc);
  pTo->zRevises = scriptDup(pFrom->zRevises, &rc);
  pTo->zDepends = scriptDup(pFrom->zDepends, &rc);
  pTo->zLabels = scriptDup(pFrom->zLabels, &rc);
  pTo->zMessage = scriptDup(pFrom->zMessage, &rc);
  pTo->zFile = scriptDup(pFrom->zFile, &rc);
  pTo->zDate = scriptDup(pFrom->zDate, &rc);
  pTo->zUp = scriptDup(pFrom->zUp, &rc);
  pTo->zDown = scriptDup(pFrom->zDown, &rc);
  pTo->zChecksum = scriptDup(pFrom->zChecksum, &rc);
  pTo->zDownFile = scriptDup(pFrom->zDownFile, &rc);
  pTo->eFormat = pFrom->eFormat;
  pTo->iUpLine = pFrom->iUpLine;
  pTo->iDownLine = pFrom->iDownLine;
  pTo->bUpNoTxn = pFrom->bUpNoTxn;
  pTo->bDownNoTxn = pFrom->bDownNoTxn;
  pTo->eSource = pFrom->eSource;
  pTo->bFollow = pFrom->bFollow;
  if( rc!=SQLITE_OK ) migRevClear(pTo);
  return rc;
}

/* How errors name a revision: its file, else "revision ID". sqlite3_free */
char *migRevLabel(const MigRev *pRev){
  if( pRev->zFile ) return sqlite3_mprintf("%s", pRev->zFile);
  return sqlite3_mprintf("revision %s", pRev->zId);
}

/* Checksum of zText[0..nText-1] as 16 hex digits, CRLF and CR read as
** LF (sqlite3_free; NULL when out of memory). */
char *migChecksum(const char *zText, int nText){
  sqlite3_uint64 h = 0xcbf29ce484222325ULL;
  int i;
  for(i=0; i<nText; i++){
    unsigned char c = (unsigned char)zText[i];
    if( c=='\r' ){
      if( i+1<nText && zText[i+1]=='\n' ) continue;
      c = '\n';
    }
    h = (h ^ c) * 0x100000001b3ULL;
  }
  return sqlite3_mprintf("%016llx", h);
}

/*
** Read the file zPath into a NUL-terminated buffer (sqlite3_free it),
** setting *pnText to its size. On error returns NULL with *pzErr set.
*/
char *migReadFile(const char *zPath, int *pnText, char **pzErr){
  FILE *f = fopen(zPath, "rb");
  char *zBuf = 0;
  long n;
  if( f==0 ){
    *pzErr = sqlite3_mprintf("cannot open %s", zPath);
    return 0;
  }
  if( fseek(f, 0, SEEK_END)==0 && (n = ftell(f))>=0 && n<0x7fffffff
   && fseek(f, 0, SEEK_SET)==0 ){
    zBuf = sqlite3_malloc64(n+1);
    if( zBuf && (long)fread(zBuf, 1, n, f)==n ){
      zBuf[n] = 0;
      *pnText = (int)n;
    }else{
      sqlite3_free(zBuf);
      zBuf = 0;
    }
  }
  fclose(f);
  if( zBuf==0 ) *pzErr = sqlite3_mprintf("cannot read %s", zPath);
  return zBuf;
}

/* Return the line (1-based) of the first invalid UTF-8 byte, or 0. */
static int scriptBadUtf8(const char *zText, int nText){
  const unsigned char *z = (const unsigned char*)zText;
  int i = 0, iLine = 1;
  while( i<nText ){
    int nExtra, j;
    unsigned char c = z[i];
    if( c=='\n' ) iLine++;
    if( c<0x80 ){ i++; continue; }
    if( c>=0xc2 && c<=0xdf ) nExtra = 1;
    else if( c>=0xe0 && c<=0xef ) nExtra = 2;
    else if( c>=0xf0 && c<=0xf4 ) nExtra = 3;
    else return iLine;
    if( i+nExtra>=nText ) return iLine;
    for(j=1; j<=nExtra; j++){
      if( (z[i+j]&0xc0)!=0x80 ) return iLine;
    }
    if( c==0xe0 && z[i+1]<0xa0 ) return iLine;        /* Overlong */
    if( c==0xed && z[i+1]>=0xa0 ) return iLine;       /* Surrogate */
    if( c==0xf0 && z[i+1]<0x90 ) return iLine;        /* Overlong */
    if( c==0xf4 && z[i+1]>=0x90 ) return iLine;       /* > U+10FFFF */
    i += nExtra+1;
  }
  return 0;
}

/* Trimmed copy of z[0..n-1]; NULL when empty, or with *pRc set to
** SQLITE_NOMEM when out of memory. */
static char *scriptTrim(const char *z, int n, int *pRc){
  char *zNew;
  while( n>0 && (z[0]==' ' || z[0]=='\t') ){ z++; n--; }
  while( n>0 && (z[n-1]==' ' || z[n-1]=='\t' || z[n-1]=='\r') ) n--;
  if( n==0 ) return 0;
  zNew = sqlite3_mprintf("%.*s", n, z);
  if( zNew==0 ) *pRc = SQLITE_NOMEM;
  return zNew;
}

/* The header fields a file may set. */
static const char *azScriptKey[] = {
  "Revision ID", "Revises", "Create Date", "Branch Labels", "Depends On"
};

/* State of one parse. */
typedef struct ScriptParse ScriptParse;
struct ScriptParse {
  const char *zFile;           /* File name, for messages */
  MigRev *pRev;                /* Being filled */
  int bRevises;                /* A "Revises:" line was seen */
  int eSection;                /* 0 none yet, 1 up, 2 down */
  int iStart;                  /* Offset where the open section starts */
  int iStartLine;              /* Its first line */
  char *zErr;                  /* Error message */
};

/* A header comment line, body z[0..n-1] after "--". Returns an SQLite code */
static int scriptHeader(ScriptParse *p, const char *z, int n){
  size_t i;
  char *zVal;
  int rc = SQLITE_OK;
  MigRev *r = p->pRev;
  for(i=0; i<sizeof(azScriptKey)/sizeof(azScriptKey[0]); i++){
    int nKey = (int)strlen(azScriptKey[i]);
    const char *zB = z;
    int nB = n;
    while( nB>0 && *zB==' ' ){ zB++; nB--; }
    if( nB>nKey && sqlite3_strnicmp(zB, azScriptKey[i], nKey)==0
     && zB[nKey]==':' ){
      zVal = scriptTrim(zB+nKey+1, nB-nKey-1, &rc);
      if( zVal && (i==1 || i==4) && sqlite3_stricmp(zVal, "None")==0 ){
        sqlite3_free(zVal);
        zVal = 0;
      }
      switch( i ){
        case 0: sqlite3_free(r->zId); r->zId = zVal; break;
        case 1: sqlite3_free(r->zRevises); r->zRevises = zVal;
                p->bRevises = 1; break;
        case 2: sqlite3_free(r->zDate); r->zDate = zVal; break;
        case 3: sqlite3_free(r->zLabels); r->zLabels = zVal; break;
        default: sqlite3_free(r->zDepends); r->zDepends = zVal; break;
      }
      return rc;
    }
  }
  if( r->zMessage==0 ) r->zMessage = scriptTrim(z, n, &rc);
  return rc;
}

/* Close the open section at offset iEnd of zText. */
static int scriptCloseSection(ScriptParse *p, const char *zText, int iEnd){
  char *z;
  if( p->eSection==0 ) return SQLITE_OK;
  z = sqlite3_mprintf("%.*s", iEnd-p->iStart, zText+p->iStart);
  if( z==0 ) return SQLITE_NOMEM;
  if( p->eSection==1 ){
    p->pRev->zUp = z;
    p->pRev->iUpLine = p->iStartLine;
  }else{
    p->pRev->zDown = z;
    p->pRev->iDownLine = p->iStartLine;
  }
  return SQLITE_OK;
}

/*
** If line z[0..n-1] (leading blanks removed) is a "-- migrate:" marker,
** return 1 (up) or 2 (down), setting *pbNoTxn from its options; return 0
** for any other line, or -1 after setting p->zErr.
*/
static int scriptMarker(ScriptParse *p, const char *z, int n, int iLine,
                        int *pbNoTxn){
  int i = 2, eSec, j;
  if( n<2 || z[0]!='-' || z[1]!='-' ) return 0;
  while( i<n && (z[i]==' ' || z[i]=='\t') ) i++;
  if( n-i<8 || strncmp(z+i, "migrate:", 8)!=0 ) return 0;
  i += 8;
  if( n-i>=2 && strncmp(z+i, "up", 2)==0 ){ eSec = 1; i += 2; }
  else if( n-i>=4 && strncmp(z+i, "down", 4)==0 ){ eSec = 2; i += 4; }
  else eSec = 0;
  if( eSec==0 || (i<n && z[i]!=' ' && z[i]!='\t' && z[i]!='\r') ){
    for(j=i; j<n && z[j]!=' ' && z[j]!='\t' && z[j]!='\r'; j++){}
    p->zErr = sqlite3_mprintf("%s:%d: unknown section \"%.*s\"",
                              p->zFile, iLine, j, z);
    return -1;
  }
  *pbNoTxn = 0;
  while( i<n ){
    while( i<n && (z[i]==' ' || z[i]=='\t' || z[i]=='\r') ) i++;
    if( i>=n ) break;
    for(j=i; j<n && z[j]!=' ' && z[j]!='\t' && z[j]!='\r'; j++){}
    if( j-i==17 && strncmp(z+i, "transaction:false", 17)==0 ){
      *pbNoTxn = 1;
    }else if( !(j-i==16 && strncmp(z+i, "transaction:true", 16)==0) ){
      p->zErr = sqlite3_mprintf("%s:%d: unknown option \"%.*s\"",
                                p->zFile, iLine, j-i, z+i);
      return -1;
    }
    i = j;
  }
  return eSec;
}

/* Handle one line z[0..n-1] at offset iOff, line iLine. SQLite code. */
static int scriptLine(ScriptParse *p, const char *zText, int iOff,
                      int n, int iLine, int iNext){
  const char *z = zText+iOff;
  int bNoTxn = 0, eSec;
  while( n>0 && (*z==' ' || *z=='\t') ){ z++; n--; }
  eSec = scriptMarker(p, z, n, iLine, &bNoTxn);
  if( eSec<0 ) return SQLITE_ERROR;
  if( eSec>0 ){
    if( (eSec==1 && p->pRev->zUp) || (eSec==2 && p->pRev->zDown)
     || eSec==p->eSection ){
      p->zErr = sqlite3_mprintf("%s:%d: duplicate \"-- migrate:%s\" section",
                                p->zFile, iLine, eSec==1 ? "up" : "down");
      return SQLITE_ERROR;
    }
    if( scriptCloseSection(p, zText, iOff) ) return SQLITE_NOMEM;
    p->eSection = eSec;
    p->iStart = iNext;
    p->iStartLine = iLine+1;
    if( eSec==1 ) p->pRev->bUpNoTxn = bNoTxn;
    else p->pRev->bDownNoTxn = bNoTxn;
    return SQLITE_OK;
  }
  if( p->eSection ) return SQLITE_OK;
  if( n==0 || (n==1 && z[0]=='\r') ) return SQLITE_OK;
  if( n>=2 && z[0]=='-' && z[1]=='-' ) return scriptHeader(p, z+2, n-2);
  p->zErr = sqlite3_mprintf("%s:%d: SQL outside a \"-- migrate:up\" or "
                            "\"-- migrate:down\" section", p->zFile, iLine);
  return SQLITE_ERROR;
}

/*
** Fill pRev (zeroed by the caller) from the text of file zFile. Fields
** the file leaves out stay NULL (zId, zMessage: see migScriptsLoad()).
** Returns SQLITE_OK, or an error code with *pzErr set.
*/
int migScriptParse(const char *zFile, const char *zText, int nText,
                   MigRev *pRev, char **pzErr){
  ScriptParse s;
  int rc = SQLITE_OK, i = 0, iLine = 1, iBad;
  memset(&s, 0, sizeof(s));
  s.zFile = zFile;
  s.pRev = pRev;
  iBad = scriptBadUtf8(zText, nText);
  if( iBad ){
    *pzErr = sqlite3_mprintf("%s:%d: not valid UTF-8", zFile, iBad);
    return SQLITE_ERROR;
  }
  if( nText>=3 && memcmp(zText, "\xef\xbb\xbf", 3)==0 ) i = 3;
  while( rc==SQLITE_OK && i<nText ){
    const char *zEol = memchr(zText+i, '\n', nText-i);
    int n = zEol ? (int)(zEol-(zText+i)) : nText-i;
    int iNext = zEol ? i+n+1 : nText;
    rc = scriptLine(&s, zText, i, n, iLine, iNext);
    i = iNext;
    iLine++;
  }
  if( rc==SQLITE_OK ) rc = scriptCloseSection(&s, zText, nText);
  if( rc==SQLITE_OK && pRev->zUp==0 ){
    s.zErr = sqlite3_mprintf("%s: no \"-- migrate:up\" section", zFile);
    rc = SQLITE_ERROR;
  }
  if( rc==SQLITE_OK ){
    pRev->bFollow = !s.bRevises;
    pRev->zChecksum = migChecksum(zText, nText);
    if( pRev->zChecksum==0 ) rc = SQLITE_NOMEM;
  }
  if( rc!=SQLITE_OK ){
    *pzErr = s.zErr ? s.zErr : sqlite3_mprintf("%s", sqlite3_errstr(rc));
  }
  return rc;
}

/*
** dbmate fallback for a file named zName ("0003_add_x.sql"): revision
** "0003" when the file has no "Revision ID:", message "add x" when it
** has none. Returns an SQLite code.
*/
static int scriptFromName(const char *zName, MigRev *pRev){
  int n = (int)strlen(zName) - 4;        /* Without ".sql" */
  const char *zUnder = memchr(zName, '_', n);
  int nTok = zUnder ? (int)(zUnder-zName) : n;
  if( pRev->zId==0 ){
    pRev->zId = sqlite3_mprintf("%.*s", nTok, zName);
    if( pRev->zId==0 ) return SQLITE_NOMEM;
  }
  if( pRev->zMessage==0 && zUnder && n-nTok>1 ){
    char *z = sqlite3_mprintf("%.*s", n-nTok-1, zUnder+1);
    int i;
    if( z==0 ) return SQLITE_NOMEM;
    for(i=0; z[i]; i++) if( z[i]=='_' ) z[i] = ' ';
    pRev->zMessage = z;
  }
  return SQLITE_OK;
}

/* qsort comparison of two file names */
static int scriptCmp(const void *a, const void *b){
  return strcmp(*(char*const*)a, *(char*const*)b);
}

/* True if zName is "*.sql" and not hidden: a file migScriptsLoad() reads. */
int migScriptIsSql(const char *zName){
  size_t n = strlen(zName);
  return n>4 && zName[0]!='.' && strcmp(zName+n-4, ".sql")==0;
}

/*
** The sorted names of the *.sql files of zDir in *pazName (each and the
** array sqlite3_free'd by the caller). A directory that does not exist
** gives no names when bMissingOk, else an error.
*/
static int scriptList(const char *zDir, int bMissingOk, char ***pazName,
                      int *pnName, char **pzErr){
  DIR *d = opendir(zDir);
  struct dirent *pEnt;
  char **az = 0;
  int n = 0, rc = SQLITE_OK;
  *pazName = 0;
  *pnName = 0;
  if( d==0 ){
    if( bMissingOk ) return SQLITE_OK;
    *pzErr = sqlite3_mprintf("no such directory: %s", zDir);
    return SQLITE_ERROR;
  }
  while( rc==SQLITE_OK && (pEnt = readdir(d))!=0 ){
    char **azNew;
    if( !migScriptIsSql(pEnt->d_name) ) continue;
    azNew = sqlite3_realloc64(az, sizeof(char*)*(n+1));
    if( azNew==0 ){ rc = SQLITE_NOMEM; break; }
    az = azNew;
    az[n] = sqlite3_mprintf("%s", pEnt->d_name);
    if( az[n]==0 ){ rc = SQLITE_NOMEM; break; }
    n++;
  }
  closedir(d);
  if( n>1 ) qsort(az, n, sizeof(char*), scriptCmp);
  *pazName = az;
  *pnName = n;
  return rc;
}

/*
** Parse file zName of zDir into pRev: its text zText (nText bytes) when
** the caller has read it already (NULL: read it here). SQLite code,
** *pzErr.
*/
static int scriptLoadOne(const char *zDir, const char *zName,
                         const char *zText, int nText, MigRev *pRev,
                         char **pzErr){
  int rc = SQLITE_OK;
  char *zRead = 0;
  pRev->zFile = sqlite3_mprintf("%s/%s", zDir, zName);
  if( pRev->zFile==0 ) return SQLITE_NOMEM;
  if( zText==0 ){
    zText = zRead = migReadFile(pRev->zFile, &nText, pzErr);
    if( zText==0 ) return SQLITE_ERROR;
  }
  rc = migScriptParse(pRev->zFile, zText, nText, pRev, pzErr);
  sqlite3_free(zRead);
  if( rc==SQLITE_OK ) rc = scriptFromName(zName, pRev);
  return rc;
}

/*
** Load every *.sql file of zDir, in name order, into a new array
** *paRev of *pnRev revisions (free each with migRevClear(), then the
** array). Files without "Revises:" follow the file before them.
*/
int migScriptsLoad(const char *zDir, int bMissingOk, MigRev **paRev,
                   int *pnRev, char **pzErr){
  char **azName = 0;
  int nName = 0, i, rc;
  *paRev = 0;
  *pnRev = 0;
  rc = scriptList(zDir, bMissingOk, &azName, &nName, pzErr);
  if( rc==SQLITE_OK ){
    rc = migScriptsParse(zDir, nName, (const char*const*)azName, 0, 0,
                         paRev, pnRev, pzErr);
  }
  for(i=0; i<nName; i++) sqlite3_free(azName[i]);
  sqlite3_free(azName);
  if( rc==SQLITE_NOMEM && *pzErr==0 ) *pzErr = sqlite3_mprintf("out of memory");
  return rc;
}

/*
** migScriptsLoad() for the nName files azName of zDir, sorted, that the
** caller listed (and read: azText[i], anText[i] bytes, when azText is
** not NULL; a NULL azText[i] is read here).
*/
int migScriptsParse(const char *zDir, int nName, const char *const *azName,
                    const char *const *azText, const int *anText,
                    MigRev **paRev, int *pnRev, char **pzErr){
  int i, rc = SQLITE_OK;
  MigRev *aRev = 0;
  *paRev = 0;
  *pnRev = 0;
  if( nName>0 ){
    aRev = sqlite3_malloc64(sizeof(MigRev)*nName);
    if( aRev==0 ) rc = SQLITE_NOMEM;
    else memset(aRev, 0, sizeof(MigRev)*nName);
  }
  for(i=0; rc==SQLITE_OK && i<nName; i++){
    rc = scriptLoadOne(zDir, azName[i], azText ? azText[i] : 0,
                       azText ? anText[i] : 0, &aRev[i], pzErr);
    if( rc==SQLITE_OK && aRev[i].bFollow && i>0 ){
      aRev[i].zRevises = sqlite3_mprintf("%s", aRev[i-1].zId);
      if( aRev[i].zRevises==0 ) rc = SQLITE_NOMEM;
    }
  }
  if( rc==SQLITE_OK ){
    *paRev = aRev;
    *pnRev = nName;
  }else if( aRev ){
    for(i=0; i<nName; i++) migRevClear(&aRev[i]);
    sqlite3_free(aRev);
  }
  if( rc==SQLITE_NOMEM && *pzErr==0 ) *pzErr = sqlite3_mprintf("out of memory");
  return rc;
}
