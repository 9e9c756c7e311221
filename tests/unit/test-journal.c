/*
 * test-journal.c — the append-only, hash-chained journal (journal.c):
 * records read back byte for byte, the chain continues across reopening,
 * every kind of damage is refused naming the record, a failed write leaves
 * no torn record, the lock keeps a second process out, and a large journal
 * is streamed.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "err.h"
#include "journal.h"
#include "tap.h"
#include "tutil.h"

static char tmpdir[64];
static const unsigned char zero32[32];

static const char *
tpath(const char *name)
{
	static char buf[4][256];
	static int n;
	char *p = buf[n++ % 4];

	snprintf(p, sizeof buf[0], "%s/%s", tmpdir, name);
	return p;
}

static void
hex(const unsigned char *in, size_t n, char *out)
{
	size_t i;

	for (i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", in[i]);
}

/* Builds "seq time type prev[ body] hash\n" into out, the hash computed
 * here independently of journal.c; returns its length. */
static size_t
make_line(char *out, size_t size, uint64_t seq, const char *when,
    const char *type, const unsigned char prev[32], const char *body,
    unsigned char hash[32])
{
	char prevhex[65];
	unsigned int hl = 0;
	int n;

	hex(prev, 32, prevhex);
	n = snprintf(out, size, "%" PRIu64 " %s %s %s %s%s", seq, when, type,
	    prevhex, body, *body != '\0' ? " " : "");
	if (n < 0 || (size_t)n + 66 > size ||
	    EVP_Digest(out, (size_t)n, hash, &hl, EVP_sha256(), NULL) != 1)
		abort();
	hex(hash, 32, out + n);
	out[n + 64] = '\n';
	out[n + 65] = '\0';
	return (size_t)n + 65;
}

/* Offset and length (with LF) of line k (0 is the header). */
static int
line_at(const char *buf, size_t len, int k, size_t *off, size_t *n)
{
	size_t p = 0;
	const char *lf;

	for (; k > 0; k--) {
		if ((lf = memchr(buf + p, '\n', len - p)) == NULL)
			return -1;
		p = (size_t)(lf - buf) + 1;
	}
	if ((lf = memchr(buf + p, '\n', len - p)) == NULL)
		return -1;
	*off = p;
	*n = (size_t)(lf - (buf + p)) + 1;
	return 0;
}

/* ---- a visitor that keeps copies of what it saw ------------------------- */

#define MAXSEEN 16

struct seen {
	size_t n;
	struct {
		uint64_t seq, offset;
		time_t time;
		char time_text[21], type[33];
		unsigned char prev[32], hash[32];
		size_t nfields;
		char key[8][33];
		char value[8][512];
		size_t len[8];
	} r[MAXSEEN];
};

static int
keep(const struct jrecord *rec, void *ctx)
{
	struct seen *s = ctx;
	size_t i;

	if (s->n == MAXSEEN)
		return OR_E_INPUT;
	s->r[s->n].seq = rec->seq;
	s->r[s->n].offset = rec->offset;
	s->r[s->n].time = rec->time;
	memcpy(s->r[s->n].time_text, rec->time_text, 21);
	memcpy(s->r[s->n].type, rec->type, 33);
	memcpy(s->r[s->n].prev, rec->prev, 32);
	memcpy(s->r[s->n].hash, rec->hash, 32);
	s->r[s->n].nfields = rec->nfields;
	for (i = 0; i < rec->nfields && i < 8; i++) {
		snprintf(s->r[s->n].key[i], 33, "%s", rec->fields[i].key);
		if (rec->fields[i].len < 512)
			memcpy(s->r[s->n].value[i], rec->fields[i].value,
			    rec->fields[i].len + 1);
		s->r[s->n].len[i] = rec->fields[i].len;
	}
	s->n++;
	return 0;
}

struct count {
	uint64_t n;
	int bad;
	unsigned char last[32];
};

static int
count(const struct jrecord *rec, void *ctx)
{
	struct count *c = ctx;
	const char *v = jrecord_get(rec, "n");
	char want[24];

	c->n++;
	snprintf(want, sizeof want, "%" PRIu64, c->n);
	if (rec->seq != c->n || rec->nfields != 2 || v == NULL ||
	    strcmp(v, want) != 0)
		c->bad++;
	memcpy(c->last, rec->hash, 32);
	return 0;
}

static int
stop_at_two(const struct jrecord *rec, void *ctx)
{
	(void)ctx;
	return rec->seq == 2 ? 42 : 0;
}

/* ---- the tests ---------------------------------------------------------- */

static unsigned char binval[257];	/* 0x00-0xff and a NUL */

static void
test_create(void)
{
	const char *p = tpath("create.journal");
	struct stat sb;
	size_t len;
	char *buf;
	int rc;

	rc = journal_create(p);
	is_int(rc, OR_OK, "journal_create makes a new journal");
	buf = tu_slurp(p, &len);
	ok(buf != NULL && len == strlen(JOURNAL_MAGIC) &&
	    memcmp(buf, JOURNAL_MAGIC, len) == 0,
	    "a new journal holds only the header line");
	free(buf);
	ok(stat(p, &sb) == 0 && (sb.st_mode & 0777) == 0644,
	    "a new journal has mode 0644");
	rc = journal_create(p);
	is_int(rc, OR_E_EXISTS, "journal_create refuses an existing file");
	ok(symlink("create.journal", tpath("link.journal")) == 0,
	    "made a symbolic link");
	rc = journal_create(tpath("link.journal"));
	is_int(rc, OR_E_EXISTS, "journal_create refuses a symbolic link");
	rc = journal_scan(tpath("link.journal"), NULL, NULL);
	ok(rc != OR_OK, "journal_scan refuses to follow a symbolic link");
	rc = journal_create(tpath("no-such-dir/x.journal"));
	is_int(rc, OR_E_IO, "journal_create in a missing folder is an I/O error");
	rc = journal_scan(tmpdir, NULL, NULL);
	ok(rc != OR_OK, "journal_scan refuses a directory");
}

