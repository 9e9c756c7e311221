/*
 * journal.c — append-only, hash-chained record files (journal.h,
 * manuals/offroot-journal.5).
 *
 * Reading streams the file through one large buffer: lines are parsed in
 * place and hashed with one reusable digest context, so a journal of a
 * million records is verified without holding it in memory.  A line is
 * parsed in the order journal.h promises: check_hash (length and hash),
 * parse_item for each item (seq, time, type, prev, then fields decoded in
 * place), check_chain (prev, then seq).  Appending
 * builds the whole line, writes it with one write() loop, fdatasyncs it and
 * reads it back past the page cache; on any failure the file is truncated
 * back to its previous size so that no torn record remains, and the handle
 * refuses further appends until the journal is reopened (and so verified
 * again from the disk).
 *
 * Journals open in this process are kept in a list so that journal_scan of
 * an open journal does not trip over our own lock.  The engine is
 * single-threaded; so is this list.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "err.h"
#include "fileio.h"
#include "journal.h"
#include "util.h"

#ifndef OFFROOT_FUZZING
#define JOURNAL_READ_BUF	(1u << 20)	/* >= JOURNAL_MAX_LINE */
#else
/* Fuzzing: a buffer refilled more often, and small enough for ASan's
 * primary allocator (a 1 MiB one is mmap'd afresh for every input, and the
 * target spent most of its time in the kernel). */
#define JOURNAL_READ_BUF	(JOURNAL_MAX_LINE + JOURNAL_MAX_LINE / 2)
#endif
#define JOURNAL_HASH_LEN	32
#define JOURNAL_HEX_LEN		64
#define JOURNAL_NAME_MAX	32		/* type and key length */
#define JOURNAL_MAGIC_LEN	(sizeof JOURNAL_MAGIC - 1)
#define JOURNAL_MAGIC_NAME	"offroot-journal "
#define JOURNAL_STR_(x)		#x
#define JOURNAL_STR(x)		JOURNAL_STR_(x)

struct jdigest {
	EVP_MD *md;
	EVP_MD_CTX *ctx;
};

/* Where a verified journal ends. */
struct jstate {
	uint64_t seq;
	uint64_t size;
	unsigned char head[JOURNAL_HASH_LEN];
};

struct journal {
	struct journal *next;		/* journals open in this process */
	char *path;
	int fd;
	int broken;			/* a write failed: refuse appends */
	pid_t pid;			/* the process that opened it */
	dev_t dev;
	ino_t ino;
	struct jstate st;
	struct jdigest dg;
	char *line;			/* record being written */
	char *back;			/* the same record read back */
	int holding;			/* journal_hold: records wait in pend */
	struct jstate durable;		/* what is on the device while holding */
	char *pend;
	size_t pend_len, pend_cap;
};

static struct journal *journal_list;


/* ---- digests ---------------------------------------------------------- */

static void
jdigest_free(struct jdigest *d)
{
	EVP_MD_CTX_free(d->ctx);
	EVP_MD_free(d->md);
	d->ctx = NULL;
	d->md = NULL;
}

/* One fetched SHA-256 and one context, reused for every line: the implicit
 * fetch of EVP_Digest() would cost more than hashing a short line. */
static int
jdigest_init(struct jdigest *d)
{
	d->md = EVP_MD_fetch(NULL, "SHA256", NULL);
	d->ctx = EVP_MD_CTX_new();
	if (d->md == NULL || d->ctx == NULL) {
		jdigest_free(d);
		return err_openssl(OR_E_CRYPTO, "SHA-256 is not available");
	}
	return OR_OK;
}

static int
jdigest(struct jdigest *d, const void *data, size_t len,
    unsigned char out[JOURNAL_HASH_LEN])
{
	unsigned int n = 0;

	if (EVP_DigestInit_ex2(d->ctx, d->md, NULL) != 1 ||
	    EVP_DigestUpdate(d->ctx, data, len) != 1 ||
	    EVP_DigestFinal_ex(d->ctx, out, &n) != 1 || n != JOURNAL_HASH_LEN)
		return err_openssl(OR_E_CRYPTO, "SHA-256 failed");
	return OR_OK;
}

/* ---- text helpers ----------------------------------------------------- */

static void
hex32_encode(const unsigned char in[JOURNAL_HASH_LEN], char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < JOURNAL_HASH_LEN; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 0xf];
	}
}

/* Value + 1 of each hex digit, 0 for other bytes: tables, not branches,
 * because hash digits are random and a mispredicted branch per digit costs
 * more than the rest of the parse. */
static const unsigned char lower_hex[256] = {
	['0'] = 1, ['1'] = 2, ['2'] = 3, ['3'] = 4, ['4'] = 5, ['5'] = 6,
	['6'] = 7, ['7'] = 8, ['8'] = 9, ['9'] = 10, ['a'] = 11, ['b'] = 12,
	['c'] = 13, ['d'] = 14, ['e'] = 15, ['f'] = 16,
};
static const unsigned char upper_hex[256] = {
	['0'] = 1, ['1'] = 2, ['2'] = 3, ['3'] = 4, ['4'] = 5, ['5'] = 6,
	['6'] = 7, ['7'] = 8, ['8'] = 9, ['9'] = 10, ['A'] = 11, ['B'] = 12,
	['C'] = 13, ['D'] = 14, ['E'] = 15, ['F'] = 16,
};

/* Exactly 64 lowercase hex digits (the caller guarantees 64 bytes). */
static int
hex32_decode(const char *in, unsigned char out[JOURNAL_HASH_LEN])
{
	unsigned hi, lo, bad = 0;
	size_t i;

	for (i = 0; i < JOURNAL_HASH_LEN; i++) {
		hi = lower_hex[(unsigned char)in[2 * i]];
		lo = lower_hex[(unsigned char)in[2 * i + 1]];
		bad |= (hi == 0) | (lo == 0);
		out[i] = (unsigned char)((hi - 1) << 4 | ((lo - 1) & 0xf));
	}
	return !bad;
}

