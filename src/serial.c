/*
 * serial.c — certificate serial numbers (serial.h): parsed from what
 * people type and from the journal's canonical spelling, written back in
 * that spelling, compared, and converted to and from OpenSSL's INTEGER.
 *
 * Split out of revoke.c: revocations, OCSP, the CRL encoder, scripts and
 * the calendar all name certificates by serial, and none of them needs
 * the journal replay to do so.  serial_parse_canonical is on the hot path
 * of a million-entry replay: table look-ups, no branch per digit.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <openssl/bn.h>

#include "err.h"
#include "serial.h"
#include "util.h"

/* Reason for a refusal, or NULL. */
static const char *
parse_text(const char *text, size_t n, struct serial *out)
{
	unsigned char digits[64];
	size_t nd = 0, i, k, start;
	bool colons;
	int v;

	memset(out, 0, sizeof *out);
	if (n >= 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
		text += 2;
		n -= 2;
	}
	if (n == 0)
		return "empty serial number";
	colons = memchr(text, ':', n) != NULL;
	/* With colons: octets of two digits, "0a:1b:2c". */
	if (colons && n % 3 != 2)
		return "with colons, a serial number is written as octets "
		    "of two digits (0a:1b:...)";
	for (i = 0; i < n; i++) {
		if (colons && i % 3 == 2) {
			if (text[i] != ':')
				return "with colons, a serial number is "
				    "written as octets of two digits "
				    "(0a:1b:...)";
			continue;
		}
		if ((v = hex_value(text[i])) < 0)
			return "the serial number is not hexadecimal";
		if (nd == sizeof digits)
			return "the serial number is too long (at most 20 "
			    "octets)";
		digits[nd++] = (unsigned char)v;
	}
	for (start = 0; start < nd && digits[start] == 0; start++)
		;
	if (start == nd)
		return "the serial number is zero";
	if (nd - start > 2 * SERIAL_MAX)
		return "the serial number is too long (at most 20 octets)";
	/* Right-aligned: the last digit is the low nibble of b[19]. */
	for (i = nd, k = 2 * SERIAL_MAX; i > start; i--, k--) {
		if (k % 2 == 0)
			out->b[(k - 1) / 2] |= digits[i - 1];
		else
			out->b[(k - 1) / 2] |= (unsigned char)(digits[i - 1]
			    << 4);
	}
	out->len = (uint8_t)((nd - start + 1) / 2);
	return NULL;
}

/* Values of lowercase hex digits, plus one; 0 for any other byte. */
static const unsigned char canon_hex[256] = {
	['0'] = 1, ['1'] = 2, ['2'] = 3, ['3'] = 4, ['4'] = 5, ['5'] = 6,
	['6'] = 7, ['7'] = 8, ['8'] = 9, ['9'] = 10, ['a'] = 11, ['b'] = 12,
	['c'] = 13, ['d'] = 14, ['e'] = 15, ['f'] = 16,
};

bool
serial_parse_canonical(const char *text, size_t n, struct serial *out)
{
	const unsigned char *p = (const unsigned char *)text;
	unsigned lo, hi, bad = 0;
	size_t i, k;

	if (n == 0 || n > 2 * SERIAL_MAX || p[0] == '0')
		return false;
	memset(out->b, 0, sizeof out->b);
	for (i = n, k = SERIAL_MAX; i >= 2; i -= 2) {
		lo = canon_hex[p[i - 1]];
		hi = canon_hex[p[i - 2]];
		bad |= (lo == 0) | (hi == 0);
		out->b[--k] = (unsigned char)((hi - 1) << 4 | ((lo - 1) & 0xf));
	}
	if (i == 1) {
		lo = canon_hex[p[0]];
		bad |= lo == 0;
		out->b[--k] = (unsigned char)((lo - 1) & 0xf);
	}
	out->len = (uint8_t)((n + 1) / 2);
	return !bad;
}

int
serial_parse(const char *text, size_t n, struct serial *out)
{
	const char *why = parse_text(text, n, out);

	if (why != NULL)
		return err_set(OR_E_INPUT, "%s", why);
	return OR_OK;
}

void
serial_to_hex(const struct serial *s, char out[SERIAL_HEX])
{
	static const char digits[] = "0123456789abcdef";
	size_t i, o = 0;

	for (i = SERIAL_MAX - s->len; i < SERIAL_MAX; i++) {
		if (o > 0 || (s->b[i] >> 4) != 0)
			out[o++] = digits[s->b[i] >> 4];
		if (o > 0 || (s->b[i] & 0xf) != 0)
			out[o++] = digits[s->b[i] & 0xf];
	}
	if (o == 0)
		out[o++] = '0';
	out[o] = '\0';
}

int
serial_cmp(const struct serial *a, const struct serial *b)
{
	return memcmp(a->b, b->b, SERIAL_MAX);
}

int
serial_from_asn1(const ASN1_INTEGER *ai, struct serial *out)
{
	BIGNUM *bn;
	int n, rc = OR_OK;

	memset(out, 0, sizeof *out);
	if ((bn = ASN1_INTEGER_to_BN(ai, NULL)) == NULL)
		return err_openssl(OR_E_INPUT, "serial number");
	n = BN_num_bytes(bn);
	if (BN_is_negative(bn) || BN_is_zero(bn))
		rc = err_set(OR_E_INPUT, "the serial number is not positive");
	else if (n > SERIAL_MAX)
		rc = err_set(OR_E_INPUT, "the serial number is longer than "
		    "20 octets");
	else if (BN_bn2binpad(bn, out->b, SERIAL_MAX) < 0)
		rc = err_openssl(OR_E_CRYPTO, "serial number");
	else
		out->len = (uint8_t)n;
	BN_free(bn);
	return rc;
}

ASN1_INTEGER *
serial_to_asn1(const struct serial *s)
{
	ASN1_INTEGER *ai = NULL;
	BIGNUM *bn;

	if ((bn = BN_bin2bn(s->b, SERIAL_MAX, NULL)) != NULL)
		ai = BN_to_ASN1_INTEGER(bn, NULL);
	BN_free(bn);
	return ai;
}
