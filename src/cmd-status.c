/*
 * cmd-status.c — offroot status: the CA at a glance (root, key store,
 * journal, counts, CRL due date, certificates expiring soon) and the
 * warnings an officer must act on (among them a pre-signed "good" OCSP
 * response still valid for a revoked certificate, with the command that
 * signs a "revoked" one, and a folder a killed init left beside it), and
 * the journal's head for the paper log, as
 * text or --json.  Read-only: it
 * takes no lock and opens no key, so it is safe to run at any time, and
 * it still reports what it can read when the journal does not verify.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/x509.h>

#include "cadb.h"
#include "calendar.h"
#include "cmd.h"
#include "crl.h"
#include "dn.h"
#include "err.h"
#include "json.h"
#include "keystore.h"
#include "leftover.h"
#include "pgpwords.h"
#include "profile.h"
#include "recover.h"
#include "revoke.h"
#include "secret.h"
#include "util.h"

#define MAX_WARN	16

static const struct cmd_opt status_opts[] = {
	{ "dir", 'd', OPT_ARG | OPT_REQUIRED },
	{ "json", 0, 0 },
	{ NULL, 0, 0 }
};

struct status {
	struct cadb_summary sum;
	int journal_rc;
	bool have_head;
	char head_hex[2 * CADB_HEAD_LEN + 1], head_words[CADB_HEAD_WORDS_MAX];
	unsigned long long head_seq;
	char journal_error[512];
	bool have_root, have_key;
	char subject[1024], serial[64], not_before[21], not_after[21];
	char fp_hex[65], fp_words[512];
	long root_days_left;
	enum cal_root_alert root_alert;
	struct sealed_info key;
	char next_crl[21], crl_due[21], crl_covered[21], ahead_next[21];
	struct revoke_db rdb;		/* revocations since the last CRL */
	unsigned long long since_crl;
	struct calendar cal;		/* certificates expiring soon */
	size_t nwarn;
	char warn[MAX_WARN][768];
};

/* Adds a warning line (the first MAX_WARN are kept). */
static void __attribute__((format(printf, 2, 3)))
status_warn(struct status *s, const char *fmt, ...)
{
	va_list ap;

	if (s->nwarn == MAX_WARN)
		return;
	va_start(ap, fmt);
	vsnprintf(s->warn[s->nwarn++], sizeof s->warn[0], fmt, ap);
	va_end(ap);
}

/* root.crt: its subject, serial, dates and fingerprint, and whether it is
 * the one the journal records. */
static void
gather_root(const char *dir, time_t now, struct status *s)
{
	unsigned char md[32];
	char path[PATH_MAX], alert[512];
	X509 *root = NULL;
	BIGNUM *bn = NULL;
	long days;
	time_t na;
	char *hex;

	if (cadb_path(dir, CADB_ROOT_CERT, path, sizeof path) != OR_OK ||
	    load_cert_file(path, &root) != OR_OK) {
		status_warn(s, "cannot read %s: %s", path, err_msg(OR_E_INPUT));
		return;
	}
	s->have_root = true;
	dn_format(X509_get_subject_name(root), s->subject, sizeof s->subject);
	if ((bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(root),
	    NULL)) != NULL && (hex = BN_bn2hex(bn)) != NULL) {
		snprintf(s->serial, sizeof s->serial, "%s", hex);
		OPENSSL_free(hex);
	}
	BN_free(bn);
	utc_text(asn1_unix(X509_get0_notBefore(root)), s->not_before);
	na = asn1_unix(X509_get0_notAfter(root));
	utc_text(na, s->not_after);
	s->root_days_left = (long)((na - now) / 86400);
	if (cert_sha256(root, md) == OR_OK) {
		hex_encode(md, sizeof md, s->fp_hex);
		pgpwords_render(md, sizeof md, s->fp_words,
		    sizeof s->fp_words);
	}
	/* From 90 days on, and loudly from 30: renew or roll over. */
	s->root_alert = calendar_root_alert(na, now, &days, alert,
	    sizeof alert);
	if (s->root_alert != CAL_ROOT_OK)
		status_warn(s, "%s", alert);
	if (s->journal_rc == OR_OK && s->sum.renewals > 0 &&
	    strcmp(s->fp_hex, s->sum.root_prev_sha256) == 0)
		status_warn(s, "root.crt is still the certificate that the "
		    "renewal of journal record %llu replaced: that renew-root "
		    "was interrupted; the next command that takes the lock "
		    "finishes it", (unsigned long long)s->sum.renewed_seq);
	else if (s->journal_rc == OR_OK &&
	    strcmp(s->fp_hex, s->sum.root_sha256) != 0)
		status_warn(s, "root.crt is not the certificate the journal "
		    "records");
	X509_free(root);
}

