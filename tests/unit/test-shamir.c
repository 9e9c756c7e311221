/*
 * test-shamir.c — Shamir sharing over GF(2^8) (hsm/shamir.c).
 *
 * The vectors were computed by an independent implementation (Python,
 * log/exp tables with generator 3 over 0x11b), from the secret bytes
 * 0x10..0x2f and the coefficients below: what manuals/offroot-share.5
 * promises another implementation can reproduce.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "err.h"
#include "shamir.h"
#include "tap.h"
#include "util.h"

struct vector {
	unsigned m, n;
	const char *coef;
	const char *share[5];
};

static const struct vector vectors[] = {
	{ 2, 3,
	  "178e95a30bf2246d90757ba43adde4de390513fbf9fab73ae9a3498ac3f1a776",
	  { "079f87b01fe7327a886c61bf26c0fac1192431d8dddf911dc18a63a1efdc8959",
	    "3e16234e02ea5ecd23f3ec4868bccdb8522b04cecdca5353e174b824b1d47bc3",
	    "2998b6ed09187aa0b38697ec526129666b2e17353430e46908d7f1ae7225dcb5",
	    NULL, NULL } },
	{ 3, 5,
	  "022466e56ce900e7e42a4e6536b23f607bd621ff1f3f153fe9bd3e2e0f755101"
	  "34ee4545b0a3cc80ad51d2bc65901fc60712e44044e5302bd9b4ef41ffd7d95d",
	  { "26db31b3c85fda70516286c24f3f3eb95ce5e79c7fff03331820fb44dc8fa673",
	    "c4ccd1cd3a660bf44912e317ff141ceacadedddd11e2ccf5a8aec768e3b6c542",
	    "f206f26de62cc79300697fceac363c4cb61a18624a38e9e198a7160713144d1e",
	    "75e3ad964a42627e9bd6b6a1ce200950a76f649e740b5f5d9e5ea0ef793d4e8c",
	    "43298e369608ae19d2ad2a789d0229f6dbaba1212fd17a49ae577180899fc6d0" } },
};

#define LEN	32

/* Every k-subset of 1..n, as bit masks. */
static int
popcount(unsigned v)
{
	int c = 0;

	for (; v != 0; v >>= 1)
		c += (int)(v & 1);
	return c;
}

static int
combine_mask(const unsigned char *shares, unsigned n, unsigned mask,
    unsigned char *out)
{
	unsigned char xs[16], ys[16 * LEN];
	size_t k = 0;
	unsigned i;
	int rc;

	for (i = 1; i <= n; i++)
		if (mask & (1u << (i - 1))) {
			xs[k] = (unsigned char)i;
			memcpy(ys + k * LEN, shares + (i - 1) * LEN, LEN);
			k++;
		}
	rc = shamir_combine(xs, ys, k, LEN, out);
	sodium_memzero(ys, sizeof ys);
	return rc;
}

static void
test_field(void)
{
	unsigned a, b, bad = 0, badinv = 0, badcomm = 0;

	/* FIPS-197 section 4.2: {57} . {83} = {c1}, {57} . {13} = {fe}. */
	is_int(shamir_gf_mul(0x57, 0x83), 0xc1, "{57}.{83} = {c1} (FIPS-197)");
	is_int(shamir_gf_mul(0x57, 0x13), 0xfe, "{57}.{13} = {fe} (FIPS-197)");
	is_int(shamir_gf_inv(0x53), 0xca, "{53}^-1 = {ca} (FIPS-197 5.1.1)");
	is_int(shamir_gf_inv(0), 0, "0 has no inverse and gives 0");
	for (a = 1; a < 256; a++) {
		if (shamir_gf_mul((unsigned char)a,
		    shamir_gf_inv((unsigned char)a)) != 1)
			badinv++;
		for (b = 0; b < 256; b++) {
			if (shamir_gf_mul((unsigned char)a, (unsigned char)b) !=
			    shamir_gf_mul((unsigned char)b, (unsigned char)a))
				badcomm++;
			/* distributive over XOR with a fixed c */
			if (shamir_gf_mul((unsigned char)a,
			    (unsigned char)(b ^ 0x35)) !=
			    (shamir_gf_mul((unsigned char)a, (unsigned char)b) ^
			    shamir_gf_mul((unsigned char)a, 0x35)))
				bad++;
		}
	}
	is_int(badinv, 0, "a . a^-1 = 1 for every non-zero a");
	is_int(badcomm, 0, "multiplication commutes");
	is_int(bad, 0, "multiplication distributes over addition");
}

