#!/bin/sh
# CRLs (offroot crl) as a relying party sees them: openssl verify
# -crl_check and certtool refuse a revoked intermediate and accept a good
# one, Python cryptography reads back every entry's reason and dates; a
# v2 CRL with an AKI, kept in crls/ and recorded with its SHA-256; numbers
# that only go up (across a kill -9 too, with 200,000 entries), no
# revocation ever lost; bundles carry the current CRL; lints refuse a
# nextUpdate too far out and a thisUpdate in the future or before the last
# CRL's, with nothing written.  Revocation itself is 81-revoke.t's, OCSP
# 82-ocsp.t's.
. "$(dirname "$0")/../lib.sh"

CA="$T/ca"
J="$CA/journal"
ROOTPEM="$CA/root.crt"
NOW=$(date +%s)
HOUR_AGO=$((NOW - 3600))
WEEK_AGO=$((NOW - 7 * 86400))

new_ca "$CA"; ok $? "init"

# ---- issuing two intermediates (offroot sign) --------------------------

issue_intermediate "$CA" good-intermediate
issue_intermediate "$CA" revoked-intermediate
GOOD="$T/b-good-intermediate/certificate.pem"
REV="$T/b-revoked-intermediate/certificate.pem"
REV_SERIAL=$(serial_of "$REV")
# The bundle carries the current CRL: signed by the first sign, kept
# by the second (nothing was revoked in between).
cmp -s "$T/b-good-intermediate/crl.pem" "$T/b-revoked-intermediate/crl.pem"
ok $? "the second bundle reuses the still-current CRL"
openssl crl -in "$T/b-good-intermediate/crl.pem" -CAfile "$ROOTPEM" -noout 2>/dev/null
ok $? "the bundle's CRL verifies with the root"

# ---- revocations for the CRL to list ------------------------------------
# One of each kind the CRL must carry exactly: a serial issued elsewhere
# with an invalidity date, a hold released again (not listed), a batch,
# and the intermediate revoked by its certificate.

t_ok "revoke a serial issued elsewhere (keyCompromise, invalidity date)" \
    "$OFFROOT" revoke -d "$CA" --serial 0BADC0DE --reason keyCompromise --unknown-ok \
    --date "@$HOUR_AGO" --invalidity-date "@$WEEK_AGO"
t_ok "put a certificate on hold" "$OFFROOT" revoke -d "$CA" --serial 0c0ffee \
    --reason certificateHold --unknown-ok --date "@$HOUR_AGO"
t_ok "and release it" "$OFFROOT" revoke -d "$CA" --serial 0c0ffee \
    --reason removeFromCRL --unknown-ok --date "@$HOUR_AGO"
printf '# bulk\n01\n0x02\n00:03\n' >"$T/serials"
t_ok "revoke a batch from a serials file" "$OFFROOT" revoke -d "$CA" \
    --serials-file "$T/serials" --reason superseded --unknown-ok --date "@$HOUR_AGO"
t_ok "revoke the intermediate by its certificate" "$OFFROOT" revoke -d "$CA" \
    --cert "$REV" --reason cACompromise --date "@$HOUR_AGO"

# ---- crl ----------------------------------------------------------------

ca_snapshot "$CA"
t_fail "nextUpdate more than 12 months out is refused" 1 \
    "$OFFROOT" crl -d "$CA" -o "$T/too-far.pem" --days 400 --passphrase-file "$PASS"
like 'e_crl_next_update_too_far' "$T/err" "the lint names the rule"
[ ! -e "$T/too-far.pem" ] && ca_unchanged "$CA"; ok $? "nothing written, no number reserved"
: >"$T/exists.pem"
t_fail "an existing output is not overwritten" 1 \
    "$OFFROOT" crl -d "$CA" -o "$T/exists.pem" --passphrase-file "$PASS"
[ ! -s "$T/exists.pem" ] && ca_unchanged "$CA"; ok $? "nothing written"

