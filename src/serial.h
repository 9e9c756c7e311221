/*
 * serial.h — certificate serial numbers, as offroot keeps, reads, writes
 * and compares them.
 *
 * A serial is kept as its big-endian magnitude, right-aligned in
 * SERIAL_MAX (20) bytes with leading zero bytes, so that memcmp
 * orders serials numerically; len is the number of octets of magnitude.
 * offroot's own files (the journal, issued/) spell it in lowercase hex
 * without leading zeros: serial_parse_canonical reads exactly that form,
 * serial_parse also what people type.  RFC 5280 4.1.2.2: positive,
 * at most 20 octets.
 */
#ifndef OFFROOT_SERIAL_H
#define OFFROOT_SERIAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/asn1.h>

#define SERIAL_MAX	20		/* octets of magnitude */
#define SERIAL_HEX	(2 * SERIAL_MAX + 1)

struct serial {
	unsigned char b[SERIAL_MAX];	/* right-aligned magnitude */
	uint8_t len;				/* 1..20 octets */
};

/* Parses a serial: 1-40 hex digits (either case), optionally "0x" first
 * or colons between octets ("0A:1B"); leading zeros are allowed and
 * dropped.  Zero, and more than 20 octets of magnitude, are refused.
 * OR_E_INPUT with a reason in err_msg. */
int serial_parse(const char *text, size_t n, struct serial *out);
/* The journal's spelling only: 1-40 lowercase hex digits without leading
 * zeros; false for anything else (no message: the caller names the
 * record). */
bool serial_parse_canonical(const char *text, size_t n,
    struct serial *out);
/* Lowercase hex without leading zeros. */
void serial_to_hex(const struct serial *s,
    char out[SERIAL_HEX]);
int serial_cmp(const struct serial *a,
    const struct serial *b);
/* From a certificate's serial (positive, at most 20 octets). */
int serial_from_asn1(const ASN1_INTEGER *ai, struct serial *out);
ASN1_INTEGER *serial_to_asn1(const struct serial *s);

#endif
