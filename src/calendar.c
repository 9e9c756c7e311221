/*
 * calendar.c — the CA's calendar, read from its journal in one pass, so
 * that the TUI's home screen and `offroot status` show the same dates and
 * an offline CA's officers know when to meet next: the next CRL is due
 * CRL_REFRESH_DAYS before the last CRL's nextUpdate; issued certificates
 * that are not revoked and expire within CAL_SOON_DAYS; the root's own
 * notAfter, and how urgent its renewal is; the earlier root certificates
 * renewals kept; and the "good" OCSP responses still valid whose
 * certificate was revoked since (ocsp-good.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/x509.h>

#include "cadb.h"
#include "crl.h"
#include "dn.h"
#include "err.h"
#include "ocsp-good.h"
#include "revoke.h"
#include "util.h"
#include "calendar.h"

struct cal_scan {
	struct revoke_db rdb;
	struct ocsp_goods goods;
	struct calendar *cal;
	time_t now;
	struct cal_cert *c;
	size_t n, cap;
	int rc;
};

/* A renew-root record: the certificate it replaced, kept under roots/. */
static void
cal_renewal(struct calendar *cal, const struct jrecord *r)
{
	struct cal_root *o;
	const char *v;

	if (cal->nroots == CAL_MAX_ROOTS) {
		/* The latest are the ones to show: drop the oldest. */
		memmove(&cal->roots[0], &cal->roots[1],
		    (CAL_MAX_ROOTS - 1) * sizeof cal->roots[0]);
		cal->nroots--;
		cal->more_roots++;
	}
	o = &cal->roots[cal->nroots++];
	memset(o, 0, sizeof *o);
	if ((v = jrecord_get(r, "previous_serial")) != NULL)
		snprintf(o->serial, sizeof o->serial, "%s", v);
	if ((v = jrecord_get(r, "previous_file")) != NULL)
		snprintf(o->file, sizeof o->file, "%s", v);
	if ((v = jrecord_get(r, "previous_not_before")) != NULL)
		o->not_before = (time_t)strtoll(v, NULL, 10);
	if ((v = jrecord_get(r, "previous_not_after")) != NULL)
		o->not_after = (time_t)strtoll(v, NULL, 10);
	o->replaced = r->time;
}

enum cal_root_alert
calendar_root_alert(time_t not_after, time_t now, long *days, char *text,
    size_t size)
{
	char when[UTC_TEXT_LEN + 1];
	double d = difftime(not_after, now) / 86400.0;

	*days = d < 0 ? (long)(d - 0.999) : (long)d;
	utc_text(not_after, when);
	text[0] = '\0';
	if (not_after < now) {
		snprintf(text, size, "the root certificate EXPIRED on %s: "
		    "every chain under it fails; renew or roll over now "
		    "(offroot renew-root; offroot-ceremony(7), \"The second "
		    "year\")", when);
		return CAL_ROOT_EXPIRED;
	}
	if (*days <= CAL_ROOT_LOUD_DAYS) {
		snprintf(text, size, "THE ROOT CERTIFICATE EXPIRES IN %ld "
		    "DAY%s (%s): renew or roll over NOW (offroot renew-root; "
		    "offroot-ceremony(7), \"The second year\")", *days,
		    *days == 1 ? "" : "S", when);
		return CAL_ROOT_RENEW_NOW;
	}
	if (*days <= CAL_ROOT_WARN_DAYS) {
		snprintf(text, size, "the root certificate expires in %ld days "
		    "(%s): renew or roll over before then (offroot renew-root; "
		    "offroot-ceremony(7), \"The second year\")", *days, when);
		return CAL_ROOT_RENEW;
	}
	return CAL_ROOT_OK;
}

static int
cal_visit(const struct jrecord *r, void *arg)
{
	struct cal_scan *cs = arg;
	struct cal_cert *c;
	const char *serial, *na, *v;
	long long t;

	if (ocsp_goods_visit(r, &cs->goods) != OR_OK)
		return OR_E_NOMEM;
	if (strcmp(r->type, "renew-root") == 0)
		cal_renewal(cs->cal, r);
	if (strcmp(r->type, "issue") == 0 &&
	    (serial = jrecord_get(r, "serial")) != NULL &&
	    (na = jrecord_get(r, "not_after")) != NULL) {
		t = strtoll(na, NULL, 10);
		if (t >= cs->now &&
		    t - cs->now <= (long long)CAL_SOON_DAYS * 86400) {
			if (cs->n == cs->cap) {
				size_t ncap = cs->cap ? cs->cap * 2 : 16;
				if ((c = reallocarray(cs->c, ncap,
				    sizeof *c)) == NULL) {
					cs->rc = OR_E_NOMEM;
					return revoke_db_visit(r, &cs->rdb);
				}
				cs->c = c;
				cs->cap = ncap;
			}
			c = &cs->c[cs->n++];
			memset(c, 0, sizeof *c);
			snprintf(c->serial, sizeof c->serial, "%s", serial);
			if ((v = jrecord_get(r, "subject")) != NULL)
				snprintf(c->subject, sizeof c->subject, "%s", v);
			if ((v = jrecord_get(r, "profile")) != NULL)
				snprintf(c->profile, sizeof c->profile, "%s", v);
			c->not_after = (time_t)t;
		}
	}
	return revoke_db_visit(r, &cs->rdb);
}

static int
cal_cmp(const void *a, const void *b)
{
	const struct cal_cert *x = a, *y = b;

	return (x->not_after > y->not_after) - (x->not_after < y->not_after);
}

static bool
cal_revoked(const struct revoke_db *rdb, const char *serial)
{
	struct serial s;

	if (serial_parse(serial, strlen(serial), &s) != OR_OK)
		return false;
	return revoke_db_find(rdb, &s) != NULL;
}

