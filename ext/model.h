/*
** model.h: a normalised model of a database schema, read through SQLite.
**
** The autogenerate differ and the migration tester compare schemas by
** what they mean, not how they are written: whitespace, comments,
** identifier quoting and keyword case make no difference, nor does the
** order of table constraints, nor a column constraint written as a table
** constraint (x REFERENCES t(id) is FOREIGN KEY(x) REFERENCES t(id)).
**
**   MigModel *pA = 0, *pB = 0;
**   char *zDiff = 0;
**   rc = migModelRead(db1, "main", &pA, &zErr);
**   if( rc==SQLITE_OK ) rc = migModelRead(db2, "main", &pB, &zErr);
**   if( rc==SQLITE_OK ) rc = migModelDiff(pA, pB, 0, &zDiff);
**   ... zDiff NULL: the same; else "table users: column phone: ..." ...
**   sqlite3_free(zDiff); migModelFree(pA); migModelFree(pB);
**
** What a model holds: every table (columns in order with type, NOT NULL,
** DEFAULT, COLLATE, generated expression; PRIMARY KEY, UNIQUE, CHECK and
** FOREIGN KEY constraints with their names, actions and deferrability;
** STRICT, WITHOUT ROWID, AUTOINCREMENT), every index with SQL (unique,
** partial, expressions, DESC, collations), view and trigger. Internal
** objects are left out: sqlite_* tables, automatic indexes, the
** bookkeeping tables of this extension (migrate_version,
** migrate_history) and the shadow tables of virtual tables.
**
** The structures below are read by the differ (diff.c, diff_plan.c);
** other modules should only need the four functions.
*/
#ifndef MIG_MODEL_H
#define MIG_MODEL_H
#include "mig_int.h"

/* Object types, in the order a model sorts them. */
#define MIG_OBJ_TABLE    1
#define MIG_OBJ_INDEX    2
#define MIG_OBJ_VIEW     3
#define MIG_OBJ_TRIGGER  4

/* Constraint kinds of a MigMCons. */
#define MIG_MC_PK        1
#define MIG_MC_UNIQUE    2
#define MIG_MC_CHECK     3
#define MIG_MC_FK        4

/* One column of a table. Strings are owned; z*Norm are lowercase
** normalised token text, NULL when absent. */
typedef struct MigMCol MigMCol;
struct MigMCol {
  char *zName;                 /* Name as written, dequoted */
  char *zType;                 /* Declared type as written ("" none) */
  char *zTypeNorm;             /* Normalised type */
  int bNotNull;                /* NOT NULL */
  char *zDefault;              /* DEFAULT value as written, or NULL */
  char *zDefaultNorm;          /* Normalised DEFAULT */
  char *zCollate;              /* COLLATE name, NULL for BINARY */
  char *zGenNorm;              /* Normalised "AS (expr) stored|virtual" */
  char *zDef;                  /* Whole column definition as written */
  int bPk;                     /* Part of the PRIMARY KEY */
  int bMark;                   /* Work flag for the differ */
};

/* One table constraint (column constraints are turned into these). */
typedef struct MigMCons MigMCons;
struct MigMCons {
  int eKind;                   /* MIG_MC_* */
  char *zName;                 /* CONSTRAINT name, or NULL */
  char *zBody;                 /* Table-level form as written, no name:
                               ** "CHECK (x > 0)", "FOREIGN KEY(a) ..." */
  char *zNorm;                 /* Normalised zBody */
  char *zArg;                  /* CHECK: the expression as written */
  char *zCol;                  /* Column it was written on, or NULL */
  int bMark;                   /* Work flag for the differ */
};

/* One schema object. */
typedef struct MigMObj MigMObj;
struct MigMObj {
  int eType;                   /* MIG_OBJ_* */
  char *zName;                 /* Name as stored */
  char *zTbl;                  /* Table it belongs to (tbl_name) */
  char *zSql;                  /* SQL as stored in sqlite_schema */
  char *zNorm;                 /* Normalised SQL (indexes, views, triggers,
                               ** virtual tables) */
  int iOrder;                  /* Position in sqlite_schema */
  int nCol;                    /* Tables: number of columns */
  MigMCol *aCol;               /* Tables: columns in order */
  int nCons;                   /* Tables: number of constraints */
  MigMCons *aCons;             /* Tables: constraints */
  int bStrict;                 /* Tables: STRICT */
  int bWithoutRowid;           /* Tables: WITHOUT ROWID */
  int bAutoinc;                /* Tables: AUTOINCREMENT */
  int bVirtual;                /* Tables: CREATE VIRTUAL TABLE */
  int iNameOff, iNameEnd;      /* Tables: span of the name in zSql */
  int bMark;                   /* Work flag for the differ */
};

typedef struct MigModel MigModel;
struct MigModel {
  int nObj;                    /* Number of objects */
  MigMObj *aObj;               /* Sorted by type, then name (nocase) */
};

/*
** Read the schema zSchema ("main" when NULL) of db into a new model
** (*ppModel, free with migModelFree). Returns SQLITE_OK, or an error code
** with *pzErr (sqlite3_malloc'd) naming the object that could not be read.
*/
int migModelRead(sqlite3 *db, const char *zSchema, MigModel **ppModel,
                 char **pzErr);

/* Free a model (NULL is a no-op). */
void migModelFree(MigModel *p);

/*
** Compare models pA (before) and pB (after). *pzDiff is NULL when they
** are the same, else lines naming each object that differs and how
** ("table users: column phone: NOT NULL: no -> yes"); only the first
** line unless bAll. Returns SQLITE_OK or SQLITE_NOMEM. Free *pzDiff.
*/
int migModelDiff(const MigModel *pA, const MigModel *pB, int bAll,
                 char **pzDiff);

/*
** migModelDiff() of two schemas of two connections: a convenience for
** callers holding connections rather than models.
*/
int migModelDiffDb(sqlite3 *dbA, const char *zSchemaA, sqlite3 *dbB,
                   const char *zSchemaB, int bAll, char **pzDiff,
                   char **pzErr);

/* For the differ: the object of type eType named zName, or NULL. */
MigMObj *migModelFind(const MigModel *p, int eType, const char *zName);

/* For the differ: sort the objects again after editing the array. */
void migModelSort(MigModel *p);

/* For the differ: column zName of table pTab, or -1. */
int migModelCol(const MigMObj *pTab, const char *zName);

/* For the differ: true if two constraints are the same rule and name. */
int migModelSameCons(const MigMCons *a, const MigMCons *b);

/* For the differ: true if objects a and b (same type and name) are the
** same (0 on OOM). */
int migModelObjSame(const MigMObj *a, const MigMObj *b);

/* For the differ: normalised text of z (tokens, lowercase, one space
** between tokens, identifiers dequoted). sqlite3_malloc'd; NULL on OOM. */
char *migModelNorm(const char *z);

#endif /* MIG_MODEL_H */
