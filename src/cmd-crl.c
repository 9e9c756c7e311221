/*
 * cmd-crl.c — offroot crl: sign the next CRL, with every revocation the
 * journal records, write it to -o and keep a copy in DIR/crls/; with
 * --ahead N, sign N CRLs with staggered dates into the folder -o, with
 * SCHEDULE.txt saying when to publish each (crl-ahead.h).  CRL
 * numbers only go up: the number is reserved in the journal before the key
 * signs.  The run follows op.h: refusals (the lint of the CRL's dates) come
 * before the key is unlocked, and a failed run closes its transcript
 * saying why.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cadb.h"
#include "cmd.h"
#include "crl.h"
#include "crl-ahead.h"
#include "err.h"
#include "op.h"
#include "revoke.h"
#include "transcript.h"
#include "util.h"

static const struct cmd_opt crl_opts[] = {
	{ "dir", 'd', OPT_ARG | OPT_REQUIRED },
	{ "output", 'o', OPT_ARG | OPT_REQUIRED },
	{ "days", 0, OPT_ARG },
	{ "this-update", 0, OPT_ARG },
	{ "der", 0, 0 },
	{ "ahead", 0, OPT_ARG },
	{ "interval", 0, OPT_ARG },
	CMD_OPTS_UNLOCK,
	{ "quiet", 'q', 0 },
	{ NULL, 0, 0 }
};

/* What will be signed, said before the key is asked for. */
static void
crl_announce(struct interact *io, const struct crl_plan *plan)
{
	char tu[21], nu[21];

	if (plan->rdb.incomplete_batches > 0)
		interact_say(io, SAY_WARN, "%" PRIu64 " bulk revocation(s) "
		    "were interrupted and have no effect (the last began at "
		    "journal record %" PRIu64 "); run them again",
		    plan->rdb.incomplete_batches, plan->rdb.incomplete_seq);
	if (plan->clamped)
		interact_say(io, SAY_WARN, "the root expires before the "
		    "profile's CRL validity is over: nextUpdate is the root's "
		    "notAfter");
	utc_text(plan->spec.this_update, tu);
	utc_text(plan->spec.next_update, nu);
	interact_say(io, SAY_INFO, "CRL number %" PRIu64 ": %zu entries, "
	    "thisUpdate %s, nextUpdate %s", plan->spec.number, plan->spec.n,
	    tu, nu);
}

/* The transcript's crl record, then its seal. */
static int
crl_record(struct op *op, const struct crl_params *p,
    const struct crl_plan *plan, const struct crl_result *res)
{
	char tu[21], nu[21], num[24], ent[24];
	struct jfields f;
	int rc;

	utc_text(plan->spec.this_update, tu);
	utc_text(plan->spec.next_update, nu);
	snprintf(num, sizeof num, "%" PRIu64, res->number);
	snprintf(ent, sizeof ent, "%zu", res->entries);
	jf_init(&f);
	jf_add(&f, "number", num);
	jf_add(&f, "this_update", tu);
	jf_add(&f, "next_update", nu);
	jf_add(&f, "entries", ent);
	jf_add(&f, "file", res->file);
	jf_add(&f, "sha256", res->sha256);
	jf_add(&f, "output", p->out);
	if ((rc = transcript_add(op->tr, "crl", &f)) != OR_OK ||
	    (rc = op_finish(op)) != OR_OK)
		/* The CRL is done and recorded; only its transcript stays
		 * open (a key store that failed at the seal). */
		return err_context(rc, "CRL number %" PRIu64 " was signed, "
		    "written to %s and recorded, but its transcript was not "
		    "sealed", res->number, p->out);
	return OR_OK;
}

