/*
 * profile.c — certificate profiles in the OpenSSL configuration language
 * (see profile.h and ARCHITECTURE.md, decision 3).
 *
 * Loading happens in three passes over the text:
 *
 *  1. A pre-scan of our own, because NCONF neither reports the line of a
 *     key nor notices a key written twice (it keeps the last one silently).
 *     It maps (section, key) to a line, refuses duplicate keys and
 *     sections, and refuses what would make a profile mean different
 *     things on different machines: ".include" / ".pragma" directives,
 *     "section::key" assignments into another section and $ENV::
 *     references.
 *  2. NCONF parses the text (syntax, quoting, $variables).
 *  3. The profile section is checked key by key: offroot keys are parsed,
 *     every other key must be an X509v3 extension OpenSSL knows, and each
 *     extension line is built once (in X509V3_CTX_TEST mode) so that a
 *     malformed line is refused on load, not during the ceremony.  Then the
 *     combinations that cannot be right are refused.
 *
 * Every error names the file (or "built-in"), the section and the line.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/conf.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/x509v3.h>

#include "err.h"
#include "fileio.h"
#include "keystore.h"
#include "profile.h"
#include "util.h"

/* Profiles are short documents; anything larger is not one. */
#define PROFILE_TEXT_MAX	(256u << 10)
#define VALIDITY_MAX_DAYS	36525L		/* 100 years */
/* crl.h's CRL_DEFAULT_DAYS, CRL_MAX_DAYS and CRL_REFRESH_DAYS */
#define PROFILE_CRL_DEFAULT_DAYS	30
#define PROFILE_CRL_MAX_DAYS		365
#define PROFILE_CRL_OVERLAP_DAYS	7
#define BR_ROOT_MIN_DAYS	2922L		/* BR 6.3.2 / 7.1.2.1 */
#define BR_ROOT_MAX_DAYS	9132L
#define KT_ALL_BR	((1u << KT_EC_P256) | (1u << KT_EC_P384) | \
			 (1u << KT_RSA_3072) | (1u << KT_RSA_4096))
#define KT_ALL		(KT_ALL_BR | (1u << KT_ED25519))

const char profile_builtin_text[] =
"# offroot built-in profiles: the CA/Browser Forum Baseline Requirements\n"
"# (v2.x) shapes for a publicly-trusted TLS hierarchy.  Copy this text\n"
"# into a file of your own to change it.\n"
"\n"
"[root]\n"
"description    = CA/B Forum BR root CA (BR 7.1.2.1)\n"
"family         = br-root\n"
"# BR: a root certificate is valid for 2922 to 9132 days.  Ten years:\n"
"validity_days  = 3653\n"
"# Ed25519 is not eligible under the BR (6.1.5).\n"
"key_types      = ec-p384, ec-p256, rsa-3072, rsa-4096\n"
"# No pathLenConstraint: the BR does not recommend one on a root.\n"
"basicConstraints       = critical,CA:TRUE\n"
"keyUsage               = critical,keyCertSign,cRLSign\n"
"subjectKeyIdentifier   = hash\n"
"# For a self-signed root the key identifier equals the SKI.\n"
"authorityKeyIdentifier = keyid:always\n"
"\n"
"[intermediate]\n"
"description    = CA/B Forum BR TLS subordinate CA (BR 7.1.2.6, 7.1.2.10)\n"
"family         = br-subca\n"
"validity_days  = 1825\n"
"key_types      = ec-p384, ec-p256, rsa-3072, rsa-4096\n"
"max_pathlen    = 0\n"
"basicConstraints       = critical,CA:TRUE,pathlen:0\n"
"# digitalSignature only if this CA signs OCSP responses itself.\n"
"keyUsage               = critical,keyCertSign,cRLSign\n"
"subjectKeyIdentifier   = hash\n"
"authorityKeyIdentifier = keyid:always\n"
"extendedKeyUsage       = serverAuth,clientAuth\n"
"# The CA/B Forum's reserved policy identifier (domain validated).\n"
"certificatePolicies    = 2.23.140.1.2.1\n"
"# The BR requires a CRL Distribution Point: the CA's crl-url (offroot\n"
"# init --crl-url, or offroot set -d DIR crl-url=URL) goes into every\n"
"# certificate this profile makes, and its ca-issuers-url into\n"
"# authorityInfoAccess.  Without a crl-url the lint refuses to sign\n"
"# (e_subca_crldp_missing).\n"
"# notBefore is backdated by one hour (backdate = 1h, the default).\n";

/* One section and one key as the pre-scan saw them. */
struct scan_sect {
	const char *name;
	int line;		/* 0: the implicit "default" section */
};

struct scan_key {
	size_t sect;
	int line;
	const char *key;
};

/* A loaded text: the pre-scan's tables and NCONF's parse of it. */
struct loaded {
	const char *label;	/* file name or "built-in" */
	char *buf;		/* the text, rewritten in place into lines */
	struct scan_sect *sect;
	size_t nsect, capsect;
	struct scan_key *key;
	size_t nkey, capkey;
	CONF *conf;
};

static const char *const family_names[] = {
	[FAMILY_PRIVATE] = "private",
	[FAMILY_BR_ROOT] = "br-root",
	[FAMILY_BR_SUBCA] = "br-subca",
};

