/*
** dqlite.c: a client for dqlite clusters over TCP, in dqlite's wire
** protocol version 1 (interface and usage in dqlite.h).
**
** The protocol, as this file uses it: after connecting, the client sends
** one word (8 bytes, little endian) holding the protocol version. Then
** each request and each response is a message: an 8-byte header (body
** size in words as uint32, type code, schema version, two unused bytes)
** and a body of whole words. Body fields are uint64 words, uint32 pairs,
** and text: zero-terminated UTF-8 padded with zeros to a word boundary.
**
**   request               body                      response
**   LEADER (0)            unused u64                NODE (1): id, address
**   CLIENT (1)            client id u64             WELCOME (2)
**   OPEN (3)              name, flags u64, vfs      DB (4): id u32, pad
**   EXEC_SQL (8)          db id u64, sql text       RESULT (6)
**   QUERY_SQL (9)         db id u64, sql text       ROWS (7), maybe more
**   INTERRUPT (10)        db id u64                 EMPTY (8)
**   CLUSTER (16)          format u64 (1)            NODES (3)
**   any                                             FAILURE (0): code, text
**
** ROWS: column count u64, the column names (text), then rows. A row is a
** header of 4-bit type codes (two per byte, padded to a word) followed by
** one value per column: integer (1) and float (2) one word each, text (3)
** and ISO-8601 (10) as text, blob (4) a length word and bytes padded to a
** word, null (5) a zero word, unix time (9) and boolean (11) one word.
** After the last row a marker word: all 0xff when the result is complete,
** all 0xee when another ROWS message follows (without a new request).
** Neither marker's first byte can start a row header (no type 0xe, 0xf).
**
** Leader lookup (as go-dqlite does it): ask any node LEADER; a node that
** names itself is the leader, so register (CLIENT) and OPEN there;
** otherwise follow the address it names once; a node that knows no
** leader (an election is running) is skipped, and the whole list is
** retried until the deadline.
**
** Every socket is non-blocking and every wait goes through poll() with
** what is left of a deadline, so no call blocks past its bound. Writes
** use MSG_NOSIGNAL: a peer that died gives an error, not SIGPIPE.
*/
#include "dqlite.h"
#include "sql_int.h"
#include <string.h>
#include <errno.h>
#include <unistd.h>
#include <fcntl.h>
#include <poll.h>
#include <time.h>
#include <netdb.h>
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#define DQ_VERSION        1    /* Wire protocol version sent at setup */

/* Request types */
#define DQ_REQ_LEADER     0
#define DQ_REQ_CLIENT     1
#define DQ_REQ_OPEN       3
#define DQ_REQ_EXEC_SQL   8
#define DQ_REQ_QUERY_SQL  9
#define DQ_REQ_INTERRUPT 10
#define DQ_REQ_CLUSTER   16

/* Response types */
#define DQ_RES_FAILURE    0
#define DQ_RES_NODE       1
#define DQ_RES_WELCOME    2
#define DQ_RES_NODES      3
#define DQ_RES_DB         4
#define DQ_RES_RESULT     6
#define DQ_RES_ROWS       7
#define DQ_RES_EMPTY      8

/* Value type codes in a row */
#define DQ_INTEGER        1
#define DQ_FLOAT          2
#define DQ_TEXT           3
#define DQ_BLOB           4
#define DQ_NULL           5
#define DQ_UNIXTIME       9
#define DQ_ISO8601       10
#define DQ_BOOLEAN       11

/* dqlite's extended codes: the node is not (or no longer) the leader */
#define DQ_IOERR_NOT_LEADER        (SQLITE_IOERR | (40<<8))
#define DQ_IOERR_LEADERSHIP_LOST   (SQLITE_IOERR | (41<<8))

#define DQ_MAX_BODY  (256*1024*1024)  /* Largest response body accepted */
#define DQ_IO_MS     60000            /* Default bound on one request */
#define DQ_ATTEMPT_MS 3000            /* Bound on one node during connect */

/* A growable byte buffer. */
typedef struct DqBuf DqBuf;
struct DqBuf {
  unsigned char *a;            /* Bytes (sqlite3_malloc'd) */
  size_t n;                    /* Bytes used */
  size_t nAlloc;               /* Bytes allocated */
  int bOom;                    /* An allocation failed */
};

/* A cursor reading a received message body. */
typedef struct DqRd DqRd;
struct DqRd {
  const unsigned char *a;      /* Body */
  size_t n;                    /* Body size in bytes */
  size_t i;                    /* Read offset */
  int bBad;                    /* Read past the end, or malformed */
};

