/*
 * renew.c — renewing the root certificate (renew.h): the same key and
 * subject under a new serial and validity.  Everything that can refuse the
 * renewal (the profile, the lint, the serial, the subject key identifier)
 * runs before the officer is asked and long before the key is unlocked;
 * the journal records the new certificate, whole, before any file changes,
 * so that a crash at any point is finished from the journal (recover.c)
 * and no root-signed certificate exists that the journal does not record.
 */
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "bundle.h"
#include "cadb.h"
#include "dn.h"
#include "err.h"
#include "fileio.h"
#include "issue.h"
#include "keystore.h"
#include "lint.h"
#include "op.h"
#include "pgpwords.h"
#include "profile.h"
#include "recover.h"
#include "renew.h"
#include "serial.h"
#include "transcript.h"
#include "util.h"

#define RENEW_PREVIOUS_PEM	"previous-root.pem"

void
renew_root_name(time_t not_before, const char *serial_hex, char *out,
    size_t size)
{
	struct tm tm;
	char when[20];

	if (gmtime_r(&not_before, &tm) == NULL ||
	    strftime(when, sizeof when, "%Y%m%dT%H%M%SZ", &tm) == 0)
		snprintf(when, sizeof when, "00000000T000000Z");
	snprintf(out, size, "%s/%s-%s.pem", CADB_ROOTS, when, serial_hex);
}

/* ---- the journal's last renew-root record -------------------------------- */

static void
copy_field(const struct jrecord *r, const char *key, char *dst, size_t size)
{
	const char *v = jrecord_get(r, key);

	snprintf(dst, size, "%s", v != NULL ? v : "");
}

int
renew_last_visit(const struct jrecord *r, void *vctx)
{
	struct renew_last *l = vctx;
	const char *v;

	if (strcmp(r->type, "renew-root") != 0)
		return OR_OK;
	if ((v = jrecord_get(r, "cert")) == NULL)
		return err_set(OR_E_CORRUPT, "journal record %" PRIu64 ": a "
		    "renew-root record without its certificate", r->seq);
	free(l->cert_hex);
	if ((l->cert_hex = strdup(v)) == NULL)
		return err_set(OR_E_NOMEM, "out of memory");
	l->seq = r->seq;
	copy_field(r, "previous_file", l->previous_file,
	    sizeof l->previous_file);
	copy_field(r, "previous_file_sha256", l->previous_file_sha256,
	    sizeof l->previous_file_sha256);
	copy_field(r, "root_sha256", l->root_sha256, sizeof l->root_sha256);
	copy_field(r, "root_file_sha256", l->root_file_sha256,
	    sizeof l->root_file_sha256);
	return OR_OK;
}

void
renew_last_free(struct renew_last *l)
{
	free(l->cert_hex);
	memset(l, 0, sizeof *l);
}

/* The certificate a record carries (hex DER), parsed whole; *md its DER's
 * SHA-256. */
static int
record_cert(const char *hex, X509 **out, unsigned char md[32])
{
	unsigned char *der = NULL;
	const unsigned char *p;
	size_t n = strlen(hex) / 2;
	int rc = OR_OK;

	*out = NULL;
	if (n == 0 || strlen(hex) % 2 != 0 || n > 65536 ||
	    (der = malloc(n)) == NULL || !hex_decode_lower(hex, der, n)) {
		free(der);
		return err_set(OR_E_CORRUPT, "not a certificate in hex");
	}
	p = der;
	if ((*out = d2i_X509(NULL, &p, (long)n)) == NULL || p != der + n ||
	    sha256(der, n, md) != OR_OK) {
		X509_free(*out);
		*out = NULL;
		rc = err_set(OR_E_CORRUPT, "not a certificate in hex");
	}
	free(der);
	return rc;
}

