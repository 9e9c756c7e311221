/*
 * csr.c — strict import of a certificate signing request (see csr.h).
 *
 * The container (one PEM block or one DER object) is taken apart here; the
 * DER is then walked once for the encoding rules BER allows and DER does
 * not (headers read by der.c, the content rules here), parsed by OpenSSL,
 * and re-encoded by OpenSSL to compare byte for byte.  The content checks (csr_check) run in a fixed order and stop at
 * the first refusal, which names the file and the reason on one line.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sodium.h>

#include "csr.h"
#include "der.h"
#include "dn.h"
#include "err.h"
#include "fileio.h"
#include "util.h"

#define CSR_MAX_DEPTH		32	/* nesting of constructed DER */
#define CSR_MAX_VALUES		16	/* values in one attribute */
#define CSR_MIN_RSA_BITS	2048
#define CSR_MAX_RSA_BITS	16384
#define CSR_MAX_RSA_E_BITS	256

static const char csr_pem_begin[] = "-----BEGIN ";
static const char csr_pem_end[] = "-----END ";
static const char csr_pem_dashes[] = "-----";
static const char *const csr_pem_labels[] = {
	"CERTIFICATE REQUEST", "NEW CERTIFICATE REQUEST",
};
static const struct csr_kind csr_kind_csr = {
	"CSR", "certificate request", csr_pem_labels, 2
};

/* ---- the container ---- */

static bool
csr_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static bool
csr_starts(const unsigned char *p, size_t n, const char *s)
{
	size_t l = strlen(s);

	return n >= l && memcmp(p, s, l) == 0;
}

/* Offset of the end of the line at i (its '\n', or len); *next is past it. */
static size_t
csr_line_end(const unsigned char *b, size_t len, size_t i, size_t *next)
{
	const unsigned char *nl = memchr(b + i, '\n', len - i);
	size_t end = nl != NULL ? (size_t)(nl - b) : len;

	*next = nl != NULL ? end + 1 : len;
	if (end > i && b[end - 1] == '\r')
		end--;
	return end;
}

/* Parses "-----BEGIN LABEL-----" (or END) at b[i..end): the label's span. */
static bool
csr_pem_marker(const unsigned char *b, size_t i, size_t end, const char *what,
    size_t *lab, size_t *lablen)
{
	size_t w = strlen(what), d = strlen(csr_pem_dashes);

	if (end - i < w + d || memcmp(b + i, what, w) != 0 ||
	    memcmp(b + end - d, csr_pem_dashes, d) != 0)
		return false;
	*lab = i + w;
	*lablen = end - d - *lab;
	return true;
}

/* A label fit to quote in a message: printable ASCII, not too long. */
static void
csr_quote(const unsigned char *p, size_t n, char *out, size_t size)
{
	size_t i, o = 0;

	for (i = 0; i < n && o + 4 < size; i++)
		out[o++] = p[i] >= 0x20 && p[i] < 0x7f ? (char)p[i] : '?';
	if (i < n && o + 4 <= size) {
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o] = '\0';
}

/*
 * One PEM block, whitespace around it and nothing else; the base64 body
 * decoded (canonically: libsodium refuses stray characters and non-zero
 * padding bits) into *der (malloc'd).
 */
static int
csr_pem(const unsigned char *b, size_t len, const char *label,
    const struct csr_kind *kind, unsigned char **der, size_t *derlen)
{
	size_t i, end, next, lab, lablen, elab, elablen, body, bodyend, k;
	const char *endp = NULL;
	unsigned char *out = NULL;
	char quoted[80];
	bool known = false;
	int rc;

	*der = NULL;
	*derlen = 0;
	for (i = 0; i < len && csr_space(b[i]); i++)
		;
	if (i == len)
		return err_set(OR_E_INPUT, "%s: holds only whitespace, no %s",
		    label, kind->noun);
	if (!csr_starts(b + i, len - i, csr_pem_begin)) {
		if (memmem(b, len, csr_pem_begin, strlen(csr_pem_begin)) !=
		    NULL)
			return err_set(OR_E_INPUT, "%s: text before the PEM "
			    "block (give the %s alone, without openssl's "
			    "-text output)", label, kind->noun);
		return err_set(OR_E_INPUT, "%s: neither a PEM nor a DER "
		    "%s", label, kind->long_noun);
	}
	end = csr_line_end(b, len, i, &next);
	if (!csr_pem_marker(b, i, end, csr_pem_begin, &lab, &lablen))
		return err_set(OR_E_INPUT, "%s: a malformed PEM BEGIN line",
		    label);
	for (k = 0; k < kind->nlabels; k++)
		if (lablen == strlen(kind->labels[k]) &&
		    memcmp(b + lab, kind->labels[k], lablen) == 0)
			known = true;
	if (!known) {
		csr_quote(b + lab, lablen, quoted, sizeof quoted);
		return err_set(OR_E_INPUT, "%s: holds a PEM \"%s\", not a "
		    "%s", label, quoted, kind->labels[0]);
	}
	/* The body, up to the END line. */
	body = next;
	for (i = next; ; i = next) {
		if (i == len)
			return err_set(OR_E_INPUT, "%s: the PEM block has no END "
			    "line (truncated?)", label);
		end = csr_line_end(b, len, i, &next);
		if (csr_starts(b + i, end - i, csr_pem_end))
			break;
		if (memchr(b + i, ':', end - i) != NULL)
			return err_set(OR_E_INPUT, "%s: PEM headers (an "
			    "encrypted or annotated PEM) are not accepted",
			    label);
	}
	bodyend = i;
	if (!csr_pem_marker(b, i, end, csr_pem_end, &elab, &elablen) ||
	    elablen != lablen || memcmp(b + elab, b + lab, lablen) != 0)
		return err_set(OR_E_INPUT, "%s: the PEM END line does not match "
		    "its BEGIN line", label);
	for (i = next; i < len && csr_space(b[i]); i++)
		;
	if (i < len) {
		if (memmem(b + i, len - i, csr_pem_begin,
		    strlen(csr_pem_begin)) != NULL)
			return err_set(OR_E_INPUT, "%s: more than one PEM block "
			    "(give one %s per file)", label, kind->noun);
		return err_set(OR_E_INPUT, "%s: trailing data after the PEM "
		    "block (%zu bytes)", label, len - i);
	}
	if ((out = malloc((bodyend - body) / 4 * 3 + 3)) == NULL)
		return err_set(OR_E_NOMEM, "out of memory reading %s", label);
	if (sodium_base642bin(out, (bodyend - body) / 4 * 3 + 3,
	    (const char *)b + body, bodyend - body, " \t\r\n", derlen, &endp,
	    sodium_base64_VARIANT_ORIGINAL) != 0 ||
	    endp != (const char *)b + bodyend) {
		rc = err_set(OR_E_INPUT, "%s: the PEM block is not valid "
		    "base64", label);
		goto out;
	}
	if (*derlen == 0) {
		rc = err_set(OR_E_INPUT, "%s: the PEM block is empty", label);
		goto out;
	}
	*der = out;
	out = NULL;
	rc = OR_OK;
out:
	free(out);
	return rc;
}

