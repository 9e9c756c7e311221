/*
 * crl-ahead.h — CRLs signed ahead (offroot crl --ahead N): N CRLs in one
 * unlock, so that a 30-day CRL does not mean a ceremony every month.
 *
 * CRL k (0 .. N-1) has the number first + k (consecutive, reserved in the
 * journal before the key signs, like every CRL number), thisUpdate
 * start + k * interval and nextUpdate its thisUpdate + validity, where
 * the validity and the interval are the root profile's crl_days and
 * crl_interval_days (profile.h) unless --days and --interval say
 * otherwise.  Each lists every revocation recorded when it was signed.
 * The interval is shorter than the validity, so that the next file is
 * published while the one before still runs.
 *
 * The order of the run (op.h, ARCHITECTURE decision 10):
 *   1. any CRLs signed ahead before whose time has not come are withdrawn
 *      (a crl-withdraw record): this schedule replaces them;
 *   2. the N numbers are reserved (crl-number records, one commit);
 *   3. each CRL is built, signed, verified and kept as DIR/crls/N.crl;
 *   4. each is recorded (crl-ahead records, one commit);
 *   5. the schedule folder (the CRLs named crl-NNNN-YYYY-MM-DD.crl or
 *      .pem, SCHEDULE.txt, root.pem, MANIFEST, MANIFEST.sig) is staged
 *      beside OUTDIR (bundle.h), recorded (crl-schedule), renamed into
 *      place.
 * A kill before 4 leaves reserved numbers and unrecorded crls/ files,
 * which recover_ca sets aside; a kill after 4 leaves recorded CRLs that
 * never left the CA directory (the staged folder at most, which
 * recover_publish completes once 5's record is written).
 *
 * A CRL whose thisUpdate is in the future is not yet valid to a relying
 * party (OpenSSL: "CRL is not yet valid"): each file is published at its
 * time, as SCHEDULE.txt says.  A revocation, or a new CRL, withdraws the
 * ones whose time has not come (revoke.h): status and the calendar list
 * them for the online side to delete.
 */
#ifndef OFFROOT_CRL_AHEAD_H
#define OFFROOT_CRL_AHEAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <openssl/x509.h>

#include "crl.h"
#include "revoke.h"

#define CRL_AHEAD_MAX		52	/* CRLs in one schedule */
#define CRL_AHEAD_SCHEDULE	"SCHEDULE.txt"

struct crl_ahead_params {
	long count;		/* N, 1 .. CRL_AHEAD_MAX */
	long days;		/* 0: the profile's crl_days */
	long interval;		/* 0: the profile's crl_interval_days */
	time_t start;		/* the first thisUpdate; 0: now */
	const char *outdir;	/* the schedule folder, new */
	bool der;		/* files in DER (.crl) rather than PEM (.pem) */
};

struct crl_ahead_plan {
	struct revoke_db rdb;
	long count, days, interval;
	struct crl_spec spec[CRL_AHEAD_MAX];
	char published[CRL_AHEAD_MAX][64];	/* names in the folder */
	size_t nsuperseded;	/* earlier CRLs signed ahead withdrawn */
};

struct crl_ahead_result {
	size_t n;
	unsigned char *der[CRL_AHEAD_MAX];
	size_t len[CRL_AHEAD_MAX];
	char file[CRL_AHEAD_MAX][64];		/* in DIR/crls/ */
	char sha256[CRL_AHEAD_MAX][65];		/* of the DER */
	unsigned char manifest_sha256[32];
};

struct cadb;
struct interact;
struct keystore;

/* Reads the profile's period, computes and lints every CRL of the
 * schedule (crl_lint, and the first thisUpdate neither in the future nor
 * before the CRL relying parties have now); needs no key.  *rdb
 * (REVOKE_DB_ENTRIES, finished) moves into plan, even on failure. */
int crl_ahead_prepare(struct cadb *db, X509 *root,
    const struct crl_ahead_params *p, struct revoke_db *rdb,
    struct crl_ahead_plan *plan);
/* Steps 1 to 5 above, with the key open. */
int crl_ahead_sign(struct cadb *db, X509 *root, struct keystore *ks,
    struct interact *io, const struct crl_ahead_params *p,
    struct crl_ahead_plan *plan, struct crl_ahead_result *res);
void crl_ahead_plan_free(struct crl_ahead_plan *plan);
void crl_ahead_result_free(struct crl_ahead_result *res);

/*
 * Records (crl-withdraw, why) the CRLs signed ahead that must not be
 * published: those rdb derives as withdrawn by a revocation but no
 * record names yet, and, with supersede, those whose thisUpdate is after
 * t (a new CRL takes their place).  Tells io which files to delete.
 * OR_OK when there is none.
 */
int crl_ahead_withdraw(struct cadb *db, struct revoke_db *rdb, time_t t,
    bool supersede, const char *why, struct interact *io);

/* The CRL validity and the interval of CRLs signed ahead that the CA's
 * root profile sets (DIR/profiles.cnf; profile.h), defaults filled in. */
int crl_profile_period(struct cadb *db, long *days, long *interval);

/* The schedule folder's name for CRL number n with thisUpdate t. */
void crl_ahead_name(uint64_t n, time_t t, bool der, char out[64]);

#endif
