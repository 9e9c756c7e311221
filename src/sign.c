/*
 * sign.c — signing CSRs and exporting the signed bundle (sign.h): the
 * engine behind offroot sign and export and the ceremony's signing and
 * export steps.  Each run follows op.h: every CSR imported, built, linted
 * and reviewed before the key is unlocked; then the certificates signed
 * and recorded, the CRL that goes with them, the transcript sealed, and
 * only then the bundle written to the media.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
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
#include "names.h"
#include "op.h"
#include "pgpwords.h"
#include "profile.h"
#include "recover.h"
#include "sign.h"
#include "transcript.h"
#include "util.h"
#include "workers.h"

/* A finding no blanket yes answers (interact_override), and how the run
 * went on despite it. */
struct hazard {
	const char *check;	/* "mixed-scripts", "similar-subject", ... */
	char text[1024];	/* the file, then a finding (448) */
	char how[64];
};

#define PENDING_HAZARDS	4

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
	time_t reviewed_at;	/* the time notBefore was set from */
	long backdate;		/* the profile's, in seconds */
	char revoked[160];	/* export --include-revoked: why, else "" */
	struct hazard hz[PENDING_HAZARDS];
	size_t nhz;
};

/* Adds a finding to pd's (the first PENDING_HAZARDS of them); once: a
 * later finding of the same check replaces the earlier one. */
static void __attribute__((format(printf, 4, 5)))
hazard_add(struct pending *pd, const char *check, bool once,
    const char *fmt, ...)
{
	struct hazard *h = NULL;
	va_list ap;
	size_t i;

	for (i = 0; once && i < pd->nhz; i++)
		if (strcmp(pd->hz[i].check, check) == 0)
			h = &pd->hz[i];
	if (h == NULL) {
		if (pd->nhz == PENDING_HAZARDS)
			return;
		h = &pd->hz[pd->nhz++];
	}
	h->check = check;
	va_start(ap, fmt);
	vsnprintf(h->text, sizeof h->text, fmt, ap);
	va_end(ap);
}

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

/* One certificate's files in the bundle, under prefix ("" or
 * "NAME-SERIAL/"): certificate.pem, chain.pem (it, then the root) and
 * vault-set-signed.json (Vault's intermediate/set-signed body). */
static int
bundle_add_cert(struct bundle *b, const struct pending *pd, const char *prefix,
    const char *rootpem, size_t rootlen)
{
	char *certpem = NULL, *chain = NULL, *json = NULL, name[256];
	size_t certlen = 0, jlen = 0;
	struct json j;
	FILE *mem;
	int rc;

	if ((rc = cert_to_pem(pd->cert, &certpem, &certlen)) != OR_OK)
		return rc;
	if ((chain = malloc(certlen + rootlen + 1)) == NULL) {
		rc = err_set(OR_E_NOMEM, "out of memory");
		goto out;
	}
	memcpy(chain, certpem, certlen);
	memcpy(chain + certlen, rootpem, rootlen);
	chain[certlen + rootlen] = '\0';
	snprintf(name, sizeof name, "%scertificate.pem", prefix);
	if ((rc = bundle_add(b, name, certpem, certlen)) != OR_OK)
		goto out;
	snprintf(name, sizeof name, "%schain.pem", prefix);
	if ((rc = bundle_add(b, name, chain, certlen + rootlen)) != OR_OK)
		goto out;
	if ((mem = open_memstream(&json, &jlen)) == NULL) {
		rc = err_set(OR_E_NOMEM, "out of memory");
		goto out;
	}
	json_begin(&j, mem);
	json_str(&j, "certificate", chain);
	json_end(&j);
	fclose(mem);
	snprintf(name, sizeof name, "%svault-set-signed.json", prefix);
	rc = bundle_add(b, name, json, jlen);
out:
	free(certpem);
	free(chain);
	free(json);
	return rc;
}

/* README.txt: what the bundle holds and how to check it. */
static int
bundle_add_readme(struct bundle *b, const struct pending *pend, size_t n,
    enum keytype t)
{
	char hint[256], listing[2048], *readme = NULL;
	size_t len = 0, i;
	FILE *mem;
	int rc;

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
	manifest_verify_hint(t, hint, sizeof hint);
	if ((mem = open_memstream(&readme, &len)) == NULL)
		return err_set(OR_E_NOMEM, "out of memory");
	/* Exported with --include-revoked: said first, before anything that
	 * reads like an instruction to install it. */
	for (i = 0; i < n; i++)
		if (pend[i].revoked[0] != '\0')
			fprintf(mem, "WARNING: certificate serial %s is REVOKED "
			    "(%s). Do not install it; crl.pem lists it.\n\n",
			    pend[i].serial, pend[i].revoked);
	fprintf(mem, readme_text, listing, hint);
	fclose(mem);
	rc = bundle_add(b, "README.txt", readme, len);
	free(readme);
	return rc;
}

