/*
 * ui-prompt.c — modal screens: a yes/no question, a line of text, a
 * secret (masked, one '*' per character, typed straight into a struct
 * secret; a new one twice), a choice, a message, an exception note, and
 * a block (fingerprints, CSR review) shown large in a box that the
 * officer scrolls to the end and confirms with Enter.
 *
 * Keys: y/n, Left/Right, Tab and Enter in a question; Backspace and
 * Ctrl-U while typing; Up/Down or a digit in a choice; Up/Down, PgUp,
 * PgDn, Home and End in a block.  Esc leaves a prompt of the TUI's own
 * (a note, the home screen's questions) but not one the engine asked:
 * Ctrl-C is the way to abandon those.  On a form's question after its
 * first (interact_form), Esc goes back to the previous question, which
 * shows the answer given; the dialog's bottom border says so.  Nothing
 * else offers it: a secret, a block, or any question once something
 * irreversible is under way.
 *
 * During a ceremony, blocks (a step's card, fingerprints) take the columns
 * right of the step list (ui_steps_width), so that the list stays in view;
 * so do dialogs where a 72-column one fits there.
 */
#include <curses.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "err.h"
#include "secret.h"
#include "ui-int.h"

#define UI_ESC		27

struct ui_prompt {
	struct ui_prompt_args a;
	char *title;
	char *text;
	struct ui_prompt_answer ans;
	int yes_selected;		/* confirm: default no */
	char *buf;			/* ask, note */
	size_t size, len;
	struct secret *s[2];		/* secret: entry, then again */
	int stage;
	char msg[128];
	size_t sel, top;		/* choose */
	size_t scroll, nlines;		/* block */
	int page;
	bool finished;
};

struct ui_prompt_answer *
ui_prompt_answer(struct ui_prompt *p)
{
	return &p->ans;
}

void *
ui_prompt_arg(struct ui_prompt *p)
{
	return p->a.arg;
}

bool
ui_prompt_is_request(struct ui_screen *s)
{
	struct ui_prompt *p;

	if (s->ops != &ui_prompt_ops)
		return false;
	p = s->data;
	return p->a.request && !p->finished;
}

enum ui_prompt_kind
ui_prompt_kind(struct ui_screen *s)
{
	return ((struct ui_prompt *)s->data)->a.kind;
}

static void
ui_prompt_wipe(struct ui_prompt *p)
{
	int i;

	for (i = 0; i < 2; i++) {
		ui_secret_track(NULL, i);
		secret_free(p->s[i]);
		p->s[i] = NULL;
	}
}

static void
ui_prompt_finish(struct ui_screen *s, int rc)
{
	struct ui_prompt *p = s->data;
	struct ui *u = s->ui;

	if (p->finished)
		return;
	p->finished = true;
	if (p->buf != NULL)
		p->ans.text = p->buf;
	if (p->a.done != NULL)
		p->a.done(u, p, rc);
	ui_pop(u, s);
}

void
ui_prompt_cancel(struct ui_screen *s)
{
	ui_prompt_finish(s, OR_E_CANCEL);
}

static int
ui_prompt_init(struct ui_screen *s, void *arg)
{
	const struct ui_prompt_args *a = arg;
	struct ui_prompt *p;

	if ((p = calloc(1, sizeof *p)) == NULL)
		return OR_E_NOMEM;
	p->a = *a;
	p->title = strdup(a->title != NULL ? a->title : "");
	p->text = strdup(a->text != NULL ? a->text : "");
	if (a->kind == UI_P_ASK || a->kind == UI_P_NOTE) {
		p->size = a->size > 1 ? a->size : 2;
		if ((p->buf = calloc(1, p->size)) != NULL &&
		    a->initial != NULL) {
			snprintf(p->buf, p->size, "%s", a->initial);
			p->len = strlen(p->buf);
		}
	}
	if (a->kind == UI_P_CHOOSE && a->initial_choice < a->n)
		p->sel = a->initial_choice;
	p->a.initial = NULL;		/* the worker's buffer: not kept */
	if (a->kind == UI_P_SECRET) {
		p->s[0] = secret_new();
		ui_secret_track(p->s[0], 0);
	}
	if (p->title == NULL || p->text == NULL ||
	    ((a->kind == UI_P_ASK || a->kind == UI_P_NOTE) && p->buf == NULL) ||
	    (a->kind == UI_P_SECRET && p->s[0] == NULL)) {
		ui_prompt_wipe(p);
		free(p->title);
		free(p->text);
		free(p->buf);
		free(p);
		return OR_E_NOMEM;
	}
	p->page = 10;
	s->data = p;
	return OR_OK;
}

