/*
 * reshare.c — a new officer share set for a sealed root key (reshare.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cadb.h"
#include "err.h"
#include "fileio.h"
#include "interact.h"
#include "reshare.h"
#include "rootca.h"
#include "secret.h"
#include "share.h"
#include "transcript.h"
#include "util.h"

#define RESHARE_TRIES	3	/* a typed folder or passphrase, re-asked */

void
reshare_plan_free(struct reshare_plan *plan)
{
	share_free_passphrases(plan->pass, SEALED_QUORUM_MAX_N);
}

static bool
is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Officer i's media folder, asked (the ceremony: no folder given up
 * front).  A folder that is not one is asked again, a few times. */
int
reshare_ask_dir(struct interact *io, unsigned i, unsigned n, char *buf,
    size_t size)
{
	char prompt[256];
	int t, rc;

	for (t = 0; t < RESHARE_TRIES; t++) {
		snprintf(prompt, sizeof prompt, "New officer %u of %u: insert "
		    "your media and give its folder for your new share file",
		    i + 1, n);
		if ((rc = io->ask(io, prompt, buf, size)) != OR_OK)
			return rc;
		if (buf[0] != '\0' && is_dir(buf))
			return OR_OK;
		interact_say(io, SAY_WARN, "\"%s\" is not a folder: insert and "
		    "mount officer %u's media, then give the folder", buf,
		    i + 1);
	}
	return err_set(OR_E_INPUT, "no folder for new officer %u's share",
	    i + 1);
}

/* Officer i's new passphrase: given up front, or typed twice (asked again
 * when too short). */
static int
ask_pass(struct interact *io, unsigned i, unsigned n, struct secret **out)
{
	char prompt[160];
	int rc;

	*out = NULL;
	if (io->new_share_secret != NULL &&
	    (rc = io->new_share_secret(io, i, out)) != OR_OK)
		return rc;
	if (*out != NULL) {
		if ((*out)->len >= RESHARE_MIN_PASSPHRASE)
			return OR_OK;
		secret_free(*out);
		*out = NULL;
		return err_set(OR_E_INPUT, "new officer %u's passphrase is "
		    "shorter than %d characters", i + 1,
		    RESHARE_MIN_PASSPHRASE);
	}
	snprintf(prompt, sizeof prompt, "New officer %u of %u: choose the "
	    "passphrase for your share", i + 1, n);
	if ((rc = interact_new_secret(io, prompt, RESHARE_MIN_PASSPHRASE,
	    out)) != OR_OK)
		return err_context(rc, "new officer %u", i + 1);
	return OR_OK;
}

int
reshare_prepare(const struct reshare_params *p, struct cadb *db,
    struct interact *io, struct reshare_plan *plan)
{
	struct sealed_info old;
	char path[PATH_MAX];
	unsigned i, j;
	int rc;

	memset(plan, 0, sizeof *plan);
	plan->m = p->m;
	plan->n = p->n;
	plan->step = p->step;
	if (p->m < 1 || p->m > p->n || p->n > SEALED_QUORUM_MAX_N)
		return err_set(OR_E_USAGE, "quorum %u/%u: expected 1 <= M <= N "
		    "<= %d", p->m, p->n, SEALED_QUORUM_MAX_N);
	if (strcmp(db->sum.store, "sealed") != 0)
		return err_set(OR_E_INPUT, "%s: the key is on a token (%s "
		    "store); a quorum is for a sealed key file", db->dir,
		    db->sum.store);
	if (p->nshare_dirs != 0 && p->nshare_dirs != 1 &&
	    p->nshare_dirs != p->n)
		return err_set(OR_E_USAGE, "quorum %u/%u: give --share-dir "
		    "once (every share file in one folder) or %u times, one "
		    "per officer's media", p->m, p->n, p->n);
	for (i = 0; i < p->nshare_dirs; i++)
		if (!is_dir(p->share_dirs[i]))
			return err_set(OR_E_INPUT, "--share-dir %s is not a "
			    "folder (insert and mount officer %u's media)",
			    p->share_dirs[i], i + 1);
	if ((rc = cadb_path(db->dir, CADB_SEALED_KEY, path, sizeof path)) !=
	    OR_OK || (rc = sealed_info(path, &old)) != OR_OK)
		return rc;
	plan->kdf = p->kdf_given ? p->kdf : old.kdf;
	if (plan->kdf != KDF_SENSITIVE)
		interact_say(io, SAY_WARN, "the new shares will be sealed with "
		    "the %s Argon2id level, weaker than sensitive",
		    kdf_level_name(plan->kdf));
	share_quorum_warn(io, p->m, p->n, p->nshare_dirs);
	for (i = 0; i < p->nshare_dirs; i++)
		snprintf(plan->dirs[i], sizeof plan->dirs[i], "%s",
		    p->share_dirs[i]);
	plan->ndirs = p->nshare_dirs;
	for (i = 0; i < p->n; i++) {
		if (p->nshare_dirs == 0) {
			if ((rc = reshare_ask_dir(io, i, p->n, plan->dirs[i],
			    sizeof plan->dirs[i])) != OR_OK)
				goto out;
			for (j = 0; j < i; j++)
				if (strcmp(plan->dirs[j], plan->dirs[i]) == 0)
					interact_say(io, SAY_WARN, "officers %u "
					    "and %u share one folder (%s): "
					    "each officer's share belongs on "
					    "their own media", j + 1, i + 1,
					    plan->dirs[i]);
		}
		if ((rc = ask_pass(io, i, p->n, &plan->pass[i])) != OR_OK)
			goto out;
	}
	if (p->nshare_dirs == 0)
		plan->ndirs = p->n;
	rc = OR_OK;
out:
	if (rc != OR_OK)
		reshare_plan_free(plan);
	return rc;
}

