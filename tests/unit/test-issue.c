/*
 * test-issue.c — building and signing certificates (issue.c), in process
 * with a key store made in memory: serial numbers are positive, at most 20
 * bytes with the top bit clear, never zero, never repeated and random in
 * every other bit (the 63-bit serial incidents of 2019); validity is
 * inclusive (N days is notAfter = notBefore + N*86400 - 1) and never
 * beyond the profile's; a TBS built from a profile and a CSR carries the
 * CSR's subject and key, the issuer's name and key identifier and the
 * profile's extensions, never one the CSR asked for; it lints clean; the
 * key store signs exactly the linted TBS bytes, and a key store holding
 * another key is refused.
 */
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "csr.h"
#include "err.h"
#include "issue.h"
#include "keystore.h"
#include "lint.h"
#include "profile.h"
#include "secret.h"
#include "tap.h"
#include "tutil.h"

#define NSERIALS	2000

static void
test_serials(void)
{
	static unsigned char seen[NSERIALS][20];
	int bitcount[160] = { 0 };
	int maxbits = 0, bad = 0, dup = 0, zero = 0, neg = 0, i, j, b;
	ASN1_INTEGER *s = NULL;
	BIGNUM *bn = NULL;

	for (i = 0; i < NSERIALS; i++) {
		if (issue_serial(&s) != OR_OK ||
		    (bn = ASN1_INTEGER_to_BN(s, NULL)) == NULL) {
			bad++;
			break;
		}
		if (BN_is_zero(bn))
			zero++;
		if (BN_is_negative(bn))
			neg++;
		if (BN_num_bits(bn) > maxbits)
			maxbits = BN_num_bits(bn);
		memset(seen[i], 0, 20);
		if (BN_num_bytes(bn) > 20 || BN_bn2binpad(bn, seen[i], 20) != 20)
			bad++;
		for (b = 0; b < 160; b++)
			bitcount[b] += BN_is_bit_set(bn, b);
		for (j = 0; j < i; j++)
			if (memcmp(seen[i], seen[j], 20) == 0)
				dup++;
		BN_free(bn);
		ASN1_INTEGER_free(s);
		s = NULL;
	}
	is_int(bad, 0, "2000 serials drawn, each fits in 20 bytes");
	is_int(neg, 0, "no serial is negative");
	is_int(zero, 0, "no serial is zero");
	is_int(dup, 0, "no serial repeats");
	is_int(bitcount[159], 0, "the top bit is always clear (below 2^159)");
	is_int(maxbits, 159, "serials reach 159 bits: 20 bytes, only the top bit cleared");
	/* Each of the 159 random bits is set about half the time: none is
	 * forced (binomial(2000, 1/2) outside [850, 1150] is below 1e-11). */
	for (b = 0, bad = 0; b < 159; b++)
		if (bitcount[b] < 850 || bitcount[b] > 1150) {
			bad++;
			diag("bit %d set in %d of %d serials", b, bitcount[b],
			    NSERIALS);
		}
	is_int(bad, 0, "every one of the 159 low bits is random (set in 850..1150 of 2000)");
}

/* Seconds since the epoch of an ASN1_TIME. */
static time_t
asn1_secs(const ASN1_TIME *t)
{
	struct tm tm;

	memset(&tm, 0, sizeof tm);
	if (ASN1_TIME_to_tm(t, &tm) != 1)
		return (time_t)-1;
	return timegm(&tm);
}

/* A DER CSR for subject, signed by key, asking for a subjectAltName and a
 * basicConstraints with a long path (which the CA must not grant). */
