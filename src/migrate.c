/*
 * migrate.c — a sealed root key moved into a PKCS#11 token (migrate.h).
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/objects.h>

#include "cadb.h"
#include "err.h"
#include "fileio.h"
#include "interact.h"
#include "keystore.h"
#include "leftover.h"
#include "migrate.h"
#include "p11import.h"
#include "secret.h"
#include "pkcs11.h"
#include "transcript.h"
#include "util.h"

static int
pin_ask_secret(struct interact *io, const char *prompt, bool twice,
    struct secret **out)
{
	struct migrate_pin_face *pf = (struct migrate_pin_face *)io;

	if (pf->pin_file != NULL)
		return secret_from_file(pf->pin_file, out);
	return pf->orig->ask_secret(pf->orig, prompt, twice, out);
}

struct interact *
migrate_pin_face(struct migrate_pin_face *pf, struct interact *io,
    const char *pin_file)
{
	pf->io = *io;
	pf->orig = io;
	pf->pin_file = pin_file;
	if (pin_file != NULL)
		pf->io.ask_secret = pin_ask_secret;
	return &pf->io;
}

int
migrate_check(struct cadb *db, const struct migrate_params *p)
{
	char path[PATH_MAX];
	int rc;

	if (strcmp(db->sum.store, "sealed") != 0)
		return err_set(OR_E_INPUT, "%s: the root key is already on a "
		    "token (%s store, token \"%s\"); migrate moves a sealed "
		    "key", db->dir, db->sum.store, db->sum.token_label);
	if ((rc = pkcs11_uri_check(p->token_uri, PKCS11_URI_TOKEN)) != OR_OK)
		return err_context(rc, "--to-token");
	if ((rc = cadb_path(db->dir, CADB_KEY_URI, path, sizeof path)) !=
	    OR_OK)
		return rc;
	if (access(path, F_OK) == 0)
		return err_set(OR_E_EXISTS, "%s exists, but the journal records "
		    "a sealed key: set it aside (it names no key of this CA) "
		    "and run migrate again", path);
	return OR_OK;
}

int
migrate_retire_sealed(const char *dir, bool *done)
{
	char path[PATH_MAX];
	int rc;

	*done = false;
	if ((rc = cadb_path(dir, CADB_SEALED_KEY, path, sizeof path)) != OR_OK)
		return rc;
	if (access(path, F_OK) == -1)
		return errno == ENOENT ? OR_OK : err_errno(OR_E_IO, "%s", path);
	if ((rc = leftover_wipe_file(path)) != OR_OK ||
	    (rc = file_sync_dir(dir)) != OR_OK)
		return rc;
	*done = true;
	return OR_OK;
}

/* Whether path is a share file of the set si records: its digest is one
 * of the header's. */
static bool
is_share_of(const char *path, const struct sealed_info *si)
{
	unsigned char md[32];
	char hex[65], want[65];
	struct stat st;
	unsigned i;

	if (lstat(path, &st) == -1 || !S_ISREG(st.st_mode) ||
	    st.st_size > 65536 || file_sha256_hex(path, hex) != OR_OK) {
		err_clear();
		return false;
	}
	for (i = 0; i < si->quorum_n; i++) {
		memcpy(md, si->share_sha256[i], 32);
		hex_encode(md, 32, want);
		if (strcmp(hex, want) == 0)
			return true;
	}
	return false;
}

/* Wipes path when it is one of the set's share files (a folder: each of
 * them in it).  *n counts the files wiped. */