/* Whether text (64 bytes) is the lowercase hex of h. */
static int
hex32_equal(const char *text, const unsigned char h[JOURNAL_HASH_LEN])
{
	static char pairs[256][2];
	static const char digits[] = "0123456789abcdef";
	char want[JOURNAL_HEX_LEN];
	size_t i;

	if (pairs[0][0] == 0)
		for (i = 0; i < 256; i++) {
			pairs[i][0] = digits[i >> 4];
			pairs[i][1] = digits[i & 0xf];
		}
	for (i = 0; i < JOURNAL_HASH_LEN; i++)
		memcpy(want + 2 * i, pairs[h[i]], 2);
	return memcmp(text, want, sizeof want) == 0;
}

/* A record type is 1-32 of [a-z0-9-]; a field name may also hold '_'. */
static int
name_ok(const char *s, size_t n, int underscore)
{
	size_t i;
	char c;

	if (n == 0 || n > JOURNAL_NAME_MAX)
		return 0;
	for (i = 0; i < n; i++) {
		c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '-' || (underscore && c == '_')))
			return 0;
	}
	return 1;
}

/* A byte written as itself in a value; every other byte is %XX. */
static int
value_plain(unsigned char c)
{
	return c >= 0x21 && c <= 0x7e && c != '%';
}

/* Whether 8 bytes are all written as themselves (0x21-0x7e, not '%'):
 * the usual bit tricks for "some byte below, above or equal to". */
static int
plain8(const char *p)
{
	const uint64_t ones = 0x0101010101010101ULL;
	const uint64_t high = 0x8080808080808080ULL;
	uint64_t x, pct;

	memcpy(&x, p, sizeof x);
	pct = x ^ (ones * '%');
	return (((x - ones * 0x21) & ~x) |	/* a byte < 0x21 */
	    ((x + ones * (127 - 0x7e)) | x) |	/* a byte > 0x7e */
	    ((pct - ones) & ~pct)) & high ? 0 : 1;	/* a '%' */
}

/* ---- parsing one line --------------------------------------------------- */

/* Decodes one key=value field at buf[0..n) in place: key and value become
 * NUL-terminated (buf[n] is the separator and may be overwritten). */
static int
parse_field(char *buf, size_t n, struct jfield *f, const char **why)
{
	char *eq = memchr(buf, '=', n);
	size_t r, w, klen;
	unsigned hi, lo;
	unsigned char c;

	if (eq == NULL) {
		*why = "a field has no '='";
		return 0;
	}
	klen = (size_t)(eq - buf);
	if (!name_ok(buf, klen, 1)) {
		*why = "a field name is not 1-32 of [a-z0-9_-]";
		return 0;
	}
	w = klen + 1;
	/* Runs of bytes written as themselves need no copying until the
	 * first %XX: skip them eight at a time (a revoke-batch record is
	 * 56 KiB of serials). */
	for (r = klen + 1; n - r >= 8 && plain8(buf + r); r += 8)
		;
	w = r;
	for (; r < n; r++) {
		c = (unsigned char)buf[r];
		if (c == '%') {
			if (n - r < 3 ||
			    (hi = upper_hex[(unsigned char)buf[r + 1]]) == 0 ||
			    (lo = upper_hex[(unsigned char)buf[r + 2]]) == 0) {
				*why = "a value has a '%' not followed by two "
				    "uppercase hex digits";
				return 0;
			}
			c = (unsigned char)((hi - 1) << 4 | (lo - 1));
			if (value_plain(c)) {
				*why = "a value escapes a byte that must be "
				    "written as itself";
				return 0;
			}
			r += 2;
		} else if (!value_plain(c)) {
			*why = "a value holds a byte that must be escaped";
			return 0;
		}
		buf[w++] = (char)c;
	}
	buf[w] = '\0';
	*eq = '\0';
	f->key = buf;
	f->value = eq + 1;
	f->len = w - (klen + 1);
	return 1;
}

static int
parse_seq(const char *s, size_t n, uint64_t *out)
{
	uint64_t v = 0;
	size_t i;
	unsigned d;

	if (n == 0 || n > 20 || s[0] == '0')
		return 0;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 0;
		d = (unsigned)(s[i] - '0');
		if (v > (UINT64_MAX - d) / 10)
			return 0;
		v = v * 10 + d;
	}
	*out = v;
	return 1;
}

/* "record N <text>": the message is formatted only on error (a million
 * records must not cost a million snprintf calls). */