/* Assembles and writes the bundle for the issued certificates, signs its
 * MANIFEST and records the export, then renames the bundle into place:
 * a complete bundle never exists without its export record. */
static int
export_bundle(struct cadb *db, X509 *root, struct keystore *ks,
    struct pending *pend, size_t n, const char *transcript_path,
    const unsigned char *crlder, size_t crllen, const char *outdir,
    struct sign_result *res)
{
	struct bundle b = { 0 };
	char *rootpem = NULL, *crlpem = NULL, prefix[160], mhex[65], count[24];
	char stage[PATH_MAX] = "";
	unsigned char *tdata = NULL;
	size_t rootlen = 0, crlpemlen = 0, tlen = 0, i;
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
		if (n == 1)
			prefix[0] = '\0';
		else
			snprintf(prefix, sizeof prefix, "%s-%.32s/", pend[i].cn,
			    pend[i].serial);
		if ((rc = bundle_add_cert(&b, &pend[i], prefix, rootpem,
		    rootlen)) != OR_OK)
			goto out;
	}
	if ((rc = bundle_add_readme(&b, pend, n, ks->type)) != OR_OK ||
	    (rc = bundle_stage(&b, outdir, ks, keytype_default_digest(ks->type),
	    res->manifest_sha256, stage, sizeof stage)) != OR_OK)
		goto out;
	hex_encode(res->manifest_sha256, 32, mhex);
	snprintf(count, sizeof count, "%zu", n);
	if ((rc = record_export(db, outdir, mhex, count, pend, n)) != OR_OK) {
		bundle_unstage(stage);
		goto out;
	}
	/* Recorded: a failure now leaves the complete bundle staged. */
	if ((rc = bundle_publish(stage, outdir)) != OR_OK)
		rc = err_context(rc, "the export is recorded, but the bundle "
		    "is still in %s", stage);
out:
	bundle_free(&b);
	free(rootpem);
	free(crlpem);
	free(tdata);
	return rc;
}

/* Folds each run of white space that holds a line break in the n bytes
 * of s (a BIO's buffer) into one space, in place; the new length. */
static long
one_line(char *s, long n)
{
	long r, w = 0, k;
	bool brk;

	for (r = 0; s != NULL && r < n; ) {
		if (s[r] != '\n' && s[r] != '\r') {
			s[w++] = s[r++];
			continue;
		}
		for (brk = false, k = r; k < n && (s[k] == '\n' ||
		    s[k] == '\r' || s[k] == ' ' || s[k] == '\t'); k++)
			brk = true;
		while (w > 0 && (s[w - 1] == ' ' || s[w - 1] == '\t'))
			w--;
		if (brk && k < n)
			s[w++] = ' ';
		r = k;
	}
	return w;
}

