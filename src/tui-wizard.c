/*
 * tui-wizard.c — the TUI's forms for the plain operations
 * (tui-wizard.h).  A root made from the TUI must be the root the CLI would
 * make with the same choices: the wizard only collects them (profile set,
 * profile, key type, key store) and runs init's exec with them; it shows
 * the root that will be made (rootca_preview_text, as the root ceremony
 * does) before anything is made.  The CSRs to sign are found on the
 * medium, not in the folder offroot was started from, and each is checked
 * to parse before the bundle folder is asked for.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "csr.h"
#include "csrpick.h"
#include "err.h"
#include "fileio.h"
#include "keystore.h"
#include "names.h"
#include "pkcs11.h"
#include "profile.h"
#include "publish.h"
#include "reshare.h"
#include "rootca.h"
#include "share.h"
#include "sign.h"
#include "tui-wizard.h"
#include "util.h"

#define WIZ_SETS	16	/* profile sets offered */
#define WIZ_PROFILES	16	/* CA profiles of a set offered */
#define WIZ_TOKENS	16
#define WIZ_INSTALLED	"/usr/share/offroot/ceremony-scripts"

int
tui_args(const struct cmd_entry *e, struct cmd_args *a, const char *name,
    const char *value)
{
	size_t k;

	a->entry = e;
	for (k = 0; e->opts[k].name != NULL; k++)
		if (strcmp(e->opts[k].name, name) == 0)
			break;
	if (e->opts[k].name == NULL || a->nvalues == CMD_MAX_VALUES)
		return err_set(OR_E_USAGE, "%s: no option --%s", e->name, name);
	a->values[a->nvalues].opt = &e->opts[k];
	a->values[a->nvalues].value = value;
	a->nvalues++;
	return OR_OK;
}

void
tui_steps(struct interact *io, const char *const *titles, size_t n,
    size_t current)
{
	struct step_view v[8];
	static const char *const num[] = { "1", "2", "3", "4", "5", "6", "7",
	    "8" };
	size_t i;

	if (io->steps == NULL)
		return;
	for (i = 0; i < n && i < 8; i++) {
		v[i].number = num[i];
		v[i].title = titles[i];
		v[i].role = "Ceremony Administrator";
		v[i].state = i < current ? STEP_DONE : i == current ?
		    STEP_CURRENT : STEP_PENDING;
	}
	io->steps(io, v, i, current);
}

void
tui_status(struct interact *io, const struct tui_ctx *c, const char *tr)
{
	struct status_view st = { c->dir, NULL, c->media != NULL ? c->media :
	    "none", tr };

	if (io->status != NULL)
		io->status(io, &st);
}

/* A question of the form asked again after "no, back to the form": an
 * empty answer keeps the earlier one (buf), "none" clears it. */
static int
ask_keep(struct interact *io, const char *question, char *buf, size_t size,
    bool clearable)
{
	char q[2048], *ans;
	int rc;

	if (buf[0] == '\0')
		return io->ask(io, question, buf, size);
	if ((ans = malloc(size)) == NULL)
		return err_set(OR_E_NOMEM, "out of memory");
	snprintf(q, sizeof q, "%s [Enter: keep %s%s]", question, buf,
	    clearable ? "; none: clear it" : "");
	if ((rc = io->ask(io, q, ans, size)) == OR_OK) {
		if (strcmp(ans, "none") == 0 && clearable)
			buf[0] = '\0';
		else if (ans[0] != '\0')
			snprintf(buf, size, "%s", ans);
	}
	free(ans);
	return rc;
}

/* A publication point (publish.h): asked until it is empty or valid. */
static int
tui_ask_url(struct interact *io, const char *question, char *url,
    size_t size)
{
	char again[1024];
	const char *q = question;
	int rc;

	for (;;) {
		if ((rc = ask_keep(io, q, url, size, true)) != OR_OK)
			return rc;
		if (url[0] == '\0' || (rc = publish_url_check("refused",
		    url)) == OR_OK)
			return OR_OK;
		/* The reason in the question itself: the dialog covers the
		 * log it also goes to. */
		interact_say(io, SAY_WARN, "%s", err_msg(rc));
		snprintf(again, sizeof again, "%s. %s", err_msg(rc), question);
		q = again;
		url[0] = '\0';
	}
}

