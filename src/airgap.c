/*
 * airgap.c — pre-flight checks: air gap, clock, self-check, media
 * (airgap.h).
 */
#include <dirent.h>
#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <sodium.h>

#include "airgap.h"
#include "err.h"
#include "fileio.h"
#include "keystore.h"
#include "transcript.h"
#include "util.h"

static void __attribute__((format(printf, 2, 3)))
ev(struct preflight_result *r, const char *fmt, ...)
{
	size_t used = strlen(r->evidence);
	va_list ap;

	if (used + 1 >= sizeof r->evidence)
		return;
	va_start(ap, fmt);
	vsnprintf(r->evidence + used, sizeof r->evidence - used, fmt, ap);
	va_end(ap);
}

/* First line of a small sysfs or proc file, or "" */
static void
read_line(const char *path, char *buf, size_t size)
{
	FILE *f = fopen(path, "re");

	buf[0] = '\0';
	if (f == NULL)
		return;
	if (fgets(buf, (int)size, f) == NULL)
		buf[0] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	fclose(f);
}

/* ---- air gap -------------------------------------------------------- */

static int
rfkill_check(struct preflight_result *r, unsigned *unblocked)
{
	char path[PATH_MAX], type[64], name[128], soft[8], hard[8];
	struct dirent *de;
	DIR *d;

	*unblocked = 0;
	if ((d = opendir("/sys/class/rfkill")) == NULL) {
		ev(r, "radios: no /sys/class/rfkill (no radio switches)\n");
		return OR_OK;
	}
	while ((de = readdir(d)) != NULL) {
		if (strncmp(de->d_name, "rfkill", 6) != 0)
			continue;
		snprintf(path, sizeof path, "/sys/class/rfkill/%s/type",
		    de->d_name);
		read_line(path, type, sizeof type);
		snprintf(path, sizeof path, "/sys/class/rfkill/%s/name",
		    de->d_name);
		read_line(path, name, sizeof name);
		snprintf(path, sizeof path, "/sys/class/rfkill/%s/soft",
		    de->d_name);
		read_line(path, soft, sizeof soft);
		snprintf(path, sizeof path, "/sys/class/rfkill/%s/hard",
		    de->d_name);
		read_line(path, hard, sizeof hard);
		if (strcmp(soft, "1") != 0 && strcmp(hard, "1") != 0) {
			(*unblocked)++;
			ev(r, "radio %s (%s, %s): NOT BLOCKED\n", name, type,
			    de->d_name);
		} else
			ev(r, "radio %s (%s): blocked (%s)\n", name, type,
			    strcmp(hard, "1") == 0 ? "hardware switch" :
			    "software");
	}
	closedir(d);
	return OR_OK;
}

int
airgap_network(struct preflight_result *r)
{
	struct ifaddrs *ifa = NULL, *i;
	char names[64][IF_NAMESIZE + 1], path[PATH_MAX], oper[32], idx[32];
	size_t n = 0, k;
	unsigned up = 0, radios = 0;
	int fd;

	memset(r, 0, sizeof *r);
	if (getifaddrs(&ifa) == -1)
		return err_errno(OR_E_ENV, "listing the network interfaces");
	if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1) {
		freeifaddrs(ifa);
		return err_errno(OR_E_ENV, "socket");
	}
	for (i = ifa; i != NULL; i = i->ifa_next) {
		struct ifreq ifr;
		bool loop, wireless;
		unsigned flags;
		struct stat st;

		for (k = 0; k < n; k++)
			if (strcmp(names[k], i->ifa_name) == 0)
				break;
		if (k < n || n == 64)
			continue;
		snprintf(names[n++], sizeof names[0], "%s", i->ifa_name);
		memset(&ifr, 0, sizeof ifr);
		snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", i->ifa_name);
		flags = i->ifa_flags;
		if (ioctl(fd, SIOCGIFFLAGS, &ifr) == 0)
			flags = (unsigned)(unsigned short)ifr.ifr_flags;
		loop = (flags & IFF_LOOPBACK) != 0;
		/* sysfs shows its own namespace: only trust it for an
		 * interface whose index matches. */
		oper[0] = '\0';
		wireless = false;
		snprintf(path, sizeof path, "/sys/class/net/%s/ifindex",
		    i->ifa_name);
		read_line(path, idx, sizeof idx);
		if (idx[0] != '\0' && strtoul(idx, NULL, 10) ==
		    if_nametoindex(i->ifa_name)) {
			snprintf(path, sizeof path, "/sys/class/net/%s/operstate",
			    i->ifa_name);
			read_line(path, oper, sizeof oper);
			snprintf(path, sizeof path, "/sys/class/net/%s/wireless",
			    i->ifa_name);
			wireless = stat(path, &st) == 0;
			snprintf(path, sizeof path, "/sys/class/net/%s/phy80211",
			    i->ifa_name);
			wireless = wireless || stat(path, &st) == 0;
		}
		if (!loop && (flags & IFF_UP))
			up++;
		ev(r, "interface %s: %s%s, flags 0x%x (%s%s)%s%s%s\n",
		    i->ifa_name, loop ? "loopback" : wireless ? "wireless" :
		    "network", "", flags, flags & IFF_UP ? "UP" : "down",
		    flags & IFF_RUNNING ? ",RUNNING" : "",
		    oper[0] != '\0' ? ", operstate " : "", oper,
		    !loop && (flags & IFF_UP) ? ": UP, NOT AIR-GAPPED" : "");
	}
	close(fd);
	freeifaddrs(ifa);
	if (n == 0)
		ev(r, "no network interface at all\n");
	rfkill_check(r, &radios);
	r->pass = up == 0 && radios == 0;
	if (r->pass)
		snprintf(r->summary, sizeof r->summary, "air gap: no network "
		    "interface up but loopback, no radio unblocked");
	else
		snprintf(r->summary, sizeof r->summary, "air gap: FAILED: %u "
		    "interface%s up, %u radio%s not blocked", up, plural_s(up),
		    radios, plural_s(radios));
	return OR_OK;
}

