/*
 * test-sealed.c — the sealed key file (hsm/sealed.c), the key-store glue
 * (hsm/keystore.c) and passphrase input (src/secret.c).
 *
 * The KDF runs at the INTERACTIVE level (64 MiB, a few hundredths of a
 * second), so the all-positions tamper test runs on one key type.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <sodium.h>

#include "err.h"
#include "keystore.h"
#include "secret.h"
#include "tap.h"
#include "util.h"

/* Offsets in the sealed header, as manuals/offroot-sealed.5 gives them
 * (with an empty quorum section). */
#define OFF_VERSION	16
#define OFF_TYPE	18
#define OFF_KDF_ALG	20
#define OFF_KDF_LEVEL	21
#define OFF_OPS		22
#define OFF_MEM		30
#define OFF_SALT	38
#define OFF_QM		54
#define OFF_QN		55
#define OFF_QLEN	56
#define OFF_FP		58
#define OFF_NONCE	90
#define OFF_CTLEN	114
#define HDR_LEN		118

static const enum keytype all_types[] = {
	KT_EC_P256, KT_EC_P384, KT_RSA_3072, KT_RSA_4096, KT_ED25519,
};

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

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t
get_be(const unsigned char *p, size_t n)
{
	uint64_t v = 0;

	while (n-- > 0)
		v = v << 8 | *p++;
	return v;
}

static void
put_be(unsigned char *p, uint64_t v, size_t n)
{
	while (n-- > 0) {
		p[n] = (unsigned char)(v & 0xff);
		v >>= 8;
	}
}

/*
 * The recipe of offroot-sealed(5), written independently of sealed.c:
 * Argon2id13 over the stored limits and salt to 32 bytes, then
 * XChaCha20-Poly1305 with the stored nonce and every header byte as the
 * associated data.  Returns the PKCS#8 DER (malloc'd) or NULL.
 */
static unsigned char *
recipe_open(const unsigned char *img, size_t len, const struct secret *pass,
    size_t *ptlen)
{
	unsigned char key[32], *pt;
	unsigned long long n = 0;
	size_t q, ad, clen;

	*ptlen = 0;
	if (len < HDR_LEN)
		return NULL;
	q = (size_t)get_be(img + OFF_QLEN, 2);
	ad = HDR_LEN + q;
	clen = (size_t)get_be(img + OFF_CTLEN + q, 4);
	if (ad + clen != len || clen < 16)
		return NULL;
	if (crypto_pwhash(key, sizeof key, pass->buf, pass->len,
	    img + OFF_SALT, get_be(img + OFF_OPS, 8),
	    (size_t)get_be(img + OFF_MEM, 8), crypto_pwhash_ALG_ARGON2ID13) != 0)
		return NULL;
	if ((pt = malloc(clen)) == NULL)
		abort();
	if (crypto_aead_xchacha20poly1305_ietf_decrypt(pt, &n, NULL, img + ad,
	    clen, img, ad, img + OFF_NONCE + q, key) != 0) {
		free(pt);
		pt = NULL;
	}
	sodium_memzero(key, sizeof key);
	*ptlen = (size_t)n;
	return pt;
}

/* Builds a sealed image from a header (its ciphertext length is filled
 * in) and any plaintext, the way a hostile tool knowing the passphrase
 * could: everything authentic, the content wrong. */
static unsigned char *
recipe_seal(const unsigned char *hdr, const unsigned char *pt, size_t ptlen,
    const struct secret *pass, size_t *len)
{
	unsigned char key[32], *img;
	unsigned long long n = 0;

	if ((img = malloc(HDR_LEN + ptlen + 16)) == NULL)
		abort();
	memcpy(img, hdr, HDR_LEN);
	put_be(img + OFF_CTLEN, ptlen + 16, 4);
	if (crypto_pwhash(key, sizeof key, pass->buf, pass->len,
	    img + OFF_SALT, get_be(img + OFF_OPS, 8),
	    (size_t)get_be(img + OFF_MEM, 8), crypto_pwhash_ALG_ARGON2ID13) != 0)
		abort();
	crypto_aead_xchacha20poly1305_ietf_encrypt(img + HDR_LEN, &n, pt, ptlen,
	    img, HDR_LEN, NULL, img + OFF_NONCE, key);
	sodium_memzero(key, sizeof key);
	*len = HDR_LEN + (size_t)n;
	return img;
}

