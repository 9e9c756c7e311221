/*
 * revoke.c — revocations: reason names, the serials file, recording, and
 * the journal replayed into the CA's revocation state (revoke.h).
 *
 * Serial numbers themselves are serial.c's; this file records through
 * cadb_append and is read by crl.c, ocsp.c and the calendar, never the
 * other way round.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cadb.h"
#include "crl-sort.h"
#include "err.h"
#include "revoke.h"
#include "util.h"

static const char *const revoke_reasons[] = {
	"unspecified", "keyCompromise", "cACompromise", "affiliationChanged",
	"superseded", "cessationOfOperation", "certificateHold", NULL,
	"removeFromCRL", "privilegeWithdrawn", "aACompromise",
};
#define REVOKE_NREASONS	nitems(revoke_reasons)

const char *
revoke_reason_name(int reason)
{
	if (reason < 0 || (size_t)reason >= REVOKE_NREASONS ||
	    revoke_reasons[reason] == NULL)
		return "unknown";
	return revoke_reasons[reason];
}

int
revoke_reason_parse(const char *name, int *reason)
{
	size_t i;

	for (i = 0; name != NULL && i < REVOKE_NREASONS; i++)
		if (revoke_reasons[i] != NULL &&
		    name[0] == revoke_reasons[i][0] &&
		    strcmp(name, revoke_reasons[i]) == 0) {
			*reason = (int)i;
			return OR_OK;
		}
	return err_set(OR_E_USAGE, "unknown revocation reason \"%s\" (RFC "
	    "5280 names: unspecified keyCompromise cACompromise "
	    "affiliationChanged superseded cessationOfOperation "
	    "certificateHold removeFromCRL privilegeWithdrawn aACompromise)",
	    name != NULL ? name : "");
}

/* ---- times -------------------------------------------------------------- */

int
revoke_parse_time(const char *text, time_t *out)
{
	char full[UTC_TEXT_LEN + 1];
	const char *utc = text;
	size_t n = strlen(text);
	long long v;
	char *end;
	time_t t;

	if (strcmp(text, "now") == 0) {
		*out = time(NULL);
		return OR_OK;
	}
	if (text[0] == '@') {
		errno = 0;
		v = strtoll(text + 1, &end, 10);
		if (errno != 0 || end == text + 1 || *end != '\0' || v <= 0 ||
		    v > 253402300799LL)
			goto bad;
		*out = (time_t)v;
		return OR_OK;
	}
	/* YYYY-MM-DD is midnight UTC of that day; both go through the one
	 * parser (util.h).  The epoch itself is refused as @0 is: a time of
	 * 0 reads as "none" everywhere else. */
	if (n == 10) {
		snprintf(full, sizeof full, "%.10sT00:00:00Z", text);
		utc = full;
		n = UTC_TEXT_LEN;
	}
	if (!utc_parse(utc, n, &t) || t <= 0)
		goto bad;
	*out = t;
	return OR_OK;
bad:
	return err_set(OR_E_USAGE, "\"%s\" is not a time (YYYY-MM-DDTHH:MM:SSZ, "
	    "YYYY-MM-DD, @SECONDS or now)", text);
}

/* ---- the serials file ------------------------------------------------- */

static int
list_add(struct revoke_list *l, const struct serial *s, uint32_t line)
{
	struct serial *ns;
	uint32_t *nl;
	size_t cap;

	if (l->n == l->cap) {
		cap = l->cap ? 2 * l->cap : 256;
		if ((ns = realloc(l->s, cap * sizeof *ns)) == NULL)
			return err_set(OR_E_NOMEM, "out of memory");
		l->s = ns;
		if ((nl = realloc(l->line, cap * sizeof *nl)) == NULL)
			return err_set(OR_E_NOMEM, "out of memory");
		l->line = nl;
		l->cap = cap;
	}
	l->s[l->n] = *s;
	l->line[l->n] = line;
	l->n++;
	return OR_OK;
}

/* Sorts the indices of a list by serial, then line, to find repeats. */
static const struct revoke_list *sort_list;

