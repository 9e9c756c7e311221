/*
 * test-transcript.c — the tamper-evident record of an operation
 * (transcript.c): a transcript begun, added to and closed reads back with
 * its operation, record count and the CA journal's head; its seal verifies
 * with the root's public key and is refused with any other key, for EC and
 * Ed25519 roots; an altered record, a record after the seal, a transcript
 * never closed or closed without a seal are each refused when a seal is
 * required; transcript_finish records the file, its SHA-256 and its final
 * hash in the CA journal.  Auditors rely on exactly these.
 */
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/evp.h>

#include "cadb.h"
#include "err.h"
#include "journal.h"
#include "keystore.h"
#include "secret.h"
#include "tap.h"
#include "transcript.h"
#include "tutil.h"
#include "util.h"

static const unsigned char head7[32] = {
	0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab,
	0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab,
	0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab,
	0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab,
};

/* A CA-like folder: DIR/transcripts/ (transcript_begin writes there). */
static const char *
ca_dir(const char *name)
{
	static char dir[512], sub[600];

	snprintf(dir, sizeof dir, "%s", tu_path(name));
	snprintf(sub, sizeof sub, "%s/%s", dir, CADB_TRANSCRIPTS);
	if (mkdir(dir, 0700) != 0 || mkdir(sub, 0700) != 0) {
		printf("Bail out! mkdir %s\n", sub);
		exit(1);
	}
	return dir;
}

static int
last_visit(const struct jrecord *r, void *ctx)
{
	memcpy(ctx, r->hash, 32);
	return OR_OK;
}

/* Whether hash is the hash of the last record in the journal file path. */
static bool
last_hash_is(const char *path, const unsigned char hash[32])
{
	unsigned char last[32] = { 0 };

	return journal_scan(path, last_visit, last) == OR_OK &&
	    memcmp(last, hash, 32) == 0;
}

/* Writes a transcript of three steps in dir, closed (sealed by ks when not
 * NULL); its path into path. */
static int
three_steps(const char *dir, struct keystore *ks, char *path, size_t size,
    unsigned char final[32])
{
	struct transcript *t = NULL;
	int rc;

	if ((rc = transcript_begin(dir, "sign", &t)) != OR_OK)
		return rc;
	snprintf(path, size, "%s", t->path);
	for (int i = 0; i < 3 && rc == OR_OK; i++) {
		char v[24];
		snprintf(v, sizeof v, "value-%d", i);
		struct jfields f;

		jf_init(&f);
		jf_add(&f, "step", v);
		jf_add(&f, "who", "Officer A");
		rc = transcript_add(t, "step", &f);
	}
	if (rc == OR_OK)
		rc = transcript_close(t, 7, head7, ks, final);
	transcript_free(t);
	return rc;
}

static void
test_sealed(enum keytype kt)
{
	struct keystore *ks = NULL, *other = NULL;
	struct transcript_info info;
	unsigned char final[32];
	char path[PATH_MAX], name[64];
	const char *dir;
	int rc;

	snprintf(name, sizeof name, "ca-%s", keytype_name(kt));
	dir = ca_dir(name);
	if (!ok(sealed_generate(kt, &ks) == OR_OK &&
	    sealed_generate(kt, &other) == OR_OK, "%s: two keys made",
	    keytype_name(kt))) {
		keystore_close(ks);
		return;
	}
	rc = three_steps(dir, ks, path, sizeof path, final);
	is_rc(rc, OR_OK, "begin, three steps, end and seal are written");
	ok(strncmp(path, dir, strlen(dir)) == 0 &&
	    strstr(path, "/" CADB_TRANSCRIPTS "/") != NULL &&
	    strstr(path, "-sign-") != NULL,
	    "the transcript lies in DIR/transcripts/ and is named for its operation");

	rc = transcript_verify(path, ks->pub, &info);
	is_rc(rc, OR_OK, "the seal verifies with the root's public key");
	ok(info.closed && info.sealed, "it is closed and sealed");
	is_int(info.records, 6, "begin + 3 steps + end + seal = 6 records");
	is_str(info.operation, "sign", "the operation is read back");
	is_int(info.journal_seq, 7, "the end record names the CA journal's seq");
	ok(memcmp(info.journal_head, head7, 32) == 0,
	    "and the CA journal's head");
	ok(last_hash_is(path, final),
	    "transcript_close returns the hash of the last record, the seal's");

	rc = transcript_verify(path, other->pub, &info);
	is_rc(rc, OR_E_VERIFY, "the seal is refused with another key");
	rc = transcript_verify(path, NULL, &info);
	is_rc(rc, OR_OK, "without a key, the chain alone verifies");

	keystore_close(ks);
	keystore_close(other);
}

