/*
 * lint.c — checks on a certificate before the real key signs it, and again
 * after (see lint.h and FIELD-NOTES.md, "Certificates").
 *
 * Codes follow zlint's habit: e_ for errors, w_ for warnings, n_ for
 * notices; a code never changes meaning.  RFC 5280 rules apply to every
 * family; rules whose code contains "br_", "root_" or "subca_" come from
 * the CA/Browser Forum Baseline Requirements and apply to br-root and
 * br-subca only.  The certificate is expected to be signed (with the
 * throwaway key before the ceremony, with the real key after), so that its
 * two algorithm fields can be compared.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "err.h"
#include "interact.h"
#include "lint.h"
#include "names.h"
#include "util.h"

#define BR_ROOT_MIN_DAYS	2922L
#define BR_ROOT_MAX_DAYS	9132L

/* keyUsage bits (RFC 5280 4.2.1.3). */
#define KU_BIT_DIGITAL_SIGNATURE	0
#define KU_BIT_KEY_CERT_SIGN		5
#define KU_BIT_CRL_SIGN			6
#define KU_BIT_LAST			8

struct lint {
	X509 *cert;
	X509 *issuer;		/* NULL: self-signed root */
	enum profile_family family;
	bool br;		/* a BR family */
	bool is_ca;		/* treated as a CA certificate */
	struct lint_report *r;
	const struct names_policy *subject_policy;	/* NULL: names.h's */
	int rc;			/* OR_E_NOMEM when something could not be
				 * allocated */
};

/* Adds a finding.  When the report is full, a new finding replaces the
 * first one of a lower level, so that errors are never lost. */
static void __attribute__((format(printf, 4, 5)))
add(struct lint *l, enum lint_level level, const char *code,
    const char *fmt, ...)
{
	struct lint_report *r = l->r;
	struct lint_finding *f = NULL;
	size_t i;
	va_list ap;

	if (r->n < LINT_MAX) {
		f = &r->f[r->n++];
	} else {
		for (i = 0; i < LINT_MAX && f == NULL; i++)
			if (r->f[i].level < level)
				f = &r->f[i];
		if (f == NULL)
			return;
	}
	f->level = level;
	snprintf(f->code, sizeof f->code, "%s", code);
	va_start(ap, fmt);
	vsnprintf(f->text, sizeof f->text, fmt, ap);
	va_end(ap);
}

/* The first extension of that kind, decoded; *crit is -1 when absent,
 * else 0 or 1.  Free with free_ext(). */
static void *
get_ext(X509 *x, int nid, int *crit)
{
	X509_EXTENSION *ext;
	int i;

	*crit = -1;
	if (x == NULL || (i = X509_get_ext_by_NID(x, nid, -1)) < 0 ||
	    (ext = X509_get_ext(x, i)) == NULL)
		return NULL;
	*crit = X509_EXTENSION_get_critical(ext) != 0;
	return X509V3_EXT_d2i(ext);
}

/* Frees what X509V3_EXT_d2i(e) returned. */
static void
ext_free_decoded(X509_EXTENSION *e, void *d)
{
	const X509V3_EXT_METHOD *m = X509V3_EXT_get(e);

	if (d == NULL || m == NULL)
		return;
	if (m->it != NULL)
		ASN1_item_free(d, ASN1_ITEM_ptr(m->it));
	else if (m->ext_free != NULL)
		m->ext_free(d);
}

static bool
has_ext(X509 *x, int nid)
{
	return X509_get_ext_by_NID(x, nid, -1) >= 0;
}

/* Whether a distribution point's full name holds an http:// URI (BR
 * 7.1.2.11.2: relying parties fetch the CRL over plain HTTP). */
static bool
crldp_has_http(X509 *x)
{
	CRL_DIST_POINTS *cdp;
	const DIST_POINT *dp;
	const GENERAL_NAME *gn;
	const unsigned char *u;
	bool found = false;
	int crit, i, j;

	if ((cdp = get_ext(x, NID_crl_distribution_points, &crit)) == NULL)
		return false;
	for (i = 0; !found && i < sk_DIST_POINT_num(cdp); i++) {
		dp = sk_DIST_POINT_value(cdp, i);
		if (dp->distpoint == NULL || dp->distpoint->type != 0)
			continue;
		for (j = 0; !found &&
		    j < sk_GENERAL_NAME_num(dp->distpoint->name.fullname);
		    j++) {
			gn = sk_GENERAL_NAME_value(dp->distpoint->name.fullname,
			    j);
			if (gn->type != GEN_URI)
				continue;
			u = ASN1_STRING_get0_data(gn->d.uniformResourceIdentifier);
			found = ASN1_STRING_length(gn->d.uniformResourceIdentifier)
			    > 7 && memcmp(u, "http://", 7) == 0;
		}
	}
	CRL_DIST_POINTS_free(cdp);
	return found;
}

static bool
name_has(const X509_NAME *n, int nid)
{
	return X509_NAME_get_index_by_NID(n, nid, -1) >= 0;
}

/* ---- structure ---- */

static void
lint_version(struct lint *l)
{
	if (X509_get_version(l->cert) != X509_VERSION_3)
		add(l, LINT_ERROR, "e_cert_version_not_3", "the certificate "
		    "is version %ld, not 3", X509_get_version(l->cert) + 1);
}

/* BR 7.1: positive, at most 20 octets, at least 64 bits from a CSPRNG.
 * The 2019 incidents were 63-bit serials in 8 octets. */
