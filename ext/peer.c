/*
** peer.c: the bookkeeping table of the tool a directory was written for
** (its "peer table"), read on every load and kept in step on every write.
**
**   migPeerCurrent()  after the graph is loaded: the peer's applied set
**                     becomes the current revision when it says otherwise
**                     (adoption on first use; later, a teammate who ran
**                     the old tool is noticed)
**   migPeerEnsure()   in the runner's transaction, before any step: the
**                     peer table is created with its tool's DDL when
**                     missing, migrate_version follows the peer
**   migPeerSql()      SQL that makes the peer table say what aApplied
**                     says, for one revision (a step) or all (a stamp);
**                     offline SQL carries it too, after migPeerOfflineDdl()
**
** The tables, with the DDL and meaning of each tool's SQLite driver:
**   dbmate         schema_migrations(version varchar(128) primary key):
**                  one row per applied version
**   golang-migrate schema_migrations(version uint64, dirty bool), unique
**                  index version_unique: one row, the current version;
**                  none at base. dirty=1 is a failed run: refused, the
**                  old tool's own fix is "migrate force VERSION"
**   goose          goose_db_version(id INTEGER PRIMARY KEY AUTOINCREMENT,
**                  version_id INTEGER NOT NULL, is_applied INTEGER NOT
**                  NULL, tstamp TIMESTAMP DEFAULT (datetime('now'))),
**                  created with a row for version 0; the latest row of a
**                  version says whether it is applied; a down deletes the
**                  version's rows (goose v3)
**   sqlx           _sqlx_migrations(version BIGINT PRIMARY KEY,
**                  description TEXT NOT NULL, installed_on TIMESTAMP NOT
**                  NULL DEFAULT CURRENT_TIMESTAMP, success BOOLEAN NOT
**                  NULL, checksum BLOB NOT NULL, execution_time BIGINT
**                  NOT NULL): checksum is SHA-384 of the up file, time in
**                  nanoseconds; success=0 is a partly applied migration:
**                  refused
**   diesel         __diesel_schema_migrations(version VARCHAR(50) PRIMARY
**                  KEY NOT NULL, run_on TIMESTAMP NOT NULL DEFAULT
**                  CURRENT_TIMESTAMP)
**   Flyway         flyway_schema_history(installed_rank INT NOT NULL
**                  PRIMARY KEY, version, description, type, script,
**                  checksum INT, installed_by, installed_on, execution_time
**                  INT, success BOOLEAN), index on success: one row per
**                  run in rank order; the latest row of a version says
**                  whether it is applied (type UNDO_SQL: not); checksum is
**                  Flyway's CRC32 of the file's lines; success=0 refused
**                  (the old tool's fix is "flyway repair")
**   sql-migrate    gorp_migrations(id varchar(255) not null primary key,
**                  applied_at datetime): one row per applied file name
** A peer that names a version with no file, or leaves a hole (applied
** with one before it not), is refused naming the version. ".migrate
** config peer_table off" (MigConn.bPeerOff) stops all of it.
*/
#include "engine_int.h"
#include <string.h>
#include <zlib.h>

/* One peer table. */
typedef struct PeerTab PeerTab;
struct PeerTab {
  int eFormat;                 /* MIG_FMT_* */
  const char *zName;           /* Table name */
  const char *zDdl;            /* The tool's own CREATE statements */
  const char *zRead;           /* SELECT of version, applied, error text */
  const char *zOffline;        /* zDdl that may run twice, or NULL: zDdl */
};

