/*
 * test-pkcs11.c — the PKCS#11 key store (hsm/pkcs11.c): the conversion of
 * a token's raw ECDSA r||s into DER, CKA_EC_POINT unwrapping, pkcs11: URI
 * handling, the key reference file, CK_RV translation, and a round trip
 * through a SoftHSM2 token made on the fly (skipped when SoftHSM2 is not
 * installed).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/x509.h>

#include "err.h"
#include "interact.h"
#include "keystore.h"
#include "pkcs11.h"
#include "secret.h"
#include "tap.h"

#define SOFTHSM_MODULE	"/usr/lib/softhsm/libsofthsm2.so"
#define TEST_PIN	"4711-test"

/* ---- ECDSA r||s -> DER ---- */

static void
test_ecdsa_fixed(void)
{
	unsigned char raw[64], want[80], *der = NULL, *p;
	size_t derlen = 0, i;
	int rc;

	/* r has its high bit set: DER needs a 00 in front. */
	raw[0] = 0x80;
	memset(raw + 1, 0x11, 31);
	/* s has two leading zero bytes: DER drops them. */
	raw[32] = 0x00;
	raw[33] = 0x00;
	raw[34] = 0x01;
	memset(raw + 35, 0x22, 29);
	p = want;
	*p++ = 0x30;
	*p++ = 2 + 33 + 2 + 30;
	*p++ = 0x02;
	*p++ = 33;
	*p++ = 0x00;
	*p++ = 0x80;
	for (i = 0; i < 31; i++)
		*p++ = 0x11;
	*p++ = 0x02;
	*p++ = 30;
	*p++ = 0x01;
	for (i = 0; i < 29; i++)
		*p++ = 0x22;
	rc = pkcs11_ecdsa_der(raw, sizeof raw, &der, &derlen);
	ok(rc == OR_OK && derlen == (size_t)(p - want) &&
	    memcmp(der, want, derlen) == 0,
	    "r||s to DER: a high bit gets a 00, leading zeros are dropped");
	OPENSSL_free(der);
	der = NULL;

	/* A zero byte, then a high bit: the zero goes, a new one comes. */
	memset(raw, 0x33, sizeof raw);
	raw[0] = 0x00;
	raw[1] = 0x80;
	raw[32] = 0x7f;
	rc = pkcs11_ecdsa_der(raw, sizeof raw, &der, &derlen);
	ok(rc == OR_OK && derlen == 2 + 2 + 32 + 2 + 32 &&
	    der[3] == 32 && der[4] == 0x00 && der[5] == 0x80 &&
	    der[4 + 32] == 0x02 && der[5 + 32] == 32 && der[6 + 32] == 0x7f,
	    "r = 00 80 ..: INTEGER of 32 bytes starting 00 80; s = 7f ..");
	OPENSSL_free(der);
	der = NULL;

	/* P-384 sized, both high bits: 2 * (2 + 49) = 102 bytes inside,
	 * still a short-form SEQUENCE length. */
	{
		unsigned char big[96];

		memset(big, 0xff, sizeof big);
		rc = pkcs11_ecdsa_der(big, sizeof big, &der, &derlen);
		ok(rc == OR_OK && derlen == 2 + 2 * (2 + 49) &&
		    der[1] == 102, "P-384 r||s with high bits: 104 bytes");
		OPENSSL_free(der);
		der = NULL;
	}
	{
		unsigned char big[132];	/* P-521: a long-form length */

		memset(big, 0x01, sizeof big);
		rc = pkcs11_ecdsa_der(big, sizeof big, &der, &derlen);
		ok(rc == OR_OK && der[1] == 0x81 && der[2] == 2 * (2 + 66),
		    "P-521 sized r||s: SEQUENCE with a long-form length");
		OPENSSL_free(der);
		der = NULL;
	}

	rc = pkcs11_ecdsa_der(raw, 63, &der, &derlen);
	ok(rc == OR_E_CRYPTO && der == NULL, "an odd length is refused");
	rc = pkcs11_ecdsa_der(raw, 0, &der, &derlen);
	ok(rc == OR_E_CRYPTO, "an empty signature is refused");
	memset(raw, 0, 32);
	rc = pkcs11_ecdsa_der(raw, 64, &der, &derlen);
	ok(rc == OR_E_CRYPTO && der == NULL, "a zero r is refused");
	rc = pkcs11_ecdsa_der(raw, 2 * 67, &der, &derlen);
	ok(rc == OR_E_CRYPTO, "halves longer than P-521's are refused");
}

