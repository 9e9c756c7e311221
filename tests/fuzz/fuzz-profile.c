/*
 * fuzz-profile.c — libFuzzer target for profile_load_text (profile files
 * come from ceremony media) and profile_apply.
 *
 * The input is loaded as profile "root" and as the first section it names,
 * if any.  Whatever loads must keep the promises of profile.h (validity in
 * range, pathlen only on a CA, no more than PROFILE_MAX_EXT extensions) and
 * must apply to a certificate without crashing; a refusal must leave a
 * message.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "err.h"
#include "profile.h"

static EVP_PKEY *key;

static void
check(const uint8_t *data, size_t size, const char *name)
{
	struct profile p;
	X509_NAME *n = NULL;
	X509 *x = NULL;
	int rc;

	err_clear();
	rc = profile_load_text((const char *)data, size, "fuzz", name, &p);
	if (rc != OR_OK) {
		if (rc != OR_E_INPUT && rc != OR_E_NOMEM)
			abort();
		if (*err_msg(rc) == '\0' || p.conf != NULL)
			abort();
		return;
	}
	if (p.validity_days < 1 || p.validity_days > 36525 ||
	    p.next > PROFILE_MAX_EXT || (p.pathlen >= 0 && !p.is_ca) ||
	    p.key_types == 0 || p.conf == NULL ||
	    (p.max_pathlen >= 0 && p.max_pathlen < p.pathlen))
		abort();
	if ((x = X509_new()) == NULL || (n = X509_NAME_new()) == NULL ||
	    !X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC,
	    (const unsigned char *)"fuzz", -1, -1, 0) ||
	    !X509_set_version(x, X509_VERSION_3) ||
	    !X509_set_subject_name(x, n) || !X509_set_issuer_name(x, n) ||
	    !X509_set_pubkey(x, key))
		abort();
	(void)profile_apply(&p, x, x);
	X509_free(x);
	X509_NAME_free(n);
	profile_free(&p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char name[PROFILE_NAME_MAX];
	const uint8_t *s, *e;
	size_t len;

	if (key == NULL &&
	    (key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256")) == NULL)
		abort();
	check(data, size, "root");
	/* The first "[name]" in the input. */
	if ((s = memchr(data, '[', size)) == NULL)
		return 0;
	s++;
	if ((e = memchr(s, ']', size - (size_t)(s - data))) == NULL)
		return 0;
	while (s < e && (*s == ' ' || *s == '\t'))
		s++;
	len = (size_t)(e - s);
	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	if (len == 0 || len >= sizeof name || memchr(s, '\0', len) != NULL)
		return 0;
	memcpy(name, s, len);
	name[len] = '\0';
	if (strcmp(name, "root") != 0)
		check(data, size, name);
	return 0;
}
