/*
 * leftover.c — finding and settling what a killed `offroot init` left
 * beside its target (leftover.h): a staging folder that may hold a
 * complete, working second root.  Nothing here deletes or moves one
 * without the officers' decision, and each decision leaves a note beside
 * the evidence (or in its place) before anything is changed.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>

#include "cadb.h"
#include "err.h"
#include "fileio.h"
#include "leftover.h"
#include "util.h"

#define INIT_MARK	".offroot-init-"

int
leftover_decision_parse(const char *s, enum leftover_decision *d)
{
	if (strcmp(s, "keep") == 0)
		*d = LEFTOVER_KEEP;
	else if (strcmp(s, "wipe") == 0)
		*d = LEFTOVER_WIPE;
	else
		return err_set(OR_E_USAGE, "--leftover: expected keep or wipe, "
		    "got \"%s\"", s);
	return OR_OK;
}

const char *
leftover_decision_name(enum leftover_decision d)
{
	return d == LEFTOVER_KEEP ? "keep" : d == LEFTOVER_WIPE ? "wipe" :
	    "none";
}

/* ".BASE.offroot-init-XXXXXX": BASE and XXXXXX. */
static bool
name_match(const char *name, struct leftover *l)
{
	const char *m, *last = NULL;

	if (name[0] != '.')
		return false;
	for (m = strstr(name + 1, INIT_MARK); m != NULL;
	    m = strstr(m + 1, INIT_MARK))
		last = m;
	if (last == NULL || last == name + 1 || last[strlen(INIT_MARK)] == '\0' ||
	    (size_t)(last - name - 1) >= sizeof l->base ||
	    strlen(last + strlen(INIT_MARK)) >= sizeof l->suffix)
		return false;
	snprintf(l->base, sizeof l->base, "%.*s", (int)(last - name - 1),
	    name + 1);
	snprintf(l->suffix, sizeof l->suffix, "%s", last + strlen(INIT_MARK));
	return true;
}

/* One more share file in l->share_files; "..." once it is full. */
static void
add_share(struct leftover *l, const char *file)
{
	size_t n = strlen(l->share_files), want = strlen(file) + 1;

	if (n >= 3 && strcmp(l->share_files + n - 3, "...") == 0)
		return;
	if (n + want + 4 >= sizeof l->share_files) {
		snprintf(l->share_files + n, sizeof l->share_files - n, "%s...",
		    n ? " " : "");
		return;
	}
	snprintf(l->share_files + n, sizeof l->share_files - n, "%s%s",
	    n ? " " : "", file);
}

static int
transcript_visit(const struct jrecord *r, void *vctx)
{
	struct leftover *l = vctx;
	const char *v;

	if (strcmp(r->type, "token-key") == 0 &&
	    (v = jrecord_get(r, "key_uri")) != NULL)
		snprintf(l->key_uri, sizeof l->key_uri, "%s", v);
	else if (strcmp(r->type, "share-written") == 0 &&
	    (v = jrecord_get(r, "file")) != NULL)
		add_share(l, v);
	return OR_OK;
}

/* What the leftover's init transcript names: a token key (its
 * "token-key" record is written as soon as the key exists on the token),
 * the share files of a quorum key (each "share-written" as soon as it is
 * on the officer's media). */
static void
find_in_transcript(struct leftover *l)
{
	char dir[PATH_MAX], path[PATH_MAX];
	struct dirent *de;
	DIR *d;

	if (file_join(dir, sizeof dir, l->path, CADB_TRANSCRIPTS) != OR_OK ||
	    (d = opendir(dir)) == NULL)
		return;
	while ((de = readdir(d)) != NULL)
		if (strstr(de->d_name, "-init-") != NULL &&
		    file_join(path, sizeof path, dir, de->d_name) == OR_OK &&
		    journal_scan(path, transcript_visit, l) != OR_OK)
			err_clear();	/* a torn transcript: what it holds */
	closedir(d);
}

/* root.crt's SHA-256 (of the DER), when there is a readable one. */
static void
find_root(struct leftover *l)
{
	unsigned char *data = NULL, md[SHA256_LEN];
	char path[PATH_MAX];
	size_t len;
	X509 *x = NULL;
	BIO *b;

	if (file_join(path, sizeof path, l->path, CADB_ROOT_CERT) != OR_OK ||
	    file_read(path, 1u << 20, &data, &len) != OR_OK) {
		err_clear();
		return;
	}
	if ((b = BIO_new_mem_buf(data, (int)len)) != NULL)
		x = PEM_read_bio_X509(b, NULL, NULL, NULL);
	BIO_free(b);
	if (x != NULL && cert_sha256(x, md) == OR_OK)
		hex_encode(md, sizeof md, l->root_sha256);
	X509_free(x);
	free(data);
	err_clear();
}

