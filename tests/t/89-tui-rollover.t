#!/bin/sh
# rollover.ceremony in the TUI, in tmux at 80x24 with TERM=linux: the
# rollover's plan (the current root and its fingerprint, the successor, the
# cross profile, the export) and the new root's fingerprint show on
# screen; the passphrases are asked masked (the current key, then the new
# key twice); the successor is made and cross-signed, the Vault
# intermediate re-signed under it, the transition export written; both
# CAs audit, the intermediate verifies through the cross-certificate with
# only the current root trusted.
. "$(dirname "$0")/../lib.sh"
secret=$(cat "$PASS")
. "$ROOT/tests/tui.sh"
K8S="$ROOT/ceremony-scripts/kubernetes/profiles.cnf"
SCRIPTS="$ROOT/ceremony-scripts"
# titled TITLE: the text of the box titled TITLE on screen, its lines
# joined without spaces or borders (boxflat's, for a titled block).
titled() {
	$PY - "$T/screen" "$1" <<'E'
import sys
rows = open(sys.argv[1], encoding="utf-8").read().split("\n")
out, inside = [], False
for r in rows:
    if r.startswith("\u250c " + sys.argv[2]):
        inside, out = True, []
    elif inside and r.startswith("\u2514"):
        break
    elif inside:
        out.append(r[1:-1])
print("".join(out).replace(" ", ""))
E
}

mkdir "$T/x" "$T/media"
new_ca "$T/x/ca" --profiles "$K8S"; ok $? "the current root"
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-384 -nodes -keyout "$T/int.key" \
    -subj "/CN=Vault pki_int Intermediate CA G2" -out "$T/media/vault-int-g2.csr" 2>/dev/null
OLDFP=$(openssl x509 -in "$T/x/ca/root.crt" -outform DER | sha256sum | cut -c1-16 | tr a-f A-F)
start 80 24 linux "'$OFFROOT' ceremony '$SCRIPTS/rollover.ceremony' -d '$T/x/ca' --media '$T/media' --kdf interactive"
waitfor 'Pre-flight checks'; ok $? "rollover.ceremony in the TUI (80x24, TERM=linux)"
drive 'grep -q "Root rollover" "$T/screen"'
ok $? "the TUI shows the rollover's plan"
cat "$T/asked" >"$T/asked.all"
titled "Root rollover" >"$T/plan"
like 'oldrootCN=TestRoot,O=offroottests,C=DE' "$T/plan" "... the current root"
like "SHA-256:$OLDFP" "$T/plan" "... its fingerprint in hex"
like 'newroot/C=DE/O=Example/CN=ExampleKubernetesRootCAG2' "$T/plan" "... the successor"
drive 'grep -q "SHA-256 of the new root" "$T/screen"'
ok $? "the new root's fingerprint shows"
cat "$T/asked" >>"$T/asked.all"
titled "SHA-256 of the new root" >"$T/newfp"
drive; ok $? "rollover.ceremony driven to its end by keystrokes"
cat "$T/asked" >>"$T/asked.all"
like 'Done' "$T/screen" "... successfully"
[ "$(grep -c passphrase "$T/asked.all")" -ge 3 ]
ok $? "the passphrases were asked in the TUI: the current key's, the new one's twice"
keys Enter
waitfor 'EXIT=0'; ok $? "offroot ceremony exits 0"
NEWFP=$(openssl x509 -in "$T/x/root-g2/root.crt" -outform DER | sha256sum | cut -c1-16 | tr a-f A-F)
grep -q "^$NEWFP" "$T/newfp"; ok $? "the new root's fingerprint shown is root-g2/root.crt's"
t_ok "audit of the current CA" "$OFFROOT" audit -d "$T/x/ca"
t_ok "audit of the successor made in the TUI" "$OFFROOT" audit -d "$T/x/root-g2"
run openssl verify -x509_strict -CAfile "$T/x/ca/root.crt" \
    -untrusted "$T/media/transition/cross-signed-by-old.pem" "$T/media/vault-int-g2-bundle/certificate.pem"
ok $rc "the re-signed intermediate verifies through the cross-certificate, only the current root trusted"
TR=$(ls "$T/x/ca/transcripts/"*-ceremony-*.log)
grep -q ' rollover .*step=5 ' "$TR" && grep -q ' transition-exported .*step=7 ' "$TR" &&
    grep -q ' runner=tui' "$TR"
ok $? "the transcript records the rollover and the export, run in the TUI"
! grep -q "$secret" "$SEEN"; ok $? "the passphrase never showed on a screen"
done_testing
