/*
** fault.c: the allocation-failure and I/O-error injectors declared in
** fault.h, for the C test harnesses. Test code only: never linked into
** the extension.
**
** Allocator: sqlite3_config(SQLITE_CONFIG_MALLOC) with methods that call
** the default ones (SQLITE_CONFIG_GETMALLOC) and keep a count of live
** allocations. While armed for FAULT_OOM, call number iFail of xMalloc or
** xRealloc (or, persistent, every call from iFail on) returns NULL.
**
** VFS: "faultvfs" wraps every file the default VFS opens; while armed for
** FAULT_IO, call number iFail of xRead, xWrite, xSync, xTruncate or xLock
** (counted together, in the order they happen) returns an I/O error
** without reaching the file. Syncs are counted but never reach the disk
** (nothing the harness checks depends on them). Shared memory (WAL)
** passes straight through.
**
** System calls: the harness executable defines write(), pwrite(), read(),
** fsync() and rename(), which pass through to the C library's (found with
** dlsym(RTLD_NEXT)) unless armed for FAULT_SYS, when call number iFail
** fails with ENOSPC (writes) or EIO. SQLite itself uses pread64/pwrite64
** and fdatasync, so these are mostly the calls the backup module makes to
** write snapshot files and read backups outside SQLite's VFS.
*/
#define _GNU_SOURCE
#include "fault.h"
#include <dlfcn.h>
#include <errno.h>
#include <string.h>
#include <stdlib.h>
#include <unistd.h>

/* What is armed, and what happened since. */
static struct FaultState {
  int eKind;                   /* FAULT_OOM, FAULT_IO or 0 (disarmed) */
  int iFail;                   /* Fail call number iFail (1-based) */
  int bPersist;                /* And every call after it */
  int nCall;                   /* Calls counted since faultArm() */
  int nFault;                  /* Faults injected since faultArm() */
  int eIoKind;                 /* FAULT_IO_* of the first I/O fault */
  sqlite3_int64 nLive;         /* Allocations outstanding */
  sqlite3_mem_methods orig;    /* The default allocator */
  sqlite3_vfs *pReal;          /* The VFS wrapped by faultvfs */
} g;

/* True if the call being made now, of kind eKind, is to fail. */
static int faultNow(int eKind){
  if( g.eKind!=eKind ) return 0;
  g.nCall++;
  if( g.nCall==g.iFail || (g.bPersist && g.nCall>g.iFail) ){
    g.nFault++;
    return 1;
  }
  return 0;
}

void faultArm(int eKind, int iFail, int bPersist){
  g.eKind = eKind;
  g.iFail = iFail;
  g.bPersist = bPersist;
  g.nCall = 0;
  g.nFault = 0;
  g.eIoKind = -1;
}

int faultDisarm(void){
  g.eKind = 0;
  return g.nFault;
}

int faultCalls(void){ return g.nCall; }

int faultIoKind(void){ return g.eIoKind; }

const char *faultIoKindName(int eKind){
  static const char *azName[] = { "read", "write", "sync", "truncate",
                                  "lock" };
  return (eKind>=0 && eKind<FAULT_IO_NKIND) ? azName[eKind] : "";
}

sqlite3_int64 faultLive(void){ return g.nLive; }

/* ------------------------------------------------------------ allocator */
static void *faultMalloc(int n){
  void *p = faultNow(FAULT_OOM) ? 0 : g.orig.xMalloc(n);
  if( p ) g.nLive++;
  return p;
}
static void faultFree(void *p){
  if( p ) g.nLive--;
  g.orig.xFree(p);
}
static void *faultRealloc(void *p, int n){
  void *pNew;
  if( faultNow(FAULT_OOM) ) return 0;
  pNew = g.orig.xRealloc(p, n);
  if( pNew && p==0 ) g.nLive++;
  return pNew;
}
static int faultSize(void *p){ return g.orig.xSize(p); }
static int faultRoundup(int n){ return g.orig.xRoundup(n); }
static int faultInit(void *pArg){ return g.orig.xInit(pArg); }
static void faultShutdown(void *pArg){ g.orig.xShutdown(pArg); }

