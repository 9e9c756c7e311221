/*
 * rootcsr.c — the root's own certificate signing request (rootcsr.h):
 * built and shown before the key, signed by the key store, imported back
 * strictly, recorded, and only then written out.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "cadb.h"
#include "csr.h"
#include "dn.h"
#include "err.h"
#include "fileio.h"
#include "issue.h"
#include "keystore.h"
#include "lint.h"
#include "op.h"
#include "rootcsr.h"
#include "transcript.h"
#include "util.h"

/* The request, signed by a throwaway key of the root's algorithm: its
 * algorithm fields are the ones the real signature goes with. */
static int
build(X509 *root, const char *subject, struct interact *io, X509_REQ **out)
{
	EVP_PKEY *pub = X509_get0_pubkey(root), *throwaway;
	enum keytype t = keytype_of(pub);
	const char *digest = keytype_default_digest(t);
	const EVP_MD *md = NULL;
	struct lint_report lint;
	X509_NAME *name = NULL;
	X509_REQ *req = NULL;
	size_t i;
	int rc;

	*out = NULL;
	if (subject == NULL) {
		if ((name = X509_NAME_dup(X509_get_subject_name(root))) == NULL)
			return err_openssl(OR_E_NOMEM, "copying the subject");
	} else {
		if ((rc = dn_parse(subject, &name)) != OR_OK)
			return err_context(rc, "--subject");
		if ((rc = lint_name(name, "subject", &lint)) != OR_OK)
			goto out;
		for (i = 0; i < lint.n; i++)
			if (lint.f[i].level == LINT_ERROR) {
				rc = err_set(OR_E_POLICY, "--subject: %s: %s",
				    lint.f[i].code, lint.f[i].text);
				goto out;
			}
		lint_say(io, "--subject", &lint);
	}
	if ((throwaway = issue_throwaway_key(t)) == NULL) {
		rc = err_openssl(OR_E_CRYPTO, "making a throwaway key");
		goto out;
	}
	if (digest != NULL && (md = EVP_get_digestbyname(digest)) == NULL) {
		rc = err_set(OR_E_CRYPTO, "unknown digest %s", digest);
		goto out;
	}
	if ((req = X509_REQ_new()) == NULL || !X509_REQ_set_version(req, 0) ||
	    !X509_REQ_set_subject_name(req, name) ||
	    !X509_REQ_set_pubkey(req, pub) ||
	    X509_REQ_sign(req, throwaway, md) <= 0) {
		rc = err_openssl(OR_E_CRYPTO, "building the request");
		goto out;
	}
	*out = req;
	req = NULL;
	rc = OR_OK;
out:
	X509_REQ_free(req);
	X509_NAME_free(name);
	return rc;
}

/* What the officer checks before the key is unlocked. */
static int
confirm(const struct rootcsr_params *p, X509 *root, X509_REQ *req,
    struct interact *io, struct rootcsr_result *res)
{
	char block[4096], subject[1024], fp[1024];
	unsigned char md[32];
	bool yes = false;
	size_t used = 0;
	int rc, w;

	if ((rc = pubkey_sha256(X509_get0_pubkey(root), res->pubkey_sha256))
	    != OR_OK || (rc = cert_sha256(root, md)) != OR_OK)
		return rc;
	if (dn_format(X509_REQ_get_subject_name(req), subject,
	    sizeof subject) != OR_OK)
		return err_context(OR_E_INPUT, "the subject");
	w = snprintf(block, sizeof block, "subject:     %s%s\nkey:         "
	    "the root's, %s\noutput:      %s\nSHA-256 of the public key "
	    "(the one root.crt certifies):\n", subject, p->subject == NULL ?
	    " (the root's own)" : "", keytype_name(keytype_of(
	    X509_get0_pubkey(root))), p->output);
	if (w > 0 && (size_t)w < sizeof block)
		used = (size_t)w;
	fingerprint_block(res->pubkey_sha256, fp, sizeof fp);
	w = snprintf(block + used, sizeof block - used, "%sSHA-256 of "
	    "root.crt:\n", fp);
	if (w > 0 && (size_t)w < sizeof block - used)
		used += (size_t)w;
	fingerprint_block(md, fp, sizeof fp);
	snprintf(block + used, sizeof block - used, "%s", fp);
	io->show_block(io, "The request the root key will sign (nothing is "
	    "signed yet)", block);
	if ((rc = io->confirm(io, "Sign this certificate request with the root "
	    "key?", &yes)) != OR_OK)
		return rc;
	if (!yes)
		return err_set(OR_E_CANCEL, "not signed: the officer declined");
	return OR_OK;
}

/* The request signed by the key store, imported back strictly. */
static int
sign_req(X509_REQ *req, struct keystore *ks, X509 *root,
    struct csr_info *ci)
{
	const X509_ALGOR *alg;
	unsigned char *tbs = NULL, *sig = NULL, *der = NULL;
	size_t siglen = 0, derlen = 0;
	int tbslen, rc;

