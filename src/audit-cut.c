/*
 * audit-cut.c — the checks of audit that catch a journal cut short
 * (audit.h; which check catches which attack is in offroot-journal(5)).
 *
 * A journal whose last records were deleted is still a valid hash chain,
 * so the chain alone cannot tell.  Two witnesses outside the journal can:
 *
 *   - the head the officers wrote in the paper log (every command that
 *     changes the journal prints it): audit --head PREFIX fails unless a
 *     record of the journal has that hash;
 *   - a CRL the root signed: every serial it lists must have a revocation
 *     record, and its number must be one the journal reserved.  The CRL
 *     counts only once its signature verifies against root.crt, so that a
 *     forged file cannot make audit fail, or pass.
 */
#include <dirent.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "audit.h"
#include "cadb.h"
#include "crl.h"
#include "err.h"
#include "fileio.h"
#include "pgpwords.h"
#include "revoke.h"
#include "serial.h"
#include "util.h"

/* ---- audit --head ----------------------------------------------------- */

int
audit_head_parse(const char *text, struct audit_head *h)
{
	size_t n = strlen(text), i;

	memset(h, 0, sizeof *h);
	if (n >= 2 * AUDIT_HEAD_MIN && n <= 64 && n % 2 == 0 &&
	    strspn(text, "0123456789abcdefABCDEF") == n) {
		for (i = 0; i < n / 2; i++)
			h->prefix[i] = (unsigned char)(hex_value(text[2 * i]) *
			    16 + hex_value(text[2 * i + 1]));
		h->len = n / 2;
		return OR_OK;
	}
	h->len = pgpwords_parse(text, h->prefix, sizeof h->prefix);
	if (h->len >= AUDIT_HEAD_MIN)
		return OR_OK;
	h->len = 0;
	return err_set(OR_E_USAGE, "--head: expected the journal head as "
	    "written in the paper log: at least %d hex digits (an even "
	    "number), or at least %d PGP words in order", 2 * AUDIT_HEAD_MIN,
	    AUDIT_HEAD_MIN);
}

struct head_find {
	const struct audit_head *want;
	uint64_t found, last;
	unsigned char last_hash[32];
};

static int
head_visit(const struct jrecord *r, void *vctx)
{
	struct head_find *f = vctx;

	if (memcmp(r->hash, f->want->prefix, f->want->len) == 0)
		f->found = r->seq;
	f->last = r->seq;
	memcpy(f->last_hash, r->hash, 32);
	return OR_OK;
}

int
audit_head_check(const char *dir, const struct audit_head *want,
    uint64_t *seq, uint64_t *records)
{
	struct cadb_summary sum;
	struct head_find f;
	char hex[2 * CADB_HEAD_LEN + 1], words[CADB_HEAD_WORDS_MAX];
	char whex[65];
	int rc;

	memset(&f, 0, sizeof f);
	f.want = want;
	if ((rc = cadb_scan(dir, &sum, head_visit, &f)) != OR_OK)
		return rc;
	*seq = f.found;
	*records = f.last;
	if (f.found != 0)
		return OR_OK;
	hex_encode(want->prefix, want->len, whex);
	cadb_head_text(f.last_hash, hex, words);
	return err_set(OR_E_CORRUPT, "the journal holds no record with head "
	    "%s: it was cut or replaced after that head was written down (its "
	    "last record is %" PRIu64 ", head %s, %s)", whex, f.last, hex,
	    words);
}

/* ---- the latest root-signed CRL against the journal ------------------- */

/* The number in a crls/ file name "N.crl", or 0. */
static uint64_t
crl_file_number(const char *name)
{
	char *end;
	unsigned long long n;

	if (name[0] < '1' || name[0] > '9')
		return 0;
	n = strtoull(name, &end, 10);
	return strcmp(end, ".crl") == 0 ? (uint64_t)n : 0;
}

