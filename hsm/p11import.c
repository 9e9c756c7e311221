/*
 * p11import.c — a sealed root key moved into a PKCS#11 token
 * (p11import.h): the engine of offroot migrate's one irreversible step on
 * the token.  The session, login and the reading back of what the token
 * made are pkcs11.c's (pkcs11_session_*); this file builds the objects.
 *
 * Order: the label must be free on the token; then the private half, by
 * C_UnwrapKey under a one-time AES key when the token lists a padded AES
 * key-wrap mechanism that unwraps, else by C_CreateObject; then the
 * public half beside it; then pkcs11_session_adopt reads both back and
 * signs once.  The private numbers live in one sodium_malloc arena (or
 * the PKCS#8 DER that sealed.c encodes into one), wiped by sodium_free.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/rand.h>

#include "err.h"
#include "interact.h"
#include "keystore.h"
#include "p11import.h"
#include "pkcs11.h"
#include "util.h"

/* Last: p11-kit's pkcs11.h renames identifiers (see pkcs11.c). */
#include <p11-kit/p11-kit.h>

#ifndef CKM_AES_KEY_WRAP_KWP
#define CKM_AES_KEY_WRAP_KWP	0x210bUL	/* PKCS#11 2.40 */
#endif

#define P11I_ID_LEN	16
#define P11I_ARENA	4096	/* an RSA-4096 key's numbers fit twice */
#define P11I_NATTR	24

/* A template under construction, pointing into the arena and itself. */
struct p11i_tmpl {
	CK_ATTRIBUTE a[P11I_NATTR];
	CK_ULONG n;
	CK_OBJECT_CLASS cls;
	CK_KEY_TYPE kt;
	CK_BBOOL yes, no;
	unsigned char ecp[16], point[2 + 133];
	size_t ecplen;
};

struct p11i {
	struct pkcs11_session_view v;
	CK_FUNCTION_LIST *fn;
	unsigned char id[P11I_ID_LEN];
	const char *label;
	enum keytype type;
	EVP_PKEY *key;			/* sealed's, borrowed */
	unsigned char *arena;		/* sodium_malloc, P11I_ARENA */
	size_t used;
};

static int __attribute__((format(printf, 2, 3)))
p11i_rv(CK_RV rv, const char *fmt, ...)
{
	char what[512], nbuf[32];
	const char *reason = p11_kit_strerror(rv);
	va_list ap;
	int code;

	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	if ((code = pkcs11_rv_code(rv)) == OR_OK)
		code = OR_E_ENV;
	return err_set(code, "%s: %s (%s)", what, reason != NULL ? reason :
	    "unknown error", pkcs11_rv_name(rv, nbuf, sizeof nbuf));
}

static void
p11i_add(struct p11i_tmpl *t, CK_ATTRIBUTE_TYPE type, const void *p,
    size_t len)
{
	if (t->n == P11I_NATTR)
		return;		/* never: the templates are fixed */
	t->a[t->n].type = type;
	t->a[t->n].pValue = (void *)p;
	t->a[t->n].ulValueLen = (CK_ULONG)len;
	t->n++;
}

/* The DER OID of the key's curve, as CKA_EC_PARAMS holds it. */
static int
p11i_ec_params(const struct p11i *c, struct p11i_tmpl *t)
{
	static const unsigned char ed25519[] = { 0x06, 0x03, 0x2b, 0x65, 0x70 };
	ASN1_OBJECT *o;
	unsigned char *p = t->ecp;
	int n;

	if (c->type == KT_ED25519) {
		memcpy(t->ecp, ed25519, sizeof ed25519);
		t->ecplen = sizeof ed25519;
		return OR_OK;
	}
	o = OBJ_nid2obj(c->type == KT_EC_P256 ? NID_X9_62_prime256v1 :
	    NID_secp384r1);
	if (o == NULL || (n = i2d_ASN1_OBJECT(o, NULL)) <= 0 ||
	    (size_t)n > sizeof t->ecp || i2d_ASN1_OBJECT(o, &p) != n)
		return err_openssl(OR_E_CRYPTO, "the curve's OID");
	t->ecplen = (size_t)n;
	return OR_OK;
}

