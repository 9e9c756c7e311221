/*
 * rollover.c — a successor root under a new key (see rollover.h): init's
 * code makes the new CA, cross-sign's code has the old root certify it
 * (and, with --both-ways, the new root the old one), each journal records
 * the other root, and the new CA exports the transition bundle that trust
 * stores take during the overlap.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/pem.h>
#include <openssl/x509.h>

#include "bundle.h"
#include "cadb.h"
#include "cross.h"
#include "dn.h"
#include "err.h"
#include "fileio.h"
#include "keystore.h"
#include "op.h"
#include "profile.h"
#include "recover.h"
#include "rollover.h"
#include "transcript.h"
#include "util.h"

#define ROLLOVER_DEFAULT_CROSS	"intermediate"

/* One root, as the other CA's journal records it. */
struct side {
	const char *dir;
	X509 *root;
	char *pem;
	size_t pemlen;
	unsigned char sha[32];
	char hex[65], pkhex[65], subject[1024];
	time_t not_after;
};

struct rollover {
	const struct rollover_params *p;
	struct rollover_result *res;
	struct interact *io;
	const char *cross_profile;
	char old_cross[PATH_MAX], new_cross[PATH_MAX];
	struct side old, new;
	struct keystore *newks;
	struct keystore **export_ks;	/* the key the export signs with */
	bool resumed, have_record, exported;	/* resume_state */
	const char *outdir;
	long overlap_days;
	char *cross_pem, *back_pem;	/* the cross-certificates */
	time_t cross_not_after;
	size_t cross_len, back_len;
};

/* A CA's root.crt, checked against its journal, with what the other
 * journal records of it. */
static int
side_load(struct side *s)
{
	struct cadb_summary sum;
	unsigned char pk[32];
	int rc;

	if ((rc = cadb_scan(s->dir, &sum, NULL, NULL)) != OR_OK ||
	    (rc = cadb_load_root(s->dir, &sum, &s->root)) != OR_OK ||
	    (rc = cert_sha256(s->root, s->sha)) != OR_OK ||
	    (rc = pubkey_sha256(X509_get0_pubkey(s->root), pk)) != OR_OK ||
	    (rc = cert_to_pem(s->root, &s->pem, &s->pemlen)) != OR_OK ||
	    (rc = dn_format(X509_get_subject_name(s->root), s->subject,
	    sizeof s->subject)) != OR_OK)
		return rc;
	hex_encode(s->sha, 32, s->hex);
	hex_encode(pk, 32, s->pkhex);
	s->not_after = asn1_unix(X509_get0_notAfter(s->root));
	return OR_OK;
}

static void
side_free(struct side *s)
{
	X509_free(s->root);
	free(s->pem);
}

/* The cross profile must be a CA profile in the profiles file given
 * (NULL: the built-in ones). */
static int
check_profile(const char *file, const char *name, long days, long *valid)
{
	struct profile prof;
	int rc;

	if ((rc = profile_load(file, name, &prof)) != OR_OK)
		return err_context(rc, "the cross-certificate's profile");
	if (!prof.is_ca)
		rc = err_set(OR_E_POLICY, "profile %s is not a CA profile; a "
		    "cross-certificate certifies a CA", prof.name);
	else if (days > prof.validity_days)
		rc = err_set(OR_E_POLICY, "--cross-days %ld is longer than "
		    "profile %s allows (%ld)", days, prof.name,
		    prof.validity_days);
	if (valid != NULL)
		*valid = days > 0 ? days : prof.validity_days;
	profile_free(&prof);
	return rc;
}

/* The cross-certificates the journals record for this pair of roots. */
struct find_cross {
	const char *type, *field, *want;	/* rollover/new_root_sha256 */
	const char *serial_field;
	char serial[72];		/* a serial, or a 64-hex digest */
};

static int
find_cross_visit(const struct jrecord *r, void *vctx)
{
	struct find_cross *x = vctx;
	const char *v = jrecord_get(r, x->field);
	const char *s = jrecord_get(r, x->serial_field);

	if (strcmp(r->type, x->type) == 0 && v != NULL && s != NULL &&
	    strcmp(v, x->want) == 0)
		snprintf(x->serial, sizeof x->serial, "%s", s);
	return OR_OK;
}

