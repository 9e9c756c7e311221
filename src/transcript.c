/*
 * transcript.c — the tamper-evident record of one operation (transcript.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <sodium.h>

#include "cadb.h"
#include "err.h"
#include "fileio.h"
#include "transcript.h"
#include "util.h"

#define SEAL_CONTEXT	"offroot-transcript-seal-v1\n"

int
self_sha256_hex(char out[65])
{
	return file_sha256_hex("/proc/self/exe", out);
}

int
transcript_begin(const char *dir, const char *operation,
    struct transcript **out)
{
	struct transcript *t;
	char tdir[PATH_MAX], stamp[21], exe[65], rnd[9];
	unsigned char r[4];
	struct tm tm;
	time_t now = time(NULL);
	int rc;

	*out = NULL;
	if ((t = calloc(1, sizeof *t)) == NULL)
		return err_set(OR_E_NOMEM, "out of memory");
	snprintf(t->operation, sizeof t->operation, "%s", operation);
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
	randombytes_buf(r, sizeof r);
	hex_encode(r, sizeof r, rnd);
	snprintf(t->name, sizeof t->name, "%s-%s-%s.log", stamp, operation,
	    rnd);
	if ((rc = cadb_path(dir, CADB_TRANSCRIPTS, tdir, sizeof tdir)) != OR_OK ||
	    (rc = file_join(t->path, sizeof t->path, tdir, t->name)) != OR_OK)
		goto fail;
	if ((rc = journal_create(t->path)) != OR_OK ||
	    (rc = journal_open(t->path, NULL, NULL, &t->journal)) != OR_OK)
		goto fail;
	if (self_sha256_hex(exe) != OR_OK)
		snprintf(exe, sizeof exe, "unknown");
	{
		struct jfields f;

		jf_init(&f);
		jf_add(&f, "operation", operation);
		jf_add(&f, "tool", "offroot " OFFROOT_VERSION);
		jf_add(&f, "binary_sha256", exe);
		if ((rc = transcript_add(t, "begin", &f)) != OR_OK)
			goto fail;
	}
	*out = t;
	return OR_OK;
fail:
	transcript_free(t);
	return rc;
}

int
transcript_add(struct transcript *t, const char *type,
    const struct jfields *f)
{
	int rc;

	if ((rc = journal_append_fields(t->journal, type, f, NULL)) != OR_OK)
		return err_context(rc, "transcript %s", t->name);
	return OR_OK;
}

/* The message a seal signs: a context string and the end record's hash. */
static void
seal_message(const unsigned char hash[32], unsigned char *msg, size_t *len)
{
	memcpy(msg, SEAL_CONTEXT, sizeof SEAL_CONTEXT - 1);
	memcpy(msg + sizeof SEAL_CONTEXT - 1, hash, 32);
	*len = sizeof SEAL_CONTEXT - 1 + 32;
}

int
transcript_close(struct transcript *t, uint64_t journal_seq,
    const unsigned char journal_head[32], struct keystore *ks,
    unsigned char final_hash[32])
{
	unsigned char end_hash[32], msg[64], *sig = NULL;
	char seqtext[24], headhex[65], *sighex = NULL;
	const char *digest;
	size_t msglen, siglen = 0;
	int rc;

	snprintf(seqtext, sizeof seqtext, "%llu",
	    (unsigned long long)journal_seq);
	hex_encode(journal_head, 32, headhex);
	/* End and seal are written together or not at all: a key store that
	 * fails (a token pulled out) leaves the transcript open, the record
	 * of an interrupted run, never closed without its seal. */
	if (ks != NULL && (rc = journal_hold(t->journal)) != OR_OK)
		return err_context(rc, "transcript %s", t->name);
	{
		struct jfields f;

		jf_init(&f);
		jf_add(&f, "journal_seq", seqtext);
		jf_add(&f, "journal_head", headhex);
		if ((rc = journal_append_fields(t->journal, "end", &f, end_hash))
		    != OR_OK) {
			if (ks != NULL)
				journal_drop(t->journal);
			return err_context(rc, "transcript %s", t->name);
		}
	}
	if (ks != NULL) {
		digest = keytype_default_digest(ks->type);
		seal_message(end_hash, msg, &msglen);
		if ((rc = keystore_sign(ks, digest, msg, msglen, &sig, &siglen))
		    != OR_OK) {
			journal_drop(t->journal);
			return rc;
		}
		if ((sighex = malloc(2 * siglen + 1)) == NULL) {
			OPENSSL_free(sig);
			journal_drop(t->journal);
			return err_set(OR_E_NOMEM, "out of memory");
		}
		hex_encode(sig, siglen, sighex);
		{
			struct jfields f;

			jf_init(&f);
			jf_add(&f, "key_type", keytype_name(ks->type));
			jf_add(&f, "digest", digest != NULL ? digest : "none");
			jf_add(&f, "signature", sighex);
			rc = journal_append_fields(t->journal, "seal", &f,
			    end_hash);
		}
		OPENSSL_free(sig);
		free(sighex);
		if (rc == OR_OK)
			rc = journal_commit(t->journal);
		else
			journal_drop(t->journal);
		if (rc != OR_OK)
			return err_context(rc, "transcript %s", t->name);
	}
	if (final_hash != NULL)
		memcpy(final_hash, end_hash, 32);
	return OR_OK;
}

