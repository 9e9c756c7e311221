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
#include "tui-wizard.h"
#include "ui.h"

static const struct cmd_opt tui_opts[] = {
	{ "dir", 'd', OPT_ARG },
	{ "media", 0, OPT_ARG },
	{ "scripts", 0, OPT_ARG },
	{ "kdf", 0, OPT_ARG },
	{ "once", 0, 0 },
	{ NULL, 0, 0 }
};

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
		c.scripts = res.scripts;
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
