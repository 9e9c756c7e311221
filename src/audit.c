/*
 * audit.c — end-to-end check of a CA directory without its key (audit.h).
 *
 * A first pass over the journal (its chain verified by journal.c)
 * collects every artefact a record names with the SHA-256 it recorded;
 * each file is then hashed (file_sha256_hex) and compared and each
 * transcript verified; a second pass confirms the journal heads the
 * transcripts name; every file under transcripts/, crls/, issued/,
 * repairs/, quarantine/ and roots/ must be named (quarantine/ by the
 * recover record that set it aside, recover.h; roots/ by the renew-root
 * record that replaced it, renew.h), or be the transcript of an
 * interrupted run; every earlier root certificate under roots/ has
 * root.crt's key, subject and key identifier; last, the key
 * file or token reference must be the root's.  Why: a CA directory
 * travels on removable media between ceremonies, and audit is how the
 * next one knows that nothing was added, removed or altered in between.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "audit.h"
#include "cadb.h"
#include "err.h"
#include "fileio.h"
#include "keystore.h"
#include "pkcs11.h"
#include "recover.h"
#include "renew.h"
#include "transcript.h"
#include "util.h"

/* A file the journal names, with the digest it recorded. */
struct artefact {
	char name[160];		/* relative to the CA directory */
	char sha256[65];
	uint64_t seq;		/* record that named it */
	uint64_t head_seq;	/* transcripts: the journal head they name */
	unsigned char head[32];
};

struct audit_ctx {
	struct artefact *a;
	size_t n, cap;
	/* The root certificate the journal names so far (init, then each
	 * renew-root record), the init record's key and subject. */
	char root_sha256[65], pk_sha256[65], subject[1024];
	/* pass 2: journal heads to confirm */
	size_t confirmed;
};

static int
add_artefact(struct audit_ctx *c, const char *sub, const char *file,
    const char *sha, uint64_t seq)
{
	struct artefact *na;

	if (file == NULL || sha == NULL || strchr(file, '/') != NULL ||
	    file[0] == '.' || strlen(sha) != 64)
		return err_set(OR_E_CORRUPT, "journal record %llu names an "
		    "artefact malformedly", (unsigned long long)seq);
	if (c->n == c->cap) {
		c->cap = c->cap ? 2 * c->cap : 16;
		if ((na = realloc(c->a, c->cap * sizeof *na)) == NULL)
			return err_set(OR_E_NOMEM, "out of memory");
		c->a = na;
	}
	memset(&c->a[c->n], 0, sizeof c->a[c->n]);
	snprintf(c->a[c->n].name, sizeof c->a[c->n].name, "%s%s%s", sub,
	    sub[0] ? "/" : "", file);
	snprintf(c->a[c->n].sha256, sizeof c->a[c->n].sha256, "%s", sha);
	c->a[c->n].seq = seq;
	c->n++;
	return OR_OK;
}

/* Every record type this version writes; audit refuses any other. */
static const char *const known_types[] = {
	"init", "transcript", "key-check", "issue", "export", "revoke",
	"revoke-batch", "csr", "crl-number", "crl", "ocsp", "reshare", "backup",
	"repair", "recover", "token-backup", "init-leftover", "renew-root",
	"crl-ahead", "crl-withdraw", "crl-schedule", "set", "rollover",
	"rollover-from", "migrate", NULL
};

static void
keep(const struct jrecord *r, const char *key, char *dst, size_t size)
{
	const char *v = jrecord_get(r, key);

	snprintf(dst, size, "%s", v != NULL ? v : "");
}

/* A renewal (renew.h): root.crt is now the record's certificate, and the
 * one it replaced is kept under roots/. */
