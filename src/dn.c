/*
 * dn.c — distinguished names from the command line, and back to text.
 *
 * Two forms are read.  OpenSSL's slash form starts with '/' and lists the
 * RDNs in DER order (/C=DE/O=Example/CN=Root); RFC 4514 lists them most
 * specific first (CN=Root,O=Example,C=DE), so its RDNs are reversed.  In
 * both, '+' joins the attributes of a multi-valued RDN and a backslash
 * escapes one of  "#+,;<=>\/ and space, or gives a byte as two hex digits
 * (\C3\A9 is an e with an acute accent).  Outside escapes, RFC 4514 values
 * may not hold " ; < or >, and a value may not start with '#' (a BER
 * encoding) or start or end with an unescaped space.
 *
 * Refused rather than guessed: unknown attribute names, names that are not
 * name attributes (sha256=...), empty values, invalid UTF-8, control and
 * invisible or bidirectional formatting characters, values longer than 64
 * characters, a C that is not two upper-case letters, and spaces around
 * '=' (OpenSSL's "C = DE, O = ..." one-line output lists the RDNs in the
 * opposite order to RFC 4514, so it must not be pasted in as if it were).
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <openssl/asn1.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/x509.h>

#include "dn.h"
#include "err.h"
#include "names.h"
#include "util.h"

#define DN_MAX_TEXT	4096	/* bytes of input */
#define DN_MAX_CHARS	64	/* ub-common-name, ub-organization-name... */
#define DN_MAX_TYPE	64	/* bytes of an attribute type */
#define DN_SHOW		72	/* bytes of input quoted in a message */

enum dn_form {
	DN_SLASH,
	DN_RFC4514,
};

/* The attribute being parsed, kept for messages. */
struct dn_ava {
	char	type[DN_MAX_TYPE + 1];	/* as the user wrote it */
	char	show[DN_SHOW];		/* the whole "type=value", quoted */
};

/* Output of dn_format: never overflows; full is set instead. */
struct dn_buf {
	char	*p;
	size_t	 size;
	size_t	 used;
	bool	 full;
};

/*
 * Arcs whose attributes may be named: X.520 (2.5.4), PKCS #9
 * (1.2.840.113549.1.9, emailAddress), RFC 4519 (0.9.2342.19200300.100.1,
 * UID and DC) and the EV jurisdiction attributes (1.3.6.1.4.1.311.60.2.1).
 * Any other attribute must be given as a dotted OID.
 */
static const unsigned char arc_x520[] = { 0x55, 0x04 };
static const unsigned char arc_pkcs9[] = {
	0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09
};
static const unsigned char arc_ldap[] = {
	0x09, 0x92, 0x26, 0x89, 0x93, 0xf2, 0x2c, 0x64, 0x01
};
static const unsigned char arc_ev[] = {
	0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x3c, 0x02, 0x01
};

static const struct {
	const unsigned char	*der;
	size_t			 len;
} dn_arcs[] = {
	{ arc_x520, sizeof arc_x520 },
	{ arc_pkcs9, sizeof arc_pkcs9 },
	{ arc_ldap, sizeof arc_ldap },
	{ arc_ev, sizeof arc_ev },
};

/* Strict UTF-8 and the characters a name must not hold: names.c's, so
 * that what dn_parse accepts the linter accepts too. */
#define dn_utf8(p, n, cp)	names_utf8((p), (n), (cp))

static bool
dn_invisible(unsigned long cp)
{
	return names_class(cp) != NAMES_OK;
}

static bool
dn_isalnum(int c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9');
}

static bool
dn_isxdigit(int c)
{
	return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F') ||
	    (c >= 'a' && c <= 'f');
}

static int
dn_xval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return c - 'a' + 10;
}

/* c is one of the bytes in set (never NUL). */
static bool
dn_oneof(int c, const char *set)
{
	return c != '\0' && strchr(set, c) != NULL;
}

/* The PrintableString alphabet (X.680). */
static bool
dn_printable(unsigned long cp)
{
	return cp < 0x80 && (dn_isalnum((int)cp) ||
	    dn_oneof((int)cp, " '()+,-./:=?"));
}

