/*
 * cacert.h — strict import of another CA's certificate, carried in on
 * removable media to be cross-signed (cross.h): hostile input until the
 * officers have compared its fingerprint with the one its owner read out.
 *
 * The file is taken apart by csr.c's rules (csr_container): exactly one
 * PEM block labelled CERTIFICATE, or one DER object, DER throughout and
 * re-encoded by OpenSSL byte for byte.  Then, in this order, each refusal
 * one line "LABEL: reason":
 *   OR_E_INPUT   not a certificate, not version 3, malformed or duplicate
 *                extensions, a subject too long to show or with more than
 *                CSR_MAX_SUBJECT_ATTRS attributes or a string longer than
 *                CSR_MAX_STRING; the key's encoding (csr_check_spki);
 *   OR_E_POLICY  an empty subject; no basicConstraints with cA TRUE (not a
 *                CA certificate), basicConstraints not critical, a
 *                subjectKeyIdentifier empty or longer than CACERT_MAX_SKI,
 *                no keyUsage with keyCertSign; a key csr_check_spki refuses
 *                (DSA, small RSA, other curves); not yet valid, expired;
 *   OR_E_VERIFY  self-issued (issuer = subject) but its signature does not
 *                verify with its own key.
 * Names are only formatted here (dn_format escapes them); the linter
 * (names.h) judges them when the cross-certificate is built, as it judges
 * a CSR's.  A certificate is not a proof of possession of its key: a
 * self-signed one is, of the key that signed it, which is why its
 * signature must verify; any other is taken on the officers' word that its
 * fingerprint was verified out of band.
 */
#ifndef OFFROOT_CACERT_H
#define OFFROOT_CACERT_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include <openssl/x509.h>

#include "keystore.h"

#define CACERT_MAX_FILE		(64u << 10)
#define CACERT_MAX_SKI		64	/* bytes of its subjectKeyIdentifier,
					 * which a cross-certificate copies */

struct cacert_info {
	X509 *cert;
	EVP_PKEY *pubkey;		/* borrowed from cert */
	enum keytype key_type;		/* keytype_of: KT_NONE for RSA 2048,
					 * P-521 */
	int key_bits;
	char key_name[32];		/* "ec-p384", "rsa-2048"... */
	unsigned char cert_sha256[32];	/* of the DER: its fingerprint */
	unsigned char file_sha256[32];	/* of the file as read */
	unsigned char pubkey_sha256[32]; /* of its SubjectPublicKeyInfo */
	char subject[1024];		/* RFC 4514, escaped */
	char issuer[1024];
	char serial[80];		/* hex, as openssl prints it */
	time_t not_before, not_after;
	bool self_issued;		/* issuer = subject: signature verified */
	int pathlen;			/* its pathLenConstraint, -1: none */
};

/* Reads path (at most CACERT_MAX_FILE bytes) and cacert_parse()s it. */
int cacert_load(const char *path, time_t now, struct cacert_info *out);
/* The checks above, with now as the time the validity is judged at.  On
 * failure out is freed and zeroed.  The fuzz target's entry. */
int cacert_parse(const unsigned char *buf, size_t len, const char *label,
    time_t now, struct cacert_info *out);
/* Frees and zeroes; safe on a zeroed struct. */
void cacert_free(struct cacert_info *ci);

#endif
