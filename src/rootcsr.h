/*
 * rootcsr.h — a PKCS#10 request signed by the root key (offroot csr), so
 * that an existing CA can cross-sign this root: the other direction of
 * cross.h.
 *
 * The order is op.h's: the output file must not exist and its folder must
 * be writable; the subject (the root's own, or one given, which the
 * linter judges as it judges any name offroot certifies) and the key are
 * shown with the key's fingerprint, and the officer confirms; then the
 * key is unlocked and signs the request (Boulder's route, as issue.h: a
 * throwaway key fills the algorithm fields, the key store signs the
 * re-encoded request info), the result is imported back through csr.h's
 * strict import and must carry the root's key; a "csr" record with the
 * request's SHA-256 goes into the journal and the transcript is sealed,
 * and only then is the file written, never over an existing one.
 */
#ifndef OFFROOT_ROOTCSR_H
#define OFFROOT_ROOTCSR_H

#include "interact.h"

struct keystore;

struct rootcsr_params {
	const char *dir;
	const char *output;	/* the new CSR file (PEM) */
	const char *subject;	/* NULL: the root's own subject */
};

struct rootcsr_result {
	unsigned char csr_sha256[32];	/* of its DER */
	unsigned char file_sha256[32];	/* of the PEM file written */
	unsigned char pubkey_sha256[32];
};

int rootcsr_run(const struct rootcsr_params *p, struct interact *io,
    struct rootcsr_result *res);
/* rootcsr_run with a key the caller holds unlocked (as sign_run_ks). */
int rootcsr_run_ks(const struct rootcsr_params *p, struct keystore **ks,
    struct interact *io, struct rootcsr_result *res);

#endif