/* What the officer compares before the key is unlocked. */
static void
review(struct interact *io, size_t i, size_t n, const struct pending *pd,
    const struct profile *prof)
{
	char block[8192], fp[1024], when[2][21], title[128], bd[32];
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
	profile_backdate_text(pd->backdate, bd, sizeof bd);
	if (pd->reviewed_at - pd->not_before == pd->backdate)
		ADD("backdate:    %s (notBefore = now - %s, for clocks "
		    "behind this one)\n", bd, bd);
	else
		ADD("backdate:    %s, cut short: notBefore is the root's "
		    "notBefore\n", bd);
	exts = X509_get0_extensions(pd->tbs);
	for (k = 0; k < sk_X509_EXTENSION_num(exts); k++) {
		X509_EXTENSION *e = sk_X509_EXTENSION_value(exts, k);
		BIO *bio = BIO_new(BIO_s_mem());
		char oid[80], *val = NULL;
		long vlen = 0;

		OBJ_obj2txt(oid, sizeof oid, X509_EXTENSION_get_object(e), 0);
		if (bio != NULL && X509V3_EXT_print(bio, e, 0, 0) == 1)
			vlen = BIO_get_mem_data(bio, &val);
		/* One line per extension: OpenSSL prints some (the CRL
		 * distribution points) over several. */
		vlen = one_line(val, vlen);
		ADD("  %s%s: %.*s\n", oid, X509_EXTENSION_get_critical(e) ?
		    " (critical)" : "", (int)(vlen > 200 ? 200 : vlen),
		    val != NULL ? val : "");
		BIO_free(bio);
	}
	fingerprint_block(pd->csr.file_sha256, fp, sizeof fp);
	ADD("SHA-256 of the CSR file as on the media (sha256sum FILE):\n%s",
	    fp);
	fingerprint_block(pd->csr.csr_sha256, fp, sizeof fp);
	ADD("SHA-256 of the CSR's DER (openssl req -in FILE -outform DER | "
	    "sha256sum):\n%s", fp);
	fingerprint_block(pd->csr.pubkey_sha256, fp, sizeof fp);
	ADD("SHA-256 of its public key:\n%s", fp);
#undef ADD
	snprintf(title, sizeof title, "Request %zu of %zu", i + 1, n);
	io->show_block(io, title, block);
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
    const struct cadb_summary *sum, struct interact *io)
{
	struct issue_request req;
	struct lint_report lint;
	time_t now = time(NULL), root_na;
	size_t i;
	int rc;

	if (!profile_allows_key(prof, pd->csr.pubkey))
		return err_set(OR_E_POLICY, "%s: profile %s does not allow %s "
		    "keys", pd->path, prof->name, pd->csr.key_name);
	if (EVP_PKEY_eq(pd->csr.pubkey, root_pub) == 1)
		return err_set(OR_E_POLICY, "%s: the CSR carries the root's own "
		    "public key", pd->path);
	if (days == 0)
		days = prof->validity_days;
	/* Backdated (profile backdate), never before the root's notBefore;
	 * the N days count from there (profile.h). */
	pd->reviewed_at = now;
	pd->backdate = profile_backdate(prof, false);
	pd->not_before = issue_not_before(prof, root, now);
	pd->not_after = pd->not_before + (time_t)days * 86400 - 1;
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
	req.crl_url = sum->crl_url;
	req.ca_issuers_url = sum->ca_issuers_url;
	if ((rc = issue_build(&req, &pd->tbs)) != OR_OK)
		return err_context(rc, "%s", pd->path);
	rc = issue_lint(pd->tbs, root, prof, &lint);
	lint_say(io, pd->path, &lint);
	if (rc != OR_OK)
		return err_context(rc, "%s", pd->path);
	/* A name that mixes scripts is signed only on an explicit override. */
	for (i = 0; i < lint.n; i++)
		if (strcmp(lint.f[i].code, "w_name_mixed_scripts") == 0)
			hazard_add(pd, "mixed-scripts", false, "%s: %s", pd->path,
			    lint.f[i].text);
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

/* The profile the requests are signed under, and --days within it. */
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
	if (!prof->is_ca)
		rc = err_set(OR_E_POLICY, "profile %s is not a CA profile; "
		    "offroot signs CA certificates only", prof->name);
	else if (p->days < 0 || p->days > prof->validity_days)
		rc = err_set(OR_E_POLICY, "--days %ld is longer than profile %s "
		    "allows (%ld)", p->days, prof->name, prof->validity_days);
	if (rc != OR_OK)
		profile_free(prof);
	return rc;
}

/* Imports every CSR (verifying its signature: that runs on every CPU),
 * then builds and lints each certificate; one public key twice in a batch
 * is refused.  Nothing is signed. */
static int
check_requests(const struct sign_params *p, struct pending *pend, X509 *root,
    const struct profile *prof, const struct cadb_summary *sum,
    struct interact *io)
{
	enum keytype root_type = keytype_of(X509_get0_pubkey(root));
	size_t i, j;
	int rc;

	/* A profile's own crlDistributionPoints or authorityInfoAccess
	 * line wins over the CA's setting (publish.h): say so. */
	for (i = 0; i < prof->next; i++)
		if ((prof->ext[i].nid == NID_crl_distribution_points &&
		    sum->crl_url[0] != '\0') ||
		    (prof->ext[i].nid == NID_info_access &&
		    sum->ca_issuers_url[0] != '\0'))
			interact_say(io, SAY_WARN, "profile %s writes its own "
			    "%s: the CA's %s (%s) is not used", prof->name,
			    prof->ext[i].name,
			    prof->ext[i].nid == NID_info_access ?
			    "ca-issuers-url" : "crl-url",
			    prof->ext[i].nid == NID_info_access ?
			    sum->ca_issuers_url : sum->crl_url);

