/*
 * names.c — the name checks of the linter (see names.h): every attribute
 * of a name and every DNS, email or URI name of an extension is decoded
 * character by character and refused when a person could misread it.
 *
 * Why each rule exists:
 *  - A NUL inside a commonName ("www.bank.com\0.evil.example") made C
 *    programs that compared with strcmp() accept a certificate for the
 *    wrong name: the null-prefix certificates shown by Moxie Marlinspike
 *    and Dan Kaminsky at Black Hat 2009.  Other control characters move a
 *    terminal's cursor, clear its screen or set its title (ESC [2J,
 *    OSC ... BEL), or end a log line early (CR, LF).
 *  - Bidirectional overrides and isolates show "CA Root" for a name whose
 *    characters are in another order (the "Trojan Source" class of
 *    attack, CVE-2021-42574); zero-width characters and Unicode tags make
 *    two names that look the same differ, and hide text.
 *  - RFC 5280 4.1.2.6: a new certificate encodes DirectoryString as
 *    PrintableString or UTF8String; BMPString, TeletexString and
 *    UniversalString are for old certificates only, and tools decode them
 *    differently.  Appendix A gives the upper bounds, in characters.
 *  - One attribute type twice (two CNs) leaves each program to pick one:
 *    the name the officer read is not the one a client checks.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/asn1.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "names.h"
#include "util.h"

#define NAMES_TEXT	448	/* a lint finding's text */
#define NAMES_SHOW	112	/* bytes of a value quoted in a message */

/* ---- characters ---- */

static const char *const c0_names[32] = {
	"NULL", "START OF HEADING", "START OF TEXT", "END OF TEXT",
	"END OF TRANSMISSION", "ENQUIRY", "ACKNOWLEDGE", "BELL", "BACKSPACE",
	"CHARACTER TABULATION", "LINE FEED", "LINE TABULATION", "FORM FEED",
	"CARRIAGE RETURN", "SHIFT OUT", "SHIFT IN", "DATA LINK ESCAPE",
	"DEVICE CONTROL ONE", "DEVICE CONTROL TWO", "DEVICE CONTROL THREE",
	"DEVICE CONTROL FOUR", "NEGATIVE ACKNOWLEDGE", "SYNCHRONOUS IDLE",
	"END OF TRANSMISSION BLOCK", "CANCEL", "END OF MEDIUM", "SUBSTITUTE",
	"ESCAPE", "INFORMATION SEPARATOR FOUR", "INFORMATION SEPARATOR THREE",
	"INFORMATION SEPARATOR TWO", "INFORMATION SEPARATOR ONE",
};

static const struct {
	unsigned long cp;
	const char *name;
} char_names[] = {
	/* Controls beyond C0. */
	{ 0x7f, "DELETE" },
	{ 0x85, "NEXT LINE" },
	{ 0x90, "DEVICE CONTROL STRING" },
	{ 0x9b, "CONTROL SEQUENCE INTRODUCER" },
	{ 0x9c, "STRING TERMINATOR" },
	{ 0x9d, "OPERATING SYSTEM COMMAND" },
	/* Invisible. */
	{ 0xad, "SOFT HYPHEN" },
	{ 0x34f, "COMBINING GRAPHEME JOINER" },
	{ 0x61c, "ARABIC LETTER MARK" },
	{ 0x180e, "MONGOLIAN VOWEL SEPARATOR" },
	{ 0x200b, "ZERO WIDTH SPACE" },
	{ 0x200c, "ZERO WIDTH NON-JOINER" },
	{ 0x200d, "ZERO WIDTH JOINER" },
	{ 0x200e, "LEFT-TO-RIGHT MARK" },
	{ 0x200f, "RIGHT-TO-LEFT MARK" },
	{ 0x2028, "LINE SEPARATOR" },
	{ 0x2029, "PARAGRAPH SEPARATOR" },
	{ 0x202a, "LEFT-TO-RIGHT EMBEDDING" },
	{ 0x202b, "RIGHT-TO-LEFT EMBEDDING" },
	{ 0x202c, "POP DIRECTIONAL FORMATTING" },
	{ 0x202d, "LEFT-TO-RIGHT OVERRIDE" },
	{ 0x202e, "RIGHT-TO-LEFT OVERRIDE" },
	{ 0x2060, "WORD JOINER" },
	{ 0x2061, "FUNCTION APPLICATION" },
	{ 0x2062, "INVISIBLE TIMES" },
	{ 0x2063, "INVISIBLE SEPARATOR" },
	{ 0x2064, "INVISIBLE PLUS" },
	{ 0x2066, "LEFT-TO-RIGHT ISOLATE" },
	{ 0x2067, "RIGHT-TO-LEFT ISOLATE" },
	{ 0x2068, "FIRST STRONG ISOLATE" },
	{ 0x2069, "POP DIRECTIONAL ISOLATE" },
	{ 0xfeff, "ZERO WIDTH NO-BREAK SPACE" },
	{ 0xe0001, "LANGUAGE TAG" },
	{ 0xe007f, "CANCEL TAG" },
	/* Look-alikes of Latin letters. */
	{ 0x391, "GREEK CAPITAL LETTER ALPHA" },
	{ 0x392, "GREEK CAPITAL LETTER BETA" },
	{ 0x395, "GREEK CAPITAL LETTER EPSILON" },
	{ 0x396, "GREEK CAPITAL LETTER ZETA" },
	{ 0x397, "GREEK CAPITAL LETTER ETA" },
	{ 0x399, "GREEK CAPITAL LETTER IOTA" },
	{ 0x39a, "GREEK CAPITAL LETTER KAPPA" },
	{ 0x39c, "GREEK CAPITAL LETTER MU" },
	{ 0x39d, "GREEK CAPITAL LETTER NU" },
	{ 0x39f, "GREEK CAPITAL LETTER OMICRON" },
	{ 0x3a1, "GREEK CAPITAL LETTER RHO" },
	{ 0x3a4, "GREEK CAPITAL LETTER TAU" },
	{ 0x3a5, "GREEK CAPITAL LETTER UPSILON" },
	{ 0x3a7, "GREEK CAPITAL LETTER CHI" },
	{ 0x3b1, "GREEK SMALL LETTER ALPHA" },
	{ 0x3b9, "GREEK SMALL LETTER IOTA" },
	{ 0x3ba, "GREEK SMALL LETTER KAPPA" },
	{ 0x3bd, "GREEK SMALL LETTER NU" },
	{ 0x3bf, "GREEK SMALL LETTER OMICRON" },
	{ 0x3c1, "GREEK SMALL LETTER RHO" },
	{ 0x3c5, "GREEK SMALL LETTER UPSILON" },
	{ 0x405, "CYRILLIC CAPITAL LETTER DZE" },
	{ 0x406, "CYRILLIC CAPITAL LETTER BYELORUSSIAN-UKRAINIAN I" },
	{ 0x408, "CYRILLIC CAPITAL LETTER JE" },
	{ 0x410, "CYRILLIC CAPITAL LETTER A" },
	{ 0x412, "CYRILLIC CAPITAL LETTER VE" },
	{ 0x415, "CYRILLIC CAPITAL LETTER IE" },
	{ 0x41a, "CYRILLIC CAPITAL LETTER KA" },
	{ 0x41c, "CYRILLIC CAPITAL LETTER EM" },
	{ 0x41d, "CYRILLIC CAPITAL LETTER EN" },
	{ 0x41e, "CYRILLIC CAPITAL LETTER O" },
	{ 0x420, "CYRILLIC CAPITAL LETTER ER" },
	{ 0x421, "CYRILLIC CAPITAL LETTER ES" },
	{ 0x422, "CYRILLIC CAPITAL LETTER TE" },
	{ 0x423, "CYRILLIC CAPITAL LETTER U" },
	{ 0x425, "CYRILLIC CAPITAL LETTER HA" },
	{ 0x430, "CYRILLIC SMALL LETTER A" },
	{ 0x435, "CYRILLIC SMALL LETTER IE" },
	{ 0x43e, "CYRILLIC SMALL LETTER O" },
	{ 0x440, "CYRILLIC SMALL LETTER ER" },
	{ 0x441, "CYRILLIC SMALL LETTER ES" },
	{ 0x443, "CYRILLIC SMALL LETTER U" },
	{ 0x445, "CYRILLIC SMALL LETTER HA" },
	{ 0x455, "CYRILLIC SMALL LETTER DZE" },
	{ 0x456, "CYRILLIC SMALL LETTER BYELORUSSIAN-UKRAINIAN I" },
	{ 0x458, "CYRILLIC SMALL LETTER JE" },
	{ 0x4bb, "CYRILLIC SMALL LETTER SHHA" },
	{ 0x501, "CYRILLIC SMALL LETTER KOMI DE" },
};

