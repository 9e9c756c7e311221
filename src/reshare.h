/*
 * reshare.h — a new M'-of-N' officer share set for a sealed root key: the
 * engine behind `offroot reshare` and the ceremony action `reshare`.
 *
 * The caller opens the CA and unlocks the key with the current quorum (or
 * passphrase).  reshare_prepare then gathers the new officers, one by
 * one: the folder of each officer's media (given up front, or asked
 * through io) and the officer's new passphrase (interact's
 * new_share_secret, else ask_secret twice).  reshare_commit seals the key
 * under a fresh random key split M'-of-N', checks its own output, writes
 * the new share files (new names: the set id is in them), and only then
 * replaces the key file atomically (file_replace) and records a "reshare"
 * in the CA journal and the transcript.  Until that rename the old shares
 * open the key; after it only the new ones do.  On any failure before the
 * journal record, the new share files are removed and the old key file is
 * put back.  Neither record nor any message carries a share.
 */
#ifndef OFFROOT_RESHARE_H
#define OFFROOT_RESHARE_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#include "keystore.h"

struct cadb;
struct interact;
struct secret;
struct transcript;

#define RESHARE_MIN_PASSPHRASE	8

struct reshare_params {
	unsigned m, n;
	enum kdf_level kdf;
	bool kdf_given;		/* else the key file's current level */
	/* Where the new share files go: n folders (one per officer's media)
	 * or one for all; none (0): each officer is asked for the folder of
	 * their media when their turn comes. */
	const char *const *share_dirs;
	size_t nshare_dirs;
	const char *step;	/* the ceremony step, recorded; NULL */
};

struct reshare_plan {
	unsigned m, n;
	enum kdf_level kdf;
	char dirs[SEALED_QUORUM_MAX_N][PATH_MAX];
	size_t ndirs;
	struct secret *pass[SEALED_QUORUM_MAX_N];
	const char *step;
};

struct reshare_result {
	char old_quorum[16], quorum[16];	/* "2/3", or "none" */
	char old_set[33], set[33];		/* share set ids, hex */
	char key_sha256[65];			/* the new key file's */
};

/* Refusals (a token CA), warnings, then the new officers one by one.
 * db: the open CA. */
int reshare_prepare(const struct reshare_params *p, struct cadb *db,
    struct interact *io, struct reshare_plan *plan);
/* Seals, writes the shares, replaces the key file, records the reshare
 * in the journal and in tr (share-written and reshare records).  ks:
 * the key, unlocked and proved by the caller.  Wipes the plan's
 * passphrases whatever happens. */
int reshare_commit(struct reshare_plan *plan, struct cadb *db,
    struct keystore *ks, struct transcript *tr, struct interact *io,
    struct reshare_result *res);
/* Asks new officer i (of n) for the folder of their media, where their
 * share file goes; a folder that is not one is asked again. */
int reshare_ask_dir(struct interact *io, unsigned i, unsigned n, char *buf,
    size_t size);
/* Wipes and frees what a plan holds (safe after commit). */
void reshare_plan_free(struct reshare_plan *plan);

#endif
