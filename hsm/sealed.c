/*
 * sealed.c — the sealed key file: a PKCS#8 private key sealed with
 * XChaCha20-Poly1305 under a key that Argon2id derives from a passphrase,
 * behind a self-describing header that is authenticated as associated
 * data.  The format is documented byte by byte in manuals/offroot-sealed.5;
 * keep the two in step.
 *
 *   off  size  field (integers big-endian)
 *     0    16  magic "OFFROOT\0SEALED\0\0"
 *    16     2  format version (1)
 *    18     2  key type (enum keytype)
 *    20     1  KDF algorithm (1 = Argon2id v1.3)
 *    21     1  KDF level (enum kdf_level)
 *    22     8  opslimit
 *    30     8  memlimit (bytes)
 *    38    16  salt
 *    54     1  quorum M
 *    55     1  quorum N           (0/0: one passphrase)
 *    56     2  quorum section length Q (0 when M/N is 0/0)
 *    58     Q  quorum section
 *  58+Q    32  SHA-256 of the public key's SubjectPublicKeyInfo DER
 *  90+Q    24  nonce
 * 114+Q     4  ciphertext length C
 * 118+Q     C  ciphertext: PKCS#8 PrivateKeyInfo DER, then the 16-byte tag
 *
 * The associated data is bytes 0 .. 118+Q-1: every header byte.  The file
 * ends exactly after the ciphertext.
 *
 * Quorum (1 <= M <= N <= 16): the key that seals the payload is not
 * derived from a passphrase but is a random 32-byte key whose Shamir
 * shares the officers hold (share.h, manuals/offroot-share.5); the KDF
 * fields then describe the share files' level and the salt is unused.
 * The quorum section is Q = 16 + 32*N bytes: the share set id, then the
 * SHA-256 of each share file, share 1 first.
 *
 * Private bytes only ever exist in sodium_malloc memory (the PKCS#8 DER,
 * the derived key) or in OpenSSL's secure heap (the key itself).
 */
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/decoder.h>
#include <openssl/encoder.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <sodium.h>

#include "err.h"
#include "fileio.h"
#include "keystore.h"
#include "secret.h"
#include "util.h"

#define SEALED_MAGIC		"OFFROOT\0SEALED\0\0"
#define SEALED_MAGIC_LEN	16
#define SEALED_VERSION		1
#define SEALED_KDF_ARGON2ID13	1
#define SEALED_SALT_LEN		16
#define SEALED_NONCE_LEN	24
#define SEALED_TAG_LEN		16
#define SEALED_KEY_LEN		32
#define SEALED_FIXED_LEN	118	/* the header with an empty quorum section */
#define SEALED_QUORUM_MAX	4096	/* the section's cap */
#define SEALED_CT_MAX		16384	/* an RSA-4096 PKCS#8 is ~2.4 KB */
#define SEALED_FILE_MAX		65536
#define SEALED_OPS_MAX		64	/* a hostile header must not burn */
#define SEALED_MEM_MAX		(4ull << 30)	/* ... or exhaust the machine */

_Static_assert(SEALED_SALT_LEN == crypto_pwhash_argon2id_SALTBYTES,
    "salt size");
_Static_assert(SEALED_NONCE_LEN == crypto_aead_xchacha20poly1305_ietf_NPUBBYTES,
    "nonce size");
_Static_assert(SEALED_TAG_LEN == crypto_aead_xchacha20poly1305_ietf_ABYTES,
    "tag size");
_Static_assert(SEALED_KEY_LEN == crypto_aead_xchacha20poly1305_ietf_KEYBYTES,
    "key size");
_Static_assert(sizeof(SEALED_MAGIC) == SEALED_MAGIC_LEN + 1, "magic size");
_Static_assert(SEALED_FIXED_LEN == SEALED_MAGIC_LEN + 2 + 2 + 1 + 1 + 8 + 8 +
    SEALED_SALT_LEN + 1 + 1 + 2 + SHA256_LEN + SEALED_NONCE_LEN + 4,
    "header size");

/* The back end's state: the private key, in OpenSSL's secure heap. */
struct sealed_key {
	EVP_PKEY *pkey;
};

/* A parsed header: the public facts plus where the pieces are. */
struct sealed_hdr {
	struct sealed_info info;
	const unsigned char *salt;
	const unsigned char *quorum;
	size_t quorum_len;
	const unsigned char *nonce;
	const unsigned char *ct;
	size_t ct_len;
	size_t ad_len;		/* the header: everything before ct */
};

struct sealed_rd {
	const unsigned char *p;
	size_t left;
};

static int sealed_sign(struct keystore *, const char *,
    const unsigned char *, size_t, unsigned char **, size_t *);
static int sealed_sign_pss(struct keystore *, const char *,
    const unsigned char *, size_t, unsigned char **, size_t *);
static int sealed_sign_digest(struct keystore *, const char *,
    const unsigned char *, size_t, unsigned char **, size_t *);
static bool sealed_can_sign_digest(const struct keystore *, const char *);
static void sealed_close(struct keystore *);

