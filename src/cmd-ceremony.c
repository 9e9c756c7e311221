/*
 * cmd-ceremony.c — offroot ceremony: run a ceremony script, in the TUI on
 * a terminal, or with the batch runner from an answers file (rehearsals,
 * tests), or plainly on the CLI.  This file only turns options into
 * ceremony_params and picks the struct interact; the run itself, and what
 * happens when it stops, is ceremony_execute's, the same for every
 * runner and for the TUI's home screen (cmd-tui.c).
 */
#include <stdio.h>
#include <string.h>

#include "ceremony.h"
#include "cmd.h"
#include "err.h"
#include "interact-batch.h"
#include "keystore.h"
#include "ui.h"

static const struct cmd_opt ceremony_opts[] = {
	{ "dir", 'd', OPT_ARG | OPT_REQUIRED },
	{ "media", 0, OPT_ARG },
	{ "token", 0, OPT_ARG },
	{ "module", 0, OPT_ARG },
	{ "answers", 0, OPT_ARG },
	{ "kdf", 0, OPT_ARG },
	{ "passphrase-file", 0, OPT_ARG },
	{ "pin-file", 0, OPT_ARG },
	{ "share-passphrase-file", 0, OPT_ARG | OPT_MULTI },
	{ "new-share-passphrase-file", 0, OPT_ARG | OPT_MULTI },
	{ "quiet", 'q', 0 },
	{ NULL, 0, 0 }
};

/* ceremony_execute as ui_run's worker. */
static int
run(struct interact *io, void *arg)
{
	return ceremony_execute(arg, io);
}

/* A repeated passphrase-file option's values, in order. */
static int
pass_files(struct cmd_args *a, const char *name, const char **list,
    size_t *n)
{
	const char *v;

	for (*n = 0; (v = args_nth(a, name, *n)) != NULL; (*n)++) {
		if (*n == CLI_SHARES_MAX)
			return err_set(OR_E_USAGE, "--%s given more than %d "
			    "times", name, CLI_SHARES_MAX);
		list[*n] = v;
	}
	return OR_OK;
}

static int
ceremony_exec(struct cmd_args *a, struct interact *io)
{
	struct ceremony_params p;
	struct batch_answers ans;
	struct batch_interact bcfg;
	struct interact bio;
	const char *kdf = args_get(a, "kdf");
	const char *spass[CLI_SHARES_MAX], *npass[CLI_SHARES_MAX];
	size_t nspass, nnpass;
	enum kdf_level level;
	int rc;

	if ((rc = pass_files(a, "share-passphrase-file", spass, &nspass)) !=
	    OR_OK || (rc = pass_files(a, "new-share-passphrase-file", npass,
	    &nnpass)) != OR_OK)
		return rc;
	if ((nspass != 0 || nnpass != 0) && !args_has(a, "answers"))
		return err_set(OR_E_USAGE, "--share-passphrase-file and "
		    "--new-share-passphrase-file are for the batch runner "
		    "(--answers); on a terminal each officer types their own");
	if (kdf != NULL && kdf_level_parse(kdf, &level) != OR_OK)
		return err_set(OR_E_USAGE, "--kdf: expected sensitive, moderate "
		    "or interactive, got \"%s\"", kdf);
	memset(&p, 0, sizeof p);
	p.script = a->argv[0];
	p.dir = args_get(a, "dir");
	p.media = args_get(a, "media");
	p.token = args_get(a, "token");
	p.module = args_get(a, "module");
	/* Both: the passphrase opens the sealed key, the PIN the token a
	 * migrate step moves it into. */
	if (args_has(a, "passphrase-file"))
		p.pin_file = args_get(a, "pin-file");
	p.kdf = kdf;
	if (kdf != NULL && strcmp(kdf, "sensitive") != 0)
		interact_say(io, SAY_WARN, "--kdf %s: a rehearsal setting; the "
		    "transcript records it", kdf);

	if (args_has(a, "answers")) {
		if ((rc = batch_answers_load(args_get(a, "answers"), &ans)) !=
		    OR_OK)
			return rc;
		if (nspass != 0 && nspass != ans.nshares) {
			rc = err_set(OR_E_USAGE, "give one "
			    "--share-passphrase-file per share line of %s, in "
			    "the same order (%zu share lines, %zu passphrase "
			    "files)", ans.name, ans.nshares, nspass);
			batch_answers_free(&ans);
			return rc;
		}
		memset(&bcfg, 0, sizeof bcfg);
		bcfg.a = &ans;
		bcfg.share_pass = spass;
		bcfg.nshare_pass = nspass;
		bcfg.new_pass = npass;
		bcfg.nnew_pass = nnpass;
		bcfg.quiet = args_has(a, "quiet");
		bcfg.secret_file = args_get(a, "passphrase-file");
		if (bcfg.secret_file == NULL)
			bcfg.secret_file = args_get(a, "pin-file");
		interact_batch_init(&bio, &bcfg);
		p.runner = "batch";
		p.participants = ans.participants;
		p.nparticipants = ans.nparticipants;
		p.overrides = ans.overrides;
		p.noverrides = ans.noverrides;
		p.resume = ans.resume;
		rc = ceremony_execute(&p, &bio);
		if (rc == OR_OK)
			interact_batch_unused(&bio, &bcfg);
		batch_answers_free(&ans);
		return rc;
	}
	if (ui_available()) {
		struct ui_options o;
		struct interact tio;

		memset(&o, 0, sizeof o);
		o.ca_dir = p.dir;
		o.media = p.media;
		p.runner = "tui";
		if ((rc = ui_open(&tio, &o)) != OR_OK)
			return rc;
		rc = ui_run(&tio, "Ceremony", run, &p);
		ui_close(&tio);
		return rc;
	}
	p.runner = "cli";
	return ceremony_execute(&p, io);
}

const struct cmd_entry cmd_ceremony_entry = {
	"ceremony",
	"SCRIPT -d DIR [--media DIR] [--token URI [--module PATH]] "
	    "[--answers FILE] [--passphrase-file FILE] [--pin-file FILE] "
	    "[--share-passphrase-file FILE ...] "
	    "[--new-share-passphrase-file FILE ...] [--kdf LEVEL]",
	"run a ceremony script step by step (TUI, or batch with --answers);\n"
	    "             without --media the medium is picked from those mounted",
	ceremony_opts, 1, 1, ceremony_exec
};
