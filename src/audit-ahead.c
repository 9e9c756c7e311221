/*
 * audit-ahead.c — audit of CRLs signed ahead (audit.h, crl-ahead.h).  The
 * digest of each crls/ file is checked with every other artefact; here
 * each is also parsed and verified as the root's CRL with the number and
 * dates its crl-ahead record gives (a record cannot name one CRL and
 * describe another), and each schedule folder audit can see at the path
 * its crl-schedule record names is checked as the online side would: its
 * MANIFEST is the one recorded and signed by the root, every file matches
 * MANIFEST, and every CRL in it is one the journal records under that
 * name.  A folder that is not there (the media is elsewhere) is skipped:
 * audit checks what it can see.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/crypto.h>

#include "audit.h"
#include "bundle.h"
#include "cadb.h"
#include "crl.h"
#include "err.h"
#include "fileio.h"
#include "journal.h"
#include "util.h"
#include "verify.h"

struct ahead_rec {
	uint64_t number, seq;
	int64_t this_update, next_update;
	char file[64], published[64], sha256[65];
};

struct sched_rec {
	uint64_t seq;
	char outdir[PATH_MAX], manifest[65];
};

struct ahead_scan {
	struct ahead_rec *a;
	size_t n, cap;
	struct sched_rec *s;
	size_t ns, caps;
};

static int
copy(char *dst, size_t size, const char *v, const struct jrecord *r)
{
	if (v == NULL || strlen(v) >= size)
		return err_set(OR_E_CORRUPT, "journal record %" PRIu64 " (%s) "
		    "lacks a field or has one too long", r->seq, r->type);
	snprintf(dst, size, "%s", v);
	return OR_OK;
}

static int
gather(const struct jrecord *r, void *vctx)
{
	struct ahead_scan *c = vctx;
	void *np;
	int rc;

	if (strcmp(r->type, "crl-ahead") == 0) {
		struct ahead_rec *a;

		if (c->n == c->cap) {
			c->cap = c->cap ? 2 * c->cap : 16;
			if ((np = realloc(c->a, c->cap * sizeof *c->a)) == NULL)
				return err_set(OR_E_NOMEM, "out of memory");
			c->a = np;
		}
		a = &c->a[c->n++];
		memset(a, 0, sizeof *a);
		a->seq = r->seq;
		a->number = strtoull(jrecord_get(r, "number") ?
		    jrecord_get(r, "number") : "0", NULL, 10);
		a->this_update = strtoll(jrecord_get(r, "this_update") ?
		    jrecord_get(r, "this_update") : "0", NULL, 10);
		a->next_update = strtoll(jrecord_get(r, "next_update") ?
		    jrecord_get(r, "next_update") : "0", NULL, 10);
		if ((rc = copy(a->file, sizeof a->file, jrecord_get(r, "file"),
		    r)) != OR_OK ||
		    (rc = copy(a->published, sizeof a->published,
		    jrecord_get(r, "published"), r)) != OR_OK ||
		    (rc = copy(a->sha256, sizeof a->sha256,
		    jrecord_get(r, "sha256"), r)) != OR_OK)
			return rc;
	} else if (strcmp(r->type, "crl-schedule") == 0) {
		struct sched_rec *s;

		if (c->ns == c->caps) {
			c->caps = c->caps ? 2 * c->caps : 4;
			if ((np = realloc(c->s, c->caps * sizeof *c->s)) == NULL)
				return err_set(OR_E_NOMEM, "out of memory");
			c->s = np;
		}
		s = &c->s[c->ns++];
		s->seq = r->seq;
		if ((rc = copy(s->outdir, sizeof s->outdir,
		    jrecord_get(r, "outdir"), r)) != OR_OK ||
		    (rc = copy(s->manifest, sizeof s->manifest,
		    jrecord_get(r, "manifest_sha256"), r)) != OR_OK)
			return rc;
	}
	return OR_OK;
}

/* crls/FILE is the root's CRL that its record describes. */
static int
check_kept(const char *dir, X509 *root, const struct ahead_rec *a)
{
	char rel[96], path[PATH_MAX];
	unsigned char *der = NULL;
	struct crl_info info;
	size_t len;
	int rc;

	snprintf(rel, sizeof rel, "%s/%s", CADB_CRLS, a->file);
	if ((rc = cadb_path(dir, rel, path, sizeof path)) != OR_OK ||
	    (rc = file_read(path, CRL_MAX_FILE, &der, &len)) != OR_OK)
		return rc;
	if ((rc = crl_verify(der, len, root, &info)) != OR_OK)
		rc = err_context(rc, "%s", rel);
	else if (info.number != a->number ||
	    (int64_t)info.this_update != a->this_update ||
	    (int64_t)info.next_update != a->next_update)
		rc = err_set(OR_E_CORRUPT, "%s is not the CRL journal record %"
		    PRIu64 " describes (number %" PRIu64 ", its dates)", rel,
		    a->seq, a->number);
	free(der);
	return rc;
}

