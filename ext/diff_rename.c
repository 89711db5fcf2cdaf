/*
** diff_rename.c: renames marked in a desired schema.
**
** A table or column renamed in schema.sql is marked with a comment
** "-- migrate:renamed-from OLD": for a column on the line where its
** definition starts, for a table on the line of its CREATE (or the line
** before it). migRenameParse() finds the marks; migRenameSql() turns the
** ones that apply to the from-side (the old name is there, the new one
** is not) into ALTER TABLE ... RENAME statements, both ways. A mark left
** in the file after its migration was applied no longer applies, so a
** second diff is empty.
*/
#include "diff_int.h"
#include "alter_int.h"
#include <string.h>

/* Scanner state. */
typedef struct RenScan RenScan;
struct RenScan {
  const char *z;               /* The SQL */
  int i;                       /* Offset of the next token */
  int iLine;                   /* Line at i */
  MigRename *aRen;             /* Marks found (owned until returned) */
  int nRen;                    /* Number of marks */
  int rc;                      /* SQLITE_NOMEM on OOM */
};

/* Next non-space token from s->i (comments handled by the caller). */
static int renToken(RenScan *s, int *peType){
  int n;
  while( s->z[s->i] ){
    n = migTokenLen(&s->z[s->i], peType);
    if( *peType!=MIG_TK_SPACE ) return n;
    s->i += n;
  }
  *peType = 0;
  return 0;
}

/* Record a mark. zOld is the comment's argument (quotes allowed). */
static void renAdd(RenScan *s, const char *zTable, const char *zCol,
                   const char *zOld, int nOld){
  MigRename *aNew = sqlite3_realloc64(s->aRen, sizeof(MigRename)*(s->nRen+1));
  MigToken t;
  if( aNew==0 ){ s->rc = SQLITE_NOMEM; return; }
  s->aRen = aNew;
  memset(&aNew[s->nRen], 0, sizeof(MigRename));
  t.iOff = 0;
  t.n = nOld;
  migTokenLen(zOld, &t.eType);
  aNew[s->nRen].zTable = sqlite3_mprintf("%s", zTable);
  aNew[s->nRen].zCol = zCol ? sqlite3_mprintf("%s", zCol) : 0;
  {
    char *zCopy = sqlite3_mprintf("%.*s", nOld, zOld);
    aNew[s->nRen].zOld = zCopy ? migTokName(zCopy, &t) : 0;
    sqlite3_free(zCopy);
  }
  s->nRen++;
  if( !aNew[s->nRen-1].zTable || !aNew[s->nRen-1].zOld
   || (zCol && !aNew[s->nRen-1].zCol) ) s->rc = SQLITE_NOMEM;
}

/* If the comment at z (n bytes) is a mark, its argument in *pzOld and
** *pnOld, and return 1. */
static int renIsMark(const char *z, int n, const char **pzOld, int *pnOld){
  static const char zMark[] = "migrate:renamed-from";
  int i = 2, j;
  if( n<2 || z[0]!='-' || z[1]!='-' ) return 0;
  while( i<n && z[i]==' ' ) i++;
  if( n-i<(int)sizeof(zMark)-1 || strncmp(&z[i], zMark, sizeof(zMark)-1) ){
    return 0;
  }
  i += sizeof(zMark)-1;
  while( i<n && (z[i]==' ' || z[i]=='\t') ) i++;
  for(j=i; j<n && z[j]!='\n' && z[j]!='\r' && z[j]!=' ' && z[j]!='\t'; j++){}
  if( j==i ) return 0;
  *pzOld = &z[i];
  *pnOld = j-i;
  return 1;
}

/* Count the newlines of z[0..n). */
static int renLines(const char *z, int n){
  int i, k = 0;
  for(i=0; i<n; i++) if( z[i]=='\n' ) k++;
  return k;
}

