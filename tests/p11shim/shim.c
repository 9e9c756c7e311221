/*
 * shim.c — a fault-injecting PKCS#11 module, for offroot's tests only.
 *
 * SoftHSM2 cannot be pulled out of its slot or run low on PIN attempts, so
 * the tests load this module instead.  It loads the real module, forwards
 * every call through the real module's function list, and misbehaves as
 * the environment asks:
 *
 *   P11SHIM_MODULE=PATH      the real module (default: Debian's SoftHSM2)
 *   P11SHIM_FAIL=FN:N        the Nth call of FN (C_Sign, C_SignInit,
 *                            C_GenerateKeyPair, C_Login, ...) fails, and from
 *                            then on the token is gone: every call but
 *                            C_Initialize, C_Finalize and C_GetInfo fails
 *                            the same way (sessions are still closed in the
 *                            real module, so that it finalises cleanly)
 *   P11SHIM_RV=NAME          what the failing calls return: CKR_DEVICE_REMOVED
 *                            (default), CKR_TOKEN_NOT_PRESENT,
 *                            CKR_GENERAL_ERROR, CKR_DEVICE_ERROR, ... or a
 *                            number (anything else: CKR_GENERAL_ERROR)
 *   P11SHIM_TOKEN_FLAGS=LIST count-low,final-try,locked: ORed into the flags
 *                            C_GetTokenInfo reports (CKF_USER_PIN_*);
 *                            blind: those three cleared, as a module that
 *                            counts no failed PINs (tpm2-pkcs11) reports
 *   P11SHIM_LOGIN_RV=NAME    C_Login returns this (e.g. CKR_PIN_LOCKED)
 *                            without asking the real module
 *   P11SHIM_HIDE_MECH=LIST   a token without these mechanisms (comma-
 *                            separated CKM_ names, or numbers):
 *                            C_GetMechanismList leaves them out,
 *                            C_GetMechanismInfo, C_GenerateKeyPair and
 *                            C_SignInit answer CKR_MECHANISM_INVALID
 *   P11SHIM_REFUSE_MECH=LIST a token that lists these mechanisms but whose
 *                            keys may not use them: C_SignInit answers
 *                            CKR_KEY_FUNCTION_NOT_PERMITTED (tpm2-pkcs11 does
 *                            raw CKM_RSA_PKCS as a decryption, which a
 *                            sign-only key may not do); logged "REFUSED"
 *   P11SHIM_ATTR_TRUE=LIST   CKA_DECRYPT, CKA_DERIVE, CKA_UNWRAP (comma-
 *                            separated): C_GetAttributeValue reports them
 *                            CK_TRUE, as a token that ignored the template
 *   P11SHIM_ID_TAKEN=HEX     a search by CKA_ID alone (a new key's random id
 *                            checked for a collision) looks for the id HEX
 *                            instead, as if the random draw had hit it;
 *                            logged as "C_FindObjectsInit ID_TAKEN"
 *   P11SHIM_LOG=FILE         appends one line per call: its name, and
 *                            "FAULT" after the name of an injected failure,
 *                            "HIDDEN" after a call refused for a hidden
 *                            mechanism; C_SignInit also logs
 *                            "SIGN_MECH 0x..." (the mechanism asked for)
 *
 * These variables configure test infrastructure; offroot itself never
 * reads secrets from the environment.  Counters live in this process.
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <p11-kit/pkcs11.h>

#define SHIM_DEFAULT_MODULE	"/usr/lib/softhsm/libsofthsm2.so"

static CK_FUNCTION_LIST *real;		/* the real module's list */
static CK_FUNCTION_LIST shim;		/* ours: the real one, wrapped */
static void *handle;
static int removed;			/* the fault has happened */
static unsigned long fail_count;	/* calls of the failing function */

static const struct {
	const char *name;
	CK_RV rv;
} shim_rvs[] = {
	{ "CKR_DEVICE_REMOVED", CKR_DEVICE_REMOVED },
	{ "CKR_TOKEN_NOT_PRESENT", CKR_TOKEN_NOT_PRESENT },
	{ "CKR_GENERAL_ERROR", CKR_GENERAL_ERROR },
	{ "CKR_DEVICE_ERROR", CKR_DEVICE_ERROR },
	{ "CKR_FUNCTION_FAILED", CKR_FUNCTION_FAILED },
	{ "CKR_PIN_LOCKED", CKR_PIN_LOCKED },
	{ "CKR_PIN_INCORRECT", CKR_PIN_INCORRECT },
	{ NULL, 0 }
};