/* One number of the key into the arena, big-endian, padded to pad bytes
 * (0: its own length); added to t as type. */
static int
p11i_num(struct p11i *c, struct p11i_tmpl *t, CK_ATTRIBUTE_TYPE type,
    const char *param, size_t pad)
{
	BIGNUM *bn = NULL;
	size_t len;
	int rc = OR_OK;

	if (EVP_PKEY_get_bn_param(c->key, param, &bn) != 1)
		return err_openssl(OR_E_CRYPTO, "the key's %s", param);
	len = pad != 0 ? pad : (size_t)BN_num_bytes(bn);
	if (len == 0 || len > P11I_ARENA - c->used ||
	    BN_bn2binpad(bn, c->arena + c->used, (int)len) != (int)len)
		rc = err_set(OR_E_CRYPTO, "the key's %s does not fit", param);
	else {
		p11i_add(t, type, c->arena + c->used, len);
		c->used += len;
	}
	BN_clear_free(bn);
	return rc;
}

/* What both halves share, and what the private half may do: sign, and
 * nothing else; private, sensitive, never to be extracted. */
static void
p11i_common(struct p11i *c, struct p11i_tmpl *t, bool priv)
{
	memset(t, 0, sizeof *t);
	t->yes = CK_TRUE;
	t->no = CK_FALSE;
	t->cls = priv ? CKO_PRIVATE_KEY : CKO_PUBLIC_KEY;
	t->kt = c->type == KT_ED25519 ? CKK_EC_EDWARDS :
	    (c->type == KT_RSA_3072 || c->type == KT_RSA_4096) ? CKK_RSA :
	    CKK_EC;
	p11i_add(t, CKA_CLASS, &t->cls, sizeof t->cls);
	p11i_add(t, CKA_KEY_TYPE, &t->kt, sizeof t->kt);
	p11i_add(t, CKA_TOKEN, &t->yes, sizeof t->yes);
	p11i_add(t, CKA_ID, c->id, sizeof c->id);
	p11i_add(t, CKA_LABEL, c->label, strlen(c->label));
	if (!priv) {
		p11i_add(t, CKA_PRIVATE, &t->no, sizeof t->no);
		return;
	}
	p11i_add(t, CKA_PRIVATE, &t->yes, sizeof t->yes);
	p11i_add(t, CKA_SENSITIVE, &t->yes, sizeof t->yes);
	p11i_add(t, CKA_EXTRACTABLE, &t->no, sizeof t->no);
	p11i_add(t, CKA_SIGN, &t->yes, sizeof t->yes);
	p11i_add(t, CKA_DECRYPT, &t->no, sizeof t->no);
	p11i_add(t, CKA_UNWRAP, &t->no, sizeof t->no);
	p11i_add(t, CKA_DERIVE, &t->no, sizeof t->no);
}

