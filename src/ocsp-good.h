/*
 * ocsp-good.h — pre-signed "good" OCSP responses that outlive a
 * revocation (issue 12, item 10).
 *
 * A response offroot ocsp signed says "good" until its nextUpdate,
 * wherever it was copied.  When the certificate is revoked before then, a
 * relying party that is served that response still trusts it: the hazard
 * lasts until the response expires, and the remedy is a "revoked" response
 * for the same serial, published in its place.  The ocsp records of the
 * journal (serial, status, this_update, next_update, file) say which
 * responses exist; revoke warns about them, status and the TUI calendar
 * list them until they expire (calendar.h).
 */
#ifndef OFFROOT_OCSP_GOOD_H
#define OFFROOT_OCSP_GOOD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "journal.h"
#include "serial.h"

struct ocsp_good {
	struct serial serial;
	char serial_hex[SERIAL_HEX];
	time_t this_update, next_update;
	uint64_t seq;			/* its ocsp record */
	char file[512];			/* where it was written; "" if unknown */
	bool answered;			/* a "revoked" response was signed
					 * for the serial after it */
};

/* The good responses still valid at now, in journal order. */
struct ocsp_goods {
	time_t now;
	struct ocsp_good *g;
	size_t n, cap;
};

void ocsp_goods_init(struct ocsp_goods *gs, time_t now);
/* A journal visitor (cadb_open_visit, cadb_scan's extra): collects the
 * ocsp records.  OR_E_NOMEM only. */
int ocsp_goods_visit(const struct jrecord *r, void *gs);
void ocsp_goods_free(struct ocsp_goods *gs);
/* Warns through io about each good response in gs for one of the n
 * serials just revoked: its record, file and nextUpdate, and the ocsp
 * command for DIR that signs a "revoked" one (revoke, a ceremony's revoke
 * step). */
struct interact;
void ocsp_goods_warn(struct interact *io, const char *dir,
    const struct ocsp_goods *gs, const struct serial *s, size_t n);

#endif
