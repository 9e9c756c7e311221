#!/bin/sh
# What the TUI shows during a ceremony, asserted on captured screens: the
# progress line with its elapsed time while Argon2id runs (sealing the new
# root key, unlocking it to sign); the new root's SHA-256 fingerprint
# drawn large in hex and in PGP words; and on the CSR review screen the
# fingerprints of the CSR and of its public key, in hex and PGP words,
# each equal to what openssl computes; a wrong passphrase asked again,
# with the tries left on screen, and the ceremony completing.  In a
# 120x40 xterm, with the
# default (sensitive) Argon2id level so that the work is long enough to
# be seen.
. "$(dirname "$0")/../lib.sh"
. "$ROOT/tests/tui.sh"

cd "$ROOT" || exit 1
COLS=120
CA="$T/ca"; M="$T/media"; mkdir -p "$M"

# readblock TITLE FILE: with the block TITLE on screen, scroll it a line
# at a time to its end, appending every screen to FILE (form feeds apart).
readblock() {
	: >"$2"
	_rb=0
	while [ $_rb -lt 400 ]; do
		pane
		{ cat "$T/screen"; printf '\f'; } >>"$2"
		grep -q 'more below (' "$T/screen" || return 0
		settle || return 1
		press j || return 1	# the next j only once this one scrolled
		_rb=$((_rb + 1))
	done
	return 1
}
# progress_seen: keeps the first screen showing an Argon2id progress line
# with its elapsed time (for drive's UNTIL: never stops it).
progress_seen() {
	if [ ! -s "$T/progress-$1" ] && grep -q "$2" "$T/screen" &&
	    grep -Eq '[0-9]+:[0-9]{2} elapsed' "$T/screen"; then
		cp "$T/screen" "$T/progress-$1"
	fi
	return 1
}

# ---- root.ceremony: the progress line, the root's fingerprint ------------
start $COLS 40 xterm-256color "'$OFFROOT' ceremony ceremony-scripts/root.ceremony -d '$CA' --media '$M'"
waitfor 'Pre-flight checks'; ok $? "root.ceremony in a ${COLS}x40 xterm (sensitive Argon2id)"
drive 'progress_seen seal "Sealing the key (Argon2id)" || grep -q "fingerprint of the new root" "$T/screen"'
ok $? "driven to the new root's fingerprint"
[ -s "$T/progress-seal" ]; ok $? "while the key is sealed, a progress line is on screen"
like 'Sealing the key \(Argon2id\)' "$T/progress-seal" "... naming the work (Argon2id)"
like '[0-9]+:[0-9]{2} elapsed' "$T/progress-seal" "... with the elapsed time"
like '\[[.#]+\]' "$T/progress-seal" "... and a moving bar"
[ -s "$T/progress-seal" ] || sed 's/^/#   /' "$T/screen"
readblock 'fingerprint of the new root' "$T/block-root"; ok $? "the fingerprint block read to its end"
fp=$(openssl x509 -in "$CA/root.crt" -outform DER | sha256sum | cut -c1-64)
$PY tests/t/blockcheck.py "$T/block-root" "$fp"
ok $? "the root's SHA-256 is shown large in hex and in PGP words ($(echo "$fp" | cut -c1-16)...)"
drive; ok $? "root.ceremony driven to its end"
like 'Done' "$T/screen" "... successfully"
keys Enter
waitfor 'EXIT=0'; ok $? "offroot ceremony exits 0"
tmux kill-session -t "=$S" 2>/dev/null

# ---- intermediate.ceremony: unlocking, the CSR review --------------------
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-384 -nodes \
    -keyout "$T/int.key" -subj "/C=DE/O=offroot tests/CN=Reviewed Intermediate" \
    -out "$M/intermediate.csr" 2>/dev/null
csrfp=$(openssl req -in "$M/intermediate.csr" -outform DER | sha256sum | cut -c1-64)
pubfp=$(openssl req -in "$M/intermediate.csr" -pubkey -noout | openssl pkey -pubin -outform DER |
    sha256sum | cut -c1-64)
