/*
 * ui.h — the ncurses face of offroot (the TUI).
 *
 * Only ui/ calls curses; ui/ holds no PKI logic.  The TUI implements every
 * member of struct interact (interact.h), the optional steps and status
 * views included.  A command runs the engine inside it like this
 * (cmd-tui.c; cmd-ceremony.c does the same for a script):
 *
 *	struct ui_options o = { .ca_dir = dir, .media = media };
 *	struct interact io;
 *
 *	if (!ui_available())
 *		... use interact_cli_init() instead ...
 *	if ((rc = ui_open(&io, &o)) != OR_OK)
 *		return rc;
 *	io.note = my_note_hook;		(optional, see below)
 *	io.note_ctx = my_ctx;
 *	rc = ui_run(&io, "Root key generation", my_engine_fn, my_arg);
 *	ui_close(&io);
 *
 * Threads.  ui_run starts fn(io, arg) on a worker thread and keeps curses
 * on the calling thread (curses is not thread-safe: no other thread ever
 * calls it).  Each interact call the worker makes is marshalled: the
 * worker fills a request under a mutex, writes one byte to a self-pipe and
 * waits on a condition variable; the main thread's poll(2) loop wakes on
 * that pipe, on the terminal and on a signal pipe, handles the request
 * (say, progress, steps and status at once; confirm, ask, ask_secret,
 * choose and show_block through a modal prompt) and signals the worker.
 * While the worker computes (Argon2id, RSA key generation) the main
 * thread keeps drawing: the clock ticks and the progress bar's elapsed
 * time moves every 200 ms, keys are read, the window may be resized.
 *
 * Signals.  SIGINT (Ctrl-C), SIGTERM and SIGHUP are caught on the main
 * thread (the worker blocks them) and written to the signal pipe.  Ctrl-C
 * asks before abandoning; abandoning cancels the question on screen and
 * every later one with OR_E_CANCEL, so the engine unwinds through its own
 * error path and records the abandonment.  SIGTERM and SIGHUP abandon at
 * once, give the worker up to UI_TERM_GRACE seconds to record it, then
 * restore the terminal (endwin), wipe the secrets the TUI holds and die
 * of the same signal.  SIGSEGV, SIGBUS, SIGFPE, SIGILL and SIGABRT restore
 * the terminal modes with async-signal-safe calls, wipe and re-raise;
 * ui_emergency() does the same for a fatal() path.  Resizes are
 * KEY_RESIZE from ncurses' own SIGWINCH handler: every screen is drawn
 * from the current LINES and COLS.
 *
 * Exception notes.  F2 (or Ctrl-N) opens a note prompt at any time.  A
 * note is queued and handed to io->note(io->note_ctx, text) on the
 * worker's thread, from inside the next interact call the engine makes
 * (at once when the engine is waiting for an answer), never concurrently
 * with the engine; when io->note is NULL the TUI says notes are not
 * recorded by this operation.
 *
 * Standard error.  While curses is up, fd 2 is a pipe the main loop
 * reads: what a library (OpenSSL, p11-kit, a PKCS#11 module) or offroot
 * itself writes to stderr cannot scribble over the screen.  Each line is
 * shown in the conversation ("stderr: ..."), handed to io->diag (the
 * ceremony records it in the transcript) like a note, and written to the
 * real stderr again when the TUI closes.  ui_close, SIGTERM and SIGHUP
 * give fd 2 back; so does the crash path, before the signal goes on to
 * the previous handler (a sanitizer's report is not lost).
 *
 * Secrets are typed into a struct secret (sodium_malloc) a character at a
 * time, shown as one '*' each, never drawn, copied or logged; a new
 * passphrase is asked twice and asked again when the entries differ.
 */
#ifndef OFFROOT_UI_H
#define OFFROOT_UI_H

#include <limits.h>
#include <stdbool.h>

#include "interact.h"

#define UI_TERM_GRACE	3	/* seconds the engine has to unwind */

struct ui_options {
	const char *ca_dir;	/* shown on the status line and home */
	const char *key_store;	/* NULL: read from the CA directory */
	const char *media;	/* NULL: "none" */
	const char *scripts;	/* folder of *.ceremony; NULL: look */
};

/* Whether stdin and stdout are a terminal the TUI can use. */
bool ui_available(void);
/* Starts curses on the terminal and fills io with the TUI's interact. */
int ui_open(struct interact *io, const struct ui_options *o);
/* Runs fn(io, arg) on a worker thread behind the ceremony screen (steps,
 * conversation, progress, status line); returns what fn returned.  When
 * it ends, the outcome stays on screen until a key is pressed. */
int ui_run(struct interact *io, const char *title,
    int (*fn)(struct interact *io, void *arg), void *arg);
/* Restores the terminal and wipes what the TUI held.  Safe to call twice. */
void ui_close(struct interact *io);
/* Restores the terminal after a crash (async-signal-safe). */
void ui_emergency(void);

/* The home screen: the CA's calendar and the ceremonies to start. */
enum ui_action {
	UI_QUIT,
	UI_CEREMONY,		/* run the script in res->script */
	UI_INIT,		/* create a root in res->ca_dir (offroot init) */
	UI_SIGN,		/* sign CSRs (offroot sign) */
	UI_CRL,			/* sign the next CRL (offroot crl) */
};

struct ui_home_result {
	enum ui_action action;
	char ca_dir[PATH_MAX];	/* the directory chosen on the home screen */
	char script[PATH_MAX];
	char scripts[PATH_MAX];	/* the scripts folder the home screen found
				 * (its subfolders' profiles.cnf are the
				 * root wizard's profile sets), or "" */
};

/* Shows the home screen until the officer picks something or quits. */
int ui_home(struct interact *io, struct ui_home_result *res);
/* Draws the home screen once and returns (offroot tui --once: startup
 * time to the first drawn screen). */
int ui_home_once(struct interact *io);

#endif