static int
collect_renewal(struct audit_ctx *c, const struct jrecord *r)
{
	const char *file = jrecord_get(r, "previous_file");
	size_t i, n = strlen(CADB_ROOTS);
	int rc;

	if ((rc = renew_check_record(r, c->root_sha256, c->pk_sha256,
	    c->subject)) != OR_OK)
		return rc;
	keep(r, "root_sha256", c->root_sha256, sizeof c->root_sha256);
	for (i = 0; i < c->n; i++)
		if (strcmp(c->a[i].name, CADB_ROOT_CERT) == 0)
			keep(r, "root_file_sha256", c->a[i].sha256,
			    sizeof c->a[i].sha256);
	if (file == NULL || strncmp(file, CADB_ROOTS "/", n + 1) != 0)
		return err_set(OR_E_CORRUPT, "journal record %llu keeps the "
		    "previous root outside %s/", (unsigned long long)r->seq,
		    CADB_ROOTS);
	return add_artefact(c, CADB_ROOTS, file + n + 1,
	    jrecord_get(r, "previous_file_sha256"), r->seq);
}

static int
collect(const struct jrecord *r, void *vctx)
{
	struct audit_ctx *c = vctx;
	size_t i;

	for (i = 0; known_types[i] != NULL; i++)
		if (strcmp(r->type, known_types[i]) == 0)
			break;
	if (known_types[i] == NULL)
		return err_set(OR_E_CORRUPT, "journal record %llu has a type "
		    "this offroot does not know (\"%s\")",
		    (unsigned long long)r->seq, r->type);

	if (strcmp(r->type, "init") == 0) {
		int rc = add_artefact(c, "", CADB_ROOT_CERT,
		    jrecord_get(r, "root_file_sha256"), r->seq);
		if (rc != OR_OK)
			return rc;
		keep(r, "root_sha256", c->root_sha256, sizeof c->root_sha256);
		keep(r, "public_key_sha256", c->pk_sha256, sizeof c->pk_sha256);
		keep(r, "subject", c->subject, sizeof c->subject);
		if (jrecord_get(r, "profiles_file") != NULL &&
		    (rc = add_artefact(c, "", jrecord_get(r, "profiles_file"),
		    jrecord_get(r, "profiles_sha256"), r->seq)) != OR_OK)
			return rc;
		if (strcmp(jrecord_get(r, "store") ? jrecord_get(r, "store") :
		    "", "sealed") == 0)
			return add_artefact(c, "", CADB_SEALED_KEY,
			    jrecord_get(r, "key_file_sha256"), r->seq);
		/* A token key: its reference (module, URI) as recorded. */
		if (strcmp(jrecord_get(r, "store") ? jrecord_get(r, "store") :
		    "", "pkcs11") == 0)
			return add_artefact(c, "", CADB_KEY_URI,
			    jrecord_get(r, "key_file_sha256"), r->seq);
	} else if (strcmp(r->type, "renew-root") == 0) {
		return collect_renewal(c, r);
	} else if (strcmp(r->type, "transcript") == 0) {
		return add_artefact(c, CADB_TRANSCRIPTS, jrecord_get(r, "file"),
		    jrecord_get(r, "sha256"), r->seq);
	} else if (strcmp(r->type, "repair") == 0) {
		return add_artefact(c, "repairs", jrecord_get(r, "file"),
		    jrecord_get(r, "dropped_sha256"), r->seq);
	} else if (strcmp(r->type, "recover") == 0 &&
	    jrecord_get(r, "to") != NULL) {
		/* A file set aside after a crash (recover.h). */
		const char *to = jrecord_get(r, "to");
		size_t q = strlen(RECOVER_QUARANTINE);

		if (strncmp(to, RECOVER_QUARANTINE "/", q + 1) != 0)
			return err_set(OR_E_CORRUPT, "journal record %llu "
			    "quarantines outside %s/", (unsigned long long)r->seq,
			    RECOVER_QUARANTINE);
		return add_artefact(c, RECOVER_QUARANTINE, to + q + 1,
		    jrecord_get(r, "sha256"), r->seq);
	} else if (strcmp(r->type, "issue") == 0) {
		return add_artefact(c, CADB_ISSUED, jrecord_get(r, "file"),
		    jrecord_get(r, "file_sha256"), r->seq);
	} else if ((strcmp(r->type, "crl") == 0 ||
	    strcmp(r->type, "crl-ahead") == 0) && jrecord_get(r, "file")) {
		return add_artefact(c, CADB_CRLS, jrecord_get(r, "file"),
		    jrecord_get(r, "sha256"), r->seq);
	} else if (strcmp(r->type, "migrate") == 0) {
		/* The sealed key moved into a token (migrate.h): the key file
		 * is the token's reference from here on, and the sealed one
		 * must be gone. */
		for (i = 0; i < c->n; i++)
			if (strcmp(c->a[i].name, CADB_SEALED_KEY) == 0)
				break;
		if (i == c->n || jrecord_get(r, "key_file_sha256") == NULL ||
		    strlen(jrecord_get(r, "key_file_sha256")) != 64)
			return err_set(OR_E_CORRUPT, "journal record %llu "
			    "moves a sealed key the journal does not record",
			    (unsigned long long)r->seq);
		snprintf(c->a[i].name, sizeof c->a[i].name, "%s",
		    CADB_KEY_URI);
		snprintf(c->a[i].sha256, sizeof c->a[i].sha256, "%s",
		    jrecord_get(r, "key_file_sha256"));
		c->a[i].seq = r->seq;
	} else if (jrecord_get(r, "key_file_sha256") != NULL) {
		/* A later record that re-sealed the key file. */
		for (i = 0; i < c->n; i++)
			if (strcmp(c->a[i].name, CADB_SEALED_KEY) == 0)
				snprintf(c->a[i].sha256, sizeof c->a[i].sha256,
				    "%s", jrecord_get(r, "key_file_sha256"));
	}
	return OR_OK;
}

