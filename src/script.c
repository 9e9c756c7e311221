/*
 * script.c — ceremony scripts: parser, checker and printer (script.h).
 * A script is checked whole before the day, so that a mistake on paper
 * (an unknown action, a missing parameter, a secret or a machine path
 * written in it, steps in an order that cannot work) is found at the
 * desk, not half-way through a ceremony with the key unlocked.  The
 * printer renders the same script as the document participants initial.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <openssl/x509.h>

#include "crl-ahead.h"
#include "dn.h"
#include "err.h"
#include "fileio.h"
#include "keystore.h"
#include "revoke.h"
#include "names.h"
#include "publish.h"
#include "script.h"
#include "share.h"
#include "util.h"

/* Parameter kinds: how a value is checked. */
enum pkind {
	PK_TEXT,	/* any text */
	PK_NAME,	/* a profile or label name: [A-Za-z0-9_.-] */
	PK_DN,		/* a subject, as offroot init --subject */
	PK_KEYTYPE,
	PK_KDF,
	PK_STORE,	/* sealed | pkcs11 */
	PK_DAYS,	/* 1..36525 */
	PK_AHEAD,	/* 1..CRL_AHEAD_MAX CRLs signed ahead */
	PK_MEDIA,	/* a relative name on the media */
	PK_MEDIA_LIST,	/* comma-separated relative names on the media */
	PK_LOCAL,	/* a file beside the script (relative) */
	PK_CHECKS,	/* airgap, clock, selfcheck, media */
	PK_REASON,	/* RFC 5280 reason name */
	PK_SERIAL,
	PK_OF,		/* root | bundle | crl */
	PK_YESNO,
	PK_QUORUM,	/* M/N officers */
	PK_SHA256,	/* 64 hex digits */
	PK_CONFIRM_CSR,	/* words | hex | yes */
	PK_URL,		/* an http:// publication point (publish.h) */
	PK_BAGS,	/* tamper-evident bag labels, comma-separated */
	PK_BY,		/* root | successor: which CA signs */
	PK_CA_NAME,	/* a CA directory's name beside the ceremony's */
};

struct pspec {
	const char *key;
	bool required;
	enum pkind kind;
};

struct aspec {
	const char *name;
	enum script_action action;
	const struct pspec *params;
	bool needs_ca;		/* cannot run before the root exists */
};

static const struct pspec p_preflight[] = {
	{ "checks", false, PK_CHECKS },
	{ "binary_sha256", false, PK_SHA256 },	/* the release pinned */
	{ NULL, false, PK_TEXT } };
static const struct pspec p_none[] = { { NULL, false, PK_TEXT } };
static const struct pspec p_note[] = {
	{ "bags", false, PK_BAGS }, { NULL, false, PK_TEXT } };
static const struct pspec p_generate[] = {
	{ "subject", true, PK_DN },
	{ "key", true, PK_KEYTYPE },
	{ "profile", false, PK_NAME },
	{ "profiles", false, PK_LOCAL },
	{ "days", false, PK_DAYS },
	{ "kdf", false, PK_KDF },
	{ "store", false, PK_STORE },
	{ "crl_url", false, PK_URL },
	{ "ca_issuers_url", false, PK_URL },
	{ "label", false, PK_NAME },
	{ "quorum", false, PK_QUORUM },
	{ NULL, false, PK_TEXT } };
static const struct pspec p_fingerprint[] = {
	{ "of", true, PK_OF }, { NULL, false, PK_TEXT } };
static const struct pspec p_sign[] = {
	{ "csr", true, PK_MEDIA_LIST },
	{ "bundle", true, PK_MEDIA },
	{ "profile", false, PK_NAME },
	{ "days", false, PK_DAYS },
	{ "confirm_csr", false, PK_CONFIRM_CSR },
	{ "by", false, PK_BY },		/* successor: a rollover's new root */
	{ NULL, false, PK_TEXT } };
static const struct pspec p_revoke[] = {
	{ "serial", false, PK_SERIAL },
	{ "serials-file", false, PK_MEDIA },
	{ "reason", true, PK_REASON },
	{ NULL, false, PK_TEXT } };
static const struct pspec p_crl[] = {
	{ "days", false, PK_DAYS },
	{ "output", false, PK_MEDIA },
	{ "ahead", false, PK_AHEAD },		/* crl --ahead: a folder */
	{ "interval", false, PK_DAYS },
	{ NULL, false, PK_TEXT } };
static const struct pspec p_export[] = {
	{ "folder", true, PK_MEDIA },
	{ "crl", false, PK_YESNO },
	{ NULL, false, PK_TEXT } };

static const struct pspec p_renew[] = {
	{ "days", false, PK_DAYS },
	{ "profile", false, PK_NAME },
	{ NULL, false, PK_TEXT } };

/* The new root of a rollover (rollover.h): made like generate-root's,
 * in the CA directory new_ca beside the ceremony's, cross-signed by the
 * ceremony's root; folder: the transition export on the media, which
 * export-transition writes (the cross bundles go beside it). */
static const struct pspec p_rollover[] = {
	{ "new_ca", true, PK_CA_NAME },
	{ "subject", true, PK_DN },
	{ "key", true, PK_KEYTYPE },
	{ "folder", true, PK_MEDIA },
	{ "profile", false, PK_NAME },
	{ "profiles", false, PK_LOCAL },
	{ "days", false, PK_DAYS },
	{ "kdf", false, PK_KDF },
	{ "store", false, PK_STORE },
	{ "label", false, PK_NAME },
	{ "quorum", false, PK_QUORUM },
	{ "crl_url", false, PK_URL },
	{ "ca_issuers_url", false, PK_URL },
	{ "cross_profile", false, PK_NAME },
	{ "cross_days", false, PK_DAYS },
	{ "both_ways", false, PK_YESNO },
	{ NULL, false, PK_TEXT } };
static const struct pspec p_export_transition[] = {
	{ "overlap_days", false, PK_DAYS },
	{ NULL, false, PK_TEXT } };

static const struct pspec p_reshare[] = {
	{ "quorum", true, PK_QUORUM },
	{ "kdf", false, PK_KDF },
	{ NULL, false, PK_TEXT } };

static const struct pspec p_migrate[] = {
	{ "label", false, PK_NAME },
	{ NULL, false, PK_TEXT } };

