/*
** resolve.c: Alembic's RevisionMap lookups over a MigGraph.
**
** Each function is the counterpart of one method of Alembic 1.8's
** alembic/script/revision.py, with the same rules (read from that file,
** not copied): migRmapForIdent() is _revision_for_ident (a full id, a
** branch label, or a prefix of at least one character matching one key
** longer than three characters, then the lineage check of LABEL@REV),
** migRmapBranch() _resolve_branch, migRmapNumber() _resolve_revision_number
** (head, heads, base, LABEL@...), migRmapRevisions() get_revisions
** (including "LABEL@-N" walked down from the heads carrying LABEL),
** migRmapRevision() get_revision, migRmapFilter() filter_for_lineage,
** migRmapWalk() _walk, migRmapParseRel() the regular expression
** "(?:(.+?)@)?(\w+)?((?:\+|-)\d+)" matched at the start of the target.
**
** A revision is an index into g->aRev, MIG_NONE (Alembic's None: below
** the roots) or MIG_BASE (the "base" a walk down past a root reaches).
** Errors are recorded in the MigRmap with their kind, as Alembic raises
** ResolutionError(argument), MultipleHeads(argument) or RevisionError;
** migRmapMessage() words them as Alembic's commands do.
*/
#include "engine_int.h"
#include <string.h>
#include <stdarg.h>

/* Record the first error of kind eErr; returns SQLITE_ERROR. */
int migRmapError(MigRmap *p, int eErr, const char *zArg,
                 const char *zFmt, ...){
  va_list ap;
  if( p->eErr ) return SQLITE_ERROR;
  p->eErr = eErr;
  p->zArg = zArg ? sqlite3_mprintf("%s", zArg) : 0;
  va_start(ap, zFmt);
  p->zMsg = zFmt ? sqlite3_vmprintf(zFmt, ap) : 0;
  va_end(ap);
  return SQLITE_ERROR;
}

/* Forget the recorded error. */
void migRmapClear(MigRmap *p){
  sqlite3_free(p->zArg);
  sqlite3_free(p->zMsg);
  p->zArg = p->zMsg = 0;
  p->eErr = MIG_RERR_NONE;
}

/* Append i to the list l. SQLite code. */
int migIdsPush(MigIds *l, int i){
  int *aNew = sqlite3_realloc64(l->a, sizeof(int)*(l->n+1));
  if( aNew==0 ) return SQLITE_NOMEM;
  aNew[l->n++] = i;
  l->a = aNew;
  return SQLITE_OK;
}

/* Free the list and empty it. */
void migIdsFree(MigIds *l){
  sqlite3_free(l->a);
  l->a = 0;
  l->n = 0;
}

/* True if l holds i. */
int migIdsHas(const MigIds *l, int i){
  int k;
  for(k=0; k<l->n; k++) if( l->a[k]==i ) return 1;
  return 0;
}

/* The revision keyed z in Alembic's map (an id or a label), or -1. */
static int rmKey(MigGraph *g, const char *z){
  int i = migGraphFind(g, z);
  return i>=0 ? i : migGraphLabelRev(g, z, (int)strlen(z));
}

/* True if i and iTest share a lineage (through Revises only unless
** bDeps). SQLite code in *pRc on allocation failure. */
static int rmShares(MigGraph *g, int i, int iTest, int bDeps, int *pRc){
  char *aLine;
  int b;
  if( i<0 || iTest<0 ) return 0;
  aLine = sqlite3_malloc64(g->nRev+1);
  if( aLine==0 ){ *pRc = SQLITE_NOMEM; return 0; }
  migGraphLineage(g, i, bDeps, aLine);
  b = aLine[iTest];
  sqlite3_free(aLine);
  return b;
}

/*
** Partial lookup of zId: the keys (ids, then labels) longer than three
** characters that start with zId, within the lineage of iBranch when
** iBranch>=0. *pnMatch gets their number, *piRev the last one.
*/
static int rmPartial(MigRmap *p, const char *zId, int iBranch, int *pnMatch,
                     int *piRev){
  MigGraph *g = p->g;
  char *aLine = 0;
  int i, k, n = (int)strlen(zId), rc = SQLITE_OK;
  *pnMatch = 0;
  if( iBranch>=0 ){
    aLine = sqlite3_malloc64(g->nRev+1);
    if( aLine==0 ) return SQLITE_NOMEM;
    migGraphLineage(g, iBranch, 0, aLine);
  }
  for(i=0; i<g->nRev; i++){
    const char *z = g->aRev[i].zId;
    if( strlen(z)>3 && strncmp(z, zId, n)==0 && (aLine==0 || aLine[i]) ){
      (*pnMatch)++;
      *piRev = i;
    }
  }
  for(k=0; k<g->nLabel; k++){
    const char *z = g->azLabel[k];
    int j = g->aLabelRev[k];
    if( strlen(z)>3 && strncmp(z, zId, n)==0 && (aLine==0 || aLine[j]) ){
      (*pnMatch)++;
      *piRev = j;
    }
  }
  sqlite3_free(aLine);
  return rc;
}

