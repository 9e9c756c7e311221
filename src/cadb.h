/*
 * cadb.h — the CA directory and its database (manuals/offroot.5).
 *
 *   DIR/root.crt          the root certificate (PEM)
 *   DIR/root.key.sealed   the sealed root key (sealed store)
 *   DIR/root.key.uri      module and key URI (pkcs11 store; never a PIN)
 *   DIR/journal           the CA database: a hash-chained journal
 *   DIR/profiles.cnf      the profiles this CA issues with (a copy)
 *   DIR/transcripts/      one transcript per operation that used the key
 *   DIR/crls/             every CRL signed, by number
 *   DIR/issued/           every certificate issued, by serial
 *   DIR/roots/            the earlier root certificates, after a
 *                         renew-root (renew.h): same key and subject
 *
 * Every change to the CA is a journal record, fsynced before the change is
 * reported done.  The record types and their fields are listed in
 * offroot(5) (init, transcript, key-check, issue, revoke, revoke-batch,
 * crl-number, crl, ocsp, export, backup, reshare, repair, renew-root,
 * set, ...); this module reads the ones a summary needs.
 */
#ifndef OFFROOT_CADB_H
#define OFFROOT_CADB_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include <openssl/x509.h>

#include "fileio.h"	/* file_sha256_hex, which cadb.h once declared */
#include "journal.h"
#include "publish.h"

#define CADB_ROOT_CERT		"root.crt"
#define CADB_SEALED_KEY		"root.key.sealed"
#define CADB_KEY_URI		"root.key.uri"	/* pkcs11 store: module, key URI */
#define CADB_JOURNAL		"journal"
#define CADB_TRANSCRIPTS	"transcripts"
#define CADB_CRLS		"crls"
#define CADB_ISSUED		"issued"
#define CADB_PROFILES		"profiles.cnf"
#define CADB_EXPORTS		"exports"
#define CADB_ROOTS		"roots"

struct cadb_summary {
	uint64_t records;
	bool initialised;
	/* The root certificate the journal names last: the init record's,
	 * or the last renew-root record's (renew.h). */
	char root_sha256[65];		/* of the certificate's DER */
	char root_file_sha256[65];	/* of root.crt as written */
	/* renew-root records: how many, the last one's seq, and the
	 * certificate it replaced (DER digest; roots/NAME and that file's
	 * digest), for finishing an interrupted renewal (recover.h) and
	 * naming it instead of calling root.crt altered. */
	uint64_t renewals, renewed_seq;
	char root_prev_sha256[65];
	char root_prev_file[96], root_prev_file_sha256[65];
	/* Rollovers (rollover.h): the successor this root certified with a
	 * cross-certificate (the last "rollover" record: its root's SHA-256
	 * and subject, its CA directory), and the predecessor this CA
	 * succeeds (a "rollover-from" record); "" when none. */
	char rolled_to_sha256[65], rolled_to_subject[256];
	char rolled_to_dir[PATH_MAX];
	time_t rolled_time;
	char rolled_from_sha256[65], rolled_from_subject[256];
	char key_file_sha256[65];	/* of the key file as written */
	char store[16];			/* "sealed" or "pkcs11" */
	char key_uri[1024];		/* pkcs11: the key's pkcs11: URI */
	char module[PATH_MAX];		/* pkcs11: "" for p11-kit's modules */
	char token_label[33], token_serial[17];	/* pkcs11, at init */
	/* pkcs11: how the key came to the token: "generated", "adopted"
	 * (init's key_origin), or "imported" (a migrate record: the sealed
	 * key moved in; migrated is that record's seq). */
	char key_origin[16];
	uint64_t migrated;
	/* pkcs11: the officers' last word on the vendor's backup of the
	 * token key, "yes" or "no" (init's token_backed_up, then each
	 * token-backup record); "" when never said (a CA made before it
	 * was recorded, or a sealed key). */
	char token_backed_up[4];
	time_t token_backup_time;
	char key_type[16];
	char kdf[16];
	char profile[64];
	/* The publication points (publish.h): init's crl_url and
	 * ca_issuers_url, then each "set" record's; "" when not set. */
	char crl_url[PUBLISH_URL_MAX + 1];
	char ca_issuers_url[PUBLISH_URL_MAX + 1];
	time_t created;
	/* How many are revoked is the replayed state's n (revoke_db,
	 * calendar_scan): a summary does not replay revocations. */
	uint64_t issued, transcripts, key_checks;
	/* recover records (recover.h): every action, and the files set
	 * aside in quarantine/ among them. */
	uint64_t recovered, quarantined;
	bool has_crl;
	uint64_t crl_number;
	time_t crl_next_update;
	time_t last_record;
};

struct cadb {
	char dir[PATH_MAX];
	struct journal *journal;
	struct cadb_summary sum;
};

/* Reads and verifies the journal read-only into sum. */
int cadb_scan(const char *dir, struct cadb_summary *sum,
    journal_visit_fn extra, void *extra_ctx);
/* Opens the CA directory for changes: locks and verifies the journal. */
int cadb_open(const char *dir, struct cadb **out);
/* The same, calling extra for every record of the one verifying pass (a
 * caller that also replays the journal need not read it twice).  What
 * extra gathered is only valid when this returns OR_OK. */
int cadb_open_visit(const char *dir, journal_visit_fn extra, void *extra_ctx,
    struct cadb **out);
int cadb_append(struct cadb *db, const char *type,
    const struct jfields *f);
void cadb_close(struct cadb *db);
/* DIR/name into buf. */
int cadb_path(const char *dir, const char *name, char *buf, size_t size);
/* Loads DIR/root.crt and checks it is the certificate the journal's init
 * record names. */
int cadb_load_root(const char *dir, const struct cadb_summary *sum,
    X509 **out);

/*
 * The journal's head: the last record's seq and hash.  Its first
 * CADB_HEAD_LEN bytes, in hex and in PGP words, are what every command
 * that changed the journal reports for the paper log, what status shows
 * and what audit --head compares (offroot-journal(5)).
 */
#define CADB_HEAD_LEN		8
#define CADB_HEAD_WORDS_MAX	(CADB_HEAD_LEN * 12)
/* Read from the end of DIR/journal without replaying the chain
 * (journal_peek_head); no journal is OR_E_INPUT. */
int cadb_head(const char *dir, uint64_t *seq, unsigned char hash[32]);
/* The head's first CADB_HEAD_LEN bytes as hex and as PGP words. */
void cadb_head_text(const unsigned char hash[32],
    char hex[2 * CADB_HEAD_LEN + 1], char words[CADB_HEAD_WORDS_MAX]);

struct interact;
struct keystore;
/* Opens the CA's key store, asking for its passphrase (or the token's
 * PIN) through io, and proves it holds the private half of root.  For a
 * token, DIR/root.key.uri must be the file the init record names before
 * the module it names is loaded. */
int cadb_unlock(struct cadb *db, X509 *root, struct interact *io,
    struct keystore **out);

/* Loads a PEM or DER certificate file. */
int load_cert_file(const char *path, X509 **out);

#endif
