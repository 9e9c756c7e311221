/* util.c — digests, hex and fingerprint rendering. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/mman.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "err.h"
#include "pgpwords.h"
#include "util.h"

int
sha256(const void *data, size_t len, unsigned char out[SHA256_LEN])
{
	unsigned int n = 0;

	if (EVP_Digest(data, len, out, &n, EVP_sha256(), NULL) != 1 ||
	    n != SHA256_LEN)
		return err_openssl(OR_E_CRYPTO, "SHA-256");
	return OR_OK;
}

void
hex_encode(const unsigned char *in, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 0xf];
	}
	out[2 * n] = '\0';
}

int
hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int
hex_decode(const char *in, unsigned char *out, size_t n)
{
	size_t i;
	int hi, lo;

	for (i = 0; i < n; i++) {
		if ((hi = hex_value(in[2 * i])) < 0 ||
		    (lo = hex_value(in[2 * i + 1])) < 0)
			return err_set(OR_E_INPUT, "bad hex digit");
		out[i] = (unsigned char)(hi << 4 | lo);
	}
	if (in[2 * n] != '\0')
		return err_set(OR_E_INPUT, "hex value too long");
	return OR_OK;
}

bool
hex_decode_lower(const char *in, unsigned char *out, size_t n)
{
	size_t i;
	int hi, lo;

	for (i = 0; i < 2 * n; i++)
		if (in[i] >= 'A' && in[i] <= 'F')
			return false;
	for (i = 0; i < n; i++) {
		if ((hi = hex_value(in[2 * i])) < 0 ||
		    (lo = hex_value(in[2 * i + 1])) < 0)
			return false;
		out[i] = (unsigned char)(hi << 4 | lo);
	}
	return true;
}

void
hex_colons(const unsigned char *in, size_t n, char *out)
{
	static const char digits[] = "0123456789ABCDEF";
	size_t i;

	for (i = 0; i < n; i++) {
		out[3 * i] = digits[in[i] >> 4];
		out[3 * i + 1] = digits[in[i] & 0xf];
		out[3 * i + 2] = i + 1 < n ? ':' : '\0';
	}
	if (n == 0)
		out[0] = '\0';
}

int
cert_sha256(X509 *cert, unsigned char out[SHA256_LEN])
{
	unsigned int n = 0;

	if (X509_digest(cert, EVP_sha256(), out, &n) != 1 || n != SHA256_LEN)
		return err_openssl(OR_E_CRYPTO, "certificate digest");
	return OR_OK;
}

int
pubkey_sha256(EVP_PKEY *pkey, unsigned char out[SHA256_LEN])
{
	unsigned char *der = NULL;
	int len, rc;

	if ((len = i2d_PUBKEY(pkey, &der)) <= 0)
		return err_openssl(OR_E_CRYPTO, "encoding the public key");
	rc = sha256(der, (size_t)len, out);
	OPENSSL_free(der);
	return rc;
}

void
fingerprint_block(const unsigned char fp[SHA256_LEN], char *out, size_t size)
{
	char words[SHA256_LEN * 12 + 1], *w, *save = NULL;
	size_t i, used = 0, nword;
	int n;

	/* Hex: 16 groups of 4 digits, 8 groups a line. */
	for (i = 0; i < SHA256_LEN && used < size; i += 2) {
		n = snprintf(out + used, size - used, "%02X%02X%s", fp[i],
		    fp[i + 1], i + 2 == SHA256_LEN ? "\n" :
		    (i + 2) % 16 == 0 ? "\n" : " ");
		if (n < 0)
			return;
		used += (size_t)n;
	}
	if (used >= size || pgpwords_render(fp, SHA256_LEN, words,
	    sizeof words) == 0)
		return;
	/* Words: 8 a line. */
	nword = 0;
	for (w = strtok_r(words, " ", &save); w != NULL && used < size;
	    w = strtok_r(NULL, " ", &save)) {
		nword++;
		n = snprintf(out + used, size - used, "%s%s", w,
		    nword % 8 == 0 || nword == SHA256_LEN ? "\n" : " ");
		if (n < 0)
			return;
		used += (size_t)n;
	}
}

