/*
 * test-names.c — names a person can trust (names.c, through lint_name and
 * lint_cert): each kind of name the root must refuse (control characters,
 * the null prefix of 2009, bidirectional controls, invisible characters,
 * bad encodings and string types, PrintableString's alphabet, a bad
 * country, RFC 5280's bounds, empty values, a repeated attribute, a
 * multi-valued RDN) is an error under its own code, with the place, the
 * character and its position in the message; ordinary names, umlauts and
 * one-script Greek or Cyrillic names pass; Latin mixed with Cyrillic or
 * Greek is a warning that marks the odd letters.  No message ever holds a
 * control, bidirectional or invisible character.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "err.h"
#include "lint.h"
#include "names.h"
#include "tap.h"

/* A name built entry by entry, with raw string types and bytes. */
static X509_NAME *
name_new(void)
{
	return X509_NAME_new();
}

/* Appends nid = (type, len bytes of v) as a new RDN, or into the last
 * RDN when join. */
static void
put(X509_NAME *n, int nid, int type, const char *v, int len, bool join)
{
	if (len < 0)
		len = (int)strlen(v);
	if (!X509_NAME_add_entry_by_NID(n, nid, type, (const unsigned char *)v,
	    len, -1, join ? -1 : 0))
		diag("cannot add %s", OBJ_nid2sn(nid));
}

static void
utf8(X509_NAME *n, int nid, const char *v)
{
	put(n, nid, V_ASN1_UTF8STRING, v, -1, false);
}

static void
prt(X509_NAME *n, int nid, const char *v)
{
	put(n, nid, V_ASN1_PRINTABLESTRING, v, -1, false);
}

/* C=DE, O=Example, CN=cn (UTF8String). */
static X509_NAME *
with_cn(const char *cn, int len)
{
	X509_NAME *n = name_new();

	prt(n, NID_countryName, "DE");
	prt(n, NID_organizationName, "Example");
	put(n, NID_commonName, V_ASN1_UTF8STRING, cn, len, false);
	return n;
}

static const struct lint_finding *
find(const struct lint_report *r, const char *code)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		if (strcmp(r->f[i].code, code) == 0)
			return &r->f[i];
	return NULL;
}

static void
dump(const struct lint_report *r)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		diag("%s %s: %s", lint_level_name(r->f[i].level), r->f[i].code,
		    r->f[i].text);
}

/* Every message is UTF-8 without a control, bidi or invisible character. */
static bool
safe_text(const struct lint_report *r)
{
	const unsigned char *p;
	unsigned long cp;
	size_t i, n, k;

	for (i = 0; i < r->n; i++) {
		p = (const unsigned char *)r->f[i].text;
		n = strlen(r->f[i].text);
		for (; n > 0; p += k, n -= k)
			if ((k = names_utf8(p, n, &cp)) == 0 ||
			    names_class(cp) != NAMES_OK)
				return false;
	}
	return true;
}

static int safe_failures;

/* Lints name (freed) and checks that code is there at its level (or, with
 * code NULL, that there is no finding at all). */
static void
expect(X509_NAME *n, const char *code, const char *what)
{
	struct lint_report r;
	const struct lint_finding *f;
	bool good;

	lint_name(n, "subject", &r);
	if (code == NULL) {
		good = r.n == 0;
	} else {
		f = find(&r, code);
		good = f != NULL && f->level == (code[0] == 'e' ? LINT_ERROR :
		    LINT_WARN);
	}
	if (!ok(good, "%s: %s", what, code != NULL ? code : "no findings"))
		dump(&r);
	if (!safe_text(&r))
		safe_failures++;
	X509_NAME_free(n);
}

/* Lints name (freed); the finding code must have exactly text. */
static void
expect_text(X509_NAME *n, const char *code, const char *text,
    const char *what)
{
	struct lint_report r;
	const struct lint_finding *f;

	lint_name(n, "subject", &r);
	f = find(&r, code);
	is_str(f != NULL ? f->text : NULL, text, what);
	X509_NAME_free(n);
}

