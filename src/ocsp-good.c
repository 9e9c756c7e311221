/*
 * ocsp-good.c — collecting the "good" OCSP responses still valid from the
 * journal's ocsp records (ocsp-good.h).  Whether their serial is revoked
 * is the caller's to ask (revoke_db, or the serials it just revoked).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "interact.h"
#include "ocsp-good.h"
#include "util.h"

void
ocsp_goods_init(struct ocsp_goods *gs, time_t now)
{
	memset(gs, 0, sizeof *gs);
	gs->now = now;
}

void
ocsp_goods_free(struct ocsp_goods *gs)
{
	free(gs->g);
	gs->g = NULL;
	gs->n = gs->cap = 0;
}

static long long
field_ll(const struct jrecord *r, const char *key)
{
	const char *v = jrecord_get(r, key);

	return v != NULL ? strtoll(v, NULL, 10) : 0;
}

int
ocsp_goods_visit(const struct jrecord *r, void *vgs)
{
	struct ocsp_goods *gs = vgs;
	struct ocsp_good *g;
	struct serial s;
	const char *sv, *st, *file;
	size_t i;

	if (strcmp(r->type, "ocsp") != 0 ||
	    (sv = jrecord_get(r, "serial")) == NULL ||
	    (st = jrecord_get(r, "status")) == NULL ||
	    !serial_parse_canonical(sv, strlen(sv), &s))
		return OR_OK;
	if (strcmp(st, "revoked") == 0) {
		for (i = 0; i < gs->n; i++)
			if (serial_cmp(&gs->g[i].serial, &s) == 0)
				gs->g[i].answered = true;
		return OR_OK;
	}
	if (strcmp(st, "good") != 0 || field_ll(r, "next_update") <= gs->now)
		return OR_OK;
	if (gs->n == gs->cap) {
		size_t ncap = gs->cap ? 2 * gs->cap : 8;

		if ((g = reallocarray(gs->g, ncap, sizeof *g)) == NULL)
			return err_set(OR_E_NOMEM, "out of memory");
		gs->g = g;
		gs->cap = ncap;
	}
	g = &gs->g[gs->n++];
	memset(g, 0, sizeof *g);
	g->serial = s;
	serial_to_hex(&s, g->serial_hex);
	g->this_update = (time_t)field_ll(r, "this_update");
	g->next_update = (time_t)field_ll(r, "next_update");
	g->seq = r->seq;
	/* A path is data: shown with anything but printable ASCII as "?". */
	if ((file = jrecord_get(r, "file")) != NULL) {
		snprintf(g->file, sizeof g->file, "%s", file);
		for (i = 0; g->file[i] != '\0'; i++)
			if ((unsigned char)g->file[i] < 0x20 ||
			    (unsigned char)g->file[i] > 0x7e)
				g->file[i] = '?';
	}
	return OR_OK;
}

/* The good responses still valid for the serials just revoked. */
void
ocsp_goods_warn(struct interact *io, const char *dir,
    const struct ocsp_goods *gs, const struct serial *s, size_t n)
{
	const struct ocsp_good *g;
	char nu[21];
	size_t i, k;

	for (i = 0; i < gs->n; i++) {
		g = &gs->g[i];
		for (k = 0; k < n; k++)
			if (serial_cmp(&g->serial, &s[k]) == 0)
				break;
		if (k == n)
			continue;
		utc_text(g->next_update, nu);
		interact_say(io, SAY_WARN, "serial %s is revoked, but the OCSP "
		    "response of journal record %llu (written to %s) says "
		    "\"good\" until its nextUpdate %s: wherever it is served, "
		    "the certificate is trusted until then%s", g->serial_hex,
		    (unsigned long long)g->seq, g->file[0] != '\0' ? g->file :
		    "a path the record does not name", nu, g->answered ?
		    "; a \"revoked\" response was signed already: publish it "
		    "in its place" : "");
		if (!g->answered)
			interact_say(io, SAY_WARN, "sign a \"revoked\" response "
			    "and publish it in its place: offroot ocsp -d %s "
			    "--serial %s -o FILE", dir, g->serial_hex);
	}
}
