/*
 * test-lint.c — the certificate lint (lint.c): a good BR root, BR
 * subordinate CA and private Kubernetes hierarchy pass without errors, and
 * each broken variant (the mistakes of FIELD-NOTES.md) is caught under its
 * own code.  The certificates are built here with OpenSSL and the profiles
 * of profile.c.  Run from the repository root.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/bn.h>
#include <openssl/conf.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "err.h"
#include "lint.h"
#include "profile.h"
#include "tap.h"

#define K8S_PROFILES "ceremony-scripts/kubernetes/profiles.cnf"
#define BR_ROOT_DN "C=DE,O=Example Trust,CN=Example Root CA R1"
#define BR_SUB_DN "C=DE,O=Example Trust,CN=Example TLS CA 1"

static EVP_PKEY *p384, *p256, *sub_key, *rsa1024;

static X509_NAME *
dn(const char *text)
{
	X509_NAME *n = X509_NAME_new();
	char buf[256], *tok, *save = NULL, *eq;

	snprintf(buf, sizeof buf, "%s", text);
	for (tok = strtok_r(buf, ",", &save); tok != NULL;
	    tok = strtok_r(NULL, ",", &save)) {
		eq = strchr(tok, '=');
		*eq = '\0';
		X509_NAME_add_entry_by_txt(n, tok, MBSTRING_UTF8,
		    (const unsigned char *)eq + 1, -1, -1, 0);
	}
	return n;
}

/*
 * An unsigned certificate: 20-byte serial, notBefore now, the profile's
 * extensions.  issuer NULL: self-issued.
 */
static X509 *
build(EVP_PKEY *key, const char *subject, X509 *issuer, const char *file,
    const char *profile, long days)
{
	unsigned char raw[20];
	struct profile p;
	X509_NAME *name = dn(subject);
	ASN1_INTEGER *sn;
	BIGNUM *bn;
	X509 *x = X509_new();
	time_t now = time(NULL);
	int rc;

	RAND_bytes(raw, sizeof raw);
	raw[0] = (raw[0] & 0x7f) | 0x40;
	bn = BN_bin2bn(raw, sizeof raw, NULL);
	sn = BN_to_ASN1_INTEGER(bn, NULL);
	X509_set_version(x, X509_VERSION_3);
	X509_set_serialNumber(x, sn);
	X509_set_subject_name(x, name);
	X509_set_issuer_name(x, issuer != NULL ?
	    X509_get_subject_name(issuer) : name);
	ASN1_TIME_set(X509_getm_notBefore(x), now);
	ASN1_TIME_set(X509_getm_notAfter(x), now + days * 86400 - 1);
	X509_set_pubkey(x, key);
	if ((rc = profile_load(file, profile, &p)) != OR_OK ||
	    (rc = profile_apply(&p, x, issuer != NULL ? issuer : x)) != OR_OK)
		diag("building %s: %s", subject, err_msg(rc));
	profile_free(&p);
	BN_free(bn);
	ASN1_INTEGER_free(sn);
	X509_NAME_free(name);
	return x;
}

static X509 *
sign(X509 *x, EVP_PKEY *k, const EVP_MD *md)
{
	if (X509_sign(x, k, md) <= 0)
		diag("signing failed");
	return x;
}

static bool
has(const struct lint_report *r, const char *code)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		if (strcmp(r->f[i].code, code) == 0)
			return true;
	return false;
}

static void
dump(const struct lint_report *r)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		diag("%s %s: %s", lint_level_name(r->f[i].level), r->f[i].code,
		    r->f[i].text);
}

/* Lints and checks that code was found (as an error when want_error). */
static void
expect(X509 *x, X509 *issuer, enum profile_family fam, const char *code,
    const char *what)
{
	struct lint_report r;
	size_t i;
	bool found = false;

	lint_cert(x, issuer, fam, &r);
	for (i = 0; i < r.n; i++)
		if (strcmp(r.f[i].code, code) == 0)
			found = r.f[i].level == (code[0] == 'e' ? LINT_ERROR :
			    code[0] == 'w' ? LINT_WARN : LINT_NOTICE);
	if (!ok(found, "%s: %s", what, code))
		dump(&r);
	X509_free(x);
}

static void
clean(X509 *x, X509 *issuer, enum profile_family fam, const char *what)
{
	struct lint_report r;

	lint_cert(x, issuer, fam, &r);
	if (!ok(lint_count(&r, LINT_ERROR) == 0, "%s: no errors", what))
		dump(&r);
}

static void
drop_ext(X509 *x, int nid)
{
	X509_EXTENSION_free(X509_delete_ext(x, X509_get_ext_by_NID(x, nid,
	    -1)));
}

