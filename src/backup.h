/*
 * backup.h — verified copies of a CA directory on backup media, and the
 * check of a copy later (backup.c).  The engine behind `offroot backup`:
 * it talks to the officer only through struct interact (progress and one
 * result line per step) and returns an error code (err.h); the command
 * layer (cmd-backup.c) parses options and chooses the exit status.
 */
#ifndef OFFROOT_BACKUP_H
#define OFFROOT_BACKUP_H

#include <stddef.h>

#include "interact.h"

/*
 * Copies the CA directory dir to each destination folder in to[0..nto-1],
 * in order, as to[k]/<ca>-backup-<UTC>/ with its MANIFEST: staged in a
 * hidden folder, every file synced, read back from the media and
 * compared, then renamed into place, and the backup recorded in the CA
 * journal with the MANIFEST's SHA-256.  A destination that fails leaves
 * nothing there and stops the run (the earlier ones stay, recorded):
 * OR_E_IO for a full or failing medium, OR_E_EXISTS when the folder is
 * already there.
 */
int backup_make(const char *dir, const char *const *to, size_t nto,
    struct interact *io);

/*
 * Checks the backup folder bdir against its own MANIFEST: every file
 * named there present and unaltered, nothing added, the journal copied
 * still a valid chain.  With live (a CA directory; NULL: none) also
 * compares the backup with the live CA: its journal a prefix of the live
 * one, root.crt identical, the key file identical or replaced by a
 * reshare recorded after the backup, every other file unchanged (an
 * unclosed transcript may only have grown).  OR_E_CORRUPT names the first
 * difference.
 */
int backup_check(const char *bdir, const char *live, struct interact *io);

#endif
