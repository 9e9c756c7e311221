/* test-dn.c — subject names from the command line become the DER the
 * officer meant, or are refused with OR_E_INPUT and one clear line. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/asn1.h>
#include <openssl/objects.h>
#include <openssl/x509.h>

#include "dn.h"
#include "err.h"
#include "tap.h"

/* Both texts parse, and to the same DER. */
static void
same_der(const char *a, const char *b, const char *name)
{
	X509_NAME *na = NULL, *nb = NULL;
	unsigned char *da = NULL, *db = NULL;
	int la = -1, lb = -1;

	if (dn_parse(a, &na) == OR_OK && dn_parse(b, &nb) == OR_OK) {
		la = i2d_X509_NAME(na, &da);
		lb = i2d_X509_NAME(nb, &db);
	} else
		diag("%s", err_msg(OR_E_INPUT));
	ok(la > 0 && la == lb && memcmp(da, db, (size_t)la) == 0, "%s", name);
	OPENSSL_free(da);
	OPENSSL_free(db);
	X509_NAME_free(na);
	X509_NAME_free(nb);
}

/* Entry i of the parsed name: its short name, value and string type. */
static void
entry_is(const char *text, int i, const char *sn, const char *value,
    int type, const char *name)
{
	X509_NAME *n = NULL;
	const X509_NAME_ENTRY *e;
	const ASN1_STRING *s;
	int good = 0;

	if (dn_parse(text, &n) != OR_OK)
		diag("%s", err_msg(OR_E_INPUT));
	else if (i >= X509_NAME_entry_count(n))
		diag("only %d entries", X509_NAME_entry_count(n));
	else {
		e = X509_NAME_get_entry(n, i);
		s = X509_NAME_ENTRY_get_data(e);
		good = strcmp(OBJ_nid2sn(OBJ_obj2nid(
		    X509_NAME_ENTRY_get_object(e))), sn) == 0 &&
		    (size_t)ASN1_STRING_length(s) == strlen(value) &&
		    memcmp(ASN1_STRING_get0_data(s), value,
		    strlen(value)) == 0 && ASN1_STRING_type(s) == type;
		if (!good)
			diag("got %s=%.*s (type %d)", OBJ_nid2sn(OBJ_obj2nid(
			    X509_NAME_ENTRY_get_object(e))),
			    ASN1_STRING_length(s),
			    (const char *)ASN1_STRING_get0_data(s),
			    ASN1_STRING_type(s));
	}
	ok(good, "%s", name);
	X509_NAME_free(n);
}

/* Refused with OR_E_INPUT, no name, and a message (containing want). */
static void
refused(const char *text, const char *want, const char *name)
{
	X509_NAME *n = (X509_NAME *)1;
	int rc;

	err_clear();
	rc = dn_parse(text, &n);
	if (!ok(rc == OR_E_INPUT && n == NULL &&
	    strstr(err_msg(rc), want) != NULL &&
	    strchr(err_msg(rc), '\n') == NULL, "refuses %s", name))
		diag("rc %d, message: %s", rc, err_msg(rc));
	if (rc == OR_OK)
		X509_NAME_free(n);
}

/* dn_format(dn_parse(text)) is want, and parses back to the same DER. */
static void
formats(const char *text, const char *want, const char *name)
{
	X509_NAME *n = NULL;
	char buf[512];

	buf[0] = '\0';
	if (dn_parse(text, &n) != OR_OK ||
	    dn_format(n, buf, sizeof buf) != OR_OK)
		diag("%s", err_msg(OR_E_INPUT));
	is_str(buf, want, name);
	same_der(text, buf, "and reads back as the same name");
	X509_NAME_free(n);
}

static void
test_forms(void)
{
	X509_NAME *n = NULL;

	same_der("/C=DE/O=Example/CN=Root", "CN=Root,O=Example,C=DE",
	    "slash form and RFC 4514 give the same DER");
	same_der("CN=Root, O=Example, C=DE", "CN=Root,O=Example,C=DE",
	    "spaces after ',' are allowed in RFC 4514");
	same_der("2.5.4.3=Root,2.5.4.10=Example,2.5.4.6=DE",
	    "CN=Root,O=Example,C=DE", "dotted OIDs name the same attributes");
	same_der("commonName=Root,organizationName=Example,countryName=DE",
	    "CN=Root,O=Example,C=DE", "long names name the same attributes");
	same_der("cn=Root,o=Example,c=DE", "CN=Root,O=Example,C=DE",
	    "attribute names are case-insensitive");
	entry_is("CN=Root,O=Example,C=DE", 0, "C", "DE",
	    V_ASN1_PRINTABLESTRING, "RFC 4514 is reversed into DER order");
	entry_is("CN=Root,O=Example,C=DE", 2, "CN", "Root",
	    V_ASN1_PRINTABLESTRING, "the most specific RDN comes last");
	entry_is("/C=DE/O=Example/CN=Root", 0, "C", "DE",
	    V_ASN1_PRINTABLESTRING, "slash form keeps its order");
	ok(dn_parse("/DC=org/DC=example/OU=a/OU=b/CN=x", &n) == OR_OK &&
	    X509_NAME_entry_count(n) == 5, "repeated attributes in separate "
	    "RDNs are kept");
	X509_NAME_free(n);
}

