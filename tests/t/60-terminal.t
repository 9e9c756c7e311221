#!/bin/sh
# Secrets from the terminal: asked twice with echo off, never on screen, never
# in argv, the environment or the CA directory; core dumps disabled.
. "$(dirname "$0")/../lib.sh"
. "$ROOT/tests/tui.sh"
secret='tty passphrase 7f3a9c'
start 100 30 linux "'$OFFROOT' init -d '$T/ca' --subject /C=DE/O=Test/CN=tty --kdf interactive"
waitfor 'New passphrase for the root key:'; ok $? "the passphrase is asked on the terminal"
pid=$(pgrep -f "offroot init -d $T/ca" | head -1)
if [ -n "$pid" ]; then
	grep -q '^Max core file size *0 *0' "/proc/$pid/limits"; ok $? "core dumps are disabled in the running process"
else
	ok 1 "found the running process"
fi
keys "$secret" Enter
waitfor '\(again\):'; ok $? "the passphrase is asked a second time"
keys "$secret" Enter
waitfor 'EXIT='; ok $? "init finished"
like 'EXIT=0' "$T/screen" "init succeeded with the typed passphrase"
! grep -q "$secret" "$T/screen"; ok $? "the passphrase never appeared on the screen"
! grep -rq "$secret" "$T/ca"; ok $? "the passphrase is nowhere in the CA directory"
tmux kill-session -t "=$S" 2>/dev/null

# A passphrase too short is refused on its first entry; mismatched
# entries are asked again; the third mismatch ends it, nothing created.
start 100 30 linux "'$OFFROOT' init -d '$T/ca2' --subject /C=DE/O=Test/CN=tty --kdf interactive"
waitfor 'New passphrase'
keys "short" Enter
waitfor 'Too short: at least 8 characters \(2 tries left\)\. New passphrase for the root key:'
ok $? "a passphrase too short is refused on its first entry, and asked again"
! grep -q '(again)' "$T/screen"; ok $? "... before it was typed a second time"
keys "first entry 123" Enter
waitfor '\(again\)'
keys "second entry 456" Enter
waitfor 'The two entries differ \(1 try left\)'; ok $? "two different entries: said so, and asked again"
keys "third entry 789" Enter
waitfor '\(again\)'
keys "fourth entry 012" Enter
waitfor 'EXIT='
like 'EXIT=1' "$T/screen" "the last tries spent: exit 1"
like 'differed' "$T/screen" "... saying the entries differed"
[ ! -e "$T/ca2" ]; ok $? "... and nothing created"
tmux kill-session -t "=$S" 2>/dev/null

# The passphrase file's content never reaches argv or the environment of
# the process (only its name does).
printf 'file passphrase abc123\n' >"$T/pf"
"$OFFROOT" init -d "$T/ca3" --subject /C=DE/O=Test/CN=x --kdf interactive --passphrase-file "$T/pf" >/dev/null 2>&1 &
bg=$!
found=1
for i in $(seq 1 50); do
	if [ -r "/proc/$bg/cmdline" ]; then
		if tr '\0' ' ' <"/proc/$bg/cmdline" | grep -q 'abc123' ||
		    tr '\0' '\n' <"/proc/$bg/environ" 2>/dev/null | grep -q 'abc123'; then found=0; fi
	fi
	sleep 0.02
done
wait $bg
[ $found -eq 1 ]; ok $? "the passphrase is not in argv or the environment"
done_testing