	for (i = 0; i < p->ncsr; i++)
		pend[i].path = p->csrs[i];
	if ((rc = workers_run(p->ncsr, load_job, NULL, pend, 0)) != OR_OK)
		return rc;
	for (i = 0; i < p->ncsr; i++) {
		if ((rc = prepare(&pend[i], root, X509_get0_pubkey(root),
		    root_type, prof, p->days, sum, io)) != OR_OK)
			return rc;
		/* A serial the root signed once, even a certificate set
		 * aside after a crash, is never signed again. */
		if (recover_serial_used(p->dir, pend[i].serial))
			return err_set(OR_E_EXISTS, "%s: serial %s was drawn, "
			    "but the root signed it before (issued/ or %s/ "
			    "holds it); run sign again to draw another",
			    pend[i].path, pend[i].serial, RECOVER_QUARANTINE);
		for (j = 0; j < i; j++)
			if (memcmp(pend[j].csr.pubkey_sha256,
			    pend[i].csr.pubkey_sha256, 32) == 0)
				return err_set(OR_E_POLICY, "%s and %s carry "
				    "the same public key", pend[j].path,
				    pend[i].path);
	}
	return OR_OK;
}

/* The officer reviews each request against what will be issued, then
 * confirms the batch. */
/*
 * BR 6.1.1.3: a key whose certificate this CA revoked for keyCompromise is
 * never certified again, under any profile.  The issuance records carry
 * each certificate's pubkey_sha256 and the journal's revocations their
 * reasons, so this is settled before the officer is asked and long before
 * the key is unlocked.
 */
struct compromised {
	const struct pending *pend;
	size_t n;
	struct revoke_db rdb;
	int key_compromise;
};

static int
compromised_visit(const struct jrecord *r, void *vctx)
{
	struct compromised *c = vctx;
	const struct revoke_entry *e;
	const char *pk, *ser;
	unsigned char md[SHA256_LEN];
	struct serial s;
	char when[UTC_TEXT_LEN + 1];
	size_t i;

	if (strcmp(r->type, "issue") != 0 ||
	    (pk = jrecord_get(r, "pubkey_sha256")) == NULL ||
	    (ser = jrecord_get(r, "serial")) == NULL ||
	    !hex_decode_lower(pk, md, sizeof md))
		return OR_OK;
	for (i = 0; i < c->n; i++) {
		if (memcmp(c->pend[i].csr.pubkey_sha256, md, sizeof md) != 0)
			continue;
		if (serial_parse(ser, strlen(ser), &s) != OR_OK) {
			err_clear();
			continue;
		}
		if ((e = revoke_db_find(&c->rdb, &s)) == NULL ||
		    e->reason != c->key_compromise)
			continue;
		utc_text((time_t)e->revoked_at, when);
		return err_set(OR_E_INPUT, "%s: its public key was certified "
		    "here as serial %s, revoked for keyCompromise at %s: a "
		    "compromised key is never certified again (BR 6.1.1.3)",
		    c->pend[i].path, ser, when);
	}
	return OR_OK;
}

static int
refuse_compromised(const char *dir, const struct pending *pend, size_t n)
{
	struct compromised c;
	char jpath[PATH_MAX];
	int rc;

	c.pend = pend;
	c.n = n;
	if ((rc = revoke_reason_parse("keyCompromise", &c.key_compromise)) !=
	    OR_OK || (rc = revoke_db_load(dir, REVOKE_DB_ENTRIES, &c.rdb)) !=
	    OR_OK)
		return rc;
	if (c.rdb.n > 0 &&
	    (rc = cadb_path(dir, CADB_JOURNAL, jpath, sizeof jpath)) == OR_OK)
		rc = journal_scan(jpath, compromised_visit, &c);
	revoke_db_free(&c.rdb);
	return rc;
}

int
sign_refuse_compromised(const char *dir, const unsigned char pk[32],
    const char *label)
{
	struct pending *pd;
	int rc;

	if ((pd = calloc(1, sizeof *pd)) == NULL)
		return err_set(OR_E_NOMEM, "out of memory");
	pd->path = label;
	memcpy(pd->csr.pubkey_sha256, pk, sizeof pd->csr.pubkey_sha256);
	rc = refuse_compromised(dir, pd, 1);
	free(pd);
	return rc;
}

