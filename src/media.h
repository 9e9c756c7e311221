/*
 * media.h — the removable media of a ceremony: which are mounted, what
 * they are called, and leaving them safely.
 *
 *   list      mounted removable media: /proc/self/mountinfo (its escaped
 *             fields, \040 for a space, decoded), each mount's source
 *             resolved from a partition to its disk under /sys/block and
 *             kept when that disk's "removable" is 1; with the label and
 *             UUID (the /dev/disk/by-label and by-uuid links that point at
 *             the source), the file system, size and free space (statvfs);
 *             and every folder given with --media.
 *   identify  the mount that holds a folder (by its device number), with
 *             its label and UUID, or "none".
 *   leave     flush the medium (syncfs), read back what was written and
 *             compare the digests (after dropping the cached pages), and
 *             unmount (umount2) where offroot may.
 *
 * The roots (mountinfo, sysfs, /dev) are parameters so that the unit
 * tests and the fuzz target feed fixture files: no USB stick is needed.
 */
#ifndef OFFROOT_MEDIA_H
#define OFFROOT_MEDIA_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct interact;

struct media_roots {
	const char *mountinfo;	/* "/proc/self/mountinfo" */
	const char *sys;	/* "/sys" */
	const char *dev;	/* "/dev" */
};
/* The running system's roots. */
extern const struct media_roots media_system;

/* One line of mountinfo, its escapes decoded. */
struct media_mount {
	unsigned major, minor;
	char root[PATH_MAX];
	char mnt[PATH_MAX];
	char fstype[64];
	char source[PATH_MAX];
};
/* Parses one mountinfo line (no trailing newline needed): OR_OK, or
 * OR_E_INPUT for a line that is not one. */
int media_mountinfo_line(const char *line, size_t len, struct media_mount *m);

struct media_entry {
	char path[PATH_MAX];	/* the mount point, or the --media folder */
	char mount[PATH_MAX];	/* the mount point that holds path, or "" */
	char device[PATH_MAX];	/* "/dev/sdb1", or "none" */
	char fstype[64];	/* "vfat", or "none" */
	char label[128];	/* or "none" */
	char uuid[128];		/* or "none" */
	uint64_t size, avail;	/* bytes (statvfs), 0 when unknown */
	bool removable;		/* on a removable disk */
	bool given;		/* given with --media */
	bool mountpoint;	/* path is the mount point itself */
};

/* Mounted removable media, then the folders given (ngiven of them), each
 * once.  *out is malloc'd (free it); *n may be 0. */
int media_list(const struct media_roots *r, const char *const *given,
    size_t ngiven, struct media_entry **out, size_t *n);
/* The medium that holds the folder path: its mount (found by the
 * folder's device number), device, file system, label and UUID.  A
 * folder no mount is found for gets "none" everywhere. */
int media_identify(const struct media_roots *r, const char *path,
    struct media_entry *e);
/* One line for a list: "/media/usb0  LABEL  vfat  7.5 GiB, 7.1 GiB free
 * (removable /dev/sdb1)". */
void media_describe(const struct media_entry *e, char *buf, size_t size);

/* The officer picks a medium (io->choose) among media_list's entries,
 * "look again" and "type a folder"; the chosen folder into path.  OR_E_CANCEL when the
 * officer abandons. */
int media_pick(struct interact *io, const struct media_roots *r,
    const char *const *given, size_t ngiven, char *path, size_t size);

/* Flushes the file system that holds dir (syncfs). */
int media_sync(const char *dir);
/* Reads file back from the medium, its cached pages dropped first, and
 * compares its SHA-256 with want (hex): OR_E_VERIFY when it differs. */
int media_read_back(const char *file, const char want[65]);
/* Unmounts the mount point mnt (umount2).  Needs root. */
int media_unmount(const char *mnt);

#endif