/* The columns of Flyway's flyway_schema_history, as its SQLite DDL has
** them (used by both the exact and the IF NOT EXISTS forms below). */
#define FLYWAY_COLUMNS \
    "    \"installed_rank\" INT NOT NULL PRIMARY KEY,\n" \
    "    \"version\" VARCHAR(50),\n" \
    "    \"description\" VARCHAR(200) NOT NULL,\n" \
    "    \"type\" VARCHAR(20) NOT NULL,\n" \
    "    \"script\" VARCHAR(1000) NOT NULL,\n" \
    "    \"checksum\" INT,\n" \
    "    \"installed_by\" VARCHAR(100) NOT NULL,\n" \
    "    \"installed_on\" TEXT NOT NULL DEFAULT " \
    "(strftime('%Y-%m-%d %H:%M:%f','now')),\n" \
    "    \"execution_time\" INT NOT NULL,\n" \
    "    \"success\" BOOLEAN NOT NULL\n);\n"

/*
** zRead selects (version, applied, problem [, checksum]) in the order
** the rows were written; the last row of a version wins; a non-NULL
** problem refuses. Flyway's repeatable migrations are named by script,
** and one whose file no longer has the checksum of its last row is not
** applied (Flyway runs it again).
*/
static const PeerTab aPeerTab[] = {
  { MIG_FMT_DBMATE, "schema_migrations",
    "create table if not exists schema_migrations "
    "(version varchar(128) primary key);",
    "SELECT version, 1, NULL FROM main.schema_migrations", 0 },
  { MIG_FMT_GOLANG, "schema_migrations",
    "CREATE TABLE IF NOT EXISTS schema_migrations (version uint64,dirty "
    "bool);\nCREATE UNIQUE INDEX IF NOT EXISTS version_unique ON "
    "schema_migrations (version);",
    "SELECT version, 2, CASE WHEN dirty THEN 'schema_migrations: version '"
    " || version || ' is dirty (a golang-migrate run failed in it): repair "
    "the database by hand, then run golang-migrate''s \"migrate force "
    "VERSION\" with the last version that is fully applied' END "
    "FROM main.schema_migrations", 0 },
  { MIG_FMT_GOOSE, "goose_db_version",
    "CREATE TABLE goose_db_version (\n"
    "\t\tid INTEGER PRIMARY KEY AUTOINCREMENT,\n"
    "\t\tversion_id INTEGER NOT NULL,\n"
    "\t\tis_applied INTEGER NOT NULL,\n"
    "\t\ttstamp TIMESTAMP DEFAULT (datetime('now'))\n\t);\n"
    "INSERT INTO goose_db_version (version_id, is_applied) VALUES (0, 1);",
    "SELECT version_id, is_applied, NULL FROM main.goose_db_version "
    "WHERE version_id<>0 ORDER BY id",
    "CREATE TABLE IF NOT EXISTS goose_db_version (\n"
    "\t\tid INTEGER PRIMARY KEY AUTOINCREMENT,\n"
    "\t\tversion_id INTEGER NOT NULL,\n"
    "\t\tis_applied INTEGER NOT NULL,\n"
    "\t\ttstamp TIMESTAMP DEFAULT (datetime('now'))\n\t);\n"
    "INSERT INTO goose_db_version (version_id, is_applied) SELECT 0, 1 "
    "WHERE NOT EXISTS (SELECT 1 FROM goose_db_version);" },
  { MIG_FMT_SQLX, "_sqlx_migrations",
    "CREATE TABLE IF NOT EXISTS _sqlx_migrations (\n"
    "    version BIGINT PRIMARY KEY,\n"
    "    description TEXT NOT NULL,\n"
    "    installed_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,\n"
    "    success BOOLEAN NOT NULL,\n"
    "    checksum BLOB NOT NULL,\n"
    "    execution_time BIGINT NOT NULL\n);",
    "SELECT version, 1, CASE WHEN NOT success THEN '_sqlx_migrations: "
    "migration ' || version || ' is partially applied (success = false): "
    "repair the database by hand, then delete that row' END "
    "FROM main._sqlx_migrations ORDER BY version", 0 },
  { MIG_FMT_DIESEL, "__diesel_schema_migrations",
    "CREATE TABLE IF NOT EXISTS __diesel_schema_migrations (\n"
    "       version VARCHAR(50) PRIMARY KEY NOT NULL,\n"
    "       run_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP\n);",
    "SELECT version, 1, NULL FROM main.__diesel_schema_migrations", 0 },
  { MIG_FMT_FLYWAY, "flyway_schema_history",
    "CREATE TABLE \"flyway_schema_history\" (\n"
    FLYWAY_COLUMNS
    "CREATE INDEX \"flyway_schema_history_s_idx\" ON "
    "\"flyway_schema_history\" (\"success\");",
    "SELECT coalesce(version, script), "
    "CASE type WHEN 'UNDO_SQL' THEN 0 WHEN 'BASELINE' THEN 2 ELSE 1 END, "
    "CASE WHEN NOT success THEN 'flyway_schema_history: migration ' || "
    "coalesce(version, description) || ' (' || script || ') failed "
    "(success = 0): repair the database by hand, then run \"flyway "
    "repair\"' END, checksum FROM main.flyway_schema_history "
    "WHERE type NOT IN ('SCHEMA','DELETE') ORDER BY installed_rank",
    "CREATE TABLE IF NOT EXISTS \"flyway_schema_history\" (\n"
    FLYWAY_COLUMNS
    "CREATE INDEX IF NOT EXISTS \"flyway_schema_history_s_idx\" ON "
    "\"flyway_schema_history\" (\"success\");" },
  { MIG_FMT_SQLMIGRATE, "gorp_migrations",
    "CREATE TABLE IF NOT EXISTS \"gorp_migrations\" (\"id\" varchar(255) "
    "not null primary key, \"applied_at\" datetime);",
    "SELECT id, 1, NULL FROM main.gorp_migrations", 0 },
};

