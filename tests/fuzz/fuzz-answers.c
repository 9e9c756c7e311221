/*
 * fuzz-answers.c — libFuzzer target for the batch runner's answers file
 * (batch_answers_parse).  Whatever parses keeps its promises: participants
 * with a role and a name, overrides naming a known check with a reason;
 * a refusal names the file and a line.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "interact-batch.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct batch_answers a;
	size_t i;
	int rc;

	err_clear();
	rc = batch_answers_parse((const char *)data, size, "f.answers", &a);
	if (rc != OR_OK) {
		if (rc != OR_E_INPUT && rc != OR_E_NOMEM)
			abort();
		if (rc == OR_E_INPUT && strncmp(err_msg(rc), "f.answers", 9))
			abort();
		return 0;
	}
	for (i = 0; i < a.nparticipants; i++)
		if (a.participants[i].role[0] == '\0' ||
		    a.participants[i].name[0] == '\0')
			abort();
	for (i = 0; i < a.noverrides; i++)
		if (a.overrides[i].reason[0] == '\0')
			abort();
	batch_answers_free(&a);
	return 0;
}