/* A sealed key: root.key.sealed, or the temporary it was being written
 * through when the kill came (it holds the whole sealed key too). */
static bool
find_sealed(const struct leftover *l)
{
	struct dirent *de;
	bool found = false;
	DIR *d;

	if ((d = opendir(l->path)) == NULL)
		return false;
	while (!found && (de = readdir(d)) != NULL)
		found = strstr(de->d_name, CADB_SEALED_KEY) != NULL;
	closedir(d);
	return found;
}

static void
describe(struct leftover *l)
{
	char path[PATH_MAX];
	struct stat st;

	find_root(l);
	find_in_transcript(l);
	l->sealed_key = find_sealed(l);
	if (file_join(path, sizeof path, l->path, CADB_SEALED_KEY) == OR_OK &&
	    lstat(path, &st) == 0) {
		if (file_sha256_hex(path, l->key_file_sha256) != OR_OK)
			err_clear();
	} else if (file_join(path, sizeof path, l->path, CADB_KEY_URI) ==
	    OR_OK && lstat(path, &st) == 0 &&
	    file_sha256_hex(path, l->key_file_sha256) != OR_OK)
		err_clear();
}

/* Opens and locks one candidate; false for a folder another init still
 * works in (it holds the lock) or anything that is not a folder. */
static bool
take(const char *parent, const char *name, struct leftover *l)
{
	struct stat st;

	memset(l, 0, sizeof *l);
	l->fd = -1;
	if (!name_match(name, l) ||
	    file_join(l->path, sizeof l->path, parent, name) != OR_OK ||
	    lstat(l->path, &st) == -1 || !S_ISDIR(st.st_mode)) {
		err_clear();
		return false;
	}
	snprintf(l->name, sizeof l->name, "%s", name);
	if ((l->fd = open(l->path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC)) == -1)
		return false;
	if (flock(l->fd, LOCK_EX | LOCK_NB) == -1) {
		close(l->fd);
		l->fd = -1;
		return false;
	}
	describe(l);
	return true;
}

int
leftover_find(const char *dir, struct leftover_set *set)
{
	char parent[PATH_MAX];
	struct dirent *de;
	DIR *d;

	memset(set, 0, sizeof *set);
	file_dirname(dir, parent, sizeof parent);
	if ((d = opendir(parent)) == NULL)
		return errno == ENOENT ? OR_OK : err_errno(OR_E_IO, "%s",
		    parent);
	while ((de = readdir(d)) != NULL && set->n < LEFTOVER_MAX)
		if (strstr(de->d_name, INIT_MARK) != NULL &&
		    take(parent, de->d_name, &set->l[set->n]))
			set->n++;
	closedir(d);
	return OR_OK;
}

void
leftover_holds(const struct leftover *l, char *buf, size_t size)
{
	snprintf(buf, size, "%s%s%s%s%s%s", l->sealed_key ?
	    "a sealed root key" : l->key_uri[0] != '\0' ?
	    "a record of a root key on a token, " : "no key file", l->key_uri,
	    l->root_sha256[0] != '\0' ? ", root.crt SHA-256 " :
	    " and no root.crt", l->root_sha256, l->share_files[0] != '\0' ?
	    "; its init wrote the share files " : "", l->share_files);
}

/* Shows one leftover and asks the officers what to do with it. */
static int
ask(struct leftover_set *set, struct interact *io)
{
	static const char *const opts[] = {
		"keep it as evidence (moved aside, with a note)",
		"wipe it (key file overwritten, then everything removed)",
	};
	char block[PATH_MAX + 4096], what[3072];
	size_t choice = 0;
	int rc;

	leftover_holds(&set->l[0], what, sizeof what);
	snprintf(block, sizeof block, "folder: %s\nholds: %s\n%s"
	    "It is not a CA: no journal records this key.  Nothing goes on "
	    "until you decide what happens to it; the decision is recorded.\n",
	    set->l[0].path, what, set->n > 1 ? "(more such folders are "
	    "there: the same decision applies to each)\n" : "");
	io->show_block(io, "An interrupted offroot init left a root key "
	    "behind", block);
	if ((rc = io->choose(io, "What happens to the folder an interrupted "
	    "init left behind?", opts, nitems(opts), &choice)) != OR_OK)
		return rc;
	set->decision = choice == 0 ? LEFTOVER_KEEP : LEFTOVER_WIPE;
	set->by = "the officers, asked";
	return OR_OK;
}

int
leftover_decide(struct leftover_set *set, enum leftover_decision given,
    struct interact *io)
{
	char what[3072];