static const struct keystore_ops sealed_ops = {
	.name = "sealed",
	.sign = sealed_sign,
	.sign_pss = sealed_sign_pss,
	.sign_digest = sealed_sign_digest,
	.can_sign_digest = sealed_can_sign_digest,
	.close = sealed_close,
	/* One EVP_PKEY, only read while signing (openssl-threads(7)). */
	.concurrent = true,
};

/* ---- bytes ---- */

static const unsigned char *
sealed_take(struct sealed_rd *r, size_t n)
{
	const unsigned char *q = r->p;

	if (r->left < n)
		return NULL;
	r->p += n;
	r->left -= n;
	return q;
}

static bool
sealed_get(struct sealed_rd *r, size_t n, uint64_t *v)
{
	const unsigned char *q;
	size_t i;

	if ((q = sealed_take(r, n)) == NULL)
		return false;
	for (*v = 0, i = 0; i < n; i++)
		*v = *v << 8 | q[i];
	return true;
}

static unsigned char *
sealed_put(unsigned char *p, uint64_t v, size_t n)
{
	size_t i;

	for (i = n; i > 0; i--) {
		p[i - 1] = (unsigned char)(v & 0xff);
		v >>= 8;
	}
	return p + n;
}

/* ---- the header ---- */

/* The KDF fields: Argon2id, a known level, and limits no weaker than the
 * level's preset (the level is a promise of at least its cost) and no
 * larger than we are willing to spend. */
static int
sealed_check_kdf(uint64_t alg, uint64_t level, uint64_t ops, uint64_t mem)
{
	uint64_t pops, pmem;

	if (alg != SEALED_KDF_ARGON2ID13)
		return err_set(OR_E_CORRUPT, "sealed key file names an unknown "
		    "KDF (%u)", (unsigned)alg);
	if (level < KDF_INTERACTIVE || level > KDF_SENSITIVE)
		return err_set(OR_E_CORRUPT, "sealed key file names an unknown "
		    "KDF level (%u)", (unsigned)level);
	kdf_preset((enum kdf_level)level, &pops, &pmem);
	if (ops < pops || ops > SEALED_OPS_MAX)
		return err_set(OR_E_CORRUPT, "sealed key file: KDF opslimit "
		    "%llu is outside %llu..%d for level %s",
		    (unsigned long long)ops, (unsigned long long)pops,
		    SEALED_OPS_MAX, kdf_level_name((enum kdf_level)level));
	if (mem < pmem || mem > SEALED_MEM_MAX || mem > SIZE_MAX)
		return err_set(OR_E_CORRUPT, "sealed key file: KDF memlimit "
		    "of %llu bytes is outside %llu..%llu for level %s",
		    (unsigned long long)mem, (unsigned long long)pmem,
		    (unsigned long long)SEALED_MEM_MAX,
		    kdf_level_name((enum kdf_level)level));
	if (mem % 1024 != 0)
		return err_set(OR_E_CORRUPT, "sealed key file: KDF memlimit "
		    "%llu is not a whole number of KiB",
		    (unsigned long long)mem);
	return OR_OK;
}

/* The quorum fields: 0/0 with no section, or 1 <= M <= N <= 16 with a
 * section of the set id and one SHA-256 per officer's share. */
static int
sealed_check_quorum(uint64_t m, uint64_t n, uint64_t qlen)
{
	if (!((m == 0 && n == 0 && qlen == 0) || (m >= 1 && m <= n)))
		return err_set(OR_E_CORRUPT, "sealed key file: bad quorum "
		    "%u-of-%u with a %u-byte section", (unsigned)m,
		    (unsigned)n, (unsigned)qlen);
	if (qlen > SEALED_QUORUM_MAX)
		return err_set(OR_E_CORRUPT, "sealed key file: quorum section "
		    "of %u bytes", (unsigned)qlen);
	if (n > SEALED_QUORUM_MAX_N)
		return err_set(OR_E_CORRUPT, "sealed key file: a quorum of %u "
		    "officers (at most %d)", (unsigned)n, SEALED_QUORUM_MAX_N);
	if (n != 0 && qlen != SEALED_SET_ID_LEN + n * SHA256_LEN)
		return err_set(OR_E_CORRUPT, "sealed key file: a %u-of-%u "
		    "quorum needs a %u-byte quorum section, not %u",
		    (unsigned)m, (unsigned)n,
		    (unsigned)(SEALED_SET_ID_LEN + n * SHA256_LEN),
		    (unsigned)qlen);
	return OR_OK;
}

/*
 * Checks everything that can be checked without the passphrase, before any
 * KDF runs: a hostile header must not make us allocate or compute much.
 */