static void
ui_prompt_free(struct ui_screen *s)
{
	struct ui_prompt *p = s->data;

	ui_prompt_wipe(p);
	secret_free(p->ans.secret);
	free(p->title);
	free(p->text);
	free(p->buf);
	free(p);
}

/* ---- drawing ---------------------------------------------------------- */

struct ui_wrap_draw {
	int y, x, w, limit, attr;
	int n;
};

static void
ui_prompt_line(const char *line, size_t len, void *arg)
{
	struct ui_wrap_draw *d = arg;

	if (d->n < d->limit) {
		attron(d->attr);
		mvaddnstr(d->y + d->n, d->x, line,
		    (int)len < d->w ? (int)len : d->w);
		attroff(d->attr);
	}
	d->n++;
}

/* Whether a line is a fingerprint in groups of 4 hex digits. */
static bool
ui_hex_groups(const char *line, size_t len, size_t *ngroups)
{
	size_t i, g = 0, run = 0;

	for (i = 0; i <= len; i++) {
		if (i == len || line[i] == ' ') {
			if (run != 4)
				return false;
			g++;
			run = 0;
		} else if (isxdigit((unsigned char)line[i])) {
			run++;
		} else {
			return false;
		}
	}
	*ngroups = g;
	return g >= 2;
}

/*
 * Lays a block out for width w: fingerprint lines are drawn large (each
 * digit spaced, groups apart, four groups a line, bold), everything else
 * wrapped.  Calls emit for each line (may be NULL); returns the count.
 */
struct ui_block_out {
	int y, x, w, from, rows, n;
};

static void
ui_block_emit(struct ui_block_out *o, const char *text, size_t len, int attr)
{
	int row = o->n - o->from;

	if (o->w > 0 && row >= 0 && row < o->rows) {
		attron(attr);
		mvaddnstr(o->y + row, o->x, text,
		    (int)len < o->w ? (int)len : o->w);
		attroff(attr);
	}
	o->n++;
}

static void
ui_block_wrapped(const char *line, size_t len, void *arg)
{
	ui_block_emit(arg, line, len, A_NORMAL);
}

static int
ui_block_layout(const char *body, int w, struct ui_block_out *o)
{
	const char *p = body, *nl;
	char big[256], piece[1024];
	size_t len, ng, g, i, k, per;

	while (*p != '\0') {
		nl = strchr(p, '\n');
		len = nl != NULL ? (size_t)(nl - p) : strlen(p);
		if (ui_hex_groups(p, len, &ng) && w >= 40) {
			per = w >= (int)(ng * 10) ? ng : 4;
			for (g = 0; g < ng; g += per) {
				k = 0;
				for (i = g; i < ng && i < g + per; i++) {
					const char *grp = p + i * 5;
					if (i > g && k + 3 < sizeof big) {
						memcpy(big + k, "   ", 3);
						k += 3;
					}
					if (k + 8 < sizeof big) {
						big[k++] = grp[0];
						big[k++] = ' ';
						big[k++] = grp[1];
						big[k++] = ' ';
						big[k++] = grp[2];
						big[k++] = ' ';
						big[k++] = grp[3];
					}
				}
				big[k] = '\0';
				ui_block_emit(o, big, k, A_BOLD);
				ui_block_emit(o, "", 0, A_NORMAL);
			}
		} else {
			snprintf(piece, sizeof piece, "%.*s", (int)len, p);
			ui_draw_wrap(piece, w, ui_block_wrapped, o);
		}
		if (nl == NULL)
			break;
		p = nl + 1;
	}
	return o->n;
}

