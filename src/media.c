/*
 * media.c — the removable media of a ceremony (media.h): the mounted
 * removable media read from mountinfo and sysfs, their labels and UUIDs
 * from the /dev/disk links (no blkid), the officer's pick among them,
 * and leaving a medium: syncfs, a read-back of what was written, umount2.
 *
 * Every path outside the process comes through struct media_roots, so
 * the unit tests feed fixture trees and the fuzz target feeds lines.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "err.h"
#include "fileio.h"
#include "interact.h"
#include "media.h"
#include "util.h"

const struct media_roots media_system = {
	"/proc/self/mountinfo", "/sys", "/dev"
};

#define MEDIA_LINE_MAX	(3 * PATH_MAX)
#define MEDIA_MAX	64

/* ---- mountinfo ------------------------------------------------------- */

/* The next space-separated field of [*p, end) into out, its octal escapes
 * (\040 space, \011 tab, \012 newline, \134 backslash) decoded.  False
 * when there is none, it does not fit, or an escape is malformed. */
static bool
field(const char **p, const char *end, char *out, size_t size)
{
	const char *s = *p;
	size_t n = 0;

	while (s < end && *s == ' ')
		s++;
	if (s == end || size == 0)
		return false;
	while (s < end && *s != ' ') {
		char ch = *s++;

		if (ch == '\\') {
			if (end - s < 3 || s[0] < '0' || s[0] > '3' ||
			    s[1] < '0' || s[1] > '7' || s[2] < '0' || s[2] > '7')
				return false;
			ch = (char)((s[0] - '0') << 6 | (s[1] - '0') << 3 |
			    (s[2] - '0'));
			s += 3;
			if (ch == '\0')
				return false;
		}
		if (n + 1 >= size)
			return false;
		out[n++] = ch;
	}
	out[n] = '\0';
	*p = s;
	return true;
}

static bool
devnum(const char *s, unsigned *major_, unsigned *minor_)
{
	char *e;
	unsigned long a, b;

	errno = 0;
	a = strtoul(s, &e, 10);
	if (e == s || *e != ':' || errno != 0 || a > 0xfffffu)
		return false;
	s = e + 1;
	b = strtoul(s, &e, 10);
	if (e == s || *e != '\0' || errno != 0 || b > 0xfffffu)
		return false;
	*major_ = (unsigned)a;
	*minor_ = (unsigned)b;
	return true;
}

/*
 * "36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw": mount
 * id, parent id, major:minor, root, mount point, options, optional fields
 * up to "-", then file system type, source and super options.
 */
int
media_mountinfo_line(const char *line, size_t len, struct media_mount *m)
{
	const char *p = line, *end = line + len;
	char tmp[PATH_MAX];
	int i;

	memset(m, 0, sizeof *m);
	if (len > 0 && end[-1] == '\n')
		end--;
	if (memchr(line, '\0', (size_t)(end - line)) != NULL)
		goto bad;
	for (i = 0; i < 2; i++)
		if (!field(&p, end, tmp, sizeof tmp) ||
		    strspn(tmp, "0123456789") != strlen(tmp))
			goto bad;
	if (!field(&p, end, tmp, sizeof tmp) ||
	    !devnum(tmp, &m->major, &m->minor) ||
	    !field(&p, end, m->root, sizeof m->root) ||
	    !field(&p, end, m->mnt, sizeof m->mnt) || m->mnt[0] != '/' ||
	    !field(&p, end, tmp, sizeof tmp))
		goto bad;
	do {
		if (!field(&p, end, tmp, sizeof tmp))
			goto bad;
	} while (strcmp(tmp, "-") != 0);
	if (!field(&p, end, m->fstype, sizeof m->fstype) ||
	    !field(&p, end, m->source, sizeof m->source))
		goto bad;
	return OR_OK;
bad:
	memset(m, 0, sizeof *m);
	return err_set(OR_E_INPUT, "not a mountinfo line");
}

/* Calls fn for every line of r->mountinfo that parses, until it returns
 * true; whether one did. */
static bool
each_mount(const struct media_roots *r,
    bool (*fn)(void *, const struct media_mount *), void *ctx)
{
	struct media_mount *m;
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	bool hit = false;
	FILE *f;

	if ((f = fopen(r->mountinfo, "re")) == NULL)
		return false;
	if ((m = malloc(sizeof *m)) == NULL) {
		fclose(f);
		return false;
	}
	while (!hit && (len = getline(&line, &cap, f)) > 0) {
		if (len > MEDIA_LINE_MAX)
			continue;
		if (media_mountinfo_line(line, (size_t)len, m) == OR_OK)
			hit = fn(ctx, m);
	}
	err_clear();
	free(line);
	free(m);
	fclose(f);
	return hit;
}

