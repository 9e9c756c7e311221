/*
 * journal.h — append-only, hash-chained record files.
 *
 * The CA database (cadb.c) and ceremony transcripts (transcript.c) are both
 * journals.  Format (manuals/offroot-journal.5):
 *
 *   file    = "offroot-journal 1" LF *record
 *   record  = seq SP time SP type SP prev *(SP field) SP hash LF
 *   seq     = decimal, 1 for the first record, +1 each record, no leading 0
 *   time    = YYYY-MM-DDTHH:MM:SSZ (UTC)
 *   type    = 1*32 of [a-z0-9-]
 *   prev    = 64 lowercase hex: the previous record's hash (64 "0" for seq 1)
 *   field   = key "=" value; key = 1*32 of [a-z0-9_-], unique in a record;
 *             value = zero or more bytes, 0x21-0x7e except "%" as
 *             themselves, anything else as %XX (uppercase hex).  The
 *             encoding is canonical: "%41" or "%2a" is refused.
 *   hash    = 64 lowercase hex: SHA-256 of the line's bytes from its first
 *             byte up to and including the SP before hash
 *
 * Records are at most JOURNAL_MAX_LINE bytes, LF included, with at most
 * JOURNAL_MAX_FIELDS fields.  A record that does not end in LF (torn by a
 * crash), whose hash does not match, whose prev is not the previous hash,
 * or whose seq is not the next number, makes the whole journal refused with
 * OR_E_CORRUPT naming the file and the record ("PATH: record N was
 * altered..."): nothing is dropped.  Times need not increase.
 *
 * Locking: journal_open holds an exclusive flock until journal_close;
 * journal_scan takes a shared one while it reads, except on a journal this
 * process has open (it is not being written while we scan).  A journal
 * locked by another process is OR_E_ENV "another offroot process is using
 * DIR".  Not thread-safe.
 */
#ifndef OFFROOT_JOURNAL_H
#define OFFROOT_JOURNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define JOURNAL_MAGIC		"offroot-journal 1\n"
#define JOURNAL_MAX_LINE	65536
#define JOURNAL_MAX_FIELDS	64

struct jfield {
	const char *key;
	const char *value;	/* decoded, NUL-terminated */
	size_t len;		/* decoded length (values may hold NUL) */
};

struct jrecord {
	uint64_t seq;
	time_t time;
	char time_text[21];
	char type[33];
	unsigned char prev[32];
	unsigned char hash[32];
	size_t nfields;
	struct jfield fields[JOURNAL_MAX_FIELDS];
	uint64_t offset;	/* byte offset of the line in the file */
};

/*
 * A record's fields, added one by one: the appenders (cadb_append,
 * transcript_add, journal_append_fields) take a builder, so no caller
 * counts its fields by hand and an optional field is simply not added.
 *
 *   struct jfields f;
 *   jf_init(&f);
 *   jf_add(&f, "serial", serial);          (the value must outlive the append)
 *   jf_add_u64(&f, "number", n);           (formatted into the builder)
 *   if (reason != NULL) jf_add(&f, "reason", reason);
 *   rc = cadb_append(db, "crl", &f);
 *
 * Past JOURNAL_MAX_FIELDS fields or JFIELDS_STORE bytes of formatted
 * values the builder is marked full, and every appender refuses it with
 * OR_E_INPUT: nothing half recorded.
 */
#define JFIELDS_STORE	2048
struct jfields {
	size_t n;
	bool full;
	size_t used;
	struct jfield f[JOURNAL_MAX_FIELDS];
	char store[JFIELDS_STORE];
};
void jf_init(struct jfields *b);
/* value: NUL-terminated text, kept by pointer. */
void jf_add(struct jfields *b, const char *key, const char *value);
/* Exactly len bytes (may hold NUL), kept by pointer. */
void jf_add_mem(struct jfields *b, const char *key, const void *value,
    size_t len);
