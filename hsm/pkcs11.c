/*
 * pkcs11.c — the PKCS#11 key store (pkcs11.h): the root key is generated
 * on a token with C_GenerateKeyPair and never leaves it.  The engine hands
 * us a message; we hash it with OpenSSL (or let the token hash it), have
 * the token sign with C_Sign, turn the token's raw ECDSA r||s into the DER
 * that X.509 uses, and verify every signature with the public key before
 * it leaves this file.  No OpenSSL ENGINE.
 *
 * Modules are loaded and initialised by p11-kit (the configured ones, or
 * one by path), tokens and keys are named by RFC 7512 URIs that p11-kit
 * parses and matches.  Every CK_RV is translated here, once, into an
 * or_err with p11_kit_strerror's text and the CKR_ name.  PINs come
 * through struct interact into sodium_malloc memory and are wiped after
 * C_Login (kept only for keys that demand a login per signature).
 *
 * Layout, in file order: the CK_RV table and its one translation
 * (errors); modules, URIs, tokens, login, objects and their attributes,
 * mechanisms and the ECDSA conversion, each on its own; the key store's
 * state; then a section per entry point, each a short function over
 * static steps: generating a key pair (spec, checks, templates, the
 * token's C_GenerateKeyPair, read-back), opening a key (the private key,
 * its public half), signing (a plan of digest, mechanism and input; the
 * token; DER; our own verification), the key reference file, and listing
 * (module, slot, token, objects).
 *
 * What a token answered (its mechanisms, PIN flags, serial, attributes a
 * new key did not get) is kept in the slot's quirks table, and the
 * choices that depend on the module read it there (p11quirks.c).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "err.h"
#include "interact.h"
#include "keystore.h"
#include "pkcs11.h"
#include "secret.h"
#include "util.h"

/* Last: p11-kit's pkcs11.h defines compatibility macros ("value", "count",
 * "params", "slot_id"...) that would rename identifiers in other headers. */
#include <p11-kit/p11-kit.h>
#include <p11-kit/uri.h>

#include "p11quirks.h"

#define PKCS11_MAX_SLOTS	256
#define PKCS11_MAX_OBJECTS	4096
#define PKCS11_SIG_MAX		1024	/* RSA-8192; ECDSA P-521 is 132 */
#define PKCS11_NEW_ID_LEN	16

/* DER of the named curves' OIDs, as CKA_EC_PARAMS holds them. */
static const unsigned char pkcs11_oid_p256[] = {
	0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07 };
static const unsigned char pkcs11_oid_p384[] = {
	0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x22 };
static const unsigned char pkcs11_oid_ed25519[] = {
	0x06, 0x03, 0x2b, 0x65, 0x70 };
/* PKCS#11 3.0 also allows the curve's name as a PrintableString. */
static const unsigned char pkcs11_name_ed25519[] = {
	0x13, 0x0c, 'e', 'd', 'w', 'a', 'r', 'd', 's', '2', '5', '5', '1', '9' };

/* DigestInfo prefixes (RFC 8017, 9.2 note 1), for CKM_RSA_PKCS. */
static const unsigned char pkcs11_di_sha256[] = {
	0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03,
	0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20 };
static const unsigned char pkcs11_di_sha384[] = {
	0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03,
	0x04, 0x02, 0x02, 0x05, 0x00, 0x04, 0x30 };
static const unsigned char pkcs11_di_sha512[] = {
	0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03,
	0x04, 0x02, 0x03, 0x05, 0x00, 0x04, 0x40 };

static const struct {
	const char *name;		/* OpenSSL's digest name */
	CK_MECHANISM_TYPE rsa_mech;	/* hash-and-sign on the token */
	const unsigned char *prefix;	/* DigestInfo for CKM_RSA_PKCS */
	size_t prefix_len;
	CK_MECHANISM_TYPE hash;		/* RSA-PSS: the hash ... */
	CK_RSA_PKCS_MGF_TYPE mgf;	/* ... MGF1 with it */
	CK_MECHANISM_TYPE pss_mech;	/* RSA-PSS hash-and-sign */
} pkcs11_digests[] = {
	{ "sha256", CKM_SHA256_RSA_PKCS, pkcs11_di_sha256,
	    sizeof pkcs11_di_sha256, CKM_SHA256, CKG_MGF1_SHA256,
	    CKM_SHA256_RSA_PKCS_PSS },
	{ "sha384", CKM_SHA384_RSA_PKCS, pkcs11_di_sha384,
	    sizeof pkcs11_di_sha384, CKM_SHA384, CKG_MGF1_SHA384,
	    CKM_SHA384_RSA_PKCS_PSS },
	{ "sha512", CKM_SHA512_RSA_PKCS, pkcs11_di_sha512,
	    sizeof pkcs11_di_sha512, CKM_SHA512, CKG_MGF1_SHA512,
	    CKM_SHA512_RSA_PKCS_PSS },
};
#define PKCS11_NDIGESTS	(sizeof pkcs11_digests / sizeof pkcs11_digests[0])
_Static_assert(PKCS11_NDIGESTS == P11Q_NDIGESTS, "p11quirks.h: the digests");

/* The modules in use: p11-kit's configured set, or one loaded by path. */
struct pkcs11_mods {
	CK_FUNCTION_LIST **list;	/* NULL-terminated */
	CK_FUNCTION_LIST *one[2];
	bool configured;
	char path[PATH_MAX];		/* "" for the configured set */
};

/* A present token. */
struct pkcs11_slot {
	CK_FUNCTION_LIST *fn;
	CK_SLOT_ID id;
	CK_TOKEN_INFO tok;
	char label[33];			/* trimmed, printable */
	struct p11quirks q;		/* what its answers taught us */
};

/* The back end's state behind struct keystore. */
struct pkcs11_key {
	struct pkcs11_mods mods;
	struct pkcs11_slot slot;
	CK_SESSION_HANDLE session;
	bool have_session, logged_in;
	CK_OBJECT_HANDLE priv, pubobj;
	bool have_pubobj;
	bool always_auth;
	struct secret *pin;		/* only for CKA_ALWAYS_AUTHENTICATE */
	bool discarded;
	struct pkcs11_keyinfo info;
};

static int pkcs11_sign(struct keystore *, const char *,
    const unsigned char *, size_t, unsigned char **, size_t *);
static int pkcs11_sign_pss(struct keystore *, const char *,
    const unsigned char *, size_t, unsigned char **, size_t *);
static int pkcs11_sign_digest(struct keystore *, const char *,
    const unsigned char *, size_t, unsigned char **, size_t *);
static bool pkcs11_can_sign_digest(const struct keystore *, const char *);
static void pkcs11_close(struct keystore *);

static const struct keystore_ops pkcs11_ops = {
	.name = "pkcs11",
	.sign = pkcs11_sign,
	.sign_pss = pkcs11_sign_pss,
	.sign_digest = pkcs11_sign_digest,
	.can_sign_digest = pkcs11_can_sign_digest,
	.close = pkcs11_close,
};

/* ---- errors ---- */

static const struct {
	CK_RV rv;
	const char *name;
	int code;
} pkcs11_rvs[] = {
	{ CKR_OK, "CKR_OK", OR_OK },
	{ CKR_CANCEL, "CKR_CANCEL", OR_E_CANCEL },
	{ CKR_HOST_MEMORY, "CKR_HOST_MEMORY", OR_E_NOMEM },
	{ CKR_SLOT_ID_INVALID, "CKR_SLOT_ID_INVALID", OR_E_ENV },
	{ CKR_GENERAL_ERROR, "CKR_GENERAL_ERROR", OR_E_ENV },
	{ CKR_FUNCTION_FAILED, "CKR_FUNCTION_FAILED", OR_E_ENV },
	{ CKR_ARGUMENTS_BAD, "CKR_ARGUMENTS_BAD", OR_E_INPUT },
	{ CKR_ATTRIBUTE_SENSITIVE, "CKR_ATTRIBUTE_SENSITIVE", OR_E_INPUT },
	{ CKR_ATTRIBUTE_TYPE_INVALID, "CKR_ATTRIBUTE_TYPE_INVALID",
	    OR_E_INPUT },
	{ CKR_ATTRIBUTE_VALUE_INVALID, "CKR_ATTRIBUTE_VALUE_INVALID",
	    OR_E_INPUT },
	{ CKR_DATA_LEN_RANGE, "CKR_DATA_LEN_RANGE", OR_E_INPUT },
	{ CKR_DEVICE_ERROR, "CKR_DEVICE_ERROR", OR_E_ENV },
	{ CKR_DEVICE_MEMORY, "CKR_DEVICE_MEMORY", OR_E_ENV },
	{ CKR_DEVICE_REMOVED, "CKR_DEVICE_REMOVED", OR_E_ENV },
	{ CKR_FUNCTION_CANCELED, "CKR_FUNCTION_CANCELED", OR_E_CANCEL },
	{ CKR_FUNCTION_NOT_SUPPORTED, "CKR_FUNCTION_NOT_SUPPORTED",
	    OR_E_INPUT },
	{ CKR_KEY_HANDLE_INVALID, "CKR_KEY_HANDLE_INVALID", OR_E_ENV },
	{ CKR_KEY_SIZE_RANGE, "CKR_KEY_SIZE_RANGE", OR_E_INPUT },
	{ CKR_KEY_TYPE_INCONSISTENT, "CKR_KEY_TYPE_INCONSISTENT", OR_E_INPUT },
	{ CKR_KEY_FUNCTION_NOT_PERMITTED, "CKR_KEY_FUNCTION_NOT_PERMITTED",
	    OR_E_INPUT },
	{ CKR_MECHANISM_INVALID, "CKR_MECHANISM_INVALID", OR_E_INPUT },
	{ CKR_MECHANISM_PARAM_INVALID, "CKR_MECHANISM_PARAM_INVALID",
	    OR_E_INPUT },
	{ CKR_OBJECT_HANDLE_INVALID, "CKR_OBJECT_HANDLE_INVALID", OR_E_ENV },
	{ CKR_OPERATION_ACTIVE, "CKR_OPERATION_ACTIVE", OR_E_ENV },
	{ CKR_OPERATION_NOT_INITIALIZED, "CKR_OPERATION_NOT_INITIALIZED",
	    OR_E_ENV },
	{ CKR_PIN_INCORRECT, "CKR_PIN_INCORRECT", OR_E_AUTH },
	{ CKR_PIN_INVALID, "CKR_PIN_INVALID", OR_E_AUTH },
	{ CKR_PIN_LEN_RANGE, "CKR_PIN_LEN_RANGE", OR_E_AUTH },
	{ CKR_PIN_EXPIRED, "CKR_PIN_EXPIRED", OR_E_AUTH },
	{ CKR_PIN_LOCKED, "CKR_PIN_LOCKED", OR_E_AUTH },
	{ CKR_SESSION_CLOSED, "CKR_SESSION_CLOSED", OR_E_ENV },
	{ CKR_SESSION_COUNT, "CKR_SESSION_COUNT", OR_E_ENV },
	{ CKR_SESSION_HANDLE_INVALID, "CKR_SESSION_HANDLE_INVALID", OR_E_ENV },
	{ CKR_SESSION_READ_ONLY, "CKR_SESSION_READ_ONLY", OR_E_ENV },
	{ CKR_SIGNATURE_INVALID, "CKR_SIGNATURE_INVALID", OR_E_VERIFY },
	{ CKR_TEMPLATE_INCOMPLETE, "CKR_TEMPLATE_INCOMPLETE", OR_E_INPUT },
	{ CKR_TEMPLATE_INCONSISTENT, "CKR_TEMPLATE_INCONSISTENT", OR_E_INPUT },
	{ CKR_TOKEN_NOT_PRESENT, "CKR_TOKEN_NOT_PRESENT", OR_E_ENV },
	{ CKR_TOKEN_NOT_RECOGNIZED, "CKR_TOKEN_NOT_RECOGNIZED", OR_E_ENV },
	{ CKR_TOKEN_WRITE_PROTECTED, "CKR_TOKEN_WRITE_PROTECTED", OR_E_ENV },
	{ CKR_USER_ALREADY_LOGGED_IN, "CKR_USER_ALREADY_LOGGED_IN", OR_OK },
	{ CKR_USER_NOT_LOGGED_IN, "CKR_USER_NOT_LOGGED_IN", OR_E_AUTH },
	{ CKR_USER_PIN_NOT_INITIALIZED, "CKR_USER_PIN_NOT_INITIALIZED",
	    OR_E_AUTH },
	{ CKR_USER_TYPE_INVALID, "CKR_USER_TYPE_INVALID", OR_E_AUTH },
	{ CKR_BUFFER_TOO_SMALL, "CKR_BUFFER_TOO_SMALL", OR_E_ENV },
	{ CKR_CRYPTOKI_NOT_INITIALIZED, "CKR_CRYPTOKI_NOT_INITIALIZED",
	    OR_E_ENV },
};
#define PKCS11_NRVS	(sizeof pkcs11_rvs / sizeof pkcs11_rvs[0])

const char *
pkcs11_rv_name(unsigned long rv, char *buf, size_t size)
{
	size_t i;

	for (i = 0; i < PKCS11_NRVS; i++)
		if (pkcs11_rvs[i].rv == rv)
			return pkcs11_rvs[i].name;
	snprintf(buf, size, "CKR_0x%08lX", rv);
	return buf;
}

int
pkcs11_rv_code(unsigned long rv)
{
	size_t i;

	for (i = 0; i < PKCS11_NRVS; i++)
		if (pkcs11_rvs[i].rv == rv)
			return pkcs11_rvs[i].code;
	/* Vendor-defined and unknown codes: the token or module failed. */
	return OR_E_ENV;
}

/* err_set for a CK_RV: "what: the token's reason (CKR_NAME)". */
static int __attribute__((format(printf, 2, 3)))
pkcs11_rv_err(CK_RV rv, const char *fmt, ...)
{
	char what[512], nbuf[32];
	const char *reason;
	va_list ap;
	int code;

	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	if ((code = pkcs11_rv_code(rv)) == OR_OK)
		code = OR_E_ENV;
	reason = p11_kit_strerror(rv);
	return err_set(code, "%s: %s (%s)", what,
	    reason != NULL ? reason : "unknown error",
	    pkcs11_rv_name(rv, nbuf, sizeof nbuf));
}

static const char *
pkcs11_p11msg(void)
{
	const char *m = p11_kit_message();

	return m != NULL && *m != '\0' ? m : "no reason given";
}

/* ---- small helpers ---- */

/* A space-padded PKCS#11 string, trimmed and made printable. */
static void
pkcs11_trim(const unsigned char *src, size_t n, char *dst, size_t size)
{
	size_t i, len = 0;

	while (n > 0 && (src[n - 1] == ' ' || src[n - 1] == '\0'))
		n--;
	for (i = 0; i < n && len + 1 < size; i++)
		dst[len++] = src[i] >= 0x20 && src[i] < 0x7f ? (char)src[i] :
		    '?';
	dst[len] = '\0';
}