int
renew_last_pem(const struct renew_last *l, char **pem, size_t *len)
{
	unsigned char md[32];
	char hex[65];
	X509 *x = NULL;
	int rc;

	*pem = NULL;
	if (l->cert_hex == NULL ||
	    (rc = record_cert(l->cert_hex, &x, md)) != OR_OK)
		return err_set(OR_E_CORRUPT, "journal record %" PRIu64 ": its "
		    "certificate does not parse", l->seq);
	hex_encode(md, sizeof md, hex);
	if (strcmp(hex, l->root_sha256) != 0)
		rc = err_set(OR_E_CORRUPT, "journal record %" PRIu64 ": its "
		    "certificate is not the one root_sha256 names", l->seq);
	else if ((rc = cert_to_pem(x, pem, len)) == OR_OK &&
	    (rc = sha256(*pem, *len, md)) == OR_OK) {
		hex_encode(md, sizeof md, hex);
		if (strcmp(hex, l->root_file_sha256) != 0)
			rc = err_set(OR_E_CORRUPT, "journal record %" PRIu64
			    ": its certificate does not encode as the root.crt "
			    "it records", l->seq);
	}
	if (rc != OR_OK) {
		free(*pem);
		*pem = NULL;
	}
	X509_free(x);
	return rc;
}

/* ---- audit's checks of a record ------------------------------------------ */

static bool
field_is(const struct jrecord *r, const char *key, const char *want)
{
	const char *v = jrecord_get(r, key);

	return v != NULL && want != NULL && strcmp(v, want) == 0;
}

static int
cert_serial_hex(X509 *x, char out[SERIAL_HEX])
{
	struct serial s;
	int rc;

	if ((rc = serial_from_asn1(X509_get0_serialNumber(x), &s)) != OR_OK)
		return rc;
	serial_to_hex(&s, out);
	return OR_OK;
}

/* Why x (a renew-root record's certificate) is not what the record says
 * it is, or NULL. */
static const char *
record_mismatch(const struct jrecord *r, X509 *x, const unsigned char md[32],
    const char *pk_sha256, const char *subject)
{
	const ASN1_OCTET_STRING *ski;
	unsigned char pk[32];
	char hex[65], serial[SERIAL_HEX], subj[1024], skihex[129];
	int n;

	hex_encode(md, 32, hex);
	if (!field_is(r, "root_sha256", hex))
		return "its certificate is not the one root_sha256 names";
	if (X509_verify(x, X509_get0_pubkey(x)) != 1)
		return "its certificate is not self-signed";
	if (pubkey_sha256(X509_get0_pubkey(x), pk) != OR_OK)
		return "its certificate's key cannot be read";
	hex_encode(pk, sizeof pk, hex);
	if (!field_is(r, "public_key_sha256", hex) ||
	    (pk_sha256 != NULL && strcmp(hex, pk_sha256) != 0))
		return "its certificate is not for the root's key";
	if (dn_format(X509_get_subject_name(x), subj, sizeof subj) != OR_OK ||
	    !field_is(r, "subject", subj) ||
	    (subject != NULL && strcmp(subj, subject) != 0))
		return "its certificate is not for the root's subject";
	if (cert_serial_hex(x, serial) != OR_OK || !field_is(r, "serial",
	    serial))
		return "its serial is not its certificate's";
	ski = X509_get0_subject_key_id(x);
	n = ski != NULL ? ASN1_STRING_length(ski) : 0;
	if (n <= 0 || 2 * (size_t)n >= sizeof skihex)
		return "its certificate has no subject key identifier";
	hex_encode(ASN1_STRING_get0_data(ski), (size_t)n, skihex);
	if (!field_is(r, "ski", skihex))
		return "its subject key identifier is not the one recorded";
	return NULL;
}

int
renew_check_record(const struct jrecord *r, const char *root_sha256,
    const char *pk_sha256, const char *subject)
{
	unsigned char md[32];
	char name[128];
	const char *v, *why = NULL, *prev;
	time_t nb = 0;
	X509 *x = NULL;

	if ((v = jrecord_get(r, "cert")) == NULL ||
	    record_cert(v, &x, md) != OR_OK) {
		err_clear();
		why = "its certificate does not parse";
	} else if ((why = record_mismatch(r, x, md, pk_sha256, subject)) !=
	    NULL) {
		/* said below */
	} else if (!field_is(r, "previous_sha256", root_sha256)) {
		why = "previous_sha256 is not the root certificate the journal "
		    "named until then";
	} else {
		if ((v = jrecord_get(r, "previous_not_before")) != NULL)
			nb = (time_t)strtoll(v, NULL, 10);
		prev = jrecord_get(r, "previous_serial");
		if (nb > 0 && prev != NULL)
			renew_root_name(nb, prev, name, sizeof name);
		if (nb <= 0 || prev == NULL || !field_is(r, "previous_file",
		    name))
			why = "previous_file is not the roots/ name of the "
			    "certificate it replaced";
	}
	X509_free(x);
	if (why != NULL)
		return err_set(OR_E_CORRUPT, "journal record %" PRIu64 " "
		    "(renew-root): %s", r->seq, why);
	return OR_OK;
}

