/*
** fault.h: fault injection for the C test harnesses (oom_test.c).
**
** Two injectors, both armed and disarmed by the harness around the one
** operation under test, both counting only while armed:
**
**   faultMallocInstall()  wraps SQLite's default allocator (must run
**                         before sqlite3_initialize()); the Nth allocation
**                         fails, or every allocation from the Nth on.
**   faultVfsRegister()    a VFS "faultvfs" over the default VFS, made the
**                         default; the Nth read, write, sync, truncate or
**                         lock fails with the matching SQLITE_IOERR_* code,
**                         or every one from the Nth on. Its clock is fixed
**                         at 2024-01-02 10:00:00 UTC so that timestamps
**                         written by an operation are the same every run.
**   (system calls)        write(), pwrite(), read(), fsync(), rename()
**                         defined by the harness: the Nth fails with
**                         ENOSPC or EIO (files written outside SQLite).
**
**   faultArm(FAULT_OOM, 7, 0);   ... operation ...   n = faultDisarm();
**
** faultDisarm() returns how many faults were injected, faultCalls() how
** many calls of the armed kind were counted. faultLive()
** counts the allocations currently outstanding, for leak checks.
*/
#ifndef FAULT_H
#define FAULT_H
#include "sqlite3.h"

#define FAULT_OOM   1          /* Allocation failures */
#define FAULT_IO    2          /* I/O errors through faultvfs */
#define FAULT_SYS   3          /* write/pwrite/read/fsync/rename fail */

/* The kinds of I/O call faultvfs counts, for faultIoKind(). */
#define FAULT_IO_READ     0
#define FAULT_IO_WRITE    1
#define FAULT_IO_SYNC     2
#define FAULT_IO_TRUNCATE 3
#define FAULT_IO_LOCK     4
#define FAULT_IO_NKIND    5

int faultMallocInstall(void);
int faultVfsRegister(void);
void faultArm(int eKind, int iFail, int bPersist);
int faultDisarm(void);
int faultCalls(void);           /* Calls counted by the last arming */
int faultIoKind(void);          /* Kind of the first faulted I/O call */
const char *faultIoKindName(int eKind);
sqlite3_int64 faultLive(void);  /* Outstanding allocations */

#endif /* FAULT_H */
