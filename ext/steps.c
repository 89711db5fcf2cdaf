/*
** steps.c: what upgrade, downgrade and stamp do, as Alembic's commands do.
**
** migStepsUpgrade(), migStepsDowngrade() and migStepsStamp() take the graph,
** a target as the user typed it and the current revisions (the rows of
** migrate_version), and fill a MigSteps: the revisions to run in order,
** or for a stamp the version rows it leaves. The rules are those of
** Alembic 1.8 (ScriptDirectory._upgrade_revs, _downgrade_revs,
** _stamp_revs and the RevisionMap methods they call, resolve.c), errors
** worded as its commands word them. Where Alembic crashes or gives a
** wrong answer, the plan gives the answer docs/migrations.md names in
** "Where migrate differs from Alembic":
**   - REV+N past a head, REV-N past base: "Walked too far" (Alembic:
**     AssertionError); REV-N reaching base: nothing to upgrade;
**   - LABEL@-N with no current revision on the branch, or several: an
**     error (Alembic: AssertionError);
**   - downgrade LABEL@head: the head of that branch (Alembic ignores the
**     label); downgrade LABEL@base: the revisions that carry LABEL and
**     what depends on them (Alembic reverts every branch of the root);
**   - stamp never leaves a version row that is an ancestor of another,
**     and a stamp to several revisions (heads, LABEL@heads) leaves all of
**     them (Alembic can lose one).
**
** Order of steps: an upgrade runs its revisions in the graph's
** topological order (parents and dependencies first, file order among
** revisions that do not depend on each other), a downgrade in the reverse
** of that order. Alembic's order among independent revisions follows its
** directory listing; both are valid orders.
**
** migStepsCheck() is the invariant the runner checks before it changes
** anything and again before it commits: the applied set is closed under
** Revises and Depends On, and migrate_version holds exactly its heads.
*/
#include "engine_int.h"
#include <string.h>

/* State of one planning call. */
typedef struct Plan Plan;
struct Plan {
  MigRmap m;                   /* Lookups and the first error */
  MigGraph *g;
  const int *aCur; int nCur;   /* Current revisions (version rows) */
  MigIds cur;                  /* Same, sorted by id (Alembic's row order) */
  char *aMark;                 /* Scratch marks, nRev */
  char *aMark2;                /* More scratch marks, nRev */
};

/* Start planning: copy the current revisions, sorted by id. */
static int planInit(Plan *p, MigGraph *g, const int *aCur, int nCur){
  int i, rc = SQLITE_OK;
  memset(p, 0, sizeof(*p));
  p->m.g = p->g = g;
  p->aCur = aCur;
  p->nCur = nCur;
  p->aMark = sqlite3_malloc64(g->nRev+1);
  p->aMark2 = sqlite3_malloc64(g->nRev+1);
  if( p->aMark==0 || p->aMark2==0 ) return SQLITE_NOMEM;
  for(i=0; rc==SQLITE_OK && i<nCur; i++){
    int k = p->cur.n;
    rc = migIdsPush(&p->cur, aCur[i]);
    while( rc==SQLITE_OK && k>0
        && strcmp(g->aRev[p->cur.a[k-1]].zId, g->aRev[aCur[i]].zId)>0 ){
      p->cur.a[k] = p->cur.a[k-1];
      p->cur.a[--k] = aCur[i];
    }
  }
  return rc;
}

/*
** Finish: on error set *pzErr to Alembic's command-level text for target
** zTarget (zWhat "upgrade" or "downgrade" for a range error, zHeads the
** multiple-heads text of a stamp). Returns rc.
*/
static int planDone(Plan *p, int rc, const char *zTarget, const char *zWhat,
                    const char *zHeads, char **pzErr){
  if( rc!=SQLITE_OK ){
    char *zRange = sqlite3_mprintf("Destination %s is not a valid %s target "
                                   "from current head(s)", zTarget, zWhat);
    *pzErr = rc==SQLITE_NOMEM || p->m.eErr==MIG_RERR_NONE
           ? sqlite3_mprintf("out of memory")
           : migRmapMessage(&p->m, zTarget, zRange, zHeads);
    sqlite3_free(zRange);
  }
  migRmapClear(&p->m);
  migIdsFree(&p->cur);
  sqlite3_free(p->aMark);
  sqlite3_free(p->aMark2);
  return rc;
}

