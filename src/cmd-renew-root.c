/*
 * cmd-renew-root.c — offroot renew-root: a new self-signed certificate for
 * the root's key and subject, with a new serial and validity, before the
 * current one expires.  The command layer only: the review, the order of
 * the writes and their recovery are renew.c's (renew.h); this turns the
 * options into renew_params and shows the new fingerprint for the
 * witnesses to read aloud.
 */
#include <stdio.h>

#include "cmd.h"
#include "err.h"
#include "renew.h"
#include "util.h"

static const struct cmd_opt renew_root_opts[] = {
	{ "dir", 'd', OPT_ARG | OPT_REQUIRED },
	{ "days", 0, OPT_ARG },
	{ "profile", 0, OPT_ARG },
	{ "output", 'o', OPT_ARG },
	CMD_OPTS_UNLOCK,
	{ "quiet", 'q', 0 },
	{ NULL, 0, 0 }
};

static int
renew_root_exec(struct cmd_args *a, struct interact *io)
{
	struct renew_params p = { 0 };
	struct renew_result res;
	char when[2][21], fp[1024];
	int rc;

	p.dir = args_get(a, "dir");
	p.profile_name = args_get(a, "profile");
	p.outdir = args_get(a, "output");
	if ((rc = args_long(a, "days", 1, 36525, &p.days)) != OR_OK)
		return rc;
	if ((rc = renew_run(&p, NULL, io, &res)) != OR_OK)
		return rc;
	utc_text(res.plan.not_before, when[0]);
	utc_text(res.plan.not_after, when[1]);
	interact_say(io, SAY_RESULT, "renewed the root certificate of %s: "
	    "serial %s, valid %s to %s; the previous one (serial %s) is %s/%s",
	    p.dir, res.plan.serial, when[0], when[1], res.plan.prev_serial,
	    p.dir, res.plan.prev_file);
	if (res.exported) {
		fingerprint_block(res.manifest_sha256, fp, sizeof fp);
		interact_say(io, SAY_RESULT, "bundle written to %s", p.outdir);
		io->show_block(io, "SHA-256 of the bundle's MANIFEST:", fp);
	}
	io->show_block(io, "SHA-256 fingerprint of the new root.crt (read it "
	    "aloud):", res.fingerprint);
	return OR_OK;
}

const struct cmd_entry cmd_renew_root_entry = {
	"renew-root",
	"-d DIR [--days N] [--profile NAME] [-o OUTDIR] " CMD_USAGE_UNLOCK,
	"renew the root certificate: same key and subject, new serial and "
	    "validity",
	renew_root_opts, 0, 0, renew_root_exec
};