/*
 * What this CA certified before, from the journal's issuance records
 * (their subject and pubkey_sha256), for each request:
 *  - the same public key and the same subject: the certificate would be
 *    issued twice (issue 13): an override, "reissue", naming the latest
 *    earlier serial and its expiry;
 *  - the same key under another subject: a warning (a renamed CA may keep
 *    its key), naming the serial;
 *  - another key, under a subject that differs from an earlier one only by
 *    case, whitespace or look-alike characters (names_skeleton): an
 *    override, "similar-subject", naming that serial.
 * The same subject with a new key is a renewal and says nothing.
 */
struct earlier {
	struct pending *pend;
	size_t n;
	char (*skel)[1024];	/* each request's subject's skeleton, or "" */
	struct interact *io;
	time_t now;
};

static int
earlier_visit(const struct jrecord *r, void *vctx)
{
	struct earlier *c = vctx;
	const char *pk, *ser, *subj, *na;
	unsigned char md[SHA256_LEN];
	char when[UTC_TEXT_LEN + 1], skel[1024];
	bool same_key, same_subject, have_skel;
	struct pending *pd;
	time_t end;
	size_t i;

	if (strcmp(r->type, "issue") != 0 ||
	    (pk = jrecord_get(r, "pubkey_sha256")) == NULL ||
	    (ser = jrecord_get(r, "serial")) == NULL ||
	    (subj = jrecord_get(r, "subject")) == NULL ||
	    !hex_decode_lower(pk, md, sizeof md))
		return OR_OK;
	end = (na = jrecord_get(r, "not_after")) != NULL ?
	    (time_t)strtoll(na, NULL, 10) : 0;
	utc_text(end, when);
	have_skel = names_skeleton(subj, skel, sizeof skel);
	for (i = 0; i < c->n; i++) {
		pd = &c->pend[i];
		same_key = memcmp(pd->csr.pubkey_sha256, md, sizeof md) == 0;
		same_subject = strcmp(pd->csr.subject, subj) == 0;
		if (same_key && same_subject) {
			hazard_add(pd, "reissue", true, "%s: this CA certified "
			    "this public key and subject before, as serial %s "
			    "(%s %s)", pd->path, ser, end < c->now ? "expired" :
			    "expires", when);
			continue;
		}
		if (same_key)
			interact_say(c->io, SAY_WARN, "%s: its public key was "
			    "certified here before as serial %s (%s %s) for "
			    "the subject \"%s\"", pd->path, ser, end < c->now ?
			    "expired" : "expires", when, subj);
		if (!same_subject && have_skel && c->skel[i][0] != '\0' &&
		    strcmp(c->skel[i], skel) == 0)
			hazard_add(pd, "similar-subject", true, "%s: subject "
			    "\"%s\" differs only by case, whitespace or "
			    "look-alike characters from \"%s\", certified as "
			    "serial %s", pd->path, pd->csr.subject, subj, ser);
	}
	return OR_OK;
}

static int
check_earlier(const char *dir, struct pending *pend, size_t n,
    struct interact *io)
{
	struct earlier c = { pend, n, NULL, io, time(NULL) };
	char jpath[PATH_MAX];
	size_t i;
	int rc;

	if ((c.skel = calloc(n, sizeof *c.skel)) == NULL)
		return err_set(OR_E_NOMEM, "out of memory");
	for (i = 0; i < n; i++)
		if (!names_skeleton(pend[i].csr.subject, c.skel[i],
		    sizeof c.skel[i]))
			c.skel[i][0] = '\0';
	if ((rc = cadb_path(dir, CADB_JOURNAL, jpath, sizeof jpath)) == OR_OK)
		rc = journal_scan(jpath, earlier_visit, &c);
	free(c.skel);
	return rc;
}

/* Each finding no blanket yes answers: its --allow- flag, or the face's
 * explicit confirmation (interact_override), or the run stops here. */
static int
confirm_hazards(const struct sign_params *p, struct pending *pend, size_t n,
    struct interact *io)
{
	struct hazard *h;
	bool allowed;
	size_t i, k;
	int rc;

	for (i = 0; i < n; i++)
		for (k = 0; k < pend[i].nhz; k++) {
			h = &pend[i].hz[k];
			allowed = strcmp(h->check, "mixed-scripts") == 0 ?
			    p->allow_mixed_scripts : strcmp(h->check,
			    "similar-subject") == 0 ? p->allow_similar_subject :
			    p->allow_reissue;
			if ((rc = interact_override(io, h->check, allowed,
			    h->text, h->how, sizeof h->how)) != OR_OK)
				return rc;
		}
	return OR_OK;
}

