/*
 * transcript.h — the tamper-evident record of one operation or ceremony.
 *
 * A transcript is a journal (journal.h) in DIR/transcripts/.  It begins
 * with a "begin" record (operation, tool version, binary SHA-256), gets one
 * record per step, and is closed by an "end" record that names the CA
 * journal's head at that moment and a "seal" record carrying the root
 * key's signature over the end record's hash.  transcript_verify checks
 * the chain and the seal with the root certificate's public key.
 */
#ifndef OFFROOT_TRANSCRIPT_H
#define OFFROOT_TRANSCRIPT_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "journal.h"
#include "keystore.h"

struct transcript {
	struct journal *journal;
	char path[PATH_MAX];
	char name[128];		/* file name inside transcripts/ */
	char operation[32];
};

/* Creates DIR/transcripts/<UTC>-<operation>.log and its begin record. */
int transcript_begin(const char *dir, const char *operation,
    struct transcript **out);
int transcript_add(struct transcript *t, const char *type,
    const struct jfields *f);
/* Writes end (naming the CA journal's seq and head) and, when ks is given,
 * the seal.  final_hash receives the last record's hash. */
int transcript_close(struct transcript *t, uint64_t journal_seq,
    const unsigned char journal_head[32], struct keystore *ks,
    unsigned char final_hash[32]);
/* Closes t (sealed by ks when given) and records it in the CA journal j
 * as a "transcript" record (file, SHA-256, final hash). */
int transcript_finish(struct transcript *t, struct journal *j,
    struct keystore *ks);
void transcript_free(struct transcript *t);

struct transcript_info {
	uint64_t records;
	char operation[64];
	bool closed, sealed;
	bool failed;		/* a "failed" record: the run failed (op.h) */
	uint64_t journal_seq;
	unsigned char journal_head[32];
	unsigned char final_hash[32];
};
/* Verifies chain and (when pub is given) the seal. */
int transcript_verify(const char *path, EVP_PKEY *pub,
    struct transcript_info *info);

/* SHA-256 of the running binary (/proc/self/exe), hex. */
int self_sha256_hex(char out[65]);

#endif
