/*
 * crl.c — building, linting, signing, verifying and keeping CRLs (crl.h).
 *
 * In the order of the file: the entry encoder (each entry's bytes, with
 * OpenSSL's encodings of dates and extensions cached), the lint, crl_build
 * as the steps crl.h lists (frame_make, entries_size, put_tbs, sign_tbs,
 * put_signature, check_own), crl_verify's walk, the PEM made on demand,
 * and the ceremony step (prepare, sign, record, keep).  DER headers are
 * der.c's; the entries arrive sorted by crl-sort.c (through the replay).
 * The per-entry loops are the hot path of a million-entry CRL: they copy
 * bytes into one buffer sized in advance and allocate nothing.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509v3.h>

#include "cadb.h"
#include "crl.h"
#include "crl-ahead.h"
#include "der.h"
#include "err.h"
#include "fileio.h"
#include "interact.h"
#include "issue.h"
#include "util.h"

#define CRL_OUTER_RESERVE	6	/* tag, 0x84 and four length octets */
#define CRL_SIG_RESERVE		1024	/* BIT STRING of any signature we make */
#define CRL_TCACHE		256	/* revocation dates remembered */
#define CRL_XCACHE		16	/* entry extension sets remembered */
#define CRL_PEM_BEGIN		"-----BEGIN X509 CRL-----\n"
#define CRL_PEM_END		"-----END X509 CRL-----\n"

/* ---- DER ---------------------------------------------------------------- */

/* One TLV from [p, end): der_read, where anything but DER_OK refuses. */
static inline bool
tlv_get(const unsigned char *p, const unsigned char *end, struct der *d)
{
	return der_read(p, end, d) == DER_OK;
}

/* UTCTime YYMMDDHHMMSSZ or GeneralizedTime YYYYMMDDHHMMSSZ, as RFC 5280
 * requires them (seconds, Z, no fractions). */
static bool
tlv_time_ok(const struct der *d)
{
	size_t i, nd;

	if (d->tag == V_ASN1_UTCTIME)
		nd = 12;
	else if (d->tag == V_ASN1_GENERALIZEDTIME)
		nd = 14;
	else
		return false;
	if (d->len != nd + 1 || d->c[nd] != 'Z')
		return false;
	for (i = 0; i < nd; i++)
		if (d->c[i] < '0' || d->c[i] > '9')
			return false;
	return true;
}

static time_t
tlv_time(const struct der *d)
{
	const unsigned char *p = d->hdr;
	ASN1_TIME *t;
	time_t v;

	if ((t = d2i_ASN1_TIME(NULL, &p, d->end - d->hdr)) == NULL)
		return 0;
	v = asn1_unix(t);
	ASN1_TIME_free(t);
	return v;
}

/* ---- entry encoding ----------------------------------------------------- */

/* The bytes that follow an entry's serial: its revocation date and its
 * extensions, encoded by OpenSSL and remembered, since a bulk revocation
 * gives thousands of entries the same date and reason. */
struct tcache {
	int64_t t;
	bool used;
	uint8_t len;
	unsigned char der[24];
};

struct xcache {
	bool used;
	uint8_t reason, has_inv, len;
	int64_t inv;
	unsigned char der[96];
};

struct encoder {
	ASN1_TIME *time;
	struct tcache t[CRL_TCACHE];
	struct xcache x[CRL_XCACHE];
};

static void
encoder_free(struct encoder *enc)
{
	ASN1_TIME_free(enc->time);
	free(enc);
}

static const struct tcache *
enc_time(struct encoder *enc, int64_t t)
{
	struct tcache *c = &enc->t[(uint64_t)t * 0x9e3779b97f4a7c15ULL >> 56];
	unsigned char *p;
	int n;

	if (c->used && c->t == t)
		return c;
	if (ASN1_TIME_set(enc->time, (time_t)t) == NULL ||
	    (n = i2d_ASN1_TIME(enc->time, NULL)) <= 0 ||
	    (size_t)n > sizeof c->der) {
		err_openssl(OR_E_CRYPTO, "encoding a revocation date");
		return NULL;
	}
	p = c->der;
	(void)i2d_ASN1_TIME(enc->time, &p);
	c->t = t;
	c->len = (uint8_t)n;
	c->used = true;
	return c;
}

static const struct xcache *
enc_exts(struct encoder *enc, const struct revoke_entry *e)
{
	STACK_OF(X509_EXTENSION) *sk = NULL;
	ASN1_ENUMERATED *reason = NULL;
	ASN1_GENERALIZEDTIME *inv = NULL;
	struct xcache *c;
	unsigned char *p;
	size_t slot;
	int n;

	slot = (e->reason * 7u + (e->has_invalidity ?
	    (size_t)((uint64_t)e->invalidity % 9u) + 1 : 0)) % CRL_XCACHE;
	c = &enc->x[slot];
	if (c->used && c->reason == e->reason &&
	    c->has_inv == e->has_invalidity &&
	    (!e->has_invalidity || c->inv == e->invalidity))
		return c;
	c->used = false;
	c->len = 0;
	/* RFC 5280 5.3.1: reasonCode is omitted rather than unspecified. */
	if ((e->reason != RR_UNSPECIFIED &&
	    ((reason = ASN1_ENUMERATED_new()) == NULL ||
	    !ASN1_ENUMERATED_set(reason, e->reason) ||
	    X509V3_add1_i2d(&sk, NID_crl_reason, reason, 0,
	    X509V3_ADD_APPEND) != 1)) ||
	    (e->has_invalidity &&
	    ((inv = ASN1_GENERALIZEDTIME_set(NULL,
	    (time_t)e->invalidity)) == NULL ||
	    X509V3_add1_i2d(&sk, NID_invalidity_date, inv, 0,
	    X509V3_ADD_APPEND) != 1)) ||
	    (sk != NULL && ((n = i2d_X509_EXTENSIONS(sk, NULL)) <= 0 ||
	    (size_t)n > sizeof c->der))) {
		err_openssl(OR_E_CRYPTO, "encoding entry extensions");
		c = NULL;
		goto out;
	}
	if (sk != NULL) {
		p = c->der;
		(void)i2d_X509_EXTENSIONS(sk, &p);
		c->len = (uint8_t)n;
	}
	c->reason = e->reason;
	c->has_inv = e->has_invalidity;
	c->inv = e->invalidity;
	c->used = true;
out:
	ASN1_ENUMERATED_free(reason);
	ASN1_GENERALIZEDTIME_free(inv);
	sk_X509_EXTENSION_pop_free(sk, X509_EXTENSION_free);
	return c;
}

