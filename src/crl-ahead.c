/*
 * crl-ahead.c — CRLs signed ahead (crl-ahead.h): the plan and its lint,
 * the withdrawal of earlier schedules, the signing of N CRLs in one
 * unlock, and the schedule folder with SCHEDULE.txt, written like a
 * bundle (bundle.h) and recorded before it is renamed into place.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bundle.h"
#include "cadb.h"
#include "crl-ahead.h"
#include "dn.h"
#include "err.h"
#include "fileio.h"
#include "interact.h"
#include "journal.h"
#include "keystore.h"
#include "profile.h"
#include "util.h"

_Static_assert(CRL_DEFAULT_DAYS == 30 && CRL_MAX_DAYS == 365 &&
    CRL_REFRESH_DAYS == 7, "profile.c's PROFILE_CRL_* follow crl.h");

void
crl_ahead_name(uint64_t n, time_t t, bool der, char out[64])
{
	struct tm tm;

	gmtime_r(&t, &tm);
	snprintf(out, 64, "crl-%04" PRIu64 "-%04d-%02d-%02d.%s", n,
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, der ? "crl" : "pem");
}

int
crl_profile_period(struct cadb *db, long *days, long *interval)
{
	struct profile prof;
	char path[PATH_MAX];
	int rc;

	if ((rc = cadb_path(db->dir, CADB_PROFILES, path, sizeof path)) !=
	    OR_OK || (rc = profile_load(path, db->sum.profile, &prof)) !=
	    OR_OK)
		return err_context(rc, "the root profile");
	profile_crl_period(&prof, days, interval);
	profile_free(&prof);
	return OR_OK;
}

void
crl_ahead_plan_free(struct crl_ahead_plan *plan)
{
	revoke_db_free(&plan->rdb);
	memset(plan, 0, sizeof *plan);
}

void
crl_ahead_result_free(struct crl_ahead_result *res)
{
	size_t i;

	for (i = 0; i < CRL_AHEAD_MAX; i++)
		free(res->der[i]);
	memset(res, 0, sizeof *res);
}

int
crl_ahead_prepare(struct cadb *db, X509 *root,
    const struct crl_ahead_params *p, struct revoke_db *rdb,
    struct crl_ahead_plan *plan)
{
	time_t now = time(NULL), start, na;
	struct revoke_crl cur;
	struct crl_spec *s;
	long pdays, pinterval;
	uint64_t last;
	char when[21], a[21];
	size_t i;
	int rc;

	memset(plan, 0, sizeof *plan);
	plan->rdb = *rdb;
	memset(rdb, 0, sizeof *rdb);
	if (p->count < 1 || p->count > CRL_AHEAD_MAX) {
		rc = err_set(OR_E_USAGE, "--ahead: from 1 to %d CRLs",
		    CRL_AHEAD_MAX);
		goto fail;
	}
	if ((rc = crl_profile_period(db, &pdays, &pinterval)) != OR_OK)
		goto fail;
	plan->count = p->count;
	plan->days = p->days != 0 ? p->days : pdays;
	plan->interval = p->interval != 0 ? p->interval : pinterval;
	if (plan->days < 1 || plan->days > CRL_MAX_DAYS) {
		rc = err_set(OR_E_USAGE, "--days: from 1 to %d", CRL_MAX_DAYS);
		goto fail;
	}
	if (plan->interval < 1 || plan->interval > plan->days) {
		rc = err_set(OR_E_USAGE, "the interval between CRLs signed "
		    "ahead (%ld days) must be from 1 day to their validity "
		    "(%ld days): a longer one leaves days with no valid CRL",
		    plan->interval, plan->days);
		goto fail;
	}
	start = p->start != 0 ? p->start : now;
	if (start > now) {
		utc_text(start, when);
		rc = err_set(OR_E_POLICY, "lint: e_crl_this_update_in_future: "
		    "the first thisUpdate %s is in the future", when);
		goto fail;
	}
	/* Relying parties that keep the newest CRL by thisUpdate must take
	 * the first of this schedule over the one they have. */
	if (revoke_db_current(&plan->rdb, now, &cur) &&
	    start < cur.this_update) {
		utc_text(cur.this_update, when);
		rc = err_set(OR_E_POLICY, "lint: e_crl_this_update_before_"
		    "previous: CRL %" PRIu64 " has thisUpdate %s, later than "
		    "this schedule's first", cur.number, when);
		goto fail;
	}
	last = plan->rdb.crl_signed_max > plan->rdb.crl_reserved_max ?
	    plan->rdb.crl_signed_max : plan->rdb.crl_reserved_max;
	na = asn1_unix(X509_get0_notAfter(root));
	for (i = 0; i < (size_t)p->count; i++) {
		s = &plan->spec[i];
		s->issuer = root;
		if ((s->type = keytype_of(X509_get0_pubkey(root))) == KT_NONE) {
			rc = err_set(OR_E_INPUT, "the root's key type is not "
			    "one offroot signs with");
			goto fail;
		}
		s->number = last + 1 + i;
		s->this_update = start + (time_t)i * plan->interval * 86400;
		s->next_update = s->this_update + (time_t)plan->days * 86400;
		s->e = plan->rdb.e;
		s->n = plan->rdb.n;
		if (s->next_update > na) {
			utc_text(s->next_update, when);
			utc_text(na, a);
			rc = err_set(OR_E_POLICY, "lint: e_crl_next_update_after_"
			    "issuer: CRL %zu of %ld would have nextUpdate %s, "
			    "after the root's notAfter %s: sign fewer ahead",
			    i + 1, p->count, when, a);
			goto fail;
		}
		if ((rc = crl_lint(s)) != OR_OK)
			goto fail;
		crl_ahead_name(s->number, s->this_update, p->der,
		    plan->published[i]);
	}
	return OR_OK;
