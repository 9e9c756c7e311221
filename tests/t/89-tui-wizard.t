#!/bin/sh
# The TUI's root wizard offers what offroot init offers, and the CSRs come
# from the medium (issue 13, items 9 and 11), driven by keystrokes in tmux
# at 80x24 with TERM=linux:
#   - a root on the Kubernetes profile set under a 2-of-3 quorum: the
#     profile sets by description, the profile, the key type, the store,
#     then a preview of validity, path length and key usage before
#     anything is made; no goes back to the form, which keeps its answers,
#     and Esc walks the form back a question at a time;
#     the root made has the profile's pathlen and validity (openssl);
#   - "Sign CSRs" lists the medium's CSRs (two, and a malformed file shown
#     as unreadable with its reason, refused when chosen), and checks the
#     choice before asking for the bundle folder, which is on the medium;
#   - the shipped intermediate.ceremony signs a Vault-named pki_int.csr.
. "$(dirname "$0")/../lib.sh"
secret='correct horse battery staple'	# $PASS: new_ca's passphrase
. "$ROOT/tests/tui.sh"
K8S="$ROOT/ceremony-scripts/kubernetes/profiles.cnf"
keep() { pane; cat "$T/screen" >>"$SEEN"; }
vaultcsr() {	# vaultcsr FILE CN
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -keyout "$T/k.key" -subj "/CN=$2" -out "$1" 2>/dev/null
}