/* The peer table of format eFormat, or NULL. */
static const PeerTab *peerTab(int eFormat){
  size_t i;
  for(i=0; i<sizeof(aPeerTab)/sizeof(aPeerTab[0]); i++){
    if( aPeerTab[i].eFormat==eFormat ) return &aPeerTab[i];
  }
  return 0;
}

/* The format of g's files (that of its first file revision), or 0. */
static int peerFormat(MigGraph *g){
  int i;
  for(i=0; i<g->nRev; i++) if( g->aRev[i].eFormat ) return g->aRev[i].eFormat;
  return 0;
}

/* The peer table in use for g on p, or NULL (none, or peer_table off). */
static const PeerTab *peerFor(MigConn *p, MigGraph *g){
  if( p->bPeerOff ) return 0;
  return peerTab(peerFormat(g));
}

/* True if table zName exists in main. */
static int peerExists(sqlite3 *db, const char *zName, int *pRc){
  sqlite3_int64 n = 0;
  int rc = migQueryInt(db, &n, "SELECT count(*) FROM main.sqlite_schema "
                       "WHERE type='table' AND name=%Q", zName);
  if( rc!=SQLITE_OK ) *pRc = rc;
  return n>0;
}

/* The base name of path z. */
static const char *peerBase(const char *z){
  const char *zSlash = z ? strrchr(z, '/') : 0;
  return zSlash ? zSlash+1 : z;
}

/* How the peer of pTab names revision pRev (sqlite3_free). */
static char *peerVersion(const PeerTab *pTab, const MigRev *pRev){
  if( pTab->eFormat==MIG_FMT_SQLMIGRATE ){
    return sqlite3_mprintf("%s", peerBase(pRev->zFile));
  }
  return sqlite3_mprintf("%s", pRev->zId);
}

