/*
 * cmd-digest.c — offroot digest FILE...: the SHA-256 of files, in hex
 * groups and in PGP words, for reading aloud.
 *
 * A ceremony compares hashes that did not come from offroot's own
 * objects: the release's binary and package against the printed
 * RELEASE.txt, a CSR file against the `sha256sum` its requester ran, a
 * profile set or script against the reviewed copy.  Two people compare
 * them by voice, so each is shown as the witnesses' fingerprint block
 * (util.h fingerprint_block), with the plain lowercase hex that
 * sha256sum(1) prints on the first line.
 */
#include <stdio.h>
#include <string.h>

#include "cadb.h"
#include "cmd.h"
#include "err.h"
#include "util.h"

static const struct cmd_opt digest_opts[] = {
	{ "quiet", 'q', 0 },
	{ NULL, 0, 0 }
};

static int
digest_exec(struct cmd_args *a, struct interact *io)
{
	unsigned char md[SHA256_LEN];
	char hex[2 * SHA256_LEN + 1], block[1024];
	int i, rc;

	for (i = 0; i < a->argc; i++) {
		if ((rc = file_sha256_hex(a->argv[i], hex)) != OR_OK ||
		    (rc = hex_decode(hex, md, sizeof md)) != OR_OK)
			return rc;
		fingerprint_block(md, block, sizeof block);
		while (block[0] != '\0' && block[strlen(block) - 1] == '\n')
			block[strlen(block) - 1] = '\0';
		interact_say(io, SAY_RESULT, "%s  %s\n%s", hex, a->argv[i],
		    block);
	}
	return OR_OK;
}

const struct cmd_entry cmd_digest_entry = {
	"digest",
	"FILE...",
	"the SHA-256 of files in hex and PGP words, to compare aloud",
	digest_opts, 1, 64, digest_exec
};
