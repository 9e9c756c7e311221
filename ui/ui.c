/*
 * ui.c — the TUI's life cycle, its event loop, signals, and struct
 * interact marshalled from the engine's worker thread to the main thread
 * (the design is described at the top of ui.h).
 *
 * The main thread is the only one that calls curses.  It sleeps in
 * poll(2) on three descriptors: the terminal, the wake pipe (a worker
 * request or the worker's end) and the signal pipe (SIGINT, SIGTERM,
 * SIGHUP, written by async-signal-safe handlers).  Its timeout is 200 ms
 * while a progress bar runs and the next whole second otherwise, so the
 * clock and the elapsed time move while the engine computes.
 */
#include <curses.h>
#include <term.h>
#include <errno.h>
#include <fcntl.h>
#include <langinfo.h>
#include <locale.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <sodium.h>

/* A sanitizer's reports must not vanish into the stderr pipe. */
#if defined(__SANITIZE_ADDRESS__)
#define UI_SANITIZED	1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UI_SANITIZED	1
#endif
#endif
#ifdef UI_SANITIZED
#include <stdint.h>
#include <sanitizer/common_interface_defs.h>
#endif

#include "err.h"
#include "names.h"
#include "secret.h"
#include "ui-int.h"

#define UI_LOG_MAX	5000
#define UI_DRAW_GAP	0.03	/* seconds between redraws under load */

struct ui *ui_global;
static struct ui ui_state;
static SCREEN *ui_screen;
static int ui_sigpipe[2] = { -1, -1 };

/* The crash path's copies: restored and wiped with async-signal-safe
 * calls only. */
static struct termios ui_saved_tio;
static volatile sig_atomic_t ui_have_tio;
static volatile sig_atomic_t ui_curses_up;
static int ui_tty_fd = -1;
static char ui_restore_seq[256];
static size_t ui_restore_len;
static struct secret *volatile ui_live[2];
static bool ui_atexit_set;
/* stderr while curses is up: fd 2 is the write end of a pipe whose read
 * end the main loop polls; ui_err_saved is the real stderr. */
static volatile int ui_err_saved = -1;
static int ui_err_pipe = -1;

static const int ui_async_signals[] = { SIGINT, SIGTERM, SIGHUP };
static const int ui_crash_signals[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL,
    SIGABRT };
static struct sigaction ui_old_async[3], ui_old_crash[5];

/* ---- signals and the crash path ------------------------------------ */

static void
ui_on_signal(int sig)
{
	int saved = errno;
	unsigned char c = (unsigned char)sig;

	if (ui_sigpipe[1] != -1)
		(void)!write(ui_sigpipe[1], &c, 1);
	errno = saved;
}

static void
ui_emergency_wipe(void)
{
	size_t i;

	for (i = 0; i < 2; i++)
		if (ui_live[i] != NULL)
			sodium_memzero(ui_live[i]->buf, sizeof ui_live[i]->buf);
}

void
ui_emergency(void)
{
	ui_emergency_wipe();
	if (ui_err_saved != -1)		/* a sanitizer's report must show */
		(void)dup2(ui_err_saved, STDERR_FILENO);
	if (!ui_curses_up)
		return;
	ui_curses_up = 0;
	if (ui_have_tio)
		(void)tcsetattr(ui_tty_fd, TCSANOW, &ui_saved_tio);
	if (ui_restore_len > 0)
		(void)!write(STDOUT_FILENO, ui_restore_seq, ui_restore_len);
	(void)!write(STDOUT_FILENO, "\r\n", 2);
}

/*
 * A crash: restore the terminal, wipe, then hand the signal to whoever
 * handled it before us (a sanitizer's handler, or the default action), so
 * that its report or core dump is what it would have been without the
 * TUI.  A fault the kernel raised (si_code > 0) comes back by itself when
 * we return: the faulting instruction runs again, now with the previous
 * handler in place and the true fault address.  A signal sent by kill(),
 * raise() or abort() is raised again; it stays blocked until we return.
 */
static void
ui_on_crash(int sig, siginfo_t *si, void *uctx)
{
	struct sigaction old;
	size_t i;

	(void)uctx;
	ui_emergency();
	memset(&old, 0, sizeof old);
	old.sa_handler = SIG_DFL;
	for (i = 0; i < 5; i++)
		if (ui_crash_signals[i] == sig)
			old = ui_old_crash[i];
	if (!(old.sa_flags & SA_SIGINFO) && old.sa_handler == SIG_IGN)
		old.sa_handler = SIG_DFL;	/* would fault for ever */
	sigaction(sig, &old, NULL);
	if (si == NULL || si->si_code <= 0)
		raise(sig);
}

static void
ui_atexit(void)
{
	ui_emergency();
}

void
ui_secret_track(struct secret *s, int slot)
{
	if (slot >= 0 && slot < 2)
		ui_live[slot] = s;
}

/* Appends a terminfo string to the crash path's restore sequence. */
static void
ui_restore_add(const char *cap)
{
	char *s = tigetstr((char *)cap);
	size_t n;

	if (s == NULL || s == (char *)-1)
		return;
	n = strlen(s);
	if (ui_restore_len + n < sizeof ui_restore_seq) {
		memcpy(ui_restore_seq + ui_restore_len, s, n);
		ui_restore_len += n;
	}
}