/* Flyway's checksum of file zPath: CRC32 of its lines without their
** line ends (a BOM dropped), as a signed 32-bit number. */
static int peerCrc(const char *zPath, sqlite3_int64 *piCrc){
  int nText = 0, i = 0;
  char *zErr = 0;
  char *zText = migReadFile(zPath, &nText, &zErr);
  uLong crc = crc32(0L, Z_NULL, 0);
  sqlite3_free(zErr);
  if( zText==0 ) return SQLITE_ERROR;
  if( nText>=3 && memcmp(zText, "\xef\xbb\xbf", 3)==0 ) i = 3;
  while( i<nText ){
    int j = i;
    while( j<nText && zText[j]!='\n' && zText[j]!='\r' ) j++;
    crc = crc32(crc, (const Bytef*)zText+i, (uInt)(j-i));
    if( j<nText && zText[j]=='\r' && j+1<nText && zText[j+1]=='\n' ) j++;
    i = j+1;
  }
  sqlite3_free(zText);
  *piCrc = (sqlite3_int64)(int)(unsigned int)crc;
  return SQLITE_OK;
}

/* True if pRev is a repeatable migration of Flyway. */
static int peerRepeat(const PeerTab *pTab, const MigRev *pRev){
  return pTab->eFormat==MIG_FMT_FLYWAY && strncmp(pRev->zId, "R__", 3)==0;
}

/* Index in g of the revision the peer calls zVersion, or -1. */
static int peerFind(const PeerTab *pTab, MigGraph *g, const char *zVersion){
  int i;
  for(i=0; i<g->nRev; i++){
    const MigRev *r = &g->aRev[i];
    if( r->eFormat!=pTab->eFormat ) continue;
    if( pTab->eFormat==MIG_FMT_SQLMIGRATE || peerRepeat(pTab, r) ){
      if( strcmp(peerBase(r->zFile), zVersion)==0 ) return i;
    }else if( strcmp(r->zId, zVersion)==0 ){
      return i;
    }
  }
  return -1;
}

/* The revisions of the peer's format in g's order, into *paChain. */
static int peerChain(const PeerTab *pTab, MigGraph *g, int **paChain,
                     int *pnChain){
  int i, n = 0;
  int *a = sqlite3_malloc64(sizeof(int)*(g->nRev+1));
  if( a==0 ) return SQLITE_NOMEM;
  for(i=0; i<g->nRev; i++){
    if( g->aRev[g->aOrder[i]].eFormat==pTab->eFormat ) a[n++] = g->aOrder[i];
  }
  *paChain = a;
  *pnChain = n;
  return SQLITE_OK;
}

/*
** Read the peer table into aMark (1: applied) over g's revisions. A
** mark of 2 (golang-migrate's single row, a Flyway baseline) means that
** one and all before it. SQLite code, *pzErr set on a refusal.
*/
static int peerRead(sqlite3 *db, const PeerTab *pTab, MigGraph *g,
                    char *aMark, char **pzErr){
  sqlite3_stmt *pStmt = 0;
  int rc = sqlite3_prepare_v2(db, pTab->zRead, -1, &pStmt, 0);
  while( rc==SQLITE_OK && sqlite3_step(pStmt)==SQLITE_ROW ){
    const char *zV = (const char*)sqlite3_column_text(pStmt, 0);
    int eHow = sqlite3_column_int(pStmt, 1), i;
    if( sqlite3_column_type(pStmt, 2)!=SQLITE_NULL ){
      *pzErr = sqlite3_mprintf("%s", sqlite3_column_text(pStmt, 2));
      rc = SQLITE_ERROR;
      break;
    }
    if( zV==0 ) continue;
    i = peerFind(pTab, g, zV);
    if( i<0 ){
      *pzErr = sqlite3_mprintf("%s says version %s is applied, but no "
          "migration of the directory has that version", pTab->zName, zV);
      rc = SQLITE_ERROR;
      break;
    }
    if( eHow && peerRepeat(pTab, &g->aRev[i]) ){
      sqlite3_int64 iCrc = 0;
      if( peerCrc(g->aRev[i].zFile, &iCrc)!=SQLITE_OK ){
        *pzErr = sqlite3_mprintf("cannot read %s", g->aRev[i].zFile);
        rc = SQLITE_ERROR;
        break;
      }
      if( sqlite3_column_type(pStmt, 3)==SQLITE_NULL
       || sqlite3_column_int64(pStmt, 3)!=iCrc ){
        eHow = 0;              /* Changed since it ran: it runs again */
      }
    }
    aMark[i] = (char)eHow;
  }
  if( rc==SQLITE_OK ){
    rc = sqlite3_finalize(pStmt);
    if( rc!=SQLITE_OK ){
      *pzErr = sqlite3_mprintf("%s: %s", pTab->zName, sqlite3_errmsg(db));
    }
  }else{
    sqlite3_finalize(pStmt);
  }
  return rc;
}