static void
test_clean(void)
{
	char umlauts[128];
	X509_NAME *n;
	int i;

	expect(with_cn("Example Root CA R1", -1), NULL, "a plain name");
	n = name_new();
	prt(n, NID_countryName, "DE");
	utf8(n, NID_organizationName, "M\xc3\xbcller GmbH");
	utf8(n, NID_commonName, "M\xc3\xbcller GmbH Root CA");
	expect(n, NULL, "\"M\xc3\xbcller GmbH Root CA\" (UTF-8 umlaut)");
	expect(with_cn("\xd0\x9c\xd0\xbe\xd1\x81\xd0\xba\xd0\xb2\xd0\xb0 "
	    "\xd0\xa6\xd0\xa1", -1), NULL, "an all-Cyrillic name");
	expect(with_cn("\xce\x91\xce\xb8\xce\xae\xce\xbd\xce\xb1 1", -1),
	    NULL, "an all-Greek name");
	expect(with_cn("\xe4\xb8\xad\xe6\x96\x87 Root", -1), NULL,
	    "Chinese with Latin is not a mixed-script warning");
	n = name_new();
	prt(n, NID_countryName, "DE");
	put(n, NID_organizationName, V_ASN1_PRINTABLESTRING,
	    "A-Z a-z 0-9 '()+,-./:=?", -1, false);
	expect(n, NULL, "the whole PrintableString alphabet");
	n = name_new();
	put(n, NID_domainComponent, V_ASN1_IA5STRING, "net", -1, false);
	put(n, NID_domainComponent, V_ASN1_IA5STRING, "example", -1, false);
	utf8(n, NID_organizationalUnitName, "Ops");
	utf8(n, NID_organizationalUnitName, "PKI");
	utf8(n, NID_commonName, "Root");
	expect(n, NULL, "two DCs and two OUs are allowed by default");
	for (i = 0; i < 64; i++)
		memcpy(umlauts + 2 * i, "\xc3\xbc", 2);
	expect(with_cn(umlauts, 128), NULL,
	    "64 umlauts (128 bytes): bounds count characters");

}

static void
test_controls(void)
{
	expect(with_cn("Good\x1b[2J CA", -1), "e_name_control_character",
	    "ESC [2J in CN");
	expect(with_cn("Good\x1b]0;evil\x07 CA", -1),
	    "e_name_control_character", "an OSC title sequence in CN");
	expect(with_cn("Good\rEvil", -1), "e_name_control_character",
	    "a carriage return");
	expect(with_cn("Good\nEvil", -1), "e_name_control_character",
	    "a line feed");
	expect(with_cn("Good\tCA", -1), "e_name_control_character", "a tab");
	expect(with_cn("Good\x7f" "CA", -1), "e_name_control_character",
	    "DEL");
	expect(with_cn("Good\xc2\x9b" "CA", -1), "e_name_control_character",
	    "C1 CONTROL SEQUENCE INTRODUCER");
	expect(with_cn("Good CA\0Evil", 12), "e_name_nul_character",
	    "a NUL: the null-prefix trick");
	expect_text(with_cn("Good\x1b[2J CA", -1), "e_name_control_character",
	    "subject CN: U+001B ESCAPE at position 5: a control character, "
	    "which a terminal or log obeys or drops", "ESC: the message");
	expect_text(with_cn("Good CA\0Evil", 12), "e_name_nul_character",
	    "subject CN: U+0000 NULL at position 8: C code reads the name as "
	    "ending there (the null-prefix certificates, Marlinspike and "
	    "Kaminsky, 2009)", "NUL: the message");
}

static void
test_invisible(void)
{
	expect(with_cn("evil\xe2\x80\xae" "AC", -1), "e_name_bidi_control",
	    "U+202E RIGHT-TO-LEFT OVERRIDE");
	expect_text(with_cn("Good\xe2\x80\xae" "AC", -1), "e_name_bidi_control",
	    "subject CN: U+202E RIGHT-TO-LEFT OVERRIDE at position 5: it "
	    "changes the order in which the name is shown", "RLO: the message");
	expect(with_cn("a\xe2\x80\xaa" "b", -1), "e_name_bidi_control",
	    "U+202A LEFT-TO-RIGHT EMBEDDING");
	expect(with_cn("a\xe2\x81\xa7" "b", -1), "e_name_bidi_control",
	    "U+2067 RIGHT-TO-LEFT ISOLATE");
	expect(with_cn("a\xe2\x81\xa9" "b", -1), "e_name_bidi_control",
	    "U+2069 POP DIRECTIONAL ISOLATE");
	expect(with_cn("a\xe2\x80\x8e" "b", -1), "e_name_bidi_control",
	    "U+200E LEFT-TO-RIGHT MARK");
	expect(with_cn("a\xe2\x80\x8f" "b", -1), "e_name_bidi_control",
	    "U+200F RIGHT-TO-LEFT MARK");
	expect(with_cn("Ro\xe2\x80\x8bot", -1), "e_name_invisible_character",
	    "U+200B ZERO WIDTH SPACE");
	expect(with_cn("Ro\xe2\x80\x8dot", -1), "e_name_invisible_character",
	    "U+200D ZERO WIDTH JOINER");
	expect(with_cn("Ro\xe2\x81\xa0ot", -1), "e_name_invisible_character",
	    "U+2060 WORD JOINER");
	expect(with_cn("\xef\xbb\xbfRoot", -1), "e_name_invisible_character",
	    "U+FEFF BYTE ORDER MARK");
	expect(with_cn("Root\xf3\xa0\x81\x81", -1),
	    "e_name_invisible_character", "U+E0041 TAG LATIN CAPITAL A");
	expect_text(with_cn("Root\xf3\xa0\x80\x81", -1),
	    "e_name_invisible_character", "subject CN: U+E0001 LANGUAGE TAG "
	    "at position 5: an invisible character", "a tag: the message");
	expect(with_cn("Root\xc2\xa0" "CA", -1), NULL,
	    "U+00A0 NO-BREAK SPACE is visible, not refused");
}

