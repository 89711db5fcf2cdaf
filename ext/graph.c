/*
** graph.c: the revision graph, as Alembic builds it from its scripts.
**
** migGraphBuild() takes an array of MigRev, indexes it by id, links every
** revision to its parents ("Revises:", several for a merge), its
** dependencies ("Depends On:", an id or a branch label), its children
** and its dependents, orders it topologically (parents and dependencies
** first, file order among equals) and spreads the branch labels as
** Alembic does (migGraphHasLabel()). It refuses, naming the file: a bad
** or duplicate revision id, a parent or dependency that is not present,
** a cycle, a branch label used twice.
**
** Sets of revisions are char arrays of nRev marks; ancestors and
** descendants are one pass over the topological order, so every
** operation is linear in the size of the graph. Target resolution is
** resolve.c, the plans of upgrade, downgrade and stamp are steps.c.
*/
#include "engine_int.h"
#include <string.h>
#include <stdlib.h>

static int graphNextCount(MigGraph *g, int iRev);
static int graphLabelIdx(MigGraph *g, const char *zLabel);

/* Hash of a revision id (djb2). */
static unsigned graphHash(const char *z){
  unsigned h = 5381;
  while( *z ) h = h*33 + (unsigned char)*z++;
  return h;
}

/* Index of the revision with id exactly zId, or -1. */
int migGraphFind(MigGraph *g, const char *zId){
  unsigned h;
  if( g->nHash==0 ) return -1;
  h = graphHash(zId) % g->nHash;
  while( g->aHash[h] ){
    int i = g->aHash[h]-1;
    if( strcmp(g->aRev[i].zId, zId)==0 ) return i;
    h = (h+1) % g->nHash;
  }
  return -1;
}

/* Free g and every revision it owns (or drop one of its extra
** references, see nRef). NULL is a no-op. */
void migGraphFree(MigGraph *g){
  int i;
  if( g==0 ) return;
  if( g->nRef>0 ){ g->nRef--; return; }
  for(i=0; i<g->nRev; i++){
    sqlite3_free(g->aRev[i].aDepChild);
    migRevClear(&g->aRev[i]);
  }
  sqlite3_free(g->aRev);
  sqlite3_free(g->azLabel);
  sqlite3_free(g->aLabel);
  sqlite3_free(g->aLabelRev);
  sqlite3_free(g->aOrder);
  sqlite3_free(g->aHash);
  sqlite3_free(g);
}

/* Set *pzErr to "LABEL: message" for revision pRev. Returns SQLITE_ERROR */
static int graphError(char **pzErr, const MigRev *pRev, const char *zFmt,
                      const char *z1, const char *z2, const char *z3){
  char *zLabel = migRevLabel(pRev);
  char *zMsg = sqlite3_mprintf(zFmt, z1, z2, z3);
  *pzErr = sqlite3_mprintf("%s: %s", zLabel, zMsg);
  sqlite3_free(zLabel);
  sqlite3_free(zMsg);
  return SQLITE_ERROR;
}

/* Check the characters of an id; add it to the hash. SQLite code. */
static int graphIndex(MigGraph *g, int i, char **pzErr){
  MigRev *r = &g->aRev[i];
  unsigned h;
  const char *zBad;
  if( r->zId==0 || r->zId[0]==0 ){
    return graphError(pzErr, r, "empty revision identifier", 0, 0, 0);
  }
  for(zBad=r->zId; *zBad && !strchr("@-+, \t", *zBad); zBad++){}
  if( *zBad ){
    char zC[2];
    zC[0] = *zBad; zC[1] = 0;
    return graphError(pzErr, r, "character(s) '%s' not allowed in revision "
                      "identifier '%s'", zC, r->zId, 0);
  }
  h = graphHash(r->zId) % g->nHash;
  while( g->aHash[h] ){
    MigRev *pOld = &g->aRev[g->aHash[h]-1];
    if( strcmp(pOld->zId, r->zId)==0 ){
      char *zOld = migRevLabel(pOld);
      int rc = graphError(pzErr, r, "revision %s is present more than once "
                          "(also in %s)", r->zId, zOld, 0);
      sqlite3_free(zOld);
      return rc;
    }
    h = (h+1) % g->nHash;
  }
  g->aHash[h] = i+1;
  return SQLITE_OK;
}

