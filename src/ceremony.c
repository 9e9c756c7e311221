/*
 * ceremony.c — a ceremony run (ceremony.h): it opens (a new transcript,
 * or an unfinished one resumed, ceremony-resume.c), runs each step not
 * done yet (the actions are in ceremony-act.c), then seals the
 * transcript with the root key.  ceremony_execute is the one sequence
 * every runner calls — TUI, batch, plain CLI — so what happens on
 * success, failure and abandonment cannot drift between them.  The
 * helpers the three files share are here too (ceremony-int.h).
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
#include <unistd.h>

#include <openssl/x509.h>

#include "cadb.h"
#include "ceremony-int.h"
#include "err.h"
#include "fileio.h"
#include "keystore.h"
#include "recover.h"
#include "transcript.h"
#include "util.h"

/* ---- small helpers -------------------------------------------------- */

bool
ceremony_exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

bool
ceremony_is_ca(const char *dir)
{
	char path[PATH_MAX];

	return cadb_path(dir, CADB_JOURNAL, path, sizeof path) == OR_OK &&
	    ceremony_exists(path);
}

int
ceremony_role_index(const struct script *s, const char *role)
{
	size_t i;

	for (i = 0; i < s->nroles; i++)
		if (strcmp(s->roles[i], role) == 0)
			return (int)i;
	return -1;
}

/* "Internal Witness (Bob Example)", or the role alone before names are
 * known. */
const char *
ceremony_who(const struct ceremony *c, const char *role, char *buf,
    size_t size)
{
	int k = ceremony_role_index(&c->s, role);

	if (k >= 0 && c->names[k][0] != '\0')
		snprintf(buf, size, "%s (%s)", role, c->names[k]);
	else
		snprintf(buf, size, "%s", role);
	return buf;
}

const char *
ceremony_cur_number(const struct ceremony *c)
{
	return c->running ? c->s.steps[c->current].number_text : "0";
}

static void
push_steps(struct ceremony *c)
{
	if (c->io->steps != NULL)
		c->io->steps(c->io, c->views, c->s.nsteps, c->current);
}

