/*
 * secret.c — passphrases and PINs in locked, guarded memory, and the
 * process hardening that keeps them out of core files.
 *
 * A secret is read straight into sodium_malloc memory (mlocked, guard
 * pages, excluded from core dumps, wiped by sodium_free): from a file's
 * first line, from a descriptor, or from /dev/tty with echo off.  Never a
 * stack or heap copy that is not wiped.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <sodium.h>

#include "err.h"
#include "secret.h"
#include "util.h"

#define SECRET_SECURE_HEAP	(1u << 20)	/* OpenSSL secure heap size */
#define SECRET_SECURE_MIN	16		/* its smallest allocation */

static bool secret_ready;
static bool secret_locked;
static bool secret_heap;

int
secret_init(void)
{
	struct rlimit rl = { 0, 0 };
	long page;
	void *probe = NULL;
	int r;

	if (secret_ready)
		return OR_OK;
	if (sodium_init() < 0)
		return err_set(OR_E_ENV, "libsodium could not be initialised");
	if (setrlimit(RLIMIT_CORE, &rl) == -1)
		return err_errno(OR_E_ENV, "disabling core dumps");
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == -1)
		return err_errno(OR_E_ENV, "making the process non-dumpable");

	/*
	 * OpenSSL keeps private-key numbers (BN_secure_new, the Ed25519
	 * private key) in its secure heap when there is one: mlocked,
	 * MADV_DONTDUMP, guard pages, cleared on free.  1 = locked, 2 = made
	 * but could not be locked, 0 = not made (OpenSSL then falls back to
	 * ordinary memory, which EVP_PKEY_free still clears).
	 */
	if (CRYPTO_secure_malloc_initialized())
		secret_heap = true;
	else {
		r = CRYPTO_secure_malloc_init(SECRET_SECURE_HEAP,
		    SECRET_SECURE_MIN);
		secret_heap = r == 1;
	}

	/* sodium_malloc ignores mlock failures; find out whether they would
	 * happen here (RLIMIT_MEMLOCK), so status can say so. */
	if ((page = sysconf(_SC_PAGESIZE)) > 0 &&
	    posix_memalign(&probe, (size_t)page, (size_t)page) == 0) {
		if (sodium_mlock(probe, (size_t)page) == 0) {
			secret_locked = true;
			sodium_munlock(probe, (size_t)page);
		}
		free(probe);
	}
	secret_ready = true;
	return OR_OK;
}

bool
secret_memory_locked(void)
{
	return secret_locked;
}

bool
secret_secure_heap(void)
{
	return secret_heap;
}

struct secret *
secret_new(void)
{
	struct secret *s;

	if ((s = sodium_malloc(sizeof *s)) == NULL)
		return NULL;
	sodium_memzero(s, sizeof *s);
	return s;
}

void
secret_free(struct secret *s)
{
	if (s != NULL)
		sodium_free(s);
}

/*
 * Reads up to SECRET_MAX + 2 bytes from fd into locked memory (enough for
 * a line of SECRET_MAX bytes and its CR LF), stopping at the first line
 * end or EOF, and keeps the first line.  name is for messages only.
 */
static int
secret_read_line(int fd, const char *name, struct secret **out)
{
	struct secret *s = NULL;
	unsigned char *raw = NULL;
	size_t have = 0, n;
	ssize_t r;
	int rc;

	*out = NULL;
	if ((raw = sodium_malloc(SECRET_MAX + 2)) == NULL ||
	    (s = secret_new()) == NULL) {
		rc = err_set(OR_E_NOMEM, "out of memory for a secret");
		goto out;
	}
	while (have < SECRET_MAX + 2 &&
	    memchr(raw, '\n', have) == NULL && memchr(raw, '\r', have) == NULL) {
		r = read(fd, raw + have, SECRET_MAX + 2 - have);
		if (r == -1) {
			if (errno == EINTR)
				continue;
			rc = err_errno(OR_E_IO, "%s", name);
			goto out;
		}
		if (r == 0)
			break;
		have += (size_t)r;
	}
	for (n = 0; n < have && raw[n] != '\n' && raw[n] != '\r'; n++)
		;
	if (n == 0) {
		rc = err_set(OR_E_INPUT, "%s: first line is empty", name);
		goto out;
	}
	if (n > SECRET_MAX) {
		rc = err_set(OR_E_INPUT, "%s: first line is longer than %d "
		    "bytes", name, SECRET_MAX);
		goto out;
	}
	if (memchr(raw, '\0', n) != NULL) {
		rc = err_set(OR_E_INPUT, "%s: first line contains a NUL byte",
		    name);
		goto out;
	}
	memcpy(s->buf, raw, n);
	s->buf[n] = '\0';
	s->len = n;
	*out = s;
	s = NULL;
	rc = OR_OK;
out:
	if (raw != NULL)
		sodium_free(raw);
	secret_free(s);
	return rc;
}

