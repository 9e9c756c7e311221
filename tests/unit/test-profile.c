/*
 * test-profile.c — certificate profiles (profile.c): the built-in set and
 * the Kubernetes reference hierarchy load with the values the ceremonies
 * rely on; every malformed or contradictory profile is refused naming the
 * file, the section and the line; profile_apply builds the extensions, the
 * SKI before the AKI; the CRL period (crl_days, crl_interval_days) and
 * its defaults.  Run from the repository root.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "err.h"
#include "keystore.h"
#include "profile.h"
#include "tap.h"

#define K8S_PROFILES "ceremony-scripts/kubernetes/profiles.cnf"

static int
load(const char *text, const char *name, struct profile *p)
{
	err_clear();
	return profile_load_text(text, strlen(text), "test.cnf", name, p);
}

/* A refusal: OR_E_INPUT, and the message names file, section and line. */
static void
refused(const char *what, const char *text, const char *name,
    const char *line, const char *also)
{
	struct profile p;
	char sect[80];
	const char *msg;
	int rc;

	rc = load(text, name, &p);
	msg = err_msg(rc);
	snprintf(sect, sizeof sect, "[%s]", name);
	if (!ok(rc == OR_E_INPUT && strstr(msg, "test.cnf") != NULL &&
	    strstr(msg, sect) != NULL && strstr(msg, line) != NULL &&
	    (also == NULL || strstr(msg, also) != NULL),
	    "refused: %s", what))
		diag("rc %d, message: %s", rc, msg);
	profile_free(&p);
}

static void
test_builtin(void)
{
	struct profile p;
	int rc;

	rc = profile_load(NULL, "root", &p);
	ok(rc == OR_OK, "built-in root loads");
	if (rc != OR_OK)
		diag("%s", err_msg(rc));
	is_str(p.source, "built-in", "built-in root: source");
	ok(p.family == FAMILY_BR_ROOT, "built-in root: family br-root");
	ok(p.validity_days >= 2922 && p.validity_days <= 9132,
	    "built-in root: validity %ld within the BR range", p.validity_days);
	ok(p.is_ca && p.pathlen == -1, "built-in root: CA, no pathlen");
	ok((p.key_types & (1u << KT_ED25519)) == 0 &&
	    (p.key_types & (1u << KT_EC_P384)) != 0 &&
	    (p.key_types & (1u << KT_RSA_4096)) != 0,
	    "built-in root: BR key types, no ed25519");
	ok(p.next == 4 && p.ext[0].line > 0, "built-in root: 4 extensions "
	    "with their lines");
	is_int(p.min_rsa_bits, 2048, "built-in root: min_rsa_bits default");
	profile_free(&p);

	rc = profile_load(NULL, "intermediate", &p);
	ok(rc == OR_OK, "built-in intermediate loads");
	if (rc != OR_OK)
		diag("%s", err_msg(rc));
	ok(p.family == FAMILY_BR_SUBCA, "built-in intermediate: br-subca");
	is_int(p.validity_days, 1825, "built-in intermediate: validity");
	ok(p.is_ca && p.pathlen == 0, "built-in intermediate: CA, pathlen 0");
	profile_free(&p);

	rc = profile_load(NULL, "nope", &p);
	ok(rc == OR_E_INPUT && strstr(err_msg(rc), "no profile named nope "
	    "in built-in") != NULL, "built-in: unknown profile refused");
}

