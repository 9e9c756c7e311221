/*
 * sign.h — signing CSRs with the root: the engine behind `offroot sign`
 * and the TUI's intermediate-signing ceremony.
 *
 * Everything that can be refused is refused before the key is unlocked:
 * each CSR is imported strictly (csr.h), its certificate built from the
 * profile (the CA decides the extensions), its validity nested inside the
 * root's, and the to-be-signed certificate linted.  The journal says what
 * this CA certified before: a key revoked for keyCompromise is refused, a
 * key and subject certified before (issuing twice) and a subject that
 * looks like an earlier one need an explicit override, as does a subject
 * that mixes scripts (interact_override: a --allow- flag, or the face's own
 * question; never --yes); the same key under a new subject is a warning.
 * The officer reviews each request against what will be issued and
 * confirms.  Then the key signs, every signature is verified and the DER
 * re-parsed, each issuance is recorded in the journal (fsynced) with a
 * copy under DIR/issued/, and the signed bundle is written to a new
 * folder on the media.  Both entry
 * points follow op.h: a failure after the transcript began is recorded in
 * it as failed, and it is closed.
 */
#ifndef OFFROOT_SIGN_H
#define OFFROOT_SIGN_H

#include <stdbool.h>
#include <stddef.h>

#include "interact.h"

#define SIGN_MAX_CSRS	4096

struct csr_info;

/*
 * A ceremony's checks around the unlock (NULL members are skipped).  After
 * the officer reviewed every request and before "Sign?" and the key: csr
 * for each request i of n (the witness compares its SHA-256 with the
 * requester's value), then ready (the step's other verify: checks).
 * Anything but OR_OK stops the run: nothing is unlocked or issued.
 * unlocked: right after the key was unlocked (or the held key proved).
 */
struct sign_hooks {
	int (*csr)(void *ctx, size_t i, size_t n, const char *path,
	    const struct csr_info *ci);
	int (*ready)(void *ctx);
	int (*unlocked)(void *ctx);
	void *ctx;
};

struct sign_params {
	const char *dir;
	const char *const *csrs;
	size_t ncsr;
	const char *profile_name;	/* NULL: "intermediate" */
	const char *profiles_file;	/* NULL: DIR/profiles.cnf */
	long days;			/* 0: the profile's validity */
	const char *outdir;
	const struct sign_hooks *hooks;	/* NULL: none (offroot sign) */
	/* Findings no blanket yes answers (interact_override): the
	 * command's --allow-mixed-scripts, --allow-similar-subject and
	 * --allow-reissue.  Otherwise the face asks, or the run is refused
	 * before the key is unlocked. */
	bool allow_mixed_scripts;	/* a subject attribute mixes scripts */
	bool allow_similar_subject;	/* looks like an earlier subject */
	bool allow_reissue;		/* key and subject certified before */
};

struct sign_result {
	size_t issued;
	unsigned char manifest_sha256[32];
};

int sign_run(const struct sign_params *p, struct interact *io,
    struct sign_result *res);
/* sign_run with the root key a ceremony keeps unlocked from step to step:
 * *ks is used (and proved against root.crt) when not NULL, else the key is
 * unlocked here and handed back in *ks.  The caller closes it. */
struct keystore;
int sign_run_ks(const struct sign_params *p, struct keystore **ks,
    struct interact *io, struct sign_result *res);

/* BR 6.1.1.3 for any public key (its SubjectPublicKeyInfo's SHA-256):
 * OR_E_INPUT, naming label, when this CA revoked a certificate for it for
 * keyCompromise (cross.h takes a key from a certificate, not a CSR). */
int sign_refuse_compromised(const char *dir, const unsigned char pk[32],
    const char *label);

/* The bundle for already-issued certificates (offroot export). */
struct export_params {
	const char *dir;
	const char *const *serials;	/* hex */
	size_t nserial;
	const char *outdir;
	const char *reason;	/* recorded in the export transcript; NULL */
	bool include_revoked;	/* a revoked serial is exported, flagged */
};
int sign_export(const struct export_params *p, struct interact *io,
    struct sign_result *res);
/* sign_export with a key the caller holds unlocked (as sign_run_ks). */
int sign_export_ks(const struct export_params *p, struct keystore **ks,
    struct interact *io, struct sign_result *res);

#endif
