/*
 * audit.h — checking a CA directory end to end without its key: the
 * journal's hash chain, every artefact a record names (by SHA-256), every
 * transcript's chain and seal, that each transcript's recorded journal head
 * is in the journal, and that no artefact exists that the journal does not
 * name (a sign of a truncated journal or a planted file).
 */
#ifndef OFFROOT_AUDIT_H
#define OFFROOT_AUDIT_H

#include <stdint.h>

struct audit_result {
	uint64_t records;
	uint64_t artefacts;	/* files verified by digest */
	uint64_t transcripts;	/* transcripts whose seal verified */
	uint64_t abandoned;	/* unclosed transcripts of interrupted runs */
	uint64_t failed;	/* failed runs that recorded nothing:
				 * closed, unsealed, not in the journal */
};

/* OR_OK when everything verifies; otherwise the first problem, with
 * OR_E_CORRUPT / OR_E_VERIFY. */
int audit_run(const char *dir, struct audit_result *res);

#endif