int
transcript_finish(struct transcript *t, struct journal *j, struct keystore *ks)
{
	unsigned char final[32];
	char finalhex[65], filehash[65];
	int rc;

	if ((rc = transcript_close(t, journal_seq(j), journal_head(j), ks,
	    final)) != OR_OK)
		return rc;
	if ((rc = file_sha256_hex(t->path, filehash)) != OR_OK)
		return rc;
	hex_encode(final, 32, finalhex);
	{
		struct jfields f;

		jf_init(&f);
		jf_add(&f, "file", t->name);
		jf_add(&f, "operation", t->operation);
		jf_add(&f, "sha256", filehash);
		jf_add(&f, "final_hash", finalhex);
		return journal_append_fields(j, "transcript", &f, NULL);
	}
}

void
transcript_free(struct transcript *t)
{
	if (t == NULL)
		return;
	if (t->journal != NULL)
		journal_close(t->journal);
	free(t);
}

struct verify_ctx {
	struct transcript_info *info;
	EVP_PKEY *pub;
	unsigned char last_hash[32];
	int rc;
};

static int
verify_seal(const struct jrecord *r, struct verify_ctx *v)
{
	const char *sighex = jrecord_get(r, "signature");
	const char *digest = jrecord_get(r, "digest");
	unsigned char msg[64], *sig = NULL;
	const EVP_MD *md = NULL;
	EVP_MD_CTX *mctx = NULL;
	size_t msglen, siglen;
	int rc = OR_OK;

	if (sighex == NULL || digest == NULL || strlen(sighex) % 2 != 0 ||
	    strlen(sighex) > 2048)
		return err_set(OR_E_CORRUPT, "seal record %llu is malformed",
		    (unsigned long long)r->seq);
	siglen = strlen(sighex) / 2;
	if ((sig = malloc(siglen + 1)) == NULL)
		return err_set(OR_E_NOMEM, "out of memory");
	if (hex_decode(sighex, sig, siglen) != OR_OK) {
		rc = err_set(OR_E_CORRUPT, "seal record %llu is malformed",
		    (unsigned long long)r->seq);
		goto out;
	}
	if (strcmp(digest, "none") != 0 &&
	    (md = EVP_get_digestbyname(digest)) == NULL) {
		rc = err_set(OR_E_CORRUPT, "seal uses unknown digest %s", digest);
		goto out;
	}
	seal_message(v->last_hash, msg, &msglen);
	if ((mctx = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestVerifyInit(mctx, NULL, md, NULL, v->pub) != 1 ||
	    EVP_DigestVerify(mctx, sig, siglen, msg, msglen) != 1) {
		ERR_clear_error();
		rc = err_set(OR_E_VERIFY, "the transcript's seal does not "
		    "verify with the root key");
		goto out;
	}
out:
	EVP_MD_CTX_free(mctx);
	free(sig);
	return rc;
}

static int
verify_visit(const struct jrecord *r, void *vctx)
{
	struct verify_ctx *v = vctx;
	struct transcript_info *info = v->info;
	const char *s;
	int rc;

	info->records = r->seq;
	if (info->sealed)
		return err_set(OR_E_CORRUPT, "record %llu follows the seal",
		    (unsigned long long)r->seq);
	if (r->seq == 1) {
		if (strcmp(r->type, "begin") != 0)
			return err_set(OR_E_CORRUPT, "record 1 is not begin");
		snprintf(info->operation, sizeof info->operation, "%s",
		    (s = jrecord_get(r, "operation")) != NULL ? s : "");
	} else if (strcmp(r->type, "end") == 0) {
		if (info->closed)
			return err_set(OR_E_CORRUPT, "two end records");
		info->closed = true;
		if ((s = jrecord_get(r, "journal_seq")) != NULL)
			info->journal_seq = strtoull(s, NULL, 10);
		if ((s = jrecord_get(r, "journal_head")) == NULL ||
		    hex_decode(s, info->journal_head, 32) != OR_OK)
			return err_set(OR_E_CORRUPT, "end record malformed");
	} else if (strcmp(r->type, "seal") == 0) {
		if (!info->closed)
			return err_set(OR_E_CORRUPT, "seal before end");
		if (v->pub != NULL && (rc = verify_seal(r, v)) != OR_OK)
			return rc;
		info->sealed = true;
	} else if (info->closed) {
		return err_set(OR_E_CORRUPT, "record %llu follows the end",
		    (unsigned long long)r->seq);
	} else if (strcmp(r->type, "failed") == 0) {
		info->failed = true;
	}
	memcpy(v->last_hash, r->hash, 32);
	return OR_OK;
}

int
transcript_verify(const char *path, EVP_PKEY *pub, struct transcript_info *info)
{
	struct verify_ctx v;
	int rc;

	memset(info, 0, sizeof *info);
	memset(&v, 0, sizeof v);
	v.info = info;
	v.pub = pub;
	if ((rc = journal_scan(path, verify_visit, &v)) != OR_OK)
		return err_context(rc, "transcript %s", path);
	/* The final hash is the last record's, the seal's when sealed: the
	 * one the CA journal's transcript record names (transcript_close),
	 * the ceremony shows for the printout, and this file ends with. */
	if (info->closed)
		memcpy(info->final_hash, v.last_hash, 32);
	if (pub != NULL && !info->sealed)
		return err_set(OR_E_VERIFY, "transcript %s is not sealed", path);
	return OR_OK;
}
