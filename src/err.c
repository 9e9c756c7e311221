/* err.c — one-line error reports for the command layer. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <openssl/err.h>

#include "err.h"
#include "util.h"

/* Per thread: workers.c runs jobs on several threads, each reporting its
 * own failure. */
static _Thread_local char err_text[1024];

/* Formats through a copy, so that err_msg() may be an argument. */
static void __attribute__((format(printf, 1, 0)))
err_vset(const char *fmt, va_list ap)
{
	char tmp[sizeof err_text];

	vsnprintf(tmp, sizeof tmp, fmt, ap);
	memcpy(err_text, tmp, sizeof err_text);
}

int
err_set(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	err_vset(fmt, ap);
	va_end(ap);
	return code;
}

int
err_errno(int code, const char *fmt, ...)
{
	int saved = errno;
	size_t n;
	va_list ap;

	va_start(ap, fmt);
	err_vset(fmt, ap);
	va_end(ap);
	n = strlen(err_text);
	snprintf(err_text + n, sizeof err_text - n, ": %s", strerror(saved));
	errno = saved;
	return code;
}

int
err_openssl(int code, const char *fmt, ...)
{
	unsigned long e, first = 0;
	size_t n;
	va_list ap;

	va_start(ap, fmt);
	err_vset(fmt, ap);
	va_end(ap);
	/* The first error is usually the root cause; drain the rest. */
	while ((e = ERR_get_error()) != 0)
		if (first == 0)
			first = e;
	if (first != 0) {
		const char *r = ERR_reason_error_string(first);
		n = strlen(err_text);
		snprintf(err_text + n, sizeof err_text - n, ": %s",
		    r != NULL ? r : "unknown OpenSSL error");
	}
	return code;
}

int
err_context(int code, const char *fmt, ...)
{
	char old[sizeof err_text];
	size_t n;
	va_list ap;

	memcpy(old, err_text, sizeof old);
	va_start(ap, fmt);
	err_vset(fmt, ap);
	va_end(ap);
	n = strlen(err_text);
	if (n + 2 < sizeof err_text) {
		memcpy(err_text + n, ": ", 3);
		n += 2;
		strncat(err_text + n, old, sizeof err_text - n - 1);
	}
	return code;
}

void
err_clear(void)
{
	err_text[0] = '\0';
}

static const struct {
	int code;
	const char *name;
	const char *text;
	int exit;
} err_table[] = {
	{ OR_OK, "OR_OK", "success", 0 },
	{ OR_E_INPUT, "OR_E_INPUT", "invalid input", 1 },
	{ OR_E_POLICY, "OR_E_POLICY", "refused by policy", 1 },
	{ OR_E_AUTH, "OR_E_AUTH", "authentication failed", 1 },
	{ OR_E_VERIFY, "OR_E_VERIFY", "verification failed", 1 },
	{ OR_E_CORRUPT, "OR_E_CORRUPT", "file altered or damaged", 1 },
	{ OR_E_EXISTS, "OR_E_EXISTS", "output exists", 1 },
	{ OR_E_USAGE, "OR_E_USAGE", "usage error", 2 },
	{ OR_E_IO, "OR_E_IO", "I/O error", 3 },
	{ OR_E_NOMEM, "OR_E_NOMEM", "out of memory", 3 },
	{ OR_E_ENV, "OR_E_ENV", "environment not usable", 3 },
	{ OR_E_CRYPTO, "OR_E_CRYPTO", "cryptographic library failure", 3 },
	{ OR_E_CANCEL, "OR_E_CANCEL", "cancelled by the operator", 1 },
	{ OR_E_BACK, "OR_E_BACK", "back to the previous question", 1 },
};

static size_t
err_index(int code)
{
	size_t i;

	for (i = 0; i < nitems(err_table); i++)
		if (err_table[i].code == code)
			return i;
	return 1; /* unknown codes count as input errors */
}

const char *
err_msg(int code)
{
	if (err_text[0] != '\0')
		return err_text;
	return err_table[err_index(code)].text;
}

const char *
err_name(int code)
{
	return err_table[err_index(code)].name;
}

int
err_exit_code(int code)
{
	return err_table[err_index(code)].exit;
}