# ---- the root wizard: Kubernetes profiles, a 2-of-3 quorum --------------
mkdir -p "$T/o1" "$T/o2" "$T/o3"
# form: one pass of the wizard's form, up to its preview.
form() {
	waitfor 'Subject of the root' >/dev/null && type_in "$1"
	waitfor 'CRL URL: where relying parties' >/dev/null && type_in "$2"
	waitfor 'CA issuers URL' >/dev/null && press Enter
	waitfor 'Profile set: what the root' >/dev/null && keep && press Enter
	waitfor 'Profile of the root certificate' >/dev/null && keep && press Enter
	waitfor 'Key type of the root' >/dev/null && press Enter
	waitfor 'Where the root key is kept' >/dev/null && keep && keys 2 Enter
	waitfor 'Officer quorum M/N' >/dev/null && type_in 2/3
	for i in 1 2 3; do
		waitfor "New officer $i of 3: insert" >/dev/null && type_in "$T/o$i"
	done
	waitfor 'How hard' >/dev/null && keys 3 Enter
}
start 80 24 linux "'$OFFROOT' tui -d '$T/ca'"
waitfor 'Create a root CA in'; ok $? "a folder without a CA offers to create one"
keys Enter
form "/C=DE/O=offroot tests/CN=Wizard Root" "http://crl.wizard.test/root.crl"
waitfor 'The root that will be made'; ok $? "the wizard shows the root that will be made"
keep
grep -q 'Kubernetes reference hierarchy (kubernetes/profiles.cnf)' "$SEEN"
ok $? "the profile sets are offered by their description"
grep -q 'Built-in CA/B Forum profiles (web PKI: 10 years, no pathlen)' "$SEEN"
ok $? "... and the built-in CA/B Forum profiles, saying what they make"
grep -q 'root (365 days, pathlen 2): Kubernetes reference' "$SEEN"
ok $? "the set's profiles are offered with their validity and path length"
grep -q '2) A sealed file under an M-of-N officer quorum' "$SEEN"
ok $? "the key stores are offered: sealed, quorum, token"
like 'validity: +365 days from now \(until [0-9]{4}-[0-9]{2}-[0-9]{2}\)' "$T/screen" "the preview shows the validity"
like 'path length: +2' "$T/screen" "... the path length"
like 'key usage: +critical,keyCertSign,cRLSign' "$T/screen" "... the key usage"
flatpane | grep -qF 'asealedfileundera2/3officerquorum'; ok $? "... and the key store"
press Enter
waitfor 'Create this root in' >/dev/null
waitcond 'boxflat | grep -q "?(no:backtotheform)"'; ok $? "then the officer is asked to create it"
press n
waitfor 'Subject of the root' >/dev/null
waitcond 'boxflat | grep -q "Enter:keep/C=DE/O=offroottests/CN=WizardRoot"'
ok $? "no goes back to the form, which offers the earlier subject"
[ ! -e "$T/ca" ] && [ -z "$(ls "$T/o1")" ]; ok $? "nothing was made"
# Enter keeps the subject and the CRL URL.
press Enter
waitfor 'CRL URL: where relying parties' >/dev/null
waitcond 'boxflat | grep -q "Enter:keephttp://crl.wizard.test/root.crl;none:clearit"'
ok $? "... and the earlier CRL URL, or none to clear it"
press Enter
waitfor 'CA issuers URL' >/dev/null && press Enter
waitfor 'Profile set: what the root' >/dev/null && press Enter
waitfor 'Profile of the root certificate' >/dev/null && press Enter
waitfor 'Key type of the root' >/dev/null
like 'Esc: back to the previous question' "$T/screen" "the key type question offers Back"
# Back (issue 13, item 6): Esc walks the form back a question at a time.
press Escape
waitcond 'boxflat | grep -q "Profileoftherootcertificate"'
ok $? "Esc at the key type goes back to the profile"
press Escape
waitcond 'boxflat | grep -q "Profileset:whattheroot"'
ok $? "... Esc again to the profile set"
press Escape
waitcond 'boxflat | grep -q "CAissuersURL"'
ok $? "... and again to the CA issuers URL"
press Escape
waitcond 'boxflat | grep -q "Enter:keephttp://crl.wizard.test/root.crl"'
ok $? "... and to the CRL URL, its answer kept"
press Enter
waitcond 'boxflat | grep -q "CAissuersURL"' && press Enter
waitcond 'boxflat | grep -q "Profileset:whattheroot"' && press Enter
waitcond 'boxflat | grep -q "Profileoftherootcertificate"' && press Enter
waitcond 'boxflat | grep -q "Keytypeoftheroot"' && press Enter
waitfor 'Where the root key is kept' >/dev/null && keys 2 Enter
waitfor 'Officer quorum M/N' >/dev/null && press Escape
waitcond 'boxflat | grep -q "Wheretherootkeyiskept"'
ok $? "Esc at the quorum goes back to the key store"
[ ! -e "$T/ca" ] && [ -z "$(ls "$T/o1")" ]; ok $? "going back made nothing"
keys 2 Enter
waitfor 'Officer quorum M/N' >/dev/null && type_in 2/3
for i in 1 2 3; do
	waitfor "New officer $i of 3: insert" >/dev/null && type_in "$T/o$i"
done
waitfor 'How hard' >/dev/null && keys 3 Enter
waitfor 'The root that will be made' >/dev/null && press Enter
waitfor 'Create this root in' >/dev/null && press y
answer() {
	if grep -q 'new passphrase for share\|(again)' "$T/screen"; then
		echo "new passphrase" >>"$T/asked"
		type_secret "wizard officer passphrase"
	else
		answer_common
	fi
}
drive; ok $? "the root is made after the officers' passphrases"
grep -q 'fingerprint of root.crt' "$SEEN"; ok $? "the new root's fingerprint is shown"
keys Enter
waitfor 'offroot  home' >/dev/null
keys q
waitfor 'EXIT=0' >/dev/null
tmux kill-session -t "=$S" 2>/dev/null
t_ok "the wizard's root passes openssl verify -x509_strict" \
    openssl verify -x509_strict -CAfile "$T/ca/root.crt" "$T/ca/root.crt"