enum names_class
names_class(unsigned long cp)
{
	if (cp == 0)
		return NAMES_NUL;
	if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f))
		return NAMES_CONTROL;
	if (cp == 0x61c || cp == 0x200e || cp == 0x200f ||
	    (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069))
		return NAMES_BIDI;
	if (cp == 0xad || cp == 0x34f || cp == 0x180e ||
	    (cp >= 0x200b && cp <= 0x200d) || cp == 0x2028 || cp == 0x2029 ||
	    (cp >= 0x2060 && cp <= 0x2064) || cp == 0xfeff ||
	    (cp >= 0xe0000 && cp <= 0xe007f))
		return NAMES_INVISIBLE;
	return NAMES_OK;
}

const char *
names_char_name(unsigned long cp)
{
	const char *name;
	size_t i;

	if (cp < 0x20)
		return c0_names[cp];
	for (i = 0; i < nitems(char_names); i++)
		if (char_names[i].cp == cp)
			return char_names[i].name;
	if ((cp >= 0x80 && cp <= 0x9f))
		return "C1 CONTROL";
	if ((name = names_nfc_mark_name(cp)) != NULL)
		return name;
	if (cp >= 0xe0000 && cp <= 0xe007f)
		return "TAG CHARACTER";
	return NULL;
}

void
names_char_text(unsigned long cp, char *buf, size_t size)
{
	const char *name = names_char_name(cp);

	if (name != NULL)
		snprintf(buf, size, "U+%04lX %s", cp, name);
	else if (cp > 0x20 && cp < 0x7f)
		snprintf(buf, size, "U+%04lX '%c'", cp, (int)cp);
	else if (cp == 0x20)
		snprintf(buf, size, "U+0020 SPACE");
	else
		snprintf(buf, size, "U+%04lX", cp);
}