/* Adds (or with replace, replaces) an extension written as in a profile. */
static void
set_ext(X509 *x, X509 *issuer, int nid, const char *value, bool replace)
{
	CONF *conf = NCONF_new(NULL);	/* certificatePolicies needs one */
	X509V3_CTX ctx;
	X509_EXTENSION *e;
	int i;

	X509V3_set_ctx(&ctx, issuer != NULL ? issuer : x, x, NULL, NULL, 0);
	X509V3_set_nconf(&ctx, conf);
	e = X509V3_EXT_nconf_nid(conf, &ctx, nid, value);
	NCONF_free(conf);
	if (e == NULL) {
		diag("bad extension %s", value);
		return;
	}
	if (replace && (i = X509_get_ext_by_NID(x, nid, -1)) >= 0) {
		X509_EXTENSION_free(X509_delete_ext(x, i));
		X509_add_ext(x, e, i);
	} else {
		X509_add_ext(x, e, -1);
	}
	X509_EXTENSION_free(e);
}

static void
set_serial_hex(X509 *x, const char *hex)
{
	BIGNUM *bn = NULL;
	ASN1_INTEGER *sn;

	BN_hex2bn(&bn, hex);
	sn = BN_to_ASN1_INTEGER(bn, NULL);
	X509_set_serialNumber(x, sn);
	ASN1_INTEGER_free(sn);
	BN_free(bn);
}

static X509 *
br_root(void)
{
	return build(p384, BR_ROOT_DN, NULL, NULL, "root", 3653);
}

static X509 *
br_root_signed(void)
{
	return sign(br_root(), p384, EVP_sha384());
}