openssl x509 -in "$T/ca/root.crt" -noout -ext basicConstraints 2>/dev/null | grep -q 'CA:TRUE, pathlen:2'
ok $? "the root's basicConstraints are the Kubernetes root profile's: pathlen 2"
$PY - "$T/ca/root.crt" <<'E'
import sys, datetime
from cryptography import x509
c = x509.load_pem_x509_certificate(open(sys.argv[1], "rb").read())
d = c.not_valid_after - c.not_valid_before
sys.exit(0 if d == datetime.timedelta(days=365, seconds=-1) else 1)
E
ok $? "its validity is the profile's 365 days"
[ "$(ls "$T/o1" "$T/o2" "$T/o3" | grep -c '\.share$')" -eq 3 ]
ok $? "each officer's medium holds a share"
grep -q 'quorum' "$T/ca/journal"; ok $? "the journal records the quorum"
t_ok "the CA passes audit" "$OFFROOT" audit -d "$T/ca"

# ---- a root on a token offroot tokens finds (SoftHSM2) -----------------
tokpin='5150-pin'
if command -v softhsm2-util >/dev/null 2>&1 &&
    sh "$ROOT/hsm/softhsm-setup" "$T/hsm" wiz-ca "$tokpin" 87654321 >"$T/out" 2>"$T/err"; then
	start 80 24 linux "SOFTHSM2_CONF='$T/hsm/softhsm2.conf' '$OFFROOT' tui -d '$T/tokca'"
	waitfor 'Create a root CA in' >/dev/null && keys Enter
	waitfor 'Subject of the root' >/dev/null && type_in "/C=DE/O=offroot tests/CN=Wizard Token Root"
	waitfor 'CRL URL: where relying parties' >/dev/null && press Enter
	waitfor 'CA issuers URL' >/dev/null && press Enter
	waitfor 'Profile set: what the root' >/dev/null && press Enter
	waitfor 'Profile of the root certificate' >/dev/null && press Enter
	waitfor 'Key type of the root' >/dev/null && keys 2 Enter
	waitfor 'Where the root key is kept' >/dev/null && keys 3 Enter
	waitfor 'The token that generates and keeps the key'
	ok $? "a token store lists the tokens offroot tokens sees"
	keep
	n=$(grep -o '[0-9]) wiz-ca' "$T/screen" | head -1 | cut -c1)
	[ -n "$n" ]; ok $? "the SoftHSM2 token is listed by its label"
	keys "${n:-1}" Enter
	waitfor 'The root that will be made' >/dev/null
	flatpane | grep -q 'keystore:generatedonthetoken' &&
	    flatpane | grep -q 'token=wiz-ca,labeloffroot-root'
	ok $? "the preview names the token and the key's label"
	drive 'grep -q "Create this root" "$T/screen"' >/dev/null
	press y
	drive; ok $? "the root is made on the token"
	keys Enter
	waitfor 'offroot  home' >/dev/null
	keys q
	waitfor 'EXIT=0' >/dev/null
	tmux kill-session -t "=$S" 2>/dev/null
	t_ok "the token root passes openssl verify -x509_strict" \
	    openssl verify -x509_strict -CAfile "$T/tokca/root.crt" "$T/tokca/root.crt"
	grep -q ' init .*store=pkcs11' "$T/tokca/journal"; ok $? "the journal records the key on the token"
	openssl x509 -in "$T/tokca/root.crt" -noout -ext basicConstraints 2>/dev/null | grep -q 'pathlen:2'
	ok $? "... with the Kubernetes root profile (pathlen 2)"
else
	diag "SoftHSM2 is not usable here: the token store is not exercised"
fi

