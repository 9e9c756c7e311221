/* cmd-crl.c — offroot crl: sign the next CRL. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cadb.h"
#include "cmd.h"
#include "crl.h"
#include "err.h"
#include "keystore.h"
#include "revoke.h"
#include "transcript.h"
#include "util.h"

static const struct cmd_opt crl_opts[] = {
	{ "dir", 'd', OPT_ARG | OPT_REQUIRED },
	{ "output", 'o', OPT_ARG | OPT_REQUIRED },
	{ "days", 0, OPT_ARG },
	{ "this-update", 0, OPT_ARG },
	{ "der", 0, 0 },
	CMD_OPTS_UNLOCK,
	{ "quiet", 'q', 0 },
	{ NULL, 0, 0 }
};

/* A failed run still closes its transcript, saying why. */
static void
close_failed(struct transcript *tr, struct cadb *db, struct keystore *ks,
    int rc)
{
	char why[512];

	snprintf(why, sizeof why, "%s", err_msg(rc));
	{
		struct jfields f;

		jf_init(&f);
		jf_add(&f, "error", err_name(rc));
		jf_add(&f, "text", why);
		if (transcript_add(tr, "failed", &f) == OR_OK)
			(void)transcript_finish(tr, db->journal, ks);
	}
	err_set(rc, "%s", why);
}

static int
crl_exec(struct cmd_args *a, struct interact *io)
{
	const char *dir = args_get(a, "dir"), *v;
	struct crl_params p = { 0, 0, NULL, false };
	struct crl_plan plan;
	struct crl_result res;
	struct revoke_db rdb;
	struct transcript *tr = NULL;
	struct keystore *ks = NULL;
	struct cadb *db = NULL;
	struct stat st;
	X509 *root = NULL;
	char tu[21], nu[21], num[24], ent[24];
	int rc;

	memset(&plan, 0, sizeof plan);
	memset(&res, 0, sizeof res);
	if ((rc = args_long(a, "days", 1, 36525, &p.days)) != OR_OK)
		return rc;
	if ((v = args_get(a, "this-update")) != NULL &&
	    (rc = revoke_parse_time(v, &p.this_update)) != OR_OK)
		return err_context(rc, "--this-update");
	p.out = args_get(a, "output");
	p.der = args_has(a, "der");
	if (lstat(p.out, &st) == 0)
		return err_set(OR_E_EXISTS, "%s already exists; refusing to "
		    "overwrite it", p.out);

	/* One pass over the journal verifies it and replays it. */
	revoke_db_init(&rdb, REVOKE_DB_ENTRIES);
	if ((rc = cadb_open_visit(dir, revoke_db_visit, &rdb, &db)) != OR_OK ||
	    (rc = revoke_db_finish(&rdb)) != OR_OK ||
	    (rc = cadb_load_root(dir, &db->sum, &root)) != OR_OK) {
		revoke_db_free(&rdb);
		goto out;
	}
	if ((rc = crl_prepare_with(db, root, &p, &rdb, &plan)) != OR_OK)
		goto out;
	if (plan.rdb.incomplete_batches > 0)
		interact_say(io, SAY_WARN, "%" PRIu64 " bulk revocation(s) "
		    "were interrupted and have no effect (the last began at "
		    "journal record %" PRIu64 "); run them again",
		    plan.rdb.incomplete_batches, plan.rdb.incomplete_seq);
	if (plan.clamped)
		interact_say(io, SAY_WARN, "the root expires before the "
		    "default %d days are over: nextUpdate is the root's "
		    "notAfter", CRL_DEFAULT_DAYS);
	utc_text(plan.spec.this_update, tu);
	utc_text(plan.spec.next_update, nu);
	interact_say(io, SAY_INFO, "CRL number %" PRIu64 ": %zu entries, "
	    "thisUpdate %s, nextUpdate %s", plan.spec.number, plan.spec.n, tu,
	    nu);
	if ((rc = cadb_unlock(db, root, io, &ks)) != OR_OK ||
	    (rc = transcript_begin(dir, "crl", &tr)) != OR_OK)
		goto out;
	if ((rc = crl_sign(db, ks, io, &p, &plan, &res)) != OR_OK) {
		close_failed(tr, db, ks, rc);
		goto out;
	}
	snprintf(num, sizeof num, "%" PRIu64, res.number);
	snprintf(ent, sizeof ent, "%zu", res.entries);
	{
		struct jfields f;

		jf_init(&f);
		jf_add(&f, "number", num);
		jf_add(&f, "this_update", tu);
		jf_add(&f, "next_update", nu);
		jf_add(&f, "entries", ent);
		jf_add(&f, "file", res.file);
		jf_add(&f, "sha256", res.sha256);
		jf_add(&f, "output", p.out);
		if ((rc = transcript_add(tr, "crl", &f)) != OR_OK ||
		    (rc = transcript_finish(tr, db->journal, ks)) != OR_OK) {
			/* The CRL is done and recorded; only its transcript
			 * stays open (a key store that failed at the seal). */
			rc = err_context(rc, "CRL number %" PRIu64 " was "
			    "signed, written to %s and recorded, but its "
			    "transcript was not sealed", res.number, p.out);
			goto out;
		}
	}
	interact_say(io, SAY_RESULT, "CRL number %" PRIu64 " (%zu entries, "
	    "nextUpdate %s) written to %s and %s/%s/%s", res.number,
	    res.entries, nu, p.out, dir, CADB_CRLS, res.file);
	interact_say(io, SAY_INFO, "SHA-256 %s", res.sha256);
out:
	crl_result_free(&res);
	crl_plan_free(&plan);
	transcript_free(tr);
	keystore_close(ks);
	X509_free(root);
	cadb_close(db);
	return rc;
}

const struct cmd_entry cmd_crl_entry = {
	"crl",
	"-d DIR -o FILE [--days N] [--this-update TIME] [--der] "
	    CMD_USAGE_UNLOCK,
	"sign the next CRL (also kept in DIR/crls/)",
	crl_opts, 0, 0, crl_exec
};
