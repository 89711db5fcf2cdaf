/*
** shell_int.h: declarations shared by the files of the .migrate command.
**
** migrate_shell.c owns the dispatcher and the table of subcommands; each
** group of subcommands lives in its own file (cmd_*.c) and is listed in
** that table. A subcommand returns 0 on success or 1 after reporting an
** error with migShellError().
*/
#ifndef SHELL_INT_H
#define SHELL_INT_H
#include "migrate_shell.h"
#include "../ext/mig_int.h"

typedef struct MigShell MigShell;
struct MigShell {
  sqlite3 *db;                 /* The shell's connection */
  FILE *out;                   /* Where results go */
  int bInteractive;            /* True when reading from a terminal */
};

/* A subcommand: nArg words in azArg, azArg[0] being its name. */
typedef int (*MigCmdFunc)(MigShell *p, int nArg, char **azArg);

/* Print "Error: <message>" to stderr; always returns 1. */
int migShellError(MigShell *p, const char *zFormat, ...);

/*
** Run one SQL statement built from zFmt (sqlite3_mprintf conventions) and
** print the first column of each row on its own line (NULL rows print
** nothing). Returns 0, or 1 after reporting the error.
*/
int migShellQuery(MigShell *p, const char *zFmt, ...);

/* cmd_alter.c */
int migCmdAlter(MigShell *p, int nArg, char **azArg);

/* cmd_backup.c */
int migCmdBackup(MigShell *p, int nArg, char **azArg);
int migCmdBackups(MigShell *p, int nArg, char **azArg);
int migCmdRestore(MigShell *p, int nArg, char **azArg);
int migCmdConfig(MigShell *p, int nArg, char **azArg);

/* cmd_diff.c: autogenerate */
int migCmdDiff(MigShell *p, int nArg, char **azArg);
int migCmdApply(MigShell *p, int nArg, char **azArg);
int migCmdNewAuto(MigShell *p, int nArg, char **azArg);
int migCmdCheckSchema(MigShell *p);

/* cmd_dir.c */
int migCmdDir(MigShell *p, int nArg, char **azArg);

/* cmd_fleet.c */
int migCmdFleet(MigShell *p, int nArg, char **azArg);

/* cmd_engine.c: the engine's subcommands */
int migCmdInit(MigShell *p, int nArg, char **azArg);
int migCmdNew(MigShell *p, int nArg, char **azArg);
int migCmdMerge(MigShell *p, int nArg, char **azArg);
int migCmdUpgrade(MigShell *p, int nArg, char **azArg);
int migCmdDowngrade(MigShell *p, int nArg, char **azArg);
int migCmdCurrent(MigShell *p, int nArg, char **azArg);
int migCmdHeads(MigShell *p, int nArg, char **azArg);
int migCmdBranches(MigShell *p, int nArg, char **azArg);
int migCmdHistory(MigShell *p, int nArg, char **azArg);
int migCmdShow(MigShell *p, int nArg, char **azArg);
int migCmdStamp(MigShell *p, int nArg, char **azArg);
int migCmdCheck(MigShell *p, int nArg, char **azArg);
int migCmdVerify(MigShell *p, int nArg, char **azArg);

/* cmd_test.c */
int migCmdTest(MigShell *p, int nArg, char **azArg);
int migCmdDryRun(MigShell *p, int nArg, char **azArg);

#endif /* SHELL_INT_H */
