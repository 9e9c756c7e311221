/*
 * backup.c — the backup engine (backup.h): a verified copy of the whole CA
 * directory on backup media, and the check of such a copy later, alone or
 * against the live CA.  A backup is only worth its read-back: the copy is
 * compared with the original on the media itself before it is named, so
 * that a failing or full medium leaves nothing that looks like a backup.
 * It talks to the officer through struct interact only and returns error
 * codes; cmd-backup.c is the command around it.
 *
 * A backup is one folder, DEST/<ca>-backup-<UTC>, holding a copy of every
 * file of the CA directory (sealed key file or key reference, root.crt,
 * journal, profiles.cnf, transcripts/, crls/, issued/, exports/) and a
 * MANIFEST naming each file with its SHA-256.  It is written into a hidden
 * staging folder beside it, every file is synced and read back from the
 * media (page cache dropped) and compared, and only then is the folder
 * renamed into place: a full or failing medium (exit 3) leaves nothing.
 * The CA journal records each backup with the manifest's SHA-256.
 *
 * backup_check given the live CA also compares the backup with it:
 * the backup's journal must be a byte prefix of the live journal (the same
 * hash chain, cut earlier), root.crt identical, the key file identical or
 * explainably older (a reshare recorded after the backup re-sealed it),
 * root.crt identical or explainably older (a renew-root recorded after the
 * backup replaced it, and the live CA keeps it under roots/), and every
 * other file the backup holds still in the live CA, unchanged (a
 * transcript left unclosed at backup time may only have grown).
 *
 * MANIFEST (text, LF line ends):
 *   offroot-backup 1
 *   root-sha256 HEX          the root certificate's SHA-256
 *   journal-records N        the journal copied: its record count ...
 *   journal-head HEX         ... and last record's hash
 *   created UTC
 *   file HEX MODE PATH       one per file, PATH relative, "/" separated
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "backup.h"
#include "cadb.h"
#include "err.h"
#include "fileio.h"
#include "journal.h"
#include "recover.h"
#include "util.h"

#define BACKUP_MANIFEST		"MANIFEST"
#define BACKUP_MAGIC		"offroot-backup 1\n"
#define BACKUP_MAX_FILES	100000
#define BACKUP_MAX_DEPTH	4
#define BACKUP_FILE_MAX		(1u << 30)
#define BACKUP_MANIFEST_MAX	(64u << 20)

struct bfile {
	char rel[PATH_MAX];
	mode_t mode;
	unsigned char sha[SHA256_LEN];
	bool dir;		/* a folder to create (no content) */
};

struct blist {
	struct bfile *f;
	size_t n, cap;
};

static int
blist_add(struct blist *l, const char *rel, mode_t mode, bool dir)
{
	struct bfile *nf;

	if (l->n == BACKUP_MAX_FILES)
		return err_set(OR_E_INPUT, "more than %d files to back up",
		    BACKUP_MAX_FILES);
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 64;
		if ((nf = realloc(l->f, l->cap * sizeof *nf)) == NULL)
			return err_set(OR_E_NOMEM, "out of memory");
		l->f = nf;
	}
	memset(&l->f[l->n], 0, sizeof l->f[l->n]);
	snprintf(l->f[l->n].rel, sizeof l->f[l->n].rel, "%s", rel);
	l->f[l->n].mode = mode & 0777;
	l->f[l->n].dir = dir;
	l->n++;
	return OR_OK;
}

static int
bcmp_rel(const void *a, const void *b)
{
	return strcmp(((const struct bfile *)a)->rel,
	    ((const struct bfile *)b)->rel);
}

/* Every regular file and folder under root/rel (names beginning with "."
 * are temporaries and staging folders, and are left out). */
