/*
 * cross.c — cross-certifying another CA (see cross.h): its certificate
 * imported and checked, the cross-certificate built from a profile and
 * linted, its fingerprint confirmed as verified out of band, all before
 * the key; then signed, recorded as an issuance, and exported as a
 * signed bundle.
 */
#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "bundle.h"
#include "cacert.h"
#include "cadb.h"
#include "crl.h"
#include "cross.h"
#include "err.h"
#include "fileio.h"
#include "issue.h"
#include "keystore.h"
#include "lint.h"
#include "op.h"
#include "pgpwords.h"
#include "profile.h"
#include "recover.h"
#include "sign.h"
#include "transcript.h"
#include "util.h"

#define CROSS_TRIES	3

/* One run's state. */
struct cross {
	const struct cross_params *p;
	struct cacert_info other;
	struct profile prof;
	bool have_prof;
	X509 *tbs, *cert;
	char serial[64];
	time_t not_before, not_after;
	char how[64];		/* how a mixed-scripts finding was passed */
	bool mixed;
	char mixed_text[PATH_MAX + 512];	/* the file, then the finding */
	char method[32];	/* how the fingerprint was confirmed */
	char typed[160];
	char copy[PATH_MAX], file[96];
	char *pem;
	size_t pemlen;
};

static int
serial_text(X509 *x, char *out, size_t size)
{
	BIGNUM *bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(x), NULL);
	char *hex = bn != NULL ? BN_bn2hex(bn) : NULL;
	size_t i;

	BN_free(bn);
	if (hex == NULL)
		return err_openssl(OR_E_CRYPTO, "serial number");
	for (i = 0; hex[i] == '0' && hex[i + 1] != '\0'; i++)
		;
	snprintf(out, size, "%s", hex + i);
	OPENSSL_free(hex);
	for (i = 0; out[i] != '\0'; i++)
		out[i] = (char)tolower((unsigned char)out[i]);
	return OR_OK;
}

static int
load_profile(struct cross *x)
{
	const struct cross_params *p = x->p;
	char path[PATH_MAX];
	const char *file = p->profiles_file;
	int rc;

	if (p->profile_name == NULL)
		return err_set(OR_E_USAGE, "cross-sign needs --profile: the "
		    "profile sets the cross-certificate's path length, "
		    "validity and name constraints");
	if (file == NULL) {
		if ((rc = cadb_path(p->dir, CADB_PROFILES, path, sizeof path))
		    != OR_OK)
			return rc;
		file = path;
	}
	if ((rc = profile_load(file, p->profile_name, &x->prof)) != OR_OK)
		return rc;
	x->have_prof = true;
	if (!x->prof.is_ca)
		return err_set(OR_E_POLICY, "profile %s is not a CA profile; a "
		    "cross-certificate certifies a CA", x->prof.name);
	if (p->days < 0 || p->days > x->prof.validity_days)
		return err_set(OR_E_POLICY, "--days %ld is longer than profile "
		    "%s allows (%ld)", p->days, x->prof.name,
		    x->prof.validity_days);
	return OR_OK;
}

/* A key this CA certified before: said, naming the serial. */
struct earlier {
	const unsigned char *pk;
	const char *label;
	struct interact *io;
};

static int
earlier_visit(const struct jrecord *r, void *vctx)
{
	struct earlier *e = vctx;
	unsigned char md[SHA256_LEN];
	const char *pk, *ser;

	if (strcmp(r->type, "issue") != 0 ||
	    (pk = jrecord_get(r, "pubkey_sha256")) == NULL ||
	    (ser = jrecord_get(r, "serial")) == NULL ||
	    !hex_decode_lower(pk, md, sizeof md) ||
	    memcmp(md, e->pk, sizeof md) != 0)
		return OR_OK;
	interact_say(e->io, SAY_WARN, "%s: its public key was certified here "
	    "before, as serial %s", e->label, ser);
	return OR_OK;
}