static void
test_br_root(void)
{
	struct lint_report r;
	EVP_PKEY *rsa, *ed;
	X509 *x;

	x = br_root_signed();
	lint_cert(x, NULL, FAMILY_BR_ROOT, &r);
	if (!ok(lint_count(&r, LINT_ERROR) == 0 &&
	    lint_count(&r, LINT_WARN) == 0, "good BR root: no errors, no "
	    "warnings"))
		dump(&r);
	ok(!has(&r, "n_root_aki_missing"), "good BR root: AKI present");
	X509_free(x);

	x = br_root();
	drop_ext(x, NID_basic_constraints);
	expect(sign(x, p384, EVP_sha384()), NULL, FAMILY_BR_ROOT,
	    "e_ca_basic_constraints_missing", "no basicConstraints");

	x = br_root();
	set_ext(x, NULL, NID_basic_constraints, "CA:TRUE", true);
	expect(sign(x, p384, EVP_sha384()), NULL, FAMILY_BR_ROOT,
	    "e_ca_basic_constraints_not_critical", "basicConstraints not "
	    "critical");

	x = br_root();
	set_ext(x, NULL, NID_key_usage, "critical,cRLSign", true);
	expect(sign(x, p384, EVP_sha384()), NULL, FAMILY_BR_ROOT,
	    "e_ca_key_usage_no_cert_sign", "no keyCertSign");

	x = br_root();
	set_ext(x, NULL, NID_key_usage, "keyCertSign,cRLSign", true);
	expect(sign(x, p384, EVP_sha384()), NULL, FAMILY_BR_ROOT,
	    "e_ca_key_usage_not_critical", "keyUsage not critical");

	x = br_root();
	set_ext(x, NULL, NID_key_usage, "critical,keyCertSign", true);
	expect(sign(x, p384, EVP_sha384()), NULL, FAMILY_BR_ROOT,
	    "w_ca_key_usage_no_crl_sign", "no cRLSign");

	x = br_root();
	set_ext(x, NULL, NID_key_usage, "critical,keyCertSign,cRLSign,"
	    "keyEncipherment", true);
	expect(sign(x, p384, EVP_sha384()), NULL, FAMILY_BR_ROOT,
	    "e_br_ca_key_usage_extra_bits", "keyEncipherment in a BR CA");

	x = br_root();
	drop_ext(x, NID_subject_key_identifier);
	expect(sign(x, p384, EVP_sha384()), NULL, FAMILY_BR_ROOT,
	    "e_ca_ski_missing", "no SKI");

	x = br_root();
	drop_ext(x, NID_authority_key_identifier);
	expect(sign(x, p384, EVP_sha384()), NULL, FAMILY_BR_ROOT,
	    "n_root_aki_missing", "root without AKI");

	x = br_root();
	set_ext(x, NULL, NID_ext_key_usage, "serverAuth", false);
	expect(sign(x, p384, EVP_sha384()), NULL, FAMILY_BR_ROOT,
	    "e_root_eku_present", "EKU in a BR root");

	x = br_root();
	set_ext(x, NULL, NID_basic_constraints, "critical,CA:TRUE,pathlen:3",
	    true);
	expect(sign(x, p384, EVP_sha384()), NULL, FAMILY_BR_ROOT,
	    "w_root_path_len_present", "pathlen in a BR root");

	x = br_root();
	set_ext(x, NULL, NID_certificate_policies, "2.23.140.1.2.1", false);
	expect(sign(x, p384, EVP_sha384()), NULL, FAMILY_BR_ROOT,
	    "w_root_policies_present", "policies in a BR root");

	x = br_root();
	ASN1_TIME_set(X509_getm_notAfter(x), time(NULL) + 365 * 86400L - 1);
	expect(sign(x, p384, EVP_sha384()), NULL, FAMILY_BR_ROOT,
	    "e_root_validity_out_of_range", "BR root valid for 365 days");

	x = br_root();
	ASN1_TIME_set(X509_getm_notAfter(x), time(NULL) + 9133 * 86400L);
	expect(sign(x, p384, EVP_sha384()), NULL, FAMILY_BR_ROOT,
	    "e_root_validity_out_of_range", "BR root valid for 9133 days");

	x = br_root();
	ASN1_TIME_set(X509_getm_notBefore(x), time(NULL) - 5 * 86400L);
	expect(sign(x, p384, EVP_sha384()), NULL, FAMILY_BR_ROOT,
	    "w_root_not_before_backdated", "BR root backdated 5 days");

	/* Serial numbers (BR 7.1, the 2019 63-bit incidents). */
	x = br_root();
	set_serial_hex(x, "7f1e2d3c4b5a6978");
	expect(sign(x, p384, EVP_sha384()), NULL, FAMILY_BR_ROOT,
	    "e_serial_low_entropy", "8-byte serial");

	x = br_root();
	set_serial_hex(x, "-5a1e2d3c4b5a69788796a5b4c3d2e1f0");
	expect(sign(x, p384, EVP_sha384()), NULL, FAMILY_BR_ROOT,
	    "e_serial_negative", "negative serial");

	x = br_root();
	set_serial_hex(x, "0");
	expect(sign(x, p384, EVP_sha384()), NULL, FAMILY_BR_ROOT,
	    "e_serial_zero", "zero serial");

	x = br_root();
	set_serial_hex(x, "ff1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c");
	expect(sign(x, p384, EVP_sha384()), NULL, FAMILY_BR_ROOT,
	    "e_serial_too_long", "21-octet serial (top bit set in 20 bytes)");

	x = br_root();
	set_serial_hex(x, "5a1e2d3c4b5a69788796");
	expect(sign(x, p384, EVP_sha384()), NULL, FAMILY_BR_ROOT,
	    "w_serial_short", "10-byte serial");

	/* Signatures. */
	x = br_root();
	expect(sign(x, p384, EVP_sha1()), NULL, FAMILY_BR_ROOT,
	    "e_signature_weak_hash", "ECDSA with SHA-1");

	x = br_root();
	expect(sign(x, p384, EVP_sha256()), NULL, FAMILY_BR_ROOT,
	    "e_br_ecdsa_hash_curve_mismatch", "P-384 with SHA-256 in BR");

	rsa = rsa1024;
	x = build(rsa, BR_ROOT_DN, NULL, NULL, "root", 3653);
	expect(sign(x, rsa, EVP_md5()), NULL, FAMILY_BR_ROOT,
	    "e_signature_weak_hash", "RSA with MD5");
	x = build(rsa, BR_ROOT_DN, NULL, NULL, "root", 3653);
	expect(sign(x, rsa, EVP_sha256()), NULL, FAMILY_BR_ROOT,
	    "e_rsa_key_too_small", "RSA 1024");

	ed = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	x = build(ed, BR_ROOT_DN, NULL, NULL, "root", 3653);
	expect(sign(x, ed, NULL), NULL, FAMILY_BR_ROOT,
	    "w_br_ed25519_key", "Ed25519 key in a BR root");
	x = build(ed, BR_ROOT_DN, NULL, K8S_PROFILES, "root", 365);
	sign(x, ed, NULL);
	clean(x, NULL, FAMILY_PRIVATE, "Ed25519 private root");
	X509_free(x);
	EVP_PKEY_free(ed);
}

