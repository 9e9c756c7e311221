/*
 * err.h — the engine's error codes and the one-line error report.
 *
 * Engine and key-store functions return an enum or_err (OR_OK on success)
 * and describe the failure once with err_set(), which keeps a single line
 * of text for the command layer to print.  Only the command layer prints
 * and chooses the exit status (err_exit_code).
 */
#ifndef OFFROOT_ERR_H
#define OFFROOT_ERR_H

enum or_err {
	OR_OK = 0,
	OR_E_INPUT,	/* malformed or refused input (exit 1) */
	OR_E_POLICY,	/* input valid but outside policy or profile (exit 1) */
	OR_E_AUTH,	/* wrong passphrase, PIN or share (exit 1) */
	OR_E_VERIFY,	/* a signature, digest or chain did not verify (exit 1) */
	OR_E_CORRUPT,	/* a file was altered, truncated or torn (exit 1) */
	OR_E_EXISTS,	/* refusing to overwrite an existing output (exit 1) */
	OR_E_USAGE,	/* bad command line (exit 2) */
	OR_E_IO,	/* I/O error, full or missing media (exit 3) */
	OR_E_NOMEM,	/* out of memory (exit 3) */
	OR_E_ENV,	/* missing token, module, terminal... (exit 3) */
	OR_E_CRYPTO,	/* a crypto library failed unexpectedly (exit 3) */
	OR_E_CANCEL,	/* the operator declined a confirmation (exit 1) */
	OR_E_BACK,	/* the officer went back to the form's previous
			 * question (interact_form); never leaves it */
};

/* Records the failure text (printf format) and returns code. */
int err_set(int code, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Like err_set, with ": <strerror(errno)>" appended (errno is read first). */
int err_errno(int code, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Like err_set, with the first OpenSSL error reason appended; drains the
 * OpenSSL error queue. */
int err_openssl(int code, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Prefixes the recorded text with "context: " and returns code. */
int err_context(int code, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* The last recorded text, or a generic one for the code. */
const char *err_msg(int code);
/* Symbolic name of a code, for transcripts ("OR_E_AUTH"). */
const char *err_name(int code);
/* Process exit status for a code: 0, 1, 2 or 3. */
int err_exit_code(int code);
void err_clear(void);

#endif
