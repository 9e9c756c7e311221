/*
 * sign.c — signing CSRs and exporting the signed bundle (sign.h).
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "bundle.h"
#include "cadb.h"
#include "crl.h"
#include "csr.h"
#include "err.h"
#include "fileio.h"
#include "issue.h"
#include "json.h"
#include "keystore.h"
#include "lint.h"
#include "pgpwords.h"
#include "profile.h"
#include "sign.h"
#include "transcript.h"
#include "util.h"
#include "workers.h"

/* Free space the bundle media must have before the key is unlocked. */
#define MIN_FREE_BYTES	(256u << 10)

struct pending {
	const char *path;
	struct csr_info csr;
	bool have_csr;
	X509 *tbs;		/* linted, throwaway-signed */
	X509 *cert;		/* signed by the root */
	char serial[64];	/* lowercase hex */
	char cn[65];		/* for the bundle's folder name */
	char file[96];		/* its copy: issued/<serial>.pem */
	char copy[PATH_MAX];
	char *pem;
	size_t pemlen;
	bool written;
	time_t not_before, not_after;
};

static int
serial_hex(X509 *x, char *out, size_t size)
{
	BIGNUM *bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(x), NULL);
	char *hex = bn != NULL ? BN_bn2hex(bn) : NULL;
	size_t i;

	BN_free(bn);
	if (hex == NULL)
		return err_openssl(OR_E_CRYPTO, "serial number");
	/* The journal's form: lowercase, no leading zeros. */
	for (i = 0; hex[i] == '0' && hex[i + 1] != '\0'; i++)
		;
	snprintf(out, size, "%s", hex + i);
	OPENSSL_free(hex);
	for (i = 0; out[i] != '\0'; i++)
		out[i] = (char)tolower((unsigned char)out[i]);
	return OR_OK;
}

/* A file-name-safe form of the subject's CN ("etcd-ca", "vault-int"). */
static void
safe_cn(X509 *x, char *out, size_t size)
{
	X509_NAME *name = X509_get_subject_name(x);
	unsigned char *utf8 = NULL;
	size_t i, o = 0;
	int idx, len;

	idx = X509_NAME_get_index_by_NID(name, NID_commonName, -1);
	len = idx < 0 ? -1 : ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(
	    X509_NAME_get_entry(name, idx)));
	for (i = 0; len > 0 && i < (size_t)len && o + 1 < size && o < 40; i++) {
		unsigned char c = utf8[i];
		if (isalnum(c))
			out[o++] = (char)tolower(c);
		else if (o > 0 && out[o - 1] != '-')
			out[o++] = '-';
	}
	while (o > 0 && out[o - 1] == '-')
		o--;
	if (o == 0)
		o = (size_t)snprintf(out, size, "certificate");
	out[o] = '\0';
	OPENSSL_free(utf8);
}

/* The outdir's folder must exist and have room, before the key is used. */
static int
check_media(const char *outdir)
{
	char parent[PATH_MAX];
	struct statvfs vfs;
	struct stat st;

	if (lstat(outdir, &st) == 0)
		return err_set(OR_E_EXISTS, "%s already exists; a bundle is "
		    "always written into a new folder", outdir);
	file_dirname(outdir, parent, sizeof parent);
	if (stat(parent, &st) == -1 || !S_ISDIR(st.st_mode))
		return err_set(OR_E_IO, "%s: the media folder is missing "
		    "(is the media mounted?)", parent);
	if (statvfs(parent, &vfs) == -1)
		return err_errno(OR_E_IO, "%s", parent);
	if (vfs.f_flag & ST_RDONLY)
		return err_set(OR_E_IO, "%s is read-only", parent);
	if ((unsigned long long)vfs.f_bavail * vfs.f_frsize < MIN_FREE_BYTES)
		return err_set(OR_E_IO, "%s has less than %u KiB free: the "
		    "media is full", parent, MIN_FREE_BYTES >> 10);
	return OR_OK;
}