static void
pkcs11_say(struct interact *io, enum say_level level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
pkcs11_say(struct interact *io, enum say_level level, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	if (io == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	io->say(io, level, buf);
}

/* ---- modules ---- */

static int
pkcs11_load(const char *module, struct pkcs11_mods *m)
{
	CK_RV rv;

	memset(m, 0, sizeof *m);
	/* p11-kit reports through p11_kit_message(), not on our terminal. */
	p11_kit_be_quiet();
	if (module == NULL || *module == '\0') {
		if ((m->list = p11_kit_modules_load_and_initialize(0)) == NULL)
			return err_set(OR_E_ENV, "cannot load the PKCS#11 "
			    "modules p11-kit is configured with: %s",
			    pkcs11_p11msg());
		m->configured = true;
		return OR_OK;
	}
	if (module[0] != '/')
		return err_set(OR_E_USAGE, "--module: give the module's "
		    "absolute path, not \"%s\"", module);
	if (strlen(module) >= sizeof m->path)
		return err_set(OR_E_USAGE, "--module: path too long");
	if (access(module, R_OK) == -1)
		return err_errno(OR_E_ENV, "PKCS#11 module %s", module);
	if ((m->one[0] = p11_kit_module_load(module, 0)) == NULL)
		return err_set(OR_E_ENV, "cannot load PKCS#11 module %s: %s",
		    module, pkcs11_p11msg());
	if ((rv = p11_kit_module_initialize(m->one[0])) != CKR_OK) {
		p11_kit_module_release(m->one[0]);
		m->one[0] = NULL;
		return pkcs11_rv_err(rv, "initialising PKCS#11 module %s",
		    module);
	}
	m->list = m->one;
	snprintf(m->path, sizeof m->path, "%s", module);
	return OR_OK;
}

static void
pkcs11_unload(struct pkcs11_mods *m)
{
	if (m->list == NULL)
		return;
	if (m->configured)
		p11_kit_modules_finalize_and_release(m->list);
	else {
		p11_kit_module_finalize(m->one[0]);
		p11_kit_module_release(m->one[0]);
	}
	m->list = NULL;
}

/* Whether the URI's module-name / module-path query names fn. */
static bool
pkcs11_match_module(P11KitUri *uri, CK_FUNCTION_LIST *fn)
{
	const char *want;
	char *have;
	bool ok = true;

	if ((want = p11_kit_uri_get_module_name(uri)) != NULL) {
		have = p11_kit_module_get_name(fn);
		ok = have != NULL && strcmp(have, want) == 0;
		free(have);
	}
	if (ok && (want = p11_kit_uri_get_module_path(uri)) != NULL) {
		have = p11_kit_module_get_filename(fn);
		ok = have != NULL && strcmp(have, want) == 0;
		free(have);
	}
	return ok;
}

/* ---- URIs ---- */

/* RFC 7512: an attribute appears at most once.  p11-kit lets a later one
 * win, which would let "token=a;...;token=b" read as b: refuse it.  text
 * is the URI after "pkcs11:" (at most PKCS11_URI_MAX bytes). */
static bool
pkcs11_uri_repeats(const char *text)
{
	struct {
		const char *p;
		size_t len;
	} name[PKCS11_URI_MAX / 2 + 1];
	const char *p = text;
	size_t n = 0, i, k;

	while (*p != '\0' && n < sizeof name / sizeof name[0]) {
		k = strcspn(p, ";?&");
		name[n].p = p;
		name[n].len = strcspn(p, "=;?&");
		for (i = 0; i < n && name[n].len > 0; i++)
			if (name[i].len == name[n].len &&
			    memcmp(name[i].p, p, name[n].len) == 0)
				return true;
		n++;
		p += k;
		if (*p != '\0')
			p++;
	}
	return false;
}

static int
pkcs11_uri_parse(const char *text, enum pkcs11_uri_kind kind,
    P11KitUri **out)
{
	P11KitUri *uri = NULL;
	CK_ATTRIBUTE *a;
	CK_OBJECT_CLASS cls;
	CK_ULONG n = 0, i;
	bool named = false;
	const char *msg;
	int r, rc;

	*out = NULL;
	if (text == NULL || strncmp(text, P11_KIT_URI_SCHEME ":",
	    P11_KIT_URI_SCHEME_LEN + 1) != 0)
		return err_set(OR_E_USAGE, "\"%s\" is not a pkcs11: URI "
		    "(RFC 7512), such as pkcs11:token=root-ca",
		    text != NULL ? text : "");
	if (strlen(text) >= PKCS11_URI_MAX)
		return err_set(OR_E_USAGE, "the pkcs11: URI is too long");
	if ((uri = p11_kit_uri_new()) == NULL)
		return err_set(OR_E_NOMEM, "out of memory");
	if ((r = p11_kit_uri_parse(text, P11_KIT_URI_FOR_ANY, uri)) !=
	    P11_KIT_URI_OK) {
		msg = p11_kit_uri_message(r);
		rc = err_set(OR_E_USAGE, "%s: %s", text, msg != NULL ? msg :
		    "not a valid pkcs11: URI");
		goto out;
	}
	if (pkcs11_uri_repeats(text + P11_KIT_URI_SCHEME_LEN + 1)) {
		rc = err_set(OR_E_USAGE, "%s: an attribute given twice", text);
		goto out;
	}
	if (p11_kit_uri_any_unrecognized(uri)) {
		rc = err_set(OR_E_USAGE, "%s: an attribute p11-kit does not "
		    "know (a typo would match more than meant)", text);
		goto out;
	}
	if (p11_kit_uri_get_pin_value(uri) != NULL ||
	    p11_kit_uri_get_pin_source(uri) != NULL) {
		rc = err_set(OR_E_USAGE, "%s carries a PIN: a PIN is typed on "
		    "the terminal or read with --pin-file, never put in a URI",
		    text);
		goto out;
	}
	a = p11_kit_uri_get_attributes(uri, &n);
	if (kind == PKCS11_URI_TOKEN && n > 0) {
		rc = err_set(OR_E_USAGE, "%s names an object: --token takes a "
		    "token's URI (a new key's label is --label, an existing "
		    "key is --key-uri)", text);
		goto out;
	}
	if (kind == PKCS11_URI_KEY) {
		for (i = 0; i < n; i++) {
			if (a[i].type == CKA_ID || a[i].type == CKA_LABEL)
				named = true;
			if (a[i].type == CKA_CLASS &&
			    a[i].ulValueLen == sizeof cls) {
				memcpy(&cls, a[i].pValue, sizeof cls);
				if (cls != CKO_PRIVATE_KEY) {
					rc = err_set(OR_E_USAGE, "%s: a key URI "
					    "names the private key "
					    "(type=private)", text);
					goto out;
				}
			}
		}
		if (!named) {
			rc = err_set(OR_E_USAGE, "%s names no key: give its "
			    "object= label or id= (\"offroot tokens\" lists "
			    "them)", text);
			goto out;
		}
	}
	*out = uri;
	uri = NULL;
	rc = OR_OK;
out:
	if (uri != NULL)
		p11_kit_uri_free(uri);
	return rc;
}

int
pkcs11_uri_check(const char *text, enum pkcs11_uri_kind kind)
{
	P11KitUri *uri = NULL;
	int rc;

	if ((rc = pkcs11_uri_parse(text, kind, &uri)) == OR_OK)
		p11_kit_uri_free(uri);
	return rc;
}

/* A URI for an object of class cls; token: the full token info, or NULL
 * and just a label. */
static int
pkcs11_object_uri(const CK_TOKEN_INFO *token, const char *token_label,
    CK_OBJECT_CLASS cls, const unsigned char *id, size_t idlen,
    const char *label, char *out, size_t size)
{
	P11KitUri *uri;
	CK_TOKEN_INFO *ti;
	CK_ATTRIBUTE a;
	char *s = NULL;
	size_t n;
	int rc;

	if ((uri = p11_kit_uri_new()) == NULL)
		return err_set(OR_E_NOMEM, "out of memory");
	ti = p11_kit_uri_get_token_info(uri);
	if (token != NULL)
		*ti = *token;
	else if (token_label != NULL) {
		if ((n = strlen(token_label)) > sizeof ti->label) {
			rc = err_set(OR_E_INPUT, "token label too long");
			goto out;
		}
		memset(ti->label, ' ', sizeof ti->label);
		memcpy(ti->label, token_label, n);
	}
	a.type = CKA_CLASS;
	a.pValue = &cls;
	a.ulValueLen = sizeof cls;
	p11_kit_uri_set_attribute(uri, &a);
	if (idlen > 0) {
		a.type = CKA_ID;
		a.pValue = (void *)id;
		a.ulValueLen = idlen;
		p11_kit_uri_set_attribute(uri, &a);
	}
	if (label != NULL && *label != '\0') {
		a.type = CKA_LABEL;
		a.pValue = (void *)label;
		a.ulValueLen = strlen(label);
		p11_kit_uri_set_attribute(uri, &a);
	}
	if (p11_kit_uri_format(uri, P11_KIT_URI_FOR_OBJECT_ON_TOKEN, &s) !=
	    P11_KIT_URI_OK || s == NULL) {
		rc = err_set(OR_E_NOMEM, "formatting a pkcs11: URI");
		goto out;
	}
	if (strlen(s) >= size) {
		rc = err_set(OR_E_INPUT, "the key's pkcs11: URI is too long");
		goto out;
	}
	snprintf(out, size, "%s", s);
	rc = OR_OK;
out:
	free(s);
	p11_kit_uri_free(uri);
	return rc;
}

int
pkcs11_key_uri(const char *token_label, const unsigned char *id,
    size_t idlen, const char *label, char *out, size_t size)
{
	return pkcs11_object_uri(NULL, token_label, CKO_PRIVATE_KEY, id, idlen,
	    label, out, size);
}

/* ---- tokens ---- */

static bool
pkcs11_slot_matches(P11KitUri *uri, CK_SLOT_ID id, CK_SLOT_INFO *si)
{
	CK_SLOT_ID want;

	if (uri == NULL)
		return true;
	want = p11_kit_uri_get_slot_id(uri);
	if (want != (CK_SLOT_ID)-1 && want != id)
		return false;
	return p11_kit_uri_match_slot_info(uri, si) != 0;
}

/* The slot ids of fn: all, or only those with a token. */
static int
pkcs11_slot_list(CK_FUNCTION_LIST *fn, bool present, CK_SLOT_ID **out,
    CK_ULONG *n)
{
	CK_SLOT_ID *ids = NULL;
	CK_ULONG want = 0;
	CK_RV rv;
	int tries;

	*out = NULL;
	*n = 0;
	for (tries = 0; tries < 3; tries++) {
		if ((rv = fn->C_GetSlotList(present ? CK_TRUE : CK_FALSE, NULL,
		    &want)) != CKR_OK)
			return pkcs11_rv_err(rv, "listing PKCS#11 slots");
		if (want > PKCS11_MAX_SLOTS)
			return err_set(OR_E_ENV, "a PKCS#11 module reports %lu "
			    "slots", (unsigned long)want);
		free(ids);
		if ((ids = calloc(want + 1, sizeof *ids)) == NULL)
			return err_set(OR_E_NOMEM, "out of memory");
		rv = fn->C_GetSlotList(present ? CK_TRUE : CK_FALSE, ids,
		    &want);
		if (rv == CKR_OK) {
			*out = ids;
			*n = want;
			return OR_OK;
		}
		if (rv != CKR_BUFFER_TOO_SMALL)
			break;
	}
	free(ids);
	return pkcs11_rv_err(rv, "listing PKCS#11 slots");
}

/* The present tokens that uri matches (every one when uri is NULL). */
static int
pkcs11_tokens(struct pkcs11_mods *m, P11KitUri *uri, struct pkcs11_slot **out,
    size_t *nout)
{
	struct pkcs11_slot *v = NULL, *nv;
	CK_FUNCTION_LIST *fn;
	CK_SLOT_ID *ids = NULL;
	CK_SLOT_INFO si;
	CK_TOKEN_INFO ti;
	CK_INFO info;
	CK_ULONG ns, j;
	CK_RV rv;
	size_t i, n = 0;
	int rc;

	*out = NULL;
	*nout = 0;
	for (i = 0; m->list[i] != NULL; i++) {
		fn = m->list[i];
		if ((rv = fn->C_GetInfo(&info)) != CKR_OK) {
			rc = pkcs11_rv_err(rv, "asking a PKCS#11 module about "
			    "itself");
			goto out;
		}
		if (uri != NULL && (!p11_kit_uri_match_module_info(uri, &info) ||
		    !pkcs11_match_module(uri, fn)))
			continue;
		free(ids);
		ids = NULL;
		if ((rc = pkcs11_slot_list(fn, true, &ids, &ns)) != OR_OK)
			goto out;
		for (j = 0; j < ns; j++) {
			if ((rv = fn->C_GetSlotInfo(ids[j], &si)) != CKR_OK) {
				rc = pkcs11_rv_err(rv, "reading slot %lu",
				    (unsigned long)ids[j]);
				goto out;
			}
			if (!pkcs11_slot_matches(uri, ids[j], &si))
				continue;
			rv = fn->C_GetTokenInfo(ids[j], &ti);
			if (rv == CKR_TOKEN_NOT_PRESENT ||
			    rv == CKR_TOKEN_NOT_RECOGNIZED)
				continue;
			if (rv != CKR_OK) {
				rc = pkcs11_rv_err(rv, "reading the token in "
				    "slot %lu", (unsigned long)ids[j]);
				goto out;
			}
			if (uri != NULL && !p11_kit_uri_match_token_info(uri,
			    &ti))
				continue;
			if ((nv = realloc(v, (n + 1) * sizeof *v)) == NULL) {
				rc = err_set(OR_E_NOMEM, "out of memory");
				goto out;
			}
			v = nv;
			memset(&v[n], 0, sizeof v[n]);
			v[n].fn = fn;
			v[n].id = ids[j];
			v[n].tok = ti;
			pkcs11_trim(ti.label, sizeof ti.label, v[n].label,
			    sizeof v[n].label);
			n++;
		}
	}
	*out = v;
	*nout = n;
	v = NULL;
	rc = OR_OK;
out:
	free(ids);
	free(v);
	return rc;
}

/* Exactly one present token that uri matches. */
static int
pkcs11_one_token(struct pkcs11_mods *m, P11KitUri *uri, const char *text,
    struct pkcs11_slot *out)
{
	struct pkcs11_slot *v = NULL;
	char serial[17];
	size_t n = 0;
	int rc;

	if ((rc = pkcs11_tokens(m, uri, &v, &n)) != OR_OK)
		return rc;
	if (n == 0)
		rc = err_set(OR_E_ENV, "no token matches %s%s%s (is it "
		    "plugged in? \"offroot tokens\" lists the tokens present)",
		    text, m->configured ? "" : " in ", m->path);
	else if (n > 1) {
		pkcs11_trim(v[1].tok.serialNumber, sizeof v[1].tok.serialNumber,
		    serial, sizeof serial);
		rc = err_set(OR_E_INPUT, "%s matches %zu tokens (\"%s\", \"%s\""
		    "%s): name one, for instance with serial=%s", text, n,
		    v[0].label, v[1].label, n > 2 ? ", ..." : "", serial);
	} else {
		*out = v[0];
		rc = OR_OK;
	}
	free(v);
	return rc;
}

/* ---- sessions and login ---- */

/*
 * A token on its final PIN attempt: one wrong PIN locks it, and only the
 * security officer can unlock it.  No PIN is tried unless the officer says
 * so (the terminal, --yes, or the ceremony's answers).
 */
static int
pkcs11_final_try(struct pkcs11_slot *s, struct interact *io)
{
	char q[256];
	bool yes = false;
	int rc;

	pkcs11_say(io, SAY_WARN, "token \"%s\" has ONE PIN attempt left "
	    "(PIN-final-try): a wrong PIN now locks it, and only the security "
	    "officer PIN can unlock it", s->label);
	snprintf(q, sizeof q, "Token \"%s\" has one PIN attempt left and a "
	    "wrong PIN locks it. Try the PIN now?", s->label);
	if (io == NULL || (rc = io->confirm(io, q, &yes)) != OR_OK)
		return err_set(OR_E_AUTH, "token \"%s\" has ONE PIN attempt "
		    "left: no PIN is tried on it without the officer's "
		    "confirmation (answer on the terminal, or with --yes); "
		    "nothing was done", s->label);
	if (!yes)
		return err_set(OR_E_CANCEL, "token \"%s\": the officer chose "
		    "not to spend its final PIN attempt; nothing was done",
		    s->label);
	return OR_OK;
}

/*
 * Before the first login on a token whose flags say nothing of failed PIN
 * tries (its quirks table: unknown): the officer hears that offroot may
 * not be able to warn before it locks.  Once per opened token.
 */
static void
pkcs11_pins_unknown(struct pkcs11_slot *s, struct interact *io)
{
	if (s->q.pins != P11Q_PINS_UNKNOWN || s->q.told_pins)
		return;
	s->q.told_pins = true;
	pkcs11_say(io, SAY_WARN, "token \"%s\" reports no count of failed "
	    "PIN tries (no PIN-count-low, final-try or locked flag): if it "
	    "keeps none, offroot cannot warn before it locks, and a TPM may "
	    "lock the whole chip after a few wrong PINs; make sure of the PIN "
	    "before it is tried", s->label);
}

/*
 * After a wrong PIN on a token that then reported no count (blind): no
 * other PIN is tried unless the officer types "try".  The question is an
 * ask, not a confirm, so that no blanket yes (--yes, an answers file's
 * confirm-all) answers it; a PIN read from a file is never tried twice
 * anyway (pkcs11_login_once).  rc is the wrong PIN's error; the officer's
 * choice goes to the transcript as a note when a ceremony takes them.
 */
static int
pkcs11_blind_retry(struct pkcs11_slot *s, struct interact *io, int rc)
{
	char q[512], a[16] = "", why[1024];

	snprintf(why, sizeof why, "%s", err_msg(rc));
	snprintf(q, sizeof q, "Wrong PIN. Token \"%s\" reports no count of "
	    "failed PIN tries, and a TPM may lock the whole chip after a few "
	    "wrong PINs. Type \"try\" to try another PIN, or nothing to stop",
	    s->label);
	if (io == NULL || io->ask(io, q, a, sizeof a) != OR_OK ||
	    strcasecmp(a, "try") != 0) {
		if (io != NULL && io->note != NULL)
			io->note(io->note_ctx, "wrong PIN on a token that "
			    "reports no failed-PIN count: the officer stopped "
			    "after one try");
		return err_set(OR_E_AUTH, "%s; stopped after one wrong PIN on a "
		    "token that counts no failed tries (no other PIN was "
		    "tried: the officer did not type \"try\")", why);
	}
	if (io->note != NULL)
		io->note(io->note_ctx, "wrong PIN on a token that reports no "
		    "failed-PIN count: the officer chose to try another PIN");
	pkcs11_say(io, SAY_WARN, "token \"%s\": another PIN is tried, at the "
	    "officer's word", s->label);
	return OR_OK;
}

/*
 * Logs the user in on session h, asking the PIN through io (or using the
 * reader's PIN pad).  Refuses a locked PIN without trying it, warns when
 * the token reports failed attempts, and tries the final attempt only
 * when the officer confirms (pkcs11_final_try).
 * *keep, when not NULL, receives the PIN (for per-signature logins).
 */
static int
pkcs11_login_once(struct pkcs11_slot *s, CK_SESSION_HANDLE h,
    struct interact *io, const char *why, struct secret **keep, bool *again)
{
	struct secret *pin = NULL;
	CK_TOKEN_INFO ti;
	char prompt[512];
	const char *after = "";
	CK_RV rv;
	int rc;

	*again = false;
	if (keep != NULL)
		*keep = NULL;
	if ((rv = s->fn->C_GetTokenInfo(s->id, &ti)) != CKR_OK)
		return pkcs11_rv_err(rv, "token \"%s\"", s->label);
	s->tok = ti;
	p11q_token_info(&s->q, &ti);
	if (!(ti.flags & CKF_LOGIN_REQUIRED))
		return OR_OK;
	if (ti.flags & CKF_USER_PIN_LOCKED)
		return err_set(OR_E_AUTH, "the user PIN of token \"%s\" is "
		    "locked: it must be reset with the SO PIN by the vendor's "
		    "procedure; nothing was done", s->label);
	if (!(ti.flags & CKF_USER_PIN_INITIALIZED))
		return err_set(OR_E_ENV, "token \"%s\" has no user PIN yet: "
		    "initialise it first", s->label);
	if (ti.flags & CKF_USER_PIN_FINAL_TRY) {
		if ((rc = pkcs11_final_try(s, io)) != OR_OK)
			return rc;
	} else if (ti.flags & CKF_USER_PIN_COUNT_LOW)
		pkcs11_say(io, SAY_WARN, "token \"%s\" reports failed PIN "
		    "attempts (PIN-count-low): a few more wrong PINs lock it; "
		    "make sure of the PIN before it is tried", s->label);
	pkcs11_pins_unknown(s, io);
	if (ti.flags & CKF_PROTECTED_AUTHENTICATION_PATH) {
		pkcs11_say(io, SAY_INFO, "enter the PIN of token \"%s\" on "
		    "the reader's PIN pad", s->label);
		rv = s->fn->C_Login(h, CKU_USER, NULL, 0);
	} else {
		snprintf(prompt, sizeof prompt, "%sPIN for token \"%s\"", why,
		    s->label);
		if (io == NULL)
			return err_set(OR_E_ENV, "no way to ask for the PIN");
		if ((rc = io->ask_secret(io, prompt, false, &pin)) != OR_OK)
			return rc;
		rv = s->fn->C_Login(h, CKU_USER, (CK_UTF8CHAR_PTR)pin->buf,
		    (CK_ULONG)pin->len);
	}
	if (rv == CKR_OK || rv == CKR_USER_ALREADY_LOGGED_IN) {
		if (keep != NULL) {
			*keep = pin;
			pin = NULL;
		}
		rc = OR_OK;
		goto out;
	}
	if (s->fn->C_GetTokenInfo(s->id, &ti) == CKR_OK) {
		if (rv == CKR_PIN_INCORRECT)
			p11q_login_failed(&s->q, &ti);
		if (ti.flags & CKF_USER_PIN_LOCKED)
			after = "; the PIN is now LOCKED";
		else if (ti.flags & CKF_USER_PIN_FINAL_TRY)
			after = "; ONE attempt is left before it locks";
		else if (ti.flags & CKF_USER_PIN_COUNT_LOW)
			after = "; the token reports few attempts left "
			    "(PIN-count-low)";
		else if (s->q.pins == P11Q_PINS_BLIND)
			/* The module's answer, not its name: a TPM's module
			 * reports no counters while the chip's lockout
			 * counts. */
			after = "; the token reports no failed-PIN count, so "
			    "offroot cannot warn before it locks: make sure "
			    "of the PIN before trying again";
	}
	/* A PIN typed wrong may be typed again (pkcs11_login), never one
	 * read from a file, nor one on a locked token. */
	*again = rv == CKR_PIN_INCORRECT && pin != NULL && io != NULL &&
	    !io->fixed_secrets && !(ti.flags & CKF_USER_PIN_LOCKED);
	rc = pkcs11_rv_err(rv, "token \"%s\": logging in", s->label);
	if (*after != '\0')	/* err_set formats through a copy */
		err_set(rc, "%s%s", err_msg(rc), after);
out:
	secret_free(pin);
	return rc;
}

/* pkcs11_login_once, asked again after a wrong PIN (INTERACT_TRIES
 * times at most), saying what the token reports of its attempts left; a
 * token on its final attempt asks the officer first again
 * (pkcs11_final_try), and so does one that reports no count at all
 * (pkcs11_blind_retry). */
static int
pkcs11_login(struct pkcs11_slot *s, CK_SESSION_HANDLE h, struct interact *io,
    struct secret **keep)
{
	char why[384] = "";
	bool again = false;
	int t, go, rc = OR_OK;

	for (t = 1; t <= INTERACT_TRIES; t++) {
		if ((rc = pkcs11_login_once(s, h, io, why, keep, &again)) ==
		    OR_OK || !again || t == INTERACT_TRIES)
			return rc;
		if (s->q.pins == P11Q_PINS_BLIND &&
		    (go = pkcs11_blind_retry(s, io, rc)) != OR_OK)
			return go;
		/* In the prompt: a face may cover what was said with it. */
		snprintf(why, sizeof why, "Wrong PIN (%s), %d tr%s left. ",
		    err_msg(rc), INTERACT_TRIES - t, INTERACT_TRIES - t == 1 ?
		    "y" : "ies");
		err_clear();
	}
	return rc;
}

/* ---- objects ---- */

/* Every object matching tmpl (at most PKCS11_MAX_OBJECTS). */
static int
pkcs11_find(struct pkcs11_slot *s, CK_SESSION_HANDLE h, CK_ATTRIBUTE *tmpl,
    CK_ULONG ntmpl, CK_OBJECT_HANDLE **out, size_t *nout)
{
	CK_OBJECT_HANDLE *v = NULL, *nv, chunk[64];
	CK_ULONG got = 0, k;
	size_t n = 0;
	CK_RV rv;
	int rc;

	*out = NULL;
	*nout = 0;
	if ((rv = s->fn->C_FindObjectsInit(h, tmpl, ntmpl)) != CKR_OK)
		return pkcs11_rv_err(rv, "token \"%s\": searching", s->label);
	for (;;) {
		if ((rv = s->fn->C_FindObjects(h, chunk, 64, &got)) != CKR_OK) {
			rc = pkcs11_rv_err(rv, "token \"%s\": searching",
			    s->label);
			goto out;
		}
		if (got == 0)
			break;
		if (n + got > PKCS11_MAX_OBJECTS) {
			rc = err_set(OR_E_ENV, "token \"%s\": more than %d "
			    "objects match", s->label, PKCS11_MAX_OBJECTS);
			goto out;
		}
		if ((nv = realloc(v, (n + got) * sizeof *v)) == NULL) {
			rc = err_set(OR_E_NOMEM, "out of memory");
			goto out;
		}
		v = nv;
		for (k = 0; k < got; k++)
			v[n++] = chunk[k];
	}
	*out = v;
	*nout = n;
	v = NULL;
	rc = OR_OK;
out:
	s->fn->C_FindObjectsFinal(h);
	free(v);
	return rc;
}

/* An attribute's bytes, malloc'd (NUL-terminated for convenience).
 * CKR_ATTRIBUTE_TYPE_INVALID or _SENSITIVE comes back as the rv. */
static CK_RV
pkcs11_attr(struct pkcs11_slot *s, CK_SESSION_HANDLE h, CK_OBJECT_HANDLE o,
    CK_ATTRIBUTE_TYPE type, unsigned char **buf, size_t *len)
{
	CK_ATTRIBUTE a = { type, NULL, 0 };
	CK_RV rv;

	*buf = NULL;
	*len = 0;
	if ((rv = s->fn->C_GetAttributeValue(h, o, &a, 1)) != CKR_OK)
		return rv;
	if (a.ulValueLen == CK_UNAVAILABLE_INFORMATION)
		return CKR_ATTRIBUTE_SENSITIVE;
	if (a.ulValueLen > 65536)
		return CKR_DEVICE_MEMORY;
	if ((a.pValue = *buf = calloc(1, a.ulValueLen + 1)) == NULL)
		return CKR_HOST_MEMORY;
	if ((rv = s->fn->C_GetAttributeValue(h, o, &a, 1)) != CKR_OK) {
		free(*buf);
		*buf = NULL;
		return rv;
	}
	*len = a.ulValueLen;
	return CKR_OK;
}

/* A CK_BBOOL attribute into *v (dflt when the object lacks it).  Only a
 * failing token or session comes back as an error. */
static CK_RV
pkcs11_bool_rv(struct pkcs11_slot *s, CK_SESSION_HANDLE h, CK_OBJECT_HANDLE o,
    CK_ATTRIBUTE_TYPE type, bool dflt, bool *v)
{
	CK_BBOOL b = CK_FALSE;
	CK_ATTRIBUTE a = { type, &b, sizeof b };
	CK_RV rv;

	*v = dflt;
	rv = s->fn->C_GetAttributeValue(h, o, &a, 1);
	if (rv == CKR_OK && a.ulValueLen == sizeof b)
		*v = b == CK_TRUE;
	return rv == CKR_OK || pkcs11_rv_code(rv) != OR_E_ENV ? CKR_OK : rv;
}

static bool
pkcs11_bool(struct pkcs11_slot *s, CK_SESSION_HANDLE h, CK_OBJECT_HANDLE o,
    CK_ATTRIBUTE_TYPE type, bool dflt)
{
	bool v;

	(void)pkcs11_bool_rv(s, h, o, type, dflt, &v);
	return v;
}

static bool
pkcs11_ulong(struct pkcs11_slot *s, CK_SESSION_HANDLE h, CK_OBJECT_HANDLE o,
    CK_ATTRIBUTE_TYPE type, CK_ULONG *v)
{
	CK_ATTRIBUTE a = { type, v, sizeof *v };

	return s->fn->C_GetAttributeValue(h, o, &a, 1) == CKR_OK &&
	    a.ulValueLen == sizeof *v;
}

/* The key's own attributes, read where a failing token must be told from
 * a key that lacks them: the CK_RV of a failing token or session, else
 * CKR_OK with *type (CK_UNAVAILABLE_INFORMATION when unknown) and *sign. */
static CK_RV
pkcs11_key_kind(struct pkcs11_slot *s, CK_SESSION_HANDLE h,
    CK_OBJECT_HANDLE o, CK_KEY_TYPE *type, bool *sign)
{
	CK_ATTRIBUTE a = { CKA_KEY_TYPE, type, sizeof *type };
	CK_RV rv;

	rv = s->fn->C_GetAttributeValue(h, o, &a, 1);
	if (rv != CKR_OK || a.ulValueLen != sizeof *type)
		*type = CK_UNAVAILABLE_INFORMATION;
	if (rv != CKR_OK && pkcs11_rv_code(rv) == OR_E_ENV)
		return rv;
	return pkcs11_bool_rv(s, h, o, CKA_SIGN, false, sign);
}

/* The key type that CKA_EC_PARAMS names (KT_NONE for other curves). */
static enum keytype
pkcs11_curve(const unsigned char *p, size_t len)
{
	if (len == sizeof pkcs11_oid_p256 &&
	    memcmp(p, pkcs11_oid_p256, len) == 0)
		return KT_EC_P256;
	if (len == sizeof pkcs11_oid_p384 &&
	    memcmp(p, pkcs11_oid_p384, len) == 0)
		return KT_EC_P384;
	if ((len == sizeof pkcs11_oid_ed25519 &&
	    memcmp(p, pkcs11_oid_ed25519, len) == 0) ||
	    (len == sizeof pkcs11_name_ed25519 &&
	    memcmp(p, pkcs11_name_ed25519, len) == 0))
		return KT_ED25519;
	return KT_NONE;
}

int
pkcs11_ec_point(const unsigned char *v, size_t len, size_t want,
    const unsigned char **pt)
{
	size_t hdr = 0, inner = 0;

	*pt = NULL;
	/* DER OCTET STRING: tag 04, then a short or long-form length. */
	if (len >= 2 && v[0] == 0x04) {
		if (v[1] < 0x80) {
			hdr = 2;
			inner = v[1];
		} else if (v[1] == 0x81 && len >= 3 && v[2] >= 0x80) {
			hdr = 3;
			inner = v[2];
		} else if (v[1] == 0x82 && len >= 4 &&
		    (v[2] << 8 | v[3]) >= 0x100) {
			hdr = 4;
			inner = (size_t)v[2] << 8 | v[3];
		}
		if (hdr != 0 && hdr + inner == len && inner == want) {
			*pt = v + hdr;
			return OR_OK;
		}
	}
	if (len == want) {		/* the bare point */
		*pt = v;
		return OR_OK;
	}
	return err_set(OR_E_INPUT, "the token's CKA_EC_POINT (%zu bytes) is "
	    "not a %zu-byte point, bare or in an OCTET STRING", len, want);
}

static int
pkcs11_pkey_fromdata(const char *alg, OSSL_PARAM_BLD *bld, EVP_PKEY **out)
{
	EVP_PKEY_CTX *ctx = NULL;
	OSSL_PARAM *prm = NULL;
	int rc = OR_OK;

	if ((prm = OSSL_PARAM_BLD_to_param(bld)) == NULL ||
	    (ctx = EVP_PKEY_CTX_new_from_name(NULL, alg, NULL)) == NULL ||
	    EVP_PKEY_fromdata_init(ctx) != 1 ||
	    EVP_PKEY_fromdata(ctx, out, EVP_PKEY_PUBLIC_KEY, prm) != 1)
		rc = err_openssl(OR_E_INPUT, "the token's %s public key is "
		    "not valid", alg);
	OSSL_PARAM_free(prm);
	EVP_PKEY_CTX_free(ctx);
	return rc;
}

/*
 * The public key of a key pair, from object o: CKA_MODULUS and
 * CKA_PUBLIC_EXPONENT for RSA (on either half), CKA_EC_POINT for EC and
 * EdDSA (on the public half) with the curve in ecparams.
 */
static int
pkcs11_public(struct pkcs11_slot *s, CK_SESSION_HANDLE h, CK_OBJECT_HANDLE o,
    CK_KEY_TYPE kt, enum keytype curve, EVP_PKEY **out)
{
	OSSL_PARAM_BLD *bld = NULL;
	BIGNUM *n = NULL, *e = NULL;
	unsigned char *a = NULL, *b = NULL;
	const unsigned char *pt;
	size_t alen = 0, blen = 0;
	CK_RV rv;
	int rc;

	*out = NULL;
	if (kt == CKK_RSA) {
		if ((rv = pkcs11_attr(s, h, o, CKA_MODULUS, &a, &alen)) !=
		    CKR_OK || (rv = pkcs11_attr(s, h, o, CKA_PUBLIC_EXPONENT,
		    &b, &blen)) != CKR_OK) {
			rc = pkcs11_rv_err(rv, "token \"%s\": reading the RSA "
			    "public key", s->label);
			goto out;
		}
		if ((n = BN_bin2bn(a, (int)alen, NULL)) == NULL ||
		    (e = BN_bin2bn(b, (int)blen, NULL)) == NULL ||
		    (bld = OSSL_PARAM_BLD_new()) == NULL ||
		    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n) ||
		    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e)) {
			rc = err_openssl(OR_E_CRYPTO, "RSA public key");
			goto out;
		}
		rc = pkcs11_pkey_fromdata("RSA", bld, out);
		goto out;
	}
	if ((rv = pkcs11_attr(s, h, o, CKA_EC_POINT, &a, &alen)) != CKR_OK) {
		rc = pkcs11_rv_err(rv, "token \"%s\": reading the public "
		    "point", s->label);
		goto out;
	}
	switch (curve) {
	case KT_EC_P256:
	case KT_EC_P384:
		if ((rc = pkcs11_ec_point(a, alen, curve == KT_EC_P256 ? 65 :
		    97, &pt)) != OR_OK)
			goto out;
		if ((bld = OSSL_PARAM_BLD_new()) == NULL ||
		    !OSSL_PARAM_BLD_push_utf8_string(bld,
		    OSSL_PKEY_PARAM_GROUP_NAME, curve == KT_EC_P256 ?
		    "prime256v1" : "secp384r1", 0) ||
		    !OSSL_PARAM_BLD_push_octet_string(bld,
		    OSSL_PKEY_PARAM_PUB_KEY, pt, curve == KT_EC_P256 ? 65 :
		    97)) {
			rc = err_openssl(OR_E_CRYPTO, "EC public key");
			goto out;
		}
		rc = pkcs11_pkey_fromdata("EC", bld, out);
		break;
	case KT_ED25519:
		if ((rc = pkcs11_ec_point(a, alen, 32, &pt)) != OR_OK)
			goto out;
		if ((*out = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL,
		    pt, 32)) == NULL)
			rc = err_openssl(OR_E_INPUT, "the token's Ed25519 "
			    "public key is not valid");
		break;
	default:
		rc = err_set(OR_E_INPUT, "token \"%s\": the key is on a curve "
		    "offroot does not use (P-256, P-384, Ed25519)", s->label);
		break;
	}