/* ---- the run --------------------------------------------------------------- */

/* renew_run's state; ctx_free is the one exit. */
struct renew_ctx {
	const struct renew_params *p;
	struct interact *io;
	struct renew_result *res;
	struct renew_plan *plan;
	struct op op;
	struct profile prof;
	bool loaded;
	X509 *tbs, *cert;
	unsigned char *oldpem;		/* root.crt as it is */
	size_t oldlen;
	char *newpem;
	size_t newlen;
	char newfile_hex[65], newder_hex[65], *der_hex;
	char stage[PATH_MAX];
	bool recorded;			/* the renew-root record is written */
};

static void
ski_text(X509 *x, char *out, size_t size, char *hex, size_t hexsize)
{
	const ASN1_OCTET_STRING *ski = X509_get0_subject_key_id(x);
	char buf[3 * 64];
	int n = ski != NULL ? ASN1_STRING_length(ski) : 0;

	out[0] = hex[0] = '\0';
	if (n <= 0 || n > 64)
		return;
	hex_colons(ASN1_STRING_get0_data(ski), (size_t)n, buf);
	snprintf(out, size, "%s", buf);
	if ((size_t)n * 2 < hexsize)
		hex_encode(ASN1_STRING_get0_data(ski), (size_t)n, hex);
}

/* The profile the new certificate is made with: a CA profile that allows
 * the root's key and --days. */
static int
load_profile(struct renew_ctx *c)
{
	const struct renew_params *p = c->p;
	enum keytype t = keytype_of(X509_get0_pubkey(c->op.root));
	const char *name = p->profile_name != NULL ? p->profile_name :
	    c->op.db->sum.profile[0] != '\0' ? c->op.db->sum.profile : "root";
	char path[PATH_MAX];
	int rc;

	if ((rc = cadb_path(p->dir, CADB_PROFILES, path, sizeof path)) !=
	    OR_OK || (rc = profile_load(path, name, &c->prof)) != OR_OK)
		return rc;
	c->loaded = true;
	if (!c->prof.is_ca)
		return err_set(OR_E_POLICY, "profile %s is not a CA profile",
		    c->prof.name);
	if (t == KT_NONE || (c->prof.key_types & (1u << t)) == 0)
		return err_set(OR_E_POLICY, "profile %s does not allow the "
		    "root's %s key", c->prof.name, keytype_name(t));
	if (c->prof.pss && t != KT_RSA_3072 && t != KT_RSA_4096)
		return err_set(OR_E_POLICY, "profile %s signs with RSA-PSS "
		    "(signature = pss), which needs an RSA root key, not %s",
		    c->prof.name, keytype_name(t));
	if (p->days < 0 || p->days > c->prof.validity_days)
		return err_set(OR_E_POLICY, "--days %ld is longer than profile "
		    "%s allows (%ld)", p->days, c->prof.name,
		    c->prof.validity_days);
	return OR_OK;
}

/* The new certificate, built with the root's own public key and linted:
 * what the key will sign, with a serial no certificate of this CA has. */