/* Octets of the INTEGER content of a serial (a 0 first when the top bit
 * is set, so that it stays positive). */
static size_t
entry_int_len(const struct revoke_entry *e)
{
	return e->len + ((e->serial[SERIAL_MAX - e->len] & 0x80) != 0);
}

/* Length of one entry's content; *t and *x are its cached tails. */
static int
entry_parts(struct encoder *enc, const struct revoke_entry *e, size_t *clen,
    const struct tcache **t, const struct xcache **x)
{
	if (e->len == 0 || e->len > SERIAL_MAX)
		return err_set(OR_E_INPUT, "an entry without a serial number");
	if ((*t = enc_time(enc, e->revoked_at)) == NULL ||
	    (*x = enc_exts(enc, e)) == NULL)
		return OR_E_CRYPTO;
	*clen = 2 + entry_int_len(e) + (*t)->len + (*x)->len;
	return OR_OK;
}

static unsigned char *
entry_put(unsigned char *p, const struct revoke_entry *e, size_t clen,
    const struct tcache *t, const struct xcache *x)
{
	size_t ilen = entry_int_len(e);

	p = der_put_header(p, V_ASN1_SEQUENCE | V_ASN1_CONSTRUCTED, clen);
	*p++ = V_ASN1_INTEGER;
	*p++ = (unsigned char)ilen;
	if (ilen > e->len)
		*p++ = 0;
	memcpy(p, e->serial + SERIAL_MAX - e->len, e->len);
	p += e->len;
	memcpy(p, t->der, t->len);
	p += t->len;
	memcpy(p, x->der, x->len);
	return p + x->len;
}

/* ---- lint ----------------------------------------------------------------- */

int
crl_lint(const struct crl_spec *s)
{
	time_t nb = asn1_unix(X509_get0_notBefore(s->issuer));
	time_t na = asn1_unix(X509_get0_notAfter(s->issuer));
	char hex[SERIAL_HEX], a[21], b[21];
	struct serial rs;
	size_t i;

	if (s->number == 0)
		return err_set(OR_E_POLICY, "lint: e_crl_number_invalid: the "
		    "CRL number must be positive");
	/* A uint64_t is always below 2^159 (RFC 5280 5.2.3, 20 octets). */
	if (s->next_update <= s->this_update)
		return err_set(OR_E_POLICY, "lint: e_crl_next_update_order: "
		    "nextUpdate must be after thisUpdate");
	if (s->next_update - s->this_update > (time_t)CRL_MAX_DAYS * 86400) {
		utc_text(s->next_update, a);
		return err_set(OR_E_POLICY, "lint: e_crl_next_update_too_far: "
		    "nextUpdate %s is more than %d days after thisUpdate "
		    "(BR 4.9.7: at most 12 months)", a, CRL_MAX_DAYS);
	}
	if (s->next_update > na) {
		utc_text(s->next_update, a);
		utc_text(na, b);
		return err_set(OR_E_POLICY, "lint: e_crl_next_update_after_"
		    "issuer: nextUpdate %s is after the root's notAfter %s",
		    a, b);
	}
	if (s->this_update < nb) {
		utc_text(s->this_update, a);
		return err_set(OR_E_POLICY, "lint: e_crl_this_update_before_"
		    "issuer: thisUpdate %s is before the root's notBefore", a);
	}
	for (i = 0; i < s->n; i++) {
		if (i > 0 && memcmp(s->e[i - 1].serial, s->e[i].serial,
		    SERIAL_MAX) >= 0)
			return err_set(OR_E_POLICY, "lint: e_crl_entries_order: "
			    "entries are not sorted and unique");
		if (s->e[i].revoked_at > s->this_update) {
			memcpy(rs.b, s->e[i].serial, SERIAL_MAX);
			rs.len = s->e[i].len;
			serial_to_hex(&rs, hex);
			utc_text(s->this_update, a);
			return err_set(OR_E_POLICY, "lint: e_crl_revocation_"
			    "after_this_update: serial %s is revoked after "
			    "thisUpdate %s", hex, a);
		}
	}
	return OR_OK;
}

/* ---- building ------------------------------------------------------------- */

/* The root's SKI, or RFC 5280 method 1 (SHA-1 of its public key bits). */
static ASN1_OCTET_STRING *
issuer_key_id(X509 *issuer)
{
	const ASN1_OCTET_STRING *ski = X509_get0_subject_key_id(issuer);
	unsigned char md[EVP_MAX_MD_SIZE];
	ASN1_OCTET_STRING *id;
	unsigned int n;

	if (ski != NULL)
		return ASN1_OCTET_STRING_dup(ski);
	if (!X509_pubkey_digest(issuer, EVP_sha1(), md, &n) ||
	    (id = ASN1_OCTET_STRING_new()) == NULL)
		return NULL;
	if (!ASN1_OCTET_STRING_set(id, md, (int)n)) {
		ASN1_OCTET_STRING_free(id);
		return NULL;
	}
	return id;
}

/* Every field but the entries, signed with a throwaway key of the root's
 * type: it fills the algorithm fields. */
static int
skeleton(const struct crl_spec *s, const EVP_MD *md, X509_CRL **out)
{
	AUTHORITY_KEYID *akid = NULL;
	ASN1_INTEGER *num = NULL;
	ASN1_TIME *tu = NULL, *nu = NULL;
	EVP_PKEY *throwaway;
	X509_CRL *c = NULL;
	int rc = OR_E_CRYPTO;

	*out = NULL;
	if ((throwaway = issue_throwaway_key(s->type)) == NULL)
		return err_openssl(OR_E_CRYPTO, "making a throwaway key");
	if ((c = X509_CRL_new()) == NULL ||
	    !X509_CRL_set_version(c, X509_CRL_VERSION_2) ||
	    !X509_CRL_set_issuer_name(c, X509_get_subject_name(s->issuer)) ||
	    (tu = ASN1_TIME_set(NULL, s->this_update)) == NULL ||
	    (nu = ASN1_TIME_set(NULL, s->next_update)) == NULL ||
	    !X509_CRL_set1_lastUpdate(c, tu) ||
	    !X509_CRL_set1_nextUpdate(c, nu) ||
	    (akid = AUTHORITY_KEYID_new()) == NULL ||
	    (akid->keyid = issuer_key_id(s->issuer)) == NULL ||
	    X509_CRL_add1_ext_i2d(c, NID_authority_key_identifier, akid, 0,
	    0) != 1 ||
	    (num = ASN1_INTEGER_new()) == NULL ||
	    !ASN1_INTEGER_set_uint64(num, s->number) ||
	    X509_CRL_add1_ext_i2d(c, NID_crl_number, num, 0, 0) != 1) {
		rc = err_openssl(OR_E_CRYPTO, "building the CRL");
		goto out;
	}
	if (X509_CRL_sign(c, throwaway, md) <= 0) {
		rc = err_openssl(OR_E_CRYPTO, "pre-signing the CRL with a "
		    "throwaway key");
		goto out;
	}
	*out = c;
	c = NULL;
	rc = OR_OK;
out:
	X509_CRL_free(c);
	AUTHORITY_KEYID_free(akid);
	ASN1_INTEGER_free(num);
	ASN1_TIME_free(tu);
	ASN1_TIME_free(nu);
	return rc;
}

