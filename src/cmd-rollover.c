/*
 * cmd-rollover.c — offroot rollover: a successor root under a new key in
 * its own CA directory, certified by the old root (and, with --both-ways,
 * certifying it), with the transition export trust stores take during the
 * overlap.  The work is rollover.c's; this file turns the command line
 * into rollover_params, taking the new root's key and profile options
 * exactly as init does (cmd_init_params), and gives the old key its own
 * passphrase or PIN file: the two keys never share one.
 */
#include <stddef.h>
#include <string.h>

#include "cmd.h"
#include "err.h"
#include "keystore.h"
#include "rollover.h"
#include "secret.h"
#include "share.h"

static const struct cmd_opt rollover_opts[] = {
	{ "dir", 'd', OPT_ARG | OPT_REQUIRED },
	{ "new-dir", 0, OPT_ARG | OPT_REQUIRED },
	{ "output", 'o', OPT_ARG | OPT_REQUIRED },
	{ "both-ways", 0, 0 },
	{ "overlap-days", 0, OPT_ARG },
	{ "cross-profile", 0, OPT_ARG },
	{ "cross-days", 0, OPT_ARG },
	{ "old-passphrase-file", 0, OPT_ARG },
	{ "old-pin-file", 0, OPT_ARG },
	/* init's, for the new root */
	CMD_OPTS_NEW_ROOT,
	{ NULL, 0, 0 }
};

/* The face that unlocks the old key: the command's own, except that its
 * secret comes from --old-passphrase-file or --old-pin-file. */
struct old_face {
	struct interact io;	/* first: the face's calls get &io */
	const char *file;
};

static int
old_ask_secret(struct interact *io, const char *prompt, bool twice,
    struct secret **out)
{
	const struct old_face *f = (const struct old_face *)io;

	(void)prompt;
	(void)twice;
	return secret_from_file(f->file, out);
}

static int
old_face_init(struct cmd_args *a, struct interact *io, struct old_face *f,
    struct interact **out)
{
	const char *pass = args_get(a, "old-passphrase-file");
	const char *pin = args_get(a, "old-pin-file");

	*out = NULL;
	if (pass != NULL && pin != NULL)
		return err_set(OR_E_USAGE, "--old-passphrase-file or "
		    "--old-pin-file, not both");
	f->file = pass != NULL ? pass : pin;
	if (f->file == NULL) {
		/* A file answers the new key's secret: the old one is not
		 * that, and asking the terminal would mix the two. */
		if (io->fixed_secrets)
			return err_set(OR_E_USAGE, "the new key's secret comes "
			    "from a file; give the old key's too "
			    "(--old-passphrase-file or --old-pin-file)");
		return OR_OK;
	}
	f->io = *io;
	f->io.ask_secret = old_ask_secret;
	f->io.fixed_secrets = true;
	*out = &f->io;
	return OR_OK;
}

static int
rollover_exec(struct cmd_args *a, struct interact *io)
{
	const char *dirs[SEALED_QUORUM_MAX_N + 1];
	struct rootca_params ip;
	struct rollover_params p;
	struct rollover_result res;
	struct old_face of;
	int rc;

	memset(&ip, 0, sizeof ip);
	memset(&p, 0, sizeof p);
	memset(&of, 0, sizeof of);
	ip.dir = args_get(a, "new-dir");
	if ((rc = cmd_init_params(a, &ip, dirs)) != OR_OK ||
	    (rc = old_face_init(a, io, &of, &p.old_io)) != OR_OK ||
	    (rc = args_long(a, "overlap-days", 1, 36525, &p.overlap_days)) !=
	    OR_OK ||
	    (rc = args_long(a, "cross-days", 1, 36525, &p.cross_days)) !=
	    OR_OK)
		return rc;
	p.old_dir = args_get(a, "dir");
	p.init = &ip;
	p.outdir = args_get(a, "output");
	p.both_ways = args_has(a, "both-ways");
	p.cross_profile = args_get(a, "cross-profile");
	if ((rc = rollover_run(&p, io, &res)) != OR_OK)
		return rc;
	interact_say(io, SAY_RESULT, "rolled over: the new root in %s, "
	    "certified by the old root as serial %s%s%s; the transition "
	    "export in %s", ip.dir, res.cross_serial, p.both_ways ?
	    ", the old root certified by the new as serial " : "",
	    p.both_ways ? res.back_serial : "", p.outdir);
	io->show_block(io, "SHA-256 of the old root:", res.old_fingerprint);
	io->show_block(io, "SHA-256 of the new root (read it aloud):",
	    res.new_fingerprint);
	return OR_OK;
}

const struct cmd_entry cmd_rollover_entry = {
	"rollover",
	"-d OLD --new-dir NEW -o OUTDIR --subject DN [--both-ways] "
	    "[--overlap-days N] [--cross-profile NAME] [--cross-days N] "
	    "[--old-passphrase-file FILE | --old-pin-file FILE] "
	    "[init's key and profile options: --key TYPE --profile NAME "
	    "--profiles FILE --days N --kdf LEVEL --passphrase-file FILE "
	    "--quorum M/N --share-dir DIR ... --store pkcs11 ...] [--yes]",
	"make a successor root under a new key, cross-signed by the old root",
	rollover_opts, 0, 0, rollover_exec
};