static int
sealed_parse_hdr(const unsigned char *buf, size_t len, struct sealed_hdr *h)
{
	struct sealed_rd r = { buf, len };
	const unsigned char *magic, *fp;
	uint64_t version, type, alg, level, ops, mem, m, n, qlen, ctlen;
	int rc;

	memset(h, 0, sizeof *h);
	if (buf == NULL || len < SEALED_MAGIC_LEN ||
	    (magic = sealed_take(&r, SEALED_MAGIC_LEN)) == NULL ||
	    memcmp(magic, SEALED_MAGIC, SEALED_MAGIC_LEN) != 0)
		return err_set(OR_E_CORRUPT, "not an offroot sealed key file");
	if (len > SEALED_FILE_MAX)
		return err_set(OR_E_CORRUPT, "sealed key file larger than %d "
		    "bytes", SEALED_FILE_MAX);
	if (len < SEALED_FIXED_LEN)
		return err_set(OR_E_CORRUPT, "sealed key file truncated");
	/* Fixed part: the length check above makes these reads succeed. */
	sealed_get(&r, 2, &version);
	sealed_get(&r, 2, &type);
	sealed_get(&r, 1, &alg);
	sealed_get(&r, 1, &level);
	sealed_get(&r, 8, &ops);
	sealed_get(&r, 8, &mem);
	h->salt = sealed_take(&r, SEALED_SALT_LEN);
	sealed_get(&r, 1, &m);
	sealed_get(&r, 1, &n);
	sealed_get(&r, 2, &qlen);

	if (version != SEALED_VERSION)
		return err_set(OR_E_CORRUPT, "sealed key format version %u is "
		    "not one this offroot reads (1)", (unsigned)version);
	if (type < KT_EC_P256 || type > KT_ED25519)
		return err_set(OR_E_CORRUPT, "sealed key file names an unknown "
		    "key type (%u)", (unsigned)type);
	if ((rc = sealed_check_kdf(alg, level, ops, mem)) != OR_OK ||
	    (rc = sealed_check_quorum(m, n, qlen)) != OR_OK)
		return rc;
	if ((h->quorum = sealed_take(&r, (size_t)qlen)) == NULL ||
	    (fp = sealed_take(&r, SHA256_LEN)) == NULL ||
	    (h->nonce = sealed_take(&r, SEALED_NONCE_LEN)) == NULL ||
	    !sealed_get(&r, 4, &ctlen))
		return err_set(OR_E_CORRUPT, "sealed key file truncated");
	h->ad_len = len - r.left;
	if (ctlen != r.left)
		return err_set(OR_E_CORRUPT, "sealed key file: the ciphertext "
		    "should be %llu bytes, %zu follow (truncated or extended)",
		    (unsigned long long)ctlen, r.left);
	if (ctlen <= SEALED_TAG_LEN || ctlen > SEALED_CT_MAX)
		return err_set(OR_E_CORRUPT, "sealed key file: ciphertext of "
		    "%llu bytes", (unsigned long long)ctlen);
	h->ct = sealed_take(&r, (size_t)ctlen);
	h->ct_len = (size_t)ctlen;

	h->quorum_len = (size_t)qlen;
	h->info.version = (unsigned)version;
	h->info.type = (enum keytype)type;
	h->info.kdf = (enum kdf_level)level;
	h->info.opslimit = ops;
	h->info.memlimit = mem;
	h->info.quorum_m = (unsigned)m;
	h->info.quorum_n = (unsigned)n;
	memcpy(h->info.pubkey_sha256, fp, SHA256_LEN);
	if (n != 0) {
		memcpy(h->info.set_id, h->quorum, SEALED_SET_ID_LEN);
		memcpy(h->info.share_sha256, h->quorum + SEALED_SET_ID_LEN,
		    (size_t)n * SHA256_LEN);
	}
	return OR_OK;
}

int
sealed_parse(const unsigned char *buf, size_t len, struct sealed_info *info)
{
	struct sealed_hdr h;
	int rc;

	if ((rc = sealed_parse_hdr(buf, len, &h)) != OR_OK)
		return rc;
	if (info != NULL)
		*info = h.info;
	return OR_OK;
}

/* ---- keys ---- */

/* Makes a store around pkey (whose ownership it takes, also on failure),
 * with a separate public-only copy as ks->pub. */
static int
sealed_wrap(enum keytype type, EVP_PKEY *pkey, struct keystore **out)
{
	struct keystore *ks = NULL;
	struct sealed_key *k = NULL;
	unsigned char *der = NULL;
	const unsigned char *p;
	EVP_PKEY *pub = NULL;
	int len, rc;

	*out = NULL;
	if ((len = i2d_PUBKEY(pkey, &der)) <= 0) {
		rc = err_openssl(OR_E_CRYPTO, "encoding the public key");
		goto out;
	}
	p = der;
	if ((pub = d2i_PUBKEY(NULL, &p, len)) == NULL || p != der + len) {
		rc = err_openssl(OR_E_CRYPTO, "decoding the public key");
		goto out;
	}
	if ((ks = calloc(1, sizeof *ks)) == NULL ||
	    (k = calloc(1, sizeof *k)) == NULL) {
		rc = err_set(OR_E_NOMEM, "out of memory");
		goto out;
	}
	k->pkey = pkey;
	pkey = NULL;
	ks->ops = &sealed_ops;
	ks->type = type;
	ks->pub = pub;
	ks->impl = k;
	pub = NULL;
	k = NULL;
	*out = ks;
	ks = NULL;
	rc = OR_OK;
out:
	OPENSSL_free(der);
	EVP_PKEY_free(pub);
	EVP_PKEY_free(pkey);
	free(k);
	free(ks);
	return rc;
}

