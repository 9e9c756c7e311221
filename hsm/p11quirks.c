/*
 * p11quirks.c — the token quirks table (p11quirks.h): what a PKCS#11
 * module told offroot about one token at run time, and the decisions
 * pkcs11.c takes from it.  Modules differ (SoftHSM2 hashes and pads
 * anything, tpm2-pkcs11 does raw CKM_RSA_PKCS as a TPM decryption, keeps
 * no failed-PIN count and gives every token the serial 0000...), and
 * offroot tells them apart by their answers, never by their names: the
 * mechanisms listed with their flags and key sizes, the PIN flags seen
 * before and after a failed login, the serial, and the attributes a new
 * key did not get as asked.
 *
 * No PKCS#11 call is made here: pkcs11.c asks the module and records the
 * answers; this file keeps them and says what follows, in words the
 * officer reads (offroot tokens --mechanisms) and in the mechanism that
 * signs.
 */
#include <stdio.h>
#include <string.h>

#include "keystore.h"
#include "pkcs11.h"

/* Last but one: p11-kit's pkcs11.h renames identifiers ("value",
 * "count") that the headers above use. */
#include <p11-kit/p11-kit.h>

#include "p11quirks.h"

/* The mechanisms offroot looks at; P11Q_NMECHS of them. */
enum {
	MQ_EC_GEN, MQ_ECDSA, MQ_ED_GEN, MQ_EDDSA, MQ_RSA_GEN, MQ_RSA, MQ_PSS,
	MQ_RSA_SHA256, MQ_RSA_SHA384, MQ_RSA_SHA512,
	MQ_PSS_SHA256, MQ_PSS_SHA384, MQ_PSS_SHA512,
};

static const struct {
	CK_MECHANISM_TYPE mech;
	const char *name;
} p11q_mechs[P11Q_NMECHS] = {
	{ CKM_EC_KEY_PAIR_GEN, "CKM_EC_KEY_PAIR_GEN" },
	{ CKM_ECDSA, "CKM_ECDSA" },
	{ CKM_EC_EDWARDS_KEY_PAIR_GEN, "CKM_EC_EDWARDS_KEY_PAIR_GEN" },
	{ CKM_EDDSA, "CKM_EDDSA" },
	{ CKM_RSA_PKCS_KEY_PAIR_GEN, "CKM_RSA_PKCS_KEY_PAIR_GEN" },
	{ CKM_RSA_PKCS, "CKM_RSA_PKCS" },
	{ CKM_RSA_PKCS_PSS, "CKM_RSA_PKCS_PSS" },
	{ CKM_SHA256_RSA_PKCS, "CKM_SHA256_RSA_PKCS" },
	{ CKM_SHA384_RSA_PKCS, "CKM_SHA384_RSA_PKCS" },
	{ CKM_SHA512_RSA_PKCS, "CKM_SHA512_RSA_PKCS" },
	{ CKM_SHA256_RSA_PKCS_PSS, "CKM_SHA256_RSA_PKCS_PSS" },
	{ CKM_SHA384_RSA_PKCS_PSS, "CKM_SHA384_RSA_PKCS_PSS" },
	{ CKM_SHA512_RSA_PKCS_PSS, "CKM_SHA512_RSA_PKCS_PSS" },
};

static int
p11q_index(CK_MECHANISM_TYPE mech)
{
	int i;

	for (i = 0; i < P11Q_NMECHS; i++)
		if (p11q_mechs[i].mech == mech)
			return i;
	return -1;
}

void
p11q_init(struct p11quirks *q)
{
	memset(q, 0, sizeof *q);
}

bool
p11q_wants(CK_MECHANISM_TYPE mech)
{
	return p11q_index(mech) >= 0;
}

void
p11q_add_mech(struct p11quirks *q, CK_MECHANISM_TYPE mech,
    const CK_MECHANISM_INFO *mi)
{
	int i = p11q_index(mech);

	if (i < 0)
		return;
	q->m[i].listed = true;
	q->m[i].flags = mi->flags;
	q->m[i].min = mi->ulMinKeySize;
	q->m[i].max = mi->ulMaxKeySize;
}

