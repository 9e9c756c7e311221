/*
 * cmd-inspect.c — offroot inspect: a human summary of a certificate, CSR or
 * CRL (PEM or DER) with SHA-256 fingerprints in hex and PGP words, so that
 * officers can compare what is in front of them with what they were told
 * (read aloud, word by word) without any key or CA directory.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "cmd.h"
#include "csr.h"
#include "dn.h"
#include "err.h"
#include "fileio.h"
#include "keystore.h"
#include "names.h"
#include "util.h"

static const struct cmd_opt inspect_opts[] = {
	{ NULL, 0, 0 }
};

static void
print_fp(struct interact *io, const char *what, const unsigned char md[32])
{
	char title[128], block[1024];

	snprintf(title, sizeof title, "SHA-256 of %s:", what);
	fingerprint_block(md, block, sizeof block);
	io->show_block(io, title, block);
}

static void
print_name(const char *label, const X509_NAME *name)
{
	char buf[1024];

	if (dn_format(name, buf, sizeof buf) != OR_OK)
		snprintf(buf, sizeof buf, "(unprintable)");
	printf("%-16s%s\n", label, buf);
}

static void
print_time(const char *label, const ASN1_TIME *t)
{
	struct tm tm;
	char buf[21];

	if (t == NULL) {
		printf("%-16s(none)\n", label);
		return;
	}
	if (!ASN1_TIME_to_tm(t, &tm)) {
		printf("%-16s(malformed)\n", label);
		return;
	}
	utc_text(timegm(&tm), buf);
	printf("%-16s%s\n", label, buf);
}

static void
print_serial(const char *label, const ASN1_INTEGER *serial)
{
	BIGNUM *bn = ASN1_INTEGER_to_BN(serial, NULL);
	char *hex = bn != NULL ? BN_bn2hex(bn) : NULL;

	printf("%-16s%s (%d bits)\n", label, hex != NULL ? hex : "?",
	    bn != NULL ? BN_num_bits(bn) : 0);
	OPENSSL_free(hex);
	BN_free(bn);
}

static void
print_key(struct interact *io, EVP_PKEY *pkey)
{
	unsigned char md[32];
	enum keytype t;

	if (pkey == NULL) {
		printf("%-16s(unreadable)\n", "public key:");
		return;
	}
	t = keytype_of(pkey);
	printf("%-16s%s, %d bits%s\n", "public key:", EVP_PKEY_get0_type_name(
	    pkey), EVP_PKEY_get_bits(pkey), t == KT_NONE ?
	    " (not a type offroot issues for)" : "");
	if (pubkey_sha256(pkey, md) == OR_OK)
		print_fp(io, "the public key (SubjectPublicKeyInfo)", md);
}

static void
print_sigalg(const X509_ALGOR *alg)
{
	const ASN1_OBJECT *obj;
	char buf[128];

	X509_ALGOR_get0(&obj, NULL, NULL, alg);
	OBJ_obj2txt(buf, sizeof buf, obj, 0);
	printf("%-16s%s\n", "signature:", buf);
}

static void
print_exts(const STACK_OF(X509_EXTENSION) *exts)
{
	BIO *out = BIO_new_fp(stdout, BIO_NOCLOSE);

	if (out == NULL)
		return;
	if (sk_X509_EXTENSION_num(exts) > 0) {
		printf("extensions:\n");
		X509V3_extensions_print(out, NULL, exts, 0, 2);
	}
	BIO_free(out);
}

/* One finding of the name checks (names.h) as an inspect line. */
struct name_lines {
	size_t n;		/* lines printed */
	size_t warnings;	/* findings that need an override to sign */
};

static void
name_line(void *ctx, enum lint_level level, const char *code,
    const char *text)
{
	struct name_lines *nl = ctx;
	char *shown = names_escape_dup(text, false);

	printf("%-16s%s: %s\n", nl->n++ == 0 ? "names:" : "",
	    level == LINT_ERROR ? "REFUSED" : level == LINT_WARN ? "warning" :
	    "notice", shown != NULL ? shown : code);
	if (level >= LINT_WARN)
		nl->warnings++;
	free(shown);
}

/* What the name checks say of a subject (and, for a certificate, the
 * names in its extensions): every finding, a mixed value with the script
 * of each run.  Returns how many need an override or are refused. */
static size_t
print_names(const X509_NAME *subject, X509 *cert)
{
	struct name_lines nl = { 0, 0 };

	names_check_name(subject, "subject", NULL, name_line, &nl);
	if (cert != NULL)
		names_check_extensions(cert, name_line, &nl);
	if (nl.n == 0)
		printf("%-16s%s\n", "names:", "plain: no character or script "
		    "a reader could mistake");
	return nl.warnings;
}

