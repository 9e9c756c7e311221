/*
 * fuzz-csr.c — libFuzzer target for the CSR import (csr_parse): the bytes
 * of a file carried in on removable media, PEM or DER.
 *
 * Whatever csr_parse accepts must be a CSR it can describe: a public key,
 * a signature found valid, a subject shown on one line, and DER that
 * re-encodes to the digest it reported.  A refusal must leave nothing
 * allocated (csr_free on a refused struct is a no-op).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/x509.h>

#include "csr.h"
#include "err.h"
#include "util.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct csr_info ci;
	unsigned char *der = NULL, md[32];
	int len;

	if (csr_parse(data, size, "fuzz", &ci) == OR_OK) {
		if (ci.req == NULL || ci.pubkey == NULL ||
		    ci.sig_status != CSR_SIG_VALID || ci.subject[0] == '\0' ||
		    strchr(ci.subject, '\n') != NULL)
			abort();
		if ((len = i2d_X509_REQ(ci.req, &der)) <= 0 ||
		    sha256(der, (size_t)len, md) != OR_OK ||
		    memcmp(md, ci.csr_sha256, sizeof md) != 0)
			abort();
		OPENSSL_free(der);
		csr_free(&ci);
	} else if (ci.req != NULL || ci.requested != NULL)
		abort();
	err_clear();
	return 0;
}