/* Splits the skeleton's TBS into what comes before the entries (version
 * to nextUpdate) and after them (the extensions). */
static int
split_tbs(const unsigned char *tbs, size_t len, const unsigned char **pre,
    size_t *prelen, const unsigned char **ext, size_t *extlen)
{
	struct der d, f;
	const unsigned char *p;
	int i;

	if (!tlv_get(tbs, tbs + len, &d) || d.end != tbs + len)
		return err_set(OR_E_CRYPTO, "OpenSSL's TBS is not one SEQUENCE");
	p = d.c;
	for (i = 0; i < 5; i++) {
		if (!tlv_get(p, d.end, &f))
			return err_set(OR_E_CRYPTO, "OpenSSL's TBS is short");
		p = f.end;
	}
	if (!tlv_get(p, d.end, &f) ||
	    f.tag != (V_ASN1_CONTEXT_SPECIFIC | V_ASN1_CONSTRUCTED) ||
	    f.end != d.end)
		return err_set(OR_E_CRYPTO, "OpenSSL's TBS does not end with "
		    "the extensions");
	*pre = d.c;
	*prelen = (size_t)(p - d.c);
	*ext = p;
	*extlen = (size_t)(d.end - p);
	return OR_OK;
}

/* What crl_build assembles around the entries: the skeleton's TBS cut
 * where the entries go, and its algorithm. */
struct crl_frame {
	X509_CRL *skel;
	unsigned char *tbs0;		/* the skeleton's TBS, OpenSSL's */
	const unsigned char *pre, *ext;	/* version..nextUpdate; extensions */
	size_t prelen, extlen;
	unsigned char *alg;		/* the AlgorithmIdentifier's DER */
	size_t alglen;
};

static void
frame_free(struct crl_frame *f)
{
	X509_CRL_free(f->skel);
	OPENSSL_free(f->tbs0);
	OPENSSL_free(f->alg);
	memset(f, 0, sizeof *f);
}

/* Step 1: OpenSSL builds and pre-signs every field but the entries. */
static int
frame_make(const struct crl_spec *s, const EVP_MD *md, struct crl_frame *f)
{
	const ASN1_BIT_STRING *sig0;
	const X509_ALGOR *alg0;
	int n, rc;

	memset(f, 0, sizeof *f);
	if ((rc = skeleton(s, md, &f->skel)) != OR_OK)
		return rc;
	if ((n = i2d_re_X509_CRL_tbs(f->skel, &f->tbs0)) <= 0)
		return err_openssl(OR_E_CRYPTO, "encoding the CRL");
	if ((rc = split_tbs(f->tbs0, (size_t)n, &f->pre, &f->prelen, &f->ext,
	    &f->extlen)) != OR_OK)
		return rc;
	X509_CRL_get0_signature(f->skel, &sig0, &alg0);
	if ((n = i2d_X509_ALGOR(alg0, &f->alg)) <= 0)
		return err_openssl(OR_E_CRYPTO, "encoding the algorithm");
	f->alglen = (size_t)n;
	return OR_OK;
}

/* Pass 1: the content length of revokedCertificates, so that the TBS is
 * written once, in place, in a buffer of its final size. */
static int
entries_size(struct encoder *enc, const struct crl_spec *s, size_t *entlen)
{
	const struct tcache *t;
	const struct xcache *x;
	size_t i, clen, sum = 0;
	int rc;

	for (i = 0; i < s->n; i++) {
		if ((rc = entry_parts(enc, &s->e[i], &clen, &t, &x)) != OR_OK)
			return rc;
		sum += der_header_size(clen) + clen;
	}
	*entlen = sum;
	return OR_OK;
}

/* Pass 2: the TBS at tbs, tbslen bytes, tbsc of them content; *end is
 * where it ends. */
static int
put_tbs(struct encoder *enc, const struct crl_spec *s,
    const struct crl_frame *f, size_t entlen, size_t tbsc, size_t tbslen,
    unsigned char *tbs, unsigned char **end)
{
	const struct tcache *t;
	const struct xcache *x;
	unsigned char *p;
	size_t i, clen;
	int rc;

	p = der_put_header(tbs, V_ASN1_SEQUENCE | V_ASN1_CONSTRUCTED, tbsc);
	memcpy(p, f->pre, f->prelen);
	p += f->prelen;
	if (s->n > 0) {
		/* RFC 5280 5.1.2.6: absent, not empty, without entries. */
		p = der_put_header(p, V_ASN1_SEQUENCE | V_ASN1_CONSTRUCTED,
		    entlen);
		for (i = 0; i < s->n; i++) {
			if ((rc = entry_parts(enc, &s->e[i], &clen, &t, &x)) !=
			    OR_OK)
				return rc;
			p = entry_put(p, &s->e[i], clen, t, x);
		}
	}
	memcpy(p, f->ext, f->extlen);
	p += f->extlen;
	if ((size_t)(p - tbs) != tbslen)
		return err_set(OR_E_CRYPTO, "CRL encoder: %zu bytes written, "
		    "%zu planned", (size_t)(p - tbs), tbslen);
	*end = p;
	return OR_OK;
}

/* Step 3: the key store signs exactly these bytes: hashed here once when
 * it can sign a digest, so that they are not hashed twice more (to sign
 * and to check the signature); crl_verify checks the finished CRL from
 * its bytes either way. */