static void
ui_signals_install(void)
{
	struct sigaction sa;
	size_t i;

	memset(&sa, 0, sizeof sa);
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = ui_on_signal;
	for (i = 0; i < 3; i++)
		sigaction(ui_async_signals[i], &sa, &ui_old_async[i]);
	sa.sa_handler = NULL;
	sa.sa_sigaction = ui_on_crash;
	sa.sa_flags = SA_SIGINFO | SA_RESETHAND;
	for (i = 0; i < 5; i++)
		sigaction(ui_crash_signals[i], &sa, &ui_old_crash[i]);
}

static void
ui_signals_restore(void)
{
	size_t i;

	for (i = 0; i < 3; i++)
		sigaction(ui_async_signals[i], &ui_old_async[i], NULL);
	for (i = 0; i < 5; i++)
		sigaction(ui_crash_signals[i], &ui_old_crash[i], NULL);
}

/* ---- stderr ----------------------------------------------------------- */

/* In a sanitizer build, reports go to the real stderr even while fd 2 is
 * captured: the process may die right after writing one (halt_on_error),
 * before the pipe is read.  Unless the run chose a log_path itself. */
static void
ui_err_report_fd(int fd)
{
#ifdef UI_SANITIZED
	const char *a = getenv("ASAN_OPTIONS"), *b = getenv("UBSAN_OPTIONS");

	if ((a == NULL || strstr(a, "log_path") == NULL) &&
	    (b == NULL || strstr(b, "log_path") == NULL))
		__sanitizer_set_report_fd((void *)(intptr_t)fd);
#else
	(void)fd;
#endif
}

/* From here until ui_err_release, what anything writes to fd 2 goes to a
 * pipe: curses owns the screen, and a library's message written over it
 * would corrupt it.  The pipe does not block writers: when it is full
 * (the main loop drains it continuously), a message is lost rather than
 * the ceremony stalled. */
static void
ui_err_capture(void)
{
	int p[2];

	if (ui_err_saved != -1 || pipe2(p, O_CLOEXEC | O_NONBLOCK) == -1)
		return;
	fflush(stderr);
	if ((ui_err_saved = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3)) == -1 ||
	    dup2(p[1], STDERR_FILENO) == -1) {
		if (ui_err_saved != -1)
			close(ui_err_saved);
		ui_err_saved = -1;
		close(p[0]);
		close(p[1]);
		return;
	}
	close(p[1]);
	ui_err_pipe = p[0];
	ui_err_report_fd(ui_err_saved);
}

static void
ui_err_line(struct ui *u, const char *line)
{
	char shown[600], *t;

	if (*line == '\0')
		return;
	snprintf(shown, sizeof shown, "stderr: %s", line);
	ui_log(u, SAY_WARN, false, shown);
	if (u->nerrlines < UI_MAX_ERRLINES && (t = strdup(line)) != NULL)
		u->errlines[u->nerrlines++] = t;
	else
		u->errdropped++;
	if (!u->worker_running || u->io == NULL || u->io->diag == NULL)
		return;
	pthread_mutex_lock(&u->mu);
	if (u->ndiags < UI_MAX_NOTES && (t = strdup(line)) != NULL)
		u->diags[u->ndiags++] = t;
	pthread_mutex_unlock(&u->mu);
}

/* Reads what was written to stderr; whole lines go to ui_err_line, with
 * control characters replaced so that nothing reaches the terminal. */
static void
ui_err_read(struct ui *u)
{
	char buf[1024];
	ssize_t n, i;

	while ((n = read(ui_err_pipe, buf, sizeof buf)) > 0)
		for (i = 0; i < n; i++) {
			unsigned char c = (unsigned char)buf[i];

			if (c == '\n' || u->errpartlen + 1 >=
			    sizeof u->errpart) {
				u->errpart[u->errpartlen] = '\0';
				ui_err_line(u, u->errpart);
				u->errpartlen = 0;
				if (c == '\n')
					continue;
			}
			if (c == '\r')
				continue;
			u->errpart[u->errpartlen++] = c < 0x20 || c == 0x7f ?
			    '?' : (char)c;
		}
}

/* Gives fd 2 back, then writes what was captured to it, so that nothing
 * said while the TUI was up is lost when its screen goes. */
static void
ui_err_release(struct ui *u)
{
	size_t i;

	if (ui_err_saved == -1)
		return;
	fflush(stderr);
	ui_err_read(u);
	if (u->errpartlen > 0) {
		u->errpart[u->errpartlen] = '\0';
		ui_err_line(u, u->errpart);
		u->errpartlen = 0;
	}
	(void)dup2(ui_err_saved, STDERR_FILENO);
	ui_err_report_fd(STDERR_FILENO);
	close(ui_err_saved);
	ui_err_saved = -1;
	close(ui_err_pipe);
	ui_err_pipe = -1;
	if (u->nerrlines > 0)
		fprintf(stderr, "offroot: written to stderr while the terminal "
		    "interface was open:\n");
	for (i = 0; i < u->nerrlines; i++) {
		fprintf(stderr, "  %s\n", u->errlines[i]);
		free(u->errlines[i]);
	}
	if (u->errdropped > 0)
		fprintf(stderr, "  (%zu more lines)\n", u->errdropped);
	u->nerrlines = u->errdropped = 0;
}

/* ---- time ----------------------------------------------------------- */

double
ui_elapsed(const struct timespec *since)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - since->tv_sec) +
	    (double)(now.tv_nsec - since->tv_nsec) / 1e9;
}

/* ---- screens -------------------------------------------------------- */

struct ui_screen *
ui_top(struct ui *u)
{
	return u->depth > 0 ? u->stack[u->depth - 1] : NULL;
}

