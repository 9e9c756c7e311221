/* cmd-init.c — offroot init: create a root CA with a sealed-file key. */
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "err.h"
#include "keystore.h"
#include "rootca.h"

static const struct cmd_opt init_opts[] = {
	{ "dir", 'd', OPT_ARG | OPT_REQUIRED },
	{ "subject", 0, OPT_ARG | OPT_REQUIRED },
	{ "key", 0, OPT_ARG },
	{ "profile", 0, OPT_ARG },
	{ "profiles", 0, OPT_ARG },
	{ "days", 0, OPT_ARG },
	{ "kdf", 0, OPT_ARG },
	{ "passphrase-file", 0, OPT_ARG },
	{ "quiet", 'q', 0 },
	{ NULL, 0, 0 }
};

static int
init_exec(struct cmd_args *a, struct interact *io)
{
	struct rootca_params p;
	struct rootca_result res;
	int rc;

	memset(&p, 0, sizeof p);
	p.dir = args_get(a, "dir");
	p.subject = args_get(a, "subject");
	p.profile_name = args_get(a, "profile");
	p.profiles_file = args_get(a, "profiles");
	p.key_type = KT_EC_P384;
	p.kdf = KDF_SENSITIVE;
	if (args_has(a, "key") &&
	    (rc = keytype_parse(args_get(a, "key"), &p.key_type)) != OR_OK)
		return err_set(OR_E_USAGE, "--key: unknown key type \"%s\" "
		    "(ec-p384, ec-p256, rsa-3072, rsa-4096, ed25519)",
		    args_get(a, "key"));
	if (args_has(a, "kdf") &&
	    (rc = kdf_level_parse(args_get(a, "kdf"), &p.kdf)) != OR_OK)
		return err_set(OR_E_USAGE, "--kdf: expected sensitive, "
		    "moderate or interactive, got \"%s\"", args_get(a, "kdf"));
	if ((rc = args_long(a, "days", 1, 36525, &p.days)) != OR_OK)
		return rc;

	if ((rc = rootca_create(&p, io, &res)) != OR_OK)
		return rc;
	interact_say(io, SAY_RESULT, "created root CA in %s", p.dir);
	io->show_block(io, "SHA-256 fingerprint of root.crt (read it aloud):",
	    res.fingerprint);
	return OR_OK;
}

const struct cmd_entry cmd_init_entry = {
	"init",
	"-d DIR --subject DN [--key TYPE] [--profile NAME] [--profiles FILE] "
	    "[--days N] [--kdf LEVEL] [--passphrase-file FILE]",
	"create a root CA: key, sealed key file, root certificate, journal",
	init_opts, 0, 0, init_exec
};
