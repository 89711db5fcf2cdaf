/*
** cmd_config.c: settings that last.
**
**   .migrate config                 every setting, "KEY VALUE" a line
**   .migrate config KEY             one value
**   .migrate config KEY VALUE       set it here and save it
**   .migrate config --unset KEY     remove it from the project file
**
** Saved settings live in the project file migrate.ini of the working
** directory (ext/cfgfile.c), read by every connection opened there;
** .migrate dir PATH and .migrate init DIR save "dir" the same way.
*/
#include "shell_int.h"
#include <stdlib.h>
#include <string.h>

int migShellSetting(MigShell *p, const char *zKey, const char *zValue){
  MigConn *pConn = migConnGet(p->db);
  char *zErr = 0;
  const char *zEnv = getenv("MIGRATE_DIR");
  if( pConn==0 ) return migShellError(p, "the migrate extension is missing");
  if( migConfigSet(pConn, zKey, zValue, &zErr) ){
    migShellError(p, "migrate_config: %s", zErr ? zErr : "out of memory");
    sqlite3_free(zErr);
    return 1;
  }
  if( migConfigSave(pConn, zKey, zValue, &zErr) ){
    migShellError(p, "%s (the setting holds for this run only)",
                  zErr ? zErr : "out of memory");
    sqlite3_free(zErr);
    return 1;
  }
  if( migNameEq(zKey, "dir") ){
    fprintf(p->out, "%s (saved in %s)\n", zValue, MIG_CONFIG_FILE);
    if( zEnv && zEnv[0] ){
      migShellNote(p, "note: MIGRATE_DIR=%s is set; it overrides the saved "
                   "directory in later runs", zEnv);
    }
  }else{
    fprintf(p->out, "%s %s (saved in %s)\n", zKey,
            migConfigGet(pConn, zKey), MIG_CONFIG_FILE);
  }
  return 0;
}

/* .migrate config: every key and its value. */
static int cmdListConfig(MigShell *p){
  MigConn *pConn = migConnGet(p->db);
  const char *zKey;
  int i;
  if( pConn==0 ) return migShellError(p, "the migrate extension is missing");
  for(i=0; (zKey = migConfigKeyName(i))!=0; i++){
    fprintf(p->out, "%s %s\n", zKey, migConfigGet(pConn, zKey));
  }
  for(i=0; i+1<pConn->nPlace; i+=2){
    fprintf(p->out, "placeholder.%s %s\n", pConn->azPlace[i],
            pConn->azPlace[i+1]);
  }
  return 0;
}

int migCmdConfig(MigShell *p, int nArg, char **azArg){
  if( nArg==1 ) return cmdListConfig(p);
  if( nArg==3 && strcmp(azArg[1], "--unset")==0 ){
    MigConn *pConn = migConnGet(p->db);
    char *zErr = 0;
    if( pConn && migConfigSave(pConn, azArg[2], 0, &zErr) ){
      migShellError(p, "%s", zErr ? zErr : "out of memory");
      sqlite3_free(zErr);
      return 1;
    }
    fprintf(p->out, "removed %s from %s\n", azArg[2], MIG_CONFIG_FILE);
    return 0;
  }
  if( nArg==2 && azArg[1][0]!='-' ){
    return migShellQuery(p, "SELECT migrate_config(%Q)", azArg[1]);
  }
  if( nArg==3 && azArg[1][0]!='-' ){
    return migShellSetting(p, azArg[1], azArg[2]);
  }
  return migShellError(p,
      "usage: .migrate config [KEY [VALUE]] | .migrate config --unset KEY");
}
