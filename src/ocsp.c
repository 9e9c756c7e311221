/*
 * ocsp.c — pre-signed OCSP responses (ocsp.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/ocsp.h>
#include <openssl/x509.h>

#include "cadb.h"
#include "err.h"
#include "issue.h"
#include "ocsp.h"
#include "util.h"

int
ocsp_prepare(struct cadb *db, X509 *root, const struct serial *s,
    long days, struct ocsp_plan *plan)
{
	const struct revoke_entry *e;
	struct revoke_db rdb;
	char hex[SERIAL_HEX], when[21];
	time_t na = asn1_unix(X509_get0_notAfter(root));
	int rc;

	memset(plan, 0, sizeof *plan);
	if (days == 0)
		days = OFFROOT_OCSP_DAYS;
	if (days < 1 || days > OFFROOT_OCSP_MAX_DAYS)
		return err_set(OR_E_POLICY, "an OCSP response is valid for 1 "
		    "to %d days, not %ld", OFFROOT_OCSP_MAX_DAYS, days);
	plan->root = root;
	plan->serial = *s;
	if ((plan->type = keytype_of(X509_get0_pubkey(root))) == KT_NONE)
		return err_set(OR_E_INPUT, "the root's key type is not one "
		    "offroot signs with");
	plan->this_update = time(NULL);
	plan->next_update = plan->this_update + (time_t)days * 86400;
	if (plan->next_update > na) {
		utc_text(na, when);
		return err_set(OR_E_POLICY, "the response would outlive the "
		    "root (notAfter %s)", when);
	}
	if ((rc = revoke_db_load(db->dir, REVOKE_DB_ENTRIES |
	    REVOKE_DB_ISSUED, &rdb)) != OR_OK)
		return rc;
	serial_to_hex(s, hex);
	if (revoke_db_issued(&rdb, s) == NULL) {
		rc = err_set(OR_E_INPUT, "serial %s was not issued by this CA: "
		    "no OCSP response can be signed for it", hex);
		goto out;
	}
	if ((e = revoke_db_find(&rdb, s)) != NULL) {
		plan->revoked = true;
		plan->reason = e->reason;
		plan->revoked_at = (time_t)e->revoked_at;
	}
	rc = OR_OK;
out:
	revoke_db_free(&rdb);
	return rc;
}

/* The response signed with a throwaway key and a throwaway signer
 * certificate that carries the root's name. */
static int
presign(const struct ocsp_plan *plan, OCSP_CERTID *cid, const EVP_MD *md,
    OCSP_BASICRESP **out)
{
	ASN1_TIME *tu = NULL, *nu = NULL, *rev = NULL;
	OCSP_BASICRESP *bs = NULL;
	EVP_PKEY *throwaway;
	X509 *signer = NULL;
	int reason, rc;

	*out = NULL;
	if ((throwaway = issue_throwaway_key(plan->type)) == NULL)
		return err_openssl(OR_E_CRYPTO, "making a throwaway key");
	/* RFC 5280 and 6960: no reason rather than "unspecified". */
	reason = plan->reason == RR_UNSPECIFIED ?
	    OCSP_REVOKED_STATUS_NOSTATUS : plan->reason;
	if ((bs = OCSP_BASICRESP_new()) == NULL ||
	    (tu = ASN1_TIME_set(NULL, plan->this_update)) == NULL ||
	    (nu = ASN1_TIME_set(NULL, plan->next_update)) == NULL ||
	    (plan->revoked &&
	    (rev = ASN1_TIME_set(NULL, plan->revoked_at)) == NULL) ||
	    OCSP_basic_add1_status(bs, cid, plan->revoked ?
	    V_OCSP_CERTSTATUS_REVOKED : V_OCSP_CERTSTATUS_GOOD, reason, rev,
	    tu, nu) == NULL ||
	    (signer = X509_new()) == NULL ||
	    !X509_set_subject_name(signer, X509_get_subject_name(plan->root)) ||
	    !X509_set_pubkey(signer, throwaway)) {
		rc = err_openssl(OR_E_CRYPTO, "building the OCSP response");
		goto out;
	}
	if (OCSP_basic_sign(bs, signer, throwaway, md, NULL, OCSP_NOCERTS) !=
	    1) {
		rc = err_openssl(OR_E_CRYPTO, "pre-signing the OCSP response "
		    "with a throwaway key");
		goto out;
	}
	*out = bs;
	bs = NULL;
	rc = OR_OK;
out:
	OCSP_BASICRESP_free(bs);
	X509_free(signer);
	ASN1_TIME_free(tu);
	ASN1_TIME_free(nu);
	ASN1_TIME_free(rev);
	return rc;
}