static const char readme_text[] =
"offroot signed bundle\n"
"=====================\n"
"\n"
"This folder was written by offroot on the offline root CA.  It holds:\n"
"\n"
"  %s\n"
"  root.pem             the root certificate (compare its SHA-256 with the\n"
"                       fingerprint read aloud at the root ceremony)\n"
"  crl.pem              the root's current CRL: publish it at the root's\n"
"                       CRL distribution point before it expires\n"
"  transcript.log       the ceremony transcript, sealed by the root key\n"
"  MANIFEST             SHA-256 of every other file (sha256sum format)\n"
"  MANIFEST.sig         the root key's signature over MANIFEST\n"
"\n"
"1. Check the bundle before using anything in it (no key needed):\n"
"\n"
"     openssl x509 -in root.pem -noout -pubkey > root.pub\n"
"     %s\n"
"     sha256sum -c MANIFEST\n"
"\n"
"   or, with offroot: offroot verify THIS-FOLDER --root ROOT.pem\n"
"   where ROOT.pem is your own trusted copy of the root certificate.\n"
"\n"
"2. Import each signed intermediate into the online issuer.  For a\n"
"   HashiCorp Vault PKI mount (e.g. pki_int), use the prepared body:\n"
"\n"
"     vault write pki_int/intermediate/set-signed @vault-set-signed.json\n"
"\n"
"   (vault-set-signed.json holds the new certificate followed by the root.)\n"
"   Other issuers take certificate.pem and chain.pem.\n"
"\n"
"3. Publish crl.pem and distribute root.pem as the trust anchor.\n";

static int
manifest_verify_hint(enum keytype t, char *out, size_t size)
{
	const char *digest = keytype_default_digest(t);

	if (digest == NULL)
		snprintf(out, size, "openssl pkeyutl -verify -pubin -inkey "
		    "root.pub -rawin -in MANIFEST -sigfile MANIFEST.sig");
	else
		snprintf(out, size, "openssl dgst -%s -verify root.pub "
		    "-signature MANIFEST.sig MANIFEST", digest);
	return OR_OK;
}

/*
 * The export record(s): every serial of the bundle, comma-separated.  A
 * record holds at most EXPORT_SERIALS_PER_RECORD of them (a journal line is
 * at most JOURNAL_MAX_LINE bytes), so a larger batch takes several export
 * records, "part=I/K", written together with one commit.
 */
#define EXPORT_SERIALS_PER_RECORD	1000

static int
record_export(struct cadb *db, const char *outdir, const char *mhex,
    const char *count, const struct pending *pend, size_t n)
{
	size_t parts = (n + EXPORT_SERIALS_PER_RECORD - 1) /
	    EXPORT_SERIALS_PER_RECORD, part, i, end, used;
	char *list = NULL, partv[48];
	int rc;

	if ((list = malloc(EXPORT_SERIALS_PER_RECORD *
	    (sizeof pend[0].serial + 1))) == NULL)
		return err_set(OR_E_NOMEM, "out of memory");
	if (parts > 1 && (rc = journal_hold(db->journal)) != OR_OK)
		goto out;
	for (part = 0; part < parts; part++) {
		end = (part + 1) * EXPORT_SERIALS_PER_RECORD;
		if (end > n)
			end = n;
		used = 0;
		list[0] = '\0';
		for (i = part * EXPORT_SERIALS_PER_RECORD; i < end; i++) {
			size_t l = strlen(pend[i].serial);

			if (used != 0)
				list[used++] = ',';
			memcpy(list + used, pend[i].serial, l + 1);
			used += l;
		}
		snprintf(partv, sizeof partv, "%zu/%zu", part + 1, parts);
		{
			struct jfields f;

			jf_init(&f);
			jf_add(&f, "outdir", outdir);
			jf_add(&f, "manifest_sha256", mhex);
			jf_add(&f, "certificates", count);
			jf_add(&f, "serials", list);
			if (parts > 1)
				jf_add(&f, "part", partv);
			if ((rc = cadb_append(db, "export", &f)) != OR_OK)
				goto out;
		}
	}
	rc = parts > 1 ? journal_commit(db->journal) : OR_OK;
out:
	if (rc != OR_OK && parts > 1)
		journal_drop(db->journal);
	free(list);
	return rc;
}

/* Assembles and writes the bundle for the issued certificates. */
static int
export_bundle(struct cadb *db, X509 *root, struct keystore *ks,
    struct pending *pend, size_t n, const char *transcript_path,
    const unsigned char *crlder, size_t crllen, const char *outdir,
    struct sign_result *res)
{
	struct bundle b = { 0 };
	char *rootpem = NULL, *certpem = NULL, *crlpem = NULL, *chain = NULL;
	char *json = NULL, *readme = NULL, hint[256], listing[2048];
	char name[256], prefix[160], mhex[65], count[24];
	unsigned char *tdata = NULL;
	size_t rootlen = 0, certlen = 0, crlpemlen = 0, tlen = 0, i, jlen = 0;
	FILE *mem;
	int rc;

