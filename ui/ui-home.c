/*
 * ui-home.c — the home screen: the CA's calendar (from its journal, see
 * ui-calendar.c) and what can be started: the shipped ceremony scripts
 * and the plain operations (create a root, sign CSRs, sign the next CRL).
 *
 * Keys: Up/Down choose, Enter starts, d picks another CA directory,
 * r reads the journal again, q (or Ctrl-C) quits.
 */
#include <curses.h>
#include <dirent.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cadb.h"
#include "err.h"
#include "script.h"
#include "ui-int.h"
#include "util.h"

#define UI_HOME_MAX	64

struct ui_home_entry {
	enum ui_action action;
	char label[160];
	char path[PATH_MAX];
};

struct ui_home_arg {
	struct ui_home_result *res;
	bool *done;
};

struct ui_home {
	struct ui_home_arg arg;
	struct calendar cal;
	bool have_journal;
	struct ui_home_entry e[UI_HOME_MAX];
	size_t n, sel;
	char scripts[PATH_MAX];
	time_t loaded;
};

/* ---- finding the shipped ceremonies ------------------------------------ */

/* Copies a string, cutting it to fit. */
static void
ui_copy(char *dst, size_t size, const char *src)
{
	size_t n = strlen(src);

	if (n >= size)
		n = size - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

static bool
ui_is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* The scripts folder: --scripts, else next to the binary (an installed
 * PREFIX/share/offroot/ceremony-scripts, or the source tree's when run
 * from build/), else ./ceremony-scripts. */
static void
ui_home_find_scripts(struct ui *u, char *out, size_t size)
{
	char exe[PATH_MAX], *d, cand[PATH_MAX + 64];
	ssize_t n;

	out[0] = '\0';
	if (u->scripts[0] != '\0') {
		snprintf(out, size, "%s", u->scripts);
		return;
	}
	if ((n = readlink("/proc/self/exe", exe, sizeof exe - 1)) > 0) {
		exe[n] = '\0';
		d = dirname(exe);
		snprintf(cand, sizeof cand, "%s/../share/offroot/"
		    "ceremony-scripts", d);
		if (ui_is_dir(cand)) {
			ui_copy(out, size, cand);
			return;
		}
		snprintf(cand, sizeof cand, "%s/../ceremony-scripts", d);
		if (ui_is_dir(cand)) {
			ui_copy(out, size, cand);
			return;
		}
	}
	if (ui_is_dir("ceremony-scripts"))
		snprintf(out, size, "ceremony-scripts");
}

static int
ui_entry_cmp(const void *a, const void *b)
{
	const struct ui_home_entry *x = a, *y = b;

	return strcmp(x->label, y->label);
}

/* A script's entry, labelled by its name: line.  A script that creates a
 * root is not offered on a CA that has one (it would stop at its
 * generate-root step, after the pre-flight and the participants); a
 * script that does not parse is listed by its file name, so that choosing
 * it shows why. */
static void
ui_home_script(struct ui_home *h, const char *path, const char *file)
{
	struct ui_home_entry *e;
	struct script sc;
	int n;

	if (script_load(path, &sc) != OR_OK) {
		err_clear();
		e = &h->e[h->n++];
		n = snprintf(e->label, sizeof e->label, "Ceremony: %s (does "
		    "not parse: choose it to see why)", file);
	} else {
		if (sc.creates_root && h->have_journal) {
			script_free(&sc);
			return;
		}
		e = &h->e[h->n++];
		n = snprintf(e->label, sizeof e->label, "Ceremony: %s",
		    sc.name != NULL ? sc.name : file);
		script_free(&sc);
	}
	if (n >= (int)sizeof e->label)
		e->label[sizeof e->label - 2] = '~';
	e->action = UI_CEREMONY;
	ui_copy(e->path, sizeof e->path, path);
}

/* *.ceremony in dir and its subfolders (one level). */
static void
ui_home_scan(struct ui_home *h, const char *dir, const char *prefix,
    int depth)
{
	char path[PATH_MAX * 2], sub[PATH_MAX];
	struct dirent *de;
	size_t len;
	DIR *d;

	if ((d = opendir(dir)) == NULL)
		return;
	while ((de = readdir(d)) != NULL && h->n < UI_HOME_MAX) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
		len = strlen(de->d_name);
		if (len > 9 && strcmp(de->d_name + len - 9, ".ceremony") == 0) {
			snprintf(sub, sizeof sub, "%s%s", prefix, de->d_name);
			ui_home_script(h, path, sub);
		} else if (depth == 0 && ui_is_dir(path)) {
			if (snprintf(sub, sizeof sub, "%s/", de->d_name) >=
			    (int)sizeof sub)
				continue;
			ui_home_scan(h, path, sub, 1);
		}
	}
	closedir(d);
}