static void
test_multivalued(void)
{
	X509_NAME *n = NULL;
	int ok_ = 0;

	same_der("/C=DE/O=Example/CN=Root+UID=r1",
	    "CN=Root+UID=r1,O=Example,C=DE",
	    "multi-valued RDN: both forms give the same DER");
	same_der("CN=Root+UID=r1,O=Example,C=DE",
	    "UID=r1+CN=Root,O=Example,C=DE",
	    "the order inside a multi-valued RDN does not change the DER");
	if (dn_parse("CN=Root+UID=r1,O=Example,C=DE", &n) == OR_OK)
		ok_ = X509_NAME_entry_count(n) == 4 &&
		    X509_NAME_ENTRY_set(X509_NAME_get_entry(n, 2)) == 2 &&
		    X509_NAME_ENTRY_set(X509_NAME_get_entry(n, 3)) == 2 &&
		    X509_NAME_ENTRY_set(X509_NAME_get_entry(n, 1)) == 1;
	ok(ok_, "CN and UID share the third RDN");
	X509_NAME_free(n);
}

static void
test_escapes(void)
{
	entry_is("CN=a\\,b\\+c\\;d\\\"e\\\\f\\<g\\>h\\=i,C=DE", 1, "CN",
	    "a,b+c;d\"e\\f<g>h=i", V_ASN1_UTF8STRING,
	    "RFC 4514 escapes of special characters");
	entry_is("CN=\\#1\\ ", 0, "CN", "#1 ", V_ASN1_UTF8STRING,
	    "escaped leading '#' and trailing space");
	entry_is("CN=\\ x", 0, "CN", " x", V_ASN1_PRINTABLESTRING,
	    "escaped leading space");
	entry_is("CN=a=b", 0, "CN", "a=b", V_ASN1_PRINTABLESTRING,
	    "'=' in a value needs no escape");
	entry_is("CN=\\C3\\A9cole", 0, "CN", "\xc3\xa9" "cole",
	    V_ASN1_UTF8STRING, "\\XX hex pairs form UTF-8");
	entry_is("CN=\\41\\62c", 0, "CN", "Abc", V_ASN1_PRINTABLESTRING,
	    "\\XX hex pairs of ASCII");
	entry_is("/O=a\\/b/CN=c", 0, "O", "a/b", V_ASN1_PRINTABLESTRING,
	    "slash form: \\/ escapes a slash");
	entry_is("/CN=c\\+d", 0, "CN", "c+d", V_ASN1_PRINTABLESTRING,
	    "slash form: \\+ is a literal plus");
	entry_is("/O=Example, Inc./CN=x", 0, "O", "Example, Inc.",
	    V_ASN1_PRINTABLESTRING, "slash form: a comma is literal");
	entry_is("/CN=a;b<c>", 0, "CN", "a;b<c>", V_ASN1_UTF8STRING,
	    "slash form: ; < > are literal");
}

static void
test_types(void)
{
	char cn64[80];

	entry_is("CN=Example Root CA 2025", 0, "CN", "Example Root CA 2025",
	    V_ASN1_PRINTABLESTRING, "ASCII becomes PrintableString");
	entry_is("O=M\xc3\xbcller GmbH", 0, "O", "M\xc3\xbcller GmbH",
	    V_ASN1_UTF8STRING, "UTF-8 becomes UTF8String");
	entry_is("O=A&B", 0, "O", "A&B", V_ASN1_UTF8STRING,
	    "ASCII outside PrintableString becomes UTF8String");
	entry_is("emailAddress=ca@example.org", 0, "emailAddress",
	    "ca@example.org", V_ASN1_IA5STRING, "emailAddress is IA5String");
	entry_is("DC=example", 0, "DC", "example", V_ASN1_IA5STRING,
	    "DC is IA5String");
	entry_is("serialNumber=42", 0, "serialNumber", "42",
	    V_ASN1_PRINTABLESTRING, "serialNumber is PrintableString");
	entry_is("1.2.3.4=x", 0, "UNDEF", "x", V_ASN1_PRINTABLESTRING,
	    "an unknown dotted OID is accepted");
	memset(cn64, 'a', 64);
	cn64[64] = '\0';
	{
		char text[96];

		snprintf(text, sizeof text, "CN=%s", cn64);
		entry_is(text, 0, "CN", cn64, V_ASN1_PRINTABLESTRING,
		    "a 64-character value is accepted");
	}
	entry_is("CN=\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
	    "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
	    "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
	    "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
	    "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
	    "\xc3\xa9", 0, "CN",
	    "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
	    "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
	    "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
	    "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
	    "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
	    "\xc3\xa9", V_ASN1_UTF8STRING,
	    "the limit counts characters, not bytes");
}