/* ---- DER, not BER ---- */

/* BER's end-of-contents octets, which DER never holds; refused before
 * the header is read (der_read takes tag 0 as any other). */
static const char *
csr_der_eoc(const unsigned char *p, size_t len)
{
	return len >= 2 && p[0] == 0 ? "end-of-contents octets (BER)" : NULL;
}

/* The header of the TLV at p[0..len) (der.h), its content within len.
 * NULL, or why it is not DER. */
static const char *
csr_der_header(const unsigned char *p, size_t len, struct der *d)
{
	enum der_status st;
	const char *why;

	if ((why = csr_der_eoc(p, len)) != NULL)
		return why;
	if ((st = der_read(p, p + len, d)) != DER_OK)
		return der_strerror(st);
	return NULL;
}

/* The content rules of DER for the universal types a CSR holds. */
static const char *
csr_der_content(unsigned char tag, const unsigned char *c, size_t n)
{
	unsigned num = tag & 0x1f;
	size_t i;

	if ((tag & 0xc0) != 0)
		return NULL;	/* context, application, private: no rules */
	if (num == 16 || num == 17)
		return tag & 0x20 ? NULL : "a primitive SEQUENCE or SET";
	if (tag & 0x20)
		return "a constructed string (BER)";
	switch (num) {
	case 1:
		if (n != 1 || (c[0] != 0x00 && c[0] != 0xff))
			return "a BOOLEAN other than 00 or FF";
		break;
	case 2:
	case 10:
		if (n == 0)
			return "an empty INTEGER";
		if (n > 1 && ((c[0] == 0x00 && !(c[1] & 0x80)) ||
		    (c[0] == 0xff && (c[1] & 0x80))))
			return "an INTEGER in more octets than needed";
		break;
	case 3:
		if (n == 0 || c[0] > 7 || (n == 1 && c[0] != 0))
			return "a malformed BIT STRING";
		if (n > 1 && (c[n - 1] & ((1u << c[0]) - 1)) != 0)
			return "a BIT STRING with non-zero padding bits";
		break;
	case 5:
		if (n != 0)
			return "a NULL with content";
		break;
	case 6:
		if (n == 0 || (c[n - 1] & 0x80))
			return "a malformed OBJECT IDENTIFIER";
		for (i = 0; i < n; i++)
			if (c[i] == 0x80 && (i == 0 || !(c[i - 1] & 0x80)))
				return "an OBJECT IDENTIFIER arc in more "
				    "octets than needed";
		break;
	default:
		break;
	}
	return NULL;
}

/* DER orders a SET OF by the encodings, as OpenSSL writes it. */
static int
csr_der_cmp(const unsigned char *a, size_t alen, const unsigned char *b,
    size_t blen)
{
	int r = memcmp(a, b, alen < blen ? alen : blen);

	if (r != 0)
		return r;
	return alen < blen ? -1 : alen > blen;
}

/* Walks the elements in base[off..off+len); on the first BER-only form,
 * *why and *at (an offset into base) say what and where. */
static bool
csr_der_walk(const unsigned char *base, size_t off, size_t len, bool set,
    int depth, const char **why, size_t *at)
{
	const unsigned char *p = base + off, *prev = NULL;
	size_t i = 0, prevlen = 0;
	struct der d;

	if (depth > CSR_MAX_DEPTH) {
		*why = "nesting deeper than any CSR needs";
		*at = off;
		return false;
	}
	while (i < len) {
		*at = off + i;
		if ((*why = csr_der_header(p + i, len - i, &d)) != NULL)
			return false;
		if ((*why = csr_der_content(p[i], d.c, d.len)) != NULL)
			return false;
		if (set && prev != NULL &&
		    csr_der_cmp(prev, prevlen, p + i, d.hdrlen + d.len) > 0) {
			*why = "a SET OF out of order";
			return false;
		}
		if ((p[i] & 0x20) && !csr_der_walk(base, off + i + d.hdrlen,
		    d.len, p[i] == 0x31, depth + 1, why, at))
			return false;
		prev = p + i;
		prevlen = d.hdrlen + d.len;
		i += d.hdrlen + d.len;
	}
	return true;
}