/* The columns a dialog or a block may take: right of the ceremony's step
 * list, or the whole width. */
static void
ui_region(struct ui *u, int *x, int *w)
{
	*x = ui_steps_width(u);
	*w = COLS - *x;
}

/* A dialog's region: right of the step list when a 72-column dialog fits
 * there (120 columns and more), else the whole width, so that a choice's
 * options are not cut at 80 columns (the list's frame stays in view above
 * and below the dialog). */
static void
ui_dialog_region(struct ui *u, int *x, int *w)
{
	ui_region(u, x, w);
	if (*w - 4 < 72) {
		*x = 0;
		*w = COLS;
	}
}

/* A dialog's outer width: 72 columns at most, 4 less than its region. */
static int
ui_dialog_width(struct ui *u)
{
	int rx, rw;

	ui_dialog_region(u, &rx, &rw);
	return rw - 4 > 72 ? 72 : rw - 4;
}

/* The hint on a dialog's bottom border. */
static void
ui_dialog_hint(struct ui_prompt *p, int y, int x, int w)
{
	if (!p->a.back || w < 30)
		return;
	attron(A_REVERSE);
	mvaddnstr(y, x + 2, " Esc: back to the previous question ", w - 4);
	attroff(A_REVERSE);
}

/* A dialog box of h rows and the usual width, centred in its region, its
 * title wrapped inside when it is too long for the border; returns its
 * inner geometry, below the title. */
static void
ui_dialog(struct ui *u, struct ui_prompt *p, int h, int *y, int *x, int *w)
{
	int bw = ui_dialog_width(u), by, bx, rx, rw, t;

	ui_dialog_region(u, &rx, &rw);
	if (h > LINES - 4)
		h = LINES - 4;
	by = (LINES - h) / 2;
	bx = rx + (rw - bw) / 2;
	/* Beside a dialog in the ceremony's pane, nothing of the
	 * conversation under it: no fragments of cut lines. */
	if (rx > 0)
		ui_draw_clear(by, rx + 1, h, rw - 2);
	else
		ui_draw_clear(by, bx, h, bw);
	t = ui_draw_box_titled(by, bx, h, bw, p->title);
	ui_dialog_hint(p, by + h - 1, bx, bw);
	*y = by + 1 + t;
	*x = bx + 2;
	*w = bw - 4;
}

static int
ui_text_rows(const char *text, int w)
{
	return (int)ui_draw_wrap(text, w, NULL, NULL);
}

static void
ui_draw_input(struct ui *u, int y, int x, int w, const char *shown,
    size_t len)
{
	size_t from = len > (size_t)(w - 1) ? len - (size_t)(w - 1) : 0;

	attron(A_UNDERLINE);
	mvhline(y, x, ' ', w);
	mvaddnstr(y, x, shown + from, (int)(len - from));
	attroff(A_UNDERLINE);
	u->cursor = true;
	u->cursor_y = y;
	u->cursor_x = x + (int)(len - from);
}

static void
ui_prompt_draw_block(struct ui_screen *s)
{
	struct ui_prompt *p = s->data;
	struct ui_block_out o;
	int h = LINES - 2, bx, w, rows, t;
	char hint[128];

	ui_region(s->ui, &bx, &w);
	ui_draw_clear(1, bx, h, w);
	t = ui_draw_box_titled(1, bx, h, w, p->title);
	rows = h - 3 - t;
	memset(&o, 0, sizeof o);
	o.w = 0;
	o.rows = 0;
	p->nlines = (size_t)ui_block_layout(p->text, w - 4, &o);
	p->page = rows > 1 ? rows - 1 : 1;
	if (p->nlines > (size_t)rows && p->scroll > p->nlines - (size_t)rows)
		p->scroll = p->nlines - (size_t)rows;
	if (p->nlines <= (size_t)rows)
		p->scroll = 0;
	memset(&o, 0, sizeof o);
	o.y = 2 + t;
	o.x = bx + 2;
	o.w = w - 4;
	o.from = (int)p->scroll;
	o.rows = rows;
	ui_block_layout(p->text, w - 4, &o);
	if (p->scroll + (size_t)rows >= p->nlines)
		snprintf(hint, sizeof hint, " Enter: confirm you have read "
		    "it%s ", w >= 68 ? "   Up/Down PgUp/PgDn: scroll" : "");
	else
		snprintf(hint, sizeof hint, " more below (%zu%%): PgDn or "
		    "Enter to read on ", (p->scroll + (size_t)rows) * 100 /
		    p->nlines);
	attron(A_REVERSE);
	mvaddnstr(h, bx + 2, hint, w - 4);
	attroff(A_REVERSE);
}