t_ok "crl signs the next CRL" "$OFFROOT" crl -d "$CA" -o "$T/crl1.pem" --passphrase-file "$PASS"
N1=$(crl_number "$T/crl1.pem")
openssl crl -in "$T/crl1.pem" -CAfile "$ROOTPEM" -noout 2>"$T/v.err"
like 'verify OK' "$T/v.err" "openssl verifies the CRL with the root"
openssl crl -in "$T/crl1.pem" -noout -text >"$T/crl1.txt"
like 'Version 2' "$T/crl1.txt" "a v2 CRL"
like 'X509v3 Authority Key Identifier' "$T/crl1.txt" "with an AKI"
openssl crl -in "$T/crl1.pem" -outform DER | cmp -s - "$CA/crls/$((0x$N1)).crl"
ok $? "the same CRL is kept in crls/ (DER)"
grep -q " crl .*number=$((0x$N1)) .*file=$((0x$N1)).crl sha256=$(sha256sum <"$CA/crls/$((0x$N1)).crl" | cut -c1-64) " "$J"
ok $? "the crl record names the file and its SHA-256"

# Python's cryptography reads the number, the reasons and the dates exactly.
cat >"$T/expect" <<EOF
number $((0x$N1))
badc0de keyCompromise $HOUR_AGO $WEEK_AGO
1 superseded $HOUR_AGO -
2 superseded $HOUR_AGO -
3 superseded $HOUR_AGO -
EOF
echo "$(echo "$REV_SERIAL" | tr A-F a-f | sed 's/^0*//') cACompromise $HOUR_AGO -" >>"$T/expect"
cat >"$T/readback.py" <<'EOF'
import sys, calendar
from cryptography import x509
crl = x509.load_pem_x509_crl(open(sys.argv[1], "rb").read())
want = open(sys.argv[2]).read().split("\n")
got = ["number %d" % crl.extensions.get_extension_for_class(x509.CRLNumber).value.crl_number]
ts = lambda d: str(calendar.timegm(d.utctimetuple()))
prev = -1
for r in crl:
    assert r.serial_number > prev, "entries are not sorted"
    prev = r.serial_number
    try:
        reason = r.extensions.get_extension_for_class(x509.CRLReason).value.reason.name
        reason = {"key_compromise": "keyCompromise", "ca_compromise": "cACompromise",
                  "superseded": "superseded", "certificate_hold": "certificateHold"}[reason]
    except x509.ExtensionNotFound:
        reason = "unspecified"
    try:
        inv = ts(r.extensions.get_extension_for_class(x509.InvalidityDate).value.invalidity_date)
    except x509.ExtensionNotFound:
        inv = "-"
    got.append("%x %s %s %s" % (r.serial_number, reason, ts(r.revocation_date), inv))
want = [w for w in want if w]
if sorted(got[1:]) != sorted(want[1:]) or got[0] != want[0]:
    print("\n".join("# got  " + g for g in got))
    print("\n".join("# want " + w for w in want))
    sys.exit(1)
EOF
run $PY "$T/readback.py" "$T/crl1.pem" "$T/expect"
ok $rc "Python cryptography reads back the number, every reason and date"
[ $rc -eq 0 ] || cat "$T/out"
grep -q 'Serial Number: 0C0FFEE' "$T/crl1.txt"; [ $? -ne 0 ]
ok $? "a hold released by removeFromCRL is not listed"

sleep 1	# so that a thisUpdate can be before this CRL's but not the root's
t_ok "the next CRL, in DER" "$OFFROOT" crl -d "$CA" -o "$T/crl2.der" --der --passphrase-file "$PASS"
N2=$(openssl crl -inform DER -in "$T/crl2.der" -noout -crlnumber | sed 's/crlNumber=0x//')
[ $((0x$N2)) -gt $((0x$N1)) ]; ok $? "its number is greater ($((0x$N1)) then $((0x$N2)))"
cmp -s "$T/crl2.der" "$CA/crls/$((0x$N2)).crl"; ok $? "DER output equals the kept copy"
ca_snapshot "$CA"
t_fail "a thisUpdate in the future is refused" 1 "$OFFROOT" crl -d "$CA" -o "$T/future.pem" \
    --this-update "@$(($(date +%s) + 3600))" --passphrase-file "$PASS"