/*
** Find the marks of zSql. *paRen (free with migRenameFree) gets *pnRen
** entries. Returns SQLITE_OK or SQLITE_NOMEM.
*/
int migRenameParse(const char *zSql, MigRename **paRen, int *pnRen){
  RenScan s;
  char *zTable = 0, *zCol = 0;
  const char *zPend = 0;
  int nPend = 0, iDepth = 0, bStart = 1, bItem = 0, eState = 0;
  int iCreateLine = -1, iColLine = -1;
  memset(&s, 0, sizeof(s));
  s.z = zSql;
  while( s.rc==SQLITE_OK && zSql[s.i] ){
    int eType, n = migTokenLen(&zSql[s.i], &eType);
    const char *zTok = &zSql[s.i];
    const char *zOld;
    int nOld;
    if( eType==MIG_TK_SPACE ){
      if( renIsMark(zTok, n, &zOld, &nOld) ){
        if( eState==2 && zCol && iColLine==s.iLine ){
          renAdd(&s, zTable, zCol, zOld, nOld);
        }else if( eState>=1 && zTable && (eState==1 || iCreateLine==s.iLine) ){
          renAdd(&s, zTable, 0, zOld, nOld);
        }else if( bStart ){
          zPend = zOld;
          nPend = nOld;
        }
      }
    }else if( eType==MIG_TK_SEMI && iDepth==0 ){
      bStart = 1;
      eState = 0;
      zPend = 0;
    }else if( bStart && migTokIsWord(zSql, &(MigToken){eType, s.i, n},
                                     "CREATE") ){
      bStart = 0;
      iCreateLine = s.iLine;
      eState = -1;             /* CREATE seen, TABLE not yet */
    }else if( eState==-1 ){
      MigToken t = {eType, s.i, n};
      if( migTokIsWord(zSql, &t, "TABLE") ){
        eState = -2;
      }else if( !migTokIsWord(zSql, &t, "TEMP")
             && !migTokIsWord(zSql, &t, "TEMPORARY") ){
        eState = 0;
      }
    }else if( eState==-2 ){
      MigToken t = {eType, s.i, n};
      if( !migTokIsWord(zSql, &t, "IF") && !migTokIsWord(zSql, &t, "NOT")
       && !migTokIsWord(zSql, &t, "EXISTS") && eType!=MIG_TK_DOT ){
        int eNext;
        int iSave = s.i;
        s.i += n;
        renToken(&s, &eNext);
        if( eNext!=MIG_TK_DOT ){
          sqlite3_free(zTable);
          zTable = migTokName(zSql, &t);
          if( zTable==0 ) s.rc = SQLITE_NOMEM;
          eState = 1;
          if( zPend ) renAdd(&s, zTable, 0, zPend, nPend);
          zPend = 0;
        }
        s.i = iSave;
      }
    }else if( eState>=1 ){
      if( eType==MIG_TK_LP ){
        iDepth++;
        if( iDepth==1 ){ eState = 2; bItem = 1; }
      }else if( eType==MIG_TK_RP ){
        iDepth--;
        if( iDepth==0 ){ eState = 3; sqlite3_free(zCol); zCol = 0; }
      }else if( eType==MIG_TK_COMMA && iDepth==1 ){
        bItem = 1;
      }else if( bItem && iDepth==1 ){
        static const char *az[] = {
          "CONSTRAINT", "PRIMARY", "UNIQUE", "CHECK", "FOREIGN"
        };
        MigToken t = {eType, s.i, n};
        size_t k;
        int bCons = 0;
        for(k=0; k<sizeof(az)/sizeof(az[0]); k++){
          if( migTokIsWord(zSql, &t, az[k]) ) bCons = 1;
        }
        sqlite3_free(zCol);
        zCol = bCons ? 0 : migTokName(zSql, &t);
        iColLine = s.iLine;
        bItem = 0;
      }
    }else if( eType!=MIG_TK_SPACE ){
      bStart = 0;
    }
    s.iLine += renLines(zTok, n);
    s.i += n;
  }
  sqlite3_free(zTable);
  sqlite3_free(zCol);
  if( s.rc!=SQLITE_OK ){
    migRenameFree(s.aRen, s.nRen);
    s.aRen = 0;
    s.nRen = 0;
  }
  *paRen = s.aRen;
  *pnRen = s.nRen;
  return s.rc;
}

/* Free marks. */
void migRenameFree(MigRename *aRen, int nRen){
  int i;
  for(i=0; i<nRen; i++){
    sqlite3_free(aRen[i].zTable);
    sqlite3_free(aRen[i].zOld);
    sqlite3_free(aRen[i].zCol);
  }
  sqlite3_free(aRen);
}

