/*
 * ceremony-resume.c — what a resume finds (ceremony.h, "Resume").  A run
 * that stopped leaves its transcript unclosed; this file finds the
 * latest unclosed transcript of the same script, shows what it
 * completed and reopens it when the operators agree.  Then, for a step
 * an earlier run began, it tells whether the step's work is already in
 * the CA (a root created, a bundle exported, certificates issued but not
 * exported, a revocation, a reshare, a CRL signed, a public export
 * begun), so that nothing is done twice: a key generated again, a serial
 * used again, a CSR signed again, a CRL signed again.  A run killed after
 * its transcript was sealed is found too (ceremony_resume_sealed): only
 * the copy on the media is left to do.
 */
#include <dirent.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/x509.h>

#include "cadb.h"
#include "ceremony-int.h"
#include "crl.h"
#include "csr.h"
#include "dn.h"
#include "err.h"
#include "fileio.h"
#include "keystore.h"
#include "recover.h"
#include "revoke.h"
#include "rootca.h"
#include "sign.h"
#include "transcript.h"
#include "util.h"

/* What an earlier, unclosed transcript of this script completed. */
struct prior {
	const struct script *s;
	bool is_ceremony, match, closed;
	bool done[SCRIPT_MAX_STEPS], begun[SCRIPT_MAX_STEPS];
	struct attempt attempt[SCRIPT_MAX_STEPS];
	char names[SCRIPT_MAX_ROLES][CEREMONY_NAME_MAX];
	char manifest[65], crl_sha[65];
	char path[PATH_MAX], name[128];
	bool in_stage;
};

static int
step_index(const struct script *s, const char *number)
{
	size_t i;

	for (i = 0; number != NULL && i < s->nsteps; i++)
		if (strcmp(s->steps[i].number_text, number) == 0)
			return (int)i;
	return -1;
}

/* ---- finding an unfinished ceremony --------------------------------- */

static int
prior_visit(const struct jrecord *r, void *vctx)
{
	struct prior *pr = vctx;
	const char *v, *role, *name;
	int k;

	if (r->seq == 1) {
		v = jrecord_get(r, "operation");
		pr->is_ceremony = v != NULL && strcmp(v, "ceremony") == 0;
	} else if (strcmp(r->type, "ceremony") == 0) {
		v = jrecord_get(r, "script_sha256");
		pr->match = v != NULL && strcmp(v, pr->s->sha256_hex) == 0;
	} else if (strcmp(r->type, "end") == 0) {
		pr->closed = true;
	} else if (strcmp(r->type, "participant") == 0) {
		role = jrecord_get(r, "role");
		name = jrecord_get(r, "name");
		if (role != NULL && name != NULL &&
		    (k = ceremony_role_index(pr->s, role)) >= 0)
			snprintf(pr->names[k], sizeof pr->names[k], "%s", name);
	} else if (strcmp(r->type, "step-begin") == 0) {
		if ((k = step_index(pr->s, jrecord_get(r, "step"))) >= 0)
			pr->begun[k] = true;
	} else if (strcmp(r->type, "step-end") == 0) {
		if ((k = step_index(pr->s, jrecord_get(r, "step"))) >= 0)
			pr->done[k] = true;
	} else if (strcmp(r->type, "attempt") == 0) {
		if ((k = step_index(pr->s, jrecord_get(r, "step"))) >= 0 &&
		    !pr->attempt[k].have &&
		    (v = jrecord_get(r, "ca_seq")) != NULL) {
			pr->attempt[k].have = true;
			pr->attempt[k].ca_seq = strtoull(v, NULL, 10);
			if ((v = jrecord_get(r, "revoked_at")) != NULL)
				pr->attempt[k].revoked_at = (time_t)strtoll(v,
				    NULL, 10);
		}
	} else if ((strcmp(r->type, "signed") == 0 ||
	    strcmp(r->type, "resumed-export") == 0 ||
	    strcmp(r->type, "transition-exported") == 0) &&
	    (v = jrecord_get(r, "manifest_sha256")) != NULL) {
		snprintf(pr->manifest, sizeof pr->manifest, "%s", v);
	} else if (strcmp(r->type, "crl-signed") == 0 &&
	    (v = jrecord_get(r, "sha256")) != NULL) {
		snprintf(pr->crl_sha, sizeof pr->crl_sha, "%s", v);
	}
	return OR_OK;
}

/* The latest unclosed transcript of this script in folder, into best. */
static void
scan_folder(struct ceremony *c, const char *folder, bool in_stage,
    struct prior *best, struct prior *tmp, unsigned *others)
{
	struct dirent *de;
	DIR *d;
	size_t n;