static const struct aspec actions[] = {
	{ "preflight", SA_PREFLIGHT, p_preflight, false },
	{ "participants", SA_PARTICIPANTS, p_none, false },
	{ "note", SA_NOTE, p_note, false },
	{ "generate-root", SA_GENERATE_ROOT, p_generate, false },
	{ "confirm-fingerprint", SA_CONFIRM_FINGERPRINT, p_fingerprint, true },
	{ "sign-csrs", SA_SIGN_CSRS, p_sign, true },
	{ "revoke", SA_REVOKE, p_revoke, true },
	{ "sign-crl", SA_SIGN_CRL, p_crl, true },
	{ "export", SA_EXPORT, p_export, true },
	{ "check-key", SA_CHECK_KEY, p_none, true },
	{ "reshare", SA_RESHARE, p_reshare, true },
	{ "renew-root", SA_RENEW_ROOT, p_renew, true },
	{ "rollover", SA_ROLLOVER, p_rollover, true },
	{ "export-transition", SA_EXPORT_TRANSITION, p_export_transition,
	    true },
	{ "migrate", SA_MIGRATE, p_migrate, true },
	{ NULL, SA_NONE, NULL, false }
};

static const char *const preflight_checks[] = { "airgap", "clock",
	"selfcheck", "media", NULL };

const char *
script_action_name(enum script_action a)
{
	size_t i;

	for (i = 0; actions[i].name != NULL; i++)
		if (actions[i].action == a)
			return actions[i].name;
	return "none";
}

static const struct aspec *
action_spec(enum script_action a)
{
	size_t i;

	for (i = 0; actions[i].name != NULL; i++)
		if (actions[i].action == a)
			return &actions[i];
	return NULL;
}

const char *
script_param(const struct script_step *st, const char *key)
{
	size_t i;

	for (i = 0; i < st->nparams; i++)
		if (strcmp(st->params[i].key, key) == 0)
			return st->params[i].value;
	return NULL;
}

const char *
script_witness(const struct script *s, const struct script_step *st)
{
	if (st->witness != NULL)
		return st->witness;
	if (s->default_witness != NULL)
		return s->default_witness;
	return st->role;
}

/* Walks a comma-separated list: the next item (trimmed) into buf. */
static const char *
list_next(const char *p, char *buf, size_t size)
{
	size_t n;

	while (*p == ' ' || *p == ',')
		p++;
	if (*p == '\0')
		return NULL;
	n = strcspn(p, ",");
	while (n > 0 && p[n - 1] == ' ')
		n--;
	snprintf(buf, size, "%.*s", (int)n, p);
	p += n;
	while (*p == ' ')
		p++;
	if (*p == ',')
		p++;
	return p;
}

bool
script_preflight_has(const struct script_step *st, const char *check)
{
	const char *v = script_param(st, "checks"), *p;
	char item[64];

	if (v == NULL)
		return true;
	for (p = v; (p = list_next(p, item, sizeof item)) != NULL;)
		if (strcmp(item, check) == 0)
			return true;
	return false;
}

/* ---- parsing -------------------------------------------------------- */

struct parser {
	struct script *s;
	const char *name;
	unsigned line;
};

static int __attribute__((format(printf, 3, 4)))
perr(const struct parser *p, unsigned line, const char *fmt, ...)
{
	char text[768];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	return err_set(OR_E_INPUT, "%s:%u: %s", p->name, line, text);
}

/* A relative name on the media or beside the script: no absolute path,
 * no "..", no empty component, printable ASCII without blanks. */
static bool
relative_name(const char *v)
{
	const char *c;

	if (v[0] == '\0' || v[0] == '/' || v[0] == '~' || strlen(v) > 200)
		return false;
	for (c = v; *c != '\0'; c++)
		if (!isgraph((unsigned char)*c) || *c == '\\' || *c == '$' ||
		    *c == '*' || *c == '?')
			return false;
	if (strstr(v, "//") != NULL || v[strlen(v) - 1] == '/')
		return false;
	for (c = v; c != NULL; c = strchr(c, '/')) {
		if (*c == '/')
			c++;
		if (strncmp(c, "..", 2) == 0 && (c[2] == '/' || c[2] == '\0'))
			return false;
		if (c[0] == '.' && (c[1] == '/' || c[1] == '\0'))
			return false;
	}
	return true;
}

/* PK_NAME: a profile or label name. */
static int
check_name(const struct parser *p, const struct script_param *sp)
{
	const char *v = sp->value, *c;

	for (c = v; *c != '\0'; c++)
		if (!isalnum((unsigned char)*c) && *c != '-' && *c != '_' &&
		    *c != '.')
			break;
	if (*v == '\0' || *c != '\0' || strlen(v) > 63)
		return perr(p, sp->line, "%s: \"%s\" is not a name (letters, "
		    "digits, '-', '_', '.')", sp->key, v);
	return OR_OK;
}

/* PK_DAYS: 1 to 36525. */
static int
check_days(const struct parser *p, const struct script_param *sp)
{
	const char *v = sp->value;
	long days;
	char *end;

	errno = 0;
	days = strtol(v, &end, 10);
	if (errno != 0 || end == v || *end != '\0' || days < 1 ||
	    days > 36525)
		return perr(p, sp->line, "%s: expected a number of days from 1 "
		    "to 36525, got \"%s\"", sp->key, v);
	return OR_OK;
}

/* PK_AHEAD: 1 to CRL_AHEAD_MAX (crl-ahead.h). */
static int
check_ahead(const struct parser *p, const struct script_param *sp)
{
	const char *v = sp->value;
	long n;
	char *end;

	errno = 0;
	n = strtol(v, &end, 10);
	if (errno != 0 || end == v || *end != '\0' || n < 1 ||
	    n > CRL_AHEAD_MAX)
		return perr(p, sp->line, "%s: expected a number of CRLs from 1 "
		    "to %d, got \"%s\"", sp->key, CRL_AHEAD_MAX, v);
	return OR_OK;
}

/* A pattern on the media (csrpick.h): a relative name whose last part
 * may hold * ? [...]; "choose" too. */
static bool
media_pattern(const char *v)
{
	char buf[256], *c;
	const char *slash = strrchr(v, '/');

	if (strcmp(v, "choose") == 0)
		return true;
	if (strlen(v) >= sizeof buf || strpbrk(v, "*?[") == NULL ||
	    (slash != NULL && strpbrk(v, "*?[") < slash))
		return false;
	snprintf(buf, sizeof buf, "%s", v);
	for (c = buf; *c != '\0'; c++)
		if (*c == '*' || *c == '?' || *c == '[' || *c == ']')
			*c = 'x';
	return relative_name(buf);
}

