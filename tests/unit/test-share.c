/*
 * test-share.c — officer share files and the quorum (hsm/share.c), and
 * the quorum key file (hsm/sealed.c).  KDF at the INTERACTIVE level.
 *
 * share_quorum_open runs through a scripted face that has neither share nor
 * new_share_secret: the path a TUI takes (ask for each share file, then
 * ask_secret for its passphrase).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "err.h"
#include "interact.h"
#include "keystore.h"
#include "secret.h"
#include "share.h"
#include "tap.h"
#include "util.h"

static struct secret *
mksecret(const char *text)
{
	struct secret *s = secret_new();

	if (s == NULL)
		abort();
	s->len = strlen(text);
	memcpy(s->buf, text, s->len + 1);
	return s;
}

/* A scripted face: answers ask with paths[], ask_secret with passes[]. */
struct script {
	const char *paths[8];
	const char *passes[8];
	size_t np, ns, asked_paths, asked_secrets;
	char warn[2048];
};

static void
s_say(struct interact *io, enum say_level l, const char *text)
{
	struct script *s = io->ctx;

	if (l == SAY_WARN)
		snprintf(s->warn + strlen(s->warn), sizeof s->warn -
		    strlen(s->warn), "%s\n", text);
}

static int
s_ask(struct interact *io, const char *prompt, char *buf, size_t size)
{
	struct script *s = io->ctx;

	s->asked_paths++;
	snprintf(buf, size, "%s", s->np > 0 ? s->paths[0] : "");
	if (s->np > 0) {
		memmove(s->paths, s->paths + 1, --s->np * sizeof s->paths[0]);
	}
	return OR_OK;
}

static int
s_ask_secret(struct interact *io, const char *prompt, bool twice,
    struct secret **out)
{
	struct script *s = io->ctx;

	s->asked_secrets++;
	if (s->ns == 0)
		return err_set(OR_E_CANCEL, "no more secrets");
	*out = mksecret(s->passes[0]);
	memmove(s->passes, s->passes + 1, --s->ns * sizeof s->passes[0]);
	return OR_OK;
}

static void
s_progress(struct interact *io, const char *label, double f)
{
}

static void
face(struct interact *io, struct script *s)
{
	memset(io, 0, sizeof *io);
	io->say = s_say;
	io->ask = s_ask;
	io->ask_secret = s_ask_secret;
	io->progress = s_progress;
	io->ctx = s;
}

static void
test_format(void)
{
	struct share_info si, got;
	struct secret *pass = mksecret("officer one"), *bad = mksecret("nope");
	unsigned char img[SHARE_FILE_LEN], buf[SHARE_FILE_LEN];
	unsigned char *v = sodium_malloc(SHARE_VALUE_LEN);
	unsigned char *w = sodium_malloc(SHARE_VALUE_LEN);
	unsigned char *key = sodium_malloc(32);
	size_t i;
	int corrupt = 0, auth = 0, other = 0;

	memset(&si, 0, sizeof si);
	si.kdf = KDF_INTERACTIVE;
	si.m = 2;
	si.n = 3;
	si.x = 2;
	memset(si.key_id, 0xab, sizeof si.key_id);
	memset(si.set_id, 0xcd, sizeof si.set_id);
	randombytes_buf(v, SHARE_VALUE_LEN);
	ok(share_seal(&si, v, pass, img) == OR_OK, "a share seals");
	ok(memcmp(img, "OFFROOT\0SHARE\0\0\0", 16) == 0 && img[54] == 2 &&
	    img[52] == 2 && img[53] == 3, "magic, M, N and x at their "
	    "documented offsets");
	ok(share_open(img, sizeof img, pass, &got, w) == OR_OK &&
	    memcmp(v, w, SHARE_VALUE_LEN) == 0 && got.x == 2 &&
	    memcmp(got.key_id, si.key_id, 32) == 0, "and opens to its value");
	is_int(share_open(img, sizeof img, bad, NULL, w), OR_E_AUTH,
	    "a wrong passphrase is OR_E_AUTH");
	ok(memmem(img, sizeof img, v, 16) == NULL, "the value is not in the "
	    "file in clear");
	is_int(share_parse(img, sizeof img - 1, NULL), OR_E_CORRUPT,
	    "a truncated share is refused");
	/* A flip in the KDF's inputs (opslimit, memlimit, salt: bytes 20 to
	 * 51, offroot-share(5)) goes the whole way, Argon2id included; any
	 * other byte is opened with the key the unchanged inputs give, the
	 * same key share_open would derive, without paying Argon2id again. */
	ok(share_derive_key(img, sizeof img, pass, key) == OR_OK,
	    "the share's key derives");
	ok(share_open_derived(img, sizeof img, key, NULL, w) == OR_OK &&
	    memcmp(v, w, SHARE_VALUE_LEN) == 0, "and opens the unchanged "
	    "share to its value");
	for (i = 0; i < SHARE_FILE_LEN; i++) {
		memcpy(buf, img, sizeof buf);
		buf[i] ^= 0x01;
		switch (i >= 20 && i < 52 ?
		    share_open(buf, sizeof buf, pass, NULL, w) :
		    share_open_derived(buf, sizeof buf, key, NULL, w)) {
		case OR_E_CORRUPT: corrupt++; break;
		case OR_E_AUTH: auth++; break;
		default: other++; diag("byte %zu: opened", i); break;
		}
	}
	ok(other == 0, "a flipped bit anywhere is refused (%d before the KDF, "
	    "%d by the tag)", corrupt, auth);
	memcpy(buf, img, sizeof buf);
	buf[20 + 7] = 1;	/* opslimit 1 */
	is_int(share_parse(buf, sizeof buf, NULL), OR_E_CORRUPT,
	    "an opslimit below the level's preset is refused");
	err_clear();
	secret_free(pass);
	secret_free(bad);
	sodium_free(v);
	sodium_free(w);
	sodium_free(key);
}

