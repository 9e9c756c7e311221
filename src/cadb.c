/*
 * cadb.c — the CA directory and the semantics of its journal's records
 * (cadb.h): the summary every command starts from (init, key, counts, the
 * latest CRL), the checks that root.crt and the key file are the ones the
 * journal recorded, and unlocking the key store.
 *
 * It sits below revoke.c: revocations are replayed there (revoke_db), not
 * summarised here, so that this file needs nothing from revoke.c and
 * revoke.c can record through cadb_append.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/pem.h>
#include <openssl/x509.h>

#include "cadb.h"
#include "err.h"
#include "fileio.h"
#include "interact.h"
#include "keystore.h"
#include "pgpwords.h"
#include "pkcs11.h"
#include "secret.h"
#include "share.h"
#include "util.h"

int
cadb_path(const char *dir, const char *name, char *buf, size_t size)
{
	return file_join(buf, size, dir, name);
}

static void
copy_field(const struct jrecord *r, const char *key, char *dst, size_t size)
{
	const char *v = jrecord_get(r, key);

	snprintf(dst, size, "%s", v != NULL ? v : "");
}

static time_t
field_time(const struct jrecord *r, const char *key)
{
	const char *v = jrecord_get(r, key);
	char *end;
	long long t;

	if (v == NULL)
		return 0;
	t = strtoll(v, &end, 10);
	return *end == '\0' ? (time_t)t : 0;
}

struct scan_ctx {
	struct cadb_summary *sum;
	journal_visit_fn extra;
	void *extra_ctx;
};

/* Where the key is, from an init or a migrate record (the same fields). */
static void
sum_key_store(const struct jrecord *r, struct cadb_summary *s)
{
	copy_field(r, "store", s->store, sizeof s->store);
	copy_field(r, "key_file_sha256", s->key_file_sha256,
	    sizeof s->key_file_sha256);
	copy_field(r, "key_uri", s->key_uri, sizeof s->key_uri);
	copy_field(r, "module", s->module, sizeof s->module);
	copy_field(r, "token_label", s->token_label, sizeof s->token_label);
	copy_field(r, "token_serial", s->token_serial, sizeof s->token_serial);
	copy_field(r, "token_backed_up", s->token_backed_up,
	    sizeof s->token_backed_up);
	s->token_backup_time = r->time;
	copy_field(r, "key_origin", s->key_origin, sizeof s->key_origin);
}

/* Record 1: the root, its key and the CA's settings. */
static int
sum_init(const struct jrecord *r, struct cadb_summary *s)
{
	if (r->seq != 1)
		return err_set(OR_E_CORRUPT, "journal: a second init record "
		    "at %llu", (unsigned long long)r->seq);
	s->initialised = true;
	copy_field(r, "root_sha256", s->root_sha256, sizeof s->root_sha256);
	copy_field(r, "root_file_sha256", s->root_file_sha256,
	    sizeof s->root_file_sha256);
	sum_key_store(r, s);
	copy_field(r, "key_type", s->key_type, sizeof s->key_type);
	copy_field(r, "kdf", s->kdf, sizeof s->kdf);
	copy_field(r, "profile", s->profile, sizeof s->profile);
	copy_field(r, publish_field(PUBLISH_CRL_URL), s->crl_url,
	    sizeof s->crl_url);
	copy_field(r, publish_field(PUBLISH_CA_ISSUERS_URL),
	    s->ca_issuers_url, sizeof s->ca_issuers_url);
	s->created = r->time;
	return OR_OK;
}

/* The root's certificate over time: renew-root (a new certificate for the
 * same key and subject, renew.h) and a rollover either way (rollover.h). */
static void
sum_root(const struct jrecord *r, struct cadb_summary *s)
{
	if (strcmp(r->type, "renew-root") == 0) {
		s->renewals++;
		s->renewed_seq = r->seq;
		copy_field(r, "previous_sha256", s->root_prev_sha256,
		    sizeof s->root_prev_sha256);
		copy_field(r, "previous_file", s->root_prev_file,
		    sizeof s->root_prev_file);
		copy_field(r, "previous_file_sha256", s->root_prev_file_sha256,
		    sizeof s->root_prev_file_sha256);
		copy_field(r, "root_sha256", s->root_sha256,
		    sizeof s->root_sha256);
		copy_field(r, "root_file_sha256", s->root_file_sha256,
		    sizeof s->root_file_sha256);
	} else if (strcmp(r->type, "rollover") == 0) {
		/* This root certified its successor. */
		copy_field(r, "new_root_sha256", s->rolled_to_sha256,
		    sizeof s->rolled_to_sha256);
		copy_field(r, "new_subject", s->rolled_to_subject,
		    sizeof s->rolled_to_subject);
		copy_field(r, "new_dir", s->rolled_to_dir,
		    sizeof s->rolled_to_dir);
		s->rolled_time = r->time;
	} else {	/* rollover-from */
		copy_field(r, "old_root_sha256", s->rolled_from_sha256,
		    sizeof s->rolled_from_sha256);
		copy_field(r, "old_subject", s->rolled_from_subject,
		    sizeof s->rolled_from_subject);
	}
}

