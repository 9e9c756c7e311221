#!/bin/sh
# Token faults SoftHSM2 cannot produce, through the fault-injecting module
# tests/p11shim (built by the Makefile) in front of a SoftHSM2 token: the
# token pulled out (or the module failing) at every signature of sign, crl
# and init, and at every attribute read of init: exit 3, one line naming the
# token's reason, and nothing recorded that was not done (journal, issued/,
# crls/, OUTDIR, audit).  Then the PIN states: PIN-count-low warns before
# the login, a final-try token gets no PIN without the officer's
# confirmation, a locked PIN is refused without a login.  A token that
# lacks a mechanism (ECDSA, EC or RSA generation, PKCS#1 v1.5, RSA-PSS) is
# refused before it generates or signs anything; a new key's random id
# that is already on the token is refused before a key is made.
. "$(dirname "$0")/../lib.sh"
MOD=/usr/lib/softhsm/libsofthsm2.so
SHIM="$ROOT/${OFFROOT_BUILD:-build}/tests/libp11shim.so"

if [ ! -r "$MOD" ] || ! command -v softhsm2-util >/dev/null 2>&1; then
	echo "1..0 # SKIP SoftHSM2 is not installed (apt-get install softhsm2)"
	exit 0
fi
if [ ! -r "$SHIM" ]; then
	echo "1..1"
	echo "not ok 1 - the fault-injecting module $SHIM is built (make unit)"
	exit 1
fi

P11SHIM_MODULE=$MOD
P11SHIM_LOG="$T/calls"
export P11SHIM_MODULE P11SHIM_LOG
PIN="$T/pin"
printf '4711-pin\n' >"$PIN"
SUBJ="/C=DE/O=offroot tests/CN=Fault Root"
sh "$ROOT/hsm/softhsm-setup" "$T/hsm" root-ca 4711-pin 87654321 >/dev/null
ok $? "a throwaway SoftHSM2 token"
SOFTHSM2_CONF="$T/hsm/softhsm2.conf"
export SOFTHSM2_CONF

# calls FN: how often the last run called FN through the shim
calls() { grep -c "^$1\$" "$T/calls" 2>/dev/null || true; }
# fault FN:N [RV] CMD...: runs CMD with the Nth call of FN failing
fault() {
	_f=$1; shift
	case $1 in CKR_*) _rv=$1; shift ;; *) _rv=CKR_DEVICE_REMOVED ;; esac
	rm -f "$T/calls"
	P11SHIM_FAIL=$_f P11SHIM_RV=$_rv run "$@"
}
# last_err: stderr without the warnings
errline() { grep -v '^offroot: warning: ' "$T/err"; }
# removed NAME [RV]: exit 3 and one line naming the token and its reason
removed() {
	_rv=${2:-CKR_DEVICE_REMOVED}
	_lines=$(errline | grep -c '')
	[ "$rc" -eq 3 ] && [ "$_lines" -eq 1 ] && errline | grep -q "token \"root-ca\".*($_rv)\$"
	ok $? "$1: exit 3, one line naming the token's reason ($_rv)"
	[ $? -eq 0 ] || diag "exit $rc: $(cat "$T/err")"
}
# consistent NAME DIR: audit passes and issued/ holds exactly the
# certificates the journal records as issued
consistent() {
	"$OFFROOT" audit -d "$2" >"$T/audit.out" 2>&1
	ok $? "$1: offroot audit passes"
	[ $? -eq 0 ] || diag "$(cat "$T/audit.out")"
	_rec=$(grep -c ' issue ' "$2/journal")
	_files=$(ls "$2/issued" | grep -c '')
	[ "$_rec" -eq "$_files" ]
	ok $? "$1: issued/ holds exactly the $_rec recorded certificates ($_files files)"
}

# ---- the shim is transparent when no fault is asked ----
CA="$T/ca"
t_ok "init on the token through the shim" "$OFFROOT" init -d "$CA" \
    --subject "$SUBJ" --store pkcs11 --module "$SHIM" \
    --token pkcs11:token=root-ca --key ec-p256 --label root --pin-file "$PIN" --yes \
    --crl-url "$TEST_CRL_URL"
[ "$(calls C_GenerateKeyPair)" -eq 1 ] && [ "$(calls C_Sign)" -ge 2 ]
ok $? "the shim forwarded the generation and the signatures to SoftHSM2"
t_ok "tokens through the shim" "$OFFROOT" tokens --module "$SHIM"
like 'token "root-ca"' "$T/out" "tokens: the token behind the shim"

openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$T/int.key" -subj "/C=DE/O=offroot tests/CN=Fault Int" \
    -out "$T/int.csr" 2>/dev/null
# Signed again and again below, through every fault: --allow-reissue.

