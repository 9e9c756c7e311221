/*
 * interact.c — the face-independent helpers of struct interact
 * (interact.h): what the engine and the key stores (hsm/) call on any
 * face, so that none of them reaches into one face's file.  The faces
 * themselves are interact-cli.c, interact-batch.c and ui/.
 */
#include <stdarg.h>
#include <stdio.h>

#include "interact.h"

void
interact_say(struct interact *io, enum say_level level, const char *fmt, ...)
{
	char buf[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	io->say(io, level, buf);
}
