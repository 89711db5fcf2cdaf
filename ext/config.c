/*
** config.c: the connection's settings, migrate_config(key [, value]), and
** where they come from.
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
**   data_loss  'proceed': a shell run that is not interactive prints the
**            data-loss lines of an upgrade or downgrade and goes on;
**            'refuse': it refuses such a run unless given --yes
**            (MigConn.eDataLoss; interactive runs always ask).
**   dir      the migrations directory (the same as migrate_dir()).
** An unknown key or a value the key does not take is an error naming it.
**
** Settings last beyond the process through the project file migrate.ini
** of the working directory (cfgfile.c), read when a connection opens and
** written by the shell's .migrate init, dir and config. migrate_config()
** itself changes the connection only. For the directory the order is:
**   migrate_dir() or migrate_config('dir', ..) on this connection
**   > the environment variable MIGRATE_DIR > dir in migrate.ini
**   > "migrations"
** and migConfigDirSource() tells which one is in force.
*/
#include "backup_int.h"
#include "engine_int.h"
#include <stdlib.h>
#include <string.h>

/* One setting: get returns its value, set parses and stores zValue
** (bSaved: the value comes from the project file). */
typedef struct MigConfigKey MigConfigKey;
struct MigConfigKey {
  const char *zKey;                              /* Name */
  const char *(*xGet)(MigConn*);                 /* Current value */
  int (*xSet)(MigConn*, const char *zValue, int bSaved);  /* 0, 1 bad */
  const char *zValues;                           /* For the error message */
};

static const char *configBackupGet(MigConn *p){
  return p->eBackupAuto ? "auto" : "off";
}
static int configBackupSet(MigConn *p, const char *zValue, int bSaved){
  UNUSED(bSaved);
  if( migNameEq(zValue, "auto") ){ p->eBackupAuto = 1; return 0; }
  if( migNameEq(zValue, "off") ){ p->eBackupAuto = 0; return 0; }
  return 1;
}

static const char *configSchemaGet(MigConn *p){
  return p->zSchemaFile ? p->zSchemaFile : "schema.sql";
}
static int configSchemaSet(MigConn *p, const char *zValue, int bSaved){
  char *z;
  UNUSED(bSaved);
  if( zValue[0]==0 ) return 1;
  z = sqlite3_mprintf("%s", zValue);
  if( z==0 ) return 1;
  sqlite3_free(p->zSchemaFile);
  p->zSchemaFile = z;
  return 0;
}

static const char *configFormatGet(MigConn *p){
  return migFormatName(p->eFormat);
}
static int configFormatSet(MigConn *p, const char *zValue, int bSaved){
  int e = migFormatParse(zValue);
  UNUSED(bSaved);
  if( e<0 ) return 1;
  p->eFormat = e;
  return 0;
}
static const char *configPeerGet(MigConn *p){
  return p->bPeerOff ? "off" : "on";
}
static int configPeerSet(MigConn *p, const char *zValue, int bSaved){
  UNUSED(bSaved);
  if( migNameEq(zValue, "on") ){ p->bPeerOff = 0; return 0; }
  if( migNameEq(zValue, "off") ){ p->bPeerOff = 1; return 0; }
  return 1;
}

static const char *configLossGet(MigConn *p){
  return p->eDataLoss==MIG_DATA_LOSS_REFUSE ? "refuse" : "proceed";
}
static int configLossSet(MigConn *p, const char *zValue, int bSaved){
  UNUSED(bSaved);
  if( migNameEq(zValue, "refuse") ){
    p->eDataLoss = MIG_DATA_LOSS_REFUSE;
    return 0;
  }
  if( migNameEq(zValue, "proceed") ){
    p->eDataLoss = MIG_DATA_LOSS_PROCEED;
    return 0;
  }
  return 1;
}