/* Index of the revision carrying branch label zLabel (nLabel bytes) as
** written, or -1 (the first one when two do; graphBuildLabels()). */
int migGraphLabelRev(MigGraph *g, const char *zLabel, int nLabel){
  int k;
  for(k=0; k<g->nLabel; k++){
    const char *z = g->azLabel[k];
    if( strncmp(z, zLabel, nLabel)==0 && z[nLabel]==0 ) return g->aLabelRev[k];
  }
  return -1;
}

/* Append v to the int array *pa of *pn entries. SQLite code. */
static int graphPush(int **pa, int *pn, int v){
  int *aNew = sqlite3_realloc64(*pa, sizeof(int)*(*pn+1));
  if( aNew==0 ) return SQLITE_NOMEM;
  aNew[(*pn)++] = v;
  *pa = aNew;
  return SQLITE_OK;
}

/*
** Link revision i to each entry of the comma-separated list zList: as
** parents (bDep==0) or dependencies (bDep==1, labels allowed).
*/
static int graphLink(MigGraph *g, int i, const char *zList, int bDep,
                     char **pzErr){
  MigRev *r = &g->aRev[i];
  int rc = SQLITE_OK, n;
  const char *z = zList, *zItem;
  while( rc==SQLITE_OK && z && (zItem = migListNext(&z, &n))!=0 ){
    int j;
    char *zName = sqlite3_mprintf("%.*s", n, zItem);
    if( zName==0 ) return SQLITE_NOMEM;
    j = migGraphFind(g, zName);
    if( j<0 && bDep ) j = migGraphLabelRev(g, zItem, n);
    if( j<0 ){
      rc = graphError(pzErr, r, "revision %s referenced from %s is not "
                      "present", zName, r->zId, 0);
    }else if( j==i ){
      rc = graphError(pzErr, r, "%s is detected in revisions (%s)",
                      bDep ? "dependency self-loop" : "self-loop", r->zId, 0);
    }else if( bDep ){
      rc = graphPush(&r->aDep, &r->nDep, j);
      if( rc==SQLITE_OK ){
        rc = graphPush(&g->aRev[j].aDepChild, &g->aRev[j].nDepChild, i);
      }
    }else{
      rc = graphPush(&r->aParent, &r->nParent, j);
      if( rc==SQLITE_OK ){
        rc = graphPush(&g->aRev[j].aChild, &g->aRev[j].nChild, i);
      }
    }
    sqlite3_free(zName);
  }
  return rc;
}

/* Every branch label used once: refuse the first label found again on
** a later revision (graphBuildLabels() noted it). SQLite code. */
static int graphCheckLabels(MigGraph *g, int iDupRev, int iDupLab,
                            char **pzErr){
  if( iDupRev<0 ) return SQLITE_OK;
  return graphError(pzErr, &g->aRev[iDupRev], "branch name '%s' in "
      "revision %s already used by revision %s", g->azLabel[iDupLab],
      g->aRev[iDupRev].zId, g->aRev[g->aLabelRev[iDupLab]].zId);
}

/* Report the cycle through the revisions aStack[iFrom..nStack-1]. */
static int graphCycle(MigGraph *g, const int *aStack, int iFrom, int nStack,
                      char **pzErr){
  sqlite3_str *pStr = sqlite3_str_new(0);
  int i, rc;
  char *zList;
  for(i=iFrom; i<nStack; i++){
    sqlite3_str_appendf(pStr, "%s%s", i>iFrom ? ", " : "",
                        g->aRev[aStack[i]].zId);
  }
  zList = sqlite3_str_finish(pStr);
  rc = graphError(pzErr, &g->aRev[aStack[iFrom]],
                  "cycle is detected in revisions (%s)", zList, 0, 0);
  sqlite3_free(zList);
  return rc;
}

/* The k-th edge out of revision i toward its past (parents, then deps). */
static int graphEdge(MigRev *r, int k){
  return k<r->nParent ? r->aParent[k] : r->aDep[k-r->nParent];
}