/* The other certificate, refused for what no profile could make right. */
static int
check_other(struct cross *x, X509 *root, struct interact *io)
{
	const char *label = x->p->cert;
	struct earlier e = { x->other.pubkey_sha256, label, io };
	char jpath[PATH_MAX];
	int rc;

	if ((rc = cacert_load(label, time(NULL), &x->other)) != OR_OK)
		return rc;
	if (EVP_PKEY_eq(x->other.pubkey, X509_get0_pubkey(root)) == 1)
		return err_set(OR_E_POLICY, "%s: it carries this root's own "
		    "public key; a root does not cross-sign itself", label);
	if (!profile_allows_key(&x->prof, x->other.pubkey))
		return err_set(OR_E_POLICY, "%s: profile %s does not allow %s "
		    "keys", label, x->prof.name, x->other.key_name);
	if ((rc = sign_refuse_compromised(x->p->dir, x->other.pubkey_sha256,
	    label)) != OR_OK)
		return rc;
	if ((rc = cadb_path(x->p->dir, CADB_JOURNAL, jpath, sizeof jpath)) !=
	    OR_OK)
		return rc;
	return journal_scan(jpath, earlier_visit, &e);
}

/* The cross-certificate, built and linted; nothing signed yet. */
static int
build(struct cross *x, const struct cadb *db, X509 *root, struct interact *io)
{
	struct issue_request req;
	struct lint_report lint;
	long days = x->p->days != 0 ? x->p->days : x->prof.validity_days;
	time_t root_na = asn1_unix(X509_get0_notAfter(root));
	char rootend[UTC_TEXT_LEN + 1];
	const char *label = x->p->cert;
	size_t i;
	int rc;

	x->not_before = time(NULL);
	x->not_after = x->not_before + (time_t)days * 86400 - 1;
	if (x->not_after > root_na) {
		utc_text(root_na, rootend);
		if (!x->prof.clamp_validity)
			return err_set(OR_E_POLICY, "%s: %ld days would outlive "
			    "the root (it expires %s); use a shorter --days, "
			    "or set clamp_validity in profile %s", label, days,
			    rootend, x->prof.name);
		x->not_after = root_na;
		interact_say(io, SAY_WARN, "%s: validity clamped to end with "
		    "the root at %s (profile %s allows clamping)", label,
		    rootend, x->prof.name);
	}
	memset(&req, 0, sizeof req);
	req.subject = X509_get_subject_name(x->other.cert);
	req.subject_key = x->other.pubkey;
	req.issuer = root;
	req.issuer_key = X509_get0_pubkey(root);
	req.issuer_type = keytype_of(X509_get0_pubkey(root));
	req.profile = &x->prof;
	req.days = days;
	req.not_before = x->not_before;
	req.not_after = x->not_after;
	req.subject_key_id = X509_get0_subject_key_id(x->other.cert);
	/* Where relying parties find this root's CRL and certificate: a
	 * cross-certificate is revocable like any other (publish.h). */
	req.crl_url = db->sum.crl_url;
	req.ca_issuers_url = db->sum.ca_issuers_url;
	if ((rc = issue_build(&req, &x->tbs)) != OR_OK)
		return err_context(rc, "%s", label);
	rc = issue_lint(x->tbs, root, &x->prof, &lint);
	lint_say(io, label, &lint);
	if (rc != OR_OK)
		return err_context(rc, "%s", label);
	for (i = 0; i < lint.n; i++)
		if (strcmp(lint.f[i].code, "w_name_mixed_scripts") == 0) {
			x->mixed = true;
			snprintf(x->mixed_text, sizeof x->mixed_text, "%s: %s",
			    label, lint.f[i].text);
		}
	if ((rc = serial_text(x->tbs, x->serial, sizeof x->serial)) != OR_OK)
		return rc;
	if (recover_serial_used(x->p->dir, x->serial))
		return err_set(OR_E_EXISTS, "serial %s was drawn, but the root "
		    "signed it before (issued/ or %s/ holds it); run "
		    "cross-sign again to draw another", x->serial,
		    RECOVER_QUARANTINE);
	return OR_OK;
}