static void
test_structure(void)
{
	ASN1_TIME *t;
	X509_NAME *n;
	X509 *x;

	x = br_root();
	X509_set_version(x, X509_VERSION_1);
	expect(sign(x, p384, EVP_sha384()), NULL, FAMILY_BR_ROOT,
	    "e_cert_version_not_3", "version 1");

	x = br_root();
	t = ASN1_TIME_set(NULL, time(NULL) - 86400);
	X509_set1_notAfter(x, t);
	ASN1_TIME_free(t);
	expect(sign(x, p384, EVP_sha384()), NULL, FAMILY_BR_ROOT,
	    "e_validity_order", "notAfter before notBefore");

	/* A date before 2050 written as a GeneralizedTime. */
	x = br_root();
	t = ASN1_GENERALIZEDTIME_set(NULL, time(NULL) + 3653 * 86400L - 1);
	X509_set1_notAfter(x, t);
	ASN1_TIME_free(t);
	expect(sign(x, p384, EVP_sha384()), NULL, FAMILY_BR_ROOT,
	    "e_validity_time_encoding", "GeneralizedTime before 2050");

	x = br_root();
	set_ext(x, NULL, NID_key_usage, "critical,keyCertSign,cRLSign", false);
	expect(sign(x, p384, EVP_sha384()), NULL, FAMILY_BR_ROOT,
	    "e_ext_duplicate", "keyUsage twice");

	x = br_root();
	{
		X509_EXTENSION *e;
		ASN1_OBJECT *o = OBJ_txt2obj("1.3.6.1.4.1.55555.1", 1);
		ASN1_OCTET_STRING *v = ASN1_OCTET_STRING_new();

		ASN1_OCTET_STRING_set(v, (const unsigned char *)"\x05\x00", 2);
		e = X509_EXTENSION_create_by_OBJ(NULL, o, 1, v);
		X509_add_ext(x, e, -1);
		X509_EXTENSION_free(e);
		ASN1_OCTET_STRING_free(v);
		ASN1_OBJECT_free(o);
	}
	expect(sign(x, p384, EVP_sha384()), NULL, FAMILY_BR_ROOT,
	    "e_ext_unknown_critical", "unknown critical extension");

	x = br_root();
	n = dn("C=DE,CN=Example Root CA R1");
	X509_set_subject_name(x, n);
	X509_set_issuer_name(x, n);
	X509_NAME_free(n);
	expect(sign(x, p384, EVP_sha384()), NULL, FAMILY_BR_ROOT,
	    "e_br_ca_subject_no_organization", "BR root without O");

	x = br_root();
	n = dn("C=DE,O=Example Trust,CN=Other");
	X509_set_issuer_name(x, n);
	X509_NAME_free(n);
	expect(sign(x, p384, EVP_sha384()), NULL, FAMILY_BR_ROOT,
	    "e_root_subject_issuer_mismatch", "self-signed with issuer != "
	    "subject");

	x = build(p256, "O=Example", NULL, K8S_PROFILES, "root", 365);
	expect(sign(x, p256, EVP_sha256()), NULL, FAMILY_PRIVATE,
	    "w_ca_subject_no_common_name", "private CA without CN");

	x = build(p256, "CN=K8s Root", NULL, K8S_PROFILES, "root", 365);
	set_ext(x, NULL, NID_name_constraints, "permitted;DNS:.example.com",
	    false);
	expect(sign(x, p256, EVP_sha256()), NULL, FAMILY_PRIVATE,
	    "e_name_constraints_not_critical", "non-critical nameConstraints "
	    "(private)");

	x = build(p256, "CN=K8s Root", NULL, K8S_PROFILES, "root", 365);
	set_ext(x, NULL, NID_ext_key_usage, "serverAuth,OCSPSigning", false);
	expect(sign(x, p256, EVP_sha256()), NULL, FAMILY_PRIVATE,
	    "e_ca_eku_ocsp_signing", "OCSPSigning in a CA");

	x = build(p256, "CN=K8s Root", NULL, K8S_PROFILES, "root", 365);
	set_ext(x, NULL, NID_ext_key_usage, "anyExtendedKeyUsage", false);
	expect(sign(x, p256, EVP_sha256()), NULL, FAMILY_PRIVATE,
	    "e_eku_any", "anyExtendedKeyUsage");

	x = build(p256, "CN=K8s Root", NULL, K8S_PROFILES, "root", 365);
	expect(x, NULL, FAMILY_PRIVATE, "e_signature_algorithm_missing",
	    "an unsigned certificate");

	x = br_root();
	set_ext(x, NULL, NID_name_constraints, "permitted;DNS:.example.com",
	    false);
	expect(sign(x, p384, EVP_sha384()), NULL, FAMILY_BR_ROOT,
	    "w_name_constraints_not_critical", "non-critical nameConstraints "
	    "(BR)");

	x = br_root();
	set_ext(x, NULL, NID_subject_key_identifier, "critical,hash", true);
	expect(sign(x, p384, EVP_sha384()), NULL, FAMILY_BR_ROOT,
	    "e_ski_critical", "critical SKI");

	x = br_root();
	set_ext(x, NULL, NID_authority_key_identifier,
	    "keyid:always,issuer:always", true);
	expect(sign(x, p384, EVP_sha384()), NULL, FAMILY_BR_ROOT,
	    "e_br_aki_has_issuer_serial", "AKI with issuer and serial (BR)");

	x = br_root();
	set_ext(x, NULL, NID_basic_constraints, "critical,CA:FALSE", true);
	expect(sign(x, p384, EVP_sha384()), NULL, FAMILY_BR_ROOT,
	    "e_ca_basic_constraints_ca_false", "BR root saying CA:FALSE");
}

