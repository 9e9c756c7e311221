/* util.h — small helpers shared by the engine: digests and hex. */
#ifndef OFFROOT_UTIL_H
#define OFFROOT_UTIL_H

#include <stddef.h>
#include <time.h>

#include <openssl/x509.h>

#define SHA256_LEN 32

int sha256(const void *data, size_t len, unsigned char out[SHA256_LEN]);
/* Lowercase hex, NUL-terminated; out must hold 2*n+1. */
void hex_encode(const unsigned char *in, size_t n, char *out);
/* Parses exactly 2*n hex digits; OR_E_INPUT otherwise. */
int hex_decode(const char *in, unsigned char *out, size_t n);
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
/* UTC time as YYYY-MM-DDTHH:MM:SSZ. */
void utc_text(time_t t, char out[21]);
/* Asks for transparent huge pages on a large heap buffer about to be
 * filled (a million-entry CRL: a few thousand page faults instead of
 * tens of thousands).  Advice only; below MEM_HUGE_MIN, nothing. */
#define MEM_HUGE_MIN	(4u << 20)
void mem_advise_huge(void *p, size_t len);

#endif