/*
 * Quotes n bytes of input for a message: valid, visible UTF-8 as it is,
 * anything else as \xHH, cut with "..." when it does not fit.
 */
static void
dn_show(const char *p, size_t n, char *out, size_t size)
{
	const unsigned char *s = (const unsigned char *)p;
	unsigned long cp;
	size_t i = 0, k, used = 0;
	char esc[8];

	while (i < n) {
		k = dn_utf8(s + i, n - i, &cp);
		if (k == 0 || dn_invisible(cp)) {
			snprintf(esc, sizeof esc, "\\x%02X", s[i]);
			if (used + 4 + 4 > size)
				break;
			memcpy(out + used, esc, 4);
			used += 4;
			i++;
			continue;
		}
		if (used + k + 4 > size)
			break;
		memcpy(out + used, p + i, k);
		used += k;
		i += k;
	}
	if (i < n) {
		memcpy(out + used, "...", 3);
		used += 3;
	}
	out[used] = '\0';
}

/* Like dn_show, but keeps the end: "...tail". */
static void
dn_show_tail(const char *p, size_t n, char *out, size_t size)
{
	size_t skip = 0;

	if (n + 4 > size) {
		skip = n + 4 - size + 3;
		while (skip < n && ((unsigned char)p[skip] & 0xc0) == 0x80)
			skip++;
		memcpy(out, "...", 3);
		dn_show(p + skip, n - skip, out + 3, size - 3);
		return;
	}
	dn_show(p, n, out, size);
}

static bool
dn_name_attr(const ASN1_OBJECT *obj)
{
	const unsigned char *der = OBJ_get0_data(obj);
	size_t i, len = OBJ_length(obj);

	if (der == NULL)
		return false;
	for (i = 0; i < nitems(dn_arcs); i++)
		if (len > dn_arcs[i].len &&
		    memcmp(der, dn_arcs[i].der, dn_arcs[i].len) == 0)
			return true;
	return false;
}

/* Digits in two or more arcs, single dots, no leading zeros. */
static bool
dn_oid_syntax(const char *s)
{
	size_t arcs = 0;

	for (;;) {
		if (*s < '0' || *s > '9' || (s[0] == '0' && s[1] >= '0' &&
		    s[1] <= '9'))
			return false;
		while (*s >= '0' && *s <= '9')
			s++;
		arcs++;
		if (*s == '\0')
			return arcs >= 2;
		if (*s++ != '.')
			return false;
	}
}

/* Attribute type: a dotted OID, or an OpenSSL short or long name. */
static int
dn_lookup(const struct dn_ava *a, ASN1_OBJECT **obj)
{
	char up[sizeof a->type];
	bool dotted = true;
	size_t i;
	int nid;

	*obj = NULL;
	if (a->type[0] == ' ')
		return err_set(OR_E_INPUT, "space before the attribute type in "
		    "\"%s\"", a->show);
	for (i = 0; a->type[i] != '\0'; i++) {
		if (a->type[i] == ' ')
			return err_set(OR_E_INPUT, "space around '=' in \"%s\" "
			    "(write TYPE=value, without spaces)", a->show);
		if (!dn_isalnum(a->type[i]) && a->type[i] != '-' &&
		    a->type[i] != '.')
			return err_set(OR_E_INPUT, "unknown attribute \"%s\" "
			    "in \"%s\"", a->type, a->show);
		if ((a->type[i] < '0' || a->type[i] > '9') &&
		    a->type[i] != '.')
			dotted = false;
	}
	if (dotted) {
		/* OBJ_txt2obj would read "1..2" as 1.0.2 and "1.02" as 1.2. */
		if (!dn_oid_syntax(a->type) ||
		    (*obj = OBJ_txt2obj(a->type, 1)) == NULL) {
			ERR_clear_error();
			return err_set(OR_E_INPUT, "invalid OID \"%s\" in "
			    "\"%s\"", a->type, a->show);
		}
		return OR_OK;
	}
	if ((nid = OBJ_sn2nid(a->type)) == NID_undef &&
	    (nid = OBJ_ln2nid(a->type)) == NID_undef) {
		/* RFC 4514 types are case-insensitive: cn, ou, dc... */
		for (i = 0; a->type[i] != '\0'; i++)
			up[i] = (a->type[i] >= 'a' && a->type[i] <= 'z') ?
			    a->type[i] - 'a' + 'A' : a->type[i];
		up[i] = '\0';
		nid = OBJ_sn2nid(up);
	}
	if (nid == NID_undef)
		return err_set(OR_E_INPUT, "unknown attribute \"%s\" in \"%s\"",
		    a->type, a->show);
	/* A table object: ASN1_OBJECT_free leaves it alone. */
	if ((*obj = OBJ_nid2obj(nid)) == NULL || !dn_name_attr(*obj)) {
		*obj = NULL;
		ERR_clear_error();
		return err_set(OR_E_INPUT, "\"%s\" is not a name attribute in "
		    "\"%s\"", a->type, a->show);
	}
	return OR_OK;
}