/* What the officers compare before anything is signed. */
static void
review(struct cross *x, struct interact *io)
{
	const ASN1_OCTET_STRING *ski = X509_get0_subject_key_id(x->other.cert);
	const STACK_OF(X509_EXTENSION) *exts;
	char block[8192], fp[1024], when[4][UTC_TEXT_LEN + 1];
	char skihex[3 * CACERT_MAX_SKI + 1];
	size_t used = 0;
	int k;

#define ADD(...) do { \
	int w_ = snprintf(block + used, sizeof block - used, __VA_ARGS__); \
	if (w_ > 0 && (size_t)w_ < sizeof block - used) used += (size_t)w_; \
} while (0)
	utc_text(x->other.not_before, when[0]);
	utc_text(x->other.not_after, when[1]);
	utc_text(x->not_before, when[2]);
	utc_text(x->not_after, when[3]);
	if (ski != NULL && ASN1_STRING_length(ski) <= CACERT_MAX_SKI)
		hex_colons(ASN1_STRING_get0_data(ski),
		    (size_t)ASN1_STRING_length(ski), skihex);
	else
		snprintf(skihex, sizeof skihex, "(none)");
	ADD("file:        %s\n", x->p->cert);
	ADD("subject:     %s\n", x->other.subject);
	ADD("issuer:      %s%s\n", x->other.issuer, x->other.self_issued ?
	    " (self-signed; its signature verifies)" : " (its signature is "
	    "not checked here)");
	ADD("serial:      %s\n", x->other.serial);
	ADD("validity:    %s to %s\n", when[0], when[1]);
	ADD("key:         %s (%d bits)\n", x->other.key_name,
	    x->other.key_bits);
	ADD("its SKI:     %s\n", skihex);
	ADD("will issue:  profile %s, serial %s\n", x->prof.name, x->serial);
	ADD("validity:    %s to %s\n", when[2], when[3]);
	exts = X509_get0_extensions(x->tbs);
	for (k = 0; k < sk_X509_EXTENSION_num(exts); k++) {
		X509_EXTENSION *e = sk_X509_EXTENSION_value(exts, k);
		BIO *bio = BIO_new(BIO_s_mem());
		char oid[80], *val = NULL;
		long vlen = 0;
		int j;

		OBJ_obj2txt(oid, sizeof oid, X509_EXTENSION_get_object(e), 0);
		if (bio != NULL && X509V3_EXT_print(bio, e, 0, 0) == 1)
			vlen = BIO_get_mem_data(bio, &val);
		for (j = 0; j < vlen && j < 300; j++)
			if (val[j] == '\n' || val[j] == '\r')
				val[j] = ' ';
		ADD("  %s%s: %.*s\n", oid, X509_EXTENSION_get_critical(e) ?
		    " (critical)" : "", (int)(vlen > 300 ? 300 : vlen),
		    val != NULL ? val : "");
		BIO_free(bio);
	}
	/* The certificate's last, right above the question about it. */
	fingerprint_block(x->other.pubkey_sha256, fp, sizeof fp);
	ADD("SHA-256 of its public key:\n%s", fp);
	fingerprint_block(x->other.cert_sha256, fp, sizeof fp);
	ADD("SHA-256 of the certificate (openssl x509 -noout -fingerprint "
	    "-sha256):\n%s", fp);
#undef ADD
	io->show_block(io, "The CA certificate to cross-sign (nothing is "
	    "signed yet)", block);
}

/* The typed text without spaces or colons, lowercased. */
static void
squeeze(const char *in, char *out, size_t size)
{
	size_t n = 0;

	for (; *in != '\0' && n + 1 < size; in++)
		if (!isspace((unsigned char)*in) && *in != ':')
			out[n++] = (char)tolower((unsigned char)*in);
	out[n] = '\0';
}