/*
** The peer's current revision as an index into g (-1: base), from the
** marks: applied revisions must be the first ones of the chain (Flyway's
** repeatable ones excepted: after a pending one they run again anyway).
*/
static int peerHead(const PeerTab *pTab, MigGraph *g, const int *aChain,
                    int nChain, char *aMark, int *piHead, char **pzErr){
  int i, iGap = nChain;
  for(i=nChain-1; i>=0; i--){
    if( aMark[aChain[i]]==2 ){
      int j;
      for(j=0; j<i; j++) aMark[aChain[j]] = 1;
      break;
    }
  }
  for(i=0; i<nChain && iGap==nChain; i++) if( !aMark[aChain[i]] ) iGap = i;
  for(i=iGap+1; i<nChain; i++){
    const MigRev *r = &g->aRev[aChain[i]];
    if( aMark[aChain[i]] && !peerRepeat(pTab, r) ){
      char *zV = peerVersion(pTab, &g->aRev[aChain[iGap]]);
      char *zW = peerVersion(pTab, r);
      *pzErr = sqlite3_mprintf("%s says %s is applied but not %s, which "
          "comes before it: apply %s with the old tool, or stamp",
          pTab->zName, zW, zV, zV);
      sqlite3_free(zV);
      sqlite3_free(zW);
      return SQLITE_ERROR;
    }
  }
  *piHead = iGap==0 ? -1 : aChain[iGap-1];
  return SQLITE_OK;
}

/*
** After migEngineLoad(): when g's directory has a peer table in db that
** says otherwise than *paCur, the peer's current revision replaces it
** (*paCur reallocated). SQLite code, *pzErr set on error.
*/
int migPeerCurrent(MigConn *p, sqlite3 *db, MigGraph *g, int **paCur,
                   int *pnCur, char **pzErr){
  const PeerTab *pTab = peerFor(p, g);
  int *aChain = 0, nChain = 0, iHead = -1, rc = SQLITE_OK;
  char *aMark;
  if( pTab==0 || !peerExists(db, pTab->zName, &rc) ) return rc;
  aMark = sqlite3_malloc64(g->nRev+1);
  if( aMark==0 ) return SQLITE_NOMEM;
  memset(aMark, 0, g->nRev+1);
  rc = peerChain(pTab, g, &aChain, &nChain);
  if( rc==SQLITE_OK ) rc = peerRead(db, pTab, g, aMark, pzErr);
  if( rc==SQLITE_OK ){
    rc = peerHead(pTab, g, aChain, nChain, aMark, &iHead, pzErr);
  }
  if( rc==SQLITE_OK && !(iHead<0 ? *pnCur==0
                                 : (*pnCur==1 && (*paCur)[0]==iHead)) ){
    *pnCur = 0;
    if( iHead>=0 ){
      int *aNew = sqlite3_realloc64(*paCur, sizeof(int));
      if( aNew==0 ){
        rc = SQLITE_NOMEM;
      }else{
        *paCur = aNew;
        aNew[0] = iHead;
        *pnCur = 1;
      }
    }
  }
  sqlite3_free(aMark);
  sqlite3_free(aChain);
  return rc;
}

