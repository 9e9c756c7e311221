/*
 * fuzz-serials.c — libFuzzer target for the serials file of
 * `offroot revoke --serials-file` (revoke_parse_serials), which comes from
 * outside the ceremony.
 *
 * Whatever parses must keep revoke.h's promises: at least one serial, each
 * of 1 to 20 octets, non-zero, right-aligned (no stray bytes in front),
 * none repeated, line numbers increasing and within the input's line
 * count; and each serial's canonical hex must parse back to itself.  A
 * refusal must leave an empty list and a message naming a line or the
 * whole file.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "revoke.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct revoke_list l;
	struct serial back;
	char hex[SERIAL_HEX];
	size_t i, k, lines = 1;
	int rc;

	for (i = 0; i < size; i++)
		lines += data[i] == '\n';
	err_clear();
	rc = revoke_parse_serials((const char *)data, size, &l);
	if (rc != OR_OK) {
		if (rc != OR_E_INPUT && rc != OR_E_NOMEM)
			abort();
		if (l.n != 0 || l.s != NULL || *err_msg(rc) == '\0')
			abort();
		return 0;
	}
	if (l.n == 0)
		abort();
	for (i = 0; i < l.n; i++) {
		if (l.s[i].len < 1 || l.s[i].len > SERIAL_MAX ||
		    l.s[i].b[SERIAL_MAX - l.s[i].len] == 0 ||
		    l.line[i] < 1 || l.line[i] > lines ||
		    (i > 0 && l.line[i] <= l.line[i - 1]))
			abort();
		for (k = 0; k < SERIAL_MAX - l.s[i].len; k++)
			if (l.s[i].b[k] != 0)
				abort();
		serial_to_hex(&l.s[i], hex);
		if (serial_parse(hex, strlen(hex), &back) != OR_OK ||
		    serial_cmp(&back, &l.s[i]) != 0 ||
		    back.len != l.s[i].len)
			abort();
	}
	/* No repeats (n is small for fuzz inputs). */
	for (i = 0; i < l.n && l.n < 4096; i++)
		for (k = i + 1; k < l.n; k++)
			if (serial_cmp(&l.s[i], &l.s[k]) == 0)
				abort();
	revoke_list_free(&l);
	return 0;
}