static void
cal_root(const char *dir, const struct cadb_summary *sum,
    struct calendar *cal)
{
	X509 *root = NULL;
	struct tm tm;

	if (cadb_load_root(dir, sum, &root) != OR_OK)
		return;
	cal->have_root = true;
	dn_format(X509_get_subject_name(root), cal->subject,
	    sizeof cal->subject);
	if (ASN1_TIME_to_tm(X509_get0_notAfter(root), &tm))
		cal->root_not_after = timegm(&tm);
	X509_free(root);
}

/* The good responses whose serial the journal now has revoked. */
static void
cal_ocsp(const struct cal_scan *cs, struct calendar *cal)
{
	const struct ocsp_good *g;
	struct cal_ocsp *o;
	size_t i;

	for (i = 0; i < cs->goods.n; i++) {
		g = &cs->goods.g[i];
		if (revoke_db_find(&cs->rdb, &g->serial) == NULL)
			continue;
		if (cal->nocsp == CAL_MAX_OCSP) {
			cal->more_ocsp++;
			continue;
		}
		o = &cal->ocsp[cal->nocsp++];
		snprintf(o->serial, sizeof o->serial, "%s", g->serial_hex);
		snprintf(o->file, sizeof o->file, "%s", g->file);
		o->next_update = g->next_update;
		o->seq = g->seq;
		o->answered = g->answered;
	}
}

/* The current CRL, when the CRLs signed run out, what is left of a
 * schedule signed ahead and what was withdrawn from it. */
static void
cal_crl(const struct revoke_db *rdb, time_t now, struct calendar *cal)
{
	const struct revoke_ahead *a;
	struct revoke_crl cur;
	struct cal_withdrawn *w;
	size_t i;

	if ((cal->has_crl = revoke_db_current(rdb, now, &cur))) {
		cal->crl_number = cur.number;
		cal->crl_next_update = cur.next_update;
		cal->crl_covered = revoke_db_covered_until(rdb);
		cal->crl_due = cal->crl_covered -
		    (time_t)CRL_REFRESH_DAYS * 86400;
	}
	for (i = 0; i < rdb->nahead; i++) {
		a = &rdb->ahead[i];
		if (!a->withdrawn && a->this_update > now) {
			if (cal->ahead_left++ == 0) {
				snprintf(cal->ahead_next_file,
				    sizeof cal->ahead_next_file, "%s",
				    a->published);
				cal->ahead_next_number = a->number;
				cal->ahead_next_publish = a->this_update;
			}
		} else if (a->withdrawn && a->next_update > now) {
			if (cal->nwithdrawn == CAL_MAX_WITHDRAWN) {
				cal->more_withdrawn++;
				continue;
			}
			w = &cal->withdrawn[cal->nwithdrawn++];
			w->number = a->number;
			snprintf(w->file, sizeof w->file, "%s", a->published);
			w->this_update = a->this_update;
			w->next_update = a->next_update;
		}
	}
}

void
calendar_load(const char *dir, time_t now, struct calendar *cal)
{
	struct cadb_summary sum;
	struct revoke_db rdb;

	if (calendar_scan(dir, now, cal, &sum, &rdb) == OR_OK)
		revoke_db_free(&rdb);
}

int
calendar_scan(const char *dir, time_t now, struct calendar *cal,
    struct cadb_summary *sum, struct revoke_db *rdb)
{
	struct cal_scan cs;
	size_t i;
	int rc;

	memset(cal, 0, sizeof *cal);
	memset(&cs, 0, sizeof cs);
	cs.cal = cal;
	cs.now = now;
	revoke_db_init(&cs.rdb, REVOKE_DB_ENTRIES);
	ocsp_goods_init(&cs.goods, now);
	if ((rc = cadb_scan(dir, sum, cal_visit, &cs)) == OR_OK)
		rc = revoke_db_finish(&cs.rdb);
	if (rc != OR_OK) {
		snprintf(cal->error, sizeof cal->error, "%s", err_msg(rc));
		revoke_db_free(&cs.rdb);
		ocsp_goods_free(&cs.goods);
		free(cs.c);
		return rc;
	}
	cal->ok = true;
	snprintf(cal->store, sizeof cal->store, "%s", sum->store);
	snprintf(cal->kdf, sizeof cal->kdf, "%s", sum->kdf);
	snprintf(cal->token_label, sizeof cal->token_label, "%s",
	    sum->token_label);
	cal->token_not_backed_up = strcmp(sum->store, "pkcs11") == 0 &&
	    strcmp(sum->token_backed_up, "no") == 0;
	cal->issued = sum->issued;
	/* Certificates revoked now, as the next CRL lists them: a hold
	 * released by removeFromCRL is not one, a hold made permanent is
	 * one (not the revocation records, which count both twice). */
	cal->revoked = cs.rdb.n;
	cal->since_crl = cs.rdb.since_crl;
	cal_crl(&cs.rdb, now, cal);
	cal_root(dir, sum, cal);
	if (cs.n > 0)
		qsort(cs.c, cs.n, sizeof *cs.c, cal_cmp);
	for (i = 0; i < cs.n; i++) {
		if (cal_revoked(&cs.rdb, cs.c[i].serial))
			continue;
		if (cal->nexpiring < CAL_MAX_EXPIRING)
			cal->expiring[cal->nexpiring++] = cs.c[i];
		else
			cal->more_expiring++;
	}
	cal_ocsp(&cs, cal);
	ocsp_goods_free(&cs.goods);
	*rdb = cs.rdb;
	free(cs.c);
	return OR_OK;
}