/* What the journal last says of the vendor's backup of a token key. */
static const char *
token_backup_text(const struct cadb_summary *sum)
{
	static char text[96];
	char when[UTC_TEXT_LEN + 1];

	if (sum->token_backed_up[0] == '\0')
		return "not recorded (a CA made before offroot recorded it)";
	utc_text(sum->token_backup_time, when);
	snprintf(text, sizeof text, "%s, recorded %s",
	    strcmp(sum->token_backed_up, "yes") == 0 ? "backed up" :
	    "NOT backed up", when);
	return text;
}

/* The key store: the sealed key file's header, or the token key
 * reference checked against the journal. */
static void
gather_key(const char *dir, struct status *s)
{
	char path[PATH_MAX], keyref[65];

	if (cadb_path(dir, CADB_SEALED_KEY, path, sizeof path) == OR_OK &&
	    sealed_info(path, &s->key) == OR_OK) {
		s->have_key = true;
		if (s->key.kdf != KDF_SENSITIVE)
			status_warn(s, "the key file is sealed with the %s "
			    "Argon2id level, weaker than sensitive",
			    kdf_level_name(s->key.kdf));
		if (s->key.quorum_n != 0 && s->key.quorum_m == 1)
			status_warn(s, "a 1-of-%u quorum: each officer's share "
			    "alone opens the key", s->key.quorum_n);
	} else if (s->journal_rc == OR_OK &&
	    strcmp(s->sum.store, "sealed") == 0) {
		status_warn(s, "sealed key file: %s", err_msg(OR_E_CORRUPT));
	}
	/* A token key: the reference names the module that check-key and
	 * every signing command will load, so it must be the recorded one. */
	if (s->journal_rc == OR_OK && strcmp(s->sum.store, "pkcs11") == 0 &&
	    (cadb_path(dir, CADB_KEY_URI, path, sizeof path) != OR_OK ||
	    file_sha256_hex(path, keyref) != OR_OK ||
	    strcmp(keyref, s->sum.key_file_sha256) != 0))
		status_warn(s, "%s is missing or not the key reference the "
		    "journal records", CADB_KEY_URI);
	/* offroot cannot copy a token key: until the officers record the
	 * vendor's backup, the token is the only copy of the root. */
	if (s->journal_rc == OR_OK && strcmp(s->sum.store, "pkcs11") == 0 &&
	    strcmp(s->sum.token_backed_up, "no") == 0)
		status_warn(s, "the root key on token \"%s\" is recorded as NOT "
		    "backed up: losing the token loses the root (after the "
		    "vendor's backup: offroot token-backup)",
		    s->sum.token_label);
}

/* The CRL's due dates, revocations not on a CRL yet, and certificates
 * expiring soon. */
/* A folder a killed init left beside the CA (leftover.h): a second root
 * no journal records, until the next init in this folder decides. */
static void
gather_leftovers(const char *dir, struct status *s)
{
	struct leftover_set set;
	char what[768];
	size_t i;

	if (leftover_find(dir, &set) != OR_OK) {
		err_clear();
		return;
	}
	for (i = 0; i < set.n; i++) {
		leftover_holds(&set.l[i], what, sizeof what);
		status_warn(s, "%s was left by an interrupted init beside this "
		    "CA and holds %s: a root no journal records "
		    "(offroot-recovery(7), \"A leftover init key\")",
		    set.l[i].path, what);
	}
	leftover_free(&set);
}