void
ceremony_push_status(struct ceremony *c)
{
	struct status_view sv;
	struct cadb_summary sum;

	if (c->io->status == NULL)
		return;
	if (c->key_store[0] == '\0' && ceremony_is_ca(c->p.dir) &&
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

int
ceremony_rec(struct ceremony *c, const char *type, const struct jfields *f)
{
	return transcript_add(c->tr, type, f);
}

/* Unlocks the root key once for the ceremony, or proves the one held. */
int
ceremony_need_key(struct ceremony *c, struct cadb *db, X509 *root)
{
	int rc;

	if (c->ks != NULL)
		return keystore_prove(c->ks, X509_get0_pubkey(root));
	if ((rc = cadb_unlock(db, root, c->io, &c->ks)) != OR_OK)
		return rc;
	return ceremony_rec_unlocked(c, db->sum.store);
}

int
ceremony_rec_unlocked(struct ceremony *c, const char *store)
{
	struct jfields f;

	jf_init(&f);
	jf_add(&f, "step", ceremony_cur_number(c));
	jf_add(&f, "key_type", keytype_name(c->ks->type));
	jf_add(&f, "store", store);
	return ceremony_rec(c, "key-unlocked", &f);
}

int
ceremony_rec_step_unlocked(struct ceremony *c, bool had_key)
{
	struct cadb_summary sum;
	int rc;

	if (had_key || c->ks == NULL)
		return OR_OK;
	if ((rc = cadb_scan(c->p.dir, &sum, NULL, NULL)) != OR_OK)
		return rc;
	return ceremony_rec_unlocked(c, sum.store);
}

int
ceremony_open_ca(struct ceremony *c, struct cadb **db, X509 **root)
{
	int rc;

	*db = NULL;
	*root = NULL;
	if ((rc = cadb_open(c->p.dir, db)) != OR_OK)
		return rc;
	if ((rc = recover_root(*db, c->io)) != OR_OK ||
	    (rc = cadb_load_root(c->p.dir, &(*db)->sum, root)) != OR_OK ||
	    (rc = recover_ca(*db, *root, c->io)) != OR_OK) {
		X509_free(*root);
		*root = NULL;
		cadb_close(*db);
		*db = NULL;
	}
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
		if (!ceremony_exists(c->stage) &&
		    (rc = file_mkdir(c->stage, 0700)) != OR_OK)
			return rc;
		if ((rc = file_join(sub, sizeof sub, c->stage,
		    CADB_TRANSCRIPTS)) != OR_OK)
			return rc;
		if (!ceremony_exists(sub) &&
		    (rc = file_mkdir(sub, 0755)) != OR_OK)
			return rc;
		if ((rc = transcript_begin(c->stage, "ceremony", &c->tr)) !=
		    OR_OK)
			return rc;
		c->in_stage = true;
	} else {
		if (!ceremony_is_ca(c->p.dir))
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
		jf_add(&f, "binary_sha256", c->exe_sha256);
		jf_add(&f, "runner", c->p.runner != NULL ? c->p.runner : "cli");
		jf_add(&f, "ca_dir", c->p.dir);
		jf_add(&f, "media", c->p.media != NULL ? c->p.media : "none");
		jf_add(&f, "token", c->p.token != NULL ? c->p.token : "none");
		jf_add(&f, "kdf_override",
		    c->p.kdf != NULL ? c->p.kdf : "none");
		return ceremony_rec(c, "ceremony", &f);
	}
}

static const char *
ceremony_transcript(const struct ceremony *c)
{
	return c->tr != NULL ? c->tr->path : "";
}

/* An exception note at the current step (the io->note hook). */
static int
ceremony_note(struct ceremony *c, const char *text)
{
	char by[256];
	const char *role = c->running ? c->s.steps[c->current].role :
	    c->s.roles[0];
	struct jfields f;

	jf_init(&f);
	jf_add(&f, "step", ceremony_cur_number(c));
	jf_add(&f, "by", ceremony_who(c, role, by, sizeof by));
	jf_add(&f, "text", text);

	if (c->tr == NULL)
		return err_set(OR_E_ENV, "no transcript is open");
	return ceremony_rec(c, "exception", &f);
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
	jf_add(&f, "step", ceremony_cur_number(c));
	jf_add(&f, "text", line);
	if (ceremony_rec(c, "stderr", &f) != OR_OK)
		err_clear();
}

static void
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
	keystore_close(c->succ_ks);
	transcript_free(c->tr);
	script_free(&c->s);
	free(c->views);
	free(c->begun);
	free(c->attempt);
	free(c);
}

/* Loads and checks the script, finds an unfinished transcript to resume
 * (asking through io), or starts a new transcript.  Sets io->note so that
 * exception notes reach the transcript. */
static int
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
		int k = ceremony_role_index(&c->s, p->participants[i].role);

		if (k < 0) {
			rc = err_set(OR_E_INPUT, "participant role \"%s\" is not "
			    "one of the script's roles", p->participants[i].role);
			goto fail;
		}
		snprintf(c->names[k], sizeof c->names[k], "%s",
		    p->participants[i].name);
	}
	if (self_sha256_hex(c->exe_sha256) != OR_OK)
		snprintf(c->exe_sha256, sizeof c->exe_sha256, "unknown");
	/* An existing CA is settled first (recover.c): a run killed after
	 * its seal is then found complete, not started again. */
	if (ceremony_is_ca(p->dir) &&
	    (rc = ceremony_resume_sealed(c, &resumed)) != OR_OK)
		goto fail;
	if (!resumed && (rc = ceremony_resume_offer(c, &resumed)) != OR_OK)
		goto fail;
	if (!resumed && (rc = start_new(c)) != OR_OK)
		goto fail;
	io->note = note_hook;
	io->diag = diag_hook;
	io->note_ctx = c;
	push_steps(c);
	ceremony_push_status(c);
	*out = c;
	return OR_OK;