# ---- mechanisms the token lacks (P11SHIM_HIDE_MECH) ----
# The mechanism list is checked first: a choice the token cannot sign or
# generate is one line naming the mechanism, exit 1, before the token
# generates or signs anything, and nothing is written.
p11objs_all() {	# every object on the token, pkcs11-tool's view
	pkcs11-tool --module "$MOD" --token-label root-ca --login --pin 4711-pin \
	    --list-objects 2>/dev/null
}
mech_init() {	# mech_init NAME HIDE MECH-IN-ERROR init-options...
	_name=$1; _hide=$2; _want=$3; shift 3
	rm -f "$T/calls"
	P11SHIM_HIDE_MECH=$_hide run "$OFFROOT" init -d "$T/ca-m" --subject "$SUBJ" \
	    --store pkcs11 --module "$SHIM" --token pkcs11:token=root-ca \
	    --pin-file "$PIN" --yes --quiet "$@"
	[ "$rc" -eq 1 ] && [ "$(errline | grep -c '')" -eq 1 ] &&
	    errline | grep -q "^offroot: token \"root-ca\" cannot .*(no [A-Z0-9_ ]*$_want[ )]"
	ok $? "$_name: exit 1, one line naming $_want"
	[ $? -eq 0 ] || diag "exit $rc: $(cat "$T/err")"
	grep -q '^C_GetMechanismList$' "$T/calls" &&
	    ! grep -Eq '^(C_GenerateKeyPair|C_SignInit|C_Sign)( |$)' "$T/calls"
	ok $? "$_name: the mechanisms were read, and nothing generated or signed"
	[ ! -e "$T/ca-m" ] && ! ls -a "$T" | grep -q '\.ca-m\.offroot-init'
	ok $? "$_name: nothing written"
}
mech_init "a token without CKM_ECDSA (ec-p256)" CKM_ECDSA CKM_ECDSA \
    --key ec-p256 --label mech-ecdsa
! p11objs_all | grep -q 'mech-ecdsa'; ok $? "no CKM_ECDSA: no key on the token"
mech_init "a token without CKM_EC_KEY_PAIR_GEN (ec-p384)" CKM_EC_KEY_PAIR_GEN \
    CKM_EC_KEY_PAIR_GEN --key ec-p384 --label mech-ecgen
mech_init "a token without PKCS#1 v1.5 (rsa-4096)" CKM_RSA_PKCS,CKM_SHA384_RSA_PKCS \
    CKM_RSA_PKCS --key rsa-4096 --label mech-rsa
# RSA-PSS (profile "signature = pss"): the root's own signature is PSS.
sed -e 's/^\[root\]$/[root]\nsignature      = pss\ndigest         = sha512/' \
    -e 's/^\[intermediate\]$/[intermediate]\nsignature      = pss/' \
    "$ROOT/ceremony-scripts/kubernetes/profiles.cnf" >"$T/pss.cnf"
grep -q '^signature *= *pss' "$T/pss.cnf"; ok $? "a profile set with signature = pss"
NOPSS=CKM_RSA_PKCS_PSS,CKM_SHA256_RSA_PKCS_PSS,CKM_SHA384_RSA_PKCS_PSS,CKM_SHA512_RSA_PKCS_PSS
mech_init "a token without RSA-PSS, root under signature = pss" "$NOPSS" \
    CKM_RSA_PKCS_PSS --key rsa-3072 --label mech-pss --profiles "$T/pss.cnf"
like 'RSA-PSS signatures with sha512' "$T/err" "no RSA-PSS: the error names the root's digest"
! p11objs_all | grep -q 'mech-pss'; ok $? "no RSA-PSS: no key on the token"
# The same token with PSS: the root is made, and signs PSS.
PSSCA="$T/ca-pss"
rm -f "$T/calls"
t_ok "with RSA-PSS: an rsa-3072 root under signature = pss" "$OFFROOT" init -d "$PSSCA" \
    --subject "$SUBJ" --store pkcs11 --module "$SHIM" --token pkcs11:token=root-ca \
    --key rsa-3072 --label root-pss --pin-file "$PIN" --yes --quiet --profiles "$T/pss.cnf"
openssl x509 -in "$PSSCA/root.crt" -noout -text 2>/dev/null | grep -q 'Signature Algorithm: rsassaPss'
ok $? "with RSA-PSS: the root is signed RSASSA-PSS"
# Adopting that key on a token without PSS: refused before any signature.
rm -f "$T/calls"
P11SHIM_HIDE_MECH=$NOPSS run "$OFFROOT" init -d "$T/ca-m" --subject "$SUBJ" \
    --store pkcs11 --module "$SHIM" --key-uri "pkcs11:token=root-ca;object=root-pss" \
    --pin-file "$PIN" --yes --quiet --profiles "$T/pss.cnf"
