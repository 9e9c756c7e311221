/*
 * ceremony-act.c — the actions of a ceremony step (script.h's enum
 * script_action): pre-flight checks, participants, notes, the root's
 * creation, fingerprints, signing CSRs, revoking, signing a CRL, the
 * public export, checking the key, re-sharing it, renewing the root
 * certificate, rolling over to a successor root and exporting the
 * transition.  Each is one function,
 * found through a table indexed by the action, and each records what it
 * did in the transcript before it reports it done.  What a resumed step
 * finds already done is asked of ceremony-resume.c first.
 */
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/x509.h>

#include "airgap.h"
#include "cadb.h"
#include "ceremony-int.h"
#include "crl.h"
#include "csr.h"
#include "csrpick.h"
#include "crl-ahead.h"
#include "err.h"
#include "ocsp-good.h"
#include "fileio.h"
#include "keystore.h"
#include "op.h"
#include "recover.h"
#include "renew.h"
#include "migrate.h"
#include "reshare.h"
#include "revoke.h"
#include "rollover.h"
#include "rootca.h"
#include "share.h"
#include "sign.h"
#include "transcript.h"
#include "util.h"

/* A path on the media: MEDIA/name. */
static int
media_path(const struct ceremony *c, const char *name, char *buf, size_t size)
{
	if (c->p.media == NULL)
		return err_set(OR_E_USAGE, "step %s writes or reads the media: "
		    "give --media DIR", ceremony_cur_number(c));
	return file_join(buf, size, c->p.media, name);
}

/* A folder with a MANIFEST written to the media: read back before the
 * seal, with every file the MANIFEST lists (ceremony_media_leave). */
static void
media_wrote_manifest(struct ceremony *c, const char *dir)
{
	char mf[PATH_MAX];

	if (file_join(mf, sizeof mf, dir, "MANIFEST") == OR_OK)
		ceremony_media_wrote(c, mf, NULL);
	err_clear();
}

/* The script's rollover step (script.c allows one), NULL when none. */
static const struct script_step *
roll_step(const struct ceremony *c)
{
	size_t i;

	for (i = 0; i < c->s.nsteps; i++)
		if (c->s.steps[i].action == SA_ROLLOVER)
			return &c->s.steps[i];
	return NULL;
}

/* The successor's CA directory: the rollover step's new_ca, beside the
 * ceremony's CA directory. */
static int
succ_dir(const struct ceremony *c, char *buf, size_t size)
{
	const struct script_step *st = roll_step(c);
	char parent[PATH_MAX];

	if (st == NULL)
		return err_set(OR_E_INPUT, "step %s needs the successor root, "
		    "and the script has no rollover step",
		    ceremony_cur_number(c));
	file_dirname(c->p.dir, parent, sizeof parent);
	return file_join(buf, size, parent, script_param(st, "new_ca"));
}

/* Records the current step's first attempt before it touches the CA (a
 * resumed step keeps its first attempt's record). */
static int
attempt_mark(struct ceremony *c, const struct script_step *st,
    time_t revoked_at)
{
	struct attempt *a = &c->attempt[c->current];
	struct cadb_summary sum;
	char seq[24], at[24];
	int rc;

	if (a->have)
		return OR_OK;
	if ((rc = cadb_scan(c->p.dir, &sum, NULL, NULL)) != OR_OK)
		return rc;
	snprintf(seq, sizeof seq, "%" PRIu64, sum.records);
	snprintf(at, sizeof at, "%lld", (long long)revoked_at);
	{
		struct jfields f;

		jf_init(&f);
		jf_add(&f, "step", st->number_text);
		jf_add(&f, "ca_seq", seq);
		if (revoked_at != 0)
			jf_add(&f, "revoked_at", at);
		if ((rc = ceremony_rec(c, "attempt", &f)) != OR_OK)
			return rc;
	}
	a->have = true;
	a->ca_seq = sum.records;
	a->revoked_at = revoked_at;
	return OR_OK;
}

/* ---- the actions ------------------------------------------------------ */

/* Going on despite a failed pre-flight check needs a recorded reason.  An
 * answers file gives it only as "override CHECK: reason": its confirm-all
 * and its ask lines answer the ceremony's own questions, never this one,
 * so a rehearsal file reused on the day cannot wave a failed check
 * through. */
static int
override(struct ceremony *c, const struct script_step *st, const char *check,
    const char *summary)
{
	char q[512], reason[512], by[256];
	const char *why = NULL;
	bool yes = false;
	size_t i;
	int rc;

	for (i = 0; i < c->p.noverrides; i++)
		if (strcmp(c->p.overrides[i].check, check) == 0)
			why = c->p.overrides[i].reason;
	if (why == NULL && c->p.runner != NULL &&
	    strcmp(c->p.runner, "batch") == 0)
		return err_set(OR_E_ENV, "pre-flight check failed: %s (an "
		    "answers file goes on only with \"override %s: REASON\")",
		    summary, check);
	if (why == NULL) {
		snprintf(q, sizeof q, "%s. Go on anyway? (The reason is "
		    "recorded in the transcript.)", summary);
		if ((rc = c->io->confirm(c->io, q, &yes)) != OR_OK)
			return rc;
		if (!yes)
			return err_set(OR_E_ENV, "pre-flight check failed: %s",
			    summary);
		snprintf(q, sizeof q, "Reason for going on despite the failed "
		    "%s check", check);
		if ((rc = interact_ask_nonempty(c->io, q, "the reason for an "
		    "override", reason, sizeof reason)) != OR_OK)
			return rc == OR_E_INPUT ? err_set(OR_E_ENV, "pre-flight "
			    "check failed: %s (an override needs a reason)",
			    summary) : rc;
		why = reason;
	}
	interact_say(c->io, SAY_WARN, "going on despite the failed %s check: "
	    "%s", check, why);
	{
		struct jfields f;

		jf_init(&f);
		jf_add(&f, "step", st->number_text);
		jf_add(&f, "check", check);
		jf_add(&f, "failed", summary);
		jf_add(&f, "reason", why);
		jf_add(&f, "by", ceremony_who(c, st->role, by, sizeof by));
		return ceremony_rec(c, "override", &f);
	}
}

/* The reference time the officer reads from the reference clock; asked
 * again (three times at most) until it is a UTC time. */
static int
ask_reference_time(struct ceremony *c, char *stated, size_t size,
    time_t *ref)
{
	int rc, tries;

	for (tries = 0; tries < 3; tries++) {
		if ((rc = c->io->ask(c->io, "The reference time (UTC, "
		    "YYYY-MM-DDTHH:MM:SSZ)", stated, size)) != OR_OK)
			return rc;
		if (utc_parse(stated, strlen(stated), ref))
			return OR_OK;
		interact_say(c->io, SAY_WARN, "\"%s\" is not a UTC time "
		    "written as YYYY-MM-DDTHH:MM:SSZ", stated);
	}
	return err_set(OR_E_INPUT, "no reference time was entered as "
	    "YYYY-MM-DDTHH:MM:SSZ");
}

static int
pf_airgap(struct ceremony *c, time_t now, struct preflight_result *r)
{
	return airgap_network(r);
}

static int
pf_clock(struct ceremony *c, time_t now, struct preflight_result *r)
{
	return airgap_clock(now, r);
}

static int
pf_selfcheck(struct ceremony *c, time_t now, struct preflight_result *r)
{
	return airgap_selfcheck(r, c->exe_sha256);
}

static int
pf_media(struct ceremony *c, time_t now, struct preflight_result *r)
{
	return ceremony_media_preflight(c, r);
}

/* The clock passed: the officer compares it with a reference clock.  A
 * mismatch is recorded with the reference time stated, and fails r. */
static int
preflight_reference(struct ceremony *c, const struct script_step *st,
    time_t now, struct preflight_result *r)
{
	char utc[21], q[512], by[256], stated[64], diff[32];
	struct jfields f;
	time_t ref = 0;
	bool yes;
	int rc;

	utc_text(now, utc);
	snprintf(q, sizeof q, "%s: the clock shows %s UTC. Does it match the "
	    "reference clock (within a minute)?", ceremony_who(c, st->role, by,
	    sizeof by), utc);
	if ((rc = c->io->confirm(c->io, q, &yes)) != OR_OK)
		return rc;
	stated[0] = '\0';
	diff[0] = '\0';
	if (!yes) {
		if ((rc = ask_reference_time(c, stated, sizeof stated, &ref)) !=
		    OR_OK)
			return rc;
		snprintf(diff, sizeof diff, "%lld",
		    (long long)now - (long long)ref);
	}
	jf_init(&f);
	jf_add(&f, "step", st->number_text);
	jf_add(&f, "system_time", utc);
	jf_add(&f, "matches_reference", yes ? "yes" : "no");
	jf_add(&f, "reference_time", yes ? utc : stated);
	jf_add(&f, "by", by);
	if (!yes)
		jf_add(&f, "offset_seconds", diff);
	if ((rc = ceremony_rec(c, "clock", &f)) != OR_OK)
		return rc;
	if (!yes) {
		r->pass = false;
		snprintf(r->summary, sizeof r->summary, "clock: the system "
		    "clock (%s) does not match the reference (%s): %s s apart",
		    utc, stated, diff);
	}
	return OR_OK;
}

/*
 * The evidence the release check shows: the script's SHA-256 beside the
 * binary's (md), each in hex and PGP words, each with the command that
 * computes it elsewhere.
 */
