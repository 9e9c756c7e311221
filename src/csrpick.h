/*
 * csrpick.h — which CSR on the medium a request means, decided on the
 * day: a sign-csrs step's `csr` item (manuals/offroot-ceremony.5) or the
 * TUI's "Sign CSRs" answer can be a file name, a pattern or "choose".
 *
 *   intermediate.csr   that file; when it is not on the medium the
 *                      officer may look again, pick another CSR from the
 *                      medium's list, or abandon
 *   *.csr, in/x*.req  a pattern (fnmatch(3): * ? [...], in the last
 *                      name only): one match is taken, several are listed
 *                      for the officer to pick one, none says so, naming
 *                      the pattern and the medium, and offers to look
 *                      again or abandon
 *   choose             the list of the medium's CSRs (top folder: every
 *                      file that parses as a CSR, and every *.csr or
 *                      *.req that does not, shown as unreadable)
 *
 * Each file of a list is shown as "NAME  KEY  SHA-256 (of the file, its
 * first 16 hex digits)  SUBJECT", or "NAME  UNREADABLE: reason": a
 * malformed file is listed, never signed, and never crashes the list.
 * The file name comes first, up to its first space, so an answers file
 * can name the choice (interact-batch.h).  Names are escaped for display
 * (names.h).  Everything goes through struct interact, so the TUI, the
 * CLI and the batch runner share it.
 */
#ifndef OFFROOT_CSRPICK_H
#define OFFROOT_CSRPICK_H

#include <stdbool.h>
#include <stddef.h>

#include "interact.h"

#define CSRPICK_MAX	64	/* files listed */
#define CSRPICK_LINE	384	/* a list line */

struct csrpick_entry {
	char name[256];		/* relative to the medium, as found */
	bool ok;		/* parses as a CSR */
	char line[CSRPICK_LINE];/* what the list shows */
	char reason[CSRPICK_LINE]; /* why it is unreadable; "" when ok */
	char file_sha256[65];	/* of the file's bytes; "" when unread */
};

struct csrpick_list {
	struct csrpick_entry e[CSRPICK_MAX];
	size_t n;
	size_t more;		/* matches beyond CSRPICK_MAX, not listed */
};

/* What was taken, for the transcript. */
struct csrpick_result {
	char name[256];		/* relative to the medium */
	char file_sha256[65];
	const char *how;	/* "named", "only match", "chosen" */
};

/* Whether item is a pattern or "choose" (not a plain file name). */
bool csrpick_is_pattern(const char *item);
/* The medium's files that pattern matches (NULL or "choose": its CSRs),
 * sorted by name, each read and parsed. */
int csrpick_scan(const char *media, const char *pattern,
    struct csrpick_list *out);
/*
 * Resolves one item against the medium, asking the officer when it takes
 * a choice (what names the question: "step 4", "Sign CSRs").  OR_OK with
 * res filled; OR_E_CANCEL when the officer abandons; OR_E_INPUT naming the
 * item and the medium when nothing matches and no choice can be had (an
 * answers file without one).
 */
int csrpick_resolve(struct interact *io, const char *media,
    const char *item, const char *what, struct csrpick_result *res);

#endif