/* ---- the root wizard ------------------------------------------------- */

enum wiz_store { WS_SEALED, WS_QUORUM, WS_TOKEN };

static const char *const wiz_keys[] = { "ec-p384", "ec-p256", "rsa-4096",
    "rsa-3072", "ed25519" };
static const char *const wiz_kdfs[] = { "sensitive", "moderate",
    "interactive" };

struct wiz {
	char subject[512];
	char crl[PUBLISH_URL_MAX + 1], aia[PUBLISH_URL_MAX + 1];
	char sets[WIZ_SETS][PATH_MAX];		/* "" : built-in */
	char set_label[WIZ_SETS][256];
	char set_sub[WIZ_SETS][64];		/* its folder's name */
	size_t nsets, set;
	char profile[PROFILE_NAME_MAX];
	const char *key;
	enum wiz_store store;
	const char *kdf;
	char quorum[16];
	unsigned m, n;
	char share_dirs[SEALED_QUORUM_MAX_N][PATH_MAX];
	char token[PKCS11_URI_MAX], token_label[80];
};

/* What a profile set says of itself: its root profile's description (the
 * first CA profile's when it has no [root]). */
struct wiz_set_scan {
	char desc[256];
	bool have_root;
	char names[WIZ_PROFILES][PROFILE_NAME_MAX];
	char labels[WIZ_PROFILES][320];
	size_t n;
};

static void
wiz_set_each(void *ctx, const struct profile *p)
{
	struct wiz_set_scan *s = ctx;
	char path[24];

	if (!p->is_ca)
		return;
	if (strcmp(p->name, "root") == 0 || s->desc[0] == '\0') {
		snprintf(s->desc, sizeof s->desc, "%s", p->description[0] !=
		    '\0' ? p->description : p->name);
		s->have_root |= strcmp(p->name, "root") == 0;
	}
	if (s->n == WIZ_PROFILES)
		return;
	if (p->pathlen >= 0)
		snprintf(path, sizeof path, "pathlen %d", p->pathlen);
	else
		snprintf(path, sizeof path, "no pathlen");
	snprintf(s->names[s->n], sizeof s->names[s->n], "%s", p->name);
	snprintf(s->labels[s->n], sizeof s->labels[s->n], "%.60s (%ld days, "
	    "%s): %.200s", p->name, p->validity_days, path, p->description);
	s->n++;
}

/* Every DIR/SUB/profiles.cnf that checks, as an option. */
static void
wiz_scan_sets(struct wiz *w, const char *dir)
{
	struct wiz_set_scan *s;
	struct dirent *de;
	struct stat st;
	char path[PATH_MAX];
	size_t i;
	DIR *d;

	if (dir == NULL || dir[0] == '\0' || (d = opendir(dir)) == NULL)
		return;
	if ((s = malloc(sizeof *s)) == NULL) {
		closedir(d);
		return;
	}
	while ((de = readdir(d)) != NULL && w->nsets < WIZ_SETS - 1) {
		if (de->d_name[0] == '.' || snprintf(path, sizeof path,
		    "%s/%s/profiles.cnf", dir, de->d_name) >= (int)sizeof path ||
		    stat(path, &st) != 0 || !S_ISREG(st.st_mode))
			continue;
		for (i = 0; i < w->nsets; i++)
			if (strncmp(w->set_sub[i], de->d_name,
			    sizeof w->set_sub[i] - 1) == 0)
				break;
		if (i < w->nsets)
			continue;	/* the same set, installed and here */
		memset(s, 0, sizeof *s);
		if (profile_check_file(path, wiz_set_each, s) != OR_OK ||
		    s->n == 0) {
			err_clear();
			continue;
		}
		if (realpath(path, w->sets[w->nsets]) == NULL)
			snprintf(w->sets[w->nsets], sizeof w->sets[0], "%s",
			    path);
		snprintf(w->set_sub[w->nsets], sizeof w->set_sub[0], "%.63s",
		    de->d_name);
		/* "Kubernetes reference hierarchy: offline root CA": the
		 * set's part, before the colon. */
		s->desc[strcspn(s->desc, ":")] = '\0';
		snprintf(w->set_label[w->nsets], sizeof w->set_label[0],
		    "%.180s (%.40s/profiles.cnf)", s->desc, de->d_name);
		w->nsets++;
	}
	free(s);
	closedir(d);
}