static void
release_block(const struct ceremony *c, const unsigned char *md, char *out,
    size_t size)
{
	unsigned char smd[SHA256_LEN];
	char fp[1024];
	size_t used = 0;
	int w;

	w = snprintf(out, size, "Script %s (sha256sum %s):\n", c->s.file,
	    c->s.file);
	used = w > 0 && (size_t)w < size ? (size_t)w : 0;
	if (hex_decode(c->s.sha256_hex, smd, sizeof smd) == OR_OK) {
		fingerprint_block(smd, fp, sizeof fp);
		w = snprintf(out + used, size - used, "%s\n\n", fp);
		used += w > 0 && (size_t)w < size - used ? (size_t)w : 0;
	}
	fingerprint_block(md, fp, sizeof fp);
	snprintf(out + used, size - used, "offroot %s, this binary (sha256sum "
	    "\"$(command -v offroot)\"), for RELEASE.txt:\n%s",
	    OFFROOT_VERSION, fp);
}

/*
 * The self-check passed: is this binary the release?  A script that pins
 * the release (param: binary_sha256, from RELEASE.txt) is compared here
 * and a mismatch fails the check.  Without a pin the Ceremony
 * Administrator compares the hash, shown in hex and PGP words, with the
 * printed RELEASE.txt two people brought.  Either way the comparison is
 * recorded ("release"), and a mismatch going on needs an override.
 */
static int
preflight_release(struct ceremony *c, const struct script_step *st,
    time_t now, struct preflight_result *r)
{
	const char *pin = script_param(st, "binary_sha256");
	unsigned char md[SHA256_LEN];
	char exe[65], want[65], block[2048], q[512], by[256];
	struct jfields f;
	bool match;
	size_t i;
	int rc;

	/* The binary the self-check hashed (it passed, so it could). */
	snprintf(exe, sizeof exe, "%s", c->exe_sha256);
	if ((rc = hex_decode(exe, md, sizeof md)) != OR_OK)
		return rc;
	ceremony_who(c, st->role, by, sizeof by);
	if (pin != NULL) {
		for (i = 0; i < 64 && pin[i] != '\0'; i++)
			want[i] = (char)(pin[i] >= 'A' && pin[i] <= 'F' ?
			    pin[i] - 'A' + 'a' : pin[i]);
		want[i] = '\0';
		match = strcmp(exe, want) == 0;
	} else {
		release_block(c, md, block, sizeof block);
		c->io->show_block(c->io, "The script's and this binary's "
		    "SHA-256: compare them with the printed copies", block);
		snprintf(q, sizeof q, "%s: does the binary's SHA-256 match "
		    "both printed copies of RELEASE.txt?", by);
		if ((rc = c->io->confirm(c->io, q, &match)) != OR_OK)
			return rc;
	}
	jf_init(&f);
	jf_add(&f, "step", st->number_text);
	jf_add(&f, "binary_sha256", exe);
	jf_add(&f, "compared_with", pin != NULL ? "the script's pin" :
	    "the printed RELEASE.txt");
	if (pin != NULL)
		jf_add(&f, "pinned", want);
	jf_add(&f, "matches", match ? "yes" : "no");
	jf_add(&f, "by", pin != NULL ? "offroot" : by);
	if ((rc = ceremony_rec(c, "release", &f)) != OR_OK)
		return rc;
	if (!match) {
		r->pass = false;
		if (pin != NULL)
			snprintf(r->summary, sizeof r->summary, "self-check: "
			    "this binary's SHA-256 %.16s... is not the release "
			    "the script pins (%.16s...)", exe, want);
		else
			snprintf(r->summary, sizeof r->summary, "self-check: "
			    "this binary's SHA-256 %.16s... does not match the "
			    "printed RELEASE.txt", exe);
	}
	return OR_OK;
}

/* The pre-flight checks (script.h), in the order a step runs them.  A
 * check that passed on its own evidence may still need the officers to
 * compare it with something outside the machine (confirm). */
static const struct preflight_check {
	const char *name;
	int (*run)(struct ceremony *c, time_t now, struct preflight_result *r);
	int (*confirm)(struct ceremony *c, const struct script_step *st,
	    time_t now, struct preflight_result *r);
} preflight_checks[] = {
	{ "airgap", pf_airgap, NULL },
	{ "clock", pf_clock, preflight_reference },
	{ "selfcheck", pf_selfcheck, preflight_release },
	{ "media", pf_media, NULL },
};

static int
act_preflight(struct ceremony *c, const struct script_step *st)
{
	const struct preflight_check *ck;
	struct preflight_result *r;
	struct jfields f;
	time_t now;
	size_t i;
	int rc = OR_OK;

	if ((r = calloc(1, sizeof *r)) == NULL)
		return err_set(OR_E_NOMEM, "out of memory");
	for (i = 0; i < nitems(preflight_checks); i++) {
		ck = &preflight_checks[i];
		if (!script_preflight_has(st, ck->name))
			continue;
		now = time(NULL);
		if ((rc = ck->run(c, now, r)) != OR_OK)
			goto out;
		c->io->show_block(c->io, r->summary, r->evidence);
		jf_init(&f);
		jf_add(&f, "step", st->number_text);
		jf_add(&f, "check", ck->name);
		jf_add(&f, "result", r->pass ? "pass" : "fail");
		jf_add(&f, "summary", r->summary);
		jf_add(&f, "evidence", r->evidence);
		if ((rc = ceremony_rec(c, "preflight", &f)) != OR_OK)
			goto out;
		if (ck->confirm != NULL && r->pass &&
		    (rc = ck->confirm(c, st, now, r)) != OR_OK)
			goto out;
		if (!r->pass && (rc = override(c, st, ck->name, r->summary)) !=
		    OR_OK)
			goto out;
	}
out:
	free(r);
	return rc;
}

static int
act_participants(struct ceremony *c, const struct script_step *st)
{
	char block[4096], prompt[SCRIPT_MAX_ROLES][128];
	char what[SCRIPT_MAX_ROLES][128];
	struct form_field fields[SCRIPT_MAX_ROLES];
	struct form form;
	size_t i, n = 0, used = 0;
	int rc, w;

	/* The names first, a form the officer may go back through (a
	 * resumed run asks only those not recorded yet), then the records. */
	memset(fields, 0, sizeof fields);
	for (i = 0; i < c->s.nroles; i++) {
		if (c->names[i][0] != '\0')
			continue;
		snprintf(prompt[n], sizeof prompt[n], "Name of the %s",
		    c->s.roles[i]);
		snprintf(what[n], sizeof what[n], "the name of the %s",
		    c->s.roles[i]);
		fields[n].kind = FORM_ASK;
		fields[n].prompt = prompt[n];
		fields[n].buf = c->names[i];
		fields[n].size = sizeof c->names[i];
		fields[n].required = true;
		fields[n].what = what[n];
		n++;
	}
	memset(&form, 0, sizeof form);
	form.fields = fields;
	form.n = n;
	if ((rc = interact_form(c->io, &form)) != OR_OK) {
		for (i = 0; rc == OR_E_INPUT && i < c->s.nroles; i++)
			if (c->names[i][0] == '\0')
				return err_set(rc, "the %s has no name: every "
				    "role is filled", c->s.roles[i]);
		return rc;
	}
	for (i = 0; i < c->s.nroles; i++) {
		{
			struct jfields f;

			jf_init(&f);
			jf_add(&f, "step", st->number_text);
			jf_add(&f, "role", c->s.roles[i]);
			jf_add(&f, "name", c->names[i]);
			if ((rc = ceremony_rec(c, "participant", &f)) != OR_OK)
				return rc;
		}
		w = snprintf(block + used, sizeof block - used, "%-28s %s\n",
		    c->s.roles[i], c->names[i]);
		if (w > 0 && (size_t)w < sizeof block - used)
			used += (size_t)w;
	}
	c->io->show_block(c->io, "Participants", used ? block : "");
	return OR_OK;
}

/*
 * A note step's bags (param: bags = LABEL, ...): the number printed on
 * each tamper-evident bag, typed by the step's officer, three tries for a
 * number that is empty or not plain, each a "bag" record.  A resumed step
 * asks again: the bag may have been opened and resealed since.
 */
static int
note_bags(struct ceremony *c, const struct script_step *st)
{
	const char *list = script_param(st, "bags"), *p;
	char label[SCRIPT_BAG_LABEL + 1], num[128], q[512], by[256], *t = num;
	struct jfields f;
	int rc, tries;

	if (list == NULL)
		return OR_OK;
	ceremony_who(c, st->role, by, sizeof by);
	for (p = list; (p = script_list_next(p, label, sizeof label)) != NULL;) {
		snprintf(q, sizeof q, "%s: the number printed on the "
		    "tamper-evident bag \"%s\"", by, label);
		for (tries = 1;; tries++) {
			if ((rc = c->io->ask(c->io, q, num, sizeof num)) !=
			    OR_OK)
				return rc;
			t = str_trim(num);
			if (script_bag_text_ok(t, SCRIPT_BAG_NUMBER))
				break;
			if (tries == 3)
				return err_set(OR_E_CANCEL, "no bag number for "
				    "\"%s\" after 3 tries", label);
			interact_say(c->io, SAY_WARN, "a bag number is 1 to %d "
			    "letters, digits, spaces and # ( ) - . /: type it "
			    "again as printed on the bag", SCRIPT_BAG_NUMBER);
		}
		jf_init(&f);
		jf_add(&f, "step", st->number_text);
		jf_add(&f, "bag", label);
		jf_add(&f, "number", t);
		jf_add(&f, "by", by);
		if ((rc = ceremony_rec(c, "bag", &f)) != OR_OK)
			return rc;
		interact_say(c->io, SAY_INFO, "bag \"%s\": number %s recorded",
		    label, t);
	}
	return OR_OK;
}