static void
test_keys(void)
{
	EVP_PKEY *k;
	X509 *root, *x;

	root = sign(build(p384, "CN=K8s Root", NULL, K8S_PROFILES, "root",
	    365), p384, EVP_sha384());

	k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "secp256k1");
	x = build(k, "CN=K8s Int", root, K8S_PROFILES, "intermediate", 30);
	expect(sign(x, p384, EVP_sha384()), root, FAMILY_PRIVATE,
	    "e_ec_curve_not_allowed", "secp256k1 key");
	EVP_PKEY_free(k);

	k = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)1028);
	x = build(k, "CN=K8s Int", root, K8S_PROFILES, "intermediate", 30);
	expect(sign(x, p384, EVP_sha384()), root, FAMILY_PRIVATE,
	    "e_rsa_modulus_not_multiple_of_8", "RSA modulus of 1028 bits");
	EVP_PKEY_free(k);

	{
		EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_from_name(NULL, "RSA",
		    NULL);
		BIGNUM *e = BN_new();

		k = NULL;
		BN_set_word(e, 3);
		if (c == NULL || EVP_PKEY_keygen_init(c) <= 0 ||
		    EVP_PKEY_CTX_set_rsa_keygen_bits(c, 2048) <= 0 ||
		    EVP_PKEY_CTX_set1_rsa_keygen_pubexp(c, e) <= 0 ||
		    EVP_PKEY_keygen(c, &k) <= 0)
			diag("RSA e=3 keygen failed");
		EVP_PKEY_CTX_free(c);
		BN_free(e);
	}
	x = build(k, "CN=K8s Int", root, K8S_PROFILES, "intermediate", 30);
	expect(sign(x, p384, EVP_sha384()), root, FAMILY_PRIVATE,
	    "w_rsa_exponent_small", "RSA exponent 3");
	EVP_PKEY_free(k);

	k = EVP_PKEY_Q_keygen(NULL, NULL, "ED448");
	x = build(k, "CN=K8s Int", root, K8S_PROFILES, "intermediate", 30);
	expect(sign(x, p384, EVP_sha384()), root, FAMILY_PRIVATE,
	    "e_key_algorithm_not_allowed", "Ed448 key");
	EVP_PKEY_free(k);

	/* Not a CA, yet with a pathLenConstraint. */
	x = build(p256, "CN=ocsp", root, K8S_PROFILES, "intermediate", 30);
	set_ext(x, root, NID_basic_constraints, "critical,CA:FALSE,pathlen:1",
	    true);
	set_ext(x, root, NID_key_usage, "critical,digitalSignature", true);
	expect(sign(x, p384, EVP_sha384()), root, FAMILY_PRIVATE,
	    "e_path_len_without_ca", "pathlen on CA:FALSE");

	x = build(p256, "CN=K8s Int", root, K8S_PROFILES, "intermediate", 30);
	set_ext(x, root, NID_subject_key_identifier, "critical,hash", true);
	set_ext(x, root, NID_authority_key_identifier, "critical,keyid:always",
	    true);
	expect(sign(x, p384, EVP_sha384()), root, FAMILY_PRIVATE,
	    "e_aki_critical", "critical AKI");
	X509_free(root);
}