/* DIR/issued/SERIAL.pem of the record x finds; *pem NULL when none. */
static int
read_cross(const char *dir, struct find_cross *x, char **pem, size_t *len)
{
	struct cadb_summary sum;
	char idir[PATH_MAX], path[PATH_MAX], file[96];
	int rc;

	*pem = NULL;
	if ((rc = cadb_scan(dir, &sum, find_cross_visit, x)) != OR_OK ||
	    x->serial[0] == '\0')
		return rc;
	snprintf(file, sizeof file, "%s.pem", x->serial);
	if ((rc = cadb_path(dir, CADB_ISSUED, idir, sizeof idir)) != OR_OK ||
	    (rc = file_join(path, sizeof path, idir, file)) != OR_OK)
		return rc;
	return file_read(path, 1u << 20, (unsigned char **)pem, len);
}

/* What a crash left in a CA the rerun does not take the lock of otherwise:
 * settled as every command settles it (recover.h). */
static int
settle(const char *dir, struct interact *io)
{
	struct cadb *db = NULL;
	int rc;

	if ((rc = cadb_open(dir, &db)) == OR_OK)
		rc = recover_ca_load(db, io);
	cadb_close(db);
	return rc;
}

/* A rerun after a crash: NEW is the successor a run made (its
 * rollover-from record names OLD's root); what the journals record as
 * done is not done again. */
static int
resume_state(struct rollover *r)
{
	struct find_cross from = { "rollover-from", "old_root_sha256", NULL,
	    "old_root_sha256", "" };
	struct find_cross fwd = { "issue", "cross_of", NULL, "serial", "" };
	struct find_cross ro = { "rollover", "new_root_sha256", NULL,
	    "cross_serial", "" };
	struct find_cross back = { "issue", "cross_of", NULL, "serial", "" };
	struct find_cross ex = { "export", "outdir", NULL, "rollover_from",
	    "" };
	struct cadb_summary sum;
	char outabs[PATH_MAX];
	int rc;

	r->new.dir = r->p->init->dir;
	from.want = r->old.hex;
	if ((rc = settle(r->old.dir, r->io)) != OR_OK ||
	    (rc = settle(r->new.dir, r->io)) != OR_OK ||
	    (rc = cadb_scan(r->new.dir, &sum, find_cross_visit, &from)) !=
	    OR_OK)
		return rc;
	if (from.serial[0] == '\0')
		return err_set(OR_E_EXISTS, "%s is a CA, but not the successor "
		    "of %s (its journal records no rollover from that root)",
		    r->new.dir, r->old.dir);
	if ((rc = side_load(&r->new)) != OR_OK)
		return rc;
	fwd.want = ro.want = r->new.hex;
	back.want = r->old.hex;
	file_absolute(r->outdir, outabs, sizeof outabs);
	ex.want = outabs;
	if ((rc = read_cross(r->old.dir, &fwd, &r->cross_pem,
	    &r->cross_len)) != OR_OK ||
	    (rc = cadb_scan(r->old.dir, &sum, find_cross_visit, &ro)) !=
	    OR_OK ||
	    (rc = read_cross(r->new.dir, &back, &r->back_pem,
	    &r->back_len)) != OR_OK ||
	    (rc = cadb_scan(r->new.dir, &sum, find_cross_visit, &ex)) != OR_OK)
		return rc;
	snprintf(r->res->cross_serial, sizeof r->res->cross_serial, "%s",
	    fwd.serial);
	snprintf(r->res->back_serial, sizeof r->res->back_serial, "%s",
	    back.serial);
	r->have_record = ro.serial[0] != '\0';
	r->exported = ex.serial[0] != '\0';
	r->resumed = true;
	interact_say(r->io, SAY_WARN, "%s is the successor an interrupted "
	    "rollover made; going on with what is left%s%s%s", r->new.dir,
	    r->cross_pem != NULL ? " (the old root's cross-certificate is "
	    "issued, serial " : "", r->res->cross_serial, r->cross_pem !=
	    NULL ? ")" : "");
	return OR_OK;
}

