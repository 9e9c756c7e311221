/*
 * test-media.c — media.c against fixture trees, no USB stick needed:
 * mountinfo lines with escaped fields (\040) and optional fields parsed,
 * broken ones refused; a partition resolved to its disk for "removable";
 * the label and UUID read from /dev/disk links (udev's \x20 decoded); a
 * --media folder listed and identified by its device number; the
 * read-back that catches a file changed on the medium.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "err.h"
#include "fileio.h"
#include "media.h"
#include "util.h"
#include "tap.h"

static char T[256];

/* T/rel into p (PATH_MAX bytes). */
static void
at(char *p, const char *rel)
{
	if (snprintf(p, PATH_MAX, "%s/%s", T, rel) >= PATH_MAX)
		exit(1);
}

static void
put(const char *rel, const char *text)
{
	char p[PATH_MAX];
	FILE *f;

	at(p, rel);
	if ((f = fopen(p, "w")) == NULL) {
		perror(p);
		exit(1);
	}
	fputs(text, f);
	fclose(f);
}

static void
dir(const char *rel)
{
	char p[PATH_MAX];

	at(p, rel);
	if (mkdir(p, 0755) == -1) {
		perror(p);
		exit(1);
	}
}

static void
lnk(const char *target, const char *rel)
{
	char p[PATH_MAX];

	at(p, rel);
	if (symlink(target, p) == -1) {
		perror(p);
		exit(1);
	}
}

static int
parse(const char *line, struct media_mount *m)
{
	return media_mountinfo_line(line, strlen(line), m);
}

static void
test_lines(void)
{
	static const char *const bad[] = {
		"",
		"36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 ext3 /dev/root rw",
		"36 35 98:0 /mnt1 /mnt2 rw - ext3",
		"36 35 98 /mnt1 /mnt2 rw - ext3 /dev/root rw",
		"x 35 98:0 /mnt1 /mnt2 rw - ext3 /dev/root rw",
		"36 35 98:0 / /a\\09b rw - ext3 /dev/root rw",
		"36 35 98:0 / /a\\000b rw - ext3 /dev/root rw",
		"36 35 98:0 / /a\\04 - ext3 /dev/root rw",
		"36 35 98:0 / relative rw - ext3 /dev/root rw",
	};
	struct media_mount m;
	size_t i;

	is_int(parse("36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 "
	    "/dev/root rw,errors=continue\n", &m), OR_OK,
	    "a mountinfo line with an optional field parses");
	ok(m.major == 98 && m.minor == 0 && strcmp(m.root, "/mnt1") == 0 &&
	    strcmp(m.mnt, "/mnt2") == 0 && strcmp(m.fstype, "ext3") == 0 &&
	    strcmp(m.source, "/dev/root") == 0, "... with its fields");
	is_int(parse("97 29 8:17 / /media/o/MY\\040KEYS\\134x rw,nosuid "
	    "shared:51 master:3 - vfat /dev/sdb1 rw,fmask=0022", &m), OR_OK,
	    "a mount point with escapes and two optional fields");
	is_str(m.mnt, "/media/o/MY KEYS\\x", "... \\040 and \\134 decoded");
	is_int(parse("22 1 0:21 / /run rw - tmpfs tmpfs rw", &m), OR_OK,
	    "a line without optional fields");
	for (i = 0; i < nitems(bad); i++) {
		is_int(parse(bad[i], &m), OR_E_INPUT, "a broken line is refused");
		ok(m.mnt[0] == '\0', "... and leaves nothing behind");
	}
	err_clear();
}

/* A fixture system: sda (fixed) with sda1 on /, sdb (removable) with
 * sdb1 on T/mnt/MY KEYS, tmpfs on T/mnt/tmp; the folder T/given on the
 * device of T itself, as sdc1 (fixed, labelled DATA). */
static void
fixture(struct media_roots *r, char *mi, char *sys, char *dev)
{
	char text[4 * PATH_MAX];
	struct stat st;

	dir("sys"); dir("sys/block"); dir("sys/block/sda");
	dir("sys/block/sda/sda1"); dir("sys/block/sdb");
	dir("sys/block/sdb/sdb1"); dir("sys/block/sdc");
	dir("sys/block/sdc/sdc1");
	put("sys/block/sda/removable", "0\n");
	put("sys/block/sdb/removable", "1\n");
	put("sys/block/sdc/removable", "0\n");
	dir("dev"); dir("dev/disk"); dir("dev/disk/by-label");
	dir("dev/disk/by-uuid");
	lnk("../../sdb1", "dev/disk/by-label/MY\\x20KEYS");
	lnk("../../sdb1", "dev/disk/by-uuid/1234-ABCD");
	lnk("../../sda1", "dev/disk/by-uuid/0000-ROOT");
	lnk("../../sdc1", "dev/disk/by-label/DATA");
	dir("mnt"); dir("mnt/MY KEYS"); dir("mnt/tmp"); dir("given");
	dir("given/sub");
	if (stat(T, &st) == -1)
		exit(1);
	snprintf(text, sizeof text,
	    "1 0 8:1 / / rw - ext4 /dev/sda1 rw\n"
	    "broken line\n"
	    "97 1 8:17 / %s/mnt/MY\\040KEYS rw shared:5 - vfat /dev/sdb1 rw\n"
	    "98 1 0:44 / %s/mnt/tmp rw - tmpfs tmpfs rw\n"
	    "99 1 %u:%u / %s/given rw - ext4 /dev/sdc1 rw\n",
	    T, T, major(st.st_dev), minor(st.st_dev), T);
	put("mountinfo", text);
	at(mi, "mountinfo");
	at(sys, "sys");
	at(dev, "dev");
	r->mountinfo = mi;
	r->sys = sys;
	r->dev = dev;
}