/* The private half by C_CreateObject: the key's numbers in the arena. */
static CK_RV
p11i_create_priv(struct p11i *c, CK_OBJECT_HANDLE *h, int *rc)
{
	struct p11i_tmpl t;
	size_t len;

	p11i_common(c, &t, true);
	if (c->type == KT_RSA_3072 || c->type == KT_RSA_4096) {
		static const struct {
			CK_ATTRIBUTE_TYPE type;
			const char *param;
		} rsa[] = {
			{ CKA_MODULUS, OSSL_PKEY_PARAM_RSA_N },
			{ CKA_PUBLIC_EXPONENT, OSSL_PKEY_PARAM_RSA_E },
			{ CKA_PRIVATE_EXPONENT, OSSL_PKEY_PARAM_RSA_D },
			{ CKA_PRIME_1, OSSL_PKEY_PARAM_RSA_FACTOR1 },
			{ CKA_PRIME_2, OSSL_PKEY_PARAM_RSA_FACTOR2 },
			{ CKA_EXPONENT_1, OSSL_PKEY_PARAM_RSA_EXPONENT1 },
			{ CKA_EXPONENT_2, OSSL_PKEY_PARAM_RSA_EXPONENT2 },
			{ CKA_COEFFICIENT, OSSL_PKEY_PARAM_RSA_COEFFICIENT1 },
		};
		size_t i;

		for (i = 0; i < sizeof rsa / sizeof rsa[0]; i++)
			if ((*rc = p11i_num(c, &t, rsa[i].type, rsa[i].param,
			    0)) != OR_OK)
				return CKR_OK;
	} else {
		if ((*rc = p11i_ec_params(c, &t)) != OR_OK)
			return CKR_OK;
		p11i_add(&t, CKA_EC_PARAMS, t.ecp, t.ecplen);
		if (c->type == KT_ED25519) {
			len = 32;
			if (P11I_ARENA - c->used < len ||
			    EVP_PKEY_get_raw_private_key(c->key,
			    c->arena + c->used, &len) != 1 || len != 32) {
				*rc = err_openssl(OR_E_CRYPTO, "the Ed25519 key");
				return CKR_OK;
			}
			p11i_add(&t, CKA_VALUE, c->arena + c->used, len);
			c->used += len;
		} else if ((*rc = p11i_num(c, &t, CKA_VALUE,
		    OSSL_PKEY_PARAM_PRIV_KEY, c->type == KT_EC_P256 ? 32 :
		    48)) != OR_OK)
			return CKR_OK;
	}
	*rc = OR_OK;
	return c->fn->C_CreateObject(c->v.session, t.a, t.n, h);
}

/* The padded AES key-wrap mechanism the token unwraps with, or 0. */
static CK_MECHANISM_TYPE
p11i_unwrap_mech(const struct p11i *c, const char **name)
{
	static const struct {
		CK_MECHANISM_TYPE m;
		const char *name;
	} mechs[] = {
		{ CKM_AES_KEY_WRAP_KWP, "CKM_AES_KEY_WRAP_KWP" },
		{ CKM_AES_KEY_WRAP_PAD, "CKM_AES_KEY_WRAP_PAD" },
	};
	CK_MECHANISM_INFO mi, gen;
	size_t i;

	if (c->fn->C_GetMechanismInfo(c->v.slot, CKM_AES_KEY_GEN, &gen) !=
	    CKR_OK)
		return 0;	/* no AES keys on this token at all */
	for (i = 0; i < sizeof mechs / sizeof mechs[0]; i++)
		if (c->fn->C_GetMechanismInfo(c->v.slot, mechs[i].m, &mi) ==
		    CKR_OK && (mi.flags & CKF_UNWRAP) &&
		    (mi.ulMaxKeySize == 0 || mi.ulMaxKeySize >= 32)) {
			*name = mechs[i].name;
			return mechs[i].m;
		}
	return 0;
}

/* RFC 5649 key wrap with padding of in under the 32-byte kek, into out
 * (in + 15 bytes at most). */
static int
p11i_wrap(const unsigned char *kek, const unsigned char *in, size_t inlen,
    unsigned char *out, size_t *outlen)
{
	EVP_CIPHER_CTX *ctx;
	int n = 0, m = 0, rc = OR_OK;

	if ((ctx = EVP_CIPHER_CTX_new()) == NULL)
		return err_openssl(OR_E_NOMEM, "AES key wrap");
	EVP_CIPHER_CTX_set_flags(ctx, EVP_CIPHER_CTX_FLAG_WRAP_ALLOW);
	if (EVP_EncryptInit_ex(ctx, EVP_aes_256_wrap_pad(), NULL, kek,
	    NULL) != 1 || EVP_EncryptUpdate(ctx, out, &n, in,
	    (int)inlen) != 1 || EVP_EncryptFinal_ex(ctx, out + n, &m) != 1)
		rc = err_openssl(OR_E_CRYPTO, "AES key wrap");
	*outlen = (size_t)n + (size_t)m;
	EVP_CIPHER_CTX_free(ctx);
	return rc;
}