[ "$rc" -eq 1 ] && [ "$(errline | grep -c '')" -eq 1 ] && errline | grep -q 'CKM_RSA_PKCS_PSS'
ok $? "adopting a key on a token without RSA-PSS: exit 1, one line naming CKM_RSA_PKCS_PSS"
! grep -Eq '^C_Sign' "$T/calls"; ok $? "... before anything is signed"
[ ! -e "$T/ca-m" ]; ok $? "... and nothing written"
# sign under signature = pss on a token without it: the key proves itself
# as any unlock does (two PKCS#1 v1.5 signatures of random challenges: the
# self-test and the proof against root.crt), then the error, before the
# certificate is signed (a PSS signature would have tried a hidden
# mechanism); nothing is recorded.
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$T/pss-int.key" -subj "/C=DE/O=offroot tests/CN=PSS Int" \
    -out "$T/pss-int.csr" 2>/dev/null
cp "$PSSCA/journal" "$T/journal.before"
ls "$PSSCA/issued" >"$T/issued.before"
rm -f "$T/calls"
P11SHIM_HIDE_MECH=$NOPSS run "$OFFROOT" sign -d "$PSSCA" -o "$T/out-pss" --csr "$T/pss-int.csr" \
    --pin-file "$PIN" --yes --quiet
[ "$rc" -eq 1 ] && [ "$(errline | grep -c '')" -eq 1 ] &&
    errline | grep -q 'cannot make RSA-PSS signatures with sha384 (no CKM_RSA_PKCS_PSS or CKM_SHA384_RSA_PKCS_PSS)'
ok $? "sign under signature = pss without RSA-PSS: exit 1, one line naming the mechanisms"
[ $? -eq 0 ] || diag "exit $rc: $(cat "$T/err")"
[ "$(calls C_Sign)" -eq 2 ] && ! grep -q 'HIDDEN' "$T/calls"
ok $? "sign without RSA-PSS: no signature but the unlock's two ($(calls C_Sign)), no PSS mechanism tried"
cmp -s "$T/journal.before" "$PSSCA/journal"; ok $? "sign without RSA-PSS: the journal is unchanged"
ls "$PSSCA/issued" | cmp -s "$T/issued.before" -; ok $? "sign without RSA-PSS: nothing in issued/"
[ ! -e "$T/out-pss" ] && ! ls -a "$T" | grep -q '\.out-pss'; ok $? "sign without RSA-PSS: no bundle"
rm -f "$T/calls"
t_ok "sign with RSA-PSS on the token" "$OFFROOT" sign -d "$PSSCA" -o "$T/out-pss" \
    --csr "$T/pss-int.csr" --pin-file "$PIN" --yes --quiet
openssl x509 -in "$T/out-pss/certificate.pem" -noout -text 2>/dev/null | grep -q 'Signature Algorithm: rsassaPss'
ok $? "with RSA-PSS: the intermediate is signed RSASSA-PSS"
consistent "RSA-PSS" "$PSSCA"

# ---- a key that may not use raw CKM_RSA_PKCS (P11SHIM_REFUSE_MECH) ----
# tpm2-pkcs11 lists CKM_RSA_PKCS but does it as a TPM decryption, which a
# sign-only key may not do.  offroot signs with the token's own hashing
# mechanisms when it lists them: the root, an intermediate and a CRL (whose
# to-be-signed bytes then go to the token whole, not as a digest).
RAW=CKM_RSA_PKCS,CKM_RSA_PKCS_PSS
RAWCA="$T/ca-raw"
rm -f "$T/calls"
t_ok "raw RSA refused by the key: an rsa-3072 root" env P11SHIM_REFUSE_MECH=$RAW \
    "$OFFROOT" init -d "$RAWCA" --subject "$SUBJ" --store pkcs11 --module "$SHIM" \
    --token pkcs11:token=root-ca --key rsa-3072 --label root-raw --pin-file "$PIN" \
    --yes --quiet --crl-url "$TEST_CRL_URL"
t_ok "raw RSA refused by the key: sign an intermediate" env P11SHIM_REFUSE_MECH=$RAW \
    "$OFFROOT" sign -d "$RAWCA" -o "$T/out-raw" --csr "$T/pss-int.csr" \
    --pin-file "$PIN" --yes --quiet
t_ok "raw RSA refused by the key: a CRL" env P11SHIM_REFUSE_MECH=$RAW \
    "$OFFROOT" crl -d "$RAWCA" -o "$T/raw.crl" --pin-file "$PIN" --quiet
! grep -q 'REFUSED' "$T/calls"; ok $? "raw RSA refused by the key: never asked for"
run openssl crl -in "$T/raw.crl" -noout -verify -CAfile "$RAWCA/root.crt"
like '^verify OK$' "$T/err" "raw RSA refused by the key: the CRL verifies"
run openssl verify -x509_strict -CAfile "$RAWCA/root.crt" "$T/out-raw/certificate.pem"
ok $rc "raw RSA refused by the key: the intermediate verifies"
# Where the token does not hash, raw CKM_RSA_PKCS is still the way.
rm -f "$T/calls"
t_ok "a token without hashing RSA mechanisms: a CRL with raw CKM_RSA_PKCS" \
    env P11SHIM_HIDE_MECH=CKM_SHA256_RSA_PKCS,CKM_SHA384_RSA_PKCS,CKM_SHA512_RSA_PKCS \
    "$OFFROOT" crl -d "$RAWCA" -o "$T/raw2.crl" --pin-file "$PIN" --quiet