/* _resolve_branch: a label, a full id or a unique prefix. */
int migRmapBranch(MigRmap *p, const char *zLabel, int *piRev){
  int rc;
  *piRev = rmKey(p->g, zLabel);
  if( *piRev>=0 ) return SQLITE_OK;
  rc = migRmapForIdent(p, zLabel, 0, piRev);
  if( rc==SQLITE_ERROR && p->eErr==MIG_RERR_RESOLUTION ){
    migRmapClear(p);
    return migRmapError(p, MIG_RERR_RESOLUTION, zLabel,
                        "No such branch: '%s'", zLabel);
  }
  return rc;
}

/*
** _revision_for_ident: the revision zId names (NULL: MIG_NONE), checked
** to share a lineage with branch zBranch when that is not NULL.
*/
int migRmapForIdent(MigRmap *p, const char *zId, const char *zBranch,
                    int *piRev){
  MigGraph *g = p->g;
  int iBranch = -1, rc = SQLITE_OK, nMatch = 0;
  *piRev = MIG_NONE;
  if( zBranch && zBranch[0] ){
    rc = migRmapBranch(p, zBranch, &iBranch);
    if( rc ) return rc;
  }
  if( zId==0 ) return SQLITE_OK;
  *piRev = rmKey(g, zId);
  if( *piRev<0 ){
    rc = rmPartial(p, zId, iBranch, &nMatch, piRev);
    if( rc ) return rc;
    if( nMatch==0 ){
      *piRev = MIG_NONE;
      return migRmapError(p, MIG_RERR_RESOLUTION, zId,
          "No such revision or branch '%s'%s", zId, strlen(zId)<4 ?
          "; please ensure at least four characters are present for "
          "partial revision identifier matches" : "");
    }
    if( nMatch>1 ){
      *piRev = MIG_NONE;
      return migRmapError(p, MIG_RERR_RESOLUTION, zId,
                          "Multiple revisions start with '%s'", zId);
    }
  }
  if( iBranch>=0 && !rmShares(g, *piRev, iBranch, 0, &rc) ){
    if( rc ) return rc;
    rc = migRmapError(p, MIG_RERR_RESOLUTION, zId,
        "Revision %s is not a member of branch '%s'", g->aRev[*piRev].zId,
        zBranch);
    *piRev = MIG_NONE;
  }
  return rc;
}

/* Push the heads: effective (no child through Revises) or real (nothing
** revises or depends on them), in file order. */
static int rmHeads(MigGraph *g, int bReal, MigIds *pOut){
  int i, rc = SQLITE_OK;
  for(i=0; rc==SQLITE_OK && i<g->nRev; i++){
    if( bReal ? migGraphIsRealHead(g, i) : migGraphIsHead(g, i) ){
      rc = migIdsPush(pOut, i);
    }
  }
  return rc;
}

