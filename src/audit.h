/*
 * audit.h — checking a CA directory end to end without its key: the
 * journal's hash chain, every artefact a record names (by SHA-256), every
 * transcript's chain and seal, that each transcript's recorded journal head
 * is in the journal, and that no artefact exists that the journal does not
 * name (a sign of a truncated journal or a planted file).
 */
#ifndef OFFROOT_AUDIT_H
#define OFFROOT_AUDIT_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/x509.h>

struct audit_result {
	uint64_t records;
	uint64_t artefacts;	/* files verified by digest */
	uint64_t transcripts;	/* transcripts whose seal verified */
	uint64_t abandoned;	/* unclosed transcripts of interrupted runs */
	uint64_t failed;	/* failed runs that recorded nothing:
				 * closed, unsealed, not in the journal */
	uint64_t ahead;		/* CRLs signed ahead, checked in crls/ */
	uint64_t ahead_folders;	/* schedule folders found and checked */
	/* A migrate record (migrate.h): the sealed key was moved into token
	 * migrated_token at record migrated (0: never); the token reports
	 * it imported, never always-sensitive nor never-extractable. */
	uint64_t migrated;
	char migrated_token[33];
};

/* OR_OK when everything verifies; otherwise the first problem, with
 * OR_E_CORRUPT / OR_E_VERIFY. */
int audit_run(const char *dir, struct audit_result *res);

/*
 * A journal cut short (audit-cut.c; offroot-journal(5) says which check
 * catches which attack).
 *
 * audit --head: a head from the paper log, as hex (at least
 * AUDIT_HEAD_MIN bytes) or PGP words; audit_head_check fails unless a
 * record of the journal has a hash that starts with it, and names that
 * record in *seq (and the journal's last in *records).
 */
#define AUDIT_HEAD_MIN	8
struct audit_head {
	unsigned char prefix[32];
	size_t len;
};
int audit_head_parse(const char *text, struct audit_head *h);
int audit_head_check(const char *dir, const struct audit_head *want,
    uint64_t *seq, uint64_t *records);

/* The highest-numbered file in DIR/crls/ that is a CRL signed by root must
 * not list a serial without a revocation record in the journal,
 * nor carry a number the journal never reserved: either means the journal
 * lost its last records.  Files the root did not sign prove nothing and
 * are left to the digest checks. */
int audit_crls_cut(const char *dir, X509 *root);
/* The same for a CRL file from elsewhere (audit --crl: the one published,
 * PEM or DER); OR_E_VERIFY when the root did not sign it. */
int audit_crl_file(const char *dir, const char *path);

/* A CRL file, DER or PEM ("X509 CRL"), as the DER bytes that were signed;
 * *der is freed with OPENSSL_free. */
int audit_load_crl(const char *path, unsigned char **der, size_t *len);

/* CRLs signed ahead (audit-ahead.c): each crl-ahead record's file in
 * crls/ is the CRL the record describes (root-signed, its number and
 * dates), and each crl-schedule folder that can be seen at its recorded
 * path holds the MANIFEST recorded, signed by the root, whose files match
 * their digests, each CRL in it one the journal records under its name. */
int audit_ahead(const char *dir, X509 *root, struct audit_result *res);

#endif