static int
confirm_heads(const struct jrecord *r, void *vctx)
{
	struct audit_ctx *c = vctx;
	size_t i;

	for (i = 0; i < c->n; i++)
		if (c->a[i].head_seq == r->seq) {
			if (memcmp(c->a[i].head, r->hash, 32) != 0)
				return err_set(OR_E_CORRUPT, "%s names journal "
				    "record %llu with a different hash: the "
				    "journal was rewritten", c->a[i].name,
				    (unsigned long long)r->seq);
			c->confirmed++;
		}
	return OR_OK;
}

static bool
named(const struct audit_ctx *c, const char *sub, const char *file)
{
	char name[300];
	size_t i;

	snprintf(name, sizeof name, "%s/%s", sub, file);
	for (i = 0; i < c->n; i++)
		if (strcmp(c->a[i].name, name) == 0)
			return true;
	return false;
}

/*
 * A transcript the journal does not name is legitimate only as the record
 * of a run that recorded nothing in the journal: interrupted (it verifies
 * as a chain and was never closed), or failed (op.h: a "failed" record,
 * then the end, no seal).  What such a transcript says was done, the
 * journal does not hold, and the journal is what audit trusts.  A sealed
 * one missing from the journal means the journal lost records.
 */
static bool
abandoned(const char *path, bool *failed)
{
	struct transcript_info ti;
	uint64_t good, size, seq;

	*failed = false;
	if (transcript_verify(path, NULL, &ti) == OR_OK) {
		if (!ti.closed)
			return true;
		*failed = !ti.sealed && ti.failed;
		return *failed;
	}
	/* Killed in the middle of writing a record: whole records before a
	 * torn last line. */
	return journal_tail(path, &good, &size, &seq) == OR_OK && good < size;
}

/* Every file under transcripts/, crls/, issued/, repairs/, quarantine/
 * and roots/ must be named by the journal. */
static int
no_strays(const char *dir, const struct audit_ctx *c, struct audit_result *res)
{
	static const char *const subs[] = { CADB_TRANSCRIPTS, CADB_CRLS,
	    CADB_ISSUED, "repairs", RECOVER_QUARANTINE, CADB_ROOTS };
	char path[PATH_MAX], path2[PATH_MAX];
	struct dirent *de;
	size_t i;
	bool failed;
	DIR *d;

	for (i = 0; i < nitems(subs); i++) {
		if (cadb_path(dir, subs[i], path, sizeof path) != OR_OK)
			return err_set(OR_E_INPUT, "path too long");
		/* repairs/ exists only once offroot repair has run,
		 * quarantine/ once a crash left something to set aside,
		 * roots/ once the root certificate was renewed. */
		if (i >= 3 && access(path, F_OK) == -1)
			continue;
		if ((d = opendir(path)) == NULL)
			return err_set(OR_E_CORRUPT, "%s/%s is missing", dir,
			    subs[i]);
		while ((de = readdir(d)) != NULL) {
			if (de->d_name[0] == '.')
				continue;
			if (!named(c, subs[i], de->d_name) && i == 0 &&
			    file_join(path2, sizeof path2, path, de->d_name) ==
			    OR_OK && abandoned(path2, &failed)) {
				if (failed)
					res->failed++;
				else
					res->abandoned++;
				continue;
			}
			if (!named(c, subs[i], de->d_name)) {
				int rc = err_set(OR_E_CORRUPT, "%s/%s is not "
				    "recorded in the journal: the journal was "
				    "truncated, or the file was planted",
				    subs[i], de->d_name);
				closedir(d);
				return rc;
			}
		}
		closedir(d);
	}
	return OR_OK;
}