static CK_RV
shim_rv(const char *var, CK_RV dflt)
{
	const char *v = getenv(var);
	char *end;
	CK_RV rv;
	int i;

	if (v == NULL || *v == '\0')
		return dflt;
	for (i = 0; shim_rvs[i].name != NULL; i++)
		if (strcmp(v, shim_rvs[i].name) == 0)
			return shim_rvs[i].rv;
	/* A number; anything else (or CKR_OK) must still be a failure. */
	rv = strtoul(v, &end, 0);
	return *end == '\0' && rv != CKR_OK ? rv : CKR_GENERAL_ERROR;
}

static const struct {
	const char *name;
	CK_MECHANISM_TYPE mech;
} shim_mechs[] = {
	{ "CKM_RSA_PKCS_KEY_PAIR_GEN", CKM_RSA_PKCS_KEY_PAIR_GEN },
	{ "CKM_RSA_PKCS", CKM_RSA_PKCS },
	{ "CKM_RSA_PKCS_PSS", CKM_RSA_PKCS_PSS },
	{ "CKM_SHA256_RSA_PKCS", CKM_SHA256_RSA_PKCS },
	{ "CKM_SHA384_RSA_PKCS", CKM_SHA384_RSA_PKCS },
	{ "CKM_SHA512_RSA_PKCS", CKM_SHA512_RSA_PKCS },
	{ "CKM_SHA256_RSA_PKCS_PSS", CKM_SHA256_RSA_PKCS_PSS },
	{ "CKM_SHA384_RSA_PKCS_PSS", CKM_SHA384_RSA_PKCS_PSS },
	{ "CKM_SHA512_RSA_PKCS_PSS", CKM_SHA512_RSA_PKCS_PSS },
	{ "CKM_EC_KEY_PAIR_GEN", CKM_EC_KEY_PAIR_GEN },
	{ "CKM_ECDSA", CKM_ECDSA },
	{ "CKM_ECDSA_SHA256", CKM_ECDSA_SHA256 },
	{ "CKM_ECDSA_SHA384", CKM_ECDSA_SHA384 },
	{ "CKM_ECDSA_SHA512", CKM_ECDSA_SHA512 },
	{ "CKM_EC_EDWARDS_KEY_PAIR_GEN", CKM_EC_EDWARDS_KEY_PAIR_GEN },
	{ "CKM_EDDSA", CKM_EDDSA },
	{ NULL, 0 }
};

/* Whether the list in the variable var names mech.  An unknown name
 * names nothing (a typo in a test then shows as a test failure, not as a
 * token). */
static int
shim_listed(const char *var, CK_MECHANISM_TYPE mech)
{
	const char *v = getenv(var), *p, *end;
	char name[64], *e;
	size_t len;
	int i;

	if (v == NULL)
		return 0;
	for (p = v; *p != '\0'; p = *end == ',' ? end + 1 : end) {
		if ((end = strchr(p, ',')) == NULL)
			end = p + strlen(p);
		if ((len = (size_t)(end - p)) == 0 || len >= sizeof name)
			continue;
		memcpy(name, p, len);
		name[len] = '\0';
		for (i = 0; shim_mechs[i].name != NULL; i++)
			if (strcmp(name, shim_mechs[i].name) == 0 &&
			    shim_mechs[i].mech == mech)
				return 1;
		if (strtoul(name, &e, 0) == mech && *e == '\0')
			return 1;
	}
	return 0;
}

static int
shim_hidden(CK_MECHANISM_TYPE mech)
{
	return shim_listed("P11SHIM_HIDE_MECH", mech);
}

static void
shim_log(const char *fn, const char *what)
{
	const char *path = getenv("P11SHIM_LOG");
	FILE *f;

	if (path == NULL || (f = fopen(path, "a")) == NULL)
		return;
	fprintf(f, "%s%s\n", fn, what);
	fclose(f);
}

/* Called on entry to every wrapped function: CKR_OK to forward the call,
 * else the injected failure. */
static CK_RV
shim_enter(const char *fn)
{
	const char *spec = getenv("P11SHIM_FAIL"), *colon;
	size_t len;

	shim_log(fn, "");
	if (!removed && spec != NULL && (colon = strchr(spec, ':')) != NULL) {
		len = (size_t)(colon - spec);
		if (strlen(fn) == len && strncmp(fn, spec, len) == 0 &&
		    ++fail_count == strtoul(colon + 1, NULL, 10))
			removed = 1;
	}
	if (!removed)
		return CKR_OK;
	shim_log(fn, " FAULT");
	return shim_rv("P11SHIM_RV", CKR_DEVICE_REMOVED);
}

