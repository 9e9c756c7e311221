/*
 * fuzz-der.c — libFuzzer target for the DER header reader (der_read) that
 * the CRL verifier and the CSR import walk outside input with.
 *
 * Every TLV, read recursively into constructed ones, must keep der.h's
 * promises: DER_OK lies wholly inside what holds it, with a header of 2
 * to DER_MAX_HEADER octets whose length is minimal (der_header_size
 * agrees) and which der_put_header writes back byte for byte;
 * DER_PAST_END says a length that does not fit.  ASan catches any read
 * past the input.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "der.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
walk(const unsigned char *p, const unsigned char *end, int depth)
{
	unsigned char hdr[DER_MAX_HEADER];
	enum der_status st;
	struct der d;

	while (p < end && depth < 64) {
		st = der_read(p, end, &d);
		if (st == DER_PAST_END) {
			if (d.hdr != p || d.hdrlen > (size_t)(end - p) ||
			    d.len <= (size_t)(end - p) - d.hdrlen)
				abort();
			return;
		}
		if (st != DER_OK)
			return;
		if (d.hdr != p || d.c != p + d.hdrlen || d.end != d.c + d.len ||
		    d.end > end || d.hdrlen < 2 || d.hdrlen > DER_MAX_HEADER ||
		    der_header_size(d.len) != d.hdrlen ||
		    der_put_header(hdr, d.tag, d.len) != hdr + d.hdrlen ||
		    memcmp(hdr, p, d.hdrlen) != 0)
			abort();
		if (d.tag & 0x20)
			walk(d.c, d.end, depth + 1);
		p = d.end;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char *copy = malloc(size ? size : 1);

	/* A heap copy of exactly size bytes: ASan sees one byte too far. */
	memcpy(copy, data, size);
	walk(copy, copy + size, 0);
	free(copy);
	return 0;
}