static void
gather_crl(time_t now, struct status *s)
{
	const struct calendar *c = &s->cal;
	size_t i;

	if (c->has_crl) {
		/* The next ceremony is due CRL_REFRESH_DAYS before the CRLs
		 * signed (ahead, too) run out: time to gather the officers. */
		utc_text(c->crl_next_update, s->next_crl);
		utc_text(c->crl_covered, s->crl_covered);
		utc_text(c->crl_due, s->crl_due);
		utc_text(c->ahead_next_publish, s->ahead_next);
		if (c->crl_next_update < now)
			status_warn(s, "the CRL EXPIRED on %s: every chain under "
			    "this root fails revocation checks; sign a new CRL "
			    "now", s->next_crl);
		else if (c->crl_covered - now < CRL_REFRESH_DAYS * 86400L)
			status_warn(s, "the %s nextUpdate is %s, within %d "
			    "days: sign the next CRL now", c->crl_covered ==
			    c->crl_next_update ? "CRL's" : "last CRL signed "
			    "ahead's", s->crl_covered, CRL_REFRESH_DAYS);
	} else if (s->journal_rc == OR_OK) {
		status_warn(s, "no CRL has been signed yet");
	}
	/* Withdrawn CRLs signed ahead must never be published. */
	if (c->ok && c->nwithdrawn > 0) {
		char files[CAL_MAX_WITHDRAWN * 66 + 32] = "";
		size_t used = 0;

		for (i = 0; i < c->nwithdrawn; i++)
			used += (size_t)snprintf(files + used, sizeof files -
			    used, "%s%s", i > 0 ? ", " : "",
			    c->withdrawn[i].file);
		if (c->more_withdrawn > 0)
			snprintf(files + used, sizeof files - used,
			    " and %zu more", c->more_withdrawn);
		status_warn(s, "%zu CRL%s signed ahead %s WITHDRAWN (%s lack%s "
		    "later revocations): delete %s from the publication point "
		    "and never publish %s: %s",
		    c->nwithdrawn + c->more_withdrawn,
		    plural_s(c->nwithdrawn + c->more_withdrawn),
		    c->nwithdrawn + c->more_withdrawn == 1 ? "is" : "are",
		    c->nwithdrawn + c->more_withdrawn == 1 ? "it" : "they",
		    c->nwithdrawn + c->more_withdrawn == 1 ? "s" : "",
		    c->nwithdrawn + c->more_withdrawn == 1 ? "it" : "them",
		    c->nwithdrawn + c->more_withdrawn == 1 ? "it" : "them",
		    files);
	}
	if (s->journal_rc == OR_OK && s->rdb.since_crl > 0)
		status_warn(s, "%llu revocation%s on no CRL yet: sign and "
		    "publish a CRL within 24 hours of a revocation (BR 4.9.7)",
		    (unsigned long long)s->rdb.since_crl,
		    s->rdb.since_crl == 1 ? " is" : "s are");
	if (s->journal_rc == OR_OK && s->rdb.incomplete_batches > 0)
		status_warn(s, "a bulk revocation beginning at journal record "
		    "%llu was interrupted and has no effect; run it again",
		    (unsigned long long)s->rdb.incomplete_seq);
	s->since_crl = s->rdb.since_crl;
	if (s->journal_rc == OR_OK && s->cal.nexpiring > 0)
		status_warn(s, "%zu issued certificate%s expire%s within %d "
		    "days: plan the re-signing ceremony", s->cal.nexpiring,
		    s->cal.nexpiring == 1 ? "" : "s",
		    s->cal.nexpiring == 1 ? "s" : "", CAL_SOON_DAYS);
}

/* The journal's head (the paper log's line), once the chain verified. */
static void
gather_head(const char *dir, struct status *s)
{
	unsigned char hash[32];
	uint64_t seq;

	if (s->journal_rc != OR_OK || cadb_head(dir, &seq, hash) != OR_OK)
		return;
	s->have_head = true;
	s->head_seq = seq;
	cadb_head_text(hash, s->head_hex, s->head_words);
}

