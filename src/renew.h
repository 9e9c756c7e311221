/*
 * renew.h — renewing the root certificate: the engine behind `offroot
 * renew-root` and a ceremony's renew-root step.
 *
 * A renewal is a new self-signed certificate for the same key and the same
 * subject, with a new serial and a new validity.  The subject key
 * identifier stays the same (it is the hash of the same key, and the run
 * refuses a profile that would make it otherwise), so every certificate
 * the root issued before still names the new certificate's SKI in its
 * authorityKeyIdentifier and chains to it: relying parties only add the
 * new root.crt to their trust stores.  A new key is a rollover, not a
 * renewal.
 *
 * Order (op.h; ARCHITECTURE decisions 10 and 11):
 *   1. lock and open the CA, settle what a crash left (recover.h), check
 *      the bundle folder (-o) if any;
 *   2. the profile (DIR/profiles.cnf; the init record's unless named),
 *      the new certificate built with the root's public key and linted,
 *      its serial drawn and checked unused, its SKI compared with the
 *      current root's; the officer reviews old and new and confirms;
 *   3. unlock, sign, verify, lint again;
 *   4. the journal's renew-root record, which carries the new
 *      certificate itself (its DER, hex): from here on the journal names
 *      the new certificate as the root;
 *   5. the current root.crt copied, byte for byte, to
 *      roots/<notBefore>-<serial>.pem (renew_root_name), then root.crt
 *      replaced by the new certificate;
 *   6. the transcript sealed; with -o, the bundle (root.pem,
 *      previous-root.pem, README.txt, transcript.log, MANIFEST,
 *      MANIFEST.sig) staged, recorded (an export record) and renamed into
 *      place.
 * Nothing root-signed exists outside memory before step 4's record.  A
 * kill after it leaves root.crt the previous certificate and perhaps no
 * roots/ copy: the next command that takes the lock finishes 5 from the
 * record (recover_root, recover.h), and until then root.crt is named as
 * the certificate an interrupted renewal replaced.
 *
 * The renew-root record (offroot(5) lists the fields): serial,
 * not_before, not_after, root_sha256 (DER), root_file_sha256 (root.crt
 * as written), cert (DER in hex), subject, public_key_sha256, ski,
 * profile, and previous_serial, previous_not_before, previous_not_after,
 * previous_sha256, previous_file_sha256 and previous_file (roots/NAME) of
 * the certificate it replaced.
 */
#ifndef OFFROOT_RENEW_H
#define OFFROOT_RENEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "interact.h"
#include "journal.h"
#include "serial.h"

struct keystore;

/* What the officer reviews before the key is unlocked. */
struct renew_plan {
	char subject[1024];
	char key_type[16];
	unsigned char pubkey_sha256[32];
	char ski[192];			/* AB:CD:..., the same in both */
	char profile[64], profile_source[256];
	char prev_serial[SERIAL_HEX], serial[SERIAL_HEX];
	time_t prev_not_before, prev_not_after, not_before, not_after;
	unsigned char prev_sha256[32];
	char prev_file[96];		/* roots/NAME it is kept as */
	int prev_pathlen, pathlen;	/* -1: no limit */
	char block[8192];		/* the review, as shown */
};

/*
 * A ceremony's checks around the unlock (NULL members are skipped).
 * confirm: instead of the command's "Renew the root certificate?", after
 * the review was shown (the ceremony asks the step's role and records the
 * answer); ready: the step's verify: lines, still before the key;
 * unlocked: right after the key was unlocked or the held key proved.
 * Anything but OR_OK stops the run with nothing signed.
 */
struct renew_hooks {
	int (*confirm)(void *ctx, const struct renew_plan *plan);
	int (*ready)(void *ctx);
	int (*unlocked)(void *ctx);
	void *ctx;
};

struct renew_params {
	const char *dir;
	const char *profile_name;	/* NULL: the init record's profile */
	long days;			/* 0: the profile's validity */
	const char *outdir;		/* NULL: nothing outside DIR */
	const struct renew_hooks *hooks;	/* NULL: none (the command) */
};

struct renew_result {
	struct renew_plan plan;
	unsigned char cert_sha256[32];
	char fingerprint[1024];		/* hex and PGP words */
	bool exported;
	unsigned char manifest_sha256[32];
};

/* Renews the root certificate of p->dir (above).  held: as op_unlock's
 * (NULL: the key is unlocked here and closed; else the key a ceremony
 * keeps, proved or unlocked and handed back). */
int renew_run(const struct renew_params *p, struct keystore **held,
    struct interact *io, struct renew_result *res);

/* roots/NAME of a certificate no longer root.crt: "roots/" then its
 * notBefore as YYYYMMDDTHHMMSSZ, "-", its serial (journal form), ".pem",
 * so that a listing sorts them oldest first and names each. */
void renew_root_name(time_t not_before, const char *serial_hex, char *out,
    size_t size);

/* The last renew-root record of a journal (a journal visitor): what the
 * recovery needs to finish an interrupted renewal. */
struct renew_last {
	uint64_t seq;			/* 0: the journal holds none */
	char previous_file[96];		/* roots/NAME */
	char previous_file_sha256[65];
	char root_sha256[65], root_file_sha256[65];
	char *cert_hex;			/* malloc'd */
};
int renew_last_visit(const struct jrecord *r, void *ctx);
void renew_last_free(struct renew_last *l);
/* root.crt as the renewal writes it, from the record's certificate; the
 * DER's and the PEM's digests must be the recorded ones (OR_E_CORRUPT). */
int renew_last_pem(const struct renew_last *l, char **pem, size_t *len);

/*
 * The checks audit makes of each renew-root record: its certificate (the
 * hex DER) is the one root_sha256 names, self-signed by the root's key
 * (public_key_sha256, pk_sha256 the init record's), with the root's
 * subject (subject, the init record's) and the current root's SKI;
 * previous_sha256 is the root the journal named until then (root_sha256
 * before this record) and previous_file its roots/ name.  OR_E_CORRUPT
 * naming the record otherwise.
 */
int renew_check_record(const struct jrecord *r, const char *root_sha256,
    const char *pk_sha256, const char *subject);

#endif
