#!/bin/sh
# The terminal interface, driven by keystrokes in tmux: the home screen's
# calendar (root expiry, next CRL, intermediates expiring), redraw on
# resize, a root created and an intermediate signed through the TUI
# (artefacts checked with openssl verify -x509_strict), masked passphrases
# that never reach the screen, Ctrl-C asking before abandoning, exception
# notes, and SIGTERM restoring the terminal.  At 80x24 with TERM=linux and
# in a larger xterm-256color.  Also: the TUI and the batch runner issuing
# the same profile content for the same script; a revoke step killed with
# SIGKILL once its revocation is in the journal, resumed without revoking
# twice; a library's stderr (p11-kit) captured instead of written over the
# screen; SIGSEGV restoring the terminal and reaching ASan's handler.
. "$(dirname "$0")/../lib.sh"
. "$ROOT/tests/tui.sh"
K8S="$ROOT/ceremony-scripts/kubernetes/profiles.cnf"
# Every screen seen is kept, to prove the passphrase never showed.
keep() { pane; cat "$T/screen" >>"$SEEN"; }
# width N: the widest line on the screen is exactly N characters.
width() {
	$PY -c 'import sys
w = max(len(l.rstrip("\n")) for l in open(sys.argv[1], encoding="utf-8"))
sys.exit(0 if w == int(sys.argv[2]) else 1)' "$T/screen" "$1"
}

# ---- the calendar ------------------------------------------------------
new_ca "$T/ca" --profiles "$K8S" --days 30
ok $? "a 30-day root for the calendar"
start 80 24 linux "'$OFFROOT' tui -d '$T/ca'"
# The title is the first line drawn, the status line's clock the last.
waitcond 'grep -q "offroot  home" "$T/screen" && lastline "$CLOCK"'
ok $? "tui -d DIR opens the home screen (80x24, TERM=linux)"
like 'Root: WARNING: the root certificate expires in (29|30) days' "$T/screen" \
    "the home screen warns that the root expires within 30 days"
like 'no CRL has been signed yet' "$T/screen" "the home screen says no CRL was signed"
like 'Sign CSRs brought on media' "$T/screen" "the home screen offers signing"
like '^. +Ceremony: CRL re-signing +.$' "$T/screen" "the home screen lists ceremonies by their name: line"
! grep -q 'Root key generation\|Kubernetes reference hierarchy' "$T/screen"
ok $? "... and offers no root-creating ceremony on a CA that has a root"
like 'UTC' "$T/screen" "the status line shows the UTC clock"
c1=$(grep -o '[0-9][0-9]:[0-9][0-9]:[0-9][0-9] UTC' "$T/screen")
clock() { grep -o '[0-9][0-9]:[0-9][0-9]:[0-9][0-9] UTC' "$T/screen"; }
waitcond '[ "$(clock)" != "$c1" ]' >/dev/null
c2=$(clock)
[ -n "$c1" ] && [ "$c1" != "$c2" ]; ok $? "the clock ticks while nothing happens ($c1, $c2)"
width 80; ok $? "the screen is drawn to exactly 80 columns"

# Resize: everything is drawn again for the new size.
# The status line at the new bottom ends the frame drawn for the new size.
tmux resize-window -t "=$S:" -x 100 -y 30 2>/dev/null || tmux resize-pane -t "=$S:" -x 100 -y 30
waitcond '[ "$(grep -c "" "$T/screen")" -eq 30 ] && lastline "$CLOCK"'
n=$(grep -c '' "$T/screen")
last=$(tail -1 "$T/screen")
[ "$n" -eq 30 ]; ok $? "resized to 100x30: 30 lines drawn"
width 100; ok $? "resized to 100x30: the boxes and status line span the new width"
tmux resize-window -t "=$S:" -x 80 -y 24 2>/dev/null || tmux resize-pane -t "=$S:" -x 80 -y 24
waitcond '[ "$(grep -c "" "$T/screen")" -eq 24 ] && lastline "$CLOCK"'
width 80; ok $? "resized back to 80x24: redrawn to 80 columns"
keys q
waitfor 'EXIT=0'; ok $? "q leaves the TUI with status 0"
tmux kill-session -t "=$S" 2>/dev/null

