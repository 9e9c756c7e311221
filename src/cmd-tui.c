/*
 * cmd-tui.c — offroot tui (and offroot with no arguments on a terminal):
 * the terminal interface's home screen, the CA's calendar, and what can be
 * started from it.  The plain operations run inside the TUI are the
 * commands themselves (init, sign, crl: their exec with the TUI's
 * interact), so the TUI adds guidance, never capability.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ceremony.h"
#include "cmd.h"
#include "err.h"
#include "keystore.h"
#include "publish.h"
#include "ui.h"
#include "util.h"

static const struct cmd_opt tui_opts[] = {
	{ "dir", 'd', OPT_ARG },
	{ "media", 0, OPT_ARG },
	{ "scripts", 0, OPT_ARG },
	{ "kdf", 0, OPT_ARG },
	{ "once", 0, 0 },
	{ NULL, 0, 0 }
};

struct tui_ctx {
	char dir[PATH_MAX];
	const char *media;
	const char *script;
	const char *kdf;	/* a rehearsal's Argon2id level for scripts */
};

/* args for entry e as if typed: name/value pairs (value NULL: a flag). */
static int
tui_args(const struct cmd_entry *e, struct cmd_args *a, const char *name,
    const char *value)
{
	size_t k;

	a->entry = e;
	for (k = 0; e->opts[k].name != NULL; k++)
		if (strcmp(e->opts[k].name, name) == 0)
			break;
	if (e->opts[k].name == NULL || a->nvalues == CMD_MAX_VALUES)
		return err_set(OR_E_USAGE, "%s: no option --%s", e->name, name);
	a->values[a->nvalues].opt = &e->opts[k];
	a->values[a->nvalues].value = value;
	a->nvalues++;
	return OR_OK;
}

static void
tui_steps(struct interact *io, const char *const *titles, size_t n,
    size_t current)
{
	struct step_view v[8];
	static const char *const num[] = { "1", "2", "3", "4", "5", "6", "7",
	    "8" };
	size_t i;

	if (io->steps == NULL)
		return;
	for (i = 0; i < n && i < 8; i++) {
		v[i].number = num[i];
		v[i].title = titles[i];
		v[i].role = "Ceremony Administrator";
		v[i].state = i < current ? STEP_DONE : i == current ?
		    STEP_CURRENT : STEP_PENDING;
	}
	io->steps(io, v, i, current);
}

static void
tui_status(struct interact *io, const struct tui_ctx *c, const char *tr)
{
	struct status_view st = { c->dir, NULL, c->media != NULL ? c->media :
	    "none", tr };

	if (io->status != NULL)
		io->status(io, &st);
}

/* A publication point (publish.h): empty, or a URL it accepts. */
static int
tui_url_check(const char *url)
{
	return publish_url_check("refused", url);
}

static const char *const tui_init_titles[] = { "Name the root", "Key type",
    "Key protection", "Create the key and certificate",
    "Read the fingerprint aloud" };
static const char *const tui_keys[] = { "ec-p384", "ec-p256", "rsa-4096",
    "rsa-3072", "ed25519" };
static const char *const tui_kdfs[] = { "sensitive", "moderate",
    "interactive" };
static const char *const tui_kdf_text[] = {
    "sensitive: Argon2id, 1 GiB (the real ceremony)",
    "moderate: Argon2id, 256 MiB",
    "interactive: Argon2id, 64 MiB (rehearsals only)" };

/* The root wizard's answers, a form (interact_form): nothing is made
 * until its question is answered yes, so the officer may go back. */
struct tui_init_form {
	const struct tui_ctx *c;
	char subject[512];
	char crl[PUBLISH_URL_MAX + 1], aia[PUBLISH_URL_MAX + 1];
	size_t key, kdf;
};

/* The wizard's step on the left for form field i. */
static void
tui_init_at(struct interact *io, size_t i, void *arg)
{
	tui_steps(io, tui_init_titles, 5, i < 3 ? 0 : i == 3 ? 1 : 2);
}

static void
tui_init_question(char *q, size_t size, void *arg)
{
	struct tui_init_form *f = arg;

	snprintf(q, size, "Create the root \"%s\" (%s, %s) in %s?",
	    f->subject, tui_keys[f->key], tui_kdfs[f->kdf], f->c->dir);
}

