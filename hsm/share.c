/*
 * share.c — officer share files and the M-of-N quorum (share.h).  The
 * format is documented byte by byte in manuals/offroot-share.5; keep the
 * two in step.
 *
 * Secrets here: the sealing key K, the share values and the derived
 * passphrase keys.  They live only in sodium_malloc memory and are wiped
 * (sodium_free) on every path.
 */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "err.h"
#include "fileio.h"
#include "interact.h"
#include "keystore.h"
#include "secret.h"
#include "shamir.h"
#include "share.h"
#include "util.h"

#define SHARE_MAGIC		"OFFROOT\0SHARE\0\0\0"
#define SHARE_MAGIC_LEN		16
#define SHARE_VERSION		1
#define SHARE_KDF_ARGON2ID13	1
#define SHARE_SALT_LEN		16
#define SHARE_NONCE_LEN		24
#define SHARE_TAG_LEN		16
#define SHARE_KEY_LEN		32
#define SHARE_OPS_MAX		64
#define SHARE_MEM_MAX		(4ull << 30)
#define SHARE_OFFERED_MAX	64	/* shares looked at in one unlock */
#define SHARE_PICK_MAX		16	/* share files listed from one folder */

_Static_assert(sizeof(SHARE_MAGIC) == SHARE_MAGIC_LEN + 1, "magic size");
_Static_assert(SHARE_HDR_LEN == SHARE_MAGIC_LEN + 2 + 1 + 1 + 8 + 8 +
    SHARE_SALT_LEN + 4 + 32 + SEALED_SET_ID_LEN + SHARE_NONCE_LEN,
    "share header size");
_Static_assert(SHARE_FILE_LEN == SHARE_HDR_LEN + SHARE_VALUE_LEN +
    SHARE_TAG_LEN, "share file size");
_Static_assert(SHARE_SALT_LEN == crypto_pwhash_argon2id_SALTBYTES, "salt");
_Static_assert(SHARE_NONCE_LEN ==
    crypto_aead_xchacha20poly1305_ietf_NPUBBYTES, "nonce");
_Static_assert(SHARE_KEY_LEN == crypto_aead_xchacha20poly1305_ietf_KEYBYTES,
    "key");

/* Byte offsets (manuals/offroot-share.5). */
#define OFF_VERSION	16
#define OFF_KDF_ALG	18
#define OFF_KDF_LEVEL	19
#define OFF_OPS		20
#define OFF_MEM		28
#define OFF_SALT	36
#define OFF_M		52
#define OFF_N		53
#define OFF_X		54
#define OFF_RESERVED	55
#define OFF_KEY_ID	56
#define OFF_SET_ID	88
#define OFF_NONCE	104
#define OFF_CT		128

static uint64_t
share_get(const unsigned char *p, size_t n)
{
	uint64_t v = 0;
	size_t i;

	for (i = 0; i < n; i++)
		v = v << 8 | p[i];
	return v;
}

static void
share_put(unsigned char *p, uint64_t v, size_t n)
{
	size_t i;

	for (i = n; i > 0; i--) {
		p[i - 1] = (unsigned char)(v & 0xff);
		v >>= 8;
	}
}

