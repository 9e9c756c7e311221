/*
 * cmd-export.c — offroot export: write the signed bundle again for
 * certificates this CA already issued (e.g. after the media failed).  The
 * work, and its lifecycle (op.h), is sign.c's sign_export.
 */
#include "cmd.h"
#include "err.h"
#include "sign.h"
#include "util.h"

static const struct cmd_opt export_opts[] = {
	{ "dir", 'd', OPT_ARG | OPT_REQUIRED },
	{ "serial", 0, OPT_ARG | OPT_MULTI | OPT_REQUIRED },
	{ "output", 'o', OPT_ARG | OPT_REQUIRED },
	{ "include-revoked", 0, 0 },
	CMD_OPTS_UNLOCK,
	{ "quiet", 'q', 0 },
	{ NULL, 0, 0 }
};

static int
export_exec(struct cmd_args *a, struct interact *io)
{
	static const char *serials[SIGN_MAX_CSRS];
	struct export_params p = { 0 };
	struct sign_result res;
	char fp[1024];
	size_t n = 0;
	int rc;

	while ((serials[n] = args_nth(a, "serial", n)) != NULL)
		if (++n == SIGN_MAX_CSRS)
			return err_set(OR_E_USAGE, "at most %d serials at once",
			    SIGN_MAX_CSRS);
	p.dir = args_get(a, "dir");
	p.serials = serials;
	p.nserial = n;
	p.outdir = args_get(a, "output");
	p.include_revoked = args_has(a, "include-revoked");
	if ((rc = sign_export(&p, io, &res)) != OR_OK)
		return rc;
	interact_say(io, SAY_RESULT, "exported %zu certificate%s to %s",
	    res.issued, res.issued == 1 ? "" : "s", p.outdir);
	fingerprint_block(res.manifest_sha256, fp, sizeof fp);
	io->show_block(io, "SHA-256 of the bundle's MANIFEST:", fp);
	return OR_OK;
}

const struct cmd_entry cmd_export_entry = {
	"export",
	"-d DIR --serial HEX [--serial HEX ...] -o OUTDIR [--include-revoked] "
	    CMD_USAGE_UNLOCK,
	"write the signed bundle again for certificates already issued",
	export_opts, 0, 0, export_exec
};