fail:
	crl_ahead_plan_free(plan);
	return rc;
}

int
crl_ahead_withdraw(struct cadb *db, struct revoke_db *rdb, time_t t,
    bool supersede, const char *why, struct interact *io)
{
	struct revoke_ahead *a;
	char *numbers = NULL, *files = NULL;
	size_t i, n = 0, nl = 0, fl = 0;
	struct jfields f;
	int rc = OR_OK;

	if (rdb->nahead == 0)
		return OR_OK;
	if ((numbers = malloc(rdb->nahead * 21 + 1)) == NULL ||
	    (files = malloc(rdb->nahead * 65 + 1)) == NULL) {
		rc = err_set(OR_E_NOMEM, "out of memory");
		goto out;
	}
	numbers[0] = files[0] = '\0';
	for (i = 0; i < rdb->nahead; i++) {
		a = &rdb->ahead[i];
		if (a->withdraw_recorded ||
		    !(a->withdrawn || (supersede && a->this_update > t)))
			continue;
		nl += (size_t)sprintf(numbers + nl, "%s%" PRIu64,
		    n > 0 ? "," : "", a->number);
		fl += (size_t)sprintf(files + fl, "%s%s", n > 0 ? "," : "",
		    a->published);
		n++;
	}
	if (n == 0)
		goto out;
	jf_init(&f);
	jf_add(&f, "numbers", numbers);
	jf_add(&f, "files", files);
	jf_add(&f, "why", why);
	if ((rc = cadb_append(db, "crl-withdraw", &f)) != OR_OK)
		goto out;
	for (i = 0; i < rdb->nahead; i++) {
		a = &rdb->ahead[i];
		if (a->withdraw_recorded ||
		    !(a->withdrawn || (supersede && a->this_update > t)))
			continue;
		if (!a->withdrawn)
			a->withdrawn_at = time(NULL);
		a->withdrawn = a->withdraw_recorded = true;
	}
	interact_say(io, SAY_WARN, "%zu CRL%s signed ahead %s withdrawn (%s): "
	    "never publish %s; delete %s from the publication point: %s", n,
	    n == 1 ? "" : "s", n == 1 ? "is" : "are", why,
	    n == 1 ? "it" : "them", n == 1 ? "it" : "them", files);
out:
	free(numbers);
	free(files);
	return rc;
}