static void
test_roundtrip(void)
{
	const char *p = tpath("main.journal");
	char longval[400];
	struct jfield f1[] = {
		{ "serial", "7f3a00c1", 0 },
		{ "subject", "CN=Offroot Test Root, O=Example Org", 0 },
		{ "percent", "100% done %41 %%", 0 },
		{ "lines", "line one\nline two\r\n\ttabbed", 0 },
		{ "utf8", "Zo\xc3\xab \xc3\x85ngstr\xc3\xb6m \xe2\x9c\x93", 0 },
		{ "empty", "", 0 },
	};
	struct jfield f2[] = {
		{ "bin", (const char *)binval + 1, 0 },	/* 0x01..0xff */
		{ "withnul", "a\0b\0", 4 },
		{ "long", longval, 0 },
	};
	unsigned char h[4][32];
	struct journal *j = NULL;
	struct seen *s = calloc(1, sizeof *s);
	time_t t0, t1;
	char *buf;
	size_t len, i;
	int rc;

	for (i = 0; i < 256; i++)
		binval[i] = (unsigned char)i;
	binval[256] = 0;
	memset(longval, 'x', sizeof longval - 1);
	longval[sizeof longval - 1] = '\0';

	rc = journal_create(p);
	is_int(rc, OR_OK, "created the main journal");
	rc = journal_open(p, NULL, NULL, &j);
	is_int(rc, OR_OK, "opened an empty journal");
	if (rc != OR_OK) {
		free(s);
		return;
	}
	is_int(journal_seq(j), 0, "an empty journal is at seq 0");
	ok(memcmp(journal_head(j), zero32, 32) == 0,
	    "an empty journal's head is all zeros");
	t0 = time(NULL);
	rc = journal_append(j, "issue", f1, 6, h[0]);
	is_int(rc, OR_OK, "appended record 1 (spaces, %%, newlines, UTF-8)");
	is_int(journal_seq(j), 1, "seq is 1");
	ok(memcmp(journal_head(j), h[0], 32) == 0, "head is record 1's hash");
	rc = journal_append(j, "binary-test", f2, 3, h[1]);
	is_int(rc, OR_OK, "appended record 2 (binary without and with NUL)");
	rc = journal_append(j, "no-fields", NULL, 0, h[2]);
	is_int(rc, OR_OK, "appended record 3 (no fields)");
	rc = journal_append(j, "crl", f1, 1, NULL);
	is_int(rc, OR_OK, "appended record 4 without asking for its hash");
	memcpy(h[3], journal_head(j), 32);
	is_int(journal_seq(j), 4, "seq is 4");
	t1 = time(NULL);

	/* Invalid appends change nothing. */
	{
		struct jfield bad[] = { { "Upper", "x", 0 } };
		struct jfield dup[] = { { "a", "x", 0 }, { "a", "y", 0 } };
		struct jfield nul[] = { { "a", NULL, 0 } };
		struct jfield big[] = { { "big", (const char *)binval + 1,
		    255 } };
		struct jfield many[JOURNAL_MAX_FIELDS + 1];
		char keys[JOURNAL_MAX_FIELDS + 1][8];
		char *huge = malloc(JOURNAL_MAX_LINE);

		is_int(journal_append(j, "Issue", NULL, 0, NULL), OR_E_INPUT,
		    "an uppercase record type is refused");
		is_int(journal_append(j, "", NULL, 0, NULL), OR_E_INPUT,
		    "an empty record type is refused");
		is_int(journal_append(j, "a-type-name-longer-than-32-chars-x",
		    NULL, 0, NULL), OR_E_INPUT, "a 34-byte record type is refused");
		is_int(journal_append(j, "x", bad, 1, NULL), OR_E_INPUT,
		    "an uppercase field name is refused");
		is_int(journal_append(j, "x", dup, 2, NULL), OR_E_INPUT,
		    "a field given twice is refused");
		is_int(journal_append(j, "x", nul, 1, NULL), OR_E_INPUT,
		    "a NULL value is refused");
		for (i = 0; i < JOURNAL_MAX_FIELDS + 1; i++) {
			snprintf(keys[i], sizeof keys[i], "k%zu", i);
			many[i].key = keys[i];
			many[i].value = "v";
			many[i].len = 0;
		}
		is_int(journal_append(j, "x", many, JOURNAL_MAX_FIELDS + 1,
		    NULL), OR_E_INPUT, "65 fields are refused");
		if (huge != NULL) {
			memset(huge, 'y', JOURNAL_MAX_LINE - 1);
			huge[JOURNAL_MAX_LINE - 1] = '\0';
			big[0].value = huge;
			big[0].len = 0;
		}
		is_int(journal_append(j, "x", big, 1, NULL), OR_E_INPUT,
		    "a record longer than JOURNAL_MAX_LINE is refused");
		free(huge);
		is_int(journal_seq(j), 4, "refused appends leave seq at 4");
	}
	{
		/* The longest record allowed, exactly JOURNAL_MAX_LINE
		 * bytes with its LF: "5 <time> max <prev> v=...  <hash>\n" */
		size_t fixed = 2 + 21 + 4 + 65 + 2 + 1 + 65;
		size_t vl = JOURNAL_MAX_LINE - fixed;
		char *v = malloc(vl + 1);
		struct jfield mf[1] = { { "v", NULL, 0 } };

		if (v != NULL) {
			memset(v, 'z', vl);
			v[vl] = '\0';
			mf[0].value = v;
			rc = journal_append(j, "max", mf, 1, NULL);
			is_int(rc, OR_OK, "a record of exactly JOURNAL_MAX_LINE "
			    "bytes is accepted");
			v[vl - 1] = '\n';	/* one more byte once escaped */
			v[vl - 2] = '\n';
			rc = journal_append(j, "max", mf, 1, NULL);
			is_int(rc, OR_E_INPUT, "one escape more is refused");
			free(v);
		}
	}
	journal_close(j);

	buf = tu_slurp(p, &len);
	ok(buf != NULL && strstr(buf, " subject=CN=Offroot%20Test%20Root,%20"
	    "O=Example%20Org ") != NULL, "spaces are written as %%20");
	ok(buf != NULL && strstr(buf, " percent=100%25%20done%20%2541%20"
	    "%25%25 ") != NULL, "%% is written as %%25");
	ok(buf != NULL && strstr(buf, " lines=line%20one%0Aline%20two%0D%0A"
	    "%09tabbed ") != NULL, "control bytes are written as %%XX");
	ok(buf != NULL && strstr(buf, " utf8=Zo%C3%AB%20%C3%85ngstr%C3%B6m"
	    "%20%E2%9C%93 ") != NULL, "UTF-8 bytes are written as %%XX");
	ok(buf != NULL && strstr(buf, " empty= ") != NULL,
	    "an empty value is written as key=");
	ok(buf != NULL && strstr(buf, " withnul=a%00b%00 ") != NULL,
	    "NUL bytes are written as %%00 when the length is given");
	free(buf);

	rc = journal_scan(p, keep, s);
	is_int(rc, OR_OK, "journal_scan verifies the journal");
	is_int(s->n, 5, "journal_scan visits every record");
	for (i = 0; i < 4 && i < s->n; i++) {
		is_int(s->r[i].seq, i + 1, "records are numbered from 1");
		ok(memcmp(s->r[i].hash, h[i], 32) == 0,
		    "record %zu's hash is the one append returned", i + 1);
		ok(memcmp(s->r[i].prev, i == 0 ? zero32 : h[i - 1], 32) == 0,
		    "record %zu's prev is the previous hash", i + 1);
		ok(s->r[i].time >= t0 && s->r[i].time <= t1,
		    "record %zu's time is now", i + 1);
		ok(strlen(s->r[i].time_text) == 20 &&
		    s->r[i].time_text[10] == 'T' && s->r[i].time_text[19] == 'Z',
		    "record %zu's time text is UTC ISO 8601", i + 1);
	}
	if (s->n >= 4) {
		is_int(s->r[0].offset, strlen(JOURNAL_MAGIC),
		    "record 1 starts after the header");
		ok(s->r[1].offset > s->r[0].offset, "offsets increase");
		is_str(s->r[0].type, "issue", "record 1's type");
		is_int(s->r[0].nfields, 6, "record 1 has 6 fields");
		for (i = 0; i < 6; i++) {
			is_str(s->r[0].key[i], f1[i].key, "field names read back");
			ok(s->r[0].len[i] == strlen(f1[i].value) &&
			    memcmp(s->r[0].value[i], f1[i].value,
			    s->r[0].len[i] + 1) == 0,
			    "field %s reads back exactly", f1[i].key);
		}
		is_str(s->r[1].type, "binary-test", "record 2's type");
		ok(s->r[1].len[0] == 255 &&
		    memcmp(s->r[1].value[0], binval + 1, 255) == 0,
		    "bytes 0x01-0xff read back exactly");
		ok(s->r[1].len[1] == 4 && memcmp(s->r[1].value[1], "a\0b\0", 5)
		    == 0, "a value holding NUL reads back with its length");
		ok(s->r[1].len[2] == strlen(longval) &&
		    strcmp(s->r[1].value[2], longval) == 0,
		    "a 399-byte value reads back exactly");
		is_int(s->r[2].nfields, 0, "record 3 has no fields");
		is_str(s->r[3].type, "crl", "record 4's type");
	}
	free(s);

	is_int(journal_scan(p, stop_at_two, NULL), 42,
	    "a visitor's non-zero return stops the scan and is returned");
	is_int(journal_open(p, stop_at_two, NULL, &j), 42,
	    "... and journal_open returns it too");
	ok(j == NULL, "... without opening the journal");
}

