/*
 * names.h — names a person can trust: the checks the linter runs on every
 * distinguished name and general name before the root certifies it, and
 * the character classes and names its messages (and dn.c) share.
 *
 * A name is refused (a lint error) when a person could misread it or a
 * program could be misled by it: control characters (C0, DEL, C1; a NUL
 * is the null-prefix trick of 2009), bidirectional controls and marks,
 * zero-width and other invisible characters, Unicode tags; invalid UTF-8,
 * string types RFC 5280 4.1.2.6 rules out for a new certificate
 * (BMPString, TeletexString, UniversalString), PrintableString characters
 * outside its alphabet, a countryName that is not two letters A-Z; values
 * longer than RFC 5280's upper bounds (counted in characters) or empty;
 * the same attribute type twice (but OU and DC); a multi-valued RDN.
 * Text not in Unicode NFC is refused in a new subject, as far as
 * names-nfc.c sees it (a Latin, Greek or Cyrillic letter written as base
 * letter and combining mark; a character NFC replaces, such as U+212B
 * ANGSTROM SIGN): two encodings of one look are two names.
 * Letters of Latin, Greek and Cyrillic mixed in one value are a warning
 * that needs an explicit override to sign (interact_override).
 *
 * Every message names the place ("subject CN"), the character as U+XXXX
 * with its name, and its 1-based position in characters.  A message never
 * holds a character of the name that could move the cursor, hide, or
 * reorder the text around it.
 */
#ifndef OFFROOT_NAMES_H
#define OFFROOT_NAMES_H

#include <stdbool.h>
#include <stddef.h>

#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "lint.h"

/* What a code point is, to a reader of names. */
enum names_class {
	NAMES_OK,		/* an ordinary visible character */
	NAMES_NUL,		/* U+0000 */
	NAMES_CONTROL,		/* C0 but NUL, DEL, C1 */
	NAMES_BIDI,		/* embeddings, overrides, isolates, marks */
	NAMES_INVISIBLE,	/* zero-width, soft hyphen, BOM, tags, ... */
};

enum names_class names_class(unsigned long cp);
/* The Unicode name of a character offroot refuses or maps as a look-alike
 * ("RIGHT-TO-LEFT OVERRIDE", "CYRILLIC SMALL LETTER A"); NULL when it has
 * none in its table. */
const char *names_char_name(unsigned long cp);
/* "U+202E RIGHT-TO-LEFT OVERRIDE", or "U+4E2D" without a name. */
void names_char_text(unsigned long cp, char *buf, size_t size);

/*
 * Strict UTF-8: the length of the sequence at p (at most n bytes) and its
 * code point in *cp; 0 for an invalid, overlong, surrogate, beyond
 * U+10FFFF or truncated sequence.
 */
size_t names_utf8(const unsigned char *p, size_t n, unsigned long *cp);

/*
 * Text for a terminal or a log, the one way offroot shows what came from
 * outside (a file name, a message quoting one) when it is not a name
 * dn_format already escaped: kept as it is, but for a control,
 * bidirectional or invisible character, shown as "[U+202E RIGHT-TO-LEFT
 * OVERRIDE]", and a byte that is not UTF-8, shown as "[0xC0]"; newlines
 * and tabs kept when keep_newlines.  Cut with "..." when it does not fit
 * in size bytes.  Returns how many characters it escaped.
 * names_escape_dup: the same in a malloc'ed string that always fits
 * (NULL: out of memory).
 */
size_t names_escape_text(const char *in, bool keep_newlines, char *out,
    size_t size);
char *names_escape_dup(const char *in, bool keep_newlines);

/*
 * Unicode NFC, as far as names-nfc.c's tables go: the letter NFC makes of
 * base followed by the combining mark (0: none, or not in the tables:
 * the letters of Latin, Greek and Cyrillic below U+0500 and Latin
 * Extended Additional); the character NFC puts for cp (0: cp itself); a
 * combining mark's Unicode name (NULL: not one of the tables').
 */
unsigned long names_nfc_compose(unsigned long base, unsigned long mark);
unsigned long names_nfc_singleton(unsigned long cp);
const char *names_nfc_mark_name(unsigned long cp);

/*
 * The skeleton of a name's text (UTF-8, dn_format's form) into out, for
 * telling whether a person could take two names for one another: equal
 * skeletons, different texts.  Letters are lower-cased (Latin, Greek,
 * Cyrillic), whitespace is dropped, 0 and 1 read as o and l, fullwidth
 * Latin as Latin, and the Greek and Cyrillic look-alikes of Latin letters
 * (names.c's own table, after the idea of UTS #39; not its data) as the
 * Latin letter.  false when it does not fit in size bytes.
 */
bool names_skeleton(const char *text, char *out, size_t size);

/* Which checks to run on a name, and what a profile allows. */
struct names_policy {
	bool chars_only;	/* characters and encodings, not shape (an
				 * issuer's name, made by an earlier lint) */
	bool allow_multi_valued;	/* RDNs with more than one attribute */
	const int *repeatable;	/* NIDs that may appear more than once,
				 * ending with NID_undef; NULL: OU and DC */
};

/* Where the findings go: level, code ("e_name_..."), one line. */
typedef void names_report_fn(void *ctx, enum lint_level level,
    const char *code, const char *text);

/*
 * Checks name; where ("subject", "issuer") starts every message.  policy
 * NULL: every check, OU and DC repeatable, no multi-valued RDN.
 */
void names_check_name(const X509_NAME *name, const char *where,
    const struct names_policy *policy, names_report_fn *report, void *ctx);
/* Checks the DNS, email and URI names and directory names of gens;
 * where: "subjectAltName", "nameConstraints permitted"... */
void names_check_general_names(const GENERAL_NAMES *gens, const char *where,
    names_report_fn *report, void *ctx);
/* Checks the names in the certificate's extensions that hold names:
 * subjectAltName, issuerAltName, nameConstraints, CRL distribution points
 * and authorityInfoAccess. */
void names_check_extensions(X509 *cert, names_report_fn *report, void *ctx);

#endif