/* crl --ahead N: what will be signed, said before the key is asked for. */
static void
ahead_announce(struct interact *io, const struct crl_ahead_plan *plan)
{
	char tu[21], nu[21];
	size_t i;

	if (plan->rdb.incomplete_batches > 0)
		interact_say(io, SAY_WARN, "%" PRIu64 " bulk revocation(s) "
		    "were interrupted and have no effect (the last began at "
		    "journal record %" PRIu64 "); run them again",
		    plan->rdb.incomplete_batches, plan->rdb.incomplete_seq);
	interact_say(io, SAY_INFO, "%ld CRLs signed ahead, numbers %" PRIu64
	    " to %" PRIu64 ", %zu entries each, valid %ld days, one every %ld "
	    "days:", plan->count, plan->spec[0].number,
	    plan->spec[plan->count - 1].number, plan->spec[0].n, plan->days,
	    plan->interval);
	for (i = 0; i < (size_t)plan->count; i++) {
		utc_text(plan->spec[i].this_update, tu);
		utc_text(plan->spec[i].next_update, nu);
		interact_say(io, SAY_INFO, "  %s: CRL %" PRIu64 ", thisUpdate "
		    "%s, nextUpdate %s", plan->published[i],
		    plan->spec[i].number, tu, nu);
	}
}

/* The transcript's crl-ahead records, then its seal. */
static int
ahead_record(struct op *op, const struct crl_ahead_params *p,
    const struct crl_ahead_plan *plan, const struct crl_ahead_result *res)
{
	char tu[21], nu[21];
	struct jfields f;
	size_t i;
	int rc = OR_OK;

	for (i = 0; i < res->n && rc == OR_OK; i++) {
		utc_text(plan->spec[i].this_update, tu);
		utc_text(plan->spec[i].next_update, nu);
		jf_init(&f);
		jf_add_u64(&f, "number", plan->spec[i].number);
		jf_add(&f, "this_update", tu);
		jf_add(&f, "next_update", nu);
		jf_add_u64(&f, "entries", plan->spec[i].n);
		jf_add(&f, "file", res->file[i]);
		jf_add(&f, "sha256", res->sha256[i]);
		jf_add(&f, "published", plan->published[i]);
		jf_add(&f, "output", p->outdir);
		rc = transcript_add(op->tr, "crl-ahead", &f);
	}
	if (rc != OR_OK || (rc = op_finish(op)) != OR_OK)
		return err_context(rc, "the CRLs signed ahead were signed, "
		    "written to %s and recorded, but their transcript was not "
		    "sealed", p->outdir);
	return OR_OK;
}

/* crl --ahead N -o FOLDER (crl-ahead.h). */
static int
ahead_exec(struct cmd_args *a, struct interact *io, long count, long days)
{
	const char *dir = args_get(a, "dir"), *v;
	struct crl_ahead_params p;
	struct op_output outs[] = { { NULL, OP_NEW_FOLDER }, { NULL, 0 } };
	struct crl_ahead_plan plan;
	struct crl_ahead_result res;
	struct revoke_db rdb;
	struct op op;
	char fp[1024], nu[21], due[21];
	int rc;

	memset(&p, 0, sizeof p);
	memset(&plan, 0, sizeof plan);
	memset(&res, 0, sizeof res);
	p.count = count;
	p.days = days;
	if ((rc = args_long(a, "interval", 1, CRL_MAX_DAYS, &p.interval)) !=
	    OR_OK)
		return rc;
	if ((v = args_get(a, "this-update")) != NULL &&
	    (rc = revoke_parse_time(v, &p.start)) != OR_OK)
		return err_context(rc, "--this-update");
	p.outdir = outs[0].path = args_get(a, "output");
	p.der = args_has(a, "der");

	revoke_db_init(&rdb, REVOKE_DB_ENTRIES);
	if ((rc = op_begin_visit(&op, dir, "crl", outs, revoke_db_visit,
	    &rdb, io)) != OR_OK || (rc = revoke_db_finish(&rdb)) != OR_OK) {
		revoke_db_free(&rdb);
		goto out;
	}
	if ((rc = crl_ahead_prepare(op.db, op.root, &p, &rdb, &plan)) !=
	    OR_OK)
		goto out;
	ahead_announce(io, &plan);
	if ((rc = op_unlock(&op, io, NULL)) != OR_OK ||
	    (rc = crl_ahead_sign(op.db, op.root, op.ks, io, &p, &plan,
	    &res)) != OR_OK ||
	    (rc = ahead_record(&op, &p, &plan, &res)) != OR_OK)
		goto out;
	utc_text(plan.spec[res.n - 1].next_update, nu);
	utc_text(plan.spec[res.n - 1].next_update -
	    (time_t)CRL_REFRESH_DAYS * 86400, due);
	interact_say(io, SAY_RESULT, "CRL numbers %" PRIu64 " to %" PRIu64
	    " signed ahead and written to %s (kept in %s/%s/); publish each "
	    "at its time, as %s/%s says", plan.spec[0].number,
	    plan.spec[res.n - 1].number, p.outdir, dir, CADB_CRLS, p.outdir,
	    CRL_AHEAD_SCHEDULE);
	interact_say(io, SAY_RESULT, "they run out at %s: the next CRL "
	    "ceremony is due by %s", nu, due);
	fingerprint_block(res.manifest_sha256, fp, sizeof fp);
	io->show_block(io, "SHA-256 of the folder's MANIFEST:", fp);
out:
	crl_ahead_result_free(&res);
	crl_ahead_plan_free(&plan);
	rc = op_fail(&op, rc);
	op_end(&op);
	return rc;
}