static int
retire_share_path(const char *path, const struct sealed_info *si,
    unsigned *n)
{
	char sub[PATH_MAX];
	struct dirent *de;
	struct stat st;
	DIR *d;
	int rc = OR_OK;

	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		if ((d = opendir(path)) == NULL)
			return err_errno(OR_E_IO, "%s", path);
		while (rc == OR_OK && (de = readdir(d)) != NULL) {
			if (de->d_name[0] == '.' || file_join(sub, sizeof sub,
			    path, de->d_name) != OR_OK || !is_share_of(sub, si))
				continue;
			if ((rc = leftover_wipe_file(sub)) == OR_OK)
				(*n)++;
		}
		closedir(d);
		return rc == OR_OK ? file_sync_dir(path) : rc;
	}
	if (!is_share_of(path, si))
		return OR_OK;
	if ((rc = leftover_wipe_file(path)) != OR_OK)
		return rc;
	(*n)++;
	file_dirname(path, sub, sizeof sub);
	return file_sync_dir(sub);
}

/* The facts of the imported key, for the journal and the transcript. */
static void
key_fields(struct jfields *f, const struct pkcs11_keyinfo *ki,
    const char *method)
{
	jf_add(f, "store", "pkcs11");
	jf_add(f, "key_file", CADB_KEY_URI);
	jf_add(f, "key_uri", ki->uri);
	jf_add(f, "module", ki->module);
	jf_add(f, "token_label", ki->token_label);
	jf_add(f, "token_serial", ki->token_serial);
	jf_add(f, "token_manufacturer", ki->token_manufacturer);
	jf_add(f, "token_model", ki->token_model);
	jf_add(f, "key_origin", "imported");
	jf_add(f, "import_method", method);
	jf_add(f, "key_sensitive", ki->sensitive ? "yes" : "no");
	jf_add(f, "key_extractable", ki->extractable ? "yes" : "no");
	jf_add(f, "key_always_sensitive", ki->always_sensitive ? "yes" : "no");
	jf_add(f, "key_never_extractable",
	    ki->never_extractable ? "yes" : "no");
	jf_add(f, "usage", ki->usage);
	jf_add(f, "token_backed_up", "no");
}

/* RSA-PSS roots: the token must make RSA-PSS signatures too. */
static const char *
pss_digest(X509 *root, enum keytype type)
{
	if (X509_get_signature_nid(root) != NID_rsassaPss)
		return NULL;
	return keytype_default_digest(type);
}

/* 3 and 4: the reference file, then the journal record. */
static int
record(struct cadb *db, const struct pkcs11_keyinfo *ki,
    const struct sealed_info *si, const char *oldsha,
    const struct migrate_params *p, struct migrate_result *res,
    struct transcript *tr, bool *committed)
{
	char path[PATH_MAX], sha[65], set[2 * SEALED_SET_ID_LEN + 1];
	char *text = NULL;
	struct jfields f;
	size_t len = 0;
	int rc;

	if ((rc = cadb_path(db->dir, CADB_KEY_URI, path, sizeof path)) !=
	    OR_OK || (rc = pkcs11_ref_format(ki, &text, &len)) != OR_OK)
		goto out;
	if ((rc = file_write_new(path, text, len, 0644)) != OR_OK)
		goto out;
	if ((rc = file_sha256_hex(path, sha)) != OR_OK)
		goto unlink;
	if (si->quorum_n != 0)
		hex_encode(si->set_id, sizeof si->set_id, set);
	else
		snprintf(set, sizeof set, "none");
	jf_init(&f);
	key_fields(&f, ki, res->method);
	jf_add(&f, "key_file_sha256", sha);
	jf_add(&f, "old_store", "sealed");
	jf_add(&f, "old_key_file", CADB_SEALED_KEY);
	jf_add(&f, "old_key_file_sha256", oldsha);
	jf_add(&f, "old_quorum", res->quorum);
	jf_add(&f, "old_share_set", set);
	if ((rc = cadb_append(db, "migrate", &f)) != OR_OK)
		goto unlink;
	*committed = true;
	if (p->step != NULL)
		jf_add(&f, "step", p->step);
	rc = transcript_add(tr, "migrate", &f);
	goto out;
unlink:
	if (unlink(path) == 0)
		(void)file_sync_dir(db->dir);
out:
	free(text);
	return rc;
}

