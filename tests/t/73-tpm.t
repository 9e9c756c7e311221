#!/bin/sh
# Root keys on a TPM 2.0 through its PKCS#11 module (tpm2-pkcs11), behind a
# software TPM (swtpm) that this test starts in $T with hsm/tpm-setup and
# ends by its PID: no kernel TPM, no resource manager.  The module differs
# from SoftHSM2 where it matters: one set of usage bits for both halves of
# a key pair (a public CKA_VERIFY is the TPM's decrypt bit), and raw
# CKM_RSA_PKCS done as a TPM decryption, which a sign-only key may not do.
# init generates ec-p256, ec-p384 and rsa-3072 (PKCS#1 v1.5 and RSA-PSS)
# on the token, sign-only, sensitive, never extractable (offroot and
# pkcs11-tool say so); check-key, sign, crl and ocsp work, each result
# verified by openssl, certtool and Python cryptography; no transient
# object is left in the TPM after a command that succeeded; a wrong PIN is
# one line of offroot's, which says that the token counts no failed PINs;
# tokens says that the serial (all zeros) tells no TPM apart, and tokens
# --mechanisms what offroot uses on the TPM and why (hashing RSA
# mechanisms, no RSA-4096, no EdDSA, PIN counters unknown); rsa-4096 and
# ed25519, which the TPM lacks, are refused before a key is made; a new key
# the token made able to decrypt is destroyed again and the module
# finalised; a module error at the signature of sign or crl (the fault
# shim in front of tpm2-pkcs11) is one line, records nothing, finalises the
# module and leaves no object in the TPM; one wrong PIN typed on the
# terminal stops unless the officer types "try".
. "$(dirname "$0")/../lib.sh"
SHIM="$ROOT/${OFFROOT_BUILD:-build}/tests/libp11shim.so"
K8S="$ROOT/ceremony-scripts/kubernetes/profiles.cnf"

MOD=
for m in /usr/lib/*/pkcs11/libtpm2_pkcs11.so /usr/lib/*/libtpm2_pkcs11.so.1; do
	[ -r "$m" ] && { MOD=$m; break; }
done
for c in swtpm tpm2_ptool tpm2_flushcontext tpm2_getcap pkcs11-tool; do
	command -v "$c" >/dev/null 2>&1 || MOD=
done
if [ -z "$MOD" ]; then
	echo "1..0 # SKIP swtpm, tpm2-tools or tpm2-pkcs11 is not installed" \
	    "(apt-get install swtpm swtpm-tools libtpm2-pkcs11-1" \
	    "libtpm2-pkcs11-tools tpm2-tools)"
	exit 0
fi

PIN="$T/pin"
printf '4711-pin\n' >"$PIN"
printf '87654321\n' >"$T/sopin"
printf '0000-bad\n' >"$T/badpin"
SUBJ="/C=DE/O=offroot tests/CN=TPM Root"
# swtpm is ended by its PID whatever happens, then $T goes.
trap 'sh "$ROOT/hsm/tpm-setup" --stop "$T/tpm" >/dev/null 2>&1
[ -n "${KEEP:-}" ] || rm -rf "$T"' EXIT

t_ok "tpm-setup starts swtpm and makes a token" \
    sh "$ROOT/hsm/tpm-setup" "$T/tpm" root-ca "$PIN" "$T/sopin"
[ -f "$T/tpm/swtpm.pid" ] || { cat "$T/err"; done_testing; exit 1; }
like "^export TPM2_PKCS11_TCTI=swtpm:path=$T/tpm/swtpm.sock\$" "$T/out" \
    "tpm-setup prints the TCTI to export"
like "^export TPM2_PKCS11_STORE=$T/tpm/store\$" "$T/out" "tpm-setup prints the store"
like "^module: $MOD\$" "$T/out" "tpm-setup prints the module"
like '^token:  pkcs11:token=root-ca$' "$T/out" "tpm-setup prints the token URI"
t_fail "tpm-setup refuses a folder that holds a TPM" 1 \
    sh "$ROOT/hsm/tpm-setup" "$T/tpm" again