int
sealed_generate(enum keytype type, struct keystore **out)
{
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *pkey = NULL;
	BIGNUM *e = NULL;
	const char *alg, *group = NULL;
	int bits = 0, rc;

	*out = NULL;
	switch (type) {
	case KT_EC_P256:
		alg = "EC";
		group = "P-256";
		break;
	case KT_EC_P384:
		alg = "EC";
		group = "P-384";
		break;
	case KT_RSA_3072:
		alg = "RSA";
		bits = 3072;
		break;
	case KT_RSA_4096:
		alg = "RSA";
		bits = 4096;
		break;
	case KT_ED25519:
		alg = "ED25519";
		break;
	default:
		return err_set(OR_E_INPUT, "cannot generate a key of type %d",
		    (int)type);
	}
	if ((ctx = EVP_PKEY_CTX_new_from_name(NULL, alg, NULL)) == NULL ||
	    EVP_PKEY_keygen_init(ctx) != 1) {
		rc = err_openssl(OR_E_CRYPTO, "preparing %s key generation",
		    keytype_name(type));
		goto out;
	}
	if (group != NULL && (EVP_PKEY_CTX_set_group_name(ctx, group) != 1 ||
	    EVP_PKEY_CTX_set_ec_param_enc(ctx, OPENSSL_EC_NAMED_CURVE) != 1)) {
		rc = err_openssl(OR_E_CRYPTO, "choosing curve %s", group);
		goto out;
	}
	if (bits != 0 && ((e = BN_new()) == NULL ||
	    BN_set_word(e, RSA_F4) != 1 ||
	    EVP_PKEY_CTX_set_rsa_keygen_bits(ctx, bits) != 1 ||
	    EVP_PKEY_CTX_set1_rsa_keygen_pubexp(ctx, e) != 1)) {
		rc = err_openssl(OR_E_CRYPTO, "choosing RSA-%d, e=65537", bits);
		goto out;
	}
	if (EVP_PKEY_generate(ctx, &pkey) != 1) {
		rc = err_openssl(OR_E_CRYPTO, "generating a %s key",
		    keytype_name(type));
		goto out;
	}
	if (keytype_of(pkey) != type) {
		rc = err_set(OR_E_CRYPTO, "generated key is not %s",
		    keytype_name(type));
		goto out;
	}
	rc = sealed_wrap(type, pkey, out);
	pkey = NULL;
out:
	EVP_PKEY_free(pkey);
	EVP_PKEY_CTX_free(ctx);
	BN_free(e);
	return rc;
}

/* The padding of an RSA context: PKCS#1 v1.5, or offroot's PSS. */
static int
sealed_rsa_pad(EVP_PKEY *pkey, EVP_PKEY_CTX *pctx, const char *digest,
    bool pss)
{
	if (!EVP_PKEY_is_a(pkey, "RSA"))
		return OR_OK;
	if (pss)
		return keystore_pss_ctx(pctx, digest);
	if (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) != 1)
		return err_openssl(OR_E_CRYPTO, "setting RSA padding");
	return OR_OK;
}

