/*
** diff_int.h: declarations shared by the files of autogenerate, the
** migration written from a desired schema.
**
**   model.c, model_cmp.c  the normalised schema model (model.h)
**   diff_plan.c           the planner: statements for two models, in a
**                         safe order
**   diff.c                one table: ALTER TABLE clauses, or a rebuild
**   diff_rename.c         "-- migrate:renamed-from OLD" marks
**   diff_load.c           the desired SQL run by SQLite, read as a model
**   diff_subset.c         the objects a migration can affect
**   diff_run.c            scratch databases, the proof, running the SQL
**   diff_apply.c          the declarative apply, the schema file
**   diff_sql.c            SQL functions and the C API
*/
#ifndef DIFF_INT_H
#define DIFF_INT_H
#include "model.h"
#include "migrate_run.h"

/*
** The SQL a plan writes. pSql gets statements, each ending in ";\n",
** with comment lines before them ("-- data loss: drops column t.c");
** pLoss gets the data-loss lines alone ("data loss: ...\n").
** aRebuild names tables that must be rebuilt even when clauses could
** do (the proof found the clauses wrong).
*/
typedef struct MigPlan MigPlan;
struct MigPlan {
  sqlite3_str *pSql;           /* The statements (owned) */
  sqlite3_str *pLoss;          /* Data-loss lines (owned) */
  int nStmt;                   /* Statements written */
  int nLoss;                   /* Data-loss lines written */
  int rc;                      /* SQLITE_NOMEM after a failed allocation */
  int nRebuild;                /* Entries in azRebuild */
  char **azRebuild;            /* Tables to rebuild (not owned) */
};

/* diff_plan.c */
int migPlanInit(MigPlan *p);
void migPlanClear(MigPlan *p);
int migDiffPlan(const MigModel *pFrom, const MigModel *pTo, MigPlan *p);
void migPlanStmt(MigPlan *p, const char *zFmt, ...);
void migPlanLoss(MigPlan *p, const char *zFmt, ...);
char *migDiffId(const char *zName);

/* diff.c */
int migDiffWillRebuild(const MigMObj *pF, const MigMObj *pT, MigPlan *p);
int migDiffTable(const MigMObj *pF, const MigMObj *pT, MigPlan *p,
                 int *pbRebuilt);

/* diff_rename.c: renames marked in the desired SQL */
typedef struct MigRename MigRename;
struct MigRename {
  char *zTable;                /* Table (its new name) */
  char *zOld;                  /* Old name of the table or column */
  char *zCol;                  /* New column name; NULL: a table rename */
};
int migRenameParse(const char *zSql, MigRename **paRen, int *pnRen);
void migRenameFree(MigRename *aRen, int nRen);
int migRenameSql(sqlite3 *dbFrom, const MigRename *aRen, int nRen,
                 char **pzUp, char **pzDown);

/* diff_subset.c: the part of a schema a migration can affect */
int migSubsetMark(const MigModel *pA, const MigModel *pB, const char *zSql,
                  char *aA, char *aB);
MigModel *migSubsetModel(const MigModel *pM, const char *aMark, int bIn);
void migSubsetModelFree(MigModel *p);
int migSubsetOpen(const MigModel *pM, const char *aMark,
                  int (*xOpen)(sqlite3**, char**), sqlite3 **pDb,
                  char **pzErr);

/* diff_load.c: the desired schema, validated, as a model */
int migDiffLoad(const char *zSql, const char *zFile,
                int (*xOpen)(sqlite3**, char**), MigModel **ppModel,
                char **pzErr);

/* diff_run.c (migDiffCompute(), migDiffClear(): migrate_run.h) */
int migDiffExec(sqlite3 *db, const char *zSql, char **pzErr);

#endif /* DIFF_INT_H */
