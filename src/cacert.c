/*
 * cacert.c — strict import of another CA's certificate (see cacert.h).
 *
 * The container and the DER rules are csr.c's; the content checks run in
 * a fixed order and stop at the first refusal, which names the file and
 * the reason on one line.  Nothing here trusts the certificate: it only
 * decides whether its subject and key are fit to be shown to the officers
 * and, once they confirmed its fingerprint, certified.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "cacert.h"
#include "csr.h"
#include "dn.h"
#include "err.h"
#include "fileio.h"
#include "util.h"

static const char *const cacert_labels[] = { "CERTIFICATE" };
static const struct csr_kind cacert_kind = {
	"certificate", "certificate", cacert_labels, 1
};

/* The DER as OpenSSL writes it again from the parsed fields. */
static int
cacert_reencode(X509 *x, const unsigned char *der, size_t derlen,
    const char *label)
{
	unsigned char *re = NULL;
	int relen, rc = OR_OK;

	if (i2d_re_X509_tbs(x, NULL) <= 0 || (relen = i2d_X509(x, &re)) <= 0)
		return err_openssl(OR_E_INPUT, "%s: the certificate cannot be "
		    "re-encoded", label);
	if ((size_t)relen != derlen || memcmp(re, der, derlen) != 0)
		rc = err_set(OR_E_INPUT, "%s: not DER: re-encoded, the "
		    "certificate differs from what was read", label);
	OPENSSL_free(re);
	return rc;
}

static int
cacert_subject(struct cacert_info *ci, const char *label)
{
	int rc;

	if ((rc = csr_check_name(X509_get_subject_name(ci->cert), label,
	    ci->subject, sizeof ci->subject)) != OR_OK)
		return rc;
	if (X509_NAME_entry_count(X509_get_issuer_name(ci->cert)) >
	    CSR_MAX_SUBJECT_ATTRS || dn_format(X509_get_issuer_name(ci->cert),
	    ci->issuer, sizeof ci->issuer) != OR_OK)
		return err_context(OR_E_INPUT, "%s: the issuer", label);
	return OR_OK;
}

/* A CA certificate: critical basicConstraints with cA, keyCertSign. */
static int
cacert_ca(struct cacert_info *ci, const char *label)
{
	const ASN1_OCTET_STRING *ski;
	BASIC_CONSTRAINTS *bc;
	uint32_t flags = X509_get_extension_flags(ci->cert);
	int crit = -1;

	if (flags & EXFLAG_INVALID)
		return err_set(OR_E_INPUT, "%s: malformed or duplicate "
		    "extensions", label);
	bc = X509_get_ext_d2i(ci->cert, NID_basic_constraints, &crit, NULL);
	if (bc == NULL || !bc->ca) {
		BASIC_CONSTRAINTS_free(bc);
		ERR_clear_error();
		return err_set(OR_E_POLICY, "%s: not a CA certificate (no "
		    "basicConstraints with cA TRUE): only a CA is "
		    "cross-signed", label);
	}
	ci->pathlen = bc->pathlen != NULL ?
	    (int)ASN1_INTEGER_get(bc->pathlen) : -1;
	BASIC_CONSTRAINTS_free(bc);
	if (crit != 1)
		return err_set(OR_E_POLICY, "%s: its basicConstraints are not "
		    "critical, as a CA certificate's must be (RFC 5280 "
		    "4.2.1.9)", label);
	ski = X509_get0_subject_key_id(ci->cert);
	if (ski != NULL && (ASN1_STRING_length(ski) < 1 ||
	    ASN1_STRING_length(ski) > CACERT_MAX_SKI))
		return err_set(OR_E_POLICY, "%s: its subjectKeyIdentifier is %d "
		    "bytes long; 1 to %d are accepted", label,
		    ASN1_STRING_length(ski), CACERT_MAX_SKI);
	if (!(flags & EXFLAG_KUSAGE) ||
	    !(X509_get_key_usage(ci->cert) & KU_KEY_CERT_SIGN))
		return err_set(OR_E_POLICY, "%s: its keyUsage does not allow "
		    "keyCertSign (RFC 5280 4.2.1.3): it cannot sign "
		    "certificates", label);
	return OR_OK;
}

static int
cacert_validity(struct cacert_info *ci, time_t now, const char *label)
{
	char when[UTC_TEXT_LEN + 1];

	ci->not_before = asn1_unix(X509_get0_notBefore(ci->cert));
	ci->not_after = asn1_unix(X509_get0_notAfter(ci->cert));
	if (ci->not_before == 0 || ci->not_after == 0 ||
	    ci->not_after < ci->not_before)
		return err_set(OR_E_INPUT, "%s: its validity cannot be read",
		    label);
	if (ci->not_after < now) {
		utc_text(ci->not_after, when);
		return err_set(OR_E_POLICY, "%s: it expired at %s", label,
		    when);
	}
	if (ci->not_before > now) {
		utc_text(ci->not_before, when);
		return err_set(OR_E_POLICY, "%s: it is not valid before %s "
		    "(is this machine's clock right?)", label, when);
	}
	return OR_OK;
}

