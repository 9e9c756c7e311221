/*
 * fuzz-sealed.c — libFuzzer target for the sealed key file parser.
 *
 * Every input goes through sealed_parse, which holds every check made
 * before the KDF.  Past the parser the only code an attacker without the
 * passphrase reaches is Argon2id and the AEAD tag check, and one Argon2id
 * run costs 64 MiB and a few hundredths of a second at the cheapest level
 * the parser accepts; so sealed_open_buffer runs only on a few inputs per
 * process (the first OPEN_BUDGET that parse with exactly the INTERACTIVE
 * limits), to check that it agrees with the parser and fails cleanly.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "err.h"
#include "keystore.h"
#include "secret.h"

#define OPEN_BUDGET	16

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct secret *pass;
	static int budget = OPEN_BUDGET;
	struct sealed_info info;
	struct keystore *ks = NULL;
	int rc;

	if (pass == NULL) {
		if (sodium_init() < 0 || (pass = secret_new()) == NULL)
			abort();
		memcpy(pass->buf, "fuzz", 5);
		pass->len = 4;
	}
	rc = sealed_parse(data, size, &info);
	if (rc != OR_OK) {
		if (rc != OR_E_CORRUPT)
			abort();	/* the parser speaks one error only */
		err_clear();
		return 0;
	}
	/* What the parser let through is within the documented bounds. */
	if (info.version != 1 || info.type < KT_EC_P256 ||
	    info.type > KT_ED25519 || info.kdf < KDF_INTERACTIVE ||
	    info.kdf > KDF_SENSITIVE || info.opslimit > 64 ||
	    info.memlimit > (4ull << 30) || info.quorum_m > info.quorum_n)
		abort();
	if (budget > 0 &&
	    info.opslimit == crypto_pwhash_argon2id_OPSLIMIT_INTERACTIVE &&
	    info.memlimit == crypto_pwhash_argon2id_MEMLIMIT_INTERACTIVE) {
		budget--;
		rc = sealed_open_buffer(data, size, pass, &ks);
		if (rc == OR_OK)
			keystore_close(ks);
		else if (ks != NULL)
			abort();
	}
	err_clear();
	return 0;
}