struct MigDq {
  int fd;                      /* Socket to the leader, or -1 */
  char *zLeader;               /* The leader's address */
  sqlite3_uint64 iDb;          /* Id of the open database */
  int msIo;                    /* Bound on one request, in ms */
  int bLost;                   /* The connection is unusable */
  DqBuf out;                   /* Request being sent */
  DqBuf in;                    /* Last response body received */
  int eType;                   /* Type of the last response */
};

/* ---- Time ---- */

/* Milliseconds of a monotonic clock. */
static sqlite3_int64 dqNow(void){
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (sqlite3_int64)ts.tv_sec*1000 + ts.tv_nsec/1000000;
}

/* Milliseconds left until iDeadline, at least 0. */
static int dqLeft(sqlite3_int64 iDeadline){
  sqlite3_int64 n = iDeadline - dqNow();
  return n<0 ? 0 : (n>0x7fffffff ? 0x7fffffff : (int)n);
}

/* ---- Encoding ---- */

/* Make room for n more bytes in p; 0 on success, 1 on OOM (p->bOom set). */
static int dqBufGrow(DqBuf *p, size_t n){
  if( p->bOom ) return 1;
  if( p->n + n > p->nAlloc ){
    size_t nNew = p->nAlloc ? p->nAlloc*2 : 256;
    unsigned char *aNew;
    while( nNew < p->n + n ) nNew *= 2;
    aNew = sqlite3_realloc64(p->a, nNew);
    if( aNew==0 ){ p->bOom = 1; return 1; }
    p->a = aNew;
    p->nAlloc = nNew;
  }
  return 0;
}

/* Append n bytes of a to p. */
static void dqBufAppend(DqBuf *p, const void *a, size_t n){
  if( n==0 || dqBufGrow(p, n) ) return;
  memcpy(p->a + p->n, a, n);
  p->n += n;
}

/* Append zero bytes to p up to the next word boundary. */
static void dqBufPad(DqBuf *p){
  static const unsigned char aZero[8] = {0};
  if( p->n % 8 ) dqBufAppend(p, aZero, 8 - p->n % 8);
}

/* Append v as a little-endian word. */
static void dqPutU64(DqBuf *p, sqlite3_uint64 v){
  unsigned char a[8];
  int i;
  for(i=0; i<8; i++){ a[i] = (unsigned char)(v >> (8*i)); }
  dqBufAppend(p, a, 8);
}

/* Append z as text: its bytes, a zero, zero padding to a word. */
static void dqPutText(DqBuf *p, const char *z){
  static const unsigned char aZero[1] = {0};
  dqBufAppend(p, z, strlen(z));
  dqBufAppend(p, aZero, 1);
  dqBufPad(p);
}

/* Start request eType in pDq->out: room for its header, filled later. */
static void dqBegin(MigDq *pDq, int eType){
  pDq->out.n = 0;
  pDq->out.bOom = 0;
  dqPutU64(&pDq->out, (sqlite3_uint64)eType << 32);
}

/* ---- Decoding ---- */

/* Read a little-endian word at p->i. */
static sqlite3_uint64 dqGetU64(DqRd *p){
  sqlite3_uint64 v = 0;
  int i;
  if( p->bBad || p->i + 8 > p->n ){ p->bBad = 1; return 0; }
  for(i=7; i>=0; i--){ v = (v<<8) | p->a[p->i+i]; }
  p->i += 8;
  return v;
}

/* Read a text field; returns a pointer into the body ("" when bad). */
static const char *dqGetText(DqRd *p){
  const unsigned char *z;
  size_t n;
  if( p->bBad || p->i >= p->n ){ p->bBad = 1; return ""; }
  z = p->a + p->i;
  z = memchr(z, 0, p->n - p->i);
  if( z==0 ){ p->bBad = 1; return ""; }
  n = (size_t)(z - (p->a + p->i)) + 1;
  z = p->a + p->i;
  p->i += (n + 7) / 8 * 8;
  if( p->i > p->n ) p->i = p->n;
  return (const char*)z;
}

/* Read a blob field: *pn bytes at the returned pointer into the body. */
static const unsigned char *dqGetBlob(DqRd *p, size_t *pn){
  sqlite3_uint64 n = dqGetU64(p);
  const unsigned char *a = p->a + p->i;
  if( p->bBad || n > p->n - p->i ){ p->bBad = 1; *pn = 0; return 0; }
  p->i += (size_t)((n + 7) / 8 * 8);
  if( p->i > p->n ) p->i = p->n;
  *pn = (size_t)n;
  return a;
}

/* ---- Sockets ---- */

/* Wait until fd is ready for events, or the deadline. 0: ready, else
** an errno value (ETIMEDOUT when the time is up). */
static int dqWait(int fd, short events, sqlite3_int64 iDeadline){
  for(;;){
    struct pollfd pfd;
    int rc;
    pfd.fd = fd;
    pfd.events = events;
    pfd.revents = 0;
    rc = poll(&pfd, 1, dqLeft(iDeadline));
    if( rc>0 ) return 0;
    if( rc==0 ) return ETIMEDOUT;
    if( errno!=EINTR ) return errno;
  }
}