static int
make_csr(EVP_PKEY *key, const char *cn, unsigned char **der, int *len)
{
	X509_REQ *req = X509_REQ_new();
	X509_NAME *name = X509_NAME_new();
	STACK_OF(X509_EXTENSION) *exts = sk_X509_EXTENSION_new_null();
	X509_EXTENSION *e1, *e2;
	int rc = -1;

	*der = NULL;
	e1 = X509V3_EXT_conf_nid(NULL, NULL, NID_subject_alt_name,
	    "DNS:asked-for.example");
	e2 = X509V3_EXT_conf_nid(NULL, NULL, NID_basic_constraints,
	    "critical,CA:TRUE,pathlen:9");
	if (req == NULL || name == NULL || exts == NULL || e1 == NULL ||
	    e2 == NULL)
		goto out;
	sk_X509_EXTENSION_push(exts, e1);
	sk_X509_EXTENSION_push(exts, e2);
	e1 = e2 = NULL;
	if (!X509_NAME_add_entry_by_txt(name, "C", MBSTRING_ASC,
	    (const unsigned char *)"DE", -1, -1, 0) ||
	    !X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
	    (const unsigned char *)"offroot tests", -1, -1, 0) ||
	    !X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
	    (const unsigned char *)cn, -1, -1, 0) ||
	    !X509_REQ_set_subject_name(req, name) ||
	    !X509_REQ_set_pubkey(req, key) ||
	    !X509_REQ_add_extensions(req, exts) ||
	    X509_REQ_sign(req, key, EVP_sha256()) <= 0 ||
	    (*len = i2d_X509_REQ(req, der)) <= 0)
		goto out;
	rc = 0;
out:
	X509_EXTENSION_free(e1);
	X509_EXTENSION_free(e2);
	sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
	X509_NAME_free(name);
	X509_REQ_free(req);
	return rc;
}

static bool
same_der_tbs(X509 *a, X509 *b)
{
	unsigned char *da = NULL, *db = NULL;
	int la = i2d_re_X509_tbs(a, &da), lb = i2d_re_X509_tbs(b, &db);
	bool same = la > 0 && la == lb && memcmp(da, db, (size_t)la) == 0;

	OPENSSL_free(da);
	OPENSSL_free(db);
	return same;
}