static int
build(struct renew_ctx *c)
{
	struct renew_plan *pl = c->plan;
	X509 *root = c->op.root;
	struct issue_request req;
	struct lint_report lint;
	char skihex[129], oldski[192];
	int rc;

	/* A subordinate CA's profile is refused before anything is built
	 * or linted: the reason is the profile, not its lint. */
	if (c->prof.family == FAMILY_BR_SUBCA)
		return err_set(OR_E_POLICY, "profile %s is for subordinate CAs "
		    "(family br-subca), not for a root", c->prof.name);
	memset(&req, 0, sizeof req);
	req.subject = X509_get_subject_name(root);
	req.subject_key = X509_get0_pubkey(root);
	req.issuer = NULL;
	req.issuer_key = X509_get0_pubkey(root);
	req.issuer_type = keytype_of(X509_get0_pubkey(root));
	req.profile = &c->prof;
	req.days = c->p->days;
	if ((rc = issue_build(&req, &c->tbs)) != OR_OK)
		return rc;
	rc = issue_lint(c->tbs, NULL, &c->prof, &lint);
	lint_say(c->io, "renewed root certificate", &lint);
	if (rc != OR_OK)
		return err_context(rc, "the renewed root certificate");
	/* The same SKI: what every issued certificate's AKI names. */
	ski_text(root, oldski, sizeof oldski, skihex, sizeof skihex);
	ski_text(c->tbs, pl->ski, sizeof pl->ski, skihex, sizeof skihex);
	if (oldski[0] == '\0' || strcmp(oldski, pl->ski) != 0)
		return err_set(OR_E_POLICY, "profile %s gives the new "
		    "certificate the subject key identifier %s, but the "
		    "current root's is %s, which every certificate it issued "
		    "names in its authorityKeyIdentifier: use a profile with "
		    "subjectKeyIdentifier = hash, as the current root's",
		    c->prof.name, pl->ski[0] ? pl->ski : "(none)",
		    oldski[0] ? oldski : "(none)");
	if ((rc = cert_serial_hex(c->tbs, pl->serial)) != OR_OK ||
	    (rc = cert_serial_hex(root, pl->prev_serial)) != OR_OK)
		return rc;
	/* A serial the root signed once is never signed again. */
	if (strcmp(pl->serial, pl->prev_serial) == 0 ||
	    recover_serial_used(c->p->dir, pl->serial))
		return err_set(OR_E_EXISTS, "serial %s was drawn, but the root "
		    "signed it before; run renew-root again to draw another",
		    pl->serial);
	return OR_OK;
}

/* The plan's facts and the review block. */
static int
describe(struct renew_ctx *c)
{
	struct renew_plan *pl = c->plan;
	X509 *root = c->op.root;
	char fp[1024], pk[1024], when[4][21], pathl[2][24];
	BASIC_CONSTRAINTS *bc;
	int rc, i;
	X509 *xs[2];

	xs[0] = root;
	xs[1] = c->tbs;
	if ((rc = dn_format(X509_get_subject_name(root), pl->subject,
	    sizeof pl->subject)) != OR_OK ||
	    (rc = pubkey_sha256(X509_get0_pubkey(root), pl->pubkey_sha256)) !=
	    OR_OK || (rc = cert_sha256(root, pl->prev_sha256)) != OR_OK)
		return rc;
	snprintf(pl->key_type, sizeof pl->key_type, "%s",
	    keytype_name(keytype_of(X509_get0_pubkey(root))));
	snprintf(pl->profile, sizeof pl->profile, "%s", c->prof.name);
	snprintf(pl->profile_source, sizeof pl->profile_source, "%s",
	    c->prof.source);
	pl->prev_not_before = asn1_unix(X509_get0_notBefore(root));
	pl->prev_not_after = asn1_unix(X509_get0_notAfter(root));
	pl->not_before = asn1_unix(X509_get0_notBefore(c->tbs));
	pl->not_after = asn1_unix(X509_get0_notAfter(c->tbs));
	if (pl->prev_not_before == 0 || pl->not_before == 0)
		return err_set(OR_E_CRYPTO, "a validity cannot be read");
	renew_root_name(pl->prev_not_before, pl->prev_serial, pl->prev_file,
	    sizeof pl->prev_file);
	for (i = 0; i < 2; i++) {
		int *pathlen = i == 0 ? &pl->prev_pathlen : &pl->pathlen;

		*pathlen = -1;
		if ((bc = X509_get_ext_d2i(xs[i], NID_basic_constraints, NULL,
		    NULL)) != NULL && bc->pathlen != NULL)
			*pathlen = (int)ASN1_INTEGER_get(bc->pathlen);
		BASIC_CONSTRAINTS_free(bc);
		if (*pathlen >= 0)
			snprintf(pathl[i], sizeof pathl[i], "%d", *pathlen);
		else
			snprintf(pathl[i], sizeof pathl[i], "none");
	}
	utc_text(pl->prev_not_before, when[0]);
	utc_text(pl->prev_not_after, when[1]);
	utc_text(pl->not_before, when[2]);
	utc_text(pl->not_after, when[3]);
	fingerprint_block(pl->prev_sha256, fp, sizeof fp);
	fingerprint_block(pl->pubkey_sha256, pk, sizeof pk);
	snprintf(pl->block, sizeof pl->block,
	    "subject:      %s (unchanged)\n"
	    "key:          %s (unchanged); SHA-256 of the public key:\n%s"
	    "subject key identifier (unchanged, as in every issued "
	    "certificate's\nauthorityKeyIdentifier): %s\n"
	    "profile:      %s (%s)\n"
	    "\n"
	    "current root certificate (kept as %s):\n"
	    "  serial:     %s\n"
	    "  validity:   %s to %s\n"
	    "  path length: %s\n"
	    "  SHA-256:\n%s"
	    "\n"
	    "new root certificate (becomes root.crt):\n"
	    "  serial:     %s\n"
	    "  validity:   %s to %s\n"
	    "  path length: %s\n"
	    "  SHA-256:    shown once it is signed (the signature is part of "
	    "it)\n",
	    pl->subject, pl->key_type, pk, pl->ski, pl->profile,
	    pl->profile_source, pl->prev_file, pl->prev_serial, when[0],
	    when[1], pathl[0], fp, pl->serial, when[2], when[3], pathl[1]);
	return OR_OK;
}

