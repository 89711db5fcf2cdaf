/*
** bkfile.c: how the backup module writes files so that a crash or an
** error never leaves a half-written file under the final name.
**
** A writer calls migFileCreateTemp() to get a new file beside the target
** (same directory, so the final rename stays on one file system), writes
** and fsyncs it, then calls migFileCommit(), which renames it into place
** and fsyncs the directory. On error the writer unlinks the temporary
** file; whatever was at the target before is left as it was.
**
** Error messages have the form "cannot write PATH: reason", the reason
** being the system's, starting lowercase ("no such file or directory").
*/
#include "backup_int.h"
#include <errno.h>
#include <stdio.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

char *migFileErr(const char *zVerb, const char *zPath, int e){
  const char *zWhy = strerror(e);
  char c = zWhy[0];
  if( c>='A' && c<='Z' ) c += 'a' - 'A';
  return sqlite3_mprintf("cannot %s %s: %c%s", zVerb, zPath, c, zWhy+1);
}

/* True if z ends with zSuffix (ASCII case-insensitive). */
int migHasSuffix(const char *z, const char *zSuffix){
  size_t n = strlen(z), m = strlen(zSuffix);
  return n>=m && sqlite3_stricmp(z+n-m, zSuffix)==0;
}

/* The directory part of zPath ("." when none); sqlite3_free() it. */
static char *fileDir(const char *zPath){
  const char *zSlash = strrchr(zPath, '/');
  if( zSlash==0 ) return sqlite3_mprintf(".");
  if( zSlash==zPath ) return sqlite3_mprintf("/");
  return sqlite3_mprintf("%.*s", (int)(zSlash-zPath), zPath);
}

int migFileCreateTemp(const char *zPath, int *pFd, char **pzTmp,
                      char **pzErr){
  struct stat st;
  char *zTmp = 0;
  int fd = -1;
  int i;
  *pFd = -1;
  *pzTmp = 0;
  if( zPath[0]==0 || zPath[strlen(zPath)-1]=='/' ){
    *pzErr = migFileErr("write", zPath, EISDIR);
    return SQLITE_CANTOPEN;
  }
  if( stat(zPath, &st)==0 && S_ISDIR(st.st_mode) ){
    *pzErr = migFileErr("write", zPath, EISDIR);
    return SQLITE_CANTOPEN;
  }
  if( stat(zPath, &st)==0 && access(zPath, W_OK)!=0 ){
    *pzErr = migFileErr("write", zPath, errno);
    return SQLITE_CANTOPEN;
  }
  for(i=0; fd<0 && i<100; i++){
    unsigned int r;
    sqlite3_randomness(sizeof(r), &r);
    sqlite3_free(zTmp);
    zTmp = sqlite3_mprintf("%s.tmp-%08x", zPath, r);
    if( zTmp==0 ) return SQLITE_NOMEM;
    fd = open(zTmp, O_WRONLY|O_CREAT|O_EXCL|O_CLOEXEC, 0644);
    if( fd<0 && errno!=EEXIST ) break;
  }
  if( fd<0 ){
    *pzErr = migFileErr("write", zPath, errno);
    sqlite3_free(zTmp);
    return SQLITE_CANTOPEN;
  }
  *pFd = fd;
  *pzTmp = zTmp;
  return SQLITE_OK;
}

int migFileCommit(const char *zTmp, const char *zPath, char **pzErr){
  char *zDir;
  int fdDir;
  if( rename(zTmp, zPath)!=0 ){
    *pzErr = migFileErr("write", zPath, errno);
    return SQLITE_IOERR;
  }
  zDir = fileDir(zPath);
  if( zDir==0 ) return SQLITE_NOMEM;
  fdDir = open(zDir, O_RDONLY|O_CLOEXEC);
  sqlite3_free(zDir);
  if( fdDir>=0 ){
    fsync(fdDir);
    close(fdDir);
  }
  return SQLITE_OK;
}

const char *migPathArg(sqlite3_context *ctx, sqlite3_value *pVal,
                       const char *zFunc){
  const char *z = (const char*)sqlite3_value_text(pVal);
  if( sqlite3_value_type(pVal)!=SQLITE_TEXT || z==0 || z[0]==0 ){
    char *zErr = sqlite3_mprintf("%s: the path must be a non-empty string",
                                 zFunc);
    sqlite3_result_error(ctx, zErr ? zErr : "out of memory", -1);
    sqlite3_free(zErr);
    return 0;
  }
  return z;
}

int migWriteAll(int fd, const void *pBuf, size_t n){
  const char *a = (const char*)pBuf;
  while( n>0 ){
    ssize_t w = write(fd, a, n);
    if( w<0 && errno==EINTR ) continue;
    if( w<0 ) return errno;
    if( w==0 ) return ENOSPC;
    a += w;
    n -= (size_t)w;
  }
  return 0;
}
