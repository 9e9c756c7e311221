/*
 * main.c — offroot's entry point: process hardening, then dispatch of the
 * command table.  Only this layer (and ui/) prints; see cmd.h.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cadb.h"
#include "cmd.h"
#include "err.h"
#include "interact.h"
#include "names.h"
#include "secret.h"
#include "ui.h"

static const struct cmd_entry *const cmd_table[] = {
	&cmd_init_entry,
	&cmd_status_entry,
	&cmd_inspect_entry,
	&cmd_check_key_entry,
	&cmd_audit_entry,
	&cmd_sign_entry,
	&cmd_verify_entry,
	&cmd_export_entry,
	&cmd_repair_entry,
	&cmd_revoke_entry,
	&cmd_crl_entry,
	&cmd_renew_root_entry,
	&cmd_ocsp_entry,
	&cmd_tokens_entry,
	&cmd_ceremony_entry,
	&cmd_script_entry,
	&cmd_profile_entry,
	&cmd_digest_entry,
	&cmd_transcript_entry,
	&cmd_tui_entry,
	&cmd_reshare_entry,
	&cmd_migrate_entry,
	&cmd_backup_entry,
	&cmd_token_backup_entry,
	&cmd_csr_entry,
	&cmd_cross_sign_entry,
	&cmd_rollover_entry,
	&cmd_set_entry,
	NULL
};

const char *
args_nth(const struct cmd_args *a, const char *name, size_t i)
{
	size_t k;

	for (k = 0; k < a->nvalues; k++)
		if (strcmp(a->values[k].opt->name, name) == 0 && i-- == 0)
			return a->values[k].value != NULL ?
			    a->values[k].value : "";
	return NULL;
}

const char *
args_get(const struct cmd_args *a, const char *name)
{
	return args_nth(a, name, 0);
}

bool
args_has(const struct cmd_args *a, const char *name)
{
	return args_get(a, name) != NULL;
}

int
args_long(const struct cmd_args *a, const char *name, long min, long max,
    long *out)
{
	const char *v = args_get(a, name);
	char *end;
	long n;

	if (v == NULL)
		return OR_OK;
	errno = 0;
	n = strtol(v, &end, 10);
	if (errno != 0 || end == v || *end != '\0' || n < min || n > max)
		return err_set(OR_E_USAGE, "--%s: expected a number from %ld "
		    "to %ld, got \"%s\"", name, min, max, v);
	*out = n;
	return OR_OK;
}

/* Collects a repeatable option's values into list (at most CLI_SHARES_MAX). */
static int
cli_list(const struct cmd_args *a, const char *name, const char **list,
    size_t *n)
{
	const char *v;

	for (*n = 0; (v = args_nth(a, name, *n)) != NULL; (*n)++)
		if (*n == CLI_SHARES_MAX)
			return err_set(OR_E_USAGE, "--%s given more than %d "
			    "times", name, CLI_SHARES_MAX);
		else
			list[*n] = v;
	return OR_OK;
}

/*
 * Quorum shares on the command line: --share FILE with its
 * --share-passphrase-file FILE open a key; without --share (init), the
 * --share-passphrase-file values are the new officers' passphrases, as
 * --new-share-passphrase-file's are (reshare).
 */
static int
cli_shares(const struct cmd_args *a, struct cli_interact *cfg)
{
	const char *pass[CLI_SHARES_MAX];
	size_t npass;
	int rc;

	if ((rc = cli_list(a, "share", cfg->share_files,
	    &cfg->nshare_files)) != OR_OK ||
	    (rc = cli_list(a, "share-passphrase-file", pass, &npass)) !=
	    OR_OK ||
	    (rc = cli_list(a, "new-share-passphrase-file", cfg->new_pass_files,
	    &cfg->nnew_pass_files)) != OR_OK)
		return rc;
	if (cfg->nshare_files > 0 || cfg->nnew_pass_files > 0) {
		if (cfg->nshare_files > 0 && npass != 0 &&
		    npass != cfg->nshare_files)
			return err_set(OR_E_USAGE, "give one "
			    "--share-passphrase-file per --share, in the same "
			    "order (%zu shares, %zu passphrase files)",
			    cfg->nshare_files, npass);
		memcpy(cfg->share_pass_files, pass, npass * sizeof pass[0]);
		cfg->nshare_pass_files = npass;
	} else {
		memcpy(cfg->new_pass_files, pass, npass * sizeof pass[0]);
		cfg->nnew_pass_files = npass;
	}
	return OR_OK;
}

/* The error line: one line, whatever the message quotes (a file name, a
 * name) escaped for the terminal (names.h). */