/* The question as shown: a new secret's second entry says so. */
static const char *
ui_prompt_text(struct ui_prompt *p, char *label, size_t size)
{
	if (p->a.kind == UI_P_SECRET && p->stage == 1) {
		snprintf(label, size, "%s (again)", p->text);
		return label;
	}
	return p->text;
}

/* A dialog's height for its text (*rows: the text's rows shown). */
static int
ui_prompt_height(struct ui *u, struct ui_prompt *p, const char *text,
    int *rows)
{
	int w = ui_dialog_width(u) - 4, h;

	*rows = ui_text_rows(text, w);
	if (*rows > LINES - 10)
		*rows = LINES - 10;
	h = *rows + 5 + ui_draw_title_rows(p->title, w + 4);
	if (p->a.kind == UI_P_CHOOSE)
		h += (int)(p->a.n < 8 ? p->a.n : 8) - 1;
	if (p->msg[0] != '\0')
		h++;
	return h > LINES - 4 ? LINES - 4 : h;
}

int
ui_prompt_dialog_top(struct ui_screen *s)
{
	struct ui_prompt *p;
	char label[300];
	int rows;

	if (s->ops != &ui_prompt_ops)
		return -1;
	p = s->data;
	if (p->a.kind == UI_P_BLOCK)
		return -1;
	return (LINES - ui_prompt_height(s->ui, p, ui_prompt_text(p, label,
	    sizeof label), &rows)) / 2;
}

static void
ui_prompt_draw(struct ui_screen *s)
{
	struct ui_prompt *p = s->data;
	struct ui *u = s->ui;
	struct ui_wrap_draw d;
	char stars[SECRET_MAX + 1], label[300];
	const char *text;
	int y, x, w, rows, h, i, n;
	size_t k, shown;

	if (p->a.kind == UI_P_BLOCK) {
		ui_prompt_draw_block(s);
		return;
	}
	text = ui_prompt_text(p, label, sizeof label);
	h = ui_prompt_height(u, p, text, &rows);
	ui_dialog(u, p, h, &y, &x, &w);
	memset(&d, 0, sizeof d);
	d.y = y + 1;
	d.x = x;
	d.w = w;
	d.limit = rows;
	d.attr = A_BOLD;
	ui_draw_wrap(text, w, ui_prompt_line, &d);
	y += rows + 2;
	if (p->msg[0] != '\0') {
		attron(ui_attr(u, UI_C_LOUD, 0));
		ui_draw_text(y - 1, x, w, p->msg);
		attroff(ui_attr(u, UI_C_LOUD, 0));
		y++;
	}
	switch (p->a.kind) {
	case UI_P_CONFIRM:
		mvaddstr(y, x, "  ");
		attron(p->yes_selected ? A_REVERSE : A_NORMAL);
		addstr("[ Yes ]");
		attroff(A_REVERSE);
		addstr("   ");
		attron(!p->yes_selected ? A_REVERSE : A_NORMAL);
		addstr("[ No ]");
		attroff(A_REVERSE);
		addstr("    y / n, Enter");
		break;
	case UI_P_ASK:
	case UI_P_NOTE:
		ui_draw_input(u, y, x, w, p->buf, p->len);
		break;
	case UI_P_SECRET:
		/* One '*' per byte typed; the secret itself is never drawn. */
		shown = p->s[p->stage] != NULL ? p->s[p->stage]->len : 0;
		for (k = 0; k < shown && k < sizeof stars - 1; k++)
			stars[k] = '*';
		stars[k] = '\0';
		ui_draw_input(u, y, x, w, stars, k);
		break;
	case UI_P_CHOOSE:
		n = (int)(p->a.n < 8 ? p->a.n : 8);
		if (p->sel < p->top)
			p->top = p->sel;
		if (p->sel >= p->top + (size_t)n)
			p->top = p->sel - (size_t)n + 1;
		for (i = 0; i < n && p->top + (size_t)i < p->a.n; i++) {
			k = p->top + (size_t)i;
			snprintf(label, sizeof label, "%c %zu) %s",
			    k == p->sel ? '>' : ' ', k + 1, p->a.options[k]);
			if (k == p->sel)
				attron(A_REVERSE);
			ui_draw_text(y + i, x, w, label);
			attroff(A_REVERSE);
		}
		break;
	case UI_P_MESSAGE:
		ui_draw_text(y, x, w, "Press Enter to continue.");
		break;
	case UI_P_BLOCK:
		break;
	}
}

