/*
 * test-cadb.c — the CA directory and its database (cadb.c), on a CA made
 * by rootca_create in a temporary folder: the summary a fresh CA scans to
 * (store, key type, the root's digest); records appended through
 * cadb_append survive closing and show in the summary (issuances, the
 * highest CRL number and its nextUpdate); a torn last record and an
 * altered one are refused, and the torn bytes stay where they are; a
 * journal without its init record, or not starting with one, is refused;
 * a folder without a journal is not a CA; one process at a time holds the
 * CA open, and a second is turned away until it closes; root.crt must be
 * the certificate the journal names.
 */
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "cadb.h"
#include "err.h"
#include "interact-batch.h"
#include "interact.h"
#include "journal.h"
#include "keystore.h"
#include "rootca.h"
#include "secret.h"
#include "tap.h"
#include "tutil.h"
#include "util.h"

static void
quiet_say(struct interact *io, enum say_level level, const char *text)
{
	(void)io; (void)level; (void)text;
}

static void
quiet_block(struct interact *io, const char *title, const char *body)
{
	(void)io; (void)title; (void)body;
}

static void
quiet_progress(struct interact *io, const char *label, double fraction)
{
	(void)io; (void)label; (void)fraction;
}

/* A CA in dir, sealed P-256 key, passphrase from pass, made through the
 * batch face with every confirmation answered yes. */
static int
make_ca(const char *dir, const char *pass, struct rootca_result *rr)
{
	static const char answers[] = "confirm-all: yes\n";
	struct batch_answers a;
	struct batch_interact b;
	struct rootca_params rp;
	struct interact io;
	int rc;

	if ((rc = batch_answers_parse(answers, strlen(answers), "answers", &a))
	    != OR_OK)
		return rc;
	memset(&b, 0, sizeof b);
	b.a = &a;
	b.secret_file = pass;
	b.quiet = true;
	interact_batch_init(&io, &b);
	io.say = quiet_say;
	io.show_block = quiet_block;
	io.progress = quiet_progress;
	memset(&rp, 0, sizeof rp);
	rp.dir = dir;
	rp.subject = "/C=DE/O=offroot tests/CN=Cadb Test Root";
	rp.key_type = KT_EC_P256;
	rp.kdf = KDF_INTERACTIVE;
	rc = rootca_create(&rp, &io, rr);
	batch_answers_free(&a);
	return rc;
}

static off_t
size_of(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? st.st_size : -1;
}

