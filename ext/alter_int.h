/*
** alter_int.h: declarations shared by the files of the alter module
** (issue 4: lossless ALTER TABLE). Only alter*.c include it.
**
**   alter_token.c    SQLite tokenizer with byte offsets
**   alter_parse.c    CREATE TABLE text -> columns and constraints (spans)
**   alter_edit.c     text edits of a CREATE TABLE statement
**   alter_clause.c   PostgreSQL-style clauses -> MigOp
**   alter_plan.c     strategy per request; native and in-place paths
**   alter_scan.c     the read-only pass: new rules, changed defaults
**   alter_rebuild.c  the 12-step rebuild-and-copy
**   alter.c          SQL function, migAlterApply(), migAlterRoute()
*/
#ifndef ALTER_INT_H
#define ALTER_INT_H
#include "mig_int.h"

/* ---------------------------------------------------------------- tokens */
#define MIG_TK_SPACE    1   /* whitespace or comment */
#define MIG_TK_ID       2   /* bare word: identifier or keyword */
#define MIG_TK_QID      3   /* "quoted", `quoted` or [quoted] identifier */
#define MIG_TK_STRING   4   /* 'string' */
#define MIG_TK_BLOB     5   /* x'00ff' */
#define MIG_TK_NUMBER   6   /* 12, 1.5e3, 0x1f */
#define MIG_TK_VAR      7   /* ?1, :a, @a, $a */
#define MIG_TK_LP       8   /* ( */
#define MIG_TK_RP       9   /* ) */
#define MIG_TK_COMMA   10   /* , */
#define MIG_TK_SEMI    11   /* ; */
#define MIG_TK_DOT     12   /* . */
#define MIG_TK_OP      13   /* any other operator */
#define MIG_TK_ILLEGAL 14   /* unterminated quote and the like */

typedef struct MigToken MigToken;
struct MigToken {
  int eType;                   /* MIG_TK_* */
  int iOff;                    /* Byte offset in the text */
  int n;                       /* Length in bytes */
};

int migTokenLen(const char *z, int *peType);
int migTokenize(const char *zSql, MigToken **paTok, int *pnTok);
int migTokIsWord(const char *zSql, const MigToken *pTok, const char *zWord);
int migTokIsName(int eType);
char *migTokName(const char *zSql, const MigToken *pTok);
int migTokMatchParen(const MigToken *aTok, int nTok, int i);
int migTokSameText(const char *zA, const char *zB);
int migTokUsesName(const char *zSql, int iStart, int iEnd, const char *zName);

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


/* -------------------------------------------------------------- clauses */
#define MIG_OP_ADD_COLUMN      1   /* ADD [COLUMN] def */
#define MIG_OP_DROP_COLUMN     2   /* DROP [COLUMN] name */
#define MIG_OP_RENAME_COLUMN   3   /* RENAME [COLUMN] a TO b */
#define MIG_OP_RENAME_TABLE    4   /* RENAME TO name */
#define MIG_OP_TYPE            5   /* ALTER [COLUMN] c TYPE t [USING e] */
#define MIG_OP_SET_NOT_NULL    6   /* ALTER [COLUMN] c SET NOT NULL */
#define MIG_OP_DROP_NOT_NULL   7   /* ALTER [COLUMN] c DROP NOT NULL */
#define MIG_OP_SET_DEFAULT     8   /* ALTER [COLUMN] c SET DEFAULT e */
#define MIG_OP_DROP_DEFAULT    9   /* ALTER [COLUMN] c DROP DEFAULT */
#define MIG_OP_ADD_CONS       10   /* ADD [CONSTRAINT n] CHECK/UNIQUE/... */
#define MIG_OP_DROP_CONS      11   /* DROP CONSTRAINT n */
#define MIG_OP_DROP_CHECK     12   /* DROP CHECK (expr) */
#define MIG_OP_MOVE           13   /* MOVE [COLUMN] c FIRST | AFTER d */

typedef struct MigOp MigOp;
struct MigOp {
  int eOp;                     /* MIG_OP_* */
  char *zCol;                  /* Column named by the clause (ADD
                               ** CONSTRAINT: the constraint's name) */
  char *zArg;                  /* Definition, type, expr, name, ... */
  char *zUsing;                /* USING expression of TYPE, or NULL */
  char *zRaw;                  /* RENAME: the new name as written */
  int bIf;                     /* IF [NOT] EXISTS given */
  char *zText;                 /* The clause as written */
  int iClause;                 /* Index of the clause string it came from */
};

int migClauseParse(const char *zClause, MigOp **paOp, int *pnOp,
                   char **pzErr);
void migOpFree(MigOp *aOp, int nOp);
int migRouteNative(const char *zClause);

/* ------------------------------------------- simulation of a request */
typedef struct MigMap MigMap;
struct MigMap {
  char *zName;                 /* Column name in the new table */
  char *zSrc;                  /* Expression over the old table, or NULL */
  int bNew;                    /* Added by the request (zSrc: its default) */
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

/* alter_exec.c: helpers for running SQL on behalf of a request */
int migAlterErr(MigAlter *p, int rc, const char *zFmt, ...);
int migAlterExec(MigAlter *p, const char *zFmt, ...);
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
  int nKey;                    /* Foreign keys of the tables checked */
  struct MigFkKey *aKey;       /* Each with the rows breaking it */
  int nErr;                    /* Tables whose check fails outright */
  struct MigFkErr *aErr;       /* Their messages */
};
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