/* Formatted into the builder's store. */
void jf_addf(struct jfields *b, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void jf_add_u64(struct jfields *b, const char *key, uint64_t v);
void jf_add_i64(struct jfields *b, const char *key, int64_t v);
/* n bytes as lowercase hex, formatted into the store. */
void jf_add_hex(struct jfields *b, const char *key, const unsigned char *v,
    size_t n);

/* Called for every record in order; a non-zero return stops the scan and is
 * returned by journal_open/journal_scan.  The record is only valid during
 * the call. */
typedef int (*journal_visit_fn)(const struct jrecord *rec, void *ctx);

struct journal;

/* Creates a new journal file (refuses an existing one or a symlink:
 * OR_E_EXISTS), fsynced with its directory. */
int journal_create(const char *path);
/* Opens for appending: reads and verifies every record, calling visit (may
 * be NULL) for each.  Takes an exclusive lock (flock) held until close.
 * The file is streamed, never held whole in memory.  On failure *out is
 * NULL and the error (or the visitor's non-zero return) is returned. */
int journal_open(const char *path, journal_visit_fn visit, void *ctx,
    struct journal **out);
/* Verifies a journal read-only, calling visit for each record. */
int journal_scan(const char *path, journal_visit_fn visit, void *ctx);
/* Appends one record and fsyncs it before returning (then reads it back
 * from the device and compares).  Fields are key/value pairs: value is
 * NUL-terminated text when len is 0, else exactly len bytes (may hold
 * NUL), so a parsed record's fields can be appended as they are.  The
 * time is time(NULL) in UTC.  The record's hash is copied to hash_out when
 * not NULL.  Invalid type, keys or length: OR_E_INPUT, nothing written.
 * A failed write or fsync is OR_E_IO: the file is truncated back to its
 * previous size (the message says if that failed too) and the handle
 * refuses further appends; close and reopen it.  A file whose size changed
 * since it was verified is OR_E_CORRUPT and is not written to. */
int journal_append(struct journal *j, const char *type,
    const struct jfield *fields, size_t nfields, unsigned char hash_out[32]);
/* journal_append of a builder's fields; a full builder is OR_E_INPUT. */
int journal_append_fields(struct journal *j, const char *type,
    const struct jfields *fields, unsigned char hash_out[32]);
/* The last record's seq (0 when empty) and hash (all zeros when empty). */
/* Batches: after journal_hold, appends wait in memory (seq and head move
 * on) until journal_commit writes them with one write and one fdatasync,
 * then reads them back.  Nothing held counts as recorded until
 * journal_commit returns OR_OK; on failure the file and the state are put
 * back as they were at journal_hold.  journal_close drops held records. */
int journal_hold(struct journal *j);
int journal_commit(struct journal *j);
/* Forgets the records held since journal_hold (none was written); the
 * journal goes on as it was at journal_hold. */
void journal_drop(struct journal *j);
uint64_t journal_seq(const struct journal *j);
const unsigned char *journal_head(const struct journal *j);
void journal_close(struct journal *j);

/* The last record's seq and hash (0 and zeros when there is none), read
 * from the file's end: the last line must be a whole record with its own
 * hash right, but the chain is not replayed.  For reporting a head after
 * a command that verified the journal; takes no lock. */
int journal_peek_head(const char *path, uint64_t *seq,
    unsigned char hash[32]);

/* For repair: verifies every complete record and reports where they end.
 * OR_OK with good_size < file_size means the only defect is an incomplete
 * last line (a write torn by a crash); any other defect is an error as in
 * journal_scan. */
int journal_tail(const char *path, uint64_t *good_size, uint64_t *file_size,
    uint64_t *seq);

/* Parses and verifies one record line (without its LF) against the
 * expected seq and prev; used by the reader and the fuzz target.  buf is
 * modified (keys and values are NUL-terminated and decoded in place) and
 * rec's fields point into it; rec->offset is 0.  want_seq 0 skips the seq
 * check, want_prev NULL the prev check.  Checks in this order: length, hash,
 * grammar, prev, seq.  Errors are OR_E_CORRUPT "record N ...". */
int journal_parse_record(char *buf, size_t len, uint64_t want_seq,
    const unsigned char want_prev[32], struct jrecord *rec);
/* Value of a field, or NULL. */
const char *jrecord_get(const struct jrecord *rec, const char *key);

#endif