void
profile_crl_period(const struct profile *p, long *days, long *interval)
{
	long overlap;

	*days = p->crl_days != 0 ? p->crl_days : PROFILE_CRL_DEFAULT_DAYS;
	overlap = *days / 2 < PROFILE_CRL_OVERLAP_DAYS ? *days / 2 :
	    PROFILE_CRL_OVERLAP_DAYS;
	*interval = p->crl_interval_days != 0 ? p->crl_interval_days :
	    *days - overlap;
}

const char *
profile_family_name(enum profile_family f)
{
	if ((unsigned)f < nitems(family_names))
		return family_names[f];
	return "unknown";
}

/*
 * Records an input error as "LABEL: [section] line N: text".  sect is an
 * index into ld->sect (or (size_t)-1 for none), line 0 leaves it out.
 */
static int __attribute__((format(printf, 4, 5)))
perr(const struct loaded *ld, size_t sect, int line, const char *fmt, ...)
{
	char msg[768], where[160] = "";
	size_t n = 0;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (sect < ld->nsect) {
		snprintf(where, sizeof where, " [%s]", ld->sect[sect].name);
		n = strlen(where);
	}
	if (line > 0)
		snprintf(where + n, sizeof where - n, " line %d", line);
	if (where[0] == '\0')
		return err_set(OR_E_INPUT, "%s: %s", ld->label, msg);
	return err_set(OR_E_INPUT, "%s:%s: %s", ld->label, where, msg);
}

/* OpenSSL's first queued reason, with its data ("name=foo") when asked
 * for; drains the queue. */
static void
ossl_reason(char *buf, size_t size, bool with_data)
{
	const char *data = NULL, *reason = NULL;
	unsigned long e, first = 0;
	char extra[200] = "";
	int flags = 0;

	while ((e = ERR_get_error_all(NULL, NULL, NULL, &data, &flags)) != 0) {
		if (first != 0)
			continue;
		first = e;
		if (with_data && data != NULL && (flags & ERR_TXT_STRING) &&
		    *data != '\0')
			snprintf(extra, sizeof extra, " (%s)", data);
	}
	if (first != 0)
		reason = ERR_reason_error_string(first);
	snprintf(buf, size, "%s%s", reason != NULL ? reason :
	    "not understood by OpenSSL", extra);
}

static void
loaded_free(struct loaded *ld)
{
	free(ld->buf);
	free(ld->sect);
	free(ld->key);
	NCONF_free(ld->conf);
	memset(ld, 0, sizeof *ld);
}

static int
grow(void **v, size_t *cap, size_t n, size_t size)
{
	void *nv;
	size_t ncap;

	if (n < *cap)
		return OR_OK;
	ncap = *cap == 0 ? 16 : *cap * 2;
	if ((nv = realloc(*v, ncap * size)) == NULL)
		return err_set(OR_E_NOMEM, "out of memory reading a profile");
	*v = nv;
	*cap = ncap;
	return OR_OK;
}

static size_t
find_sect(const struct loaded *ld, const char *name)
{
	size_t i;

	for (i = 0; i < ld->nsect; i++)
		if (strcmp(ld->sect[i].name, name) == 0)
			return i;
	return (size_t)-1;
}

static int
key_line(const struct loaded *ld, size_t sect, const char *key)
{
	size_t i;

	for (i = 0; i < ld->nkey; i++)
		if (ld->key[i].sect == sect && strcmp(ld->key[i].key, key) == 0)
			return ld->key[i].line;
	return 0;
}

static int
key_cmp(const void *a, const void *b)
{
	const struct scan_key *x = a, *y = b;
	int c;

	if (x->sect != y->sect)
		return x->sect < y->sect ? -1 : 1;
	if ((c = strcmp(x->key, y->key)) != 0)
		return c;
	return (x->line > y->line) - (x->line < y->line);
}

static int
is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* A section header "[ name ]": the name must be plain so that it means
 * the same to us and to NCONF (which would expand $variables in it). */
static int
scan_section(struct loaded *ld, char *s, int line, size_t *cur)
{
	char *name, *end;
	size_t i, n;
	int rc;

	name = s + 1;
	while (is_ws(*name))
		name++;
	if ((end = strchr(name, ']')) == NULL)
		return perr(ld, (size_t)-1, line, "missing \"]\" in a section "
		    "header");
	while (end > name && is_ws(end[-1]))
		end--;
	*end = '\0';
	n = strlen(name);
	if (n == 0 || n >= PROFILE_NAME_MAX)
		return perr(ld, (size_t)-1, line, "a section name must have 1 "
		    "to %d characters", PROFILE_NAME_MAX - 1);
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)name[i]) && name[i] != '-' &&
		    name[i] != '_' && name[i] != '.')
			return perr(ld, (size_t)-1, line, "section name \"%s\" "
			    "may only use letters, digits, \"-\", \"_\" and "
			    "\".\"", name);
	if ((i = find_sect(ld, name)) != (size_t)-1) {
		if (i == 0 && ld->sect[0].line == 0) {
			/* An explicit [default] opening the file. */
			ld->sect[0].line = line;
			*cur = 0;
			return OR_OK;
		}
		return perr(ld, i, line, "section written twice (first at "
		    "line %d)", ld->sect[i].line);
	}
	if ((rc = grow((void **)&ld->sect, &ld->capsect, ld->nsect,
	    sizeof *ld->sect)) != OR_OK)
		return rc;
	ld->sect[ld->nsect].name = name;
	ld->sect[ld->nsect].line = line;
	*cur = ld->nsect++;
	return OR_OK;
}