/* SCHEDULE.txt: which file to publish when, and until when. */
static int
schedule_text(X509 *root, const struct crl_ahead_params *p,
    const struct crl_ahead_plan *plan, const struct crl_ahead_result *res,
    enum keytype t, char **text, size_t *len)
{
	char subject[1024], from[21], until[21], nu[21], due[21], hint[256];
	const struct crl_spec *s;
	size_t i, n = (size_t)plan->count;
	FILE *mem;

	*text = NULL;
	dn_format(X509_get_subject_name(root), subject, sizeof subject);
	manifest_verify_hint(t, hint, sizeof hint);
	if ((mem = open_memstream(text, len)) == NULL)
		return err_set(OR_E_NOMEM, "out of memory");
	fprintf(mem, "CRLs signed ahead by offroot for %s\n\n", subject);
	fprintf(mem, "CRL numbers %" PRIu64 " to %" PRIu64 ", each valid for "
	    "%ld days, one every %ld days, in %s.\n\n", plan->spec[0].number,
	    plan->spec[n - 1].number, plan->days, plan->interval,
	    p->der ? "DER" : "PEM");
	fprintf(mem,
	    "Publish each file at the CRL distribution point at its time, in\n"
	    "place of the one before, and never earlier: a relying party\n"
	    "treats a CRL whose thisUpdate is still in the future as not yet\n"
	    "valid (OpenSSL: \"CRL is not yet valid\") and fails every\n"
	    "revocation check against it.\n\n");
	fprintf(mem, "%-6s  %-28s  %-20s  %-20s  %s\n", "number", "file",
	    "publish from (UTC)", "until", "nextUpdate");
	for (i = 0; i < n; i++) {
		s = &plan->spec[i];
		utc_text(s->this_update, from);
		utc_text(i + 1 < n ? plan->spec[i + 1].this_update :
		    s->next_update, until);
		utc_text(s->next_update, nu);
		fprintf(mem, "%-6" PRIu64 "  %-28s  %-20s  %-20s  %s\n",
		    s->number, plan->published[i], from, until, nu);
	}
	utc_text(plan->spec[n - 1].next_update, nu);
	utc_text(plan->spec[n - 1].next_update -
	    (time_t)CRL_REFRESH_DAYS * 86400, due);
	fprintf(mem, "\nThese CRLs run out at %s: sign and publish the next "
	    "CRL before\nthen (the next CRL ceremony is due by %s).\n\n", nu,
	    due);
	fprintf(mem,
	    "A revocation recorded before the last of these is published\n"
	    "withdraws every file whose time has not come: they do not list\n"
	    "it.  offroot status lists the withdrawn files: delete them here\n"
	    "and publish the new CRL instead.\n\n");
	fprintf(mem, "SHA-256 of each CRL's DER:\n");
	for (i = 0; i < n; i++)
		fprintf(mem, "  %-28s  %s\n", plan->published[i],
		    res->sha256[i]);
	fprintf(mem, "\nCheck this folder before publishing anything from "
	    "it (no key needed):\n\n"
	    "  openssl x509 -in root.pem -noout -pubkey > root.pub\n"
	    "  %s\n"
	    "  sha256sum -c MANIFEST\n\n"
	    "or, with offroot: offroot verify THIS-FOLDER --root ROOT.pem\n"
	    "where ROOT.pem is your own trusted copy of the root "
	    "certificate.\n", hint);
	if (fclose(mem) != 0) {
		free(*text);
		*text = NULL;
		return err_set(OR_E_NOMEM, "out of memory");
	}
	return OR_OK;
}