/* The file numbers in DIR/crls/, highest first. */
static int
cmp_desc(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? 1 : x > y ? -1 : 0;
}

static int
list_crls(const char *dir, uint64_t **out, size_t *n)
{
	char path[PATH_MAX];
	struct dirent *de;
	uint64_t *v = NULL, *nv, num;
	size_t cap = 0;
	DIR *d;

	*out = NULL;
	*n = 0;
	if (cadb_path(dir, CADB_CRLS, path, sizeof path) != OR_OK)
		return err_set(OR_E_INPUT, "path too long");
	if ((d = opendir(path)) == NULL)
		return OR_OK;	/* no_strays names a missing crls/ */
	while ((de = readdir(d)) != NULL) {
		if ((num = crl_file_number(de->d_name)) == 0)
			continue;
		if (*n == cap) {
			cap = cap ? 2 * cap : 16;
			if ((nv = realloc(v, cap * sizeof *v)) == NULL) {
				free(v);
				closedir(d);
				return err_set(OR_E_NOMEM, "out of memory");
			}
			v = nv;
		}
		v[(*n)++] = num;
	}
	closedir(d);
	if (*n > 1)
		qsort(v, *n, sizeof *v, cmp_desc);
	*out = v;
	return OR_OK;
}

/* Every serial the CRL lists has a revocation record.  A certificateHold
 * released later (removeFromCRL) is no longer in db: an entry on hold is
 * not held against the journal. */
static int
entries_recorded(const unsigned char *der, size_t len, const char *name,
    const struct revoke_db *db)
{
	const unsigned char *p = der;
	STACK_OF(X509_REVOKED) *rs;
	X509_REVOKED *r;
	ASN1_ENUMERATED *why;
	X509_CRL *crl;
	struct serial s;
	char hex[SERIAL_HEX];
	int i, reason, rc = OR_OK;

	if ((crl = d2i_X509_CRL(NULL, &p, (long)len)) == NULL)
		return err_openssl(OR_E_CORRUPT, "%s: cannot parse", name);
	rs = X509_CRL_get_REVOKED(crl);
	for (i = 0; i < sk_X509_REVOKED_num(rs) && rc == OR_OK; i++) {
		r = sk_X509_REVOKED_value(rs, i);
		if (serial_from_asn1(X509_REVOKED_get0_serialNumber(r), &s) !=
		    OR_OK || revoke_db_find(db, &s) != NULL)
			continue;
		why = X509_REVOKED_get_ext_d2i(r, NID_crl_reason, NULL, NULL);
		reason = why != NULL ? (int)ASN1_ENUMERATED_get(why) : 0;
		ASN1_ENUMERATED_free(why);
		if (reason == RR_HOLD)
			continue;
		serial_to_hex(&s, hex);
		rc = err_set(OR_E_CORRUPT, "%s, signed by the root, revokes "
		    "serial %s, for which the journal has no revocation record: "
		    "the journal was cut", name, hex);
	}
	X509_CRL_free(crl);
	ERR_clear_error();
	return rc;
}

static int
audit_crl_against_journal(const char *label,
    const unsigned char *der, size_t len, X509 *root,
    const struct revoke_db *db)
{
	struct crl_info info;
	uint64_t max;
	int rc;

	if (crl_verify(der, len, root, &info) != OR_OK) {
		ERR_clear_error();
		err_clear();
		return OR_E_VERIFY;	/* not the root's: proves nothing */
	}
	if ((rc = entries_recorded(der, len, label, db)) != OR_OK)
		return rc;
	max = db->crl_reserved_max > db->crl_signed_max ?
	    db->crl_reserved_max : db->crl_signed_max;
	if (info.number > max)
		return err_set(OR_E_CORRUPT, "%s is a CRL signed by the root "
		    "with number %" PRIu64 ", but the journal records none "
		    "above %" PRIu64 ": the journal was cut", label,
		    info.number, max);
	return OR_OK;
}

