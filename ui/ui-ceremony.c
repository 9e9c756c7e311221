/*
 * ui-ceremony.c — the ceremony screen: the script's steps on the left
 * (done [x], current [>], pending [ ], failed [!], skipped [-]), the
 * current step and the conversation on the right (newest at the bottom,
 * PgUp/PgDn to read back), a progress bar with elapsed time under it, and
 * the status line.  It draws from struct ui, which the engine's interact
 * calls fill; it has no state of its own.
 *
 * At 80x24 the list is 26 columns wide: a title that does not fit wraps
 * under itself, and the list scrolls to keep the current step in view.
 * Cards, blocks and questions are drawn right of it (ui-prompt.c), so
 * the list is never hidden; the current step's title wraps inside its
 * box when the border is too short for it.
 */
#include <curses.h>
#include <stdio.h>
#include <string.h>

#include "err.h"
#include "ui-int.h"

struct ui_conv {
	struct ui *u;
	int y, x, w;
	int first, last;	/* line numbers shown: [first, last) */
	int n;			/* line number of the next line */
	int attr;
};

static void
ui_conv_line(const char *line, size_t len, void *arg)
{
	struct ui_conv *c = arg;

	if (c->n >= c->first && c->n < c->last) {
		attron(c->attr);
		mvaddnstr(c->y + c->n - c->first, c->x, line,
		    (int)len < c->w ? (int)len : c->w);
		attroff(c->attr);
	}
	c->n++;
}

static int
ui_line_attr(struct ui *u, const struct ui_line *l)
{
	if (l->note)
		return ui_attr(u, UI_C_CAUTION, 0);
	switch (l->level) {
	case SAY_WARN:
		return ui_attr(u, UI_C_LOUD, 0);
	case SAY_RESULT:
		return ui_attr(u, UI_C_DONE, A_BOLD);
	default:
		return A_NORMAL;
	}
}

/* Draws the newest lines of the conversation that fit in rows, scrolled
 * back by u->scroll lines. */
static void
ui_draw_conversation(struct ui *u, int y, int x, int w, int rows)
{
	struct ui_conv c;
	size_t i, k, total = 0, need, start;
	char buf[8];

	if (rows <= 0)
		return;
	/* Clamp the scroll to what there is. */
	if (u->scroll > 0) {
		for (k = 0; k < u->nlog; k++)
			total += ui_draw_wrap(u->log[k].text, w - 2, NULL, NULL);
		if (total <= (size_t)rows)
			u->scroll = 0;
		else if (u->scroll > total - (size_t)rows)
			u->scroll = total - (size_t)rows;
	}
	need = (size_t)rows + u->scroll;
	total = 0;
	i = u->nlog;
	while (i > 0 && total < need) {
		i--;
		total += ui_draw_wrap(u->log[i].text, w - 2, NULL, NULL);
	}
	start = i;
	memset(&c, 0, sizeof c);
	c.u = u;
	c.y = y;
	c.x = x + 2;
	c.w = w - 2;
	c.first = total > need ? (int)(total - need) : 0;
	c.last = c.first + rows;
	if ((size_t)c.last > total - u->scroll)
		c.last = (int)(total - u->scroll);
	for (i = start; i < u->nlog; i++) {
		int before = c.n;

		c.attr = ui_line_attr(u, &u->log[i]);
		ui_draw_wrap(u->log[i].text, w - 2, ui_conv_line, &c);
		/* A marker in the margin for warnings and notes. */
		if (before >= c.first && before < c.last &&
		    (u->log[i].level == SAY_WARN || u->log[i].note)) {
			snprintf(buf, sizeof buf, "%s", u->log[i].note ? "N" :
			    "!");
			attron(c.attr);
			mvaddstr(y + before - c.first, x, buf);
			attroff(c.attr);
		}
	}
	if (u->scroll > 0) {
		attron(A_REVERSE);
		mvaddnstr(y + rows - 1, x + w - 22, " more below: PgDn ", 20);
		attroff(A_REVERSE);
	}
}

static const char *
ui_marker(enum step_state st)
{
	switch (st) {
	case STEP_DONE:
		return "[x]";
	case STEP_CURRENT:
		return "[>]";
	case STEP_FAILED:
		return "[!]";
	case STEP_SKIPPED:
		return "[-]";
	default:
		return "[ ]";
	}
}

static int
ui_step_attr(struct ui *u, const struct ui_step *s, bool current)
{
	int attr;

	switch (s->state) {
	case STEP_DONE:
		attr = ui_attr(u, UI_C_DONE, 0);
		break;
	case STEP_CURRENT:
		attr = A_REVERSE | A_BOLD;
		break;
	case STEP_FAILED:
		attr = ui_attr(u, UI_C_LOUD, 0);
		break;
	default:
		attr = A_NORMAL;
	}
	if (current)
		attr |= A_REVERSE;
	return attr;
}

/* One step of the list: "[x] 3 " and its title wrapped under itself. */
struct ui_step_draw {
	int y, x, w, row, rows, attr, indent;
};

static void
ui_step_line(const char *line, size_t len, void *arg)
{
	struct ui_step_draw *d = arg;

	if (d->row >= 0 && d->row < d->rows) {
		attron(d->attr);
		mvhline(d->y + d->row, d->x, ' ', d->w);
		mvaddnstr(d->y + d->row, d->x + d->indent, line,
		    (int)len < d->w - d->indent ? (int)len : d->w - d->indent);
		attroff(d->attr);
	}
	d->row++;
}