	if ((d = opendir(folder)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		n = strlen(de->d_name);
		if (de->d_name[0] == '.' || n < 5 || n >= sizeof tmp->name ||
		    strcmp(de->d_name + n - 4, ".log") != 0 ||
		    strstr(de->d_name, "-ceremony-") == NULL)
			continue;
		memset(tmp, 0, sizeof *tmp);
		tmp->s = &c->s;
		if (file_join(tmp->path, sizeof tmp->path, folder,
		    de->d_name) != OR_OK ||
		    journal_scan(tmp->path, prior_visit, tmp) != OR_OK) {
			err_clear();
			continue;
		}
		if (!tmp->is_ceremony || tmp->closed)
			continue;
		if (!tmp->match) {
			(*others)++;
			continue;
		}
		memcpy(tmp->name, de->d_name, n + 1);
		tmp->in_stage = in_stage;
		if (best->name[0] == '\0' || strcmp(tmp->name, best->name) > 0)
			memcpy(best, tmp, sizeof *best);
	}
	closedir(d);
}

static int
reopen(struct ceremony *c, const struct prior *pr)
{
	struct transcript *t;
	int rc;

	if ((t = calloc(1, sizeof *t)) == NULL)
		return err_set(OR_E_NOMEM, "out of memory");
	snprintf(t->path, sizeof t->path, "%s", pr->path);
	snprintf(t->name, sizeof t->name, "%s", pr->name);
	snprintf(t->operation, sizeof t->operation, "ceremony");
	if ((rc = journal_open(t->path, NULL, NULL, &t->journal)) != OR_OK) {
		free(t);
		return err_context(rc, "the unfinished ceremony's transcript");
	}
	c->tr = t;
	c->in_stage = pr->in_stage;
	return OR_OK;
}

/* Shows what the unfinished run pr completed: list gets the completed
 * steps' numbers (empty: none), *first the first step not done (nsteps:
 * every step is done, but the transcript was never sealed). */
static void
prior_show(struct ceremony *c, const struct prior *pr, char *list,
    size_t size, size_t *first)
{
	char block[4096];
	size_t i, used, l = 0;
	int w;

	list[0] = '\0';
	*first = SIZE_MAX;
	for (i = 0; i < c->s.nsteps; i++) {
		if (pr->done[i]) {
			w = snprintf(list + l, size - l, "%s%s", l ? ", " : "",
			    c->s.steps[i].number_text);
			if (w > 0 && (size_t)w < size - l)
				l += (size_t)w;
		} else if (*first == SIZE_MAX)
			*first = i;
	}
	if (*first == SIZE_MAX)
		*first = c->s.nsteps;
	used = (size_t)snprintf(block, sizeof block, "transcript: %s\n"
	    "completed steps: %s\n", pr->path, l ? list : "none");
	if (*first < c->s.nsteps)
		snprintf(block + used, sizeof block - used, "first step not "
		    "done: step %s: %s\n", c->s.steps[*first].number_text,
		    c->s.steps[*first].title);
	else
		snprintf(block + used, sizeof block - used, "every step is "
		    "done; the transcript was not sealed\n");
	c->io->show_block(c->io, "An unfinished run of this ceremony", block);
}

/* Whether the operators resume from step first: as the params say, or
 * asked through io. */
static int
prior_agree(struct ceremony *c, size_t first, bool *yes)
{
	char q[256];

	*yes = false;
	if (first < c->s.nsteps)
		snprintf(q, sizeof q, "Resume this ceremony from step %s?",
		    c->s.steps[first].number_text);
	else
		snprintf(q, sizeof q, "Resume this ceremony to seal it?");
	switch (c->p.resume) {
	case CEREMONY_RESUME_YES:
		*yes = true;
		break;
	case CEREMONY_RESUME_NO:
		*yes = false;
		break;
	case CEREMONY_RESUME_ASK:
		return c->io->confirm(c->io, q, yes);
	}
	return OR_OK;
}

/* The participants: a name the transcript records stands (it is what the
 * witnesses saw); a role it does not name yet (a run stopped before or
 * during the participants step) keeps the name given up front, by the
 * answers file, instead of being emptied and asked again. */
static void
resume_names(struct ceremony *c, const struct prior *pr)
{
	size_t k;

	for (k = 0; k < c->s.nroles; k++) {
		if (pr->names[k][0] == '\0')
			continue;
		if (c->names[k][0] != '\0' &&
		    strcmp(c->names[k], pr->names[k]) != 0)
			interact_say(c->io, SAY_WARN, "the transcript names the "
			    "%s \"%s\", not \"%s\": the recorded name stands",
			    c->s.roles[k], pr->names[k], c->names[k]);
		snprintf(c->names[k], sizeof c->names[k], "%s", pr->names[k]);
	}
}

/* Goes on with the unfinished run pr: its transcript, what its steps
 * did, a "resume" record. */
static int
prior_adopt(struct ceremony *c, const struct prior *pr, const char *list,
    size_t first)
{
	struct jfields f;
	size_t i;
	int rc;

	if ((rc = reopen(c, pr)) != OR_OK)
		return rc;
	for (i = 0; i < c->s.nsteps; i++) {
		c->views[i].state = pr->done[i] ? STEP_DONE : STEP_PENDING;
		c->begun[i] = pr->begun[i] && !pr->done[i];
		c->attempt[i] = pr->attempt[i];
	}
	resume_names(c, pr);
	memcpy(c->manifest, pr->manifest, sizeof c->manifest);
	memcpy(c->crl_sha, pr->crl_sha, sizeof c->crl_sha);
	jf_init(&f);
	jf_add(&f, "completed", list[0] != '\0' ? list : "none");
	jf_add(&f, "from_step", first < c->s.nsteps ?
	    c->s.steps[first].number_text : "seal");
	jf_add(&f, "runner", c->p.runner != NULL ? c->p.runner : "cli");
	return ceremony_rec(c, "resume", &f);
}

/* Looks for an unfinished run of this script; resumes it when the
 * operators agree.  *resumed says whether it did. */
int
ceremony_resume_offer(struct ceremony *c, bool *resumed)
{
	struct prior *best = NULL, *tmp = NULL;
	char folder[PATH_MAX], list[1024];
	size_t first;
	unsigned others = 0;
	bool yes = false;
	int rc = OR_OK;

	*resumed = false;
	best = calloc(1, sizeof *best);
	tmp = calloc(1, sizeof *tmp);
	if (best == NULL || tmp == NULL) {
		rc = err_set(OR_E_NOMEM, "out of memory");
		goto out;
	}
	if (cadb_path(c->p.dir, CADB_TRANSCRIPTS, folder, sizeof folder) ==
	    OR_OK)
		scan_folder(c, folder, false, best, tmp, &others);
	if (file_join(folder, sizeof folder, c->stage, CADB_TRANSCRIPTS) ==
	    OR_OK)
		scan_folder(c, folder, true, best, tmp, &others);
	if (others > 0)
		interact_say(c->io, SAY_WARN, "%u unfinished ceremony "
		    "transcript(s) of other scripts (or other versions of this "
		    "one) are left as they are", others);
	if (best->name[0] == '\0')
		goto out;
	prior_show(c, best, list, sizeof list, &first);
	if ((rc = prior_agree(c, first, &yes)) != OR_OK)
		goto out;
	if (!yes) {
		interact_say(c->io, SAY_WARN, "not resuming: %s stays unclosed "
		    "(offroot audit counts it as abandoned)", best->path);
		goto out;
	}
	if ((rc = prior_adopt(c, best, list, first)) != OR_OK)
		goto out;
	*resumed = true;
out:
	free(best);
	free(tmp);
	return rc;
}

/* ---- a run killed after its seal ------------------------------------- */

/* The CA journal's last record but recover records, when it is a ceremony
 * transcript's close; and the recover record that wrote it, if one did. */
struct last_close {
	char file[128], sha[65];
	uint64_t recovered;
};

static int
last_close_visit(const struct jrecord *r, void *vctx)
{
	struct last_close *lc = vctx;
	const char *v, *f = jrecord_get(r, "file"), *sha;
	size_t n = strlen(CADB_TRANSCRIPTS);

	if (strcmp(r->type, "recover") == 0) {
		if ((v = jrecord_get(r, "action")) != NULL &&
		    strcmp(v, "close") == 0 && f != NULL &&
		    lc->file[0] != '\0' && strncmp(f, CADB_TRANSCRIPTS, n) ==
		    0 && f[n] == '/' && strcmp(f + n + 1, lc->file) == 0)
			lc->recovered = r->seq;
		return OR_OK;
	}
	lc->file[0] = '\0';
	lc->recovered = 0;
	if (strcmp(r->type, "transcript") == 0 && f != NULL &&
	    (v = jrecord_get(r, "operation")) != NULL &&
	    strcmp(v, "ceremony") == 0 &&
	    (sha = jrecord_get(r, "sha256")) != NULL &&
	    strlen(f) < sizeof lc->file && strchr(f, '/') == NULL) {
		snprintf(lc->file, sizeof lc->file, "%s", f);
		snprintf(lc->sha, sizeof lc->sha, "%s", sha);
	}
	return OR_OK;
}

/*
 * A run of this script whose seal is the last thing the journal records
 * was killed after its seal, and every step is done, when the recovery
 * pass of this very run recorded the close (the kill came between the
 * seal and its record), or, for a script that creates the root (it can
 * never start again on its CA), when the copy is not on the media yet.
 * Otherwise the last run ended as it should, or the same script runs
 * again on purpose (a CRL ceremony, with other media): it starts anew.
 */
int
ceremony_resume_sealed(struct ceremony *c, bool *sealed)
{
	struct last_close lc;
	struct prior *pr = NULL;
	struct transcript_info ti;
	struct cadb *db = NULL;
	X509 *root = NULL;
	char jpath[PATH_MAX], tdir[PATH_MAX], path[PATH_MAX], dst[PATH_MAX];
	char hex[65];
	unsigned char h0[32];
	uint64_t seq0 = 0;
	size_t i;
	int rc;

	*sealed = false;
	memset(&lc, 0, sizeof lc);
	if (cadb_head(c->p.dir, &seq0, h0) != OR_OK)
		err_clear();	/* ceremony_open_ca says why */
	if ((rc = ceremony_open_ca(c, &db, &root)) != OR_OK ||
	    (rc = cadb_path(c->p.dir, CADB_JOURNAL, jpath, sizeof jpath)) !=
	    OR_OK || (rc = journal_scan(jpath, last_close_visit, &lc)) != OR_OK)
		goto out;
	if (lc.file[0] == '\0')
		goto out;
	if ((pr = calloc(1, sizeof *pr)) == NULL) {
		rc = err_set(OR_E_NOMEM, "out of memory");
		goto out;
	}
	pr->s = &c->s;
	if ((rc = cadb_path(c->p.dir, CADB_TRANSCRIPTS, tdir, sizeof tdir)) !=
	    OR_OK || (rc = file_join(path, sizeof path, tdir, lc.file)) !=
	    OR_OK)
		goto out;
	/* This script's, whole as recorded, and sealed by the root key;
	 * anything else is audit's to name. */
	if (file_sha256_hex(path, hex) != OR_OK || strcmp(hex, lc.sha) != 0 ||
	    journal_scan(path, prior_visit, pr) != OR_OK || !pr->is_ceremony ||
	    !pr->match || !pr->closed ||
	    transcript_verify(path, X509_get0_pubkey(root), &ti) != OR_OK ||
	    !ti.sealed) {
		err_clear();
		goto out;
	}
	if (lc.recovered <= seq0) {
		if (!c->s.creates_root || c->p.media == NULL)
			goto out;
		if ((rc = file_join(dst, sizeof dst, c->p.media, lc.file)) !=
		    OR_OK)
			goto out;
		if (ceremony_exists(dst))
			goto out;
	}
	*sealed = true;
	snprintf(c->sealed_name, sizeof c->sealed_name, "%s", lc.file);
	for (i = 0; i < c->s.nsteps; i++)
		c->views[i].state = STEP_DONE;
	resume_names(c, pr);
	interact_say(c->io, SAY_INFO, "%s: this ceremony's transcript is "
	    "sealed and recorded, its run was interrupted after the seal; "
	    "every step is done, nothing is signed again%s", path,
	    c->p.media != NULL ? "; its copy on the media is written now" :
	    "");
out:
	free(pr);
	X509_free(root);
	cadb_close(db);
	return rc;
}

struct init_subject {
	char subject[1024];
};

static int
init_visit(const struct jrecord *r, void *vctx)
{
	struct init_subject *is = vctx;
	const char *v;

	if (strcmp(r->type, "init") == 0 && (v = jrecord_get(r, "subject")))
		snprintf(is->subject, sizeof is->subject, "%s", v);
	return OR_OK;
}

/* The CA directory exists: done when its init record is this step's. */
int
ceremony_resume_root(struct ceremony *c, const struct script_step *st,
    const struct rootca_params *rp)
{
	struct cadb_summary sum;
	struct init_subject is;
	X509_NAME *dn = NULL;
	char want[1024];
	int rc;

	memset(&is, 0, sizeof is);
	if ((rc = cadb_scan(c->p.dir, &sum, init_visit, &is)) != OR_OK)
		return rc;
	if ((rc = dn_parse(rp->subject, &dn)) != OR_OK)
		return rc;
	rc = dn_format(dn, want, sizeof want);
	X509_NAME_free(dn);
	if (rc != OR_OK)
		return rc;
	if (!sum.initialised || strcmp(is.subject, want) != 0 ||
	    strcmp(sum.key_type, keytype_name(rp->key_type)) != 0 ||
	    strcmp(sum.profile, rp->profile_name) != 0 ||
	    strcmp(sum.store, rp->pkcs11 ? "pkcs11" : "sealed") != 0)
		return err_set(OR_E_EXISTS, "%s holds a CA that step %s did not "
		    "make (%s, %s, profile %s); refusing to go on", c->p.dir,
		    st->number_text, is.subject, sum.key_type, sum.profile);
	interact_say(c->io, SAY_INFO, "step %s: the root was already created "
	    "(%s): not generating another key", st->number_text, c->p.dir);
	{
		struct jfields f;

		jf_init(&f);
		jf_add(&f, "step", st->number_text);
		jf_add(&f, "reason",
		    "the CA directory exists with the init record this step "
		    "makes: the key is not generated again");
		jf_add(&f, "root_sha256", sum.root_sha256);
		return ceremony_rec(c, "already-done", &f);
	}
}

struct export_find {
	const char *outdir;
	char manifest[65];
};

static int
export_visit(const struct jrecord *r, void *vctx)
{
	struct export_find *e = vctx;
	const char *v;

	if (strcmp(r->type, "export") == 0 &&
	    (v = jrecord_get(r, "outdir")) != NULL &&
	    strcmp(v, e->outdir) == 0 &&
	    (v = jrecord_get(r, "manifest_sha256")) != NULL)
		snprintf(e->manifest, sizeof e->manifest, "%s", v);
	return OR_OK;
}

/* A run cut short after the bundle was written: done already. */
/* outdir holds the bundle whose MANIFEST the journal recorded. */
static int
bundle_in_place(const struct script_step *st, const char *outdir,
    const char *manifest)
{
	char path[PATH_MAX], hex[65];

	if (file_join(path, sizeof path, outdir, "MANIFEST") == OR_OK &&
	    file_sha256_hex(path, hex) == OR_OK && strcmp(hex, manifest) == 0)
		return OR_OK;
	return err_set(OR_E_EXISTS, "step %s: the journal records its bundle "
	    "as written to %s (MANIFEST SHA-256 %s), but %s does not hold it: "
	    "move what is there aside, then resume", st->number_text, outdir,
	    manifest, outdir);
}

int
ceremony_resume_bundle(struct ceremony *c, const struct script_step *st,
    const char *outdir, bool *done)
{
	struct cadb_summary sum;
	struct export_find ef;
	struct jfields f;
	int rc;

	*done = false;
	if (!c->begun[c->current])
		return OR_OK;
	memset(&ef, 0, sizeof ef);
	ef.outdir = outdir;
	if ((rc = cadb_scan(c->p.dir, &sum, export_visit, &ef)) != OR_OK)
		return rc;
	if (ef.manifest[0] == '\0')
		return OR_OK;
	/* Recorded before it was renamed into place (bundle_stage): a kill
	 * may have left it staged. */
	if ((rc = recover_publish(outdir, ef.manifest, c->io)) != OR_OK ||
	    (rc = bundle_in_place(st, outdir, ef.manifest)) != OR_OK)
		return rc;
	*done = true;
	jf_init(&f);
	jf_add(&f, "step", st->number_text);
	jf_add(&f, "reason", "the journal records this bundle as exported: "
	    "nothing is signed again");
	jf_add(&f, "bundle", outdir);
	jf_add(&f, "manifest_sha256", ef.manifest);
	snprintf(c->manifest, sizeof c->manifest, "%s", ef.manifest);
	return ceremony_rec(c, "already-done", &f);
}

/* Issuances the journal records after a step's first attempt, for the
 * step's CSRs under its profile. */
struct issued_find {
	uint64_t after;
	const char *profile;
	size_t n;
	char (*csr)[65];		/* the step's CSRs' SHA-256 */
	char (*serial)[64];		/* what each was issued as */
	unsigned *count;
};

static int
issued_visit(const struct jrecord *r, void *vctx)
{
	struct issued_find *f = vctx;
	const char *csr, *serial, *prof;
	size_t k;

	if (r->seq <= f->after || strcmp(r->type, "issue") != 0 ||
	    (csr = jrecord_get(r, "csr_sha256")) == NULL ||
	    (serial = jrecord_get(r, "serial")) == NULL ||
	    (prof = jrecord_get(r, "profile")) == NULL ||
	    strcmp(prof, f->profile) != 0)
		return OR_OK;
	for (k = 0; k < f->n; k++)
		if (strcmp(csr, f->csr[k]) == 0 && f->count[k]++ == 0)
			snprintf(f->serial[k], sizeof f->serial[k], "%s", serial);
	return OR_OK;
}

/* Names the half-written bundle folders an interrupted run left next to
 * outdir (bundle.c writes into .NAME.partial-XXXXXX, then renames). */
static void
warn_partial(struct ceremony *c, const char *outdir)
{
	char parent[PATH_MAX], prefix[PATH_MAX + 16];
	const char *base = strrchr(outdir, '/');
	struct dirent *de;
	DIR *d;

	base = base != NULL ? base + 1 : outdir;
	file_dirname(outdir, parent, sizeof parent);
	snprintf(prefix, sizeof prefix, ".%s.partial-", base);
	if ((d = opendir(parent)) == NULL)
		return;
	while ((de = readdir(d)) != NULL)
		if (strncmp(de->d_name, prefix, strlen(prefix)) == 0)
			interact_say(c->io, SAY_WARN, "%s/%s was left half-written "
			    "by the interrupted run: it is not the bundle and "
			    "can be deleted", parent, de->d_name);
	closedir(d);
}

/* The journal's issuances of the step's CSRs (csrs, n) since its first
 * attempt, into f (allocated here; the caller frees its arrays). */
static int
issued_scan(struct ceremony *c, const struct script_step *st,
    const char *const *csrs, size_t n, struct issued_find *f)
{
	struct cadb_summary sum;
	struct csr_info ci;
	size_t k;
	int rc;

	f->after = c->attempt[c->current].ca_seq;
	f->profile = script_param(st, "profile") != NULL ?
	    script_param(st, "profile") : "intermediate";
	f->n = n;
	f->csr = calloc(n, sizeof *f->csr);
	f->serial = calloc(n, sizeof *f->serial);
	f->count = calloc(n, sizeof *f->count);
	if (f->csr == NULL || f->serial == NULL || f->count == NULL)
		return err_set(OR_E_NOMEM, "out of memory");
	for (k = 0; k < n; k++) {
		if ((rc = csr_load(csrs[k], &ci)) != OR_OK)
			return rc;
		hex_encode(ci.csr_sha256, 32, f->csr[k]);
		csr_free(&ci);
	}
	return cadb_scan(c->p.dir, &sum, issued_visit, f);
}

/* The serials issued once each (into serials, and list: comma-separated,
 * listsize bytes); *found of them.  A CSR issued twice is refused. */
static int
issued_serials(const struct script_step *st, const char *const *csrs,
    const struct issued_find *f, const char **serials, char *list,
    size_t listsize, size_t *found)
{
	size_t k, used = 0;

	*found = 0;
	for (k = 0; k < f->n; k++) {
		if (f->count[k] > 1)
			return err_set(OR_E_CORRUPT, "step %s: the journal "
			    "records %u issuances for %s since this step "
			    "began; refusing to go on", st->number_text,
			    f->count[k], csrs[k]);
		if (f->count[k] == 1) {
			serials[(*found)++] = f->serial[k];
			used += (size_t)snprintf(list + used, listsize - used,
			    "%s%s", used ? "," : "", f->serial[k]);
		}
	}
	return OR_OK;
}

/* The bundle of the n certificates (serials; list: the same, as text)
 * issued before the interruption, written from their issued copies
 * (sign_export_ks) and recorded ("resumed-export"). */
static int
resumed_export(struct ceremony *c, const struct script_step *st,
    const char **serials, size_t n, const char *list, const char *outdir)
{
	struct export_params ep;
	struct sign_result res;
	struct jfields f;
	char reason[160];
	int rc;

	interact_say(c->io, SAY_INFO, "step %s: the journal records %zu "
	    "certificate%s issued before the interruption (%s): writing the "
	    "bundle without signing again", st->number_text, n, n == 1 ? "" :
	    "s", list);
	warn_partial(c, outdir);
	snprintf(reason, sizeof reason, "ceremony step %s resumed: the bundle "
	    "of certificates issued before the interruption", st->number_text);
	memset(&ep, 0, sizeof ep);
	ep.dir = c->p.dir;
	ep.serials = serials;
	ep.nserial = n;
	ep.outdir = outdir;
	ep.reason = reason;
	if ((rc = sign_export_ks(&ep, &c->ks, c->io, &res)) != OR_OK)
		return rc;
	hex_encode(res.manifest_sha256, 32, c->manifest);
	jf_init(&f);
	jf_add(&f, "step", st->number_text);
	jf_add(&f, "reason", "the journal records these certificates as "
	    "issued in this step before the interruption: the bundle is "
	    "written from their issued copies, nothing is signed again");
	jf_add_u64(&f, "certificates", n);
	jf_add(&f, "serials", list);
	jf_add(&f, "bundle", outdir);
	jf_add(&f, "manifest_sha256", c->manifest);
	if ((rc = ceremony_rec(c, "resumed-export", &f)) != OR_OK)
		return rc;
	interact_say(c->io, SAY_RESULT, "step %s: the bundle of %zu "
	    "certificate%s issued before the interruption is in %s",
	    st->number_text, n, n == 1 ? "" : "s", outdir);
	return OR_OK;
}

/*
 * A sign-csrs step cut short after its certificates were issued (recorded
 * in the journal) but before their bundle was: the bundle is written from
 * the issued copies, nothing is signed again.  *done says whether the
 * journal held this step's issuances.
 */
int
ceremony_resume_sign(struct ceremony *c, const struct script_step *st,
    const char *const *csrs, size_t n, const char *outdir, bool *done)
{
	struct issued_find f;
	const char **serials = NULL;
	char *list = NULL;
	size_t found = 0, listsize = n * (sizeof *f.serial + 1);
	int rc;

	*done = false;
	if (!c->begun[c->current] || !c->attempt[c->current].have)
		return OR_OK;
	memset(&f, 0, sizeof f);
	serials = calloc(n, sizeof *serials);
	list = calloc(1, listsize);
	if (serials == NULL || list == NULL) {
		rc = err_set(OR_E_NOMEM, "out of memory");
		goto out;
	}
	if ((rc = issued_scan(c, st, csrs, n, &f)) != OR_OK ||
	    (rc = issued_serials(st, csrs, &f, serials, list, listsize,
	    &found)) != OR_OK || found == 0)	/* none: sign as usual */
		goto out;
	if (found < n) {
		rc = err_set(OR_E_CORRUPT, "step %s: the journal records %zu of "
		    "its %zu certificates as issued since this step began; "
		    "refusing to go on", st->number_text, found, n);
		goto out;
	}
	if (ceremony_exists(outdir)) {
		rc = err_set(OR_E_EXISTS, "step %s: certificate%s %s %s issued "
		    "before the interruption, but the journal does not record "
		    "their bundle and %s exists: check it with offroot verify, "
		    "move it aside and resume again", st->number_text,
		    n == 1 ? "" : "s", list, n == 1 ? "was" : "were", outdir);
		goto out;
	}
	if ((rc = resumed_export(c, st, serials, n, list, outdir)) == OR_OK)
		*done = true;
out:
	free(f.csr);
	free(f.serial);
	free(f.count);
	free(serials);
	free(list);
	return rc;
}

/* Whether the journal already holds exactly this step's revocation:
 * every serial revoked for the step's reason at the time its first
 * attempt chose. */
static int
revoke_done(struct ceremony *c, const struct revoke_request *req,
    const struct serial *s, size_t n, bool *done)
{
	struct revoke_db rdb;
	const struct revoke_entry *e;
	size_t i;
	int rc;

	*done = false;
	memset(&rdb, 0, sizeof rdb);
	if ((rc = revoke_db_load(c->p.dir, REVOKE_DB_ENTRIES, &rdb)) != OR_OK)
		return rc;
	for (i = 0; i < n; i++) {
		e = revoke_db_find(&rdb, &s[i]);
		if (e == NULL || e->reason != req->reason ||
		    e->revoked_at != (int64_t)req->revoked_at)
			break;
	}
	*done = i == n;
	revoke_db_free(&rdb);
	return OR_OK;
}

/* A run cut short after the revocation was recorded. */
int
ceremony_resume_revoke(struct ceremony *c, const struct script_step *st,
    const struct revoke_request *req, const struct serial *s,
    size_t n, bool *done)
{
	struct jfields f;
	char at[21];
	int rc;

	*done = false;
	if (!c->begun[c->current] || !c->attempt[c->current].have)
		return OR_OK;
	if ((rc = revoke_done(c, req, s, n, done)) != OR_OK || !*done)
		return rc;
	utc_text(req->revoked_at, at);
	jf_init(&f);
	jf_add(&f, "step", st->number_text);
	jf_add(&f, "reason", "the journal already holds this step's "
	    "revocation (same serials, reason and time): nothing is revoked "
	    "again");
	jf_add_u64(&f, "serials", n);
	jf_add(&f, "revocation_reason", revoke_reason_name(req->reason));
	jf_add(&f, "revoked_at", at);
	rc = ceremony_rec(c, "already-done", &f);
	interact_say(c->io, SAY_INFO, "step %s: the revocation was recorded "
	    "before the interruption: not revoking again", st->number_text);
	return rc;
}

/* Resuming a reshare step: the share sets this step wrote in earlier
 * runs (share-written records after its step-begin records), and whether
 * the CA journal recorded a reshare to one of them. */
struct reshare_sets {
	const char *step;
	bool in_step;
	char set[8][33];
	size_t n;
	char done[33];
};

static int
reshare_sets_visit(const struct jrecord *r, void *vctx)
{
	struct reshare_sets *rs = vctx;
	const char *v = jrecord_get(r, "share_set");
	const char *step = jrecord_get(r, "step");

	if (strcmp(r->type, "step-begin") == 0)
		rs->in_step = step != NULL && strcmp(step, rs->step) == 0;
	if (!rs->in_step || v == NULL || strcmp(r->type, "share-written") != 0
	    || rs->n == 8 || (rs->n > 0 && strcmp(rs->set[rs->n - 1], v) == 0))
		return OR_OK;
	snprintf(rs->set[rs->n++], sizeof rs->set[0], "%s", v);
	return OR_OK;
}

static int
reshare_journal_visit(const struct jrecord *r, void *vctx)
{
	struct reshare_sets *rs = vctx;
	const char *v = jrecord_get(r, "share_set");
	size_t i;

	if (strcmp(r->type, "reshare") != 0 || v == NULL)
		return OR_OK;
	for (i = 0; i < rs->n; i++)
		if (strcmp(rs->set[i], v) == 0)
			snprintf(rs->done, sizeof rs->done, "%s", v);
	return OR_OK;
}

/* A run cut short after its reshare was recorded: done already. */
int
ceremony_resume_reshare(struct ceremony *c, const struct script_step *st,
    bool *done)
{
	struct reshare_sets rs;
	struct cadb_summary sum;
	int rc;

	*done = false;
	memset(&rs, 0, sizeof rs);
	rs.step = st->number_text;
	if (!c->begun[c->current])
		return OR_OK;
	if ((rc = journal_scan(c->tr->path, reshare_sets_visit, &rs)) != OR_OK ||
	    (rs.n != 0 && (rc = cadb_scan(c->p.dir, &sum,
	    reshare_journal_visit, &rs)) != OR_OK))
		return rc;
	if (rs.done[0] == '\0')
		return OR_OK;
	*done = true;
	interact_say(c->io, SAY_INFO, "step %s: the CA journal already records "
	    "this step's reshare (share set %.8s): not re-sharing again",
	    st->number_text, rs.done);
	{
		struct jfields f;

		jf_init(&f);
		jf_add(&f, "step", st->number_text);
		jf_add(&f, "reason",
		    "the CA journal records the reshare to the share set "
		    "this step wrote");
		jf_add(&f, "share_set", rs.done);
		return ceremony_rec(c, "already-done", &f);
	}
}


/* ---- a renew-root step ----------------------------------------------- */

/* The first renew-root record after the step's first attempt. */
struct renew_since {
	uint64_t after, seq;
	char serial[48];
};

static int
renew_since_visit(const struct jrecord *r, void *vctx)
{
	struct renew_since *rs = vctx;
	const char *v;

	if (rs->seq == 0 && r->seq > rs->after &&
	    strcmp(r->type, "renew-root") == 0) {
		rs->seq = r->seq;
		v = jrecord_get(r, "serial");
		snprintf(rs->serial, sizeof rs->serial, "%s", v ? v : "?");
	}
	return OR_OK;
}

int
ceremony_resume_renew(struct ceremony *c, const struct script_step *st,
    bool *done)
{
	struct renew_since rs;
	struct cadb_summary sum;
	int rc;

	*done = false;
	if (!c->begun[c->current] || !c->attempt[c->current].have)
		return OR_OK;
	memset(&rs, 0, sizeof rs);
	rs.after = c->attempt[c->current].ca_seq;
	if ((rc = cadb_scan(c->p.dir, &sum, renew_since_visit, &rs)) != OR_OK)
		return rc;
	if (rs.seq == 0)
		return OR_OK;
	*done = true;
	interact_say(c->io, SAY_INFO, "step %s: the CA journal already records "
	    "this step's renewal (record %" PRIu64 ", serial %s): not renewing "
	    "again", st->number_text, rs.seq, rs.serial);
	{
		struct jfields f;

		jf_init(&f);
		jf_add(&f, "step", st->number_text);
		jf_add(&f, "reason", "the CA journal records a renewal of the "
		    "root certificate after this step's first attempt");
		jf_add(&f, "serial", rs.serial);
		return ceremony_rec(c, "already-done", &f);
	}
}

/* ---- a sign-crl step ------------------------------------------------ */

/* The CRL the journal records as signed since the step's first attempt
 * (rdb->last_crl), in PEM as the step writes it to the media. */
static int
crl_since_attempt(struct ceremony *c, struct revoke_db *rdb, char **pem,
    size_t *pemlen, bool *found)
{
	unsigned char *der = NULL;
	char crls[PATH_MAX], src[PATH_MAX];
	size_t len;
	int rc;

	*found = false;
	if ((rc = revoke_db_load(c->p.dir, 0, rdb)) != OR_OK)
		return rc;
	if (!rdb->has_crl || rdb->last_crl.seq <= c->attempt[c->current].ca_seq)
		return OR_OK;
	if ((rc = cadb_path(c->p.dir, CADB_CRLS, crls, sizeof crls)) != OR_OK ||
	    (rc = file_join(src, sizeof src, crls, rdb->last_crl.file)) !=
	    OR_OK || (rc = file_read(src, CRL_MAX_FILE, &der, &len)) != OR_OK)
		return rc;
	rc = crl_to_pem(der, len, pem, pemlen);
	free(der);
	*found = rc == OR_OK;
	return rc;
}

/* The output on the media: written from the recorded CRL when the kill
 * came before it, accepted when it holds exactly that CRL, refused when
 * it holds anything else. */
static int
crl_output(struct ceremony *c, const struct script_step *st,
    const char *out, const char *pem, size_t pemlen, const char **how)
{
	unsigned char *data = NULL;
	size_t len = 0;
	bool same;
	int rc;

	*how = "the recorded CRL is already on the media";
	if (out == NULL)
		return OR_OK;
	if (!ceremony_exists(out)) {
		*how = "the recorded CRL was copied to the media";
		return file_write_new(out, pem, pemlen, 0644);
	}
	if ((rc = file_read(out, CRL_MAX_FILE, &data, &len)) != OR_OK)
		return rc;
	same = len == pemlen && memcmp(data, pem, len) == 0;
	free(data);
	if (!same)
		return err_set(OR_E_EXISTS, "%s already exists and is not the "
		    "CRL the journal records for this step; refusing to "
		    "overwrite it", out);
	return OR_OK;
}

/*
 * A sign-crl step begun before: when the CA journal records a CRL signed
 * since the step's first attempt, the step is done (its output on the
 * media is that CRL, or is written from it), recorded "already-done";
 * nothing is signed again.  Otherwise an existing output is refused as
 * before: it is not this step's.
 */
int
ceremony_resume_crl(struct ceremony *c, const struct script_step *st,
    const char *out, bool *done)
{
	struct revoke_db rdb;
	struct jfields f;
	const char *how = "";
	char *pem = NULL;
	size_t pemlen = 0;
	bool found = false;
	int rc = OR_OK;

	*done = false;
	memset(&rdb, 0, sizeof rdb);
	if (c->begun[c->current] && c->attempt[c->current].have &&
	    (rc = crl_since_attempt(c, &rdb, &pem, &pemlen, &found)) != OR_OK)
		goto out;
	if (!found) {
		if (out != NULL && ceremony_exists(out))
			rc = err_set(OR_E_EXISTS, "%s already exists; refusing "
			    "to overwrite it", out);
		goto out;
	}
	if ((rc = crl_output(c, st, out, pem, pemlen, &how)) != OR_OK)
		goto out;
	*done = true;
	snprintf(c->crl_sha, sizeof c->crl_sha, "%s", rdb.last_crl.sha256);
	jf_init(&f);
	jf_add(&f, "step", st->number_text);
	jf_add(&f, "reason", "the CA journal records the CRL this step signed "
	    "before the interruption: nothing is signed again");
	jf_add_u64(&f, "number", rdb.last_crl.number);
	jf_add(&f, "sha256", rdb.last_crl.sha256);
	jf_add(&f, "output", out != NULL ? out : "none");
	jf_add(&f, "output_state", how);
	if ((rc = ceremony_rec(c, "already-done", &f)) != OR_OK)
		goto out;
	interact_say(c->io, SAY_INFO, "step %s: CRL number %" PRIu64 " was "
	    "signed before the interruption (%s): not signing again",
	    st->number_text, rdb.last_crl.number, how);
out:
	free(pem);
	revoke_db_free(&rdb);
	return rc;
}

/* ---- an export step --------------------------------------------------- */

/* What an export step writes into its folder. */
static const char *const export_names[] = { "root.pem", "crl.pem",
    "SHA256SUMS" };

/* Whether name is one of export_names, or the temporary file fileio.c
 * writes one of them through (".NAME.RANDOM.tmp"): *tmp. */
static bool
export_own(const char *name, bool *tmp)
{
	size_t i, n, len = strlen(name);

	*tmp = false;
	for (i = 0; i < nitems(export_names); i++) {
		n = strlen(export_names[i]);
		if (strcmp(name, export_names[i]) == 0)
			return true;
		if (name[0] == '.' && strncmp(name + 1, export_names[i], n) == 0 &&
		    name[n + 1] == '.' && len > n + 6 &&
		    strcmp(name + len - 4, ".tmp") == 0)
			return *tmp = true;
	}
	return false;
}

/*
 * An export step's folder.  New: created (*resume false).  Existing,
 * when an earlier run began this step: it may hold only what the step
 * writes (the half-written temporaries are removed); *resume, and each
 * file is then checked rather than written (ceremony_export_put).
 * Anything else in the way is refused.
 */
int
ceremony_resume_export(struct ceremony *c, const struct script_step *st,
    const char *folder, bool *resume)
{
	char path[PATH_MAX];
	struct dirent *de;
	bool tmp;
	DIR *d;
	int rc = OR_OK;

	*resume = false;
	if (!ceremony_exists(folder) || !c->begun[c->current])
		return file_mkdir(folder, 0755);
	if ((d = opendir(folder)) == NULL)
		return err_errno(OR_E_EXISTS, "%s", folder);
	while (rc == OR_OK && (de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (!export_own(de->d_name, &tmp))
			rc = err_set(OR_E_EXISTS, "%s holds %s, which the "
			    "export does not write: move the folder aside and "
			    "resume again", folder, de->d_name);
		else if (tmp && (rc = file_join(path, sizeof path, folder,
		    de->d_name)) == OR_OK && unlink(path) == -1)
			rc = err_errno(OR_E_IO, "removing %s", path);
	}
	closedir(d);
	if (rc != OR_OK || (rc = file_sync_dir(folder)) != OR_OK)
		return rc;
	interact_say(c->io, SAY_INFO, "step %s: %s was begun by the "
	    "interrupted run: finishing it, each file it holds checked",
	    st->number_text, folder);
	*resume = true;
	return OR_OK;
}

/* Writes one file of the export, or, resuming, checks the one there holds
 * exactly these bytes. */
int
ceremony_export_put(const char *path, const void *data, size_t len,
    bool resume)
{
	unsigned char *have = NULL;
	size_t hlen = 0;
	bool same;
	int rc;

	if (!resume || !ceremony_exists(path))
		return file_write_new(path, data, len, 0644);
	if ((rc = file_read(path, FILE_MAX_INPUT, &have, &hlen)) != OR_OK)
		return rc;
	same = hlen == len && memcmp(have, data, len) == 0;
	free(have);
	if (!same)
		return err_set(OR_E_EXISTS, "%s is not what the interrupted "
		    "export wrote: move its folder aside and resume again",
		    path);
	return OR_OK;
}
