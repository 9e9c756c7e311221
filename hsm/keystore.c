/*
 * keystore.c — what every key store shares: key-type and KDF-level names,
 * signature dispatch, and the proof that a store holds a given key.
 */
#include <pthread.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/objects.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <sodium.h>

#include "err.h"
#include "keystore.h"

/* Serialises signing for back ends that are not concurrent (a PKCS#11
 * session is one thread's at a time). */
static pthread_mutex_t keystore_mu = PTHREAD_MUTEX_INITIALIZER;

static const struct {
	enum keytype type;
	const char *name;
	const char *digest;
} keystore_types[] = {
	{ KT_EC_P256, "ec-p256", "sha256" },
	{ KT_EC_P384, "ec-p384", "sha384" },
	{ KT_RSA_3072, "rsa-3072", "sha384" },
	{ KT_RSA_4096, "rsa-4096", "sha384" },
	{ KT_ED25519, "ed25519", NULL },
};
#define KEYSTORE_NTYPES	(sizeof keystore_types / sizeof keystore_types[0])

static const char *const keystore_levels[] = {
	NULL, "interactive", "moderate", "sensitive",
};

const char *
keytype_name(enum keytype t)
{
	size_t i;

	for (i = 0; i < KEYSTORE_NTYPES; i++)
		if (keystore_types[i].type == t)
			return keystore_types[i].name;
	return "unknown";
}

int
keytype_parse(const char *name, enum keytype *out)
{
	size_t i;

	*out = KT_NONE;
	for (i = 0; name != NULL && i < KEYSTORE_NTYPES; i++)
		if (strcmp(name, keystore_types[i].name) == 0) {
			*out = keystore_types[i].type;
			return OR_OK;
		}
	return err_set(OR_E_USAGE, "unknown key type '%s' (ec-p256, ec-p384, "
	    "rsa-3072, rsa-4096, ed25519)", name != NULL ? name : "");
}

enum keytype
keytype_of(EVP_PKEY *pkey)
{
	char group[64];
	size_t len = 0;
	int nid;

	if (pkey == NULL)
		return KT_NONE;
	if (EVP_PKEY_is_a(pkey, "ED25519"))
		return KT_ED25519;
	if (EVP_PKEY_is_a(pkey, "RSA")) {	/* not RSA-PSS-only keys */
		switch (EVP_PKEY_get_bits(pkey)) {
		case 3072:
			return KT_RSA_3072;
		case 4096:
			return KT_RSA_4096;
		default:
			return KT_NONE;
		}
	}
	if (EVP_PKEY_is_a(pkey, "EC")) {
		/* Named curves only: explicit parameters have no group name. */
		if (EVP_PKEY_get_utf8_string_param(pkey,
		    OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group,
		    &len) != 1) {
			ERR_clear_error();
			return KT_NONE;
		}
		if ((nid = OBJ_sn2nid(group)) == NID_undef)
			nid = EC_curve_nist2nid(group);
		if (nid == NID_X9_62_prime256v1)
			return KT_EC_P256;
		if (nid == NID_secp384r1)
			return KT_EC_P384;
	}
	return KT_NONE;
}

const char *
keytype_default_digest(enum keytype t)
{
	size_t i;

	for (i = 0; i < KEYSTORE_NTYPES; i++)
		if (keystore_types[i].type == t)
			return keystore_types[i].digest;
	return NULL;
}

const char *
kdf_level_name(enum kdf_level l)
{
	if (l >= KDF_INTERACTIVE && l <= KDF_SENSITIVE)
		return keystore_levels[l];
	return "unknown";
}

int
kdf_level_parse(const char *name, enum kdf_level *out)
{
	int l;

	for (l = KDF_INTERACTIVE; name != NULL && l <= KDF_SENSITIVE; l++)
		if (strcmp(name, keystore_levels[l]) == 0) {
			*out = (enum kdf_level)l;
			return OR_OK;
		}
	return err_set(OR_E_USAGE, "unknown KDF level '%s' (interactive, "
	    "moderate, sensitive)", name != NULL ? name : "");
}

