#!/bin/sh
# OCSP responses signed by the root (offroot ocsp), as a relying party
# sees them: openssl ocsp verifies a "good" response for an intermediate
# in force and a "revoked" one, with its reason, for a revoked
# intermediate; each response is recorded in the journal; a serial this CA
# did not issue (even one it recorded as revoked) and a validity beyond a
# year are refused with nothing written.  A "good" response still valid
# when its certificate is revoked (issue 12, item 10): revoke warns, naming
# its nextUpdate and file, status (text and --json) and the TUI calendar
# list it with the command that signs a "revoked" response, until one is
# signed.
. "$(dirname "$0")/../lib.sh"

CA="$T/ca"
J="$CA/journal"
ROOTPEM="$CA/root.crt"
HOUR_AGO=$(($(date +%s) - 3600))

new_ca "$CA"; ok $? "init"
issue_intermediate "$CA" good-intermediate
issue_intermediate "$CA" revoked-intermediate
GOOD="$T/b-good-intermediate/certificate.pem"
REV="$T/b-revoked-intermediate/certificate.pem"
GOOD_SERIAL=$(serial_of "$GOOD")
REV_SERIAL=$(serial_of "$REV")
t_ok "the intermediate is revoked (cACompromise)" "$OFFROOT" revoke -d "$CA" \
    --cert "$REV" --reason cACompromise --date "@$HOUR_AGO"
# A serial with a revocation record but not issued here: OCSP still refuses
# it (below), as it did not issue it.
t_ok "a serial issued elsewhere is revoked (--unknown-ok)" "$OFFROOT" revoke -d "$CA" \
    --serial 0BADC0DE --reason keyCompromise --unknown-ok --date "@$HOUR_AGO"

t_ok "ocsp: a response for the good intermediate" "$OFFROOT" ocsp -d "$CA" \
    --serial "$GOOD_SERIAL" -o "$T/good.ocsp" --passphrase-file "$PASS"
run openssl ocsp -respin "$T/good.ocsp" -issuer "$ROOTPEM" -VAfile "$ROOTPEM" \
    -no_nonce -serial "0x$GOOD_SERIAL"
grep -q 'Response verify OK' "$T/err" "$T/out" && grep -q ": good" "$T/out"
ok $? "openssl ocsp verifies it: good"
t_ok "ocsp: a response for the revoked intermediate" "$OFFROOT" ocsp -d "$CA" \
    --serial "$REV_SERIAL" -o "$T/rev.ocsp" --days 7 --passphrase-file "$PASS"
run openssl ocsp -respin "$T/rev.ocsp" -issuer "$ROOTPEM" -VAfile "$ROOTPEM" \
    -no_nonce -serial "0x$REV_SERIAL"
grep -q 'Response verify OK' "$T/err" "$T/out" && grep -q ": revoked" "$T/out" &&
    grep -q 'Reason: cACompromise' "$T/out"
ok $? "openssl ocsp verifies it: revoked, cACompromise"
grep -q " ocsp .*status=revoked reason=cACompromise " "$J"
ok $? "the response is recorded in the journal"
ca_snapshot "$CA"
t_fail "ocsp refuses a serial this CA did not issue" 1 "$OFFROOT" ocsp -d "$CA" \
    --serial 0badc0de -o "$T/x.ocsp" --passphrase-file "$PASS"
t_fail "ocsp refuses a validity beyond a year" 1 "$OFFROOT" ocsp -d "$CA" \
    --serial "$GOOD_SERIAL" -o "$T/x.ocsp" --days 400 --passphrase-file "$PASS"
[ ! -e "$T/x.ocsp" ] && ca_unchanged "$CA"; ok $? "nothing written"

t_ok "audit passes after the responses" "$OFFROOT" audit -d "$CA"

# ---- a "good" response that outlives a revocation ----------------------
jserial() { printf '%s' "$1" | tr A-F a-f | sed 's/^0*//'; }
GOOD_J=$(jserial "$GOOD_SERIAL")
RT=$(realpath "$T")
grep -q " ocsp .*serial=$GOOD_J status=good .*file=$RT/good.ocsp " "$J"
ok $? "the ocsp record names the file the response was written to"
GOOD_NU=$(grep " ocsp .*serial=$GOOD_J status=good " "$J" | sed -n 's/.* next_update=\([0-9]*\) .*/\1/p')
NU_TEXT=$(date -u -d "@$GOOD_NU" +%Y-%m-%dT%H:%M:%SZ)
t_ok "status before the revocation" "$OFFROOT" status -d "$CA"
! grep -q 'OCSP response' "$T/out"; ok $? "... lists no OCSP hazard while the certificate is good"

t_ok "the good intermediate is revoked" "$OFFROOT" revoke -d "$CA" \
    --cert "$GOOD" --reason keyCompromise
like "warning: serial $GOOD_J is revoked, but the OCSP response of journal record [0-9]+ \\(written to $RT/good.ocsp\\) says \"good\" until its nextUpdate $NU_TEXT" \
    "$T/err" "revoke warns: the good response, its file and its nextUpdate"
like "warning: sign a \"revoked\" response and publish it in its place: offroot ocsp -d $CA --serial $GOOD_J -o FILE" \
    "$T/err" "... and says the command that signs a revoked one"