/* ---- sysfs and /dev/disk --------------------------------------------- */

/* "/dev/sdb1" -> "sdb1"; NULL for a source that is no device node. */
static const char *
dev_name(const char *source)
{
	const char *b;

	if (strncmp(source, "/dev/", 5) != 0)
		return NULL;
	b = strrchr(source, '/') + 1;
	return *b != '\0' && strcmp(b, "..") != 0 && strcmp(b, ".") != 0 ?
	    b : NULL;
}

/* Whether the disk of the block device name (a disk, or a partition:
 * SYS/block/DISK/NAME) is removable. */
static bool
removable(const struct media_roots *r, const char *name)
{
	char path[PATH_MAX], v[8];
	struct dirent *d;
	struct stat st;
	bool yes = false, found = false;
	DIR *dir;
	FILE *f;

	snprintf(path, sizeof path, "%s/block", r->sys);
	if ((dir = opendir(path)) == NULL)
		return false;
	while (!found && (d = readdir(dir)) != NULL) {
		if (d->d_name[0] == '.')
			continue;
		if (strcmp(d->d_name, name) != 0) {
			snprintf(path, sizeof path, "%s/block/%s/%s", r->sys,
			    d->d_name, name);
			if (stat(path, &st) == -1 || !S_ISDIR(st.st_mode))
				continue;
		}
		found = true;
		snprintf(path, sizeof path, "%s/block/%s/removable", r->sys,
		    d->d_name);
		if ((f = fopen(path, "re")) != NULL) {
			yes = fgets(v, sizeof v, f) != NULL && v[0] == '1';
			fclose(f);
		}
	}
	closedir(dir);
	return yes;
}

/* udev's escapes in a by-label name (\x20 for a space) decoded. */
static void
udev_unescape(const char *in, char *out, size_t size)
{
	size_t n = 0;
	int hi, lo;

	while (*in != '\0' && n + 1 < size) {
		if (in[0] == '\\' && in[1] == 'x' &&
		    (hi = hex_value(in[2])) >= 0 && (lo = hex_value(in[3])) >= 0 &&
		    (hi << 4 | lo) != 0) {
			out[n++] = (char)(hi << 4 | lo);
			in += 4;
		} else
			out[n++] = *in++;
	}
	out[n] = '\0';
}

/* The name in DEV/disk/KIND whose link points at the device name, or
 * "none". */
static void
disk_link(const struct media_roots *r, const char *kind, const char *name,
    char *out, size_t size)
{
	char dirp[PATH_MAX], link[PATH_MAX], target[PATH_MAX];
	const char *b;
	struct dirent *d;
	ssize_t len;
	DIR *dir;

	snprintf(out, size, "none");
	if (name == NULL)
		return;
	snprintf(dirp, sizeof dirp, "%s/disk/%s", r->dev, kind);
	if ((dir = opendir(dirp)) == NULL)
		return;
	while ((d = readdir(dir)) != NULL) {
		if (d->d_name[0] == '.')
			continue;
		if (snprintf(link, sizeof link, "%s/%s", dirp, d->d_name) >=
		    (int)sizeof link)
			continue;
		if ((len = readlink(link, target, sizeof target - 1)) <= 0)
			continue;
		target[len] = '\0';
		b = strrchr(target, '/');
		if (strcmp(b != NULL ? b + 1 : target, name) == 0) {
			udev_unescape(d->d_name, out, size);
			break;
		}
	}
	closedir(dir);
}

/* Fills e's device, file system, label, UUID, removable and sizes from
 * the mount m. */
static void
describe_mount(const struct media_roots *r, const struct media_mount *m,
    struct media_entry *e)
{
	const char *name = dev_name(m->source);

	snprintf(e->mount, sizeof e->mount, "%s", m->mnt);
	snprintf(e->device, sizeof e->device, "%s", m->source);
	snprintf(e->fstype, sizeof e->fstype, "%s", m->fstype);
	disk_link(r, "by-label", name, e->label, sizeof e->label);
	disk_link(r, "by-uuid", name, e->uuid, sizeof e->uuid);
	e->removable = name != NULL && removable(r, name);
}

