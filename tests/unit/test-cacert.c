/*
 * test-cacert.c — the strict import of another CA's certificate
 * (cacert.c), on certificates made here with OpenSSL: a good self-signed
 * CA in PEM and DER is accepted with its subject, path length and a
 * fingerprint equal to the SHA-256 of its DER; one issued by another CA is
 * accepted without a self-signature check; each defect is refused with
 * its code and a reason that names it (the container, the encoding, the
 * version, the CA extensions, the validity at the time given, the key, a
 * broken self-signature).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "cacert.h"
#include "err.h"
#include "util.h"
#include "tap.h"

#define NOW	((time_t)1780272000)	/* 2026-06-01 */
#define DAY	86400

enum { F_NO_KU = 1, F_BC_LAX = 2, F_NOT_CA = 4, F_V1 = 8, F_EMPTY = 16,
    F_LONG_SKI = 32 };

static EVP_PKEY *ec_key, *issuer_key, *rsa_small;

/* A certificate for key, signed by signer (itself when NULL). */
static X509 *
mkcert(EVP_PKEY *key, EVP_PKEY *signer, const char *cn, const char *issuer,
    time_t nb, time_t na, int flags)
{
	X509 *x = X509_new();
	X509_NAME *sn = X509_NAME_new(), *in = X509_NAME_new();
	X509V3_CTX ctx;
	X509_EXTENSION *e;

	if (!(flags & F_EMPTY))
		X509_NAME_add_entry_by_txt(sn, "CN", MBSTRING_UTF8,
		    (const unsigned char *)cn, -1, -1, 0);
	X509_NAME_add_entry_by_txt(in, "CN", MBSTRING_UTF8,
	    (const unsigned char *)(issuer != NULL ? issuer : cn), -1, -1, 0);
	X509_set_version(x, (flags & F_V1) ? X509_VERSION_1 : X509_VERSION_3);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 4711);
	X509_set_subject_name(x, sn);
	X509_set_issuer_name(x, in);
	ASN1_TIME_set(X509_getm_notBefore(x), nb);
	ASN1_TIME_set(X509_getm_notAfter(x), na);
	X509_set_pubkey(x, key);
	X509V3_set_ctx(&ctx, x, x, NULL, NULL, 0);
	if (!(flags & F_V1)) {
		e = X509V3_EXT_conf_nid(NULL, &ctx, NID_basic_constraints,
		    (flags & F_NOT_CA) ? "critical,CA:FALSE" : (flags &
		    F_BC_LAX) ? "CA:TRUE" : "critical,CA:TRUE,pathlen:1");
		X509_add_ext(x, e, -1);
		X509_EXTENSION_free(e);
		if (!(flags & F_NO_KU)) {
			e = X509V3_EXT_conf_nid(NULL, &ctx, NID_key_usage,
			    (flags & F_NOT_CA) ? "critical,digitalSignature" :
			    "critical,keyCertSign,cRLSign");
			X509_add_ext(x, e, -1);
			X509_EXTENSION_free(e);
		}
		e = X509V3_EXT_conf_nid(NULL, &ctx,
		    NID_subject_key_identifier, (flags & F_LONG_SKI) ?
		    "000102030405060708090a0b0c0d0e0f101112131415161718191a1b"
		    "1c1d1e1f202122232425262728292a2b2c2d2e2f3031323334353637"
		    "38393a3b3c3d3e3f40" : "hash");
		X509_add_ext(x, e, -1);
		X509_EXTENSION_free(e);
	}
	X509_sign(x, signer != NULL ? signer : key, EVP_sha256());
	X509_NAME_free(sn);
	X509_NAME_free(in);
	return x;
}

static size_t
der_of(X509 *x, unsigned char *buf, size_t size)
{
	unsigned char *p = NULL;
	int n = i2d_X509(x, &p);

	if (n <= 0 || (size_t)n > size)
		return 0;
	memcpy(buf, p, (size_t)n);
	OPENSSL_free(p);
	return (size_t)n;
}

static size_t
pem_of(X509 *x, unsigned char *buf, size_t size)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *d;
	long n;

	PEM_write_bio_X509(b, x);
	n = BIO_get_mem_data(b, &d);
	if (n <= 0 || (size_t)n > size)
		n = 0;
	else
		memcpy(buf, d, (size_t)n);
	BIO_free(b);
	return (size_t)n;
}

/* The bytes must be refused with code and a message holding reason. */
static void
refused(const char *name, const unsigned char *buf, size_t len, int code,
    const char *reason)
{
	struct cacert_info ci;
	int rc = cacert_parse(buf, len, name, NOW, &ci);

	ok(rc == code && strstr(err_msg(rc), reason) != NULL &&
	    strncmp(err_msg(rc), name, strlen(name)) == 0 && ci.cert == NULL,
	    "%s: refused (%s)", name, rc == OR_OK ? "accepted" : err_msg(rc));
	err_clear();
}

static void
refused_cert(const char *name, X509 *x, int code, const char *reason)
{
	unsigned char buf[8192];
	size_t n = der_of(x, buf, sizeof buf);

	refused(name, buf, n, code, reason);
	X509_free(x);
}