static int __attribute__((format(printf, 2, 3)))
rec_error(uint64_t want_seq, const char *fmt, ...)
{
	char text[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	if (want_seq != 0)
		return err_set(OR_E_CORRUPT, "record %" PRIu64 " %s", want_seq,
		    text);
	return err_set(OR_E_CORRUPT, "record %s", text);
}

static void
rec_reset(struct jrecord *rec)
{
	rec->seq = 0;
	rec->time = 0;
	rec->time_text[0] = '\0';
	rec->type[0] = '\0';
	memset(rec->prev, 0, sizeof rec->prev);
	memset(rec->hash, 0, sizeof rec->hash);
	rec->nfields = 0;
	rec->offset = 0;
}

/* The length, then the hash at the end of the line against every byte
 * before it, its SP included. */
static int
check_hash(struct jdigest *d, const char *buf, size_t len, uint64_t want_seq,
    struct jrecord *rec)
{
	unsigned char digest[JOURNAL_HASH_LEN];
	int rc;

	if (len > JOURNAL_MAX_LINE - 1)
		return rec_error(want_seq, "is longer than %d bytes",
		    JOURNAL_MAX_LINE);
	if (len < JOURNAL_HEX_LEN + 1 ||
	    buf[len - JOURNAL_HEX_LEN - 1] != ' ' ||
	    !hex32_decode(buf + len - JOURNAL_HEX_LEN, rec->hash))
		return rec_error(want_seq, "is malformed: it does not end "
		    "with a SHA-256 hash");
	if ((rc = jdigest(d, buf, len - JOURNAL_HEX_LEN, digest)) != OR_OK)
		return rc;
	if (memcmp(digest, rec->hash, sizeof digest) != 0)
		return rec_error(want_seq, "was altered: its hash does not "
		    "match its contents");
	return OR_OK;
}

/* The previous hash, item 3.  Usually the one expected: comparing its
 * text with the expected one, encoded, costs half of decoding it. */
static const char *
parse_prev(const char *p, size_t n, const unsigned char *want_prev,
    struct jrecord *rec)
{
	if (want_prev != NULL && n == JOURNAL_HEX_LEN &&
	    hex32_equal(p, want_prev)) {
		memcpy(rec->prev, want_prev, JOURNAL_HASH_LEN);
		return NULL;
	}
	if (n != JOURNAL_HEX_LEN || !hex32_decode(p, rec->prev))
		return "the previous hash is not 64 lowercase hex digits";
	return NULL;
}

/* A field, decoded in place and appended to rec unless its name is
 * already there. */
static const char *
add_field(char *p, size_t n, struct jrecord *rec)
{
	struct jfield *f = &rec->fields[rec->nfields];
	const char *why = NULL;
	size_t i;

	if (rec->nfields == JOURNAL_MAX_FIELDS)
		return "more than " JOURNAL_STR(JOURNAL_MAX_FIELDS) " fields";
	if (!parse_field(p, n, f, &why))
		return why;
	for (i = 0; i < rec->nfields; i++)
		if (rec->fields[i].key[0] == f->key[0] &&
		    strcmp(rec->fields[i].key, f->key) == 0)
			return "a field name appears twice";
	rec->nfields++;
	return NULL;
}

/* Item number item of a record (p[0..n), n > 0): seq, time, type, prev,
 * then fields.  NULL, or why the record is malformed. */
static const char *
parse_item(char *p, size_t n, size_t item, const unsigned char *want_prev,
    struct jrecord *rec)
{
	switch (item) {
	case 0:
		if (!parse_seq(p, n, &rec->seq))
			return "the sequence number is not a decimal number "
			    "without leading zeros";
		return NULL;
	case 1:
		if (!utc_parse(p, n, &rec->time))
			return "the time is not a valid YYYY-MM-DDTHH:MM:SSZ";
		memcpy(rec->time_text, p, n);
		rec->time_text[n] = '\0';
		return NULL;
	case 2:
		if (!name_ok(p, n, 0))
			return "the record type is not 1-32 of [a-z0-9-]";
		memcpy(rec->type, p, n);
		rec->type[n] = '\0';
		return NULL;
	case 3:
		return parse_prev(p, n, want_prev, rec);
	default:
		return add_field(p, n, rec);
	}
}

/* Where the record sits in the chain: its prev, then its seq. */
static int
check_chain(uint64_t want_seq, const unsigned char *want_prev,
    const struct jrecord *rec)
{
	static const unsigned char zero[JOURNAL_HASH_LEN];

	if (want_prev != NULL &&
	    memcmp(rec->prev, want_prev, JOURNAL_HASH_LEN) != 0) {
		if (want_seq == 1 || (want_seq == 0 &&
		    memcmp(want_prev, zero, sizeof zero) == 0))
			return rec_error(want_seq, "does not start the "
			    "chain: its previous hash is not zero (records "
			    "were removed from the start?)");
		if (want_seq > 1 && rec->seq != want_seq)
			return rec_error(want_seq, "does not follow "
			    "record %" PRIu64 ": a record was removed or "
			    "reordered (it carries sequence number %" PRIu64
			    ")", want_seq - 1, rec->seq);
		if (want_seq > 1)
			return rec_error(want_seq, "does not follow "
			    "record %" PRIu64 ": a record was removed or "
			    "reordered", want_seq - 1);
		return rec_error(want_seq, "does not follow the previous "
		    "record: a record was removed or reordered");
	}
	if (want_seq != 0 && rec->seq != want_seq)
		return rec_error(want_seq, "carries sequence number %"
		    PRIu64 " instead of %" PRIu64, rec->seq, want_seq);
	return OR_OK;
}

/* One line: length and hash, then the items (fields decoded in place),
 * then its place in the chain (journal_parse_record's order). */
static int
parse_line(struct jdigest *d, char *buf, size_t len, uint64_t want_seq,
    const unsigned char *want_prev, struct jrecord *rec)
{
	const char *why = NULL;
	size_t end, pos, n, item;
	int rc;

	rec_reset(rec);
	if ((rc = check_hash(d, buf, len, want_seq, rec)) != OR_OK)
		return rc;
	/* buf[0..end] is a run of items, each followed by one SP; buf[end] is
	 * the SP before the hash. */
	end = len - JOURNAL_HEX_LEN - 1;
	for (pos = 0, item = 0; pos <= end; pos += n + 1, item++) {
		n = (size_t)((char *)memchr(buf + pos, ' ', end + 1 - pos) -
		    (buf + pos));
		if (n == 0)
			why = "an empty item (two spaces in a row?)";
		else
			why = parse_item(buf + pos, n, item, want_prev, rec);
		if (why != NULL)
			goto bad;
	}
	if (item < 4) {
		why = "it lacks a sequence number, time, type or previous hash";
		goto bad;
	}
	return check_chain(want_seq, want_prev, rec);
bad:
	rec->nfields = 0;
	return rec_error(want_seq, "is malformed: %s", why);
}

int
journal_parse_record(char *buf, size_t len, uint64_t want_seq,
    const unsigned char want_prev[32], struct jrecord *rec)
{
	struct jdigest d = { NULL, NULL };
	int rc;

	if ((rc = jdigest_init(&d)) != OR_OK)
		goto out;
	rc = parse_line(&d, buf, len, want_seq, want_prev, rec);
out:
	jdigest_free(&d);
	return rc;
}

const char *
jrecord_get(const struct jrecord *rec, const char *key)
{
	size_t i;

	if (rec == NULL || key == NULL)
		return NULL;
	/* The first byte first: a million records are looked up. */
	for (i = 0; i < rec->nfields && i < JOURNAL_MAX_FIELDS; i++)
		if (rec->fields[i].key[0] == key[0] &&
		    strcmp(rec->fields[i].key, key) == 0)
			return rec->fields[i].value;
	return NULL;
}

/* ---- files -------------------------------------------------------------- */

static int
pread_all(int fd, char *data, size_t len, off_t off)
{
	size_t done = 0;
	ssize_t r;

	while (done < len) {
		r = pread(fd, data + done, len - done, off + (off_t)done);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			if (r == 0)
				errno = EIO;	/* shorter than we wrote */
			return -1;
		}
		done += (size_t)r;
	}
	return 0;
}