/* Exactly one DER object filling der[0..len), DER throughout. */
static int
csr_der_frame(const unsigned char *der, size_t len, const char *label,
    const char *where)
{
	enum der_status st = DER_OK;
	const char *why;
	struct der d;
	size_t at;

	if ((why = csr_der_eoc(der, len)) == NULL &&
	    (st = der_read(der, der + len, &d)) != DER_OK)
		why = der_strerror(st);
	if (st == DER_SHORT)
		return err_set(OR_E_INPUT, "%s: truncated: %s holds %zu "
		    "bytes, not even a DER header", label, where, len);
	if (st == DER_PAST_END)
		return err_set(OR_E_INPUT, "%s: truncated: the DER object needs "
		    "%zu bytes, %s holds %zu", label, d.hdrlen + d.len, where,
		    len);
	if (why != NULL)
		return err_set(OR_E_INPUT, "%s: not DER: %s at offset 0",
		    label, why);
	if (d.end < der + len)
		return err_set(OR_E_INPUT, "%s: trailing data: %zu bytes after "
		    "the DER object in %s", label, (size_t)(der + len - d.end),
		    where);
	if (!csr_der_walk(der, 0, len, false, 0, &why, &at))
		return err_set(OR_E_INPUT, "%s: not DER: %s at offset %zu",
		    label, why, at);
	return OR_OK;
}

int
csr_container(const unsigned char *buf, size_t len, const char *label,
    const struct csr_kind *kind, unsigned char **owned,
    const unsigned char **der, size_t *derlen)
{
	const char *where = "the file";
	int rc;

	*owned = NULL;
	*der = NULL;
	*derlen = 0;
	if (len == 0)
		return err_set(OR_E_INPUT, "%s: the file is empty", label);
	if (buf[0] == 0x30) {
		*der = buf;
		*derlen = len;
	} else {
		if ((rc = csr_pem(buf, len, label, kind, owned, derlen)) !=
		    OR_OK)
			return rc;
		*der = *owned;
		where = "the PEM block";
	}
	if ((rc = csr_der_frame(*der, *derlen, label, where)) != OR_OK) {
		free(*owned);
		*owned = NULL;
		*der = NULL;
	}
	return rc;
}

/* ---- describing what was parsed ---- */

/* The curve of an EC SubjectPublicKeyInfo; NID_undef when explicit. */
static int
csr_curve(X509_PUBKEY *xpk)
{
	X509_ALGOR *palg = NULL;
	const void *pval;
	int ptype;

	if (!X509_PUBKEY_get0_param(NULL, NULL, NULL, &palg, xpk))
		return NID_undef;
	X509_ALGOR_get0(NULL, &ptype, &pval, palg);
	return ptype == V_ASN1_OBJECT ? OBJ_obj2nid(pval) : NID_undef;
}

static int
csr_key_nid(X509_PUBKEY *xpk)
{
	ASN1_OBJECT *obj = NULL;

	if (!X509_PUBKEY_get0_param(&obj, NULL, NULL, NULL, xpk))
		return NID_undef;
	return OBJ_obj2nid(obj);
}

static void
csr_describe_key(struct csr_info *ci)
{
	csr_key_describe(X509_REQ_get_X509_PUBKEY(ci->req), ci->pubkey,
	    &ci->key_type, &ci->key_bits, ci->key_name);
}

void
csr_key_describe(X509_PUBKEY *xpk, EVP_PKEY *pubkey, enum keytype *type,
    int *bits, char name[32])
{
	char sn[24];
	size_t i;
	int nid = csr_key_nid(xpk), curve;

	*type = keytype_of(pubkey);
	*bits = pubkey != NULL ? EVP_PKEY_get_bits(pubkey) : 0;
	switch (nid) {
	case NID_rsaEncryption:
		snprintf(name, 32, "rsa-%d",
		    *bits);
		break;
	case NID_rsassaPss:
		snprintf(name, 32, "rsa-pss-%d",
		    *bits);
		break;
	case NID_X9_62_id_ecPublicKey:
		curve = csr_curve(xpk);
		if (curve == NID_X9_62_prime256v1)
			snprintf(sn, sizeof sn, "p256");
		else if (curve == NID_secp384r1)
			snprintf(sn, sizeof sn, "p384");
		else if (curve == NID_secp521r1)
			snprintf(sn, sizeof sn, "p521");
		else
			snprintf(sn, sizeof sn, "%s", curve == NID_undef ?
			    "explicit" : OBJ_nid2sn(curve));
		snprintf(name, 32, "ec-%s", sn);
		break;
	case NID_ED25519:
		*bits = 256;
		snprintf(name, 32, "ed25519");
		break;
	case NID_dsa:
		snprintf(name, 32, "dsa-%d",
		    *bits);
		break;
	default:
		snprintf(name, 32, "%s",
		    nid != NID_undef ? OBJ_nid2sn(nid) : "unknown");
		break;
	}
	for (i = 0; name[i] != '\0'; i++)
		if (name[i] >= 'A' && name[i] <= 'Z')
			name[i] = (char)(name[i] - 'A' + 'a');
}

/* The hash of an RSASSA-PSS AlgorithmIdentifier (SHA-1 when absent);
 * NID_undef when the parameters do not decode. */
static int
csr_pss_hash(const X509_ALGOR *alg, RSA_PSS_PARAMS **out)
{
	RSA_PSS_PARAMS *pss;
	int hash;

	if (out != NULL)
		*out = NULL;
	if (alg->parameter == NULL || alg->parameter->type != V_ASN1_SEQUENCE)
		return NID_undef;
	pss = ASN1_TYPE_unpack_sequence(ASN1_ITEM_rptr(RSA_PSS_PARAMS),
	    alg->parameter);
	if (pss == NULL) {
		ERR_clear_error();
		return NID_undef;
	}
	hash = pss->hashAlgorithm != NULL ?
	    OBJ_obj2nid(pss->hashAlgorithm->algorithm) : NID_sha1;
	if (out != NULL)
		*out = pss;
	else
		RSA_PSS_PARAMS_free(pss);
	return hash;
}

