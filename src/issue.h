/*
 * issue.h — building and signing certificates.
 *
 * Boulder's route (ARCHITECTURE.md, decision 1b): the to-be-signed
 * certificate is first signed with a throwaway key of the same algorithm,
 * which fills both algorithm fields and gives the copy that is linted.  Its
 * TBS bytes are then signed by the key store, the three fields wrapped with
 * an ASN.1 template, the result parsed back with d2i_X509, its TBS compared
 * byte for byte, and the signature verified with the issuer's real public
 * key.  The engine never sees the private key.
 */
#ifndef OFFROOT_ISSUE_H
#define OFFROOT_ISSUE_H

#include <stddef.h>
#include <time.h>

#include <openssl/x509.h>

#include "keystore.h"
#include "lint.h"
#include "profile.h"

struct issue_request {
	X509_NAME *subject;
	EVP_PKEY *subject_key;		/* public key to certify */
	X509 *issuer;			/* NULL: self-signed root */
	EVP_PKEY *issuer_key;		/* issuer's public key (for verify) */
	enum keytype issuer_type;	/* algorithm of the signing key */
	const struct profile *profile;
	long days;			/* 0: the profile's validity */
	time_t not_before;		/* 0: issue_not_before(now) */
	time_t not_after;		/* 0: from days; else exactly this */
	/* NULL: the profile's subjectKeyIdentifier.  Else this value
	 * replaces it (a cross-certificate keeps the other CA's own SKI, so
	 * that the AKI of what that CA issued finds it). */
	const ASN1_OCTET_STRING *subject_key_id;
	/* The CA's publication points (publish.h), put into a certificate
	 * with an issuer (never the self-signed root) unless the profile
	 * writes that extension itself; NULL or "": none. */
	const char *crl_url;
	const char *ca_issuers_url;
};

/* notBefore for a certificate signed at now: now minus the profile's
 * backdate (profile_backdate), but never before the issuer's notBefore
 * (issuer NULL: self-signed). */
time_t issue_not_before(const struct profile *p, X509 *issuer, time_t now);

/* 20 random bytes, top bit cleared, never zero (FIELD-NOTES). */
int issue_serial(ASN1_INTEGER **out);
/* Builds the TBS certificate and signs it with a throwaway key: the result
 * is what gets linted.  notAfter = notBefore + days*86400 - 1, unless
 * req->not_after is given: N days of validity count from the (backdated)
 * notBefore, so the validity period is N days whatever the backdate. */
int issue_build(const struct issue_request *req, X509 **tbs_out);
/* Signs the TBS of tbs with the key store, reassembles, re-parses and
 * verifies with verify_key.  *out is the final certificate. */
int issue_sign(X509 *tbs, struct keystore *ks, EVP_PKEY *verify_key,
    X509 **out);
/* Signature digest for a profile and key type ("sha384"...; NULL for
 * Ed25519). */
const char *issue_digest(const struct profile *p, enum keytype t);
/* Lints and turns errors into one OR_E_POLICY line (first error named);
 * warnings are left in the report for the caller to show. */
int issue_lint(X509 *tbs, X509 *issuer, const struct profile *p,
    struct lint_report *report);
/* Wraps tbs, algorithm and signature (the shape shared by certificates,
 * CRLs and OCSP responses) into DER. */
int signed_wrap(const unsigned char *tbs, size_t tbslen, const X509_ALGOR *alg,
    const unsigned char *sig, size_t siglen, unsigned char **der,
    size_t *derlen);
/* A throwaway private key of the given type (cached per process). */
EVP_PKEY *issue_throwaway_key(enum keytype t);

#endif
