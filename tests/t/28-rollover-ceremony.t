#!/bin/sh
# rollover.ceremony (issue 14) in batch with the shipped answers: the
# current root's key is unlocked before the new root is made; the new
# root (root-g2, beside the CA directory) is previewed, confirmed and
# cross-signed by the current root; the Vault intermediate is re-signed by
# the new root from a fresh CSR (its SHA-256 confirmed before); the
# transition export is written and its fingerprint confirmed.  The
# transcript records it all in that order; both CAs audit; the artefacts
# verify with openssl, certtool and Python cryptography.  script check
# refuses a rollover in a root-creating ceremony, a second rollover, and
# signing by the successor or exporting the transition before a rollover.
. "$(dirname "$0")/../lib.sh"
K8S="$ROOT/ceremony-scripts/kubernetes/profiles.cnf"
SCRIPTS="$ROOT/ceremony-scripts"

t_ok "script check: rollover.ceremony" "$OFFROOT" script check "$SCRIPTS/rollover.ceremony"
run "$OFFROOT" script print "$SCRIPTS/rollover.ceremony"
like 'New root certificate fingerprint' "$T/out" "the printout has blanks for the new root's fingerprint"

# The checker: what a rollover needs comes first, once, in an existing CA.
bad() {	# bad NAME PATTERN: $T/bad.ceremony is refused, naming PATTERN
	t_fail "script check refuses $1" 1 "$OFFROOT" script check "$T/bad.ceremony"
	like "$2" "$T/err" "... $2"
}
# mk STEPS...: a script of a participants step, then the steps given (each
# a printf format ending in a blank line).
mk() {
	printf 'offroot-ceremony 1\nname: t\nversion: 1\nrole: Admin\n\n' >"$T/bad.ceremony"
	printf 'step 1: Participants\nrole: Admin\naction: participants\n\n' >>"$T/bad.ceremony"
	for _s in "$@"; do printf "$_s" >>"$T/bad.ceremony"; done
}
# roll N NEW FOLDER: a rollover step
roll() { printf '%s' "step $1: Roll\nrole: Admin\naction: rollover\nparam: new_ca = $2\nparam: subject = /CN=G2\nparam: key = ec-p256\nparam: folder = $3\n\n"; }
mk 'step 2: Root\nrole: Admin\naction: generate-root\nparam: subject = /CN=R\nparam: key = ec-p256\n\n' \
    "$(roll 3 g2 tr)"
bad "a rollover of the root the ceremony creates" 'has no predecessor'
mk "$(roll 2 g2 tr)" "$(roll 3 g3 tr2)"
bad "a second rollover" 'rolls over again'
mk 'step 2: Export\nrole: Admin\naction: export-transition\n'
bad "export-transition without a rollover" 'no rollover step comes before it'
mk 'step 2: Sign\nrole: Admin\naction: sign-csrs\nparam: csr = a.csr\nparam: bundle = b\nparam: by = successor\n'
bad "signing by the successor without a rollover" 'no rollover step comes before it'
mk "$(roll 2 .. tr)"
bad "a new_ca that is not a plain folder name" 'a folder name beside the CA directory'
mk 'step 2: Sign\nrole: Admin\naction: sign-csrs\nparam: csr = a.csr\nparam: bundle = b\nparam: by = partner\n'
bad "by that names neither root" 'expected root or successor'

# ---- the shipped ceremony, in batch -------------------------------------------
mkdir "$T/x"
new_ca "$T/x/ca" --profiles "$K8S"; ok $? "the current root"
mkdir "$T/media"
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-384 -nodes -keyout "$T/int.key" \
    -subj "/CN=Vault pki_int Intermediate CA G2" -out "$T/media/vault-int-g2.csr" 2>/dev/null
