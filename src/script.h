/*
 * script.h — ceremony scripts (manuals/offroot-ceremony.5): one file per
 * ceremony, a document people read and initial, and what the ceremony
 * engine (ceremony.h) executes step by step.
 *
 *   offroot-ceremony 1
 *   name: Root key generation
 *   version: 3
 *   description: ...
 *   role: Ceremony Administrator
 *   role: Internal Witness
 *
 *   step 1: Pre-flight checks
 *   role: Ceremony Administrator
 *   action: preflight
 *   param: checks = airgap, clock, selfcheck, media
 *   verify: The Internal Witness sees no network cable plugged in.
 *   check: The evidence of every check was read aloud.
 *   	Free text, indented, for the people reading the printout.
 *
 * script_parse checks everything a script can get wrong on paper before
 * the day: grammar, unknown keywords, actions and parameters, missing
 * parameters, parameter values (key types, subjects, reasons, media file
 * names), duplicate or decreasing step numbers, undeclared roles, and a
 * step order that cannot work.  The first error is OR_E_INPUT
 * "FILE:LINE: text".  No secret and no machine-specific path can be
 * written in a script: the CA directory, the media and the token come
 * from the command line.
 */
#ifndef OFFROOT_SCRIPT_H
#define OFFROOT_SCRIPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define SCRIPT_MAGIC		"offroot-ceremony 1"
#define SCRIPT_MAX_FILE		(256u << 10)
#define SCRIPT_MAX_LINE		1024
#define SCRIPT_MAX_STEPS	100
#define SCRIPT_MAX_ROLES	16
#define SCRIPT_MAX_PARAMS	12
#define SCRIPT_MAX_CHECKS	12
#define SCRIPT_MAX_TEXT		48
#define SCRIPT_MAX_BAGS		8	/* a note step's bags */
#define SCRIPT_BAG_LABEL	48	/* characters of a bag's label */
#define SCRIPT_BAG_NUMBER	32	/* characters of a bag's number */

enum script_action {
	SA_PREFLIGHT,
	SA_PARTICIPANTS,
	SA_NOTE,
	SA_GENERATE_ROOT,
	SA_CONFIRM_FINGERPRINT,
	SA_SIGN_CSRS,
	SA_REVOKE,
	SA_SIGN_CRL,
	SA_EXPORT,
	SA_CHECK_KEY,
	SA_RESHARE,
	SA_RENEW_ROOT,
	SA_ROLLOVER,
	SA_EXPORT_TRANSITION,
	SA_MIGRATE,
	SA_NONE,
};

struct script_param {
	const char *key, *value;
	unsigned line;
};

struct script_step {
	unsigned number;
	char number_text[12];
	unsigned line;			/* of "step N:" */
	const char *title;
	const char *role;
	const char *witness;		/* NULL: the script's default witness */
	enum script_action action;
	unsigned action_line;
	struct script_param params[SCRIPT_MAX_PARAMS];
	size_t nparams;
	/* verify: what the witness confirms BEFORE the action does anything
	 * irreversible (ceremony.h: before the key is unlocked for
	 * sign-csrs, sign-crl and renew-root, before the key is made for
	 * generate-root, before the action starts for the others). */
	const char *verifies[SCRIPT_MAX_CHECKS];
	unsigned verify_lines[SCRIPT_MAX_CHECKS];
	size_t nverifies;
	/* check: what the witness confirms after the action. */
	const char *checks[SCRIPT_MAX_CHECKS];
	unsigned check_lines[SCRIPT_MAX_CHECKS];
	size_t nchecks;
	const char *text[SCRIPT_MAX_TEXT];	/* free text, indentation removed */
	size_t ntext;
};

struct script {
	char file[256];			/* as named on the command line */
	char dir[4096];			/* its folder: relative files resolve here */
	unsigned char sha256[32];	/* of the file's bytes */
	char sha256_hex[65];
	const char *name, *version;
	const char *description[SCRIPT_MAX_TEXT];
	size_t ndescription;
	const char *roles[SCRIPT_MAX_ROLES];
	size_t nroles;
	const char *default_witness;	/* first role naming a witness */
	struct script_step *steps;
	size_t nsteps;
	bool creates_root;		/* has a generate-root step */
	char *buf;			/* the text, NUL-split in place */
};

/* Parses and checks a script held in memory; name is used in messages
 * ("FILE:LINE: ...").  On failure *s holds nothing to free. */
int script_parse(const char *data, size_t len, const char *name,
    struct script *s);
/* Reads (at most SCRIPT_MAX_FILE bytes), hashes and parses a file. */
int script_load(const char *path, struct script *s);
void script_free(struct script *s);

const char *script_action_name(enum script_action a);
/* The value of a step's parameter, or NULL. */
const char *script_param(const struct script_step *st, const char *key);
/* The role that confirms a step's checks. */
const char *script_witness(const struct script *s,
    const struct script_step *st);
/* Whether a preflight step runs a given check ("airgap", "clock",
 * "selfcheck", "media"). */
bool script_preflight_has(const struct script_step *st, const char *check);

/* Renders the script for paper: header with the script's and the tool's
 * SHA-256, a participants table, then every step with role, time and
 * initials columns, its checks with initial boxes, and blanks for
 * fingerprints to be written by hand.  binary_sha256 may be NULL. */
int script_print(const struct script *s, FILE *f, const char *binary_sha256);

/* The next item of a comma-separated parameter value (trimmed) into
 * buf; NULL after the last. */
const char *script_list_next(const char *p, char *buf, size_t size);
/* A bag's label or number: 1 to max letters, digits, spaces and
 * # ( ) - . /, no space at either end. */
bool script_bag_text_ok(const char *s, size_t max);

#endif