int faultMallocInstall(void){
  static sqlite3_mem_methods m = {
    faultMalloc, faultFree, faultRealloc, faultSize, faultRoundup,
    faultInit, faultShutdown, 0
  };
  int rc = sqlite3_config(SQLITE_CONFIG_GETMALLOC, &g.orig);
  if( rc==SQLITE_OK ){
    m.pAppData = g.orig.pAppData;
    rc = sqlite3_config(SQLITE_CONFIG_MALLOC, &m);
  }
  return rc;
}

/* ------------------------------------------------------------------ VFS */
typedef struct FaultFile FaultFile;
struct FaultFile {
  sqlite3_file base;           /* Base class: pMethods is faultIo */
  sqlite3_file *pReal;         /* The real file, just after this struct */
};

/* Count an I/O call of kind eIo; the error code to return, or 0. */
static int faultIo(int eIo, int rcErr){
  if( !faultNow(FAULT_IO) ) return 0;
  if( g.eIoKind<0 ) g.eIoKind = eIo;
  return rcErr;
}

#define REAL(pFile) (((FaultFile*)(pFile))->pReal)

static int fvClose(sqlite3_file *pFile){
  return REAL(pFile)->pMethods->xClose(REAL(pFile));
}
static int fvRead(sqlite3_file *pFile, void *pBuf, int n, sqlite3_int64 o){
  int rc = faultIo(FAULT_IO_READ, SQLITE_IOERR_READ);
  return rc ? rc : REAL(pFile)->pMethods->xRead(REAL(pFile), pBuf, n, o);
}
static int fvWrite(sqlite3_file *pFile, const void *pBuf, int n,
                   sqlite3_int64 o){
  int rc = faultIo(FAULT_IO_WRITE, SQLITE_IOERR_WRITE);
  return rc ? rc : REAL(pFile)->pMethods->xWrite(REAL(pFile), pBuf, n, o);
}
static int fvTruncate(sqlite3_file *pFile, sqlite3_int64 n){
  int rc = faultIo(FAULT_IO_TRUNCATE, SQLITE_IOERR_TRUNCATE);
  return rc ? rc : REAL(pFile)->pMethods->xTruncate(REAL(pFile), n);
}
/* A sync is counted (and may fail) but never reaches the disk: what the
** harness checks is read back through the page cache, and waiting for the
** device at every commit made the loops I/O-bound (a fdatasync() takes
** milliseconds on a loaded disk; an operation's loop makes thousands). */
static int fvSync(sqlite3_file *pFile, int flags){
  (void)pFile;
  (void)flags;
  return faultIo(FAULT_IO_SYNC, SQLITE_IOERR_FSYNC);
}
static int fvFileSize(sqlite3_file *pFile, sqlite3_int64 *pn){
  return REAL(pFile)->pMethods->xFileSize(REAL(pFile), pn);
}
static int fvLock(sqlite3_file *pFile, int eLock){
  int rc = faultIo(FAULT_IO_LOCK, SQLITE_IOERR_LOCK);
  return rc ? rc : REAL(pFile)->pMethods->xLock(REAL(pFile), eLock);
}
static int fvUnlock(sqlite3_file *pFile, int eLock){
  return REAL(pFile)->pMethods->xUnlock(REAL(pFile), eLock);
}
static int fvCheckReserved(sqlite3_file *pFile, int *pRes){
  return REAL(pFile)->pMethods->xCheckReservedLock(REAL(pFile), pRes);
}
static int fvFileControl(sqlite3_file *pFile, int op, void *pArg){
  return REAL(pFile)->pMethods->xFileControl(REAL(pFile), op, pArg);
}
static int fvSectorSize(sqlite3_file *pFile){
  return REAL(pFile)->pMethods->xSectorSize(REAL(pFile));
}
static int fvDevChar(sqlite3_file *pFile){
  return REAL(pFile)->pMethods->xDeviceCharacteristics(REAL(pFile));
}
static int fvShmMap(sqlite3_file *pFile, int iPg, int sz, int bExtend,
                    void volatile **pp){
  return REAL(pFile)->pMethods->xShmMap(REAL(pFile), iPg, sz, bExtend, pp);
}
static int fvShmLock(sqlite3_file *pFile, int iOff, int n, int flags){
  return REAL(pFile)->pMethods->xShmLock(REAL(pFile), iOff, n, flags);
}
static void fvShmBarrier(sqlite3_file *pFile){
  REAL(pFile)->pMethods->xShmBarrier(REAL(pFile));
}
static int fvShmUnmap(sqlite3_file *pFile, int bDelete){
  return REAL(pFile)->pMethods->xShmUnmap(REAL(pFile), bDelete);
}
static int fvFetch(sqlite3_file *pFile, sqlite3_int64 o, int n, void **pp){
  return REAL(pFile)->pMethods->xFetch(REAL(pFile), o, n, pp);
}
static int fvUnfetch(sqlite3_file *pFile, sqlite3_int64 o, void *p){
  return REAL(pFile)->pMethods->xUnfetch(REAL(pFile), o, p);
}