/* Each earlier root certificate under roots/ (its digest checked with
 * the other artefacts) is root.crt's key, subject and key identifier: a
 * certificate of this root, which every issued certificate chains to. */
static int
same_root(const char *dir, const struct audit_ctx *c, X509 *root)
{
	const ASN1_OCTET_STRING *a, *b;
	char path[PATH_MAX];
	size_t i, n = strlen(CADB_ROOTS);
	X509 *x;
	int rc;

	for (i = 0; i < c->n; i++) {
		if (strncmp(c->a[i].name, CADB_ROOTS "/", n + 1) != 0)
			continue;
		if ((rc = cadb_path(dir, c->a[i].name, path, sizeof path)) !=
		    OR_OK || (rc = load_cert_file(path, &x)) != OR_OK)
			return err_set(OR_E_CORRUPT, "%s is not a certificate",
			    c->a[i].name);
		a = X509_get0_subject_key_id(x);
		b = X509_get0_subject_key_id(root);
		rc = EVP_PKEY_eq(X509_get0_pubkey(x), X509_get0_pubkey(root))
		    == 1 && X509_NAME_cmp(X509_get_subject_name(x),
		    X509_get_subject_name(root)) == 0 && a != NULL && b != NULL &&
		    ASN1_OCTET_STRING_cmp(a, b) == 0 &&
		    X509_verify(x, X509_get0_pubkey(root)) == 1 ? OR_OK :
		    err_set(OR_E_CORRUPT, "%s is not a certificate of this root "
		    "(its key, subject and key identifier)", c->a[i].name);
		X509_free(x);
		if (rc != OR_OK)
			return rc;
	}
	return OR_OK;
}

/* DIR/root.key.uri (whose digest was checked with the other artefacts)
 * parses and names the key URI of the init record. */
static int
audit_key_ref(const char *dir, const struct cadb_summary *sum)
{
	struct pkcs11_ref ref;
	unsigned char *buf = NULL;
	char path[PATH_MAX];
	size_t len = 0;
	int rc;

	if ((rc = cadb_path(dir, CADB_KEY_URI, path, sizeof path)) != OR_OK ||
	    (rc = file_read(path, PKCS11_REF_MAX, &buf, &len)) != OR_OK)
		return rc;
	if ((rc = pkcs11_ref_parse(buf, len, &ref)) != OR_OK)
		rc = err_context(rc, "%s", CADB_KEY_URI);
	else if (strcmp(ref.uri, sum->key_uri) != 0 ||
	    strcmp(ref.module, sum->module) != 0)
		rc = err_set(OR_E_CORRUPT, "%s names another key or module "
		    "than the journal's init record", CADB_KEY_URI);
	free(buf);
	return rc;
}