out:
	OSSL_PARAM_BLD_free(bld);
	BN_free(n);
	BN_free(e);
	free(a);
	free(b);
	return rc;
}

/* The curve of an EC or EdDSA key object (KT_NONE for RSA or unknown). */
static enum keytype
pkcs11_obj_curve(struct pkcs11_slot *s, CK_SESSION_HANDLE h,
    CK_OBJECT_HANDLE o)
{
	unsigned char *p = NULL;
	size_t len = 0;
	enum keytype t = KT_NONE;

	if (pkcs11_attr(s, h, o, CKA_EC_PARAMS, &p, &len) == CKR_OK)
		t = pkcs11_curve(p, len);
	free(p);
	return t;
}

/* ---- mechanisms ---- */

struct pkcs11_mechs {
	CK_MECHANISM_TYPE *v;
	CK_ULONG n;
};

static int
pkcs11_mech_list(struct pkcs11_slot *s, struct pkcs11_mechs *m)
{
	CK_RV rv;

	m->v = NULL;
	m->n = 0;
	if ((rv = s->fn->C_GetMechanismList(s->id, NULL, &m->n)) != CKR_OK)
		return pkcs11_rv_err(rv, "token \"%s\": listing mechanisms",
		    s->label);
	if (m->n > 4096)
		return err_set(OR_E_ENV, "token \"%s\" lists %lu mechanisms",
		    s->label, (unsigned long)m->n);
	if ((m->v = calloc(m->n + 1, sizeof *m->v)) == NULL)
		return err_set(OR_E_NOMEM, "out of memory");
	if ((rv = s->fn->C_GetMechanismList(s->id, m->v, &m->n)) != CKR_OK) {
		free(m->v);
		m->v = NULL;
		return pkcs11_rv_err(rv, "token \"%s\": listing mechanisms",
		    s->label);
	}
	return OR_OK;
}