/* PK_MEDIA_LIST: 1 to 64 relative names or patterns on the media. */
static int
check_media_list(const struct parser *p, const struct script_param *sp)
{
	const char *c;
	char item[256];
	int n = 0;

	for (c = sp->value; (c = list_next(c, item, sizeof item)) != NULL; n++)
		if (!relative_name(item) && !media_pattern(item))
			return perr(p, sp->line, "%s: \"%s\" must be a relative "
			    "name on the media, a pattern (*.csr) or choose",
			    sp->key, item);
	if (n == 0 || n > 64)
		return perr(p, sp->line, "%s: give from 1 to 64 names",
		    sp->key);
	return OR_OK;
}

const char *
script_list_next(const char *p, char *buf, size_t size)
{
	return list_next(p, buf, size);
}

bool
script_bag_text_ok(const char *s, size_t max)
{
	size_t i, n = strlen(s);

	if (n == 0 || n > max)
		return false;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) &&
		    strchr(" #()-./", s[i]) == NULL)
			return false;
	return s[0] != ' ' && s[n - 1] != ' ';
}

/* PK_BAGS: the labels of the bags a note step asks the numbers of: 1 to
 * SCRIPT_MAX_BAGS, each of letters, digits, spaces and # ( ) - . /, no
 * label twice. */
static int
check_bags(const struct parser *p, const struct script_param *sp)
{
	char item[256], seen[SCRIPT_MAX_BAGS][SCRIPT_BAG_LABEL + 1];
	const char *c;
	size_t n = 0, i;

	for (c = sp->value; (c = list_next(c, item, sizeof item)) != NULL;
	    n++) {
		if (n == SCRIPT_MAX_BAGS)
			return perr(p, sp->line, "bags: at most %d bags in one "
			    "step", SCRIPT_MAX_BAGS);
		if (!script_bag_text_ok(item, SCRIPT_BAG_LABEL))
			return perr(p, sp->line, "bags: \"%s\" is not a bag "
			    "label (1 to %d letters, digits, spaces and # ( ) "
			    "- . /)", item, SCRIPT_BAG_LABEL);
		for (i = 0; i < n; i++)
			if (strcmp(seen[i], item) == 0)
				return perr(p, sp->line, "bags: \"%s\" twice",
				    item);
		memcpy(seen[n], item, strlen(item) + 1);	/* checked: fits */
	}
	if (n == 0)
		return perr(p, sp->line, "bags: empty list");
	return OR_OK;
}

/* A rollover's values: by (which root signs), new_ca (a plain folder
 * name beside the CA directory, never "." or ".."). */
static int
check_rollover_value(const struct parser *p, const struct script_param *sp,
    enum pkind kind)
{
	const char *v = sp->value;

	if (kind == PK_BY && strcmp(v, "root") != 0 &&
	    strcmp(v, "successor") != 0)
		return perr(p, sp->line, "by: expected root or successor, got "
		    "\"%s\"", v);
	if (kind == PK_BY)
		return OR_OK;
	if (*v == '.')
		return perr(p, sp->line, "%s: a folder name beside the CA "
		    "directory, not \"%s\"", sp->key, v);
	return check_name(p, sp);
}

/* PK_CHECKS: a list of pre-flight checks. */
static int
check_checks(const struct parser *p, const struct script_param *sp)
{
	const char *c;
	char item[256];
	size_t i;
	int n = 0;

	for (c = sp->value; (c = list_next(c, item, sizeof item)) != NULL;
	    n++) {
		for (i = 0; preflight_checks[i] != NULL; i++)
			if (strcmp(item, preflight_checks[i]) == 0)
				break;
		if (preflight_checks[i] == NULL)
			return perr(p, sp->line, "checks: unknown check \"%s\" "
			    "(airgap, clock, selfcheck, media)", item);
	}
	if (n == 0)
		return perr(p, sp->line, "checks: empty list");
	return OR_OK;
}

/* A value that must be one of words (NULL-ended); else "KEY: expected
 * EXPECTED, got "V"" and then more. */
static int
check_word(const struct parser *p, const struct script_param *sp,
    const char *const *words, const char *expected, const char *more)
{
	for (; *words != NULL; words++)
		if (strcmp(sp->value, *words) == 0)
			return OR_OK;
	return perr(p, sp->line, "%s: expected %s, got \"%s\"%s", sp->key,
	    expected, sp->value, more);
}

static const char *const stores[] = { "sealed", "pkcs11", NULL };
static const char *const ofs[] = { "root", "bundle", "crl", NULL };
static const char *const yesno[] = { "yes", "no", NULL };
static const char *const confirms[] = { "words", "hex", "yes", NULL };

static int
check_value(const struct parser *p, const struct script_param *sp,
    enum pkind kind)
{
	const char *v = sp->value;
	enum keytype kt;
	enum kdf_level kdf;
	struct serial serial;
	X509_NAME *dn = NULL;
	unsigned char md[SHA256_LEN];
	int reason;
	unsigned qm, qn;