static int
inspect_cert(X509 *x, struct interact *io)
{
	const X509_ALGOR *alg;
	unsigned char md[32];
	int rc;

	printf("%-16s%s\n", "type:", "certificate");
	printf("%-16s%ld\n", "version:", X509_get_version(x) + 1);
	print_serial("serial:", X509_get0_serialNumber(x));
	print_name("subject:", X509_get_subject_name(x));
	print_name("issuer:", X509_get_issuer_name(x));
	print_time("not before:", X509_get0_notBefore(x));
	print_time("not after:", X509_get0_notAfter(x));
	X509_get0_signature(NULL, &alg, x);
	print_sigalg(alg);
	if (X509_check_issued(x, x) == X509_V_OK)
		printf("%-16s%s\n", "self-signed:", X509_verify(x,
		    X509_get0_pubkey(x)) == 1 ? "yes, signature valid" :
		    "yes, SIGNATURE INVALID");
	print_exts(X509_get0_extensions(x));
	(void)print_names(X509_get_subject_name(x), x);
	print_key(io, X509_get0_pubkey(x));
	if ((rc = cert_sha256(x, md)) != OR_OK)
		return rc;
	print_fp(io, "the certificate", md);
	return OR_OK;
}

static void
print_requested(const struct csr_info *ci)
{
	X509_EXTENSION *ext;
	char name[80];
	BIO *out;
	int i;

	if (ci->requested == NULL || sk_X509_EXTENSION_num(ci->requested) == 0) {
		printf("%-16s%s\n", "requested:", "no extensions");
		return;
	}
	printf("requested extensions (not copied: the profile decides):\n");
	if ((out = BIO_new_fp(stdout, BIO_NOCLOSE)) == NULL)
		return;
	for (i = 0; i < sk_X509_EXTENSION_num(ci->requested); i++) {
		ext = sk_X509_EXTENSION_value(ci->requested, i);
		OBJ_obj2txt(name, sizeof name, X509_EXTENSION_get_object(ext),
		    0);
		printf("  %s%s%s\n", name, X509_EXTENSION_get_critical(ext) ?
		    ", critical" : "", X509V3_EXT_get(ext) == NULL ?
		    " (unknown to offroot)" : "");
		if (!X509V3_EXT_print(out, ext, X509V3_EXT_DUMP_UNKNOWN, 4))
			BIO_dump_indent(out, (const char *)ASN1_STRING_get0_data(
			    X509_EXTENSION_get_data(ext)), ASN1_STRING_length(
			    X509_EXTENSION_get_data(ext)), 4);
		BIO_printf(out, "\n");
		(void)BIO_flush(out);
	}
	BIO_free(out);
	ERR_clear_error();
}

/*
 * The CSR as csr.c reads it.  A CSR that offroot would refuse is still
 * shown (with its fingerprints) when it can be decoded; the refusal is
 * then the command's error, the last line on stderr, and the exit 1.
 */
static int
inspect_csr(const unsigned char *data, size_t len, const char *path,
    struct interact *io)
{
	static const char *const sig_text[] = {
		[CSR_SIG_UNCHECKED] = "not checked (refused before)",
		[CSR_SIG_VALID] = "valid",
		[CSR_SIG_INVALID] = "INVALID",
	};
	struct csr_info ci;
	size_t names_flagged;
	int rc, verdict;

	if ((rc = csr_decode(data, len, path, &ci)) != OR_OK)
		return rc;
	verdict = csr_check(&ci, path);
	printf("%-16s%s\n", "type:", "certificate signing request");
	printf("%-16s%s\n", "subject:", ci.subject[0] != '\0' ? ci.subject :
	    "(cannot be shown)");
	printf("%-16s%s, %d bits%s\n", "public key:", ci.key_name,
	    ci.key_bits, ci.pubkey == NULL ? " (undecodable)" : "");
	printf("%-16s%s\n", "signature:", ci.sig_alg);
	printf("%-16s%s\n", "self-signature:", sig_text[ci.sig_status]);
	names_flagged = ci.req != NULL ?
	    print_names(X509_REQ_get_subject_name(ci.req), NULL) : 0;
	print_requested(&ci);
	if (ci.unknown_critical > 0)
		printf("%-16s%d requested critical extension%s unknown to "
		    "offroot (ignored)\n", "note:", ci.unknown_critical,
		    ci.unknown_critical == 1 ? "" : "s");
	print_fp(io, "the file as it is (sha256sum)", ci.file_sha256);
	print_fp(io, "the CSR (DER)", ci.csr_sha256);
	print_fp(io, "the public key (SubjectPublicKeyInfo)",
	    ci.pubkey_sha256);
	printf("%-16s%s\n", "verdict:", verdict != OR_OK ?
	    "REFUSED (the reason follows)" : names_flagged > 0 ?
	    "signed only past the names findings above (the profile "
	    "decides the rest)" :
	    "acceptable for signing (the profile decides the rest)");
	fflush(stdout);
	csr_free(&ci);
	return verdict;
}