/*
** _resolve_revision_number: zId as a list of revisions (head, heads:
** pOut filled, *pzRaw NULL) or one identifier still to look up (*pzRaw,
** sqlite3_free), and the branch label before the first '@' (*pzLabel,
** sqlite3_free, NULL without one). base or NULL: nothing.
*/
int migRmapNumber(MigRmap *p, const char *zId, MigIds *pOut, char **pzRaw,
                  char **pzLabel){
  const char *zAt = zId ? strchr(zId, '@') : 0;
  const char *zSym = zAt ? zAt+1 : zId;
  int rc = SQLITE_OK;
  *pzRaw = 0;
  *pzLabel = 0;
  if( zAt ){
    *pzLabel = sqlite3_mprintf("%.*s", (int)(zAt-zId), zId);
    if( *pzLabel==0 ) return SQLITE_NOMEM;
  }
  if( zSym && strcmp(zSym, "heads")==0 ){
    if( *pzLabel==0 ) return rmHeads(p->g, 1, pOut);
    else{
      MigIds h = {0, 0};
      rc = rmHeads(p->g, 0, &h);
      if( rc==SQLITE_OK ) rc = migRmapFilter(p, h.a, h.n, *pzLabel, 0, pOut);
      migIdsFree(&h);
    }
  }else if( zSym && strcmp(zSym, "head")==0 ){
    MigIds h = {0, 0};
    rc = rmHeads(p->g, 0, &h);
    if( rc==SQLITE_OK && *pzLabel ){
      rc = migRmapFilter(p, h.a, h.n, *pzLabel, 0, pOut);
    }else if( rc==SQLITE_OK ){
      MigIds t = *pOut; *pOut = h; h = t;
    }
    migIdsFree(&h);
    if( rc==SQLITE_OK && pOut->n>1 ){
      char *zArg = *pzLabel ? sqlite3_mprintf("%s@head", *pzLabel) : 0;
      rc = migRmapError(p, MIG_RERR_HEADS, zArg ? zArg : "head", 0);
      sqlite3_free(zArg);
    }
  }else if( zSym && zSym[0] && strcmp(zSym, "base")!=0 ){
    *pzRaw = sqlite3_mprintf("%s", zSym);
    if( *pzRaw==0 ) rc = SQLITE_NOMEM;
  }
  return rc;
}

/* True (and *pN set) if z reads as a negative integer to Python's int(). */
static int rmNegative(const char *z, int *pN){
  sqlite3_int64 v = 0;
  int nDigit = 0;
  while( *z==' ' ) z++;
  if( *z!='-' ) return 0;
  for(z++; *z>='0' && *z<='9'; z++, nDigit++){
    if( v<1000000000 ) v = v*10 + (*z-'0');
  }
  while( *z==' ' ) z++;
  if( *z || nDigit==0 || v==0 ) return 0;
  *pN = (int)-v;
  return 1;
}

/* get_revisions(zId): the revisions zId names (MIG_NONE/MIG_BASE may
** appear for walks from the heads). */
int migRmapRevisions(MigRmap *p, const char *zId, MigIds *pOut){
  MigIds ids = {0, 0};
  char *zRaw = 0, *zLabel = 0;
  int rc = migRmapNumber(p, zId, &ids, &zRaw, &zLabel), i, nWalk;
  if( rc==SQLITE_OK && zRaw && rmNegative(zRaw, &nWalk) ){
    MigIds h = {0, 0};
    rc = rmHeads(p->g, 1, &h);
    for(i=0; rc==SQLITE_OK && i<h.n; i++){
      int iOut;
      if( zLabel && !migGraphHasLabel(p->g, h.a[i], zLabel) ) continue;
      rc = migRmapWalk(p, h.a[i], nWalk, 0, &iOut);
      if( rc==SQLITE_OK ) rc = migIdsPush(pOut, iOut);
    }
    migIdsFree(&h);
  }else if( rc==SQLITE_OK && zRaw ){
    int iRev;
    rc = migRmapForIdent(p, zRaw, zLabel, &iRev);
    if( rc==SQLITE_OK ) rc = migIdsPush(pOut, iRev);
  }else{
    for(i=0; rc==SQLITE_OK && i<ids.n; i++){
      int iRev = ids.a[i];
      if( zLabel ){
        rc = migRmapForIdent(p, p->g->aRev[ids.a[i]].zId, zLabel, &iRev);
      }
      if( rc==SQLITE_OK ) rc = migIdsPush(pOut, iRev);
    }
  }
  migIdsFree(&ids);
  sqlite3_free(zRaw);
  sqlite3_free(zLabel);
  return rc;
}

/* get_revision(zId): exactly one revision, or MIG_NONE for base. */
int migRmapRevision(MigRmap *p, const char *zId, int *piRev){
  MigIds ids = {0, 0};
  char *zRaw = 0, *zLabel = 0;
  int rc = migRmapNumber(p, zId, &ids, &zRaw, &zLabel);
  *piRev = MIG_NONE;
  if( rc==SQLITE_OK && ids.n>1 ){
    rc = migRmapError(p, MIG_RERR_HEADS, zId, 0);
  }else if( rc==SQLITE_OK && (zRaw || ids.n==1) ){
    rc = migRmapForIdent(p, zRaw ? zRaw : p->g->aRev[ids.a[0]].zId, zLabel,
                         piRev);
  }else if( rc==SQLITE_OK && zLabel ){
    int iBranch;
    rc = migRmapBranch(p, zLabel, &iBranch);
  }
  migIdsFree(&ids);
  sqlite3_free(zRaw);
  sqlite3_free(zLabel);
  return rc;
}

