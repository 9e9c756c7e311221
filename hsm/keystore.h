/*
 * keystore.h — where the root key lives.  The engine never sees private key
 * bytes: it asks a key store to sign a message and to give its public key.
 *
 * Back ends: sealed.c (a file sealed with libsodium under an Argon2id key,
 * manuals/offroot-sealed.5) and pkcs11.c (a key on a PKCS#11 token through
 * p11-kit; its own header, pkcs11.h).
 */
#ifndef OFFROOT_KEYSTORE_H
#define OFFROOT_KEYSTORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>

#include <openssl/evp.h>

struct secret;
struct interact;

enum keytype {
	KT_NONE = 0,
	KT_EC_P256 = 1,
	KT_EC_P384 = 2,
	KT_RSA_3072 = 3,
	KT_RSA_4096 = 4,
	KT_ED25519 = 5,
};

/* "ec-p384" <-> KT_EC_P384; parse returns OR_E_USAGE on unknown names. */
const char *keytype_name(enum keytype t);
int keytype_parse(const char *name, enum keytype *out);
/* The key type of a public key, KT_NONE when not one offroot supports. */
enum keytype keytype_of(EVP_PKEY *pkey);
/* Default signature digest for a key type ("sha384" for P-384 and RSA,
 * "sha256" for P-256, NULL for Ed25519). */
const char *keytype_default_digest(enum keytype t);

struct keystore;

struct keystore_ops {
	const char *name;	/* "sealed", "pkcs11" */
	/* Signs msg (the whole message: the store hashes it) with the given
	 * digest ("sha256", "sha384", "sha512"; NULL for Ed25519).  The
	 * signature is returned in the encoding X.509 uses: DER ECDSA-Sig-Value,
	 * PKCS#1 v1.5 bytes, or the 64-byte Ed25519 signature.  *sig is
	 * OPENSSL_malloc'd. */
	int (*sign)(struct keystore *ks, const char *digest,
	    const unsigned char *msg, size_t len, unsigned char **sig,
	    size_t *siglen);
	/* The same with RSASSA-PSS (RSA keys only; optional): MGF1 with the
	 * same digest, a salt as long as the digest, trailer field 1 (the
	 * encodings the CA/B Forum allows, BR 7.1.3.2).  NULL: the back end
	 * cannot. */
	int (*sign_pss)(struct keystore *ks, const char *digest,
	    const unsigned char *msg, size_t len, unsigned char **sig,
	    size_t *siglen);
	/* Signs a digest the caller computed with the given digest (ECDSA,
	 * RSA PKCS#1 v1.5): the signature sign would make over the message
	 * whose digest md is.  Optional (NULL: the back end cannot);
	 * can_sign_digest says whether it can for this key and digest. */
	int (*sign_digest)(struct keystore *ks, const char *digest,
	    const unsigned char *md, size_t mdlen, unsigned char **sig,
	    size_t *siglen);
	bool (*can_sign_digest)(const struct keystore *ks, const char *digest);
	/* Wipes and frees all key material. */
	void (*close)(struct keystore *ks);
	/* sign and sign_pss may run on several threads at once (workers.c);
	 * otherwise keystore_sign serialises them. */
	bool concurrent;
};

struct keystore {
	const struct keystore_ops *ops;
	enum keytype type;
	EVP_PKEY *pub;		/* public half only */
	void *impl;		/* back end's private state */
};

/* Every back end verifies each signature with ks->pub before returning it
 * (a faulty signature can leak the key, and callers rely on this: issue.c
 * does not verify again). */
int keystore_sign(struct keystore *ks, const char *digest,
    const unsigned char *msg, size_t len, unsigned char **sig, size_t *siglen);
/* Signs md, the digest of a message computed by the caller, as
 * keystore_sign would sign the message (a large TBS is then hashed once,
 * not once to sign and once more to verify).  The back end verifies the
 * signature over md with ks->pub before returning it; the caller still
 * verifies the finished object.  keystore_can_sign_digest: whether this
 * store can (never for Ed25519, which signs the whole message). */
bool keystore_can_sign_digest(const struct keystore *ks, const char *digest);
int keystore_sign_digest(struct keystore *ks, const char *digest,
    const unsigned char *md, size_t mdlen, unsigned char **sig,
    size_t *siglen);
/* Verifies sig over the digest md with pub (PKCS#1 v1.5 for RSA): 1 when
 * it verifies.  For the back ends. */
int keystore_verify_digest(EVP_PKEY *pub, const char *digest,
    const unsigned char *md, size_t mdlen, const unsigned char *sig,
    size_t siglen);
/* keystore_sign with RSASSA-PSS (see sign_pss above); OR_E_INPUT for a key
 * that is not RSA or a back end that cannot. */
int keystore_sign_pss(struct keystore *ks, const char *digest,
    const unsigned char *msg, size_t len, unsigned char **sig, size_t *siglen);
/* Sets offroot's RSASSA-PSS parameters on a signing or verifying context
 * made for digest (padding, salt length = digest length, MGF1 digest). */
int keystore_pss_ctx(EVP_PKEY_CTX *pctx, const char *digest);
void keystore_close(struct keystore *ks);
/* Signs a random challenge and verifies it with pub: proves the store holds
 * the private half of pub.  OR_E_VERIFY when it does not. */