static int
cmp_index(const void *a, const void *b)
{
	uint32_t i = *(const uint32_t *)a, j = *(const uint32_t *)b;
	int c = serial_cmp(&sort_list->s[i], &sort_list->s[j]);

	if (c != 0)
		return c;
	return (sort_list->line[i] > sort_list->line[j]) -
	    (sort_list->line[i] < sort_list->line[j]);
}

static int
find_repeat(const struct revoke_list *l)
{
	char hex[SERIAL_HEX];
	uint32_t *idx, first = 0, again = 0;
	size_t i;

	if ((idx = malloc(l->n * sizeof *idx)) == NULL)
		return err_set(OR_E_NOMEM, "out of memory");
	for (i = 0; i < l->n; i++)
		idx[i] = (uint32_t)i;
	sort_list = l;
	qsort(idx, l->n, sizeof *idx, cmp_index);
	sort_list = NULL;
	/* The repeat that comes first in the file. */
	for (i = 1; i < l->n; i++)
		if (serial_cmp(&l->s[idx[i - 1]], &l->s[idx[i]]) == 0 &&
		    (again == 0 || l->line[idx[i]] < l->line[again - 1])) {
			first = idx[i - 1] + 1;
			again = idx[i] + 1;
		}
	free(idx);
	if (again == 0)
		return OR_OK;
	serial_to_hex(&l->s[again - 1], hex);
	/* idx are 1-based above so that 0 means none. */
	return err_set(OR_E_INPUT, "line %" PRIu32 ": serial %s is already "
	    "on line %" PRIu32, l->line[again - 1], hex, l->line[first - 1]);
}

int
revoke_parse_serials(const char *buf, size_t len, struct revoke_list *out)
{
	struct serial s;
	const char *p = buf, *end = buf + len, *nl, *a, *b;
	uint32_t line = 0;
	int rc;

	memset(out, 0, sizeof *out);
	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			nl = end;
		if (line == UINT32_MAX) {
			rc = err_set(OR_E_INPUT, "too many lines");
			goto fail;
		}
		line++;
		for (a = p; a < nl && (*a == ' ' || *a == '\t'); a++)
			;
		for (b = nl; b > a && (b[-1] == ' ' || b[-1] == '\t' ||
		    b[-1] == '\r'); b--)
			;
		p = nl + 1;
		if (a == b || *a == '#')
			continue;
		if (memchr(a, '\0', (size_t)(b - a)) != NULL) {
			rc = err_set(OR_E_INPUT, "line %" PRIu32 ": a NUL byte",
			    line);
			goto fail;
		}
		if ((rc = serial_parse(a, (size_t)(b - a), &s)) !=
		    OR_OK) {
			rc = err_context(rc, "line %" PRIu32, line);
			goto fail;
		}
		if (out->n == REVOKE_MAX_SERIALS) {
			rc = err_set(OR_E_INPUT, "line %" PRIu32 ": more than "
			    "%u serials", line, REVOKE_MAX_SERIALS);
			goto fail;
		}
		if ((rc = list_add(out, &s, line)) != OR_OK)
			goto fail;
	}
	if (out->n == 0) {
		rc = err_set(OR_E_INPUT, "no serial numbers in the file");
		goto fail;
	}
	if ((rc = find_repeat(out)) != OR_OK)
		goto fail;
	return OR_OK;
fail:
	revoke_list_free(out);
	return rc;
}

void
revoke_list_free(struct revoke_list *l)
{
	free(l->s);
	free(l->line);
	memset(l, 0, sizeof *l);
}

/* ---- the journal replayed ----------------------------------------------- */

static int
rec_bad(const struct jrecord *r, const char *what)
{
	return err_set(OR_E_CORRUPT, "journal record %" PRIu64 " (%s): %s",
	    r->seq, r->type, what);
}

static bool
parse_u64(const char *v, uint64_t *out)
{
	uint64_t x = 0;
	size_t i;

	if (v == NULL || v[0] == '\0' || (v[0] == '0' && v[1] != '\0'))
		return false;
	for (i = 0; v[i] != '\0'; i++) {
		if (v[i] < '0' || v[i] > '9' || i >= 19)
			return false;
		x = x * 10 + (uint64_t)(v[i] - '0');
	}
	*out = x;
	return true;
}

