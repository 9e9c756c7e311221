/*
 * fuzz-journal.c — libFuzzer target for the journal reader (journal.c).
 *
 * Each input is tried four ways:
 *   1. as one record line, given to journal_parse_record in a buffer of
 *      exactly its size (ASan catches any read past len);
 *   2. the same line with a correct hash written over its end, so that the
 *      fuzzer gets past SHA-256 into the grammar and the value decoder;
 *   3. as a whole journal file, through journal_scan;
 *   4. as a journal body after the header, every line given a correct prev
 *      and hash, so that scans run through many valid records and stop on
 *      the grammar, the sequence numbers, a torn last line or a long line.
 * Records that parse are checked for the promises of journal.h.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "err.h"
#include "journal.h"

static char tmp_path[64];

static void
remove_tmp(void)
{
	if (tmp_path[0] != '\0')
		(void)unlink(tmp_path);
}

static void
sha256_hex(const void *data, size_t len, unsigned char raw[32], char *hex)
{
	static const char digits[] = "0123456789abcdef";
	unsigned int n = 0;
	size_t i;

	if (EVP_Digest(data, len, raw, &n, EVP_sha256(), NULL) != 1 || n != 32)
		abort();
	for (i = 0; i < 32; i++) {
		hex[2 * i] = digits[raw[i] >> 4];
		hex[2 * i + 1] = digits[raw[i] & 0xf];
	}
}

/* What journal.h promises of a record that parsed. */
static void
check_record(const struct jrecord *rec, const char *buf, size_t len)
{
	size_t i;

	if (rec->nfields > JOURNAL_MAX_FIELDS || rec->seq == 0 ||
	    strlen(rec->type) == 0 || strlen(rec->type) > 32 ||
	    strlen(rec->time_text) != 20)
		abort();
	for (i = 0; i < rec->nfields; i++) {
		const struct jfield *f = &rec->fields[i];

		/* Keys and values point into the line, NUL-terminated. */
		if (f->key < buf || f->key >= buf + len ||
		    f->value < buf || f->value + f->len >= buf + len ||
		    f->value[f->len] != '\0' || strlen(f->key) == 0 ||
		    strlen(f->key) > 32)
			abort();
		if (jrecord_get(rec, f->key) != f->value)
			abort();	/* keys are unique */
	}
}

static int
visit(const struct jrecord *rec, void *ctx)
{
	uint64_t *n = ctx;

	if (rec->seq != ++*n)
		abort();
	return 0;
}

static void
scan_bytes(const uint8_t *data, size_t size)
{
	uint64_t n = 0;
	int fd, rc;

	fd = open(tmp_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		abort();
	if (size > 0 && write(fd, data, size) != (ssize_t)size)
		abort();
	if (close(fd) != 0)
		abort();
	rc = journal_scan(tmp_path, visit, &n);
	if (rc != OR_OK && rc != OR_E_CORRUPT)
		abort();	/* a regular file we can read: nothing else */
}

/* Magic, then each line of data with a SP and a correct hash over its end
 * and, when there is room after its third SP, the previous hash as prev. */
static void
scan_chained(const uint8_t *data, size_t size)
{
	const size_t magic = sizeof JOURNAL_MAGIC - 1;
	unsigned char raw[32], prev[32];
	char prevhex[64];
	uint8_t *out, *line;
	const uint8_t *lf;
	size_t pos = 0, n, i, spaces;

	if ((out = malloc(magic + size + 1)) == NULL)
		abort();
	memcpy(out, JOURNAL_MAGIC, magic);
	memcpy(out + magic, data, size);
	memset(prev, 0, sizeof prev);
	memset(prevhex, '0', sizeof prevhex);
	line = out + magic;
	while (pos < size && (lf = memchr(line + pos, '\n', size - pos)) !=
	    NULL) {
		n = (size_t)(lf - (line + pos));
		if (n >= 65) {
			uint8_t *l = line + pos;

			l[n - 65] = ' ';
			for (i = 0, spaces = 0; i < n - 65 && spaces < 3; i++)
				if (l[i] == ' ')
					spaces++;
			if (spaces == 3 && i + 64 <= n - 65)
				memcpy(l + i, prevhex, 64);
			sha256_hex(l, n - 64, raw, (char *)l + n - 64);
			memcpy(prev, raw, sizeof prev);
			memcpy(prevhex, l + n - 64, 64);
		}
		pos += n + 1;
	}
	scan_bytes(out, magic + size);
	free(out);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned char zero[32];
	struct jrecord *rec;
	char *buf;
	int rc;

	if (tmp_path[0] == '\0') {
		/* In memory where there is a tmpfs: two files per input. */
		snprintf(tmp_path, sizeof tmp_path, "%s/fuzz-journal.%ld",
		    access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp",
		    (long)getpid());
		atexit(remove_tmp);
	}
	if ((rec = malloc(sizeof *rec)) == NULL ||
	    (buf = malloc(size > 0 ? size : 1)) == NULL)
		abort();

	/* 1: the raw bytes as one line, with and without chain checks. */
	memcpy(buf, data, size);
	rc = journal_parse_record(buf, size, 1, zero, rec);
	if (rc == OR_OK)
		check_record(rec, buf, size);
	memcpy(buf, data, size);
	rc = journal_parse_record(buf, size, 0, NULL, rec);
	if (rc == OR_OK)
		check_record(rec, buf, size);
	else if (rc != OR_E_CORRUPT)
		abort();

	/* 2: the same with a correct hash, to reach the grammar. */
	if (size >= 65 && size < JOURNAL_MAX_LINE) {
		unsigned char raw[32];

		memcpy(buf, data, size);
		buf[size - 65] = ' ';
		sha256_hex(buf, size - 64, raw, buf + size - 64);
		rc = journal_parse_record(buf, size, 0, NULL, rec);
		if (rc == OR_OK) {
			check_record(rec, buf, size);
			if (memcmp(rec->hash, raw, 32) != 0)
				abort();
		} else if (rc != OR_E_CORRUPT)
			abort();
	}
	free(buf);
	free(rec);

	/* 3 and 4: whole files. */
	scan_bytes(data, size);
	scan_chained(data, size);
	return 0;
}
