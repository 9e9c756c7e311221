/*
 * cmd-verify.c — offroot verify: check a signed bundle on the online side,
 * with the root certificate and no key, before installing anything the
 * offline ceremony produced.  The command layer only: the checks are
 * verify_bundle's (verify.c), and verify_cross's for a cross-certificate's
 * bundle (--other); this prints the summary.
 */
#include "cmd.h"
#include "err.h"
#include "sign.h"
#include "verify.h"

static const struct cmd_opt verify_opts[] = {
	{ "root", 0, OPT_ARG | OPT_REQUIRED },
	{ "csr", 0, OPT_ARG | OPT_MULTI },
	{ "other", 0, OPT_ARG },
	{ NULL, 0, 0 }
};

static int
verify_exec(struct cmd_args *a, struct interact *io)
{
	const char *csrs[SIGN_MAX_CSRS];
	struct verify_result res;
	size_t n = 0;
	int rc;

	while (n < SIGN_MAX_CSRS && (csrs[n] = args_nth(a, "csr", n)) != NULL)
		n++;
	if ((rc = verify_bundle(a->argv[0], args_get(a, "root"), csrs, n,
	    &res)) != OR_OK || (args_has(a, "other") &&
	    (rc = verify_cross(a->argv[0], args_get(a, "other"))) != OR_OK))
		return err_context(rc, "%s: verification failed", a->argv[0]);
	if (res.renewal) {
		interact_say(io, SAY_RESULT, "%s: verified: a renewal of the "
		    "root: MANIFEST signed by the root, %zu files match their "
		    "digests, root.pem and previous-root.pem are certificates "
		    "of the same key and subject, transcript sealed",
		    a->argv[0], res.files);
		return OR_OK;
	}
	if (res.transition) {
		interact_say(io, SAY_RESULT, "%s: verified: a rollover's "
		    "transition export: MANIFEST signed by the new root, %zu "
		    "files match their digests, cross-signed-by-old.pem is the "
		    "old root's certificate of the new root, roots-transition.pem "
		    "holds both roots, transcript sealed", a->argv[0],
		    res.files);
		return OR_OK;
	}
	if (res.crls > 0) {
		interact_say(io, SAY_RESULT, "%s: verified: MANIFEST signed by "
		    "the root, %zu files match their digests, %zu CRLs signed "
		    "ahead by the root, consecutive and named for their number "
		    "and date; publish each at its time (SCHEDULE.txt)",
		    a->argv[0], res.files, res.crls);
		return OR_OK;
	}
	interact_say(io, SAY_RESULT, "%s: verified: MANIFEST signed by the root, "
	    "%zu files match their digests, %zu certificate%s chain to the "
	    "root, %zu CSR%s matched, CRL current, transcript sealed",
	    a->argv[0], res.files, res.certificates,
	    res.certificates == 1 ? "" : "s", res.csrs_matched,
	    res.csrs_matched == 1 ? "" : "s");
	if (args_has(a, "other"))
		interact_say(io, SAY_RESULT, "%s: a cross-certificate for the "
		    "subject, key and key identifier of %s", a->argv[0],
		    args_get(a, "other"));
	if (res.other_root)
		interact_say(io, SAY_INFO, "%s: its root.pem is another "
		    "certificate of the given root (the same key and subject: "
		    "renewed since, or before)", a->argv[0]);
	return OR_OK;
}

const struct cmd_entry cmd_verify_entry = {
	"verify",
	"BUNDLE --root ROOT.pem [--csr FILE ...] [--other OTHER.pem]",
	"check a signed bundle without any key (the online side)",
	verify_opts, 1, 1, verify_exec
};