static bool
parse_time_field(const char *v, int64_t *out)
{
	uint64_t x;

	if (!parse_u64(v, &x))
		return false;
	*out = (int64_t)x;
	return true;
}

static int
db_add(struct revoke_db *db, const struct serial *s, int reason,
    int64_t at, bool has_inv, int64_t inv)
{
	struct revoke_entry *ne, *e;
	size_t cap;

	if (db->n == db->cap) {
		cap = db->cap ? 2 * db->cap : 1024;
		if ((ne = realloc(db->e, cap * sizeof *ne)) == NULL)
			return err_set(OR_E_NOMEM, "out of memory");
		mem_advise_huge(ne + db->n, (cap - db->n) * sizeof *ne);
		db->e = ne;
		db->cap = cap;
	}
	e = &db->e[db->n++];
	memcpy(e->serial, s->b, SERIAL_MAX);
	e->len = s->len;
	e->reason = (uint8_t)reason;
	e->has_invalidity = has_inv;
	e->pad = 0;
	e->order = db->order++;
	e->revoked_at = at;
	e->invalidity = has_inv ? inv : 0;
	return OR_OK;
}

static int
db_add_issued(struct revoke_db *db, const struct jrecord *r)
{
	struct revoke_issued *ni, *is;
	struct serial s;
	int64_t na = 0;
	const char *v = jrecord_get(r, "serial");
	size_t cap;

	if (v == NULL || !serial_parse_canonical(v, strlen(v), &s))
		return rec_bad(r, "no valid serial");
	(void)parse_time_field(jrecord_get(r, "not_after"), &na);
	if (db->nissued == db->capissued) {
		cap = db->capissued ? 2 * db->capissued : 64;
		if ((ni = realloc(db->issued, cap * sizeof *ni)) == NULL)
			return err_set(OR_E_NOMEM, "out of memory");
		db->issued = ni;
		db->capissued = cap;
	}
	is = &db->issued[db->nissued++];
	memcpy(is->serial, s.b, SERIAL_MAX);
	is->len = s.len;
	is->not_after = na;
	return OR_OK;
}

/* Common fields of revoke and revoke-batch. */
static int
parse_revocation(const struct jrecord *r, int *reason, int64_t *at,
    bool *has_inv, int64_t *inv)
{
	const char *v;

	if (revoke_reason_parse(jrecord_get(r, "reason"), reason) != OR_OK)
		return rec_bad(r, "unknown reason");
	if (!parse_time_field(jrecord_get(r, "revoked_at"), at))
		return rec_bad(r, "bad revoked_at");
	*has_inv = (v = jrecord_get(r, "invalidity")) != NULL;
	*inv = 0;
	if (*has_inv && !parse_time_field(v, inv))
		return rec_bad(r, "bad invalidity");
	return OR_OK;
}

/* A revocation recorded at t withdraws every CRL signed ahead whose
 * thisUpdate had not come yet: it would be published without it. */
static void
ahead_revoked(struct revoke_db *db, time_t t)
{
	size_t i;

	for (i = 0; i < db->nahead; i++)
		if (!db->ahead[i].withdrawn && db->ahead[i].this_update > t) {
			db->ahead[i].withdrawn = true;
			db->ahead[i].withdrawn_at = t;
		}
}

/* A batch that did not finish: its entries are dropped. */
static void
batch_abandon(struct revoke_db *db)
{
	if (db->batch == 0)
		return;
	if (db->flags & REVOKE_DB_ENTRIES)
		db->n = db->batch_start;
	db->incomplete_batches++;
	db->incomplete_seq = db->batch;
	db->batch = 0;
}