	switch (kind) {
	case PK_TEXT:
		return OR_OK;
	case PK_NAME:
		return check_name(p, sp);
	case PK_DN:
		if (dn_parse(v, &dn) != OR_OK)
			return perr(p, sp->line, "subject: %s", err_msg(
			    OR_E_INPUT));
		X509_NAME_free(dn);
		return OR_OK;
	case PK_KEYTYPE:
		if (keytype_parse(v, &kt) != OR_OK || kt == KT_NONE)
			return perr(p, sp->line, "key: unknown key type \"%s\" "
			    "(ec-p384, ec-p256, rsa-3072, rsa-4096, ed25519)",
			    v);
		return OR_OK;
	case PK_KDF:
		if (kdf_level_parse(v, &kdf) != OR_OK)
			return perr(p, sp->line, "kdf: expected sensitive, "
			    "moderate or interactive, got \"%s\"", v);
		return OR_OK;
	case PK_STORE:
		return check_word(p, sp, stores, "sealed or pkcs11",
		    " (the token's URI is given on the command line, never in "
		    "the script)");
	case PK_DAYS:
		return check_days(p, sp);
	case PK_AHEAD:
		return check_ahead(p, sp);
	case PK_URL: {
		char why[200];

		if (!publish_url_ok(v, why, sizeof why))
			return perr(p, sp->line, "%s: %s", sp->key, why);
		return OR_OK;
	}
	case PK_MEDIA:
	case PK_LOCAL:
		if (!relative_name(v))
			return perr(p, sp->line, "%s: \"%s\" must be a relative "
			    "name (%s); machine paths come from the command "
			    "line", sp->key, v, kind == PK_MEDIA ?
			    "on the media" : "beside the script");
		return OR_OK;
	case PK_MEDIA_LIST:
		return check_media_list(p, sp);
	case PK_CHECKS:
		return check_checks(p, sp);
	case PK_BAGS:
		return check_bags(p, sp);
	case PK_REASON:
		if (revoke_reason_parse(v, &reason) != OR_OK)
			return perr(p, sp->line, "%s", err_msg(OR_E_USAGE));
		return OR_OK;
	case PK_SERIAL:
		if (serial_parse(v, strlen(v), &serial) != OR_OK)
			return perr(p, sp->line, "serial: %s", err_msg(
			    OR_E_INPUT));
		return OR_OK;
	case PK_OF:
		return check_word(p, sp, ofs, "root, bundle or crl", "");
	case PK_BY:
	case PK_CA_NAME:
		return check_rollover_value(p, sp, kind);
	case PK_YESNO:
		return check_word(p, sp, yesno, "yes or no", "");
	case PK_SHA256:
		if (strlen(v) != 64 || hex_decode(v, md, sizeof md) != OR_OK) {
			err_clear();
			return perr(p, sp->line, "%s: expected the 64 hex digits "
			    "of a SHA-256 (RELEASE.txt), got \"%s\"", sp->key,
			    v);
		}
		return OR_OK;
	case PK_CONFIRM_CSR:
		return check_word(p, sp, confirms, "words (the witness types "
		    "the first two PGP words), hex (the first two hex groups) "
		    "or yes (the witness answers yes or no)", "");
	case PK_QUORUM:
		if (share_quorum_parse(v, &qm, &qn) != OR_OK)
			return perr(p, sp->line, "%s: expected M/N officers with "
			    "1 <= M <= N <= %d, such as 3/5, got \"%s\"",
			    sp->key, SEALED_QUORUM_MAX_N, v);
		return OR_OK;
	}
	return OR_OK;
}

static bool
role_declared(const struct script *s, const char *role)
{
	size_t i;

	for (i = 0; i < s->nroles; i++)
		if (strcmp(s->roles[i], role) == 0)
			return true;
	return false;
}

static bool
secret_word(const char *key)
{
	static const char *const words[] = { "pin", "passphrase", "password",
	    "secret", "so-pin", "passphrase-file", "pin-file", NULL };
	size_t i;

	for (i = 0; words[i] != NULL; i++)
		if (strcasecmp(key, words[i]) == 0)
			return true;
	return false;
}

/* One step's own checks: role, action, parameters. */
static int
check_step(const struct parser *p, const struct script_step *st)
{
	const struct aspec *as;
	size_t i, k;

	if (st->role == NULL)
		return perr(p, st->line, "step %u has no role: line", st->number);
	if (!role_declared(p->s, st->role))
		return perr(p, st->line, "step %u: role \"%s\" is not declared "
		    "in the header", st->number, st->role);
	if (st->witness != NULL && !role_declared(p->s, st->witness))
		return perr(p, st->line, "step %u: witness \"%s\" is not "
		    "declared in the header", st->number, st->witness);
	if (st->action == SA_NONE)
		return perr(p, st->line, "step %u has no action: line",
		    st->number);
	as = action_spec(st->action);
	for (i = 0; i < st->nparams; i++) {
		const struct script_param *sp = &st->params[i];

		if (secret_word(sp->key))
			return perr(p, sp->line, "param \"%s\": secrets never go "
			    "in a script; they are typed on the day or given "
			    "with --passphrase-file / --pin-file", sp->key);
		for (k = 0; as->params[k].key != NULL; k++)
			if (strcmp(as->params[k].key, sp->key) == 0)
				break;
		if (as->params[k].key == NULL)
			return perr(p, sp->line, "%s takes no parameter \"%s\"",
			    as->name, sp->key);
		for (k = 0; k < i; k++)
			if (strcmp(st->params[k].key, sp->key) == 0)
				return perr(p, sp->line, "parameter \"%s\" given "
				    "twice", sp->key);
	}
	for (k = 0; as->params[k].key != NULL; k++) {
		const struct script_param *sp = NULL;

		for (i = 0; i < st->nparams; i++)
			if (strcmp(st->params[i].key, as->params[k].key) == 0)
				sp = &st->params[i];
		if (sp == NULL) {
			if (as->params[k].required)
				return perr(p, st->action_line, "%s needs "
				    "\"param: %s = ...\"", as->name,
				    as->params[k].key);
			continue;
		}
		{
			int rc = check_value(p, sp, as->params[k].kind);
			if (rc != OR_OK)
				return rc;
		}
	}
	if (st->action == SA_REVOKE &&
	    (script_param(st, "serial") != NULL) ==
	    (script_param(st, "serials-file") != NULL))
		return perr(p, st->action_line, "revoke needs exactly one of "
		    "\"param: serial\" and \"param: serials-file\"");
	if (st->action == SA_SIGN_CRL && script_param(st, "ahead") != NULL &&
	    script_param(st, "output") == NULL)
		return perr(p, st->action_line, "ahead: CRLs signed ahead go "
		    "into a folder on the media (param: output = NAME)");
	if (st->action == SA_SIGN_CRL && script_param(st, "interval") != NULL &&
	    script_param(st, "ahead") == NULL)
		return perr(p, st->action_line, "interval is for CRLs signed "
		    "ahead (param: ahead = N)");
	if (st->action == SA_PREFLIGHT && script_param(st, "binary_sha256") &&
	    !script_preflight_has(st, "selfcheck"))
		return perr(p, st->action_line, "binary_sha256 is compared by "
		    "the selfcheck: add it to \"param: checks\"");
	if (st->action == SA_NOTE && st->ntext == 0 && st->nchecks == 0 &&
	    st->nverifies == 0)
		return perr(p, st->line, "step %u: a note needs text to "
		    "initial", st->number);
	if (st->action == SA_GENERATE_ROOT && script_param(st, "label") &&
	    (script_param(st, "store") == NULL ||
	    strcmp(script_param(st, "store"), "pkcs11") != 0))
		return perr(p, st->action_line, "label is for a key on a token "
		    "(param: store = pkcs11)");
	if (st->action == SA_GENERATE_ROOT && script_param(st, "quorum") &&
	    script_param(st, "store") != NULL &&
	    strcmp(script_param(st, "store"), "pkcs11") == 0)
		return perr(p, st->action_line, "quorum: officer shares are for "
		    "a sealed key file, not a key on a token");
	return OR_OK;
}

