/*
 * fuzz-cacert.c — libFuzzer target for the import of another CA's
 * certificate (cacert_parse): the bytes of the file carried in to be
 * cross-signed, PEM or DER.
 *
 * Whatever cacert_parse accepts must be a CA certificate it can describe:
 * a public key, a subject shown on one line, validity around the time it
 * was judged at, and DER that re-encodes to the fingerprint it reported.
 * A refusal must leave nothing allocated.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/x509.h>

#include "cacert.h"
#include "err.h"
#include "util.h"

/* A fixed "now" (2026-06-01), so that a run is repeatable. */
#define FUZZ_NOW	((time_t)1780272000)

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cacert_info ci;
	unsigned char *der = NULL, md[32];
	int len;

	if (cacert_parse(data, size, "fuzz", FUZZ_NOW, &ci) == OR_OK) {
		if (ci.cert == NULL || ci.pubkey == NULL ||
		    ci.subject[0] == '\0' || strchr(ci.subject, '\n') != NULL ||
		    ci.not_before > FUZZ_NOW || ci.not_after < FUZZ_NOW)
			abort();
		if ((len = i2d_X509(ci.cert, &der)) <= 0 ||
		    sha256(der, (size_t)len, md) != OR_OK ||
		    memcmp(md, ci.cert_sha256, sizeof md) != 0)
			abort();
		OPENSSL_free(der);
		cacert_free(&ci);
	} else if (ci.cert != NULL)
		abort();
	err_clear();
	return 0;
}