run openssl crl -in "$T/raw2.crl" -noout -verify -CAfile "$RAWCA/root.crt"
like '^verify OK$' "$T/err" "... and it verifies"

# ---- a token that makes more than a signing key (P11SHIM_ATTR_TRUE) ----
# What the new private key may do is read back: a key that may decrypt or
# derive is removed again, one line says why, nothing is written.
for a in CKA_DECRYPT CKA_DERIVE CKA_UNWRAP; do
	what=$(echo "$a" | sed 's/^CKA_//' | tr 'A-Z' 'a-z')
	rm -f "$T/calls"
	P11SHIM_ATTR_TRUE=$a run "$OFFROOT" init -d "$T/ca-u" --subject "$SUBJ" \
	    --store pkcs11 --module "$SHIM" --token pkcs11:token=root-ca \
	    --key ec-p256 --label "usage-$what" --pin-file "$PIN" --yes --quiet
	[ "$rc" -eq 3 ] && [ "$(errline | grep -c '')" -eq 1 ] &&
	    errline | grep -q "made a key whose private half may sign, $what, not sign only"
	ok $? "a new key that may $what: exit 3, one line saying so"
	[ $? -eq 0 ] || diag "exit $rc: $(cat "$T/err")"
	[ "$(calls C_DestroyObject)" -eq 2 ] && ! p11objs_all | grep -q "usage-$what"
	ok $? "a new key that may $what: removed from the token"
	[ ! -e "$T/ca-u" ]; ok $? "a new key that may $what: nothing written"
done
# An adopted key that may derive: adopted, with a warning.
pkcs11-tool --module "$MOD" --token-label root-ca --login --pin 4711-pin \
    --keypairgen --key-type EC:prime256v1 --id 0d0e0d --label may-derive \
    --usage-derive --usage-sign >/dev/null 2>&1
ok $? "pkcs11-tool makes a key pair that may sign and derive"
run "$OFFROOT" init -d "$T/ca-derive" --subject "$SUBJ" \
    --store pkcs11 --module "$SHIM" --key-uri "pkcs11:token=root-ca;object=may-derive" \
    --pin-file "$PIN" --yes
ok $rc "an adopted key that may derive is adopted"
like "^offroot: warning: the adopted key's private half may sign, .*derive.*, not only sign\$" \
    "$T/err" "... with a warning naming what else it may do"
like ' token-key .* usage=sign,%20(decrypt,%20)?derive' "$T/ca-derive/transcripts/"*-init-*.log \
    "... and the transcript records it"