/* The digests a signature may use; Ed25519 takes none (it hashes itself). */
static int
keystore_check_digest(enum keytype type, const char *digest)
{
	if (type == KT_ED25519) {
		if (digest != NULL)
			return err_set(OR_E_INPUT, "ed25519 signs without a "
			    "separate digest (got %s)", digest);
		return OR_OK;
	}
	if (digest == NULL)
		return err_set(OR_E_INPUT, "%s needs a digest",
		    keytype_name(type));
	if (strcmp(digest, "sha256") != 0 && strcmp(digest, "sha384") != 0 &&
	    strcmp(digest, "sha512") != 0)
		return err_set(OR_E_INPUT, "digest %s is not one offroot signs "
		    "with (sha256, sha384, sha512)", digest);
	return OR_OK;
}

int
keystore_sign(struct keystore *ks, const char *digest,
    const unsigned char *msg, size_t len, unsigned char **sig, size_t *siglen)
{
	int rc;

	*sig = NULL;
	*siglen = 0;
	if (ks == NULL || ks->ops == NULL || ks->ops->sign == NULL)
		return err_set(OR_E_INPUT, "no key store to sign with");
	if ((rc = keystore_check_digest(ks->type, digest)) != OR_OK)
		return rc;
	if (ks->ops->concurrent)
		return ks->ops->sign(ks, digest, msg, len, sig, siglen);
	pthread_mutex_lock(&keystore_mu);
	rc = ks->ops->sign(ks, digest, msg, len, sig, siglen);
	pthread_mutex_unlock(&keystore_mu);
	return rc;
}

bool
keystore_can_sign_digest(const struct keystore *ks, const char *digest)
{
	return ks != NULL && ks->ops != NULL && ks->type != KT_ED25519 &&
	    digest != NULL && ks->ops->sign_digest != NULL &&
	    ks->ops->can_sign_digest != NULL &&
	    keystore_check_digest(ks->type, digest) == OR_OK &&
	    ks->ops->can_sign_digest(ks, digest);
}

int
keystore_sign_digest(struct keystore *ks, const char *digest,
    const unsigned char *md, size_t mdlen, unsigned char **sig,
    size_t *siglen)
{
	const EVP_MD *alg;
	int rc;

	*sig = NULL;
	*siglen = 0;
	if (!keystore_can_sign_digest(ks, digest))
		return err_set(OR_E_INPUT, "this key store cannot sign a "
		    "digest with %s", digest != NULL ? digest : "(none)");
	if ((alg = EVP_get_digestbyname(digest)) == NULL ||
	    (size_t)EVP_MD_get_size(alg) != mdlen)
		return err_set(OR_E_INPUT, "a %s digest is %d bytes, not %zu",
		    digest, alg != NULL ? EVP_MD_get_size(alg) : 0, mdlen);
	if (ks->ops->concurrent)
		return ks->ops->sign_digest(ks, digest, md, mdlen, sig, siglen);
	pthread_mutex_lock(&keystore_mu);
	rc = ks->ops->sign_digest(ks, digest, md, mdlen, sig, siglen);
	pthread_mutex_unlock(&keystore_mu);
	return rc;
}

int
keystore_verify_digest(EVP_PKEY *pub, const char *digest,
    const unsigned char *md, size_t mdlen, const unsigned char *sig,
    size_t siglen)
{
	EVP_PKEY_CTX *pctx;
	const EVP_MD *alg;
	int ok = 0;

	if ((alg = EVP_get_digestbyname(digest)) == NULL ||
	    (pctx = EVP_PKEY_CTX_new(pub, NULL)) == NULL)
		return 0;
	if (EVP_PKEY_verify_init(pctx) == 1 &&
	    EVP_PKEY_CTX_set_signature_md(pctx, alg) == 1 &&
	    (!EVP_PKEY_is_a(pub, "RSA") ||
	    EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) == 1))
		ok = EVP_PKEY_verify(pctx, sig, siglen, md, mdlen) == 1;
	EVP_PKEY_CTX_free(pctx);
	ERR_clear_error();
	return ok;
}