int
reshare_commit(struct reshare_plan *plan, struct cadb *db,
    struct keystore *ks, struct transcript *tr, struct interact *io,
    struct reshare_result *res)
{
	struct sealed_info old;
	struct share_quorum *qs = NULL;
	const char *dirs[SEALED_QUORUM_MAX_N];
	unsigned char *oldimg = NULL;
	char path[PATH_MAX], saved[1024];
	size_t oldlen = 0, i;
	bool replaced = false, committed = false;
	int rc;

	memset(res, 0, sizeof *res);
	if ((rc = cadb_path(db->dir, CADB_SEALED_KEY, path, sizeof path)) !=
	    OR_OK || (rc = file_read(path, 65536, &oldimg, &oldlen)) != OR_OK ||
	    (rc = sealed_parse(oldimg, oldlen, &old)) != OR_OK)
		goto out;
	if (old.quorum_n != 0) {
		snprintf(res->old_quorum, sizeof res->old_quorum, "%u/%u",
		    old.quorum_m, old.quorum_n);
		hex_encode(old.set_id, sizeof old.set_id, res->old_set);
	} else {
		snprintf(res->old_quorum, sizeof res->old_quorum, "none");
		snprintf(res->old_set, sizeof res->old_set, "none");
	}
	if ((rc = share_quorum_seal(ks, plan->m, plan->n, plan->kdf, plan->pass,
	    io, &qs)) != OR_OK)
		goto out;
	reshare_plan_free(plan);
	snprintf(res->quorum, sizeof res->quorum, "%u/%u", plan->m, plan->n);
	hex_encode(qs->set_id, sizeof qs->set_id, res->set);
	/* New share files (new names), then the key file, atomically. */
	for (i = 0; i < plan->ndirs; i++)
		dirs[i] = plan->dirs[i];
	if ((rc = share_quorum_write(qs, dirs, plan->ndirs)) != OR_OK ||
	    (rc = rootca_record_shares(qs, tr, io)) != OR_OK)
		goto out;
	if ((rc = file_replace(path, qs->key_image, qs->key_len, 0600)) !=
	    OR_OK)
		goto out;
	replaced = true;
	if ((rc = file_sha256_hex(path, res->key_sha256)) != OR_OK)
		goto out;
	{
		struct jfields f;

		jf_init(&f);
		jf_add(&f, "old_quorum", res->old_quorum);
		jf_add(&f, "old_share_set", res->old_set);
		jf_add(&f, "quorum", res->quorum);
		jf_add(&f, "share_set", res->set);
		jf_add(&f, "kdf", kdf_level_name(plan->kdf));
		jf_add(&f, "key_file", CADB_SEALED_KEY);
		jf_add(&f, "key_file_sha256", res->key_sha256);
		if ((rc = cadb_append(db, "reshare", &f)) != OR_OK)
			goto out;
		replaced = false;	/* recorded: it stays, and the shares */
		committed = true;
		if (plan->step != NULL)
			jf_add(&f, "step", plan->step);
		if ((rc = transcript_add(tr, "reshare", &f)) != OR_OK)
			goto out;
	}
out:
	if (rc != OR_OK && qs != NULL && !committed) {
		snprintf(saved, sizeof saved, "%s", err_msg(rc));
		/* Not recorded: put the old key file back, so that the
		 * journal, the key file and the old shares agree again. */
		if (replaced && file_replace(path, oldimg, oldlen, 0600) !=
		    OR_OK)
			interact_say(io, SAY_WARN, "could not restore the old "
			    "key file: %s", err_msg(OR_E_IO));
		share_quorum_unwrite(qs);
		err_set(rc, "%s", saved);
	}
	reshare_plan_free(plan);
	share_quorum_free(qs);
	free(oldimg);
	return rc;
}