/* What differs beyond the serial and the dates, before the officer is
 * asked.  A shorter path length would break the chains the root issued
 * (an intermediate that issues CAs below it): refused, as a profile for
 * subordinate CAs is. */
static int
check_plan(struct renew_ctx *c)
{
	struct renew_plan *pl = c->plan;
	char when[2][21];

	if (pl->pathlen >= 0 && (pl->prev_pathlen < 0 ||
	    pl->pathlen < pl->prev_pathlen))
		return err_set(OR_E_POLICY, "profile %s gives the new "
		    "certificate a path length of %d, shorter than the current "
		    "one's (%s): chains the root issued could stop verifying; "
		    "use the root's profile", c->prof.name, pl->pathlen,
		    pl->prev_pathlen < 0 ? "none" : "longer");
	if (pl->pathlen < 0 && pl->prev_pathlen >= 0)
		interact_say(c->io, SAY_WARN, "the new certificate has no path "
		    "length limit; the current one's is %d", pl->prev_pathlen);
	else if (pl->pathlen != pl->prev_pathlen)
		interact_say(c->io, SAY_WARN, "the new certificate's path "
		    "length (%d) is longer than the current one's (%d)",
		    pl->pathlen, pl->prev_pathlen);
	if (pl->not_after < pl->prev_not_after) {
		utc_text(pl->prev_not_after, when[0]);
		utc_text(pl->not_after, when[1]);
		interact_say(c->io, SAY_WARN, "the new certificate expires "
		    "(%s) before the current one (%s)", when[1], when[0]);
	}
	return OR_OK;
}

static int
review(struct renew_ctx *c)
{
	const struct renew_hooks *h = c->p->hooks;
	bool yes = false;
	int rc;

	if ((rc = check_plan(c)) != OR_OK)
		return rc;
	c->io->show_block(c->io, "Renewal of the root certificate (nothing is "
	    "signed yet)", c->plan->block);
	if (h != NULL && h->confirm != NULL)
		rc = h->confirm(h->ctx, c->plan);
	else if ((rc = c->io->confirm(c->io, "Renew the root certificate "
	    "with the root key, as shown?", &yes)) == OR_OK && !yes)
		rc = err_set(OR_E_CANCEL, "not renewed: the officer declined");
	if (rc == OR_OK && h != NULL && h->ready != NULL)
		rc = h->ready(h->ctx);
	return rc;
}

/* The plan in the transcript, once the key is open (op.h: the transcript
 * begins at the unlock). */
static int
record_review(struct renew_ctx *c)
{
	struct renew_plan *pl = c->plan;
	char pk[65], prev[65];
	struct jfields f;

	hex_encode(pl->pubkey_sha256, 32, pk);
	hex_encode(pl->prev_sha256, 32, prev);
	jf_init(&f);
	jf_add(&f, "subject", pl->subject);
	jf_add(&f, "public_key_sha256", pk);
	jf_add(&f, "profile", pl->profile);
	jf_add(&f, "previous_serial", pl->prev_serial);
	jf_add(&f, "previous_sha256", prev);
	jf_add(&f, "serial", pl->serial);
	jf_add_i64(&f, "not_before", (int64_t)pl->not_before);
	jf_add_i64(&f, "not_after", (int64_t)pl->not_after);
	return transcript_add(c->op.tr, "renew-reviewed", &f);
}

/* Signs the reviewed TBS; the result is verified (issue_sign) and linted
 * again: what was signed is what was linted. */