static int
confirm_requests(const struct sign_params *p, struct pending *pend, size_t n,
    const struct profile *prof, struct interact *io)
{
	const struct sign_hooks *hooks = p->hooks;
	char question[128];
	bool yes = false;
	size_t i;
	int rc;

	for (i = 0; i < n; i++)
		review(io, i, n, &pend[i], prof);
	if ((rc = confirm_hazards(p, pend, n, io)) != OR_OK)
		return rc;
	/* The ceremony's checks that come before the key (the witness
	 * compares each CSR's SHA-256 with the requester's value). */
	for (i = 0; hooks != NULL && hooks->csr != NULL && i < n; i++)
		if ((rc = hooks->csr(hooks->ctx, i, n, pend[i].path,
		    &pend[i].csr)) != OR_OK)
			return rc;
	if (hooks != NULL && hooks->ready != NULL &&
	    (rc = hooks->ready(hooks->ctx)) != OR_OK)
		return rc;
	snprintf(question, sizeof question, "Sign %zu certificate%s with the "
	    "root key?", n, n == 1 ? "" : "s");
	if ((rc = io->confirm(io, question, &yes)) != OR_OK)
		return rc;
	if (!yes)
		return err_set(OR_E_CANCEL, "not signed: the officer declined");
	return OR_OK;
}

/* The findings the run went on despite, and how (interact_override). */
static int
record_overrides(struct transcript *tr, const struct pending *pd)
{
	struct jfields f;
	size_t k;
	int rc;

	for (k = 0; k < pd->nhz; k++) {
		jf_init(&f);
		jf_add(&f, "file", pd->path);
		jf_add(&f, "check", pd->hz[k].check);
		jf_add(&f, "finding", pd->hz[k].text);
		jf_add(&f, "by", pd->hz[k].how);
		if ((rc = transcript_add(tr, "override", &f)) != OR_OK)
			return rc;
	}
	return OR_OK;
}

/* What the officer reviewed, in the transcript (one write). */
static int
record_reviewed(struct transcript *tr, const struct pending *pend, size_t n,
    const struct profile *prof)
{
	char csrhex[65], pkhex[65], filehex[65];
	struct jfields f;
	size_t i;
	int rc;

	if ((rc = journal_hold(tr->journal)) != OR_OK)
		return rc;
	for (i = 0; i < n; i++) {
		hex_encode(pend[i].csr.csr_sha256, 32, csrhex);
		hex_encode(pend[i].csr.pubkey_sha256, 32, pkhex);
		hex_encode(pend[i].csr.file_sha256, 32, filehex);
		jf_init(&f);
		jf_add(&f, "file", pend[i].path);
		jf_add(&f, "subject", pend[i].csr.subject);
		jf_add(&f, "csr_sha256", csrhex);
		jf_add(&f, "csr_file_sha256", filehex);
		jf_add(&f, "pubkey_sha256", pkhex);
		jf_add(&f, "profile", prof->name);
		jf_add_i64(&f, "backdate", pend[i].backdate);
		jf_add_i64(&f, "not_before", (int64_t)pend[i].not_before);
		if ((rc = transcript_add(tr, "reviewed", &f)) != OR_OK ||
		    (rc = record_overrides(tr, &pend[i])) != OR_OK)
			break;
	}
	if (rc == OR_OK)
		rc = journal_commit(tr->journal);
	else
		journal_drop(tr->journal);
	return rc;
}

/*
 * The CRL that goes with the bundle (the current one, or a new one), then
 * the transcript closed and sealed (it goes into the bundle), then the
 * bundle.  A failure after the seal is not in the transcript: the caller
 * reports it.
 */
static int
bundle_out(struct op *op, struct pending *pend, size_t n, const char *outdir,
    struct interact *io, struct sign_result *res)
{
	unsigned char *crlder = NULL;
	size_t crllen = 0;
	int rc;

	if ((rc = crl_current_or_new(op->db, op->root, op->ks, io, &crlder,
	    &crllen)) == OR_OK && (rc = op_finish(op)) == OR_OK)
		rc = export_bundle(op->db, op->root, op->ks, pend, n,
		    op->tr->path, crlder, crllen, outdir, res);
	free(crlder);
	return rc;
}