static void
wiz_find_sets(struct wiz *w, const char *scripts)
{
	w->nsets = 0;
	wiz_scan_sets(w, scripts);
	wiz_scan_sets(w, WIZ_INSTALLED);
	w->sets[w->nsets][0] = '\0';
	w->set_sub[w->nsets][0] = '\0';
	snprintf(w->set_label[w->nsets], sizeof w->set_label[0], "Built-in "
	    "CA/B Forum profiles (web PKI: 10 years, no pathlen)");
	w->nsets++;
}

/* The profile set. */
static int
wiz_set(struct interact *io, struct wiz *w, const char *scripts)
{
	const char *opts[WIZ_SETS];
	size_t i;
	int rc;

	wiz_find_sets(w, scripts);
	for (i = 0; i < w->nsets; i++)
		opts[i] = w->set_label[i];
	if ((rc = io->choose(io, "Profile set: what the root and the CAs it "
	    "signs will look like", opts, w->nsets, &w->set)) != OR_OK)
		return rc;
	snprintf(w->profile, sizeof w->profile, "root");
	if (w->sets[w->set][0] == '\0')
		interact_say(io, SAY_WARN, "The built-in CA/Browser Forum "
		    "profiles make a public web-PKI root: 10 years, no path "
		    "length. A private hierarchy (Kubernetes, Vault) wants its "
		    "own profile set: a Vault intermediate signed under these "
		    "fails with e_br_ca_subject_no_country.");
	return OR_OK;
}

/* The set's CA profile (root first), asked when it has more than one;
 * *asked says whether it was. */
static int
wiz_set_profile(struct interact *io, struct wiz *w, bool *asked)
{
	const char *popts[WIZ_PROFILES];
	struct wiz_set_scan *s;
	size_t i, n, choice = 0, first = 0, idx[WIZ_PROFILES];
	int rc;

	*asked = false;
	if (w->sets[w->set][0] == '\0')
		return OR_OK;
	if ((s = calloc(1, sizeof *s)) == NULL)
		return err_set(OR_E_NOMEM, "out of memory");
	if ((rc = profile_check_file(w->sets[w->set], wiz_set_each, s)) !=
	    OR_OK)
		goto out;
	/* [root] first: the one a root is usually made with. */
	for (i = 0; i < s->n; i++)
		if (strcmp(s->names[i], "root") == 0)
			first = i;
	idx[0] = first;
	for (i = 0, n = 1; i < s->n; i++)
		if (i != first)
			idx[n++] = i;
	for (i = 0; i < s->n; i++)
		popts[i] = s->labels[idx[i]];
	if (s->n > 1) {
		*asked = true;
		if ((rc = io->choose(io, "Profile of the root certificate",
		    popts, s->n, &choice)) != OR_OK)
			goto out;
	}
	choice = idx[choice];
	snprintf(w->profile, sizeof w->profile, "%s", s->names[choice]);
out:
	free(s);
	return rc;
}

/* The key types the chosen profile allows. */
static int
wiz_key(struct interact *io, struct wiz *w, const struct profile *prof)
{
	const char *opts[nitems(wiz_keys)];
	size_t i, n = 0, choice;
	enum keytype kt;
	int rc;

	for (i = 0; i < nitems(wiz_keys); i++)
		if (keytype_parse(wiz_keys[i], &kt) == OR_OK &&
		    (prof->key_types == 0 || (prof->key_types & (1u << kt))))
			opts[n++] = wiz_keys[i];
	if (n == 0)
		return err_set(OR_E_INPUT, "profile %s allows none of the key "
		    "types offroot makes", prof->name);
	if ((rc = io->choose(io, "Key type of the root", opts, n, &choice)) !=
	    OR_OK)
		return rc;
	w->key = opts[choice];
	return OR_OK;
}

