/*
** engine_int.h: declarations shared by the files of the migration engine.
**
** The engine is split by what each file owns:
**   script.c          reading *.sql files into MigRev records (header,
**                     sections, dbmate fallback, UTF-8 check, checksum)
**   split.c           splitting a section into statements with line numbers
**   graph.c           the revision graph: parents, children, heads, order,
**                     refusals, and Alembic's target resolution
**   bookkeeping.c     the migrate_version / migrate_history tables
**   runner.c          upgrade, downgrade, stamp and offline SQL
**   fkmode.c          which sections rebuild a table (foreign keys off)
**   format.c          directories of other tools: detection, names, order
**   format_text.c     their files' sections, markers and placeholders
**   peer.c            their bookkeeping tables, adopted and kept in step
**   sha384.c          SHA-384, for sqlx's checksums
**   migrations_vtab.c the "migrations" virtual table
**   engine.c          SQL functions, the C API, registered revisions
**   resolve.c         Alembic's RevisionMap lookups: ids, prefixes,
**                     labels, heads, walks, lineage
**   steps.c           the plans of upgrade, downgrade and stamp, and the
**                     invariant the runner checks before it commits
**   report.c          current, heads, branches, history, show as text,
**                     and the parents of a merge (migrate_run.h)
**
** A MigRev is one revision. A MigGraph owns an array of them plus the
** edges between them (indexes into that array).
*/
#ifndef ENGINE_INT_H
#define ENGINE_INT_H
#include "mig_int.h"
#include "migrate_run.h"

/* Where a revision came from. */
#define MIG_SRC_FILE     0     /* A *.sql file of the directory */
#define MIG_SRC_REGISTER 1     /* sqlite3_migrate_register / INSERT */
#define MIG_SRC_HISTORY  2     /* Applied, file gone: from migrate_history */

typedef struct MigRev MigRev;
struct MigRev {
  char *zId;                   /* Revision id */
  char *zRevises;              /* Parents, comma-separated; NULL: root */
  char *zDepends;              /* Depends On, comma-separated, or NULL */
  char *zLabels;               /* Branch Labels, comma-separated, or NULL */
  char *zMessage;              /* One-line message, or NULL */
  char *zFile;                 /* Path of the file, or NULL */
  char *zDate;                 /* Create Date, or NULL */
  char *zUp;                   /* Up section (never NULL once loaded) */
  char *zDown;                 /* Down section; NULL: irreversible */
  char *zChecksum;             /* Checksum of the source, or NULL */
  int iUpLine;                 /* Line of the file where zUp starts */
  int iDownLine;               /* Line of the file where zDown starts */
  int bUpNoTxn;                /* Up section is transaction:false */
  int bDownNoTxn;              /* Down section is transaction:false */
  int eSource;                 /* MIG_SRC_* */
  int eFormat;                 /* MIG_FMT_* of its file; 0 not a file */
  char *zDownFile;             /* File of the down section when it has its
                               ** own (paired formats), or NULL */
  int bFollow;                 /* No Revises: line: follows the file before */
  /* Filled in by migGraphBuild() */
  int nParent; int *aParent;   /* Parents (Revises:) */
  int nDep; int *aDep;         /* Depends On: */
  int nChild; int *aChild;     /* Children through Revises: */
  int nDepChild; int *aDepChild; /* Revisions that depend on this one */
  int iRank;                   /* Position in topological order */
};

/* Formats of a migrations directory (format.c); 0: detect it. */
#define MIG_FMT_AUTO       0
#define MIG_FMT_NATIVE     1   /* This project's: "Revision ID:" headers */
#define MIG_FMT_DBMATE     2   /* N_x.sql, -- migrate:up / down */
#define MIG_FMT_GOLANG     3   /* golang-migrate: N_x.up.sql, N_x.down.sql */
#define MIG_FMT_GOOSE      4   /* N_x.sql, -- +goose Up / Down */
#define MIG_FMT_SQLX       5   /* N_x.sql, or N_x.up.sql and N_x.down.sql */
#define MIG_FMT_DIESEL     6   /* V_x/up.sql, V_x/down.sql */
#define MIG_FMT_FLYWAY     7   /* V1__x.sql, U1__x.sql, R__x.sql */
#define MIG_FMT_SQLMIGRATE 8   /* x.sql, -- +migrate Up / Down */
#define MIG_FMT_PLAIN      9   /* x.sql, up only, in name order */
#define MIG_FMT_COUNT     10

/* format.c */
const char *migFormatName(int eFormat);
int migFormatParse(const char *zName);
void migFormatFunc(sqlite3_context *ctx, int argc, sqlite3_value **argv);
int migFormatLoad(MigConn *p, const char *zDir, sqlite3 *db, int bMissingOk,
                  MigRev **paRev, int *pnRev, int *peFormat, char **pzErr);

/* format_text.c: the sections of one file of a foreign format */
int migFormatText(MigConn *p, int eFormat, const char *zFile,
                  const char *zText, int nText, MigRev *pRev, char **pzErr);