/* "key = value": records the key and its line. */
static int
scan_key(struct loaded *ld, char *s, int line, size_t cur)
{
	char *e = s;
	int rc;

	while (*e != '\0' && !is_ws(*e) && *e != '=')
		e++;
	if (strstr(e, "ENV::") != NULL)
		return perr(ld, cur, line, "$ENV:: references are not allowed: "
		    "a profile must mean the same on every machine");
	*e = '\0';
	if (*s == '.')
		return perr(ld, cur, line, "directives such as \"%s\" are not "
		    "allowed in a profile file", s);
	if (strstr(s, "::") != NULL)
		return perr(ld, cur, line, "\"%s\": assigning into another "
		    "section is not allowed; write the key in its section", s);
	if ((rc = grow((void **)&ld->key, &ld->capkey, ld->nkey,
	    sizeof *ld->key)) != OR_OK)
		return rc;
	ld->key[ld->nkey].sect = cur;
	ld->key[ld->nkey].line = line;
	ld->key[ld->nkey].key = s;
	ld->nkey++;
	return OR_OK;
}

/* Refuses a key written twice in one section (NCONF would keep the last). */
static int
scan_duplicates(struct loaded *ld)
{
	struct scan_key *sorted, *a = NULL, *b = NULL;
	size_t i;
	int rc = OR_OK;

	if (ld->nkey < 2)
		return OR_OK;
	if ((sorted = malloc(ld->nkey * sizeof *sorted)) == NULL)
		return err_set(OR_E_NOMEM, "out of memory reading a profile");
	memcpy(sorted, ld->key, ld->nkey * sizeof *sorted);
	qsort(sorted, ld->nkey, sizeof *sorted, key_cmp);
	/* Report the duplicate that comes first in the file. */
	for (i = 1; i < ld->nkey; i++)
		if (sorted[i - 1].sect == sorted[i].sect &&
		    strcmp(sorted[i - 1].key, sorted[i].key) == 0 &&
		    (b == NULL || sorted[i].line < b->line)) {
			a = &sorted[i - 1];
			b = &sorted[i];
		}
	if (b != NULL)
		rc = perr(ld, b->sect, b->line, "duplicate key \"%s\" (first "
		    "at line %d)", b->key, a->line);
	free(sorted);
	return rc;
}

/*
 * Pass 1.  Splits the text into logical lines the way NCONF does (a line
 * ending in one backslash continues on the next), rewriting the copy in
 * place so that section names and keys can point into it.
 */
static int
scan_text(struct loaded *ld, const char *text, size_t len)
{
	char *w, *ls, *s;
	size_t r = 0, n, cur = 0;
	int line = 0, first, rc;

	if (len > PROFILE_TEXT_MAX)
		return perr(ld, (size_t)-1, 0, "larger than %u bytes",
		    PROFILE_TEXT_MAX);
	if (memchr(text, '\0', len) != NULL)
		return perr(ld, (size_t)-1, 0, "contains a NUL byte");
	if ((ld->buf = malloc(len + 1)) == NULL)
		return err_set(OR_E_NOMEM, "out of memory reading a profile");
	memcpy(ld->buf, text, len);
	ld->buf[len] = '\0';
	if ((rc = grow((void **)&ld->sect, &ld->capsect, 0,
	    sizeof *ld->sect)) != OR_OK)
		return rc;
	ld->sect[0].name = "default";
	ld->sect[0].line = 0;
	ld->nsect = 1;
	if (len >= 3 && memcmp(ld->buf, "\xef\xbb\xbf", 3) == 0)
		r = 3;
	w = ld->buf;
	while (r < len) {
		ls = w;
		first = line + 1;
		for (;;) {
			while (r < len && ld->buf[r] != '\n')
				*w++ = ld->buf[r++];
			if (r < len)
				r++;
			line++;
			while (w > ls && (w[-1] == '\r' || w[-1] == '\n'))
				w--;
			n = (size_t)(w - ls);
			if (n >= 1 && ls[n - 1] == '\\' &&
			    (n == 1 || ls[n - 2] != '\\')) {
				w--;
				if (r < len)
					continue;
			}
			break;
		}
		*w++ = '\0';
		for (s = ls; is_ws(*s); s++)
			;
		/* NCONF joins the line after a comment ending in a backslash
		 * into the comment: a key there would vanish silently. */
		if (*s == '#' && line > first)
			return perr(ld, cur, first, "a comment ends with a "
			    "backslash, which makes line %d part of the "
			    "comment", first + 1);
		if (*s == '\0' || *s == '#')
			continue;
		if (*s == '[')
			rc = scan_section(ld, s, first, &cur);
		else
			rc = scan_key(ld, s, first, cur);
		if (rc != OR_OK)
			return rc;
	}
	return scan_duplicates(ld);
}

