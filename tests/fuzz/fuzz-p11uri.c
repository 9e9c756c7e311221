/*
 * fuzz-p11uri.c — libFuzzer target for what hsm/pkcs11.c reads from
 * outside: the key reference file DIR/root.key.uri (pkcs11_ref_parse, our
 * own parser) and pkcs11: URIs from the command line or that file
 * (pkcs11_uri_check: our repeated-attribute scan, then p11-kit's parser).
 *
 * Whatever reference pkcs11_ref_parse accepts must format and parse back
 * to the same URI and module.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "pkcs11.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct pkcs11_ref ref, again;
	struct pkcs11_keyinfo ki;
	char *text = NULL;
	size_t len = 0;

	if (pkcs11_ref_parse(data, size, &ref) == OR_OK) {
		memset(&ki, 0, sizeof ki);
		memcpy(ki.uri, ref.uri, sizeof ki.uri);
		memcpy(ki.module, ref.module, sizeof ki.module);
		if (pkcs11_ref_format(&ki, &text, &len) != OR_OK ||
		    pkcs11_ref_parse((unsigned char *)text, len, &again) !=
		    OR_OK || strcmp(ref.uri, again.uri) != 0 ||
		    strcmp(ref.module, again.module) != 0)
			abort();
		free(text);
	}
	if (size < PKCS11_URI_MAX + 16) {
		char uri[PKCS11_URI_MAX + 16];

		memcpy(uri, data, size);
		uri[size] = '\0';
		(void)pkcs11_uri_check(uri, PKCS11_URI_TOKEN);
		(void)pkcs11_uri_check(uri, PKCS11_URI_KEY);
		(void)pkcs11_uri_check(uri, PKCS11_URI_FILTER);
	}
	err_clear();
	return 0;
}
