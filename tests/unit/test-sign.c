/*
 * test-sign.c — signing CSRs with the root (sign.c), in process, on a CA
 * made by rootca_create in a temporary folder with a sealed key, the
 * officer answered by the batch face (interact-batch.h) and the passphrase
 * from a file.  What an officer relies on: each request is shown before
 * anything is signed; the certificates verify with the root and are
 * recorded in the journal and under issued/; the bundle's MANIFEST is the
 * digest sign_run reports; a policy refusal, a bad CSR, an existing
 * output, a wrong passphrase and a declined confirmation each leave the
 * journal byte for byte as it was and no bundle, and the first two come
 * before the passphrase is read; a key kept unlocked by a ceremony signs
 * again without it; export writes a bundle for an issued serial and
 * refuses one never issued.
 */
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "cadb.h"
#include "err.h"
#include "interact-batch.h"
#include "interact.h"
#include "keystore.h"
#include "rootca.h"
#include "secret.h"
#include "sign.h"
#include "tap.h"
#include "tutil.h"
#include "util.h"

/* What the officer was shown (say and show_block), for the checks. */
static char shown[1 << 16];

static void
capture(const char *text)
{
	size_t n = strlen(shown);

	snprintf(shown + n, sizeof shown - n, "%s\n", text);
}

static void
quiet_say(struct interact *io, enum say_level level, const char *text)
{
	(void)io; (void)level;
	capture(text);
}

static void
quiet_block(struct interact *io, const char *title, const char *body)
{
	(void)io;
	capture(title);
	capture(body);
}

static void
quiet_progress(struct interact *io, const char *label, double fraction)
{
	(void)io; (void)label; (void)fraction;
}

/* The batch face answering every confirmation with answer ("yes" or
 * "no"), the passphrase from pass; its output captured, not printed. */
struct face {
	struct batch_answers a;
	struct batch_interact b;
	struct interact io;
};

/* The batch face answering every confirmation with answer (and, when
 * extra is not NULL, the answers-file lines in it too). */
static int
face_init_extra(struct face *f, const char *answer, const char *pass,
    const char *extra)
{
	char text[256];
	int rc;

	memset(f, 0, sizeof *f);
	snprintf(text, sizeof text, "confirm-all: %s\n%s", answer,
	    extra != NULL ? extra : "");
	if ((rc = batch_answers_parse(text, strlen(text), "answers", &f->a))
	    != OR_OK)
		return rc;
	f->b.a = &f->a;
	f->b.secret_file = pass;
	f->b.quiet = true;
	interact_batch_init(&f->io, &f->b);
	f->io.say = quiet_say;
	f->io.show_block = quiet_block;
	f->io.progress = quiet_progress;
	shown[0] = '\0';
	return OR_OK;
}

static int
face_init(struct face *f, const char *answer, const char *pass)
{
	return face_init_extra(f, answer, pass, NULL);
}

static void
face_free(struct face *f)
{
	batch_answers_free(&f->a);
}

/* A PEM CSR for CN=cn with a fresh P-256 key. */
static int
write_csr(const char *path, const char *cn)
{
	EVP_PKEY *key = EVP_EC_gen("P-256");
	X509_REQ *req = X509_REQ_new();
	X509_NAME *name = X509_NAME_new();
	FILE *f = NULL;
	int rc = -1;

	if (key == NULL || req == NULL || name == NULL ||
	    !X509_NAME_add_entry_by_txt(name, "C", MBSTRING_ASC,
	    (const unsigned char *)"DE", -1, -1, 0) ||
	    !X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
	    (const unsigned char *)"offroot tests", -1, -1, 0) ||
	    !X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
	    (const unsigned char *)cn, -1, -1, 0) ||
	    !X509_REQ_set_subject_name(req, name) ||
	    !X509_REQ_set_pubkey(req, key) ||
	    X509_REQ_sign(req, key, EVP_sha256()) <= 0 ||
	    (f = fopen(path, "w")) == NULL ||
	    !PEM_write_X509_REQ(f, req))
		goto out;
	rc = 0;