/* The private half by C_UnwrapKey: PKCS#8 wrapped here under a one-time
 * AES key that the token holds as a session object for this call only. */
static CK_RV
p11i_unwrap_priv(struct p11i *c, const struct keystore *sealed,
    CK_MECHANISM_TYPE mech, CK_OBJECT_HANDLE *h, int *rc)
{
	CK_OBJECT_CLASS kcls = CKO_SECRET_KEY;
	CK_KEY_TYPE kkt = CKK_AES;
	CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
	CK_OBJECT_HANDLE kh = CK_INVALID_HANDLE;
	CK_MECHANISM m = { mech, NULL, 0 };
	struct p11i_tmpl t;
	unsigned char *der = NULL, *kek = c->arena, *wrapped;
	size_t derlen = 0, wlen = 0;
	CK_RV rv = CKR_OK;
	CK_ATTRIBUTE kt[] = {
		{ CKA_CLASS, &kcls, sizeof kcls },
		{ CKA_KEY_TYPE, &kkt, sizeof kkt },
		{ CKA_TOKEN, &no, sizeof no },
		{ CKA_PRIVATE, &yes, sizeof yes },
		{ CKA_SENSITIVE, &yes, sizeof yes },
		{ CKA_EXTRACTABLE, &no, sizeof no },
		{ CKA_UNWRAP, &yes, sizeof yes },
		{ CKA_VALUE, kek, 32 },
	};

	c->used = 32;
	wrapped = c->arena + c->used;
	if ((*rc = sealed_export_pkcs8(sealed, &der, &derlen)) != OR_OK)
		return CKR_OK;
	if (derlen + 16 > P11I_ARENA - c->used) {
		*rc = err_set(OR_E_CRYPTO, "the private key is too large to "
		    "wrap");
		goto out;
	}
	randombytes_buf(kek, 32);
	if ((*rc = p11i_wrap(kek, der, derlen, wrapped, &wlen)) != OR_OK)
		goto out;
	if ((rv = c->fn->C_CreateObject(c->v.session, kt,
	    sizeof kt / sizeof kt[0], &kh)) != CKR_OK)
		goto out;
	p11i_common(c, &t, true);
	rv = c->fn->C_UnwrapKey(c->v.session, &m, kh, wrapped, (CK_ULONG)wlen,
	    t.a, t.n, h);
	(void)c->fn->C_DestroyObject(c->v.session, kh);
out:
	sodium_memzero(c->arena, c->used + wlen);
	c->used = 0;
	if (der != NULL)
		sodium_free(der);
	return rv;
}

/* The public half beside it, with the same id and label. */
static int
p11i_create_pub(struct p11i *c, CK_OBJECT_HANDLE *h)
{
	struct p11i_tmpl t;
	unsigned char pt[133];
	size_t len = 0;
	CK_RV rv;
	int rc;

	p11i_common(c, &t, false);
	if (c->type == KT_RSA_3072 || c->type == KT_RSA_4096) {
		if ((rc = p11i_num(c, &t, CKA_MODULUS, OSSL_PKEY_PARAM_RSA_N,
		    0)) != OR_OK || (rc = p11i_num(c, &t, CKA_PUBLIC_EXPONENT,
		    OSSL_PKEY_PARAM_RSA_E, 0)) != OR_OK)
			return rc;
	} else {
		if ((rc = p11i_ec_params(c, &t)) != OR_OK)
			return rc;
		len = sizeof pt;
		if ((c->type == KT_ED25519 ? EVP_PKEY_get_raw_public_key(c->key,
		    pt, &len) : EVP_PKEY_get_octet_string_param(c->key,
		    OSSL_PKEY_PARAM_PUB_KEY, pt, sizeof pt, &len)) != 1 ||
		    len == 0 || len > 127)
			return err_openssl(OR_E_CRYPTO, "the public key");
		/* CKA_EC_POINT: the point in a DER OCTET STRING. */
		t.point[0] = 0x04;
		t.point[1] = (unsigned char)len;
		memcpy(t.point + 2, pt, len);
		p11i_add(&t, CKA_EC_PARAMS, t.ecp, t.ecplen);
		p11i_add(&t, CKA_EC_POINT, t.point, len + 2);
	}
	if ((rv = c->fn->C_CreateObject(c->v.session, t.a, t.n, h)) != CKR_OK)
		return p11i_rv(rv, "token \"%s\": creating the public-key "
		    "object", c->v.label);
	return OR_OK;
}