static void
test_kubernetes(void)
{
	static const char *const leaf[] = { "kubernetes-ca", "etcd-ca",
	    "front-proxy-ca" };
	struct profile p;
	size_t i;
	int rc;

	rc = profile_load(K8S_PROFILES, "root", &p);
	ok(rc == OR_OK, "kubernetes root loads");
	if (rc != OR_OK)
		diag("%s", err_msg(rc));
	ok(p.family == FAMILY_PRIVATE, "kubernetes root: private");
	is_int(p.validity_days, 365, "kubernetes root: 365 days");
	is_int(p.pathlen, 2, "kubernetes root: pathlen 2");
	ok((p.key_types & (1u << KT_ED25519)) != 0, "kubernetes root: "
	    "ed25519 allowed");
	is_str(p.source, K8S_PROFILES, "kubernetes root: source");
	profile_free(&p);

	rc = profile_load(K8S_PROFILES, "intermediate", &p);
	ok(rc == OR_OK, "kubernetes intermediate loads");
	if (rc != OR_OK)
		diag("%s", err_msg(rc));
	is_int(p.validity_days, 180, "kubernetes intermediate: 180 days");
	is_int(p.pathlen, 1, "kubernetes intermediate: pathlen 1");
	is_int(p.max_pathlen, 1, "kubernetes intermediate: max_pathlen 1");
	profile_free(&p);

	for (i = 0; i < sizeof leaf / sizeof leaf[0]; i++) {
		rc = profile_load(K8S_PROFILES, leaf[i], &p);
		ok(rc == OR_OK && p.validity_days == 90 && p.pathlen == 0,
		    "kubernetes %s: 90 days, pathlen 0", leaf[i]);
		if (rc != OR_OK)
			diag("%s", err_msg(rc));
		profile_free(&p);
	}
	rc = profile_check_file(K8S_PROFILES, NULL, NULL);
	ok(rc == OR_OK, "kubernetes profiles.cnf: every profile validates");
	if (rc != OR_OK)
		diag("%s", err_msg(rc));

	rc = profile_load(K8S_PROFILES, "nope", &p);
	ok(rc == OR_E_INPUT && strstr(err_msg(rc), "no profile named nope in "
	    K8S_PROFILES) != NULL, "unknown profile: \"no profile named X in "
	    "FILE\"");
}

#define HEAD	"# test\n[root]\nfamily = private\nvalidity_days = 365\n"
#define CA	"basicConstraints = critical,CA:TRUE\n" \
		"keyUsage = critical,keyCertSign,cRLSign\n"