/* A RevisionError with text zMsg (one %s: z, one %d: n). */
static int planFail(Plan *p, const char *zFmt, const char *z, int n){
  return migRmapError(&p->m, MIG_RERR_REVISION, 0, zFmt, z, n);
}

/* Copy of the first n bytes of z, or NULL when n==0. */
static char *planDup(const char *z, int n, int *pRc){
  char *zOut;
  if( n==0 ) return 0;
  zOut = sqlite3_mprintf("%.*s", n, z);
  if( zOut==0 ) *pRc = SQLITE_NOMEM;
  return zOut;
}

/* "Requested revision X overlaps with other requested revisions Y" when
** one member of l is an ancestor of another (Alembic's check=True). */
static int planOverlaps(Plan *p, const MigIds *l){
  MigGraph *g = p->g;
  int i, k;
  for(i=0; i<l->n; i++){
    sqlite3_str *pStr;
    int n = 0;
    if( l->a[i]<0 ) continue;
    memset(p->aMark, 0, g->nRev);
    migGraphAncestors(g, &l->a[i], 1, p->aMark);
    pStr = sqlite3_str_new(0);
    for(k=0; k<l->n; k++){
      if( l->a[k]<0 || l->a[k]==l->a[i] || !p->aMark[l->a[k]] ) continue;
      sqlite3_str_appendf(pStr, "%s%s", n++ ? ", " : "", g->aRev[l->a[k]].zId);
    }
    if( n ){
      char *zList = sqlite3_str_finish(pStr);
      int rc = zList ? migRmapError(&p->m, MIG_RERR_REVISION, 0,
          "Requested revision %s overlaps with other requested revisions %s",
          g->aRev[l->a[i]].zId, zList) : SQLITE_NOMEM;
      sqlite3_free(zList);
      return rc;
    }
    sqlite3_free(sqlite3_str_finish(pStr));
  }
  return SQLITE_OK;
}

/* Push to pOut the members of aSet (marks) in topological order, or in
** the reverse order when bDown. */
static int planOrder(MigGraph *g, const char *aSet, int bDown, MigIds *pOut){
  int i, rc = SQLITE_OK;
  for(i=0; rc==SQLITE_OK && i<g->nRev; i++){
    int iRev = g->aOrder[bDown ? g->nRev-1-i : i];
    if( aSet[iRev] ) rc = migIdsPush(pOut, iRev);
  }
  return rc;
}

/* Mark in aOut the dependencies of i that no Revises-ancestor of i also
** depends on (Alembic's _normalized_resolved_dependencies). */
static void planNormDeps(MigGraph *g, int i, char *aScratch, char *aOut){
  MigRev *r = &g->aRev[i];
  int k, j;
  memset(aScratch, 0, g->nRev);
  migGraphReach(g, &i, 1, 0, aScratch);
  for(k=0; k<r->nDep; k++) aOut[r->aDep[k]] = 1;
  for(j=0; j<g->nRev; j++){
    if( j==i || !aScratch[j] ) continue;
    for(k=0; k<g->aRev[j].nDep; k++){
      int d = g->aRev[j].aDep[k], m;
      for(m=0; m<r->nDep && r->aDep[m]!=d; m++){}
      if( m<r->nDep ) aOut[d] = 0;
    }
  }
}

