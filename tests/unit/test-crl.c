/*
 * test-crl.c — revocations and CRLs (revoke.c, crl.c): reason names,
 * serial numbers, the serials file, the journal replayed (batches cut
 * short, certificateHold released), the streaming CRL encoder byte for
 * byte against OpenSSL's own encoder, both verification paths, every
 * kind of damage refused, and the lint.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "crl.h"
#include "err.h"
#include "issue.h"
#include "journal.h"
#include "keystore.h"
#include "profile.h"
#include "revoke.h"
#include "tap.h"

static struct keystore *ks;
static X509 *root;
static char tmpdir[64];

/* ---- fixtures ------------------------------------------------------------- */

static int
make_root(enum keytype t)
{
	struct issue_request req;
	struct profile prof;
	X509_NAME *name = NULL;
	X509 *tbs = NULL;
	int rc;

	memset(&req, 0, sizeof req);
	if ((rc = sealed_generate(t, &ks)) != OR_OK ||
	    (rc = profile_load(NULL, "root", &prof)) != OR_OK)
		return rc;
	name = X509_NAME_new();
	X509_NAME_add_entry_by_txt(name, "C", MBSTRING_ASC,
	    (const unsigned char *)"DE", -1, -1, 0);
	X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
	    (const unsigned char *)"offroot tests", -1, -1, 0);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
	    (const unsigned char *)"CRL Test Root", -1, -1, 0);
	req.subject = name;
	req.subject_key = ks->pub;
	req.issuer_key = ks->pub;
	req.issuer_type = t;
	req.profile = &prof;
	if ((rc = issue_build(&req, &tbs)) == OR_OK)
		rc = issue_sign(tbs, ks, ks->pub, &root);
	X509_free(tbs);
	X509_NAME_free(name);
	profile_free(&prof);
	return rc;
}

static void
random_entry(struct revoke_entry *e, uint32_t order, time_t now)
{
	static const uint8_t reasons[] = { 0, 1, 2, 3, 4, 5, 6, 9, 10 };
	unsigned char r[8];
	size_t len;

	memset(e, 0, sizeof *e);
	RAND_bytes(r, sizeof r);
	/* Mostly 20 octets, as offroot issues them; some short ones. */
	len = r[0] % 4 == 0 ? 1 + r[6] % SERIAL_MAX : SERIAL_MAX;
	RAND_bytes(e->serial + SERIAL_MAX - len, (int)len);
	if (e->serial[SERIAL_MAX - len] == 0)
		e->serial[SERIAL_MAX - len] = 1;
	e->len = (uint8_t)len;
	e->reason = reasons[r[1] % sizeof reasons];
	e->order = order;
	/* Up to 73 days ago. */
	e->revoked_at = now - (time_t)(r[2] | r[3] << 8) * 97;
	e->has_invalidity = r[4] & 1;
	if (e->has_invalidity)
		e->invalidity = e->revoked_at - (r[5] * 3600);
}

static int
cmp_entry(const void *a, const void *b)
{
	return memcmp(((const struct revoke_entry *)a)->serial,
	    ((const struct revoke_entry *)b)->serial, SERIAL_MAX);
}

/* *n sorted, unique random entries (fewer when serials collide). */
static struct revoke_entry *
random_entries(size_t *np, time_t now)
{
	size_t n = *np;
	struct revoke_entry *e = calloc(n ? n : 1, sizeof *e);
	size_t i, w;

	for (i = 0; i < n; i++)
		random_entry(&e[i], (uint32_t)i, now);
	qsort(e, n, sizeof *e, cmp_entry);
	for (i = 0, w = 0; i < n; i++)
		if (w == 0 || memcmp(e[w - 1].serial, e[i].serial,
		    SERIAL_MAX) != 0)
			e[w++] = e[i];
	*np = w;
	return e;
}