/* Good OCSP responses still valid for revoked serials (calendar.h). */
static void
gather_ocsp(const char *dir, struct status *s)
{
	const struct cal_ocsp *o;
	char nu[21];
	size_t i;

	for (i = 0; s->cal.ok && i < s->cal.nocsp; i++) {
		o = &s->cal.ocsp[i];
		utc_text(o->next_update, nu);
		if (o->answered)
			status_warn(s, "serial %s is revoked, but the OCSP "
			    "response written to %s says \"good\" until %s; "
			    "a \"revoked\" response was signed since: make "
			    "sure it replaced the good one", o->serial,
			    o->file[0] != '\0' ? o->file : "(not recorded)", nu);
		else
			status_warn(s, "serial %s is revoked, but the OCSP "
			    "response written to %s says \"good\" until %s: "
			    "sign a \"revoked\" response and publish it in its "
			    "place: offroot ocsp -d %s --serial %s -o FILE",
			    o->serial, o->file[0] != '\0' ? o->file :
			    "(not recorded)", nu, dir, o->serial);
	}
	if (s->cal.more_ocsp > 0)
		status_warn(s, "%zu more good OCSP responses of revoked serials "
		    "are still valid", s->cal.more_ocsp);
}

/* A CA whose intermediate profile is CA/B without a crl-url cannot sign
 * one (lint e_subca_crldp_missing): said before the ceremony, not in it. */
static void
gather_publish(const char *dir, struct status *s)
{
	struct profile prof;
	char path[PATH_MAX];

	if (s->journal_rc != OR_OK || s->sum.crl_url[0] != '\0' ||
	    cadb_path(dir, CADB_PROFILES, path, sizeof path) != OR_OK ||
	    profile_load(path, "intermediate", &prof) != OR_OK) {
		err_clear();
		return;
	}
	if (prof.family == FAMILY_BR_SUBCA)
		status_warn(s, "no CRL URL: profile intermediate (CA/B) refuses "
		    "to sign until one is set (offroot set -d DIR "
		    "crl-url=http://...)");
	profile_free(&prof);
}

/* Everything status shows, and the warnings, in the order they are
 * listed. */
static void
gather(const char *dir, struct status *s)
{
	time_t now = time(NULL);

	/* One pass: the summary, the revocations and the calendar. */
	memset(&s->rdb, 0, sizeof s->rdb);
	s->journal_rc = calendar_scan(dir, now, &s->cal, &s->sum, &s->rdb);
	if (s->journal_rc != OR_OK) {
		snprintf(s->journal_error, sizeof s->journal_error, "%s",
		    err_msg(s->journal_rc));
		status_warn(s, "journal: %s", s->journal_error);
	}
	gather_root(dir, now, s);
	gather_key(dir, s);
	gather_publish(dir, s);
	gather_crl(now, s);
	gather_ocsp(dir, s);
	gather_head(dir, s);
	gather_leftovers(dir, s);
	revoke_db_free(&s->rdb);
	if (!secret_memory_locked())
		status_warn(s, "memory locking (mlock) is not available: "
		    "secrets could reach swap");
}

/* The earlier root certificates renewals kept under roots/. */
static void
print_roots(const struct status *s)
{
	char when[3][21];
	size_t i;

	if (s->journal_rc != OR_OK || s->cal.nroots == 0)
		return;
	printf("earlier roots:  %zu certificate%s of the same key and subject "
	    "in %s/ (renew-root)\n", s->cal.nroots + s->cal.more_roots,
	    plural_s(s->cal.nroots + s->cal.more_roots), CADB_ROOTS);
	for (i = 0; i < s->cal.nroots; i++) {
		utc_text(s->cal.roots[i].not_before, when[0]);
		utc_text(s->cal.roots[i].not_after, when[1]);
		utc_text(s->cal.roots[i].replaced, when[2]);
		printf("                %s\n                  serial %s, valid "
		    "%s to %s, replaced %s\n", s->cal.roots[i].file,
		    s->cal.roots[i].serial, when[0], when[1], when[2]);
	}
	if (s->cal.more_roots > 0)
		printf("                ... and %zu older\n", s->cal.more_roots);
}

