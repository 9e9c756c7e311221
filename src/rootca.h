/*
 * rootca.h — root creation: the engine behind `offroot init` and the
 * TUI's root-creation ceremony.  It talks to people only through
 * struct interact.
 */
#ifndef OFFROOT_ROOTCA_H
#define OFFROOT_ROOTCA_H

#include <stdbool.h>
#include <stddef.h>

#include "interact.h"
#include "keystore.h"
#include "leftover.h"

struct rootca_params {
	const char *dir;		/* the new CA directory */
	const char *subject;		/* DN text, slash or RFC 4514 form */
	enum keytype key_type;
	const char *profile_name;	/* default "root" */
	const char *profiles_file;	/* NULL: built-in profiles */
	long days;			/* 0: the profile's validity */
	enum kdf_level kdf;
	/* The publication points (publish.h) recorded in the init record:
	 * NULL or "" for none (offroot set adds them later). */
	const char *crl_url;
	const char *ca_issuers_url;
	/* A subject that mixes scripts (Latin with a Cyrillic look-alike)
	 * makes a root only with this, or the face's explicit confirmation
	 * (interact_override); --yes does not give it. */
	bool allow_mixed_scripts;
	/* The key on a PKCS#11 token instead of a sealed file (pkcs11.h):
	 * generated on the token token_uri names (with label), or the
	 * existing key pair key_uri names adopted (key_type KT_NONE: any
	 * type the profile allows).  module: a module path, NULL for
	 * p11-kit's configured modules. */
	bool pkcs11;
	const char *module;
	const char *token_uri;
	const char *key_uri;
	const char *label;
	/* A sealed key under an M-of-N officer quorum (share.h) instead of
	 * one passphrase: quorum_n 0 for none.  share_dirs: one folder per
	 * officer (nshare_dirs == quorum_n) or one for every share file. */
	unsigned quorum_m, quorum_n;
	const char *const *share_dirs;
	size_t nshare_dirs;
	/* What to do with the folders an interrupted init left beside dir
	 * (leftover.h): LEFTOVER_REFUSE (0, the CLI without --leftover)
	 * refuses, naming the first; a ceremony asks. */
	enum leftover_decision leftover;
	/* Not NULL: on success the new key is handed back here, unlocked,
	 * for the caller to use and close (a rollover signs with it right
	 * after init); NULL: closed. */
	struct keystore **keep;
};

struct rootca_result {
	unsigned char cert_sha256[32];
	char fingerprint[1024];		/* hex and PGP words, for witnesses */
	/* A key on a token: the backup question asked and the operator's
	 * answer (also in the init transcript); "" for a sealed key. */
	char token_backup_question[512];
	bool token_backed_up;
};

/* Creates the CA directory: key, sealed key file (or key reference for a
 * token), root certificate, journal, transcript.  Everything is staged in
 * a hidden sibling folder (locked while init works in it) and renamed
 * into place at the end, so a failure leaves nothing; a kill leaves that
 * folder, which the next run finds (leftover.h) and settles as p->leftover
 * says before anything else is made, recording the decision in the new
 * journal and transcript ("init-leftover"). */
int rootca_create(const struct rootca_params *p, struct interact *io,
    struct rootca_result *res);

/* Says why an Ed25519 root is a risk (init and the root ceremony). */
struct profile;

/* The root that will be made, shown before anything is (rootca-preview.c;
 * the root ceremony and the TUI's wizard): subject, key type, store,
 * profile, validity, path length, backdate and publication points; with
 * detail also the validity's end date, the key usage and name
 * constraints the profile sets, and a warning when the built-in CA/B
 * Forum profiles would make a private hierarchy's root. */
void rootca_preview_text(const struct rootca_params *rp,
    const struct profile *prof, const char *store, bool detail,
    char *block, size_t size);
/* The key store line of that text; quorum "M/N" or NULL. */
void rootca_store_text(const struct rootca_params *rp, const char *quorum,
    char *out, size_t size);
/* Whether prof is one of the built-in CA/Browser Forum profiles. */
bool rootca_cab_defaults(const struct profile *prof);
void rootca_warn_ed25519(struct interact *io, const struct profile *prof);

struct share_quorum;
struct transcript;
/* Notes a new share set in a transcript, one share-written record per
 * share: file name and SHA-256, nothing secret (also used by reshare). */
int rootca_record_shares(const struct share_quorum *q, struct transcript *tr,
    struct interact *io);

#endif