static int
visit_batch(struct revoke_db *db, const struct jrecord *r)
{
	struct serial s;
	uint64_t batch, part, parts, count, got = 0;
	const char *v, *p, *comma;
	bool has_inv;
	int64_t at, inv;
	int reason, rc;

	if (!parse_u64(jrecord_get(r, "batch"), &batch) ||
	    !parse_u64(jrecord_get(r, "part"), &part) ||
	    !parse_u64(jrecord_get(r, "parts"), &parts) ||
	    !parse_u64(jrecord_get(r, "count"), &count) ||
	    part == 0 || part > parts || count == 0 ||
	    count > REVOKE_BATCH_PART)
		return rec_bad(r, "bad batch, part, parts or count");
	if ((rc = parse_revocation(r, &reason, &at, &has_inv, &inv)) != OR_OK)
		return rc;
	if (part == 1) {
		if (batch != r->seq)
			return rec_bad(r, "part 1 does not carry its own "
			    "sequence number as batch");
		db->batch = batch;
		db->batch_parts = parts;
		db->batch_count = 0;
		db->batch_start = db->n;
	} else if (db->batch != batch || part != db->batch_part + 1 ||
	    parts != db->batch_parts) {
		return rec_bad(r, "a batch part out of order");
	}
	db->batch_part = part;
	if (db->flags & REVOKE_DB_ENTRIES) {
		if ((v = jrecord_get(r, "serials")) == NULL)
			return rec_bad(r, "no serials");
		for (p = v; *p != '\0'; p = comma + 1) {
			if ((comma = strchr(p, ',')) == NULL)
				comma = p + strlen(p);
			if (!serial_parse_canonical(p, (size_t)(comma - p), &s))
				return rec_bad(r, "a malformed serial");
			if ((rc = db_add(db, &s, reason, at, has_inv, inv)) !=
			    OR_OK)
				return rc;
			got++;
			if (*comma == '\0')
				break;
		}
		if (got != count)
			return rec_bad(r, "count does not match the serials");
	}
	db->batch_count += count;
	if (part == parts) {
		db->revoked += db->batch_count;
		db->since_crl += db->batch_count;
		db->batch = 0;
		ahead_revoked(db, r->time);
	}
	return OR_OK;
}

static int
reserve_add(struct revoke_db *db, uint64_t number)
{
	uint64_t *nr;
	size_t cap;

	if (db->nreserved == db->capreserved) {
		cap = db->capreserved ? 2 * db->capreserved : 16;
		if ((nr = realloc(db->reserved, cap * sizeof *nr)) == NULL)
			return err_set(OR_E_NOMEM, "out of memory");
		db->reserved = nr;
		db->capreserved = cap;
	}
	db->reserved[db->nreserved++] = number;
	return OR_OK;
}

static void
reserve_drop(struct revoke_db *db, uint64_t number)
{
	size_t i;

	for (i = 0; i < db->nreserved; i++)
		if (db->reserved[i] == number) {
			db->reserved[i] = db->reserved[--db->nreserved];
			break;
		}
}

static int
visit_ahead(struct revoke_db *db, const struct jrecord *r)
{
	struct revoke_ahead *a, *na;
	const char *file, *sha, *pub;
	int64_t tu, nu;
	uint64_t number, entries;
	size_t cap;

	file = jrecord_get(r, "file");
	sha = jrecord_get(r, "sha256");
	pub = jrecord_get(r, "published");
	if (!parse_u64(jrecord_get(r, "number"), &number) || number == 0 ||
	    !parse_time_field(jrecord_get(r, "this_update"), &tu) ||
	    !parse_time_field(jrecord_get(r, "next_update"), &nu) ||
	    !parse_u64(jrecord_get(r, "entries"), &entries) ||
	    file == NULL || strlen(file) >= sizeof a->file ||
	    pub == NULL || strlen(pub) >= sizeof a->published ||
	    sha == NULL || strlen(sha) != 64)
		return rec_bad(r, "bad number, times, entries, file, published "
		    "or sha256");
	if (db->nahead == db->capahead) {
		cap = db->capahead ? 2 * db->capahead : 16;
		if ((na = realloc(db->ahead, cap * sizeof *na)) == NULL)
			return err_set(OR_E_NOMEM, "out of memory");
		db->ahead = na;
		db->capahead = cap;
	}
	a = &db->ahead[db->nahead++];
	memset(a, 0, sizeof *a);
	a->number = number;
	a->seq = r->seq;
	a->this_update = (time_t)tu;
	a->next_update = (time_t)nu;
	snprintf(a->file, sizeof a->file, "%s", file);
	snprintf(a->published, sizeof a->published, "%s", pub);
	snprintf(a->sha256, sizeof a->sha256, "%s", sha);
	if (number > db->crl_signed_max)
		db->crl_signed_max = number;
	/* Revocations after it are on no CRL it holds. */
	db->since_crl = 0;
	reserve_drop(db, number);
	return OR_OK;
}