static int
act_note(struct ceremony *c, const struct script_step *st)
{
	char q[512], by[256];
	bool yes = false;
	int rc;

	if ((rc = note_bags(c, st)) != OR_OK)
		return rc;

	snprintf(q, sizeof q, "%s: initial step %s (\"%s\"): done as written?",
	    ceremony_who(c, st->role, by, sizeof by), st->number_text,
	    st->title);
	if ((rc = c->io->confirm(c->io, q, &yes)) != OR_OK)
		return rc;
	if (!yes)
		return err_set(OR_E_CANCEL, "step %s was not initialled by %s",
		    st->number_text, by);
	{
		struct jfields f;

		jf_init(&f);
		jf_add(&f, "step", st->number_text);
		jf_add(&f, "by", by);
		return ceremony_rec(c, "initialled", &f);
	}
}

/* Moves the transcript from the staging folder into DIR/transcripts/. */
/* A generate-root step's rootca_params, from the script and the command
 * line; profiles: room for the profiles file's path. */
static int
gen_params(struct ceremony *c, const struct script_step *st,
    struct rootca_params *rp, char profiles[PATH_MAX])
{
	const char *v;
	int rc;

	memset(rp, 0, sizeof *rp);
	rp->dir = c->p.dir;
	rp->leftover = LEFTOVER_ASK;	/* a killed init's folder: asked */
	rp->subject = script_param(st, "subject");
	if ((rc = keytype_parse(script_param(st, "key"), &rp->key_type)) !=
	    OR_OK)
		return rc;
	rp->profile_name = (v = script_param(st, "profile")) != NULL ? v :
	    "root";
	if ((v = script_param(st, "profiles")) != NULL) {
		if ((rc = file_join(profiles, PATH_MAX, c->s.dir, v)) != OR_OK)
			return rc;
		rp->profiles_file = profiles;
	}
	if ((v = script_param(st, "days")) != NULL)
		rp->days = strtol(v, NULL, 10);
	rp->crl_url = script_param(st, "crl_url");
	rp->ca_issuers_url = script_param(st, "ca_issuers_url");
	rp->kdf = KDF_SENSITIVE;
	if ((v = c->p.kdf) != NULL || (v = script_param(st, "kdf")) != NULL) {
		if ((rc = kdf_level_parse(v, &rp->kdf)) != OR_OK)
			return err_set(OR_E_USAGE, "kdf: expected sensitive, "
			    "moderate or interactive, got \"%s\"", v);
	}
	if ((v = script_param(st, "store")) != NULL &&
	    strcmp(v, "pkcs11") == 0) {
		if (c->p.token == NULL)
			return err_set(OR_E_USAGE, "step %s keeps the root key "
			    "on a token: give its URI with --token",
			    st->number_text);
		rp->pkcs11 = true;
		rp->token_uri = c->p.token;
		rp->module = c->p.module;
		rp->label = (v = script_param(st, "label")) != NULL ? v :
		    "offroot-root";
	}
	return OR_OK;
}

/* The officers' media folders of a root under a quorum. */
struct gen_shares {
	char (*dirs)[PATH_MAX];
	const char *dirp[SEALED_QUORUM_MAX_N];
};

/* Officer shares: each officer's media first (reshare.h), then rootca
 * asks each officer's passphrase, twice.  The caller frees sh->dirs. */
static int
gen_share_dirs(struct ceremony *c, const char *quorum,
    struct rootca_params *rp, struct gen_shares *sh)
{
	unsigned i;
	int rc;

	if ((rc = share_quorum_parse(quorum, &rp->quorum_m, &rp->quorum_n)) !=
	    OR_OK)
		return rc;
	if ((sh->dirs = calloc(rp->quorum_n, sizeof *sh->dirs)) == NULL)
		return err_set(OR_E_NOMEM, "out of memory");
	for (i = 0; i < rp->quorum_n; i++) {
		if ((rc = reshare_ask_dir(c->io, i, rp->quorum_n, sh->dirs[i],
		    sizeof sh->dirs[i])) != OR_OK)
			return rc;
		sh->dirp[i] = sh->dirs[i];
	}
	rp->share_dirs = sh->dirp;
	rp->nshare_dirs = rp->quorum_n;
	return OR_OK;
}

/* The new root in the transcript: "root-created", and for a key on a
 * token the officer's word on the vendor's backup ("token-backup"). */
static int
gen_record(struct ceremony *c, const struct script_step *st,
    const struct rootca_params *rp, const struct rootca_result *res,
    const char *fphex, const char *qtext)
{
	struct jfields f;
	char by[256];
	int rc;

	jf_init(&f);
	jf_add(&f, "step", st->number_text);
	jf_add(&f, "root_sha256", fphex);
	jf_add(&f, "subject", rp->subject);
	jf_add(&f, "key_type", keytype_name(rp->key_type));
	jf_add(&f, "store", rp->pkcs11 ? "pkcs11" : "sealed");
	jf_add(&f, "kdf", rp->pkcs11 ? "none" : kdf_level_name(rp->kdf));
	jf_add(&f, "profile", rp->profile_name);
	jf_add(&f, "quorum", qtext);
	if ((rc = ceremony_rec(c, "root-created", &f)) != OR_OK ||
	    !rp->pkcs11)
		return rc;
	/* offroot cannot copy a token key: the officer's word on the
	 * vendor's backup joins the ceremony's own record. */
	jf_init(&f);
	jf_add(&f, "step", st->number_text);
	jf_add(&f, "question", res->token_backup_question);
	jf_add(&f, "confirmed_by", ceremony_who(c, st->role, by, sizeof by));
	jf_add(&f, "operator_confirmed", res->token_backed_up ? "yes" : "no");
	return ceremony_rec(c, "token-backup", &f);
}

/* The officers' decision on each folder an interrupted init left (the
 * new CA journal's init-leftover records), in the ceremony's transcript
 * too, at this step. */
struct gen_leftover {
	struct ceremony *c;
	const char *step;
};

static int
gen_leftover_visit(const struct jrecord *r, void *vctx)
{
	struct gen_leftover *g = vctx;
	struct jfields f;
	size_t i;

	if (strcmp(r->type, "init-leftover") != 0)
		return OR_OK;
	jf_init(&f);
	jf_add(&f, "step", g->step);
	for (i = 0; i < r->nfields; i++)
		jf_add_mem(&f, r->fields[i].key, r->fields[i].value,
		    r->fields[i].len);
	return ceremony_rec(g->c, "init-leftover", &f);
}

static int
gen_leftovers(struct ceremony *c, const struct script_step *st)
{
	struct gen_leftover g = { c, st->number_text };
	struct cadb_summary sum;

	return cadb_scan(c->p.dir, &sum, gen_leftover_visit, &g);
}

/* The witness confirms the new root's fingerprint, read aloud. */
static int
gen_confirm(struct ceremony *c, const struct script_step *st,
    const struct rootca_result *res, const char *fphex)
{
	struct jfields f;
	char by[256], q[512];
	bool yes = false;
	int rc;

	c->io->show_block(c->io, "SHA-256 fingerprint of the new root "
	    "certificate (read it aloud)", res->fingerprint);
	snprintf(q, sizeof q, "%s: the fingerprint was read aloud and written "
	    "on the printed script?", ceremony_who(c, script_witness(&c->s,
	    st), by, sizeof by));
	if ((rc = c->io->confirm(c->io, q, &yes)) != OR_OK)
		return rc;
	jf_init(&f);
	jf_add(&f, "step", st->number_text);
	jf_add(&f, "of", "root");
	jf_add(&f, "sha256", fphex);
	jf_add(&f, "confirmed_by", by);
	jf_add(&f, "answer", yes ? "yes" : "no");
	if ((rc = ceremony_rec(c, "fingerprint", &f)) != OR_OK)
		return rc;
	if (!yes)
		return err_set(OR_E_CANCEL, "%s did not confirm the root's "
		    "fingerprint", by);
	return OR_OK;
}

static int
act_generate_root(struct ceremony *c, const struct script_step *st)
{
	struct rootca_params rp;
	struct rootca_result res;
	struct gen_shares sh;
	const char *quorum = script_param(st, "quorum");
	char profiles[PATH_MAX], fphex[65], qtext[16];
	int rc;

	if ((rc = gen_params(c, st, &rp, profiles)) != OR_OK)
		return rc;
	if (ceremony_is_ca(c->p.dir)) {
		if ((rc = ceremony_resume_root(c, st, &rp)) != OR_OK)
			return rc;
		return ceremony_move_in(c);
	}
	/* What will be made, confirmed; the step's verify: lines; then the
	 * officers' media and passphrases, and the key. */
	if ((rc = ceremony_root_preview(c, st, &rp, quorum)) != OR_OK ||
	    (rc = ceremony_verify(c, st)) != OR_OK)
		return rc;
	memset(&sh, 0, sizeof sh);
	snprintf(qtext, sizeof qtext, "%s", quorum != NULL ? quorum : "none");
	if (quorum != NULL &&
	    (rc = gen_share_dirs(c, quorum, &rp, &sh)) != OR_OK) {
		free(sh.dirs);
		return rc;
	}
	rc = rootca_create(&rp, c->io, &res);
	free(sh.dirs);
	if (rc != OR_OK)
		return rc;
	/* From here the root exists: the transcript joins it first. */
	if ((rc = ceremony_move_in(c)) != OR_OK)
		return rc;
	hex_encode(res.cert_sha256, 32, fphex);
	if ((rc = gen_record(c, st, &rp, &res, fphex, qtext)) != OR_OK ||
	    (rc = gen_leftovers(c, st)) != OR_OK)
		return rc;
	c->key_store[0] = '\0';
	ceremony_push_status(c);
	return gen_confirm(c, st, &res, fphex);
}