/*
** The starting revisions of "LABEL@+N" when no current revision is on
** the branch: the tips of the applied revisions on it (Alembic goes back
** to the branch point), or MIG_NONE.
*/
static int planBranchStart(Plan *p, const char *zLabel, MigIds *pStart){
  MigGraph *g = p->g;
  MigIds anc = {0, 0}, act = {0, 0};
  char *aDown = sqlite3_malloc64(g->nRev+1);
  int i, k, rc = aDown ? SQLITE_OK : SQLITE_NOMEM;
  if( rc==SQLITE_OK ){
    memset(p->aMark, 0, g->nRev);
    migGraphAncestors(g, p->aCur, p->nCur, p->aMark);
    for(i=0; rc==SQLITE_OK && i<g->nRev; i++){
      if( p->aMark[i] ) rc = migIdsPush(&anc, i);
    }
  }
  if( rc==SQLITE_OK ) rc = migRmapFilter(&p->m, anc.a, anc.n, zLabel, 0, &act);
  if( rc==SQLITE_OK ){
    memset(aDown, 0, g->nRev);
    for(i=0; i<act.n; i++){
      MigRev *r = &g->aRev[act.a[i]];
      for(k=0; k<r->nParent; k++) aDown[r->aParent[k]] = 1;
      planNormDeps(g, act.a[i], p->aMark2, aDown);
    }
    for(i=0; rc==SQLITE_OK && i<act.n; i++){
      if( !aDown[act.a[i]] ) rc = migIdsPush(pStart, act.a[i]);
    }
    if( rc==SQLITE_OK && pStart->n==0 ) rc = migIdsPush(pStart, MIG_NONE);
  }
  sqlite3_free(aDown);
  migIdsFree(&anc);
  migIdsFree(&act);
  return rc;
}

/* "+N" and "LABEL@+N": walk up from the current revision. */
static int planUpFromCurrent(Plan *p, const MigRel *pRel, const char *zLabel,
                             MigIds *pOut){
  MigIds start = {0, 0};
  int rc = SQLITE_OK, i, iOut;
  if( zLabel ){
    rc = migRmapFilter(&p->m, p->aCur, p->nCur, zLabel, 0, &start);
    if( rc==SQLITE_OK && start.n==0 ) rc = planBranchStart(p, zLabel, &start);
  }else{
    for(i=0; rc==SQLITE_OK && i<p->nCur; i++){
      rc = migIdsPush(&start, p->aCur[i]);
    }
    if( rc==SQLITE_OK && start.n==0 ) rc = migIdsPush(&start, MIG_NONE);
  }
  if( rc==SQLITE_OK && start.n>1 ){
    rc = planFail(p, "Ambiguous upgrade from multiple current revisions",0,0);
  }
  if( rc==SQLITE_OK ){
    rc = migRmapWalk(&p->m, start.a[0], pRel->nRel, zLabel, &iOut);
  }
  if( rc==SQLITE_OK && iOut==MIG_NONE ){
    rc = planFail(p, "Relative revision %s didn't produce %d migrations",
                  pRel->zRel, pRel->nRel);
  }
  if( rc==SQLITE_OK ) rc = migIdsPush(pOut, iOut);
  migIdsFree(&start);
  return rc;
}

/* get_revision(SYMBOL) or, with a label, get_revision("LABEL@SYMBOL"). */
static int planSymbol(Plan *p, const char *zLabel, const char *zSym,
                      int *piRev){
  char *z = zLabel ? sqlite3_mprintf("%s@%s", zLabel, zSym) : 0;
  int rc;
  if( zLabel && z==0 ) return SQLITE_NOMEM;
  rc = migRmapRevision(&p->m, z ? z : zSym, piRev);
  sqlite3_free(z);
  return rc;
}

/* Alembic's _parse_upgrade_target: the revisions to upgrade to. */
static int planUpTargets(Plan *p, const char *zTarget, MigIds *pOut){
  MigRel rel;
  char *zLabel, *zSym;
  int rc = SQLITE_OK, iRev = MIG_NONE, iOut;
  if( !migRmapParseRel(zTarget, &rel) ){
    return migRmapRevisions(&p->m, zTarget, pOut);
  }
  zLabel = planDup(zTarget, rel.nLabel, &rc);
  zSym = planDup(rel.zSym, rel.nSym, &rc);
  if( rc==SQLITE_OK && rel.nRel>0 && zSym==0 ){
    rc = planUpFromCurrent(p, &rel, zLabel, pOut);
  }else if( rc==SQLITE_OK && rel.nRel>0 ){
    rc = migRmapRevision(&p->m, zSym, &iRev);
    if( rc==SQLITE_OK ) rc = migRmapWalk(&p->m, iRev, rel.nRel, zLabel, &iOut);
    if( rc==SQLITE_OK && iOut==MIG_NONE ){
      rc = planFail(p, "Walked too far", 0, 0);
    }
    if( rc==SQLITE_OK ) rc = migIdsPush(pOut, iOut);
  }else if( rc==SQLITE_OK && zSym==0 ){
    char zN[24];
    sqlite3_snprintf(sizeof(zN), zN, "%d", rel.nRel);
    rc = planFail(p, "Relative revision %s didn't produce %d migrations", zN,
                  -rel.nRel);
  }else if( rc==SQLITE_OK ){
    rc = planSymbol(p, zLabel, zSym, &iRev);
    if( rc==SQLITE_OK ) rc = migRmapWalk(&p->m, iRev, rel.nRel, 0, &iOut);
    if( rc==SQLITE_OK && iOut==MIG_NONE ){
      rc = planFail(p, "Walked too far", 0, 0);
    }
    if( rc==SQLITE_OK && iOut>=0 ) rc = migIdsPush(pOut, iOut);
  }
  sqlite3_free(zLabel);
  sqlite3_free(zSym);
  return rc;
}