/* sqlx's checksum of file zPath: SHA-384 of its bytes, as hex. */
static char *peerSha(const char *zPath){
  int nText = 0;
  char *zErr = 0, *zHex = 0;
  char *zText = migReadFile(zPath, &nText, &zErr);
  unsigned char aHash[48];
  sqlite3_free(zErr);
  if( zText ){
    int i;
    migSha384((const unsigned char*)zText, nText, aHash);
    zHex = sqlite3_malloc64(97);
    for(i=0; zHex && i<48; i++){
      sqlite3_snprintf(3, zHex+2*i, "%02x", aHash[i]);
    }
  }
  sqlite3_free(zText);
  return zHex;
}

/* Append the SQL that makes the peer say revision pRev is applied
** (bOn) or not; rSec is the time it took. SQLITE_OK, or an error code
** (out of memory, a file that cannot be read for its checksum). */
static int peerOne(sqlite3_str *pStr, const PeerTab *pTab,
                   const MigRev *pRev, int bOn, double rSec){
  char *zV = peerVersion(pTab, pRev);
  const char *zDesc = pRev->zMessage ? pRev->zMessage : "";
  int rc = SQLITE_OK;
  if( zV==0 ) return SQLITE_NOMEM;
  switch( pTab->eFormat ){
    case MIG_FMT_DBMATE: case MIG_FMT_DIESEL: case MIG_FMT_SQLMIGRATE: {
      const char *zCol = pTab->eFormat==MIG_FMT_SQLMIGRATE ? "id":"version";
      if( bOn && pTab->eFormat==MIG_FMT_SQLMIGRATE ){
        sqlite3_str_appendf(pStr, "INSERT OR IGNORE INTO main.%s(id, "
            "applied_at) VALUES(%Q, strftime('%%Y-%%m-%%d "
            "%%H:%%M:%%f+00:00','now'));\n", pTab->zName, zV);
      }else if( bOn ){
        sqlite3_str_appendf(pStr, "INSERT OR IGNORE INTO main.%s(version) "
                            "VALUES(%Q);\n", pTab->zName, zV);
      }else{
        sqlite3_str_appendf(pStr, "DELETE FROM main.%s WHERE %s=%Q;\n",
                            pTab->zName, zCol, zV);
      }
      break;
    }
    case MIG_FMT_GOOSE:
      if( bOn ){
        sqlite3_str_appendf(pStr, "INSERT INTO main.goose_db_version"
            "(version_id, is_applied) SELECT %s, 1 WHERE NOT coalesce(("
            "SELECT is_applied FROM main.goose_db_version WHERE version_id"
            "=%s ORDER BY id DESC LIMIT 1), 0);\n", zV, zV);
      }else{
        sqlite3_str_appendf(pStr, "DELETE FROM main.goose_db_version "
                            "WHERE version_id=%s;\n", zV);
      }
      break;
    case MIG_FMT_SQLX:
      if( bOn ){
        char *zSha = peerSha(pRev->zFile);
        if( zSha==0 ){ rc = SQLITE_NOMEM; break; }
        sqlite3_str_appendf(pStr, "INSERT OR IGNORE INTO main."
            "_sqlx_migrations(version, description, success, checksum, "
            "execution_time) VALUES(%s, %Q, 1, x'%s', %lld);\n", zV, zDesc,
            zSha, (sqlite3_int64)(rSec*1e9));
        sqlite3_free(zSha);
      }else{
        sqlite3_str_appendf(pStr, "DELETE FROM main._sqlx_migrations "
                            "WHERE version=%s;\n", zV);
      }
      break;
    case MIG_FMT_FLYWAY: {
      sqlite3_int64 iCrc = 0;
      int bRep = pRev->zId[0]=='R';
      const char *zFile = bOn ? pRev->zFile
                              : (pRev->zDownFile ? pRev->zDownFile
                                                 : pRev->zFile);
      int bCrc = peerCrc(zFile, &iCrc)==SQLITE_OK;
      char *zCrc = bCrc ? sqlite3_mprintf("%lld", iCrc) : 0;
      char *zVer = bRep ? sqlite3_mprintf("NULL") : sqlite3_mprintf("%Q", zV);
      char *zWhere = bRep
          ? sqlite3_mprintf("version IS NULL AND script=%Q AND checksum IS "
                            "%s", peerBase(pRev->zFile), zCrc)
          : sqlite3_mprintf("version=%Q", zV);
      sqlite3_str_appendf(pStr, "INSERT INTO main.flyway_schema_history("
          "installed_rank, version, description, type, script, checksum, "
          "installed_by, execution_time, success) SELECT (SELECT coalesce("
          "max(installed_rank), 0)+1 FROM main.flyway_schema_history), "
          "%s, %Q, %Q, %Q, %s, 'migrate', %lld, 1 WHERE %scoalesce((SELECT "
          "type<>'UNDO_SQL' FROM main.flyway_schema_history WHERE %s "
          "ORDER BY installed_rank DESC LIMIT 1), 0);\n",
          zVer, zDesc, bOn ? "SQL" : "UNDO_SQL", peerBase(zFile),
          zCrc ? zCrc : "NULL", (sqlite3_int64)(rSec*1000), bOn ? "NOT " : "",
          zWhere);
      if( zCrc==0 || zVer==0 || zWhere==0 ) rc = SQLITE_NOMEM;
      sqlite3_free(zWhere);
      sqlite3_free(zCrc);
      sqlite3_free(zVer);
      break;
    }
    case MIG_FMT_GOLANG:
      break;                   /* One row for all: see migPeerSql() */
  }
  sqlite3_free(zV);
  return rc;
}

