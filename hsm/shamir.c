/*
 * shamir.c — Shamir's secret sharing over GF(2^8) (shamir.h).
 */
#include <stdint.h>
#include <string.h>

#include <sodium.h>

#include "err.h"
#include "shamir.h"

/*
 * a*b in GF(2^8) mod x^8 + x^4 + x^3 + x + 1.  Eight rounds whatever the
 * operands: each adds a or nothing through a mask, and reduces through a
 * mask; no branch and no memory access depends on a or b.
 */
unsigned char
shamir_gf_mul(unsigned char a, unsigned char b)
{
	unsigned r = 0, x = a, y = b;
	int i;

	for (i = 0; i < 8; i++) {
		r ^= x & (0u - (y & 1u));
		y >>= 1;
		x = ((x << 1) ^ (0x11bu & (0u - (x >> 7)))) & 0xffu;
	}
	return (unsigned char)r;
}

/* a^254 = a^-1 (0 for 0): a fixed chain of squarings and products. */
unsigned char
shamir_gf_inv(unsigned char a)
{
	unsigned char p = a, r = 1;
	int i;

	for (i = 0; i < 7; i++) {
		p = shamir_gf_mul(p, p);	/* a^(2^(i+1)) */
		r = shamir_gf_mul(r, p);
	}
	return r;		/* a^(2+4+...+128) = a^254 */
}

int
shamir_split_coef(const unsigned char *secret, size_t len, unsigned m,
    unsigned n, const unsigned char *coef, unsigned char *shares)
{
	unsigned char y;
	unsigned i, k;
	size_t j;

	if (m < 1 || m > n || n > SHAMIR_MAX_SHARES || len == 0)
		return err_set(OR_E_INPUT, "cannot split into %u-of-%u shares",
		    m, n);
	for (i = 1; i <= n; i++)
		for (j = 0; j < len; j++) {
			/* Horner: f(x) = (...(c[m-1] x + c[m-2]) x ...) x + s */
			y = 0;
			for (k = m - 1; k >= 1; k--)
				y = shamir_gf_mul(y, (unsigned char)i) ^
				    coef[(k - 1) * len + j];
			y = shamir_gf_mul(y, (unsigned char)i) ^ secret[j];
			shares[(i - 1) * len + j] = y;
		}
	return OR_OK;
}

int
shamir_split(const unsigned char *secret, size_t len, unsigned m, unsigned n,
    unsigned char *shares)
{
	unsigned char *coef = NULL;
	size_t clen;
	int rc;

	if (m < 1 || m > n || n > SHAMIR_MAX_SHARES || len == 0)
		return err_set(OR_E_INPUT, "cannot split into %u-of-%u shares",
		    m, n);
	clen = (size_t)(m - 1) * len;
	/* sodium_malloc(0) is valid; keep one byte so the pointer is real. */
	if ((coef = sodium_malloc(clen + 1)) == NULL)
		return err_set(OR_E_NOMEM, "out of memory");
	randombytes_buf(coef, clen);
	rc = shamir_split_coef(secret, len, m, n, coef, shares);
	sodium_free(coef);	/* wipes */
	return rc;
}

int
shamir_combine(const unsigned char *xs, const unsigned char *ys, size_t k,
    size_t len, unsigned char *secret)
{
	unsigned char l, num, den;
	size_t i, j;

	if (k == 0 || k > SHAMIR_MAX_SHARES || len == 0)
		return err_set(OR_E_INPUT, "cannot combine %zu shares", k);
	for (i = 0; i < k; i++) {
		if (xs[i] == 0)
			return err_set(OR_E_INPUT, "share x-coordinate 0");
		for (j = 0; j < i; j++)
			if (xs[i] == xs[j])
				return err_set(OR_E_INPUT, "share %u given "
				    "twice", xs[i]);
	}
	memset(secret, 0, len);
	for (i = 0; i < k; i++) {
		/* Lagrange basis at 0: prod over j != i of x_j / (x_j - x_i);
		 * subtraction is XOR.  Public values only. */
		num = 1;
		den = 1;
		for (j = 0; j < k; j++) {
			if (j == i)
				continue;
			num = shamir_gf_mul(num, xs[j]);
			den = shamir_gf_mul(den, xs[j] ^ xs[i]);
		}
		l = shamir_gf_mul(num, shamir_gf_inv(den));
		for (j = 0; j < len; j++)
			secret[j] ^= shamir_gf_mul(ys[i * len + j], l);
	}
	return OR_OK;
}
