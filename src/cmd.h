/*
 * cmd.h — the command table.
 *
 * How to add a command:
 *   1. write src/cmd-NAME.c defining `const struct cmd_entry cmd_NAME_entry`
 *      (name, usage, summary, option spec, exec);
 *   2. add it to the table in main.c;
 *   3. document it in manuals/offroot.1 (and README.md when it changes the
 *      walkthrough);
 *   4. add tests under tests/t/ (must-fail cases too).
 *
 * A command that uses the root key also:
 *   - takes CMD_OPTS_UNLOCK in its option spec and CMD_USAGE_UNLOCK in its
 *     usage (a command for a sealed key only: the _SEALED pair);
 *   - runs through op.h in its order: op_begin (lock, open, check every
 *     output path), its own input checks and the officer's review,
 *     op_unlock (transcript, then key), sign and record, op_finish, and on
 *     any failure op_fail(&op, rc), then op_end.  Never transcript_begin
 *     or cadb_unlock itself: op.c is where a failed run is recorded.
 *
 * The dispatcher parses options from the spec: unknown, repeated (unless
 * OPT_MULTI) or missing-argument options are usage errors (exit 2).
 */
#ifndef OFFROOT_CMD_H
#define OFFROOT_CMD_H

#include <stdbool.h>
#include <stddef.h>

#include "interact.h"

#define OPT_ARG		0x1	/* takes a value */
#define OPT_MULTI	0x2	/* may be given more than once */
#define OPT_REQUIRED	0x4	/* must be given */

struct cmd_opt {
	const char *name;	/* long name, without "--" */
	char short_name;	/* 0 when none */
	unsigned flags;
};

/* In the option spec of every command that opens the root key: a key
 * sealed under an officer quorum takes --share FILE
 * --share-passphrase-file FILE, repeated (main.c passes them to the CLI
 * face, interact.h). */
#define CMD_OPTS_SHARES \
	{ "share", 0, OPT_ARG | OPT_MULTI }, \
	{ "share-passphrase-file", 0, OPT_ARG | OPT_MULTI }

/* The options of every command that unlocks the root key: a passphrase
 * file (a sealed key), officer shares (a quorum), a PIN file (a token),
 * and --yes (the command's confirmations; for a token, also spending its
 * final PIN try).  The usage text that goes with them. */
#define CMD_OPTS_UNLOCK_SEALED \
	{ "passphrase-file", 0, OPT_ARG }, \
	CMD_OPTS_SHARES, \
	{ "yes", 'y', 0 }
#define CMD_OPTS_UNLOCK \
	CMD_OPTS_UNLOCK_SEALED, \
	{ "pin-file", 0, OPT_ARG }
/* init's options, which rollover takes for the successor root too
 * (cmd_init_params reads them). */
#define CMD_OPTS_NEW_ROOT \
	{ "subject", 0, OPT_ARG | OPT_REQUIRED }, \
	{ "key", 0, OPT_ARG }, \
	{ "profile", 0, OPT_ARG }, \
	{ "profiles", 0, OPT_ARG }, \
	{ "days", 0, OPT_ARG }, \
	{ "kdf", 0, OPT_ARG }, \
	{ "passphrase-file", 0, OPT_ARG }, \
	{ "store", 0, OPT_ARG }, \
	{ "token", 0, OPT_ARG }, \
	{ "key-uri", 0, OPT_ARG }, \
	{ "module", 0, OPT_ARG }, \
	{ "label", 0, OPT_ARG }, \
	{ "pin-file", 0, OPT_ARG }, \
	{ "quorum", 0, OPT_ARG }, \
	{ "share-dir", 0, OPT_ARG | OPT_MULTI }, \
	{ "share-passphrase-file", 0, OPT_ARG | OPT_MULTI }, \
	{ "leftover", 0, OPT_ARG }, \
	{ "yes", 'y', 0 }, \
	{ "allow-mixed-scripts", 0, 0 }, \
	{ "quiet", 'q', 0 }, \
	{ "crl-url", 0, OPT_ARG }, \
	{ "ca-issuers-url", 0, OPT_ARG }
#define CMD_USAGE_SHARES \
	"(--share FILE --share-passphrase-file FILE) ..."
#define CMD_USAGE_UNLOCK \
	"[--passphrase-file FILE | --pin-file FILE | " CMD_USAGE_SHARES "] " \
	"[--yes]"
#define CMD_USAGE_UNLOCK_SEALED \
	"[--passphrase-file FILE | " CMD_USAGE_SHARES "] [--yes]"

#define CMD_MAX_VALUES	4200	/* sign takes up to SIGN_MAX_CSRS CSRs */

struct cmd_args {
	const struct cmd_entry *entry;
	size_t nvalues;
	struct {
		const struct cmd_opt *opt;
		const char *value;	/* NULL for flags */
	} values[CMD_MAX_VALUES];
	int argc;			/* positional arguments */
	char **argv;
};

struct cmd_entry {
	const char *name;
	const char *usage;	/* after "offroot NAME " */
	const char *summary;
	const struct cmd_opt *opts;	/* terminated by { NULL } */
	int min_args, max_args;	/* positional arguments */
	int (*exec)(struct cmd_args *args, struct interact *io);
};

const char *args_get(const struct cmd_args *a, const char *name);
bool args_has(const struct cmd_args *a, const char *name);
/* The i-th value of a repeatable option, NULL past the end. */
const char *args_nth(const struct cmd_args *a, const char *name, size_t i);
/* Parses a positive decimal option value; OR_E_USAGE when malformed. */
int args_long(const struct cmd_args *a, const char *name, long min, long max,
    long *out);

/* init's key and profile options (--subject, --key, --profile(s), --days,
 * --kdf, the store's and the quorum's, --crl-url, --ca-issuers-url,
 * --leftover, --allow-mixed-scripts) into p, all but p->dir: init and
 * rollover make a root the same way.  dirs: SEALED_QUORUM_MAX_N + 1. */
struct rootca_params;
int cmd_init_params(struct cmd_args *a, struct rootca_params *p,
    const char **dirs);

extern const struct cmd_entry cmd_init_entry;
extern const struct cmd_entry cmd_rollover_entry;
extern const struct cmd_entry cmd_status_entry;
extern const struct cmd_entry cmd_inspect_entry;
extern const struct cmd_entry cmd_check_key_entry;
extern const struct cmd_entry cmd_audit_entry;
extern const struct cmd_entry cmd_sign_entry;
extern const struct cmd_entry cmd_verify_entry;
extern const struct cmd_entry cmd_export_entry;
extern const struct cmd_entry cmd_repair_entry;
extern const struct cmd_entry cmd_revoke_entry;
extern const struct cmd_entry cmd_crl_entry;
extern const struct cmd_entry cmd_renew_root_entry;
extern const struct cmd_entry cmd_ocsp_entry;
extern const struct cmd_entry cmd_tokens_entry;
extern const struct cmd_entry cmd_ceremony_entry;
extern const struct cmd_entry cmd_script_entry;
extern const struct cmd_entry cmd_profile_entry;
extern const struct cmd_entry cmd_digest_entry;
extern const struct cmd_entry cmd_transcript_entry;
extern const struct cmd_entry cmd_tui_entry;
extern const struct cmd_entry cmd_reshare_entry;
extern const struct cmd_entry cmd_migrate_entry;
extern const struct cmd_entry cmd_backup_entry;
extern const struct cmd_entry cmd_token_backup_entry;
extern const struct cmd_entry cmd_csr_entry;
extern const struct cmd_entry cmd_cross_sign_entry;
extern const struct cmd_entry cmd_set_entry;

#endif