static int
wiz_kdf(struct interact *io, struct wiz *w)
{
	static const char *const text[] = {
	    "sensitive: Argon2id, 1 GiB (the real ceremony)",
	    "moderate: Argon2id, 256 MiB",
	    "interactive: Argon2id, 64 MiB (rehearsals only)" };
	size_t choice;
	int rc;

	if ((rc = io->choose(io, "How hard to make guessing the passphrase",
	    text, 3, &choice)) != OR_OK)
		return rc;
	w->kdf = wiz_kdfs[choice];
	return OR_OK;
}

/* M/N, asked until it parses, then one folder per officer. */
static int
wiz_quorum(struct interact *io, struct wiz *w)
{
	unsigned i;
	int rc, tries;

	for (tries = 0;; tries++) {
		if ((rc = io->ask(io, "Officer quorum M/N: M of the N officers "
		    "open the key together (e.g. 2/3)", w->quorum,
		    sizeof w->quorum)) != OR_OK)
			return rc;
		if ((rc = share_quorum_parse(w->quorum, &w->m, &w->n)) ==
		    OR_OK)
			break;
		interact_say(io, SAY_WARN, "%s", err_msg(rc));
		if (tries + 1 == INTERACT_TRIES)
			return rc;
	}
	for (i = 0; i < w->n; i++)
		if ((rc = reshare_ask_dir(io, i, w->n, w->share_dirs[i],
		    sizeof w->share_dirs[i])) != OR_OK)
			return rc;
	return wiz_kdf(io, w);
}

struct wiz_tokens {
	char uri[WIZ_TOKENS][PKCS11_URI_MAX];
	char label[WIZ_TOKENS][160];
	size_t n;
};

static int
wiz_token_each(void *ctx, const struct pkcs11_token_desc *t)
{
	struct wiz_tokens *k = ctx;
	char l[33];

	if (!t->present || !t->initialised || k->n == WIZ_TOKENS)
		return OR_OK;
	names_escape_text(t->label, false, l, sizeof l);
	snprintf(k->uri[k->n], sizeof k->uri[0], "%s", t->uri);
	snprintf(k->label[k->n], sizeof k->label[0], "%s (%s %s, serial %s)",
	    l, t->manufacturer, t->model, t->serial);
	k->n++;
	return OR_OK;
}

/* A token offroot tokens lists; *none when there is none. */
static int
wiz_token(struct interact *io, struct wiz *w, bool *none)
{
	struct pkcs11_visitor v;
	struct wiz_tokens *k;
	const char *opts[WIZ_TOKENS];
	size_t i, choice;
	int rc;

	*none = false;
	memset(&v, 0, sizeof v);
	v.token = wiz_token_each;
	if ((k = calloc(1, sizeof *k)) == NULL)
		return err_set(OR_E_NOMEM, "out of memory");
	if ((rc = pkcs11_list(NULL, NULL, false, io, &v, k)) != OR_OK ||
	    k->n == 0) {
		interact_say(io, SAY_WARN, "No initialised token was found "
		    "(offroot tokens lists what p11-kit sees)%s%s",
		    rc != OR_OK ? ": " : "", rc != OR_OK ? err_msg(rc) : "");
		err_clear();
		*none = true;
		rc = OR_OK;
		goto out;
	}
	for (i = 0; i < k->n; i++)
		opts[i] = k->label[i];
	if ((rc = io->choose(io, "The token that generates and keeps the "
	    "key", opts, k->n, &choice)) != OR_OK)
		goto out;
	snprintf(w->token, sizeof w->token, "%s", k->uri[choice]);
	snprintf(w->token_label, sizeof w->token_label, "offroot-root");
out:
	free(k);
	return rc;
}