/* Refuses an object with this label, or with the new random id. */
static int
p11i_free_label(struct p11i *c)
{
	CK_ATTRIBUTE tl = { CKA_LABEL, (void *)c->label, strlen(c->label) };
	CK_ATTRIBUTE ti = { CKA_ID, c->id, sizeof c->id };
	CK_OBJECT_HANDLE o;
	CK_ULONG n = 0;
	CK_ATTRIBUTE *which[2] = { &tl, &ti };
	CK_RV rv;
	int i;

	for (i = 0; i < 2; i++) {
		if ((rv = c->fn->C_FindObjectsInit(c->v.session, which[i],
		    1)) != CKR_OK)
			return p11i_rv(rv, "token \"%s\": looking for objects",
			    c->v.label);
		rv = c->fn->C_FindObjects(c->v.session, &o, 1, &n);
		(void)c->fn->C_FindObjectsFinal(c->v.session);
		if (rv != CKR_OK)
			return p11i_rv(rv, "token \"%s\": looking for objects",
			    c->v.label);
		if (n > 0)
			return i == 0 ? err_set(OR_E_EXISTS, "token \"%s\" "
			    "already holds an object labelled \"%s\": choose "
			    "another --label", c->v.label, c->label) :
			    err_set(OR_E_EXISTS, "token \"%s\" already holds "
			    "an object with the new random id", c->v.label);
	}
	return OR_OK;
}

/* The private half, by unwrapping where the token can, else created. */
static int
p11i_private(struct p11i *c, const struct keystore *sealed,
    CK_OBJECT_HANDLE *h, char *method, size_t size)
{
	const char *mname = NULL;
	CK_MECHANISM_TYPE mech = p11i_unwrap_mech(c, &mname);
	char nbuf[32];
	CK_RV rv;
	int rc = OR_OK;

	if (mech != 0) {
		rv = p11i_unwrap_priv(c, sealed, mech, h, &rc);
		if (rc != OR_OK)
			return rc;
		if (rv == CKR_OK) {
			snprintf(method, size, "unwrap (%s)", mname);
			return OR_OK;
		}
		if (pkcs11_rv_code(rv) != OR_E_INPUT)
			return p11i_rv(rv, "token \"%s\": unwrapping the key",
			    c->v.label);
		/* The token lists the mechanism but will not unwrap a
		 * private key with it: C_CreateObject may still work. */
	}
	rv = p11i_create_priv(c, h, &rc);
	sodium_memzero(c->arena, P11I_ARENA);
	c->used = 0;
	if (rc != OR_OK)
		return rc;
	if (rv == CKR_OK) {
		snprintf(method, size, "create");
		return OR_OK;
	}
	if (pkcs11_rv_code(rv) == OR_E_INPUT)
		return err_set(OR_E_INPUT, "token \"%s\" does not take an "
		    "imported %s private key (%s%s, and C_CreateObject: %s): "
		    "nothing was made on it", c->v.label, keytype_name(c->type),
		    mech != 0 ? "it would not unwrap one with " : "no padded "
		    "AES key-wrap mechanism to unwrap one", mech != 0 ? mname :
		    "", pkcs11_rv_name(rv, nbuf, sizeof nbuf));
	return p11i_rv(rv, "token \"%s\": creating the private key",
	    c->v.label);
}