	if ((rc = cert_to_pem(root, &rootpem, &rootlen)) != OR_OK ||
	    (rc = crl_to_pem(crlder, crllen, &crlpem, &crlpemlen)) != OR_OK ||
	    (rc = file_read(transcript_path, 64u << 20, &tdata, &tlen)) != OR_OK)
		goto out;
	if ((rc = bundle_add(&b, "root.pem", rootpem, rootlen)) != OR_OK ||
	    (rc = bundle_add(&b, "crl.pem", crlpem, crlpemlen)) != OR_OK ||
	    (rc = bundle_add(&b, "transcript.log", tdata, tlen)) != OR_OK)
		goto out;
	for (i = 0; i < n; i++) {
		struct json j;

		if (n == 1)
			prefix[0] = '\0';
		else
			snprintf(prefix, sizeof prefix, "%s-%.32s/", pend[i].cn,
			    pend[i].serial);
		free(certpem);
		certpem = NULL;
		if ((rc = cert_to_pem(pend[i].cert, &certpem, &certlen)) != OR_OK)
			goto out;
		free(chain);
		if ((chain = malloc(certlen + rootlen + 1)) == NULL) {
			rc = err_set(OR_E_NOMEM, "out of memory");
			goto out;
		}
		memcpy(chain, certpem, certlen);
		memcpy(chain + certlen, rootpem, rootlen);
		snprintf(name, sizeof name, "%scertificate.pem", prefix);
		if ((rc = bundle_add(&b, name, certpem, certlen)) != OR_OK)
			goto out;
		snprintf(name, sizeof name, "%schain.pem", prefix);
		if ((rc = bundle_add(&b, name, chain, certlen + rootlen)) !=
		    OR_OK)
			goto out;
		/* Vault's intermediate/set-signed body. */
		chain[certlen + rootlen] = '\0';
		free(json);
		json = NULL;
		if ((mem = open_memstream(&json, &jlen)) == NULL) {
			rc = err_set(OR_E_NOMEM, "out of memory");
			goto out;
		}
		json_begin(&j, mem);
		json_str(&j, "certificate", chain);
		json_end(&j);
		fclose(mem);
		snprintf(name, sizeof name, "%svault-set-signed.json", prefix);
		if ((rc = bundle_add(&b, name, json, jlen)) != OR_OK)
			goto out;
	}
	if (n == 1)
		snprintf(listing, sizeof listing,
		    "certificate.pem      the new certificate\n"
		    "  chain.pem            the new certificate, then the root\n"
		    "  vault-set-signed.json  body for Vault's "
		    "intermediate/set-signed");
	else
		snprintf(listing, sizeof listing,
		    "NAME-SERIAL/         one folder per new certificate, each "
		    "with\n"
		    "                       certificate.pem, chain.pem and "
		    "vault-set-signed.json");
	manifest_verify_hint(ks->type, hint, sizeof hint);
	if ((mem = open_memstream(&readme, &jlen)) == NULL) {
		rc = err_set(OR_E_NOMEM, "out of memory");
		goto out;
	}
	fprintf(mem, readme_text, listing, hint);
	fclose(mem);
	if ((rc = bundle_add(&b, "README.txt", readme, jlen)) != OR_OK)
		goto out;
	if ((rc = bundle_write(&b, outdir, ks, keytype_default_digest(ks->type),
	    res->manifest_sha256)) != OR_OK)
		goto out;
	hex_encode(res->manifest_sha256, 32, mhex);
	snprintf(count, sizeof count, "%zu", n);
	rc = record_export(db, outdir, mhex, count, pend, n);
out:
	bundle_free(&b);
	free(rootpem);
	free(certpem);
	free(crlpem);
	free(chain);
	free(json);
	free(readme);
	free(tdata);
	return rc;
}

