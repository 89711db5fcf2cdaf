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
  int bLossShown;              /* Data-loss lines printed before the run */
  int bYes;                    /* --yes: no question, no refusal */
  int eConfirm;                /* MIG_CONFIRM_*: why xConfirm said no */
  const char *zVerb;           /* "upgrade" or "downgrade", for messages */
  void *pRemote;               /* --remote: the cluster's MigRemote
                               ** (cmd_remote.c), db its shadow; or NULL */
};

/* A subcommand: nArg words in azArg, azArg[0] being its name. */
typedef int (*MigCmdFunc)(MigShell *p, int nArg, char **azArg);

/* Print "Error: <message>" to stderr, after flushing what was written
** to p->out before it (so a merged 2>&1 log keeps the order); returns 1. */
int migShellError(MigShell *p, const char *zFormat, ...);

/* Print a notice line to stderr, flushing p->out first. */
void migShellNote(MigShell *p, const char *zFormat, ...);

/*
** For the exit statuses that say more than "failed" (check: 2 for
** trouble): when rc is non-zero and the shell is not interactive, end
** the process with iStatus (the sqlite3 shell would turn a 2 returned
** from a dot-command into ".exit"). Otherwise returns rc.
*/
int migShellExit(MigShell *p, int rc, int iStatus);

/*
** cmd_wait.c: before an operation eOp (MIG_RUN_*) that writes, refuse a
** read-only database and, when another connection holds the write lock,
** say once that we wait for it. Returns 1 after an error, else 0.
*/
int migShellWriteCheck(MigShell *p, int eOp);

/*
** cmd_confirm.c. migShellConfirm() is MigRunOpts.xConfirm (pArg: the
** MigShell): it prints the data-loss lines and, when interactive and not
** p->bYes, asks (offering a snapshot); when not interactive it refuses
** under data_loss=refuse. Non-zero cancels the run. After a failed run,
** migShellConfirmEnd(p, zErr) reports a cancel or refusal the hook
** recorded (freeing zErr) and returns the subcommand's status, or -1
** when the hook said nothing and zErr is the run's own error.
*/
#define MIG_CONFIRM_CANCELLED 1    /* The user said no */
#define MIG_CONFIRM_REFUSED   2    /* data_loss=refuse, not interactive */
#define MIG_CONFIRM_FAILED    3    /* The snapshot asked for failed */
int migShellConfirm(void *pArg, const char *zLines);
int migShellConfirmEnd(MigShell *p, char *zErr);

/*
** cmd_complete.c: tab completion of .migrate lines (readline builds).
** migShellCompleteInit() installs it; migShellCompleteDb() names the
** connection whose revisions are offered. migShellSubcommand(i) is the
** name of subcommand i of migrate_shell.c's table, NULL past the last.
*/
void migShellCompleteInit(void);
void migShellCompleteDb(sqlite3 *db);
const char *migShellSubcommand(int i);

/* .migrate version */
int migCmdVersion(MigShell *p, int nArg, char **azArg);

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

/* cmd_config.c. migShellSetting() sets zKey on the connection and saves
** it in the project file, printing what it did; 0, or 1 after an error. */
int migCmdConfig(MigShell *p, int nArg, char **azArg);
int migShellSetting(MigShell *p, const char *zKey, const char *zValue);

/* cmd_diff.c: autogenerate */
int migCmdDiff(MigShell *p, int nArg, char **azArg);
int migCmdApply(MigShell *p, int nArg, char **azArg);
int migCmdNewAuto(MigShell *p, int nArg, char **azArg);
int migCmdSchemaFileExists(MigShell *p);
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

/*
** cmd_remote.c. migShellRemote(): when azArg holds "--remote URL", run
** xCmd without those two words against the cluster (p->db swapped for
** its shadow, p->pRemote set) and return its status; -1 when there is
** no --remote. migShellRemoteErr(p, zErr): the message to report for a
** run's error zErr (taken over; the cluster's own when it refused).
*/
int migShellRemote(MigShell *p, MigCmdFunc xCmd, int nArg, char **azArg);
char *migShellRemoteErr(MigShell *p, char *zErr);

/* cmd_test.c */
int migCmdTest(MigShell *p, int nArg, char **azArg);
int migCmdDryRun(MigShell *p, int nArg, char **azArg);

#endif /* SHELL_INT_H */