/* Passes 1 and 2 over a text. */
static int
loaded_open(struct loaded *ld, const char *text, size_t len,
    const char *label)
{
	char reason[256];
	BIO *bio = NULL;
	long eline = 0;
	size_t i, sect = (size_t)-1;
	int rc;

	memset(ld, 0, sizeof *ld);
	ld->label = label;
	if ((rc = scan_text(ld, text, len)) != OR_OK)
		return rc;
	if ((ld->conf = NCONF_new(NULL)) == NULL ||
	    (bio = BIO_new_mem_buf(text, (int)len)) == NULL)
		return err_openssl(OR_E_NOMEM, "%s: reading profiles", label);
	ERR_clear_error();
	if (NCONF_load_bio(ld->conf, bio, &eline) <= 0) {
		/* NCONF's data is "HERE-->text" and "line N": not for
		 * people. */
		ossl_reason(reason, sizeof reason, false);
		for (i = 0; i < ld->nsect; i++)
			if (ld->sect[i].line <= eline)
				sect = i;
		rc = perr(ld, sect > 0 ? sect : (size_t)-1, (int)eline,
		    "syntax error: %s", reason);
	}
	BIO_free(bio);
	return rc;
}

/*
 * True when some value in the file refers to section name with "@name"
 * (certificatePolicies = @pol, nameConstraints = @nc, userNotice.1 =
 * @notice...): such a section is part of an extension, not a profile.
 */
static bool
is_referenced(const struct loaded *ld, const char *name)
{
	STACK_OF(CONF_VALUE) *sk;
	const CONF_VALUE *v;
	const char *s;
	size_t i, n = strlen(name);
	int j;

	for (i = 0; i < ld->nsect; i++) {
		if ((sk = NCONF_get_section(ld->conf, ld->sect[i].name)) == NULL)
			continue;
		for (j = 0; j < sk_CONF_VALUE_num(sk); j++) {
			v = sk_CONF_VALUE_value(sk, j);
			for (s = v->value; s != NULL && *s != '\0'; s++) {
				if (*s != '@')
					continue;
				/* "@" starts a reference only at the start
				 * of an item: "a,@b" but not "ca@example". */
				if (s != v->value) {
					const char *q = s;

					while (q > v->value && is_ws(q[-1]))
						q--;
					if (q != v->value && q[-1] != ',')
						continue;
				}
				if (strncmp(s + 1, name, n) == 0 &&
				    (s[n + 1] == '\0' || s[n + 1] == ',' ||
				    is_ws(s[n + 1])))
					return true;
			}
		}
	}
	return false;
}

/* A decimal integer, the whole string, within [min, max]. */
static bool
parse_long(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	if (*s == '\0' || !(isdigit((unsigned char)*s) || *s == '-'))
		return false;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return false;
	*out = v;
	return true;
}

static int
parse_key_types(const struct loaded *ld, size_t sect, int line,
    const char *value, unsigned *out)
{
	char buf[256], *tok, *save = NULL;
	enum keytype t;

	*out = 0;
	if (strlen(value) >= sizeof buf)
		return perr(ld, sect, line, "key_types: list too long");
	memcpy(buf, value, strlen(value) + 1);
	for (tok = strtok_r(buf, ", \t", &save); tok != NULL;
	    tok = strtok_r(NULL, ", \t", &save)) {
		if (keytype_parse(tok, &t) != OR_OK || t == KT_NONE)
			return perr(ld, sect, line, "key_types: unknown key "
			    "type \"%s\" (ec-p256, ec-p384, rsa-3072, "
			    "rsa-4096, ed25519)", tok);
		*out |= 1u << t;
	}
	if (*out == 0)
		return perr(ld, sect, line, "key_types: empty list");
	return OR_OK;
}

/* repeatable_attributes = OU, DC (names by short or long name or OID), or
 * "none": the attribute types a subject may hold more than once. */
static int
parse_repeatable(const struct loaded *ld, size_t sect, int line,
    const char *value, struct profile *p)
{
	char buf[256], *tok, *save = NULL;
	size_t n = 0;
	int nid;

	if (strlen(value) >= sizeof buf)
		return perr(ld, sect, line, "repeatable_attributes: list too "
		    "long");
	memcpy(buf, value, strlen(value) + 1);
	for (tok = strtok_r(buf, ", \t", &save); tok != NULL;
	    tok = strtok_r(NULL, ", \t", &save)) {
		if (strcmp(tok, "none") == 0 && n == 0 &&
		    strtok_r(NULL, ", \t", &save) == NULL)
			break;
		if ((nid = OBJ_txt2nid(tok)) == NID_undef)
			return perr(ld, sect, line, "repeatable_attributes: "
			    "unknown attribute type \"%s\"", tok);
		if (nid == NID_commonName || nid == NID_countryName)
			return perr(ld, sect, line, "repeatable_attributes: "
			    "%s is never repeatable: each program would pick "
			    "its own", OBJ_nid2sn(nid));
		if (n == PROFILE_MAX_REPEATABLE)
			return perr(ld, sect, line, "repeatable_attributes: "
			    "more than %d types", PROFILE_MAX_REPEATABLE);
		p->repeatable[n++] = nid;
	}
	if (n == 0 && strstr(value, "none") == NULL)
		return perr(ld, sect, line, "repeatable_attributes: empty "
		    "list (write none to allow no repeated type)");
	p->repeatable[n] = NID_undef;
	p->repeatable_set = true;
	return OR_OK;
}

/* Where each key that matters for the cross-checks was written (0: not). */
struct seen {
	int family, validity, key_types, max_pathlen;
	int bc, ku, eku, signature, crl_days, crl_interval;
	bool bc_critical, ku_cert_sign;
};

#define NOT_OFFROOT_KEY	(-1)

/* An offroot key.  Returns NOT_OFFROOT_KEY when key is not one (then it
 * must be an extension), OR_OK or an error otherwise. */