fail:
	ceremony_free(c);
	return rc;
}

int
ceremony_move_in(struct ceremony *c)
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

int
ceremony_write_copy(const char *src, const char *dst, char hex[65])
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

/* ---- running -------------------------------------------------------- */

/* The witness confirms each of a step's checks (before: its verify:
 * lines, recorded "verified"; after: its check: lines, "confirmed"). */
static int
confirm_list(struct ceremony *c, const struct script_step *st,
    const char *const *list, size_t n, bool before)
{
	char q[SCRIPT_MAX_LINE + 300], by[256];
	bool yes;
	size_t k;
	int rc;

	for (k = 0; k < n; k++) {
		yes = false;
		snprintf(q, sizeof q, "%s: %s%s", ceremony_who(c,
		    script_witness(&c->s, st), by, sizeof by), before ?
		    "before the action: " : "", list[k]);
		if ((rc = c->io->confirm(c->io, q, &yes)) != OR_OK)
			return rc;
		{
			struct jfields f;

			jf_init(&f);
			jf_add(&f, "step", st->number_text);
			jf_add(&f, "check", list[k]);
			jf_add(&f, "by", by);
			jf_add(&f, "answer", yes ? "yes" : "no");
			if ((rc = ceremony_rec(c, before ? "verified" :
			    "confirmed", &f)) != OR_OK)
				return rc;
		}
		if (!yes)
			return err_set(OR_E_CANCEL, "step %s: %s did not "
			    "confirm%s: %s", st->number_text, by, before ?
			    " (before the action; nothing was done)" : "",
			    list[k]);
	}
	return OR_OK;
}

int
ceremony_verify(struct ceremony *c, const struct script_step *st)
{
	int rc;

	if (c->verified)
		return OR_OK;
	if ((rc = confirm_list(c, st, st->verifies, st->nverifies, true)) ==
	    OR_OK)
		c->verified = true;
	return rc;
}

/* Actions that ask the step's verify: lines themselves, at the last
 * moment before what cannot be undone (ceremony_verify). */
static bool
verifies_inside(enum script_action a)
{
	return a == SA_SIGN_CSRS || a == SA_SIGN_CRL || a == SA_GENERATE_ROOT ||
	    a == SA_RENEW_ROOT;
}

