/*
 * share.h — officer share files and the M-of-N quorum over a sealed key.
 *
 * A quorum key file (keystore.h, manuals/offroot-sealed.5) is sealed under
 * a random 32-byte key K.  K is split with Shamir's scheme (shamir.h) into
 * N shares; share x is sealed with officer x's passphrase (Argon2id,
 * XChaCha20-Poly1305) into its own share file, 176 bytes, documented in
 * manuals/offroot-share.5:
 *
 *   off  size  field (integers big-endian)
 *     0    16  magic "OFFROOT\0SHARE\0\0\0"
 *    16     2  format version (1)
 *    18     1  KDF algorithm (1 = Argon2id v1.3)
 *    19     1  KDF level (enum kdf_level)
 *    20     8  opslimit
 *    28     8  memlimit (bytes)
 *    36    16  salt
 *    52     1  quorum M
 *    53     1  quorum N
 *    54     1  share index x (1..N): the Shamir x-coordinate
 *    55     1  reserved, 0
 *    56    32  key id: SHA-256 of the root key's SubjectPublicKeyInfo DER
 *    88    16  share set id (as in the key file's quorum section)
 *   104    24  nonce
 *   128    48  ciphertext: the 32-byte share value, then the 16-byte tag
 *
 * The associated data is bytes 0..127.  The key file's authenticated
 * header records each share file's SHA-256, so a share that is damaged,
 * of another set or of another CA is named before any KDF runs; a wrong
 * passphrase is named by its share when the tag fails.
 */
#ifndef OFFROOT_SHARE_H
#define OFFROOT_SHARE_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "keystore.h"

#define SHARE_FILE_LEN		176
#define SHARE_HDR_LEN		128
#define SHARE_VALUE_LEN		32
#define SHARE_NAME_MAX		96

struct share_info {
	unsigned version;
	enum kdf_level kdf;
	uint64_t opslimit, memlimit;
	unsigned m, n, x;
	unsigned char key_id[32];
	unsigned char set_id[SEALED_SET_ID_LEN];
};

/* Checks everything that needs no passphrase (OR_E_CORRUPT). */
int share_parse(const unsigned char *buf, size_t len, struct share_info *info);
/* Seals value (SHARE_VALUE_LEN bytes) under pass with info's header (the
 * KDF limits are the level's preset; salt and nonce are fresh). */
int share_seal(const struct share_info *info, const unsigned char *value,
    const struct secret *pass, unsigned char out[SHARE_FILE_LEN]);
/* Opens a share file image: OR_E_CORRUPT (share_parse), OR_E_AUTH for a
 * wrong passphrase or altered bytes.  value: SHARE_VALUE_LEN bytes of
 * sodium_malloc memory. */
int share_open(const unsigned char *buf, size_t len, const struct secret *pass,
    struct share_info *info, unsigned char *value);
/* share_open in its two halves: the key Argon2id derives from pass and
 * the image's KDF fields (key: 32 bytes of sodium_malloc memory), then
 * the image opened with it.  The unit test's tamper sweep changes every
 * byte outside the KDF's inputs without running Argon2id for each. */
int share_derive_key(const unsigned char *buf, size_t len,
    const struct secret *pass, unsigned char *key);
int share_open_derived(const unsigned char *buf, size_t len,
    const unsigned char *key, struct share_info *info, unsigned char *value);
/* "offroot-<key id 8 hex>-<set id 8 hex>-share-<x>-of-<n>.share" */
void share_file_name(const struct share_info *info, char *buf, size_t size);

/* ---- the quorum ---- */

/* "M/N" with 1 <= M <= N <= SEALED_QUORUM_MAX_N (OR_E_USAGE). */
int share_quorum_parse(const char *text, unsigned *m, unsigned *n);

/* Asks the n new officers' passphrases in turn (interact's
 * new_share_secret, else ask_secret twice with a prompt naming the
 * officer); each at least min_len bytes.  pass[0..n-1] are set; on
 * failure every one is freed. */
int share_ask_passphrases(struct interact *io, unsigned n, size_t min_len,
    struct secret **pass);
void share_free_passphrases(struct secret **pass, unsigned n);
/* The warnings a new M-of-N share set may deserve: M = 1 (each officer
 * holds the whole key), and all N share files going to one folder. */
void share_quorum_warn(struct interact *io, unsigned m, unsigned n,
    size_t nshare_dirs);

/* A new share set: the key file image sealed under a fresh random key,
 * and one share file image per officer.  Nothing secret stays in it. */
struct share_quorum {
	unsigned m, n;
	enum kdf_level kdf;
	unsigned char set_id[SEALED_SET_ID_LEN];
	unsigned char image[SEALED_QUORUM_MAX_N][SHARE_FILE_LEN];
	unsigned char digest[SEALED_QUORUM_MAX_N][32];
	char name[SEALED_QUORUM_MAX_N][SHARE_NAME_MAX];
	char path[SEALED_QUORUM_MAX_N][PATH_MAX];	/* once written */
	bool written[SEALED_QUORUM_MAX_N];
	unsigned char *key_image;	/* the sealed key file */
	size_t key_len;
};

/* Seals ks under a fresh key split m-of-n, the shares under pass[0..n-1]
 * at level kdf, then checks its own output: every share opens under its
 * passphrase to its value, n windows of m shares rebuild the key, and the
 * key file opens with it to the same key.  Writes nothing. */
int share_quorum_seal(struct keystore *ks, unsigned m, unsigned n,
    enum kdf_level kdf, struct secret *const *pass, struct interact *io,
    struct share_quorum **out);
/* Writes share x to dirs[x-1] (ndirs == n) or all to dirs[0] (ndirs ==
 * 1), with file_write_new (mode 0600, never over an existing file, read
 * back).  On failure the share files written so far are removed. */
int share_quorum_write(struct share_quorum *q, const char *const *dirs,
    size_t ndirs);
/* Removes the share files share_quorum_write wrote (a failed creation). */
void share_quorum_unwrite(struct share_quorum *q);
void share_quorum_free(struct share_quorum *q);

/* Opens a quorum key file image: collects shares through io (interact's
 * share, else ask and ask_secret officer by officer), checks each before
 * its KDF runs and names a bad one by its place and officer (a warning;
 * the share is skipped), stops at M valid shares and rebuilds the key.
 * Fewer than M: OR_E_AUTH "... need K more". */
int share_quorum_open(const unsigned char *img, size_t len, struct interact *io,
    struct keystore **out);

#endif
