/*
 * fuzz-mountinfo.c — libFuzzer target for media.c's reader of
 * /proc/self/mountinfo (media_mountinfo_line): each line of the input is
 * parsed.  Whatever parses has a mount point that begins with "/", holds
 * no NUL and fits its field; a refused line leaves the struct empty.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "media.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct media_mount m;
	const char *p = (const char *)data, *end = p + size, *nl;

	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			nl = end;
		if (media_mountinfo_line(p, (size_t)(nl - p), &m) == OR_OK) {
			if (m.mnt[0] != '/' || strlen(m.mnt) >= sizeof m.mnt ||
			    m.fstype[0] == '\0' || m.source[0] == '\0')
				abort();
		} else if (m.mnt[0] != '\0' || m.source[0] != '\0')
			abort();
		p = nl + 1;
	}
	err_clear();
	return 0;
}