static void
test_refusals(void)
{
	struct profile p;
	int rc;

	rc = load(HEAD CA, "root", &p);
	ok(rc == OR_OK, "a minimal profile loads");
	if (rc != OR_OK)
		diag("%s", err_msg(rc));
	profile_free(&p);

	refused("unknown key", HEAD CA "foo = bar\n", "root", "line 7",
	    "unknown key \"foo\"");
	refused("malformed extension line", HEAD "basicConstraints = "
	    "critical,CA:TRUE\nkeyUsage = critical,keyCertSlgn\n", "root",
	    "line 6", "keyUsage");
	refused("malformed basicConstraints", HEAD "basicConstraints = "
	    "critical,CA:MAYBE\n", "root", "line 5", NULL);
	refused("pathlen on CA:FALSE", HEAD "basicConstraints = "
	    "critical,CA:FALSE,pathlen:1\n", "root", "line 5", "pathlen");
	refused("validity 0", "[root]\nfamily = private\nvalidity_days = 0\n"
	    CA, "root", "line 3", "validity_days");
	refused("validity over 100 years", "[root]\nfamily = private\n"
	    "validity_days = 36526\n" CA, "root", "line 3", "validity_days");
	refused("validity not a number", "[root]\nfamily = private\n"
	    "validity_days = 10x\n" CA, "root", "line 3", "validity_days");
	refused("duplicate key", HEAD CA "keyUsage = critical,keyCertSign\n",
	    "root", "line 7", "duplicate key \"keyUsage\" (first at line 6)");
	refused("same extension by OID and name", HEAD CA
	    "2.5.29.15 = critical,keyCertSign\n", "root", "line 7",
	    "same extension");
	refused("section written twice", HEAD CA "[root]\ndigest = sha256\n",
	    "root", "line 7", "twice");
	refused("keyCertSign without CA:TRUE", HEAD "basicConstraints = "
	    "critical,CA:FALSE\nkeyUsage = critical,keyCertSign\n", "root",
	    "line 6", "keyCertSign");
	refused("CA without keyCertSign", HEAD "basicConstraints = "
	    "critical,CA:TRUE\nkeyUsage = critical,cRLSign\n", "root",
	    "line 6", "keyCertSign");
	refused("CA without keyUsage", HEAD "basicConstraints = "
	    "critical,CA:TRUE\n", "root", "line 5", "keyCertSign");
	refused("CA with non-critical basicConstraints", HEAD
	    "basicConstraints = CA:TRUE\nkeyUsage = keyCertSign\n", "root",
	    "line 5", "critical");
	refused("br-root with an EKU", "[root]\nfamily = br-root\n"
	    "validity_days = 3653\n" CA "extendedKeyUsage = serverAuth\n",
	    "root", "line 6", "extendedKeyUsage");
	refused("br-root with 365 days", "[root]\nfamily = br-root\n"
	    "validity_days = 365\n" CA, "root", "line 3", "2922");
	refused("br-root allowing ed25519", "[root]\nfamily = br-root\n"
	    "validity_days = 3653\nkey_types = ec-p384, ed25519\n" CA, "root",
	    "line 4", "ed25519");
	refused("br-subca that is not a CA", "[root]\nfamily = br-subca\n"
	    "validity_days = 365\nbasicConstraints = critical,CA:FALSE\n",
	    "root", "line 4", "CA:TRUE");
	refused("unknown family", "[root]\nfamily = public\n"
	    "validity_days = 365\n" CA, "root", "line 2", "family");
	refused("unknown digest", HEAD CA "digest = md5\n", "root", "line 7",
	    "digest");
	refused("unknown key type", HEAD CA "key_types = ec-p256, dsa-1024\n",
	    "root", "line 7", "dsa-1024");
	refused("min_rsa_bits below 2048", HEAD CA "min_rsa_bits = 1024\n",
	    "root", "line 7", "min_rsa_bits");
	refused("max_pathlen below pathlen", HEAD "basicConstraints = "
	    "critical,CA:TRUE,pathlen:2\nkeyUsage = critical,keyCertSign\n"
	    "max_pathlen = 1\n", "root", "line 7", "max_pathlen");
	refused("max_pathlen without pathlen", HEAD CA "max_pathlen = 1\n",
	    "root", "line 7", "max_pathlen");
	refused("clamp_validity not a boolean", HEAD CA
	    "clamp_validity = maybe\n", "root", "line 7", "clamp_validity");
	refused("missing family", "\n[root]\nvalidity_days = 365\n" CA,
	    "root", "line 2", "family");
	refused("missing validity_days", "[root]\nfamily = private\n" CA,
	    "root", "line 1", "validity_days");
	refused(".include", HEAD CA ".include /etc/ssl/openssl.cnf\n", "root",
	    "line 7", ".include");
	refused("section::key", HEAD CA "root::digest = sha256\n", "root",
	    "line 7", "another section");
	refused("$ENV::", HEAD CA "description = $ENV::HOME\n", "root",
	    "line 7", "ENV");
	refused("comment ending in a backslash", HEAD "# see below \\\n" CA,
	    "root", "line 5", "comment");
	refused("syntax error", HEAD CA "just words\n", "root", "line 7",
	    "syntax error");
	refused("aux section loaded as a profile", HEAD CA
	    "certificatePolicies = @pol\n[pol]\npolicyIdentifier = 1.2.3.4\n",
	    "pol", "line 8", "not a profile");
	refused("unknown section in a certificatePolicies section",
	    HEAD CA "certificatePolicies = @pol\n", "root", "line 7",
	    "certificatePolicies");

	rc = load(HEAD CA, "nope", &p);
	ok(rc == OR_E_INPUT && strcmp(err_msg(rc), "no profile named nope "
	    "in test.cnf") == 0, "unknown section: \"no profile named nope in "
	    "test.cnf\"");
	rc = load(HEAD CA, "default", &p);
	ok(rc == OR_E_INPUT, "the default section is not a profile");
	rc = profile_load_text("[root]\0x", 8, "nul.cnf", "root", &p);
	ok(rc == OR_E_INPUT && strstr(err_msg(rc), "NUL") != NULL,
	    "a NUL byte is refused");
}

