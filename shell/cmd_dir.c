/*
** cmd_dir.c: ".migrate dir [PATH]", show or set the migrations directory,
** then the format its files are read in (when it holds any):
**
**     migrations
**     format: goose (detected)
**
** Setting it also saves it in the project file (cmd_config.c), so the
** next run uses it too.
*/
#include "shell_int.h"

/* The format line: nothing for an empty or missing directory. */
static const char zFormatSql[] =
  "SELECT 'format: ' || f || CASE migrate_config('format') WHEN 'auto' "
  "THEN ' (detected)' ELSE ' (set by .migrate config format)' END "
  "FROM (SELECT migrate_format() AS f) WHERE f IS NOT NULL";

int migCmdDir(MigShell *p, int nArg, char **azArg){
  int rc;
  if( nArg>2 ) return migShellError(p, "usage: .migrate dir [PATH]");
  if( nArg==2 ) rc = migShellSetting(p, "dir", azArg[1]);
  else rc = migShellQuery(p, "SELECT migrate_dir()");
  if( rc==0 ) rc = migShellQuery(p, "%s", zFormatSql);
  return rc;
}