TPM2_PKCS11_TCTI=swtpm:path=$T/tpm/swtpm.sock
TPM2TOOLS_TCTI=$TPM2_PKCS11_TCTI
TPM2_PKCS11_STORE=$T/tpm/store
TSS2_LOG=all+none
export TPM2_PKCS11_TCTI TPM2TOOLS_TCTI TPM2_PKCS11_STORE TSS2_LOG

p11tool() {	# the token's own view, with OpenSC's pkcs11-tool
	pkcs11-tool --module "$MOD" --token-label root-ca --login \
	    --pin 4711-pin "$@" 2>&1
}
transients() { tpm2_getcap handles-transient 2>/dev/null | grep -c '0x' || true; }
flush() { tpm2_flushcontext -t >/dev/null 2>&1; }

tok_init() {	# tok_init DIR [options]: a root on the TPM, PIN from a file
	_dir=$1; shift
	"$OFFROOT" init -d "$_dir" --subject "$SUBJ" --store pkcs11 \
	    --module "$MOD" --pin-file "$PIN" --yes --crl-url "$TEST_CRL_URL" "$@" \
	    >"$T/init.out" 2>"$T/init.err"
}

# verify_signed NAME KIND FILE ROOT: Python cryptography checks the
# signature on a CRL (PEM) or an OCSP response (DER) with the root's key.
verify_signed() {
	run $PY - "$2" "$3" "$4" <<'PYEOF'
import sys
from cryptography import x509
from cryptography.x509 import ocsp
from cryptography.hazmat.primitives.asymmetric import ec, rsa, padding
kind, path, root = sys.argv[1:]
pub = x509.load_pem_x509_certificate(open(root, "rb").read()).public_key()
data = open(path, "rb").read()
if kind == "crl":
    o = x509.load_pem_x509_crl(data)
    sig, tbs, h = o.signature, o.tbs_certlist_bytes, o.signature_hash_algorithm
else:
    o = ocsp.load_der_ocsp_response(data)
    sig, tbs, h = o.signature, o.tbs_response_bytes, o.signature_hash_algorithm
if isinstance(pub, ec.EllipticCurvePublicKey):
    pub.verify(sig, tbs, ec.ECDSA(h))
elif o.signature_algorithm_oid.dotted_string == "1.2.840.113549.1.1.10":
    pub.verify(sig, tbs, padding.PSS(mgf=padding.MGF1(h),
        salt_length=h.digest_size), h)
else:
    pub.verify(sig, tbs, padding.PKCS1v15(), h)
PYEOF
	ok $rc "$1: python cryptography verifies the $2 with the root's key"
	[ $rc -eq 0 ] || diag "$(tail -3 "$T/err")"
}

# check_pss NAME CERT ISSUER: CERT carries RSASSA-PSS with SHA-384, MGF1
# SHA-384 and a 48-byte salt, and its signature verifies with ISSUER's key.
check_pss() {
	run $PY - "$2" "$3" <<'PYEOF'
import sys
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
c = x509.load_pem_x509_certificate(open(sys.argv[1], "rb").read())
r = x509.load_pem_x509_certificate(open(sys.argv[2], "rb").read())
assert c.signature_algorithm_oid.dotted_string == "1.2.840.113549.1.1.10"
h = hashes.SHA384()
r.public_key().verify(c.signature, c.tbs_certificate_bytes,
    padding.PSS(mgf=padding.MGF1(h), salt_length=h.digest_size), h)
PYEOF
	ok $rc "$1: python cryptography: RSASSA-PSS, SHA-384, salt 48, verifies"
	[ $rc -eq 0 ] || diag "$(tail -3 "$T/err")"
}

# ---- tokens ----
t_ok "tokens lists the TPM's token" "$OFFROOT" tokens --module "$MOD"
like '^  slot [0-9]+ .*: token "root-ca"$' "$T/out" "tokens: the token by label"
like '^    \(serial all zeros: the same on every token of this kind' "$T/out" \
    "tokens: a serial of zeros is said not to tell this token apart"
