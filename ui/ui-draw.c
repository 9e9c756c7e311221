/*
 * ui-draw.c — drawing helpers: colours (the 8 basic ones, only when the
 * terminal has them), boxes (ACS line drawing; ncurses falls back to
 * ASCII when the terminal has none), the title bar, the status line and
 * the progress bar, and word wrapping.  Everything is drawn on stdscr
 * from LINES and COLS, so a resize needs nothing but a redraw.
 */
#include <curses.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "ui-int.h"

#define UI_MIN_COLS	80
#define UI_MIN_LINES	24

void
ui_draw_init_colors(struct ui *u)
{
	u->color = false;
	if (!has_colors() || start_color() == ERR)
		return;
	u->color = true;
	init_pair(UI_C_LOUD, COLOR_RED, COLOR_BLACK);
	init_pair(UI_C_DONE, COLOR_GREEN, COLOR_BLACK);
	init_pair(UI_C_TITLE, COLOR_CYAN, COLOR_BLACK);
	init_pair(UI_C_CAUTION, COLOR_YELLOW, COLOR_BLACK);
}

int
ui_attr(struct ui *u, enum ui_color c, int extra)
{
	int a = extra;

	if (c == UI_C_LOUD || c == UI_C_CAUTION)
		a |= A_BOLD;
	if (u->color && c != UI_C_NORMAL)
		a |= COLOR_PAIR(c);
	return a;
}

void
ui_draw_clear(int y, int x, int h, int w)
{
	int i;

	for (i = 0; i < h; i++)
		mvhline(y + i, x, ' ', w);
}

void
ui_draw_text(int y, int x, int w, const char *text)
{
	if (w <= 0 || y < 0 || y >= LINES)
		return;
	mvaddnstr(y, x, text, w);
}

void
ui_draw_box(int y, int x, int h, int w, const char *title)
{
	if (h < 2 || w < 2)
		return;
	mvhline(y, x + 1, ACS_HLINE, w - 2);
	mvhline(y + h - 1, x + 1, ACS_HLINE, w - 2);
	mvvline(y + 1, x, ACS_VLINE, h - 2);
	mvvline(y + 1, x + w - 1, ACS_VLINE, h - 2);
	mvaddch(y, x, ACS_ULCORNER);
	mvaddch(y, x + w - 1, ACS_URCORNER);
	mvaddch(y + h - 1, x, ACS_LLCORNER);
	mvaddch(y + h - 1, x + w - 1, ACS_LRCORNER);
	if (title != NULL && *title != '\0' && w > 6) {
		mvaddch(y, x + 1, ' ');
		attron(A_BOLD);
		mvaddnstr(y, x + 2, title, w - 6);
		attroff(A_BOLD);
		addch(' ');
	}
}

/* Whether a box title fits on the top border of a box w columns wide. */
static bool
ui_title_fits(const char *title, int w)
{
	return title == NULL || *title == '\0' || (int)strlen(title) <= w - 6;
}

int
ui_draw_title_rows(const char *title, int w)
{
	if (ui_title_fits(title, w))
		return 0;
	return (int)ui_draw_wrap(title, w - 4, NULL, NULL) + 1;
}

struct ui_title_draw {
	int y, x, w, n, max;
};

static void
ui_title_line(const char *line, size_t len, void *arg)
{
	struct ui_title_draw *d = arg;

	if (d->n < d->max)
		mvaddnstr(d->y + d->n, d->x, line,
		    (int)len < d->w ? (int)len : d->w);
	d->n++;
}

/*
 * A box whose title does not fit on its top border: the title is wrapped
 * in bold on the box's first rows (and a blank row), never cut.  Returns
 * the rows it took inside the box.
 */
int
ui_draw_box_titled(int y, int x, int h, int w, const char *title)
{
	struct ui_title_draw d;

	if (ui_title_fits(title, w)) {
		ui_draw_box(y, x, h, w, title);
		return 0;
	}
	ui_draw_box(y, x, h, w, NULL);
	memset(&d, 0, sizeof d);
	d.y = y + 1;
	d.x = x + 2;
	d.w = w - 4;
	d.max = h - 2;
	attron(A_BOLD);
	ui_draw_wrap(title, w - 4, ui_title_line, &d);
	attroff(A_BOLD);
	return d.n + 1 < h - 2 ? d.n + 1 : h - 2;
}

/* The ceremony screen's step list is as wide as a third of the screen,
 * 26 to 40 columns; prompts and cards take the columns right of it. */
int
ui_steps_width(struct ui *u)
{
	int lw = COLS / 3;

	if (u->depth == 0 || u->stack[0]->ops != &ui_ceremony_ops)
		return 0;
	if (lw < 26)
		lw = 26;
	if (lw > 40)
		lw = 40;
	return lw;
}

void
ui_draw_titlebar(struct ui *u, const char *left, const char *right)
{
	int rl = right != NULL ? (int)strlen(right) : 0;

	attron(A_REVERSE);
	mvhline(0, 0, ' ', COLS);
	mvaddnstr(0, 1, left, COLS - 2);
	if (rl > 0 && rl + (int)strlen(left) + 4 < COLS)
		mvaddstr(0, COLS - rl - 1, right);
	attroff(A_REVERSE);
}

