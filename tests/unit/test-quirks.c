/*
 * test-quirks.c — the token quirks table (hsm/p11quirks.c): decisions
 * taken from what a module answered, on made-up answers: the RSA
 * mechanism (hashing when listed, raw otherwise, raw for a digest made by
 * offroot), generation by key type and size, the PIN-counter rule
 * (unknown until a PIN fails, blind when no flag follows, counted once
 * any flag is seen), a serial of zeros or blanks, and the attributes not
 * set as asked.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "keystore.h"
#include "pkcs11.h"

#include <p11-kit/p11-kit.h>

#include "p11quirks.h"
#include "tap.h"

static void
add(struct p11quirks *q, CK_MECHANISM_TYPE mech, CK_FLAGS flags,
    CK_ULONG min, CK_ULONG max)
{
	CK_MECHANISM_INFO mi;

	memset(&mi, 0, sizeof mi);
	mi.flags = flags;
	mi.ulMinKeySize = min;
	mi.ulMaxKeySize = max;
	ok(p11q_wants(mech), "the table looks at mechanism 0x%lx",
	    (unsigned long)mech);
	p11q_add_mech(q, mech, &mi);
}

static const char *
row(const struct pkcs11_quirks_desc *d, const char *key)
{
	size_t i;

	for (i = 0; i < d->nrows; i++)
		if (strcmp(d->rows[i].key, key) == 0)
			return d->rows[i].use;
	return "";
}

static void
test_rsa(void)
{
	struct p11quirks q;
	struct pkcs11_quirks_desc d;
	char why[160];

	p11q_init(&q);
	ok(!p11q_can_sign(&q, KT_RSA_3072, why, sizeof why) &&
	    strstr(why, "no CKM_RSA_PKCS or CKM_SHA384_RSA_PKCS") != NULL,
	    "no mechanism listed: RSA cannot sign, and why");
	is_int(p11q_rsa(&q, 1, false, false), P11Q_RSA_NONE, "no RSA at all");
	add(&q, CKM_RSA_PKCS, CKF_SIGN, 1024, 4096);
	is_int(p11q_rsa(&q, 1, false, false), P11Q_RSA_RAW,
	    "only raw CKM_RSA_PKCS: raw");
	ok(p11q_signs_digest(&q, KT_RSA_3072, 1),
	    "only raw: a digest made by offroot can be signed");
	add(&q, CKM_SHA384_RSA_PKCS, CKF_SIGN, 1024, 4096);
	is_int(p11q_rsa(&q, 1, false, false), P11Q_RSA_HASHING,
	    "the hashing mechanism listed: it is preferred");
	is_int(p11q_rsa(&q, 1, false, true), P11Q_RSA_RAW,
	    "a digest made by offroot: raw");
	ok(!p11q_signs_digest(&q, KT_RSA_3072, 1),
	    "with a hashing mechanism, offroot hands over the message");
	is_int(p11q_rsa(&q, 0, false, false), P11Q_RSA_RAW,
	    "SHA-256 has no hashing mechanism here: raw");
	ok(p11q_rsa_mech(1, false, P11Q_RSA_HASHING) == CKM_SHA384_RSA_PKCS &&
	    p11q_rsa_mech(1, true, P11Q_RSA_HASHING) ==
	    CKM_SHA384_RSA_PKCS_PSS && p11q_rsa_mech(1, true, P11Q_RSA_RAW) ==
	    CKM_RSA_PKCS_PSS, "the mechanisms by digest and padding");
	is_int(p11q_rsa(&q, 1, true, false), P11Q_RSA_NONE, "no PSS listed");
	add(&q, CKM_RSA_PKCS_KEY_PAIR_GEN, CKF_GENERATE_KEY_PAIR, 1024, 3072);
	ok(p11q_can_generate(&q, KT_RSA_3072, why, sizeof why),
	    "rsa-3072 within the token's sizes");
	ok(!p11q_can_generate(&q, KT_RSA_4096, why, sizeof why) &&
	    strcmp(why, "CKM_RSA_PKCS_KEY_PAIR_GEN makes keys of 1024 to 3072 "
	    "bits, not 4096") == 0, "rsa-4096 outside them, and why: %s", why);
	p11q_describe(&q, &d);
	is_str(row(&d, "rsa-3072"), "CKM_SHA384_RSA_PKCS: hashing mechanism "
	    "listed; raw CKM_RSA_PKCS avoided", "the rsa-3072 row");
	ok(strncmp(row(&d, "rsa-3072-pss"), "not available: neither "
	    "CKM_SHA384_RSA_PKCS_PSS nor CKM_RSA_PKCS_PSS", 60) == 0,
	    "the PSS row: not available, and why");
	ok(strncmp(row(&d, "rsa-4096"), "not available: CKM_RSA_PKCS_KEY_PAIR"
	    "_GEN makes keys of 1024 to 3072", 60) == 0, "the rsa-4096 row");
	ok(strncmp(row(&d, "ec-p256"), "not available: no CKM_EC_KEY_PAIR_GEN "
	    "listed", 40) == 0, "no EC generation: the ec-p256 row");
}

static void
test_ec(void)
{
	struct p11quirks q;
	char why[160];

	p11q_init(&q);
	add(&q, CKM_EC_KEY_PAIR_GEN, CKF_GENERATE_KEY_PAIR, 256, 384);
	ok(p11q_can_generate(&q, KT_EC_P384, why, sizeof why),
	    "ec-p384 generation");
	ok(!p11q_can_sign(&q, KT_EC_P384, why, sizeof why) &&
	    strstr(why, "no CKM_ECDSA") != NULL, "no CKM_ECDSA: cannot sign");
	add(&q, CKM_ECDSA, CKF_VERIFY, 0, 0);
	ok(!p11q_can_sign(&q, KT_EC_P256, why, sizeof why),
	    "CKM_ECDSA listed without CKF_SIGN does not sign");
	add(&q, CKM_EDDSA, CKF_SIGN, 0, 0);
	ok(!p11q_can_generate(&q, KT_ED25519, why, sizeof why) &&
	    strcmp(why, "no CKM_EC_EDWARDS_KEY_PAIR_GEN listed") == 0,
	    "no EdDSA generation, and why");
	ok(!p11q_wants(CKM_AES_CBC), "a mechanism offroot does not use is "
	    "not kept");
}

static void
test_pins_serial(void)
{
	struct p11quirks q;
	struct pkcs11_quirks_desc d;
	CK_TOKEN_INFO ti;

	p11q_init(&q);
	memset(&ti, 0, sizeof ti);
	memset(ti.serialNumber, '0', sizeof ti.serialNumber);
	p11q_token_info(&q, &ti);
	is_int(q.pins, P11Q_PINS_UNKNOWN, "no flag yet: unknown");
	ok(q.serial_blank, "a serial of zeros is blank");
	p11q_login_failed(&q, &ti);
	is_int(q.pins, P11Q_PINS_BLIND, "a PIN failed, no flag: blind");
	p11q_describe(&q, &d);
	ok(strncmp(d.pins, "not reported", 12) == 0, "described: not "
	    "reported");
	ok(strncmp(d.serial, "not unique", 10) == 0, "described: the serial "
	    "is not unique");
	ti.flags = CKF_USER_PIN_COUNT_LOW;
	p11q_login_failed(&q, &ti);
	is_int(q.pins, P11Q_PINS_COUNTED, "a flag after all: counted");
	ti.flags = 0;
	p11q_login_failed(&q, &ti);
	is_int(q.pins, P11Q_PINS_COUNTED, "counted stays counted");
	p11q_init(&q);
	p11q_login_failed(&q, NULL);
	is_int(q.pins, P11Q_PINS_UNKNOWN, "flags unreadable after a failure: "
	    "still unknown");
	memset(ti.serialNumber, ' ', sizeof ti.serialNumber);
	p11q_token_info(&q, &ti);
	ok(q.serial_blank, "a blank serial");
	memcpy(ti.serialNumber, "e5556b577706e2f3", 16);
	p11q_token_info(&q, &ti);
	ok(!q.serial_blank, "a real serial");
	p11q_refused(&q, "CKA_DECRYPT");
	p11q_refused(&q, "CKA_DERIVE");
	is_str(q.refused, "CKA_DECRYPT, CKA_DERIVE", "refused attributes");
	p11q_describe(&q, &d);
	is_str(d.refused, "CKA_DECRYPT, CKA_DERIVE", "... described");
}

int
main(void)
{
	test_rsa();
	test_ec();
	test_pins_serial();
	return done_testing();
}