static void
test_refusals(void)
{
	struct keystore *ks = NULL;
	struct transcript_info info;
	struct transcript *t = NULL;
	struct journal *j = NULL;
	unsigned char final[32];
	char path[PATH_MAX], copy[PATH_MAX];
	const char *dir = ca_dir("refusals");
	int rc;

	if (!ok(sealed_generate(KT_EC_P256, &ks) == OR_OK, "a P-256 key made"))
		return;
	if (!ok(three_steps(dir, ks, path, sizeof path, final) == OR_OK,
	    "a sealed transcript written"))
		goto out;

	/* One byte of a step's value changed: the record's hash no longer
	 * matches. */
	snprintf(copy, sizeof copy, "%s", tu_path("altered.log"));
	tu_copy(path, copy);
	ok(tu_patch(copy, "value-1", "value-9") == 0, "a step record altered");
	rc = transcript_verify(copy, ks->pub, &info);
	is_rc(rc, OR_E_CORRUPT, "an altered record is refused");
	rc = transcript_verify(copy, NULL, &info);
	is_rc(rc, OR_E_CORRUPT, "... even when no seal is asked for");

	/* The seal's signature altered: the chain is rebuilt by nobody, so
	 * the record hash breaks first; either way the transcript is
	 * refused. */
	snprintf(copy, sizeof copy, "%s", tu_path("seal-altered.log"));
	tu_copy(path, copy);
	ok(tu_patch(copy, " seal ", " Seal ") == 0, "the seal record altered");
	rc = transcript_verify(copy, ks->pub, &info);
	ok(rc != OR_OK, "an altered seal record is refused (%s)", err_name(rc));

	/* A record added after the seal, with a valid hash chain. */
	snprintf(copy, sizeof copy, "%s", tu_path("after-seal.log"));
	tu_copy(path, copy);
	rc = journal_open(copy, NULL, NULL, &j);
	if (rc == OR_OK) {
		struct jfield f[] = { { "step", "late", 0 } };
		rc = journal_append(j, "step", f, 1, NULL);
		journal_close(j);
	}
	is_rc(rc, OR_OK, "a record appended after the seal, chain intact");
	rc = transcript_verify(copy, ks->pub, &info);
	is_rc(rc, OR_E_CORRUPT, "a record after the seal is refused");

	/* Begun, never closed: the record of an interrupted run. */
	rc = transcript_begin(dir, "crl", &t);
	if (rc == OR_OK) {
		struct jfields f;

		jf_init(&f);
		jf_add(&f, "step", "1");
		snprintf(copy, sizeof copy, "%s", t->path);
		rc = transcript_add(t, "step", &f);
		transcript_free(t);
	}
	is_rc(rc, OR_OK, "a transcript begun and left open");
	rc = transcript_verify(copy, NULL, &info);
	ok(rc == OR_OK && !info.closed && !info.sealed && info.records == 2,
	    "an open transcript reads back as open, unsealed, 2 records");
	rc = transcript_verify(copy, ks->pub, &info);
	is_rc(rc, OR_E_VERIFY, "an open transcript is refused when a seal is required");

	/* Closed without a key store: closed, not sealed. */
	rc = three_steps(dir, NULL, copy, sizeof copy, final);
	is_rc(rc, OR_OK, "a transcript closed without a key store");
	rc = transcript_verify(copy, NULL, &info);
	ok(rc == OR_OK && info.closed && !info.sealed,
	    "it reads back closed and unsealed");
	rc = transcript_verify(copy, ks->pub, &info);
	is_rc(rc, OR_E_VERIFY, "an unsealed transcript is refused when a seal is required");

	/* No transcripts/ folder: nothing is created. */
	(void)mkdir(tu_path("bare"), 0700);
	rc = transcript_begin(tu_path("bare"), "sign", &t);
	ok(rc != OR_OK && t == NULL,
	    "a CA folder without transcripts/ is refused (%s)", err_name(rc));
out:
	keystore_close(ks);
}