static void
lint_serial(struct lint *l)
{
	const ASN1_INTEGER *sn = X509_get0_serialNumber(l->cert);
	BIGNUM *bn;
	int bits, octets;

	if ((bn = ASN1_INTEGER_to_BN(sn, NULL)) == NULL) {
		add(l, LINT_ERROR, "e_serial_invalid", "the serial number "
		    "cannot be decoded");
		return;
	}
	bits = BN_num_bits(bn);
	octets = bits / 8 + 1;		/* DER content octets (sign bit) */
	if (BN_is_zero(bn))
		add(l, LINT_ERROR, "e_serial_zero", "the serial number is "
		    "zero");
	else if (BN_is_negative(bn))
		add(l, LINT_ERROR, "e_serial_negative", "the serial number is "
		    "negative (RFC 5280 4.1.2.2)");
	else if (bits < 64)
		add(l, LINT_ERROR, "e_serial_low_entropy", "the serial number "
		    "has %d bits: it cannot carry the 64 random bits the BR "
		    "requires", bits);
	else if (bits < 120)
		add(l, LINT_WARN, "w_serial_short", "the serial number has "
		    "%d bits; offroot draws 159 random bits", bits);
	if (octets > 20)
		add(l, LINT_ERROR, "e_serial_too_long", "the serial number "
		    "is %d octets long, more than 20 (RFC 5280 4.1.2.2)",
		    octets);
	BN_free(bn);
}

static bool
weak_digest(int md)
{
	return md == NID_md2 || md == NID_md4 || md == NID_md5 ||
	    md == NID_sha1 || md == NID_mdc2 || md == NID_ripemd160;
}

static int
curve_digest(EVP_PKEY *pk)
{
	char group[64];
	size_t len = 0;
	int nid;

	if (!EVP_PKEY_get_group_name(pk, group, sizeof group, &len))
		return NID_undef;
	if ((nid = OBJ_sn2nid(group)) == NID_undef)
		nid = EC_curve_nist2nid(group);
	switch (nid) {
	case NID_X9_62_prime256v1:
		return NID_sha256;
	case NID_secp384r1:
		return NID_sha384;
	case NID_secp521r1:
		return NID_sha512;
	default:
		return NID_undef;
	}
}

/* The RSASSA-PSS AlgorithmIdentifiers the BR (7.1.3.2) allows, byte for
 * byte: SHA-256/384/512, MGF1 with the same hash, salt = hash length. */
#define LINT_PSS_HEAD \
	0x30, 0x41, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, \
	0x01, 0x0a, 0x30, 0x34, 0xa0, 0x0f, 0x30, 0x0d, 0x06, 0x09, 0x60, \
	0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02
#define LINT_PSS_MGF \
	0x05, 0x00, 0xa1, 0x1c, 0x30, 0x1a, 0x06, 0x09, 0x2a, 0x86, 0x48, \
	0x86, 0xf7, 0x0d, 0x01, 0x01, 0x08, 0x30, 0x0d, 0x06, 0x09, 0x60, \
	0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02
static const struct {
	const char *digest;
	unsigned char der[67];
} lint_pss[] = {
	{ "sha256", { LINT_PSS_HEAD, 0x01, LINT_PSS_MGF, 0x01, 0x05, 0x00,
	    0xa2, 0x03, 0x02, 0x01, 0x20 } },
	{ "sha384", { LINT_PSS_HEAD, 0x02, LINT_PSS_MGF, 0x02, 0x05, 0x00,
	    0xa2, 0x03, 0x02, 0x01, 0x30 } },
	{ "sha512", { LINT_PSS_HEAD, 0x03, LINT_PSS_MGF, 0x03, 0x05, 0x00,
	    0xa2, 0x03, 0x02, 0x01, 0x40 } },
};

const char *
lint_pss_digest(const X509_ALGOR *alg)
{
	unsigned char *der = NULL;
	const char *digest = NULL;
	int len;
	size_t i;

	if (alg == NULL || (len = i2d_X509_ALGOR(alg, &der)) <= 0) {
		ERR_clear_error();
		return NULL;
	}
	for (i = 0; i < nitems(lint_pss); i++)
		if ((size_t)len == sizeof lint_pss[i].der &&
		    memcmp(der, lint_pss[i].der, (size_t)len) == 0)
			digest = lint_pss[i].digest;
	OPENSSL_free(der);
	return digest;
}

/* RSASSA-PSS: one of the BR's encodings, under an RSA issuer key. */
static void
lint_signature_pss(struct lint *l, const X509_ALGOR *alg)
{
	EVP_PKEY *ikey;

	if (lint_pss_digest(alg) == NULL) {
		add(l, LINT_ERROR, "e_signature_algorithm_not_allowed", "the "
		    "RSASSA-PSS parameters are not one offroot allows (BR "
		    "7.1.3.2: SHA-256/384/512, MGF1 with the same hash, a "
		    "salt as long as the hash, trailer field 1)");
		return;
	}
	ikey = X509_get0_pubkey(l->issuer != NULL ? l->issuer : l->cert);
	if (ikey != NULL && EVP_PKEY_get_base_id(ikey) != NID_rsaEncryption)
		add(l, LINT_ERROR, "e_signature_algorithm_key_mismatch", "the "
		    "signature algorithm RSASSA-PSS does not match the "
		    "issuer's %s key",
		    OBJ_nid2sn(EVP_PKEY_get_base_id(ikey)));
}

/* Both algorithm fields, the digest, the parameters' encoding and the
 * issuer's key (BR 7.1.3.2). */
