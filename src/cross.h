/*
 * cross.h — cross-certification: the root certifies another CA's subject
 * and public key, taken from that CA's certificate (a partner's root, or
 * a successor root in a rollover), and the root's own CSR for the other
 * direction (rootcsr.h).  The engine behind offroot cross-sign, written
 * as one call a rollover can make with the key it holds (cross_sign_ks).
 *
 * The order is op.h's.  Before the key: the other certificate imported
 * strictly (cacert.h), refused when it carries this root's own key, a key
 * the profile does not allow or one this CA revoked for keyCompromise;
 * the profile (a CA profile, which may carry nameConstraints) sets path
 * length and validity, nested inside the root's as sign does; the
 * certificate is built keeping the other CA's subjectKeyIdentifier, and
 * linted (names.h judges its subject as it judges a CSR's).  A
 * certificate is not a proof of possession, so the officers are shown
 * its SHA-256 in hex and PGP words and must confirm that they verified
 * it with its owner out of band: the full value given with --fingerprint
 * (compared whole), or its first two PGP words or 8 hex digits typed on
 * the terminal.  A blanket yes never answers that.  Then the key signs,
 * the certificate goes into DIR/issued/ and the journal as an "issue"
 * record with cross_of (the other certificate's SHA-256), so revoke, CRLs,
 * audit and the recovery treat it like any issued certificate; the
 * transcript is sealed, and the bundle is written into a new folder like
 * sign's (staged, recorded by an "export" record, renamed), in the layout
 * offroot verify checks: certificate.pem (the cross-certificate),
 * chain.pem, crl.pem (current, or a new one as sign's), root.pem,
 * other-ca.pem, transcript.log, README.txt, MANIFEST and MANIFEST.sig.
 */
#ifndef OFFROOT_CROSS_H
#define OFFROOT_CROSS_H

#include <stdbool.h>

#include "interact.h"

struct keystore;

struct cross_params {
	const char *dir;
	const char *cert;		/* the other CA's certificate */
	const char *profile_name;	/* required: a CA profile */
	const char *profiles_file;	/* NULL: DIR/profiles.cnf */
	long days;			/* 0: the profile's validity */
	const char *outdir;		/* the bundle's new folder */
	/* The SHA-256 of the other certificate as verified out of band (64
	 * hex digits, colons and spaces allowed, after any "...=" as in
	 * openssl's fingerprint line; or 32 PGP words); NULL: asked through
	 * io (the first two words or 8 hex digits). */
	const char *fingerprint;
	bool allow_mixed_scripts;	/* interact_override "mixed-scripts" */
};

struct cross_result {
	char serial[64];			/* lowercase hex */
	unsigned char cert_sha256[32];		/* of the cross-certificate */
	unsigned char other_sha256[32];		/* of the certified one */
	unsigned char manifest_sha256[32];
	bool issued;				/* recorded in the journal */
};

int cross_sign(const struct cross_params *p, struct interact *io,
    struct cross_result *res);
/* cross_sign with a key the caller holds unlocked, as sign_run_ks: *ks is
 * proved against root.crt when set, else unlocked here and handed back. */
int cross_sign_ks(const struct cross_params *p, struct keystore **ks,
    struct interact *io, struct cross_result *res);

#endif
