/*
 * op.c — the lifecycle of a command that uses the root key (op.h): lock
 * and open the CA, check the outputs, then transcript and key as late as
 * possible, and one way to end, done or failed.  Written once here so that
 * every key-using command records a failed run the same way and audit
 * accepts what it leaves.
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "cadb.h"
#include "err.h"
#include "fileio.h"
#include "interact.h"
#include "keystore.h"
#include "op.h"
#include "recover.h"
#include "transcript.h"

/* Free space a media folder must have before the key is unlocked. */
#define OP_MIN_FREE_BYTES	(256u << 10)

/* A folder that new files go into: there and writable, and (room) not
 * full. */
static int
check_folder(const char *folder, bool room)
{
	struct statvfs vfs;
	struct stat st;

	if (stat(folder, &st) == -1 || !S_ISDIR(st.st_mode))
		return err_set(OR_E_IO, "%s: the media folder is missing "
		    "(is the media mounted?)", folder);
	if (statvfs(folder, &vfs) == -1)
		return err_errno(OR_E_IO, "%s", folder);
	if (vfs.f_flag & ST_RDONLY)
		return err_set(OR_E_IO, "%s is read-only", folder);
	if (access(folder, W_OK) == -1)
		return err_errno(OR_E_IO, "%s", folder);
	if (room && (unsigned long long)vfs.f_bavail * vfs.f_frsize <
	    OP_MIN_FREE_BYTES)
		return err_set(OR_E_IO, "%s has less than %u KiB free: the "
		    "media is full", folder, OP_MIN_FREE_BYTES >> 10);
	return OR_OK;
}

/* One output path can be written, before anything is.  A bundle's
 * folder: a staging folder a killed run left beside it is named to the
 * officer. */
int
op_check_output(const struct op_output *o, const char *ca_dir,
    struct interact *io)
{
	char parent[PATH_MAX];
	struct stat st;

	if (file_within(o->path, ca_dir))
		return err_set(OR_E_USAGE, "%s is inside the CA directory %s: "
		    "outputs go to the media, never into the CA directory",
		    o->path, ca_dir);
	/* Share files are a few hundred bytes; a medium that runs out is
	 * caught, and undone, by reshare_commit. */
	if (o->kind == OP_INTO_FOLDER)
		return check_folder(o->path, false);
	if (lstat(o->path, &st) == 0)
		return o->kind == OP_NEW_FOLDER ?
		    err_set(OR_E_EXISTS, "%s already exists; a bundle is "
		    "always written into a new folder", o->path) :
		    err_set(OR_E_EXISTS, "%s already exists; refusing to "
		    "overwrite it", o->path);
	file_dirname(o->path, parent, sizeof parent);
	if (o->kind == OP_NEW_FOLDER) {
		recover_say_stages(parent, "bundle", "export writes one for "
		    "a certificate the journal records as issued", io);
	}
	return check_folder(parent, true);
}

int
op_begin_visit(struct op *op, const char *dir, const char *name,
    const struct op_output *outs, journal_visit_fn visit, void *visit_ctx,
    struct interact *io)
{
	int rc;

	memset(op, 0, sizeof *op);
	snprintf(op->name, sizeof op->name, "%s", name);
	if ((rc = cadb_open_visit(dir, visit, visit_ctx, &op->db)) != OR_OK ||
	    (rc = recover_root(op->db, io)) != OR_OK ||
	    (rc = cadb_load_root(dir, &op->db->sum, &op->root)) != OR_OK ||
	    (rc = recover_ca(op->db, op->root, io)) != OR_OK)
		return rc;
	op->seq = journal_seq(op->db->journal);
	for (; outs != NULL && outs->path != NULL; outs++)
		if ((rc = op_check_output(outs, dir, io)) != OR_OK)
			return rc;
	return OR_OK;
}

int
op_begin(struct op *op, const char *dir, const char *name,
    const struct op_output *outs, struct interact *io)
{
	return op_begin_visit(op, dir, name, outs, NULL, NULL, io);
}

int
op_unlock(struct op *op, struct interact *io, struct keystore **held)
{
	struct keystore *ks = NULL;
	int rc;

	op->held = held;
	if ((rc = transcript_begin(op->db->dir, op->name, &op->tr)) != OR_OK)
		return rc;
	if (held != NULL && *held != NULL)
		rc = keystore_prove(*held, X509_get0_pubkey(op->root));
	else if ((rc = cadb_unlock(op->db, op->root, io, &ks)) == OR_OK &&
	    held != NULL)
		*held = ks;
	if (rc != OR_OK)
		return rc;
	/* Only a key proved against root.crt may seal the transcript. */
	op->ks = held != NULL ? *held : ks;
	return OR_OK;
}

int
op_finish(struct op *op)
{
	/* One attempt: a seal that failed leaves the transcript open (the
	 * record of an interrupted run), and one that was written takes no
	 * record after it. */
	op->closed = true;
	return transcript_finish(op->tr, op->db->journal, op->ks);
}

int
op_fail(struct op *op, int rc)
{
	char why[1024];
	struct jfields f;

	if (rc == OR_OK || op->tr == NULL || op->closed)
		return rc;
	snprintf(why, sizeof why, "%s", err_msg(rc));
	op->closed = true;
	jf_init(&f);
	jf_add(&f, "error", err_name(rc));
	jf_add(&f, "text", why);
	if (transcript_add(op->tr, "failed", &f) == OR_OK) {
		if (op->ks != NULL && journal_seq(op->db->journal) != op->seq)
			(void)transcript_finish(op->tr, op->db->journal, op->ks);
		else
			(void)transcript_close(op->tr,
			    journal_seq(op->db->journal),
			    journal_head(op->db->journal), NULL, NULL);
	}
	return err_set(rc, "%s", why);
}

void
op_end(struct op *op)
{
	transcript_free(op->tr);
	if (op->held == NULL)
		keystore_close(op->ks);
	X509_free(op->root);
	cadb_close(op->db);
	memset(op, 0, sizeof *op);
}