static void
test_reopen(void)
{
	const char *p = tpath("main.journal");
	struct jfield f[] = { { "note", "after reopen", 0 } };
	unsigned char head[32], h6[32];
	struct journal *j = NULL, *j2 = NULL;
	struct count c = { 0, 0, { 0 } };
	int rc;

	rc = journal_open(p, NULL, NULL, &j);
	is_int(rc, OR_OK, "reopened the main journal");
	if (rc != OR_OK)
		return;
	is_int(journal_seq(j), 5, "reopened at seq 5");
	memcpy(head, journal_head(j), 32);
	rc = journal_append(j, "note", f, 1, h6);
	is_int(rc, OR_OK, "appended after reopening");
	is_int(journal_seq(j), 6, "seq continues at 6");

	rc = journal_open(p, NULL, NULL, &j2);
	is_int(rc, OR_E_ENV, "a second journal_open in this process is refused");
	ok(j2 == NULL, "... and returns no journal");
	rc = journal_scan(p, NULL, NULL);
	is_int(rc, OR_OK, "journal_scan of a journal this process has open "
	    "works");
	journal_close(j);

	rc = journal_scan(p, count, &c);
	is_int(rc, OR_OK, "the continued chain verifies");
	is_int(c.n, 6, "6 records");
	ok(memcmp(c.last, h6, 32) == 0, "the last hash is record 6's");

	{
		/* Record 6's prev must be the head before the append. */
		struct jrecord *rec = malloc(sizeof *rec);
		size_t len, off, n;
		char *buf = tu_slurp(p, &len);

		if (buf != NULL && rec != NULL && line_at(buf, len, 6, &off,
		    &n) == 0) {
			rc = journal_parse_record(buf + off, n - 1, 6, head,
			    rec);
			is_int(rc, OR_OK, "record 6 follows the old head");
			is_str(jrecord_get(rec, "note"), "after reopen",
			    "jrecord_get finds a field");
			ok(jrecord_get(rec, "missing") == NULL,
			    "jrecord_get returns NULL for a missing field");
		} else
			ok(0, "read record 6");
		free(buf);
		free(rec);
	}
}

