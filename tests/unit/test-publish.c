/*
 * test-publish.c — the CA's publication points (publish.c): which URLs
 * are accepted as a CRL or CA-issuers URL and which are refused, and the
 * two extensions built from them (one distribution point with the URL as
 * its full name; one caIssuers access description), never over a
 * profile's own line.
 */
#include <stdio.h>
#include <string.h>

#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "err.h"
#include "publish.h"
#include "tap.h"

static void
test_urls(void)
{
	static const char *const good[] = {
		"http://crl.example.com/root.crl",
		"http://crl.example.com:8080/pki/root.crl",
		"http://10.0.0.1/root.crl",
		"http://[2001:db8::1]:80/root.crl",
		"http://xn--bcher-kva.example/root.crt",
		"http://pki.example.com/a/b-c_d.~e/root%20ca.crl?x=1&y=2",
		"http://PKI.Example.COM/",
		"http://a/root.crl",
	};
	static const struct {
		const char *url, *why;
	} bad[] = {
		{ "https://crl.example.com/root.crl", "https" },
		{ "HTTP://crl.example.com/root.crl", "http://" },
		{ "ldap://ldap.example.com/cn=root", "http://" },
		{ "crl.example.com/root.crl", "http://" },
		{ "", "http://" },
		{ "http://", "no host" },
		{ "http:///root.crl", "no host" },
		{ "http://crl.example.com", "no path" },
		{ "http://crl.example.com?x", "no path" },
		{ "http://crl.example.com/a b.crl", "space" },
		{ "http://crl.example.com/a\tb.crl", "control" },
		{ "http://crl.example.com/a\x7f.crl", "control" },
		{ "http://crl.ex\xc3\xa4mple.com/root.crl", "not ASCII" },
		{ "http://user@crl.example.com/root.crl", "user name" },
		{ "http://u:p@crl.example.com/root.crl", "user name" },
		{ "http://crl.example.com/root.crl#top", "fragment" },
		{ "http://crl.example.com:0/root.crl", "port" },
		{ "http://crl.example.com:65536/root.crl", "port" },
		{ "http://crl.example.com:/root.crl", "port" },
		{ "http://crl.example.com:8o/root.crl", "port" },
		{ "http://-crl.example.com/root.crl", "\"-\"" },
		{ "http://crl-.example.com/root.crl", "\"-\"" },
		{ "http://crl..example.com/root.crl", "label" },
		{ "http://crl_x.example.com/root.crl", "letters" },
		{ "http://300.1.1.1/root.crl", "255" },
		{ "http://1.2.3/root.crl", "IPv4" },
		{ "http://example.123/root.crl", "last label" },
		{ "http://[zz::1]/root.crl", "IPv6" },
		{ "http://[]/root.crl", "IPv6" },
		{ "http://crl.example.com/%zz", "hex" },
		{ "http://crl.example.com/%4", "hex" },
		{ "http://crl.example.com/a<b>", "not allowed" },
		{ "http://crl.example.com/a\"b", "not allowed" },
		{ "http://crl.example.com/a\\b", "not allowed" },
	};
	char why[200], longurl[PUBLISH_URL_MAX + 2];
	size_t i;
	int rc;

	for (i = 0; i < sizeof good / sizeof good[0]; i++)
		if (!ok(publish_url_ok(good[i], why, sizeof why), "accepted: %s",
		    good[i]))
			diag("%s", why);
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		bool r = publish_url_ok(bad[i].url, why, sizeof why);

		if (!ok(!r && strstr(why, bad[i].why) != NULL, "refused (%s): "
		    "%s", bad[i].why, bad[i].url))
			diag("accepted %d, why: %s", r, r ? "" : why);
	}
	snprintf(longurl, sizeof longurl, "http://crl.example.com/");
	memset(longurl + strlen(longurl), 'a', sizeof longurl - 1 -
	    strlen(longurl));
	longurl[sizeof longurl - 1] = '\0';
	ok(!publish_url_ok(longurl, why, sizeof why) && strstr(why, "longer"),
	    "refused: a URL over %d characters", PUBLISH_URL_MAX);
	err_clear();
	rc = publish_url_check("--crl-url", "http://x.example/\x1b[2J");
	ok(rc == OR_E_USAGE && strstr(err_msg(rc), "--crl-url: ") != NULL &&
	    strstr(err_msg(rc), "\\x1b[2J") != NULL &&
	    strchr(err_msg(rc), '\x1b') == NULL, "publish_url_check: a usage "
	    "error naming the option, the URL escaped");
}