like 'e_crl_this_update_in_future' "$T/err" "the lint names the rule"
TU2=$(date -d "$(openssl crl -inform DER -in "$T/crl2.der" -noout -lastupdate | cut -d= -f2)" +%s)
t_fail "a thisUpdate before the last CRL's is refused" 1 "$OFFROOT" crl -d "$CA" \
    -o "$T/past.pem" --this-update "@$((TU2 - 1))" --passphrase-file "$PASS"
like 'e_crl_this_update_before_previous' "$T/err" "the lint names the rule"
[ ! -e "$T/future.pem" ] && [ ! -e "$T/past.pem" ] && ca_unchanged "$CA"; ok $? "nothing written"
THIS=$(date +%s)
sleep 1
t_ok "a CRL with a given thisUpdate and 3 days" "$OFFROOT" crl -d "$CA" -o "$T/crl3.pem" \
    --days 3 --this-update "@$THIS" --passphrase-file "$PASS"
openssl crl -in "$T/crl3.pem" -noout -lastupdate -nextupdate >"$T/dates"
like "lastUpdate=$(date -u -d "@$THIS" '+%b %e %H:%M:%S %Y') GMT" "$T/dates" \
    "thisUpdate is the one given"
like "nextUpdate=$(date -u -d "@$((THIS + 3 * 86400))" '+%b %e %H:%M:%S %Y') GMT" "$T/dates" \
    "nextUpdate is 3 days later"

# status: the next ceremony, and the 7-day warning.
t_ok "status" "$OFFROOT" status -d "$CA"
like '^next CRL due: ' "$T/out" "status says when the next CRL ceremony is due"
like "WARNING: the CRL's nextUpdate is .*within 7 days" "$T/out" "status warns within 7 days"
"$OFFROOT" revoke -d "$CA" --serial 0d --reason superseded --unknown-ok >/dev/null 2>&1
t_ok "status after a revocation" "$OFFROOT" status -d "$CA"
like 'WARNING: 1 revocation is on no CRL yet' "$T/out" "status asks for a CRL within 24 hours"

# ---- relying parties --------------------------------------------------

t_ok "a CRL listing the revoked intermediate" "$OFFROOT" crl -d "$CA" -o "$T/crl.pem" \
    --passphrase-file "$PASS"
run openssl verify -crl_check -CAfile "$ROOTPEM" -CRLfile "$T/crl.pem" "$REV"
[ $rc -ne 0 ] && grep -q 'certificate revoked' "$T/out" "$T/err"
ok $? "openssl verify -crl_check refuses the revoked intermediate"
t_ok "openssl verify -crl_check accepts the good one" \
    openssl verify -crl_check -CAfile "$ROOTPEM" -CRLfile "$T/crl.pem" "$GOOD"
cat "$REV" "$ROOTPEM" "$T/crl.pem" >"$T/rev-chain.pem"
cat "$GOOD" "$ROOTPEM" "$T/crl.pem" >"$T/good-chain.pem"
run certtool --verify-chain --infile "$T/rev-chain.pem"
[ $rc -ne 0 ] && grep -q 'revoked' "$T/out"
ok $? "certtool --verify-chain refuses the revoked intermediate"
t_ok "certtool --verify-chain accepts the good one" \
    certtool --verify-chain --infile "$T/good-chain.pem"

# A revocation after the bundle's CRL: the next bundle has a new one.
mkcsr third-intermediate
t_ok "sign after a revocation" "$OFFROOT" sign -d "$CA" \
    --csr "$T/third-intermediate.csr" -o "$T/b-third" --passphrase-file "$PASS" --yes