/* A CRL file, DER or PEM ("X509 CRL"), as the DER bytes that were signed
 * (PEM is only base64 around them: nothing is re-encoded).  *der is freed
 * with OPENSSL_free. */
int
audit_load_crl(const char *path, unsigned char **der, size_t *len)
{
	unsigned char *buf = NULL, *data = NULL;
	char *name = NULL, *header = NULL;
	long n = 0;
	BIO *bio;
	int rc;

	*der = NULL;
	if ((rc = file_read(path, FILE_MAX_INPUT, &buf, len)) != OR_OK)
		return rc;
	if (*len > 0 && buf[0] == 0x30) {
		if ((*der = OPENSSL_malloc(*len)) != NULL)
			memcpy(*der, buf, *len);
		free(buf);
		return *der != NULL ? OR_OK : err_set(OR_E_NOMEM,
		    "out of memory");
	}
	if ((bio = BIO_new_mem_buf(buf, (int)*len)) != NULL &&
	    PEM_read_bio(bio, &name, &header, &data, &n) == 1 &&
	    strcmp(name, PEM_STRING_X509_CRL) == 0 && n > 0) {
		*der = data;
		*len = (size_t)n;
		data = NULL;
	}
	BIO_free(bio);
	free(buf);
	OPENSSL_free(name);
	OPENSSL_free(header);
	OPENSSL_free(data);
	ERR_clear_error();
	if (*der == NULL)
		return err_set(OR_E_INPUT, "%s: not a CRL (DER, or PEM \"X509 "
		    "CRL\")", path);
	return OR_OK;
}

int
audit_crl_file(const char *dir, const char *path)
{
	struct cadb_summary sum;
	struct revoke_db db;
	unsigned char *der = NULL;
	X509 *root = NULL;
	size_t len = 0;
	int rc;

	revoke_db_init(&db, REVOKE_DB_ENTRIES);
	if ((rc = cadb_scan(dir, &sum, revoke_db_visit, &db)) != OR_OK ||
	    (rc = revoke_db_finish(&db)) != OR_OK ||
	    (rc = cadb_load_root(dir, &sum, &root)) != OR_OK ||
	    (rc = audit_load_crl(path, &der, &len)) != OR_OK)
		goto out;
	rc = audit_crl_against_journal(path, der, len, root, &db);
	if (rc == OR_E_VERIFY)
		rc = err_set(OR_E_VERIFY, "%s is not a CRL signed by this root",
		    path);
out:
	OPENSSL_free(der);
	X509_free(root);
	revoke_db_free(&db);
	return rc;
}

int
audit_crls_cut(const char *dir, X509 *root)
{
	char path[PATH_MAX], name[64], label[96];
	struct revoke_db db;
	unsigned char *der = NULL;
	uint64_t *nums = NULL;
	size_t n = 0, i, len;
	int rc;

	if ((rc = revoke_db_load(dir, REVOKE_DB_ENTRIES, &db)) != OR_OK)
		return rc;
	if ((rc = list_crls(dir, &nums, &n)) != OR_OK) {
		revoke_db_free(&db);
		return rc;
	}
	/* The highest-numbered file that is a CRL the root signed. */
	for (i = 0, rc = OR_E_VERIFY; i < n && rc == OR_E_VERIFY; i++) {
		snprintf(name, sizeof name, "%" PRIu64 ".crl", nums[i]);
		snprintf(label, sizeof label, "%s/%s", CADB_CRLS, name);
		if (cadb_path(dir, label, path, sizeof path) != OR_OK ||
		    file_read(path, FILE_MAX_INPUT, &der, &len) != OR_OK) {
			err_clear();
			continue;	/* the digest checks name it */
		}
		rc = audit_crl_against_journal(label, der, len, root, &db);
		free(der);
		der = NULL;
	}
	free(nums);
	revoke_db_free(&db);
	return rc == OR_E_VERIFY ? OR_OK : rc;
}