size_t
names_utf8(const unsigned char *p, size_t n, unsigned long *cp)
{
	unsigned long c, min;
	size_t i, len;

	if (n == 0)
		return 0;
	if (p[0] < 0x80) {
		*cp = p[0];
		return 1;
	}
	if ((p[0] & 0xe0) == 0xc0) {
		len = 2;
		c = p[0] & 0x1f;
		min = 0x80;
	} else if ((p[0] & 0xf0) == 0xe0) {
		len = 3;
		c = p[0] & 0x0f;
		min = 0x800;
	} else if ((p[0] & 0xf8) == 0xf0) {
		len = 4;
		c = p[0] & 0x07;
		min = 0x10000;
	} else
		return 0;
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (p[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

/* The PrintableString alphabet (X.680 41.4). */
static bool
printable(unsigned long cp)
{
	return (cp >= 'A' && cp <= 'Z') || (cp >= 'a' && cp <= 'z') ||
	    (cp >= '0' && cp <= '9') ||
	    (cp != 0 && cp < 0x80 && strchr(" '()+,-./:=?", (int)cp) != NULL);
}

/* ---- scripts (letters only; enough to see "Vаult" with a Cyrillic а) */

enum script { SC_NONE, SC_LATIN, SC_GREEK, SC_CYRILLIC, SC_N };

static const char *const script_names[SC_N] = {
	"", "Latin", "Greek", "Cyrillic"
};

static enum script
script_of(unsigned long cp)
{
	if ((cp >= 'A' && cp <= 'Z') || (cp >= 'a' && cp <= 'z') ||
	    cp == 0xaa || cp == 0xba ||
	    (cp >= 0xc0 && cp <= 0x2af && cp != 0xd7 && cp != 0xf7) ||
	    (cp >= 0x1e00 && cp <= 0x1eff) || (cp >= 0x2c60 && cp <= 0x2c7f) ||
	    (cp >= 0xa720 && cp <= 0xa7ff) || (cp >= 0xab30 && cp <= 0xab6f) ||
	    (cp >= 0xff21 && cp <= 0xff3a) || (cp >= 0xff41 && cp <= 0xff5a))
		return SC_LATIN;
	if ((cp >= 0x370 && cp <= 0x3ff && cp != 0x374 && cp != 0x375 &&
	    cp != 0x37e && cp != 0x384 && cp != 0x385 && cp != 0x387) ||
	    (cp >= 0x1f00 && cp <= 0x1fff))
		return SC_GREEK;
	if ((cp >= 0x400 && cp <= 0x52f && (cp < 0x482 || cp > 0x489)) ||
	    (cp >= 0x1c80 && cp <= 0x1c8f) || (cp >= 0xa640 && cp <= 0xa69f))
		return SC_CYRILLIC;
	return SC_NONE;
}

/* ---- skeletons: names a person could take for one another ---- */

/*
 * Greek and Cyrillic letters that look like a Latin letter, in either
 * case, with the Latin letter (lower case) a reader takes them for: our
 * own table after the idea of UTS #39's confusables, not its data.
 */
static const struct {
	unsigned short cp;
	char latin;
} lookalikes[] = {
	{ 0x391, 'a' }, { 0x392, 'b' }, { 0x395, 'e' }, { 0x396, 'z' },
	{ 0x397, 'h' }, { 0x399, 'i' }, { 0x39a, 'k' }, { 0x39c, 'm' },
	{ 0x39d, 'n' }, { 0x39f, 'o' }, { 0x3a1, 'p' }, { 0x3a4, 't' },
	{ 0x3a5, 'y' }, { 0x3a7, 'x' }, { 0x3b1, 'a' }, { 0x3b9, 'i' },
	{ 0x3ba, 'k' }, { 0x3bd, 'v' }, { 0x3bf, 'o' }, { 0x3c1, 'p' },
	{ 0x3c5, 'u' }, { 0x3c7, 'x' },
	{ 0x405, 's' }, { 0x406, 'i' }, { 0x408, 'j' }, { 0x410, 'a' },
	{ 0x412, 'b' }, { 0x415, 'e' }, { 0x41a, 'k' }, { 0x41c, 'm' },
	{ 0x41d, 'h' }, { 0x41e, 'o' }, { 0x420, 'p' }, { 0x421, 'c' },
	{ 0x422, 't' }, { 0x423, 'y' }, { 0x425, 'x' }, { 0x430, 'a' },
	{ 0x432, 'b' }, { 0x435, 'e' }, { 0x43a, 'k' }, { 0x43c, 'm' },
	{ 0x43d, 'h' }, { 0x43e, 'o' }, { 0x440, 'p' }, { 0x441, 'c' },
	{ 0x442, 't' }, { 0x443, 'y' }, { 0x445, 'x' }, { 0x455, 's' },
	{ 0x456, 'i' }, { 0x458, 'j' }, { 0x4bb, 'h' }, { 0x501, 'd' },
};

/* What cp reads as: a Latin look-alike, a digit read as a letter, or the
 * lower case of a Latin, Greek or Cyrillic capital. */
static unsigned long
skeleton_char(unsigned long cp)
{
	size_t i;

	for (i = 0; i < nitems(lookalikes); i++)
		if (lookalikes[i].cp == cp)
			return (unsigned long)lookalikes[i].latin;
	if (cp >= 'A' && cp <= 'Z')
		return cp + 0x20;
	if (cp == '0')
		return 'o';
	if (cp == '1')
		return 'l';
	if ((cp >= 0xff21 && cp <= 0xff3a) || (cp >= 0xff41 && cp <= 0xff5a))
		return 'a' + (cp - (cp >= 0xff41 ? 0xff41 : 0xff21));
	if ((cp >= 0xc0 && cp <= 0xde && cp != 0xd7) ||
	    (cp >= 0x391 && cp <= 0x3a9) || (cp >= 0x410 && cp <= 0x42f))
		return cp + 0x20;
	if (cp >= 0x400 && cp <= 0x40f)
		return cp + 0x50;
	return cp;
}

static bool
skeleton_put(char *out, size_t size, size_t *used, unsigned long cp)
{
	unsigned char b[4];
	size_t n;

	if (cp < 0x80) {
		b[0] = (unsigned char)cp;
		n = 1;
	} else if (cp < 0x800) {
		b[0] = (unsigned char)(0xc0 | cp >> 6);
		b[1] = (unsigned char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		b[0] = (unsigned char)(0xe0 | cp >> 12);
		b[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
		b[2] = (unsigned char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		b[0] = (unsigned char)(0xf0 | cp >> 18);
		b[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3f));
		b[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
		b[3] = (unsigned char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	if (*used + n >= size)
		return false;
	memcpy(out + *used, b, n);
	*used += n;
	out[*used] = '\0';
	return true;
}

bool
names_skeleton(const char *text, char *out, size_t size)
{
	const unsigned char *p = (const unsigned char *)text;
	size_t n = strlen(text), i = 0, k, used = 0;
	unsigned long cp;

	if (size == 0)
		return false;
	out[0] = '\0';
	while (i < n) {
		if ((k = names_utf8(p + i, n - i, &cp)) == 0) {
			cp = p[i];	/* not UTF-8: the byte as it is */
			k = 1;
		}
		i += k;
		/* Whitespace, and the backslash dn_format puts before a
		 * leading or trailing space, do not count. */
		if (cp == ' ' || cp == '\t' || cp == 0xa0 ||
		    (cp == '\\' && i < n && p[i] == ' '))
			continue;
		if (!skeleton_put(out, size, &used, skeleton_char(cp)))
			return false;
	}
	return true;
}

/* ---- decoding a value, one character at a time ---- */

struct cpiter {
	const unsigned char *p;
	size_t n;
	size_t off;		/* byte offset of the next character */
	int type;		/* V_ASN1_... */
};

/* 1 with *cp; 0 at the end; -1 for an invalid character at it->off. */
static int
cp_next(struct cpiter *it, unsigned long *cp)
{
	const unsigned char *p = it->p + it->off;
	size_t left = it->n - it->off, k;

	if (left == 0)
		return 0;
	switch (it->type) {
	case V_ASN1_UTF8STRING:
		if ((k = names_utf8(p, left, cp)) == 0)
			return -1;
		it->off += k;
		return 1;
	case V_ASN1_BMPSTRING:
		if (left < 2)
			return -1;
		*cp = (unsigned long)p[0] << 8 | p[1];
		if (*cp >= 0xd800 && *cp <= 0xdfff)
			return -1;
		it->off += 2;
		return 1;
	case V_ASN1_UNIVERSALSTRING:
		if (left < 4)
			return -1;
		*cp = (unsigned long)p[0] << 24 | (unsigned long)p[1] << 16 |
		    (unsigned long)p[2] << 8 | p[3];
		if (*cp > 0x10ffff || (*cp >= 0xd800 && *cp <= 0xdfff))
			return -1;
		it->off += 4;
		return 1;
	case V_ASN1_T61STRING:
		/* Read as Latin-1, as OpenSSL shows it. */
		*cp = p[0];
		it->off++;
		return 1;
	default:
		/* PrintableString, IA5String, VisibleString, NumericString:
		 * seven-bit. */
		if (p[0] >= 0x80)
			return -1;
		*cp = p[0];
		it->off++;
		return 1;
	}
}

static bool
is_char_string(int type)
{
	switch (type) {
	case V_ASN1_UTF8STRING:
	case V_ASN1_PRINTABLESTRING:
	case V_ASN1_IA5STRING:
	case V_ASN1_VISIBLESTRING:
	case V_ASN1_NUMERICSTRING:
	case V_ASN1_T61STRING:
	case V_ASN1_BMPSTRING:
	case V_ASN1_UNIVERSALSTRING:
		return true;
	default:
		return false;
	}
}

static const char *
type_name(int type)
{
	switch (type) {
	case V_ASN1_UTF8STRING:
		return "UTF8String";
	case V_ASN1_PRINTABLESTRING:
		return "PrintableString";
	case V_ASN1_IA5STRING:
		return "IA5String";
	case V_ASN1_VISIBLESTRING:
		return "VisibleString";
	case V_ASN1_NUMERICSTRING:
		return "NumericString";
	case V_ASN1_T61STRING:
		return "TeletexString";
	case V_ASN1_BMPSTRING:
		return "BMPString";
	case V_ASN1_UNIVERSALSTRING:
		return "UniversalString";
	default:
		return "value that is not a character string";
	}
}

/* ---- reporting ---- */

struct nchk {
	names_report_fn *report;
	void *ctx;
};

static void __attribute__((format(printf, 4, 5)))
say(const struct nchk *c, enum lint_level level, const char *code,
    const char *fmt, ...)
{
	char text[NAMES_TEXT];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	c->report(c->ctx, level, code, text);
}

/* Appends n bytes to out (size bytes) at *used unless they do not fit
 * with room for "..." after them; then sets *full. */
static void
put(char *out, size_t size, size_t *used, bool *full, const char *s,
    size_t n)
{
	if (*full)
		return;
	if (*used + n + 4 > size) {
		memcpy(out + *used, "...", 3);
		*used += 3;
		out[*used] = '\0';
		*full = true;
		return;
	}
	memcpy(out + *used, s, n);
	*used += n;
	out[*used] = '\0';
}

/*
 * The value for a message: printable ASCII as it is (" and \ escaped),
 * Latin, Greek and Cyrillic letters as they are, but those not of script
 * keep (SC_NONE: none) marked as "[а: CYRILLIC SMALL LETTER A]"; anything
 * else as "[U+XXXX]" or "[U+XXXX NAME]".
 */
static void
show_cp(unsigned long cp, bool marked, char *out, size_t size, size_t *used,
    bool *full)
{
	char piece[96], ch[8];
	const char *name;
	size_t start = 0;

	if (cp >= 0x20 && cp < 0x7f && !marked) {
		if (cp == '"' || cp == '\\')
			piece[start++] = '\\';
		piece[start++] = (char)cp;
		put(out, size, used, full, piece, start);
		return;
	}
	if (script_of(cp) != SC_NONE && names_class(cp) == NAMES_OK) {
		/* Re-encode as UTF-8: the value may be BMP. */
		if (cp < 0x80) {
			ch[0] = (char)cp;
			ch[1] = '\0';
		} else if (cp < 0x800) {
			ch[0] = (char)(0xc0 | cp >> 6);
			ch[1] = (char)(0x80 | (cp & 0x3f));
			ch[2] = '\0';
		} else {
			ch[0] = (char)(0xe0 | cp >> 12);
			ch[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
			ch[2] = (char)(0x80 | (cp & 0x3f));
			ch[3] = '\0';
		}
		if (!marked) {
			put(out, size, used, full, ch, strlen(ch));
			return;
		}
		name = names_char_name(cp);
		if (name != NULL)
			snprintf(piece, sizeof piece, "[%s: %s]", ch, name);
		else
			snprintf(piece, sizeof piece, "[%s: U+%04lX]", ch, cp);
	} else {
		snprintf(piece, sizeof piece, "[");
		names_char_text(cp, piece + 1, sizeof piece - 2);
		strcat(piece, "]");
	}
	put(out, size, used, full, piece, strlen(piece));
}

static void
show_value(const ASN1_STRING *s, enum script keep, char *out, size_t size)
{
	struct cpiter it = { ASN1_STRING_get0_data(s),
	    (size_t)ASN1_STRING_length(s), 0, ASN1_STRING_type(s) };
	unsigned long cp;
	size_t used = 0;
	bool full = false;
	int r;

	out[0] = '\0';
	while (!full && (r = cp_next(&it, &cp)) != 0) {
		if (r < 0) {
			put(out, size, &used, &full, "[invalid]", 9);
			break;
		}
		show_cp(cp, keep != SC_NONE && script_of(cp) != SC_NONE &&
		    script_of(cp) != keep, out, size, &used, &full);
	}
}

/*
 * The value as runs of one script each, each named: 'Latin "V", Cyrillic
 * "а", Latin "ult Intermediate"'.  A character of no script (a space, a
 * digit) belongs to the run it is in, or to the first letter's run.
 */
static void
show_runs(const ASN1_STRING *s, char *out, size_t size)
{
	struct cpiter it = { ASN1_STRING_get0_data(s),
	    (size_t)ASN1_STRING_length(s), 0, ASN1_STRING_type(s) };
	unsigned long cp;
	enum script run = SC_NONE, sc;
	size_t used = 0;
	bool full = false;
	char head[24];
	int r;

	out[0] = '\0';
	/* The first letter's script names the run that starts the value. */
	while ((r = cp_next(&it, &cp)) > 0 && (run = script_of(cp)) == SC_NONE)
		;
	if (run == SC_NONE)
		return;
	it.off = 0;
	snprintf(head, sizeof head, "%s \"", script_names[run]);
	put(out, size, &used, &full, head, strlen(head));
	while (!full && (r = cp_next(&it, &cp)) != 0) {
		if (r < 0) {
			put(out, size, &used, &full, "[invalid]", 9);
			break;
		}
		if ((sc = script_of(cp)) != SC_NONE && sc != run) {
			run = sc;
			snprintf(head, sizeof head, "\", %s \"",
			    script_names[run]);
			put(out, size, &used, &full, head, strlen(head));
		}
		show_cp(cp, false, out, size, &used, &full);
	}
	put(out, size, &used, &full, "\"", 1);
}

/* ---- text for a terminal ---- */

size_t
names_escape_text(const char *in, bool keep_newlines, char *out,
    size_t size)
{
	const unsigned char *p = (const unsigned char *)in;
	size_t n = strlen(in), i = 0, k, used = 0, changed = 0;
	bool full = false;
	unsigned long cp;
	char piece[96];

	if (size == 0)
		return 0;
	out[0] = '\0';
	while (i < n && !full) {
		if ((k = names_utf8(p + i, n - i, &cp)) == 0) {
			snprintf(piece, sizeof piece, "[0x%02X]", p[i]);
			k = 1;
		} else if (names_class(cp) == NAMES_OK ||
		    (keep_newlines && (cp == '\n' || cp == '\t'))) {
			put(out, size, &used, &full, in + i, k);
			i += k;
			continue;
		} else {
			piece[0] = '[';
			names_char_text(cp, piece + 1, sizeof piece - 2);
			strcat(piece, "]");
		}
		changed++;
		put(out, size, &used, &full, piece, strlen(piece));
		i += k;
	}
	return changed;
}

char *
names_escape_dup(const char *in, bool keep_newlines)
{
	size_t n = strlen(in), size;
	char *out;

	/* At most "[U+XXXXX " and a name of under 48 bytes, and "]", for
	 * each byte. */
	if (n > (SIZE_MAX - 1) / 64)
		return NULL;
	size = n * 64 + 1;
	if ((out = malloc(size)) == NULL)
		return NULL;
	names_escape_text(in, keep_newlines, out, size);
	return out;
}

/* ---- one value ---- */

enum syntax {
	SYN_ANY,		/* an attribute offroot has no rule for */
	SYN_DIRSTR,		/* DirectoryString */
	SYN_PRINTABLE,		/* PrintableString only */
	SYN_IA5,		/* IA5String */
	SYN_COUNTRY,		/* two letters, PrintableString */
};

/* RFC 5280 Appendix A (and X.520 or the EV Guidelines where noted). */
static const struct attr_rule {
	int nid;
	enum syntax syntax;
	long ub;		/* characters; 0: no bound */
	const char *ubname;
} attr_rules[] = {
	{ NID_commonName, SYN_DIRSTR, 64, "ub-common-name" },
	{ NID_organizationName, SYN_DIRSTR, 64, "ub-organization-name" },
	{ NID_organizationalUnitName, SYN_DIRSTR, 64,
	    "ub-organizational-unit-name" },
	{ NID_localityName, SYN_DIRSTR, 128, "ub-locality-name" },
	{ NID_stateOrProvinceName, SYN_DIRSTR, 128, "ub-state-name" },
	{ NID_title, SYN_DIRSTR, 64, "ub-title" },
	{ NID_pseudonym, SYN_DIRSTR, 128, "ub-pseudonym" },
	{ NID_name, SYN_DIRSTR, 32768, "ub-name" },
	{ NID_givenName, SYN_DIRSTR, 32768, "ub-name" },
	{ NID_surname, SYN_DIRSTR, 32768, "ub-name" },
	{ NID_initials, SYN_DIRSTR, 32768, "ub-name" },
	{ NID_generationQualifier, SYN_DIRSTR, 32768, "ub-name" },
	{ NID_streetAddress, SYN_DIRSTR, 128, "X.520 ub-street-address" },
	{ NID_postalCode, SYN_DIRSTR, 40, "X.520 ub-postal-code" },
	{ NID_businessCategory, SYN_DIRSTR, 128,
	    "X.520 ub-business-category" },
	{ NID_jurisdictionLocalityName, SYN_DIRSTR, 128, "ub-locality-name" },
	{ NID_jurisdictionStateOrProvinceName, SYN_DIRSTR, 128,
	    "ub-state-name" },
	{ NID_organizationIdentifier, SYN_DIRSTR, 0, NULL },
	{ NID_serialNumber, SYN_PRINTABLE, 64, "ub-serial-number" },
	{ NID_dnQualifier, SYN_PRINTABLE, 0, NULL },
	{ NID_countryName, SYN_COUNTRY, 2, "ub-country-name-alpha-length" },
	{ NID_jurisdictionCountryName, SYN_COUNTRY, 2,
	    "ub-country-name-alpha-length" },
	{ NID_pkcs9_emailAddress, SYN_IA5, 255, "ub-emailaddress-length" },
	{ NID_domainComponent, SYN_IA5, 0, NULL },
};

static const struct attr_rule *
attr_rule(int nid)
{
	static const struct attr_rule any = { NID_undef, SYN_ANY, 0, NULL };
	size_t i;

	for (i = 0; i < nitems(attr_rules); i++)
		if (attr_rules[i].nid == nid)
			return &attr_rules[i];
	return &any;
}

/*
 * Whether cp (at 1-based position pos, after prev) shows the value is not
 * in NFC (names-nfc.c's tables); reported once.
 */
static bool
check_nfc(const struct nchk *c, const char *where, unsigned long prev,
    unsigned long cp, size_t pos)
{
	char a[96], b[96], to[96];
	unsigned long n;

	if (pos > 1 && (n = names_nfc_compose(prev, cp)) != 0) {
		names_char_text(prev, a, sizeof a);
		names_char_text(cp, b, sizeof b);
		names_char_text(n, to, sizeof to);
		say(c, LINT_ERROR, "e_name_not_nfc", "%s: %s then %s at "
		    "position %zu is not Unicode NFC: write %s", where, a, b,
		    pos, to);
		return true;
	}
	if ((n = names_nfc_singleton(cp)) != 0) {
		names_char_text(cp, a, sizeof a);
		names_char_text(n, to, sizeof to);
		say(c, LINT_ERROR, "e_name_not_nfc", "%s: %s at position %zu "
		    "is not Unicode NFC: write %s", where, a, pos, to);
		return true;
	}
	return false;
}

struct scan {
	size_t chars;		/* characters, when valid */
	bool valid;		/* every character decoded */
};

/*
 * The warning for a value whose letters are of several scripts (letters:
 * how many of each; first: the scripts in the order first seen).  The
 * letters not of the most used script (the first seen on a tie) are
 * marked: "V[а: CYRILLIC SMALL LETTER A]ult".
 */
static void
warn_mixed(const struct nchk *c, const ASN1_STRING *s, const char *where,
    const unsigned letters[SC_N], const enum script first[SC_N],
    size_t nscripts)
{
	char shown[NAMES_SHOW], runs[2 * NAMES_SHOW], list[40];
	enum script sc, top;
	size_t i;

	for (i = 1, top = first[0]; i < nscripts; i++)
		if (letters[first[i]] > letters[top])
			top = first[i];
	/* The scripts of the value, Latin first. */
	list[0] = '\0';
	for (sc = SC_LATIN; sc < SC_N; sc++) {
		if (letters[sc] == 0)
			continue;
		for (i = sc + 1; i < SC_N && letters[i] == 0; i++)
			;
		snprintf(list + strlen(list), sizeof list - strlen(list),
		    "%s%s", list[0] == '\0' ? "" : i < SC_N ? ", " : " and ",
		    script_names[sc]);
	}
	show_value(s, top, shown, sizeof shown);
	show_runs(s, runs, sizeof runs);
	say(c, LINT_WARN, "w_name_mixed_scripts", "%s mixes %s: \"%s\" "
	    "(runs: %s)", where, list, shown, runs);
}

/*
 * The character checks of one string: control, bidirectional, invisible,
 * invalid encoding; PrintableString's alphabet and NFC when strict.  At
 * most one finding per kind.  Then the scripts of its letters (when
 * warn_scripts).
 */
static void
scan_string(const struct nchk *c, const ASN1_STRING *s, const char *where,
    bool strict, bool warn_scripts, struct scan *out)
{
	struct cpiter it = { ASN1_STRING_get0_data(s),
	    (size_t)ASN1_STRING_length(s), 0, ASN1_STRING_type(s) };
	unsigned long cp, prev = 0;
	unsigned letters[SC_N] = { 0 };
	enum script sc, first[SC_N];
	size_t pos = 0, nscripts = 0;
	bool seen[NAMES_INVISIBLE + 1] = { false }, charset = false, nfc = false;
	char ch[96];
	enum names_class cl;
	int r;

	out->chars = 0;
	out->valid = false;
	if (it.p == NULL && it.n > 0)
		return;
	while ((r = cp_next(&it, &cp)) != 0) {
		if (r < 0) {
			say(c, LINT_ERROR, "e_name_invalid_encoding", "%s: "
			    "invalid %s at position %zu (byte 0x%02X at "
			    "offset %zu)%s", where, it.type ==
			    V_ASN1_UTF8STRING ? "UTF-8" :
			    type_name(it.type), pos + 1, it.p[it.off], it.off,
			    it.type == V_ASN1_UTF8STRING ? ": truncated, "
			    "overlong, a surrogate or beyond U+10FFFF" : "");
			return;
		}
		pos++;
		cl = names_class(cp);
		if (cl != NAMES_OK && !seen[cl]) {
			seen[cl] = true;
			names_char_text(cp, ch, sizeof ch);
			switch (cl) {
			case NAMES_NUL:
				say(c, LINT_ERROR, "e_name_nul_character", "%s: "
				    "%s at position %zu: C code reads the name "
				    "as ending there (the null-prefix "
				    "certificates, Marlinspike and Kaminsky, "
				    "2009)", where, ch, pos);
				break;
			case NAMES_CONTROL:
				say(c, LINT_ERROR, "e_name_control_character",
				    "%s: %s at position %zu: a control "
				    "character, which a terminal or log obeys or "
				    "drops", where, ch, pos);
				break;
			case NAMES_BIDI:
				say(c, LINT_ERROR, "e_name_bidi_control", "%s: "
				    "%s at position %zu: it changes the order "
				    "in which the name is shown", where, ch,
				    pos);
				break;
			default:
				say(c, LINT_ERROR, "e_name_invisible_character",
				    "%s: %s at position %zu: an invisible "
				    "character", where, ch, pos);
				break;
			}
		}
		if (strict && cl == NAMES_OK && !charset &&
		    it.type == V_ASN1_PRINTABLESTRING && !printable(cp)) {
			charset = true;
			names_char_text(cp, ch, sizeof ch);
			say(c, LINT_ERROR, "e_name_printable_charset", "%s: %s "
			    "at position %zu is not in the PrintableString "
			    "alphabet (A-Z a-z 0-9 space '()+,-./:=?)", where,
			    ch, pos);
		}
		if (strict && !nfc && cl == NAMES_OK)
			nfc = check_nfc(c, where, prev, cp, pos);
		prev = cp;
		if ((sc = script_of(cp)) != SC_NONE && letters[sc]++ == 0)
			first[nscripts++] = sc;
	}
	out->chars = pos;
	out->valid = true;
	if (warn_scripts && nscripts >= 2)
		warn_mixed(c, s, where, letters, first, nscripts);
}

/* One attribute value of a name. */
static void
check_value(const struct nchk *c, const ASN1_OBJECT *obj,
    const ASN1_STRING *s, const char *where, bool chars_only)
{
	const struct attr_rule *rule = attr_rule(OBJ_obj2nid(obj));
	const unsigned char *d = ASN1_STRING_get0_data(s);
	int type = ASN1_STRING_type(s), len = ASN1_STRING_length(s);
	struct scan sc;
	char shown[48];

	if (!is_char_string(type)) {
		say(c, LINT_ERROR, "e_name_string_type", "%s is a %s (ASN.1 "
		    "tag %d)", where, type_name(type), type);
		return;
	}
	scan_string(c, s, where, !chars_only, !chars_only, &sc);
	if (chars_only)
		return;
	switch (rule->syntax) {
	case SYN_DIRSTR:
		if (type != V_ASN1_PRINTABLESTRING &&
		    type != V_ASN1_UTF8STRING)
			say(c, LINT_ERROR, "e_name_string_type", "%s is a %s; "
			    "a new certificate uses PrintableString or "
			    "UTF8String (RFC 5280 4.1.2.6)", where,
			    type_name(type));
		break;
	case SYN_PRINTABLE:
	case SYN_COUNTRY:
		if (type != V_ASN1_PRINTABLESTRING)
			say(c, LINT_ERROR, "e_name_string_type", "%s is a %s; "
			    "RFC 5280 makes it a PrintableString", where,
			    type_name(type));
		break;
	case SYN_IA5:
		if (type != V_ASN1_IA5STRING)
			say(c, LINT_ERROR, "e_name_string_type", "%s is a %s; "
			    "it is an IA5String", where, type_name(type));
		break;
	default:
		if (type == V_ASN1_T61STRING || type == V_ASN1_BMPSTRING ||
		    type == V_ASN1_UNIVERSALSTRING)
			say(c, LINT_ERROR, "e_name_string_type", "%s is a %s; "
			    "a new certificate uses PrintableString or "
			    "UTF8String (RFC 5280 4.1.2.6)", where,
			    type_name(type));
		break;
	}
	if (len == 0) {
		say(c, LINT_ERROR, "e_name_value_empty", "%s is empty", where);
		return;
	}
	if (rule->syntax == SYN_COUNTRY) {
		if (len != 2 || d[0] < 'A' || d[0] > 'Z' || d[1] < 'A' ||
		    d[1] > 'Z') {
			show_value(s, SC_NONE, shown, sizeof shown);
			say(c, LINT_ERROR, "e_name_country_invalid", "%s must be "
			    "two upper-case letters A-Z (ISO 3166), not \"%s\"",
			    where, shown);
		}
		return;
	}
	if (sc.valid && rule->ub > 0 && sc.chars > (size_t)rule->ub)
		say(c, LINT_ERROR, "e_name_too_long", "%s is %zu characters "
		    "long; RFC 5280 allows %ld (%s)", where, sc.chars, rule->ub,
		    rule->ubname);
}

/* "CN", or the dotted OID of an attribute OpenSSL has no name for. */
static void
attr_label(const ASN1_OBJECT *obj, char *buf, size_t size)
{
	int nid = OBJ_obj2nid(obj);

	if (nid != NID_undef && OBJ_nid2sn(nid) != NULL)
		snprintf(buf, size, "%s", OBJ_nid2sn(nid));
	else if (OBJ_obj2txt(buf, (int)size, obj, 1) <= 0)
		snprintf(buf, size, "an attribute");
}

static bool
repeatable(const struct names_policy *p, int nid)
{
	static const int dflt[] = {
		NID_organizationalUnitName, NID_domainComponent, NID_undef
	};
	const int *r = p != NULL && p->repeatable != NULL ? p->repeatable :
	    dflt;

	for (; *r != NID_undef; r++)
		if (*r == nid)
			return true;
	return false;
}

void
names_check_name(const X509_NAME *name, const char *where,
    const struct names_policy *policy, names_report_fn *report, void *ctx)
{
	struct nchk c = { report, ctx };
	const X509_NAME_ENTRY *e, *f;
	const ASN1_OBJECT *obj;
	char label[80], at[256], parts[80];
	bool chars_only = policy != NULL && policy->chars_only;
	int i, j, n, set, lastset = -1, earlier, inrdn;

	if (name == NULL)
		return;
	n = X509_NAME_entry_count(name);
	for (i = 0; i < n; i++) {
		e = X509_NAME_get_entry(name, i);
		obj = X509_NAME_ENTRY_get_object(e);
		attr_label(obj, label, sizeof label);
		snprintf(at, sizeof at, "%s %s", where, label);
		check_value(&c, obj, X509_NAME_ENTRY_get_data(e), at,
		    chars_only);
		if (chars_only)
			continue;
		/* The same type again (reported at its second place). */
		for (j = 0, earlier = 0; j < i; j++) {
			f = X509_NAME_get_entry(name, j);
			if (OBJ_cmp(X509_NAME_ENTRY_get_object(f), obj) == 0)
				earlier++;
		}
		if (earlier == 1 && !repeatable(policy, OBJ_obj2nid(obj)))
			say(&c, LINT_ERROR, "e_name_attribute_repeated", "%s "
			    "has %s more than once: each program would pick "
			    "its own", where, label);
		/* A multi-valued RDN (reported at its first entry). */
		set = X509_NAME_ENTRY_set(e);
		if (set == lastset || (policy != NULL &&
		    policy->allow_multi_valued))
			continue;
		lastset = set;
		parts[0] = '\0';
		for (j = i, inrdn = 0; j < n && X509_NAME_ENTRY_set(
		    X509_NAME_get_entry(name, j)) == set; j++, inrdn++) {
			attr_label(X509_NAME_ENTRY_get_object(
			    X509_NAME_get_entry(name, j)), label,
			    sizeof label);
			if (strlen(parts) + strlen(label) + 2 > sizeof parts)
				continue;
			if (inrdn > 0)
				strcat(parts, "+");
			strcat(parts, label);
		}
		if (inrdn > 1)
			say(&c, LINT_ERROR, "e_name_multi_valued_rdn", "%s: RDN "
			    "%d holds %d attributes (%s); write one attribute "
			    "per RDN", where, set + 1, inrdn, parts);
	}
}

/* One general name: its IA5 text, or a directory name. */
static void
check_general_name(const struct nchk *c, const GENERAL_NAME *g,
    const char *where, int index)
{
	const ASN1_STRING *s = NULL;
	const char *kind = NULL;
	char at[256];
	struct scan sc;

	if (g == NULL)
		return;
	switch (g->type) {
	case GEN_DNS:
		s = g->d.dNSName;
		kind = "DNS name";
		break;
	case GEN_EMAIL:
		s = g->d.rfc822Name;
		kind = "email address";
		break;
	case GEN_URI:
		s = g->d.uniformResourceIdentifier;
		kind = "URI";
		break;
	case GEN_DIRNAME:
		snprintf(at, sizeof at, "%s directory name %d", where, index);
		names_check_name(g->d.directoryName, at, NULL, c->report,
		    c->ctx);
		return;
	default:
		return;
	}
	if (s == NULL)
		return;
	snprintf(at, sizeof at, "%s %s %d", where, kind, index);
	/* IA5String: seven-bit, so a bidi or invisible character shows as
	 * invalid encoding. */
	scan_string(c, s, at, false, false, &sc);
}

void
names_check_general_names(const GENERAL_NAMES *gens, const char *where,
    names_report_fn *report, void *ctx)
{
	struct nchk c = { report, ctx };
	int i;

	for (i = 0; i < sk_GENERAL_NAME_num(gens); i++)
		check_general_name(&c, sk_GENERAL_NAME_value(gens, i), where,
		    i + 1);
}

static void
check_subtrees(const struct nchk *c, STACK_OF(GENERAL_SUBTREE) *st,
    const char *where)
{
	int i;

	for (i = 0; i < sk_GENERAL_SUBTREE_num(st); i++)
		check_general_name(c, sk_GENERAL_SUBTREE_value(st, i)->base,
		    where, i + 1);
}

void
names_check_extensions(X509 *cert, names_report_fn *report, void *ctx)
{
	struct nchk c = { report, ctx };
	GENERAL_NAMES *gens;
	NAME_CONSTRAINTS *nc;
	STACK_OF(DIST_POINT) *dps;
	AUTHORITY_INFO_ACCESS *aia;
	DIST_POINT *dp;
	ACCESS_DESCRIPTION *ad;
	int i;

	/* An undecodable extension is e_ext_undecodable's business. */
	ERR_set_mark();
	if ((gens = X509_get_ext_d2i(cert, NID_subject_alt_name, NULL,
	    NULL)) != NULL) {
		names_check_general_names(gens, "subjectAltName", report, ctx);
		GENERAL_NAMES_free(gens);
	}
	if ((gens = X509_get_ext_d2i(cert, NID_issuer_alt_name, NULL,
	    NULL)) != NULL) {
		names_check_general_names(gens, "issuerAltName", report, ctx);
		GENERAL_NAMES_free(gens);
	}
	if ((nc = X509_get_ext_d2i(cert, NID_name_constraints, NULL,
	    NULL)) != NULL) {
		check_subtrees(&c, nc->permittedSubtrees,
		    "nameConstraints permitted");
		check_subtrees(&c, nc->excludedSubtrees,
		    "nameConstraints excluded");
		NAME_CONSTRAINTS_free(nc);
	}
	if ((dps = X509_get_ext_d2i(cert, NID_crl_distribution_points, NULL,
	    NULL)) != NULL) {
		for (i = 0; i < sk_DIST_POINT_num(dps); i++) {
			dp = sk_DIST_POINT_value(dps, i);
			if (dp->distpoint != NULL && dp->distpoint->type == 0)
				names_check_general_names(
				    dp->distpoint->name.fullname,
				    "crlDistributionPoints", report, ctx);
			if (dp->CRLissuer != NULL)
				names_check_general_names(dp->CRLissuer,
				    "crlDistributionPoints cRLIssuer", report,
				    ctx);
		}
		sk_DIST_POINT_pop_free(dps, DIST_POINT_free);
	}
	if ((aia = X509_get_ext_d2i(cert, NID_info_access, NULL, NULL)) !=
	    NULL) {
		for (i = 0; i < sk_ACCESS_DESCRIPTION_num(aia); i++) {
			ad = sk_ACCESS_DESCRIPTION_value(aia, i);
			check_general_name(&c, ad->location,
			    "authorityInfoAccess", i + 1);
		}
		AUTHORITY_INFO_ACCESS_free(aia);
	}
	ERR_pop_to_mark();
}
