/*
 * test-csrwiz.c — CSRs chosen on the day (csrpick.c) and the batch
 * runner's choice by name (interact-batch.c): what a pattern or "choose"
 * lists on the medium (sorted, a malformed file shown as unreadable with
 * its reason, files that are not CSRs left out of "choose"), one match
 * taken without a question, none named with the pattern and the medium,
 * an unreadable choice refused; and an answers file's "choose N: NAME"
 * matching exactly one option's first word.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "csrpick.h"
#include "err.h"
#include "interact-batch.h"
#include "tutil.h"

/* A P-256 CSR for /CN=cn written to the test folder as name. */
static void
mkcsr(const char *name, const char *cn)
{
	EVP_PKEY *k = EVP_EC_gen("P-256");
	X509_REQ *r = X509_REQ_new();
	X509_NAME *n = X509_REQ_get_subject_name(r);
	FILE *f;

	X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_UTF8,
	    (const unsigned char *)cn, -1, -1, 0);
	X509_REQ_set_pubkey(r, k);
	X509_REQ_sign(r, k, EVP_sha256());
	if ((f = fopen(tu_path(name), "w")) != NULL) {
		PEM_write_X509_REQ(f, r);
		fclose(f);
	}
	X509_REQ_free(r);
	EVP_PKEY_free(k);
}

/* A face that answers choose with a script of choices. */
struct stub {
	size_t answers[4], nanswers, asked;
	char last[1024];
};

static int
stub_choose(struct interact *io, const char *prompt,
    const char *const *options, size_t n, size_t *choice)
{
	struct stub *s = io->ctx;

	snprintf(s->last, sizeof s->last, "%s", prompt);
	if (s->asked == s->nanswers)
		return err_set(OR_E_ENV, "no answer");
	*choice = s->answers[s->asked++];
	return *choice < n ? OR_OK : err_set(OR_E_INPUT, "out of range");
}

static void
stub_say(struct interact *io, enum say_level level, const char *text)
{
	(void)io;
	(void)level;
	(void)text;
}

static void
stub_init(struct interact *io, struct stub *s)
{
	memset(io, 0, sizeof *io);
	memset(s, 0, sizeof *s);
	io->choose = stub_choose;
	io->say = stub_say;
	io->ctx = s;
}

static void
test_pattern(void)
{
	ok(csrpick_is_pattern("*.csr"), "*.csr is a pattern");
	ok(csrpick_is_pattern("in/vault?.req"), "in/vault?.req is a pattern");
	ok(csrpick_is_pattern("choose"), "choose is one");
	ok(!csrpick_is_pattern("pki_int.csr"), "pki_int.csr is a name");
}

static void
test_scan(void)
{
	struct csrpick_list *l = calloc(1, sizeof *l);
	int rc;

	rc = csrpick_scan(tu_dir, "*.csr", l);
	is_int(rc, OR_OK, "*.csr: scanned");
	is_int(l->n, 3, "*.csr: a.csr, b.csr and broken.csr");
	is_str(l->e[0].name, "a.csr", "sorted by name");
	ok(l->e[0].ok && strncmp(l->e[0].line, "a.csr  ec-p256  ", 16) == 0 &&
	    strstr(l->e[0].line, "CN=Intermediate A") != NULL,
	    "a line: name, key type, SHA-256, subject (%s)", l->e[0].line);
	ok(!l->e[2].ok && strstr(l->e[2].line, "broken.csr  UNREADABLE: ") ==
	    l->e[2].line && l->e[2].reason[0] != '\0',
	    "a malformed file: unreadable, with its reason (%s)",
	    l->e[2].line);
	rc = csrpick_scan(tu_dir, "choose", l);
	is_int(l->n, 4, "choose: the three, and req.pem that parses; not "
	    "notes.txt, not the folder");
	is_str(l->e[3].name, "req.pem", "req.pem is listed");
	rc = csrpick_scan(tu_dir, "in/*.req", l);
	ok(rc == OR_OK && l->n == 1 && strcmp(l->e[0].name, "in/x.req") == 0,
	    "a pattern in a folder: in/x.req");
	free(l);
}