static const char *
alert_name(enum cal_root_alert a)
{
	switch (a) {
	case CAL_ROOT_RENEW:
		return "renew";
	case CAL_ROOT_RENEW_NOW:
		return "renew-now";
	case CAL_ROOT_EXPIRED:
		return "expired";
	default:
		return "ok";
	}
}

/* A rollover: the successor this root certified (rollover.h), and the
 * root this CA succeeds. */
static void
print_rollover(const struct status *s)
{
	unsigned char md[32];
	char words[512], when[21];

	if (s->sum.rolled_to_sha256[0] != '\0') {
		utc_text(s->sum.rolled_time, when);
		printf("rolled over:    %s to %s (new CA directory %s)\n",
		    when, s->sum.rolled_to_subject, s->sum.rolled_to_dir);
		printf("                its SHA-256 %s\n",
		    s->sum.rolled_to_sha256);
		if (hex_decode_lower(s->sum.rolled_to_sha256, md, sizeof md)) {
			pgpwords_render(md, sizeof md, words, sizeof words);
			printf("                in words: %s\n", words);
		}
	}
	if (s->sum.rolled_from_sha256[0] != '\0')
		printf("succeeds:       %s, SHA-256 %s (cross-signed by it)\n",
		    s->sum.rolled_from_subject, s->sum.rolled_from_sha256);
}

/* Where a token key is, and what is known of its origin and backup. */
static void
print_token(const struct status *s)
{
	if (strcmp(s->sum.store, "pkcs11") != 0)
		return;
	printf("token:          \"%s\", serial %s (at init)\n",
	    s->sum.token_label, s->sum.token_serial);
	printf("token backup:   %s\n", token_backup_text(&s->sum));
	if (strcmp(s->sum.key_origin, "imported") == 0)
		printf("key origin:     imported from the sealed key file by "
		    "migrate (journal record %llu): the token reports it "
		    "never always sensitive, once extractable\n",
		    (unsigned long long)s->sum.migrated);
	else if (s->sum.key_origin[0] != '\0')
		printf("key origin:     %s\n", strcmp(s->sum.key_origin,
		    "generated") == 0 ? "generated on the token" :
		    s->sum.key_origin);
	printf("key URI:        %s\n", s->sum.key_uri);
	printf("module:         %s\n", s->sum.module[0] != '\0' ?
	    s->sum.module : "the modules p11-kit is configured with");
}

/* The sealed key file: one passphrase or an officer quorum. */
static void
print_key_file(const struct status *s)
{
	if (s->have_key && s->key.quorum_n == 0)
		printf("key file:       Argon2id %s (opslimit %llu, memlimit "
		    "%llu MiB), one passphrase\n", kdf_level_name(s->key.kdf),
		    (unsigned long long)s->key.opslimit,
		    (unsigned long long)(s->key.memlimit >> 20));
	if (s->have_key && s->key.quorum_n != 0) {
		char kid[65], set[33];

		hex_encode(s->key.pubkey_sha256, 4, kid);
		hex_encode(s->key.set_id, 4, set);
		printf("key file:       %u-of-%u officer quorum, share set %s "
		    "(share files offroot-%s-%s-share-X-of-%u.share), shares "
		    "sealed with Argon2id %s (opslimit %llu, memlimit %llu "
		    "MiB)\n", s->key.quorum_m, s->key.quorum_n, set, kid, set,
		    s->key.quorum_n, kdf_level_name(s->key.kdf),
		    (unsigned long long)s->key.opslimit,
		    (unsigned long long)(s->key.memlimit >> 20));
	}
}

