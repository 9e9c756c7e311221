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
command -v tmux >/dev/null || { echo "1..0 # SKIP tmux missing"; exit 0; }
export TMUX_TMPDIR="$T"
S="offroot-tuiq-$$"
LONG=${OFFROOT_SANITIZED:+600}
LONG=${LONG:-300}

pane() { tmux capture-pane -p -t "$S" >"$T/screen" 2>/dev/null; }
waitfor() {
	_i=0
	while [ $_i -lt "${2:-100}" ]; do
		pane
		grep -Eq -- "$1" "$T/screen" && return 0
		sleep 0.1; _i=$((_i + 1))
	done
	diag "timed out waiting for '$1'; screen:"
	sed 's/^/#   /' "$T/screen"
	return 1
}
SEEN="$T/all-screens"
: >"$SEEN"
start() {
	tmux kill-session -t "$S" 2>/dev/null
	tmux new-session -d -s "$S" -x "$1" -y "$2" \
	    "TERM=$3; export TERM; $4; echo EXIT=\$?; sleep 120"
}
keys() { tmux send-keys -t "$S" "$@"; }
tmux new-session -d -s "$S-keep" "sleep 900"
trap 'tmux kill-server 2>/dev/null; [ -n "${KEEP:-}" ] || rm -rf "$T"' EXIT

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

# drive: answers what the ceremony asks, as the people would, until the
# outcome is on screen.  The officers come in the order of $OFFICERS
# ("medium passphrase-file" pairs); new officers in $NEW.  What was asked
# goes to $T/asked.
drive() {
	: >"$T/asked"
	_dn=0 _sh=0 _nw=0 _np=0
	while [ $_dn -lt 800 ]; do
		pane
		cat "$T/screen" >>"$SEEN"
		sed '$d' "$T/screen" >"$T/before"
		if grep -q 'Press Enter to continue' "$T/screen"; then
			return 0
		elif grep -q 'Name of the ' "$T/screen"; then
			echo name >>"$T/asked"; keys "Tester $_dn" Enter
		elif grep -q 'Reason for going on' "$T/screen"; then
			echo reason >>"$T/asked"; keys "rehearsal in a test container" Enter
		elif grep -Eq 'Share [0-9]+ \([0-9]+-of-[0-9]+ quorum, need' "$T/screen"; then
			_sh=$((_sh + 1))
			_m=$(echo "$OFFICERS" | cut -d' ' -f$((2 * _sh - 1)))
			echo "share $_m" >>"$T/asked"
			keys "$_m" Enter
		elif grep -q 'enter your passphrase' "$T/screen"; then
			_p=$(echo "$OFFICERS" | cut -d' ' -f$((2 * _sh)))
			echo "passphrase $_p" >>"$T/asked"
			keys "$(cat "$_p")"
			sleep 0.2; pane; cat "$T/screen" >>"$SEEN"
			keys Enter
		elif grep -q 'New officer [0-9]* of [0-9]*: insert' "$T/screen"; then
			_nw=$((_nw + 1))
			echo "new media $_nw" >>"$T/asked"; keys "$T/n$_nw" Enter
		elif grep -q 'choose the passphrase for your share' "$T/screen"; then
			_np=$((_np + 1))
			echo "new passphrase $_nw" >>"$T/asked"
			keys "new officer $_nw passphrase" Enter
		elif grep -q '\[ Yes \]' "$T/screen"; then
			echo confirm >>"$T/asked"; keys y
		elif grep -q 'Enter: confirm you have read it\|more below (' "$T/screen"; then
			echo block >>"$T/asked"; keys Enter
		else
			sleep 0.1; _dn=$((_dn + 1)); continue
		fi
		_w=0
		while [ $_w -lt 50 ]; do
			pane; sed '$d' "$T/screen" | cmp -s - "$T/before" || break
			sleep 0.05; _w=$((_w + 1))
		done
		_dn=$((_dn + 1))
	done
	diag "the ceremony did not finish; screen:"
	sed 's/^/#   /' "$T/screen"
	return 1
}

printf 'not the passphrase\n' >"$T/wrong"
mkdir -p "$T/media"
OFFICERS="$T/m1 $T/wrong $T/m3 $T/p3 $T/m2 $T/p2"
start 80 24 linux "cd '$ROOT' && '$OFFROOT' ceremony ceremony-scripts/crl.ceremony -d '$CA' --media '$T/media' 2>'$T/tui.err'"
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
tmux kill-session -t "$S" 2>/dev/null
openssl crl -in "$T/media/root.crl" -noout -CAfile "$CA/root.crt" 2>/dev/null
ok $? "the CRL signed in the TUI with the quorum's key verifies against the root"
t_ok "the CA passes audit" "$OFFROOT" audit -d "$CA"

# ---- reshare.ceremony in the TUI: 2-of-3 -> 3-of-5 -------------------------
OFFICERS="$T/m2 $T/p2 $T/m1 $T/p1"
start 120 40 xterm-256color "cd '$ROOT' && '$OFFROOT' ceremony ceremony-scripts/reshare.ceremony -d '$CA' --media '$T/media' --kdf interactive 2>'$T/tui2.err'"
waitfor 'Pre-flight checks'; ok $? "reshare.ceremony opens in a 120x40 xterm-256color"
drive; ok $? "reshare.ceremony driven to its end by keystrokes"
like 'Done' "$T/screen" "reshare.ceremony finished successfully"
[ "$(grep -c '^new media' "$T/asked")" -eq 5 ] && [ "$(grep -c '^new passphrase' "$T/asked")" -eq 10 ]
ok $? "five new officers gave their media and typed their new passphrase twice"
keys Enter
waitfor 'EXIT=0'; ok $? "offroot ceremony exits 0"
tmux kill-session -t "$S" 2>/dev/null
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