void
p11q_token_info(struct p11quirks *q, const CK_TOKEN_INFO *ti)
{
	size_t n = sizeof ti->serialNumber, i;

	if (ti->flags & (CKF_USER_PIN_COUNT_LOW | CKF_USER_PIN_FINAL_TRY |
	    CKF_USER_PIN_LOCKED))
		q->pins = P11Q_PINS_COUNTED;
	/* Blank-padded; all zeros or all blank tells no token apart. */
	q->serial_blank = true;
	for (i = 0; i < n; i++)
		if (ti->serialNumber[i] != '0' && ti->serialNumber[i] != ' ')
			q->serial_blank = false;
}

void
p11q_login_failed(struct p11quirks *q, const CK_TOKEN_INFO *after)
{
	if (after != NULL)
		p11q_token_info(q, after);
	if (q->pins != P11Q_PINS_COUNTED && after != NULL)
		q->pins = P11Q_PINS_BLIND;
}

void
p11q_refused(struct p11quirks *q, const char *attr)
{
	size_t n = strlen(q->refused);

	snprintf(q->refused + n, sizeof q->refused - n, "%s%s",
	    n > 0 ? ", " : "", attr);
}

bool
p11q_has(const struct p11quirks *q, CK_MECHANISM_TYPE mech, CK_FLAGS need,
    CK_ULONG bits)
{
	int i = p11q_index(mech);

	if (i < 0 || !q->m[i].listed || (q->m[i].flags & need) != need)
		return false;
	return bits == 0 || q->m[i].max == 0 ||
	    (bits >= q->m[i].min && bits <= q->m[i].max);
}

/* ---- decisions ---- */

/* The generating mechanism and key size of a key type. */
static int
p11q_gen_of(enum keytype t, CK_ULONG *bits)
{
	*bits = 0;
	switch (t) {
	case KT_EC_P256:
		*bits = 256;
		return MQ_EC_GEN;
	case KT_EC_P384:
		*bits = 384;
		return MQ_EC_GEN;
	case KT_RSA_3072:
		*bits = 3072;
		return MQ_RSA_GEN;
	case KT_RSA_4096:
		*bits = 4096;
		return MQ_RSA_GEN;
	case KT_ED25519:
		return MQ_ED_GEN;
	default:
		return -1;
	}
}

bool
p11q_can_generate(const struct p11quirks *q, enum keytype t, char *why,
    size_t size)
{
	CK_ULONG bits;
	int i = p11q_gen_of(t, &bits);

	if (i < 0) {
		snprintf(why, size, "offroot does not make such keys");
		return false;
	}
	if (p11q_has(q, p11q_mechs[i].mech, CKF_GENERATE_KEY_PAIR, bits))
		return true;
	if (!q->m[i].listed)
		snprintf(why, size, "no %s listed", p11q_mechs[i].name);
	else if (!(q->m[i].flags & CKF_GENERATE_KEY_PAIR))
		snprintf(why, size, "%s is listed without "
		    "CKF_GENERATE_KEY_PAIR", p11q_mechs[i].name);
	else
		snprintf(why, size, "%s makes keys of %lu to %lu bits, not %lu",
		    p11q_mechs[i].name, (unsigned long)q->m[i].min,
		    (unsigned long)q->m[i].max, (unsigned long)bits);
	return false;
}

enum p11q_rsa
p11q_rsa(const struct p11quirks *q, size_t di, bool pss, bool prehashed)
{
	int hashing = (pss ? MQ_PSS_SHA256 : MQ_RSA_SHA256) + (int)di;

	if (di >= P11Q_NDIGESTS)
		return P11Q_RSA_NONE;
	if (!prehashed && p11q_has(q, p11q_mechs[hashing].mech, CKF_SIGN, 0))
		return P11Q_RSA_HASHING;
	if (p11q_has(q, pss ? CKM_RSA_PKCS_PSS : CKM_RSA_PKCS, CKF_SIGN, 0))
		return P11Q_RSA_RAW;
	return P11Q_RSA_NONE;
}