/*
** Plan an upgrade to zTarget from the current revisions aCur: the
** ancestors of the target (through Revises and Depends On) that are not
** applied, parents first. Errors in *pzErr as Alembic's upgrade words
** them.
*/
int migStepsUpgrade(MigGraph *g, const char *zTarget, const int *aCur,
                   int nCur, MigSteps *pPlan, char **pzErr){
  Plan p;
  MigIds t = {0, 0}, cur = {0, 0};
  int rc = planInit(&p, g, aCur, nCur), i;
  if( rc==SQLITE_OK && strchr(zTarget, ':') ){
    rc = planFail(&p, "Range revision not allowed", 0, 0);
  }
  if( rc==SQLITE_OK ) rc = planUpTargets(&p, zTarget, &t);
  if( rc==SQLITE_OK ) rc = planOverlaps(&p, &t);
  for(i=0; rc==SQLITE_OK && i<nCur; i++) rc = migIdsPush(&cur, aCur[i]);
  if( rc==SQLITE_OK ) rc = planOverlaps(&p, &cur);
  if( rc==SQLITE_OK ){
    memset(p.aMark, 0, g->nRev);
    memset(p.aMark2, 0, g->nRev);
    migGraphAncestors(g, t.a, t.n, p.aMark);
    migGraphAncestors(g, aCur, nCur, p.aMark2);
    for(i=0; i<g->nRev; i++) p.aMark[i] = p.aMark[i] && !p.aMark2[i];
    rc = planOrder(g, p.aMark, 0, &pPlan->steps);
  }
  migIdsFree(&t);
  migIdsFree(&cur);
  return planDone(&p, rc, zTarget, "upgrade", 0, pzErr);
}

/*
** The revisions an upgrade to zTarget goes to, from the current
** revisions aCur (Alembic's _parse_upgrade_target): *paOut and *pnOut
** (sqlite3_free; none for base), or an error in *pzErr as Alembic's
** upgrade words it. For callers that plan their own way (dry runs,
** stairway tests).
*/
int migStepsTargets(MigGraph *g, const char *zTarget, const int *aCur,
                   int nCur, int **paOut, int *pnOut, char **pzErr){
  Plan p;
  MigIds t = {0, 0}, out = {0, 0};
  int rc = planInit(&p, g, aCur, nCur), i;
  if( rc==SQLITE_OK ) rc = planUpTargets(&p, zTarget, &t);
  for(i=0; rc==SQLITE_OK && i<t.n; i++){
    if( t.a[i]>=0 && !migIdsHas(&out, t.a[i]) ) rc = migIdsPush(&out, t.a[i]);
  }
  migIdsFree(&t);
  if( rc!=SQLITE_OK ) migIdsFree(&out);
  *paOut = out.a;
  *pnOut = out.n;
  return planDone(&p, rc, zTarget, "upgrade", 0, pzErr);
}

