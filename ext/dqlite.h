/*
** dqlite.h: a small client for dqlite clusters (dqlite.c), speaking
** dqlite's documented wire protocol (version 1) over TCP from C, with no
** dqlite or Go library at run time.
**
** It finds the cluster's leader from any node of a list, opens one
** database there and runs SQL text on it, one statement per call:
**
**   MigDq *pDq = 0;
**   char *zErr = 0;
**   rc = migDqConnect("127.0.0.1:9001,127.0.0.1:9002", "app", 10000,
**                     &pDq, &zErr);
**   if( rc==SQLITE_OK ) rc = migDqExec(pDq, "CREATE TABLE t(x)", &zErr);
**   if( rc==SQLITE_OK ) rc = migDqQuery(pDq, "SELECT x FROM t", xRow, p,
**                                       &zErr);
**   migDqClose(pDq);
**   sqlite3_free(zErr);
**
** What the server does with the text: an exec request runs every
** statement of its text but fails on one that returns a row ("another
** row available"); a query request runs only the first statement of its
** text and ignores the rest. So send one statement per call, rows or not.
** Send writes with exec: a write sent as a query that returns no columns
** fails ("not an error") and does nothing; one with RETURNING returns
** its rows but, outside BEGIN ... COMMIT, is not kept and makes a dqlite
** 1.11 leader die on its next write, so migDqQuery() refuses RETURNING.
** Transactions: BEGIN, several execs and COMMIT (or ROLLBACK) on one
** MigDq form one transaction, as on a local connection.
**
** Limits: no TLS, no bound parameters, no prepared statements kept; one
** request at a time per MigDq (not for concurrent use by two threads).
*/
#ifndef MIG_DQLITE_H
#define MIG_DQLITE_H
#include "mig_int.h"

typedef struct MigDq MigDq;

/*
** Connect to the leader of the cluster reachable at zAddrs
** ("host:port[,host:port...]", dqlite's database addresses) and open
** database zDb there. msTimeout bounds the whole attempt: every address
** is tried, the leader a node names is followed, and the whole list is
** tried again while no leader is elected. On success *ppDq is a new
** handle (free with migDqClose). On error *ppDq is 0, *pzErr an
** sqlite3_mprintf message naming the addresses, and SQLITE_CANTOPEN is
** returned (SQLITE_NOMEM when out of memory).
*/
int migDqConnect(const char *zAddrs, const char *zDb, int msTimeout,
                 MigDq **ppDq, char **pzErr);

/*
** Run one statement that returns no rows. Returns SQLITE_OK, or:
**   SQLITE_ERROR  the server's SQL error, its message in *pzErr
**   SQLITE_IOERR  the connection was lost or timed out: the outcome is
**                 unknown, reconnect and reread the state before acting
**   SQLITE_BUSY   the node is no longer the leader (dqlite's "not leader"
**                 and "leadership lost"), or the database is busy: the
**                 statement did not take effect; reconnect to the leader
** Other codes are the server's SQLite code. *pzErr (sqlite3_mprintf) is
** set on every error; the caller frees it.
*/
int migDqExec(MigDq *pDq, const char *zSql, char **pzErr);

/*
** Run one statement that may return rows. xRow (may be 0) is called once
** per row with the number of columns, the values as text (NULL for SQL
** NULL; integers and floats as SQLite's own text conversion gives them,
** blobs as their raw bytes, zero-terminated, so a blob holding a zero
** byte is cut there: select hex(x) to read one whole) and the column
** names, like sqlite3_exec()'s callback. A non-zero return from xRow
** stops the query (the server is told to drop the rest of the rows) and
** gives SQLITE_ABORT; the connection stays usable. A statement with a
** RETURNING clause is refused with SQLITE_MISUSE (see above), sending
** nothing. Errors as for migDqExec().
*/
int migDqQuery(MigDq *pDq, const char *zSql,
               int (*xRow)(void*,int,char**,char**), void *pArg,
               char **pzErr);

/* The leader's address this connection talks to (owned by pDq). */
const char *migDqLeader(MigDq *pDq);

/*
** The cluster's nodes as the leader sees them: one line per node,
** "ID|ADDRESS|ROLE" (role voter, standby or spare), in the leader's
** order, as an sqlite3_mprintf string in *pzOut. Errors as migDqExec().
*/
int migDqCluster(MigDq *pDq, char **pzOut, char **pzErr);

/*
** Bound each later request (send, server work, reply) to msTimeout ms
** (default: the larger of 60 s and migDqConnect's timeout; 0 restores
** 60 s). A request that runs out of time gives SQLITE_IOERR and the
** connection is closed.
*/
void migDqSetTimeout(MigDq *pDq, int msTimeout);

/* Close the connection and free pDq. A NULL pDq is a no-op. */
void migDqClose(MigDq *pDq);

/*
** Split "dqlite://HOST:PORT[,HOST:PORT...]/NAME" into the address list
** and the database name, each sqlite3_malloc'd into *pzAddrs and *pzDb.
** On error (not a dqlite:// URL, no address, an address without a port,
** no name) returns SQLITE_ERROR with an sqlite3_mprintf message naming
** the URL in *pzErr, and *pzAddrs and *pzDb are 0.
*/
int migDqParseUrl(const char *zUrl, char **pzAddrs, char **pzDb,
                  char **pzErr);

#endif /* MIG_DQLITE_H */
