/*
 * recover.c — the recovery pass after a crash (recover.h): what the
 * journal records is kept, what it does not is rolled forward (a sealed
 * transcript's close) or set aside in quarantine/ with a record, never
 * deleted.  One read of the journal gathers what it names; then each of
 * issued/, crls/ and transcripts/ is listed once.  Why here and not in
 * each command: a crash in one command is found by whichever command runs
 * next, and audit must pass after it whatever that command is.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/x509.h>

#include "cadb.h"
#include "crl.h"
#include "err.h"
#include "fileio.h"
#include "interact.h"
#include "journal.h"
#include "keystore.h"
#include "leftover.h"
#include "migrate.h"
#include "recover.h"
#include "renew.h"
#include "serial.h"
#include "transcript.h"
#include "util.h"

#define RECOVER_MAX_CRL		(64u << 20)

/* A quarantine record's move, done or still to do. */
struct move {
	char file[160], to[160], sha256[65];
};

/* A journal record at or after the last one that is not recover or
 * repair: a transcript sealed at one of these heads was interrupted just
 * before its transcript record. */
struct head {
	uint64_t seq;
	unsigned char hash[32];
};

struct rscan {
	char **names;		/* sorted: "issued/F", "crls/F", "transcripts/F",
				 * "/quarantine/F", "serial/S" (set aside),
				 * "crl-number/N", "crl/N" */
	size_t n, cap;
	struct move *mv;
	size_t nmv, capmv;
	struct head *tail;
	size_t ntail, captail;
	/* The last export, backup and crl-schedule records: destination,
	 * MANIFEST hash. */
	char out[3][PATH_MAX], out_sha[3][65];
	/* The key file the last init or reshare record names: its digest,
	 * quorum and share set ("none" without); every digest recorded is
	 * in names too, as "key/HEX". */
	char key_sha[65], key_quorum[16], key_set[33];
	/* recover_root: the last renew-root record, when asked for. */
	struct renew_last *last;
};

static int
grow(void **p, size_t *cap, size_t n, size_t size)
{
	void *np;
	size_t nc;

	if (n < *cap)
		return OR_OK;
	nc = *cap ? 2 * *cap : 32;
	if ((np = realloc(*p, nc * size)) == NULL)
		return err_set(OR_E_NOMEM, "out of memory");
	*p = np;
	*cap = nc;
	return OR_OK;
}

static int
add_name(struct rscan *s, const char *a, const char *b)
{
	char buf[256];
	int rc;

	if (b == NULL)
		return OR_OK;
	snprintf(buf, sizeof buf, "%s/%s", a, b);
	if ((rc = grow((void **)&s->names, &s->cap, s->n, sizeof *s->names))
	    != OR_OK)
		return rc;
	if ((s->names[s->n] = strdup(buf)) == NULL)
		return err_set(OR_E_NOMEM, "out of memory");
	s->n++;
	return OR_OK;
}

static int
cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool
has_name(const struct rscan *s, const char *a, const char *b)
{
	char buf[256], *key = buf;

	snprintf(buf, sizeof buf, "%s/%s", a, b);
	return s->n > 0 && bsearch(&key, s->names, s->n, sizeof *s->names,
	    cmp_name) != NULL;
}

static int
add_move(struct rscan *s, const struct jrecord *r)
{
	const char *file = jrecord_get(r, "file"), *to = jrecord_get(r, "to");
	const char *sha = jrecord_get(r, "sha256");
	struct move *m;
	int rc;

	if (file == NULL || to == NULL || sha == NULL)
		return err_set(OR_E_CORRUPT, "journal record %" PRIu64 ": a "
		    "recover record without file, to or sha256", r->seq);
	if ((rc = grow((void **)&s->mv, &s->capmv, s->nmv, sizeof *s->mv)) !=
	    OR_OK)
		return rc;
	if ((rc = add_name(s, "serial", jrecord_get(r, "serial"))) != OR_OK)
		return rc;
	m = &s->mv[s->nmv++];
	snprintf(m->file, sizeof m->file, "%s", file);
	snprintf(m->to, sizeof m->to, "%s", to);
	snprintf(m->sha256, sizeof m->sha256, "%s", sha);
	return add_name(s, "", to);
}

static int
note_head(struct rscan *s, const struct jrecord *r)
{
	int rc;

	if (strcmp(r->type, "recover") != 0 && strcmp(r->type, "repair") != 0)
		s->ntail = 0;
	if ((rc = grow((void **)&s->tail, &s->captail, s->ntail,
	    sizeof *s->tail)) != OR_OK)
		return rc;
	s->tail[s->ntail].seq = r->seq;
	memcpy(s->tail[s->ntail].hash, r->hash, 32);
	s->ntail++;
	return OR_OK;
}

static int
gather(const struct jrecord *r, void *vctx)
{
	struct rscan *s = vctx;
	const char *action;
	int rc;

	if ((rc = note_head(s, r)) != OR_OK)
		return rc;
	if (s->last != NULL && (rc = renew_last_visit(r, s->last)) != OR_OK)
		return rc;
	if (strcmp(r->type, "init") == 0 || strcmp(r->type, "reshare") == 0) {
		const char *k = jrecord_get(r, "key_file_sha256");
		const char *q = jrecord_get(r, "quorum");
		const char *set = jrecord_get(r, "share_set");

		snprintf(s->key_sha, sizeof s->key_sha, "%s", k ? k : "");
		snprintf(s->key_quorum, sizeof s->key_quorum, "%s",
		    q ? q : "none");
		snprintf(s->key_set, sizeof s->key_set, "%s", set ? set : "none");
		return add_name(s, "key", k);
	}
	if (strcmp(r->type, "issue") == 0)
		return add_name(s, CADB_ISSUED, jrecord_get(r, "file"));
	if (strcmp(r->type, "transcript") == 0)
		return add_name(s, CADB_TRANSCRIPTS, jrecord_get(r, "file"));
	if (strcmp(r->type, "crl-number") == 0)
		return add_name(s, "crl-number", jrecord_get(r, "number"));
	if (strcmp(r->type, "crl") == 0 || strcmp(r->type, "crl-ahead") == 0) {
		if ((rc = add_name(s, "crl", jrecord_get(r, "number"))) != OR_OK)
			return rc;
		return add_name(s, CADB_CRLS, jrecord_get(r, "file"));
	}
	if (strcmp(r->type, "export") == 0 || strcmp(r->type, "backup") == 0 ||
	    strcmp(r->type, "crl-schedule") == 0) {
		int k = r->type[0] == 'b' ? 1 : r->type[0] == 'c' ? 2 : 0;
		const char *o = jrecord_get(r, k == 1 ? "destination" : "outdir");
		const char *m = jrecord_get(r, "manifest_sha256");

		snprintf(s->out[k], sizeof s->out[k], "%s", o ? o : "");
		snprintf(s->out_sha[k], sizeof s->out_sha[k], "%s", m ? m : "");
		return OR_OK;
	}
	if (strcmp(r->type, "recover") == 0 &&
	    (action = jrecord_get(r, "action")) != NULL &&
	    strcmp(action, "quarantine") == 0)
		return add_move(s, r);
	return OR_OK;
}