/* The current revisions on branch zLabel for "LABEL@-N" (Alembic's
** _parse_downgrade_target), which must be exactly one. */
static int planDownBranchCur(Plan *p, const char *zLabel, const MigRel *pRel,
                             int *piRev){
  MigGraph *g = p->g;
  MigIds sym = {0, 0}, all = {0, 0};
  int rc = migRmapFilter(&p->m, p->aCur, p->nCur, zLabel, 0, &sym), i;
  if( rc==SQLITE_OK && sym.n==0 ){
    memset(p->aMark, 0, g->nRev);
    migGraphAncestors(g, p->aCur, p->nCur, p->aMark);
    memset(p->aMark2, 0, g->nRev);
    for(i=0; i<g->nRev; i++){
      int k;
      if( !p->aMark[i] ) continue;
      for(k=0; k<g->aRev[i].nChild; k++){
        if( p->aMark[g->aRev[i].aChild[k]] ) break;
      }
      if( k==g->aRev[i].nChild ) p->aMark2[i] = 1;
    }
    for(i=0; rc==SQLITE_OK && i<g->nRev; i++){
      if( p->aMark2[i] ) rc = migIdsPush(&all, i);
    }
    if( rc==SQLITE_OK ){
      rc = migRmapFilter(&p->m, all.a, all.n, zLabel, 0, &sym);
    }
  }
  if( rc==SQLITE_OK && sym.n==0 ){
    rc = planFail(p, "Relative revision %s didn't produce %d migrations",
                  pRel->zRel, -pRel->nRel);
  }else if( rc==SQLITE_OK && sym.n>1 ){
    rc = planFail(p, "Ambiguous walk", 0, 0);
  }
  if( rc==SQLITE_OK ) *piRev = sym.a[0];
  migIdsFree(&sym);
  migIdsFree(&all);
  return rc;
}

/* Alembic's _parse_downgrade_target for a relative target. */
static int planDownRel(Plan *p, const char *zTarget, const MigRel *pRel,
                       char **pzLabel, int *piRev){
  int rc = SQLITE_OK, iStart = MIG_NONE, iSym = MIG_NONE;
  char *zSym = planDup(pRel->zSym, pRel->nSym, &rc);
  *pzLabel = planDup(zTarget, pRel->nLabel, &rc);
  if( rc==SQLITE_OK && pRel->nRel>=0 ){
    if( zSym==0 ){
      rc = planFail(p, "Relative revision %s didn't produce %d migrations",
                    pRel->zRel, pRel->nRel);
    }else{
      rc = migRmapRevision(&p->m, zSym, &iStart);
      if( rc==SQLITE_OK ){
        rc = migRmapWalk(&p->m, iStart, pRel->nRel, *pzLabel, piRev);
      }
      if( rc==SQLITE_OK && *piRev==MIG_NONE ){
        rc = planFail(p, "Walked too far", 0, 0);
      }
    }
    sqlite3_free(zSym);
    return rc;
  }
  if( rc==SQLITE_OK && zSym==0 ){
    if( *pzLabel ){
      rc = planDownBranchCur(p, *pzLabel, pRel, &iSym);
    }else if( p->cur.n==0 ){
      rc = planFail(p, "Relative revision %s didn't produce %d migrations",
                    pRel->zRel, -pRel->nRel);
    }else{
      iSym = p->cur.a[0];
      *pzLabel = sqlite3_mprintf("%s", p->g->aRev[iSym].zId);
      if( *pzLabel==0 ) rc = SQLITE_NOMEM;
    }
    if( rc==SQLITE_OK ){
      rc = planSymbol(p, *pzLabel, p->g->aRev[iSym].zId, &iStart);
    }
  }else if( rc==SQLITE_OK ){
    rc = planSymbol(p, *pzLabel, zSym, &iStart);
  }
  if( rc==SQLITE_OK ) rc = migRmapWalk(&p->m, iStart, pRel->nRel, 0, piRev);
  if( rc==SQLITE_OK && *piRev==MIG_NONE ){
    rc = zSym ? planFail(p, "Walked too far", 0, 0)
              : planFail(p, "Relative revision %s didn't produce %d "
                         "migrations", pRel->zRel, -pRel->nRel);
  }
  sqlite3_free(zSym);
  return rc;
}

/*
** Mark in aGo the applied revisions that carry branch label zLabel and
** everything that depends on them (downgrade LABEL@base). Returns 0 if
** zLabel is not a branch label (a revision used as one).
*/
static int planLabelBase(Plan *p, const char *zLabel, char *aGo){
  MigGraph *g = p->g;
  int i;
  if( zLabel==0 ) return 0;
  for(i=0; i<g->nLabel && strcmp(g->azLabel[i], zLabel); i++){}
  if( i==g->nLabel ) return 0;
  memset(aGo, 0, g->nRev);
  for(i=0; i<g->nRev; i++) aGo[i] = (char)migGraphHasLabel(g, i, zLabel);
  migGraphReach(g, 0, 0, MIG_DOWN|MIG_DEPS, aGo);
  return 1;
}