/* What the officer compares before the key is unlocked. */
static void
review(struct interact *io, size_t i, size_t n, const struct pending *pd,
    const struct profile *prof)
{
	char block[8192], fp[1024], when[2][21], title[128];
	const STACK_OF(X509_EXTENSION) *exts;
	size_t used = 0;
	int k;

#define ADD(...) do { \
	int w_ = snprintf(block + used, sizeof block - used, __VA_ARGS__); \
	if (w_ > 0 && (size_t)w_ < sizeof block - used) used += (size_t)w_; \
} while (0)
	ADD("file:        %s\n", pd->path);
	ADD("subject:     %s\n", pd->csr.subject);
	ADD("key:         %s (%d bits)\n", keytype_name(pd->csr.key_type),
	    pd->csr.key_bits);
	ADD("requested extensions (not copied; the profile decides):\n");
	if (pd->csr.requested == NULL ||
	    sk_X509_EXTENSION_num(pd->csr.requested) == 0)
		ADD("  (none)\n");
	for (k = 0; pd->csr.requested != NULL &&
	    k < sk_X509_EXTENSION_num(pd->csr.requested); k++) {
		X509_EXTENSION *e = sk_X509_EXTENSION_value(pd->csr.requested, k);
		char oid[80];
		OBJ_obj2txt(oid, sizeof oid, X509_EXTENSION_get_object(e), 0);
		ADD("  %s%s\n", oid, X509_EXTENSION_get_critical(e) ?
		    " (critical)" : "");
	}
	utc_text(pd->not_before, when[0]);
	utc_text(pd->not_after, when[1]);
	ADD("will issue:  profile %s, serial %s\n", prof->name, pd->serial);
	ADD("validity:    %s to %s\n", when[0], when[1]);
	exts = X509_get0_extensions(pd->tbs);
	for (k = 0; k < sk_X509_EXTENSION_num(exts); k++) {
		X509_EXTENSION *e = sk_X509_EXTENSION_value(exts, k);
		BIO *bio = BIO_new(BIO_s_mem());
		char oid[80], *val = NULL;
		long vlen = 0;

		OBJ_obj2txt(oid, sizeof oid, X509_EXTENSION_get_object(e), 0);
		if (bio != NULL && X509V3_EXT_print(bio, e, 0, 0) == 1)
			vlen = BIO_get_mem_data(bio, &val);
		ADD("  %s%s: %.*s\n", oid, X509_EXTENSION_get_critical(e) ?
		    " (critical)" : "", (int)(vlen > 200 ? 200 : vlen),
		    val != NULL ? val : "");
		BIO_free(bio);
	}
	fingerprint_block(pd->csr.csr_sha256, fp, sizeof fp);
	ADD("SHA-256 of the CSR:\n%s", fp);
	fingerprint_block(pd->csr.pubkey_sha256, fp, sizeof fp);
	ADD("SHA-256 of its public key:\n%s", fp);
#undef ADD
	snprintf(title, sizeof title, "Request %zu of %zu", i + 1, n);
	io->show_block(io, title, block);
}

/*
 * Whether the profile lets a subject key of this kind be certified.  RSA
 * subject keys of any size from min_rsa_bits up are allowed when the profile
 * lists an rsa-* type (the online issuer picks its modulus size).
 */
static bool
profile_allows_key(const struct profile *prof, EVP_PKEY *pkey)
{
	enum keytype t = keytype_of(pkey);
	unsigned rsa = (1u << KT_RSA_3072) | (1u << KT_RSA_4096);

	if (t != KT_NONE)
		return (prof->key_types & (1u << t)) != 0 ||
		    ((t == KT_RSA_3072 || t == KT_RSA_4096) &&
		    (prof->key_types & rsa) != 0);
	if (EVP_PKEY_get_base_id(pkey) == EVP_PKEY_RSA)
		return (prof->key_types & rsa) != 0 &&
		    EVP_PKEY_get_bits(pkey) >= prof->min_rsa_bits;
	return false;
}

/* Imports one request (a job: its CSR's signature is verified here). */
static int
load_job(void *ctx, size_t i)
{
	struct pending *pd = (struct pending *)ctx + i;
	int rc;

	if ((rc = csr_load(pd->path, &pd->csr)) != OR_OK)
		return rc;
	pd->have_csr = true;
	return OR_OK;
}

/* Builds and lints one imported request: nothing is signed yet. */
static int
prepare(struct pending *pd, X509 *root, EVP_PKEY *root_pub,
    enum keytype root_type, const struct profile *prof, long days,
    struct interact *io)
{
	struct issue_request req;
	struct lint_report lint;
	time_t now = time(NULL), root_na;
	int rc;

	if (!profile_allows_key(prof, pd->csr.pubkey))
		return err_set(OR_E_POLICY, "%s: profile %s does not allow %s "
		    "keys", pd->path, prof->name, pd->csr.key_name);
	if (EVP_PKEY_eq(pd->csr.pubkey, root_pub) == 1)
		return err_set(OR_E_POLICY, "%s: the CSR carries the root's own "
		    "public key", pd->path);
	if (days == 0)
		days = prof->validity_days;
	pd->not_before = now;
	pd->not_after = now + (time_t)days * 86400 - 1;
	root_na = asn1_unix(X509_get0_notAfter(root));
	if (pd->not_after > root_na) {
		char rootend[21];

		utc_text(root_na, rootend);
		if (!prof->clamp_validity)
			return err_set(OR_E_POLICY, "%s: %ld days would outlive "
			    "the root (it expires %s); use a shorter --days, "
			    "or set clamp_validity in profile %s", pd->path,
			    days, rootend, prof->name);
		pd->not_after = root_na;
		interact_say(io, SAY_WARN, "%s: validity clamped to end with "
		    "the root at %s (profile %s allows clamping)", pd->path,
		    rootend, prof->name);
	}
	memset(&req, 0, sizeof req);
	req.subject = X509_REQ_get_subject_name(pd->csr.req);
	req.subject_key = pd->csr.pubkey;
	req.issuer = root;
	req.issuer_key = root_pub;
	req.issuer_type = root_type;
	req.profile = prof;
	req.days = days;
	req.not_before = pd->not_before;
	req.not_after = pd->not_after;
	if ((rc = issue_build(&req, &pd->tbs)) != OR_OK)
		return err_context(rc, "%s", pd->path);
	rc = issue_lint(pd->tbs, root, prof, &lint);
	lint_say(io, pd->path, &lint);
	if (rc != OR_OK)
		return err_context(rc, "%s", pd->path);
	if ((rc = serial_hex(pd->tbs, pd->serial, sizeof pd->serial)) != OR_OK)
		return rc;
	safe_cn(pd->tbs, pd->cn, sizeof pd->cn);
	return OR_OK;
}