int
share_parse(const unsigned char *buf, size_t len, struct share_info *info)
{
	struct share_info si;
	uint64_t pops, pmem;

	memset(&si, 0, sizeof si);
	if (buf == NULL || len < SHARE_MAGIC_LEN ||
	    memcmp(buf, SHARE_MAGIC, SHARE_MAGIC_LEN) != 0)
		return err_set(OR_E_CORRUPT, "not an offroot share file");
	if (len != SHARE_FILE_LEN)
		return err_set(OR_E_CORRUPT, "a share file is %d bytes, this "
		    "one %zu (truncated or extended)", SHARE_FILE_LEN, len);
	si.version = (unsigned)share_get(buf + OFF_VERSION, 2);
	if (si.version != SHARE_VERSION)
		return err_set(OR_E_CORRUPT, "share format version %u is not "
		    "one this offroot reads (1)", si.version);
	if (buf[OFF_KDF_ALG] != SHARE_KDF_ARGON2ID13)
		return err_set(OR_E_CORRUPT, "share file names an unknown KDF "
		    "(%u)", buf[OFF_KDF_ALG]);
	if (buf[OFF_KDF_LEVEL] < KDF_INTERACTIVE ||
	    buf[OFF_KDF_LEVEL] > KDF_SENSITIVE)
		return err_set(OR_E_CORRUPT, "share file names an unknown KDF "
		    "level (%u)", buf[OFF_KDF_LEVEL]);
	si.kdf = (enum kdf_level)buf[OFF_KDF_LEVEL];
	si.opslimit = share_get(buf + OFF_OPS, 8);
	si.memlimit = share_get(buf + OFF_MEM, 8);
	kdf_preset(si.kdf, &pops, &pmem);
	if (si.opslimit < pops || si.opslimit > SHARE_OPS_MAX ||
	    si.memlimit < pmem || si.memlimit > SHARE_MEM_MAX ||
	    si.memlimit > SIZE_MAX || si.memlimit % 1024 != 0)
		return err_set(OR_E_CORRUPT, "share file: KDF limits (%llu "
		    "passes, %llu bytes) outside what level %s allows",
		    (unsigned long long)si.opslimit,
		    (unsigned long long)si.memlimit, kdf_level_name(si.kdf));
	si.m = buf[OFF_M];
	si.n = buf[OFF_N];
	si.x = buf[OFF_X];
	if (si.m < 1 || si.m > si.n || si.n > SEALED_QUORUM_MAX_N ||
	    si.x < 1 || si.x > si.n || buf[OFF_RESERVED] != 0)
		return err_set(OR_E_CORRUPT, "share file: bad quorum fields "
		    "(share %u of a %u-of-%u quorum)", si.x, si.m, si.n);
	memcpy(si.key_id, buf + OFF_KEY_ID, sizeof si.key_id);
	memcpy(si.set_id, buf + OFF_SET_ID, sizeof si.set_id);
	if (info != NULL)
		*info = si;
	return OR_OK;
}

static int
share_derive(const struct secret *pass, const unsigned char *salt,
    uint64_t ops, uint64_t mem, unsigned char *key)
{
	if (crypto_pwhash(key, SHARE_KEY_LEN, pass->buf, pass->len, salt,
	    (unsigned long long)ops, (size_t)mem,
	    crypto_pwhash_ALG_ARGON2ID13) != 0)
		return err_set(OR_E_NOMEM, "deriving the share key needs %llu "
		    "MiB of memory that this machine did not give",
		    (unsigned long long)(mem >> 20));
	return OR_OK;
}

int
share_seal(const struct share_info *info, const unsigned char *value,
    const struct secret *pass, unsigned char out[SHARE_FILE_LEN])
{
	unsigned char *key = NULL;
	unsigned long long clen = 0;
	uint64_t ops, mem;
	int rc;

	if (pass == NULL || pass->len == 0)
		return err_set(OR_E_INPUT, "an empty passphrase cannot seal a "
		    "share");
	if (info->kdf < KDF_INTERACTIVE || info->kdf > KDF_SENSITIVE ||
	    info->m < 1 || info->m > info->n ||
	    info->n > SEALED_QUORUM_MAX_N || info->x < 1 ||
	    info->x > info->n)
		return err_set(OR_E_INPUT, "cannot seal share %u of a %u-of-%u "
		    "quorum", info->x, info->m, info->n);
	kdf_preset(info->kdf, &ops, &mem);
	memset(out, 0, SHARE_FILE_LEN);
	memcpy(out, SHARE_MAGIC, SHARE_MAGIC_LEN);
	share_put(out + OFF_VERSION, SHARE_VERSION, 2);
	out[OFF_KDF_ALG] = SHARE_KDF_ARGON2ID13;
	out[OFF_KDF_LEVEL] = (unsigned char)info->kdf;
	share_put(out + OFF_OPS, ops, 8);
	share_put(out + OFF_MEM, mem, 8);
	randombytes_buf(out + OFF_SALT, SHARE_SALT_LEN);
	out[OFF_M] = (unsigned char)info->m;
	out[OFF_N] = (unsigned char)info->n;
	out[OFF_X] = (unsigned char)info->x;
	memcpy(out + OFF_KEY_ID, info->key_id, sizeof info->key_id);
	memcpy(out + OFF_SET_ID, info->set_id, sizeof info->set_id);
	randombytes_buf(out + OFF_NONCE, SHARE_NONCE_LEN);
	if ((key = sodium_malloc(SHARE_KEY_LEN)) == NULL)
		return err_set(OR_E_NOMEM, "out of memory");
	if ((rc = share_derive(pass, out + OFF_SALT, ops, mem, key)) != OR_OK)
		goto out;
	if (crypto_aead_xchacha20poly1305_ietf_encrypt(out + OFF_CT, &clen,
	    value, SHARE_VALUE_LEN, out, SHARE_HDR_LEN, NULL,
	    out + OFF_NONCE, key) != 0 ||
	    clen != SHARE_VALUE_LEN + SHARE_TAG_LEN) {
		rc = err_set(OR_E_CRYPTO, "sealing the share failed");
		goto out;
	}
	rc = OR_OK;
out:
	sodium_free(key);
	if (rc != OR_OK)
		sodium_memzero(out, SHARE_FILE_LEN);
	return rc;
}