CK_MECHANISM_TYPE
p11q_rsa_mech(size_t di, bool pss, enum p11q_rsa how)
{
	if (how == P11Q_RSA_HASHING && di < P11Q_NDIGESTS)
		return p11q_mechs[(pss ? MQ_PSS_SHA256 : MQ_RSA_SHA256) +
		    (int)di].mech;
	return pss ? CKM_RSA_PKCS_PSS : CKM_RSA_PKCS;
}

bool
p11q_can_sign(const struct p11quirks *q, enum keytype t, char *why,
    size_t size)
{
	switch (t) {
	case KT_EC_P256:
	case KT_EC_P384:
		if (p11q_has(q, CKM_ECDSA, CKF_SIGN, 0))
			return true;
		snprintf(why, size, "cannot make ECDSA signatures (no "
		    "CKM_ECDSA)");
		return false;
	case KT_ED25519:
		if (p11q_has(q, CKM_EDDSA, CKF_SIGN, 0))
			return true;
		snprintf(why, size, "cannot make Ed25519 signatures (no "
		    "CKM_EDDSA)");
		return false;
	case KT_RSA_3072:
	case KT_RSA_4096:
		if (p11q_rsa(q, 1, false, false) != P11Q_RSA_NONE)
			return true;
		snprintf(why, size, "cannot make RSA PKCS#1 v1.5 signatures "
		    "(no CKM_RSA_PKCS or CKM_SHA384_RSA_PKCS)");
		return false;
	default:
		snprintf(why, size, "has no signature mechanism for %s",
		    keytype_name(t));
		return false;
	}
}

bool
p11q_signs_digest(const struct p11quirks *q, enum keytype t, size_t di)
{
	if (t == KT_EC_P256 || t == KT_EC_P384)
		return true;
	if ((t != KT_RSA_3072 && t != KT_RSA_4096) || di >= P11Q_NDIGESTS)
		return false;
	return p11q_rsa(q, di, false, false) == P11Q_RSA_RAW;
}

/* ---- what tokens --mechanisms shows ---- */

/* The RSA signing half of a row: the mechanism and why (SHA-384, the
 * digest of an RSA root's own signatures). */
static bool
p11q_rsa_text(const struct p11quirks *q, bool pss, char *buf, size_t size)
{
	enum p11q_rsa how = p11q_rsa(q, 1, pss, false);
	const char *raw = pss ? "CKM_RSA_PKCS_PSS" : "CKM_RSA_PKCS";
	const char *hashing = p11q_mechs[(pss ? MQ_PSS_SHA256 :
	    MQ_RSA_SHA256) + 1].name;

	if (how == P11Q_RSA_HASHING)
		snprintf(buf, size, "%s: hashing mechanism listed; raw %s %s",
		    hashing, raw, p11q_has(q, pss ? CKM_RSA_PKCS_PSS :
		    CKM_RSA_PKCS, CKF_SIGN, 0) ? "avoided" : "not listed");
	else if (how == P11Q_RSA_RAW)
		snprintf(buf, size, "%s: no %s listed, so offroot hashes and "
		    "the token %s (a module may do this as a decryption, "
		    "which a sign-only key may not do)", raw, hashing,
		    pss ? "pads" : "pads a DigestInfo");
	else {
		snprintf(buf, size, "not available: neither %s nor %s is "
		    "listed for signing", hashing, raw);
		return false;
	}
	return true;
}

/* One row: the key type's signing mechanism, or why it is not
 * available (generation included: a row says what makes a root). */