static void
test_resolve(void)
{
	struct csrpick_result r;
	struct interact io;
	struct stub s;
	int rc;

	stub_init(&io, &s);
	rc = csrpick_resolve(&io, tu_dir, "in/*.req", "step 4", &r);
	ok(rc == OR_OK && strcmp(r.name, "in/x.req") == 0 &&
	    strcmp(r.how, "only match") == 0 && s.asked == 0,
	    "one match is taken without a question");
	stub_init(&io, &s);
	s.answers[0] = 1;
	s.nanswers = 1;
	rc = csrpick_resolve(&io, tu_dir, "*.csr", "step 4", &r);
	ok(rc == OR_OK && strcmp(r.name, "b.csr") == 0 &&
	    strcmp(r.how, "chosen") == 0 && strlen(r.file_sha256) == 64,
	    "several: the officer's choice, with its SHA-256");
	stub_init(&io, &s);
	s.answers[0] = 2;	/* broken.csr: refused, listed again */
	s.answers[1] = 0;
	s.nanswers = 2;
	rc = csrpick_resolve(&io, tu_dir, "*.csr", "step 4", &r);
	ok(rc == OR_OK && s.asked == 2 && strcmp(r.name, "a.csr") == 0,
	    "an unreadable choice is refused and the list shown again");
	stub_init(&io, &s);
	s.answers[0] = 4;	/* (abandon) after the three files and look-again */
	s.nanswers = 1;
	rc = csrpick_resolve(&io, tu_dir, "*.csr", "step 4", &r);
	is_int(rc, OR_E_CANCEL, "abandon: cancelled");
	err_clear();
	stub_init(&io, &s);
	rc = csrpick_resolve(&io, tu_dir, "*.der", "step 4", &r);
	ok(rc == OR_E_INPUT && strstr(err_msg(rc), "no file on the medium") !=
	    NULL && strstr(err_msg(rc), "\"*.der\"") != NULL &&
	    strstr(err_msg(rc), tu_dir) != NULL,
	    "no match and no answer: the pattern and the medium named (%s)",
	    err_msg(rc));
	err_clear();
	stub_init(&io, &s);
	s.answers[0] = 1;	/* choose another CSR on the medium */
	s.answers[1] = 0;
	s.nanswers = 2;
	rc = csrpick_resolve(&io, tu_dir, "missing.csr", "step 4", &r);
	ok(rc == OR_OK && strcmp(r.name, "a.csr") == 0,
	    "a missing name: another CSR chosen from the medium's list");
}

/* "choose 4: NAME" against an option list. */
static int
batch_pick(const char *answer, size_t *choice)
{
	static const char *const opts[] = { "a.csr  ec-p256  x  CN=A",
	    "b.csr  ec-p256  y  CN=B", "(look at the medium again)" };
	struct batch_answers *a = calloc(1, sizeof *a);
	struct batch_interact b;
	struct interact io;
	char text[128];
	int rc;

	snprintf(text, sizeof text, "choose 4: %s\n", answer);
	if ((rc = batch_answers_parse(text, strlen(text), "t.answers", a)) !=
	    OR_OK) {
		free(a);
		return rc;
	}
	memset(&b, 0, sizeof b);
	b.a = a;
	b.quiet = true;
	interact_batch_init(&io, &b);
	snprintf(b.step, sizeof b.step, "4");	/* as b_steps sets it */
	rc = io.choose(&io, "which CSR", opts, 3, choice);
	batch_answers_free(a);
	free(a);
	return rc;
}

static void
test_batch(void)
{
	size_t c = 99;

	ok(batch_pick("b.csr", &c) == OR_OK && c == 1, "choose 4: b.csr");
	ok(batch_pick("a*", &c) == OR_OK && c == 0, "choose 4: a* (a pattern)");
	ok(batch_pick("2", &c) == OR_OK && c == 1, "choose 4: 2 (a number)");
	is_int(batch_pick("*.csr", &c), OR_E_INPUT, "a pattern matching two "
	    "options is refused");
	err_clear();
	is_int(batch_pick("c.csr", &c), OR_E_INPUT, "a name matching none is "
	    "refused");
	err_clear();
	is_int(batch_pick("a b", &c), OR_E_INPUT, "a value with a space is "
	    "refused when the file is read");
	err_clear();
}

int
main(void)
{
	tu_begin("test-csrwiz");
	mkcsr("a.csr", "Intermediate A");
	mkcsr("b.csr", "Intermediate B");
	mkcsr("req.pem", "From a pem");
	tu_spew(tu_path("broken.csr"), "-----BEGIN CERTIFICATE REQUEST-----\n"
	    "not base64\n-----END CERTIFICATE REQUEST-----\n", 70);
	tu_spew(tu_path("notes.txt"), "hello\n", 6);
	mkdir(tu_path("in"), 0755);
	mkdir(tu_path("dir.csr"), 0755);
	mkcsr("in/x.req", "In a folder");
	test_pattern();
	test_scan();
	test_resolve();
	test_batch();
	tu_end();
	done_testing();
	return tap_failed != 0;
}