/* 1. Everything that could refuse the run, before a key is made. */
static int
preflight(struct rollover *r)
{
	const struct rollover_params *p = r->p;
	char path[PATH_MAX];
	time_t now = time(NULL);
	long valid = 0;
	int rc;

	if ((rc = side_load(&r->old)) != OR_OK)
		return err_context(rc, "the old root (%s)", p->old_dir);
	if (r->old.not_after <= now)
		return err_set(OR_E_POLICY, "%s: the old root expired; relying "
		    "parties no longer accept what it signs, so there is "
		    "nothing to roll over from (make a new root with init)",
		    p->old_dir);
	if (p->overlap_days > 0 &&
	    now + p->overlap_days * 86400L > r->old.not_after)
		return err_set(OR_E_POLICY, "--overlap-days %ld: the old root "
		    "expires before that (%ld days left)", p->overlap_days,
		    (long)((r->old.not_after - now) / 86400));
	if ((rc = cadb_path(p->old_dir, CADB_PROFILES, path, sizeof path)) !=
	    OR_OK ||
	    (rc = check_profile(path, r->cross_profile, p->cross_days,
	    &valid)) != OR_OK ||
	    (p->both_ways && (rc = check_profile(p->init->profiles_file,
	    r->cross_profile, p->cross_days, NULL)) != OR_OK))
		return rc;
	/* Relying parties that trust only the old root need the
	 * cross-certificate for the whole overlap. */
	if (p->overlap_days > valid)
		return err_set(OR_E_POLICY, "--overlap-days %ld: the "
		    "cross-certificate is valid for %ld days (profile %s, "
		    "--cross-days), shorter than the overlap", p->overlap_days,
		    valid, r->cross_profile);
	if (snprintf(r->old_cross, sizeof r->old_cross, "%s%s", p->outdir,
	    ROLLOVER_OLD_CROSS) >= (int)sizeof r->old_cross ||
	    snprintf(r->new_cross, sizeof r->new_cross, "%s%s", p->outdir,
	    ROLLOVER_NEW_CROSS) >= (int)sizeof r->new_cross)
		return err_set(OR_E_USAGE, "-o: path too long");
	{
		const struct op_output outs[] = {
			{ p->outdir, OP_NEW_FOLDER },
			{ r->old_cross, OP_NEW_FOLDER },
			{ r->new_cross, OP_NEW_FOLDER },
		};
		size_t i, n = p->both_ways ? 3 : 2;

		if ((rc = cadb_path(p->init->dir, CADB_JOURNAL, path,
		    sizeof path)) != OR_OK)
			return rc;
		if (access(path, F_OK) == 0 &&
		    (rc = resume_state(r)) != OR_OK)
			return rc;
		for (i = 0; i < n; i++) {
			/* What the journals record is not made again. */
			if ((i == 0 && r->exported) ||
			    (i == 1 && r->cross_pem != NULL) ||
			    (i == 2 && r->back_pem != NULL))
				continue;
			if ((rc = op_check_output(&outs[i], p->old_dir,
			    r->io)) != OR_OK)
				return rc;
		}
	}
	return OR_OK;
}

/* What will be made, before the new key exists. */
static void
show_plan(struct rollover *r)
{
	const struct rollover_params *p = r->p;
	char block[8192], fp[1024], when[UTC_TEXT_LEN + 1];

	fingerprint_block(r->old.sha, fp, sizeof fp);
	utc_text(r->old.not_after, when);
	if (snprintf(block, sizeof block,
	    "old root        %s\n"
	    "                valid until %s\n"
	    "                CA directory %s\n"
	    "                SHA-256:\n%s\n"
	    "new root        %s\n"
	    "                a new key, in the new CA directory %s\n"
	    "cross profile   %s (of each CA's profiles.cnf)\n"
	    "certified       the new root by the old%s\n"
	    "export          %s\n"
	    "                (the old root's bundle in %s%s%s)\n",
	    r->old.subject, when, p->old_dir, fp, p->init->subject,
	    p->init->dir, r->cross_profile, p->both_ways ?
	    ", and the old root by the new (--both-ways)" : "",
	    p->outdir, r->old_cross, p->both_ways ? ", the new root's in " :
	    "", p->both_ways ? r->new_cross : "") >= (int)sizeof block)
		strcpy(block + sizeof block - 5, "...\n");
	r->io->show_block(r->io, "Root rollover", block);
}