/* OpenSSL's own signatures, taken apart into r||s as a token returns
 * them, come back as the very same DER, and verify. */
static void
test_ecdsa_roundtrip(const char *group, size_t half)
{
	EVP_PKEY *key = NULL;
	EVP_MD_CTX *ctx;
	unsigned char msg[32], sig[160], raw[2 * 66], *der;
	const unsigned char *q;
	const BIGNUM *r, *s;
	size_t siglen, derlen, i;
	ECDSA_SIG *es;
	int same = 0, verified = 0, lead = 0, n = 200;

	key = EVP_EC_gen(group);
	for (i = 0; i < (size_t)n && key != NULL; i++) {
		RAND_bytes(msg, sizeof msg);
		siglen = sizeof sig;
		ctx = EVP_MD_CTX_new();
		if (EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL, key) != 1 ||
		    EVP_DigestSign(ctx, sig, &siglen, msg, sizeof msg) != 1) {
			EVP_MD_CTX_free(ctx);
			break;
		}
		EVP_MD_CTX_free(ctx);
		q = sig;
		es = d2i_ECDSA_SIG(NULL, &q, (long)siglen);
		ECDSA_SIG_get0(es, &r, &s);
		BN_bn2binpad(r, raw, (int)half);
		BN_bn2binpad(s, raw + half, (int)half);
		if (raw[0] == 0 || raw[half] == 0)
			lead++;
		ECDSA_SIG_free(es);
		der = NULL;
		if (pkcs11_ecdsa_der(raw, 2 * half, &der, &derlen) != OR_OK)
			break;
		same += derlen == siglen && memcmp(der, sig, siglen) == 0;
		ctx = EVP_MD_CTX_new();
		verified += EVP_DigestVerifyInit(ctx, NULL, EVP_sha256(), NULL,
		    key) == 1 && EVP_DigestVerify(ctx, der, derlen, msg,
		    sizeof msg) == 1;
		EVP_MD_CTX_free(ctx);
		OPENSSL_free(der);
	}
	ok(same == n && verified == n, "%s: %d OpenSSL signatures as r||s "
	    "convert back to identical, verifying DER (%d had a leading "
	    "zero byte)", group, n, lead);
	EVP_PKEY_free(key);
}

/* ---- CKA_EC_POINT ---- */

static void
test_ec_point(void)
{
	unsigned char v[300], *pt_in = v + 2;
	const unsigned char *pt;
	int rc;

	memset(v, 0x5a, sizeof v);
	v[0] = 0x04;
	v[1] = 65;
	pt_in[0] = 0x04;
	rc = pkcs11_ec_point(v, 67, 65, &pt);
	ok(rc == OR_OK && pt == v + 2, "P-256 point in an OCTET STRING");
	rc = pkcs11_ec_point(v + 2, 65, 65, &pt);
	ok(rc == OR_OK && pt == v + 2, "a bare P-256 point");
	/* A bare point whose X starts with 0x3f reads like an OCTET STRING
	 * of 63 bytes; it is still the bare point. */
	v[2] = 0x04;
	v[3] = 0x3f;
	rc = pkcs11_ec_point(v + 2, 65, 65, &pt);
	ok(rc == OR_OK && pt == v + 2, "a bare point that looks like DER");
	v[0] = 0x04;
	v[1] = 0x81;
	v[2] = 200;
	rc = pkcs11_ec_point(v, 203, 200, &pt);
	ok(rc == OR_OK && pt == v + 3, "long-form OCTET STRING length");
	v[1] = 0x81;
	v[2] = 0x20;	/* long form for a short length: not DER */
	rc = pkcs11_ec_point(v, 35, 32, &pt);
	ok(rc != OR_OK, "a non-minimal length is refused");
	v[0] = 0x04;
	v[1] = 32;
	rc = pkcs11_ec_point(v, 34, 32, &pt);
	ok(rc == OR_OK && pt == v + 2, "Ed25519 key in an OCTET STRING");
	rc = pkcs11_ec_point(v, 40, 32, &pt);
	ok(rc == OR_E_INPUT && pt == NULL, "a wrong length is refused");
	rc = pkcs11_ec_point(v, 66, 65, &pt);
	ok(rc == OR_E_INPUT, "65 bytes wanted, 66 given: refused");
}

/* ---- URIs ---- */