/* The raw private scalar (EC), seed (Ed25519) or exponent d (RSA). */
static size_t
raw_private(EVP_PKEY *pkey, unsigned char *out, size_t size)
{
	BIGNUM *bn = NULL;
	size_t n = size;
	int len;

	if (EVP_PKEY_is_a(pkey, "ED25519"))
		return EVP_PKEY_get_raw_private_key(pkey, out, &n) == 1 ? n : 0;
	if (EVP_PKEY_get_bn_param(pkey, EVP_PKEY_is_a(pkey, "RSA") ?
	    OSSL_PKEY_PARAM_RSA_D : OSSL_PKEY_PARAM_PRIV_KEY, &bn) != 1)
		return 0;
	len = BN_bn2bin(bn, out);
	BN_clear_free(bn);
	return len > 0 ? (size_t)len : 0;
}

/* No 16-byte window of needle occurs in hay. */
static int
absent(const unsigned char *hay, size_t hlen, const unsigned char *needle,
    size_t nlen)
{
	size_t i, w = nlen < 16 ? nlen : 16;

	if (nlen == 0)
		return 0;
	for (i = 0; i + w <= nlen; i++)
		if (memmem(hay, hlen, needle + i, w) != NULL)
			return 0;
	return 1;
}

static void
test_names(void)
{
	enum keytype t;
	enum kdf_level l;
	size_t i;

	for (i = 0; i < sizeof all_types / sizeof all_types[0]; i++) {
		t = KT_NONE;
		ok(keytype_parse(keytype_name(all_types[i]), &t) == OR_OK &&
		    t == all_types[i], "key type %s round-trips",
		    keytype_name(all_types[i]));
	}
	is_int(keytype_parse("rsa-2048", &t), OR_E_USAGE,
	    "rsa-2048 is not a key type offroot makes");
	is_str(keytype_default_digest(KT_EC_P256), "sha256", "P-256 signs "
	    "with SHA-256");
	is_str(keytype_default_digest(KT_EC_P384), "sha384", "P-384 signs "
	    "with SHA-384");
	is_str(keytype_default_digest(KT_RSA_3072), "sha384", "RSA-3072 signs "
	    "with SHA-384");
	is_str(keytype_default_digest(KT_RSA_4096), "sha384", "RSA-4096 signs "
	    "with SHA-384");
	ok(keytype_default_digest(KT_ED25519) == NULL, "Ed25519 takes no "
	    "digest");
	ok(kdf_level_parse("sensitive", &l) == OR_OK && l == KDF_SENSITIVE &&
	    kdf_level_parse("moderate", &l) == OR_OK && l == KDF_MODERATE &&
	    kdf_level_parse("interactive", &l) == OR_OK &&
	    l == KDF_INTERACTIVE, "KDF level names parse");
	is_str(kdf_level_name(KDF_MODERATE), "moderate", "KDF level name");
	is_int(kdf_level_parse("weak", &l), OR_E_USAGE, "unknown KDF level "
	    "refused");
}

/* Generate, seal, inspect, open, prove, for one key type.  Returns the
 * sealed image of ec-p256 for the tamper tests. */
