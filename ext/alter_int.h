/*
** alter_int.h: declarations shared by the files of the alter module
** (lossless ALTER TABLE). Only alter*.c include it; the tokenizer and
** the clause grammar they use are the extension's (sql_int.h).
**
**   alter_parse.c    CREATE TABLE text -> columns and constraints (spans)
**   alter_edit.c     text edits of a CREATE TABLE statement
**   alter_plan.c     strategy per request; native and in-place paths
**   alter_scan.c     the read-only pass: new rules, changed defaults
**   alter_rebuild.c  the 12-step rebuild-and-copy
**   alter_exec.c     running SQL for a request, in-place schema edits
**   alter_fk.c       foreign keys checked before and after a request
**   alter.c          SQL function, migAlterApply()
*/
#ifndef ALTER_INT_H
#define ALTER_INT_H
#include "sql_int.h"

/* --------------------------------------------------------- parsed tables */
#define MIG_CONS_PK        1   /* PRIMARY KEY */
#define MIG_CONS_NOTNULL   2   /* NOT NULL */
#define MIG_CONS_NULL      3   /* NULL (a no-op constraint) */
#define MIG_CONS_UNIQUE    4   /* UNIQUE */
#define MIG_CONS_CHECK     5   /* CHECK (expr) */
#define MIG_CONS_DEFAULT   6   /* DEFAULT value */
#define MIG_CONS_COLLATE   7   /* COLLATE name */
#define MIG_CONS_FK        8   /* REFERENCES / FOREIGN KEY */
#define MIG_CONS_GENERATED 9   /* [GENERATED ALWAYS] AS (expr) */
#define MIG_CONS_NAME     10   /* CONSTRAINT name naming nothing */

typedef struct MigCons MigCons;
struct MigCons {
  int eKind;                   /* MIG_CONS_* */
  char *zName;                 /* CONSTRAINT name (dequoted) or NULL */
  int iStart, iEnd;            /* Span, from CONSTRAINT if named */
  int iArg, iArgEnd;           /* CHECK/AS expr inside (), DEFAULT value,
                               ** column list of a table PK/UNIQUE/FK */
};

typedef struct MigCol MigCol;
struct MigCol {
  char *zName;                 /* Column name (dequoted) */
  int iStart, iEnd;            /* Span of the whole definition */
  int iType, iTypeEnd;         /* Span of the type (empty: none) */
  int nCons;                   /* Number of column constraints */
  MigCons *aCons;              /* Column constraints in order */
};

typedef struct MigSpan MigSpan;
struct MigSpan {
  int iStart, iEnd;            /* Byte offsets: [iStart, iEnd) */
};

typedef struct MigTab MigTab;
struct MigTab {
  char *zSql;                  /* The CREATE TABLE text (owned) */
  char *zName;                 /* The table name (dequoted) */
  int iName, iNameEnd;         /* Span of the table name */
  int iOpen, iClose;           /* Offsets of the body's ( and ) */
  int nCol;                    /* Number of columns */
  MigCol *aCol;                /* Columns in order */
  int nCons;                   /* Number of table constraints */
  MigCons *aCons;              /* Table constraints in order */
  int nItem;                   /* Number of comma-separated body items */
  MigSpan *aItem;              /* Their spans: columns, then constraints */
  int bWithoutRowid;           /* WITHOUT ROWID */
  int bStrict;                 /* STRICT */
};

int migTabParse(const char *zSql, MigTab **ppTab, char **pzErr);
void migTabFree(MigTab *pTab);
int migTabFindCol(MigTab *pTab, const char *zName);
MigCons *migColFindCons(MigCol *pCol, int eKind);
MigCons *migColFindLast(MigCol *pCol, int eKind);
int migConsListHas(MigTab *pTab, MigCons *pCons, const char *zCol);


/* ------------------------------------------- simulation of a request */
typedef struct MigMap MigMap;
struct MigMap {
  char *zName;                 /* Column name in the new table */
  char *zSrc;                  /* Expression over the old table, or NULL */
  int bNew;                    /* Added by the request (zSrc: its default) */
  int bRetyped;                /* Its type changed in this request */
};

#define MIG_CHK_COND     1     /* rows where zCond is true break a rule */
#define MIG_CHK_FK       2     /* new FOREIGN KEY zCol -> table zCond */
#define MIG_CHK_DEFAULT  3     /* the DEFAULT of column zCol changes */

typedef struct MigCheck MigCheck;
struct MigCheck {
  int eKind;                   /* MIG_CHK_* */
  char *zLabel;                /* Names the rule in messages */
  char *zCond;                 /* Condition, or parent table of a FK */
  char *zCol;                  /* Column (FK: its first child column) */
  int iClause;                 /* Clause that made the rule (MigOp) */
};

