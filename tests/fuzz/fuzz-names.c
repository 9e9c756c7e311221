/*
 * fuzz-names.c — libFuzzer target for the name linter (names.c through
 * lint_name, and the general-name checks).
 *
 * The input is read as a DER Name (as from a CSR's subject) and as DER
 * GeneralNames (as in subjectAltName or nameConstraints).  Whatever the
 * bytes, linting must not crash or read out of bounds, and no finding may
 * hold a control, bidirectional or invisible character or invalid UTF-8:
 * every message goes to a terminal.  A finding's code must be one of the
 * name codes.  The input is also read as text: names_escape_text must
 * leave nothing of the kind in what it shows (newlines and tabs aside, when
 * kept), and names_skeleton must not overrun.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "err.h"
#include "lint.h"
#include "names.h"

static void
check_text(const char *code, const char *text)
{
	const unsigned char *p = (const unsigned char *)text;
	size_t n = strlen(text), k;
	unsigned long cp;

	if (strncmp(code, "e_name_", 7) != 0 &&
	    strncmp(code, "w_name_", 7) != 0)
		abort();
	for (; n > 0; p += k, n -= k)
		if ((k = names_utf8(p, n, &cp)) == 0 ||
		    names_class(cp) != NAMES_OK)
			abort();
}

/* The escaped text: UTF-8 without a control, bidi or invisible character
 * (but newlines and tabs, when kept). */
static void
check_escaped(const uint8_t *data, size_t size, bool keep)
{
	char *in, *out, skel[256];
	const unsigned char *p;
	unsigned long cp;
	size_t n, k;

	if ((in = malloc(size + 1)) == NULL)
		return;
	memcpy(in, data, size);
	in[size] = '\0';
	if ((out = names_escape_dup(in, keep)) == NULL)
		abort();
	p = (const unsigned char *)out;
	for (n = strlen(out); n > 0; p += k, n -= k)
		if ((k = names_utf8(p, n, &cp)) == 0 ||
		    (names_class(cp) != NAMES_OK &&
		    !(keep && (cp == '\n' || cp == '\t'))))
			abort();
	(void)names_skeleton(in, skel, sizeof skel);
	free(out);
	free(in);
}

static void
found(void *ctx, enum lint_level level, const char *code, const char *text)
{
	(void)ctx;
	(void)level;
	check_text(code, text);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const unsigned char *p = data;
	struct lint_report r;
	X509_NAME *name;
	GENERAL_NAMES *gens;
	size_t i;

	if ((name = d2i_X509_NAME(NULL, &p, (long)size)) != NULL) {
		lint_name(name, "subject", &r);
		for (i = 0; i < r.n; i++)
			check_text(r.f[i].code, r.f[i].text);
		X509_NAME_free(name);
	}
	p = data;
	if ((gens = d2i_GENERAL_NAMES(NULL, &p, (long)size)) != NULL) {
		names_check_general_names(gens, "subjectAltName", found, NULL);
		GENERAL_NAMES_free(gens);
	}
	check_escaped(data, size, false);
	check_escaped(data, size, true);
	ERR_clear_error();
	err_clear();
	return 0;
}
