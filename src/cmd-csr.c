/*
 * cmd-csr.c — offroot csr: a certificate signing request signed by the
 * root key, for the root's own subject unless --subject names another, so
 * that an existing CA can cross-sign this root.  The work is rootcsr.c's.
 */
#include "cmd.h"
#include "err.h"
#include "rootcsr.h"
#include "util.h"

static const struct cmd_opt csr_opts[] = {
	{ "dir", 'd', OPT_ARG | OPT_REQUIRED },
	{ "output", 'o', OPT_ARG | OPT_REQUIRED },
	{ "subject", 0, OPT_ARG },
	CMD_OPTS_UNLOCK,
	{ "quiet", 'q', 0 },
	{ NULL, 0, 0 }
};

static int
csr_exec(struct cmd_args *a, struct interact *io)
{
	struct rootcsr_params p = { 0 };
	struct rootcsr_result res;
	char fp[1024];
	int rc;

	p.dir = args_get(a, "dir");
	p.output = args_get(a, "output");
	p.subject = args_get(a, "subject");
	if ((rc = rootcsr_run(&p, io, &res)) != OR_OK)
		return rc;
	interact_say(io, SAY_RESULT, "certificate request written to %s",
	    p.output);
	fingerprint_block(res.csr_sha256, fp, sizeof fp);
	io->show_block(io, "SHA-256 of the request's DER (openssl req -in "
	    "FILE -outform DER | sha256sum): give it to the other CA", fp);
	fingerprint_block(res.file_sha256, fp, sizeof fp);
	io->show_block(io, "SHA-256 of the file (sha256sum FILE):", fp);
	return OR_OK;
}

const struct cmd_entry cmd_csr_entry = {
	"csr",
	"-d DIR -o FILE [--subject DN] " CMD_USAGE_UNLOCK,
	"write a CSR signed by the root key, for a cross-certificate",
	csr_opts, 0, 0, csr_exec
};