/* One journal record in a CA directory that no key is needed for. */
static int
record(const char *dir, const char *type, const struct jfields *f)
{
	struct cadb *db = NULL;
	int rc;

	if ((rc = cadb_open(dir, &db)) == OR_OK)
		rc = cadb_append(db, type, f);
	cadb_close(db);
	return rc;
}

/* 2. The new CA (init's code), its key kept for the export, and its
 * predecessor on record. */
static int
make_new(struct rollover *r)
{
	struct rootca_params ip = *r->p->init;
	struct rootca_result ires;
	char na[24], where[PATH_MAX];
	struct jfields f;
	int rc;

	if (r->resumed)
		return OR_OK;
	ip.keep = &r->newks;
	if ((rc = rootca_create(&ip, r->io, &ires)) != OR_OK)
		return rc;
	r->new.dir = ip.dir;
	if ((rc = side_load(&r->new)) != OR_OK)
		return rc;
	memcpy(r->res->new_sha256, r->new.sha, 32);
	snprintf(r->res->new_fingerprint, sizeof r->res->new_fingerprint,
	    "%s", ires.fingerprint);
	r->io->show_block(r->io, "SHA-256 of the new root (read it aloud):",
	    ires.fingerprint);
	snprintf(na, sizeof na, "%lld", (long long)r->old.not_after);
	file_absolute(r->old.dir, where, sizeof where);
	jf_init(&f);
	jf_add(&f, "old_root_sha256", r->old.hex);
	jf_add(&f, "old_subject", r->old.subject);
	jf_add(&f, "old_public_key_sha256", r->old.pkhex);
	jf_add(&f, "old_not_after", na);
	jf_add(&f, "old_dir", where);
	return record(r->new.dir, "rollover-from", &f);
}

/* One root certifies the other with cross-sign's code; the certificate
 * is read back from the signer's issued/. */
static int
cross(struct rollover *r, const struct side *by, const struct side *of,
    const char *outdir, struct keystore **ks, struct interact *io,
    char *serial, size_t size, char **pem, size_t *len)
{
	struct cross_params cp = { 0 };
	struct cross_result cr;
	char dir[PATH_MAX], path[PATH_MAX], file[96];
	int rc;

	cp.dir = by->dir;
	cp.cert = NULL;
	cp.profile_name = r->cross_profile;
	cp.days = r->p->cross_days;
	cp.outdir = outdir;
	/* Our own init made it, or our own CA holds it: no out-of-band
	 * check to type, the whole SHA-256 is compared. */
	cp.fingerprint = of->hex;
	if ((rc = cadb_path(of->dir, CADB_ROOT_CERT, path, sizeof path)) !=
	    OR_OK)
		return rc;
	cp.cert = path;
	if ((rc = cross_sign_ks(&cp, ks, io, &cr)) != OR_OK)
		return rc;
	snprintf(serial, size, "%s", cr.serial);
	snprintf(file, sizeof file, "%s.pem", cr.serial);
	if ((rc = cadb_path(by->dir, CADB_ISSUED, dir, sizeof dir)) != OR_OK ||
	    (rc = file_join(path, sizeof path, dir, file)) != OR_OK)
		return rc;
	return file_read(path, 1u << 20, (unsigned char **)pem, len);
}

/* A PEM certificate's notAfter. */
static int
pem_not_after(const char *pem, size_t len, time_t *out)
{
	BIO *bio = BIO_new_mem_buf(pem, (int)len);
	X509 *x = bio != NULL ? PEM_read_bio_X509(bio, NULL, NULL, NULL) :
	    NULL;

	BIO_free(bio);
	if (x == NULL)
		return err_openssl(OR_E_CRYPTO, "the cross-certificate");
	*out = asn1_unix(X509_get0_notAfter(x));
	X509_free(x);
	return OR_OK;
}