void
ui_push(struct ui *u, const struct ui_screen_ops *ops, void *arg)
{
	struct ui_screen *s;

	if (u->depth == UI_MAX_SCREENS || (s = calloc(1, sizeof *s)) == NULL)
		return;
	s->ops = ops;
	s->ui = u;
	u->stack[u->depth++] = s;
	if (ops->init != NULL && ops->init(s, arg) != OR_OK) {
		u->depth--;
		free(s);
	}
	u->dirty = true;
}

void
ui_pop(struct ui *u, struct ui_screen *s)
{
	size_t i;

	for (i = 0; i < u->depth; i++)
		if (u->stack[i] == s)
			break;
	if (i == u->depth)
		return;
	memmove(&u->stack[i], &u->stack[i + 1],
	    (u->depth - i - 1) * sizeof u->stack[0]);
	u->depth--;
	if (s->ops->free != NULL)
		s->ops->free(s);
	free(s);
	u->repaint = true;
	u->dirty = true;
}

/* ---- state the screens draw from ------------------------------------ */

void
ui_log(struct ui *u, enum say_level level, bool note, const char *text)
{
	struct ui_line *l;
	char *t;

	if ((t = strdup(text)) == NULL)
		return;
	if (u->nlog == UI_LOG_MAX) {
		free(u->log[0].text);
		memmove(&u->log[0], &u->log[1], (u->nlog - 1) * sizeof *l);
		u->nlog--;
	}
	if (u->nlog == u->caplog) {
		size_t ncap = u->caplog ? u->caplog * 2 : 64;
		if ((l = reallocarray(u->log, ncap, sizeof *l)) == NULL) {
			free(t);
			return;
		}
		u->log = l;
		u->caplog = ncap;
	}
	l = &u->log[u->nlog++];
	l->level = level;
	l->note = note;
	l->text = t;
	u->dirty = true;
}

static void
ui_log_clear(struct ui *u)
{
	size_t i;

	for (i = 0; i < u->nlog; i++)
		free(u->log[i].text);
	u->nlog = 0;
	u->scroll = 0;
}

static void
ui_set_steps(struct ui *u, const struct step_view *v, size_t n,
    size_t current)
{
	struct ui_step *s;
	size_t i;

	if (n > 0 && (s = reallocarray(u->steps, n, sizeof *s)) != NULL) {
		u->steps = s;
		for (i = 0; i < n; i++) {
			snprintf(s[i].number, sizeof s[i].number, "%s",
			    v[i].number != NULL ? v[i].number : "");
			snprintf(s[i].title, sizeof s[i].title, "%s",
			    v[i].title != NULL ? v[i].title : "");
			snprintf(s[i].role, sizeof s[i].role, "%s",
			    v[i].role != NULL ? v[i].role : "");
			s[i].state = v[i].state;
		}
		u->nsteps = n;
	} else if (n == 0) {
		u->nsteps = 0;
	}
	u->current = current;
	u->has_current = current < u->nsteps;
	u->dirty = true;
}

static void
ui_set_status(struct ui *u, const struct status_view *st)
{
	if (st->ca_dir != NULL)
		snprintf(u->ca_dir, sizeof u->ca_dir, "%s", st->ca_dir);
	if (st->key_store != NULL)
		snprintf(u->key_store, sizeof u->key_store, "%s",
		    st->key_store);
	if (st->media != NULL)
		snprintf(u->media, sizeof u->media, "%s", st->media);
	if (st->transcript != NULL)
		snprintf(u->transcript, sizeof u->transcript, "%s",
		    st->transcript);
	u->dirty = true;
}

static void
ui_set_progress(struct ui *u, const char *label, double fraction)
{
	if (label == NULL) {
		u->progress = false;
	} else {
		if (!u->progress || strcmp(label, u->progress_label) != 0) {
			clock_gettime(CLOCK_MONOTONIC, &u->progress_start);
			snprintf(u->progress_label, sizeof u->progress_label,
			    "%s", label);
		}
		u->progress = true;
		u->progress_fraction = fraction > 1 ? 1 : fraction;
	}
	u->dirty = true;
}

/* ---- requests: main-thread side -------------------------------------- */

void
ui_req_finish(struct ui *u, int rc)
{
	pthread_mutex_lock(&u->mu);
	if (u->req != NULL) {
		u->req->rc = rc;
		/* The worker reads the text on its own thread. */
		snprintf(u->req->err, sizeof u->req->err, "%s",
		    rc != OR_OK ? err_msg(rc) : "");
		u->req->done = true;
		u->req = NULL;
		u->req_taken = false;
		pthread_cond_broadcast(&u->cv);
	}
	pthread_mutex_unlock(&u->mu);
	u->dirty = true;
}

/* A prompt answering the worker's request is done: store the answer
 * through the request's pointers (the worker is blocked until then). */
static void
ui_req_prompt_done(struct ui *u, struct ui_prompt *p, int rc)
{
	struct ui_prompt_answer *a = ui_prompt_answer(p);
	struct ui_req *r = u->req;

	if (r != NULL && rc == OR_OK) {
		switch (r->kind) {
		case UI_REQ_CONFIRM:
			*r->yes = a->yes;
			break;
		case UI_REQ_ASK:
			snprintf(r->buf, r->size, "%s",
			    a->text != NULL ? a->text : "");
			break;
		case UI_REQ_SECRET:
			*r->secret = a->secret;
			a->secret = NULL;
			break;
		case UI_REQ_CHOOSE:
			*r->choice = a->choice;
			break;
		default:
			break;
		}
	}
	ui_req_finish(u, rc);
}