/* Split "host:port" or "[v6]:port" into a host (sqlite3_malloc'd, in
** *pzHost) and a port string (pointer into zAddr). 0 on success. */
static int dqSplitAddr(const char *zAddr, char **pzHost, const char **pzPort){
  const char *zColon = strrchr(zAddr, ':');
  const char *zHost = zAddr;
  int nHost;
  if( zColon==0 || zColon[1]==0 ) return 1;
  nHost = (int)(zColon - zAddr);
  if( nHost>=2 && zAddr[0]=='[' && zAddr[nHost-1]==']' ){
    zHost++;
    nHost -= 2;
  }
  *pzHost = sqlite3_mprintf("%.*s", nHost, zHost);
  *pzPort = zColon+1;
  return *pzHost==0;
}

/*
** Open a TCP connection to zAddr ("host:port") within the deadline.
** Returns the non-blocking socket, or -1 with a message in *pzWhy.
*/
static int dqDial(const char *zAddr, sqlite3_int64 iDeadline, char **pzWhy){
  char *zHost = 0;
  const char *zPort = 0;
  struct addrinfo hints, *pList = 0, *pAi;
  int fd = -1;
  int e = 0;
  if( dqSplitAddr(zAddr, &zHost, &zPort) ){
    migErrorf(pzWhy, 0, "%s: not HOST:PORT", zAddr);
    sqlite3_free(zHost);
    return -1;
  }
  memset(&hints, 0, sizeof(hints));
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  e = getaddrinfo(zHost, zPort, &hints, &pList);
  sqlite3_free(zHost);
  if( e ){
    migErrorf(pzWhy, 0, "%s: %s", zAddr, gai_strerror(e));
    return -1;
  }
  for(pAi=pList; pAi && fd<0; pAi=pAi->ai_next){
    int one = 1;
    socklen_t nErr = sizeof(e);
    fd = socket(pAi->ai_family, pAi->ai_socktype, pAi->ai_protocol);
    if( fd<0 ){ e = errno; continue; }
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    fcntl(fd, F_SETFD, FD_CLOEXEC);
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    e = 0;
    if( connect(fd, pAi->ai_addr, pAi->ai_addrlen) ){
      e = errno;
      if( e==EINPROGRESS ){
        e = dqWait(fd, POLLOUT, iDeadline);
        if( e==0 && getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &nErr) ){
          e = errno;
        }
      }
    }
    if( e ){ close(fd); fd = -1; }
  }
  freeaddrinfo(pList);
  if( fd<0 ){
    migErrorf(pzWhy, 0, "%s: %s", zAddr,
              e==ETIMEDOUT ? "connection timed out" : strerror(e));
  }
  return fd;
}

/* Send n bytes of a on fd within the deadline. 0, or an errno value. */
static int dqSendAll(int fd, const unsigned char *a, size_t n,
                     sqlite3_int64 iDeadline){
  while( n>0 ){
    ssize_t k = send(fd, a, n, MSG_NOSIGNAL);
    if( k>0 ){ a += k; n -= (size_t)k; continue; }
    if( k<0 && errno==EINTR ) continue;
    if( k<0 && (errno==EAGAIN || errno==EWOULDBLOCK) ){
      int e = dqWait(fd, POLLOUT, iDeadline);
      if( e ) return e;
      continue;
    }
    return k<0 ? errno : EPIPE;
  }
  return 0;
}

/* Receive exactly n bytes into a within the deadline. 0, or an errno
** value (ECONNRESET when the peer closed the connection). */
static int dqRecvAll(int fd, unsigned char *a, size_t n,
                     sqlite3_int64 iDeadline){
  while( n>0 ){
    ssize_t k = recv(fd, a, n, 0);
    if( k>0 ){ a += k; n -= (size_t)k; continue; }
    if( k==0 ) return ECONNRESET;
    if( errno==EINTR ) continue;
    if( errno==EAGAIN || errno==EWOULDBLOCK ){
      int e = dqWait(fd, POLLIN, iDeadline);
      if( e ) return e;
      continue;
    }
    return errno;
  }
  return 0;
}

/* ---- Messages ---- */

/* Mark the connection lost; message naming the leader and the reason. */
static int dqLost(MigDq *pDq, int e, char **pzErr){
  pDq->bLost = 1;
  if( pDq->fd>=0 ){ close(pDq->fd); pDq->fd = -1; }
  return migErrorf(pzErr, SQLITE_IOERR, "dqlite connection to %s lost: %s",
      pDq->zLeader ? pDq->zLeader : "?",
      e==ETIMEDOUT ? "no reply in time" : strerror(e));
}