/* Alembic's _collect_downgrade_revisions: mark in aGo what goes. */
static int planDownSet(Plan *p, const char *zTarget, char *aGo){
  MigGraph *g = p->g;
  MigRel rel;
  MigIds roots = {0, 0};
  char *zLabel = 0;
  int rc = SQLITE_OK, iTarget = MIG_NONE, i, bLabelBase = 0;
  if( migRmapParseRel(zTarget, &rel) ){
    rc = planDownRel(p, zTarget, &rel, &zLabel, &iTarget);
  }else{
    const char *zAt = strrchr(zTarget, '@');
    const char *zSym = zAt ? zAt+1 : zTarget;
    zLabel = zAt && zAt>zTarget ? planDup(zTarget, (int)(zAt-zTarget), &rc) : 0;
    if( rc==SQLITE_OK && zLabel && strcmp(zSym, "head")==0 ){
      rc = migRmapRevision(&p->m, zTarget, &iTarget);
    }else if( rc==SQLITE_OK ){
      rc = migRmapRevision(&p->m, zSym, &iTarget);
      if( rc==SQLITE_OK && iTarget==MIG_NONE && strcmp(zSym, "base")==0 ){
        bLabelBase = planLabelBase(p, zLabel, aGo);
      }
    }
  }
  if( iTarget==MIG_BASE ) iTarget = MIG_NONE;
  for(i=0; rc==SQLITE_OK && !bLabelBase && i<g->nRev; i++){
    if( iTarget==MIG_NONE ){
      if( g->aRev[i].nParent==0 ) rc = migIdsPush(&roots, i);
    }else if( i<g->aRev[iTarget].nChild ){
      rc = migIdsPush(&roots, g->aRev[iTarget].aChild[i]);
    }
  }
  if( rc==SQLITE_OK && !bLabelBase && zLabel && roots.n>1 ){
    int iBranch, k = 0;
    rc = migRmapBranch(&p->m, zLabel, &iBranch);
    if( rc==SQLITE_OK ){
      memset(p->aMark, 0, g->nRev);
      migGraphReach(g, &iBranch, 1, 0, p->aMark);
      for(i=0; i<roots.n; i++){
        if( p->aMark[roots.a[i]] ) roots.a[k++] = roots.a[i];
      }
      roots.n = k;
      if( k==0 ){
        rc = planFail(p, "Not a valid downgrade target from current heads",
                      0, 0);
      }
    }
  }
  if( rc==SQLITE_OK ){
    if( !bLabelBase ){
      memset(aGo, 0, g->nRev);
      migGraphDescendants(g, roots.a, roots.n, aGo);
    }
    memset(p->aMark, 0, g->nRev);
    migGraphAncestors(g, p->aCur, p->nCur, p->aMark);
    for(i=0; i<g->nRev; i++) aGo[i] = aGo[i] && p->aMark[i];
    if( iTarget>=0 && !migIdsHas(&p->cur, iTarget) ){
      for(i=0; i<g->nRev && !aGo[i]; i++){}
      if( i==g->nRev ) rc = migRmapError(&p->m, MIG_RERR_RANGE, 0, 0);
    }
  }
  migIdsFree(&roots);
  sqlite3_free(zLabel);
  return rc;
}

/*
** Plan a downgrade to zTarget from the current revisions aCur: the
** applied descendants of the target's children (of the roots for base),
** through Revises and Depends On, children first. Errors in *pzErr as
** Alembic's downgrade words them.
*/
int migStepsDowngrade(MigGraph *g, const char *zTarget, const int *aCur,
                     int nCur, MigSteps *pPlan, char **pzErr){
  Plan p;
  char *aGo = sqlite3_malloc64(g->nRev+1);
  int rc = planInit(&p, g, aCur, nCur);
  if( aGo==0 ) rc = SQLITE_NOMEM;
  if( rc==SQLITE_OK && strchr(zTarget, ':') ){
    rc = planFail(&p, "Range revision not allowed", 0, 0);
  }
  if( rc==SQLITE_OK ) rc = planDownSet(&p, zTarget, aGo);
  if( rc==SQLITE_OK ) rc = planOrder(g, aGo, 1, &pPlan->steps);
  sqlite3_free(aGo);
  return planDone(&p, rc, zTarget, "downgrade", 0, pzErr);
}