/* The TBS bytes of a DER CRL. */
static const unsigned char *
tbs_of(const unsigned char *der, size_t *len)
{
	const unsigned char *p = der;
	long l;
	int tag, cls;

	ASN1_get_object(&p, &l, &tag, &cls, 1 << 30);
	der = p;
	ASN1_get_object(&p, &l, &tag, &cls, 1 << 30);
	*len = (size_t)(p - der) + (size_t)l;
	return der;
}

/* The same CRL built entirely by OpenSSL: X509_REVOKED objects, sorted,
 * signed with a throwaway key; its TBS re-encoded. */
static unsigned char *
openssl_tbs(const struct crl_spec *s, int *len)
{
	const ASN1_OCTET_STRING *ski = X509_get0_subject_key_id(s->issuer);
	AUTHORITY_KEYID *akid = AUTHORITY_KEYID_new();
	ASN1_INTEGER *num = ASN1_INTEGER_new();
	X509_CRL *c = X509_CRL_new();
	ASN1_TIME *t = ASN1_TIME_new();
	unsigned char *out = NULL;
	struct serial rs;
	size_t i;

	X509_CRL_set_version(c, X509_CRL_VERSION_2);
	X509_CRL_set_issuer_name(c, X509_get_subject_name(s->issuer));
	ASN1_TIME_set(t, s->this_update);
	X509_CRL_set1_lastUpdate(c, t);
	ASN1_TIME_set(t, s->next_update);
	X509_CRL_set1_nextUpdate(c, t);
	akid->keyid = ASN1_OCTET_STRING_dup(ski);
	X509_CRL_add1_ext_i2d(c, NID_authority_key_identifier, akid, 0, 0);
	ASN1_INTEGER_set_uint64(num, s->number);
	X509_CRL_add1_ext_i2d(c, NID_crl_number, num, 0, 0);
	for (i = 0; i < s->n; i++) {
		X509_REVOKED *r = X509_REVOKED_new();
		ASN1_INTEGER *ai;

		memcpy(rs.b, s->e[i].serial, SERIAL_MAX);
		rs.len = s->e[i].len;
		ai = serial_to_asn1(&rs);
		X509_REVOKED_set_serialNumber(r, ai);
		ASN1_INTEGER_free(ai);
		ASN1_TIME_set(t, (time_t)s->e[i].revoked_at);
		X509_REVOKED_set_revocationDate(r, t);
		if (s->e[i].reason != 0) {
			ASN1_ENUMERATED *en = ASN1_ENUMERATED_new();
			ASN1_ENUMERATED_set(en, s->e[i].reason);
			X509_REVOKED_add1_ext_i2d(r, NID_crl_reason, en, 0, 0);
			ASN1_ENUMERATED_free(en);
		}
		if (s->e[i].has_invalidity) {
			ASN1_GENERALIZEDTIME *g = ASN1_GENERALIZEDTIME_set(NULL,
			    (time_t)s->e[i].invalidity);
			X509_REVOKED_add1_ext_i2d(r, NID_invalidity_date, g, 0,
			    0);
			ASN1_GENERALIZEDTIME_free(g);
		}
		X509_CRL_add0_revoked(c, r);
	}
	X509_CRL_sort(c);
	X509_CRL_sign(c, issue_throwaway_key(s->type),
	    EVP_get_digestbyname(keytype_default_digest(s->type)));
	*len = i2d_re_X509_CRL_tbs(c, &out);
	X509_CRL_free(c);
	ASN1_TIME_free(t);
	AUTHORITY_KEYID_free(akid);
	ASN1_INTEGER_free(num);
	return out;
}

static void
spec_init(struct crl_spec *s, const struct revoke_entry *e, size_t n)
{
	memset(s, 0, sizeof *s);
	s->issuer = root;
	s->type = ks->type;
	s->number = 42;
	s->this_update = time(NULL);
	s->next_update = s->this_update + 30 * 86400;
	s->e = e;
	s->n = n;
}

/* ---- names, serials, times ---------------------------------------------- */