/* Records the token's mechanisms in its quirks table (p11quirks.c),
 * once: the list, and C_GetMechanismInfo for those offroot looks at. */
static int
pkcs11_learn_mechs(struct pkcs11_slot *s)
{
	struct pkcs11_mechs m = { NULL, 0 };
	CK_MECHANISM_INFO mi;
	CK_ULONG i;
	int rc;

	if (s->q.mechs_read)
		return OR_OK;
	if ((rc = pkcs11_mech_list(s, &m)) != OR_OK)
		return rc;
	for (i = 0; i < m.n; i++)
		if (p11q_wants(m.v[i]) &&
		    s->fn->C_GetMechanismInfo(s->id, m.v[i], &mi) == CKR_OK)
			p11q_add_mech(&s->q, m.v[i], &mi);
	s->q.nlisted = (unsigned long)m.n;
	s->q.mechs_read = true;
	free(m.v);
	return OR_OK;
}

/* What k's token can sign with for its key type (its quirks table); an
 * error when nothing. */
static int
pkcs11_sign_mechs(struct pkcs11_key *k, enum keytype type)
{
	char why[160];
	int rc;

	if ((rc = pkcs11_learn_mechs(&k->slot)) != OR_OK)
		return rc;
	if (!p11q_can_sign(&k->slot.q, type, why, sizeof why))
		return err_set(OR_E_INPUT, "token \"%s\" %s", k->slot.label,
		    why);
	return OR_OK;
}

/* Whether k's token can make RSA-PSS signatures with digest (NULL: none
 * asked for, or a key that is not RSA, whose refusal is the caller's). */
static int
pkcs11_check_pss(struct pkcs11_key *k, enum keytype type, const char *digest)
{
	size_t di;

	if (digest == NULL || (type != KT_RSA_3072 && type != KT_RSA_4096))
		return OR_OK;
	for (di = 0; di < PKCS11_NDIGESTS; di++)
		if (strcmp(digest, pkcs11_digests[di].name) == 0)
			break;
	if (di == PKCS11_NDIGESTS)
		return err_set(OR_E_INPUT, "RSA-PSS with %s: not a digest "
		    "offroot signs with", digest);
	if (p11q_rsa(&k->slot.q, di, true, false) != P11Q_RSA_NONE)
		return OR_OK;
	return err_set(OR_E_INPUT, "token \"%s\" cannot make RSA-PSS "
	    "signatures with %s (no CKM_RSA_PKCS_PSS or CKM_%s_RSA_PKCS_PSS)",
	    k->slot.label, digest, di == 0 ? "SHA256" : di == 1 ? "SHA384" :
	    "SHA512");
}

/* ---- conversions ---- */

int
pkcs11_ecdsa_der(const unsigned char *raw, size_t len, unsigned char **der,
    size_t *derlen)
{
	ECDSA_SIG *sig = NULL;
	BIGNUM *r = NULL, *s = NULL;
	unsigned char *p = NULL;
	int n, rc;

	*der = NULL;
	*derlen = 0;
	if (len == 0 || len % 2 != 0 || len > 2 * 66)
		return err_set(OR_E_CRYPTO, "the token's ECDSA signature has "
		    "%zu bytes: not two equal halves r||s", len);
	if ((r = BN_bin2bn(raw, (int)(len / 2), NULL)) == NULL ||
	    (s = BN_bin2bn(raw + len / 2, (int)(len / 2), NULL)) == NULL ||
	    (sig = ECDSA_SIG_new()) == NULL) {
		rc = err_openssl(OR_E_NOMEM, "ECDSA signature");
		goto out;
	}
	if (BN_is_zero(r) || BN_is_zero(s)) {
		rc = err_set(OR_E_CRYPTO, "the token's ECDSA signature has a "
		    "zero half");
		goto out;
	}
	if (ECDSA_SIG_set0(sig, r, s) != 1) {
		rc = err_openssl(OR_E_CRYPTO, "ECDSA signature");
		goto out;
	}
	r = s = NULL;
	if ((n = i2d_ECDSA_SIG(sig, &p)) <= 0 || p == NULL) {
		rc = err_openssl(OR_E_CRYPTO, "encoding the ECDSA signature");
		goto out;
	}
	*der = p;
	*derlen = (size_t)n;
	rc = OR_OK;
out:
	BN_free(r);
	BN_free(s);
	ECDSA_SIG_free(sig);
	return rc;
}

/* ---- the key store ---- */

static void
pkcs11_fill_token(struct pkcs11_key *k)
{
	const CK_TOKEN_INFO *t = &k->slot.tok;

	snprintf(k->info.token_label, sizeof k->info.token_label, "%s",
	    k->slot.label);
	pkcs11_trim(t->manufacturerID, sizeof t->manufacturerID,
	    k->info.token_manufacturer, sizeof k->info.token_manufacturer);
	pkcs11_trim(t->model, sizeof t->model, k->info.token_model,
	    sizeof k->info.token_model);
	pkcs11_trim(t->serialNumber, sizeof t->serialNumber,
	    k->info.token_serial, sizeof k->info.token_serial);
	snprintf(k->info.module, sizeof k->info.module, "%s", k->mods.path);
}

/* The private key's protection, id and label into k->info, and its URI. */
static int
pkcs11_fill_key(struct pkcs11_key *k)
{
	struct pkcs11_slot *s = &k->slot;
	unsigned char *id = NULL, *label = NULL;
	size_t idlen = 0, llen = 0;
	CK_RV rv;
	int rc;

	/* A token that fails here is a failing token, not a key without
	 * these attributes. */
	if ((rv = pkcs11_bool_rv(s, k->session, k->priv, CKA_SENSITIVE,
	    false, &k->info.sensitive)) != CKR_OK ||
	    (rv = pkcs11_bool_rv(s, k->session, k->priv, CKA_ALWAYS_SENSITIVE,
	    false, &k->info.always_sensitive)) != CKR_OK ||
	    (rv = pkcs11_bool_rv(s, k->session, k->priv, CKA_EXTRACTABLE,
	    true, &k->info.extractable)) != CKR_OK ||
	    (rv = pkcs11_bool_rv(s, k->session, k->priv, CKA_NEVER_EXTRACTABLE,
	    false, &k->info.never_extractable)) != CKR_OK ||
	    (rv = pkcs11_bool_rv(s, k->session, k->priv,
	    CKA_ALWAYS_AUTHENTICATE, false, &k->always_auth)) != CKR_OK)
		return pkcs11_rv_err(rv, "token \"%s\": reading the private "
		    "key's attributes", s->label);
	/* The PIN stays only with a key that asks for it per signature. */
	if (!k->always_auth) {
		secret_free(k->pin);
		k->pin = NULL;
	}
	if ((rv = pkcs11_attr(s, k->session, k->priv, CKA_ID, &id, &idlen)) !=
	    CKR_OK && pkcs11_rv_code(rv) == OR_E_ENV) {
		rc = pkcs11_rv_err(rv, "token \"%s\": reading the private "
		    "key's id", s->label);
		goto out;
	}
	if (rv != CKR_OK || idlen == 0 || idlen > PKCS11_ID_MAX) {
		rc = err_set(OR_E_INPUT, "token \"%s\": the private key has no "
		    "usable CKA_ID (1 to %d bytes) to find its public half by",
		    s->label, PKCS11_ID_MAX);
		goto out;
	}
	hex_encode(id, idlen, k->info.id_hex);
	if (pkcs11_attr(s, k->session, k->priv, CKA_LABEL, &label, &llen) ==
	    CKR_OK && llen <= PKCS11_LABEL_MAX) {
		memcpy(k->info.label, label, llen);
		k->info.label[llen] = '\0';
		if (strlen(k->info.label) != llen)	/* a NUL inside */
			k->info.label[0] = '\0';
	}
	rc = pkcs11_key_uri(s->label, id, idlen, k->info.label, k->info.uri,
	    sizeof k->info.uri);
out:
	free(id);
	free(label);
	return rc;
}

/* What the private key may do, as the token says: into k->info's can_*
 * flags and usage text.  An attribute the token does not report counts
 * as not allowed (PKCS#11 gives these no default that allows). */