static void
p11q_row(const struct p11quirks *q, struct pkcs11_quirks_desc *d,
    const char *key, enum keytype t, bool pss)
{
	char why[160], sign[224];
	size_t r = d->nrows;

	if (r >= PKCS11_QUIRK_ROWS)
		return;
	d->nrows++;
	snprintf(d->rows[r].key, sizeof d->rows[r].key, "%s", key);
	if (!p11q_can_generate(q, t, why, sizeof why)) {
		snprintf(d->rows[r].use, sizeof d->rows[r].use,
		    "not available: %s", why);
		return;
	}
	if (t == KT_RSA_3072 || t == KT_RSA_4096)
		(void)p11q_rsa_text(q, pss, sign, sizeof sign);
	else if (p11q_can_sign(q, t, why, sizeof why))
		snprintf(sign, sizeof sign, "%s: listed for signing; %s",
		    t == KT_ED25519 ? "CKM_EDDSA" : "CKM_ECDSA",
		    t == KT_ED25519 ? "the token signs the message itself" :
		    t == KT_EC_P256 ? "offroot hashes with SHA-256" :
		    "offroot hashes with SHA-384");
	else
		snprintf(sign, sizeof sign, "not available: %s", why);
	snprintf(d->rows[r].use, sizeof d->rows[r].use, "%s", sign);
}

/* P-521: the token may list it, offroot makes no such keys. */
static void
p11q_row_p521(const struct p11quirks *q, struct pkcs11_quirks_desc *d)
{
	size_t r = d->nrows++;

	snprintf(d->rows[r].key, sizeof d->rows[r].key, "ec-p521");
	snprintf(d->rows[r].use, sizeof d->rows[r].use, "not available: "
	    "offroot makes no P-521 keys (the token %s 521-bit EC keys)",
	    p11q_has(q, CKM_EC_KEY_PAIR_GEN, CKF_GENERATE_KEY_PAIR, 521) &&
	    p11q_has(q, CKM_ECDSA, CKF_SIGN, 0) ? "could make and sign "
	    "with" : "could not make or sign with");
}

static void
p11q_pins_text(const struct p11quirks *q, char *buf, size_t size)
{
	switch (q->pins) {
	case P11Q_PINS_COUNTED:
		snprintf(buf, size, "reported: the token sets PIN-count-low, "
		    "final-try or locked, and offroot asks before a final "
		    "try");
		break;
	case P11Q_PINS_BLIND:
		snprintf(buf, size, "not reported: a PIN failed and the token "
		    "set no PIN-count-low, final-try or locked flag; offroot "
		    "stops after one wrong PIN unless the officer confirms "
		    "another try");
		break;
	default:
		snprintf(buf, size, "unknown: no PIN-count-low, final-try or "
		    "locked flag is set, and a token shows whether it counts "
		    "only after a PIN fails (some never report: a TPM may "
		    "lock the whole chip after a few wrong PINs)");
		break;
	}
}

void
p11q_describe(const struct p11quirks *q, struct pkcs11_quirks_desc *d)
{
	memset(d, 0, sizeof *d);
	d->nlisted = q->nlisted;
	p11q_row(q, d, "ec-p256", KT_EC_P256, false);
	p11q_row(q, d, "ec-p384", KT_EC_P384, false);
	p11q_row_p521(q, d);
	p11q_row(q, d, "rsa-3072", KT_RSA_3072, false);
	p11q_row(q, d, "rsa-3072-pss", KT_RSA_3072, true);
	p11q_row(q, d, "rsa-4096", KT_RSA_4096, false);
	p11q_row(q, d, "ed25519", KT_ED25519, false);
	p11q_pins_text(q, d->pins, sizeof d->pins);
	if (q->serial_blank)
		snprintf(d->serial, sizeof d->serial, "not unique (all zeros "
		    "or blank): it tells no token of this kind apart; compare "
		    "the token label and the key's public-key SHA-256 "
		    "instead");
	else
		snprintf(d->serial, sizeof d->serial, "set (compare it with "
		    "the one written on the tamper bag)");
	snprintf(d->refused, sizeof d->refused, "%s", q->refused);
}
