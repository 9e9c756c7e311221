/*
 * publish.c — the CA's publication points (publish.h): strict checks of
 * the CRL and CA-issuers URLs, and the two extensions that carry them.
 *
 * The extensions are built with OpenSSL's structures, never through the
 * configuration language: a URL is data, and a comma or "@" in it must
 * not be read as syntax.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/x509v3.h>

#include "err.h"
#include "publish.h"
#include "util.h"

static const char *const names[PUBLISH_NPOINTS] = {
	[PUBLISH_CRL_URL] = "crl-url",
	[PUBLISH_CA_ISSUERS_URL] = "ca-issuers-url",
};

static const char *const fields[PUBLISH_NPOINTS] = {
	[PUBLISH_CRL_URL] = "crl_url",
	[PUBLISH_CA_ISSUERS_URL] = "ca_issuers_url",
};

const char *
publish_name(enum publish_point pt)
{
	return (unsigned)pt < PUBLISH_NPOINTS ? names[pt] : "?";
}

const char *
publish_field(enum publish_point pt)
{
	return (unsigned)pt < PUBLISH_NPOINTS ? fields[pt] : "?";
}

bool
publish_parse_name(const char *name, enum publish_point *pt)
{
	size_t i;

	for (i = 0; i < PUBLISH_NPOINTS; i++)
		if (strcmp(name, names[i]) == 0) {
			*pt = (enum publish_point)i;
			return true;
		}
	return false;
}

static bool __attribute__((format(printf, 3, 4)))
no(char *why, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, size, fmt, ap);
	va_end(ap);
	return false;
}

/* A host name's labels (RFC 1123), or an IPv4 literal: [s, e). */
static bool
host_ok(const char *s, const char *e, char *why, size_t size)
{
	const char *l = s, *p;
	size_t n;
	bool numeric = true, last_numeric = false;
	int labels = 0;

	if (e == s)
		return no(why, size, "no host name");
	if ((size_t)(e - s) > 253)
		return no(why, size, "the host name is longer than 253 "
		    "characters");
	while (l <= e) {
		for (p = l; p < e && *p != '.'; p++)
			if (!isalnum((unsigned char)*p) && *p != '-')
				return no(why, size, "the host name may only "
				    "hold letters, digits, \"-\" and \".\" "
				    "(an international name in its xn-- "
				    "form)");
		n = (size_t)(p - l);
		if (n == 0 || n > 63)
			return no(why, size, "the host name has an empty "
			    "or overlong label");
		if (l[0] == '-' || p[-1] == '-')
			return no(why, size, "a host name label starts or "
			    "ends with \"-\"");
		last_numeric = strspn(l, "0123456789") >= n;
		numeric = numeric && last_numeric;
		labels++;
		l = p + 1;
	}
	if (numeric) {
		/* An IPv4 literal: four numbers up to 255. */
		if (labels != 4)
			return no(why, size, "a numeric host must be an IPv4 "
			    "address (four numbers)");
		for (l = s; l < e; l = p + 1) {
			p = memchr(l, '.', (size_t)(e - l));
			p = p != NULL ? p : e;
			if (p - l > 3 || strtol(l, NULL, 10) > 255)
				return no(why, size, "an IPv4 address has a "
				    "number above 255");
		}
	} else if (last_numeric)
		return no(why, size, "a host name's last label is not all "
		    "digits");
	return true;
}

