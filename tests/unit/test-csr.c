/*
 * test-csr.c — strict CSR import (csr.c).  The corpus is made fresh by
 * tests/csr-corpus in a temporary folder: every hostile file is refused
 * with its code and a one-line reason that names the file and the defect;
 * every good-* file is accepted with the right key, subject and digests
 * (the digests computed independently with the openssl command).  The
 * corpus must hold no file this table does not know.  Run from the
 * repository root.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csr.h"
#include "err.h"
#include "fileio.h"
#include "util.h"
#include "tap.h"

#define SUBJECT "CN=Example Intermediate CA"

static const struct bad {
	const char *name;
	int code;
	const char *reason;	/* must appear in the message */
} bad[] = {
	/* the container */
	{ "empty.csr", OR_E_INPUT, "empty" },
	{ "whitespace-only.csr", OR_E_INPUT, "only whitespace" },
	{ "directory.csr", OR_E_INPUT, "not a regular file" },
	{ "dev-zero.csr", OR_E_INPUT, "not a regular file" },
	{ "huge.csr", OR_E_INPUT, "larger than 65536 bytes" },
	{ "not-pem-or-der.csr", OR_E_INPUT, "neither a PEM nor a DER" },
	{ "two-csrs.pem", OR_E_INPUT, "more than one PEM block" },
	{ "trailing-garbage.pem", OR_E_INPUT, "trailing data after the PEM" },
	{ "trailing-garbage.der", OR_E_INPUT, "trailing data: 10 bytes" },
	{ "truncated.der", OR_E_INPUT, "truncated" },
	{ "pem-bad-base64.pem", OR_E_INPUT, "not valid base64" },
	{ "pem-headers.pem", OR_E_INPUT, "PEM headers" },
	{ "pem-text-before.pem", OR_E_INPUT, "text before the PEM block" },
	{ "pem-certificate.pem", OR_E_INPUT, "PEM \"CERTIFICATE\"" },
	{ "not-a-csr.der", OR_E_INPUT, "not a certificate signing request" },
	/* the encoding */
	{ "not-der-long-length.csr", OR_E_INPUT, "not DER: a long-form length" },
	{ "not-der-indefinite.csr", OR_E_INPUT, "not DER: an indefinite" },
	{ "not-der-explicit-default.csr", OR_E_INPUT, "not DER" },
	{ "not-der-unsorted-rdn.csr", OR_E_INPUT, "not DER: a SET OF out of" },
	/* the request */
	{ "wrong-version.der", OR_E_INPUT, "version field is 1" },
	{ "empty-subject.csr", OR_E_POLICY, "subject is empty" },
	{ "too-many-rdns.csr", OR_E_INPUT, "33 attributes; at most 32" },
	{ "long-subject-string.csr", OR_E_INPUT, "1100 bytes long" },
	{ "duplicate-extensions.csr", OR_E_INPUT, "duplicate extensions" },
	{ "two-extension-requests.csr", OR_E_INPUT,
	    "more than one extensionRequest" },
	{ "extension-request-two-values.csr", OR_E_INPUT, "holds 2 values" },
	{ "too-many-extensions.csr", OR_E_INPUT, "65 requested extensions" },
	/* the key */
	{ "rsa-exponent-1.csr", OR_E_INPUT, "exponent is 1;" },
	{ "rsa-exponent-even.csr", OR_E_INPUT, "exponent is 65536;" },
	{ "rsa-exponent-huge.csr", OR_E_POLICY, "exponent is a 257-bit" },
	{ "rsa-1024.csr", OR_E_POLICY, "1024 bits" },
	{ "rsa-modulus-2052.csr", OR_E_POLICY, "not a multiple of 8" },
	{ "dsa.csr", OR_E_POLICY, "DSA keys are refused" },
	{ "secp256k1.csr", OR_E_POLICY, "curve secp256k1" },
	{ "explicit-curve.csr", OR_E_POLICY, "explicit curve parameters" },
	{ "ec-compressed-point.csr", OR_E_POLICY, "not an uncompressed" },
	{ "ed448.csr", OR_E_POLICY, "ED448 is not accepted" },
	{ "rsa-pss-key.csr", OR_E_POLICY, "RSA-PSS key" },
	{ "bad-public-key.csr", OR_E_INPUT, "cannot be decoded" },
	/* the signature */
	{ "md5.csr", OR_E_POLICY, "signed with MD5" },
	{ "md4.csr", OR_E_POLICY, "signed with MD4" },
	{ "sha1.csr", OR_E_POLICY, "signed with SHA-1" },
	{ "sha224.csr", OR_E_POLICY, "signed with SHA-224" },
	{ "ecdsa-sha1.csr", OR_E_POLICY, "signed with SHA-1" },
	{ "pss-sha1.csr", OR_E_POLICY, "RSASSA-PSS using SHA-1" },
	{ "sig-alg-key-mismatch.csr", OR_E_INPUT, "does not match the rsa-2048" },
	{ "rsa-sig-params-absent.csr", OR_E_INPUT, "must be NULL" },
	{ "bad-signature.csr", OR_E_VERIFY, "self-signature does not verify" },
};