static void
test_lock(void)
{
	const char *p = tpath("main.journal");
	struct journal *j = NULL, *j2 = NULL;
	pid_t pid;
	int fd, rc, status;

	/* Another holder of the lock: a separate open file description. */
	fd = open(p, O_RDONLY | O_CLOEXEC);
	ok(fd >= 0 && flock(fd, LOCK_EX) == 0, "took the lock as another "
	    "process would");
	rc = journal_open(p, NULL, NULL, &j2);
	is_int(rc, OR_E_ENV, "journal_open refuses a locked journal");
	ok(strstr(err_msg(rc), "another offroot process is using") != NULL &&
	    strstr(err_msg(rc), tmpdir) != NULL,
	    "... saying another offroot process uses the folder");
	rc = journal_scan(p, NULL, NULL);
	is_int(rc, OR_E_ENV, "journal_scan refuses a journal being written");
	if (fd >= 0)
		close(fd);

	rc = journal_open(p, NULL, NULL, &j);
	is_int(rc, OR_OK, "opened once the lock was released");
	if (rc != OR_OK)
		return;
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		struct journal *cj = NULL;
		int crc = journal_open(p, NULL, NULL, &cj);
		int srs = journal_scan(p, NULL, NULL);

		_exit(crc == OR_E_ENV && srs == OR_E_ENV &&
		    strstr(err_msg(crc), "another offroot process") != NULL ?
		    0 : 1);
	}
	ok(pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
	    WEXITSTATUS(status) == 0,
	    "a second process cannot open or scan an open journal");
	journal_close(j);
	rc = journal_open(p, NULL, NULL, &j);
	is_int(rc, OR_OK, "journal_close releases the lock");
	journal_close(j);
}

/* The journal must not be left with a torn record when a write fails
 * half-way: RLIMIT_FSIZE makes write() stop short, then fail. */
static void
test_failed_write(void)
{
	const char *p = tpath("main.journal");
	struct jfield f[] = { { "filler", "0123456789abcdefghijklmnopqrstuv"
	    "0123456789abcdefghijklmnopqrstuv0123456789abcdefghijklmnopqrstuv",
	    0 } };
	struct journal *j = NULL;
	struct rlimit old, lim;
	struct stat sb;
	off_t before;
	int rc;

	if ((rc = journal_open(p, NULL, NULL, &j)) != OR_OK) {
		ok(0, "open for the failed-write test: %s", err_msg(rc));
		return;
	}
	ok(stat(p, &sb) == 0, "stat");
	before = sb.st_size;
	signal(SIGXFSZ, SIG_IGN);
	ok(getrlimit(RLIMIT_FSIZE, &old) == 0, "getrlimit");
	lim = old;
	lim.rlim_cur = (rlim_t)before + 100;
	ok(setrlimit(RLIMIT_FSIZE, &lim) == 0, "limited the file size");
	rc = journal_append(j, "fill", f, 1, NULL);
	ok(setrlimit(RLIMIT_FSIZE, &old) == 0, "restored the file size limit");
	is_int(rc, OR_E_IO, "a write cut short is an I/O error");
	ok(strstr(err_msg(rc), "was not added") != NULL,
	    "... saying the record was not added");
	ok(stat(p, &sb) == 0 && sb.st_size == before,
	    "... and the partial record was removed");
	is_int(journal_append(j, "fill", f, 1, NULL), OR_E_IO,
	    "a journal whose write failed refuses further appends");
	journal_close(j);
	is_int(journal_scan(p, NULL, NULL), OR_OK,
	    "the journal still verifies after the failed write");

	/* A journal changed behind our back is not appended to. */
	if ((rc = journal_open(p, NULL, NULL, &j)) == OR_OK) {
		int fd = open(p, O_WRONLY | O_APPEND | O_CLOEXEC);

		ok(fd >= 0 && write(fd, "x", 1) == 1, "another program "
		    "wrote to the journal");
		if (fd >= 0)
			close(fd);
		is_int(journal_append(j, "fill", f, 1, NULL), OR_E_CORRUPT,
		    "appending to a journal changed while open is refused");
		journal_close(j);
		ok(stat(p, &sb) == 0 && sb.st_size == before + 1,
		    "... and nothing was written");
	} else
		ok(0, "reopen: %s", err_msg(rc));
}