bool
publish_url_ok(const char *url, char *why, size_t size)
{
	static const char scheme[] = "http://";
	static const char extra[] = "-._~!$&'()*+,;=:@/?";
	const char *h, *he, *a, *p;
	size_t len = strlen(url), i;
	char *end;
	long port;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)url[i];

		if (c < 0x20 || c == 0x7f)
			return no(why, size, "a control character at position "
			    "%zu", i + 1);
		if (c == ' ')
			return no(why, size, "a space at position %zu (write "
			    "it as %%20)", i + 1);
		if (c > 0x7e)
			return no(why, size, "a byte that is not ASCII at "
			    "position %zu (a URL in a certificate is ASCII: "
			    "percent-encode it)", i + 1);
	}
	if (len > PUBLISH_URL_MAX)
		return no(why, size, "longer than %d characters",
		    PUBLISH_URL_MAX);
	if (strncmp(url, scheme, sizeof scheme - 1) != 0) {
		if (strncasecmp(url, "https://", 8) == 0)
			return no(why, size, "https is refused: a relying "
			    "party fetches this while it validates a chain, "
			    "so RFC 5280 and the CA/B Forum BR (7.1.2.11.2) "
			    "want plain http");
		return no(why, size, "not an http:// URL (RFC 5280 and the "
		    "CA/B Forum BR want http for CRLs and CA "
		    "certificates)");
	}
	a = url + sizeof scheme - 1;
	he = a + strcspn(a, "/?#");
	if (memchr(a, '@', (size_t)(he - a)) != NULL)
		return no(why, size, "a user name before \"@\" is refused "
		    "(it hides the real host from a reader)");
	/* The host: a bracketed IPv6 literal, or a name or IPv4 address;
	 * then an optional port. */
	if (*a == '[') {
		h = a + 1;
		if ((p = memchr(h, ']', (size_t)(he - h))) == NULL ||
		    p == h || strspn(h, "0123456789abcdefABCDEF:.") !=
		    (size_t)(p - h) || memchr(h, ':', (size_t)(p - h)) == NULL)
			return no(why, size, "a malformed IPv6 literal");
		p++;
	} else {
		p = memchr(a, ':', (size_t)(he - a));
		p = p != NULL ? p : he;
		if (!host_ok(a, p, why, size))
			return false;
	}
	if (p < he) {
		if (*p != ':' || p + 1 == he ||
		    strspn(p + 1, "0123456789") != (size_t)(he - p - 1))
			return no(why, size, "a malformed port");
		port = strtol(p + 1, &end, 10);
		if (port < 1 || port > 65535 || he - p - 1 > 5)
			return no(why, size, "the port is not 1 to 65535");
	}
	if (*he != '/')
		return no(why, size, "no path after the host (the file's "
		    "name, such as /root.crl)");
	for (p = he; *p != '\0'; p++) {
		if (*p == '#')
			return no(why, size, "a fragment (\"#\") means nothing "
			    "to a client fetching this");
		if (*p == '%') {
			if (!isxdigit((unsigned char)p[1]) ||
			    !isxdigit((unsigned char)p[2]))
				return no(why, size, "a \"%%\" not followed by "
				    "two hex digits");
			p += 2;
			continue;
		}
		if (!isalnum((unsigned char)*p) && strchr(extra, *p) == NULL)
			return no(why, size, "the character '%c' is not "
			    "allowed in a URL (RFC 3986): percent-encode it",
			    *p);
	}
	return true;
}

int
publish_url_check(const char *what, const char *url)
{
	char why[200];

	if (publish_url_ok(url, why, sizeof why))
		return OR_OK;
	/* The URL itself is shown escaped: it may hold what a terminal
	 * would act on. */
	{
		char shown[PUBLISH_URL_MAX + 64];
		size_t i, o = 0;

		for (i = 0; url[i] != '\0' && o + 5 < sizeof shown; i++) {
			unsigned char c = (unsigned char)url[i];

			if (c < 0x20 || c >= 0x7f)
				o += (size_t)snprintf(shown + o, sizeof shown -
				    o, "\\x%02x", c);
			else
				shown[o++] = (char)c;
		}
		shown[o] = '\0';
		return err_set(OR_E_USAGE, "%s: \"%s\": %s", what, shown, why);
	}
}

