/*
 * p11quirks.h — what offroot learned about one PKCS#11 token from the
 * module's own answers (p11quirks.c), and the decisions that follow from
 * it: which mechanism signs for each key type and why, whether a key type
 * can be generated, whether the token reports failed PIN tries, whether
 * its serial tells it apart, and which attributes a new key did not get
 * as asked.  Filled at run time, never from a module's or token's name.
 *
 * Internal to hsm/: pkcs11.c fills the table (it makes the PKCS#11
 * calls), this file only records and decides.  Include it after
 * <p11-kit/p11-kit.h>, whose pkcs11.h it needs.
 */
#ifndef OFFROOT_P11QUIRKS_H
#define OFFROOT_P11QUIRKS_H

#include <stdbool.h>
#include <stddef.h>

#include "keystore.h"
#include "pkcs11.h"

/* The mechanisms offroot looks at (p11quirks.c's table). */
#define P11Q_NMECHS		13
/* The digests offroot signs with, in pkcs11.c's order: sha256, sha384,
 * sha512. */
#define P11Q_NDIGESTS		3

/* What the token says about failed PIN tries. */
enum p11q_pins {
	P11Q_PINS_UNKNOWN,	/* no flag yet, and no PIN has failed */
	P11Q_PINS_COUNTED,	/* count-low, final-try or locked seen */
	P11Q_PINS_BLIND,	/* a PIN failed and no flag followed */
};

/* How an RSA signature is made with a digest. */
enum p11q_rsa {
	P11Q_RSA_NONE,		/* the token cannot */
	P11Q_RSA_HASHING,	/* CKM_SHAx_RSA_PKCS(_PSS): the token hashes */
	P11Q_RSA_RAW,		/* CKM_RSA_PKCS(_PSS): offroot hashes */
};

struct p11quirks {
	bool mechs_read;		/* the mechanism list was asked */
	unsigned long nlisted;		/* how many mechanisms it lists */
	struct {
		bool listed;		/* in the list, and C_GetMechanismInfo
					 * answered */
		CK_FLAGS flags;
		CK_ULONG min, max;	/* key sizes */
	} m[P11Q_NMECHS];
	enum p11q_pins pins;
	bool told_pins;			/* the officer heard of it */
	bool serial_blank;		/* all zeros, or empty */
	char refused[96];		/* "CKA_DECRYPT, ...": asked, not got */
};

void p11q_init(struct p11quirks *q);
/* Whether mech is one p11q_add_mech records. */
bool p11q_wants(CK_MECHANISM_TYPE mech);
/* One listed mechanism and what C_GetMechanismInfo said of it. */
void p11q_add_mech(struct p11quirks *q, CK_MECHANISM_TYPE mech,
    const CK_MECHANISM_INFO *mi);
/* The token's flags and serial, from any C_GetTokenInfo. */
void p11q_token_info(struct p11quirks *q, const CK_TOKEN_INFO *ti);
/* A login that failed with a wrong PIN, and the token's flags after it
 * (NULL: unknown): the counters are blind when none is set then. */
void p11q_login_failed(struct p11quirks *q, const CK_TOKEN_INFO *after);
/* An attribute a new key did not get as asked ("CKA_DECRYPT"). */
void p11q_refused(struct p11quirks *q, const char *attr);

/* Whether the token lists mech with the flags in need and, bits != 0, a
 * key size range that holds bits. */
bool p11q_has(const struct p11quirks *q, CK_MECHANISM_TYPE mech,
    CK_FLAGS need, CK_ULONG bits);
/* Whether a key of type t can be generated; else why into why. */
bool p11q_can_generate(const struct p11quirks *q, enum keytype t, char *why,
    size_t size);
/* Whether a key of type t can sign (RSA: PKCS#1 v1.5 with SHA-384, the
 * mechanism a root's own signatures need); else why into why. */
bool p11q_can_sign(const struct p11quirks *q, enum keytype t, char *why,
    size_t size);
/* RSA with digest di (pss: RSA-PSS): the hashing mechanism when listed,
 * else the raw one (prehashed: only the raw one can take a digest). */
enum p11q_rsa p11q_rsa(const struct p11quirks *q, size_t di, bool pss,
    bool prehashed);
CK_MECHANISM_TYPE p11q_rsa_mech(size_t di, bool pss, enum p11q_rsa how);
/* Whether a digest computed by offroot can be signed: ECDSA always, RSA
 * PKCS#1 v1.5 only when raw CKM_RSA_PKCS is the mechanism chosen. */
bool p11q_signs_digest(const struct p11quirks *q, enum keytype t, size_t di);

/* What `offroot tokens --mechanisms` shows (pkcs11.h). */
void p11q_describe(const struct p11quirks *q, struct pkcs11_quirks_desc *d);

#endif