/* The BR subordinate CA, under the BR root. */
static void
test_br_subca(void)
{
	struct lint_report r;
	AUTHORITY_KEYID *aki;
	X509 *root, *x;

	root = br_root_signed();
	x = build(sub_key, BR_SUB_DN, root, NULL, "intermediate", 1825);
	sign(x, p384, EVP_sha384());
	lint_cert(x, root, FAMILY_BR_SUBCA, &r);
	/* DigiCert, Bugzilla 1654967: no subordinate CA without a CDP. */
	if (!ok(lint_count(&r, LINT_ERROR) == 1 &&
	    has(&r, "e_subca_crldp_missing"), "BR subordinate CA without "
	    "crlDistributionPoints: exactly one error, e_subca_crldp_missing"))
		dump(&r);
	ok(!has(&r, "w_subca_crldp_missing"), "... the retired warning is "
	    "gone");
	{
		size_t k;
		bool says = false;

		for (k = 0; k < r.n; k++)
			says |= strcmp(r.f[k].code, "e_subca_crldp_missing") ==
			    0 && strstr(r.f[k].text, "crl-url=") != NULL;
		ok(says, "... and its text says to set crl-url");
	}
	ok(lint_cert(x, root, FAMILY_PRIVATE, &r) == OR_OK &&
	    !has(&r, "e_subca_crldp_missing"), "a private-family CA without "
	    "a CDP is not held to it");
	X509_free(x);
	/* BR 7.1.2.11.2: the CRL is fetched over plain http. */
	x = build(sub_key, BR_SUB_DN, root, NULL, "intermediate", 1825);
	set_ext(x, root, NID_crl_distribution_points,
	    "URI:ldap://ldap.example.com/cn=root?certificateRevocationList",
	    false);
	sign(x, p384, EVP_sha384());
	lint_cert(x, root, FAMILY_BR_SUBCA, &r);
	if (!ok(lint_count(&r, LINT_ERROR) == 1 &&
	    has(&r, "e_subca_crldp_not_http"), "BR subordinate CA whose only "
	    "CRL DP is ldap: e_subca_crldp_not_http"))
		dump(&r);
	X509_free(x);

	x = build(sub_key, BR_SUB_DN, root, NULL, "intermediate", 1825);
	set_ext(x, root, NID_crl_distribution_points,
	    "URI:http://crl.example.com/root.crl", false);
	sign(x, p384, EVP_sha384());
	lint_cert(x, root, FAMILY_BR_SUBCA, &r);
	if (!ok(r.n == 0, "BR subordinate CA with a CRL DP: no findings"))
		dump(&r);
	X509_free(x);

	x = build(sub_key, BR_SUB_DN, root, NULL, "intermediate", 1825);
	set_ext(x, root, NID_certificate_policies, "anyPolicy", true);
	expect(sign(x, p384, EVP_sha384()), root, FAMILY_BR_SUBCA,
	    "e_subca_any_policy", "anyPolicy in a BR sub-CA");

	x = build(sub_key, BR_SUB_DN, root, NULL, "intermediate", 1825);
	drop_ext(x, NID_certificate_policies);
	expect(sign(x, p384, EVP_sha384()), root, FAMILY_BR_SUBCA,
	    "e_subca_policies_missing", "BR sub-CA without policies");

	x = build(sub_key, BR_SUB_DN, root, NULL, "intermediate", 1825);
	drop_ext(x, NID_ext_key_usage);
	expect(sign(x, p384, EVP_sha384()), root, FAMILY_BR_SUBCA,
	    "e_subca_eku_missing", "BR sub-CA without EKU");

	x = build(sub_key, BR_SUB_DN, root, NULL, "intermediate", 1825);
	set_ext(x, root, NID_ext_key_usage, "clientAuth", true);
	expect(sign(x, p384, EVP_sha384()), root, FAMILY_BR_SUBCA,
	    "e_subca_eku_no_server_auth", "BR sub-CA EKU without serverAuth");

	x = build(sub_key, BR_SUB_DN, root, NULL, "intermediate", 1825);
	aki = AUTHORITY_KEYID_new();
	aki->keyid = ASN1_OCTET_STRING_new();
	ASN1_OCTET_STRING_set(aki->keyid, (const unsigned char *)
	    "\x42\x42\x42\x42\x42\x42\x42\x42\x42\x42\x42\x42\x42\x42\x42"
	    "\x42\x42\x42\x42\x42", 20);
	X509_add1_ext_i2d(x, NID_authority_key_identifier, aki, 0,
	    X509V3_ADD_REPLACE);
	AUTHORITY_KEYID_free(aki);
	expect(sign(x, p384, EVP_sha384()), root, FAMILY_BR_SUBCA,
	    "e_aki_mismatch", "AKI is not the issuer's SKI");

	x = build(sub_key, BR_SUB_DN, root, NULL, "intermediate", 1825);
	drop_ext(x, NID_authority_key_identifier);
	expect(sign(x, p384, EVP_sha384()), root, FAMILY_BR_SUBCA,
	    "e_aki_missing", "sub-CA without AKI");

	x = build(sub_key, BR_SUB_DN, root, NULL, "intermediate", 1825);
	{
		X509_NAME *n = dn("C=DE,O=Someone Else,CN=Example Root CA R1");

		X509_set_issuer_name(x, n);
		X509_NAME_free(n);
	}
	expect(sign(x, p384, EVP_sha384()), root, FAMILY_BR_SUBCA,
	    "e_issuer_name_mismatch", "issuer name is not the root's subject");

	x = build(sub_key, BR_SUB_DN, root, NULL, "intermediate", 1825);
	expect(sign(x, rsa1024, EVP_sha384()), root, FAMILY_BR_SUBCA,
	    "e_signature_algorithm_key_mismatch", "signed by a key that is "
	    "not the issuer's kind");
	X509_free(root);
}