struct found {
	int n;
	char file[256], sha256[65], final_hash[65], operation[32];
};

static int
find_transcript(const struct jrecord *r, void *ctx)
{
	struct found *f = ctx;
	const char *v;

	if (strcmp(r->type, "transcript") != 0)
		return OR_OK;
	f->n++;
	if ((v = jrecord_get(r, "file")) != NULL)
		snprintf(f->file, sizeof f->file, "%s", v);
	if ((v = jrecord_get(r, "sha256")) != NULL)
		snprintf(f->sha256, sizeof f->sha256, "%s", v);
	if ((v = jrecord_get(r, "final_hash")) != NULL)
		snprintf(f->final_hash, sizeof f->final_hash, "%s", v);
	if ((v = jrecord_get(r, "operation")) != NULL)
		snprintf(f->operation, sizeof f->operation, "%s", v);
	return OR_OK;
}

static void
test_finish(void)
{
	struct keystore *ks = NULL;
	struct transcript *t = NULL;
	struct transcript_info info;
	struct journal *j = NULL;
	struct found found = { 0 };
	char jpath[600], tpath[PATH_MAX], digest[65], finalhex[65];
	unsigned char head[32], last[32];
	uint64_t seq = 0;
	const char *dir = ca_dir("finish");
	int rc;

	snprintf(jpath, sizeof jpath, "%s/%s", dir, CADB_JOURNAL);
	if (!ok(sealed_generate(KT_EC_P384, &ks) == OR_OK &&
	    journal_create(jpath) == OR_OK &&
	    journal_open(jpath, NULL, NULL, &j) == OR_OK,
	    "a key and a CA journal")) {
		keystore_close(ks);
		return;
	}
	{
		struct jfield f[] = { { "note", "first", 0 } };
		rc = journal_append(j, "init", f, 1, NULL);
	}
	seq = journal_seq(j);
	memcpy(head, journal_head(j), 32);
	rc = rc != OR_OK ? rc : transcript_begin(dir, "export", &t);
	if (rc == OR_OK) {
		snprintf(tpath, sizeof tpath, "%s", t->path);
		rc = transcript_finish(t, j, ks);
		transcript_free(t);
	}
	journal_close(j);
	is_rc(rc, OR_OK, "transcript_finish closes, seals and records the transcript");

	rc = transcript_verify(tpath, ks->pub, &info);
	is_rc(rc, OR_OK, "the finished transcript's seal verifies");
	ok(info.journal_seq == seq && memcmp(info.journal_head, head, 32) == 0,
	    "its end record names the CA journal as it was before the record");
	rc = journal_scan(jpath, find_transcript, &found);
	is_rc(rc, OR_OK, "the CA journal verifies");
	is_int(found.n, 1, "the CA journal has one transcript record");
	ok(strstr(tpath, found.file) != NULL && found.file[0] != '\0',
	    "it names the transcript's file");
	is_str(found.operation, "export", "and its operation");
	ok(file_sha256_hex(tpath, digest) == OR_OK &&
	    strcmp(digest, found.sha256) == 0,
	    "its sha256 is the SHA-256 of the transcript file");
	ok(hex_decode(found.final_hash, last, 32) == OR_OK &&
	    last_hash_is(tpath, last),
	    "its final_hash is the hash of the transcript's last record (offroot.5)");
	/* What `offroot transcript verify` prints as the final hash and the
	 * ceremony shows to be written on the last page is info.final_hash:
	 * the same last record's hash the CA journal names (once the end
	 * record's, which matched nothing a later reader could check). */
	hex_encode(info.final_hash, 32, finalhex);
	is_str(finalhex, found.final_hash,
	    "transcript_verify's final hash is the one the CA journal records");
	keystore_close(ks);
}

int
main(void)
{
	if (secret_init() != OR_OK) {
		printf("Bail out! secret_init: %s\n", err_msg(OR_E_ENV));
		return 1;
	}
	tu_begin("test-transcript");
	test_sealed(KT_EC_P256);
	test_sealed(KT_ED25519);
	test_refusals();
	test_finish();
	ok(tu_end() == 0, "removed the test folder");
	return done_testing();
}