static void
print_error(int rc)
{
	char line[4096];

	names_escape_text(err_msg(rc), false, line, sizeof line);
	fprintf(stderr, "offroot: %s\n", line);
}

static void
usage_of(const struct cmd_entry *e, FILE *f)
{
	fprintf(f, "usage: offroot %s %s\n", e->name, e->usage);
}

static void
usage_all(FILE *f)
{
	size_t i;

	fprintf(f, "usage: offroot COMMAND [options]\n\ncommands:\n");
	for (i = 0; cmd_table[i] != NULL; i++)
		fprintf(f, "  %-10s %s\n", cmd_table[i]->name,
		    cmd_table[i]->summary);
	fprintf(f, "\nSee offroot(1); \"offroot COMMAND --help\" for a "
	    "command's options.\n");
}

/* Whether arg is exactly --name or --name=value. */
static bool
exact_long(const char *arg, const char *name)
{
	size_t n = strlen(name);

	return strncmp(arg, "--", 2) == 0 && strncmp(arg + 2, name, n) == 0 &&
	    (arg[2 + n] == '\0' || arg[2 + n] == '=');
}

/* Parses argv against the entry's option spec into args. */
static int
parse_args(const struct cmd_entry *e, int argc, char **argv,
    struct cmd_args *args)
{
	struct option lopts[64];
	char shorts[128];
	size_t nopt = 0, ns = 0, k;
	int c, idx;

	memset(args, 0, sizeof *args);
	args->entry = e;
	shorts[ns++] = ':';
	for (k = 0; e->opts[k].name != NULL && nopt < 62; k++, nopt++) {
		lopts[nopt].name = e->opts[k].name;
		lopts[nopt].has_arg = (e->opts[k].flags & OPT_ARG) ?
		    required_argument : no_argument;
		lopts[nopt].flag = NULL;
		lopts[nopt].val = 256 + (int)k;
		if (e->opts[k].short_name != 0 && ns + 3 < sizeof shorts) {
			shorts[ns++] = e->opts[k].short_name;
			if (e->opts[k].flags & OPT_ARG)
				shorts[ns++] = ':';
		}
	}
	lopts[nopt].name = "help";
	lopts[nopt].has_arg = no_argument;
	lopts[nopt].flag = NULL;
	lopts[nopt].val = 'h';
	nopt++;
	memset(&lopts[nopt], 0, sizeof lopts[nopt]);
	shorts[ns] = '\0';

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, shorts, lopts, &idx)) != -1) {
		const struct cmd_opt *o = NULL;

		if (c == 'h') {
			usage_of(e, stdout);
			exit(0);
		}
		if (c == '?')
			return err_set(OR_E_USAGE, "%s: unknown option %s",
			    e->name, argv[optind - 1]);
		if (c == ':')
			return err_set(OR_E_USAGE, "%s: option %s needs a "
			    "value", e->name, argv[optind - 1]);
		if (c >= 256) {
			o = &e->opts[c - 256];
			/* No abbreviations: --passphrase must not mean
			 * --passphrase-file. */
			if (!exact_long(argv[optind - (o->flags & OPT_ARG &&
			    optarg != NULL && optind >= 2 &&
			    argv[optind - 1] == optarg ? 2 : 1)], o->name))
				return err_set(OR_E_USAGE, "%s: unknown option "
				    "(options may not be abbreviated; did you "
				    "mean --%s?)", e->name, o->name);
		}
		else
			for (k = 0; e->opts[k].name != NULL; k++)
				if (e->opts[k].short_name == c)
					o = &e->opts[k];
		if (o == NULL)
			return err_set(OR_E_USAGE, "%s: bad option", e->name);
		/* "--share $EMPTY --share-passphrase-file F" would make the
		 * next option the value: name the option instead. */
		if ((o->flags & OPT_ARG) && optarg != NULL && *optarg == '\0')
			return err_set(OR_E_USAGE, "%s: --%s needs a value (it "
			    "is empty)", e->name, o->name);
		if ((o->flags & OPT_ARG) && optarg != NULL &&
		    strncmp(optarg, "--", 2) == 0)
			return err_set(OR_E_USAGE, "%s: --%s needs a value (the "
			    "next word is the option %s)", e->name, o->name,
			    optarg);
		if (!(o->flags & OPT_MULTI) && args_has(args, o->name))
			return err_set(OR_E_USAGE, "%s: --%s given twice",
			    e->name, o->name);
		if (args->nvalues == CMD_MAX_VALUES)
			return err_set(OR_E_USAGE, "%s: too many options",
			    e->name);
		args->values[args->nvalues].opt = o;
		args->values[args->nvalues].value =
		    (o->flags & OPT_ARG) ? optarg : NULL;
		args->nvalues++;
	}
	for (k = 0; e->opts[k].name != NULL; k++)
		if ((e->opts[k].flags & OPT_REQUIRED) &&
		    !args_has(args, e->opts[k].name))
			return err_set(OR_E_USAGE, "%s: --%s is required",
			    e->name, e->opts[k].name);
	args->argc = argc - optind;
	args->argv = argv + optind;
	if (args->argc < e->min_args || args->argc > e->max_args)
		return err_set(OR_E_USAGE, "%s: expected %s", e->name,
		    e->usage);
	return OR_OK;
}

