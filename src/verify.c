/*
 * verify.c — offroot verify's engine (verify.h): checks a signed bundle on
 * the online side with nothing but the root certificate, so that whoever
 * installs what the offline ceremony produced can tell it is complete,
 * unaltered and issued by that root: MANIFEST signed by the root, every
 * digest, no file MANIFEST does not name, each certificate chaining to
 * the root under x509_strict, the CRL current and signed by the root, the
 * transcript's seal, and each expected CSR answered.
 */
#include <dirent.h>
#include <inttypes.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include "audit.h"
#include "bundle.h"
#include "cadb.h"
#include "crl-ahead.h"
#include "csr.h"
#include "err.h"
#include "fileio.h"
#include "keystore.h"
#include "transcript.h"
#include "util.h"
#include "verify.h"

static bool
listed(const struct manifest_entry *e, size_t n, const char *path)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(e[i].path, path) == 0)
			return true;
	return false;
}

/* Every file present must be in the manifest (one level of folders). */
static int
no_unlisted(const char *dir, const char *sub, const struct manifest_entry *e,
    size_t n)
{
	char path[PATH_MAX], rel[512];
	struct dirent *de;
	struct stat st;
	DIR *d;
	int rc = OR_OK;

	if (sub[0] != '\0')
		snprintf(path, sizeof path, "%s/%s", dir, sub);
	else
		snprintf(path, sizeof path, "%s", dir);
	if ((d = opendir(path)) == NULL)
		return err_errno(OR_E_INPUT, "%s", path);
	while (rc == OR_OK && (de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		snprintf(rel, sizeof rel, "%s%s%s", sub, sub[0] ? "/" : "",
		    de->d_name);
		if (sub[0] == '\0' && (strcmp(rel, BUNDLE_MANIFEST) == 0 ||
		    strcmp(rel, BUNDLE_MANIFEST_SIG) == 0))
			continue;
		if (file_join(path, sizeof path, dir, rel) != OR_OK ||
		    lstat(path, &st) == -1)
			rc = err_errno(OR_E_INPUT, "%s", rel);
		else if (S_ISDIR(st.st_mode) && sub[0] == '\0')
			rc = no_unlisted(dir, de->d_name, e, n);
		else if (!listed(e, n, rel))
			rc = err_set(OR_E_VERIFY, "%s is in the bundle but not "
			    "in MANIFEST", rel);
	}
	closedir(d);
	return rc;
}

int
verify_manifest_sig(EVP_PKEY *pub, const unsigned char *msg, size_t len,
    const unsigned char *sig, size_t siglen)
{
	const char *digest = keytype_default_digest(keytype_of(pub));
	const EVP_MD *md = digest != NULL ? EVP_get_digestbyname(digest) : NULL;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int ok;

	ok = ctx != NULL && EVP_DigestVerifyInit(ctx, NULL, md, NULL, pub) == 1 &&
	    EVP_DigestVerify(ctx, sig, siglen, msg, len) == 1;
	EVP_MD_CTX_free(ctx);
	ERR_clear_error();
	return ok ? OR_OK : err_set(OR_E_VERIFY, "MANIFEST.sig is not the "
	    "given root's signature over MANIFEST");
}

static int
read_member(const char *dir, const char *name, unsigned char **data,
    size_t *len)
{
	char path[PATH_MAX];
	int rc;

	if ((rc = file_join(path, sizeof path, dir, name)) != OR_OK)
		return rc;
	if ((rc = file_read(path, FILE_MAX_INPUT, data, len)) != OR_OK)
		return err_set(OR_E_VERIFY, "%s is missing or unreadable: %s",
		    name, err_msg(rc));
	return OR_OK;
}

static int
load_pem_certs(const unsigned char *data, size_t len, STACK_OF(X509) **out)
{
	BIO *bio = BIO_new_mem_buf(data, (int)len);
	X509 *x;

	*out = sk_X509_new_null();
	if (bio == NULL || *out == NULL) {
		BIO_free(bio);
		return err_set(OR_E_NOMEM, "out of memory");
	}
	while ((x = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL)
		sk_X509_push(*out, x);
	ERR_clear_error();
	BIO_free(bio);
	return OR_OK;
}

static int
check_chain(X509 *cert, X509 *root, const char *name)
{
	X509_STORE *store = X509_STORE_new();
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	int rc = OR_OK;

	if (store == NULL || ctx == NULL || !X509_STORE_add_cert(store, root) ||
	    !X509_STORE_CTX_init(ctx, store, cert, NULL)) {
		rc = err_openssl(OR_E_NOMEM, "verifying %s", name);
		goto out;
	}
	X509_STORE_CTX_set_flags(ctx, X509_V_FLAG_X509_STRICT);
	if (X509_verify_cert(ctx) != 1)
		rc = err_set(OR_E_VERIFY, "%s does not chain to the root: %s",
		    name, X509_verify_cert_error_string(
		    X509_STORE_CTX_get_error(ctx)));
out:
	ERR_clear_error();
	X509_STORE_CTX_free(ctx);
	X509_STORE_free(store);
	return rc;
}

static int
same_cert(X509 *a, X509 *b)
{
	return X509_cmp(a, b) == 0;
}

/* x is root, or another certificate of it: the same key, subject and key
 * identifier, self-signed (a renewal, renew.h); *other says which. */
static bool
same_root(X509 *x, X509 *root, bool *other)
{
	const ASN1_OCTET_STRING *a, *b;

	if (same_cert(x, root))
		return true;
	a = X509_get0_subject_key_id(x);
	b = X509_get0_subject_key_id(root);
	if (EVP_PKEY_eq(X509_get0_pubkey(x), X509_get0_pubkey(root)) != 1 ||
	    X509_NAME_cmp(X509_get_subject_name(x),
	    X509_get_subject_name(root)) != 0 ||
	    X509_NAME_cmp(X509_get_issuer_name(x),
	    X509_get_subject_name(x)) != 0 || a == NULL || b == NULL ||
	    ASN1_OCTET_STRING_cmp(a, b) != 0 ||
	    X509_verify(x, X509_get0_pubkey(root)) != 1) {
		ERR_clear_error();
		return false;
	}
	*other = true;
	return true;
}

/* certificate.pem and chain.pem of one issued certificate. */
static int
check_certificate(const char *dir, const char *prefix, X509 *root,
    STACK_OF(X509) *issued, bool *other)
{
	unsigned char *data = NULL;
	STACK_OF(X509) *certs = NULL, *chain = NULL;
	char name[340];
	size_t len;
	int rc;

	snprintf(name, sizeof name, "%scertificate.pem", prefix);
	if ((rc = read_member(dir, name, &data, &len)) != OR_OK ||
	    (rc = load_pem_certs(data, len, &certs)) != OR_OK)
		goto out;
	if (sk_X509_num(certs) != 1) {
		rc = err_set(OR_E_VERIFY, "%s must hold exactly one "
		    "certificate", name);
		goto out;
	}
	if ((rc = check_chain(sk_X509_value(certs, 0), root, name)) != OR_OK)
		goto out;
	free(data);
	data = NULL;
	snprintf(name, sizeof name, "%schain.pem", prefix);
	if ((rc = read_member(dir, name, &data, &len)) != OR_OK ||
	    (rc = load_pem_certs(data, len, &chain)) != OR_OK)
		goto out;
	if (sk_X509_num(chain) != 2 ||
	    !same_cert(sk_X509_value(chain, 0), sk_X509_value(certs, 0)) ||
	    !same_root(sk_X509_value(chain, 1), root, other)) {
		rc = err_set(OR_E_VERIFY, "%s is not the certificate followed "
		    "by the root", name);
		goto out;
	}
	X509_up_ref(sk_X509_value(certs, 0));
	sk_X509_push(issued, sk_X509_value(certs, 0));
out:
	free(data);
	sk_X509_pop_free(certs, X509_free);
	sk_X509_pop_free(chain, X509_free);
	return rc;
}

/* crl.pem: signed by the root, current, and listing none of the bundle's
 * certificates (a bundle whose own CRL revokes its certificate is not a
 * certificate to install: openssl verify -crl_check says so too). */
static int
check_crl(const char *dir, X509 *root, STACK_OF(X509) *issued)
{
	unsigned char *data = NULL;
	X509_REVOKED *rev = NULL;
	X509_CRL *crl = NULL;
	char *hex = NULL;
	int i;
	BIO *bio = NULL;
	size_t len;
	time_t now = time(NULL);
	int rc;

	if ((rc = read_member(dir, "crl.pem", &data, &len)) != OR_OK)
		return rc;
	if ((bio = BIO_new_mem_buf(data, (int)len)) == NULL ||
	    (crl = PEM_read_bio_X509_CRL(bio, NULL, NULL, NULL)) == NULL) {
		rc = err_openssl(OR_E_VERIFY, "crl.pem is not a CRL");
		goto out;
	}
	if (X509_NAME_cmp(X509_CRL_get_issuer(crl),
	    X509_get_subject_name(root)) != 0 ||
	    X509_CRL_verify(crl, X509_get0_pubkey(root)) != 1) {
		rc = err_set(OR_E_VERIFY, "crl.pem is not signed by the root");
		goto out;
	}
	if (X509_CRL_get0_nextUpdate(crl) == NULL ||
	    X509_cmp_time(X509_CRL_get0_nextUpdate(crl), &now) <= 0) {
		rc = err_set(OR_E_VERIFY, "crl.pem has expired (nextUpdate "
		    "passed)");
		goto out;
	}
	if (X509_cmp_time(X509_CRL_get0_lastUpdate(crl), &now) > 0) {
		rc = err_set(OR_E_VERIFY, "crl.pem is not yet valid (its "
		    "thisUpdate is in the future)");
		goto out;
	}
	for (i = 0; i < sk_X509_num(issued); i++) {
		X509 *x = sk_X509_value(issued, i);

		if (X509_CRL_get0_by_serial(crl, &rev,
		    X509_get0_serialNumber(x)) == 1) {
			BIGNUM *bn = ASN1_INTEGER_to_BN(
			    X509_get0_serialNumber(x), NULL);

			hex = bn != NULL ? BN_bn2hex(bn) : NULL;
			BN_free(bn);
			rc = err_set(OR_E_VERIFY, "certificate serial %s is "
			    "revoked: the bundle's own crl.pem lists it",
			    hex != NULL ? hex : "?");
			goto out;
		}
	}
	rc = OR_OK;
out:
	ERR_clear_error();
	OPENSSL_free(hex);
	X509_CRL_free(crl);
	BIO_free(bio);
	free(data);
	return rc;
}

/* Every file MANIFEST names has the digest it records. */
static int
check_digests(const char *dir, const struct manifest_entry *e, size_t n,
    struct verify_result *res)
{
	unsigned char *data = NULL, md[32];
	size_t len, i;
	int rc = OR_OK;

	for (i = 0; i < n; i++) {
		if ((rc = read_member(dir, e[i].path, &data, &len)) != OR_OK ||
		    (rc = sha256(data, len, md)) != OR_OK)
			break;
		free(data);
		data = NULL;
		if (memcmp(md, e[i].sha256, 32) != 0) {
			rc = err_set(OR_E_VERIFY, "%s does not match its digest "
			    "in MANIFEST", e[i].path);
			break;
		}
		res->files++;
	}
	free(data);
	return rc;
}

/* name (root.pem, previous-root.pem) must hold the root the verifier
 * trusts, or another certificate of it; *x, when not NULL, gets it. */
static int
check_bundled_root(const char *dir, const char *name, X509 *root,
    bool *other, X509 **x)
{
	STACK_OF(X509) *bundled = NULL;
	unsigned char *data = NULL;
	size_t len;
	int rc;

	if ((rc = read_member(dir, name, &data, &len)) == OR_OK &&
	    (rc = load_pem_certs(data, len, &bundled)) == OR_OK &&
	    (sk_X509_num(bundled) != 1 ||
	    !same_root(sk_X509_value(bundled, 0), root, other)))
		rc = err_set(OR_E_VERIFY, "%s is not the given root (nor "
		    "another certificate of its key and subject)", name);
	if (rc == OR_OK && x != NULL) {
		*x = sk_X509_value(bundled, 0);
		X509_up_ref(*x);
	}
	sk_X509_pop_free(bundled, X509_free);
	free(data);
	return rc;
}

/* A renewal's bundle (renew.h): previous-root.pem is another certificate
 * of the same root than root.pem, and there is no certificate to chain. */
static int
check_renewal(const char *dir, X509 *root, const struct manifest_entry *e,
    size_t n, struct verify_result *res)
{
	X509 *cur = NULL, *prev = NULL;
	bool other = false;
	size_t i;
	int rc;

	for (i = 0; i < n; i++)
		if (strstr(e[i].path, "certificate.pem") != NULL ||
		    strcmp(e[i].path, "crl.pem") == 0)
			return err_set(OR_E_VERIFY, "a renewal's bundle holds "
			    "%s", e[i].path);
	if ((rc = check_bundled_root(dir, "root.pem", root, &other, &cur)) ==
	    OR_OK && (rc = check_bundled_root(dir, "previous-root.pem", root,
	    &other, &prev)) == OR_OK && same_cert(cur, prev))
		rc = err_set(OR_E_VERIFY, "previous-root.pem is root.pem: "
		    "nothing was renewed");
	X509_free(cur);
	X509_free(prev);
	res->renewal = rc == OR_OK;
	return rc;
}

/* DIR/name holding exactly one certificate, into *x. */
static int
one_cert(const char *dir, const char *name, X509 **x)
{
	STACK_OF(X509) *certs = NULL;
	unsigned char *data = NULL;
	size_t len;
	int rc;

	*x = NULL;
	if ((rc = read_member(dir, name, &data, &len)) == OR_OK &&
	    (rc = load_pem_certs(data, len, &certs)) == OR_OK &&
	    sk_X509_num(certs) != 1)
		rc = err_set(OR_E_VERIFY, "%s holds %d certificates, not one",
		    name, sk_X509_num(certs));
	if (rc == OR_OK)
		*x = sk_X509_shift(certs);
	sk_X509_pop_free(certs, X509_free);
	free(data);
	return rc;
}

/* name is signed by the key of by, over the subject and key of of. */
static int
check_cross_of(const char *name, X509 *x, X509 *by, X509 *of)
{
	if (X509_verify(x, X509_get0_pubkey(by)) != 1 ||
	    X509_NAME_cmp(X509_get_issuer_name(x),
	    X509_get_subject_name(by)) != 0)
		return err_set(OR_E_VERIFY, "%s is not signed by the %s root",
		    name, strstr(name, "old") != NULL ? "old" : "new");
	if (X509_NAME_cmp(X509_get_subject_name(x),
	    X509_get_subject_name(of)) != 0 ||
	    EVP_PKEY_eq(X509_get0_pubkey(x), X509_get0_pubkey(of)) != 1)
		return err_set(OR_E_VERIFY, "%s does not carry the subject and "
		    "key of the %s root", name, strstr(name, "old") != NULL ?
		    "new" : "old");
	return OR_OK;
}

/* A rollover's transition export (rollover.h): root.pem the given (new)
 * root, old-root.pem a self-signed root, cross-signed-by-old.pem the old
 * root's certificate of the new root (cross-signed-by-new.pem the other
 * way), roots-transition.pem the two roots, new first. */
static int
check_transition(const char *dir, X509 *root, const struct manifest_entry *e,
    size_t n, struct verify_result *res)
{
	X509 *old = NULL, *x = NULL;
	unsigned char *both = NULL;
	char *want = NULL, *a = NULL;
	size_t blen = 0, wlen = 0, alen = 0;
	int rc;

	if ((rc = one_cert(dir, "old-root.pem", &old)) != OR_OK)
		goto out;
	if (X509_verify(old, X509_get0_pubkey(old)) != 1) {
		rc = err_set(OR_E_VERIFY, "old-root.pem is not self-signed");
		goto out;
	}
	if ((rc = one_cert(dir, "cross-signed-by-old.pem", &x)) != OR_OK ||
	    (rc = check_cross_of("cross-signed-by-old.pem", x, old, root)) !=
	    OR_OK)
		goto out;
	X509_free(x);
	x = NULL;
	if (listed(e, n, "cross-signed-by-new.pem") &&
	    ((rc = one_cert(dir, "cross-signed-by-new.pem", &x)) != OR_OK ||
	    (rc = check_cross_of("cross-signed-by-new.pem", x, root, old)) !=
	    OR_OK))
		goto out;
	if ((rc = read_member(dir, "roots-transition.pem", &both, &blen)) !=
	    OR_OK || (rc = cert_to_pem(root, &want, &wlen)) != OR_OK ||
	    (rc = cert_to_pem(old, &a, &alen)) != OR_OK)
		goto out;
	if (blen != wlen + alen || memcmp(both, want, wlen) != 0 ||
	    memcmp(both + wlen, a, alen) != 0)
		rc = err_set(OR_E_VERIFY, "roots-transition.pem is not the new "
		    "root then the old one");
out:
	res->transition = rc == OR_OK;
	X509_free(old);
	X509_free(x);
	free(both);
	free(want);
	free(a);
	return rc;
}

/* Each DIR/certificate.pem MANIFEST names (with its chain.pem) chains to
 * the root; the certificates are collected in issued. */
static int
check_certificates(const char *dir, const struct manifest_entry *e, size_t n,
    X509 *root, STACK_OF(X509) *issued, struct verify_result *res)
{
	char prefix[300];
	size_t i;
	int rc;

	for (i = 0; i < n; i++) {
		const char *base = strrchr(e[i].path, '/');
		size_t plen = base != NULL ? (size_t)(base + 1 - e[i].path) : 0;

		base = base != NULL ? base + 1 : e[i].path;
		if (strcmp(base, "certificate.pem") != 0)
			continue;
		snprintf(prefix, sizeof prefix, "%.*s", (int)plen, e[i].path);
		if ((rc = check_certificate(dir, prefix, root, issued,
		    &res->other_root)) != OR_OK)
			return rc;
		res->certificates++;
	}
	if (res->certificates == 0)
		return err_set(OR_E_VERIFY, "the bundle holds no certificate");
	return OR_OK;
}

/* Each CSR is answered by a certificate with its public key and subject. */
static int
match_csrs(const char *const *csrs, size_t ncsr, STACK_OF(X509) *issued,
    struct verify_result *res)
{
	size_t k;
	int rc;

	for (k = 0; k < ncsr; k++) {
		struct csr_info ci;
		bool found = false;
		int j;

		if ((rc = csr_load(csrs[k], &ci)) != OR_OK)
			return rc;
		for (j = 0; j < sk_X509_num(issued) && !found; j++) {
			X509 *x = sk_X509_value(issued, j);
			found = EVP_PKEY_eq(X509_get0_pubkey(x), ci.pubkey) == 1 &&
			    X509_NAME_cmp(X509_get_subject_name(x),
			    X509_REQ_get_subject_name(ci.req)) == 0;
		}
		csr_free(&ci);
		if (!found)
			return err_set(OR_E_VERIFY, "no certificate in the bundle "
			    "carries the public key and subject of %s", csrs[k]);
		res->csrs_matched++;
	}
	return OR_OK;
}

/* A folder of CRLs signed ahead (crl-ahead.h): every crl-* file is a CRL
 * the root signed, named for its number and thisUpdate, the numbers
 * consecutive.  Whether a CRL's time has come is SCHEDULE.txt's to say. */
static int
check_schedule(const char *dir, const struct manifest_entry *e, size_t n,
    X509 *root, struct verify_result *res)
{
	unsigned char *der = NULL;
	struct crl_info info;
	char path[PATH_MAX], want[64];
	uint64_t prev = 0;
	size_t i, len;
	bool isder;
	int rc = OR_OK;

	for (i = 0; i < n && rc == OR_OK; i++) {
		if (strncmp(e[i].path, "crl-", 4) != 0)
			continue;
		if ((rc = file_join(path, sizeof path, dir, e[i].path)) !=
		    OR_OK || (rc = audit_load_crl(path, &der, &len)) != OR_OK)
			break;
		if ((rc = crl_verify(der, len, root, &info)) != OR_OK) {
			rc = err_context(OR_E_VERIFY, "%s", e[i].path);
			break;
		}
		isder = strlen(e[i].path) > 4 &&
		    strcmp(e[i].path + strlen(e[i].path) - 4, ".crl") == 0;
		crl_ahead_name(info.number, info.this_update, isder, want);
		if (strcmp(want, e[i].path) != 0)
			rc = err_set(OR_E_VERIFY, "%s holds CRL number %" PRIu64
			    " of its thisUpdate: its name would be %s",
			    e[i].path, info.number, want);
		else if (prev != 0 && info.number != prev + 1)
			rc = err_set(OR_E_VERIFY, "%s: the CRL numbers are not "
			    "consecutive", e[i].path);
		prev = info.number;
		res->crls++;
		OPENSSL_free(der);
		der = NULL;
	}
	OPENSSL_free(der);
	if (rc == OR_OK && res->crls == 0)
		rc = err_set(OR_E_VERIFY, "a folder with %s but no CRL",
		    CRL_AHEAD_SCHEDULE);
	return rc;
}

int
verify_bundle(const char *dir, const char *root_path, const char *const *csrs,
    size_t ncsr, struct verify_result *res)
{
	struct manifest_entry *e = NULL;
	struct transcript_info ti;
	unsigned char *manifest = NULL, *sig = NULL;
	STACK_OF(X509) *issued = NULL;
	size_t mlen, siglen, n = 0;
	char path[PATH_MAX];
	X509 *root = NULL;
	int rc;

	memset(res, 0, sizeof *res);
	if ((rc = load_cert_file(root_path, &root)) != OR_OK)
		return rc;
	if ((rc = read_member(dir, BUNDLE_MANIFEST, &manifest, &mlen)) != OR_OK ||
	    (rc = read_member(dir, BUNDLE_MANIFEST_SIG, &sig, &siglen)) != OR_OK)
		goto out;
	if ((rc = verify_manifest_sig(X509_get0_pubkey(root), manifest, mlen, sig,
	    siglen)) != OR_OK)
		goto out;
	if ((rc = manifest_parse((char *)manifest, mlen, &e, &n)) != OR_OK) {
		rc = err_context(OR_E_VERIFY, "MANIFEST");
		goto out;
	}
	if ((rc = check_digests(dir, e, n, res)) != OR_OK ||
	    (rc = no_unlisted(dir, "", e, n)) != OR_OK ||
	    (rc = check_bundled_root(dir, "root.pem", root, &res->other_root,
	    NULL)) != OR_OK)
		goto out;
	if (listed(e, n, CRL_AHEAD_SCHEDULE)) {
		if (ncsr > 0)
			rc = err_set(OR_E_VERIFY, "a folder of CRLs signed ahead "
			    "holds no certificate for a CSR");
		else
			rc = check_schedule(dir, e, n, root, res);
		goto out;
	}
	if ((issued = sk_X509_new_null()) == NULL) {
		rc = err_set(OR_E_NOMEM, "out of memory");
		goto out;
	}
	if (listed(e, n, "previous-root.pem")) {
		if ((rc = check_renewal(dir, root, e, n, res)) != OR_OK)
			goto out;
	} else if (listed(e, n, "roots-transition.pem")) {
		if ((rc = check_transition(dir, root, e, n, res)) != OR_OK)
			goto out;
	} else if ((rc = check_certificates(dir, e, n, root, issued, res)) !=
	    OR_OK || (rc = check_crl(dir, root, issued)) != OR_OK)
		goto out;
	if ((rc = file_join(path, sizeof path, dir, "transcript.log")) != OR_OK ||
	    (rc = transcript_verify(path, X509_get0_pubkey(root), &ti)) != OR_OK) {
		rc = err_context(OR_E_VERIFY, "transcript.log");
		goto out;
	}
	rc = match_csrs(csrs, ncsr, issued, res);
out:
	ERR_clear_error();
	sk_X509_pop_free(issued, X509_free);
	X509_free(root);
	free(e);
	free(manifest);
	free(sig);
	return rc;
}

int
verify_cross(const char *dir, const char *other_path)
{
	const ASN1_OCTET_STRING *a, *b;
	STACK_OF(X509) *certs = NULL;
	unsigned char *data = NULL;
	X509 *other = NULL, *x;
	size_t len;
	int rc;

	if ((rc = load_cert_file(other_path, &other)) != OR_OK)
		return rc;
	if ((rc = read_member(dir, "certificate.pem", &data, &len)) != OR_OK ||
	    (rc = load_pem_certs(data, len, &certs)) != OR_OK)
		goto out;
	if (sk_X509_num(certs) != 1) {
		rc = err_set(OR_E_VERIFY, "certificate.pem holds %d "
		    "certificates, not the one cross-certificate",
		    sk_X509_num(certs));
		goto out;
	}
	x = sk_X509_value(certs, 0);
	a = X509_get0_subject_key_id(x);
	b = X509_get0_subject_key_id(other);
	if (X509_NAME_cmp(X509_get_subject_name(x),
	    X509_get_subject_name(other)) != 0)
		rc = err_set(OR_E_VERIFY, "certificate.pem does not carry the "
		    "subject of %s", other_path);
	else if (EVP_PKEY_eq(X509_get0_pubkey(x), X509_get0_pubkey(other)) != 1)
		rc = err_set(OR_E_VERIFY, "certificate.pem does not carry the "
		    "public key of %s", other_path);
	else if (b != NULL && (a == NULL || ASN1_OCTET_STRING_cmp(a, b) != 0))
		rc = err_set(OR_E_VERIFY, "certificate.pem does not carry the "
		    "subjectKeyIdentifier of %s", other_path);
out:
	ERR_clear_error();
	sk_X509_pop_free(certs, X509_free);
	X509_free(other);
	free(data);
	return rc;
}
