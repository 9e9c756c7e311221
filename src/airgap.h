/*
 * airgap.h — the pre-flight checks of a ceremony, each with its evidence.
 *
 *   airgap     every network interface of this network namespace
 *              (getifaddrs, flags through SIOCGIFFLAGS; operstate and
 *              the wireless flag from /sys/class/net when sysfs shows the
 *              same interface) and every radio in /sys/class/rfkill.  Any
 *              non-loopback interface up, or any radio not blocked, is a
 *              failure.  (sysfs shows the namespace that mounted it, so an
 *              `unshare -n` would otherwise see the host's interfaces.)
 *   clock      the system time in UTC, with a sanity range; the officer
 *              confirms it against a reference (the engine asks).
 *   selfcheck  the tool's version, the SHA-256 of /proc/self/exe, and
 *              known-answer tests of the crypto offroot uses: SHA-256,
 *              SHA-384, ECDSA P-384 and Ed25519 verification (RFC 8032),
 *              Argon2id and XChaCha20-Poly1305 (libsodium), and a
 *              sign/verify pairwise test with a fresh P-256 key.
 *   media      removable block devices mounted (/proc/mounts and
 *              /sys/block/NAME/removable), or the --media folder: it must
 *              be a writable folder.  A ceremony adds what is on it and
 *              the files its steps read (ceremony-media.c, media.h).
 *
 * Each returns OR_OK with r->pass telling the result; an error code only
 * when the check itself could not run.
 */
#ifndef OFFROOT_AIRGAP_H
#define OFFROOT_AIRGAP_H

#include <stdbool.h>
#include <time.h>

#define AIRGAP_EVIDENCE	4096

struct preflight_result {
	bool pass;
	char summary[256];		/* one line */
	char evidence[AIRGAP_EVIDENCE];	/* what was looked at, line by line */
};

int airgap_network(struct preflight_result *r);
int airgap_clock(time_t now, struct preflight_result *r);
/* exe_sha256 receives the running binary's SHA-256 (hex). */
int airgap_selfcheck(struct preflight_result *r, char exe_sha256[65]);
/* media: the folder given with --media, or NULL to look for mounted
 * removable devices. */
int airgap_media(const char *media, struct preflight_result *r);

#endif
