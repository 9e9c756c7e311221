/*
 * crl-sort.c — revocation entries sorted by serial, then journal order
 * (crl-sort.h), in place: the order a CRL lists them in and revoke_db_find
 * searches.
 *
 * It sits beside the CRL encoder because a million-entry CRL is what it is
 * tuned for, but in a file of its own: the journal replay (revoke.c) sorts
 * with it, and crl.c reads that replay, so in crl.c it would make the two
 * depend on each other.  It depends on nothing but revoke.h's entry type.
 */
#include <stdint.h>
#include <string.h>

#include "crl-sort.h"

/* An in-place introsort: qsort would allocate a copy of the array, and
 * this array is the largest thing a million-entry CRL holds. */
static inline uint64_t
load_be64(const unsigned char *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof v);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	v = __builtin_bswap64(v);
#endif
	return v;
}

static inline uint32_t
load_be32(const unsigned char *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof v);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	v = __builtin_bswap32(v);
#endif
	return v;
}

/* By serial (20 big-endian bytes: three integer compares, no memcmp
 * call), then by journal order. */
static inline int
entry_cmp(const struct revoke_entry *a, const struct revoke_entry *b)
{
	uint64_t x = load_be64(a->serial), y = load_be64(b->serial);
	uint32_t u, v;

	if (x != y)
		return x < y ? -1 : 1;
	x = load_be64(a->serial + 8);
	y = load_be64(b->serial + 8);
	if (x != y)
		return x < y ? -1 : 1;
	u = load_be32(a->serial + 16);
	v = load_be32(b->serial + 16);
	if (u != v)
		return u < v ? -1 : 1;
	return (a->order > b->order) - (a->order < b->order);
}

static void
entry_swap(struct revoke_entry *a, struct revoke_entry *b)
{
	struct revoke_entry t = *a;

	*a = *b;
	*b = t;
}

static void
entry_sift(struct revoke_entry *e, size_t root, size_t n)
{
	size_t child;

	while ((child = 2 * root + 1) < n) {
		if (child + 1 < n && entry_cmp(&e[child], &e[child + 1]) < 0)
			child++;
		if (entry_cmp(&e[root], &e[child]) >= 0)
			return;
		entry_swap(&e[root], &e[child]);
		root = child;
	}
}

static void
entry_heapsort(struct revoke_entry *e, size_t n)
{
	size_t i;

	for (i = n / 2; i-- > 0;)
		entry_sift(e, i, n);
	for (i = n; i-- > 1;) {
		entry_swap(&e[0], &e[i]);
		entry_sift(e, 0, i);
	}
}

static void
entry_sort_rec(struct revoke_entry *e, size_t n, int depth)
{
	struct revoke_entry pivot;
	size_t i, j, mid;

	while (n > 16) {
		if (depth-- == 0) {
			entry_heapsort(e, n);
			return;
		}
		mid = n / 2;
		if (entry_cmp(&e[mid], &e[0]) < 0)
			entry_swap(&e[mid], &e[0]);
		if (entry_cmp(&e[n - 1], &e[0]) < 0)
			entry_swap(&e[n - 1], &e[0]);
		if (entry_cmp(&e[n - 1], &e[mid]) < 0)
			entry_swap(&e[n - 1], &e[mid]);
		pivot = e[mid];
		i = 0;
		j = n - 1;
		for (;;) {
			while (entry_cmp(&e[i], &pivot) < 0)
				i++;
			while (entry_cmp(&pivot, &e[j]) < 0)
				j--;
			if (i >= j)
				break;
			entry_swap(&e[i], &e[j]);
			i++;
			j--;
		}
		/* e[0..j] <= pivot <= e[j+1..n); recurse on the smaller. */
		if (j + 1 < n - j - 1) {
			entry_sort_rec(e, j + 1, depth);
			e += j + 1;
			n -= j + 1;
		} else {
			entry_sort_rec(e + j + 1, n - j - 1, depth);
			n = j + 1;
		}
	}
	for (i = 1; i < n; i++)
		for (j = i; j > 0 && entry_cmp(&e[j], &e[j - 1]) < 0; j--)
			entry_swap(&e[j], &e[j - 1]);
}

static void
entry_introsort(struct revoke_entry *e, size_t n)
{
	int depth = 0;
	size_t m;

	for (m = n; m > 1; m >>= 1)
		depth += 2;
	entry_sort_rec(e, n, depth);
}

/*
 * Most significant byte first, in place (American flag sort): serials are
 * fixed-width big-endian keys, so each of at most 20 levels moves every
 * entry once, with no comparisons.  Levels where every serial has the
 * same byte are skipped (small sequential serials have 17 leading zero
 * bytes); buckets of a few entries, and a group of entries for one serial
 * (ordered by journal order), go to the comparison sort.
 */