/* No step may write a name on the media a step before step i wrote. */
static int
check_outputs(const struct parser *p, size_t i)
{
	static const char *const outs[] = { "bundle", "output", "folder" };
	const struct script *s = p->s;
	const struct script_step *st = &s->steps[i];
	const char *x, *y;
	size_t k, a, b;

	for (k = 0; k < i; k++)
		for (a = 0; a < nitems(outs); a++)
			for (b = 0; b < nitems(outs); b++) {
				x = script_param(st, outs[a]);
				y = script_param(&s->steps[k], outs[b]);
				if (x != NULL && y != NULL && strcmp(x, y) == 0)
					return perr(p, st->line, "step %u writes "
					    "\"%s\" on the media, which step %u "
					    "already writes", st->number, x,
					    s->steps[k].number);
			}
	return OR_OK;
}

/* A rollover: one, in a ceremony of an existing root; what signs with the
 * successor or exports the transition comes after it (roll). */
static int
check_rollover(const struct parser *p, const struct script_step *st,
    const struct script_step *gen, const struct script_step *roll)
{
	const char *by = script_param(st, "by");
	bool succ = by != NULL && strcmp(by, "successor") == 0;

	if (st->action == SA_ROLLOVER && gen != NULL)
		return perr(p, st->line, "step %u rolls over the root that step "
		    "%u creates: a new root has no predecessor", st->number,
		    gen->number);
	if (st->action == SA_ROLLOVER && roll != NULL)
		return perr(p, st->line, "step %u rolls over again (step %u "
		    "did)", st->number, roll->number);
	if ((st->action == SA_EXPORT_TRANSITION || succ) && roll == NULL)
		return perr(p, st->line, "step %u (%s) needs the successor "
		    "root, but no rollover step comes before it", st->number,
		    script_action_name(st->action));
	return OR_OK;
}

/* The order of the steps: what each needs has been done before it. */
static int
check_order(const struct parser *p)
{
	const struct script *s = p->s;
	const struct script_step *gen = NULL, *part = NULL, *sign = NULL;
	const struct script_step *crl = NULL, *prev = NULL, *roll = NULL;
	size_t i;
	int rc;

	for (i = 0; i < s->nsteps; i++) {
		const struct script_step *st = &s->steps[i];

		if (st->action == SA_GENERATE_ROOT) {
			if (gen != NULL)
				return perr(p, st->line, "step %u generates a "
				    "second root (step %u made one)",
				    st->number, gen->number);
			gen = st;
		}
		if (st->action == SA_PARTICIPANTS) {
			if (part != NULL)
				return perr(p, st->line, "step %u records the "
				    "participants again (step %u did)",
				    st->number, part->number);
			part = st;
		}
	}
	if (part == NULL)
		return perr(p, 1, "no participants step: a ceremony records "
		    "who took part before anything is done");
	for (i = 0; i < s->nsteps; i++) {
		const struct script_step *st = &s->steps[i];
		const char *of = script_param(st, "of");

		if (prev != NULL && st->number <= prev->number)
			return perr(p, st->line, "step %u %s step %u: number "
			    "the steps in order", st->number, st->number ==
			    prev->number ? "duplicates" : "follows",
			    prev->number);
		prev = st;
		if (st->action != SA_PREFLIGHT && st->action != SA_NOTE &&
		    st->action != SA_PARTICIPANTS && st < part)
			return perr(p, st->line, "step %u (%s) comes before the "
			    "participants are recorded (step %u)", st->number,
			    script_action_name(st->action), part->number);
		if (action_spec(st->action)->needs_ca && gen != NULL &&
		    st < gen)
			return perr(p, st->line, "step %u (%s) needs the CA, "
			    "which step %u (generate-root) creates later",
			    st->number, script_action_name(st->action),
			    gen->number);
		if (st->action == SA_CONFIRM_FINGERPRINT && of != NULL &&
		    strcmp(of, "bundle") == 0 && sign == NULL)
			return perr(p, st->line, "step %u confirms a bundle's "
			    "fingerprint, but no sign-csrs step (or sign-crl "
			    "with ahead) comes before it", st->number);
		if (st->action == SA_CONFIRM_FINGERPRINT && of != NULL &&
		    strcmp(of, "crl") == 0 && crl == NULL)
			return perr(p, st->line, "step %u confirms a CRL's "
			    "fingerprint, but no sign-crl step comes before "
			    "it", st->number);
		if (st->action == SA_EXPORT && gen != NULL && crl == NULL &&
		    sign == NULL && (script_param(st, "crl") == NULL ||
		    strcmp(script_param(st, "crl"), "yes") == 0))
			return perr(p, st->line, "step %u exports the CRL of a "
			    "root this ceremony creates, but no step before it "
			    "signs one (add sign-crl, or param: crl = no)",
			    st->number);
		if (st->action == SA_RESHARE && gen != NULL &&
		    script_param(gen, "store") != NULL &&
		    strcmp(script_param(gen, "store"), "pkcs11") == 0)
			return perr(p, st->line, "step %u re-shares the key of a "
			    "root that step %u generates on a token: officer "
			    "shares are for a sealed key file", st->number,
			    gen->number);
		if (st->action == SA_MIGRATE && gen != NULL)
			return perr(p, st->line, "step %u moves into a token the "
			    "key that step %u creates: generate it on the token "
			    "(param: store = pkcs11) instead", st->number,
			    gen->number);
		if (st->action == SA_RENEW_ROOT && gen != NULL)
			return perr(p, st->line, "step %u renews the root "
			    "certificate that step %u creates: a new root needs "
			    "no renewal", st->number, gen->number);
		if ((rc = check_rollover(p, st, gen, roll)) != OR_OK)
			return rc;
		if (st->action == SA_ROLLOVER)
			roll = st;
		if (st->action == SA_SIGN_CSRS || st->action ==
		    SA_EXPORT_TRANSITION)
			sign = st;
		if (st->action == SA_SIGN_CRL)
			crl = st;
		/* CRLs signed ahead go into a folder with a signed MANIFEST,
		 * whose fingerprint is confirmed as a bundle's. */
		if (st->action == SA_SIGN_CRL && script_param(st, "ahead"))
			sign = st;
		if ((rc = check_outputs(p, i)) != OR_OK)
			return rc;
	}
	return OR_OK;
}

