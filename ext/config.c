/*
** config.c: migrate_config(key [, value]), the connection's settings.
**
**   SELECT migrate_config('backup');          -- 'off' (the default)
**   SELECT migrate_config('backup', 'auto');  -- set it; returns 'auto'
**
** Keys (one entry each in aKey[] below; add new ones there):
**   backup   'auto': the migration runner takes a snapshot before any
**            migration that drops a table or a column (MigConn.eBackupAuto);
**            'off': it does not.
**   schema   path of the desired schema file of autogenerate (default:
**            schema.sql beside the migrations directory).
**   format   the format migration directories are read in: 'auto' (the
**            default: detected from the files, see format.c) or one of
**            migrate, dbmate, golang-migrate, goose, sqlx, diesel,
**            flyway, sql-migrate, plain (MigConn.eFormat)
**   peer_table  'on' (the default): the bookkeeping table of the
**            directory's own tool is adopted and kept in step (peer.c);
**            'off': it is neither read nor written (MigConn.bPeerOff)
**   placeholder.NAME  the value of Flyway placeholder ${NAME}; NULL until
**            set; any text (MigConn.azPlace)
** An unknown key or a value the key does not take is an error naming it.
** Settings belong to the connection and are not stored in the database.
*/
#include "backup_int.h"
#include "engine_int.h"
#include <string.h>

/* One setting: get returns its value, set parses and stores zValue. */
typedef struct MigConfigKey MigConfigKey;
struct MigConfigKey {
  const char *zKey;                              /* Name */
  const char *(*xGet)(MigConn*);                 /* Current value */
  int (*xSet)(MigConn*, const char *zValue);     /* 0 ok, 1 bad value */
  const char *zValues;                           /* For the error message */
};

static const char *migCfgBackupGet(MigConn *p){
  return p->eBackupAuto ? "auto" : "off";
}
static int migCfgBackupSet(MigConn *p, const char *zValue){
  if( migNameEq(zValue, "auto") ){ p->eBackupAuto = 1; return 0; }
  if( migNameEq(zValue, "off") ){ p->eBackupAuto = 0; return 0; }
  return 1;
}

static const char *migCfgSchemaGet(MigConn *p){
  return p->zSchemaFile ? p->zSchemaFile : "schema.sql";
}
static int migCfgSchemaSet(MigConn *p, const char *zValue){
  char *z;
  if( zValue[0]==0 ) return 1;
  z = sqlite3_mprintf("%s", zValue);
  if( z==0 ) return 1;
  sqlite3_free(p->zSchemaFile);
  p->zSchemaFile = z;
  return 0;
}

static const char *migCfgFormatGet(MigConn *p){
  return migFormatName(p->eFormat);
}
static int migCfgFormatSet(MigConn *p, const char *zValue){
  int e = migFormatParse(zValue);
  if( e<0 ) return 1;
  p->eFormat = e;
  return 0;
}
static const char *migCfgPeerGet(MigConn *p){
  return p->bPeerOff ? "off" : "on";
}
static int migCfgPeerSet(MigConn *p, const char *zValue){
  if( migNameEq(zValue, "on") ){ p->bPeerOff = 0; return 0; }
  if( migNameEq(zValue, "off") ){ p->bPeerOff = 1; return 0; }
  return 1;
}

static const MigConfigKey aKey[] = {
  { "backup", migCfgBackupGet, migCfgBackupSet, "'auto' or 'off'" },
  { "schema", migCfgSchemaGet, migCfgSchemaSet, "a path" },
  { "format", migCfgFormatGet, migCfgFormatSet,
    "'auto', 'migrate', 'dbmate', 'golang-migrate', 'goose', 'sqlx', "
    "'diesel', 'flyway', 'sql-migrate' or 'plain'" },
  { "peer_table", migCfgPeerGet, migCfgPeerSet, "'on' or 'off'" },
};