/* Send the request built in pDq->out, its header filled in here. */
static int dqSend(MigDq *pDq, sqlite3_int64 iDeadline, char **pzErr){
  sqlite3_uint64 nWord;
  int e;
  if( pDq->out.bOom ) return SQLITE_NOMEM;
  nWord = (pDq->out.n - 8) / 8;
  pDq->out.a[0] = (unsigned char)nWord;
  pDq->out.a[1] = (unsigned char)(nWord >> 8);
  pDq->out.a[2] = (unsigned char)(nWord >> 16);
  pDq->out.a[3] = (unsigned char)(nWord >> 24);
  e = dqSendAll(pDq->fd, pDq->out.a, pDq->out.n, iDeadline);
  return e ? dqLost(pDq, e, pzErr) : SQLITE_OK;
}

/* Receive one response into pDq->in and pDq->eType. */
static int dqRecv(MigDq *pDq, sqlite3_int64 iDeadline, char **pzErr){
  unsigned char aHdr[8];
  size_t nBody;
  int e = dqRecvAll(pDq->fd, aHdr, 8, iDeadline);
  if( e ) return dqLost(pDq, e, pzErr);
  nBody = 8 * (size_t)(aHdr[0] | aHdr[1]<<8 | aHdr[2]<<16
                       | (sqlite3_uint64)aHdr[3]<<24);
  if( nBody > DQ_MAX_BODY ){
    pDq->bLost = 1;
    close(pDq->fd); pDq->fd = -1;
    return migErrorf(pzErr, SQLITE_IOERR,
                     "dqlite response from %s too large (%lld bytes)",
                     pDq->zLeader, (sqlite3_int64)nBody);
  }
  pDq->eType = aHdr[4];
  pDq->in.n = 0;
  if( dqBufGrow(&pDq->in, nBody+1) ){
    pDq->in.bOom = 0;
    dqLost(pDq, ENOMEM, 0);
    return SQLITE_NOMEM;
  }
  e = dqRecvAll(pDq->fd, pDq->in.a, nBody, iDeadline);
  if( e ) return dqLost(pDq, e, pzErr);
  pDq->in.n = nBody;
  pDq->in.a[nBody] = 0;
  return SQLITE_OK;
}

/* A reader over the last response body. */
static void dqReader(MigDq *pDq, DqRd *pRd){
  pRd->a = pDq->in.a;
  pRd->n = pDq->in.n;
  pRd->i = 0;
  pRd->bBad = 0;
}

/*
** The last response is a FAILURE or of an unexpected type: turn it into
** a result code and *pzErr. Not-leader codes become SQLITE_BUSY; others
** are the server's primary code (SQLITE_BUSY stays busy; SQLITE_IOERR,
** e.g. "disk I/O error", is reported as IOERR: treat the outcome as
** unknown), SQLITE_ERROR for a code that is not an error.
*/
static int dqFailure(MigDq *pDq, int eWant, char **pzErr){
  DqRd rd;
  int iCode, rc;
  const char *zMsg;
  if( pDq->eType!=DQ_RES_FAILURE ){
    pDq->bLost = 1;
    close(pDq->fd); pDq->fd = -1;
    return migErrorf(pzErr, SQLITE_IOERR,
                     "dqlite protocol error from %s: response type %d, "
                     "expected %d", pDq->zLeader, pDq->eType, eWant);
  }
  dqReader(pDq, &rd);
  iCode = (int)dqGetU64(&rd);
  zMsg = dqGetText(&rd);
  if( iCode==DQ_IOERR_NOT_LEADER || iCode==DQ_IOERR_LEADERSHIP_LOST ){
    rc = SQLITE_BUSY;
  }else{
    rc = iCode & 0xff;
    /* "another row available" comes as SQLITE_ROW: still a failure */
    if( rc==SQLITE_OK || rc==SQLITE_ROW || rc==SQLITE_DONE ) rc = SQLITE_ERROR;
  }
  return migErrorf(pzErr, rc, "%s", zMsg[0] ? zMsg : sqlite3_errstr(rc));
}

/* Send the request in pDq->out and receive a response of type eWant. */
static int dqCall(MigDq *pDq, int eWant, sqlite3_int64 iDeadline,
                  char **pzErr){
  int rc;
  if( pDq->bLost ){
    return migErrorf(pzErr, SQLITE_IOERR, "dqlite connection to %s lost",
                     pDq->zLeader ? pDq->zLeader : "?");
  }
  rc = dqSend(pDq, iDeadline, pzErr);
  if( rc==SQLITE_OK ) rc = dqRecv(pDq, iDeadline, pzErr);
  if( rc==SQLITE_OK && pDq->eType!=eWant ) rc = dqFailure(pDq, eWant, pzErr);
  return rc;
}

