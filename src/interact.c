/*
 * interact.c — the face-independent helpers of struct interact
 * (interact.h): what the engine and the key stores (hsm/) call on any
 * face, so that none of them reaches into one face's file.  The faces
 * themselves are interact-cli.c, interact-batch.c and ui/.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "err.h"
#include "interact.h"
#include "secret.h"

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
interact_new_secret(struct interact *io, const char *prompt, size_t min_len,
    struct secret **out)
{
	struct secret *again = NULL;
	char p1[512], p2[512];
	int t, rc;

	*out = NULL;
	/* Why it is asked again goes into the prompt itself: a face may
	 * cover what it said before with the prompt. */
	snprintf(p1, sizeof p1, "%s", prompt);
	snprintf(p2, sizeof p2, "%s (again)", prompt);
	for (t = 1; t <= INTERACT_TRIES; t++) {
		if ((rc = io->ask_secret(io, p1, false, out)) != OR_OK)
			return rc;
		if ((*out)->len < min_len) {
			secret_free(*out);
			*out = NULL;
			if (io->fixed_secrets || t == INTERACT_TRIES)
				break;
			snprintf(p1, sizeof p1, "Too short: at least %zu "
			    "characters (%d tr%s left). %s", min_len,
			    INTERACT_TRIES - t, INTERACT_TRIES - t == 1 ? "y" :
			    "ies", prompt);
			continue;
		}
		if (io->fixed_secrets)
			return OR_OK;
		if ((rc = io->ask_secret(io, p2, false, &again)) != OR_OK)
			break;
		if (secret_equal(*out, again)) {
			secret_free(again);
			return OR_OK;
		}
		secret_free(again);
		again = NULL;
		secret_free(*out);
		*out = NULL;
		if (t == INTERACT_TRIES)
			return err_set(OR_E_INPUT, "the two entries of the new "
			    "passphrase differed %d times", INTERACT_TRIES);
		snprintf(p1, sizeof p1, "The two entries differ (%d tr%s "
		    "left). %s", INTERACT_TRIES - t, INTERACT_TRIES - t == 1 ?
		    "y" : "ies", prompt);
	}
	if (rc != OR_OK) {
		secret_free(*out);
		*out = NULL;
		return rc;
	}
	return err_set(OR_E_INPUT, "the passphrase is shorter than %zu "
	    "characters", min_len);
}

int
interact_ask_nonempty(struct interact *io, const char *prompt,
    const char *what, char *buf, size_t size)
{
	char p[512];
	int t, rc;

	snprintf(p, sizeof p, "%s", prompt);
	for (t = 1; t <= INTERACT_TRIES; t++) {
		if ((rc = io->ask(io, p, buf, size)) != OR_OK)
			return rc;
		if (buf[0] != '\0')
			return OR_OK;
		snprintf(p, sizeof p, "%s (%s cannot be empty; %d tr%s left)",
		    prompt, what, INTERACT_TRIES - t, INTERACT_TRIES - t == 1 ?
		    "y" : "ies");
	}
	return err_set(OR_E_INPUT, "%s was left empty %d times", what,
	    INTERACT_TRIES);
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
