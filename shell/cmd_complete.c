/*
** cmd_complete.c: tab completion of ".migrate" lines in the interactive
** shell, without touching shell.patch.
**
** The shell (built with readline) sets rl_attempted_completion_function
** in main(), after SQLITE_SHELL_INIT_PROC has run, and completes SQL
** words through the completion() virtual table, which sees only the word
** being typed. So migShellCompleteInit() (called by migrateShellInit())
** sets readline's rl_startup_hook, which readline runs before every
** prompt: the first time, it puts completeLine() in front of the shell's
** function. completeLine() looks at the whole line (rl_line_buffer): after
** ".migrate" (or a prefix of it of 4 characters or more, as the shell
** accepts) it offers the subcommands, and after a subcommand the
** revision ids of the connection's migrations plus head, heads and base
** (and --remote after a subcommand that takes it);
** any other line goes to the shell's own completion.
**
** The connection is the one the last .migrate command ran on, else the
** last one opened (migShellCompleteDb()); it is used only while the
** registry of live connections (migConnGet()) still knows it.
*/
#include "shell_int.h"
#include <stdlib.h>
#include <string.h>
#ifdef HAVE_READLINE
#include <readline/readline.h>

static rl_completion_func_t *xShellComplete = 0;   /* The shell's own */
static sqlite3 *pCompleteDb = 0;                   /* Not owned */
static char **azCand = 0;                          /* Candidates (owned) */
static int nCand = 0;

/* readline releases every match it is handed with the C library: they come
** from the C library's allocator, not from sqlite3_malloc(). */
static void *(*const xRlMalloc)(size_t) = malloc;

/* A copy of z that readline may free, or NULL. */
static char *completeRlCopy(const char *z){
  size_t n = strlen(z)+1;
  char *zCopy = xRlMalloc(n);
  if( zCopy ) memcpy(zCopy, z, n);
  return zCopy;
}

/* Forget the candidates of the last completion. */
static void completeCandClear(void){
  while( nCand>0 ) sqlite3_free(azCand[--nCand]);
  sqlite3_free(azCand);
  azCand = 0;
}

/* Add a copy of z to the candidates (nothing when out of memory). */
static void completeCandAdd(const char *z){
  char **aNew = sqlite3_realloc64(azCand, sizeof(char*)*(nCand+1));
  if( aNew==0 ) return;
  azCand = aNew;
  azCand[nCand] = sqlite3_mprintf("%s", z);
  if( azCand[nCand] ) nCand++;
}

/* The revision ids of the connection, with head, heads and base. */
static void completeCandRevisions(void){
  sqlite3_stmt *pStmt = 0;
  completeCandAdd("head");
  completeCandAdd("heads");
  completeCandAdd("base");
  if( pCompleteDb==0 || migConnGet(pCompleteDb)==0 ) return;
  if( sqlite3_prepare_v2(pCompleteDb, "SELECT revision FROM migrations",
                         -1, &pStmt, 0)==SQLITE_OK ){
    while( sqlite3_step(pStmt)==SQLITE_ROW ){
      const char *z = (const char*)sqlite3_column_text(pStmt, 0);
      if( z ) completeCandAdd(z);
    }
  }
  sqlite3_finalize(pStmt);
}

/* readline's generator over azCand: the next one starting with zText. */
static char *completeCandNext(const char *zText, int iState){
  static int i = 0;
  size_t n = strlen(zText);
  if( iState==0 ) i = 0;
  while( i<nCand ){
    const char *z = azCand[i++];
    if( strncmp(z, zText, n)==0 ) return completeRlCopy(z);
  }
  return 0;
}

/* Number of words of zLine before offset iEnd; *pbMigrate set when the
** first is ".migrate" or a prefix of it (".migr" and longer). */
static int completeLineWords(const char *zLine, int iEnd, int *pbMigrate){
  int i = 0, nWord = 0;
  *pbMigrate = 0;
  while( i<iEnd ){
    int iStart;
    while( i<iEnd && (zLine[i]==' ' || zLine[i]=='\t') ) i++;
    if( i>=iEnd ) break;
    iStart = i;
    while( i<iEnd && zLine[i]!=' ' && zLine[i]!='\t' ) i++;
    if( i>=iEnd ) break;                      /* The word being typed */
    if( nWord==0 ){
      *pbMigrate = i-iStart>=4 && zLine[iStart]=='.'
                && strncmp(zLine+iStart+1, "migrate", i-iStart-1)==0;
    }
    nWord++;
  }
  return nWord;
}

/* True if the second word of zLine is a subcommand taking --remote. */
static int completeLineRemote(const char *zLine){
  static const char *azRemote[] = {
    "upgrade", "downgrade", "stamp", "current", "heads", "history", "check",
    "verify"
  };
  size_t i, n;
  zLine += strcspn(zLine, " \t");
  zLine += strspn(zLine, " \t");
  n = strcspn(zLine, " \t");
  for(i=0; i<sizeof(azRemote)/sizeof(azRemote[0]); i++){
    if( n==strlen(azRemote[i]) && strncmp(zLine, azRemote[i], n)==0 ){
      return 1;
    }
  }
  return 0;
}

/* rl_attempted_completion_function while the shell runs. */
static char **completeLine(const char *zText, int iStart, int iEnd){
  int bMigrate = 0, i;
  int nWord = completeLineWords(rl_line_buffer, iStart, &bMigrate);
  const char *z;
  if( !bMigrate || nWord==0 ){
    return xShellComplete ? xShellComplete(zText, iStart, iEnd) : 0;
  }
  completeCandClear();
  if( nWord==1 ){
    for(i=0; (z = migShellSubcommand(i))!=0; i++) completeCandAdd(z);
  }else{
    completeCandRevisions();
    if( completeLineRemote(rl_line_buffer) ) completeCandAdd("--remote");
  }
  rl_attempted_completion_over = 1;
  return rl_completion_matches(zText, completeCandNext);
}

/* rl_startup_hook: put completeLine() in front of the shell's function. */
static int completeHook(void){
  if( rl_attempted_completion_function!=completeLine ){
    xShellComplete = rl_attempted_completion_function;
    rl_attempted_completion_function = completeLine;
  }
  return 0;
}

void migShellCompleteInit(void){
  rl_startup_hook = completeHook;
}

void migShellCompleteDb(sqlite3 *db){
  pCompleteDb = db;
}

#else  /* !HAVE_READLINE: the shell has no completion to extend */
void migShellCompleteInit(void){}
void migShellCompleteDb(sqlite3 *db){ UNUSED(db); }
#endif