/* ---- Connecting ---- */

/* Free a handle's buffers and socket (not the struct). */
static void dqReset(MigDq *pDq){
  if( pDq->fd>=0 ) close(pDq->fd);
  pDq->fd = -1;
  sqlite3_free(pDq->zLeader);
  pDq->zLeader = 0;
}

/*
** Connect pDq to zAddr, send the version and ask LEADER. Returns 0 when
** zAddr is the leader (pDq->fd open), else -1 with pDq->fd closed and
** *pzNext set to the leader the node named (sqlite3_malloc'd, or 0 when
** it knows none) or *pzWhy to why the node could not be asked.
*/
static int dqAskLeader(MigDq *pDq, const char *zAddr, sqlite3_int64 iDeadline,
                       char **pzNext, char **pzWhy){
  unsigned char aVer[8] = {DQ_VERSION, 0, 0, 0, 0, 0, 0, 0};
  DqRd rd;
  const char *zLeader;
  int e;
  dqReset(pDq);
  pDq->bLost = 0;
  pDq->zLeader = sqlite3_mprintf("%s", zAddr);
  if( pDq->zLeader==0 ) return -1;
  pDq->fd = dqDial(zAddr, iDeadline, pzWhy);
  if( pDq->fd<0 ) return -1;
  e = dqSendAll(pDq->fd, aVer, 8, iDeadline);
  if( e ){
    migErrorf(pzWhy, 0, "%s: %s", zAddr, strerror(e));
    dqReset(pDq);
    return -1;
  }
  dqBegin(pDq, DQ_REQ_LEADER);
  dqPutU64(&pDq->out, 0);
  if( dqCall(pDq, DQ_RES_NODE, iDeadline, pzWhy) ){
    dqReset(pDq);
    return -1;
  }
  dqReader(pDq, &rd);
  dqGetU64(&rd);
  zLeader = dqGetText(&rd);
  if( rd.bBad==0 && strcmp(zLeader, zAddr)==0 ) return 0;
  if( rd.bBad==0 && zLeader[0] ){
    *pzNext = sqlite3_mprintf("%s", zLeader);
  }else{
    migErrorf(pzWhy, 0, "%s: no leader known", zAddr);
  }
  dqReset(pDq);
  return -1;
}

/* On the leader: register as a client and open database zDb. */
static int dqOpenDb(MigDq *pDq, const char *zDb, sqlite3_int64 iDeadline,
                    char **pzWhy){
  DqRd rd;
  int rc;
  dqBegin(pDq, DQ_REQ_CLIENT);
  dqPutU64(&pDq->out, 0);
  rc = dqCall(pDq, DQ_RES_WELCOME, iDeadline, pzWhy);
  if( rc==SQLITE_OK ){
    dqBegin(pDq, DQ_REQ_OPEN);
    dqPutText(&pDq->out, zDb);
    dqPutU64(&pDq->out, 0);
    dqPutText(&pDq->out, "volatile");
    rc = dqCall(pDq, DQ_RES_DB, iDeadline, pzWhy);
  }
  if( rc==SQLITE_OK ){
    dqReader(pDq, &rd);
    pDq->iDb = dqGetU64(&rd) & 0xffffffff;
  }
  return rc;
}

/*
** One pass over the address list: 0 when pDq is connected to the leader
** with zDb open, else -1 with the last reason in *pzWhy.
*/
static int dqConnectPass(MigDq *pDq, const char *zAddrs, const char *zDb,
                         sqlite3_int64 iDeadline, char **pzWhy){
  const char *z = zAddrs;
  const char *zItem;
  int n;
  while( (zItem = migListNext(&z, &n))!=0 && dqLeft(iDeadline)>0 ){
    char *zAddr = sqlite3_mprintf("%.*s", n, zItem);
    char *zNext = 0;
    sqlite3_int64 iStop = dqNow() + DQ_ATTEMPT_MS;
    int bOk;
    if( zAddr==0 ) return -1;
    if( iStop > iDeadline ) iStop = iDeadline;
    bOk = dqAskLeader(pDq, zAddr, iStop, &zNext, pzWhy)==0;
    if( !bOk && zNext ){
      char *zNext2 = 0;
      iStop = dqNow() + DQ_ATTEMPT_MS;
      if( iStop > iDeadline ) iStop = iDeadline;
      bOk = dqAskLeader(pDq, zNext, iStop, &zNext2, pzWhy)==0;
      if( zNext2 ){
        migErrorf(pzWhy, 0, "%s: names %s as leader, which names %s",
                  zAddr, zNext, zNext2);
        sqlite3_free(zNext2);
      }
    }
    sqlite3_free(zAddr);
    sqlite3_free(zNext);
    if( bOk && dqOpenDb(pDq, zDb, iStop, pzWhy)==SQLITE_OK ) return 0;
    dqReset(pDq);
  }
  return -1;
}