static int
offroot_key(const struct loaded *ld, size_t sect, int line, const char *key,
    const char *value, struct profile *p, struct seen *seen)
{
	long v;

	if (strcmp(key, "family") == 0) {
		if (strcmp(value, "private") == 0)
			p->family = FAMILY_PRIVATE;
		else if (strcmp(value, "br-root") == 0)
			p->family = FAMILY_BR_ROOT;
		else if (strcmp(value, "br-subca") == 0)
			p->family = FAMILY_BR_SUBCA;
		else
			return perr(ld, sect, line, "family: unknown family "
			    "\"%s\" (br-root, br-subca or private)", value);
		seen->family = line;
	} else if (strcmp(key, "validity_days") == 0) {
		if (!parse_long(value, 1, VALIDITY_MAX_DAYS, &v))
			return perr(ld, sect, line, "validity_days: \"%s\" is "
			    "not a number of days from 1 to %ld", value,
			    VALIDITY_MAX_DAYS);
		p->validity_days = v;
		seen->validity = line;
	} else if (strcmp(key, "clamp_validity") == 0) {
		if (strcmp(value, "yes") == 0 || strcmp(value, "true") == 0)
			p->clamp_validity = true;
		else if (strcmp(value, "no") == 0 ||
		    strcmp(value, "false") == 0)
			p->clamp_validity = false;
		else
			return perr(ld, sect, line, "clamp_validity: \"%s\" is "
			    "neither yes nor no", value);
	} else if (strcmp(key, "key_types") == 0) {
		seen->key_types = line;
		return parse_key_types(ld, sect, line, value, &p->key_types);
	} else if (strcmp(key, "min_rsa_bits") == 0) {
		if (!parse_long(value, 2048, 16384, &v))
			return perr(ld, sect, line, "min_rsa_bits: \"%s\" is "
			    "not a number from 2048 to 16384", value);
		p->min_rsa_bits = (int)v;
	} else if (strcmp(key, "max_pathlen") == 0) {
		if (!parse_long(value, 0, INT_MAX, &v))
			return perr(ld, sect, line, "max_pathlen: \"%s\" is "
			    "not a number from 0", value);
		p->max_pathlen = (int)v;
		seen->max_pathlen = line;
	} else if (strcmp(key, "digest") == 0) {
		if (strcmp(value, "sha256") != 0 &&
		    strcmp(value, "sha384") != 0 &&
		    strcmp(value, "sha512") != 0)
			return perr(ld, sect, line, "digest: unknown digest "
			    "\"%s\" (sha256, sha384 or sha512)", value);
		snprintf(p->digest, sizeof p->digest, "%s", value);
	} else if (strcmp(key, "signature") == 0) {
		if (strcmp(value, "pkcs1") == 0)
			p->pss = false;
		else if (strcmp(value, "pss") == 0)
			p->pss = true;
		else
			return perr(ld, sect, line, "signature: unknown scheme "
			    "\"%s\" (pkcs1 or pss)", value);
		seen->signature = line;
	} else if (strcmp(key, "backdate") == 0) {
		if (!profile_backdate_parse(value, &p->backdate))
			return perr(ld, sect, line, "backdate: \"%s\" is not a "
			    "duration from 0 to 24 h (such as 1h, 30min, 90s "
			    "or none)", value);
		p->backdate_set = true;
	} else if (strcmp(key, "repeatable_attributes") == 0) {
		return parse_repeatable(ld, sect, line, value, p);
	} else if (strcmp(key, "crl_days") == 0) {
		if (!parse_long(value, 1, PROFILE_CRL_MAX_DAYS, &v))
			return perr(ld, sect, line, "crl_days: \"%s\" is not a "
			    "number of days from 1 to %d (BR 4.9.7)", value,
			    PROFILE_CRL_MAX_DAYS);
		p->crl_days = v;
		seen->crl_days = line;
	} else if (strcmp(key, "crl_interval_days") == 0) {
		if (!parse_long(value, 1, PROFILE_CRL_MAX_DAYS, &v))
			return perr(ld, sect, line, "crl_interval_days: \"%s\" "
			    "is not a number of days from 1 to %d", value,
			    PROFILE_CRL_MAX_DAYS);
		p->crl_interval_days = v;
		seen->crl_interval = line;
	} else if (strcmp(key, "description") == 0) {
		if (strlen(value) >= sizeof p->description)
			return perr(ld, sect, line, "description: longer than "
			    "%zu characters", sizeof p->description - 1);
		snprintf(p->description, sizeof p->description, "%s", value);
	} else {
		return NOT_OFFROOT_KEY;
	}
	return OR_OK;
}

bool
profile_backdate_parse(const char *s, long *secs)
{
	static const struct {
		const char *unit;
		long secs;
	} units[] = { { "s", 1 }, { "min", 60 }, { "h", 3600 } };
	unsigned long long v = 0;
	const char *p = s;
	size_t i;

	if (strcmp(s, "none") == 0) {
		*secs = 0;
		return true;
	}
	if (!isdigit((unsigned char)*p))
		return false;
	for (; isdigit((unsigned char)*p); p++) {
		v = v * 10 + (unsigned)(*p - '0');
		if (v > (unsigned long long)PROFILE_BACKDATE_MAX)
			return false;
	}
	while (is_ws(*p))
		p++;
	if (*p == '\0') {
		if (v != 0)
			return false;	/* a bare number needs its unit */
		*secs = 0;
		return true;
	}
	for (i = 0; i < nitems(units); i++)
		if (strcmp(p, units[i].unit) == 0) {
			if (v * (unsigned long long)units[i].secs >
			    (unsigned long long)PROFILE_BACKDATE_MAX)
				return false;
			*secs = (long)v * units[i].secs;
			return true;
		}
	return false;
}

