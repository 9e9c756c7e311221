/*
 * fuzz-share.c — libFuzzer target for the officer share file reader
 * (hsm/share.c).
 *
 * Every input goes through share_parse, which holds every check made
 * before the KDF.  As in fuzz-sealed.c, share_open (Argon2id, 64 MiB at
 * the cheapest level) runs only on the first OPEN_BUDGET inputs that parse
 * with exactly the INTERACTIVE limits, to check that it agrees with the
 * parser and fails cleanly.  The seed is a real share file.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "err.h"
#include "keystore.h"
#include "secret.h"
#include "share.h"

#define OPEN_BUDGET	16

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct secret *pass;
	static unsigned char *value;
	static int budget = OPEN_BUDGET;
	struct share_info info;
	int rc;

	if (pass == NULL) {
		if (sodium_init() < 0 || (pass = secret_new()) == NULL ||
		    (value = sodium_malloc(SHARE_VALUE_LEN)) == NULL)
			abort();
		memcpy(pass->buf, "new officer 1 pass", 19);
		pass->len = 18;
	}
	rc = share_parse(data, size, &info);
	if (rc != OR_OK) {
		if (rc != OR_E_CORRUPT)
			abort();	/* the parser speaks one error only */
		err_clear();
		return 0;
	}
	/* What the parser let through is within the documented bounds. */
	if (size != SHARE_FILE_LEN || info.version != 1 ||
	    info.kdf < KDF_INTERACTIVE || info.kdf > KDF_SENSITIVE ||
	    info.opslimit > 64 || info.memlimit > (4ull << 30) ||
	    info.m < 1 || info.m > info.n ||
	    info.n > SEALED_QUORUM_MAX_N || info.x < 1 || info.x > info.n)
		abort();
	if (budget > 0 &&
	    info.opslimit == crypto_pwhash_argon2id_OPSLIMIT_INTERACTIVE &&
	    info.memlimit == crypto_pwhash_argon2id_MEMLIMIT_INTERACTIVE) {
		budget--;
		rc = share_open(data, size, pass, NULL, value);
		if (rc != OR_OK && rc != OR_E_AUTH)
			abort();
	}
	err_clear();
	return 0;
}