static void
test_reasons(void)
{
	int r = -1;

	is_str(revoke_reason_name(RR_KEY_COMPROMISE), "keyCompromise",
	    "reason 1 is keyCompromise");
	is_str(revoke_reason_name(7), "unknown", "reason 7 is not used");
	ok(revoke_reason_parse("cACompromise", &r) == OR_OK && r == 2,
	    "cACompromise parses as 2");
	ok(revoke_reason_parse("aACompromise", &r) == OR_OK && r == 10,
	    "aACompromise parses as 10");
	ok(revoke_reason_parse("keycompromise", &r) == OR_E_USAGE,
	    "names are case-sensitive, as RFC 5280 spells them");
	ok(strstr(err_msg(OR_E_USAGE), "privilegeWithdrawn") != NULL,
	    "the refusal lists the names");
	ok(revoke_reason_parse("", &r) == OR_E_USAGE, "empty reason refused");
}

static void
test_serials(void)
{
	static const struct {
		const char *in;
		const char *want;	/* NULL: refused */
	} cases[] = {
		{ "01", "1" }, { "1", "1" }, { "0x00FF", "ff" },
		{ "0A:1B", "a1b" }, { "00:c3:01", "c301" },
		{ "7fffffffffffffffffffffffffffffffffffffff",
		  "7fffffffffffffffffffffffffffffffffffffff" },
		{ "ffffffffffffffffffffffffffffffffffffffff",
		  "ffffffffffffffffffffffffffffffffffffffff" },
		{ "000000ffffffffffffffffffffffffffffffffffffffff",
		  "ffffffffffffffffffffffffffffffffffffffff" },
		{ "1ffffffffffffffffffffffffffffffffffffffff", NULL },
		{ "", NULL }, { "0", NULL }, { "00:00", NULL }, { "0x", NULL },
		{ "g1", NULL }, { "a:1b", NULL }, { "0a:1b:", NULL },
		{ "0a::1b", NULL }, { ":0a", NULL }, { "-1", NULL },
		{ "1 2", NULL }, { "0a1b:2c", NULL },
	};
	struct serial s, t;
	char hex[SERIAL_HEX];
	ASN1_INTEGER *ai;
	size_t i;
	int rc;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		rc = serial_parse(cases[i].in, strlen(cases[i].in), &s);
		if (cases[i].want == NULL) {
			ok(rc == OR_E_INPUT, "serial \"%s\" refused",
			    cases[i].in);
			continue;
		}
		serial_to_hex(&s, hex);
		ok(rc == OR_OK && strcmp(hex, cases[i].want) == 0,
		    "serial \"%s\" is %s", cases[i].in, cases[i].want);
	}
	serial_parse("00ff", 4, &s);
	ok(s.len == 1 && s.b[SERIAL_MAX - 1] == 0xff &&
	    s.b[0] == 0, "serials are right-aligned magnitudes");
	ai = serial_to_asn1(&s);
	ok(ai != NULL && ASN1_INTEGER_get(ai) == 255 &&
	    serial_from_asn1(ai, &t) == OR_OK &&
	    serial_cmp(&s, &t) == 0, "serial <-> ASN1_INTEGER");
	ASN1_INTEGER_free(ai);
	serial_parse("100", 3, &t);
	ok(serial_cmp(&s, &t) < 0, "memcmp orders numerically "
	    "(ff < 100)");
}

static void
test_times(void)
{
	time_t t = 0;

	ok(revoke_parse_time("2026-01-02T03:04:05Z", &t) == OR_OK &&
	    t == 1767323045, "YYYY-MM-DDTHH:MM:SSZ");
	ok(revoke_parse_time("2026-01-02", &t) == OR_OK && t == 1767312000,
	    "YYYY-MM-DD is midnight UTC");
	ok(revoke_parse_time("@1767312000", &t) == OR_OK && t == 1767312000,
	    "@SECONDS");
	ok(revoke_parse_time("2026-02-30", &t) == OR_E_USAGE,
	    "February 30th refused");
	ok(revoke_parse_time("2026-01-02 03:04:05", &t) == OR_E_USAGE,
	    "a space instead of T refused");
	ok(revoke_parse_time("yesterday", &t) == OR_E_USAGE, "words refused");
	ok(revoke_parse_time("@-5", &t) == OR_E_USAGE, "negative refused");
}

