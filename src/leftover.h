/*
 * leftover.h — what a killed `offroot init` leaves beside its target.
 *
 * rootca_create stages a new CA in PARENT/.BASE.offroot-init-XXXXXX and
 * renames it into place at the end.  A kill before that rename leaves the
 * staging folder, and from the moment the key is sealed it holds a
 * working root key (root.key.sealed) and, a moment later, its self-signed
 * root.crt: a complete second root that no CA journal knows.  For a key
 * on a token the folder holds the init transcript (its "token-key" record
 * names the key) and perhaps root.key.uri; the key itself stays on the
 * token.
 *
 * Every command that creates a root in PARENT (init, a ceremony's
 * generate-root step, first run or resumed) looks for such folders there
 * first and refuses to go on until the officers decide, for each one:
 *   keep  — set it aside as evidence: a note (LEFTOVER.txt) is written in
 *           it, then it is renamed PARENT/BASE.init-leftover-XXXXXX.kept-
 *           as-evidence (no longer hidden, no longer matched here);
 *   wipe  — destroy it: a note PARENT/BASE.init-leftover-XXXXXX.wiped.txt
 *           is written first, then the key file is overwritten with
 *           random bytes, fsynced and unlinked, every other file removed,
 *           the folder removed and PARENT fsynced.
 * Either way the decision is also recorded in the new CA's journal and
 * init transcript ("init-leftover", offroot-journal(5)) when the init
 * goes on to create it.  A folder another init still works in is locked
 * (flock) by that init and is not a leftover.
 */
#ifndef OFFROOT_LEFTOVER_H
#define OFFROOT_LEFTOVER_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#include "interact.h"
#include "journal.h"

enum leftover_decision {
	LEFTOVER_REFUSE,	/* none given: refuse, naming the folder */
	LEFTOVER_ASK,		/* ask the officers through io->choose */
	LEFTOVER_KEEP,
	LEFTOVER_WIPE,
};

#define LEFTOVER_MAX	8

struct leftover {
	int fd;				/* the folder, locked */
	char path[PATH_MAX];		/* PARENT/.BASE.offroot-init-XXXXXX */
	char name[256];			/* .BASE.offroot-init-XXXXXX */
	char base[256], suffix[64];	/* BASE, XXXXXX */
	bool sealed_key;		/* root.key.sealed is there */
	char key_file_sha256[65];	/* of root.key.sealed or root.key.uri */
	char root_sha256[65];		/* of root.crt's DER; "" without */
	char key_uri[512];		/* a token key: its URI; "" */
	/* A quorum key: the share files its init transcript says it wrote
	 * to the officers' media, space-separated (or cut short with
	 * "..."); "" for none. */
	char share_files[2048];
	char note[PATH_MAX];		/* the note written when applied */
	char kept_as[PATH_MAX];		/* keep: the new name */
};

struct leftover_set {
	struct leftover l[LEFTOVER_MAX];
	size_t n;
	enum leftover_decision decision;	/* what was decided */
	const char *by;				/* how: "--leftover wipe" ... */
};

/* Overwrites a key file with random bytes, fsyncs it, then unlinks it
 * (a missing one is no error); the caller syncs its folder. */
int leftover_wipe_file(const char *path);
/* Parses "wipe" or "keep". */
int leftover_decision_parse(const char *s, enum leftover_decision *d);
const char *leftover_decision_name(enum leftover_decision d);

/* Finds the leftovers beside dir (in its parent folder), each locked. */
int leftover_find(const char *dir, struct leftover_set *set);
/* With leftovers found: given KEEP or WIPE, takes it; REFUSE fails with
 * one line naming the first folder (and its root.crt fingerprint); ASK
 * shows each and asks the officers to choose. */
int leftover_decide(struct leftover_set *set, enum leftover_decision given,
    struct interact *io);
/* Carries the decision out for every leftover (notes first). */
int leftover_apply(struct leftover_set *set, struct interact *io);
/* The record of leftover i: fields for "init-leftover" (the values stay
 * in set). */
void leftover_fields(const struct leftover_set *set, size_t i,
    struct jfields *f);
/* "a sealed root key, root.crt SHA-256 ..." for a message. */
void leftover_holds(const struct leftover *l, char *buf, size_t size);
/* Unlocks and forgets them. */
void leftover_free(struct leftover_set *set);

#endif
