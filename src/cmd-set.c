/*
 * cmd-set.c — offroot set: change a CA setting that is not part of any
 * certificate already made, with a journal record that says who changed
 * what from which value to which.
 *
 * The settings are the publication points (publish.h): crl-url and
 * ca-issuers-url, which every certificate issued afterwards carries.  An
 * empty value ("crl-url=") removes one.  The officer sees each old and
 * new value and confirms (or gives --yes); each change is one "set"
 * record (name, old, value).  A value that is refused, or a run that is
 * not confirmed, records nothing.  No key is needed: the setting changes
 * nothing that was signed, and the next issuance shows it in its review.
 */
#include <stdio.h>
#include <string.h>

#include "cadb.h"
#include "cmd.h"
#include "err.h"
#include "journal.h"
#include "publish.h"
#include "recover.h"

static const struct cmd_opt set_opts[] = {
	{ "dir", 'd', OPT_ARG | OPT_REQUIRED },
	{ "yes", 'y', 0 },
	{ NULL, 0, 0 }
};

struct set_change {
	enum publish_point pt;
	char old[PUBLISH_URL_MAX + 1];	/* as the journal says now */
	const char *value;
};

/* NAME=VALUE into c, refusing an unknown name, a name given twice and a
 * malformed URL. */
static int
set_parse(const char *arg, struct set_change *c, const bool seen[])
{
	char name[32];
	const char *eq = strchr(arg, '=');
	size_t n;

	if (eq == NULL)
		return err_set(OR_E_USAGE, "\"%s\": expected NAME=VALUE (crl-url"
		    "=URL or ca-issuers-url=URL)", arg);
	n = (size_t)(eq - arg);
	if (n >= sizeof name)
		n = sizeof name - 1;
	memcpy(name, arg, n);
	name[n] = '\0';
	if (!publish_parse_name(name, &c->pt))
		return err_set(OR_E_USAGE, "unknown setting \"%s\" (crl-url or "
		    "ca-issuers-url)", name);
	if (seen[c->pt])
		return err_set(OR_E_USAGE, "%s given twice", name);
	c->value = eq + 1;
	if (*c->value != '\0')
		return publish_url_check(name, c->value);
	return OR_OK;
}

static int
set_exec(struct cmd_args *a, struct interact *io)
{
	struct set_change ch[PUBLISH_NPOINTS];
	bool seen[PUBLISH_NPOINTS] = { false };
	char block[2 * (2 * PUBLISH_URL_MAX + 64)];
	struct cadb *db = NULL;
	struct jfields f;
	size_t n = 0, i, used = 0;
	bool yes = args_has(a, "yes");
	int rc, k;

	for (k = 0; k < a->argc; k++) {
		if ((rc = set_parse(a->argv[k], &ch[n], seen)) != OR_OK)
			return rc;
		seen[ch[n].pt] = true;
		n++;
	}
	if ((rc = cadb_open(args_get(a, "dir"), &db)) != OR_OK)
		return rc;
	/* Like every command that writes the journal: what a crash left
	 * is settled first. */
	if ((rc = recover_ca_load(db, io)) != OR_OK)
		goto out;
	for (i = 0; i < n; i++) {
		snprintf(ch[i].old, sizeof ch[i].old, "%s",
		    ch[i].pt == PUBLISH_CRL_URL ? db->sum.crl_url :
		    db->sum.ca_issuers_url);
		used += (size_t)snprintf(block + used, sizeof block - used,
		    "%-15s %s\n%-15s %s\n", publish_name(ch[i].pt),
		    ch[i].old[0] != '\0' ? ch[i].old : "(not set)", "  becomes",
		    ch[i].value[0] != '\0' ? ch[i].value : "(not set: removed)");
		if (used >= sizeof block)
			used = sizeof block - 1;
	}
	for (i = 0; i < n && strcmp(ch[i].old, ch[i].value) == 0; i++)
		;
	if (i == n) {
		interact_say(io, SAY_RESULT, "nothing to change: %s already "
		    "has %s", db->dir, n == 1 ? "that value" : "those values");
		goto out;
	}
	io->show_block(io, "Settings of this CA (certificates issued from now "
	    "on carry them)", block);
	if (!yes && (rc = io->confirm(io, "Record the new settings?", &yes)) !=
	    OR_OK)
		goto out;
	if (!yes) {
		rc = err_set(OR_E_CANCEL, "nothing recorded");
		goto out;
	}
	for (i = 0; i < n; i++) {
		if (strcmp(ch[i].old, ch[i].value) == 0)
			continue;
		jf_init(&f);
		jf_add(&f, "name", publish_name(ch[i].pt));
		jf_add(&f, "old", ch[i].old);
		jf_add(&f, "value", ch[i].value);
		if ((rc = cadb_append(db, "set", &f)) != OR_OK)
			goto out;
		interact_say(io, SAY_RESULT, "recorded: %s %s%s",
		    publish_name(ch[i].pt), ch[i].value[0] != '\0' ? "= " :
		    "removed", ch[i].value);
	}
out:
	cadb_close(db);
	return rc;
}

const struct cmd_entry cmd_set_entry = {
	"set",
	"-d DIR NAME=URL [NAME=URL] [--yes]   (NAME: crl-url or "
	    "ca-issuers-url; NAME= removes it)",
	"record where relying parties find the CRL and the CA certificate",
	set_opts, 1, PUBLISH_NPOINTS, set_exec,
};
