/*
 * fileio.c — the one helper that writes every output file, and the one that
 * reads input files whole (and file_sha256_hex, the digest the journal
 * records of a file).  See fileio.h for the discipline.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <sodium.h>

#include "err.h"
#include "fileio.h"
#include "util.h"

/* Errors that mean the media, not the input, is at fault. */
static int
io_code(void)
{
	return errno == EEXIST ? OR_E_EXISTS : OR_E_IO;
}

void
file_dirname(const char *path, char *buf, size_t size)
{
	const char *slash = strrchr(path, '/');
	size_t n;

	if (slash == NULL) {
		snprintf(buf, size, ".");
		return;
	}
	n = (size_t)(slash - path);
	if (n == 0)
		n = 1;	/* "/x" -> "/" */
	if (n >= size)
		n = size - 1;
	memcpy(buf, path, n);
	buf[n] = '\0';
}

void
file_absolute(const char *path, char *buf, size_t size)
{
	char trimmed[PATH_MAX], parent[PATH_MAX], real[PATH_MAX];
	const char *base;
	size_t n = strlen(path);

	while (n > 1 && path[n - 1] == '/')
		n--;
	if (n >= sizeof trimmed) {
		snprintf(buf, size, "%s", path);
		return;
	}
	memcpy(trimmed, path, n);
	trimmed[n] = '\0';
	base = strrchr(trimmed, '/');
	base = base != NULL ? base + 1 : trimmed;
	file_dirname(trimmed, parent, sizeof parent);
	if (*base == '\0' || strcmp(base, ".") == 0 ||
	    strcmp(base, "..") == 0 || realpath(parent, real) == NULL ||
	    file_join(buf, size, real, base) != OR_OK)
		snprintf(buf, size, "%s", path);
}

bool
file_within(const char *path, const char *dir)
{
	char real_dir[PATH_MAX], probe[PATH_MAX], real[PATH_MAX], up[PATH_MAX];
	size_t n;

	if (realpath(dir, real_dir) == NULL ||
	    snprintf(probe, sizeof probe, "%s", path) >= (int)sizeof probe)
		return false;
	/* The nearest ancestor that exists: what the new name will be in. */
	while (realpath(probe, real) == NULL) {
		file_dirname(probe, up, sizeof up);
		if (strcmp(up, probe) == 0)
			return false;
		snprintf(probe, sizeof probe, "%s", up);
	}
	n = strlen(real_dir);
	if (n == 1)	/* the CA directory is "/": everything is inside */
		return true;
	return strncmp(real, real_dir, n) == 0 &&
	    (real[n] == '\0' || real[n] == '/');
}

int
file_join(char *buf, size_t size, const char *dir, const char *name)
{
	int n = snprintf(buf, size, "%s/%s", dir, name);

	if (n < 0 || (size_t)n >= size)
		return err_set(OR_E_INPUT, "path too long: %s/%s", dir, name);
	return OR_OK;
}

int
file_sync_dir(const char *dir)
{
	int fd, rc = OR_OK;

	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return err_errno(OR_E_IO, "%s", dir);
	if (fsync(fd) == -1 && errno != EINVAL)
		rc = err_errno(OR_E_IO, "syncing folder %s", dir);
	if (close(fd) == -1 && rc == OR_OK)
		rc = err_errno(OR_E_IO, "closing folder %s", dir);
	return rc;
}

int
file_mkdir(const char *path, mode_t mode)
{
	char parent[PATH_MAX];

	if (mkdir(path, mode) == -1)
		return err_errno(io_code(), "cannot create folder %s", path);
	file_dirname(path, parent, sizeof parent);
	return file_sync_dir(parent);
}