/*
 * The journal's head before a command, and after it when it changed: the
 * line the officers copy into the paper log (offroot-journal(5)), so that
 * a journal later cut back to an older head is caught by audit --head.
 * Printed for a command that failed after recording something, too,
 * before its error line.  Reading the head must not disturb the error of
 * the command, so the error text is kept aside.
 */
struct head_watch {
	const char *dir;
	uint64_t seq;
	unsigned char hash[32];
};

static void
head_watch_begin(const struct cmd_args *a, struct head_watch *w)
{
	memset(w, 0, sizeof *w);
	w->dir = args_get(a, "dir");
	if (w->dir != NULL && cadb_head(w->dir, &w->seq, w->hash) != OR_OK)
		w->seq = 0;	/* no CA yet (init) or unreadable */
	err_clear();
}

static void
head_watch_end(const struct head_watch *w, struct interact *io)
{
	char hex[2 * CADB_HEAD_LEN + 1], words[CADB_HEAD_WORDS_MAX];
	unsigned char hash[32];
	uint64_t seq;

	if (w->dir == NULL || cadb_head(w->dir, &seq, hash) != OR_OK ||
	    seq == 0 || (seq == w->seq && memcmp(hash, w->hash, 32) == 0))
		return;
	cadb_head_text(hash, hex, words);
	interact_say(io, SAY_INFO, "journal head: record %llu, %s (%s); "
	    "write it in the paper log", (unsigned long long)seq, hex, words);
}

int
main(int argc, char **argv)
{
	const struct cmd_entry *e = NULL;
	struct cli_interact cfg = { 0 };
	struct interact io;
	static struct cmd_args args;	/* large: not on the stack */
	static char *tui_argv[] = { "offroot", "tui", NULL };
	static char why[4096];
	struct head_watch watch;
	size_t i;
	int rc;

	if ((rc = secret_init()) != OR_OK) {
		print_error(rc);
		return err_exit_code(rc);
	}
	/* No command on a terminal: the TUI's home screen (offroot tui). */
	if (argc < 2 && ui_available()) {
		argc = 2;
		argv = tui_argv;
	}
	if (argc < 2) {
		fprintf(stderr, "offroot: no command given; usage: offroot "
		    "COMMAND [options] (offroot --help lists the commands)\n");
		return 2;
	}
	if (strcmp(argv[1], "--version") == 0 ||
	    strcmp(argv[1], "version") == 0) {
		printf("offroot %s\n", OFFROOT_VERSION);
		return 0;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "help") == 0) {
		usage_all(stdout);
		return 0;
	}
	for (i = 0; cmd_table[i] != NULL; i++)
		if (strcmp(cmd_table[i]->name, argv[1]) == 0)
			e = cmd_table[i];
	if (e == NULL) {
		fprintf(stderr, "offroot: unknown command \"%s\" (see offroot "
		    "--help)\n", argv[1]);
		return 2;
	}
	if ((rc = parse_args(e, argc - 1, argv + 1, &args)) != OR_OK) {
		print_error(rc);
		usage_of(e, stderr);
		return err_exit_code(rc);
	}
	interact_cli_init(&io, &cfg);
	cfg.assume_yes = args_has(&args, "yes");
	cfg.quiet = args_has(&args, "quiet");
	cfg.secret_file = args_get(&args, "passphrase-file");
	if (cfg.secret_file == NULL)	/* a token PIN, read the same way */
		cfg.secret_file = args_get(&args, "pin-file");
	/* A wrong one from a file is not asked again (interact.h). */
	io.fixed_secrets = cfg.secret_file != NULL;
	if ((rc = cli_shares(&args, &cfg)) != OR_OK) {
		print_error(rc);
		usage_of(e, stderr);
		return err_exit_code(rc);
	}
	head_watch_begin(&args, &watch);
	rc = e->exec(&args, &io);
	if (rc != OR_OK) {
		names_escape_text(err_msg(rc), false, why, sizeof why);
		head_watch_end(&watch, &io);
		fprintf(stderr, "offroot: %s\n", why);
		return err_exit_code(rc);
	}
	head_watch_end(&watch, &io);
	return 0;
}