/* Reserves the numbers, signs each CRL and keeps it in DIR/crls/; on a
 * failure nothing but the reservations remains. */
static int
sign_all(struct cadb *db, struct keystore *ks, struct interact *io,
    struct crl_ahead_plan *plan, struct crl_ahead_result *res)
{
	char dir[PATH_MAX], path[PATH_MAX];
	unsigned char md[SHA256_LEN];
	struct jfields f;
	size_t i, n = (size_t)plan->count, kept = 0;
	int rc;

	if ((rc = journal_hold(db->journal)) != OR_OK)
		return rc;
	for (i = 0; i < n; i++) {
		jf_init(&f);
		jf_add_u64(&f, "number", plan->spec[i].number);
		if ((rc = cadb_append(db, "crl-number", &f)) != OR_OK) {
			journal_drop(db->journal);
			return rc;
		}
	}
	if ((rc = journal_commit(db->journal)) != OR_OK)
		return rc;
	if ((rc = cadb_path(db->dir, CADB_CRLS, dir, sizeof dir)) != OR_OK)
		return rc;
	for (i = 0; i < n; i++) {
		io->progress(io, "Signing the CRLs", (double)i / (double)n);
		if ((rc = crl_build(&plan->spec[i], ks, &res->der[i],
		    &res->len[i])) != OR_OK ||
		    (rc = sha256(res->der[i], res->len[i], md)) != OR_OK)
			break;
		res->n = i + 1;
		hex_encode(md, sizeof md, res->sha256[i]);
		snprintf(res->file[i], sizeof res->file[i], "%" PRIu64 ".crl",
		    plan->spec[i].number);
		if ((rc = file_join(path, sizeof path, dir, res->file[i])) !=
		    OR_OK || (rc = file_write_new(path, res->der[i],
		    res->len[i], 0644)) != OR_OK)
			break;
		kept = i + 1;
	}
	io->progress(io, NULL, 1);
	if (rc == OR_OK)
		return OR_OK;
	/* Only the reservations outlive a failure. */
	for (i = 0; i < kept; i++)
		if (file_join(path, sizeof path, dir, res->file[i]) == OR_OK)
			(void)unlink(path);
	(void)file_sync_dir(dir);
	return rc;
}

/* One commit of every crl-ahead record. */
static int
record_all(struct cadb *db, const struct crl_ahead_plan *plan,
    const struct crl_ahead_result *res)
{
	const struct crl_spec *s;
	struct jfields f;
	size_t i;
	int rc;

	if ((rc = journal_hold(db->journal)) != OR_OK)
		return rc;
	for (i = 0; i < res->n; i++) {
		s = &plan->spec[i];
		jf_init(&f);
		jf_add_u64(&f, "number", s->number);
		jf_add_i64(&f, "this_update", s->this_update);
		jf_add_i64(&f, "next_update", s->next_update);
		jf_add_u64(&f, "entries", s->n);
		jf_add(&f, "file", res->file[i]);
		jf_add(&f, "sha256", res->sha256[i]);
		jf_add(&f, "published", plan->published[i]);
		if ((rc = cadb_append(db, "crl-ahead", &f)) != OR_OK) {
			journal_drop(db->journal);
			return rc;
		}
	}
	return journal_commit(db->journal);
}

/* Step 5: the folder, staged, recorded, renamed into place. */
static int
write_folder(struct cadb *db, X509 *root, struct keystore *ks,
    const struct crl_ahead_params *p, const struct crl_ahead_plan *plan,
    struct crl_ahead_result *res)
{
	struct bundle b = { 0 };
	char *rootpem = NULL, *pem = NULL, *sched = NULL, mhex[65];
	char stage[PATH_MAX] = "", where[PATH_MAX];
	size_t rootlen = 0, pemlen = 0, schedlen = 0, i;
	struct jfields f;
	int rc;

