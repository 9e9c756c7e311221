/*
 * profile.h — certificate profiles in the OpenSSL configuration language.
 *
 * A profile is one NCONF section: X509v3 extension lines exactly as in
 * openssl.cnf (basicConstraints = critical,CA:TRUE,pathlen:1) plus offroot
 * keys:
 *
 *   family         = br-root | br-subca | private   (which lint rules apply)
 *   validity_days  = N          maximum (and default) validity in days
 *   clamp_validity = yes|no     shorten to nest inside the issuer instead of
 *                               refusing (default no)
 *   key_types      = ec-p384, ec-p256, rsa-3072, rsa-4096, ed25519
 *                               key types the subject key may have
 *   min_rsa_bits   = N          (default 2048)
 *   max_pathlen    = N          largest pathLenConstraint allowed
 *   digest         = sha256|sha384|sha512 signature digest (default: by key)
 *   signature      = pkcs1|pss  RSA signature scheme of the issuer (default
 *                               pkcs1; pss: RSASSA-PSS, MGF1 with the digest,
 *                               salt as long as the digest; the issuer's
 *                               key must be RSA, checked at issue time)
 *   backdate       = 0 | none | N s | N min | N h   how long before the
 *                               signing notBefore is set (at most 24 h),
 *                               so that a machine whose clock is behind
 *                               does not see a fresh certificate as not
 *                               yet valid; never before the issuer's
 *                               notBefore.  Default: 1 h for a certificate
 *                               the CA issues, none for the self-signed
 *                               root.  validity_days and --days count from
 *                               the backdated notBefore: the validity
 *                               period stays N days.
 *   description    = text
 *   crl_days       = N          validity of the CRLs the CA signs (the root
 *                               profile; default CRL_DEFAULT_DAYS, at most
 *                               365: BR 4.9.7)
 *   crl_interval_days = N       crl --ahead: days between the thisUpdates
 *                               of CRLs signed ahead (default: crl_days
 *                               minus an overlap of min(7, crl_days / 2)
 *                               days, so that each is published while the
 *                               one before still has days to run)
 *
 * Any other key must be an X509v3 extension OpenSSL knows (short name,
 * long name or OID); each line is built once on load, so a malformed one is
 * refused then.  Auxiliary sections referenced with "@section" from an
 * extension line (certificatePolicies, nameConstraints...) are allowed as
 * in openssl.cnf; every other section is a profile.  Keys before the first
 * section (NCONF's "default") are variables for $name, never a profile.
 * family and validity_days are required.  Refused: unknown keys, a key
 * written twice, a section written twice, ".include"/".pragma",
 * "section::key", $ENV:: references, and combinations that cannot be
 * right (pathlen on CA:FALSE, keyCertSign without CA:TRUE, a CA without
 * keyCertSign, EKU in br-root, ed25519 in a BR family, br-root validity
 * outside 2922..9132 days, max_pathlen below pathlen...).
 * Errors are OR_E_INPUT and name the file, the section and the line:
 * "FILE: [section] line N: unknown key \"foo\"".
 */
#ifndef OFFROOT_PROFILE_H
#define OFFROOT_PROFILE_H

#include <stdbool.h>
#include <stddef.h>

#include <openssl/conf.h>
#include <openssl/x509.h>

#define PROFILE_MAX_EXT		32
#define PROFILE_NAME_MAX	64
#define PROFILE_MAX_REPEATABLE	8

enum profile_family {
	FAMILY_PRIVATE = 0,	/* private PKI: RFC 5280 rules only */
	FAMILY_BR_ROOT,		/* CA/B Forum BR 7.1.2.1 root */
	FAMILY_BR_SUBCA,	/* CA/B Forum BR 7.1.2.6/7.1.2.10 subordinate CA */
};