static void
test_names(void)
{
	enum publish_point pt;

	ok(publish_parse_name("crl-url", &pt) && pt == PUBLISH_CRL_URL,
	    "crl-url names the CRL URL");
	ok(publish_parse_name("ca-issuers-url", &pt) &&
	    pt == PUBLISH_CA_ISSUERS_URL, "ca-issuers-url names the CA "
	    "issuers URL");
	ok(!publish_parse_name("crl_url", &pt) &&
	    !publish_parse_name("ocsp-url", &pt), "nothing else");
	is_str(publish_field(PUBLISH_CRL_URL), "crl_url", "journal field "
	    "crl_url");
	is_str(publish_field(PUBLISH_CA_ISSUERS_URL), "ca_issuers_url",
	    "journal field ca_issuers_url");
}

/* The URI of the first general name of ext's first element. */
static void
test_extensions(void)
{
	const char *crl = "http://crl.example.com/a,b@c.crl";
	const char *aia = "http://pki.example.com/root.crt";
	CRL_DIST_POINTS *cdp;
	AUTHORITY_INFO_ACCESS *ia;
	const GENERAL_NAME *gn;
	X509 *x = X509_new();
	int crit = -1;

	ok(publish_add(x, crl, aia) == OR_OK, "publish_add with both URLs");
	cdp = X509_get_ext_d2i(x, NID_crl_distribution_points, &crit, NULL);
	ok(cdp != NULL && crit == 0 && sk_DIST_POINT_num(cdp) == 1,
	    "one distribution point, not critical");
	if (cdp != NULL) {
		DIST_POINT *dp = sk_DIST_POINT_value(cdp, 0);

		ok(dp->distpoint != NULL && dp->distpoint->type == 0 &&
		    dp->reasons == NULL && dp->CRLissuer == NULL &&
		    sk_GENERAL_NAME_num(dp->distpoint->name.fullname) == 1,
		    "... a full name only");
		gn = sk_GENERAL_NAME_value(dp->distpoint->name.fullname, 0);
		ok(gn->type == GEN_URI && strcmp((const char *)
		    ASN1_STRING_get0_data(gn->d.uniformResourceIdentifier),
		    crl) == 0, "... the URL as a URI, commas and @ as data");
	}
	CRL_DIST_POINTS_free(cdp);
	ia = X509_get_ext_d2i(x, NID_info_access, &crit, NULL);
	ok(ia != NULL && crit == 0 && sk_ACCESS_DESCRIPTION_num(ia) == 1,
	    "one access description, not critical");
	if (ia != NULL) {
		ACCESS_DESCRIPTION *ad = sk_ACCESS_DESCRIPTION_value(ia, 0);

		ok(OBJ_obj2nid(ad->method) == NID_ad_ca_issuers &&
		    ad->location->type == GEN_URI && strcmp((const char *)
		    ASN1_STRING_get0_data(ad->location->d.
		    uniformResourceIdentifier), aia) == 0,
		    "... caIssuers with the URL");
	}
	AUTHORITY_INFO_ACCESS_free(ia);
	ok(publish_add(x, "http://other.example/x.crl", "http://o.example/x")
	    == OR_OK && X509_get_ext_count(x) == 2, "a second publish_add "
	    "adds nothing over existing extensions");
	X509_free(x);
	x = X509_new();
	ok(publish_add(x, NULL, "") == OR_OK && X509_get_ext_count(x) == 0,
	    "no URLs: no extensions");
	ok(publish_add(x, "", aia) == OR_OK && X509_get_ext_count(x) == 1 &&
	    X509_get_ext_by_NID(x, NID_info_access, -1) == 0,
	    "only a CA issuers URL: only authorityInfoAccess");
	X509_free(x);
}

int
main(void)
{
	test_urls();
	test_names();
	test_extensions();
	(void)plan_tests;
	return done_testing();
}
