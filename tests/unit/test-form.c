/*
 * test-form.c — interact_form (interact-form.c), against a face that
 * plays back a script of answers: Back goes to the previous question with
 * its answer offered again (prefill), never from the first; no to the
 * closing question starts the form over with every answer kept on a face
 * that can go back, and ends it (OR_E_CANCEL) on one that cannot; a
 * refused answer is asked again; OR_E_BACK never leaves the form, and
 * io->back and io->prefill are clear once it returns.
 */
#include <stdio.h>
#include <string.h>

#include "err.h"
#include "interact.h"
#include "tap.h"

/* One step of the face's script: what it answers to the next question.
 * "<" is Back, "y"/"n" answer a confirmation, a digit a choice, anything
 * else is typed. */
struct play {
	const char *const *answers;
	size_t n, at;
	char log[1024];		/* "ask(prefill=1,back=0) ..." */
};

static const char *
next(struct interact *io, const char *what)
{
	struct play *p = io->ctx;
	size_t len = strlen(p->log);

	snprintf(p->log + len, sizeof p->log - len, "%s%c%c ", what,
	    io->back ? 'B' : '-', io->prefill ? 'P' : '-');
	return p->at < p->n ? p->answers[p->at++] : NULL;
}

static int
f_ask(struct interact *io, const char *prompt, char *buf, size_t size)
{
	const char *a = next(io, "a");

	if (a == NULL)
		return err_set(OR_E_CANCEL, "no more answers");
	if (strcmp(a, "<") == 0)
		return io->back ? OR_E_BACK : err_set(OR_E_INPUT, "no back");
	if (strcmp(a, "=") == 0)	/* Enter on the answer shown */
		return io->prefill ? OR_OK : err_set(OR_E_INPUT, "no prefill");
	snprintf(buf, size, "%s", a);
	return OR_OK;
}

static int
f_choose(struct interact *io, const char *prompt, const char *const *o,
    size_t n, size_t *choice)
{
	const char *a = next(io, "c");

	if (a == NULL)
		return err_set(OR_E_CANCEL, "no more answers");
	if (strcmp(a, "<") == 0)
		return io->back ? OR_E_BACK : err_set(OR_E_INPUT, "no back");
	if (strcmp(a, "=") == 0)
		return io->prefill ? OR_OK : err_set(OR_E_INPUT, "no prefill");
	*choice = (size_t)(a[0] - '0');
	return OR_OK;
}

static int
f_confirm(struct interact *io, const char *q, bool *yes)
{
	const char *a = next(io, "q");

	if (a == NULL)
		return err_set(OR_E_CANCEL, "no more answers");
	if (strcmp(a, "<") == 0)
		return io->back ? OR_E_BACK : err_set(OR_E_INPUT, "no back");
	*yes = a[0] == 'y';
	return OR_OK;
}

static void
f_say(struct interact *io, enum say_level level, const char *text)
{
}

static int
check_no_x(const char *answer)
{
	return strchr(answer, 'x') != NULL ? err_set(OR_E_INPUT, "no x") :
	    OR_OK;
}

static void
question(char *q, size_t size, void *arg)
{
	snprintf(q, size, "Make it?");
}

struct answers {
	char name[32], url[32];
	size_t kind;
};

static int
run(bool can_back, const char *const *script, size_t n, struct answers *a,
    struct play *p)
{
	static const char *const kinds[] = { "a", "b", "c" };
	struct form_field fields[] = {
		{ .kind = FORM_ASK, .prompt = "name", .buf = a->name,
		    .size = sizeof a->name, .required = true },
		{ .kind = FORM_ASK, .prompt = "url", .buf = a->url,
		    .size = sizeof a->url, .check = check_no_x },
		{ .kind = FORM_CHOOSE, .prompt = "kind", .options = kinds,
		    .n = 3, .choice = &a->kind },
	};
	struct form f = { fields, 3, NULL, question, "declined", NULL };
	struct interact io;
	int rc;

	memset(&io, 0, sizeof io);
	memset(p, 0, sizeof *p);
	memset(a, 0, sizeof *a);
	io.ask = f_ask;
	io.choose = f_choose;
	io.confirm = f_confirm;
	io.say = f_say;
	io.ctx = p;
	io.can_back = can_back;
	p->answers = script;
	p->n = n;
	rc = interact_form(&io, &f);
	ok(!io.back && !io.prefill, "io->back and io->prefill are clear after "
	    "the form");
	return rc;
}

int
main(void)
{
	struct answers a;
	struct play p;
	int rc;

	{	/* Back from the second question, then on: answer kept. */
		static const char *const s[] = { "root", "<", "=", "", "2",
		    "y" };
		rc = run(true, s, 6, &a, &p);
		is_int(rc, OR_OK, "a form walked back and forth ends OK");
		is_str(a.name, "root", "... the answer gone back to is kept");
		is_int(a.kind, 2, "... the choice is taken");
		is_str(p.log, "a-- aB- a-P aB- cB- qB- ",
		    "... the first question offers no Back; one gone back to "
		    "shows its answer");
	}
	{	/* No: the form again from its first question, answers kept. */
		static const char *const s[] = { "root", "http", "1", "n", "=",
		    "=", "=", "y" };
		rc = run(true, s, 8, &a, &p);
		is_int(rc, OR_OK, "no, then the same answers kept, then yes");
		is_str(a.url, "http", "... the URL kept");
		is_int(a.kind, 1, "... the choice kept");
		is_str(p.log, "a-- aB- cB- qB- a-P aBP cBP qB- ",
		    "... no returns to the first question, each answer "
		    "offered again");
	}
	{	/* Back from the closing question goes to the last field. */
		static const char *const s[] = { "root", "", "0", "<", "2",
		    "y" };
		rc = run(true, s, 6, &a, &p);
		is_int(rc, OR_OK, "Back from the question");
		is_int(a.kind, 2, "... changes the last answer");
		is_str(p.log, "a-- aB- cB- qB- cBP qB- ",
		    "... the question goes back to the last field");
	}
	{	/* Refused answers are asked again, with the answer to edit. */
		static const char *const s[] = { "", "root", "ux", "u", "0",
		    "y" };
		rc = run(true, s, 6, &a, &p);
		is_int(rc, OR_OK, "empty and refused answers asked again");
		is_str(a.url, "u", "... the answer that passes is kept");
		is_str(p.log, "a-- a-- aB- aB- cB- qB- ",
		    "... each asked again, to be typed anew");
	}
	{	/* A face that cannot go back: no ends the form. */
		static const char *const s[] = { "root", "", "0", "n" };
		rc = run(false, s, 4, &a, &p);
		is_int(rc, OR_E_CANCEL, "without Back, no ends the form");
		is_str(err_msg(rc), "declined", "... with the form's reason");
		is_str(p.log, "a-- a-- c-- q-- ",
		    "... and Back is never offered");
	}
	{	/* A face that cannot go back: refused INTERACT_TRIES times. */
		static const char *const s[] = { "root", "x1", "x2", "x3",
		    "ok" };
		rc = run(false, s, 5, &a, &p);
		is_int(rc, OR_E_INPUT, "without Back, a refused answer is asked "
		    "INTERACT_TRIES times, then the form stops");
	}
	return done_testing();
}