static void
pending_free(struct pending *pend, size_t n)
{
	size_t i;

	for (i = 0; pend != NULL && i < n; i++) {
		if (pend[i].have_csr)
			csr_free(&pend[i].csr);
		X509_free(pend[i].tbs);
		X509_free(pend[i].cert);
		free(pend[i].pem);
	}
	free(pend);
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

/* In the order of op.h: every check before the key, then sign, record,
 * seal and write the bundle. */
int
sign_run_ks(const struct sign_params *p, struct keystore **ksp,
    struct interact *io, struct sign_result *res)
{
	const struct op_output outs[] = {
		{ p->outdir, OP_NEW_FOLDER }, { NULL, 0 }
	};
	struct pending *pend = NULL;
	struct profile prof;
	bool loaded = false;
	struct op op;
	int rc;

	memset(res, 0, sizeof *res);
	if (p->ncsr == 0 || p->ncsr > SIGN_MAX_CSRS)
		return err_set(OR_E_USAGE, "give from 1 to %d CSRs",
		    SIGN_MAX_CSRS);
	if ((pend = calloc(p->ncsr, sizeof *pend)) == NULL)
		return err_set(OR_E_NOMEM, "out of memory");
	/* 1. The CA, the bundle's folder, the profile, every request, and
	 * the officer's confirmation: all before the key is touched. */
	if ((rc = op_begin(&op, p->dir, "sign", outs, io)) != OR_OK ||
	    (rc = load_profile(p->dir, p, &prof)) != OR_OK)
		goto out;
	loaded = true;
	if ((rc = check_requests(p, pend, op.root, &prof, &op.db->sum, io)) !=
	    OR_OK ||
	    (rc = refuse_compromised(p->dir, pend, p->ncsr)) != OR_OK ||
	    (rc = check_earlier(p->dir, pend, p->ncsr, io)) != OR_OK ||
	    (rc = confirm_requests(p, pend, p->ncsr, &prof, io)) != OR_OK)
		goto out;
	/* 2. The key (the caller's, when it is already unlocked), the review
	 * on record, the certificates signed and recorded. */
	if ((rc = op_unlock(&op, io, ksp)) != OR_OK ||
	    (p->hooks != NULL && p->hooks->unlocked != NULL &&
	    (rc = p->hooks->unlocked(p->hooks->ctx)) != OR_OK) ||
	    (rc = record_reviewed(op.tr, pend, p->ncsr, &prof)) != OR_OK ||
	    (rc = issue_all(op.db, op.tr, pend, p->ncsr, op.root, op.ks,
	    &prof, io, &res->issued)) != OR_OK)
		goto out;
	/* 3. The CRL, the sealed transcript, the bundle. */
	rc = bundle_out(&op, pend, p->ncsr, p->outdir, io, res);
out:
	if (rc != OR_OK && res->issued > 0)
		rc = err_context(rc, "%zu certificate%s issued and recorded, "
		    "but the bundle was not written (offroot export can write "
		    "it again)", res->issued, res->issued == 1 ? "" : "s");
	rc = op_fail(&op, rc);
	pending_free(pend, p->ncsr);
	if (loaded)
		profile_free(&prof);
	op_end(&op);
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

/* One pending entry per serial asked for, in the journal's form
 * (lowercase, no leading zeros). */
static struct pending *
export_pending(const struct export_params *p)
{
	struct pending *pend;
	size_t i, k;

	if ((pend = calloc(p->nserial, sizeof *pend)) == NULL)
		return NULL;
	for (i = 0; i < p->nserial; i++) {
		const char *s = p->serials[i];
		char *out = pend[i].serial;

		for (k = 0; s[k] != '\0' && k + 1 < sizeof pend[i].serial; k++)
			out[k] = (char)tolower((unsigned char)s[k]);
		out[k] = '\0';
		while (out[0] == '0' && out[1] != '\0')
			memmove(out, out + 1, strlen(out));
		pend[i].path = p->serials[i];
	}
	return pend;
}

/* Each certificate as issued/ keeps it, checked against the digest its
 * issue record names.  fc: what find_issued gathered. */
static int
export_load(const struct export_params *p, struct find_ctx *fc)
{
	char dir[PATH_MAX], path[PATH_MAX], hex[65];
	struct pending *pd;
	size_t i;
	int rc;

	if ((rc = cadb_path(p->dir, CADB_ISSUED, dir, sizeof dir)) != OR_OK)
		return rc;
	for (i = 0; i < p->nserial; i++) {
		pd = &fc->pend[i];
		if (fc->file[i][0] == '\0')
			return err_set(OR_E_INPUT, "serial %s was not issued by "
			    "this CA", p->serials[i]);
		if ((rc = file_join(path, sizeof path, dir, fc->file[i])) !=
		    OR_OK || (rc = file_sha256_hex(path, hex)) != OR_OK ||
		    (rc = load_cert_file(path, &pd->cert)) != OR_OK)
			return rc;
		if (strcmp(hex, fc->sha[i]) != 0)
			return err_set(OR_E_CORRUPT, "%s differs from what the "
			    "journal recorded", path);
		safe_cn(pd->cert, pd->cn, sizeof pd->cn);
	}
	return OR_OK;
}

/* A revoked certificate is exported only when asked for by name
 * (--include-revoked), and then its bundle says so. */
static int
export_check_revoked(const struct export_params *p, struct pending *pend)
{
	const struct revoke_entry *e;
	struct revoke_db rdb;
	struct serial s;
	char when[UTC_TEXT_LEN + 1];
	size_t i;
	int rc;

	if ((rc = revoke_db_load(p->dir, REVOKE_DB_ENTRIES, &rdb)) != OR_OK)
		return rc;
	for (i = 0; i < p->nserial && rc == OR_OK; i++) {
		if ((rc = serial_from_asn1(X509_get0_serialNumber(pend[i].cert),
		    &s)) != OR_OK || (e = revoke_db_find(&rdb, &s)) == NULL)
			continue;
		utc_text((time_t)e->revoked_at, when);
		if (!p->include_revoked)
			rc = err_set(OR_E_INPUT, "serial %s is revoked (%s at "
			    "%s): give --include-revoked to export it anyway",
			    p->serials[i], revoke_reason_name(e->reason), when);
		else
			snprintf(pend[i].revoked, sizeof pend[i].revoked,
			    "%s at %s", revoke_reason_name(e->reason), when);
	}
	revoke_db_free(&rdb);
	return rc;
}

/* Why and what is exported, in the transcript. */
static int
record_exported(struct transcript *tr, const struct export_params *p,
    const struct pending *pend)
{
	struct jfields f;
	size_t i;
	int rc;

	if (p->reason != NULL) {
		jf_init(&f);
		jf_add(&f, "reason", p->reason);
		if ((rc = transcript_add(tr, "reason", &f)) != OR_OK)
			return rc;
	}
	for (i = 0; i < p->nserial; i++) {
		jf_init(&f);
		jf_add(&f, "serial", pend[i].serial);
		if ((rc = transcript_add(tr, "exported", &f)) != OR_OK)
			return rc;
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

/* In the order of op.h, as sign_run_ks: the certificates found and
 * checked before the key, then the bundle. */
int
sign_export_ks(const struct export_params *p, struct keystore **ksp,
    struct interact *io, struct sign_result *res)
{
	const struct op_output outs[] = {
		{ p->outdir, OP_NEW_FOLDER }, { NULL, 0 }
	};
	struct find_ctx fc = { p, NULL, NULL, NULL };
	struct op op;
	int rc;

	memset(res, 0, sizeof *res);
	memset(&op, 0, sizeof op);
	if (p->nserial == 0 || p->nserial > SIGN_MAX_CSRS)
		return err_set(OR_E_USAGE, "give from 1 to %d serials",
		    SIGN_MAX_CSRS);
	fc.pend = export_pending(p);
	fc.file = calloc(p->nserial, sizeof *fc.file);
	fc.sha = calloc(p->nserial, sizeof *fc.sha);
	if (fc.pend == NULL || fc.file == NULL || fc.sha == NULL) {
		rc = err_set(OR_E_NOMEM, "out of memory");
		goto out;
	}
	/* 1. The CA (its one journal pass finds the issue records), the
	 * bundle's folder, the certificates: before the key. */
	if ((rc = op_begin_visit(&op, p->dir, "export", outs, find_issued,
	    &fc, io)) != OR_OK || (rc = export_load(p, &fc)) != OR_OK ||
	    (rc = export_check_revoked(p, fc.pend)) != OR_OK)
		goto out;
	/* 2. The key, the export on record, the CRL, the seal, the bundle. */
	if ((rc = op_unlock(&op, io, ksp)) != OR_OK ||
	    (rc = record_exported(op.tr, p, fc.pend)) != OR_OK ||
	    (rc = bundle_out(&op, fc.pend, p->nserial, p->outdir, io, res)) !=
	    OR_OK)
		goto out;
	res->issued = p->nserial;
out:
	rc = op_fail(&op, rc);
	pending_free(fc.pend, p->nserial);
	free(fc.file);
	free(fc.sha);
	op_end(&op);
	return rc;
}
