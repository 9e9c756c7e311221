/*
 * publish.h — where relying parties find what a CA publishes: its CRL
 * (crl-url) and its own certificate (ca-issuers-url).
 *
 * A CA records both URLs at init (--crl-url, --ca-issuers-url) or later
 * with offroot set (a journaled "set" record); cadb.h's summary carries
 * the current values.  Every certificate the CA issues to a subordinate
 * then names them: crl-url in crlDistributionPoints (one distribution
 * point, fullName URI), ca-issuers-url in authorityInfoAccess (caIssuers
 * URI), unless the profile writes that extension itself.  The self-signed
 * root carries neither: a relying party never fetches the CRL that would
 * revoke the anchor it already trusts.
 *
 * The URLs are checked strictly before they are recorded: RFC 5280
 * (4.2.1.13, 4.2.2.1) and the CA/B Forum BR (7.1.2.11.2) expect plain
 * http for both, since the client fetches them while it is still
 * validating a chain (an https URL would need a chain to fetch the CRL
 * of a chain).  So: "http://", a host name (letters, digits, hyphens,
 * dots) or an IPv4 or bracketed IPv6 literal, an optional port, and a
 * path; printable ASCII only; no user name ("http://good@evil"), no
 * fragment, no space or control character, %XX escapes well formed.
 */
#ifndef OFFROOT_PUBLISH_H
#define OFFROOT_PUBLISH_H

#include <stdbool.h>
#include <stddef.h>

#include <openssl/x509.h>

#define PUBLISH_URL_MAX		512

enum publish_point {
	PUBLISH_CRL_URL = 0,		/* crlDistributionPoints */
	PUBLISH_CA_ISSUERS_URL,		/* authorityInfoAccess caIssuers */
	PUBLISH_NPOINTS
};

/* "crl-url" / "ca-issuers-url": the name offroot set and init take. */
const char *publish_name(enum publish_point pt);
/* "crl_url" / "ca_issuers_url": the field of the init and set records. */
const char *publish_field(enum publish_point pt);
/* The point a name ("crl-url") stands for; false when none. */
bool publish_parse_name(const char *name, enum publish_point *pt);
/* Whether url is acceptable; when not, why (one phrase, no URL in it:
 * the caller names the option). */
bool publish_url_ok(const char *url, char *why, size_t size);
/* publish_url_ok as an error: OR_E_USAGE "WHAT: URL: why". */
int publish_url_check(const char *what, const char *url);
/* Adds crlDistributionPoints with crl_url and authorityInfoAccess with
 * ca_issuers_url to x (either may be NULL or ""), each only when x does
 * not carry that extension yet (a profile's own line wins). */
int publish_add(X509 *x, const char *crl_url, const char *ca_issuers_url);

#endif
