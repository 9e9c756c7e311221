/*
 * fileio.h — the one helper that writes every output file.
 *
 * file_write_new: temporary file in the same folder (O_CREAT|O_EXCL|
 * O_NOFOLLOW), full write, fsync, close checked, renamed into place without
 * ever replacing an existing file (renameat2 RENAME_NOREPLACE, or link),
 * fsync of the folder, then the file is read back from the device (with
 * O_DIRECT from FILE_DIRECT_MIN up, else after dropping its cached pages)
 * and compared byte for byte with what was meant.  On any failure the
 * temporary is removed and nothing is left behind.  ENOSPC/EIO/EROFS...
 * are OR_E_IO (exit 3); an existing destination is OR_E_EXISTS.
 */
#ifndef OFFROOT_FILEIO_H
#define OFFROOT_FILEIO_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define FILE_MAX_INPUT	(16u << 20)	/* cap on any file we read whole */
#define FILE_READ_BACK_BUF	(8u << 20)	/* read-back chunk */
#define FILE_DIRECT_MIN		(1u << 20)	/* read back with O_DIRECT from */
#define FILE_WRITE_KICK		(4u << 20)	/* writeback started every */

/* write(2) until all of data is written, again after EINTR; -1 with
 * errno set on failure (a write of 0 bytes is EIO). */
int file_write_all(int fd, const void *data, size_t len);
int file_write_new(const char *path, const void *data, size_t len,
    mode_t mode);
/* FILE_BATCH: many files at once.  Each is written and renamed into place
 * without its own fsync, folder sync or read-back; the caller then calls
 * file_batch_sync on the folder(s) and file_check on every file before
 * reporting anything done. */
#define FILE_BATCH	0x1
/* FILE_DIRECT: create the final name with O_EXCL, no temporary: only in a
 * staging folder that is renamed into place when complete. */
#define FILE_DIRECT	0x2
int file_write_new_ex(const char *path, const void *data, size_t len,
    mode_t mode, unsigned flags);
int file_batch_sync(const char *dir);
/* A file's bytes made on demand, for an output too large to hold twice:
 * next returns the next chunk (valid until the following call) and its
 * length, or NULL at the end; rewind starts again.  The content is made
 * once to write it and once more to compare what is read back, so it
 * must come out the same both times. */
struct file_source {
	const unsigned char *(*next)(void *ctx, size_t *n);
	void (*rewind)(void *ctx);
	void *ctx;
};
/* file_write_new with the content from src. */
int file_write_new_source(const char *path, struct file_source *src,
    mode_t mode);
/* Reads path back (page cache dropped first) and compares it with data. */
int file_check(const char *path, const void *data, size_t len);
/* Atomically replaces path (which may exist) with data; same discipline. */
int file_replace(const char *path, const void *data, size_t len, mode_t mode);
/* Reads a regular file (refuses directories, devices, FIFOs, files larger
 * than max) into a malloc'd buffer, NUL-terminated for convenience. */
int file_read(const char *path, size_t max, unsigned char **data,
    size_t *len);
/* SHA-256 of a whole file (at most 1 GiB), as 64 lowercase hex digits. */
int file_sha256_hex(const char *path, char out[65]);
/* fsyncs a directory. */
int file_sync_dir(const char *dir);
/* mkdir that is fsynced into its parent; an existing one is OR_E_EXISTS. */
int file_mkdir(const char *path, mode_t mode);
/* Directory part of path, into buf. */
void file_dirname(const char *path, char *buf, size_t size);
/* path made absolute for a record that a later run, from another working
 * directory, reads back (ocsp's output, a CRL schedule folder): its parent
 * resolved by realpath, its last name kept (it need not exist yet).  When
 * the parent cannot be resolved, path as given. */
void file_absolute(const char *path, char *buf, size_t size);
/* Whether path (which need not exist yet: its nearest existing ancestor is
 * resolved, links and all) is dir or lies inside it.  An output that would
 * land inside the CA directory is refused with this: it would be a file
 * the journal does not know, and audit would report it for good. */
bool file_within(const char *path, const char *dir);
/* Joins dir and name into buf; OR_E_INPUT when too long. */
int file_join(char *buf, size_t size, const char *dir, const char *name);

/* A folder written in full before it is renamed into place (a bundle, a
 * backup) is staged as DIR/.<name>.partial-XXXXXX beside it. */
#define FILE_STAGE_MARK	".partial-"
/* Calls fn(ctx, name) for each staging folder in dir: what a run killed
 * before its rename left.  Returns how many; none when dir is unreadable. */
size_t file_each_stage(const char *dir, void (*fn)(void *, const char *),
    void *ctx);

#endif