int keystore_prove(struct keystore *ks, EVP_PKEY *pub);

/* ---- sealed.c: the libsodium-sealed key file ---- */

/* libsodium's Argon2id presets.  A sealed file records its level and its
 * limits; a level promises at least its preset's limits. */
enum kdf_level {
	KDF_INTERACTIVE = 1,	/* 2 passes, 64 MiB: rehearsal only */
	KDF_MODERATE = 2,	/* 3 passes, 256 MiB */
	KDF_SENSITIVE = 3,	/* 4 passes, 1 GiB: the default */
};

const char *kdf_level_name(enum kdf_level l);
/* libsodium's Argon2id preset (opslimit, memlimit) for a level. */
void kdf_preset(enum kdf_level l, uint64_t *ops, uint64_t *mem);
int kdf_level_parse(const char *name, enum kdf_level *out);

#define SEALED_QUORUM_MAX_N	16	/* officers in a quorum */
#define SEALED_SET_ID_LEN	16

struct sealed_info {		/* the authenticated header, for status */
	unsigned version;
	enum keytype type;
	enum kdf_level kdf;	/* quorum: the level the shares use */
	uint64_t opslimit;
	uint64_t memlimit;
	unsigned quorum_m, quorum_n;	/* 0/0: a single passphrase */
	unsigned char pubkey_sha256[32];	/* SHA-256 of the SPKI DER */
	/* Quorum only (share.h): the share set, and the SHA-256 of each
	 * share file, share x at [x - 1]. */
	unsigned char set_id[SEALED_SET_ID_LEN];
	unsigned char share_sha256[SEALED_QUORUM_MAX_N][32];
};

/* Generates a fresh key in memory (OpenSSL, private numbers in the secure
 * heap).  Nothing is written. */
int sealed_generate(enum keytype type, struct keystore **out);
/* Seals the key of a store made by sealed_generate (or sealed_open) under
 * pass: *out is the whole file image, malloc'd (it holds nothing secret). */
int sealed_seal(struct keystore *ks, const struct secret *pass,
    enum kdf_level kdf, unsigned char **out, size_t *outlen);
/* sealed_seal, then opens the image again (a second KDF run) to check it
 * yields the same key, then writes it to path with file_write_new (mode
 * 0600; an existing path is OR_E_EXISTS). */
int sealed_save(struct keystore *ks, const struct secret *pass,
    enum kdf_level kdf, const char *path);
/* Opens a sealed file image.  The header is checked in full before the KDF
 * runs (OR_E_CORRUPT: bad magic, version, type, KDF, limits, quorum, sizes,
 * trailing bytes); OR_E_AUTH for a wrong passphrase or altered bytes;
 * OR_E_CORRUPT when the key inside does not match the header. */
int sealed_open_buffer(const unsigned char *buf, size_t len,
    const struct secret *pass, struct keystore **out);
/* sealed_open_buffer in its two halves: the key Argon2id derives from
 * pass and the image's KDF fields (key: 32 bytes of sodium_malloc
 * memory), then the image opened with it.  The unit test's tamper sweep
 * changes every byte outside the KDF's inputs without running Argon2id
 * for each. */
int sealed_derive_key(const unsigned char *buf, size_t len,
    const struct secret *pass, unsigned char *key);
int sealed_open_derived(const unsigned char *buf, size_t len,
    const unsigned char *key, struct keystore **out);
/* sealed_open_buffer on a file (at most 64 KiB). */
int sealed_open(const char *path, const struct secret *pass,
    struct keystore **out);
/* Quorum sealing (manuals/offroot-sealed.5, share.h): the key is sealed
 * under a random 32-byte key whose Shamir shares the officers hold; the
 * header records m, n, the share set and each share file's SHA-256.  kdf
 * is the level the share files were sealed with (shown by status).
 * share_sha256[x - 1] is share x's file digest. */
int sealed_seal_quorum(struct keystore *ks, enum kdf_level kdf, unsigned m,
    unsigned n, const unsigned char set_id[SEALED_SET_ID_LEN],
    const unsigned char (*share_sha256)[32], const unsigned char key[32],
    unsigned char **out, size_t *outlen);
/* Opens a quorum image with the sealing key the shares rebuilt: OR_E_AUTH
 * when it does not open (too few or wrong shares), OR_E_INPUT when the
 * image is not sealed under a quorum. */
int sealed_open_key(const unsigned char *buf, size_t len,
    const unsigned char key[32], struct keystore **out);
/* For offroot migrate only (hsm/p11import.c): the private key of a store
 * sealed_open or sealed_generate made, as PKCS#8 DER in sodium_malloc
 * memory (*der: sodium_free it), or the key itself (borrowed; NULL for
 * another store).  Nothing else takes private bytes out of a store. */
int sealed_export_pkcs8(const struct keystore *ks, unsigned char **der,
    size_t *len);
EVP_PKEY *sealed_private(const struct keystore *ks);
/* Reads and checks the header only (no passphrase needed). */
int sealed_info(const char *path, struct sealed_info *info);
/* Parses a sealed file image (header and sizes, all the checks that need
 * no passphrase); for status and the fuzz target. */
int sealed_parse(const unsigned char *buf, size_t len,
    struct sealed_info *info);

#endif