int migDqConnect(const char *zAddrs, const char *zDb, int msTimeout,
                 MigDq **ppDq, char **pzErr){
  sqlite3_int64 iDeadline = dqNow() + (msTimeout>0 ? msTimeout : 0);
  MigDq *pDq;
  char *zWhy = 0;
  *ppDq = 0;
  pDq = sqlite3_malloc(sizeof(*pDq));
  if( pDq==0 ) return SQLITE_NOMEM;
  memset(pDq, 0, sizeof(*pDq));
  pDq->fd = -1;
  pDq->msIo = msTimeout>DQ_IO_MS ? msTimeout : DQ_IO_MS;
  for(;;){
    if( dqConnectPass(pDq, zAddrs, zDb, iDeadline, &zWhy)==0 ){
      sqlite3_free(zWhy);
      *ppDq = pDq;
      return SQLITE_OK;
    }
    if( dqLeft(iDeadline)==0 ) break;
    /* No leader yet: pause a little before the next pass. */
    {
      int ms = dqLeft(iDeadline);
      poll(0, 0, ms<200 ? ms : 200);
    }
  }
  migErrorf(pzErr, SQLITE_CANTOPEN,
            "cannot reach the leader of dqlite cluster %s within %d ms%s%s",
            zAddrs, msTimeout, zWhy ? ": " : "", zWhy ? zWhy : "");
  sqlite3_free(zWhy);
  migDqClose(pDq);
  return SQLITE_CANTOPEN;
}

/* ---- Statements ---- */

int migDqExec(MigDq *pDq, const char *zSql, char **pzErr){
  dqBegin(pDq, DQ_REQ_EXEC_SQL);
  dqPutU64(&pDq->out, pDq->iDb);
  dqPutText(&pDq->out, zSql);
  return dqCall(pDq, DQ_RES_RESULT, dqNow() + pDq->msIo, pzErr);
}

/*
** Decode one row at pRd (nCol values of the types in its header) into
** azVal, numbers and blobs copied into pScratch. Returns SQLITE_OK or
** SQLITE_NOMEM/SQLITE_IOERR (malformed).
*/
static int dqDecodeRow(DqRd *pRd, int nCol, char **azVal, DqBuf *pScratch){
  size_t nHdr = ((size_t)nCol*4 + 63) / 64 * 8;
  const unsigned char *aHdr = pRd->a + pRd->i;
  size_t *aOff;                /* Offsets into pScratch, (size_t)-1: none */
  int i;
  if( pRd->i + nHdr > pRd->n ) return SQLITE_IOERR;
  pRd->i += nHdr;
  pScratch->n = 0;
  if( dqBufGrow(pScratch, nCol*sizeof(size_t)) ) return SQLITE_NOMEM;
  pScratch->n = nCol*sizeof(size_t);
  for(i=0; i<nCol; i++){
    int eType = (aHdr[i/2] >> ((i%2)*4)) & 0x0f;
    char zNum[40];
    const char *zText = 0;
    size_t n;
    const unsigned char *aBlob;
    zNum[0] = 0;
    ((size_t*)pScratch->a)[i] = (size_t)-1;
    azVal[i] = 0;
    switch( eType ){
      case DQ_INTEGER: case DQ_UNIXTIME: case DQ_BOOLEAN:
        sqlite3_snprintf(sizeof(zNum), zNum, "%lld",
                         (sqlite3_int64)dqGetU64(pRd));
        break;
      case DQ_FLOAT: {
        sqlite3_uint64 u = dqGetU64(pRd);
        double r;
        memcpy(&r, &u, 8);
        sqlite3_snprintf(sizeof(zNum), zNum, "%!.15g", r);
        break;
      }
      case DQ_TEXT: case DQ_ISO8601:
        zText = dqGetText(pRd);
        azVal[i] = (char*)zText;
        break;
      case DQ_BLOB:
        aBlob = dqGetBlob(pRd, &n);
        if( aBlob==0 ) return SQLITE_IOERR;
        aOff = (size_t*)pScratch->a;
        aOff[i] = pScratch->n;
        dqBufAppend(pScratch, aBlob, n);
        dqBufAppend(pScratch, "", 1);
        break;
      case DQ_NULL:
        dqGetU64(pRd);
        break;
      default:
        return SQLITE_IOERR;
    }
    if( zNum[0] ){
      aOff = (size_t*)pScratch->a;
      aOff[i] = pScratch->n;
      dqBufAppend(pScratch, zNum, strlen(zNum)+1);
    }
    if( pScratch->bOom ) return SQLITE_NOMEM;
  }
  if( pRd->bBad ) return SQLITE_IOERR;
  /* The scratch buffer no longer moves: turn offsets into pointers. */
  for(i=0; i<nCol; i++){
    size_t iOff = ((size_t*)pScratch->a)[i];
    if( iOff!=(size_t)-1 ) azVal[i] = (char*)pScratch->a + iOff;
  }
  return SQLITE_OK;
}

