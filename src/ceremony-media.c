/*
 * ceremony-media.c — what a ceremony knows of its removable medium
 * (media.h): the pre-flight media check (the medium picked when none was
 * given, what is on it, every file the script's steps read from it, its
 * label and UUID recorded), a missing medium or input asked about
 * (Retry, choose another, go on, abandon) instead of ending the run, and
 * leaving the medium: syncfs, a read-back of what the run wrote, and the
 * unmount (offered as root, explained otherwise).
 *
 * The batch runner is never asked: a failed check stops it with its one
 * line, as every failed check does, unless its answers give an override.
 */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "airgap.h"
#include "bundle.h"
#include "ceremony-int.h"
#include "csrpick.h"
#include "err.h"
#include "fileio.h"
#include "media.h"
#include "util.h"

#define LIST_MAX	40	/* entries of the medium shown */

static bool
interactive(const struct ceremony *c)
{
	return c->p.runner == NULL || strcmp(c->p.runner, "batch") != 0;
}

static void __attribute__((format(printf, 2, 3)))
ev(struct preflight_result *r, const char *fmt, ...)
{
	size_t used = strlen(r->evidence);
	va_list ap;

	if (used + 1 >= sizeof r->evidence)
		return;
	va_start(ap, fmt);
	vsnprintf(r->evidence + used, sizeof r->evidence - used, fmt, ap);
	va_end(ap);
}

/* The names a step reads from the medium: its CSRs (param csr, a comma-
 * separated list) and its serials file; how many (at most max). */
static size_t
media_inputs(const struct script_step *st, char (*names)[256],
    size_t max)
{
	const char *v;
	size_t n = 0, len;
	char *t, *e;

	if (st->action == SA_SIGN_CSRS && (v = script_param(st, "csr")) !=
	    NULL) {
		while (*v != '\0' && n < max) {
			len = strcspn(v, ",");
			snprintf(names[n], sizeof names[n], "%.*s", (int)len,
			    v);
			for (t = names[n]; *t == ' '; t++)
				;
			e = t + strlen(t);
			while (e > t && e[-1] == ' ')
				*--e = '\0';
			memmove(names[n], t, strlen(t) + 1);
			n += names[n][0] != '\0';
			v += len;
			if (*v == ',')
				v++;
		}
	}
	if (st->action == SA_REVOKE && n < max &&
	    (v = script_param(st, "serials-file")) != NULL)
		snprintf(names[n++], sizeof names[0], "%s", v);
	return n;
}

/* Whether a csr item is on the medium: a name as a regular file; a
 * pattern or "choose" (csrpick.h) as at least one matching file, which
 * the step lists or takes on the day. */
static bool
input_present(const char *media, const char *name)
{
	struct csrpick_list *l;
	char path[PATH_MAX];
	struct stat st;
	bool found;

	if (!csrpick_is_pattern(name))
		return file_join(path, sizeof path, media, name) == OR_OK &&
		    stat(path, &st) == 0 && S_ISREG(st.st_mode);
	if ((l = malloc(sizeof *l)) == NULL)
		return false;
	found = csrpick_scan(media, name, l) == OR_OK && l->n + l->more > 0;
	free(l);
	return found;
}

/* Which of the inputs of the steps not done yet (only step `only`
 * when it is not SIZE_MAX) are missing from the medium, into missing. */
static size_t
missing_inputs(const struct ceremony *c, size_t only, char *missing,
    size_t size)
{
	char (*names)[256];
	size_t i, k, n, count = 0, used = 0;
	int w;

	missing[0] = '\0';
	if ((names = calloc(64, sizeof *names)) == NULL)
		return 0;
	for (i = 0; i < c->s.nsteps; i++) {
		if ((only != SIZE_MAX && i != only) ||
		    (only == SIZE_MAX && c->views[i].state == STEP_DONE))
			continue;
		n = media_inputs(&c->s.steps[i], names, 64);
		for (k = 0; k < n; k++) {
			if (input_present(c->p.media, names[k]))
				continue;
			err_clear();
			count++;
			w = snprintf(missing + used, size - used, "%s%s (step "
			    "%s)", used ? ", " : "", names[k],
			    c->s.steps[i].number_text);
			if (w > 0 && (size_t)w < size - used)
				used += (size_t)w;
		}
	}
	free(names);
	return count;
}