/* Self-issued: its own key must verify it (a proof of possession). */
static int
cacert_self(struct cacert_info *ci, const char *label)
{
	int r;

	if (X509_NAME_cmp(X509_get_subject_name(ci->cert),
	    X509_get_issuer_name(ci->cert)) != 0)
		return OR_OK;
	r = X509_verify(ci->cert, ci->pubkey);
	ERR_clear_error();
	if (r != 1)
		return err_set(OR_E_VERIFY, "%s: self-issued, but its signature "
		    "does not verify with its own key: it was altered, or is "
		    "not what it claims", label);
	ci->self_issued = true;
	return OR_OK;
}

static void
cacert_serial(struct cacert_info *ci)
{
	BIGNUM *bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(ci->cert),
	    NULL);
	char *hex = bn != NULL ? BN_bn2hex(bn) : NULL;

	snprintf(ci->serial, sizeof ci->serial, "%.*s",
	    (int)sizeof ci->serial - 1, hex != NULL ? hex : "?");
	OPENSSL_free(hex);
	BN_free(bn);
}

int
cacert_parse(const unsigned char *buf, size_t len, const char *label,
    time_t now, struct cacert_info *out)
{
	unsigned char *owned = NULL, *spki = NULL;
	const unsigned char *der = NULL, *p;
	size_t derlen;
	int spkilen, rc;

	memset(out, 0, sizeof *out);
	if (len > CACERT_MAX_FILE)
		return err_set(OR_E_INPUT, "%s: larger than %u bytes", label,
		    CACERT_MAX_FILE);
	if ((rc = csr_container(buf, len, label, &cacert_kind, &owned, &der,
	    &derlen)) != OR_OK)
		return rc;
	p = der;
	if ((out->cert = d2i_X509(NULL, &p, (long)derlen)) == NULL) {
		rc = err_openssl(OR_E_INPUT, "%s: not a certificate", label);
		goto out;
	}
	if (p != der + derlen) {
		rc = err_set(OR_E_INPUT, "%s: trailing data inside the "
		    "certificate", label);
		goto out;
	}
	if ((rc = cacert_reencode(out->cert, der, derlen, label)) != OR_OK)
		goto out;
	if (X509_get_version(out->cert) != X509_VERSION_3) {
		rc = err_set(OR_E_INPUT, "%s: not an X.509 version 3 "
		    "certificate", label);
		goto out;
	}
	out->pubkey = X509_get0_pubkey(out->cert);
	ERR_clear_error();
	if ((spkilen = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(out->cert),
	    &spki)) <= 0) {
		rc = err_openssl(OR_E_INPUT, "%s: the public key cannot be "
		    "encoded", label);
		goto out;
	}
	if ((rc = sha256(der, derlen, out->cert_sha256)) != OR_OK ||
	    (rc = sha256(buf, len, out->file_sha256)) != OR_OK ||
	    (rc = sha256(spki, (size_t)spkilen, out->pubkey_sha256)) != OR_OK)
		goto out;
	csr_key_describe(X509_get_X509_PUBKEY(out->cert), out->pubkey,
	    &out->key_type, &out->key_bits, out->key_name);
	cacert_serial(out);
	if ((rc = cacert_subject(out, label)) != OR_OK ||
	    (rc = cacert_ca(out, label)) != OR_OK ||
	    (rc = csr_check_spki(X509_get_X509_PUBKEY(out->cert), out->pubkey,
	    label)) != OR_OK ||
	    (rc = cacert_validity(out, now, label)) != OR_OK ||
	    (rc = cacert_self(out, label)) != OR_OK)
		goto out;
	rc = OR_OK;
out:
	ERR_clear_error();
	if (rc != OR_OK)
		cacert_free(out);
	OPENSSL_free(spki);
	free(owned);
	return rc;
}

int
cacert_load(const char *path, time_t now, struct cacert_info *out)
{
	unsigned char *data = NULL;
	size_t len;
	int rc;

	memset(out, 0, sizeof *out);
	if ((rc = file_read(path, CACERT_MAX_FILE, &data, &len)) != OR_OK)
		return rc;
	rc = cacert_parse(data, len, path, now, out);
	free(data);
	return rc;
}

void
cacert_free(struct cacert_info *ci)
{
	if (ci == NULL)
		return;
	X509_free(ci->cert);
	memset(ci, 0, sizeof *ci);
}