static int
wiz_store(struct interact *io, struct wiz *w)
{
	static const char *const opts[] = {
	    "A sealed file under one passphrase",
	    "A sealed file under an M-of-N officer quorum (shares)",
	    "A PKCS#11 token (HSM, smart card): the key never leaves it" };
	size_t choice;
	bool none;
	int rc;

	for (;;) {
		io->back = io->can_back;	/* to the key type */
		if ((rc = io->choose(io, "Where the root key is kept", opts, 3,
		    &choice)) != OR_OK)
			return rc;
		w->store = (enum wiz_store)choice;
		/* Each of the store's own questions goes back to this one. */
		if (w->store == WS_SEALED)
			rc = wiz_kdf(io, w);
		else if (w->store == WS_QUORUM)
			rc = wiz_quorum(io, w);
		else if ((rc = wiz_token(io, w, &none)) == OR_OK && none)
			continue;
		if (rc != OR_E_BACK)
			return rc;
	}
}

/* The wizard's answers as init's parameters, for the preview. */
static void
wiz_params(const struct wiz *w, const char *dir, struct rootca_params *rp)
{
	memset(rp, 0, sizeof *rp);
	rp->dir = dir;
	rp->subject = w->subject;
	(void)keytype_parse(w->key, &rp->key_type);
	rp->profile_name = w->profile;
	rp->profiles_file = w->sets[w->set][0] != '\0' ? w->sets[w->set] :
	    NULL;
	if (w->store != WS_TOKEN)
		(void)kdf_level_parse(w->kdf, &rp->kdf);
	rp->crl_url = w->crl;
	rp->ca_issuers_url = w->aia;
	rp->pkcs11 = w->store == WS_TOKEN;
	rp->token_uri = w->token;
	rp->label = w->token_label;
}

/* What will be made, before anything is; *yes: make it. */
static int
wiz_preview(struct interact *io, const struct tui_ctx *c,
    const struct wiz *w, bool *yes)
{
	struct rootca_params rp;
	struct profile prof;
	char block[3072], store[PKCS11_URI_MAX + 128], q[PATH_MAX + 64];
	int rc;

	*yes = false;
	wiz_params(w, c->dir, &rp);
	if ((rc = profile_load(rp.profiles_file, rp.profile_name, &prof)) !=
	    OR_OK)
		return rc;
	rootca_store_text(&rp, w->store == WS_QUORUM ? w->quorum : NULL,
	    store, sizeof store);
	rootca_preview_text(&rp, &prof, store, true, block, sizeof block);
	io->show_block(io, "The root that will be made (nothing is made "
	    "yet)", block);
	if (rootca_cab_defaults(&prof))
		interact_say(io, SAY_WARN, "WARNING: CA/Browser Forum defaults "
		    "for a root: choose a private profile set for a private "
		    "hierarchy");
	profile_free(&prof);
	snprintf(q, sizeof q, "Create this root in %s? (no: back to the "
	    "form)", c->dir);
	return io->confirm(io, q, yes);
}