static const char *configDirGet(MigConn *p){
  return migConfigDir(p);
}
static int configDirSet(MigConn *p, const char *zValue, int bSaved){
  char **pz = bSaved ? &p->zSavedDir : &p->zDir;
  char *zNew;
  if( zValue[0]==0 || strchr(zValue, '\n') ) return 1;
  zNew = sqlite3_mprintf("%s", zValue);
  if( zNew==0 ) return 1;
  sqlite3_free(*pz);
  *pz = zNew;
  return 0;
}

static const MigConfigKey aKey[] = {
  { "backup", configBackupGet, configBackupSet, "'auto' or 'off'" },
  { "schema", configSchemaGet, configSchemaSet, "a path" },
  { "format", configFormatGet, configFormatSet,
    "'auto', 'migrate', 'dbmate', 'golang-migrate', 'goose', 'sqlx', "
    "'diesel', 'flyway', 'sql-migrate' or 'plain'" },
  { "peer_table", configPeerGet, configPeerSet, "'on' or 'off'" },
  { "data_loss", configLossGet, configLossSet, "'proceed' or 'refuse'" },
  { "dir",    configDirGet,    configDirSet,    "a non-empty path" },
};

/*
** placeholder.NAME: set it to zValue when not NULL; return its value or
** NULL (owned by p). *pRc gets SQLITE_NOMEM when out of memory.
*/
static const char *configPlace(MigConn *p, const char *zName,
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

/* The entry of key zKey, or NULL (placeholder.NAME keys have none). */
static const MigConfigKey *configFind(const char *zKey){
  size_t i;
  for(i=0; zKey && i<sizeof(aKey)/sizeof(aKey[0]); i++){
    if( migNameEq(zKey, aKey[i].zKey) ) return &aKey[i];
  }
  return 0;
}

/* True if zKey is "placeholder.NAME". */
static int configIsPlace(const char *zKey){
  return zKey && sqlite3_strnicmp(zKey, "placeholder.", 12)==0;
}

const char *migConfigKeyName(int i){
  if( i<0 || (size_t)i>=sizeof(aKey)/sizeof(aKey[0]) ) return 0;
  return aKey[i].zKey;
}

/* Set key zKey to zValue (bSaved: from the project file); 0 on success,
** else 1 with *pzErr (sqlite3_malloc'd) naming the culprit. */
static int configSet(MigConn *p, const char *zKey, const char *zValue,
                     int bSaved, char **pzErr){
  const MigConfigKey *pKey = configFind(zKey);
  if( configIsPlace(zKey) ){
    int rc = SQLITE_OK;
    if( zKey[12]==0 ){
      *pzErr = sqlite3_mprintf("placeholder name missing (placeholder.NAME)");
      return 1;
    }
    if( zValue==0 ){
      *pzErr = sqlite3_mprintf("a placeholder value must be text: NULL");
      return 1;
    }
    configPlace(p, zKey+12, zValue, &rc);
    return rc!=SQLITE_OK;
  }
  if( pKey==0 ){
    *pzErr = sqlite3_mprintf("unknown key: %s", zKey ? zKey : "NULL");
    return 1;
  }
  if( zValue==0 || pKey->xSet(p, zValue, bSaved) ){
    *pzErr = sqlite3_mprintf("%s must be %s: %s", pKey->zKey, pKey->zValues,
                             zValue ? zValue : "NULL");
    return 1;
  }
  return 0;
}

int migConfigSet(MigConn *p, const char *zKey, const char *zValue,
                 char **pzErr){
  return configSet(p, zKey, zValue, 0, pzErr);
}

const char *migConfigGet(MigConn *p, const char *zKey){
  const MigConfigKey *pKey = configFind(zKey);
  int rc = SQLITE_OK;
  if( configIsPlace(zKey) ) return configPlace(p, zKey+12, 0, &rc);
  return pKey ? pKey->xGet(p) : 0;
}

/* The value of MIGRATE_DIR, or NULL when unset or empty. */
static const char *configEnvDir(void){
  const char *z = getenv("MIGRATE_DIR");
  return (z && z[0]) ? z : 0;
}

int migConfigDirSource(MigConn *p){
  if( p && p->zDir ) return MIG_DIR_SET;
  if( configEnvDir() ) return MIG_DIR_ENV;
  if( p && p->zSavedDir ) return MIG_DIR_SAVED;
  return MIG_DIR_DEFAULT;
}

const char *migConfigDir(MigConn *p){
  switch( migConfigDirSource(p) ){
    case MIG_DIR_SET:   return p->zDir;
    case MIG_DIR_ENV:   return configEnvDir();
    case MIG_DIR_SAVED: return p->zSavedDir;
  }
  return "migrations";
}

/* migCfgFileRead() callback: one line of the project file. */
static int configLoadOne(void *pArg, const char *zKey, const char *zValue,
                         char **pzErr){
  return configSet((MigConn*)pArg, zKey, zValue, 1, pzErr);
}

void migConfigLoad(MigConn *p){
  char *zErr = 0;
  if( migCfgFileRead(MIG_CONFIG_FILE, configLoadOne, p, &zErr) ){
    sqlite3_free(p->zConfigErr);
    p->zConfigErr = zErr ? zErr : sqlite3_mprintf("out of memory");
  }
}

const char *migConfigError(MigConn *p){
  return p ? p->zConfigErr : 0;
}

int migConfigSave(MigConn *p, const char *zKey, const char *zValue,
                  char **pzErr){
  const MigConfigKey *pKey = configFind(zKey);
  if( pKey==0 && !configIsPlace(zKey) ){
    *pzErr = sqlite3_mprintf("unknown key: %s", zKey);
    return SQLITE_ERROR;
  }
  if( zValue && strchr(zValue, '\n') ){
    *pzErr = sqlite3_mprintf("%s: a saved value must be one line", zKey);
    return SQLITE_ERROR;
  }
  if( pKey && pKey->xSet==configDirSet ){
    /* Keep the saved directory in step for migConfigDirSource(). */
    sqlite3_free(p->zSavedDir);
    p->zSavedDir = zValue ? sqlite3_mprintf("%s", zValue) : 0;
  }
  return migCfgFileWrite(MIG_CONFIG_FILE, pKey ? pKey->zKey : zKey, zValue,
                         pzErr);
}

/*
** migrate_config(key [, value]): the value of setting key, after setting
** it to value when given (NULL for a placeholder never set).
*/
void migConfigFunc(sqlite3_context *ctx, int argc, sqlite3_value **argv){
  MigConn *p = (MigConn*)sqlite3_user_data(ctx);
  const char *zKey = (const char*)sqlite3_value_text(argv[0]);
  const char *zRes;
  char *zErr = 0;
  int bBad = 0;
  if( migDirectOnly(ctx, "migrate_config") ) return;
  if( p->zConfigErr ){
    sqlite3_result_error(ctx, p->zConfigErr, -1);
    return;
  }
  if( argc==2 ){
    bBad = configSet(p, zKey, (const char*)sqlite3_value_text(argv[1]), 0,
                     &zErr);
  }else if( configFind(zKey)==0 && !configIsPlace(zKey) ){
    zErr = sqlite3_mprintf("unknown key: %s", zKey ? zKey : "NULL");
    bBad = 1;
  }else if( configIsPlace(zKey) && zKey[12]==0 ){
    zErr = sqlite3_mprintf("placeholder name missing (placeholder.NAME)");
    bBad = 1;
  }
  if( bBad ){
    char *z = zErr ? sqlite3_mprintf("migrate_config: %s", zErr) : 0;
    if( z ) sqlite3_result_error(ctx, z, -1);
    else sqlite3_result_error_nomem(ctx);
    sqlite3_free(z);
    sqlite3_free(zErr);
    return;
  }
  zRes = migConfigGet(p, zKey);
  if( zRes ) sqlite3_result_text(ctx, zRes, -1, SQLITE_TRANSIENT);
}