struct damage {
	const char *name;
	const char *data;
	size_t len;
	const char *want;
};

static void
check_damaged(const char *name, const char *data, size_t len,
    const char *want)
{
	const char *p = tpath("damaged.journal");
	struct journal *j = NULL;
	int rc;

	if (tu_spew(p, data, len) != 0) {
		ok(0, "%s: write the damaged copy", name);
		return;
	}
	rc = journal_scan(p, NULL, NULL);
	if (!ok(rc == OR_E_CORRUPT && strstr(err_msg(rc), want) != NULL &&
	    strstr(err_msg(rc), p) != NULL, "%s is refused: %s", name, want))
		diag("got %s: %s", err_name(rc), err_msg(rc));
	rc = journal_open(p, NULL, NULL, &j);
	ok(rc == OR_E_CORRUPT && j == NULL, "%s: journal_open refuses it too",
	    name);
}

static void
test_damage(void)
{
	char p[256];
	struct jfield f[] = { { "value", "abcdefgh", 0 } };
	struct journal *j = NULL;
	size_t len, i, o[6], n[6];
	char *orig, *b;
	int rc;

	snprintf(p, sizeof p, "%s", tpath("four.journal"));
	rc = journal_create(p);
	if (rc == OR_OK)
		rc = journal_open(p, NULL, NULL, &j);
	for (i = 0; rc == OR_OK && i < 4; i++)
		rc = journal_append(j, "rec", f, 1, NULL);
	journal_close(j);
	is_int(rc, OR_OK, "made a journal of 4 records");
	orig = tu_slurp(p, &len);
	b = malloc(len + 4096);
	if (orig == NULL || b == NULL) {
		ok(0, "read it");
		free(orig);
		free(b);
		return;
	}
	for (i = 0; i < 5; i++)
		if (line_at(orig, len, (int)i, &o[i], &n[i]) != 0)
			abort();

	/* A flipped byte in record 2's value. */
	memcpy(b, orig, len);
	b[o[2] + n[2] - 67] ^= 0x01;	/* 'h' of abcdefgh -> 'i' */
	check_damaged("a flipped byte in record 2", b, len,
	    "record 2 was altered");
	/* A flipped bit that makes a byte invalid in a value. */
	memcpy(b, orig, len);
	b[o[2] + n[2] - 68] = ' ';
	check_damaged("a space in record 2's value", b, len,
	    "record 2 was altered");
	/* A flipped hex digit of record 3's hash. */
	memcpy(b, orig, len);
	b[o[3] + n[3] - 2] = b[o[3] + n[3] - 2] == '0' ? '1' : '0';
	check_damaged("a changed digit of record 3's hash", b, len,
	    "record 3 was altered");
	/* Record 2 deleted. */
	memcpy(b, orig, o[2]);
	memcpy(b + o[2], orig + o[3], len - o[3]);
	check_damaged("a deleted middle record", b, len - n[2],
	    "record 2 does not follow record 1: a record was removed or "
	    "reordered");
	/* Record 1 deleted. */
	memcpy(b, orig, o[1]);
	memcpy(b + o[1], orig + o[2], len - o[2]);
	check_damaged("a deleted first record", b, len - n[1],
	    "record 1 does not start the chain");
	/* Records 2 and 3 swapped. */
	memcpy(b, orig, o[2]);
	memcpy(b + o[2], orig + o[3], n[3]);
	memcpy(b + o[2] + n[3], orig + o[2], n[2]);
	memcpy(b + o[4], orig + o[4], len - o[4]);
	check_damaged("two swapped records", b, len,
	    "record 2 does not follow record 1");
	/* A truncated last line, without its LF or cut in the middle. */
	check_damaged("a last record without its LF", orig, len - 1,
	    "record 4 is torn: incomplete last line");
	check_damaged("a last record cut in the middle", orig, o[4] + 10,
	    "record 4 is torn");
	/* Garbage appended. */
	memcpy(b, orig, len);
	memcpy(b + len, "garbage\n", 8);
	check_damaged("a garbage line appended", b, len + 8,
	    "record 5 is malformed");
	check_damaged("garbage without LF appended", b, len + 7,
	    "record 5 is torn");
	memcpy(b + len, "\n", 1);
	check_damaged("an empty line appended", b, len + 1,
	    "record 5 is malformed");
	/* An overlong line. */
	{
		size_t big = JOURNAL_MAX_LINE + 10;
		char *g = malloc(len + big + 1);

		if (g != NULL) {
			memcpy(g, orig, len);
			memset(g + len, 'a', big);
			g[len + big] = '\n';
			check_damaged("an overlong line", g, len + big + 1,
			    "record 5 is longer than 65536 bytes");
			check_damaged("an overlong line without LF", g,
			    len + big, "record 5 is longer than 65536 bytes");
			free(g);
		}
	}
	/* Headers. */
	memcpy(b, orig, len);
	b[16] = '2';
	check_damaged("version 2", b, len, "unsupported journal version \"2\"");
	check_damaged("bad magic", "hello world\n", 12,
	    "is not an offroot journal");
	check_damaged("an empty file", "", 0, "is empty");
	check_damaged("a torn header", JOURNAL_MAGIC, 10,
	    "header is incomplete");
	memcpy(b, orig, len);
	b[17] = '\r';
	check_damaged("a CRLF header", b, len, "header line is damaged");
	/* The original still verifies: the tests damaged only copies. */
	is_int(journal_scan(p, NULL, NULL), OR_OK, "the undamaged journal "
	    "verifies");
	free(orig);
	free(b);
}