static void
test_build_and_sign(void)
{
	struct profile rootp, intp;
	struct keystore *ks = NULL, *other = NULL;
	struct csr_info ci;
	struct lint_report report;
	struct issue_request req;
	X509 *roottbs = NULL, *root = NULL, *tbs = NULL, *cert = NULL, *x;
	X509_NAME *rootname = X509_NAME_new();
	EVP_PKEY *subj = NULL;
	unsigned char *csrder = NULL;
	ASN1_OCTET_STRING *ski = NULL;
	AUTHORITY_KEYID *akid = NULL;
	BASIC_CONSTRAINTS *bc = NULL;
	int csrlen = 0, crit = 0, rc;
	time_t nb = 1767225600;		/* 2026-01-01T00:00:00Z */

	memset(&ci, 0, sizeof ci);
	if (!ok(profile_load(NULL, "root", &rootp) == OR_OK &&
	    profile_load(NULL, "intermediate", &intp) == OR_OK,
	    "the built-in root and intermediate profiles load"))
		return;
	if (!ok(sealed_generate(KT_EC_P384, &ks) == OR_OK &&
	    sealed_generate(KT_EC_P384, &other) == OR_OK &&
	    (subj = EVP_EC_gen("P-256")) != NULL,
	    "a P-384 root key, another P-384 key, a P-256 subject key"))
		goto out;

	/* The root: self-signed, the profile's validity. */
	X509_NAME_add_entry_by_txt(rootname, "CN", MBSTRING_ASC,
	    (const unsigned char *)"Issue Test Root", -1, -1, 0);
	memset(&req, 0, sizeof req);
	req.subject = rootname;
	req.subject_key = ks->pub;
	req.issuer_key = ks->pub;
	req.issuer_type = KT_EC_P384;
	req.profile = &rootp;
	req.not_before = nb;
	rc = issue_build(&req, &roottbs);
	is_rc(rc, OR_OK, "a self-signed root TBS is built from the root profile");
	if (rc != OR_OK)
		goto out;
	rc = issue_sign(roottbs, ks, ks->pub, &root);
	is_rc(rc, OR_OK, "the key store signs it");
	if (rc != OR_OK)
		goto out;
	is_int(asn1_secs(X509_get0_notAfter(root)) - asn1_secs(X509_get0_notBefore(root)),
	    rootp.validity_days * 86400L - 1,
	    "root: notAfter = notBefore + the profile's days * 86400 - 1");
	ok(X509_verify(root, ks->pub) == 1, "the root's signature verifies with its key");

	/* An intermediate from a CSR. */
	if (!ok(make_csr(subj, "Issue Test Intermediate", &csrder, &csrlen) == 0 &&
	    csr_parse(csrder, (size_t)csrlen, "test.csr", &ci) == OR_OK,
	    "a CSR asking for a SAN and pathlen:9 is imported"))
		goto out;
	memset(&req, 0, sizeof req);
	req.subject = X509_REQ_get_subject_name(ci.req);
	req.subject_key = ci.pubkey;
	req.issuer = root;
	req.issuer_key = ks->pub;
	req.issuer_type = KT_EC_P384;
	req.profile = &intp;
	req.days = 365;
	req.not_before = nb;
	/* The CA's crl-url: a BR subordinate CA needs its CDP. */
	req.crl_url = "http://crl.example.com/root.crl";
	rc = issue_build(&req, &tbs);
	is_rc(rc, OR_OK, "an intermediate TBS is built from the profile and the CSR");
	if (rc != OR_OK)
		goto out;
	is_int(asn1_secs(X509_get0_notBefore(tbs)), nb, "notBefore is the one asked for");
	is_int(asn1_secs(X509_get0_notAfter(tbs)), nb + 365 * 86400L - 1,
	    "365 days: notAfter = notBefore + 365*86400 - 1 (inclusive)");
	ok(X509_NAME_cmp(X509_get_subject_name(tbs), req.subject) == 0,
	    "the subject is the CSR's");
	ok(X509_NAME_cmp(X509_get_issuer_name(tbs), X509_get_subject_name(root)) == 0,
	    "the issuer is the root's subject");
	ok(EVP_PKEY_eq(X509_get0_pubkey(tbs), subj) == 1, "the key is the CSR's");
	ok(X509_get_version(tbs) == X509_VERSION_3, "a v3 certificate");
	bc = X509_get_ext_d2i(tbs, NID_basic_constraints, &crit, NULL);
	ok(bc != NULL && crit == 1 && bc->ca && bc->pathlen != NULL &&
	    ASN1_INTEGER_get(bc->pathlen) == 0,
	    "basicConstraints is the profile's (critical, CA, pathlen 0), not the CSR's pathlen 9");
	ok(X509_get_ext_by_NID(tbs, NID_subject_alt_name, -1) < 0,
	    "the subjectAltName the CSR asked for is not granted");
	ski = X509_get_ext_d2i(root, NID_subject_key_identifier, NULL, NULL);
	akid = X509_get_ext_d2i(tbs, NID_authority_key_identifier, NULL, NULL);
	ok(ski != NULL && akid != NULL && akid->keyid != NULL &&
	    ASN1_OCTET_STRING_cmp(ski, akid->keyid) == 0,
	    "the AKI is the root's SKI");
	ok(X509_get_ext_by_NID(tbs, NID_subject_key_identifier, -1) >= 0,
	    "an SKI is set");
	ok(X509_get_ext_by_NID(tbs, NID_key_usage, -1) >= 0 &&
	    (X509_get_key_usage(tbs) & (KU_KEY_CERT_SIGN | KU_CRL_SIGN)) ==
	    (KU_KEY_CERT_SIGN | KU_CRL_SIGN),
	    "keyUsage has keyCertSign and cRLSign");
	rc = issue_lint(tbs, root, &intp, &report);
	is_rc(rc, OR_OK, "the TBS lints clean against the root and the BR subCA family");

	/* Signed by a key store that holds another key: refused. */
	rc = issue_sign(tbs, other, ks->pub, &x);
	ok(rc == OR_E_VERIFY && x == NULL,
	    "a key store holding another key is refused (%s), nothing returned",
	    err_name(rc));
	rc = issue_sign(tbs, ks, ks->pub, &cert);
	is_rc(rc, OR_OK, "the root's key store signs the intermediate");
	if (rc == OR_OK) {
		ok(X509_verify(cert, ks->pub) == 1,
		    "the signature verifies with the root's public key");
		ok(X509_verify(cert, other->pub) != 1,
		    "and not with another key");
		ok(same_der_tbs(cert, tbs),
		    "the signed TBS is byte for byte the one linted");
		ok(ASN1_INTEGER_cmp(X509_get0_serialNumber(cert),
		    X509_get0_serialNumber(tbs)) == 0,
		    "the serial is the linted one");
	}

	ok(X509_get_ext_by_NID(tbs, NID_crl_distribution_points, -1) >= 0 &&
	    X509_get_ext_by_NID(tbs, NID_info_access, -1) < 0,
	    "the CA's crl-url is in crlDistributionPoints, no AIA without "
	    "ca-issuers-url");

	/* notBefore: the backdate, never before the issuer's notBefore. */
	is_int(issue_not_before(&intp, root, nb + 7200), nb + 3600,
	    "issued two hours after the root: notBefore = now - 1 h");
	is_int(issue_not_before(&intp, root, nb + 600), nb,
	    "issued ten minutes after the root: notBefore = the root's");
	is_int(issue_not_before(&rootp, NULL, nb + 600), nb + 600,
	    "a self-signed root: no backdate by default");
	intp.backdate = 0;
	intp.backdate_set = true;
	is_int(issue_not_before(&intp, root, nb + 7200), nb + 7200,
	    "backdate = none: notBefore = now");
	intp.backdate_set = false;
	{
		time_t before = time(NULL), got;

		req.not_before = 0;
		x = NULL;
		rc = issue_build(&req, &x);
		got = x != NULL ? asn1_secs(X509_get0_notBefore(x)) : 0;
		ok(rc == OR_OK && got >= before - 3600 &&
		    got <= time(NULL) - 3600 &&
		    asn1_secs(X509_get0_notAfter(x)) == got + 365 * 86400L - 1,
		    "issue_build without a notBefore: now - 1 h, and 365 days "
		    "from there");
		X509_free(x);
		req.not_before = nb;
	}

	/* Validity the profile does not grant. */
	req.days = intp.validity_days + 1;
	x = NULL;
	rc = issue_build(&req, &x);
	ok(rc == OR_E_POLICY && x == NULL,
	    "days beyond the profile's %ld are refused (%s)", intp.validity_days,
	    err_name(rc));
	req.days = intp.validity_days;
	rc = issue_build(&req, &x);
	ok(rc == OR_OK && asn1_secs(X509_get0_notAfter(x)) ==
	    nb + intp.validity_days * 86400L - 1,
	    "exactly the profile's days is allowed, last second inclusive");
	X509_free(x);
out:
	BASIC_CONSTRAINTS_free(bc);
	ASN1_OCTET_STRING_free(ski);
	AUTHORITY_KEYID_free(akid);
	X509_free(cert);
	X509_free(tbs);
	X509_free(root);
	X509_free(roottbs);
	X509_NAME_free(rootname);
	OPENSSL_free(csrder);
	csr_free(&ci);
	EVP_PKEY_free(subj);
	keystore_close(ks);
	keystore_close(other);
	profile_free(&rootp);
	profile_free(&intp);
}

int
main(void)
{
	if (secret_init() != OR_OK) {
		printf("Bail out! secret_init: %s\n", err_msg(OR_E_ENV));
		return 1;
	}
	test_serials();
	test_build_and_sign();
	return done_testing();
}