static void
test_list(const struct media_roots *r)
{
	char usb[PATH_MAX], given[PATH_MAX], line[2 * PATH_MAX];
	const char *g[2];
	struct media_entry *e = NULL;
	size_t n = 0;

	at(usb, "mnt/MY KEYS");
	at(given, "given");
	is_int(media_list(r, NULL, 0, &e, &n), OR_OK, "media_list runs");
	is_int(n, 1, "only the removable disk's partition is listed");
	if (n == 1) {
		is_str(e[0].path, usb, "... at its decoded mount point");
		is_str(e[0].device, "/dev/sdb1", "... its device");
		is_str(e[0].fstype, "vfat", "... its file system");
		is_str(e[0].label, "MY KEYS", "... its label, \\x20 decoded");
		is_str(e[0].uuid, "1234-ABCD", "... its UUID");
		ok(e[0].removable && e[0].mountpoint && !e[0].given &&
		    e[0].size > 0, "... removable, a mount point, with a size");
		media_describe(&e[0], line, sizeof line);
		ok(strstr(line, "label MY KEYS, vfat") != NULL &&
		    strstr(line, "removable /dev/sdb1") != NULL,
		    "the picker's line names label, file system and device");
	}
	free(e);
	g[0] = given;
	g[1] = usb;
	is_int(media_list(r, g, 2, &e, &n), OR_OK, "media_list with --media");
	is_int(n, 2, "a --media folder is added, a removable one not twice");
	if (n == 2) {
		ok(e[0].given && e[0].removable, "the removable one is marked "
		    "as given");
		ok(e[1].given && !e[1].removable && strcmp(e[1].label,
		    "DATA") == 0, "the --media folder with its label");
	}
	free(e);
}

static void
test_identify(const struct media_roots *r)
{
	char p[PATH_MAX];
	struct media_entry e;

	at(p, "given/sub");
	is_int(media_identify(r, p, &e), OR_OK, "identify a folder");
	ok(strcmp(e.device, "/dev/sdc1") == 0 && strcmp(e.label, "DATA") == 0 &&
	    strcmp(e.uuid, "none") == 0 && !e.mountpoint,
	    "a folder inside a mount: its device and label, no UUID link");
	at(p, "given");
	is_int(media_identify(r, p, &e), OR_OK, "identify a mount point");
	ok(e.mountpoint, "... it is the mount point");
	at(p, "missing");
	is_int(media_identify(r, p, &e), OR_OK, "identify a missing folder");
	ok(strcmp(e.label, "none") == 0 && strcmp(e.device, "none") == 0,
	    "... none everywhere");
}

static void
test_leave(void)
{
	char p[PATH_MAX], hex[65];
	unsigned char md[32];

	put("written", "certificate bytes\n");
	at(p, "written");
	sha256("certificate bytes\n", 18, md);
	hex_encode(md, 32, hex);
	is_int(media_sync(T), OR_OK, "syncfs on the medium");
	is_int(media_read_back(p, hex), OR_OK, "the read-back matches");
	put("written", "certificate bytez\n");
	is_int(media_read_back(p, hex), OR_E_VERIFY,
	    "a file changed on the medium is caught");
	at(p, "missing");
	is_int(media_sync(p), OR_E_IO, "syncfs of a missing folder fails");
	is_int(media_read_back(p, hex), OR_E_IO, "a missing file fails");
	err_clear();
}

int
main(void)
{
	struct media_roots r;
	char mi[PATH_MAX], sys[PATH_MAX], dev[PATH_MAX], cmd[PATH_MAX + 16];
	const char *tmp = getenv("TMPDIR");

	snprintf(T, sizeof T, "%s/test-media.XXXXXX", tmp != NULL ? tmp :
	    "/tmp");
	if (mkdtemp(T) == NULL)
		return 1;
	test_lines();
	fixture(&r, mi, sys, dev);
	test_list(&r);
	test_identify(&r);
	test_leave();
	snprintf(cmd, sizeof cmd, "rm -r '%s'", T);
	if (system(cmd) != 0)
		diag("could not remove %s", T);
	done_testing();
	return tap_failed != 0;
}
