/*
 * recover.h — settling what a crash left in the CA directory
 * (ARCHITECTURE decisions 10 and 11), run by every command that takes the
 * CA lock to write, right after the journal is verified.
 *
 * A kill can leave, beside a journal whose every whole record is true:
 *   issued/<serial>.pem   signed by the root, written, never recorded
 *                         (sign killed before its issue records were
 *                         durable)
 *   crls/<N>.crl          signed, its number N reserved (crl-number) but
 *                         never recorded as a crl or crl-ahead
 *   transcripts/X.log     sealed by the root at the journal's present
 *                         head, but not named by a transcript record (killed
 *                         between the seal and the record); or empty
 *                         (killed as it was created)
 * recover_ca rolls each forward or back to a state audit accepts:
 *   - a certificate or CRL the journal does not record is moved, never
 *     deleted (it is root-signed evidence), to DIR/quarantine/ with a
 *     "recover" record (action quarantine, file, to, sha256, why, and the
 *     serial or CRL number, which stays used for ever);
 *   - a sealed transcript whose end names the journal's head (only
 *     recover and repair records after it) is what the interrupted run
 *     would have recorded: its "transcript" record is written, then a
 *     "recover" record (action close);
 *   - an empty transcript is moved to quarantine/ with a record;
 *   - the bundle or backup of the journal's last export or backup record,
 *     still staged beside its destination, is renamed into place
 *     (recover_publish).
 * Each action is one record (fields in offroot-journal(5)) and one warning
 * line to the officer.  Anything else the journal does not name (not
 * signed by this root, a name that does not match its content, a serial
 * already issued, a transcript naming another head) is left where it is,
 * with a warning, for audit to report as planted.
 *
 * A record is written before its move: a kill between them leaves a record
 * naming a file not yet moved, which the next pass moves.
 */
#ifndef OFFROOT_RECOVER_H
#define OFFROOT_RECOVER_H

#include <stdbool.h>
#include <stddef.h>

#include <openssl/x509.h>

#define RECOVER_QUARANTINE	"quarantine"

struct cadb;
struct interact;

/* One pass over issued/, crls/ and transcripts/ of the open, locked db
 * (root: the CA's certificate, checked against the journal).  io gets one
 * SAY_WARN line per action.  OR_OK also when there was nothing to do. */
int recover_ca(struct cadb *db, X509 *root, struct interact *io);
/* recover_ca for a caller that has not loaded root.crt (recover_root
 * first). */
int recover_ca_load(struct cadb *db, struct interact *io);
/*
 * An interrupted renew-root (renew.h), finished from the journal before
 * root.crt is loaded: every command that takes the lock calls it right
 * after the journal is verified.  The journal's last renew-root record
 * names the certificate it replaced (roots/NAME, with its file's digest)
 * and carries the new one.  When roots/NAME is missing and root.crt is
 * still that certificate's file, root.crt is copied there; when root.crt
 * is still the previous file and roots/NAME is in place, root.crt is
 * replaced by the recorded certificate.  Both complete what the journal
 * already records (no record, a warning each).  A temporary file those
 * writes left (DIR/.root.crt.*.tmp, roots/.*.tmp) is set aside in
 * quarantine/ with a recover record.  Anything else (root.crt neither
 * file) is left for cadb_load_root and audit to name.  Nothing at all
 * when the journal holds no renew-root record or everything is in place.
 */
int recover_root(struct cadb *db, struct interact *io);
/* A bundle or backup the journal records at outdir (an export or backup
 * record with manifest_hex, the SHA-256 of its MANIFEST), which a kill
 * left staged beside it (fileio.h FILE_STAGE_MARK) before the rename: the
 * staged folder whose MANIFEST matches is renamed into place, completing
 * what the journal already records (no new record).  Nothing when outdir
 * exists, or its folder is not there (the media is not mounted). */
int recover_publish(const char *outdir, const char *manifest_hex,
    struct interact *io);
/* Whether DIR/issued/ or DIR/quarantine/ already holds <serial>.pem: a
 * serial the root signed once, recorded or not, is never used again. */
bool recover_serial_used(const char *dir, const char *serial_hex);
/* Names to the officer each staging folder a killed run left in folder
 * before recording it (fileio.h, file_each_stage): not a WHAT ("bundle",
 * "backup"); hint, when not NULL, says what to do instead. */
void recover_say_stages(const char *folder, const char *what,
    const char *hint, struct interact *io);

#endif