static void
ui_home_add(struct ui_home *h, enum ui_action a, const char *label)
{
	if (h->n == UI_HOME_MAX)
		return;
	h->e[h->n].action = a;
	ui_copy(h->e[h->n].label, sizeof h->e[h->n].label, label);
	h->e[h->n].path[0] = '\0';
	h->n++;
}

static void
ui_home_load(struct ui_screen *s)
{
	struct ui_home *h = s->data;
	struct ui *u = s->ui;
	char jpath[PATH_MAX], label[PATH_MAX + 64];
	size_t first;

	h->n = 0;
	h->have_journal = false;
	memset(&h->cal, 0, sizeof h->cal);
	h->loaded = time(NULL);
	if (u->ca_dir[0] != '\0' &&
	    cadb_path(u->ca_dir, CADB_JOURNAL, jpath, sizeof jpath) == OR_OK &&
	    access(jpath, F_OK) == 0) {
		h->have_journal = true;
		calendar_load(u->ca_dir, h->loaded, &h->cal);
		if (h->cal.ok) {
			if (strcmp(h->cal.store, "sealed") == 0)
				snprintf(u->key_store, sizeof u->key_store,
				    "sealed file (Argon2id %s)", h->cal.kdf);
			else
				snprintf(u->key_store, sizeof u->key_store,
				    "%s", h->cal.store);
		}
	}
	if (u->ca_dir[0] == '\0') {
		ui_home_add(h, UI_QUIT, "Choose the CA directory (d)");
	} else if (!h->have_journal) {
		snprintf(label, sizeof label, "Create a root CA in %s "
		    "(offroot init)", u->ca_dir);
		ui_home_add(h, UI_INIT, label);
	} else {
		ui_home_add(h, UI_SIGN, "Sign CSRs brought on media "
		    "(offroot sign)");
		ui_home_add(h, UI_CRL, "Sign the next CRL (offroot crl)");
	}
	first = h->n;
	ui_home_find_scripts(u, h->scripts, sizeof h->scripts);
	if (h->scripts[0] != '\0')
		ui_home_scan(h, h->scripts, "", 0);
	if (h->n > first)
		qsort(&h->e[first], h->n - first, sizeof h->e[0],
		    ui_entry_cmp);
	if (h->sel >= h->n)
		h->sel = 0;
	u->dirty = true;
}

static int
ui_home_init(struct ui_screen *s, void *arg)
{
	struct ui_home *h;

	if ((h = calloc(1, sizeof *h)) == NULL)
		return OR_E_NOMEM;
	h->arg = *(struct ui_home_arg *)arg;
	s->data = h;
	ui_home_load(s);
	return OR_OK;
}

static void
ui_home_free(struct ui_screen *s)
{
	free(s->data);
}

/* ---- the calendar ---------------------------------------------------- */

struct ui_cal_line {
	char text[320];
	int attr;
};

static long
ui_days(time_t t, time_t now)
{
	double d = difftime(t, now) / 86400.0;

	return d < 0 ? (long)(d - 0.999) : (long)d;
}

static void
ui_date(time_t t, char out[11])
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, 11, "%Y-%m-%d", &tm);
}

/* Good OCSP responses still valid for revoked certificates (calendar.h):
 * listed until they expire, with the command that answers them. */
static size_t
ui_home_ocsp(struct ui *u, const struct calendar *c, struct ui_cal_line *l,
    size_t n, size_t max)
{
	char d1[11];
	size_t i;

	for (i = 0; i < c->nocsp && n + 2 <= max; i++) {
		ui_date(c->ocsp[i].next_update, d1);
		snprintf(l[n].text, sizeof l[n].text, "OCSP: serial %.16s is "
		    "REVOKED, but a pre-signed response says GOOD until %s "
		    "(%.120s)", c->ocsp[i].serial, d1, c->ocsp[i].file[0] ?
		    c->ocsp[i].file : "file not recorded");
		l[n++].attr = ui_attr(u, UI_C_LOUD, 0);
		if (c->ocsp[i].answered)
			snprintf(l[n].text, sizeof l[n].text, "      a revoked "
			    "response was signed since: publish it in its "
			    "place");
		else
			snprintf(l[n].text, sizeof l[n].text, "      sign a "
			    "revoked response: offroot ocsp -d %.120s --serial "
			    "%s -o FILE", u->ca_dir, c->ocsp[i].serial);
		l[n++].attr = ui_attr(u, UI_C_LOUD, 0);
	}
	if (c->more_ocsp > 0 && n < max) {
		snprintf(l[n].text, sizeof l[n].text, "      ... and %zu more "
		    "such OCSP responses", c->more_ocsp);
		l[n++].attr = ui_attr(u, UI_C_LOUD, 0);
	}
	return n;
}