/* Records whose hash is right (written by a buggy or hostile writer) but
 * whose contents break the grammar or the numbering. */
static void
test_parse(void)
{
	static const char kat[] = "1 2025-01-02T03:04:05Z test "
	    "0000000000000000000000000000000000000000000000000000000000000000 "
	    "a=b%20c note=100%25%0A "
	    "7efd65de6809ffbf882e6242b92757da8a9c7346e6f1684c7a16fe373e4fbc7a";
	static const struct {
		const char *when, *type, *body, *want;
		uint64_t seq;
	} bad[] = {
		{ "2025-01-02T03:04:05Z", "t", "a=%41", "must be written as "
		    "itself", 1 },
		{ "2025-01-02T03:04:05Z", "t", "a=%0a", "two uppercase hex", 1 },
		{ "2025-01-02T03:04:05Z", "t", "a=%2", "two uppercase hex", 1 },
		{ "2025-01-02T03:04:05Z", "t", "a=%", "two uppercase hex", 1 },
		{ "2025-01-02T03:04:05Z", "t", "a=1 a=2", "appears twice", 1 },
		{ "2025-01-02T03:04:05Z", "t", "a", "has no '='", 1 },
		{ "2025-01-02T03:04:05Z", "t", "=x", "field name", 1 },
		{ "2025-01-02T03:04:05Z", "t", "A=x", "field name", 1 },
		{ "2025-01-02T03:04:05Z", "t", "a=x\x7f", "must be escaped", 1 },
		{ "2025-01-02T03:04:05Z", "t", "a=\xc3\xa9", "must be escaped",
		    1 },
		{ "2025-01-02T03:04:05Z", "t", "a=1  b=2", "empty item", 1 },
		{ "2025-02-29T00:00:00Z", "t", "", "time", 1 },
		{ "2024-02-30T00:00:00Z", "t", "", "time", 1 },
		{ "2025-01-02T24:00:00Z", "t", "", "time", 1 },
		{ "2025-01-02T23:59:60Z", "t", "", "time", 1 },
		{ "2025-01-02 03:04:05Z", "t", "", "time", 1 },
		{ "2025-01-02T03:04:05+", "t", "", "time", 1 },
		{ "1969-12-31T23:59:59Z", "t", "", "time", 1 },
		{ "2025-01-02T03:04:05Z", "Type", "", "record type", 1 },
		{ "2025-01-02T03:04:05Z", "t", "", "record 2 carries sequence "
		    "number 1 instead of 2", 2 },
	};
	static const unsigned char one[32] = { 1 };
	char line[4096], prevhex[65], digits[65];
	unsigned char h[32];
	struct jrecord *rec = malloc(sizeof *rec);
	char *big;
	size_t n, i;
	int rc;

	if (rec == NULL)
		return;
	memcpy(line, kat, sizeof kat);
	rc = journal_parse_record(line, sizeof kat - 1, 1, zero32, rec);
	is_int(rc, OR_OK, "a known-answer record parses");
	is_int(rec->seq, 1, "its seq");
	is_int(rec->time, 1735787045, "its time");
	is_str(rec->time_text, "2025-01-02T03:04:05Z", "its time text");
	is_str(rec->type, "test", "its type");
	is_int(rec->nfields, 2, "its field count");
	is_str(jrecord_get(rec, "a"), "b c", "%%20 decodes to a space");
	is_str(jrecord_get(rec, "note"), "100%\n", "%%25 and %%0A decode");
	is_int(rec->fields[1].len, 5, "decoded length");
	hex(rec->hash, 32, digits);
	is_str(digits, "7efd65de6809ffbf882e6242b92757da8a9c7346e6f1684c7a16fe"
	    "373e4fbc7a", "its hash is SHA-256 of the line up to the hash");

	memcpy(line, kat, sizeof kat);
	rc = journal_parse_record(line, sizeof kat - 1, 0, NULL, rec);
	is_int(rc, OR_OK, "want_seq 0 and want_prev NULL skip the chain checks");
	memcpy(line, kat, sizeof kat);
	rc = journal_parse_record(line, sizeof kat - 1, 2, one, rec);
	ok(rc == OR_E_CORRUPT && strstr(err_msg(rc), "record 2 does not "
	    "follow record 1") != NULL, "a wrong prev is refused");

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		n = make_line(line, sizeof line, 1, bad[i].when, bad[i].type,
		    zero32, bad[i].body, h);
		rc = journal_parse_record(line, n - 1, bad[i].seq, zero32, rec);
		if (!ok(rc == OR_E_CORRUPT && strstr(err_msg(rc),
		    bad[i].want) != NULL, "refused (%s): %s %s %s",
		    bad[i].want, bad[i].when, bad[i].type, bad[i].body))
			diag("got %s: %s", err_name(rc), err_msg(rc));
	}

	/* Grammar of the fixed part, each with a correct hash. */
	hex(zero32, 32, prevhex);
	{
		/* Each is followed by that many digits of prev and a SP. */
		static const struct {
			const char *pre;
			int prevlen;
		} heads[] = {
			{ "01 2025-01-02T03:04:05Z t ", 64 },
			{ "1 2025-01-02T03:04:05Z t ", 63 },
			{ "1 2025-01-02T03:04:05Z ", 64 },
			{ "1 ", 0 },
			{ "", 0 },
			{ " 1 2025-01-02T03:04:05Z t ", 64 },
			{ "18446744073709551616 2025-01-02T03:04:05Z t ", 64 },
		};
		unsigned int hl;

		for (i = 0; i < sizeof heads / sizeof heads[0]; i++) {
			n = (size_t)snprintf(line, sizeof line, "%s%.*s%s",
			    heads[i].pre, heads[i].prevlen, prevhex,
			    heads[i].prevlen != 0 ? " " : "");
			if (EVP_Digest(line, n, h, &hl, EVP_sha256(), NULL) != 1)
				abort();
			hex(h, 32, line + n);
			n += 64;
			rc = journal_parse_record(line, n, 1, zero32, rec);
			if (!ok(rc == OR_E_CORRUPT && strstr(err_msg(rc),
			    "malformed") != NULL, "malformed header %zu refused",
			    i))
				diag("got %s: %s", err_name(rc), err_msg(rc));
		}
	}
	/* 64 fields are fine, 65 are not. */
	{
		char body[2048];
		size_t b = 0;

		for (i = 0; i < JOURNAL_MAX_FIELDS; i++)
			b += (size_t)snprintf(body + b, sizeof body - b,
			    "%sk%zu=v", i ? " " : "", i);
		n = make_line(line, sizeof line, 1, "2025-01-02T03:04:05Z",
		    "t", zero32, body, h);
		rc = journal_parse_record(line, n - 1, 1, zero32, rec);
		ok(rc == OR_OK && rec->nfields == JOURNAL_MAX_FIELDS &&
		    strcmp(jrecord_get(rec, "k63"), "v") == 0,
		    "64 fields parse");
		snprintf(body + b, sizeof body - b, " k64=v");
		n = make_line(line, sizeof line, 1, "2025-01-02T03:04:05Z",
		    "t", zero32, body, h);
		rc = journal_parse_record(line, n - 1, 1, zero32, rec);
		ok(rc == OR_E_CORRUPT && strstr(err_msg(rc), "more than 64")
		    != NULL, "65 fields are refused");
	}
	/* Too short, no hash, too long. */
	memcpy(line, "1 x", 3);
	is_int(journal_parse_record(line, 3, 1, zero32, rec), OR_E_CORRUPT,
	    "a short line is refused");
	is_int(journal_parse_record(line, 0, 1, zero32, rec), OR_E_CORRUPT,
	    "an empty line is refused");
	if ((big = malloc(JOURNAL_MAX_LINE + 1)) != NULL) {
		memset(big, 'a', JOURNAL_MAX_LINE + 1);
		rc = journal_parse_record(big, JOURNAL_MAX_LINE, 1, zero32, rec);
		ok(rc == OR_E_CORRUPT && strstr(err_msg(rc), "longer") != NULL,
		    "a line of JOURNAL_MAX_LINE bytes without LF is too long");
		free(big);
	}
	free(rec);
}

