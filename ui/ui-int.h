/*
 * ui-int.h — inside the TUI: the state the main thread draws from, the
 * screen vtable, and the helpers shared by the files in ui/.  Grouped by file.
 *
 * A screen is a small vtable, like tmux's window modes: init, draw, key,
 * free.  Screens stack: the base is the home or the ceremony screen,
 * prompts (questions, secrets, blocks, notes) go on top.  Keys go to the
 * top screen; every screen is drawn bottom to top on each redraw.  Only
 * the main thread touches any of this, except struct ui_req and the note
 * queue, which are guarded by ui->mu.
 */
#ifndef OFFROOT_UI_INT_H
#define OFFROOT_UI_INT_H

#include <curses.h>
#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "calendar.h"
#include "interact.h"
#include "ui.h"

struct ui;
struct ui_screen;
struct secret;

/* What a key handler did with the key. */
#define UI_KEY_USED	0
#define UI_KEY_PASS	1	/* not handled: global keys may use it */
/* Sent to the top screen on Ctrl-C when no operation runs. */
#define UI_KEY_INTERRUPT	(KEY_MAX + 1)

struct ui_screen_ops {
	const char *name;
	int (*init)(struct ui_screen *s, void *arg);
	void (*draw)(struct ui_screen *s);
	int (*key)(struct ui_screen *s, int key);
	void (*free)(struct ui_screen *s);
};

struct ui_screen {
	const struct ui_screen_ops *ops;
	struct ui *ui;
	void *data;
};

/* The conversation (right pane). */
struct ui_line {
	enum say_level level;
	bool note;		/* an exception note */
	char *text;
};

struct ui_step {
	char number[16];
	char title[160];
	char role[64];
	enum step_state state;
};

/* A call from the worker, waiting for the main thread. */
enum ui_req_kind {
	UI_REQ_SAY,
	UI_REQ_PROGRESS,
	UI_REQ_STEPS,
	UI_REQ_STATUS,
	UI_REQ_CONFIRM,
	UI_REQ_ASK,
	UI_REQ_SECRET,
	UI_REQ_CHOOSE,
	UI_REQ_BLOCK,
};

struct ui_req {
	enum ui_req_kind kind;
	enum say_level level;
	const char *text;		/* say, question, prompt, block body */
	const char *title;		/* block title, progress label */
	double fraction;
	bool twice;
	bool back;			/* interact.h: io->back, io->prefill */
	bool prefill;
	bool *yes;
	char *buf;
	size_t size;
	struct secret **secret;
	const char *const *options;
	size_t n;
	size_t *choice;
	const struct step_view *steps;
	size_t current;
	const struct status_view *status;
	int rc;
	char err[1024];			/* rc's text: err.c's is per thread */
	bool done;
};

#define UI_MAX_SCREENS	8
#define UI_MAX_NOTES	32
#define UI_MAX_ERRLINES	200

struct ui {
	bool active;			/* curses is up */
	bool color;
	int tty_in;
	/* status line */
	char ca_dir[PATH_MAX];
	char key_store[128];
	char media[PATH_MAX];
	char transcript[128];
	char title[160];
	char scripts[PATH_MAX];
	/* the conversation */
	struct ui_line *log;
	size_t nlog, caplog;
	size_t scroll;			/* lines back from the newest */
	/* the steps */
	struct ui_step *steps;
	size_t nsteps, current;
	bool has_current;
	/* progress */
	bool progress;
	char progress_label[160];
	double progress_fraction;
	struct timespec progress_start;
	/* the outcome of ui_run, shown at the end */
	char outcome[512];
	bool outcome_bad;
	/* screens */
	struct ui_screen *stack[UI_MAX_SCREENS];
	size_t depth;
	bool dirty;
	/* worker and marshalling */
	pthread_t worker;
	bool worker_running;
	bool worker_done;
	int worker_rc;
	char worker_err[1024];		/* worker_rc's text, for this thread */
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int wake[2];			/* worker -> main: a request waits */
	struct ui_req *req;		/* guarded by mu */
	bool req_taken;			/* main thread has shown it */
	bool abandoned;			/* guarded by mu */
	char abandon_why[160];		/* why, for the transcript; mu */
	char *notes[UI_MAX_NOTES];	/* guarded by mu */
	size_t nnotes;
	/* Lines written to stderr while curses is up (fd 2 is a pipe the
	 * main thread reads): shown in the conversation, handed to io->diag
	 * like notes (diags, guarded by mu), and written to the real stderr
	 * again when the TUI closes (errlines). */
	char *diags[UI_MAX_NOTES];
	size_t ndiags;
	char errpart[512];		/* a line not ended yet */
	size_t errpartlen;
	char *errlines[UI_MAX_ERRLINES];
	size_t nerrlines, errdropped;
	struct interact *io;
	/* signals */
	int terminating;		/* SIGTERM/SIGHUP received */
	struct timespec term_deadline;
	bool asking_abandon;
	/* drawing */
	bool cursor;			/* a prompt wants the cursor shown */
	int cursor_y, cursor_x;
	struct timespec last_draw;
	time_t last_second;
	pthread_t main;
	int (*worker_fn)(struct interact *, void *);
	void *worker_arg;
	bool worker_finished;		/* the main loop saw the worker end */
	bool outcome_seen;
	char flash[160];		/* a short notice on the status line,
					 * never over the title bar */
	bool repaint;			/* send the whole screen again */
	struct timespec flash_at;
};