static int
pkcs11_fill_usage(struct pkcs11_key *k)
{
	static const struct {
		CK_ATTRIBUTE_TYPE type;
		const char *name;
		size_t off;
	} u[] = {
		{ CKA_SIGN, "sign", offsetof(struct pkcs11_keyinfo, can_sign) },
		{ CKA_DECRYPT, "decrypt",
		    offsetof(struct pkcs11_keyinfo, can_decrypt) },
		{ CKA_DERIVE, "derive",
		    offsetof(struct pkcs11_keyinfo, can_derive) },
		{ CKA_UNWRAP, "unwrap",
		    offsetof(struct pkcs11_keyinfo, can_unwrap) },
	};
	struct pkcs11_keyinfo *ki = &k->info;
	size_t i, n = 0;
	bool *flag;
	CK_RV rv;

	ki->usage[0] = '\0';
	for (i = 0; i < sizeof u / sizeof u[0]; i++) {
		flag = (bool *)((char *)ki + u[i].off);
		if ((rv = pkcs11_bool_rv(&k->slot, k->session, k->priv,
		    u[i].type, false, flag)) != CKR_OK)
			return pkcs11_rv_err(rv, "token \"%s\": reading what "
			    "the private key may do", k->slot.label);
		if (*flag)
			n += (size_t)snprintf(ki->usage + n, sizeof ki->usage - n,
			    "%s%s", n > 0 ? ", " : "", u[i].name);
	}
	if (n == 0)
		snprintf(ki->usage, sizeof ki->usage, "nothing");
	return OR_OK;
}

/* The one public-key object with the private key's CKA_ID. */
static int
pkcs11_find_pub(struct pkcs11_key *k, CK_KEY_TYPE kt)
{
	CK_OBJECT_CLASS cls = CKO_PUBLIC_KEY;
	CK_OBJECT_HANDLE *v = NULL;
	unsigned char id[PKCS11_ID_MAX];
	size_t n = 0, idlen = strlen(k->info.id_hex) / 2;
	CK_ATTRIBUTE t[3] = {
		{ CKA_CLASS, &cls, sizeof cls },
		{ CKA_KEY_TYPE, &kt, sizeof kt },
		{ CKA_ID, id, idlen },
	};
	int rc;

	if ((rc = hex_decode(k->info.id_hex, id, idlen)) != OR_OK ||
	    (rc = pkcs11_find(&k->slot, k->session, t, 3, &v, &n)) != OR_OK)
		return rc;
	if (n == 1) {
		k->pubobj = v[0];
		k->have_pubobj = true;
		rc = OR_OK;
	} else
		rc = err_set(OR_E_INPUT, "token \"%s\": %s public-key object "
		    "with id %s (offroot needs the key's public half beside "
		    "it)", k->slot.label, n == 0 ? "no" : "more than one",
		    k->info.id_hex);
	free(v);
	return rc;
}

/* Makes the keystore around k and pub.  pub is taken, also on failure;
 * k only on success (on failure the caller still frees it). */
static int
pkcs11_wrap(struct pkcs11_key *k, enum keytype type, EVP_PKEY *pub,
    struct keystore **out)
{
	struct keystore *ks;

	*out = NULL;
	if ((ks = calloc(1, sizeof *ks)) == NULL) {
		EVP_PKEY_free(pub);
		return err_set(OR_E_NOMEM, "out of memory");
	}
	ks->ops = &pkcs11_ops;
	ks->type = type;
	ks->pub = pub;
	ks->impl = k;
	*out = ks;
	return OR_OK;
}

static void
pkcs11_free_key(struct pkcs11_key *k)
{
	if (k == NULL)
		return;
	if (k->have_session) {
		if (k->logged_in)
			k->slot.fn->C_Logout(k->session);
		k->slot.fn->C_CloseSession(k->session);
	}
	pkcs11_unload(&k->mods);
	secret_free(k->pin);
	free(k);
}

/* Loads the modules, finds the token, opens a session and logs in. */
static int
pkcs11_begin(const char *module, P11KitUri *uri, const char *text, bool rw,
    struct interact *io, struct pkcs11_key **out)
{
	struct pkcs11_key *k;
	CK_FLAGS flags = CKF_SERIAL_SESSION;
	CK_RV rv;
	int rc;

	*out = NULL;
	if ((k = calloc(1, sizeof *k)) == NULL)
		return err_set(OR_E_NOMEM, "out of memory");
	if ((rc = pkcs11_load(module, &k->mods)) != OR_OK ||
	    (rc = pkcs11_one_token(&k->mods, uri, text, &k->slot)) != OR_OK)
		goto out;
	if (rw)
		flags |= CKF_RW_SESSION;
	if ((rv = k->slot.fn->C_OpenSession(k->slot.id, flags, NULL, NULL,
	    &k->session)) != CKR_OK) {
		rc = pkcs11_rv_err(rv, "token \"%s\": opening a session",
		    k->slot.label);
		goto out;
	}
	k->have_session = true;
	if ((rc = pkcs11_login(&k->slot, k->session, io, &k->pin)) != OR_OK)
		goto out;
	k->logged_in = (k->slot.tok.flags & CKF_LOGIN_REQUIRED) != 0;
	pkcs11_fill_token(k);
	*out = k;
	k = NULL;
	rc = OR_OK;
out:
	pkcs11_free_key(k);
	return rc;
}

/* Signs a challenge and verifies it with the store's public key: a public
 * object that belongs to another key pair is found here. */
static int
pkcs11_self_test(struct keystore *ks, struct pkcs11_key *k)
{
	int rc;

	if ((rc = keystore_prove(ks, ks->pub)) == OR_E_VERIFY)
		return err_set(OR_E_VERIFY, "token \"%s\": the private key "
		    "(id %s) and the public-key object beside it are not one "
		    "key pair", k->slot.label, k->info.id_hex);
	return rc;
}

/* ---- generating a key pair ---- */

/* Refuses when an object with this label, or this id, is on the token. */
static int
pkcs11_refuse_existing(struct pkcs11_key *k, const char *label,
    const unsigned char *id, size_t idlen)
{
	CK_OBJECT_HANDLE *v = NULL;
	CK_ATTRIBUTE tl = { CKA_LABEL, (void *)label, strlen(label) };
	CK_ATTRIBUTE ti = { CKA_ID, (void *)id, idlen };
	size_t n = 0;
	int rc;

	if ((rc = pkcs11_find(&k->slot, k->session, &tl, 1, &v, &n)) != OR_OK)
		return rc;
	free(v);
	if (n > 0)
		return err_set(OR_E_EXISTS, "token \"%s\" already holds an "
		    "object labelled \"%s\": choose another --label, or adopt "
		    "an existing key with --key-uri", k->slot.label, label);
	if ((rc = pkcs11_find(&k->slot, k->session, &ti, 1, &v, &n)) != OR_OK)
		return rc;
	free(v);
	if (n > 0)
		return err_set(OR_E_EXISTS, "token \"%s\" already holds an "
		    "object with the new random id", k->slot.label);
	return OR_OK;
}

/* Whether the token can generate, and sign with, a key of this type
 * (its quirks table), before anything is made. */
static int
pkcs11_check_gen_mech(struct pkcs11_key *k, enum keytype type,
    const char *pss_digest)
{
	char why[160];
	int rc;

	if ((rc = pkcs11_learn_mechs(&k->slot)) != OR_OK)
		return rc;
	if (!p11q_can_generate(&k->slot.q, type, why, sizeof why))
		return err_set(OR_E_INPUT, "token \"%s\" cannot generate %s "
		    "keys (%s); choose another --key", k->slot.label,
		    keytype_name(type), why);
	if ((rc = pkcs11_sign_mechs(k, type)) != OR_OK)
		return rc;
	return pkcs11_check_pss(k, type, pss_digest);
}

/* Destroys the key pair that pkcs11_generate made; sets no error text
 * (it runs on failure paths whose own error must survive). */
static CK_RV
pkcs11_destroy(struct pkcs11_key *k)
{
	CK_RV rv = CKR_OK, rv2 = CKR_OK;

	if (k == NULL || !(k->info.generated || k->info.imported) ||
	    k->discarded)
		return CKR_OK;
	k->discarded = true;
	rv = k->slot.fn->C_DestroyObject(k->session, k->priv);
	if (k->have_pubobj)
		rv2 = k->slot.fn->C_DestroyObject(k->session, k->pubobj);
	return rv != CKR_OK ? rv : rv2;
}

/* pkcs11_destroy on a failure path: a leftover key is worth a warning. */
static void
pkcs11_destroy_quietly(struct pkcs11_key *k, struct interact *io)
{
	char name[40];
	CK_RV rv;

	if (k == NULL || !(k->info.generated || k->info.imported) ||
	    k->discarded)
		return;
	if ((rv = pkcs11_destroy(k)) != CKR_OK)
		pkcs11_say(io, SAY_WARN, "token \"%s\": the key pair generated "
		    "for this root could not be removed (%s): delete the "
		    "objects labelled \"%s\" with id %s by hand", k->slot.label,
		    pkcs11_rv_name(rv, name, sizeof name), k->info.label,
		    k->info.id_hex);
}

/* A key pair just made or imported on the token becomes a key store
 * (taking k and pub) that must sign for its public key; on any failure
 * its objects are destroyed and *out is untouched. */
static int
pkcs11_settle_new(struct pkcs11_key *k, enum keytype type, EVP_PKEY *pub,
    struct interact *io, struct keystore **out)
{
	struct keystore *ks = NULL;
	int rc;

	if ((rc = pkcs11_wrap(k, type, pub, &ks)) != OR_OK) {
		pkcs11_destroy_quietly(k, io);
		pkcs11_free_key(k);
		return rc;
	}
	if ((rc = pkcs11_self_test(ks, ks->impl)) != OR_OK) {
		pkcs11_destroy_quietly(ks->impl, io);
		keystore_close(ks);
		return rc;
	}
	*out = ks;
	return OR_OK;
}

/* What C_GenerateKeyPair is asked for, by key type. */
struct pkcs11_genspec {
	CK_MECHANISM_TYPE mech;
	CK_KEY_TYPE kt;
	const unsigned char *ecp;	/* CKA_EC_PARAMS; NULL for RSA */
	size_t ecplen;
	CK_ULONG bits;			/* RSA: CKA_MODULUS_BITS */
};

/* The two templates of a new key pair, and the values they point to. */
struct pkcs11_gentmpl {
	CK_OBJECT_CLASS pubcls, privcls;
	CK_BBOOL yes, no;
	CK_ATTRIBUTE pub[12], priv[12];
	CK_ULONG npub, npriv;
};

static int
pkcs11_gen_spec(enum keytype type, struct pkcs11_genspec *g)
{
	memset(g, 0, sizeof *g);
	switch (type) {
	case KT_EC_P256:
	case KT_EC_P384:
		g->kt = CKK_EC;
		g->mech = CKM_EC_KEY_PAIR_GEN;
		g->ecp = type == KT_EC_P256 ? pkcs11_oid_p256 :
		    pkcs11_oid_p384;
		g->ecplen = type == KT_EC_P256 ? sizeof pkcs11_oid_p256 :
		    sizeof pkcs11_oid_p384;
		return OR_OK;
	case KT_RSA_3072:
	case KT_RSA_4096:
		g->kt = CKK_RSA;
		g->mech = CKM_RSA_PKCS_KEY_PAIR_GEN;
		g->bits = type == KT_RSA_3072 ? 3072 : 4096;
		return OR_OK;
	case KT_ED25519:
		g->kt = CKK_EC_EDWARDS;
		g->mech = CKM_EC_EDWARDS_KEY_PAIR_GEN;
		g->ecp = pkcs11_oid_ed25519;
		g->ecplen = sizeof pkcs11_oid_ed25519;
		return OR_OK;
	default:
		return err_set(OR_E_INPUT, "cannot generate a key of type %d",
		    (int)type);
	}
}

/*
 * Everything the token must do is checked before it creates anything: a
 * writable token, the mechanisms to generate and to sign with, and no
 * object with this label or with the new random id (into id).
 */
static int
pkcs11_gen_prepare(struct pkcs11_key *k, enum keytype type,
    const char *pss_digest, const char *label, unsigned char *id,
    size_t idlen)
{
	int rc;

	if (k->slot.tok.flags & CKF_WRITE_PROTECTED) {
		rc = err_set(OR_E_ENV, "token \"%s\" is write-protected",
		    k->slot.label);
		goto out;
	}
	if ((rc = pkcs11_check_gen_mech(k, type, pss_digest)) != OR_OK)
		goto out;
	if (RAND_bytes(id, (int)idlen) != 1) {
		rc = err_openssl(OR_E_CRYPTO, "random key id");
		goto out;
	}
	rc = pkcs11_refuse_existing(k, label, id, idlen);
out:
	return rc;
}

/* The templates: both halves on the token with the same id and label;
 * the private half private, sensitive, not extractable, and it signs and
 * does nothing else.  The public half is asked for nothing about its use:
 * offroot never verifies or encrypts on the token, and a module may keep
 * one set of usage bits for both halves (tpm2-pkcs11 maps CKA_VERIFY to
 * the TPM's decrypt bit and CKA_ENCRYPT to its sign bit, and refuses a
 * pair whose halves disagree).  What the token made is read back. */
static void
pkcs11_gen_templates(const struct pkcs11_genspec *g, const unsigned char *id,
    size_t idlen, const char *label, struct pkcs11_gentmpl *t)
{
	static CK_BYTE f4[] = { 0x01, 0x00, 0x01 };

	memset(t, 0, sizeof *t);
	t->pubcls = CKO_PUBLIC_KEY;
	t->privcls = CKO_PRIVATE_KEY;
	t->yes = CK_TRUE;
	t->no = CK_FALSE;
#define PKCS11_ATTR(t, n, ty, p, l) do { \
	(t)[(n)].type = (ty); (t)[(n)].pValue = (void *)(p); \
	(t)[(n)].ulValueLen = (l); (n)++; } while (0)
	PKCS11_ATTR(t->pub, t->npub, CKA_CLASS, &t->pubcls, sizeof t->pubcls);
	PKCS11_ATTR(t->pub, t->npub, CKA_KEY_TYPE, &g->kt, sizeof g->kt);
	PKCS11_ATTR(t->pub, t->npub, CKA_TOKEN, &t->yes, sizeof t->yes);
	PKCS11_ATTR(t->pub, t->npub, CKA_PRIVATE, &t->no, sizeof t->no);
	PKCS11_ATTR(t->pub, t->npub, CKA_ID, id, idlen);
	PKCS11_ATTR(t->pub, t->npub, CKA_LABEL, label, strlen(label));
	if (g->ecp != NULL)
		PKCS11_ATTR(t->pub, t->npub, CKA_EC_PARAMS, g->ecp,
		    g->ecplen);
	else {
		PKCS11_ATTR(t->pub, t->npub, CKA_MODULUS_BITS, &g->bits,
		    sizeof g->bits);
		PKCS11_ATTR(t->pub, t->npub, CKA_PUBLIC_EXPONENT, f4,
		    sizeof f4);
	}
	PKCS11_ATTR(t->priv, t->npriv, CKA_CLASS, &t->privcls,
	    sizeof t->privcls);
	PKCS11_ATTR(t->priv, t->npriv, CKA_KEY_TYPE, &g->kt, sizeof g->kt);
	PKCS11_ATTR(t->priv, t->npriv, CKA_TOKEN, &t->yes, sizeof t->yes);
	PKCS11_ATTR(t->priv, t->npriv, CKA_PRIVATE, &t->yes, sizeof t->yes);
	PKCS11_ATTR(t->priv, t->npriv, CKA_SENSITIVE, &t->yes, sizeof t->yes);
	PKCS11_ATTR(t->priv, t->npriv, CKA_EXTRACTABLE, &t->no, sizeof t->no);
	PKCS11_ATTR(t->priv, t->npriv, CKA_SIGN, &t->yes, sizeof t->yes);
	/* A root key signs and does nothing else. */
	PKCS11_ATTR(t->priv, t->npriv, CKA_DECRYPT, &t->no, sizeof t->no);
	PKCS11_ATTR(t->priv, t->npriv, CKA_UNWRAP, &t->no, sizeof t->no);
	PKCS11_ATTR(t->priv, t->npriv, CKA_DERIVE, &t->no, sizeof t->no);
	PKCS11_ATTR(t->priv, t->npriv, CKA_ID, id, idlen);
	PKCS11_ATTR(t->priv, t->npriv, CKA_LABEL, label, strlen(label));