/* A URI general name. */
static GENERAL_NAME *
uri_name(const char *url)
{
	GENERAL_NAME *gn = GENERAL_NAME_new();
	ASN1_IA5STRING *s = ASN1_IA5STRING_new();

	if (gn == NULL || s == NULL ||
	    !ASN1_STRING_set(s, url, (int)strlen(url))) {
		GENERAL_NAME_free(gn);
		ASN1_IA5STRING_free(s);
		return NULL;
	}
	GENERAL_NAME_set0_value(gn, GEN_URI, s);
	return gn;
}

/* crlDistributionPoints: one point, its full name the URL. */
static int
add_cdp(X509 *x, const char *url)
{
	CRL_DIST_POINTS *cdp = sk_DIST_POINT_new_null();
	DIST_POINT *dp = DIST_POINT_new();
	GENERAL_NAME *gn = uri_name(url);
	int rc = OR_OK;

	if (cdp == NULL || dp == NULL || gn == NULL ||
	    (dp->distpoint = DIST_POINT_NAME_new()) == NULL ||
	    (dp->distpoint->name.fullname = sk_GENERAL_NAME_new_null()) ==
	    NULL) {
		rc = err_openssl(OR_E_NOMEM, "building crlDistributionPoints");
		goto out;
	}
	dp->distpoint->type = 0;
	if (!sk_GENERAL_NAME_push(dp->distpoint->name.fullname, gn)) {
		rc = err_openssl(OR_E_NOMEM, "building crlDistributionPoints");
		goto out;
	}
	gn = NULL;
	if (!sk_DIST_POINT_push(cdp, dp)) {
		rc = err_openssl(OR_E_NOMEM, "building crlDistributionPoints");
		goto out;
	}
	dp = NULL;
	if (X509_add1_ext_i2d(x, NID_crl_distribution_points, cdp, 0,
	    X509V3_ADD_DEFAULT) != 1)
		rc = err_openssl(OR_E_CRYPTO, "adding crlDistributionPoints");
out:
	GENERAL_NAME_free(gn);
	DIST_POINT_free(dp);
	CRL_DIST_POINTS_free(cdp);
	return rc;
}

/* authorityInfoAccess: caIssuers, the URL. */
static int
add_aia(X509 *x, const char *url)
{
	AUTHORITY_INFO_ACCESS *aia = sk_ACCESS_DESCRIPTION_new_null();
	ACCESS_DESCRIPTION *ad = ACCESS_DESCRIPTION_new();
	GENERAL_NAME *gn = uri_name(url);
	int rc = OR_OK;

	if (aia == NULL || ad == NULL || gn == NULL) {
		rc = err_openssl(OR_E_NOMEM, "building authorityInfoAccess");
		goto out;
	}
	ASN1_OBJECT_free(ad->method);
	ad->method = OBJ_nid2obj(NID_ad_ca_issuers);
	GENERAL_NAME_free(ad->location);
	ad->location = gn;
	gn = NULL;
	if (!sk_ACCESS_DESCRIPTION_push(aia, ad)) {
		rc = err_openssl(OR_E_NOMEM, "building authorityInfoAccess");
		goto out;
	}
	ad = NULL;
	if (X509_add1_ext_i2d(x, NID_info_access, aia, 0,
	    X509V3_ADD_DEFAULT) != 1)
		rc = err_openssl(OR_E_CRYPTO, "adding authorityInfoAccess");
out:
	GENERAL_NAME_free(gn);
	ACCESS_DESCRIPTION_free(ad);
	AUTHORITY_INFO_ACCESS_free(aia);
	return rc;
}

int
publish_add(X509 *x, const char *crl_url, const char *ca_issuers_url)
{
	int rc;

	if (crl_url != NULL && *crl_url != '\0' &&
	    X509_get_ext_by_NID(x, NID_crl_distribution_points, -1) < 0 &&
	    (rc = add_cdp(x, crl_url)) != OR_OK)
		return rc;
	if (ca_issuers_url != NULL && *ca_issuers_url != '\0' &&
	    X509_get_ext_by_NID(x, NID_info_access, -1) < 0 &&
	    (rc = add_aia(x, ca_issuers_url)) != OR_OK)
		return rc;
	return OR_OK;
}
