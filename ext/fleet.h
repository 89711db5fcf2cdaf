/*
** fleet.h: migrating or surveying many database files at once (fleet.c).
**
** A caller (the shell's ".migrate fleet") fills a MigFleetOpt, hands over
** the list of paths and calls migFleetRun(). The migration scripts are
** read and parsed once and shared read-only by nJob worker threads, each
** with its own connection per file. After each file, xFile is called
** (one call at a time, from whichever thread finished it) with the
** file's result and the running totals; the JSON report, when asked
** for, is extended at the same moment so a killed run leaves a valid one.
**
**   MigFleetOpt o;
**   MigFleetSum s;
**   memset(&o, 0, sizeof(o));
**   o.eOp = MIG_FLEET_UPGRADE; o.zDir = "migrations"; o.nJob = 2;
**   rc = migFleetRun(&o, nPath, azPath, &s, &zErr);
*/
#ifndef MIG_FLEET_H
#define MIG_FLEET_H
#include "mig_int.h"

#define MIG_FLEET_UPGRADE 0    /* Upgrade every file to the target */
#define MIG_FLEET_STATUS  1    /* Read every file's revision; change none */

/* Status of one file (MigFleetFile.eStatus); names in migFleetStatusName */
#define MIG_FS_UPGRADED   0    /* Upgrade: migrations were applied */
#define MIG_FS_CURRENT    1    /* Upgrade: already at the target */
#define MIG_FS_FAILED     2    /* Upgrade: error, the file is as it was */
#define MIG_FS_NOTRUN     3    /* Upgrade: not tried (the fleet stopped) */
#define MIG_FS_HEAD       4    /* Status: at the head(s) of the scripts */
#define MIG_FS_BEHIND     5    /* Status: migrations pending */
#define MIG_FS_AHEAD      6    /* Status: at a revision the scripts lack */
#define MIG_FS_DIRTY      7    /* Status: an applied script changed since */
#define MIG_FS_NOTADB     8    /* Status: the file is not a database */
#define MIG_FS_UNREADABLE 9    /* Status: missing, locked, no permission */
#define MIG_FS_COUNT      10   /* Number of statuses */

/* The result of one file, valid during the xFile call only. */
typedef struct MigFleetFile MigFleetFile;
struct MigFleetFile {
  int iFile;                   /* Index in the list of paths */
  const char *zPath;           /* Path as given */
  const char *zBefore;         /* Revision(s) before, or NULL (base) */
  const char *zAfter;          /* Revision(s) after, or NULL (base) */
  int eStatus;                 /* MIG_FS_* */
  int nApplied;                /* Migrations applied (upgrade) */
  int nPending;                /* Migrations pending (status) */
  const char *zErr;            /* What went wrong, or NULL */
  double rSec;                 /* Seconds spent on this file */
};

/* Running totals. */
typedef struct MigFleetSum MigFleetSum;
struct MigFleetSum {
  int nTotal;                  /* Files in the list */
  int nDone;                   /* Files finished (any status but NOTRUN) */
  int nFailed;                 /* Upgrade: files that failed */
  int bStopped;                /* Upgrade: new work stopped by a failure */
  int bCanaryFailed;           /* Upgrade: a canary file failed */
  int nJob;                    /* Workers actually used */
  int anStatus[MIG_FS_COUNT];  /* Files per status */
};

/* What to do. Zero is a fine default for every field but zDir. */
typedef struct MigFleetOpt MigFleetOpt;
struct MigFleetOpt {
  int eOp;                     /* MIG_FLEET_UPGRADE or MIG_FLEET_STATUS */
  const char *zTarget;         /* Upgrade target; NULL: "head" */
  const char *zDir;            /* Migrations directory */
  int nJob;                    /* Worker threads (<1: 1) */
  int nCanary;                 /* Files run first; any failure stops all */
  int bContinue;               /* Try every file despite failures */
  const char *zBackupDir;      /* Snapshot before the first change, or 0 */
  const char *zReport;         /* JSON report path, or NULL */
  int nBusyMs;                 /* Busy timeout of each connection */
  void (*xFile)(void*, const MigFleetFile*, const MigFleetSum*);
  void (*xLog)(void*, const char*);   /* Notices (e.g. one worker only) */
  void *pArg;                  /* First argument of xFile and xLog */
};

/*
** Run o->eOp over the nPath files azPath. Returns SQLITE_OK when the
** fleet ran (even if files failed: see *pSum), or an error code with
** *pzErr set (sqlite3_free) when it could not start: scripts that do not
** load, a report or backup directory that cannot be written.
*/
int migFleetRun(const MigFleetOpt *o, int nPath, char **azPath,
                MigFleetSum *pSum, char **pzErr);

/* The report's name of status eStatus ("upgraded", "head", ...). */
const char *migFleetStatusName(int eStatus);

#endif /* MIG_FLEET_H */