/* What the jobs of issue_all share, read-only. */
struct sign_jobs {
	struct pending *pend;
	X509 *root;
	struct keystore *ks;
	const struct profile *prof;
	char dir[PATH_MAX];	/* issued/ */
	struct interact *io;
};

/* Signs one prepared request and writes its copy under issued/ as part of
 * a batch (synced and checked by the caller).  A job: see workers.h. */
static int
sign_one(void *vctx, size_t i)
{
	struct sign_jobs *sj = vctx;
	struct pending *pd = &sj->pend[i];
	X509 *root = sj->root;
	struct lint_report lint;
	int rc;

	if ((rc = issue_sign(pd->tbs, sj->ks, X509_get0_pubkey(root),
	    &pd->cert)) != OR_OK)
		return err_context(rc, "%s", pd->path);
	if ((rc = issue_lint(pd->cert, root, sj->prof, &lint)) != OR_OK)
		return err_context(rc, "%s: the signed certificate", pd->path);
	snprintf(pd->file, sizeof pd->file, "%s.pem", pd->serial);
	if ((rc = cert_to_pem(pd->cert, &pd->pem, &pd->pemlen)) != OR_OK ||
	    (rc = file_join(pd->copy, sizeof pd->copy, sj->dir, pd->file)) !=
	    OR_OK)
		return rc;
	if ((rc = file_write_new_ex(pd->copy, pd->pem, pd->pemlen, 0644,
	    FILE_BATCH)) != OR_OK)
		return rc;
	pd->written = true;
	return OR_OK;
}

/* The issuance's journal and transcript records (both held: the caller
 * commits them together). */
static int
record_one(struct cadb *db, struct transcript *tr, const struct pending *pd,
    const struct profile *prof)
{
	unsigned char md[32];
	char certhex[65], nb[24], na[24], csrhex[65], pkhex[65], filehex[65];
	int rc;

	if ((rc = cert_sha256(pd->cert, md)) != OR_OK)
		return rc;
	hex_encode(md, sizeof md, certhex);
	if ((rc = sha256(pd->pem, pd->pemlen, md)) != OR_OK)
		return rc;
	hex_encode(md, sizeof md, filehex);
	hex_encode(pd->csr.csr_sha256, 32, csrhex);
	hex_encode(pd->csr.pubkey_sha256, 32, pkhex);
	snprintf(nb, sizeof nb, "%lld", (long long)asn1_unix(
	    X509_get0_notBefore(pd->cert)));
	snprintf(na, sizeof na, "%lld", (long long)asn1_unix(
	    X509_get0_notAfter(pd->cert)));
	{
		struct jfields f;

		jf_init(&f);
		jf_add(&f, "serial", pd->serial);
		jf_add(&f, "subject", pd->csr.subject);
		jf_add(&f, "not_before", nb);
		jf_add(&f, "not_after", na);
		jf_add(&f, "cert_sha256", certhex);
		jf_add(&f, "pubkey_sha256", pkhex);
		jf_add(&f, "csr_sha256", csrhex);
		jf_add(&f, "profile", prof->name);
		jf_add(&f, "file", pd->file);
		jf_add(&f, "file_sha256", filehex);
		if ((rc = cadb_append(db, "issue", &f)) != OR_OK)
			return rc;
		return transcript_add(tr, "issued", &f);
	}
}

/*
 * Signs every request, writes the copies under issued/ with one flush, then
 * records every issuance in the journal and the transcript with one write
 * and one fdatasync each.  Nothing counts as issued until the journal's
 * commit succeeds; copies of certificates that were never recorded are
 * removed.
 */
static void
sign_tick(void *vctx, size_t done, size_t n)
{
	struct sign_jobs *sj = vctx;

	sj->io->progress(sj->io, "Signing", (double)done / (double)n);
}

/* Reads one copy under issued/ back (a job). */
static int
check_one(void *vctx, size_t i)
{
	struct pending *pd = &((struct sign_jobs *)vctx)->pend[i];

	return file_check(pd->copy, pd->pem, pd->pemlen);
}

