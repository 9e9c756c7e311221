/*
 * lint.h — checks on a to-be-signed certificate before the real key is
 * used, and again after signing.  RFC 5280 rules always; CA/Browser Forum
 * Baseline Requirements rules for the br-root and br-subca families.
 */
#ifndef OFFROOT_LINT_H
#define OFFROOT_LINT_H

#include <stddef.h>

#include <openssl/x509.h>

#include "profile.h"

enum lint_level { LINT_NOTICE, LINT_WARN, LINT_ERROR };

struct lint_finding {
	enum lint_level level;
	char code[48];		/* stable identifier: "e_ca_key_usage_missing" */
	char text[200];		/* one line for the officer */
};

#define LINT_MAX 64

struct lint_report {
	size_t n;
	struct lint_finding f[LINT_MAX];
};

/* Lints cert against RFC 5280 and the family's rules.  issuer is NULL for a
 * self-signed root.  Fills report; returns OR_OK (findings are in the
 * report, not the return value) or OR_E_NOMEM. */
int lint_cert(X509 *cert, X509 *issuer, enum profile_family family,
    struct lint_report *report);
size_t lint_count(const struct lint_report *r, enum lint_level level);
const char *lint_level_name(enum lint_level l);

#endif