static int
visit_withdraw(struct revoke_db *db, const struct jrecord *r)
{
	const char *v = jrecord_get(r, "numbers"), *p, *comma;
	char one[24];
	uint64_t number;
	size_t i, len;

	if (v == NULL || *v == '\0')
		return rec_bad(r, "no numbers");
	for (p = v;; p = comma + 1) {
		if ((comma = strchr(p, ',')) == NULL)
			comma = p + strlen(p);
		len = (size_t)(comma - p);
		if (len == 0 || len >= sizeof one)
			return rec_bad(r, "a malformed number");
		memcpy(one, p, len);
		one[len] = '\0';
		if (!parse_u64(one, &number))
			return rec_bad(r, "a malformed number");
		for (i = 0; i < db->nahead; i++)
			if (db->ahead[i].number == number)
				break;
		if (i == db->nahead)
			return rec_bad(r, "withdraws a CRL never signed ahead");
		if (!db->ahead[i].withdrawn)
			db->ahead[i].withdrawn_at = r->time;
		db->ahead[i].withdrawn = true;
		db->ahead[i].withdraw_recorded = true;
		if (*comma == '\0')
			break;
	}
	return OR_OK;
}

static int
visit_crl(struct revoke_db *db, const struct jrecord *r)
{
	struct revoke_crl c;
	const char *file, *sha;
	int64_t tu, nu;

	memset(&c, 0, sizeof c);
	file = jrecord_get(r, "file");
	sha = jrecord_get(r, "sha256");
	if (!parse_u64(jrecord_get(r, "number"), &c.number) || c.number == 0 ||
	    !parse_time_field(jrecord_get(r, "this_update"), &tu) ||
	    !parse_time_field(jrecord_get(r, "next_update"), &nu) ||
	    !parse_u64(jrecord_get(r, "entries"), &c.entries) ||
	    file == NULL || strlen(file) >= sizeof c.file ||
	    sha == NULL || strlen(sha) != 64)
		return rec_bad(r, "bad number, times, entries, file or sha256");
	c.seq = r->seq;
	c.this_update = (time_t)tu;
	c.next_update = (time_t)nu;
	snprintf(c.file, sizeof c.file, "%s", file);
	snprintf(c.sha256, sizeof c.sha256, "%s", sha);
	if (!db->has_crl || c.number >= db->last_crl.number)
		db->last_crl = c;
	if (c.number > db->crl_signed_max)
		db->crl_signed_max = c.number;
	db->has_crl = true;
	db->since_crl = 0;
	reserve_drop(db, c.number);
	return OR_OK;
}

void
revoke_db_init(struct revoke_db *db, unsigned flags)
{
	memset(db, 0, sizeof *db);
	db->flags = flags;
}

int
revoke_db_visit(const struct jrecord *r, void *vdb)
{
	struct revoke_db *db = vdb;
	struct serial s;
	uint64_t number, batch;
	bool has_inv;
	int64_t at, inv;
	int reason, rc;
	const char *v;

	if (db->batch != 0) {
		/* The next part of the open batch, or the batch was cut. */
		if (strcmp(r->type, "revoke-batch") != 0 ||
		    !parse_u64(jrecord_get(r, "batch"), &batch) ||
		    batch != db->batch)
			batch_abandon(db);
	}
	if (strcmp(r->type, "revoke") == 0) {
		/* Counting (status) needs no more than the type. */
		db->revoked++;
		db->since_crl++;
		ahead_revoked(db, r->time);
		if (!(db->flags & REVOKE_DB_ENTRIES))
			return OR_OK;
		if ((rc = parse_revocation(r, &reason, &at, &has_inv, &inv)) !=
		    OR_OK)
			return rc;
		if ((v = jrecord_get(r, "serial")) == NULL ||
		    !serial_parse_canonical(v, strlen(v), &s))
			return rec_bad(r, "no valid serial");
		if ((rc = db_add(db, &s, reason, at, has_inv, inv)) != OR_OK)
			return rc;
	} else if (strcmp(r->type, "revoke-batch") == 0) {
		return visit_batch(db, r);
	} else if (strcmp(r->type, "issue") == 0) {
		if (db->flags & REVOKE_DB_ISSUED)
			return db_add_issued(db, r);
	} else if (strcmp(r->type, "crl-number") == 0) {
		if (!parse_u64(jrecord_get(r, "number"), &number) ||
		    number == 0)
			return rec_bad(r, "bad number");
		if (number > db->crl_reserved_max)
			db->crl_reserved_max = number;
		return reserve_add(db, number);
	} else if (strcmp(r->type, "crl") == 0) {
		return visit_crl(db, r);
	} else if (strcmp(r->type, "crl-ahead") == 0) {
		return visit_ahead(db, r);
	} else if (strcmp(r->type, "crl-withdraw") == 0) {
		return visit_withdraw(db, r);
	}
	return OR_OK;
}