static void
ui_take_request(struct ui *u)
{
	struct ui_prompt_args pa;
	struct ui_req *r;
	bool abandoned;

	pthread_mutex_lock(&u->mu);
	r = u->req;
	if (r == NULL || u->req_taken) {
		pthread_mutex_unlock(&u->mu);
		return;
	}
	u->req_taken = true;
	abandoned = u->abandoned;
	pthread_mutex_unlock(&u->mu);

	memset(&pa, 0, sizeof pa);
	pa.done = ui_req_prompt_done;
	pa.request = true;
	pa.back = r->back;
	switch (r->kind) {
	case UI_REQ_SAY:
		ui_log(u, r->level, false, r->text);
		ui_req_finish(u, OR_OK);
		return;
	case UI_REQ_PROGRESS:
		ui_set_progress(u, r->title, r->fraction);
		ui_req_finish(u, OR_OK);
		return;
	case UI_REQ_STEPS:
		ui_set_steps(u, r->steps, r->n, r->current);
		ui_req_finish(u, OR_OK);
		return;
	case UI_REQ_STATUS:
		ui_set_status(u, r->status);
		ui_req_finish(u, OR_OK);
		return;
	case UI_REQ_CONFIRM:
		pa.kind = UI_P_CONFIRM;
		break;
	case UI_REQ_ASK:
		pa.kind = UI_P_ASK;
		pa.size = r->size;
		if (r->prefill)
			pa.initial = r->buf;
		break;
	case UI_REQ_SECRET:
		pa.kind = UI_P_SECRET;
		pa.twice = r->twice;
		break;
	case UI_REQ_CHOOSE:
		pa.kind = UI_P_CHOOSE;
		pa.options = r->options;
		pa.n = r->n;
		if (r->prefill)
			pa.initial_choice = *r->choice;
		break;
	case UI_REQ_BLOCK:
		pa.kind = UI_P_BLOCK;
		pa.title = r->title;
		ui_log(u, SAY_INFO, false, r->title);
		ui_log(u, SAY_INFO, false, r->text);
		break;
	}
	if (abandoned) {
		ui_req_finish(u, OR_E_CANCEL);
		return;
	}
	pa.text = r->text;
	ui_push(u, &ui_prompt_ops, &pa);
}

/* ---- requests: the engine's side (any thread) ------------------------ */

/* The error a question gets once the ceremony is abandoned: it says why
 * (Ctrl-C, SIGTERM, SIGHUP), since the engine records this text in the
 * transcript. */
static int
ui_cancelled(struct ui *u)
{
	char why[sizeof u->abandon_why];

	pthread_mutex_lock(&u->mu);
	snprintf(why, sizeof why, "%s", u->abandon_why[0] != '\0' ?
	    u->abandon_why : "abandoned by the officer");
	pthread_mutex_unlock(&u->mu);
	return err_set(OR_E_CANCEL, "the ceremony was %s", why);
}

static int ui_call_shown(struct ui *u, struct ui_req *r);

/*
 * What a request shows goes to the screen escaped (names.h): a file name
 * or a message that quotes one never sends a control, bidi or invisible
 * character to the terminal.
 */
static int
ui_call(struct ui *u, struct ui_req *r)
{
	char *text = NULL, *title = NULL;
	int rc;

	if (r->text != NULL && (text = names_escape_dup(r->text, true)) !=
	    NULL)
		r->text = text;
	if (r->title != NULL && (title = names_escape_dup(r->title, false)) !=
	    NULL)
		r->title = title;
	rc = ui_call_shown(u, r);
	free(text);
	free(title);
	return rc;
}

static int
ui_call_shown(struct ui *u, struct ui_req *r)
{
	bool question = r->kind >= UI_REQ_CONFIRM;
	bool main_thread;
	size_t k;
	char *text;

	if (!u->active)
		return question ? err_set(OR_E_ENV, "the terminal interface "
		    "is closed") : OR_OK;
	main_thread = pthread_equal(pthread_self(), u->main);
	pthread_mutex_lock(&u->mu);
	if (question && u->abandoned) {
		pthread_mutex_unlock(&u->mu);
		return ui_cancelled(u);
	}
	r->done = false;
	u->req = r;
	u->req_taken = false;
	if (main_thread) {
		pthread_mutex_unlock(&u->mu);
		ui_take_request(u);
		ui_loop(u, &r->done);
		if (!r->done)		/* the loop ended: terminating */
			ui_req_finish(u, OR_E_CANCEL);
	} else {
		(void)!write(u->wake[1], "r", 1);
		while (!r->done)
			pthread_cond_wait(&u->cv, &u->mu);
		pthread_mutex_unlock(&u->mu);
	}
	/* Exception notes typed meanwhile go to the engine now, on its own
	 * thread. */
	for (;;) {
		pthread_mutex_lock(&u->mu);
		if (u->nnotes == 0) {
			pthread_mutex_unlock(&u->mu);
			break;
		}
		text = u->notes[0];
		for (k = 1; k < u->nnotes; k++)
			u->notes[k - 1] = u->notes[k];
		u->nnotes--;
		pthread_mutex_unlock(&u->mu);
		if (u->io->note != NULL)
			u->io->note(u->io->note_ctx, text);
		free(text);
	}
	/* And so do lines captured from stderr. */
	for (;;) {
		pthread_mutex_lock(&u->mu);
		if (u->ndiags == 0) {
			pthread_mutex_unlock(&u->mu);
			break;
		}
		text = u->diags[0];
		for (k = 1; k < u->ndiags; k++)
			u->diags[k - 1] = u->diags[k];
		u->ndiags--;
		pthread_mutex_unlock(&u->mu);
		if (u->io->diag != NULL)
			u->io->diag(u->io->note_ctx, text);
		free(text);
	}
	if (r->rc == OR_E_CANCEL)
		return ui_cancelled(u);
	if (r->rc != OR_OK)
		return err_set(r->rc, "%s", r->err);
	return OR_OK;
}

