#!/bin/sh
# Names on the TUI's screens (issue 17): a CSR whose CN holds an escape
# sequence (ESC [2J, which would clear a terminal) is refused on screen
# with the character named as U+001B ESCAPE, never drawn raw; a CN that
# mixes Latin with a Cyrillic look-alike is shown on the review with the
# odd letter marked, and signing needs the officer to type mixed-scripts
# (a plain "yes" stops, nothing unlocked); typed, it signs and the
# transcript records the override as the officer's.
. "$(dirname "$0")/../lib.sh"
. "$ROOT/tests/tui.sh"
K8S="$ROOT/ceremony-scripts/kubernetes/profiles.cnf"
keep() { pane; cat "$T/screen" >>"$SEEN"; }

printf '%s\n' "$secret" >"$T/pass"
t_ok "a CA" "$OFFROOT" init -d "$T/ca" --subject "/CN=TUI Names Root" \
    --profiles "$K8S" --kdf interactive --passphrase-file "$T/pass"
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -utf8 \
    -keyout "$T/mixed.key" -subj "/CN=V$(printf '\320\260')ult Int" \
    -out "$T/mixed.csr" 2>/dev/null
ok $? "a CSR whose CN mixes Latin and Cyrillic"
$PY - "$T/mixed.key" "$T/esc.csr" <<'PYEOF'
import sys
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509.oid import NameOID
key = serialization.load_pem_private_key(open(sys.argv[1], "rb").read(), None)
name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Good\x1b[2J CA")])
csr = x509.CertificateSigningRequestBuilder().subject_name(name).sign(key, hashes.SHA256())
open(sys.argv[2], "wb").write(csr.public_bytes(serialization.Encoding.PEM))
PYEOF
ok $? "a CSR whose CN holds ESC [2J"

# sign_to CSR BUNDLE: the TUI's signing screen up to the first question
# after the request's review.
sign_to() {
	start 100 30 xterm-256color "'$OFFROOT' tui -d '$T/ca' --media '$T'"
	waitfor 'Sign CSRs brought on media' >/dev/null
	keys Enter
	waitfor 'CSRs on the medium' >/dev/null
	keys "$1" Enter
	waitfor 'New folder for the signed bundle' >/dev/null
	keys "$2" Enter
}

# ---- ESC [2J: refused, named, not obeyed ------------------------------
cp "$T/ca/journal" "$T/journal.before"
sign_to "$T/esc.csr" "$T/b-esc"
waitcond 'boxflat | grep -q "U+001BESCAPEatposition5"'; ok $? "ESC: the refusal is on screen, the character named"
keep
like 'Sign CSRs|offroot' "$T/screen" "ESC: the screen was not cleared by the name"
grep -q "$(printf '\033')" "$T/all-screens" && r=1 || r=0
ok $r "ESC: no raw escape character on any screen"
keys Enter; keys q
tmux kill-session -t "=$S" 2>/dev/null
cmp -s "$T/journal.before" "$T/ca/journal"; ok $? "ESC: nothing journalled"

# ---- mixed scripts: a plain yes is not enough -------------------------
sign_to "$T/mixed.csr" "$T/b-no"
waitfor -a 'Request 1 of 1' 'will issue'; ok $? "mixed: the request is reviewed"
drive 'boxflat | grep -q typemixed-scripts' >/dev/null
waitcond 'boxflat | grep -q typemixed-scripts'; ok $? "mixed: the officer is asked to type mixed-scripts"
keep
# (The question wraps: compared as the box's text, without spaces.)
waitcond 'boxflat | grep -q mixesLatinandCyrillic'
ok $? "mixed: the question names the scripts"
waitcond 'boxflat | grep -q "V\[а:CYRILLICSMALLLETTERA\]ult"'
ok $? "mixed: the Cyrillic letter is marked and named"
type_in yes
waitcond 'boxflat | grep -q didnotconfirmmixed-scripts'; ok $? "mixed: yes is not the word: stopped"
keep
! grep -q 'Passphrase for the root key' "$T/all-screens"
ok $? "mixed: the passphrase was never asked"
keys Enter; keys q
tmux kill-session -t "=$S" 2>/dev/null
[ ! -e "$T/b-no" ]; ok $? "mixed: no bundle"
cmp -s "$T/journal.before" "$T/ca/journal"; ok $? "mixed: nothing journalled"

# ---- mixed scripts: typed, signed, on record ---------------------------
sign_to "$T/mixed.csr" "$T/b-yes"
waitfor -a 'Request 1 of 1' 'will issue' >/dev/null
drive 'boxflat | grep -q typemixed-scripts' >/dev/null
waitcond 'boxflat | grep -q typemixed-scripts' >/dev/null
type_in mixed-scripts
drive 'grep -q "Sign 1 certificate with the root key" "$T/screen"' >/dev/null
waitfor 'Sign 1 certificate with the root key'; ok $? "mixed: typed, the officer is asked to sign"
keys y
waitfor 'Passphrase for the root key' >/dev/null
type_secret "$secret"
waitfor "bundle's MANIFEST" "$LONG"; ok $? "mixed: signed"
keys Enter
waitfor 'Press Enter to continue' "$LONG" >/dev/null
keys Enter; keys q
waitfor 'EXIT=0' >/dev/null
tmux kill-session -t "=$S" 2>/dev/null
grep 'override' "$T/b-yes/transcript.log" | grep 'mixed-scripts' | grep -q 'confirmed%20by%20the%20officer'
ok $? "mixed: the transcript records the officer's override"

done_testing
