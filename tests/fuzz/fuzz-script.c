/*
 * fuzz-script.c — libFuzzer target for the ceremony-script parser and
 * checker (script_parse) and the printer, which read scripts brought on
 * media.  A script that parses must keep script.h's promises: steps with
 * increasing numbers, each with a declared role and an action; printing
 * it must succeed.  A refusal must name the file and a line.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "script.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct script s;
	FILE *null;
	size_t i;
	int rc;

	err_clear();
	rc = script_parse((const char *)data, size, "f.ceremony", &s);
	if (rc != OR_OK) {
		if (rc != OR_E_INPUT && rc != OR_E_NOMEM)
			abort();
		if (rc == OR_E_INPUT &&
		    strncmp(err_msg(rc), "f.ceremony", 10) != 0)
			abort();
		return 0;
	}
	if (s.nsteps == 0 || s.nroles == 0 || s.name == NULL)
		abort();
	for (i = 0; i < s.nsteps; i++) {
		if (s.steps[i].action == SA_NONE || s.steps[i].role == NULL)
			abort();
		if (i > 0 && s.steps[i].number <= s.steps[i - 1].number)
			abort();
	}
	if ((null = fopen("/dev/null", "w")) != NULL) {
		if (script_print(&s, null, NULL) != OR_OK)
			abort();
		fclose(null);
	}
	script_free(&s);
	return 0;
}
