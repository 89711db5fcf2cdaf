/*
** snapsink.c: the "migsnap" VFS, through which the backup API writes a
** snapshot straight into its final format, plain or gzip, with no
** uncompressed temporary copy.
**
** A sink (migSinkNew) owns nothing but its buffers: the caller opens the
** output file and passes the descriptor. The caller then opens a
** destination database named migSinkUri(p) with the VFS "migsnap" and
** runs the backup API into it (journal_mode=OFF), or calls migSinkWrite()
** itself with the pages in order.
**
** Plain output is written where the pager says. Gzip output is a stream,
** so pages must arrive in order, which is what the backup API does with
** one exception: page 1 is held by the b-tree for the whole transaction
** and so written last, at commit. The gzip file is therefore two members
** (gzip -t, gunzip and zlib read them as one stream):
**   member A: page 1 in deflate "stored" blocks, reserved when the first
**             page arrives and filled in by migSinkFinish(), since a
**             stored block has a fixed size;
**   member B: pages 2..N, deflated at level MIG_SNAP_LEVEL as they come.
** A write at any other offset than the next expected is an error rather
** than a silently corrupt backup.
**
** In page 1, the file format bytes 18 and 19 are set to 1 (rollback
** journal), so a snapshot of a WAL database is one self-contained file.
*/
#include "backup_int.h"
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#define MIG_SNAP_LEVEL 1           /* zlib level: as fast as "gzip -1" */
#define MIG_SNAP_OUTBUF (256*1024) /* Compressed bytes buffered per write */
#define MIG_STORED_MAX 65535       /* Largest deflate stored block */

struct MigSink {
  int fd;                      /* Output file (not owned) */
  int bGzip;                   /* True for gzip output */
  int iErrno;                  /* First failure (errno), or 0 */
  char zUri[40];               /* Name to open through "migsnap" */
  int szPage;                  /* Page size, from the first write */
  sqlite3_int64 nLogical;      /* Size of the database written so far */
  sqlite3_int64 iNext;         /* Gzip: offset of the next page expected */
  sqlite3_int64 nFile;         /* Bytes written to fd */
  unsigned char *aPage1;       /* Gzip: page 1 as last written */
  int bZInit;                  /* True once z is initialised */
  z_stream z;                  /* Gzip: deflate state of member B */
  unsigned char *aOut;         /* Gzip: output buffer, MIG_SNAP_OUTBUF */
};

/* An open file of the "migsnap" VFS: the sink it writes to. */
typedef struct MigSinkFile MigSinkFile;
struct MigSinkFile {
  sqlite3_file base;           /* Base class, first */
  MigSink *pSink;              /* Where writes go (not owned) */
};

/* Record the first failure; returns the SQLite code to report. */
static int sinkFail(MigSink *p, int e, int rc){
  if( p->iErrno==0 ) p->iErrno = e ? e : EIO;
  return rc;
}

/* Write n bytes at the current end of the file, retrying short writes. */
static int sinkOut(MigSink *p, const unsigned char *a, size_t n){
  int e = migWriteAll(p->fd, a, n);
  if( e ) return sinkFail(p, e, SQLITE_IOERR_WRITE);
  p->nFile += n;
  return SQLITE_OK;
}

/* Size of gzip member A for the page size of p. */
static sqlite3_int64 sinkMemberASize(MigSink *p){
  int nBlk = (p->szPage + MIG_STORED_MAX - 1)/MIG_STORED_MAX;
  return 10 + 5*(sqlite3_int64)nBlk + p->szPage + 8;
}

/* Put 32-bit little-endian v at a. */
static void sinkPutLe32(unsigned char *a, uLong v){
  a[0] = v & 0xff; a[1] = (v>>8) & 0xff;
  a[2] = (v>>16) & 0xff; a[3] = (v>>24) & 0xff;
}