static void
test_encodings(void)
{
	X509_NAME *n;

	expect(with_cn("A\xc0\x80" "B", -1), "e_name_invalid_encoding",
	    "an overlong NUL (C0 80)");
	expect(with_cn("A\xe0\x80\xaf", -1), "e_name_invalid_encoding",
	    "an overlong '/'");
	expect(with_cn("A\xed\xa0\x80", -1), "e_name_invalid_encoding",
	    "a UTF-16 surrogate");
	expect(with_cn("A\xf4\x90\x80\x80", -1), "e_name_invalid_encoding",
	    "beyond U+10FFFF");
	expect(with_cn("AB\xe2\x80", -1), "e_name_invalid_encoding",
	    "a truncated sequence");
	expect_text(with_cn("AB\xc0\x80", -1), "e_name_invalid_encoding",
	    "subject CN: invalid UTF-8 at position 3 (byte 0xC0 at offset 2): "
	    "truncated, overlong, a surrogate or beyond U+10FFFF",
	    "invalid UTF-8: the message");

	n = with_cn("x", -1);
	put(n, NID_localityName, V_ASN1_BMPSTRING, "\0R\0o\0o\0t", 8, false);
	expect(n, "e_name_string_type", "a BMPString L");
	n = name_new();
	put(n, NID_commonName, V_ASN1_BMPSTRING, "\0R\0o\0o\0t", 8, false);
	expect_text(n, "e_name_string_type", "subject CN is a BMPString; a new "
	    "certificate uses PrintableString or UTF8String (RFC 5280 "
	    "4.1.2.6)", "a BMPString CN: the message");
	n = name_new();
	put(n, NID_commonName, V_ASN1_BMPSTRING, "\0R\x20\x2e", 4, false);
	expect(n, "e_name_bidi_control", "a BMPString is decoded: its RLO");
	n = name_new();
	put(n, NID_commonName, V_ASN1_BMPSTRING, "\0R\0o", 4, false);
	/* OpenSSL builds no such name, nor parses one: set it in place. */
	ASN1_STRING_set(X509_NAME_ENTRY_get_data(X509_NAME_get_entry(n, 0)),
	    "\0R\0", 3);
	expect(n, "e_name_invalid_encoding", "a BMPString of odd length");
	n = name_new();
	put(n, NID_organizationName, V_ASN1_T61STRING, "Root", -1, false);
	expect(n, "e_name_string_type", "a TeletexString O");
	n = name_new();
	put(n, NID_commonName, V_ASN1_UNIVERSALSTRING, "\0\0\0R", 4, false);
	expect(n, "e_name_string_type", "a UniversalString CN");
	n = name_new();
	put(n, NID_pkcs9_emailAddress, V_ASN1_UTF8STRING, "ca@example.net", -1,
	    false);
	expect(n, "e_name_string_type", "emailAddress must be IA5String");
	n = name_new();
	put(n, NID_pkcs9_emailAddress, V_ASN1_IA5STRING, "c\xc3\xa4@x.net", -1,
	    false);
	expect(n, "e_name_invalid_encoding", "an IA5String is seven-bit");

	expect(with_cn("x", -1), NULL, "a PrintableString C and O");
	n = name_new();
	prt(n, NID_commonName, "a@b");
	expect(n, "e_name_printable_charset", "'@' in a PrintableString");
	n = name_new();
	prt(n, NID_commonName, "a*b&c");
	expect_text(n, "e_name_printable_charset", "subject CN: U+002A '*' at "
	    "position 2 is not in the PrintableString alphabet (A-Z a-z 0-9 "
	    "space '()+,-./:=?)", "'*' in a PrintableString: the message");
	n = name_new();
	utf8(n, NID_commonName, "a@b*c");
	expect(n, NULL, "'@' and '*' in a UTF8String");

	n = name_new();
	prt(n, NID_countryName, "de");
	expect(n, "e_name_country_invalid", "C=de");
	n = name_new();
	prt(n, NID_countryName, "DEU");
	expect(n, "e_name_country_invalid", "C=DEU");
	n = name_new();
	prt(n, NID_countryName, "D1");
	expect(n, "e_name_country_invalid", "C=D1");
	n = name_new();
	utf8(n, NID_countryName, "DE");
	expect(n, "e_name_string_type", "C=DE as UTF8String");
	n = name_new();
	put(n, NID_countryName, V_ASN1_PRINTABLESTRING, "D\0", 2, false);
	expect(n, "e_name_nul_character", "C=D\\0");
}