static int
act_fingerprint(struct ceremony *c, const struct script_step *st)
{
	const char *of = script_param(st, "of");
	unsigned char md[32];
	char block[1024], hex[65], by[256], q[512], title[128];
	struct cadb_summary sum;
	X509 *root = NULL;
	bool yes = false;
	int rc;

	if (strcmp(of, "root") == 0) {
		if ((rc = cadb_scan(c->p.dir, &sum, NULL, NULL)) != OR_OK ||
		    (rc = cadb_load_root(c->p.dir, &sum, &root)) != OR_OK)
			return rc;
		rc = cert_sha256(root, md);
		X509_free(root);
		if (rc != OR_OK)
			return rc;
		snprintf(title, sizeof title, "SHA-256 of the root certificate");
	} else {
		const char *h = strcmp(of, "bundle") == 0 ? c->manifest :
		    c->crl_sha;

		if (h[0] == '\0' || hex_decode(h, md, 32) != OR_OK)
			return err_set(OR_E_INPUT, "step %s: no %s was made in "
			    "this ceremony", st->number_text, of);
		snprintf(title, sizeof title, "SHA-256 of the %s", strcmp(of,
		    "bundle") == 0 ? "bundle's MANIFEST" : "CRL");
	}
	hex_encode(md, 32, hex);
	fingerprint_block(md, block, sizeof block);
	c->io->show_block(c->io, title, block);
	snprintf(q, sizeof q, "%s: does the fingerprint read aloud match the "
	    "screen and what was written down?", ceremony_who(c,
	    script_witness(&c->s, st), by, sizeof by));
	if ((rc = c->io->confirm(c->io, q, &yes)) != OR_OK)
		return rc;
	{
		struct jfields f;

		jf_init(&f);
		jf_add(&f, "step", st->number_text);
		jf_add(&f, "of", of);
		jf_add(&f, "sha256", hex);
		jf_add(&f, "confirmed_by", by);
		jf_add(&f, "answer", yes ? "yes" : "no");
		if ((rc = ceremony_rec(c, "fingerprint", &f)) != OR_OK)
			return rc;
	}
	if (!yes)
		return err_set(OR_E_CANCEL, "%s did not confirm the %s "
		    "fingerprint", by, of);
	return OR_OK;
}


/* The file an earlier run of this step took for item (its last
 * "csr-chosen" record in the transcript). */
struct chosen_find {
	const char *step, *item;
	char file[256], sha[65];
};

static int
chosen_visit(const struct jrecord *r, void *vctx)
{
	struct chosen_find *f = vctx;
	const char *s, *i, *file, *sha;

	if (strcmp(r->type, "csr-chosen") != 0)
		return OR_OK;
	s = jrecord_get(r, "step");
	i = jrecord_get(r, "csr");
	file = jrecord_get(r, "file");
	sha = jrecord_get(r, "file_sha256");
	if (s != NULL && i != NULL && file != NULL && sha != NULL &&
	    strcmp(s, f->step) == 0 && strcmp(i, f->item) == 0) {
		snprintf(f->file, sizeof f->file, "%s", file);
		snprintf(f->sha, sizeof f->sha, "%s", sha);
	}
	return OR_OK;
}

/* A resumed step takes the CSR its first run took for item, when the
 * file is still on the medium with the same bytes: a resume after the
 * issuance must find that certificate (ceremony_resume_sign), not sign
 * another CSR the officer happens to choose now.  *done: path set. */
static int
sign_pick_again(struct ceremony *c, const struct script_step *st,
    const char *item, char *path, size_t size, bool *done)
{
	struct chosen_find f;
	struct csr_info ci;
	char sha[65];
	int rc;

	*done = false;
	if (!c->begun[c->current] || c->tr == NULL)
		return OR_OK;
	memset(&f, 0, sizeof f);
	f.step = st->number_text;
	f.item = item;
	if (journal_scan(c->tr->path, chosen_visit, &f) != OR_OK ||
	    f.file[0] == '\0') {
		err_clear();
		return OR_OK;
	}
	if ((rc = media_path(c, f.file, path, size)) != OR_OK)
		return rc;
	if (csr_load(path, &ci) != OR_OK) {
		err_clear();
		interact_say(c->io, SAY_WARN, "step %s: %s, taken for \"%s\" "
		    "before the interruption, cannot be read now", f.step,
		    f.file, item);
		return OR_OK;
	}
	hex_encode(ci.file_sha256, 32, sha);
	csr_free(&ci);
	if (strcmp(sha, f.sha) != 0) {
		interact_say(c->io, SAY_WARN, "step %s: %s changed since it was "
		    "taken for \"%s\" before the interruption", f.step, f.file,
		    item);
		return OR_OK;
	}
	interact_say(c->io, SAY_INFO, "step %s: \"%s\" is %s, as taken before "
	    "the interruption", f.step, item, f.file);
	*done = true;
	return OR_OK;
}

/* One item of the csr parameter: a name, a pattern or "choose", resolved
 * on the medium with the officer (csrpick.h); a pattern's or a choice's
 * answer is recorded ("csr-chosen") before anything is read for
 * signing. */
static int
sign_pick(struct ceremony *c, const struct script_step *st,
    const char *item, char *path, size_t size)
{
	struct csrpick_result r;
	struct jfields f;
	char what[32];
	bool done;
	int rc;

	if (c->p.media == NULL)
		return media_path(c, item, path, size);
	if ((rc = sign_pick_again(c, st, item, path, size, &done)) != OR_OK ||
	    done)
		return rc;
	snprintf(what, sizeof what, "step %s", st->number_text);
	if ((rc = csrpick_resolve(c->io, c->p.media, item, what, &r)) !=
	    OR_OK || (rc = media_path(c, r.name, path, size)) != OR_OK)
		return rc;
	if (strcmp(r.how, "named") == 0 && strcmp(r.name, item) == 0)
		return OR_OK;
	jf_init(&f);
	jf_add(&f, "step", st->number_text);
	jf_add(&f, "csr", item);
	jf_add(&f, "file", r.name);
	jf_add(&f, "file_sha256", r.file_sha256);
	jf_add(&f, "how", r.how);
	return ceremony_rec(c, "csr-chosen", &f);
}

static int
act_sign(struct ceremony *c, const struct script_step *st)
{
	const char *list = script_param(st, "csr"), *v, *csrs[64];
	char (*paths)[PATH_MAX] = NULL, outdir[PATH_MAX], item[256];
	char count[24];
	struct sign_params sp;
	struct sign_result res;
	struct sign_hooks hooks;
	struct ceremony_sign hx;
	char sdir[PATH_MAX];
	const char *by = script_param(st, "by");
	bool succ = by != NULL && strcmp(by, "successor") == 0;
	size_t n = 0;
	bool done = false;
	int rc;

	/* A missing medium or CSR is asked about before anything else. */
	if ((rc = ceremony_media_need(c)) != OR_OK ||
	    (rc = media_path(c, script_param(st, "bundle"), outdir,
	    sizeof outdir)) != OR_OK ||
	    (succ && (rc = succ_dir(c, sdir, sizeof sdir)) != OR_OK))
		return rc;
	/* The resume reads the ceremony's CA journal: not the successor's,
	 * whose sign refuses a bundle folder that exists. */
	if (!succ && ((rc = ceremony_resume_bundle(c, st, outdir, &done)) !=
	    OR_OK || done))
		return rc;
	if ((paths = calloc(64, sizeof *paths)) == NULL)
		return err_set(OR_E_NOMEM, "out of memory");
	for (v = list; *v != '\0' && n < 64;) {
		size_t len = strcspn(v, ",");
		char *t = item, *e;

		snprintf(item, sizeof item, "%.*s", (int)len, v);
		while (*t == ' ')
			t++;
		e = t + strlen(t);
		while (e > t && e[-1] == ' ')
			*--e = '\0';
		if (*t != '\0') {
			if ((rc = sign_pick(c, st, t, paths[n],
			    sizeof paths[n])) != OR_OK)
				goto out;
			csrs[n] = paths[n];
			n++;
		}
		v += len;
		if (*v == ',')
			v++;
	}
	/* A run cut short after the issuance, before the bundle. */
	if (!succ && ((rc = ceremony_resume_sign(c, st, csrs, n, outdir,
	    &done)) != OR_OK || done))
		goto out;
	if (!succ && (rc = attempt_mark(c, st, 0)) != OR_OK)
		goto out;
	memset(&sp, 0, sizeof sp);
	sp.dir = succ ? sdir : c->p.dir;
	sp.csrs = csrs;
	sp.ncsr = n;
	sp.profile_name = script_param(st, "profile");
	if ((v = script_param(st, "days")) != NULL)
		sp.days = strtol(v, NULL, 10);
	sp.outdir = outdir;
	ceremony_sign_hooks(c, st, &hx, &hooks);
	if (succ)	/* "key-unlocked" names the ceremony's root key */
		hx.had_key = true;
	sp.hooks = &hooks;
	if ((rc = sign_run_ks(&sp, succ ? &c->succ_ks : &c->ks, c->io,
	    &res)) != OR_OK)
		goto out;
	hex_encode(res.manifest_sha256, 32, c->manifest);
	media_wrote_manifest(c, outdir);
	snprintf(count, sizeof count, "%zu", res.issued);
	{
		struct jfields f;

		jf_init(&f);
		jf_add(&f, "step", st->number_text);
		jf_add(&f, "certificates", count);
		jf_add(&f, "bundle", outdir);
		jf_add(&f, "manifest_sha256", c->manifest);
		if (succ)
			jf_add(&f, "by", sdir);
		rc = ceremony_rec(c, "signed", &f);
	}
	interact_say(c->io, SAY_RESULT, "step %s: %zu certificate%s signed; "
	    "bundle in %s", st->number_text, res.issued, res.issued == 1 ?
	    "" : "s", outdir);
out:
	free(paths);
	return rc;
}

