/*
 * rootca.c — creating a root CA (rootca.h).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

static int
make_staging(const char *dir, char *stage, size_t size)
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
	}
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
	quorum_warn(io, p->quorum_m, p->quorum_n, p->nshare_dirs);
	return quorum_ask(io, p->quorum_n, MIN_PASSPHRASE, opass);
}

int
rootca_record_shares(const struct quorum_set *q, struct transcript *tr,
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

		jf_init(&f);
		jf_add(&f, "share_set", set);
		jf_add(&f, "quorum_m", m);
		jf_add(&f, "quorum_n", n);
		jf_add(&f, "share", x);
		jf_add(&f, "file", q->path[i]);
		jf_add(&f, "file_sha256", md);
		snprintf(x, sizeof x, "%u", i + 1);
		hex_encode(q->digest[i], sizeof q->digest[i], md);
		if ((rc = transcript_add(tr, "share-written", &f)) != OR_OK)
			return rc;
		interact_say(io, SAY_INFO, "officer %u's share: %s", i + 1,
		    q->path[i]);
	}
	return OR_OK;
}

int
rootca_create(const struct rootca_params *p, struct interact *io,
    struct rootca_result *res)
{
	struct profile prof;
	struct issue_request req;
	struct lint_report lint;
	struct keystore *ks = NULL, *check = NULL;
	struct secret *pass = NULL, *opass[SEALED_QUORUM_MAX_N] = { NULL };
	struct quorum_set *qs = NULL;
	char setid[33];
	struct transcript *tr = NULL;
	struct journal *j = NULL;
	X509_NAME *subject = NULL;
	X509 *tbs = NULL, *cert = NULL;
	unsigned char pkfp[32];
	char stage[PATH_MAX], path[PATH_MAX], parent[PATH_MAX];
	char fphex[65], pkhex[65], rootfile[65], keyfile[65], profhash[65];
	char subj_text[1024], serial_hex[64], nb_text[24], na_text[24];
	char *pem = NULL, *serial_str = NULL;
	size_t pemlen = 0;
	bool exists, staged = false, loaded = false;
	time_t nb, na;
	int rc;

	memset(res, 0, sizeof *res);
	memset(&prof, 0, sizeof prof);
	/* 1. Everything that can be refused is refused before any work. */
	if ((rc = check_target(p->dir, &exists)) != OR_OK)
		return rc;
	if ((rc = profile_load(p->profiles_file, p->profile_name != NULL ?
	    p->profile_name : "root", &prof)) != OR_OK)
		return rc;
	loaded = true;
	if (!prof.is_ca) {
		rc = err_set(OR_E_POLICY, "profile %s is not a CA profile",
		    prof.name);
		goto out;
	}
	if (p->key_type != KT_NONE &&
	    (prof.key_types & (1u << p->key_type)) == 0) {
		rc = err_set(OR_E_POLICY, "profile %s does not allow %s keys",
		    prof.name, keytype_name(p->key_type));
		goto out;
	}
	/* RSA-PSS needs an RSA issuer, and a root issues itself. */
	if (prof.pss && p->key_type != KT_NONE && p->key_type != KT_RSA_3072 &&
	    p->key_type != KT_RSA_4096) {
		rc = err_set(OR_E_POLICY, "profile %s signs with RSA-PSS "
		    "(signature = pss), which needs an RSA root key, not %s",
		    prof.name, keytype_name(p->key_type));
		goto out;
	}
	if (p->days < 0 || p->days > prof.validity_days) {
		rc = err_set(OR_E_POLICY, "--days %ld is longer than profile "
		    "%s allows (%ld)", p->days, prof.name, prof.validity_days);
		goto out;
	}
	if ((rc = dn_parse(p->subject, &subject)) != OR_OK) {
		rc = err_context(rc, "--subject");
		goto out;
	}
	if ((rc = dn_format(subject, subj_text, sizeof subj_text)) != OR_OK)
		goto out;
	if ((rc = lint_rehearsal(p->key_type, subject, &prof, p->days)) !=
	    OR_OK)
		goto out;
	if (!p->pkcs11 && p->kdf != KDF_SENSITIVE)
		interact_say(io, SAY_WARN, "the key file will be sealed with "
		    "the %s Argon2id level, weaker than the default "
		    "(sensitive); this is recorded in the key file",
		    kdf_level_name(p->kdf));
	if (p->quorum_n != 0 && (rc = quorum_prepare(p, io, opass)) != OR_OK)
		goto out;
	if (!p->pkcs11 && p->quorum_n == 0 && (rc = io->ask_secret(io,
	    "New passphrase for the root key", true, &pass)) != OR_OK)
		goto out;
	if (!p->pkcs11 && p->quorum_n == 0 && pass->len < MIN_PASSPHRASE) {
		rc = err_set(OR_E_INPUT, "the passphrase is shorter than %d "
		    "characters", MIN_PASSPHRASE);
		goto out;
	}

	/* 2. Stage the CA directory beside its final place. */
	if ((rc = make_staging(p->dir, stage, sizeof stage)) != OR_OK)
		goto out;
	staged = true;
	if ((rc = transcript_begin(stage, "init", &tr)) != OR_OK)
		goto out;
	{
		struct jfields f;

		jf_init(&f);
		jf_add(&f, "subject", subj_text);
		jf_add(&f, "key_type", keytype_name(p->key_type));
		jf_add(&f, "store", p->pkcs11 ? "pkcs11" : "sealed");
		jf_add(&f, "kdf", p->pkcs11 ? "none" : kdf_level_name(p->kdf));
		jf_add(&f, "profile", prof.name);
		jf_add(&f, "profile_source", prof.source);
		if (p->quorum_n != 0)
			jf_addf(&f, "quorum", "%u/%u", p->quorum_m,
			    p->quorum_n);
		if ((rc = transcript_add(tr, "parameters", &f)) != OR_OK)
			goto out;
	}

	/* 3. The key. */
	if (p->pkcs11)
		rc = token_key(p, &prof, io, tr, &ks);
	else {
		io->progress(io, "Generating the root key", -1);
		rc = sealed_generate(p->key_type, &ks);
		io->progress(io, NULL, 1);
	}
	if (rc != OR_OK)
		goto out;
	if ((rc = pubkey_sha256(ks->pub, pkfp)) != OR_OK)
		goto out;
	hex_encode(pkfp, sizeof pkfp, pkhex);
	{
		struct jfields f;

		jf_init(&f);
		jf_add(&f, "key_type", keytype_name(ks->type));
		jf_add(&f, "public_key_sha256", pkhex);
		if ((rc = transcript_add(tr, "key-generated", &f)) != OR_OK)
			goto out;
	}

	/* 4. The certificate: build, lint, sign, verify. */
	memset(&req, 0, sizeof req);
	req.subject = subject;
	req.subject_key = ks->pub;
	req.issuer = NULL;
	req.issuer_key = ks->pub;
	req.issuer_type = ks->type;
	req.profile = &prof;
	req.days = p->days;
	if ((rc = issue_build(&req, &tbs)) != OR_OK)
		goto out;
	rc = issue_lint(tbs, NULL, &prof, &lint);
	lint_say(io, "root certificate", &lint);
	if (rc != OR_OK)
		goto out;
	if ((rc = issue_sign(tbs, ks, ks->pub, &cert)) != OR_OK)
		goto out;
	/* Lint again after issuance: what was signed is what was linted. */
	if ((rc = issue_lint(cert, NULL, &prof, &lint)) != OR_OK) {
		rc = err_context(rc, "the signed certificate");
		goto out;
	}
	if ((rc = cert_sha256(cert, res->cert_sha256)) != OR_OK)
		goto out;
	hex_encode(res->cert_sha256, 32, fphex);
	fingerprint_block(res->cert_sha256, res->fingerprint,
	    sizeof res->fingerprint);
	{
		BIGNUM *bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert),
		    NULL);
		serial_str = bn != NULL ? BN_bn2hex(bn) : NULL;
		BN_free(bn);
		snprintf(serial_hex, sizeof serial_hex, "%s",
		    serial_str != NULL ? serial_str : "?");
	}
	if ((nb = asn1_unix(X509_get0_notBefore(cert))) == 0 ||
	    (na = asn1_unix(X509_get0_notAfter(cert))) == 0) {
		rc = err_set(OR_E_CRYPTO, "the new certificate's validity "
		    "cannot be read");
		goto out;
	}
	snprintf(nb_text, sizeof nb_text, "%lld", (long long)nb);
	snprintf(na_text, sizeof na_text, "%lld", (long long)na);

	/* 5. Seal the key, then prove the sealed file opens and matches;
	 * for a token, write the key reference and prove the token key. */
	if (p->pkcs11) {
		if ((rc = token_ref(stage, ks, cert, io, tr, keyfile, res)) !=
		    OR_OK)
			goto out;
	} else if (p->quorum_n != 0) {
		if ((rc = file_join(path, sizeof path, stage,
		    CADB_SEALED_KEY)) != OR_OK ||
		    (rc = quorum_seal(ks, p->quorum_m, p->quorum_n, p->kdf,
		    opass, io, &qs)) != OR_OK ||
		    (rc = file_write_new(path, qs->key_image, qs->key_len,
		    0600)) != OR_OK ||
		    (rc = file_sha256_hex(path, keyfile)) != OR_OK ||
		    (rc = quorum_write(qs, p->share_dirs, p->nshare_dirs)) !=
		    OR_OK || (rc = rootca_record_shares(qs, tr, io)) != OR_OK)
			goto out;
		hex_encode(qs->set_id, sizeof qs->set_id, setid);
	} else {
		if ((rc = file_join(path, sizeof path, stage,
		    CADB_SEALED_KEY)) != OR_OK)
			goto out;
		io->progress(io, "Sealing the key (Argon2id)", -1);
		rc = sealed_save(ks, pass, p->kdf, path);
		io->progress(io, NULL, 1);
		if (rc != OR_OK)
			goto out;
		io->progress(io, "Checking the sealed key file opens", -1);
		rc = sealed_open(path, pass, &check);
		io->progress(io, NULL, 1);
		if (rc != OR_OK || (rc = keystore_prove(check,
		    X509_get0_pubkey(cert))) != OR_OK) {
			rc = err_context(rc, "the sealed key file failed its "
			    "check");
			goto out;
		}
		if ((rc = file_sha256_hex(path, keyfile)) != OR_OK)
			goto out;
	}

	/* 6. The root certificate. */
	if ((rc = cert_to_pem(cert, &pem, &pemlen)) != OR_OK ||
	    (rc = file_join(path, sizeof path, stage, CADB_ROOT_CERT)) != OR_OK ||
	    (rc = file_write_new(path, pem, pemlen, 0644)) != OR_OK ||
	    (rc = file_sha256_hex(path, rootfile)) != OR_OK)
		goto out;
	{
		struct jfields f;

		jf_init(&f);
		jf_add(&f, "root_sha256", fphex);
		jf_add(&f, "serial", serial_hex);
		jf_add(&f, "not_before", nb_text);
		jf_add(&f, "not_after", na_text);
		if ((rc = transcript_add(tr, "root-created", &f)) != OR_OK)
			goto out;
	}

	/* The profiles the CA was made with stay with it, so that later
	 * ceremonies issue from exactly the same text. */
	if ((rc = copy_profiles(p->profiles_file, stage, profhash)) != OR_OK)
		goto out;

	/* 7. The CA database, and the transcript sealed by the new key. */
	if ((rc = file_join(path, sizeof path, stage, CADB_JOURNAL)) != OR_OK ||
	    (rc = journal_create(path)) != OR_OK ||
	    (rc = journal_open(path, NULL, NULL, &j)) != OR_OK)
		goto out;
	{
		const struct pkcs11_keyinfo *ki = pkcs11_info(ks);
		struct jfields f;

		jf_init(&f);
		jf_add(&f, "subject", subj_text);
		jf_add(&f, "root_sha256", fphex);
		jf_add(&f, "root_file_sha256", rootfile);
		jf_add(&f, "serial", serial_hex);
		jf_add(&f, "not_before", nb_text);
		jf_add(&f, "not_after", na_text);
		jf_add(&f, "key_type", keytype_name(ks->type));
		jf_add(&f, "public_key_sha256", pkhex);
		jf_add(&f, "store", p->pkcs11 ? "pkcs11" : "sealed");
		jf_add(&f, "key_file",
		    p->pkcs11 ? CADB_KEY_URI : CADB_SEALED_KEY);
		jf_add(&f, "key_file_sha256", keyfile);
		jf_add(&f, "profile", prof.name);
		jf_add(&f, "profile_source", prof.source);
		jf_add(&f, "profiles_file", CADB_PROFILES);
		jf_add(&f, "profiles_sha256", profhash);
		jf_add(&f, "tool", "offroot " OFFROOT_VERSION);
		if (ki == NULL)
			jf_add(&f, "kdf", kdf_level_name(p->kdf));
		if (ki == NULL && qs != NULL) {
			jf_addf(&f, "quorum", "%u/%u", p->quorum_m,
			    p->quorum_n);
			jf_add(&f, "share_set", setid);
		} else if (ki != NULL) {	/* a token: where and how */
			jf_add(&f, "key_uri", ki->uri);
			jf_add(&f, "module", ki->module);
			jf_add(&f, "token_label", ki->token_label);
			jf_add(&f, "token_serial", ki->token_serial);
			jf_add(&f, "key_origin", ki->generated ? "generated" :
			    "adopted");
			jf_add(&f, "key_extractable", ki->extractable ? "yes" :
			    "no");
			jf_add(&f, "key_never_extractable",
			    ki->never_extractable ? "yes" : "no");
		}
		if ((rc = journal_append_fields(j, "init", &f, NULL)) != OR_OK)
			goto out;
	}
	if ((rc = transcript_finish(tr, j, ks)) != OR_OK)
		goto out;

	/* 8. Move the finished CA directory into place. */
	if (exists) {
		if (rename(stage, p->dir) == -1) {
			rc = err_errno(errno == ENOTEMPTY || errno == EEXIST ?
			    OR_E_EXISTS : OR_E_IO, "moving the new CA into %s",
			    p->dir);
			goto out;
		}
	} else if (renameat2(AT_FDCWD, stage, AT_FDCWD, p->dir,
	    RENAME_NOREPLACE) == -1) {
		rc = err_errno(errno == EEXIST ? OR_E_EXISTS : OR_E_IO,
		    "moving the new CA into %s", p->dir);
		goto out;
	}
	staged = false;
	file_dirname(p->dir, parent, sizeof parent);
	if ((rc = file_sync_dir(parent)) != OR_OK)
		goto out;
	rc = OR_OK;
out:
	if (rc != OR_OK && staged)
		token_discard(ks, io, rc);	/* no CA names the new key */
	if (rc != OR_OK && staged)
		remove_staging(stage);
	if (rc != OR_OK && staged && qs != NULL)
		quorum_unwrite(qs);	/* no CA opens with these shares */
	quorum_free(qs);
	quorum_free_pass(opass, SEALED_QUORUM_MAX_N);
	if (j != NULL)
		journal_close(j);
	transcript_free(tr);
	keystore_close(check);
	keystore_close(ks);
	secret_free(pass);
	X509_free(tbs);
	X509_free(cert);
	X509_NAME_free(subject);
	OPENSSL_free(serial_str);
	free(pem);
	if (loaded)
		profile_free(&prof);
	return rc;
}
