/*
 * cmd-tokens.c — offroot tokens: the PKCS#11 modules, slots, tokens and
 * key objects present, without logging in unless asked to; with
 * --mechanisms, what offroot learned of each token from its answers and
 * will use on it (hsm/p11quirks.c): the mechanism per key type and why,
 * whether it reports failed PIN tries, whether its serial is unique.
 */
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "err.h"
#include "pkcs11.h"

static const struct cmd_opt tokens_opts[] = {
	{ "module", 0, OPT_ARG },
	{ "token", 0, OPT_ARG },
	{ "login", 0, 0 },
	{ "mechanisms", 0, 0 },
	{ "pin-file", 0, OPT_ARG },
	{ "yes", 'y', 0 },	/* only: spend a token's final PIN try */
	{ NULL, 0, 0 }
};

struct tokens_ctx {
	size_t modules, tokens, objects;
	bool hidden;		/* the last token hid its private objects */
};

static int
tokens_module(void *vctx, const struct pkcs11_module_desc *m)
{
	struct tokens_ctx *c = vctx;

	c->modules++;
	printf("module %s%s%s\n", m->name, strcmp(m->name, m->path) != 0 &&
	    m->path[0] != '\0' ? ": " : "",
	    strcmp(m->name, m->path) != 0 ? m->path : "");
	printf("  %s%s%s, version %u.%u\n", m->manufacturer,
	    m->manufacturer[0] != '\0' ? ", " : "", m->description,
	    m->version_major, m->version_minor);
	return OR_OK;
}

static void
tokens_flag(char *buf, size_t size, bool on, const char *name)
{
	size_t n = strlen(buf);

	if (on)
		snprintf(buf + n, size - n, "%s%s", n > 0 ? ", " : "", name);
}

static void
tokens_note_hidden(struct tokens_ctx *c)
{
	if (c->hidden)
		printf("    (private keys are listed only with --login)\n");
	c->hidden = false;
}

static int
tokens_token(void *vctx, const struct pkcs11_token_desc *t)
{
	struct tokens_ctx *c = vctx;
	char flags[512] = "";

	tokens_note_hidden(c);
	if (!t->present) {
		printf("  slot %lu (%s): no token\n", t->slot,
		    t->slot_description);
		return OR_OK;
	}
	c->tokens++;
	if (!t->initialised) {
		printf("  slot %lu (%s): token not initialised\n", t->slot,
		    t->slot_description);
		return OR_OK;
	}
	printf("  slot %lu (%s): token \"%s\"\n", t->slot,
	    t->slot_description, t->label);
	printf("    manufacturer %s, model %s, serial %s\n", t->manufacturer,
	    t->model, t->serial);
	if (t->serial_blank)
		printf("    (serial %s: the same on every token of this "
		    "kind, so it does not tell this one apart; compare the "
		    "label and the key's public key fingerprint)\n",
		    t->serial[0] != '\0' ? "all zeros" : "empty");
	tokens_flag(flags, sizeof flags, t->login_required, "login-required");
	tokens_flag(flags, sizeof flags, t->protected_path, "PIN-pad");
	tokens_flag(flags, sizeof flags, t->write_protected,
	    "write-protected");
	tokens_flag(flags, sizeof flags, !t->user_pin_initialised,
	    "user-PIN-not-initialised");
	tokens_flag(flags, sizeof flags, t->pin_count_low, "PIN-count-low");
	tokens_flag(flags, sizeof flags, t->pin_final_try, "PIN-final-try");
	tokens_flag(flags, sizeof flags, t->pin_locked, "PIN-LOCKED");
	tokens_flag(flags, sizeof flags, t->pin_to_be_changed,
	    "PIN-to-be-changed");
	printf("    flags: %s\n", flags[0] != '\0' ? flags : "none");
	printf("    uri:   %s\n", t->uri);
	c->hidden = t->login_required && !t->logged_in;
	return OR_OK;
}

static int
tokens_object(void *vctx, const struct pkcs11_object_desc *o)
{
	struct tokens_ctx *c = vctx;

	c->objects++;
	printf("    %s key \"%s\" id %s: %s", o->private_key ? "private" :
	    "public", o->label, o->id_hex[0] != '\0' ? o->id_hex : "(none)",
	    o->type);
	if (o->private_key) {
		printf(", %s, %s%s", o->sensitive ? (o->always_sensitive ?
		    "sensitive" : "sensitive (not always)") : "NOT sensitive",
		    o->extractable ? "EXTRACTABLE" : o->never_extractable ?
		    "never-extractable" : "not extractable (but once was)",
		    o->can_sign ? ", may sign" : "");
	}
	printf("\n");
	if (o->have_pub)
		printf("      public key SHA-256 %s\n", o->pub_sha256);
	if (o->uri[0] != '\0')
		printf("      uri: %s\n", o->uri);
	return OR_OK;
}

/* tokens --mechanisms: after the token's own lines. */
static int
tokens_quirks(void *vctx, const struct pkcs11_quirks_desc *q)
{
	size_t i;

	(void)vctx;
	printf("    offroot would use (the token lists %lu mechanisms):\n",
	    q->nlisted);
	for (i = 0; i < q->nrows; i++)
		printf("      %-13s %s\n", q->rows[i].key, q->rows[i].use);
	printf("    failed PIN tries: %s\n", q->pins);
	printf("    serial: %s\n", q->serial);
	if (q->refused[0] != '\0')
		printf("    not set as asked on a new key: %s\n", q->refused);
	return OR_OK;
}

static int
tokens_exec(struct cmd_args *a, struct interact *io)
{
	static const struct pkcs11_visitor plain = {
		tokens_module, tokens_token, tokens_object, NULL,
	};
	static const struct pkcs11_visitor mechs = {
		tokens_module, tokens_token, tokens_object, tokens_quirks,
	};
	struct tokens_ctx c;
	int rc;

	memset(&c, 0, sizeof c);
	if (args_has(a, "pin-file") && !args_has(a, "login"))
		return err_set(OR_E_USAGE, "tokens: --pin-file is for --login");
	if (args_has(a, "yes") && !args_has(a, "login"))
		return err_set(OR_E_USAGE, "tokens: --yes is for --login");
	rc = pkcs11_list(args_get(a, "module"), args_get(a, "token"),
	    args_has(a, "login"), io, args_has(a, "mechanisms") ? &mechs :
	    &plain, &c);
	tokens_note_hidden(&c);
	fflush(stdout);
	if (rc != OR_OK)
		return rc;
	if (c.modules == 0)
		printf("no PKCS#11 modules (p11-kit has none configured; give "
		    "one with --module PATH)\n");
	else if (c.tokens == 0)
		printf("no tokens present\n");
	return OR_OK;
}

const struct cmd_entry cmd_tokens_entry = {
	"tokens",
	"[--module PATH] [--token URI] [--mechanisms] "
	    "[--login [--pin-file FILE] [--yes]]",
	"list PKCS#11 tokens and their keys; what offroot will use on them",
	tokens_opts, 0, 0, tokens_exec
};