	set->decision = given;
	if (set->n == 0) {
		if (given == LEFTOVER_KEEP || given == LEFTOVER_WIPE)
			interact_say(io, SAY_INFO, "--leftover %s: no folder "
			    "of an interrupted init is there; nothing to do",
			    leftover_decision_name(given));
		return OR_OK;
	}
	switch (given) {
	case LEFTOVER_KEEP:
		set->by = "--leftover keep";
		return OR_OK;
	case LEFTOVER_WIPE:
		set->by = "--leftover wipe";
		return OR_OK;
	case LEFTOVER_ASK:
		return ask(set, io);
	case LEFTOVER_REFUSE:
		break;
	}
	leftover_holds(&set->l[0], what, sizeof what);
	return err_set(OR_E_EXISTS, "%s was left by an interrupted init and "
	    "holds %s%s; decide first: --leftover keep (set it aside as "
	    "evidence) or --leftover wipe (destroy it), see "
	    "offroot-recovery(7)", set->l[0].path, what, set->n > 1 ?
	    " (and more such folders are there)" : "");
}

/* The note that says what the folder was and what was decided. */
static int
write_note(const struct leftover_set *set, const struct leftover *l,
    const char *path)
{
	char text[PATH_MAX + 6144], now[32], what[3072];
	int n;

	utc_text(time(NULL), now);
	leftover_holds(l, what, sizeof what);
	n = snprintf(text, sizeof text,
	    "offroot init leftover\n\n"
	    "folder:     %s\n"
	    "holds:      %s\n"
	    "key file SHA-256: %s\n"
	    "decision:   %s (%s)\n"
	    "by:         %s\n"
	    "at:         %s\n\n"
	    "An offroot init was interrupted (killed, or the power failed) "
	    "before it moved its new CA into place.  The folder is not a CA: "
	    "no journal records its key.  %s\n"
	    "See offroot-recovery(7), \"A leftover init key\".\n",
	    l->path, what, l->key_file_sha256[0] ? l->key_file_sha256 : "none",
	    leftover_decision_name(set->decision),
	    set->decision == LEFTOVER_KEEP ? "kept as evidence" : "wiped",
	    set->by != NULL ? set->by : "?", now,
	    set->decision == LEFTOVER_KEEP ? "It was kept as evidence, "
	    "renamed so that its name says so.  Its key still works: keep it "
	    "under the same custody as the root key, or wipe it later." :
	    "Its key file was overwritten with random bytes, fsynced and "
	    "removed; then the folder was removed.  On flash media the old "
	    "blocks may survive the overwrite: destroy the medium if that "
	    "matters.");
	if (n < 0 || (size_t)n >= sizeof text)
		return err_set(OR_E_INPUT, "path too long: %s", l->path);
	return file_replace(path, text, (size_t)n, 0644);
}

int
leftover_wipe_file(const char *path)
{
	unsigned char buf[4096];
	struct stat st;
	off_t left;
	size_t k;
	int fd;

	if ((fd = open(path, O_WRONLY | O_NOFOLLOW | O_CLOEXEC)) == -1)
		return errno == ENOENT ? OR_OK : err_errno(OR_E_IO, "%s", path);
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		close(fd);
		return err_set(OR_E_IO, "%s is not a regular file", path);
	}
	for (left = st.st_size; left > 0; left -= (off_t)k) {
		k = left > (off_t)sizeof buf ? sizeof buf : (size_t)left;
		if (RAND_bytes(buf, (int)k) != 1 ||
		    file_write_all(fd, buf, k) == -1) {
			close(fd);
			return err_errno(OR_E_IO, "overwriting %s", path);
		}
	}
	if (fsync(fd) == -1 || close(fd) == -1)
		return err_errno(OR_E_IO, "overwriting %s", path);
	if (unlink(path) == -1)
		return err_errno(OR_E_IO, "removing %s", path);
	return OR_OK;
}

/* Removes a folder an init staged: files one level down in its
 * sub-folders, and the sub-folders. */