/* Runs fn in a child process: its return value is the child's. */
static int
in_child(int (*fn)(const char *), const char *arg)
{
	pid_t pid;
	int st;

	fflush(stdout);
	if ((pid = fork()) < 0)
		return -1;
	if (pid == 0)
		_exit(fn(arg));
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

static int
child_open(const char *dir)
{
	struct cadb *db = NULL;
	int rc = cadb_open(dir, &db);

	cadb_close(db);
	return rc;
}

static int
child_scan(const char *dir)
{
	struct cadb_summary sum;

	return cadb_scan(dir, &sum, NULL, NULL);
}

int
main(void)
{
	char ca[PATH_MAX], pass[PATH_MAX], jpath[PATH_MAX + 16], hex[65];
	char other[PATH_MAX], opath[PATH_MAX + 16], copy[PATH_MAX + 16];
	struct rootca_result rr;
	struct cadb_summary sum;
	struct cadb *db = NULL;
	struct journal *j = NULL;
	X509 *root = NULL, *x = NULL;
	EVP_PKEY *k = NULL;
	FILE *f;
	uint64_t records0;
	off_t before;
	int rc;

	if (secret_init() != OR_OK) {
		printf("Bail out! secret_init: %s\n", err_msg(OR_E_ENV));
		return 1;
	}
	tu_begin("test-cadb");
	snprintf(ca, sizeof ca, "%s", tu_path("ca"));
	snprintf(pass, sizeof pass, "%s", tu_path("pass"));
	snprintf(jpath, sizeof jpath, "%s/%s", ca, CADB_JOURNAL);
	tu_spew(pass, "cadb test passphrase\n", 21);

	rc = make_ca(ca, pass, &rr);
	is_rc(rc, OR_OK, "rootca_create makes a CA");
	if (rc != OR_OK) {
		printf("Bail out! no CA\n");
		return 1;
	}

	/* ---- the summary of a fresh CA ----------------------------------- */
	rc = cadb_scan(ca, &sum, NULL, NULL);
	is_rc(rc, OR_OK, "cadb_scan verifies the fresh CA's journal");
	ok(sum.initialised && sum.records >= 1, "it is initialised (%llu records)",
	    (unsigned long long)sum.records);
	is_str(sum.store, "sealed", "the key store is the sealed file");
	is_str(sum.key_type, "ec-p256", "the key type is recorded");
	hex_encode(rr.cert_sha256, 32, hex);
	is_str(sum.root_sha256, hex, "the root's SHA-256 is the one rootca_create reported");
	ok(sum.issued == 0 && !sum.has_crl, "nothing issued, no CRL yet");
	records0 = sum.records;

	rc = cadb_load_root(ca, &sum, &root);
	is_rc(rc, OR_OK, "root.crt is the certificate the journal names");

	/* ---- appending ---------------------------------------------------- */
	rc = cadb_open(ca, &db);
	is_rc(rc, OR_OK, "cadb_open locks and verifies the CA");
	if (rc == OR_OK) {
		struct jfields i1, i2, c5, c3;

		jf_init(&i1);
		jf_add(&i1, "serial", "1a2b");
		jf_init(&i2);
		jf_add(&i2, "serial", "3c4d");
		jf_init(&c5);
		jf_add_u64(&c5, "number", 5);
		jf_add_i64(&c5, "next_update", 1800000000);
		jf_init(&c3);
		jf_add_u64(&c3, "number", 3);
		jf_add_i64(&c3, "next_update", 1700000000);
		rc = cadb_append(db, "issue", &i1);
		if (rc == OR_OK)
			rc = cadb_append(db, "issue", &i2);
		if (rc == OR_OK)
			rc = cadb_append(db, "crl", &c5);
		if (rc == OR_OK)
			rc = cadb_append(db, "crl", &c3);
		is_rc(rc, OR_OK, "four records appended");
		is_int(db->sum.records, records0 + 4, "the open CA counts them");

		/* One process at a time. */
		is_int(in_child(child_open, ca), OR_E_ENV,
		    "a second process cannot open the CA while it is open");
		is_int(in_child(child_scan, ca), OR_E_ENV,
		    "nor scan it while it is being written");
		before = size_of(jpath);
		rc = cadb_append(db, "Bad Type", &i1);
		ok(rc == OR_E_INPUT && size_of(jpath) == before,
		    "an invalid record type is refused (%s), nothing written",
		    err_name(rc));
		cadb_close(db);
		db = NULL;
		is_int(in_child(child_open, ca), OR_OK,
		    "once closed, another process opens it");
	}
	rc = cadb_scan(ca, &sum, NULL, NULL);
	is_rc(rc, OR_OK, "the journal verifies after closing");
	is_int(sum.records, records0 + 4, "the four records are there");
	is_int(sum.issued, 2, "two issuances are counted");
	ok(sum.has_crl && sum.crl_number == 5,
	    "the CRL number is the highest signed (5, not the later 3)");
	is_int(sum.crl_next_update, 1800000000, "with that CRL's nextUpdate");

	/* ---- damage ------------------------------------------------------- */
	snprintf(copy, sizeof copy, "%s", tu_path("journal.good"));
	tu_copy(jpath, copy);
	tu_append(jpath, "99 2026-12-04T00:00:00Z issue ", 30);
	before = size_of(jpath);
	rc = cadb_scan(ca, &sum, NULL, NULL);
	is_rc(rc, OR_E_CORRUPT, "a torn last record is refused by cadb_scan");
	rc = cadb_open(ca, &db);
	ok(rc == OR_E_CORRUPT && db == NULL, "and by cadb_open (%s)", err_name(rc));
	cadb_close(db);
	db = NULL;
	is_int(size_of(jpath), before, "the torn bytes are left in place, never dropped");

	tu_copy(copy, jpath);
	ok(tu_patch(jpath, "serial=3c4d", "serial=3c4e") == 0, "an issue record altered");
	rc = cadb_scan(ca, &sum, NULL, NULL);
	is_rc(rc, OR_E_CORRUPT, "an altered record is refused");
	ok(strstr(err_msg(rc), "record") != NULL, "the message names the record: %s",
	    err_msg(rc));
	tu_copy(copy, jpath);
	rc = cadb_scan(ca, &sum, NULL, NULL);
	is_rc(rc, OR_OK, "the journal put back verifies again");

	/* ---- what is not a CA --------------------------------------------- */
	snprintf(other, sizeof other, "%s", tu_path("empty"));
	mkdir(other, 0700);
	rc = cadb_scan(other, &sum, NULL, NULL);
	is_rc(rc, OR_E_INPUT, "a folder without a journal is not a CA directory");
	snprintf(opath, sizeof opath, "%s/%s", other, CADB_JOURNAL);
	rc = journal_create(opath);
	rc = rc != OR_OK ? rc : cadb_scan(other, &sum, NULL, NULL);
	is_rc(rc, OR_E_CORRUPT, "a journal without an init record (creation did not finish) is refused");
	rc = journal_open(opath, NULL, NULL, &j);
	if (rc == OR_OK) {
		struct jfield i1[] = { { "serial", "1a2b", 0 } };
		rc = journal_append(j, "issue", i1, 1, NULL);
		journal_close(j);
	}
	rc = rc != OR_OK ? rc : cadb_scan(other, &sum, NULL, NULL);
	is_rc(rc, OR_E_CORRUPT, "a journal whose first record is not init is refused");

	/* ---- root.crt swapped --------------------------------------------- */
	rc = cadb_scan(ca, &sum, NULL, NULL);
	snprintf(opath, sizeof opath, "%s/%s", ca, CADB_ROOT_CERT);
	k = EVP_EC_gen("P-256");
	x = X509_new();
	if (rc == OR_OK && k != NULL && x != NULL &&
	    X509_set_version(x, X509_VERSION_3) &&
	    X509_set_subject_name(x, X509_get_subject_name(root)) &&
	    X509_set_issuer_name(x, X509_get_subject_name(root)) &&
	    X509_gmtime_adj(X509_getm_notBefore(x), 0) &&
	    X509_gmtime_adj(X509_getm_notAfter(x), 86400) &&
	    X509_set_pubkey(x, k) && X509_sign(x, k, EVP_sha256()) > 0 &&
	    unlink(opath) == 0 && (f = fopen(opath, "w")) != NULL) {
		PEM_write_X509(f, x);
		fclose(f);
	}
	X509_free(root);
	root = NULL;
	rc = cadb_load_root(ca, &sum, &root);
	ok(rc == OR_E_CORRUPT && root == NULL,
	    "a root.crt with the same name but another key is refused (%s)",
	    err_name(rc));

	X509_free(root);
	X509_free(x);
	EVP_PKEY_free(k);
	ok(tu_end() == 0, "removed the test folder");
	return done_testing();
}