# An intermediate (20 days, so it expires within 60) and a CRL.
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-384 -nodes \
    -keyout "$T/int.key" -subj "/CN=Vault Intermediate CA" -out "$T/int.csr" 2>/dev/null
t_ok "offroot sign an intermediate for 20 days" "$OFFROOT" sign -d "$T/ca" \
    --csr "$T/int.csr" -o "$T/bundle0" --days 20 --passphrase-file "$PASS" --yes
t_ok "offroot crl" "$OFFROOT" crl -d "$T/ca" -o "$T/crl.pem" --passphrase-file "$PASS"
due=$(date -u -d "@$(( $(date +%s) + 30 * 86400 - 7 * 86400 ))" +%Y-%m-%d)
start 120 40 xterm-256color "'$OFFROOT' tui -d '$T/ca'"
waitcond 'grep -q "offroot  home" "$T/screen" && lastline "$CLOCK"'
ok $? "the home screen in a 120x40 xterm-256color"
like "next CRL due $due" "$T/screen" "the home screen shows when the next CRL is due ($due)"
like 'Expiring within 60 days' "$T/screen" "the home screen lists intermediates expiring within 60 days"
like 'CN=Vault Intermediate CA' "$T/screen" "... naming the intermediate"
keys q
waitfor 'EXIT=0' >/dev/null
tmux kill-session -t "=$S" 2>/dev/null

# ---- a root created through the TUI, at 80x24 on TERM=linux -------------
start 80 24 linux "'$OFFROOT' tui -d '$T/ca2'"
waitfor 'Create a root CA in'; ok $? "a directory without a CA offers to create one"
like 'Ceremony: Root key generation with first CRL and public export' "$T/screen" \
    "... and the root ceremonies, by name"
like 'Ceremony: Kubernetes reference hierarchy: root, Vault intermediate, fir\.\.\. ' "$T/screen" \
    "... a name too long for 80 columns cut with an ellipsis"
keys Enter
waitfor 'Subject of the root'; ok $? "the root's subject is asked"
keys "/C=DE/O=offroot tests/CN=TUI Root" Enter
waitfor 'CRL URL: where relying parties'; ok $? "the CRL URL is asked"
keys "https://crl.tui.test/root.crl" Enter
waitcond 'boxflat | grep -q httpsisrefused'; ok $? "an https CRL URL is refused with the reason, and asked again"
keys "http://crl.tui.test/root.crl" Enter
waitfor 'CA issuers URL: where they'; ok $? "then the CA issuers URL (left empty)"
keys Enter
# The built-in (CA/B Forum) profiles: one root profile, so no profile
# question (89-tui-wizard.t takes a profile set's).
waitfor 'Profile set: what the root'
keys 2 Enter
waitfor -a 'Key type of the root' '\[x\] 1 Name the root' '\[>\] 3 Key type'
like '\[x\] 1 Name the root' "$T/screen" "the step list marks the first step done"
like '\[>\] 3 Key type' "$T/screen" "... and the third current"
keys Enter
waitfor 'Where the root key is kept'
keys Enter
waitfor 'How hard'
keys 3 Enter
waitfor 'The root that will be made'
drive 'grep -q "Create this root" "$T/screen"' >/dev/null
grep -q 'WARNING: CA/Browser Forum defaults' "$SEEN"
ok $? "the preview warns that the built-in profiles are the CA/Browser Forum's"
keys y
waitfor 'New passphrase for the root key'; ok $? "the passphrase is asked in the TUI"
keep
keys -l "short"; waitfor '\*{5}'; keys Enter
waitcond 'grep -q "Too short: at least 8 characters" "$T/screen" && ! grep -q "(again)" "$T/screen"'
ok $? "a passphrase too short is refused on its first entry, before it is typed again"
keep
keys -l "$secret"
waitfor "\\*{${#secret}}"	# all typed: the count is checked below
keep
n=$(grep -o '\*\{1,\}' "$T/screen" | awk '{ print length }' | sort -n | tail -1)
[ "$n" = "${#secret}" ]; ok $? "typing shows one '*' per character ($n)"
keys Enter
waitfor '\(again\)'; ok $? "a new passphrase is asked twice"
keep
keys "a different one" Enter
waitcond 'grep -q differ "$T/screen" && ! grep -q "(again)" "$T/screen"'
ok $? "two different entries: asked again"
keep
keys "$secret" Enter
waitfor '\(again\)'
keys "$secret" Enter
waitfor 'fingerprint of root.crt' "$LONG"; ok $? "the fingerprint is shown in a box"
keep
fp=$(openssl x509 -in "$T/ca2/root.crt" -noout -fingerprint -sha256 2>/dev/null |
    sed 's/.*=//; s/://g')
