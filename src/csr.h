/*
 * csr.h — strict import of a PKCS#10 certificate signing request (RFC 2986),
 * as carried in from the online issuer on removable media.
 *
 * A file holds exactly one CSR: one PEM block labelled "CERTIFICATE
 * REQUEST" or "NEW CERTIFICATE REQUEST" with nothing but whitespace around
 * it (no PEM headers, canonical base64), or exactly one DER object.  The
 * CSR must be DER, byte for byte: every length minimal and definite, SET OF
 * sorted, DEFAULT values omitted, and OpenSSL's re-encoding identical.
 *
 * Refused, each with one line "LABEL: reason" in err_msg():
 *   OR_E_INPUT   empty or whitespace-only, not a regular file, larger than
 *                CSR_MAX_FILE, neither PEM nor DER, PEM problems (other
 *                label, text before, headers, bad base64, two blocks,
 *                trailing data), truncated DER, trailing data after the
 *                DER, not DER (BER), not a CSR; version other than v1 (0);
 *                more than CSR_MAX_SUBJECT_ATTRS subject attributes, a
 *                string longer than CSR_MAX_STRING, a subject too long to
 *                show; more than CSR_MAX_ATTRIBUTES attributes, an
 *                attribute without values, more than one extensionRequest,
 *                an extensionRequest with other than one value, malformed
 *                or non-DER requested extensions, duplicate requested
 *                extensions, more than CSR_MAX_EXTENSIONS, a value longer
 *                than CSR_MAX_EXT_VALUE; an undecodable or non-canonical
 *                public key, key parameters the RFCs forbid, an RSA
 *                exponent that is even, 1 (or below 3), an even modulus;
 *                signature parameters the RFCs forbid, a signature
 *                algorithm that does not match the key.
 *   OR_E_POLICY  an empty subject; DSA, RSA-PSS (id-RSASSA-PSS) and other
 *                key algorithms; RSA below 2048 or above 16384 bits or not
 *                a multiple of 8, an exponent of 2^256 or more; EC curves
 *                other than P-256/P-384/P-521, explicit curve parameters,
 *                compressed points; signatures with MD2/MD4/MD5/SHA-1/
 *                SHA-224 or anything but RSA PKCS#1 v1.5 / RSASSA-PSS /
 *                ECDSA with SHA-256/384/512 and Ed25519.
 *   OR_E_VERIFY  the self-signature does not verify.
 * The checks run in that order within csr_check: version, subject,
 * attributes and extensions, key, signature algorithm, signature; so a key
 * with exponent 1 is refused for its exponent, not its signature.
 *
 * Requested extensions are reported, never acted on: the CA decides the
 * extensions (the profile), so unknown critical ones are accepted here and
 * counted.
 */
#ifndef OFFROOT_CSR_H
#define OFFROOT_CSR_H

#include <stddef.h>

#include <openssl/x509.h>

#include "keystore.h"

#define CSR_MAX_FILE		(64u << 10)	/* bytes in the file */
#define CSR_MAX_SUBJECT_ATTRS	32	/* attributes (so RDNs) in the subject */
#define CSR_MAX_STRING		1024	/* bytes in a subject or attribute string */
#define CSR_MAX_ATTRIBUTES	16	/* attributes of the request */
#define CSR_MAX_EXTENSIONS	64	/* requested extensions */
#define CSR_MAX_EXT_VALUE	8192	/* bytes in one requested extension */

enum csr_sig {
	CSR_SIG_UNCHECKED = 0,	/* not reached: refused earlier */
	CSR_SIG_VALID,
	CSR_SIG_INVALID,
};

struct csr_info {
	X509_REQ *req;
	EVP_PKEY *pubkey;		/* borrowed from req; NULL: undecodable */
	enum keytype key_type;		/* keytype_of(pubkey): KT_NONE for RSA
					 * 2048, P-521 and refused keys */
	int key_bits;			/* RSA modulus, EC field; 256 for Ed25519 */
	char key_name[32];		/* "rsa-2048", "ec-p521", "ed25519",
					 * "dsa", "ec-secp256k1"... */
	char sig_alg[64];		/* "ecdsa-with-SHA384", "RSASSA-PSS"... */
	unsigned char csr_sha256[32];	/* of the CSR's DER */
	unsigned char file_sha256[32];	/* of the bytes as read: the file as
					 * it is on the media (PEM or DER),
					 * what sha256sum prints */
	unsigned char pubkey_sha256[32]; /* of its SubjectPublicKeyInfo DER */
	char subject[1024];		/* RFC 4514, one line ("" if unshowable) */
	STACK_OF(X509_EXTENSION) *requested; /* NULL: none (or malformed) */
	int unknown_critical;		/* requested critical extensions
					 * OpenSSL does not know */
	enum csr_sig sig_status;	/* set by csr_check */
};

/*
 * Reads path (a regular file of at most CSR_MAX_FILE bytes) and csr_parse()s
 * it with the path as label.
 */
int csr_load(const char *path, struct csr_info *out);
/*
 * csr_decode() then csr_check(): the import every command uses.  On any
 * failure out is freed and zeroed.  The fuzz target's entry.
 */
int csr_parse(const unsigned char *buf, size_t len, const char *label,
    struct csr_info *out);
/*
 * The container and the encoding only (everything above up to "not a
 * CSR"), then fills out without judging it, for inspect to show a CSR it
 * would refuse.  On failure out is zeroed.
 */
int csr_decode(const unsigned char *buf, size_t len, const char *label,
    struct csr_info *out);
/* The content checks on a decoded CSR; sets ci->sig_status. */
int csr_check(struct csr_info *ci, const char *label);
/* Frees and zeroes; safe on a zeroed or already freed struct. */
void csr_free(struct csr_info *ci);

/*
 * The same rules for another object carried in from outside (cacert.h: a
 * partner CA's certificate).  csr_container: the container and the
 * encoding, as above: one PEM block with one of kind's labels, or one DER
 * object, DER throughout; *der points into buf or into *owned (malloc'd,
 * the caller frees it).  Messages call the object kind's noun.
 */
struct csr_kind {
	const char *noun;		/* "CSR", "certificate" */
	const char *long_noun;		/* "certificate request" */
	const char *const *labels;	/* accepted PEM labels; [0] is named */
	size_t nlabels;
};
int csr_container(const unsigned char *buf, size_t len, const char *label,
    const struct csr_kind *kind, unsigned char **owned,
    const unsigned char **der, size_t *derlen);
/* A subject's shape before it is shown: not empty, at most
 * CSR_MAX_SUBJECT_ATTRS attributes of at most CSR_MAX_STRING bytes, and
 * formattable (RFC 4514, into out); a CSR's and another CA's certificate's
 * alike.  OR_E_POLICY or OR_E_INPUT naming label. */
int csr_check_name(const X509_NAME *name, const char *label, char *out,
    size_t size);
/* The public key checks above (algorithm, parameters, curve, RSA size and
 * exponent, canonical encoding) on any SubjectPublicKeyInfo. */
int csr_check_spki(X509_PUBKEY *xpk, EVP_PKEY *pubkey, const char *label);
/* Describes a key as csr_info does: keytype_of, bits and "ec-p384". */
void csr_key_describe(X509_PUBKEY *xpk, EVP_PKEY *pubkey, enum keytype *type,
    int *bits, char name[32]);

#endif
