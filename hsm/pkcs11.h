/*
 * pkcs11.h — the PKCS#11 key store (pkcs11.c): a root key that lives on a
 * token and never leaves it, reached through p11-kit.
 *
 * Modules are loaded by p11-kit: the modules it is configured with
 * (pkcs11.conf(5)), or one module named by path.  Tokens and keys are
 * named by RFC 7512 "pkcs11:" URIs, parsed and matched by p11-kit.  A URI
 * with an attribute p11-kit does not recognise is refused (a typo must not
 * widen a match), and so is one carrying a PIN (pin-value, pin-source):
 * PINs come from the terminal or --pin-file, through struct interact.
 *
 * This header deliberately does not include p11-kit's pkcs11.h: its
 * compatibility macros rename identifiers such as "value" and "count".
 */
#ifndef OFFROOT_PKCS11_H
#define OFFROOT_PKCS11_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#include "keystore.h"

struct interact;

#define PKCS11_URI_MAX		1024
#define PKCS11_ID_MAX		64	/* CKA_ID bytes we handle */
#define PKCS11_LABEL_MAX	128	/* CKA_LABEL bytes we handle */
#define PKCS11_REF_MAX		8192	/* size cap of a key reference file */

/* What the CA records about a token key (journal, transcript, status). */
struct pkcs11_keyinfo {
	char uri[PKCS11_URI_MAX];	/* token label, id, object, type */
	char module[PATH_MAX];		/* "": p11-kit's configured modules */
	char token_label[33];
	char token_manufacturer[33];
	char token_model[17];
	char token_serial[17];
	char label[PKCS11_LABEL_MAX + 1];
	char id_hex[2 * PKCS11_ID_MAX + 1];
	bool generated;			/* made by pkcs11_generate */
	bool imported;			/* put there by p11import_key */
	bool sensitive, always_sensitive;
	bool extractable, never_extractable;
	/* What the private half may do, as the token reports it (read back,
	 * not assumed from the template), and the same as text: "sign",
	 * "sign, decrypt", ... */
	bool can_sign, can_decrypt, can_derive, can_unwrap;
	char usage[40];
};

/*
 * Generates a key pair of the given type on the one token that token_uri
 * names, with C_GenerateKeyPair: both halves on the token (CKA_TOKEN),
 * the private half CKA_PRIVATE, CKA_SENSITIVE, not CKA_EXTRACTABLE,
 * CKA_SIGN and nothing else (no decrypt, unwrap or derive); the public
 * half is asked for nothing about its use, because modules differ there
 * (tpm2-pkcs11 keeps one set of usage bits for both halves: its public
 * CKA_VERIFY is the private half's decrypt); a random CKA_ID shared by both
 * halves, and label as CKA_LABEL.  The new key's attributes are read back
 * (pkcs11_info: usage), and a token that did not honour them, or made the
 * private half able to decrypt, derive or unwrap, loses the key again
 * (OR_E_ENV).
 * The token's mechanism list is checked before anything is created (with
 * RSA-PSS under pss_digest too, when not NULL: a root whose profile says
 * signature = pss), and an object with the same label or id is refused
 * (OR_E_EXISTS).  The PIN is
 * asked through io (or the token's PIN pad is used).  module: a module
 * path, or NULL for p11-kit's configured modules.
 */
int pkcs11_generate(const char *module, const char *token_uri,
    const char *label, enum keytype type, const char *pss_digest,
    struct interact *io, struct keystore **out);
/*
 * Opens the private key that key_uri names (exactly one private key on
 * exactly one token) and its public half: the public-key object with the
 * same CKA_ID, or, for RSA, the private key's own public attributes.  The
 * store then signs once and verifies with that public key, so a public
 * object that belongs to another key is OR_E_VERIFY.  The mechanisms are
 * checked before that signature (RSA-PSS under pss_digest too, when not
 * NULL).
 *
 * Errors: OR_E_ENV (exit 3) for a module that does not load or fails, no
 * token that matches, a token removed; OR_E_AUTH for a wrong or locked
 * PIN, with the token's reason (p11_kit_strerror) and the CKR_ name;
 * OR_E_INPUT for a malformed URI, one naming no key or several, or a
 * mechanism the token lacks.
 */