/*
** Build gzip member A holding the szPage bytes of aPage (zeros when NULL)
** in a new buffer of sinkMemberASize() bytes; sqlite3_free() it.
*/
static unsigned char *sinkMemberA(MigSink *p, const unsigned char *aPage){
  sqlite3_int64 n = sinkMemberASize(p);
  unsigned char *a = sqlite3_malloc64(n);
  unsigned char *z;
  int iOff;
  if( a==0 ) return 0;
  memset(a, 0, n);
  a[0] = 0x1f; a[1] = 0x8b; a[2] = 8; a[9] = 3;   /* deflate, unix */
  z = &a[10];
  for(iOff=0; iOff<p->szPage; iOff+=MIG_STORED_MAX){
    int nBlk = p->szPage - iOff;
    if( nBlk>MIG_STORED_MAX ) nBlk = MIG_STORED_MAX;
    z[0] = (iOff+nBlk==p->szPage);              /* BFINAL, BTYPE=00 */
    z[1] = nBlk & 0xff; z[2] = nBlk>>8;
    z[3] = ~nBlk & 0xff; z[4] = (~nBlk>>8) & 0xff;
    if( aPage ) memcpy(&z[5], aPage+iOff, nBlk);
    z += 5 + nBlk;
  }
  sinkPutLe32(z, aPage ? crc32(0, aPage, p->szPage) : 0);
  sinkPutLe32(z+4, (uLong)p->szPage);
  return a;
}

/* The first page arrived: learn the page size, reserve member A. */
static int sinkStart(MigSink *p, int szPage){
  unsigned char *a;
  int rc;
  p->szPage = szPage;
  p->iNext = szPage;
  if( !p->bGzip ) return SQLITE_OK;
  p->aOut = sqlite3_malloc64(MIG_SNAP_OUTBUF);
  if( p->aOut==0 ) return sinkFail(p, ENOMEM, SQLITE_NOMEM);
  if( szPage>0 ){                 /* Else an empty database: no member A */
    p->aPage1 = sqlite3_malloc64(szPage);
    a = sinkMemberA(p, 0);
    if( p->aPage1==0 || a==0 ){
      sqlite3_free(a);
      return sinkFail(p, ENOMEM, SQLITE_NOMEM);
    }
    memset(p->aPage1, 0, szPage);
    rc = sinkOut(p, a, sinkMemberASize(p));
    sqlite3_free(a);
  }else{
    rc = SQLITE_OK;
  }
  if( rc==SQLITE_OK ){
    if( deflateInit2(&p->z, MIG_SNAP_LEVEL, Z_DEFLATED, 15+16, 8,
                     Z_DEFAULT_STRATEGY)!=Z_OK ){
      return sinkFail(p, ENOMEM, SQLITE_NOMEM);
    }
    p->bZInit = 1;
  }
  return rc;
}

/* Feed n bytes to member B (flush: Z_NO_FLUSH or Z_FINISH). */
static int sinkDeflate(MigSink *p, const void *pBuf, int n, int flush){
  int rc = SQLITE_OK;
  int zrc;
  p->z.next_in = (Bytef*)pBuf;
  p->z.avail_in = (uInt)n;
  do{
    p->z.next_out = p->aOut;
    p->z.avail_out = MIG_SNAP_OUTBUF;
    zrc = deflate(&p->z, flush);
    if( zrc==Z_STREAM_ERROR ) return sinkFail(p, EIO, SQLITE_IOERR_WRITE);
    rc = sinkOut(p, p->aOut, MIG_SNAP_OUTBUF - p->z.avail_out);
  }while( rc==SQLITE_OK && (p->z.avail_out==0
                            || (flush==Z_FINISH && zrc!=Z_STREAM_END)) );
  return rc;
}