void
ui_note_add(struct ui *u, const char *text)
{
	char *t, line[1200];

	if (*text == '\0')
		return;
	snprintf(line, sizeof line, "NOTE: %s", text);
	ui_log(u, SAY_WARN, true, line);
	/* Seen even when a block covers the conversation. */
	snprintf(u->flash, sizeof u->flash, " Note taken (%zu characters) ",
	    strlen(text));
	clock_gettime(CLOCK_MONOTONIC, &u->flash_at);
	if (u->io->note == NULL) {
		ui_log(u, SAY_WARN, false, "(this operation does not record "
		    "notes: write it in the paper log)");
		return;
	}
	if (!u->worker_running) {
		ui_log(u, SAY_WARN, false, "(no operation is running: write "
		    "the note in the paper log)");
		return;
	}
	pthread_mutex_lock(&u->mu);
	if (u->nnotes < UI_MAX_NOTES && (t = strdup(text)) != NULL)
		u->notes[u->nnotes++] = t;
	pthread_mutex_unlock(&u->mu);
}

static struct ui *
ui_of(struct interact *io)
{
	return io->ctx;
}

static void
ui_i_say(struct interact *io, enum say_level level, const char *text)
{
	struct ui_req r = { .kind = UI_REQ_SAY, .level = level,
	    .text = text };

	(void)ui_call(ui_of(io), &r);
}

static int
ui_i_confirm(struct interact *io, const char *question, bool *yes)
{
	struct ui_req r = { .kind = UI_REQ_CONFIRM, .text = question,
	    .yes = yes, .back = io->back };

	*yes = false;
	return ui_call(ui_of(io), &r);
}

static int
ui_i_ask(struct interact *io, const char *prompt, char *buf, size_t size)
{
	struct ui_req r = { .kind = UI_REQ_ASK, .text = prompt, .buf = buf,
	    .size = size, .back = io->back, .prefill = io->prefill };

	if (size > 0 && !io->prefill)
		buf[0] = '\0';
	return ui_call(ui_of(io), &r);
}

static int
ui_i_ask_secret(struct interact *io, const char *prompt, bool twice,
    struct secret **out)
{
	struct ui_req r = { .kind = UI_REQ_SECRET, .text = prompt,
	    .twice = twice, .secret = out };
	int rc;

	*out = NULL;
	if ((rc = ui_call(ui_of(io), &r)) != OR_OK) {
		secret_free(*out);
		*out = NULL;
	}
	return rc;
}

static int
ui_i_choose(struct interact *io, const char *prompt,
    const char *const *options, size_t n, size_t *choice)
{
	struct ui_req r = { .kind = UI_REQ_CHOOSE, .text = prompt,
	    .options = options, .n = n, .choice = choice, .back = io->back,
	    .prefill = io->prefill };

	if (n == 0)
		return err_set(OR_E_INPUT, "nothing to choose from");
	if (!io->prefill || *choice >= n)
		*choice = 0;
	return ui_call(ui_of(io), &r);
}

/* A finding no plain yes answers: the officer types the check's name
 * ("mixed-scripts"); anything else is no. */
static int
ui_i_confirm_override(struct interact *io, const char *check,
    const char *question, bool *yes)
{
	char prompt[1200], typed[64] = "";
	int rc;

	*yes = false;
	snprintf(prompt, sizeof prompt, "%s To go on, type %s (it goes "
	    "into the transcript); anything else stops.", question, check);
	if ((rc = ui_i_ask(io, prompt, typed, sizeof typed)) != OR_OK)
		return rc;
	*yes = strcmp(typed, check) == 0;
	return OR_OK;
}

static void
ui_i_progress(struct interact *io, const char *label, double fraction)
{
	struct ui_req r = { .kind = UI_REQ_PROGRESS, .title = label,
	    .fraction = fraction };

	(void)ui_call(ui_of(io), &r);
}

static void
ui_i_show_block(struct interact *io, const char *title, const char *body)
{
	struct ui_req r = { .kind = UI_REQ_BLOCK, .title = title,
	    .text = body };

	(void)ui_call(ui_of(io), &r);
}

static void
ui_i_steps(struct interact *io, const struct step_view *steps, size_t n,
    size_t current)
{
	struct ui_req r = { .kind = UI_REQ_STEPS, .steps = steps, .n = n,
	    .current = current };

	(void)ui_call(ui_of(io), &r);
}

static void
ui_i_status(struct interact *io, const struct status_view *st)
{
	struct ui_req r = { .kind = UI_REQ_STATUS, .status = st };

	(void)ui_call(ui_of(io), &r);
}

/* ---- the event loop ------------------------------------------------- */

void
ui_redraw(struct ui *u)
{
	size_t i;

	u->cursor = false;
	if (!ui_draw_too_small()) {
		erase();
		for (i = 0; i < u->depth; i++)
			if (u->stack[i]->ops->draw != NULL)
				u->stack[i]->ops->draw(u->stack[i]);
		if (u->flash[0] != '\0' && ui_elapsed(&u->flash_at) >= 5)
			u->flash[0] = '\0';
		ui_draw_statusline(u);
	}
	/* After a dialog closed or the terminal was resized, the whole screen
	 * is sent again: nothing the terminal kept of the old one (a cut
	 * wide character, a line the resize moved) stays beside the new. */
	if (u->repaint) {
		clearok(curscr, TRUE);
		u->repaint = false;
	}
	if (u->cursor) {
		curs_set(1);
		move(u->cursor_y, u->cursor_x);
	} else {
		curs_set(0);
	}
	refresh();
	u->dirty = false;
	clock_gettime(CLOCK_MONOTONIC, &u->last_draw);
	u->last_second = time(NULL);
}

