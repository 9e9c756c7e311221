/*
 * rollover.h — replacing the root with a successor under a new key: the
 * engine behind `offroot rollover`.  A renewal keeps the key (renew.h); a
 * rollover makes a new root in its own CA directory and has the old root
 * certify it, so that relying parties that trust only the old root reach
 * the new hierarchy through the cross-certificate during the overlap.
 *
 * Nothing here is new machinery: the new CA is made by init's own code
 * (rootca_create, rootca.h), in any store init supports, and the
 * cross-certificates by cross-sign's (cross_sign_ks, cross.h), each with
 * its own lifecycle (op.h), records and recovery.  Order:
 *
 *   1. pre-flight, before any key is made or unlocked: OLD opens and its
 *      root.crt is the one its journal names, and has not expired; the
 *      cross profile is a CA profile of OLD's profiles.cnf (with
 *      --both-ways, of the new CA's too); --overlap-days ends before the
 *      old root does; NEW and every output folder are new;
 *   2. the new CA is made (its init record and transcript), its key kept
 *      unlocked; its journal records the old root ("rollover-from":
 *      old_root_sha256, old_subject, old_public_key_sha256,
 *      old_not_after, old_dir);
 *   3. the old root cross-signs the new root's subject and key (an
 *      "issue" record with cross_of, and its own bundle in OUT-old-cross,
 *      as cross-sign writes it); the new root's SHA-256 comes from our own
 *      init, so it is compared whole, not typed; then OLD's journal
 *      records the successor ("rollover": new_root_sha256, new_subject,
 *      new_public_key_sha256, new_dir, cross_serial, cross_sha256), which
 *      status shows;
 *   4. with --both-ways, the new root cross-signs the old one the same
 *      way (bundle OUT-new-cross);
 *   5. the transition export from the new CA, signed by its key: root.pem,
 *      cross-signed-by-old.pem, roots-transition.pem (new root, then old),
 *      old-root.pem, cross-signed-by-new.pem (--both-ways), README.txt
 *      (the overlap and when to drop the old root), transcript.log,
 *      MANIFEST, MANIFEST.sig; staged, recorded by an "export" record in
 *      the new CA's journal, renamed into place.
 *
 * A kill at any point leaves each CA as its own command would (init's
 * staging folder, cross-sign's recorded issuance, a staged export the next
 * command publishes): both audit clean, nothing signed unrecorded.  A run
 * stopped after step 2 is not resumed: NEW exists, so rollover refuses it,
 * and the steps left are cross-sign and export on their own.
 */
#ifndef OFFROOT_ROLLOVER_H
#define OFFROOT_ROLLOVER_H

#include <stdbool.h>

#include "interact.h"
#include "rootca.h"

/* The folders beside OUT that hold each root's cross-sign bundle. */
#define ROLLOVER_OLD_CROSS	"-old-cross"
#define ROLLOVER_NEW_CROSS	"-new-cross"

struct rollover_params {
	const char *old_dir;
	const struct rootca_params *init;	/* the new CA; init->dir NEW */
	const char *cross_profile;	/* NULL: "intermediate" */
	long cross_days;		/* 0: the cross profile's validity */
	const char *outdir;		/* the transition export (-o) */
	bool both_ways;
	long overlap_days;		/* 0: until the old root expires */
	/* The face that unlocks the old key (its passphrase, PIN or
	 * shares differ from the new key's); NULL: the io given. */
	struct interact *old_io;
	/* A ceremony's keys: old_held, the old key it holds (or NULL in
	 * it: unlocked here and handed back); new_held, where the new key
	 * is handed back instead of closed.  NULL: the command's own. */
	struct keystore **old_held, **new_held;
	/* A ceremony writes the transition export in a later step
	 * (rollover_export); outdir still names the cross bundles. */
	bool no_export;
};

struct rollover_result {
	unsigned char old_sha256[32], new_sha256[32];
	char new_fingerprint[1024], old_fingerprint[1024];
	char cross_serial[72], back_serial[72];	/* back: --both-ways */
	unsigned char manifest_sha256[32];
	bool exported;
};

int rollover_run(const struct rollover_params *p, struct interact *io,
    struct rollover_result *res);

/*
 * Step 5 on its own (a ceremony's export-transition step): the transition
 * export of the new CA new_dir into outdir, from what the two journals
 * record: OLD's last rollover record naming new_dir's root gives the
 * cross-certificate (OLD/issued/), new_dir's issue record whose cross_of
 * is the old root the one back.  held: as op_unlock's.  OR_E_INPUT when
 * OLD records no rollover to that root.
 */
struct rollover_export_params {
	const char *old_dir, *new_dir, *outdir;
	long overlap_days;		/* 0: until the old root expires */
};
int rollover_export(const struct rollover_export_params *e,
    struct keystore **held, struct interact *io,
    struct rollover_result *res);

#endif