# What the module answered, not its name: the quirks table.
: >"$T/calls"
t_ok "tokens --mechanisms on the TPM" env P11SHIM_MODULE="$MOD" \
    P11SHIM_LOG="$T/calls" "$OFFROOT" tokens --module "$SHIM" --mechanisms
like '^      rsa-3072 +CKM_SHA384_RSA_PKCS: hashing mechanism listed; raw CKM_RSA_PKCS avoided$' \
    "$T/out" "--mechanisms: rsa-3072 hashes on the token, raw CKM_RSA_PKCS avoided"
like '^      rsa-3072-pss +CKM_SHA384_RSA_PKCS_PSS: hashing mechanism listed' "$T/out" \
    "--mechanisms: rsa-3072 PSS hashes on the token"
like '^      ec-p384 +CKM_ECDSA: listed for signing; offroot hashes with SHA-384$' "$T/out" \
    "--mechanisms: ec-p384 is CKM_ECDSA"
like '^      rsa-4096 +not available: CKM_RSA_PKCS_KEY_PAIR_GEN makes keys of [0-9]+ to 3072 bits, not 4096$' \
    "$T/out" "--mechanisms: rsa-4096 not available: the TPM's RSA sizes"
like '^      ed25519 +not available: no CKM_EC_EDWARDS_KEY_PAIR_GEN listed$' "$T/out" \
    "--mechanisms: ed25519 not available: no EdDSA generation"
like '^    failed PIN tries: unknown: ' "$T/out" "--mechanisms: PIN counters unknown before a PIN fails"
like '^    serial: not unique ' "$T/out" "--mechanisms: the serial is not unique"
! grep -q '^C_Login' "$T/calls"; ok $? "--mechanisms: no login"

# ---- root creation, check-key, sign, crl, ocsp: three key types ----
# rsa-3072-pss: the Kubernetes profiles with RSA-PSS for root and
# intermediate (the token hashes: CKM_SHA*_RSA_PKCS_PSS).
sed -e 's/^\[root\]$/[root]\nsignature      = pss\ndigest         = sha384/' \
    -e 's/^\[intermediate\]$/[intermediate]\nsignature      = pss/' \
    "$K8S" >"$T/pss.cnf"