/*
** Depth-first topological sort with an explicit stack (no recursion, so
** long chains are fine). aState: 0 new, 1 on the stack, 2 done.
*/
static int graphSort(MigGraph *g, char **pzErr){
  int *aStack = sqlite3_malloc64(sizeof(int)*2*(g->nRev+1));
  char *aState = sqlite3_malloc64(g->nRev+1);
  int i, nStack, nOrder = 0, rc = SQLITE_OK;
  g->aOrder = sqlite3_malloc64(sizeof(int)*(g->nRev+1));
  if( aStack==0 || aState==0 || g->aOrder==0 ) rc = SQLITE_NOMEM;
  if( rc==SQLITE_OK ) memset(aState, 0, g->nRev);
  for(i=0; rc==SQLITE_OK && i<g->nRev; i++){
    if( aState[i] ) continue;
    nStack = 0;
    aStack[0] = i; aStack[1] = 0; nStack = 1; aState[i] = 1;
    while( rc==SQLITE_OK && nStack>0 ){
      int iRev = aStack[2*(nStack-1)];
      int k = aStack[2*(nStack-1)+1]++;
      MigRev *r = &g->aRev[iRev];
      if( k>=r->nParent+r->nDep ){
        aState[iRev] = 2;
        r->iRank = nOrder;
        g->aOrder[nOrder++] = iRev;
        nStack--;
      }else{
        int j = graphEdge(r, k);
        if( aState[j]==1 ){
          int m, *aIds = sqlite3_malloc64(sizeof(int)*nStack);
          if( aIds==0 ){ rc = SQLITE_NOMEM; break; }
          for(m=0; m<nStack; m++) aIds[m] = aStack[2*m];
          for(m=0; aIds[m]!=j; m++){}
          rc = graphCycle(g, aIds, m, nStack, pzErr);
          sqlite3_free(aIds);
        }else if( aState[j]==0 ){
          aState[j] = 1;
          aStack[2*nStack] = j; aStack[2*nStack+1] = 0; nStack++;
        }
      }
    }
  }
  sqlite3_free(aStack);
  sqlite3_free(aState);
  return rc;
}

/* True if revision i is neither a merge nor a branch point counting
** dependents (where Alembic stops spreading a label downwards). */
static int graphClean(MigGraph *g, int i){
  return g->aRev[i].nParent<=1 && graphNextCount(g, i)<=1;
}

/* Add the labels of row iFrom to row iTo of g->aLabel. */
static void graphLabelOr(MigGraph *g, int iTo, int iFrom){
  int k;
  for(k=0; k<g->nLabel; k++){
    if( g->aLabel[iFrom*g->nLabelCol+k] ) g->aLabel[iTo*g->nLabelCol+k] = 1;
  }
}

/*
** Parse the Branch Labels of every revision, once: the distinct labels
** (g->azLabel, g->nLabel), the revisions that carry each as written (the
** marks of g->aLabel, nRev x nLabelCol, before graphLabels() spreads
** them) and the first revision carrying each (g->aLabelRev). The first
** label found on a second revision is noted in *piDupRev (the revision,
** -1 when none) and *piDupLab (the label) for graphCheckLabels().
*/
static int graphBuildLabels(MigGraph *g, int *piDupRev, int *piDupLab){
  int i, n = 0, nItem;
  sqlite3_uint64 nChar = 0;
  const char *z, *zItem;
  char *zBuf;
  *piDupRev = -1;
  *piDupLab = -1;
  for(i=0; i<g->nRev; i++){
    z = g->aRev[i].zLabels;
    if( z ) nChar += strlen(z)+1;
    while( z && migListNext(&z, &nItem) ) n++;
  }
  if( n==0 ) return SQLITE_OK;
  g->azLabel = sqlite3_malloc64(sizeof(char*)*n + nChar);
  g->aLabel = sqlite3_malloc64((sqlite3_uint64)g->nRev*n + 1);
  g->aLabelRev = sqlite3_malloc64(sizeof(int)*n);
  if( g->azLabel==0 || g->aLabel==0 || g->aLabelRev==0 ) return SQLITE_NOMEM;
  zBuf = (char*)&g->azLabel[n];
  memset(g->aLabel, 0, (size_t)g->nRev*n);
  g->nLabelCol = n;
  for(i=0; i<g->nRev; i++){
    z = g->aRev[i].zLabels;
    while( z && (zItem = migListNext(&z, &nItem))!=0 ){
      int iLab;
      memcpy(zBuf, zItem, nItem);
      zBuf[nItem] = 0;
      iLab = graphLabelIdx(g, zBuf);
      if( iLab<0 ){
        iLab = g->nLabel++;
        g->azLabel[iLab] = zBuf;
        g->aLabelRev[iLab] = i;
        zBuf += nItem+1;
      }else if( g->aLabelRev[iLab]!=i && *piDupRev<0 ){
        *piDupRev = i;
        *piDupLab = iLab;
      }
      g->aLabel[i*n+iLab] = 1;
    }
  }
  return SQLITE_OK;
}

