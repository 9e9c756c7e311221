/* util.h — small helpers shared by the engine: digests and hex. */
#ifndef OFFROOT_UTIL_H
#define OFFROOT_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include <openssl/x509.h>

#define SHA256_LEN 32

int sha256(const void *data, size_t len, unsigned char out[SHA256_LEN]);
/* Lowercase hex, NUL-terminated; out must hold 2*n+1. */
void hex_encode(const unsigned char *in, size_t n, char *out);
/* Parses exactly 2*n hex digits (either case), then the NUL; OR_E_INPUT
 * otherwise. */
int hex_decode(const char *in, unsigned char *out, size_t n);
/* The 2*n lowercase digits at in (no NUL needed after them): the
 * canonical form of digests in offroot's own files; false otherwise. */
bool hex_decode_lower(const char *in, unsigned char *out, size_t n);
/* The value of one hex digit, either case; -1 for anything else. */
int hex_value(char c);
/* "AB:CD:..." uppercase with colons; out must hold 3*n. */
void hex_colons(const unsigned char *in, size_t n, char *out);
/* SHA-256 of a certificate's DER / of its SubjectPublicKeyInfo DER. */
int cert_sha256(X509 *cert, unsigned char out[SHA256_LEN]);
int pubkey_sha256(EVP_PKEY *pkey, unsigned char out[SHA256_LEN]);
/* A fingerprint block for witnesses: hex in groups of 4 (8 groups a line)
 * then the PGP words (8 a line).  out must be at least 1024 bytes. */
void fingerprint_block(const unsigned char fp[SHA256_LEN], char *out,
    size_t size);
/* An ASN1_TIME as seconds since the epoch; 0 when absent or malformed. */
time_t asn1_unix(const ASN1_TIME *t);
/* PEM of a certificate, malloc'd and NUL-terminated. */
int cert_to_pem(X509 *x, char **pem, size_t *len);
/* Strips blanks and tabs at both ends, in place. */
char *str_trim(char *s);
/* The number of elements of an array (not of a pointer). */
/* "" or "s": "1 certificate", "2 certificates". */
#define plural_s(n)	((n) == 1 ? "" : "s")
#define nitems(a)	(sizeof(a) / sizeof((a)[0]))

/* The one UTC time form offroot writes and reads: YYYY-MM-DDTHH:MM:SSZ,
 * years 1970 to 9999, no leap second, nothing before or after.  Every
 * parser of a time (journal records, revocation times, a ceremony's
 * reference clock) uses utc_parse, so they all accept the same text. */
#define UTC_TEXT_LEN	20
/* Parses exactly len bytes of s (len must be UTC_TEXT_LEN); false for any
 * other text, an impossible date (2026-02-30) or time (24:00:00). */
bool utc_parse(const char *s, size_t len, time_t *out);
/* Formats t; false (out empty) outside years 1970 to 9999. */
bool utc_format(time_t t, char out[UTC_TEXT_LEN + 1]);
/* utc_format for display: the epoch's text when t is out of range. */
void utc_text(time_t t, char out[UTC_TEXT_LEN + 1]);
/* Asks for transparent huge pages on a large heap buffer about to be
 * filled (a million-entry CRL: a few thousand page faults instead of
 * tens of thousands).  Advice only; below MEM_HUGE_MIN, nothing. */
#define MEM_HUGE_MIN	(4u << 20)
void mem_advise_huge(void *p, size_t len);

#endif
