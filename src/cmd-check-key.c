/* cmd-check-key.c — offroot check-key: unlock the key, prove it matches. */
#include <stdio.h>
#include <string.h>

#include "cadb.h"
#include "cmd.h"
#include "err.h"
#include "keystore.h"
#include "secret.h"
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
	struct cadb *db = NULL;
	struct keystore *ks = NULL;
	struct transcript *tr = NULL;
	X509 *root = NULL;
	const char *dir = args_get(a, "dir");
	int rc;

	if ((rc = cadb_open(dir, &db)) != OR_OK ||
	    (rc = cadb_load_root(dir, &db->sum, &root)) != OR_OK ||
	    (rc = cadb_unlock(db, root, io, &ks)) != OR_OK)
		goto out;
	if ((rc = transcript_begin(dir, "check-key", &tr)) != OR_OK)
		goto out;
	{
		struct jfields f;

		jf_init(&f);
		jf_add(&f, "result", "the key matches root.crt");
		jf_add(&f, "key_type", keytype_name(ks->type));
		if ((rc = transcript_add(tr, "key-check", &f)) != OR_OK ||
		    (rc = cadb_append(db, "key-check", &f)) != OR_OK)
			goto out;
	}
	if ((rc = transcript_finish(tr, db->journal, ks)) != OR_OK)
		goto out;
	interact_say(io, SAY_RESULT, "the key opens and matches %s/%s", dir,
	    CADB_ROOT_CERT);
out:
	transcript_free(tr);
	keystore_close(ks);
	X509_free(root);
	cadb_close(db);
	return rc;
}

const struct cmd_entry cmd_check_key_entry = {
	"check-key",
	"-d DIR " CMD_USAGE_UNLOCK,
	"unlock the root key and prove it matches the root certificate",
	check_key_opts, 0, 0, check_key_exec
};
