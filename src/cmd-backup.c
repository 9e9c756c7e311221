/*
 * cmd-backup.c — offroot backup: copy the CA directory to one or more
 * backup media, each copy read back and compared (backup --to), and check
 * a backup later, alone or against the live CA (backup --check).  The
 * command layer only: options in, one call to the backup engine
 * (backup.h), whose error code main.c turns into the exit status.
 */
#include <stdlib.h>

#include "backup.h"
#include "cmd.h"
#include "err.h"

static const struct cmd_opt backup_opts[] = {
	{ "dir", 'd', OPT_ARG },
	{ "to", 0, OPT_ARG | OPT_MULTI },
	{ "check", 0, OPT_ARG },
	{ "quiet", 'q', 0 },
	{ NULL, 0, 0 }
};

/* backup -d DIR --to DIR [--to DIR ...] */
static int
backup_to(struct cmd_args *a, struct interact *io)
{
	const char **to;
	size_t n, i;
	int rc;

	for (n = 0; args_nth(a, "to", n) != NULL; n++)
		;
	if (n == 0)
		return err_set(OR_E_USAGE, "backup: give --to DIR (once per "
		    "backup medium), or --check DIR");
	if ((to = calloc(n, sizeof *to)) == NULL)
		return err_set(OR_E_NOMEM, "out of memory");
	for (i = 0; i < n; i++)
		to[i] = args_nth(a, "to", i);
	rc = backup_make(args_get(a, "dir"), to, n, io);
	free(to);
	return rc;
}

static int
backup_exec(struct cmd_args *a, struct interact *io)
{
	if (args_has(a, "check")) {
		if (args_has(a, "to"))
			return err_set(OR_E_USAGE, "backup --check BACKUP takes "
			    "no --to (give -d DIR to compare with the live CA)");
		return backup_check(args_get(a, "check"), args_get(a, "dir"),
		    io);
	}
	if (!args_has(a, "dir"))
		return err_set(OR_E_USAGE, "backup: -d DIR is required");
	return backup_to(a, io);
}

const struct cmd_entry cmd_backup_entry = {
	"backup",
	"-d DIR --to DIR [--to DIR ...] | --check BACKUP [-d DIR]",
	"copy the CA directory to backup media, read back and compared; "
	    "check a backup",
	backup_opts, 0, 0, backup_exec
};
