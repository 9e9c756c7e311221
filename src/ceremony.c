/*
 * ceremony.c — executing a ceremony script, step by step (ceremony.h).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/x509.h>

#include "airgap.h"
#include "cadb.h"
#include "ceremony.h"
#include "crl.h"
#include "csr.h"
#include "dn.h"
#include "err.h"
#include "fileio.h"
#include "keystore.h"
#include "reshare.h"
#include "revoke.h"
#include "rootca.h"
#include "share.h"
#include "sign.h"
#include "transcript.h"
#include "util.h"

#define NAME_MAX_LEN	128

/* A sign-csrs or revoke step's first attempt, recorded ("attempt")
 * before the step touches the CA: what a resume compares the journal
 * with. */
struct attempt {
	bool have;
	uint64_t ca_seq;	/* the CA journal's last record before it */
	time_t revoked_at;	/* a revoke step's revocation time */
};

struct ceremony {
	struct ceremony_params p;
	struct interact *io;
	struct script s;
	struct transcript *tr;
	bool in_stage;			/* the transcript is in stage/ */
	char stage[PATH_MAX];		/* PARENT/.BASE.ceremony */
	struct step_view *views;
	bool *begun;			/* begun in an earlier run */
	struct attempt *attempt;	/* per step */
	size_t current;
	bool running;
	char names[SCRIPT_MAX_ROLES][NAME_MAX_LEN];
	struct keystore *ks;
	char manifest[65];		/* the last bundle's MANIFEST SHA-256 */
	char crl_sha[65];		/* the last CRL's SHA-256 */
	char key_store[96], transcript_state[64];
	unsigned ndiag;			/* stderr lines recorded */
};

/* What an earlier, unclosed transcript of this script completed. */
struct prior {
	const struct script *s;
	bool is_ceremony, match, closed;
	bool done[SCRIPT_MAX_STEPS], begun[SCRIPT_MAX_STEPS];
	struct attempt attempt[SCRIPT_MAX_STEPS];
	char names[SCRIPT_MAX_ROLES][NAME_MAX_LEN];
	char manifest[65], crl_sha[65];
	char path[PATH_MAX], name[128];
	bool in_stage;
};

/* ---- small helpers -------------------------------------------------- */

static bool
exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

static bool
is_ca(const char *dir)
{
	char path[PATH_MAX];

	return cadb_path(dir, CADB_JOURNAL, path, sizeof path) == OR_OK &&
	    exists(path);
}

static int
role_index(const struct script *s, const char *role)
{
	size_t i;

	for (i = 0; i < s->nroles; i++)
		if (strcmp(s->roles[i], role) == 0)
			return (int)i;
	return -1;
}

static int
step_index(const struct script *s, const char *number)
{
	size_t i;

	for (i = 0; number != NULL && i < s->nsteps; i++)
		if (strcmp(s->steps[i].number_text, number) == 0)
			return (int)i;
	return -1;
}

/* "Internal Witness (Bob Example)", or the role alone before names are
 * known. */
static const char *
who(const struct ceremony *c, const char *role, char *buf, size_t size)
{
	int k = role_index(&c->s, role);

	if (k >= 0 && c->names[k][0] != '\0')
		snprintf(buf, size, "%s (%s)", role, c->names[k]);
	else
		snprintf(buf, size, "%s", role);
	return buf;
}

static const char *
cur_number(const struct ceremony *c)
{
	return c->running ? c->s.steps[c->current].number_text : "0";
}

static void
push_steps(struct ceremony *c)
{
	if (c->io->steps != NULL)
		c->io->steps(c->io, c->views, c->s.nsteps, c->current);
}

static void
push_status(struct ceremony *c)
{
	struct status_view sv;
	struct cadb_summary sum;

	if (c->io->status == NULL)
		return;
	if (c->key_store[0] == '\0' && is_ca(c->p.dir) &&
	    cadb_scan(c->p.dir, &sum, NULL, NULL) == OR_OK) {
		if (strcmp(sum.store, "sealed") == 0)
			snprintf(c->key_store, sizeof c->key_store, "sealed "
			    "(Argon2id %s)", sum.kdf);
		else
			snprintf(c->key_store, sizeof c->key_store, "%s: %s",
			    sum.store, sum.token_label);
		err_clear();
	}
	if (c->tr != NULL)
		snprintf(c->transcript_state, sizeof c->transcript_state,
		    "open, %" PRIu64 " records", journal_seq(c->tr->journal));
	sv.ca_dir = c->p.dir;
	sv.key_store = c->key_store[0] != '\0' ? c->key_store :
	    "not created yet";
	sv.media = c->p.media != NULL ? c->p.media : "none";
	sv.transcript = c->transcript_state;
	c->io->status(c->io, &sv);
}

static int
rec(struct ceremony *c, const char *type, const struct jfields *f)
{
	return transcript_add(c->tr, type, f);
}

/* A path on the media: MEDIA/name. */
static int
media_path(const struct ceremony *c, const char *name, char *buf, size_t size)
{
	if (c->p.media == NULL)
		return err_set(OR_E_USAGE, "step %s writes or reads the media: "
		    "give --media DIR", cur_number(c));
	return file_join(buf, size, c->p.media, name);
}

/* Unlocks the root key once for the ceremony, or proves the one held. */
static int
need_key(struct ceremony *c, struct cadb *db, X509 *root)
{
	int rc;

	if (c->ks != NULL)
		return keystore_prove(c->ks, X509_get0_pubkey(root));
	if ((rc = cadb_unlock(db, root, c->io, &c->ks)) != OR_OK)
		return rc;
	{
		struct jfields f;

		jf_init(&f);
		jf_add(&f, "step", cur_number(c));
		jf_add(&f, "key_type", keytype_name(c->ks->type));
		jf_add(&f, "store", db->sum.store);
		return rec(c, "key-unlocked", &f);
	}
}

static int
open_ca(struct ceremony *c, struct cadb **db, X509 **root)
{
	int rc;

	*db = NULL;
	*root = NULL;
	if ((rc = cadb_open(c->p.dir, db)) != OR_OK)
		return rc;
	if ((rc = cadb_load_root(c->p.dir, &(*db)->sum, root)) != OR_OK) {
		cadb_close(*db);
		*db = NULL;
	}
	return rc;
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
		if ((rc = rec(c, "attempt", &f)) != OR_OK)
			return rc;
	}
	a->have = true;
	a->ca_seq = sum.records;
	a->revoked_at = revoked_at;
	return OR_OK;
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
		    (k = role_index(pr->s, role)) >= 0)
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
	    strcmp(r->type, "resumed-export") == 0) &&
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

