/*
 * crl.h — certificate revocation lists: build, lint, sign, verify, keep.
 *
 * A CRL is built by Boulder's route (ARCHITECTURE.md, decision 1b) with a
 * streaming encoder (decision 2) so that its cost is linear in the number
 * of entries and its memory close to the size of its DER:
 *
 *   1. OpenSSL builds and signs, with a throwaway key of the root's type,
 *      a CRL with every field but the entries: v2, issuer, thisUpdate,
 *      nextUpdate, the AKI (the root's SKI) and the CRL number.  Its TBS
 *      (i2d_re_X509_CRL_tbs) gives every field's bytes and the algorithm.
 *   2. The revokedCertificates SEQUENCE is assembled straight into the
 *      output buffer from the sorted entries: each entry is its serial
 *      INTEGER followed by the bytes OpenSSL encodes for its revocation
 *      date and its entry extensions (reasonCode, omitted for unspecified;
 *      invalidityDate when given), which are cached, since entries share
 *      them.  It is spliced into the TBS after nextUpdate.
 *   3. The key store signs exactly those TBS bytes (hashed once here and
 *      signed as a digest when the store can: keystore_sign_digest);
 *      algorithm and signature are appended in the same buffer and the
 *      outer header put in front of it.
 *   4. crl_verify walks the whole DER (strict DER, v2, the issuer, serials
 *      positive and strictly increasing, each distinct date and extension
 *      encoding parsed once more by OpenSSL) and checks the signature with
 *      the root's public key: up to CRL_SMALL entries through d2i_X509_CRL
 *      (whose re-encoding must be identical) and X509_CRL_verify; above,
 *      through EVP_DigestVerify over the TBS bytes, since d2i_X509_CRL of a
 *      million entries costs several hundred megabytes.
 *
 * The CRL number is reserved in the journal ("crl-number") before the key
 * signs, so that a crash never lets a number be used twice; the next CRL
 * takes max(reserved, signed) + 1.
 *
 * At a million entries the whole command reads the journal once (the pass
 * that verifies its hash chain also replays it: cadb_open_visit), finds a
 * bulk revocation's entries already sorted (a batch records its serials in
 * order), writes the PEM from a file_source without holding it, and reads
 * both files back from the device (fileio.h).
 */
#ifndef OFFROOT_CRL_H
#define OFFROOT_CRL_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <openssl/x509.h>

#include "keystore.h"
#include "revoke.h"

#define CRL_DEFAULT_DAYS	30
#define CRL_MAX_DAYS		365	/* BR 4.9.7: at most 12 months */
#define CRL_SMALL		10000	/* entries re-parsed by d2i_X509_CRL */
#define CRL_REFRESH_DAYS	7	/* status warns; the bundle re-signs */
#define CRL_MAX_FILE		(1u << 30)

struct crl_spec {
	X509 *issuer;			/* the root */
	enum keytype type;		/* its key type */
	uint64_t number;
	time_t this_update, next_update;
	const struct revoke_entry *e;	/* sorted by serial, one per serial */
	size_t n;
};

/* Lints a CRL before any key is used: nextUpdate after thisUpdate, at
 * most CRL_MAX_DAYS after it and not after the root's notAfter; thisUpdate
 * not before the root's notBefore; number from 1 below 2^159; no entry
 * revoked after thisUpdate.  OR_E_POLICY "lint: e_...: text". */
int crl_lint(const struct crl_spec *spec);
/* Builds, signs with ks and verifies (see above); *der is malloc'd. */
int crl_build(const struct crl_spec *spec, struct keystore *ks,
    unsigned char **der, size_t *len);

struct crl_info {
	uint64_t number;
	time_t this_update, next_update;
	size_t entries;
};
/* Verifies a DER CRL as signed by issuer (see above) and describes it.
 * OR_E_VERIFY for a bad signature, OR_E_CORRUPT for anything else. */
int crl_verify(const unsigned char *der, size_t len, X509 *issuer,
    struct crl_info *info);
/* PEM ("X509 CRL") of a DER CRL; *pem is malloc'd, NUL-terminated. */
int crl_to_pem(const unsigned char *der, size_t len, char **pem,
    size_t *pemlen);
/* The same PEM made on demand (file_write_new_source), CRL_PEM_LINES
 * lines at a time, so that a large CRL is never held twice. */
#define CRL_PEM_LINES		1024
struct crl_pem {
	const unsigned char *der;
	size_t len, pos;
	bool done;
	char buf[CRL_PEM_LINES * 65 + 64];	/* lines, BEGIN or END */
};
struct file_source;
void crl_pem_source(struct crl_pem *c, const unsigned char *der, size_t len,
    struct file_source *src);

/* ---- the ceremony step ---------------------------------------------- */

struct crl_params {
	long days;		/* 0: CRL_DEFAULT_DAYS */
	time_t this_update;	/* 0: now */
	const char *out;	/* also write the CRL here (NULL: no) */
	bool der;		/* out in DER rather than PEM */
};

struct crl_plan {
	struct revoke_db rdb;
	struct crl_spec spec;
	bool clamped;		/* the default period stops at notAfter */
	char dir[PATH_MAX];
};

struct crl_result {
	uint64_t number;
	time_t this_update, next_update;
	size_t entries;
	char file[64];		/* name in DIR/crls/ */
	char sha256[65];	/* of the DER */
	unsigned char *der;	/* malloc'd; crl_result_free */
	size_t len;
};

struct cadb;
struct interact;

/* Replays the journal and lints the next CRL; needs no key, so a CRL that
 * would be refused is refused before the passphrase is asked.  Without
 * p->days, nextUpdate is thisUpdate + CRL_DEFAULT_DAYS or the root's
 * notAfter, whichever comes first (plan->clamped says so).  Besides
 * crl_lint: thisUpdate not in the future, not before the last CRL's. */
int crl_prepare(struct cadb *db, X509 *root, const struct crl_params *p,
    struct crl_plan *plan);
/* The same with the journal already replayed (REVOKE_DB_ENTRIES, by the
 * pass that opened db: cadb_open_visit); *rdb moves into plan, even on
 * failure. */
int crl_prepare_with(struct cadb *db, X509 *root, const struct crl_params *p,
    struct revoke_db *rdb, struct crl_plan *plan);
/* Removes crls/ files left by interrupted runs (their numbers stay
 * unused), reserves the number, builds, signs and verifies the CRL,
 * writes p->out (if any) and DIR/crls/NUMBER.crl (DER), then records it
 * ("crl").  On failure nothing but the reservation remains. */
int crl_sign(struct cadb *db, struct keystore *ks, struct interact *io,
    const struct crl_params *p, struct crl_plan *plan, struct crl_result *res);
void crl_plan_free(struct crl_plan *plan);
void crl_result_free(struct crl_result *res);

/* For the bundle: the latest CRL when it is still current (no revocation
 * recorded since, nextUpdate more than CRL_REFRESH_DAYS away, file intact
 * and verified), else a new one signed with the defaults.  *der is
 * malloc'd. */
int crl_current_or_new(struct cadb *db, X509 *root, struct keystore *ks,
    struct interact *io, unsigned char **der, size_t *len);

#endif