/*
** placeholder.NAME: set it to zValue when not NULL; return its value or
** NULL (owned by p). *pRc gets SQLITE_NOMEM when out of memory.
*/
static const char *migCfgPlace(MigConn *p, const char *zName,
                               const char *zValue, int *pRc){
  int i;
  char **azNew;
  for(i=0; i+1<p->nPlace; i+=2){
    if( strcmp(p->azPlace[i], zName)==0 ) break;
  }
  if( zValue==0 ) return i+1<p->nPlace ? p->azPlace[i+1] : 0;
  if( i+1<p->nPlace ){
    char *z = sqlite3_mprintf("%s", zValue);
    if( z==0 ){ *pRc = SQLITE_NOMEM; return 0; }
    sqlite3_free(p->azPlace[i+1]);
    p->azPlace[i+1] = z;
    return z;
  }
  azNew = sqlite3_realloc64(p->azPlace, sizeof(char*)*(p->nPlace+2));
  if( azNew==0 ){ *pRc = SQLITE_NOMEM; return 0; }
  p->azPlace = azNew;
  azNew[p->nPlace] = sqlite3_mprintf("%s", zName);
  azNew[p->nPlace+1] = sqlite3_mprintf("%s", zValue);
  if( azNew[p->nPlace]==0 || azNew[p->nPlace+1]==0 ){
    sqlite3_free(azNew[p->nPlace]);
    sqlite3_free(azNew[p->nPlace+1]);
    *pRc = SQLITE_NOMEM;
    return 0;
  }
  p->nPlace += 2;
  return azNew[p->nPlace-1];
}

/* migrate_config('placeholder.NAME' [, value]) */
static void migConfigPlace(sqlite3_context *ctx, MigConn *p,
                           const char *zName, int argc, sqlite3_value **argv){
  int rc = SQLITE_OK;
  const char *zValue = argc==2 ? (const char*)sqlite3_value_text(argv[1]) : 0;
  const char *zRes;
  if( zName[0]==0 ){
    sqlite3_result_error(ctx, "migrate_config: placeholder name missing "
                         "(placeholder.NAME)", -1);
    return;
  }
  if( argc==2 && zValue==0 ){
    sqlite3_result_error(ctx, "migrate_config: a placeholder value must be "
                         "text: NULL", -1);
    return;
  }
  zRes = migCfgPlace(p, zName, zValue, &rc);
  if( rc!=SQLITE_OK ){
    sqlite3_result_error_nomem(ctx);
  }else if( zRes ){
    sqlite3_result_text(ctx, zRes, -1, SQLITE_TRANSIENT);
  }
}

/*
** migrate_config(key [, value]): the value of setting key, after setting
** it to value when given.
*/
void migConfigFunc(sqlite3_context *ctx, int argc, sqlite3_value **argv){
  MigConn *p = (MigConn*)sqlite3_user_data(ctx);
  const char *zKey = (const char*)sqlite3_value_text(argv[0]);
  const MigConfigKey *pKey = 0;
  size_t i;
  if( migDirectOnly(ctx, "migrate_config") ) return;
  if( zKey && sqlite3_strnicmp(zKey, "placeholder.", 12)==0 ){
    migConfigPlace(ctx, p, zKey+12, argc, argv);
    return;
  }
  for(i=0; zKey && i<sizeof(aKey)/sizeof(aKey[0]); i++){
    if( migNameEq(zKey, aKey[i].zKey) ) pKey = &aKey[i];
  }
  if( pKey==0 ){
    char *z = sqlite3_mprintf("migrate_config: unknown key: %s",
                              zKey ? zKey : "NULL");
    sqlite3_result_error(ctx, z ? z : "out of memory", -1);
    sqlite3_free(z);
    return;
  }
  if( argc==2 ){
    const char *zValue = (const char*)sqlite3_value_text(argv[1]);
    if( zValue==0 || pKey->xSet(p, zValue) ){
      char *z = sqlite3_mprintf("migrate_config: %s must be %s: %s",
                                pKey->zKey, pKey->zValues,
                                zValue ? zValue : "NULL");
      sqlite3_result_error(ctx, z ? z : "out of memory", -1);
      sqlite3_free(z);
      return;
    }
  }
  sqlite3_result_text(ctx, pKey->xGet(p), -1, SQLITE_TRANSIENT);
}