/*
 * CA directory, key store, media, transcript (or, for a few seconds, a
 * notice), and the UTC clock at the right.  The clock always fits; the rest is cut at the left with "...".
 */
void
ui_draw_statusline(struct ui *u)
{
	char clock[32], line[PATH_MAX * 2 + 512];
	time_t now = time(NULL);
	struct tm tm;
	int y = LINES - 1, cw, lw, len;

	gmtime_r(&now, &tm);
	strftime(clock, sizeof clock, " %Y-%m-%d %H:%M:%S UTC ", &tm);
	snprintf(line, sizeof line, " CA %s | key %s | media %s | "
	    "transcript %s", u->ca_dir[0] != '\0' ? u->ca_dir : "(none)",
	    u->key_store[0] != '\0' ? u->key_store : "-",
	    u->media[0] != '\0' ? u->media : "none",
	    u->transcript[0] != '\0' ? u->transcript : "-");
	/* A notice (a note taken) in place of the paths for a moment: the
	 * title bar above is never written over. */
	if (u->flash[0] != '\0')
		snprintf(line, sizeof line, "%s", u->flash);
	cw = (int)strlen(clock);
	lw = COLS - cw;
	attron(A_REVERSE);
	mvhline(y, 0, ' ', COLS);
	len = (int)strlen(line);
	if (lw > 4 && len > lw) {
		/* Keep the end of a long directory visible. */
		mvaddstr(y, 0, "...");
		mvaddnstr(y, 3, line + len - (lw - 4), lw - 4);
	} else if (lw > 0) {
		mvaddnstr(y, 0, line, lw);
	}
	mvaddnstr(y, lw > 0 ? lw : 0, clock, COLS);
	attroff(A_REVERSE);
}

/* "label  [#####.....]  42%  0:12" or, when the fraction is unknown, a
 * moving block. */
void
ui_draw_progress(struct ui *u, int y, int x, int w)
{
	char tail[32];
	double el;
	int bw, fill, i, pos;

	if (!u->progress || w < 20)
		return;
	el = ui_elapsed(&u->progress_start);
	if (u->progress_fraction >= 0)
		snprintf(tail, sizeof tail, " %3d%%  %d:%02d",
		    (int)(u->progress_fraction * 100 + 0.5), (int)el / 60,
		    (int)el % 60);
	else
		snprintf(tail, sizeof tail, "  %d:%02d elapsed", (int)el / 60,
		    (int)el % 60);
	attron(A_BOLD);
	ui_draw_text(y, x, w, u->progress_label);
	attroff(A_BOLD);
	bw = w - 2 - (int)strlen(tail);
	if (bw < 4)
		return;
	mvaddch(y + 1, x, '[');
	if (u->progress_fraction >= 0) {
		fill = (int)(u->progress_fraction * bw + 0.5);
		for (i = 0; i < bw; i++)
			mvaddch(y + 1, x + 1 + i, i < fill ? '#' : '.');
	} else {
		pos = (int)(el * 8) % (2 * bw > 0 ? 2 * bw : 1);
		if (pos >= bw)
			pos = 2 * bw - pos - 1;
		for (i = 0; i < bw; i++)
			mvaddch(y + 1, x + 1 + i,
			    i >= pos - 2 && i <= pos + 2 ? '#' : '.');
	}
	mvaddch(y + 1, x + 1 + bw, ']');
	mvaddstr(y + 1, x + 2 + bw, tail);
}

size_t
ui_draw_wrap(const char *text, int w,
    void (*fn)(const char *line, size_t len, void *arg), void *arg)
{
	const char *p = text, *nl, *end, *cut;
	size_t n = 0, len;
	bool wrapped;

	if (w < 1)
		w = 1;
	for (;;) {
		nl = strchr(p, '\n');
		end = nl != NULL ? nl : p + strlen(p);
		/* One source line, cut into pieces of at most w columns. */
		do {
			len = (size_t)(end - p);
			wrapped = false;
			if (len > (size_t)w) {
				for (cut = p + w; cut > p && *cut != ' '; cut--)
					;
				len = cut > p ? (size_t)(cut - p) : (size_t)w;
				wrapped = true;
			}
			if (fn != NULL)
				fn(p, len, arg);
			n++;
			p += len;
			while (wrapped && p < end && *p == ' ')
				p++;
		} while (p < end);
		if (nl == NULL)
			break;
		p = nl + 1;
		if (*p == '\0')
			break;
	}
	return n;
}

bool
ui_draw_too_small(void)
{
	char msg[80];

	if (COLS >= UI_MIN_COLS && LINES >= UI_MIN_LINES)
		return false;
	erase();
	snprintf(msg, sizeof msg, "offroot needs %dx%d; this terminal is "
	    "%dx%d", UI_MIN_COLS, UI_MIN_LINES, COLS, LINES);
	mvaddnstr(LINES / 2, 0, msg, COLS);
	return true;
}