static int
sign_tbs(struct keystore *ks, const char *digest, const EVP_MD *md,
    const unsigned char *tbs, size_t tbslen, unsigned char **sig,
    size_t *siglen)
{
	unsigned char tbsmd[EVP_MAX_MD_SIZE];
	unsigned int tbsmdlen = 0;

	if (!keystore_can_sign_digest(ks, digest))
		return keystore_sign(ks, digest, tbs, tbslen, sig, siglen);
	if (EVP_Digest(tbs, tbslen, tbsmd, &tbsmdlen, md, NULL) != 1)
		return err_openssl(OR_E_CRYPTO, "hashing the CRL");
	return keystore_sign_digest(ks, digest, tbsmd, tbsmdlen, sig, siglen);
}

/* Appends algorithm and signature at p (after the TBS at tbs) and puts
 * the outer header in front, moved to buf[0]; returns the DER's length. */
static size_t
put_signature(unsigned char *buf, unsigned char *tbs, unsigned char *p,
    const struct crl_frame *f, const unsigned char *sig, size_t siglen)
{
	size_t outc, h;

	memcpy(p, f->alg, f->alglen);
	p += f->alglen;
	p = der_put_header(p, V_ASN1_BIT_STRING, siglen + 1);
	*p++ = 0;	/* no unused bits */
	memcpy(p, sig, siglen);
	p += siglen;
	outc = (size_t)(p - tbs);
	h = der_header_size(outc);
	(void)der_put_header(tbs - h, V_ASN1_SEQUENCE | V_ASN1_CONSTRUCTED,
	    outc);
	if (h < CRL_OUTER_RESERVE)
		memmove(buf, tbs - h, h + outc);
	return h + outc;
}

/* Step 4: our own output verified before anyone sees it. */
static int
check_own(const struct crl_spec *s, const unsigned char *der, size_t len)
{
	struct crl_info info;
	int rc;

	if ((rc = crl_verify(der, len, s->issuer, &info)) != OR_OK)
		return err_context(rc, "the CRL just signed does not verify");
	if (info.number != s->number || info.entries != s->n ||
	    info.this_update != s->this_update ||
	    info.next_update != s->next_update)
		return err_set(OR_E_CRYPTO, "the CRL just signed does not say "
		    "what was intended");
	return OR_OK;
}

int
crl_build(const struct crl_spec *s, struct keystore *ks, unsigned char **der,
    size_t *derlen)
{
	struct crl_frame f = { 0 };
	struct encoder *enc = NULL;
	const char *digest;
	const EVP_MD *md = NULL;
	unsigned char *sig = NULL, *buf = NULL, *tbs, *p = NULL;
	size_t entlen = 0, tbsc, tbslen, siglen = 0;
	int rc;

	*der = NULL;
	*derlen = 0;
	if ((rc = crl_lint(s)) != OR_OK)
		return rc;
	digest = keytype_default_digest(s->type);
	if (digest != NULL && (md = EVP_get_digestbyname(digest)) == NULL)
		return err_set(OR_E_CRYPTO, "digest %s is not available",
		    digest);
	if ((rc = frame_make(s, md, &f)) != OR_OK)
		goto out;
	if ((enc = calloc(1, sizeof *enc)) == NULL ||
	    (enc->time = ASN1_TIME_new()) == NULL) {
		rc = err_set(OR_E_NOMEM, "out of memory");
		goto out;
	}
	if ((rc = entries_size(enc, s, &entlen)) != OR_OK)
		goto out;
	tbsc = f.prelen + f.extlen +
	    (s->n > 0 ? der_header_size(entlen) + entlen : 0);
	tbslen = der_header_size(tbsc) + tbsc;
	if ((buf = malloc(CRL_OUTER_RESERVE + tbslen + f.alglen +
	    CRL_SIG_RESERVE)) == NULL) {
		rc = err_set(OR_E_NOMEM, "out of memory for a CRL of %zu "
		    "bytes", tbslen);
		goto out;
	}
	mem_advise_huge(buf, CRL_OUTER_RESERVE + tbslen);
	tbs = buf + CRL_OUTER_RESERVE;
	if ((rc = put_tbs(enc, s, &f, entlen, tbsc, tbslen, tbs, &p)) !=
	    OR_OK ||
	    (rc = sign_tbs(ks, digest, md, tbs, tbslen, &sig, &siglen)) !=
	    OR_OK)
		goto out;
	if (siglen + 1 + 6 > CRL_SIG_RESERVE) {
		rc = err_set(OR_E_CRYPTO, "signature too long");
		goto out;
	}
	*derlen = put_signature(buf, tbs, p, &f, sig, siglen);
	if ((rc = check_own(s, buf, *derlen)) != OR_OK)
		goto out;
	*der = buf;
	buf = NULL;
out:
	if (rc != OR_OK)
		*derlen = 0;
	free(buf);
	if (enc != NULL)
		encoder_free(enc);
	frame_free(&f);
	OPENSSL_free(sig);
	return rc;
}

/* ---- verifying ---------------------------------------------------------- */

static int
bad(const char *what)
{
	return err_set(OR_E_CORRUPT, "CRL: %s", what);
}

/* Decodes a distinct set of entry extensions: only reasonCode and
 * invalidityDate, each decodable, none twice. */
static int
check_entry_exts(const unsigned char *p, size_t len)
{
	STACK_OF(X509_EXTENSION) *sk;
	X509_EXTENSION *ex;
	const unsigned char *q = p;
	void *v;
	int i, nid, seen = 0, rc = OR_OK;

	if ((sk = d2i_X509_EXTENSIONS(NULL, &q, (long)len)) == NULL ||
	    q != p + len) {
		sk_X509_EXTENSION_pop_free(sk, X509_EXTENSION_free);
		return bad("an entry's extensions do not decode");
	}
	for (i = 0; i < sk_X509_EXTENSION_num(sk) && rc == OR_OK; i++) {
		ex = sk_X509_EXTENSION_value(sk, i);
		nid = OBJ_obj2nid(X509_EXTENSION_get_object(ex));
		if ((nid != NID_crl_reason && nid != NID_invalidity_date) ||
		    (seen & (nid == NID_crl_reason ? 1 : 2)) ||
		    X509_EXTENSION_get_critical(ex)) {
			rc = bad("an unexpected entry extension");
			break;
		}
		seen |= nid == NID_crl_reason ? 1 : 2;
		if ((v = X509V3_EXT_d2i(ex)) == NULL) {
			rc = bad("an entry extension does not decode");
			break;
		}
		if (nid == NID_crl_reason)
			ASN1_ENUMERATED_free(v);
		else
			ASN1_GENERALIZEDTIME_free(v);
	}
	sk_X509_EXTENSION_pop_free(sk, X509_EXTENSION_free);
	return rc;
}

