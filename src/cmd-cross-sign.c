/*
 * cmd-cross-sign.c — offroot cross-sign: the root certifies another CA's
 * subject and public key, taken from its certificate, once the officers
 * confirmed its fingerprint as verified out of band.  The work, and its
 * lifecycle (op.h), is cross.c's cross_sign; this file only turns the
 * command line into cross_params.
 */
#include "cmd.h"
#include "cross.h"
#include "err.h"
#include "util.h"

static const struct cmd_opt cross_opts[] = {
	{ "dir", 'd', OPT_ARG | OPT_REQUIRED },
	{ "cert", 0, OPT_ARG | OPT_REQUIRED },
	{ "profile", 0, OPT_ARG | OPT_REQUIRED },
	{ "profiles", 0, OPT_ARG },
	{ "days", 0, OPT_ARG },
	{ "output", 'o', OPT_ARG | OPT_REQUIRED },
	{ "fingerprint", 0, OPT_ARG },
	{ "allow-mixed-scripts", 0, 0 },
	CMD_OPTS_UNLOCK,
	{ "quiet", 'q', 0 },
	{ NULL, 0, 0 }
};

static int
cross_exec(struct cmd_args *a, struct interact *io)
{
	struct cross_params p = { 0 };
	struct cross_result res;
	char fp[1024];
	int rc;

	p.dir = args_get(a, "dir");
	p.cert = args_get(a, "cert");
	p.profile_name = args_get(a, "profile");
	p.profiles_file = args_get(a, "profiles");
	p.outdir = args_get(a, "output");
	p.fingerprint = args_get(a, "fingerprint");
	p.allow_mixed_scripts = args_has(a, "allow-mixed-scripts");
	if ((rc = args_long(a, "days", 1, 36525, &p.days)) != OR_OK)
		return rc;
	if ((rc = cross_sign(&p, io, &res)) != OR_OK)
		return rc;
	interact_say(io, SAY_RESULT, "cross-signed %s as serial %s; bundle "
	    "written to %s", p.cert, res.serial, p.outdir);
	fingerprint_block(res.cert_sha256, fp, sizeof fp);
	io->show_block(io, "SHA-256 of the cross-certificate:", fp);
	fingerprint_block(res.manifest_sha256, fp, sizeof fp);
	io->show_block(io, "SHA-256 of the bundle's MANIFEST:", fp);
	return OR_OK;
}

const struct cmd_entry cmd_cross_sign_entry = {
	"cross-sign",
	"-d DIR --cert OTHER.pem --profile NAME -o OUTDIR [--profiles FILE] "
	    "[--days N] [--fingerprint SHA256] [--allow-mixed-scripts] "
	    CMD_USAGE_UNLOCK,
	"certify another CA's subject and key from its certificate",
	cross_opts, 0, 0, cross_exec
};