static int
act_revoke(struct ceremony *c, const struct script_step *st)
{
	struct revoke_request req;
	struct revoke_list list = { 0 };
	struct serial one;
	struct cadb *db = NULL;
	struct ocsp_goods goods = { 0 };
	unsigned char *data = NULL, md[32];
	char path[PATH_MAX], sha[65], count[24];
	const char *v;
	size_t len, unknown = 0, n = 1;
	bool done = false;
	int rc;

	memset(&req, 0, sizeof req);
	if ((rc = revoke_reason_parse(script_param(st, "reason"),
	    &req.reason)) != OR_OK)
		return rc;
	/* Every attempt of the step revokes at the time the first chose. */
	req.revoked_at = c->attempt[c->current].have &&
	    c->attempt[c->current].revoked_at != 0 ?
	    c->attempt[c->current].revoked_at : time(NULL);
	if ((v = script_param(st, "serial")) != NULL) {
		if ((rc = serial_parse(v, strlen(v), &one)) != OR_OK)
			return rc;
	} else {
		if ((rc = media_path(c, script_param(st, "serials-file"), path,
		    sizeof path)) != OR_OK ||
		    (rc = file_read(path, REVOKE_MAX_FILE, &data, &len)) !=
		    OR_OK)
			return rc;
		if ((rc = revoke_parse_serials((const char *)data, len,
		    &list)) != OR_OK) {
			rc = err_context(rc, "%s", path);
			goto out;
		}
		if ((rc = sha256(data, len, md)) != OR_OK)
			goto out;
		hex_encode(md, sizeof md, sha);
		req.source_sha256 = sha;
		n = list.n;
	}
	if ((rc = ceremony_resume_revoke(c, st, &req, v != NULL ? &one :
	    list.s, n, &done)) != OR_OK || done)
		goto out;
	if ((rc = attempt_mark(c, st, req.revoked_at)) != OR_OK)
		goto out;
	ocsp_goods_init(&goods, time(NULL));
	if ((rc = cadb_open_visit(c->p.dir, ocsp_goods_visit, &goods, &db)) !=
	    OR_OK || (rc = recover_ca_load(db, c->io)) != OR_OK)
		goto out;
	if (v != NULL)
		rc = revoke_record(db, &req, &one, NULL, 1, &unknown);
	else
		rc = revoke_record(db, &req, list.s, list.line, list.n,
		    &unknown);
	if (rc != OR_OK)
		goto out;
	snprintf(count, sizeof count, "%zu", n);
	{
		struct jfields f;

		jf_init(&f);
		jf_add(&f, "step", st->number_text);
		jf_add(&f, "serials", count);
		jf_add(&f, "first",
		    v != NULL ? v : script_param(st, "serials-file"));
		jf_add(&f, "reason", revoke_reason_name(req.reason));
		rc = ceremony_rec(c, "revoked", &f);
	}
	interact_say(c->io, SAY_INFO, "step %s: %zu serial%s revoked; sign and "
	    "publish a CRL within 24 hours", st->number_text, n, plural_s(n));
	ocsp_goods_warn(c->io, c->p.dir, &goods, v != NULL ? &one : list.s,
	    n);
out:
	ocsp_goods_free(&goods);
	cadb_close(db);
	revoke_list_free(&list);
	free(data);
	return rc;
}

/* A sign-crl step begun before: the CA journal records the schedule
 * folder it wrote (a crl-schedule record for out since the step's first
 * attempt); *done, and its MANIFEST's digest. */
struct ahead_done {
	uint64_t after;
	const char *out;
	char manifest[65];
	uint64_t first, last;
};

static int
ahead_done_visit(const struct jrecord *r, void *vctx)
{
	struct ahead_done *d = vctx;
	const char *o = jrecord_get(r, "outdir");
	const char *m = jrecord_get(r, "manifest_sha256");

	if (r->seq <= d->after || strcmp(r->type, "crl-schedule") != 0 ||
	    o == NULL || m == NULL || strcmp(o, d->out) != 0 ||
	    strlen(m) != 64)
		return OR_OK;
	snprintf(d->manifest, sizeof d->manifest, "%s", m);
	d->first = strtoull(jrecord_get(r, "first") ?
	    jrecord_get(r, "first") : "0", NULL, 10);
	d->last = strtoull(jrecord_get(r, "last") ?
	    jrecord_get(r, "last") : "0", NULL, 10);
	return OR_OK;
}

static int
resume_crl_ahead(struct ceremony *c, const struct script_step *st,
    const char *out, bool *done)
{
	struct ahead_done d;
	struct jfields f;
	char jpath[PATH_MAX];
	int rc;

	*done = false;
	if (!c->begun[c->current] || !c->attempt[c->current].have)
		return OR_OK;
	memset(&d, 0, sizeof d);
	d.after = c->attempt[c->current].ca_seq;
	d.out = out;
	if ((rc = cadb_path(c->p.dir, CADB_JOURNAL, jpath, sizeof jpath)) !=
	    OR_OK || (rc = journal_scan(jpath, ahead_done_visit, &d)) != OR_OK)
		return rc;
	if (d.manifest[0] == '\0')
		return OR_OK;
	*done = true;
	snprintf(c->manifest, sizeof c->manifest, "%s", d.manifest);
	jf_init(&f);
	jf_add(&f, "step", st->number_text);
	jf_add(&f, "reason", "the CA journal records the CRLs signed ahead "
	    "and the folder this step wrote before the interruption: nothing "
	    "is signed again");
	jf_add_u64(&f, "first", d.first);
	jf_add_u64(&f, "last", d.last);
	jf_add(&f, "manifest_sha256", d.manifest);
	jf_add(&f, "output", out);
	if ((rc = ceremony_rec(c, "already-done", &f)) != OR_OK)
		return rc;
	interact_say(c->io, SAY_INFO, "step %s: CRLs %" PRIu64 " to %" PRIu64
	    " were signed ahead before the interruption: not signing again",
	    st->number_text, d.first, d.last);
	return OR_OK;
}

/* What a sign-crl step with "ahead" will sign, shown and confirmed
 * before the key is touched. */
static int
ahead_preview(struct ceremony *c, const struct script_step *st,
    const struct crl_ahead_plan *plan, const char *out)
{
	char block[8192], tu[21], nu[21], by[256], q[512];
	size_t used = 0, i;
	struct jfields f;
	bool yes = false;
	int rc, w;

	w = snprintf(block, sizeof block, "CRLs signed ahead: %ld, numbers %"
	    PRIu64 " to %" PRIu64 "\nvalidity:     %ld days, one every %ld "
	    "days\nentries:      %zu in each\noutput:       %s\n\n",
	    plan->count, plan->spec[0].number,
	    plan->spec[plan->count - 1].number, plan->days, plan->interval,
	    plan->spec[0].n, out);
	if (w > 0 && (size_t)w < sizeof block)
		used = (size_t)w;
	for (i = 0; i < (size_t)plan->count && used < sizeof block; i++) {
		utc_text(plan->spec[i].this_update, tu);
		utc_text(plan->spec[i].next_update, nu);
		w = snprintf(block + used, sizeof block - used, "%s\n  "
		    "publish from %s, nextUpdate %s\n", plan->published[i], tu,
		    nu);
		if (w > 0)
			used += (size_t)w;
	}
	c->io->show_block(c->io, "CRLs signed ahead (nothing is signed yet)",
	    block);
	snprintf(q, sizeof q, "%s: sign CRL numbers %" PRIu64 " to %" PRIu64
	    " as shown?", ceremony_who(c, st->role, by, sizeof by),
	    plan->spec[0].number, plan->spec[plan->count - 1].number);
	if ((rc = c->io->confirm(c->io, q, &yes)) != OR_OK)
		return rc;
	jf_init(&f);
	jf_add(&f, "step", st->number_text);
	jf_add_u64(&f, "first", plan->spec[0].number);
	jf_add_u64(&f, "last", plan->spec[plan->count - 1].number);
	jf_add(&f, "by", by);
	jf_add(&f, "answer", yes ? "yes" : "no");
	if ((rc = ceremony_rec(c, "crl-ahead-preview", &f)) != OR_OK)
		return rc;
	if (!yes)
		return err_set(OR_E_CANCEL, "step %s: %s did not confirm the "
		    "CRLs signed ahead; the key was not unlocked and no CRL "
		    "number was used", st->number_text, by);
	return OR_OK;
}

/* A sign-crl step with "ahead": crl --ahead N into a folder on the
 * media (crl-ahead.h). */