int migSinkWrite(MigSink *p, const void *pBuf, int iAmt, sqlite3_int64 iOfst){
  int rc = SQLITE_OK;
  unsigned char *aCopy = 0;
  if( p->iErrno ) return SQLITE_IOERR_WRITE;
  if( p->szPage==0 ) rc = sinkStart(p, iAmt);
  if( rc==SQLITE_OK && iOfst==0 ){
    if( iAmt!=p->szPage ) return sinkFail(p, EIO, SQLITE_IOERR_WRITE);
    if( p->bGzip ){
      aCopy = p->aPage1;
    }else{
      aCopy = sqlite3_malloc64(iAmt);
      if( aCopy==0 ) return sinkFail(p, ENOMEM, SQLITE_NOMEM);
    }
    memcpy(aCopy, pBuf, iAmt);
    if( iAmt>=100 ){ aCopy[18] = 1; aCopy[19] = 1; }
    pBuf = aCopy;
  }
  if( rc==SQLITE_OK && !p->bGzip ){
    ssize_t w = pwrite(p->fd, pBuf, iAmt, iOfst);
    if( w!=iAmt ) rc = sinkFail(p, w<0 ? errno : ENOSPC,
                                SQLITE_IOERR_WRITE);
  }else if( rc==SQLITE_OK && iOfst!=0 ){
    if( iOfst!=p->iNext || iAmt!=p->szPage ){
      rc = sinkFail(p, EIO, SQLITE_IOERR_WRITE);   /* Out of order */
    }else{
      rc = sinkDeflate(p, pBuf, iAmt, Z_NO_FLUSH);
      p->iNext += iAmt;
    }
  }
  if( !p->bGzip ) sqlite3_free(aCopy);
  if( rc==SQLITE_OK && iOfst+iAmt>p->nLogical ) p->nLogical = iOfst+iAmt;
  return rc;
}

int migSinkFinish(MigSink *p, sqlite3_int64 *pnByte){
  int rc = p->iErrno ? SQLITE_IOERR_WRITE : SQLITE_OK;
  *pnByte = 0;
  if( rc==SQLITE_OK && p->bGzip && p->szPage==0 ){
    rc = sinkStart(p, 0);      /* Empty database: member B only */
  }
  if( rc==SQLITE_OK && p->bGzip ){
    rc = sinkDeflate(p, "", 0, Z_FINISH);
  }
  if( rc==SQLITE_OK && p->bGzip && p->szPage>0 ){
    unsigned char *a = sinkMemberA(p, p->aPage1);
    sqlite3_int64 n = sinkMemberASize(p);
    if( a==0 ) return sinkFail(p, ENOMEM, SQLITE_NOMEM);
    if( pwrite(p->fd, a, n, 0)!=n ){
      rc = sinkFail(p, errno, SQLITE_IOERR_WRITE);
    }
    sqlite3_free(a);
  }
  if( rc==SQLITE_OK && !p->bGzip ) p->nFile = p->nLogical;
  if( rc==SQLITE_OK && fsync(p->fd)!=0 ){
    rc = sinkFail(p, errno, SQLITE_IOERR_FSYNC);
  }
  *pnByte = p->nFile;
  return rc;
}

MigSink *migSinkNew(int fd, int bGzip){
  MigSink *p = sqlite3_malloc64(sizeof(*p));
  if( p==0 ) return 0;
  memset(p, 0, sizeof(*p));
  p->fd = fd;
  p->bGzip = bGzip;
  sqlite3_snprintf(sizeof(p->zUri), p->zUri, "migsnap-%p", (void*)p);
  return p;
}

const char *migSinkUri(MigSink *p){ return p->zUri; }
int migSinkErrno(MigSink *p){ return p->iErrno; }

void migSinkFree(MigSink *p){
  if( p==0 ) return;
  if( p->bZInit ) deflateEnd(&p->z);
  sqlite3_free(p->aPage1);
  sqlite3_free(p->aOut);
  sqlite3_free(p);
}

/*
** The "migsnap" VFS. Only main databases named by migSinkUri() open;
** there is no journal (the destination uses journal_mode=OFF) and no
** locking (nobody else can see the sink). Reads are answered from what
** was written when that is still at hand (plain files, page 1).
*/
static int sinkSfClose(sqlite3_file *pFile){ UNUSED(pFile); return SQLITE_OK; }