/* The last CRL, the schedule signed ahead, and the withdrawn files. */
static void
print_crls(const struct status *s)
{
	size_t i;

	if (s->cal.has_crl) {
		printf("last CRL:       number %llu, nextUpdate %s\n",
		    s->cal.crl_number, s->next_crl);
		if (s->cal.ahead_left > 0)
			printf("signed ahead:   %zu CRL%s to publish, "
			    "next %s at %s; they run out at %s\n",
			    s->cal.ahead_left,
			    plural_s(s->cal.ahead_left),
			    s->cal.ahead_next_file, s->ahead_next,
			    s->crl_covered);
		printf("next CRL due:   %s (a ceremony before then)\n",
		    s->crl_due);
	} else
		printf("last CRL:       none\n");
	for (i = 0; s->cal.ok && i < s->cal.nwithdrawn; i++)
		printf("%s%s (CRL %llu): delete it, never publish "
		    "it\n", i == 0 ? "withdrawn:      " :
		    "                ", s->cal.withdrawn[i].file,
		    s->cal.withdrawn[i].number);
}

static void
print_text(const char *dir, const struct status *s)
{
	size_t i;

	printf("CA directory:   %s\n", dir);
	if (s->have_root) {
		printf("root subject:   %s\n", s->subject);
		printf("root serial:    %s\n", s->serial);
		printf("valid:          %s to %s (%ld days left)\n",
		    s->not_before, s->not_after, s->root_days_left);
		printf("SHA-256:        %s\n", s->fp_hex);
		printf("in words:       %s\n", s->fp_words);
	}
	print_roots(s);
	if (s->journal_rc == OR_OK) {
		printf("key:            %s in a %s store\n", s->sum.key_type,
		    s->sum.store);
		print_token(s);
		printf("profile:        %s\n", s->sum.profile);
		printf("CRL URL:        %s\n", s->sum.crl_url[0] != '\0' ?
		    s->sum.crl_url : "not set (offroot set -d DIR "
		    "crl-url=URL)");
		printf("CA issuers URL: %s\n", s->sum.ca_issuers_url[0] !=
		    '\0' ? s->sum.ca_issuers_url : "not set");
		print_rollover(s);
	}
	print_key_file(s);
	if (s->journal_rc == OR_OK) {
		printf("journal:        %llu records, chain intact\n",
		    (unsigned long long)s->sum.records);
		if (s->have_head)
			printf("journal head:   %s (%s), record %llu\n",
			    s->head_hex, s->head_words, s->head_seq);
		printf("issued:         %llu certificate%s, %llu revoked\n",
		    (unsigned long long)s->sum.issued,
		    plural_s(s->sum.issued),
		    (unsigned long long)s->cal.revoked);
		if (s->sum.recovered > 0)
			printf("recovered:      %llu action%s after crashes, %llu "
			    "file%s set aside in %s/ (offroot-recovery(7))\n",
			    (unsigned long long)s->sum.recovered,
			    s->sum.recovered == 1 ? "" : "s",
			    (unsigned long long)s->sum.quarantined,
			    s->sum.quarantined == 1 ? "" : "s",
			    RECOVER_QUARANTINE);
		print_crls(s);
		for (i = 0; s->cal.ok && i < s->cal.nexpiring &&
		    i < CAL_MAX_EXPIRING; i++) {
			char when[21];

			utc_text(s->cal.expiring[i].not_after, when);
			printf("%s%s  %s (serial %s)\n", i == 0 ?
			    "expiring soon:  " : "                ", when,
			    s->cal.expiring[i].subject,
			    s->cal.expiring[i].serial);
		}
	}
	printf("memory locking: %s\n", secret_memory_locked() ?
	    "available" : "NOT available");
	for (i = 0; i < s->nwarn; i++)
		printf("WARNING: %s\n", s->warn[i]);
}

/* "ocsp_good_revoked": the good responses still valid for revoked
 * serials, each with the command that signs a revoked one. */
static void
print_json_ocsp(struct json *j, const char *dir, const struct status *s)
{
	const struct cal_ocsp *o;
	char nu[21], cmd[PATH_MAX + 128];
	size_t i;

	json_open(j, "ocsp_good_revoked", '[');
	for (i = 0; s->cal.ok && i < s->cal.nocsp; i++) {
		o = &s->cal.ocsp[i];
		utc_text(o->next_update, nu);
		snprintf(cmd, sizeof cmd, "offroot ocsp -d %s --serial %s -o "
		    "FILE", dir, o->serial);
		json_open(j, NULL, '{');
		json_str(j, "serial", o->serial);
		json_str(j, "next_update", nu);
		json_str(j, "file", o->file);
		json_int(j, "record", (long long)o->seq);
		json_bool(j, "revoked_response_signed", o->answered);
		json_str(j, "command", cmd);
		json_close(j, '{');
	}
	json_close(j, '[');
}

