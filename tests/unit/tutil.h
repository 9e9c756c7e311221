/*
 * tutil.h — what the unit tests of the CA's modules (cadb, issue,
 * transcript, sign) share: a fresh temporary folder per run removed at the
 * end, paths inside it, whole files read and written, a byte flipped in
 * place, and an engine error shown as a TAP diagnostic.  Header-only, like
 * tap.h, so each test stays one program.
 */
#ifndef OFFROOT_TUTIL_H
#define OFFROOT_TUTIL_H

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "err.h"
#include "tap.h"

static char tu_dir[128];

/* Makes the run's folder, $TMPDIR/NAME.XXXXXX (or under /tmp); bails out
 * of the whole test when it cannot. */
static void __attribute__((unused))
tu_begin(const char *name)
{
	const char *t = getenv("TMPDIR");

	umask(022);
	snprintf(tu_dir, sizeof tu_dir, "%s/%s.XXXXXX",
	    t != NULL && *t != '\0' && strlen(t) < 64 ? t : "/tmp", name);
	if (mkdtemp(tu_dir) == NULL) {
		printf("Bail out! mkdtemp %s: %s\n", tu_dir, strerror(errno));
		exit(1);
	}
}

/* tu_dir/name; four results stay valid at once. */
static __attribute__((unused)) const char *
tu_path(const char *name)
{
	static char buf[4][512];
	static int n;
	char *p = buf[n++ % 4];

	snprintf(p, sizeof buf[0], "%s/%s", tu_dir, name);
	return p;
}

static int
tu_rm_one(const char *path, const struct stat *st, int flag, struct FTW *f)
{
	(void)st; (void)flag; (void)f;
	return remove(path);
}

/* Removes the run's folder and everything in it: 0 when done. */
static int __attribute__((unused))
tu_end(void)
{
	return nftw(tu_dir, tu_rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* A whole file, NUL-terminated, malloc'd; NULL when it cannot be read. */
static __attribute__((unused)) char *
tu_slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;

	*len = 0;
	if (f == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
	    fseek(f, 0, SEEK_SET) == 0 && (buf = malloc((size_t)n + 1)) != NULL) {
		if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
			free(buf);
			buf = NULL;
		} else {
			buf[n] = '\0';
			*len = (size_t)n;
		}
	}
	fclose(f);
	return buf;
}

/* Writes data to path opened with fopen mode: 0 when done. */
static int __attribute__((unused))
tu_write(const char *path, const char *mode, const void *data, size_t len)
{
	FILE *f;
	int rc;

	if ((f = fopen(path, mode)) == NULL)
		return -1;
	rc = fwrite(data, 1, len, f) == len ? 0 : -1;
	if (fclose(f) != 0)
		rc = -1;
	return rc;
}

/* Writes data as the whole of path (replacing it): 0 when done. */
static int __attribute__((unused))
tu_spew(const char *path, const void *data, size_t len)
{
	(void)unlink(path);
	return tu_write(path, "wb", data, len);
}

/* Appends data to path: 0 when done. */
static int __attribute__((unused))
tu_append(const char *path, const void *data, size_t len)
{
	return tu_write(path, "ab", data, len);
}

/* Copies file from to to: 0 when done. */
static int __attribute__((unused))
tu_copy(const char *from, const char *to)
{
	size_t len;
	char *buf = tu_slurp(from, &len);
	int rc;

	if (buf == NULL)
		return -1;
	rc = tu_spew(to, buf, len);
	free(buf);
	return rc;
}

/* Replaces the first occurrence of what in the file by with (same
 * length): 0 when done, -1 when what is not there. */
static int __attribute__((unused))
tu_patch(const char *path, const char *what, const char *with)
{
	size_t len;
	char *buf = tu_slurp(path, &len), *p;
	int rc = -1;

	if (buf == NULL || strlen(what) != strlen(with))
		goto out;
	if ((p = strstr(buf, what)) != NULL) {
		memcpy(p, with, strlen(with));
		rc = tu_spew(path, buf, len);
	}
out:
	free(buf);
	return rc;
}

/* An engine return code checked against the one wanted; on a mismatch the
 * engine's message is shown. */
#define is_rc(got, want, name) do { \
	int gr_ = (got), wr_ = (want); \
	if (!ok(gr_ == wr_, "%s", name)) \
		diag("got %s (%s), want %s", err_name(gr_), err_msg(gr_), \
		    err_name(wr_)); \
} while (0)

#endif