/*
** filter_for_lineage: push to pOut the members of aIn that share a
** lineage with what zCheck names (its label and its revisions), through
** Revises only unless bDeps. A zCheck naming nothing keeps everything.
*/
int migRmapFilter(MigRmap *p, const int *aIn, int nIn, const char *zCheck,
                  int bDeps, MigIds *pOut){
  MigIds ids = {0, 0}, shares = {0, 0};
  char *zRaw = 0, *zLabel = 0;
  int rc = migRmapNumber(p, zCheck, &ids, &zRaw, &zLabel), i, k, iRev;
  if( nIn==0 ){            /* Alembic looks the names up per candidate */
    migIdsFree(&ids);
    sqlite3_free(zRaw);
    sqlite3_free(zLabel);
    return rc;
  }
  if( rc==SQLITE_OK && zLabel ){
    rc = migRmapForIdent(p, zLabel, 0, &iRev);
    if( rc==SQLITE_OK ) rc = migIdsPush(&shares, iRev);
  }
  if( rc==SQLITE_OK && zRaw ){
    rc = migRmapForIdent(p, zRaw, 0, &iRev);
    if( rc==SQLITE_OK ) rc = migIdsPush(&shares, iRev);
  }
  for(i=0; rc==SQLITE_OK && i<ids.n; i++) rc = migIdsPush(&shares, ids.a[i]);
  for(i=0; rc==SQLITE_OK && i<nIn; i++){
    int bKeep = shares.n==0;
    for(k=0; rc==SQLITE_OK && !bKeep && k<shares.n; k++){
      bKeep = rmShares(p->g, aIn[i], shares.a[k], bDeps, &rc);
    }
    if( rc==SQLITE_OK && bKeep ) rc = migIdsPush(pOut, aIn[i]);
  }
  migIdsFree(&ids);
  migIdsFree(&shares);
  sqlite3_free(zRaw);
  sqlite3_free(zLabel);
  return rc;
}

/*
** _walk: nStep steps from iStart, up (nStep>0: children, or the roots
** from MIG_NONE, kept to the lineage of zBranch when not NULL) or down
** (parents; from MIG_NONE the heads; past a root MIG_BASE). *piOut is
** where it ends, or MIG_NONE when it ran out of graph.
*/
int migRmapWalk(MigRmap *p, int iStart, int nStep, const char *zBranch,
                int *piOut){
  MigGraph *g = p->g;
  int iCur = iStart, s, rc = SQLITE_OK;
  for(s=0; s<(nStep>0 ? nStep : -nStep); s++){
    MigIds c = {0, 0};
    int i;
    if( nStep>0 ){
      MigIds up = {0, 0};
      if( iCur==MIG_BASE ){
        rc = SQLITE_OK;
      }else if( iCur<0 ){
        for(i=0; rc==SQLITE_OK && i<g->nRev; i++){
          if( g->aRev[i].nParent==0 ) rc = migIdsPush(&up, i);
        }
      }else{
        for(i=0; rc==SQLITE_OK && i<g->aRev[iCur].nChild; i++){
          rc = migIdsPush(&up, g->aRev[iCur].aChild[i]);
        }
      }
      if( rc==SQLITE_OK && zBranch ){
        rc = migRmapFilter(p, up.a, up.n, zBranch, 0, &c);
        migIdsFree(&up);
      }else{
        c = up;
      }
    }else if( iCur!=MIG_BASE ){
      if( iCur<0 ){
        rc = rmHeads(g, 0, &c);
      }else{
        for(i=0; rc==SQLITE_OK && i<g->aRev[iCur].nParent; i++){
          rc = migIdsPush(&c, g->aRev[iCur].aParent[i]);
        }
        if( rc==SQLITE_OK && c.n==0 ) rc = migIdsPush(&c, MIG_BASE);
      }
    }
    if( rc==SQLITE_OK && c.n>1 ){
      rc = migRmapError(p, MIG_RERR_REVISION, 0, "Ambiguous walk");
    }
    if( rc!=SQLITE_OK || c.n==0 ){
      migIdsFree(&c);
      *piOut = MIG_NONE;
      return rc;
    }
    iCur = c.a[0];
    migIdsFree(&c);
  }
  *piOut = iCur;
  return rc;
}

