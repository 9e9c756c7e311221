/*
 * issue.c — building, linting and signing certificates (see issue.h).
 */
#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/asn1t.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include "err.h"
#include "issue.h"
#include "names.h"
#include "publish.h"
#include "util.h"

/*
 * The outer shape of every signed X.509 object: SEQUENCE { tbs, algorithm,
 * signature }.  The TBS is carried as an already-encoded SEQUENCE, so the
 * bytes the key store signed are the bytes that are emitted.
 */
typedef struct {
	ASN1_TYPE *tbs;
	X509_ALGOR *alg;
	ASN1_BIT_STRING *sig;
} OFFROOT_SIGNED;

ASN1_SEQUENCE(OFFROOT_SIGNED) = {
	ASN1_SIMPLE(OFFROOT_SIGNED, tbs, ASN1_ANY),
	ASN1_SIMPLE(OFFROOT_SIGNED, alg, X509_ALGOR),
	ASN1_SIMPLE(OFFROOT_SIGNED, sig, ASN1_BIT_STRING),
} ASN1_SEQUENCE_END(OFFROOT_SIGNED)

IMPLEMENT_ASN1_FUNCTIONS(OFFROOT_SIGNED)

int
signed_wrap(const unsigned char *tbs, size_t tbslen, const X509_ALGOR *alg,
    const unsigned char *sig, size_t siglen, unsigned char **der,
    size_t *derlen)
{
	OFFROOT_SIGNED *s = NULL;
	ASN1_STRING *seq = NULL;
	unsigned char *out = NULL;
	int len, rc = OR_E_CRYPTO;

	*der = NULL;
	if ((s = OFFROOT_SIGNED_new()) == NULL ||
	    (seq = ASN1_STRING_type_new(V_ASN1_SEQUENCE)) == NULL ||
	    !ASN1_STRING_set(seq, tbs, (int)tbslen))
		goto fail;
	ASN1_TYPE_set(s->tbs, V_ASN1_SEQUENCE, seq);
	seq = NULL;
	X509_ALGOR_free(s->alg);
	if ((s->alg = X509_ALGOR_dup(alg)) == NULL ||
	    !ASN1_BIT_STRING_set(s->sig, (unsigned char *)sig, (int)siglen))
		goto fail;
	/* No unused bits: the signature is a whole number of octets. */
	s->sig->flags &= ~0x07L;
	s->sig->flags |= ASN1_STRING_FLAG_BITS_LEFT;
	if ((len = i2d_OFFROOT_SIGNED(s, &out)) <= 0)
		goto fail;
	*der = out;
	*derlen = (size_t)len;
	rc = OR_OK;
	goto out;
fail:
	rc = err_openssl(OR_E_CRYPTO, "assembling the signed object");
out:
	ASN1_STRING_free(seq);
	OFFROOT_SIGNED_free(s);
	return rc;
}

int
issue_serial(ASN1_INTEGER **out)
{
	unsigned char raw[20];
	BIGNUM *bn = NULL;
	int rc = OR_OK;

	*out = NULL;
	do {
		if (RAND_priv_bytes(raw, sizeof raw) != 1)
			return err_openssl(OR_E_CRYPTO, "random serial");
		raw[0] &= 0x7f;	/* positive; 159 random bits remain */
		BN_free(bn);
		if ((bn = BN_bin2bn(raw, sizeof raw, NULL)) == NULL)
			return err_openssl(OR_E_CRYPTO, "random serial");
	} while (BN_is_zero(bn));
	if ((*out = BN_to_ASN1_INTEGER(bn, NULL)) == NULL)
		rc = err_openssl(OR_E_CRYPTO, "random serial");
	BN_free(bn);
	OPENSSL_cleanse(raw, sizeof raw);
	return rc;
}

EVP_PKEY *
issue_throwaway_key(enum keytype t)
{
	static EVP_PKEY *cache[KT_ED25519 + 1];

	if (t <= KT_NONE || t > KT_ED25519)
		return NULL;
	if (cache[t] != NULL)
		return cache[t];
	switch (t) {
	case KT_EC_P256:
		cache[t] = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
		break;
	case KT_EC_P384:
		/* ecdsa-with-SHA384 names the digest, not the curve: a P-256
		 * throwaway fills the same algorithm fields, several times
		 * faster. */
		cache[t] = issue_throwaway_key(KT_EC_P256);
		if (cache[t] != NULL)
			EVP_PKEY_up_ref(cache[t]);
		break;
	case KT_RSA_3072:
	case KT_RSA_4096:
		/* The algorithm identifier does not depend on the modulus
		 * size, so a small throwaway key is as good and much faster
		 * to make.  It never signs anything that leaves memory. */
		cache[t] = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)1024);
		break;
	case KT_ED25519:
		cache[t] = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
		break;
	default:
		break;
	}
	return cache[t];
}

/* The throwaway for RSA-PSS: SHA-512 with a 64-byte salt needs more room
 * than a 1024-bit modulus has (RFC 8017 9.1.1: emLen >= hLen + sLen + 2). */