static void
lint_signature(struct lint *l)
{
	const X509_ALGOR *inner, *outer = NULL;
	const ASN1_BIT_STRING *sig = NULL;
	const ASN1_OBJECT *obj;
	const void *pval;
	EVP_PKEY *ikey;
	int nid, md = NID_undef, pk = NID_undef, ptype, want;

	inner = X509_get0_tbs_sigalg(l->cert);
	X509_get0_signature(&sig, &outer, l->cert);
	X509_ALGOR_get0(&obj, &ptype, &pval, inner);
	nid = OBJ_obj2nid(obj);
	if (nid == NID_undef) {
		add(l, LINT_ERROR, "e_signature_algorithm_missing", "the "
		    "certificate has no known signature algorithm (lint the "
		    "TBS after signing it with the throwaway key)");
		return;
	}
	if (sig != NULL && sig->length > 0 && outer != NULL &&
	    X509_ALGOR_cmp(inner, outer) != 0)
		add(l, LINT_ERROR, "e_signature_algorithm_mismatch", "the "
		    "TBS signature field differs from the outer "
		    "signatureAlgorithm (RFC 5280 4.1.1.2)");
	if (nid == NID_rsassaPss) {
		lint_signature_pss(l, inner);
		return;
	}
	if (!OBJ_find_sigid_algs(nid, &md, &pk)) {
		add(l, LINT_ERROR, "e_signature_algorithm_not_allowed", "the "
		    "signature algorithm %s is not allowed", OBJ_nid2sn(nid));
		return;
	}
	if (weak_digest(md)) {
		add(l, LINT_ERROR, "e_signature_weak_hash", "the signature "
		    "uses %s, which is broken for certificates", OBJ_nid2sn(md));
		return;
	}
	if (pk == NID_ED25519) {
		if (l->br)
			add(l, LINT_WARN, "w_br_ed25519_signature", "an Ed25519 "
			    "signature is not eligible under the BR (6.1.5)");
	} else if ((pk != NID_rsaEncryption && pk != NID_X9_62_id_ecPublicKey)
	    || (md != NID_sha256 && md != NID_sha384 && md != NID_sha512)) {
		add(l, LINT_ERROR, "e_signature_algorithm_not_allowed", "the "
		    "signature algorithm %s is not one offroot allows "
		    "(RSA PKCS#1 v1.5 or RSA-PSS or ECDSA with "
		    "SHA-256/384/512, Ed25519)",
		    OBJ_nid2sn(nid));
		return;
	}
	/* RFC 3279/5758, BR 7.1.3.2: NULL parameters for RSA, none else. */
	if (pk == NID_rsaEncryption ? ptype != V_ASN1_NULL :
	    ptype != V_ASN1_UNDEF)
		add(l, LINT_ERROR, "e_signature_algorithm_params", "the "
		    "signature algorithm's parameters are not encoded as the "
		    "RFCs require (%s)", pk == NID_rsaEncryption ? "NULL" :
		    "absent");
	ikey = X509_get0_pubkey(l->issuer != NULL ? l->issuer : l->cert);
	if (ikey == NULL)
		return;
	if (EVP_PKEY_get_base_id(ikey) != pk) {
		add(l, LINT_ERROR, "e_signature_algorithm_key_mismatch", "the "
		    "signature algorithm %s does not match the issuer's %s key",
		    OBJ_nid2sn(nid), OBJ_nid2sn(EVP_PKEY_get_base_id(ikey)));
		return;
	}
	if (pk == NID_X9_62_id_ecPublicKey &&
	    (want = curve_digest(ikey)) != NID_undef && want != md) {
		if (l->br)
			add(l, LINT_ERROR, "e_br_ecdsa_hash_curve_mismatch",
			    "ECDSA with %s on the issuer's curve: the BR "
			    "(7.1.3.2) requires %s", OBJ_nid2sn(md),
			    OBJ_nid2sn(want));
		else
			add(l, LINT_NOTICE, "n_ecdsa_hash_curve_mismatch",
			    "ECDSA with %s on the issuer's curve; %s is the "
			    "usual pairing", OBJ_nid2sn(md), OBJ_nid2sn(want));
	}
}

/* ---- validity ---- */

/* RFC 5280 4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050,
 * both in Zulu with seconds and no fraction. */
static void
lint_time_encoding(struct lint *l, const ASN1_TIME *t, const char *which)
{
	struct tm tm;
	int type = ASN1_STRING_type(t), len = ASN1_STRING_length(t);
	const unsigned char *d = ASN1_STRING_get0_data(t);

	if (!ASN1_TIME_to_tm(t, &tm)) {
		add(l, LINT_ERROR, "e_validity_time_invalid", "%s is not a "
		    "valid time", which);
		return;
	}
	if ((type == V_ASN1_UTCTIME && len != 13) ||
	    (type == V_ASN1_GENERALIZEDTIME && len != 15) ||
	    len < 1 || d[len - 1] != 'Z')
		add(l, LINT_ERROR, "e_validity_time_format", "%s is not in "
		    "the form YYMMDDHHMMSSZ / YYYYMMDDHHMMSSZ", which);
	if (tm.tm_year + 1900 < 2050 && type != V_ASN1_UTCTIME)
		add(l, LINT_ERROR, "e_validity_time_encoding", "%s (year %d) "
		    "must be a UTCTime", which, tm.tm_year + 1900);
	else if (tm.tm_year + 1900 >= 2050 && type != V_ASN1_GENERALIZEDTIME)
		add(l, LINT_ERROR, "e_validity_time_encoding", "%s (year %d) "
		    "must be a GeneralizedTime", which, tm.tm_year + 1900);
}

