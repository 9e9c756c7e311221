/*
 * lint.h — checks on a to-be-signed certificate before the real key is
 * used, and again after signing.  RFC 5280 rules always; CA/Browser Forum
 * Baseline Requirements rules for the br-root and br-subca families.
 *
 * A code's prefix is its level (e_ error, w_ warning, n_ notice, as in
 * zlint) and a code never changes meaning.  The certificate must be signed
 * (with the throwaway key before the ceremony) so that its algorithm
 * fields can be checked.  A certificate is held to the CA rules when its
 * family is br-*, when it is self-signed (issuer NULL), or when it says
 * cA TRUE or keyCertSign.  The codes:
 *
 *   structure   e_cert_version_not_3 e_cert_unique_identifier_present
 *   serial      e_serial_invalid e_serial_zero e_serial_negative
 *               e_serial_too_long e_serial_low_entropy w_serial_short
 *   signature   e_signature_algorithm_missing e_signature_algorithm_mismatch
 *               e_signature_algorithm_not_allowed e_signature_weak_hash
 *               e_signature_algorithm_params
 *               e_signature_algorithm_key_mismatch
 *               e_br_ecdsa_hash_curve_mismatch n_ecdsa_hash_curve_mismatch
 *               w_br_ed25519_signature
 *   validity    e_validity_time_invalid e_validity_time_format
 *               e_validity_time_encoding e_validity_order
 *               e_validity_outside_issuer e_root_validity_out_of_range
 *               w_root_not_before_backdated
 *   names       e_subject_empty e_issuer_empty e_issuer_name_mismatch
 *               w_issuer_name_encoding_differs e_root_subject_issuer_mismatch
 *               w_ca_subject_no_common_name e_br_ca_subject_no_country
 *               e_br_ca_subject_no_organization
 *               e_br_ca_subject_no_common_name e_br_ca_subject_has_ou
 *   name text   (names.h; every family, the subject in full, the issuer's
 *               characters, the names in extensions)
 *               e_name_nul_character (the null-prefix certificates of
 *               2009, Marlinspike and Kaminsky) e_name_control_character
 *               e_name_bidi_control e_name_invisible_character
 *               e_name_invalid_encoding e_name_string_type
 *               e_name_printable_charset e_name_country_invalid
 *               e_name_too_long e_name_value_empty
 *               e_name_attribute_repeated e_name_multi_valued_rdn
 *               e_name_not_nfc w_name_mixed_scripts
 *   extensions  e_ext_duplicate e_ext_unknown_critical e_ext_undecodable
 *   basicConstraints  e_ca_basic_constraints_missing
 *               e_ca_basic_constraints_ca_false
 *               e_ca_basic_constraints_not_critical e_path_len_without_ca
 *               e_path_len_negative w_root_path_len_present e_issuer_not_ca
 *               e_issuer_path_len_zero e_path_len_exceeds_issuer
 *               w_path_len_absent_under_limit
 *   keyUsage    e_ca_key_usage_missing e_ca_key_usage_not_critical
 *               e_ca_key_usage_no_cert_sign w_ca_key_usage_no_crl_sign
 *               e_br_ca_key_usage_extra_bits e_issuer_key_usage_no_cert_sign
 *   key ids     e_ca_ski_missing n_ski_missing e_ski_critical e_aki_critical
 *               e_aki_missing n_root_aki_missing e_aki_no_key_identifier
 *               e_br_aki_has_issuer_serial e_issuer_ski_missing
 *               e_aki_mismatch
 *   EKU         e_root_eku_present e_eku_any e_ca_eku_ocsp_signing
 *               e_subca_eku_missing e_subca_eku_no_server_auth
 *   policies    w_root_policies_present e_subca_policies_missing
 *               e_subca_any_policy e_subca_crldp_missing
 *               e_subca_crldp_not_http
 *               (w_subca_crldp_missing before: retired)
 *   nameConstraints  e_name_constraints_on_non_ca
 *               e_name_constraints_not_critical (private)
 *               w_name_constraints_not_critical (BR families)
 *   subject key e_public_key_invalid e_rsa_key_too_small
 *               e_rsa_modulus_not_multiple_of_8 e_rsa_exponent_invalid
 *               w_rsa_exponent_small e_ec_curve_not_allowed
 *               w_br_ed25519_key e_key_algorithm_not_allowed
 */
#ifndef OFFROOT_LINT_H
#define OFFROOT_LINT_H

#include <stddef.h>

#include <openssl/x509.h>

#include "profile.h"

enum lint_level { LINT_NOTICE, LINT_WARN, LINT_ERROR };

struct lint_finding {
	enum lint_level level;
	char code[48];		/* stable identifier: "e_ca_key_usage_missing" */
	char text[448];		/* one line for the officer */
};

#define LINT_MAX 64

struct lint_report {
	size_t n;
	struct lint_finding f[LINT_MAX];
};

/* Lints cert against RFC 5280 and the family's rules.  issuer is NULL for a
 * self-signed root.  Fills report (reset first; when more than LINT_MAX
 * findings, lower levels make room for errors); returns OR_OK (findings
 * are in the report, not the return value) or OR_E_NOMEM. */
int lint_cert(X509 *cert, X509 *issuer, enum profile_family family,
    struct lint_report *report);
/* lint_cert with what the profile allows in the subject's shape
 * (repeatable_attributes; names.h); NULL: names.h's defaults. */
struct names_policy;
int lint_cert_policy(X509 *cert, X509 *issuer, enum profile_family family,
    const struct names_policy *subject_policy, struct lint_report *report);
/* Lints one name alone with the name-text rules of lint_cert (names.h):
 * a CSR's subject before a certificate is built, a subject typed at init.
 * where starts each message ("subject").  Fills report; returns OR_OK. */
int lint_name(const X509_NAME *name, const char *where,
    struct lint_report *report);
size_t lint_count(const struct lint_report *r, enum lint_level level);
/* Tells the officer every finding below LINT_ERROR (errors are the
 * caller's refusal): warnings as warnings, notices as information, each
 * as "WHAT: lint LEVEL: CODE: TEXT".  what names the certificate ("root
 * certificate", a CSR's file). */
struct interact;
void lint_say(struct interact *io, const char *what,
    const struct lint_report *r);
const char *lint_level_name(enum lint_level l);

/* "sha256", "sha384" or "sha512" when alg is RSASSA-PSS encoded exactly as
 * the CA/B Forum allows (BR 7.1.3.2: that hash, MGF1 with the same hash, a
 * salt as long as the hash, trailer field 1 left implicit); NULL for any
 * other algorithm or encoding. */
const char *lint_pss_digest(const X509_ALGOR *alg);

#endif
