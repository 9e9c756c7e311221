/*
 * cmd-audit.c — offroot audit: verify the CA directory without its key;
 * with --head, also that the journal still holds a head from the paper
 * log, and with --crl, that a published CRL knows no revocation the
 * journal lacks (a journal cut short: audit-cut.c).
 */
#include <inttypes.h>

#include "audit.h"
#include "cmd.h"
#include "err.h"

static const struct cmd_opt audit_opts[] = {
	{ "dir", 'd', OPT_ARG | OPT_REQUIRED },
	{ "head", 0, OPT_ARG | OPT_MULTI },
	{ "crl", 0, OPT_ARG | OPT_MULTI },
	{ NULL, 0, 0 }
};

/* Every --head: parsed only (io NULL), then checked. */
static int
audit_heads(struct cmd_args *a, struct interact *io)
{
	struct audit_head h;
	const char *v;
	uint64_t seq, records;
	size_t i;
	int rc;

	for (i = 0; (v = args_nth(a, "head", i)) != NULL; i++) {
		if ((rc = audit_head_parse(v, &h)) != OR_OK)
			return rc;
		if (io == NULL)
			continue;
		if ((rc = audit_head_check(args_get(a, "dir"), &h, &seq,
		    &records)) != OR_OK)
			return rc;
		interact_say(io, SAY_RESULT, "audit: head %s is journal record "
		    "%" PRIu64 " of %" PRIu64 "", v, seq, records);
	}
	return OR_OK;
}

/* Every --crl: a CRL from elsewhere against the journal. */
static int
audit_crls(struct cmd_args *a, struct interact *io)
{
	const char *v;
	size_t i;
	int rc;

	for (i = 0; (v = args_nth(a, "crl", i)) != NULL; i++) {
		if ((rc = audit_crl_file(args_get(a, "dir"), v)) != OR_OK)
			return rc;
		interact_say(io, SAY_RESULT, "audit: %s lists no revocation "
		    "the journal lacks", v);
	}
	return OR_OK;
}

static int
audit_exec(struct cmd_args *a, struct interact *io)
{
	struct audit_result res;
	int rc;

	/* A malformed head is a usage error before anything is read. */
	if ((rc = audit_heads(a, NULL)) != OR_OK)
		return rc;
	if ((rc = audit_run(args_get(a, "dir"), &res)) != OR_OK)
		return err_context(rc, "audit failed");
	interact_say(io, SAY_RESULT, "audit: %llu journal records, chain "
	    "intact; %llu artefacts match their digests; %llu transcripts "
	    "sealed by the root key", (unsigned long long)res.records,
	    (unsigned long long)res.artefacts,
	    (unsigned long long)res.transcripts);
	if (res.migrated != 0)
		interact_say(io, SAY_RESULT, "audit: the root key was imported "
		    "into token \"%s\" by migrate (journal record %llu), not "
		    "generated there: the token reports it never always "
		    "sensitive, once extractable; the sealed key file is gone",
		    res.migrated_token, (unsigned long long)res.migrated);
	if (res.ahead > 0)
		interact_say(io, SAY_RESULT, "audit: %llu CRL%s signed ahead "
		    "match their records; %llu schedule folder%s checked",
		    (unsigned long long)res.ahead, res.ahead == 1 ? "" : "s",
		    (unsigned long long)res.ahead_folders,
		    res.ahead_folders == 1 ? "" : "s");
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
	if ((rc = audit_heads(a, io)) != OR_OK ||
	    (rc = audit_crls(a, io)) != OR_OK)
		return err_context(rc, "audit failed");
	return OR_OK;
}

const struct cmd_entry cmd_audit_entry = {
	"audit",
	"-d DIR [--head HEAD] ... [--crl FILE] ...",
	"verify the journal's hash chain and every artefact it names",
	audit_opts, 0, 0, audit_exec
};