/* Undoes the escapes of a raw value into out (at least n bytes). */
static int
dn_unescape(const struct dn_ava *a, const char *v, size_t n,
    enum dn_form form, unsigned char *out, size_t *outlen)
{
	size_t i = 0, o = 0;
	bool escaped = false;
	int c;

	if (n == 0)
		return err_set(OR_E_INPUT, "empty value for %s in \"%s\"",
		    a->type, a->show);
	if (v[0] == '#')
		return err_set(OR_E_INPUT, "the value of %s in \"%s\" is a "
		    "'#' BER encoding, which is not accepted (write the text; "
		    "escape a leading '#' as \\#)", a->type, a->show);
	if (v[0] == ' ')
		return err_set(OR_E_INPUT, "the value of %s in \"%s\" starts "
		    "with a space (remove it, or escape it as \"\\ \")",
		    a->type, a->show);
	while (i < n) {
		c = (unsigned char)v[i];
		if (c == '\\') {
			if (i + 1 >= n)
				return err_set(OR_E_INPUT, "unterminated escape "
				    "at the end of \"%s\"", a->show);
			c = (unsigned char)v[i + 1];
			if (i + 2 < n && dn_isxdigit(c) &&
			    dn_isxdigit((unsigned char)v[i + 2])) {
				out[o++] = (unsigned char)(dn_xval(c) << 4 |
				    dn_xval((unsigned char)v[i + 2]));
				i += 3;
			} else if (dn_oneof(c, " \"#+,;<=>\\/")) {
				out[o++] = (unsigned char)c;
				i += 2;
			} else if (dn_isxdigit(c))
				return err_set(OR_E_INPUT, "incomplete hex escape "
				    "in \"%s\" (write two hex digits, \\XX)",
				    a->show);
			else
				return err_set(OR_E_INPUT, "invalid escape in "
				    "\"%s\" (a backslash may precede only "
				    "\\ \" # + , ; < = > / space or two hex "
				    "digits)", a->show);
			escaped = true;
			continue;
		}
		if (form == DN_RFC4514 && dn_oneof(c, "\";<>"))
			return err_set(OR_E_INPUT, "unescaped '%c' in \"%s\" "
			    "(write \\%c)", c, a->show, c);
		out[o++] = (unsigned char)c;
		escaped = false;
		i++;
	}
	if (out[o - 1] == ' ' && !escaped)
		return err_set(OR_E_INPUT, "the value of %s in \"%s\" ends with "
		    "a space (remove it, or escape it as \"\\ \")", a->type,
		    a->show);
	*outlen = o;
	return OR_OK;
}