/* 3. The old root certifies the new one, and records its successor. */
static int
old_certifies_new(struct rollover *r)
{
	struct interact *oio = r->p->old_io != NULL ? r->p->old_io : r->io;
	struct keystore *oks = NULL, **ksp = r->p->old_held != NULL ?
	    r->p->old_held : &oks;
	unsigned char md[32];
	char hex[65], where[PATH_MAX];
	struct jfields f;
	int rc;

	if (r->cross_pem == NULL)
		rc = cross(r, &r->old, &r->new, r->old_cross, ksp, oio,
		    r->res->cross_serial, sizeof r->res->cross_serial,
		    &r->cross_pem, &r->cross_len);
	else
		rc = OR_OK;
	keystore_close(oks);	/* the command's old key is done */
	if (rc != OR_OK)
		return err_context(rc, "the new CA %s is made; the old root's "
		    "cross-certificate", r->new.dir);
	if ((rc = sha256(r->cross_pem, r->cross_len, md)) != OR_OK ||
	    (rc = pem_not_after(r->cross_pem, r->cross_len,
	    &r->cross_not_after)) != OR_OK || r->have_record)
		return rc;
	hex_encode(md, 32, hex);
	file_absolute(r->new.dir, where, sizeof where);
	jf_init(&f);
	jf_add(&f, "new_root_sha256", r->new.hex);
	jf_add(&f, "new_subject", r->new.subject);
	jf_add(&f, "new_public_key_sha256", r->new.pkhex);
	jf_add(&f, "new_dir", where);
	jf_add(&f, "cross_serial", r->res->cross_serial);
	jf_add(&f, "cross_file_sha256", hex);
	return record(r->old.dir, "rollover", &f);
}

static const char readme_text[] =
"offroot root rollover: the transition bundle\n"
"============================================\n"
"\n"
"A new root (root.pem) replaces the old one (old-root.pem).  The old root\n"
"certified the new root's subject and key (cross-signed-by-old.pem), so\n"
"that relying parties that trust only the old root still validate\n"
"certificates of the new hierarchy.\n"
"\n"
"  new root     %s\n"
"               SHA-256 %s\n"
"  old root     %s\n"
"               SHA-256 %s\n"
"\n"
"  root.pem                   the new root certificate\n"
"  old-root.pem               the old root certificate\n"
"  roots-transition.pem       both roots, new first: the trust bundle of\n"
"                             the overlap\n"
"  cross-signed-by-old.pem    the new root's subject and key, issued by\n"
"                             the old root (serial %s)\n"
"%s"
"  transcript.log             the export's transcript, sealed by the new key\n"
"  MANIFEST, MANIFEST.sig     SHA-256 of every file; the new root key's\n"
"                             signature over MANIFEST\n"
"\n"
"The overlap\n"
"-----------\n"
"It lasts %s, until %s.\n"
"\n"
"1. Now: check this folder (no key needed):\n"
"\n"
"     openssl x509 -in root.pem -noout -pubkey > root.pub\n"
"     %s\n"
"     sha256sum -c MANIFEST\n"
"\n"
"   or, with offroot: offroot verify THIS-FOLDER --root root.pem\n"
"   compare root.pem's SHA-256 with the one read aloud at the ceremony,\n"
"   and put roots-transition.pem into every trust store (Kubernetes: the CA bundles of the API server,\n"
"   kubelets and etcd; Vault: the issuing CA chain).\n"
"2. Re-sign the intermediates under the new root from fresh CSRs\n"
"   (Vault: pki_int/intermediate/generate, offroot sign, set-signed).\n"
"   Until every relying party trusts root.pem, servers of the new\n"
"   hierarchy send cross-signed-by-old.pem after their own chain.\n"
"3. Drop the old root and cross-signed-by-old.pem from every trust\n"
"   store and chain on %s, once no certificate still in use chains\n"
"   only to the old root.\n";

