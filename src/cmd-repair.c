/*
 * cmd-repair.c — offroot repair: set aside a journal record torn by a crash.
 *
 * A record is fsynced before the operation it records is reported done, so
 * an incomplete last line is an operation that never finished.  offroot
 * refuses such a journal rather than drop anything silently; this command
 * does it explicitly, after the officer confirms: the torn bytes are kept
 * in DIR/repairs/, the journal is cut back to its last whole record, and a
 * "repair" record says what was removed.  Then, as every command that
 * takes the lock, it settles the files the crash left (recover.h): the
 * certificate a torn issue record would have named goes to quarantine/.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cadb.h"
#include "cmd.h"
#include "err.h"
#include "fileio.h"
#include "journal.h"
#include "recover.h"
#include "util.h"

static const struct cmd_opt repair_opts[] = {
	{ "dir", 'd', OPT_ARG | OPT_REQUIRED },
	{ "yes", 'y', 0 },
	{ NULL, 0, 0 }
};

/* Reads [off, off+len) of path into a new buffer. */
static int
read_range(int fd, const char *path, uint64_t off, size_t len,
    unsigned char **out)
{
	unsigned char *buf;
	size_t got = 0;
	ssize_t n;

	if ((buf = malloc(len ? len : 1)) == NULL)
		return err_set(OR_E_NOMEM, "out of memory");
	while (got < len) {
		n = pread(fd, buf + got, len - got, (off_t)(off + got));
		if (n <= 0) {
			free(buf);
			return err_errno(OR_E_IO, "reading %s", path);
		}
		got += (size_t)n;
	}
	*out = buf;
	return OR_OK;
}

static int
recover_after(const char *dir, struct interact *io)
{
	struct cadb *db = NULL;
	int rc;

	if ((rc = cadb_open(dir, &db)) == OR_OK)
		rc = recover_ca_load(db, io);
	cadb_close(db);
	return rc;
}

static int
repair_exec(struct cmd_args *a, struct interact *io)
{
	const char *dir = args_get(a, "dir");
	uint64_t good, size, seq;
	unsigned char *torn = NULL, md[32];
	char jpath[PATH_MAX], rdir[PATH_MAX], saved[PATH_MAX], name[64];
	char hex[65], block[1024], sizetext[24], seqtext[24];
	struct journal *j = NULL;
	struct stat st;
	struct tm tm;
	time_t now = time(NULL);
	bool yes = false;
	int fd = -1, rc;

	if ((rc = cadb_path(dir, CADB_JOURNAL, jpath, sizeof jpath)) != OR_OK)
		return rc;
	if ((rc = journal_tail(jpath, &good, &size, &seq)) != OR_OK)
		return err_context(rc, "repair only sets aside an incomplete "
		    "last record; this journal has another problem");
	if (good == size) {
		interact_say(io, SAY_RESULT, "%s is intact (%llu records): "
		    "nothing to repair", jpath, (unsigned long long)seq);
		return OR_OK;
	}
	if (size - good > JOURNAL_MAX_LINE)
		return err_set(OR_E_CORRUPT, "%s: %llu bytes after record %llu "
		    "are more than one record: not a torn write", jpath,
		    (unsigned long long)(size - good), (unsigned long long)seq);
	if ((fd = open(jpath, O_RDWR | O_NOFOLLOW | O_CLOEXEC)) == -1)
		return err_errno(OR_E_IO, "%s", jpath);
	if (flock(fd, LOCK_EX | LOCK_NB) == -1) {
		rc = err_set(OR_E_ENV, "another offroot process is using %s",
		    dir);
		goto out;
	}
	if (fstat(fd, &st) == -1 || (uint64_t)st.st_size != size) {
		rc = err_set(OR_E_ENV, "%s changed while being repaired", jpath);
		goto out;
	}
	if ((rc = read_range(fd, jpath, good, (size_t)(size - good), &torn))
	    != OR_OK || (rc = sha256(torn, (size_t)(size - good), md)) != OR_OK)
		goto out;
	hex_encode(md, sizeof md, hex);
	gmtime_r(&now, &tm);
	strftime(name, sizeof name, "%Y%m%dT%H%M%SZ-journal.torn", &tm);
	snprintf(block, sizeof block,
	    "record %llu is incomplete: %llu bytes, SHA-256 %s.\n"
	    "It was being written when offroot stopped, so the operation it\n"
	    "records was never reported done.  The bytes will be kept in\n"
	    "%s/repairs/%s and the journal cut back to record %llu.\n",
	    (unsigned long long)seq + 1, (unsigned long long)(size - good), hex,
	    dir, name, (unsigned long long)seq);
	io->show_block(io, "Torn journal record", block);
	if ((rc = io->confirm(io, "Set the torn record aside?", &yes)) != OR_OK)
		goto out;
	if (!yes) {
		rc = err_set(OR_E_CANCEL, "nothing changed: the officer "
		    "declined");
		goto out;
	}
	if ((rc = cadb_path(dir, "repairs", rdir, sizeof rdir)) != OR_OK ||
	    (stat(rdir, &st) == -1 && (rc = file_mkdir(rdir, 0755)) != OR_OK) ||
	    (rc = file_join(saved, sizeof saved, rdir, name)) != OR_OK ||
	    (rc = file_write_new(saved, torn, (size_t)(size - good), 0644)) !=
	    OR_OK)
		goto out;
	if (ftruncate(fd, (off_t)good) == -1 || fsync(fd) == -1) {
		rc = err_errno(OR_E_IO, "cutting %s back", jpath);
		goto out;
	}
	close(fd);
	fd = -1;
	snprintf(sizetext, sizeof sizetext, "%llu",
	    (unsigned long long)(size - good));
	snprintf(seqtext, sizeof seqtext, "%llu", (unsigned long long)seq);
	if ((rc = journal_open(jpath, NULL, NULL, &j)) != OR_OK)
		goto out;
	{
		struct jfields f;

		jf_init(&f);
		jf_add(&f, "after_seq", seqtext);
		jf_add(&f, "dropped_bytes", sizetext);
		jf_add(&f, "dropped_sha256", hex);
		jf_add(&f, "file", name);
		if ((rc = journal_append_fields(j, "repair", &f, NULL)) != OR_OK)
			goto out;
	}
	interact_say(io, SAY_RESULT, "set aside the torn record %llu in "
	    "repairs/%s; the journal ends at record %llu and a repair record",
	    (unsigned long long)seq + 1, name, (unsigned long long)seq);
	/* What the torn record would have named (a certificate, a CRL) is
	 * now a file the journal does not record: settle it as any command
	 * does after a crash. */
	journal_close(j);
	j = NULL;
	rc = recover_after(dir, io);
out:
	if (fd >= 0)
		close(fd);
	journal_close(j);
	free(torn);
	return rc;
}

const struct cmd_entry cmd_repair_entry = {
	"repair",
	"-d DIR [--yes]",
	"set aside a journal record torn by a crash (after confirmation)",
	repair_opts, 0, 0, repair_exec
};