static void
ui_abandon_done(struct ui *u, struct ui_prompt *p, int rc)
{
	u->asking_abandon = false;
	if (rc == OR_OK && ui_prompt_answer(p)->yes)
		ui_abandon(u, "abandoned by the officer (Ctrl-C)");
}

void
ui_abandon(struct ui *u, const char *why)
{
	size_t i;

	pthread_mutex_lock(&u->mu);
	if (u->abandoned) {
		pthread_mutex_unlock(&u->mu);
		return;
	}
	u->abandoned = true;
	snprintf(u->abandon_why, sizeof u->abandon_why, "%s", why);
	pthread_mutex_unlock(&u->mu);
	ui_log(u, SAY_WARN, false, why);
	if (u->worker_running)
		ui_log(u, SAY_WARN, false, "The operation stops at its next "
		    "question and records the abandonment.");
	for (i = u->depth; i > 0; i--)
		if (ui_prompt_is_request(u->stack[i - 1]))
			ui_prompt_cancel(u->stack[i - 1]);
}

static void
ui_interrupt(struct ui *u)
{
	struct ui_prompt_args pa;
	struct ui_screen *top;

	if (u->worker_running) {
		if (u->asking_abandon || u->abandoned)
			return;
		memset(&pa, 0, sizeof pa);
		pa.kind = UI_P_CONFIRM;
		pa.title = "Abandon?";
		pa.text = "Abandon this ceremony?  What was done so far stays "
		    "recorded; the abandonment is recorded too.";
		pa.done = ui_abandon_done;
		u->asking_abandon = true;
		ui_push(u, &ui_prompt_ops, &pa);
		return;
	}
	if ((top = ui_top(u)) != NULL && top->ops->key != NULL)
		top->ops->key(top, UI_KEY_INTERRUPT);
}

static void
ui_signal(struct ui *u, int sig)
{
	struct timespec now;

	if (sig == SIGINT) {
		ui_interrupt(u);
		return;
	}
	if (u->terminating)
		return;
	u->terminating = sig;
	clock_gettime(CLOCK_MONOTONIC, &now);
	u->term_deadline = now;
	u->term_deadline.tv_sec += UI_TERM_GRACE;
	ui_abandon(u, sig == SIGTERM ? "abandoned: offroot was asked to "
	    "stop (SIGTERM)" : "abandoned: the terminal went away (SIGHUP)");
}

static void
ui_note_done(struct ui *u, struct ui_prompt *p, int rc)
{
	struct ui_prompt_answer *a = ui_prompt_answer(p);

	if (rc == OR_OK && a->text != NULL)
		ui_note_add(u, a->text);
}

static void
ui_key(struct ui *u, int ch)
{
	struct ui_prompt_args pa;
	struct ui_screen *top = ui_top(u);
	size_t i;

	switch (ch) {
	case KEY_RESIZE:
		u->repaint = true;
		u->dirty = true;
		return;
	case 12:	/* Ctrl-L */
		clearok(curscr, TRUE);
		u->dirty = true;
		return;
	case 3:		/* Ctrl-C in raw mode */
		ui_interrupt(u);
		return;
	case KEY_F(2):
	case 14:	/* Ctrl-N */
		if (top != NULL && top->ops == &ui_prompt_ops &&
		    ui_prompt_kind(top) == UI_P_NOTE)
			return;
		memset(&pa, 0, sizeof pa);
		pa.kind = UI_P_NOTE;
		pa.title = "Exception note";
		pa.text = "Who notes what (it goes into the transcript):";
		pa.size = 1000;
		pa.done = ui_note_done;
		ui_push(u, &ui_prompt_ops, &pa);
		return;
	}
	/* The top screen first; a key it passes goes down the stack. */
	for (i = u->depth; i > 0; i--) {
		top = u->stack[i - 1];
		if (top->ops->key != NULL &&
		    top->ops->key(top, ch) == UI_KEY_USED)
			break;
	}
	u->dirty = true;
}

static void
ui_read_keys(struct ui *u)
{
	int ch;

	while ((ch = getch()) != ERR)
		ui_key(u, ch);
}

static bool
ui_past(const struct timespec *deadline)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return now.tv_sec > deadline->tv_sec ||
	    (now.tv_sec == deadline->tv_sec &&
	    now.tv_nsec >= deadline->tv_nsec);
}

static void
ui_drain(int fd, struct ui *u, bool signals)
{
	unsigned char buf[64];
	ssize_t n, i;

	while ((n = read(fd, buf, sizeof buf)) > 0)
		if (signals)
			for (i = 0; i < n; i++)
				ui_signal(u, buf[i]);
}

