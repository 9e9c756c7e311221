#!/bin/sh
# The TUI's home screen (80x24, TERM=linux) with CRLs signed ahead: the
# CRL line says until when they cover, the next file to publish and how
# many are left, and every withdrawn file is named, loud, for deletion;
# all within 80 columns.  The engine behind it is 63-crl-ahead.t's.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../tui.sh"

CA="$T/ca"
new_ca "$CA"; ok $? "init"
"$OFFROOT" crl -d "$CA" --ahead 3 -o "$T/s1" --passphrase-file "$PASS" >/dev/null 2>&1 &&
    "$OFFROOT" revoke -d "$CA" --serial 0c0ffee --reason superseded --unknown-ok >/dev/null 2>&1 &&
    "$OFFROOT" crl -d "$CA" --ahead 4 -o "$T/s2" --passphrase-file "$PASS" >/dev/null 2>&1
ok $? "a schedule, a revocation that withdraws two of it, a new schedule"
W1=$(ls "$T/s1" | grep '^crl-0002-'); W2=$(ls "$T/s1" | grep '^crl-0003-')
NEXT=$(ls "$T/s2" | grep '^crl-0005-')
LAST=$(date -u -d "$(openssl crl -in "$T/s2/$(ls "$T/s2" | grep '^crl-0007-')" -noout -nextupdate | cut -d= -f2)" +%Y-%m-%d)

start 80 24 linux "'$OFFROOT' tui -d '$CA'"
waitcond 'grep -q "offroot  home" "$T/screen" && lastline "$CLOCK"'
ok $? "the home screen opens"
like "CRL:  next CRL due .*\\(signed ahead until $LAST\\)" "$T/screen" "the CRL line says until when the CRLs signed ahead cover"
like "next to publish: $NEXT on .* \\(3 left\\)" "$T/screen" "the next file to publish, and how many are left"
like "WITHDRAWN $W1: delete it, never publish it" "$T/screen" "the first withdrawn file, for deletion"
like "WITHDRAWN $W2: delete it, never publish it" "$T/screen" "the second"
[ "$(grep -E 'signed ahead until|next to publish|WITHDRAWN' "$T/screen" | grep -cE '[^ ] +│$')" -eq 4 ]
ok $? "the four lines end before the frame: none is cut at 80 columns"
keys q
waitfor 'EXIT=0' >/dev/null
tmux kill-session -t "=$S" 2>/dev/null
done_testing