static void
csr_describe_sigalg(struct csr_info *ci)
{
	const X509_ALGOR *alg;
	const ASN1_OBJECT *obj;
	int hash;

	X509_REQ_get0_signature(ci->req, NULL, &alg);
	X509_ALGOR_get0(&obj, NULL, NULL, alg);
	if (OBJ_obj2nid(obj) == NID_rsassaPss) {
		hash = csr_pss_hash(alg, NULL);
		snprintf(ci->sig_alg, sizeof ci->sig_alg, "RSASSA-PSS with %s",
		    hash != NID_undef ? OBJ_nid2sn(hash) : "malformed "
		    "parameters");
		return;
	}
	if (OBJ_obj2txt(ci->sig_alg, sizeof ci->sig_alg, obj, 0) <= 0)
		snprintf(ci->sig_alg, sizeof ci->sig_alg, "(none)");
}

/* The first extensionRequest (or Microsoft's) attribute, or NULL. */
static X509_ATTRIBUTE *
csr_ext_attr(X509_REQ *req)
{
	int i;

	if ((i = X509_REQ_get_attr_by_NID(req, NID_ext_req, -1)) < 0 &&
	    (i = X509_REQ_get_attr_by_NID(req, NID_ms_ext_req, -1)) < 0)
		return NULL;
	return X509_REQ_get_attr(req, i);
}

/* The extensions of the attribute's first value, all of it; NULL when
 * malformed.  *raw is their encoding. */
static STACK_OF(X509_EXTENSION) *
csr_ext_decode(X509_ATTRIBUTE *attr, const ASN1_STRING **raw)
{
	STACK_OF(X509_EXTENSION) *exts;
	ASN1_TYPE *t = X509_ATTRIBUTE_get0_type(attr, 0);
	const unsigned char *p;

	*raw = NULL;
	if (t == NULL || t->type != V_ASN1_SEQUENCE)
		return NULL;
	*raw = t->value.sequence;
	p = ASN1_STRING_get0_data(*raw);
	exts = d2i_X509_EXTENSIONS(NULL, &p, ASN1_STRING_length(*raw));
	if (exts != NULL && p != ASN1_STRING_get0_data(*raw) +
	    ASN1_STRING_length(*raw)) {
		sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
		exts = NULL;
	}
	ERR_clear_error();
	return exts;
}

static void
csr_describe_extensions(struct csr_info *ci)
{
	X509_ATTRIBUTE *attr = csr_ext_attr(ci->req);
	X509_EXTENSION *ext;
	const ASN1_STRING *raw;
	int i;

	if (attr == NULL || (ci->requested = csr_ext_decode(attr, &raw)) ==
	    NULL)
		return;
	for (i = 0; i < sk_X509_EXTENSION_num(ci->requested); i++) {
		ext = sk_X509_EXTENSION_value(ci->requested, i);
		if (X509_EXTENSION_get_critical(ext) &&
		    X509V3_EXT_get(ext) == NULL)
			ci->unknown_critical++;
	}
}

/* ---- decode: the container and the encoding ---- */

int
csr_decode(const unsigned char *buf, size_t len, const char *label,
    struct csr_info *out)
{
	unsigned char *pemder = NULL, *re = NULL, *spki = NULL;
	const unsigned char *der, *p;
	size_t derlen;
	int relen, spkilen, rc;

	memset(out, 0, sizeof *out);
	if (len == 0)
		return err_set(OR_E_INPUT, "%s: the file is empty", label);
	if (len > CSR_MAX_FILE)
		return err_set(OR_E_INPUT, "%s: larger than %u bytes", label,
		    CSR_MAX_FILE);
	if ((rc = csr_container(buf, len, label, &csr_kind_csr, &pemder, &der,
	    &derlen)) != OR_OK)
		return rc;
	p = der;
	if ((out->req = d2i_X509_REQ(NULL, &p, (long)derlen)) == NULL) {
		rc = err_openssl(OR_E_INPUT, "%s: not a certificate signing "
		    "request", label);
		goto out;
	}
	if (p != der + derlen) {
		rc = err_set(OR_E_INPUT, "%s: trailing data inside the CSR",
		    label);
		goto out;
	}
	/* Re-encode everything from the parsed fields (OpenSSL would
	 * otherwise replay the request info it read) and compare. */
	if (i2d_re_X509_REQ_tbs(out->req, NULL) <= 0 ||
	    (relen = i2d_X509_REQ(out->req, &re)) <= 0) {
		rc = err_openssl(OR_E_INPUT, "%s: the CSR cannot be "
		    "re-encoded", label);
		goto out;
	}
	if ((size_t)relen != derlen || memcmp(re, der, derlen) != 0) {
		rc = err_set(OR_E_INPUT, "%s: not DER: re-encoded, the CSR "
		    "differs from what was read", label);
		goto out;
	}
	out->pubkey = X509_REQ_get0_pubkey(out->req);
	ERR_clear_error();
	if ((spkilen = i2d_X509_PUBKEY(X509_REQ_get_X509_PUBKEY(out->req),
	    &spki)) <= 0) {
		rc = err_openssl(OR_E_INPUT, "%s: the public key cannot be "
		    "encoded", label);
		goto out;
	}
	if ((rc = sha256(der, derlen, out->csr_sha256)) != OR_OK ||
	    (rc = sha256(buf, len, out->file_sha256)) != OR_OK ||
	    (rc = sha256(spki, (size_t)spkilen, out->pubkey_sha256)) != OR_OK)
		goto out;
	if (dn_format(X509_REQ_get_subject_name(out->req), out->subject,
	    sizeof out->subject) != OR_OK)
		out->subject[0] = '\0';
	csr_describe_key(out);
	csr_describe_sigalg(out);
	csr_describe_extensions(out);
	ERR_clear_error();
	rc = OR_OK;
out:
	if (rc != OR_OK)
		csr_free(out);
	OPENSSL_free(re);
	OPENSSL_free(spki);
	free(pemder);
	return rc;
}

