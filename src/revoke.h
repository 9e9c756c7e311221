/*
 * revoke.h — revocations: reason codes, the serials file,
 * recording revocations in the CA journal, and replaying the journal into
 * the CA's revocation state (what a CRL or an OCSP response says).
 *
 * Journal records (manuals/offroot.5):
 *
 *   revoke        serial reason revoked_at [invalidity] known
 *                 one serial (--serial, --cert)
 *   revoke-batch  batch part parts count reason revoked_at [invalidity]
 *                 known source_sha256 serials
 *                 a bulk revocation (--serials-file) cut into parts of at
 *                 most REVOKE_BATCH_PART serials ("serials" is a comma
 *                 separated list).  batch is the sequence number of part 1
 *                 and the parts are consecutive records.  A batch takes
 *                 effect only when its last part (part = parts) is read:
 *                 a batch cut short by a crash has no effect at all, so a
 *                 bulk revocation is all-or-nothing even across kill -9.
 *   crl-number    number: reserved before a CRL is signed, never reused
 *   crl           number this_update next_update entries file sha256
 *   crl-ahead     number this_update next_update entries file sha256
 *                 published: a CRL signed ahead (crl --ahead), kept in
 *                 crls/ as file, published from this_update as the
 *                 schedule folder's file "published"
 *   crl-withdraw  numbers why: CRLs signed ahead that must never be
 *                 published (a revocation or a newer CRL came first)
 *   crl-schedule  outdir manifest_sha256 first last count days interval:
 *                 the schedule folder written for crl --ahead
 *
 * A CRL signed ahead is withdrawn by a crl-withdraw record, and also by
 * any revocation recorded before its thisUpdate: the replay derives it
 * (a kill between the revocation and its crl-withdraw record changes
 * nothing).
 *
 * Serial numbers are serial.h's: the journal spells them in lowercase hex
 * without leading zeros.
 */
#ifndef OFFROOT_REVOKE_H
#define OFFROOT_REVOKE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <openssl/x509.h>

#include "journal.h"
#include "serial.h"

#define REVOKE_BATCH_PART	1400		/* serials per revoke-batch */
#define REVOKE_MAX_FILE		(256u << 20)	/* serials file cap */
#define REVOKE_MAX_SERIALS	(8u << 20)	/* serials in one file */

/* RFC 5280 CRLReason codes (7 is not used). */
enum revoke_reason {
	RR_UNSPECIFIED = 0,
	RR_KEY_COMPROMISE = 1,
	RR_CA_COMPROMISE = 2,
	RR_AFFILIATION_CHANGED = 3,
	RR_SUPERSEDED = 4,
	RR_CESSATION = 5,
	RR_HOLD = 6,
	RR_REMOVE_FROM_CRL = 8,
	RR_PRIVILEGE_WITHDRAWN = 9,
	RR_AA_COMPROMISE = 10,
};

/* "keyCompromise" <-> 1; parse is OR_E_USAGE on an unknown name and lists
 * the names. */
const char *revoke_reason_name(int reason);
int revoke_reason_parse(const char *name, int *reason);

/* Parses a time given on the command line: YYYY-MM-DDTHH:MM:SSZ,
 * YYYY-MM-DD (midnight UTC), "@SECONDS" or "now".  OR_E_USAGE. */
int revoke_parse_time(const char *text, time_t *out);

/*
 * The serials file: one serial per line (as serial_parse), blank
 * lines and lines starting with '#' ignored, surrounding blanks and CR
 * ignored.  Every line is checked before anything is used; the first bad
 * line is named: "line N: ...".  A serial given twice is refused naming
 * both lines.  An empty list is refused.
 */
struct revoke_list {
	struct serial *s;
	uint32_t *line;		/* line number of each serial */
	size_t n, cap;
};
int revoke_parse_serials(const char *buf, size_t len, struct revoke_list *out);
void revoke_list_free(struct revoke_list *l);

/* One revocation.  order is the position in the journal: later wins. */
struct revoke_entry {
	unsigned char serial[SERIAL_MAX];
	uint8_t len;
	uint8_t reason;
	uint8_t has_invalidity;
	uint8_t pad;
	uint32_t order;
	int64_t revoked_at;
	int64_t invalidity;
};

/* What the journal says about a certificate this CA issued. */
struct revoke_issued {
	unsigned char serial[SERIAL_MAX];
	uint8_t len;
	int64_t not_after;
};

