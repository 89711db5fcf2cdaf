/*
** remote.h: running the engine against a replicated SQLite (a dqlite
** cluster) instead of a local file, as the front ends see it.
**
** The cluster's database is copied through its leader into a local
** in-memory "shadow" database; the front end then runs the usual engine
** (migRun(), the reports) on the shadow's connection. Every transaction
** the engine commits on the shadow is sent to the cluster's leader first,
** as one transaction: the statements it wrote (the lossless ALTER
** engine's rebuilds and schema edits included, as plain SQL) with its
** bookkeeping rows. The shadow's COMMIT succeeds only when the cluster's
** did, so the engine's view and the cluster's stay the same.
**
**     MigRemote *pR = 0;
**     rc = migRemoteOpen(db, "dqlite://127.0.0.1:9001/app", 1, &pR, &zErr);
**     if( rc==SQLITE_OK ){
**       rc = migRun(migRemoteDb(pR), &opts, &n, 0, &zErr);
**       if( rc ) zErr = migRemoteErr(pR, zErr);
**     }
**     migRemoteClose(pR);
**
** The engine must run with MigRunOpts.bCommitEach set, so that each
** migration is its own transaction on the cluster.
*/
#ifndef MIG_REMOTE_H
#define MIG_REMOTE_H
#include "mig_int.h"

typedef struct MigRemote MigRemote;

/*
** Connect to the cluster named by zUrl ("dqlite://HOST:PORT[,...]/NAME")
** and copy its database into a new shadow connection, which borrows the
** settings of dbLive's connection (directory, format, registered
** revisions). bAllRows: copy the rows of every table (needed to write);
** else only those of the bookkeeping tables (reports). On error an
** SQLite code with *pzErr set (naming the URL) and *ppR set to 0.
*/
int migRemoteOpen(sqlite3 *dbLive, const char *zUrl, int bAllRows,
                  MigRemote **ppR, char **pzErr);

/* The shadow connection to run the engine on (owned by pR). */
sqlite3 *migRemoteDb(MigRemote *pR);

/* Where the remote's own lines go (leader changes, resends), or NULL. */
void migRemoteSetLog(MigRemote *pR, void (*xLog)(void*, const char*),
                     void *pArg);

/*
** The message to report for an engine error zErr on the shadow (taken
** over): when the cluster refused or lost a transaction, or a statement
** was refused before it ran, the remote's own message replaces the
** engine's. Returns an sqlite3_malloc'd message (NULL: out of memory).
*/
char *migRemoteErr(MigRemote *pR, char *zErr);

/* Close the shadow and the connection to the cluster; NULL is a no-op. */
void migRemoteClose(MigRemote *pR);

#endif /* MIG_REMOTE_H */