static int
walk(const char *root, const char *rel, int depth, struct blist *l)
{
	char path[PATH_MAX], sub[PATH_MAX];
	struct dirent *de;
	struct stat st;
	DIR *d;
	int n, rc = OR_OK;

	n = snprintf(path, sizeof path, "%s%s%s", root, rel[0] ? "/" : "", rel);
	if (n < 0 || (size_t)n >= sizeof path)
		return err_set(OR_E_INPUT, "path too long under %s", root);
	if ((d = opendir(path)) == NULL)
		return err_errno(OR_E_IO, "%s", path);
	while (rc == OR_OK && (de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		n = snprintf(sub, sizeof sub, "%s%s%s", rel, rel[0] ? "/" : "",
		    de->d_name);
		if (n < 0 || (size_t)n >= sizeof sub ||
		    file_join(path, sizeof path, root, sub) != OR_OK) {
			rc = err_set(OR_E_INPUT, "path too long under %s", root);
			break;
		}
		if (lstat(path, &st) == -1)
			rc = err_errno(OR_E_IO, "%s", path);
		else if (S_ISREG(st.st_mode))
			rc = blist_add(l, sub, st.st_mode, false);
		else if (S_ISDIR(st.st_mode) && depth < BACKUP_MAX_DEPTH) {
			if ((rc = blist_add(l, sub, st.st_mode, true)) == OR_OK)
				rc = walk(root, sub, depth + 1, l);
		} else
			rc = err_set(OR_E_INPUT, "%s is not a regular file or a "
			    "folder offroot made; refusing to back it up",
			    path);
	}
	closedir(d);
	return rc;
}

/* Removes a staging folder and everything the backup put in it. */
static void
unstage(const char *stage, const struct blist *l)
{
	char path[PATH_MAX];
	size_t i;

	(void)file_join(path, sizeof path, stage, BACKUP_MANIFEST);
	unlink(path);
	for (i = l->n; i > 0; i--) {
		if (file_join(path, sizeof path, stage, l->f[i - 1].rel) !=
		    OR_OK)
			continue;
		if (l->f[i - 1].dir)
			rmdir(path);
		else
			unlink(path);
	}
	rmdir(stage);
}

static int
manifest_text(const char *root_sha, const struct cadb *db,
    const struct blist *l, char **out, size_t *outlen)
{
	char head[65], when[21], sha[65], line[PATH_MAX + 128];
	size_t cap = 4096, len = 0, i, n;
	char *buf, *nb;

	hex_encode(journal_head(db->journal), 32, head);
	utc_text(time(NULL), when);
	if ((buf = malloc(cap)) == NULL)
		return err_set(OR_E_NOMEM, "out of memory");
	len = (size_t)snprintf(buf, cap, "%sroot-sha256 %s\njournal-records "
	    "%llu\njournal-head %s\ncreated %s\n", BACKUP_MAGIC, root_sha,
	    (unsigned long long)journal_seq(db->journal), head, when);
	for (i = 0; i < l->n; i++) {
		if (l->f[i].dir)
			continue;
		hex_encode(l->f[i].sha, SHA256_LEN, sha);
		n = (size_t)snprintf(line, sizeof line, "file %s %04o %s\n",
		    sha, (unsigned)l->f[i].mode, l->f[i].rel);
		if (len + n + 1 > cap) {
			cap = 2 * (len + n + 1);
			if ((nb = realloc(buf, cap)) == NULL) {
				free(buf);
				return err_set(OR_E_NOMEM, "out of memory");
			}
			buf = nb;
		}
		memcpy(buf + len, line, n + 1);
		len += n;
	}
	*out = buf;
	*outlen = len;
	return OR_OK;
}

/* Copies every file and folder of the list into the staging folder,
 * noting each file's SHA-256 in the list. */
static int
stage_copy(const struct cadb *db, struct blist *l, const char *stage)
{
	char path[PATH_MAX], src[PATH_MAX];
	unsigned char *data = NULL;
	size_t i, len;
	int rc = OR_OK;

	for (i = 0; i < l->n; i++) {
		if ((rc = file_join(path, sizeof path, stage, l->f[i].rel)) !=
		    OR_OK)
			break;
		if (l->f[i].dir) {
			if (mkdir(path, 0755) == -1) {
				rc = err_errno(OR_E_IO, "%s", path);
				break;
			}
			continue;
		}
		if ((rc = file_join(src, sizeof src, db->dir, l->f[i].rel)) !=
		    OR_OK ||
		    (rc = file_read(src, BACKUP_FILE_MAX, &data, &len)) !=
		    OR_OK ||
		    (rc = sha256(data, len, l->f[i].sha)) != OR_OK ||
		    (rc = file_write_new_ex(path, data, len, l->f[i].mode,
		    FILE_DIRECT | FILE_BATCH)) != OR_OK)
			break;
		free(data);
		data = NULL;
	}
	free(data);
	return rc;
}

/* Syncs every folder, then reads every file back from the media and
 * compares it with the original's SHA-256. */
static int
stage_read_back(const struct blist *l, const char *stage)
{
	char path[PATH_MAX];
	unsigned char *data = NULL, md[SHA256_LEN];
	size_t i, len;
	int rc;

	if ((rc = file_batch_sync(stage)) != OR_OK)
		return rc;
	for (i = 0; i < l->n; i++)
		if (l->f[i].dir && ((rc = file_join(path, sizeof path, stage,
		    l->f[i].rel)) != OR_OK ||
		    (rc = file_batch_sync(path)) != OR_OK))
			return rc;
	for (i = 0; i < l->n; i++) {
		if (l->f[i].dir)
			continue;
		if ((rc = file_join(path, sizeof path, stage, l->f[i].rel)) !=
		    OR_OK ||
		    (rc = file_read(path, BACKUP_FILE_MAX, &data, &len)) !=
		    OR_OK || (rc = sha256(data, len, md)) != OR_OK) {
			free(data);
			return rc;
		}
		free(data);
		data = NULL;
		if (memcmp(md, l->f[i].sha, SHA256_LEN) != 0)
			return err_set(OR_E_IO, "%s: the copy read back differs "
			    "from the original: the media is failing", path);
	}
	return OR_OK;
}

/* Writes the staging folder's MANIFEST; its SHA-256 into manifest_sha. */
static int
stage_manifest(const struct cadb *db, const struct blist *l,
    const char *stage, char manifest_sha[65])
{
	char path[PATH_MAX], *man = NULL;
	unsigned char md[SHA256_LEN];
	size_t manlen = 0;
	int rc;

	if ((rc = manifest_text(db->sum.root_sha256, db, l, &man, &manlen)) ==
	    OR_OK &&
	    (rc = file_join(path, sizeof path, stage, BACKUP_MANIFEST)) ==
	    OR_OK &&
	    (rc = file_write_new_ex(path, man, manlen, 0644, FILE_DIRECT)) ==
	    OR_OK && (rc = sha256(man, manlen, md)) == OR_OK)
		hex_encode(md, sizeof md, manifest_sha);
	free(man);
	return rc;
}

/* The backup record: the destination, how many files, the journal copied
 * and the MANIFEST's SHA-256. */
static int
record_backup(struct cadb *db, const struct blist *l, const char *final,
    const char *manifest_sha)
{
	char count[24], seq[24];
	size_t i, nfiles = 0;
	struct jfields f;

	for (i = 0; i < l->n; i++)
		nfiles += !l->f[i].dir;
	snprintf(count, sizeof count, "%zu", nfiles);
	snprintf(seq, sizeof seq, "%llu",
	    (unsigned long long)journal_seq(db->journal));
	jf_init(&f);
	jf_add(&f, "destination", final);
	jf_add(&f, "files", count);
	jf_add(&f, "journal_records", seq);
	jf_add(&f, "manifest_sha256", manifest_sha);
	return cadb_append(db, "backup", &f);
}

/* One destination: staged, written, synced, read back, then recorded in
 * the journal, and only then renamed into place: a complete backup never
 * exists without its backup record.  On failure before the record the
 * staging folder and everything in it is removed. */
static int
backup_one(struct cadb *db, struct blist *l, const char *to,
    const char *name, char *final, size_t fsize, char manifest_sha[65])
{
	char stage[PATH_MAX];
	bool recorded = false;
	int n, rc;

	n = snprintf(stage, sizeof stage, "%s/.%s" FILE_STAGE_MARK "XXXXXX",
	    to, name);
	if (n < 0 || (size_t)n >= sizeof stage ||
	    file_join(final, fsize, to, name) != OR_OK)
		return err_set(OR_E_INPUT, "path too long: %s", to);
	if (access(final, F_OK) == 0)
		return err_set(OR_E_EXISTS, "%s already exists", final);
	if (mkdtemp(stage) == NULL)
		return err_errno(OR_E_IO, "cannot create a folder in %s", to);
	if ((rc = stage_copy(db, l, stage)) != OR_OK ||
	    (rc = stage_read_back(l, stage)) != OR_OK ||
	    (rc = stage_manifest(db, l, stage, manifest_sha)) != OR_OK ||
	    (rc = record_backup(db, l, final, manifest_sha)) != OR_OK)
		goto out;
	recorded = true;
	if (renameat2(AT_FDCWD, stage, AT_FDCWD, final, RENAME_NOREPLACE) ==
	    -1) {
		rc = err_errno(errno == EEXIST ? OR_E_EXISTS : OR_E_IO,
		    "the backup is recorded, but moving it from %s into %s",
		    stage, final);
		goto out;
	}
	rc = file_sync_dir(to);
out:
	if (rc != OR_OK && !recorded) {
		if (access(stage, F_OK) == 0)
			unstage(stage, l);
		rc = err_context(rc, "backup to %s (nothing was left there)",
		    to);
	} else if (rc != OR_OK)
		rc = err_context(rc, "backup to %s", to);
	return rc;
}

int
backup_make(const char *dir, const char *const *to, size_t nto,
    struct interact *io)
{
	const char *base;
	struct cadb *db = NULL;
	struct blist l = { NULL, 0, 0 };
	char name[256], stamp[21], final[PATH_MAX], msha[65];
	size_t i, k, nfiles = 0;
	time_t now = time(NULL);
	struct tm tm;
	int rc;

	if (nto == 0)
		return err_set(OR_E_INPUT, "backup: no destination given");
	for (k = 0; k < nto; k++)
		if (file_within(to[k], dir))
			return err_set(OR_E_USAGE, "%s is inside the CA directory "
			    "%s: a backup goes to other media", to[k], dir);
	if ((rc = cadb_open(dir, &db)) != OR_OK)
		return rc;
	if ((rc = recover_ca_load(db, io)) != OR_OK)
		goto out;
	if ((rc = walk(db->dir, "", 0, &l)) != OR_OK)
		goto out;
	qsort(l.f, l.n, sizeof l.f[0], bcmp_rel);
	for (i = 0; i < l.n; i++)
		nfiles += !l.f[i].dir;
	base = strrchr(db->dir, '/');
	base = base != NULL && base[1] != '\0' ? base + 1 : db->dir;
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
	snprintf(name, sizeof name, "%.200s-backup-%s", base, stamp);
	for (k = 0; k < nto; k++) {
		recover_say_stages(to[k], "backup", NULL, io);
		io->progress(io, "Writing and reading back the backup", -1);
		rc = backup_one(db, &l, to[k], name, final, sizeof final, msha);
		io->progress(io, NULL, 1);
		if (rc != OR_OK)
			goto out;
		interact_say(io, SAY_RESULT, "backed up %zu files to %s "
		    "(read back and compared; MANIFEST SHA-256 %s)", nfiles,
		    final, msha);
	}
out:
	free(l.f);
	cadb_close(db);
	return rc;
}

/* ---- --check ---- */

static int
check_line(const char *bdir, char *line, struct blist *seen, size_t *nfiles)
{
	unsigned char want[SHA256_LEN], md[SHA256_LEN], *data = NULL;
	char path[PATH_MAX], *sha, *mode, *rel, *end;
	size_t len;
	int rc;

	if (strncmp(line, "file ", 5) != 0)
		return OR_OK;
	sha = line + 5;
	if ((mode = strchr(sha, ' ')) == NULL)
		goto bad;
	*mode++ = '\0';
	if ((rel = strchr(mode, ' ')) == NULL)
		goto bad;
	*rel++ = '\0';
	(void)strtoul(mode, &end, 8);
	if (*end != '\0' || hex_decode(sha, want, sizeof want) != OR_OK ||
	    rel[0] == '\0' || rel[0] == '/' || strstr(rel, "..") != NULL ||
	    strcmp(rel, BACKUP_MANIFEST) == 0)
		goto bad;
	if ((rc = file_join(path, sizeof path, bdir, rel)) != OR_OK)
		return rc;
	if ((rc = file_read(path, BACKUP_FILE_MAX, &data, &len)) != OR_OK)
		return err_set(OR_E_CORRUPT, "%s is missing or unreadable: %s",
		    rel, err_msg(rc));
	rc = sha256(data, len, md);
	free(data);
	if (rc != OR_OK)
		return rc;
	if (memcmp(md, want, SHA256_LEN) != 0)
		return err_set(OR_E_CORRUPT, "%s was altered after the backup "
		    "(its SHA-256 is not the one MANIFEST records)", rel);
	(*nfiles)++;
	return blist_add(seen, rel, 0, false);
bad:
	return err_set(OR_E_CORRUPT, "MANIFEST: malformed line \"%.80s\"", line);
}

/* ---- --check -d: against the live CA ---- */

struct reshare_seen {
	uint64_t after;		/* the backup's last record */
	uint64_t seq;		/* the first reshare after it, 0: none */
	char when[21];
};

static int
reshare_visit(const struct jrecord *r, void *vctx)
{
	struct reshare_seen *rs = vctx;

	if (r->seq > rs->after && rs->seq == 0 &&
	    strcmp(r->type, "reshare") == 0) {
		rs->seq = r->seq;
		snprintf(rs->when, sizeof rs->when, "%s", r->time_text);
	}
	return OR_OK;
}

/* The first renewal after the backup that replaced the backup's root.crt
 * (its file digest is the record's previous_file_sha256). */
struct renew_seen {
	uint64_t after, seq;
	const char *file_sha256;
	char when[21], kept[96];
};

static int
renew_visit(const struct jrecord *r, void *vctx)
{
	struct renew_seen *rs = vctx;
	const char *v, *f;

	if (r->seq > rs->after && rs->seq == 0 &&
	    strcmp(r->type, "renew-root") == 0 &&
	    (v = jrecord_get(r, "previous_file_sha256")) != NULL &&
	    strcmp(v, rs->file_sha256) == 0) {
		rs->seq = r->seq;
		snprintf(rs->when, sizeof rs->when, "%s", r->time_text);
		f = jrecord_get(r, "previous_file");
		snprintf(rs->kept, sizeof rs->kept, "%s", f != NULL ? f : "");
	}
	return OR_OK;
}

/* The backup's root.crt differs from the live one: a renewal since. */
static int
live_root(const char *live, const struct cadb_summary *bs,
    const unsigned char *b, size_t blen, struct interact *io)
{
	struct cadb_summary tmp;
	struct renew_seen rs;
	unsigned char md[SHA256_LEN];
	char bhex[65];
	int rc;

	if ((rc = sha256(b, blen, md)) != OR_OK)
		return rc;
	hex_encode(md, sizeof md, bhex);
	memset(&rs, 0, sizeof rs);
	rs.after = bs->records;
	rs.file_sha256 = bhex;
	if ((rc = cadb_scan(live, &tmp, renew_visit, &rs)) != OR_OK)
		return rc;
	if (rs.seq == 0)
		return err_set(OR_E_CORRUPT, "%s differs from the live CA's, and "
		    "no renewal recorded after the backup explains it",
		    CADB_ROOT_CERT);
	interact_say(io, SAY_RESULT, "%s older than the live one: renewed by "
	    "the renew-root at journal record %llu (%s); the live CA keeps "
	    "this certificate as %s", CADB_ROOT_CERT,
	    (unsigned long long)rs.seq, rs.when, rs.kept);
	return OR_OK;
}

/* Reads bdir/rel and live/rel: 1 when the live file is missing. */
static int
read_pair(const char *bdir, const char *live, const char *rel,
    unsigned char **b, size_t *blen, unsigned char **l, size_t *llen)
{
	char path[PATH_MAX];
	int rc;

	*b = *l = NULL;
	if ((rc = file_join(path, sizeof path, bdir, rel)) != OR_OK ||
	    (rc = file_read(path, BACKUP_FILE_MAX, b, blen)) != OR_OK ||
	    (rc = file_join(path, sizeof path, live, rel)) != OR_OK)
		return rc;
	if (access(path, F_OK) == -1 && errno == ENOENT)
		return 1;
	return file_read(path, BACKUP_FILE_MAX, l, llen);
}

/* The journal: the backup's is the live one cut earlier. */
static int
live_journal(const char *bdir, const char *live, uint64_t brecs,
    uint64_t lrecs, struct interact *io)
{
	unsigned char *b = NULL, *l = NULL;
	size_t blen = 0, llen = 0, i, n;
	uint64_t rec = 0;
	int rc;

	if ((rc = read_pair(bdir, live, CADB_JOURNAL, &b, &blen, &l, &llen))
	    != OR_OK) {
		if (rc == 1)
			rc = err_set(OR_E_INPUT, "%s has no journal: not a CA "
			    "directory", live);
		goto out;
	}
	n = blen < llen ? blen : llen;
	for (i = 0; i < n && b[i] == l[i]; i++)
		if (b[i] == '\n')
			rec++;
	if (i < n || blen > llen) {
		if (i == n)
			rc = err_set(OR_E_CORRUPT, "journal: the backup holds "
			    "%llu records, the live CA only %llu: the live "
			    "journal lost records (compare with offroot audit; "
			    "this backup may be what to restore)",
			    (unsigned long long)brecs,
			    (unsigned long long)lrecs);
		else
			rc = err_set(OR_E_CORRUPT, "journal: the backup's "
			    "journal is not a prefix of the live one (they "
			    "differ from record %llu): a backup of another CA, "
			    "or a journal rewritten since",
			    (unsigned long long)rec);
		goto out;
	}
	if (lrecs == brecs)
		interact_say(io, SAY_RESULT, "journal: identical to the live "
		    "one (%llu records)", (unsigned long long)brecs);
	else
		interact_say(io, SAY_RESULT, "journal: the live one's first "
		    "%llu records of %llu; %llu records after the backup "
		    "(make a new backup)", (unsigned long long)brecs,
		    (unsigned long long)lrecs,
		    (unsigned long long)(lrecs - brecs));
	rc = OR_OK;
out:
	free(b);
	free(l);
	return rc;
}

/* The key file (or key reference): identical, or the one the backup's
 * journal recorded, replaced since by a reshare the live journal records
 * after the backup. */
static int
live_key(const char *bdir, const char *live, const char *rel,
    const struct cadb_summary *bs, const struct cadb_summary *ls,
    struct interact *io)
{
	struct reshare_seen rs;
	struct cadb_summary tmp;
	unsigned char *b = NULL, *l = NULL, md[SHA256_LEN];
	char bhex[65], lhex[65];
	size_t blen = 0, llen = 0;
	int rc;

	if ((rc = read_pair(bdir, live, rel, &b, &blen, &l, &llen)) != OR_OK) {
		if (rc == 1)
			rc = err_set(OR_E_CORRUPT, "%s: the live CA has no %s",
			    rel, rel);
		goto out;
	}
	if ((rc = sha256(b, blen, md)) != OR_OK)
		goto out;
	hex_encode(md, sizeof md, bhex);
	if (bs->key_file_sha256[0] != '\0' &&
	    strcmp(bhex, bs->key_file_sha256) != 0) {
		rc = err_set(OR_E_CORRUPT, "%s in the backup is not the key "
		    "file the backup's own journal records", rel);
		goto out;
	}
	if (blen == llen && memcmp(b, l, blen) == 0) {
		interact_say(io, SAY_RESULT, "%s identical to the live one",
		    rel);
		goto out;
	}
	if ((rc = sha256(l, llen, md)) != OR_OK)
		goto out;
	hex_encode(md, sizeof md, lhex);
	memset(&rs, 0, sizeof rs);
	rs.after = bs->records;
	if ((rc = cadb_scan(live, &tmp, reshare_visit, &rs)) != OR_OK)
		goto out;
	if (strcmp(lhex, ls->key_file_sha256) != 0) {
		rc = err_set(OR_E_CORRUPT, "%s differs from the backup's, and "
		    "the live %s is not the key file the live journal records "
		    "either: the live one was altered (run offroot audit)",
		    rel, rel);
		goto out;
	}
	if (rs.seq == 0) {
		rc = err_set(OR_E_CORRUPT, "%s differs from the live CA's, and "
		    "no reshare recorded after the backup explains it", rel);
		goto out;
	}
	interact_say(io, SAY_RESULT, "%s older than the live one: re-sealed "
	    "by the reshare at journal record %llu (%s); the shares that "
	    "reshare retired still open this copy, so destroy this backup "
	    "once a new one is checked", rel, (unsigned long long)rs.seq,
	    rs.when);
out:
	free(b);
	free(l);
	return rc;
}

static int
live_compare(const char *bdir, const char *live, const struct blist *seen,
    struct interact *io)
{
	struct cadb_summary bs, ls;
	unsigned char *b = NULL, *l = NULL;
	size_t blen, llen, i, same = 0, grown = 0;
	const char *rel;
	int rc;

	if ((rc = cadb_scan(bdir, &bs, NULL, NULL)) != OR_OK)
		return err_context(rc, "the backup");
	if ((rc = cadb_scan(live, &ls, NULL, NULL)) != OR_OK)
		return err_context(rc, "the live CA");
	if ((rc = live_journal(bdir, live, bs.records, ls.records, io)) !=
	    OR_OK)
		return rc;
	for (i = 0; i < seen->n; i++) {
		rel = seen->f[i].rel;
		if (strcmp(rel, CADB_JOURNAL) == 0)
			continue;
		if (strcmp(rel, CADB_SEALED_KEY) == 0 ||
		    strcmp(rel, CADB_KEY_URI) == 0) {
			if ((rc = live_key(bdir, live, rel, &bs, &ls, io)) !=
			    OR_OK)
				return rc;
			continue;
		}
		if ((rc = read_pair(bdir, live, rel, &b, &blen, &l, &llen)) !=
		    OR_OK) {
			if (rc == 1)
				rc = err_set(OR_E_CORRUPT, "%s is in the backup "
				    "but not in the live CA %s", rel, live);
			goto out;
		}
		if (blen == llen && memcmp(b, l, blen) == 0) {
			if (strcmp(rel, CADB_ROOT_CERT) == 0)
				interact_say(io, SAY_RESULT, "%s identical to "
				    "the live one", rel);
			same++;
		} else if (strncmp(rel, CADB_TRANSCRIPTS "/",
		    strlen(CADB_TRANSCRIPTS) + 1) == 0 && blen < llen &&
		    memcmp(b, l, blen) == 0)
			grown++;	/* unclosed then, resumed since */
		else if (strcmp(rel, CADB_ROOT_CERT) == 0) {
			if ((rc = live_root(live, &bs, b, blen, io)) != OR_OK)
				goto out;
		}
		else {
			rc = err_set(OR_E_CORRUPT, "%s differs from the live "
			    "CA's", rel);
			goto out;
		}
		free(b);
		free(l);
		b = l = NULL;
	}
	interact_say(io, SAY_RESULT, "%zu other files identical to the live "
	    "ones%s", same, grown != 0 ? "; transcripts unclosed at backup "
	    "time have grown since" : "");
	rc = OR_OK;
out:
	free(b);
	free(l);
	return rc;
}

int
backup_check(const char *bdir, const char *live, struct interact *io)
{
	struct blist seen = { NULL, 0, 0 }, have = { NULL, 0, 0 };
	struct bfile key;
	unsigned char *man = NULL, md[SHA256_LEN];
	char path[PATH_MAX], msha[65], *p, *nl;
	size_t len, i, nfiles = 0;
	int rc;

	if ((rc = file_join(path, sizeof path, bdir, BACKUP_MANIFEST)) != OR_OK)
		return rc;
	if ((rc = file_read(path, BACKUP_MANIFEST_MAX, &man, &len)) != OR_OK)
		return err_set(OR_E_CORRUPT, "%s is not an offroot backup: %s",
		    bdir, err_msg(rc));
	if (len < strlen(BACKUP_MAGIC) ||
	    memcmp(man, BACKUP_MAGIC, strlen(BACKUP_MAGIC)) != 0 ||
	    man[len - 1] != '\n' || memchr(man, '\0', len) != NULL) {
		rc = err_set(OR_E_CORRUPT, "%s: MANIFEST is not an offroot "
		    "backup manifest", bdir);
		goto out;
	}
	if ((rc = sha256(man, len, md)) != OR_OK)
		goto out;
	hex_encode(md, sizeof md, msha);
	for (p = (char *)man; (nl = strchr(p, '\n')) != NULL; p = nl + 1) {
		*nl = '\0';
		if ((rc = check_line(bdir, p, &seen, &nfiles)) != OR_OK)
			goto out;
	}
	/* Nothing may have been added either. */
	if ((rc = walk(bdir, "", 0, &have)) != OR_OK)
		goto out;
	qsort(seen.f, seen.n, sizeof seen.f[0], bcmp_rel);
	for (i = 0; i < have.n; i++) {
		if (have.f[i].dir || strcmp(have.f[i].rel, BACKUP_MANIFEST) == 0)
			continue;
		memset(&key, 0, sizeof key);
		snprintf(key.rel, sizeof key.rel, "%s", have.f[i].rel);
		if (bsearch(&key, seen.f, seen.n, sizeof seen.f[0],
		    bcmp_rel) == NULL) {
			rc = err_set(OR_E_CORRUPT, "%s was added after the "
			    "backup (MANIFEST does not name it)",
			    have.f[i].rel);
			goto out;
		}
	}
	/* The journal copied must still verify as a chain. */
	if ((rc = file_join(path, sizeof path, bdir, CADB_JOURNAL)) != OR_OK ||
	    (rc = journal_scan(path, NULL, NULL)) != OR_OK)
		goto out;
	interact_say(io, SAY_RESULT, "backup %s: %zu files match MANIFEST "
	    "(SHA-256 %s; compare it with the CA journal's backup record)",
	    bdir, nfiles, msha);
	if (live != NULL && (rc = live_compare(bdir, live, &seen, io)) !=
	    OR_OK)
		goto out;
	rc = OR_OK;
out:
	free(man);
	free(seen.f);
	free(have.f);
	return rc;
}