static void
test_syntax(void)
{
	struct profile p;
	int rc;

	rc = load("# vars\nlife = 365\n[root]\nfamily = private\n"
	    "validity_days = $life\n" CA "certificatePolicies = "
	    "@pol\n2.5.29.14 = hash\n[pol]\npolicyIdentifier = 1.3.6.1.4.1.99\n"
	    "CPS.1 = \"http://example.com/cps # not a comment\"\n", "root", &p);
	ok(rc == OR_OK, "variables, @sections, OIDs and quotes load");
	if (rc != OR_OK)
		diag("%s", err_msg(rc));
	is_int(p.validity_days, 365, "$variable expanded");
	ok(p.next == 4 && p.ext[3].nid == NID_subject_key_identifier,
	    "an extension named by its OID");
	profile_free(&p);

	rc = load("[root]\r\nfamily = private\r\nvalidity_days = \\\n 30\r\n"
	    CA "foo = 1\n", "root", &p);
	ok(rc == OR_E_INPUT && strstr(err_msg(rc), "line 7") != NULL,
	    "CRLF and continuation lines keep the line count");
	if (rc != OR_E_INPUT)
		diag("%s", err_msg(rc));
}

static int
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (f == NULL)
		return -1;
	fputs(text, f);
	return fclose(f);
}

static void
test_check_file(void)
{
	char dir[] = "/tmp/test-profile-XXXXXX", path[64];
	int rc;

	if (mkdtemp(dir) == NULL) {
		ok(0, "mkdtemp");
		return;
	}
	snprintf(path, sizeof path, "%s/p.cnf", dir);
	write_file(path, HEAD CA "certificatePolicies = @pol\n[pol]\n"
	    "policyIdentifier = 1.2.3.4\n[sub]\nfamily = private\n"
	    "validity_days = 30\nbasicConstraints = critical,CA:FALSE\n"
	    "keyUsage = critical,digitalSignature\n");
	rc = profile_check_file(path, NULL, NULL);
	ok(rc == OR_OK, "check: profiles valid, @pol is not a profile");
	if (rc != OR_OK)
		diag("%s", err_msg(rc));
	unlink(path);
	write_file(path, HEAD CA "[sub]\nfamily = private\n"
	    "validity_days = 30\nbogus = 1\n");
	rc = profile_check_file(path, NULL, NULL);
	ok(rc == OR_E_INPUT && strstr(err_msg(rc), "[sub] line 10") != NULL &&
	    strstr(err_msg(rc), path) != NULL, "check: the bad second profile "
	    "is named");
	if (rc != OR_E_INPUT)
		diag("%s", err_msg(rc));
	unlink(path);
	write_file(path, "# nothing\n");
	rc = profile_check_file(path, NULL, NULL);
	ok(rc == OR_E_INPUT, "check: a file without profiles is refused");
	unlink(path);
	rmdir(dir);
}

/* Index of an extension in a certificate, -1 when absent. */
static int
ext_pos(X509 *x, int nid)
{
	return X509_get_ext_by_NID(x, nid, -1);
}