static void
lint_validity(struct lint *l)
{
	const ASN1_TIME *nb = X509_get0_notBefore(l->cert);
	const ASN1_TIME *na = X509_get0_notAfter(l->cert);
	long long secs;
	int day, sec;

	if (nb == NULL || na == NULL) {
		add(l, LINT_ERROR, "e_validity_time_invalid", "the validity "
		    "is missing");
		return;
	}
	lint_time_encoding(l, nb, "notBefore");
	lint_time_encoding(l, na, "notAfter");
	if (!ASN1_TIME_diff(&day, &sec, nb, na))
		return;
	/* The validity period is inclusive: notAfter names its last
	 * second. */
	secs = (long long)day * 86400 + sec + 1;
	if (secs <= 1)
		add(l, LINT_ERROR, "e_validity_order", "notBefore is not "
		    "before notAfter");
	if (l->family == FAMILY_BR_ROOT &&
	    (secs < BR_ROOT_MIN_DAYS * 86400LL ||
	    secs > BR_ROOT_MAX_DAYS * 86400LL))
		add(l, LINT_ERROR, "e_root_validity_out_of_range", "a BR root "
		    "certificate is valid for %ld to %ld days, this one for "
		    "%lld days and %lld seconds", BR_ROOT_MIN_DAYS,
		    BR_ROOT_MAX_DAYS, secs / 86400, secs % 86400);
	/* BR 7.1.2.1: notBefore within a day or so of the signing. */
	if (l->family == FAMILY_BR_ROOT &&
	    ASN1_TIME_diff(&day, &sec, nb, NULL) && day >= 1 &&
	    (day > 1 || sec > 0))
		add(l, LINT_WARN, "w_root_not_before_backdated", "notBefore "
		    "is %d days before now; the BR wants it within a day of "
		    "the signing", day);
	if (l->issuer == NULL)
		return;
	if (ASN1_TIME_compare(nb, X509_get0_notBefore(l->issuer)) < 0)
		add(l, LINT_ERROR, "e_validity_outside_issuer", "notBefore is "
		    "earlier than the issuer's notBefore");
	if (ASN1_TIME_compare(na, X509_get0_notAfter(l->issuer)) > 0)
		add(l, LINT_ERROR, "e_validity_outside_issuer", "notAfter is "
		    "later than the issuer's notAfter");
}

/* ---- names ---- */

static bool
name_der_equal(const X509_NAME *a, const X509_NAME *b)
{
	const unsigned char *da, *db;
	size_t la, lb;

	if (!X509_NAME_get0_der(a, &da, &la) || !X509_NAME_get0_der(b, &db,
	    &lb))
		return false;
	return la == lb && memcmp(da, db, la) == 0;
}

/* names.c's findings, into the report. */
static void
lint_names_found(void *ctx, enum lint_level level, const char *code,
    const char *text)
{
	add(ctx, level, code, "%s", text);
}

/*
 * Names a person can trust (names.h): the subject in full; the issuer's
 * characters and encodings when it is another certificate's subject (its
 * shape was linted when that certificate was made); every name in the
 * extensions.
 */
static void
lint_name_text(struct lint *l, const X509_NAME *subj, const X509_NAME *iss)
{
	static const struct names_policy issuer_policy = { .chars_only = true };

	names_check_name(subj, "subject", l->subject_policy, lint_names_found,
	    l);
	if (iss != NULL && (subj == NULL || !name_der_equal(subj, iss)))
		names_check_name(iss, "issuer", &issuer_policy, lint_names_found, l);
	names_check_extensions(l->cert, lint_names_found, l);
}

static void
lint_names(struct lint *l)
{
	const X509_NAME *subj = X509_get_subject_name(l->cert);
	const X509_NAME *iss = X509_get_issuer_name(l->cert);
	const ASN1_BIT_STRING *iuid = NULL, *suid = NULL;
	const X509_NAME *want;

	if (subj == NULL || X509_NAME_entry_count(subj) == 0)
		add(l, LINT_ERROR, "e_subject_empty", "the subject is empty");
	if (iss == NULL || X509_NAME_entry_count(iss) == 0)
		add(l, LINT_ERROR, "e_issuer_empty", "the issuer is empty");
	lint_name_text(l, subj, iss);
	if (subj == NULL || iss == NULL)
		return;
	if (l->issuer != NULL) {
		want = X509_get_subject_name(l->issuer);
		if (X509_NAME_cmp(iss, want) != 0)
			add(l, LINT_ERROR, "e_issuer_name_mismatch", "the "
			    "issuer name is not the issuing certificate's "
			    "subject");
		else if (!name_der_equal(iss, want))
			add(l, LINT_WARN, "w_issuer_name_encoding_differs",
			    "the issuer name matches the issuing "
			    "certificate's subject only after normalisation; "
			    "some clients compare bytes");
	} else if (X509_NAME_cmp(subj, iss) != 0) {
		add(l, LINT_ERROR, "e_root_subject_issuer_mismatch", "a "
		    "self-signed certificate needs issuer = subject");
	}
	X509_get0_uids(l->cert, &iuid, &suid);
	if (iuid != NULL || suid != NULL)
		add(l, LINT_ERROR, "e_cert_unique_identifier_present", "the "
		    "certificate carries an issuer or subject unique "
		    "identifier (RFC 5280 4.1.2.8)");
	if (!l->is_ca)
		return;
	if (l->br) {
		/* BR 7.1.2.10.2, CA certificate naming. */
		if (!name_has(subj, NID_countryName))
			add(l, LINT_ERROR, "e_br_ca_subject_no_country", "a "
			    "BR CA subject needs countryName");
		if (!name_has(subj, NID_organizationName))
			add(l, LINT_ERROR, "e_br_ca_subject_no_organization",
			    "a BR CA subject needs organizationName");
		if (!name_has(subj, NID_commonName))
			add(l, LINT_ERROR, "e_br_ca_subject_no_common_name",
			    "a BR CA subject needs commonName");
		if (name_has(subj, NID_organizationalUnitName))
			add(l, LINT_ERROR, "e_br_ca_subject_has_ou", "a BR CA "
			    "subject must not have organizationalUnitName");
	} else if (!name_has(subj, NID_commonName)) {
		add(l, LINT_WARN, "w_ca_subject_no_common_name", "the CA "
		    "subject has no commonName; people and tools name a CA "
		    "by it");
	}
}