out:
	if (f != NULL && fclose(f) != 0)
		rc = -1;
	X509_NAME_free(name);
	X509_REQ_free(req);
	EVP_PKEY_free(key);
	return rc;
}

static bool
exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

/* The CA journal is byte for byte the saved copy. */
static bool
journal_same(const char *ca, const char *saved)
{
	char path[PATH_MAX + 16];
	size_t la, lb;
	char *a, *b;
	bool same;

	snprintf(path, sizeof path, "%s/%s", ca, CADB_JOURNAL);
	a = tu_slurp(path, &la);
	b = tu_slurp(saved, &lb);
	same = a != NULL && b != NULL && la == lb && memcmp(a, b, la) == 0;
	free(a);
	free(b);
	return same;
}

static void
save_journal(const char *ca, const char *to)
{
	char path[PATH_MAX + 16];

	snprintf(path, sizeof path, "%s/%s", ca, CADB_JOURNAL);
	tu_copy(path, to);
}

struct serials {
	int n;
	char serial[8][64];
};

static int
issued_visit(const struct jrecord *r, void *ctx)
{
	struct serials *s = ctx;
	const char *v;

	if (strcmp(r->type, "issue") == 0 && s->n < 8 &&
	    (v = jrecord_get(r, "serial")) != NULL)
		snprintf(s->serial[s->n++], sizeof s->serial[0], "%s", v);
	return OR_OK;
}