static int sinkSfRead(sqlite3_file *pFile, void *pBuf, int iAmt,
                      sqlite3_int64 iOfst){
  MigSink *p = ((MigSinkFile*)pFile)->pSink;
  if( iOfst>=p->nLogical ){
    memset(pBuf, 0, iAmt);
    return SQLITE_IOERR_SHORT_READ;
  }
  if( !p->bGzip ){
    ssize_t r = pread(p->fd, pBuf, iAmt, iOfst);
    if( r==iAmt ) return SQLITE_OK;
    if( r<0 ) return SQLITE_IOERR_READ;
    memset((char*)pBuf+r, 0, iAmt-r);
    return SQLITE_IOERR_SHORT_READ;
  }
  if( iOfst+iAmt<=p->szPage ){
    memcpy(pBuf, p->aPage1+iOfst, iAmt);
    return SQLITE_OK;
  }
  return SQLITE_IOERR_READ;          /* Already compressed and gone */
}

static int sinkSfWrite(sqlite3_file *pFile, const void *pBuf, int iAmt,
                       sqlite3_int64 iOfst){
  return migSinkWrite(((MigSinkFile*)pFile)->pSink, pBuf, iAmt, iOfst);
}

static int sinkSfTruncate(sqlite3_file *pFile, sqlite3_int64 size){
  MigSink *p = ((MigSinkFile*)pFile)->pSink;
  if( size>=p->nLogical ) return SQLITE_OK;
  if( p->bGzip ) return sinkFail(p, EIO, SQLITE_IOERR_TRUNCATE);
  if( ftruncate(p->fd, size)!=0 ){
    return sinkFail(p, errno, SQLITE_IOERR_TRUNCATE);
  }
  p->nLogical = size;
  return SQLITE_OK;
}

static int sinkSfSync(sqlite3_file *pFile, int flags){
  UNUSED(pFile); UNUSED(flags);
  return SQLITE_OK;               /* migSinkFinish() syncs once, at the end */
}

static int sinkSfFileSize(sqlite3_file *pFile, sqlite3_int64 *pSize){
  *pSize = ((MigSinkFile*)pFile)->pSink->nLogical;
  return SQLITE_OK;
}

static int sinkSfLock(sqlite3_file *pFile, int eLock){
  UNUSED(pFile); UNUSED(eLock);
  return SQLITE_OK;
}

static int sinkSfCheckReserved(sqlite3_file *pFile, int *pResOut){
  UNUSED(pFile);
  *pResOut = 0;
  return SQLITE_OK;
}

static int sinkSfFileControl(sqlite3_file *pFile, int op, void *pArg){
  UNUSED(pFile); UNUSED(op); UNUSED(pArg);
  return SQLITE_NOTFOUND;
}

static int sinkSfSectorSize(sqlite3_file *pFile){
  UNUSED(pFile);
  return 4096;
}

static int sinkSfDeviceChar(sqlite3_file *pFile){
  UNUSED(pFile);
  return 0;
}

static const sqlite3_io_methods migSinkIo = {
  1,                           /* iVersion */
  sinkSfClose, sinkSfRead, sinkSfWrite, sinkSfTruncate, sinkSfSync,
  sinkSfFileSize, sinkSfLock, sinkSfLock, sinkSfCheckReserved,
  sinkSfFileControl, sinkSfSectorSize, sinkSfDeviceChar,
  0, 0, 0, 0, 0, 0
};

static int sinkSvOpen(sqlite3_vfs *pVfs, const char *zName,
                      sqlite3_file *pFile, int flags, int *pOutFlags){
  MigSinkFile *pF = (MigSinkFile*)pFile;
  void *pPtr = 0;
  UNUSED(pVfs);
  pF->base.pMethods = 0;
  if( zName==0 || (flags & SQLITE_OPEN_MAIN_DB)==0
   || sscanf(zName, "migsnap-%p", &pPtr)!=1 || pPtr==0 ){
    return SQLITE_CANTOPEN;
  }
  pF->pSink = (MigSink*)pPtr;
  pF->base.pMethods = &migSinkIo;
  if( pOutFlags ) *pOutFlags = flags;
  return SQLITE_OK;
}