/* Looks for an unfinished run of this script; resumes it when the
 * operators agree.  *resumed says whether it did. */
static int
try_resume(struct ceremony *c, bool *resumed)
{
	struct prior *best = NULL, *tmp = NULL;
	char folder[PATH_MAX], block[4096], q[256], list[1024];
	size_t i, used = 0, first = SIZE_MAX, l = 0;
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
	list[0] = '\0';
	for (i = 0; i < c->s.nsteps; i++) {
		if (best->done[i]) {
			int w = snprintf(list + l, sizeof list - l, "%s%s",
			    l ? ", " : "", c->s.steps[i].number_text);
			if (w > 0 && (size_t)w < sizeof list - l)
				l += (size_t)w;
		} else if (first == SIZE_MAX)
			first = i;
	}
	if (first == SIZE_MAX) {	/* all done, but never sealed */
		first = c->s.nsteps;
	}
	used = (size_t)snprintf(block, sizeof block, "transcript: %s\n"
	    "completed steps: %s\n", best->path, l ? list : "none");
	if (first < c->s.nsteps)
		snprintf(block + used, sizeof block - used, "first step not "
		    "done: step %s: %s\n", c->s.steps[first].number_text,
		    c->s.steps[first].title);
	else
		snprintf(block + used, sizeof block - used, "every step is "
		    "done; the transcript was not sealed\n");
	c->io->show_block(c->io, "An unfinished run of this ceremony", block);
	if (first < c->s.nsteps)
		snprintf(q, sizeof q, "Resume this ceremony from step %s?",
		    c->s.steps[first].number_text);
	else
		snprintf(q, sizeof q, "Resume this ceremony to seal it?");
	switch (c->p.resume) {
	case CEREMONY_RESUME_YES:
		yes = true;
		break;
	case CEREMONY_RESUME_NO:
		yes = false;
		break;
	case CEREMONY_RESUME_ASK:
		if ((rc = c->io->confirm(c->io, q, &yes)) != OR_OK)
			goto out;
		break;
	}
	if (!yes) {
		interact_say(c->io, SAY_WARN, "not resuming: %s stays unclosed "
		    "(offroot audit counts it as abandoned)", best->path);
		goto out;
	}
	if ((rc = reopen(c, best)) != OR_OK)
		goto out;
	for (i = 0; i < c->s.nsteps; i++) {
		c->views[i].state = best->done[i] ? STEP_DONE : STEP_PENDING;
		c->begun[i] = best->begun[i] && !best->done[i];
		c->attempt[i] = best->attempt[i];
	}
	memcpy(c->names, best->names, sizeof c->names);
	memcpy(c->manifest, best->manifest, sizeof c->manifest);
	memcpy(c->crl_sha, best->crl_sha, sizeof c->crl_sha);
	{
		struct jfields f;

		jf_init(&f);
		jf_add(&f, "completed", l ? list : "none");
		jf_add(&f, "from_step", first < c->s.nsteps ?
		    c->s.steps[first].number_text : "seal");
		jf_add(&f, "runner", c->p.runner != NULL ? c->p.runner : "cli");
		if ((rc = rec(c, "resume", &f)) != OR_OK)
			goto out;
	}
	*resumed = true;
out:
	free(best);
	free(tmp);
	return rc;
}

/* ---- starting --------------------------------------------------------- */

static int
dir_empty_or_missing(const char *dir)
{
	struct dirent *de;
	DIR *d;

	if ((d = opendir(dir)) == NULL)
		return errno == ENOENT ? OR_OK : err_errno(OR_E_EXISTS, "%s",
		    dir);
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") !=
		    0) {
			closedir(d);
			return err_set(OR_E_EXISTS, "%s already exists and is "
			    "not empty; this script creates a new root there",
			    dir);
		}
	closedir(d);
	return OR_OK;
}

static int
start_new(struct ceremony *c)
{
	char sub[PATH_MAX];
	int rc;

	if (c->s.creates_root) {
		if ((rc = dir_empty_or_missing(c->p.dir)) != OR_OK)
			return rc;
		if (!exists(c->stage) &&
		    (rc = file_mkdir(c->stage, 0700)) != OR_OK)
			return rc;
		if ((rc = file_join(sub, sizeof sub, c->stage,
		    CADB_TRANSCRIPTS)) != OR_OK)
			return rc;
		if (!exists(sub) && (rc = file_mkdir(sub, 0755)) != OR_OK)
			return rc;
		if ((rc = transcript_begin(c->stage, "ceremony", &c->tr)) !=
		    OR_OK)
			return rc;
		c->in_stage = true;
	} else {
		if (!is_ca(c->p.dir))
			return err_set(OR_E_INPUT, "%s is not a CA directory, "
			    "and %s does not create one", c->p.dir, c->s.file);
		if ((rc = transcript_begin(c->p.dir, "ceremony", &c->tr)) !=
		    OR_OK)
			return rc;
	}
	{
		struct jfields f;

		jf_init(&f);
		jf_add(&f, "script", c->s.file);
		jf_add(&f, "name", c->s.name);
		jf_add(&f, "version", c->s.version);
		jf_add(&f, "script_sha256", c->s.sha256_hex);
		jf_add(&f, "runner", c->p.runner != NULL ? c->p.runner : "cli");
		jf_add(&f, "ca_dir", c->p.dir);
		jf_add(&f, "media", c->p.media != NULL ? c->p.media : "none");
		jf_add(&f, "token", c->p.token != NULL ? c->p.token : "none");
		jf_add(&f, "kdf_override",
		    c->p.kdf != NULL ? c->p.kdf : "none");
		return rec(c, "ceremony", &f);
	}
}

static void
note_hook(void *ctx, const char *text)
{
	struct ceremony *c = ctx;

	if (ceremony_note(c, text) != OR_OK)
		interact_say(c->io, SAY_WARN, "the note could not be recorded: "
		    "%s", err_msg(OR_E_IO));
}

/* A line written to stderr while the TUI held the terminal (a library's
 * message, or our own): the transcript keeps the first CEREMONY_MAX_DIAG. */
#define CEREMONY_MAX_DIAG	100

static void
diag_hook(void *ctx, const char *line)
{
	struct ceremony *c = ctx;
	struct jfields f;

	if (c->tr == NULL || c->ndiag >= CEREMONY_MAX_DIAG)
		return;
	if (++c->ndiag == CEREMONY_MAX_DIAG)
		line = "(more lines were written to stderr; the transcript "
		    "keeps the first ones)";
	jf_init(&f);
	jf_add(&f, "step", cur_number(c));
	jf_add(&f, "text", line);
	if (rec(c, "stderr", &f) != OR_OK)
		err_clear();
}

