/*
 * ceremony-verify.c — what a ceremony step shows and has confirmed
 * before its action does anything irreversible (ARCHITECTURE decision
 * 10): the witness's comparison of each CSR's SHA-256 with the value its
 * requester sent, before the key is unlocked to sign it (sign.h's
 * hooks), the preview of the next CRL before the key is unlocked to sign
 * that, and the preview of a new root before its key is made.  A
 * refusal here leaves the CA as it was: nothing made or unlocked, no
 * serial or CRL number used; the transcript records why.
 */
#include <ctype.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "cadb.h"
#include "ceremony-int.h"
#include "crl.h"
#include "csr.h"
#include "err.h"
#include "keystore.h"
#include "pgpwords.h"
#include "profile.h"
#include "revoke.h"
#include "rootca.h"
#include "sign.h"
#include "util.h"

#define CSR_HASH_TRIES	3

/* The typed words or hex groups, lowercased, in canonical spacing: words
 * separated by one space, hex digits with no space at all. */
static void
canon(const char *in, bool hex, char *out, size_t size)
{
	size_t n = 0;
	bool gap = false;

	for (; *in != '\0' && n + 2 < size; in++) {
		if (isspace((unsigned char)*in)) {
			gap = n > 0;
			continue;
		}
		if (gap && !hex)
			out[n++] = ' ';
		gap = false;
		out[n++] = (char)tolower((unsigned char)*in);
	}
	out[n] = '\0';
}

/* Whether typed is the start of md as the mode reads it: the first two
 * PGP words, or the first two hex groups (8 digits). */
static bool
typed_matches(const char *typed, bool hex, const unsigned char md[32])
{
	char want[80], got[160];
	size_t i;

	if (hex)
		snprintf(want, sizeof want, "%02x%02x%02x%02x", md[0], md[1],
		    md[2], md[3]);
	else
		snprintf(want, sizeof want, "%s %s", pgpword(md[0], 0),
		    pgpword(md[1], 1));
	for (i = 0; want[i] != '\0'; i++)
		want[i] = (char)tolower((unsigned char)want[i]);
	canon(typed, hex, got, sizeof got);
	return strcmp(got, want) == 0;
}

/* One "csr-hash" record: what the witness compared and answered. */
static int
rec_csr_hash(struct ceremony *c, const struct script_step *st,
    const char *path, const struct csr_info *ci, const char *method,
    const char *typed, const char *matched, const char *by, bool yes)
{
	char fhex[65], dhex[65];
	struct jfields f;

	hex_encode(ci->file_sha256, 32, fhex);
	hex_encode(ci->csr_sha256, 32, dhex);
	jf_init(&f);
	jf_add(&f, "step", st->number_text);
	jf_add(&f, "file", path);
	jf_add(&f, "file_sha256", fhex);
	jf_add(&f, "der_sha256", dhex);
	jf_add(&f, "method", method);
	if (typed != NULL)
		jf_add(&f, "typed", typed);
	jf_add(&f, "matched", matched);
	jf_add(&f, "by", by);
	jf_add(&f, "answer", yes ? "yes" : "no");
	return ceremony_rec(c, "csr-hash", &f);
}

/* Both SHA-256 values of one CSR, labelled, large. */
static void
show_csr_hashes(struct ceremony *c, size_t i, size_t n, const char *name,
    const struct csr_info *ci)
{
	char block[3072], fp[1024], title[512];
	int w;

	fingerprint_block(ci->file_sha256, fp, sizeof fp);
	w = snprintf(block, sizeof block, "The file as it is on the media "
	    "(sha256sum %s):\n%s", name, fp);
	fingerprint_block(ci->csr_sha256, fp, sizeof fp);
	if (w > 0 && (size_t)w < sizeof block)
		snprintf(block + w, sizeof block - (size_t)w, "The DER request "
		    "(openssl req -in %s -outform DER | sha256sum):\n%s", name,
		    fp);
	snprintf(title, sizeof title, "CSR %zu of %zu, %s: compare with the "
	    "SHA-256 its requester sent", i + 1, n, name);
	c->io->show_block(c->io, title, block);
}

/* The witness types the start of the requester's value; up to three
 * tries, each recorded.  *matched: "file", "der" or "none". */
static int
csr_hash_typed(struct ceremony *c, const struct script_step *st,
    const char *path, const char *name, const struct csr_info *ci,
    bool hex, const char *by, const char **matched)
{
	char q[512], typed[160];
	int rc, tries;

	for (tries = 1; tries <= CSR_HASH_TRIES; tries++) {
		snprintf(q, sizeof q, "%s: type the first two %s of the "
		    "SHA-256 the requester sent for %s", by, hex ?
		    "hex groups (8 digits)" : "PGP words", name);
		if ((rc = c->io->ask(c->io, q, typed, sizeof typed)) != OR_OK)
			return rc;
		*matched = typed_matches(typed, hex, ci->file_sha256) ? "file" :
		    typed_matches(typed, hex, ci->csr_sha256) ? "der" : "none";
		if ((rc = rec_csr_hash(c, st, path, ci, hex ? "hex" : "words",
		    typed, *matched, by, strcmp(*matched, "none") != 0)) !=
		    OR_OK || strcmp(*matched, "none") != 0)
			return rc;
		interact_say(c->io, SAY_WARN, "\"%s\" is not the start of "
		    "either SHA-256 of %s (%d of %d tries)", typed, name, tries,
		    CSR_HASH_TRIES);
	}
	return OR_OK;
}

