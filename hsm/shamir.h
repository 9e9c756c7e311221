/*
 * shamir.h — Shamir's secret sharing over GF(2^8).
 *
 * The field is GF(2)[x] / (x^8 + x^4 + x^3 + x + 1) (0x11b, the AES
 * field); a byte's bit i is the coefficient of x^i.  Each byte of the
 * secret is shared on its own: byte j of the secret is f_j(0) for a
 * polynomial f_j of degree m-1 whose other coefficients are random, and
 * share i holds f_j(i) for every j: its x-coordinate is its index i
 * (1..n), and its value has the secret's length and byte order.
 * manuals/offroot-share.5 states the same for other implementations.
 *
 * The arithmetic runs in constant time: no table lookups, no branches on
 * secret bytes (multiplication is shift-and-add with masks, inversion is
 * a^254 by a fixed chain).  The x-coordinates are public.
 */
#ifndef OFFROOT_SHAMIR_H
#define OFFROOT_SHAMIR_H

#include <stddef.h>

#define SHAMIR_MAX_SHARES	255

/* Splits secret (len bytes) into n shares, any m of which rebuild it
 * (1 <= m <= n <= 255).  Share i (x = i, 1..n) is written to
 * shares + (i-1)*len: shares must hold n*len bytes, in sodium_malloc
 * memory.  The random coefficients come from libsodium's randombytes and
 * are wiped.  OR_E_INPUT for bad m, n or len. */
int shamir_split(const unsigned char *secret, size_t len, unsigned m,
    unsigned n, unsigned char *shares);
/* shamir_split with the coefficients given (for test vectors): coef holds
 * (m-1)*len bytes, coefficient of x^k (k = 1..m-1) for secret byte j at
 * coef[(k-1)*len + j]. */
int shamir_split_coef(const unsigned char *secret, size_t len, unsigned m,
    unsigned n, const unsigned char *coef, unsigned char *shares);
/* Rebuilds the secret from k shares: xs[i] is share i's x-coordinate
 * (non-zero, all distinct: OR_E_INPUT otherwise), its value is
 * ys + i*len.  With fewer shares than the split's m the result is
 * unrelated to the secret: the caller checks it (offroot opens the sealed
 * key with it, which authenticates it). */
int shamir_combine(const unsigned char *xs, const unsigned char *ys,
    size_t k, size_t len, unsigned char *secret);

/* The field operations, for tests. */
unsigned char shamir_gf_mul(unsigned char a, unsigned char b);
unsigned char shamir_gf_inv(unsigned char a);

#endif