static int
act_sign_crl_ahead(struct ceremony *c, const struct script_step *st)
{
	struct crl_ahead_params p;
	struct crl_ahead_plan plan;
	struct crl_ahead_result res;
	struct revoke_db rdb;
	struct cadb *db = NULL;
	X509 *root = NULL;
	char out[PATH_MAX], nu[21];
	const char *v;
	bool done = false;
	int rc;

	memset(&p, 0, sizeof p);
	memset(&plan, 0, sizeof plan);
	memset(&res, 0, sizeof res);
	p.count = strtol(script_param(st, "ahead"), NULL, 10);
	if ((v = script_param(st, "days")) != NULL)
		p.days = strtol(v, NULL, 10);
	if ((v = script_param(st, "interval")) != NULL)
		p.interval = strtol(v, NULL, 10);
	if ((rc = media_path(c, script_param(st, "output"), out,
	    sizeof out)) != OR_OK)
		return rc;
	p.outdir = out;
	if ((rc = resume_crl_ahead(c, st, out, &done)) != OR_OK || done)
		return rc;
	if ((rc = ceremony_open_ca(c, &db, &root)) != OR_OK ||
	    (rc = revoke_db_load(c->p.dir, REVOKE_DB_ENTRIES, &rdb)) != OR_OK ||
	    (rc = crl_ahead_prepare(db, root, &p, &rdb, &plan)) != OR_OK ||
	    (rc = ahead_preview(c, st, &plan, out)) != OR_OK ||
	    (rc = op_check_output(&(struct op_output){ out, OP_NEW_FOLDER },
	    c->p.dir, c->io)) != OR_OK ||
	    (rc = ceremony_verify(c, st)) != OR_OK ||
	    (rc = ceremony_need_key(c, db, root)) != OR_OK ||
	    (rc = attempt_mark(c, st, 0)) != OR_OK ||
	    (rc = crl_ahead_sign(db, root, c->ks, c->io, &p, &plan, &res)) !=
	    OR_OK)
		goto out;
	hex_encode(res.manifest_sha256, 32, c->manifest);
	snprintf(c->crl_sha, sizeof c->crl_sha, "%s", res.sha256[0]);
	media_wrote_manifest(c, out);
	utc_text(plan.spec[res.n - 1].next_update, nu);
	{
		struct jfields f;

		jf_init(&f);
		jf_add(&f, "step", st->number_text);
		jf_add_u64(&f, "first", plan.spec[0].number);
		jf_add_u64(&f, "last", plan.spec[res.n - 1].number);
		jf_add(&f, "runs_out", nu);
		jf_add(&f, "manifest_sha256", c->manifest);
		jf_add(&f, "output", out);
		if ((rc = ceremony_rec(c, "crl-ahead-signed", &f)) != OR_OK)
			goto out;
	}
	interact_say(c->io, SAY_RESULT, "step %s: CRL numbers %" PRIu64 " to %"
	    PRIu64 " signed ahead into %s; they run out at %s: publish each "
	    "at its time, as %s says", st->number_text, plan.spec[0].number,
	    plan.spec[res.n - 1].number, out, nu, CRL_AHEAD_SCHEDULE);
out:
	crl_ahead_result_free(&res);
	crl_ahead_plan_free(&plan);
	X509_free(root);
	cadb_close(db);
	return rc;
}

static int
act_sign_crl(struct ceremony *c, const struct script_step *st)
{
	struct crl_params cp;
	struct crl_plan plan;
	struct crl_result res;
	struct cadb *db = NULL;
	X509 *root = NULL;
	char out[PATH_MAX], num[24], ent[24], tu[21], nu[21];
	const char *v;
	bool done = false;
	int rc;

	if (script_param(st, "ahead") != NULL)
		return act_sign_crl_ahead(c, st);
	memset(&cp, 0, sizeof cp);
	memset(&plan, 0, sizeof plan);
	memset(&res, 0, sizeof res);
	if ((v = script_param(st, "days")) != NULL)
		cp.days = strtol(v, NULL, 10);
	if ((v = script_param(st, "output")) != NULL) {
		if ((rc = media_path(c, v, out, sizeof out)) != OR_OK)
			return rc;
		cp.out = out;
	}
	/* A run cut short after the CRL was recorded (or an output in the
	 * way that is not this step's). */
	if ((rc = ceremony_resume_crl(c, st, cp.out, &done)) != OR_OK || done)
		return rc;
	/* What will be signed, confirmed; the output still writable (a
	 * medium pulled out meanwhile); the verify: lines; only then the
	 * key, and the CRL number. */
	if ((rc = ceremony_open_ca(c, &db, &root)) != OR_OK ||
	    (rc = crl_prepare(db, root, &cp, &plan)) != OR_OK ||
	    (rc = ceremony_crl_preview(c, st, &plan, cp.out)) != OR_OK ||
	    (cp.out != NULL && (rc = op_check_output(&(struct op_output){
	    cp.out, OP_NEW_FILE }, c->p.dir, c->io)) != OR_OK) ||
	    (rc = ceremony_verify(c, st)) != OR_OK ||
	    (rc = ceremony_need_key(c, db, root)) != OR_OK ||
	    (rc = attempt_mark(c, st, 0)) != OR_OK ||
	    (rc = crl_sign(db, c->ks, c->io, &cp, &plan, &res)) != OR_OK)
		goto out;
	snprintf(c->crl_sha, sizeof c->crl_sha, "%s", res.sha256);
	if (cp.out != NULL)
		ceremony_media_wrote(c, cp.out, NULL);
	snprintf(num, sizeof num, "%" PRIu64, res.number);
	snprintf(ent, sizeof ent, "%zu", res.entries);
	utc_text(res.this_update, tu);
	utc_text(res.next_update, nu);
	{
		struct jfields f;

		jf_init(&f);
		jf_add(&f, "step", st->number_text);
		jf_add(&f, "number", num);
		jf_add(&f, "this_update", tu);
		jf_add(&f, "next_update", nu);
		jf_add(&f, "entries", ent);
		jf_add(&f, "file", res.file);
		jf_add(&f, "sha256", res.sha256);
		jf_add(&f, "output", cp.out != NULL ? cp.out : "none");
		if ((rc = ceremony_rec(c, "crl-signed", &f)) != OR_OK)
			goto out;
	}
	interact_say(c->io, SAY_RESULT, "step %s: CRL number %s signed "
	    "(%s entries); the next CRL is due before %s", st->number_text,
	    num, ent, nu);
out:
	crl_result_free(&res);
	crl_plan_free(&plan);
	X509_free(root);
	cadb_close(db);
	return rc;
}

/* The public export: root.pem, the current CRL (one signed ahead whose
 * time has come, too) and their SHA-256 sums in a new folder on the
 * media.  Needs no key. */
static int
act_export(struct ceremony *c, const struct script_step *st)
{
	const char *crlopt = script_param(st, "crl");
	bool want_crl = crlopt == NULL || strcmp(crlopt, "yes") == 0;
	struct revoke_crl cur;
	struct revoke_db rdb;
	unsigned char *der = NULL, md[32];
	char folder[PATH_MAX], src[PATH_MAX], dst[PATH_MAX], crls[PATH_MAX];
	char roothex[65], crlhex[65] = "none", sums[512], num[24] = "none";
	char *pem = NULL, *root = NULL;
	size_t len = 0, pemlen = 0, rootlen = 0;
	bool resume = false;
	int rc;

	memset(&rdb, 0, sizeof rdb);
	if ((rc = media_path(c, script_param(st, "folder"), folder,
	    sizeof folder)) != OR_OK)
		return rc;
	if (want_crl) {
		if ((rc = revoke_db_load(c->p.dir, 0, &rdb)) != OR_OK)
			return rc;
		/* The CRL relying parties have now: the last one signed, or
		 * one signed ahead whose time has come. */
		if (!revoke_db_current(&rdb, time(NULL), &cur)) {
			rc = err_set(OR_E_INPUT, "step %s: the CA has signed no "
			    "CRL yet (add a sign-crl step before, or param: "
			    "crl = no)", st->number_text);
			goto out;
		}
		if ((rc = cadb_path(c->p.dir, CADB_CRLS, crls, sizeof crls)) !=
		    OR_OK || (rc = file_join(src, sizeof src, crls,
		    cur.file)) != OR_OK ||
		    (rc = file_read(src, CRL_MAX_FILE, &der, &len)) != OR_OK ||
		    (rc = crl_to_pem(der, len, &pem, &pemlen)) != OR_OK)
			goto out;
		snprintf(num, sizeof num, "%" PRIu64, cur.number);
	}
	/* A folder an interrupted run of this step began is finished. */
	if ((rc = ceremony_resume_export(c, st, folder, &resume)) != OR_OK)
		goto out;
	if ((rc = cadb_path(c->p.dir, CADB_ROOT_CERT, src, sizeof src)) !=
	    OR_OK || (rc = file_read(src, FILE_MAX_INPUT,
	    (unsigned char **)&root, &rootlen)) != OR_OK ||
	    (rc = file_join(dst, sizeof dst, folder, "root.pem")) != OR_OK ||
	    (rc = ceremony_export_put(dst, root, rootlen, resume)) != OR_OK ||
	    (rc = sha256(root, rootlen, md)) != OR_OK)
		goto out;
	hex_encode(md, 32, roothex);
	ceremony_media_wrote(c, dst, roothex);
	snprintf(sums, sizeof sums, "%s  root.pem\n", roothex);
	if (want_crl) {
		if ((rc = file_join(dst, sizeof dst, folder, "crl.pem")) !=
		    OR_OK || (rc = ceremony_export_put(dst, pem, pemlen,
		    resume)) != OR_OK || (rc = sha256(pem, pemlen, md)) != OR_OK)
			goto out;
		hex_encode(md, 32, crlhex);
		ceremony_media_wrote(c, dst, crlhex);
		snprintf(sums + strlen(sums), sizeof sums - strlen(sums),
		    "%s  crl.pem\n", crlhex);
	}
	if ((rc = file_join(dst, sizeof dst, folder, "SHA256SUMS")) != OR_OK ||
	    (rc = ceremony_export_put(dst, sums, strlen(sums), resume)) != OR_OK)
		goto out;
	{
		struct jfields f;

		jf_init(&f);
		jf_add(&f, "step", st->number_text);
		jf_add(&f, "folder", folder);
		jf_add(&f, "root_pem_sha256", roothex);
		jf_add(&f, "crl_number", num);
		jf_add(&f, "crl_pem_sha256", crlhex);
		rc = ceremony_rec(c, "exported", &f);
	}
	interact_say(c->io, SAY_RESULT, "step %s: root.pem%s written to %s",
	    st->number_text, want_crl ? " and crl.pem" : "", folder);
out:
	revoke_db_free(&rdb);
	free(der);
	free(pem);
	free(root);
	return rc;
}