static EVP_PKEY *
issue_throwaway_pss(void)
{
	static EVP_PKEY *pss;

	if (pss == NULL)
		pss = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
	return pss;
}

/* Pre-signs x with the throwaway key, RSASSA-PSS with offroot's parameters
 * (keystore_pss_ctx), so both algorithm fields carry them. */
static int
issue_presign_pss(X509 *x, const char *digest)
{
	EVP_MD_CTX *ctx = NULL;
	EVP_PKEY_CTX *pctx = NULL;
	EVP_PKEY *throwaway;
	int rc = OR_OK;

	if ((throwaway = issue_throwaway_pss()) == NULL)
		return err_openssl(OR_E_CRYPTO, "making a throwaway key");
	if ((ctx = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestSignInit_ex(ctx, &pctx, digest, NULL, NULL, throwaway,
	    NULL) != 1 ||
	    keystore_pss_ctx(pctx, digest) != OR_OK ||
	    X509_sign_ctx(x, ctx) <= 0)
		rc = err_openssl(OR_E_CRYPTO, "pre-signing with a throwaway "
		    "key (RSA-PSS)");
	EVP_MD_CTX_free(ctx);
	return rc;
}

const char *
issue_digest(const struct profile *p, enum keytype t)
{
	if (t == KT_ED25519)
		return NULL;
	if (p != NULL && p->digest[0] != '\0')
		return p->digest;
	return keytype_default_digest(t);
}

/* Sets notBefore/notAfter: N days is notBefore + N*86400 - 1 (inclusive). */
static int
set_validity(X509 *x, time_t nb, time_t na)
{
	if (ASN1_TIME_set(X509_getm_notBefore(x), nb) == NULL ||
	    ASN1_TIME_set(X509_getm_notAfter(x), na) == NULL)
		return err_openssl(OR_E_CRYPTO, "setting validity");
	return OR_OK;
}

time_t
issue_not_before(const struct profile *p, X509 *issuer, time_t now)
{
	time_t nb = now - (time_t)profile_backdate(p, issuer == NULL), inb;

	if (issuer != NULL &&
	    (inb = asn1_unix(X509_get0_notBefore(issuer))) != 0 && nb < inb)
		nb = inb;
	return nb;
}

int
issue_build(const struct issue_request *req, X509 **tbs_out)
{
	const struct profile *p = req->profile;
	ASN1_INTEGER *serial = NULL;
	const EVP_MD *md = NULL;
	const char *digest;
	EVP_PKEY *throwaway;
	X509 *x = NULL;
	time_t nb;
	long days;
	int rc;

	*tbs_out = NULL;
	days = req->days != 0 ? req->days : p->validity_days;
	if (days <= 0 || days > p->validity_days)
		return err_set(OR_E_POLICY, "validity of %ld days is outside "
		    "profile %s (at most %ld)", days, p->name, p->validity_days);
	nb = req->not_before != 0 ? req->not_before :
	    issue_not_before(p, req->issuer, time(NULL));
	digest = issue_digest(p, req->issuer_type);
	if (digest != NULL && (md = EVP_get_digestbyname(digest)) == NULL)
		return err_set(OR_E_INPUT, "unknown digest %s", digest);
	if (p->pss && req->issuer_type != KT_RSA_3072 &&
	    req->issuer_type != KT_RSA_4096)
		return err_set(OR_E_POLICY, "profile %s signs with RSA-PSS "
		    "(signature = pss), but the issuer's key is %s", p->name,
		    keytype_name(req->issuer_type));
	if ((throwaway = issue_throwaway_key(req->issuer_type)) == NULL)
		return err_openssl(OR_E_CRYPTO, "making a throwaway key");

	if ((x = X509_new()) == NULL || !X509_set_version(x, X509_VERSION_3)) {
		rc = err_openssl(OR_E_NOMEM, "new certificate");
		goto out;
	}
	if ((rc = issue_serial(&serial)) != OR_OK)
		goto out;
	if (!X509_set_serialNumber(x, serial) ||
	    !X509_set_subject_name(x, req->subject) ||
	    !X509_set_issuer_name(x, req->issuer != NULL ?
	    X509_get_subject_name(req->issuer) : req->subject) ||
	    !X509_set_pubkey(x, req->subject_key)) {
		rc = err_openssl(OR_E_CRYPTO, "filling the certificate");
		goto out;
	}
	if ((rc = set_validity(x, nb, req->not_after != 0 ? req->not_after :
	    nb + (time_t)days * 86400 - 1)) != OR_OK)
		goto out;
	if ((rc = profile_apply(p, x, req->issuer != NULL ? req->issuer : x))
	    != OR_OK)
		goto out;
	if (req->subject_key_id != NULL &&
	    X509_add1_ext_i2d(x, NID_subject_key_identifier,
	    (void *)req->subject_key_id, 0, X509V3_ADD_REPLACE) != 1) {
		rc = err_openssl(OR_E_CRYPTO, "setting the subject key "
		    "identifier");
		goto out;
	}
	if (req->issuer != NULL && (rc = publish_add(x, req->crl_url,
	    req->ca_issuers_url)) != OR_OK)
		goto out;
	if (p->pss) {
		if ((rc = issue_presign_pss(x, digest)) != OR_OK)
			goto out;
	} else if (X509_sign(x, throwaway, md) <= 0) {
		rc = err_openssl(OR_E_CRYPTO, "pre-signing with a throwaway key");
		goto out;
	}
	*tbs_out = x;
	x = NULL;
	rc = OR_OK;
out:
	ASN1_INTEGER_free(serial);
	X509_free(x);
	return rc;
}

/* "sha384" (kept in name) from the signature algorithm; NULL for Ed25519.
 * *pss: whether it is RSASSA-PSS (only with the parameters lint_pss_digest
 * allows). */
static int
digest_of_alg(const X509_ALGOR *alg, char name[32], const char **digest,
    bool *pss)
{
	const ASN1_OBJECT *obj;
	int md_nid, pk_nid;
	size_t i;

	*pss = false;
	X509_ALGOR_get0(&obj, NULL, NULL, alg);
	if (OBJ_obj2nid(obj) == NID_rsassaPss) {
		if ((*digest = lint_pss_digest(alg)) == NULL)
			return err_set(OR_E_CRYPTO, "RSASSA-PSS parameters "
			    "offroot does not sign with");
		*pss = true;
		return OR_OK;
	}
	if (!OBJ_find_sigid_algs(OBJ_obj2nid(obj), &md_nid, &pk_nid))
		return err_set(OR_E_CRYPTO, "unknown signature algorithm");
	if (md_nid == NID_undef) {
		*digest = NULL;
		return OR_OK;
	}
	snprintf(name, 32, "%s", OBJ_nid2sn(md_nid));
	for (i = 0; name[i] != '\0'; i++)
		name[i] = (char)tolower((unsigned char)name[i]);
	*digest = name;
	return OR_OK;
}

int
issue_sign(X509 *tbs, struct keystore *ks, EVP_PKEY *verify_key, X509 **out)
{
	const ASN1_BIT_STRING *sig0;
	const X509_ALGOR *alg;
	const unsigned char *p;
	unsigned char *tbsder = NULL, *sig = NULL, *der = NULL, *der2 = NULL;
	const char *digest;
	char digest_name[32];
	size_t siglen = 0, derlen = 0;
	int tbslen, len2, rc;
	X509 *x = NULL;
	bool pss;

	*out = NULL;
	X509_get0_signature(&sig0, &alg, tbs);
	if ((rc = digest_of_alg(alg, digest_name, &digest, &pss)) != OR_OK)
		return rc;
	if ((tbslen = i2d_re_X509_tbs(tbs, &tbsder)) <= 0)
		return err_openssl(OR_E_CRYPTO, "encoding the certificate");
	if ((rc = (pss ? keystore_sign_pss : keystore_sign)(ks, digest, tbsder,
	    (size_t)tbslen, &sig, &siglen)) != OR_OK)
		goto out;
	if ((rc = signed_wrap(tbsder, (size_t)tbslen, alg, sig, siglen, &der,
	    &derlen)) != OR_OK)
		goto out;
	p = der;
	if ((x = d2i_X509(NULL, &p, (long)derlen)) == NULL ||
	    p != der + derlen) {
		rc = err_openssl(OR_E_CRYPTO, "re-parsing the signed "
		    "certificate");
		goto out;
	}
	/* The certificate must encode to exactly what was assembled. */
	if ((len2 = i2d_X509(x, &der2)) <= 0 || (size_t)len2 != derlen ||
	    memcmp(der, der2, derlen) != 0) {
		rc = err_set(OR_E_CRYPTO, "the signed certificate does not "
		    "re-encode identically");
		goto out;
	}
	/* keystore_sign verified the signature over exactly these TBS bytes
	 * with the store's public key; the certificate carries those bytes
	 * (it re-encodes identically), so it remains to check that the store's
	 * key is the issuer's. */
	if (EVP_PKEY_eq(ks->pub, verify_key) != 1) {
		rc = err_set(OR_E_VERIFY, "the key store's key is not the "
		    "issuer's");
		goto out;
	}
	*out = x;
	x = NULL;
	rc = OR_OK;
out:
	X509_free(x);
	OPENSSL_free(tbsder);
	OPENSSL_free(sig);
	OPENSSL_free(der);
	OPENSSL_free(der2);
	return rc;
}

int
issue_lint(X509 *tbs, X509 *issuer, const struct profile *p,
    struct lint_report *report)
{
	struct names_policy policy = { .repeatable = p->repeatable_set ?
	    p->repeatable : NULL };
	size_t i;
	int rc;

	if ((rc = lint_cert_policy(tbs, issuer, p->family, &policy,
	    report)) != OR_OK)
		return rc;
	for (i = 0; i < report->n; i++)
		if (report->f[i].level == LINT_ERROR)
			return err_set(OR_E_POLICY, "lint (%s): %s: %s",
			    profile_family_name(p->family), report->f[i].code,
			    report->f[i].text);
	return OR_OK;
}