int
secret_from_file(const char *path, struct secret **out)
{
	char name[512];
	struct stat st;
	int fd, rc;

	*out = NULL;
	snprintf(name, sizeof name, "passphrase file %s", path);
	/* O_NONBLOCK: opening a FIFO must not wait for a writer. */
	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY |
	    O_NONBLOCK)) == -1) {
		if (errno == ELOOP)
			return err_set(OR_E_INPUT, "%s: is a symbolic link; "
			    "name the file itself", name);
		return err_errno(errno == ENOENT || errno == EACCES ?
		    OR_E_INPUT : OR_E_IO, "%s", name);
	}
	if (fstat(fd, &st) == -1) {
		rc = err_errno(OR_E_IO, "%s", name);
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		rc = err_set(OR_E_INPUT, "%s: not a regular file", name);
		goto out;
	}
	if (fcntl(fd, F_SETFL, 0) == -1) {
		rc = err_errno(OR_E_IO, "%s", name);
		goto out;
	}
	rc = secret_read_line(fd, name, out);
out:
	close(fd);
	return rc;
}

int
secret_from_fd(int fd, struct secret **out)
{
	char name[64];

	*out = NULL;
	snprintf(name, sizeof name, "passphrase descriptor %d", fd);
	return secret_read_line(fd, name, out);
}

/* ---- the terminal ---- */

static const int secret_sigs[] = {
	SIGALRM, SIGHUP, SIGINT, SIGPIPE, SIGQUIT, SIGTERM, SIGTSTP, SIGTTIN,
	SIGTTOU,
};
#define SECRET_NSIGS	nitems(secret_sigs)

static volatile sig_atomic_t secret_signo[NSIG];

static void
secret_onsig(int sig)
{
	secret_signo[sig] = 1;
}

static bool
secret_signalled(void)
{
	size_t i;

	for (i = 0; i < SECRET_NSIGS; i++)
		if (secret_signo[secret_sigs[i]])
			return true;
	return false;
}

static void
secret_tty_write(int fd, const char *text)
{
	size_t len = strlen(text);
	ssize_t r;

	while (len > 0) {
		r = write(fd, text, len);
		if (r == -1 && errno == EINTR && !secret_signalled())
			continue;
		if (r <= 0)
			return;
		text += r;
		len -= (size_t)r;
	}
}

/* Catches the signals that would leave the terminal quiet, keeping the
 * old dispositions in saved. */
static void
secret_tty_catch(struct sigaction saved[SECRET_NSIGS])
{
	struct sigaction sa;
	size_t i;

	memset(&sa, 0, sizeof sa);
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = secret_onsig;
	sa.sa_flags = 0;	/* no SA_RESTART: a signal ends the read */
	for (i = 0; i < SECRET_NSIGS; i++) {
		secret_signo[secret_sigs[i]] = 0;
		sigaction(secret_sigs[i], &sa, &saved[i]);
	}
}

/* Delivers what arrived while the terminal was quiet (after the secret
 * is wiped): ^C still ends the program, ^Z still stops it. */
static void
secret_tty_deliver(void)
{
	size_t i;

	for (i = 0; i < SECRET_NSIGS; i++)
		if (secret_signo[secret_sigs[i]]) {
			secret_signo[secret_sigs[i]] = 0;
			raise(secret_sigs[i]);
		}
}