/* Checks a decoded value and chooses its string type. */
static int
dn_check(const struct dn_ava *a, int nid, const unsigned char *v, size_t n,
    int *strtype)
{
	unsigned long cp;
	size_t i, k, chars = 0;
	bool printable = true, ascii = true;
	char ch[80];

	for (i = 0; i < n; i += k) {
		if ((k = dn_utf8(v + i, n - i, &cp)) == 0)
			return err_set(OR_E_INPUT, "the value of %s in \"%s\" is "
			    "not valid UTF-8", a->type, a->show);
		if (dn_invisible(cp)) {
			names_char_text(cp, ch, sizeof ch);
			return err_set(OR_E_INPUT, "control or invisible "
			    "character %s at position %zu of the value of %s "
			    "in \"%s\"", ch, chars + 1, a->type, a->show);
		}
		if (cp >= 0x80)
			ascii = false;
		if (!dn_printable(cp))
			printable = false;
		chars++;
	}
	if (nid == NID_countryName || nid == NID_jurisdictionCountryName) {
		if (n != 2 || v[0] < 'A' || v[0] > 'Z' || v[1] < 'A' ||
		    v[1] > 'Z')
			return err_set(OR_E_INPUT, "the country in \"%s\" must be "
			    "two upper-case letters (ISO 3166), such as DE",
			    a->show);
		*strtype = V_ASN1_PRINTABLESTRING;
		return OR_OK;
	}
	if (chars > DN_MAX_CHARS)
		return err_set(OR_E_INPUT, "the value of %s in \"%s\" is %zu "
		    "characters long; the limit is %d", a->type, a->show,
		    chars, DN_MAX_CHARS);
	switch (nid) {
	case NID_serialNumber:
	case NID_dnQualifier:
		/* RFC 5280: PrintableString only. */
		if (!printable)
			return err_set(OR_E_INPUT, "the value of %s in \"%s\" "
			    "may use only A-Z a-z 0-9 space and '()+,-./:=?",
			    a->type, a->show);
		*strtype = V_ASN1_PRINTABLESTRING;
		break;
	case NID_pkcs9_emailAddress:
	case NID_domainComponent:
		/* PKCS #9 and RFC 4519: IA5String. */
		if (!ascii)
			return err_set(OR_E_INPUT, "the value of %s in \"%s\" "
			    "must be ASCII", a->type, a->show);
		*strtype = V_ASN1_IA5STRING;
		break;
	default:
		*strtype = printable ? V_ASN1_PRINTABLESTRING :
		    V_ASN1_UTF8STRING;
		break;
	}
	return OR_OK;
}

/*
 * Parses one "type=value" of n bytes at p and appends it to name, as a new
 * RDN or into the current one (which starts at entry rdn_first).
 */
static int
dn_ava(X509_NAME *name, const char *p, size_t n, enum dn_form form,
    bool newrdn, int rdn_first)
{
	struct dn_ava a;
	ASN1_OBJECT *obj = NULL;
	const X509_NAME_ENTRY *e;
	const char *eq;
	unsigned char val[DN_MAX_TEXT];
	size_t tlen, vlen = 0;
	int i, nid, strtype = V_ASN1_UTF8STRING, rc;

	dn_show(p, n, a.show, sizeof a.show);
	if ((eq = memchr(p, '=', n)) == NULL) {
		rc = err_set(OR_E_INPUT, "missing '=' in \"%s\"", a.show);
		goto out;
	}
	if ((tlen = (size_t)(eq - p)) == 0) {
		rc = err_set(OR_E_INPUT, "missing attribute type before '=' "
		    "in \"%s\"", a.show);
		goto out;
	}
	if (tlen > DN_MAX_TYPE) {
		rc = err_set(OR_E_INPUT, "unknown attribute in \"%s\"", a.show);
		goto out;
	}
	memcpy(a.type, p, tlen);
	a.type[tlen] = '\0';
	if ((rc = dn_lookup(&a, &obj)) != OR_OK)
		goto out;
	nid = OBJ_obj2nid(obj);
	if ((rc = dn_unescape(&a, eq + 1, n - tlen - 1, form, val,
	    &vlen)) != OR_OK)
		goto out;
	if ((rc = dn_check(&a, nid, val, vlen, &strtype)) != OR_OK)
		goto out;
	if (!newrdn) {
		for (i = rdn_first; i < X509_NAME_entry_count(name); i++) {
			e = X509_NAME_get_entry(name, i);
			if (OBJ_cmp(X509_NAME_ENTRY_get_object(e), obj) == 0) {
				rc = err_set(OR_E_INPUT, "%s appears twice in "
				    "one multi-valued RDN (at \"%s\")", a.type,
				    a.show);
				goto out;
			}
		}
	}
	if (!X509_NAME_add_entry_by_OBJ(name, obj, strtype, val, (int)vlen,
	    -1, newrdn ? 0 : -1)) {
		rc = err_openssl(OR_E_CRYPTO, "adding \"%s\" to a name", a.show);
		goto out;
	}
	rc = OR_OK;
out:
	ASN1_OBJECT_free(obj);
	return rc;
}