long
profile_backdate(const struct profile *p, bool self_signed)
{
	if (p != NULL && p->backdate_set)
		return p->backdate;
	return self_signed ? 0 : PROFILE_BACKDATE_DEFAULT;
}

void
profile_backdate_text(long secs, char *buf, size_t size)
{
	if (secs <= 0)
		snprintf(buf, size, "none");
	else if (secs % 3600 == 0)
		snprintf(buf, size, "%ld h", secs / 3600);
	else if (secs % 60 == 0 && secs > 3600)
		snprintf(buf, size, "%ld h %ld min", secs / 3600,
		    secs % 3600 / 60);
	else if (secs % 60 == 0)
		snprintf(buf, size, "%ld min", secs / 60);
	else
		snprintf(buf, size, "%ld s", secs);
}

/* Builds an extension line once in test mode and notes what the
 * cross-checks need. */
static int
check_extension(const struct loaded *ld, size_t sect, int line, int nid,
    const char *key, const char *value, struct profile *p, struct seen *seen)
{
	char reason[300];
	BASIC_CONSTRAINTS *bc = NULL;
	ASN1_BIT_STRING *ku = NULL;
	X509_EXTENSION *ext = NULL;
	X509V3_CTX ctx;
	int64_t pathlen;
	int rc = OR_OK;

	ERR_clear_error();
	X509V3_set_ctx(&ctx, NULL, NULL, NULL, NULL, X509V3_CTX_TEST);
	X509V3_set_nconf(&ctx, ld->conf);
	if ((ext = X509V3_EXT_nconf_nid(ld->conf, &ctx, nid, value)) == NULL) {
		ossl_reason(reason, sizeof reason, true);
		return perr(ld, sect, line, "%s = %s: %s", key, value, reason);
	}
	switch (nid) {
	case NID_basic_constraints:
		if ((bc = X509V3_EXT_d2i(ext)) == NULL) {
			rc = perr(ld, sect, line, "%s: cannot be decoded", key);
			goto out;
		}
		seen->bc = line;
		seen->bc_critical = X509_EXTENSION_get_critical(ext) != 0;
		p->is_ca = bc->ca != 0;
		p->pathlen = -1;
		if (bc->pathlen != NULL) {
			if (!p->is_ca) {
				rc = perr(ld, sect, line, "%s: a pathlen is only "
				    "allowed with CA:TRUE (RFC 5280 4.2.1.9)",
				    key);
				goto out;
			}
			if (!ASN1_INTEGER_get_int64(&pathlen, bc->pathlen) ||
			    pathlen < 0 || pathlen > INT_MAX) {
				rc = perr(ld, sect, line, "%s: pathlen must be a "
				    "number from 0", key);
				goto out;
			}
			p->pathlen = (int)pathlen;
		}
		break;
	case NID_key_usage:
		if ((ku = X509V3_EXT_d2i(ext)) == NULL) {
			rc = perr(ld, sect, line, "%s: cannot be decoded", key);
			goto out;
		}
		seen->ku = line;
		seen->ku_cert_sign = ASN1_BIT_STRING_get_bit(ku, 5) != 0;
		break;
	case NID_ext_key_usage:
		seen->eku = line;
		break;
	default:
		break;
	}
out:
	BASIC_CONSTRAINTS_free(bc);
	ASN1_BIT_STRING_free(ku);
	X509_EXTENSION_free(ext);
	return rc;
}

