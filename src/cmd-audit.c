/* cmd-audit.c — offroot audit: verify the CA directory without its key. */
#include "audit.h"
#include "cmd.h"
#include "err.h"

static const struct cmd_opt audit_opts[] = {
	{ "dir", 'd', OPT_ARG | OPT_REQUIRED },
	{ NULL, 0, 0 }
};

static int
audit_exec(struct cmd_args *a, struct interact *io)
{
	struct audit_result res;
	int rc;

	if ((rc = audit_run(args_get(a, "dir"), &res)) != OR_OK)
		return err_context(rc, "audit failed");
	interact_say(io, SAY_RESULT, "audit: %llu journal records, chain "
	    "intact; %llu artefacts match their digests; %llu transcripts "
	    "sealed by the root key", (unsigned long long)res.records,
	    (unsigned long long)res.artefacts,
	    (unsigned long long)res.transcripts);
	if (res.abandoned > 0)
		interact_say(io, SAY_WARN, "%llu unfinished transcript%s: "
		    "operations that were interrupted (their records say how "
		    "far they got)", (unsigned long long)res.abandoned,
		    res.abandoned == 1 ? "" : "s");
	if (res.failed > 0)
		interact_say(io, SAY_INFO, "%llu failed run%s that recorded "
		    "nothing (closed transcripts without a seal, not in the "
		    "journal)", (unsigned long long)res.failed,
		    res.failed == 1 ? "" : "s");
	return OR_OK;
}

const struct cmd_entry cmd_audit_entry = {
	"audit",
	"-d DIR",
	"verify the journal's hash chain and every artefact it names",
	audit_opts, 0, 0, audit_exec
};