/* Walks revokedCertificates: strict DER, serials positive, minimal and
 * strictly increasing, dates well-formed. */
static int
walk_entries(const struct der *list, size_t *count)
{
	const unsigned char *p = list->c, *prev = NULL, *px = NULL;
	size_t prevlen = 0, pxlen = 0, n = 0, xlen;
	struct der e, s, t, x;
	int c, rc;

	while (p < list->end) {
		if (!tlv_get(p, list->end, &e) ||
		    e.tag != (V_ASN1_SEQUENCE | V_ASN1_CONSTRUCTED) ||
		    !tlv_get(e.c, e.end, &s) || s.tag != V_ASN1_INTEGER ||
		    s.len == 0 || s.len > SERIAL_MAX + 1 ||
		    (s.c[0] & 0x80) != 0 ||
		    (s.len > 1 && s.c[0] == 0 && (s.c[1] & 0x80) == 0) ||
		    (s.len == 1 && s.c[0] == 0))
			return bad("a malformed entry or serial number");
		if (prev != NULL) {
			c = s.len != prevlen ? (s.len > prevlen ? 1 : -1) :
			    memcmp(s.c, prev, s.len);
			if (c <= 0)
				return bad("entries are not in increasing "
				    "serial order");
		}
		prev = s.c;
		prevlen = s.len;
		if (!tlv_get(s.end, e.end, &t) || !tlv_time_ok(&t))
			return bad("a malformed revocation date");
		xlen = 0;
		if (t.end != e.end) {
			if (!tlv_get(t.end, e.end, &x) ||
			    x.tag != (V_ASN1_SEQUENCE | V_ASN1_CONSTRUCTED) ||
			    x.end != e.end)
				return bad("malformed entry extensions");
			xlen = (size_t)(x.end - x.hdr);
			if (xlen != pxlen || memcmp(x.hdr, px, xlen) != 0) {
				if ((rc = check_entry_exts(x.hdr, xlen)) !=
				    OR_OK)
					return rc;
				px = x.hdr;
				pxlen = xlen;
			}
		}
		n++;
		p = e.end;
	}
	*count = n;
	return OR_OK;
}

/* The CRL extensions: CRL number (required), AKI (required, the root's
 * key id), nothing critical that we do not know. */
static int
check_crl_exts(const struct der *d, X509 *issuer, uint64_t *number)
{
	STACK_OF(X509_EXTENSION) *sk;
	const unsigned char *q = d->hdr;
	ASN1_OCTET_STRING *want = NULL;
	AUTHORITY_KEYID *akid = NULL;
	ASN1_INTEGER *num = NULL;
	X509_EXTENSION *ex;
	int i, nid, rc = OR_OK;

	if ((sk = d2i_X509_EXTENSIONS(NULL, &q, d->end - d->hdr)) == NULL ||
	    q != d->end) {
		rc = bad("the extensions do not decode");
		goto out;
	}
	for (i = 0; i < sk_X509_EXTENSION_num(sk); i++) {
		ex = sk_X509_EXTENSION_value(sk, i);
		nid = OBJ_obj2nid(X509_EXTENSION_get_object(ex));
		if (nid == NID_crl_number && num == NULL) {
			num = X509V3_EXT_d2i(ex);
			if (num == NULL) {
				rc = bad("the CRL number does not decode");
				goto out;
			}
		} else if (nid == NID_authority_key_identifier &&
		    akid == NULL) {
			if ((akid = X509V3_EXT_d2i(ex)) == NULL) {
				rc = bad("the AKI does not decode");
				goto out;
			}
		} else if (nid == NID_crl_number ||
		    nid == NID_authority_key_identifier ||
		    X509_EXTENSION_get_critical(ex)) {
			rc = bad("a repeated or unknown critical extension");
			goto out;
		}
	}
	if (num == NULL || !ASN1_INTEGER_get_uint64(number, num) ||
	    *number == 0) {
		rc = bad("lint: e_crl_number_missing: no valid CRL number");
		goto out;
	}
	if (akid == NULL || akid->keyid == NULL ||
	    (want = issuer_key_id(issuer)) == NULL ||
	    ASN1_OCTET_STRING_cmp(akid->keyid, want) != 0) {
		rc = bad("lint: e_crl_aki: the authority key identifier is "
		    "missing or is not the root's");
		goto out;
	}
out:
	sk_X509_EXTENSION_pop_free(sk, X509_EXTENSION_free);
	ASN1_OCTET_STRING_free(want);
	AUTHORITY_KEYID_free(akid);
	ASN1_INTEGER_free(num);
	return rc;
}

