/*
 * calendar.h — the CA's calendar read from its journal: when the next CRL
 * is due, which issued certificates expire soon, when the root expires.
 * The TUI's home screen and `offroot status` show the same dates, and
 * the same hazards: pre-signed "good" OCSP responses still valid for a
 * certificate revoked since (ocsp-good.h), listed until they expire, and
 * CRLs signed ahead that were withdrawn (crl-ahead.h), listed until their
 * nextUpdate, so that the online side deletes them.  With CRLs signed
 * ahead, the next CRL is due when the last of them runs out.
 * The root's own expiry is warned of from CAL_ROOT_WARN_DAYS on, loudly
 * from CAL_ROOT_LOUD_DAYS: "renew or roll over" (calendar_root_alert);
 * the earlier root certificates a renewal kept (renew.h) are listed.
 */
#ifndef OFFROOT_CALENDAR_H
#define OFFROOT_CALENDAR_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#define CAL_MAX_EXPIRING	32
#define CAL_SOON_DAYS	60	/* issued certificates */
#define CAL_CRL_DAYS		7	/* the next CRL */
#define CAL_ROOT_WARN_DAYS	90	/* the root: renew or roll over */
#define CAL_ROOT_LOUD_DAYS	30	/* ... loudly */
#define CAL_MAX_ROOTS		16	/* earlier root certificates listed */

struct cal_cert {
	char serial[48];
	char subject[160];
	char profile[32];
	time_t not_after;
};

#define CAL_MAX_OCSP	16
#define CAL_MAX_WITHDRAWN	16

/* A CRL signed ahead that was withdrawn and is still within its dates:
 * the online side must delete it (crl-ahead.h). */
struct cal_withdrawn {
	unsigned long long number;
	char file[64];			/* its name in the schedule folder */
	time_t this_update, next_update;
};

/* A "good" OCSP response still valid, for a serial revoked now. */
struct cal_ocsp {
	char serial[48];
	time_t next_update;
	unsigned long long seq;		/* its ocsp record */
	char file[512];			/* where it was written, "" unknown */
	bool answered;			/* a "revoked" response came after */
};

/* An earlier root certificate, kept under roots/ by a renewal. */
struct cal_root {
	char serial[48];
	char file[96];			/* roots/NAME */
	time_t not_before, not_after;
	time_t replaced;		/* when the renewal was recorded */
};

enum cal_root_alert {
	CAL_ROOT_OK,			/* more than CAL_ROOT_WARN_DAYS left */
	CAL_ROOT_RENEW,			/* within CAL_ROOT_WARN_DAYS */
	CAL_ROOT_RENEW_NOW,		/* within CAL_ROOT_LOUD_DAYS: loudly */
	CAL_ROOT_EXPIRED,
};

struct calendar {
	bool ok;			/* the journal was read */
	char error[256];
	char subject[256];		/* the root's */
	bool have_root;
	time_t root_not_after;
	char store[16];
	char kdf[16];
	bool token_not_backed_up;	/* pkcs11: recorded as not backed up */
	char token_label[33];
	/* The CRL relying parties have now (a crl record, or one signed
	 * ahead whose time has come: revoke_db_current). */
	bool has_crl;
	unsigned long long crl_number;
	time_t crl_next_update;
	/* When the CRLs signed so far run out (ahead ones too), and the
	 * next CRL ceremony: covered - CRL_REFRESH_DAYS. */
	time_t crl_covered;
	time_t crl_due;
	/* CRLs signed ahead, not withdrawn, whose time has not come: how
	 * many, and the next one to publish. */
	size_t ahead_left;
	char ahead_next_file[64];
	unsigned long long ahead_next_number;
	time_t ahead_next_publish;
	size_t nwithdrawn, more_withdrawn;
	struct cal_withdrawn withdrawn[CAL_MAX_WITHDRAWN];
	unsigned long long since_crl;	/* revocations on no CRL */
	unsigned long long issued;
	unsigned long long revoked;	/* certificates revoked now */
	size_t nexpiring;		/* within CAL_SOON_DAYS, not revoked */
	size_t more_expiring;		/* beyond the CAL_MAX_EXPIRING shown */
	struct cal_cert expiring[CAL_MAX_EXPIRING];
	size_t nroots;			/* earlier root certificates, oldest
					 * first */
	size_t more_roots;		/* beyond the CAL_MAX_ROOTS shown */
	struct cal_root roots[CAL_MAX_ROOTS];
	size_t nocsp;			/* good responses of revoked serials */
	size_t more_ocsp;		/* beyond the CAL_MAX_OCSP shown */
	struct cal_ocsp ocsp[CAL_MAX_OCSP];
};

void calendar_load(const char *dir, time_t now, struct calendar *cal);
/* How urgent the root's renewal is at now: whole days left (negative
 * once expired) in *days, and the warning status and the home screen show
 * in text ("" for CAL_ROOT_OK): "renew or roll over", with the command
 * and the chapter of offroot-ceremony(7) that say how. */
enum cal_root_alert calendar_root_alert(time_t not_after, time_t now,
    long *days, char *text, size_t size);
/* The same in the one pass that also gives the journal's summary and its
 * replayed revocations (REVOKE_DB_ENTRIES; revoke_db_free it when OR_OK
 * is returned).  On an error, cal->error says what. */
struct cadb_summary;
struct revoke_db;
int calendar_scan(const char *dir, time_t now, struct calendar *cal,
    struct cadb_summary *sum, struct revoke_db *rdb);

#endif