int pkcs11_open(const char *module, const char *key_uri,
    const char *pss_digest, struct interact *io, struct keystore **out);
/* The facts of a store made by pkcs11_generate or pkcs11_open (NULL for
 * any other store). */
const struct pkcs11_keyinfo *pkcs11_info(const struct keystore *ks);
/* Destroys the key pair that pkcs11_generate created (or p11import_key
 * put on the token), when root creation or a migration fails after it;
 * does nothing for an opened key.  The store stays open
 * (keystore_close it as usual) but can no longer sign. */
int pkcs11_discard(struct keystore *ks);

/* ---- for p11import.c: a session on a token, and a key put on it ---- */

struct pkcs11_key;
struct pkcs11_session_view {
	void *fn;			/* CK_FUNCTION_LIST * */
	unsigned long session;		/* CK_SESSION_HANDLE */
	unsigned long slot;		/* CK_SLOT_ID */
	const char *label;		/* the token's, printable */
};

/* Loads the module(s), finds the one token token_uri names, opens a
 * read-write session and logs in (pkcs11_generate's checks and PIN
 * handling); a write-protected token is OR_E_ENV. */
int pkcs11_session_open(const char *module, const char *token_uri,
    struct interact *io, struct pkcs11_key **out);
void pkcs11_session_get(const struct pkcs11_key *k,
    struct pkcs11_session_view *v);
/* Makes a key store of the private key priv and public key pub that the
 * caller created on k's session: attributes read back (pkcs11_info:
 * imported), the mechanisms checked (RSA-PSS under pss_digest too), one
 * signature verified.  Takes k: on failure both objects are destroyed
 * (a warning through io when the token refuses) and k is freed. */
int pkcs11_session_adopt(struct pkcs11_key *k, unsigned long priv,
    unsigned long pub, enum keytype type, const char *pss_digest,
    struct interact *io, struct keystore **out);
void pkcs11_session_close(struct pkcs11_key *k);

/* ---- the key reference file, DIR/root.key.uri (offroot(5)) ---- */

struct pkcs11_ref {
	char uri[PKCS11_URI_MAX];
	char module[PATH_MAX];		/* "": p11-kit's configured modules */
};

/* The text of a key reference file for info; malloc'd. */
int pkcs11_ref_format(const struct pkcs11_keyinfo *info, char **out,
    size_t *len);
/* Parses a key reference file: comment lines, "uri=" (once, required, a
 * pkcs11: URI naming a private key) and "module=" (once, optional, empty
 * or an absolute path).  Anything else is OR_E_CORRUPT. */
int pkcs11_ref_parse(const unsigned char *buf, size_t len,
    struct pkcs11_ref *ref);

/* ---- URIs ---- */

enum pkcs11_uri_kind {
	PKCS11_URI_TOKEN,	/* names a token: no object attributes */
	PKCS11_URI_KEY,		/* names a private key on a token */
	PKCS11_URI_FILTER,	/* any pkcs11: URI (listing) */
};
/* Parses text with p11-kit and checks it for its use (OR_E_USAGE): no
 * unrecognised attributes, no PIN, for a key an object label or id and no
 * type other than private. */
int pkcs11_uri_check(const char *text, enum pkcs11_uri_kind kind);
/* The URI offroot records for a key: token label, id, object label,
 * type=private (no serial: a vendor's backup copy of the token may carry
 * another one; the public key proves it is the same key). */
int pkcs11_key_uri(const char *token_label, const unsigned char *id,
    size_t idlen, const char *label, char *out, size_t size);

/* ---- conversions (exposed for the unit test) ---- */