static void
test_serials_file(void)
{
	struct revoke_list l;
	const char *good = "# revoked in the 2026 incident\n01\n\n  0a:1b \r\n"
	    "\t0xff\n# end\nabcdef";
	int rc;

	rc = revoke_parse_serials(good, strlen(good), &l);
	ok(rc == OR_OK && l.n == 4, "comments, blanks, CR and a missing "
	    "final LF are fine");
	ok(rc == OR_OK && l.line[1] == 4 && l.line[3] == 7,
	    "each serial keeps its line number");
	revoke_list_free(&l);

	rc = revoke_parse_serials("01\n02\nxyz\n03\n", 14, &l);
	ok(rc == OR_E_INPUT && strstr(err_msg(rc), "line 3:") != NULL,
	    "a bad line is named: %s", err_msg(rc));
	ok(l.n == 0 && l.s == NULL, "nothing is kept after a bad line");
	rc = revoke_parse_serials("01\n02\n03\n0x02\n", 14, &l);
	ok(rc == OR_E_INPUT && strstr(err_msg(rc), "line 4") != NULL &&
	    strstr(err_msg(rc), "line 2") != NULL,
	    "a repeat names both lines: %s", err_msg(rc));
	rc = revoke_parse_serials("# nothing\n\n", 11, &l);
	ok(rc == OR_E_INPUT, "a file without serials is refused");
	rc = revoke_parse_serials("01\n0\0" "2\n", 6, &l);
	ok(rc == OR_E_INPUT, "a NUL byte is refused");
}

/* ---- the journal replayed ---------------------------------------------- */

static int
append(struct journal *j, const char *type, const char *const *kv)
{
	struct jfield f[16];
	size_t n = 0;

	for (; kv[0] != NULL; kv += 2, n++) {
		f[n].key = kv[0];
		f[n].value = kv[1];
		f[n].len = 0;
	}
	return journal_append(j, type, f, n, NULL);
}