int
share_derive_key(const unsigned char *buf, size_t len,
    const struct secret *pass, unsigned char *key)
{
	struct share_info si;
	int rc;

	if ((rc = share_parse(buf, len, &si)) != OR_OK)
		return rc;
	if (pass == NULL || pass->len == 0)
		return err_set(OR_E_INPUT, "empty passphrase");
	return share_derive(pass, buf + OFF_SALT, si.opslimit, si.memlimit,
	    key);
}

int
share_open_derived(const unsigned char *buf, size_t len,
    const unsigned char *key, struct share_info *info, unsigned char *value)
{
	struct share_info si;
	unsigned long long vlen = 0;
	int rc;

	if ((rc = share_parse(buf, len, &si)) != OR_OK)
		return rc;
	if (crypto_aead_xchacha20poly1305_ietf_decrypt(value, &vlen, NULL,
	    buf + OFF_CT, SHARE_VALUE_LEN + SHARE_TAG_LEN, buf, SHARE_HDR_LEN,
	    buf + OFF_NONCE, key) != 0 || vlen != SHARE_VALUE_LEN) {
		sodium_memzero(value, SHARE_VALUE_LEN);
		return err_set(OR_E_AUTH, "wrong passphrase for this share, or "
		    "the share file was altered");
	}
	if (info != NULL)
		*info = si;
	return OR_OK;
}

int
share_open(const unsigned char *buf, size_t len, const struct secret *pass,
    struct share_info *info, unsigned char *value)
{
	unsigned char *key;
	int rc;

	if ((key = sodium_malloc(SHARE_KEY_LEN)) == NULL)
		return err_set(OR_E_NOMEM, "out of memory");
	if ((rc = share_derive_key(buf, len, pass, key)) == OR_OK)
		rc = share_open_derived(buf, len, key, info, value);
	sodium_free(key);
	return rc;
}

void
share_file_name(const struct share_info *info, char *buf, size_t size)
{
	char kid[65], sid[33];

	hex_encode(info->key_id, sizeof info->key_id, kid);
	hex_encode(info->set_id, sizeof info->set_id, sid);
	snprintf(buf, size, "offroot-%.8s-%.8s-share-%u-of-%u.share", kid, sid,
	    info->x, info->n);
}

/* ---- the quorum ---- */

int
share_quorum_parse(const char *text, unsigned *m, unsigned *n)
{
	unsigned long a, b;
	char *end;

	errno = 0;
	a = strtoul(text, &end, 10);
	if (errno != 0 || end == text || *end != '/' || text[0] == '-' ||
	    end[1] == '-')
		goto bad;
	text = end + 1;
	b = strtoul(text, &end, 10);
	if (errno != 0 || end == text || *end != '\0')
		goto bad;
	if (a < 1 || a > b || b > SEALED_QUORUM_MAX_N)
		goto bad;
	*m = (unsigned)a;
	*n = (unsigned)b;
	return OR_OK;
bad:
	return err_set(OR_E_USAGE, "--quorum: expected M/N with 1 <= M <= N "
	    "<= %d, such as 3/5", SEALED_QUORUM_MAX_N);
}