int
journal_create(const char *path)
{
	char dir[PATH_MAX];
	int fd, rc = OR_OK;

	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	    0644);
	if (fd < 0) {
		if (errno == EEXIST)
			return err_set(OR_E_EXISTS, "%s already exists; "
			    "refusing to overwrite it", path);
		return err_errno(OR_E_IO, "cannot create %s", path);
	}
	if (file_write_all(fd, JOURNAL_MAGIC, JOURNAL_MAGIC_LEN) != 0) {
		rc = err_errno(OR_E_IO, "%s: write", path);
		goto out;
	}
	if (fsync(fd) != 0) {
		rc = err_errno(OR_E_IO, "%s: fsync", path);
		goto out;
	}
	if (close(fd) != 0) {
		fd = -1;
		rc = err_errno(OR_E_IO, "%s: close", path);
		goto out;
	}
	fd = -1;
	file_dirname(path, dir, sizeof dir);
	rc = file_sync_dir(dir);
out:
	if (rc != OR_OK) {
		if (fd >= 0)
			(void)close(fd);
		(void)unlink(path);	/* ours: O_EXCL created it */
	}
	return rc;
}

static struct journal *
journal_find(dev_t dev, ino_t ino)
{
	struct journal *j;
	pid_t pid = getpid();

	/* After a fork the child inherits the list but not the right to
	 * append: only the opener's entries count. */
	for (j = journal_list; j != NULL; j = j->next)
		if (j->pid == pid && j->dev == dev && j->ino == ino)
			return j;
	return NULL;
}

/* Opens path (flags plus O_NOFOLLOW|O_CLOEXEC), refusing anything but a
 * regular file, and takes the lock unless this process has the journal
 * open already (then *mine is set). */
static int
journal_open_fd(const char *path, int flags, int lock, int *fdp,
    struct stat *st, int *mine)
{
	char dir[PATH_MAX];
	int fd, rc = OR_OK;

	*fdp = -1;
	*mine = 0;
	/* O_NONBLOCK: a FIFO must not hang us; no effect on regular files. */
	fd = open(path, flags | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		if (errno == ELOOP)
			return err_set(OR_E_INPUT, "%s is a symbolic link; "
			    "refusing it", path);
		return err_errno(OR_E_IO, "cannot open %s", path);
	}
	if (fstat(fd, st) != 0) {
		rc = err_errno(OR_E_IO, "%s: fstat", path);
		goto out;
	}
	if (!S_ISREG(st->st_mode)) {
		rc = err_set(OR_E_INPUT, "%s is not a regular file", path);
		goto out;
	}
	if (journal_find(st->st_dev, st->st_ino) != NULL) {
		*mine = 1;
		goto out;
	}
	if (flock(fd, lock | LOCK_NB) != 0) {
		if (errno == EWOULDBLOCK) {
			file_dirname(path, dir, sizeof dir);
			rc = err_set(OR_E_ENV, "another offroot process is "
			    "using %s", dir);
		} else
			rc = err_errno(OR_E_IO, "%s: flock", path);
		goto out;
	}
out:
	if (rc != OR_OK)
		(void)close(fd);
	else
		*fdp = fd;
	return rc;
}

static int
read_some(int fd, const char *path, char *buf, size_t *end, int *eof)
{
	ssize_t r;

	do
		r = read(fd, buf + *end, JOURNAL_READ_BUF - *end);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return err_errno(OR_E_IO, "%s: read", path);
	if (r == 0)
		*eof = 1;
	else
		*end += (size_t)r;
	return OR_OK;
}