/* The private Kubernetes hierarchy: root (pathlen 2) → intermediate
 * (pathlen 1) → leaf CAs (pathlen 0). */
static void
test_kubernetes(void)
{
	static const char *const leaf[] = { "kubernetes-ca", "etcd-ca",
	    "front-proxy-ca" };
	X509 *root, *inter, *x, *y;
	size_t i;

	root = sign(build(p384, "O=Example,CN=Kubernetes Root CA", NULL,
	    K8S_PROFILES, "root", 365), p384, EVP_sha384());
	clean(root, NULL, FAMILY_PRIVATE, "kubernetes root");
	inter = sign(build(sub_key, "O=Example,CN=Vault pki_int", root,
	    K8S_PROFILES, "intermediate", 180), p384, EVP_sha384());
	clean(inter, root, FAMILY_PRIVATE, "kubernetes intermediate");
	for (i = 0; i < sizeof leaf / sizeof leaf[0]; i++) {
		x = sign(build(p256, "O=Example,CN=leaf", inter, K8S_PROFILES,
		    leaf[i], 90), sub_key, EVP_sha384());
		clean(x, inter, FAMILY_PRIVATE, leaf[i]);
		/* Nothing may be a CA below a pathlen-0 CA. */
		if (i == 0) {
			y = sign(build(p256, "O=Example,CN=below", x,
			    K8S_PROFILES, leaf[i], 30), p256, EVP_sha256());
			expect(y, x, FAMILY_PRIVATE, "e_issuer_path_len_zero",
			    "CA under a pathlen-0 CA");
		}
		X509_free(x);
	}

	/* An intermediate asking for as much as the root (pathlen 2). */
	x = sign(build(sub_key, "O=Example,CN=Vault pki_int", root,
	    K8S_PROFILES, "root", 180), p384, EVP_sha384());
	expect(x, root, FAMILY_PRIVATE, "e_path_len_exceeds_issuer",
	    "child pathlen not below the issuer's");

	x = build(sub_key, "O=Example,CN=Vault pki_int", root, K8S_PROFILES,
	    "intermediate", 400);
	expect(sign(x, p384, EVP_sha384()), root, FAMILY_PRIVATE,
	    "e_validity_outside_issuer", "intermediate outlives the root");

	x = build(sub_key, "O=Example,CN=Vault pki_int", root, K8S_PROFILES,
	    "intermediate", 30);
	ASN1_TIME_set(X509_getm_notBefore(x), time(NULL) - 86400);
	expect(sign(x, p384, EVP_sha384()), root, FAMILY_PRIVATE,
	    "e_validity_outside_issuer", "intermediate starts before the "
	    "root");

	x = build(sub_key, "O=Example,CN=Vault pki_int", root, K8S_PROFILES,
	    "intermediate", 180);
	set_ext(x, root, NID_basic_constraints, "critical,CA:TRUE", true);
	expect(sign(x, p384, EVP_sha384()), root, FAMILY_PRIVATE,
	    "w_path_len_absent_under_limit", "no pathlen under a limited "
	    "issuer");

	/* A leaf (not a CA) as the issuer. */
	x = sign(build(p256, "O=Example,CN=leaf", inter, K8S_PROFILES,
	    "etcd-ca", 90), sub_key, EVP_sha384());
	set_ext(x, inter, NID_basic_constraints, "critical,CA:FALSE", true);
	sign(x, sub_key, EVP_sha384());
	y = sign(build(p256, "O=Example,CN=below", x, K8S_PROFILES, "etcd-ca",
	    30), p256, EVP_sha256());
	expect(y, x, FAMILY_PRIVATE, "e_issuer_not_ca", "issued by a non-CA");
	X509_free(x);

	X509_free(inter);
	X509_free(root);
}

/* Signs x with RSASSA-PSS: md, a salt of saltlen bytes, MGF1 with mgf. */
static X509 *
sign_pss(X509 *x, EVP_PKEY *k, const EVP_MD *md, int saltlen,
    const EVP_MD *mgf)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	EVP_PKEY_CTX *pctx = NULL;

	if (ctx == NULL ||
	    EVP_DigestSignInit(ctx, &pctx, md, NULL, k) != 1 ||
	    EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
	    EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, saltlen) != 1 ||
	    EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, mgf) != 1 ||
	    X509_sign_ctx(x, ctx) <= 0)
		diag("signing with RSA-PSS failed");
	EVP_MD_CTX_free(ctx);
	return x;
}