/* "[x] 3.1 ": the marker and the number; the title goes right of it. */
static int
ui_step_indent(const struct ui_step *s)
{
	return 5 + (int)strlen(s->number);
}

static int
ui_step_rows(const struct ui_step *s, int w)
{
	return (int)ui_draw_wrap(s->title, w - ui_step_indent(s), NULL, NULL);
}

/* The first step shown: all of them when they fit, else the current
 * step about a third of the way down. */
static size_t
ui_steps_top(struct ui *u, int w, int rows)
{
	size_t top, i;
	int used = 0;

	for (i = 0; i < u->nsteps; i++)
		used += ui_step_rows(&u->steps[i], w);
	if (used <= rows || !u->has_current)
		return 0;
	top = u->current;
	used = ui_step_rows(&u->steps[top], w);
	while (top > 0 && used + ui_step_rows(&u->steps[top - 1], w) <=
	    rows / 3) {
		top--;
		used += ui_step_rows(&u->steps[top], w);
	}
	/* No empty rows at the end while earlier steps are hidden. */
	for (i = top, used = 0; i < u->nsteps; i++)
		used += ui_step_rows(&u->steps[i], w);
	while (top > 0 && used + ui_step_rows(&u->steps[top - 1], w) <= rows) {
		top--;
		used += ui_step_rows(&u->steps[top], w);
	}
	return top;
}

/* The steps, each title wrapped (never cut), the current one in reverse,
 * scrolled so that it is always in view. */
static void
ui_draw_steps(struct ui *u, int y, int x, int w, int h)
{
	struct ui_step_draw d;
	char line[64];
	size_t i, top;
	int done = 0;

	ui_draw_box(y, x, h, w, "Steps");
	if (u->nsteps == 0) {
		ui_draw_text(y + 1, x + 2, w - 4, "(no script)");
		return;
	}
	for (i = 0; i < u->nsteps; i++)
		if (u->steps[i].state == STEP_DONE)
			done++;
	memset(&d, 0, sizeof d);
	d.y = y + 1;
	d.x = x + 1;
	d.w = w - 2;
	d.rows = h - 2;
	top = ui_steps_top(u, d.w, d.rows);
	for (i = top; i < u->nsteps && d.row < d.rows; i++) {
		const struct ui_step *s = &u->steps[i];

		int first = d.row;

		d.attr = ui_step_attr(u, s, u->has_current && i == u->current);
		d.indent = ui_step_indent(s);
		ui_draw_wrap(s->title, d.w - d.indent, ui_step_line, &d);
		snprintf(line, sizeof line, "%s %s", ui_marker(s->state),
		    s->number);
		attron(d.attr);
		ui_draw_text(d.y + first, d.x, d.indent - 1, line);
		attroff(d.attr);
	}
	snprintf(line, sizeof line, " %d/%zu done ", done, u->nsteps);
	ui_draw_text(y + h - 1, x + w - 2 - (int)strlen(line), (int)strlen(line),
	    line);
}

static void
ui_ceremony_draw(struct ui_screen *s)
{
	struct ui *u = s->ui;
	char title[256], left[256];
	const struct ui_step *cur = NULL;
	int lw, rx, rw, h = LINES - 2, y = 1, rows, t;

	snprintf(left, sizeof left, "offroot  %s", u->title);
	ui_draw_titlebar(u, left, "F2 note  PgUp/PgDn scroll  ^C abandon");
	lw = ui_steps_width(u);
	ui_draw_steps(u, y, 0, lw, h);
	rx = lw;
	rw = COLS - lw;
	if (u->has_current)
		cur = &u->steps[u->current];
	if (cur != NULL)
		snprintf(title, sizeof title, "Step %s: %s", cur->number,
		    cur->title);
	else
		snprintf(title, sizeof title, "%s", u->title);
	t = ui_draw_box_titled(y, rx, h, rw, title);
	y += 1 + t;
	rows = h - 2 - t;
	if (cur != NULL && cur->role[0] != '\0') {
		snprintf(title, sizeof title, "Performed by: %s", cur->role);
		attron(A_BOLD);
		ui_draw_text(y, rx + 2, rw - 4, title);
		attroff(A_BOLD);
		y += 2;
		rows -= 2;
	}
	if (u->progress)
		rows -= 3;
	/* Under a dialog, the conversation's newest lines end above it. */
	if (u->depth > 0 && (t = ui_prompt_dialog_top(u->stack[u->depth -
	    1])) > y && t - y - 1 < rows)
		rows = t - y - 1;
	ui_draw_conversation(u, y, rx + 1, rw - 3, rows);
	if (u->progress)
		ui_draw_progress(u, y + rows + 1, rx + 2, rw - 4);
}

static int
ui_ceremony_key(struct ui_screen *s, int ch)
{
	struct ui *u = s->ui;
	size_t page = (size_t)(LINES > 12 ? LINES - 10 : 2);

	switch (ch) {
	case KEY_PPAGE:
		u->scroll += page;
		return UI_KEY_USED;
	case KEY_NPAGE:
		u->scroll = u->scroll > page ? u->scroll - page : 0;
		return UI_KEY_USED;
	case KEY_UP:
		u->scroll++;
		return UI_KEY_USED;
	case KEY_DOWN:
		if (u->scroll > 0)
			u->scroll--;
		return UI_KEY_USED;
	case KEY_END:
		u->scroll = 0;
		return UI_KEY_USED;
	}
	return UI_KEY_PASS;
}

const struct ui_screen_ops ui_ceremony_ops = {
	"ceremony",
	NULL,
	ui_ceremony_draw,
	ui_ceremony_key,
	NULL,
};