static int
tui_init_ask(struct interact *io, struct tui_init_form *f)
{
	struct form_field fields[] = {
		{ .kind = FORM_ASK, .prompt = "Subject of the root "
		    "certificate, e.g. /C=DE/O=Example/CN=Example Root CA",
		    .buf = f->subject, .size = sizeof f->subject,
		    .required = true },
		{ .kind = FORM_ASK, .prompt = "CRL URL: where relying parties "
		    "will fetch this root's CRL, http://... (empty: set it "
		    "later; the CA/B profiles need it to sign an intermediate)",
		    .buf = f->crl, .size = sizeof f->crl,
		    .check = tui_url_check },
		{ .kind = FORM_ASK, .prompt = "CA issuers URL: where they will "
		    "fetch the root certificate, http://... (empty: none)",
		    .buf = f->aia, .size = sizeof f->aia,
		    .check = tui_url_check },
		{ .kind = FORM_CHOOSE, .prompt = "Key type of the root",
		    .options = tui_keys, .n = 5, .choice = &f->key },
		{ .kind = FORM_CHOOSE, .prompt = "How hard to make guessing "
		    "the passphrase", .options = tui_kdf_text, .n = 3,
		    .choice = &f->kdf },
	};
	struct form form = { fields, nitems(fields), tui_init_at,
	    tui_init_question, "not created: the officer declined", f };

	return interact_form(io, &form);
}

static int
tui_init_flow(struct interact *io, void *arg)
{
	struct tui_ctx *c = arg;
	struct tui_init_form *f = NULL;
	struct cmd_args *a = NULL;
	int rc;

	tui_status(io, c, "opened when the key is made");
	tui_steps(io, tui_init_titles, 5, 0);
	interact_say(io, SAY_INFO, "A new root CA in %s: a key sealed in a "
	    "file under a passphrase, and its self-signed certificate (offroot "
	    "init).  Esc goes back to the previous question until the root is "
	    "made.", c->dir);
	if ((f = calloc(1, sizeof *f)) == NULL ||
	    (a = calloc(1, sizeof *a)) == NULL) {
		rc = err_set(OR_E_NOMEM, "out of memory");
		goto out;
	}
	f->c = c;
	if ((rc = tui_init_ask(io, f)) != OR_OK)
		goto out;
	tui_steps(io, tui_init_titles, 5, 3);
	if ((rc = tui_args(&cmd_init_entry, a, "dir", c->dir)) != OR_OK ||
	    (rc = tui_args(&cmd_init_entry, a, "subject", f->subject)) !=
	    OR_OK ||
	    (rc = tui_args(&cmd_init_entry, a, "key", tui_keys[f->key])) !=
	    OR_OK ||
	    (rc = tui_args(&cmd_init_entry, a, "kdf", tui_kdfs[f->kdf])) !=
	    OR_OK ||
	    (f->crl[0] != '\0' &&
	    (rc = tui_args(&cmd_init_entry, a, "crl-url", f->crl)) != OR_OK) ||
	    (f->aia[0] != '\0' && (rc = tui_args(&cmd_init_entry, a,
	    "ca-issuers-url", f->aia)) != OR_OK))
		goto out;
	if ((rc = cmd_init_entry.exec(a, io)) != OR_OK)
		goto out;
	tui_steps(io, tui_init_titles, 5, 5);
	tui_status(io, c, "sealed");
out:
	free(a);
	free(f);
	return rc;
}

static int
tui_sign_flow(struct interact *io, void *arg)
{
	static const char *const titles[] = { "Requests from the media",
	    "Where the bundle goes", "Review, unlock, sign, export" };
	struct tui_ctx *c = arg;
	struct cmd_args *a = NULL;
	char csrs[4096], out[PATH_MAX], *tok, *save = NULL;
	int rc;

	tui_status(io, c, "opened when the key is unlocked");
	tui_steps(io, titles, 3, 0);
	if ((rc = io->ask(io, "CSR file(s), separated by spaces", csrs,
	    sizeof csrs)) != OR_OK)
		return rc;
	tui_steps(io, titles, 3, 1);
	if ((rc = io->ask(io, "New folder for the signed bundle (on the "
	    "media)", out, sizeof out)) != OR_OK)
		return rc;
	tui_steps(io, titles, 3, 2);
	if ((a = calloc(1, sizeof *a)) == NULL)
		return err_set(OR_E_NOMEM, "out of memory");
	if ((rc = tui_args(&cmd_sign_entry, a, "dir", c->dir)) != OR_OK ||
	    (rc = tui_args(&cmd_sign_entry, a, "output", out)) != OR_OK)
		goto out;
	for (tok = strtok_r(csrs, " \t", &save); tok != NULL;
	    tok = strtok_r(NULL, " \t", &save))
		if ((rc = tui_args(&cmd_sign_entry, a, "csr", tok)) != OR_OK)
			goto out;
	if (!args_has(a, "csr")) {
		rc = err_set(OR_E_CANCEL, "no CSR given");
		goto out;
	}
	if ((rc = cmd_sign_entry.exec(a, io)) != OR_OK)
		goto out;
	tui_steps(io, titles, 3, 3);
	tui_status(io, c, "sealed");
out:
	free(a);
	return rc;
}