static void
test_bounds(void)
{
	char v[200];
	X509_NAME *n;

	memset(v, 'a', sizeof v);
	expect(with_cn(v, 64), NULL, "a CN of 64 characters");
	expect(with_cn(v, 65), "e_name_too_long", "a CN of 65 characters");
	expect_text(with_cn(v, 65), "e_name_too_long", "subject CN is 65 "
	    "characters long; RFC 5280 allows 64 (ub-common-name)",
	    "65 characters: the message");
	n = name_new();
	put(n, NID_organizationName, V_ASN1_UTF8STRING, v, 65, false);
	expect(n, "e_name_too_long", "an O of 65 characters");
	n = name_new();
	put(n, NID_organizationalUnitName, V_ASN1_UTF8STRING, v, 65, false);
	expect(n, "e_name_too_long", "an OU of 65 characters");
	n = name_new();
	put(n, NID_localityName, V_ASN1_UTF8STRING, v, 128, false);
	expect(n, NULL, "an L of 128 characters");
	n = name_new();
	put(n, NID_localityName, V_ASN1_UTF8STRING, v, 129, false);
	expect(n, "e_name_too_long", "an L of 129 characters");
	n = name_new();
	put(n, NID_stateOrProvinceName, V_ASN1_UTF8STRING, v, 129, false);
	expect(n, "e_name_too_long", "an ST of 129 characters");
	n = name_new();
	put(n, NID_serialNumber, V_ASN1_PRINTABLESTRING, v, 65, false);
	expect(n, "e_name_too_long", "a serialNumber of 65 characters");
	n = name_new();
	put(n, NID_organizationName, V_ASN1_UTF8STRING, "", 0, false);
	expect(n, "e_name_value_empty", "an empty O");
	expect(with_cn("", 0), "e_name_value_empty", "an empty CN");
}

static void
test_shape(void)
{
	X509_NAME *n;

	n = with_cn("Good CA", -1);
	utf8(n, NID_commonName, "Evil CA");
	expect(n, "e_name_attribute_repeated", "two CNs");
	n = with_cn("Good CA", -1);
	utf8(n, NID_commonName, "Evil CA");
	expect_text(n, "e_name_attribute_repeated", "subject has CN more than "
	    "once: each program would pick its own", "two CNs: the message");
	n = with_cn("x", -1);
	prt(n, NID_organizationName, "Other");
	expect(n, "e_name_attribute_repeated", "two Os");
	n = name_new();
	prt(n, NID_countryName, "DE");
	put(n, NID_organizationName, V_ASN1_UTF8STRING, "Example", -1, false);
	put(n, NID_commonName, V_ASN1_UTF8STRING, "Root", -1, true);
	expect(n, "e_name_multi_valued_rdn", "O+CN in one RDN");
	n = name_new();
	put(n, NID_organizationName, V_ASN1_UTF8STRING, "Example", -1, false);
	put(n, NID_commonName, V_ASN1_UTF8STRING, "Root", -1, true);
	expect_text(n, "e_name_multi_valued_rdn", "subject: RDN 1 holds 2 "
	    "attributes (O+CN); write one attribute per RDN",
	    "a multi-valued RDN: the message");
}

