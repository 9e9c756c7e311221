/*
 * bundle.h — the signed export bundle carried back to the online side.
 *
 * A bundle is a new folder of files plus MANIFEST (sha256sum format: one
 * line "<64 hex>  <relative path>" per file, sorted by path) and
 * MANIFEST.sig (the root key's signature over MANIFEST, checkable with a
 * stock openssl command that README.txt spells out).  It is assembled in
 * memory, written into a hidden staging folder beside OUTDIR, every file
 * read back and compared, and the folder renamed into place without
 * replacing anything: a failure leaves no partial bundle.
 */
#ifndef OFFROOT_BUNDLE_H
#define OFFROOT_BUNDLE_H

#include <stddef.h>

#include "keystore.h"

#define BUNDLE_MANIFEST		"MANIFEST"
#define BUNDLE_MANIFEST_SIG	"MANIFEST.sig"
#define BUNDLE_MAX_FILES	4096
#define MANIFEST_MAX		(1u << 20)

struct bundle_file {
	char *name;		/* relative path, at most one "/" */
	unsigned char *data;
	size_t len;
};

struct bundle {
	struct bundle_file *files;
	size_t n, cap;
};

int bundle_add(struct bundle *b, const char *name, const void *data,
    size_t len);
void bundle_free(struct bundle *b);
/* Builds MANIFEST over the files added so far. */
int bundle_manifest(const struct bundle *b, char **text, size_t *len);
/* Adds MANIFEST and MANIFEST.sig (signed by ks with digest) and writes the
 * whole bundle into a hidden staging folder beside outdir (which must not
 * exist), named in stage (PATH_MAX): synced and read back, but not a
 * bundle yet.  manifest_sha256 receives the SHA-256 of MANIFEST.  The
 * caller records the export, then bundle_publish renames the folder into
 * place: a kill leaves at most a staging folder, never a complete bundle
 * the journal does not record.  Nothing is left on failure. */
int bundle_stage(struct bundle *b, const char *outdir, struct keystore *ks,
    const char *digest, unsigned char manifest_sha256[32], char *stage,
    size_t size);
int bundle_publish(const char *stage, const char *outdir);
/* Removes a staging folder of bundle_stage. */
void bundle_unstage(const char *stage);

struct manifest_entry {
	unsigned char sha256[32];
	char path[256];
};
/* Parses MANIFEST text strictly: every line "<64 lowercase hex>  <path>"
 * ending in LF, paths relative (no "..", no leading "/", no "//", at most
 * one "/", printable ASCII), sorted and unique.  *entries is malloc'd. */
int manifest_parse(const char *text, size_t len,
    struct manifest_entry **entries, size_t *n);

/* The stock openssl command that checks MANIFEST.sig with root.pub (the
 * root's public key) for a root key of type t, into out. */
int manifest_verify_hint(enum keytype t, char *out, size_t size);

#endif
