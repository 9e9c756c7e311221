/*
 * ocsp.h — pre-signed OCSP responses for the certificates this root issued.
 *
 * The root signs the BasicOCSPResponse itself (responderID byName: the
 * root's subject; no certificates included), so a client that trusts the
 * root verifies it directly:
 *   openssl ocsp -respin FILE -issuer root.pem -VAfile root.pem -no_nonce
 * The status comes from the journal.  CertID uses SHA-1, as RFC 5019
 * clients send it.
 *
 * Signing takes Boulder's route like certificates and CRLs: OpenSSL builds
 * the response and signs it with a throwaway key (and a throwaway signer
 * certificate carrying the root's name), which fills the algorithm field;
 * the key store signs the re-encoded tbsResponseData; signed_wrap puts
 * tbsResponseData, algorithm and signature together; the result is parsed
 * back, must re-encode identically, and must verify with the root's key
 * (OCSP_basic_verify) and say the intended status.
 */
#ifndef OFFROOT_OCSP_H
#define OFFROOT_OCSP_H

#include <stddef.h>
#include <time.h>

#include <openssl/x509.h>

#include "keystore.h"
#include "revoke.h"

#define OFFROOT_OCSP_DAYS	30
#define OFFROOT_OCSP_MAX_DAYS	365

struct ocsp_plan {
	X509 *root;
	enum keytype type;
	struct serial serial;
	bool revoked;
	int reason;		/* when revoked */
	time_t revoked_at;	/* when revoked */
	time_t this_update, next_update;
};

struct cadb;
/* Looks the serial up in the journal (refused unless this root issued
 * it) and checks the period (1 to OFFROOT_OCSP_MAX_DAYS days, not past
 * the root's notAfter); no key needed. */
int ocsp_prepare(struct cadb *db, X509 *root, const struct serial *s,
    long days, struct ocsp_plan *plan);
/* Builds and signs the OCSPResponse (DER, malloc'd) and verifies it. */
int ocsp_build(const struct ocsp_plan *plan, struct keystore *ks,
    unsigned char **der, size_t *len);

#endif