/* README.txt: both roots, the overlap and when to drop the old root. */
static int
readme(struct rollover *r, const char *hint, char **out, size_t *len)
{
	char end[UTC_TEXT_LEN + 1], span[160], back[512] = "";
	time_t until = r->old.not_after;
	FILE *mem;

	if (r->overlap_days == 0 && r->cross_not_after < until) {
		until = r->cross_not_after;
		snprintf(span, sizeof span, "until cross-signed-by-old.pem "
		    "expires (%ld days; the old root lasts longer)",
		    (long)((until - time(NULL)) / 86400));
	} else if (r->overlap_days > 0) {
		until = time(NULL) + r->overlap_days * 86400L;
		snprintf(span, sizeof span, "%ld days (--overlap-days)",
		    r->overlap_days);
	} else
		snprintf(span, sizeof span, "until the old root expires "
		    "(%ld days)", (long)((until - time(NULL)) / 86400));
	utc_text(until, end);
	if (r->back_pem != NULL)
		snprintf(back, sizeof back, "  cross-signed-by-new.pem    the "
		    "old root's subject and key, issued by\n"
		    "                             the new root (serial %s)\n",
		    r->res->back_serial);
	if ((mem = open_memstream(out, len)) == NULL)
		return err_set(OR_E_NOMEM, "out of memory");
	fprintf(mem, readme_text, r->new.subject, r->new.hex, r->old.subject,
	    r->old.hex, r->res->cross_serial, back, span, end, hint, end);
	if (fclose(mem) != 0)
		return err_set(OR_E_NOMEM, "out of memory");
	return OR_OK;
}

/* The export's files, in the bundle. */
static int
fill(struct rollover *r, struct bundle *b, const char *readme_text_,
    size_t rlen, const unsigned char *tdata, size_t tlen)
{
	char *both;
	int rc;

	if ((both = malloc(r->new.pemlen + r->old.pemlen)) == NULL)
		return err_set(OR_E_NOMEM, "out of memory");
	memcpy(both, r->new.pem, r->new.pemlen);
	memcpy(both + r->new.pemlen, r->old.pem, r->old.pemlen);
	if ((rc = bundle_add(b, "root.pem", r->new.pem, r->new.pemlen)) ==
	    OR_OK &&
	    (rc = bundle_add(b, "old-root.pem", r->old.pem, r->old.pemlen)) ==
	    OR_OK &&
	    (rc = bundle_add(b, "roots-transition.pem", both, r->new.pemlen +
	    r->old.pemlen)) == OR_OK &&
	    (rc = bundle_add(b, "cross-signed-by-old.pem", r->cross_pem,
	    r->cross_len)) == OR_OK &&
	    (r->back_pem == NULL || (rc = bundle_add(b,
	    "cross-signed-by-new.pem", r->back_pem, r->back_len)) == OR_OK) &&
	    (rc = bundle_add(b, "transcript.log", tdata, tlen)) == OR_OK)
		rc = bundle_add(b, "README.txt", readme_text_, rlen);
	free(both);
	return rc;
}

