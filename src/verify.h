/*
 * verify.h — checking a signed bundle on the online side, without any key:
 * MANIFEST's signature by the given root, every digest, no unlisted file,
 * every certificate chaining to the root (x509_strict), chain.pem and
 * root.pem consistent, each given CSR matched by a certificate with its
 * public key and subject, the CRL signed by the root and current, and the
 * transcript's seal.
 *
 * The root is a key and a subject: a certificate of the same key, subject
 * and key identifier, self-signed, is the same root renewed (renew.h).
 * A bundle written before a renewal (its root.pem and chain.pem hold the
 * earlier certificate) verifies against the renewed root.crt, and the
 * other way round; other_root says so.  A renewal's own bundle (root.pem,
 * previous-root.pem, no certificate and no CRL) verifies as one: renewal.
 * A folder of CRLs signed ahead (SCHEDULE.txt,
 * crl-ahead.h) instead: MANIFEST's signature, the digests, root.pem, and
 * every CRL signed by the root, named for its number and thisUpdate.
 */
#ifndef OFFROOT_VERIFY_H
#define OFFROOT_VERIFY_H

#include <stddef.h>

struct verify_result {
	size_t files;
	size_t certificates;
	size_t csrs_matched;
	bool other_root;	/* the bundle's root.pem is another
				 * certificate of the given root */
	bool renewal;		/* a renew-root bundle */
	bool transition;	/* a rollover's transition export */
	size_t crls;		/* a folder of CRLs signed ahead */
};

int verify_bundle(const char *dir, const char *root_path,
    const char *const *csrs, size_t ncsr, struct verify_result *res);
/* After verify_bundle: the bundle's certificate.pem is a cross-certificate
 * for the CA certificate at other_path (offroot cross-sign): its subject,
 * its public key and its subjectKeyIdentifier; OR_E_VERIFY otherwise. */
int verify_cross(const char *dir, const char *other_path);

#include <openssl/evp.h>
/* MANIFEST.sig (sig) is pub's signature over MANIFEST (msg), with the
 * digest bundle_stage uses for pub's key type; OR_E_VERIFY if not. */
int verify_manifest_sig(EVP_PKEY *pub, const unsigned char *msg, size_t len,
    const unsigned char *sig, size_t siglen);

#endif