/* "keyword: value" at column 0: the keyword, and value trimmed. */
static bool
keyword(char *line, const char *kw, char **value)
{
	size_t n = strlen(kw);

	if (strncmp(line, kw, n) != 0 || line[n] != ':')
		return false;
	*value = str_trim(line + n + 1);
	return true;
}

static int
parse_step_line(struct parser *p, char *v, struct script_step *st)
{
	char *colon, *end;
	unsigned long n;

	/* "step N: Title" — v is what follows "step ". */
	errno = 0;
	n = strtoul(v, &end, 10);
	if (end == v || !isdigit((unsigned char)*v) || *end != ':' ||
	    errno != 0 || n == 0 || n > 9999 || (v[0] == '0'))
		return perr(p, p->line, "expected \"step N: title\" with N a "
		    "number from 1");
	colon = end;
	memset(st, 0, sizeof *st);
	st->number = (unsigned)n;
	snprintf(st->number_text, sizeof st->number_text, "%lu", n);
	st->line = p->line;
	st->action = SA_NONE;
	st->title = str_trim(colon + 1);
	if (*st->title == '\0')
		return perr(p, p->line, "step %lu has no title", n);
	return OR_OK;
}

/* An indented line: free text of the header or of the current step. */
static int
parse_text(struct parser *p, char *line, struct script_step *st)
{
	struct script *s = p->s;
	char *v = str_trim(line);

	if (st == NULL) {
		if (s->ndescription == SCRIPT_MAX_TEXT)
			return perr(p, p->line, "description too long");
		s->description[s->ndescription++] = v;
		return OR_OK;
	}
	if (st->ntext == SCRIPT_MAX_TEXT)
		return perr(p, p->line, "step %u: more than %d lines of text",
		    st->number, SCRIPT_MAX_TEXT);
	st->text[st->ntext++] = v;
	return OR_OK;
}

/* "step N: title": a new step, *cur. */
static int
parse_new_step(struct parser *p, char *line, struct script_step **cur)
{
	struct script *s = p->s;
	struct script_step *ns;

	if (s->nsteps == SCRIPT_MAX_STEPS)
		return perr(p, p->line, "more than %d steps", SCRIPT_MAX_STEPS);
	if ((ns = realloc(s->steps, (s->nsteps + 1) * sizeof *ns)) == NULL)
		return err_set(OR_E_NOMEM, "out of memory");
	s->steps = ns;
	*cur = &s->steps[s->nsteps];
	if (parse_step_line(p, line + 5, *cur) != OR_OK)
		return OR_E_INPUT;
	s->nsteps++;
	return OR_OK;
}

/* A header line, before the first step. */
static int
parse_header(struct parser *p, char *line)
{
	struct script *s = p->s;
	char *v;

	if (keyword(line, "name", &v)) {
		if (s->name != NULL)
			return perr(p, p->line, "name given twice");
		s->name = v;
	} else if (keyword(line, "version", &v)) {
		if (s->version != NULL)
			return perr(p, p->line, "version given twice");
		s->version = v;
	} else if (keyword(line, "description", &v)) {
		if (s->ndescription == SCRIPT_MAX_TEXT)
			return perr(p, p->line, "description too long");
		s->description[s->ndescription++] = v;
	} else if (keyword(line, "role", &v)) {
		if (s->nroles == SCRIPT_MAX_ROLES)
			return perr(p, p->line, "more than %d roles",
			    SCRIPT_MAX_ROLES);
		if (*v == '\0' || strlen(v) > 64)
			return perr(p, p->line, "a role is a name of 1 to 64 "
			    "characters");
		if (role_declared(s, v))
			return perr(p, p->line, "role \"%s\" declared twice", v);
		s->roles[s->nroles++] = v;
		if (s->default_witness == NULL && strstr(v, "Witness") != NULL)
			s->default_witness = v;
	} else
		return perr(p, p->line, "unknown header line (expected name:, "
		    "version:, description:, role: or the first \"step N: "
		    "title\"; free text is indented)");
	return OR_OK;
}

/* "param: key = value" of step st (v: what follows "param:"). */
static int
parse_param(struct parser *p, char *v, struct script_step *st)
{
	struct script_param *sp;
	char *eq;

	if (st->nparams == SCRIPT_MAX_PARAMS)
		return perr(p, p->line, "step %u: too many parameters",
		    st->number);
	if ((eq = strchr(v, '=')) == NULL)
		return perr(p, p->line, "expected \"param: key = value\"");
	*eq = '\0';
	sp = &st->params[st->nparams];
	sp->key = str_trim(v);
	sp->value = str_trim(eq + 1);
	sp->line = p->line;
	if (*sp->key == '\0')
		return perr(p, p->line, "a parameter without a name");
	if (*sp->value == '\0')
		return perr(p, p->line, "parameter \"%s\" has no value",
		    sp->key);
	st->nparams++;
	return OR_OK;
}

/* A keyword line of step st: role, witness, action, param, verify,
 * check. */
static int
parse_step_keyword(struct parser *p, char *line, struct script_step *st)
{
	char *v;
	size_t i;

	if (keyword(line, "role", &v)) {
		if (st->role != NULL)
			return perr(p, p->line, "step %u: role given twice",
			    st->number);
		st->role = v;
	} else if (keyword(line, "witness", &v)) {
		if (st->witness != NULL)
			return perr(p, p->line, "step %u: witness given twice",
			    st->number);
		st->witness = v;
	} else if (keyword(line, "action", &v)) {
		if (st->action != SA_NONE)
			return perr(p, p->line, "step %u: action given twice",
			    st->number);
		for (i = 0; actions[i].name != NULL; i++)
			if (strcmp(actions[i].name, v) == 0)
				break;
		if (actions[i].name == NULL)
			return perr(p, p->line, "unknown action \"%s\"", v);
		st->action = actions[i].action;
		st->action_line = p->line;
	} else if (keyword(line, "param", &v)) {
		return parse_param(p, v, st);
	} else if (keyword(line, "check", &v)) {
		if (st->nchecks == SCRIPT_MAX_CHECKS)
			return perr(p, p->line, "step %u: too many checks",
			    st->number);
		if (*v == '\0')
			return perr(p, p->line, "an empty check");
		st->check_lines[st->nchecks] = p->line;
		st->checks[st->nchecks++] = v;
	} else if (keyword(line, "verify", &v)) {
		if (st->nverifies == SCRIPT_MAX_CHECKS)
			return perr(p, p->line, "step %u: too many verify: "
			    "lines", st->number);
		if (*v == '\0')
			return perr(p, p->line, "an empty verify:");
		st->verify_lines[st->nverifies] = p->line;
		st->verifies[st->nverifies++] = v;
	} else
		return perr(p, p->line, "unknown line in step %u (expected "
		    "role:, witness:, action:, param:, verify:, check:, or "
		    "indented free text)", st->number);
	return OR_OK;
}