/* ---- extensions ---- */

static void
lint_extension_list(struct lint *l)
{
	X509_EXTENSION *e, *f;
	int i, j, n = X509_get_ext_count(l->cert), nid;
	char oid[80];
	void *d;

	for (i = 0; i < n; i++) {
		e = X509_get_ext(l->cert, i);
		nid = OBJ_obj2nid(X509_EXTENSION_get_object(e));
		OBJ_obj2txt(oid, sizeof oid, X509_EXTENSION_get_object(e), 0);
		for (j = 0; j < i; j++) {
			f = X509_get_ext(l->cert, j);
			if (OBJ_cmp(X509_EXTENSION_get_object(e),
			    X509_EXTENSION_get_object(f)) == 0) {
				add(l, LINT_ERROR, "e_ext_duplicate", "the "
				    "extension %s appears more than once "
				    "(RFC 5280 4.2)", oid);
				break;
			}
		}
		if (X509_EXTENSION_get_critical(e) &&
		    !X509_supported_extension(e))
			add(l, LINT_ERROR, "e_ext_unknown_critical", "the "
			    "critical extension %s is not one relying parties "
			    "can be expected to process", oid);
		if (nid != NID_undef && X509V3_EXT_get(e) != NULL) {
			if ((d = X509V3_EXT_d2i(e)) == NULL)
				add(l, LINT_ERROR, "e_ext_undecodable", "the "
				    "extension %s cannot be decoded", oid);
			else
				ext_free_decoded(e, d);
		}
	}
}

static void
lint_basic_constraints(struct lint *l, BASIC_CONSTRAINTS *bc, int crit)
{
	BASIC_CONSTRAINTS *ibc;
	int icrit;
	long cp = -1, ip;

	if (bc == NULL) {
		if (l->is_ca)
			add(l, LINT_ERROR, "e_ca_basic_constraints_missing",
			    "a CA certificate needs basicConstraints");
		return;
	}
	if (l->is_ca && !bc->ca)
		add(l, LINT_ERROR, "e_ca_basic_constraints_ca_false", "this "
		    "is a CA certificate (by its family, issuer or keyUsage) "
		    "but basicConstraints says cA FALSE");
	if (bc->ca && !crit)
		add(l, LINT_ERROR, "e_ca_basic_constraints_not_critical",
		    "basicConstraints must be critical in a CA certificate "
		    "(RFC 5280 4.2.1.9)");
	if (bc->pathlen != NULL) {
		if (!bc->ca)
			add(l, LINT_ERROR, "e_path_len_without_ca", "a "
			    "pathLenConstraint with cA FALSE (RFC 5280 "
			    "4.2.1.9)");
		cp = ASN1_INTEGER_get(bc->pathlen);
		if (cp < 0 || ASN1_STRING_type(bc->pathlen) ==
		    V_ASN1_NEG_INTEGER) {
			add(l, LINT_ERROR, "e_path_len_negative", "the "
			    "pathLenConstraint is negative or too large");
			cp = -1;
		}
		if (l->family == FAMILY_BR_ROOT)
			add(l, LINT_WARN, "w_root_path_len_present", "the BR "
			    "does not recommend a pathLenConstraint on a root");
	}
	if (l->issuer == NULL || !bc->ca)
		return;
	ibc = get_ext(l->issuer, NID_basic_constraints, &icrit);
	if (ibc == NULL || !ibc->ca) {
		add(l, LINT_ERROR, "e_issuer_not_ca", "the issuing "
		    "certificate is not a CA (basicConstraints)");
	} else if (ibc->pathlen != NULL &&
	    (ip = ASN1_INTEGER_get(ibc->pathlen)) >= 0) {
		if (ip == 0)
			add(l, LINT_ERROR, "e_issuer_path_len_zero", "the "
			    "issuer's pathLenConstraint is 0: it cannot issue "
			    "a CA certificate");
		else if (bc->pathlen == NULL)
			add(l, LINT_WARN, "w_path_len_absent_under_limit", "no "
			    "pathLenConstraint under an issuer with %ld; "
			    "state it (at most %ld)", ip, ip - 1);
		else if (cp >= ip)
			add(l, LINT_ERROR, "e_path_len_exceeds_issuer", "the "
			    "pathLenConstraint %ld is not below the issuer's "
			    "%ld", cp, ip);
	}
	BASIC_CONSTRAINTS_free(ibc);
}