/* True if db's main schema has table zTab (with column zCol if given). */
static int renHas(sqlite3 *db, const char *zTab, const char *zCol){
  sqlite3_int64 n = 0;
  if( zCol ){
    migQueryInt(db, &n, "SELECT count(*) FROM pragma_table_xinfo(%Q, 'main')"
                " WHERE name=%Q COLLATE nocase", zTab, zCol);
  }else{
    migQueryInt(db, &n, "SELECT count(*) FROM main.sqlite_schema"
                " WHERE type='table' AND name=%Q COLLATE nocase", zTab);
  }
  return n>0;
}

/*
** The rename statements of the marks that apply to the from-side
** database dbFrom: *pzUp renames tables then columns, *pzDown undoes
** them (columns, then tables). Both sqlite3_malloc'd, "" when none.
** A note line "-- renamed: ..." precedes each statement.
*/
int migRenameSql(sqlite3 *dbFrom, const MigRename *aRen, int nRen,
                 char **pzUp, char **pzDown){
  sqlite3_str *pUp = sqlite3_str_new(0), *pDown = sqlite3_str_new(0);
  sqlite3_str *pDownTab = sqlite3_str_new(0);
  int i, rc;
  for(i=0; i<nRen; i++){
    const MigRename *r = &aRen[i];
    char *zNew = migDiffId(r->zTable), *zOld = migDiffId(r->zOld);
    if( r->zCol==0 && renHas(dbFrom, r->zOld, 0)
     && !renHas(dbFrom, r->zTable, 0) ){
      sqlite3_str_appendf(pUp, "-- renamed: table %s to %s\n"
                          "ALTER TABLE %s RENAME TO %s;\n",
                          r->zOld, r->zTable, zOld, zNew);
      sqlite3_str_appendf(pDownTab, "ALTER TABLE %s RENAME TO %s;\n",
                          zNew, zOld);
    }
    sqlite3_free(zNew);
    sqlite3_free(zOld);
  }
  for(i=0; i<nRen; i++){
    const MigRename *r = &aRen[i];
    const char *zFromTab = r->zTable;
    char *zTab, *zNew, *zOld;
    int k;
    if( r->zCol==0 ) continue;
    for(k=0; k<nRen; k++){
      if( aRen[k].zCol==0 && migNameEq(aRen[k].zTable, r->zTable)
       && renHas(dbFrom, aRen[k].zOld, 0) ) zFromTab = aRen[k].zOld;
    }
    if( !renHas(dbFrom, zFromTab, r->zOld)
     || renHas(dbFrom, zFromTab, r->zCol) ) continue;
    zTab = migDiffId(r->zTable);
    zNew = migDiffId(r->zCol);
    zOld = migDiffId(r->zOld);
    sqlite3_str_appendf(pUp, "-- renamed: column %s.%s to %s\n"
                        "ALTER TABLE %s RENAME COLUMN %s TO %s;\n",
                        r->zTable, r->zOld, r->zCol, zTab, zOld, zNew);
    sqlite3_str_appendf(pDown, "ALTER TABLE %s RENAME COLUMN %s TO %s;\n",
                        zTab, zNew, zOld);
    sqlite3_free(zTab);
    sqlite3_free(zNew);
    sqlite3_free(zOld);
  }
  sqlite3_str_appendall(pDown, sqlite3_str_value(pDownTab) ?
                        sqlite3_str_value(pDownTab) : "");
  rc = sqlite3_str_errcode(pUp) || sqlite3_str_errcode(pDown)
    || sqlite3_str_errcode(pDownTab) ? SQLITE_NOMEM : SQLITE_OK;
  sqlite3_free(sqlite3_str_finish(pDownTab));
  *pzUp = sqlite3_str_finish(pUp);
  *pzDown = sqlite3_str_finish(pDown);
  if( *pzUp==0 ) *pzUp = sqlite3_mprintf("");
  if( *pzDown==0 ) *pzDown = sqlite3_mprintf("");
  if( *pzUp==0 || *pzDown==0 ) rc = SQLITE_NOMEM;
  return rc;
}
