#!/bin/sh
# The release a ceremony runs: a script may pin the binary's SHA-256 from
# RELEASE.txt on its pre-flight step.  A binary that is not the pinned
# release fails the self-check, and going on needs a recorded reason; the
# right one passes.  Without a pin the Ceremony Administrator compares the
# hash with the printed RELEASE.txt, and the answer is recorded either way.
# script check refuses a malformed pin, script print puts it on paper.
. "$(dirname "$0")/../lib.sh"

SELF=$(sha256sum "$OFFROOT" | cut -d' ' -f1)
OTHER=$(printf 'another build' | sha256sum | cut -d' ' -f1)

pin_script() {	# FILE [PIN-LINE]
	cat >"$1" <<E
offroot-ceremony 1
name: Release pin
version: 1
role: Ceremony Administrator
role: Internal Witness

step 1: Pre-flight
role: Ceremony Administrator
action: preflight
param: checks = selfcheck
${2:-}

step 2: Participants
role: Ceremony Administrator
action: participants

step 3: Close
role: Ceremony Administrator
action: note
	Nothing else.
E
}
cat >"$T/answers" <<'E'
participant: Ceremony Administrator = Alice Admin
participant: Internal Witness = Bob Witness
confirm-all: yes
resume: no
E
new_ca "$T/ca"; ok $? "a CA for the ceremonies"
transcript_of() {	# DIR: the newest ceremony transcript, printed
	"$OFFROOT" transcript print "$(ls -t "$1"/transcripts/*-ceremony-*.log | head -1)" >"$T/tp" 2>&1
}

# ---- script check and print -------------------------------------------
pin_script "$T/good.ceremony" "param: binary_sha256 = $SELF"
t_ok "a pinned release passes script check" "$OFFROOT" script check "$T/good.ceremony"
t_ok "script print renders it" "$OFFROOT" script print "$T/good.ceremony"
head -12 "$T/out" | tr -d ' \n' | grep -q "pinnedbinarySHA-256$SELF"
ok $? "script print puts the pinned hash at the top of the paper"
pin_script "$T/short.ceremony" "param: binary_sha256 = ${SELF%????}"
t_fail "a pin that is not 64 hex digits is refused" 1 "$OFFROOT" script check "$T/short.ceremony"
like 'binary_sha256: expected the 64 hex digits' "$T/err" "... saying what a pin is"
pin_script "$T/nohex.ceremony" "param: binary_sha256 = ${SELF%??}zz"
t_fail "a pin with a non-hex digit is refused" 1 "$OFFROOT" script check "$T/nohex.ceremony"
sed 's/^param: checks = selfcheck$/param: checks = airgap/' "$T/good.ceremony" >"$T/nosc.ceremony"
t_fail "a pin on a pre-flight without the self-check is refused" 1 "$OFFROOT" script check "$T/nosc.ceremony"
like 'add it to "param: checks"' "$T/err" "... naming the fix"

# ---- a binary that is not the pinned release ----------------------------
pin_script "$T/other.ceremony" "param: binary_sha256 = $OTHER"
t_fail "another release's pin fails the pre-flight" 3 "$OFFROOT" ceremony "$T/other.ceremony" \
    -d "$T/ca" --answers "$T/answers" --passphrase-file "$PASS"
like 'is not the release the script pins' "$T/err" "... saying the binary is not the pinned release"
transcript_of "$T/ca"
like 'compared_with +the script.s pin' "$T/tp" "the comparison is recorded"
like "pinned +$OTHER" "$T/tp" "... with the pinned value"
like 'matches +no' "$T/tp" "... and the mismatch"
{ cat "$T/answers"; echo "override selfcheck: rehearsal on a development build, release not yet made"; } >"$T/answers-ov"
t_ok "an override with a reason goes on" "$OFFROOT" ceremony "$T/other.ceremony" \
    -d "$T/ca" --answers "$T/answers-ov" --passphrase-file "$PASS"
transcript_of "$T/ca"
like 'failed +self-check: this binary.s SHA-256 .* is not the release the script pins' "$T/tp" \
    "the override names the failed pin"
like 'reason +rehearsal on a development build' "$T/tp" "... with its reason"

# ---- the right release --------------------------------------------------
t_ok "the pinned release passes" "$OFFROOT" ceremony "$T/good.ceremony" -d "$T/ca" \
    --answers "$T/answers" --passphrase-file "$PASS"
transcript_of "$T/ca"
like "binary_sha256 +$SELF" "$T/tp" "the running binary's hash is recorded"
like 'matches +yes' "$T/tp" "... matching the pin"
! grep -q ' override ' "$T/tp"; ok $? "... with no override"

# ---- no pin: the officer compares with the printed RELEASE.txt ----------
pin_script "$T/nopin.ceremony"
t_ok "without a pin the officer's comparison is asked" "$OFFROOT" ceremony "$T/nopin.ceremony" \
    -d "$T/ca" --answers "$T/answers" --passphrase-file "$PASS"
like 'does the binary.s SHA-256 match both printed copies of RELEASE.txt' "$T/err" \
    "the question names RELEASE.txt"
transcript_of "$T/ca"
like 'compared_with +the printed RELEASE.txt' "$T/tp" "the answer is recorded"
like 'by +Ceremony Administrator \(Alice Admin\)' "$T/tp" "... with who gave it"
{ sed 's/^confirm-all: yes$//' "$T/answers"; echo "confirm 1: no"; echo "confirm-all: yes"; } >"$T/answers-no"
t_fail "an officer who says it does not match stops the ceremony" 3 "$OFFROOT" ceremony \
    "$T/nopin.ceremony" -d "$T/ca" --answers "$T/answers-no" --passphrase-file "$PASS"
like 'does not match the printed RELEASE.txt' "$T/err" "... saying why"
done_testing