static int
remove_tree(const char *path, int depth)
{
	char sub[PATH_MAX];
	struct dirent *de;
	struct stat st;
	int rc = OR_OK;
	DIR *d;

	if ((d = opendir(path)) == NULL)
		return errno == ENOENT ? OR_OK : err_errno(OR_E_IO, "%s", path);
	while (rc == OR_OK && (de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if ((rc = file_join(sub, sizeof sub, path, de->d_name)) != OR_OK)
			break;
		if (lstat(sub, &st) == 0 && S_ISDIR(st.st_mode) && depth > 0)
			rc = remove_tree(sub, depth - 1);
		else if (strstr(de->d_name, CADB_SEALED_KEY) != NULL)
			rc = leftover_wipe_file(sub);	/* the key, or its temporary */
		else if (unlink(sub) == -1)
			rc = err_errno(OR_E_IO, "removing %s", sub);
	}
	closedir(d);
	if (rc == OR_OK && rmdir(path) == -1)
		rc = err_errno(OR_E_IO, "removing %s", path);
	return rc;
}

static int
apply_one(struct leftover_set *set, struct leftover *l, const char *parent)
{
	char name[PATH_MAX];
	int rc;

	if (set->decision == LEFTOVER_KEEP) {
		snprintf(name, sizeof name, "%s.init-leftover-%s.kept-as-evidence",
		    l->base, l->suffix);
		if ((rc = file_join(l->kept_as, sizeof l->kept_as, parent,
		    name)) != OR_OK ||
		    (rc = file_join(l->note, sizeof l->note, l->path,
		    "LEFTOVER.txt")) != OR_OK ||
		    (rc = write_note(set, l, l->note)) != OR_OK)
			return rc;
		if (renameat2(AT_FDCWD, l->path, AT_FDCWD, l->kept_as,
		    RENAME_NOREPLACE) == -1)
			return err_errno(errno == EEXIST ? OR_E_EXISTS : OR_E_IO,
			    "moving %s aside to %s", l->path, l->kept_as);
		if ((rc = file_join(l->note, sizeof l->note, l->kept_as,
		    "LEFTOVER.txt")) != OR_OK)
			return rc;
		return file_sync_dir(parent);
	}
	snprintf(name, sizeof name, "%s.init-leftover-%s.wiped.txt", l->base,
	    l->suffix);
	if ((rc = file_join(l->note, sizeof l->note, parent, name)) != OR_OK ||
	    (rc = write_note(set, l, l->note)) != OR_OK ||
	    (rc = remove_tree(l->path, 1)) != OR_OK)
		return rc;
	return file_sync_dir(parent);
}

int
leftover_apply(struct leftover_set *set, struct interact *io)
{
	char parent[PATH_MAX];
	struct leftover *l;
	size_t i;
	int rc;

	for (i = 0; i < set->n; i++) {
		l = &set->l[i];
		file_dirname(l->path, parent, sizeof parent);
		if ((rc = apply_one(set, l, parent)) != OR_OK)
			return err_context(rc, "the leftover %s", l->path);
		if (set->decision == LEFTOVER_KEEP)
			interact_say(io, SAY_WARN, "kept as evidence: %s (its "
			    "key still works; the note LEFTOVER.txt in it says "
			    "what it is)", l->kept_as);
		else
			interact_say(io, SAY_INFO, "wiped %s; the note %s says "
			    "so", l->path, l->note);
		if (set->decision == LEFTOVER_WIPE && l->share_files[0] != '\0')
			interact_say(io, SAY_WARN, "the share files its init "
			    "wrote open nothing now: destroy them: %s",
			    l->share_files);
		if (l->key_uri[0] != '\0')
			interact_say(io, SAY_WARN, "the key %s is still on the "
			    "token: offroot does not delete token objects; "
			    "remove it with the vendor's tool if it is not "
			    "kept as evidence", l->key_uri);
	}
	return OR_OK;
}

void
leftover_fields(const struct leftover_set *set, size_t i, struct jfields *f)
{
	const struct leftover *l = &set->l[i];

	jf_init(f);
	jf_add(f, "folder", l->path);
	jf_add(f, "decision", leftover_decision_name(set->decision));
	jf_add(f, "by", set->by != NULL ? set->by : "?");
	jf_add(f, "root_sha256", l->root_sha256[0] ? l->root_sha256 : "none");
	jf_add(f, "key", l->sealed_key ? "sealed" : l->key_uri[0] ?
	    "pkcs11" : "none");
	/* Not "key_file_sha256": that name says the CA's key file changed
	 * (audit, cadb). */
	jf_add(f, "leftover_key_file_sha256",
	    l->key_file_sha256[0] ? l->key_file_sha256 : "none");
	if (l->key_uri[0] != '\0')
		jf_add(f, "key_uri", l->key_uri);
	if (l->share_files[0] != '\0')
		jf_add(f, "share_files", l->share_files);
	if (set->decision == LEFTOVER_KEEP)
		jf_add(f, "kept_as", l->kept_as);
	jf_add(f, "note", l->note);
}

void
leftover_free(struct leftover_set *set)
{
	size_t i;

	for (i = 0; i < set->n; i++)
		if (set->l[i].fd != -1)
			close(set->l[i].fd);
	set->n = 0;
}
