#!/bin/sh
# The root's expiry on the TUI's home screen and renew-root.ceremony in
# the TUI, in tmux at 80x24 with TERM=linux: 80 days left is a warning to
# renew or roll over, 20 days a loud one; the ceremony shows the renewal's
# review, asks the passphrase masked, renews the root (previous one kept,
# new root.pem on the media, audit passes), and the home screen then
# counts the earlier certificate and warns no more.
. "$(dirname "$0")/../lib.sh"
secret=$(cat "$PASS")
. "$ROOT/tests/tui.sh"
K8S="$ROOT/ceremony-scripts/kubernetes/profiles.cnf"
SCRIPTS="$ROOT/ceremony-scripts"

# ---- the TUI (tmux, 80x24, TERM=linux) -----------------------------------------
new_ca "$T/d80" --profiles "$K8S" --days 80; ok $? "an 80-day root"
start 80 24 linux "'$OFFROOT' tui -d '$T/d80' --scripts '$SCRIPTS'"
waitcond 'grep -q "offroot  home" "$T/screen" && lastline "$CLOCK"'
ok $? "the home screen of the 80-day root (80x24, TERM=linux)"
like 'Root: the root certificate expires in 79 days' "$T/screen" "it warns of the root's expiry"
like 'renew or roll over before then: offroot renew-root' "$T/screen" "... renew or roll over"
like 'Ceremony: Root certificate renewal' "$T/screen" "it offers the renewal ceremony"
keys q
waitfor 'EXIT=0' >/dev/null
new_ca "$T/tui" --profiles "$K8S" --days 20; ok $? "a 20-day root for the TUI ceremony"
start 80 24 linux "'$OFFROOT' tui -d '$T/tui' --scripts '$SCRIPTS'"
waitcond 'grep -q "offroot  home" "$T/screen" && lastline "$CLOCK"'
like 'Root: WARNING: the root certificate expires in 19 days' "$T/screen" "20 days: the home screen warns loudly"
like 'RENEW OR ROLL OVER NOW' "$T/screen" "... renew or roll over now"
keys q
waitfor 'EXIT=0' >/dev/null
mkdir "$T/tmedia"
start 80 24 linux "'$OFFROOT' ceremony '$SCRIPTS/renew-root.ceremony' -d '$T/tui' --media '$T/tmedia'"
waitfor 'Pre-flight checks'; ok $? "renew-root.ceremony in the TUI (80x24, TERM=linux)"
drive 'grep -q "Renewal of the root certificate" "$T/screen"'
ok $? "the TUI shows the renewal's review"
boxflat | grep -qF 'subject:CN=TestRoot,O=offroottests,C=DE(unchanged)'
ok $? "... the subject, unchanged"
drive; ok $? "renew-root.ceremony driven to its end by keystrokes"
like 'Done' "$T/screen" "... successfully"
grep -q passphrase "$T/asked"; ok $? "the passphrase was asked in the TUI"
keys Enter
waitfor 'EXIT=0'; ok $? "offroot ceremony exits 0"
t_ok "audit accepts the CA renewed in the TUI" "$OFFROOT" audit -d "$T/tui"
[ "$(ls "$T/tui/roots" | wc -l)" -eq 1 ] && cmp -s "$T/tmedia/renewed-root/root.pem" "$T/tui/root.crt"
ok $? "the previous certificate kept, the new root.pem on the media"
run openssl verify -x509_strict -CAfile "$T/tui/root.crt" "$T/tui/root.crt"
ok $rc "the renewed root is self-signed (openssl verify -x509_strict)"
start 80 24 linux "'$OFFROOT' tui -d '$T/tui' --scripts '$SCRIPTS'"
waitcond 'grep -q "offroot  home" "$T/screen" && lastline "$CLOCK"'
like 'renewed: 1 earlier certificate of this key and subject in roots/' "$T/screen" \
    "back home, the calendar counts the earlier certificate"
like 'Root: expires .*, in 36[45] days' "$T/screen" "... shows the new notAfter"
! grep -q 'RENEW OR ROLL OVER\|renew or roll over' "$T/screen"; ok $? "... and no longer warns"
keys q
waitfor 'EXIT=0' >/dev/null
! grep -q "$secret" "$SEEN"; ok $? "the passphrase never showed on a screen"

done_testing