static void
test_uris(void)
{
	static const unsigned char id[] = { 0x01, 0xab, 0x00, 0xff };
	char buf[PKCS11_URI_MAX];
	static const struct {
		const char *uri;
		enum pkcs11_uri_kind kind;
		int want;
		const char *why;
	} cases[] = {
		{ "pkcs11:token=root-ca", PKCS11_URI_TOKEN, OR_OK,
		    "a token label" },
		{ "pkcs11:token=root%20ca;serial=12ab;model=SoftHSM%20v2",
		    PKCS11_URI_TOKEN, OR_OK, "label, serial and model" },
		{ "pkcs11:", PKCS11_URI_TOKEN, OR_OK, "the empty URI" },
		{ "pkcs11:token=root-ca;object=k", PKCS11_URI_TOKEN, OR_E_USAGE,
		    "--token with an object is refused" },
		{ "pkcs11:tokn=root-ca", PKCS11_URI_TOKEN, OR_E_USAGE,
		    "an unknown attribute (a typo) is refused" },
		{ "pkcs11:token=a?pin-value=1234", PKCS11_URI_TOKEN, OR_E_USAGE,
		    "a PIN in the URI is refused" },
		{ "pkcs11:token=a?pin-source=/tmp/pin", PKCS11_URI_TOKEN,
		    OR_E_USAGE, "a pin-source is refused" },
		{ "pkcs11:token=a%2", PKCS11_URI_TOKEN, OR_E_USAGE,
		    "bad percent-encoding is refused" },
		{ "file:/tmp/x", PKCS11_URI_TOKEN, OR_E_USAGE,
		    "another scheme is refused" },
		{ "token=a", PKCS11_URI_TOKEN, OR_E_USAGE,
		    "no scheme is refused" },
		{ "pkcs11:token=a;object=root", PKCS11_URI_KEY, OR_OK,
		    "a key by label" },
		{ "pkcs11:token=a;id=%01%02", PKCS11_URI_KEY, OR_OK,
		    "a key by id" },
		{ "pkcs11:token=a;object=r;type=private", PKCS11_URI_KEY, OR_OK,
		    "type=private" },
		{ "pkcs11:token=a;object=r;type=cert", PKCS11_URI_KEY,
		    OR_E_USAGE, "type=cert is not a key" },
		{ "pkcs11:token=a;object=r;type=public", PKCS11_URI_KEY,
		    OR_E_USAGE, "type=public is not the private key" },
		{ "pkcs11:token=a", PKCS11_URI_KEY, OR_E_USAGE,
		    "a key URI without label or id" },
		{ "pkcs11:object=a;object=b", PKCS11_URI_KEY, OR_E_USAGE,
		    "a repeated attribute" },
	};
	size_t i;
	int rc;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		err_clear();
		rc = pkcs11_uri_check(cases[i].uri, cases[i].kind);
		if (!ok(rc == cases[i].want, "uri: %s (%s)", cases[i].why,
		    cases[i].uri))
			diag("got %d (%s)", rc, err_msg(rc));
	}
	rc = pkcs11_key_uri("root ca", id, sizeof id, "root-2026", buf,
	    sizeof buf);
	is_str(rc == OR_OK ? buf : NULL,
	    "pkcs11:token=root%20ca;id=%01%AB%00%FF;object=root-2026;"
	    "type=private", "the recorded key URI: token, id, object, type");
	ok(pkcs11_uri_check(buf, PKCS11_URI_KEY) == OR_OK,
	    "the recorded key URI parses as a key URI");
	rc = pkcs11_key_uri("a;b=c", id, 1, "x/y z", buf, sizeof buf);
	is_str(rc == OR_OK ? buf : NULL,
	    "pkcs11:token=a%3Bb%3Dc;id=%01;object=x%2Fy%20z;type=private",
	    "labels with ; = / and space are percent-encoded");
	rc = pkcs11_key_uri("t", id, 1, "k", buf, 20);
	ok(rc != OR_OK, "a URI longer than the buffer is an error");
	rc = pkcs11_key_uri("a label of thirty-three bytes!!!!", id, 1, "k",
	    buf, sizeof buf);
	ok(rc != OR_OK, "a token label over 32 bytes is refused");
}

/* ---- the key reference file ---- */

static int
ref_parse_text(const char *text, struct pkcs11_ref *ref)
{
	return pkcs11_ref_parse((const unsigned char *)text, strlen(text), ref);
}

