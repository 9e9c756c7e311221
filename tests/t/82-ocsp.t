#!/bin/sh
# OCSP responses signed by the root (offroot ocsp), as a relying party
# sees them: openssl ocsp verifies a "good" response for an intermediate
# in force and a "revoked" one, with its reason, for a revoked
# intermediate; each response is recorded in the journal; a serial this CA
# did not issue (even one it recorded as revoked) and a validity beyond a
# year are refused with nothing written.
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

done_testing