"$OFFROOT" revoke -d "$CA" --serial 0e --reason superseded --unknown-ok >/dev/null 2>&1
mkcsr fourth-intermediate
"$OFFROOT" sign -d "$CA" --csr "$T/fourth-intermediate.csr" -o "$T/b-fourth" \
    --passphrase-file "$PASS" --yes >/dev/null 2>&1
a=$(crl_number "$T/b-third/crl.pem"); b=$(crl_number "$T/b-fourth/crl.pem")
[ -n "$a" ] && [ -n "$b" ] && [ $((0x$b)) -gt $((0x$a)) ]
ok $? "a bundle made after a revocation carries a newer CRL"

t_ok "audit passes after all of this" "$OFFROOT" audit -d "$CA"

# ---- scale and kill -9 ------------------------------------------------------

K="$T/kill"
new_ca "$K"; ok $? "init a CA for the kill test"
random_serials 200000 "$T/200k"
t_ok "200,000 revocations for the CRL to list" "$OFFROOT" revoke -d "$K" --serials-file "$T/200k" \
    --reason keyCompromise --unknown-ok --date "@$HOUR_AGO"
t_ok "a first CRL of 200,000 entries" "$OFFROOT" crl -d "$K" -o "$T/k0.pem" --passphrase-file "$PASS"
before=$(crl_number "$T/k0.pem")

# Start crl runs and kill -9 each as soon as it has reserved its number,
# until one dies between the reservation and the crl record.
killed=0 tries=0
while [ $killed = 0 ] && [ $tries -lt 8 ]; do
	tries=$((tries + 1))
	"$OFFROOT" crl -d "$K" -o "$T/k$tries.pem" --passphrase-file "$PASS" -q \
	    >/dev/null 2>&1 &
	pid=$!
	n=0
	while [ $n -lt 20000 ] && kill -0 $pid 2>/dev/null; do
		tail -c 200 "$K/journal" | grep -q ' crl-number ' && break
		n=$((n + 1))
	done
	kill -9 $pid 2>/dev/null
	wait $pid 2>/dev/null
	last=$(tail -1 "$K/journal" | cut -d' ' -f3)
	[ "$last" = crl-number ] && killed=1
done
ok $((1 - killed)) "a crl run was killed after reserving its number ($tries tries)"
reserved=$(tail -1 "$K/journal" | sed 's/.* number=\([0-9]*\) .*/\1/')
t_ok "the journal is intact after the kill" "$OFFROOT" status -d "$K"
t_ok "the next crl run after the kill" "$OFFROOT" crl -d "$K" -o "$T/kafter.pem" --passphrase-file "$PASS"
after=$(crl_number "$T/kafter.pem")
[ $((0x$after)) -gt "$reserved" ] && [ $((0x$after)) -gt $((0x$before)) ]
ok $? "its number ($((0x$after))) is above the one the killed run reserved ($reserved)"
run $PY -c '
import sys
from cryptography import x509
crl = x509.load_pem_x509_crl(open(sys.argv[1], "rb").read())
want = set(int(l, 16) for l in open(sys.argv[2]))
got = set(r.serial_number for r in crl)
print(len(got), len(want))
sys.exit(0 if got == want else 1)
' "$T/kafter.pem" "$T/200k"
ok $rc "no revocation was lost: the CRL lists all 200,000 serials"
[ ! -e "$K/crls/$reserved.crl" ]; ok $? "no CRL file is left under the killed run's number"
numbers=$(grep -o ' crl .* number=[0-9]*' "$K/journal" | sed 's/.*number=//' | tr '\n' ' ')
sorted=$(echo "$numbers" | tr ' ' '\n' | sed '/^$/d' | sort -n | uniq | tr '\n' ' ')
[ "$numbers" = "$sorted" ]; ok $? "the crl records' numbers strictly increase: $numbers"

done_testing