/* ---- clock ---------------------------------------------------------- */

#define CLOCK_MIN	((time_t)1735689600)	/* 2025-01-01 */
#define CLOCK_MAX	((time_t)4102444800)	/* 2100-01-01 */

int
airgap_clock(time_t now, struct preflight_result *r)
{
	char utc[21];

	memset(r, 0, sizeof *r);
	utc_text(now, utc);
	ev(r, "system clock: %s (UTC)\n", utc);
	r->pass = now >= CLOCK_MIN && now < CLOCK_MAX;
	if (!r->pass)
		ev(r, "outside 2025-01-01..2100-01-01: the clock is not set\n");
	snprintf(r->summary, sizeof r->summary, "clock: %s%s", utc,
	    r->pass ? "" : " (NOT PLAUSIBLE)");
	return OR_OK;
}

/* ---- self-check ----------------------------------------------------- */

static const char kat_ed25519_pub[] =
    "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
static const char kat_ed25519_sig[] =	/* RFC 8032 7.1 TEST 1, empty msg */
    "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
    "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b";
static const char kat_p384_spki[] =
    "3076301006072a8648ce3d020106052b8104002203620004350f0445e01072db"
    "dbc1afb64bb5c8cac47b5952b75ecf03c45d1163541fc9cc1e0e69e2033d22e7"
    "216c729d01fa8e1285ed77f177aaedd05d47bc20bd148f7a3c651a63183f0d9d"
    "482f3a29889678cb5f8e53d547888dfe6e4905ca8a8cbd16";
static const char kat_p384_sig[] =	/* SHA-384 over kat_msg */
    "3066023100c82ce8afda37f7352bb7b98fda59eb451c03b5b840e9635da7af68"
    "52f432210f7d44c2c6bb4a7db052aa6955fb0d13d7023100d4d01396e673d4a5"
    "0213751ae152c6f016d42ea01de75e71f67440e7b81be10037cd08c0874b2972"
    "c635158901b3dee6";
static const char kat_msg[] = "offroot self-check\n";
/* Argon2id, t=2, m=8 MiB, p=1, salt "0123456789abcdef", 32 bytes, over
 * "offroot self-check" (computed with python3-cryptography). */
static const char kat_argon2id[] =
    "04504956371b33984d8613692bbf7b1d2602211d6bfe805e83b62f400d1910e4";
/* XChaCha20-Poly1305, key "k"x32, nonce "n"x24, ad "ad", over
 * "offroot self-check" (HChaCha20 + ChaCha20-Poly1305 in Python). */
static const char kat_xchacha[] =
    "9a9eaec7a9375be090d1731efe5bcd9069aa27943008004ab57eae1e2114a822"
    "3cd8";

static bool
kat_digest(const char *name, const char *want)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	char hex[2 * EVP_MAX_MD_SIZE + 1];
	unsigned int len = 0;

	if (EVP_Digest("abc", 3, md, &len, EVP_get_digestbyname(name), NULL)
	    != 1)
		return false;
	hex_encode(md, len, hex);
	return strcmp(hex, want) == 0;
}

