/*
** sql_int.h: the one SQL lexer and the one ALTER clause grammar of the
** extension. Statement splitting (split.c), the data-loss scan
** (dataloss.c), the migration runner's routing and the alter engine all
** read SQL through these, so they cannot disagree about where a string,
** a comment, a statement or a clause ends.
**
**   sql_lex.c      tokens with byte offsets; where a statement ends
**   sql_clause.c   PostgreSQL-style ALTER TABLE clauses -> MigOp;
**                  the head "ALTER TABLE [schema.]name" of a statement
*/
#ifndef SQL_INT_H
#define SQL_INT_H
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

int migStmtEnd(const char *zSql);

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
int migAlterHead(const char *zSql, MigToken *aTok, int nTok,
                 char **pzSchema, char **pzTable);

#endif /* SQL_INT_H */
