/*
 * cmd-profile.c — offroot profile check FILE...: validates every profile
 * in a profile set before a ceremony, and shows what each one grants.
 *
 * A profile set is reviewed on paper before the day, like a ceremony
 * script.  `init` and `sign` load only the profile they use; this loads
 * them all (profile_check_file), so an error in the intermediate profile
 * is found at the rehearsal, not when Vault's CSR is on the table.  The
 * summary line of each profile (family, validity, path length, key types)
 * is what the officers compare with the hierarchy they agreed.
 */
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "err.h"
#include "keystore.h"
#include "profile.h"

static const struct cmd_opt profile_opts[] = {
	{ "quiet", 'q', 0 },
	{ NULL, 0, 0 }
};

/* "ec-p384,ec-p256" from the profile's key-type bits. */
static void
profile_key_types(const struct profile *p, char *buf, size_t size)
{
	size_t used = 0;
	int t, n;

	buf[0] = '\0';
	for (t = KT_EC_P256; t <= KT_ED25519; t++) {
		if ((p->key_types & (1u << t)) == 0)
			continue;
		n = snprintf(buf + used, size - used, "%s%s",
		    used != 0 ? "," : "", keytype_name((enum keytype)t));
		if (n < 0 || (size_t)n >= size - used)
			break;
		used += (size_t)n;
	}
	if (used == 0)
		snprintf(buf, size, "none");
}

static void
profile_show(void *ctx, const struct profile *p)
{
	struct interact *io = ctx;
	char types[96], pathlen[16], bd[48];

	profile_key_types(p, types, sizeof types);
	if (!p->is_ca)
		snprintf(pathlen, sizeof pathlen, "not a CA");
	else if (p->pathlen < 0)
		snprintf(pathlen, sizeof pathlen, "none");
	else
		snprintf(pathlen, sizeof pathlen, "%d", p->pathlen);
	/* The backdate only when the profile sets it: otherwise it depends
	 * on the use (profile.h). */
	bd[0] = '\0';
	if (p->backdate_set) {
		memcpy(bd, ", backdate ", 12);
		profile_backdate_text(p->backdate, bd + 11, sizeof bd - 11);
	}
	interact_say(io, SAY_RESULT, "  [%s] %s: %ld days, pathlen %s, keys "
	    "%s%s%s%s", p->name, profile_family_name(p->family),
	    p->validity_days, pathlen, types, bd, p->description[0] != '\0' ?
	    " — " : "", p->description);
}

static int
profile_exec(struct cmd_args *a, struct interact *io)
{
	int i, rc;

	if (strcmp(a->argv[0], "check") != 0)
		return err_set(OR_E_USAGE, "profile: expected check, got "
		    "\"%s\"", a->argv[0]);
	if (a->argc < 2)
		return err_set(OR_E_USAGE, "profile check: give FILE...");
	for (i = 1; i < a->argc; i++) {
		interact_say(io, SAY_RESULT, "%s:", a->argv[i]);
		if ((rc = profile_check_file(a->argv[i], profile_show, io)) !=
		    OR_OK)
			return rc;
		interact_say(io, SAY_RESULT, "%s: ok", a->argv[i]);
	}
	return OR_OK;
}

const struct cmd_entry cmd_profile_entry = {
	"profile",
	"check FILE...",
	"validate every profile of a profile set and show what each grants",
	profile_opts, 1, 64, profile_exec
};