static int
issue_all(struct cadb *db, struct transcript *tr, struct pending *pend,
    size_t n, X509 *root, struct keystore *ks, const struct profile *prof,
    struct interact *io, size_t *issued)
{
	struct sign_jobs sj = { pend, root, ks, prof, "", io };
	size_t i;
	int rc;

	*issued = 0;
	if ((rc = cadb_path(db->dir, CADB_ISSUED, sj.dir, sizeof sj.dir)) !=
	    OR_OK)
		return rc;
	/* Signing, checking and writing each certificate is independent of
	 * the others: they run on every CPU (workers.h). */
	io->progress(io, "Signing", 0);
	rc = workers_run(n, sign_one, sign_tick, &sj, 0);
	io->progress(io, NULL, 1);
	if (rc != OR_OK ||
	    (rc = file_batch_sync(sj.dir)) != OR_OK ||
	    (rc = workers_run(n, check_one, NULL, &sj, 0)) != OR_OK)
		goto fail;
	if ((rc = journal_hold(db->journal)) != OR_OK ||
	    (rc = journal_hold(tr->journal)) != OR_OK)
		goto fail;
	for (i = 0; i < n; i++)
		if ((rc = record_one(db, tr, &pend[i], prof)) != OR_OK)
			goto fail;
	if ((rc = journal_commit(db->journal)) != OR_OK)
		goto fail;
	*issued = n;	/* recorded: from here on, they were issued */
	return journal_commit(tr->journal);
fail:
	for (i = 0; i < n; i++)
		if (pend[i].written && unlink(pend[i].copy) == 0)
			pend[i].written = false;
	return rc;
}

static int
load_profile(const char *dir, const struct sign_params *p,
    struct profile *prof)
{
	char path[PATH_MAX];
	const char *file = p->profiles_file;
	int rc;

	if (file == NULL) {
		if ((rc = cadb_path(dir, CADB_PROFILES, path, sizeof path)) !=
		    OR_OK)
			return rc;
		file = path;
	}
	if ((rc = profile_load(file, p->profile_name != NULL ?
	    p->profile_name : "intermediate", prof)) != OR_OK)
		return rc;
	if (!prof->is_ca) {
		profile_free(prof);
		return err_set(OR_E_POLICY, "profile %s is not a CA profile; "
		    "offroot signs CA certificates only", prof->name);
	}
	return OR_OK;
}

int
sign_run(const struct sign_params *p, struct interact *io,
    struct sign_result *res)
{
	struct keystore *ks = NULL;
	int rc;

	rc = sign_run_ks(p, &ks, io, res);
	keystore_close(ks);
	return rc;
}

int
sign_run_ks(const struct sign_params *p, struct keystore **ksp,
    struct interact *io, struct sign_result *res)
{
	struct cadb *db = NULL;
	struct keystore *ks = *ksp;
	struct transcript *tr = NULL;
	struct pending *pend = NULL;
	struct profile prof;
	enum keytype root_type;
	unsigned char *crlder = NULL;
	size_t crllen = 0, i, j;
	bool loaded = false, yes = false;
	X509 *root = NULL;
	char question[128];
	int rc;

	memset(res, 0, sizeof *res);
	if (p->ncsr == 0 || p->ncsr > SIGN_MAX_CSRS)
		return err_set(OR_E_USAGE, "give from 1 to %d CSRs",
		    SIGN_MAX_CSRS);
	if ((pend = calloc(p->ncsr, sizeof *pend)) == NULL)
		return err_set(OR_E_NOMEM, "out of memory");
	if ((rc = cadb_open(p->dir, &db)) != OR_OK ||
	    (rc = cadb_load_root(p->dir, &db->sum, &root)) != OR_OK)
		goto out;
	if ((rc = load_profile(p->dir, p, &prof)) != OR_OK)
		goto out;
	loaded = true;
	if (p->days < 0 || p->days > prof.validity_days) {
		rc = err_set(OR_E_POLICY, "--days %ld is longer than profile %s "
		    "allows (%ld)", p->days, prof.name, prof.validity_days);
		goto out;
	}
	if ((rc = check_media(p->outdir)) != OR_OK)
		goto out;
	root_type = keytype_of(X509_get0_pubkey(root));