int
keystore_sign_pss(struct keystore *ks, const char *digest,
    const unsigned char *msg, size_t len, unsigned char **sig, size_t *siglen)
{
	int rc;

	*sig = NULL;
	*siglen = 0;
	if (ks == NULL || ks->ops == NULL)
		return err_set(OR_E_INPUT, "no key store to sign with");
	if (ks->type != KT_RSA_3072 && ks->type != KT_RSA_4096)
		return err_set(OR_E_INPUT, "RSA-PSS needs an RSA key (this is "
		    "a %s key)", keytype_name(ks->type));
	if (ks->ops->sign_pss == NULL)
		return err_set(OR_E_INPUT, "the %s key store cannot make RSA-PSS "
		    "signatures", ks->ops->name);
	if ((rc = keystore_check_digest(ks->type, digest)) != OR_OK)
		return rc;
	if (ks->ops->concurrent)
		return ks->ops->sign_pss(ks, digest, msg, len, sig, siglen);
	pthread_mutex_lock(&keystore_mu);
	rc = ks->ops->sign_pss(ks, digest, msg, len, sig, siglen);
	pthread_mutex_unlock(&keystore_mu);
	return rc;
}

int
keystore_pss_ctx(EVP_PKEY_CTX *pctx, const char *digest)
{
	const EVP_MD *md;

	if (digest == NULL || (md = EVP_get_digestbyname(digest)) == NULL ||
	    EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
	    EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST)
	    != 1 || EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, md) != 1)
		return err_openssl(OR_E_CRYPTO, "setting RSA-PSS parameters "
		    "for %s", digest != NULL ? digest : "(none)");
	return OR_OK;
}

void
keystore_close(struct keystore *ks)
{
	if (ks != NULL && ks->ops != NULL && ks->ops->close != NULL)
		ks->ops->close(ks);
}

int
keystore_prove(struct keystore *ks, EVP_PKEY *pub)
{
	unsigned char challenge[32], *sig = NULL;
	const char *digest;
	EVP_MD_CTX *ctx = NULL;
	size_t siglen = 0;
	int rc;

	if (ks == NULL || pub == NULL)
		return err_set(OR_E_INPUT, "nothing to prove");
	if (keytype_of(pub) != ks->type) {
		rc = err_set(OR_E_VERIFY, "the key does not match the root "
		    "certificate (a %s key, the certificate has %s)",
		    keytype_name(ks->type), keytype_name(keytype_of(pub)));
		goto out;
	}
	if (RAND_bytes(challenge, sizeof challenge) != 1) {
		rc = err_openssl(OR_E_CRYPTO, "random challenge");
		goto out;
	}
	digest = keytype_default_digest(ks->type);
	if ((rc = keystore_sign(ks, digest, challenge, sizeof challenge, &sig,
	    &siglen)) != OR_OK)
		goto out;
	if ((ctx = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestVerifyInit_ex(ctx, NULL, digest, NULL, NULL, pub,
	    NULL) != 1) {
		rc = err_openssl(OR_E_CRYPTO, "preparing to verify");
		goto out;
	}
	if (EVP_DigestVerify(ctx, sig, siglen, challenge,
	    sizeof challenge) != 1) {
		ERR_clear_error();
		rc = err_set(OR_E_VERIFY, "the key does not match the root "
		    "certificate");
		goto out;
	}
	rc = OR_OK;
out:
	EVP_MD_CTX_free(ctx);
	OPENSSL_free(sig);
	return rc;
}

void
kdf_preset(enum kdf_level l, uint64_t *ops, uint64_t *mem)
{
	switch (l) {
	case KDF_INTERACTIVE:
		*ops = crypto_pwhash_argon2id_OPSLIMIT_INTERACTIVE;
		*mem = crypto_pwhash_argon2id_MEMLIMIT_INTERACTIVE;
		break;
	case KDF_MODERATE:
		*ops = crypto_pwhash_argon2id_OPSLIMIT_MODERATE;
		*mem = crypto_pwhash_argon2id_MEMLIMIT_MODERATE;
		break;
	default:
		*ops = crypto_pwhash_argon2id_OPSLIMIT_SENSITIVE;
		*mem = crypto_pwhash_argon2id_MEMLIMIT_SENSITIVE;
		break;
	}
}