static int
act_check_key(struct ceremony *c, const struct script_step *st)
{
	struct cadb *db = NULL;
	X509 *root = NULL;
	int rc;

	if ((rc = ceremony_open_ca(c, &db, &root)) != OR_OK ||
	    (rc = ceremony_need_key(c, db, root)) != OR_OK)
		goto out;
	{
		struct jfields f;

		jf_init(&f);
		jf_add(&f, "result", "the key matches root.crt");
		jf_add(&f, "key_type", keytype_name(c->ks->type));
		if ((rc = cadb_append(db, "key-check", &f)) != OR_OK)
			goto out;
	}
	{
		struct jfields f;

		jf_init(&f);
		jf_add(&f, "step", st->number_text);
		jf_add(&f, "result", "the key matches root.crt");
		jf_add(&f, "key_type", keytype_name(c->ks->type));
		rc = ceremony_rec(c, "key-checked", &f);
	}
	interact_say(c->io, SAY_RESULT, "step %s: the root key opens and "
	    "matches root.crt", st->number_text);
out:
	X509_free(root);
	cadb_close(db);
	return rc;
}

/* A new officer share set: the current officers open the key (if this
 * ceremony has not yet), then each new officer in turn gives the folder
 * of their media and a new passphrase, twice (reshare.c). */
static int
act_reshare(struct ceremony *c, const struct script_step *st)
{
	struct reshare_params rp;
	struct reshare_plan plan;
	struct reshare_result res;
	struct cadb *db = NULL;
	X509 *root = NULL;
	const char *kdf = c->p.kdf != NULL ? c->p.kdf :
	    script_param(st, "kdf");
	bool done;
	int rc;

	memset(&rp, 0, sizeof rp);
	memset(&plan, 0, sizeof plan);
	if ((rc = ceremony_resume_reshare(c, st, &done)) != OR_OK || done)
		return rc;
	rp.step = st->number_text;
	if ((rc = share_quorum_parse(script_param(st, "quorum"), &rp.m,
	    &rp.n)) != OR_OK)
		return rc;
	if (kdf != NULL) {
		if (kdf_level_parse(kdf, &rp.kdf) != OR_OK)
			return err_set(OR_E_USAGE, "kdf \"%s\"", kdf);
		rp.kdf_given = true;
	}
	if ((rc = ceremony_open_ca(c, &db, &root)) != OR_OK)
		goto out;
	if (strcmp(db->sum.store, "sealed") != 0) {
		rc = err_set(OR_E_INPUT, "%s: the key is on a token (%s store); "
		    "officer shares are for a sealed key file", c->p.dir,
		    db->sum.store);
		goto out;
	}
	if ((rc = ceremony_need_key(c, db, root)) != OR_OK ||
	    (rc = reshare_prepare(&rp, db, c->io, &plan)) != OR_OK ||
	    (rc = reshare_commit(&plan, db, c->ks, c->tr, c->io, &res)) !=
	    OR_OK)
		goto out;
	c->key_store[0] = '\0';	/* the status line reads it again */
	interact_say(c->io, SAY_RESULT, "step %s: the root key is re-shared "
	    "as a %s quorum (share set %.8s); the old %s shares no longer "
	    "open it: destroy them", st->number_text, res.quorum, res.set,
	    res.old_quorum);
out:
	reshare_plan_free(&plan);
	X509_free(root);
	cadb_close(db);
	return rc;
}


/* A renew-root step's checks around the unlock (renew.h's hooks). */
struct renew_step {
	struct ceremony *c;
	const struct script_step *st;
	bool had_key;		/* unlocked by an earlier step */
};

/* The review renew.c showed, confirmed by the step's role and recorded
 * ("renew-preview") before the key. */
static int
renew_confirm(void *ctx, const struct renew_plan *pl)
{
	struct renew_step *x = ctx;
	struct ceremony *c = x->c;
	char by[256], q[512], nb[21], na[21];
	bool yes = false;
	int rc;

	utc_text(pl->not_before, nb);
	utc_text(pl->not_after, na);
	snprintf(q, sizeof q, "%s: renew the root certificate as shown "
	    "(serial %s, valid to %.10s)?", ceremony_who(c, x->st->role, by,
	    sizeof by), pl->serial, na);
	if ((rc = c->io->confirm(c->io, q, &yes)) != OR_OK)
		return rc;
	{
		struct jfields f;

		jf_init(&f);
		jf_add(&f, "step", x->st->number_text);
		jf_add(&f, "subject", pl->subject);
		jf_add(&f, "previous_serial", pl->prev_serial);
		jf_add(&f, "serial", pl->serial);
		jf_add(&f, "not_before", nb);
		jf_add(&f, "not_after", na);
		jf_add(&f, "profile", pl->profile);
		jf_add(&f, "by", by);
		jf_add(&f, "answer", yes ? "yes" : "no");
		if ((rc = ceremony_rec(c, "renew-preview", &f)) != OR_OK)
			return rc;
	}
	if (!yes)
		return err_set(OR_E_CANCEL, "step %s: %s did not confirm the "
		    "renewal; the key was not unlocked and nothing was signed",
		    x->st->number_text, by);
	return OR_OK;
}

static int
renew_ready(void *ctx)
{
	struct renew_step *x = ctx;

	return ceremony_verify(x->c, x->st);
}

static int
renew_unlocked(void *ctx)
{
	struct renew_step *x = ctx;

	return ceremony_rec_step_unlocked(x->c, x->had_key);
}

/* A new certificate for the root's key and subject (renew.c): reviewed
 * and confirmed by the step's role, the verify: lines, then the key (kept
 * for the next steps: a confirm-fingerprint of = root reads the new
 * root.crt). */
static int
act_renew_root(struct ceremony *c, const struct script_step *st)
{
	struct renew_params rp;
	struct renew_result res;
	struct renew_hooks hooks;
	struct renew_step x = { c, st, c->ks != NULL };
	struct cadb *db = NULL;
	X509 *root = NULL;
	char na[21], fphex[65];
	const char *v;
	bool done = false;
	int rc;

	/* A renewal a crash interrupted (this step's, resumed, or another's)
	 * is finished first, under the lock (recover_root). */
	if ((rc = ceremony_open_ca(c, &db, &root)) != OR_OK)
		return rc;
	X509_free(root);
	cadb_close(db);
	if ((rc = ceremony_resume_renew(c, st, &done)) != OR_OK || done)
		return rc;
	if ((rc = attempt_mark(c, st, 0)) != OR_OK)
		return rc;
	memset(&rp, 0, sizeof rp);
	rp.dir = c->p.dir;
	rp.profile_name = script_param(st, "profile");
	if ((v = script_param(st, "days")) != NULL)
		rp.days = strtol(v, NULL, 10);
	hooks.confirm = renew_confirm;
	hooks.ready = renew_ready;
	hooks.unlocked = renew_unlocked;
	hooks.ctx = &x;
	rp.hooks = &hooks;
	if ((rc = renew_run(&rp, &c->ks, c->io, &res)) != OR_OK)
		return rc;
	hex_encode(res.cert_sha256, 32, fphex);
	utc_text(res.plan.not_after, na);
	{
		struct jfields f;

		jf_init(&f);
		jf_add(&f, "step", st->number_text);
		jf_add(&f, "serial", res.plan.serial);
		jf_add(&f, "previous_serial", res.plan.prev_serial);
		jf_add(&f, "previous_file", res.plan.prev_file);
		jf_add(&f, "not_after", na);
		jf_add(&f, "root_sha256", fphex);
		if ((rc = ceremony_rec(c, "root-renewed", &f)) != OR_OK)
			return rc;
	}
	c->io->show_block(c->io, "SHA-256 fingerprint of the renewed root.crt "
	    "(write it down, read it aloud):", res.fingerprint);
	interact_say(c->io, SAY_RESULT, "step %s: the root certificate is "
	    "renewed: serial %s, valid to %s; the previous one is kept as %s",
	    st->number_text, res.plan.serial, na, res.plan.prev_file);
	return OR_OK;
}

/* The old root's officers unlock it; the new root is previewed and
 * confirmed as generate-root's; rollover.c makes it (init's code) and has
 * the old root cross-sign it; its key is kept for the steps that sign
 * with the successor and for export-transition. */