int
audit_run(const char *dir, struct audit_result *res)
{
	struct cadb_summary sum;
	struct audit_ctx c;
	struct transcript_info ti;
	struct sealed_info si;
	unsigned char pkmd[32];
	char path[PATH_MAX], hex[65];
	X509 *root = NULL;
	size_t i, want_heads = 0;
	int rc;

	memset(res, 0, sizeof *res);
	memset(&c, 0, sizeof c);
	if ((rc = cadb_scan(dir, &sum, collect, &c)) != OR_OK)
		goto out;
	res->records = sum.records;
	if ((rc = cadb_load_root(dir, &sum, &root)) != OR_OK)
		goto out;
	for (i = 0; i < c.n; i++) {
		if ((rc = cadb_path(dir, c.a[i].name, path, sizeof path)) !=
		    OR_OK)
			goto out;
		if ((rc = file_sha256_hex(path, hex)) != OR_OK) {
			rc = err_set(OR_E_CORRUPT, "%s, named by journal record "
			    "%llu, cannot be read: %s", c.a[i].name,
			    (unsigned long long)c.a[i].seq, err_msg(rc));
			goto out;
		}
		if (strcmp(hex, c.a[i].sha256) != 0) {
			rc = err_set(OR_E_CORRUPT, "%s was altered (its SHA-256 "
			    "differs from journal record %llu)", c.a[i].name,
			    (unsigned long long)c.a[i].seq);
			goto out;
		}
		res->artefacts++;
		if (strncmp(c.a[i].name, CADB_TRANSCRIPTS "/",
		    sizeof CADB_TRANSCRIPTS) == 0) {
			if ((rc = transcript_verify(path, X509_get0_pubkey(root),
			    &ti)) != OR_OK)
				goto out;
			c.a[i].head_seq = ti.journal_seq;
			memcpy(c.a[i].head, ti.journal_head, 32);
			if (ti.journal_seq >= c.a[i].seq) {
				rc = err_set(OR_E_CORRUPT, "%s claims a journal "
				    "head after its own record", c.a[i].name);
				goto out;
			}
			want_heads++;
			res->transcripts++;
		}
	}
	/* Each transcript names the journal head it saw: confirm them. */
	if ((rc = cadb_scan(dir, &sum, confirm_heads, &c)) != OR_OK)
		goto out;
	if (c.confirmed != want_heads) {
		rc = err_set(OR_E_CORRUPT, "a transcript names a journal record "
		    "that is not there");
		goto out;
	}
	/* A root-signed CRL that knows more than the journal (audit-cut.c)
	 * is named as a cut journal before no_strays calls it planted. */
	if ((rc = audit_crls_cut(dir, root)) != OR_OK ||
	    (rc = no_strays(dir, &c, res)) != OR_OK ||
	    (rc = same_root(dir, &c, root)) != OR_OK ||
	    (rc = audit_ahead(dir, root, res)) != OR_OK)
		goto out;
	/* The sealed key's header names the root's public key. */
	if (strcmp(sum.store, "sealed") == 0) {
		if ((rc = cadb_path(dir, CADB_SEALED_KEY, path, sizeof path))
		    != OR_OK || (rc = sealed_info(path, &si)) != OR_OK ||
		    (rc = pubkey_sha256(X509_get0_pubkey(root), pkmd)) != OR_OK)
			goto out;
		if (memcmp(pkmd, si.pubkey_sha256, 32) != 0) {
			rc = err_set(OR_E_CORRUPT, "%s seals a key other than "
			    "the root certificate's", CADB_SEALED_KEY);
			goto out;
		}
	}
	/* The token key's reference names the key the journal records. */
	if (strcmp(sum.store, "pkcs11") == 0 &&
	    (rc = audit_key_ref(dir, &sum)) != OR_OK)
		goto out;
	/* A migrated key: the sealed copy is gone (migrate retires it right
	 * after its record; the next command that takes the lock finishes a
	 * retirement a crash cut short). */
	if (sum.migrated != 0) {
		res->migrated = sum.migrated;
		snprintf(res->migrated_token, sizeof res->migrated_token, "%s",
		    sum.token_label);
		if ((rc = cadb_path(dir, CADB_SEALED_KEY, path, sizeof path))
		    != OR_OK)
			goto out;
		if (access(path, F_OK) == 0) {
			rc = err_set(OR_E_CORRUPT, "%s is still there after the "
			    "migrate record %llu moved the key into token "
			    "\"%s\": a retirement a crash cut short (any "
			    "command that takes the CA lock, such as offroot "
			    "check-key, finishes it)", CADB_SEALED_KEY,
			    (unsigned long long)sum.migrated, sum.token_label);
			goto out;
		}
	}
	rc = OR_OK;
out:
	X509_free(root);
	free(c.a);
	return rc;
}
