/*
 * rootca.h — root creation: the engine behind `offroot init` and the
 * TUI's root-creation ceremony.  It talks to people only through
 * struct interact.
 */
#ifndef OFFROOT_ROOTCA_H
#define OFFROOT_ROOTCA_H

#include "interact.h"
#include "keystore.h"

struct rootca_params {
	const char *dir;		/* the new CA directory */
	const char *subject;		/* DN text, slash or RFC 4514 form */
	enum keytype key_type;
	const char *profile_name;	/* default "root" */
	const char *profiles_file;	/* NULL: built-in profiles */
	long days;			/* 0: the profile's validity */
	enum kdf_level kdf;
};

struct rootca_result {
	unsigned char cert_sha256[32];
	char fingerprint[1024];		/* hex and PGP words, for witnesses */
};

/* Creates the CA directory: key, sealed key file, root certificate,
 * journal, transcript.  Everything is staged in a hidden sibling folder
 * and renamed into place at the end, so a failure leaves nothing. */
int rootca_create(const struct rootca_params *p, struct interact *io,
    struct rootca_result *res);

#endif