static int
sign_cert(struct renew_ctx *c)
{
	X509 *root = c->op.root;
	struct lint_report lint;
	unsigned char md[32], *der = NULL;
	int len, rc;

	if ((rc = issue_sign(c->tbs, c->op.ks, X509_get0_pubkey(root),
	    &c->cert)) != OR_OK)
		return rc;
	if ((rc = issue_lint(c->cert, NULL, &c->prof, &lint)) != OR_OK)
		return err_context(rc, "the signed certificate");
	if (X509_verify(c->cert, X509_get0_pubkey(root)) != 1)
		return err_openssl(OR_E_VERIFY, "the renewed certificate does "
		    "not verify with the root's key");
	if ((rc = cert_sha256(c->cert, c->res->cert_sha256)) != OR_OK ||
	    (rc = cert_to_pem(c->cert, &c->newpem, &c->newlen)) != OR_OK ||
	    (rc = sha256(c->newpem, c->newlen, md)) != OR_OK)
		return rc;
	hex_encode(md, sizeof md, c->newfile_hex);
	hex_encode(c->res->cert_sha256, 32, c->newder_hex);
	fingerprint_block(c->res->cert_sha256, c->res->fingerprint,
	    sizeof c->res->fingerprint);
	if ((len = i2d_X509(c->cert, &der)) <= 0)
		return err_openssl(OR_E_CRYPTO, "encoding the certificate");
	if ((c->der_hex = malloc(2 * (size_t)len + 1)) == NULL)
		rc = err_set(OR_E_NOMEM, "out of memory");
	else
		hex_encode(der, (size_t)len, c->der_hex);
	OPENSSL_free(der);
	return rc;
}

/* The renew-root record: in the journal (fsynced), then the transcript. */
static int
record(struct renew_ctx *c)
{
	struct renew_plan *pl = c->plan;
	char pk[65], prev[65], skihex[129], skic[192];
	struct jfields f;
	int rc;

	hex_encode(pl->pubkey_sha256, 32, pk);
	hex_encode(pl->prev_sha256, 32, prev);
	ski_text(c->cert, skic, sizeof skic, skihex, sizeof skihex);
	jf_init(&f);
	jf_add(&f, "subject", pl->subject);
	jf_add(&f, "serial", pl->serial);
	jf_add_i64(&f, "not_before", (int64_t)pl->not_before);
	jf_add_i64(&f, "not_after", (int64_t)pl->not_after);
	jf_add(&f, "root_sha256", c->newder_hex);
	jf_add(&f, "root_file_sha256", c->newfile_hex);
	jf_add(&f, "public_key_sha256", pk);
	jf_add(&f, "ski", skihex);
	jf_add(&f, "profile", pl->profile);
	jf_add(&f, "previous_serial", pl->prev_serial);
	jf_add_i64(&f, "previous_not_before", (int64_t)pl->prev_not_before);
	jf_add_i64(&f, "previous_not_after", (int64_t)pl->prev_not_after);
	jf_add(&f, "previous_sha256", prev);
	jf_add(&f, "previous_file_sha256", c->op.db->sum.root_file_sha256);
	jf_add(&f, "previous_file", pl->prev_file);
	jf_add(&f, "cert", c->der_hex);
	if ((rc = cadb_append(c->op.db, "renew-root", &f)) != OR_OK)
		return rc;
	c->recorded = true;
	return transcript_add(c->op.tr, "renew-root", &f);
}

/* roots/, made when first needed. */
static int
roots_dir(const char *dir, char *path, size_t size)
{
	struct stat st;
	int rc;

	if ((rc = cadb_path(dir, CADB_ROOTS, path, size)) != OR_OK)
		return rc;
	if (lstat(path, &st) == 0)
		return S_ISDIR(st.st_mode) ? OR_OK : err_set(OR_E_CORRUPT,
		    "%s is not a folder", path);
	return file_mkdir(path, 0755);
}

/* The files, in the order recover.c finishes them: the current root.crt
 * kept under roots/, then root.crt replaced. */
static int
write_files(struct renew_ctx *c)
{
	char path[PATH_MAX];
	int rc;

	if ((rc = roots_dir(c->p->dir, path, sizeof path)) != OR_OK ||
	    (rc = cadb_path(c->p->dir, c->plan->prev_file, path,
	    sizeof path)) != OR_OK ||
	    (rc = file_write_new(path, c->oldpem, c->oldlen, 0644)) != OR_OK ||
	    (rc = cadb_path(c->p->dir, CADB_ROOT_CERT, path, sizeof path)) !=
	    OR_OK)
		return rc;
	return file_replace(path, c->newpem, c->newlen, 0644);
}

