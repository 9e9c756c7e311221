/*
 * interact.h — the only seam between the engine and a person.
 *
 * The engine never prints or reads the terminal.  Every question,
 * confirmation, secret prompt, progress report and displayed block goes
 * through a struct interact.  Implementations: the plain CLI
 * (interact-cli.c), the batch runner (answers from a file) and the TUI
 * (ui/).  Helpers that work on any face (interact_say) are in
 * interact.c.
 */
#ifndef OFFROOT_INTERACT_H
#define OFFROOT_INTERACT_H

#include <stdbool.h>
#include <stddef.h>

struct secret;

enum say_level {
	SAY_INFO,	/* normal progress text */
	SAY_WARN,	/* something the officer must notice */
	SAY_RESULT,	/* a result line that scripts read (stdout in the CLI) */
};

/* What a face shows of a ceremony's progress (the TUI's left pane). */
enum step_state {
	STEP_PENDING,
	STEP_CURRENT,
	STEP_DONE,
	STEP_FAILED,
	STEP_SKIPPED,
};

struct step_view {
	const char *number;	/* "3", "3.1" */
	const char *title;	/* one line */
	const char *role;	/* "Ceremony Administrator", "Crypto Officer 1" */
	enum step_state state;
};

/* The status line: what the ceremony works on. */
struct status_view {
	const char *ca_dir;
	const char *key_store;	/* "sealed (Argon2id sensitive)", "pkcs11: ..." */
	const char *media;	/* the removable media in use, or "none" */
	const char *transcript;	/* "open, 12 records", "sealed" */
};

struct interact {
	void (*say)(struct interact *io, enum say_level level,
	    const char *text);
	/* *yes is set to the answer; OR_E_CANCEL/OR_E_ENV when no answer
	 * can be had. */
	int (*confirm)(struct interact *io, const char *question, bool *yes);
	/*
	 * Optional: a confirmation that a blanket yes (the CLI's --yes, an
	 * answers file's confirm-all) never gives, for going on despite a
	 * finding a person must weigh (interact_override).  check names it
	 * ("mixed-scripts").  The TUI has the officer type check's name; the
	 * batch runner answers yes only to an "override CHECK: reason" line.
	 * NULL (the plain CLI): never asked; the command's --allow-CHECK is
	 * the only way on.
	 */
	int (*confirm_override)(struct interact *io, const char *check,
	    const char *question, bool *yes);
	int (*ask)(struct interact *io, const char *prompt, char *buf,
	    size_t size);
	/* Asks for a secret; twice (must match) when confirm_twice. */
	int (*ask_secret)(struct interact *io, const char *prompt,
	    bool confirm_twice, struct secret **out);
	int (*choose)(struct interact *io, const char *prompt,
	    const char *const *options, size_t n, size_t *choice);
	/* fraction in [0,1], or < 0 when unknown; label NULL ends it. */
	void (*progress)(struct interact *io, const char *label,
	    double fraction);
	/* A block shown prominently: fingerprints, CSR review. */
	void (*show_block)(struct interact *io, const char *title,
	    const char *body);
	/* Optional (NULL in the CLI): the ceremony's steps changed. */
	void (*steps)(struct interact *io, const struct step_view *steps,
	    size_t n, size_t current);
	/* Optional: the status line changed. */
	void (*status)(struct interact *io, const struct status_view *st);
	/*
	 * Optional, for M-of-N officer shares (hsm/share.h).  A face that
	 * leaves them NULL is asked officer by officer: ask for each share
	 * file's path (empty: no more), ask_secret for its passphrase, and
	 * ask_secret twice for each new officer's passphrase.
	 *
	 * share: shares given up front (the CLI's repeated --share FILE
	 * --share-passphrase-file FILE; the batch runner's share lines).
	 * A path may name a folder (an officer's medium): share.c then
	 * offers the share files of the current set in it.  Share k (from 0): its path into
	 * path and its passphrase into *pass, or *pass NULL when none was
	 * given (then ask_secret is used).  OR_E_CANCEL past the last one.
	 *
	 * new_share_secret: new officer k's passphrase (from 0) given up
	 * front (the CLI's repeated --share-passphrase-file at init,
	 * --new-share-passphrase-file at reshare and in the batch runner);
	 * *out NULL: ask_secret.
	 */
	int (*share)(struct interact *io, size_t k, char *path, size_t size,
	    struct secret **pass);
	int (*new_share_secret)(struct interact *io, size_t k,
	    struct secret **out);
	void *ctx;
	/* The face has a key that goes back to a form's previous question
	 * (the TUI's Esc).  A face without one never returns OR_E_BACK. */
	bool can_back;
	/* Set by interact_form around each of its questions, read by the
	 * face.  back: this question may be left for the form's previous one
	 * (the face then returns OR_E_BACK; only when can_back).  prefill:
	 * ask's buf and choose's *choice hold the answer given before, which
	 * the face offers again, to keep or to edit. */
	bool back, prefill;
	/* ask_secret reads a file (--passphrase-file, the batch runner):
	 * asking again gives the same answer, so a wrong or short one is
	 * refused at once instead of asked again. */
	bool fixed_secrets;
	/* Optional, set by the engine (NULL: notes are not taken): an
	 * exception note a participant typed at any step (the TUI's F2).  The
	 * face calls it on the engine's thread from inside one of the calls
	 * above, never concurrently with the engine, which records it in the
	 * transcript. */
	void (*note)(void *note_ctx, const char *text);
	void *note_ctx;
	/* Optional, set by the engine with note: a line written to stderr
	 * (by a library, or by offroot itself) while a face held the
	 * terminal and captured it (the TUI); called like note. */
	void (*diag)(void *note_ctx, const char *line);
};