/*
** SQL that makes the peer table of g's directory say what aApplied says:
** about revision iRev only (a step, which took rSec seconds), or about
** every revision of the directory when iRev<0 (a stamp, an adoption).
** "" when there is no peer; NULL when out of memory (or a file whose
** checksum the peer keeps cannot be read).
*/
char *migPeerSql(MigConn *p, MigGraph *g, const char *aApplied, int iRev,
                 double rSec){
  const PeerTab *pTab = peerFor(p, g);
  sqlite3_str *pStr = sqlite3_str_new(0);
  int i, rc = SQLITE_OK;
  if( pTab && pTab->eFormat==MIG_FMT_GOLANG ){
    int iHead = -1;
    for(i=0; i<g->nRev; i++){
      int k = g->aOrder[i];
      if( aApplied[k] && g->aRev[k].eFormat==MIG_FMT_GOLANG ) iHead = k;
    }
    sqlite3_str_appendall(pStr, "DELETE FROM main.schema_migrations;\n");
    if( iHead>=0 ){
      sqlite3_str_appendf(pStr, "INSERT INTO main.schema_migrations"
          "(version, dirty) VALUES(%s, 0);\n", g->aRev[iHead].zId);
    }
  }else if( pTab ){
    for(i=0; rc==SQLITE_OK && i<g->nRev; i++){
      int k = g->aOrder[i];
      const MigRev *r = &g->aRev[k];
      if( (iRev>=0 && k!=iRev) || r->eFormat!=pTab->eFormat ) continue;
      rc = peerOne(pStr, pTab, r, aApplied[k], k==iRev ? rSec : 0.0);
    }
  }
  if( rc!=SQLITE_OK || sqlite3_str_errcode(pStr) ){
    sqlite3_free(sqlite3_str_finish(pStr));
    return 0;
  }
  if( sqlite3_str_length(pStr)==0 ){
    sqlite3_free(sqlite3_str_finish(pStr));
    return sqlite3_mprintf("");
  }
  return sqlite3_str_finish(pStr);
}

