/*
** backup.c: registration of the backup module.
**
** migBackupInit() registers the module's SQL functions from aFunc[] and
** the "migsnap" VFS that snapshots are streamed through. The functions
** are SQLITE_DIRECTONLY: they read and write files named by their
** arguments, replace the database or add tables, or change settings, so
** a view, trigger or schema expression in an untrusted database must
** never be able to call them. The one exception, migrate_data_loss(sql),
** only reads its argument: deterministic and innocuous.
** The functions themselves live in the files listed in backup_int.h.
*/
#include "backup_int.h"

#define MIG_SIDE_EFFECTS (SQLITE_UTF8|SQLITE_DIRECTONLY)
#define MIG_PURE (SQLITE_UTF8|SQLITE_DETERMINISTIC|SQLITE_INNOCUOUS)

/* One SQL function: name, number of arguments, flags, implementation. */
static const struct MigBackupFunc {
  const char *zName;           /* SQL name */
  int nArg;                    /* Number of arguments */
  int eFlags;                  /* MIG_SIDE_EFFECTS or MIG_PURE */
  void (*xFunc)(sqlite3_context*, int, sqlite3_value**);
} aFunc[] = {
  { "migrate_backup_table", 1, MIG_SIDE_EFFECTS, migBackupTableFunc },
  { "migrate_backup_table", 2, MIG_SIDE_EFFECTS, migBackupTableFunc },
  { "migrate_backup",       1, MIG_SIDE_EFFECTS, migBackupFunc },
  { "migrate_restore",      1, MIG_SIDE_EFFECTS, migRestoreFunc },
  { "migrate_data_loss",    1, MIG_PURE,         migDataLossFunc },
};

/*
** Register the functions on db. The connection holds a reference to the
** "migsnap" VFS, dropped by the destructor of the first function when
** the connection closes (or at once, by create_function_v2, on failure).
*/
int migBackupInit(sqlite3 *db){
  MigConn *p = migConnGet(db);
  size_t i;
  int rc = migSinkVfsRegister();
  if( rc==SQLITE_OK ){
    rc = sqlite3_create_function_v2(db, aFunc[0].zName, aFunc[0].nArg,
        aFunc[0].eFlags, p, aFunc[0].xFunc, 0, 0, migSinkVfsRelease);
  }
  for(i=1; rc==SQLITE_OK && i<sizeof(aFunc)/sizeof(aFunc[0]); i++){
    rc = sqlite3_create_function(db, aFunc[i].zName, aFunc[i].nArg,
        aFunc[i].eFlags, p, aFunc[i].xFunc, 0, 0);
  }
  if( rc==SQLITE_OK ) p->xSnapshot = migBackupSnapshot;
  return rc;
}