typedef struct MigSim MigSim;
struct MigSim {
  sqlite3 *db;                 /* Connection to compile expressions on, or
                               ** NULL (then only the text is read) */
  MigTab *pTab;                /* The CREATE TABLE text as edited so far */
  int nMap;                    /* Columns of the new table */
  MigMap *aMap;                /* Where each one's values come from */
  int eLevel;                  /* MIG_LEVEL_* the edits need so far */
  int nCheck;                  /* Rules existing rows must pass */
  MigCheck *aCheck;            /* Those rules */
  char *zErr;                  /* Error message (sqlite3_malloc'd) */
  int iClause;                 /* Clause being applied (MigOp.iClause) */
};

int migSimInit(MigSim *s, const char *zSql);
int migSimApply(MigSim *s, MigOp *pOp);
void migSimFree(MigSim *s);
char *migSplice(const char *z, int iStart, int iEnd, const char *zIns);

/* -------------------------------------------------- request and execution */

typedef struct MigAlter MigAlter;
struct MigAlter {
  sqlite3 *db;                 /* The connection */
  MigConn *pConn;              /* Its state (progress), may be NULL */
  const char *zSchema;         /* Schema name ("main") */
  char *zTable;                /* Table name as stored in sqlite_schema */
  int nOp;                     /* Number of operations */
  MigOp *aOp;                  /* Operations, in order */
  int bFkOn;                   /* PRAGMA foreign_keys is on during the work */
  int bDefensive;              /* SQLITE_DBCONFIG_DEFENSIVE is on */
  int bRebuild;                /* Second attempt: rebuild whatever it is */
  int bRowsFull;               /* Every row stores every column (a native
                               ** DROP COLUMN just rewrote them all) */
  int bFkLazy;                 /* Foreign keys not checked (migFkNeutral):
                               ** a rebuild must first be asked for again
                               ** (MIG_NEED_REBUILD), so they are */
  int eHow;                    /* Most expensive MIG_LEVEL_* used */
  sqlite3_int64 nRow;          /* Rows copied or validated */
  char *zErr;                  /* Error message (sqlite3_malloc'd) */
  int iFail;                   /* Clause string the error is about, or -1 */
};

int migAlterRun(MigAlter *p);
void migHow(MigAlter *p, int eLevel);
void migBlame(MigAlter *p, int iClause);
void migBlameCol(MigAlter *p, const char *zMsg);
int migSimulate(MigAlter *p, int iFrom, int iTo, MigSim *s);
int migValidate(MigAlter *p, MigSim *s, const char *zOld);
int migRebuild(MigAlter *p, MigSim *s);
int migCheckTriggers(MigAlter *p);
int migCheckDropUsers(MigAlter *p);

/* alter_exec.c: helpers for running SQL on behalf of a request */
int migAlterErr(MigAlter *p, int rc, const char *zFmt, ...);
int migAlterExec(MigAlter *p, const char *zFmt, ...);
int migAlterFinish(MigAlter *p, sqlite3_stmt *pStmt, int rc);
int migAlterInt(MigAlter *p, sqlite3_int64 *piOut, const char *zFmt, ...);
int migAlterPrepare(MigAlter *p, sqlite3_stmt **ppStmt, const char *zFmt,
                    ...);
int migTableSql(MigAlter *p, char **pzSql);
int migFreshName(MigAlter *p, char **pzName);
char *migTabWithName(MigTab *pTab, const char *zSchema, const char *zName);
int migCheckCreate(MigAlter *p, const char *zSql);
int migWriteSchema(MigAlter *p, const char *zSql);
int migCheckFk(MigAlter *p, MigCheck *pChk);
int migRowsFail(MigAlter *p, const char *zLabel, sqlite3_int64 nRow);
int migFkOn(sqlite3 *db);
int migTxnAlive(MigAlter *p);

/* alter_fk.c: foreign keys checked before and after a request */
typedef struct MigFkState MigFkState;
struct MigFkState {
  int bScan;                   /* Rows are scanned (else keys resolved) */
  int nKey;                    /* Foreign keys of the tables checked */
  struct MigFkKey *aKey;       /* Each with the rows breaking it */
  int nErr;                    /* Tables whose check fails outright */
  struct MigFkErr *aErr;       /* Their messages */
};
int migFkNeutral(MigAlter *p);
int migFkBefore(MigAlter *p, MigFkState *s);
int migFkAfter(MigAlter *p, MigFkState *pBefore);
void migFkFree(MigFkState *s);

/* Returned by the cheap paths when only a rebuild can do the request. */
#define MIG_NEED_REBUILD (-1)

/* Strategy levels, cheapest first: the request takes the highest. */
#define MIG_LEVEL_NATIVE   0   /* SQLite's own ALTER TABLE */
#define MIG_LEVEL_EDIT     1   /* in-place schema edit */
#define MIG_LEVEL_VALIDATE 2   /* read-only check, then edit */
#define MIG_LEVEL_REBUILD  3   /* 12-step rebuild and copy */

#endif /* ALTER_INT_H */
