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
** An unknown key or a value the key does not take is an error naming it.
** Settings belong to the connection and are not stored in the database.
*/
#include "backup_int.h"

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

static const MigConfigKey aKey[] = {
  { "backup", migCfgBackupGet, migCfgBackupSet, "'auto' or 'off'" },
  { "schema", migCfgSchemaGet, migCfgSchemaSet, "a path" },
};

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