static int
inspect_crl(X509_CRL *c, struct interact *io)
{
	STACK_OF(X509_REVOKED) *revoked = X509_CRL_get_REVOKED(c);
	const X509_ALGOR *alg;
	ASN1_INTEGER *num;
	unsigned char *der = NULL, md[32];
	int len, rc, crit;

	printf("%-16s%s\n", "type:", "certificate revocation list");
	printf("%-16s%ld\n", "version:", X509_CRL_get_version(c) + 1);
	print_name("issuer:", X509_CRL_get_issuer(c));
	print_time("this update:", X509_CRL_get0_lastUpdate(c));
	print_time("next update:", X509_CRL_get0_nextUpdate(c));
	if ((num = X509_CRL_get_ext_d2i(c, NID_crl_number, &crit, NULL))
	    != NULL) {
		print_serial("CRL number:", num);
		ASN1_INTEGER_free(num);
	}
	X509_CRL_get0_signature(c, NULL, &alg);
	print_sigalg(alg);
	printf("%-16s%d\n", "entries:", sk_X509_REVOKED_num(revoked));
	print_exts(X509_CRL_get0_extensions(c));
	if ((len = i2d_X509_CRL(c, &der)) <= 0)
		return err_openssl(OR_E_INPUT, "encoding the CRL");
	rc = sha256(der, (size_t)len, md);
	OPENSSL_free(der);
	if (rc == OR_OK)
		print_fp(io, "the CRL (DER)", md);
	return rc;
}

/* Exactly one object: DER with nothing after it, or one PEM block. */
static int
inspect_exec(struct cmd_args *a, struct interact *io)
{
	const char *path = a->argv[0];
	unsigned char *data = NULL;
	const unsigned char *p;
	X509 *x = NULL;
	X509_REQ *r = NULL;
	X509_CRL *c = NULL;
	bool csr = false;
	BIO *bio = NULL;
	size_t len;
	int rc;

	if ((rc = file_read(path, FILE_MAX_INPUT, &data, &len)) != OR_OK)
		return rc;
	if (len == 0) {
		rc = err_set(OR_E_INPUT, "%s is empty", path);
		goto out;
	}
	if (data[0] == 0x30) {
		p = data;
		if ((x = d2i_X509(NULL, &p, (long)len)) == NULL ||
		    p != data + len) {
			X509_free(x);
			x = NULL;
			p = data;
			/* csr.c judges a CSR's framing itself. */
			if ((r = d2i_X509_REQ(NULL, &p, (long)len)) != NULL)
				csr = true;
			else {
				p = data;
				if ((c = d2i_X509_CRL(NULL, &p, (long)len)) ==
				    NULL || p != data + len) {
					X509_CRL_free(c);
					c = NULL;
				}
			}
		}
	} else if ((bio = BIO_new_mem_buf(data, (int)len)) != NULL) {
		if (strstr((char *)data, "-----BEGIN CERTIFICATE REQUEST-----")
		    != NULL || strstr((char *)data,
		    "-----BEGIN NEW CERTIFICATE REQUEST-----") != NULL)
			csr = true;
		else if (strstr((char *)data, "-----BEGIN X509 CRL-----") !=
		    NULL)
			c = PEM_read_bio_X509_CRL(bio, NULL, NULL, NULL);
		else if (strstr((char *)data, "-----BEGIN CERTIFICATE-----") !=
		    NULL)
			x = PEM_read_bio_X509(bio, NULL, NULL, NULL);
	}
	ERR_clear_error();
	printf("%-16s%s\n", "file:", path);
	if (x != NULL)
		rc = inspect_cert(x, io);
	else if (csr)
		rc = inspect_csr(data, len, path, io);
	else if (c != NULL)
		rc = inspect_crl(c, io);
	else
		rc = err_set(OR_E_INPUT, "%s: not a certificate, CSR or CRL in "
		    "PEM or DER", path);
out:
	X509_free(x);
	X509_REQ_free(r);
	X509_CRL_free(c);
	BIO_free(bio);
	free(data);
	return rc;
}

const struct cmd_entry cmd_inspect_entry = {
	"inspect",
	"FILE",
	"summarise a certificate, CSR or CRL with fingerprints",
	inspect_opts, 1, 1, inspect_exec
};