static int
tui_crl_flow(struct interact *io, void *arg)
{
	static const char *const titles[] = { "Where the CRL goes",
	    "Unlock, sign, record" };
	struct tui_ctx *c = arg;
	struct cmd_args *a = NULL;
	char out[PATH_MAX];
	int rc;

	tui_status(io, c, "opened when the key is unlocked");
	tui_steps(io, titles, 2, 0);
	if ((rc = io->ask(io, "File for the new CRL (on the media)", out,
	    sizeof out)) != OR_OK)
		return rc;
	if (out[0] == '\0')
		return err_set(OR_E_CANCEL, "no file given");
	tui_steps(io, titles, 2, 1);
	if ((a = calloc(1, sizeof *a)) == NULL)
		return err_set(OR_E_NOMEM, "out of memory");
	if ((rc = tui_args(&cmd_crl_entry, a, "dir", c->dir)) != OR_OK ||
	    (rc = tui_args(&cmd_crl_entry, a, "output", out)) != OR_OK)
		goto out;
	if ((rc = cmd_crl_entry.exec(a, io)) != OR_OK)
		goto out;
	tui_steps(io, titles, 2, 2);
	tui_status(io, c, "sealed");
out:
	free(a);
	return rc;
}

/* A shipped ceremony script, run by the ceremony engine (as offroot
 * ceremony SCRIPT -d DIR does on a terminal). */
static int
tui_ceremony_flow(struct interact *io, void *arg)
{
	struct tui_ctx *c = arg;
	struct ceremony_params p;

	memset(&p, 0, sizeof p);
	p.script = c->script;
	p.dir = c->dir;
	p.media = c->media;
	p.kdf = c->kdf;
	p.runner = "tui";
	p.again = "start it again";
	return ceremony_execute(&p, io);
}

static int
tui_exec(struct cmd_args *args, struct interact *cli)
{
	struct ui_options o;
	struct ui_home_result res;
	struct interact io;
	struct tui_ctx c;
	enum kdf_level level;
	int rc;

	memset(&o, 0, sizeof o);
	memset(&c, 0, sizeof c);
	o.ca_dir = args_get(args, "dir");
	o.media = args_get(args, "media");
	o.scripts = args_get(args, "scripts");
	c.media = o.media;
	c.kdf = args_get(args, "kdf");
	/* Refused here, as `offroot ceremony` does, not at a ceremony's
	 * generate-root step after its transcript is open. */
	if (c.kdf != NULL && kdf_level_parse(c.kdf, &level) != OR_OK)
		return err_set(OR_E_USAGE, "--kdf: expected sensitive, moderate "
		    "or interactive, got \"%s\"", c.kdf);
	if (!ui_available())
		return err_set(OR_E_ENV, "tui: stdin and stdout must be a "
		    "terminal");
	if ((rc = ui_open(&io, &o)) != OR_OK)
		return rc;
	if (args_has(args, "once")) {
		rc = ui_home_once(&io);
		goto out;
	}
	for (;;) {
		if ((rc = ui_home(&io, &res)) != OR_OK ||
		    res.action == UI_QUIT)
			break;
		snprintf(c.dir, sizeof c.dir, "%s", res.ca_dir);
		c.script = res.script;
		switch (res.action) {
		case UI_INIT:
			(void)ui_run(&io, "Create a root CA", tui_init_flow, &c);
			break;
		case UI_SIGN:
			(void)ui_run(&io, "Sign CSRs", tui_sign_flow, &c);
			break;
		case UI_CRL:
			(void)ui_run(&io, "Sign the next CRL", tui_crl_flow, &c);
			break;
		case UI_CEREMONY:
			(void)ui_run(&io, strrchr(res.script, '/') != NULL ?
			    strrchr(res.script, '/') + 1 : res.script,
			    tui_ceremony_flow, &c);
			break;
		default:
			break;
		}
	}
out:
	ui_close(&io);
	return rc;
}

const struct cmd_entry cmd_tui_entry = {
	"tui",
	"[-d DIR] [--media DIR] [--scripts DIR] [--kdf LEVEL] [--once]",
	"the terminal interface: the CA's calendar, ceremonies to start",
	tui_opts, 0, 0, tui_exec
};