static void
rscan_free(struct rscan *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		free(s->names[i]);
	free(s->names);
	free(s->mv);
	free(s->tail);
	memset(s, 0, sizeof *s);
}

/* ---- moving into quarantine/ -------------------------------------------- */

/* DIR/rel, for a relative name such as "issued/x.pem". */
static int
ca_path(const struct cadb *db, const char *rel, char *buf, size_t size)
{
	return cadb_path(db->dir, rel, buf, size);
}

/* Renames DIR/from to DIR/to and makes both folders durable. */
static int
move_file(const struct cadb *db, const char *from, const char *to)
{
	char src[PATH_MAX], dst[PATH_MAX], folder[PATH_MAX];
	int rc;

	if ((rc = ca_path(db, from, src, sizeof src)) != OR_OK ||
	    (rc = ca_path(db, to, dst, sizeof dst)) != OR_OK)
		return rc;
	if (renameat2(AT_FDCWD, src, AT_FDCWD, dst, RENAME_NOREPLACE) == -1)
		return err_errno(OR_E_IO, "moving %s to %s", src, dst);
	file_dirname(dst, folder, sizeof folder);
	if ((rc = file_sync_dir(folder)) != OR_OK)
		return rc;
	file_dirname(src, folder, sizeof folder);
	return file_sync_dir(folder);
}

/* DIR/quarantine/, made when first needed. */
static int
quarantine_dir(const struct cadb *db)
{
	char q[PATH_MAX];
	struct stat st;
	int rc;

	if ((rc = ca_path(db, RECOVER_QUARANTINE, q, sizeof q)) != OR_OK)
		return rc;
	if (lstat(q, &st) == 0)
		return S_ISDIR(st.st_mode) ? OR_OK : err_set(OR_E_CORRUPT,
		    "%s is not a folder", q);
	return file_mkdir(q, 0755);
}

/* A name under quarantine/ that neither exists nor was ever recorded. */
static int
quarantine_name(const struct cadb *db, const struct rscan *s,
    const char *base, char *out, size_t size)
{
	char path[PATH_MAX];
	unsigned k;
	int rc;

	for (k = 0; k < 1000; k++) {
		if (k == 0)
			snprintf(out, size, "%s/%s", RECOVER_QUARANTINE, base);
		else
			snprintf(out, size, "%s/%s.%u", RECOVER_QUARANTINE,
			    base, k);
		if ((rc = ca_path(db, out, path, sizeof path)) != OR_OK)
			return rc;
		if (!has_name(s, "", out) && access(path, F_OK) == -1)
			return OR_OK;
	}
	return err_set(OR_E_CORRUPT, "%s/%s: no free name in quarantine",
	    db->dir, base);
}

/*
 * Records, then moves, one file into quarantine/.  sub/base is the file,
 * tobase its name there; key and value a field naming what it used
 * (serial or number); why the reason recorded and told.
 */
static int
quarantine_as(struct cadb *db, struct rscan *s, struct interact *io,
    const char *sub, const char *base, const char *tobase, const char *key,
    const char *value, const char *why)
{
	char rel[256], to[256], path[PATH_MAX], sha[65];
	struct jfields f;
	int rc;

	/* sub "": a file of the CA directory itself. */
	snprintf(rel, sizeof rel, "%s%s%s", sub, sub[0] ? "/" : "", base);
	if ((rc = ca_path(db, rel, path, sizeof path)) != OR_OK ||
	    (rc = file_sha256_hex(path, sha)) != OR_OK ||
	    (rc = quarantine_dir(db)) != OR_OK ||
	    (rc = quarantine_name(db, s, tobase, to, sizeof to)) != OR_OK)
		return rc;
	jf_init(&f);
	jf_add(&f, "action", "quarantine");
	jf_add(&f, "file", rel);
	jf_add(&f, "to", to);
	jf_add(&f, "sha256", sha);
	if (key != NULL)
		jf_add(&f, key, value);
	jf_add(&f, "why", why);
	if ((rc = cadb_append(db, "recover", &f)) != OR_OK ||
	    (rc = move_file(db, rel, to)) != OR_OK)
		return rc;
	interact_say(io, SAY_WARN, "recovered: moved %s to %s: %s", rel, to,
	    why);
	return OR_OK;
}

static int
quarantine(struct cadb *db, struct rscan *s, struct interact *io,
    const char *sub, const char *base, const char *key, const char *value,
    const char *why)
{
	return quarantine_as(db, s, io, sub, base, base, key, value, why);
}