static void
test_ref(void)
{
	struct pkcs11_keyinfo ki;
	struct pkcs11_ref ref;
	char *text = NULL;
	size_t len = 0;
	int rc;

	memset(&ki, 0, sizeof ki);
	snprintf(ki.uri, sizeof ki.uri, "pkcs11:token=root-ca;id=%%01;"
	    "object=root;type=private");
	snprintf(ki.module, sizeof ki.module, "%s", SOFTHSM_MODULE);
	rc = pkcs11_ref_format(&ki, &text, &len);
	ok(rc == OR_OK && strstr(text, "PIN") != NULL &&
	    strstr(text, "uri=pkcs11:token=root-ca;") != NULL,
	    "key reference: comment, uri= line");
	rc = pkcs11_ref_parse((unsigned char *)text, len, &ref);
	ok(rc == OR_OK && strcmp(ref.uri, ki.uri) == 0 &&
	    strcmp(ref.module, SOFTHSM_MODULE) == 0,
	    "key reference: format then parse gives uri and module back");
	free(text);

	ok(ref_parse_text("uri=pkcs11:token=a;object=b", &ref) == OR_OK &&
	    ref.module[0] == '\0', "no module line, no final newline: the "
	    "configured modules");
	ok(ref_parse_text("# c\n\nuri=pkcs11:token=a;object=b\nmodule=\n",
	    &ref) == OR_OK, "comments, blank lines, an empty module");
	ok(ref_parse_text("module=/x.so\n", &ref) == OR_E_CORRUPT,
	    "no uri: refused");
	ok(ref_parse_text("uri=pkcs11:token=a;object=b\nuri=pkcs11:token=a;"
	    "object=c\n", &ref) == OR_E_CORRUPT, "uri twice: refused");
	ok(ref_parse_text("uri=pkcs11:token=a;object=b\nmodule=/a\n"
	    "module=/b\n", &ref) == OR_E_CORRUPT, "module twice: refused");
	ok(ref_parse_text("uri=pkcs11:token=a;object=b\nmodule=lib.so\n",
	    &ref) == OR_E_CORRUPT, "a relative module: refused");
	ok(ref_parse_text("uri=pkcs11:token=a;object=b\npin=1234\n", &ref) ==
	    OR_E_CORRUPT, "an unknown key (pin=): refused");
	ok(ref_parse_text("uri=pkcs11:token=a;object=b?pin-value=1\n", &ref) ==
	    OR_E_CORRUPT, "a PIN inside the uri: refused");
	ok(ref_parse_text("uri=pkcs11:token=a\n", &ref) == OR_E_CORRUPT,
	    "a uri that names no key: refused");
	ok(ref_parse_text("uri=pkcs11:token=a;object=b\r\n", &ref) ==
	    OR_E_CORRUPT, "a control byte (CR): refused");
	ok(ref_parse_text("just text\n", &ref) == OR_E_CORRUPT,
	    "a line without '=': refused");
	ok(pkcs11_ref_parse((const unsigned char *)"uri=pkcs11:token=a;"
	    "object=b\0\n", 29, &ref) == OR_E_CORRUPT, "a NUL byte: refused");
}

/* ---- CK_RV ---- */

static void
test_rv(void)
{
	char buf[32];

	is_str(pkcs11_rv_name(0xa0, buf, sizeof buf), "CKR_PIN_INCORRECT",
	    "0xa0 is CKR_PIN_INCORRECT");
	is_int(pkcs11_rv_code(0xa0), OR_E_AUTH, "a wrong PIN is OR_E_AUTH");
	is_int(pkcs11_rv_code(0xa4), OR_E_AUTH, "CKR_PIN_LOCKED is OR_E_AUTH");
	is_int(pkcs11_rv_code(0x32), OR_E_ENV,
	    "CKR_DEVICE_REMOVED is OR_E_ENV (exit 3)");
	is_int(pkcs11_rv_code(0xe0), OR_E_ENV,
	    "CKR_TOKEN_NOT_PRESENT is OR_E_ENV (exit 3)");
	is_int(pkcs11_rv_code(0x30), OR_E_ENV, "CKR_DEVICE_ERROR is OR_E_ENV");
	is_int(pkcs11_rv_code(0x70), OR_E_INPUT,
	    "CKR_MECHANISM_INVALID is OR_E_INPUT");
	is_str(pkcs11_rv_name(0x80000001UL, buf, sizeof buf), "CKR_0x80000001",
	    "a vendor code is shown in hex");
	is_int(pkcs11_rv_code(0x80000001UL), OR_E_ENV,
	    "a vendor code is OR_E_ENV");
}