/* The signed response must verify with the root and say what we meant. */
static int
check(OCSP_BASICRESP *bs, OCSP_CERTID *cid, const struct ocsp_plan *plan)
{
	STACK_OF(X509) *certs = NULL;
	X509_STORE *store = NULL;
	ASN1_GENERALIZEDTIME *rev = NULL, *tu = NULL, *nu = NULL;
	int status, reason, rc = OR_OK;

	if ((certs = sk_X509_new_null()) == NULL ||
	    !sk_X509_push(certs, plan->root) ||
	    (store = X509_STORE_new()) == NULL) {
		rc = err_set(OR_E_NOMEM, "out of memory");
		goto out;
	}
	if (OCSP_basic_verify(bs, certs, store, OCSP_TRUSTOTHER) != 1) {
		rc = err_openssl(OR_E_VERIFY, "the OCSP response does not "
		    "verify with the root's public key");
		goto out;
	}
	if (OCSP_resp_find_status(bs, cid, &status, &reason, &rev, &tu,
	    &nu) != 1 ||
	    status != (plan->revoked ? V_OCSP_CERTSTATUS_REVOKED :
	    V_OCSP_CERTSTATUS_GOOD) ||
	    asn1_unix(tu) != plan->this_update ||
	    asn1_unix(nu) != plan->next_update ||
	    (plan->revoked && asn1_unix(rev) != plan->revoked_at))
		rc = err_set(OR_E_CRYPTO, "the OCSP response does not say "
		    "what was intended");
out:
	X509_STORE_free(store);
	sk_X509_free(certs);
	return rc;
}

int
ocsp_build(const struct ocsp_plan *plan, struct keystore *ks,
    unsigned char **der, size_t *len)
{
	OCSP_BASICRESP *bs = NULL, *bs2 = NULL;
	OCSP_RESPONSE *resp = NULL;
	OCSP_CERTID *cid = NULL;
	ASN1_INTEGER *serial = NULL;
	const unsigned char *p;
	unsigned char *tbs = NULL, *sig = NULL, *wrapped = NULL, *again = NULL;
	unsigned char *out = NULL;
	const char *digest;
	const EVP_MD *md = NULL;
	size_t siglen = 0, wlen = 0;
	int tbslen, n, rc;

	*der = NULL;
	*len = 0;
	digest = keytype_default_digest(plan->type);
	if (digest != NULL && (md = EVP_get_digestbyname(digest)) == NULL)
		return err_set(OR_E_CRYPTO, "digest %s is not available",
		    digest);
	if ((serial = serial_to_asn1(&plan->serial)) == NULL ||
	    (cid = OCSP_cert_id_new(EVP_sha1(),
	    X509_get_subject_name(plan->root),
	    X509_get0_pubkey_bitstr(plan->root), serial)) == NULL) {
		rc = err_openssl(OR_E_CRYPTO, "building the CertID");
		goto out;
	}
	if ((rc = presign(plan, cid, md, &bs)) != OR_OK)
		goto out;
	if ((tbslen = i2d_OCSP_RESPDATA(OCSP_resp_get0_respdata(bs), &tbs)) <=
	    0) {
		rc = err_openssl(OR_E_CRYPTO, "encoding tbsResponseData");
		goto out;
	}
	if ((rc = keystore_sign(ks, digest, tbs, (size_t)tbslen, &sig,
	    &siglen)) != OR_OK)
		goto out;
	if ((rc = signed_wrap(tbs, (size_t)tbslen,
	    OCSP_resp_get0_tbs_sigalg(bs), sig, siglen, &wrapped, &wlen)) !=
	    OR_OK)
		goto out;
	p = wrapped;
	if ((bs2 = d2i_OCSP_BASICRESP(NULL, &p, (long)wlen)) == NULL ||
	    p != wrapped + wlen ||
	    (n = i2d_OCSP_BASICRESP(bs2, &again)) <= 0 || (size_t)n != wlen ||
	    memcmp(again, wrapped, wlen) != 0) {
		rc = err_openssl(OR_E_CRYPTO, "the signed OCSP response does "
		    "not re-parse identically");
		goto out;
	}
	if ((rc = check(bs2, cid, plan)) != OR_OK)
		goto out;
	if ((resp = OCSP_response_create(OCSP_RESPONSE_STATUS_SUCCESSFUL,
	    bs2)) == NULL || (n = i2d_OCSP_RESPONSE(resp, &out)) <= 0) {
		rc = err_openssl(OR_E_CRYPTO, "encoding the OCSP response");
		goto out;
	}
	if ((*der = malloc((size_t)n)) == NULL) {
		rc = err_set(OR_E_NOMEM, "out of memory");
		goto out;
	}
	memcpy(*der, out, (size_t)n);
	*len = (size_t)n;
	rc = OR_OK;
out:
	OPENSSL_free(out);
	OPENSSL_free(again);
	OPENSSL_free(wrapped);
	OPENSSL_free(sig);
	OPENSSL_free(tbs);
	OCSP_RESPONSE_free(resp);
	OCSP_BASICRESP_free(bs2);
	OCSP_BASICRESP_free(bs);
	OCSP_CERTID_free(cid);
	ASN1_INTEGER_free(serial);
	return rc;
}
