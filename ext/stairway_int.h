/*
** stairway_int.h: declarations shared by the files that test migrations.
**
**   stairway_state.c  a cheap record of one database state (sqlite_schema
**                     entries and a fingerprint of every table's rows),
**                     kept up to date incrementally, and the comparison of
**                     two states into lines naming what differs
**   stairway.c        migTestRun(): the stairway of checks on a scratch
**                     copy, and the migrate_test() SQL function
**   dryrun.c          migDryRun(): a pending upgrade run on a scratch copy,
**                     reported per migration
**
** A state is taken after each step of a stairway. Taking one scans
** sqlite_schema (one row per object) and recomputes row fingerprints only
** for tables written since the state before (an authorizer on the scratch
** connection marks them), so a stairway stays linear in the number of
** revisions. Two states are compared entry by entry; only objects whose
** SQL text differs are loaded into a scratch database and compared through
** SQLite's own PRAGMAs (semantic, not textual).
*/
#ifndef STAIRWAY_INT_H
#define STAIRWAY_INT_H
#include "engine_int.h"

/* One sqlite_schema entry and, for a table, its rows' fingerprint. The
** strings live in one reference-counted block shared between states. */
typedef struct StwObj StwObj;
struct StwObj {
  sqlite3_int64 *pBlock;       /* Reference count, then the strings */
  char *zType;                 /* table, index, view, trigger */
  char *zName;                 /* Object name */
  char *zTbl;                  /* Table it belongs to */
  char *zSql;                  /* SQL text as stored */
  int bRows;                   /* 1: nRow and h are set (ordinary table) */
  sqlite3_int64 nRow;          /* Number of rows */
  sqlite3_uint64 h;            /* Order-independent hash of the rows */
};

/* A database state: its objects, sorted by type then name. */
typedef struct StwState StwState;
struct StwState {
  int nObj;                    /* Number of objects */
  StwObj *aObj;                /* The objects (owned) */
};

/* A list of names (each owned). */
typedef struct StwNames StwNames;
struct StwNames {
  int n;                       /* Number of names */
  char **az;                   /* The names */
};

/* What the authorizer saw written since the last state was taken. */
typedef struct StwDirty StwDirty;
struct StwDirty {
  StwNames rows;               /* Tables whose rows may have changed */
  StwNames schema;             /* Names whose schema entries may have
                               ** changed (objects and their tables) */
  int bFull;                   /* A change the names cannot follow (ALTER
                               ** TABLE, sqlite_schema written): re-read */
  int rc;                      /* SQLITE_NOMEM if a mark was lost */
};

/* Words for the two sides of a comparison, e.g. "lost" / "left behind". */
typedef struct StwWords StwWords;
struct StwWords {
  const char *zOnlyA;          /* In A, not in B */
  const char *zOnlyB;          /* In B, not in A */
  const char *zA, *zB;         /* The two sides: "before", "after" */
  int bRows;                   /* Compare rows too */
};

/* stairway_state.c */
void migStwWatch(sqlite3 *db, StwDirty *pDirty);
void migStwDirtyClear(StwDirty *pDirty);
int migStwTake(sqlite3 *db, const StwState *pPrev, StwDirty *pDirty,
               StwState *pOut, char **pzErr);
void migStwFree(StwState *p);
int migStwMove(StwState *pTo, StwState *pFrom);
int migStwDiff(const StwState *pA, const StwState *pB, const StwWords *pW,
               sqlite3_str *pOut, const char *zPrefix, int *pnDiff);

/* stairway.c: scratch copies lent the settings of a live connection */
typedef struct StwScratch StwScratch;
struct StwScratch {
  sqlite3 *db;                 /* The scratch connection (owned) */
  MigConn *pConn;              /* Its state, borrowing the live settings */
  MigConn save;                /* Its own state, given back at close */
};
int migTestScratch(MigConn *pLive, const char *zFile, StwScratch *pS,
                   char **pzErr);
void migTestScratchClose(StwScratch *pS);

/* migTestRun(), migDryRun(): migrate_run.h */
int migTestFatal(int rc);      /* rc is not a migration's own failure */

#endif /* STAIRWAY_INT_H */