/* How often a person is asked again for a passphrase or PIN that was
 * wrong, a new passphrase that was too short or typed differently, a name
 * or a reason left empty, before the step stops. */
#define INTERACT_TRIES	3

/* A new secret: asked once and refused at once when shorter than min_len
 * (then asked again), then asked again to confirm; INTERACT_TRIES times at
 * most.  A face with fixed_secrets reads it once, checks its length, and
 * never asks again. */
int interact_new_secret(struct interact *io, const char *prompt,
    size_t min_len, struct secret **out);
/* io->ask until the answer is not empty (INTERACT_TRIES times at most);
 * what: "the name of the Internal Witness", for the messages. */
int interact_ask_nonempty(struct interact *io, const char *prompt,
    const char *what, char *buf, size_t size);

/*
 * A form: questions asked in order, before anything is done, that the
 * officer may walk back through (interact_form).  A field is a line of
 * text (FORM_ASK: into buf; required refuses an empty answer; check,
 * when set, refuses an answer with an error whose text is shown, and the
 * question is asked again, the reason in it) or a choice
 * (FORM_CHOOSE: options into *choice).
 */
enum form_kind {
	FORM_ASK,
	FORM_CHOOSE,
};

struct form_field {
	enum form_kind kind;
	const char *prompt;
	char *buf;
	size_t size;
	bool required;
	/* Optional, with required: asked as interact_ask_nonempty asks
	 * (what names the answer; INTERACT_TRIES on every face). */
	const char *what;
	int (*check)(const char *answer);
	const char *const *options;
	size_t n;
	size_t *choice;
};

struct form {
	struct form_field *fields;
	size_t n;
	/* Optional: called before field i is asked (i == n: before the
	 * question), e.g. to show which step of a wizard it is. */
	void (*at)(struct interact *io, size_t i, void *arg);
	/* Optional: the closing question, written from the answers into q
	 * ("Create the root ...?").  No returns to the first field with every
	 * answer kept on a face that can go back; elsewhere it ends the form
	 * with OR_E_CANCEL and the text declined. */
	void (*question)(char *q, size_t size, void *arg);
	const char *declined;
	void *arg;
};

/* Asks a form's fields, then its question.  On a face that can go back
 * (io->can_back), each question after the first may go back to the one
 * before it, answered as it was; nothing before the form's end can be
 * irreversible, so the caller acts only once this returns OR_OK.  Never
 * returns OR_E_BACK. */
int interact_form(struct interact *io, const struct form *f);

/* io->say with printf formatting (at most 2047 bytes of text). */
void interact_say(struct interact *io, enum say_level level,
    const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/*
 * Going on despite a finding that no blanket yes answers: a name that
 * mixes scripts, one that looks like an earlier subject, a key and name
 * certified twice.  check: "mixed-scripts", "similar-subject", "reissue";
 * finding: one line, names escaped.  allowed: the command's --allow-CHECK
 * was given (then the finding is shown as a warning); otherwise
 * io->confirm_override asks.  OR_OK to go on, with how ("--allow-CHECK",
 * "confirmed by the officer") for the transcript's "override" record;
 * OR_E_POLICY (exit 1) with the finding and the flag that would go on
 * otherwise, or OR_E_CANCEL when the officer declined.
 */
int interact_override(struct interact *io, const char *check, bool allowed,
    const char *finding, char *how, size_t size);

/* The plain command-line implementation.  secret_file, when set, answers
 * ask_secret (first line of the file); assume_yes answers confirm. */
#define CLI_SHARES_MAX	32
struct cli_interact {
	const char *secret_file;
	bool assume_yes;
	bool quiet;
	/* Quorum shares: --share files with their --share-passphrase-file
	 * (the same count, or none), answering share; and new officers'
	 * passphrase files, answering new_share_secret in order. */
	const char *share_files[CLI_SHARES_MAX];
	size_t nshare_files;
	const char *share_pass_files[CLI_SHARES_MAX];
	size_t nshare_pass_files;
	const char *new_pass_files[CLI_SHARES_MAX];
	size_t nnew_pass_files;
};
/* How the plain faces (CLI, batch) print a say(): results to stdout,
 * warnings and information to stderr. */
void interact_print(enum say_level level, const char *text, bool quiet);
void interact_cli_init(struct interact *io, struct cli_interact *cfg);

#endif