/* init's exec with the wizard's answers: the CLI's code path. */
static int
wiz_exec(struct interact *io, const struct tui_ctx *c, const struct wiz *w)
{
	const struct cmd_entry *e = &cmd_init_entry;
	struct cmd_args *a;
	unsigned i;
	int rc;

	if ((a = calloc(1, sizeof *a)) == NULL)
		return err_set(OR_E_NOMEM, "out of memory");
	if ((rc = tui_args(e, a, "dir", c->dir)) != OR_OK ||
	    (rc = tui_args(e, a, "subject", w->subject)) != OR_OK ||
	    (rc = tui_args(e, a, "key", w->key)) != OR_OK ||
	    (rc = tui_args(e, a, "profile", w->profile)) != OR_OK ||
	    (w->sets[w->set][0] != '\0' && (rc = tui_args(e, a, "profiles",
	    w->sets[w->set])) != OR_OK) ||
	    (w->crl[0] != '\0' &&
	    (rc = tui_args(e, a, "crl-url", w->crl)) != OR_OK) ||
	    (w->aia[0] != '\0' && (rc = tui_args(e, a, "ca-issuers-url",
	    w->aia)) != OR_OK))
		goto out;
	if (w->store == WS_TOKEN) {
		if ((rc = tui_args(e, a, "store", "pkcs11")) != OR_OK ||
		    (rc = tui_args(e, a, "token", w->token)) != OR_OK ||
		    (rc = tui_args(e, a, "label", w->token_label)) != OR_OK)
			goto out;
	} else if ((rc = tui_args(e, a, "kdf", w->kdf)) != OR_OK)
		goto out;
	if (w->store == WS_QUORUM) {
		if ((rc = tui_args(e, a, "quorum", w->quorum)) != OR_OK)
			goto out;
		for (i = 0; i < w->n; i++)
			if ((rc = tui_args(e, a, "share-dir",
			    w->share_dirs[i])) != OR_OK)
				goto out;
	}
	rc = e->exec(a, io);
out:
	free(a);
	return rc;
}

static const char *const wiz_titles[] = { "Name the root", "Profile",
    "Key type", "Key store", "Review", "Create the root",
    "Fingerprint aloud" };

/* The key types the chosen profile allows, asked. */
static int
wiz_key_stage(struct interact *io, struct wiz *w)
{
	struct profile prof;
	int rc;

	if ((rc = profile_load(w->sets[w->set][0] != '\0' ? w->sets[w->set] :
	    NULL, w->profile, &prof)) != OR_OK)
		return rc;
	rc = wiz_key(io, w, &prof);
	profile_free(&prof);
	return rc;
}

/* One pass of the form, a stage a question or a few: Esc (OR_E_BACK) at
 * a stage's question goes back to the stage before, whose answer is
 * offered again; nothing is made before the form ends. */
static int
wiz_form(struct interact *io, const struct tui_ctx *c, struct wiz *w)
{
	static const size_t step_of[] = { 0, 0, 0, 1, 1, 2, 3 };
	bool asked[nitems(step_of)];
	size_t st = 0;
	int rc = OR_OK;

	while (st < nitems(step_of)) {
		tui_steps(io, wiz_titles, 7, step_of[st]);
		io->back = io->can_back && st > 0;
		asked[st] = true;
		switch (st) {
		case 0:
			rc = ask_keep(io, "Subject of the root certificate, e.g. "
			    "/C=DE/O=Example/CN=Example Root CA", w->subject,
			    sizeof w->subject, false);
			if (rc == OR_OK && w->subject[0] == '\0')
				rc = err_set(OR_E_CANCEL, "no subject given");
			break;
		case 1:
			rc = tui_ask_url(io, "CRL URL: where relying parties will "
			    "fetch this root's CRL, http://... (empty: set it "
			    "later; the CA/B profiles need it to sign an "
			    "intermediate)", w->crl, sizeof w->crl);
			break;
		case 2:
			rc = tui_ask_url(io, "CA issuers URL: where they will "
			    "fetch the root certificate, http://... (empty: "
			    "none)", w->aia, sizeof w->aia);
			break;
		case 3:
			rc = wiz_set(io, w, c->scripts);
			break;
		case 4:
			rc = wiz_set_profile(io, w, &asked[st]);
			break;
		case 5:
			rc = wiz_key_stage(io, w);
			break;
		default:
			rc = wiz_store(io, w);
			break;
		}
		io->back = false;
		if (rc == OR_E_BACK && st > 0) {
			/* To the last stage that asked something. */
			err_clear();
			while (--st > 0 && !asked[st])
				;
			continue;
		}
		if (rc != OR_OK)
			return rc;
		st++;
	}
	return OR_OK;
}