static void
sizes(struct media_entry *e)
{
	struct statvfs vfs;

	if (statvfs(e->path, &vfs) == 0) {
		e->size = (uint64_t)vfs.f_blocks * vfs.f_frsize;
		e->avail = (uint64_t)vfs.f_bavail * vfs.f_frsize;
	}
}

/* ---- listing --------------------------------------------------------- */

struct lister {
	const struct media_roots *r;
	struct media_entry *e;
	size_t n;
};

static bool
list_one(void *ctx, const struct media_mount *m)
{
	struct lister *l = ctx;
	struct media_entry *e;
	const char *name = dev_name(m->source);
	size_t i;

	if (name == NULL || l->n >= MEDIA_MAX || !removable(l->r, name))
		return false;
	for (i = 0; i < l->n; i++)
		if (strcmp(l->e[i].path, m->mnt) == 0)
			return false;
	e = &l->e[l->n++];
	memset(e, 0, sizeof *e);
	snprintf(e->path, sizeof e->path, "%s", m->mnt);
	describe_mount(l->r, m, e);
	e->mountpoint = true;
	sizes(e);
	return false;
}

int
media_list(const struct media_roots *r, const char *const *given,
    size_t ngiven, struct media_entry **out, size_t *n)
{
	struct lister l = { r, NULL, 0 };
	size_t i, k;
	int rc;

	*out = NULL;
	*n = 0;
	if ((l.e = calloc(MEDIA_MAX + ngiven, sizeof *l.e)) == NULL)
		return err_set(OR_E_NOMEM, "out of memory");
	(void)each_mount(r, list_one, &l);
	for (i = 0; i < ngiven; i++) {
		for (k = 0; k < l.n; k++)
			if (strcmp(l.e[k].path, given[i]) == 0)
				break;
		if (k == l.n) {
			if ((rc = media_identify(r, given[i], &l.e[k])) !=
			    OR_OK) {
				free(l.e);
				return rc;
			}
			l.n++;
		}
		l.e[k].given = true;
	}
	*out = l.e;
	*n = l.n;
	return OR_OK;
}

struct finder {
	const struct media_roots *r;
	unsigned major, minor;
	char real[PATH_MAX];
	struct media_mount best;
	size_t best_len;
	bool have;
};

/* The mount of the folder's device whose mount point is the longest
 * prefix of the folder (a device mounted twice, or bind mounts). */
static bool
find_one(void *ctx, const struct media_mount *m)
{
	struct finder *f = ctx;
	size_t len = strlen(m->mnt);

	if (m->major != f->major || m->minor != f->minor)
		return false;
	if (strcmp(m->mnt, "/") != 0 && (strncmp(f->real, m->mnt, len) != 0 ||
	    (f->real[len] != '/' && f->real[len] != '\0')))
		return false;
	if (!f->have || len > f->best_len) {
		f->best = *m;
		f->best_len = len;
		f->have = true;
	}
	return false;
}

int
media_identify(const struct media_roots *r, const char *path,
    struct media_entry *e)
{
	struct finder *f;
	struct stat st;

	memset(e, 0, sizeof *e);
	if (strlen(path) >= sizeof e->path)
		return err_set(OR_E_USAGE, "media path too long");
	snprintf(e->path, sizeof e->path, "%s", path);
	snprintf(e->device, sizeof e->device, "none");
	snprintf(e->fstype, sizeof e->fstype, "none");
	snprintf(e->label, sizeof e->label, "none");
	snprintf(e->uuid, sizeof e->uuid, "none");
	if (stat(path, &st) == -1 || !S_ISDIR(st.st_mode))
		return OR_OK;
	sizes(e);
	if ((f = calloc(1, sizeof *f)) == NULL)
		return err_set(OR_E_NOMEM, "out of memory");
	f->r = r;
	f->major = major(st.st_dev);
	f->minor = minor(st.st_dev);
	if (realpath(path, f->real) != NULL) {
		(void)each_mount(r, find_one, f);
		if (f->have) {
			describe_mount(r, &f->best, e);
			e->mountpoint = strcmp(f->best.mnt, f->real) == 0 &&
			    strcmp(f->best.root, "/") == 0;
		}
	}
	free(f);
	return OR_OK;
}