/* A quarantine record written before a kill took its move: finish it. */
static int
finish_moves(struct cadb *db, const struct rscan *s, struct interact *io)
{
	char src[PATH_MAX], dst[PATH_MAX], sha[65];
	size_t i;
	int rc;

	for (i = 0; i < s->nmv; i++) {
		if ((rc = ca_path(db, s->mv[i].file, src, sizeof src)) != OR_OK ||
		    (rc = ca_path(db, s->mv[i].to, dst, sizeof dst)) != OR_OK)
			return rc;
		if (access(dst, F_OK) == 0 || access(src, F_OK) == -1)
			continue;
		if (file_sha256_hex(src, sha) != OR_OK ||
		    strcmp(sha, s->mv[i].sha256) != 0)
			continue;
		if ((rc = quarantine_dir(db)) != OR_OK ||
		    (rc = move_file(db, s->mv[i].file, s->mv[i].to)) != OR_OK)
			return rc;
		interact_say(io, SAY_WARN, "recovered: moved %s to %s, as the "
		    "journal already records", s->mv[i].file, s->mv[i].to);
	}
	return OR_OK;
}

/* ---- what each folder may hold -------------------------------------------- */

/* issued/base, not recorded: a certificate this root signed, named by its
 * own serial, which no issue record names, is an interrupted issuance. */
static int
settle_cert(struct cadb *db, struct rscan *s, X509 *root, struct interact *io,
    const char *base)
{
	char rel[256], path[PATH_MAX], hex[SERIAL_HEX], want[SERIAL_HEX + 8];
	struct serial ser;
	X509 *x = NULL;
	int rc = OR_OK;

	snprintf(rel, sizeof rel, "%s/%s", CADB_ISSUED, base);
	if (ca_path(db, rel, path, sizeof path) != OR_OK ||
	    load_cert_file(path, &x) != OR_OK ||
	    X509_verify(x, X509_get0_pubkey(root)) != 1 ||
	    serial_from_asn1(X509_get0_serialNumber(x), &ser) != OR_OK) {
		err_clear();
		interact_say(io, SAY_WARN, "%s is not recorded in the journal "
		    "and is no certificate of this root: left for audit", rel);
		goto out;
	}
	serial_to_hex(&ser, hex);
	snprintf(want, sizeof want, "%s.pem", hex);
	if (strcmp(want, base) != 0) {
		interact_say(io, SAY_WARN, "%s is not recorded in the journal "
		    "and holds serial %s, not its name's: left for audit",
		    rel, hex);
		goto out;
	}
	if (has_name(s, "serial", hex)) {
		interact_say(io, SAY_WARN, "%s is not recorded in the journal "
		    "and holds serial %s, set aside before: left for audit",
		    rel, hex);
		goto out;
	}
	rc = quarantine(db, s, io, CADB_ISSUED, base, "serial", hex,
	    "signed by the root, but its issue record was never written: a "
	    "sign run was interrupted; never delivered, its serial stays "
	    "used");
out:
	X509_free(x);
	return rc;
}

/* crls/base, not recorded: CRL number N whose number was reserved, and
 * never recorded as signed. */
static int
settle_crl(struct cadb *db, struct rscan *s, X509 *root, struct interact *io,
    const char *base)
{
	char rel[256], path[PATH_MAX], num[24], why[256];
	unsigned char *der = NULL;
	struct crl_info info;
	size_t len;
	int rc = OR_OK;

	snprintf(rel, sizeof rel, "%s/%s", CADB_CRLS, base);
	if (ca_path(db, rel, path, sizeof path) != OR_OK ||
	    file_read(path, RECOVER_MAX_CRL, &der, &len) != OR_OK ||
	    crl_verify(der, len, root, &info) != OR_OK) {
		err_clear();
		interact_say(io, SAY_WARN, "%s is not recorded in the journal "
		    "and is no CRL of this root: left for audit", rel);
		goto out;
	}
	snprintf(num, sizeof num, "%" PRIu64, info.number);
	if (strcmp(base, num) != 0 && (strlen(base) != strlen(num) + 4 ||
	    strncmp(base, num, strlen(num)) != 0 ||
	    strcmp(base + strlen(num), ".crl") != 0)) {
		interact_say(io, SAY_WARN, "%s is not recorded in the journal "
		    "and is CRL number %s, not its name's: left for audit",
		    rel, num);
		goto out;
	}
	if (!has_name(s, "crl-number", num) || has_name(s, "crl", num)) {
		interact_say(io, SAY_WARN, "%s is not recorded in the journal "
		    "and its number %s was not reserved by an unfinished crl "
		    "run: left for audit", rel, num);
		goto out;
	}
	snprintf(why, sizeof why, "signed by the root, but its crl record "
	    "was never written: a crl run was interrupted; CRL number %s "
	    "stays unused", num);
	rc = quarantine(db, s, io, CADB_CRLS, base, "number", num, why);
out:
	free(der);
	return rc;
}

/* A sealed transcript whose end names one of the heads at the journal's
 * end: record its close, as transcript_finish would have. */
static int
close_transcript(struct cadb *db, struct interact *io, const char *base,
    const char *path, const struct transcript_info *ti)
{
	char sha[65], finalhex[65], rel[256];
	struct jfields f;
	int rc;

	if ((rc = file_sha256_hex(path, sha)) != OR_OK)
		return rc;
	hex_encode(ti->final_hash, 32, finalhex);
	jf_init(&f);
	jf_add(&f, "file", base);
	jf_add(&f, "operation", ti->operation);
	jf_add(&f, "sha256", sha);
	jf_add(&f, "final_hash", finalhex);
	if ((rc = cadb_append(db, "transcript", &f)) != OR_OK)
		return rc;
	snprintf(rel, sizeof rel, "%s/%s", CADB_TRANSCRIPTS, base);
	jf_init(&f);
	jf_add(&f, "action", "close");
	jf_add(&f, "file", rel);
	jf_add(&f, "sha256", sha);
	jf_add(&f, "why", "sealed at this journal's head, but its transcript "
	    "record was never written: the run was interrupted after its seal");
	if ((rc = cadb_append(db, "recover", &f)) != OR_OK)
		return rc;
	interact_say(io, SAY_WARN, "recovered: recorded the close of %s, "
	    "sealed by the root at the journal's head before a crash", rel);
	return OR_OK;
}