void
ui_loop(struct ui *u, bool *until)
{
	struct pollfd pf[4];
	struct timespec now;
	int timeout, n;
	bool done;

	while (!*until) {
		if (u->terminating && (!u->worker_running ||
		    ui_past(&u->term_deadline)))
			break;
		if (u->dirty || time(NULL) != u->last_second || u->progress) {
			if (ui_elapsed(&u->last_draw) >= UI_DRAW_GAP ||
			    !u->worker_running)
				ui_redraw(u);
		}
		clock_gettime(CLOCK_REALTIME, &now);
		timeout = 1000 - (int)(now.tv_nsec / 1000000) + 5;
		if (u->progress && timeout > 200)
			timeout = 200;
		if (u->dirty && timeout > 30)
			timeout = 30;
		if (u->terminating)
			timeout = 100;
		pf[0].fd = u->tty_in;
		pf[0].events = POLLIN;
		pf[1].fd = u->wake[0];
		pf[1].events = POLLIN;
		pf[2].fd = ui_sigpipe[0];
		pf[2].events = POLLIN;
		pf[3].fd = ui_err_pipe;		/* -1 (ignored) when not captured */
		pf[3].events = POLLIN;
		pf[3].revents = 0;
		n = poll(pf, 4, timeout);
		if (n < 0) {
			if (errno == EINTR)	/* SIGWINCH: KEY_RESIZE */
				ui_read_keys(u);
			continue;
		}
		if (pf[2].revents & POLLIN)
			ui_drain(ui_sigpipe[0], u, true);
		if (pf[3].revents & POLLIN)
			ui_err_read(u);
		if (pf[1].revents & POLLIN) {
			ui_drain(u->wake[0], u, false);
			pthread_mutex_lock(&u->mu);
			done = u->worker_done;
			pthread_mutex_unlock(&u->mu);
			if (done && u->worker_running) {
				u->worker_running = false;
				u->worker_finished = true;
			}
			ui_take_request(u);
		}
		/* On a timeout too: a SIGWINCH that came while the loop was
		 * not in poll(2) (drawing) interrupted nothing, and only
		 * getch() turns it into KEY_RESIZE: the screen would stay at
		 * the old size until a key was pressed. */
		if (n == 0 || (pf[0].revents & POLLIN))
			ui_read_keys(u);
		else if (pf[0].revents & (POLLHUP | POLLERR | POLLNVAL))
			ui_signal(u, SIGHUP);
	}
}

/* Dies of the signal that asked us to stop, after restoring the
 * terminal and wiping. */
void
ui_terminate(struct ui *u)
{
	int sig = u->terminating;

	ui_close(u->io);
	signal(sig, SIG_DFL);
	raise(sig);
	_exit(128 + sig);
}

/* ---- life cycle ------------------------------------------------------ */

bool
ui_available(void)
{
	const char *term = getenv("TERM");

	return isatty(STDIN_FILENO) && isatty(STDOUT_FILENO) &&
	    term != NULL && *term != '\0' && strcmp(term, "dumb") != 0;
}

int
ui_open(struct interact *io, const struct ui_options *o)
{
	struct ui *u = &ui_state;
	int rc = OR_OK;

	if (u->active)
		return err_set(OR_E_ENV, "the terminal interface is already "
		    "open");
	if (!ui_available())
		return err_set(OR_E_ENV, "the terminal interface needs a "
		    "terminal on stdin and stdout");
	memset(u, 0, sizeof *u);
	u->wake[0] = u->wake[1] = -1;
	if (o->ca_dir != NULL)
		snprintf(u->ca_dir, sizeof u->ca_dir, "%s", o->ca_dir);
	if (o->key_store != NULL)
		snprintf(u->key_store, sizeof u->key_store, "%s", o->key_store);
	if (o->media != NULL)
		snprintf(u->media, sizeof u->media, "%s", o->media);
	if (o->scripts != NULL)
		snprintf(u->scripts, sizeof u->scripts, "%s", o->scripts);
	if (pipe2(u->wake, O_CLOEXEC | O_NONBLOCK) == -1 ||
	    (ui_sigpipe[0] == -1 &&
	    pipe2(ui_sigpipe, O_CLOEXEC | O_NONBLOCK) == -1)) {
		rc = err_errno(OR_E_ENV, "pipe");
		goto out;
	}
	pthread_mutex_init(&u->mu, NULL);
	pthread_cond_init(&u->cv, NULL);
	u->main = pthread_self();
	u->tty_in = STDIN_FILENO;
	ui_tty_fd = STDIN_FILENO;
	if (tcgetattr(ui_tty_fd, &ui_saved_tio) == 0)
		ui_have_tio = 1;
	setlocale(LC_CTYPE, "");
	/* In a UTF-8 locale draw boxes with Unicode characters rather than
	 * the terminal's alternate character set, which terminals in UTF-8
	 * mode (and tmux) often ignore; elsewhere ACS, with ncurses' ASCII
	 * fallback. */
	if (strcmp(nl_langinfo(CODESET), "UTF-8") == 0)
		setenv("NCURSES_NO_UTF8_ACS", "1", 0);
	set_escdelay(50);
	if ((ui_screen = newterm(NULL, stdout, stdin)) == NULL) {
		rc = err_set(OR_E_ENV, "cannot start curses on terminal type "
		    "\"%s\"", getenv("TERM"));
		goto out;
	}
	set_term(ui_screen);
	ui_restore_len = 0;
	ui_restore_add("sgr0");
	ui_restore_add("cnorm");
	ui_restore_add("rmcup");
	ui_curses_up = 1;
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	curs_set(0);
	ui_draw_init_colors(u);
	ui_signals_install();
	ui_err_capture();
	if (!ui_atexit_set) {
		atexit(ui_atexit);
		ui_atexit_set = true;
	}

	memset(io, 0, sizeof *io);
	io->say = ui_i_say;
	io->confirm = ui_i_confirm;
	io->confirm_override = ui_i_confirm_override;
	io->ask = ui_i_ask;
	io->ask_secret = ui_i_ask_secret;
	io->choose = ui_i_choose;
	io->progress = ui_i_progress;
	io->show_block = ui_i_show_block;
	io->steps = ui_i_steps;
	io->status = ui_i_status;
	io->ctx = u;
	io->can_back = true;
	u->io = io;
	u->active = true;
	u->dirty = true;
	ui_global = u;
out:
	if (rc != OR_OK) {
		if (u->wake[0] != -1) {
			close(u->wake[0]);
			close(u->wake[1]);
		}
		u->wake[0] = u->wake[1] = -1;
	}
	return rc;
}

