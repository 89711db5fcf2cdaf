/*
** remote_int.h: declarations shared by the files of the remote module.
**
**   remote.c       migRemoteOpen(): the connection to the cluster (behind
**                  the MigRemoteIo seam) and the shadow copy of its
**                  database; migRemoteErr(), migRemoteClose()
**   remote_send.c  what the engine does on the shadow, captured (trace,
**                  authorizer, commit hook) and sent to the cluster, each
**                  transaction exactly once across leader changes
*/
#ifndef MIG_REMOTE_INT_H
#define MIG_REMOTE_INT_H
#include "remote.h"
#include "stairway_int.h"

/*
** The seam between the remote module and one kind of cluster: run one
** statement (no rows), run one query (rows as text, sqlite3_exec()'s
** callback), connect again after the connection was lost. Codes as
** dqlite.h gives them: SQLITE_IOERR connection lost (outcome unknown),
** SQLITE_BUSY not the leader (nothing done), others the server's.
*/
typedef struct MigRemoteIo MigRemoteIo;
struct MigRemoteIo {
  void *pCtx;                  /* First argument of each method (owned) */
  int (*xExec)(void*, const char *zSql, char **pzErr);
  int (*xQuery)(void*, const char *zSql,
                int (*xRow)(void*,int,char**,char**), void *pArg,
                char **pzErr);
  int (*xReconnect)(void*, int msTimeout, char **pzErr);
  const char *(*xLeader)(void*);      /* Address of the node in use */
  void (*xClose)(void*);              /* Free pCtx */
};

/* One statement captured from the shadow, or a savepoint mark. */
typedef struct RemStmt RemStmt;
struct RemStmt {
  char *zSql;                  /* The statement, values expanded; or the
                               ** savepoint name of a mark (owned) */
  int eKind;                   /* REM_* */
};
#define REM_WRITE  1           /* Writes the database: sent */
#define REM_SET    2           /* Connection setting (PRAGMA x=y): sent,
                               ** kept when a savepoint is rolled back */
#define REM_ROWS   3           /* Writes and returns rows (RETURNING) */
#define REM_MARK   4           /* SAVEPOINT: never sent */

struct MigRemote {
  MigRemoteIo io;              /* The cluster */
  char *zUrl;                  /* The URL, for messages (owned) */
  StwScratch shadow;           /* The shadow database (owned) */
  void (*xLog)(void*, const char*);   /* Remote's own lines, or NULL */
  void *pLogArg;
  /* Capture of the transaction in progress on the shadow */
  int nStmt, nAlloc;           /* Entries of aStmt used, allocated */
  RemStmt *aStmt;              /* Statements since BEGIN (owned) */
  int bFkTxn;                  /* PRAGMA foreign_keys at the BEGIN */
  int bAuto;                   /* A write outside any transaction */
  char *zAutoSql;              /* That write (owned) */
  int rcCapture;               /* Capture failed (out of memory) */
  char *zRefused;              /* Why the authorizer refused (owned) */
  /* Sending */
  char *zState;                /* The cluster's bookkeeping state as the
                               ** shadow expects it (owned) */
  char *zErr;                  /* Error of the last send (owned) */
  int nSent;                   /* Transactions committed on the cluster */
};

/*
** remote.c: migRemoteOpen() on the cluster behind pIo (taken over, freed
** with the MigRemote or on error), zUrl naming it in messages. For
** remote.c's dqlite seam, and for tests that put a local file behind
** the seam to break the connection at chosen moments.
*/
int migRemoteOpenIo(sqlite3 *dbLive, const char *zUrl, MigRemoteIo *pIo,
                    int bAllRows, MigRemote **ppR, char **pzErr);

/* remote_send.c */
int migRemoteState(MigRemote *pR, int bLocal, char **pzState,
                   char **pzErr);
int migRemoteCaptureStart(MigRemote *pR);
void migRemoteCaptureFree(MigRemote *pR);
int migRemoteIsIo(int rc);

#endif /* MIG_REMOTE_INT_H */
