/*
 * secret.h — passphrases and PINs in locked, guarded memory.
 *
 * A struct secret lives in sodium_malloc memory (guard pages, mlock,
 * wiped on free).  Secrets come from the terminal with echo off or from a
 * file named on the command line (first line); never argv or environment.
 */
#ifndef OFFROOT_SECRET_H
#define OFFROOT_SECRET_H

#include <stdbool.h>
#include <stddef.h>

#define SECRET_MAX	1024

struct secret {
	size_t len;
	char buf[SECRET_MAX + 1];	/* NUL-terminated */
};

/* Process hardening at start: no core dumps, not dumpable, OpenSSL secure
 * heap for private-key numbers, libsodium initialised.  Returns OR_OK or
 * OR_E_ENV. */
int secret_init(void);
/* Whether guarded memory could be locked (mlock) in this process. */
bool secret_memory_locked(void);
/* Whether OpenSSL's secure heap (locked, not dumped) was set up, so that
 * private-key numbers live there. */
bool secret_secure_heap(void);

struct secret *secret_new(void);
void secret_free(struct secret *s);
/* Reads the first line of a file (no trailing CR/LF) into a new secret;
 * refuses symbolic links, anything but a regular file, an empty first
 * line, one longer than SECRET_MAX bytes or one holding a NUL byte. */
int secret_from_file(const char *path, struct secret **out);
/* The first line from a descriptor the caller opened (a pipe or a file,
 * for a --passphrase-fd option), with the same line rules.  Reads at most
 * SECRET_MAX + 2 bytes; does not close fd. */
int secret_from_fd(int fd, struct secret **out);
/* Reads one line from the terminal (/dev/tty) with echo off; the terminal
 * is restored on every path and signals that arrive meanwhile are
 * delivered afterwards.  OR_E_ENV when there is no terminal. */
int secret_from_tty(const char *prompt, struct secret **out);
/* Constant-time equality. */
bool secret_equal(const struct secret *a, const struct secret *b);

#endif
