/*
 * cmd-reshare.c — offroot reshare: a new M'-of-N' share set for the sealed
 * root key.
 *
 * The key is opened with the current quorum (or passphrase), a new random
 * sealing key is split into new shares under the new officers'
 * passphrases, the share files are written (new names: the set id is in
 * them), and only then is the key file replaced atomically (file_replace).
 * Until that rename the old shares open the key; after it only the new
 * ones do.  The journal's reshare record carries the new key file's digest
 * and the share sets' ids, never a share.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cadb.h"
#include "cmd.h"
#include "err.h"
#include "fileio.h"
#include "keystore.h"
#include "rootca.h"
#include "secret.h"
#include "share.h"
#include "transcript.h"
#include "util.h"

#define RESHARE_MIN_PASSPHRASE	8

static const struct cmd_opt reshare_opts[] = {
	{ "dir", 'd', OPT_ARG | OPT_REQUIRED },
	{ "quorum", 0, OPT_ARG | OPT_REQUIRED },
	{ "share-dir", 0, OPT_ARG | OPT_MULTI | OPT_REQUIRED },
	{ "new-share-passphrase-file", 0, OPT_ARG | OPT_MULTI },
	{ "kdf", 0, OPT_ARG },
	{ "passphrase-file", 0, OPT_ARG },
	CMD_OPTS_SHARES,
	{ "yes", 'y', 0 },
	{ "quiet", 'q', 0 },
	{ NULL, 0, 0 }
};

struct reshare {
	unsigned m, n;
	enum kdf_level kdf;
	bool kdf_given;
	const char *dirs[SEALED_QUORUM_MAX_N + 1];
	size_t ndirs;
};

static int
reshare_args(struct cmd_args *a, struct reshare *r)
{
	struct stat st;
	size_t i;
	int rc;

	memset(r, 0, sizeof *r);
	if ((rc = quorum_parse(args_get(a, "quorum"), &r->m, &r->n)) != OR_OK)
		return rc;
	if (args_has(a, "kdf")) {
		if (kdf_level_parse(args_get(a, "kdf"), &r->kdf) != OR_OK)
			return err_set(OR_E_USAGE, "--kdf: expected sensitive, "
			    "moderate or interactive, got \"%s\"",
			    args_get(a, "kdf"));
		r->kdf_given = true;
	}
	for (i = 0; args_nth(a, "new-share-passphrase-file", i) != NULL; i++)
		;
	if (i != 0 && i != r->n)
		return err_set(OR_E_USAGE, "--new-share-passphrase-file: give "
		    "one per new officer (%u), in officer order, not %zu",
		    r->n, i);
	for (i = 0; (r->dirs[i] = args_nth(a, "share-dir", i)) != NULL; i++)
		if (i == SEALED_QUORUM_MAX_N)
			return err_set(OR_E_USAGE, "--share-dir given more "
			    "than %d times", SEALED_QUORUM_MAX_N);
	r->ndirs = i;
	if (r->ndirs != 1 && r->ndirs != r->n)
		return err_set(OR_E_USAGE, "--quorum %u/%u: give --share-dir "
		    "once (every share file in one folder) or %u times, one "
		    "per officer's media", r->m, r->n, r->n);
	for (i = 0; i < r->ndirs; i++)
		if (stat(r->dirs[i], &st) == -1 || !S_ISDIR(st.st_mode))
			return err_set(OR_E_INPUT, "--share-dir %s is not a "
			    "folder (insert and mount officer %zu's media)",
			    r->dirs[i], i + 1);
	return OR_OK;
}

static int
reshare_exec(struct cmd_args *a, struct interact *io)
{
	const char *dir = args_get(a, "dir");
	struct reshare r;
	struct sealed_info old;
	struct cadb *db = NULL;
	struct keystore *ks = NULL;
	struct transcript *tr = NULL;
	struct quorum_set *qs = NULL;
	struct secret *pass[SEALED_QUORUM_MAX_N] = { NULL };
	unsigned char *oldimg = NULL;
	X509 *root = NULL;
	char path[PATH_MAX], oldq[16], newq[16], oldset[33], newset[33];
	char keyhex[65], saved[1024];
	size_t oldlen = 0;
	bool replaced = false, committed = false;
	int rc;

	if ((rc = reshare_args(a, &r)) != OR_OK)
		return rc;
	if ((rc = cadb_open(dir, &db)) != OR_OK ||
	    (rc = cadb_load_root(dir, &db->sum, &root)) != OR_OK)
		goto out;
	if (strcmp(db->sum.store, "sealed") != 0) {
		rc = err_set(OR_E_INPUT, "%s: the key is on a token (%s store); "
		    "a quorum is for a sealed key file", dir, db->sum.store);
		goto out;
	}
	if ((rc = cadb_path(dir, CADB_SEALED_KEY, path, sizeof path)) !=
	    OR_OK || (rc = file_read(path, 65536, &oldimg, &oldlen)) != OR_OK ||
	    (rc = sealed_parse(oldimg, oldlen, &old)) != OR_OK)
		goto out;
	if (!r.kdf_given)
		r.kdf = old.kdf;
	if (r.kdf != KDF_SENSITIVE)
		interact_say(io, SAY_WARN, "the new shares will be sealed with "
		    "the %s Argon2id level, weaker than sensitive",
		    kdf_level_name(r.kdf));
	if (r.m == 1)
		interact_say(io, SAY_WARN, "a 1-of-%u quorum: each officer's "
		    "share alone opens the key, so each officer holds the "
		    "whole key", r.n);
	if (old.quorum_n != 0) {
		snprintf(oldq, sizeof oldq, "%u/%u", old.quorum_m,
		    old.quorum_n);
		hex_encode(old.set_id, sizeof old.set_id, oldset);
	} else {
		snprintf(oldq, sizeof oldq, "none");
		snprintf(oldset, sizeof oldset, "none");
	}

	/* 1. The current quorum (or passphrase) opens the key. */
	if ((rc = cadb_unlock(db, root, io, &ks)) != OR_OK)
		goto out;
	/* 2. The new officers' passphrases, the new set, checked. */
	if ((rc = quorum_ask(io, r.n, RESHARE_MIN_PASSPHRASE, pass)) != OR_OK)
		goto out;
	if ((rc = transcript_begin(dir, "reshare", &tr)) != OR_OK)
		goto out;
	if ((rc = quorum_seal(ks, r.m, r.n, r.kdf, pass, io, &qs)) != OR_OK)
		goto out;
	quorum_free_pass(pass, SEALED_QUORUM_MAX_N);
	snprintf(newq, sizeof newq, "%u/%u", r.m, r.n);
	hex_encode(qs->set_id, sizeof qs->set_id, newset);
	/* 3. New share files (new names), then the key file, atomically. */
	if ((rc = quorum_write(qs, r.dirs, r.ndirs)) != OR_OK ||
	    (rc = rootca_record_shares(qs, tr, io)) != OR_OK)
		goto out;
	if ((rc = file_replace(path, qs->key_image, qs->key_len, 0600)) !=
	    OR_OK)
		goto out;
	replaced = true;
	if ((rc = file_sha256_hex(path, keyhex)) != OR_OK)
		goto out;
	{
		struct jfield f[] = {
			{ "old_quorum", oldq, 0 },
			{ "old_share_set", oldset, 0 },
			{ "quorum", newq, 0 },
			{ "share_set", newset, 0 },
			{ "kdf", kdf_level_name(r.kdf), 0 },
			{ "key_file", CADB_SEALED_KEY, 0 },
			{ "key_file_sha256", keyhex, 0 },
		};
		if ((rc = transcript_add(tr, "reshare", f, 7)) != OR_OK ||
		    (rc = cadb_append(db, "reshare", f, 7)) != OR_OK)
			goto out;
	}
	replaced = false;	/* recorded: it stays, and so do the shares */
	committed = true;
	if ((rc = transcript_finish(tr, db->journal, ks)) != OR_OK)
		goto out;
	interact_say(io, SAY_RESULT, "re-shared the root key of %s as a %s "
	    "quorum (share set %.8s); the old %s shares no longer open it: "
	    "destroy them", dir, newq, newset, oldq);
out:
	if (rc != OR_OK && qs != NULL && !committed) {
		snprintf(saved, sizeof saved, "%s", err_msg(rc));
		/* Not recorded: put the old key file back, so that the
		 * journal, the key file and the old shares agree again. */
		if (replaced && file_replace(path, oldimg, oldlen, 0600) !=
		    OR_OK)
			interact_say(io, SAY_WARN, "could not restore the old "
			    "key file: %s", err_msg(OR_E_IO));
		quorum_unwrite(qs);
		err_set(rc, "%s", saved);
	}
	quorum_free_pass(pass, SEALED_QUORUM_MAX_N);
	quorum_free(qs);
	transcript_free(tr);
	keystore_close(ks);
	X509_free(root);
	cadb_close(db);
	free(oldimg);
	return rc;
}

const struct cmd_entry cmd_reshare_entry = {
	"reshare",
	"-d DIR --quorum M/N --share-dir DIR ... "
	    "[--new-share-passphrase-file FILE ...] [--kdf LEVEL] "
	    "[(--share FILE --share-passphrase-file FILE) ... | "
	    "--passphrase-file FILE]",
	"re-seal the root key under a new M-of-N officer share set",
	reshare_opts, 0, 0, reshare_exec
};
