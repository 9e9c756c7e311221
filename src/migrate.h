/*
 * migrate.h — a sealed (or quorum) root key moved into a PKCS#11 token:
 * the engine behind `offroot migrate` and the ceremony action `migrate`.
 *
 * The caller opens the CA and unlocks the sealed key (op.h).  migrate_commit
 * then, in this order:
 *   1. imports the key into the token (hsm/p11import.h: by C_UnwrapKey
 *      or C_CreateObject, sensitive, not extractable, sign-only);
 *   2. proves that the token's key signs for root.crt (a challenge signed
 *      on the token, verified with root.crt's public key);
 *   3. writes DIR/root.key.uri (new, never over a file);
 *   4. records "migrate" in the journal: the commit point.  From this
 *      record on the CA's key store is the token (cadb.h's summary reads
 *      the store, URI, module and reference digest from it, as from a
 *      token init), and the key is recorded as imported;
 *   5. retires the sealed key file: overwritten with random bytes,
 *      fsynced, unlinked, the folder fsynced; then every share file of
 *      the key file's set found among shares (files, or folders holding
 *      them, matched by the digests the key file's header records).
 * A failure before 4 destroys what was made on the token and removes
 * root.key.uri: the CA stays on its sealed key.  A kill before 4 leaves
 * root.key.uri unrecorded (recover.c sets it aside in quarantine/) and
 * the key on the token (a warning names it); a kill after 4 leaves the
 * sealed file, which the next command that takes the lock wipes
 * (migrate_retire_sealed, from recover.c).
 */
#ifndef OFFROOT_MIGRATE_H
#define OFFROOT_MIGRATE_H

#include <stdbool.h>
#include <stddef.h>

#include <openssl/x509.h>

#include "interact.h"
#include "pkcs11.h"

struct cadb;
struct interact;
struct keystore;
struct transcript;

#define MIGRATE_DEFAULT_LABEL	"offroot-root"

struct migrate_params {
	const char *token_uri;		/* pkcs11:token=... */
	const char *module;		/* a path, or NULL: p11-kit's */
	const char *label;		/* NULL: MIGRATE_DEFAULT_LABEL */
	/* Share files (or folders of them) to retire after the move; the
	 * paths the officers gave to open the key. */
	const char *const *shares;
	size_t nshares;
	const char *step;		/* the ceremony step, recorded; NULL */
};

struct migrate_result {
	char method[48];		/* "unwrap (CKM_...)", "create" */
	char token_label[33];
	char key_uri[PKCS11_URI_MAX];
	char quorum[16];		/* "2/3", or "none" */
	unsigned shares_retired;
};

/* The face the token sees: when the key's passphrase comes from a file
 * (--passphrase-file answers every secret prompt of the CLI and batch
 * faces), pin_file answers the token's PIN prompt; NULL: io as it is. */
struct migrate_pin_face {
	struct interact io;		/* first: io's methods, ask_secret ours */
	struct interact *orig;
	const char *pin_file;
};
struct interact *migrate_pin_face(struct migrate_pin_face *pf,
    struct interact *io, const char *pin_file);

/* Refusals before anything is asked: a CA whose key is already on a
 * token, a root.key.uri already there, a malformed token URI. */
int migrate_check(struct cadb *db, const struct migrate_params *p);
/* Steps 1 to 5 above.  sealed: the CA's key, unlocked and proved against
 * root by the caller.  keep, when not NULL, receives the token key, open
 * (a ceremony signs on with it); else it is closed. */
int migrate_commit(struct cadb *db, X509 *root, struct keystore *sealed,
    struct transcript *tr, const struct migrate_params *p,
    struct interact *io, struct migrate_result *res,
    struct keystore **keep);
/* Overwrites, fsyncs and unlinks DIR/root.key.sealed when it is still
 * there after a migrate record; *done says whether it was. */
int migrate_retire_sealed(const char *dir, bool *done);

#endif