/* ---- a SoftHSM2 round trip ---- */

struct tio {
	int asked, warned;
	const char *pin;
};

static void
tio_say(struct interact *io, enum say_level level, const char *text)
{
	struct tio *t = io->ctx;

	if (level == SAY_WARN)
		t->warned++;
}

static int
tio_confirm(struct interact *io, const char *q, bool *yes)
{
	*yes = true;
	return OR_OK;
}

static int
tio_ask_secret(struct interact *io, const char *prompt, bool twice,
    struct secret **out)
{
	struct tio *t = io->ctx;
	struct secret *s;

	t->asked++;
	if ((s = secret_new()) == NULL)
		return OR_E_NOMEM;
	s->len = strlen(t->pin);
	memcpy(s->buf, t->pin, s->len + 1);
	*out = s;
	return OR_OK;
}

static void
tio_progress(struct interact *io, const char *label, double f)
{
}

static bool
verifies(EVP_PKEY *pub, const char *digest, const unsigned char *sig,
    size_t siglen, const unsigned char *msg, size_t len)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	EVP_PKEY_CTX *pctx = NULL;
	bool good;

	good = EVP_DigestVerifyInit_ex(ctx, &pctx, digest, NULL, NULL, pub,
	    NULL) == 1 && (!EVP_PKEY_is_a(pub, "RSA") ||
	    EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) == 1) &&
	    EVP_DigestVerify(ctx, sig, siglen, msg, len) == 1;
	EVP_MD_CTX_free(ctx);
	ERR_clear_error();
	return good;
}