[ "$(grep -c 'OCSP response' "$T/err")" -eq 1 ]; ok $? "... once: only this serial's response"

t_ok "status" "$OFFROOT" status -d "$CA"
like "^WARNING: serial $GOOD_J is revoked, but the OCSP response written to $RT/good.ocsp says \"good\" until $NU_TEXT: sign a \"revoked\" response and publish it in its place: offroot ocsp -d $CA --serial $GOOD_J -o FILE\$" \
    "$T/out" "status lists the good response with the command"
t_ok "status --json" "$OFFROOT" status -d "$CA" --json
$PY -c '
import json, sys
o = json.load(open(sys.argv[1]))["ocsp_good_revoked"]
assert len(o) == 1, o
o = o[0]
assert o["serial"] == sys.argv[2] and o["next_update"] == sys.argv[3], o
assert o["file"] == sys.argv[4] and not o["revoked_response_signed"], o
assert o["command"] == "offroot ocsp -d %s --serial %s -o FILE" % (sys.argv[5], sys.argv[2]), o
' "$T/out" "$GOOD_J" "$NU_TEXT" "$RT/good.ocsp" "$CA"
ok $? "status --json: ocsp_good_revoked with serial, nextUpdate, file, command"

if command -v tmux >/dev/null; then
	. "$ROOT/tests/tui.sh"
	start 160 40 xterm-256color "'$OFFROOT' tui -d '$CA'"
	waitfor -a 'offroot  home' "OCSP: serial ${GOOD_J%"${GOOD_J#????????????????}"}"
	like "OCSP: serial .* is REVOKED, but a pre-signed response says GOOD until $(printf '%s' "$NU_TEXT" | cut -c1-10)" \
	    "$T/screen" "the TUI calendar lists the good response"
	like "sign a revoked response: offroot ocsp -d .* --serial " "$T/screen" \
	    "... with the command that answers it"
	keys q
	waitfor 'EXIT=0' >/dev/null
	tmux kill-session -t "=$S" 2>/dev/null
	tmux kill-session -t "=$S-keep" 2>/dev/null
fi

t_ok "ocsp: a revoked response for it" "$OFFROOT" ocsp -d "$CA" \
    --serial "$GOOD_SERIAL" -o "$T/good-revoked.ocsp" --passphrase-file "$PASS"
t_ok "status after it" "$OFFROOT" status -d "$CA" --json
$PY -c '
import json, sys
o = json.load(open(sys.argv[1]))["ocsp_good_revoked"]
assert len(o) == 1 and o[0]["revoked_response_signed"], o
' "$T/out"
ok $? "status --json lists the good one until it expires, saying a revoked one was signed"
run "$OFFROOT" status -d "$CA"
like "good.ocsp says \"good\" until $NU_TEXT; a \"revoked\" response was signed since" \
    "$T/out" "... and the text says so instead of the command"

# A bulk revocation warns too.
issue_intermediate "$CA" bulk
BULK_J=$(jserial "$(serial_of "$T/b-bulk/certificate.pem")")
t_ok "ocsp: a good response for the third intermediate" "$OFFROOT" ocsp -d "$CA" \
    --serial "$BULK_J" -o "$T/bulk.ocsp" --days 3 --passphrase-file "$PASS"
printf '%s\n' "$BULK_J" >"$T/serials"
t_ok "revoke --serials-file" "$OFFROOT" revoke -d "$CA" --serials-file "$T/serials" \
    --reason superseded
like "warning: serial $BULK_J is revoked, but the OCSP response .*written to $RT/bulk.ocsp" \
    "$T/err" "a bulk revocation warns about the good response too"

# A ceremony's revoke step warns the same way.
issue_intermediate "$CA" cer
CER_J=$(jserial "$(serial_of "$T/b-cer/certificate.pem")")
t_ok "ocsp: a good response for the fourth intermediate" "$OFFROOT" ocsp -d "$CA" \
    --serial "$CER_J" -o "$T/cer.ocsp" --days 2 --passphrase-file "$PASS"
mkdir -p "$T/media"
cat >"$T/revoke.ceremony" <<E
offroot-ceremony 1
name: Revocation
version: 1
role: Ceremony Administrator
role: Crypto Officer 1

step 1: Pre-flight checks
role: Ceremony Administrator
action: preflight

step 2: Participants
role: Ceremony Administrator
action: participants

step 3: Revoke the intermediate
role: Crypto Officer 1
action: revoke
param: serial = $CER_J
param: reason = superseded
E
cat >"$T/revoke.answers" <<'E'
participant: Ceremony Administrator = Alice Admin
participant: Crypto Officer 1 = Carol Officer
confirm-all: yes
override airgap: test machine
E
t_ok "a revocation ceremony (batch)" "$OFFROOT" ceremony "$T/revoke.ceremony" \
    -d "$CA" --media "$T/media" --answers "$T/revoke.answers" --passphrase-file "$PASS"
like "warning: serial $CER_J is revoked, but the OCSP response .*written to $RT/cer.ocsp" \
    "$T/err" "the ceremony's revoke step warns about the good response"
t_ok "audit passes with the new ocsp records" "$OFFROOT" audit -d "$CA"

done_testing
