/*
** migrate_shell.h: what the patched sqlite3 shell calls (shell/shell.patch).
**
** The shell's ".migrate" branch calls migrateDotCommand() with its
** connection and output; the shell is built with
** -DSQLITE_SHELL_INIT_PROC=migrateShellInit so that every connection it
** opens has the extension without ".load".
*/
#ifndef MIGRATE_SHELL_H
#define MIGRATE_SHELL_H
#include <stdio.h>
#include "sqlite3.h"

/*
** Run ".migrate azArg[1] ...". azArg[0] is "migrate". bInteractive is true
** when the shell reads from a terminal (confirmations, progress lines).
** Messages go to out, errors to stderr. Returns 0 on success, 1 on error
** (the shell then exits non-zero when not interactive).
*/
int migrateDotCommand(sqlite3 *db, FILE *out, int bInteractive,
                      char **azArg, int nArg);

/* Register the extension on every connection, install the tab
** completion of .migrate lines (cmd_complete.c), then sqlite3_initialize(). */
void migrateShellInit(void);

#endif /* MIGRATE_SHELL_H */