static size_t
ui_home_calendar(struct ui *u, struct ui_home *h, struct ui_cal_line *l,
    size_t max)
{
	const struct calendar *c = &h->cal;
	time_t now = time(NULL);
	char d1[11], d2[11];
	size_t n = 0, i;
	long days;

#define LINE(a, ...) do { if (n < max) { l[n].attr = (a); \
	if (snprintf(l[n].text, sizeof l[n].text, __VA_ARGS__) >= 0) \
	n++; } } while (0)
	if (u->ca_dir[0] == '\0') {
		LINE(0, "No CA directory chosen: press d.");
		return n;
	}
	if (!h->have_journal) {
		LINE(0, "%s holds no CA yet.", u->ca_dir);
		return n;
	}
	if (!c->ok) {
		LINE(ui_attr(u, UI_C_LOUD, 0), "THE JOURNAL CANNOT BE READ: %s",
		    c->error);
		return n;
	}
	if (c->have_root) {
		char alert[512];
		enum cal_root_alert a = calendar_root_alert(c->root_not_after,
		    now, &days, alert, sizeof alert);

		/* calendar.h: from 90 days on, and loudly from 30, the same
		 * "renew or roll over" as offroot status. */
		ui_date(c->root_not_after, d1);
		if (a == CAL_ROOT_EXPIRED)
			LINE(ui_attr(u, UI_C_LOUD, 0), "Root: EXPIRED on %s",
			    d1);
		else if (a == CAL_ROOT_RENEW_NOW)
			LINE(ui_attr(u, UI_C_LOUD, 0), "Root: WARNING: the "
			    "root certificate expires in %ld days (%s)", days,
			    d1);
		else if (a == CAL_ROOT_RENEW)
			LINE(ui_attr(u, UI_C_CAUTION, 0), "Root: the root "
			    "certificate expires in %ld days (%s)", days, d1);
		else
			LINE(0, "Root: expires %s, in %ld days", d1, days);
		if (a == CAL_ROOT_EXPIRED || a == CAL_ROOT_RENEW_NOW)
			LINE(ui_attr(u, UI_C_LOUD, 0), "      RENEW OR ROLL OVER "
			    "NOW: offroot renew-root, or a new root");
		else if (a == CAL_ROOT_RENEW)
			LINE(ui_attr(u, UI_C_CAUTION, 0), "      renew or roll "
			    "over before then: offroot renew-root, or a new "
			    "root");
		LINE(0, "      %s", c->subject);
		if (c->nroots + c->more_roots > 0)
			LINE(0, "      renewed: %zu earlier certificate%s of this "
			    "key and subject in roots/",
			    c->nroots + c->more_roots,
			    plural_s(c->nroots + c->more_roots));
	}
	if (c->has_crl) {
		days = ui_days(c->crl_due, now);
		ui_date(c->crl_due, d1);
		ui_date(c->crl_next_update, d2);
		if (c->crl_next_update < now)
			LINE(ui_attr(u, UI_C_LOUD, 0), "CRL:  EXPIRED on %s: "
			    "sign CRL %llu now", d2, c->crl_number + 1);
		else if (days <= CAL_CRL_DAYS)
			LINE(ui_attr(u, UI_C_LOUD, 0), "CRL:  next CRL DUE %s "
			    "(in %ld days; CRL %llu's nextUpdate is %s)", d1,
			    days < 0 ? 0 : days, c->crl_number, d2);
		else if (c->crl_covered != c->crl_next_update) {
			ui_date(c->crl_covered, d2);
			LINE(0, "CRL:  next CRL due %s, in %ld days (signed "
			    "ahead until %s)", d1, days, d2);
		} else
			LINE(0, "CRL:  next CRL due %s, in %ld days "
			    "(CRL %llu's nextUpdate is %s)", d1, days,
			    c->crl_number, d2);
		if (c->ahead_left > 0) {
			ui_date(c->ahead_next_publish, d1);
			LINE(0, "      next to publish: %s on %s (%zu left)",
			    c->ahead_next_file, d1, c->ahead_left);
		}
	} else {
		LINE(ui_attr(u, UI_C_LOUD, 0), "CRL:  no CRL has been signed "
		    "yet");
	}
	for (i = 0; i < c->nwithdrawn; i++)
		LINE(ui_attr(u, UI_C_LOUD, 0), "      WITHDRAWN %s: delete it, "
		    "never publish it", c->withdrawn[i].file);
	if (c->more_withdrawn > 0)
		LINE(ui_attr(u, UI_C_LOUD, 0), "      ... and %zu more withdrawn",
		    c->more_withdrawn);
	if (c->since_crl > 0)
		LINE(ui_attr(u, UI_C_LOUD, 0), "      %llu revocation%s on no "
		    "CRL yet: sign one within 24 hours", c->since_crl,
		    plural_s(c->since_crl));
	if (c->token_not_backed_up)
		LINE(ui_attr(u, UI_C_LOUD, 0), "Key:  NOT backed up: token "
		    "\"%s\" holds the only copy", c->token_label);
	n = ui_home_ocsp(u, c, l, n, max);
	LINE(0, "Issued: %llu certificate%s, %llu revoked", c->issued,
	    plural_s(c->issued),
	    c->revoked);
	if (c->nexpiring == 0)
		LINE(0, "        none expires within %d days",
		    CAL_SOON_DAYS);
	else
		LINE(ui_attr(u, UI_C_CAUTION, 0), "Expiring within %d days "
		    "(sign their successors):", CAL_SOON_DAYS);
	for (i = 0; i < c->nexpiring; i++) {
		ui_date(c->expiring[i].not_after, d1);
		days = ui_days(c->expiring[i].not_after, now);
		LINE(days <= 14 ? ui_attr(u, UI_C_LOUD, 0) :
		    ui_attr(u, UI_C_CAUTION, 0), "  %s (%ld days)  %s  [%s] "
		    "serial %.12s", d1, days, c->expiring[i].subject,
		    c->expiring[i].profile, c->expiring[i].serial);
	}
	if (c->more_expiring > 0)
		LINE(0, "  ... and %zu more", c->more_expiring);