/* A completed CRL as its journal record describes it. */
struct revoke_crl {
	uint64_t number;
	uint64_t seq;		/* journal record */
	time_t this_update, next_update;
	uint64_t entries;
	char file[64];		/* in DIR/crls/ */
	char sha256[65];
};

/* A CRL signed ahead (crl-ahead), as its journal record describes it. */
struct revoke_ahead {
	uint64_t number;
	uint64_t seq;		/* journal record */
	time_t this_update, next_update;
	char file[64];		/* in DIR/crls/ */
	char published[64];	/* its name in the schedule folder */
	char sha256[65];	/* of the DER */
	bool withdrawn;		/* never to be published */
	bool withdraw_recorded;	/* by a crl-withdraw record */
	time_t withdrawn_at;	/* the record that withdrew it */
};

#define REVOKE_DB_ENTRIES	0x1	/* collect revocations */
#define REVOKE_DB_ISSUED	0x2	/* collect issued serials */

/*
 * The journal replayed.  With REVOKE_DB_ENTRIES, e[0..n) is sorted by
 * serial with one entry per revoked serial: its latest state (a
 * certificateHold released by removeFromCRL is gone).  Batches cut short
 * are ignored and counted.
 */
struct revoke_db {
	unsigned flags;
	struct revoke_entry *e;
	size_t n, cap;
	struct revoke_issued *issued;	/* sorted by serial */
	size_t nissued, capissued;
	uint64_t revoked;		/* serials revoked (all records) */
	uint64_t since_crl;		/* revocation records after last_crl */
	uint64_t crl_signed_max;	/* highest number of a crl or
					 * crl-ahead record */
	uint64_t crl_reserved_max;	/* highest crl-number reservation */
	bool has_crl;
	struct revoke_crl last_crl;	/* the crl record with that number */
	uint64_t *reserved;		/* reserved numbers without a crl */
	size_t nreserved, capreserved;
	struct revoke_ahead *ahead;	/* crl-ahead records, in order */
	size_t nahead, capahead;
	uint64_t incomplete_batches;	/* cut short by a crash */
	uint64_t incomplete_seq;	/* the last one's first record */
	/* replay state */
	uint32_t order;
	uint64_t batch, batch_part, batch_parts, batch_count;
	size_t batch_start;
};

/* Scans DIR/journal (it may be open in this process) into db. */
int revoke_db_load(const char *dir, unsigned flags, struct revoke_db *db);
/* The journal visitor behind revoke_db_load, for a scan that also does
 * something else (cadb_scan's extra visitor): call revoke_db_init first and
 * revoke_db_finish after the scan. */
void revoke_db_init(struct revoke_db *db, unsigned flags);
int revoke_db_visit(const struct jrecord *r, void *db);
int revoke_db_finish(struct revoke_db *db);
void revoke_db_free(struct revoke_db *db);
/* The CRL a relying party has at now: the highest-numbered crl record,
 * or crl-ahead record not withdrawn, whose thisUpdate has come; false
 * when there is none. */
bool revoke_db_current(const struct revoke_db *db, time_t now,
    struct revoke_crl *out);
/* The last nextUpdate of the CRLs signed so far (crl records and
 * crl-ahead records not withdrawn): when they run out.  0: none. */
time_t revoke_db_covered_until(const struct revoke_db *db);
/* The entry for serial (NULL when not revoked), and whether it was issued
 * here (NULL when not). */
const struct revoke_entry *revoke_db_find(const struct revoke_db *db,
    const struct serial *s);
const struct revoke_issued *revoke_db_issued(const struct revoke_db *db,
    const struct serial *s);

/* What to record. */
struct revoke_request {
	int reason;
	time_t revoked_at;		/* 0: now */
	time_t invalidity;		/* 0: none */
	bool unknown_ok;		/* allow serials not issued here */
	const char *source_sha256;	/* of the serials file, or NULL */
};

struct cadb;
/*
 * Checks every serial against the journal (unknown unless unknown_ok;
 * already revoked, unless it is on hold; removeFromCRL only for a serial
 * on hold) and the dates (not in the future; invalidity not after the
 * revocation), then records them: one "revoke" record for one serial, or
 * a "revoke-batch" for a list.  Each record is fsynced before this
 * returns.  Nothing is recorded when any check fails; the error names the
 * serial (and its line, when line is given).  *unknown receives how many
 * were not issued here.
 */
int revoke_record(struct cadb *db, const struct revoke_request *req,
    const struct serial *s, const uint32_t *line, size_t n,
    size_t *unknown);

#endif