/* One schedule folder, when it is there. */
static int
check_folder(const struct ahead_scan *c, const struct sched_rec *s,
    X509 *root, struct audit_result *res)
{
	struct manifest_entry *e = NULL;
	unsigned char *man = NULL, *sig = NULL, *data = NULL, md[32];
	unsigned char *der = NULL;
	char path[PATH_MAX], hex[65];
	size_t mlen, siglen, len, dlen, i, k;
	struct stat st;
	int rc;

	if (lstat(s->outdir, &st) == -1 || !S_ISDIR(st.st_mode))
		return OR_OK;
	if ((rc = file_join(path, sizeof path, s->outdir, BUNDLE_MANIFEST)) !=
	    OR_OK || (rc = file_read(path, MANIFEST_MAX, &man, &mlen)) != OR_OK)
		goto out;
	if ((rc = sha256(man, mlen, md)) != OR_OK)
		goto out;
	hex_encode(md, 32, hex);
	if (strcmp(hex, s->manifest) != 0) {
		rc = err_set(OR_E_CORRUPT, "%s: its MANIFEST is not the one "
		    "journal record %" PRIu64 " records", s->outdir, s->seq);
		goto out;
	}
	if ((rc = file_join(path, sizeof path, s->outdir,
	    BUNDLE_MANIFEST_SIG)) != OR_OK ||
	    (rc = file_read(path, 4096, &sig, &siglen)) != OR_OK ||
	    (rc = verify_manifest_sig(X509_get0_pubkey(root), man, mlen, sig,
	    siglen)) != OR_OK ||
	    (rc = manifest_parse((const char *)man, mlen, &e, &len)) != OR_OK)
		goto out;
	for (i = 0; i < len; i++) {
		if ((rc = file_join(path, sizeof path, s->outdir, e[i].path)) !=
		    OR_OK || (rc = file_read(path, CRL_MAX_FILE, &data, &dlen))
		    != OR_OK || (rc = sha256(data, dlen, md)) != OR_OK)
			goto out;
		free(data);
		data = NULL;
		if (memcmp(md, e[i].sha256, 32) != 0) {
			rc = err_set(OR_E_CORRUPT, "%s: %s does not match its "
			    "digest in MANIFEST", s->outdir, e[i].path);
			goto out;
		}
		if (strncmp(e[i].path, "crl-", 4) != 0)
			continue;
		for (k = 0; k < c->n; k++)
			if (strcmp(c->a[k].published, e[i].path) == 0)
				break;
		if ((rc = audit_load_crl(path, &der, &dlen)) != OR_OK ||
		    (rc = sha256(der, dlen, md)) != OR_OK)
			goto out;
		OPENSSL_free(der);
		der = NULL;
		hex_encode(md, 32, hex);
		if (k == c->n || strcmp(hex, c->a[k].sha256) != 0) {
			rc = err_set(OR_E_CORRUPT, "%s: %s is not a CRL the "
			    "journal records signed ahead under that name",
			    s->outdir, e[i].path);
			goto out;
		}
	}
	res->ahead_folders++;
out:
	if (rc != OR_OK)
		rc = err_context(rc, "the CRLs signed ahead in %s", s->outdir);
	free(e);
	free(man);
	free(sig);
	free(data);
	OPENSSL_free(der);
	return rc;
}

int
audit_ahead(const char *dir, X509 *root, struct audit_result *res)
{
	struct ahead_scan c;
	char jpath[PATH_MAX];
	size_t i;
	int rc;

	memset(&c, 0, sizeof c);
	if ((rc = cadb_path(dir, CADB_JOURNAL, jpath, sizeof jpath)) != OR_OK ||
	    (rc = journal_scan(jpath, gather, &c)) != OR_OK)
		goto out;
	for (i = 0; i < c.n && rc == OR_OK; i++)
		if ((rc = check_kept(dir, root, &c.a[i])) == OR_OK)
			res->ahead++;
	for (i = 0; i < c.ns && rc == OR_OK; i++)
		rc = check_folder(&c, &c.s[i], root, res);
out:
	free(c.a);
	free(c.s);
	return rc;
}