static void
test_softhsm(void)
{
	static const struct {
		enum keytype type;
		const char *md;		/* of the signature; NULL: EdDSA */
		bool digest;		/* signs a digest hashed by the caller */
	} kinds[] = {
		{ KT_EC_P256, "sha256", true },
		{ KT_EC_P384, "sha384", true },
		/* SoftHSM lists CKM_SHA256_RSA_PKCS: offroot hands an RSA
		 * key the whole message, as a TPM's module needs (raw
		 * CKM_RSA_PKCS is a decrypt there), not a digest. */
		{ KT_RSA_3072, "sha256", false },
		{ KT_ED25519, NULL, false },
	};
	struct tio t = { 0, 0, TEST_PIN };
	struct interact io;
	struct keystore *ks = NULL, *ks2 = NULL;
	const struct pkcs11_keyinfo *ki;
	unsigned char msg[1000], *sig = NULL;
	char dir[256], cmd[600], conf[600];
	const char *tmp = getenv("TMPDIR");
	char label[32], uri[PKCS11_URI_MAX];
	size_t siglen = 0, i;
	int rc, st;

	if (access(SOFTHSM_MODULE, R_OK) != 0 ||
	    access("hsm/softhsm-setup", X_OK) != 0 ||
	    system("command -v softhsm2-util >/dev/null") != 0) {
		ok(1, "# SKIP no SoftHSM2 (or not run from the source tree)");
		return;
	}
	snprintf(dir, sizeof dir, "%s/offroot-p11unit.XXXXXX",
	    tmp != NULL && *tmp != '\0' ? tmp : "/tmp");
	if (mkdtemp(dir) == NULL) {
		ok(0, "mkdtemp: %s", strerror(errno));
		return;
	}
	snprintf(cmd, sizeof cmd, "hsm/softhsm-setup %s/hsm unit-token %s "
	    "87654321 >/dev/null", dir, TEST_PIN);
	st = system(cmd);
	if (!ok(st == 0, "softhsm-setup made a token"))
		return;
	snprintf(conf, sizeof conf, "%s/hsm/softhsm2.conf", dir);
	setenv("SOFTHSM2_CONF", conf, 1);

	memset(&io, 0, sizeof io);
	io.say = tio_say;
	io.confirm = tio_confirm;
	io.ask_secret = tio_ask_secret;
	io.progress = tio_progress;
	io.ctx = &t;
	RAND_bytes(msg, sizeof msg);

	for (i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
		snprintf(label, sizeof label, "unit-%s",
		    keytype_name(kinds[i].type));
		rc = pkcs11_generate(SOFTHSM_MODULE, "pkcs11:token=unit-token",
		    label, kinds[i].type, NULL, &io, &ks);
		if (!ok(rc == OR_OK && ks != NULL && ks->type == kinds[i].type,
		    "%s: generated on the token", label)) {
			diag("%s", err_msg(rc));
			continue;
		}
		ki = pkcs11_info(ks);
		ok(ki != NULL && ki->generated && ki->sensitive &&
		    !ki->extractable && ki->never_extractable,
		    "%s: sensitive, never extractable", label);
		snprintf(uri, sizeof uri, "%s", ki->uri);
		rc = keystore_sign(ks, kinds[i].md, msg, sizeof msg, &sig,
		    &siglen);
		ok(rc == OR_OK && verifies(ks->pub, kinds[i].md, sig,
		    siglen, msg, sizeof msg), "%s: signs, OpenSSL verifies",
		    label);
		OPENSSL_free(sig);
		sig = NULL;
		/* A digest hashed by the caller (EC): the same kind of
		 * signature over the message. */
		if (kinds[i].digest) {
			unsigned char md[EVP_MAX_MD_SIZE];
			unsigned int mdlen = 0;

			ok(keystore_can_sign_digest(ks, kinds[i].md),
			    "%s: can sign a digest", label);
			rc = EVP_Digest(msg, sizeof msg, md, &mdlen,
			    EVP_get_digestbyname(kinds[i].md), NULL) == 1 ?
			    keystore_sign_digest(ks, kinds[i].md, md, mdlen,
			    &sig, &siglen) : OR_E_CRYPTO;
			ok(rc == OR_OK && verifies(ks->pub, kinds[i].md,
			    sig, siglen, msg, sizeof msg), "%s: signs a digest, "
			    "OpenSSL verifies it over the message", label);
			OPENSSL_free(sig);
			sig = NULL;
		} else
			ok(!keystore_can_sign_digest(ks, "sha256"),
			    "%s: signs whole messages only", label);
		keystore_close(ks);
		ks = NULL;

		rc = pkcs11_open(SOFTHSM_MODULE, uri, NULL, &io, &ks2);
		ok(rc == OR_OK && ks2->type == kinds[i].type,
		    "%s: opens again by its URI", label);
		if (rc == OR_OK)
			ok(keystore_prove(ks2, ks2->pub) == OR_OK,
			    "%s: the opened key proves itself", label);
		keystore_close(ks2);
		ks2 = NULL;
	}

	rc = pkcs11_generate(SOFTHSM_MODULE, "pkcs11:token=unit-token",
	    "unit-ec-p256", KT_EC_P256, NULL, &io, &ks);
	ok(rc == OR_E_EXISTS && ks == NULL, "a second key with the same label "
	    "is refused");
	rc = pkcs11_generate(SOFTHSM_MODULE, "pkcs11:token=no-such-token",
	    "x", KT_EC_P256, NULL, &io, &ks);
	ok(rc == OR_E_ENV, "a token that is not there is OR_E_ENV");

	t.pin = "0000-wrong";
	rc = pkcs11_open(SOFTHSM_MODULE, uri, NULL, &io, &ks);
	ok(rc == OR_E_AUTH && strstr(err_msg(rc), "CKR_PIN_INCORRECT") != NULL,
	    "a wrong PIN is OR_E_AUTH naming CKR_PIN_INCORRECT");
	diag("%s", err_msg(rc));
	t.pin = TEST_PIN;

	/* discard: root creation failed after the key was made. */
	rc = pkcs11_generate(SOFTHSM_MODULE, "pkcs11:token=unit-token",
	    "unit-discard", KT_EC_P384, NULL, &io, &ks);
	if (rc == OR_OK) {
		snprintf(uri, sizeof uri, "%s", pkcs11_info(ks)->uri);
		ok(pkcs11_discard(ks) == OR_OK, "discard destroys a new key");
		ok(keystore_sign(ks, "sha384", msg, 10, &sig, &siglen) != OR_OK,
		    "a discarded key no longer signs");
		keystore_close(ks);
		ks = NULL;
		rc = pkcs11_open(SOFTHSM_MODULE, uri, NULL, &io, &ks);
		ok(rc == OR_E_INPUT, "the discarded key is gone from the "
		    "token");
		keystore_close(ks);
	} else
		ok(0, "generate for discard: %s", err_msg(rc));

	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	if (system(cmd) != 0)
		diag("could not remove %s", dir);
}

int
main(void)
{
	if (!ok(secret_init() == OR_OK, "secret_init"))
		return 1;
	test_ecdsa_fixed();
	test_ecdsa_roundtrip("P-256", 32);
	test_ecdsa_roundtrip("P-384", 48);
	test_ec_point();
	test_uris();
	test_ref();
	test_rv();
	test_softhsm();
	return done_testing();
}
