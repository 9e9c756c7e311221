/*
 * tui-wizard.h — the TUI's plain operations that take a form before the
 * command runs (tui-wizard.c): creating a root with what `offroot init`
 * offers, and signing CSRs found on the medium.  Both end in the
 * command's own exec with the TUI's interact, so the TUI adds guidance,
 * never capability; cmd-tui.c starts them from the home screen.
 */
#ifndef OFFROOT_TUI_WIZARD_H
#define OFFROOT_TUI_WIZARD_H

#include <limits.h>

#include "cmd.h"
#include "interact.h"

struct tui_ctx {
	char dir[PATH_MAX];
	const char *media;
	const char *script;
	const char *kdf;	/* a rehearsal's Argon2id level for scripts */
	const char *scripts;	/* the home screen's scripts folder, or "" */
};

/* args for entry e as if typed: name/value pairs (value NULL: a flag). */
int tui_args(const struct cmd_entry *e, struct cmd_args *a, const char *name,
    const char *value);
/* The steps pane and the status line of a plain operation. */
void tui_steps(struct interact *io, const char *const *titles, size_t n,
    size_t current);
void tui_status(struct interact *io, const struct tui_ctx *c,
    const char *tr);

/* "Create a root CA": subject and publication points, the profile set
 * (each profiles.cnf in a scripts subfolder, by its description, or the
 * built-in CA/B Forum profiles, with a warning) and the profile, the key
 * type the profile allows, the key store (sealed, M-of-N quorum, or a
 * token offroot tokens finds), then a preview; no goes back to the form. */
int tui_init_flow(struct interact *io, void *arg);
/* "Sign CSRs": names, patterns or the list of the medium's CSRs
 * (csrpick.h), each checked to parse, then the bundle folder on the
 * medium, then offroot sign. */
int tui_sign_flow(struct interact *io, void *arg);

#endif