int
main(void)
{
	unsigned char buf[8192], two[16384], md[32];
	struct cacert_info ci;
	size_t n, m;
	X509 *good;
	int rc;

	ec_key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	issuer_key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	rsa_small = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)1024);
	good = mkcert(ec_key, NULL, "Partner Root", NULL, NOW - DAY,
	    NOW + 365 * DAY, 0);

	/* Accepted, PEM and DER, described. */
	n = der_of(good, buf, sizeof buf);
	rc = cacert_parse(buf, n, "good.der", NOW, &ci);
	ok(rc == OR_OK, "a self-signed CA certificate (DER) is accepted");
	if (rc == OR_OK) {
		sha256(buf, n, md);
		ok(memcmp(md, ci.cert_sha256, 32) == 0, "its fingerprint is the "
		    "SHA-256 of its DER");
		is_str(ci.subject, "CN=Partner Root", "its subject");
		ok(ci.self_issued && ci.pathlen == 1, "self-issued, pathlen 1");
		is_str(ci.key_name, "ec-p256", "its key");
		cacert_free(&ci);
	}
	err_clear();
	m = pem_of(good, buf, sizeof buf);
	rc = cacert_parse(buf, m, "good.pem", NOW, &ci);
	ok(rc == OR_OK, "... and in PEM");
	cacert_free(&ci);
	err_clear();
	{
		X509 *x = mkcert(ec_key, issuer_key, "Partner Int",
		    "Someone Else", NOW - DAY, NOW + DAY, 0);

		n = der_of(x, buf, sizeof buf);
		rc = cacert_parse(buf, n, "other-issuer.der", NOW, &ci);
		ok(rc == OR_OK && !ci.self_issued, "a CA certificate issued "
		    "by another CA is accepted, not taken as self-signed");
		cacert_free(&ci);
		X509_free(x);
		err_clear();
	}

	/* The container and the encoding. */
	refused("empty", (const unsigned char *)"", 0, OR_E_INPUT, "empty");
	refused("text", (const unsigned char *)"hello\n", 6, OR_E_INPUT,
	    "neither a PEM nor a DER certificate");
	m = pem_of(good, buf, sizeof buf);
	memcpy(two, buf, m);
	memcpy(two + m, buf, m);
	refused("two.pem", two, 2 * m, OR_E_INPUT, "more than one PEM block "
	    "(give one certificate per file)");
	{
		const char *csr = "-----BEGIN CERTIFICATE REQUEST-----\nAA==\n"
		    "-----END CERTIFICATE REQUEST-----\n";

		refused("csr.pem", (const unsigned char *)csr, strlen(csr),
		    OR_E_INPUT, "not a CERTIFICATE");
	}
	n = der_of(good, buf, sizeof buf);
	memcpy(buf + n, "garbage", 7);
	refused("trailing.der", buf, n + 7, OR_E_INPUT, "trailing data");
	refused("truncated.der", buf, n - 10, OR_E_INPUT, "truncated");
	/* The outer SEQUENCE with an indefinite length (BER). */
	if (buf[1] == 0x82) {
		two[0] = 0x30;
		two[1] = 0x80;
		memcpy(two + 2, buf + 4, n - 4);
		two[n - 2] = 0;
		two[n - 1] = 0;
		refused("indefinite.der", two, n, OR_E_INPUT, "not DER");
	} else
		ok(0, "the test certificate has a two-octet length");
	/* A broken self-signature (the last octet of the signature). */
	buf[n - 1] ^= 1;
	refused("bad-signature.der", buf, n, OR_E_VERIFY, "does not verify");

	/* The content. */
	refused_cert("v1.der", mkcert(ec_key, NULL, "V1", NULL, NOW - DAY,
	    NOW + DAY, F_V1), OR_E_INPUT, "version 3");
	refused_cert("empty-subject.der", mkcert(ec_key, issuer_key, "", "X",
	    NOW - DAY, NOW + DAY, F_EMPTY), OR_E_POLICY, "subject is empty");
	refused_cert("not-ca.der", mkcert(ec_key, NULL, "Leaf", NULL, NOW - DAY,
	    NOW + DAY, F_NOT_CA), OR_E_POLICY, "not a CA certificate");
	refused_cert("lax-bc.der", mkcert(ec_key, NULL, "Lax", NULL, NOW - DAY,
	    NOW + DAY, F_BC_LAX), OR_E_POLICY, "not critical");
	refused_cert("no-ku.der", mkcert(ec_key, NULL, "No KU", NULL, NOW - DAY,
	    NOW + DAY, F_NO_KU), OR_E_POLICY, "keyCertSign");
	refused_cert("long-ski.der", mkcert(ec_key, NULL, "Long SKI", NULL,
	    NOW - DAY, NOW + DAY, F_LONG_SKI), OR_E_POLICY, "65 bytes long");
	refused_cert("rsa-1024.der", mkcert(rsa_small, NULL, "Small", NULL,
	    NOW - DAY, NOW + DAY, 0), OR_E_POLICY, "1024 bits");
	refused_cert("expired.der", mkcert(ec_key, NULL, "Old", NULL,
	    NOW - 30 * DAY, NOW - DAY, 0), OR_E_POLICY, "expired at "
	    "2026-05-31");
	refused_cert("future.der", mkcert(ec_key, NULL, "Early", NULL,
	    NOW + DAY, NOW + 30 * DAY, 0), OR_E_POLICY, "not valid before "
	    "2026-06-02");

	X509_free(good);
	EVP_PKEY_free(ec_key);
	EVP_PKEY_free(issuer_key);
	EVP_PKEY_free(rsa_small);
	return done_testing();
}
