/* bundle.c — the signed export bundle (bundle.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "bundle.h"
#include "keystore.h"
#include "err.h"
#include "fileio.h"
#include "util.h"
#include "workers.h"

static bool
path_ok(const char *p)
{
	const char *s;
	size_t n = strlen(p), slashes = 0;

	if (n == 0 || n >= 256 || p[0] == '/' || p[0] == '.' ||
	    p[n - 1] == '/' || strstr(p, "..") != NULL ||
	    strstr(p, "//") != NULL || strstr(p, "/.") != NULL)
		return false;
	for (s = p; *s != '\0'; s++) {
		if (*s == '/')
			slashes++;
		else if (*s <= 0x20 || *s >= 0x7f || *s == '\\')
			return false;
	}
	return slashes <= 1;
}

int
bundle_add(struct bundle *b, const char *name, const void *data, size_t len)
{
	struct bundle_file *nf, *f;
	size_t i;

	if (!path_ok(name))
		return err_set(OR_E_INPUT, "bundle: bad file name \"%s\"", name);
	for (i = 0; i < b->n; i++)
		if (strcmp(b->files[i].name, name) == 0)
			return err_set(OR_E_INPUT, "bundle: %s added twice",
			    name);
	if (b->n == BUNDLE_MAX_FILES)
		return err_set(OR_E_INPUT, "bundle: too many files");
	if (b->n == b->cap) {
		b->cap = b->cap ? 2 * b->cap : 16;
		if ((nf = realloc(b->files, b->cap * sizeof *nf)) == NULL)
			return err_set(OR_E_NOMEM, "out of memory");
		b->files = nf;
	}
	f = &b->files[b->n];
	if ((f->name = strdup(name)) == NULL ||
	    (f->data = malloc(len ? len : 1)) == NULL) {
		free(f->name);
		return err_set(OR_E_NOMEM, "out of memory");
	}
	memcpy(f->data, data, len);
	f->len = len;
	b->n++;
	return OR_OK;
}

void
bundle_free(struct bundle *b)
{
	size_t i;

	for (i = 0; i < b->n; i++) {
		free(b->files[i].name);
		free(b->files[i].data);
	}
	free(b->files);
	memset(b, 0, sizeof *b);
}

static int
by_name(const void *a, const void *b)
{
	return strcmp(((const struct bundle_file *)a)->name,
	    ((const struct bundle_file *)b)->name);
}

int
bundle_manifest(const struct bundle *b, char **text, size_t *len)
{
	struct bundle_file *sorted;
	unsigned char md[32];
	char hex[65], *out, *p;
	size_t i, cap = 1;
	int rc = OR_OK;

	*text = NULL;
	if ((sorted = malloc((b->n ? b->n : 1) * sizeof *sorted)) == NULL)
		return err_set(OR_E_NOMEM, "out of memory");
	memcpy(sorted, b->files, b->n * sizeof *sorted);
	qsort(sorted, b->n, sizeof *sorted, by_name);
	for (i = 0; i < b->n; i++)
		cap += 64 + 2 + strlen(sorted[i].name) + 1;
	if ((out = malloc(cap)) == NULL) {
		free(sorted);
		return err_set(OR_E_NOMEM, "out of memory");
	}
	p = out;
	for (i = 0; i < b->n && rc == OR_OK; i++) {
		if ((rc = sha256(sorted[i].data, sorted[i].len, md)) != OR_OK)
			break;
		hex_encode(md, sizeof md, hex);
		p += sprintf(p, "%s  %s\n", hex, sorted[i].name);
	}
	free(sorted);
	if (rc != OR_OK) {
		free(out);
		return rc;
	}
	*text = out;
	*len = (size_t)(p - out);
	return OR_OK;
}

/* Removes a staging folder written by bundle_stage (one level of
 * sub-folders). */
static void
remove_tree(const char *dir)
{
	char path[PATH_MAX];
	struct dirent *de;
	struct stat st;
	DIR *d;

	if ((d = opendir(dir)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (file_join(path, sizeof path, dir, de->d_name) != OR_OK)
			continue;
		if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode))
			remove_tree(path);
		else
			unlink(path);
	}
	closedir(d);
	rmdir(dir);
}