/*
** Spread branch labels as Alembic's _add_branches does: a label is
** carried by its revision and all its descendants through Revises; when
** those form one plain chain (no merge, no branch point counting
** dependents), also by the revisions below it down to the nearest merge
** or branch point. Two passes in file order, so the result does not
** depend on which labelled revision comes first.
*/
static int graphLabels(MigGraph *g){
  int i, nPass;
  char *aDesc;
  if( g->nLabel==0 ) return SQLITE_OK;
  aDesc = sqlite3_malloc64(g->nRev+1);
  if( aDesc==0 ) return SQLITE_NOMEM;
  for(nPass=0; nPass<2; nPass++){
    for(i=0; i<g->nRev; i++){
      int j, bChain = 1;
      if( g->aRev[i].zLabels==0 ) continue;
      memset(aDesc, 0, g->nRev);
      migGraphReach(g, &i, 1, MIG_DOWN, aDesc);
      for(j=0; j<g->nRev; j++) if( aDesc[j] ) graphLabelOr(g, j, i);
      for(j=i; bChain; j=g->aRev[j].aChild[0]){
        if( !graphClean(g, j) ) bChain = 0;
        if( g->aRev[j].nChild==0 ) break;
      }
      for(j=i; bChain && g->aRev[j].nParent==1; ){
        j = g->aRev[j].aParent[0];
        if( !graphClean(g, j) ) break;
        graphLabelOr(g, j, i);
      }
    }
  }
  sqlite3_free(aDesc);
  return SQLITE_OK;
}

/*
** Build the graph of the nRev revisions of aRev, taking ownership of the
** array (freed here on error). On success *ppG is the new graph.
*/
int migGraphBuild(MigRev *aRev, int nRev, MigGraph **ppG, char **pzErr){
  MigGraph *g = sqlite3_malloc64(sizeof(MigGraph));
  int rc = SQLITE_OK, i, iDupRev = -1, iDupLab = -1;
  *ppG = 0;
  if( g==0 ){
    for(i=0; i<nRev; i++) migRevClear(&aRev[i]);
    sqlite3_free(aRev);
    return SQLITE_NOMEM;
  }
  memset(g, 0, sizeof(*g));
  g->aRev = aRev;
  g->nRev = nRev;
  g->nHash = nRev*2+1;
  g->aHash = sqlite3_malloc64(sizeof(int)*g->nHash);
  if( g->aHash==0 ) rc = SQLITE_NOMEM;
  else memset(g->aHash, 0, sizeof(int)*g->nHash);
  for(i=0; rc==SQLITE_OK && i<nRev; i++) rc = graphIndex(g, i, pzErr);
  if( rc==SQLITE_OK ) rc = graphBuildLabels(g, &iDupRev, &iDupLab);
  for(i=0; rc==SQLITE_OK && i<nRev; i++){
    rc = graphLink(g, i, aRev[i].zRevises, 0, pzErr);
  }
  for(i=0; rc==SQLITE_OK && i<nRev; i++){
    rc = graphLink(g, i, aRev[i].zDepends, 1, pzErr);
  }
  if( rc==SQLITE_OK ) rc = graphCheckLabels(g, iDupRev, iDupLab, pzErr);
  if( rc==SQLITE_OK ) rc = graphSort(g, pzErr);
  if( rc==SQLITE_OK ) rc = graphLabels(g);
  if( rc!=SQLITE_OK ){
    if( rc==SQLITE_NOMEM && *pzErr==0 ){
      *pzErr = sqlite3_mprintf("out of memory");
    }
    migGraphFree(g);
    return rc;
  }
  *ppG = g;
  return SQLITE_OK;
}

