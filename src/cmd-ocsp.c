/*
 * cmd-ocsp.c — offroot ocsp: a pre-signed OCSP response (good or revoked)
 * for one serial this CA issued, for relying parties of an offline root
 * that has no responder.  The response is recorded in the journal and in a
 * sealed transcript (op.h).
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cadb.h"
#include "cmd.h"
#include "err.h"
#include "fileio.h"
#include "keystore.h"
#include "ocsp.h"
#include "op.h"
#include "revoke.h"
#include "transcript.h"
#include "util.h"

static const struct cmd_opt ocsp_opts[] = {
	{ "dir", 'd', OPT_ARG | OPT_REQUIRED },
	{ "serial", 0, OPT_ARG | OPT_REQUIRED },
	{ "output", 'o', OPT_ARG | OPT_REQUIRED },
	{ "days", 0, OPT_ARG },
	CMD_OPTS_UNLOCK,
	{ "quiet", 'q', 0 },
	{ NULL, 0, 0 }
};

/* The ocsp record: serial, status and validity of the response, and the
 * file it was written to. */
static void
ocsp_fields(struct jfields *f, const struct ocsp_plan *plan, const char *hex,
    const char *sha, const char *where)
{
	jf_init(f);
	jf_add(f, "serial", hex);
	jf_add(f, "status", plan->revoked ? "revoked" : "good");
	if (plan->revoked) {
		jf_add(f, "reason", revoke_reason_name(plan->reason));
		jf_add_i64(f, "revoked_at", plan->revoked_at);
	}
	jf_add_i64(f, "this_update", plan->this_update);
	jf_add_i64(f, "next_update", plan->next_update);
	jf_add(f, "sha256", sha);
	jf_add(f, "file", where);
}

static int
ocsp_exec(struct cmd_args *a, struct interact *io)
{
	const char *dir = args_get(a, "dir"), *out = args_get(a, "output");
	const char *sv = args_get(a, "serial");
	const struct op_output outs[] = { { out, OP_NEW_FILE }, { NULL, 0 } };
	struct serial serial;
	struct ocsp_plan plan;
	struct op op;
	unsigned char *der = NULL, md[SHA256_LEN];
	char hex[SERIAL_HEX], sha[65];
	char tut[21], nut[21], where[PATH_MAX];
	struct jfields f;
	size_t len;
	long days = 0;
	int rc;

	if ((rc = args_long(a, "days", 1, 36525, &days)) != OR_OK)
		return rc;
	if ((rc = serial_parse(sv, strlen(sv), &serial)) != OR_OK)
		return err_context(rc, "--serial %s", sv);
	if ((rc = op_begin(&op, dir, "ocsp", outs, io)) != OR_OK ||
	    (rc = ocsp_prepare(op.db, op.root, &serial, days, &plan)) != OR_OK ||
	    (rc = op_unlock(&op, io, NULL)) != OR_OK)
		goto out;
	if ((rc = ocsp_build(&plan, op.ks, &der, &len)) != OR_OK ||
	    (rc = sha256(der, len, md)) != OR_OK)
		goto out;
	hex_encode(md, sizeof md, sha);
	serial_to_hex(&serial, hex);
	file_absolute(out, where, sizeof where);
	ocsp_fields(&f, &plan, hex, sha, where);
	/* Recorded first, written out after (ARCHITECTURE decision 10): no
	 * signed response reaches the media that the journal does not
	 * record. */
	if ((rc = cadb_append(op.db, "ocsp", &f)) != OR_OK ||
	    (rc = transcript_add(op.tr, "ocsp", &f)) != OR_OK)
		goto out;
	if ((rc = file_write_new(out, der, len, 0644)) != OR_OK) {
		rc = err_context(rc, "the OCSP response is signed and recorded "
		    "(SHA-256 %.16s...), but not written to %s", sha, out);
		goto out;
	}
	if ((rc = op_finish(&op)) != OR_OK)
		goto out;
	utc_text(plan.this_update, tut);
	utc_text(plan.next_update, nut);
	interact_say(io, SAY_RESULT, "OCSP response for %s: %s%s%s, valid "
	    "%s to %s, written to %s", hex, plan.revoked ? "revoked" : "good",
	    plan.revoked ? ", " : "", plan.revoked ?
	    revoke_reason_name(plan.reason) : "", tut, nut, out);
out:
	free(der);
	rc = op_fail(&op, rc);
	op_end(&op);
	return rc;
}

const struct cmd_entry cmd_ocsp_entry = {
	"ocsp",
	"-d DIR --serial HEX -o FILE [--days N] " CMD_USAGE_UNLOCK,
	"sign an OCSP response (good or revoked) for a certificate issued here",
	ocsp_opts, 0, 0, ocsp_exec
};