/* A wrapper that forwards unless a fault is due. */
#define SHIM_FWD(fn, params, args)					\
static CK_RV								\
shim_##fn params							\
{									\
	CK_RV rv_;							\
									\
	if ((rv_ = shim_enter(#fn)) != CKR_OK)				\
		return rv_;						\
	return real->fn args;						\
}

SHIM_FWD(C_GetSlotList, (CK_BBOOL p, CK_SLOT_ID_PTR l, CK_ULONG_PTR n),
    (p, l, n))
SHIM_FWD(C_GetSlotInfo, (CK_SLOT_ID s, CK_SLOT_INFO_PTR i), (s, i))
SHIM_FWD(C_OpenSession, (CK_SLOT_ID s, CK_FLAGS f, CK_VOID_PTR a,
    CK_NOTIFY cb, CK_SESSION_HANDLE_PTR h), (s, f, a, cb, h))
SHIM_FWD(C_GetSessionInfo, (CK_SESSION_HANDLE h, CK_SESSION_INFO_PTR i),
    (h, i))
SHIM_FWD(C_FindObjects, (CK_SESSION_HANDLE h, CK_OBJECT_HANDLE_PTR o,
    CK_ULONG max, CK_ULONG_PTR n), (h, o, max, n))
SHIM_FWD(C_FindObjectsFinal, (CK_SESSION_HANDLE h), (h))
SHIM_FWD(C_DestroyObject, (CK_SESSION_HANDLE h, CK_OBJECT_HANDLE o), (h, o))
SHIM_FWD(C_CreateObject, (CK_SESSION_HANDLE h, CK_ATTRIBUTE_PTR t,
    CK_ULONG n, CK_OBJECT_HANDLE_PTR o), (h, t, n, o))
SHIM_FWD(C_UnwrapKey, (CK_SESSION_HANDLE h, CK_MECHANISM_PTR m,
    CK_OBJECT_HANDLE k, CK_BYTE_PTR w, CK_ULONG wn, CK_ATTRIBUTE_PTR t,
    CK_ULONG n, CK_OBJECT_HANDLE_PTR o), (h, m, k, w, wn, t, n, o))
SHIM_FWD(C_Sign, (CK_SESSION_HANDLE h, CK_BYTE_PTR d, CK_ULONG dn,
    CK_BYTE_PTR s, CK_ULONG_PTR sn), (h, d, dn, s, sn))
SHIM_FWD(C_SignUpdate, (CK_SESSION_HANDLE h, CK_BYTE_PTR d, CK_ULONG dn),
    (h, d, dn))
SHIM_FWD(C_SignFinal, (CK_SESSION_HANDLE h, CK_BYTE_PTR s, CK_ULONG_PTR sn),
    (h, s, sn))

/* After a fault these still close what the real module holds. */
#define SHIM_CLOSE(fn, params, args)					\
static CK_RV								\
shim_##fn params							\
{									\
	CK_RV rv_ = shim_enter(#fn), real_ = real->fn args;		\
									\
	return rv_ != CKR_OK ? rv_ : real_;				\
}

SHIM_CLOSE(C_CloseSession, (CK_SESSION_HANDLE h), (h))
SHIM_CLOSE(C_CloseAllSessions, (CK_SLOT_ID s), (s))
SHIM_CLOSE(C_Logout, (CK_SESSION_HANDLE h), (h))

/* The token's mechanisms without the hidden ones. */
static CK_RV
shim_C_GetMechanismList(CK_SLOT_ID s, CK_MECHANISM_TYPE_PTR l,
    CK_ULONG_PTR n)
{
	CK_MECHANISM_TYPE *all = NULL;
	CK_ULONG total = 0, i, kept = 0;
	CK_RV rv;

	if ((rv = shim_enter("C_GetMechanismList")) != CKR_OK)
		return rv;
	if (getenv("P11SHIM_HIDE_MECH") == NULL)
		return real->C_GetMechanismList(s, l, n);
	if (n == NULL)
		return CKR_ARGUMENTS_BAD;
	if ((rv = real->C_GetMechanismList(s, NULL, &total)) != CKR_OK)
		return rv;
	if ((all = calloc(total + 1, sizeof *all)) == NULL)
		return CKR_HOST_MEMORY;
	if ((rv = real->C_GetMechanismList(s, all, &total)) != CKR_OK)
		goto out;
	for (i = 0; i < total; i++)
		if (!shim_hidden(all[i]))
			all[kept++] = all[i];
	if (l != NULL && *n < kept)
		rv = CKR_BUFFER_TOO_SMALL;
	else if (l != NULL)
		memcpy(l, all, kept * sizeof *all);
	*n = kept;
out:
	free(all);
	return rv;
}

static CK_RV
shim_C_GetMechanismInfo(CK_SLOT_ID s, CK_MECHANISM_TYPE t,
    CK_MECHANISM_INFO_PTR i)
{
	CK_RV rv;

	if ((rv = shim_enter("C_GetMechanismInfo")) != CKR_OK)
		return rv;
	if (shim_hidden(t)) {
		shim_log("C_GetMechanismInfo", " HIDDEN");
		return CKR_MECHANISM_INVALID;
	}
	return real->C_GetMechanismInfo(s, t, i);
}

static CK_RV
shim_C_GenerateKeyPair(CK_SESSION_HANDLE h, CK_MECHANISM_PTR m,
    CK_ATTRIBUTE_PTR pt, CK_ULONG np, CK_ATTRIBUTE_PTR vt, CK_ULONG nv,
    CK_OBJECT_HANDLE_PTR pub, CK_OBJECT_HANDLE_PTR priv)
{
	CK_RV rv;

	if ((rv = shim_enter("C_GenerateKeyPair")) != CKR_OK)
		return rv;
	if (m != NULL && shim_hidden(m->mechanism)) {
		shim_log("C_GenerateKeyPair", " HIDDEN");
		return CKR_MECHANISM_INVALID;
	}
	return real->C_GenerateKeyPair(h, m, pt, np, vt, nv, pub, priv);
}

static CK_RV
shim_C_SignInit(CK_SESSION_HANDLE h, CK_MECHANISM_PTR m, CK_OBJECT_HANDLE k)
{
	char mech[32];
	CK_RV rv;

	if ((rv = shim_enter("C_SignInit")) != CKR_OK)
		return rv;
	if (m != NULL) {
		snprintf(mech, sizeof mech, " 0x%lx", (unsigned long)m->mechanism);
		shim_log("SIGN_MECH", mech);
	}
	if (m != NULL && shim_hidden(m->mechanism)) {
		shim_log("C_SignInit", " HIDDEN");
		return CKR_MECHANISM_INVALID;
	}
	if (m != NULL && shim_listed("P11SHIM_REFUSE_MECH", m->mechanism)) {
		shim_log("C_SignInit", " REFUSED");
		return CKR_KEY_FUNCTION_NOT_PERMITTED;
	}
	return real->C_SignInit(h, m, k);
}

/* The attributes, with the usage flags P11SHIM_ATTR_TRUE names set. */
static CK_RV
shim_C_GetAttributeValue(CK_SESSION_HANDLE h, CK_OBJECT_HANDLE o,
    CK_ATTRIBUTE_PTR t, CK_ULONG n)
{
	static const struct {
		const char *name;
		CK_ATTRIBUTE_TYPE type;
	} names[] = {
		{ "CKA_DECRYPT", CKA_DECRYPT },
		{ "CKA_DERIVE", CKA_DERIVE },
		{ "CKA_UNWRAP", CKA_UNWRAP },
	};
	const char *v = getenv("P11SHIM_ATTR_TRUE");
	CK_ULONG i;
	size_t j;
	CK_RV rv;

	if ((rv = shim_enter("C_GetAttributeValue")) != CKR_OK ||
	    (rv = real->C_GetAttributeValue(h, o, t, n)) != CKR_OK ||
	    v == NULL)
		return rv;
	for (i = 0; i < n; i++)
		for (j = 0; j < sizeof names / sizeof names[0]; j++)
			if (t[i].type == names[j].type &&
			    strstr(v, names[j].name) != NULL &&
			    t[i].pValue != NULL &&
			    t[i].ulValueLen == sizeof(CK_BBOOL))
				*(CK_BBOOL *)t[i].pValue = CK_TRUE;
	return CKR_OK;
}

static CK_RV
shim_C_FindObjectsInit(CK_SESSION_HANDLE h, CK_ATTRIBUTE_PTR t, CK_ULONG n)
{
	const char *hex = getenv("P11SHIM_ID_TAKEN");
	unsigned char id[64];
	CK_ATTRIBUTE a;
	size_t len = 0;
	unsigned int byte;
	CK_RV rv;

	if ((rv = shim_enter("C_FindObjectsInit")) != CKR_OK)
		return rv;
	if (hex == NULL || n != 1 || t == NULL || t[0].type != CKA_ID)
		return real->C_FindObjectsInit(h, t, n);
	for (; hex[0] != '\0' && hex[1] != '\0' && len < sizeof id; hex += 2)
		if (sscanf(hex, "%2x", &byte) == 1)
			id[len++] = (unsigned char)byte;
	shim_log("C_FindObjectsInit", " ID_TAKEN");
	a.type = CKA_ID;
	a.pValue = id;
	a.ulValueLen = len;
	return real->C_FindObjectsInit(h, &a, 1);
}

static CK_RV
shim_C_GetTokenInfo(CK_SLOT_ID s, CK_TOKEN_INFO_PTR ti)
{
	const char *flags = getenv("P11SHIM_TOKEN_FLAGS");
	CK_RV rv;

	if ((rv = shim_enter("C_GetTokenInfo")) != CKR_OK ||
	    (rv = real->C_GetTokenInfo(s, ti)) != CKR_OK || flags == NULL)
		return rv;
	if (strstr(flags, "blind") != NULL)
		ti->flags &= ~(CK_FLAGS)(CKF_USER_PIN_COUNT_LOW |
		    CKF_USER_PIN_FINAL_TRY | CKF_USER_PIN_LOCKED);
	if (strstr(flags, "count-low") != NULL)
		ti->flags |= CKF_USER_PIN_COUNT_LOW;
	if (strstr(flags, "final-try") != NULL)
		ti->flags |= CKF_USER_PIN_FINAL_TRY;
	if (strstr(flags, "locked") != NULL)
		ti->flags |= CKF_USER_PIN_LOCKED;
	return CKR_OK;
}

static CK_RV
shim_C_Login(CK_SESSION_HANDLE h, CK_USER_TYPE u, CK_UTF8CHAR_PTR pin,
    CK_ULONG len)
{
	CK_RV rv;

	if ((rv = shim_enter("C_Login")) != CKR_OK)
		return rv;
	if (getenv("P11SHIM_LOGIN_RV") != NULL) {
		shim_log("C_Login", " REFUSED");
		return shim_rv("P11SHIM_LOGIN_RV", CKR_PIN_LOCKED);
	}
	return real->C_Login(h, u, pin, len);
}

static CK_RV
shim_C_Initialize(CK_VOID_PTR args)
{
	shim_log("C_Initialize", "");
	return real->C_Initialize(args);
}

static CK_RV
shim_C_Finalize(CK_VOID_PTR reserved)
{
	shim_log("C_Finalize", "");
	return real->C_Finalize(reserved);
}

CK_RV
C_GetFunctionList(CK_FUNCTION_LIST_PTR_PTR out)
{
	const char *path = getenv("P11SHIM_MODULE");
	CK_C_GetFunctionList get;
	CK_RV rv;

	if (out == NULL)
		return CKR_ARGUMENTS_BAD;
	if (real == NULL) {
		if (path == NULL || *path == '\0')
			path = SHIM_DEFAULT_MODULE;
		if ((handle = dlopen(path, RTLD_NOW | RTLD_LOCAL)) == NULL ||
		    (get = (CK_C_GetFunctionList)dlsym(handle,
		    "C_GetFunctionList")) == NULL)
			return CKR_GENERAL_ERROR;
		if ((rv = get(&real)) != CKR_OK)
			return rv;
		/* Every call goes through the real list; ours replaces the
		 * functions offroot uses with the wrappers above. */
		shim = *real;
		shim.C_GetFunctionList = C_GetFunctionList;
#define SHIM_SET(fn)	shim.fn = shim_##fn
		SHIM_SET(C_Initialize);
		SHIM_SET(C_Finalize);
		SHIM_SET(C_GetSlotList);
		SHIM_SET(C_GetSlotInfo);
		SHIM_SET(C_GetTokenInfo);
		SHIM_SET(C_GetMechanismList);
		SHIM_SET(C_GetMechanismInfo);
		SHIM_SET(C_OpenSession);
		SHIM_SET(C_CloseSession);
		SHIM_SET(C_CloseAllSessions);
		SHIM_SET(C_GetSessionInfo);
		SHIM_SET(C_Login);
		SHIM_SET(C_Logout);
		SHIM_SET(C_FindObjectsInit);
		SHIM_SET(C_FindObjects);
		SHIM_SET(C_FindObjectsFinal);
		SHIM_SET(C_GetAttributeValue);
		SHIM_SET(C_GenerateKeyPair);
		SHIM_SET(C_DestroyObject);
		SHIM_SET(C_CreateObject);
		SHIM_SET(C_UnwrapKey);
		SHIM_SET(C_SignInit);
		SHIM_SET(C_Sign);
		SHIM_SET(C_SignUpdate);
		SHIM_SET(C_SignFinal);
#undef SHIM_SET
	}
	*out = &shim;
	return CKR_OK;
}