# ---- a new key's random CKA_ID already on the token (P11SHIM_ID_TAKEN) ----
# offroot draws the id itself; the shim makes the collision check look up
# the id of the root made above, as if the draw had hit it.
taken=$(sed -n 's/^uri=.*;id=\([^;]*\);.*/\1/p' "$CA/root.key.uri" | tr -d '%' | tr 'A-F' 'a-f')
[ ${#taken} -eq 32 ]; ok $? "the root's id ($taken)"
rm -f "$T/calls"
P11SHIM_ID_TAKEN=$taken run "$OFFROOT" init -d "$T/ca-m" --subject "$SUBJ" --store pkcs11 \
    --module "$SHIM" --token pkcs11:token=root-ca --key ec-p256 --label id-collision \
    --pin-file "$PIN" --yes --quiet
[ "$rc" -eq 1 ] && [ "$(errline | grep -c '')" -eq 1 ] &&
    errline | grep -q 'token "root-ca" already holds an object with the new random id'
ok $? "an id collision: exit 1, one line"
[ $? -eq 0 ] || diag "exit $rc: $(cat "$T/err")"
grep -q '^C_FindObjectsInit ID_TAKEN$' "$T/calls" && [ "$(calls C_GenerateKeyPair)" -eq 0 ]
ok $? "an id collision: checked, and no key generated"
[ ! -e "$T/ca-m" ]; ok $? "an id collision: nothing written"
! p11objs_all | grep -q 'id-collision'; ok $? "an id collision: no key on the token"
t_fail "a label already on the token (through the shim)" 1 "$OFFROOT" init -d "$T/ca-m" \
    --subject "$SUBJ" --store pkcs11 --module "$SHIM" --token pkcs11:token=root-ca \
    --key ec-p256 --label root --pin-file "$PIN" --yes --quiet
like 'already holds an object labelled "root"' "$T/err" "the label refusal names the label"
[ ! -e "$T/ca-m" ]; ok $? "a label already there: nothing written"

# ---- the token pulled out at each signature of offroot sign ----
# The first signatures prove the key (unlock), then the certificate, the
# CRL that goes with the bundle, the transcript's seal and the MANIFEST.
# Until the issuance is recorded nothing may be; after it, the certificate
# is issued (truthfully recorded) and the bundle is not written.
k=1
before_issue=0
after_issue=0
while [ $k -le 12 ]; do
	cp "$CA/journal" "$T/journal.before"
	fault "C_Sign:$k" "$OFFROOT" sign -d "$CA" -o "$T/out-$k" --csr "$T/int.csr" --allow-reissue \
	    --pin-file "$PIN" --yes --quiet
	[ "$rc" -eq 0 ] && break
	removed "sign, token removed at signature $k"
	grep -q ' FAULT$' "$T/calls"; ok $? "sign $k: the fault was injected"
	[ ! -e "$T/out-$k" ]; ok $? "sign $k: no bundle in OUTDIR"
	if cmp -s "$T/journal.before" "$CA/journal"; then
		before_issue=$((before_issue + 1))
		! errline | grep -q 'issued'; ok $? "sign $k: nothing issued, nothing said to be"
	else
		after_issue=$((after_issue + 1))
		like '1 certificate issued and recorded, but the bundle was not written' \
		    "$T/err" "sign $k: the error says the certificate was issued"
		grep -q ' issue ' "$CA/journal"; ok $? "sign $k: ... and the journal records it"
	fi
	consistent "sign $k" "$CA"
	k=$((k + 1))
done
signatures=$(calls C_Sign)
[ "$rc" -eq 0 ] && [ $before_issue -ge 3 ] && [ $after_issue -ge 2 ]
ok $? "sign: every signature failed once ($before_issue before the issuance, $after_issue after), then it went through"
# After a recorded issuance the bundle can be written again.
serial=$(sed -n 's/.* issue .* serial=\([0-9a-f]*\) .*/\1/p' "$CA/journal" | head -1)
t_ok "export writes the bundle of a certificate issued before the token was pulled" \
    "$OFFROOT" export -d "$CA" --serial "$serial" -o "$T/export-1" --pin-file "$PIN"
t_ok "the exported bundle verifies" "$OFFROOT" verify "$T/export-1" --root "$CA/root.crt"
# With a current CRL the last signature is the MANIFEST's.
cp "$CA/journal" "$T/journal.before"
fault "C_Sign:$signatures" "$OFFROOT" sign -d "$CA" -o "$T/out-manifest" --csr "$T/int.csr" --allow-reissue \
    --pin-file "$PIN" --yes --quiet
removed "sign, token removed at the MANIFEST's signature"
[ ! -e "$T/out-manifest" ]; ok $? "MANIFEST: no bundle in OUTDIR"
like 'the bundle was not written' "$T/err" "MANIFEST: the error says the bundle was not written"
consistent "MANIFEST" "$CA"
# The other ways a module fails, at the certificate's signature.
for f in C_SignInit:3:CKR_GENERAL_ERROR C_Sign:3:CKR_DEVICE_ERROR \
    C_Sign:3:CKR_TOKEN_NOT_PRESENT C_GetAttributeValue:1:CKR_DEVICE_REMOVED; do
	rv=${f##*:}
	cp "$CA/journal" "$T/journal.before"
	fault "${f%:*}" "$rv" "$OFFROOT" sign -d "$CA" -o "$T/out-x" --csr "$T/int.csr" --allow-reissue \
	    --pin-file "$PIN" --yes --quiet
	removed "sign, ${f%:*} fails"  "$rv"
	cmp -s "$T/journal.before" "$CA/journal"; ok $? "sign, ${f%:*} fails: the journal is unchanged"
	[ ! -e "$T/out-x" ]; ok $? "sign, ${f%:*} fails: no bundle"
done
consistent "after the module failures" "$CA"

# ---- the token pulled out at each signature of offroot crl ----
k=1
unsigned=0
while [ $k -le 8 ]; do
	cp "$CA/journal" "$T/journal.before"
	ls "$CA/crls" >"$T/crls.before"
	fault "C_Sign:$k" "$OFFROOT" crl -d "$CA" -o "$T/crl-$k.pem" --pin-file "$PIN" --quiet
	[ "$rc" -eq 0 ] && break
	removed "crl, token removed at signature $k"
	if [ -e "$T/crl-$k.pem" ]; then
		# Signed and recorded; only the transcript's seal failed.
		like "CRL number [0-9]+ was signed, written to .*crl-$k.pem and recorded, but its transcript was not sealed" \
		    "$T/err" "crl $k: the error says the CRL was written and recorded"
		run openssl crl -in "$T/crl-$k.pem" -noout -CAfile "$CA/root.crt"
		like 'verify OK' "$T/err" "crl $k: ... and it verifies"
	else
		unsigned=$((unsigned + 1))
		ls "$CA/crls" | cmp -s "$T/crls.before" -; ok $? "crl $k: no CRL in crls/"
		# At most the CRL number's reservation (numbers are never reused).
		! diff "$T/journal.before" "$CA/journal" | grep '^>' | grep -vq ' crl-number '
		ok $? "crl $k: the journal gained nothing but a CRL number's reservation"
	fi
	consistent "crl $k" "$CA"
	k=$((k + 1))
done
[ "$rc" -eq 0 ] && [ $unsigned -ge 3 ] && [ $k -ge 5 ]
ok $? "crl: every signature failed once ($unsigned before the CRL was signed), then it went through"

# ---- the token pulled out during init on the token ----
p11objs() {	# the token's own view, with OpenSC's pkcs11-tool
	pkcs11-tool --module "$MOD" --token-label root-ca --login --pin 4711-pin \
	    --list-objects --type privkey 2>/dev/null
}
init_fault() {	# init_fault NAME FN:N [RV]
	_name=$1; _f=$2; shift 2
	fault "$_f" "$@" "$OFFROOT" init -d "$T/ca-x" --subject "$SUBJ" --store pkcs11 \
	    --module "$SHIM" --token pkcs11:token=root-ca --key ec-p256 \
	    --label "fault-$_name" --pin-file "$PIN" --yes --quiet
}
nothing_written() {
	[ ! -e "$T/ca-x" ] && ! ls -a "$T" | grep -q '\.ca-x\.offroot-init'
	ok $? "$1: nothing written"
}
for f in C_Login:1 C_OpenSession:1 C_GenerateKeyPair:1; do
	init_fault "${f%:*}" "$f"
	removed "init, token removed at ${f%:*}"
	nothing_written "init, ${f%:*}"
done
p11objs | grep -q 'fault-C_GenerateKeyPair'; [ $? -ne 0 ]
ok $? "init: no key was made when the generation failed"
# After the key was generated: the token can no longer destroy it, so the
# warning must name it, and it must really be there.
for fn in C_Sign C_GetAttributeValue; do
	k=1; seen=0
	while [ $k -le 30 ]; do
		init_fault "$fn-$k" "$fn:$k"
		[ "$rc" -eq 0 ] && break
		removed "init, token removed at $fn $k"
		nothing_written "init, $fn $k"
		if grep -q 'could not be removed' "$T/err"; then
			id=$(sed -n 's/.*labelled "fault-'"$fn-$k"'" with id \([0-9a-f]\{32\}\).*/\1/p' "$T/err")
			[ -n "$id" ] && p11objs | grep -A3 "label: *fault-$fn-$k\$" | grep -q "ID: *$id"
			ok $? "init $fn $k: the warning names the key left on the token ($id)"
			grep -q 'could not be removed.*CKR_DEVICE_REMOVED' "$T/err"
			ok $? "init $fn $k: the warning names the token's reason"
			seen=$((seen + 1))
		fi
		k=$((k + 1))
	done
	[ "$rc" -eq 0 ] && [ $seen -ge 1 ]
	ok $? "init: every $fn call failed once ($((k - 1)) runs, $seen left a key it named), then init went through"
	rm -rf "$T/ca-x"
done

# ---- PIN states the token reports ----
cp "$CA/journal" "$T/journal.before"
rm -f "$T/calls"
P11SHIM_TOKEN_FLAGS=count-low run "$OFFROOT" tokens --module "$SHIM"
like 'PIN-count-low' "$T/out" "tokens shows PIN-count-low"
P11SHIM_TOKEN_FLAGS=count-low run "$OFFROOT" check-key -d "$CA" --pin-file "$PIN"
ok $rc "PIN-count-low: check-key still works"
like '^offroot: warning: token "root-ca" reports failed PIN attempts \(PIN-count-low\): a few more wrong PINs lock it' \
    "$T/err" "PIN-count-low: a warning that says the token is close to locking"
# The warning comes before the login: with a wrong PIN, before its error.
P11SHIM_TOKEN_FLAGS=count-low P11SHIM_LOGIN_RV=CKR_PIN_INCORRECT \
    run "$OFFROOT" check-key -d "$CA" --pin-file "$PIN"
[ "$rc" -eq 1 ] && head -1 "$T/err" | grep -q 'PIN-count-low' &&
    sed -n 2p "$T/err" | grep -q 'CKR_PIN_INCORRECT'
ok $? "PIN-count-low: the warning comes before the login's answer"

# Final try: no PIN without the officer's word.
rm -f "$T/calls"
P11SHIM_TOKEN_FLAGS=final-try run "$OFFROOT" check-key -d "$CA" --pin-file "$PIN"
[ "$rc" -eq 1 ]; ok $? "final try: check-key without a confirmation exits 1"
like '^offroot: warning: token "root-ca" has ONE PIN attempt left \(PIN-final-try\): a wrong PIN now locks it' \
    "$T/err" "final try: the warning says a wrong PIN locks the token"
like 'no PIN is tried on it without the officer.s confirmation' "$T/err" \
    "final try: the refusal says why"
[ "$(errline | grep -c '')" -eq 1 ]; ok $? "final try: one line of error"
[ "$(calls C_Login)" -eq 0 ]; ok $? "final try: no login was attempted"
if command -v script >/dev/null 2>&1; then
	# On a terminal the officer is asked; "n" keeps the last attempt.
	rm -f "$T/calls"
	printf 'n\n' | P11SHIM_TOKEN_FLAGS=final-try script -qec \
	    "'$OFFROOT' check-key -d '$CA' --pin-file '$PIN'" /dev/null >"$T/tty.out" 2>&1
	rc=$?
	[ "$rc" -eq 1 ] && grep -q 'one PIN attempt left and a wrong PIN locks it. Try the PIN now?' "$T/tty.out" &&
	    grep -q 'chose not to spend its final PIN attempt' "$T/tty.out" && [ "$(calls C_Login)" -eq 0 ]
	ok $? "final try: asked on the terminal, \"n\" keeps the attempt (exit 1, no login)"
	[ $? -eq 0 ] || diag "exit $rc: $(cat "$T/tty.out")"
	rm -f "$T/calls"
	printf 'y\n' | P11SHIM_TOKEN_FLAGS=final-try script -qec \
	    "'$OFFROOT' check-key -d '$CA' --pin-file '$PIN'" /dev/null >"$T/tty.out" 2>&1
	[ $? -eq 0 ] && [ "$(calls C_Login)" -eq 1 ]
	ok $? "final try: \"y\" on the terminal spends it"
	# A wrong PIN typed on the terminal is asked again, the prompt saying
	# why and the tries left; the right one then works.  (The terminal
	# drops what is typed ahead of a secret prompt: hence the pauses.)
	rm -f "$T/calls"
	{ sleep 2; printf 'not-the-pin-0\n'; sleep 3; head -1 "$PIN"; sleep 1; } |
	    script -qec "'$OFFROOT' check-key -d '$CA'" /dev/null >"$T/tty.out" 2>&1
	rc=$?
	[ "$rc" -eq 0 ] && [ "$(calls C_Login)" -eq 2 ] &&
	    grep -q 'Wrong PIN (.*CKR_PIN_INCORRECT.*), 2 tries left\. PIN for token "root-ca"' "$T/tty.out"
	ok $? "a wrong PIN on the terminal is asked again (\"Wrong PIN (...), 2 tries left\"); the right one works"
	[ $? -eq 0 ] || diag "exit $rc, $(calls C_Login) logins: $(cat "$T/tty.out")"
fi
rm -f "$T/calls"
P11SHIM_TOKEN_FLAGS=final-try run "$OFFROOT" sign -d "$CA" -o "$T/out-final" \
    --csr "$T/int.csr" --allow-reissue --pin-file "$PIN" --yes --quiet
[ "$rc" -eq 0 ] && [ "$(calls C_Login)" -eq 1 ]
ok $? "final try: sign --yes is the officer's word, and logs in"
like 'has ONE PIN attempt left' "$T/err" "final try: sign --yes still warns"
# Every other command that unlocks a token key takes the same word: --yes,
# which for them answers only the final-try question.  Without it and
# without a terminal (a new session has none), nothing is tried or written.
notty=
command -v setsid >/dev/null 2>&1 && notty="setsid -w"
for c in crl check-key ocsp export tokens; do
	out=
	case $c in
	crl)	out="$T/final-crl.pem"; set -- crl -d "$CA" -o "$out" ;;
	check-key) set -- check-key -d "$CA" ;;
	ocsp)	out="$T/final-ocsp.der"; set -- ocsp -d "$CA" --serial "$serial" -o "$out" ;;
	export)	out="$T/final-export"; set -- export -d "$CA" --serial "$serial" -o "$out" ;;
	tokens)	set -- tokens --module "$SHIM" --token pkcs11:token=root-ca --login ;;
	esac
	cp "$CA/journal" "$T/journal.before"
	rm -f "$T/calls"
	run env P11SHIM_TOKEN_FLAGS=final-try $notty "$OFFROOT" "$@" --pin-file "$PIN"
	[ "$rc" -eq 1 ] && [ "$(calls C_Login)" -eq 0 ] &&
	    [ "$(errline | grep -c '^offroot: ')" -eq 1 ] &&
	    grep -q 'no PIN is tried on it without the officer.s confirmation' "$T/err"
	r=$?; ok $r "final try: $c without --yes and without a terminal exits 1, no login"
	[ $r -eq 0 ] || diag "exit $rc, $(calls C_Login) logins: $(cat "$T/err")"
	cmp -s "$T/journal.before" "$CA/journal" && { [ -z "$out" ] || [ ! -e "$out" ]; }
	ok $? "final try: $c without --yes wrote nothing"
	rm -f "$T/calls"
	run env P11SHIM_TOKEN_FLAGS=final-try $notty "$OFFROOT" "$@" --pin-file "$PIN" --yes
	[ "$rc" -eq 0 ] && [ "$(calls C_Login)" -eq 1 ] &&
	    grep -q 'has ONE PIN attempt left' "$T/err" && { [ -z "$out" ] || [ -s "$out" ]; }
	r=$?; ok $r "final try: $c --yes is the officer's word: it warns, logs in once and works"
	[ $r -eq 0 ] || diag "exit $rc, $(calls C_Login) logins: $(cat "$T/err")"