static void
test_replay(void)
{
	struct revoke_db db;
	struct serial s;
	const struct revoke_entry *e;
	struct journal *j = NULL;
	char path[128];
	int rc;

	snprintf(path, sizeof path, "%s/journal", tmpdir);
	if (journal_create(path) != OR_OK ||
	    journal_open(path, NULL, NULL, &j) != OR_OK) {
		ok(0, "a journal for the replay: %s", err_msg(OR_E_IO));
		return;
	}
	/* 1 */ append(j, "init", (const char *[]){ "x", "y", NULL });
	/* 2 */ append(j, "issue", (const char *[]){ "serial", "a1",
	    "not_after", "2000000000", NULL });
	/* 3 */ append(j, "revoke", (const char *[]){ "serial", "a1",
	    "reason", "keyCompromise", "revoked_at", "1700000000",
	    "invalidity", "1690000000", "known", "yes", NULL });
	/* 4-5: a whole batch of 3 */
	append(j, "revoke-batch", (const char *[]){ "batch", "4", "part",
	    "1", "parts", "2", "count", "2", "reason", "superseded",
	    "revoked_at", "1700000100", "known", "no", "serials", "b1,b2",
	    NULL });
	append(j, "revoke-batch", (const char *[]){ "batch", "4", "part",
	    "2", "parts", "2", "count", "1", "reason", "superseded",
	    "revoked_at", "1700000100", "known", "no", "serials", "b3",
	    NULL });
	/* 6: a batch cut short (part 1 of 2), then another record */
	append(j, "revoke-batch", (const char *[]){ "batch", "6", "part",
	    "1", "parts", "2", "count", "1", "reason", "superseded",
	    "revoked_at", "1700000200", "known", "no", "serials", "c1",
	    NULL });
	/* 7: hold, 8: released */
	append(j, "revoke", (const char *[]){ "serial", "d1", "reason",
	    "certificateHold", "revoked_at", "1700000300", "known", "no",
	    NULL });
	append(j, "revoke", (const char *[]){ "serial", "d1", "reason",
	    "removeFromCRL", "revoked_at", "1700000400", "known", "no",
	    NULL });
	/* 9: hold, 10: made permanent */
	append(j, "revoke", (const char *[]){ "serial", "e1", "reason",
	    "certificateHold", "revoked_at", "1700000300", "known", "no",
	    NULL });
	append(j, "revoke", (const char *[]){ "serial", "e1", "reason",
	    "keyCompromise", "revoked_at", "1700000500", "known", "no",
	    NULL });
	/* 11-12: CRL 1 reserved and signed, 13: 2 reserved only */
	append(j, "crl-number", (const char *[]){ "number", "1", NULL });
	append(j, "crl", (const char *[]){ "number", "1", "this_update",
	    "1700000600", "next_update", "1702592600", "entries", "5",
	    "file", "1.crl", "sha256", "0000000000000000000000000000000000"
	    "000000000000000000000000000000", NULL });
	append(j, "crl-number", (const char *[]){ "number", "2", NULL });
	/* 14: one more revocation after the CRL */
	append(j, "revoke", (const char *[]){ "serial", "f1", "reason",
	    "unspecified", "revoked_at", "1700000700", "known", "no", NULL });
	/* 15: a batch cut short at the very end */
	append(j, "revoke-batch", (const char *[]){ "batch", "15", "part",
	    "1", "parts", "3", "count", "1", "reason", "superseded",
	    "revoked_at", "1700000800", "known", "no", "serials", "99",
	    NULL });
	journal_close(j);

	rc = revoke_db_load(tmpdir, REVOKE_DB_ENTRIES | REVOKE_DB_ISSUED, &db);
	ok(rc == OR_OK, "the journal replays: %s", rc ? err_msg(rc) : "ok");
	if (rc != OR_OK)
		return;
	is_int(db.n, 6, "six serials are revoked (a1 b1 b2 b3 e1 f1)");
	is_int(db.incomplete_batches, 2, "two batches were cut short");
	is_int(db.incomplete_seq, 15, "the last one began at record 15");
	serial_parse("c1", 2, &s);
	ok(revoke_db_find(&db, &s) == NULL, "a batch cut short has no effect");
	serial_parse("99", 2, &s);
	ok(revoke_db_find(&db, &s) == NULL, "nor one cut at the end");
	serial_parse("d1", 2, &s);
	ok(revoke_db_find(&db, &s) == NULL, "removeFromCRL released the hold");
	serial_parse("e1", 2, &s);
	e = revoke_db_find(&db, &s);
	ok(e != NULL && e->reason == RR_KEY_COMPROMISE &&
	    e->revoked_at == 1700000500, "a hold made permanent keeps the "
	    "later reason and date");
	serial_parse("a1", 2, &s);
	e = revoke_db_find(&db, &s);
	ok(e != NULL && e->has_invalidity && e->invalidity == 1690000000,
	    "the invalidity date is kept");
	ok(revoke_db_issued(&db, &s) != NULL, "a1 was issued here");
	serial_parse("b1", 2, &s);
	ok(revoke_db_issued(&db, &s) == NULL, "b1 was not");
	ok(db.has_crl && db.last_crl.number == 1 && db.crl_signed_max == 1 &&
	    db.crl_reserved_max == 2, "CRL 1 signed, 2 reserved");
	ok(db.nreserved == 1 && db.reserved[0] == 2,
	    "number 2 is reserved without a CRL");
	is_int(db.since_crl, 1, "one revocation since the CRL");
	revoke_db_free(&db);

	/* Counting alone (status) agrees on whole batches. */
	rc = revoke_db_load(tmpdir, 0, &db);
	is_int(db.revoked, 9, "9 serials counted without collecting "
	    "(a1 b1-3 d1 d1 e1 e1 f1)");
	revoke_db_free(&db);
	unlink(path);
}

/* ---- the encoder and verification ------------------------------------ */

