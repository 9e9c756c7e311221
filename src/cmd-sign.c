/*
 * cmd-sign.c — offroot sign: sign intermediate CSRs with the root and write
 * the signed bundle.  The work, and its lifecycle (op.h), is sign.c's
 * sign_run; this file only turns the command line into sign_params.
 */
#include "cmd.h"
#include "err.h"
#include "sign.h"
#include "util.h"

static const struct cmd_opt sign_opts[] = {
	{ "dir", 'd', OPT_ARG | OPT_REQUIRED },
	{ "csr", 0, OPT_ARG | OPT_MULTI | OPT_REQUIRED },
	{ "profile", 0, OPT_ARG },
	{ "profiles", 0, OPT_ARG },
	{ "days", 0, OPT_ARG },
	{ "output", 'o', OPT_ARG | OPT_REQUIRED },
	{ "allow-mixed-scripts", 0, 0 },
	{ "allow-similar-subject", 0, 0 },
	{ "allow-reissue", 0, 0 },
	CMD_OPTS_UNLOCK,
	{ "quiet", 'q', 0 },
	{ NULL, 0, 0 }
};

static int
sign_exec(struct cmd_args *a, struct interact *io)
{
	static const char *csrs[SIGN_MAX_CSRS];
	struct sign_params p = { 0 };
	struct sign_result res;
	char fp[1024];
	size_t n = 0;
	int rc;

	while ((csrs[n] = args_nth(a, "csr", n)) != NULL)
		if (++n == SIGN_MAX_CSRS)
			return err_set(OR_E_USAGE, "at most %d CSRs at once",
			    SIGN_MAX_CSRS);
	p.dir = args_get(a, "dir");
	p.csrs = csrs;
	p.ncsr = n;
	p.profile_name = args_get(a, "profile");
	p.profiles_file = args_get(a, "profiles");
	p.outdir = args_get(a, "output");
	p.allow_mixed_scripts = args_has(a, "allow-mixed-scripts");
	p.allow_similar_subject = args_has(a, "allow-similar-subject");
	p.allow_reissue = args_has(a, "allow-reissue");
	if ((rc = args_long(a, "days", 1, 36525, &p.days)) != OR_OK)
		return rc;
	if ((rc = sign_run(&p, io, &res)) != OR_OK)
		return rc;
	interact_say(io, SAY_RESULT, "signed %zu certificate%s; bundle written "
	    "to %s", res.issued, res.issued == 1 ? "" : "s", p.outdir);
	fingerprint_block(res.manifest_sha256, fp, sizeof fp);
	io->show_block(io, "SHA-256 of the bundle's MANIFEST:", fp);
	return OR_OK;
}

const struct cmd_entry cmd_sign_entry = {
	"sign",
	"-d DIR --csr FILE [--csr FILE ...] -o OUTDIR [--profile NAME] "
	    "[--profiles FILE] [--days N] [--allow-mixed-scripts] "
	    "[--allow-similar-subject] [--allow-reissue] " CMD_USAGE_UNLOCK,
	"sign intermediate CSRs with the root and export the signed bundle",
	sign_opts, 0, 0, sign_exec
};