#undef PKCS11_ATTR
}

/* C_GenerateKeyPair; from here on a failure removes the new key pair
 * again (pkcs11_destroy_quietly). */
static int
pkcs11_gen_keypair(struct pkcs11_key *k, const struct pkcs11_genspec *g,
    struct pkcs11_gentmpl *t, enum keytype type, const unsigned char *id,
    size_t idlen, const char *label, struct interact *io)
{
	CK_MECHANISM mech = { g->mech, NULL, 0 };
	CK_RV rv;

	if (io != NULL)
		io->progress(io, "Generating the key pair on the token", -1);
	rv = k->slot.fn->C_GenerateKeyPair(k->session, &mech, t->pub, t->npub,
	    t->priv, t->npriv, &k->pubobj, &k->priv);
	if (io != NULL)
		io->progress(io, NULL, 1);
	if (rv != CKR_OK)
		return pkcs11_rv_err(rv, "token \"%s\": generating a %s key "
		    "pair", k->slot.label, keytype_name(type));
	k->info.generated = true;
	k->have_pubobj = true;
	/* Known now, for the warning should the key have to be removed
	 * and the token refuse. */
	hex_encode(id, idlen, k->info.id_hex);
	snprintf(k->info.label, sizeof k->info.label, "%s", label);
	return OR_OK;
}

/* An attribute of the private half's template that the new key did not
 * get (bad): into the token's quirks table. */
static void
pkcs11_gen_refused(struct p11quirks *q, bool bad, const char *attr)
{
	if (bad)
		p11q_refused(q, attr);
}

/* Trust, but read back: a token that ignored the template loses its key
 * now, before a certificate names it; what it did not set as asked is in
 * the quirks table and the error.  The public key into *pub. */
static int
pkcs11_gen_check(struct pkcs11_key *k, const struct pkcs11_genspec *g,
    enum keytype type, EVP_PKEY **pub)
{
	bool is_private = false, on_token = false;
	CK_RV rv;
	int rc;

	if ((rc = pkcs11_fill_key(k)) != OR_OK)
		return rc;
	if ((rv = pkcs11_bool_rv(&k->slot, k->session, k->priv, CKA_PRIVATE,
	    false, &is_private)) != CKR_OK ||
	    (rv = pkcs11_bool_rv(&k->slot, k->session, k->priv, CKA_TOKEN,
	    false, &on_token)) != CKR_OK)
		return pkcs11_rv_err(rv, "token \"%s\": reading the new key's "
		    "attributes", k->slot.label);
	pkcs11_gen_refused(&k->slot.q, !k->info.sensitive, "CKA_SENSITIVE");
	pkcs11_gen_refused(&k->slot.q, k->info.extractable, "CKA_EXTRACTABLE");
	pkcs11_gen_refused(&k->slot.q, !is_private, "CKA_PRIVATE");
	pkcs11_gen_refused(&k->slot.q, !on_token, "CKA_TOKEN");
	if (k->slot.q.refused[0] != '\0')
		return err_set(OR_E_ENV, "token \"%s\" did not keep the new "
		    "key private, sensitive and non-extractable (not set as "
		    "asked: %s), so offroot removes it again", k->slot.label,
		    k->slot.q.refused);
	if ((rc = pkcs11_fill_usage(k)) != OR_OK)
		return rc;
	pkcs11_gen_refused(&k->slot.q, !k->info.can_sign, "CKA_SIGN");
	pkcs11_gen_refused(&k->slot.q, k->info.can_decrypt, "CKA_DECRYPT");
	pkcs11_gen_refused(&k->slot.q, k->info.can_derive, "CKA_DERIVE");
	pkcs11_gen_refused(&k->slot.q, k->info.can_unwrap, "CKA_UNWRAP");
	if (k->slot.q.refused[0] != '\0')
		return err_set(OR_E_ENV, "token \"%s\" made a key whose "
		    "private half may %s, not sign only (not set as asked: "
		    "%s), so offroot removes it again", k->slot.label,
		    k->info.usage, k->slot.q.refused);
	if ((rc = pkcs11_public(&k->slot, k->session, k->pubobj, g->kt, type,
	    pub)) != OR_OK)
		return rc;
	if (keytype_of(*pub) != type)
		return err_set(OR_E_ENV, "token \"%s\" generated a %s key, not "
		    "%s", k->slot.label, keytype_name(keytype_of(*pub)),
		    keytype_name(type));
	return OR_OK;
}

int
pkcs11_generate(const char *module, const char *token_uri, const char *label,
    enum keytype type, const char *pss_digest, struct interact *io,
    struct keystore **out)
{
	P11KitUri *uri = NULL;
	struct pkcs11_key *k = NULL;
	struct pkcs11_genspec g;
	struct pkcs11_gentmpl t;
	EVP_PKEY *pub = NULL;
	unsigned char id[PKCS11_NEW_ID_LEN];
	int rc;

	*out = NULL;
	if (label == NULL || *label == '\0' || strlen(label) > PKCS11_LABEL_MAX)
		return err_set(OR_E_USAGE, "--label: the key's label must be "
		    "1 to %d bytes", PKCS11_LABEL_MAX);
	if ((rc = pkcs11_gen_spec(type, &g)) != OR_OK)
		return rc;
	if ((rc = pkcs11_uri_parse(token_uri, PKCS11_URI_TOKEN, &uri)) !=
	    OR_OK || (rc = pkcs11_begin(module, uri, token_uri, true, io,
	    &k)) != OR_OK ||
	    (rc = pkcs11_gen_prepare(k, type, pss_digest, label, id,
	    sizeof id)) != OR_OK)
		goto out;
	pkcs11_gen_templates(&g, id, sizeof id, label, &t);
	if ((rc = pkcs11_gen_keypair(k, &g, &t, type, id, sizeof id, label,
	    io)) != OR_OK ||
	    (rc = pkcs11_gen_check(k, &g, type, &pub)) != OR_OK)
		goto out;
	rc = pkcs11_settle_new(k, type, pub, io, out);
	k = NULL;
	pub = NULL;
out:
	pkcs11_destroy_quietly(k, io);
	pkcs11_free_key(k);
	EVP_PKEY_free(pub);
	if (uri != NULL)
		p11_kit_uri_free(uri);
	return rc;
}

/* ---- opening a key ---- */

/* The one private key on k's token that the key URI names, and its key
 * type: an RSA, EC or EdDSA key that may sign. */
static int
pkcs11_find_priv(struct pkcs11_key *k, P11KitUri *uri, const char *key_uri,
    CK_KEY_TYPE *kt)
{
	CK_OBJECT_HANDLE *v = NULL;
	CK_OBJECT_CLASS cls = CKO_PRIVATE_KEY;
	CK_ATTRIBUTE t[3], *a;
	CK_ULONG na = 0, i, nt = 0;
	CK_RV rv;
	size_t n = 0;
	bool can_sign = false;
	int rc;

	*kt = 0;
	t[nt].type = CKA_CLASS;
	t[nt].pValue = &cls;
	t[nt].ulValueLen = sizeof cls;
	nt++;
	a = p11_kit_uri_get_attributes(uri, &na);
	for (i = 0; i < na && nt < 3; i++)
		if (a[i].type == CKA_ID || a[i].type == CKA_LABEL)
			t[nt++] = a[i];
	if ((rc = pkcs11_find(&k->slot, k->session, t, nt, &v, &n)) != OR_OK)
		return rc;
	if (n != 1) {
		rc = err_set(OR_E_INPUT, n == 0 ? "no private key on token "
		    "\"%s\" matches %s" : "%s matches several private keys on "
		    "token \"%s\": add its id=", n == 0 ? k->slot.label :
		    key_uri, n == 0 ? key_uri : k->slot.label);
		goto out;
	}
	k->priv = v[0];
	if ((rv = pkcs11_key_kind(&k->slot, k->session, k->priv, kt,
	    &can_sign)) != CKR_OK) {
		rc = pkcs11_rv_err(rv, "token \"%s\": reading the private "
		    "key's attributes", k->slot.label);
		goto out;
	}
	if (*kt != CKK_RSA && *kt != CKK_EC && *kt != CKK_EC_EDWARDS) {
		rc = err_set(OR_E_INPUT, "token \"%s\": %s is not an RSA, EC "
		    "or EdDSA key", k->slot.label, key_uri);
		goto out;
	}
	if (!can_sign) {
		rc = err_set(OR_E_INPUT, "token \"%s\": %s may not sign "
		    "(CKA_SIGN is false)", k->slot.label, key_uri);
		goto out;
	}
	rc = OR_OK;
out:
	free(v);
	return rc;
}

/* The public half of the opened key: RSA's from the private key's own
 * attributes, EC's and EdDSA's from the public-key object with the same
 * CKA_ID (the curve from either object). */
static int
pkcs11_open_public(struct pkcs11_key *k, CK_KEY_TYPE kt, EVP_PKEY **pub)
{
	enum keytype curve;
	int rc;

	if (kt == CKK_RSA)
		return pkcs11_public(&k->slot, k->session, k->priv, kt, KT_NONE,
		    pub);
	curve = pkcs11_obj_curve(&k->slot, k->session, k->priv);
	if ((rc = pkcs11_find_pub(k, kt)) != OR_OK)
		return rc;
	if (curve == KT_NONE)
		curve = pkcs11_obj_curve(&k->slot, k->session, k->pubobj);
	return pkcs11_public(&k->slot, k->session, k->pubobj, kt, curve, pub);
}

int
pkcs11_open(const char *module, const char *key_uri, const char *pss_digest,
    struct interact *io, struct keystore **out)
{
	P11KitUri *uri = NULL;
	struct pkcs11_key *k = NULL;
	struct keystore *ks = NULL;
	EVP_PKEY *pub = NULL;
	CK_KEY_TYPE kt = 0;
	enum keytype type;
	int rc;

	*out = NULL;
	if ((rc = pkcs11_uri_parse(key_uri, PKCS11_URI_KEY, &uri)) != OR_OK ||
	    (rc = pkcs11_begin(module, uri, key_uri, false, io, &k)) != OR_OK ||
	    (rc = pkcs11_find_priv(k, uri, key_uri, &kt)) != OR_OK ||
	    (rc = pkcs11_fill_key(k)) != OR_OK ||
	    (rc = pkcs11_fill_usage(k)) != OR_OK ||
	    (rc = pkcs11_open_public(k, kt, &pub)) != OR_OK)
		goto out;
	if ((type = keytype_of(pub)) == KT_NONE) {
		rc = err_set(OR_E_INPUT, "token \"%s\": %s is a key offroot "
		    "does not use (ec-p256, ec-p384, rsa-3072, rsa-4096, "
		    "ed25519)", k->slot.label, key_uri);
		goto out;
	}
	if ((rc = pkcs11_sign_mechs(k, type)) != OR_OK ||
	    (rc = pkcs11_check_pss(k, type, pss_digest)) != OR_OK)
		goto out;
	rc = pkcs11_wrap(k, type, pub, &ks);
	pub = NULL;
	if (rc != OR_OK)
		goto out;
	k = NULL;
	if ((rc = pkcs11_self_test(ks, ks->impl)) != OR_OK)
		goto out;
	*out = ks;
	ks = NULL;
out:
	keystore_close(ks);
	pkcs11_free_key(k);
	EVP_PKEY_free(pub);
	if (uri != NULL)
		p11_kit_uri_free(uri);
	return rc;
}

/* ---- signing ---- */

/* One signature's plan: the digest, the mechanism, and the bytes the
 * token is given to sign. */
struct pkcs11_sigplan {
	size_t di;				/* into pkcs11_digests */
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen;
	CK_MECHANISM mech;
	CK_RSA_PKCS_PSS_PARAMS pss_params;	/* mech's, for RSA-PSS */
	unsigned char data[32 + EVP_MAX_MD_SIZE]; /* DigestInfo || md */
	const unsigned char *in;
	size_t inlen;
	bool prehashed;				/* md came from the caller */
};

/* The digest: pre as given (its length in len), or msg hashed here when
 * there is a digest (none for Ed25519). */
static int
pkcs11_sig_digest(struct keystore *ks, const char *digest, bool pss,
    const unsigned char *msg, size_t len, const unsigned char *pre,
    struct pkcs11_sigplan *p)
{
	struct pkcs11_key *k = ks->impl;
	const EVP_MD *md_alg = NULL;

	for (p->di = 0; digest != NULL && p->di < PKCS11_NDIGESTS; p->di++)
		if (strcmp(digest, pkcs11_digests[p->di].name) == 0)
			break;
	if (pre != NULL) {
		if (p->di == PKCS11_NDIGESTS || pss || len > sizeof p->md ||
		    (ks->type != KT_EC_P256 && ks->type != KT_EC_P384 &&
		    p11q_rsa(&k->slot.q, p->di, false, true) !=
		    P11Q_RSA_RAW))
			return err_set(OR_E_INPUT, "token \"%s\" cannot sign a "
			    "%s digest", k->slot.label, digest);
		memcpy(p->md, pre, len);
		p->mdlen = (unsigned int)len;
	} else if (digest != NULL) {
		if (p->di == PKCS11_NDIGESTS ||
		    (md_alg = EVP_get_digestbyname(digest)) == NULL ||
		    EVP_Digest(msg, len, p->md, &p->mdlen, md_alg, NULL) != 1)
			return err_openssl(OR_E_CRYPTO, "hashing with %s",
			    digest);
	}
	return OR_OK;
}

/* The mechanism for the key type, and what the token signs with it: the
 * digest (ECDSA, RSA-PSS on CKM_RSA_PKCS_PSS), a DigestInfo
 * (CKM_RSA_PKCS), or the message itself (a token that hashes, EdDSA). */
static int
pkcs11_sig_mech(struct keystore *ks, const char *digest, bool pss,
    struct pkcs11_sigplan *p)
{
	struct pkcs11_key *k = ks->impl;
	size_t di = p->di;
	enum p11q_rsa how;

