/*
 * fuzz-manifest.c — libFuzzer target for the MANIFEST parser that
 * `offroot verify` runs over a bundle from the online side.  Whatever it
 * accepts must keep the parser's promises: sorted, unique, safe paths.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bundle.h"
#include "err.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct manifest_entry *e = NULL;
	char *text;
	size_t n = 0, i;

	/* The parser takes a length, not a string: no terminator given. */
	if ((text = malloc(size ? size : 1)) == NULL)
		return 0;
	memcpy(text, data, size);
	if (manifest_parse(text, size, &e, &n) == OR_OK) {
		if (n == 0 || e == NULL)
			abort();
		for (i = 0; i < n; i++) {
			if (e[i].path[0] == '\0' || e[i].path[0] == '/' ||
			    strstr(e[i].path, "..") != NULL)
				abort();
			if (i > 0 && strcmp(e[i - 1].path, e[i].path) >= 0)
				abort();
		}
	}
	free(e);
	free(text);
	err_clear();
	return 0;
}