/* RSASSA-PSS: the BR's three encodings pass, anything else does not. */
static void
test_pss(void)
{
	static const char *const names[] = { "sha256", "sha384", "sha512" };
	const EVP_MD *mds[3];
	const char *d;
	EVP_PKEY *rsa;
	X509 *x, *root;
	size_t i;

	mds[0] = EVP_sha256();
	mds[1] = EVP_sha384();
	mds[2] = EVP_sha512();
	rsa = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
	for (i = 0; i < 3; i++) {
		x = sign_pss(build(rsa, "O=Example,CN=PSS Root", NULL,
		    K8S_PROFILES, "root", 365), rsa, mds[i],
		    RSA_PSS_SALTLEN_DIGEST, mds[i]);
		clean(x, NULL, FAMILY_PRIVATE, names[i]);
		d = lint_pss_digest(X509_get0_tbs_sigalg(x));
		ok(d != NULL && strcmp(d, names[i]) == 0,
		    "lint_pss_digest: %s", names[i]);
		X509_free(x);
	}
	x = sign_pss(build(rsa, "O=Example,CN=PSS Root", NULL, K8S_PROFILES,
	    "root", 365), rsa, EVP_sha384(), 20, EVP_sha384());
	ok(lint_pss_digest(X509_get0_tbs_sigalg(x)) == NULL,
	    "lint_pss_digest: a 20-byte salt with SHA-384 is not offroot's");
	expect(x, NULL, FAMILY_PRIVATE, "e_signature_algorithm_not_allowed",
	    "RSA-PSS SHA-384 with a 20-byte salt");
	x = sign_pss(build(rsa, "O=Example,CN=PSS Root", NULL, K8S_PROFILES,
	    "root", 365), rsa, EVP_sha256(), RSA_PSS_SALTLEN_DIGEST,
	    EVP_sha1());
	expect(x, NULL, FAMILY_PRIVATE, "e_signature_algorithm_not_allowed",
	    "RSA-PSS SHA-256 with MGF1-SHA-1");
	x = sign_pss(build(rsa, "O=Example,CN=PSS Root", NULL, K8S_PROFILES,
	    "root", 365), rsa, EVP_sha1(), RSA_PSS_SALTLEN_DIGEST, EVP_sha1());
	expect(x, NULL, FAMILY_PRIVATE, "e_signature_algorithm_not_allowed",
	    "RSA-PSS SHA-1");
	/* An RSASSA-PSS signature claimed by an EC issuer. */
	root = sign(build(p384, "O=Example,CN=EC Root", NULL, K8S_PROFILES,
	    "root", 365), p384, EVP_sha384());
	x = sign_pss(build(sub_key, "O=Example,CN=PSS Sub", root,
	    K8S_PROFILES, "intermediate", 180), rsa, EVP_sha256(),
	    RSA_PSS_SALTLEN_DIGEST, EVP_sha256());
	expect(x, root, FAMILY_PRIVATE, "e_signature_algorithm_key_mismatch",
	    "RSA-PSS under an EC issuer");
	X509_free(root);
	ok(lint_pss_digest(NULL) == NULL, "lint_pss_digest: NULL");
	EVP_PKEY_free(rsa);
}

static void
test_report(void)
{
	struct lint_report r;
	X509 *x;

	is_str(lint_level_name(LINT_ERROR), "error", "level name: error");
	is_str(lint_level_name(LINT_WARN), "warning", "level name: warning");
	is_str(lint_level_name(LINT_NOTICE), "notice", "level name: notice");
	x = br_root();
	drop_ext(x, NID_basic_constraints);
	drop_ext(x, NID_key_usage);
	drop_ext(x, NID_subject_key_identifier);
	set_serial_hex(x, "0");
	X509_set_version(x, X509_VERSION_1);
	sign(x, p384, EVP_sha1());
	lint_cert(x, NULL, FAMILY_BR_ROOT, &r);
	ok(lint_count(&r, LINT_ERROR) >= 6, "a badly broken root: every "
	    "error is reported (%zu)", lint_count(&r, LINT_ERROR));
	X509_free(x);
}

int
main(void)
{
	p384 = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384");
	p256 = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	sub_key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384");
	rsa1024 = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)1024);
	test_br_root();
	test_structure();
	test_keys();
	test_br_subca();
	test_kubernetes();
	test_pss();
	test_report();
	EVP_PKEY_free(p384);
	EVP_PKEY_free(p256);
	EVP_PKEY_free(sub_key);
	EVP_PKEY_free(rsa1024);
	(void)plan_tests;	/* tap.h: done_testing() plans */
	return done_testing();
}