	switch (ks->type) {
	case KT_EC_P256:
	case KT_EC_P384:
		p->mech.mechanism = CKM_ECDSA;
		p->in = p->md;
		p->inlen = p->mdlen;
		return OR_OK;
	case KT_RSA_3072:
	case KT_RSA_4096:
		break;
	case KT_ED25519:
		p->mech.mechanism = CKM_EDDSA;
		return OR_OK;
	default:
		return err_set(OR_E_INPUT, "no signature for %s",
		    keytype_name(ks->type));
	}
	if (pss) {
		/* Hash here (CKM_RSA_PKCS_PSS), or the token hashes the
		 * message itself; the same parameters either way. */
		p->pss_params.hashAlg = pkcs11_digests[di].hash;
		p->pss_params.mgf = pkcs11_digests[di].mgf;
		p->pss_params.sLen = p->mdlen;
		p->mech.pParameter = &p->pss_params;
		p->mech.ulParameterLen = sizeof p->pss_params;
		how = digest != NULL ? p11q_rsa(&k->slot.q, di, true, false) :
		    P11Q_RSA_NONE;
		if (how == P11Q_RSA_HASHING)
			p->mech.mechanism = pkcs11_digests[di].pss_mech;
		else if (how == P11Q_RSA_RAW) {
			p->mech.mechanism = CKM_RSA_PKCS_PSS;
			p->in = p->md;
			p->inlen = p->mdlen;
		} else if (digest == NULL)	/* no mechanism left to choose */
			return err_set(OR_E_INPUT, "RSA-PSS needs a digest");
		else
			return pkcs11_check_pss(k, ks->type, digest);
		return OR_OK;
	}
	/* The token hashes the message itself when it can (a digest signed
	 * by the caller cannot: pkcs11_can_sign_digest says no then); else
	 * hash here and have the token pad a DigestInfo with raw
	 * CKM_RSA_PKCS, which some modules do as a private-key decryption
	 * (tpm2-pkcs11), which a sign-only key may not do.  The choice is
	 * the quirks table's (p11q_rsa). */
	how = digest != NULL ? p11q_rsa(&k->slot.q, di, false, p->prehashed) :
	    P11Q_RSA_NONE;
	if (how == P11Q_RSA_HASHING)
		p->mech.mechanism = pkcs11_digests[di].rsa_mech;
	else if (how == P11Q_RSA_RAW) {
		p->mech.mechanism = CKM_RSA_PKCS;
		memcpy(p->data, pkcs11_digests[di].prefix,
		    pkcs11_digests[di].prefix_len);
		memcpy(p->data + pkcs11_digests[di].prefix_len, p->md,
		    p->mdlen);
		p->in = p->data;
		p->inlen = pkcs11_digests[di].prefix_len + p->mdlen;
	} else
		return err_set(OR_E_INPUT, "token \"%s\" cannot sign with RSA "
		    "and %s", k->slot.label, digest);
	return OR_OK;
}

/* C_SignInit, the per-signature login of a key that wants one, C_Sign:
 * the token's signature into buf (*n: its size, then the length). */
static int
pkcs11_sig_token(struct pkcs11_key *k, const struct pkcs11_sigplan *p,
    unsigned char *buf, CK_ULONG *n)
{
	CK_MECHANISM mech = p->mech;
	CK_RV rv;

	if ((rv = k->slot.fn->C_SignInit(k->session, &mech, k->priv)) !=
	    CKR_OK)
		return pkcs11_rv_err(rv, "token \"%s\": starting to sign",
		    k->slot.label);
	/* A key that wants the PIN for every signature (PIN pad: NULL). */
	if (k->always_auth && (rv = k->slot.fn->C_Login(k->session,
	    CKU_CONTEXT_SPECIFIC, k->pin != NULL ?
	    (CK_UTF8CHAR_PTR)k->pin->buf : NULL, k->pin != NULL ?
	    (CK_ULONG)k->pin->len : 0)) != CKR_OK)
		return pkcs11_rv_err(rv, "token \"%s\": logging in for the "
		    "signature", k->slot.label);
	if ((rv = k->slot.fn->C_Sign(k->session, (CK_BYTE_PTR)p->in,
	    (CK_ULONG)p->inlen, buf, n)) != CKR_OK)
		return pkcs11_rv_err(rv, "token \"%s\": signing", k->slot.label);
	return OR_OK;
}

/* The token's signature as X.509 carries it, OPENSSL_malloc'd: ECDSA's
 * raw r||s as a DER ECDSA-Sig-Value, RSA and EdDSA as they are. */
static int
pkcs11_sig_encode(struct keystore *ks, const unsigned char *buf, CK_ULONG n,
    unsigned char **res, size_t *reslen)
{
	struct pkcs11_key *k = ks->impl;

	if (ks->type == KT_EC_P256 || ks->type == KT_EC_P384) {
		if (n != (ks->type == KT_EC_P256 ? 64u : 96u))
			return err_set(OR_E_CRYPTO, "token \"%s\" returned a "
			    "%lu-byte ECDSA signature", k->slot.label,
			    (unsigned long)n);
		return pkcs11_ecdsa_der(buf, n, res, reslen);
	}
	if ((*res = OPENSSL_malloc(n)) == NULL)
		return err_set(OR_E_NOMEM, "out of memory");
	memcpy(*res, buf, n);
	*reslen = n;
	return OR_OK;
}

/* Verifies our own output with the public key: a signature from the
 * wrong key, or a faulty one, never leaves this file.  With pre, the
 * digest is verified; else the message. */
static int
pkcs11_sig_verify(struct keystore *ks, const char *digest, bool pss,
    const unsigned char *msg, size_t len, const unsigned char *pre,
    const struct pkcs11_sigplan *p, const unsigned char *res, size_t reslen)
{
	struct pkcs11_key *k = ks->impl;
	EVP_MD_CTX *ctx = NULL;
	EVP_PKEY_CTX *pctx = NULL;
	int rc = OR_OK;

	if (pre != NULL) {
		if (!keystore_verify_digest(ks->pub, digest, p->md, p->mdlen,
		    res, reslen))
			rc = err_set(OR_E_VERIFY, "token \"%s\": the signature "
			    "just made does not verify with the key's public "
			    "half; it was discarded", k->slot.label);
	} else if ((ctx = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestVerifyInit_ex(ctx, &pctx, digest, NULL, NULL, ks->pub,
	    NULL) != 1 ||
	    (EVP_PKEY_is_a(ks->pub, "RSA") && (pss ?
	    keystore_pss_ctx(pctx, digest) != OR_OK :
	    EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) != 1)))
		rc = err_openssl(OR_E_CRYPTO, "preparing to verify");
	else if (EVP_DigestVerify(ctx, res, reslen, msg, len) != 1) {
		ERR_clear_error();
		rc = err_set(OR_E_VERIFY, "token \"%s\": the signature just "
		    "made does not verify with the key's public half; it was "
		    "discarded", k->slot.label);
	}
	EVP_MD_CTX_free(ctx);
	return rc;
}

/* Signs msg, or with pre (its digest, computed by the caller) that
 * digest without hashing msg (ECDSA; RSA PKCS#1 v1.5 on a token with
 * CKM_RSA_PKCS). */
static int
pkcs11_sign_pad(struct keystore *ks, const char *digest, bool pss,
    const unsigned char *msg, size_t len, const unsigned char *pre,
    unsigned char **sig, size_t *siglen)
{
	struct pkcs11_key *k = ks->impl;
	struct pkcs11_sigplan p;
	unsigned char buf[PKCS11_SIG_MAX];
	unsigned char *res = NULL;
	size_t reslen = 0;
	CK_ULONG n = sizeof buf;
	int rc;

	*sig = NULL;
	*siglen = 0;
	if (k == NULL || !k->have_session || k->discarded)
		return err_set(OR_E_INPUT, "the token key store is closed");
	memset(&p, 0, sizeof p);
	p.in = msg;
	p.inlen = len;
	p.prehashed = pre != NULL;
	if ((rc = pkcs11_sig_digest(ks, digest, pss, msg, len, pre, &p)) !=
	    OR_OK || (rc = pkcs11_sig_mech(ks, digest, pss, &p)) != OR_OK ||
	    (rc = pkcs11_sig_token(k, &p, buf, &n)) != OR_OK ||
	    (rc = pkcs11_sig_encode(ks, buf, n, &res, &reslen)) != OR_OK ||
	    (rc = pkcs11_sig_verify(ks, digest, pss, msg, len, pre, &p, res,
	    reslen)) != OR_OK)
		goto out;
	*sig = res;
	*siglen = reslen;
	res = NULL;
out:
	OPENSSL_cleanse(p.data, sizeof p.data);
	OPENSSL_free(res);
	return rc;
}

static int
pkcs11_sign(struct keystore *ks, const char *digest,
    const unsigned char *msg, size_t len, unsigned char **sig, size_t *siglen)
{
	return pkcs11_sign_pad(ks, digest, false, msg, len, NULL, sig, siglen);
}

/* ECDSA signs a digest; RSA only with raw CKM_RSA_PKCS, and only when
 * the token does not hash with this digest itself: the mechanism
 * pkcs11_sig_mech prefers (the caller then hands over the message). */
static bool
pkcs11_can_sign_digest(const struct keystore *ks, const char *digest)
{
	const struct pkcs11_key *k = ks->impl;
	size_t di;

	if (k == NULL)
		return false;
	if (ks->type == KT_EC_P256 || ks->type == KT_EC_P384)
		return true;
	for (di = 0; digest != NULL && di < PKCS11_NDIGESTS; di++)
		if (strcmp(digest, pkcs11_digests[di].name) == 0)
			return p11q_signs_digest(&k->slot.q, ks->type, di);
	return false;
}

static int
pkcs11_sign_digest(struct keystore *ks, const char *digest,
    const unsigned char *md, size_t mdlen, unsigned char **sig,
    size_t *siglen)
{
	return pkcs11_sign_pad(ks, digest, false, NULL, mdlen, md, sig,
	    siglen);
}

static int
pkcs11_sign_pss(struct keystore *ks, const char *digest,
    const unsigned char *msg, size_t len, unsigned char **sig, size_t *siglen)
{
	return pkcs11_sign_pad(ks, digest, true, msg, len, NULL, sig, siglen);
}

static void
pkcs11_close(struct keystore *ks)
{
	if (ks == NULL)
		return;
	pkcs11_free_key(ks->impl);
	EVP_PKEY_free(ks->pub);
	free(ks);
}

const struct pkcs11_keyinfo *
pkcs11_info(const struct keystore *ks)
{
	struct pkcs11_key *k;

	if (ks == NULL || ks->ops != &pkcs11_ops || (k = ks->impl) == NULL)
		return NULL;
	return &k->info;
}

int
pkcs11_discard(struct keystore *ks)
{
	struct pkcs11_key *k;
	CK_RV rv;

	if (ks == NULL || ks->ops != &pkcs11_ops || (k = ks->impl) == NULL ||
	    !(k->info.generated || k->info.imported) || k->discarded)
		return OR_OK;
	if ((rv = pkcs11_destroy(k)) != CKR_OK)
		return pkcs11_rv_err(rv, "token \"%s\": the key pair generated "
		    "for this root could not be removed (delete the objects "
		    "labelled \"%s\" with id %s by hand)", k->slot.label,
		    k->info.label, k->info.id_hex);
	return OR_OK;
}

/* ---- the key reference file ---- */

int
pkcs11_ref_format(const struct pkcs11_keyinfo *info, char **out, size_t *len)
{
	static const char fmt[] =
	    "# offroot key reference (offroot(5)): the root key is on a "
	    "PKCS#11 token\n"
	    "# and never leaves it.  No PIN is kept here.  An empty module "
	    "means the\n"
	    "# modules p11-kit is configured with.\n"
	    "uri=%s\n"
	    "module=%s\n";
	int n;

	*out = NULL;
	*len = 0;
	n = snprintf(NULL, 0, fmt, info->uri, info->module);
	if (n < 0 || (size_t)n >= PKCS11_REF_MAX)
		return err_set(OR_E_INPUT, "key reference too long");
	if ((*out = malloc((size_t)n + 1)) == NULL)
		return err_set(OR_E_NOMEM, "out of memory");
	snprintf(*out, (size_t)n + 1, fmt, info->uri, info->module);
	*len = (size_t)n;
	return OR_OK;
}

int
pkcs11_ref_parse(const unsigned char *buf, size_t len, struct pkcs11_ref *ref)
{
	const unsigned char *p = buf, *end = buf + len, *nl, *eq;
	bool have_uri = false, have_module = false;
	size_t lineno = 0, i, klen, vlen;
	char *dst;
	int rc;

	memset(ref, 0, sizeof *ref);
	if (len > PKCS11_REF_MAX)
		return err_set(OR_E_CORRUPT, "key reference: %zu bytes", len);
	for (i = 0; i < len; i++)
		if ((buf[i] < 0x20 && buf[i] != '\n') || buf[i] == 0x7f)
			return err_set(OR_E_CORRUPT, "key reference: a control "
			    "byte at offset %zu", i);
	while (p < end) {
		lineno++;
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		if (nl == p || *p == '#') {
			p = nl + (nl < end);
			continue;
		}
		if ((eq = memchr(p, '=', (size_t)(nl - p))) == NULL)
			return err_set(OR_E_CORRUPT, "key reference line %zu: "
			    "not key=value", lineno);
		klen = (size_t)(eq - p);
		vlen = (size_t)(nl - eq - 1);
		if (klen == 3 && memcmp(p, "uri", 3) == 0) {
			if (have_uri)
				return err_set(OR_E_CORRUPT, "key reference: "
				    "uri given twice");
			have_uri = true;
			dst = ref->uri;
			if (vlen >= sizeof ref->uri)
				return err_set(OR_E_CORRUPT, "key reference: "
				    "uri too long");
		} else if (klen == 6 && memcmp(p, "module", 6) == 0) {
			if (have_module)
				return err_set(OR_E_CORRUPT, "key reference: "
				    "module given twice");
			have_module = true;
			dst = ref->module;
			if (vlen >= sizeof ref->module)
				return err_set(OR_E_CORRUPT, "key reference: "
				    "module path too long");
		} else
			return err_set(OR_E_CORRUPT, "key reference line %zu: "
			    "unknown key", lineno);
		memcpy(dst, eq + 1, vlen);
		dst[vlen] = '\0';
		p = nl + (nl < end);
	}
	if (!have_uri)
		return err_set(OR_E_CORRUPT, "key reference: no uri");
	if (ref->module[0] != '\0' && ref->module[0] != '/')
		return err_set(OR_E_CORRUPT, "key reference: the module must "
		    "be an absolute path");
	if ((rc = pkcs11_uri_check(ref->uri, PKCS11_URI_KEY)) != OR_OK)
		return err_context(OR_E_CORRUPT, "key reference");
	return OR_OK;
}

/* ---- listing ---- */