/* ---- keys ------------------------------------------------------------- */

static bool
ui_is_enter(int ch)
{
	return ch == '\n' || ch == '\r' || ch == KEY_ENTER;
}

static bool
ui_is_backspace(int ch)
{
	return ch == KEY_BACKSPACE || ch == 127 || ch == 8;
}

/* Removes the last character (a whole UTF-8 sequence) of buf[0..*len). */
static void
ui_erase_last(char *buf, size_t *len)
{
	while (*len > 0) {
		(*len)--;
		if (((unsigned char)buf[*len] & 0xc0) != 0x80)
			break;
	}
	buf[*len] = '\0';
}

static void
ui_key_secret(struct ui_screen *s, int ch)
{
	struct ui_prompt *p = s->data;
	struct secret *cur = p->s[p->stage];

	if (ui_is_backspace(ch)) {
		ui_erase_last(cur->buf, &cur->len);
		return;
	}
	if (ch == 21) {		/* Ctrl-U */
		sodium_memzero(cur->buf, sizeof cur->buf);
		cur->len = 0;
		return;
	}
	if (ui_is_enter(ch)) {
		if (cur->len == 0) {
			snprintf(p->msg, sizeof p->msg, "Nothing typed yet.");
			return;
		}
		p->msg[0] = '\0';
		if (p->a.twice && p->stage == 0) {
			if ((p->s[1] = secret_new()) == NULL)
				return;
			ui_secret_track(p->s[1], 1);
			p->stage = 1;
			return;
		}
		if (p->a.twice && !secret_equal(p->s[0], p->s[1])) {
			ui_prompt_wipe(p);
			p->stage = 0;
			snprintf(p->msg, sizeof p->msg, "The two entries "
			    "differ: type it again, twice.");
			if ((p->s[0] = secret_new()) != NULL)
				ui_secret_track(p->s[0], 0);
			return;
		}
		ui_secret_track(NULL, 0);
		p->ans.secret = p->s[0];
		p->s[0] = NULL;
		ui_prompt_wipe(p);
		ui_prompt_finish(s, OR_OK);
		return;
	}
	if (ch >= 32 && ch <= 255 && ch != 127 && cur->len < SECRET_MAX) {
		cur->buf[cur->len++] = (char)ch;
		cur->buf[cur->len] = '\0';
	}
}

static void
ui_key_text(struct ui_screen *s, int ch)
{
	struct ui_prompt *p = s->data;

	if (ui_is_backspace(ch)) {
		ui_erase_last(p->buf, &p->len);
	} else if (ch == 21) {
		p->len = 0;
		p->buf[0] = '\0';
	} else if (ui_is_enter(ch)) {
		if (p->a.kind == UI_P_NOTE && p->len == 0)
			ui_prompt_finish(s, OR_E_CANCEL);
		else
			ui_prompt_finish(s, OR_OK);
	} else if (ch >= 32 && ch <= 255 && ch != 127 &&
	    p->len + 1 < p->size) {
		p->buf[p->len++] = (char)ch;
		p->buf[p->len] = '\0';
	}
}