static int
sealed_sign_pad(struct keystore *ks, const char *digest, bool pss,
    const unsigned char *msg, size_t len, unsigned char **sig, size_t *siglen)
{
	struct sealed_key *k = ks->impl;
	EVP_MD_CTX *ctx = NULL;
	EVP_PKEY_CTX *pctx = NULL;
	unsigned char *buf = NULL;
	size_t n = 0;
	int max, rc;

	*sig = NULL;
	*siglen = 0;
	if (k == NULL || k->pkey == NULL)
		return err_set(OR_E_INPUT, "the key store is closed");
	if ((max = EVP_PKEY_get_size(k->pkey)) <= 0 ||
	    (ctx = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestSignInit_ex(ctx, &pctx, digest, NULL, NULL, k->pkey,
	    NULL) != 1 ||
	    sealed_rsa_pad(k->pkey, pctx, digest, pss) != OR_OK) {
		rc = err_openssl(OR_E_CRYPTO, "preparing to sign with %s",
		    digest != NULL ? digest : "ed25519");
		goto out;
	}
	n = (size_t)max;
	if ((buf = OPENSSL_malloc(n)) == NULL) {
		rc = err_set(OR_E_NOMEM, "out of memory");
		goto out;
	}
	if (EVP_DigestSign(ctx, buf, &n, msg, len) != 1) {
		rc = err_openssl(OR_E_CRYPTO, "signing");
		goto out;
	}
	/* Verify our own output: a faulty signature (an RSA-CRT fault
	 * leaks the key) never leaves this function. */
	EVP_MD_CTX_free(ctx);
	pctx = NULL;
	if ((ctx = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestVerifyInit_ex(ctx, &pctx, digest, NULL, NULL, ks->pub,
	    NULL) != 1 ||
	    sealed_rsa_pad(ks->pub, pctx, digest, pss) != OR_OK) {
		rc = err_openssl(OR_E_CRYPTO, "preparing to verify");
		goto out;
	}
	if (EVP_DigestVerify(ctx, buf, n, msg, len) != 1) {
		rc = err_openssl(OR_E_CRYPTO, "the signature just made does "
		    "not verify; it was discarded");
		goto out;
	}
	*sig = buf;
	*siglen = n;
	buf = NULL;
	rc = OR_OK;
out:
	OPENSSL_free(buf);
	EVP_MD_CTX_free(ctx);
	return rc;
}

static int
sealed_sign(struct keystore *ks, const char *digest,
    const unsigned char *msg, size_t len, unsigned char **sig, size_t *siglen)
{
	return sealed_sign_pad(ks, digest, false, msg, len, sig, siglen);
}

static int
sealed_sign_pss(struct keystore *ks, const char *digest,
    const unsigned char *msg, size_t len, unsigned char **sig, size_t *siglen)
{
	return sealed_sign_pad(ks, digest, true, msg, len, sig, siglen);
}

static bool
sealed_can_sign_digest(const struct keystore *ks, const char *digest)
{
	return ks->type != KT_ED25519;
}

static int
sealed_sign_digest(struct keystore *ks, const char *digest,
    const unsigned char *md, size_t mdlen, unsigned char **sig,
    size_t *siglen)
{
	struct sealed_key *k = ks->impl;
	EVP_PKEY_CTX *pctx = NULL;
	const EVP_MD *alg;
	unsigned char *buf = NULL;
	size_t n = 0;
	int max, rc;

	*sig = NULL;
	*siglen = 0;
	if (k == NULL || k->pkey == NULL)
		return err_set(OR_E_INPUT, "the key store is closed");
	if ((alg = EVP_get_digestbyname(digest)) == NULL ||
	    (max = EVP_PKEY_get_size(k->pkey)) <= 0 ||
	    (pctx = EVP_PKEY_CTX_new(k->pkey, NULL)) == NULL ||
	    EVP_PKEY_sign_init(pctx) != 1 ||
	    EVP_PKEY_CTX_set_signature_md(pctx, alg) != 1 ||
	    sealed_rsa_pad(k->pkey, pctx, digest, false) != OR_OK) {
		rc = err_openssl(OR_E_CRYPTO, "preparing to sign a %s digest",
		    digest);
		goto out;
	}
	n = (size_t)max;
	if ((buf = OPENSSL_malloc(n)) == NULL) {
		rc = err_set(OR_E_NOMEM, "out of memory");
		goto out;
	}
	if (EVP_PKEY_sign(pctx, buf, &n, md, mdlen) != 1) {
		rc = err_openssl(OR_E_CRYPTO, "signing");
		goto out;
	}
	/* Verify our own output, as sealed_sign_pad does. */
	if (!keystore_verify_digest(ks->pub, digest, md, mdlen, buf, n)) {
		rc = err_set(OR_E_CRYPTO, "the signature just made does not "
		    "verify; it was discarded");
		goto out;
	}
	*sig = buf;
	*siglen = n;
	buf = NULL;
	rc = OR_OK;
out:
	OPENSSL_free(buf);
	EVP_PKEY_CTX_free(pctx);
	return rc;
}

static void
sealed_close(struct keystore *ks)
{
	struct sealed_key *k;

	if (ks == NULL)
		return;
	if ((k = ks->impl) != NULL) {
		EVP_PKEY_free(k->pkey);	/* clears the secure-heap numbers */
		free(k);
	}
	EVP_PKEY_free(ks->pub);
	free(ks);
}

/*
 * PKCS#8 PrivateKeyInfo DER of pkey, into sodium_malloc memory.  The
 * encoder writes into a secure-heap memory BIO (cleared when freed), so no
 * copy of the private key lands in ordinary heap memory on our side.
 */
static int
sealed_encode(EVP_PKEY *pkey, unsigned char **out, size_t *outlen)
{
	OSSL_ENCODER_CTX *ectx = NULL;
	BIO *bio = NULL;
	char *data = NULL;
	long n;
	int rc;

	*out = NULL;
	*outlen = 0;
	if ((ectx = OSSL_ENCODER_CTX_new_for_pkey(pkey,
	    OSSL_KEYMGMT_SELECT_KEYPAIR | OSSL_KEYMGMT_SELECT_ALL_PARAMETERS,
	    "DER", "PrivateKeyInfo", NULL)) == NULL ||
	    OSSL_ENCODER_CTX_get_num_encoders(ectx) == 0 ||
	    (bio = BIO_new(BIO_s_secmem())) == NULL ||
	    OSSL_ENCODER_to_bio(ectx, bio) != 1 ||
	    (n = BIO_get_mem_data(bio, &data)) <= 0 || data == NULL) {
		rc = err_openssl(OR_E_CRYPTO, "encoding the private key");
		goto out;
	}
	if ((*out = sodium_malloc((size_t)n)) == NULL) {
		rc = err_set(OR_E_NOMEM, "out of memory");
		goto out;
	}
	memcpy(*out, data, (size_t)n);
	*outlen = (size_t)n;
	rc = OR_OK;
out:
	BIO_free(bio);
	OSSL_ENCODER_CTX_free(ectx);
	return rc;
}

/* For migrate (p11import.c): the private key of a sealed store as PKCS#8
 * DER in sodium_malloc memory (the caller sodium_free's it), and the key
 * itself, borrowed.  NULL / OR_E_INPUT for any other store. */
int
sealed_export_pkcs8(const struct keystore *ks, unsigned char **der,
    size_t *len)
{
	const struct sealed_key *k;

	*der = NULL;
	*len = 0;
	if (ks == NULL || ks->ops != &sealed_ops || (k = ks->impl) == NULL)
		return err_set(OR_E_INPUT, "not a sealed key");
	return sealed_encode(k->pkey, der, len);
}

EVP_PKEY *
sealed_private(const struct keystore *ks)
{
	const struct sealed_key *k;

	if (ks == NULL || ks->ops != &sealed_ops || (k = ks->impl) == NULL)
		return NULL;
	return k->pkey;
}

/* The key inside a decrypted payload: exactly one DER PrivateKeyInfo of
 * the type the header names. */
static int
sealed_decode(const unsigned char *der, size_t len, enum keytype want,
    EVP_PKEY **out)
{
	OSSL_DECODER_CTX *dctx = NULL;
	EVP_PKEY *pkey = NULL;
	const unsigned char *p = der;
	size_t left = len;
	long olen;
	int tag, cls, rc;

	*out = NULL;
	if (len > LONG_MAX || (ASN1_get_object(&p, &olen, &tag, &cls,
	    (long)len) & 0x80) != 0 || tag != V_ASN1_SEQUENCE ||
	    (size_t)(p - der) + (size_t)olen != len) {
		ERR_clear_error();
		rc = err_set(OR_E_CORRUPT, "the sealed payload is not one "
		    "PKCS#8 structure");
		goto out;
	}
	p = der;
	if ((dctx = OSSL_DECODER_CTX_new_for_pkey(&pkey, "DER",
	    "PrivateKeyInfo", NULL, EVP_PKEY_KEYPAIR, NULL, NULL)) == NULL ||
	    OSSL_DECODER_from_data(dctx, &p, &left) != 1 || pkey == NULL) {
		rc = err_openssl(OR_E_CORRUPT, "the sealed payload is not a "
		    "private key");
		goto out;
	}
	if (keytype_of(pkey) != want) {
		rc = err_set(OR_E_CORRUPT, "the sealed key is %s, its header "
		    "says %s", keytype_name(keytype_of(pkey)),
		    keytype_name(want));
		goto out;
	}
	*out = pkey;
	pkey = NULL;
	rc = OR_OK;
out:
	EVP_PKEY_free(pkey);
	OSSL_DECODER_CTX_free(dctx);
	return rc;
}

static int
sealed_derive(const struct secret *pass, const unsigned char *salt,
    uint64_t ops, uint64_t mem, unsigned char *key)
{
	if (crypto_pwhash(key, SEALED_KEY_LEN, pass->buf, pass->len, salt,
	    (unsigned long long)ops, (size_t)mem,
	    crypto_pwhash_ALG_ARGON2ID13) != 0)
		return err_set(OR_E_NOMEM, "deriving the key from the "
		    "passphrase needs %llu MiB of memory that this machine did "
		    "not give", (unsigned long long)(mem >> 20));
	return OR_OK;
}

/* ---- sealing and opening ---- */

/*
 * Seals ks's key: under a key derived from pass, or (pass NULL) under the
 * quorum sealing key qkey with the quorum section q (qlen bytes) and m/n.
 */
static int
sealed_seal_with(struct keystore *ks, const struct secret *pass,
    const unsigned char *qkey, enum kdf_level kdf, unsigned m, unsigned n,
    const unsigned char *q, size_t qlen, unsigned char **out,
    size_t *outlen)
{
	struct sealed_key *k;
	unsigned char fp[SHA256_LEN], salt[SEALED_SALT_LEN];
	unsigned char nonce[SEALED_NONCE_LEN];
	unsigned char *pt = NULL, *key = NULL, *buf = NULL, *p;
	unsigned long long clen = 0;
	uint64_t ops, mem;
	size_t ptlen = 0, total, hlen = SEALED_FIXED_LEN + qlen;
	int rc;

	*out = NULL;
	*outlen = 0;
	if (ks == NULL || ks->ops != &sealed_ops ||
	    (k = ks->impl) == NULL || k->pkey == NULL)
		return err_set(OR_E_INPUT, "only a key generated in memory "
		    "can be sealed");
	if (qkey == NULL && (pass == NULL || pass->len == 0))
		return err_set(OR_E_INPUT, "an empty passphrase cannot seal a "
		    "key");
	if (kdf < KDF_INTERACTIVE || kdf > KDF_SENSITIVE)
		return err_set(OR_E_INPUT, "unknown KDF level %d", (int)kdf);
	kdf_preset(kdf, &ops, &mem);
	if ((rc = pubkey_sha256(ks->pub, fp)) != OR_OK ||
	    (rc = sealed_encode(k->pkey, &pt, &ptlen)) != OR_OK)
		goto out;
	if (ptlen + SEALED_TAG_LEN > SEALED_CT_MAX) {
		rc = err_set(OR_E_CRYPTO, "private key encoding of %zu bytes "
		    "is too large", ptlen);
		goto out;
	}
	total = hlen + ptlen + SEALED_TAG_LEN;
	if ((buf = malloc(total)) == NULL ||
	    (key = sodium_malloc(SEALED_KEY_LEN)) == NULL) {
		rc = err_set(OR_E_NOMEM, "out of memory");
		goto out;
	}
	randombytes_buf(salt, sizeof salt);	/* unused with a quorum */
	randombytes_buf(nonce, sizeof nonce);

	p = buf;
	memcpy(p, SEALED_MAGIC, SEALED_MAGIC_LEN);
	p += SEALED_MAGIC_LEN;
	p = sealed_put(p, SEALED_VERSION, 2);
	p = sealed_put(p, (uint64_t)ks->type, 2);
	p = sealed_put(p, SEALED_KDF_ARGON2ID13, 1);
	p = sealed_put(p, (uint64_t)kdf, 1);
	p = sealed_put(p, ops, 8);
	p = sealed_put(p, mem, 8);
	memcpy(p, salt, sizeof salt);
	p += sizeof salt;
	p = sealed_put(p, m, 1);	/* quorum M */
	p = sealed_put(p, n, 1);	/* quorum N */
	p = sealed_put(p, qlen, 2);	/* quorum section */
	if (qlen > 0)
		memcpy(p, q, qlen);
	p += qlen;
	memcpy(p, fp, sizeof fp);
	p += sizeof fp;
	memcpy(p, nonce, sizeof nonce);
	p += sizeof nonce;
	p = sealed_put(p, ptlen + SEALED_TAG_LEN, 4);

	if (qkey != NULL)
		memcpy(key, qkey, SEALED_KEY_LEN);
	else if ((rc = sealed_derive(pass, salt, ops, mem, key)) != OR_OK)
		goto out;
	if (crypto_aead_xchacha20poly1305_ietf_encrypt(p, &clen, pt, ptlen,
	    buf, hlen, NULL, nonce, key) != 0 ||
	    clen != ptlen + SEALED_TAG_LEN) {
		rc = err_set(OR_E_CRYPTO, "sealing the key failed");
		goto out;
	}
	*out = buf;
	*outlen = total;
	buf = NULL;
	rc = OR_OK;
out:
	if (key != NULL)
		sodium_free(key);
	if (pt != NULL)
		sodium_free(pt);
	free(buf);
	return rc;
}

int
sealed_seal(struct keystore *ks, const struct secret *pass,
    enum kdf_level kdf, unsigned char **out, size_t *outlen)
{
	return sealed_seal_with(ks, pass, NULL, kdf, 0, 0, NULL, 0, out,
	    outlen);
}

int
sealed_seal_quorum(struct keystore *ks, enum kdf_level kdf, unsigned m,
    unsigned n, const unsigned char set_id[SEALED_SET_ID_LEN],
    const unsigned char (*share_sha256)[32], const unsigned char key[32],
    unsigned char **out, size_t *outlen)
{
	unsigned char q[SEALED_SET_ID_LEN + SEALED_QUORUM_MAX_N * SHA256_LEN];

	*out = NULL;
	*outlen = 0;
	if (m < 1 || m > n || n > SEALED_QUORUM_MAX_N)
		return err_set(OR_E_INPUT, "a quorum of %u of %u officers is "
		    "not one offroot seals (1 <= M <= N <= %d)", m, n,
		    SEALED_QUORUM_MAX_N);
	memcpy(q, set_id, SEALED_SET_ID_LEN);
	memcpy(q + SEALED_SET_ID_LEN, share_sha256, (size_t)n * SHA256_LEN);
	return sealed_seal_with(ks, NULL, key, kdf, m, n, q,
	    SEALED_SET_ID_LEN + (size_t)n * SHA256_LEN, out, outlen);
}

/* Decrypts a parsed image with key (derived or rebuilt) into a store. */
static int
sealed_unseal(const unsigned char *buf, const struct sealed_hdr *h,
    const unsigned char *key, struct keystore **out)
{
	struct keystore *ks = NULL;
	EVP_PKEY *pkey = NULL;
	unsigned char *pt = NULL, fp[SHA256_LEN];
	unsigned long long ptlen = 0;
	int rc;

	if ((pt = sodium_malloc(h->ct_len - SEALED_TAG_LEN)) == NULL)
		return err_set(OR_E_NOMEM, "out of memory");
	if (crypto_aead_xchacha20poly1305_ietf_decrypt(pt, &ptlen, NULL,
	    h->ct, h->ct_len, buf, h->ad_len, h->nonce, key) != 0) {
		rc = err_set(OR_E_AUTH, h->info.quorum_n != 0 ? "the shares "
		    "do not open the key file (it was altered)" : "wrong "
		    "passphrase, or the key file was altered");
		goto out;
	}
	if ((rc = sealed_decode(pt, (size_t)ptlen, h->info.type, &pkey)) !=
	    OR_OK)
		goto out;
	rc = sealed_wrap(h->info.type, pkey, &ks);
	pkey = NULL;
	if (rc != OR_OK || (rc = pubkey_sha256(ks->pub, fp)) != OR_OK)
		goto out;
	if (sodium_memcmp(fp, h->info.pubkey_sha256, SHA256_LEN) != 0) {
		rc = err_set(OR_E_CORRUPT, "the sealed key does not match the "
		    "public-key fingerprint in its header");
		goto out;
	}
	*out = ks;
	ks = NULL;
	rc = OR_OK;
out:
	keystore_close(ks);
	EVP_PKEY_free(pkey);
	sodium_free(pt);
	return rc;
}

int
sealed_open_key(const unsigned char *buf, size_t len,
    const unsigned char key[32], struct keystore **out)
{
	struct sealed_hdr h;
	int rc;

	*out = NULL;
	if ((rc = sealed_parse_hdr(buf, len, &h)) != OR_OK)
		return rc;
	if (h.info.quorum_n == 0)
		return err_set(OR_E_INPUT, "this key is sealed under one "
		    "passphrase, not officer shares");
	return sealed_unseal(buf, &h, key, out);
}

int
sealed_derive_key(const unsigned char *buf, size_t len,
    const struct secret *pass, unsigned char *key)
{
	struct sealed_hdr h;
	int rc;

	if ((rc = sealed_parse_hdr(buf, len, &h)) != OR_OK)
		return rc;
	if (h.info.quorum_n != 0)
		return err_set(OR_E_INPUT, "this key is sealed under %u-of-%u "
		    "officer shares, not a passphrase: give the officers' "
		    "shares", h.info.quorum_m, h.info.quorum_n);
	if (pass == NULL || pass->len == 0)
		return err_set(OR_E_INPUT, "empty passphrase");
	return sealed_derive(pass, h.salt, h.info.opslimit, h.info.memlimit,
	    key);
}

int
sealed_open_derived(const unsigned char *buf, size_t len,
    const unsigned char *key, struct keystore **out)
{
	struct sealed_hdr h;
	int rc;

	*out = NULL;
	if ((rc = sealed_parse_hdr(buf, len, &h)) != OR_OK)
		return rc;
	if (h.info.quorum_n != 0)
		return err_set(OR_E_INPUT, "this key is sealed under %u-of-%u "
		    "officer shares, not a passphrase: give the officers' "
		    "shares", h.info.quorum_m, h.info.quorum_n);
	return sealed_unseal(buf, &h, key, out);
}

int
sealed_open_buffer(const unsigned char *buf, size_t len,
    const struct secret *pass, struct keystore **out)
{
	unsigned char *key;
	int rc;

	*out = NULL;
	if ((key = sodium_malloc(SEALED_KEY_LEN)) == NULL)
		return err_set(OR_E_NOMEM, "out of memory");
	if ((rc = sealed_derive_key(buf, len, pass, key)) == OR_OK)
		rc = sealed_open_derived(buf, len, key, out);
	sodium_free(key);
	return rc;
}

int
sealed_save(struct keystore *ks, const struct secret *pass,
    enum kdf_level kdf, const char *path)
{
	struct keystore *check = NULL;
	unsigned char *buf = NULL;
	size_t len = 0;
	int rc;

	if ((rc = sealed_seal(ks, pass, kdf, &buf, &len)) != OR_OK)
		goto out;
	/* Verify our own output before it goes to the media: the sealed
	 * image opens under the same passphrase to the same key. */
	if ((rc = sealed_open_buffer(buf, len, pass, &check)) != OR_OK) {
		rc = err_context(OR_E_CRYPTO, "the sealed key did not open "
		    "again");
		goto out;
	}
	if (EVP_PKEY_eq(check->pub, ks->pub) != 1) {
		rc = err_set(OR_E_CRYPTO, "the sealed key opened to a "
		    "different key");
		goto out;
	}
	rc = file_write_new(path, buf, len, 0600);
out:
	keystore_close(check);
	free(buf);
	return rc;
}

int
sealed_open(const char *path, const struct secret *pass,
    struct keystore **out)
{
	unsigned char *buf = NULL;
	size_t len = 0;
	int rc;

	*out = NULL;
	if ((rc = file_read(path, SEALED_FILE_MAX, &buf, &len)) != OR_OK)
		return rc;
	if ((rc = sealed_open_buffer(buf, len, pass, out)) != OR_OK)
		err_context(rc, "%s", path);
	free(buf);
	return rc;
}

int
sealed_info(const char *path, struct sealed_info *info)
{
	unsigned char *buf = NULL;
	size_t len = 0;
	int rc;

	if ((rc = file_read(path, SEALED_FILE_MAX, &buf, &len)) != OR_OK)
		return rc;
	if ((rc = sealed_parse(buf, len, info)) != OR_OK)
		err_context(rc, "%s", path);
	free(buf);
	return rc;
}