struct profile_ext {
	char name[64];		/* as written: "basicConstraints" */
	char value[1024];	/* as written: "critical,CA:TRUE,pathlen:2" */
	int line;		/* line in the source (built-in text too) */
	int nid;		/* OBJ_txt2nid(name) */
};

struct profile {
	char name[PROFILE_NAME_MAX];
	char source[256];	/* file name, or "built-in" */
	char description[256];
	enum profile_family family;
	long validity_days;
	bool clamp_validity;
	unsigned key_types;	/* bit (1u << enum keytype) per allowed type */
	int min_rsa_bits;
	int max_pathlen;	/* -1: no limit given */
	char digest[16];	/* "" = by key type */
	bool pss;		/* signature = pss: RSASSA-PSS (RSA issuers) */
	long crl_days;		/* 0: not given */
	long crl_interval_days;	/* 0: not given */
	long backdate;		/* seconds, when backdate_set */
	bool backdate_set;	/* else profile_backdate's default */
	/* repeatable_attributes: the attribute types a subject may hold more
	 * than once (NIDs, NID_undef after the last), for names.h's
	 * names_policy; repeatable_set false: the default, OU and DC. */
	bool repeatable_set;
	int repeatable[PROFILE_MAX_REPEATABLE + 1];
	/* Derived from basicConstraints: */
	bool is_ca;
	int pathlen;		/* -1: none */
	size_t next;
	struct profile_ext ext[PROFILE_MAX_EXT];
	CONF *conf;		/* kept for @section references */
};

/* Loads and validates the named profile from a file (path) or, when path
 * is NULL, from the built-in set (root, intermediate). */
int profile_load(const char *path, const char *name, struct profile *out);
/* Same from text in memory; label names it in errors.  For tests, fuzzing
 * and the built-in set. */
int profile_load_text(const char *text, size_t len, const char *label,
    const char *name, struct profile *out);
/* Validates every profile section in a file (sections not referenced
 * by "@"); the first error is reported.  A file without a profile is an
 * error.  each, when not NULL, is called with every valid profile in file
 * order (the profile is only valid during the call). */
int profile_check_file(const char *path,
    void (*each)(void *ctx, const struct profile *p), void *ctx);
void profile_free(struct profile *p);

/* Adds the profile's extensions to cert (subject key already set), with
 * issuer as the issuing certificate (cert itself for a self-signed root).
 * SKI/AKI "hash"/"keyid" values are computed by OpenSSL; the SKI is added
 * before the AKI whatever their order in the profile.  Refuses (OR_E_INPUT)
 * an extension cert already carries. */
int profile_apply(const struct profile *p, X509 *cert, X509 *issuer);
const char *profile_family_name(enum profile_family f);
/* Whether the profile lets a subject key of this kind be certified (its
 * key_types; RSA from min_rsa_bits up when it lists an rsa-* type). */
bool profile_allows_key(const struct profile *p, EVP_PKEY *pkey);
/* The CRL validity and the interval of CRLs signed ahead, in days, with
 * the defaults filled in (profile.h's crl_days, crl_interval_days). */
void profile_crl_period(const struct profile *p, long *days,
    long *interval);

#define PROFILE_BACKDATE_MAX		86400L	/* 24 h */
#define PROFILE_BACKDATE_DEFAULT	3600L	/* 1 h, issued certificates */
/* The backdate in seconds: the profile's, else PROFILE_BACKDATE_DEFAULT
 * for a certificate the CA issues and 0 for a self-signed one. */
long profile_backdate(const struct profile *p, bool self_signed);
/* Parses a backdate value ("1h", "30 min", "90s", "0", "none"); false
 * when malformed or above PROFILE_BACKDATE_MAX. */
bool profile_backdate_parse(const char *s, long *secs);
/* "1 h", "1 h 30 min", "45 s", "none": for reviews. */
void profile_backdate_text(long secs, char *buf, size_t size);

/* The built-in profile text (BR root and subordinate CA). */
extern const char profile_builtin_text[];

#endif
