/*
 * cmd-transcript.c — offroot transcript print|verify: a transcript on
 * paper, and its chain and seal checked on any machine.
 */
#include <stdio.h>
#include <string.h>

#include <openssl/x509.h>

#include "cadb.h"
#include "cmd.h"
#include "err.h"
#include "journal.h"
#include "transcript.h"
#include "util.h"

static const struct cmd_opt transcript_opts[] = {
	{ "root", 0, OPT_ARG },
	{ "quiet", 'q', 0 },
	{ NULL, 0, 0 }
};

/* One record: "seq  time  type", then its fields, multi-line values
 * indented. */
static int
print_record(const struct jrecord *r, void *ctx)
{
	FILE *f = ctx;
	const char *v, *nl;
	size_t i;

	fprintf(f, "%4llu  %s  %s\n", (unsigned long long)r->seq,
	    r->time_text, r->type);
	for (i = 0; i < r->nfields; i++) {
		fprintf(f, "        %-18s ", r->fields[i].key);
		for (v = r->fields[i].value; (nl = strchr(v, '\n')) != NULL &&
		    nl[1] != '\0'; v = nl + 1)
			fprintf(f, "%.*s\n        %-18s ", (int)(nl - v), v, "");
		fprintf(f, "%.*s\n", (int)strcspn(v, "\n"), v);
	}
	return OR_OK;
}

static int
transcript_exec(struct cmd_args *a, struct interact *io)
{
	const char *verb = a->argv[0], *path = a->argv[1];
	const char *rootfile = args_get(a, "root");
	struct transcript_info ti;
	char fh[65], head[65];
	X509 *root = NULL;
	int rc;

	if (strcmp(verb, "print") == 0) {
		if ((rc = transcript_verify(path, NULL, &ti)) != OR_OK)
			return rc;
		printf("offroot transcript %s\noperation %s, %llu records, %s\n\n",
		    path, ti.operation, (unsigned long long)ti.records,
		    ti.sealed ? "closed and sealed (check the seal with "
		    "offroot transcript verify --root)" : ti.closed ?
		    "closed, NOT sealed" : "NOT CLOSED: the run was interrupted "
		    "or is still going");
		if ((rc = journal_scan(path, print_record, stdout)) != OR_OK)
			return err_context(rc, "transcript %s", path);
		if (ti.closed) {
			hex_encode(ti.final_hash, 32, fh);
			printf("\nfinal hash %s\n", fh);
		}
		fflush(stdout);
		return OR_OK;
	}
	if (strcmp(verb, "verify") == 0) {
		if (rootfile == NULL)
			return err_set(OR_E_USAGE, "transcript verify: give the "
			    "root certificate with --root ROOT.pem");
		if ((rc = load_cert_file(rootfile, &root)) != OR_OK)
			return rc;
		rc = transcript_verify(path, X509_get0_pubkey(root), &ti);
		X509_free(root);
		if (rc != OR_OK)
			return rc;
		hex_encode(ti.final_hash, 32, fh);
		hex_encode(ti.journal_head, 32, head);
		interact_say(io, SAY_RESULT, "%s: %llu records, operation %s, "
		    "chain intact, sealed by the root key", path,
		    (unsigned long long)ti.records, ti.operation);
		interact_say(io, SAY_RESULT, "final hash %s", fh);
		interact_say(io, SAY_INFO, "names CA journal record %llu (%s)",
		    (unsigned long long)ti.journal_seq, head);
		return OR_OK;
	}
	return err_set(OR_E_USAGE, "transcript: expected print or verify, got "
	    "\"%s\"", verb);
}

const struct cmd_entry cmd_transcript_entry = {
	"transcript",
	"print FILE | verify FILE --root ROOT.pem",
	"print a transcript, or verify its chain and the root key's seal",
	transcript_opts, 2, 2, transcript_exec
};
