/*
 * csrpick.c — which CSR on the medium a request means (csrpick.h).  A
 * reviewed script cannot know the file name a requester will bring (Vault
 * calls it pki_int.csr, a runbook vault-int.csr), and a ceremony must not
 * end at the sign step because of it: a pattern or "choose" is resolved
 * on the day, with the officer, and every candidate is read and parsed
 * first so that the list says what each file is.
 */
#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "csr.h"
#include "csrpick.h"
#include "err.h"
#include "fileio.h"
#include "names.h"
#include "util.h"

#define CSRPICK_TRIES	8	/* lists shown before the step gives up */

bool
csrpick_is_pattern(const char *item)
{
	return strcmp(item, "choose") == 0 || strpbrk(item, "*?[") != NULL;
}

/* "in/x*.csr" into the folder "in" and the pattern "x*.csr". */
static void
split_item(const char *item, char *dir, size_t size, const char **pat)
{
	const char *slash = strrchr(item, '/');

	if (slash == NULL) {
		dir[0] = '\0';
		*pat = item;
		return;
	}
	snprintf(dir, size, "%.*s", (int)(slash - item), item);
	*pat = slash + 1;
}

static bool
csr_like_name(const char *name)
{
	size_t n = strlen(name);

	return n > 4 && (strcasecmp(name + n - 4, ".csr") == 0 ||
	    strcasecmp(name + n - 4, ".req") == 0);
}

/* Reads and parses one file into its list line; false when a "choose"
 * list leaves it out (not a CSR, and not named like one). */
static bool
entry_fill(const char *path, const char *name, bool choosing,
    struct csrpick_entry *e)
{
	struct csr_info ci;
	char ename[256], subj[256], sha[65];
	int rc;

	memset(e, 0, sizeof *e);
	snprintf(e->name, sizeof e->name, "%s", name);
	names_escape_text(name, false, ename, sizeof ename);
	if ((rc = csr_load(path, &ci)) != OR_OK) {
		if (choosing && !csr_like_name(name)) {
			err_clear();
			return false;
		}
		names_escape_text(err_msg(rc), false, e->reason,
		    sizeof e->reason);
		if (snprintf(e->line, sizeof e->line, "%.200s  UNREADABLE: %s",
		    ename, e->reason) >= (int)sizeof e->line)
			memcpy(e->line + sizeof e->line - 4, "...", 4);
		err_clear();
		return true;
	}
	e->ok = true;
	hex_encode(ci.file_sha256, 32, sha);
	memcpy(e->file_sha256, sha, sizeof sha);
	names_escape_text(ci.subject, false, subj, sizeof subj);
	if (snprintf(e->line, sizeof e->line, "%.200s  %s  %.16s  %s", ename,
	    ci.key_name, sha, subj) >= (int)sizeof e->line)
		memcpy(e->line + sizeof e->line - 4, "...", 4);
	csr_free(&ci);
	return true;
}

static int
entry_cmp(const void *a, const void *b)
{
	const struct csrpick_entry *x = a, *y = b;

	return strcmp(x->name, y->name);
}

int
csrpick_scan(const char *media, const char *pattern,
    struct csrpick_list *out)
{
	char sub[256], dir[PATH_MAX], path[PATH_MAX], name[512];
	const char *pat = "*";
	bool choosing = pattern == NULL || strcmp(pattern, "choose") == 0;
	struct dirent *de;
	struct stat st;
	DIR *d;

	memset(out, 0, sizeof *out);
	sub[0] = '\0';
	if (!choosing)
		split_item(pattern, sub, sizeof sub, &pat);
	if (sub[0] == '\0')
		snprintf(dir, sizeof dir, "%s", media);
	else if (file_join(dir, sizeof dir, media, sub) != OR_OK)
		return err_set(OR_E_INPUT, "%s: the name is too long", pattern);
	if ((d = opendir(dir)) == NULL)
		return err_set(OR_E_ENV, "cannot read the medium's folder %s: "
		    "%s", dir, strerror(errno));
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.' || fnmatch(pat, de->d_name,
		    FNM_PERIOD) != 0)
			continue;
		if (file_join(path, sizeof path, dir, de->d_name) != OR_OK ||
		    lstat(path, &st) != 0 || S_ISDIR(st.st_mode))
			continue;
		snprintf(name, sizeof name, "%s%s%s", sub, sub[0] != '\0' ?
		    "/" : "", de->d_name);
		if (strlen(name) >= sizeof out->e[0].name)
			continue;
		if (out->n == CSRPICK_MAX) {
			out->more++;
			continue;
		}
		if (entry_fill(path, name, choosing, &out->e[out->n]))
			out->n++;
	}
	closedir(d);
	qsort(out->e, out->n, sizeof out->e[0], entry_cmp);
	return OR_OK;
}

static void
take(const struct csrpick_entry *e, const char *how,
    struct csrpick_result *res)
{
	snprintf(res->name, sizeof res->name, "%s", e->name);
	memcpy(res->file_sha256, e->file_sha256, sizeof res->file_sha256);
	res->how = how;
}

/*
 * The list, with "look again" and "abandon" after it.  *again: look at
 * the medium again; otherwise res is filled.  An unreadable file chosen
 * is refused with its reason, and the list comes back.
 */
static int
pick(struct interact *io, const struct csrpick_list *l, const char *prompt,
    struct csrpick_result *res, bool *again)
{
	const char *opts[CSRPICK_MAX + 2];
	size_t i, choice;
	int rc;