/* ---- check: the content ---- */

static int
csr_check_version(const struct csr_info *ci, const char *label)
{
	long v = X509_REQ_get_version(ci->req);

	if (v != 0)
		return err_set(OR_E_INPUT, "%s: the CSR's version field is "
		    "%ld; PKCS#10 defines only version 1, written as 0", label,
		    v);
	return OR_OK;
}

int
csr_check_name(const X509_NAME *name, const char *label, char *out,
    size_t size)
{
	const X509_NAME_ENTRY *e;
	int i, n = X509_NAME_entry_count(name), len;

	if (n == 0)
		return err_set(OR_E_POLICY, "%s: the subject is empty; a CA "
		    "certificate needs a subject name", label);
	if (n > CSR_MAX_SUBJECT_ATTRS)
		return err_set(OR_E_INPUT, "%s: the subject has %d attributes; "
		    "at most %d", label, n, CSR_MAX_SUBJECT_ATTRS);
	for (i = 0; i < n; i++) {
		e = X509_NAME_get_entry(name, i);
		len = ASN1_STRING_length(X509_NAME_ENTRY_get_data(e));
		if (len > CSR_MAX_STRING)
			return err_set(OR_E_INPUT, "%s: a subject attribute "
			    "(%s) is %d bytes long; at most %d", label,
			    OBJ_nid2sn(OBJ_obj2nid(X509_NAME_ENTRY_get_object(
			    e))), len, CSR_MAX_STRING);
	}
	if (dn_format(name, out, size) != OR_OK)
		return err_context(OR_E_INPUT, "%s: the subject", label);
	return OR_OK;
}