/*
 * Refuses a name whose last (most specific) RDN holds C while an earlier
 * one holds CN: the order was written backwards, as when OpenSSL's
 * one-line output (C=DE, O=..., CN=...) is pasted in as RFC 4514.
 */
static int
dn_order(const X509_NAME *name)
{
	const X509_NAME_ENTRY *e;
	int i, n, lastset, nid, cn = 0, c = 0;

	if ((n = X509_NAME_entry_count(name)) == 0)
		return OR_OK;
	lastset = X509_NAME_ENTRY_set(X509_NAME_get_entry(name, n - 1));
	for (i = 0; i < n; i++) {
		e = X509_NAME_get_entry(name, i);
		nid = OBJ_obj2nid(X509_NAME_ENTRY_get_object(e));
		if (nid == NID_commonName && X509_NAME_ENTRY_set(e) != lastset)
			cn = 1;
		if (nid == NID_countryName && X509_NAME_ENTRY_set(e) == lastset)
			c = 1;
	}
	if (cn && c)
		return err_set(OR_E_INPUT, "the RDNs are in reverse order (C "
		    "would be the most specific, after CN): write "
		    "CN=...,O=...,C=.. (RFC 4514) or /C=../O=.../CN=... "
		    "(slash form)");
	return OR_OK;
}

/* The same name with its RDNs in the opposite order. */
static int
dn_reverse(const X509_NAME *in, X509_NAME **out)
{
	X509_NAME *rev = NULL;
	int end, start, i, set, rc;

	*out = NULL;
	if ((rev = X509_NAME_new()) == NULL) {
		rc = err_set(OR_E_NOMEM, "out of memory for a name");
		goto out;
	}
	end = X509_NAME_entry_count(in);
	while (end > 0) {
		set = X509_NAME_ENTRY_set(X509_NAME_get_entry(in, end - 1));
		for (start = end - 1; start > 0; start--)
			if (X509_NAME_ENTRY_set(X509_NAME_get_entry(in,
			    start - 1)) != set)
				break;
		for (i = start; i < end; i++)
			if (!X509_NAME_add_entry(rev, X509_NAME_get_entry(in, i),
			    -1, i == start ? 0 : -1)) {
				rc = err_openssl(OR_E_CRYPTO, "reversing a name");
				goto out;
			}
		end = start;
	}
	*out = rev;
	rev = NULL;
	rc = OR_OK;
out:
	X509_NAME_free(rev);
	return rc;
}