/* --fingerprint: the whole SHA-256, hex or PGP words. */
static int
fingerprint_given(struct cross *x, const char *given)
{
	unsigned char md[SHA256_LEN];
	char hex[2 * SHA256_LEN + 64];
	bool ok;

	/* openssl's whole line, "sha256 Fingerprint=AB:CD:...", as pasted. */
	if (strrchr(given, '=') != NULL)
		given = strrchr(given, '=') + 1;
	squeeze(given, hex, sizeof hex);
	if (strlen(hex) == 2 * SHA256_LEN && hex_decode(hex, md,
	    sizeof md) == OR_OK)
		ok = true;
	else {
		err_clear();
		ok = pgpwords_parse(given, md, sizeof md) == sizeof md;
	}
	if (!ok)
		return err_set(OR_E_USAGE, "--fingerprint: expected the "
		    "certificate's SHA-256 as 64 hex digits (colons and spaces "
		    "allowed) or 32 PGP words");
	if (memcmp(md, x->other.cert_sha256, sizeof md) != 0)
		return err_set(OR_E_VERIFY, "%s: --fingerprint is not its "
		    "SHA-256: this is not the certificate whose fingerprint "
		    "was verified; nothing was signed", x->p->cert);
	snprintf(x->method, sizeof x->method, "--fingerprint");
	return OR_OK;
}

/* Whether typed is the start of md: two PGP words or 8 hex digits. */
static bool
typed_start(const char *typed, const unsigned char md[SHA256_LEN])
{
	unsigned char got[2];
	char hex[160], want[9];

	squeeze(typed, hex, sizeof hex);
	snprintf(want, sizeof want, "%02x%02x%02x%02x", md[0], md[1], md[2],
	    md[3]);
	if (strcmp(hex, want) == 0)
		return true;
	return pgpwords_parse(typed, got, sizeof got) == sizeof got &&
	    memcmp(got, md, sizeof got) == 0;
}

/* The officers confirm the fingerprint they verified out of band. */
static int
confirm_fingerprint(struct cross *x, struct interact *io)
{
	char q[512];
	int rc, tries;

	if (x->p->fingerprint != NULL)
		return fingerprint_given(x, x->p->fingerprint);
	snprintf(q, sizeof q, "A certificate is no proof of possession. Type "
	    "the first two PGP words (or 8 hex digits) of the certificate's "
	    "SHA-256 you verified with its owner out of band");
	for (tries = 1; tries <= CROSS_TRIES; tries++) {
		if ((rc = io->ask(io, q, x->typed, sizeof x->typed)) != OR_OK) {
			if (rc == OR_E_ENV)
				return err_set(OR_E_ENV, "%s: cannot confirm its "
				    "fingerprint without a terminal; give "
				    "--fingerprint with the SHA-256 verified "
				    "out of band", x->p->cert);
			return rc;
		}
		if (typed_start(x->typed, x->other.cert_sha256)) {
			snprintf(x->method, sizeof x->method, "typed");
			return OR_OK;
		}
		interact_say(io, SAY_WARN, "\"%s\" is not the start of the "
		    "certificate's SHA-256 (%d of %d tries)", x->typed, tries,
		    CROSS_TRIES);
	}
	return err_set(OR_E_CANCEL, "%s: its fingerprint was not confirmed; "
	    "nothing was unlocked or signed", x->p->cert);
}

static int
confirm(struct cross *x, struct interact *io)
{
	bool yes = false;
	int rc;

	review(x, io);
	if (x->mixed && (rc = interact_override(io, "mixed-scripts",
	    x->p->allow_mixed_scripts, x->mixed_text, x->how,
	    sizeof x->how)) != OR_OK)
		return rc;
	if ((rc = confirm_fingerprint(x, io)) != OR_OK)
		return rc;
	if ((rc = io->confirm(io, "Cross-sign this CA with the root key?",
	    &yes)) != OR_OK)
		return rc;
	if (!yes)
		return err_set(OR_E_CANCEL, "not signed: the officer declined");
	return OR_OK;
}