void
share_free_passphrases(struct secret **pass, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++) {
		secret_free(pass[i]);
		pass[i] = NULL;
	}
}

void
share_quorum_warn(struct interact *io, unsigned m, unsigned n,
    size_t nshare_dirs)
{
	if (m == 1)
		interact_say(io, SAY_WARN, "a 1-of-%u quorum: each officer's "
		    "share alone opens the key, so each officer holds the "
		    "whole key", n);
	if (nshare_dirs == 1 && n > 1)
		interact_say(io, SAY_WARN, "all %u share files go to one "
		    "folder; hand each officer their own file and remove it "
		    "from there, or the quorum protects nothing", n);
}

int
share_ask_passphrases(struct interact *io, unsigned n, size_t min_len,
    struct secret **pass)
{
	char prompt[160];
	unsigned i;
	int rc = OR_OK;

	for (i = 0; i < n; i++)
		pass[i] = NULL;
	for (i = 0; i < n; i++) {
		if (io->new_share_secret != NULL &&
		    (rc = io->new_share_secret(io, i, &pass[i])) != OR_OK)
			goto out;
		if (pass[i] == NULL) {
			snprintf(prompt, sizeof prompt, "Officer %u of %u: new "
			    "passphrase for share %u", i + 1, n, i + 1);
			if ((rc = io->ask_secret(io, prompt, true, &pass[i])) !=
			    OR_OK)
				goto out;
		}
		if (pass[i]->len < min_len) {
			rc = err_set(OR_E_INPUT, "officer %u's passphrase is "
			    "shorter than %zu characters", i + 1, min_len);
			goto out;
		}
	}
out:
	if (rc != OR_OK)
		share_free_passphrases(pass, n);
	return rc;
}

void
share_quorum_free(struct share_quorum *q)
{
	if (q == NULL)
		return;
	free(q->key_image);
	free(q);
}

/* Checks our own output: shares open, windows of m rebuild key, the key
 * file opens with key to ks's key. */