static void
test_encoder(size_t n, const char *label)
{
	struct revoke_entry *e;
	struct crl_spec s;
	struct crl_info info;
	unsigned char *der = NULL, *otbs;
	const unsigned char *tbs;
	size_t len = 0, tlen;
	int olen, rc;

	e = random_entries(&n, time(NULL) - 86400);
	spec_init(&s, e, n);
	rc = crl_build(&s, ks, &der, &len);
	ok(rc == OR_OK, "%s: %zu entries build, sign and verify: %s", label,
	    n, rc ? err_msg(rc) : "ok");
	if (rc != OR_OK) {
		free(e);
		return;
	}
	otbs = openssl_tbs(&s, &olen);
	tbs = tbs_of(der, &tlen);
	ok(olen > 0 && (size_t)olen == tlen && memcmp(otbs, tbs, tlen) == 0,
	    "%s: the TBS is byte for byte what OpenSSL encodes", label);
	OPENSSL_free(otbs);
	rc = crl_verify(der, len, root, &info);
	ok(rc == OR_OK && info.number == 42 && info.entries == n &&
	    info.this_update == s.this_update &&
	    info.next_update == s.next_update, "%s: crl_verify describes it",
	    label);
	free(der);
	free(e);
}

static void
test_large(void)
{
	size_t n = CRL_SMALL + 1500;
	struct revoke_entry *e = random_entries(&n, time(NULL) - 3600);
	struct crl_spec s;
	struct crl_info info;
	const unsigned char *p;
	unsigned char *der = NULL;
	X509_CRL *c;
	size_t len = 0, i;
	int rc;

	/* Revoked in bulk: most entries share a date and a reason. */
	for (i = 0; i < n; i++) {
		if (i % 100 != 0) {
			e[i].revoked_at = e[0].revoked_at;
			e[i].reason = RR_SUPERSEDED;
			e[i].has_invalidity = 0;
			e[i].invalidity = 0;
		}
	}
	spec_init(&s, e, n);
	rc = crl_build(&s, ks, &der, &len);
	ok(rc == OR_OK, "streaming path: %zu entries: %s", n,
	    rc ? err_msg(rc) : "ok");
	if (rc != OR_OK) {
		free(e);
		return;
	}
	p = der;
	c = d2i_X509_CRL(NULL, &p, (long)len);
	ok(c != NULL && p == der + len &&
	    (size_t)sk_X509_REVOKED_num(X509_CRL_get_REVOKED(c)) == n &&
	    X509_CRL_verify(c, X509_get0_pubkey(root)) == 1,
	    "streaming path: OpenSSL parses and verifies it all");
	X509_CRL_free(c);
	ok(crl_verify(der, len, root, &info) == OR_OK && info.entries == n,
	    "streaming path: crl_verify counts it");
	/* Its PEM spans many chunks of the PEM source: byte for byte what
	 * OpenSSL writes. */
	{
		BIO *mem = BIO_new(BIO_s_mem());
		char *pem = NULL, *theirs = NULL;
		size_t pemlen = 0;
		long m = 0;

		p = der;
		c = d2i_X509_CRL(NULL, &p, (long)len);
		if (c != NULL && mem != NULL && PEM_write_bio_X509_CRL(mem, c))
			m = BIO_get_mem_data(mem, &theirs);
		ok(len > 4 * 48 * CRL_PEM_LINES &&
		    crl_to_pem(der, len, &pem, &pemlen) == OR_OK && m > 0 &&
		    (size_t)m == pemlen && memcmp(theirs, pem, pemlen) == 0,
		    "streaming path: the PEM of %zu bytes is what OpenSSL "
		    "writes", len);
		free(pem);
		BIO_free(mem);
		X509_CRL_free(c);
	}
	/* A changed byte inside the entries: the signature catches what
	 * the structure walk cannot. */
	der[len / 2] ^= 0x01;
	rc = crl_verify(der, len, root, &info);
	ok(rc == OR_E_VERIFY || rc == OR_E_CORRUPT,
	    "streaming path: a flipped bit is refused: %s", err_msg(rc));
	der[len / 2] ^= 0x01;
	der[len - 3] ^= 0x40;
	rc = crl_verify(der, len, root, &info);
	ok(rc == OR_E_VERIFY || rc == OR_E_CORRUPT,
	    "streaming path: a damaged signature is refused: %s",
	    err_msg(rc));
	free(der);
	free(e);
}