/* What is on the medium, one entry a line (names escaped by the face). */
static void
list_medium(const char *dir, struct preflight_result *r)
{
	struct dirent **ents = NULL;
	char path[PATH_MAX];
	struct stat st;
	int n, i;

	if ((n = scandir(dir, &ents, NULL, alphasort)) < 0)
		return;
	ev(r, "on the medium:\n");
	for (i = 0; i < n; i++) {
		if (ents[i]->d_name[0] != '.' && i < LIST_MAX + 2 &&
		    file_join(path, sizeof path, dir, ents[i]->d_name) ==
		    OR_OK && lstat(path, &st) == 0)
			ev(r, "  %-40s %s\n", ents[i]->d_name,
			    S_ISDIR(st.st_mode) ? "folder" : S_ISREG(st.st_mode) ?
			    "file" : "other");
		free(ents[i]);
	}
	if (n > LIST_MAX + 2)
		ev(r, "  ... %d entries in all\n", n - 2);
	free(ents);
	err_clear();
}

/* Records the medium in use: its folder, device, label and UUID. */
static int
rec_medium(struct ceremony *c, const char *why)
{
	struct media_entry e;
	struct jfields f;
	int rc;

	if (c->p.media == NULL)
		return OR_OK;
	if ((rc = media_identify(&media_system, c->p.media, &e)) != OR_OK)
		return rc;
	jf_init(&f);
	jf_add(&f, "step", ceremony_cur_number(c));
	jf_add(&f, "path", c->p.media);
	jf_add(&f, "device", e.device);
	jf_add(&f, "fstype", e.fstype);
	jf_add(&f, "label", e.label);
	jf_add(&f, "uuid", e.uuid);
	jf_add(&f, "removable", e.removable ? "yes" : "no");
	jf_add(&f, "when", why);
	return ceremony_rec(c, "medium", &f);
}

/* The officer picks the medium (media_pick); it replaces --media. */
static int
pick(struct ceremony *c)
{
	const char *given[1];
	int rc;

	given[0] = c->p.media;
	if ((rc = media_pick(c->io, &media_system, given, c->p.media != NULL ?
	    1 : 0, c->media_buf, sizeof c->media_buf)) != OR_OK)
		return rc;
	c->p.media = c->media_buf;
	ceremony_push_status(c);
	return OR_OK;
}

enum slip { SLIP_RETRY, SLIP_OTHER, SLIP_ON, SLIP_ABANDON };

/* What the officer does about a missing medium or file (what): Retry,
 * choose another medium, go on (on: the label of that choice, or NULL
 * when there is none), or abandon.  Recorded ("media-missing"). */
static int
ask_slip(struct ceremony *c, const char *what, const char *on,
    enum slip *out)
{
	const char *opts[4];
	char q[1536];
	size_t n = 0, choice = 0;
	int rc;

	opts[n++] = "Retry (the medium is inserted and mounted, the files "
	    "are on it)";
	opts[n++] = "Choose another medium";
	if (on != NULL)
		opts[n++] = on;
	opts[n++] = "Abandon the ceremony (it can be resumed)";
	snprintf(q, sizeof q, "%s. What now?", what);
	if ((rc = c->io->choose(c->io, q, opts, n, &choice)) != OR_OK)
		return rc;
	*out = choice == 0 ? SLIP_RETRY : choice == 1 ? SLIP_OTHER :
	    choice == n - 1 ? SLIP_ABANDON : SLIP_ON;
	{
		static const char *const names[] = { "retry", "another medium",
		    "go on", "abandon" };
		struct jfields f;

		jf_init(&f);
		jf_add(&f, "step", ceremony_cur_number(c));
		jf_add(&f, "finding", what);
		jf_add(&f, "answer", names[*out]);
		if ((rc = ceremony_rec(c, "media-missing", &f)) != OR_OK)
			return rc;
	}
	if (*out == SLIP_ABANDON)
		return err_set(OR_E_CANCEL, "the officer abandoned the ceremony: "
		    "%s", what);
	return *out == SLIP_OTHER ? pick(c) : OR_OK;
}