# ---- Sign CSRs: the medium's list, a malformed file --------------------
new_ca "$T/ca2" --profiles "$K8S"; ok $? "a CA for signing"
M="$T/media"; mkdir -p "$M"
vaultcsr "$M/pki_int.csr" "Vault pki_int"; vaultcsr "$M/other.csr" "Other Intermediate"
printf -- '-----BEGIN CERTIFICATE REQUEST-----\nnot base64 at all\n-----END CERTIFICATE REQUEST-----\n' >"$M/broken.csr"
start 80 24 linux "cd '$T' && '$OFFROOT' tui -d '$T/ca2' --media '$M'"
waitfor 'Sign CSRs brought on media' >/dev/null && keys Enter
waitfor 'CSRs on the medium'; ok $? "Sign CSRs asks for CSRs on the medium"
press Enter
waitfor 'which CSR on the medium'; ok $? "Enter alone lists the medium's CSRs"
keep
like '1\) broken\.csr +UNREADABLE: ' "$T/screen" "the malformed file is listed as unreadable, with the reason"
like '3\) pki_int\.csr +ec-p256 +[0-9a-f]{16} +CN=Vault pki_int' "$T/screen" "a CSR is listed with its key type, SHA-256 and subject"
keys 1 Enter
waitfor 'not valid base64'; ok $? "choosing the malformed file is refused with the reason"
waitfor 'which CSR on the medium' >/dev/null
keys 3 Enter
waitfor "New folder for the signed bundle \\(on the medium"; ok $? "the choice is checked, then the bundle folder on the medium is asked"
# Back: Esc at the bundle folder goes back to the CSRs, nothing signed.
like 'Esc: back to the previous question' "$T/screen" "the bundle folder question offers Back"
press Escape
waitcond 'boxflat | grep -q "CSRsonthemedium"'; ok $? "Esc at the bundle folder goes back to the CSRs"
[ "$(grep -c ' issue ' "$T/ca2/journal")" -eq 0 ]; ok $? "nothing was signed"
type_in pki_int.csr
waitfor "New folder for the signed bundle \\(on the medium" >/dev/null
type_in vault-bundle
drive; ok $? "the CSR is reviewed and signed"
keys Enter
waitfor 'offroot  home' >/dev/null
keys q
waitfor 'EXIT=0' >/dev/null
tmux kill-session -t "=$S" 2>/dev/null
t_ok "the bundle is on the medium and verifies (openssl verify -x509_strict)" \
    openssl verify -x509_strict -CAfile "$T/ca2/root.crt" "$M/vault-bundle/certificate.pem"
[ "$(openssl x509 -in "$M/vault-bundle/certificate.pem" -noout -subject)" = "subject=CN = Vault pki_int" ]
ok $? "it is pki_int.csr's certificate"
[ ! -e "$T/vault-bundle" ]; ok $? "nothing was written to the folder offroot started in"

# ---- intermediate.ceremony with a Vault-named pki_int.csr ---------------
M2="$T/media2"; mkdir -p "$M2"; vaultcsr "$M2/pki_int.csr" "Vault pki_int 2"
start 80 24 linux "cd '$ROOT' && '$OFFROOT' ceremony ceremony-scripts/intermediate.ceremony -d '$T/ca2' --media '$M2'"
waitfor 'Pre-flight checks'; ok $? "intermediate.ceremony opens in the TUI"
answer() { answer_common; }
drive; ok $? "intermediate.ceremony driven to its end with pki_int.csr on the medium"
like 'Done' "$T/screen" "it finished successfully"
grep -q ' csr-chosen .*step=4 .*csr=\*.csr .*file=pki_int.csr .*how=only%20match' \
    "$(ls -t "$T/ca2/transcripts/"*-ceremony-*.log | head -1)"
ok $? "the transcript records the file the pattern matched"
keys Enter
waitfor 'EXIT=0' >/dev/null
tmux kill-session -t "=$S" 2>/dev/null
t_ok "the Vault intermediate verifies (openssl verify -x509_strict)" \
    openssl verify -x509_strict -CAfile "$T/ca2/root.crt" "$M2/intermediate-bundle/certificate.pem"
[ "$(openssl x509 -in "$M2/intermediate-bundle/certificate.pem" -noout -subject)" = "subject=CN = Vault pki_int 2" ]
ok $? "it is pki_int.csr's certificate"
! grep -q "$secret" "$SEEN"; ok $? "no passphrase ever showed on screen"
done_testing
