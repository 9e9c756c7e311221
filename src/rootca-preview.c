/*
 * rootca-preview.c — the root that will be made, shown before anything is
 * (rootca.h): the same text for the root ceremony's generate-root step and
 * the TUI's "Create a root CA" wizard, so that what officers confirm is
 * worded one way whatever face they use.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "keystore.h"
#include "profile.h"
#include "rootca.h"
#include "util.h"

void
rootca_store_text(const struct rootca_params *rp, const char *quorum,
    char *out, size_t size)
{
	if (rp->pkcs11)
		snprintf(out, size, "generated on the token %s, label %s",
		    rp->token_uri, rp->label);
	else if (quorum != NULL)
		snprintf(out, size, "a sealed file under a %s officer quorum "
		    "(Argon2id %s)", quorum, kdf_level_name(rp->kdf));
	else
		snprintf(out, size, "a sealed file under one passphrase "
		    "(Argon2id %s)", kdf_level_name(rp->kdf));
}

/* Appends a formatted line to block. */
static void __attribute__((format(printf, 3, 4)))
add(char *block, size_t size, const char *fmt, ...)
{
	size_t n = strlen(block);
	va_list ap;

	if (n >= size)
		return;
	va_start(ap, fmt);
	vsnprintf(block + n, size - n, fmt, ap);
	va_end(ap);
}

/* An extension line of the profile as written, or NULL. */
static const char *
ext_value(const struct profile *prof, const char *name)
{
	size_t i;

	for (i = 0; i < prof->next; i++)
		if (strcmp(prof->ext[i].name, name) == 0)
			return prof->ext[i].value;
	return NULL;
}

bool
rootca_cab_defaults(const struct profile *prof)
{
	return prof->family != FAMILY_PRIVATE &&
	    strcmp(prof->source, "built-in") == 0;
}

void
rootca_preview_text(const struct rootca_params *rp,
    const struct profile *prof, const char *store, bool detail,
    char *block, size_t size)
{
	long days = rp->days != 0 ? rp->days : prof->validity_days;
	char path[32], until[11];
	const char *v;
	time_t end = time(NULL) + days * 86400L;
	struct tm tm;

	if (prof->pathlen >= 0)
		snprintf(path, sizeof path, "%d", prof->pathlen);
	else
		snprintf(path, sizeof path, "none (no limit)");
	block[0] = '\0';
	add(block, size, "subject:      %s\nkey type:     %s\nkey store:    "
	    "%s\nprofile:      %s (%s, %s family)\n", rp->subject,
	    keytype_name(rp->key_type), store, prof->name, prof->source,
	    profile_family_name(prof->family));
	if (detail && gmtime_r(&end, &tm) != NULL &&
	    strftime(until, sizeof until, "%Y-%m-%d", &tm) > 0)
		add(block, size, "validity:     %ld days from now (until %s)\n",
		    days, until);
	else
		add(block, size, "validity:     %ld days from now\n", days);
	add(block, size, "path length:  %s\n", path);
	if (detail && (v = ext_value(prof, "keyUsage")) != NULL)
		add(block, size, "key usage:    %s\n", v);
	if (detail && (v = ext_value(prof, "nameConstraints")) != NULL)
		add(block, size, "name constr.: %s\n", v);
	if (profile_backdate(prof, true) > 0) {
		char bd[32];

		profile_backdate_text(profile_backdate(prof, true), bd,
		    sizeof bd);
		add(block, size, "backdate:     %s (notBefore = now - %s)\n",
		    bd, bd);
	}
	add(block, size, "CRL URL:      %s\nCA issuers:   %s\n",
	    rp->crl_url != NULL && rp->crl_url[0] != '\0' ? rp->crl_url :
	    "not set", rp->ca_issuers_url != NULL &&
	    rp->ca_issuers_url[0] != '\0' ? rp->ca_issuers_url : "not set");
	if (detail && rootca_cab_defaults(prof))
		add(block, size, "WARNING: CA/Browser Forum defaults (web "
		    "PKI): a %ld-day root without a path length.  For a "
		    "private hierarchy (Kubernetes, Vault) choose its profile "
		    "set: a Vault intermediate signed under these fails with "
		    "e_br_ca_subject_no_country.\n", days);
}
