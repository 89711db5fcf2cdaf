/*
** sha384.c: SHA-384 (FIPS 180-4), the checksum sqlx keeps for each
** migration in _sqlx_migrations.checksum.
**
**     unsigned char aHash[48];
**     migSha384(zData, nData, aHash);
**
** SHA-384 is SHA-512 with other initial values, cut to 48 bytes. Written
** from the standard; checked against sha384sum in the tests.
*/
#include "engine_int.h"
#include <string.h>

typedef sqlite3_uint64 u64;

/* The round constants: first 64 bits of the fractional parts of the
** cube roots of the first 80 primes. */
static const u64 aK[80] = {
  0x428a2f98d728ae22ULL, 0x7137449123ef65cdULL, 0xb5c0fbcfec4d3b2fULL,
  0xe9b5dba58189dbbcULL, 0x3956c25bf348b538ULL, 0x59f111f1b605d019ULL,
  0x923f82a4af194f9bULL, 0xab1c5ed5da6d8118ULL, 0xd807aa98a3030242ULL,
  0x12835b0145706fbeULL, 0x243185be4ee4b28cULL, 0x550c7dc3d5ffb4e2ULL,
  0x72be5d74f27b896fULL, 0x80deb1fe3b1696b1ULL, 0x9bdc06a725c71235ULL,
  0xc19bf174cf692694ULL, 0xe49b69c19ef14ad2ULL, 0xefbe4786384f25e3ULL,
  0x0fc19dc68b8cd5b5ULL, 0x240ca1cc77ac9c65ULL, 0x2de92c6f592b0275ULL,
  0x4a7484aa6ea6e483ULL, 0x5cb0a9dcbd41fbd4ULL, 0x76f988da831153b5ULL,
  0x983e5152ee66dfabULL, 0xa831c66d2db43210ULL, 0xb00327c898fb213fULL,
  0xbf597fc7beef0ee4ULL, 0xc6e00bf33da88fc2ULL, 0xd5a79147930aa725ULL,
  0x06ca6351e003826fULL, 0x142929670a0e6e70ULL, 0x27b70a8546d22ffcULL,
  0x2e1b21385c26c926ULL, 0x4d2c6dfc5ac42aedULL, 0x53380d139d95b3dfULL,
  0x650a73548baf63deULL, 0x766a0abb3c77b2a8ULL, 0x81c2c92e47edaee6ULL,
  0x92722c851482353bULL, 0xa2bfe8a14cf10364ULL, 0xa81a664bbc423001ULL,
  0xc24b8b70d0f89791ULL, 0xc76c51a30654be30ULL, 0xd192e819d6ef5218ULL,
  0xd69906245565a910ULL, 0xf40e35855771202aULL, 0x106aa07032bbd1b8ULL,
  0x19a4c116b8d2d0c8ULL, 0x1e376c085141ab53ULL, 0x2748774cdf8eeb99ULL,
  0x34b0bcb5e19b48a8ULL, 0x391c0cb3c5c95a63ULL, 0x4ed8aa4ae3418acbULL,
  0x5b9cca4f7763e373ULL, 0x682e6ff3d6b2b8a3ULL, 0x748f82ee5defb2fcULL,
  0x78a5636f43172f60ULL, 0x84c87814a1f0ab72ULL, 0x8cc702081a6439ecULL,
  0x90befffa23631e28ULL, 0xa4506cebde82bde9ULL, 0xbef9a3f7b2c67915ULL,
  0xc67178f2e372532bULL, 0xca273eceea26619cULL, 0xd186b8c721c0c207ULL,
  0xeada7dd6cde0eb1eULL, 0xf57d4f7fee6ed178ULL, 0x06f067aa72176fbaULL,
  0x0a637dc5a2c898a6ULL, 0x113f9804bef90daeULL, 0x1b710b35131c471bULL,
  0x28db77f523047d84ULL, 0x32caab7b40c72493ULL, 0x3c9ebe0a15c9bebcULL,
  0x431d67c49c100d4cULL, 0x4cc5d4becb3e42b6ULL, 0x597f299cfc657e2aULL,
  0x5fcb6fab3ad6faecULL, 0x6c44198c4a475817ULL
};

/* Rotate x right by n bits. */
#define ROTR(x,n) (((x)>>(n)) | ((x)<<(64-(n))))

/* Process one 128-byte block into the state aH. */
static void shaBlock(u64 *aH, const unsigned char *p){
  u64 w[80], a, b, c, d, e, f, g, h;
  int i;
  for(i=0; i<16; i++){
    int j;
    w[i] = 0;
    for(j=0; j<8; j++) w[i] = (w[i]<<8) | p[i*8+j];
  }
  for(i=16; i<80; i++){
    u64 s0 = ROTR(w[i-15],1) ^ ROTR(w[i-15],8) ^ (w[i-15]>>7);
    u64 s1 = ROTR(w[i-2],19) ^ ROTR(w[i-2],61) ^ (w[i-2]>>6);
    w[i] = w[i-16] + s0 + w[i-7] + s1;
  }
  a = aH[0]; b = aH[1]; c = aH[2]; d = aH[3];
  e = aH[4]; f = aH[5]; g = aH[6]; h = aH[7];
  for(i=0; i<80; i++){
    u64 S1 = ROTR(e,14) ^ ROTR(e,18) ^ ROTR(e,41);
    u64 ch = (e & f) ^ (~e & g);
    u64 t1 = h + S1 + ch + aK[i] + w[i];
    u64 S0 = ROTR(a,28) ^ ROTR(a,34) ^ ROTR(a,39);
    u64 maj = (a & b) ^ (a & c) ^ (b & c);
    u64 t2 = S0 + maj;
    h = g; g = f; f = e; e = d + t1;
    d = c; c = b; b = a; a = t1 + t2;
  }
  aH[0] += a; aH[1] += b; aH[2] += c; aH[3] += d;
  aH[4] += e; aH[5] += f; aH[6] += g; aH[7] += h;
}

/* The SHA-384 digest of z[0..n-1] into aOut[48]. */
void migSha384(const unsigned char *z, int n, unsigned char *aOut){
  u64 aH[8] = {
    0xcbbb9d5dc1059ed8ULL, 0x629a292a367cd507ULL, 0x9159015a3070dd17ULL,
    0x152fecd8f70e5939ULL, 0x67332667ffc00b31ULL, 0x8eb44a8768581511ULL,
    0xdb0c2e0d64f98fa7ULL, 0x47b5481dbefa4fa4ULL
  };
  unsigned char aBuf[256];
  int i, nTail, nPad;
  u64 nBit = (u64)n*8;
  for(i=0; i+128<=n; i+=128) shaBlock(aH, z+i);
  nTail = n-i;
  memset(aBuf, 0, sizeof(aBuf));
  memcpy(aBuf, z+i, nTail);
  aBuf[nTail] = 0x80;
  nPad = nTail+1+16<=128 ? 128 : 256;
  for(i=0; i<8; i++) aBuf[nPad-1-i] = (unsigned char)(nBit>>(8*i));
  shaBlock(aH, aBuf);
  if( nPad==256 ) shaBlock(aH, aBuf+128);
  for(i=0; i<48; i++) aOut[i] = (unsigned char)(aH[i/8]>>(56-8*(i%8)));
}