/* The requested extensions: DER, few, short, distinct, well formed. */
static int
csr_check_extensions(const struct csr_info *ci, X509_ATTRIBUTE *attr,
    const char *label)
{
	STACK_OF(X509_EXTENSION) *exts, *canon = NULL;
	const X509V3_EXT_METHOD *m;
	X509_EXTENSION *ext;
	const ASN1_STRING *raw;
	unsigned char *re = NULL;
	char name[80];
	void *val;
	int i, j, n, relen, rc;

	if ((exts = csr_ext_decode(attr, &raw)) == NULL)
		return err_set(OR_E_INPUT, "%s: the requested extensions "
		    "(extensionRequest) are malformed", label);
	/* Rebuilt from their parts: a decoded extension would write its
	 * critical flag back as it was read, FALSE included. */
	if ((canon = sk_X509_EXTENSION_new_null()) == NULL) {
		rc = err_set(OR_E_NOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < sk_X509_EXTENSION_num(exts); i++) {
		ext = sk_X509_EXTENSION_value(exts, i);
		if ((ext = X509_EXTENSION_create_by_OBJ(NULL,
		    X509_EXTENSION_get_object(ext),
		    X509_EXTENSION_get_critical(ext),
		    X509_EXTENSION_get_data(ext))) == NULL ||
		    !sk_X509_EXTENSION_push(canon, ext)) {
			X509_EXTENSION_free(ext);
			rc = err_openssl(OR_E_NOMEM, "copying an extension");
			goto out;
		}
	}
	if ((relen = i2d_X509_EXTENSIONS(canon, &re)) <= 0) {
		rc = err_openssl(OR_E_INPUT, "%s: the requested extensions "
		    "cannot be re-encoded", label);
		goto out;
	}
	if (relen != ASN1_STRING_length(raw) ||
	    memcmp(re, ASN1_STRING_get0_data(raw), (size_t)relen) != 0) {
		rc = err_set(OR_E_INPUT, "%s: not DER: the requested extensions "
		    "differ when re-encoded (a DEFAULT value written out?)",
		    label);
		goto out;
	}
	if ((n = sk_X509_EXTENSION_num(exts)) > CSR_MAX_EXTENSIONS) {
		rc = err_set(OR_E_INPUT, "%s: %d requested extensions; at most "
		    "%d", label, n, CSR_MAX_EXTENSIONS);
		goto out;
	}
	for (i = 0; i < n; i++) {
		ext = sk_X509_EXTENSION_value(exts, i);
		OBJ_obj2txt(name, sizeof name, X509_EXTENSION_get_object(ext),
		    0);
		for (j = 0; j < i; j++)
			if (OBJ_cmp(X509_EXTENSION_get_object(ext),
			    X509_EXTENSION_get_object(sk_X509_EXTENSION_value(
			    exts, j))) == 0) {
				rc = err_set(OR_E_INPUT, "%s: duplicate "
				    "extensions: %s is requested twice", label,
				    name);
				goto out;
			}
		if (ASN1_STRING_length(X509_EXTENSION_get_data(ext)) >
		    CSR_MAX_EXT_VALUE) {
			rc = err_set(OR_E_INPUT, "%s: the requested %s extension "
			    "is %d bytes long; at most %d", label, name,
			    ASN1_STRING_length(X509_EXTENSION_get_data(ext)),
			    CSR_MAX_EXT_VALUE);
			goto out;
		}
		if ((m = X509V3_EXT_get(ext)) == NULL)
			continue;
		if ((val = X509V3_EXT_d2i(ext)) == NULL) {
			ERR_clear_error();
			rc = err_set(OR_E_INPUT, "%s: the requested %s extension "
			    "is malformed", label, name);
			goto out;
		}
		if (m->it != NULL)
			ASN1_item_free(val, ASN1_ITEM_ptr(m->it));
		else
			m->ext_free(val);
	}
	rc = OR_OK;
out:
	OPENSSL_free(re);
	sk_X509_EXTENSION_pop_free(canon, X509_EXTENSION_free);
	sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
	return rc;
}

static int
csr_check_attributes(const struct csr_info *ci, const char *label)
{
	X509_ATTRIBUTE *attr, *extreq = NULL;
	ASN1_TYPE *t;
	char name[80];
	int i, j, n = X509_REQ_get_attr_count(ci->req), nv, nid, len;

	if (n > CSR_MAX_ATTRIBUTES)
		return err_set(OR_E_INPUT, "%s: %d attributes; at most %d",
		    label, n, CSR_MAX_ATTRIBUTES);
	for (i = 0; i < n; i++) {
		attr = X509_REQ_get_attr(ci->req, i);
		nid = OBJ_obj2nid(X509_ATTRIBUTE_get0_object(attr));
		OBJ_obj2txt(name, sizeof name, X509_ATTRIBUTE_get0_object(attr),
		    0);
		nv = X509_ATTRIBUTE_count(attr);
		if (nv < 1 || nv > CSR_MAX_VALUES)
			return err_set(OR_E_INPUT, "%s: the %s attribute holds "
			    "%d values", label, name, nv);
		if (nid == NID_ext_req || nid == NID_ms_ext_req) {
			if (extreq != NULL)
				return err_set(OR_E_INPUT, "%s: more than one "
				    "extensionRequest attribute", label);
			if (nv != 1)
				return err_set(OR_E_INPUT, "%s: the "
				    "extensionRequest attribute holds %d "
				    "values; exactly one is allowed", label, nv);
			extreq = attr;
			continue;
		}
		for (j = 0; j < nv; j++) {
			t = X509_ATTRIBUTE_get0_type(attr, j);
			if (t->type == V_ASN1_BOOLEAN || t->type == V_ASN1_NULL ||
			    t->type == V_ASN1_OBJECT)
				continue;
			if ((len = ASN1_STRING_length(t->value.asn1_string)) >
			    CSR_MAX_STRING)
				return err_set(OR_E_INPUT, "%s: the %s attribute "
				    "holds a value of %d bytes; at most %d",
				    label, name, len, CSR_MAX_STRING);
		}
	}
	return extreq != NULL ? csr_check_extensions(ci, extreq, label) :
	    OR_OK;
}

/* Small numbers in decimal, others by size. */
static void
csr_bn_text(const BIGNUM *bn, char *out, size_t size)
{
	char *dec;

	if (BN_num_bits(bn) <= 64 && (dec = BN_bn2dec(bn)) != NULL) {
		snprintf(out, size, "%s", dec);
		OPENSSL_free(dec);
	} else
		snprintf(out, size, "a %d-bit number", BN_num_bits(bn));
}

static int
csr_check_rsa(EVP_PKEY *pubkey, const char *label)
{
	BIGNUM *n = NULL, *e = NULL;
	char text[64];
	int bits = EVP_PKEY_get_bits(pubkey), rc;

	if (!EVP_PKEY_get_bn_param(pubkey, OSSL_PKEY_PARAM_RSA_N, &n) ||
	    !EVP_PKEY_get_bn_param(pubkey, OSSL_PKEY_PARAM_RSA_E, &e)) {
		rc = err_openssl(OR_E_INPUT, "%s: the RSA key cannot be read",
		    label);
		goto out;
	}
	csr_bn_text(e, text, sizeof text);
	if (BN_is_negative(e) || !BN_is_odd(e) || BN_num_bits(e) < 2) {
		rc = err_set(OR_E_INPUT, "%s: the RSA public exponent is %s; "
		    "it must be odd and at least 3", label, text);
		goto out;
	}
	if (BN_num_bits(e) > CSR_MAX_RSA_E_BITS) {
		rc = err_set(OR_E_POLICY, "%s: the RSA public exponent is %s; "
		    "it must be below 2^256 (BR 6.1.6)", label, text);
		goto out;
	}
	if (BN_is_negative(n) || !BN_is_odd(n)) {
		rc = err_set(OR_E_INPUT, "%s: the RSA modulus is even or "
		    "negative", label);
		goto out;
	}
	if (bits < CSR_MIN_RSA_BITS || bits > CSR_MAX_RSA_BITS) {
		rc = err_set(OR_E_POLICY, "%s: the RSA key has %d bits; "
		    "2048 to 16384 are accepted (BR 6.1.5)", label, bits);
		goto out;
	}
	if (bits % 8 != 0) {
		rc = err_set(OR_E_POLICY, "%s: the RSA modulus has %d bits, not "
		    "a multiple of 8 (BR 6.1.5)", label, bits);
		goto out;
	}
	rc = OR_OK;
out:
	BN_free(n);
	BN_free(e);
	return rc;
}

static int
csr_check_key(const struct csr_info *ci, const char *label)
{
	return csr_check_spki(X509_REQ_get_X509_PUBKEY(ci->req), ci->pubkey,
	    label);
}

int
csr_check_spki(X509_PUBKEY *xpk, EVP_PKEY *pubkey, const char *label)
{
	ASN1_OBJECT *obj = NULL;
	X509_ALGOR *palg = NULL;
	const unsigned char *kd = NULL;
	unsigned char *a = NULL, *b = NULL;
	const void *pval;
	char name[80];
	int kdlen = 0, ptype, nid, curve, la, lb, rc;

	if (!X509_PUBKEY_get0_param(&obj, &kd, &kdlen, &palg, xpk))
		return err_set(OR_E_INPUT, "%s: no public key", label);
	X509_ALGOR_get0(NULL, &ptype, &pval, palg);
	OBJ_obj2txt(name, sizeof name, obj, 0);
	switch ((nid = OBJ_obj2nid(obj))) {
	case NID_rsaEncryption:
		if (ptype != V_ASN1_NULL)
			return err_set(OR_E_INPUT, "%s: the RSA key's algorithm "
			    "parameters are not NULL (RFC 3279)", label);
		break;
	case NID_X9_62_id_ecPublicKey:
		if (ptype == V_ASN1_SEQUENCE)
			return err_set(OR_E_POLICY, "%s: the EC key has explicit "
			    "curve parameters; only the named curves P-256, "
			    "P-384 and P-521 are accepted (RFC 5480)", label);
		if (ptype != V_ASN1_OBJECT)
			return err_set(OR_E_INPUT, "%s: the EC key names no "
			    "curve", label);
		curve = OBJ_obj2nid(pval);
		if (curve != NID_X9_62_prime256v1 && curve != NID_secp384r1 &&
		    curve != NID_secp521r1) {
			OBJ_obj2txt(name, sizeof name, pval, 0);
			return err_set(OR_E_POLICY, "%s: the EC key is on the "
			    "curve %s; only P-256, P-384 and P-521 are "
			    "accepted", label, name);
		}
		if (kdlen < 1 || kd[0] != 0x04)
			return err_set(OR_E_POLICY, "%s: the EC key is not an "
			    "uncompressed point (RFC 5480; Go and others refuse "
			    "compressed ones)", label);
		break;
	case NID_ED25519:
		if (ptype != V_ASN1_UNDEF)
			return err_set(OR_E_INPUT, "%s: the Ed25519 key has "
			    "algorithm parameters (RFC 8410 forbids them)",
			    label);
		break;
	case NID_dsa:
	case NID_dsa_2:
	case NID_dsaWithSHA1:
	case NID_dsaWithSHA1_2:
		return err_set(OR_E_POLICY, "%s: DSA keys are refused; RSA, "
		    "ECDSA (P-256/P-384/P-521) and Ed25519 are accepted", label);
	case NID_rsassaPss:
		return err_set(OR_E_POLICY, "%s: the key is an RSA-PSS key "
		    "(id-RSASSA-PSS), which clients seldom accept; use an "
		    "rsaEncryption key (a PSS signature on the CSR is fine)",
		    label);
	default:
		return err_set(OR_E_POLICY, "%s: the key algorithm %s is not "
		    "accepted; RSA, ECDSA (P-256/P-384/P-521) and Ed25519 are",
		    label, name);
	}
	if (pubkey == NULL)
		return err_set(OR_E_INPUT, "%s: the public key cannot be "
		    "decoded", label);
	if (nid == NID_rsaEncryption && (rc = csr_check_rsa(pubkey, label)) !=
	    OR_OK)
		return rc;
	/* The SPKI as the key's own encoder writes it: what a certificate
	 * will carry, so the fingerprints agree. */
	la = i2d_X509_PUBKEY(xpk, &a);
	lb = i2d_PUBKEY(pubkey, &b);
	if (la <= 0 || lb <= 0)
		rc = err_openssl(OR_E_INPUT, "%s: the public key cannot be "
		    "encoded", label);
	else if (la != lb || memcmp(a, b, (size_t)la) != 0)
		rc = err_set(OR_E_INPUT, "%s: not DER: the public key differs "
		    "when re-encoded", label);
	else
		rc = OR_OK;
	OPENSSL_free(a);
	OPENSSL_free(b);
	return rc;
}

static const char *
csr_md_name(int md)
{
	switch (md) {
	case NID_md2:
		return "MD2";
	case NID_md4:
		return "MD4";
	case NID_md5:
		return "MD5";
	case NID_sha1:
		return "SHA-1";
	case NID_sha224:
		return "SHA-224";
	case NID_sha256:
		return "SHA-256";
	case NID_sha384:
		return "SHA-384";
	case NID_sha512:
		return "SHA-512";
	default:
		return md != NID_undef ? OBJ_nid2sn(md) : "no digest";
	}
}

static bool
csr_md_ok(int md)
{
	return md == NID_sha256 || md == NID_sha384 || md == NID_sha512;
}

/* RSASSA-PSS (RFC 4055): SHA-256/384/512 and MGF1 with the same hash. */
static int
csr_check_pss(const struct csr_info *ci, const X509_ALGOR *alg,
    const char *label)
{
	RSA_PSS_PARAMS *pss = NULL;
	X509_ALGOR *mgfmd = NULL;
	int hash, mgfhash = NID_sha1, rc;

	if (EVP_PKEY_get_base_id(ci->pubkey) != EVP_PKEY_RSA)
		return err_set(OR_E_INPUT, "%s: an RSASSA-PSS signature with "
		    "a %s key", label, ci->key_name);
	if ((hash = csr_pss_hash(alg, &pss)) == NID_undef) {
		rc = err_set(OR_E_INPUT, "%s: the RSASSA-PSS parameters are "
		    "missing or malformed", label);
		goto out;
	}
	if (pss->maskGenAlgorithm != NULL) {
		if (OBJ_obj2nid(pss->maskGenAlgorithm->algorithm) != NID_mgf1 ||
		    pss->maskGenAlgorithm->parameter == NULL ||
		    pss->maskGenAlgorithm->parameter->type !=
		    V_ASN1_SEQUENCE || (mgfmd = ASN1_TYPE_unpack_sequence(
		    ASN1_ITEM_rptr(X509_ALGOR),
		    pss->maskGenAlgorithm->parameter)) == NULL) {
			ERR_clear_error();
			rc = err_set(OR_E_POLICY, "%s: the RSASSA-PSS mask "
			    "generation is not MGF1 with a known hash", label);
			goto out;
		}
		mgfhash = OBJ_obj2nid(mgfmd->algorithm);
	}
	if (!csr_md_ok(hash) || mgfhash != hash) {
		rc = err_set(OR_E_POLICY, "%s: the CSR is signed with "
		    "RSASSA-PSS using %s (MGF1 with %s); only SHA-256, SHA-384 "
		    "and SHA-512 are accepted, the same for both", label,
		    csr_md_name(hash), csr_md_name(mgfhash));
		goto out;
	}
	if (pss->trailerField != NULL || (pss->saltLength != NULL &&
	    ASN1_INTEGER_get(pss->saltLength) == 20)) {
		rc = err_set(OR_E_INPUT, "%s: not DER: the RSASSA-PSS "
		    "parameters spell out a DEFAULT value", label);
		goto out;
	}
	if (pss->saltLength != NULL && ASN1_INTEGER_get(pss->saltLength) < 0) {
		rc = err_set(OR_E_INPUT, "%s: a negative RSASSA-PSS salt "
		    "length", label);
		goto out;
	}
	rc = OR_OK;
out:
	RSA_PSS_PARAMS_free(pss);
	X509_ALGOR_free(mgfmd);
	return rc;
}

static int
csr_check_sigalg(const struct csr_info *ci, const char *label)
{
	const X509_ALGOR *alg;
	const ASN1_OBJECT *obj;
	const void *pval;
	char name[80];
	int nid, md = NID_undef, pk = NID_undef, ptype;

	X509_REQ_get0_signature(ci->req, NULL, &alg);
	X509_ALGOR_get0(&obj, &ptype, &pval, alg);
	OBJ_obj2txt(name, sizeof name, obj, 0);
	if ((nid = OBJ_obj2nid(obj)) == NID_rsassaPss)
		return csr_check_pss(ci, alg, label);
	if (nid == NID_undef || !OBJ_find_sigid_algs(nid, &md, &pk))
		return err_set(OR_E_POLICY, "%s: the signature algorithm %s is "
		    "not accepted", label, name);
	if (pk != NID_ED25519 && !csr_md_ok(md))
		return err_set(OR_E_POLICY, "%s: the CSR is signed with %s "
		    "(%s); only SHA-256, SHA-384 and SHA-512 are accepted",
		    label, csr_md_name(md), name);
	if (pk != NID_rsaEncryption && pk != NID_X9_62_id_ecPublicKey &&
	    pk != NID_ED25519)
		return err_set(OR_E_POLICY, "%s: the signature algorithm %s is "
		    "not accepted (RSA, ECDSA or Ed25519)", label, name);
	if (pk != EVP_PKEY_get_base_id(ci->pubkey))
		return err_set(OR_E_INPUT, "%s: the signature algorithm %s does "
		    "not match the %s key", label, name, ci->key_name);
	if (pk == NID_rsaEncryption ? ptype != V_ASN1_NULL :
	    ptype != V_ASN1_UNDEF)
		return err_set(OR_E_INPUT, "%s: the signature algorithm's "
		    "parameters must be %s (RFC 4055, 5758, 8410)", label,
		    pk == NID_rsaEncryption ? "NULL" : "absent");
	return OR_OK;
}

static int
csr_check_signature(struct csr_info *ci, const char *label)
{
	int r = X509_REQ_verify(ci->req, ci->pubkey);

	ERR_clear_error();
	ci->sig_status = r == 1 ? CSR_SIG_VALID : CSR_SIG_INVALID;
	if (r != 1)
		return err_set(OR_E_VERIFY, "%s: the CSR's self-signature does "
		    "not verify: it was altered, or not signed by the key it "
		    "carries", label);
	return OR_OK;
}

int
csr_check(struct csr_info *ci, const char *label)
{
	char subject[sizeof ci->subject];
	int rc;

	ci->sig_status = CSR_SIG_UNCHECKED;
	if (ci->req == NULL)
		return err_set(OR_E_INPUT, "%s: no CSR", label);
	if ((rc = csr_check_version(ci, label)) != OR_OK ||
	    (rc = csr_check_name(X509_REQ_get_subject_name(ci->req), label,
	    subject, sizeof subject)) != OR_OK ||
	    (rc = csr_check_attributes(ci, label)) != OR_OK ||
	    (rc = csr_check_key(ci, label)) != OR_OK ||
	    (rc = csr_check_sigalg(ci, label)) != OR_OK ||
	    (rc = csr_check_signature(ci, label)) != OR_OK) {
		ERR_clear_error();
		return rc;
	}
	return OR_OK;
}

int
csr_parse(const unsigned char *buf, size_t len, const char *label,
    struct csr_info *out)
{
	int rc;

	if ((rc = csr_decode(buf, len, label, out)) != OR_OK)
		return rc;
	if ((rc = csr_check(out, label)) != OR_OK)
		csr_free(out);
	return rc;
}

int
csr_load(const char *path, struct csr_info *out)
{
	unsigned char *data = NULL;
	size_t len;
	int rc;

	memset(out, 0, sizeof *out);
	if ((rc = file_read(path, CSR_MAX_FILE, &data, &len)) != OR_OK)
		return rc;
	rc = csr_parse(data, len, path, out);
	free(data);
	return rc;
}

void
csr_free(struct csr_info *ci)
{
	if (ci == NULL)
		return;
	X509_REQ_free(ci->req);
	sk_X509_EXTENSION_pop_free(ci->requested, X509_EXTENSION_free);
	memset(ci, 0, sizeof *ci);
}