static void
test_type(enum keytype type, const struct secret *pass,
    const struct secret *wrong, unsigned char **keep, size_t *keeplen,
    EVP_PKEY **keeppub)
{
	const char *name = keytype_name(type);
	struct keystore *ks = NULL, *ks2 = NULL;
	struct sealed_info info;
	unsigned char *img = NULL, *pt = NULL, fp[SHA256_LEN], raw[1024];
	const unsigned char *p;
	size_t len = 0, ptlen = 0, rawlen;
	EVP_PKEY *inside = NULL;
	double t0;
	int rc;

	t0 = now();
	rc = sealed_generate(type, &ks);
	if (!ok(rc == OR_OK, "%s: generate", name)) {
		diag("%s", err_msg(rc));
		return;
	}
	ok(ks->type == type && keytype_of(ks->pub) == type, "%s: the store "
	    "and its public key are %s", name, name);
	ok(raw_private(ks->pub, raw, sizeof raw) == 0,
	    "%s: ks->pub holds no private part", name);
	ERR_clear_error();

	rc = sealed_seal(ks, pass, KDF_INTERACTIVE, &img, &len);
	if (!ok(rc == OR_OK, "%s: seal", name)) {
		diag("%s", err_msg(rc));
		goto out;
	}
	ok(sealed_parse(img, len, &info) == OR_OK && info.version == 1 &&
	    info.type == type && info.kdf == KDF_INTERACTIVE &&
	    info.opslimit == crypto_pwhash_argon2id_OPSLIMIT_INTERACTIVE &&
	    info.memlimit == crypto_pwhash_argon2id_MEMLIMIT_INTERACTIVE &&
	    info.quorum_m == 0 && info.quorum_n == 0,
	    "%s: the header says type, level and limits", name);
	ok(pubkey_sha256(ks->pub, fp) == OR_OK &&
	    memcmp(fp, info.pubkey_sha256, sizeof fp) == 0,
	    "%s: the header carries the SPKI SHA-256", name);

	/* The documented recipe opens it, to the same key. */
	pt = recipe_open(img, len, pass, &ptlen);
	p = pt;
	ok(pt != NULL && (inside = d2i_AutoPrivateKey(NULL, &p,
	    (long)ptlen)) != NULL && p == pt + ptlen &&
	    EVP_PKEY_eq(inside, ks->pub) == 1, "%s: the man page's recipe "
	    "decrypts it to the PKCS#8 of the same key", name);
	ok(pt != NULL && memmem(img, len, pt, ptlen) == NULL &&
	    absent(img, len, pt, ptlen), "%s: the sealed bytes do not hold "
	    "the PKCS#8 DER", name);
	rawlen = inside != NULL ? raw_private(inside, raw, sizeof raw) : 0;
	ok(rawlen >= 16 && absent(img, len, raw, rawlen),
	    "%s: nor the raw private key (%zu bytes)", name, rawlen);
	OPENSSL_cleanse(raw, sizeof raw);
	if (pt != NULL)
		OPENSSL_cleanse(pt, ptlen);

	rc = sealed_open_buffer(img, len, pass, &ks2);
	if (ok(rc == OR_OK, "%s: opens with the right passphrase", name)) {
		ok(ks2->type == type && EVP_PKEY_eq(ks2->pub, ks->pub) == 1,
		    "%s: the opened key has the same public key", name);
		rc = keystore_prove(ks2, ks->pub);
		ok(rc == OR_OK, "%s: the opened store proves it holds the key",
		    name);
		if (rc != OR_OK)
			diag("%s", err_msg(rc));
	} else
		diag("%s", err_msg(rc));
	keystore_close(ks2);
	ks2 = NULL;
	rc = sealed_open_buffer(img, len, wrong, &ks2);
	ok(rc == OR_E_AUTH && ks2 == NULL, "%s: a wrong passphrase is "
	    "OR_E_AUTH", name);
	if (rc == OR_E_AUTH)
		is_str(err_msg(rc), "wrong passphrase, or the key file was "
		    "altered", "the message says what to check");
	diag("%s: %.2f s", name, now() - t0);
	if (type == KT_EC_P256) {
		*keep = img;
		*keeplen = len;
		img = NULL;
		*keeppub = ks->pub;
		EVP_PKEY_up_ref(ks->pub);
	}
out:
	keystore_close(ks2);
	keystore_close(ks);
	EVP_PKEY_free(inside);
	free(pt);
	free(img);
}