/* names_check_name with a policy: findings into a lint_report. */
static void
collect(void *ctx, enum lint_level level, const char *code, const char *text)
{
	struct lint_report *r = ctx;

	if (r->n >= LINT_MAX)
		return;
	r->f[r->n].level = level;
	snprintf(r->f[r->n].code, sizeof r->f[r->n].code, "%s", code);
	snprintf(r->f[r->n].text, sizeof r->f[r->n].text, "%s", text);
	r->n++;
}

static void
policy_case(X509_NAME *n, const struct names_policy *pol, const char *code,
    bool want, const char *what)
{
	struct lint_report r;

	memset(&r, 0, sizeof r);
	names_check_name(n, "subject", pol, collect, &r);
	if (!ok((find(&r, code) != NULL) == want, "%s", what))
		dump(&r);
	X509_NAME_free(n);
}

static void
test_policy(void)
{
	static const int only_dc[] = { NID_domainComponent, NID_undef };
	static const int cn_too[] = { NID_commonName, NID_undef };
	struct names_policy pol;
	X509_NAME *n;

	memset(&pol, 0, sizeof pol);
	pol.allow_multi_valued = true;
	n = name_new();
	put(n, NID_organizationName, V_ASN1_UTF8STRING, "Example", -1, false);
	put(n, NID_commonName, V_ASN1_UTF8STRING, "Root", -1, true);
	policy_case(n, &pol, "e_name_multi_valued_rdn", false,
	    "policy allow_multi_valued: O+CN accepted");
	pol.allow_multi_valued = false;
	pol.repeatable = only_dc;
	n = name_new();
	utf8(n, NID_organizationalUnitName, "A");
	utf8(n, NID_organizationalUnitName, "B");
	policy_case(n, &pol, "e_name_attribute_repeated", true,
	    "policy repeatable = DC: two OUs refused");
	pol.repeatable = cn_too;
	n = with_cn("A", -1);
	utf8(n, NID_commonName, "B");
	policy_case(n, &pol, "e_name_attribute_repeated", false,
	    "policy repeatable = CN: two CNs accepted");
	memset(&pol, 0, sizeof pol);
	pol.chars_only = true;
	n = with_cn("A", -1);
	utf8(n, NID_commonName, "B\x1b");
	policy_case(n, &pol, "e_name_control_character", true,
	    "chars_only (an issuer): ESC still refused");
	n = with_cn("A", -1);
	utf8(n, NID_commonName, "B");
	policy_case(n, &pol, "e_name_attribute_repeated", false,
	    "chars_only: the shape is not checked");
}

static void
test_scripts(void)
{
	expect(with_cn("V\xd0\xb0ult", -1), "w_name_mixed_scripts",
	    "\"V\xd0\xb0ult\" with a Cyrillic a");
	expect_text(with_cn("V\xd0\xb0ult", -1), "w_name_mixed_scripts",
	    "subject CN mixes Latin and Cyrillic: "
	    "\"V[\xd0\xb0: CYRILLIC SMALL LETTER A]ult\" (runs: Latin \"V\", "
	    "Cyrillic \"\xd0\xb0\", Latin \"ult\")",
	    "Cyrillic a: the message, with the script of each run");
	expect_text(with_cn("\xce\xa1oot CA", -1), "w_name_mixed_scripts",
	    "subject CN mixes Latin and Greek: "
	    "\"[\xce\xa1: GREEK CAPITAL LETTER RHO]oot CA\" (runs: Greek "
	    "\"\xce\xa1\", Latin \"oot CA\")",
	    "a Greek Rho: the message");
	expect_text(with_cn("V\xd0\xb1ult", -1), "w_name_mixed_scripts",
	    "subject CN mixes Latin and Cyrillic: "
	    "\"V[\xd0\xb1: U+0431]ult\" (runs: Latin \"V\", Cyrillic "
	    "\"\xd0\xb1\", Latin \"ult\")",
	    "a letter without a look-alike name: U+XXXX");
	/* A whole word of look-alikes among Latin words: "Paypal". */
	expect_text(with_cn("\xd0\xa0\xd0\xb0\xd1\x83\xd1\x80\xd0\xb0l "
	    "Root CA", -1), "w_name_mixed_scripts", "subject CN mixes Latin "
	    "and Cyrillic: \"[\xd0\xa0: CYRILLIC CAPITAL LETTER ER]"
	    "[\xd0\xb0: CYRILLIC SMALL LETTER A][\xd1\x83: CYRILLIC SMALL "
	    "LETTER U]...\" (runs: Cyrillic \"\xd0\xa0\xd0\xb0\xd1\x83\xd1"
	    "\x80\xd0\xb0\", Latin \"l Root CA\")", "a Cyrillic word among Latin ones: its letters "
	    "marked, the message cut at a character");
	expect_text(with_cn("\xd0\x9c\xd0\xbe\xd1\x81\xd0\xba\xd0\xb2\xd0\xb0 "
	    "CA", -1), "w_name_mixed_scripts", "subject CN mixes Latin and "
	    "Cyrillic: \"\xd0\x9c\xd0\xbe\xd1\x81\xd0\xba\xd0\xb2\xd0\xb0 "
	    "[C: U+0043][A: U+0041]\" (runs: Cyrillic \"\xd0\x9c\xd0\xbe\xd1"
	    "\x81\xd0\xba\xd0\xb2\xd0\xb0 \", Latin \"CA\")", "a Cyrillic word and a Latin one: "
	    "the minority's letters are marked");
	expect_text(with_cn("\xd0\x9c\xd0\xbe\xd1\x81\xd0\xba\xd0\xb2" "a", -1),
	    "w_name_mixed_scripts", "subject CN mixes Latin and Cyrillic: "
	    "\"\xd0\x9c\xd0\xbe\xd1\x81\xd0\xba\xd0\xb2[a: U+0061]\" (runs: "
	    "Cyrillic \"\xd0\x9c\xd0\xbe\xd1\x81\xd0\xba\xd0\xb2\", Latin "
	    "\"a\")", "the minority script is the one marked");
}