#undef LINE
	return n;
}

static void
ui_home_draw(struct ui_screen *s)
{
	struct ui_home *h = s->data;
	struct ui *u = s->ui;
	struct ui_cal_line l[CAL_MAX_EXPIRING + 2 * CAL_MAX_OCSP +
	    CAL_MAX_WITHDRAWN + 19];
	char title[PATH_MAX + 32];
	size_t n, i, rows, top = 0;
	int ch, bh, y;

	ui_draw_titlebar(u, "offroot  home",
	    "Enter start  d directory  r refresh  q quit");
	n = ui_home_calendar(u, h, l, nitems(l));
	/* The calendar gets what it needs, the list at least 5 rows. */
	ch = (int)n + 2;
	if (ch > LINES - 2 - 7)
		ch = LINES - 2 - 7;
	snprintf(title, sizeof title, "Calendar: %s",
	    u->ca_dir[0] != '\0' ? u->ca_dir : "(no CA directory)");
	ui_draw_box(1, 0, ch, COLS, title);
	for (i = 0; i < n && (int)i < ch - 2; i++) {
		attron(l[i].attr);
		ui_draw_text(2 + (int)i, 2, COLS - 4, l[i].text);
		attroff(l[i].attr);
	}
	y = 1 + ch;
	bh = LINES - 1 - y;
	ui_draw_box(y, 0, bh, COLS, h->scripts[0] != '\0' ?
	    "Start (ceremonies from the scripts folder)" : "Start");
	rows = (size_t)(bh - 2);
	if (h->sel >= rows)
		top = h->sel - rows + 1;
	for (i = 0; i < rows && top + i < h->n; i++) {
		snprintf(title, sizeof title, "%c %s", top + i == h->sel ?
		    '>' : ' ', h->e[top + i].label);
		/* A label cut by a narrow terminal says so. */
		if (COLS > 8 && strlen(title) > (size_t)(COLS - 4) &&
		    (size_t)(COLS - 4) < sizeof title)
			memcpy(title + COLS - 7, "...", 4);
		if (top + i == h->sel)
			attron(A_REVERSE);
		mvhline(y + 1 + (int)i, 1, ' ', COLS - 2);
		ui_draw_text(y + 1 + (int)i, 2, COLS - 4, title);
		attroff(A_REVERSE);
	}
	if (h->n == 0)
		ui_draw_text(y + 1, 2, COLS - 4, "(nothing to start)");
}