static int
parse_line(struct parser *p, char *line, struct script_step **cur)
{
	if (line[0] == ' ' || line[0] == '\t')
		return parse_text(p, line, *cur);
	if (strncmp(line, "step ", 5) == 0)
		return parse_new_step(p, line, cur);
	if (*cur == NULL)
		return parse_header(p, line);
	return parse_step_keyword(p, line, *cur);
}

/*
 * A line as read (line to nl, the NUL that was its line feed): not too
 * long, UTF-8, no control character but a tab, and no bidirectional or
 * invisible character (names.h): the script the participants read and
 * initial is the one offroot runs, so nothing in it may show other than
 * it is (the "Trojan Source" reordering, CVE-2021-42574).
 */
static int
check_raw_line(const struct parser *p, const char *line, const char *nl)
{
	const unsigned char *c = (const unsigned char *)line;
	const unsigned char *end = (const unsigned char *)nl;
	char what[96];
	unsigned long cp;
	size_t k;

	if ((size_t)(nl - line) > SCRIPT_MAX_LINE)
		return perr(p, p->line, "line longer than %d bytes",
		    SCRIPT_MAX_LINE);
	for (; c < end; c += k) {
		if ((k = names_utf8(c, (size_t)(end - c), &cp)) == 0)
			return perr(p, p->line, "invalid UTF-8 (byte 0x%02x at "
			    "column %zu)", *c, (size_t)(c -
			    (const unsigned char *)line) + 1);
		if (cp < 0x20 && cp != '\t')
			return perr(p, p->line, "control character 0x%02lx "
			    "(save the script as plain text with LF line ends)",
			    cp);
		if (cp != '\t' && names_class(cp) != NAMES_OK) {
			names_char_text(cp, what, sizeof what);
			return perr(p, p->line, "%s at column %zu: a script "
			    "shows people what offroot runs, and this character "
			    "would make them differ", what, (size_t)(c -
			    (const unsigned char *)line) + 1);
		}
	}
	return OR_OK;
}

/* What every script has: a name, a version, roles and steps. */
static int
check_header(const struct parser *p)
{
	const struct script *s = p->s;

	if (s->name == NULL || *s->name == '\0')
		return perr(p, 1, "the header has no name:");
	if (s->version == NULL || *s->version == '\0')
		return perr(p, 1, "the header has no version:");
	if (s->nroles == 0)
		return perr(p, 1, "the header declares no role:");
	if (s->nsteps == 0)
		return perr(p, p->line, "the script has no steps");
	return OR_OK;
}

int
script_parse(const char *data, size_t len, const char *name,
    struct script *s)
{
	struct parser p;
	struct script_step *cur = NULL;
	char *line, *next;
	bool magic = false;
	size_t i;
	int rc;

	memset(s, 0, sizeof *s);
	memset(&p, 0, sizeof p);
	p.s = s;
	p.name = name;
	snprintf(s->file, sizeof s->file, "%s", name);
	if (len > SCRIPT_MAX_FILE)
		return err_set(OR_E_INPUT, "%s: larger than %u KiB", name,
		    SCRIPT_MAX_FILE >> 10);
	if ((s->buf = malloc(len + 1)) == NULL)
		return err_set(OR_E_NOMEM, "out of memory");
	memcpy(s->buf, data, len);
	s->buf[len] = '\0';
	if (sha256(data, len, s->sha256) != OR_OK) {
		rc = OR_E_CRYPTO;
		goto fail;
	}
	hex_encode(s->sha256, 32, s->sha256_hex);
	if (len > 0 && data[len - 1] != '\n') {
		rc = perr(&p, 1, "the file does not end with a line feed");
		goto fail;
	}
	for (line = s->buf; line < s->buf + len; line = next) {
		char *nl = memchr(line, '\n', (size_t)(s->buf + len - line));

		p.line++;
		*nl = '\0';
		next = nl + 1;
		if ((rc = check_raw_line(&p, line, nl)) != OR_OK)
			goto fail;
		if (line[0] == '#')
			continue;
		if (*str_trim(line) == '\0' && line[0] != '\0')
			continue;
		if (line[0] == '\0')
			continue;
		if (!magic) {
			if (strcmp(line, SCRIPT_MAGIC) != 0) {
				rc = perr(&p, p.line, "not a ceremony script "
				    "(the first line must be \"%s\")",
				    SCRIPT_MAGIC);
				goto fail;
			}
			magic = true;
			continue;
		}
		if ((rc = parse_line(&p, line, &cur)) != OR_OK)
			goto fail;
	}
	if (!magic) {
		rc = perr(&p, 1, "not a ceremony script (empty)");
		goto fail;
	}
	if ((rc = check_header(&p)) != OR_OK)
		goto fail;
	for (i = 0; i < s->nsteps; i++) {
		if ((rc = check_step(&p, &s->steps[i])) != OR_OK)
			goto fail;
		if (s->steps[i].action == SA_GENERATE_ROOT)
			s->creates_root = true;
	}
	if ((rc = check_order(&p)) != OR_OK)
		goto fail;
	return OR_OK;
fail:
	script_free(s);
	return rc;
}

int
script_load(const char *path, struct script *s)
{
	unsigned char *data = NULL;
	size_t len;
	int rc;

	memset(s, 0, sizeof *s);
	if ((rc = file_read(path, SCRIPT_MAX_FILE, &data, &len)) != OR_OK)
		return rc;
	rc = script_parse((const char *)data, len, path, s);
	free(data);
	if (rc == OR_OK)
		file_dirname(path, s->dir, sizeof s->dir);
	return rc;
}

void
script_free(struct script *s)
{
	if (s == NULL)
		return;
	free(s->steps);
	free(s->buf);
	memset(s, 0, sizeof *s);
}

/* ---- printing ------------------------------------------------------- */

#define RULE "----------------------------------------------------------" \
	"--------------------"