int
ceremony_open(const struct ceremony_params *p, struct interact *io,
    struct ceremony **out)
{
	struct ceremony *c;
	char parent[PATH_MAX];
	const char *base;
	bool resumed = false;
	size_t i;
	int rc;

	*out = NULL;
	if ((c = calloc(1, sizeof *c)) == NULL)
		return err_set(OR_E_NOMEM, "out of memory");
	c->p = *p;
	c->io = io;
	if ((rc = script_load(p->script, &c->s)) != OR_OK) {
		free(c);
		return rc;
	}
	base = strrchr(p->dir, '/');
	base = base != NULL ? base + 1 : p->dir;
	if (*base == '\0' || strcmp(base, ".") == 0 || strcmp(base, "..") == 0) {
		rc = err_set(OR_E_USAGE, "give the CA directory by name, "
		    "without a trailing slash");
		goto fail;
	}
	file_dirname(p->dir, parent, sizeof parent);
	if (snprintf(c->stage, sizeof c->stage, "%s/.%s.ceremony", parent,
	    base) >= (int)sizeof c->stage) {
		rc = err_set(OR_E_INPUT, "path too long: %s", p->dir);
		goto fail;
	}
	c->views = calloc(c->s.nsteps, sizeof *c->views);
	c->begun = calloc(c->s.nsteps, sizeof *c->begun);
	c->attempt = calloc(c->s.nsteps, sizeof *c->attempt);
	if (c->views == NULL || c->begun == NULL || c->attempt == NULL) {
		rc = err_set(OR_E_NOMEM, "out of memory");
		goto fail;
	}
	for (i = 0; i < c->s.nsteps; i++) {
		c->views[i].number = c->s.steps[i].number_text;
		c->views[i].title = c->s.steps[i].title;
		c->views[i].role = c->s.steps[i].role;
		c->views[i].state = STEP_PENDING;
	}
	for (i = 0; i < p->nparticipants; i++) {
		int k = role_index(&c->s, p->participants[i].role);

		if (k < 0) {
			rc = err_set(OR_E_INPUT, "participant role \"%s\" is not "
			    "one of the script's roles", p->participants[i].role);
			goto fail;
		}
		snprintf(c->names[k], sizeof c->names[k], "%s",
		    p->participants[i].name);
	}
	if ((rc = try_resume(c, &resumed)) != OR_OK)
		goto fail;
	if (!resumed && (rc = start_new(c)) != OR_OK)
		goto fail;
	io->note = note_hook;
	io->diag = diag_hook;
	io->note_ctx = c;
	push_steps(c);
	push_status(c);
	*out = c;
	return OR_OK;
fail:
	ceremony_free(c);
	return rc;
}

const struct script *
ceremony_script(const struct ceremony *c)
{
	return &c->s;
}

const char *
ceremony_transcript(const struct ceremony *c)
{
	return c->tr != NULL ? c->tr->path : "";
}

int
ceremony_note(struct ceremony *c, const char *text)
{
	char by[256];
	const char *role = c->running ? c->s.steps[c->current].role :
	    c->s.roles[0];
	struct jfields f;

	jf_init(&f);
	jf_add(&f, "step", cur_number(c));
	jf_add(&f, "by", who(c, role, by, sizeof by));
	jf_add(&f, "text", text);

	if (c->tr == NULL)
		return err_set(OR_E_ENV, "no transcript is open");
	return rec(c, "exception", &f);
}

int
ceremony_abandon(struct ceremony *c, const char *why)
{
	struct jfields f;

	jf_init(&f);
	jf_add(&f, "step", cur_number(c));
	jf_add(&f, "reason", why != NULL ? why : "abandoned");

	if (c->tr == NULL)
		return OR_OK;
	return rec(c, "abandoned", &f);
}

void
ceremony_free(struct ceremony *c)
{
	if (c == NULL)
		return;
	if (c->io != NULL && c->io->note_ctx == c) {
		c->io->note = NULL;
		c->io->diag = NULL;
		c->io->note_ctx = NULL;
	}
	keystore_close(c->ks);
	transcript_free(c->tr);
	script_free(&c->s);
	free(c->views);
	free(c->begun);
	free(c->attempt);
	free(c);
}

/* ---- the actions ------------------------------------------------------ */