static bool
verify_sig(EVP_PKEY *pk, const EVP_MD *md, const unsigned char *sig,
    size_t siglen, const unsigned char *msg, size_t msglen)
{
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	bool good;

	good = c != NULL && EVP_DigestVerifyInit(c, NULL, md, NULL, pk) == 1 &&
	    EVP_DigestVerify(c, sig, siglen, msg, msglen) == 1;
	EVP_MD_CTX_free(c);
	return good;
}

/* Verifies hex sig over msg with the key; also that a flipped bit fails. */
static bool
kat_verify(EVP_PKEY *pk, const EVP_MD *md, const char *sighex,
    const unsigned char *msg, size_t msglen)
{
	unsigned char sig[256];
	size_t n = strlen(sighex) / 2;
	bool good;

	if (pk == NULL || n > sizeof sig || hex_decode(sighex, sig, n) != OR_OK)
		return false;
	good = verify_sig(pk, md, sig, n, msg, msglen);
	sig[n / 2] ^= 1;
	good = good && !verify_sig(pk, md, sig, n, msg, msglen);
	ERR_clear_error();
	return good;
}

static bool
kat_ed25519(void)
{
	unsigned char pub[32];
	EVP_PKEY *pk;
	bool good;

	if (hex_decode(kat_ed25519_pub, pub, 32) != OR_OK)
		return false;
	pk = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, pub, 32);
	good = kat_verify(pk, NULL, kat_ed25519_sig, (const unsigned char *)"",
	    0);
	EVP_PKEY_free(pk);
	return good;
}

static bool
kat_p384(void)
{
	unsigned char der[128];
	const unsigned char *p = der;
	size_t n = strlen(kat_p384_spki) / 2;
	EVP_PKEY *pk;
	bool good;

	if (n > sizeof der || hex_decode(kat_p384_spki, der, n) != OR_OK)
		return false;
	pk = d2i_PUBKEY(NULL, &p, (long)n);
	good = kat_verify(pk, EVP_sha384(), kat_p384_sig,
	    (const unsigned char *)kat_msg, strlen(kat_msg));
	EVP_PKEY_free(pk);
	return good;
}

static bool
kat_argon(void)
{
	unsigned char out[32];
	char hex[65];

	if (crypto_pwhash(out, sizeof out, "offroot self-check", 18,
	    (const unsigned char *)"0123456789abcdef", 2, 8u << 20,
	    crypto_pwhash_ALG_ARGON2ID13) != 0)
		return false;
	hex_encode(out, sizeof out, hex);
	sodium_memzero(out, sizeof out);
	return strcmp(hex, kat_argon2id) == 0;
}

static bool
kat_aead(void)
{
	unsigned char key[32], nonce[24], c[64], m[64];
	unsigned long long clen = 0, mlen = 0;
	char hex[129];

	memset(key, 'k', sizeof key);
	memset(nonce, 'n', sizeof nonce);
	if (crypto_aead_xchacha20poly1305_ietf_encrypt(c, &clen,
	    (const unsigned char *)"offroot self-check", 18,
	    (const unsigned char *)"ad", 2, NULL, nonce, key) != 0)
		return false;
	hex_encode(c, (size_t)clen, hex);
	if (strcmp(hex, kat_xchacha) != 0)
		return false;
	c[0] ^= 1;	/* an altered byte must be refused */
	return crypto_aead_xchacha20poly1305_ietf_decrypt(m, &mlen, NULL, c,
	    clen, (const unsigned char *)"ad", 2, nonce, key) != 0;
}

/* A fresh key signs through the key-store code path and verifies. */
static bool
pairwise(void)
{
	struct keystore *ks = NULL;
	bool good;

	good = sealed_generate(KT_EC_P256, &ks) == OR_OK &&
	    keystore_prove(ks, ks->pub) == OR_OK;
	keystore_close(ks);
	return good;
}