int
tui_init_flow(struct interact *io, void *arg)
{
	struct tui_ctx *c = arg;
	struct wiz *w;
	bool yes = false;
	int rc;

	if ((w = calloc(1, sizeof *w)) == NULL)
		return err_set(OR_E_NOMEM, "out of memory");
	tui_status(io, c, "opened when the key is made");
	interact_say(io, SAY_INFO, "A new root CA in %s: a key and its "
	    "self-signed certificate (offroot init).", c->dir);
	for (;;) {
		if ((rc = wiz_form(io, c, w)) != OR_OK)
			goto out;
		tui_steps(io, wiz_titles, 7, 4);
		if ((rc = wiz_preview(io, c, w, &yes)) != OR_OK)
			goto out;
		if (yes)
			break;
		interact_say(io, SAY_INFO, "Nothing was made: back to the "
		    "form.");
	}
	tui_steps(io, wiz_titles, 7, 5);
	if ((rc = wiz_exec(io, c, w)) != OR_OK)
		goto out;
	tui_steps(io, wiz_titles, 7, 7);
	tui_status(io, c, "sealed");
out:
	free(w);
	return rc;
}

/* ---- signing CSRs from the medium ------------------------------------ */

/* The medium: --media, else asked until it names a folder. */
static int
sign_medium(struct interact *io, const struct tui_ctx *c, char *media,
    size_t size)
{
	struct stat st;
	int rc, tries;

	if (c->media != NULL) {
		snprintf(media, size, "%s", c->media);
		return OR_OK;
	}
	for (tries = 0; tries < INTERACT_TRIES; tries++) {
		if ((rc = io->ask(io, "Folder of the medium that holds the CSRs "
		    "(where the bundle will go too)", media, size)) != OR_OK)
			return rc;
		if (media[0] == '\0')
			return err_set(OR_E_CANCEL, "no medium given");
		if (stat(media, &st) == 0 && S_ISDIR(st.st_mode))
			return OR_OK;
		interact_say(io, SAY_WARN, "%s is not a folder", media);
	}
	return err_set(OR_E_INPUT, "no medium: %s is not a folder", media);
}

/* One answer's CSRs: each a name, pattern or "choose" on the medium (an
 * absolute path as it is), resolved and parsed.  *bad: say why, ask
 * again. */
static int
sign_resolve(struct interact *io, const char *media, char *answer,
    char (*paths)[PATH_MAX], size_t *n, bool *bad, char *why,
    size_t whysize)
{
	struct csrpick_result r;
	struct csr_info ci;
	char *tok, *save = NULL;
	int rc;

	*n = 0;
	*bad = false;
	for (tok = strtok_r(answer, " \t", &save); tok != NULL && *n <
	    SIGN_MAX_CSRS; tok = strtok_r(NULL, " \t", &save)) {
		if (tok[0] == '/')
			snprintf(paths[*n], PATH_MAX, "%s", tok);
		else if ((rc = csrpick_resolve(io, media, tok, "Sign CSRs",
		    &r)) != OR_OK || (rc = file_join(paths[*n], PATH_MAX,
		    media, r.name)) != OR_OK)
			return rc;
		if ((rc = csr_load(paths[*n], &ci)) != OR_OK) {
			/* In the question asked again too: the dialog
			 * covers the log. */
			interact_say(io, SAY_WARN, "%s", err_msg(rc));
			names_escape_text(err_msg(rc), false, why, whysize);
			err_clear();
			*bad = true;
			return OR_OK;
		}
		csr_free(&ci);
		(*n)++;
	}
	return OR_OK;
}

/* The CSRs, asked until every one is on the medium and parses. */
static int
sign_ask_csrs(struct interact *io, const char *media,
    char (*paths)[PATH_MAX], size_t *n)
{
	char answer[4096], q[PATH_MAX + 256], again[PATH_MAX + 1024];
	char why[512];
	bool bad = false, back;
	int rc, tries;

	snprintf(q, sizeof q, "CSRs on the medium %s: file names or patterns "
	    "(*.csr), separated by spaces; empty: choose from the medium's "
	    "list", media);
	for (tries = 0; tries < INTERACT_TRIES; tries++) {
		if (bad)
			snprintf(again, sizeof again, "%s. %s", why, q);
		if ((rc = io->ask(io, bad ? again : q, answer,
		    sizeof answer)) != OR_OK)
			return rc;
		if (strspn(answer, " \t") == strlen(answer))
			snprintf(answer, sizeof answer, "choose");
		/* The medium's list (csrpick.h) has its own look again and
		 * abandon; Esc there is not Back. */
		back = io->back;
		io->back = false;
		rc = sign_resolve(io, media, answer, paths, n, &bad, why,
		    sizeof why);
		io->back = back;
		if (rc != OR_OK)
			return rc;
		if (!bad && *n > 0)
			return OR_OK;
	}
	return err_set(OR_E_INPUT, "no CSR that can be signed was given");
}