/*
** The query was stopped with more batches to come: ask the server to
** interrupt it and read up to its EMPTY reply.
*/
static int dqInterrupt(MigDq *pDq, sqlite3_int64 iDeadline, char **pzErr){
  int rc;
  dqBegin(pDq, DQ_REQ_INTERRUPT);
  dqPutU64(&pDq->out, pDq->iDb);
  rc = dqSend(pDq, iDeadline, pzErr);
  while( rc==SQLITE_OK ){
    rc = dqRecv(pDq, iDeadline, pzErr);
    if( rc || pDq->eType==DQ_RES_EMPTY ) break;
    if( pDq->eType==DQ_RES_FAILURE ){ rc = dqFailure(pDq, 0, pzErr); break; }
  }
  return rc;
}

/*
** Read the rows of the ROWS response in pDq->in and those that follow,
** calling xRow for each. Returns SQLITE_OK, SQLITE_ABORT (xRow stopped),
** or an error.
*/
static int dqReadRows(MigDq *pDq, int (*xRow)(void*,int,char**,char**),
                      void *pArg, sqlite3_int64 iDeadline, char **pzErr){
  DqBuf scratch;
  char **azCol = 0;            /* nCol names, then nCol values */
  int rc = SQLITE_OK;
  int bMore = 1;
  memset(&scratch, 0, sizeof(scratch));
  while( rc==SQLITE_OK && bMore ){
    DqRd rd;
    int nCol, i;
    dqReader(pDq, &rd);
    nCol = (int)dqGetU64(&rd);
    if( nCol<=0 || nCol>100000 ){ rc = SQLITE_IOERR; break; }
    sqlite3_free(azCol);
    azCol = sqlite3_malloc64(sizeof(char*)*2*nCol);
    if( azCol==0 ){ rc = SQLITE_NOMEM; break; }
    for(i=0; i<nCol; i++) azCol[i] = (char*)dqGetText(&rd);
    for(;;){
      unsigned char c;
      if( rd.bBad || rd.i + 8 > rd.n ){ rc = SQLITE_IOERR; break; }
      c = rd.a[rd.i];
      if( c==0xff || c==0xee ){ bMore = c==0xee; break; }
      rc = dqDecodeRow(&rd, nCol, azCol+nCol, &scratch);
      if( rc ) break;
      if( xRow && xRow(pArg, nCol, azCol+nCol, azCol) ){
        rc = SQLITE_ABORT;
        break;
      }
    }
    if( rc==SQLITE_OK && bMore ){
      rc = dqRecv(pDq, iDeadline, pzErr);
      if( rc==SQLITE_OK && pDq->eType!=DQ_RES_ROWS ){
        rc = dqFailure(pDq, DQ_RES_ROWS, pzErr);
        bMore = 0;
      }
    }
  }
  if( rc==SQLITE_ABORT ){
    migErrorf(pzErr, SQLITE_ABORT, "query aborted");
    if( bMore && dqInterrupt(pDq, iDeadline, pzErr) ) rc = SQLITE_IOERR;
  }else if( rc==SQLITE_IOERR && pDq->bLost==0 ){
    dqLost(pDq, EPROTO, pzErr);
  }else if( rc==SQLITE_NOMEM ){
    dqLost(pDq, ENOMEM, 0);
  }
  sqlite3_free(azCol);
  sqlite3_free(scratch.a);
  return rc;
}

/*
** 1 when the first statement of zSql has a RETURNING clause (the word as
** a token, not inside a string, quoted name or comment). dqlite 1.11
** runs such a write as a query outside replication: outside a
** transaction the leader then dies on its next write (an assertion in
** its VFS, seen with libdqlite0 1.11.1), so the client refuses it.
*/
static int dqHasReturning(const char *zSql){
  int i = 0;
  while( zSql[i] ){
    int eType;
    int n = migTokenLen(zSql+i, &eType);
    if( eType==MIG_TK_SEMI ) break;
    if( eType==MIG_TK_ID && n==9
     && sqlite3_strnicmp(zSql+i, "RETURNING", 9)==0 ){
      return 1;
    }
    i += n;
  }
  return 0;
}