static bool
at_tail_head(const struct rscan *s, const struct transcript_info *ti)
{
	size_t i;

	for (i = 0; i < s->ntail; i++)
		if (s->tail[i].seq == ti->journal_seq &&
		    memcmp(s->tail[i].hash, ti->journal_head, 32) == 0)
			return true;
	return false;
}

/* transcripts/base, not recorded. */
static int
settle_transcript(struct cadb *db, struct rscan *s, X509 *root,
    struct interact *io, const char *base)
{
	char rel[256], path[PATH_MAX];
	struct transcript_info ti;
	struct stat st;

	snprintf(rel, sizeof rel, "%s/%s", CADB_TRANSCRIPTS, base);
	if (ca_path(db, rel, path, sizeof path) != OR_OK ||
	    lstat(path, &st) == -1 || !S_ISREG(st.st_mode))
		return OR_OK;
	if (st.st_size == 0)
		return quarantine(db, s, io, CADB_TRANSCRIPTS, base, NULL, NULL,
		    "an empty transcript: a run was killed as it began it");
	/* Unsealed (interrupted, failed): audit accepts it as it is. */
	if (transcript_verify(path, X509_get0_pubkey(root), &ti) != OR_OK) {
		err_clear();
		return OR_OK;
	}
	if (at_tail_head(s, &ti))
		return close_transcript(db, io, base, path, &ti);
	interact_say(io, SAY_WARN, "%s is sealed but names a journal head "
	    "other than the latest: left for audit", rel);
	return OR_OK;
}

/*
 * sub/.BASE.RANDOM.tmp: a file write_temp (fileio.c) made and a kill left
 * before its rename.  Written whole and fsynced before the rename, it may
 * hold a complete signed certificate or CRL that nothing records: the
 * same as an unrecorded issued/ or crls/ file, set aside under BASE with
 * its serial or number.  Anything else it holds (nothing, a part) is set
 * aside too, under its own name without the dot: audit then names every
 * file of the folder, and nothing is deleted.
 */
static int
settle_temp(struct cadb *db, struct rscan *s, X509 *root, struct interact *io,
    const char *sub, const char *name)
{
	char rel[256], path[PATH_MAX], final[160], want[160], hex[SERIAL_HEX];
	unsigned char *der = NULL;
	struct crl_info info;
	struct serial ser;
	const char *dot;
	X509 *x = NULL;
	size_t len;
	int rc;

	/* .BASE.RANDOM.tmp -> BASE */
	snprintf(final, sizeof final, "%.*s", (int)(strlen(name) - 5),
	    name + 1);
	if ((dot = strrchr(final, '.')) != NULL)
		final[dot - final] = '\0';
	snprintf(rel, sizeof rel, "%s/%s", sub, name);
	if ((rc = ca_path(db, rel, path, sizeof path)) != OR_OK)
		return rc;
	want[0] = '\0';
	if (strcmp(sub, CADB_ISSUED) == 0 && load_cert_file(path, &x) == OR_OK &&
	    X509_verify(x, X509_get0_pubkey(root)) == 1 &&
	    serial_from_asn1(X509_get0_serialNumber(x), &ser) == OR_OK) {
		serial_to_hex(&ser, hex);
		snprintf(want, sizeof want, "%s.pem", hex);
	} else if (strcmp(sub, CADB_CRLS) == 0 &&
	    file_read(path, RECOVER_MAX_CRL, &der, &len) == OR_OK &&
	    crl_verify(der, len, root, &info) == OR_OK) {
		snprintf(hex, sizeof hex, "%" PRIu64, info.number);
		snprintf(want, sizeof want, "%s.crl", hex);
	}
	X509_free(x);
	free(der);
	err_clear();
	if (want[0] != '\0' && strcmp(want, final) == 0 &&
	    !has_name(s, sub, final))
		return quarantine_as(db, s, io, sub, name, final,
		    sub[0] == 'i' ? "serial" : "number", hex, sub[0] == 'i' ?
		    "signed by the root, but a sign run was interrupted before "
		    "it was renamed into place and recorded; never delivered, "
		    "its serial stays used" :
		    "signed by the root, but a crl run was interrupted before "
		    "it was renamed into place and recorded; its number stays "
		    "unused");
	return quarantine_as(db, s, io, sub, name, name + 1, NULL, NULL,
	    "a temporary file an interrupted write left, holding no "
	    "unrecorded certificate or CRL of this root");
}

/* write_temp's name: ".BASE.RANDOM.tmp". */
static bool
is_temp(const char *name)
{
	size_t n = strlen(name);

	return name[0] == '.' && n > 6 && strcmp(name + n - 4, ".tmp") == 0;
}

/* ---- the sealed key file after a reshare ------------------------------ */

/* What an unrecorded transcript's share-written records say of one share
 * set: which of its shares it wrote with the digests the key file names. */
struct share_match {
	const struct sealed_info *si;
	char set[2 * SEALED_SET_ID_LEN + 1];
	unsigned seen;		/* bit x - 1: share x, as the key file names it */
};

static int
share_visit(const struct jrecord *r, void *vctx)
{
	struct share_match *sm = vctx;
	const char *set = jrecord_get(r, "share_set");
	const char *m = jrecord_get(r, "quorum_m");
	const char *n = jrecord_get(r, "quorum_n");
	const char *x = jrecord_get(r, "share");
	const char *md = jrecord_get(r, "file_sha256");
	char want[65];
	unsigned long k;

	if (strcmp(r->type, "share-written") != 0 || set == NULL || m == NULL ||
	    n == NULL || x == NULL || md == NULL || strcmp(set, sm->set) != 0 ||
	    strtoul(m, NULL, 10) != sm->si->quorum_m ||
	    strtoul(n, NULL, 10) != sm->si->quorum_n)
		return OR_OK;
	k = strtoul(x, NULL, 10);
	if (k < 1 || k > sm->si->quorum_n)
		return OR_OK;
	hex_encode(sm->si->share_sha256[k - 1], 32, want);
	if (strcmp(md, want) == 0)
		sm->seen |= 1u << (k - 1);
	return OR_OK;
}

