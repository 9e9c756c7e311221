/*
 * cmd-reshare.c — offroot reshare: a new M'-of-N' share set for the sealed
 * root key.  The work is the engine's (reshare.c, shared with the ceremony
 * action reshare): the key is opened with the current quorum (or
 * passphrase), then the new share set is sealed, written, and the key file
 * replaced atomically.  The journal's reshare record carries the new key
 * file's digest and the share sets' ids, never a share.  The run follows
 * op.h: the new officers' folders are checked before the key is unlocked,
 * and a failed run closes its transcript saying why.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cadb.h"
#include "cmd.h"
#include "err.h"
#include "fileio.h"
#include "keystore.h"
#include "op.h"
#include "reshare.h"
#include "rootca.h"
#include "secret.h"
#include "share.h"
#include "transcript.h"
#include "util.h"

static const struct cmd_opt reshare_opts[] = {
	{ "dir", 'd', OPT_ARG | OPT_REQUIRED },
	{ "quorum", 0, OPT_ARG | OPT_REQUIRED },
	{ "share-dir", 0, OPT_ARG | OPT_MULTI | OPT_REQUIRED },
	{ "new-share-passphrase-file", 0, OPT_ARG | OPT_MULTI },
	{ "kdf", 0, OPT_ARG },
	CMD_OPTS_UNLOCK_SEALED,
	{ "quiet", 'q', 0 },
	{ NULL, 0, 0 }
};

struct reshare_args {
	struct reshare_params p;
	const char *dirs[SEALED_QUORUM_MAX_N + 1];
};

static int
reshare_args(struct cmd_args *a, struct reshare_args *r)
{
	size_t i;
	int rc;

	memset(r, 0, sizeof *r);
	if ((rc = share_quorum_parse(args_get(a, "quorum"), &r->p.m, &r->p.n)) !=
	    OR_OK)
		return rc;
	if (args_has(a, "kdf")) {
		if (kdf_level_parse(args_get(a, "kdf"), &r->p.kdf) != OR_OK)
			return err_set(OR_E_USAGE, "--kdf: expected sensitive, "
			    "moderate or interactive, got \"%s\"",
			    args_get(a, "kdf"));
		r->p.kdf_given = true;
	}
	for (i = 0; args_nth(a, "new-share-passphrase-file", i) != NULL; i++)
		;
	if (i != 0 && i != r->p.n)
		return err_set(OR_E_USAGE, "--new-share-passphrase-file: give "
		    "one per new officer (%u), in officer order, not %zu",
		    r->p.n, i);
	for (i = 0; (r->dirs[i] = args_nth(a, "share-dir", i)) != NULL; i++)
		if (i == SEALED_QUORUM_MAX_N)
			return err_set(OR_E_USAGE, "--share-dir given more "
			    "than %d times", SEALED_QUORUM_MAX_N);
	r->p.share_dirs = r->dirs;
	r->p.nshare_dirs = i;
	if (i != 1 && i != r->p.n)
		return err_set(OR_E_USAGE, "--quorum %u/%u: give --share-dir "
		    "once (every share file in one folder) or %u times, one "
		    "per officer's media", r->p.m, r->p.n, r->p.n);
	return OR_OK;
}

static int
reshare_exec(struct cmd_args *a, struct interact *io)
{
	const char *dir = args_get(a, "dir");
	struct op_output outs[SEALED_QUORUM_MAX_N + 1];
	struct reshare_args r;
	struct reshare_plan plan;
	struct reshare_result res;
	struct op op;
	size_t i;
	int rc;

	memset(&plan, 0, sizeof plan);
	if ((rc = reshare_args(a, &r)) != OR_OK)
		return rc;
	for (i = 0; i < r.p.nshare_dirs; i++) {
		outs[i].path = r.p.share_dirs[i];
		outs[i].kind = OP_INTO_FOLDER;
	}
	outs[i].path = NULL;
	if ((rc = op_begin(&op, dir, "reshare", outs, io)) != OR_OK)
		goto out;
	if (strcmp(op.db->sum.store, "sealed") != 0) {
		rc = err_set(OR_E_INPUT, "%s: the key is on a token (%s store); "
		    "a quorum is for a sealed key file", dir, op.db->sum.store);
		goto out;
	}
	/* 1. The current quorum (or passphrase) opens the key. */
	if ((rc = op_unlock(&op, io, NULL)) != OR_OK)
		goto out;
	/* 2. The new officers' passphrases. */
	if ((rc = reshare_prepare(&r.p, op.db, io, &plan)) != OR_OK)
		goto out;
	/* 3. The new set, written and checked; the key file replaced. */
	if ((rc = reshare_commit(&plan, op.db, op.ks, op.tr, io, &res)) !=
	    OR_OK || (rc = op_finish(&op)) != OR_OK)
		goto out;
	interact_say(io, SAY_RESULT, "re-shared the root key of %s as a %s "
	    "quorum (share set %.8s); the old %s shares no longer open it: "
	    "destroy them", dir, res.quorum, res.set, res.old_quorum);
out:
	reshare_plan_free(&plan);
	rc = op_fail(&op, rc);
	op_end(&op);
	return rc;
}

const struct cmd_entry cmd_reshare_entry = {
	"reshare",
	"-d DIR --quorum M/N --share-dir DIR ... "
	    "[--new-share-passphrase-file FILE ...] [--kdf LEVEL] "
	    CMD_USAGE_UNLOCK_SEALED,
	"re-seal the root key under a new M-of-N officer share set",
	reshare_opts, 0, 0, reshare_exec
};