static int
share_quorum_check(const struct share_quorum *q, struct keystore *ks,
    struct secret *const *pass, const unsigned char *key,
    const unsigned char *values, struct interact *io)
{
	struct keystore *check = NULL;
	unsigned char *v = NULL, *ys = NULL, xs[SEALED_QUORUM_MAX_N];
	unsigned i, j, x;
	int rc;

	if ((v = sodium_malloc(SHARE_VALUE_LEN)) == NULL ||
	    (ys = sodium_malloc((size_t)q->m * SHARE_VALUE_LEN)) == NULL) {
		rc = err_set(OR_E_NOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < q->n; i++) {
		io->progress(io, "Checking a share file opens (Argon2id)",
		    (double)i / q->n);
		if ((rc = share_open(q->image[i], SHARE_FILE_LEN, pass[i], NULL,
		    v)) != OR_OK ||
		    sodium_memcmp(v, values + (size_t)i * SHARE_VALUE_LEN,
		    SHARE_VALUE_LEN) != 0) {
			rc = err_set(OR_E_CRYPTO, "share %u did not open to its "
			    "value", i + 1);
			goto out;
		}
	}
	io->progress(io, NULL, 1);
	/* n windows of m consecutive shares (mod n): every share is used. */
	for (i = 0; i < q->n; i++) {
		for (j = 0; j < q->m; j++) {
			x = (i + j) % q->n;
			xs[j] = (unsigned char)(x + 1);
			memcpy(ys + (size_t)j * SHARE_VALUE_LEN,
			    values + (size_t)x * SHARE_VALUE_LEN,
			    SHARE_VALUE_LEN);
		}
		if ((rc = shamir_combine(xs, ys, q->m, SHARE_VALUE_LEN, v)) !=
		    OR_OK)
			goto out;
		if (sodium_memcmp(v, key, SHARE_VALUE_LEN) != 0) {
			rc = err_set(OR_E_CRYPTO, "shares %u.. did not rebuild "
			    "the sealing key", i + 1);
			goto out;
		}
	}
	if ((rc = sealed_open_key(q->key_image, q->key_len, key, &check)) !=
	    OR_OK) {
		rc = err_context(OR_E_CRYPTO, "the new key file did not open");
		goto out;
	}
	if (EVP_PKEY_eq(check->pub, ks->pub) != 1) {
		rc = err_set(OR_E_CRYPTO, "the new key file opened to a "
		    "different key");
		goto out;
	}
	rc = OR_OK;
out:
	keystore_close(check);
	sodium_free(v);
	sodium_free(ys);
	return rc;
}

int
share_quorum_seal(struct keystore *ks, unsigned m, unsigned n,
    enum kdf_level kdf, struct secret *const *pass, struct interact *io,
    struct share_quorum **out)
{
	struct share_quorum *q = NULL;
	struct share_info si;
	unsigned char *key = NULL, *values = NULL;
	unsigned i;
	int rc;

	*out = NULL;
	if (m < 1 || m > n || n > SEALED_QUORUM_MAX_N)
		return err_set(OR_E_INPUT, "a quorum of %u of %u officers is "
		    "not one offroot makes", m, n);
	if ((q = calloc(1, sizeof *q)) == NULL ||
	    (key = sodium_malloc(SHARE_KEY_LEN)) == NULL ||
	    (values = sodium_malloc((size_t)n * SHARE_VALUE_LEN)) == NULL) {
		rc = err_set(OR_E_NOMEM, "out of memory");
		goto out;
	}
	q->m = m;
	q->n = n;
	q->kdf = kdf;
	randombytes_buf(key, SHARE_KEY_LEN);
	randombytes_buf(q->set_id, sizeof q->set_id);
	if ((rc = shamir_split(key, SHARE_KEY_LEN, m, n, values)) != OR_OK)
		goto out;
	memset(&si, 0, sizeof si);
	si.version = SHARE_VERSION;
	si.kdf = kdf;
	si.m = m;
	si.n = n;
	memcpy(si.set_id, q->set_id, sizeof si.set_id);
	if ((rc = pubkey_sha256(ks->pub, si.key_id)) != OR_OK)
		goto out;
	for (i = 0; i < n; i++) {
		io->progress(io, "Sealing the officers' shares (Argon2id)",
		    (double)i / n);
		si.x = i + 1;
		if ((rc = share_seal(&si, values + (size_t)i * SHARE_VALUE_LEN,
		    pass[i], q->image[i])) != OR_OK ||
		    (rc = sha256(q->image[i], SHARE_FILE_LEN, q->digest[i])) !=
		    OR_OK)
			goto out;
		share_file_name(&si, q->name[i], sizeof q->name[i]);
	}
	io->progress(io, NULL, 1);
	if ((rc = sealed_seal_quorum(ks, kdf, m, n, q->set_id,
	    (const unsigned char (*)[32])q->digest, key, &q->key_image,
	    &q->key_len)) != OR_OK)
		goto out;
	if ((rc = share_quorum_check(q, ks, pass, key, values, io)) != OR_OK)
		goto out;
	*out = q;
	q = NULL;
	rc = OR_OK;
out:
	sodium_free(key);
	sodium_free(values);
	share_quorum_free(q);
	return rc;
}

void
share_quorum_unwrite(struct share_quorum *q)
{
	char dir[PATH_MAX];
	unsigned i;

	for (i = 0; i < q->n; i++)
		if (q->written[i]) {
			unlink(q->path[i]);
			file_dirname(q->path[i], dir, sizeof dir);
			(void)file_sync_dir(dir);
			q->written[i] = false;
		}
}

int
share_quorum_write(struct share_quorum *q, const char *const *dirs,
    size_t ndirs)
{
	char saved[1024];
	unsigned i;
	int rc;

	if (ndirs != 1 && ndirs != q->n)
		return err_set(OR_E_USAGE, "give --share-dir once (every share "
		    "file in one folder) or %u times, one per officer, not "
		    "%zu times", q->n, ndirs);
	for (i = 0; i < q->n; i++) {
		if ((rc = file_join(q->path[i], sizeof q->path[i],
		    dirs[ndirs == 1 ? 0 : i], q->name[i])) != OR_OK)
			goto fail;
		if ((rc = file_write_new(q->path[i], q->image[i],
		    SHARE_FILE_LEN, 0600)) != OR_OK) {
			rc = err_context(rc, "officer %u's share", i + 1);
			goto fail;
		}
		q->written[i] = true;
	}
	return OR_OK;
fail:
	snprintf(saved, sizeof saved, "%s", err_msg(rc));
	share_quorum_unwrite(q);
	return err_set(rc, "%s", saved);
}

/* ---- opening ---- */

struct share_got {
	unsigned have;
	unsigned char xs[SEALED_QUORUM_MAX_N];
	size_t place[SEALED_QUORUM_MAX_N];	/* 1-based place offered */
	unsigned char *ys;			/* sodium_malloc */
	char problem[512];			/* the first one */
};

static void __attribute__((format(printf, 3, 4)))
share_problem(struct interact *io, struct share_got *g, const char *fmt,
    ...)
{
	char text[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	interact_say(io, SAY_WARN, "%s", text);
	if (g->problem[0] == '\0')
		snprintf(g->problem, sizeof g->problem, "%s", text);
}

/* The next share offered: OR_E_CANCEL when no more are. */
static int
share_next(struct interact *io, size_t k, bool *listed,
    const struct sealed_info *si, unsigned have, char *path, size_t size,
    struct secret **pass)
{
	char prompt[256];
	int rc;

	*pass = NULL;
	if (io->share != NULL && (k == 0 || *listed)) {
		rc = io->share(io, k, path, size, pass);
		if (rc == OR_OK)
			*listed = true;
		if (rc != OR_E_CANCEL || *listed)
			return rc;
		err_clear();
	}
	snprintf(prompt, sizeof prompt, "Share %zu (%u-of-%u quorum, need %u "
	    "more): next officer, insert your media and give your share "
	    "file, or your media's folder (empty: no more shares)", k + 1,
	    si->quorum_m, si->quorum_n, si->quorum_m - have);
	if ((rc = io->ask(io, prompt, path, size)) != OR_OK) {
		if (rc == OR_E_ENV || rc == OR_E_CANCEL) {
			err_clear();
			return OR_E_CANCEL;
		}
		return rc;
	}
	return path[0] == '\0' ? OR_E_CANCEL : OR_OK;
}

/* A folder given for a share (an officer's media): the share files in it
 * of this CA's current set and not given yet.  One is taken; among
 * several the officer chooses.  *skip: none (reported), path unset. */
static int
share_pick(struct interact *io, struct share_got *g, size_t k,
    const struct sealed_info *si, char *path, size_t size, bool *skip)
{
	char dir[PATH_MAX], names[SHARE_PICK_MAX][SHARE_NAME_MAX];
	char full[PATH_MAX], prompt[PATH_MAX + 128];
	const char *opts[SHARE_PICK_MAX + 1];
	struct share_info sh;
	struct dirent *de;
	unsigned char *buf;
	size_t n = 0, len, nlen, i, choice;
	DIR *d;
	int rc;

	*skip = true;
	snprintf(dir, sizeof dir, "%s", path);
	if ((d = opendir(dir)) == NULL) {
		share_problem(io, g, "share %zu: cannot read the folder %s: "
		    "%s", k + 1, dir, strerror(errno));
		return OR_OK;
	}
	while ((de = readdir(d)) != NULL && n < SHARE_PICK_MAX) {
		nlen = strlen(de->d_name);
		if (de->d_name[0] == '.' || nlen < 7 || nlen >= SHARE_NAME_MAX ||
		    strcmp(de->d_name + nlen - 6, ".share") != 0 ||
		    file_join(full, sizeof full, dir, de->d_name) != OR_OK)
			continue;
		buf = NULL;
		if (file_read(full, 4096, &buf, &len) != OR_OK) {
			err_clear();
			continue;
		}
		rc = share_parse(buf, len, &sh);
		free(buf);
		if (rc != OR_OK) {
			err_clear();
			continue;
		}
		if (memcmp(sh.key_id, si->pubkey_sha256, SHA256_LEN) != 0 ||
		    memcmp(sh.set_id, si->set_id, SEALED_SET_ID_LEN) != 0)
			continue;
		for (i = 0; i < g->have; i++)
			if (g->xs[i] == sh.x)
				break;
		if (i < g->have)
			continue;
		memcpy(names[n], de->d_name, nlen + 1);
		opts[n] = names[n];
		n++;
	}
	closedir(d);
	if (n == 0) {
		share_problem(io, g, "share %zu: %s holds no share file of "
		    "this CA's current share set that was not given already",
		    k + 1, dir);
		return OR_OK;
	}
	choice = 0;
	if (n > 1) {
		opts[n] = "none of these";
		snprintf(prompt, sizeof prompt, "Share %zu: which share file "
		    "in %s is yours?", k + 1, dir);
		if ((rc = io->choose(io, prompt, opts, n + 1, &choice)) !=
		    OR_OK)
			return rc;
		if (choice == n)
			return OR_OK;
	}
	*skip = false;
	if (file_join(path, size, dir, names[choice]) != OR_OK)
		return err_set(OR_E_INPUT, "%s: path too long", dir);
	interact_say(io, SAY_INFO, "share %zu: %s", k + 1, path);
	return OR_OK;
}

/* Checks share file buf (offered in place k+1) against the key file's
 * header; returns its x, or 0 after reporting the problem. */
static unsigned
share_vet(struct interact *io, struct share_got *g, size_t k,
    const char *path, const unsigned char *buf, size_t len,
    const struct sealed_info *si)
{
	struct share_info sh;
	unsigned char md[SHA256_LEN];
	char kid[65], want[65];
	unsigned i;

	if (share_parse(buf, len, &sh) != OR_OK) {
		share_problem(io, g, "share %zu (%s): %s", k + 1, path,
		    err_msg(OR_E_CORRUPT));
		return 0;
	}
	if (memcmp(sh.key_id, si->pubkey_sha256, SHA256_LEN) != 0) {
		hex_encode(sh.key_id, 4, kid);
		hex_encode(si->pubkey_sha256, 4, want);
		share_problem(io, g, "share %zu (%s) belongs to another CA "
		    "(key id %s, this CA's is %s)", k + 1, path, kid, want);
		return 0;
	}
	if (memcmp(sh.set_id, si->set_id, SEALED_SET_ID_LEN) != 0 ||
	    sh.m != si->quorum_m || sh.n != si->quorum_n) {
		hex_encode(sh.set_id, 4, kid);
		hex_encode(si->set_id, 4, want);
		share_problem(io, g, "share %zu (%s) is officer %u's share of "
		    "another share set (%s, %u-of-%u; the key file uses set "
		    "%s): an old share, replaced by a reshare?", k + 1, path,
		    sh.x, kid, sh.m, sh.n, want);
		return 0;
	}
	if (sha256(buf, len, md) != OR_OK ||
	    sodium_memcmp(md, si->share_sha256[sh.x - 1], SHA256_LEN) != 0) {
		share_problem(io, g, "share %zu (%s, officer %u's share) is "
		    "damaged or altered: its SHA-256 is not the one the key "
		    "file records", k + 1, path, sh.x);
		return 0;
	}
	for (i = 0; i < g->have; i++)
		if (g->xs[i] == sh.x) {
			share_problem(io, g, "share %zu (%s) is officer %u's "
			    "share again: it was already given as share %zu",
			    k + 1, path, sh.x, g->place[i]);
			return 0;
		}
	return sh.x;
}

/*
 * Share k as offered at path (a folder: the officer picks the share file
 * in it), with its passphrase pass (NULL: asked here; taken and wiped).
 * A share that is unreadable, not of this set, or that does not open is
 * reported and skipped (OR_OK); an accepted one goes into g.
 */
static int
share_take(struct interact *io, struct share_got *g, size_t k,
    const struct sealed_info *si, char *path, size_t size,
    struct secret *pass)
{
	char prompt[PATH_MAX + 128];
	const char *base;
	unsigned char *buf = NULL;
	size_t blen = 0;
	struct stat st;
	bool skip;
	unsigned x;
	int rc;

	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		if ((rc = share_pick(io, g, k, si, path, size, &skip)) !=
		    OR_OK || skip)
			goto out;
	}
	if ((rc = file_read(path, 4096, &buf, &blen)) != OR_OK) {
		share_problem(io, g, "share %zu: %s", k + 1, err_msg(rc));
		rc = OR_OK;
		goto out;
	}
	rc = OR_OK;
	if ((x = share_vet(io, g, k, path, buf, blen, si)) == 0)
		goto out;
	if (pass == NULL) {
		base = strrchr(path, '/');
		snprintf(prompt, sizeof prompt, "Officer %u: enter your "
		    "passphrase (share %zu, %s)", x, k + 1,
		    base != NULL ? base + 1 : path);
		if ((rc = io->ask_secret(io, prompt, false, &pass)) != OR_OK)
			goto out;
	}
	io->progress(io, "Opening the share (Argon2id)", -1);
	rc = share_open(buf, blen, pass, NULL,
	    g->ys + (size_t)g->have * SHARE_VALUE_LEN);
	io->progress(io, NULL, 1);
	if (rc == OR_E_AUTH) {
		share_problem(io, g, "share %zu (%s, officer %u's share): "
		    "wrong passphrase", k + 1, path, x);
		rc = OR_OK;
		goto out;
	}
	if (rc != OR_OK)
		goto out;
	g->xs[g->have] = (unsigned char)x;
	g->place[g->have] = k + 1;
	g->have++;
	if (g->have < si->quorum_m)
		interact_say(io, SAY_INFO, "share %zu: officer %u's share "
		    "accepted (%u of %u): need %u more", k + 1, x, g->have,
		    si->quorum_m, si->quorum_m - g->have);
	else
		interact_say(io, SAY_INFO, "share %zu: officer %u's share "
		    "accepted (%u of %u): opening the key", k + 1, x, g->have,
		    si->quorum_m);
out:
	secret_free(pass);
	free(buf);
	return rc;
}

int
share_quorum_open(const unsigned char *img, size_t len, struct interact *io,
    struct keystore **out)
{
	struct sealed_info si;
	struct share_got g;
	struct secret *pass = NULL;
	unsigned char *key = NULL;
	char path[PATH_MAX];
	size_t k;
	bool listed = false;
	int rc;

	*out = NULL;
	memset(&g, 0, sizeof g);
	if ((rc = sealed_parse(img, len, &si)) != OR_OK)
		return rc;
	if (si.quorum_n == 0)
		return err_set(OR_E_INPUT, "this key is sealed under one "
		    "passphrase, not officer shares");
	if ((g.ys = sodium_malloc((size_t)si.quorum_m * SHARE_VALUE_LEN)) ==
	    NULL || (key = sodium_malloc(SHARE_KEY_LEN)) == NULL) {
		rc = err_set(OR_E_NOMEM, "out of memory");
		goto out;
	}
	for (k = 0; g.have < si.quorum_m && k < SHARE_OFFERED_MAX; k++) {
		rc = share_next(io, k, &listed, &si, g.have, path, sizeof path,
		    &pass);
		if (rc == OR_E_CANCEL)
			break;
		if (rc != OR_OK)
			goto out;
		rc = share_take(io, &g, k, &si, path, sizeof path, pass);
		pass = NULL;
		if (rc != OR_OK)
			goto out;
	}
	if (g.have < si.quorum_m) {
		rc = err_set(OR_E_AUTH, "a %u-of-%u quorum: %u valid share%s, "
		    "need %u more%s%s", si.quorum_m, si.quorum_n, g.have,
		    g.have == 1 ? "" : "s", si.quorum_m - g.have,
		    g.problem[0] != '\0' ? "; " : "", g.problem);
		goto out;
	}
	if ((rc = shamir_combine(g.xs, g.ys, g.have, SHARE_VALUE_LEN, key)) !=
	    OR_OK)
		goto out;
	if ((rc = sealed_open_key(img, len, key, out)) != OR_OK)
		goto out;
	rc = OR_OK;
out:
	secret_free(pass);
	sodium_free(g.ys);
	sodium_free(key);
	return rc;
}