static const struct good {
	const char *name;
	enum keytype type;
	int bits;
	const char *key_name;
	int requested;		/* -1: no extensionRequest */
	int unknown_critical;
} good[] = {
	{ "good-ec-p256.csr", KT_EC_P256, 256, "ec-p256", -1, 0 },
	{ "good-new-header.pem", KT_EC_P256, 256, "ec-p256", -1, 0 },
	{ "good-ec-p384.csr", KT_EC_P384, 384, "ec-p384", -1, 0 },
	{ "good-crlf.pem", KT_EC_P384, 384, "ec-p384", -1, 0 },
	{ "good-ec-p521.csr", KT_NONE, 521, "ec-p521", -1, 0 },
	{ "good-rsa-2048.der", KT_NONE, 2048, "rsa-2048", -1, 0 },
	{ "good-rsa-4096.csr", KT_RSA_4096, 4096, "rsa-4096", -1, 0 },
	{ "good-rsa-pss.csr", KT_NONE, 2048, "rsa-2048", -1, 0 },
	{ "good-ed25519.csr", KT_ED25519, 256, "ed25519", -1, 0 },
	{ "good-requested-extensions.csr", KT_EC_P256, 256, "ec-p256", 4, 1 },
};

#define NBAD (sizeof bad / sizeof bad[0])
#define NGOOD (sizeof good / sizeof good[0])

static char corpus[256];

/* The first word printed by cmd (a sha256sum line), into out[65]. */
static int
run_digest(const char *cmd, char out[65])
{
	FILE *f = popen(cmd, "r");
	int ok_ = f != NULL && fscanf(f, "%64s", out) == 1;

	if (f != NULL && pclose(f) != 0)
		ok_ = 0;
	return ok_;
}

static int
is_zeroed(const struct csr_info *ci)
{
	static const struct csr_info zero;

	return memcmp(ci, &zero, sizeof zero) == 0;
}

static void
test_bad(const struct bad *b)
{
	struct csr_info ci;
	char path[512];
	const char *msg;
	int rc;

	snprintf(path, sizeof path, "%s/%s", corpus, b->name);
	err_clear();
	rc = csr_load(path, &ci);
	msg = err_msg(rc);
	if (!ok(rc == b->code, "%s: refused with %s", b->name,
	    err_name(b->code)))
		diag("got %s: %s", err_name(rc), msg);
	if (!ok(strstr(msg, b->reason) != NULL && strstr(msg, path) != NULL &&
	    strchr(msg, '\n') == NULL, "%s: one line naming the file and "
	    "\"%s\"", b->name, b->reason))
		diag("message: %s", msg);
	ok(is_zeroed(&ci), "%s: nothing left allocated", b->name);
}

static void
test_good(const struct good *g)
{
	struct csr_info ci;
	char path[512], cmd[1200], want[65], got[65];
	const char *form;
	int rc;

	snprintf(path, sizeof path, "%s/%s", corpus, g->name);
	form = strstr(g->name, ".der") != NULL ? "DER" : "PEM";
	rc = csr_load(path, &ci);
	if (!ok(rc == OR_OK, "%s: accepted", g->name)) {
		diag("%s: %s", err_name(rc), err_msg(rc));
		return;
	}
	is_int(ci.key_type, g->type, "key type");
	is_int(ci.key_bits, g->bits, "key size");
	is_str(ci.key_name, g->key_name, "key name");
	is_str(ci.subject, SUBJECT, "subject");
	is_int(ci.sig_status, CSR_SIG_VALID, "self-signature valid");
	ok(ci.pubkey != NULL && ci.pubkey == X509_REQ_get0_pubkey(ci.req),
	    "public key borrowed from the request");
	is_int(ci.requested != NULL ? sk_X509_EXTENSION_num(ci.requested) :
	    -1, g->requested, "requested extensions");
	is_int(ci.unknown_critical, g->unknown_critical,
	    "unknown critical extensions counted");
	snprintf(cmd, sizeof cmd, "openssl req -inform %s -in '%s' -outform "
	    "DER | sha256sum", form, path);
	hex_encode(ci.csr_sha256, 32, got);
	ok(run_digest(cmd, want) && strcmp(got, want) == 0,
	    "%s: SHA-256 of the CSR as openssl computes it", g->name);
	snprintf(cmd, sizeof cmd, "openssl req -inform %s -in '%s' -pubkey "
	    "-noout | openssl pkey -pubin -outform DER | sha256sum", form,
	    path);
	hex_encode(ci.pubkey_sha256, 32, got);
	ok(run_digest(cmd, want) && strcmp(got, want) == 0,
	    "%s: SHA-256 of the public key as openssl computes it", g->name);
	csr_free(&ci);
	ok(is_zeroed(&ci), "csr_free zeroes");
	csr_free(&ci);
}