static int
bad_header(const char *path, const char *buf, size_t n)
{
	const size_t name = sizeof JOURNAL_MAGIC_NAME - 1;
	size_t v;

	if (n == 0)
		return err_set(OR_E_CORRUPT, "%s is empty: not an offroot "
		    "journal", path);
	if (n < JOURNAL_MAGIC_LEN && memcmp(buf, JOURNAL_MAGIC, n) == 0)
		return err_set(OR_E_CORRUPT, "%s: the journal header is "
		    "incomplete (crash while creating it?)", path);
	if (n > name && memcmp(buf, JOURNAL_MAGIC_NAME, name) == 0) {
		for (v = 0; v < 16 && name + v < n &&
		    buf[name + v] >= 0x21 && buf[name + v] <= 0x7e; v++)
			;
		if (v == 1 && buf[name] == '1')
			return err_set(OR_E_CORRUPT, "%s: the journal header "
			    "line is damaged (expected \"%.*s\" and LF)", path,
			    (int)JOURNAL_MAGIC_LEN - 1, JOURNAL_MAGIC);
		return err_set(OR_E_CORRUPT, "%s: unsupported journal version "
		    "\"%.*s\" (this offroot reads version 1)", path, (int)v,
		    buf + name);
	}
	return err_set(OR_E_CORRUPT, "%s is not an offroot journal (bad "
	    "magic)", path);
}

/* Streams the journal on fd from its start, verifying every record. */
static int
journal_read(int fd, const char *path, struct jdigest *d,
    journal_visit_fn visit, void *ctx, struct jstate *st, int *torn)
{
	struct jrecord *rec = NULL;
	char *buf = NULL, *lf;
	size_t start, end = 0, n;
	uint64_t off;
	int eof = 0, rc = OR_OK;

	memset(st, 0, sizeof *st);
	if ((buf = malloc(JOURNAL_READ_BUF)) == NULL ||
	    (rec = malloc(sizeof *rec)) == NULL) {
		rc = err_set(OR_E_NOMEM, "%s: out of memory", path);
		goto out;
	}
	/* Advice only: a failure changes nothing but speed. */
	(void)posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);

	while (end < JOURNAL_MAGIC_LEN && !eof)
		if ((rc = read_some(fd, path, buf, &end, &eof)) != OR_OK)
			goto out;
	if (end < JOURNAL_MAGIC_LEN ||
	    memcmp(buf, JOURNAL_MAGIC, JOURNAL_MAGIC_LEN) != 0) {
		rc = bad_header(path, buf, end);
		goto out;
	}
	start = off = JOURNAL_MAGIC_LEN;

	for (;;) {
		lf = memchr(buf + start, '\n', end - start);
		if (lf == NULL) {
			n = end - start;
			if (n >= JOURNAL_MAX_LINE) {
				rc = err_set(OR_E_CORRUPT, "%s: record %" PRIu64
				    " is longer than %d bytes", path,
				    st->seq + 1, JOURNAL_MAX_LINE);
				goto out;
			}
			if (eof) {
				if (n > 0 && torn != NULL)
					*torn = 1;
				else if (n > 0)
					rc = err_set(OR_E_CORRUPT, "%s: record "
					    "%" PRIu64 " is torn: incomplete "
					    "last line (crash during write?); "
					    "offroot repair can set it aside",
					    path, st->seq + 1);
				break;
			}
			memmove(buf, buf + start, n);
			start = 0;
			end = n;
			if ((rc = read_some(fd, path, buf, &end, &eof)) !=
			    OR_OK)
				goto out;
			continue;
		}
		n = (size_t)(lf - (buf + start));
		if ((rc = parse_line(d, buf + start, n, st->seq + 1, st->head,
		    rec)) != OR_OK) {
			err_context(rc, "%s", path);
			goto out;
		}
		rec->offset = off;
		if (visit != NULL && (rc = visit(rec, ctx)) != 0)
			goto out;
		st->seq++;
		memcpy(st->head, rec->hash, sizeof st->head);
		start += n + 1;
		off += n + 1;
	}
	st->size = off;
out:
	free(rec);
	free(buf);
	return rc;
}

int
journal_scan(const char *path, journal_visit_fn visit, void *ctx)
{
	struct jdigest d = { NULL, NULL };
	struct jstate st;
	struct stat sb;
	int fd = -1, mine, rc;

	if ((rc = jdigest_init(&d)) != OR_OK)
		goto out;
	if ((rc = journal_open_fd(path, O_RDONLY, LOCK_SH, &fd, &sb,
	    &mine)) != OR_OK)
		goto out;
	rc = journal_read(fd, path, &d, visit, ctx, &st, NULL);
out:
	if (fd >= 0)
		(void)close(fd);	/* read-only: nothing to lose */
	jdigest_free(&d);
	return rc;
}

int
journal_open(const char *path, journal_visit_fn visit, void *ctx,
    struct journal **out)
{
	struct journal *j;
	struct stat sb;
	int mine, rc;

	*out = NULL;
	if ((j = calloc(1, sizeof *j)) == NULL)
		return err_set(OR_E_NOMEM, "%s: out of memory", path);
	j->fd = -1;
	if ((j->path = strdup(path)) == NULL ||
	    (j->line = malloc(2 * (size_t)JOURNAL_MAX_LINE)) == NULL) {
		rc = err_set(OR_E_NOMEM, "%s: out of memory", path);
		goto out;
	}
	j->back = j->line + JOURNAL_MAX_LINE;
	if ((rc = jdigest_init(&j->dg)) != OR_OK)
		goto out;
	if ((rc = journal_open_fd(path, O_RDWR | O_APPEND, LOCK_EX, &j->fd,
	    &sb, &mine)) != OR_OK)
		goto out;
	if (mine) {
		rc = err_set(OR_E_ENV, "%s is already open in this process",
		    path);
		goto out;
	}
	j->pid = getpid();
	j->dev = sb.st_dev;
	j->ino = sb.st_ino;
	if ((rc = journal_read(j->fd, path, &j->dg, visit, ctx, &j->st, NULL)) !=
	    OR_OK)
		goto out;
	j->next = journal_list;
	journal_list = j;
	*out = j;
out:
	if (rc != OR_OK)
		journal_close(j);
	return rc;
}

uint64_t
journal_seq(const struct journal *j)
{
	return j->st.seq;
}

