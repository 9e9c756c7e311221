#!/bin/sh
# root.ceremony in the TUI, killed after its root key exists and resumed:
# SIGKILL while the new root's fingerprint is shown (the generate-root
# step's work is done, the step not yet closed), and SIGTERM at the
# check-key step's passphrase prompt.  After each: one init record in the
# journal, one root key, audit and transcript verify pass, the resume is
# offered and finishes.  SIGTERM restores the terminal, and the transcript
# records the real reason of the abandonment (SIGTERM; also SIGHUP when
# the terminal goes away, Ctrl-C when the officer abandons).
. "$(dirname "$0")/../lib.sh"
. "$ROOT/tests/tui.sh"

cd "$ROOT" || exit 1
RC=ceremony-scripts/root.ceremony

# ceremony_tr CA: the ceremony transcripts of CA, one a line.
ceremony_tr() { ls "$1"/transcripts/*-ceremony-*.log 2>/dev/null; }
# after_resume CA WHAT: what every resumed root ceremony must leave.
after_resume() {
	_ca=$1; _what=$2
	[ "$(grep -c '^[0-9]* [^ ]* init ' "$_ca/journal")" -eq 1 ]
	ok $? "$_what: the journal holds exactly one init record"
	[ "$(ls "$_ca" | grep -c 'key')" -eq 1 ] && [ -f "$_ca/root.key.sealed" ]
	ok $? "$_what: there is one root key ($(ls "$_ca" | grep key | tr '\n' ' '))"
	_tr=$(ceremony_tr "$_ca")
	[ "$(echo "$_tr" | wc -l)" -eq 1 ]; ok $? "$_what: one ceremony transcript"
	[ "$(grep -c ' root-created ' "$_tr")" -eq 1 ] && grep -q ' resume ' "$_tr" &&
	    grep -q ' end ' "$_tr"
	ok $? "$_what: it holds one root-created record, the resume, and its end"
	t_ok "$_what: offroot audit passes" "$OFFROOT" audit -d "$_ca"
	t_ok "$_what: transcript verify passes" "$OFFROOT" transcript verify "$_tr" \
	    --root "$_ca/root.crt"
	t_ok "$_what: the root passes openssl verify -x509_strict" \
	    openssl verify -x509_strict -CAfile "$_ca/root.crt" "$_ca/root.crt"
	printf '%s\n' "$secret" >"$T/pass-tui"
	t_ok "$_what: the passphrase typed in the TUI opens the key" \
	    "$OFFROOT" check-key -d "$_ca" --passphrase-file "$T/pass-tui"
}

# ---- SIGKILL with the new root's fingerprint on screen -------------------
CA1="$T/ca1"; M1="$T/m1"; mkdir -p "$M1"
CMD1="'$OFFROOT' ceremony $RC -d '$CA1' --media '$M1' --kdf interactive"
start 80 24 linux "$CMD1"
waitfor 'Pre-flight checks'; ok $? "root.ceremony starts in the TUI"
drive 'grep -q "fingerprint of the new root" "$T/screen"'
ok $? "driven until the new root's fingerprint is shown (step 3)"
TR1=$(ceremony_tr "$CA1")
[ -f "$CA1/root.crt" ] && [ -n "$TR1" ] && grep -q ' root-created ' "$TR1" &&
    ! grep -q ' step-end [0-9a-f]* step=3 ' "$TR1"
ok $? "the root exists, root-created is recorded, step 3 is not closed"
pid=$(tui_pid "ceremony $RC -d $CA1 ")
[ -n "$pid" ] && kill -KILL "$pid"
waitfor 'EXIT=137'; ok $? "SIGKILL ends the ceremony"
tmux kill-session -t "=$S" 2>/dev/null
! grep -q ' end \| abandoned ' "$TR1"; ok $? "the killed run's transcript is left open"
t_ok "after SIGKILL: offroot audit passes" "$OFFROOT" audit -d "$CA1"
start 80 24 linux "$CMD1"
waitfor 'An unfinished run of this ceremony'; ok $? "the next start shows the unfinished ceremony"
like 'completed steps: 1, 2' "$T/screen" "... what it completed"
like 'first step not done: step 3' "$T/screen" "... and the first step not done"
drive; ok $? "the resume is accepted and runs to its end"
like 'Done' "$T/screen" "... successfully"
! grep -q '^name$' "$T/asked"; ok $? "the participants recorded before the kill are not asked again"
[ "$(grep -c '^passphrase$' "$T/asked")" -eq 1 ]
ok $? "only the check-key passphrase was typed: no new passphrase, no second key"
keys Enter
waitfor 'EXIT=0'; ok $? "offroot ceremony exits 0 after the resume"
tmux kill-session -t "=$S" 2>/dev/null
grep -q ' already-done [0-9a-f]* step=3 ' "$TR1"
ok $? "the transcript records step 3 found already done"
after_resume "$CA1" "SIGKILL"
ls "$M1/public/root.pem" "$M1/root.crl" >/dev/null 2>&1
ok $? "the resumed ceremony exported the root and signed the first CRL"

# ---- SIGTERM at the check-key passphrase prompt --------------------------
CA2="$T/ca2"; M2="$T/m2"; mkdir -p "$M2"
CMD2="'$OFFROOT' ceremony $RC -d '$CA2' --media '$M2' --kdf interactive"
shell 80 24
keys "$CMD2; echo EXIT=\$?" Enter
waitfor 'Pre-flight checks'; ok $? "root.ceremony started from a shell"
drive 'cat "$CA2"/transcripts/*-ceremony-*.log 2>/dev/null | grep -q " step-end [0-9a-f]* step=4 " &&
    grep -q "Passphrase for the root key" "$T/screen"'
ok $? "driven to step 5: steps 3 and 4 done, the passphrase asked"
pid=$(tui_pid "ceremony $RC -d $CA2 ")
[ -n "$pid" ]; ok $? "found the running TUI"
[ -n "$pid" ] && kill -TERM "$pid"
waitfor 'EXIT=143'; ok $? "SIGTERM ends the TUI (status 143)"
stty_saved
! grep -q 'offroot  ' "$T/screen"; ok $? "the TUI's screen is gone (alternate screen left)"
grep -Eq '(^| )icanon( |$)' "$T/stty" && grep -Eq '(^| )echo( |$)' "$T/stty"
ok $? "stty -a: the terminal is back in canonical mode with echo"
tmux kill-session -t "=$S" 2>/dev/null
TR2=$(ceremony_tr "$CA2")
"$OFFROOT" transcript print "$TR2" >"$T/tprint2" 2>&1
like 'reason +.*the ceremony was abandoned: offroot was asked to stop \(SIGTERM\)' \
    "$T/tprint2" "the transcript records the abandonment with its reason, SIGTERM"
! grep -q 'by the officer' "$T/tprint2"; ok $? "... not as abandoned by the officer"
grep -q ' abandoned [0-9a-f]* step=5 ' "$TR2"; ok $? "... at step 5"
t_ok "after SIGTERM: offroot audit passes" "$OFFROOT" audit -d "$CA2"
start 80 24 linux "$CMD2"
waitfor 'An unfinished run of this ceremony'; ok $? "after SIGTERM, the next start offers the resume"
like 'completed steps: 1, 2, 3, 4' "$T/screen" "... steps 1 to 4 done"
drive; ok $? "the resume runs to its end"
like 'Done' "$T/screen" "... successfully"
[ "$(grep -c '^passphrase$' "$T/asked")" -eq 1 ]
ok $? "only the check-key passphrase was typed on resume"
keys Enter
waitfor 'EXIT=0'; ok $? "offroot ceremony exits 0 after the resume"
tmux kill-session -t "=$S" 2>/dev/null
after_resume "$CA2" "SIGTERM"

# ---- SIGHUP and Ctrl-C: each recorded as what it was ---------------------
CMD3="'$OFFROOT' ceremony ceremony-scripts/crl.ceremony -d '$CA2' --media '$M2' --kdf interactive"
start 80 24 linux "$CMD3"
drive 'grep -q "Name of the " "$T/screen"'
ok $? "crl.ceremony asks for a participant"
new=$(ls "$CA2"/transcripts/*-ceremony-*.log | grep -v "$TR2" | head -1)
pid=$(tui_pid "ceremony ceremony-scripts/crl.ceremony -d $CA2 ")
tmux kill-session -t "=$S"	# the terminal goes away: SIGHUP
i=0
while [ $i -lt "$WAIT" ] && [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; do
	sleep 0.1; i=$((i + 1))
done
[ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; ok $? "the ceremony ends when its terminal goes away"
[ -n "$new" ] && "$OFFROOT" transcript print "$new" >"$T/tprint3" 2>&1
like 'reason +.*the ceremony was abandoned: the terminal went away \(SIGHUP\)' \
    "$T/tprint3" "the transcript records SIGHUP as the reason"
start 80 24 linux "$CMD3"
waitfor 'An unfinished run of this ceremony'
keys Enter
waitfor 'Resume this ceremony'
keys n
drive 'grep -q "Name of the " "$T/screen"'
keys C-c
waitfor 'Abandon this ceremony'
keys y
waitfor 'Press Enter to continue'; ok $? "Ctrl-C, then yes, abandons"
keys Enter
waitfor 'EXIT=1'
tmux kill-session -t "=$S" 2>/dev/null
last=$(ls -t "$CA2"/transcripts/*-ceremony-*.log | head -1)
"$OFFROOT" transcript print "$last" >"$T/tprint4" 2>&1
like 'reason +.*the ceremony was abandoned by the officer \(Ctrl-C\)' \
    "$T/tprint4" "the transcript records Ctrl-C by the officer as the reason"
t_ok "the CA still passes audit" "$OFFROOT" audit -d "$CA2"

! grep -q "$secret" "$SEEN"; ok $? "the passphrase never appeared on any screen"
done_testing