static void
test_sign(void)
{
	struct keystore *a = NULL, *b = NULL, *r = NULL;
	unsigned char *sig = NULL;
	size_t siglen = 0;

	if (sealed_generate(KT_EC_P256, &a) != OR_OK ||
	    sealed_generate(KT_EC_P256, &b) != OR_OK ||
	    sealed_generate(KT_ED25519, &r) != OR_OK) {
		ok(0, "generate keys for the signing tests");
		goto out;
	}
	is_int(keystore_prove(a, b->pub), OR_E_VERIFY, "a store does not "
	    "prove another key of the same type");
	is_int(keystore_prove(a, r->pub), OR_E_VERIFY, "nor a key of "
	    "another type");
	is_int(keystore_sign(a, NULL, (const unsigned char *)"m", 1, &sig,
	    &siglen), OR_E_INPUT, "ECDSA without a digest is refused");
	is_int(keystore_sign(r, "sha256", (const unsigned char *)"m", 1, &sig,
	    &siglen), OR_E_INPUT, "Ed25519 with a digest is refused");
	is_int(keystore_sign(a, "md5", (const unsigned char *)"m", 1, &sig,
	    &siglen), OR_E_INPUT, "MD5 is refused");
	ok(keystore_sign(r, NULL, (const unsigned char *)"m", 1, &sig,
	    &siglen) == OR_OK && siglen == 64, "Ed25519 signature is 64 "
	    "bytes");
	OPENSSL_free(sig);
	sig = NULL;
	ok(keystore_sign(a, "sha512", (const unsigned char *)"m", 1, &sig,
	    &siglen) == OR_OK && siglen > 8 && sig[0] == 0x30,
	    "ECDSA signature is a DER SEQUENCE");
	OPENSSL_free(sig);
	sig = NULL;
	/* A digest the caller hashed: the signature verifies over the
	 * message; a digest of the wrong size and Ed25519 are refused. */
	{
		static const unsigned char msg[] = "a large TBS, hashed once";
		unsigned char md[EVP_MAX_MD_SIZE];
		unsigned int mdlen = 0;
		EVP_MD_CTX *ctx = NULL;
		int good = 0;

		ok(keystore_can_sign_digest(a, "sha384") &&
		    !keystore_can_sign_digest(r, "sha384") &&
		    !keystore_can_sign_digest(r, NULL),
		    "ECDSA signs digests, Ed25519 does not");
		if (EVP_Digest(msg, sizeof msg, md, &mdlen, EVP_sha384(),
		    NULL) == 1 && keystore_sign_digest(a, "sha384", md, mdlen,
		    &sig, &siglen) == OR_OK && (ctx = EVP_MD_CTX_new()) != NULL &&
		    EVP_DigestVerifyInit_ex(ctx, NULL, "sha384", NULL, NULL,
		    a->pub, NULL) == 1)
			good = EVP_DigestVerify(ctx, sig, siglen, msg,
			    sizeof msg) == 1;
		ok(good, "a signed SHA-384 digest verifies over the message");
		EVP_MD_CTX_free(ctx);
		OPENSSL_free(sig);
		sig = NULL;
		is_int(keystore_sign_digest(a, "sha256", md, mdlen, &sig,
		    &siglen), OR_E_INPUT, "a digest of the wrong size is "
		    "refused");
		is_int(keystore_sign_digest(r, "sha384", md, mdlen, &sig,
		    &siglen), OR_E_INPUT, "Ed25519 refuses a digest");
	}
	{
		struct keystore *rsa = NULL;
		unsigned char md[32];
		EVP_MD_CTX *ctx = NULL;
		unsigned int mdlen = 0;
		int good = 0;

		if (sealed_generate(KT_RSA_3072, &rsa) == OR_OK &&
		    EVP_Digest("m", 1, md, &mdlen, EVP_sha256(), NULL) == 1 &&
		    keystore_sign_digest(rsa, "sha256", md, mdlen, &sig,
		    &siglen) == OR_OK && (ctx = EVP_MD_CTX_new()) != NULL &&
		    EVP_DigestVerifyInit_ex(ctx, NULL, "sha256", NULL, NULL,
		    rsa->pub, NULL) == 1)
			good = EVP_DigestVerify(ctx, sig, siglen,
			    (const unsigned char *)"m", 1) == 1;
		ok(good, "an RSA PKCS#1 v1.5 signature of a digest verifies "
		    "over the message");
		EVP_MD_CTX_free(ctx);
		OPENSSL_free(sig);
		sig = NULL;
		keystore_close(rsa);
	}
	is_int(sealed_seal(a, NULL, KDF_INTERACTIVE, &sig, &siglen),
	    OR_E_INPUT, "sealing without a passphrase is refused");
out:
	keystore_close(a);
	keystore_close(b);
	keystore_close(r);
}

/* Every position flipped fails; header fields are refused before the KDF.
 * A flip in the KDF's inputs (opslimit, memlimit, salt) goes the whole
 * way, Argon2id included; any other byte is opened with the key the
 * unchanged inputs give (sealed_open_derived: the same key
 * sealed_open_buffer would derive), so every byte is tried without
 * paying Argon2id for each. */