/* The signature over the TBS bytes, without parsing the entries. */
static int
verify_streaming(const struct der *tbs, const struct der *alg,
    const struct der *sig, EVP_PKEY *pub)
{
	const unsigned char *p = alg->hdr;
	X509_ALGOR *a = NULL;
	const EVP_MD *md = NULL;
	EVP_MD_CTX *ctx = NULL;
	int md_nid, pk_nid, rc;

	if ((a = d2i_X509_ALGOR(NULL, &p, alg->end - alg->hdr)) == NULL ||
	    !OBJ_find_sigid_algs(OBJ_obj2nid(a->algorithm), &md_nid,
	    &pk_nid)) {
		rc = bad("an unknown signature algorithm");
		goto out;
	}
	if (md_nid != NID_undef && (md = EVP_get_digestbynid(md_nid)) == NULL) {
		rc = bad("an unavailable digest");
		goto out;
	}
	if ((ctx = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestVerifyInit(ctx, NULL, md, NULL, pub) != 1) {
		rc = err_openssl(OR_E_CRYPTO, "preparing to verify the CRL");
		goto out;
	}
	if (EVP_DigestVerify(ctx, sig->c + 1, sig->len - 1, tbs->hdr,
	    (size_t)(tbs->end - tbs->hdr)) != 1) {
		rc = err_openssl(OR_E_VERIFY, "the CRL's signature does not "
		    "verify with the root's public key");
		goto out;
	}
	rc = OR_OK;
out:
	EVP_MD_CTX_free(ctx);
	X509_ALGOR_free(a);
	return rc;
}

/* The whole CRL through OpenSSL: it must re-encode to the same bytes and
 * verify. */
static int
verify_parsed(const unsigned char *der, size_t len, EVP_PKEY *pub,
    size_t entries)
{
	const unsigned char *p = der;
	unsigned char *again = NULL;
	X509_CRL *c;
	int n, rc = OR_OK;

	if ((c = d2i_X509_CRL(NULL, &p, (long)len)) == NULL || p != der + len)
		rc = err_openssl(OR_E_CORRUPT, "CRL: OpenSSL cannot parse it");
	else if ((n = i2d_X509_CRL(c, &again)) <= 0 || (size_t)n != len ||
	    memcmp(again, der, len) != 0)
		rc = bad("OpenSSL re-encodes it differently");
	else if ((X509_CRL_get_REVOKED(c) == NULL ? 0 :
	    (size_t)sk_X509_REVOKED_num(X509_CRL_get_REVOKED(c))) != entries)
		rc = bad("OpenSSL counts a different number of entries");
	else if (X509_CRL_verify(c, pub) != 1)
		rc = err_openssl(OR_E_VERIFY, "the CRL's signature does not "
		    "verify with the root's public key");
	OPENSSL_free(again);
	X509_CRL_free(c);
	return rc;
}

int
crl_verify(const unsigned char *der, size_t len, X509 *issuer,
    struct crl_info *info)
{
	struct der outer, tbs, alg, sig, f[5], d;
	unsigned char *name = NULL;
	const unsigned char *p;
	size_t count = 0;
	int i, namelen, rc;

	memset(info, 0, sizeof *info);
	if (!tlv_get(der, der + len, &outer) ||
	    outer.tag != (V_ASN1_SEQUENCE | V_ASN1_CONSTRUCTED) ||
	    outer.end != der + len ||
	    !tlv_get(outer.c, outer.end, &tbs) ||
	    tbs.tag != (V_ASN1_SEQUENCE | V_ASN1_CONSTRUCTED) ||
	    !tlv_get(tbs.end, outer.end, &alg) ||
	    alg.tag != (V_ASN1_SEQUENCE | V_ASN1_CONSTRUCTED) ||
	    !tlv_get(alg.end, outer.end, &sig) ||
	    sig.tag != V_ASN1_BIT_STRING || sig.end != outer.end ||
	    sig.len < 2 || sig.c[0] != 0)
		return bad("not a DER CertificateList");
	p = tbs.c;
	for (i = 0; i < 5; i++) {
		if (!tlv_get(p, tbs.end, &f[i]))
			return bad("a truncated TBSCertList");
		p = f[i].end;
	}
	if (f[0].tag != V_ASN1_INTEGER || f[0].len != 1 || f[0].c[0] != 1)
		return bad("lint: e_crl_version: not a v2 CRL");
	if (f[1].end - f[1].hdr != alg.end - alg.hdr ||
	    memcmp(f[1].hdr, alg.hdr, (size_t)(alg.end - alg.hdr)) != 0)
		return bad("the two signature algorithms differ");
	if ((namelen = i2d_X509_NAME(X509_get_subject_name(issuer),
	    &name)) <= 0)
		return err_openssl(OR_E_CRYPTO, "encoding the root's name");
	rc = f[2].end - f[2].hdr != namelen ||
	    memcmp(f[2].hdr, name, (size_t)namelen) != 0;
	OPENSSL_free(name);
	if (rc)
		return bad("the issuer is not the root's subject");
	if (!tlv_time_ok(&f[3]) || !tlv_time_ok(&f[4]))
		return bad("thisUpdate or nextUpdate is malformed or absent");
	info->this_update = tlv_time(&f[3]);
	info->next_update = tlv_time(&f[4]);
	if (p < tbs.end && tlv_get(p, tbs.end, &d) &&
	    d.tag == (V_ASN1_SEQUENCE | V_ASN1_CONSTRUCTED)) {
		if (d.len == 0)
			return bad("an empty revokedCertificates list");
		if ((rc = walk_entries(&d, &count)) != OR_OK)
			return rc;
		p = d.end;
	}
	if (!tlv_get(p, tbs.end, &d) ||
	    d.tag != (V_ASN1_CONTEXT_SPECIFIC | V_ASN1_CONSTRUCTED) ||
	    d.end != tbs.end)
		return bad("lint: e_crl_extensions: no crlExtensions");
	if (!tlv_get(d.c, d.end, &d) || d.end != tbs.end)
		return bad("malformed crlExtensions");
	if ((rc = check_crl_exts(&d, issuer, &info->number)) != OR_OK)
		return rc;
	info->entries = count;
	if (count <= CRL_SMALL)
		return verify_parsed(der, len, X509_get0_pubkey(issuer), count);
	return verify_streaming(&tbs, &alg, &sig, X509_get0_pubkey(issuer));
}

static const char pem_b64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* Two base64 characters for each 12 bits, so that three bytes take two
 * look-ups (a large CRL is 70 MB of PEM, made twice: written and read
 * back). */
static char pem_pairs[4096][2];

static void
pem_pairs_init(void)
{
	size_t i;

	if (pem_pairs[0][0] != 0)
		return;
	for (i = 0; i < 4096; i++) {
		pem_pairs[i][0] = pem_b64[i >> 6];
		pem_pairs[i][1] = pem_b64[i & 63];
	}
}

/* Base64 of 1 to 48 bytes, as one PEM line.  EVP_EncodeBlock costs more
 * per call than the 64 characters it writes, and a large CRL has a
 * million lines. */
static char *
pem_line(char *p, const unsigned char *in, size_t n)
{
	uint32_t v;

	for (; n >= 3; n -= 3, in += 3) {
		v = (uint32_t)in[0] << 16 | (uint32_t)in[1] << 8 | in[2];
		memcpy(p, pem_pairs[v >> 12], 2);
		memcpy(p + 2, pem_pairs[v & 0xfff], 2);
		p += 4;
	}
	if (n > 0) {
		v = (uint32_t)in[0] << 16 | (n == 2 ? (uint32_t)in[1] << 8 : 0);
		*p++ = pem_b64[v >> 18];
		*p++ = pem_b64[(v >> 12) & 63];
		*p++ = n == 2 ? pem_b64[(v >> 6) & 63] : '=';
		*p++ = '=';
	}
	*p++ = '\n';
	return p;
}

static const unsigned char *
pem_next(void *vctx, size_t *n)
{
	struct crl_pem *c = vctx;
	char *p = c->buf;
	size_t k, chunk;

	if (c->done) {
		*n = 0;
		return NULL;
	}
	if (c->pos == 0) {
		memcpy(p, CRL_PEM_BEGIN, sizeof CRL_PEM_BEGIN - 1);
		p += sizeof CRL_PEM_BEGIN - 1;
	}
	for (k = 0; k < CRL_PEM_LINES && c->pos < c->len; k++) {
		chunk = c->len - c->pos < 48 ? c->len - c->pos : 48;
		p = pem_line(p, c->der + c->pos, chunk);
		c->pos += chunk;
	}
	if (c->pos == c->len) {
		memcpy(p, CRL_PEM_END, sizeof CRL_PEM_END - 1);
		p += sizeof CRL_PEM_END - 1;
		c->done = true;
	}
	*n = (size_t)(p - c->buf);
	return (const unsigned char *)c->buf;
}

static void
pem_rewind(void *vctx)
{
	struct crl_pem *c = vctx;

	c->pos = 0;
	c->done = false;
}

void
crl_pem_source(struct crl_pem *c, const unsigned char *der, size_t len,
    struct file_source *src)
{
	pem_pairs_init();
	c->der = der;
	c->len = len;
	c->pos = 0;
	c->done = false;
	src->next = pem_next;
	src->rewind = pem_rewind;
	src->ctx = c;
}

int
crl_to_pem(const unsigned char *der, size_t len, char **pem, size_t *pemlen)
{
	struct file_source src;
	struct crl_pem *c;
	const unsigned char *chunk;
	size_t size, n;
	char *out, *p;

	*pem = NULL;
	*pemlen = 0;
	size = sizeof CRL_PEM_BEGIN + (len + 2) / 3 * 4 + (len + 47) / 48 +
	    sizeof CRL_PEM_END;
	if ((c = malloc(sizeof *c)) == NULL)
		return err_set(OR_E_NOMEM, "out of memory");
	if ((out = malloc(size)) == NULL) {
		free(c);
		return err_set(OR_E_NOMEM, "out of memory");
	}
	crl_pem_source(c, der, len, &src);
	for (p = out; (chunk = src.next(src.ctx, &n)) != NULL; p += n)
		memcpy(p, chunk, n);
	*p = '\0';
	free(c);
	*pem = out;
	*pemlen = (size_t)(p - out);
	return OR_OK;
}

/* ---- the ceremony step -------------------------------------------------- */

void
crl_plan_free(struct crl_plan *plan)
{
	revoke_db_free(&plan->rdb);
	memset(plan, 0, sizeof *plan);
}

void
crl_result_free(struct crl_result *res)
{
	free(res->der);
	memset(res, 0, sizeof *res);
}

int
crl_prepare(struct cadb *db, X509 *root, const struct crl_params *p,
    struct crl_plan *plan)
{
	struct revoke_db rdb;
	int rc;

	memset(plan, 0, sizeof *plan);
	if ((rc = revoke_db_load(db->dir, REVOKE_DB_ENTRIES, &rdb)) != OR_OK)
		return rc;
	return crl_prepare_with(db, root, p, &rdb, plan);
}

int
crl_prepare_with(struct cadb *db, X509 *root, const struct crl_params *p,
    struct revoke_db *rdb, struct crl_plan *plan)
{
	long days = p->days, interval;
	struct crl_spec *s = &plan->spec;
	struct revoke_crl cur;
	uint64_t last;
	char when[21];
	time_t na;
	int rc;

	memset(plan, 0, sizeof *plan);
	plan->rdb = *rdb;
	memset(rdb, 0, sizeof *rdb);
	snprintf(plan->dir, sizeof plan->dir, "%s", db->dir);
	/* Without --days: the root profile's crl_days (profile.h). */
	if (days == 0 && (rc = crl_profile_period(db, &days, &interval)) !=
	    OR_OK)
		goto fail;
	if (days < 1 || days > 36525) {
		rc = err_set(OR_E_USAGE, "--days: from 1 to %d", CRL_MAX_DAYS);
		goto fail;
	}
	if (!(plan->rdb.flags & REVOKE_DB_ENTRIES)) {
		rc = err_set(OR_E_INPUT, "crl_prepare_with: the revocations "
		    "were not collected");
		goto fail;
	}
	last = plan->rdb.crl_signed_max > plan->rdb.crl_reserved_max ?
	    plan->rdb.crl_signed_max : plan->rdb.crl_reserved_max;
	s->issuer = root;
	if ((s->type = keytype_of(X509_get0_pubkey(root))) == KT_NONE) {
		rc = err_set(OR_E_INPUT, "the root's key type is not one "
		    "offroot signs with");
		goto fail;
	}
	s->number = last + 1;
	s->this_update = p->this_update != 0 ? p->this_update : time(NULL);
	s->next_update = s->this_update + (time_t)days * 86400;
	/* The default period stops at the root's notAfter (a CRL says
	 * nothing after its issuer expires); a period asked for is linted
	 * as it is. */
	na = asn1_unix(X509_get0_notAfter(root));
	if (p->days == 0 && s->next_update > na && na > s->this_update) {
		s->next_update = na;
		plan->clamped = true;
	}
	s->e = plan->rdb.e;
	s->n = plan->rdb.n;
	if ((rc = crl_lint(s)) != OR_OK)
		goto fail;
	/* A CRL dated ahead would, once its time came, look newer than any
	 * CRL signed before then, with revocations it does not list. */
	if (s->this_update > time(NULL)) {
		utc_text(s->this_update, when);
		rc = err_set(OR_E_POLICY, "lint: e_crl_this_update_in_future: "
		    "thisUpdate %s is in the future", when);
		goto fail;
	}
	/* Clients that pick the newest CRL by thisUpdate must pick this one. */
	if (plan->rdb.has_crl && s->this_update < plan->rdb.last_crl.this_update) {
		utc_text(plan->rdb.last_crl.this_update, when);
		rc = err_set(OR_E_POLICY, "lint: e_crl_this_update_before_"
		    "previous: CRL %" PRIu64 " has thisUpdate %s, later than "
		    "this one's", plan->rdb.last_crl.number, when);
		goto fail;
	}
	/* The same for a CRL signed ahead that relying parties have now. */
	if (revoke_db_current(&plan->rdb, time(NULL), &cur) &&
	    s->this_update < cur.this_update) {
		utc_text(cur.this_update, when);
		rc = err_set(OR_E_POLICY, "lint: e_crl_this_update_before_"
		    "previous: CRL %" PRIu64 " (signed ahead) has thisUpdate "
		    "%s, later than this one's", cur.number, when);
		goto fail;
	}
	return OR_OK;
fail:
	crl_plan_free(plan);
	return rc;
}

int
crl_sign(struct cadb *db, struct keystore *ks, struct interact *io,
    const struct crl_params *p, struct crl_plan *plan, struct crl_result *res)
{
	const struct crl_spec *s = &plan->spec;
	unsigned char md[SHA256_LEN];
	char path[PATH_MAX], dir[PATH_MAX];
	struct crl_pem *pem = NULL;
	struct file_source src;
	bool wrote_copy = false;
	int rc;

	/* A CRL of an interrupted run (its number reserved, never recorded)
	 * was set aside by recover_ca when the CA was opened. */
	memset(res, 0, sizeof *res);
	{
		struct jfields f;
		char why[64];

		/* CRLs signed ahead whose time has not come would be
		 * published after this one with lower numbers. */
		snprintf(why, sizeof why, "superseded by CRL %" PRIu64,
		    s->number);
		if ((rc = crl_ahead_withdraw(db, &plan->rdb, s->this_update,
		    true, why, io)) != OR_OK)
			return rc;
		jf_init(&f);
		jf_add_u64(&f, "number", s->number);
		if ((rc = cadb_append(db, "crl-number", &f)) != OR_OK)
			return rc;
	}
	io->progress(io, "Signing the CRL", -1);
	rc = crl_build(s, ks, &res->der, &res->len);
	io->progress(io, NULL, 1);
	if (rc != OR_OK)
		goto out;
	/* The entries are in the CRL now: give their memory back before the
	 * PEM copy is made. */
	res->entries = s->n;
	free(plan->rdb.e);
	plan->rdb.e = NULL;
	plan->rdb.cap = 0;
	plan->spec.e = NULL;
	if ((rc = sha256(res->der, res->len, md)) != OR_OK)
		goto out;
	hex_encode(md, sizeof md, res->sha256);
	snprintf(res->file, sizeof res->file, "%" PRIu64 ".crl", s->number);
	if ((rc = cadb_path(db->dir, CADB_CRLS, dir, sizeof dir)) != OR_OK ||
	    (rc = file_join(path, sizeof path, dir, res->file)) != OR_OK ||
	    (rc = file_write_new(path, res->der, res->len, 0644)) != OR_OK)
		goto out;
	wrote_copy = true;
	{
		struct jfields f;

		jf_init(&f);
		jf_add_u64(&f, "number", s->number);
		jf_add_i64(&f, "this_update", s->this_update);
		jf_add_i64(&f, "next_update", s->next_update);
		jf_add_u64(&f, "entries", res->entries);
		jf_add(&f, "file", res->file);
		jf_add(&f, "sha256", res->sha256);
		if ((rc = cadb_append(db, "crl", &f)) != OR_OK)
			goto out;
	}
	res->number = s->number;
	res->this_update = s->this_update;
	res->next_update = s->next_update;
	/* Only a CRL the journal records leaves for the media (ARCHITECTURE
	 * decision 10): a kill before this point leaves no signed CRL
	 * outside the CA directory that the journal does not know. */
	if (p->out != NULL) {
		if (p->der)
			rc = file_write_new(p->out, res->der, res->len, 0644);
		else if ((pem = malloc(sizeof *pem)) == NULL)
			rc = err_set(OR_E_NOMEM, "out of memory");
		else {
			crl_pem_source(pem, res->der, res->len, &src);
			rc = file_write_new_source(p->out, &src, 0644);
		}
		free(pem);
		if (rc != OR_OK)
			return err_context(rc, "CRL number %" PRIu64 " is signed "
			    "and recorded as %s/%s, but not written to %s",
			    s->number, dir, res->file, p->out);
	}
	return OR_OK;
out:
	if (rc != OR_OK) {
		/* Nothing but the reservation may outlive a failure. */
		if (wrote_copy && unlink(path) == 0)
			(void)file_sync_dir(dir);
		free(res->der);
		res->der = NULL;
		res->len = 0;
	}
	return rc;
}

int
crl_current_or_new(struct cadb *db, X509 *root, struct keystore *ks,
    struct interact *io, unsigned char **der, size_t *len)
{
	struct crl_params p = { 0, 0, NULL, false };
	struct crl_plan plan;
	struct crl_result res;
	struct revoke_db rdb;
	struct crl_info info;
	struct revoke_crl cur;
	unsigned char *data = NULL, md[SHA256_LEN];
	char dir[PATH_MAX], path[PATH_MAX], hex[65];
	time_t now = time(NULL);
	size_t n;
	int rc;

	*der = NULL;
	*len = 0;
	if ((rc = revoke_db_load(db->dir, 0, &rdb)) != OR_OK)
		return rc;
	/* The CRL relying parties have now (one signed ahead, too). */
	if (revoke_db_current(&rdb, now, &cur) && rdb.since_crl == 0 &&
	    cur.next_update - now > (time_t)CRL_REFRESH_DAYS * 86400) {
		if ((rc = cadb_path(db->dir, CADB_CRLS, dir, sizeof dir)) !=
		    OR_OK ||
		    (rc = file_join(path, sizeof path, dir,
		    cur.file)) != OR_OK ||
		    (rc = file_read(path, CRL_MAX_FILE, &data, &n)) != OR_OK ||
		    (rc = sha256(data, n, md)) != OR_OK)
			goto out;
		hex_encode(md, sizeof md, hex);
		if (strcmp(hex, cur.sha256) != 0) {
			rc = err_set(OR_E_CORRUPT, "%s was altered (its SHA-256 "
			    "differs from journal record %" PRIu64 ")", path,
			    cur.seq);
			goto out;
		}
		if ((rc = crl_verify(data, n, root, &info)) != OR_OK) {
			err_context(rc, "%s", path);
			goto out;
		}
		if (info.number != cur.number) {
			rc = err_set(OR_E_CORRUPT, "%s is not CRL number %"
			    PRIu64, path, cur.number);
			goto out;
		}
		*der = data;
		*len = n;
		data = NULL;
		goto out;
	}
	if ((rc = crl_prepare(db, root, &p, &plan)) != OR_OK)
		goto out;
	rc = crl_sign(db, ks, io, &p, &plan, &res);
	crl_plan_free(&plan);
	if (rc == OR_OK) {
		*der = res.der;
		*len = res.len;
	}
out:
	free(data);
	revoke_db_free(&rdb);
	return rc;
}