/* sign_hooks.csr: the witness compares CSR i's SHA-256 with the
 * requester's value, as the step's confirm_csr says. */
static int
hook_csr(void *ctx, size_t i, size_t n, const char *path,
    const struct csr_info *ci)
{
	struct ceremony_sign *x = ctx;
	struct ceremony *c = x->c;
	const struct script_step *st = x->st;
	const char *mode = script_param(st, "confirm_csr"), *name, *matched;
	char by[256], q[768];
	bool yes = false;
	int rc;

	name = strrchr(path, '/') != NULL ? strrchr(path, '/') + 1 : path;
	ceremony_who(c, script_witness(&c->s, st), by, sizeof by);
	show_csr_hashes(c, i, n, name, ci);
	if (mode == NULL || strcmp(mode, "yes") == 0) {
		snprintf(q, sizeof q, "%s: does the SHA-256 the requester sent "
		    "for %s match one of the two above (the file, or the DER "
		    "request)?", by, name);
		if ((rc = c->io->confirm(c->io, q, &yes)) != OR_OK ||
		    (rc = rec_csr_hash(c, st, path, ci, "yes", NULL, yes ?
		    "witness" : "none", by, yes)) != OR_OK)
			return rc;
	} else {
		if ((rc = csr_hash_typed(c, st, path, name, ci,
		    strcmp(mode, "hex") == 0, by, &matched)) != OR_OK)
			return rc;
		yes = strcmp(matched, "none") != 0;
		if (yes)
			interact_say(c->io, SAY_INFO, "%s: the value the "
			    "requester sent is the SHA-256 of %s", name,
			    strcmp(matched, "file") == 0 ? "the file as it is "
			    "on the media" : "the DER request");
	}
	if (!yes)
		return err_set(OR_E_CANCEL, "step %s: %s did not confirm the "
		    "SHA-256 of %s; nothing was unlocked or signed (see "
		    "offroot-ceremony(7): a hash that does not match)",
		    st->number_text, by, name);
	return OR_OK;
}

/* sign_hooks.ready: the step's verify: lines, still before the key. */
static int
hook_ready(void *ctx)
{
	struct ceremony_sign *x = ctx;

	return ceremony_verify(x->c, x->st);
}

/* sign_hooks.unlocked: the key this step unlocked goes on record. */
static int
hook_unlocked(void *ctx)
{
	struct ceremony_sign *x = ctx;

	return ceremony_rec_step_unlocked(x->c, x->had_key);
}

void
ceremony_sign_hooks(struct ceremony *c, const struct script_step *st,
    struct ceremony_sign *x, struct sign_hooks *h)
{
	x->c = c;
	x->st = st;
	x->had_key = c->ks != NULL;
	memset(h, 0, sizeof *h);
	h->csr = hook_csr;
	h->ready = hook_ready;
	h->unlocked = hook_unlocked;
	h->ctx = x;
}

/* ---- the next CRL, shown before the key -------------------------------- */

#define CRL_PREVIEW_LIST	10	/* revocations listed by serial */

/* The revocations the journal recorded since the last CRL: the entries
 * replayed last (plan->rdb's order counts every entry replayed). */
static void
crl_preview_new(const struct crl_plan *plan, char *block, size_t size,
    size_t *used)
{
	const struct revoke_db *r = &plan->rdb;
	uint64_t first = r->order > r->since_crl ? r->order - r->since_crl : 0;
	char serial[SERIAL_HEX], when[21];
	struct serial sn;
	size_t i, shown = 0;
	int w;

	for (i = 0; i < plan->spec.n && *used < size; i++) {
		const struct revoke_entry *e = &plan->spec.e[i];

		if (e->order < first)
			continue;
		if (++shown > CRL_PREVIEW_LIST)
			continue;
		/* The journal's spelling: no leading zero digit. */
		memcpy(sn.b, e->serial, SERIAL_MAX);	/* right-aligned */
		sn.len = e->len;
		serial_to_hex(&sn, serial);
		utc_text((time_t)e->revoked_at, when);
		w = snprintf(block + *used, size - *used, "  %s  %s  %s\n",
		    serial, revoke_reason_name(e->reason), when);
		if (w > 0)
			*used += (size_t)w;
	}
	if (shown > CRL_PREVIEW_LIST && *used < size) {
		w = snprintf(block + *used, size - *used, "  ... and %zu more\n",
		    shown - CRL_PREVIEW_LIST);
		if (w > 0)
			*used += (size_t)w;
	}
}