/* Remove i from the rows l (if there). */
static void planRowDel(MigIds *l, int i){
  int k, j = 0;
  for(k=0; k<l->n; k++) if( l->a[k]!=i ) l->a[j++] = l->a[k];
  l->n = j;
}

/* One stamp step of Alembic's HeadMaintainer: from the rows aFrom to
** iDest, upward (bUp) or not, as a branch move (bMove). */
static int planStampStep(MigIds *pRows, const MigIds *pFrom, int iDest,
                         int bUp, int bMove){
  int k, bGone = 0;
  for(k=0; k<pFrom->n; k++) if( !migIdsHas(pRows, pFrom->a[k]) ) bGone = 1;
  if( bUp && (bMove || bGone) ){
    if( migIdsHas(pRows, iDest) ) return SQLITE_OK;
    return migIdsPush(pRows, iDest);
  }
  for(k=0; k<pFrom->n; k++) planRowDel(pRows, pFrom->a[k]);
  if( migIdsHas(pRows, iDest) ) return SQLITE_OK;
  return migIdsPush(pRows, iDest);
}

/* Drop the rows that are ancestors of other rows. */
static void planRowsMinimal(Plan *p, MigIds *pRows){
  MigGraph *g = p->g;
  int k, j = 0;
  memset(p->aMark, 0, g->nRev);
  for(k=0; k<pRows->n; k++){
    MigRev *r = &g->aRev[pRows->a[k]];
    migGraphReach(g, r->aParent, r->nParent, MIG_DEPS, p->aMark);
    migGraphReach(g, r->aDep, r->nDep, MIG_DEPS, p->aMark);
  }
  for(k=0; k<pRows->n; k++){
    if( !p->aMark[pRows->a[k]] ) pRows->a[j++] = pRows->a[k];
  }
  pRows->n = j;
}

/*
** Plan a stamp to zTarget: pPlan->heads gets the version rows it leaves.
** As Alembic's _stamp_revs: the current rows that share a lineage with
** the target (through Depends On too) are replaced by it, the others
** stay; base removes them.
*/
int migStepsStamp(MigGraph *g, const char *zTarget, const int *aCur,
                 int nCur, MigSteps *pPlan, char **pzErr){
  Plan p;
  MigIds filt = {0, 0}, dests = {0, 0}, none = {0, 0};
  MigIds *pRows = &pPlan->heads;
  int rc = planInit(&p, g, aCur, nCur), i, k;
  if( rc==SQLITE_OK && strchr(zTarget, ':') ){
    rc = planFail(&p, "Range revision not allowed", 0, 0);
  }
  if( rc==SQLITE_OK ) rc = migRmapFilter(&p.m, aCur, nCur, zTarget, 1, &filt);
  if( rc==SQLITE_OK ) rc = migRmapRevisions(&p.m, zTarget, &dests);
  if( rc==SQLITE_OK && dests.n==0 ) rc = migIdsPush(&dests, MIG_NONE);
  for(i=0; rc==SQLITE_OK && i<nCur; i++) rc = migIdsPush(pRows, aCur[i]);
  if( rc==SQLITE_OK && dests.n>1 ){
    /* Several destinations (heads, LABEL@heads): the rows sharing the
    ** target's lineage give way to all of them. Alembic moves those rows
    ** to the first destination and skips the ones already there, so it
    ** can lose a head. */
    for(k=0; k<filt.n; k++) planRowDel(pRows, filt.a[k]);
    for(i=0; rc==SQLITE_OK && i<dests.n; i++){
      if( dests.a[i]>=0 && !migIdsHas(pRows, dests.a[i]) ){
        rc = migIdsPush(pRows, dests.a[i]);
      }
    }
  }
  for(i=0; rc==SQLITE_OK && dests.n==1 && i<dests.n; i++){
    int iDest = dests.a[i], bDesc = 0, bAnc = 0;
    if( iDest<0 ){
      for(k=0; k<filt.n; k++) planRowDel(pRows, filt.a[k]);
      continue;
    }
    if( migIdsHas(&filt, iDest) ) continue;
    memset(p.aMark, 0, g->nRev);
    memset(p.aMark2, 0, g->nRev);
    migGraphDescendants(g, &iDest, 1, p.aMark);
    migGraphAncestors(g, &iDest, 1, p.aMark2);
    for(k=0; k<filt.n; k++){
      if( p.aMark[filt.a[k]] ) bDesc = 1;
      if( p.aMark2[filt.a[k]] ) bAnc = 1;
    }
    if( bDesc ) rc = planStampStep(pRows, &filt, iDest, 0, 0);
    else if( bAnc ) rc = planStampStep(pRows, &filt, iDest, 1, 0);
    else rc = planStampStep(pRows, &none, iDest, 1, 1);
  }
  if( rc==SQLITE_OK ) planRowsMinimal(&p, pRows);
  migIdsFree(&filt);
  migIdsFree(&dests);
  return planDone(&p, rc, zTarget, "stamp",
                  "Multiple heads are present; please specify a single "
                  "target revision", pzErr);
}