static void
test_damage(void)
{
	size_t ne = 50;
	struct revoke_entry *e = random_entries(&ne, time(NULL) - 3600);
	struct crl_spec s;
	struct crl_info info;
	unsigned char *der = NULL, *bad;
	char *pem = NULL;
	size_t len = 0, pemlen = 0, i, refused = 0, tried = 0;
	BIO *bio = NULL;
	X509_CRL *c;
	X509 *other = root;

	spec_init(&s, e, ne);
	if (crl_build(&s, ks, &der, &len) != OR_OK) {
		ok(0, "a CRL to damage: %s", err_msg(OR_E_CRYPTO));
		free(e);
		return;
	}
	/* Every single-byte change is refused. */
	bad = malloc(len);
	for (i = 0; i < len; i += 3) {
		memcpy(bad, der, len);
		bad[i] ^= 0x10;
		tried++;
		refused += crl_verify(bad, len, root, &info) != OR_OK;
	}
	is_int(refused, tried, "every changed byte is refused");
	ok(crl_verify(der, len - 1, root, &info) != OR_OK,
	    "a truncated CRL is refused");
	memcpy(bad, der, len);
	ok(crl_verify(der, len + 0, root, &info) == OR_OK,
	    "the undamaged CRL verifies");
	free(bad);
	bad = malloc(len + 1);
	memcpy(bad, der, len);
	bad[len] = 0;
	ok(crl_verify(bad, len + 1, root, &info) != OR_OK,
	    "trailing bytes are refused");
	free(bad);

	ok(crl_to_pem(der, len, &pem, &pemlen) == OR_OK &&
	    (bio = BIO_new_mem_buf(pem, (int)pemlen)) != NULL,
	    "PEM encoding");
	c = PEM_read_bio_X509_CRL(bio, NULL, NULL, NULL);
	ok(c != NULL && (size_t)sk_X509_REVOKED_num(X509_CRL_get_REVOKED(c)) == ne,
	    "OpenSSL reads the PEM back");
	{
		BIO *mem = BIO_new(BIO_s_mem());
		char *theirs = NULL;
		long n;

		PEM_write_bio_X509_CRL(mem, c);
		n = BIO_get_mem_data(mem, &theirs);
		ok(n > 0 && (size_t)n == pemlen && memcmp(theirs, pem, pemlen) == 0,
		    "the PEM is byte for byte what OpenSSL writes");
		BIO_free(mem);
	}
	for (i = 1; i <= 5; i++) {
		char *p2 = NULL;
		size_t l2 = 0;
		BIO *m2 = BIO_new(BIO_s_mem());
		unsigned char *d2 = NULL;
		long n2;

		/* Lengths 1..5 bytes short: every base64 remainder. */
		crl_to_pem(der, len - i, &p2, &l2);
		BIO_write(m2, p2, (int)l2);
		if (PEM_bytes_read_bio(&d2, &n2, NULL, "X509 CRL", m2, NULL,
		    NULL) != 1)
			n2 = -1;
		ok(n2 == (long)(len - i) && memcmp(d2, der, len - i) == 0,
		    "PEM of %zu bytes decodes back", len - i);
		OPENSSL_free(d2);
		BIO_free(m2);
		free(p2);
	}
	X509_CRL_free(c);
	BIO_free(bio);
	free(pem);

	/* Another root's key: the signature does not verify. */
	{
		struct keystore *ks1 = ks;
		X509 *root1 = root;

		ks = NULL;
		root = NULL;
		if (make_root(KT_EC_P384) == OR_OK) {
			ok(crl_verify(der, len, root, &info) != OR_OK,
			    "a CRL is refused under another root");
			other = root;
		}
		keystore_close(ks);
		ks = ks1;
		root = root1;
		if (other != root1)
			X509_free(other);
	}
	free(der);
	free(e);
}