static int
cmp_issued(const void *a, const void *b)
{
	return memcmp(((const struct revoke_issued *)a)->serial,
	    ((const struct revoke_issued *)b)->serial, SERIAL_MAX);
}

/* Keeps one entry per serial: its state after every record in order.  A
 * certificateHold is replaced by a later revocation or released by
 * removeFromCRL; any other revocation is final (revoke_record refuses a
 * second one, so a later record can only be a duplicate). */
static void
db_resolve(struct revoke_db *db)
{
	struct revoke_entry *e = db->e, cur;
	size_t i = 0, j, w = 0;
	bool have;

	while (i < db->n) {
		have = false;
		for (j = i; j < db->n && memcmp(e[j].serial, e[i].serial,
		    SERIAL_MAX) == 0; j++) {
			if (!have) {
				if (e[j].reason == RR_REMOVE_FROM_CRL)
					continue;
				cur = e[j];
				have = true;
			} else if (cur.reason == RR_HOLD) {
				if (e[j].reason == RR_REMOVE_FROM_CRL)
					have = false;
				else
					cur = e[j];
			}
		}
		if (have)
			e[w++] = cur;
		i = j;
	}
	db->n = w;
}

int
revoke_db_finish(struct revoke_db *db)
{
	batch_abandon(db);
	if (db->flags & REVOKE_DB_ENTRIES) {
		crl_sort_entries(db->e, db->n);
		db_resolve(db);
	}
	if ((db->flags & REVOKE_DB_ISSUED) && db->nissued > 1)
		qsort(db->issued, db->nissued, sizeof *db->issued, cmp_issued);
	return OR_OK;
}

void
revoke_db_free(struct revoke_db *db)
{
	free(db->e);
	free(db->issued);
	free(db->reserved);
	free(db->ahead);
	memset(db, 0, sizeof *db);
}

int
revoke_db_load(const char *dir, unsigned flags, struct revoke_db *db)
{
	char path[PATH_MAX];
	int rc;

	revoke_db_init(db, flags);
	if ((rc = cadb_path(dir, CADB_JOURNAL, path, sizeof path)) != OR_OK ||
	    (rc = journal_scan(path, revoke_db_visit, db)) != OR_OK ||
	    (rc = revoke_db_finish(db)) != OR_OK)
		revoke_db_free(db);
	return rc;
}

bool
revoke_db_current(const struct revoke_db *db, time_t now,
    struct revoke_crl *out)
{
	const struct revoke_ahead *a;
	bool have = false;
	size_t i;

	memset(out, 0, sizeof *out);
	if (db->has_crl && db->last_crl.this_update <= now) {
		*out = db->last_crl;
		have = true;
	}
	for (i = 0; i < db->nahead; i++) {
		a = &db->ahead[i];
		if (a->withdrawn || a->this_update > now ||
		    (have && a->number < out->number))
			continue;
		memset(out, 0, sizeof *out);
		out->number = a->number;
		out->seq = a->seq;
		out->this_update = a->this_update;
		out->next_update = a->next_update;
		snprintf(out->file, sizeof out->file, "%s", a->file);
		snprintf(out->sha256, sizeof out->sha256, "%s", a->sha256);
		have = true;
	}
	return have;
}