done
like 'private key "' "$T/out" "final try: tokens --login --yes lists the private key"
t_fail "tokens: --yes without --login is a usage error" 2 \
    "$OFFROOT" tokens --module "$SHIM" --yes
like 'tokens: --yes is for --login' "$T/err" "... which says --yes is for --login"

# Locked: refused before any login.
rm -f "$T/calls"
P11SHIM_TOKEN_FLAGS=locked run "$OFFROOT" tokens --module "$SHIM"
like 'PIN-LOCKED' "$T/out" "tokens shows PIN-LOCKED"
cp "$CA/journal" "$T/journal.before"
rm -f "$T/calls"
P11SHIM_TOKEN_FLAGS=locked run "$OFFROOT" sign -d "$CA" -o "$T/out-locked" \
    --csr "$T/int.csr" --allow-reissue --pin-file "$PIN" --yes --quiet
[ "$rc" -eq 1 ] && [ "$(errline | grep -c '')" -eq 1 ]
ok $? "locked: sign exits 1 with one line"
like 'the user PIN of token "root-ca" is locked: it must be reset with the SO PIN' \
    "$T/err" "locked: the error says so and what to do"
[ "$(calls C_Login)" -eq 0 ]; ok $? "locked: no login was attempted"
# A token that only says so when the login is tried.
P11SHIM_LOGIN_RV=CKR_PIN_LOCKED run "$OFFROOT" sign -d "$CA" -o "$T/out-locked" \
    --csr "$T/int.csr" --allow-reissue --pin-file "$PIN" --yes --quiet
