/*
 * interact-batch.h — the batch runner: struct interact answered from an
 * answers file, without a terminal (`offroot ceremony FILE --answers
 * FILE`), for rehearsals and tests.  Format (manuals/offroot-ceremony.5,
 * ANSWERS FILES):
 *
 *   # comment
 *   participant: Crypto Officer 1 = Carol Example
 *   confirm 4: yes          confirmations asked during step 4, in order
 *   confirm: yes            the next confirmation not answered by step
 *   confirm-all: yes        every confirmation not answered otherwise
 *   ask 2: text             answers to questions, by step or in order
 *   ask: text
 *   choose 3: 2             a choice (1 = the first option)
 *   exception 5: text       an exception note recorded at step 5
 *   override airgap: reason going on despite a failed pre-flight check
 *   override reissue: reason  going on despite a finding no confirm-all
 *                           answers (mixed-scripts, similar-subject,
 *                           reissue: interact_override)
 *   resume: yes             resume an unfinished run without asking
 *   kill-at: 6              rehearse a crash: SIGKILL as step 6 begins
 *   share 3: /media/o2/offroot-....share   an officer's share file (or the
 *                           folder of their media) when step 3 opens a
 *                           key sealed under officer shares, in order
 *
 * Passphrases and PINs are never in an answers file: they come from
 * --passphrase-file or --pin-file; the share lines' passphrases from
 * --share-passphrase-file, one per share line in file order; new
 * officers' passphrases (reshare) from --new-share-passphrase-file, in
 * officer order.
 */
#ifndef OFFROOT_INTERACT_BATCH_H
#define OFFROOT_INTERACT_BATCH_H

#include <stdbool.h>
#include <stddef.h>

#include "ceremony.h"
#include "interact.h"

#define BATCH_MAX_FILE		(64u << 10)
#define BATCH_MAX_ENTRIES	512

enum batch_kind {
	BK_PARTICIPANT,
	BK_CONFIRM,
	BK_CONFIRM_ALL,
	BK_ASK,
	BK_CHOOSE,
	BK_EXCEPTION,
	BK_OVERRIDE,
	BK_RESUME,
	BK_KILL_AT,
	BK_SHARE,
};

struct batch_entry {
	enum batch_kind kind;
	const char *arg;	/* step number, check name or role; NULL */
	const char *value;
	unsigned line;
	bool used;
	size_t nth;		/* share: its place among the share lines */
};

struct batch_answers {
	char name[256];
	char *buf;
	struct batch_entry *e;
	size_t n;
	/* For ceremony_params. */
	struct ceremony_participant participants[BATCH_MAX_ENTRIES];
	size_t nparticipants;
	struct ceremony_override overrides[8];
	size_t noverrides;
	enum ceremony_resume resume;
	unsigned kill_at;	/* 0: never */
	size_t nshares;		/* share lines */
};

/* Parses an answers file held in memory; errors are OR_E_INPUT
 * "NAME:LINE: text".  On failure *a holds nothing to free. */
int batch_answers_parse(const char *data, size_t len, const char *name,
    struct batch_answers *a);
int batch_answers_load(const char *path, struct batch_answers *a);
void batch_answers_free(struct batch_answers *a);

struct batch_interact {
	struct batch_answers *a;
	const char *secret_file;	/* --passphrase-file / --pin-file */
	/* --share-passphrase-file: one per share line (or none: then
	 * secret_file); --new-share-passphrase-file, taken in order. */
	const char *const *share_pass;
	size_t nshare_pass;
	const char *const *new_pass;
	size_t nnew_pass, new_used;
	bool quiet;
	char step[16];			/* the current step's number */
};
void interact_batch_init(struct interact *io, struct batch_interact *b);
/* Warns (through io->say) about answers that were never used. */
void interact_batch_unused(struct interact *io, struct batch_interact *b);

#endif