/* Going on despite a failed pre-flight check needs a recorded reason. */
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
		if ((rc = c->io->ask(c->io, q, reason, sizeof reason)) != OR_OK)
			return rc;
		if (reason[0] == '\0')
			return err_set(OR_E_ENV, "pre-flight check failed: %s "
			    "(an override needs a reason)", summary);
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
		jf_add(&f, "by", who(c, st->role, by, sizeof by));
		return rec(c, "override", &f);
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
act_preflight(struct ceremony *c, const struct script_step *st)
{
	static const char *const checks[] = { "airgap", "clock", "selfcheck",
	    "media", NULL };
	struct preflight_result *r;
	char exe[65], q[512], by[256], stated[64], diff[32];
	time_t ref = 0;
	size_t i;
	bool yes;
	time_t now;
	int rc = OR_OK;

	if ((r = calloc(1, sizeof *r)) == NULL)
		return err_set(OR_E_NOMEM, "out of memory");
	for (i = 0; checks[i] != NULL; i++) {
		if (!script_preflight_has(st, checks[i]))
			continue;
		now = time(NULL);
		switch (i) {
		case 0:
			rc = airgap_network(r);
			break;
		case 1:
			rc = airgap_clock(now, r);
			break;
		case 2:
			rc = airgap_selfcheck(r, exe);
			break;
		default:
			rc = airgap_media(c->p.media, r);
			break;
		}
		if (rc != OR_OK)
			goto out;
		c->io->show_block(c->io, r->summary, r->evidence);
		{
			struct jfields f;

			jf_init(&f);
			jf_add(&f, "step", st->number_text);
			jf_add(&f, "check", checks[i]);
			jf_add(&f, "result", r->pass ? "pass" : "fail");
			jf_add(&f, "summary", r->summary);
			jf_add(&f, "evidence", r->evidence);
			if ((rc = rec(c, "preflight", &f)) != OR_OK)
				goto out;
		}
		if (i == 1 && r->pass) {
			/* The officer compares with a reference clock. */
			char utc[21];

			utc_text(now, utc);
			snprintf(q, sizeof q, "%s: the clock shows %s UTC. Does "
			    "it match the reference clock (within a minute)?",
			    who(c, st->role, by, sizeof by), utc);
			if ((rc = c->io->confirm(c->io, q, &yes)) != OR_OK)
				goto out;
			stated[0] = '\0';
			diff[0] = '\0';
			if (!yes) {
				if ((rc = ask_reference_time(c, stated,
				    sizeof stated, &ref)) != OR_OK)
					goto out;
				snprintf(diff, sizeof diff, "%lld",
				    (long long)now - (long long)ref);
			}
			{
				struct jfields f;

				jf_init(&f);
				jf_add(&f, "step", st->number_text);
				jf_add(&f, "system_time", utc);
				jf_add(&f, "matches_reference",
				    yes ? "yes" : "no");
				jf_add(&f, "reference_time",
				    yes ? utc : stated);
				jf_add(&f, "by", by);
				if (!yes)
					jf_add(&f, "offset_seconds", diff);
				if ((rc = rec(c, "clock", &f)) != OR_OK)
					goto out;
			}
			if (!yes) {
				r->pass = false;
				snprintf(r->summary, sizeof r->summary, "clock: "
				    "the system clock (%s) does not match the "
				    "reference (%s): %s s apart", utc, stated,
				    diff);
			}
		}
		if (!r->pass && (rc = override(c, st, checks[i], r->summary)) !=
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
	char block[4096], prompt[128];
	size_t i, used = 0;
	int rc, w;

	for (i = 0; i < c->s.nroles; i++) {
		if (c->names[i][0] == '\0') {
			snprintf(prompt, sizeof prompt, "Name of the %s",
			    c->s.roles[i]);
			if ((rc = c->io->ask(c->io, prompt, c->names[i],
			    sizeof c->names[i])) != OR_OK)
				return rc;
			if (c->names[i][0] == '\0')
				return err_set(OR_E_INPUT, "the %s has no name: "
				    "every role is filled", c->s.roles[i]);
		}
		{
			struct jfields f;

			jf_init(&f);
			jf_add(&f, "step", st->number_text);
			jf_add(&f, "role", c->s.roles[i]);
			jf_add(&f, "name", c->names[i]);
			if ((rc = rec(c, "participant", &f)) != OR_OK)
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

static int
act_note(struct ceremony *c, const struct script_step *st)
{
	char q[512], by[256];
	bool yes = false;
	int rc;

	snprintf(q, sizeof q, "%s: initial step %s (\"%s\"): done as written?",
	    who(c, st->role, by, sizeof by), st->number_text, st->title);
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
		return rec(c, "initialled", &f);
	}
}

/* Moves the transcript from the staging folder into DIR/transcripts/. */
static int
move_in(struct ceremony *c)
{
	char dst[PATH_MAX], tdir[PATH_MAX], sdir[PATH_MAX];
	int rc;

	if (!c->in_stage)
		return OR_OK;
	if ((rc = cadb_path(c->p.dir, CADB_TRANSCRIPTS, tdir, sizeof tdir)) !=
	    OR_OK || (rc = file_join(dst, sizeof dst, tdir, c->tr->name)) !=
	    OR_OK || (rc = file_join(sdir, sizeof sdir, c->stage,
	    CADB_TRANSCRIPTS)) != OR_OK)
		return rc;
	if (renameat2(AT_FDCWD, c->tr->path, AT_FDCWD, dst,
	    RENAME_NOREPLACE) == -1)
		return err_errno(OR_E_IO, "moving the transcript into %s", tdir);
	snprintf(c->tr->path, sizeof c->tr->path, "%s", dst);
	c->in_stage = false;
	if ((rc = file_sync_dir(tdir)) != OR_OK ||
	    (rc = file_sync_dir(sdir)) != OR_OK)
		return rc;
	(void)rmdir(sdir);	/* may hold transcripts of abandoned runs */
	(void)rmdir(c->stage);
	return OR_OK;
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
static int
root_already_done(struct ceremony *c, const struct script_step *st,
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
		return rec(c, "already-done", &f);
	}
}

static int
act_generate_root(struct ceremony *c, const struct script_step *st)
{
	struct rootca_params rp;
	struct rootca_result res;
	const char *v, *dirp[SEALED_QUORUM_MAX_N];
	char profiles[PATH_MAX], fphex[65], by[256], q[512], qtext[16];
	char (*dirs)[PATH_MAX] = NULL;
	bool yes = false;
	unsigned i;
	int rc;

	memset(&rp, 0, sizeof rp);
	rp.dir = c->p.dir;
	rp.subject = script_param(st, "subject");
	if ((rc = keytype_parse(script_param(st, "key"), &rp.key_type)) !=
	    OR_OK)
		return rc;
	rp.profile_name = (v = script_param(st, "profile")) != NULL ? v :
	    "root";
	if ((v = script_param(st, "profiles")) != NULL) {
		if ((rc = file_join(profiles, sizeof profiles, c->s.dir, v)) !=
		    OR_OK)
			return rc;
		rp.profiles_file = profiles;
	}
	if ((v = script_param(st, "days")) != NULL)
		rp.days = strtol(v, NULL, 10);
	rp.kdf = KDF_SENSITIVE;
	if ((v = c->p.kdf) != NULL || (v = script_param(st, "kdf")) != NULL) {
		if ((rc = kdf_level_parse(v, &rp.kdf)) != OR_OK)
			return err_set(OR_E_USAGE, "kdf: expected sensitive, "
			    "moderate or interactive, got \"%s\"", v);
	}
	if ((v = script_param(st, "store")) != NULL &&
	    strcmp(v, "pkcs11") == 0) {
		if (c->p.token == NULL)
			return err_set(OR_E_USAGE, "step %s keeps the root key "
			    "on a token: give its URI with --token",
			    st->number_text);
		rp.pkcs11 = true;
		rp.token_uri = c->p.token;
		rp.module = c->p.module;
		rp.label = (v = script_param(st, "label")) != NULL ? v :
		    "offroot-root";
	}
	if (is_ca(c->p.dir)) {
		if ((rc = root_already_done(c, st, &rp)) != OR_OK)
			return rc;
		return move_in(c);
	}
	snprintf(qtext, sizeof qtext, "none");
	if ((v = script_param(st, "quorum")) != NULL) {
		/* Officer shares: each officer's media first (reshare.h),
		 * then rootca asks each officer's passphrase, twice. */
		if ((rc = quorum_parse(v, &rp.quorum_m, &rp.quorum_n)) != OR_OK)
			return rc;
		if ((dirs = calloc(rp.quorum_n, sizeof *dirs)) == NULL)
			return err_set(OR_E_NOMEM, "out of memory");
		for (i = 0; i < rp.quorum_n; i++) {
			if ((rc = reshare_ask_dir(c->io, i, rp.quorum_n,
			    dirs[i], sizeof dirs[i])) != OR_OK) {
				free(dirs);
				return rc;
			}
			dirp[i] = dirs[i];
		}
		rp.share_dirs = dirp;
		rp.nshare_dirs = rp.quorum_n;
		snprintf(qtext, sizeof qtext, "%s", v);
	}
	rc = rootca_create(&rp, c->io, &res);
	free(dirs);
	if (rc != OR_OK)
		return rc;
	/* From here the root exists: the transcript joins it first. */
	if ((rc = move_in(c)) != OR_OK)
		return rc;
	hex_encode(res.cert_sha256, 32, fphex);
	{
		struct jfields f;

		jf_init(&f);
		jf_add(&f, "step", st->number_text);
		jf_add(&f, "root_sha256", fphex);
		jf_add(&f, "subject", rp.subject);
		jf_add(&f, "key_type", keytype_name(rp.key_type));
		jf_add(&f, "store", rp.pkcs11 ? "pkcs11" : "sealed");
		jf_add(&f, "kdf", rp.pkcs11 ? "none" : kdf_level_name(rp.kdf));
		jf_add(&f, "profile", rp.profile_name);
		jf_add(&f, "quorum", qtext);
		if ((rc = rec(c, "root-created", &f)) != OR_OK)
			return rc;
	}
	if (rp.pkcs11) {
		/* offroot cannot copy a token key: the officer's word on the
		 * vendor's backup joins the ceremony's own record. */
		struct jfields f;

		jf_init(&f);
		jf_add(&f, "step", st->number_text);
		jf_add(&f, "question", res.token_backup_question);
		jf_add(&f, "confirmed_by", who(c, st->role, by, sizeof by));
		jf_add(&f, "operator_confirmed",
		    res.token_backed_up ? "yes" : "no");
		if ((rc = rec(c, "token-backup", &f)) != OR_OK)
			return rc;
	}
	c->key_store[0] = '\0';
	push_status(c);
	c->io->show_block(c->io, "SHA-256 fingerprint of the new root "
	    "certificate (read it aloud)", res.fingerprint);
	snprintf(q, sizeof q, "%s: the fingerprint was read aloud and written "
	    "on the printed script?", who(c, script_witness(&c->s, st), by,
	    sizeof by));
	if ((rc = c->io->confirm(c->io, q, &yes)) != OR_OK)
		return rc;
	{
		struct jfields f;

		jf_init(&f);
		jf_add(&f, "step", st->number_text);
		jf_add(&f, "of", "root");
		jf_add(&f, "sha256", fphex);
		jf_add(&f, "confirmed_by", by);
		jf_add(&f, "answer", yes ? "yes" : "no");
		if ((rc = rec(c, "fingerprint", &f)) != OR_OK)
			return rc;
	}
	if (!yes)
		return err_set(OR_E_CANCEL, "%s did not confirm the root's "
		    "fingerprint", by);
	return OR_OK;
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
	    "screen and what was written down?", who(c, script_witness(&c->s,
	    st), by, sizeof by));
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
		if ((rc = rec(c, "fingerprint", &f)) != OR_OK)
			return rc;
	}
	if (!yes)
		return err_set(OR_E_CANCEL, "%s did not confirm the %s "
		    "fingerprint", by, of);
	return OR_OK;
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

/*
 * A sign-csrs step cut short after its certificates were issued (recorded
 * in the journal) but before their bundle was: the bundle is written from
 * the issued copies, nothing is signed again.  *done says whether the
 * journal held this step's issuances.
 */
static int
sign_resume(struct ceremony *c, const struct script_step *st,
    const char *const *csrs, size_t n, const char *outdir, bool *done)
{
	struct issued_find f;
	struct cadb_summary sum;
	struct csr_info ci;
	struct export_params ep;
	struct sign_result res;
	const char **serials = NULL;
	char *list = NULL, count[24], reason[160];
	size_t k, found = 0, used = 0, listsize = n * (sizeof *f.serial + 1);
	int rc;

	*done = false;
	memset(&f, 0, sizeof f);
	f.after = c->attempt[c->current].ca_seq;
	f.profile = script_param(st, "profile") != NULL ?
	    script_param(st, "profile") : "intermediate";
	f.n = n;
	f.csr = calloc(n, sizeof *f.csr);
	f.serial = calloc(n, sizeof *f.serial);
	f.count = calloc(n, sizeof *f.count);
	serials = calloc(n, sizeof *serials);
	list = calloc(1, listsize);
	if (f.csr == NULL || f.serial == NULL || f.count == NULL ||
	    serials == NULL || list == NULL) {
		rc = err_set(OR_E_NOMEM, "out of memory");
		goto out;
	}
	for (k = 0; k < n; k++) {
		if ((rc = csr_load(csrs[k], &ci)) != OR_OK)
			goto out;
		hex_encode(ci.csr_sha256, 32, f.csr[k]);
		csr_free(&ci);
	}
	if ((rc = cadb_scan(c->p.dir, &sum, issued_visit, &f)) != OR_OK)
		goto out;
	for (k = 0; k < n; k++) {
		if (f.count[k] > 1) {
			rc = err_set(OR_E_CORRUPT, "step %s: the journal records "
			    "%u issuances for %s since this step began; "
			    "refusing to go on", st->number_text, f.count[k],
			    csrs[k]);
			goto out;
		}
		if (f.count[k] == 1) {
			serials[found++] = f.serial[k];
			used += (size_t)snprintf(list + used, listsize - used,
			    "%s%s", used ? "," : "", f.serial[k]);
		}
	}
	if (found == 0) {
		rc = OR_OK;	/* nothing was issued: sign as usual */
		goto out;
	}
	if (found < n) {
		rc = err_set(OR_E_CORRUPT, "step %s: the journal records %zu of "
		    "its %zu certificates as issued since this step began; "
		    "refusing to go on", st->number_text, found, n);
		goto out;
	}
	if (exists(outdir)) {
		rc = err_set(OR_E_EXISTS, "step %s: certificate%s %s %s issued "
		    "before the interruption, but the journal does not record "
		    "their bundle and %s exists: check it with offroot verify, "
		    "move it aside and resume again", st->number_text,
		    n == 1 ? "" : "s", list, n == 1 ? "was" : "were", outdir);
		goto out;
	}
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
		goto out;
	hex_encode(res.manifest_sha256, 32, c->manifest);
	snprintf(count, sizeof count, "%zu", n);
	{
		struct jfields fl;

		jf_init(&fl);
		jf_add(&fl, "step", st->number_text);
		jf_add(&fl, "reason",
		    "the journal records these certificates as issued in "
		    "this step before the interruption: the bundle is "
		    "written from their issued copies, nothing is signed "
		    "again");
		jf_add(&fl, "certificates", count);
		jf_add(&fl, "serials", list);
		jf_add(&fl, "bundle", outdir);
		jf_add(&fl, "manifest_sha256", c->manifest);
		if ((rc = rec(c, "resumed-export", &fl)) != OR_OK)
			goto out;
	}
	interact_say(c->io, SAY_RESULT, "step %s: the bundle of %zu "
	    "certificate%s issued before the interruption is in %s",
	    st->number_text, n, n == 1 ? "" : "s", outdir);
	*done = true;
out:
	free(f.csr);
	free(f.serial);
	free(f.count);
	free(serials);
	free(list);
	return rc;
}

static int
act_sign(struct ceremony *c, const struct script_step *st)
{
	const char *list = script_param(st, "csr"), *v, *csrs[64];
	char (*paths)[PATH_MAX] = NULL, outdir[PATH_MAX], item[256];
	char count[24];
	struct sign_params sp;
	struct sign_result res;
	struct cadb_summary sum;
	struct export_find ef;
	size_t n = 0;
	bool done = false;
	int rc;

	if ((rc = media_path(c, script_param(st, "bundle"), outdir,
	    sizeof outdir)) != OR_OK)
		return rc;
	/* A run cut short after the bundle was written: done already. */
	if (c->begun[c->current]) {
		memset(&ef, 0, sizeof ef);
		ef.outdir = outdir;
		if ((rc = cadb_scan(c->p.dir, &sum, export_visit, &ef)) != OR_OK)
			return rc;
		if (ef.manifest[0] != '\0') {
			struct jfields f;

			jf_init(&f);
			jf_add(&f, "step", st->number_text);
			jf_add(&f, "reason",
			    "the journal records this bundle as exported: "
			    "nothing is signed again");
			jf_add(&f, "bundle", outdir);
			jf_add(&f, "manifest_sha256", ef.manifest);
			snprintf(c->manifest, sizeof c->manifest, "%s",
			    ef.manifest);
			return rec(c, "already-done", &f);
		}
	}
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
			if ((rc = media_path(c, t, paths[n], sizeof paths[n])) !=
			    OR_OK)
				goto out;
			csrs[n] = paths[n];
			n++;
		}
		v += len;
		if (*v == ',')
			v++;
	}
	/* A run cut short after the issuance, before the bundle. */
	if (c->begun[c->current] && c->attempt[c->current].have) {
		if ((rc = sign_resume(c, st, csrs, n, outdir, &done)) != OR_OK ||
		    done)
			goto out;
	}
	if ((rc = attempt_mark(c, st, 0)) != OR_OK)
		goto out;
	memset(&sp, 0, sizeof sp);
	sp.dir = c->p.dir;
	sp.csrs = csrs;
	sp.ncsr = n;
	sp.profile_name = script_param(st, "profile");
	if ((v = script_param(st, "days")) != NULL)
		sp.days = strtol(v, NULL, 10);
	sp.outdir = outdir;
	if ((rc = sign_run_ks(&sp, &c->ks, c->io, &res)) != OR_OK)
		goto out;
	hex_encode(res.manifest_sha256, 32, c->manifest);
	snprintf(count, sizeof count, "%zu", res.issued);
	{
		struct jfields f;

		jf_init(&f);
		jf_add(&f, "step", st->number_text);
		jf_add(&f, "certificates", count);
		jf_add(&f, "bundle", outdir);
		jf_add(&f, "manifest_sha256", c->manifest);
		rc = rec(c, "signed", &f);
	}
	interact_say(c->io, SAY_RESULT, "step %s: %zu certificate%s signed; "
	    "bundle in %s", st->number_text, res.issued, res.issued == 1 ?
	    "" : "s", outdir);
out:
	free(paths);
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

static int
act_revoke(struct ceremony *c, const struct script_step *st)
{
	struct revoke_request req;
	struct revoke_list list = { 0 };
	struct serial one;
	struct cadb *db = NULL;
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
	/* A run cut short after the revocation was recorded. */
	if (c->begun[c->current] && c->attempt[c->current].have) {
		if ((rc = revoke_done(c, &req, v != NULL ? &one : list.s, n,
		    &done)) != OR_OK)
			goto out;
		if (done) {
			char at[21];

			utc_text(req.revoked_at, at);
			snprintf(count, sizeof count, "%zu", n);
			struct jfields f;

			jf_init(&f);
			jf_add(&f, "step", st->number_text);
			jf_add(&f, "reason",
			    "the journal already holds this step's "
			    "revocation (same serials, reason and time): "
			    "nothing is revoked again");
			jf_add(&f, "serials", count);
			jf_add(&f, "revocation_reason",
			    revoke_reason_name(req.reason));
			jf_add(&f, "revoked_at", at);
			rc = rec(c, "already-done", &f);
			interact_say(c->io, SAY_INFO, "step %s: the revocation "
			    "was recorded before the interruption: not "
			    "revoking again", st->number_text);
			goto out;
		}
	}
	if ((rc = attempt_mark(c, st, req.revoked_at)) != OR_OK)
		goto out;
	if ((rc = cadb_open(c->p.dir, &db)) != OR_OK)
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
		rc = rec(c, "revoked", &f);
	}
	interact_say(c->io, SAY_INFO, "step %s: %zu serial(s) revoked; sign and "
	    "publish a CRL within 24 hours", st->number_text, n);
out:
	cadb_close(db);
	revoke_list_free(&list);
	free(data);
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
	int rc;

	memset(&cp, 0, sizeof cp);
	memset(&plan, 0, sizeof plan);
	memset(&res, 0, sizeof res);
	if ((v = script_param(st, "days")) != NULL)
		cp.days = strtol(v, NULL, 10);
	if ((v = script_param(st, "output")) != NULL) {
		if ((rc = media_path(c, v, out, sizeof out)) != OR_OK)
			return rc;
		if (exists(out))
			return err_set(OR_E_EXISTS, "%s already exists; "
			    "refusing to overwrite it", out);
		cp.out = out;
	}
	if ((rc = open_ca(c, &db, &root)) != OR_OK ||
	    (rc = crl_prepare(db, root, &cp, &plan)) != OR_OK ||
	    (rc = need_key(c, db, root)) != OR_OK ||
	    (rc = crl_sign(db, c->ks, c->io, &cp, &plan, &res)) != OR_OK)
		goto out;
	snprintf(c->crl_sha, sizeof c->crl_sha, "%s", res.sha256);
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
		if ((rc = rec(c, "crl-signed", &f)) != OR_OK)
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

static int
write_copy(const char *src, const char *dst, char hex[65])
{
	unsigned char *data = NULL, md[32];
	size_t len;
	int rc;

	if ((rc = file_read(src, FILE_MAX_INPUT, &data, &len)) != OR_OK)
		return rc;
	if ((rc = file_write_new(dst, data, len, 0644)) == OR_OK &&
	    (rc = sha256(data, len, md)) == OR_OK)
		hex_encode(md, 32, hex);
	free(data);
	return rc;
}

/* The public export: root.pem, the latest CRL and their SHA-256 sums in a
 * new folder on the media.  Needs no key. */
static int
act_export(struct ceremony *c, const struct script_step *st)
{
	const char *crlopt = script_param(st, "crl");
	bool want_crl = crlopt == NULL || strcmp(crlopt, "yes") == 0;
	struct revoke_db rdb;
	unsigned char *der = NULL, md[32];
	char folder[PATH_MAX], src[PATH_MAX], dst[PATH_MAX], crls[PATH_MAX];
	char roothex[65], crlhex[65] = "none", sums[512], num[24] = "none";
	char *pem = NULL;
	size_t len = 0, pemlen = 0;
	int rc;

	memset(&rdb, 0, sizeof rdb);
	if ((rc = media_path(c, script_param(st, "folder"), folder,
	    sizeof folder)) != OR_OK)
		return rc;
	if (want_crl) {
		if ((rc = revoke_db_load(c->p.dir, 0, &rdb)) != OR_OK)
			return rc;
		if (!rdb.has_crl) {
			rc = err_set(OR_E_INPUT, "step %s: the CA has signed no "
			    "CRL yet (add a sign-crl step before, or param: "
			    "crl = no)", st->number_text);
			goto out;
		}
		if ((rc = cadb_path(c->p.dir, CADB_CRLS, crls, sizeof crls)) !=
		    OR_OK || (rc = file_join(src, sizeof src, crls,
		    rdb.last_crl.file)) != OR_OK ||
		    (rc = file_read(src, CRL_MAX_FILE, &der, &len)) != OR_OK ||
		    (rc = crl_to_pem(der, len, &pem, &pemlen)) != OR_OK)
			goto out;
		snprintf(num, sizeof num, "%" PRIu64, rdb.last_crl.number);
	}
	if ((rc = file_mkdir(folder, 0755)) != OR_OK)
		goto out;
	if ((rc = cadb_path(c->p.dir, CADB_ROOT_CERT, src, sizeof src)) !=
	    OR_OK || (rc = file_join(dst, sizeof dst, folder, "root.pem")) !=
	    OR_OK || (rc = write_copy(src, dst, roothex)) != OR_OK)
		goto out;
	snprintf(sums, sizeof sums, "%s  root.pem\n", roothex);
	if (want_crl) {
		if ((rc = file_join(dst, sizeof dst, folder, "crl.pem")) !=
		    OR_OK || (rc = file_write_new(dst, pem, pemlen, 0644)) !=
		    OR_OK || (rc = sha256(pem, pemlen, md)) != OR_OK)
			goto out;
		hex_encode(md, 32, crlhex);
		snprintf(sums + strlen(sums), sizeof sums - strlen(sums),
		    "%s  crl.pem\n", crlhex);
	}
	if ((rc = file_join(dst, sizeof dst, folder, "SHA256SUMS")) != OR_OK ||
	    (rc = file_write_new(dst, sums, strlen(sums), 0644)) != OR_OK)
		goto out;
	{
		struct jfields f;

		jf_init(&f);
		jf_add(&f, "step", st->number_text);
		jf_add(&f, "folder", folder);
		jf_add(&f, "root_pem_sha256", roothex);
		jf_add(&f, "crl_number", num);
		jf_add(&f, "crl_pem_sha256", crlhex);
		rc = rec(c, "exported", &f);
	}
	interact_say(c->io, SAY_RESULT, "step %s: root.pem%s written to %s",
	    st->number_text, want_crl ? " and crl.pem" : "", folder);
out:
	revoke_db_free(&rdb);
	free(der);
	free(pem);
	return rc;
}

static int
act_check_key(struct ceremony *c, const struct script_step *st)
{
	struct cadb *db = NULL;
	X509 *root = NULL;
	int rc;

	if ((rc = open_ca(c, &db, &root)) != OR_OK ||
	    (rc = need_key(c, db, root)) != OR_OK)
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
		rc = rec(c, "key-checked", &f);
	}
	interact_say(c->io, SAY_RESULT, "step %s: the root key opens and "
	    "matches root.crt", st->number_text);
out:
	X509_free(root);
	cadb_close(db);
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
static int
reshare_already_done(struct ceremony *c, const struct script_step *st,
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
		return rec(c, "already-done", &f);
	}
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
	if ((rc = reshare_already_done(c, st, &done)) != OR_OK || done)
		return rc;
	rp.step = st->number_text;
	if ((rc = quorum_parse(script_param(st, "quorum"), &rp.m, &rp.n)) !=
	    OR_OK)
		return rc;
	if (kdf != NULL) {
		if (kdf_level_parse(kdf, &rp.kdf) != OR_OK)
			return err_set(OR_E_USAGE, "kdf \"%s\"", kdf);
		rp.kdf_given = true;
	}
	if ((rc = open_ca(c, &db, &root)) != OR_OK)
		goto out;
	if (strcmp(db->sum.store, "sealed") != 0) {
		rc = err_set(OR_E_INPUT, "%s: the key is on a token (%s store); "
		    "officer shares are for a sealed key file", c->p.dir,
		    db->sum.store);
		goto out;
	}
	if ((rc = need_key(c, db, root)) != OR_OK ||
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

/* ---- running -------------------------------------------------------- */

static int
confirm_checks(struct ceremony *c, const struct script_step *st)
{
	char q[SCRIPT_MAX_LINE + 300], by[256];
	bool yes;
	size_t k;
	int rc;

	for (k = 0; k < st->nchecks; k++) {
		yes = false;
		snprintf(q, sizeof q, "%s: %s", who(c, script_witness(&c->s, st),
		    by, sizeof by), st->checks[k]);
		if ((rc = c->io->confirm(c->io, q, &yes)) != OR_OK)
			return rc;
		{
			struct jfields f;

			jf_init(&f);
			jf_add(&f, "step", st->number_text);
			jf_add(&f, "check", st->checks[k]);
			jf_add(&f, "by", by);
			jf_add(&f, "answer", yes ? "yes" : "no");
			if ((rc = rec(c, "confirmed", &f)) != OR_OK)
				return rc;
		}
		if (!yes)
			return err_set(OR_E_CANCEL, "step %s: %s did not "
			    "confirm: %s", st->number_text, by, st->checks[k]);
	}
	return OR_OK;
}

static void
show_step(struct ceremony *c, const struct script_step *st)
{
	char block[SCRIPT_MAX_TEXT * 160], title[256], by[256];
	size_t k, used = 0;
	int w;

	w = snprintf(block, sizeof block, "role: %s\naction: %s\n", who(c,
	    st->role, by, sizeof by), script_action_name(st->action));
	if (w > 0)
		used = (size_t)w;
	for (k = 0; k < st->ntext && used < sizeof block; k++) {
		w = snprintf(block + used, sizeof block - used, "%s\n",
		    st->text[k]);
		if (w > 0)
			used += (size_t)w;
	}
	for (k = 0; k < st->nchecks && used < sizeof block; k++) {
		w = snprintf(block + used, sizeof block - used, "check: %s\n",
		    st->checks[k]);
		if (w > 0)
			used += (size_t)w;
	}
	snprintf(title, sizeof title, "Step %s: %s", st->number_text,
	    st->title);
	c->io->show_block(c->io, title, block);
}

static int
run_step(struct ceremony *c, size_t i)
{
	const struct script_step *st = &c->s.steps[i];
	char why[1024], by[256];
	int rc;

	c->current = i;
	c->running = true;
	c->views[i].state = STEP_CURRENT;
	{
		struct jfields f;

		jf_init(&f);
		jf_add(&f, "step", st->number_text);
		jf_add(&f, "title", st->title);
		jf_add(&f, "action", script_action_name(st->action));
		jf_add(&f, "role", who(c, st->role, by, sizeof by));
		if ((rc = rec(c, "step-begin", &f)) != OR_OK)
			return rc;
	}
	push_steps(c);
	push_status(c);
	show_step(c, st);
	switch (st->action) {
	case SA_PREFLIGHT:
		rc = act_preflight(c, st);
		break;
	case SA_PARTICIPANTS:
		rc = act_participants(c, st);
		break;
	case SA_NOTE:
		rc = act_note(c, st);
		break;
	case SA_GENERATE_ROOT:
		rc = act_generate_root(c, st);
		break;
	case SA_CONFIRM_FINGERPRINT:
		rc = act_fingerprint(c, st);
		break;
	case SA_SIGN_CSRS:
		rc = act_sign(c, st);
		break;
	case SA_REVOKE:
		rc = act_revoke(c, st);
		break;
	case SA_SIGN_CRL:
		rc = act_sign_crl(c, st);
		break;
	case SA_EXPORT:
		rc = act_export(c, st);
		break;
	case SA_CHECK_KEY:
		rc = act_check_key(c, st);
		break;
	case SA_RESHARE:
		rc = act_reshare(c, st);
		break;
	default:
		rc = err_set(OR_E_INPUT, "step %s: no action", st->number_text);
		break;
	}
	if (rc == OR_OK)
		rc = confirm_checks(c, st);
	if (rc != OR_OK) {
		snprintf(why, sizeof why, "%s", err_msg(rc));
		{
			struct jfields f;

			jf_init(&f);
			jf_add(&f, "step", st->number_text);
			jf_add(&f, "error", err_name(rc));
			jf_add(&f, "text", why);
			(void)rec(c, "step-failed", &f);
		}
		c->views[i].state = STEP_FAILED;
		push_steps(c);
		push_status(c);
		return err_set(rc, "step %s (%s): %s", st->number_text,
		    script_action_name(st->action), why);
	}
	{
		struct jfields f;

		jf_init(&f);
		jf_add(&f, "step", st->number_text);
		jf_add(&f, "result", "done");
		if ((rc = rec(c, "step-end", &f)) != OR_OK)
			return rc;
	}
	c->views[i].state = STEP_DONE;
	push_steps(c);
	return OR_OK;
}

/* Closes the transcript, sealed by the root key, records it in the CA
 * journal and copies it to the media. */
static int
seal(struct ceremony *c)
{
	struct transcript_info ti;
	struct cadb *db = NULL;
	X509 *root = NULL;
	char fhex[65], block[1024], dst[PATH_MAX], copyhex[65];
	int rc;

	if ((rc = open_ca(c, &db, &root)) != OR_OK ||
	    (rc = need_key(c, db, root)) != OR_OK ||
	    (rc = transcript_finish(c->tr, db->journal, c->ks)) != OR_OK)
		goto out;
	snprintf(c->transcript_state, sizeof c->transcript_state, "sealed");
	if ((rc = transcript_verify(c->tr->path, X509_get0_pubkey(root), &ti)) !=
	    OR_OK)
		goto out;
	hex_encode(ti.final_hash, 32, fhex);
	fingerprint_block(ti.final_hash, block, sizeof block);
	c->io->show_block(c->io, "The transcript is sealed by the root key. "
	    "Its final hash (write it on the printed script):", block);
	if (c->p.media != NULL) {
		if ((rc = file_join(dst, sizeof dst, c->p.media, c->tr->name)) !=
		    OR_OK || (rc = write_copy(c->tr->path, dst, copyhex)) !=
		    OR_OK)
			goto out;
		interact_say(c->io, SAY_INFO, "a copy of the sealed transcript "
		    "is on the media: %s", dst);
	}
	interact_say(c->io, SAY_RESULT, "ceremony \"%s\" complete; transcript "
	    "%s sealed, final hash %s", c->s.name, c->tr->path, fhex);
out:
	X509_free(root);
	cadb_close(db);
	return rc;
}

int
ceremony_run(struct ceremony *c)
{
	size_t i;
	int rc;

	for (i = 0; i < c->s.nsteps; i++) {
		if (c->views[i].state == STEP_DONE ||
		    c->views[i].state == STEP_SKIPPED)
			continue;
		if ((rc = run_step(c, i)) != OR_OK)
			return rc;
	}
	c->running = false;
	if ((rc = seal(c)) != OR_OK)
		return err_context(rc, "sealing the transcript");
	push_status(c);
	return OR_OK;
}