static void
human(uint64_t v, char *buf, size_t size)
{
	static const char *const unit[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	double d = (double)v;
	size_t u = 0;

	while (d >= 1024 && u + 1 < nitems(unit)) {
		d /= 1024;
		u++;
	}
	snprintf(buf, size, u == 0 ? "%.0f %s" : "%.1f %s", d, unit[u]);
}

void
media_describe(const struct media_entry *e, char *buf, size_t size)
{
	char sz[32], av[32];

	human(e->size, sz, sizeof sz);
	human(e->avail, av, sizeof av);
	snprintf(buf, size, "%s  label %s, %s, %s, %s free (%s%s%s)", e->path,
	    e->label, e->fstype, sz, av, e->removable ? "removable " : "",
	    e->device, e->given ? ", --media" : "");
}

/* ---- picking --------------------------------------------------------- */

/* One round of the picker: the media listed, then "look again", "type
 * a folder" and "abandon".  *again when the officer asked to look again. */
static int
pick_once(struct interact *io, const struct media_roots *r,
    const char *const *given, size_t ngiven, char *path, size_t size,
    bool *again)
{
	struct media_entry *e = NULL;
	char (*lines)[PATH_MAX + 256] = NULL;
	const char **opts = NULL;
	size_t n = 0, i, choice = 0;
	int rc;

	*again = false;
	if ((rc = media_list(r, given, ngiven, &e, &n)) != OR_OK)
		return rc;
	if ((lines = calloc(n + 3, sizeof *lines)) == NULL ||
	    (opts = calloc(n + 3, sizeof *opts)) == NULL) {
		rc = err_set(OR_E_NOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < n; i++) {
		media_describe(&e[i], lines[i], sizeof lines[i]);
		opts[i] = lines[i];
	}
	opts[n] = "Look again (after inserting a medium)";
	opts[n + 1] = "Type the path of a folder";
	opts[n + 2] = "Abandon the ceremony";
	if ((rc = io->choose(io, n == 0 ? "The medium for this ceremony: no "
	    "removable medium is mounted (insert one and look again, or type "
	    "a folder)" : "The medium for this ceremony", opts, n + 3,
	    &choice)) != OR_OK)
		goto out;
	if (choice == n)
		*again = true;
	else if (choice == n + 2)
		rc = err_set(OR_E_CANCEL, "the officer abandoned the ceremony "
		    "when choosing its medium");
	else if (choice == n + 1)
		rc = interact_ask_nonempty(io, "The medium's folder (full "
		    "path)", "the medium's folder", path, size);
	else if (strlen(e[choice].path) >= size)
		rc = err_set(OR_E_USAGE, "media path too long");
	else
		snprintf(path, size, "%s", e[choice].path);
out:
	free(opts);
	free(lines);
	free(e);
	return rc;
}

int
media_pick(struct interact *io, const struct media_roots *r,
    const char *const *given, size_t ngiven, char *path, size_t size)
{
	bool again = true;
	int rc = OR_OK;

	while (again && rc == OR_OK)
		rc = pick_once(io, r, given, ngiven, path, size, &again);
	return rc;
}

/* ---- leaving --------------------------------------------------------- */

int
media_sync(const char *dir)
{
	int fd, rc = OR_OK;

	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return err_set(OR_E_IO, "%s: %s", dir, strerror(errno));
	if (syncfs(fd) == -1)
		rc = err_set(OR_E_IO, "flushing the medium of %s (syncfs): %s",
		    dir, strerror(errno));
	close(fd);
	return rc;
}

int
media_read_back(const char *file, const char want[65])
{
	char got[65];
	int fd, rc;

	/* The pages were flushed (syncfs): dropping them makes the read go
	 * to the medium where the kernel can. */
	if ((fd = open(file, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) == -1)
		return err_set(OR_E_IO, "reading back %s: %s", file,
		    strerror(errno));
	(void)fdatasync(fd);
	(void)posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
	close(fd);
	if ((rc = file_sha256_hex(file, got)) != OR_OK)
		return err_context(rc, "reading back %s", file);
	if (strcmp(got, want) != 0)
		return err_set(OR_E_VERIFY, "%s read back from the medium "
		    "differs from what was written (SHA-256 %.16s..., wrote "
		    "%.16s...): the medium is failing; use another", file, got,
		    want);
	return OR_OK;
}

int
media_unmount(const char *mnt)
{
	if (umount2(mnt, UMOUNT_NOFOLLOW) == -1)
		return err_set(OR_E_IO, "unmounting %s: %s", mnt,
		    strerror(errno));
	return OR_OK;
}