/* root.crt's bytes as they are, which must be the file the journal
 * records (they are copied under roots/ as they are). */
static int
read_old(struct renew_ctx *c)
{
	unsigned char md[32];
	char path[PATH_MAX], hex[65];
	int rc;

	if ((rc = cadb_path(c->p->dir, CADB_ROOT_CERT, path, sizeof path)) !=
	    OR_OK || (rc = file_read(path, FILE_MAX_INPUT, &c->oldpem,
	    &c->oldlen)) != OR_OK || (rc = sha256(c->oldpem, c->oldlen, md)) !=
	    OR_OK)
		return rc;
	hex_encode(md, sizeof md, hex);
	if (strcmp(hex, c->op.db->sum.root_file_sha256) != 0)
		return err_set(OR_E_CORRUPT, "%s is not the file the journal "
		    "records (the certificate is, the file's bytes are not): "
		    "run offroot audit", path);
	return OR_OK;
}

/* ---- the bundle (-o) ---------------------------------------------------- */

static const char renew_readme[] =
"offroot root certificate renewal\n"
"================================\n"
"\n"
"This folder was written by offroot on the offline root CA.  The root's\n"
"certificate was renewed: the same key and the same subject, a new serial\n"
"and a new validity.\n"
"\n"
"  root.pem             the renewed root certificate, serial %s,\n"
"                       valid %s to %s\n"
"  previous-root.pem    the certificate it replaces, serial %s,\n"
"                       valid until %s\n"
"  transcript.log       the renewal's transcript, sealed by the root key\n"
"  MANIFEST             SHA-256 of every other file (sha256sum format)\n"
"  MANIFEST.sig         the root key's signature over MANIFEST\n"
"\n"
"1. Check the folder before using anything in it (no key needed):\n"
"\n"
"     openssl x509 -in previous-root.pem -noout -pubkey > root.pub\n"
"     %s\n"
"     sha256sum -c MANIFEST\n"
"\n"
"   or, with offroot: offroot verify THIS-FOLDER --root ROOT.pem, where\n"
"   ROOT.pem is your own trusted copy of the root (either certificate).\n"
"   Compare root.pem's SHA-256 with the fingerprint read aloud:\n"
"\n"
"     openssl x509 -in root.pem -outform DER | sha256sum\n"
"\n"
"2. Add root.pem to every trust store that holds previous-root.pem: the\n"
"   CA bundles of Kubernetes clusters (kubeconfig certificate-authority-\n"
"   data, the ca.crt of secrets and ConfigMaps, trust-manager Bundles),\n"
"   Vault (the chain of each pki_int issuer), and the operating systems'\n"
"   stores.  Nothing issued before needs to change: every intermediate\n"
"   names the same subject and key identifier, and chains to either\n"
"   certificate.\n"
"\n"
"3. Keep previous-root.pem in the trust stores until every one of them\n"
"   has root.pem; it stops working on its own at its notAfter.\n";

