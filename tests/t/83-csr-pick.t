#!/bin/sh
# CSRs chosen on the day (csrpick.h): the shipped intermediate.ceremony
# takes the medium's one *.csr whatever its name (Vault's pki_int.csr);
# several are listed and an answers file names the choice; a malformed
# file is listed as unreadable, never signed; no match names the pattern
# and the medium.  Batch runs, checked in the transcript and with openssl.
. "$(dirname "$0")/../lib.sh"

SCRIPTS="$ROOT/ceremony-scripts"
INT="$SCRIPTS/intermediate.ceremony"
CA="$T/ca"
new_ca "$CA" --profiles "$SCRIPTS/kubernetes/profiles.cnf"
ok $? "a CA on the Kubernetes profiles"
cat >"$T/answers" <<'E'
participant: Ceremony Administrator = Alice Admin
participant: Internal Witness = Bob Witness
participant: Crypto Officer 1 = Carol Officer
confirm-all: yes
override airgap: tests run on a networked machine
E
vaultcsr() {	# vaultcsr FILE CN
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -keyout "$T/k.key" -subj "/CN=$2" -out "$1" 2>/dev/null
}
cer() {	# cer MEDIA ANSWERS
	"$OFFROOT" ceremony "$INT" -d "$CA" --media "$1" --answers "$2" \
	    --passphrase-file "$PASS"
}
last_tr() { ls -t "$CA/transcripts/"*-ceremony-*.log | head -1; }

# 1. A Vault-named pki_int.csr, the only *.csr on the medium.
M1="$T/m1"; mkdir -p "$M1"; vaultcsr "$M1/pki_int.csr" "Vault pki_int"
t_ok "intermediate.ceremony signs the medium's only CSR, Vault's pki_int.csr" cer "$M1" "$T/answers"
like 'step 4: "\*.csr" matches one file on the medium: pki_int.csr' "$T/err" "it says which file the pattern matched"
grep -q ' csr-chosen .*step=4 .*csr=\*.csr .*file=pki_int.csr .*how=only%20match' "$(last_tr)"
ok $? "the transcript records the pattern and the file it matched"
openssl verify -x509_strict -CAfile "$CA/root.crt" "$M1/intermediate-bundle/certificate.pem" >/dev/null 2>&1
ok $? "openssl verify -x509_strict accepts the certificate"
[ "$(openssl x509 -in "$M1/intermediate-bundle/certificate.pem" -noout -subject)" = "subject=CN = Vault pki_int" ]
ok $? "the certificate is pki_int.csr's subject"

# 2. Two CSRs and a malformed file: a list; the answers file names one.
M2="$T/m2"; mkdir -p "$M2"
vaultcsr "$M2/a-int.csr" "Intermediate A"; vaultcsr "$M2/b-int.csr" "Intermediate B"
printf -- '-----BEGIN CERTIFICATE REQUEST-----\nnot base64 at all\n-----END CERTIFICATE REQUEST-----\n' >"$M2/broken.csr"
t_fail "several matches and no choice in the answers file: refused, nothing signed" 3 cer "$M2" "$T/answers"
like 'does not answer "step 4: which CSR on the medium' "$T/err" "it says the answers file does not name the choice"
[ ! -e "$M2/intermediate-bundle" ]; ok $? "no bundle was written"
{ cat "$T/answers"; echo "choose 4: b-*"; } >"$T/answers-b"
t_ok "choose 4: b-* (a pattern matching one option) signs b-int.csr" cer "$M2" "$T/answers-b"
like 'broken.csr  UNREADABLE: ' "$T/err" "the list shows the malformed file as unreadable, with the reason"
like 'b-int.csr  ec-p256  [0-9a-f]{16}  CN=Intermediate B' "$T/err" "each CSR is listed with key type, SHA-256 and subject"
[ "$(openssl x509 -in "$M2/intermediate-bundle/certificate.pem" -noout -subject)" = "subject=CN = Intermediate B" ]
ok $? "the bundle holds Intermediate B"
grep -q ' csr-chosen .*step=4 .*file=b-int.csr .*how=chosen' "$(last_tr)"
ok $? "the transcript records the officer's choice"
# A fresh medium with the same files: the bundle folder is the journal's.
M2="$T/m2b"; mkdir -p "$M2"; cp "$T/m2/"*.csr "$M2/"
{ cat "$T/answers"; echo "choose 4: *-int.csr"; } >"$T/answers-two"
t_fail "a choice that matches two options is refused" 1 cer "$M2" "$T/answers-two"
like '"\*-int.csr" matches several of the' "$T/err" "it says the choice is ambiguous"
{ cat "$T/answers"; echo "choose 4: broken.csr"; } >"$T/answers-broken"
t_fail "choosing the malformed file signs nothing" 3 cer "$M2" "$T/answers-broken"
like 'broken.csr cannot be signed: ' "$T/err" "it says why the file cannot be signed"
[ ! -e "$M2/intermediate-bundle" ]; ok $? "no bundle was written"