static int
crl_exec(struct cmd_args *a, struct interact *io)
{
	const char *dir = args_get(a, "dir"), *v;
	struct crl_params p = { 0, 0, NULL, false };
	struct op_output outs[] = { { NULL, OP_NEW_FILE }, { NULL, 0 } };
	struct crl_plan plan;
	struct crl_result res;
	struct revoke_db rdb;
	struct op op;
	char nu[21];
	int rc;

	memset(&plan, 0, sizeof plan);
	memset(&res, 0, sizeof res);
	if ((rc = args_long(a, "days", 1, 36525, &p.days)) != OR_OK)
		return rc;
	if (args_has(a, "ahead")) {
		long count;

		if ((rc = args_long(a, "ahead", 1, CRL_AHEAD_MAX, &count)) !=
		    OR_OK)
			return rc;
		return ahead_exec(a, io, count, p.days);
	}
	if (args_has(a, "interval"))
		return err_set(OR_E_USAGE, "--interval is for --ahead");
	if ((v = args_get(a, "this-update")) != NULL &&
	    (rc = revoke_parse_time(v, &p.this_update)) != OR_OK)
		return err_context(rc, "--this-update");
	p.out = outs[0].path = args_get(a, "output");
	p.der = args_has(a, "der");

	/* One pass over the journal verifies it and replays it. */
	revoke_db_init(&rdb, REVOKE_DB_ENTRIES);
	if ((rc = op_begin_visit(&op, dir, "crl", outs, revoke_db_visit,
	    &rdb, io)) != OR_OK || (rc = revoke_db_finish(&rdb)) != OR_OK) {
		revoke_db_free(&rdb);
		goto out;
	}
	if ((rc = crl_prepare_with(op.db, op.root, &p, &rdb, &plan)) != OR_OK)
		goto out;
	crl_announce(io, &plan);
	if ((rc = op_unlock(&op, io, NULL)) != OR_OK ||
	    (rc = crl_sign(op.db, op.ks, io, &p, &plan, &res)) != OR_OK ||
	    (rc = crl_record(&op, &p, &plan, &res)) != OR_OK)
		goto out;
	utc_text(plan.spec.next_update, nu);
	interact_say(io, SAY_RESULT, "CRL number %" PRIu64 " (%zu entries, "
	    "nextUpdate %s) written to %s and %s/%s/%s", res.number,
	    res.entries, nu, p.out, dir, CADB_CRLS, res.file);
	interact_say(io, SAY_INFO, "SHA-256 %s", res.sha256);
out:
	crl_result_free(&res);
	crl_plan_free(&plan);
	rc = op_fail(&op, rc);
	op_end(&op);
	return rc;
}

const struct cmd_entry cmd_crl_entry = {
	"crl",
	"-d DIR -o FILE|FOLDER [--days N] [--this-update TIME] [--der] "
	    "[--ahead N [--interval DAYS]] " CMD_USAGE_UNLOCK,
	"sign the next CRL, or N CRLs ahead into a folder (also kept in "
	    "DIR/crls/)",
	crl_opts, 0, 0, crl_exec
};