const unsigned char *
journal_head(const struct journal *j)
{
	return j->st.head;
}

/*
 * The last record's seq and hash, read from the end of the file without
 * replaying the chain (a report of the head after a command, which
 * verified the whole chain itself): the last complete line must parse and
 * carry its own hash.  A journal without records is seq 0, hash zero.
 */
int
journal_peek_head(const char *path, uint64_t *seq, unsigned char hash[32])
{
	struct jrecord *rec = NULL;
	struct stat sb;
	char *buf = NULL, *line;
	size_t want, len;
	off_t off;
	int fd, rc = OR_OK;

	*seq = 0;
	memset(hash, 0, JOURNAL_HASH_LEN);
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return err_errno(OR_E_IO, "cannot open %s", path);
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		rc = err_set(OR_E_INPUT, "%s is not a regular file", path);
		goto out;
	}
	if ((size_t)sb.st_size <= JOURNAL_MAGIC_LEN)
		goto out;
	want = (size_t)sb.st_size - JOURNAL_MAGIC_LEN;
	if (want > JOURNAL_MAX_LINE)
		want = JOURNAL_MAX_LINE;
	off = sb.st_size - (off_t)want;
	if ((buf = malloc(want + 1)) == NULL ||
	    (rec = malloc(sizeof *rec)) == NULL) {
		rc = err_set(OR_E_NOMEM, "out of memory");
		goto out;
	}
	if (pread_all(fd, buf, want, off) != 0) {
		rc = err_errno(OR_E_IO, "%s: read", path);
		goto out;
	}
	if (buf[want - 1] != '\n') {
		rc = err_set(OR_E_CORRUPT, "%s: the last record is torn", path);
		goto out;
	}
	buf[want - 1] = '\0';
	line = memrchr(buf, '\n', want - 1);
	line = line != NULL ? line + 1 : buf;
	len = (size_t)(buf + want - 1 - line);
	if ((rc = journal_parse_record(line, len, 0, NULL, rec)) != OR_OK)
		goto out;
	*seq = rec->seq;
	memcpy(hash, rec->hash, JOURNAL_HASH_LEN);
out:
	free(rec);
	free(buf);
	(void)close(fd);
	return rc;
}

void
journal_close(struct journal *j)
{
	struct journal **pp;

	if (j == NULL)
		return;
	for (pp = &journal_list; *pp != NULL; pp = &(*pp)->next)
		if (*pp == j) {
			*pp = j->next;
			break;
		}
	/* Every record was fdatasynced when appended: a close error here
	 * cannot lose one. */
	if (j->fd >= 0)
		(void)close(j->fd);
	jdigest_free(&j->dg);
	free(j->line);
	free(j->pend);
	free(j->path);
	free(j);
}

/* ---- appending ---------------------------------------------------------- */

/* Called after a failed write: removes whatever part of the record reached
 * the file, so that no torn record remains, and marks the handle broken.
 * rc and its message describe the first failure. */
static int
journal_undo(struct journal *j, int rc)
{
	char first[768];

	j->broken = 1;
	snprintf(first, sizeof first, "%s", err_msg(rc));
	if (ftruncate(j->fd, (off_t)j->st.size) != 0 || fsync(j->fd) != 0)
		return err_errno(rc, "%s; truncating %s back to %" PRIu64
		    " bytes also failed, its last record may be torn", first,
		    j->path, j->st.size);
	return err_set(rc, "%s (record %" PRIu64 " was not added)", first,
	    j->st.seq + 1);
}

static int
journal_write(struct journal *j, const char *line, size_t len)
{
	struct stat sb;
	long page;

	if (fstat(j->fd, &sb) != 0)
		return err_errno(OR_E_IO, "%s: fstat", j->path);
	if ((uint64_t)sb.st_size != j->st.size) {
		j->broken = 1;
		return err_set(OR_E_CORRUPT, "%s was changed by another "
		    "program while open (%jd bytes, expected %" PRIu64 ")",
		    j->path, (intmax_t)sb.st_size, j->st.size);
	}
	if (file_write_all(j->fd, line, len) != 0)
		return journal_undo(j, err_errno(OR_E_IO, "%s: writing record %"
		    PRIu64, j->path, j->st.seq + 1));
	if (fdatasync(j->fd) != 0)
		return journal_undo(j, err_errno(OR_E_IO, "%s: fdatasync of "
		    "record %" PRIu64, j->path, j->st.seq + 1));
	/* Read it back from the device, not from the page cache.  The kernel
	 * drops only whole pages, so start at the page holding the record's
	 * first byte and go to the end of the file.  Advice only: if it is
	 * ignored (tmpfs) we compare with the cache. */
	page = sysconf(_SC_PAGESIZE);
	if (page <= 0)
		page = 4096;
	(void)posix_fadvise(j->fd, (off_t)(j->st.size - j->st.size %
	    (uint64_t)page), 0, POSIX_FADV_DONTNEED);
	if (pread_all(j->fd, j->back, len, (off_t)j->st.size) != 0)
		return journal_undo(j, err_errno(OR_E_IO, "%s: reading back "
		    "record %" PRIu64, j->path, j->st.seq + 1));
	if (memcmp(j->back, line, len) != 0)
		return journal_undo(j, err_set(OR_E_IO, "%s: record %" PRIu64
		    " reads back different from what was written (failing "
		    "media?)", j->path, j->st.seq + 1));
	return OR_OK;
}

/* ---- the field builder ------------------------------------------------ */

void
jf_init(struct jfields *b)
{
	b->n = 0;
	b->full = false;
	b->used = 0;
}