int
main(void)
{
	char ca[PATH_MAX], pass[PATH_MAX], wrong[PATH_MAX], nopass[PATH_MAX];
	char csr1[PATH_MAX], csr2[PATH_MAX], bad[PATH_MAX], out[PATH_MAX];
	char path[2 * PATH_MAX], saved[PATH_MAX], hex[65];
	struct rootca_params rp;
	struct rootca_result rr;
	struct sign_params sp;
	struct export_params ep;
	struct sign_result res;
	struct cadb_summary sum;
	struct serials ser = { 0 };
	struct keystore *ks = NULL;
	struct face f;
	X509 *root = NULL, *x = NULL;
	const char *csrs[2];
	unsigned char md[32];
	size_t len;
	char *data;
	int rc, good;

	if (secret_init() != OR_OK) {
		printf("Bail out! secret_init: %s\n", err_msg(OR_E_ENV));
		return 1;
	}
	tu_begin("test-sign");
	snprintf(ca, sizeof ca, "%s", tu_path("ca"));
	snprintf(pass, sizeof pass, "%s", tu_path("pass"));
	snprintf(wrong, sizeof wrong, "%s", tu_path("wrong"));
	snprintf(nopass, sizeof nopass, "%s", tu_path("no-such-passphrase-file"));
	snprintf(csr1, sizeof csr1, "%s", tu_path("one.csr"));
	snprintf(csr2, sizeof csr2, "%s", tu_path("two.csr"));
	snprintf(bad, sizeof bad, "%s", tu_path("bad.csr"));
	snprintf(saved, sizeof saved, "%s", tu_path("journal.saved"));
	tu_spew(pass, "sign test passphrase\n", 21);
	tu_spew(wrong, "not the passphrase\n", 19);
	tu_spew(bad, "-----BEGIN CERTIFICATE REQUEST-----\nnot base64\n"
	    "-----END CERTIFICATE REQUEST-----\n", 82);

	/* ---- a CA with a sealed key ------------------------------------- */
	memset(&rp, 0, sizeof rp);
	rp.dir = ca;
	rp.subject = "/C=DE/O=offroot tests/CN=Sign Test Root";
	rp.key_type = KT_EC_P384;
	rp.kdf = KDF_INTERACTIVE;
	rp.crl_url = "http://crl.example.com/root.crl";	/* BR: a CDP */
	if (face_init(&f, "yes", pass) != OR_OK) {
		printf("Bail out! answers: %s\n", err_msg(OR_E_INPUT));
		return 1;
	}
	rc = rootca_create(&rp, &f.io, &rr);
	face_free(&f);
	is_rc(rc, OR_OK, "rootca_create makes a CA with a sealed P-384 key");
	if (rc != OR_OK || cadb_scan(ca, &sum, NULL, NULL) != OR_OK ||
	    cadb_load_root(ca, &sum, &root) != OR_OK) {
		printf("Bail out! no CA to sign with: %s\n", err_msg(rc));
		return 1;
	}
	ok(write_csr(csr1, "Sign Test One") == 0 &&
	    write_csr(csr2, "Sign Test Two") == 0, "two CSRs written");

	/* ---- refusals before the key: the passphrase file is never read - */
	memset(&sp, 0, sizeof sp);
	sp.dir = ca;
	csrs[0] = csr1;
	csrs[1] = csr2;
	sp.csrs = csrs;
	sp.ncsr = 2;
	save_journal(ca, saved);

	snprintf(out, sizeof out, "%s", tu_path("out-days"));
	sp.outdir = out;
	sp.days = 100000;
	face_init(&f, "yes", nopass);
	rc = sign_run(&sp, &f.io, &res);
	face_free(&f);
	is_rc(rc, OR_E_POLICY, "days beyond the profile are refused before the passphrase is read");
	ok(journal_same(ca, saved) && !exists(out), "... nothing recorded, no bundle");
	sp.days = 0;

	csrs[1] = bad;
	snprintf(out, sizeof out, "%s", tu_path("out-bad"));
	sp.outdir = out;
	face_init(&f, "yes", nopass);
	rc = sign_run(&sp, &f.io, &res);
	face_free(&f);
	/* (A missing passphrase file would be an input error too: the
	 * message must name the CSR.) */
	ok(rc == OR_E_INPUT && strstr(err_msg(rc), "bad.csr") != NULL,
	    "a malformed CSR among good ones is refused, naming it, before the passphrase is read");
	if (rc != OR_E_INPUT || strstr(err_msg(rc), "bad.csr") == NULL)
		diag("%s: %s", err_name(rc), err_msg(rc));
	ok(journal_same(ca, saved) && !exists(out),
	    "... nothing recorded for the good one either, no bundle");
	csrs[1] = csr2;

	/* ---- refusals at or after the key -------------------------------- */
	snprintf(out, sizeof out, "%s", tu_path("out-wrong"));
	sp.outdir = out;
	face_init(&f, "yes", wrong);
	rc = sign_run(&sp, &f.io, &res);
	face_free(&f);
	is_rc(rc, OR_E_AUTH, "a wrong passphrase is refused");
	ok(journal_same(ca, saved) && !exists(out), "... nothing recorded, no bundle");

	snprintf(out, sizeof out, "%s", tu_path("out-no"));
	sp.outdir = out;
	face_init(&f, "no", pass);
	rc = sign_run(&sp, &f.io, &res);
	ok(strstr(shown, "Sign Test One") != NULL &&
	    strstr(shown, "Sign Test Two") != NULL,
	    "the officer is shown both requests before confirming");
	face_free(&f);
	is_rc(rc, OR_E_CANCEL, "a declined confirmation signs nothing");
	ok(journal_same(ca, saved) && !exists(out), "... nothing recorded, no bundle");

	snprintf(out, sizeof out, "%s", tu_path("out-exists"));
	mkdir(out, 0700);
	sp.outdir = out;
	face_init(&f, "yes", pass);
	rc = sign_run(&sp, &f.io, &res);
	face_free(&f);
	ok(rc != OR_OK, "an existing output folder is refused (%s)", err_name(rc));
	ok(journal_same(ca, saved), "... nothing recorded");

	/* ---- signing ---------------------------------------------------- */
	snprintf(out, sizeof out, "%s", tu_path("bundle"));
	sp.outdir = out;
	face_init(&f, "yes", pass);
	memset(&res, 0, sizeof res);
	rc = sign_run(&sp, &f.io, &res);
	face_free(&f);
	is_rc(rc, OR_OK, "sign_run signs both CSRs");
	is_int(res.issued, 2, "two certificates issued");
	snprintf(path, sizeof path, "%s/MANIFEST", out);
	data = tu_slurp(path, &len);
	ok(data != NULL && sha256(data, len, md) == OR_OK &&
	    memcmp(md, res.manifest_sha256, 32) == 0,
	    "the bundle's MANIFEST has the SHA-256 sign_run reports");
	free(data);
	rc = cadb_scan(ca, &sum, issued_visit, &ser);
	ok(rc == OR_OK && sum.issued == 2 && ser.n == 2,
	    "the journal verifies and records two issuances");
	good = 0;
	for (int i = 0; i < ser.n; i++) {
		snprintf(path, sizeof path, "%s/%s/%s.pem", ca, CADB_ISSUED,
		    ser.serial[i]);
		if (load_cert_file(path, &x) == OR_OK &&
		    X509_verify(x, X509_get0_pubkey(root)) == 1 &&
		    X509_NAME_cmp(X509_get_issuer_name(x),
		    X509_get_subject_name(root)) == 0)
			good++;
		X509_free(x);
		x = NULL;
	}
	is_int(good, 2, "each issued/ copy is signed by the root and names it as issuer");

	/* ---- issuing twice: confirm-all does not answer it ---------------- */
	csrs[0] = csr2;
	sp.ncsr = 1;
	snprintf(out, sizeof out, "%s", tu_path("bundle-twice"));
	sp.outdir = out;
	save_journal(ca, saved);
	face_init(&f, "yes", pass);
	rc = sign_run(&sp, &f.io, &res);
	face_free(&f);
	is_rc(rc, OR_E_CANCEL, "the same key and subject again: confirm-all "
	    "does not answer the reissue, nothing signed");
	ok(journal_same(ca, saved) && !exists(out),
	    "... the journal unchanged, no bundle");
	face_init_extra(&f, "yes", pass, "override reissue: a rehearsal\n");
	rc = sign_run(&sp, &f.io, &res);
	face_free(&f);
	is_rc(rc, OR_OK, "... an answers file's \"override reissue: REASON\" "
	    "line answers it");

	/* ---- a key a ceremony keeps unlocked ------------------------------ */
	sp.allow_reissue = true;	/* csr2 again, and again */
	snprintf(out, sizeof out, "%s", tu_path("bundle-ks1"));
	sp.outdir = out;
	face_init(&f, "yes", pass);
	rc = sign_run_ks(&sp, &ks, &f.io, &res);
	face_free(&f);
	ok(rc == OR_OK && ks != NULL, "sign_run_ks unlocks the key and hands it back");
	snprintf(out, sizeof out, "%s", tu_path("bundle-ks2"));
	sp.outdir = out;
	face_init(&f, "yes", nopass);
	rc = sign_run_ks(&sp, &ks, &f.io, &res);
	face_free(&f);
	is_rc(rc, OR_OK, "the key kept unlocked signs again without the passphrase");
	keystore_close(ks);
	ks = NULL;

	/* ---- export ------------------------------------------------------ */
	memset(&ep, 0, sizeof ep);
	ep.dir = ca;
	ep.serials = (const char *const[]){ ser.serial[0] };
	ep.nserial = 1;
	snprintf(out, sizeof out, "%s", tu_path("export"));
	ep.outdir = out;
	face_init(&f, "yes", pass);
	rc = sign_export(&ep, &f.io, &res);
	face_free(&f);
	is_rc(rc, OR_OK, "export writes a bundle for an issued serial");
	snprintf(path, sizeof path, "%s/MANIFEST", out);
	ok(exists(path), "... with a MANIFEST");
	save_journal(ca, saved);
	ep.serials = (const char *const[]){ "1234abcd" };
	snprintf(out, sizeof out, "%s", tu_path("export-never"));
	ep.outdir = out;
	face_init(&f, "yes", pass);
	rc = sign_export(&ep, &f.io, &res);
	face_free(&f);
	ok(rc != OR_OK && !exists(out) && journal_same(ca, saved),
	    "export of a serial never issued is refused (%s), nothing written",
	    err_name(rc));

	rc = cadb_scan(ca, &sum, NULL, NULL);
	is_rc(rc, OR_OK, "the journal still verifies after all of this");
	hex_encode(rr.cert_sha256, 32, hex);
	is_str(sum.root_sha256, hex, "and names the root rootca_create reported");
	X509_free(root);
	ok(tu_end() == 0, "removed the test folder");
	return done_testing();
}