static void
test_refusals(void)
{
	char text[96];
	X509_NAME *n = (X509_NAME *)1;

	refused("", "empty distinguished name", "an empty DN");
	refused("/", "empty distinguished name", "a slash alone");
	ok(dn_parse(NULL, &n) == OR_E_INPUT && n == NULL,
	    "refuses a NULL DN");
	refused("CN=", "empty value for CN in \"CN=\"", "an empty value");
	refused("/C=DE/CN=", "empty value for CN", "an empty slash value");
	refused("CNN=x", "unknown attribute \"CNN\" in \"CNN=x\"",
	    "an unknown attribute name");
	refused("sha256=x", "not a name attribute",
	    "an object that is not a name attribute");
	refused("1..2=x", "invalid OID \"1..2\"", "an OID with an empty arc");
	refused("1.2.=x", "invalid OID", "an OID ending in a dot");
	refused("1.02.3=x", "invalid OID", "an OID arc with a leading zero");
	refused("3.4=x", "invalid OID", "an OID with a first arc above 2");
	refused("C=DEU", "two upper-case letters", "a three-letter country");
	refused("C=D", "two upper-case letters", "a one-letter country");
	refused("C=1E", "two upper-case letters", "a country with a digit");
	refused("C=de", "two upper-case letters", "a lower-case country");
	refused("C=\xc3\x84\xc3\x84", "two upper-case letters",
	    "a country of non-ASCII letters");
	refused("CN=\xff", "not valid UTF-8", "a byte that is never UTF-8");
	refused("CN=ab\xc3", "not valid UTF-8", "a truncated UTF-8 sequence");
	refused("CN=\xc0\xaf", "not valid UTF-8", "an overlong UTF-8 slash");
	refused("CN=\xed\xa0\x80", "not valid UTF-8", "a UTF-8 surrogate");
	refused("CN=\\C3", "not valid UTF-8", "an escaped invalid UTF-8");
	refused("CN=a\x01" "b", "control character 0x01 at offset 4",
	    "a raw control character");
	refused("CN=a\tb", "control character 0x09", "a tab");
	refused("CN=a\\0Ab", "U+000A", "an escaped newline");
	refused("CN=a\\00b", "U+0000", "an escaped NUL");
	refused("CN=a\xc2\x85", "U+0085", "a C1 control character");
	refused("CN=evil\xe2\x80\xaegpj.exe", "U+202E",
	    "a right-to-left override");
	refused("CN=a\xe2\x80\x8b" "b", "U+200B", "a zero-width space");
	/* The classes of names.c, which the linter uses too. */
	refused("CN=Root\xf3\xa0\x81\x81", "U+E0041 TAG CHARACTER at "
	    "position 5", "a Unicode tag");
	refused("CN=a\xe2\x80\xa8" "b", "U+2028 LINE SEPARATOR", "a line "
	    "separator");
	refused("CN=Good\xe2\x81\xa7" "CA", "U+2067 RIGHT-TO-LEFT ISOLATE at "
	    "position 5", "a right-to-left isolate, named");
	refused("CN=Good\\1B[2J", "U+001B ESCAPE at position 5",
	    "an escaped ESC, named with its position");
	memset(text, 0, sizeof text);
	memcpy(text, "CN=", 3);
	memset(text + 3, 'a', 65);
	refused(text, "is 65 characters long; the limit is 64",
	    "a 65-character CN");
	memcpy(text, "/O=", 3);
	refused(text, "the limit is 64", "a 65-character O");
	memcpy(text, "OU=", 3);
	refused(text, "the limit is 64", "a 65-character OU");
	refused("CN=#0403616263", "'#' BER encoding", "a '#' BER value");
	refused("/CN=#0403616263", "'#' BER encoding",
	    "a '#' BER value in slash form");
	refused("CN=Root,O=Example,", "trailing ','", "a trailing comma");
	refused("CN=Root, ", "trailing ','", "a trailing comma and space");
	refused("/C=DE/CN=Root/", "trailing '/'", "a trailing slash");
	refused("CN=Root+", "trailing '+'", "a trailing plus");
	refused("CN=a,,O=b", "empty attribute before ','", "an empty RDN");
	refused("/C=DE//CN=x", "empty attribute before '/'",
	    "an empty slash RDN");
	refused("CN=Root\\", "unterminated escape at the end of "
	    "\"CN=Root\\\"", "an unterminated escape");
	refused("/CN=Root\\", "unterminated escape",
	    "an unterminated escape in slash form");
	refused("CN=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "bc\\", "aabc\\\"", "and quotes the end of a long one");
	refused("CN=a\\qb", "invalid escape", "an unknown escape");
	refused("CN=a\\4", "incomplete hex escape", "half a hex pair");
	refused("CN=a\\4x", "incomplete hex escape", "a bad hex pair");
	refused("CN=a;b", "unescaped ';'", "an unescaped ';'");
	refused("CN=a\"b", "unescaped '\"'", "an unescaped '\"'");
	refused("CN=a<b", "unescaped '<'", "an unescaped '<'");
	refused("Root", "missing '=' in \"Root\"", "a value with no type");
	refused("=Root", "missing attribute type", "an empty type");
	refused("C = DE, O = Example, CN = Root", "space around '='",
	    "OpenSSL's one-line output");
	refused("C=DE, O=Example, CN=Root", "reverse order",
	    "RDNs written in DER order as RFC 4514");
	refused("/CN=Root/O=Example/C=DE", "reverse order",
	    "RDNs written in RFC 4514 order as slash form");
	refused("  CN=Root", "space before the attribute type",
	    "a space before the first type");
	refused("CN= Root", "starts with a space", "a leading space");
	refused("CN=Root ", "ends with a space", "a trailing space");
	refused("CN=Root ,O=x", "ends with a space",
	    "a space before a comma");
	refused("CN=a+CN=b", "CN appears twice in one multi-valued RDN",
	    "an attribute twice in one RDN");
	refused("serialNumber=a_b", "may use only",
	    "a serialNumber outside PrintableString");
	refused("emailAddress=\xc3\xa9@example.org", "must be ASCII",
	    "a non-ASCII emailAddress");
	refused("CN=x\\/y,O=b\xff", "\"O=b\\xFF\"",
	    "and quotes a bad byte as \\xFF in the message");
}

