/*
 * interact-batch.c — the batch runner's face of struct interact: answers
 * from a file, no terminal (interact-batch.h).
 */
#include <ctype.h>
#include <errno.h>
#include <fnmatch.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "err.h"
#include "util.h"
#include "fileio.h"
#include "interact-batch.h"
#include "names.h"
#include "secret.h"

static const struct {
	const char *key;
	enum batch_kind kind;
	int arg;	/* 0: none, 1: optional step, 2: required word(s),
			 * 3: required step */
} keys[] = {
	{ "participant", BK_PARTICIPANT, 0 },
	{ "confirm-all", BK_CONFIRM_ALL, 0 },
	{ "confirm", BK_CONFIRM, 1 },
	{ "ask", BK_ASK, 1 },
	{ "choose", BK_CHOOSE, 1 },
	{ "exception", BK_EXCEPTION, 3 },
	{ "override", BK_OVERRIDE, 2 },
	{ "resume", BK_RESUME, 0 },
	{ "kill-at", BK_KILL_AT, 0 },
	{ "share", BK_SHARE, 1 },
	{ NULL, BK_ASK, 0 }
};

static int __attribute__((format(printf, 3, 4)))
aerr(const struct batch_answers *a, unsigned line, const char *fmt, ...)
{
	char text[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	return err_set(OR_E_INPUT, "%s:%u: %s", a->name, line, text);
}

static bool
is_number(const char *s)
{
	size_t i;

	if (s[0] == '\0' || s[0] == '0' || strlen(s) > 4)
		return false;
	for (i = 0; s[i] != '\0'; i++)
		if (!isdigit((unsigned char)s[i]))
			return false;
	return true;
}

/* Printable ASCII without spaces, 1 to 255 characters. */
static bool
plain_word(const char *s)
{
	size_t i;

	for (i = 0; s[i] != '\0'; i++)
		if (!isgraph((unsigned char)s[i]) || i == 255)
			return false;
	return i > 0;
}

static bool
yes_no(const char *v, bool *out)
{
	if (strcmp(v, "yes") == 0)
		*out = true;
	else if (strcmp(v, "no") == 0)
		*out = false;
	else
		return false;
	return true;
}

/* Splits "key [arg]: value" in place into its three parts, and finds the
 * key's row in keys[] (*ki).  Refuses an unknown key and a secret. */
static int
batch_split(struct batch_answers *a, char *line, unsigned lineno,
    char **head, char **arg, char **value, size_t *ki)
{
	char *colon;
	size_t i;

	if ((colon = strchr(line, ':')) == NULL)
		return aerr(a, lineno, "expected \"key: value\"");
	*colon = '\0';
	*head = str_trim(line);
	*value = str_trim(colon + 1);
	if ((*arg = strchr(*head, ' ')) != NULL) {
		**arg = '\0';
		*arg = str_trim(*arg + 1);
	}
	for (i = 0; keys[i].key != NULL; i++)
		if (strcmp(keys[i].key, *head) == 0)
			break;
	if (keys[i].key == NULL)
		return aerr(a, lineno, "unknown answer \"%s\"", *head);
	if (strcasestr(*value, "passphrase=") != NULL ||
	    strcmp(*head, "pin") == 0)
		return aerr(a, lineno, "secrets never go in an answers file");
	*ki = i;
	return OR_OK;
}

/* The argument before the colon, as keys[ki].arg allows it, into e. */
static int
batch_check_arg(struct batch_answers *a, size_t ki, const char *head,
    const char *arg, struct batch_entry *e)
{
	switch (keys[ki].arg) {
	case 0:
		if (arg != NULL)
			return aerr(a, e->line, "%s takes no argument before "
			    "the colon", head);
		break;
	case 1:
	case 3:
		if (arg == NULL && keys[ki].arg == 3)
			return aerr(a, e->line, "%s needs a step number: "
			    "\"%s N: ...\"", head, head);
		if (arg != NULL && !is_number(arg))
			return aerr(a, e->line, "\"%s\" is not a step number",
			    arg);
		e->arg = arg;
		break;
	case 2:
		if (arg == NULL || (strcmp(arg, "airgap") != 0 &&
		    strcmp(arg, "clock") != 0 && strcmp(arg, "selfcheck") != 0
		    && strcmp(arg, "media") != 0 &&
		    strcmp(arg, "mixed-scripts") != 0 &&
		    strcmp(arg, "similar-subject") != 0 &&
		    strcmp(arg, "reissue") != 0))
			return aerr(a, e->line, "override needs a check: "
			    "airgap, clock, selfcheck, media, mixed-scripts, "
			    "similar-subject or reissue");
		e->arg = arg;
		break;
	}
	return OR_OK;
}

/* "participant: ROLE = NAME", each role once, for ceremony_params. */
static int
batch_participant(struct batch_answers *a, struct batch_entry *e,
    char *value)
{
	char *eq = strchr(value, '=');
	size_t i;

	if (eq == NULL)
		return aerr(a, e->line, "expected \"participant: ROLE = "
		    "NAME\"");
	*eq = '\0';
	e->arg = str_trim(value);
	e->value = str_trim(eq + 1);
	if (*e->arg == '\0' || *e->value == '\0')
		return aerr(a, e->line, "a participant needs a role and a "
		    "name");
	for (i = 0; i < a->nparticipants; i++)
		if (strcmp(a->participants[i].role, e->arg) == 0)
			return aerr(a, e->line, "role \"%s\" given twice",
			    e->arg);
	a->participants[a->nparticipants].role = e->arg;
	a->participants[a->nparticipants].name = e->value;
	a->nparticipants++;
	e->used = true;
	return OR_OK;
}

/* "override CHECK: reason", each check once, for ceremony_params. */
static int
batch_override(struct batch_answers *a, struct batch_entry *e)
{
	size_t i;

	if (*e->value == '\0')
		return aerr(a, e->line, "an override needs a reason");
	for (i = 0; i < a->noverrides; i++)
		if (strcmp(a->overrides[i].check, e->arg) == 0)
			return aerr(a, e->line, "override %s given twice",
			    e->arg);
	if (a->noverrides == sizeof a->overrides / sizeof a->overrides[0])
		return aerr(a, e->line, "too many overrides");
	a->overrides[a->noverrides].check = e->arg;
	a->overrides[a->noverrides].reason = e->value;
	a->noverrides++;
	e->used = true;
	return OR_OK;
}

/* The value after the colon, as e's kind wants it; the answers that
 * configure the run rather than answer a question are taken here. */
static int
batch_check_value(struct batch_answers *a, struct batch_entry *e,
    char *value)
{
	bool b;

	switch (e->kind) {
	case BK_PARTICIPANT:
		return batch_participant(a, e, value);
	case BK_CONFIRM:
	case BK_CONFIRM_ALL:
		if (!yes_no(value, &b))
			return aerr(a, e->line, "expected yes or no");
		break;
	case BK_CHOOSE:
		/* A number, or a name or pattern an option begins with
		 * (csrpick.h's lists): no space, nothing a terminal could
		 * misread. */
		if (!is_number(value) && !plain_word(value))
			return aerr(a, e->line, "expected an option number "
			    "from 1, or the name (or a pattern) an option "
			    "begins with");
		break;
	case BK_EXCEPTION:
		if (*value == '\0')
			return aerr(a, e->line, "an empty exception note");
		break;
	case BK_OVERRIDE:
		return batch_override(a, e);
	case BK_RESUME:
		if (!yes_no(value, &b))
			return aerr(a, e->line, "expected yes or no");
		a->resume = b ? CEREMONY_RESUME_YES : CEREMONY_RESUME_NO;
		e->used = true;
		break;
	case BK_KILL_AT:
		if (!is_number(value))
			return aerr(a, e->line, "expected a step number");
		a->kill_at = (unsigned)strtoul(value, NULL, 10);
		e->used = true;
		break;
	case BK_SHARE:
		if (*value == '\0')
			return aerr(a, e->line, "expected the path of a share "
			    "file or of the folder holding it");
		e->nth = a->nshares++;
		break;
	case BK_ASK:
		break;
	}
	return OR_OK;
}

/* One answer line (trimmed, not a comment) into a->e[a->n]. */
static int
batch_parse_entry(struct batch_answers *a, char *line, unsigned lineno)
{
	struct batch_entry *e = &a->e[a->n];
	char *head = NULL, *arg = NULL, *value = NULL;
	size_t ki = 0;
	int rc;

	if ((rc = batch_split(a, line, lineno, &head, &arg, &value, &ki)) !=
	    OR_OK)
		return rc;
	memset(e, 0, sizeof *e);
	e->kind = keys[ki].kind;
	e->line = lineno;
	e->value = value;
	if ((rc = batch_check_arg(a, ki, head, arg, e)) != OR_OK ||
	    (rc = batch_check_value(a, e, value)) != OR_OK)
		return rc;
	a->n++;
	return OR_OK;
}

int
batch_answers_parse(const char *data, size_t len, const char *name,
    struct batch_answers *a)
{
	char *line, *next, *end;
	unsigned lineno = 0;
	int rc;

	memset(a, 0, sizeof *a);
	snprintf(a->name, sizeof a->name, "%s", name);
	if (len > BATCH_MAX_FILE)
		return err_set(OR_E_INPUT, "%s: larger than %u KiB", name,
		    BATCH_MAX_FILE >> 10);
	if ((a->buf = malloc(len + 1)) == NULL ||
	    (a->e = calloc(BATCH_MAX_ENTRIES, sizeof *a->e)) == NULL) {
		rc = err_set(OR_E_NOMEM, "out of memory");
		goto fail;
	}
	memcpy(a->buf, data, len);
	a->buf[len] = '\0';
	end = a->buf + len;
	for (line = a->buf; line < end; line = next) {
		char *nl = memchr(line, '\n', (size_t)(end - line)), *c, *t;

		lineno++;
		if (nl == NULL)
			nl = end;
		*nl = '\0';
		next = nl + 1;
		for (c = line; c < nl; c++)
			if (*c == '\0' || ((unsigned char)*c < 0x20 &&
			    *c != '\t')) {
				rc = aerr(a, lineno, "control character in the "
				    "line");
				goto fail;
			}
		if (nl - line > 1024) {
			rc = aerr(a, lineno, "line too long");
			goto fail;
		}
		t = str_trim(line);
		if (*t == '\0' || *t == '#')
			continue;
		if (a->n == BATCH_MAX_ENTRIES) {
			rc = aerr(a, lineno, "more than %d answers",
			    BATCH_MAX_ENTRIES);
			goto fail;
		}
		if ((rc = batch_parse_entry(a, t, lineno)) != OR_OK)
			goto fail;
	}
	return OR_OK;
fail:
	batch_answers_free(a);
	return rc;
}

int
batch_answers_load(const char *path, struct batch_answers *a)
{
	unsigned char *data = NULL;
	size_t len;
	int rc;

	memset(a, 0, sizeof *a);
	if ((rc = file_read(path, BATCH_MAX_FILE, &data, &len)) != OR_OK)
		return rc;
	rc = batch_answers_parse((const char *)data, len, path, a);
	free(data);
	return rc;
}

void
batch_answers_free(struct batch_answers *a)
{
	free(a->buf);
	free(a->e);
	memset(a, 0, sizeof *a);
}

/* ---- the face --------------------------------------------------------- */

/* The answer of kind for the current step, else the next one without a
 * step. */
static struct batch_entry *
take(struct batch_interact *b, enum batch_kind kind)
{
	struct batch_answers *a = b->a;
	size_t i;

	for (i = 0; i < a->n; i++)
		if (a->e[i].kind == kind && !a->e[i].used && a->e[i].arg &&
		    strcmp(a->e[i].arg, b->step) == 0) {
			a->e[i].used = true;
			return &a->e[i];
		}
	for (i = 0; i < a->n; i++)
		if (a->e[i].kind == kind && !a->e[i].used &&
		    a->e[i].arg == NULL) {
			a->e[i].used = true;
			return &a->e[i];
		}
	return NULL;
}

static void
b_say(struct interact *io, enum say_level level, const char *text)
{
	struct batch_interact *b = io->ctx;

	interact_print(level, text, b->quiet);
}

static int
b_confirm(struct interact *io, const char *question, bool *yes)
{
	struct batch_interact *b = io->ctx;
	struct batch_entry *e = take(b, BK_CONFIRM);
	size_t i;

	if (e != NULL)
		*yes = strcmp(e->value, "yes") == 0;
	else {
		for (i = 0; i < b->a->n; i++)
			if (b->a->e[i].kind == BK_CONFIRM_ALL) {
				b->a->e[i].used = true;
				e = &b->a->e[i];
			}
		if (e == NULL)
			return err_set(OR_E_ENV, "%s answers no confirmation at "
			    "step %s: \"%s\"", b->a->name, b->step, question);
		*yes = strcmp(e->value, "yes") == 0;
	}
	if (!b->quiet)
		fprintf(stderr, "[step %s] %s -> %s (%s:%u)\n", b->step, question,
		    *yes ? "yes" : "no", b->a->name, e->line);
	return OR_OK;
}

/* Only an "override CHECK: reason" line answers yes (confirm-all does
 * not); the reason is shown with the answer. */
static int
b_confirm_override(struct interact *io, const char *check,
    const char *question, bool *yes)
{
	struct batch_interact *b = io->ctx;
	size_t i;

	*yes = false;
	for (i = 0; i < b->a->noverrides; i++)
		if (strcmp(b->a->overrides[i].check, check) == 0) {
			*yes = true;
			if (!b->quiet)
				fprintf(stderr, "[step %s] %s -> yes (override "
				    "%s: %s)\n", b->step, question, check,
				    b->a->overrides[i].reason);
			return OR_OK;
		}
	interact_say(io, SAY_WARN, "[step %s] %s -> no: %s has no "
	    "\"override %s: REASON\" line (confirm-all does not answer it)",
	    b->step, question, b->a->name, check);
	return OR_OK;
}

static int
b_ask(struct interact *io, const char *prompt, char *buf, size_t size)
{
	struct batch_interact *b = io->ctx;
	struct batch_entry *e = take(b, BK_ASK);

	if (e == NULL)
		return err_set(OR_E_ENV, "%s does not answer \"%s\" (step %s)",
		    b->a->name, prompt, b->step);
	if (strlen(e->value) >= size)
		return err_set(OR_E_INPUT, "%s:%u: the answer is too long",
		    b->a->name, e->line);
	snprintf(buf, size, "%s", e->value);
	if (!b->quiet)
		fprintf(stderr, "[step %s] %s: %s\n", b->step, prompt, buf);
	return OR_OK;
}

static int
b_ask_secret(struct interact *io, const char *prompt, bool twice,
    struct secret **out)
{
	struct batch_interact *b = io->ctx;

	*out = NULL;
	if (b->secret_file == NULL)
		return err_set(OR_E_ENV, "\"%s\": the batch runner takes "
		    "passphrases and PINs from --passphrase-file or --pin-file "
		    "only", prompt);
	return secret_from_file(b->secret_file, out);
}

/* "choose 4: pki_int.csr" or "choose 4: *.csr": the one option whose
 * first word (up to its first space) the name or pattern matches. */
static int
b_choose_name(struct batch_interact *b, const struct batch_entry *e,
    const char *prompt, const char *const *options, size_t n,
    size_t *choice)
{
	char word[256];
	size_t i, len, found = 0;

	for (i = 0; i < n; i++) {
		len = strcspn(options[i], " ");
		if (len >= sizeof word)
			continue;
		memcpy(word, options[i], len);
		word[len] = '\0';
		if (fnmatch(e->value, word, FNM_PERIOD) == 0) {
			if (found++ == 0)
				*choice = i;
		}
	}
	if (found != 1)
		return err_set(OR_E_INPUT, "%s:%u: \"%s\" matches %s of the "
		    "%zu options of \"%s\" (step %s), not exactly one",
		    b->a->name, e->line, e->value, found == 0 ? "none" :
		    "several", n, prompt, b->step);
	if (!b->quiet)
		fprintf(stderr, "[step %s] %s -> %s (%s:%u)\n", b->step, prompt,
		    options[*choice], b->a->name, e->line);
	return OR_OK;
}

static int
b_choose(struct interact *io, const char *prompt, const char *const *options,
    size_t n, size_t *choice)
{
	struct batch_interact *b = io->ctx;
	struct batch_entry *e = take(b, BK_CHOOSE);
	unsigned long v;
	size_t i;

	/* The options, as a rehearsal's log shows them. */
	if (!b->quiet)
		for (i = 0; i < n; i++)
			fprintf(stderr, "[step %s]   %zu) %s\n", b->step, i + 1,
			    options[i]);
	if (e == NULL)
		return err_set(OR_E_ENV, "%s does not answer \"%s\" (step %s)",
		    b->a->name, prompt, b->step);
	if (!is_number(e->value))
		return b_choose_name(b, e, prompt, options, n, choice);
	v = strtoul(e->value, NULL, 10);
	if (v < 1 || v > n)
		return err_set(OR_E_INPUT, "%s:%u: no option %lu (there are "
		    "%zu)", b->a->name, e->line, v, n);
	*choice = v - 1;
	return OR_OK;
}

static void
b_progress(struct interact *io, const char *label, double fraction)
{
}

static void
b_show_block(struct interact *io, const char *title, const char *body)
{
	struct batch_interact *b = io->ctx;

	char *t, *e;

	if (b->quiet)
		return;
	t = names_escape_dup(title, false);
	e = names_escape_dup(body, true);
	printf("== %s\n%s", t != NULL ? t : "", e != NULL ? e : "");
	if (e != NULL && e[0] != '\0' && e[strlen(e) - 1] != '\n')
		printf("\n");
	fflush(stdout);
	free(t);
	free(e);
}

/* Tracks the current step; hands its exception notes to the engine; the
 * rehearsed crash. */
static void
b_steps(struct interact *io, const struct step_view *steps, size_t n,
    size_t current)
{
	struct batch_interact *b = io->ctx;
	struct batch_answers *a = b->a;
	size_t i;

	if (current >= n || steps[current].state != STEP_CURRENT)
		return;
	snprintf(b->step, sizeof b->step, "%s", steps[current].number);
	if (!b->quiet)
		fprintf(stderr, "== step %s: %s (%s)\n", steps[current].number,
		    steps[current].title, steps[current].role);
	if (a->kill_at != 0 && strtoul(b->step, NULL, 10) == a->kill_at) {
		fprintf(stderr, "offroot: kill-at %u: rehearsing a crash "
		    "(SIGKILL)\n", a->kill_at);
		fflush(NULL);
		raise(SIGKILL);
	}
	for (i = 0; i < a->n; i++)
		if (a->e[i].kind == BK_EXCEPTION && !a->e[i].used &&
		    strcmp(a->e[i].arg, b->step) == 0 && io->note != NULL) {
			a->e[i].used = true;
			io->note(io->note_ctx, a->e[i].value);
		}
}

/* A share line for the current step (or the next one without a step),
 * with its --share-passphrase-file; OR_E_CANCEL when none is left. */
static int
b_share(struct interact *io, size_t k, char *path, size_t size,
    struct secret **pass)
{
	struct batch_interact *b = io->ctx;
	struct batch_entry *e;

	*pass = NULL;
	if ((e = take(b, BK_SHARE)) == NULL)
		return err_set(OR_E_CANCEL, "%s gives no more shares for step "
		    "%s", b->a->name, b->step);
	if (strlen(e->value) >= size)
		return err_set(OR_E_INPUT, "%s:%u: the path is too long",
		    b->a->name, e->line);
	snprintf(path, size, "%s", e->value);
	if (!b->quiet)
		fprintf(stderr, "[step %s] share: %s (%s:%u)\n", b->step, path,
		    b->a->name, e->line);
	if (b->nshare_pass == 0)
		return OR_OK;	/* ask_secret: --passphrase-file */
	if (e->nth >= b->nshare_pass)
		return err_set(OR_E_USAGE, "%s:%u: share line %zu has no "
		    "--share-passphrase-file (%zu given)", b->a->name, e->line,
		    e->nth + 1, b->nshare_pass);
	return secret_from_file(b->share_pass[e->nth], pass);
}

/* New officers' passphrases, from --new-share-passphrase-file in order;
 * NULL (then ask_secret) when none are left. */
static int
b_new_share_secret(struct interact *io, size_t k, struct secret **out)
{
	struct batch_interact *b = io->ctx;

	*out = NULL;
	if (b->new_used >= b->nnew_pass)
		return OR_OK;
	return secret_from_file(b->new_pass[b->new_used++], out);
}

void
interact_batch_init(struct interact *io, struct batch_interact *b)
{
	memset(io, 0, sizeof *io);
	io->say = b_say;
	io->confirm = b_confirm;
	io->confirm_override = b_confirm_override;
	io->ask = b_ask;
	io->ask_secret = b_ask_secret;
	io->choose = b_choose;
	io->progress = b_progress;
	io->show_block = b_show_block;
	io->steps = b_steps;
	io->share = b_share;
	io->new_share_secret = b_new_share_secret;
	io->fixed_secrets = true;
	io->ctx = b;
	snprintf(b->step, sizeof b->step, "0");
}

void
interact_batch_unused(struct interact *io, struct batch_interact *b)
{
	size_t i;

	for (i = 0; i < b->a->n; i++)
		if (!b->a->e[i].used)
			interact_say(io, SAY_WARN, "%s:%u: this answer was not "
			    "used", b->a->name, b->a->e[i].line);
	if (b->new_used < b->nnew_pass)
		interact_say(io, SAY_WARN, "%zu --new-share-passphrase-file "
		    "given, %zu used", b->nnew_pass, b->new_used);
}