start $COLS 40 xterm-256color "'$OFFROOT' ceremony ceremony-scripts/intermediate.ceremony -d '$CA' --media '$M'"
waitfor 'Pre-flight checks'; ok $? "intermediate.ceremony in a ${COLS}x40 xterm"
drive 'grep -q "Request 1 of 1" "$T/screen"'; ok $? "driven to the CSR review"
readblock 'Request 1 of 1' "$T/block-review"; ok $? "the review read to its end, a line at a time"
like 'will issue' "$T/block-review" "the review shows what will be issued"
like 'SHA-256 of the CSR' "$T/block-review" "... the CSR's fingerprint"
like 'SHA-256 of its public key' "$T/block-review" "... and its public key's"
$PY tests/t/blockcheck.py "$T/block-review" "$csrfp"
ok $? "the CSR's SHA-256 (openssl's) is shown large in hex and in PGP words"
$PY tests/t/blockcheck.py "$T/block-review" "$pubfp"
ok $? "the public key's SHA-256 (openssl's) is shown large in hex and in PGP words"
bogus=$(printf '%s' "$csrfp" | tr '0-9a-f' '1-9a-f0')
! $PY tests/t/blockcheck.py "$T/block-review" "$bogus" >/dev/null
ok $? "(the check tells another fingerprint apart)"
drive 'progress_seen unlock "Unlocking the root key (Argon2id)"'
ok $? "intermediate.ceremony driven to its end"
like 'Done' "$T/screen" "... successfully"
[ -s "$T/progress-unlock" ]; ok $? "while the root key is unlocked, a progress line is on screen"
like 'Unlocking the root key \(Argon2id\)' "$T/progress-unlock" "... naming the work"
like '[0-9]+:[0-9]{2} elapsed' "$T/progress-unlock" "... with the elapsed time"
keys Enter
waitfor 'EXIT=0'; ok $? "offroot ceremony exits 0"
tmux kill-session -t "=$S" 2>/dev/null
cert=$(ls "$M/intermediate-bundle/"*certificate.pem 2>/dev/null | head -1)
t_ok "the reviewed intermediate verifies (-x509_strict)" \
    openssl verify -x509_strict -CAfile "$CA/root.crt" "$cert"

# ---- crl.ceremony: a wrong passphrase, then the right one ----------------
# The step asks again, saying how many tries are left, and the ceremony
# completes: no relaunch, no resume.
M2="$T/media2"; mkdir -p "$M2"
wrong=1
answer() {
	if [ "$wrong" = 1 ] && grep -q 'assphrase for the root key' "$T/screen"; then
		wrong=0; echo wrong >>"$T/asked"; type_secret "not the passphrase"
	else
		answer_common
	fi
}
start $COLS 40 xterm-256color "'$OFFROOT' ceremony ceremony-scripts/crl.ceremony -d '$CA' --media '$M2'"
waitfor 'Pre-flight checks'; ok $? "crl.ceremony in a ${COLS}x40 xterm"
: >"$SEEN.crl"; SEEN0=$SEEN; SEEN="$SEEN.crl"
drive; ok $? "crl.ceremony driven to its end"
SEEN=$SEEN0; cat "$SEEN.crl" >>"$SEEN"
grep -q '^wrong$' "$T/asked" && [ "$(grep -c '^passphrase$' "$T/asked")" -ge 1 ]
ok $? "a wrong passphrase was typed, then the right one"
grep -q 'Wrong passphrase, 2 tries left' "$SEEN.crl"; ok $? "the screen said: Wrong passphrase, 2 tries left"
like 'Done' "$T/screen" "... and the ceremony completed"
keys Enter
waitfor 'EXIT=0'; ok $? "offroot ceremony exits 0"
tmux kill-session -t "=$S" 2>/dev/null
TRC=$(ls -t "$CA"/transcripts/*-ceremony-*.log | head -1)
[ "$(grep -c ' key-unlocked ' "$TRC")" -eq 1 ] && grep -q ' crl-signed ' "$TRC" && grep -q ' end ' "$TRC"
ok $? "one transcript: the key unlocked once, the CRL signed, the transcript sealed"
! grep -q "$secret" "$SEEN"; ok $? "the passphrase never appeared on any screen"
done_testing
