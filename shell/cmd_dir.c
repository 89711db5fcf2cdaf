/*
** cmd_dir.c: ".migrate dir [PATH]", show or set the migrations directory.
*/
#include "shell_int.h"

int migCmdDir(MigShell *p, int nArg, char **azArg){
  if( nArg>2 ) return migShellError(p, "usage: .migrate dir [PATH]");
  if( nArg==2 ) return migShellQuery(p, "SELECT migrate_dir(%Q)", azArg[1]);
  return migShellQuery(p, "SELECT migrate_dir()");
}