int migFormatDown(MigConn *p, int eFormat, const char *zFile,
                  const char *zText, int nText, MigRev *pRev, char **pzErr);

/* script.c */
void migRevClear(MigRev *pRev);
int migRevCopy(MigRev *pTo, const MigRev *pFrom);
int migScriptParse(const char *zFile, const char *zText, int nText,
                   MigRev *pRev, char **pzErr);
int migScriptsLoad(const char *zDir, int bMissingOk, MigRev **paRev,
                   int *pnRev, char **pzErr);
int migScriptsParse(const char *zDir, int nName, const char *const *azName,
                    const char *const *azText, const int *anText,
                    MigRev **paRev, int *pnRev, char **pzErr);
int migScriptIsSql(const char *zName);
char *migChecksum(const char *zText, int nText);
char *migRevLabel(const MigRev *pRev);

/* split.c: iterate over the statements of a section */
typedef struct MigSplit MigSplit;
struct MigSplit {
  char *zBuf;                  /* Private copy of the text (owned) */
  int iPos;                    /* Offset of the next unread byte */
  int iLine;                   /* Line number at iPos */
};
int migSplitInit(MigSplit *p, const char *zSql, int iLine);
int migSplitNext(MigSplit *p, char **pzStmt, int *piLine);
void migSplitFree(MigSplit *p);

/* fkmode.c: 1 if a section rebuilds a table (its name in *pzTable) */
int migFkRebuild(const char *zSql, char **pzTable);

/* graph.c */
typedef struct MigGraph MigGraph;
struct MigGraph {
  int nRev;                    /* Number of revisions */
  MigRev *aRev;                /* The revisions (owned) */
  int *aOrder;                 /* Indexes in topological order */
  int nHash;                   /* Slots in aHash */
  int *aHash;                  /* Open addressing: index+1, 0 empty */
  int nRef;                    /* Extra references; migGraphFree() drops
                               ** one before it frees anything */
  int nLabel;                  /* Distinct branch labels */
  int nLabelCol;               /* Columns of aLabel (>= nLabel) */
  char **azLabel;              /* The labels (one allocation) */
  char *aLabel;                /* nRev x nLabelCol: revision carries label */
  int *aLabelRev;              /* aLabelRev[k]: revision that carries label
                               ** k as written (the first one) */
};
int migGraphBuild(MigRev *aRev, int nRev, MigGraph **ppG, char **pzErr);
void migGraphFree(MigGraph *g);
int migGraphFind(MigGraph *g, const char *zId);
int migGraphIsHead(MigGraph *g, int iRev);
int migGraphIsRealHead(MigGraph *g, int iRev);
#define MIG_DOWN 0x01          /* migGraphReach(): toward descendants */
#define MIG_DEPS 0x02          /* migGraphReach(): through Depends On too */
void migGraphReach(MigGraph *g, const int *aIdx, int nIdx, int eFlags,
                   char *aMark);
void migGraphAncestors(MigGraph *g, const int *aIdx, int nIdx, char *aMark);
void migGraphDescendants(MigGraph *g, const int *aIdx, int nIdx, char *aMark);
void migGraphLineage(MigGraph *g, int i, int bDeps, char *aMark);
void migGraphTips(MigGraph *g, const char *aSet, char *aOut);
int migGraphHasLabel(MigGraph *g, int iRev, const char *zLabel);
int migGraphLabelRev(MigGraph *g, const char *zLabel, int nLabel);
char *migGraphLabelList(MigGraph *g, int iRev);
int migGraphCurrent(MigGraph *g, char **azId, int nId, int **paCur,
                    char **pzErr);
char *migGraphHeadList(MigGraph *g);

/* peer.c: the bookkeeping table of the directory's own tool */
int migPeerCurrent(MigConn *p, sqlite3 *db, MigGraph *g, int **paCur,
                   int *pnCur, char **pzErr);
int migPeerEnsure(MigConn *p, sqlite3 *db, MigGraph *g, const int *aCur,
                  int nCur, char **pzLog, char **pzErr);
char *migPeerSql(MigConn *p, MigGraph *g, const char *aApplied, int iRev,
                 double rSec);
const char *migPeerTable(MigConn *p, MigGraph *g);
const char *migPeerOfflineDdl(MigConn *p, MigGraph *g);
int migPeerAny(sqlite3 *db);

/* sha384.c */
void migSha384(const unsigned char *z, int n, unsigned char *aOut);