static int
export_bundle(struct renew_ctx *c)
{
	const char *outdir = c->p->outdir;
	struct renew_plan *pl = c->plan;
	struct bundle b = { 0 };
	unsigned char *tdata = NULL;
	char *readme = NULL, hint[256], when[3][21], mhex[65];
	const char *digest = keytype_default_digest(c->op.ks->type);
	size_t tlen = 0, rlen = 0;
	FILE *mem;
	int rc;

	if (digest == NULL)
		snprintf(hint, sizeof hint, "openssl pkeyutl -verify -pubin "
		    "-inkey root.pub -rawin -in MANIFEST -sigfile MANIFEST.sig");
	else
		snprintf(hint, sizeof hint, "openssl dgst -%s -verify root.pub "
		    "-signature MANIFEST.sig MANIFEST", digest);
	utc_text(pl->not_before, when[0]);
	utc_text(pl->not_after, when[1]);
	utc_text(pl->prev_not_after, when[2]);
	if ((mem = open_memstream(&readme, &rlen)) == NULL)
		return err_set(OR_E_NOMEM, "out of memory");
	fprintf(mem, renew_readme, pl->serial, when[0], when[1],
	    pl->prev_serial, when[2], hint);
	fclose(mem);
	if ((rc = file_read(c->op.tr->path, 64u << 20, &tdata, &tlen)) !=
	    OR_OK ||
	    (rc = bundle_add(&b, "root.pem", c->newpem, c->newlen)) != OR_OK ||
	    (rc = bundle_add(&b, RENEW_PREVIOUS_PEM, c->oldpem, c->oldlen)) !=
	    OR_OK ||
	    (rc = bundle_add(&b, "transcript.log", tdata, tlen)) != OR_OK ||
	    (rc = bundle_add(&b, "README.txt", readme, rlen)) != OR_OK ||
	    (rc = bundle_stage(&b, outdir, c->op.ks, digest,
	    c->res->manifest_sha256, c->stage, sizeof c->stage)) != OR_OK)
		goto out;
	hex_encode(c->res->manifest_sha256, 32, mhex);
	{
		struct jfields f;

		jf_init(&f);
		jf_add(&f, "outdir", outdir);
		jf_add(&f, "manifest_sha256", mhex);
		jf_add(&f, "certificates", "0");
		jf_add(&f, "root_serial", pl->serial);
		if ((rc = cadb_append(c->op.db, "export", &f)) != OR_OK) {
			bundle_unstage(c->stage);
			goto out;
		}
	}
	/* Recorded: a failure now leaves the complete bundle staged, and
	 * the next command moves it into place (recover_publish). */
	if ((rc = bundle_publish(c->stage, outdir)) != OR_OK)
		rc = err_context(rc, "the export is recorded, but the bundle "
		    "is still in %s", c->stage);
	else
		c->res->exported = true;
out:
	bundle_free(&b);
	free(readme);
	free(tdata);
	return rc;
}

static void
ctx_free(struct renew_ctx *c)
{
	if (c->loaded)
		profile_free(&c->prof);
	X509_free(c->tbs);
	X509_free(c->cert);
	free(c->oldpem);
	free(c->newpem);
	free(c->der_hex);
}

int
renew_run(const struct renew_params *p, struct keystore **held,
    struct interact *io, struct renew_result *res)
{
	const struct renew_hooks *h = p->hooks;
	const struct op_output outs[] = {
		{ p->outdir, OP_NEW_FOLDER }, { NULL, 0 }
	};
	struct renew_ctx c;
	int rc;

	memset(res, 0, sizeof *res);
	memset(&c, 0, sizeof c);
	c.p = p;
	c.io = io;
	c.res = res;
	c.plan = &res->plan;
	/* 1-2: the CA, the bundle's folder, the new certificate and the
	 * officer's word, all before the key. */
	if ((rc = op_begin(&c.op, p->dir, "renew-root", outs, io)) != OR_OK ||
	    (rc = read_old(&c)) != OR_OK ||
	    (rc = load_profile(&c)) != OR_OK ||
	    (rc = build(&c)) != OR_OK ||
	    (rc = describe(&c)) != OR_OK ||
	    (rc = review(&c)) != OR_OK)
		goto out;
	/* 3-5: the key, the signature, the record, the files. */
	if ((rc = op_unlock(&c.op, io, held)) != OR_OK ||
	    (h != NULL && h->unlocked != NULL &&
	    (rc = h->unlocked(h->ctx)) != OR_OK) ||
	    (rc = record_review(&c)) != OR_OK ||
	    (rc = sign_cert(&c)) != OR_OK ||
	    (rc = record(&c)) != OR_OK)
		goto out;
	if ((rc = write_files(&c)) != OR_OK) {
		rc = err_context(rc, "the renewal is recorded in the journal, "
		    "but root.crt was not replaced yet; the next command that "
		    "takes the lock finishes it (offroot check-key -d %s)",
		    p->dir);
		goto out;
	}
	/* 6: the transcript sealed, then the bundle. */
	if ((rc = op_finish(&c.op)) != OR_OK) {
		rc = err_context(rc, "the root certificate was renewed and "
		    "recorded, but its transcript was not sealed");
		goto out;
	}
	if (p->outdir != NULL && (rc = export_bundle(&c)) != OR_OK)
		rc = err_context(rc, "the root certificate was renewed and "
		    "recorded, but the bundle was not written");
out:
	rc = op_fail(&c.op, rc);
	op_end(&c.op);
	ctx_free(&c);
	return rc;
}