/* ---- UTC time ----------------------------------------------------------- */

static bool
leap_year(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* Days since 1970-01-01 of a proleptic Gregorian date, y >= 1970. */
static int64_t
days_from_civil(int y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = y / 400;
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* n decimal digits as a number; -1 for anything else (no sign, no blank). */
static int
digits_value(const char *s, size_t n)
{
	int v = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

/* Without timegm or the TZ machinery: a journal of a million records is
 * read in well under a second. */
bool
utc_parse(const char *s, size_t len, time_t *out)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };
	int y, mo, d, h, mi, se, dim;

	if (len != UTC_TEXT_LEN || s[4] != '-' || s[7] != '-' ||
	    s[10] != 'T' || s[13] != ':' || s[16] != ':' || s[19] != 'Z')
		return false;
	y = digits_value(s, 4);
	mo = digits_value(s + 5, 2);
	d = digits_value(s + 8, 2);
	h = digits_value(s + 11, 2);
	mi = digits_value(s + 14, 2);
	se = digits_value(s + 17, 2);
	if (y < 1970 || mo < 1 || mo > 12 || d < 1 || h < 0 || h > 23 ||
	    mi < 0 || mi > 59 || se < 0 || se > 59)
		return false;
	dim = mdays[mo - 1] + (mo == 2 && leap_year(y));
	if (d > dim)
		return false;
	*out = (time_t)(days_from_civil(y, mo, d) * 86400 + h * 3600 +
	    mi * 60 + se);
	return true;
}

bool
utc_format(time_t t, char out[UTC_TEXT_LEN + 1])
{
	struct tm tm;

	out[0] = '\0';
	if (t < 0 || gmtime_r(&t, &tm) == NULL ||
	    tm.tm_year + 1900 < 1970 || tm.tm_year + 1900 > 9999)
		return false;
	if (snprintf(out, UTC_TEXT_LEN + 1, "%04d-%02d-%02dT%02d:%02d:%02dZ",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec) != UTC_TEXT_LEN) {
		out[0] = '\0';
		return false;
	}
	return true;
}

void
utc_text(time_t t, char out[UTC_TEXT_LEN + 1])
{
	if (!utc_format(t, out))
		strcpy(out, "1970-01-01T00:00:00Z");
}

time_t
asn1_unix(const ASN1_TIME *t)
{
	struct tm tm;

	if (t == NULL || !ASN1_TIME_to_tm(t, &tm))
		return 0;
	return timegm(&tm);
}

int
cert_to_pem(X509 *x, char **pem, size_t *len)
{
	BIO *bio = BIO_new(BIO_s_mem());
	char *p;
	long n;

	*pem = NULL;
	if (bio == NULL || !PEM_write_bio_X509(bio, x)) {
		BIO_free(bio);
		return err_openssl(OR_E_CRYPTO, "PEM encoding");
	}
	n = BIO_get_mem_data(bio, &p);
	if ((*pem = malloc((size_t)n + 1)) == NULL) {
		BIO_free(bio);
		return err_set(OR_E_NOMEM, "out of memory");
	}
	memcpy(*pem, p, (size_t)n);
	(*pem)[n] = '\0';
	*len = (size_t)n;
	BIO_free(bio);
	return OR_OK;
}

char *
str_trim(char *s)
{
	size_t n;

	while (*s == ' ' || *s == '\t')
		s++;
	n = strlen(s);
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		s[--n] = '\0';
	return s;
}

void
mem_advise_huge(void *p, size_t len)
{
	uintptr_t a = (uintptr_t)p, start, end;

	if (p == NULL || len < MEM_HUGE_MIN)
		return;
	start = (a + 4095) & ~(uintptr_t)4095;
	end = (a + len) & ~(uintptr_t)4095;
	/* Advice only: where transparent huge pages are off, nothing. */
	if (end > start)
		(void)madvise((void *)start, end - start, MADV_HUGEPAGE);
}