static void
pkcs11_object_desc(struct pkcs11_slot *s, CK_SESSION_HANDLE h,
    CK_OBJECT_HANDLE o, bool private_key, struct pkcs11_object_desc *d)
{
	unsigned char *id = NULL, *label = NULL, *mod = NULL;
	unsigned char fp[SHA256_LEN];
	size_t idlen = 0, llen = 0, mlen = 0, z;
	enum keytype curve = KT_NONE;
	CK_KEY_TYPE kt = (CK_KEY_TYPE)-1;
	EVP_PKEY *pub = NULL;

	memset(d, 0, sizeof *d);
	d->private_key = private_key;
	if (pkcs11_attr(s, h, o, CKA_ID, &id, &idlen) == CKR_OK &&
	    idlen <= PKCS11_ID_MAX)
		hex_encode(id, idlen, d->id_hex);
	else
		idlen = 0;
	if (pkcs11_attr(s, h, o, CKA_LABEL, &label, &llen) == CKR_OK)
		pkcs11_trim(label, llen, d->label, sizeof d->label);
	pkcs11_ulong(s, h, o, CKA_KEY_TYPE, &kt);
	if (kt == CKK_RSA) {
		if (pkcs11_attr(s, h, o, CKA_MODULUS, &mod, &mlen) == CKR_OK) {
			for (z = 0; z < mlen && mod[z] == 0; z++)
				;
			snprintf(d->type, sizeof d->type, "rsa-%zu",
			    (mlen - z) * 8);
		} else
			snprintf(d->type, sizeof d->type, "rsa");
	} else if (kt == CKK_EC || kt == CKK_EC_EDWARDS) {
		curve = pkcs11_obj_curve(s, h, o);
		snprintf(d->type, sizeof d->type, "%s", curve != KT_NONE ?
		    keytype_name(curve) : kt == CKK_EC ? "ec (other curve)" :
		    "eddsa (other curve)");
	} else
		snprintf(d->type, sizeof d->type, "type 0x%lx",
		    (unsigned long)kt);
	if (private_key) {
		d->sensitive = pkcs11_bool(s, h, o, CKA_SENSITIVE, false);
		d->always_sensitive = pkcs11_bool(s, h, o,
		    CKA_ALWAYS_SENSITIVE, false);
		d->extractable = pkcs11_bool(s, h, o, CKA_EXTRACTABLE, true);
		d->never_extractable = pkcs11_bool(s, h, o,
		    CKA_NEVER_EXTRACTABLE, false);
		d->can_sign = pkcs11_bool(s, h, o, CKA_SIGN, false);
	}
	/* The public key's fingerprint, to compare with a certificate's. */
	if ((kt == CKK_RSA || (!private_key && curve != KT_NONE)) &&
	    pkcs11_public(s, h, o, kt, curve, &pub) == OR_OK &&
	    pubkey_sha256(pub, fp) == OR_OK) {
		hex_encode(fp, sizeof fp, d->pub_sha256);
		d->have_pub = true;
	}
	err_clear();
	ERR_clear_error();
	if (pkcs11_object_uri(NULL, s->label, private_key ? CKO_PRIVATE_KEY :
	    CKO_PUBLIC_KEY, id, idlen, d->label, d->uri, sizeof d->uri) !=
	    OR_OK)
		d->uri[0] = '\0';
	EVP_PKEY_free(pub);
	free(id);
	free(label);
	free(mod);
}

static int
pkcs11_list_objects(struct pkcs11_slot *s, CK_SESSION_HANDLE h,
    const struct pkcs11_visitor *v, void *ctx)
{
	struct pkcs11_object_desc d;
	CK_OBJECT_CLASS cls;
	CK_ATTRIBUTE t = { CKA_CLASS, &cls, sizeof cls };
	CK_OBJECT_HANDLE *objs = NULL;
	size_t n = 0, i;
	int pass, rc = OR_OK;

	for (pass = 0; pass < 2 && rc == OR_OK; pass++) {
		cls = pass == 0 ? CKO_PRIVATE_KEY : CKO_PUBLIC_KEY;
		if ((rc = pkcs11_find(s, h, &t, 1, &objs, &n)) != OR_OK)
			break;
		for (i = 0; i < n && rc == OR_OK; i++) {
			pkcs11_object_desc(s, h, objs[i], pass == 0, &d);
			if (v->object != NULL)
				rc = v->object(ctx, &d);
		}
		free(objs);
		objs = NULL;
	}
	return rc;
}

static void
pkcs11_token_desc(struct pkcs11_slot *s, struct pkcs11_token_desc *d)
{
	const CK_TOKEN_INFO *t = &s->tok;
	P11KitUri *uri;
	char *text = NULL;

	p11q_token_info(&s->q, t);
	d->present = true;
	d->initialised = (t->flags & CKF_TOKEN_INITIALIZED) != 0;
	d->serial_blank = s->q.serial_blank;
	snprintf(d->label, sizeof d->label, "%s", s->label);
	pkcs11_trim(t->manufacturerID, sizeof t->manufacturerID,
	    d->manufacturer, sizeof d->manufacturer);
	pkcs11_trim(t->model, sizeof t->model, d->model, sizeof d->model);
	pkcs11_trim(t->serialNumber, sizeof t->serialNumber, d->serial,
	    sizeof d->serial);
	d->login_required = (t->flags & CKF_LOGIN_REQUIRED) != 0;
	d->protected_path = (t->flags & CKF_PROTECTED_AUTHENTICATION_PATH) != 0;
	d->write_protected = (t->flags & CKF_WRITE_PROTECTED) != 0;
	d->user_pin_initialised = (t->flags & CKF_USER_PIN_INITIALIZED) != 0;
	d->pin_count_low = (t->flags & CKF_USER_PIN_COUNT_LOW) != 0;
	d->pin_final_try = (t->flags & CKF_USER_PIN_FINAL_TRY) != 0;
	d->pin_locked = (t->flags & CKF_USER_PIN_LOCKED) != 0;
	d->pin_to_be_changed = (t->flags & CKF_USER_PIN_TO_BE_CHANGED) != 0;
	if ((uri = p11_kit_uri_new()) != NULL) {
		*p11_kit_uri_get_token_info(uri) = *t;
		if (p11_kit_uri_format(uri, P11_KIT_URI_FOR_TOKEN, &text) ==
		    P11_KIT_URI_OK && text != NULL)
			snprintf(d->uri, sizeof d->uri, "%s", text);
		free(text);
		p11_kit_uri_free(uri);
	}
}

static void
pkcs11_module_desc(CK_FUNCTION_LIST *fn, const CK_INFO *info,
    struct pkcs11_module_desc *d)
{
	char *name, *file;

	memset(d, 0, sizeof *d);
	name = p11_kit_module_get_name(fn);
	file = p11_kit_module_get_filename(fn);
	snprintf(d->path, sizeof d->path, "%s", file != NULL ? file : "");
	snprintf(d->name, sizeof d->name, "%s", name != NULL ? name :
	    file != NULL ? file : "?");
	free(name);
	free(file);
	pkcs11_trim(info->libraryDescription, sizeof info->libraryDescription,
	    d->description, sizeof d->description);
	pkcs11_trim(info->manufacturerID, sizeof info->manufacturerID,
	    d->manufacturer, sizeof d->manufacturer);
	d->version_major = info->libraryVersion.major;
	d->version_minor = info->libraryVersion.minor;
}

/* What pkcs11_list walks with, module by module and slot by slot. */
struct pkcs11_walk {
	P11KitUri *uri;				/* NULL: every token */
	const struct pkcs11_slot *login;	/* the token to log in to */
	struct interact *io;
	const struct pkcs11_visitor *v;
	void *ctx;
};

/* What offroot learned about the token and will use on it: its
 * mechanism list is read (no login). */
static int
pkcs11_list_quirks(const struct pkcs11_walk *w, struct pkcs11_slot *s)
{
	struct pkcs11_quirks_desc d;
	int rc;

	if ((rc = pkcs11_learn_mechs(s)) != OR_OK)
		return rc;
	p11q_describe(&s->q, &d);
	return w->v->quirks(w->ctx, &d);
}

/* A present token: described (after the login, on the token to log in
 * to), then its key objects when it is initialised. */
static int
pkcs11_list_token(const struct pkcs11_walk *w, struct pkcs11_slot *s,
    struct pkcs11_token_desc *td)
{
	CK_FUNCTION_LIST *fn = s->fn;
	CK_SESSION_HANDLE h = CK_INVALID_HANDLE;
	CK_RV rv;
	bool session = false;
	int rc = OR_OK;

	pkcs11_token_desc(s, td);
	if (td->initialised) {
		if ((rv = fn->C_OpenSession(s->id, CKF_SERIAL_SESSION, NULL,
		    NULL, &h)) != CKR_OK)
			return pkcs11_rv_err(rv, "token \"%s\": opening a "
			    "session", s->label);
		session = true;
	}
	if (session && w->login != NULL && w->login->fn == fn &&
	    w->login->id == s->id) {
		if ((rc = pkcs11_login(s, h, w->io, NULL)) != OR_OK) {
			fn->C_CloseSession(h);
			return rc;
		}
		/* the flags after the login */
		pkcs11_token_desc(s, td);
		td->logged_in = true;
	}
	if (w->v->token != NULL)
		rc = w->v->token(w->ctx, td);
	if (rc == OR_OK && td->initialised && w->v->quirks != NULL)
		rc = pkcs11_list_quirks(w, s);
	if (rc == OR_OK && session)
		rc = pkcs11_list_objects(s, h, w->v, w->ctx);
	if (session) {
		if (td->logged_in && (s->tok.flags & CKF_LOGIN_REQUIRED))
			fn->C_Logout(h);
		fn->C_CloseSession(h);
	}
	return rc;
}

/* One slot of fn: an empty one is listed only when no URI narrows the
 * list; a token only when the URI matches it. */
static int
pkcs11_list_slot(const struct pkcs11_walk *w, CK_FUNCTION_LIST *fn,
    CK_SLOT_ID id)
{
	struct pkcs11_token_desc td;
	struct pkcs11_slot s;
	CK_SLOT_INFO si;
	CK_RV rv;

	memset(&td, 0, sizeof td);
	memset(&s, 0, sizeof s);
	td.slot = (unsigned long)id;
	if ((rv = fn->C_GetSlotInfo(id, &si)) != CKR_OK)
		return pkcs11_rv_err(rv, "reading slot %lu",
		    (unsigned long)id);
	if (!pkcs11_slot_matches(w->uri, id, &si))
		return OR_OK;
	pkcs11_trim(si.slotDescription, sizeof si.slotDescription,
	    td.slot_description, sizeof td.slot_description);
	s.fn = fn;
	s.id = id;
	rv = (si.flags & CKF_TOKEN_PRESENT) ? fn->C_GetTokenInfo(id, &s.tok) :
	    CKR_TOKEN_NOT_PRESENT;
	if (rv == CKR_TOKEN_NOT_PRESENT || rv == CKR_TOKEN_NOT_RECOGNIZED)
		return w->uri == NULL && w->v->token != NULL ?
		    w->v->token(w->ctx, &td) : OR_OK;
	if (rv != CKR_OK)
		return pkcs11_rv_err(rv, "reading the token in slot %lu",
		    (unsigned long)id);
	if (w->uri != NULL && !p11_kit_uri_match_token_info(w->uri, &s.tok))
		return OR_OK;
	pkcs11_trim(s.tok.label, sizeof s.tok.label, s.label, sizeof s.label);
	return pkcs11_list_token(w, &s, &td);
}

/* One module, when the URI matches it, and every slot it has. */
static int
pkcs11_list_module(const struct pkcs11_walk *w, CK_FUNCTION_LIST *fn)
{
	struct pkcs11_module_desc md;
	CK_SLOT_ID *ids = NULL;
	CK_INFO info;
	CK_ULONG ns = 0, j;
	CK_RV rv;
	int rc;

	if ((rv = fn->C_GetInfo(&info)) != CKR_OK)
		return pkcs11_rv_err(rv, "asking a PKCS#11 module about "
		    "itself");
	if (w->uri != NULL && (!p11_kit_uri_match_module_info(w->uri, &info) ||
	    !pkcs11_match_module(w->uri, fn)))
		return OR_OK;
	pkcs11_module_desc(fn, &info, &md);
	if (w->v->module != NULL && (rc = w->v->module(w->ctx, &md)) != OR_OK)
		return rc;
	if ((rc = pkcs11_slot_list(fn, false, &ids, &ns)) != OR_OK)
		return rc;
	for (j = 0; j < ns && rc == OR_OK; j++)
		rc = pkcs11_list_slot(w, fn, ids[j]);
	free(ids);
	return rc;
}

int
pkcs11_list(const char *module, const char *token_uri, bool login,
    struct interact *io, const struct pkcs11_visitor *v, void *ctx)
{
	struct pkcs11_walk w = { NULL, NULL, io, v, ctx };
	struct pkcs11_mods mods;
	struct pkcs11_slot *match = NULL;
	size_t i, nmatch = 0;
	bool loaded = false;
	int rc;

	if (token_uri != NULL && (rc = pkcs11_uri_parse(token_uri,
	    PKCS11_URI_TOKEN, &w.uri)) != OR_OK)
		return rc;
	if ((rc = pkcs11_load(module, &mods)) != OR_OK)
		goto out;
	loaded = true;
	if (login) {
		if ((rc = pkcs11_tokens(&mods, w.uri, &match, &nmatch)) !=
		    OR_OK)
			goto out;
		if (nmatch != 1) {
			rc = err_set(nmatch == 0 ? OR_E_ENV : OR_E_USAGE,
			    "--login: %zu tokens match; name one with --token "
			    "URI (a PIN tried on the wrong token counts "
			    "against it)", nmatch);
			goto out;
		}
		w.login = &match[0];
	}
	for (i = 0; mods.list[i] != NULL && rc == OR_OK; i++)
		rc = pkcs11_list_module(&w, mods.list[i]);
out:
	free(match);
	if (loaded)
		pkcs11_unload(&mods);
	if (w.uri != NULL)
		p11_kit_uri_free(w.uri);
	return rc;
}

/* ---- a session for p11import.c, and the key it puts on the token ---- */

int
pkcs11_session_open(const char *module, const char *token_uri,
    struct interact *io, struct pkcs11_key **out)
{
	P11KitUri *uri = NULL;
	int rc;

	*out = NULL;
	if ((rc = pkcs11_uri_parse(token_uri, PKCS11_URI_TOKEN, &uri)) ==
	    OR_OK)
		rc = pkcs11_begin(module, uri, token_uri, true, io, out);
	if (uri != NULL)
		p11_kit_uri_free(uri);
	if (rc == OR_OK && ((*out)->slot.tok.flags & CKF_WRITE_PROTECTED)) {
		rc = err_set(OR_E_ENV, "token \"%s\" is write-protected",
		    (*out)->slot.label);
		pkcs11_free_key(*out);
		*out = NULL;
	}
	return rc;
}

void
pkcs11_session_get(const struct pkcs11_key *k, struct pkcs11_session_view *v)
{
	v->fn = k->slot.fn;
	v->session = k->session;
	v->slot = k->slot.id;
	v->label = k->slot.label;
}

int
pkcs11_session_adopt(struct pkcs11_key *k, unsigned long priv,
    unsigned long pub, enum keytype type, const char *pss_digest,
    struct interact *io, struct keystore **out)
{
	EVP_PKEY *pk = NULL;
	CK_KEY_TYPE kt = type == KT_ED25519 ? CKK_EC_EDWARDS :
	    (type == KT_RSA_3072 || type == KT_RSA_4096) ? CKK_RSA : CKK_EC;
	int rc;

	*out = NULL;
	k->priv = priv;
	k->pubobj = pub;
	k->have_pubobj = true;
	k->info.imported = true;
	if ((rc = pkcs11_fill_key(k)) != OR_OK ||
	    (rc = pkcs11_fill_usage(k)) != OR_OK ||
	    (rc = pkcs11_public(&k->slot, k->session, pub, kt, type, &pk)) !=
	    OR_OK || (rc = pkcs11_sign_mechs(k, type)) != OR_OK ||
	    (rc = pkcs11_check_pss(k, type, pss_digest)) != OR_OK)
		goto out;
	rc = pkcs11_settle_new(k, type, pk, io, out);
	k = NULL;
	pk = NULL;
out:
	pkcs11_destroy_quietly(k, io);
	pkcs11_free_key(k);
	EVP_PKEY_free(pk);
	return rc;
}

void
pkcs11_session_close(struct pkcs11_key *k)
{
	pkcs11_free_key(k);
}