/* Text not in NFC: a letter written as base and combining mark, a
 * character NFC replaces; the composed letters pass. */
static void
test_nfc(void)
{
	expect(with_cn("Caf\xc3\xa9 Root CA", -1), NULL, "a composed e-acute");
	expect(with_cn("Cafe\xcc\x81 Root CA", -1), "e_name_not_nfc",
	    "e then U+0301");
	expect_text(with_cn("Cafe\xcc\x81 Root CA", -1), "e_name_not_nfc",
	    "subject CN: U+0065 'e' then U+0301 COMBINING ACUTE ACCENT at "
	    "position 5 is not Unicode NFC: write U+00E9", "e then U+0301: "
	    "the message names both and the letter to write");
	expect_text(with_cn("\xe2\x84\xab Labs CA", -1), "e_name_not_nfc",
	    "subject CN: U+212B at position 1 is not Unicode NFC: write "
	    "U+00C5", "the Angstrom sign");
	/* Two levels: e-circumflex (itself composed) and an acute. */
	expect(with_cn("Vi\xc3\xaa\xcc\x81t CA", -1), "e_name_not_nfc",
	    "e-circumflex then U+0301");
	expect(with_cn("\xd0\x98\xcc\x86\xd0\xbe\xd1\x82 CA", -1),
	    "e_name_not_nfc", "Cyrillic I then U+0306 (short I)");
	/* A mark NFC does not compose with the letter before it. */
	expect(with_cn("q\xcc\x81 CA", -1), NULL,
	    "q then U+0301 (no composed form): not flagged");
	is_int((long)names_nfc_compose('A', 0x30a), 0xc5, "A + ring = U+00C5");
	is_int((long)names_nfc_compose(0x415, 0x308), 0x401,
	    "Cyrillic IE + diaeresis = U+0401");
	is_int((long)names_nfc_compose('x', 0x301), 0, "x + acute: none");
	is_int((long)names_nfc_singleton(0x2126), 0x3a9, "Ohm sign: Omega");
	is_int((long)names_nfc_singleton('K'), 0, "K is itself");
}

