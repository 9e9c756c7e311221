/*
 * test-util.c — the helpers every module shares (util.c, journal.c's field
 * builder): one UTC time form read the same way by the journal, revocation
 * times and a ceremony's reference clock; hex in one place; and a record
 * builder that refuses, rather than truncates, what does not fit.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "err.h"
#include "journal.h"
#include "revoke.h"
#include "util.h"
#include "tap.h"

static bool
parses(const char *s, time_t *t)
{
	return utc_parse(s, strlen(s), t);
}

static void
test_utc(void)
{
	/* Refused by every caller alike: each once slipped past one of the
	 * three parsers this replaced (sscanf's sign and blank skipping,
	 * timegm's normalising, a year before the epoch). */
	static const char *bad[] = {
		"", "2026-12-04", "2026-12-04T10:00:00", "2026-12-04T10:00:00z",
		"2026-12-04 10:00:00Z", " 2026-12-04T10:00:00Z",
		"2026-12-04T10:00:00Z ", "+026-12-04T10:00:00Z",
		"2026-12-04T10:00:+1Z", "2026-02-29T00:00:00Z",
		"2026-02-30T00:00:00Z", "2026-13-01T00:00:00Z",
		"2026-00-01T00:00:00Z", "2026-12-00T00:00:00Z",
		"2026-12-04T24:00:00Z", "2026-12-04T23:60:00Z",
		"2016-12-31T23:59:60Z", "1969-12-31T23:59:59Z",
		"1900-01-01T00:00:00Z", "2026-1-04T10:00:00Z",
		"2026-12-04T10:00:00+00:00", "20261204T100000Z",
	};
	char out[UTC_TEXT_LEN + 1];
	time_t t = 0;
	size_t i;

	for (i = 0; i < nitems(bad); i++)
		ok(!parses(bad[i], &t), "utc_parse refuses \"%s\"", bad[i]);
	ok(parses("1970-01-01T00:00:00Z", &t) && t == 0, "the epoch is 0");
	ok(parses("2024-02-29T12:34:56Z", &t) && t == 1709210096,
	    "a leap day parses to its second");
	ok(parses("9999-12-31T23:59:59Z", &t) && t == 253402300799LL,
	    "the last second of year 9999");
	ok(utc_parse("2026-12-04T10:00:00Zjunk", UTC_TEXT_LEN, &t) &&
	    t == 1796378400, "exactly len bytes are read (journal fields)");
	ok(utc_format(1796378400, out) &&
	    strcmp(out, "2026-12-04T10:00:00Z") == 0, "utc_format");
	ok(!utc_format(253402300800LL, out) && out[0] == '\0',
	    "utc_format refuses year 10000");
	ok(!utc_format(-1, out), "utc_format refuses before the epoch");
	utc_text(-1, out);
	is_str(out, "1970-01-01T00:00:00Z", "utc_text falls back to the epoch");
	for (t = 0; t < 4000000000LL; t += 86400 * 97 + 3671) {
		time_t back;

		if (!utc_format(t, out) || !parses(out, &back) || back != t)
			break;
	}
	ok(t >= 4000000000LL, "format then parse is the identity (%lld)",
	    (long long)t);
}

/* revoke --at: the same parser, with its extra forms. */
static void
test_revoke_time(void)
{
	time_t t = 0;

	is_int(revoke_parse_time("2026-12-04T10:00:00Z", &t), OR_OK,
	    "revoke: a full UTC time");
	is_int(t, 1796378400, "revoke: its value");
	is_int(revoke_parse_time("2026-12-04", &t), OR_OK, "revoke: a date");
	is_int(t, 1796342400, "revoke: a date is its midnight UTC");
	is_int(revoke_parse_time("2026-02-30", &t), OR_E_USAGE,
	    "revoke: an impossible date is refused");
	is_int(revoke_parse_time("2026-12-04T10:00:60Z", &t), OR_E_USAGE,
	    "revoke: second 60 is refused, not carried into the next minute");
	/* 0 reads as "no time" in every record: the epoch is refused as @0
	 * always was (the old parser took "1970-01-01" as 0). */
	is_int(revoke_parse_time("1970-01-01", &t), OR_E_USAGE,
	    "revoke: the epoch as a date is refused, like @0");
	is_int(revoke_parse_time("1970-01-01T00:00:00Z", &t), OR_E_USAGE,
	    "revoke: the epoch as a time is refused");
	is_int(revoke_parse_time("@0", &t), OR_E_USAGE, "revoke: @0 refused");
	is_int(revoke_parse_time("@1796378400", &t), OR_OK, "revoke: @SECONDS");
	is_int(revoke_parse_time("2026-12-04Z", &t), OR_E_USAGE,
	    "revoke: a date with a zone letter is refused");
	err_clear();
}