g1=$(printf '%s' "$fp" | cut -c1-4 | sed 's/./& /g; s/ $//')
waitfor -a 'fingerprint of root.crt' "$g1" >/dev/null
like "$g1" "$T/screen" "the fingerprint is drawn large, digit by digit ($g1)"
keys Enter
waitfor 'Press Enter to continue'; ok $? "the block is confirmed with Enter"
like 'Done' "$T/screen" "the TUI says the root was created"
keep
keys Enter
waitfor -a 'offroot  home' 'Root: expires'
like 'Root: expires' "$T/screen" "back home, the calendar shows the new root"
keys q
waitfor 'EXIT=0' >/dev/null
tmux kill-session -t "=$S" 2>/dev/null
t_ok "the root made in the TUI passes openssl verify -x509_strict" \
    openssl verify -x509_strict -CAfile "$T/ca2/root.crt" "$T/ca2/root.crt"
printf '%s\n' "$secret" >"$T/pass2"
t_ok "the passphrase typed in the TUI opens the key" \
    "$OFFROOT" check-key -d "$T/ca2" --passphrase-file "$T/pass2"
t_ok "the CA made in the TUI passes audit" "$OFFROOT" audit -d "$T/ca2"

# ---- an intermediate signed through the TUI, in an xterm --------------
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-384 -nodes \
    -keyout "$T/int2.key" -subj "/C=DE/O=offroot tests/CN=Vault Intermediate CA 2" -out "$T/int2.csr" 2>/dev/null
start 120 40 xterm-256color "'$OFFROOT' tui -d '$T/ca2'"
waitfor 'Sign CSRs brought on media'
keys Enter
# Without --media the medium's folder is asked first; names are on it.
waitfor 'Folder of the medium'
keys "$T" Enter
waitfor 'CSRs on the medium'; ok $? "signing asks for the CSR files"
keys "int2.csr" Enter
waitfor 'New folder for the signed bundle'
keys "bundle2" Enter
waitfor -a 'Request 1 of 1' 'will issue'; ok $? "the request is shown for review before the key is unlocked"
like 'will issue' "$T/screen" "the review shows what will be issued"
# Enter pages through the review and, at its end, confirms it.
drive 'grep -q "Sign 1 certificate with the root key" "$T/screen"' >/dev/null
waitfor 'Sign 1 certificate with the root key'; ok $? "read to the end, the officer is asked to sign"
keys y
waitfor 'Passphrase for the root key'
type_secret "$secret"
waitfor "bundle's MANIFEST" "$LONG"; ok $? "the bundle manifest's fingerprint is shown for the witnesses"
keep
keys Enter
waitfor 'Press Enter to continue' "$LONG"; ok $? "signing finished in the TUI"
keep
like 'Done' "$T/screen" "... successfully"
keys Enter
waitfor -a 'offroot  home' 'Issued: 1 certificate,'
like 'Issued: 1 certificate, 0 revoked' "$T/screen" "back home, the calendar counts the issued certificate (in the singular)"
keys q
waitfor 'EXIT=0' >/dev/null
tmux kill-session -t "=$S" 2>/dev/null
cert=$(ls "$T/bundle2/"*certificate.pem 2>/dev/null | head -1)
[ -n "$cert" ]; ok $? "the bundle holds the certificate"
t_ok "the intermediate signed in the TUI passes openssl verify -x509_strict" \
    openssl verify -x509_strict -CAfile "$T/ca2/root.crt" "$cert"