/* "root" and "earlier_roots" (roots/, renew-root). */
static void
print_json_roots(struct json *j, const struct status *s)
{
	size_t i;

	if (s->have_root) {
		json_open(j, "root", '{');
		json_str(j, "subject", s->subject);
		json_str(j, "serial", s->serial);
		json_str(j, "not_before", s->not_before);
		json_str(j, "not_after", s->not_after);
		json_int(j, "days_left", s->root_days_left);
		json_str(j, "expiry", alert_name(s->root_alert));
		json_str(j, "sha256", s->fp_hex);
		json_str(j, "sha256_words", s->fp_words);
		json_close(j, '{');
	}
	json_open(j, "earlier_roots", '[');
	for (i = 0; s->journal_rc == OR_OK && i < s->cal.nroots; i++) {
		char when[3][21];

		utc_text(s->cal.roots[i].not_before, when[0]);
		utc_text(s->cal.roots[i].not_after, when[1]);
		utc_text(s->cal.roots[i].replaced, when[2]);
		json_open(j, NULL, '{');
		json_str(j, "file", s->cal.roots[i].file);
		json_str(j, "serial", s->cal.roots[i].serial);
		json_str(j, "not_before", when[0]);
		json_str(j, "not_after", when[1]);
		json_str(j, "replaced", when[2]);
		json_close(j, '{');
	}
	json_close(j, '[');
}

/* "key", the profile, the publication points and a rollover either way. */
static void
print_json_key(struct json *j, const struct status *s)
{
	if (s->journal_rc != OR_OK)
		return;
	json_open(j, "key", '{');
	json_str(j, "type", s->sum.key_type);
	json_str(j, "store", s->sum.store);
	if (strcmp(s->sum.store, "pkcs11") == 0) {
		json_str(j, "uri", s->sum.key_uri);
		json_str(j, "module", s->sum.module);
		json_str(j, "token_label", s->sum.token_label);
		json_str(j, "token_serial", s->sum.token_serial);
		json_str(j, "token_backed_up",
		    s->sum.token_backed_up);
		json_str(j, "key_origin", s->sum.key_origin);
	}
	if (s->have_key) {
		json_str(j, "kdf", kdf_level_name(s->key.kdf));
		json_int(j, "kdf_opslimit", (long long)s->key.opslimit);
		json_int(j, "kdf_memlimit", (long long)s->key.memlimit);
		json_int(j, "quorum_m", s->key.quorum_m);
		json_int(j, "quorum_n", s->key.quorum_n);
	}
	json_close(j, '{');
	json_str(j, "profile", s->sum.profile);
	json_str(j, "crl_url", s->sum.crl_url);
	json_str(j, "ca_issuers_url", s->sum.ca_issuers_url);
	json_open(j, "rolled_over_to", '{');
	json_str(j, "sha256", s->sum.rolled_to_sha256);
	json_str(j, "subject", s->sum.rolled_to_subject);
	json_str(j, "dir", s->sum.rolled_to_dir);
	json_close(j, '{');
	json_open(j, "succeeds", '{');
	json_str(j, "sha256", s->sum.rolled_from_sha256);
	json_str(j, "subject", s->sum.rolled_from_subject);
	json_close(j, '{');
}