int
dn_parse(const char *text, X509_NAME **out)
{
	X509_NAME *name = NULL, *rev = NULL;
	enum dn_form form;
	const char *p, *q;
	char rdnsep;
	size_t i;
	bool newrdn = true;
	int rc, rdn_first = 0;

	*out = NULL;
	if (text == NULL || text[0] == '\0' ||
	    (text[0] == '/' && text[1] == '\0')) {
		rc = err_set(OR_E_INPUT, "empty distinguished name");
		goto out;
	}
	for (i = 0; text[i] != '\0'; i++) {
		if (i == DN_MAX_TEXT) {
			rc = err_set(OR_E_INPUT, "distinguished name longer "
			    "than %d bytes", DN_MAX_TEXT);
			goto out;
		}
		if ((unsigned char)text[i] < 0x20 || text[i] == 0x7f) {
			rc = err_set(OR_E_INPUT, "control character 0x%02X at "
			    "offset %zu of the distinguished name",
			    (unsigned char)text[i], i);
			goto out;
		}
	}
	if (text[0] == '/') {
		form = DN_SLASH;
		rdnsep = '/';
		p = text + 1;
	} else {
		form = DN_RFC4514;
		rdnsep = ',';
		p = text;
	}
	if ((name = X509_NAME_new()) == NULL) {
		rc = err_set(OR_E_NOMEM, "out of memory for a name");
		goto out;
	}
	for (;;) {
		for (q = p; *q != '\0' && *q != rdnsep && *q != '+'; q++)
			if (*q == '\\' && *++q == '\0') {
				char show[DN_SHOW];

				dn_show_tail(p, (size_t)(q - p), show,
				    sizeof show);
				rc = err_set(OR_E_INPUT, "unterminated escape at "
				    "the end of \"%s\"", show);
				goto out;
			}
		if (q == p) {
			if (*q == '\0')
				rc = err_set(OR_E_INPUT, "trailing '%c' at the "
				    "end of the distinguished name",
				    p[-1]);
			else
				rc = err_set(OR_E_INPUT, "empty attribute before "
				    "'%c' at offset %zu of the distinguished "
				    "name", *q, (size_t)(q - text));
			goto out;
		}
		if (newrdn)
			rdn_first = X509_NAME_entry_count(name);
		if ((rc = dn_ava(name, p, (size_t)(q - p), form, newrdn,
		    rdn_first)) != OR_OK)
			goto out;
		if (*q == '\0')
			break;
		newrdn = *q == rdnsep;
		p = q + 1;
		/* "CN=Root, O=Example" is common; allow it. */
		if (form == DN_RFC4514)
			while (*p == ' ')
				p++;
		if (*p == '\0') {
			rc = err_set(OR_E_INPUT, "trailing '%c' at the end of "
			    "the distinguished name", *q);
			goto out;
		}
	}
	if (form == DN_RFC4514) {
		if ((rc = dn_reverse(name, &rev)) != OR_OK)
			goto out;
		X509_NAME_free(name);
		name = rev;
		rev = NULL;
	}
	if ((rc = dn_order(name)) != OR_OK)
		goto out;
	*out = name;
	name = NULL;
	rc = OR_OK;
out:
	X509_NAME_free(name);
	X509_NAME_free(rev);
	return rc;
}

static void
dn_put(struct dn_buf *b, const void *s, size_t n)
{
	if (b->full || n >= b->size - b->used) {
		b->full = true;
		return;
	}
	memcpy(b->p + b->used, s, n);
	b->used += n;
	b->p[b->used] = '\0';
}

static void
dn_put_hex(struct dn_buf *b, unsigned char c)
{
	char hex[4];

	snprintf(hex, sizeof hex, "\\%02X", c);
	dn_put(b, hex, 3);
}

/* The short name when dn_parse reads it back as the same type, else the
 * dotted OID. */
static int
dn_put_type(struct dn_buf *b, const ASN1_OBJECT *obj)
{
	const char *sn = NULL;
	char oid[128];
	size_t i;
	int nid, n;

	if ((nid = OBJ_obj2nid(obj)) != NID_undef && dn_name_attr(obj) &&
	    (sn = OBJ_nid2sn(nid)) != NULL && OBJ_sn2nid(sn) == nid) {
		for (i = 0; sn[i] != '\0'; i++)
			if (!dn_isalnum(sn[i]) && sn[i] != '-')
				break;
		if (i > 0 && sn[i] == '\0') {
			dn_put(b, sn, i);
			return OR_OK;
		}
	}
	n = OBJ_obj2txt(oid, sizeof oid, obj, 1);
	if (n <= 0 || (size_t)n >= sizeof oid)
		return err_set(OR_E_INPUT, "attribute OID too long to show");
	dn_put(b, oid, (size_t)n);
	return OR_OK;
}

/* A UTF-8 value with RFC 4514 escapes; anything that could break the line
 * or hide itself as \XX. */