# ---- ceremony scripts through the TUI (offroot ceremony on a terminal) ----
mkdir -p "$T/media"
start 80 24 linux "cd '$ROOT' && '$OFFROOT' ceremony ceremony-scripts/root.ceremony -d '$T/rca' --media '$T/media' --kdf interactive"
waitfor 'Pre-flight checks'; ok $? "offroot ceremony on a terminal runs in the TUI (80x24, TERM=linux)"
drive; ok $? "root.ceremony driven to its end by keystrokes"
like 'Done' "$T/screen" "root.ceremony finished successfully"
[ "$(grep -c passphrase "$T/asked")" -ge 3 ]; ok $? "the passphrase was typed twice, then once more to prove it"
grep -q name "$T/asked"; ok $? "the participants were asked for"
grep -q block "$T/asked"; ok $? "blocks (fingerprints, evidence) were shown and confirmed"
keys Enter
waitfor 'EXIT=0'; ok $? "offroot ceremony exits 0"
tmux kill-session -t "=$S" 2>/dev/null
t_ok "the root from the TUI ceremony passes openssl verify -x509_strict" \
    openssl verify -x509_strict -CAfile "$T/rca/root.crt" "$T/rca/root.crt"
t_ok "the CA from the TUI ceremony passes audit" "$OFFROOT" audit -d "$T/rca"
crl=$(ls "$T/media/"*.crl "$T/media/"*/*.crl 2>/dev/null | head -1)
[ -n "$crl" ] && openssl crl -in "$crl" -inform PEM -noout -CAfile "$T/rca/root.crt" 2>/dev/null ||
    openssl crl -in "$crl" -inform DER -noout -CAfile "$T/rca/root.crt" 2>/dev/null
ok $? "the first CRL is on the media and verifies against the root"

openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-384 -nodes \
    -keyout "$T/int3.key" -subj "/C=DE/O=offroot tests/CN=Ceremony Intermediate" \
    -out "$T/media/intermediate.csr" 2>/dev/null
start 120 40 xterm-256color "cd '$ROOT' && '$OFFROOT' ceremony ceremony-scripts/intermediate.ceremony -d '$T/rca' --media '$T/media' --kdf interactive"
waitfor 'Pre-flight checks'; ok $? "intermediate.ceremony in a 120x40 xterm-256color"
drive; ok $? "intermediate.ceremony driven to its end by keystrokes"
like 'Done' "$T/screen" "intermediate.ceremony finished successfully"
keys Enter
waitfor 'EXIT=0' >/dev/null
tmux kill-session -t "=$S" 2>/dev/null
cert=$(ls "$T/media/intermediate-bundle/"*certificate.pem 2>/dev/null | head -1)
[ -n "$cert" ]; ok $? "the bundle on the media holds the certificate"
t_ok "the intermediate from the TUI ceremony passes openssl verify -x509_strict" \
    openssl verify -x509_strict -CAfile "$T/rca/root.crt" "$cert"
grep -q 'CN *= *Ceremony Intermediate' "$T/out" || openssl x509 -in "$cert" -noout -subject | grep -q 'Ceremony Intermediate'
ok $? "... and is the certificate for the CSR on the media"

# The same script in batch (offroot ceremony --answers) issues a
# certificate with the same profile content as the TUI did: everything but
# the serial, the validity instants, the key and the signature is equal.
mkdir -p "$T/media-batch"
cp "$T/media/intermediate.csr" "$T/media-batch/"
cat >"$T/answers-int" <<'E'
participant: Ceremony Administrator = Alice Admin
participant: Internal Witness = Bob Witness
participant: Crypto Officer 1 = Carol Officer
confirm-all: yes
override airgap: rehearsal in a test container
override media: rehearsal in a test container
override reissue: the same CSR again, to compare the two faces' certificates
resume: no
E
t_ok "intermediate.ceremony in batch with the same CSR" sh -c "cd '$ROOT' && exec '$OFFROOT' \
    ceremony ceremony-scripts/intermediate.ceremony -d '$T/rca' --media '$T/media-batch' \
    --answers '$T/answers-int' --passphrase-file '$T/pass2'"
bcert=$(ls "$T/media-batch/intermediate-bundle/"*certificate.pem 2>/dev/null | head -1)
$PY "$ROOT/tests/t/same-profile.py" "$cert" "$bcert" >"$T/same.out" 2>&1
ok $? "the TUI's and the batch runner's certificates have the same profile content"
sed 's/^/#   /' "$T/same.out"
[ "$(openssl x509 -in "$cert" -noout -serial)" != "$(openssl x509 -in "$bcert" -noout -serial)" ]
ok $? "... and are two issuances (different serials)"

# ---- resume after SIGKILL: a revocation recorded, its step not done ----
# The ceremony is killed while the witness is asked to confirm the
# revoke step's check: the journal holds the revocation, the transcript
# does not say the step is done.  Resuming must not revoke again.
serial=$(openssl x509 -in "$bcert" -noout -serial | sed 's/.*=//; s/^0*//' | tr 'A-F' 'a-f')
cat >"$T/revoke.ceremony" <<E
offroot-ceremony 1
name: Revocation of a superseded intermediate
version: 1
role: Ceremony Administrator
role: Internal Witness
role: Crypto Officer 1

step 1: Pre-flight checks
role: Ceremony Administrator
action: preflight

step 2: Participants
role: Ceremony Administrator
action: participants

step 3: Revoke the duplicate intermediate
role: Crypto Officer 1
witness: Internal Witness
action: revoke
param: serial = $serial
param: reason = superseded
check: The serial was read back from the signed revocation request.

step 4: Sign the CRL
role: Crypto Officer 1
action: sign-crl
param: output = after-revocation.crl
E
t_ok "the revocation script passes script check" "$OFFROOT" script check "$T/revoke.ceremony"
start 80 24 linux "'$OFFROOT' ceremony '$T/revoke.ceremony' -d '$T/rca' --media '$T/media-batch' --kdf interactive"
waitfor 'Pre-flight checks' "$LONG"
drive 'grep -q " revoke .*serial=$serial " "$T/rca/journal" && grep -q "\[ Yes \]" "$T/screen" &&
    boxflat | grep -q "InternalWitness(.*):Theserialwasread"'
ok $? "the revocation appears in the journal; the witness is asked to confirm the step's check"
boxflat | grep -q 'readbackfromthesigned'; ok $? "... the check of the revoke step"
pid=$(tui_pid "ceremony $T/revoke.ceremony")
[ -n "$pid" ] && kill -KILL "$pid"
waitfor 'EXIT=137' "$LONG"; ok $? "SIGKILL ends the ceremony there"
tmux kill-session -t "=$S" 2>/dev/null
rtr=$(grep -l 'revoke.ceremony' "$T/rca/transcripts/"*-ceremony-*.log | head -1)
! grep -q ' step-end .*step=3 ' "$rtr"; ok $? "the killed run's transcript does not mark step 3 done"
start 80 24 linux "'$OFFROOT' ceremony '$T/revoke.ceremony' -d '$T/rca' --media '$T/media-batch' --kdf interactive"
waitfor 'An unfinished run of this ceremony' "$LONG" &&
    waitfor -a 'An unfinished run of this ceremony' 'completed steps: 1, 2'
ok $? "the next start shows the unfinished ceremony"
like 'completed steps: 1, 2' "$T/screen" "... what it completed"
drive; ok $? "the resumed ceremony runs to its end"
like 'Done' "$T/screen" "... successfully"
keys Enter
waitfor 'EXIT=0'; ok $? "offroot ceremony exits 0 after the resume"
tmux kill-session -t "=$S" 2>/dev/null
[ "$(grep -c " revoke .*serial=$serial " "$T/rca/journal")" -eq 1 ]
ok $? "the journal holds exactly one revocation of the serial"
grep -q ' resume ' "$rtr" && grep -q ' already-done .*step=3 ' "$rtr" && grep -q ' end ' "$rtr"
ok $? "the transcript records the resume, step 3 found done, and is closed"
t_ok "the resumed ceremony's transcript verifies" "$OFFROOT" transcript verify "$rtr" --root "$T/rca/root.crt"
t_ok "the CA passes audit after the resume" "$OFFROOT" audit -d "$T/rca"
openssl crl -in "$T/media-batch/after-revocation.crl" -noout -text >"$T/crl.txt" 2>/dev/null ||
    openssl crl -inform DER -in "$T/media-batch/after-revocation.crl" -noout -text >"$T/crl.txt" 2>/dev/null
[ "$(grep -ci "serial number: *0*$serial\$" "$T/crl.txt")" -eq 1 ]
ok $? "the CRL signed after the resume lists the serial once"

# An exception note typed in a ceremony reaches its transcript; Ctrl-C
# abandons it, and the transcript records that too.
start 80 24 linux "cd '$ROOT' && '$OFFROOT' ceremony ceremony-scripts/crl.ceremony -d '$T/rca' --media '$T/media' --kdf interactive"
waitfor -a 'Pre-flight checks' 'Enter: confirm you have read it|more below \('
keys C-n
waitfor 'Exception note'
keys "Witness W. saw the seal was broken" Enter
waitfor 'Note taken'; ok $? "a note typed over a block is acknowledged on the status line"
# Enter must reach the block before Ctrl-C: the terminal drops input not
# yet read when it sends SIGINT.
settle && press Enter
keys C-c
waitfor 'Abandon this ceremony'
keys y
waitfor 'Press Enter to continue'; ok $? "a ceremony abandoned with Ctrl-C stops"
keys Enter
waitfor 'EXIT=1'; ok $? "offroot ceremony exits 1 when abandoned"
tmux kill-session -t "=$S" 2>/dev/null
tr=$(grep -l 'Witness%20W.%20saw' "$T/rca/transcripts/"* 2>/dev/null | head -1)
[ -n "$tr" ]; ok $? "the exception note is in the ceremony's transcript"
[ -n "$tr" ] && grep -q ' exception ' "$tr" && grep -q ' abandoned ' "$tr"
ok $? "... as an exception record, and the abandonment is recorded"

# ---- Ctrl-C asks; a note; abandoning ----------------------------------
start 80 24 linux "'$OFFROOT' tui -d '$T/ca3'"
waitfor 'Create a root CA in'
keys Enter
waitfor 'Subject of the root'
keys C-n	# F2 too; tmux sends xterm keys even under TERM=linux
waitfor 'Exception note'; ok $? "Ctrl-N (F2) opens an exception note at any step"
keys "Witness W. notes the door was open" Enter
waitfor 'NOTE: Witness W. notes'; ok $? "the note shows in the conversation"
keys C-c
waitfor 'Abandon this ceremony'; ok $? "Ctrl-C asks before abandoning"
keys n
waitgone 'Abandon this ceremony' && waitfor 'Subject of the root'
ok $? "answering no goes on where it was"
keys C-c
waitfor 'Abandon this ceremony'
keys y
waitfor 'Press Enter to continue'; ok $? "answering yes abandons"
like 'abandoned' "$T/screen" "the outcome says it was abandoned"
keys Enter
waitfor 'offroot  home'
keys q
waitfor 'EXIT=0' >/dev/null
[ ! -e "$T/ca3" ]; ok $? "an abandoned creation leaves nothing"
tmux kill-session -t "=$S" 2>/dev/null

# ---- a library writing to stderr while the TUI is up -------------------
# p11-kit's debug messages (P11_KIT_DEBUG) go to stderr while a root is
# generated on a SoftHSM2 token: the TUI captures fd 2, shows the lines in
# the conversation, records them in the transcript, and writes them to the
# real stderr once the terminal is restored.  The screen stays intact.
tokpin='4711-pin'
if command -v softhsm2-util >/dev/null 2>&1 &&
    sh "$ROOT/hsm/softhsm-setup" "$T/hsm" noisy-ca "$tokpin" 87654321 >"$T/out" 2>"$T/err"; then
	cat >"$T/token.ceremony" <<'E'
offroot-ceremony 1
name: Root on a token
version: 1
role: Ceremony Administrator
role: Internal Witness
role: Crypto Officer 1

step 1: Participants
role: Ceremony Administrator
action: participants

step 2: Generate the root on the token
role: Crypto Officer 1
witness: Internal Witness
action: generate-root
param: subject = /C=DE/O=offroot tests/CN=Token Root via the TUI
param: key = ec-p256
param: store = pkcs11
param: label = tui-root
E
	start 80 24 linux "SOFTHSM2_CONF='$T/hsm/softhsm2.conf' P11_KIT_DEBUG=lib '$OFFROOT' ceremony '$T/token.ceremony' -d '$T/tokca' --token 'pkcs11:token=noisy-ca'"
	waitfor 'Participants' "$LONG"; ok $? "a token ceremony in the TUI with a noisy p11-kit"
	drive 'grep -q "stderr: (p11-kit" "$T/screen"'
	cp "$T/asked" "$T/asked-before"	# drive starts $T/asked anew
	grep -q "stderr: (p11-kit" "$T/screen"
	ok $? "p11-kit's stderr lines are shown in the conversation"
	cp "$T/screen" "$T/noisy-screen"
	! grep -v 'stderr: (p11-kit' "$T/noisy-screen" | grep -q '(p11-kit:'
	ok $? "no raw stderr line is written over the screen"
	width 80; ok $? "the screen is still drawn to exactly 80 columns"
	tail -1 "$T/noisy-screen" | grep -q 'UTC'; ok $? "the status line is intact"
	drive; ok $? "the token ceremony runs to its end"
	like 'Done' "$T/screen" "... successfully"
	# Asked before or after p11-kit's lines showed, by load.
	cat "$T/asked-before" "$T/asked" | grep -q pin
	ok $? "the token's PIN was asked in the TUI"
	keys Enter
	waitfor 'EXIT=0'; ok $? "offroot ceremony exits 0"
	tmux capture-pane -p -S -3000 -t "$S" >"$T/history"
	like 'written to stderr while the terminal interface was open' "$T/history" \
	    "after the TUI closed, the captured lines are written to the real stderr"
	like '^  \(p11-kit:[0-9]+\) p11_kit_modules_load' "$T/history" "... the p11-kit lines themselves"
	tmux kill-session -t "=$S" 2>/dev/null
	ttr=$(ls "$T/tokca/transcripts/"*-ceremony-*.log 2>/dev/null | head -1)
	[ -n "$ttr" ] && grep -q ' stderr [0-9a-f]* step=[0-9]* text=(p11-kit:' "$ttr"
	ok $? "the transcript records the stderr lines"
	t_ok "that transcript verifies" "$OFFROOT" transcript verify "$ttr" --root "$T/tokca/root.crt"
	t_ok "the CA made on the token passes audit" "$OFFROOT" audit -d "$T/tokca"
else
	diag "SoftHSM2 is not usable here: stderr capture is not exercised"
fi

# ---- SIGTERM restores the terminal ------------------------------------
shell 80 24
keys "'$OFFROOT' tui -d '$T/ca4'; echo EXIT=\$?" Enter
waitfor 'Create a root CA in'
keys Enter
waitfor 'Subject of the root'
keys "/C=DE/O=offroot tests/CN=SIGTERM Root" Enter
waitfor 'CRL URL: where'
keys Enter
waitfor 'CA issuers URL: where'
keys Enter
waitfor 'Profile set: what the root'
keys 2 Enter
waitfor 'Key type'
keys Enter
waitfor 'Where the root key is kept'
keys Enter
waitfor 'How hard'
keys 3 Enter
waitfor 'The root that will be made'
drive 'grep -q "Create this root" "$T/screen"' >/dev/null
keys y
waitfor 'New passphrase'
keys -l "half a passphrase"
waitfor '\*{17}'
keep
pid=$(tui_pid "tui -d $T/ca4")
[ -n "$pid" ]; ok $? "found the running TUI"
[ -n "$pid" ] && kill -TERM "$pid"
waitfor 'EXIT=143'; ok $? "SIGTERM ends the TUI (status 143)"
stty_saved
like 'READY\$' "$T/screen" "the shell prompt is back on the restored screen"
! grep -q 'offroot  ' "$T/screen"; ok $? "the TUI's screen is gone (alternate screen left)"
grep -Eq '(^| )icanon( |$)' "$T/stty" && grep -Eq '(^| )echo( |$)' "$T/stty"
ok $? "stty -a: the terminal is back in canonical mode with echo"
keep
[ ! -e "$T/ca4" ]; ok $? "nothing was created by the killed run"
tmux kill-session -t "=$S" 2>/dev/null

# ---- a crash restores the terminal and leaves the report to the previous
# handler: under ASan its report must appear (the TUI's handler hands the
# signal on), otherwise the process dies of SIGSEGV as it would without
# the TUI.
shell 80 24
keys "'$OFFROOT' tui -d '$T/ca' 2>'$T/crash.err'; echo EXIT=\$?" Enter
waitfor 'offroot  home' "$LONG"
pid=$(tui_pid "tui -d $T/ca\$")
[ -n "$pid" ]; ok $? "found the running TUI"
[ -n "$pid" ] && kill -SEGV "$pid"
if [ -n "${OFFROOT_SANITIZED:-}" ]; then
	waitfor 'EXIT=[0-9]+' "$LONG"; ok $? "SIGSEGV ends the TUI"
	grep -q 'AddressSanitizer' "$T/crash.err"
	ok $? "the sanitizer's report of the crash reaches stderr"
else
	waitfor 'EXIT=139' "$LONG"; ok $? "SIGSEGV ends the TUI with the default action (status 139)"
fi
stty_saved
! grep -q 'offroot  ' "$T/screen"; ok $? "after the crash the TUI's screen is gone"
grep -Eq '(^| )icanon( |$)' "$T/stty" && grep -Eq '(^| )echo( |$)' "$T/stty"
ok $? "after the crash the terminal is back in canonical mode with echo"
tmux kill-session -t "=$S" 2>/dev/null

# ---- never on screen; no terminal ---------------------------------------
! grep -q "$secret" "$SEEN"; ok $? "the passphrase never appeared on any screen"
! grep -q "half a passphrase" "$SEEN"; ok $? "a half-typed passphrase never appeared"
t_fail "offroot tui without a terminal: exit 3" 3 "$OFFROOT" tui -d "$T/ca"
run "$OFFROOT" </dev/null
[ "$rc" -eq 2 ] && grep -q 'usage' "$T/err"; ok $? "offroot without arguments and no terminal prints usage (exit 2)"
start 80 24 linux "cd '$T' && '$OFFROOT'"
waitfor 'offroot  home'; ok $? "offroot without arguments on a terminal opens the home screen"
keys q
tmux kill-session -t "=$S" 2>/dev/null
done_testing