/* A raw ECDSA signature r||s (two equal halves) as a DER ECDSA-Sig-Value,
 * OPENSSL_malloc'd.  OR_E_CRYPTO for an odd length or a zero half. */
int pkcs11_ecdsa_der(const unsigned char *raw, size_t len,
    unsigned char **der, size_t *derlen);
/* The point inside a CKA_EC_POINT value: a DER OCTET STRING around the
 * point (PKCS#11, SoftHSM) or the bare point (some tokens); want is the
 * point's length.  *pt points into v. */
int pkcs11_ec_point(const unsigned char *v, size_t len, size_t want,
    const unsigned char **pt);
/* The symbolic name of a CK_RV ("CKR_PIN_INCORRECT", or "CKR_0x...") and
 * the or_err it becomes: OR_E_AUTH for PIN failures, OR_E_ENV for a
 * removed token, a failing module or device, OR_E_INPUT otherwise. */
const char *pkcs11_rv_name(unsigned long rv, char *buf, size_t size);
int pkcs11_rv_code(unsigned long rv);

/* ---- listing: offroot tokens ---- */

struct pkcs11_module_desc {
	char name[128];			/* p11-kit's name, or the path */
	char path[PATH_MAX];
	char description[33];
	char manufacturer[33];
	unsigned version_major, version_minor;
};

struct pkcs11_token_desc {
	unsigned long slot;
	char slot_description[65];
	bool present;			/* the rest only when present */
	bool initialised;
	char label[33], manufacturer[33], model[17], serial[17];
	char uri[PKCS11_URI_MAX];	/* what --token takes */
	bool login_required, protected_path, write_protected;
	bool user_pin_initialised, pin_count_low, pin_final_try;
	bool pin_locked, pin_to_be_changed;
	bool serial_blank;		/* all zeros or blank: tells no token
					 * of its kind apart */
	bool logged_in;			/* private objects are listed */
};

struct pkcs11_object_desc {
	bool private_key;		/* else a public key */
	char label[PKCS11_LABEL_MAX + 1];
	char id_hex[2 * PKCS11_ID_MAX + 1];
	char type[32];			/* "ec-p384", "rsa-2048", "ec" ... */
	bool sensitive, always_sensitive, extractable, never_extractable;
	bool can_sign;
	bool have_pub;			/* pub_sha256 is set */
	char pub_sha256[65];		/* SHA-256 of the SPKI DER */
	char uri[PKCS11_URI_MAX];
};

/* What offroot learned about a token from its answers and what it will
 * use on it (offroot tokens --mechanisms; hsm/p11quirks.h): per key type
 * the mechanism and why, or "not available: why"; whether it reports
 * failed PIN tries; whether its serial tells it apart. */
#define PKCS11_QUIRK_ROWS	8
struct pkcs11_quirks_desc {
	unsigned long nlisted;		/* mechanisms the token lists */
	size_t nrows;
	struct {
		char key[16];		/* "ec-p256", "rsa-3072-pss" */
		char use[256];
	} rows[PKCS11_QUIRK_ROWS];
	char pins[320];
	char serial[256];
	char refused[128];		/* "" unless a new key showed some */
};

struct pkcs11_visitor {
	int (*module)(void *ctx, const struct pkcs11_module_desc *m);
	int (*token)(void *ctx, const struct pkcs11_token_desc *t);
	int (*object)(void *ctx, const struct pkcs11_object_desc *o);
	/* Optional: after token, what offroot will use on it (the token's
	 * mechanism list is read for it; no login). */
	int (*quirks)(void *ctx, const struct pkcs11_quirks_desc *q);
};

/*
 * Walks modules, slots, tokens and the key objects on each.  token_uri
 * (optional) limits the tokens.  Without login only public objects are
 * visible; with login exactly one token must match (a PIN tried on the
 * wrong token counts against it), and its PIN is asked through io.
 */
int pkcs11_list(const char *module, const char *token_uri, bool login,
    struct interact *io, const struct pkcs11_visitor *v, void *ctx);

#endif