/*
** In the runner's transaction, before any step, with aCur the current
** revisions (from migPeerCurrent()): create the peer table with its
** tool's DDL when it is missing and fill it from aCur; make
** migrate_version say aCur when it says otherwise (the old tool moved
** the database), recording a stamp. *pzLog gets a line for the log
** (sqlite3_free) when something was taken over. SQLite code.
*/
int migPeerEnsure(MigConn *p, sqlite3 *db, MigGraph *g, const int *aCur,
                  int nCur, char **pzLog, char **pzErr){
  const PeerTab *pTab = peerFor(p, g);
  char **azId = 0, *aApplied = 0;
  int nId = 0, bAlembic = 0, rc = SQLITE_OK, bSame, i;
  *pzLog = 0;
  if( pTab==0 ) return SQLITE_OK;
  aApplied = sqlite3_malloc64(g->nRev+1);
  if( aApplied==0 ) return SQLITE_NOMEM;
  memset(aApplied, 0, g->nRev+1);
  migGraphAncestors(g, aCur, nCur, aApplied);
  if( !peerExists(db, pTab->zName, &rc) && rc==SQLITE_OK ){
    rc = sqlite3_exec(db, pTab->zDdl, 0, 0, pzErr);
    if( rc==SQLITE_OK ){
      char *zSql = migPeerSql(p, g, aApplied, -1, 0.0);
      rc = zSql ? sqlite3_exec(db, zSql, 0, 0, pzErr) : SQLITE_NOMEM;
      sqlite3_free(zSql);
    }
  }
  if( rc==SQLITE_OK ) rc = migBookHeads(db, &azId, &nId, &bAlembic);
  bSame = nId==nCur;
  for(i=0; rc==SQLITE_OK && bSame && i<nId; i++){
    bSame = migGraphFind(g, azId[i])==aCur[i];
  }
  if( rc==SQLITE_OK && !bSame ){
    char *zHeads = migBookHeadsSql(g, aApplied);
    const char *zTo = nCur ? g->aRev[aCur[0]].zId : 0;
    char *zStamp = migBookStampSql(nId ? azId[0] : 0, zTo);
    rc = (zHeads && zStamp) ? sqlite3_exec(db, zHeads, 0, 0, pzErr)
                            : SQLITE_NOMEM;
    if( rc==SQLITE_OK ) rc = sqlite3_exec(db, zStamp, 0, 0, pzErr);
    if( rc==SQLITE_OK ){
      rc = migExecPrintf(db, pzErr, "UPDATE main.migrate_history SET "
          "message='taken over from %q' WHERE id=last_insert_rowid()",
          pTab->zName);
    }
    if( rc==SQLITE_OK ){
      *pzLog = sqlite3_mprintf("Taken over from %s: %s", pTab->zName,
                               zTo ? zTo : "base");
    }
    sqlite3_free(zHeads);
    sqlite3_free(zStamp);
  }
  migBookFreeList(azId, nId);
  sqlite3_free(aApplied);
  return rc;
}

/* The CREATE statements of the peer table of g's directory on p, in a
** form that may run again (offline SQL); "" when there is none. */
const char *migPeerOfflineDdl(MigConn *p, MigGraph *g){
  const PeerTab *pTab = peerFor(p, g);
  if( pTab==0 ) return "";
  return pTab->zOffline ? pTab->zOffline : pTab->zDdl;
}

/* The name of the peer table of g's directory on p, or NULL. */
const char *migPeerTable(MigConn *p, MigGraph *g){
  const PeerTab *pTab = peerFor(p, g);
  return pTab ? pTab->zName : 0;
}

/* True if db has a table that is some tool's peer table. */
int migPeerAny(sqlite3 *db){
  size_t i;
  int rc = SQLITE_OK;
  for(i=0; i<sizeof(aPeerTab)/sizeof(aPeerTab[0]); i++){
    if( peerExists(db, aPeerTab[i].zName, &rc) ) return 1;
  }
  return 0;
}