/* A NULL value is kept and refused by the appender (fields_check). */
static void
jf_put(struct jfields *b, const char *key, const void *value, size_t len)
{
	if (b->n >= JOURNAL_MAX_FIELDS) {
		b->full = true;
		return;
	}
	b->f[b->n].key = key;
	b->f[b->n].value = value;
	b->f[b->n].len = len;
	b->n++;
}

void
jf_add(struct jfields *b, const char *key, const char *value)
{
	jf_put(b, key, value, 0);
}

void
jf_add_mem(struct jfields *b, const char *key, const void *value, size_t len)
{
	/* len 0 means "NUL-terminated" to the writer: an empty value is "". */
	jf_put(b, key, len != 0 || value == NULL ? value : "", len);
}

/* Room for len bytes and a NUL in the store, or NULL (and full). */
static char *
jf_room(struct jfields *b, size_t len)
{
	char *p;

	if (b->full || len >= JFIELDS_STORE - b->used) {
		b->full = true;
		return NULL;
	}
	p = b->store + b->used;
	b->used += len + 1;
	return p;
}

void
jf_addf(struct jfields *b, const char *key, const char *fmt, ...)
{
	va_list ap;
	char *p;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || (p = jf_room(b, (size_t)n)) == NULL) {
		b->full = true;
		return;
	}
	va_start(ap, fmt);
	(void)vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	jf_add(b, key, p);
}

void
jf_add_u64(struct jfields *b, const char *key, uint64_t v)
{
	jf_addf(b, key, "%" PRIu64, v);
}

void
jf_add_i64(struct jfields *b, const char *key, int64_t v)
{
	jf_addf(b, key, "%" PRId64, v);
}

void
jf_add_hex(struct jfields *b, const char *key, const unsigned char *v,
    size_t n)
{
	char *p;

	if (n > (JFIELDS_STORE - 1) / 2 || (p = jf_room(b, 2 * n)) == NULL) {
		b->full = true;
		return;
	}
	hex_encode(v, n, p);
	jf_add(b, key, p);
}

static int
fields_check(const struct jfield *fields, size_t nfields)
{
	size_t i, k;

	if (nfields > JOURNAL_MAX_FIELDS)
		return err_set(OR_E_INPUT, "journal record with %zu fields "
		    "(at most %d)", nfields, JOURNAL_MAX_FIELDS);
	if (nfields > 0 && fields == NULL)
		return err_set(OR_E_INPUT, "journal record without its fields");
	for (i = 0; i < nfields; i++) {
		if (fields[i].key == NULL || fields[i].value == NULL ||
		    !name_ok(fields[i].key, strlen(fields[i].key), 1))
			return err_set(OR_E_INPUT, "invalid journal field name "
			    "\"%.40s\" (1-32 of [a-z0-9_-])",
			    fields[i].key != NULL ? fields[i].key : "(null)");
		for (k = 0; k < i; k++)
			if (strcmp(fields[k].key, fields[i].key) == 0)
				return err_set(OR_E_INPUT, "journal field "
				    "\"%s\" given twice", fields[i].key);
	}
	return OR_OK;
}

int
journal_append_fields(struct journal *j, const char *type,
    const struct jfields *b, unsigned char hash_out[32])
{
	if (b->full)
		return err_set(OR_E_INPUT, "%s record with more than %d fields "
		    "or %d bytes of values", type, JOURNAL_MAX_FIELDS,
		    JFIELDS_STORE);
	return journal_append(j, type, b->f, b->n, hash_out);
}

int
journal_append(struct journal *j, const char *type,
    const struct jfield *fields, size_t nfields, unsigned char hash_out[32])
{
	static const char updigits[] = "0123456789ABCDEF";
	unsigned char hash[JOURNAL_HASH_LEN];
	char when[UTC_TEXT_LEN + 1];
	char *p = j->line;
	const unsigned char *v;
	size_t len, need, vlen, klen, i, k;
	int n, rc;

	if (j->broken)
		return err_set(OR_E_IO, "%s: an earlier write failed; close "
		    "and reopen the journal", j->path);
	if (type == NULL || !name_ok(type, strlen(type), 0))
		return err_set(OR_E_INPUT, "invalid journal record type "
		    "\"%.40s\" (1-32 of [a-z0-9-])",
		    type != NULL ? type : "(null)");
	if ((rc = fields_check(fields, nfields)) != OR_OK)
		return rc;
	if (j->st.seq == UINT64_MAX)
		return err_set(OR_E_INPUT, "%s is full", j->path);
	if (!utc_format(time(NULL), when))
		return err_set(OR_E_ENV, "the system clock is not usable");

	n = snprintf(p, JOURNAL_MAX_LINE, "%" PRIu64 " %s %s ", j->st.seq + 1,
	    when, type);
	if (n < 0 || n >= JOURNAL_MAX_LINE)
		return err_set(OR_E_INPUT, "journal record too long");
	len = (size_t)n;
	hex32_encode(j->st.head, p + len);
	len += JOURNAL_HEX_LEN;
	p[len++] = ' ';
	for (i = 0; i < nfields; i++) {
		v = (const unsigned char *)fields[i].value;
		vlen = fields[i].len != 0 ? fields[i].len :
		    strlen(fields[i].value);
		klen = strlen(fields[i].key);
		need = klen + 2;
		for (k = 0; k < vlen && need <= JOURNAL_MAX_LINE; k++)
			need += value_plain(v[k]) ? 1 : 3;
		/* Room for this field, the hash and the LF. */
		if (need > JOURNAL_MAX_LINE ||
		    len + need + JOURNAL_HEX_LEN + 1 > JOURNAL_MAX_LINE)
			return err_set(OR_E_INPUT, "journal record too long "
			    "(at most %d bytes; field \"%s\")",
			    JOURNAL_MAX_LINE, fields[i].key);
		memcpy(p + len, fields[i].key, klen);
		len += klen;
		p[len++] = '=';
		for (k = 0; k < vlen; k++) {
			if (value_plain(v[k])) {
				p[len++] = (char)v[k];
				continue;
			}
			p[len++] = '%';
			p[len++] = updigits[v[k] >> 4];
			p[len++] = updigits[v[k] & 0xf];
		}
		p[len++] = ' ';
	}
	if ((rc = jdigest(&j->dg, p, len, hash)) != OR_OK)
		return rc;
	hex32_encode(hash, p + len);
	len += JOURNAL_HEX_LEN;
	p[len++] = '\n';

	if (j->holding) {
		if (j->pend_len + len > j->pend_cap) {
			size_t cap = j->pend_cap ? 2 * j->pend_cap : 65536;
			char *np;

			while (cap < j->pend_len + len)
				cap *= 2;
			if ((np = realloc(j->pend, cap)) == NULL)
				return err_set(OR_E_NOMEM, "out of memory");
			j->pend = np;
			j->pend_cap = cap;
		}
		memcpy(j->pend + j->pend_len, p, len);
		j->pend_len += len;
	} else if ((rc = journal_write(j, p, len)) != OR_OK)
		return rc;
	j->st.seq++;
	j->st.size += len;
	memcpy(j->st.head, hash, sizeof hash);
	if (hash_out != NULL)
		memcpy(hash_out, hash, sizeof hash);
	return OR_OK;
}