/* What was reviewed and how its fingerprint was confirmed. */
static int
record_reviewed(struct cross *x, struct transcript *tr)
{
	char certhex[65], pkhex[65], filehex[65];
	struct jfields f;
	int rc;

	hex_encode(x->other.cert_sha256, 32, certhex);
	hex_encode(x->other.pubkey_sha256, 32, pkhex);
	hex_encode(x->other.file_sha256, 32, filehex);
	jf_init(&f);
	jf_add(&f, "file", x->p->cert);
	jf_add(&f, "subject", x->other.subject);
	jf_add(&f, "cert_sha256", certhex);
	jf_add(&f, "cert_file_sha256", filehex);
	jf_add(&f, "pubkey_sha256", pkhex);
	jf_add(&f, "profile", x->prof.name);
	if ((rc = transcript_add(tr, "reviewed", &f)) != OR_OK)
		return rc;
	jf_init(&f);
	jf_add(&f, "file", x->p->cert);
	jf_add(&f, "cert_sha256", certhex);
	jf_add(&f, "method", x->method);
	if (x->typed[0] != '\0')
		jf_add(&f, "typed", x->typed);
	if ((rc = transcript_add(tr, "fingerprint-confirmed", &f)) != OR_OK)
		return rc;
	if (!x->mixed)
		return OR_OK;
	jf_init(&f);
	jf_add(&f, "file", x->p->cert);
	jf_add(&f, "check", "mixed-scripts");
	jf_add(&f, "finding", x->mixed_text);
	jf_add(&f, "by", x->how);
	return transcript_add(tr, "override", &f);
}

/* Signs, keeps the copy under issued/ and records the issuance; the copy
 * of a certificate never recorded is removed. */
static int
issue(struct cross *x, struct op *op, struct cross_result *res)
{
	char dir[PATH_MAX], certhex[65], filehex[65], pkhex[65], otherhex[65];
	char nb[24], na[24];
	struct lint_report lint;
	struct jfields f;
	unsigned char md[32];
	int rc;

	if ((rc = issue_sign(x->tbs, op->ks, X509_get0_pubkey(op->root),
	    &x->cert)) != OR_OK ||
	    (rc = issue_lint(x->cert, op->root, &x->prof, &lint)) != OR_OK)
		return err_context(rc, "%s", x->p->cert);
	snprintf(x->file, sizeof x->file, "%s.pem", x->serial);
	if ((rc = cert_to_pem(x->cert, &x->pem, &x->pemlen)) != OR_OK ||
	    (rc = cadb_path(op->db->dir, CADB_ISSUED, dir, sizeof dir)) !=
	    OR_OK ||
	    (rc = file_join(x->copy, sizeof x->copy, dir, x->file)) != OR_OK ||
	    (rc = file_write_new(x->copy, x->pem, x->pemlen, 0644)) != OR_OK)
		return rc;
	if ((rc = cert_sha256(x->cert, res->cert_sha256)) != OR_OK ||
	    (rc = sha256(x->pem, x->pemlen, md)) != OR_OK)
		goto fail;
	hex_encode(res->cert_sha256, 32, certhex);
	hex_encode(md, 32, filehex);
	hex_encode(x->other.pubkey_sha256, 32, pkhex);
	hex_encode(x->other.cert_sha256, 32, otherhex);
	snprintf(nb, sizeof nb, "%lld", (long long)asn1_unix(
	    X509_get0_notBefore(x->cert)));
	snprintf(na, sizeof na, "%lld", (long long)asn1_unix(
	    X509_get0_notAfter(x->cert)));
	jf_init(&f);
	jf_add(&f, "serial", x->serial);
	jf_add(&f, "subject", x->other.subject);
	jf_add(&f, "not_before", nb);
	jf_add(&f, "not_after", na);
	jf_add(&f, "cert_sha256", certhex);
	jf_add(&f, "pubkey_sha256", pkhex);
	jf_add(&f, "cross_of", otherhex);
	jf_add(&f, "profile", x->prof.name);
	jf_add(&f, "file", x->file);
	jf_add(&f, "file_sha256", filehex);
	if ((rc = cadb_append(op->db, "issue", &f)) != OR_OK)
		goto fail;
	res->issued = true;	/* recorded: from here on, it was issued */
	snprintf(res->serial, sizeof res->serial, "%s", x->serial);
	return transcript_add(op->tr, "issued", &f);
fail:
	(void)unlink(x->copy);
	return rc;
}