flush
for k in ec-p256 ec-p384 rsa-3072 rsa-3072-pss; do
	d="$T/ca-$k"
	case $k in
	*-pss) tok_init "$d" --token pkcs11:token=root-ca --key rsa-3072 \
	    --label "root-$k" --profiles "$T/pss.cnf" ;;
	*) tok_init "$d" --token pkcs11:token=root-ca --key "$k" \
	    --label "root-$k" ;;
	esac
	ok $? "$k: init generates the root key on the TPM"
	[ -f "$d/root.crt" ] || { diag "$(cat "$T/init.err")"; flush; continue; }
	like "^the key generated on token \"root-ca\" may sign; it is sensitive and has never been extractable\$" \
	    "$T/init.err" "$k: init shows what the token made: sign only, never extractable"
	like ' token-key .* never_extractable=yes usage=sign ' "$d/transcripts/"*-init-*.log \
	    "$k: the transcript records what the key may do"
	run openssl verify -x509_strict -CAfile "$d/root.crt" "$d/root.crt"
	ok $rc "$k: openssl verify -x509_strict accepts the root"
	run certtool --verify --load-ca-certificate "$d/root.crt" --infile "$d/root.crt"
	ok $rc "$k: certtool --verify accepts the root"
	case $k in
	*-pss) check_pss "$k: root" "$d/root.crt" "$d/root.crt" ;;
	*) run $PY "$ROOT/tests/t/check_cert.py" "$d/root.crt"
	   ok $rc "$k: python cryptography: BR root shape, signature" ;;
	esac
	[ $rc -eq 0 ] || diag "$(tail -3 "$T/err")"

	run p11tool --list-objects --type privkey --label "root-$k"
	like 'Usage: +sign$' "$T/out" "$k: pkcs11-tool: the private key may only sign"
	like 'Access: +sensitive, always sensitive, never extractable' "$T/out" \
	    "$k: pkcs11-tool: sensitive and never extractable"

	t_ok "$k: check-key with the TPM" "$OFFROOT" check-key -d "$d" --pin-file "$PIN"
	case $k in
	ec-p384) o="-newkey ec -pkeyopt ec_paramgen_curve:P-384" ;;
	*) o="-newkey ec -pkeyopt ec_paramgen_curve:P-256" ;;
	esac
	# shellcheck disable=SC2086
	openssl req -new $o -nodes -keyout "$T/int-$k.key" \
	    -subj "/C=DE/O=offroot tests/CN=TPM Intermediate $k" \
	    -out "$T/int-$k.csr" 2>/dev/null
	t_ok "$k: sign: an intermediate CSR signed with the TPM key" \
	    "$OFFROOT" sign -d "$d" -o "$T/int-$k" --csr "$T/int-$k.csr" \
	    --pin-file "$PIN" --yes
	[ -f "$T/int-$k/certificate.pem" ] || { diag "$(cat "$T/err")"; continue; }
	case $k in
	*-pss)
		run openssl verify -x509_strict -CAfile "$d/root.crt" "$T/int-$k/certificate.pem"
		ok $rc "$k: sign: openssl verify -x509_strict"
		cat "$T/int-$k/certificate.pem" "$d/root.crt" >"$T/chain.pem"
		run certtool --verify-chain --infile "$T/chain.pem"
		ok $rc "$k: sign: certtool --verify-chain"
		check_pss "$k: sign" "$T/int-$k/certificate.pem" "$d/root.crt" ;;
	*) check_chain "$k: sign" "$T/int-$k/certificate.pem" "$d/root.crt" ;;
	esac
	serial=$(openssl x509 -in "$T/int-$k/certificate.pem" -noout -serial | cut -d= -f2)
	t_ok "$k: revoke the intermediate" "$OFFROOT" revoke -d "$d" \
	    --serial "$serial" --reason keyCompromise
	t_ok "$k: crl: signed with the TPM key" \
	    "$OFFROOT" crl -d "$d" -o "$T/crl-$k.pem" --pin-file "$PIN"
	run openssl crl -in "$T/crl-$k.pem" -noout -verify -CAfile "$d/root.crt"
	like '^verify OK$' "$T/err" "$k: crl: openssl crl -verify accepts it"
	run openssl crl -in "$T/crl-$k.pem" -noout -text
	like "Serial Number: $serial" "$T/out" "$k: crl: it lists the revoked intermediate"
	verify_signed "$k: crl" crl "$T/crl-$k.pem" "$d/root.crt"
	t_ok "$k: ocsp: a response signed with the TPM key" "$OFFROOT" ocsp -d "$d" \
	    --serial "$serial" -o "$T/resp-$k.der" --pin-file "$PIN"
	run openssl ocsp -respin "$T/resp-$k.der" -CAfile "$d/root.crt" \
	    -issuer "$d/root.crt" -cert "$T/int-$k/certificate.pem" -no_nonce
	like 'Response verify OK' "$T/err" "$k: ocsp: openssl verifies the response"
	like ': revoked' "$T/out" "$k: ocsp: it says revoked"
	verify_signed "$k: ocsp" ocsp "$T/resp-$k.der" "$d/root.crt"
	t_ok "$k: audit" "$OFFROOT" audit -d "$d"
done
[ "$(transients)" -eq 0 ]
ok $? "no transient object is left in the TPM after the commands that succeeded"

# ---- refusals ----
t_fail "a wrong PIN (exit 1)" 1 "$OFFROOT" check-key -d "$T/ca-ec-p256" \
    --pin-file "$T/badpin"
like 'CKR_PIN_INCORRECT' "$T/err" "a wrong PIN: the token's reason and its CKR_ name"
like 'reports no failed-PIN count, so offroot cannot warn before it locks' "$T/err" \
    "a wrong PIN: the token counts no failures, and offroot says so"
like 'warning: token "root-ca" reports no count of failed PIN tries .*a TPM may lock the whole chip' \
    "$T/err" "before the first login: the TPM shows no failed-PIN count, said so"