[ "$rc" -eq 1 ] && [ "$(errline | grep -c '')" -eq 1 ]
ok $? "a login answered CKR_PIN_LOCKED: exit 1, one line"
like 'logging in: .*\(CKR_PIN_LOCKED\)' "$T/err" "... naming the token's reason"
P11SHIM_TOKEN_FLAGS=locked run "$OFFROOT" init -d "$T/ca-x" --subject "$SUBJ" \
    --store pkcs11 --module "$SHIM" --token pkcs11:token=root-ca --label locked \
    --pin-file "$PIN" --yes --quiet
[ "$rc" -eq 1 ]; ok $? "locked: init exits 1"
nothing_written "locked: init"
cmp -s "$T/journal.before" "$CA/journal"; ok $? "no refused login wrote to the journal"
[ ! -e "$T/out-locked" ]; ok $? "no refused login wrote a bundle"
consistent "at the end" "$CA"

# ---- a ceremony whose token is pulled out, then resumed ----
cat >"$T/answers" <<'E'
participant: Ceremony Administrator = Alice Admin
participant: Internal Witness = Bob Witness
participant: Crypto Officer 1 = Carol Officer
confirm-all: yes
override airgap: a test machine, not air-gapped
E
sed -e 's/^param: profile = root$/param: profile = root\nparam: store = pkcs11\nparam: label = ceremony-fault/' \
    "$ROOT/ceremony-scripts/root.ceremony" >"$T/token.ceremony"