/* 5: the sealed key file, then the shares given. */
static int
retire(struct cadb *db, const struct sealed_info *si,
    const struct migrate_params *p, struct transcript *tr,
    struct interact *io, struct migrate_result *res)
{
	struct jfields f;
	bool done;
	size_t i;
	int rc;

	if ((rc = migrate_retire_sealed(db->dir, &done)) != OR_OK)
		return rc;
	for (i = 0; si->quorum_n != 0 && i < p->nshares; i++)
		if ((rc = retire_share_path(p->shares[i], si,
		    &res->shares_retired)) != OR_OK)
			interact_say(io, SAY_WARN, "could not retire the share "
			    "file %s: %s; destroy it by hand", p->shares[i],
			    err_msg(rc));
	jf_init(&f);
	jf_add(&f, "file", CADB_SEALED_KEY);
	jf_add(&f, "how", "overwritten with random bytes, fsynced, unlinked");
	jf_addf(&f, "shares_retired", "%u", res->shares_retired);
	return transcript_add(tr, "key-retired", &f);
}

int
migrate_commit(struct cadb *db, X509 *root, struct keystore *sealed,
    struct transcript *tr, const struct migrate_params *p,
    struct interact *io, struct migrate_result *res, struct keystore **keep)
{
	struct keystore *tok = NULL;
	const struct pkcs11_keyinfo *ki;
	struct sealed_info si;
	char path[PATH_MAX], oldsha[65];
	struct jfields f;
	bool committed = false;
	int rc, rc2;

	memset(res, 0, sizeof *res);
	if ((rc = migrate_check(db, p)) != OR_OK ||
	    (rc = cadb_path(db->dir, CADB_SEALED_KEY, path, sizeof path)) !=
	    OR_OK || (rc = sealed_info(path, &si)) != OR_OK ||
	    (rc = file_sha256_hex(path, oldsha)) != OR_OK)
		return rc;
	if (si.quorum_n != 0)
		snprintf(res->quorum, sizeof res->quorum, "%u/%u", si.quorum_m,
		    si.quorum_n);
	else
		snprintf(res->quorum, sizeof res->quorum, "none");
	/* 1. Into the token. */
	if ((rc = p11import_key(p->module, p->token_uri, p->label != NULL ?
	    p->label : MIGRATE_DEFAULT_LABEL, sealed, pss_digest(root,
	    sealed->type), io, &tok, res->method, sizeof res->method)) !=
	    OR_OK)
		return rc;
	ki = pkcs11_info(tok);
	snprintf(res->token_label, sizeof res->token_label, "%s",
	    ki->token_label);
	snprintf(res->key_uri, sizeof res->key_uri, "%s", ki->uri);
	/* 2. The token's key signs for root.crt. */
	if ((rc = keystore_prove(tok, X509_get0_pubkey(root))) != OR_OK) {
		rc = err_context(rc, "token \"%s\": the imported key does not "
		    "sign for %s", ki->token_label, CADB_ROOT_CERT);
		goto fail;
	}
	jf_init(&f);
	key_fields(&f, ki, res->method);
	jf_add(&f, "proved", "a challenge signed on the token verifies with "
	    "root.crt's public key");
	if ((rc = transcript_add(tr, "key-imported", &f)) != OR_OK)
		goto fail;
	/* 3 and 4. */
	if ((rc = record(db, ki, &si, oldsha, p, res, tr, &committed)) !=
	    OR_OK && !committed)
		goto fail;
	if (keep != NULL)
		*keep = tok;
	else
		keystore_close(tok);
	/* 5. Recorded: the token holds the CA's key, and the sealed copy
	 * goes (even when the transcript failed after the record). */
	rc2 = retire(db, &si, p, tr, io, res);
	return rc != OR_OK ? rc : rc2;
fail:
	{
		char saved[1024];

		snprintf(saved, sizeof saved, "%s", err_msg(rc));
		if (pkcs11_discard(tok) != OR_OK)
			interact_say(io, SAY_WARN, "%s", err_msg(OR_E_ENV));
		keystore_close(tok);
		return err_set(rc, "%s", saved);
	}
}