/* Skeletons: names a person could take for one another. */
static void
test_skeleton(void)
{
	char a[256], b[256];

	ok(names_skeleton("CN=Vault Int,O=Example,C=DE", a, sizeof a) &&
	    names_skeleton("CN=VAULT  INT,O=example,C=DE", b, sizeof b) &&
	    strcmp(a, b) == 0, "case and spaces do not count");
	ok(names_skeleton("CN=V\xd0\xb0ult \xd0\x86nt", b, sizeof b) &&
	    names_skeleton("CN=Vault Int", a, sizeof a) && strcmp(a, b) == 0,
	    "a Cyrillic a and I read as Latin");
	ok(names_skeleton("CN=\xce\xa1oot CA", b, sizeof b) &&
	    names_skeleton("CN=R00T CA", a, sizeof a) &&
	    names_skeleton("CN=poot ca", a, sizeof a) && strcmp(a, b) == 0,
	    "a Greek Rho reads as p");
	ok(names_skeleton("CN=R00T CA", a, sizeof a) &&
	    names_skeleton("CN=Root CA", b, sizeof b) && strcmp(a, b) == 0,
	    "zeros read as o");
	ok(names_skeleton("CN=\\ Root CA\\ ", a, sizeof a) &&
	    names_skeleton("CN=Root CA", b, sizeof b) && strcmp(a, b) == 0,
	    "RFC 4514's escaped leading and trailing spaces do not count");
	ok(names_skeleton("CN=Vault Int", a, sizeof a) &&
	    names_skeleton("CN=Vault Ext", b, sizeof b) && strcmp(a, b) != 0,
	    "another name is another skeleton");
	ok(names_skeleton("CN=M\xc3\x9cLLER", a, sizeof a) &&
	    names_skeleton("CN=m\xc3\xbcller", b, sizeof b) && strcmp(a, b) == 0,
	    "Latin-1 capitals fold to lower case");
	ok(!names_skeleton("CN=a long name", a, 8), "too long: false");
}

/* The general names of extensions. */
static void
test_general_names(void)
{
	GENERAL_NAMES *gens = GENERAL_NAMES_new();
	GENERAL_NAME *g;
	X509_NAME *dir = name_new();
	ASN1_IA5STRING *s;
	struct lint_report r;
	const struct lint_finding *f;

	s = ASN1_IA5STRING_new();
	ASN1_STRING_set(s, "ok.example", -1);
	g = GENERAL_NAME_new();
	GENERAL_NAME_set0_value(g, GEN_DNS, s);
	sk_GENERAL_NAME_push(gens, g);
	s = ASN1_IA5STRING_new();
	ASN1_STRING_set(s, "ca\r.example", -1);
	g = GENERAL_NAME_new();
	GENERAL_NAME_set0_value(g, GEN_DNS, s);
	sk_GENERAL_NAME_push(gens, g);
	s = ASN1_IA5STRING_new();
	ASN1_STRING_set(s, "ca@example.net\0.evil", 20);
	g = GENERAL_NAME_new();
	GENERAL_NAME_set0_value(g, GEN_EMAIL, s);
	sk_GENERAL_NAME_push(gens, g);
	s = ASN1_IA5STRING_new();
	ASN1_STRING_set(s, "http://ex\xe2\x80\xae" "ample/", -1);
	g = GENERAL_NAME_new();
	GENERAL_NAME_set0_value(g, GEN_URI, s);
	sk_GENERAL_NAME_push(gens, g);
	utf8(dir, NID_commonName, "dir\xe2\x80\x8b");
	g = GENERAL_NAME_new();
	GENERAL_NAME_set0_value(g, GEN_DIRNAME, dir);
	sk_GENERAL_NAME_push(gens, g);

	memset(&r, 0, sizeof r);
	names_check_general_names(gens, "subjectAltName", collect, &r);
	f = find(&r, "e_name_control_character");
	is_str(f != NULL ? f->text : NULL, "subjectAltName DNS name 2: U+000D "
	    "CARRIAGE RETURN at position 3: a control character, which a "
	    "terminal or log obeys or drops", "a CR in a SAN DNS name");
	ok(find(&r, "e_name_nul_character") != NULL &&
	    strstr(find(&r, "e_name_nul_character")->text,
	    "email address 3") != NULL, "a NUL in a SAN email address");
	ok(find(&r, "e_name_invalid_encoding") != NULL &&
	    strstr(find(&r, "e_name_invalid_encoding")->text, "URI 4") !=
	    NULL, "a bidi override in a URI: not IA5");
	ok(find(&r, "e_name_invisible_character") != NULL &&
	    strstr(find(&r, "e_name_invisible_character")->text,
	    "directory name 5 CN") != NULL,
	    "a zero-width space in a directoryName");
	is_int(r.n, 4, "four findings, none for the good DNS name");
	if (!safe_text(&r))
		safe_failures++;
	GENERAL_NAMES_free(gens);
}