/* An unrecorded transcript (an interrupted reshare, or a ceremony's
 * reshare step) that wrote every share of the key file's set: its name
 * into out. */
static bool
reshare_transcript(const struct cadb *db, const struct rscan *s,
    const struct sealed_info *si, char *out, size_t size)
{
	char dir[PATH_MAX], path[PATH_MAX];
	struct share_match sm;
	struct dirent *de;
	bool found = false;
	DIR *d;

	memset(&sm, 0, sizeof sm);
	sm.si = si;
	hex_encode(si->set_id, sizeof si->set_id, sm.set);
	if (ca_path(db, CADB_TRANSCRIPTS, dir, sizeof dir) != OR_OK ||
	    (d = opendir(dir)) == NULL) {
		err_clear();
		return false;
	}
	while (!found && (de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.' ||
		    has_name(s, CADB_TRANSCRIPTS, de->d_name) ||
		    file_join(path, sizeof path, dir, de->d_name) != OR_OK)
			continue;
		sm.seen = 0;
		if (journal_scan(path, share_visit, &sm) != OR_OK)
			err_clear();	/* torn, or no transcript: not this */
		else if (sm.seen == (1u << si->quorum_n) - 1 &&
		    (size_t)snprintf(out, size, "%s/%s", CADB_TRANSCRIPTS,
		    de->d_name) < size)
			found = true;
	}
	closedir(d);
	return found;
}

/*
 * root.key.sealed is not the key file the journal records last: a reshare
 * killed after it replaced the file and before its reshare record.  Only
 * public data decides (recovery has no passphrase): the header names the
 * root certificate's public key and a share set, and the transcript of
 * the interrupted run (unrecorded, in transcripts/) records every share
 * of that set with the digest the header names.  Then the reshare is
 * recorded, as reshare_commit would have, and a recover record says why.
 * Anything else (a file the journal recorded before, a key other than
 * the root's, a set no run wrote) is left for unlock and audit to refuse.
 */
static int
settle_key(struct cadb *db, struct rscan *s, X509 *root, struct interact *io)
{
	char path[PATH_MAX], hex[65], set[2 * SEALED_SET_ID_LEN + 1];
	char quorum[16], tname[320], oldtxt[96];
	unsigned char *img = NULL, md[32], pk[32];
	struct sealed_info si;
	struct jfields f;
	size_t len;
	int rc = OR_OK;

	if (strcmp(db->sum.store, "sealed") != 0 || s->key_sha[0] == '\0')
		return OR_OK;
	if ((rc = ca_path(db, CADB_SEALED_KEY, path, sizeof path)) != OR_OK)
		return rc;
	if (file_read(path, 65536, &img, &len) != OR_OK ||
	    sha256(img, len, md) != OR_OK) {
		err_clear();	/* missing or unreadable: audit says so */
		goto out;
	}
	hex_encode(md, sizeof md, hex);
	if (has_name(s, "key", hex))
		goto out;	/* recorded (an older one: unlock refuses it) */
	if (sealed_parse(img, len, &si) != OR_OK || si.quorum_n == 0 ||
	    pubkey_sha256(X509_get0_pubkey(root), pk) != OR_OK ||
	    memcmp(pk, si.pubkey_sha256, 32) != 0) {
		err_clear();
		interact_say(io, SAY_WARN, "%s is not the key file the journal "
		    "records, and does not seal the root certificate's key "
		    "under a share set: left for audit", CADB_SEALED_KEY);
		goto out;
	}
	hex_encode(si.set_id, sizeof si.set_id, set);
	if (!reshare_transcript(db, s, &si, tname, sizeof tname)) {
		interact_say(io, SAY_WARN, "%s is not the key file the journal "
		    "records, and no interrupted run's transcript wrote its "
		    "share set %.8s: left for audit", CADB_SEALED_KEY, set);
		goto out;
	}
	snprintf(quorum, sizeof quorum, "%u/%u", si.quorum_m, si.quorum_n);
	jf_init(&f);
	jf_add(&f, "old_quorum", s->key_quorum);
	jf_add(&f, "old_share_set", s->key_set);
	jf_add(&f, "quorum", quorum);
	jf_add(&f, "share_set", set);
	jf_add(&f, "kdf", kdf_level_name(si.kdf));
	jf_add(&f, "key_file", CADB_SEALED_KEY);
	jf_add(&f, "key_file_sha256", hex);
	jf_add(&f, "recovered_from", tname);
	if ((rc = cadb_append(db, "reshare", &f)) != OR_OK)
		goto out;
	jf_init(&f);
	jf_add(&f, "action", "reshare");
	jf_add(&f, "file", CADB_SEALED_KEY);
	jf_add(&f, "sha256", hex);
	jf_add(&f, "transcript", tname);
	jf_add(&f, "why", "re-sealed by a reshare run interrupted before its "
	    "reshare record: the file seals the root certificate's key under "
	    "the share set that run's transcript wrote");
	if ((rc = cadb_append(db, "recover", &f)) != OR_OK)
		goto out;
	if (strcmp(s->key_quorum, "none") == 0)
		snprintf(oldtxt, sizeof oldtxt, "the old passphrase no longer "
		    "opens it");
	else
		snprintf(oldtxt, sizeof oldtxt, "the old %s shares no longer "
		    "open it: destroy them", s->key_quorum);
	interact_say(io, SAY_WARN, "recovered: recorded the reshare of %s to "
	    "the %s share set %.8s that an interrupted run wrote (%s); %s",
	    CADB_SEALED_KEY, quorum, set, tname, oldtxt);
	snprintf(s->key_sha, sizeof s->key_sha, "%s", hex);
out:
	free(img);
	return rc;
}

/* DIR/.root.key.sealed.RANDOM.tmp: a reshare killed before its rename
 * left the key sealed under a share set the journal never recorded (the
 * key file in place is the recorded one).  Recorded, then wiped: the new
 * shares must open nothing. */