/* Every file of the corpus is in a table, every table entry in it. */
static void
test_coverage(void)
{
	struct dirent *d;
	DIR *dir = opendir(corpus);
	size_t i, seen = 0, unknown = 0;
	int found;

	if (!ok(dir != NULL, "corpus folder readable"))
		return;
	while ((d = readdir(dir)) != NULL) {
		if (d->d_name[0] == '.')
			continue;
		found = 0;
		for (i = 0; i < NBAD; i++)
			found |= strcmp(d->d_name, bad[i].name) == 0;
		for (i = 0; i < NGOOD; i++)
			found |= strcmp(d->d_name, good[i].name) == 0;
		if (found)
			seen++;
		else {
			unknown++;
			diag("not in the test's tables: %s", d->d_name);
		}
	}
	closedir(dir);
	is_int(unknown, 0, "every corpus file has an expected outcome");
	is_int(seen, NBAD + NGOOD, "every expected file is in the corpus");
}

/* The split inspect uses: decode keeps a CSR it would refuse readable. */
static void
test_decode_then_check(void)
{
	struct csr_info ci;
	unsigned char *data = NULL;
	size_t len = 0;
	char path[512];
	int rc;

	snprintf(path, sizeof path, "%s/bad-signature.csr", corpus);
	if (file_read(path, CSR_MAX_FILE, &data, &len) != OR_OK)
		return;
	ok(csr_decode(data, len, "bad-signature", &ci) == OR_OK,
	    "decode: a CSR with a bad signature is readable");
	rc = csr_check(&ci, "bad-signature");
	is_int(rc, OR_E_VERIFY, "check: the signature refused");
	is_int(ci.sig_status, CSR_SIG_INVALID, "check: status INVALID");
	is_str(ci.subject, SUBJECT, "the subject still shown");
	csr_free(&ci);
	free(data);

	snprintf(path, sizeof path, "%s/rsa-exponent-1.csr", corpus);
	if (file_read(path, CSR_MAX_FILE, &data, &len) != OR_OK)
		return;
	ok(csr_decode(data, len, "e1", &ci) == OR_OK, "decode: e=1 readable");
	is_int(csr_check(&ci, "e1"), OR_E_INPUT, "check: e=1 refused");
	is_int(ci.sig_status, CSR_SIG_UNCHECKED,
	    "check: the exponent is named before the signature is tried");
	csr_free(&ci);
	free(data);
}

static void
expect(const void *buf, size_t len, int code, const char *reason,
    const char *name)
{
	struct csr_info ci;
	const char *msg;
	int rc = csr_parse(buf, len, "MEM-LABEL", &ci);

	msg = err_msg(rc);
	if (!ok(rc == code && (code == OR_OK || (strstr(msg, reason) != NULL &&
	    strstr(msg, "MEM-LABEL: ") == msg)), "%s", name))
		diag("got %s: %s", err_name(rc), msg);
	csr_free(&ci);
}

