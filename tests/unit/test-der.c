/*
 * test-der.c — the one DER header reader (der.c) that the CRL walker and
 * the CSR import share: short and long length forms, every header cut
 * short, BER's indefinite and non-minimal lengths refused, a content
 * length past the buffer (even one that would wrap a pointer) refused
 * without reading past it, and the writer agreeing with the reader.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "der.h"
#include "tap.h"

/* Reads buf[0..n) from a heap copy of exactly n bytes, so that ASan sees
 * any read past the end. */
static enum der_status
rd(const unsigned char *buf, size_t n, struct der *d)
{
	unsigned char *copy = malloc(n ? n : 1);
	enum der_status st;
	struct der tmp;

	memcpy(copy, buf, n);
	st = der_read(copy, copy + n, &tmp);
	*d = tmp;
	/* Keep offsets, not pointers into the freed copy. */
	if (st == DER_OK || st == DER_PAST_END) {
		d->hdr = buf;
		d->c = st == DER_OK ? buf + (tmp.c - copy) : NULL;
		d->end = st == DER_OK ? buf + (tmp.end - copy) : NULL;
	}
	free(copy);
	return st;
}

static void
test_forms(void)
{
	static const unsigned char empty[] = { 0x05, 0x00 };
	static const unsigned char small[] = { 0x02, 0x01, 0x2a };
	static const unsigned char b127[2 + 127] = { 0x04, 0x7f };
	static const unsigned char b128[3 + 128] = { 0x04, 0x81, 0x80 };
	static const unsigned char b256[4 + 256] = { 0x30, 0x82, 0x01, 0x00 };
	static const unsigned char ctx[] = { 0xa0, 0x03, 0x02, 0x01, 0x01 };
	static const unsigned char tag0[] = { 0x00, 0x00 };
	struct der d;

	ok(rd(empty, sizeof empty, &d) == DER_OK && d.tag == 0x05 &&
	    d.len == 0 && d.hdrlen == 2 && d.c == empty + 2 &&
	    d.end == empty + 2, "an empty NULL: short form, no content");
	ok(rd(small, sizeof small, &d) == DER_OK && d.tag == 0x02 &&
	    d.len == 1 && d.c == small + 2 && d.c[0] == 0x2a &&
	    d.end == small + 3, "a one-octet INTEGER");
	ok(rd(b127, sizeof b127, &d) == DER_OK && d.len == 127 &&
	    d.hdrlen == 2, "127 octets: still the short form");
	ok(rd(b128, sizeof b128, &d) == DER_OK && d.len == 128 &&
	    d.hdrlen == 3 && d.end == b128 + sizeof b128,
	    "128 octets: the long form, one length octet");
	ok(rd(b256, sizeof b256, &d) == DER_OK && d.len == 256 &&
	    d.hdrlen == 4 && d.tag == 0x30, "256 octets: two length octets");
	ok(rd(ctx, sizeof ctx, &d) == DER_OK && d.tag == 0xa0 && d.len == 3,
	    "a context-specific constructed tag");
	ok(rd(tag0, sizeof tag0, &d) == DER_OK && d.tag == 0,
	    "tag 0 is a header like any other (content rules are the "
	    "caller's)");
	ok(rd(small, sizeof small - 1, &d) == DER_PAST_END,
	    "one content octet missing");
	{
		/* A TLV followed by more: end is where it ends. */
		static const unsigned char two[] = { 0x05, 0x00, 0x05, 0x00 };
		ok(rd(two, sizeof two, &d) == DER_OK && d.end == two + 2,
		    "the first of two TLVs ends where its content does");
	}
}

