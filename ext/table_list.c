/*
** table_list.c: a cached list of the tables and views of every attached
** schema, for lookups by name that cost the same whatever the number of
** tables (PRAGMA table_list visits every table for each lookup).
**
**   MigTabList *pList = 0;
**   rc = migTabListFetch(db, &pCache, &pList);   // pList: a reference
**   migTabListFind(pList, "meetings", &iFirst, &iEnd);
**   ... pList->aEntry[iFirst..iEnd-1] ...
**   migTabListUnref(pList);
**
** The cache (*ppCache, owned by the caller, e.g. a virtual table) is keyed
** by a cookie made of every schema's name, file and schema_version, and
** rebuilt when the cookie changes. A list read inside an explicit
** transaction is not kept in the cache: a rollback can give an old
** schema_version number to a different schema.
*/
#include "mig_int.h"
#include <stdlib.h>
#include <string.h>

/* Free pList when its last reference goes. NULL is a no-op. */
void migTabListUnref(MigTabList *pList){
  int i;
  if( pList==0 || --pList->nRef>0 ) return;
  for(i=0; i<pList->nEntry; i++) sqlite3_free(pList->aEntry[i].zSchema);
  sqlite3_free(pList->aEntry);
  sqlite3_free(pList->zCookie);
  sqlite3_free(pList);
}

/*
** Set *pzCookie to a string that changes whenever the set of schemas or
** any schema's content definition changes. Returns an SQLite code.
*/
static int tablistCookie(sqlite3 *db, char **pzCookie){
  sqlite3_stmt *pList = 0;
  sqlite3_str *pStr = sqlite3_str_new(db);
  int rc = sqlite3_prepare_v2(db,
      "SELECT name, file FROM pragma_database_list", -1, &pList, 0);
  while( rc==SQLITE_OK && sqlite3_step(pList)==SQLITE_ROW ){
    const char *zName = (const char*)sqlite3_column_text(pList, 0);
    sqlite3_int64 iVersion = 0;
    rc = migQueryInt(db, &iVersion, "PRAGMA \"%w\".schema_version", zName);
    sqlite3_str_appendf(pStr, "%s|%s|%lld;", zName,
                        (const char*)sqlite3_column_text(pList, 1), iVersion);
  }
  if( rc==SQLITE_OK ) rc = sqlite3_finalize(pList);
  else sqlite3_finalize(pList);
  *pzCookie = sqlite3_str_finish(pStr);
  if( rc==SQLITE_OK && *pzCookie==0 ) rc = SQLITE_NOMEM;
  return rc;
}

/* Order entries by name (ASCII case-insensitive), then schema order. */
static int tablistCmp(const void *pA, const void *pB){
  const MigTabEntry *a = (const MigTabEntry*)pA;
  const MigTabEntry *b = (const MigTabEntry*)pB;
  int c = sqlite3_stricmp(a->zName, b->zName);
  return c ? c : a->iSchema - b->iSchema;
}

/*
** Append the current row of pTabs (schema, name, type, wr, seq) to pList.
** Schema, name and type share one allocation, owned by the entry.
*/
static int tablistAppend(MigTabList *pList, sqlite3_stmt *pTabs){
  MigTabEntry *pE;
  if( (pList->nEntry & (pList->nEntry-1))==0 ){
    sqlite3_int64 nNew = pList->nEntry ? 2*(sqlite3_int64)pList->nEntry : 16;
    MigTabEntry *aNew = sqlite3_realloc64(pList->aEntry, nNew*sizeof(*aNew));
    if( aNew==0 ) return SQLITE_NOMEM;
    pList->aEntry = aNew;
  }
  pE = &pList->aEntry[pList->nEntry];
  pE->zSchema = sqlite3_mprintf("%s%c%s%c%s",
      (const char*)sqlite3_column_text(pTabs, 0), 0,
      (const char*)sqlite3_column_text(pTabs, 1), 0,
      (const char*)sqlite3_column_text(pTabs, 2));
  if( pE->zSchema==0 ) return SQLITE_NOMEM;
  pE->zName = pE->zSchema + strlen(pE->zSchema) + 1;
  pE->zType = pE->zName + strlen(pE->zName) + 1;
  pE->bWithoutRowid = sqlite3_column_int(pTabs, 3);
  pE->iSchema = sqlite3_column_int(pTabs, 4);
  pList->nEntry++;
  return SQLITE_OK;
}

/* Build a new list (one reference) for cookie zCookie, which it takes. */
static int tablistBuild(sqlite3 *db, char *zCookie, MigTabList **ppOut){
  sqlite3_stmt *pTabs = 0;
  MigTabList *pList = sqlite3_malloc64(sizeof(*pList));
  int rc = SQLITE_OK;
  *ppOut = 0;
  if( pList==0 ){
    sqlite3_free(zCookie);
    return SQLITE_NOMEM;
  }
  memset(pList, 0, sizeof(*pList));
  pList->nRef = 1;
  pList->zCookie = zCookie;
  rc = sqlite3_prepare_v2(db,
      "SELECT t.schema, t.name, t.type, t.wr, d.seq"
      " FROM pragma_table_list AS t JOIN pragma_database_list AS d"
      "   ON d.name=t.schema"
      " WHERE t.name NOT IN ('sqlite_schema','sqlite_temp_schema')",
      -1, &pTabs, 0);
  while( rc==SQLITE_OK && sqlite3_step(pTabs)==SQLITE_ROW ){
    rc = tablistAppend(pList, pTabs);
  }
  if( rc==SQLITE_OK ) rc = sqlite3_finalize(pTabs);
  else sqlite3_finalize(pTabs);
  if( rc!=SQLITE_OK ){
    migTabListUnref(pList);
    return rc;
  }
  if( pList->nEntry>1 ){
    qsort(pList->aEntry, pList->nEntry, sizeof(MigTabEntry), tablistCmp);
  }
  *ppOut = pList;
  return SQLITE_OK;
}

int migTabListFetch(sqlite3 *db, MigTabList **ppCache, MigTabList **ppOut){
  char *zCookie = 0;
  int rc = tablistCookie(db, &zCookie);
  *ppOut = 0;
  if( rc!=SQLITE_OK ){
    sqlite3_free(zCookie);
    return rc;
  }
  if( *ppCache && strcmp((*ppCache)->zCookie, zCookie)==0 ){
    sqlite3_free(zCookie);
    (*ppCache)->nRef++;
    *ppOut = *ppCache;
    return SQLITE_OK;
  }
  rc = tablistBuild(db, zCookie, ppOut);
  if( rc==SQLITE_OK && sqlite3_get_autocommit(db) ){
    migTabListUnref(*ppCache);
    *ppCache = *ppOut;
    (*ppOut)->nRef++;
  }
  return rc;
}

void migTabListFind(MigTabList *pList, const char *zName,
                    int *piFirst, int *piEnd){
  int lo = 0, hi = pList->nEntry;
  while( lo<hi ){                  /* First entry not below zName */
    int mid = (lo+hi)/2;
    if( sqlite3_stricmp(pList->aEntry[mid].zName, zName)<0 ) lo = mid+1;
    else hi = mid;
  }
  *piFirst = lo;
  while( lo<pList->nEntry
      && sqlite3_stricmp(pList->aEntry[lo].zName, zName)==0 ){
    lo++;
  }
  *piEnd = lo;
}