static const char readme_text[] =
"offroot cross-certificate\n"
"=========================\n"
"\n"
"This folder was written by offroot on the offline root CA.  The root\n"
"(root.pem) certified the subject and public key of another CA, taken\n"
"from its certificate (other-ca.pem), after its SHA-256 was verified\n"
"with its owner out of band.\n"
"\n"
"  certificate.pem        the cross-certificate: issuer the root, subject\n"
"                         and key the other CA's\n"
"  chain.pem              the cross-certificate, then the root\n"
"  other-ca.pem           the other CA's certificate, as it was certified\n"
"  root.pem               the root certificate\n"
"  crl.pem                the root's current CRL: publish it at the root's\n"
"                         CRL distribution point before it expires\n"
"  transcript.log         the ceremony transcript, sealed by the root key\n"
"  MANIFEST               SHA-256 of every other file (sha256sum format)\n"
"  MANIFEST.sig           the root key's signature over MANIFEST\n"
"\n"
"1. Check the bundle before using anything in it (no key needed):\n"
"\n"
"     openssl x509 -in root.pem -noout -pubkey > root.pub\n"
"     %s\n"
"     sha256sum -c MANIFEST\n"
"\n"
"   or, with offroot: offroot verify THIS-FOLDER --root ROOT.pem \\\n"
"                         --other OTHER.pem\n"
"   where ROOT.pem is your own trusted copy of the root certificate and\n"
"   OTHER.pem your own copy of the certificate that was cross-signed.\n"
"\n"
"2. Relying parties that trust only the root reach the other CA's\n"
"   hierarchy through the cross-certificate, given as an untrusted\n"
"   intermediate, for example:\n"
"\n"
"     openssl verify -CAfile root.pem -untrusted certificate.pem \\\n"
"         -untrusted OTHER-INTERMEDIATE.pem LEAF.pem\n"
"\n"
"   Servers of the other hierarchy send it after their own chain.\n";

/* The bundle: staged, its export recorded, renamed into place. */
static int
write_bundle(struct cross *x, struct op *op, const unsigned char *crlder,
    size_t crllen, struct cross_result *res)
{
	struct bundle b = { 0 };
	char *rootpem = NULL, *otherpem = NULL, *chain = NULL, *readme = NULL;
	char *crlpem = NULL;
	char hint[256], stage[PATH_MAX] = "", mhex[65];
	const char *digest = keytype_default_digest(op->ks->type);
	unsigned char *tdata = NULL;
	size_t rootlen = 0, otherlen = 0, tlen = 0, rlen = 0, crlpemlen = 0;
	struct jfields f;
	FILE *mem;
	int rc;

	if ((rc = cert_to_pem(op->root, &rootpem, &rootlen)) != OR_OK ||
	    (rc = cert_to_pem(x->other.cert, &otherpem, &otherlen)) != OR_OK ||
	    (rc = crl_to_pem(crlder, crllen, &crlpem, &crlpemlen)) != OR_OK ||
	    (rc = file_read(op->tr->path, 64u << 20, &tdata, &tlen)) != OR_OK)
		goto out;
	if ((chain = malloc(x->pemlen + rootlen + 1)) == NULL) {
		rc = err_set(OR_E_NOMEM, "out of memory");
		goto out;
	}
	memcpy(chain, x->pem, x->pemlen);
	memcpy(chain + x->pemlen, rootpem, rootlen);
	if (digest == NULL)
		snprintf(hint, sizeof hint, "openssl pkeyutl -verify -pubin "
		    "-inkey root.pub -rawin -in MANIFEST -sigfile "
		    "MANIFEST.sig");
	else
		snprintf(hint, sizeof hint, "openssl dgst -%s -verify root.pub "
		    "-signature MANIFEST.sig MANIFEST", digest);
	if ((mem = open_memstream(&readme, &rlen)) == NULL) {
		rc = err_set(OR_E_NOMEM, "out of memory");
		goto out;
	}
	fprintf(mem, readme_text, hint);
	fclose(mem);
	if ((rc = bundle_add(&b, "certificate.pem", x->pem, x->pemlen)) !=
	    OR_OK ||
	    (rc = bundle_add(&b, "chain.pem", chain, x->pemlen + rootlen)) !=
	    OR_OK ||
	    (rc = bundle_add(&b, "other-ca.pem", otherpem, otherlen)) != OR_OK ||
	    (rc = bundle_add(&b, "root.pem", rootpem, rootlen)) != OR_OK ||
	    (rc = bundle_add(&b, "crl.pem", crlpem, crlpemlen)) != OR_OK ||
	    (rc = bundle_add(&b, "transcript.log", tdata, tlen)) != OR_OK ||
	    (rc = bundle_add(&b, "README.txt", readme, rlen)) != OR_OK ||
	    (rc = bundle_stage(&b, x->p->outdir, op->ks, digest,
	    res->manifest_sha256, stage, sizeof stage)) != OR_OK)
		goto out;
	hex_encode(res->manifest_sha256, 32, mhex);
	jf_init(&f);
	jf_add(&f, "outdir", x->p->outdir);
	jf_add(&f, "manifest_sha256", mhex);
	jf_add(&f, "certificates", "1");
	jf_add(&f, "serials", x->serial);
	if ((rc = cadb_append(op->db, "export", &f)) != OR_OK) {
		bundle_unstage(stage);
		goto out;
	}
	if ((rc = bundle_publish(stage, x->p->outdir)) != OR_OK)
		rc = err_context(rc, "the export is recorded, but the bundle "
		    "is still in %s", stage);
out:
	bundle_free(&b);
	free(rootpem);
	free(otherpem);
	free(chain);
	free(readme);
	free(crlpem);
	free(tdata);
	return rc;
}