static int
settle_key_temps(struct cadb *db, struct interact *io)
{
	char path[PATH_MAX], prefix[64], sha[65];
	struct dirent *de;
	struct jfields f;
	size_t n;
	DIR *d;
	int rc = OR_OK;

	n = (size_t)snprintf(prefix, sizeof prefix, ".%s.", CADB_SEALED_KEY);
	if ((d = opendir(db->dir)) == NULL)
		return err_errno(OR_E_IO, "%s", db->dir);
	while (rc == OR_OK && (de = readdir(d)) != NULL) {
		if (strncmp(de->d_name, prefix, n) != 0 || !is_temp(de->d_name))
			continue;
		if ((rc = file_join(path, sizeof path, db->dir, de->d_name)) !=
		    OR_OK || (rc = file_sha256_hex(path, sha)) != OR_OK)
			break;
		jf_init(&f);
		jf_add(&f, "action", "wipe");
		jf_add(&f, "file", de->d_name);
		jf_add(&f, "sha256", sha);
		jf_add(&f, "why", "a key file a reshare was writing when it was "
		    "interrupted, before it replaced the recorded one: the "
		    "new shares open nothing, the old ones still open the key");
		if ((rc = cadb_append(db, "recover", &f)) != OR_OK ||
		    (rc = leftover_wipe_file(path)) != OR_OK ||
		    (rc = file_sync_dir(db->dir)) != OR_OK)
			break;
		interact_say(io, SAY_WARN, "recovered: wiped %s, the key file "
		    "an interrupted reshare left before replacing %s; the share "
		    "files it wrote open nothing: destroy them", de->d_name,
		    CADB_SEALED_KEY);
	}
	closedir(d);
	return rc;
}

/* ---- a migrate cut short (migrate.h) ---------------------------------- */

/*
 * After a migrate record the token holds the CA's key: a sealed key file
 * still there is a retirement a kill cut short, finished now (recorded,
 * then overwritten and unlinked).  Before one, a root.key.uri (or its
 * temporary file) is what a migrate killed between writing it and
 * recording it left: it names a key the journal never adopted, so it
 * goes to quarantine/, and the CA stays on its sealed key.
 */
static int
settle_migrate(struct cadb *db, struct rscan *s, struct interact *io)
{
	char path[PATH_MAX], sha[65], prefix[64];
	struct dirent *de;
	struct jfields f;
	bool done;
	size_t n;
	DIR *d;
	int rc = OR_OK;

	if (db->sum.migrated != 0) {
		if ((rc = ca_path(db, CADB_SEALED_KEY, path, sizeof path)) !=
		    OR_OK || access(path, F_OK) == -1)
			return rc;
		if ((rc = file_sha256_hex(path, sha)) != OR_OK)
			return rc;
		jf_init(&f);
		jf_add(&f, "action", "wipe");
		jf_add(&f, "file", CADB_SEALED_KEY);
		jf_add(&f, "sha256", sha);
		jf_add(&f, "why", "the sealed key file a migrate moved into the "
		    "token, still there after the migrate record: its "
		    "retirement was interrupted");
		if ((rc = cadb_append(db, "recover", &f)) != OR_OK ||
		    (rc = migrate_retire_sealed(db->dir, &done)) != OR_OK)
			return rc;
		interact_say(io, SAY_WARN, "recovered: overwrote and removed "
		    "%s, which an interrupted migrate had moved into token "
		    "\"%s\"", CADB_SEALED_KEY, db->sum.token_label);
		return OR_OK;
	}
	if (strcmp(db->sum.store, "sealed") != 0)
		return OR_OK;
	if ((rc = ca_path(db, CADB_KEY_URI, path, sizeof path)) != OR_OK)
		return rc;
	if (access(path, F_OK) == 0 && (rc = quarantine(db, s, io, "",
	    CADB_KEY_URI, NULL, NULL, "a key reference an interrupted "
	    "migrate wrote before its record: the CA stays on its sealed "
	    "key; the key it names on the token is not the CA's (delete it "
	    "there, or run migrate again with another --label)")) != OR_OK)
		return rc;
	n = (size_t)snprintf(prefix, sizeof prefix, ".%s.", CADB_KEY_URI);
	if ((d = opendir(db->dir)) == NULL)
		return err_errno(OR_E_IO, "%s", db->dir);
	while (rc == OR_OK && (de = readdir(d)) != NULL)
		if (strncmp(de->d_name, prefix, n) == 0 && is_temp(de->d_name))
			rc = quarantine_as(db, s, io, "", de->d_name,
			    de->d_name + 1, NULL, NULL, "the temporary key "
			    "reference of an interrupted migrate");
	closedir(d);
	return rc;
}

typedef int (*settle_fn)(struct cadb *, struct rscan *, X509 *,
    struct interact *, const char *);

/* Every file of DIR/sub that the journal does not name goes to settle. */
static int
settle_folder(struct cadb *db, struct rscan *s, X509 *root,
    struct interact *io, const char *sub, settle_fn settle)
{
	char path[PATH_MAX], **todo = NULL;
	struct dirent *de;
	size_t n = 0, cap = 0, i;
	DIR *d;
	int rc = OR_OK;

	if ((rc = ca_path(db, sub, path, sizeof path)) != OR_OK)
		return rc;
	if ((d = opendir(path)) == NULL)
		return errno == ENOENT ? OR_OK : err_errno(OR_E_IO, "%s", path);
	/* Listed first, settled after: settling changes the folder.  The
	 * temporary files of an interrupted write are settled too, in
	 * issued/ and crls/ (a transcript is written in place). */
	while (rc == OR_OK && (de = readdir(d)) != NULL) {
		if ((de->d_name[0] == '.' && (settle == settle_transcript ||
		    !is_temp(de->d_name))) || has_name(s, sub, de->d_name))
			continue;
		if ((rc = grow((void **)&todo, &cap, n, sizeof *todo)) == OR_OK &&
		    (todo[n] = strdup(de->d_name)) == NULL)
			rc = err_set(OR_E_NOMEM, "out of memory");
		n += rc == OR_OK;
	}
	closedir(d);
	for (i = 0; i < n; i++) {
		if (rc == OR_OK)
			rc = todo[i][0] == '.' ?
			    settle_temp(db, s, root, io, sub, todo[i]) :
			    settle(db, s, root, io, todo[i]);
		free(todo[i]);
	}
	free(todo);
	return rc;
}