static void
ui_home_dir_done(struct ui *u, struct ui_prompt *p, int rc)
{
	struct ui_prompt_answer *a = ui_prompt_answer(p);
	struct ui_screen *s = ui_prompt_arg(p);

	if (rc != OR_OK || a->text == NULL || a->text[0] == '\0')
		return;
	snprintf(u->ca_dir, sizeof u->ca_dir, "%s", a->text);
	u->key_store[0] = '\0';
	ui_home_load(s);
}

static void
ui_home_pick(struct ui_screen *s)
{
	struct ui_home *h = s->data;
	struct ui *u = s->ui;
	struct ui_home_entry *e;
	struct ui_prompt_args pa;

	if (h->n == 0)
		return;
	e = &h->e[h->sel];
	if (e->action == UI_QUIT) {	/* "choose the directory" */
		memset(&pa, 0, sizeof pa);
		pa.kind = UI_P_ASK;
		pa.title = "CA directory";
		pa.text = "The CA directory (on the ceremony media):";
		pa.size = PATH_MAX;
		pa.done = ui_home_dir_done;
		pa.arg = s;
		ui_push(u, &ui_prompt_ops, &pa);
		return;
	}
	h->arg.res->action = e->action;
	snprintf(h->arg.res->script, sizeof h->arg.res->script, "%s", e->path);
	snprintf(h->arg.res->ca_dir, sizeof h->arg.res->ca_dir, "%s",
	    u->ca_dir);
	snprintf(h->arg.res->scripts, sizeof h->arg.res->scripts, "%s",
	    h->scripts);
	*h->arg.done = true;
}

static int
ui_home_key(struct ui_screen *s, int ch)
{
	struct ui_home *h = s->data;
	struct ui_prompt_args pa;

	switch (ch) {
	case KEY_UP:
	case 'k':
		if (h->sel > 0)
			h->sel--;
		break;
	case KEY_DOWN:
	case 'j':
		if (h->sel + 1 < h->n)
			h->sel++;
		break;
	case '\n':
	case '\r':
	case KEY_ENTER:
		ui_home_pick(s);
		break;
	case 'd':
		memset(&pa, 0, sizeof pa);
		pa.kind = UI_P_ASK;
		pa.title = "CA directory";
		pa.text = "The CA directory (on the ceremony media):";
		pa.size = PATH_MAX;
		pa.done = ui_home_dir_done;
		pa.arg = s;
		ui_push(s->ui, &ui_prompt_ops, &pa);
		break;
	case 'r':
		ui_home_load(s);
		break;
	case 'q':
	case UI_KEY_INTERRUPT:
		h->arg.res->action = UI_QUIT;
		*h->arg.done = true;
		break;
	default:
		return UI_KEY_PASS;
	}
	return UI_KEY_USED;
}

const struct ui_screen_ops ui_home_ops = {
	"home",
	ui_home_init,
	ui_home_draw,
	ui_home_key,
	ui_home_free,
};

int
ui_home(struct interact *io, struct ui_home_result *res)
{
	struct ui *u = io->ctx;
	struct ui_home_arg arg;
	struct ui_screen *s;
	bool done = false;

	memset(res, 0, sizeof *res);
	res->action = UI_QUIT;
	if (!u->active)
		return err_set(OR_E_ENV, "the terminal interface is closed");
	arg.res = res;
	arg.done = &done;
	u->transcript[0] = '\0';
	ui_push(u, &ui_home_ops, &arg);
	s = ui_top(u);
	ui_loop(u, &done);
	while (u->depth > 0 && ui_top(u) != s)
		ui_pop(u, ui_top(u));
	ui_pop(u, s);
	if (u->terminating)
		ui_terminate(u);
	return OR_OK;
}

int
ui_home_once(struct interact *io)
{
	struct ui *u = io->ctx;
	struct ui_home_result res;
	struct ui_home_arg arg;
	bool done = false;

	if (!u->active)
		return err_set(OR_E_ENV, "the terminal interface is closed");
	arg.res = &res;
	arg.done = &done;
	ui_push(u, &ui_home_ops, &arg);
	ui_redraw(u);
	ui_pop(u, ui_top(u));
	return OR_OK;
}