static void
test_tamper(const unsigned char *img, size_t len, const struct secret *pass)
{
	struct keystore *ks = NULL;
	unsigned char *buf, *key;
	size_t i, tried = 0, opened = 0, auth = 0, corrupt = 0, other = 0;
	size_t cuts[] = { 0, 1, 15, 16, 17, OFF_OPS, OFF_FP, HDR_LEN - 1,
	    HDR_LEN, HDR_LEN + 1, 0, 0, 0 };
	int rc;
	double t0 = now();

	if ((buf = malloc(len + 1)) == NULL ||
	    (key = sodium_malloc(32)) == NULL)
		abort();
	ok(sealed_derive_key(img, len, pass, key) == OR_OK &&
	    sealed_open_derived(img, len, key, &ks) == OR_OK, "ec-p256: the "
	    "key derived once opens the unchanged image");
	keystore_close(ks);
	ks = NULL;
	for (i = 0; i < len; i++) {
		memcpy(buf, img, len);
		/* In the memlimit field a bit, elsewhere the whole byte: an
		 * 0xff in its low 32 bits would ask for ~4 GiB, which the
		 * parser allows. */
		buf[i] ^= i >= OFF_MEM && i < OFF_MEM + 8 ? 0x01 : 0xff;
		rc = i >= OFF_OPS && i < OFF_SALT + 16 ?
		    sealed_open_buffer(buf, len, pass, &ks) :
		    sealed_open_derived(buf, len, key, &ks);
		tried++;
		if (rc == OR_OK) {
			opened++;
			diag("flipping byte %zu went unnoticed", i);
			keystore_close(ks);
			ks = NULL;
		} else if (rc == OR_E_AUTH)
			auth++;
		else if (rc == OR_E_CORRUPT)
			corrupt++;
		else {
			other++;
			diag("byte %zu: %s %s", i, err_name(rc), err_msg(rc));
		}
	}
	sodium_free(key);
	ok(opened == 0 && other == 0 && tried == len, "ec-p256: all %zu "
	    "single-byte changes fail", tried);
	diag("%zu refused as corrupt before the KDF, %zu failed "
	    "authentication (%.1f s)", corrupt, auth, now() - t0);

	cuts[10] = len - 17;
	cuts[11] = len - 16;
	cuts[12] = len - 1;
	for (i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
		rc = sealed_open_buffer(img, cuts[i], pass, &ks);
		ok(rc == OR_E_CORRUPT && ks == NULL, "truncated to %zu bytes: "
		    "OR_E_CORRUPT", cuts[i]);
		keystore_close(ks);
		ks = NULL;
	}
	memcpy(buf, img, len);
	buf[len] = 0;
	rc = sealed_open_buffer(buf, len + 1, pass, &ks);
	ok(rc == OR_E_CORRUPT && sealed_parse(buf, len + 1, NULL) ==
	    OR_E_CORRUPT, "one trailing byte: OR_E_CORRUPT");
	keystore_close(ks);
	ks = NULL;
	free(buf);
}

/* Limits and fields a hostile header could use are refused before any KDF
 * runs, and authentic-but-wrong content is caught after it. */