static void *
ui_worker(void *arg)
{
	struct ui *u = arg;
	int rc;

	rc = u->worker_fn(u->io, u->worker_arg);
	pthread_mutex_lock(&u->mu);
	u->worker_rc = rc;
	/* err.c's text is per thread: hand it to the main thread. */
	snprintf(u->worker_err, sizeof u->worker_err, "%s",
	    rc != OR_OK ? err_msg(rc) : "");
	u->worker_done = true;
	pthread_mutex_unlock(&u->mu);
	(void)!write(u->wake[1], "d", 1);
	return NULL;
}

static void
ui_outcome_done(struct ui *u, struct ui_prompt *p, int rc)
{
	u->outcome_seen = true;
}

int
ui_run(struct interact *io, const char *title,
    int (*fn)(struct interact *io, void *arg), void *arg)
{
	struct ui *u = ui_of(io);
	struct ui_prompt_args pa;
	struct ui_screen *base;
	sigset_t block, old;
	size_t i;
	int rc;

	if (!u->active)
		return err_set(OR_E_ENV, "the terminal interface is closed");
	snprintf(u->title, sizeof u->title, "%s", title);
	ui_log_clear(u);
	u->nsteps = 0;
	u->has_current = false;
	u->progress = false;
	u->outcome[0] = '\0';
	u->worker_done = u->worker_finished = u->outcome_seen = false;
	u->abandoned = false;
	u->abandon_why[0] = '\0';
	u->asking_abandon = false;
	ui_push(u, &ui_ceremony_ops, NULL);
	base = ui_top(u);
	u->worker_fn = fn;
	u->worker_arg = arg;

	/* Signals are the main thread's: the worker blocks them. */
	sigemptyset(&block);
	for (i = 0; i < 3; i++)
		sigaddset(&block, ui_async_signals[i]);
	sigaddset(&block, SIGWINCH);
	pthread_sigmask(SIG_BLOCK, &block, &old);
	rc = pthread_create(&u->worker, NULL, ui_worker, u);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		ui_pop(u, base);
		return err_set(OR_E_ENV, "cannot start a thread: %s",
		    strerror(rc));
	}
	u->worker_running = true;
	ui_loop(u, &u->worker_finished);
	if (u->terminating)
		ui_terminate(u);
	pthread_join(u->worker, NULL);
	u->worker_running = false;
	u->progress = false;
	rc = u->worker_rc;
	if (rc != OR_OK)
		err_set(rc, "%s", u->worker_err);

	pthread_mutex_lock(&u->mu);
	for (i = 0; i < u->nnotes; i++)
		free(u->notes[i]);
	if (u->nnotes > 0)
		ui_log(u, SAY_WARN, false, "Notes typed after the operation's "
		    "last question were not recorded: write them in the paper "
		    "log.");
	u->nnotes = 0;
	for (i = 0; i < u->ndiags; i++)
		free(u->diags[i]);
	u->ndiags = 0;
	pthread_mutex_unlock(&u->mu);

	if (rc == OR_OK)
		snprintf(u->outcome, sizeof u->outcome, "Done.");
	else
		snprintf(u->outcome, sizeof u->outcome, "%s: %s",
		    rc == OR_E_CANCEL ? "Stopped" : "Failed", err_msg(rc));
	{
		char shown[sizeof u->outcome];

		names_escape_text(u->outcome, false, shown, sizeof shown);
		memcpy(u->outcome, shown, sizeof shown);
	}
	u->outcome_bad = rc != OR_OK;
	ui_log(u, rc == OR_OK ? SAY_RESULT : SAY_WARN, false, u->outcome);
	memset(&pa, 0, sizeof pa);
	pa.kind = UI_P_MESSAGE;
	pa.title = rc == OR_OK ? "Finished" : "Not finished";
	pa.text = u->outcome;
	pa.done = ui_outcome_done;
	ui_push(u, &ui_prompt_ops, &pa);
	ui_loop(u, &u->outcome_seen);
	if (u->terminating)
		ui_terminate(u);
	while (u->depth > 0 && ui_top(u) != base)
		ui_pop(u, ui_top(u));
	ui_pop(u, base);
	return rc;
}

void
ui_close(struct interact *io)
{
	struct ui *u = &ui_state;
	size_t i;

	ui_emergency_wipe();
	if (!u->active)
		return;
	u->active = false;
	while (u->depth > 0)
		ui_pop(u, ui_top(u));
	ui_curses_up = 0;
	endwin();
	delscreen(ui_screen);
	ui_screen = NULL;
	ui_err_release(u);
	ui_signals_restore();
	ui_log_clear(u);
	free(u->log);
	u->log = NULL;
	u->caplog = 0;
	free(u->steps);
	u->steps = NULL;
	for (i = 0; i < u->nnotes; i++)
		free(u->notes[i]);
	u->nnotes = 0;
	for (i = 0; i < u->ndiags; i++)
		free(u->diags[i]);
	u->ndiags = 0;
	close(u->wake[0]);
	close(u->wake[1]);
	u->wake[0] = u->wake[1] = -1;
	ui_global = NULL;
	(void)io;
}