# The module writes its own ERROR: lines to stderr; offroot's is the one.
[ "$(grep '^offroot: ' "$T/err" | grep -cv '^offroot: warning: ')" -eq 1 ]
ok $? "a wrong PIN: one line of offroot's (and its warnings)"
flush
# What the TPM lacks is refused before a key is made: through the logging
# shim, no C_GenerateKeyPair reached the module.
for k in rsa-4096 ed25519; do
	: >"$T/calls"
	P11SHIM_MODULE=$MOD P11SHIM_LOG="$T/calls" t_fail "$k: refused (exit 1)" 1 \
	    "$OFFROOT" init -d "$T/x-$k" --subject "$SUBJ" --store pkcs11 \
	    --module "$SHIM" --token pkcs11:token=root-ca --key "$k" \
	    --label "x-$k" --profiles "$K8S" --pin-file "$PIN" --yes
	like "token \"root-ca\" cannot generate $k keys" "$T/err" "$k: the token's lack is named"
	grep -q '^C_GetMechanismList' "$T/calls" && ! grep -q '^C_GenerateKeyPair' "$T/calls"
	ok $? "$k: the mechanisms were asked, and no key generation reached the TPM"
	[ ! -e "$T/x-$k" ]; ok $? "$k: nothing written"
done
# A key the token made able to decrypt (the shim says so, as a module that
# ignored the template would) is destroyed again on the TPM, and the
# module is finalised.  (tpm2-pkcs11 leaves the key loaded in a TPM
# without a resource manager; flushed here.)
: >"$T/calls"
P11SHIM_MODULE=$MOD P11SHIM_LOG="$T/calls" P11SHIM_ATTR_TRUE=CKA_DECRYPT \
    t_fail "a new key that may decrypt: refused (exit 3)" 3 \
    "$OFFROOT" init -d "$T/x-dec" --subject "$SUBJ" --store pkcs11 \
    --module "$SHIM" --token pkcs11:token=root-ca --key ec-p256 \
    --label x-decrypt --pin-file "$PIN" --yes
like 'made a key whose private half may sign, decrypt, not sign only \(not set as asked: CKA_DECRYPT\)' \
    "$T/err" "a new key that may decrypt: the reason, and the attribute not set as asked"
[ "$(grep -c '^C_DestroyObject$' "$T/calls")" -eq 2 ] &&
    [ "$(grep -c '^C_Finalize$' "$T/calls")" -eq 1 ]
ok $? "a new key that may decrypt: both halves destroyed, the module finalised"
flush

# ---- a module error in the middle of a signature, on the TPM ----
# A root made through the shim (module P11SHIM_MODULE=$MOD), then sign and
# crl with the certificate's or CRL's signature failing (the third: two
# prove the key at unlock): exit 3, one line naming the token's reason,
# nothing recorded as done (a CRL number reserved at most), audit passes,
# the module finalised and no transient object left, so the next command
# works.
FCA="$T/ca-fault"
P11SHIM_MODULE=$MOD
export P11SHIM_MODULE
t_ok "a root on the TPM through the shim" "$OFFROOT" init -d "$FCA" \
    --subject "$SUBJ" --store pkcs11 --module "$SHIM" --pin-file "$PIN" --yes \
    --crl-url "$TEST_CRL_URL" --token pkcs11:token=root-ca --key ec-p256 \
    --label root-fault
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$T/fint.key" -subj "/C=DE/O=offroot tests/CN=TPM Fault Int" \
    -out "$T/fint.csr" 2>/dev/null