static void
test_header(const unsigned char *img, size_t len, EVP_PKEY *pub,
    const struct secret *pass)
{
	struct keystore *ks = NULL;
	struct sealed_info info;
	unsigned char *buf, *pt, *forged, *longer;
	size_t ptlen = 0, flen = 0;
	double t0;
	int rc;

	if ((buf = malloc(len)) == NULL)
		abort();

	memcpy(buf, img, len);
	put_be(buf + OFF_MEM, 64ull << 30, 8);
	t0 = now();
	rc = sealed_open_buffer(buf, len, pass, &ks);
	ok(rc == OR_E_CORRUPT && sealed_parse(buf, len, &info) == OR_E_CORRUPT
	    && now() - t0 < 1.0, "a header asking for 64 GiB is refused "
	    "before the KDF");
	diag("%s", err_msg(rc));

	memcpy(buf, img, len);
	put_be(buf + OFF_MEM, (4ull << 30) + 1024, 8);
	is_int(sealed_parse(buf, len, NULL), OR_E_CORRUPT, "memlimit just "
	    "over 4 GiB is refused");
	memcpy(buf, img, len);
	put_be(buf + OFF_OPS, 65, 8);
	is_int(sealed_parse(buf, len, NULL), OR_E_CORRUPT, "opslimit 65 is "
	    "refused");
	memcpy(buf, img, len);
	put_be(buf + OFF_OPS, 1, 8);
	is_int(sealed_parse(buf, len, NULL), OR_E_CORRUPT, "opslimit below "
	    "the level's preset is refused");
	memcpy(buf, img, len);
	buf[OFF_KDF_LEVEL] = KDF_SENSITIVE;
	is_int(sealed_parse(buf, len, NULL), OR_E_CORRUPT, "a level claiming "
	    "more than its limits give is refused");
	memcpy(buf, img, len);
	buf[OFF_KDF_ALG] = 2;
	is_int(sealed_parse(buf, len, NULL), OR_E_CORRUPT, "an unknown KDF "
	    "is refused");
	memcpy(buf, img, len);
	put_be(buf + OFF_VERSION, 2, 2);
	is_int(sealed_parse(buf, len, NULL), OR_E_CORRUPT, "version 2 is "
	    "refused");
	memcpy(buf, img, len);
	put_be(buf + OFF_TYPE, 6, 2);
	is_int(sealed_parse(buf, len, NULL), OR_E_CORRUPT, "an unknown key "
	    "type is refused");

	memcpy(buf, img, len);
	buf[OFF_QM] = 2;
	buf[OFF_QN] = 3;
	is_int(sealed_parse(buf, len, &info), OR_E_CORRUPT, "a 2-of-3 quorum "
	    "header without its share digests is refused (issue 7: the "
	    "section is 16 + 32*N bytes; test-share.c covers real ones)");
	t0 = now();
	rc = sealed_open_buffer(buf, len, pass, &ks);
	ok(rc == OR_E_CORRUPT && now() - t0 < 1.0, "and refused before the "
	    "KDF");
	memcpy(buf, img, len);
	buf[OFF_QM] = 3;
	buf[OFF_QN] = 2;
	is_int(sealed_parse(buf, len, NULL), OR_E_CORRUPT, "3-of-2 is "
	    "refused");
	memcpy(buf, img, len);
	put_be(buf + OFF_QLEN, 1, 2);
	is_int(sealed_parse(buf, len, NULL), OR_E_CORRUPT, "a quorum section "
	    "without a quorum is refused");

	/* Authentic headers with the wrong content, made with the passphrase
	 * through the documented recipe. */
	pt = recipe_open(img, len, pass, &ptlen);
	if (!ok(pt != NULL, "the recipe opens the ec-p256 image"))
		goto out;
	forged = recipe_seal(img, pt, ptlen, pass, &flen);
	rc = sealed_open_buffer(forged, flen, pass, &ks);
	ok(rc == OR_OK && EVP_PKEY_eq(ks->pub, pub) == 1, "re-sealing by the "
	    "recipe opens in offroot (the recipe is complete)");
	keystore_close(ks);
	ks = NULL;
	free(forged);

	memcpy(buf, img, HDR_LEN);
	buf[OFF_FP] ^= 1;
	forged = recipe_seal(buf, pt, ptlen, pass, &flen);
	is_int(sealed_open_buffer(forged, flen, pass, &ks), OR_E_CORRUPT,
	    "an authentic file whose fingerprint does not match its key is "
	    "OR_E_CORRUPT");
	free(forged);

	memcpy(buf, img, HDR_LEN);
	put_be(buf + OFF_TYPE, KT_EC_P384, 2);
	forged = recipe_seal(buf, pt, ptlen, pass, &flen);
	is_int(sealed_open_buffer(forged, flen, pass, &ks), OR_E_CORRUPT,
	    "an authentic file whose key type does not match its header is "
	    "OR_E_CORRUPT");
	free(forged);

	if ((longer = calloc(1, ptlen + 1)) == NULL)
		abort();
	memcpy(longer, pt, ptlen);
	forged = recipe_seal(img, longer, ptlen + 1, pass, &flen);
	is_int(sealed_open_buffer(forged, flen, pass, &ks), OR_E_CORRUPT,
	    "a payload with a byte after the PKCS#8 is OR_E_CORRUPT");
	free(forged);
	OPENSSL_cleanse(longer, ptlen + 1);
	free(longer);
	OPENSSL_cleanse(pt, ptlen);
	free(pt);
out:
	free(buf);
}

static void
test_files(const char *dir, const struct secret *pass)
{
	struct keystore *ks = NULL, *ks2 = NULL;
	struct sealed_info info;
	struct stat st;
	char path[512];
	int rc;

	snprintf(path, sizeof path, "%s/root.sealed", dir);
	if (sealed_generate(KT_ED25519, &ks) != OR_OK) {
		ok(0, "generate for the file tests");
		return;
	}
	rc = sealed_save(ks, pass, KDF_INTERACTIVE, path);
	ok(rc == OR_OK, "sealed_save writes the file");
	if (rc != OR_OK)
		diag("%s", err_msg(rc));
	ok(stat(path, &st) == 0 && (st.st_mode & 07777) == 0600,
	    "the sealed file is mode 0600");
	is_int(sealed_save(ks, pass, KDF_INTERACTIVE, path), OR_E_EXISTS,
	    "sealed_save never overwrites");
	ok(sealed_info(path, &info) == OR_OK && info.type == KT_ED25519 &&
	    info.kdf == KDF_INTERACTIVE, "sealed_info reports ed25519, "
	    "interactive");
	rc = sealed_open(path, pass, &ks2);
	ok(rc == OR_OK && keystore_prove(ks2, ks->pub) == OR_OK,
	    "sealed_open opens it and proves the key");
	keystore_close(ks2);
	keystore_close(ks);
	unlink(path);
}