#define ENTRY_RADIX_SMALL	48

/* Eight bytes of a serial from byte d on, as one number (zeros past the
 * end). */
static inline uint64_t
entry_key(const struct revoke_entry *e, size_t d)
{
	unsigned char b[8] = { 0 };

	if (d + 8 <= SERIAL_MAX)
		return load_be64(e->serial + d);
	memcpy(b, e->serial + d, SERIAL_MAX - d);
	return load_be64(b);
}

/* A bucket of at most ENTRY_RADIX_SMALL entries that agree before byte
 * d: insertion sort of (eight-byte key, index), ties by entry_cmp, then
 * the entries moved once. */
static void
entry_small(struct revoke_entry *e, size_t n, size_t d)
{
	struct { uint64_t k; uint32_t i; } key[ENTRY_RADIX_SMALL], t;
	struct revoke_entry tmp[ENTRY_RADIX_SMALL];
	size_t i, j;

	for (i = 0; i < n; i++) {
		key[i].k = entry_key(&e[i], d);
		key[i].i = (uint32_t)i;
	}
	for (i = 1; i < n; i++) {
		t = key[i];
		for (j = i; j > 0 && (key[j - 1].k > t.k ||
		    (key[j - 1].k == t.k &&
		    entry_cmp(&e[key[j - 1].i], &e[t.i]) > 0)); j--)
			key[j] = key[j - 1];
		key[j] = t;
	}
	for (i = 0; i < n; i++)
		tmp[i] = e[key[i].i];
	memcpy(e, tmp, n * sizeof *e);
}

/* The first byte from d on where some serial of e[0..n) differs from
 * e[0]'s (SERIAL_MAX when none). */
static size_t
entry_first_diff(const struct revoke_entry *e, size_t n, size_t d)
{
	unsigned char acc[SERIAL_MAX] = { 0 };
	uint64_t a = 0, b = 0;
	uint32_t c = 0;
	size_t i;

	for (i = 1; i < n; i++) {
		a |= load_be64(e[i].serial) ^ load_be64(e[0].serial);
		b |= load_be64(e[i].serial + 8) ^ load_be64(e[0].serial + 8);
		c |= load_be32(e[i].serial + 16) ^ load_be32(e[0].serial + 16);
	}
	for (i = 0; i < 8; i++) {
		acc[i] = (unsigned char)(a >> (56 - 8 * i));
		acc[8 + i] = (unsigned char)(b >> (56 - 8 * i));
	}
	for (i = 0; i < 4; i++)
		acc[16 + i] = (unsigned char)(c >> (24 - 8 * i));
	for (; d < SERIAL_MAX && acc[d] == 0; d++)
		;
	return d;
}

static void
entry_radix(struct revoke_entry *e, size_t n, size_t d)
{
	size_t count[256], next[256], end[256], i, b, c, sum;
	struct revoke_entry t, u;

	if (n <= ENTRY_RADIX_SMALL) {
		entry_small(e, n, d);
		return;
	}
	for (; d < SERIAL_MAX; d++) {
		memset(count, 0, sizeof count);
		for (i = 0; i < n; i++)
			count[e[i].serial[d]]++;
		if (count[e[0].serial[d]] != n)
			break;
		/* All agree on byte d (short serials have many leading
		 * zeros): one pass finds the first byte where any differ. */
		d = entry_first_diff(e, n, d + 1) - 1;
	}
	if (d == SERIAL_MAX) {
		/* One serial revoked n times: by journal order. */
		entry_introsort(e, n);
		return;
	}
	for (b = 0, sum = 0; b < 256; b++) {
		next[b] = sum;
		sum += count[b];
		end[b] = sum;
	}
	for (b = 0; b < 256; b++) {
		while (next[b] < end[b]) {
			t = e[next[b]];
			c = t.serial[d];
			while (c != b) {
				u = e[next[c]];
				e[next[c]++] = t;
				t = u;
				c = t.serial[d];
			}
			e[next[b]++] = t;
		}
	}
	for (b = 0, sum = 0; b < 256; sum += count[b], b++)
		if (count[b] > 1)
			entry_radix(e + sum, count[b], d + 1);
}

void
crl_sort_entries(struct revoke_entry *e, size_t n)
{
	size_t i;

	/* One bulk revocation lists its serials in order (append_batch). */
	for (i = 1; i < n && entry_cmp(&e[i - 1], &e[i]) < 0; i++)
		;
	if (i < n)
		entry_radix(e, n, 0);
}