/* Free what a plan holds. */
void migStepsFree(MigSteps *pPlan){
  migIdsFree(&pPlan->steps);
  migIdsFree(&pPlan->heads);
}

/*
** The invariant: every revision of aApplied (nRev marks) has its parents
** and dependencies applied, and the rows aRow (nRow; aRow NULL: skip this
** half) are exactly the heads of aApplied. SQLITE_OK, or SQLITE_ERROR
** with *pzErr naming the revisions.
*/
int migStepsCheck(MigGraph *g, const char *aApplied, const int *aRow,
                 int nRow, char **pzErr){
  char *aTip;
  int i, k, n = 0;
  for(i=0; i<g->nRev; i++){
    MigRev *r = &g->aRev[i];
    if( !aApplied[i] ) continue;
    for(k=0; k<r->nParent+r->nDep; k++){
      int j = k<r->nParent ? r->aParent[k] : r->aDep[k-r->nParent];
      if( !aApplied[j] ){
        *pzErr = sqlite3_mprintf("inconsistent plan: revision %s would be "
            "applied without its %s %s", r->zId,
            k<r->nParent ? "parent" : "dependency", g->aRev[j].zId);
        return SQLITE_ERROR;
      }
    }
  }
  if( aRow==0 ) return SQLITE_OK;
  aTip = sqlite3_malloc64(g->nRev+1);
  if( aTip==0 ) return SQLITE_NOMEM;
  migGraphTips(g, aApplied, aTip);
  for(k=0; k<nRow; k++){
    if( aRow[k]<0 || aTip[aRow[k]]!=1 ) break;
    aTip[aRow[k]] = 2;
  }
  for(i=0; k==nRow && i<g->nRev; i++) n += aTip[i]==1;
  if( k<nRow || n ){
    sqlite3_str *pRows = sqlite3_str_new(0), *pTips = sqlite3_str_new(0);
    for(k=0; k<nRow; k++){
      sqlite3_str_appendf(pRows, "%s%s", k ? ", " : "",
                          aRow[k]<0 ? "?" : g->aRev[aRow[k]].zId);
    }
    for(i=0, n=0; i<g->nRev; i++){
      if( aTip[i] ) sqlite3_str_appendf(pTips, "%s%s", n++ ? ", " : "",
                                        g->aRev[i].zId);
    }
    *pzErr = sqlite3_mprintf("inconsistent version rows: migrate_version "
        "would hold (%s) but the heads of the applied revisions are (%s)",
        sqlite3_str_value(pRows) ? sqlite3_str_value(pRows) : "",
        sqlite3_str_value(pTips) ? sqlite3_str_value(pTips) : "");
    sqlite3_free(sqlite3_str_finish(pRows));
    sqlite3_free(sqlite3_str_finish(pTips));
    sqlite3_free(aTip);
    return SQLITE_ERROR;
  }
  sqlite3_free(aTip);
  return SQLITE_OK;
}