/* ui.c */
extern struct ui *ui_global;
void ui_push(struct ui *u, const struct ui_screen_ops *ops, void *arg);
void ui_pop(struct ui *u, struct ui_screen *s);
struct ui_screen *ui_top(struct ui *u);
void ui_loop(struct ui *u, bool *until);
void ui_redraw(struct ui *u);
void ui_log(struct ui *u, enum say_level level, bool note, const char *text);
/* Finishes the worker's pending request with rc (the prompt's answer is
 * already stored through the request's pointers). */
void ui_req_finish(struct ui *u, int rc);
/* A secret buffer being typed, wiped by the crash path. */
void ui_secret_track(struct secret *s, int slot);
void ui_note_add(struct ui *u, const char *text);
void ui_abandon(struct ui *u, const char *why);
/* Restores the terminal, wipes, and dies of the signal received. */
void ui_terminate(struct ui *u) __attribute__((noreturn));
double ui_elapsed(const struct timespec *since);

/* ui-draw.c */
enum ui_color {
	UI_C_NORMAL,
	UI_C_LOUD,		/* red: expired, failed, warnings */
	UI_C_DONE,		/* green */
	UI_C_TITLE,		/* cyan */
	UI_C_CAUTION,		/* yellow */
};
void ui_draw_init_colors(struct ui *u);
int ui_attr(struct ui *u, enum ui_color c, int extra);
void ui_draw_titlebar(struct ui *u, const char *left, const char *right);
void ui_draw_statusline(struct ui *u);
void ui_draw_box(int y, int x, int h, int w, const char *title);
/* A box whose title wraps inside it when the border is too short;
 * returns the rows the title took inside (0: it is on the border).
 * ui_draw_title_rows says how many beforehand. */
int ui_draw_box_titled(int y, int x, int h, int w, const char *title);
int ui_draw_title_rows(const char *title, int w);
/* The width of the ceremony screen's step list, 0 without one (the home
 * screen): prompts and cards are drawn right of it. */
int ui_steps_width(struct ui *u);
void ui_draw_clear(int y, int x, int h, int w);
/* Puts at most w columns of text at (y, x). */
void ui_draw_text(int y, int x, int w, const char *text);
/* Splits text into lines of at most w columns (word wrap, hard breaks at
 * LF); calls fn for each; returns the number of lines. */
size_t ui_draw_wrap(const char *text, int w,
    void (*fn)(const char *line, size_t len, void *arg), void *arg);
void ui_draw_progress(struct ui *u, int y, int x, int w);
bool ui_draw_too_small(void);

/* ui-ceremony.c */
extern const struct ui_screen_ops ui_ceremony_ops;

/* ui-prompt.c */
enum ui_prompt_kind {
	UI_P_CONFIRM,
	UI_P_ASK,
	UI_P_SECRET,
	UI_P_CHOOSE,
	UI_P_BLOCK,
	UI_P_NOTE,
	UI_P_MESSAGE,
};

struct ui_prompt;
typedef void (*ui_prompt_done_fn)(struct ui *u, struct ui_prompt *p, int rc);

struct ui_prompt_args {
	enum ui_prompt_kind kind;
	const char *title;
	const char *text;
	bool twice;			/* secret: a new one, typed twice */
	const char *const *options;	/* choose */
	size_t n;
	size_t size;			/* ask: the answer's buffer size */
	bool request;			/* answers the worker: Esc does not
					 * cancel it, abandoning does */
	bool back;			/* a form's question: Esc goes back
					 * (OR_E_BACK) */
	const char *initial;		/* ask: the answer given before */
	size_t initial_choice;		/* choose: the option chosen before */
	ui_prompt_done_fn done;
	void *arg;
};

/* What a finished prompt holds; valid in its done callback. */
struct ui_prompt_answer {
	bool yes;
	char *text;			/* ask, note */
	struct secret *secret;		/* secret: the callee takes it */
	size_t choice;
};
extern const struct ui_screen_ops ui_prompt_ops;
struct ui_prompt_answer *ui_prompt_answer(struct ui_prompt *p);
void *ui_prompt_arg(struct ui_prompt *p);
bool ui_prompt_is_request(struct ui_screen *s);
enum ui_prompt_kind ui_prompt_kind(struct ui_screen *s);
/* The top row of a dialog s draws, or -1 (a block, not a prompt): the
 * conversation behind it ends above it. */
int ui_prompt_dialog_top(struct ui_screen *s);
/* Cancels a prompt (its done callback gets OR_E_CANCEL) and pops it. */
void ui_prompt_cancel(struct ui_screen *s);

/* ui-home.c */
extern const struct ui_screen_ops ui_home_ops;

/* The CA's calendar (src/calendar.h) is shared with offroot status. */

#endif