/* "crl": the last CRL, the schedule signed ahead, the withdrawn files. */
static void
print_json_crl(struct json *j, const struct status *s)
{
	size_t i;

	json_open(j, "crl", '{');
	json_bool(j, "present", s->cal.has_crl);
	json_int(j, "revocations_since", (long long)s->since_crl);
	if (s->cal.has_crl) {
		json_int(j, "number", (long long)s->cal.crl_number);
		json_str(j, "next_update", s->next_crl);
		json_str(j, "covered_until", s->crl_covered);
		json_str(j, "next_due", s->crl_due);
	}
	json_open(j, "ahead", '{');
	json_int(j, "left", (long long)s->cal.ahead_left);
	if (s->cal.ahead_left > 0) {
		json_int(j, "next_number",
		    (long long)s->cal.ahead_next_number);
		json_str(j, "next_file", s->cal.ahead_next_file);
		json_str(j, "next_publish", s->ahead_next);
	}
	json_close(j, '{');
	json_open(j, "withdrawn", '[');
	for (i = 0; s->cal.ok && i < s->cal.nwithdrawn; i++) {
		char tu[21], nu[21];

		utc_text(s->cal.withdrawn[i].this_update, tu);
		utc_text(s->cal.withdrawn[i].next_update, nu);
		json_open(j, NULL, '{');
		json_int(j, "number", (long long)s->cal.withdrawn[i].number);
		json_str(j, "file", s->cal.withdrawn[i].file);
		json_str(j, "this_update", tu);
		json_str(j, "next_update", nu);
		json_close(j, '{');
	}
	json_close(j, '[');
	json_close(j, '{');
}

static void
print_json(const char *dir, const struct status *s)
{
	struct json j;
	size_t i;

	json_begin(&j, stdout);
	json_str(&j, "dir", dir);
	print_json_roots(&j, s);
	print_json_key(&j, s);
	json_open(&j, "journal", '{');
	json_bool(&j, "ok", s->journal_rc == OR_OK);
	json_int(&j, "records", (long long)s->sum.records);
	if (s->journal_rc != OR_OK)
		json_str(&j, "error", s->journal_error);
	if (s->have_head) {
		json_str(&j, "head", s->head_hex);
		json_str(&j, "head_words", s->head_words);
		json_int(&j, "head_record", (long long)s->head_seq);
	}
	json_close(&j, '{');
	json_int(&j, "issued", (long long)s->sum.issued);
	json_int(&j, "revoked", (long long)s->cal.revoked);
	json_open(&j, "recovered", '{');
	json_int(&j, "actions", (long long)s->sum.recovered);
	json_int(&j, "quarantined", (long long)s->sum.quarantined);
	json_close(&j, '{');
	print_json_crl(&j, s);
	json_open(&j, "expiring_soon", '[');
	for (i = 0; s->cal.ok && i < s->cal.nexpiring &&
	    i < CAL_MAX_EXPIRING; i++) {
		char when[21];

		utc_text(s->cal.expiring[i].not_after, when);
		json_open(&j, NULL, '{');
		json_str(&j, "serial", s->cal.expiring[i].serial);
		json_str(&j, "subject", s->cal.expiring[i].subject);
		json_str(&j, "not_after", when);
		json_close(&j, '{');
	}
	json_close(&j, '[');
	print_json_ocsp(&j, dir, s);
	json_bool(&j, "memory_locked", secret_memory_locked());
	json_open(&j, "warnings", '[');
	for (i = 0; i < s->nwarn; i++)
		json_elem(&j, s->warn[i]);
	json_close(&j, '[');
	json_end(&j);
}

static int
status_exec(struct cmd_args *a, struct interact *io)
{
	const char *dir = args_get(a, "dir");
	struct status s;
	char jpath[PATH_MAX];

	memset(&s, 0, sizeof s);
	if (cadb_path(dir, CADB_JOURNAL, jpath, sizeof jpath) != OR_OK ||
	    access(jpath, F_OK) == -1)
		return err_set(OR_E_INPUT, "%s is not a CA directory (no "
		    "journal)", dir);
	gather(dir, &s);
	if (args_has(a, "json"))
		print_json(dir, &s);
	else
		print_text(dir, &s);
	if (s.journal_rc != OR_OK)
		return err_set(s.journal_rc, "%s", s.journal_error);
	return OR_OK;
}

const struct cmd_entry cmd_status_entry = {
	"status",
	"-d DIR [--json]",
	"show the root, its key store, counts, CRL due date and warnings",
	status_opts, 0, 0, status_exec
};