/* One look at the medium for the pre-flight check. */
static int
look(struct ceremony *c, struct preflight_result *r)
{
	char missing[1024];
	size_t n;
	int rc;

	if ((rc = airgap_media(c->p.media, r)) != OR_OK || c->p.media == NULL ||
	    !r->pass)
		return rc;
	{
		struct media_entry e;

		if ((rc = media_identify(&media_system, c->p.media, &e)) !=
		    OR_OK)
			return rc;
		ev(r, "medium: device %s, file system %s, label %s, UUID %s%s\n",
		    e.device, e.fstype, e.label, e.uuid, e.removable ?
		    ", removable" : "");
	}
	list_medium(c->p.media, r);
	if ((n = missing_inputs(c, SIZE_MAX, missing, sizeof missing)) > 0) {
		r->pass = false;
		ev(r, "missing: %s\n", missing);
		if (snprintf(r->summary, sizeof r->summary, "media: %zu file%s "
		    "the script reads %s not on %s: %s", n, plural_s(n), n == 1 ?
		    "is" : "are", c->p.media, missing) >= (int)sizeof r->summary)
			memcpy(r->summary + sizeof r->summary - 4, "...", 4);
	}
	return OR_OK;
}

int
ceremony_media_preflight(struct ceremony *c, struct preflight_result *r)
{
	enum slip s;
	int rc;

	if (c->p.media == NULL && interactive(c) && (rc = pick(c)) != OR_OK)
		return rc;
	for (;;) {
		memset(r, 0, sizeof *r);
		if ((rc = look(c, r)) != OR_OK)
			return rc;
		if (r->pass || !interactive(c))
			break;
		c->io->show_block(c->io, r->summary, r->evidence);
		if ((rc = ask_slip(c, r->summary, "Go on without it (the check "
		    "stays failed and needs an override)", &s)) != OR_OK)
			return rc;
		if (s == SLIP_ON)
			break;
	}
	return r->pass ? rec_medium(c, "pre-flight") : OR_OK;
}

int
ceremony_media_need(struct ceremony *c)
{
	char missing[1024], what[1400];
	struct stat st;
	enum slip s;
	int rc;

	for (;;) {
		if (c->p.media != NULL && stat(c->p.media, &st) == 0 &&
		    S_ISDIR(st.st_mode)) {
			if (missing_inputs(c, c->current, missing,
			    sizeof missing) == 0)
				return OR_OK;
			snprintf(what, sizeof what, "the medium %s does not "
			    "hold what this step reads: %s", c->p.media,
			    missing);
		} else if (c->p.media != NULL)
			snprintf(what, sizeof what, "the medium %s is missing "
			    "(not a folder: is it mounted?)", c->p.media);
		else
			snprintf(what, sizeof what, "no medium was chosen, and "
			    "this step reads from one");
		if (!interactive(c))
			return err_set(c->p.media == NULL ? OR_E_USAGE : OR_E_IO,
			    "%s%s", what,
			    c->p.media == NULL ? ": give --media DIR" : "");
		if ((rc = ask_slip(c, what, NULL, &s)) != OR_OK)
			return rc;
	}
}

void
ceremony_media_wrote(struct ceremony *c, const char *path,
    const char sha[65])
{
	struct ceremony_written *w;

	if (c->nwritten >= nitems(c->written))
		return;
	w = &c->written[c->nwritten];
	snprintf(w->path, sizeof w->path, "%s", path);
	if (sha != NULL)
		snprintf(w->sha, sizeof w->sha, "%s", sha);
	else if (file_sha256_hex(path, w->sha) != OR_OK) {
		err_clear();
		return;
	}
	c->nwritten++;
}

/* Reads back one written file; a bundle's MANIFEST also every file it
 * lists, against the digest it gives.  *files counts them. */
