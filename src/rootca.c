/*
 * rootca.c — creating a root CA (rootca.h): the engine behind `offroot
 * init` and the root-creation ceremony.  rootca_create runs eight steps in
 * a fixed order (the ceremonies and their scripts depend on it): refuse
 * what can be refused before any key exists (target, profile, subject, a
 * lint rehearsal with a throwaway key, the passphrases), stage the CA
 * directory beside its final place, make the key, make and lint the
 * certificate, seal the key (or write the token reference) and prove it
 * opens, write root.crt and the profiles, open the journal and seal the
 * transcript, and only then rename the directory into place.  A failure
 * leaves nothing behind: no directory, no share files, no token key.  A
 * kill leaves the staging folder; the next run finds it (leftover.c) and
 * goes no further until the officers keep or wipe it.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/pem.h>
#include <openssl/x509.h>

#include "cadb.h"
#include "dn.h"
#include "err.h"
#include "fileio.h"
#include "issue.h"
#include "journal.h"
#include "lint.h"
#include "pkcs11.h"
#include "profile.h"
#include "publish.h"
#include "rootca.h"
#include "secret.h"
#include "share.h"
#include "transcript.h"
#include "util.h"

#define MIN_PASSPHRASE	8

/* The target must not exist, or be an empty folder. */
static int
check_target(const char *dir, bool *exists)
{
	struct dirent *de;
	struct stat st;
	DIR *d;

	*exists = false;
	if (lstat(dir, &st) == -1) {
		if (errno == ENOENT)
			return OR_OK;
		return err_errno(OR_E_IO, "%s", dir);
	}
	if (!S_ISDIR(st.st_mode))
		return err_set(OR_E_EXISTS, "%s exists and is not a folder",
		    dir);
	if ((d = opendir(dir)) == NULL)
		return err_errno(OR_E_IO, "%s", dir);
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 &&
		    strcmp(de->d_name, "..") != 0) {
			closedir(d);
			return err_set(OR_E_EXISTS, "%s exists and is not "
			    "empty; refusing to create a CA there", dir);
		}
	closedir(d);
	*exists = true;
	return OR_OK;
}

/* Removes a staging folder we created (files one level down, two
 * sub-folders); used only on failure. */
static void
remove_staging(const char *stage)
{
	static const char *const subs[] = { CADB_TRANSCRIPTS, CADB_CRLS,
	    CADB_ISSUED, "." };
	char sub[PATH_MAX], path[PATH_MAX];
	struct dirent *de;
	size_t i;
	DIR *d;

	for (i = 0; i < nitems(subs); i++) {
		if (file_join(sub, sizeof sub, stage, subs[i]) != OR_OK ||
		    (d = opendir(sub)) == NULL)
			continue;
		while ((de = readdir(d)) != NULL) {
			if (de->d_name[0] == '.' && (de->d_name[1] == '\0' ||
			    strcmp(de->d_name, "..") == 0))
				continue;
			if (file_join(path, sizeof path, sub, de->d_name) ==
			    OR_OK)
				unlink(path);
		}
		closedir(d);
		if (i + 1 < nitems(subs))
			rmdir(sub);
	}
	rmdir(stage);
}

/* The staging folder, made and locked (flock, held until the process
 * ends or *fd is closed): a concurrent init's leftover_find passes it by,
 * a kill releases it. */
