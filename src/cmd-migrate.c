/*
 * cmd-migrate.c — offroot migrate: the sealed root key (one passphrase or
 * an officer quorum) moved into a PKCS#11 token, after which the CA uses
 * the token.  The work is the engine's (migrate.c, shared with the
 * ceremony action migrate).  The run follows op.h: the token URI and the
 * CA are checked before the key is unlocked; the token's PIN is asked
 * when the key goes in (--pin-file beside --passphrase-file: the one
 * answers the passphrase, the other the token); a failed run closes its
 * transcript saying why, and leaves the CA on its sealed key.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cadb.h"
#include "cmd.h"
#include "err.h"
#include "interact.h"
#include "keystore.h"
#include "migrate.h"
#include "op.h"

static const struct cmd_opt migrate_opts[] = {
	{ "dir", 'd', OPT_ARG | OPT_REQUIRED },
	{ "to-token", 0, OPT_ARG | OPT_REQUIRED },
	{ "module", 0, OPT_ARG },
	{ "label", 0, OPT_ARG },
	CMD_OPTS_UNLOCK,
	{ "quiet", 'q', 0 },
	{ NULL, 0, 0 }
};

static int
migrate_exec(struct cmd_args *a, struct interact *io)
{
	const char *dir = args_get(a, "dir");
	const char *shares[CMD_MAX_VALUES > 64 ? 64 : CMD_MAX_VALUES];
	struct migrate_params p;
	struct migrate_result res;
	struct migrate_pin_face pf;
	struct interact *tio;
	struct op op;
	size_t n;
	int rc;

	/* The CLI face answers every secret prompt from one file: with
	 * --pin-file alone it would answer the key's passphrase too. */
	if (args_has(a, "pin-file") && !args_has(a, "passphrase-file") &&
	    !args_has(a, "share-passphrase-file"))
		return err_set(OR_E_USAGE, "--pin-file: give the key's "
		    "passphrase with --passphrase-file too (or the shares' "
		    "with --share-passphrase-file), or type both");
	memset(&p, 0, sizeof p);
	p.token_uri = args_get(a, "to-token");
	p.module = args_get(a, "module");
	p.label = args_get(a, "label");
	for (n = 0; n < 64 && (shares[n] = args_nth(a, "share", n)) != NULL;
	    n++)
		;
	p.shares = shares;
	p.nshares = n;
	tio = migrate_pin_face(&pf, io, args_has(a, "passphrase-file") ?
	    args_get(a, "pin-file") : NULL);
	if ((rc = op_begin(&op, dir, "migrate", NULL, io)) != OR_OK ||
	    (rc = migrate_check(op.db, &p)) != OR_OK)
		goto out;
	/* 1. The sealed key, with its passphrase or quorum. */
	if ((rc = op_unlock(&op, io, NULL)) != OR_OK)
		goto out;
	/* 2. Into the token, proved, recorded; the sealed copy retired. */
	if ((rc = migrate_commit(op.db, op.root, op.ks, op.tr, &p, tio,
	    &res, NULL)) != OR_OK || (rc = op_finish(&op)) != OR_OK)
		goto out;
	interact_say(io, SAY_RESULT, "moved the root key of %s into token "
	    "\"%s\" (%s); the CA uses %s from now on; %s overwritten and "
	    "removed", dir, res.token_label, res.method, res.key_uri,
	    CADB_SEALED_KEY);
	if (strcmp(res.quorum, "none") != 0)
		interact_say(io, SAY_WARN, "%u share file%s of the %s quorum "
		    "retired; destroy every other share of that set and every "
		    "backup of the sealed key file: together they still open "
		    "the key",
		    res.shares_retired, res.shares_retired == 1 ? "" : "s",
		    res.quorum);
	interact_say(io, SAY_WARN, "the token is now the only copy of the "
	    "root key: back it up by the vendor's procedure, then record it "
	    "(offroot token-backup)");
out:
	rc = op_fail(&op, rc);
	op_end(&op);
	return rc;
}

const struct cmd_entry cmd_migrate_entry = {
	"migrate",
	"-d DIR --to-token URI [--module PATH] [--label L] "
	    CMD_USAGE_UNLOCK,
	"move the sealed root key into a PKCS#11 token (sealed file retired)",
	migrate_opts, 0, 0, migrate_exec
};