static int
writefile(const char *path, const char *data, size_t len)
{
	int fd;

	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600)) == -1)
		return -1;
	if (write(fd, data, len) != (ssize_t)len) {
		close(fd);
		return -1;
	}
	return close(fd);
}

static void
test_secret_files(const char *dir)
{
	struct secret *s = NULL, *t = NULL;
	char path[512], link[512], fifo[512], *big;
	int pfd[2], rc;

	snprintf(path, sizeof path, "%s/pass", dir);
	snprintf(link, sizeof link, "%s/pass-link", dir);
	snprintf(fifo, sizeof fifo, "%s/pass-fifo", dir);

	writefile(path, "correct horse\nsecond line\n", 26);
	ok(secret_from_file(path, &s) == OR_OK && s->len == 13 &&
	    strcmp(s->buf, "correct horse") == 0, "passphrase file: the "
	    "first line only");
	ok(secret_from_file(path, &t) == OR_OK && secret_equal(s, t),
	    "the same file twice: equal secrets");
	secret_free(t);
	t = NULL;
	writefile(path, "correct horse\r\n", 15);
	ok(secret_from_file(path, &t) == OR_OK && secret_equal(s, t),
	    "CR LF is not part of the passphrase");
	secret_free(t);
	t = NULL;
	writefile(path, "correct horse", 13);
	ok(secret_from_file(path, &t) == OR_OK && secret_equal(s, t),
	    "no final newline is fine");
	secret_free(t);
	t = NULL;
	writefile(path, "correct horsf", 13);
	ok(secret_from_file(path, &t) == OR_OK && !secret_equal(s, t),
	    "a different passphrase is not equal");
	secret_free(t);
	t = NULL;

	writefile(path, "", 0);
	rc = secret_from_file(path, &t);
	ok(rc == OR_E_INPUT && t == NULL, "an empty file is refused");
	ok(strstr(err_msg(rc), "first line is empty") != NULL,
	    "... saying the first line is empty");
	writefile(path, "\nsecret on line two\n", 20);
	is_int(secret_from_file(path, &t), OR_E_INPUT, "an empty first line "
	    "is refused");
	writefile(path, "a\0b\n", 4);
	is_int(secret_from_file(path, &t), OR_E_INPUT, "a NUL byte is "
	    "refused");

	if ((big = malloc(SECRET_MAX + 3)) == NULL)
		abort();
	memset(big, 'x', SECRET_MAX + 3);
	big[SECRET_MAX] = '\r';
	big[SECRET_MAX + 1] = '\n';
	writefile(path, big, SECRET_MAX + 2);
	ok(secret_from_file(path, &t) == OR_OK && t->len == SECRET_MAX,
	    "a %d-byte line with CR LF is accepted", SECRET_MAX);
	secret_free(t);
	t = NULL;
	big[SECRET_MAX] = 'x';
	writefile(path, big, SECRET_MAX + 3);
	is_int(secret_from_file(path, &t), OR_E_INPUT, "a longer line is "
	    "refused");
	free(big);

	is_int(secret_from_file(dir, &t), OR_E_INPUT, "a directory is "
	    "refused");
	writefile(path, "correct horse\n", 14);
	if (symlink(path, link) == 0)
		is_int(secret_from_file(link, &t), OR_E_INPUT, "a symbolic "
		    "link is refused");
	if (mkfifo(fifo, 0600) == 0) {
		alarm(10);	/* a blocking open would hang the test */
		is_int(secret_from_file(fifo, &t), OR_E_INPUT, "a FIFO is "
		    "refused without waiting for a writer");
		alarm(0);
	}
	snprintf(path, sizeof path, "%s/missing", dir);
	ok(secret_from_file(path, &t) != OR_OK && t == NULL, "a missing file "
	    "is an error");

	if (pipe(pfd) == 0) {
		rc = write(pfd[1], "correct horse\nmore", 18) == 18;
		close(pfd[1]);
		ok(rc && secret_from_fd(pfd[0], &t) == OR_OK &&
		    secret_equal(s, t),
		    "secret_from_fd reads the first line of a pipe");
		close(pfd[0]);
		secret_free(t);
		t = NULL;
	}
	secret_free(s);
	unlink(link);
	unlink(fifo);
	snprintf(path, sizeof path, "%s/pass", dir);
	unlink(path);
}