static void
test_apply(void)
{
	struct profile p;
	EVP_PKEY *key;
	X509_NAME *name = NULL;
	X509 *x = NULL;
	ASN1_OCTET_STRING *ski = NULL;
	AUTHORITY_KEYID *aki = NULL;
	int rc;

	key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	/* The AKI is written before the SKI on purpose. */
	rc = load(HEAD "authorityKeyIdentifier = keyid:always\n" CA
	    "subjectKeyIdentifier = hash\n", "root", &p);
	ok(rc == OR_OK, "apply: profile with the AKI before the SKI loads");
	x = X509_new();
	name = X509_NAME_new();
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
	    (const unsigned char *)"Test Root", -1, -1, 0);
	X509_set_version(x, X509_VERSION_3);
	X509_set_subject_name(x, name);
	X509_set_issuer_name(x, name);
	X509_set_pubkey(x, key);
	rc = profile_apply(&p, x, x);
	ok(rc == OR_OK, "apply: self-signed root");
	if (rc != OR_OK)
		diag("%s", err_msg(rc));
	is_int(X509_get_ext_count(x), 4, "apply: four extensions");
	ok(ext_pos(x, NID_subject_key_identifier) <
	    ext_pos(x, NID_authority_key_identifier),
	    "apply: the SKI is added before the AKI");
	ski = X509_get_ext_d2i(x, NID_subject_key_identifier, NULL, NULL);
	aki = X509_get_ext_d2i(x, NID_authority_key_identifier, NULL, NULL);
	ok(ski != NULL && aki != NULL && aki->keyid != NULL &&
	    ASN1_OCTET_STRING_cmp(ski, aki->keyid) == 0,
	    "apply: the root's AKI keyid is its SKI");
	rc = profile_apply(&p, x, x);
	ok(rc == OR_E_INPUT, "apply: an extension already present is "
	    "refused");
	ASN1_OCTET_STRING_free(ski);
	AUTHORITY_KEYID_free(aki);
	profile_free(&p);
	X509_free(x);
	X509_NAME_free(name);
	EVP_PKEY_free(key);
}

/* crl_days and crl_interval_days: the defaults (validity less an overlap
 * of min(7, validity / 2) days), the values given, and the refusals. */
static void
test_crl_period(void)
{
	static const char ca[] =
	    "[r]\nfamily = private\nvalidity_days = 365\n"
	    "basicConstraints = critical,CA:TRUE\n"
	    "keyUsage = critical,keyCertSign,cRLSign\n";
	char text[512];
	struct profile p;
	long days, interval;

	ok(load(ca, "r", &p) == OR_OK, "a CA profile without CRL keys loads");
	profile_crl_period(&p, &days, &interval);
	ok(days == 30 && interval == 23, "default CRL period: 30 days, one "
	    "every 23 (got %ld, %ld)", days, interval);
	profile_free(&p);
	snprintf(text, sizeof text, "%scrl_days = 10\n", ca);
	ok(load(text, "r", &p) == OR_OK, "crl_days = 10 loads");
	profile_crl_period(&p, &days, &interval);
	ok(days == 10 && interval == 5, "10-day CRLs: one every 5 days by "
	    "default (got %ld, %ld)", days, interval);
	profile_free(&p);
	snprintf(text, sizeof text, "%scrl_days = 1\n", ca);
	ok(load(text, "r", &p) == OR_OK, "crl_days = 1 loads");
	profile_crl_period(&p, &days, &interval);
	ok(days == 1 && interval == 1, "1-day CRLs: one a day");
	profile_free(&p);
	snprintf(text, sizeof text, "%scrl_days = 14\ncrl_interval_days = "
	    "14\n", ca);
	ok(load(text, "r", &p) == OR_OK, "an interval equal to the validity "
	    "loads");
	profile_crl_period(&p, &days, &interval);
	ok(days == 14 && interval == 14, "crl_interval_days as given");
	profile_free(&p);
	snprintf(text, sizeof text, "%scrl_days = 366\n", ca);
	refused("crl_days above 365 (BR 4.9.7)", text, "r", "line 6",
	    "crl_days");
	snprintf(text, sizeof text, "%scrl_days = 14\ncrl_interval_days = "
	    "15\n", ca);
	refused("an interval longer than the validity", text, "r", "line 7",
	    "crl_interval_days 15 is longer");
	refused("CRL keys in a profile that is not a CA",
	    "[l]\nfamily = private\nvalidity_days = 30\n"
	    "basicConstraints = critical,CA:FALSE\ncrl_days = 30\n", "l",
	    "line 5", "CA profile");
}