static void
lint_key_usage(struct lint *l, ASN1_BIT_STRING *ku, int crit)
{
	ASN1_BIT_STRING *iku;
	int i, icrit;

	if (l->issuer != NULL) {
		iku = get_ext(l->issuer, NID_key_usage, &icrit);
		if (iku != NULL && !ASN1_BIT_STRING_get_bit(iku,
		    KU_BIT_KEY_CERT_SIGN))
			add(l, LINT_ERROR, "e_issuer_key_usage_no_cert_sign",
			    "the issuing certificate's keyUsage lacks "
			    "keyCertSign");
		ASN1_BIT_STRING_free(iku);
	}
	if (!l->is_ca)
		return;
	if (ku == NULL) {
		add(l, LINT_ERROR, "e_ca_key_usage_missing", "a CA certificate "
		    "needs keyUsage (RFC 5280 4.2.1.3, BR 7.1.2.10.7)");
		return;
	}
	if (!crit)
		add(l, LINT_ERROR, "e_ca_key_usage_not_critical", "keyUsage "
		    "must be critical in a CA certificate");
	if (!ASN1_BIT_STRING_get_bit(ku, KU_BIT_KEY_CERT_SIGN))
		add(l, LINT_ERROR, "e_ca_key_usage_no_cert_sign", "a CA "
		    "certificate's keyUsage needs keyCertSign");
	if (!ASN1_BIT_STRING_get_bit(ku, KU_BIT_CRL_SIGN))
		add(l, LINT_WARN, "w_ca_key_usage_no_crl_sign", "keyUsage "
		    "lacks cRLSign: this CA cannot sign its own CRLs");
	if (l->br)
		for (i = 0; i <= KU_BIT_LAST; i++)
			if (i != KU_BIT_DIGITAL_SIGNATURE &&
			    i != KU_BIT_KEY_CERT_SIGN && i != KU_BIT_CRL_SIGN &&
			    ASN1_BIT_STRING_get_bit(ku, i)) {
				add(l, LINT_ERROR,
				    "e_br_ca_key_usage_extra_bits", "a BR CA's "
				    "keyUsage may only have keyCertSign, "
				    "cRLSign and digitalSignature");
				break;
			}
}

static void
lint_key_ids(struct lint *l)
{
	ASN1_OCTET_STRING *ski, *iski = NULL;
	AUTHORITY_KEYID *aki;
	int scrit, acrit, icrit;

	ski = get_ext(l->cert, NID_subject_key_identifier, &scrit);
	aki = get_ext(l->cert, NID_authority_key_identifier, &acrit);
	if (ski == NULL && l->is_ca)
		add(l, LINT_ERROR, "e_ca_ski_missing", "a CA certificate needs "
		    "subjectKeyIdentifier (RFC 5280 4.2.1.2)");
	else if (ski == NULL)
		add(l, LINT_NOTICE, "n_ski_missing", "no "
		    "subjectKeyIdentifier (RFC 5280 recommends one)");
	if (scrit == 1)
		add(l, LINT_ERROR, "e_ski_critical", "subjectKeyIdentifier "
		    "must not be critical");
	if (acrit == 1)
		add(l, LINT_ERROR, "e_aki_critical", "authorityKeyIdentifier "
		    "must not be critical");
	if (aki == NULL) {
		if (l->issuer != NULL)
			add(l, LINT_ERROR, "e_aki_missing", "a certificate "
			    "issued by another CA needs "
			    "authorityKeyIdentifier (RFC 5280 4.2.1.1)");
		else
			add(l, LINT_NOTICE, "n_root_aki_missing", "no "
			    "authorityKeyIdentifier; recommended on a root");
		goto out;
	}
	if (l->br && (aki->issuer != NULL || aki->serial != NULL))
		add(l, LINT_ERROR, "e_br_aki_has_issuer_serial", "the BR "
		    "wants only a keyIdentifier in authorityKeyIdentifier");
	if (aki->keyid == NULL) {
		if (l->issuer != NULL || l->br)
			add(l, LINT_ERROR, "e_aki_no_key_identifier", "the "
			    "authorityKeyIdentifier has no keyIdentifier");
		goto out;
	}
	if (l->issuer != NULL) {
		iski = get_ext(l->issuer, NID_subject_key_identifier, &icrit);
		if (iski == NULL)
			add(l, LINT_ERROR, "e_issuer_ski_missing", "the "
			    "issuing certificate has no subjectKeyIdentifier "
			    "to match the authorityKeyIdentifier with");
		else if (ASN1_OCTET_STRING_cmp(aki->keyid, iski) != 0)
			add(l, LINT_ERROR, "e_aki_mismatch", "the "
			    "authorityKeyIdentifier is not the issuer's "
			    "subjectKeyIdentifier");
	} else if (ski != NULL && ASN1_OCTET_STRING_cmp(aki->keyid, ski) != 0) {
		add(l, LINT_ERROR, "e_aki_mismatch", "a self-signed "
		    "certificate's authorityKeyIdentifier is not its own "
		    "subjectKeyIdentifier");
	}
out:
	ASN1_OCTET_STRING_free(ski);
	ASN1_OCTET_STRING_free(iski);
	AUTHORITY_KEYID_free(aki);
}

static bool
eku_has(EXTENDED_KEY_USAGE *eku, int nid)
{
	int i;

	for (i = 0; i < sk_ASN1_OBJECT_num(eku); i++)
		if (OBJ_obj2nid(sk_ASN1_OBJECT_value(eku, i)) == nid)
			return true;
	return false;
}

