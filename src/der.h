/*
 * der.h — one reader (and writer) of DER headers: tag, length, header size.
 *
 * Certificates, CSRs and CRLs are parsed and built with OpenSSL
 * (ARCHITECTURE.md, decision 2); two places still walk DER by hand, and
 * both read headers here: the streaming CRL encoder and verifier (crl.c),
 * which must not build a million OpenSSL objects, and the CSR import
 * (csr.c), which refuses every encoding BER allows and DER does not before
 * OpenSSL sees the bytes.
 *
 * What der_read accepts is X.690's DER header: one identifier octet (tag
 * numbers below 31), a definite length in the short form (below 128) or
 * in the long form with 1 to DER_MAX_LEN_OCTETS octets, minimal (no
 * leading zero octet, never below 128), and content that fits the buffer.
 * It reads nothing past end, and never forms a pointer past it.  Content
 * rules (INTEGER minimal, SET OF order, BER's end-of-contents octets...)
 * are the callers'.
 */
#ifndef OFFROOT_DER_H
#define OFFROOT_DER_H

#include <stddef.h>

#define DER_MAX_LEN_OCTETS	4	/* lengths below 4 GiB */
#define DER_MAX_HEADER		(2 + DER_MAX_LEN_OCTETS)

/* One TLV. */
struct der {
	unsigned tag;			/* the identifier octet */
	const unsigned char *hdr;	/* where the TLV starts */
	const unsigned char *c;		/* its content */
	const unsigned char *end;	/* just past its content */
	size_t hdrlen;			/* octets of tag and length */
	size_t len;			/* octets of content */
};

enum der_status {
	DER_OK = 0,
	DER_SHORT,		/* the header is cut short */
	DER_HIGH_TAG,		/* a multi-octet tag (number 31 or more) */
	DER_INDEFINITE,		/* length octet 0x80 (BER) */
	DER_LONG_LENGTH,	/* more than DER_MAX_LEN_OCTETS length octets */
	DER_PADDED_LENGTH,	/* a long-form length starting with 0x00 */
	DER_LOW_LONG_FORM,	/* a long-form length below 128 */
	DER_PAST_END,		/* the content runs past end */
};

/* Reads the header of the TLV at [p, end) (p <= end).  DER_OK: every
 * field of *d is set.  DER_PAST_END: the header is sound and tag, hdr,
 * hdrlen and len are set (a caller can say how many bytes are missing),
 * c and end are NULL.  Any other status: *d is unspecified.  The checks
 * run in this order: two octets present (DER_SHORT), the tag, the
 * indefinite form, the number of length octets, those octets present
 * (DER_SHORT), no leading zero, not below 128, the content present. */
enum der_status der_read(const unsigned char *p, const unsigned char *end,
    struct der *d);
/* What a status means, as one phrase ("an indefinite length (BER)"). */
const char *der_strerror(enum der_status st);

/* The size of the header of content of len octets (2 to DER_MAX_HEADER;
 * len below 2^32). */
size_t der_header_size(size_t len);
/* Writes that header at p (der_header_size(len) octets); returns what
 * follows it. */
unsigned char *der_put_header(unsigned char *p, unsigned tag, size_t len);

#endif