time_t
revoke_db_covered_until(const struct revoke_db *db)
{
	time_t t = db->has_crl ? db->last_crl.next_update : 0;
	size_t i;

	for (i = 0; i < db->nahead; i++)
		if (!db->ahead[i].withdrawn && db->ahead[i].next_update > t)
			t = db->ahead[i].next_update;
	return t;
}

const struct revoke_entry *
revoke_db_find(const struct revoke_db *db, const struct serial *s)
{
	size_t lo = 0, hi = db->n, mid;
	int c;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		c = memcmp(db->e[mid].serial, s->b, SERIAL_MAX);
		if (c == 0)
			return &db->e[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

const struct revoke_issued *
revoke_db_issued(const struct revoke_db *db, const struct serial *s)
{
	struct revoke_issued key;

	if (db->nissued == 0)
		return NULL;
	memcpy(key.serial, s->b, SERIAL_MAX);
	return bsearch(&key, db->issued, db->nissued, sizeof *db->issued,
	    cmp_issued);
}

/* ---- recording ---------------------------------------------------------- */

static int
check_one(const struct revoke_db *db, const struct revoke_request *req,
    const struct serial *s, const uint32_t *line, size_t i,
    bool *known)
{
	const struct revoke_entry *e;
	char hex[SERIAL_HEX], where[32] = "";
	char when[32];
	time_t t;

	serial_to_hex(s, hex);
	if (line != NULL)
		snprintf(where, sizeof where, "line %" PRIu32 ": ", line[i]);
	*known = revoke_db_issued(db, s) != NULL;
	if (!*known && !req->unknown_ok)
		return err_set(OR_E_INPUT, "%sserial %s was not issued by this "
		    "CA (give --unknown-ok to revoke it anyway)", where, hex);
	e = revoke_db_find(db, s);
	if (e != NULL && e->reason != RR_HOLD) {
		t = (time_t)e->revoked_at;
		strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
		return err_set(OR_E_INPUT, "%sserial %s is already revoked "
		    "(%s, %s)", where, hex, revoke_reason_name(e->reason),
		    when);
	}
	if (e != NULL && req->reason == RR_HOLD)
		return err_set(OR_E_INPUT, "%sserial %s is already on hold",
		    where, hex);
	if (e == NULL && req->reason == RR_REMOVE_FROM_CRL)
		return err_set(OR_E_INPUT, "%sserial %s is not on hold: "
		    "removeFromCRL only releases a certificateHold", where,
		    hex);
	return OR_OK;
}

static int
append_one(struct cadb *db, const struct revoke_request *req,
    const struct serial *s, time_t at, bool known)
{
	char hex[SERIAL_HEX];
	struct jfields f;

	serial_to_hex(s, hex);
	jf_init(&f);
	jf_add(&f, "serial", hex);
	jf_add(&f, "reason", revoke_reason_name(req->reason));
	jf_add_i64(&f, "revoked_at", at);
	if (req->invalidity != 0)
		jf_add_i64(&f, "invalidity", req->invalidity);
	jf_add(&f, "known", known ? "yes" : "no");
	return cadb_append(db, "revoke", &f);
}

static int append_parts(struct cadb *, const struct revoke_request *,
    const struct serial *, const bool *, size_t, time_t);

/* Indices of serials in increasing order, for append_batch. */
static const struct serial *order_serials;

static int
cmp_order(const void *a, const void *b)
{
	return serial_cmp(&order_serials[*(const uint32_t *)a],
	    &order_serials[*(const uint32_t *)b]);
}

/* A batch lists its serials in increasing order (not the file's): a
 * journal replayed for a CRL then finds a batch's entries already
 * sorted, and a CRL is re-signed from them many times. */
static int
append_batch(struct cadb *db, const struct revoke_request *req,
    const struct serial *s0, const bool *known0, size_t n, time_t at)
{
	struct serial *s = NULL;
	bool *known = NULL;
	uint32_t *ord = NULL;
	size_t i;
	int rc;

	if (n > UINT32_MAX || (ord = malloc(n * sizeof *ord)) == NULL ||
	    (s = malloc(n * sizeof *s)) == NULL ||
	    (known = malloc(n * sizeof *known)) == NULL) {
		rc = err_set(OR_E_NOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < n; i++)
		ord[i] = (uint32_t)i;
	order_serials = s0;
	qsort(ord, n, sizeof *ord, cmp_order);
	order_serials = NULL;
	for (i = 0; i < n; i++) {
		s[i] = s0[ord[i]];
		known[i] = known0[ord[i]];
	}
	rc = append_parts(db, req, s, known, n, at);
out:
	free(ord);
	free(s);
	free(known);
	return rc;
}

static int
append_parts(struct cadb *db, const struct revoke_request *req,
    const struct serial *s, const bool *known, size_t n, time_t at)
{
	struct jfields f;
	char *list = NULL, *p;
	uint64_t batch;
	size_t np, i, k, m;
	bool all_known;
	int rc = OR_OK;

	if ((list = malloc(REVOKE_BATCH_PART * SERIAL_HEX + 1)) == NULL)
		return err_set(OR_E_NOMEM, "out of memory");
	np = (n + REVOKE_BATCH_PART - 1) / REVOKE_BATCH_PART;
	batch = journal_seq(db->journal) + 1;
	for (k = 0; k < np; k++) {
		m = n - k * REVOKE_BATCH_PART;
		if (m > REVOKE_BATCH_PART)
			m = REVOKE_BATCH_PART;
		all_known = true;
		for (i = 0, p = list; i < m; i++) {
			if (i > 0)
				*p++ = ',';
			serial_to_hex(&s[k * REVOKE_BATCH_PART + i], p);
			p += strlen(p);
			all_known = all_known && known[k * REVOKE_BATCH_PART +
			    i];
		}
		jf_init(&f);
		jf_add_u64(&f, "batch", batch);
		jf_add_u64(&f, "part", k + 1);
		jf_add_u64(&f, "parts", np);
		jf_add_u64(&f, "count", m);
		jf_add(&f, "reason", revoke_reason_name(req->reason));
		jf_add_i64(&f, "revoked_at", at);
		if (req->invalidity != 0)
			jf_add_i64(&f, "invalidity", req->invalidity);
		jf_add(&f, "known", all_known ? "yes" : "no");
		if (req->source_sha256 != NULL)
			jf_add(&f, "source_sha256", req->source_sha256);
		jf_add(&f, "serials", list);
		if ((rc = cadb_append(db, "revoke-batch", &f)) != OR_OK)
			break;
	}
	free(list);
	return rc;
}

int
revoke_record(struct cadb *db, const struct revoke_request *req,
    const struct serial *s, const uint32_t *line, size_t n,
    size_t *unknown)
{
	struct revoke_db rdb;
	bool *known = NULL;
	time_t now = time(NULL), at;
	size_t i;
	int rc;

	*unknown = 0;
	if (n == 0)
		return err_set(OR_E_INPUT, "no serial numbers to revoke");
	at = req->revoked_at != 0 ? req->revoked_at : now;
	if (at > now)
		return err_set(OR_E_INPUT, "the revocation date is in the "
		    "future");
	if (req->invalidity != 0 && req->invalidity > at)
		return err_set(OR_E_INPUT, "the invalidity date is after the "
		    "revocation date");
	if (req->reason < 0 || req->reason > RR_AA_COMPROMISE ||
	    req->reason == 7)
		return err_set(OR_E_USAGE, "unknown revocation reason");
	if ((rc = revoke_db_load(db->dir, REVOKE_DB_ENTRIES | REVOKE_DB_ISSUED,
	    &rdb)) != OR_OK)
		return rc;
	if ((known = calloc(n, sizeof *known)) == NULL) {
		rc = err_set(OR_E_NOMEM, "out of memory");
		goto out;
	}
	/* Every serial is checked before anything is recorded. */
	for (i = 0; i < n; i++) {
		if ((rc = check_one(&rdb, req, &s[i], line, i, &known[i])) !=
		    OR_OK)
			goto out;
		if (!known[i])
			(*unknown)++;
	}
	if (line == NULL && n == 1)
		rc = append_one(db, req, &s[0], at, known[0]);
	else
		rc = append_batch(db, req, s, known, n, at);
out:
	free(known);
	revoke_db_free(&rdb);
	return rc;
}
