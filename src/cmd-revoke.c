/*
 * cmd-revoke.c — offroot revoke: record revocations in the journal, then
 * warn about every pre-signed "good" OCSP response for a serial just
 * revoked that is still valid (ocsp-good.h): it says "good" until its
 * nextUpdate wherever it was copied, and about CRLs signed ahead whose
 * time has not come (crl-ahead.h): they do not list it, so they are
 * withdrawn (a crl-withdraw record) and must never be published.
 */
#include <stdio.h>
#include <string.h>

#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "cadb.h"
#include "cmd.h"
#include "crl-ahead.h"
#include "err.h"
#include "fileio.h"
#include "ocsp-good.h"
#include "recover.h"
#include "revoke.h"
#include "util.h"

static const struct cmd_opt revoke_opts[] = {
	{ "dir", 'd', OPT_ARG | OPT_REQUIRED },
	{ "serial", 0, OPT_ARG },
	{ "cert", 0, OPT_ARG },
	{ "serials-file", 0, OPT_ARG },
	{ "reason", 0, OPT_ARG | OPT_REQUIRED },
	{ "date", 0, OPT_ARG },
	{ "invalidity-date", 0, OPT_ARG },
	{ "unknown-ok", 0, 0 },
	{ "quiet", 'q', 0 },
	{ NULL, 0, 0 }
};

/* The serial of a certificate this root signed. */
static int
cert_serial(struct cadb *db, const char *path, struct serial *s)
{
	X509 *root = NULL, *cert = NULL;
	int rc;

	if ((rc = cadb_load_root(db->dir, &db->sum, &root)) != OR_OK ||
	    (rc = load_cert_file(path, &cert)) != OR_OK)
		goto out;
	if (X509_check_issued(root, cert) != X509_V_OK ||
	    X509_verify(cert, X509_get0_pubkey(root)) != 1) {
		rc = err_openssl(OR_E_INPUT, "%s was not issued by this root",
		    path);
		goto out;
	}
	if ((rc = serial_from_asn1(X509_get0_serialNumber(cert), s)) !=
	    OR_OK)
		err_context(rc, "%s", path);
out:
	X509_free(cert);
	X509_free(root);
	return rc;
}

static int
revoke_exec(struct cmd_args *a, struct interact *io)
{
	const char *dir = args_get(a, "dir"), *file = args_get(a, "serials-file");
	const char *v;
	struct revoke_request req;
	struct revoke_list list = { 0 };
	struct serial one;
	struct cadb *db = NULL;
	struct ocsp_goods goods;
	unsigned char *data = NULL, md[SHA256_LEN];
	char hex[SERIAL_HEX], sha[65], when[21];
	size_t len, unknown = 0;
	int given, rc;

	memset(&req, 0, sizeof req);
	ocsp_goods_init(&goods, time(NULL));
	given = args_has(a, "serial") + args_has(a, "cert") + (file != NULL);
	if (given != 1)
		return err_set(OR_E_USAGE, "revoke: give exactly one of "
		    "--serial, --cert and --serials-file");
	if ((rc = revoke_reason_parse(args_get(a, "reason"), &req.reason)) !=
	    OR_OK)
		return rc;
	if ((v = args_get(a, "date")) != NULL &&
	    (rc = revoke_parse_time(v, &req.revoked_at)) != OR_OK)
		return err_context(rc, "--date");
	if ((v = args_get(a, "invalidity-date")) != NULL &&
	    (rc = revoke_parse_time(v, &req.invalidity)) != OR_OK)
		return err_context(rc, "--invalidity-date");
	req.unknown_ok = args_has(a, "unknown-ok");
	if (req.revoked_at == 0)
		req.revoked_at = time(NULL);

	if ((v = args_get(a, "serial")) != NULL &&
	    (rc = serial_parse(v, strlen(v), &one)) != OR_OK) {
		rc = err_context(rc, "--serial %s", v);
		goto out;
	}
	if (file != NULL) {
		/* Every line is checked before the journal is even opened. */
		if ((rc = file_read(file, REVOKE_MAX_FILE, &data, &len)) !=
		    OR_OK)
			goto out;
		if ((rc = revoke_parse_serials((const char *)data, len,
		    &list)) != OR_OK) {
			err_context(rc, "%s", file);
			goto out;
		}
		if ((rc = sha256(data, len, md)) != OR_OK)
			goto out;
		hex_encode(md, sizeof md, sha);
		req.source_sha256 = sha;
	}
	if ((rc = cadb_open_visit(dir, ocsp_goods_visit, &goods, &db)) !=
	    OR_OK || (rc = recover_ca_load(db, io)) != OR_OK)
		goto out;
	if ((v = args_get(a, "cert")) != NULL &&
	    (rc = cert_serial(db, v, &one)) != OR_OK)
		goto out;
	if (file != NULL)
		rc = revoke_record(db, &req, list.s, list.line, list.n,
		    &unknown);
	else
		rc = revoke_record(db, &req, &one, NULL, 1, &unknown);
	if (rc != OR_OK)
		goto out;
	utc_text(req.revoked_at, when);
	if (file != NULL) {
		interact_say(io, SAY_RESULT, "revoked %zu serials from %s "
		    "(%s, %s)%s", list.n, file, revoke_reason_name(req.reason),
		    when, unknown > 0 ? "; some were not issued by this CA" :
		    "");
	} else {
		serial_to_hex(&one, hex);
		interact_say(io, SAY_RESULT, "revoked %s (%s, %s)%s", hex,
		    revoke_reason_name(req.reason), when, unknown > 0 ?
		    "; it was not issued by this CA" : "");
	}
	interact_say(io, SAY_INFO, "sign and publish a new CRL within 24 "
	    "hours (BR 4.9.7): offroot crl -d %s -o FILE", dir);
	/* CRLs signed ahead whose time has not come do not list it: the
	 * replay already treats them as withdrawn; say so and record it. */
	{
		struct revoke_db rdb;

		if ((rc = revoke_db_load(dir, 0, &rdb)) != OR_OK)
			goto out;
		rc = crl_ahead_withdraw(db, &rdb, time(NULL), false,
		    "a revocation recorded after the schedule was signed", io);
		revoke_db_free(&rdb);
		if (rc != OR_OK)
			goto out;
	}
	if (file != NULL)
		ocsp_goods_warn(io, dir, &goods, list.s, list.n);
	else
		ocsp_goods_warn(io, dir, &goods, &one, 1);
out:
	ocsp_goods_free(&goods);
	cadb_close(db);
	revoke_list_free(&list);
	free(data);
	return rc;
}

const struct cmd_entry cmd_revoke_entry = {
	"revoke",
	"-d DIR (--serial HEX | --cert FILE | --serials-file FILE) "
	    "--reason REASON [--date TIME] [--invalidity-date TIME] "
	    "[--unknown-ok]",
	"record the revocation of certificates in the journal",
	revoke_opts, 0, 0, revoke_exec
};
