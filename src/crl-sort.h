/*
 * crl-sort.h — the sort of revocation entries for CRLs and the replay.
 *
 * crl_sort_entries orders e[0..n) by serial (20 big-endian bytes), then
 * by journal order (order), in place, allocating nothing: the array is
 * the largest thing a million-entry CRL holds, so qsort's copy is not an
 * option.  Already sorted input (a bulk revocation records its serials in
 * order) costs one pass; otherwise an American flag radix sort on the
 * serial bytes, an introsort for small buckets and for one serial revoked
 * many times.
 */
#ifndef OFFROOT_CRL_SORT_H
#define OFFROOT_CRL_SORT_H

#include <stddef.h>

#include "revoke.h"

void crl_sort_entries(struct revoke_entry *e, size_t n);

#endif