/* In a child with the pty as its controlling terminal: the prompt shows,
 * the typed passphrase is not echoed, and the echo is back afterwards. */
static void
test_tty(void)
{
	struct secret *s = NULL;
	struct termios t;
	struct pollfd pfd;
	char out[4096], *slave;
	size_t have = 0;
	ssize_t r;
	pid_t pid;
	int m, fd, st = 0, typed = 0;

	if ((m = posix_openpt(O_RDWR | O_NOCTTY)) == -1 || grantpt(m) == -1 ||
	    unlockpt(m) == -1 || (slave = ptsname(m)) == NULL) {
		ok(1, "# SKIP no pseudo-terminal");
		return;
	}
	fflush(stdout);
	if ((pid = fork()) == 0) {
		alarm(10);
		if (setsid() == -1 || (fd = open(slave, O_RDWR)) == -1 ||
		    ioctl(fd, TIOCSCTTY, 0) == -1)
			_exit(3);
		if (secret_from_tty("PP: ", &s) != OR_OK)
			_exit(1);
		if (tcgetattr(fd, &t) == -1 || !(t.c_lflag & ECHO))
			_exit(2);
		_exit(strcmp(s->buf, "tty secret") == 0 ? 0 : 4);
	}
	pfd.fd = m;
	pfd.events = POLLIN;
	while (pid > 0 && have < sizeof out - 1 && poll(&pfd, 1, 5000) > 0) {
		if ((r = read(m, out + have, sizeof out - 1 - have)) <= 0)
			break;
		have += (size_t)r;
		out[have] = '\0';
		if (!typed && strstr(out, "PP: ") != NULL) {
			typed = write(m, "tty secret\n", 11) == 11;
		}
	}
	waitpid(pid, &st, 0);
	close(m);
	out[have] = '\0';
	ok(typed && WIFEXITED(st) && WEXITSTATUS(st) == 0, "secret_from_tty "
	    "reads the line from the controlling terminal and restores echo");
	ok(typed && strstr(out, "tty secret") == NULL, "the passphrase is not "
	    "echoed");

	fflush(stdout);
	if ((pid = fork()) == 0) {
		alarm(10);
		if (setsid() == -1)
			_exit(3);
		_exit(secret_from_tty("PP: ", &s) == OR_E_ENV ? 0 : 1);
	}
	waitpid(pid, &st, 0);
	ok(WIFEXITED(st) && WEXITSTATUS(st) == 0, "no terminal: OR_E_ENV");
}

int
main(void)
{
	struct secret *pass, *wrong;
	unsigned char *img = NULL;
	size_t i, len = 0;
	EVP_PKEY *pub = NULL;
	char dir[] = "/tmp/test-sealed.XXXXXX";
	double t0 = now();
	int rc;

	(void)plan_tests;	/* the plan comes from done_testing() */
	rc = secret_init();
	if (!ok(rc == OR_OK, "secret_init"))
		diag("%s", err_msg(rc));
	diag("mlock works: %s; OpenSSL secure heap: %s",
	    secret_memory_locked() ? "yes" : "no",
	    secret_secure_heap() ? "yes" : "no");
	if (mkdtemp(dir) == NULL) {
		ok(0, "mkdtemp: %s", strerror(errno));
		return done_testing();
	}
	pass = mksecret("correct horse battery staple");
	wrong = mksecret("correct horse battery stapler");

	test_names();
	for (i = 0; i < sizeof all_types / sizeof all_types[0]; i++)
		test_type(all_types[i], pass, wrong, &img, &len, &pub);
	test_sign();
	if (img != NULL) {
		test_tamper(img, len, pass);
		test_header(img, len, pub, pass);
	}
	test_files(dir, pass);
	test_secret_files(dir);
	test_tty();

	free(img);
	EVP_PKEY_free(pub);
	secret_free(pass);
	secret_free(wrong);
	rmdir(dir);
	diag("total %.1f s", now() - t0);
	return done_testing();
}