int
file_write_all(int fd, const void *data, size_t len)
{
	const unsigned char *p = data;
	ssize_t n;

	while (len > 0) {
		n = write(fd, p, len);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (n == 0) {
			errno = EIO;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* A buffer in memory as a file_source: one chunk, the whole buffer. */
struct mem_source {
	const unsigned char *data;
	size_t len;
	bool given;
};

static const unsigned char *
mem_next(void *vctx, size_t *n)
{
	struct mem_source *m = vctx;

	if (m->given) {
		*n = 0;
		return NULL;
	}
	m->given = true;
	*n = m->len;
	return m->data;
}

static void
mem_rewind(void *vctx)
{
	((struct mem_source *)vctx)->given = false;
}

#define MEM_SOURCE(m, d, l) \
	struct mem_source m##_ctx = { (const unsigned char *)(d), (l), false }; \
	struct file_source m = { mem_next, mem_rewind, &m##_ctx }

static int
pread_full(int fd, unsigned char *buf, size_t want, size_t *got)
{
	ssize_t n;

	*got = 0;
	while (*got < want) {
		n = read(fd, buf + *got, want - *got);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (n == 0)
			break;
		*got += (size_t)n;
	}
	return 0;
}

/* The next bytes of the file being read back into buf; with O_DIRECT
 * every read is a whole FILE_READ_BACK_BUF at an aligned offset, and a
 * short one is the end of the file. */
static int
refill(int fd, bool direct, unsigned char *buf, size_t *have, bool *eof)
{
	size_t got;

	*have = 0;
	if (*eof)
		return 0;
	if (pread_full(fd, buf, FILE_READ_BACK_BUF, &got) == -1)
		return -1;
	if (got < FILE_READ_BACK_BUF || (!direct && got == 0))
		*eof = true;
	*have = got;
	return 0;
}

/* 1: same, 0: differs, -1: read error (errno). */
static int
compare_fd(int fd, bool direct, unsigned char *buf, struct file_source *src)
{
	const unsigned char *want;
	size_t n, k, have = 0, used = 0;
	bool eof = false;

	src->rewind(src->ctx);
	while ((want = src->next(src->ctx, &n)) != NULL && n > 0) {
		for (; n > 0; want += k, n -= k, used += k) {
			if (used == have) {
				if (refill(fd, direct, buf, &have, &eof) == -1)
					return -1;
				used = 0;
				if (have == 0)
					return 0;	/* shorter */
			}
			k = n < have - used ? n : have - used;
			if (memcmp(buf + used, want, k) != 0)
				return 0;
		}
	}
	/* Nothing more than what was written. */
	if (used < have)
		return 0;
	if (refill(fd, direct, buf, &have, &eof) == -1)
		return -1;
	return have == 0;
}

/*
 * Reads the file back from the device and compares it byte for byte with
 * what was written (the source, produced once more).  A large file is
 * read with O_DIRECT, past the page cache (and without copying through
 * it), in large pieces so that the process sleeps a few times, not a
 * hundred; where the file system has no O_DIRECT, and for small files,
 * the cached pages are dropped first (advice: tmpfs keeps them).
 */
static int
read_back(const char *path, struct file_source *src)
{
	unsigned char *buf = NULL;
	struct stat st;
	bool direct = false;
	int fd = -1, same, rc = OR_E_IO;

	if (posix_memalign((void **)&buf, 4096, FILE_READ_BACK_BUF) != 0)
		return err_set(OR_E_NOMEM, "out of memory");
	if (stat(path, &st) == 0 && st.st_size >= (off_t)FILE_DIRECT_MIN &&
	    (fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_DIRECT)) !=
	    -1)
		direct = true;
	for (;;) {
		if (!direct) {
			if ((fd = open(path, O_RDONLY | O_NOFOLLOW |
			    O_CLOEXEC)) == -1) {
				rc = err_errno(OR_E_IO, "reading back %s", path);
				goto out;
			}
			(void)posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
		}
		same = compare_fd(fd, direct, buf, src);
		if (same == -1 && direct && errno == EINVAL) {
			/* O_DIRECT refused at read time: read it cached. */
			close(fd);
			fd = -1;
			direct = false;
			continue;
		}
		break;
	}
	if (same == -1)
		rc = err_errno(OR_E_IO, "reading back %s", path);
	else if (same == 0)
		rc = err_set(OR_E_IO, "%s: read back differs from what was "
		    "written: the media is failing", path);
	else
		rc = OR_OK;
out:
	free(buf);
	if (fd != -1)
		close(fd);
	return rc;
}

/*
 * Writes the source in pieces of at most FILE_WRITE_KICK bytes and asks
 * the kernel to start writing each piece to the device at once, so that a
 * large file is mostly on the media when the fsync that follows waits for
 * it.  sync_file_range is advice here: the fsync is what proves the data
 * durable, and its errors are the ones checked.
 */
static int
write_source(int fd, struct file_source *src)
{
	const unsigned char *p;
	size_t n, k;
	off_t done = 0, kicked = 0;

	src->rewind(src->ctx);
	while ((p = src->next(src->ctx, &n)) != NULL && n > 0) {
		for (; n > 0; p += k, n -= k) {
			k = n < FILE_WRITE_KICK ? n : FILE_WRITE_KICK;
			if (file_write_all(fd, p, k) == -1)
				return -1;
			done += (off_t)k;
			if (done - kicked >= (off_t)FILE_WRITE_KICK) {
				(void)sync_file_range(fd, kicked, done - kicked,
				    SYNC_FILE_RANGE_WRITE);
				kicked = done;
			}
		}
	}
	return 0;
}

/*
 * Writes a uniquely named temporary in the destination's folder and returns
 * its name in tmp.  The data is fully written, fsynced and closed.
 */
static int
write_temp(const char *path, struct file_source *src, mode_t mode, bool sync,
    char *tmp, size_t tmpsize)
{
	unsigned char rnd[8];
	char rhex[17], dir[PATH_MAX];
	const char *base;
	int fd, n, rc;

	file_dirname(path, dir, sizeof dir);
	base = strrchr(path, '/');
	base = base != NULL ? base + 1 : path;
	randombytes_buf(rnd, sizeof rnd);
	hex_encode(rnd, sizeof rnd, rhex);
	n = snprintf(tmp, tmpsize, "%s/.%s.%s.tmp", dir, base, rhex);
	if (n < 0 || (size_t)n >= tmpsize)
		return err_set(OR_E_INPUT, "path too long: %s", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	    mode);
	if (fd == -1)
		return err_errno(OR_E_IO, "cannot create a file in %s", dir);
	if (fchmod(fd, mode) == -1 || write_source(fd, src) == -1 ||
	    (sync && fsync(fd) == -1)) {
		rc = err_errno(OR_E_IO, "writing %s", path);
		close(fd);
		unlink(tmp);
		return rc;
	}
	if (close(fd) == -1) {
		rc = err_errno(OR_E_IO, "writing %s", path);
		unlink(tmp);
		return rc;
	}
	return OR_OK;
}

static int
finish(const char *path, struct file_source *src)
{
	char dir[PATH_MAX];
	int rc;

	file_dirname(path, dir, sizeof dir);
	if ((rc = file_sync_dir(dir)) != OR_OK)
		return rc;
	return read_back(path, src);
}

int
file_write_new(const char *path, const void *data, size_t len, mode_t mode)
{
	return file_write_new_ex(path, data, len, mode, 0);
}

static int
write_new(const char *path, struct file_source *src, mode_t mode,
    unsigned flags)
{
	char tmp[PATH_MAX];
	int fd, rc;

	if (flags & FILE_DIRECT) {
		/* A folder no one else sees yet: create the final name. */
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
		    O_CLOEXEC, mode);
		if (fd == -1)
			return errno == EEXIST ? err_set(OR_E_EXISTS, "%s "
			    "already exists; refusing to overwrite it", path) :
			    err_errno(OR_E_IO, "%s", path);
		if (fchmod(fd, mode) == -1 || write_source(fd, src) == -1 ||
		    (!(flags & FILE_BATCH) && fsync(fd) == -1)) {
			rc = err_errno(OR_E_IO, "writing %s", path);
			close(fd);
			unlink(path);
			return rc;
		}
		if (close(fd) == -1) {
			rc = err_errno(OR_E_IO, "writing %s", path);
			unlink(path);
			return rc;
		}
		if (flags & FILE_BATCH)
			return OR_OK;
		if ((rc = finish(path, src)) != OR_OK)
			unlink(path);
		return rc;
	}
	if ((rc = write_temp(path, src, mode, !(flags & FILE_BATCH), tmp,
	    sizeof tmp)) != OR_OK)
		return rc;
	/*
	 * Never replace: RENAME_NOREPLACE where the file system has it,
	 * else link(2), which fails on an existing name (FAT has neither
	 * flag support everywhere nor links; there RENAME_NOREPLACE works).
	 */
	if (renameat2(AT_FDCWD, tmp, AT_FDCWD, path, RENAME_NOREPLACE) == -1) {
		if (errno == EINVAL || errno == ENOSYS) {
			if (link(tmp, path) == -1) {
				rc = err_errno(io_code(), "%s", path);
				unlink(tmp);
				return rc;
			}
			unlink(tmp);
		} else {
			rc = errno == EEXIST ?
			    err_set(OR_E_EXISTS, "%s already exists; refusing "
			    "to overwrite it", path) :
			    err_errno(OR_E_IO, "%s", path);
			unlink(tmp);
			return rc;
		}
	}
	if (flags & FILE_BATCH)
		return OR_OK;
	if ((rc = finish(path, src)) != OR_OK) {
		/* Durability not proven: do not leave a file that looks done. */
		unlink(path);
		return rc;
	}
	return OR_OK;
}

int
file_write_new_ex(const char *path, const void *data, size_t len, mode_t mode,
    unsigned flags)
{
	MEM_SOURCE(src, data, len);

	return write_new(path, &src, mode, flags);
}

int
file_write_new_source(const char *path, struct file_source *src, mode_t mode)
{
	return write_new(path, src, mode, 0);
}

int
file_replace(const char *path, const void *data, size_t len, mode_t mode)
{
	MEM_SOURCE(src, data, len);
	char tmp[PATH_MAX];
	int rc;

	if ((rc = write_temp(path, &src, mode, true, tmp, sizeof tmp)) != OR_OK)
		return rc;
	if (rename(tmp, path) == -1) {
		rc = err_errno(OR_E_IO, "%s", path);
		unlink(tmp);
		return rc;
	}
	return finish(path, &src);
}

int
file_read(const char *path, size_t max, unsigned char **data, size_t *len)
{
	unsigned char *buf = NULL;
	struct stat st;
	size_t have = 0;
	ssize_t n;
	int fd, rc;

	*data = NULL;
	*len = 0;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)) == -1)
		return err_errno(errno == ENOENT || errno == EACCES ||
		    errno == ELOOP ? OR_E_INPUT : OR_E_IO, "%s", path);
	if (fstat(fd, &st) == -1) {
		rc = err_errno(OR_E_IO, "%s", path);
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		rc = err_set(OR_E_INPUT, "%s: not a regular file", path);
		goto out;
	}
	if ((uintmax_t)st.st_size > max) {
		rc = err_set(OR_E_INPUT, "%s: larger than %zu bytes", path, max);
		goto out;
	}
	if ((buf = malloc((size_t)st.st_size + 1)) == NULL) {
		rc = err_set(OR_E_NOMEM, "out of memory reading %s", path);
		goto out;
	}
	/* Read to EOF but never past the stat size + 1 (file growing). */
	for (;;) {
		n = read(fd, buf + have, (size_t)st.st_size + 1 - have);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			rc = err_errno(OR_E_IO, "reading %s", path);
			goto out;
		}
		if (n == 0)
			break;
		have += (size_t)n;
		if (have > (size_t)st.st_size) {
			rc = err_set(OR_E_INPUT, "%s changed while being read",
			    path);
			goto out;
		}
	}
	buf[have] = '\0';
	*data = buf;
	*len = have;
	buf = NULL;
	rc = OR_OK;
