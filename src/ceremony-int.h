/*
 * ceremony-int.h — what the three files of the ceremony engine share,
 * and nothing outside them sees: the state of a run (struct ceremony)
 * and the helpers each file lends the others, grouped by the file that
 * defines them.
 *
 *   ceremony.c         the run: open (a new transcript, or a resume),
 *                      the step loop, sealing, ceremony_execute
 *   ceremony-resume.c  what a resume finds: an unfinished transcript of
 *                      the script, and the work of a step an earlier run
 *                      began that is done already
 *   ceremony-act.c     the actions, one function each, dispatched
 *                      through a table indexed by enum script_action
 *   ceremony-verify.c  what a step has confirmed before its action does
 *                      anything irreversible (CSR hashes, CRL preview)
 *   ceremony-media.c   the medium: the pre-flight media check, a missing
 *                      medium or input asked about, leaving the medium
 *
 * The public side is ceremony.h.
 */
#ifndef OFFROOT_CEREMONY_INT_H
#define OFFROOT_CEREMONY_INT_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include <openssl/x509.h>

#include "ceremony.h"
#include "interact.h"
#include "journal.h"
#include "script.h"

#define CEREMONY_NAME_MAX	128

struct cadb;
struct keystore;
struct revoke_request;
struct serial;
struct rootca_params;
struct transcript;

/* A sign-csrs or revoke step's first attempt, recorded ("attempt")
 * before the step touches the CA: what a resume compares the journal
 * with. */
struct attempt {
	bool have;
	uint64_t ca_seq;	/* the CA journal's last record before it */
	time_t revoked_at;	/* a revoke step's revocation time */
};

/* A file the run wrote to the medium, read back before the seal. */
struct ceremony_written {
	char path[PATH_MAX];
	char sha[65];
};

struct ceremony {
	struct ceremony_params p;
	struct interact *io;
	struct script s;
	struct transcript *tr;
	bool in_stage;			/* the transcript is in stage/ */
	char exe_sha256[65];		/* the self-check's, for the release */
	char stage[PATH_MAX];		/* PARENT/.BASE.ceremony */
	struct step_view *views;
	bool *begun;			/* begun in an earlier run */
	struct attempt *attempt;	/* per step */
	size_t current;
	bool running;
	char names[SCRIPT_MAX_ROLES][CEREMONY_NAME_MAX];
	struct keystore *ks;
	struct keystore *succ_ks;	/* a rollover's new root key, held */
	char manifest[65];		/* the last bundle's MANIFEST SHA-256 */
	char crl_sha[65];		/* the last CRL's SHA-256 */
	char key_store[96], transcript_state[64];
	unsigned ndiag;			/* stderr lines recorded */
	bool verified;			/* the current step's verify: lines */
	/* A run killed after its seal: its transcript in DIR/transcripts/,
	 * whose seal the journal records (or the recovery just recorded). */
	char sealed_name[128];
	char media_buf[PATH_MAX];	/* the medium picked (p.media) */
	struct ceremony_written written[16];
	size_t nwritten;
};

/* ---- ceremony.c ------------------------------------------------------ */

bool ceremony_exists(const char *path);
/* Whether dir holds a CA journal. */
bool ceremony_is_ca(const char *dir);
int ceremony_role_index(const struct script *s, const char *role);
/* "Internal Witness (Bob Example)", or the role alone before names are
 * known. */
const char *ceremony_who(const struct ceremony *c, const char *role,
    char *buf, size_t size);
/* The current step's number, "0" outside a step. */
const char *ceremony_cur_number(const struct ceremony *c);
void ceremony_push_status(struct ceremony *c);
/* One record in the ceremony's transcript. */
int ceremony_rec(struct ceremony *c, const char *type,
    const struct jfields *f);
int ceremony_open_ca(struct ceremony *c, struct cadb **db, X509 **root);
/* Unlocks the root key once for the ceremony, or proves the one held. */
int ceremony_need_key(struct ceremony *c, struct cadb *db, X509 *root);
/* The current step's verify: lines, asked once, before its action does
 * anything irreversible ("verified" records; a no is OR_E_CANCEL). */
int ceremony_verify(struct ceremony *c, const struct script_step *st);
/* Records "key-unlocked" for the current step (store: "sealed", ...). */
int ceremony_rec_unlocked(struct ceremony *c, const char *store);
/* A command's "unlocked" hook inside a step (sign, renew-root): records
 * "key-unlocked" with the CA's store when the step unlocked the key, not
 * when it was held already (had_key). */
int ceremony_rec_step_unlocked(struct ceremony *c, bool had_key);
/* Moves the transcript from the staging folder into DIR/transcripts/. */
int ceremony_move_in(struct ceremony *c);
/* Copies src to the new file dst; hex: the copy's SHA-256. */
int ceremony_write_copy(const char *src, const char *dst, char hex[65]);

/* ---- ceremony-resume.c ----------------------------------------------- */

/* Looks for an unfinished run of this script; resumes it when the
 * operators agree.  *resumed says whether it did. */