	/* 1. Everything is checked before the key is touched.  Importing a
	 * CSR verifies its signature: that runs on every CPU. */
	for (i = 0; i < p->ncsr; i++)
		pend[i].path = p->csrs[i];
	if ((rc = workers_run(p->ncsr, load_job, NULL, pend, 0)) != OR_OK)
		goto out;
	for (i = 0; i < p->ncsr; i++) {
		if ((rc = prepare(&pend[i], root, X509_get0_pubkey(root),
		    root_type, &prof, p->days, io)) != OR_OK)
			goto out;
		for (j = 0; j < i; j++)
			if (memcmp(pend[j].csr.pubkey_sha256,
			    pend[i].csr.pubkey_sha256, 32) == 0) {
				rc = err_set(OR_E_POLICY, "%s and %s carry the "
				    "same public key", pend[j].path,
				    pend[i].path);
				goto out;
			}
	}
	for (i = 0; i < p->ncsr; i++)
		review(io, i, p->ncsr, &pend[i], &prof);
	snprintf(question, sizeof question, "Sign %zu certificate%s with the "
	    "root key?", p->ncsr, p->ncsr == 1 ? "" : "s");
	if ((rc = io->confirm(io, question, &yes)) != OR_OK)
		goto out;
	if (!yes) {
		rc = err_set(OR_E_CANCEL, "not signed: the officer declined");
		goto out;
	}

	/* 2. The key (the caller's, when it is already unlocked). */
	if (ks == NULL) {
		if ((rc = cadb_unlock(db, root, io, ksp)) != OR_OK)
			goto out;
		ks = *ksp;
	} else if ((rc = keystore_prove(ks, X509_get0_pubkey(root))) != OR_OK)
		goto out;
	if ((rc = transcript_begin(p->dir, "sign", &tr)) != OR_OK ||
	    (rc = journal_hold(tr->journal)) != OR_OK)
		goto out;
	for (i = 0; i < p->ncsr; i++) {
		char csrhex[65], pkhex[65];

		hex_encode(pend[i].csr.csr_sha256, 32, csrhex);
		hex_encode(pend[i].csr.pubkey_sha256, 32, pkhex);
		struct jfields f;

		jf_init(&f);
		jf_add(&f, "file", pend[i].path);
		jf_add(&f, "subject", pend[i].csr.subject);
		jf_add(&f, "csr_sha256", csrhex);
		jf_add(&f, "pubkey_sha256", pkhex);
		jf_add(&f, "profile", prof.name);
		if ((rc = transcript_add(tr, "reviewed", &f)) != OR_OK)
			goto out;
	}
	if ((rc = journal_commit(tr->journal)) != OR_OK)
		goto out;
	if ((rc = issue_all(db, tr, pend, p->ncsr, root, ks, &prof, io,
	    &res->issued)) != OR_OK)
		goto out;

	/* 3. The CRL that goes with the bundle, the sealed transcript, and
	 * the bundle itself. */
	if ((rc = crl_current_or_new(db, root, ks, io, &crlder, &crllen)) !=
	    OR_OK || (rc = transcript_finish(tr, db->journal, ks)) != OR_OK ||
	    (rc = export_bundle(db, root, ks, pend, p->ncsr, tr->path, crlder,
	    crllen, p->outdir, res)) != OR_OK)
		goto out;
	rc = OR_OK;
out:
	if (rc != OR_OK && res->issued > 0)
		rc = err_context(rc, "%zu certificate%s issued and recorded, "
		    "but the bundle was not written (offroot export can write "
		    "it again)", res->issued, res->issued == 1 ? "" : "s");
	for (i = 0; pend != NULL && i < p->ncsr; i++) {
		if (pend[i].have_csr)
			csr_free(&pend[i].csr);
		X509_free(pend[i].tbs);
		X509_free(pend[i].cert);
		free(pend[i].pem);
	}
	free(pend);
	free(crlder);
	transcript_free(tr);
	X509_free(root);
	if (loaded)
		profile_free(&prof);
	cadb_close(db);
	return rc;
}

struct find_ctx {
	const struct export_params *p;
	struct pending *pend;
	char (*file)[96];
	char (*sha)[65];
};

static int
find_issued(const struct jrecord *r, void *vctx)
{
	struct find_ctx *c = vctx;
	const char *serial, *file, *sha;
	size_t i;

	if (strcmp(r->type, "issue") != 0 ||
	    (serial = jrecord_get(r, "serial")) == NULL)
		return OR_OK;
	file = jrecord_get(r, "file");
	sha = jrecord_get(r, "file_sha256");
	for (i = 0; i < c->p->nserial; i++)
		if (strcmp(serial, c->pend[i].serial) == 0 && file != NULL &&
		    sha != NULL) {
			snprintf(c->file[i], sizeof c->file[i], "%s", file);
			snprintf(c->sha[i], sizeof c->sha[i], "%s", sha);
		}
	return OR_OK;
}

int
sign_export(const struct export_params *p, struct interact *io,
    struct sign_result *res)
{
	struct keystore *ks = NULL;
	int rc;