/* Prints text wrapped at width with an indent. */
static void
wrap(FILE *f, const char *indent, const char *text, size_t width)
{
	size_t col = 0, n, ind = strlen(indent);
	const char *w = text;

	while (*w != '\0') {
		while (*w == ' ')
			w++;
		if (*w == '\0')
			break;
		n = strcspn(w, " ");
		if (col == 0) {
			fputs(indent, f);
			col = ind;
		} else if (col + 1 + n > width) {
			fprintf(f, "\n%s", indent);
			col = ind;
		} else {
			fputc(' ', f);
			col++;
		}
		fwrite(w, 1, n, f);
		col += n;
		w += n;
	}
	if (col > 0)
		fputc('\n', f);
}

static void
fingerprint_blanks(FILE *f, const char *what)
{
	fprintf(f, "\n      %s, written by hand as read on screen:\n", what);
	fprintf(f, "        SHA-256  ____ ____ ____ ____  ____ ____ ____ "
	    "____\n");
	fprintf(f, "                 ____ ____ ____ ____  ____ ____ ____ "
	    "____\n");
	fprintf(f, "        first 4 PGP words  ______________ ______________ "
	    "______________ ______________\n");
	fprintf(f, "        read aloud by ________________  checked by "
	    "________________\n");
}

int
script_print(const struct script *s, FILE *f, const char *binary_sha256)
{
	size_t i, k;

	fprintf(f, "OFFROOT CEREMONY: %s\n", s->name);
	fprintf(f, "%s\n", RULE);
	fprintf(f, "Script   %s, version %s\n", s->file, s->version);
	fprintf(f, "         SHA-256 %.32s\n                 %s\n",
	    s->sha256_hex, s->sha256_hex + 32);
	fprintf(f, "Tool     offroot %s\n", OFFROOT_VERSION);
	if (binary_sha256 != NULL)
		fprintf(f, "         binary SHA-256 %.32s\n"
		    "                        %s\n", binary_sha256,
		    binary_sha256 + 32);
	for (i = 0; i < s->nsteps; i++) {
		const char *pin = script_param(&s->steps[i], "binary_sha256");

		if (s->steps[i].action == SA_PREFLIGHT && pin != NULL)
			fprintf(f, "Release  pinned binary SHA-256 %.32s\n"
			    "                                %s\n"
			    "         (step %s compares it; RELEASE.txt must "
			    "show the same)\n", pin, pin + 32,
			    s->steps[i].number_text);
	}
	fprintf(f, "         compare both with the published values: "
	    "match [ ]  initials ______\n");
	fprintf(f, "Date     ____-__-__   Location ______________________"
	    "______\n");
	fprintf(f, "CA dir   ________________________   Media "
	    "________________________\n");
	if (s->ndescription > 0) {
		fprintf(f, "\n");
		for (i = 0; i < s->ndescription; i++)
			wrap(f, "", s->description[i], 78);
	}
	fprintf(f, "\nPARTICIPANTS\n%-28s %-26s %s\n", "Role", "Name",
	    "Signature");
	for (i = 0; i < s->nroles; i++)
		fprintf(f, "%-28s %-26s %s\n", s->roles[i],
		    "__________________________", "______________");
	fprintf(f, "\nSTEPS\n%-5s %-40s %-10s %s\n", "Step", "Role",
	    "Time (UTC)", "Initials");
	fprintf(f, "%s\n", RULE);
	for (i = 0; i < s->nsteps; i++) {
		const struct script_step *st = &s->steps[i];

		fprintf(f, "%-5s %-40s %-10s %s\n", st->number_text, st->role,
		    "__:__", "______");
		wrap(f, "      ", st->title, 78);
		fprintf(f, "      [action: %s", script_action_name(st->action));
		for (k = 0; k < st->nparams; k++)
			fprintf(f, "; %s = %s", st->params[k].key,
			    st->params[k].value);
		fprintf(f, "]\n");
		for (k = 0; k < st->ntext; k++)
			wrap(f, "      ", st->text[k], 78);
		for (k = 0; k < st->nverifies; k++) {
			char line[SCRIPT_MAX_LINE + 64];

			snprintf(line, sizeof line, "[ ] BEFORE the action: %s",
			    st->verifies[k]);
			wrap(f, "      ", line, 78);
			fprintf(f, "          confirmed by %s: initials ______\n",
			    script_witness(s, st));
		}
		for (k = 0; k < st->nchecks; k++) {
			char line[SCRIPT_MAX_LINE + 64];

			snprintf(line, sizeof line, "[ ] %s", st->checks[k]);
			wrap(f, "      ", line, 78);
			fprintf(f, "          confirmed by %s: initials ______\n",
			    script_witness(s, st));
		}
		if (st->action == SA_GENERATE_ROOT)
			fingerprint_blanks(f, "Root certificate fingerprint");
		else if (st->action == SA_RENEW_ROOT)
			fingerprint_blanks(f, "Renewed root certificate "
			    "fingerprint");
		else if (st->action == SA_ROLLOVER)
			fingerprint_blanks(f, "New root certificate "
			    "fingerprint");
		else if (st->action == SA_CONFIRM_FINGERPRINT) {
			const char *of = script_param(st, "of");
			fingerprint_blanks(f, strcmp(of, "root") == 0 ?
			    "Root certificate fingerprint" : strcmp(of,
			    "bundle") == 0 ? "Bundle MANIFEST fingerprint" :
			    "CRL fingerprint");
		} else if (st->action == SA_SIGN_CSRS)
			fingerprint_blanks(f, "CSR fingerprint (one per CSR)");
		else if (st->action == SA_RESHARE)
			fprintf(f, "\n      New share set, first 8 hex digits as "
			    "shown on screen: ____ ____\n");
		else if (st->action == SA_MIGRATE)
			fprintf(f, "\n      Token label and serial as shown on "
			    "screen: ______________ ________________\n");
		fprintf(f, "      Exceptions: ____________________________"
		    "______________________________\n");
		fprintf(f, "%s\n", RULE);
	}
	fprintf(f, "\nCLOSING\n");
	fprintf(f, "Transcript final hash  ____ ____ ____ ____  ____ ____ "
	    "____ ____\n");
	fprintf(f, "                       ____ ____ ____ ____  ____ ____ "
	    "____ ____\n");
	fprintf(f, "Signed: Ceremony Administrator ______________  Witness "
	    "______________\n");
	return ferror(f) ? err_set(OR_E_IO, "writing the printout") : OR_OK;
}