# 3. No CSR on the medium: the pattern and the medium are named.
M3="$T/m3"; mkdir -p "$M3"; vaultcsr "$M3/request.pem" "Not matched"
# (ceremony-media.c asks about what the step reads before anything else:
# a pattern counts as there when a file matches it.)
t_fail "no *.csr on the medium: refused with the pattern and the medium" 3 cer "$M3" "$T/answers"
like "the medium $M3 does not hold what this step reads: \\*\\.csr \\(step 4\\)" "$T/err" \
    "the message names the pattern and the medium"

# 4. script check: choose and patterns are accepted, a pattern in a folder
# part is not.
sed 's/^param: csr = .*/param: csr = choose/' "$INT" >"$T/choose.ceremony"
t_ok "script check accepts csr = choose" "$OFFROOT" script check "$T/choose.ceremony"
sed 's|^param: csr = .*|param: csr = in/x?.req, named.csr|' "$INT" >"$T/pat.ceremony"
t_ok "script check accepts a pattern in a folder and a name" "$OFFROOT" script check "$T/pat.ceremony"
sed 's|^param: csr = .*|param: csr = */x.csr|' "$INT" >"$T/bad.ceremony"
t_fail "script check refuses a pattern in a folder name" 1 "$OFFROOT" script check "$T/bad.ceremony"
like 'must be a relative name on the media, a pattern .\*.csr. or choose' "$T/err" "and says what is allowed"

# 5. choose: the list of the medium's CSRs, even for one.
sed 's/^param: csr = .*/param: csr = choose/' "$INT" >"$T/choose2.ceremony"
M5="$T/m5"; mkdir -p "$M5"; vaultcsr "$M5/req.pem" "From a pem"
echo "hello" >"$M5/notes.txt"
{ cat "$T/answers"; echo "choose 4: 1"; } >"$T/answers-1"
t_ok "csr = choose lists a CSR of any name (req.pem) and signs the one chosen" \
    "$OFFROOT" ceremony "$T/choose2.ceremony" -d "$CA" --media "$M5" \
    --answers "$T/answers-1" --passphrase-file "$PASS"
! grep -q 'notes.txt' "$T/err"; ok $? "a file that is not a CSR (notes.txt) is not listed"
[ "$(openssl x509 -in "$M5/intermediate-bundle/certificate.pem" -noout -subject)" = "subject=CN = From a pem" ]
ok $? "the bundle holds req.pem's certificate"

# 6. A step stopped after the choice (the witness's no to the CSR's
# SHA-256): run again, it takes the file chosen before (its csr-chosen
# record, same bytes) without asking, and signs it.
M6="$T/m6"; mkdir -p "$M6"
vaultcsr "$M6/c-int.csr" "Intermediate C"; vaultcsr "$M6/d-int.csr" "Intermediate D"
{ echo "confirm 4: no"; echo "choose 4: d-*"; cat "$T/answers"; } >"$T/answers-d"
t_fail "the witness's no stops the step after the choice" 1 cer "$M6" "$T/answers-d"
like 'did not confirm the SHA-256 of d-int.csr' "$T/err" "the step stopped on d-int.csr"
{ cat "$T/answers"; echo "resume: yes"; } >"$T/answers-resume"
t_ok "the resume finishes without a choice in the answers file" cer "$M6" "$T/answers-resume"
like 'step 4: "\*.csr" is d-int.csr, as taken before the interruption' "$T/err" \
    "it takes the file chosen before"
[ "$(openssl x509 -in "$M6/intermediate-bundle/certificate.pem" -noout -subject)" = "subject=CN = Intermediate D" ]
ok $? "the bundle holds the certificate of the CSR chosen first"
# The same, but the chosen file changed on the medium: asked again.
M7="$T/m7"; mkdir -p "$M7"
vaultcsr "$M7/c-int.csr" "Intermediate E"; vaultcsr "$M7/d-int.csr" "Intermediate F"
t_fail "a no again stops the step" 1 cer "$M7" "$T/answers-d"
vaultcsr "$M7/d-int.csr" "Intermediate F2"
t_fail "the chosen file changed: the resume asks again (the answers file has no choice)" 3 \
    cer "$M7" "$T/answers-resume"
like 'd-int.csr changed since it was taken for "\*.csr" before the interruption' "$T/err" \
    "it says the file changed"
t_ok "audit accepts the CA" "$OFFROOT" audit -d "$CA"
done_testing