/* offroot set: the new value of one publication point. */
static int
sum_set(const struct jrecord *r, struct cadb_summary *s)
{
	enum publish_point pt;
	const char *v = jrecord_get(r, "name");

	if (v == NULL || !publish_parse_name(v, &pt) ||
	    jrecord_get(r, "value") == NULL)
		return err_set(OR_E_CORRUPT, "journal: set record %llu names "
		    "no known setting", (unsigned long long)r->seq);
	copy_field(r, "value", pt == PUBLISH_CRL_URL ? s->crl_url :
	    s->ca_issuers_url, pt == PUBLISH_CRL_URL ? sizeof s->crl_url :
	    sizeof s->ca_issuers_url);
	return OR_OK;
}

/* The key's life after init: re-sealed under new shares, moved into a
 * token (migrate.h: from then on the store is the token, as after a token
 * init), backed up by the token's vendor. */
static void
sum_key(const struct jrecord *r, struct cadb_summary *s)
{
	if (strcmp(r->type, "reshare") == 0) {
		copy_field(r, "key_file_sha256", s->key_file_sha256,
		    sizeof s->key_file_sha256);
	} else if (strcmp(r->type, "migrate") == 0) {
		sum_key_store(r, s);
		snprintf(s->kdf, sizeof s->kdf, "none");
		s->migrated = r->seq;
	} else {	/* token-backup */
		copy_field(r, "backed_up", s->token_backed_up,
		    sizeof s->token_backed_up);
		s->token_backup_time = r->time;
	}
}

/* The highest CRL number signed, and that CRL's nextUpdate. */
static void
sum_crl(const struct jrecord *r, struct cadb_summary *s)
{
	const char *v = jrecord_get(r, "number");
	unsigned long long n = v != NULL ? strtoull(v, NULL, 10) : 0;

	if (!s->has_crl || n >= s->crl_number) {
		s->crl_number = n;
		s->crl_next_update = field_time(r, "next_update");
	}
	s->has_crl = true;
}

static bool
type_is(const struct jrecord *r, const char *a, const char *b,
    const char *c)
{
	return strcmp(r->type, a) == 0 || (b != NULL &&
	    strcmp(r->type, b) == 0) || (c != NULL && strcmp(r->type, c) == 0);
}

static int
summarise(const struct jrecord *r, void *vctx)
{
	struct scan_ctx *ctx = vctx;
	struct cadb_summary *s = ctx->sum;
	const char *v;
	int rc = OR_OK;

	s->records = r->seq;
	s->last_record = r->time;
	if (r->seq == 1 && strcmp(r->type, "init") != 0)
		return err_set(OR_E_CORRUPT, "journal: record 1 is \"%s\", "
		    "not init", r->type);
	if (strcmp(r->type, "init") == 0)
		rc = sum_init(r, s);
	else if (type_is(r, "renew-root", "rollover", "rollover-from"))
		sum_root(r, s);
	else if (strcmp(r->type, "set") == 0)
		rc = sum_set(r, s);
	else if (type_is(r, "reshare", "migrate", "token-backup"))
		sum_key(r, s);
	else if (strcmp(r->type, "crl") == 0)
		sum_crl(r, s);
	else if (strcmp(r->type, "transcript") == 0)
		s->transcripts++;
	else if (strcmp(r->type, "key-check") == 0)
		s->key_checks++;
	else if (strcmp(r->type, "issue") == 0)
		s->issued++;
	else if (strcmp(r->type, "recover") == 0) {
		s->recovered++;
		v = jrecord_get(r, "action");
		s->quarantined += v != NULL && strcmp(v, "quarantine") == 0;
	}
	if (rc != OR_OK)
		return rc;
	if (ctx->extra != NULL)
		return ctx->extra(r, ctx->extra_ctx);
	return OR_OK;
}