static const sqlite3_io_methods faultIoMethods = {
  3, fvClose, fvRead, fvWrite, fvTruncate, fvSync, fvFileSize, fvLock,
  fvUnlock, fvCheckReserved, fvFileControl, fvSectorSize, fvDevChar,
  fvShmMap, fvShmLock, fvShmBarrier, fvShmUnmap, fvFetch, fvUnfetch
};

/* Open the real file just after our struct; use our methods if it opened. */
static int fvOpen(sqlite3_vfs *pVfs, const char *zName, sqlite3_file *pFile,
                  int flags, int *pOutFlags){
  FaultFile *p = (FaultFile*)pFile;
  int rc;
  (void)pVfs;
  p->pReal = (sqlite3_file*)&p[1];
  rc = g.pReal->xOpen(g.pReal, zName, p->pReal, flags, pOutFlags);
  p->base.pMethods = p->pReal->pMethods ? &faultIoMethods : 0;
  return rc;
}
/* Deletes are not synced either (see fvSync()). */
static int fvDelete(sqlite3_vfs *pVfs, const char *zName, int bSync){
  (void)pVfs;
  (void)bSync;
  return g.pReal->xDelete(g.pReal, zName, 0);
}
static int fvAccess(sqlite3_vfs *pVfs, const char *zName, int f, int *pRes){
  (void)pVfs;
  return g.pReal->xAccess(g.pReal, zName, f, pRes);
}
static int fvFullPathname(sqlite3_vfs *pVfs, const char *zName, int n,
                          char *zOut){
  (void)pVfs;
  return g.pReal->xFullPathname(g.pReal, zName, n, zOut);
}
static void *fvDlOpen(sqlite3_vfs *pVfs, const char *zPath){
  (void)pVfs;
  return g.pReal->xDlOpen(g.pReal, zPath);
}
static void fvDlError(sqlite3_vfs *pVfs, int n, char *zErr){
  (void)pVfs;
  g.pReal->xDlError(g.pReal, n, zErr);
}
static void (*fvDlSym(sqlite3_vfs *pVfs, void *p, const char *z))(void){
  (void)pVfs;
  return g.pReal->xDlSym(g.pReal, p, z);
}
static void fvDlClose(sqlite3_vfs *pVfs, void *p){
  (void)pVfs;
  g.pReal->xDlClose(g.pReal, p);
}
static int fvRandomness(sqlite3_vfs *pVfs, int n, char *zOut){
  (void)pVfs;
  return g.pReal->xRandomness(g.pReal, n, zOut);
}
static int fvSleep(sqlite3_vfs *pVfs, int nMicro){
  (void)pVfs;
  return g.pReal->xSleep(g.pReal, nMicro);
}