/* backdate: the durations a profile may write, the defaults, the text. */
static void
test_backdate(void)
{
	static const struct {
		const char *in;
		long secs;	/* -1: refused */
	} v[] = {
		{ "1h", 3600 }, { "1 h", 3600 }, { "30min", 1800 },
		{ "90s", 90 }, { "0", 0 }, { "none", 0 }, { "24h", 86400 },
		{ "86400s", 86400 }, { "1440min", 86400 },
		{ "25h", -1 }, { "86401s", -1 }, { "3600", -1 }, { "-1h", -1 },
		{ "1d", -1 }, { "1m", -1 }, { "h", -1 }, { "", -1 },
		{ "1h30min", -1 }, { " 1h", -1 }, { "99999999999999999999h", -1 },
	};
	struct profile p;
	char text[512], buf[32];
	size_t i;
	long secs;
	int rc;

	for (i = 0; i < sizeof v / sizeof v[0]; i++) {
		bool good = profile_backdate_parse(v[i].in, &secs);

		if (v[i].secs < 0)
			ok(!good, "backdate \"%s\" refused", v[i].in);
		else if (!ok(good && secs == v[i].secs, "backdate \"%s\" is "
		    "%ld s", v[i].in, v[i].secs))
			diag("good %d, %ld s", good, secs);
	}
	rc = load("[i]\nfamily = private\nvalidity_days = 30\n"
	    "basicConstraints = critical,CA:TRUE\n"
	    "keyUsage = critical,keyCertSign\n", "i", &p);
	ok(rc == OR_OK && !p.backdate_set && profile_backdate(&p, false) ==
	    3600 && profile_backdate(&p, true) == 0, "no backdate key: 1 h "
	    "for an issued certificate, none for a self-signed root");
	profile_free(&p);
	rc = load("[i]\nfamily = private\nvalidity_days = 30\n"
	    "backdate = 15min\nbasicConstraints = critical,CA:TRUE\n"
	    "keyUsage = critical,keyCertSign\n", "i", &p);
	ok(rc == OR_OK && profile_backdate(&p, false) == 900 &&
	    profile_backdate(&p, true) == 900, "backdate = 15min: 900 s for "
	    "either use");
	profile_free(&p);
	rc = load("[i]\nfamily = private\nvalidity_days = 30\n"
	    "backdate = none\nbasicConstraints = critical,CA:TRUE\n"
	    "keyUsage = critical,keyCertSign\n", "i", &p);
	ok(rc == OR_OK && profile_backdate(&p, false) == 0, "backdate = none: "
	    "no backdate for an issued certificate either");
	profile_free(&p);
	snprintf(text, sizeof text, "[i]\nfamily = private\nvalidity_days = "
	    "30\nbasicConstraints = critical,CA:TRUE\nkeyUsage = critical,"
	    "keyCertSign\nbackdate = 2d\n");
	refused("backdate in days", text, "i", "line 6", "backdate");
	ok(strstr(err_msg(OR_E_INPUT), "0 to 24 h") != NULL, "... the message "
	    "gives the range");
	profile_load(NULL, "intermediate", &p);
	ok(!p.backdate_set && profile_backdate(&p, false) == 3600, "built-in "
	    "intermediate: the default hour");
	profile_free(&p);
	profile_backdate_text(3600, buf, sizeof buf);
	is_str(buf, "1 h", "3600 s reads 1 h");
	profile_backdate_text(5400, buf, sizeof buf);
	is_str(buf, "1 h 30 min", "5400 s reads 1 h 30 min");
	profile_backdate_text(600, buf, sizeof buf);
	is_str(buf, "10 min", "600 s reads 10 min");
	profile_backdate_text(45, buf, sizeof buf);
	is_str(buf, "45 s", "45 s reads 45 s");
	profile_backdate_text(0, buf, sizeof buf);
	is_str(buf, "none", "0 reads none");
}

int
main(void)
{
	test_builtin();
	test_backdate();
	test_kubernetes();
	test_refusals();
	test_syntax();
	test_check_file();
	test_apply();
	test_crl_period();
	(void)plan_tests;	/* tap.h: done_testing() plans */
	return done_testing();
}
