/*
 * ceremony.h — the engine that executes a ceremony script (script.h) step
 * by step through struct interact, and records every step in a
 * transcript (transcript.h).  The TUI (ui/), the batch runner
 * (interact-batch.c) and the plain CLI all run a script through this one
 * engine, so they produce the same artefacts.  The engine's code is in
 * ceremony.c (the run), ceremony-resume.c (what a resume finds done) and
 * ceremony-act.c (the actions), sharing ceremony-int.h.
 *
 * The ceremony transcript.  Operation "ceremony"; after transcript_begin's
 * begin record comes a "ceremony" record (script name, version, file and
 * SHA-256, runner, CA directory, media, token URI, rehearsal overrides),
 * then for each step "step-begin", what the step did ("preflight",
 * "override", "participant", "confirmed", "initialled", "exception",
 * "root-created", "init-leftover" (the officers' decision on a killed
 * init's folder, as the CA journal records it), "signed", "crl-signed",
 * "exported", "key-checked", "fingerprint"...; "stderr" for a line
 * written to stderr while the TUI held the terminal), then "step-end"
 * (or "step-failed", or "step-skipped" for work found already done when
 * resuming).  It lives in
 * DIR/transcripts/.  A ceremony that creates the root starts it in
 * PARENT/.BASE.ceremony/transcripts/ (the CA directory does not exist
 * yet) and moves it into DIR/transcripts/ as soon as the root exists.
 *
 * Sealing.  The engine keeps the root key unlocked from the first step
 * that needs it (sign-csrs, sign-crl, check-key, renew-root; a
 * generate-root step asks for it once more right after creation, which
 * also proves the passphrase the officers typed opens the new key file)
 * until the end.
 * At the end, the transcript is closed and sealed by the root key
 * (transcript_finish) and recorded in the CA journal; a ceremony whose
 * steps never needed the key asks for it then, only to seal.  The sealed
 * transcript is copied to the media.
 *
 * Resume.  A run that stops (a refused check, a failed step, a crash,
 * SIGTERM, SIGKILL) leaves its transcript unclosed.  The next run looks
 * for an unclosed ceremony transcript of the same script (same SHA-256)
 * in DIR/transcripts/ and in the staging folder, shows what it completed,
 * and offers to resume from the first step not done: the same transcript
 * goes on with a "resume" record.  Work already done is never repeated:
 * a generate-root step whose CA directory exists with an init record
 * matching the script (subject, key type, profile) is skipped as done; a
 * sign-csrs step whose bundle the journal already records as exported is
 * skipped as done.  A sign-csrs or revoke step records an "attempt" (the
 * CA journal's last seq; a revoke step's revocation time, which every
 * attempt of the step reuses) before it touches the CA.  Resuming it: a
 * sign-csrs step whose CSRs the journal records as issued after that seq
 * (same CSR SHA-256 and profile) but not exported has its bundle written
 * from the issued copies (sign_export_ks, "resumed-export"), never signed
 * again; a revoke step whose serials the journal holds as revoked with the
 * step's reason at that time is "already-done".  A sign-crl step records
 * an "attempt" too: resumed, a CRL the CA journal records after it makes
 * the step "already-done" (its output on the media must be that CRL, or
 * is written from it), never signed again.  A renew-root step records an
 * "attempt" as well: resumed, a renewal the CA journal records after it
 * makes the step "already-done", never renewed twice.  An export step
 * resumed finishes the folder it began: what is there must be byte for
 * byte what it writes, anything else is refused.  Names the transcript records
 * stand; a role it does not name yet keeps the name given up front.
 */
#ifndef OFFROOT_CEREMONY_H
#define OFFROOT_CEREMONY_H

#include <stdbool.h>
#include <stddef.h>

#include "interact.h"
#include "script.h"

struct ceremony_participant {
	const char *role;
	const char *name;
};

/* Going on despite a failed pre-flight check ("airgap", "clock",
 * "selfcheck", "media"): the reason is recorded. */
struct ceremony_override {
	const char *check;
	const char *reason;
};

enum ceremony_resume {
	CEREMONY_RESUME_ASK,	/* io->confirm */
	CEREMONY_RESUME_YES,
	CEREMONY_RESUME_NO,	/* start afresh; the old one stays unclosed */
};

struct ceremony_params {
	const char *script;	/* path of the script */
	const char *dir;	/* the CA directory */
	const char *media;	/* the media folder (NULL: none; the TUI and
				 * CLI pick one at the pre-flight) */
	const char *token;	/* token URI for a pkcs11 generate-root */
	const char *module;	/* PKCS#11 module (NULL: p11-kit's) */
	/* The token's PIN file when the key's passphrase comes from a file
	 * too (a migrate step needs both); NULL otherwise. */
	const char *pin_file;
	const char *kdf;	/* rehearsal override of the script's kdf */
	const char *runner;	/* "tui", "batch", "cli": recorded */
	/* Names given up front (the batch runner's answers file); roles
	 * not given are asked with io->ask. */
	const struct ceremony_participant *participants;
	size_t nparticipants;
	const struct ceremony_override *overrides;
	size_t noverrides;
	enum ceremony_resume resume;
	/* How the operators start it again, for the warning when it stops:
	 * NULL is "run the same command again". */
	const char *again;
};

/*
 * Runs the ceremony: loads and checks the script, resumes an unfinished
 * run of it (asking through io unless p->resume says) or starts a new
 * transcript, runs every step not done, then seals the transcript.  The
 * one sequence behind every runner (offroot ceremony in the TUI, batch or
 * plain CLI; the TUI's home screen), so they cannot drift apart.  While
 * it runs, io->note and io->diag record exception notes and stderr lines
 * in the transcript.  On failure the transcript stays unclosed
 * (resumable) and records why; OR_E_CANCEL (a question refused, or the
 * runner abandoned the run: Ctrl-C, SIGTERM, SIGHUP) also records an
 * "abandoned" record with that reason.  Any failure after the transcript
 * is open ends with a warning through io naming it, and how to resume
 * (p->again).
 */
int ceremony_execute(const struct ceremony_params *p, struct interact *io);

#endif