/* True if revision iRev has no children (a head; Alembic's is_head). */
int migGraphIsHead(MigGraph *g, int iRev){
  return g->aRev[iRev].nChild==0;
}

/* True if nothing revises or depends on iRev (Alembic's _is_real_head). */
int migGraphIsRealHead(MigGraph *g, int iRev){
  return g->aRev[iRev].nChild==0 && g->aRev[iRev].nDepChild==0;
}

/* Number of distinct revisions that revise or depend on iRev (a
** revision may name iRev twice: by id and by one of its labels). */
static int graphNextCount(MigGraph *g, int iRev){
  MigRev *r = &g->aRev[iRev];
  int n = r->nChild, i, k;
  for(i=0; i<r->nDepChild; i++){
    int j = r->aDepChild[i];
    for(k=0; k<r->nChild && r->aChild[k]!=j; k++){}
    if( k<r->nChild ) continue;
    for(k=0; k<i && r->aDepChild[k]!=j; k++){}
    if( k==i ) n++;
  }
  return n;
}

/*
** Mark in aMark (nRev entries, not cleared here) the revisions aIdx and
** everything reachable from them: ancestors (eFlags without MIG_DOWN) or
** descendants, through Revises only or also through Depends On
** (MIG_DEPS).
*/
void migGraphReach(MigGraph *g, const int *aIdx, int nIdx, int eFlags,
                   char *aMark){
  int i, k;
  for(i=0; i<nIdx; i++) if( aIdx[i]>=0 ) aMark[aIdx[i]] = 1;
  if( (eFlags & MIG_DOWN)==0 ){
    for(i=g->nRev-1; i>=0; i--){
      MigRev *r = &g->aRev[g->aOrder[i]];
      if( !aMark[g->aOrder[i]] ) continue;
      for(k=0; k<r->nParent; k++) aMark[r->aParent[k]] = 1;
      for(k=0; (eFlags & MIG_DEPS) && k<r->nDep; k++) aMark[r->aDep[k]] = 1;
    }
  }else{
    for(i=0; i<g->nRev; i++){
      int iRev = g->aOrder[i];
      MigRev *r = &g->aRev[iRev];
      for(k=0; !aMark[iRev] && k<r->nParent; k++){
        if( aMark[r->aParent[k]] ) aMark[iRev] = 1;
      }
      for(k=0; (eFlags & MIG_DEPS) && !aMark[iRev] && k<r->nDep; k++){
        if( aMark[r->aDep[k]] ) aMark[iRev] = 1;
      }
    }
  }
}

/* Mark aIdx and their ancestors, through parents and dependencies. */
void migGraphAncestors(MigGraph *g, const int *aIdx, int nIdx, char *aMark){
  migGraphReach(g, aIdx, nIdx, MIG_DEPS, aMark);
}

/* Mark aIdx and all their descendants (children and dependents). */
void migGraphDescendants(MigGraph *g, const int *aIdx, int nIdx, char *aMark){
  migGraphReach(g, aIdx, nIdx, MIG_DOWN|MIG_DEPS, aMark);
}

/*
** Set aMark (nRev entries) to the lineage of revision i: i, its ancestors
** and its descendants, through Revises only unless bDeps (Alembic's
** _shares_lineage). i<0 (base) marks nothing.
*/
void migGraphLineage(MigGraph *g, int i, int bDeps, char *aMark){
  int k, e, f = bDeps ? MIG_DEPS : 0;
  memset(aMark, 0, g->nRev);
  if( i<0 ) return;
  aMark[i] = 3;
  for(k=g->nRev-1; k>=0; k--){
    MigRev *r = &g->aRev[g->aOrder[k]];
    if( (aMark[g->aOrder[k]] & 1)==0 ) continue;
    for(e=0; e<r->nParent; e++) aMark[r->aParent[e]] |= 1;
    for(e=0; f && e<r->nDep; e++) aMark[r->aDep[e]] |= 1;
  }
  for(k=0; k<g->nRev; k++){
    int iRev = g->aOrder[k];
    MigRev *r = &g->aRev[iRev];
    for(e=0; e<r->nParent; e++) if( aMark[r->aParent[e]] & 2 ) aMark[iRev] |= 2;
    for(e=0; f && e<r->nDep; e++) if( aMark[r->aDep[e]] & 2 ) aMark[iRev] |= 2;
  }
  for(k=0; k<g->nRev; k++) aMark[k] = aMark[k]!=0;
}