int
airgap_selfcheck(struct preflight_result *r, char exe_sha256[65])
{
	static const struct {
		const char *name;
		int which;
	} kats[] = {
		{ "SHA-256 (FIPS 180-2 \"abc\")", 0 },
		{ "SHA-384 (FIPS 180-2 \"abc\")", 1 },
		{ "ECDSA P-384 SHA-384 verification", 2 },
		{ "Ed25519 verification (RFC 8032 test 1)", 3 },
		{ "Argon2id (libsodium crypto_pwhash)", 4 },
		{ "XChaCha20-Poly1305 (libsodium)", 5 },
		{ "ECDSA P-256 sign/verify with a fresh key", 6 },
	};
	size_t i, failed = 0;
	bool good = false;

	memset(r, 0, sizeof *r);
	ev(r, "tool: offroot %s\n", OFFROOT_VERSION);
	if (self_sha256_hex(exe_sha256) != OR_OK)
		snprintf(exe_sha256, 65, "unknown");
	ev(r, "binary SHA-256: %s\n", exe_sha256);
	ev(r, "crypto: %s, libsodium %s\n", OpenSSL_version(OPENSSL_VERSION),
	    sodium_version_string());
	for (i = 0; i < nitems(kats); i++) {
		switch (kats[i].which) {
		case 0:
			good = kat_digest("SHA256", "ba7816bf8f01cfea414140de5d"
			    "ae2223b00361a396177a9cb410ff61f20015ad");
			break;
		case 1:
			good = kat_digest("SHA384", "cb00753f45a35e8bb5a03d699a"
			    "c65007272c32ab0eded1631a8b605a43ff5bed8086072ba1"
			    "e7cc2358baeca134c825a7");
			break;
		case 2:
			good = kat_p384();
			break;
		case 3:
			good = kat_ed25519();
			break;
		case 4:
			good = kat_argon();
			break;
		case 5:
			good = kat_aead();
			break;
		case 6:
			good = pairwise();
			break;
		}
		ERR_clear_error();
		ev(r, "known-answer test %-45s %s\n", kats[i].name, good ?
		    "pass" : "FAIL");
		failed += !good;
	}
	r->pass = failed == 0 && strcmp(exe_sha256, "unknown") != 0;
	snprintf(r->summary, sizeof r->summary, "self-check: offroot %s, "
	    "binary SHA-256 %.16s..., %zu of %zu known-answer tests pass",
	    OFFROOT_VERSION, exe_sha256, nitems(kats) - failed,
	    nitems(kats));
	return OR_OK;
}

/* ---- media ---------------------------------------------------------- */

/* Whether the block device behind /dev/NAME (a partition or a disk) is
 * removable. */
static bool
removable_dev(const char *dev)
{
	char base[64], path[PATH_MAX], v[8];
	size_t n;

	if (strncmp(dev, "/dev/", 5) != 0 || strlen(dev + 5) >= sizeof base)
		return false;
	memcpy(base, dev + 5, strlen(dev + 5) + 1);
	for (n = strlen(base); n > 0; n--) {
		snprintf(path, sizeof path, "/sys/block/%.*s/removable",
		    (int)n, base);
		read_line(path, v, sizeof v);
		if (v[0] != '\0')
			return strcmp(v, "1") == 0;
	}
	return false;
}

static void
describe_folder(struct preflight_result *r, const char *dir, bool *writable)
{
	struct statvfs vfs;

	*writable = access(dir, W_OK) == 0;
	if (statvfs(dir, &vfs) == 0)
		ev(r, "  %s: %llu MiB free%s\n", dir,
		    (unsigned long long)vfs.f_bavail * vfs.f_frsize >> 20,
		    vfs.f_flag & ST_RDONLY ? ", READ-ONLY" : "");
	if (!*writable)
		ev(r, "  %s is not writable\n", dir);
}

int
airgap_media(const char *media, struct preflight_result *r)
{
	char dev[256], mnt[PATH_MAX], line[1024];
	struct stat st;
	unsigned found = 0;
	bool writable = false;
	FILE *f;

	memset(r, 0, sizeof *r);
	if ((f = fopen("/proc/mounts", "re")) != NULL) {
		while (fgets(line, sizeof line, f) != NULL) {
			if (sscanf(line, "%255s %4095s", dev, mnt) != 2 ||
			    !removable_dev(dev))
				continue;
			found++;
			ev(r, "removable: %s mounted on %s\n", dev, mnt);
		}
		fclose(f);
	}
	if (media != NULL) {
		if (stat(media, &st) == -1 || !S_ISDIR(st.st_mode)) {
			ev(r, "--media %s: not a folder (is the media "
			    "mounted?)\n", media);
			snprintf(r->summary, sizeof r->summary, "media: %s is "
			    "missing", media);
			return OR_OK;
		}
		ev(r, "media folder (--media):\n");
		describe_folder(r, media, &writable);
		r->pass = writable;
		snprintf(r->summary, sizeof r->summary, "media: %s%s (%u "
		    "removable device%s mounted)", media, writable ? "" :
		    " NOT WRITABLE", found, plural_s(found));
		return OR_OK;
	}
	r->pass = found > 0;
	snprintf(r->summary, sizeof r->summary, "media: %u removable "
	    "device%s mounted%s", found, plural_s(found),
	    found ? "" : " (give --media DIR)");
	return OR_OK;
}