static void
test_vectors(void)
{
	unsigned char secret[LEN], coef[4 * LEN], want[5 * LEN], got[5 * LEN];
	unsigned char out[LEN];
	size_t v, i;
	unsigned mask;
	int allm, under;

	for (i = 0; i < LEN; i++)
		secret[i] = (unsigned char)(0x10 + i);
	for (v = 0; v < sizeof vectors / sizeof vectors[0]; v++) {
		const struct vector *t = &vectors[v];

		if (hex_decode(t->coef, coef, (t->m - 1) * LEN) != OR_OK)
			abort();
		for (i = 0; i < t->n; i++)
			if (hex_decode(t->share[i], want + i * LEN, LEN) !=
			    OR_OK)
				abort();
		ok(shamir_split_coef(secret, LEN, t->m, t->n, coef, got) ==
		    OR_OK && memcmp(got, want, t->n * LEN) == 0,
		    "%u-of-%u: the shares match the reference vectors", t->m,
		    t->n);
		allm = under = 0;
		for (mask = 1; mask < (1u << t->n); mask++) {
			if (combine_mask(want, t->n, mask, out) != OR_OK)
				abort();
			if (popcount(mask) >= (int)t->m &&
			    memcmp(out, secret, LEN) != 0)
				allm++;
			if (popcount(mask) < (int)t->m &&
			    memcmp(out, secret, LEN) == 0)
				under++;
		}
		is_int(allm, 0, "every subset of m or more rebuilds the "
		    "secret");
		is_int(under, 0, "no subset of fewer than m rebuilds it");
	}
}

static void
test_random(void)
{
	unsigned char *secret, *shares, out[LEN];
	unsigned m, n, mask, bad = 0;
	int rounds;

	secret = sodium_malloc(LEN);
	shares = sodium_malloc(16 * LEN);
	if (secret == NULL || shares == NULL)
		abort();
	for (rounds = 0; rounds < 3; rounds++)
		for (n = 1; n <= 6; n++)
			for (m = 1; m <= n; m++) {
				randombytes_buf(secret, LEN);
				if (shamir_split(secret, LEN, m, n, shares) !=
				    OR_OK)
					abort();
				for (mask = 1; mask < (1u << n); mask++) {
					if (combine_mask(shares, n, mask, out)
					    != OR_OK)
						abort();
					if ((popcount(mask) >= (int)m) !=
					    (memcmp(out, secret, LEN) == 0))
						bad++;
				}
			}
	is_int(bad, 0, "random secrets, n up to 6: exactly the subsets of m "
	    "or more rebuild");

	/* 1-of-n: every share is the secret itself. */
	randombytes_buf(secret, LEN);
	shamir_split(secret, LEN, 1, 3, shares);
	ok(memcmp(shares, secret, LEN) == 0 &&
	    memcmp(shares + 2 * LEN, secret, LEN) == 0,
	    "1-of-n: each share is the secret (why offroot warns)");
	/* 16-of-16, the largest offroot makes. */
	randombytes_buf(secret, LEN);
	shamir_split(secret, LEN, 16, 16, shares);
	ok(combine_mask(shares, 16, 0xffff, out) == OR_OK &&
	    memcmp(out, secret, LEN) == 0, "16-of-16 rebuilds");
	ok(combine_mask(shares, 16, 0x7fff, out) == OR_OK &&
	    memcmp(out, secret, LEN) != 0, "15 of 16 do not");
	/* Two splits of one secret differ (fresh coefficients). */
	shamir_split(secret, LEN, 2, 2, shares);
	memcpy(out, shares, LEN);
	shamir_split(secret, LEN, 2, 2, shares);
	ok(memcmp(out, shares, LEN) != 0, "splitting again gives new shares");
	sodium_free(secret);
	sodium_free(shares);
}

static void
test_refusals(void)
{
	unsigned char s[LEN] = { 0 }, sh[3 * LEN], xs[2] = { 1, 1 };

	is_int(shamir_split(s, LEN, 0, 3, sh), OR_E_INPUT, "m = 0 refused");
	is_int(shamir_split(s, LEN, 4, 3, sh), OR_E_INPUT, "m > n refused");
	is_int(shamir_split(s, LEN, 2, 256, sh), OR_E_INPUT, "n > 255 refused");
	is_int(shamir_combine(xs, sh, 2, LEN, s), OR_E_INPUT,
	    "the same x twice is refused");
	xs[0] = 0;
	is_int(shamir_combine(xs, sh, 1, LEN, s), OR_E_INPUT,
	    "x = 0 is refused");
	err_clear();
}

int
main(void)
{
	if (sodium_init() < 0)
		return 1;
	test_field();
	test_vectors();
	test_random();
	test_refusals();
	return done_testing();
}