int
cross_sign(const struct cross_params *p, struct interact *io,
    struct cross_result *res)
{
	struct keystore *ks = NULL;
	int rc;

	rc = cross_sign_ks(p, &ks, io, res);
	keystore_close(ks);
	return rc;
}

int
cross_sign_ks(const struct cross_params *p, struct keystore **ksp,
    struct interact *io, struct cross_result *res)
{
	const struct op_output outs[] = {
		{ p->outdir, OP_NEW_FOLDER }, { NULL, 0 }
	};
	unsigned char *crlder = NULL;
	size_t crllen = 0;
	struct cross *x;
	struct op op;
	int rc;

	memset(res, 0, sizeof *res);
	memset(&op, 0, sizeof op);
	if ((x = calloc(1, sizeof *x)) == NULL)
		return err_set(OR_E_NOMEM, "out of memory");
	x->p = p;
	/* 1. The CA, the bundle's folder, the profile, the other CA's
	 * certificate, the cross-certificate built and linted, the review
	 * and the confirmations: all before the key is touched. */
	if ((rc = op_begin(&op, p->dir, "cross-sign", outs, io)) != OR_OK ||
	    (rc = load_profile(x)) != OR_OK ||
	    (rc = check_other(x, op.root, io)) != OR_OK ||
	    (rc = build(x, op.db, op.root, io)) != OR_OK ||
	    (rc = confirm(x, io)) != OR_OK)
		goto out;
	memcpy(res->other_sha256, x->other.cert_sha256, 32);
	/* 2. The key, the review on record, the certificate signed and
	 * recorded; 3. the CRL that goes with it (the current one, or a new
	 * one), the sealed transcript, the bundle. */
	if ((rc = op_unlock(&op, io, ksp)) != OR_OK ||
	    (rc = record_reviewed(x, op.tr)) != OR_OK ||
	    (rc = issue(x, &op, res)) != OR_OK ||
	    (rc = crl_current_or_new(op.db, op.root, op.ks, io, &crlder,
	    &crllen)) != OR_OK ||
	    (rc = op_finish(&op)) != OR_OK)
		goto out;
	rc = write_bundle(x, &op, crlder, crllen, res);
out:
	if (rc != OR_OK && res->issued)
		rc = err_context(rc, "the cross-certificate serial %s is issued "
		    "and recorded, but the bundle was not written (offroot "
		    "export can write it again)", res->serial);
	rc = op_fail(&op, rc);
	cacert_free(&x->other);
	if (x->have_prof)
		profile_free(&x->prof);
	X509_free(x->tbs);
	X509_free(x->cert);
	free(x->pem);
	free(x);
	free(crlder);
	op_end(&op);
	return rc;
}
