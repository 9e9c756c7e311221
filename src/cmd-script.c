/* cmd-script.c — offroot script check|print: ceremony scripts on paper. */
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "err.h"
#include "script.h"
#include "transcript.h"

static const struct cmd_opt script_opts[] = {
	{ "quiet", 'q', 0 },
	{ NULL, 0, 0 }
};

static int
script_exec(struct cmd_args *a, struct interact *io)
{
	const char *verb = a->argv[0];
	struct script s;
	char exe[65];
	int i, rc;

	if (strcmp(verb, "check") == 0) {
		if (a->argc < 2)
			return err_set(OR_E_USAGE, "script check: give FILE...");
		for (i = 1; i < a->argc; i++) {
			if ((rc = script_load(a->argv[i], &s)) != OR_OK)
				return rc;
			interact_say(io, SAY_RESULT, "%s: ok (%s, version %s, "
			    "%zu steps, SHA-256 %s)", a->argv[i], s.name,
			    s.version, s.nsteps, s.sha256_hex);
			script_free(&s);
		}
		return OR_OK;
	}
	if (strcmp(verb, "print") == 0) {
		if (a->argc != 2)
			return err_set(OR_E_USAGE, "script print: give one FILE");
		if ((rc = script_load(a->argv[1], &s)) != OR_OK)
			return rc;
		if (self_sha256_hex(exe) != OR_OK)
			snprintf(exe, sizeof exe, "unknown");
		rc = script_print(&s, stdout, exe);
		fflush(stdout);
		script_free(&s);
		return rc;
	}
	return err_set(OR_E_USAGE, "script: expected check or print, got "
	    "\"%s\"", verb);
}

const struct cmd_entry cmd_script_entry = {
	"script",
	"check FILE... | print FILE",
	"check a ceremony script, or render it for paper",
	script_opts, 2, 64, script_exec
};