mkdir -p "$T/media"
# generate-root signs four times (the key's self-test, the certificate,
# the proof against it, the init transcript's seal); check-key's unlock
# signs twice (the self-test, the proof against root.crt): the sixth
# signature fails after the root exists.
fault C_Sign:6 "$OFFROOT" ceremony "$T/token.ceremony" -d "$T/cer" --media "$T/media" \
    --token pkcs11:token=root-ca --module "$SHIM" --pin-file "$PIN" --answers "$T/answers" --quiet
removed "ceremony, token removed after the root was made"
like '^offroot: step 5 \(check-key\): token "root-ca"' "$T/err" \
    "ceremony: the error names the step"
like 'the ceremony stopped; its transcript .* stays open' "$T/err" \
    "ceremony: the transcript stays open for a resume"
t_ok "ceremony: audit passes with the interrupted ceremony" "$OFFROOT" audit -d "$T/cer"
{ cat "$T/answers"; echo "resume: yes"; } >"$T/answers-resume"
rm -f "$T/calls"
t_ok "ceremony: resumed with the token back" "$OFFROOT" ceremony "$T/token.ceremony" \
    -d "$T/cer" --media "$T/media" --token pkcs11:token=root-ca --module "$SHIM" \
    --pin-file "$PIN" --answers "$T/answers-resume" --quiet
[ "$(calls C_GenerateKeyPair)" -eq 0 ]; ok $? "ceremony: the resume generated no second key"
t_ok "ceremony: audit passes after the resume" "$OFFROOT" audit -d "$T/cer"
done_testing