static void
test_quorum(void)
{
	static const char *pw[3] = { "officer one pw", "officer two pw",
	    "officer three pw" };
	struct secret *pass[SEALED_QUORUM_MAX_N] = { NULL };
	struct share_quorum *q = NULL;
	struct keystore *ks = NULL, *got = NULL;
	struct sealed_info info;
	struct interact io;
	struct script sc;
	char dir[] = "/tmp/offroot-test-share.XXXXXX", p1[PATH_MAX],
	    p3[PATH_MAX];
	const char *dirs[1];
	unsigned i;

	if (mkdtemp(dir) == NULL || sealed_generate(KT_EC_P256, &ks) != OR_OK)
		abort();
	for (i = 0; i < 3; i++)
		pass[i] = mksecret(pw[i]);
	memset(&sc, 0, sizeof sc);
	face(&io, &sc);
	ok(share_quorum_seal(ks, 2, 3, KDF_INTERACTIVE, pass, &io, &q) == OR_OK,
	    "a 2-of-3 set seals (and checks itself)");
	ok(sealed_parse(q->key_image, q->key_len, &info) == OR_OK &&
	    info.quorum_m == 2 && info.quorum_n == 3 &&
	    memcmp(info.set_id, q->set_id, 16) == 0 &&
	    memcmp(info.share_sha256[2], q->digest[2], 32) == 0,
	    "the key file's header records M, N, the set and each digest");
	is_int(sealed_open_buffer(q->key_image, q->key_len, pass[0], &got),
	    OR_E_INPUT, "a passphrase does not open a quorum key file");
	dirs[0] = dir;
	ok(share_quorum_write(q, dirs, 1) == OR_OK &&
	    access(q->path[0], R_OK) == 0, "share files are written");
	snprintf(p1, sizeof p1, "%s", q->path[0]);
	snprintf(p3, sizeof p3, "%s", q->path[2]);

	/* The TUI's way: ask for paths, then passphrases. */
	memset(&sc, 0, sizeof sc);
	sc.paths[0] = p3;
	sc.paths[1] = p1;
	sc.np = 2;
	sc.passes[0] = pw[2];
	sc.passes[1] = pw[0];
	sc.ns = 2;
	ok(share_quorum_open(q->key_image, q->key_len, &io, &got) == OR_OK &&
	    EVP_PKEY_eq(got->pub, ks->pub) == 1, "officers 3 and 1, asked in "
	    "turn, open the key");
	ok(sc.asked_paths == 2 && sc.asked_secrets == 2, "... asked two paths "
	    "and two passphrases, no more");
	keystore_close(got);
	got = NULL;

	memset(&sc, 0, sizeof sc);
	sc.paths[0] = p1;
	sc.np = 1;
	sc.passes[0] = pw[1];	/* officer 2's passphrase on share 1 */
	sc.ns = 1;
	is_int(share_quorum_open(q->key_image, q->key_len, &io, &got), OR_E_AUTH,
	    "a wrong passphrase, then no more shares: OR_E_AUTH");
	ok(strstr(err_msg(OR_E_AUTH), "need 2 more") != NULL &&
	    strstr(sc.warn, "share 1") != NULL &&
	    strstr(sc.warn, "wrong passphrase") != NULL,
	    "... naming share 1 and saying 2 more are needed");

	memset(&sc, 0, sizeof sc);
	sc.paths[0] = p1;
	sc.paths[1] = p1;
	sc.np = 2;
	sc.passes[0] = pw[0];
	sc.ns = 1;
	is_int(share_quorum_open(q->key_image, q->key_len, &io, &got), OR_E_AUTH,
	    "the same share twice does not count twice");
	ok(strstr(sc.warn, "already given as share 1") != NULL &&
	    sc.asked_secrets == 1, "... named before its passphrase is asked");

	share_quorum_unwrite(q);
	ok(access(p1, F_OK) == -1 && access(p3, F_OK) == -1,
	    "share_quorum_unwrite removes the share files it wrote");
	rmdir(dir);
	err_clear();
	share_quorum_free(q);
	share_free_passphrases(pass, SEALED_QUORUM_MAX_N);
	keystore_close(ks);
}

static void
test_parse_spec(void)
{
	unsigned m = 0, n = 0;

	ok(share_quorum_parse("3/5", &m, &n) == OR_OK && m == 3 && n == 5,
	    "--quorum 3/5");
	ok(share_quorum_parse("16/16", &m, &n) == OR_OK, "--quorum 16/16");
	is_int(share_quorum_parse("0/3", &m, &n), OR_E_USAGE, "0/3 refused");
	is_int(share_quorum_parse("4/3", &m, &n), OR_E_USAGE, "4/3 refused");
	is_int(share_quorum_parse("2/17", &m, &n), OR_E_USAGE, "2/17 refused");
	is_int(share_quorum_parse("2/-3", &m, &n), OR_E_USAGE, "2/-3 refused");
	is_int(share_quorum_parse("2", &m, &n), OR_E_USAGE, "2 refused");
	is_int(share_quorum_parse("2/3x", &m, &n), OR_E_USAGE, "2/3x refused");
	err_clear();
}

int
main(void)
{
	if (secret_init() != OR_OK)
		return 1;
	test_format();
	test_quorum();
	test_parse_spec();
	return done_testing();
}
