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

static int
hex_nibble(char c)
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
		if ((hi = hex_nibble(in[2 * i])) < 0 ||
		    (lo = hex_nibble(in[2 * i + 1])) < 0)
			return err_set(OR_E_INPUT, "bad hex digit");
		out[i] = (unsigned char)(hi << 4 | lo);
	}
	if (in[2 * n] != '\0')
		return err_set(OR_E_INPUT, "hex value too long");
	return OR_OK;
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

void
utc_text(time_t t, char out[21])
{
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
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