int
recover_ca(struct cadb *db, X509 *root, struct interact *io)
{
	struct rscan s;
	char jpath[PATH_MAX];
	int rc;

	memset(&s, 0, sizeof s);
	if ((rc = cadb_path(db->dir, CADB_JOURNAL, jpath, sizeof jpath)) !=
	    OR_OK || (rc = journal_scan(jpath, gather, &s)) != OR_OK)
		goto out;
	qsort(s.names, s.n, sizeof *s.names, cmp_name);
	if ((rc = finish_moves(db, &s, io)) != OR_OK ||
	    (rc = settle_key(db, &s, root, io)) != OR_OK ||
	    (rc = settle_key_temps(db, io)) != OR_OK ||
	    (rc = settle_migrate(db, &s, io)) != OR_OK ||
	    (rc = settle_folder(db, &s, root, io, CADB_ISSUED, settle_cert)) !=
	    OR_OK ||
	    (rc = settle_folder(db, &s, root, io, CADB_CRLS, settle_crl)) !=
	    OR_OK ||
	    (rc = settle_folder(db, &s, root, io, CADB_TRANSCRIPTS,
	    settle_transcript)) != OR_OK ||
	    (s.out[0][0] && (rc = recover_publish(s.out[0], s.out_sha[0], io))
	    != OR_OK) ||
	    (s.out[1][0] && (rc = recover_publish(s.out[1], s.out_sha[1], io))
	    != OR_OK) ||
	    (s.out[2][0] && (rc = recover_publish(s.out[2], s.out_sha[2], io))
	    != OR_OK))
		goto out;
out:
	rscan_free(&s);
	if (rc != OR_OK)
		return err_context(rc, "recovering %s after a crash", db->dir);
	return OR_OK;
}

int
recover_ca_load(struct cadb *db, struct interact *io)
{
	X509 *root = NULL;
	int rc;

	if ((rc = recover_root(db, io)) == OR_OK &&
	    (rc = cadb_load_root(db->dir, &db->sum, &root)) == OR_OK)
		rc = recover_ca(db, root, io);
	X509_free(root);
	return rc;
}

/* ---- an interrupted renew-root ------------------------------------------- */

/* The temporary files of a renewal's writes in one folder: sub "" (the CA
 * directory: root.crt's) or roots/.  With s NULL: whether there is one. */
static int
root_temps(struct cadb *db, struct rscan *s, struct interact *io,
    const char *sub, bool *found)
{
	char path[PATH_MAX], **todo = NULL;
	struct dirent *de;
	size_t n = 0, cap = 0, i;
	DIR *d;
	int rc = OR_OK;

	if ((rc = ca_path(db, sub[0] ? sub : ".", path, sizeof path)) != OR_OK)
		return rc;
	if ((d = opendir(path)) == NULL)
		return errno == ENOENT ? OR_OK : err_errno(OR_E_IO, "%s", path);
	while (rc == OR_OK && (de = readdir(d)) != NULL) {
		if (!is_temp(de->d_name) || (sub[0] == '\0' &&
		    strncmp(de->d_name, "." CADB_ROOT_CERT ".",
		    strlen(CADB_ROOT_CERT) + 2) != 0))
			continue;
		*found = true;
		if (s == NULL)
			continue;
		if ((rc = grow((void **)&todo, &cap, n, sizeof *todo)) == OR_OK &&
		    (todo[n] = strdup(de->d_name)) == NULL)
			rc = err_set(OR_E_NOMEM, "out of memory");
		n += rc == OR_OK;
	}
	closedir(d);
	for (i = 0; i < n; i++) {
		if (rc == OR_OK)
			rc = quarantine_as(db, s, io, sub, todo[i], todo[i] + 1,
			    NULL, NULL, "a temporary file a renew-root run left "
			    "when it was interrupted before renaming it into "
			    "place; the journal records the certificates it "
			    "could hold");
		free(todo[i]);
	}
	free(todo);
	return rc;
}

/* DIR/rel's SHA-256 into hex; false when it cannot be read. */
static bool
file_hex(const struct cadb *db, const char *rel, char hex[65])
{
	char path[PATH_MAX];

	if (ca_path(db, rel, path, sizeof path) != OR_OK ||
	    file_sha256_hex(path, hex) != OR_OK) {
		err_clear();
		hex[0] = '\0';
		return false;
	}
	return true;
}

/* roots/NAME, as renew_root_name makes it: nothing else is written. */
static bool
roots_name_ok(const char *rel)
{
	size_t n = strlen(CADB_ROOTS);

	return strncmp(rel, CADB_ROOTS "/", n + 1) == 0 &&
	    strchr(rel + n + 1, '/') == NULL && rel[n + 1] != '.' &&
	    rel[n + 1] != '\0';
}