static int
write_file(const char *stage, const struct bundle_file *f)
{
	char path[PATH_MAX], sub[PATH_MAX];
	const char *slash = strchr(f->name, '/');
	struct stat st;
	int rc;

	if (slash != NULL) {
		size_t dlen = strlen(stage), nlen = (size_t)(slash - f->name);

		if (dlen + 1 + nlen + 1 > sizeof sub)
			return err_set(OR_E_INPUT, "path too long: %s", f->name);
		memcpy(sub, stage, dlen);
		sub[dlen] = '/';
		memcpy(sub + dlen + 1, f->name, nlen);
		sub[dlen + 1 + nlen] = '\0';
		/* Synced with the whole bundle by file_batch_sync.  Jobs
		 * writing into the same folder race to create it; the
		 * staging folder is ours alone, so EEXIST is the other
		 * job's mkdir. */
		if (stat(sub, &st) == -1 && mkdir(sub, 0755) == -1 &&
		    errno != EEXIST)
			return err_errno(OR_E_IO, "cannot create folder %s", sub);
	}
	if ((rc = file_join(path, sizeof path, stage, f->name)) != OR_OK)
		return rc;
	return file_write_new_ex(path, f->data, f->len, 0644, FILE_BATCH |
	    FILE_DIRECT);
}

/* What the jobs of bundle_write share (workers.h). */
struct bundle_jobs {
	const char *stage;
	const struct bundle *b;
};

static int
write_job(void *ctx, size_t i)
{
	struct bundle_jobs *bj = ctx;

	return write_file(bj->stage, &bj->b->files[i]);
}

/* Reads one file back from the media (a job). */
static int
check_job(void *ctx, size_t i)
{
	struct bundle_jobs *bj = ctx;
	const struct bundle_file *f = &bj->b->files[i];
	char path[PATH_MAX];
	int rc;

	if ((rc = file_join(path, sizeof path, bj->stage, f->name)) != OR_OK)
		return rc;
	return file_check(path, f->data, f->len);
}

/* After the batch: one flush of the file system (syncfs writes the
 * sub-folders' entries with everything else), then every file read back
 * and compared. */
static int
sync_and_check(const char *stage, const struct bundle *b)
{
	struct bundle_jobs bj = { stage, b };
	int rc;

	if ((rc = file_batch_sync(stage)) != OR_OK)
		return rc;
	return workers_run(b->n, check_job, NULL, &bj, 0);
}

int
bundle_stage(struct bundle *b, const char *outdir, struct keystore *ks,
    const char *digest, unsigned char manifest_sha256[32], char *stage,
    size_t size)
{
	char parent[PATH_MAX], *manifest = NULL;
	unsigned char *sig = NULL;
	const char *base;
	size_t mlen = 0, siglen = 0;
	struct stat st;
	int n, rc;

	stage[0] = '\0';
	if (lstat(outdir, &st) == 0)
		return err_set(OR_E_EXISTS, "%s already exists; a bundle is "
		    "always written into a new folder", outdir);
	file_dirname(outdir, parent, sizeof parent);
	base = strrchr(outdir, '/');
	base = base != NULL ? base + 1 : outdir;
	if (*base == '\0' || strcmp(base, ".") == 0 || strcmp(base, "..") == 0)
		return err_set(OR_E_USAGE, "name the bundle folder without a "
		    "trailing slash");
	if ((rc = bundle_manifest(b, &manifest, &mlen)) != OR_OK)
		return rc;
	if ((rc = sha256(manifest, mlen, manifest_sha256)) != OR_OK ||
	    (rc = keystore_sign(ks, digest, (unsigned char *)manifest, mlen,
	    &sig, &siglen)) != OR_OK ||
	    (rc = bundle_add(b, BUNDLE_MANIFEST, manifest, mlen)) != OR_OK ||
	    (rc = bundle_add(b, BUNDLE_MANIFEST_SIG, sig, siglen)) != OR_OK)
		goto out;

	n = snprintf(stage, size, "%s/.%s" FILE_STAGE_MARK "XXXXXX", parent,
	    base);
	if (n < 0 || (size_t)n >= size) {
		rc = err_set(OR_E_INPUT, "path too long: %s", outdir);
		goto out;
	}
	if (mkdtemp(stage) == NULL) {
		rc = err_errno(OR_E_IO, "cannot create a folder in %s", parent);
		goto out;
	}
	if (chmod(stage, 0755) == -1) {
		rc = err_errno(OR_E_IO, "%s", stage);
		goto fail;
	}
	/* Every file is written before the folder is renamed into place, so
	 * the order of writing does not matter: they go on every CPU. */
	{
		struct bundle_jobs bj = { stage, b };

		if ((rc = workers_run(b->n, write_job, NULL, &bj, 0)) != OR_OK)
			goto fail;
	}
	if ((rc = sync_and_check(stage, b)) == OR_OK)
		goto out;
fail:
	bundle_unstage(stage);
out:
	if (rc != OR_OK)
		stage[0] = '\0';
	free(manifest);
	OPENSSL_free(sig);
	return rc;
}