static void
test_refusals(void)
{
	static const struct {
		unsigned char b[8];
		size_t n;
		enum der_status want;
		const char *name;
	} cases[] = {
		{ { 0 }, 0, DER_SHORT, "an empty buffer" },
		{ { 0x30 }, 1, DER_SHORT, "a tag without a length" },
		{ { 0x30, 0x81 }, 2, DER_SHORT,
		    "a long form without its length octet" },
		{ { 0x30, 0x84, 0x01, 0x00, 0x00 }, 5, DER_SHORT,
		    "a long form missing one of four length octets" },
		{ { 0x1f, 0x01, 0x00 }, 3, DER_HIGH_TAG, "a multi-octet tag" },
		{ { 0xbf, 0x81, 0x00, 0x00 }, 4, DER_HIGH_TAG,
		    "a context-specific multi-octet tag" },
		{ { 0x30, 0x80, 0x00, 0x00 }, 4, DER_INDEFINITE,
		    "an indefinite length (BER)" },
		{ { 0x30, 0x85, 1, 0, 0, 0, 0 }, 7, DER_LONG_LENGTH,
		    "five length octets" },
		{ { 0x30, 0xff }, 2, DER_LONG_LENGTH,
		    "127 length octets (refused before they are looked for)" },
		{ { 0x04, 0x82, 0x00, 0x80 }, 4, DER_PADDED_LENGTH,
		    "a length with a leading zero octet" },
		{ { 0x04, 0x81, 0x7f }, 3, DER_LOW_LONG_FORM,
		    "a long-form length below 128" },
		{ { 0x04, 0x81, 0x00 }, 3, DER_PADDED_LENGTH,
		    "a long-form zero length" },
		{ { 0x04, 0x05, 1, 2, 3, 4 }, 6, DER_PAST_END,
		    "a short-form length past the buffer" },
		{ { 0x04, 0x81, 0x80, 1 }, 4, DER_PAST_END,
		    "a long-form length past the buffer" },
	};
	struct der d;
	size_t i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++)
		ok(rd(cases[i].b, cases[i].n, &d) == cases[i].want,
		    "refused: %s (%s)", cases[i].name,
		    der_strerror(cases[i].want));
}

static void
test_overflow(void)
{
	/* Lengths near 2^32: past any buffer here, refused by comparing
	 * with what remains, never by forming p + len. */
	static const unsigned char big[] = { 0x04, 0x84, 0xff, 0xff, 0xff,
	    0xff, 0x00 };
	static const unsigned char big2[] = { 0x30, 0x84, 0x80, 0x00, 0x00,
	    0x00 };
	struct der d;

	ok(rd(big, sizeof big, &d) == DER_PAST_END && d.len == 0xffffffffu &&
	    d.hdrlen == 6 && d.c == NULL && d.end == NULL,
	    "a length of 2^32-1 is past the buffer, and says how long");
	ok(rd(big2, sizeof big2, &d) == DER_PAST_END && d.len == 0x80000000u,
	    "a length of 2^31 is past the buffer");
	/* The same header at the very end of a large allocation. */
	{
		size_t n = 1u << 20;
		unsigned char *b = calloc(1, n);
		enum der_status st;

		memcpy(b + n - 6, big, 6);
		st = der_read(b + n - 6, b + n, &d);
		ok(st == DER_PAST_END, "and at the end of a 1 MiB buffer");
		b[0] = 0x04;
		b[1] = 0x83;
		b[2] = 0x0f;
		b[3] = 0xff;
		b[4] = 0xfb;	/* 2^20 - 5 */
		st = der_read(b, b + n, &d);
		ok(st == DER_OK && d.end == b + n,
		    "a TLV that fills a 1 MiB buffer exactly");
		free(b);
	}
}

static void
test_writer(void)
{
	static const size_t lens[] = { 0, 1, 127, 128, 255, 256, 65535,
	    65536, 0xffffff, 0x1000000, 0xffffffffu };
	unsigned char buf[DER_MAX_HEADER], *e;
	struct der d;
	size_t i, n;
	int good = 1;

	for (i = 0; i < sizeof lens / sizeof lens[0]; i++) {
		n = der_header_size(lens[i]);
		e = der_put_header(buf, 0x30, lens[i]);
		/* The reader sees the header it wrote, the content past end. */
		if ((size_t)(e - buf) != n || n > DER_MAX_HEADER ||
		    der_read(buf, e, &d) != (lens[i] ? DER_PAST_END : DER_OK) ||
		    d.hdrlen != n || d.len != lens[i] || d.tag != 0x30) {
			diag("length %zu", lens[i]);
			good = 0;
		}
	}
	ok(good, "der_put_header writes the minimal header der_read reads");
	is_int(der_header_size(127), 2, "127: two header octets");
	is_int(der_header_size(128), 3, "128: three");
	is_int(der_header_size(0xffffffffu), 6, "2^32-1: six");
}

int
main(void)
{
	test_forms();
	test_refusals();
	test_overflow();
	test_writer();
	return done_testing();
}