static void
lint_eku(struct lint *l)
{
	EXTENDED_KEY_USAGE *eku;
	int crit;

	eku = get_ext(l->cert, NID_ext_key_usage, &crit);
	if (eku == NULL) {
		if (l->family == FAMILY_BR_SUBCA)
			add(l, LINT_ERROR, "e_subca_eku_missing", "a BR TLS "
			    "subordinate CA needs extendedKeyUsage with "
			    "serverAuth (BR 7.1.2.10.6)");
		return;
	}
	if (l->family == FAMILY_BR_ROOT)
		add(l, LINT_ERROR, "e_root_eku_present", "a BR root must not "
		    "have extendedKeyUsage (BR 7.1.2.1)");
	if (eku_has(eku, NID_anyExtendedKeyUsage))
		add(l, LINT_ERROR, "e_eku_any", "anyExtendedKeyUsage is never "
		    "allowed (BR 7.1.2.10.6)");
	if (l->is_ca && eku_has(eku, NID_OCSP_sign))
		add(l, LINT_ERROR, "e_ca_eku_ocsp_signing", "id-kp-OCSPSigning "
		    "in a CA certificate makes it a delegated OCSP responder "
		    "for its issuer");
	if (l->family == FAMILY_BR_SUBCA && !eku_has(eku, NID_server_auth))
		add(l, LINT_ERROR, "e_subca_eku_no_server_auth", "a BR TLS "
		    "subordinate CA's extendedKeyUsage must include "
		    "serverAuth");
	EXTENDED_KEY_USAGE_free(eku);
}

static void
lint_policies(struct lint *l)
{
	CERTIFICATEPOLICIES *pol;
	POLICYINFO *pi;
	int crit, i;

	pol = get_ext(l->cert, NID_certificate_policies, &crit);
	if (l->family == FAMILY_BR_ROOT && crit >= 0)
		add(l, LINT_WARN, "w_root_policies_present", "the BR does not "
		    "recommend certificatePolicies on a root");
	if (l->family == FAMILY_BR_SUBCA) {
		if (crit < 0)
			add(l, LINT_ERROR, "e_subca_policies_missing", "a BR "
			    "subordinate CA needs certificatePolicies "
			    "(BR 7.1.2.10.5)");
		for (i = 0; i < sk_POLICYINFO_num(pol); i++) {
			pi = sk_POLICYINFO_value(pol, i);
			if (OBJ_obj2nid(pi->policyid) == NID_any_policy) {
				add(l, LINT_ERROR, "e_subca_any_policy", "anyPolicy "
				    "in a subordinate CA (DigiCert, Bugzilla "
				    "1654967): name the policies it may issue "
				    "under");
				break;
			}
		}
		/* DigiCert, Bugzilla 1654967: an intermediate made at a
		 * ceremony without one.  (Up to offroot 0.1 this was the
		 * warning w_subca_crldp_missing.) */
		if (!has_ext(l->cert, NID_crl_distribution_points))
			add(l, LINT_ERROR, "e_subca_crldp_missing", "no CRL "
			    "Distribution Point, which the BR requires "
			    "(7.1.2.10): record the CRL's URL with offroot set "
			    "-d DIR crl-url=http://...");
		else if (!crldp_has_http(l->cert))
			add(l, LINT_ERROR, "e_subca_crldp_not_http", "the CRL "
			    "Distribution Point names no http:// URL (BR "
			    "7.1.2.11.2): use the CA's crl-url, or an http URI "
			    "in the profile");
	}
	CERTIFICATEPOLICIES_free(pol);
}

static void
lint_name_constraints(struct lint *l)
{
	NAME_CONSTRAINTS *nc;
	int crit;

	nc = get_ext(l->cert, NID_name_constraints, &crit);
	if (crit < 0)
		return;
	if (!l->is_ca)
		add(l, LINT_ERROR, "e_name_constraints_on_non_ca",
		    "nameConstraints belong in CA certificates only");
	if (crit == 0 && l->br)
		add(l, LINT_WARN, "w_name_constraints_not_critical", "RFC "
		    "5280 wants nameConstraints critical; the BR tolerates it "
		    "non-critical");
	else if (crit == 0)
		add(l, LINT_ERROR, "e_name_constraints_not_critical",
		    "nameConstraints must be critical (RFC 5280 4.2.1.10)");
	NAME_CONSTRAINTS_free(nc);
}

static void
lint_extensions(struct lint *l)
{
	BASIC_CONSTRAINTS *bc;
	ASN1_BIT_STRING *ku;
	int bcrit, kcrit;

	lint_extension_list(l);
	bc = get_ext(l->cert, NID_basic_constraints, &bcrit);
	ku = get_ext(l->cert, NID_key_usage, &kcrit);
	lint_basic_constraints(l, bc, bcrit);
	lint_key_usage(l, ku, kcrit);
	lint_key_ids(l);
	lint_eku(l);
	lint_policies(l);
	lint_name_constraints(l);
	BASIC_CONSTRAINTS_free(bc);
	ASN1_BIT_STRING_free(ku);
}

/* ---- the subject's key (BR 6.1.5, 6.1.6) ---- */