int
bundle_publish(const char *stage, const char *outdir)
{
	char parent[PATH_MAX];

	file_dirname(outdir, parent, sizeof parent);
	if (renameat2(AT_FDCWD, stage, AT_FDCWD, outdir, RENAME_NOREPLACE) ==
	    -1 && (errno != EINVAL || rename(stage, outdir) == -1))
		return err_errno(errno == EEXIST || errno == ENOTEMPTY ?
		    OR_E_EXISTS : OR_E_IO, "moving the bundle into %s", outdir);
	return file_sync_dir(parent);
}

void
bundle_unstage(const char *stage)
{
	if (stage[0] != '\0')
		remove_tree(stage);
}

int
manifest_parse(const char *text, size_t len, struct manifest_entry **entries,
    size_t *n)
{
	struct manifest_entry *e = NULL, *ne;
	size_t cap = 0, count = 0, line = 0, plen;
	const char *p = text, *end = text + len, *nl;
	int rc;

	*entries = NULL;
	*n = 0;
	if (len > MANIFEST_MAX)
		return err_set(OR_E_INPUT, "MANIFEST is too large");
	while (p < end) {
		line++;
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL) {
			rc = err_set(OR_E_INPUT, "MANIFEST line %zu does not "
			    "end in a newline", line);
			goto fail;
		}
		if (nl - p < 64 + 2 + 1 || p[64] != ' ' || p[65] != ' ') {
			rc = err_set(OR_E_INPUT, "MANIFEST line %zu is not "
			    "\"<sha256>  <file>\"", line);
			goto fail;
		}
		if (count == BUNDLE_MAX_FILES) {
			rc = err_set(OR_E_INPUT, "MANIFEST lists too many files");
			goto fail;
		}
		if (count == cap) {
			cap = cap ? 2 * cap : 16;
			if ((ne = realloc(e, cap * sizeof *ne)) == NULL) {
				rc = err_set(OR_E_NOMEM, "out of memory");
				goto fail;
			}
			e = ne;
		}
		if (!hex_decode_lower(p, e[count].sha256, 32)) {
			rc = err_set(OR_E_INPUT, "MANIFEST line %zu: bad digest",
			    line);
			goto fail;
		}
		plen = (size_t)(nl - (p + 66));
		if (plen >= sizeof e[count].path || memchr(p + 66, '\0', plen)) {
			rc = err_set(OR_E_INPUT, "MANIFEST line %zu: bad file "
			    "name", line);
			goto fail;
		}
		memcpy(e[count].path, p + 66, plen);
		e[count].path[plen] = '\0';
		if (!path_ok(e[count].path)) {
			rc = err_set(OR_E_INPUT, "MANIFEST line %zu: unsafe "
			    "file name", line);
			goto fail;
		}
		if (count > 0 && strcmp(e[count - 1].path, e[count].path) >= 0) {
			rc = err_set(OR_E_INPUT, "MANIFEST line %zu: not sorted "
			    "or a duplicate", line);
			goto fail;
		}
		count++;
		p = nl + 1;
	}
	if (count == 0) {
		rc = err_set(OR_E_INPUT, "MANIFEST is empty");
		goto fail;
	}
	*entries = e;
	*n = count;
	return OR_OK;
fail:
	free(e);
	return rc;
}

int
manifest_verify_hint(enum keytype t, char *out, size_t size)
{
	const char *digest = keytype_default_digest(t);

	if (digest == NULL)
		snprintf(out, size, "openssl pkeyutl -verify -pubin -inkey "
		    "root.pub -rawin -in MANIFEST -sigfile MANIFEST.sig");
	else
		snprintf(out, size, "openssl dgst -%s -verify root.pub "
		    "-signature MANIFEST.sig MANIFEST", digest);
	return OR_OK;
}
