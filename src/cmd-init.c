/*
 * cmd-init.c — offroot init: create a root CA, its key in a sealed file
 * (one passphrase or an officer quorum) or on a PKCS#11 token.  The
 * command layer only: it turns the options into struct rootca_params,
 * refusing options that belong to another store, and shows the new
 * root's fingerprint; rootca_create (rootca.c) does the work.
 * --leftover keep|wipe is the officer's decision on what an interrupted
 * init left beside DIR (leftover.h); without it such a folder is refused.
 */
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "err.h"
#include "keystore.h"
#include "leftover.h"
#include "publish.h"
#include "rootca.h"
#include "share.h"

static const struct cmd_opt init_opts[] = {
	{ "dir", 'd', OPT_ARG | OPT_REQUIRED },
	CMD_OPTS_NEW_ROOT,
	{ NULL, 0, 0 }
};

#define INIT_DEFAULT_LABEL	"offroot-root"

/* --store and the options that belong to each store. */
static int
init_store(struct cmd_args *a, struct rootca_params *p)
{
	static const char *const token_only[] = { "token", "key-uri", "module",
	    "label", "pin-file", NULL };
	static const char *const sealed_only[] = { "kdf", "passphrase-file",
	    "quorum", "share-dir", "share-passphrase-file", NULL };
	const char *store = args_get(a, "store");
	size_t i;

	if (store == NULL || strcmp(store, "sealed") == 0) {
		for (i = 0; token_only[i] != NULL; i++)
			if (args_has(a, token_only[i]))
				return err_set(OR_E_USAGE, "--%s is for a key "
				    "on a token (--store pkcs11)",
				    token_only[i]);
		return OR_OK;
	}
	if (strcmp(store, "pkcs11") != 0)
		return err_set(OR_E_USAGE, "--store: expected sealed or pkcs11, "
		    "got \"%s\"", store);
	for (i = 0; sealed_only[i] != NULL; i++)
		if (args_has(a, sealed_only[i]))
			return err_set(OR_E_USAGE, "--%s is for a sealed key "
			    "file; a token asks for its PIN (--pin-file)",
			    sealed_only[i]);
	if (args_has(a, "token") == args_has(a, "key-uri"))
		return err_set(OR_E_USAGE, "--store pkcs11: give --token URI "
		    "to generate the key there, or --key-uri URI to adopt "
		    "an existing key pair");
	if (args_has(a, "key-uri") && args_has(a, "label"))
		return err_set(OR_E_USAGE, "--label names a new key; an "
		    "adopted key keeps its own");
	p->pkcs11 = true;
	p->token_uri = args_get(a, "token");
	p->key_uri = args_get(a, "key-uri");
	p->module = args_get(a, "module");
	p->label = args_has(a, "label") ? args_get(a, "label") :
	    INIT_DEFAULT_LABEL;
	if (p->key_uri != NULL && !args_has(a, "key"))
		p->key_type = KT_NONE;	/* whatever the token key is */
	return OR_OK;
}

/* --quorum M/N with its share folders and officers' passphrase files. */
static int
init_quorum(struct cmd_args *a, struct rootca_params *p, const char **dirs)
{
	size_t i;
	int rc;

	if (!args_has(a, "quorum")) {
		if (args_has(a, "share-dir") ||
		    args_has(a, "share-passphrase-file"))
			return err_set(OR_E_USAGE, "--share-dir and "
			    "--share-passphrase-file go with --quorum M/N");
		return OR_OK;
	}
	if ((rc = share_quorum_parse(args_get(a, "quorum"), &p->quorum_m,
	    &p->quorum_n)) != OR_OK)
		return rc;
	if (args_has(a, "passphrase-file"))
		return err_set(OR_E_USAGE, "--passphrase-file is for a key "
		    "under one passphrase; with --quorum each officer has "
		    "their own (--share-passphrase-file, once per officer)");
	for (i = 0; args_nth(a, "share-passphrase-file", i) != NULL; i++)
		;
	if (i != 0 && i != p->quorum_n)
		return err_set(OR_E_USAGE, "--share-passphrase-file: give one "
		    "per officer (%u), in officer order, not %zu",
		    p->quorum_n, i);
	for (i = 0; (dirs[i] = args_nth(a, "share-dir", i)) != NULL; i++)
		if (i == SEALED_QUORUM_MAX_N)
			return err_set(OR_E_USAGE, "--share-dir given more "
			    "than %d times", SEALED_QUORUM_MAX_N);
	if (i != 1 && i != p->quorum_n)
		return err_set(OR_E_USAGE, "--quorum %u/%u: give --share-dir "
		    "once (every share file in one folder) or %u times, one "
		    "per officer's media", p->quorum_m, p->quorum_n,
		    p->quorum_n);
	p->share_dirs = dirs;
	p->nshare_dirs = i;
	return OR_OK;
}