/* lint_cert runs the name checks: subject, issuer, SAN, name constraints. */
static void
test_lint_cert(void)
{
	EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	X509 *x = X509_new(), *issuer = X509_new();
	X509_NAME *subj = with_cn("evil\xe2\x80\xae" "AC", -1);
	X509_NAME *iss = with_cn("Iss\x1b" "uer", -1);
	X509_EXTENSION *ext;
	X509V3_CTX ctx;
	struct lint_report r;
	const struct lint_finding *f;
	enum profile_family fam[] = { FAMILY_PRIVATE, FAMILY_BR_ROOT,
	    FAMILY_BR_SUBCA };
	size_t i;

	X509_set_version(x, X509_VERSION_3);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 0x7fffffff);
	X509_set_subject_name(x, subj);
	X509_set_issuer_name(x, iss);
	X509_gmtime_adj(X509_getm_notBefore(x), 0);
	X509_gmtime_adj(X509_getm_notAfter(x), 86400);
	X509_set_pubkey(x, k);
	X509V3_set_ctx(&ctx, NULL, x, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &ctx, NID_name_constraints,
	    "critical,permitted;DNS:ok.example,excluded;email:bad\x7f@x.net");
	if (ext == NULL)
		diag("cannot make nameConstraints");
	X509_add_ext(x, ext, -1);
	X509_EXTENSION_free(ext);
	X509_sign(x, k, EVP_sha256());
	X509_set_subject_name(issuer, iss);
	for (i = 0; i < 3; i++) {
		lint_cert(x, issuer, fam[i], &r);
		ok(find(&r, "e_name_bidi_control") != NULL &&
		    strstr(find(&r, "e_name_bidi_control")->text,
		    "subject CN") != NULL,
		    "lint_cert (%s): the subject's RLO is an error",
		    profile_family_name(fam[i]));
	}
	f = find(&r, "e_name_control_character");
	ok(f != NULL && strncmp(f->text, "issuer CN: U+001B ESCAPE", 24) == 0,
	    "lint_cert: the issuer's ESC is an error");
	ok(f != NULL && (f = f + 1) <= &r.f[r.n - 1] &&
	    strcmp(f->code, "e_name_control_character") == 0 &&
	    strncmp(f->text, "nameConstraints excluded email address 1: "
	    "U+007F DELETE", 54) == 0,
	    "lint_cert: the DEL in a name constraint is an error");
	if (!safe_text(&r))
		safe_failures++;
	X509_NAME_free(subj);
	X509_NAME_free(iss);
	X509_free(x);
	X509_free(issuer);
	EVP_PKEY_free(k);
}

static void
test_tables(void)
{
	char buf[80];
	unsigned long cp;
	int bad = 0;

	for (cp = 0; cp < 0x20; cp++)
		bad += names_class(cp) == NAMES_OK;
	for (cp = 0x7f; cp <= 0x9f; cp++)
		bad += names_class(cp) == NAMES_OK;
	for (cp = 0xe0000; cp <= 0xe007f; cp++)
		bad += names_class(cp) != NAMES_INVISIBLE;
	for (cp = 0x202a; cp <= 0x202e; cp++)
		bad += names_class(cp) != NAMES_BIDI;
	for (cp = 0x2066; cp <= 0x2069; cp++)
		bad += names_class(cp) != NAMES_BIDI;
	for (cp = 0x20; cp < 0x7f; cp++)
		bad += names_class(cp) != NAMES_OK;
	is_int(bad, 0, "classes: C0, DEL, C1, tags, bidi refused; ASCII not");
	names_char_text(0x9, buf, sizeof buf);
	is_str(buf, "U+0009 CHARACTER TABULATION", "the name of TAB");
	names_char_text(0x2069, buf, sizeof buf);
	is_str(buf, "U+2069 POP DIRECTIONAL ISOLATE", "the name of PDI");
	names_char_text(0x4e2d, buf, sizeof buf);
	is_str(buf, "U+4E2D", "no name: U+XXXX");
	names_char_text(0xe0041, buf, sizeof buf);
	is_str(buf, "U+E0041 TAG CHARACTER", "a tag");
}

int
main(void)
{
	test_tables();
	test_clean();
	test_controls();
	test_invisible();
	test_encodings();
	test_bounds();
	test_shape();
	test_policy();
	test_scripts();
	test_nfc();
	test_skeleton();
	test_general_names();
	test_lint_cert();
	is_int(safe_failures, 0, "no message holds a control, bidi or "
	    "invisible character");
	printf("1..%d\n", tap_n);
	return tap_failed != 0;
}