static int
check_dir(const char *dir, char *jpath, size_t size)
{
	int rc;

	if ((rc = cadb_path(dir, CADB_JOURNAL, jpath, size)) != OR_OK)
		return rc;
	if (access(dir, F_OK) == -1)
		return err_errno(OR_E_INPUT, "CA directory %s", dir);
	if (access(jpath, F_OK) == -1)
		return err_set(OR_E_INPUT, "%s is not a CA directory (no "
		    "journal)", dir);
	return OR_OK;
}

static int
check_initialised(const char *dir, const struct cadb_summary *sum)
{
	if (!sum->initialised)
		return err_set(OR_E_CORRUPT, "%s: the journal has no init "
		    "record (creation did not finish)", dir);
	return OR_OK;
}

int
cadb_scan(const char *dir, struct cadb_summary *sum, journal_visit_fn extra,
    void *extra_ctx)
{
	struct scan_ctx ctx = { sum, extra, extra_ctx };
	char jpath[PATH_MAX];
	int rc;

	memset(sum, 0, sizeof *sum);
	if ((rc = check_dir(dir, jpath, sizeof jpath)) != OR_OK)
		return rc;
	if ((rc = journal_scan(jpath, summarise, &ctx)) != OR_OK)
		return rc;
	return check_initialised(dir, sum);
}

int
cadb_open(const char *dir, struct cadb **out)
{
	return cadb_open_visit(dir, NULL, NULL, out);
}

int
cadb_open_visit(const char *dir, journal_visit_fn extra, void *extra_ctx,
    struct cadb **out)
{
	struct cadb *db;
	struct scan_ctx ctx;
	char jpath[PATH_MAX];
	int rc;

	*out = NULL;
	if ((rc = check_dir(dir, jpath, sizeof jpath)) != OR_OK)
		return rc;
	if ((db = calloc(1, sizeof *db)) == NULL)
		return err_set(OR_E_NOMEM, "out of memory");
	snprintf(db->dir, sizeof db->dir, "%s", dir);
	ctx.sum = &db->sum;
	ctx.extra = extra;
	ctx.extra_ctx = extra_ctx;
	if ((rc = journal_open(jpath, summarise, &ctx, &db->journal)) != OR_OK ||
	    (rc = check_initialised(dir, &db->sum)) != OR_OK) {
		cadb_close(db);
		return rc;
	}
	*out = db;
	return OR_OK;
}

int
cadb_append(struct cadb *db, const char *type, const struct jfields *f)
{
	int rc;

	if ((rc = journal_append_fields(db->journal, type, f, NULL)) != OR_OK)
		return err_context(rc, "%s: recording %s", db->dir, type);
	db->sum.records = journal_seq(db->journal);
	return OR_OK;
}

void
cadb_close(struct cadb *db)
{
	if (db == NULL)
		return;
	if (db->journal != NULL)
		journal_close(db->journal);
	free(db);
}

int
cadb_head(const char *dir, uint64_t *seq, unsigned char hash[32])
{
	char jpath[PATH_MAX];
	int rc;

	if ((rc = check_dir(dir, jpath, sizeof jpath)) != OR_OK)
		return rc;
	return journal_peek_head(jpath, seq, hash);
}

void
cadb_head_text(const unsigned char hash[32],
    char hex[2 * CADB_HEAD_LEN + 1], char words[CADB_HEAD_WORDS_MAX])
{
	hex_encode(hash, CADB_HEAD_LEN, hex);
	if (pgpwords_render(hash, CADB_HEAD_LEN, words,
	    CADB_HEAD_WORDS_MAX) == 0)
		words[0] = '\0';
}

int
load_cert_file(const char *path, X509 **out)
{
	unsigned char *data = NULL;
	const unsigned char *p;
	size_t len;
	BIO *bio = NULL;
	int rc;

	*out = NULL;
	if ((rc = file_read(path, FILE_MAX_INPUT, &data, &len)) != OR_OK)
		return rc;
	p = data;
	if (len > 0 && data[0] == 0x30) {
		*out = d2i_X509(NULL, &p, (long)len);
		if (*out != NULL && p != data + len) {
			X509_free(*out);
			*out = NULL;
		}
	} else if ((bio = BIO_new_mem_buf(data, (int)len)) != NULL) {
		*out = PEM_read_bio_X509(bio, NULL, NULL, NULL);
	}
	BIO_free(bio);
	free(data);
	if (*out == NULL)
		return err_openssl(OR_E_INPUT, "%s: not a certificate", path);
	return OR_OK;
}