/* Containers and encodings built here, byte by byte. */
static void
test_memory(void)
{
	unsigned char *pem = NULL, *big;
	char *buf, *p;
	size_t len = 0, n;
	char path[512];

	snprintf(path, sizeof path, "%s/good-ec-p256.csr", corpus);
	if (!ok(file_read(path, CSR_MAX_FILE, &pem, &len) == OR_OK,
	    "read a good PEM"))
		return;
	buf = malloc(2 * len + 64);
	n = (size_t)sprintf(buf, "\n \t\r\n%s\n\n", (char *)pem);
	expect(buf, n, OR_OK, NULL, "whitespace around the PEM block is fine");
	memcpy(buf, pem, len);
	p = strstr(buf, "-----END CERTIFICATE REQUEST-----");
	memcpy(p, "-----END X509 CRL-----\n", 24);
	expect(buf, (size_t)(p - buf) + 24, OR_E_INPUT, "does not match",
	    "END label differs from BEGIN");
	expect(buf, (size_t)(p - buf), OR_E_INPUT, "no END line",
	    "PEM without an END line");
	memcpy(buf, pem, len);
	expect(buf, len - 3, OR_E_INPUT, "does not match",
	    "END line cut short");
	n = (size_t)sprintf(buf, "-----BEGIN CERTIFICATE REQUEST-----\n"
	    "-----END CERTIFICATE REQUEST-----\n");
	expect(buf, n, OR_E_INPUT, "empty", "empty PEM block");
	n = (size_t)sprintf(buf, "-----BEGIN CERTIFICATE REQUEST-----\n"
	    "MAB=\n-----END CERTIFICATE REQUEST-----\n");
	expect(buf, n, OR_E_INPUT, "base64", "non-zero base64 padding bits");
	free(buf);
	free(pem);

	big = calloc(1, CSR_MAX_FILE + 1);
	big[0] = 0x30;
	expect(big, CSR_MAX_FILE + 1, OR_E_INPUT, "larger than 65536",
	    "a buffer over the cap");
	free(big);
	expect("", 0, OR_E_INPUT, "empty", "an empty buffer");
	expect("\x30", 1, OR_E_INPUT, "truncated", "one byte of DER");
	expect("\x30\x84\x01\x00\x00\x00", 6, OR_E_INPUT, "truncated",
	    "a length far past the end");
	expect("\x30\x85\x01\x00\x00\x00\x00", 7, OR_E_INPUT,
	    "more than four octets", "a five-octet length");
	expect("\x30\x03\x02\x01\x00", 5, OR_E_INPUT,
	    "not a certificate signing request", "DER, but not a CSR");
	expect("\x30\x04\x02\x02\x00\x01", 6, OR_E_INPUT,
	    "INTEGER in more octets", "a padded INTEGER");
	expect("\x30\x03\x01\x01\x01", 5, OR_E_INPUT, "BOOLEAN",
	    "a BOOLEAN of 01");
	expect("\x30\x02\x24\x00", 4, OR_E_INPUT, "constructed string",
	    "a constructed OCTET STRING");
	expect("\x30\x03\x06\x01\x80", 5, OR_E_INPUT, "OBJECT IDENTIFIER",
	    "an unterminated OID");
	expect("\x30\x04\x06\x02\x80\x01", 6, OR_E_INPUT,
	    "OBJECT IDENTIFIER arc", "a padded OID arc");
	expect("\x30\x04\x03\x02\x01\x01", 6, OR_E_INPUT, "padding bits",
	    "a BIT STRING with padding bits set");
	expect("\x30\x02\x10\x00", 4, OR_E_INPUT, "primitive SEQUENCE",
	    "a primitive SEQUENCE");
	expect("\x30\x06\x31\x04\x05\x00\x02\x00", 8, OR_E_INPUT,
	    "INTEGER", "an empty INTEGER");
	expect("\x30\x07\x31\x05\x05\x00\x02\x01\x00", 9, OR_E_INPUT,
	    "SET OF out of order", "an unsorted SET");
	expect("\x30\x03\x30\x80\x00", 5, OR_E_INPUT, "indefinite",
	    "an inner indefinite length");
	expect("\x30\x03\x30\x05\x00", 5, OR_E_INPUT, "longer than",
	    "an inner element longer than its parent");
	expect("\x1f\x30\x00", 3, OR_E_INPUT, "PEM nor a DER",
	    "another first byte is neither PEM nor DER");
}

int
main(void)
{
	char cmd[400];
	const char *tmp = getenv("TMPDIR");
	size_t i;

	snprintf(corpus, sizeof corpus, "%s/offroot-csr.XXXXXX",
	    tmp != NULL && *tmp != '\0' ? tmp : "/tmp");
	if (mkdtemp(corpus) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(cmd, sizeof cmd, "sh tests/csr-corpus '%s'", corpus);
	if (!ok(system(cmd) == 0, "tests/csr-corpus wrote the corpus"))
		return done_testing();
	test_coverage();
	for (i = 0; i < NBAD; i++)
		test_bad(&bad[i]);
	for (i = 0; i < NGOOD; i++)
		test_good(&good[i]);
	test_decode_then_check();
	test_memory();
	if (getenv("KEEP") == NULL) {
		snprintf(cmd, sizeof cmd, "rm -rf '%s'", corpus);
		if (system(cmd) != 0)
			diag("could not remove %s", corpus);
	} else
		diag("corpus kept in %s", corpus);
	return done_testing();
}