static void
show_step(struct ceremony *c, const struct script_step *st)
{
	char block[SCRIPT_MAX_TEXT * 160], title[256], by[256];
	size_t k, used = 0;
	int w;

	w = snprintf(block, sizeof block, "role: %s\naction: %s\n",
	    ceremony_who(c, st->role, by, sizeof by),
	    script_action_name(st->action));
	if (w > 0)
		used = (size_t)w;
	for (k = 0; k < st->ntext && used < sizeof block; k++) {
		w = snprintf(block + used, sizeof block - used, "%s\n",
		    st->text[k]);
		if (w > 0)
			used += (size_t)w;
	}
	for (k = 0; k < st->nverifies && used < sizeof block; k++) {
		w = snprintf(block + used, sizeof block - used, "verify (before "
		    "the action): %s\n", st->verifies[k]);
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

/*
 * The CA journal's head after a step that changed it: in the step-end
 * record of the ceremony's transcript (journal_seq, journal_head) and
 * said to the participants for the paper log, as every command prints it
 * (offroot-journal(5)).  Before the CA exists the head is seq 0.
 */
static void
step_head(struct ceremony *c, uint64_t seq0, const unsigned char h0[32],
    struct jfields *f)
{
	char hex[2 * CADB_HEAD_LEN + 1], words[CADB_HEAD_WORDS_MAX];
	unsigned char h[32];
	uint64_t seq;

	if (cadb_head(c->p.dir, &seq, h) != OR_OK || seq == 0 ||
	    (seq == seq0 && memcmp(h, h0, 32) == 0)) {
		err_clear();
		return;
	}
	jf_add_u64(f, "journal_seq", seq);
	jf_add_hex(f, "journal_head", h, 32);
	cadb_head_text(h, hex, words);
	interact_say(c->io, SAY_INFO, "journal head: record %" PRIu64 ", %s "
	    "(%s); write it in the paper log", seq, hex, words);
}

static int
run_step(struct ceremony *c, size_t i)
{
	const struct script_step *st = &c->s.steps[i];
	char why[1024], by[256];
	unsigned char h0[32];
	uint64_t seq0 = 0;
	int rc;

	memset(h0, 0, sizeof h0);
	if (cadb_head(c->p.dir, &seq0, h0) != OR_OK)
		seq0 = 0;
	err_clear();

	c->current = i;
	c->running = true;
	c->views[i].state = STEP_CURRENT;
	{
		struct jfields f;

		jf_init(&f);
		jf_add(&f, "step", st->number_text);
		jf_add(&f, "title", st->title);
		jf_add(&f, "action", script_action_name(st->action));
		jf_add(&f, "role", ceremony_who(c, st->role, by, sizeof by));
		if ((rc = ceremony_rec(c, "step-begin", &f)) != OR_OK)
			return rc;
	}
	push_steps(c);
	ceremony_push_status(c);
	show_step(c, st);
	c->verified = false;
	rc = verifies_inside(st->action) ? OR_OK : ceremony_verify(c, st);
	if (rc == OR_OK)
		rc = ceremony_act(c, st);
	if (rc == OR_OK)
		rc = confirm_list(c, st, st->checks, st->nchecks, false);
	if (rc != OR_OK) {
		snprintf(why, sizeof why, "%s", err_msg(rc));
		{
			struct jfields f;

			jf_init(&f);
			jf_add(&f, "step", st->number_text);
			jf_add(&f, "error", err_name(rc));
			jf_add(&f, "text", why);
			(void)ceremony_rec(c, "step-failed", &f);
		}
		c->views[i].state = STEP_FAILED;
		push_steps(c);
		ceremony_push_status(c);
		return err_set(rc, "step %s (%s): %s", st->number_text,
		    script_action_name(st->action), why);
	}
	{
		struct jfields f;

		jf_init(&f);
		jf_add(&f, "step", st->number_text);
		jf_add(&f, "result", "done");
		step_head(c, seq0, h0, &f);
		if ((rc = ceremony_rec(c, "step-end", &f)) != OR_OK)
			return rc;
	}
	c->views[i].state = STEP_DONE;
	push_steps(c);
	return OR_OK;
}

/* What follows the seal of the transcript at path (its file name name):
 * its final hash shown for the paper, its copy on the media. */
static int
sealed_out(struct ceremony *c, const char *path, const char *name, X509 *root)
{
	struct transcript_info ti;
	char fhex[65], block[1024], dst[PATH_MAX], copyhex[65];
	size_t used;
	int rc;

	snprintf(c->transcript_state, sizeof c->transcript_state, "sealed");
	if ((rc = transcript_verify(path, X509_get0_pubkey(root), &ti)) !=
	    OR_OK)
		return rc;
	hex_encode(ti.final_hash, 32, fhex);
	used = (size_t)snprintf(block, sizeof block, "The root key sealed the "
	    "transcript. Write its final hash on the printed script:\n");
	fingerprint_block(ti.final_hash, block + used, sizeof block - used);
	c->io->show_block(c->io, "Final hash of the transcript", block);
	if (c->p.media != NULL) {
		if ((rc = file_join(dst, sizeof dst, c->p.media, name)) !=
		    OR_OK || (rc = ceremony_write_copy(path, dst, copyhex)) !=
		    OR_OK)
			return rc;
		interact_say(c->io, SAY_INFO, "a copy of the sealed transcript "
		    "is on the media: %s", dst);
	}
	/* The last write to the medium: flushed, read back, unmounted. */
	if ((rc = ceremony_media_eject(c, c->p.media != NULL ? dst : NULL,
	    copyhex)) != OR_OK)
		return rc;
	interact_say(c->io, SAY_RESULT, "ceremony \"%s\" complete; transcript "
	    "%s sealed, final hash %s", c->s.name, path, fhex);
	return OR_OK;
}

/* Closes the transcript, sealed by the root key, records it in the CA
 * journal and copies it to the media.  A run killed after the seal
 * (c->sealed_name: ceremony_resume_sealed found it) only does what
 * follows it. */
static int
seal(struct ceremony *c)
{
	struct cadb *db = NULL;
	X509 *root = NULL;
	char tdir[PATH_MAX], path[PATH_MAX];
	int rc;

	if ((rc = ceremony_open_ca(c, &db, &root)) != OR_OK)
		goto out;
	if (c->sealed_name[0] != '\0') {
		if ((rc = cadb_path(c->p.dir, CADB_TRANSCRIPTS, tdir,
		    sizeof tdir)) == OR_OK && (rc = file_join(path, sizeof path,
		    tdir, c->sealed_name)) == OR_OK)
			rc = sealed_out(c, path, c->sealed_name, root);
		goto out;
	}
	if ((rc = ceremony_need_key(c, db, root)) != OR_OK ||
	    (rc = transcript_finish(c->tr, db->journal, c->ks)) != OR_OK)
		goto out;
	rc = sealed_out(c, c->tr->path, c->tr->name, root);
out:
	X509_free(root);
	cadb_close(db);
	return rc;
}

/* Runs every step not done yet, then seals the transcript.  On failure
 * the transcript stays unclosed (resumable) and records why. */
static int
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
	/* What the steps wrote to the medium, flushed and read back, while
	 * the transcript can still record it. */
	if (c->sealed_name[0] == '\0' && (rc = ceremony_media_leave(c)) !=
	    OR_OK)
		return err_context(rc, "leaving the medium");
	if ((rc = seal(c)) != OR_OK)
		return err_context(rc, "sealing the transcript");
	ceremony_push_status(c);
	return OR_OK;
}


/* ---- executing ------------------------------------------------------ */

/* Records that the operators abandoned the ceremony; the transcript
 * stays unclosed, so the ceremony can be resumed. */
static int
ceremony_abandon(struct ceremony *c, const char *why)
{
	struct jfields f;

	jf_init(&f);
	jf_add(&f, "step", ceremony_cur_number(c));
	jf_add(&f, "reason", why != NULL ? why : "abandoned");

	if (c->tr == NULL)
		return OR_OK;
	return ceremony_rec(c, "abandoned", &f);
}

int
ceremony_execute(const struct ceremony_params *p, struct interact *io)
{
	struct ceremony *c = NULL;
	char why[1024];
	int rc;

	if ((rc = ceremony_open(p, io, &c)) != OR_OK)
		return rc;
	/* OR_E_CANCEL: a question was refused, or the runner abandoned the
	 * run (the TUI: Ctrl-C, SIGTERM, SIGHUP); its text says which. */
	if ((rc = ceremony_run(c)) == OR_E_CANCEL) {
		snprintf(why, sizeof why, "%s", err_msg(rc));
		(void)ceremony_abandon(c, why);
		err_set(rc, "%s", why);
	}
	if (rc != OR_OK)
		interact_say(io, SAY_WARN, "the ceremony stopped; its "
		    "transcript %s stays open: %s to resume from the first "
		    "step not done", ceremony_transcript(c), p->again != NULL ?
		    p->again : "run the same command again");
	ceremony_free(c);
	return rc;
}