ok $? "the fresh Vault CSR on the media"
t_ok "rollover.ceremony runs to the end with the shipped answers" \
    "$OFFROOT" ceremony "$SCRIPTS/rollover.ceremony" -d "$T/x/ca" --media "$T/media" \
    --answers "$SCRIPTS/rollover.answers" --passphrase-file "$PASS" --kdf interactive
cat "$T/out" "$T/err" >"$T/ceremony.log"
! grep -q 'never used' "$T/ceremony.log"; ok $? "every answer of the example is used"
NEW="$T/x/root-g2"
t_ok "audit of the current CA" "$OFFROOT" audit -d "$T/x/ca"
t_ok "audit of the successor beside it" "$OFFROOT" audit -d "$NEW"
TR=$(ls "$T/x/ca/transcripts/"*-ceremony-*.log)
NEWFP=$(openssl x509 -in "$NEW/root.crt" -outform DER | sha256sum | cut -c1-64)
awk '/ verified .*step=5 / && !v {v=NR} / key-unlocked .*step=5 / && !k {k=NR}
    / root-preview .*step=5 / && !p {p=NR} / rollover .*step=5 / && !r {r=NR}
    END {exit !(v && k && p && r && k < p && p < r && v < r)}' "$TR"
ok $? "the transcript: the current key unlocked, the new root previewed and the verify: line answered, then the rollover"
grep -q " rollover .*step=5 .*new_root_sha256=$NEWFP " "$TR" &&
    grep -q " fingerprint .*step=5 .*sha256=$NEWFP .*answer=yes" "$TR"
ok $? "the rollover record names the new root, whose fingerprint the witness confirmed"
awk '/ csr-hash .*step=6 .*answer=yes/ && !h {h=NR} / signed .*step=6 .*by=/ && !s {s=NR}
    END {exit !(h && s && h < s)}' "$TR"
ok $? "step 6: the CSR's SHA-256 confirmed, then signed by the successor"
M=$(sha256sum "$T/media/transition/MANIFEST" | cut -c1-64)
grep -q " transition-exported .*step=7 .*manifest_sha256=$M " "$TR" &&
    grep -q " fingerprint .*step=8 .*of=bundle .*sha256=$M " "$TR"
ok $? "step 7 wrote the transition export, step 8 confirmed its MANIFEST's fingerprint"

# ---- the artefacts ------------------------------------------------------------
X="$T/media/transition/cross-signed-by-old.pem"
INT="$T/media/vault-int-g2-bundle/certificate.pem"
cmp -s "$T/media/transition/root.pem" "$NEW/root.crt" &&
    cat "$NEW/root.crt" "$T/x/ca/root.crt" | cmp -s - "$T/media/transition/roots-transition.pem"
ok $? "the transition export holds the new root and both roots"
t_ok "offroot verify: the Vault bundle against the new root, with the CSR" "$OFFROOT" verify \
    "$T/media/vault-int-g2-bundle" --root "$NEW/root.crt" --csr "$T/media/vault-int-g2.csr"
t_ok "offroot verify: the old root's cross-sign bundle" "$OFFROOT" verify \
    "$T/media/transition-old-cross" --root "$T/x/ca/root.crt" --other "$NEW/root.crt"
run openssl verify -x509_strict -CAfile "$T/x/ca/root.crt" -untrusted "$X" "$INT"
ok $rc "openssl: the re-signed intermediate, only the current root trusted, through the cross-certificate"
run openssl verify -x509_strict -CAfile "$T/media/transition/roots-transition.pem" "$INT"
ok $rc "openssl: the re-signed intermediate under roots-transition.pem"
cat "$INT" "$X" >"$T/chain.pem"
run certtool --verify --load-ca-certificate "$T/x/ca/root.crt" --infile "$T/chain.pem"
ok $rc "certtool --verify: the intermediate through the cross-certificate"
run $PY - "$X" "$T/x/ca/root.crt" "$NEW/root.crt" "$INT" <<'PYEOF'
import sys
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
L = lambda p: x509.load_pem_x509_certificate(open(p, "rb").read())
x, old, new, it = (L(p) for p in sys.argv[1:5])
v = lambda c, by: by.public_key().verify(c.signature, c.tbs_certificate_bytes, ec.ECDSA(c.signature_hash_algorithm))
spki = lambda c: c.public_key().public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
v(x, old); v(it, new); v(it, x)
assert x.subject == new.subject and spki(x) == spki(new) and x.issuer == old.subject
PYEOF
ok $rc "Python cryptography: the cross-certificate is the old root's, over the new root's name and key"
[ $rc -eq 0 ] || diag "$(tail -3 "$T/err")"