/* Staged, recorded by an export record, renamed into place. */
static int
publish(struct rollover *r, struct op *op)
{
	const char *outdir = r->outdir;
	const char *digest = keytype_default_digest(op->ks->type);
	struct bundle b = { 0 };
	unsigned char *tdata = NULL;
	char *text = NULL, hint[256], stage[PATH_MAX] = "", mhex[65];
	char where[PATH_MAX];
	size_t tlen = 0, rlen = 0;
	struct jfields f;
	int rc;

	if (digest == NULL)
		snprintf(hint, sizeof hint, "openssl pkeyutl -verify -pubin "
		    "-inkey root.pub -rawin -in MANIFEST -sigfile MANIFEST.sig");
	else
		snprintf(hint, sizeof hint, "openssl dgst -%s -verify root.pub "
		    "-signature MANIFEST.sig MANIFEST", digest);
	if ((rc = readme(r, hint, &text, &rlen)) != OR_OK ||
	    (rc = file_read(op->tr->path, 64u << 20, &tdata, &tlen)) != OR_OK ||
	    (rc = fill(r, &b, text, rlen, tdata, tlen)) != OR_OK ||
	    (rc = bundle_stage(&b, outdir, op->ks, digest,
	    r->res->manifest_sha256, stage, sizeof stage)) != OR_OK)
		goto out;
	hex_encode(r->res->manifest_sha256, 32, mhex);
	/* Absolute, so that a later run from another directory finds it. */
	file_absolute(outdir, where, sizeof where);
	jf_init(&f);
	jf_add(&f, "outdir", where);
	jf_add(&f, "manifest_sha256", mhex);
	jf_add(&f, "certificates", "0");
	jf_add(&f, "rollover_from", r->old.hex);
	if ((rc = cadb_append(op->db, "export", &f)) != OR_OK) {
		bundle_unstage(stage);
		goto out;
	}
	/* Recorded: a failure now leaves the bundle staged, and the next
	 * command on the new CA moves it into place (recover_publish). */
	if ((rc = bundle_publish(stage, outdir)) != OR_OK)
		rc = err_context(rc, "the export is recorded, but the bundle "
		    "is still in %s", stage);
	else
		r->res->exported = true;
out:
	bundle_free(&b);
	free(text);
	free(tdata);
	return rc;
}

/* 5. The transition export, under the new CA's lifecycle and key. */
static int
export(struct rollover *r)
{
	const struct op_output outs[] = {
		{ r->outdir, OP_NEW_FOLDER }, { NULL, 0 }
	};
	struct jfields f;
	struct op op;
	int rc;

	memset(&op, 0, sizeof op);
	if ((rc = op_begin(&op, r->new.dir, "rollover-export", outs, r->io)) !=
	    OR_OK || (rc = op_unlock(&op, r->io, r->export_ks)) != OR_OK)
		goto out;
	jf_init(&f);
	jf_add(&f, "old_root_sha256", r->old.hex);
	jf_add(&f, "new_root_sha256", r->new.hex);
	jf_add(&f, "cross_serial", r->res->cross_serial);
	if (r->res->back_serial[0] != '\0')
		jf_add(&f, "back_serial", r->res->back_serial);
	jf_add(&f, "outdir", r->outdir);
	if ((rc = transcript_add(op.tr, "rollover-export", &f)) != OR_OK ||
	    (rc = op_finish(&op)) != OR_OK)
		goto out;
	rc = publish(r, &op);
out:
	rc = op_fail(&op, rc);
	op_end(&op);
	return rc;
}

int
rollover_run(const struct rollover_params *p, struct interact *io,
    struct rollover_result *res)
{
	struct rollover r;
	int rc;

	memset(res, 0, sizeof *res);
	memset(&r, 0, sizeof r);
	r.p = p;
	r.res = res;
	r.io = io;
	r.old.dir = p->old_dir;
	r.outdir = p->outdir;
	r.overlap_days = p->overlap_days;
	r.export_ks = &r.newks;
	r.cross_profile = p->cross_profile != NULL ? p->cross_profile :
	    ROLLOVER_DEFAULT_CROSS;
	if ((rc = preflight(&r)) != OR_OK)
		goto out;
	memcpy(res->old_sha256, r.old.sha, 32);
	fingerprint_block(r.old.sha, res->old_fingerprint,
	    sizeof res->old_fingerprint);
	show_plan(&r);
	if ((rc = make_new(&r)) != OR_OK ||
	    (rc = old_certifies_new(&r)) != OR_OK)
		goto out;
	if (p->both_ways && r.back_pem == NULL &&
	    (rc = cross(&r, &r.new, &r.old, r.new_cross,
	    &r.newks, io, res->back_serial, sizeof res->back_serial,
	    &r.back_pem, &r.back_len)) != OR_OK) {
		rc = err_context(rc, "the old root certified the new one "
		    "(serial %s); the new root's cross-certificate",
		    res->cross_serial);
		goto out;
	}
	if (r.resumed) {
		memcpy(res->new_sha256, r.new.sha, 32);
		fingerprint_block(r.new.sha, res->new_fingerprint,
		    sizeof res->new_fingerprint);
	}
	if (!p->no_export && !r.exported && (rc = export(&r)) != OR_OK)
		rc = err_context(rc, "both roots are made and certified; the "
		    "transition export");
out:
	if (rc == OR_OK && p->new_held != NULL) {
		*p->new_held = r.newks;	/* the ceremony's from here on */
		r.newks = NULL;
	}
	keystore_close(r.newks);
	side_free(&r.old);
	side_free(&r.new);
	free(r.cross_pem);
	free(r.back_pem);
	return rc;
}