int ceremony_resume_offer(struct ceremony *c, bool *resumed);
/* Settles the existing CA (the recovery pass), then finds a run of this
 * script killed after its transcript was sealed: *sealed, every step
 * done and c->sealed_name set, so that only what follows the seal is
 * left (the copy on the media). */
int ceremony_resume_sealed(struct ceremony *c, bool *sealed);
/* A generate-root step whose CA directory exists: done when its init
 * record is this step's (recorded "already-done"), refused otherwise. */
int ceremony_resume_root(struct ceremony *c, const struct script_step *st,
    const struct rootca_params *rp);
/* A sign-csrs step begun before whose bundle the journal records as
 * exported: *done, recorded "already-done". */
int ceremony_resume_bundle(struct ceremony *c, const struct script_step *st,
    const char *outdir, bool *done);
/* A sign-csrs step begun before whose certificates the journal records
 * as issued but not exported: the bundle is written from the issued
 * copies ("resumed-export"), nothing is signed again; *done. */
int ceremony_resume_sign(struct ceremony *c, const struct script_step *st,
    const char *const *csrs, size_t n, const char *outdir, bool *done);
/* A revoke step begun before whose revocation the journal holds: *done,
 * recorded "already-done". */
int ceremony_resume_revoke(struct ceremony *c, const struct script_step *st,
    const struct revoke_request *req, const struct serial *s,
    size_t n, bool *done);
/* A reshare step begun before whose reshare the CA journal records:
 * *done, recorded "already-done". */
int ceremony_resume_reshare(struct ceremony *c, const struct script_step *st,
    bool *done);

/* A renew-root step begun before whose renewal the CA journal records
 * after its first attempt: *done, recorded "already-done". */
int ceremony_resume_renew(struct ceremony *c, const struct script_step *st,
    bool *done);

/* A sign-crl step begun before whose CRL the CA journal records since
 * its first attempt: *done (its output, out or NULL, holds that CRL or is
 * written from it), recorded "already-done".  Otherwise an existing out
 * is refused. */
int ceremony_resume_crl(struct ceremony *c, const struct script_step *st,
    const char *out, bool *done);
/* An export step's folder: created, or, when an earlier run began the
 * step and left it holding only what the step writes, *resume. */
int ceremony_resume_export(struct ceremony *c, const struct script_step *st,
    const char *folder, bool *resume);
/* Writes one export file, or (resume) checks the one there is the same. */
int ceremony_export_put(const char *path, const void *data, size_t len,
    bool resume);
/* ---- ceremony-verify.c ----------------------------------------------- */

struct sign_hooks;

/* What a sign-csrs step's hooks need. */
struct ceremony_sign {
	struct ceremony *c;
	const struct script_step *st;
	bool had_key;		/* unlocked by an earlier step */
};
/* The sign.h hooks of a sign-csrs step: each CSR's SHA-256 compared by
 * the witness (param confirm_csr: words, hex or yes), then the step's
 * verify: lines, all before the key; "key-unlocked" recorded after. */
void ceremony_sign_hooks(struct ceremony *c, const struct script_step *st,
    struct ceremony_sign *x, struct sign_hooks *h);

struct crl_plan;
/* The next CRL (number, thisUpdate, nextUpdate, the revocations since the
 * last CRL, the entries in all, the output), recorded ("crl-preview") and
 * confirmed by the step's role, before the key is unlocked. */
int ceremony_crl_preview(struct ceremony *c, const struct script_step *st,
    const struct crl_plan *plan, const char *out);

/* The root a generate-root step will make (subject, key type, store and
 * KDF, profile, validity, path length), recorded ("root-preview") and
 * confirmed by the step's role before anything is made.  quorum: "3/5" or
 * NULL. */
int ceremony_root_preview(struct ceremony *c, const struct script_step *st,
    const struct rootca_params *rp, const char *quorum);

/* ---- ceremony-media.c ------------------------------------------------ */

struct preflight_result;
/* The pre-flight media check: the medium picked when none was given (not
 * in batch), what is on it, the inputs of every step not done yet; a
 * failure asked about (Retry, another medium, go on, abandon) except in
 * batch; the medium recorded ("medium") when it passed. */
int ceremony_media_preflight(struct ceremony *c, struct preflight_result *r);
/* The current step's inputs on the medium, before it does anything: a
 * missing medium or file is asked about (Retry, another medium, abandon),
 * or in batch fails with one line. */
int ceremony_media_need(struct ceremony *c);
/* Notes a file written to the medium, with its SHA-256 (hex; NULL: taken
 * now, from what was just written). */
void ceremony_media_wrote(struct ceremony *c, const char *path,
    const char sha[65]);
/* Before the seal: syncfs, every noted file read back and compared
 * ("media-sync"), the medium recorded again ("medium"). */
int ceremony_media_leave(struct ceremony *c);
/* After the last write (the transcript's copy, read back against hex):
 * syncfs, then the unmount offered as root, or how to do it said. */
int ceremony_media_eject(struct ceremony *c, const char *copy,
    const char hex[65]);

/* ---- ceremony-act.c -------------------------------------------------- */

/* Does what step st's action does (the step-begin record is written; the
 * step's checks are confirmed after). */
int ceremony_act(struct ceremony *c, const struct script_step *st);

#endif
