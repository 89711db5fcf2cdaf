/*
** backup_int.h: declarations shared by the files of the backup module.
**
** The module is split into small files, each owning one thing:
**   backup.c        migBackupInit(): registers the SQL functions below
**   config.c        migrate_config(key [, value]): per-connection settings
**                   (registered by the engine, which reads them)
**   backup_table.c  migrate_backup_table(table [, suffix]): table copies
**   snapshot.c      migrate_backup(path), migBackupSnapshot(): snapshots
**   snapsink.c      the "migsnap" VFS that streams a snapshot to a file,
**                   plain or gzip, as the backup API writes it
**   restore.c       migrate_restore(path): checked, one-step restore
**   bkfile.c        file helpers: temporary names, errors, syncing
**   dataloss.c      migBackupDataLoss(): finds DROP TABLE/COLUMN in SQL
** The interface to the rest of the extension is in mig_int.h.
*/
#ifndef BACKUP_INT_H
#define BACKUP_INT_H
#include "mig_int.h"

/* The fixed prefix of table backups: PREFIX + table + "_" + suffix. */
#define MIG_BACKUP_PREFIX "migrate_backup_"

/* SQL functions (user data: the connection's MigConn). */
void migBackupTableFunc(sqlite3_context*, int, sqlite3_value**);
void migBackupFunc(sqlite3_context*, int, sqlite3_value**);
void migRestoreFunc(sqlite3_context*, int, sqlite3_value**);
void migDataLossFunc(sqlite3_context*, int, sqlite3_value**);

/*
** restore.c: replace the content of schema zSchema of db with the backup
** at zPath (plain or gzip) after checking it. SQLITE_OK, or an SQLite
** code with *pzErr set (sqlite3_malloc'd) and the database unchanged.
*/
int migRestore(sqlite3 *db, const char *zSchema, const char *zPath,
               char **pzErr);

/*
** snapsink.c: a sink receives the pages of a snapshot, in order, and
** writes them to an open file descriptor, through zlib when bGzip.
** Pages arrive either through the "migsnap" VFS (the backup API writes
** into a database opened by the name migSinkUri() returns) or directly
** through migSinkWrite(). migSinkFinish() completes the stream and
** fsyncs the descriptor; *pnByte gets the size of the file. The caller
** owns fd and closes it after migSinkFree().
*/
typedef struct MigSink MigSink;
int migSinkVfsRegister(void);        /* Take a reference to "migsnap" */
void migSinkVfsRelease(void*);       /* Drop it (a destructor: arg unused) */
MigSink *migSinkNew(int fd, int bGzip);
const char *migSinkUri(MigSink*);
int migSinkWrite(MigSink*, const void *pBuf, int iAmt, sqlite3_int64 iOfst);
int migSinkFinish(MigSink*, sqlite3_int64 *pnByte);
int migSinkErrno(MigSink*);     /* errno of the first failure, or 0 */
void migSinkFree(MigSink*);

/*
** bkfile.c: files written through a temporary name beside the target.
**
** migFileCreateTemp(): check that zPath can be written (its directory
** exists and is writable, zPath is not a directory), then create a new
** temporary file beside it. Sets *pFd and *pzTmp (sqlite3_malloc'd).
** migFileCommit(): rename zTmp over zPath and fsync the directory.
** migFileErr(): "cannot VERB PATH: reason" for errno e (sqlite3_malloc'd).
*/
int migFileCreateTemp(const char *zPath, int *pFd, char **pzTmp,
                      char **pzErr);
int migFileCommit(const char *zTmp, const char *zPath, char **pzErr);
char *migFileErr(const char *zVerb, const char *zPath, int e);
int migHasSuffix(const char *z, const char *zSuffix);

/* Write all n bytes to fd, retrying short writes: 0, or the errno. */
int migWriteAll(int fd, const void *pBuf, size_t n);

/* The text of path argument pVal of SQL function zFunc, or NULL after
** setting the error "zFunc: the path must be a non-empty string". */
const char *migPathArg(sqlite3_context *ctx, sqlite3_value *pVal,
                       const char *zFunc);

#endif /* BACKUP_INT_H */