/* The combinations that cannot be right. */
static int
check_combinations(const struct loaded *ld, size_t sect, struct profile *p,
    const struct seen *seen)
{
	int hdr = ld->sect[sect].line;
	bool br = p->family != FAMILY_PRIVATE;
	const char *fam = profile_family_name(p->family);

	if (seen->family == 0)
		return perr(ld, sect, hdr, "missing key \"family\" (br-root, "
		    "br-subca or private)");
	if (seen->validity == 0)
		return perr(ld, sect, hdr, "missing key \"validity_days\"");
	if (br && !p->is_ca)
		return perr(ld, sect, seen->bc != 0 ? seen->bc : seen->family,
		    "family %s needs basicConstraints = critical,CA:TRUE",
		    fam);
	if (p->is_ca && !seen->bc_critical)
		return perr(ld, sect, seen->bc, "basicConstraints must be "
		    "critical in a CA profile (RFC 5280 4.2.1.9)");
	if (seen->ku_cert_sign && !p->is_ca)
		return perr(ld, sect, seen->ku, "keyUsage keyCertSign needs "
		    "basicConstraints CA:TRUE");
	if (p->is_ca && !seen->ku_cert_sign)
		return perr(ld, sect, seen->ku != 0 ? seen->ku : seen->bc,
		    "a CA profile needs keyUsage with keyCertSign");
	if (p->family == FAMILY_BR_ROOT && seen->eku != 0)
		return perr(ld, sect, seen->eku, "family br-root must not have "
		    "extendedKeyUsage (BR 7.1.2.1)");
	if (p->family == FAMILY_BR_ROOT &&
	    (p->validity_days < BR_ROOT_MIN_DAYS ||
	    p->validity_days > BR_ROOT_MAX_DAYS))
		return perr(ld, sect, seen->validity, "validity_days %ld is "
		    "outside %ld..%ld, the BR range for a root certificate",
		    p->validity_days, BR_ROOT_MIN_DAYS, BR_ROOT_MAX_DAYS);
	if ((seen->crl_days != 0 || seen->crl_interval != 0) && !p->is_ca)
		return perr(ld, sect, seen->crl_days != 0 ? seen->crl_days :
		    seen->crl_interval, "crl_days and crl_interval_days "
		    "belong in a CA profile");
	if (seen->crl_interval != 0) {
		long days, interval;

		profile_crl_period(p, &days, &interval);
		if (p->crl_interval_days > days)
			return perr(ld, sect, seen->crl_interval,
			    "crl_interval_days %ld is longer than the CRLs' "
			    "validity of %ld days: CRLs signed ahead would "
			    "leave days with no valid CRL",
			    p->crl_interval_days, days);
	}
	/* signature = pss needs an RSA issuer, not RSA subjects: checked
	 * where the issuer is known (rootca.c, issue_build), before the key
	 * is unlocked. */
	if (br && (p->key_types & (1u << KT_ED25519)) != 0)
		return perr(ld, sect, seen->key_types, "key_types: ed25519 is "
		    "not eligible under the BR (6.1.5); use family private");
	if (seen->max_pathlen != 0) {
		if (!p->is_ca)
			return perr(ld, sect, seen->max_pathlen, "max_pathlen "
			    "in a profile that is not a CA");
		if (p->pathlen < 0)
			return perr(ld, sect, seen->max_pathlen, "max_pathlen "
			    "%d, but basicConstraints sets no pathlen (which "
			    "means unlimited)", p->max_pathlen);
		if (p->max_pathlen < p->pathlen)
			return perr(ld, sect, seen->max_pathlen, "max_pathlen "
			    "%d is less than basicConstraints pathlen %d",
			    p->max_pathlen, p->pathlen);
	}
	return OR_OK;
}

/* Pass 3: the named profile out of a loaded text.  out->conf is borrowed
 * from ld. */
static int
profile_from(const struct loaded *ld, const char *name, struct profile *out)
{
	STACK_OF(CONF_VALUE) *sk;
	const CONF_VALUE *v;
	struct profile_ext *e;
	struct seen seen;
	size_t sect, i;
	int j, line, nid, rc;

	memset(out, 0, sizeof *out);
	memset(&seen, 0, sizeof seen);
	sect = find_sect(ld, name);
	if (sect == (size_t)-1 || sect == 0 ||
	    (sk = NCONF_get_section(ld->conf, name)) == NULL)
		return err_set(OR_E_INPUT, "no profile named %s in %s", name,
		    ld->label);
	if (is_referenced(ld, name))
		return perr(ld, sect, ld->sect[sect].line, "this section is "
		    "referenced as @%s by an extension: it is not a profile",
		    name);
	snprintf(out->name, sizeof out->name, "%s", name);
	snprintf(out->source, sizeof out->source, "%s", ld->label);
	out->min_rsa_bits = 2048;
	out->max_pathlen = -1;
	out->pathlen = -1;
	out->conf = ld->conf;

	for (j = 0; j < sk_CONF_VALUE_num(sk); j++) {
		v = sk_CONF_VALUE_value(sk, j);
		line = key_line(ld, sect, v->name);
		rc = offroot_key(ld, sect, line, v->name, v->value, out, &seen);
		if (rc != NOT_OFFROOT_KEY) {
			if (rc != OR_OK)
				return rc;
			continue;
		}
		nid = OBJ_txt2nid(v->name);
		if (nid == NID_undef || X509V3_EXT_get_nid(nid) == NULL)
			return perr(ld, sect, line, "unknown key \"%s\"",
			    v->name);
		for (i = 0; i < out->next; i++)
			if (out->ext[i].nid == nid)
				return perr(ld, sect, line, "\"%s\" is the same "
				    "extension as \"%s\" at line %d", v->name,
				    out->ext[i].name, out->ext[i].line);
		if (out->next == PROFILE_MAX_EXT)
			return perr(ld, sect, line, "more than %d extensions",
			    PROFILE_MAX_EXT);
		e = &out->ext[out->next];
		if (strlen(v->name) >= sizeof e->name ||
		    strlen(v->value) >= sizeof e->value)
			return perr(ld, sect, line, "\"%s\": line too long",
			    v->name);
		if ((rc = check_extension(ld, sect, line, nid, v->name,
		    v->value, out, &seen)) != OR_OK)
			return rc;
		snprintf(e->name, sizeof e->name, "%s", v->name);
		snprintf(e->value, sizeof e->value, "%s", v->value);
		e->line = line;
		e->nid = nid;
		out->next++;
	}
	if (out->key_types == 0)
		out->key_types = out->family == FAMILY_PRIVATE ? KT_ALL :
		    KT_ALL_BR;
	return check_combinations(ld, sect, out, &seen);
}