/*
 * Reads one line byte by byte into s (without its LF and trailing CRs);
 * past SECRET_MAX bytes the rest of the line is read and dropped, and
 * *toolong set.  Returns the last read(2)'s result: -1 on an error or a
 * signal, 0 at EOF (*eof set too).
 */
static ssize_t
secret_tty_line(int fd, struct secret *s, bool *eof, bool *toolong)
{
	unsigned char junk;
	size_t n = 0;
	ssize_t r;

	for (;;) {
		if (n < SECRET_MAX)
			r = read(fd, s->buf + n, 1);
		else
			r = read(fd, &junk, 1);
		if (r == -1) {
			if (errno == EINTR && !secret_signalled())
				continue;
			break;
		}
		if (r == 0) {
			*eof = true;
			break;
		}
		if (n < SECRET_MAX) {
			if (s->buf[n] == '\n')
				break;
			n++;
		} else if (junk == '\n')
			break;
		else
			*toolong = true;
	}
	sodium_memzero(&junk, sizeof junk);
	s->buf[n] = '\0';
	while (n > 0 && s->buf[n - 1] == '\r')
		s->buf[--n] = '\0';
	s->len = n;
	return r;
}

/*
 * Like OpenBSD's readpassphrase(3): echo off, line read byte by byte into
 * the secret, then the terminal and the signal dispositions are restored
 * on every path, and signals that arrived meanwhile are re-raised.
 */
int
secret_from_tty(const char *prompt, struct secret **out)
{
	struct sigaction saved[SECRET_NSIGS];
	struct termios old, quiet;
	struct secret *s = NULL;
	bool restore = false, toolong = false, eof = false;
	size_t i;
	ssize_t r;
	int fd, rc;

	*out = NULL;
	if ((fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC)) == -1 ||
	    tcgetattr(fd, &old) == -1) {
		if (fd != -1)
			close(fd);
		return err_set(OR_E_ENV, "no terminal to ask for the "
		    "passphrase; use --passphrase-file");
	}
	if ((s = secret_new()) == NULL) {
		close(fd);
		return err_set(OR_E_NOMEM, "out of memory for a secret");
	}
	secret_tty_catch(saved);
	quiet = old;
	quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
	quiet.c_lflag |= ICANON;
	if (tcsetattr(fd, TCSAFLUSH, &quiet) == -1) {
		rc = err_errno(OR_E_ENV, "turning off the terminal echo");
		goto out;
	}
	restore = true;
	secret_tty_write(fd, prompt != NULL ? prompt : "Passphrase: ");
	r = secret_tty_line(fd, s, &eof, &toolong);
	secret_tty_write(fd, "\n");
	if (secret_signalled())
		rc = err_set(OR_E_CANCEL, "interrupted while asking for the "
		    "passphrase");
	else if (r == -1)
		rc = err_errno(OR_E_IO, "reading the terminal");
	else if (toolong)
		rc = err_set(OR_E_INPUT, "passphrase longer than %d bytes",
		    SECRET_MAX);
	else if (s->len == 0)
		rc = err_set(eof ? OR_E_CANCEL : OR_E_INPUT,
		    "empty passphrase");
	else if (memchr(s->buf, '\0', s->len) != NULL)
		rc = err_set(OR_E_INPUT, "passphrase contains a NUL byte");
	else
		rc = OR_OK;
out:
	if (restore)
		while (tcsetattr(fd, TCSAFLUSH, &old) == -1 &&
		    errno == EINTR && !secret_signo[SIGTTOU])
			continue;
	for (i = 0; i < SECRET_NSIGS; i++)
		sigaction(secret_sigs[i], &saved[i], NULL);
	close(fd);
	if (rc == OR_OK)
		*out = s;
	else
		secret_free(s);
	secret_tty_deliver();
	return rc;
}

bool
secret_equal(const struct secret *a, const struct secret *b)
{
	if (a == NULL || b == NULL || a->len != b->len)
		return false;
	return sodium_memcmp(a->buf, b->buf, a->len) == 0;
}