for c in sign crl; do
	cp "$FCA/journal" "$T/journal.before"
	ls "$FCA/crls" "$FCA/issued" >"$T/files.before"
	: >"$T/calls"
	case $c in
	sign) set -- sign -d "$FCA" -o "$T/fout-sign" --csr "$T/fint.csr" --yes ;;
	crl) set -- crl -d "$FCA" -o "$T/fout-crl" ;;
	esac
	P11SHIM_LOG="$T/calls" P11SHIM_FAIL=C_Sign:3 P11SHIM_RV=CKR_DEVICE_ERROR \
	    t_fail "$c: the TPM module fails at the signature (exit 3)" 3 \
	    "$OFFROOT" "$@" --pin-file "$PIN" --quiet
	unset P11SHIM_LOG P11SHIM_FAIL P11SHIM_RV
	like '^offroot: .*token "root-ca": signing: .*\(CKR_DEVICE_ERROR\)$' "$T/err" \
	    "$c: the one line names the token and its reason"
	grep -q '^C_Sign FAULT$' "$T/calls"; ok $? "$c: the fault hit a signature"
	# At most a CRL number's reservation (numbers are never reused).
	! diff "$T/journal.before" "$FCA/journal" | grep '^>' | grep -vq ' crl-number ' &&
	    ls "$FCA/crls" "$FCA/issued" | cmp -s "$T/files.before" - &&
	    [ ! -e "$T/fout-$c" ]
	ok $? "$c: nothing recorded as done (at most a CRL number reserved), nothing written"
	[ "$(grep -c '^C_Finalize$' "$T/calls")" -eq 1 ]
	ok $? "$c: the module was finalised"
	[ "$(transients)" -eq 0 ]; ok $? "$c: no transient object left in the TPM"
	t_ok "$c: audit passes after the fault" "$OFFROOT" audit -d "$FCA"
	t_ok "$c: the next command works (check-key)" "$OFFROOT" check-key \
	    -d "$FCA" --pin-file "$PIN"
done
t_ok "crl after the faults" "$OFFROOT" crl -d "$FCA" -o "$T/fcrl.pem" --pin-file "$PIN"
run openssl crl -in "$T/fcrl.pem" -noout -verify -CAfile "$FCA/root.crt"
like '^verify OK$' "$T/err" "... and openssl verifies it"
unset P11SHIM_MODULE

# ---- one wrong PIN typed on the terminal: the TPM reports no count ----
if command -v tmux >/dev/null 2>&1; then
	. "$ROOT/tests/tui.sh"
	trap 'tmux kill-server 2>/dev/null
sh "$ROOT/hsm/tpm-setup" --stop "$T/tpm" >/dev/null 2>&1
[ -n "${KEEP:-}" ] || rm -rf "$T"' EXIT
	start 80 24 linux "env P11SHIM_MODULE='$MOD' '$OFFROOT' check-key -d '$FCA' --yes"
	waitfor 'PIN for token "root-ca"'
	keys "0000-bad" Enter
	waitfor 'Type "try"'
	ok $? "TPM: after one wrong PIN the officer is asked before another try (--yes does not answer)"
	keys "try" Enter
	waitfor 'tries? left'; ok $? "TPM: \"try\": the PIN is asked again"
	keys "4711-pin" Enter
	waitfor 'EXIT='
	like 'EXIT=0' "$T/screen" "TPM: the right PIN then: check-key passes"
	start 80 24 linux "env P11SHIM_MODULE='$MOD' '$OFFROOT' check-key -d '$FCA'"
	waitfor 'PIN for token "root-ca"'
	keys "0000-bad" Enter
	waitfor 'Type "try"'
	keys Enter
	waitfor 'EXIT='
	like 'EXIT=1' "$T/screen" "TPM: nothing typed: exit 1, no other PIN tried"
	grep -l 'stopped%20after%20one%20wrong%20PIN' "$FCA/transcripts/"*check-key* >/dev/null 2>&1
	ok $? "TPM: the stop is in the transcript"
	tmux kill-session -t "=$S" 2>/dev/null
	flush
fi

run p11tool --list-objects --type privkey
[ "$(grep -c 'Private Key Object' "$T/out")" -eq 5 ]
ok $? "the TPM token holds the five roots' keys and no other"
# swtpm's own CPU time, for the record (the test keeps it under a minute).
cpu=$(awk '{ print int(($14 + $15) / 100) }' "/proc/$(cat "$T/tpm/swtpm.pid")/stat" 2>/dev/null)
diag "swtpm used ${cpu:-?} s of CPU"
done_testing