/*
** In aOut (nRev marks) the heads of the set aSet: its members that no
** other member revises or depends on.
*/
void migGraphTips(MigGraph *g, const char *aSet, char *aOut){
  int i, k;
  for(i=0; i<g->nRev; i++){
    MigRev *r = &g->aRev[i];
    aOut[i] = aSet[i];
    for(k=0; aOut[i] && k<r->nChild; k++) if( aSet[r->aChild[k]] ) aOut[i] = 0;
    for(k=0; aOut[i] && k<r->nDepChild; k++){
      if( aSet[r->aDepChild[k]] ) aOut[i] = 0;
    }
  }
}

/* Index of label zLabel in g->azLabel, or -1. */
static int graphLabelIdx(MigGraph *g, const char *zLabel){
  int k;
  for(k=0; k<g->nLabel; k++) if( strcmp(g->azLabel[k], zLabel)==0 ) return k;
  return -1;
}

/* True if revision iRev carries branch label zLabel, spread as Alembic
** spreads it (see graphLabels()). */
int migGraphHasLabel(MigGraph *g, int iRev, const char *zLabel){
  int k = graphLabelIdx(g, zLabel);
  return k>=0 && iRev>=0 && g->aLabel[iRev*g->nLabelCol+k];
}

/* The labels revision iRev carries, "a, b" in name order (sqlite3_free),
** or NULL when none. */
char *migGraphLabelList(MigGraph *g, int iRev){
  sqlite3_str *pStr;
  const char *zLast = 0;
  int n = 0;
  if( g->nLabel==0 ) return 0;
  pStr = sqlite3_str_new(0);
  for(;;){
    const char *zNext = 0;
    int k;
    for(k=0; k<g->nLabel; k++){
      const char *z = g->azLabel[k];
      if( !g->aLabel[iRev*g->nLabelCol+k] ) continue;
      if( zLast && strcmp(z, zLast)<=0 ) continue;
      if( zNext==0 || strcmp(z, zNext)<0 ) zNext = z;
    }
    if( zNext==0 ) break;
    sqlite3_str_appendf(pStr, "%s%s", n++ ? ", " : "", zNext);
    zLast = zNext;
  }
  if( n==0 ){
    sqlite3_free(sqlite3_str_finish(pStr));
    return 0;
  }
  return sqlite3_str_finish(pStr);
}

/* The heads, comma-separated in topological order (sqlite3_free); NULL
** when there are no revisions. */
char *migGraphHeadList(MigGraph *g){
  sqlite3_str *pStr = sqlite3_str_new(0);
  int i, n = 0;
  for(i=0; i<g->nRev; i++){
    int iRev = g->aOrder[i];
    if( migGraphIsHead(g, iRev) ){
      sqlite3_str_appendf(pStr, "%s%s", n++ ? "," : "", g->aRev[iRev].zId);
    }
  }
  return sqlite3_str_finish(pStr);
}

/*
** Map the ids of the current revisions to indexes (*paCur, sqlite3_free).
** An id not in the graph is Alembic's "Can't locate revision" error.
*/
int migGraphCurrent(MigGraph *g, char **azId, int nId, int **paCur,
                    char **pzErr){
  int i;
  int *a = sqlite3_malloc64(sizeof(int)*(nId+1));
  *paCur = 0;
  if( a==0 ) return SQLITE_NOMEM;
  for(i=0; i<nId; i++){
    a[i] = migGraphFind(g, azId[i]);
    if( a[i]<0 ){
      *pzErr = sqlite3_mprintf("Can't locate revision identified by '%s'",
                               azId[i]);
      sqlite3_free(a);
      return SQLITE_ERROR;
    }
  }
  *paCur = a;
  return SQLITE_OK;
}