	rc = sign_export_ks(p, &ks, io, res);
	keystore_close(ks);
	return rc;
}

int
sign_export_ks(const struct export_params *p, struct keystore **ksp,
    struct interact *io, struct sign_result *res)
{
	struct cadb *db = NULL;
	struct keystore *ks = *ksp;
	struct transcript *tr = NULL;
	struct pending *pend = NULL;
	struct cadb_summary sum;
	struct find_ctx fc;
	char (*file)[96] = NULL, (*sha)[65] = NULL, path[PATH_MAX], hex[65];
	char dir[PATH_MAX];
	unsigned char *crlder = NULL;
	size_t crllen = 0, i, k;
	X509 *root = NULL;
	int rc;

	memset(res, 0, sizeof *res);
	if (p->nserial == 0 || p->nserial > SIGN_MAX_CSRS)
		return err_set(OR_E_USAGE, "give from 1 to %d serials",
		    SIGN_MAX_CSRS);
	pend = calloc(p->nserial, sizeof *pend);
	file = calloc(p->nserial, sizeof *file);
	sha = calloc(p->nserial, sizeof *sha);
	if (pend == NULL || file == NULL || sha == NULL) {
		rc = err_set(OR_E_NOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < p->nserial; i++) {
		const char *s = p->serials[i];

		for (k = 0; s[k] != '\0' && k + 1 < sizeof pend[i].serial; k++)
			pend[i].serial[k] = (char)tolower((unsigned char)s[k]);
		pend[i].serial[k] = '\0';
		while (pend[i].serial[0] == '0' && pend[i].serial[1] != '\0')
			memmove(pend[i].serial, pend[i].serial + 1,
			    strlen(pend[i].serial));
		pend[i].path = p->serials[i];
	}
	if ((rc = cadb_open(p->dir, &db)) != OR_OK ||
	    (rc = cadb_load_root(p->dir, &db->sum, &root)) != OR_OK ||
	    (rc = check_media(p->outdir)) != OR_OK)
		goto out;
	fc.p = p;
	fc.pend = pend;
	fc.file = file;
	fc.sha = sha;
	if ((rc = cadb_scan(p->dir, &sum, find_issued, &fc)) != OR_OK)
		goto out;
	for (i = 0; i < p->nserial; i++) {
		if (file[i][0] == '\0') {
			rc = err_set(OR_E_INPUT, "serial %s was not issued by "
			    "this CA", p->serials[i]);
			goto out;
		}
		if ((rc = cadb_path(p->dir, CADB_ISSUED, dir, sizeof dir)) !=
		    OR_OK || (rc = file_join(path, sizeof path, dir, file[i]))
		    != OR_OK || (rc = file_sha256_hex(path, hex)) != OR_OK ||
		    (rc = load_cert_file(path, &pend[i].cert)) != OR_OK)
			goto out;
		if (strcmp(hex, sha[i]) != 0) {
			rc = err_set(OR_E_CORRUPT, "%s differs from what the "
			    "journal recorded", path);
			goto out;
		}
		safe_cn(pend[i].cert, pend[i].cn, sizeof pend[i].cn);
	}
	if (ks == NULL) {
		if ((rc = cadb_unlock(db, root, io, ksp)) != OR_OK)
			goto out;
		ks = *ksp;
	} else if ((rc = keystore_prove(ks, X509_get0_pubkey(root))) != OR_OK)
		goto out;
	if ((rc = transcript_begin(p->dir, "export", &tr)) != OR_OK)
		goto out;
	if (p->reason != NULL) {
		struct jfields f;

		jf_init(&f);
		jf_add(&f, "reason", p->reason);
		if ((rc = transcript_add(tr, "reason", &f)) != OR_OK)
			goto out;
	}
	for (i = 0; i < p->nserial; i++) {
		struct jfields f;

		jf_init(&f);
		jf_add(&f, "serial", pend[i].serial);
		if ((rc = transcript_add(tr, "exported", &f)) != OR_OK)
			goto out;
	}
	if ((rc = crl_current_or_new(db, root, ks, io, &crlder, &crllen)) !=
	    OR_OK || (rc = transcript_finish(tr, db->journal, ks)) != OR_OK ||
	    (rc = export_bundle(db, root, ks, pend, p->nserial, tr->path,
	    crlder, crllen, p->outdir, res)) != OR_OK)
		goto out;
	res->issued = p->nserial;
out:
	for (i = 0; pend != NULL && i < p->nserial; i++)
		X509_free(pend[i].cert);
	free(pend);
	free(file);
	free(sha);
	free(crlder);
	transcript_free(tr);
	X509_free(root);
	cadb_close(db);
	return rc;
}