	*again = false;
	for (i = 0; i < l->n; i++)
		opts[i] = l->e[i].line;
	opts[l->n] = "(look at the medium again)";
	opts[l->n + 1] = "(abandon: sign nothing)";
	if ((rc = io->choose(io, prompt, opts, l->n + 2, &choice)) != OR_OK)
		return rc;
	if (choice == l->n) {
		*again = true;
		return OR_OK;
	}
	if (choice == l->n + 1)
		return err_set(OR_E_CANCEL, "no CSR chosen: the officer "
		    "abandoned");
	if (!l->e[choice].ok) {
		interact_say(io, SAY_WARN, "%s cannot be signed: %s",
		    l->e[choice].name, l->e[choice].reason);
		*again = true;
		return OR_OK;
	}
	take(&l->e[choice], "chosen", res);
	return OR_OK;
}

/* A plain name: on the medium, else look again, choose, or abandon. */
static int
resolve_named(struct interact *io, const char *media, const char *item,
    const char *what, struct csrpick_result *res, bool *choose)
{
	static const char *const opts[] = { "Look at the medium again",
	    "Choose another CSR on the medium", "Abandon: sign nothing" };
	char path[PATH_MAX], q[1024], ename[256];
	struct csrpick_entry e;
	struct stat st;
	size_t choice, tries;
	int rc;

	*choose = false;
	if ((rc = file_join(path, sizeof path, media, item)) != OR_OK)
		return rc;
	names_escape_text(item, false, ename, sizeof ename);
	for (tries = 0; tries < CSRPICK_TRIES; tries++) {
		if (stat(path, &st) == 0) {
			(void)entry_fill(path, item, false, &e);
			take(&e, "named", res);
			return OR_OK;
		}
		snprintf(q, sizeof q, "%s: %s is not on the medium %s", what,
		    ename, media);
		interact_say(io, SAY_WARN, "%s", q);
		if ((rc = io->choose(io, q, opts, 3, &choice)) != OR_OK)
			return err_set(OR_E_INPUT, "%s", q);
		if (choice == 1) {
			*choose = true;
			return OR_OK;
		}
		if (choice == 2)
			return err_set(OR_E_CANCEL, "%s: the officer abandoned",
			    q);
	}
	return err_set(OR_E_INPUT, "%s: %s is not on the medium %s", what,
	    ename, media);
}

/* A pattern or "choose": one list (or one match) per look. */
static int
resolve_pattern(struct interact *io, const char *media, const char *item,
    const char *what, struct csrpick_result *res)
{
	static const char *const none_opts[] = { "Look at the medium again",
	    "Abandon: sign nothing" };
	struct csrpick_list *l;
	char q[1024], eitem[256];
	bool choosing = strcmp(item, "choose") == 0, again = true;
	size_t tries, choice;
	int rc = OR_OK;

	if ((l = malloc(sizeof *l)) == NULL)
		return err_set(OR_E_NOMEM, "out of memory");
	names_escape_text(item, false, eitem, sizeof eitem);
	for (tries = 0; again && tries < CSRPICK_TRIES; tries++) {
		if ((rc = csrpick_scan(media, item, l)) != OR_OK)
			break;
		if (l->n == 0) {
			if (choosing)
				snprintf(q, sizeof q, "%s: no CSR on the medium "
				    "%s", what, media);
			else
				snprintf(q, sizeof q, "%s: no file on the "
				    "medium %s matches \"%s\"", what, media,
				    eitem);
			interact_say(io, SAY_WARN, "%s", q);
			if ((rc = io->choose(io, q, none_opts, 2, &choice)) !=
			    OR_OK) {
				rc = err_set(OR_E_INPUT, "%s", q);
				break;
			}
			if (choice == 1) {
				rc = err_set(OR_E_CANCEL, "%s: the officer "
				    "abandoned", q);
				break;
			}
			continue;
		}
		if (!choosing && l->n == 1 && l->e[0].ok && l->more == 0) {
			take(&l->e[0], "only match", res);
			interact_say(io, SAY_INFO, "%s: \"%s\" matches one file "
			    "on the medium: %s", what, eitem, l->e[0].line);
			again = false;
			break;
		}
		snprintf(q, sizeof q, "%s: which CSR on the medium %s%s%s%s? "
		    "(name, key, file SHA-256, subject)", what, media,
		    choosing ? "" : " (\"", choosing ? "" : eitem,
		    choosing ? "" : "\")");
		if (l->more > 0)
			interact_say(io, SAY_WARN, "%zu more files match; only "
			    "the first %d are listed", l->more, CSRPICK_MAX);
		if ((rc = pick(io, l, q, res, &again)) != OR_OK)
			break;
	}
	if (rc == OR_OK && again)
		rc = err_set(OR_E_INPUT, "%s: no CSR was chosen for \"%s\"",
		    what, eitem);
	free(l);
	return rc;
}

int
csrpick_resolve(struct interact *io, const char *media, const char *item,
    const char *what, struct csrpick_result *res)
{
	bool choose = false;
	int rc;

	memset(res, 0, sizeof *res);
	if (!csrpick_is_pattern(item)) {
		if ((rc = resolve_named(io, media, item, what, res,
		    &choose)) != OR_OK || !choose)
			return rc;
		item = "choose";
	}
	return resolve_pattern(io, media, item, what, res);
}
