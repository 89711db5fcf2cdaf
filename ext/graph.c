/*
** graph.c: the revision graph, as Alembic builds it from its scripts.
**
** migGraphBuild() takes an array of MigRev, indexes it by id, links every
** revision to its parents ("Revises:", several for a merge), its
** dependencies ("Depends On:", an id or a branch label) and its children,
** and orders it topologically (parents first, file order among equals).
** It refuses, naming the file: a bad or duplicate revision id, a parent
** or dependency that is not present, a cycle, a branch label used twice.
**
** migGraphResolve() turns a target into revisions, exactly as Alembic's
** RevisionMap does, with Alembic's error texts:
**   head, heads, base, REV (full id or unique prefix), LABEL@head,
**   LABEL@heads, LABEL@base, LABEL@REV, +N, -N, REV+N, REV-N, LABEL@+N
**
** Sets of revisions are char arrays of nRev marks; ancestors and
** descendants are one pass over the topological order, so every
** operation is linear in the size of the graph.
*/
#include "engine_int.h"
#include <string.h>
#include <stdlib.h>

#define GRAPH_BASE (-2)        /* Walked down past the roots */

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
  for(i=0; i<g->nRev; i++) migRevClear(&g->aRev[i]);
  sqlite3_free(g->aRev);
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

/* Index of the revision carrying branch label zLabel, or -1. */
static int graphLabel(MigGraph *g, const char *zLabel, int nLabel){
  int i;
  for(i=0; i<g->nRev; i++){
    const char *z = g->aRev[i].zLabels;
    while( z && *z ){
      int n;
      while( *z==' ' || *z==',' ) z++;
      for(n=0; z[n] && z[n]!=',' && z[n]!=' '; n++){}
      if( n>0 && n==nLabel && strncmp(z, zLabel, n)==0 ) return i;
      z += n;
    }
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
  int rc = SQLITE_OK;
  const char *z = zList;
  while( rc==SQLITE_OK && z && *z ){
    int n, j;
    char *zName;
    while( *z==' ' || *z==',' ) z++;
    for(n=0; z[n] && z[n]!=',' && z[n]!=' '; n++){}
    if( n==0 ) break;
    zName = sqlite3_mprintf("%.*s", n, z);
    if( zName==0 ) return SQLITE_NOMEM;
    j = migGraphFind(g, zName);
    if( j<0 && bDep ) j = graphLabel(g, z, n);
    if( j<0 ){
      rc = graphError(pzErr, r, "revision %s referenced from %s is not "
                      "present", zName, r->zId, 0);
    }else if( j==i ){
      rc = graphError(pzErr, r, "%s is detected in revisions (%s)",
                      bDep ? "dependency self-loop" : "self-loop", r->zId, 0);
    }else if( bDep ){
      rc = graphPush(&r->aDep, &r->nDep, j);
    }else{
      rc = graphPush(&r->aParent, &r->nParent, j);
      if( rc==SQLITE_OK ){
        rc = graphPush(&g->aRev[j].aChild, &g->aRev[j].nChild, i);
      }
    }
    sqlite3_free(zName);
    z += n;
  }
  return rc;
}

/* Every branch label used once. SQLite code. */
static int graphCheckLabels(MigGraph *g, char **pzErr){
  int i;
  for(i=0; i<g->nRev; i++){
    const char *z = g->aRev[i].zLabels;
    while( z && *z ){
      int n, j;
      while( *z==' ' || *z==',' ) z++;
      for(n=0; z[n] && z[n]!=',' && z[n]!=' '; n++){}
      if( n>0 && (j = graphLabel(g, z, n))!=i ){
        char *zL = sqlite3_mprintf("%.*s", n, z);
        int rc = graphError(pzErr, &g->aRev[i], "branch name '%s' in "
            "revision %s already used by revision %s", zL,
            g->aRev[i].zId, g->aRev[j].zId);
        sqlite3_free(zL);
        return rc;
      }
      z += n;
    }
  }
  return SQLITE_OK;
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

/*
** Build the graph of the nRev revisions of aRev, taking ownership of the
** array (freed here on error). On success *ppG is the new graph.
*/
int migGraphBuild(MigRev *aRev, int nRev, MigGraph **ppG, char **pzErr){
  MigGraph *g = sqlite3_malloc64(sizeof(MigGraph));
  int rc = SQLITE_OK, i;
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
  for(i=0; rc==SQLITE_OK && i<nRev; i++){
    rc = graphLink(g, i, aRev[i].zRevises, 0, pzErr);
  }
  for(i=0; rc==SQLITE_OK && i<nRev; i++){
    rc = graphLink(g, i, aRev[i].zDepends, 1, pzErr);
  }
  if( rc==SQLITE_OK ) rc = graphCheckLabels(g, pzErr);
  if( rc==SQLITE_OK ) rc = graphSort(g, pzErr);
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

/* True if revision iRev has no children (a head). */
int migGraphIsHead(MigGraph *g, int iRev){
  return g->aRev[iRev].nChild==0;
}

/*
** Mark in aMark (nRev entries, not cleared here) the revisions aIdx and
** all their ancestors, through parents and dependencies.
*/
void migGraphAncestors(MigGraph *g, const int *aIdx, int nIdx, char *aMark){
  int i, k;
  for(i=0; i<nIdx; i++) aMark[aIdx[i]] = 1;
  for(i=g->nRev-1; i>=0; i--){
    MigRev *r = &g->aRev[g->aOrder[i]];
    if( !aMark[g->aOrder[i]] ) continue;
    for(k=0; k<r->nParent+r->nDep; k++) aMark[graphEdge(r, k)] = 1;
  }
}

/* Mark aIdx and all their descendants (children and dependents). */
void migGraphDescendants(MigGraph *g, const int *aIdx, int nIdx, char *aMark){
  int i, k;
  for(i=0; i<nIdx; i++) aMark[aIdx[i]] = 1;
  for(i=0; i<g->nRev; i++){
    MigRev *r = &g->aRev[g->aOrder[i]];
    for(k=0; k<r->nParent+r->nDep && !aMark[g->aOrder[i]]; k++){
      if( aMark[graphEdge(r, k)] ) aMark[g->aOrder[i]] = 1;
    }
  }
}

/*
** Set aMark (nRev entries) to the lineage of revision i: i, its ancestors
** and its descendants (as Alembic's _shares_lineage).
*/
void migGraphLineage(MigGraph *g, int i, char *aMark){
  int k;
  memset(aMark, 0, g->nRev);
  migGraphDescendants(g, &i, 1, aMark);
  for(k=g->nRev-1; k>=0; k--){
    MigRev *r = &g->aRev[g->aOrder[k]];
    int e;
    if( g->aOrder[k]!=i && !(aMark[g->aOrder[k]] & 2) ) continue;
    for(e=0; e<r->nParent+r->nDep; e++) aMark[graphEdge(r, e)] |= 2;
  }
  for(k=0; k<g->nRev; k++) aMark[k] = aMark[k]!=0;
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

/*************************** Target resolution *****************************/

/* State of one resolution. */
typedef struct Resolve Resolve;
struct Resolve {
  MigGraph *g;
  char *aLine;                 /* Lineage mark of the branch, or NULL */
  int iBranch;                 /* Revision naming the branch, or -1 */
  char *zBranch;               /* The branch as written, or NULL */
  int *aOut; int nOut;         /* Result */
  char *zErr;                  /* Error message */
};

/* Record an error; returns SQLITE_ERROR. */
static int resError(Resolve *p, const char *zFmt, const char *z1, int n){
  sqlite3_free(p->zErr);
  p->zErr = sqlite3_mprintf(zFmt, z1, n);
  return SQLITE_ERROR;
}

/* Find a revision by full id or unique prefix. SQLite code; *piRev. */
static int resLookup(Resolve *p, const char *zId, int *piRev){
  MigGraph *g = p->g;
  int i, n = (int)strlen(zId), nMatch = 0;
  sqlite3_str *pStr;
  *piRev = migGraphFind(g, zId);
  if( *piRev>=0 ) return SQLITE_OK;
  pStr = sqlite3_str_new(0);
  for(i=0; i<g->nRev; i++){
    int iRev = g->aOrder[i];
    if( strncmp(g->aRev[iRev].zId, zId, n)!=0 ) continue;
    if( p->aLine && !p->aLine[iRev] ) continue;
    if( nMatch<3 ){
      sqlite3_str_appendf(pStr, "%s'%s'", nMatch ? ", " : "",
                          g->aRev[iRev].zId);
    }
    nMatch++;
    *piRev = iRev;
  }
  if( nMatch==1 ){
    sqlite3_free(sqlite3_str_finish(pStr));
    return SQLITE_OK;
  }
  if( nMatch==0 ){
    sqlite3_free(sqlite3_str_finish(pStr));
    return resError(p, "Can't locate revision identified by '%s'", zId, 0);
  }else{
    char *zList = sqlite3_str_finish(pStr);
    sqlite3_free(p->zErr);
    p->zErr = sqlite3_mprintf("Multiple revisions start with '%s': %s...",
                              zId, zList);
    sqlite3_free(zList);
    return SQLITE_ERROR;
  }
}

/* Set the branch of the resolution from label (or revision) zLabel. */
static int resBranch(Resolve *p, const char *zLabel){
  MigGraph *g = p->g;
  int i = graphLabel(g, zLabel, (int)strlen(zLabel));
  if( i<0 ){
    char *zSave = p->zErr;
    p->zErr = 0;
    if( resLookup(p, zLabel, &i) ){
      sqlite3_free(zSave);
      return resError(p, "No such branch: '%s'", zLabel, 0);
    }
    p->zErr = zSave;
  }
  p->iBranch = i;
  sqlite3_free(p->zBranch);
  p->zBranch = sqlite3_mprintf("%s", zLabel);
  p->aLine = sqlite3_malloc64(g->nRev+1);
  if( p->aLine==0 ) return SQLITE_NOMEM;
  migGraphLineage(g, i, p->aLine);
  return SQLITE_OK;
}

/* Add revision i to the result. */
static int resAdd(Resolve *p, int i){
  return graphPush(&p->aOut, &p->nOut, i);
}

/* The heads (within the branch, if any); bOne: exactly one ("head"). */
static int resHeads(Resolve *p, const char *zArg, int bOne){
  MigGraph *g = p->g;
  int i, rc = SQLITE_OK;
  for(i=0; rc==SQLITE_OK && i<g->nRev; i++){
    int iRev = g->aOrder[i];
    if( !migGraphIsHead(g, iRev) ) continue;
    if( p->aLine && !p->aLine[iRev] ) continue;
    rc = resAdd(p, iRev);
  }
  if( rc==SQLITE_OK && bOne && p->nOut>1 ){
    sqlite3_free(p->zErr);
    p->zErr = sqlite3_mprintf("Multiple head revisions are present for given "
        "argument '%s'; please specify a specific target revision, "
        "'<branchname>@%s' to narrow to a specific head, or 'heads' for "
        "all heads", zArg, zArg);
    return SQLITE_ERROR;
  }
  return rc;
}

/*
** Walk nStep steps from iStart: up (nStep>0; iStart -1 is base, whose
** children are the roots) or down (nStep<0; past a root is GRAPH_BASE).
** *piOut is the revision reached, or -1 when the walk ran out of graph.
*/
static int resWalk(Resolve *p, int iStart, int nStep, int *piOut){
  MigGraph *g = p->g;
  int iCur = iStart, s;
  for(s=0; s<(nStep>0 ? nStep : -nStep); s++){
    int nNext = 0, iNext = -1, i;
    if( nStep>0 ){
      int nCand = iCur<0 ? g->nRev : g->aRev[iCur].nChild;
      for(i=0; i<nCand; i++){
        int j = iCur<0 ? i : g->aRev[iCur].aChild[i];
        if( iCur<0 && g->aRev[j].nParent>0 ) continue;
        if( p->aLine && !p->aLine[j] ) continue;
        nNext++; iNext = j;
      }
    }else if( iCur!=GRAPH_BASE ){
      nNext = g->aRev[iCur].nParent;
      iNext = nNext ? g->aRev[iCur].aParent[0] : GRAPH_BASE;
      if( nNext==0 ) nNext = 1;
    }
    if( nNext==0 ){ *piOut = -1; return SQLITE_OK; }
    if( nNext>1 ) return resError(p, "Ambiguous walk", 0, 0);
    iCur = iNext;
  }
  *piOut = iCur;
  return SQLITE_OK;
}

/* Parsed "[LABEL@][SYMBOL](+|-)N", Alembic's _relative_destination. */
typedef struct ResRel ResRel;
struct ResRel {
  char *zLabel;                /* Branch label or NULL */
  char *zSymbol;               /* Symbol or NULL */
  int nRel;                    /* Signed N */
  char zRel[24];               /* N as written, with its sign */
};

/* True (and *pRel filled, strings sqlite3_free'd by the caller) if zT is
** relative. */
static int resParseRel(const char *zT, ResRel *pRel){
  const char *zAt = strchr(zT, '@');
  const char *z = zAt ? zAt+1 : zT;
  const char *zSym = z;
  int nSym, nDigit;
  memset(pRel, 0, sizeof(*pRel));
  if( zAt==zT ) return 0;
  while( (*z>='0' && *z<='9') || (*z>='a' && *z<='z') || (*z>='A' && *z<='Z')
      || *z=='_' ) z++;
  nSym = (int)(z-zSym);
  if( *z!='+' && *z!='-' ) return 0;
  for(nDigit=0; z[1+nDigit]>='0' && z[1+nDigit]<='9'; nDigit++){}
  if( nDigit==0 || z[1+nDigit]!=0 || nDigit>9 ) return 0;
  pRel->nRel = atoi(z+1) * (*z=='-' ? -1 : 1);
  sqlite3_snprintf(sizeof(pRel->zRel), pRel->zRel, "%s", z);
  if( zAt ) pRel->zLabel = sqlite3_mprintf("%.*s", (int)(zAt-zT), zT);
  if( nSym ) pRel->zSymbol = sqlite3_mprintf("%.*s", nSym, zSym);
  return 1;
}

/* Resolve a symbol (REV, head, base) inside the branch, if any. */
static int resSymbol(Resolve *p, const char *zSym, int *piRev){
  MigGraph *g = p->g;
  int rc;
  *piRev = -1;
  if( strcmp(zSym, "head")==0 || strcmp(zSym, "heads")==0 ){
    rc = resHeads(p, "head", 1);
    if( rc==SQLITE_OK && p->nOut ) *piRev = p->aOut[0];
    p->nOut = 0;
    return rc;
  }
  if( strcmp(zSym, "base")==0 ){ *piRev = GRAPH_BASE; return SQLITE_OK; }
  rc = resLookup(p, zSym, piRev);
  if( rc==SQLITE_OK && p->aLine && !p->aLine[*piRev] ){
    sqlite3_free(p->zErr);
    p->zErr = sqlite3_mprintf("Revision %s is not a member of branch '%s'",
                              g->aRev[*piRev].zId, p->zBranch);
    rc = SQLITE_ERROR;
  }
  return rc;
}

/* "didn't produce" error of a relative target */
static int resShort(Resolve *p, ResRel *pRel){
  return resError(p, "Relative revision %s didn't produce %d migrations",
                  pRel->zRel, pRel->nRel<0 ? -pRel->nRel : pRel->nRel);
}

/* A relative target for an upgrade. */
static int resRelUp(Resolve *p, ResRel *pRel, const int *aCur, int nCur){
  int rc = SQLITE_OK, iStart = -1, iOut, i, nStart = 0;
  if( pRel->zSymbol==0 ){
    if( pRel->nRel<=0 ) return resShort(p, pRel);
    for(i=0; i<nCur; i++){
      if( p->aLine && !p->aLine[aCur[i]] ) continue;
      nStart++;
      iStart = aCur[i];
    }
    if( nStart>1 ){
      return resError(p, "Ambiguous upgrade from multiple current revisions",
                      0, 0);
    }
    rc = resWalk(p, iStart, pRel->nRel, &iOut);
    if( rc==SQLITE_OK && iOut<0 ) return resShort(p, pRel);
  }else{
    rc = resSymbol(p, pRel->zSymbol, &iStart);
    if( rc==SQLITE_OK && iStart==GRAPH_BASE ) iStart = -1;
    if( rc==SQLITE_OK ) rc = resWalk(p, iStart, pRel->nRel, &iOut);
    if( rc==SQLITE_OK && iOut==-1 ) return resError(p, "Walked too far", 0, 0);
  }
  if( rc==SQLITE_OK && iOut>=0 ) rc = resAdd(p, iOut);
  return rc;
}

/* A relative target for a downgrade. */
static int resRelDown(Resolve *p, ResRel *pRel, const int *aCur, int nCur){
  int rc = SQLITE_OK, iStart = -1, iOut, i;
  if( pRel->nRel>=0 && pRel->zSymbol==0 ) return resShort(p, pRel);
  if( pRel->zSymbol ){
    rc = resSymbol(p, pRel->zSymbol, &iStart);
    if( rc==SQLITE_OK && iStart==GRAPH_BASE ) iStart = -1;
  }else{
    for(i=0; i<nCur && iStart<0; i++){
      if( p->aLine==0 || p->aLine[aCur[i]] ) iStart = aCur[i];
    }
    if( iStart<0 ) return resShort(p, pRel);
    if( p->aLine==0 ) rc = resBranch(p, p->g->aRev[iStart].zId);
  }
  if( rc==SQLITE_OK ) rc = resWalk(p, iStart, pRel->nRel, &iOut);
  if( rc==SQLITE_OK && iOut==-1 ){
    if( pRel->zSymbol==0 ) return resShort(p, pRel);
    return resError(p, "Walked too far", 0, 0);
  }
  if( rc==SQLITE_OK && iOut>=0 ) rc = resAdd(p, iOut);
  return rc;
}

/* An absolute target: [LABEL@]SYMBOL */
static int resAbsolute(Resolve *p, const char *zTarget){
  const char *zAt = strrchr(zTarget, '@');
  const char *zSym = zAt ? zAt+1 : zTarget;
  int rc = SQLITE_OK, iRev;
  if( zAt ){
    char *zLabel = sqlite3_mprintf("%.*s", (int)(zAt-zTarget), zTarget);
    if( zLabel==0 ) return SQLITE_NOMEM;
    rc = resBranch(p, zLabel);
    sqlite3_free(zLabel);
  }
  if( rc!=SQLITE_OK ) return rc;
  if( strcmp(zSym, "heads")==0 ) return resHeads(p, zTarget, 0);
  if( strcmp(zSym, "head")==0 ) return resHeads(p, zTarget, 1);
  if( strcmp(zSym, "base")==0 || zSym[0]==0 ){
    if( p->iBranch>=0 ) p->iBranch = MIG_BRANCH_ONLY(p->iBranch);
    return SQLITE_OK;
  }
  rc = resSymbol(p, zSym, &iRev);
  if( rc==SQLITE_OK ) rc = resAdd(p, iRev);
  return rc;
}

/*
** Resolve zTarget for an upgrade (bDown==0) or a downgrade from the
** current revisions aCur. *paOut and *pnOut get the target revisions (none:
** base; sqlite3_free the array); *piBranch the revision whose lineage
** limits a downgrade, or -1; for LABEL@base it is MIG_BRANCH_ONLY(i):
** only the labelled revision i and its descendants go. Errors are
** Alembic's texts in *pzErr.
*/
int migGraphResolve(MigGraph *g, const char *zTarget, int bDown,
                    const int *aCur, int nCur, int **paOut, int *pnOut,
                    int *piBranch, char **pzErr){
  Resolve r;
  ResRel rel;
  int rc;
  memset(&r, 0, sizeof(r));
  r.g = g;
  r.iBranch = -1;
  if( resParseRel(zTarget, &rel) ){
    rc = SQLITE_OK;
    if( rel.zLabel ) rc = resBranch(&r, rel.zLabel);
    if( rc==SQLITE_OK ){
      rc = bDown ? resRelDown(&r, &rel, aCur, nCur)
                 : resRelUp(&r, &rel, aCur, nCur);
    }
    sqlite3_free(rel.zLabel);
    sqlite3_free(rel.zSymbol);
  }else{
    rc = resAbsolute(&r, zTarget);
  }
  sqlite3_free(r.aLine);
  sqlite3_free(r.zBranch);
  if( rc==SQLITE_OK ){
    *paOut = r.aOut;
    *pnOut = r.nOut;
    *piBranch = r.iBranch;
  }else{
    sqlite3_free(r.aOut);
    *pzErr = r.zErr ? r.zErr : sqlite3_mprintf("out of memory");
    r.zErr = 0;
  }
  sqlite3_free(r.zErr);
  return rc;
}