/* A seq that skips a number although the chain is intact. */
static void
test_seq_gap(void)
{
	char buf[2048];
	unsigned char h1[32], h2[32];
	size_t n;

	n = strlen(JOURNAL_MAGIC);
	memcpy(buf, JOURNAL_MAGIC, n);
	n += make_line(buf + n, sizeof buf - n, 1, "2025-01-02T03:04:05Z",
	    "a", zero32, "", h1);
	n += make_line(buf + n, sizeof buf - n, 3, "2025-01-02T03:04:06Z",
	    "a", h1, "x=y", h2);
	check_damaged("a skipped sequence number", buf, n,
	    "record 2 carries sequence number 3 instead of 2");
}

/* 200,000 records: journal_open must stream them (no timing asserted). */
static void
test_large(void)
{
	const char *p = tpath("large.journal");
	const uint64_t nrec = 200000;
	unsigned char prev[32], h[32];
	struct count c = { 0, 0, { 0 } };
	struct journal *j = NULL;
	struct timespec t0, t1;
	char body[128];
	char *buf;
	size_t cap = 200 * (size_t)nrec, n;
	uint64_t i;
	int rc;

	if ((buf = malloc(cap)) == NULL) {
		ok(0, "memory for the large journal");
		return;
	}
	n = strlen(JOURNAL_MAGIC);
	memcpy(buf, JOURNAL_MAGIC, n);
	memset(prev, 0, sizeof prev);
	for (i = 1; i <= nrec; i++) {
		snprintf(body, sizeof body, "serial=%016" PRIx64 " n=%" PRIu64,
		    i * 2654435761u, i);
		n += make_line(buf + n, cap - n, i, "2025-11-25T00:00:00Z",
		    "issue", prev, body, h);
		memcpy(prev, h, 32);
	}
	ok(tu_spew(p, buf, n) == 0, "wrote a journal of %" PRIu64 " records "
	    "(%zu bytes)", nrec, n);
	free(buf);

	clock_gettime(CLOCK_MONOTONIC, &t0);
	rc = journal_open(p, count, &c, &j);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	is_int(rc, OR_OK, "journal_open verifies 200,000 records");
	diag("verified in %.3f s", (double)(t1.tv_sec - t0.tv_sec) +
	    (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	is_int(c.n, nrec, "the visitor saw every record");
	is_int(c.bad, 0, "each in order with its fields");
	if (rc == OR_OK) {
		is_int(journal_seq(j), nrec, "seq is the last record's");
		ok(memcmp(journal_head(j), prev, 32) == 0,
		    "head is the last record's hash");
		rc = journal_append(j, "issue", NULL, 0, NULL);
		is_int(rc, OR_OK, "appended record 200,001");
		is_int(journal_seq(j), nrec + 1, "seq is 200,001");
		journal_close(j);
	}
}

/* journal_drop forgets what was held; the journal goes on from there. */
static void
test_drop(void)
{
	const char *p = tpath("drop.journal");
	struct count c = { 0, 0, { 0 } };
	struct journal *j = NULL;
	unsigned char h1[32], h2[32];
	struct jfield f[] = { { "n", "1", 0 } };
	int rc;

	if (journal_create(p) != OR_OK ||
	    journal_open(p, NULL, NULL, &j) != OR_OK) {
		ok(0, "made drop.journal");
		return;
	}
	is_int(journal_append(j, "a", f, 1, h1), OR_OK, "record 1");
	is_int(journal_hold(j), OR_OK, "hold");
	is_int(journal_append(j, "end", f, 1, h2), OR_OK, "record 2, held");
	is_int(journal_seq(j), 2, "seq moves on while holding");
	journal_drop(j);
	is_int(journal_seq(j), 1, "after journal_drop: seq is back to 1");
	ok(memcmp(journal_head(j), h1, 32) == 0, "... and head to record 1's");
	is_int(journal_commit(j), OR_E_INPUT, "nothing is held any more");
	is_int(journal_append(j, "b", f, 1, h2), OR_OK, "record 2 again");
	journal_close(j);
	rc = journal_scan(p, count, &c);
	is_int(rc, OR_OK, "the journal verifies");
	is_int(c.n, 2, "two records, the dropped one not among them");
}

/* journal_peek_head: the last record's seq and hash from the file's end,
 * as journal_head says after the appends; none is seq 0; a torn last line
 * or a last line whose hash does not match is refused. */
static void
test_peek(void)
{
	const char *p = tpath("peek.journal");
	struct journal *j = NULL;
	unsigned char h[32], got[32];
	struct jfield f[] = { { "n", "1", 0 } };
	uint64_t seq = 99;
	char line[256];
	int fd, i;

	if (journal_create(p) != OR_OK) {
		ok(0, "made peek.journal");
		return;
	}
	is_int(journal_peek_head(p, &seq, got), OR_OK, "no records: OR_OK");
	ok(seq == 0 && memcmp(got, zero32, 32) == 0, "... seq 0, hash zero");
	if (journal_open(p, NULL, NULL, &j) != OR_OK) {
		ok(0, "opened peek.journal");
		return;
	}
	for (i = 0; i < 3; i++)
		(void)journal_append(j, "a", f, 1, h);
	is_int(journal_peek_head(p, &seq, got), OR_OK, "three records");
	ok(seq == 3 && memcmp(got, h, 32) == 0 &&
	    memcmp(journal_head(j), h, 32) == 0,
	    "... seq 3 and the last record's hash");
	journal_close(j);
	/* A torn last line: no LF. */
	if ((fd = open(p, O_WRONLY | O_APPEND)) >= 0) {
		ok(write(fd, "4 x", 3) == 3, "appended a torn line");
		close(fd);
	}
	is_int(journal_peek_head(p, &seq, got), OR_E_CORRUPT,
	    "a torn last line is OR_E_CORRUPT");
	if (truncate(p, 0) == 0 && (fd = open(p, O_WRONLY)) >= 0) {
		ok(write(fd, JOURNAL_MAGIC, strlen(JOURNAL_MAGIC)) > 0,
		    "rewrote the header");
		snprintf(line, sizeof line, "1 2026-01-01T00:00:00Z a %064d "
		    "%064d\n", 0, 0);
		ok(write(fd, line, strlen(line)) == (ssize_t)strlen(line),
		    "wrote a record with a wrong hash");
		close(fd);
	}
	is_int(journal_peek_head(p, &seq, got), OR_E_CORRUPT,
	    "a last record whose hash does not match is OR_E_CORRUPT");
}

static int
rm_tree(void)
{
	static const char *const names[] = { "create.journal", "link.journal",
	    "main.journal", "damaged.journal", "four.journal",
	    "large.journal", "drop.journal", "peek.journal" };
	size_t i;

	for (i = 0; i < sizeof names / sizeof names[0]; i++)
		(void)unlink(tpath(names[i]));
	return rmdir(tmpdir);
}

int
main(void)
{
	const char *t = getenv("TMPDIR");

	umask(022);
	snprintf(tmpdir, sizeof tmpdir, "%s/test-journal.XXXXXX",
	    t != NULL && *t != '\0' && strlen(t) < 32 ? t : "/tmp");
	if (mkdtemp(tmpdir) == NULL) {
		printf("Bail out! mkdtemp: %s\n", strerror(errno));
		return 1;
	}
	test_create();
	test_roundtrip();
	test_reopen();
	test_lock();
	test_failed_write();
	test_damage();
	test_parse();
	test_seq_gap();
	test_large();
	test_drop();
	test_peek();
	ok(rm_tree() == 0, "removed the test folder");
	return done_testing();
}