int
profile_load_text(const char *text, size_t len, const char *label,
    const char *name, struct profile *out)
{
	struct loaded ld;
	int rc;

	memset(out, 0, sizeof *out);
	if ((rc = loaded_open(&ld, text, len, label)) != OR_OK)
		goto out;
	if ((rc = profile_from(&ld, name, out)) != OR_OK) {
		out->conf = NULL;
		goto out;
	}
	ld.conf = NULL;		/* now the profile's */
out:
	if (rc != OR_OK)
		memset(out, 0, sizeof *out);
	loaded_free(&ld);
	return rc;
}

int
profile_load(const char *path, const char *name, struct profile *out)
{
	unsigned char *data = NULL;
	size_t len = 0;
	int rc;

	memset(out, 0, sizeof *out);
	if (path == NULL)
		return profile_load_text(profile_builtin_text,
		    sizeof profile_builtin_text - 1, "built-in", name, out);
	if ((rc = file_read(path, PROFILE_TEXT_MAX, &data, &len)) != OR_OK)
		return rc;
	rc = profile_load_text((const char *)data, len, path, name, out);
	free(data);
	return rc;
}

int
profile_check_file(const char *path,
    void (*each)(void *ctx, const struct profile *p), void *ctx)
{
	struct profile p;
	struct loaded ld;
	unsigned char *data = NULL;
	size_t len = 0, i, n = 0;
	int rc;

	memset(&ld, 0, sizeof ld);
	if ((rc = file_read(path, PROFILE_TEXT_MAX, &data, &len)) != OR_OK)
		return rc;
	if ((rc = loaded_open(&ld, (const char *)data, len, path)) != OR_OK)
		goto out;
	for (i = 1; i < ld.nsect; i++) {
		if (is_referenced(&ld, ld.sect[i].name))
			continue;
		rc = profile_from(&ld, ld.sect[i].name, &p);
		if (rc == OR_OK && each != NULL)
			each(ctx, &p);
		p.conf = NULL;
		if (rc != OR_OK)
			goto out;
		n++;
	}
	if (n == 0)
		rc = err_set(OR_E_INPUT, "%s: no profile sections", path);
out:
	loaded_free(&ld);
	free(data);
	return rc;
}

void
profile_free(struct profile *p)
{
	if (p == NULL)
		return;
	NCONF_free(p->conf);
	p->conf = NULL;
}

/* Builds one extension line against the real certificate and adds it. */
static int
apply_one(const struct profile *p, const struct profile_ext *e,
    X509V3_CTX *ctx, X509 *cert)
{
	char reason[300];
	X509_EXTENSION *ext;
	int rc = OR_OK;

	if (X509_get_ext_by_NID(cert, e->nid, -1) >= 0)
		return err_set(OR_E_INPUT, "%s: [%s] line %d: the certificate "
		    "already has %s", p->source, p->name, e->line, e->name);
	ERR_clear_error();
	if ((ext = X509V3_EXT_nconf_nid(p->conf, ctx, e->nid,
	    e->value)) == NULL) {
		ossl_reason(reason, sizeof reason, true);
		return err_set(OR_E_INPUT, "%s: [%s] line %d: %s = %s: %s",
		    p->source, p->name, e->line, e->name, e->value, reason);
	}
	if (!X509_add_ext(cert, ext, -1))
		rc = err_openssl(OR_E_NOMEM, "adding %s", e->name);
	X509_EXTENSION_free(ext);
	return rc;
}

int
profile_apply(const struct profile *p, X509 *cert, X509 *issuer)
{
	X509V3_CTX ctx;
	size_t i, ski = p->next;
	bool ski_done = false;
	int rc = OR_OK;

	X509V3_set_ctx(&ctx, issuer, cert, NULL, NULL, 0);
	X509V3_set_nconf(&ctx, p->conf);
	for (i = 0; i < p->next; i++)
		if (p->ext[i].nid == NID_subject_key_identifier)
			ski = i;
	/* The SKI goes in before the AKI, so that a self-signed root's
	 * authorityKeyIdentifier = keyid finds it. */
	for (i = 0; i < p->next; i++) {
		if (i == ski && ski_done)
			continue;
		if (p->ext[i].nid == NID_authority_key_identifier &&
		    ski < p->next && !ski_done) {
			if ((rc = apply_one(p, &p->ext[ski], &ctx, cert))
			    != OR_OK)
				goto out;
			ski_done = true;
		}
		if ((rc = apply_one(p, &p->ext[i], &ctx, cert)) != OR_OK)
			goto out;
		if (i == ski)
			ski_done = true;
	}
out:
	return rc;
}

/*
 * Whether the profile lets a subject key of this kind be certified.  RSA
 * subject keys of any size from min_rsa_bits up are allowed when the profile
 * lists an rsa-* type (the online issuer picks its modulus size).
 */
bool
profile_allows_key(const struct profile *prof, EVP_PKEY *pkey)
{
	enum keytype t = keytype_of(pkey);
	unsigned rsa = (1u << KT_RSA_3072) | (1u << KT_RSA_4096);

	if (t != KT_NONE)
		return (prof->key_types & (1u << t)) != 0 ||
		    ((t == KT_RSA_3072 || t == KT_RSA_4096) &&
		    (prof->key_types & rsa) != 0);
	if (EVP_PKEY_get_base_id(pkey) == EVP_PKEY_RSA)
		return (prof->key_types & rsa) != 0 &&
		    EVP_PKEY_get_bits(pkey) >= prof->min_rsa_bits;
	return false;
}