/* resolve.c: Alembic's RevisionMap lookups */
typedef struct MigIds MigIds;
struct MigIds {
  int *a;                      /* Revision indexes (or MIG_NONE, MIG_BASE) */
  int n;                       /* Number of entries */
};
int migIdsPush(MigIds *l, int i);
void migIdsFree(MigIds *l);
int migIdsHas(const MigIds *l, int i);
#define MIG_NONE (-1)          /* Alembic's None: below the roots */
#define MIG_BASE (-2)          /* "base": a walk down went past a root */
typedef struct MigRmap MigRmap;
struct MigRmap {
  MigGraph *g;                 /* The graph looked up */
  int eErr;                    /* MIG_RERR_* of the first error */
  char *zArg;                  /* Its argument (resolution, heads) */
  char *zMsg;                  /* Its text */
};
#define MIG_RERR_NONE       0
#define MIG_RERR_RESOLUTION 1  /* Alembic's ResolutionError(argument) */
#define MIG_RERR_HEADS      2  /* MultipleHeads(argument) */
#define MIG_RERR_REVISION   3  /* RevisionError(message) */
#define MIG_RERR_RANGE      4  /* RangeNotAncestorError */
typedef struct MigRel MigRel;
struct MigRel {
  int nLabel;                  /* Bytes of the label at the start, or 0 */
  const char *zSym;            /* Symbol (nSym bytes, may be 0) */
  int nSym;
  int nRel;                    /* Signed number of steps */
  char zRel[24];               /* The steps as written, with the sign */
};
int migRmapError(MigRmap *p, int eErr, const char *zArg,
                 const char *zFmt, ...);
void migRmapClear(MigRmap *p);
int migRmapBranch(MigRmap *p, const char *zLabel, int *piRev);
int migRmapForIdent(MigRmap *p, const char *zId, const char *zBranch,
                    int *piRev);
int migRmapNumber(MigRmap *p, const char *zId, MigIds *pOut, char **pzRaw,
                  char **pzLabel);
int migRmapRevisions(MigRmap *p, const char *zId, MigIds *pOut);
int migRmapRevision(MigRmap *p, const char *zId, int *piRev);
int migRmapFilter(MigRmap *p, const int *aIn, int nIn, const char *zCheck,
                  int bDeps, MigIds *pOut);
int migRmapWalk(MigRmap *p, int iStart, int nStep, const char *zBranch,
                int *piOut);
int migRmapParseRel(const char *zTarget, MigRel *pRel);
char *migRmapMessage(MigRmap *p, const char *zEnd, const char *zRange,
                     const char *zHeads);
int migGraphRevisions(MigGraph *g, const char *zTarget, int **paOut,
                      int *pnOut, char **pzErr);

/* steps.c: what upgrade, downgrade and stamp do, as Alembic's commands */
typedef struct MigSteps MigSteps;
struct MigSteps {
  MigIds steps;                /* Revisions to run, in order */
  MigIds heads;                /* Stamp: the version rows afterwards */
};
int migStepsUpgrade(MigGraph *g, const char *zTarget, const int *aCur,
                   int nCur, MigSteps *pPlan, char **pzErr);
int migStepsDowngrade(MigGraph *g, const char *zTarget, const int *aCur,
                     int nCur, MigSteps *pPlan, char **pzErr);
int migStepsStamp(MigGraph *g, const char *zTarget, const int *aCur,
                 int nCur, MigSteps *pPlan, char **pzErr);
int migStepsTargets(MigGraph *g, const char *zTarget, const int *aCur,
                   int nCur, int **paOut, int *pnOut, char **pzErr);
void migStepsFree(MigSteps *pPlan);
int migStepsCheck(MigGraph *g, const char *aApplied, const int *aRow,
                 int nRow, char **pzErr);

/* bookkeeping.c */
const char *migBookDdl(void);
int migBookEnsure(sqlite3 *db, MigGraph *g, const int *aCur, int nCur,
                  const char *zFrom, int *pbAdopted, char **pzErr);
int migBookHeads(sqlite3 *db, char ***pazId, int *pnId, int *pbAlembic);
void migBookFreeList(char **azId, int nId);
int migBookGhosts(sqlite3 *db, char **azCur, int nCur,
                  MigRev **paRev, int *pnRev);
char *migBookHeadsSql(MigGraph *g, const char *aApplied);
char *migBookStepSql(MigGraph *g, const char *aApplied, int iRev, int bDown);
char *migBookHistorySql(const MigRev *pRev, const char *zVerb, double rSec);
int migBookHistoryRow(sqlite3 *db, sqlite3_stmt **ppStmt, const MigRev *pRev,
                      const char *zVerb, double rSec, sqlite3_int64 iAt);
char *migBookStampSql(const char *zFrom, const char *zTo);
char *migBookLast(sqlite3 *db, const char *zRev, const char *zCol,
                  int *pRc);

/* runner.c: migRun(), see migrate_run.h */

/* engine.c */
int migEngineLoad(MigConn *p, const char *zDir, sqlite3 *db,
                  MigGraph **ppG, int **paCur, int *pnCur, char **pzErr);
int migEngineRegister(MigConn *p, const MigRev *pRev, char **pzErr);
int migEngineVerify(MigConn *p, char **pzOut, char **pzErr);
int migEngineShareScripts(MigConn *p, const MigRev *aRev, int nRev);
int migEngineApplied(MigGraph *g, const int *aCur, int nCur,
                     char **paApplied);

/* migrations_vtab.c */
int migMigrationsVtabInit(sqlite3 *db, MigConn *p);

#endif /* ENGINE_INT_H */