int
cadb_load_root(const char *dir, const struct cadb_summary *sum, X509 **out)
{
	unsigned char md[SHA256_LEN];
	char path[PATH_MAX], hex[65];
	int rc;

	*out = NULL;
	if ((rc = cadb_path(dir, CADB_ROOT_CERT, path, sizeof path)) != OR_OK)
		return rc;
	if ((rc = load_cert_file(path, out)) != OR_OK)
		return rc;
	if ((rc = cert_sha256(*out, md)) != OR_OK)
		goto fail;
	hex_encode(md, sizeof md, hex);
	if (sum->renewals > 0 && strcmp(hex, sum->root_prev_sha256) == 0) {
		rc = err_set(OR_E_CORRUPT, "%s is still the root certificate "
		    "that the renewal of journal record %llu replaced: that "
		    "renew-root was interrupted; the next command that takes "
		    "the lock (offroot check-key -d %s, for one) finishes it",
		    path, (unsigned long long)sum->renewed_seq, dir);
		goto fail;
	}
	if (strcmp(hex, sum->root_sha256) != 0) {
		rc = err_set(OR_E_CORRUPT, "%s is not the root certificate the "
		    "journal records (SHA-256 %s, journal says %s)", path, hex,
		    sum->root_sha256);
		goto fail;
	}
	return OR_OK;
fail:
	X509_free(*out);
	*out = NULL;
	return rc;
}

/* Opens the CA's key store (asks for the passphrase) and proves that it
 * holds the private half of the root certificate. */
/*
 * A key on a token: DIR/root.key.uri must be the file the init record
 * names before the module it names is loaded (loading a module runs its
 * code), then the token asks for its PIN through io.
 */
static int
unlock_token(struct cadb *db, X509 *root, struct interact *io,
    struct keystore **out)
{
	struct pkcs11_ref ref;
	unsigned char *buf = NULL, md[SHA256_LEN];
	char path[PATH_MAX], hex[65];
	size_t len = 0;
	int rc;

	if ((rc = cadb_path(db->dir, CADB_KEY_URI, path, sizeof path)) !=
	    OR_OK || (rc = file_read(path, PKCS11_REF_MAX, &buf, &len)) !=
	    OR_OK)
		return rc;
	if ((rc = sha256(buf, len, md)) != OR_OK)
		goto out;
	hex_encode(md, sizeof md, hex);
	if (strcmp(hex, db->sum.key_file_sha256) != 0) {
		rc = err_set(OR_E_CORRUPT, "%s is not the key reference the "
		    "journal records; refusing to load the module it names",
		    path);
		goto out;
	}
	if ((rc = pkcs11_ref_parse(buf, len, &ref)) != OR_OK) {
		rc = err_context(rc, "%s", path);
		goto out;
	}
	if ((rc = pkcs11_open(ref.module[0] != '\0' ? ref.module : NULL,
	    ref.uri, NULL, io, out)) != OR_OK)
		goto out;
	if ((rc = keystore_prove(*out, X509_get0_pubkey(root))) != OR_OK) {
		keystore_close(*out);
		*out = NULL;
	}
out:
	free(buf);
	return rc;
}

/* Whether a key file digest is one the journal recorded before (init or
 * an earlier reshare). */
struct older_key {
	const char *hex;
	uint64_t seq;
};

static int
older_key_visit(const struct jrecord *r, void *vctx)
{
	struct older_key *ok = vctx;
	const char *v;

	if ((strcmp(r->type, "init") == 0 || strcmp(r->type, "reshare") == 0)
	    && (v = jrecord_get(r, "key_file_sha256")) != NULL &&
	    strcmp(v, ok->hex) == 0)
		ok->seq = r->seq;
	return OR_OK;
}

/*
 * The sealed key file opened but is not the one the journal records last.
 * One the journal recorded earlier is an older copy put back (the shares
 * a reshare retired open it): refused.  One it never recorded is what a
 * reshare interrupted between replacing the key file and recording it
 * leaves: a warning, so that the officers can reshare again and record it.
 */
