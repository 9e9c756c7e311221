/*
 * interact.c — the face-independent helpers of struct interact
 * (interact.h): what the engine and the key stores (hsm/) call on any
 * face, so that none of them reaches into one face's file.  The faces
 * themselves are interact-cli.c, interact-batch.c and ui/.
 */
#include <stdarg.h>
#include <stdio.h>

#include "err.h"
#include "interact.h"

void
interact_say(struct interact *io, enum say_level level, const char *fmt, ...)
{
	char buf[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	io->say(io, level, buf);
}

int
interact_override(struct interact *io, const char *check, bool allowed,
    const char *finding, char *how, size_t size)
{
	char q[1024];
	bool yes = false;
	int rc;

	snprintf(how, size, "--allow-%s", check);
	if (allowed) {
		interact_say(io, SAY_WARN, "%s (going on: --allow-%s)", finding,
		    check);
		return OR_OK;
	}
	if (io->confirm_override == NULL)
		return err_set(OR_E_POLICY, "%s; only --allow-%s goes on "
		    "despite it (--yes does not)", finding, check);
	snprintf(q, sizeof q, "%s. Go on anyway?", finding);
	if ((rc = io->confirm_override(io, check, q, &yes)) != OR_OK)
		return rc;
	if (!yes)
		return err_set(OR_E_CANCEL, "stopped: the officer did not "
		    "confirm %s: %s", check, finding);
	interact_say(io, SAY_WARN, "%s (going on: confirmed by the officer)",
	    finding);
	snprintf(how, size, "confirmed by the officer");
	return OR_OK;
}