/* What the token made must be what a root key is: private, sensitive,
 * not extractable, sign-only, and sealed's key. */
static int
p11i_check(const struct keystore *ks, const struct keystore *sealed)
{
	const struct pkcs11_keyinfo *ki = pkcs11_info(ks);

	if (!ki->sensitive || ki->extractable)
		return err_set(OR_E_ENV, "token \"%s\" did not keep the "
		    "imported key sensitive and non-extractable, so offroot "
		    "removes it again", ki->token_label);
	if (!ki->can_sign || ki->can_decrypt || ki->can_derive ||
	    ki->can_unwrap)
		return err_set(OR_E_ENV, "token \"%s\" made the imported key "
		    "able to %s, not sign only, so offroot removes it again",
		    ki->token_label, ki->usage);
	if (EVP_PKEY_eq(ks->pub, sealed->pub) != 1)
		return err_set(OR_E_ENV, "token \"%s\" holds another public key "
		    "than the one imported, so offroot removes it again",
		    ki->token_label);
	return OR_OK;
}

int
p11import_key(const char *module, const char *token_uri, const char *label,
    const struct keystore *sealed, const char *pss_digest,
    struct interact *io, struct keystore **out, char *method, size_t size)
{
	struct pkcs11_key *k = NULL;
	struct keystore *ks = NULL;
	struct p11i c;
	CK_OBJECT_HANDLE priv = CK_INVALID_HANDLE, pub = CK_INVALID_HANDLE;
	int rc;

	*out = NULL;
	memset(&c, 0, sizeof c);
	c.label = label;
	c.type = sealed->type;
	if (label == NULL || *label == '\0' || strlen(label) > PKCS11_LABEL_MAX)
		return err_set(OR_E_USAGE, "--label: the key's label must be "
		    "1 to %d bytes", PKCS11_LABEL_MAX);
	if ((c.key = sealed_private(sealed)) == NULL)
		return err_set(OR_E_INPUT, "only a sealed key can be moved "
		    "into a token");
	if ((c.arena = sodium_malloc(P11I_ARENA)) == NULL)
		return err_set(OR_E_NOMEM, "out of memory");
	if ((rc = pkcs11_session_open(module, token_uri, io, &k)) != OR_OK)
		goto out;
	pkcs11_session_get(k, &c.v);
	c.fn = c.v.fn;
	if (RAND_bytes(c.id, sizeof c.id) != 1) {
		rc = err_openssl(OR_E_CRYPTO, "random key id");
		goto out;
	}
	if ((rc = p11i_free_label(&c)) != OR_OK ||
	    (rc = p11i_private(&c, sealed, &priv, method, size)) != OR_OK)
		goto out;
	if ((rc = p11i_create_pub(&c, &pub)) != OR_OK) {
		(void)c.fn->C_DestroyObject(c.v.session, priv);
		goto out;
	}
	/* From here on the objects are the key store's to destroy. */
	rc = pkcs11_session_adopt(k, priv, pub, c.type, pss_digest, io, &ks);
	k = NULL;
	if (rc != OR_OK || (rc = p11i_check(ks, sealed)) != OR_OK)
		goto out;
	*out = ks;
	ks = NULL;
out:
	if (ks != NULL) {
		char saved[1024];

		snprintf(saved, sizeof saved, "%s", err_msg(rc));
		if (pkcs11_discard(ks) != OR_OK)
			interact_say(io, SAY_WARN, "%s", err_msg(OR_E_ENV));
		keystore_close(ks);
		err_set(rc, "%s", saved);
	}
	pkcs11_session_close(k);
	sodium_free(c.arena);
	return rc;
}