	if ((rc = cert_to_pem(root, &rootpem, &rootlen)) != OR_OK ||
	    (rc = bundle_add(&b, "root.pem", rootpem, rootlen)) != OR_OK)
		goto out;
	for (i = 0; i < res->n; i++) {
		if (p->der)
			rc = bundle_add(&b, plan->published[i], res->der[i],
			    res->len[i]);
		else if ((rc = crl_to_pem(res->der[i], res->len[i], &pem,
		    &pemlen)) == OR_OK) {
			rc = bundle_add(&b, plan->published[i], pem, pemlen);
			free(pem);
			pem = NULL;
		}
		if (rc != OR_OK)
			goto out;
	}
	if ((rc = schedule_text(root, p, plan, res, ks->type, &sched,
	    &schedlen)) != OR_OK ||
	    (rc = bundle_add(&b, CRL_AHEAD_SCHEDULE, sched, schedlen)) !=
	    OR_OK ||
	    (rc = bundle_stage(&b, p->outdir, ks,
	    keytype_default_digest(ks->type), res->manifest_sha256, stage,
	    sizeof stage)) != OR_OK)
		goto out;
	hex_encode(res->manifest_sha256, 32, mhex);
	/* Absolute, so that audit finds the folder from any directory. */
	file_absolute(p->outdir, where, sizeof where);
	jf_init(&f);
	jf_add(&f, "outdir", where);
	jf_add(&f, "manifest_sha256", mhex);
	jf_add_u64(&f, "first", plan->spec[0].number);
	jf_add_u64(&f, "last", plan->spec[res->n - 1].number);
	jf_add_u64(&f, "count", res->n);
	jf_add_i64(&f, "days", plan->days);
	jf_add_i64(&f, "interval", plan->interval);
	if ((rc = cadb_append(db, "crl-schedule", &f)) != OR_OK) {
		bundle_unstage(stage);
		goto out;
	}
	/* Recorded: a failure now leaves the complete folder staged, which
	 * the next command renames into place (recover_publish). */
	if ((rc = bundle_publish(stage, p->outdir)) != OR_OK)
		rc = err_context(rc, "the CRLs signed ahead are recorded, but "
		    "their folder is still in %s", stage);
out:
	bundle_free(&b);
	free(rootpem);
	free(sched);
	return rc;
}

int
crl_ahead_sign(struct cadb *db, X509 *root, struct keystore *ks,
    struct interact *io, const struct crl_ahead_params *p,
    struct crl_ahead_plan *plan, struct crl_ahead_result *res)
{
	char why[96];
	int rc;

	memset(res, 0, sizeof *res);
	snprintf(why, sizeof why, "superseded by the CRLs signed ahead from "
	    "number %" PRIu64, plan->spec[0].number);
	if ((rc = crl_ahead_withdraw(db, &plan->rdb, plan->spec[0].this_update,
	    true, why, io)) != OR_OK ||
	    (rc = sign_all(db, ks, io, plan, res)) != OR_OK)
		return rc;
	if ((rc = record_all(db, plan, res)) != OR_OK) {
		char dir[PATH_MAX], path[PATH_MAX];
		size_t i;

		if (cadb_path(db->dir, CADB_CRLS, dir, sizeof dir) == OR_OK) {
			for (i = 0; i < res->n; i++)
				if (file_join(path, sizeof path, dir,
				    res->file[i]) == OR_OK)
					(void)unlink(path);
			(void)file_sync_dir(dir);
		}
		return rc;
	}
	/* Only CRLs the journal records leave the CA directory. */
	if ((rc = write_folder(db, root, ks, p, plan, res)) != OR_OK)
		return err_context(rc, "CRL numbers %" PRIu64 " to %" PRIu64
		    " are signed and recorded in %s/%s, but their folder %s "
		    "was not written", plan->spec[0].number,
		    plan->spec[res->n - 1].number, db->dir, CADB_CRLS,
		    p->outdir);
	return OR_OK;
}
