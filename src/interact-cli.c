/*
 * interact-cli.c — the plain command-line face of struct interact.
 *
 * Results go to stdout, everything else to stderr; questions are asked on
 * /dev/tty so that scripts may redirect stdin and stdout freely.
 * interact_print, that rule for a say(), serves the batch face too; the
 * helpers for any face are in interact.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "err.h"
#include "interact.h"
#include "names.h"
#include "secret.h"

void
interact_print(enum say_level level, const char *raw, bool quiet)
{
	/* Never a control, bidi or invisible character to the terminal
	 * (names.h), whatever the text quotes. */
	char *esc = names_escape_dup(raw, true);
	const char *text = esc != NULL ? esc : "(out of memory)";

	switch (level) {
	case SAY_RESULT:
		printf("%s\n", text);
		fflush(stdout);
		break;
	case SAY_WARN:
		fprintf(stderr, "offroot: warning: %s\n", text);
		break;
	case SAY_INFO:
		if (!quiet)
			fprintf(stderr, "%s\n", text);
		break;
	}
	free(esc);
}

static void
cli_say(struct interact *io, enum say_level level, const char *text)
{
	struct cli_interact *cfg = io->ctx;

	interact_print(level, text, cfg->quiet);
}

/* Reads one line from the controlling terminal after printing prompt. */
static int
tty_line(const char *prompt, char *buf, size_t size)
{
	FILE *tty;
	size_t n;
	int rc = OR_OK;

	if ((tty = fopen("/dev/tty", "r+e")) == NULL)
		return err_set(OR_E_ENV, "no terminal to ask \"%s\"", prompt);
	fprintf(tty, "%s", prompt);
	fflush(tty);
	if (fgets(buf, (int)size, tty) == NULL) {
		rc = err_set(OR_E_CANCEL, "no answer to \"%s\"", prompt);
		goto out;
	}
	n = strcspn(buf, "\r\n");
	buf[n] = '\0';
out:
	fclose(tty);
	return rc;
}

static int
cli_confirm(struct interact *io, const char *question, bool *yes)
{
	struct cli_interact *cfg = io->ctx;
	char line[64], prompt[1024];
	int rc;

	if (cfg->assume_yes) {
		*yes = true;
		return OR_OK;
	}
	snprintf(prompt, sizeof prompt, "%s [y/N] ", question);
	if ((rc = tty_line(prompt, line, sizeof line)) != OR_OK) {
		if (rc == OR_E_ENV)
			return err_set(OR_E_ENV, "cannot ask \"%s\" without a "
			    "terminal; answer with --yes", question);
		return rc;
	}
	*yes = strcmp(line, "y") == 0 || strcmp(line, "yes") == 0 ||
	    strcmp(line, "Y") == 0;
	return OR_OK;
}

static int
cli_ask(struct interact *io, const char *prompt, char *buf, size_t size)
{
	char p[1024];

	snprintf(p, sizeof p, "%s: ", prompt);
	return tty_line(p, buf, size);
}

static int
cli_ask_secret(struct interact *io, const char *prompt, bool twice,
    struct secret **out)
{
	struct cli_interact *cfg = io->ctx;
	struct secret *a = NULL, *b = NULL;
	char p[1024];
	int rc;

	*out = NULL;
	if (cfg->secret_file != NULL)
		return secret_from_file(cfg->secret_file, out);
	snprintf(p, sizeof p, "%s: ", prompt);
	if ((rc = secret_from_tty(p, &a)) != OR_OK)
		return rc;
	if (twice) {
		snprintf(p, sizeof p, "%s (again): ", prompt);
		if ((rc = secret_from_tty(p, &b)) != OR_OK)
			goto out;
		if (!secret_equal(a, b)) {
			rc = err_set(OR_E_INPUT, "the two entries differ");
			goto out;
		}
	}
	*out = a;
	a = NULL;
	rc = OR_OK;
out:
	secret_free(a);
	secret_free(b);
	return rc;
}

static int
cli_choose(struct interact *io, const char *prompt, const char *const *options,
    size_t n, size_t *choice)
{
	char line[32], *end;
	unsigned long v;
	FILE *tty;
	size_t i;
	int rc;

	if ((tty = fopen("/dev/tty", "we")) == NULL)
		return err_set(OR_E_ENV, "no terminal to ask \"%s\"", prompt);
	for (i = 0; i < n; i++)
		fprintf(tty, "  %zu) %s\n", i + 1, options[i]);
	fclose(tty);
	if ((rc = tty_line("choice: ", line, sizeof line)) != OR_OK)
		return rc;
	errno = 0;
	v = strtoul(line, &end, 10);
	if (errno != 0 || *end != '\0' || v < 1 || v > n)
		return err_set(OR_E_INPUT, "no such choice: %s", line);
	*choice = v - 1;
	return OR_OK;
}

static void
cli_progress(struct interact *io, const char *label, double fraction)
{
	struct cli_interact *cfg = io->ctx;

	if (cfg->quiet || label == NULL)
		return;
	if (fraction <= 0)
		fprintf(stderr, "%s...\n", label);
}

static void
cli_show_block(struct interact *io, const char *title, const char *body)
{
	char *t = names_escape_dup(title, false);
	char *b = names_escape_dup(body, true);

	printf("%s\n%s", t != NULL ? t : "", b != NULL ? b : "");
	if (b != NULL && b[0] != '\0' && b[strlen(b) - 1] != '\n')
		printf("\n");
	fflush(stdout);
	free(t);
	free(b);
}

/* Share k given with --share (and its --share-passphrase-file). */
static int
cli_share(struct interact *io, size_t k, char *path, size_t size,
    struct secret **pass)
{
	struct cli_interact *cfg = io->ctx;
	int n;

	*pass = NULL;
	if (cfg->nshare_pass_files != 0 &&
	    cfg->nshare_pass_files != cfg->nshare_files)
		return err_set(OR_E_USAGE, "give one --share-passphrase-file "
		    "per --share, in the same order (%zu shares, %zu "
		    "passphrase files)", cfg->nshare_files,
		    cfg->nshare_pass_files);
	if (k >= cfg->nshare_files)
		return OR_E_CANCEL;
	n = snprintf(path, size, "%s", cfg->share_files[k]);
	if (n < 0 || (size_t)n >= size)
		return err_set(OR_E_USAGE, "--share: path too long");
	if (cfg->nshare_pass_files == 0)
		return OR_OK;
	return secret_from_file(cfg->share_pass_files[k], pass);
}

/* New officer k's passphrase file, when given. */
static int
cli_new_share_secret(struct interact *io, size_t k, struct secret **out)
{
	struct cli_interact *cfg = io->ctx;

	*out = NULL;
	if (cfg->nnew_pass_files == 0)
		return OR_OK;
	if (k >= cfg->nnew_pass_files)
		return err_set(OR_E_USAGE, "officer %zu has no passphrase file: "
		    "give one per officer, in officer order", k + 1);
	return secret_from_file(cfg->new_pass_files[k], out);
}

void
interact_cli_init(struct interact *io, struct cli_interact *cfg)
{
	memset(io, 0, sizeof *io);
	io->say = cli_say;
	io->confirm = cli_confirm;
	io->ask = cli_ask;
	io->ask_secret = cli_ask_secret;
	io->choose = cli_choose;
	io->progress = cli_progress;
	io->show_block = cli_show_block;
	io->share = cli_share;
	io->new_share_secret = cli_new_share_secret;
	io->fixed_secrets = cfg->secret_file != NULL;
	io->ctx = cfg;
}