/* The fixed clock: 2024-01-02 10:00:00 UTC as a julian day number. */
#define FAULT_NOW_MS ((sqlite3_int64)212570949600000)
static int fvCurrentTime(sqlite3_vfs *pVfs, double *pOut){
  (void)pVfs;
  *pOut = FAULT_NOW_MS/86400000.0;
  return SQLITE_OK;
}
static int fvCurrentTimeInt64(sqlite3_vfs *pVfs, sqlite3_int64 *pOut){
  (void)pVfs;
  *pOut = FAULT_NOW_MS;
  return SQLITE_OK;
}
static int fvGetLastError(sqlite3_vfs *pVfs, int n, char *zOut){
  (void)pVfs;
  return g.pReal->xGetLastError(g.pReal, n, zOut);
}

int faultVfsRegister(void){
  static sqlite3_vfs v = {
    2, 0, 1024, 0, "faultvfs", 0, fvOpen, fvDelete, fvAccess,
    fvFullPathname, fvDlOpen, fvDlError, fvDlSym, fvDlClose, fvRandomness,
    fvSleep, fvCurrentTime, fvGetLastError, fvCurrentTimeInt64, 0, 0, 0
  };
  g.pReal = sqlite3_vfs_find(0);
  if( g.pReal==0 ) return SQLITE_ERROR;
  v.szOsFile = (int)sizeof(FaultFile) + g.pReal->szOsFile;
  v.mxPathname = g.pReal->mxPathname;
  return sqlite3_vfs_register(&v, 1);
}

/* ---------------------------------------------------------- system calls */
/* The C library's function zName (never NULL: abort() if missing). */
static void *faultReal(const char *zName){
  void *p = dlsym(RTLD_NEXT, zName);
  if( p==0 ) abort();
  return p;
}

ssize_t write(int fd, const void *pBuf, size_t n){
  static ssize_t (*xReal)(int, const void*, size_t) = 0;
  if( xReal==0 ){
    xReal = (ssize_t(*)(int, const void*, size_t))faultReal("write");
  }
  if( faultNow(FAULT_SYS) ){ errno = ENOSPC; return -1; }
  return xReal(fd, pBuf, n);
}

ssize_t pwrite(int fd, const void *pBuf, size_t n, off_t iOff){
  static ssize_t (*xReal)(int, const void*, size_t, off_t) = 0;
  if( xReal==0 ){
    xReal = (ssize_t(*)(int, const void*, size_t, off_t))faultReal("pwrite");
  }
  if( faultNow(FAULT_SYS) ){ errno = ENOSPC; return -1; }
  return xReal(fd, pBuf, n, iOff);
}

ssize_t read(int fd, void *pBuf, size_t n){
  static ssize_t (*xReal)(int, void*, size_t) = 0;
  if( xReal==0 ) xReal = (ssize_t(*)(int, void*, size_t))faultReal("read");
  if( faultNow(FAULT_SYS) ){ errno = EIO; return -1; }
  return xReal(fd, pBuf, n);
}

int fsync(int fd){
  static int (*xReal)(int) = 0;
  if( xReal==0 ) xReal = (int(*)(int))faultReal("fsync");
  if( faultNow(FAULT_SYS) ){ errno = EIO; return -1; }
  return xReal(fd);
}

int rename(const char *zFrom, const char *zTo){
  static int (*xReal)(const char*, const char*) = 0;
  if( xReal==0 ){
    xReal = (int(*)(const char*, const char*))faultReal("rename");
  }
  if( faultNow(FAULT_SYS) ){ errno = EIO; return -1; }
  return xReal(zFrom, zTo);
}