static void
lint_public_key(struct lint *l)
{
	EVP_PKEY *pk = X509_get0_pubkey(l->cert);
	BIGNUM *e = NULL;
	char group[64];
	size_t len = 0;
	int bits, nid;

	if (pk == NULL) {
		add(l, LINT_ERROR, "e_public_key_invalid", "the subject public "
		    "key cannot be decoded");
		return;
	}
	if (EVP_PKEY_get_base_id(pk) == EVP_PKEY_RSA) {
		bits = EVP_PKEY_get_bits(pk);
		if (bits < 2048)
			add(l, LINT_ERROR, "e_rsa_key_too_small", "an RSA key "
			    "of %d bits; at least 2048", bits);
		if (bits % 8 != 0)
			add(l, LINT_ERROR, "e_rsa_modulus_not_multiple_of_8",
			    "the RSA modulus has %d bits, not a multiple of 8",
			    bits);
		if (!EVP_PKEY_get_bn_param(pk, OSSL_PKEY_PARAM_RSA_E, &e)) {
			l->rc = OR_E_NOMEM;
			return;
		}
		if (!BN_is_odd(e) || BN_cmp(e, BN_value_one()) <= 0 ||
		    BN_num_bits(e) < 2)
			add(l, LINT_ERROR, "e_rsa_exponent_invalid", "the RSA "
			    "public exponent must be odd and at least 3");
		else if (BN_num_bits(e) < 17)
			add(l, LINT_WARN, "w_rsa_exponent_small", "the RSA "
			    "public exponent is below 65537 (BR 6.1.6)");
		BN_free(e);
	} else if (EVP_PKEY_get_base_id(pk) == EVP_PKEY_EC) {
		nid = NID_undef;
		if (EVP_PKEY_get_group_name(pk, group, sizeof group, &len) &&
		    (nid = OBJ_sn2nid(group)) == NID_undef)
			nid = EC_curve_nist2nid(group);
		if (nid != NID_X9_62_prime256v1 && nid != NID_secp384r1 &&
		    nid != NID_secp521r1)
			add(l, LINT_ERROR, "e_ec_curve_not_allowed", "the EC key "
			    "is on %s; only P-256, P-384 and P-521 are allowed",
			    nid != NID_undef ? OBJ_nid2sn(nid) :
			    "an unnamed curve");
	} else if (EVP_PKEY_get_base_id(pk) == EVP_PKEY_ED25519) {
		if (l->br)
			add(l, LINT_WARN, "w_br_ed25519_key", "an Ed25519 key is "
			    "not eligible under the BR (6.1.5); fine in a "
			    "private hierarchy");
	} else {
		add(l, LINT_ERROR, "e_key_algorithm_not_allowed", "the subject "
		    "key is %s; only RSA, ECDSA (P-256/384/521) and Ed25519 "
		    "are allowed", OBJ_nid2sn(EVP_PKEY_get_base_id(pk)));
	}
}

/* Whether to hold the certificate to the CA rules. */
static bool
expect_ca(struct lint *l)
{
	BASIC_CONSTRAINTS *bc;
	ASN1_BIT_STRING *ku;
	bool ca;
	int crit;

	if (l->br || l->issuer == NULL)
		return true;
	bc = get_ext(l->cert, NID_basic_constraints, &crit);
	ku = get_ext(l->cert, NID_key_usage, &crit);
	ca = (bc != NULL && bc->ca) || (ku != NULL &&
	    ASN1_BIT_STRING_get_bit(ku, KU_BIT_KEY_CERT_SIGN));
	BASIC_CONSTRAINTS_free(bc);
	ASN1_BIT_STRING_free(ku);
	return ca;
}

int
lint_cert(X509 *cert, X509 *issuer, enum profile_family family,
    struct lint_report *report)
{
	return lint_cert_policy(cert, issuer, family, NULL, report);
}

int
lint_cert_policy(X509 *cert, X509 *issuer, enum profile_family family,
    const struct names_policy *subject_policy, struct lint_report *report)
{
	struct lint l;

	memset(report, 0, sizeof *report);
	memset(&l, 0, sizeof l);
	l.subject_policy = subject_policy;
	l.cert = cert;
	l.issuer = issuer;
	l.family = family;
	l.br = family != FAMILY_PRIVATE;
	l.r = report;
	l.rc = OR_OK;
	l.is_ca = expect_ca(&l);
	lint_version(&l);
	lint_serial(&l);
	lint_signature(&l);
	lint_validity(&l);
	lint_names(&l);
	lint_extensions(&l);
	lint_public_key(&l);
	if (l.rc != OR_OK)
		return err_set(l.rc, "out of memory while linting");
	return OR_OK;
}

int
lint_name(const X509_NAME *name, const char *where,
    struct lint_report *report)
{
	struct lint l;

	memset(report, 0, sizeof *report);
	memset(&l, 0, sizeof l);
	l.r = report;
	names_check_name(name, where, NULL, lint_names_found, &l);
	return OR_OK;
}

size_t
lint_count(const struct lint_report *r, enum lint_level level)
{
	size_t i, n = 0;

	for (i = 0; i < r->n; i++)
		if (r->f[i].level == level)
			n++;
	return n;
}

void
lint_say(struct interact *io, const char *what, const struct lint_report *r)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		if (r->f[i].level != LINT_ERROR)
			interact_say(io, r->f[i].level == LINT_WARN ?
			    SAY_WARN : SAY_INFO, "%s: lint %s: %s: %s", what,
			    lint_level_name(r->f[i].level), r->f[i].code,
			    r->f[i].text);
}

const char *
lint_level_name(enum lint_level l)
{
	switch (l) {
	case LINT_NOTICE:
		return "notice";
	case LINT_WARN:
		return "warning";
	case LINT_ERROR:
		return "error";
	}
	return "unknown";
}