	X509_REQ_get0_signature(req, NULL, &alg);
	if ((tbslen = i2d_re_X509_REQ_tbs(req, &tbs)) <= 0)
		return err_openssl(OR_E_CRYPTO, "encoding the request");
	if ((rc = keystore_sign(ks, keytype_default_digest(ks->type), tbs,
	    (size_t)tbslen, &sig, &siglen)) != OR_OK ||
	    (rc = signed_wrap(tbs, (size_t)tbslen, alg, sig, siglen, &der,
	    &derlen)) != OR_OK)
		goto out;
	if ((rc = csr_parse(der, derlen, "the signed request", ci)) != OR_OK)
		goto out;
	if (EVP_PKEY_eq(ci->pubkey, X509_get0_pubkey(root)) != 1)
		rc = err_set(OR_E_VERIFY, "the signed request does not carry "
		    "the root's key");
out:
	OPENSSL_free(tbs);
	OPENSSL_free(sig);
	OPENSSL_free(der);
	return rc;
}

static int
to_pem(X509_REQ *req, char **pem, size_t *len)
{
	BIO *bio = BIO_new(BIO_s_mem());
	char *data;
	long n;
	int rc = OR_OK;

	*pem = NULL;
	if (bio == NULL || PEM_write_bio_X509_REQ(bio, req) != 1 ||
	    (n = BIO_get_mem_data(bio, &data)) <= 0)
		rc = err_openssl(OR_E_CRYPTO, "writing the request as PEM");
	else if ((*pem = malloc((size_t)n + 1)) == NULL)
		rc = err_set(OR_E_NOMEM, "out of memory");
	else {
		memcpy(*pem, data, (size_t)n);
		(*pem)[n] = '\0';
		*len = (size_t)n;
	}
	BIO_free(bio);
	return rc;
}

static int
record(struct op *op, const struct rootcsr_params *p,
    const struct csr_info *ci, struct rootcsr_result *res)
{
	char csrhex[65], pkhex[65], filehex[65];
	struct jfields f;
	int rc;

	hex_encode(res->csr_sha256, 32, csrhex);
	hex_encode(res->pubkey_sha256, 32, pkhex);
	hex_encode(res->file_sha256, 32, filehex);
	jf_init(&f);
	jf_add(&f, "subject", ci->subject);
	jf_add(&f, "csr_sha256", csrhex);
	jf_add(&f, "file_sha256", filehex);
	jf_add(&f, "pubkey_sha256", pkhex);
	jf_add(&f, "output", p->output);
	if ((rc = cadb_append(op->db, "csr", &f)) != OR_OK)
		return rc;
	return transcript_add(op->tr, "csr", &f);
}

int
rootcsr_run(const struct rootcsr_params *p, struct interact *io,
    struct rootcsr_result *res)
{
	struct keystore *ks = NULL;
	int rc;

	rc = rootcsr_run_ks(p, &ks, io, res);
	keystore_close(ks);
	return rc;
}

int
rootcsr_run_ks(const struct rootcsr_params *p, struct keystore **ksp,
    struct interact *io, struct rootcsr_result *res)
{
	const struct op_output outs[] = {
		{ p->output, OP_NEW_FILE }, { NULL, 0 }
	};
	struct csr_info ci;
	X509_REQ *req = NULL;
	char *pem = NULL;
	size_t pemlen = 0;
	bool recorded = false;
	struct op op;
	int rc;

	memset(res, 0, sizeof *res);
	memset(&ci, 0, sizeof ci);
	memset(&op, 0, sizeof op);
	/* 1. The CA, the output, the request built and confirmed. */
	if ((rc = op_begin(&op, p->dir, "csr", outs, io)) != OR_OK ||
	    (rc = build(op.root, p->subject, io, &req)) != OR_OK ||
	    (rc = confirm(p, op.root, req, io, res)) != OR_OK)
		goto out;
	/* 2. The key, the signature checked, the record, the seal. */
	if ((rc = op_unlock(&op, io, ksp)) != OR_OK ||
	    (rc = sign_req(req, op.ks, op.root, &ci)) != OR_OK ||
	    (rc = to_pem(ci.req, &pem, &pemlen)) != OR_OK ||
	    (rc = sha256(pem, pemlen, res->file_sha256)) != OR_OK)
		goto out;
	memcpy(res->csr_sha256, ci.csr_sha256, 32);
	if ((rc = record(&op, p, &ci, res)) != OR_OK)
		goto out;
	recorded = true;
	if ((rc = op_finish(&op)) != OR_OK)
		goto out;
	/* 3. Only then the file outside the CA directory. */
	rc = file_write_new(p->output, pem, pemlen, 0644);
out:
	if (rc != OR_OK && recorded)
		rc = err_context(rc, "the request is recorded in the journal, "
		    "but %s was not written (run csr again for a new one)",
		    p->output);
	rc = op_fail(&op, rc);
	csr_free(&ci);
	X509_REQ_free(req);
	free(pem);
	op_end(&op);
	return rc;
}