static int
read_back(const struct ceremony_written *w, size_t *files)
{
	struct manifest_entry *m = NULL;
	unsigned char *text = NULL;
	char dir[PATH_MAX], p[PATH_MAX], hex[65];
	const char *b = strrchr(w->path, '/');
	size_t len, n = 0, i;
	int rc;

	if ((rc = media_read_back(w->path, w->sha)) != OR_OK)
		return rc;
	(*files)++;
	if (b == NULL || strcmp(b + 1, "MANIFEST") != 0)
		return OR_OK;
	file_dirname(w->path, dir, sizeof dir);
	if ((rc = file_read(w->path, FILE_MAX_INPUT, &text, &len)) != OR_OK ||
	    (rc = manifest_parse((const char *)text, len, &m, &n)) != OR_OK)
		goto out;
	for (i = 0; i < n && rc == OR_OK; i++) {
		hex_encode(m[i].sha256, 32, hex);
		if ((rc = file_join(p, sizeof p, dir, m[i].path)) == OR_OK &&
		    (rc = media_read_back(p, hex)) == OR_OK)
			(*files)++;
	}
out:
	free(m);
	free(text);
	return rc;
}

int
ceremony_media_leave(struct ceremony *c)
{
	struct jfields f;
	size_t i, files = 0;
	char count[24];
	int rc;

	if (c->p.media == NULL)
		return OR_OK;
	if ((rc = media_sync(c->p.media)) != OR_OK)
		return rc;
	for (i = 0; i < c->nwritten; i++)
		if ((rc = read_back(&c->written[i], &files)) != OR_OK)
			return rc;
	snprintf(count, sizeof count, "%zu", files);
	jf_init(&f);
	jf_add(&f, "path", c->p.media);
	jf_add(&f, "syncfs", "done");
	jf_add(&f, "files_read_back", count);
	jf_add(&f, "read_back", "match");
	if ((rc = ceremony_rec(c, "media-sync", &f)) != OR_OK)
		return rc;
	interact_say(c->io, SAY_INFO, "the medium %s is flushed (syncfs); %zu "
	    "file%s written to it read back with the same SHA-256", c->p.media,
	    files, plural_s(files));
	return rec_medium(c, "leaving");
}

int
ceremony_media_eject(struct ceremony *c, const char *copy, const char hex[65])
{
	static const char title[] = "Leaving the medium";
	struct media_entry e;
	bool yes = false;
	char q[PATH_MAX + 128], msg[3 * PATH_MAX], done[128];
	int rc;

	if (c->p.media == NULL)
		return OR_OK;
	if ((rc = media_sync(c->p.media)) != OR_OK ||
	    (copy != NULL && (rc = media_read_back(copy, hex)) != OR_OK) ||
	    (rc = media_identify(&media_system, c->p.media, &e)) != OR_OK)
		return rc;
	snprintf(done, sizeof done, "The medium is flushed (syncfs)%s.\n",
	    copy != NULL ? " and the transcript's copy on it reads back the "
	    "same" : "");
	if (!e.mountpoint && !e.removable)
		snprintf(msg, sizeof msg, "%s%s is a folder on %s, not a "
		    "removable medium: nothing to unmount.", done, c->p.media,
		    e.device);
	else if (!e.mountpoint)
		snprintf(msg, sizeof msg, "%s%s is a folder on the removable "
		    "medium %s. Before removing it, unmount it: umount %s (or "
		    "the desktop's eject).", done, c->p.media, e.device,
		    e.mount);
	else if (geteuid() != 0 || !interactive(c))
		snprintf(msg, sizeof msg, "%sBefore removing the medium, unmount "
		    "it: umount %s (or the desktop's eject).", done, c->p.media);
	else {
		snprintf(q, sizeof q, "Unmount the medium %s (label %s) now?",
		    c->p.media, e.label);
		if ((rc = c->io->confirm(c->io, q, &yes)) != OR_OK)
			return rc;
		if (yes && (rc = media_unmount(c->p.media)) != OR_OK)
			return rc;
		snprintf(msg, sizeof msg, yes ? "%s%s is unmounted: the medium "
		    "is safe to remove." : "%sNot unmounted: unmount it with "
		    "umount %s before removing it.", done, c->p.media);
	}
	c->io->show_block(c->io, title, msg);
	return OR_OK;
}