static void
test_hex(void)
{
	unsigned char b[4];

	is_int(hex_value('0'), 0, "hex_value 0");
	is_int(hex_value('f'), 15, "hex_value f");
	is_int(hex_value('F'), 15, "hex_value F");
	is_int(hex_value('g'), -1, "hex_value g is not a digit");
	is_int(hex_value('\0'), -1, "hex_value NUL is not a digit");
	ok(hex_decode_lower("00a1ff7e", b, 4) && b[1] == 0xa1 && b[2] == 0xff,
	    "hex_decode_lower");
	ok(!hex_decode_lower("00A1ff7e", b, 4),
	    "hex_decode_lower refuses uppercase (canonical digests)");
	ok(!hex_decode_lower("00a1ff7", b, 4), "hex_decode_lower: too short");
	is_int(hex_decode("00A1ff7e", b, 4), OR_OK, "hex_decode: either case");
	is_int(hex_decode("00a1ff7e0", b, 4), OR_E_INPUT,
	    "hex_decode: a digit too many");
	err_clear();
}

static void
test_builder(void)
{
	static const unsigned char bytes[3] = { 0x01, 0xab, 0xff };
	struct jfields f;
	char big[JFIELDS_STORE + 1];
	char path[] = "/tmp/offroot-test-util.XXXXXX";
	struct journal *j = NULL;
	int fd, i;

	jf_init(&f);
	jf_add(&f, "text", "value");
	jf_add_u64(&f, "u", UINT64_MAX);
	jf_add_i64(&f, "i", -42);
	jf_add_hex(&f, "h", bytes, sizeof bytes);
	jf_addf(&f, "q", "%u/%u", 3u, 5u);
	jf_add_mem(&f, "m", "a\0b", 3);
	jf_add_mem(&f, "e", NULL, 0);
	is_int(f.n, 7, "seven fields added");
	ok(!f.full, "the builder is not full");
	is_str(f.f[1].value, "18446744073709551615", "u64 formatted");
	is_str(f.f[2].value, "-42", "i64 formatted");
	is_str(f.f[3].value, "01abff", "hex formatted");
	is_str(f.f[4].value, "3/5", "printf-formatted");
	ok(f.f[5].len == 3 && memcmp(f.f[5].value, "a\0b", 3) == 0,
	    "bytes kept with their length");

	/* A NULL value and a full builder are refused by the appender, with
	 * nothing written. */
	if ((fd = mkstemp(path)) < 0) {
		ok(0, "mkstemp");
		return;
	}
	close(fd);
	unlink(path);
	if (journal_create(path) != OR_OK ||
	    journal_open(path, NULL, NULL, &j) != OR_OK) {
		ok(0, "journal for the builder test");
		return;
	}
	is_int(journal_append_fields(j, "t", &f, NULL), OR_E_INPUT,
	    "a NULL value is refused");
	jf_init(&f);
	jf_add(&f, "a", "1");
	is_int(journal_append_fields(j, "t", &f, NULL), OR_OK,
	    "a plain builder is appended");
	jf_init(&f);
	for (i = 0; i <= JOURNAL_MAX_FIELDS; i++)
		jf_addf(&f, "k", "%d", i);
	ok(f.full, "one field past JOURNAL_MAX_FIELDS marks it full");
	is_int(journal_append_fields(j, "t", &f, NULL), OR_E_INPUT,
	    "a full builder is refused");
	jf_init(&f);
	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	jf_addf(&f, "big", "%s", big);
	ok(f.full, "a value larger than the store marks it full");
	jf_init(&f);
	jf_add_hex(&f, "big", (const unsigned char *)big, JFIELDS_STORE);
	ok(f.full, "hex larger than the store marks it full");
	is_int(journal_seq(j), 1, "only the plain record was written");
	journal_close(j);
	unlink(path);
	err_clear();
}

int
main(void)
{
	test_utc();
	test_revoke_time();
	test_hex();
	test_builder();
	return done_testing();
}
