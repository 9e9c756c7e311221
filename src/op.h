/*
 * op.h — one lifecycle for every command that uses the root key (crl,
 * ocsp, check-key, reshare, sign, export): ARCHITECTURE decision 10.
 *
 *   op_begin   lock the CA and open it (journal verified, root.crt the one
 *              the journal names), settle what a crash left (recover_ca,
 *              recover.h: its warnings go to io), and check every output
 *              path: a new file
 *              or bundle folder must not exist yet, its folder must be
 *              there, writable and not full; a folder that share files go
 *              into must be there and writable.  Nothing is written yet: a
 *              refusal here, or of an input the command checks next,
 *              leaves the CA directory exactly as it was.
 *   (the command checks its inputs, shows the officer what will be made
 *    and takes the confirmations that must come first)
 *   op_unlock  as late as possible, just before the first signature:
 *              opens the transcript (DIR/transcripts/), then unlocks the
 *              key (or proves the one a ceremony holds).  From here on
 *              the run is on record, whatever happens.
 *   (the command signs, records durably in the journal and the
 *    transcript, and only then writes outside the CA directory)
 *   op_finish  closes the transcript, sealed by the key, and names it in
 *              the journal (a "transcript" record).
 *   op_fail    the one way a run that began its transcript ends badly: a
 *              "failed" record (error name and text), then the close.
 *              When the run already recorded something in the journal (a
 *              CRL number reserved, a certificate issued) the close is
 *              op_finish's: sealed by the key, named in the journal, so
 *              that the journal names the transcript that explains its
 *              records.  Otherwise (the key never opened: a wrong
 *              passphrase, a share short; or it failed before recording
 *              anything) the transcript is closed without a seal and not
 *              named: the journal stays byte for byte as it was, and audit
 *              accepts the transcript as the record of a failed run.  A key
 *              store that fails at the seal leaves the transcript open, the
 *              record of an interrupted run (transcript_close).  Safe to
 *              call at any point: before op_unlock it only returns rc;
 *              after op_finish the transcript is closed already, and a later
 *              failure (a bundle that could not be written) is the
 *              command's to report.
 *   op_end     releases everything (the key, unless the caller holds it;
 *              the lock).
 *
 * Why this order: nothing irreversible (a signature leaving the process, a
 * serial or CRL number used) may come before a check that could refuse it,
 * and an officer's passphrase is not asked for a run that will be refused
 * anyway.  Every attempt to use the key leaves one transcript that says how
 * it ended, so that audit and the officers see the failed runs too.
 */
#ifndef OFFROOT_OP_H
#define OFFROOT_OP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/x509.h>

#include "journal.h"

struct cadb;
struct interact;
struct keystore;
struct transcript;

enum op_output_kind {
	OP_NEW_FILE,	/* a file to be created (crl -o, ocsp -o) */
	OP_NEW_FOLDER,	/* a bundle folder to be created (sign, export) */
	OP_INTO_FOLDER,	/* an existing folder new files go into (shares) */
};

struct op_output {
	const char *path;
	enum op_output_kind kind;
};

struct op {
	char name[32];			/* the transcript's operation */
	struct cadb *db;		/* open and locked */
	X509 *root;			/* root.crt, checked against the journal */
	struct keystore *ks;		/* after op_unlock: unlocked, proved */
	struct transcript *tr;		/* after op_unlock */
	/* private */
	struct keystore **held;		/* the caller's key slot, or NULL */
	uint64_t seq;			/* the journal's last record at begin */
	bool closed;			/* the transcript takes no more records */
};

/* Locks and opens dir for operation name ("crl"), recovers it after a
 * crash, then checks outs (an array ended by a NULL path; NULL for none).  op_end is safe after a
 * failure too. */
int op_begin(struct op *op, const char *dir, const char *name,
    const struct op_output *outs, struct interact *io);
/* op_begin where visit sees every journal record of the one verifying
 * pass (cadb_open_visit): a command that replays the journal. */
int op_begin_visit(struct op *op, const char *dir, const char *name,
    const struct op_output *outs, journal_visit_fn visit, void *visit_ctx,
    struct interact *io);
/* Opens the transcript, then the key.  held NULL: the key is unlocked here
 * and closed by op_end.  held not NULL: a key the caller keeps unlocked
 * (a ceremony): *held is proved against root.crt when set, else unlocked
 * here and handed back in *held; the caller closes it. */
int op_unlock(struct op *op, struct interact *io, struct keystore **held);
/* Seals and closes the transcript and names it in the journal. */
int op_finish(struct op *op);
/* Records the failure rc in the transcript and closes it (above); returns
 * rc with its error text as it was.  OR_OK: nothing, so that a command's
 * single exit can end with rc = op_fail(&op, rc); op_end(&op). */
int op_fail(struct op *op, int rc);
void op_end(struct op *op);

#endif