out:
	free(buf);
	close(fd);
	return rc;
}

int
file_batch_sync(const char *dir)
{
	int fd, rc = OR_OK;

	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return err_errno(OR_E_IO, "%s", dir);
	/* One flush of the file system for every file of the batch; since
	 * Linux 5.8 it reports write-back errors like fsync does. */
	if (syncfs(fd) == -1)
		rc = err_errno(OR_E_IO, "syncing the file system of %s", dir);
	else if (fsync(fd) == -1 && errno != EINVAL)
		rc = err_errno(OR_E_IO, "syncing folder %s", dir);
	if (close(fd) == -1 && rc == OR_OK)
		rc = err_errno(OR_E_IO, "closing folder %s", dir);
	return rc;
}

int
file_check(const char *path, const void *data, size_t len)
{
	MEM_SOURCE(src, data, len);

	return read_back(path, &src);
}

int
file_sha256_hex(const char *path, char out[65])
{
	unsigned char *data = NULL, md[SHA256_LEN];
	size_t len;
	int rc;

	if ((rc = file_read(path, 1u << 30, &data, &len)) != OR_OK)
		return rc;
	rc = sha256(data, len, md);
	free(data);
	if (rc == OR_OK)
		hex_encode(md, sizeof md, out);
	return rc;
}

size_t
file_each_stage(const char *dir, void (*fn)(void *, const char *), void *ctx)
{
	struct dirent *de;
	size_t n = 0;
	DIR *d;

	if ((d = opendir(dir)) == NULL)
		return 0;
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] == '.' && strstr(de->d_name, FILE_STAGE_MARK)
		    != NULL) {
			fn(ctx, de->d_name);
			n++;
		}
	closedir(d);
	return n;
}
