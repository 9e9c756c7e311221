/*
 * cmd-check-key.c — offroot check-key: unlock the key and prove it matches
 * root.crt, so that the officers know before a ceremony that their
 * passphrase, shares or token still open it.  The check is recorded in the
 * journal and in a sealed transcript (op.h).
 */
#include <stdio.h>
#include <string.h>

#include "cadb.h"
#include "cmd.h"
#include "err.h"
#include "keystore.h"
#include "op.h"
#include "transcript.h"

static const struct cmd_opt check_key_opts[] = {
	{ "dir", 'd', OPT_ARG | OPT_REQUIRED },
	CMD_OPTS_UNLOCK,
	{ "quiet", 'q', 0 },
	{ NULL, 0, 0 }
};

static int
check_key_exec(struct cmd_args *a, struct interact *io)
{
	const char *dir = args_get(a, "dir");
	struct jfields f;
	struct op op;
	int rc;

	if ((rc = op_begin(&op, dir, "check-key", NULL, io)) != OR_OK ||
	    (rc = op_unlock(&op, io, NULL)) != OR_OK)
		goto out;
	jf_init(&f);
	jf_add(&f, "result", "the key matches root.crt");
	jf_add(&f, "key_type", keytype_name(op.ks->type));
	if ((rc = transcript_add(op.tr, "key-check", &f)) != OR_OK ||
	    (rc = cadb_append(op.db, "key-check", &f)) != OR_OK ||
	    (rc = op_finish(&op)) != OR_OK)
		goto out;
	interact_say(io, SAY_RESULT, "the key opens and matches %s/%s", dir,
	    CADB_ROOT_CERT);
out:
	rc = op_fail(&op, rc);
	op_end(&op);
	return rc;
}

const struct cmd_entry cmd_check_key_entry = {
	"check-key",
	"-d DIR " CMD_USAGE_UNLOCK,
	"unlock the root key and prove it matches the root certificate",
	check_key_opts, 0, 0, check_key_exec
};