/* A transition export the new CA's journal records already (a resumed
 * ceremony step): the new CA is settled (a staged export is renamed into
 * place), nothing is signed again; res->exported, with its MANIFEST's
 * SHA-256. */
static int
export_done(struct rollover *r, struct rollover_result *res)
{
	struct find_cross ex = { "export", "outdir", NULL, "manifest_sha256",
	    "" };
	struct cadb_summary sum;
	char outabs[PATH_MAX];
	int rc;

	file_absolute(r->outdir, outabs, sizeof outabs);
	ex.want = outabs;
	if ((rc = cadb_scan(r->new.dir, &sum, find_cross_visit, &ex)) !=
	    OR_OK || ex.serial[0] == '\0')
		return rc;
	if ((rc = settle(r->new.dir, r->io)) != OR_OK)
		return rc;
	if (hex_decode(ex.serial, res->manifest_sha256, 32) != OR_OK)
		return err_set(OR_E_CORRUPT, "%s: the export record of %s has "
		    "no MANIFEST digest", r->new.dir, outabs);
	interact_say(r->io, SAY_WARN, "%s: the transition export is recorded "
	    "already; it is not written again", r->outdir);
	res->exported = true;
	return OR_OK;
}

int
rollover_export(const struct rollover_export_params *e,
    struct keystore **held, struct interact *io,
    struct rollover_result *res)
{
	struct find_cross fwd = { "rollover", "new_root_sha256", NULL,
	    "cross_serial", "" };
	struct find_cross back = { "issue", "cross_of", NULL, "serial", "" };
	struct rollover r;
	int rc;

	memset(res, 0, sizeof *res);
	memset(&r, 0, sizeof r);
	r.res = res;
	r.io = io;
	r.old.dir = e->old_dir;
	r.new.dir = e->new_dir;
	r.outdir = e->outdir;
	r.overlap_days = e->overlap_days;
	r.export_ks = held;
	if ((rc = side_load(&r.old)) != OR_OK ||
	    (rc = side_load(&r.new)) != OR_OK)
		goto out;
	fwd.want = r.new.hex;
	back.want = r.old.hex;
	if ((rc = export_done(&r, res)) != OR_OK || res->exported)
		goto out;
	if ((rc = read_cross(e->old_dir, &fwd, &r.cross_pem, &r.cross_len)) !=
	    OR_OK)
		goto out;
	if (r.cross_pem == NULL) {
		rc = err_set(OR_E_INPUT, "%s records no rollover to the root of "
		    "%s: nothing to export", e->old_dir, e->new_dir);
		goto out;
	}
	snprintf(res->cross_serial, sizeof res->cross_serial, "%s",
	    fwd.serial);
	if ((rc = read_cross(e->new_dir, &back, &r.back_pem, &r.back_len)) !=
	    OR_OK ||
	    (rc = pem_not_after(r.cross_pem, r.cross_len,
	    &r.cross_not_after)) != OR_OK)
		goto out;
	snprintf(res->back_serial, sizeof res->back_serial, "%s", back.serial);
	memcpy(res->old_sha256, r.old.sha, 32);
	memcpy(res->new_sha256, r.new.sha, 32);
	rc = export(&r);
	res->exported = rc == OR_OK;
out:
	side_free(&r.old);
	side_free(&r.new);
	free(r.cross_pem);
	free(r.back_pem);
	return rc;
}