static int
make_staging(const char *dir, char *stage, size_t size, int *fd)
{
	char parent[PATH_MAX], sub[PATH_MAX];
	const char *base;
	int n, rc;

	file_dirname(dir, parent, sizeof parent);
	base = strrchr(dir, '/');
	base = base != NULL ? base + 1 : dir;
	if (*base == '\0')
		return err_set(OR_E_USAGE, "give the CA directory without a "
		    "trailing slash");
	n = snprintf(stage, size, "%s/.%s.offroot-init-XXXXXX", parent, base);
	if (n < 0 || (size_t)n >= size)
		return err_set(OR_E_INPUT, "path too long: %s", dir);
	if (mkdtemp(stage) == NULL)
		return err_errno(OR_E_IO, "cannot create a folder beside %s",
		    dir);
	if ((*fd = open(stage, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1 ||
	    flock(*fd, LOCK_EX | LOCK_NB) == -1) {
		rc = err_errno(OR_E_IO, "locking %s", stage);
		remove_staging(stage);
		return rc;
	}
	if ((rc = file_join(sub, sizeof sub, stage, CADB_TRANSCRIPTS)) != OR_OK ||
	    (rc = file_mkdir(sub, 0755)) != OR_OK ||
	    (rc = file_join(sub, sizeof sub, stage, CADB_CRLS)) != OR_OK ||
	    (rc = file_mkdir(sub, 0755)) != OR_OK ||
	    (rc = file_join(sub, sizeof sub, stage, CADB_ISSUED)) != OR_OK ||
	    (rc = file_mkdir(sub, 0755)) != OR_OK) {
		remove_staging(stage);
		return rc;
	}
	return OR_OK;
}

static int
copy_profiles(const char *src, const char *stage, char hash[65])
{
	unsigned char *data = NULL;
	char path[PATH_MAX];
	size_t len;
	int rc;

	if (src != NULL) {
		if ((rc = file_read(src, 1u << 20, &data, &len)) != OR_OK)
			return rc;
	} else {
		len = strlen(profile_builtin_text);
		if ((data = malloc(len + 1)) == NULL)
			return err_set(OR_E_NOMEM, "out of memory");
		memcpy(data, profile_builtin_text, len + 1);
	}
	if ((rc = file_join(path, sizeof path, stage, CADB_PROFILES)) == OR_OK &&
	    (rc = file_write_new(path, data, len, 0644)) == OR_OK)
		rc = file_sha256_hex(path, hash);
	free(data);
	return rc;
}

/*
 * Builds and lints the root certificate with a throwaway key of the type
 * the root will have, before the real key exists: a profile or subject the
 * linter refuses never reaches a token, a passphrase prompt or a key
 * generation.  (Boulder's ceremony tool lints with a throwaway key for the
 * same reason.)  The real certificate is linted again before and after it
 * is signed.  RSA rehearses with a 2048-bit key: the profile's extensions,
 * names and dates do not depend on the modulus size, and the size itself
 * was checked against the profile's key_types.
 */
static int
lint_rehearsal(enum keytype t, X509_NAME *subject, const struct profile *prof,
    long days)
{
	struct issue_request req;
	struct lint_report lint;
	EVP_PKEY *k = NULL;
	X509 *tbs = NULL;
	int rc;

	switch (t) {
	case KT_EC_P256:
		k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
		break;
	case KT_EC_P384:
		k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384");
		break;
	case KT_RSA_3072:
	case KT_RSA_4096:
		k = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
		break;
	case KT_ED25519:
		k = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
		break;
	default:
		return OR_OK;	/* adopting a token key: its type is not known yet */
	}
	if (k == NULL)
		return err_openssl(OR_E_CRYPTO, "making a throwaway key");
	memset(&req, 0, sizeof req);
	req.subject = subject;
	req.subject_key = k;
	req.issuer_key = k;
	req.issuer_type = t;
	req.profile = prof;
	req.days = days;
	if ((rc = issue_build(&req, &tbs)) == OR_OK &&
	    (rc = issue_lint(tbs, NULL, prof, &lint)) != OR_OK)
		rc = err_context(rc, "before the key is made");
	X509_free(tbs);
	EVP_PKEY_free(k);
	return rc;
}

/* The root key on a PKCS#11 token: generated there, or an existing key
 * pair adopted (pkcs11.h). */
static int
token_key(const struct rootca_params *p, const struct profile *prof,
    struct interact *io, struct transcript *tr, struct keystore **ks)
{
	const struct pkcs11_keyinfo *ki;
	/* The token must be able to make the root's RSA-PSS signature
	 * before it makes a key or signs anything (an adopted key's type is
	 * known only on the token: RSA's digest). */
	const char *pss = !prof->pss ? NULL : issue_digest(prof,
	    p->key_uri != NULL ? KT_RSA_4096 : p->key_type);
	int rc;

	if (p->key_uri != NULL)
		rc = pkcs11_open(p->module, p->key_uri, pss, io, ks);
	else
		rc = pkcs11_generate(p->module, p->token_uri, p->label,
		    p->key_type, pss, io, ks);
	if (rc != OR_OK)
		return rc;
	ki = pkcs11_info(*ks);
	if (p->key_uri != NULL) {
		if (p->key_type != KT_NONE && (*ks)->type != p->key_type)
			return err_set(OR_E_INPUT, "%s is a %s key, not %s",
			    p->key_uri, keytype_name((*ks)->type),
			    keytype_name(p->key_type));
		if ((prof->key_types & (1u << (*ks)->type)) == 0)
			return err_set(OR_E_POLICY, "profile %s does not allow "
			    "%s keys", prof->name, keytype_name((*ks)->type));
		if ((*ks)->type == KT_ED25519 && p->key_type == KT_NONE)
			rootca_warn_ed25519(io, prof);
		if (prof->pss && (*ks)->type != KT_RSA_3072 &&
		    (*ks)->type != KT_RSA_4096)
			return err_set(OR_E_POLICY, "profile %s signs with "
			    "RSA-PSS (signature = pss), which needs an RSA root "
			    "key, not %s", prof->name,
			    keytype_name((*ks)->type));
		if (ki->extractable || !ki->sensitive)
			interact_say(io, SAY_WARN, "the adopted key is %s: its "
			    "private half can leave the token", ki->extractable ?
			    "EXTRACTABLE" : "not sensitive");
		else
			interact_say(io, SAY_INFO, "the adopted key is sensitive "
			    "and %s", ki->never_extractable ? "has never been "
			    "extractable" : "not extractable (but was once)");
		if (ki->can_decrypt || ki->can_derive || ki->can_unwrap)
			interact_say(io, SAY_WARN, "the adopted key's private "
			    "half may %s, not only sign", ki->usage);
	} else
		interact_say(io, SAY_INFO, "the key generated on token \"%s\" "
		    "may %s; it is sensitive and %s", ki->token_label, ki->usage,
		    ki->never_extractable ? "has never been extractable" :
		    "not extractable");
	{
		struct jfields f;

		jf_init(&f);
		jf_add(&f, "origin",
		    ki->generated ? "generated on the token" : "adopted");
		jf_add(&f, "key_uri", ki->uri);
		jf_add(&f, "module", ki->module);
		jf_add(&f, "token_label", ki->token_label);
		jf_add(&f, "token_serial", ki->token_serial);
		jf_add(&f, "token_manufacturer", ki->token_manufacturer);
		jf_add(&f, "token_model", ki->token_model);
		jf_add(&f, "sensitive", ki->sensitive ? "yes" : "no");
		jf_add(&f, "extractable", ki->extractable ? "yes" : "no");
		jf_add(&f, "never_extractable",
		    ki->never_extractable ? "yes" : "no");
		jf_add(&f, "usage", ki->usage);
		return transcript_add(tr, "token-key", &f);
	}
}

/* Writes DIR/root.key.uri, proves the token key is the certificate's,
 * and records the operator's word on the token's backup. */
static int
token_ref(const char *stage, struct keystore *ks, X509 *cert,
    struct interact *io, struct transcript *tr, char keyfile[65],
    struct rootca_result *res)
{
	const struct pkcs11_keyinfo *ki = pkcs11_info(ks);
	char path[PATH_MAX], *q = res->token_backup_question, *text = NULL;
	size_t len = 0, qsize = sizeof res->token_backup_question;
	bool yes = false;
	int rc;

	if ((rc = pkcs11_ref_format(ki, &text, &len)) != OR_OK ||
	    (rc = file_join(path, sizeof path, stage, CADB_KEY_URI)) != OR_OK ||
	    (rc = file_write_new(path, text, len, 0644)) != OR_OK ||
	    (rc = file_sha256_hex(path, keyfile)) != OR_OK)
		goto out;
	if ((rc = keystore_prove(ks, X509_get0_pubkey(cert))) != OR_OK)
		goto out;
	/* offroot cannot copy a non-extractable key: backing it up is the
	 * token vendor's procedure, and the operator's word on it is part
	 * of the record. */
	snprintf(q, qsize, "The root key exists only on token \"%s\" and "
	    "offroot cannot copy it. Has it been backed up by the token "
	    "vendor's procedure?", ki->token_label);
	if ((rc = io->confirm(io, q, &yes)) != OR_OK)
		goto out;
	res->token_backed_up = yes;
	{
		struct jfields f;

		jf_init(&f);
		jf_add(&f, "question", q);
		jf_add(&f, "operator_confirmed", yes ? "yes" : "no");
		if ((rc = transcript_add(tr, "token-backup", &f)) != OR_OK)
			goto out;
	}
	if (!yes)
		interact_say(io, SAY_WARN, "recorded that the token key is NOT "
		    "backed up: losing the token loses the root");
out:
	free(text);
	return rc;
}

/* Removes a key generated on a token for a root that was not created,
 * keeping the error that stopped the creation. */
static void
token_discard(struct keystore *ks, struct interact *io, int rc)
{
	char saved[1024];

	if (pkcs11_info(ks) == NULL)
		return;
	snprintf(saved, sizeof saved, "%s", err_msg(rc));
	if (pkcs11_discard(ks) != OR_OK)
		interact_say(io, SAY_WARN, "%s", err_msg(OR_E_ENV));
	err_set(rc, "%s", saved);
}

/* A quorum: its refusals, then each officer's passphrase in turn. */
static int
quorum_prepare(const struct rootca_params *p, struct interact *io,
    struct secret **opass)
{
	struct stat st;
	size_t i;

	if (p->pkcs11)
		return err_set(OR_E_USAGE, "a quorum is for a sealed key file; "
		    "a token has its own access control");
	if (p->quorum_m < 1 || p->quorum_m > p->quorum_n ||
	    p->quorum_n > SEALED_QUORUM_MAX_N)
		return err_set(OR_E_USAGE, "--quorum %u/%u: expected 1 <= M <= "
		    "N <= %d", p->quorum_m, p->quorum_n, SEALED_QUORUM_MAX_N);
	if (p->nshare_dirs != 1 && p->nshare_dirs != p->quorum_n)
		return err_set(OR_E_USAGE, "give --share-dir once (every share "
		    "file in one folder) or %u times, one per officer",
		    p->quorum_n);
	for (i = 0; i < p->nshare_dirs; i++)
		if (stat(p->share_dirs[i], &st) == -1 || !S_ISDIR(st.st_mode))
			return err_set(OR_E_INPUT, "--share-dir %s is not a "
			    "folder (insert and mount officer %zu's media)",
			    p->share_dirs[i], i + 1);
	share_quorum_warn(io, p->quorum_m, p->quorum_n, p->nshare_dirs);
	return share_ask_passphrases(io, p->quorum_n, MIN_PASSPHRASE, opass);
}

int
rootca_record_shares(const struct share_quorum *q, struct transcript *tr,
    struct interact *io)
{
	char set[33], m[12], n[12], x[12], md[65];
	unsigned i;
	int rc;

	hex_encode(q->set_id, sizeof q->set_id, set);
	snprintf(m, sizeof m, "%u", q->m);
	snprintf(n, sizeof n, "%u", q->n);
	for (i = 0; i < q->n; i++) {
		struct jfields f;

		snprintf(x, sizeof x, "%u", i + 1);
		hex_encode(q->digest[i], sizeof q->digest[i], md);
		jf_init(&f);
		jf_add(&f, "share_set", set);
		jf_add(&f, "quorum_m", m);
		jf_add(&f, "quorum_n", n);
		jf_add(&f, "share", x);
		jf_add(&f, "file", q->path[i]);
		jf_add(&f, "file_sha256", md);
		if ((rc = transcript_add(tr, "share-written", &f)) != OR_OK)
			return rc;
		interact_say(io, SAY_INFO, "officer %u's share: %s", i + 1,
		    q->path[i]);
	}
	return OR_OK;
}

/*
 * rootca_create's state, shared by its eight steps.  Each step fills what
 * the later ones use; ctx_free is the one exit, on success and failure
 * alike: it undoes a staged creation that failed (the token key, the
 * staging folder, the share files) and then wipes and frees every secret
 * and key.
 */
struct rootca_ctx {
	const struct rootca_params *p;
	struct interact *io;
	struct rootca_result *res;
	/* 1. the inputs */
	struct profile prof;
	bool loaded;			/* prof holds a loaded profile */
	X509_NAME *subject;
	char subj_text[1024];
	char mixed_how[64];		/* the mixed-scripts override, or "" */
	bool exists;			/* the target is an empty folder */
	struct secret *pass;		/* one passphrase ... */
	struct secret *opass[SEALED_QUORUM_MAX_N];	/* ... or the officers' */
	/* 2. the staging folder and the init transcript in it */
	struct leftover_set lo;		/* what an interrupted init left */
	char stage[PATH_MAX];
	int stage_fd;			/* holds the lock on stage */
	bool staged;			/* stage is ours to remove on failure */
	struct transcript *tr;
	/* 3. the key */
	struct keystore *ks;
	char pkhex[65];
	/* 4. the certificate */
	X509 *tbs, *cert;
	char fphex[65], serial_hex[64], nb_text[24], na_text[24];
	/* 5. the key file: sealed (with its check) or a token reference */
	struct keystore *check;
	struct share_quorum *qs;
	char setid[33];
	char keyfile[65];
	/* 6. root.crt and profiles.cnf */
	char rootfile[65], profhash[65];
	/* 7. the journal */
	struct journal *j;
};

void
rootca_warn_ed25519(struct interact *io, const struct profile *prof)
{
	interact_say(io, SAY_WARN, "profile %s makes an Ed25519 root: OpenSSL, "
	    "GnuTLS, Go's crypto/x509 and etcd verify it, but common OCSP "
	    "and PKI libraries do not (Go's x/crypto/ocsp, pkijs), and no "
	    "public trust store accepts it; choose ec-p384 unless every "
	    "relying party is known", prof->name);
}

/* 1a. The profile must allow this root: a CA profile, the key type, the
 * signature scheme, the validity. */
static int
check_profile(struct rootca_ctx *c)
{
	const struct rootca_params *p = c->p;
	int rc;

	if ((rc = profile_load(p->profiles_file, p->profile_name != NULL ?
	    p->profile_name : "root", &c->prof)) != OR_OK)
		return rc;
	c->loaded = true;
	if (!c->prof.is_ca)
		return err_set(OR_E_POLICY, "profile %s is not a CA profile",
		    c->prof.name);
	if (p->key_type != KT_NONE &&
	    (c->prof.key_types & (1u << p->key_type)) == 0)
		return err_set(OR_E_POLICY, "profile %s does not allow %s keys",
		    c->prof.name, keytype_name(p->key_type));
	/* RSA-PSS needs an RSA issuer, and a root issues itself. */
	if (c->prof.pss && p->key_type != KT_NONE &&
	    p->key_type != KT_RSA_3072 && p->key_type != KT_RSA_4096)
		return err_set(OR_E_POLICY, "profile %s signs with RSA-PSS "
		    "(signature = pss), which needs an RSA root key, not %s",
		    c->prof.name, keytype_name(p->key_type));
	if (p->days < 0 || p->days > c->prof.validity_days)
		return err_set(OR_E_POLICY, "--days %ld is longer than profile "
		    "%s allows (%ld)", p->days, c->prof.name,
		    c->prof.validity_days);
	if (p->key_type == KT_ED25519)
		rootca_warn_ed25519(c->io, &c->prof);
	if (profile_backdate(&c->prof, true) > 0) {
		char bd[32];

		profile_backdate_text(profile_backdate(&c->prof, true), bd,
		    sizeof bd);
		interact_say(c->io, SAY_INFO, "profile %s backdates the root's "
		    "notBefore by %s (backdate)", c->prof.name, bd);
	}
	return OR_OK;
}

/* 1b. The secrets that will seal the key: one passphrase, or each
 * officer's for a quorum; none for a token (it asks for its PIN). */
static int
ask_secrets(struct rootca_ctx *c)
{
	const struct rootca_params *p = c->p;

	if (!p->pkcs11 && p->kdf != KDF_SENSITIVE)
		interact_say(c->io, SAY_WARN, "the key file will be sealed with "
		    "the %s Argon2id level, weaker than the default "
		    "(sensitive); this is recorded in the key file",
		    kdf_level_name(p->kdf));
	if (p->quorum_n != 0)
		return quorum_prepare(p, c->io, c->opass);
	if (p->pkcs11)
		return OR_OK;
	/* Too short is refused on the first entry, not after two. */
	return interact_new_secret(c->io, "New passphrase for the root key",
	    MIN_PASSPHRASE, &c->pass);
}

/* A subject that mixes scripts makes a root only on an explicit override
 * (interact_override): --allow-mixed-scripts, or the face's own question. */
static int
check_mixed_scripts(struct rootca_ctx *c)
{
	struct lint_report lint;
	size_t i;
	int rc;

	if ((rc = lint_name(c->subject, "subject", &lint)) != OR_OK)
		return rc;
	for (i = 0; i < lint.n; i++)
		if (strcmp(lint.f[i].code, "w_name_mixed_scripts") == 0 &&
		    (rc = interact_override(c->io, "mixed-scripts",
		    c->p->allow_mixed_scripts, lint.f[i].text, c->mixed_how,
		    sizeof c->mixed_how)) != OR_OK)
			return rc;
	return OR_OK;
}

/* 1. Everything that can be refused is refused before any work. */
static int
check_inputs(struct rootca_ctx *c)
{
	int rc;

	if ((rc = check_target(c->p->dir, &c->exists)) != OR_OK ||
	    (rc = check_profile(c)) != OR_OK)
		return rc;
	if ((rc = dn_parse(c->p->subject, &c->subject)) != OR_OK)
		return err_context(rc, "--subject");
	if ((c->p->crl_url != NULL && *c->p->crl_url != '\0' &&
	    (rc = publish_url_check("crl-url", c->p->crl_url)) != OR_OK) ||
	    (c->p->ca_issuers_url != NULL && *c->p->ca_issuers_url != '\0' &&
	    (rc = publish_url_check("ca-issuers-url", c->p->ca_issuers_url)) !=
	    OR_OK))
		return rc;
	if ((rc = dn_format(c->subject, c->subj_text,
	    sizeof c->subj_text)) != OR_OK ||
	    (rc = lint_rehearsal(c->p->key_type, c->subject, &c->prof,
	    c->p->days)) != OR_OK ||
	    (rc = check_mixed_scripts(c)) != OR_OK)
		return rc;
	/* A second root an interrupted init left: nothing goes on until
	 * the officers decide (leftover.h); it is carried out after the
	 * last refusal, just before the new CA is staged. */
	if ((rc = leftover_find(c->p->dir, &c->lo)) != OR_OK ||
	    (rc = leftover_decide(&c->lo, c->p->leftover, c->io)) != OR_OK)
		return rc;
	return ask_secrets(c);
}

/* The officers' decision on each leftover: in the init transcript, or
 * in the journal right after the init record. */
static int
record_leftovers(struct rootca_ctx *c, bool journal)
{
	struct jfields f;
	size_t i;
	int rc;

	for (i = 0; i < c->lo.n; i++) {
		leftover_fields(&c->lo, i, &f);
		if ((rc = journal ? journal_append_fields(c->j, "init-leftover",
		    &f, NULL) : transcript_add(c->tr, "init-leftover", &f)) !=
		    OR_OK)
			return rc;
	}
	return OR_OK;
}

/* 2. Settle the leftovers, stage the CA directory beside its final place,
 * and open the init transcript there with the parameters. */
static int
stage_dir(struct rootca_ctx *c)
{
	const struct rootca_params *p = c->p;
	struct jfields f;
	int rc;

	if ((rc = leftover_apply(&c->lo, c->io)) != OR_OK ||
	    (rc = make_staging(p->dir, c->stage, sizeof c->stage,
	    &c->stage_fd)) != OR_OK)
		return rc;
	c->staged = true;
	if ((rc = transcript_begin(c->stage, "init", &c->tr)) != OR_OK)
		return rc;
	jf_init(&f);
	jf_add(&f, "subject", c->subj_text);
	jf_add(&f, "key_type", keytype_name(p->key_type));
	jf_add(&f, "store", p->pkcs11 ? "pkcs11" : "sealed");
	jf_add(&f, "kdf", p->pkcs11 ? "none" : kdf_level_name(p->kdf));
	jf_add(&f, "profile", c->prof.name);
	jf_add(&f, "profile_source", c->prof.source);
	if (p->quorum_n != 0)
		jf_addf(&f, "quorum", "%u/%u", p->quorum_m, p->quorum_n);
	if (c->mixed_how[0] != '\0')
		jf_add(&f, "override_mixed_scripts", c->mixed_how);
	if (p->crl_url != NULL && *p->crl_url != '\0')
		jf_add(&f, publish_field(PUBLISH_CRL_URL), p->crl_url);
	if (p->ca_issuers_url != NULL && *p->ca_issuers_url != '\0')
		jf_add(&f, publish_field(PUBLISH_CA_ISSUERS_URL),
		    p->ca_issuers_url);
	if ((rc = transcript_add(c->tr, "parameters", &f)) != OR_OK)
		return rc;
	return record_leftovers(c, false);
}

/* 3. The key: on the token, or generated here to be sealed. */
static int
make_key(struct rootca_ctx *c)
{
	unsigned char pkfp[32];
	struct jfields f;
	int rc;

	if (c->p->pkcs11)
		rc = token_key(c->p, &c->prof, c->io, c->tr, &c->ks);
	else {
		c->io->progress(c->io, "Generating the root key", -1);
		rc = sealed_generate(c->p->key_type, &c->ks);
		c->io->progress(c->io, NULL, 1);
	}
	if (rc != OR_OK || (rc = pubkey_sha256(c->ks->pub, pkfp)) != OR_OK)
		return rc;
	hex_encode(pkfp, sizeof pkfp, c->pkhex);
	jf_init(&f);
	jf_add(&f, "key_type", keytype_name(c->ks->type));
	jf_add(&f, "public_key_sha256", c->pkhex);
	return transcript_add(c->tr, "key-generated", &f);
}

/* The signed certificate's fingerprint, serial and dates, as the
 * transcript and the journal record them. */
static int
describe_cert(struct rootca_ctx *c)
{
	struct rootca_result *res = c->res;
	char *serial_str;
	BIGNUM *bn;
	time_t nb, na;
	int rc;

	if ((rc = cert_sha256(c->cert, res->cert_sha256)) != OR_OK)
		return rc;
	hex_encode(res->cert_sha256, 32, c->fphex);
	fingerprint_block(res->cert_sha256, res->fingerprint,
	    sizeof res->fingerprint);
	bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(c->cert), NULL);
	serial_str = bn != NULL ? BN_bn2hex(bn) : NULL;
	BN_free(bn);
	snprintf(c->serial_hex, sizeof c->serial_hex, "%s",
	    serial_str != NULL ? serial_str : "?");
	OPENSSL_free(serial_str);
	if ((nb = asn1_unix(X509_get0_notBefore(c->cert))) == 0 ||
	    (na = asn1_unix(X509_get0_notAfter(c->cert))) == 0)
		return err_set(OR_E_CRYPTO, "the new certificate's validity "
		    "cannot be read");
	snprintf(c->nb_text, sizeof c->nb_text, "%lld", (long long)nb);
	snprintf(c->na_text, sizeof c->na_text, "%lld", (long long)na);
	return OR_OK;
}

/* 4. The certificate: build, lint, sign, verify. */
static int
make_cert(struct rootca_ctx *c)
{
	struct issue_request req;
	struct lint_report lint;
	int rc;

	memset(&req, 0, sizeof req);
	req.subject = c->subject;
	req.subject_key = c->ks->pub;
	req.issuer = NULL;
	req.issuer_key = c->ks->pub;
	req.issuer_type = c->ks->type;
	req.profile = &c->prof;
	req.days = c->p->days;
	if ((rc = issue_build(&req, &c->tbs)) != OR_OK)
		return rc;
	rc = issue_lint(c->tbs, NULL, &c->prof, &lint);
	lint_say(c->io, "root certificate", &lint);
	if (rc != OR_OK ||
	    (rc = issue_sign(c->tbs, c->ks, c->ks->pub, &c->cert)) != OR_OK)
		return rc;
	/* Lint again after issuance: what was signed is what was linted. */
	if ((rc = issue_lint(c->cert, NULL, &c->prof, &lint)) != OR_OK)
		return err_context(rc, "the signed certificate");
	return describe_cert(c);
}

/* 5, under a quorum: the key sealed under a new share set, the key file
 * and the officers' share files written, the shares recorded. */
static int
seal_quorum(struct rootca_ctx *c, const char *path)
{
	const struct rootca_params *p = c->p;
	int rc;

	if ((rc = share_quorum_seal(c->ks, p->quorum_m, p->quorum_n, p->kdf,
	    c->opass, c->io, &c->qs)) != OR_OK ||
	    (rc = file_write_new(path, c->qs->key_image, c->qs->key_len,
	    0600)) != OR_OK ||
	    (rc = file_sha256_hex(path, c->keyfile)) != OR_OK ||
	    (rc = share_quorum_write(c->qs, p->share_dirs, p->nshare_dirs)) !=
	    OR_OK || (rc = rootca_record_shares(c->qs, c->tr, c->io)) != OR_OK)
		return rc;
	hex_encode(c->qs->set_id, sizeof c->qs->set_id, c->setid);
	return OR_OK;
}

/* 5, under one passphrase: sealed, then reopened with the same
 * passphrase and proved to hold the certificate's key. */
static int
seal_passphrase(struct rootca_ctx *c, const char *path)
{
	struct interact *io = c->io;
	int rc;

	io->progress(io, "Sealing the key (Argon2id)", -1);
	rc = sealed_save(c->ks, c->pass, c->p->kdf, path);
	io->progress(io, NULL, 1);
	if (rc != OR_OK)
		return rc;
	io->progress(io, "Checking the sealed key file opens", -1);
	rc = sealed_open(path, c->pass, &c->check);
	io->progress(io, NULL, 1);
	if (rc != OR_OK || (rc = keystore_prove(c->check,
	    X509_get0_pubkey(c->cert))) != OR_OK)
		return err_context(rc, "the sealed key file failed its check");
	return file_sha256_hex(path, c->keyfile);
}

/* 5. Seal the key, then prove the sealed file opens and matches; for a
 * token, write the key reference and prove the token key. */
static int
store_key(struct rootca_ctx *c)
{
	char path[PATH_MAX];
	int rc;

	if (c->p->pkcs11)
		return token_ref(c->stage, c->ks, c->cert, c->io, c->tr,
		    c->keyfile, c->res);
	if ((rc = file_join(path, sizeof path, c->stage, CADB_SEALED_KEY)) !=
	    OR_OK)
		return rc;
	if (c->p->quorum_n != 0)
		return seal_quorum(c, path);
	return seal_passphrase(c, path);
}

/* 6. The root certificate, and the profiles the CA was made with. */
static int
write_root(struct rootca_ctx *c)
{
	char path[PATH_MAX], *pem = NULL;
	size_t pemlen = 0;
	struct jfields f;
	int rc;

	if ((rc = cert_to_pem(c->cert, &pem, &pemlen)) != OR_OK ||
	    (rc = file_join(path, sizeof path, c->stage, CADB_ROOT_CERT)) !=
	    OR_OK ||
	    (rc = file_write_new(path, pem, pemlen, 0644)) != OR_OK ||
	    (rc = file_sha256_hex(path, c->rootfile)) != OR_OK)
		goto out;
	jf_init(&f);
	jf_add(&f, "root_sha256", c->fphex);
	jf_add(&f, "serial", c->serial_hex);
	jf_add(&f, "not_before", c->nb_text);
	jf_add(&f, "not_after", c->na_text);
	if ((rc = transcript_add(c->tr, "root-created", &f)) != OR_OK)
		goto out;
	/* The profiles the CA was made with stay with it, so that later
	 * ceremonies issue from exactly the same text. */
	rc = copy_profiles(c->p->profiles_file, c->stage, c->profhash);
out:
	free(pem);
	return rc;
}

/* The journal's first record: everything a later command checks the CA
 * directory against. */
static void
init_fields(const struct rootca_ctx *c, struct jfields *f)
{
	const struct rootca_params *p = c->p;
	const struct pkcs11_keyinfo *ki = pkcs11_info(c->ks);

	jf_init(f);
	jf_add(f, "subject", c->subj_text);
	jf_add(f, "root_sha256", c->fphex);
	jf_add(f, "root_file_sha256", c->rootfile);
	jf_add(f, "serial", c->serial_hex);
	jf_add(f, "not_before", c->nb_text);
	jf_add(f, "not_after", c->na_text);
	jf_add(f, "key_type", keytype_name(c->ks->type));
	jf_add(f, "public_key_sha256", c->pkhex);
	jf_add(f, "store", p->pkcs11 ? "pkcs11" : "sealed");
	jf_add(f, "key_file", p->pkcs11 ? CADB_KEY_URI : CADB_SEALED_KEY);
	jf_add(f, "key_file_sha256", c->keyfile);
	jf_add(f, "profile", c->prof.name);
	jf_add(f, "profile_source", c->prof.source);
	jf_add(f, "profiles_file", CADB_PROFILES);
	jf_add(f, "profiles_sha256", c->profhash);
	jf_add(f, "tool", "offroot " OFFROOT_VERSION);
	if (p->crl_url != NULL && *p->crl_url != '\0')
		jf_add(f, publish_field(PUBLISH_CRL_URL), p->crl_url);
	if (p->ca_issuers_url != NULL && *p->ca_issuers_url != '\0')
		jf_add(f, publish_field(PUBLISH_CA_ISSUERS_URL),
		    p->ca_issuers_url);
	if (ki == NULL)
		jf_add(f, "kdf", kdf_level_name(p->kdf));
	if (ki == NULL && c->qs != NULL) {
		jf_addf(f, "quorum", "%u/%u", p->quorum_m, p->quorum_n);
		jf_add(f, "share_set", c->setid);
	} else if (ki != NULL) {	/* a token: where and how */
		jf_add(f, "key_uri", ki->uri);
		jf_add(f, "module", ki->module);
		jf_add(f, "token_label", ki->token_label);
		jf_add(f, "token_serial", ki->token_serial);
		jf_add(f, "key_origin", ki->generated ? "generated" :
		    "adopted");
		jf_add(f, "key_extractable", ki->extractable ? "yes" : "no");
		jf_add(f, "key_never_extractable",
		    ki->never_extractable ? "yes" : "no");
		jf_add(f, "token_backed_up",
		    c->res->token_backed_up ? "yes" : "no");
	}
}

/* 7. The CA database, and the transcript sealed by the new key. */
static int
write_journal(struct rootca_ctx *c)
{
	char path[PATH_MAX];
	struct jfields f;
	int rc;

	if ((rc = file_join(path, sizeof path, c->stage, CADB_JOURNAL)) !=
	    OR_OK ||
	    (rc = journal_create(path)) != OR_OK ||
	    (rc = journal_open(path, NULL, NULL, &c->j)) != OR_OK)
		return rc;
	init_fields(c, &f);
	if ((rc = journal_append_fields(c->j, "init", &f, NULL)) != OR_OK ||
	    (rc = record_leftovers(c, true)) != OR_OK)
		return rc;
	return transcript_finish(c->tr, c->j, c->ks);
}

/* 8. Move the finished CA directory into place. */
static int
move_into_place(struct rootca_ctx *c)
{
	const char *dir = c->p->dir;
	char parent[PATH_MAX];

	if (c->exists) {
		if (rename(c->stage, dir) == -1)
			return err_errno(errno == ENOTEMPTY || errno == EEXIST ?
			    OR_E_EXISTS : OR_E_IO, "moving the new CA into %s",
			    dir);
	} else if (renameat2(AT_FDCWD, c->stage, AT_FDCWD, dir,
	    RENAME_NOREPLACE) == -1)
		return err_errno(errno == EEXIST ? OR_E_EXISTS : OR_E_IO,
		    "moving the new CA into %s", dir);
	c->staged = false;
	file_dirname(dir, parent, sizeof parent);
	return file_sync_dir(parent);
}

/* The one exit: a failed creation that staged anything leaves nothing
 * (no token key, no staging folder, no share files); then every secret
 * and key is wiped and freed. */
static void
ctx_free(struct rootca_ctx *c, int rc)
{
	if (rc != OR_OK && c->staged)
		token_discard(c->ks, c->io, rc);	/* no CA names the new key */
	if (rc != OR_OK && c->staged)
		remove_staging(c->stage);
	if (rc != OR_OK && c->staged && c->qs != NULL)
		share_quorum_unwrite(c->qs);	/* no CA opens with them */
	share_quorum_free(c->qs);
	leftover_free(&c->lo);
	if (c->stage_fd != -1)
		close(c->stage_fd);
	share_free_passphrases(c->opass, SEALED_QUORUM_MAX_N);
	if (c->j != NULL)
		journal_close(c->j);
	transcript_free(c->tr);
	keystore_close(c->check);
	keystore_close(c->ks);
	secret_free(c->pass);
	X509_free(c->tbs);
	X509_free(c->cert);
	X509_NAME_free(c->subject);
	if (c->loaded)
		profile_free(&c->prof);
}

int
rootca_create(const struct rootca_params *p, struct interact *io,
    struct rootca_result *res)
{
	struct rootca_ctx c;
	int rc;

	memset(res, 0, sizeof *res);
	memset(&c, 0, sizeof c);
	c.p = p;
	c.io = io;
	c.res = res;
	c.stage_fd = -1;
	if ((rc = check_inputs(&c)) == OR_OK &&
	    (rc = stage_dir(&c)) == OR_OK &&
	    (rc = make_key(&c)) == OR_OK &&
	    (rc = make_cert(&c)) == OR_OK &&
	    (rc = store_key(&c)) == OR_OK &&
	    (rc = write_root(&c)) == OR_OK &&
	    (rc = write_journal(&c)) == OR_OK)
		rc = move_into_place(&c);
	if (rc == OR_OK && p->keep != NULL) {
		*p->keep = c.ks;	/* the caller's to close */
		c.ks = NULL;
	}
	ctx_free(&c, rc);
	return rc;
}
