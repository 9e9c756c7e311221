#!/bin/sh
# A ceremony on a root key sealed under a 2-of-3 officer quorum, driven
# through the TUI by keystrokes in tmux: officer by officer, each gives
# their media (the share file picked from its folder) and types their
# passphrase masked; a wrong passphrase is named by its share's place at
# once, the screen says how many more officers are needed, and the CRL is
# signed with the quorum's key.  Then the shipped reshare.ceremony in the
# TUI: the new officers give their media and type new passphrases twice.
# No passphrase ever reaches the screen.
. "$(dirname "$0")/../lib.sh"
. "$ROOT/tests/tui.sh"

for i in 1 2 3 4 5; do
	printf 'officer %d passphrase\n' "$i" >"$T/p$i"
	mkdir -p "$T/m$i" "$T/n$i"
done
CA="$T/ca"
"$OFFROOT" init -d "$CA" --subject "/C=DE/O=offroot tests/CN=TUI Quorum Root" \
    --kdf interactive --quorum 2/3 --share-dir "$T/m1" --share-dir "$T/m2" --share-dir "$T/m3" \
    --share-passphrase-file "$T/p1" --share-passphrase-file "$T/p2" \
    --share-passphrase-file "$T/p3" >"$T/init.out" 2>"$T/init.err"
ok $? "a 2-of-3 CA, one medium per officer"
openssl x509 -in "$CA/root.crt" -noout -pubkey >"$T/pub.before"

# answer: the quorum's questions, as the people would answer them, then
# the common ones.  The officers come in the order of $OFFICERS ("medium
# passphrase-file" pairs); new officers get $T/n1, $T/n2, ...  Counts
# officers in _sh and new officers in _nw (set to 0 before drive).
answer() {
	if grep -Eq 'Share [0-9]+ \([0-9]+-of-[0-9]+ quorum, need' "$T/screen"; then
		_sh=$((_sh + 1))
		_m=$(echo "$OFFICERS" | cut -d' ' -f$((2 * _sh - 1)))
		echo "share $_m" >>"$T/asked"
		type_in "$_m"
	elif grep -q 'enter your passphrase' "$T/screen"; then
		_p=$(echo "$OFFICERS" | cut -d' ' -f$((2 * _sh)))
		echo "passphrase $_p" >>"$T/asked"
		type_secret "$(cat "$_p")"
	elif grep -q 'New officer [0-9]* of [0-9]*: insert' "$T/screen"; then
		_nw=$((_nw + 1))
		echo "new media $_nw" >>"$T/asked"; type_in "$T/n$_nw"
	elif grep -q 'choose the passphrase for your share' "$T/screen"; then
		echo "new passphrase $_nw" >>"$T/asked"
		type_secret "new officer $_nw passphrase"
	else
		answer_common
	fi
}

printf 'not the passphrase\n' >"$T/wrong"
mkdir -p "$T/media"
OFFICERS="$T/m1 $T/wrong $T/m3 $T/p3 $T/m2 $T/p2"
start 80 24 linux "cd '$ROOT' && '$OFFROOT' ceremony ceremony-scripts/crl.ceremony -d '$CA' --media '$T/media' 2>'$T/tui.err'"
_sh=0 _nw=0
waitfor 'Pre-flight checks'; ok $? "crl.ceremony on the 2-of-3 CA opens in the TUI (80x24, TERM=linux)"
drive; ok $? "crl.ceremony driven to its end by keystrokes, officer by officer"
like 'Done' "$T/screen" "crl.ceremony finished successfully"
[ "$(grep -c '^share' "$T/asked")" -eq 3 ] && [ "$(grep -c '^passphrase' "$T/asked")" -eq 3 ]
ok $? "three officers were asked for their media and passphrase (one passphrase wrong)"
# The conversation pane, its wrapped lines joined.
sed -n 's/^.*││[! ] //p' "$SEEN" | sed 's/ *│$//' | tr '\n' ' ' >"$T/said"
grep -Eq "share 1 \([^)]*officer 1's share\): wrong passphrase" "$T/said"
ok $? "the wrong passphrase was named on screen by its place (share 1) and officer"
grep -q 'need 1 more' "$SEEN"; ok $? "the screen said one more officer was needed"
grep -Eq "Share 1 \(2-of-3 quorum, need 2 more\)" "$SEEN"; ok $? "the first prompt said two officers were needed"
grep -Eq 'share-3-of-3\.share' "$SEEN"; ok $? "officer 3's share file was picked from their media's folder"
keys Enter
waitfor 'EXIT=0'; ok $? "offroot ceremony exits 0"
tmux kill-session -t "=$S" 2>/dev/null
openssl crl -in "$T/media/root.crl" -noout -CAfile "$CA/root.crt" 2>/dev/null
ok $? "the CRL signed in the TUI with the quorum's key verifies against the root"
t_ok "the CA passes audit" "$OFFROOT" audit -d "$CA"

# ---- reshare.ceremony in the TUI: 2-of-3 -> 3-of-5 -------------------------
OFFICERS="$T/m2 $T/p2 $T/m1 $T/p1"
start 120 40 xterm-256color "cd '$ROOT' && '$OFFROOT' ceremony ceremony-scripts/reshare.ceremony -d '$CA' --media '$T/media' --kdf interactive 2>'$T/tui2.err'"
_sh=0 _nw=0
waitfor 'Pre-flight checks'; ok $? "reshare.ceremony opens in a 120x40 xterm-256color"
drive; ok $? "reshare.ceremony driven to its end by keystrokes"
like 'Done' "$T/screen" "reshare.ceremony finished successfully"
[ "$(grep -c '^new media' "$T/asked")" -eq 5 ] && [ "$(grep -c '^new passphrase' "$T/asked")" -eq 10 ]
ok $? "five new officers gave their media and typed their new passphrase twice"
keys Enter
waitfor 'EXIT=0'; ok $? "offroot ceremony exits 0"
tmux kill-session -t "=$S" 2>/dev/null
bad=0
for i in 1 2 3 4 5; do [ "$(ls "$T/n$i"/*-share-"$i"-of-5.share 2>/dev/null | wc -l)" -eq 1 ] || bad=1; done
[ "$bad" -eq 0 ]; ok $? "each new officer's media holds their share file"
for i in 1 2 3 4 5; do printf 'new officer %d passphrase\n' "$i" >"$T/np$i"; done
t_ok "three new shares, with the passphrases typed in the TUI, open the key" \
    "$OFFROOT" check-key -d "$CA" --share "$T/n2" --share-passphrase-file "$T/np2" \
    --share "$T/n4" --share-passphrase-file "$T/np4" --share "$T/n5" --share-passphrase-file "$T/np5"
run "$OFFROOT" check-key -d "$CA" --share "$T/m1" --share-passphrase-file "$T/p1" \
    --share "$T/m2" --share-passphrase-file "$T/p2"
[ "$rc" -eq 1 ]; ok $? "the old shares no longer do"
openssl x509 -in "$CA/root.crt" -noout -pubkey | cmp -s - "$T/pub.before"
ok $? "the root's public key is unchanged"

bad=0
for i in 1 2 3 4 5; do
	grep -q "officer $i passphrase" "$SEEN" && bad=1
done
[ "$bad" -eq 0 ]; ok $? "no passphrase, old or new, ever appeared on screen"
done_testing
