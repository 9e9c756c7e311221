/*
 * der.c — DER headers read and written (der.h): the one place that knows
 * X.690's length forms, so that the CRL walker and the CSR import refuse
 * the same encodings for the same reasons.
 *
 * der_read is called four times per entry when a million-entry CRL is
 * verified: it stays branch-light and allocates nothing.
 */
#include "der.h"

enum der_status
der_read(const unsigned char *p, const unsigned char *end, struct der *d)
{
	const unsigned char *start = p;
	size_t n, i, len;

	if (end - p < 2)
		return DER_SHORT;
	if ((p[0] & 0x1f) == 0x1f)
		return DER_HIGH_TAG;
	d->hdr = p;
	d->tag = p[0];
	if (p[1] < 0x80) {
		len = p[1];
		p += 2;
	} else {
		n = p[1] & 0x7fu;
		if (n == 0)
			return DER_INDEFINITE;
		if (n > DER_MAX_LEN_OCTETS)
			return DER_LONG_LENGTH;
		p += 2;
		if ((size_t)(end - p) < n)
			return DER_SHORT;
		if (p[0] == 0)
			return DER_PADDED_LENGTH;
		for (len = 0, i = 0; i < n; i++)
			len = len << 8 | p[i];
		if (len < 0x80)
			return DER_LOW_LONG_FORM;
		p += n;
	}
	d->hdrlen = (size_t)(p - start);
	d->len = len;
	if ((size_t)(end - p) < len) {
		d->c = NULL;
		d->end = NULL;
		return DER_PAST_END;
	}
	d->c = p;
	d->end = p + len;
	return DER_OK;
}

const char *
der_strerror(enum der_status st)
{
	switch (st) {
	case DER_OK:
		return "a sound header";
	case DER_SHORT:
		return "an element cut short";
	case DER_HIGH_TAG:
		return "a multi-octet tag";
	case DER_INDEFINITE:
		return "an indefinite length (BER)";
	case DER_LONG_LENGTH:
		return "a length of more than four octets";
	case DER_PADDED_LENGTH:
		return "a length in more octets than needed (BER)";
	case DER_LOW_LONG_FORM:
		return "a long-form length below 128 (BER)";
	case DER_PAST_END:
		return "an element longer than what holds it";
	}
	return "an unknown DER error";
}

size_t
der_header_size(size_t len)
{
	if (len < 0x80)
		return 2;
	if (len < 0x100)
		return 3;
	if (len < 0x10000)
		return 4;
	if (len < 0x1000000)
		return 5;
	return 6;
}

unsigned char *
der_put_header(unsigned char *p, unsigned tag, size_t len)
{
	size_t n = der_header_size(len) - 2, i;

	*p++ = (unsigned char)tag;
	if (n == 0) {
		*p++ = (unsigned char)len;
		return p;
	}
	*p++ = (unsigned char)(0x80 | n);
	for (i = n; i-- > 0;)
		*p++ = (unsigned char)(len >> (8 * i));
	return p;
}