static int
unlock_key_file_unrecorded(struct cadb *db, const char *path,
    const char *hex, struct interact *io)
{
	struct cadb_summary tmp;
	struct older_key ok = { hex, 0 };
	int rc;

	if ((rc = cadb_scan(db->dir, &tmp, older_key_visit, &ok)) != OR_OK)
		return rc;
	if (ok.seq != 0)
		return err_set(OR_E_CORRUPT, "%s opens, but it is not the key "
		    "file the journal records: it is the older one of journal "
		    "record %llu, from before a reshare; restore the current "
		    "key file", path, (unsigned long long)ok.seq);
	interact_say(io, SAY_WARN, "%s is not the key file the journal "
	    "records (SHA-256 %.16s..., the journal's is %.16s...): a reshare "
	    "interrupted before its record?  Run offroot reshare again to "
	    "record a share set; offroot audit refuses the CA until then",
	    path, hex, db->sum.key_file_sha256);
	return OR_OK;
}

/* The passphrase of a key sealed under one: asked again when wrong, up to
 * INTERACT_TRIES times (once from a file: fixed_secrets). */
static int
unlock_sealed(const char *path, struct interact *io, struct keystore **out)
{
	struct secret *pass = NULL;
	char prompt[128] = "Passphrase for the root key";
	int t, rc = OR_OK;

	for (t = 1; t <= INTERACT_TRIES; t++) {
		if ((rc = io->ask_secret(io, prompt, false, &pass)) != OR_OK)
			return rc;
		io->progress(io, "Unlocking the root key (Argon2id)", -1);
		rc = sealed_open(path, pass, out);
		io->progress(io, NULL, 1);
		secret_free(pass);
		pass = NULL;
		if (rc != OR_E_AUTH || io->fixed_secrets)
			return rc;
		/* In the prompt: a face may cover what was said with it. */
		snprintf(prompt, sizeof prompt, "Wrong passphrase, %d tr%s "
		    "left. Passphrase for the root key", INTERACT_TRIES - t,
		    INTERACT_TRIES - t == 1 ? "y" : "ies");
	}
	return err_set(OR_E_AUTH, "wrong passphrase %d times (or the key "
	    "file was altered); nothing was unlocked", INTERACT_TRIES);
}

int
cadb_unlock(struct cadb *db, X509 *root, struct interact *io,
    struct keystore **out)
{
	struct sealed_info info;
	struct secret *pass = NULL;
	unsigned char *img = NULL;
	char path[PATH_MAX], shpath[PATH_MAX], hex[65];
	size_t len = 0;
	int rc;

	*out = NULL;
	if (strcmp(db->sum.store, "pkcs11") == 0)
		return unlock_token(db, root, io, out);
	if (strcmp(db->sum.store, "sealed") != 0)
		return err_set(OR_E_ENV, "%s: key store \"%s\" is not "
		    "supported by this build", db->dir, db->sum.store);
	if ((rc = cadb_path(db->dir, CADB_SEALED_KEY, path, sizeof path))
	    != OR_OK)
		return rc;
	if ((rc = sealed_info(path, &info)) != OR_OK ||
	    (rc = file_sha256_hex(path, hex)) != OR_OK)
		return rc;
	if (info.quorum_n != 0) {
		/* M-of-N officer shares (share.h). */
		if ((rc = file_read(path, 65536, &img, &len)) != OR_OK)
			return rc;
		rc = share_quorum_open(img, len, io, out);
		free(img);
		if (rc != OR_OK)
			return err_context(rc, "%s", path);
	} else {
		if (io->share != NULL && io->share(io, 0, shpath,
		    sizeof shpath, &pass) != OR_E_CANCEL) {
			secret_free(pass);
			return err_set(OR_E_USAGE, "%s is sealed under one "
			    "passphrase: --share is for a key sealed under "
			    "officer shares", path);
		}
		err_clear();
		if ((rc = unlock_sealed(path, io, out)) != OR_OK)
			return rc;
	}
	/* It opened; it must also be the key file the journal names last
	 * (init or reshare), not an older copy that retired shares open. */
	if (db->sum.key_file_sha256[0] != '\0' &&
	    strcmp(hex, db->sum.key_file_sha256) != 0)
		rc = unlock_key_file_unrecorded(db, path, hex, io);
	if (rc == OR_OK)
		rc = keystore_prove(*out, X509_get0_pubkey(root));
	if (rc != OR_OK) {
		keystore_close(*out);
		*out = NULL;
	}
	return rc;
}