/* init's key and profile options into p (all but the directory), as
 * init and rollover take them; dirs holds the share folders. */
int
cmd_init_params(struct cmd_args *a, struct rootca_params *p, const char **dirs)
{
	int rc;

	p->subject = args_get(a, "subject");
	p->allow_mixed_scripts = args_has(a, "allow-mixed-scripts");
	p->profile_name = args_get(a, "profile");
	p->profiles_file = args_get(a, "profiles");
	p->key_type = KT_EC_P384;
	p->kdf = KDF_SENSITIVE;
	if (args_has(a, "key") &&
	    (rc = keytype_parse(args_get(a, "key"), &p->key_type)) != OR_OK)
		return err_set(OR_E_USAGE, "--key: unknown key type \"%s\" "
		    "(ec-p384, ec-p256, rsa-3072, rsa-4096, ed25519)",
		    args_get(a, "key"));
	if (args_has(a, "kdf") &&
	    (rc = kdf_level_parse(args_get(a, "kdf"), &p->kdf)) != OR_OK)
		return err_set(OR_E_USAGE, "--kdf: expected sensitive, "
		    "moderate or interactive, got \"%s\"", args_get(a, "kdf"));
	if ((rc = args_long(a, "days", 1, 36525, &p->days)) != OR_OK)
		return rc;
	p->crl_url = args_get(a, "crl-url");
	p->ca_issuers_url = args_get(a, "ca-issuers-url");
	if ((p->crl_url != NULL &&
	    (rc = publish_url_check("--crl-url", p->crl_url)) != OR_OK) ||
	    (p->ca_issuers_url != NULL && (rc = publish_url_check(
	    "--ca-issuers-url", p->ca_issuers_url)) != OR_OK))
		return rc;
	if ((rc = init_store(a, p)) != OR_OK ||
	    (rc = init_quorum(a, p, dirs)) != OR_OK)
		return rc;
	/* A folder an interrupted init left beside DIR: refused until the
	 * officer says what happens to it (leftover.h). */
	if (args_has(a, "leftover") &&
	    (rc = leftover_decision_parse(args_get(a, "leftover"),
	    &p->leftover)) != OR_OK)
		return rc;
	return OR_OK;
}

static int
init_exec(struct cmd_args *a, struct interact *io)
{
	const char *dirs[SEALED_QUORUM_MAX_N + 1];
	struct rootca_params p;
	struct rootca_result res;
	int rc;

	memset(&p, 0, sizeof p);
	p.dir = args_get(a, "dir");
	if ((rc = cmd_init_params(a, &p, dirs)) != OR_OK ||
	    (rc = rootca_create(&p, io, &res)) != OR_OK)
		return rc;
	interact_say(io, SAY_RESULT, "created root CA in %s", p.dir);
	io->show_block(io, "SHA-256 fingerprint of root.crt (read it aloud):",
	    res.fingerprint);
	return OR_OK;
}

const struct cmd_entry cmd_init_entry = {
	"init",
	"-d DIR --subject DN [--key TYPE] [--profile NAME] [--profiles FILE] "
	    "[--days N] [--kdf LEVEL] [--allow-mixed-scripts] "
	    "[--crl-url URL] [--ca-issuers-url URL] "
	    "[--passphrase-file FILE | --quorum M/N "
	    "--share-dir DIR ... [--share-passphrase-file FILE ...]] "
	    "[--store pkcs11 (--token URI [--label L] | --key-uri URI) "
	    "[--module PATH] [--pin-file FILE] [--yes]] "
	    "[--leftover keep|wipe]",
	"create a root CA: key (sealed file or token), root certificate, "
	    "journal",
	init_opts, 0, 0, init_exec
};
