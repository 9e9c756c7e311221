/*
 * test-fileio.c — the one writer of output files (fileio.c): a file is
 * written whole and read back byte for byte, from memory or from a
 * file_source made on demand; a read-back that differs from what was
 * meant, in one byte or in length, is refused and leaves nothing behind;
 * an existing file is never replaced.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "err.h"
#include "fileio.h"
#include "tap.h"

static char tmpdir[64];

/* A source of len bytes in chunks of step, byte i = (i * 7 + seed) & 0xff.
 * After flip_after rewinds, byte flip of the content comes out changed (or
 * the content one byte longer with grow): what a failing medium would
 * return on read-back, seen from the other side. */
struct gen {
	size_t len, step, pos;
	unsigned char buf[4096];
	unsigned rewinds, flip_after;
	size_t flip;
	bool grow;
};

static const unsigned char *
gen_next(void *vctx, size_t *n)
{
	struct gen *g = vctx;
	size_t total = g->len, i, k;
	bool changed = g->flip_after != 0 && g->rewinds > g->flip_after;

	if (changed && g->grow)
		total++;
	if (g->pos >= total) {
		*n = 0;
		return NULL;
	}
	k = total - g->pos < g->step ? total - g->pos : g->step;
	for (i = 0; i < k; i++) {
		g->buf[i] = (unsigned char)((g->pos + i) * 7 + 3);
		if (changed && !g->grow && g->pos + i == g->flip)
			g->buf[i] ^= 0x10;
	}
	g->pos += k;
	*n = k;
	return g->buf;
}

static void
gen_rewind(void *vctx)
{
	struct gen *g = vctx;

	g->pos = 0;
	g->rewinds++;
}

static bool
file_is(const char *path, const struct gen *want)
{
	unsigned char *data = NULL;
	size_t len = 0, i;
	bool same;

	if (file_read(path, 1u << 26, &data, &len) != OR_OK)
		return false;
	same = len == want->len;
	for (i = 0; same && i < len; i++)
		same = data[i] == (unsigned char)(i * 7 + 3);
	free(data);
	return same;
}

static size_t
files_in(const char *dir)
{
	char cmd[128];
	FILE *p;
	size_t n = 0;
	int c;

	snprintf(cmd, sizeof cmd, "ls -A %s", dir);
	if ((p = popen(cmd, "r")) == NULL)
		return (size_t)-1;
	while ((c = fgetc(p)) != EOF)
		n += c == '\n';
	pclose(p);
	return n;
}

int
main(void)
{
	char path[128], cmd[128];
	struct gen g;
	struct file_source src = { gen_next, gen_rewind, &g };
	struct stat st;
	int rc;

	snprintf(tmpdir, sizeof tmpdir, "/tmp/test-fileio.XXXXXX");
	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		return 1;
	}

	/* From memory. */
	snprintf(path, sizeof path, "%s/mem", tmpdir);
	rc = file_write_new(path, "hello\n", 6, 0644);
	is_int(rc, OR_OK, "file_write_new writes a file from memory");
	ok(stat(path, &st) == 0 && st.st_size == 6 &&
	    (st.st_mode & 0777) == 0644, "with its size and mode");
	rc = file_write_new(path, "other\n", 6, 0644);
	is_int(rc, OR_E_EXISTS, "an existing file is never replaced");
	is_int(file_check(path, "hello\n", 6), OR_OK,
	    "file_check accepts the same bytes");
	is_int(file_check(path, "hellO\n", 6), OR_E_IO,
	    "file_check refuses one byte changed");
	is_int(file_check(path, "hello\n!", 7), OR_E_IO,
	    "file_check refuses a file shorter than meant");
	is_int(file_check(path, "hello", 5), OR_E_IO,
	    "file_check refuses a file longer than meant");

	/* From a source, larger than the read-back buffer, odd chunks. */
	memset(&g, 0, sizeof g);
	g.len = 3 * FILE_READ_BACK_BUF + 12345;
	g.step = 4001;
	snprintf(path, sizeof path, "%s/big", tmpdir);
	rc = file_write_new_source(path, &src, 0600);
	is_int(rc, OR_OK, "file_write_new_source writes a file made on demand");
	ok(file_is(path, &g), "every byte as the source made it");
	ok(g.rewinds == 2, "the source was made twice: write and read-back "
	    "(%u)", g.rewinds);
	ok(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600, "mode 0600");

	/* A read-back that differs: refused, nothing left behind. */
	memset(&g, 0, sizeof g);
	g.len = 2 * FILE_READ_BACK_BUF + 99;
	g.step = 4096;
	g.flip_after = 1;
	g.flip = FILE_READ_BACK_BUF + 17;
	snprintf(path, sizeof path, "%s/flip", tmpdir);
	rc = file_write_new_source(path, &src, 0644);
	is_int(rc, OR_E_IO, "a read-back differing in one byte is an I/O "
	    "error");
	ok(strstr(err_msg(rc), "read back differs") != NULL,
	    "that says so: %s", err_msg(rc));
	ok(access(path, F_OK) == -1 && errno == ENOENT,
	    "and the file is not left behind");

	memset(&g, 0, sizeof g);
	g.len = 1000;
	g.step = 300;
	g.flip_after = 1;
	g.grow = true;
	snprintf(path, sizeof path, "%s/grow", tmpdir);
	rc = file_write_new_source(path, &src, 0644);
	is_int(rc, OR_E_IO, "a read-back shorter than meant is refused");
	ok(access(path, F_OK) == -1, "and not left behind");
	is_int(files_in(tmpdir), 2, "no temporary is left in the folder");

	snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
	if (system(cmd) != 0)
		diag("could not remove %s", tmpdir);
	done_testing();
	return tap_failed != 0;
}