int
journal_hold(struct journal *j)
{
	if (j->broken)
		return err_set(OR_E_IO, "%s: an earlier write failed; close "
		    "and reopen the journal", j->path);
	if (j->holding)
		return err_set(OR_E_INPUT, "%s: already holding records",
		    j->path);
	j->holding = 1;
	j->durable = j->st;
	j->pend_len = 0;
	return OR_OK;
}

void
journal_drop(struct journal *j)
{
	if (!j->holding)
		return;
	j->holding = 0;
	j->st = j->durable;
	j->pend_len = 0;
}

/* Undoes a failed commit: the file back to its durable size, the state
 * back to what it was before journal_hold. */
static int
journal_commit_undo(struct journal *j, int rc)
{
	char first[768];
	uint64_t held = j->st.seq - j->durable.seq;

	j->broken = 1;
	j->holding = 0;
	j->st = j->durable;
	snprintf(first, sizeof first, "%s", err_msg(rc));
	if (ftruncate(j->fd, (off_t)j->st.size) != 0 || fsync(j->fd) != 0)
		return err_errno(rc, "%s; truncating %s back to %" PRIu64
		    " bytes also failed, its last record may be torn", first,
		    j->path, j->st.size);
	return err_set(rc, "%s (%" PRIu64 " records were not added)", first,
	    held);
}

int
journal_commit(struct journal *j)
{
	struct stat sb;
	size_t off, n;
	long page;

	if (!j->holding)
		return err_set(OR_E_INPUT, "%s: nothing held", j->path);
	if (j->pend_len == 0) {
		j->holding = 0;
		return OR_OK;
	}
	if (fstat(j->fd, &sb) != 0)
		return journal_commit_undo(j, err_errno(OR_E_IO, "%s: fstat",
		    j->path));
	if ((uint64_t)sb.st_size != j->durable.size) {
		j->broken = 1;
		j->holding = 0;
		j->st = j->durable;
		return err_set(OR_E_CORRUPT, "%s was changed by another "
		    "program while open", j->path);
	}
	if (file_write_all(j->fd, j->pend, j->pend_len) != 0)
		return journal_commit_undo(j, err_errno(OR_E_IO, "%s: writing "
		    "records %" PRIu64 " to %" PRIu64, j->path,
		    j->durable.seq + 1, j->st.seq));
	if (fdatasync(j->fd) != 0)
		return journal_commit_undo(j, err_errno(OR_E_IO, "%s: "
		    "fdatasync", j->path));
	page = sysconf(_SC_PAGESIZE);
	if (page <= 0)
		page = 4096;
	(void)posix_fadvise(j->fd, (off_t)(j->durable.size -
	    j->durable.size % (uint64_t)page), 0, POSIX_FADV_DONTNEED);
	for (off = 0; off < j->pend_len; off += n) {
		n = j->pend_len - off;
		if (n > JOURNAL_MAX_LINE)
			n = JOURNAL_MAX_LINE;
		if (pread_all(j->fd, j->back, n, (off_t)(j->durable.size + off))
		    != 0)
			return journal_commit_undo(j, err_errno(OR_E_IO, "%s: "
			    "reading back", j->path));
		if (memcmp(j->back, j->pend + off, n) != 0)
			return journal_commit_undo(j, err_set(OR_E_IO, "%s: "
			    "records read back different from what was "
			    "written (failing media?)", j->path));
	}
	j->holding = 0;
	j->pend_len = 0;
	return OR_OK;
}

int
journal_tail(const char *path, uint64_t *good_size, uint64_t *file_size,
    uint64_t *seq)
{
	struct jdigest d = { NULL, NULL };
	struct jstate st;
	struct stat sb;
	int fd = -1, mine, torn = 0, rc;

	if ((rc = jdigest_init(&d)) != OR_OK)
		goto out;
	if ((rc = journal_open_fd(path, O_RDONLY, LOCK_EX, &fd, &sb,
	    &mine)) != OR_OK)
		goto out;
	if ((rc = journal_read(fd, path, &d, NULL, NULL, &st, &torn)) != OR_OK)
		goto out;
	*good_size = st.size;
	*file_size = (uint64_t)sb.st_size;
	*seq = st.seq;
out:
	if (fd >= 0)
		(void)close(fd);
	jdigest_free(&d);
	return rc;
}