/* True for the characters of Python's \w (bytes of UTF-8 text count). */
static int rmWord(char c){
  return (c>='a' && c<='z') || (c>='A' && c<='Z') || (c>='0' && c<='9')
      || c=='_' || (c & 0x80)!=0;
}

/* Match "(\w+)?([+-]\d+)" at the start of z into pRel. */
static int rmRelTail(const char *z, MigRel *pRel){
  int nSym = 0, nDigit = 0;
  sqlite3_int64 v = 0;
  while( rmWord(z[nSym]) ) nSym++;
  if( z[nSym]!='+' && z[nSym]!='-' ) return 0;
  while( z[nSym+1+nDigit]>='0' && z[nSym+1+nDigit]<='9' ){
    if( v<1000000000 ) v = v*10 + (z[nSym+1+nDigit]-'0');
    nDigit++;
  }
  if( nDigit==0 ) return 0;
  pRel->nSym = nSym;
  pRel->zSym = z;
  pRel->nRel = (int)(z[nSym]=='-' ? -v : v);
  sqlite3_snprintf(sizeof(pRel->zRel), pRel->zRel, "%.*s",
                   nDigit+1<20 ? nDigit+1 : 20, z+nSym);
  return 1;
}

/*
** Alembic's _relative_destination.match(zTarget): true if zTarget is
** relative, with pRel giving the label (zTarget[0..nLabel-1], nLabel 0:
** none), the symbol (nSym 0: none) and the signed steps.
*/
int migRmapParseRel(const char *zTarget, MigRel *pRel){
  int k;
  memset(pRel, 0, sizeof(*pRel));
  for(k=1; zTarget[0] && zTarget[k]; k++){
    if( zTarget[k]=='@' && rmRelTail(zTarget+k+1, pRel) ){
      pRel->nLabel = k;
      return 1;
    }
  }
  return rmRelTail(zTarget, pRel);
}

/*
** The text an Alembic command prints for the recorded error (Alembic's
** _catch_revision_errors): zEnd is the destination as given (NULL: the
** error's own argument), zRange the "Destination %s is not ..." text of a
** range error, zHeads the text of a multiple-heads error (NULL: the
** usual one). sqlite3_free the result.
*/
char *migRmapMessage(MigRmap *p, const char *zEnd, const char *zRange,
                     const char *zHeads){
  switch( p->eErr ){
    case MIG_RERR_RESOLUTION:
      return sqlite3_mprintf("Can't locate revision identified by '%s'",
                             p->zArg);
    case MIG_RERR_HEADS: {
      const char *zArg = zEnd ? zEnd : p->zArg;
      if( zHeads ) return sqlite3_mprintf("%s", zHeads);
      return sqlite3_mprintf("Multiple head revisions are present for given "
          "argument '%s'; please specify a specific target revision, "
          "'<branchname>@%s' to narrow to a specific head, or 'heads' for "
          "all heads", zArg, zArg);
    }
    case MIG_RERR_RANGE:
      return sqlite3_mprintf("%s", zRange ? zRange : "Requested range does "
                             "not refer to ancestor/descendant revisions "
                             "along the same branch");
    default:
      return sqlite3_mprintf("%s", p->zMsg ? p->zMsg : "out of memory");
  }
}

/*
** Alembic's get_revisions(zTarget) at command level (show, history
** ranges, merge parents): *paOut and *pnOut the revisions (none: base;
** sqlite3_free), or an error in *pzErr with Alembic's text.
*/
int migGraphRevisions(MigGraph *g, const char *zTarget, int **paOut,
                      int *pnOut, char **pzErr){
  MigRmap m;
  MigIds l = {0, 0}, out = {0, 0};
  int rc, i;
  memset(&m, 0, sizeof(m));
  m.g = g;
  rc = migRmapRevisions(&m, zTarget, &l);
  for(i=0; rc==SQLITE_OK && i<l.n; i++){
    if( l.a[i]>=0 && !migIdsHas(&out, l.a[i]) ) rc = migIdsPush(&out, l.a[i]);
  }
  migIdsFree(&l);
  if( rc==SQLITE_OK ){
    *paOut = out.a;
    *pnOut = out.n;
  }else{
    migIdsFree(&out);
    *pzErr = rc==SQLITE_NOMEM ? sqlite3_mprintf("out of memory")
                              : migRmapMessage(&m, zTarget, 0, 0);
  }
  migRmapClear(&m);
  return rc;
}
