/*
 * fuzz-dn.c — libFuzzer target for dn_parse (subject names typed by an
 * officer or read from a ceremony script) and dn_format.
 *
 * Whatever dn_parse accepts, dn_format must show, and dn_parse must read
 * that text back as the same DER.  The same bytes are also read as a DER
 * name (as from a CSR) and shown, which must never fail but for size.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/x509.h>

#include "dn.h"
#include "err.h"

static void
roundtrip(X509_NAME *name)
{
	X509_NAME *again = NULL;
	unsigned char *d1 = NULL, *d2 = NULL;
	char text[16384];
	int l1, l2;

	if (dn_format(name, text, sizeof text) != OR_OK)
		abort();
	if (strlen(text) > 4096)	/* longer than dn_parse reads */
		return;
	if (dn_parse(text, &again) != OR_OK)
		abort();
	l1 = i2d_X509_NAME(name, &d1);
	l2 = i2d_X509_NAME(again, &d2);
	if (l1 <= 0 || l1 != l2 || memcmp(d1, d2, (size_t)l1) != 0)
		abort();
	OPENSSL_free(d1);
	OPENSSL_free(d2);
	X509_NAME_free(again);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	X509_NAME *name = NULL;
	const unsigned char *p = data;
	char *text, out[16384];

	if ((text = malloc(size + 1)) == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (dn_parse(text, &name) == OR_OK) {
		roundtrip(name);
		X509_NAME_free(name);
		name = NULL;
	}
	free(text);

	if ((name = d2i_X509_NAME(NULL, &p, (long)size)) != NULL) {
		if (dn_format(name, out, sizeof out) == OR_OK &&
		    (memchr(out, '\n', strlen(out)) != NULL ||
		    memchr(out, '\r', strlen(out)) != NULL))
			abort();
		X509_NAME_free(name);
	}
	err_clear();
	return 0;
}