static int
roll_make(struct ceremony *c, const struct script_step *st,
    struct rootca_params *rp, const char *outdir,
    struct rollover_result *res)
{
	const char *quorum = script_param(st, "quorum");
	const char *both = script_param(st, "both_ways"), *v;
	struct rollover_params p;
	struct gen_shares sh;
	struct cadb *db = NULL;
	X509 *root = NULL;
	int rc;

	if ((rc = ceremony_open_ca(c, &db, &root)) != OR_OK)
		return rc;
	rc = ceremony_need_key(c, db, root);
	X509_free(root);
	cadb_close(db);		/* rollover.c takes the lock itself */
	if (rc != OR_OK)
		return rc;
	memset(&sh, 0, sizeof sh);
	if (!ceremony_is_ca(rp->dir) &&
	    ((rc = ceremony_root_preview(c, st, rp, quorum)) != OR_OK ||
	    (rc = ceremony_verify(c, st)) != OR_OK ||
	    (quorum != NULL && (rc = gen_share_dirs(c, quorum, rp, &sh)) !=
	    OR_OK))) {
		free(sh.dirs);
		return rc;
	}
	memset(&p, 0, sizeof p);
	p.old_dir = c->p.dir;
	p.init = rp;
	p.cross_profile = script_param(st, "cross_profile");
	if ((v = script_param(st, "cross_days")) != NULL)
		p.cross_days = strtol(v, NULL, 10);
	p.outdir = outdir;
	p.both_ways = both != NULL && strcmp(both, "yes") == 0;
	p.old_held = &c->ks;
	p.new_held = &c->succ_ks;
	p.no_export = true;
	rc = rollover_run(&p, c->io, res);
	free(sh.dirs);
	return rc;
}

static int
act_rollover(struct ceremony *c, const struct script_step *st)
{
	struct rootca_params rp;
	struct rollover_result res;
	struct rootca_result shown;
	char profiles[PATH_MAX], newdir[PATH_MAX], outdir[PATH_MAX];
	char fphex[65], oldhex[65];
	struct jfields f;
	int rc;

	if ((rc = gen_params(c, st, &rp, profiles)) != OR_OK ||
	    (rc = succ_dir(c, newdir, sizeof newdir)) != OR_OK ||
	    (rc = media_path(c, script_param(st, "folder"), outdir,
	    sizeof outdir)) != OR_OK)
		return rc;
	rp.dir = newdir;
	if ((rc = attempt_mark(c, st, 0)) != OR_OK ||
	    (rc = roll_make(c, st, &rp, outdir, &res)) != OR_OK)
		return rc;
	hex_encode(res.new_sha256, 32, fphex);
	hex_encode(res.old_sha256, 32, oldhex);
	jf_init(&f);
	jf_add(&f, "step", st->number_text);
	jf_add(&f, "new_ca", newdir);
	jf_add(&f, "new_root_sha256", fphex);
	jf_add(&f, "old_root_sha256", oldhex);
	jf_add(&f, "cross_serial", res.cross_serial);
	if (res.back_serial[0] != '\0')
		jf_add(&f, "back_serial", res.back_serial);
	if ((rc = ceremony_rec(c, "rollover", &f)) != OR_OK)
		return rc;
	interact_say(c->io, SAY_RESULT, "step %s: the new root is in %s, "
	    "cross-signed by the old root as serial %s", st->number_text,
	    newdir, res.cross_serial);
	memset(&shown, 0, sizeof shown);
	snprintf(shown.fingerprint, sizeof shown.fingerprint, "%s",
	    res.new_fingerprint);
	return gen_confirm(c, st, &shown, fphex);
}

/* The transition export of the successor (rollover_export), signed by
 * its key, into the rollover step's folder on the media. */
static int
act_export_transition(struct ceremony *c, const struct script_step *st)
{
	struct rollover_export_params e;
	struct rollover_result res;
	char newdir[PATH_MAX], outdir[PATH_MAX];
	const char *v;
	struct jfields f;
	int rc;

	memset(&e, 0, sizeof e);
	if ((rc = succ_dir(c, newdir, sizeof newdir)) != OR_OK ||
	    (rc = media_path(c, script_param(roll_step(c), "folder"), outdir,
	    sizeof outdir)) != OR_OK ||
	    (rc = ceremony_verify(c, st)) != OR_OK)
		return rc;
	e.old_dir = c->p.dir;
	e.new_dir = newdir;
	e.outdir = outdir;
	if ((v = script_param(st, "overlap_days")) != NULL)
		e.overlap_days = strtol(v, NULL, 10);
	if ((rc = rollover_export(&e, &c->succ_ks, c->io, &res)) != OR_OK)
		return rc;
	hex_encode(res.manifest_sha256, 32, c->manifest);
	media_wrote_manifest(c, outdir);
	jf_init(&f);
	jf_add(&f, "step", st->number_text);
	jf_add(&f, "folder", outdir);
	jf_add(&f, "manifest_sha256", c->manifest);
	jf_add(&f, "cross_serial", res.cross_serial);
	if ((rc = ceremony_rec(c, "transition-exported", &f)) != OR_OK)
		return rc;
	interact_say(c->io, SAY_RESULT, "step %s: the transition export is in "
	    "%s", st->number_text, outdir);
	return OR_OK;
}

/* The sealed root key moved into the ceremony's token (--token, --module):
 * the officers open the key (if this ceremony has not yet), then
 * migrate.c imports it, proves it signs for root.crt, records the move
 * and retires the sealed file.  From then on the ceremony signs with the
 * token.  Run again after a kill past the record, the step finds the
 * journal's migrate record and is done. */
static int
act_migrate(struct ceremony *c, const struct script_step *st)
{
	struct migrate_params mp;
	struct migrate_result res;
	struct migrate_pin_face pf;
	struct keystore *tok = NULL;
	struct cadb *db = NULL;
	X509 *root = NULL;
	int rc;

	memset(&mp, 0, sizeof mp);
	if (c->p.token == NULL)
		return err_set(OR_E_USAGE, "step %s moves the root key into a "
		    "token: give its URI with --token", st->number_text);
	mp.token_uri = c->p.token;
	mp.module = c->p.module;
	mp.label = script_param(st, "label");
	mp.step = st->number_text;
	if ((rc = ceremony_open_ca(c, &db, &root)) != OR_OK)
		goto out;
	if (db->sum.migrated != 0) {
		interact_say(c->io, SAY_INFO, "step %s: the root key was moved "
		    "into token \"%s\" already (journal record %llu)",
		    st->number_text, db->sum.token_label,
		    (unsigned long long)db->sum.migrated);
		goto out;
	}
	if ((rc = migrate_check(db, &mp)) != OR_OK ||
	    (rc = ceremony_need_key(c, db, root)) != OR_OK)
		goto out;
	rc = migrate_commit(db, root, c->ks, c->tr, &mp,
	    migrate_pin_face(&pf, c->io, c->p.pin_file), &res, &tok);
	if (tok != NULL) {	/* the sealed copy in memory goes too */
		keystore_close(c->ks);
		c->ks = tok;
	}
	c->key_store[0] = '\0';	/* the status line reads it again */
	if (rc == OR_OK)
		interact_say(c->io, SAY_RESULT, "step %s: the root key is on "
		    "token \"%s\" (%s); %s was overwritten and removed; the "
		    "token is now the only copy", st->number_text,
		    res.token_label, res.method, CADB_SEALED_KEY);
out:
	X509_free(root);
	cadb_close(db);
	return rc;
}

/* ---- the table -------------------------------------------------------- */

/* Every action a script can name (script.h), indexed by it. */
static const struct ceremony_action {
	enum script_action action;
	int (*run)(struct ceremony *c, const struct script_step *st);
} ceremony_actions[] = {
	[SA_PREFLIGHT] = { SA_PREFLIGHT, act_preflight },
	[SA_PARTICIPANTS] = { SA_PARTICIPANTS, act_participants },
	[SA_NOTE] = { SA_NOTE, act_note },
	[SA_GENERATE_ROOT] = { SA_GENERATE_ROOT, act_generate_root },
	[SA_CONFIRM_FINGERPRINT] = { SA_CONFIRM_FINGERPRINT, act_fingerprint },
	[SA_SIGN_CSRS] = { SA_SIGN_CSRS, act_sign },
	[SA_REVOKE] = { SA_REVOKE, act_revoke },
	[SA_SIGN_CRL] = { SA_SIGN_CRL, act_sign_crl },
	[SA_EXPORT] = { SA_EXPORT, act_export },
	[SA_CHECK_KEY] = { SA_CHECK_KEY, act_check_key },
	[SA_RESHARE] = { SA_RESHARE, act_reshare },
	[SA_RENEW_ROOT] = { SA_RENEW_ROOT, act_renew_root },
	[SA_ROLLOVER] = { SA_ROLLOVER, act_rollover },
	[SA_EXPORT_TRANSITION] = { SA_EXPORT_TRANSITION,
	    act_export_transition },
	[SA_MIGRATE] = { SA_MIGRATE, act_migrate },
};
_Static_assert(nitems(ceremony_actions) == SA_NONE,
    "every script action has its entry in ceremony_actions");

int
ceremony_act(struct ceremony *c, const struct script_step *st)
{
	const struct ceremony_action *a = NULL;

	if ((size_t)st->action < nitems(ceremony_actions))
		a = &ceremony_actions[st->action];
	if (a == NULL || a->run == NULL || a->action != st->action)
		return err_set(OR_E_INPUT, "step %s: no action",
		    st->number_text);
	return a->run(c, st);
}