int migDqQuery(MigDq *pDq, const char *zSql,
               int (*xRow)(void*,int,char**,char**), void *pArg,
               char **pzErr){
  sqlite3_int64 iDeadline = dqNow() + pDq->msIo;
  int rc;
  if( dqHasReturning(zSql) ){
    return migErrorf(pzErr, SQLITE_MISUSE, "refused to send to dqlite as a "
        "query: a statement with RETURNING (it can crash a dqlite 1.11 "
        "leader); run the write with exec and read with SELECT");
  }
  dqBegin(pDq, DQ_REQ_QUERY_SQL);
  dqPutU64(&pDq->out, pDq->iDb);
  dqPutText(&pDq->out, zSql);
  rc = dqCall(pDq, DQ_RES_ROWS, iDeadline, pzErr);
  if( rc==SQLITE_OK ) rc = dqReadRows(pDq, xRow, pArg, iDeadline, pzErr);
  return rc;
}

int migDqCluster(MigDq *pDq, char **pzOut, char **pzErr){
  static const char *azRole[] = { "voter", "standby", "spare" };
  sqlite3_str *pStr;
  DqRd rd;
  int rc, n, i;
  *pzOut = 0;
  dqBegin(pDq, DQ_REQ_CLUSTER);
  dqPutU64(&pDq->out, 1);
  rc = dqCall(pDq, DQ_RES_NODES, dqNow() + pDq->msIo, pzErr);
  if( rc ) return rc;
  dqReader(pDq, &rd);
  n = (int)dqGetU64(&rd);
  pStr = sqlite3_str_new(0);
  for(i=0; i<n && !rd.bBad; i++){
    sqlite3_uint64 iId = dqGetU64(&rd);
    const char *zAddr = dqGetText(&rd);
    sqlite3_uint64 iRole = dqGetU64(&rd);
    sqlite3_str_appendf(pStr, "%s%llx|%s|%s", i ? "\n" : "", iId, zAddr,
                        iRole<3 ? azRole[iRole] : "unknown");
  }
  *pzOut = sqlite3_str_finish(pStr);
  if( rd.bBad ){
    sqlite3_free(*pzOut);
    *pzOut = 0;
    return dqLost(pDq, EPROTO, pzErr);
  }
  return *pzOut ? SQLITE_OK : SQLITE_NOMEM;
}

const char *migDqLeader(MigDq *pDq){
  return pDq->zLeader;
}

void migDqSetTimeout(MigDq *pDq, int msTimeout){
  pDq->msIo = msTimeout>0 ? msTimeout : DQ_IO_MS;
}

void migDqClose(MigDq *pDq){
  if( pDq==0 ) return;
  dqReset(pDq);
  sqlite3_free(pDq->out.a);
  sqlite3_free(pDq->in.a);
  sqlite3_free(pDq);
}

/* ---- URLs ---- */

/* 1 when zAddr (n bytes) ends in ":PORT" with PORT 1..65535. */
static int dqAddrOk(const char *zAddr, int n){
  int i = n, iPort = 0;
  while( i>0 && zAddr[i-1]>='0' && zAddr[i-1]<='9' ) i--;
  if( i==n || n-i>5 || i<2 || zAddr[i-1]!=':' ) return 0;
  for(; i<n; i++) iPort = iPort*10 + zAddr[i]-'0';
  return iPort>=1 && iPort<=65535;
}

int migDqParseUrl(const char *zUrl, char **pzAddrs, char **pzDb,
                  char **pzErr){
  const char *zRest, *zSlash, *z, *zItem;
  int n, nAddr = 0;
  *pzAddrs = 0;
  *pzDb = 0;
  if( sqlite3_strnicmp(zUrl, "dqlite://", 9)!=0 ) goto bad;
  zRest = zUrl + 9;
  zSlash = strchr(zRest, '/');
  if( zSlash==0 || zSlash[1]==0 || strchr(zSlash+1, '/') ) goto bad;
  *pzAddrs = sqlite3_mprintf("%.*s", (int)(zSlash-zRest), zRest);
  if( *pzAddrs==0 ) return SQLITE_NOMEM;
  z = *pzAddrs;
  while( (zItem = migListNext(&z, &n))!=0 ){
    if( !dqAddrOk(zItem, n) ) goto bad;
    nAddr++;
  }
  if( nAddr==0 ) goto bad;
  *pzDb = sqlite3_mprintf("%s", zSlash+1);
  if( *pzDb==0 ){
    sqlite3_free(*pzAddrs);
    *pzAddrs = 0;
    return SQLITE_NOMEM;
  }
  return SQLITE_OK;
bad:
  sqlite3_free(*pzAddrs);
  *pzAddrs = 0;
  return migErrorf(pzErr, SQLITE_ERROR,
      "bad dqlite URL: %s (expected dqlite://HOST:PORT[,HOST:PORT...]/NAME)",
      zUrl);
}