int
recover_root(struct cadb *db, struct interact *io)
{
	const struct cadb_summary *sum = &db->sum;
	struct renew_last last;
	struct rscan s;
	char jpath[PATH_MAX], cur[65], prev[65], path[PATH_MAX];
	char *pem = NULL;
	size_t len = 0;
	bool temps = false;
	int rc;

	if (sum->renewals == 0 || !roots_name_ok(sum->root_prev_file))
		return OR_OK;
	/* Everything in place: no journal read. */
	file_hex(db, CADB_ROOT_CERT, cur);
	file_hex(db, sum->root_prev_file, prev);
	if ((rc = root_temps(db, NULL, io, "", &temps)) != OR_OK ||
	    (rc = root_temps(db, NULL, io, CADB_ROOTS, &temps)) != OR_OK)
		return rc;
	if (!temps && strcmp(cur, sum->root_file_sha256) == 0 &&
	    strcmp(prev, sum->root_prev_file_sha256) == 0)
		return OR_OK;

	memset(&s, 0, sizeof s);
	memset(&last, 0, sizeof last);
	s.last = &last;
	if ((rc = cadb_path(db->dir, CADB_JOURNAL, jpath, sizeof jpath)) !=
	    OR_OK || (rc = journal_scan(jpath, gather, &s)) != OR_OK)
		goto out;
	qsort(s.names, s.n, sizeof *s.names, cmp_name);
	temps = false;
	if ((rc = root_temps(db, &s, io, "", &temps)) != OR_OK ||
	    (rc = root_temps(db, &s, io, CADB_ROOTS, &temps)) != OR_OK)
		goto out;
	/* The previous certificate kept under roots/, from root.crt. */
	if (prev[0] == '\0' && strcmp(cur, sum->root_prev_file_sha256) == 0) {
		unsigned char *old = NULL;
		size_t oldlen = 0;

		if ((rc = ca_path(db, CADB_ROOTS, path, sizeof path)) != OR_OK ||
		    (access(path, F_OK) == -1 &&
		    (rc = file_mkdir(path, 0755)) != OR_OK) ||
		    (rc = ca_path(db, CADB_ROOT_CERT, path, sizeof path)) !=
		    OR_OK || (rc = file_read(path, FILE_MAX_INPUT, &old,
		    &oldlen)) != OR_OK)
			goto out;
		if ((rc = ca_path(db, sum->root_prev_file, path, sizeof path)) ==
		    OR_OK)
			rc = file_write_new(path, old, oldlen, 0644);
		free(old);
		if (rc != OR_OK)
			goto out;
		file_hex(db, sum->root_prev_file, prev);
		interact_say(io, SAY_WARN, "recovered: kept the previous root "
		    "certificate as %s, as the renewal of journal record %"
		    PRIu64 " records: that renew-root was interrupted before "
		    "it wrote it", sum->root_prev_file, last.seq);
	}
	/* root.crt replaced by the certificate the record carries. */
	if (strcmp(cur, sum->root_prev_file_sha256) == 0 &&
	    strcmp(prev, sum->root_prev_file_sha256) == 0) {
		if ((rc = renew_last_pem(&last, &pem, &len)) != OR_OK ||
		    (rc = ca_path(db, CADB_ROOT_CERT, path, sizeof path)) !=
		    OR_OK || (rc = file_replace(path, pem, len, 0644)) != OR_OK)
			goto out;
		interact_say(io, SAY_WARN, "recovered: root.crt is now the "
		    "renewed root certificate that journal record %" PRIu64
		    " records: that renew-root was interrupted before it "
		    "replaced root.crt", last.seq);
	}
out:
	free(pem);
	renew_last_free(&last);
	rscan_free(&s);
	if (rc != OR_OK)
		return err_context(rc, "finishing an interrupted renewal of "
		    "the root certificate in %s", db->dir);
	return OR_OK;
}

/* Whether parent/name is a staged folder whose MANIFEST hashes to sha. */
static bool
stage_matches(const char *parent, const char *name, const char *sha)
{
	char path[PATH_MAX], man[PATH_MAX], hex[65];

	if (file_join(path, sizeof path, parent, name) != OR_OK ||
	    file_join(man, sizeof man, path, "MANIFEST") != OR_OK ||
	    file_sha256_hex(man, hex) != OR_OK) {
		err_clear();
		return false;
	}
	return strcmp(hex, sha) == 0;
}

int
recover_publish(const char *outdir, const char *manifest_hex,
    struct interact *io)
{
	char parent[PATH_MAX], prefix[PATH_MAX], stage[PATH_MAX];
	const char *base = strrchr(outdir, '/');
	struct dirent *de;
	struct stat st;
	bool found = false;
	DIR *d;

	base = base != NULL ? base + 1 : outdir;
	file_dirname(outdir, parent, sizeof parent);
	if (lstat(outdir, &st) == 0 || (d = opendir(parent)) == NULL)
		return OR_OK;
	snprintf(prefix, sizeof prefix, ".%s" FILE_STAGE_MARK, base);
	while (!found && (de = readdir(d)) != NULL)
		if (strncmp(de->d_name, prefix, strlen(prefix)) == 0 &&
		    stage_matches(parent, de->d_name, manifest_hex) &&
		    file_join(stage, sizeof stage, parent, de->d_name) == OR_OK)
			found = true;
	closedir(d);
	if (!found)
		return OR_OK;
	if (renameat2(AT_FDCWD, stage, AT_FDCWD, outdir, RENAME_NOREPLACE) ==
	    -1)
		return err_errno(OR_E_IO, "moving %s into place as %s", stage,
		    outdir);
	interact_say(io, SAY_WARN, "recovered: moved %s into place as %s: "
	    "the journal recorded it before a crash stopped the rename",
	    stage, outdir);
	return file_sync_dir(parent);
}

bool
recover_serial_used(const char *dir, const char *serial_hex)
{
	char rel[256], path[PATH_MAX];
	const char *subs[] = { CADB_ISSUED, RECOVER_QUARANTINE };
	size_t i;

	for (i = 0; i < nitems(subs); i++) {
		snprintf(rel, sizeof rel, "%s/%s.pem", subs[i], serial_hex);
		if (cadb_path(dir, rel, path, sizeof path) == OR_OK &&
		    access(path, F_OK) == 0)
			return true;
	}
	return false;
}

struct stage_say {
	struct interact *io;
	const char *folder, *what, *hint;
};

static void
say_stage(void *vctx, const char *name)
{
	struct stage_say *c = vctx;

	interact_say(c->io, SAY_WARN, "%s/%s is a %s folder that a killed run "
	    "left before recording it: it is not a %s%s%s%s; remove it once "
	    "noted", c->folder, name, c->what, c->what,
	    c->hint != NULL ? " (" : "", c->hint != NULL ? c->hint : "",
	    c->hint != NULL ? ")" : "");
}

void
recover_say_stages(const char *folder, const char *what, const char *hint,
    struct interact *io)
{
	struct stage_say c = { io, folder, what, hint };

	(void)file_each_stage(folder, say_stage, &c);
}
