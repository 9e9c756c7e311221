/*
 * interact-form.c — a form: a step's questions asked in order before
 * anything is done, which the officer may walk back through (the TUI's
 * Esc) with every answer kept, and a closing question whose "no" returns
 * to the form instead of ending the operation.  A face that cannot go
 * back (the plain CLI, the batch runner) gets the questions once, in
 * order, as before.
 */
#include <stdio.h>

#include "err.h"
#include "interact.h"

/* A line of text, asked again while it is refused: at once, with the
 * reason in the question, INTERACT_TRIES times at most on
 * a face that cannot go back (a fixed answer would be refused for ever). */
static int
form_ask(struct interact *io, const struct form_field *f)
{
	char q[1536];
	const char *prompt = f->prompt;
	int rc, tries = 0;

	for (;;) {
		if ((rc = io->ask(io, prompt, f->buf, f->size)) != OR_OK)
			return rc;
		if (f->required && f->buf[0] == '\0')
			rc = err_set(OR_E_INPUT, "nothing was typed");
		else if (f->check != NULL && f->buf[0] != '\0')
			rc = f->check(f->buf);
		if (rc == OR_OK)
			return OR_OK;
		if (!io->can_back && ++tries == INTERACT_TRIES)
			return rc;
		/* The reason in the question itself: the dialog covers the
		 * conversation it also goes to. */
		interact_say(io, SAY_WARN, "%s", err_msg(rc));
		snprintf(q, sizeof q, "%s. %s", err_msg(rc), f->prompt);
		prompt = q;
		io->prefill = false;	/* typed anew */
	}
}

static int
form_field_ask(struct interact *io, const struct form_field *f)
{
	if (f->kind == FORM_CHOOSE)
		return io->choose(io, f->prompt, f->options, f->n, f->choice);
	if (f->required && f->what != NULL)
		return interact_ask_nonempty(io, f->prompt, f->what, f->buf,
		    f->size);
	return form_ask(io, f);
}

/* The closing question; *again: no was answered on a face that goes
 * back, so the form starts over with its answers kept. */
static int
form_question(struct interact *io, const struct form *f, bool *again)
{
	char q[2048];
	bool yes;
	int rc;

	*again = false;
	f->question(q, sizeof q, f->arg);
	if ((rc = io->confirm(io, q, &yes)) != OR_OK || yes)
		return rc;
	if (!io->can_back)
		return err_set(OR_E_CANCEL, "%s", f->declined != NULL ?
		    f->declined : "the officer declined");
	interact_say(io, SAY_INFO, "Nothing was done.  The questions again, "
	    "each with its answer kept: Enter keeps it, Esc goes back.");
	*again = true;
	return OR_OK;
}

int
interact_form(struct interact *io, const struct form *f)
{
	size_t i = 0, seen = 0, last = f->question != NULL ? f->n + 1 : f->n;
	bool again;
	int rc = OR_OK;

	while (i < last) {
		io->back = io->can_back && i > 0;
		io->prefill = i < seen;
		if (f->at != NULL)
			f->at(io, i, f->arg);
		if (i < f->n)
			rc = form_field_ask(io, &f->fields[i]);
		else if ((rc = form_question(io, f, &again)) == OR_OK &&
		    again) {
			i = 0;
			continue;
		}
		if (rc == OR_E_BACK) {
			err_clear();
			if (i > 0)
				i--;
			continue;
		}
		if (rc != OR_OK)
			break;
		i++;
		if (i > seen)
			seen = i;
	}
	io->back = io->prefill = false;
	return rc;
}
