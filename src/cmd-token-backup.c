/*
 * cmd-token-backup.c — offroot token-backup: record the officers' word on
 * the vendor's backup of a root key that lives on a token.
 *
 * offroot cannot copy a key the token will not export, so whether a second
 * copy exists is something only the officers can say.  init asks and
 * records the answer (the init record's token_backed_up); when the answer
 * was no, status and the TUI's calendar warn until a "token-backup" record
 * says the backup was made.  --withdrawn records the opposite: the backup
 * token was lost, wiped or destroyed, and the warning comes back.  The
 * record carries who said it and a note of what was done (the vendor's
 * procedure, the backup token's serial, the safe it went into).
 */
#include <stdio.h>
#include <string.h>

#include "cadb.h"
#include "cmd.h"
#include "err.h"
#include "journal.h"
#include "recover.h"

static const struct cmd_opt token_backup_opts[] = {
	{ "dir", 'd', OPT_ARG | OPT_REQUIRED },
	{ "by", 0, OPT_ARG | OPT_REQUIRED },
	{ "note", 0, OPT_ARG | OPT_REQUIRED },
	{ "withdrawn", 0, 0 },
	{ "yes", 'y', 0 },
	{ NULL, 0, 0 }
};

/* The question the officer answers, with what will be recorded. */
static int
token_backup_confirm(const struct cadb *db, const char *by, const char *note,
    bool withdrawn, bool assume_yes, struct interact *io)
{
	char q[1024];
	bool yes = assume_yes;
	int rc;

	snprintf(q, sizeof q, withdrawn ?
	    "Record that the backup of the root key on token \"%s\" (serial "
	    "%s) no longer exists, as %s says (\"%s\")?" :
	    "Record that the root key on token \"%s\" (serial %s) has been "
	    "backed up by the token vendor's procedure, as %s says (\"%s\")?",
	    db->sum.token_label, db->sum.token_serial, by, note);
	if (!assume_yes && (rc = io->confirm(io, q, &yes)) != OR_OK)
		return rc;
	if (!yes)
		return err_set(OR_E_CANCEL, "nothing recorded");
	return OR_OK;
}

static int
token_backup_exec(struct cmd_args *a, struct interact *io)
{
	const char *by = args_get(a, "by"), *note = args_get(a, "note");
	bool withdrawn = args_has(a, "withdrawn");
	struct cadb *db = NULL;
	struct jfields f;
	int rc;

	if (by[0] == '\0' || note[0] == '\0')
		return err_set(OR_E_USAGE, "--by and --note need a value: who "
		    "says so, and what was done");
	if ((rc = cadb_open(args_get(a, "dir"), &db)) != OR_OK)
		return rc;
	/* Like every command that writes the journal: what a crash left
	 * is settled first. */
	if ((rc = recover_ca_load(db, io)) != OR_OK)
		goto out;
	if (strcmp(db->sum.store, "pkcs11") != 0) {
		rc = err_set(OR_E_USAGE, "%s's root key is a sealed key file, "
		    "not on a token: offroot backup copies it", db->dir);
		goto out;
	}
	if ((rc = token_backup_confirm(db, by, note, withdrawn,
	    args_has(a, "yes"), io)) != OR_OK)
		goto out;
	jf_init(&f);
	jf_add(&f, "backed_up", withdrawn ? "no" : "yes");
	jf_add(&f, "token_label", db->sum.token_label);
	jf_add(&f, "token_serial", db->sum.token_serial);
	jf_add(&f, "by", by);
	jf_add(&f, "note", note);
	if ((rc = cadb_append(db, "token-backup", &f)) != OR_OK)
		goto out;
	interact_say(io, SAY_RESULT, withdrawn ?
	    "recorded: the root key on token \"%s\" is NOT backed up; status "
	    "warns until a new backup is recorded" :
	    "recorded: the root key on token \"%s\" is backed up",
	    db->sum.token_label);
out:
	cadb_close(db);
	return rc;
}

const struct cmd_entry cmd_token_backup_entry = {
	"token-backup",
	"-d DIR --by NAME --note TEXT [--withdrawn] [--yes]",
	"record the vendor's backup of a token root key (or its loss)",
	token_backup_opts, 0, 0, token_backup_exec,
};