/* The bundle's new folder, on the medium unless absolute, into path. */
static int
sign_ask_out(struct interact *io, const char *media, char *path,
    size_t size)
{
	char out[PATH_MAX], q[PATH_MAX + 64];
	int rc;

	snprintf(q, sizeof q, "New folder for the signed bundle (on the "
	    "medium %s)", media);
	if ((rc = io->ask(io, q, out, sizeof out)) != OR_OK)
		return rc;
	if (out[0] == '\0')
		return err_set(OR_E_CANCEL, "no bundle folder given");
	if (out[0] == '/') {
		snprintf(path, size, "%s", out);
		return OR_OK;
	}
	return file_join(path, size, media, out);
}

/* The medium, its CSRs and the bundle's folder: Esc goes back from the
 * folder to the CSRs, and from the CSRs to the medium when it was asked
 * (no --media).  Nothing is unlocked before all three are known. */
static int
sign_questions(struct interact *io, const struct tui_ctx *c,
    const char *const *titles, char *media, size_t msize,
    char (*paths)[PATH_MAX], size_t *n, char *path, size_t psize)
{
	size_t st = 0;
	int rc = OR_OK;

	while (st < 3) {
		tui_steps(io, titles, 3, st == 2 ? 1 : 0);
		io->back = io->can_back && (st == 2 || (st == 1 &&
		    c->media == NULL));
		if (st == 0)
			rc = sign_medium(io, c, media, msize);
		else if (st == 1)
			rc = sign_ask_csrs(io, media, paths, n);
		else
			rc = sign_ask_out(io, media, path, psize);
		io->back = false;
		if (rc == OR_E_BACK && st > 0) {
			err_clear();
			st--;
			continue;
		}
		if (rc != OR_OK)
			return rc;
		st++;
	}
	return OR_OK;
}

int
tui_sign_flow(struct interact *io, void *arg)
{
	static const char *const titles[] = { "Requests from the medium",
	    "Where the bundle goes", "Review, unlock, sign, export" };
	struct tui_ctx *c = arg;
	struct cmd_args *a = NULL;
	char media[PATH_MAX], path[PATH_MAX];
	char (*paths)[PATH_MAX];
	size_t n = 0, i;
	int rc;

	if ((paths = calloc(SIGN_MAX_CSRS, sizeof *paths)) == NULL)
		return err_set(OR_E_NOMEM, "out of memory");
	tui_status(io, c, "opened when the key is unlocked");
	if ((rc = sign_questions(io, c, titles, media, sizeof media, paths,
	    &n, path, sizeof path)) != OR_OK)
		goto out;
	tui_steps(io, titles, 3, 2);
	if ((a = calloc(1, sizeof *a)) == NULL) {
		rc = err_set(OR_E_NOMEM, "out of memory");
		goto out;
	}
	if ((rc = tui_args(&cmd_sign_entry, a, "dir", c->dir)) != OR_OK ||
	    (rc = tui_args(&cmd_sign_entry, a, "output", path)) != OR_OK)
		goto out;
	for (i = 0; i < n; i++)
		if ((rc = tui_args(&cmd_sign_entry, a, "csr", paths[i])) !=
		    OR_OK)
			goto out;
	if ((rc = cmd_sign_entry.exec(a, io)) != OR_OK)
		goto out;
	tui_steps(io, titles, 3, 3);
	tui_status(io, c, "sealed");
out:
	free(a);
	free(paths);
	return rc;
}