/* One "crl-preview" record: what was shown and the answer. */
static int
rec_crl_preview(struct ceremony *c, const struct script_step *st,
    const struct crl_plan *plan, const char *by, bool yes)
{
	char num[24], since[24], ent[24], tu[21], nu[21];
	struct jfields f;

	snprintf(num, sizeof num, "%" PRIu64, plan->spec.number);
	snprintf(since, sizeof since, "%" PRIu64, plan->rdb.since_crl);
	snprintf(ent, sizeof ent, "%zu", plan->spec.n);
	utc_text(plan->spec.this_update, tu);
	utc_text(plan->spec.next_update, nu);
	jf_init(&f);
	jf_add(&f, "step", st->number_text);
	jf_add(&f, "number", num);
	jf_add(&f, "this_update", tu);
	jf_add(&f, "next_update", nu);
	jf_add(&f, "revoked_since_last", since);
	jf_add(&f, "entries", ent);
	jf_add(&f, "by", by);
	jf_add(&f, "answer", yes ? "yes" : "no");
	return ceremony_rec(c, "crl-preview", &f);
}

int
ceremony_crl_preview(struct ceremony *c, const struct script_step *st,
    const struct crl_plan *plan, const char *out)
{
	const struct revoke_db *r = &plan->rdb;
	char block[4096], tu[21], nu[21], last[96], by[256], q[512];
	size_t used = 0;
	bool yes = false;
	int rc, w;

	utc_text(plan->spec.this_update, tu);
	utc_text(plan->spec.next_update, nu);
	if (r->has_crl)
		snprintf(last, sizeof last, "the last one is number %" PRIu64,
		    r->last_crl.number);
	else
		snprintf(last, sizeof last, "the first CRL of this CA");
	w = snprintf(block, sizeof block, "CRL number:   %" PRIu64 " (%s)\n"
	    "thisUpdate:   %s\nnextUpdate:   %s%s\nrevoked since the last "
	    "CRL: %" PRIu64 "\n", plan->spec.number, last, tu, nu,
	    plan->clamped ? " (the root's notAfter)" : "", r->since_crl);
	if (w > 0 && (size_t)w < sizeof block)
		used = (size_t)w;
	crl_preview_new(plan, block, sizeof block, &used);
	if (used < sizeof block)
		snprintf(block + used, sizeof block - used, "entries in all: "
		    "%zu\noutput:       %s\n", plan->spec.n, out != NULL ? out :
		    "none (the CA directory only)");
	c->io->show_block(c->io, "The next CRL (nothing is signed yet)",
	    block);
	snprintf(q, sizeof q, "%s: sign CRL number %" PRIu64 " as shown?",
	    ceremony_who(c, st->role, by, sizeof by), plan->spec.number);
	if ((rc = c->io->confirm(c->io, q, &yes)) != OR_OK ||
	    (rc = rec_crl_preview(c, st, plan, by, yes)) != OR_OK)
		return rc;
	if (!yes)
		return err_set(OR_E_CANCEL, "step %s: %s did not confirm the "
		    "next CRL; the key was not unlocked and CRL number %" PRIu64
		    " was not used", st->number_text, by, plan->spec.number);
	return OR_OK;
}

/* ---- the root, shown before it is made --------------------------------- */

int
ceremony_root_preview(struct ceremony *c, const struct script_step *st,
    const struct rootca_params *rp, const char *quorum)
{
	struct profile prof;
	char block[2048], store[512], path[32], by[256], q[512], dtext[24];
	struct jfields f;
	bool yes = false;
	long days;
	int rc;

	if ((rc = profile_load(rp->profiles_file, rp->profile_name, &prof)) !=
	    OR_OK)
		return rc;
	days = rp->days != 0 ? rp->days : prof.validity_days;
	rootca_store_text(rp, quorum, store, sizeof store);
	if (prof.pathlen >= 0)
		snprintf(path, sizeof path, "%d", prof.pathlen);
	rootca_preview_text(rp, &prof, store, false, block, sizeof block);
	c->io->show_block(c->io, "The root that will be made (nothing is "
	    "made yet)", block);
	snprintf(q, sizeof q, "%s: make this root key and certificate?",
	    ceremony_who(c, st->role, by, sizeof by));
	if ((rc = c->io->confirm(c->io, q, &yes)) != OR_OK)
		goto out;
	snprintf(dtext, sizeof dtext, "%ld", days);
	jf_init(&f);
	jf_add(&f, "step", st->number_text);
	jf_add(&f, "subject", rp->subject);
	jf_add(&f, "key_type", keytype_name(rp->key_type));
	jf_add(&f, "store", store);
	jf_add(&f, "profile", prof.name);
	jf_add(&f, "profile_source", prof.source);
	jf_add(&f, "validity_days", dtext);
	jf_add(&f, "pathlen", prof.pathlen >= 0 ? path : "none");
	jf_add(&f, "by", by);
	jf_add(&f, "answer", yes ? "yes" : "no");
	if ((rc = ceremony_rec(c, "root-preview", &f)) == OR_OK && !yes)
		rc = err_set(OR_E_CANCEL, "step %s: %s did not confirm the "
		    "root to be made; no key was made", st->number_text, by);
out:
	profile_free(&prof);
	return rc;
}