static int sinkSvDelete(sqlite3_vfs *pVfs, const char *zName, int syncDir){
  UNUSED(pVfs); UNUSED(zName); UNUSED(syncDir);
  return SQLITE_OK;
}

static int sinkSvAccess(sqlite3_vfs *pVfs, const char *zName, int flags,
                        int *pResOut){
  UNUSED(pVfs); UNUSED(zName); UNUSED(flags);
  *pResOut = 0;
  return SQLITE_OK;
}

static int sinkSvFullPathname(sqlite3_vfs *pVfs, const char *zName,
                              int nOut, char *zOut){
  UNUSED(pVfs);
  sqlite3_snprintf(nOut, zOut, "%s", zName);
  return SQLITE_OK;
}

static int sinkSvRandomness(sqlite3_vfs *pVfs, int nByte, char *zOut){
  sqlite3_vfs *pReal = sqlite3_vfs_find(0);
  UNUSED(pVfs);
  return pReal->xRandomness(pReal, nByte, zOut);
}

static int sinkSvSleep(sqlite3_vfs *pVfs, int nMicro){
  sqlite3_vfs *pReal = sqlite3_vfs_find(0);
  UNUSED(pVfs);
  return pReal->xSleep(pReal, nMicro);
}

static int sinkSvCurrentTime(sqlite3_vfs *pVfs, double *pOut){
  sqlite3_vfs *pReal = sqlite3_vfs_find(0);
  UNUSED(pVfs);
  return pReal->xCurrentTime(pReal, pOut);
}

static int sinkSvGetLastError(sqlite3_vfs *pVfs, int n, char *z){
  UNUSED(pVfs); UNUSED(n); UNUSED(z);
  return 0;
}

static sqlite3_vfs migSinkVfs = {
  1,                           /* iVersion */
  sizeof(MigSinkFile),         /* szOsFile */
  512,                         /* mxPathname */
  0,                           /* pNext */
  "migsnap",                   /* zName */
  0,                           /* pAppData */
  sinkSvOpen, sinkSvDelete, sinkSvAccess, sinkSvFullPathname,
  0, 0, 0, 0,                  /* No shared libraries */
  sinkSvRandomness, sinkSvSleep, sinkSvCurrentTime, sinkSvGetLastError,
  0, 0, 0, 0
};

/*
** The VFS lives in this library, which a loadable build unloads when the
** last connection that loaded it closes: it must not stay registered
** after that. So each connection holds a reference (migSinkVfsRegister()
** at init, migSinkVfsRelease() when it closes) and the last release
** unregisters it. nVfsRef is guarded by SQLITE_MUTEX_STATIC_VFS2, the
** static mutex SQLite sets aside for extension VFSes.
*/
static int nVfsRef = 0;

int migSinkVfsRegister(void){
  sqlite3_mutex *m = sqlite3_mutex_alloc(SQLITE_MUTEX_STATIC_VFS2);
  int rc = SQLITE_OK;
  sqlite3_mutex_enter(m);
  if( nVfsRef==0 ) rc = sqlite3_vfs_register(&migSinkVfs, 0);
  if( rc==SQLITE_OK ) nVfsRef++;
  sqlite3_mutex_leave(m);
  return rc;
}

void migSinkVfsRelease(void *pArg){
  sqlite3_mutex *m = sqlite3_mutex_alloc(SQLITE_MUTEX_STATIC_VFS2);
  UNUSED(pArg);
  sqlite3_mutex_enter(m);
  if( nVfsRef>0 && --nVfsRef==0 ) sqlite3_vfs_unregister(&migSinkVfs);
  sqlite3_mutex_leave(m);
}