static void
ui_key_block(struct ui_screen *s, int ch)
{
	struct ui_prompt *p = s->data;
	size_t page = (size_t)p->page;

	switch (ch) {
	case KEY_UP:
	case 'k':
		if (p->scroll > 0)
			p->scroll--;
		break;
	case KEY_DOWN:
	case 'j':
		p->scroll++;
		break;
	case KEY_PPAGE:
		p->scroll = p->scroll > page ? p->scroll - page : 0;
		break;
	case KEY_NPAGE:
	case ' ':
		p->scroll += page;
		break;
	case KEY_HOME:
		p->scroll = 0;
		break;
	case KEY_END:
		p->scroll = p->nlines;
		break;
	default:
		if (!ui_is_enter(ch))
			break;
		/* Read to the end before confirming. */
		if (p->scroll + page + 1 < p->nlines)
			p->scroll += page;
		else
			ui_prompt_finish(s, OR_OK);
		break;
	}
}

static int
ui_prompt_key(struct ui_screen *s, int ch)
{
	struct ui_prompt *p = s->data;

	if (ch == UI_ESC && p->a.request && p->a.back &&
	    p->a.kind != UI_P_SECRET && p->a.kind != UI_P_BLOCK) {
		ui_prompt_finish(s, OR_E_BACK);
		return UI_KEY_USED;
	}
	if (ch == UI_KEY_INTERRUPT || (ch == UI_ESC && !p->a.request)) {
		if (p->a.kind == UI_P_CONFIRM && !p->a.request) {
			p->ans.yes = false;
			ui_prompt_finish(s, OR_OK);
		} else {
			ui_prompt_finish(s, OR_E_CANCEL);
		}
		return UI_KEY_USED;
	}
	/* The conversation under a question scrolls. */
	if (p->a.kind != UI_P_BLOCK && (ch == KEY_PPAGE || ch == KEY_NPAGE))
		return UI_KEY_PASS;
	switch (p->a.kind) {
	case UI_P_CONFIRM:
		if (ch == 'y' || ch == 'Y') {
			p->ans.yes = true;
			ui_prompt_finish(s, OR_OK);
		} else if (ch == 'n' || ch == 'N') {
			p->ans.yes = false;
			ui_prompt_finish(s, OR_OK);
		} else if (ch == KEY_LEFT || ch == KEY_RIGHT || ch == '\t') {
			p->yes_selected = !p->yes_selected;
		} else if (ui_is_enter(ch)) {
			p->ans.yes = p->yes_selected;
			ui_prompt_finish(s, OR_OK);
		}
		break;
	case UI_P_ASK:
	case UI_P_NOTE:
		ui_key_text(s, ch);
		break;
	case UI_P_SECRET:
		ui_key_secret(s, ch);
		break;
	case UI_P_CHOOSE:
		if (ch == KEY_UP && p->sel > 0)
			p->sel--;
		else if (ch == KEY_DOWN && p->sel + 1 < p->a.n)
			p->sel++;
		else if (ch >= '1' && ch <= '9' &&
		    (size_t)(ch - '1') < p->a.n)
			p->sel = (size_t)(ch - '1');
		else if (ui_is_enter(ch)) {
			p->ans.choice = p->sel;
			ui_prompt_finish(s, OR_OK);
		}
		break;
	case UI_P_BLOCK:
		ui_key_block(s, ch);
		break;
	case UI_P_MESSAGE:
		if (ui_is_enter(ch) || ch == ' ' || ch == 'q' || ch == UI_ESC)
			ui_prompt_finish(s, OR_OK);
		break;
	}
	return UI_KEY_USED;
}

const struct ui_screen_ops ui_prompt_ops = {
	"prompt",
	ui_prompt_init,
	ui_prompt_draw,
	ui_prompt_key,
	ui_prompt_free,
};