static void
test_lint(void)
{
	size_t ne = 3;
	struct revoke_entry *e = random_entries(&ne, time(NULL) - 60);
	struct crl_spec s;
	unsigned char *der = NULL;
	size_t len;
	int rc;

	spec_init(&s, NULL, 0);
	rc = crl_build(&s, ks, &der, &len);
	ok(rc == OR_OK, "a CRL without entries");
	if (rc == OR_OK) {
		const unsigned char *p = der;
		X509_CRL *c = d2i_X509_CRL(NULL, &p, (long)len);
		ok(c != NULL && X509_CRL_get_REVOKED(c) == NULL,
		    "has no revokedCertificates field at all (RFC 5280)");
		X509_CRL_free(c);
	}
	free(der);

	spec_init(&s, NULL, 0);
	s.next_update = s.this_update + 366 * 86400L;
	rc = crl_lint(&s);
	ok(rc == OR_E_POLICY && strstr(err_msg(rc),
	    "e_crl_next_update_too_far") != NULL,
	    "nextUpdate 366 days out: %s", err_msg(rc));
	s.next_update = s.this_update + 365 * 86400L;
	ok(crl_lint(&s) == OR_OK, "365 days is allowed");
	s.next_update = s.this_update;
	ok(crl_lint(&s) == OR_E_POLICY, "nextUpdate = thisUpdate refused");
	spec_init(&s, NULL, 0);
	s.this_update = time(NULL) + 3652L * 86400;
	s.next_update = s.this_update + 30 * 86400L;
	rc = crl_lint(&s);
	ok(rc == OR_E_POLICY && strstr(err_msg(rc), "after_issuer") != NULL,
	    "nextUpdate past the root's notAfter: %s", err_msg(rc));
	spec_init(&s, e, ne);
	e[ne - 1].revoked_at = s.this_update + 1;
	rc = crl_lint(&s);
	ok(rc == OR_E_POLICY && strstr(err_msg(rc), "after_this_update") !=
	    NULL, "a revocation after thisUpdate: %s", err_msg(rc));
	spec_init(&s, e, ne);
	s.number = 0;
	ok(crl_lint(&s) == OR_E_POLICY, "CRL number 0 refused");
	free(e);
}

int
main(void)
{
	int rc;

	snprintf(tmpdir, sizeof tmpdir, "/tmp/offroot-test-crl.XXXXXX");
	if (mkdtemp(tmpdir) == NULL) {
		printf("Bail out! mkdtemp\n");
		return 1;
	}
	test_reasons();
	test_serials();
	test_times();
	test_serials_file();
	test_replay();
	if ((rc = make_root(KT_EC_P256)) != OR_OK) {
		printf("Bail out! making a root: %s\n", err_msg(rc));
		return 1;
	}
	test_encoder(0, "P-256");
	test_encoder(1, "P-256");
	test_encoder(300, "P-256");
	test_lint();
	test_damage();
	test_large();
	keystore_close(ks);
	X509_free(root);
	root = NULL;
	if ((rc = make_root(KT_RSA_3072)) == OR_OK) {
		test_encoder(40, "RSA-3072");
		keystore_close(ks);
		X509_free(root);
	} else {
		ok(0, "an RSA root: %s", err_msg(rc));
	}
	/* Ed25519 signs the whole TBS (no digest to sign). */
	if ((rc = make_root(KT_ED25519)) == OR_OK) {
		ok(!keystore_can_sign_digest(ks, NULL), "Ed25519: the key store "
		    "signs the whole TBS");
		test_encoder(40, "Ed25519");
		keystore_close(ks);
		X509_free(root);
	} else {
		ok(0, "an Ed25519 root: %s", err_msg(rc));
	}
	rmdir(tmpdir);
	return done_testing();
}