# ---- stopped at step 8, resumed ---------------------------------------------
mkdir "$T/y" "$T/media2"
new_ca "$T/y/ca" --profiles "$K8S"; ok $? "a current root for the resume"
cp "$T/media/vault-int-g2.csr" "$T/media2/"
{ echo "confirm 8: no"; cat "$SCRIPTS/rollover.answers"; } >"$T/stop.answers"
run "$OFFROOT" ceremony "$SCRIPTS/rollover.ceremony" -d "$T/y/ca" --media "$T/media2" \
    --answers "$T/stop.answers" --passphrase-file "$PASS" --kdf interactive
[ $rc -ne 0 ] && [ -d "$T/media2/transition" ]
ok $? "a witness's no at step 8 stops the ceremony after the transition export"
{ cat "$SCRIPTS/rollover.answers"; echo "resume: yes"; } >"$T/resume.answers"
t_ok "the resume finishes it" "$OFFROOT" ceremony "$SCRIPTS/rollover.ceremony" \
    -d "$T/y/ca" --media "$T/media2" --answers "$T/resume.answers" \
    --passphrase-file "$PASS" --kdf interactive
M2=$(sha256sum "$T/media2/transition/MANIFEST" | cut -c1-64)
grep -q " fingerprint .*step=8 .*of=bundle .*sha256=$M2 .*answer=yes" "$T/y/ca/transcripts/"*-ceremony-*.log
ok $? "... step 8 confirms the transition export's MANIFEST written before the stop"
[ "$(grep -c ' export ' "$T/y/root-g2/journal")" -eq 2 ]
ok $? "... and the successor's journal records the export once (and the intermediate's bundle)"
t_ok "audit of the successor after the resume" "$OFFROOT" audit -d "$T/y/root-g2"
# Stopped inside step 7, after the export (the officer does not initial
# it): the resumed step finds the export recorded and writes nothing again.
mkdir "$T/z" "$T/media3"
new_ca "$T/z/ca" --profiles "$K8S"; ok $? "a current root for the second resume"
cp "$T/media/vault-int-g2.csr" "$T/media3/"
{ echo "confirm 7: no"; cat "$SCRIPTS/rollover.answers"; } >"$T/stop7.answers"
run "$OFFROOT" ceremony "$SCRIPTS/rollover.ceremony" -d "$T/z/ca" --media "$T/media3" \
    --answers "$T/stop7.answers" --passphrase-file "$PASS" --kdf interactive
[ $rc -ne 0 ] && [ -d "$T/media3/transition" ]
ok $? "a no inside step 7 stops the ceremony after the export was written"
t_ok "the resume redoes step 7 and finishes" "$OFFROOT" ceremony "$SCRIPTS/rollover.ceremony" \
    -d "$T/z/ca" --media "$T/media3" --answers "$T/resume.answers" \
    --passphrase-file "$PASS" --kdf interactive
like 'transition export is recorded already' "$T/err" "... finding the export recorded"
[ "$(grep -c ' export ' "$T/z/root-g2/journal")" -eq 2 ] &&
    "$OFFROOT" verify "$T/media3/transition" --root "$T/z/root-g2/root.crt" >/dev/null 2>&1
ok $? "... written once, and it verifies"
done_testing