static void
test_format(void)
{
	X509_NAME *n = NULL;
	unsigned char bmp[] = { 0x00, 'H', 0x00, 0xe9 };
	char buf[64];
	int rc;

	formats("/C=DE/O=Example/CN=Root", "CN=Root,O=Example,C=DE",
	    "dn_format writes RFC 4514, most specific first");
	formats("CN=Root,O=Example,C=DE", "CN=Root,O=Example,C=DE",
	    "an RFC 4514 name formats as it was written");
	formats("CN=Root+UID=r1,O=Example,C=DE",
	    "CN=Root+UID=r1,O=Example,C=DE",
	    "a multi-valued RDN keeps its order and its '+'");
	formats("CN=a\\,b\\+c\\;d\\\"e\\\\f\\<g\\>h=i",
	    "CN=a\\,b\\+c\\;d\\\"e\\\\f\\<g\\>h=i",
	    "special characters are escaped");
	formats("/CN=\\#x\\ ", "CN=\\#x\\ ",
	    "leading '#' and trailing space are escaped");
	formats("CN=\\C3\\A9cole", "CN=\xc3\xa9" "cole",
	    "UTF-8 is written as UTF-8, not as escapes");
	formats("cn=Root,1.2.3.4=x", "CN=Root,1.2.3.4=x",
	    "short names and dotted OIDs");
	formats("2.5.29.17=x", "2.5.29.17=x",
	    "an OID outside the name arcs stays dotted");

	/* Names from elsewhere (a CSR) may hold what dn_parse refuses. */
	n = X509_NAME_new();
	X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_UTF8,
	    (const unsigned char *)"a\nb\xe2\x80\xae", -1, -1, 0);
	X509_NAME_add_entry_by_NID(n, NID_organizationName, V_ASN1_BMPSTRING,
	    bmp, sizeof bmp, -1, 0);
	rc = dn_format(n, buf, sizeof buf);
	is_int(rc, OR_OK, "a foreign name formats");
	is_str(buf, "O=H\xc3\xa9,CN=a\\0Ab\\E2\\80\\AE",
	    "controls and overrides are escaped; BMPString becomes UTF-8");
	rc = dn_format(n, buf, 10);
	ok(rc == OR_E_INPUT && buf[0] == '\0',
	    "a buffer too small is refused and left empty");
	X509_NAME_free(n);

	n = X509_NAME_new();
	rc = dn_format(n, buf, sizeof buf);
	ok(rc == OR_OK && buf[0] == '\0', "an empty name formats as \"\"");
	X509_NAME_free(n);
}

int
main(void)
{
	test_forms();
	test_multivalued();
	test_escapes();
	test_types();
	test_refusals();
	test_format();
	return done_testing();
}