static void
dn_put_value(struct dn_buf *b, const unsigned char *v, size_t n)
{
	unsigned long cp;
	size_t i, j, k;
	int c;

	for (i = 0; i < n; i += k) {
		k = dn_utf8(v + i, n - i, &cp);
		if (k == 0 || dn_invisible(cp)) {
			if (k == 0)
				k = 1;
			for (j = 0; j < k; j++)
				dn_put_hex(b, v[i + j]);
			continue;
		}
		c = v[i];
		if (k == 1 && (dn_oneof(c, ",+\"\\<>;") ||
		    (i == 0 && (c == '#' || c == ' ')) ||
		    (i + 1 == n && c == ' ')))
			dn_put(b, "\\", 1);
		dn_put(b, v + i, k);
	}
}

/* A value that is not a character string: '#' and its DER in hex. */
static int
dn_put_der(struct dn_buf *b, const ASN1_STRING *s)
{
	ASN1_TYPE *t = NULL;
	unsigned char *der = NULL;
	char hex[3];
	int type = ASN1_STRING_type(s), i, n, rc;

	if (type <= 0 || type > V_ASN1_BMPSTRING || type == V_ASN1_BOOLEAN ||
	    type == V_ASN1_NULL || type == V_ASN1_OBJECT) {
		rc = err_set(OR_E_INPUT, "a name holds a value of ASN.1 type "
		    "%d that cannot be shown", type);
		goto out;
	}
	if ((t = ASN1_TYPE_new()) == NULL ||
	    !ASN1_TYPE_set1(t, type, s) ||
	    (n = i2d_ASN1_TYPE(t, &der)) <= 0) {
		rc = err_openssl(OR_E_CRYPTO, "encoding a name value");
		goto out;
	}
	dn_put(b, "#", 1);
	for (i = 0; i < n; i++) {
		snprintf(hex, sizeof hex, "%02X", der[i]);
		dn_put(b, hex, 2);
	}
	rc = OR_OK;
out:
	OPENSSL_free(der);
	ASN1_TYPE_free(t);
	return rc;
}

int
dn_format(const X509_NAME *name, char *buf, size_t size)
{
	struct dn_buf b = { buf, size, 0, false };
	const X509_NAME_ENTRY *e;
	unsigned char *utf8 = NULL;
	int n, end, start, i, set, len, rc;

	if (buf == NULL || size == 0)
		return err_set(OR_E_INPUT, "no room to show a name");
	buf[0] = '\0';
	if (name == NULL) {
		rc = err_set(OR_E_INPUT, "no name to show");
		goto out;
	}
	/* RDNs last to first; the attributes of one RDN in their order. */
	n = X509_NAME_entry_count(name);
	for (end = n; end > 0; end = start) {
		set = X509_NAME_ENTRY_set(X509_NAME_get_entry(name, end - 1));
		for (start = end - 1; start > 0; start--)
			if (X509_NAME_ENTRY_set(X509_NAME_get_entry(name,
			    start - 1)) != set)
				break;
		for (i = start; i < end; i++) {
			e = X509_NAME_get_entry(name, i);
			if (i > start)
				dn_put(&b, "+", 1);
			else if (end < n)
				dn_put(&b, ",", 1);
			if ((rc = dn_put_type(&b,
			    X509_NAME_ENTRY_get_object(e))) != OR_OK)
				goto out;
			dn_put(&b, "=", 1);
			len = ASN1_STRING_to_UTF8(&utf8,
			    X509_NAME_ENTRY_get_data(e));
			if (len >= 0)
				dn_put_value(&b, utf8, (size_t)len);
			else {
				ERR_clear_error();
				if ((rc = dn_put_der(&b,
				    X509_NAME_ENTRY_get_data(e))) != OR_OK)
					goto out;
			}
			OPENSSL_free(utf8);
			utf8 = NULL;
		}
	}
	if (b.full) {
		rc = err_set(OR_E_INPUT, "the name does not fit in %zu bytes",
		    size);
		goto out;
	}
	rc = OR_OK;
out:
	OPENSSL_free(utf8);
	if (rc != OR_OK)
		buf[0] = '\0';
	return rc;
}
