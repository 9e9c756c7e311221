#!/bin/sh
# CRLs signed ahead (offroot crl --ahead N -o FOLDER) as the online side
# and relying parties see them: N CRLs with consecutive numbers, thisUpdate
# staggered by the root profile's crl_interval_days and nextUpdate
# crl_days later (Python cryptography reads them back); each verifies at
# its own publication time with openssl verify -crl_check (a revoked
# intermediate refused, a good one accepted) and is "not yet valid" before
# it; files named for number and date, SCHEDULE.txt, a MANIFEST signed by
# the root; journal records audit checks; status and the calendar show
# when they run out.  A revocation withdraws the ones whose time has not
# come (recorded, listed by status for deletion) and the next CRL takes a
# number above them all; a new CRL withdraws a schedule too.  Refusals
# change nothing.  A kill at every rename and syncfs (and every third
# fdatasync) leaves a CA that audit accepts, and no CRL outside it that
# the journal does not record.  The shipped crl-ahead.ceremony runs in
# batch with its answers file.
. "$(dirname "$0")/../lib.sh"

CA="$T/ca"
J="$CA/journal"
NOW=$(date +%s)

# The reference root profile with a CRL period of its own.
sed 's/^authorityKeyIdentifier = keyid:always$/&\ncrl_days = 14\ncrl_interval_days = 10/' \
    "$ROOT/ceremony-scripts/kubernetes/profiles.cnf" >"$T/profiles.cnf"
grep -q '^crl_interval_days = 10' "$T/profiles.cnf"; ok $? "a profile with crl_days 14, crl_interval_days 10"
t_ok "profile check accepts it" "$OFFROOT" profile check "$T/profiles.cnf"
sed 's/^crl_interval_days = 10$/crl_interval_days = 15/' "$T/profiles.cnf" >"$T/bad.cnf"
t_fail "an interval longer than the validity is refused" 1 \
    "$OFFROOT" profile check "$T/bad.cnf"
like 'crl_interval_days 15 is longer than the CRLs. validity of 14 days' "$T/err" "the error says why"

new_ca "$CA" --profiles "$T/profiles.cnf"; ok $? "init"
issue_intermediate "$CA" good
issue_intermediate "$CA" bad
GOOD="$T/b-good/certificate.pem"
BAD="$T/b-bad/certificate.pem"
t_ok "revoke one intermediate" "$OFFROOT" revoke -d "$CA" --cert "$BAD" --reason keyCompromise
t_ok "a plain CRL first" "$OFFROOT" crl -d "$CA" -o "$T/first.pem" --passphrase-file "$PASS"
[ "$(crl_number "$T/first.pem")" = 02 ]; ok $? "it is CRL 2 (the first bundle signed CRL 1)"

# ---- refusals change nothing ------------------------------------------

ca_snapshot "$CA"
t_fail "--ahead 0 is a usage error" 2 "$OFFROOT" crl -d "$CA" --ahead 0 -o "$T/x" --passphrase-file "$PASS"
t_fail "--ahead 53 is a usage error" 2 "$OFFROOT" crl -d "$CA" --ahead 53 -o "$T/x" --passphrase-file "$PASS"
t_fail "an interval longer than the validity is refused" 2 \
    "$OFFROOT" crl -d "$CA" --ahead 3 --interval 20 -o "$T/x" --passphrase-file "$PASS"
t_fail "--interval without --ahead is a usage error" 2 \
    "$OFFROOT" crl -d "$CA" --interval 5 -o "$T/x.pem" --passphrase-file "$PASS"
t_fail "a schedule past the root's notAfter is refused" 1 \
    "$OFFROOT" crl -d "$CA" --ahead 40 -o "$T/x" --passphrase-file "$PASS"
like "e_crl_next_update_after_issuer: CRL 3[0-9] of 40" "$T/err" "the lint names the first CRL too far"
t_fail "a first thisUpdate in the future is refused" 1 \
    "$OFFROOT" crl -d "$CA" --ahead 2 --this-update "@$((NOW + 86400))" -o "$T/x" --passphrase-file "$PASS"
mkdir "$T/exists"
t_fail "an existing folder is refused" 1 "$OFFROOT" crl -d "$CA" --ahead 2 -o "$T/exists" --passphrase-file "$PASS"
[ ! -e "$T/x" ] && ca_unchanged "$CA"; ok $? "nothing written, no number reserved"

# ---- the schedule -----------------------------------------------------

S="$T/sched"
t_ok "crl --ahead 4 --der" "$OFFROOT" crl -d "$CA" --ahead 4 -o "$S" --der --passphrase-file "$PASS"
like 'CRL numbers 3 to 6 signed ahead' "$T/out" "it names the numbers"
like 'run out at .*next CRL ceremony is due by' "$T/out" "and when the next ceremony is due"
[ "$(ls "$S" | grep -c '^crl-000[3-6]-[0-9]\{4\}-[0-9][0-9]-[0-9][0-9]\.crl$')" -eq 4 ] &&
    [ -f "$S/SCHEDULE.txt" ] && [ -f "$S/MANIFEST" ] && [ -f "$S/MANIFEST.sig" ] && [ -f "$S/root.pem" ]
ok $? "four crl-NNNN-DATE.crl files, SCHEDULE.txt, root.pem, MANIFEST and its signature"
! ls -a "$T" | grep -q '\.sched\.partial-'; ok $? "no staging folder left"

run $PY - "$S" "$CA/root.crt" "$BAD" <<'PYEOF'
import datetime, glob, os, re, sys
from cryptography import x509
from cryptography.x509.oid import ExtensionOID
root = x509.load_pem_x509_certificate(open(sys.argv[2], "rb").read())
bad = x509.load_pem_x509_certificate(open(sys.argv[3], "rb").read())
files = sorted(glob.glob(os.path.join(sys.argv[1], "crl-*.crl")))
assert len(files) == 4, files
crls = [x509.load_der_x509_crl(open(f, "rb").read()) for f in files]
nums = [c.extensions.get_extension_for_oid(ExtensionOID.CRL_NUMBER).value.crl_number for c in crls]
assert nums == [3, 4, 5, 6], nums
day = datetime.timedelta(days=1)
for i, (f, c) in enumerate(zip(files, crls)):
    assert c.is_signature_valid(root.public_key()), f
    assert c.issuer == root.subject
    assert c.next_update - c.last_update == 14 * day, (f, c.last_update, c.next_update)
    if i:
        assert c.last_update - crls[i - 1].last_update == 10 * day
    want = "crl-%04d-%s.crl" % (nums[i], c.last_update.strftime("%Y-%m-%d"))
    assert os.path.basename(f) == want, (f, want)
    assert c.get_revoked_certificate_by_serial_number(bad.serial_number) is not None
    assert len(c) == 1
now = datetime.datetime.utcnow()
assert abs((crls[0].last_update - now).total_seconds()) < 600
PYEOF
ok $rc "python cryptography: numbers 3..6, thisUpdate +10 days each, nextUpdate +14 days, names, entries, signatures"
[ $rc -eq 0 ] || diag "$(tail -3 "$T/err")"

(cd "$S" && openssl x509 -in root.pem -noout -pubkey >"$T/root.pub" &&
    openssl dgst -sha384 -verify "$T/root.pub" -signature MANIFEST.sig MANIFEST >/dev/null &&
    sha256sum -c --quiet MANIFEST)
ok $? "MANIFEST.sig verifies with the root's key and every digest matches (as SCHEDULE.txt says)"
like 'openssl dgst -sha384 -verify root.pub -signature MANIFEST.sig MANIFEST' "$S/SCHEDULE.txt" "SCHEDULE.txt says how to check the folder"
like 'not yet valid' "$S/SCHEDULE.txt" "SCHEDULE.txt says why each file waits for its time"
t_ok "offroot verify checks the folder against the root" "$OFFROOT" verify "$S" --root "$CA/root.crt"
like 'verified: .*4 CRLs signed ahead by the root, consecutive and named for their number and date' "$T/out" "... every CRL, its number and name"
t_fail "offroot verify refuses it against another certificate" 1 "$OFFROOT" verify "$S" --root "$GOOD"
F4=$(ls "$S" | grep '^crl-0004-')
TU4=$(openssl crl -inform DER -in "$S/$F4" -noout -lastupdate | cut -d= -f2)
T4=$(date -u -d "$TU4" +%Y-%m-%dT%H:%M:%SZ)
like "^4 +$F4 +$T4 +[0-9T:Z-]+ +[0-9T:Z-]+\$" "$S/SCHEDULE.txt" "SCHEDULE.txt: CRL 4 is published from its thisUpdate"
certtool --crl-info --inder --infile "$S/$F4" >"$T/ct" 2>&1; ok $? "certtool --crl-info reads it"

# Each CRL verifies at its own publication time; a later one is "not yet
# valid" before then.
cat "$CA/root.crt" >"$T/trust.pem"
i=0
for f in "$S"/crl-*.crl; do
	openssl crl -inform DER -in "$f" -out "$T/c.pem"
	tu=$(date -u -d "$(openssl crl -in "$T/c.pem" -noout -lastupdate | cut -d= -f2)" +%s)
	openssl verify -x509_strict -crl_check -CAfile "$T/trust.pem" -CRLfile "$T/c.pem" \
	    -attime $((tu + 60)) "$GOOD" >"$T/v" 2>&1 &&
	! openssl verify -x509_strict -crl_check -CAfile "$T/trust.pem" -CRLfile "$T/c.pem" \
	    -attime $((tu + 60)) "$BAD" >"$T/v2" 2>&1 && grep -q 'certificate revoked' "$T/v2"
	ok $? "$(basename "$f") at its publication time: the good intermediate verifies, the revoked one is refused"
	if [ $i -gt 0 ]; then
		! openssl verify -x509_strict -crl_check -CAfile "$T/trust.pem" -CRLfile "$T/c.pem" \
		    -attime $((tu - 3600)) "$GOOD" >"$T/v3" 2>&1 && grep -q 'CRL is not yet valid' "$T/v3"
		ok $? "$(basename "$f") an hour before its time: openssl says \"CRL is not yet valid\""
	fi
	i=$((i + 1))
done

[ "$(grep -c ' crl-ahead .*number=[3-6] this_update=[0-9]* next_update=[0-9]* entries=1 file=[3-6]\.crl sha256=[0-9a-f]\{64\} published=crl-000[3-6]-' "$J")" -eq 4 ]
ok $? "the journal records each one signed ahead: number, thisUpdate, nextUpdate, digest, file"
grep -q " crl-schedule .*manifest_sha256=$(sha256sum <"$S/MANIFEST" | cut -c1-64) first=3 last=6 count=4 days=14 interval=10 " "$J"
ok $? "and the folder with its MANIFEST's digest"
cmp -s "$CA/crls/5.crl" "$S/$(ls "$S" | grep '^crl-0005-')"; ok $? "each is kept in crls/"
t_ok "audit" "$OFFROOT" audit -d "$CA"
like '4 CRLs signed ahead match their records; 1 schedule folder checked' "$T/out" "audit checks them and the folder"

LAST_NU=$(date -u -d "$(openssl crl -inform DER -in "$S/$(ls "$S" | grep '^crl-0006-')" -noout -nextupdate | cut -d= -f2)" +%Y-%m-%dT%H:%M:%SZ)
t_ok "status" "$OFFROOT" status -d "$CA"
like "^signed ahead: +3 CRLs to publish, next crl-0004-.* at .*; they run out at $LAST_NU" "$T/out" "status: what is left and when they run out"
t_ok "status --json" "$OFFROOT" status -d "$CA" --json
cp "$T/out" "$T/status.json"
run $PY - "$T/status.json" "$LAST_NU" <<'PYEOF'
import datetime, json, sys
d = json.load(open(sys.argv[1]))["crl"]
assert d["number"] == 3 and d["covered_until"] == sys.argv[2], d
due = datetime.datetime.strptime(d["next_due"], "%Y-%m-%dT%H:%M:%SZ")
end = datetime.datetime.strptime(d["covered_until"], "%Y-%m-%dT%H:%M:%SZ")
assert end - due == datetime.timedelta(days=7)
assert d["ahead"]["left"] == 3 and d["ahead"]["next_number"] == 4, d
assert d["withdrawn"] == []
PYEOF
ok $rc "status --json: CRL 3 now, covered until the last nextUpdate, due a week before"

# A bundle signed meanwhile carries the CRL signed ahead that is current.
issue_intermediate "$CA" later
openssl crl -in "$T/b-later/crl.pem" -outform DER | cmp -s - "$CA/crls/3.crl"
ok $? "a bundle signed meanwhile carries CRL 3, not a new CRL"
! grep -q ' crl-withdraw ' "$J"; ok $? "and withdraws nothing"

# ---- a revocation withdraws the rest ----------------------------------

t_ok "revoke after the schedule" "$OFFROOT" revoke -d "$CA" --cert "$T/b-later/certificate.pem" --reason superseded
like '^offroot: warning: 3 CRLs signed ahead are withdrawn .*crl-0004-.*crl-0005-.*crl-0006-' "$T/err" "revoke warns that the remaining three are withdrawn"
grep -q ' crl-withdraw .*numbers=4,5,6 files=crl-0004-' "$J"; ok $? "and records it"
t_ok "status" "$OFFROOT" status -d "$CA"
like '^withdrawn: +crl-0004-.*\(CRL 4\): delete it' "$T/out" "status lists the withdrawn files"
like 'WARNING: 3 CRLs signed ahead are WITHDRAWN' "$T/out" "and warns"
t_ok "status --json" "$OFFROOT" status -d "$CA" --json
cp "$T/out" "$T/status.json"
run $PY -c 'import json,sys; d=json.load(open(sys.argv[1]))["crl"]; w=[x["number"] for x in d["withdrawn"]]; sys.exit(0 if w==[4,5,6] and d["ahead"]["left"]==0 and d["revocations_since"]==1 else 1)' "$T/status.json"
ok $rc "status --json lists CRLs 4, 5, 6 as withdrawn"
# A kill between the revocation and its crl-withdraw record: the
# revocation alone withdraws them, and the next CRL records it.
cp -a "$CA" "$T/cut"; sed -i '$d' "$T/cut/journal"
tail -1 "$T/cut/journal" | grep -q ' revoke '; ok $? "a copy without the crl-withdraw record"
t_ok "status of the copy" "$OFFROOT" status -d "$T/cut"
like 'WARNING: 3 CRLs signed ahead are WITHDRAWN' "$T/out" "still lists the three as withdrawn"
t_ok "a crl on the copy" "$OFFROOT" crl -d "$T/cut" -o "$T/cut.pem" --passphrase-file "$PASS"
grep -q ' crl-withdraw .*numbers=4,5,6 .*why=superseded%20by%20CRL%207 ' "$T/cut/journal"; ok $? "records their withdrawal"
rm -rf "$T/cut"
t_ok "the next crl" "$OFFROOT" crl -d "$CA" -o "$T/after.pem" --passphrase-file "$PASS"
[ "$(crl_number "$T/after.pem")" = 07 ]; ok $? "takes number 7, above every CRL signed ahead"
t_ok "audit" "$OFFROOT" audit -d "$CA"

# ---- a new CRL supersedes a schedule ----------------------------------

t_ok "a second schedule" "$OFFROOT" crl -d "$CA" --ahead 2 -o "$T/s2" --passphrase-file "$PASS"
[ "$(ls "$T/s2" | grep -c '^crl-000[89]-.*\.pem$')" -eq 2 ]; ok $? "PEM files without --der, CRLs 8 and 9"
t_ok "a CRL signed now" "$OFFROOT" crl -d "$CA" -o "$T/now.pem" --passphrase-file "$PASS"
like 'warning: 1 CRL signed ahead is withdrawn \(superseded by CRL 10\)' "$T/err" "withdraws CRL 9"
[ "$(crl_number "$T/now.pem")" = 0A ]; ok $? "and is CRL 10"
t_ok "audit" "$OFFROOT" audit -d "$CA"

# audit checks the folder it can see.
cp "$S/SCHEDULE.txt" "$T/keep"
echo tampered >>"$S/SCHEDULE.txt"
t_fail "audit refuses an altered schedule folder" 1 "$OFFROOT" audit -d "$CA"
like 'SCHEDULE.txt does not match its digest' "$T/err" "naming the file"
cp "$T/keep" "$S/SCHEDULE.txt"

# A folder given by a relative path is recorded by its absolute one, so
# audit finds it from any working directory (on a copy: the ceremony below
# counts the CA's schedules).
cp -a "$CA" "$T/rel"
(cd "$T" && "$OFFROOT" crl -d rel --ahead 2 -o relsched --passphrase-file "$PASS" >/dev/null 2>&1)
ok $? "crl --ahead with a relative CA directory and folder"
grep -q " crl-schedule .*outdir=$T/relsched " "$T/rel/journal"; ok $? "records the folder's absolute path"
echo tampered >>"$T/relsched/SCHEDULE.txt"
(cd / && "$OFFROOT" audit -d "$T/rel" >/dev/null 2>"$T/relerr"); [ $? -eq 1 ]
ok $? "audit from another directory refuses the altered folder"
grep -q 'SCHEDULE.txt does not match its digest' "$T/relerr"; ok $? "naming the file"
rm -rf "$T/rel" "$T/relsched" "$T/relerr"

# ---- the shipped ceremony ---------------------------------------------

t_ok "script check crl-ahead.ceremony" "$OFFROOT" script check "$ROOT/ceremony-scripts/crl-ahead.ceremony"
cp -a "$CA" "$T/cer"; mkdir "$T/media"
t_ok "crl-ahead.ceremony runs in batch with the shipped answers" \
    "$OFFROOT" ceremony "$ROOT/ceremony-scripts/crl-ahead.ceremony" -d "$T/cer" \
    --media "$T/media" --answers "$ROOT/ceremony-scripts/crl-ahead.answers" \
    --passphrase-file "$PASS"
cat "$T/out" "$T/err" >"$T/ceremony.log"
! grep -q 'never used' "$T/ceremony.log"; ok $? "every answer of the example is used"
[ "$(ls "$T/media/crl-ahead" | grep -c '^crl-00[0-9][0-9]-.*\.pem$')" -eq 6 ] &&
    [ -f "$T/media/crl-ahead/SCHEDULE.txt" ] && [ -f "$T/media/public-crl-ahead/root.pem" ] &&
    cmp -s "$T/media/public-crl-ahead/crl.pem" "$T/media/crl-ahead/$(ls "$T/media/crl-ahead" | grep '^crl-' | head -1)"
ok $? "six CRLs signed ahead and SCHEDULE.txt on the media; the root and the first of them exported"
grep -q ' fingerprint .*of=bundle sha256='"$(sha256sum <"$T/media/crl-ahead/MANIFEST" | cut -c1-64)" \
    "$T/cer/transcripts/"*-ceremony-*.log
ok $? "the witness confirmed the folder's MANIFEST fingerprint"
t_ok "audit accepts the CA" "$OFFROOT" audit -d "$T/cer"
like '12 CRLs signed ahead match their records; 3 schedule folders checked' "$T/out" "audit counts the ceremony's CRLs and folder too"

# The ceremony killed at the rename that publishes its folder: run again,
# it renames the recorded folder into place and signs nothing twice.
if command -v strace >/dev/null 2>&1; then
	rm -rf "$T/cer" "$T/media"; cp -a "$CA" "$T/cer"; mkdir "$T/media"
	cp -a "$CA" "$T/cnt"; mkdir "$T/media-cnt"
	strace -f -o "$T/renames" -e trace=renameat2 "$OFFROOT" ceremony \
	    "$ROOT/ceremony-scripts/crl-ahead.ceremony" -d "$T/cnt" --media "$T/media-cnt" \
	    --answers "$ROOT/ceremony-scripts/crl-ahead.answers" --passphrase-file "$PASS" >/dev/null 2>&1
	N=$(awk '/renameat2\(/ { n++ } /renameat2\(.*\.crl-ahead\.partial-/ { print n; exit }' "$T/renames")
	rm -rf "$T/cnt" "$T/media-cnt"
	strace -f -o /dev/null -e inject=renameat2:signal=KILL:when="$N" "$OFFROOT" ceremony \
	    "$ROOT/ceremony-scripts/crl-ahead.ceremony" -d "$T/cer" --media "$T/media" \
	    --answers "$ROOT/ceremony-scripts/crl-ahead.answers" --passphrase-file "$PASS" >/dev/null 2>&1
	[ -n "$N" ] && [ ! -e "$T/media/crl-ahead" ] && ls -a "$T/media" | grep -q '^\.crl-ahead\.partial-'
	ok $? "the ceremony killed at its rename $N leaves the folder staged"
	{ cat "$ROOT/ceremony-scripts/crl-ahead.answers"; echo "resume: yes"; } >"$T/resume.answers"
	t_ok "the ceremony run again" "$OFFROOT" ceremony "$ROOT/ceremony-scripts/crl-ahead.ceremony" \
	    -d "$T/cer" --media "$T/media" --answers "$T/resume.answers" --passphrase-file "$PASS"
	cat "$T/out" "$T/err" >"$T/resume.log"
	like 'were signed ahead before the interruption: not signing again' "$T/resume.log" "resumes without signing again"
	[ "$(grep -c ' crl-schedule ' "$T/cer/journal")" -eq "$(($(grep -c ' crl-schedule ' "$CA/journal") + 1))" ] &&
	    [ -f "$T/media/crl-ahead/SCHEDULE.txt" ]
	ok $? "one schedule recorded, its folder in place"
	t_ok "audit accepts the resumed ceremony's CA" "$OFFROOT" audit -d "$T/cer"
fi
rm -rf "$T/cer" "$T/media"

# ---- crashes ----------------------------------------------------------

if ! command -v strace >/dev/null 2>&1; then
	diag "strace is not installed: no crash checks"
	done_testing
	exit
fi
cp -a "$CA" "$T/base"
# unrecorded CA WHERE: every CRL file under WHERE (staged folders too) is
# one the journal of CA records, by the SHA-256 of its DER.
unrecorded() {
	find "$2" -name 'crl-*' -type f | while read -r f; do
		if head -c 5 "$f" | grep -q -- '-----'; then
			d=$(openssl crl -in "$f" -outform DER 2>/dev/null | sha256sum | cut -c1-64)
		else
			d=$(sha256sum <"$f" | cut -c1-64)
		fi
		grep -q " sha256=$d " "$1/journal" || { echo "$f"; exit 1; }
	done
}
# Every rename and syncfs; every third fdatasync (the journal's commits
# and the transcript's records, a sample of both).
for sc in renameat2 syncfs fdatasync; do
	n=1 step=1
	[ $sc = fdatasync ] && step=3
	while [ $n -le 30 ]; do
		C="$T/k-$sc-$n"
		rm -rf "$C"; cp -a "$T/base" "$C"
		mkdir -p "$T/out-$sc-$n"
		strace -f -o /dev/null -e inject="$sc":signal=KILL:when=$n \
		    "$OFFROOT" crl -d "$C" --ahead 3 -o "$T/out-$sc-$n/s" \
		    --passphrase-file "$PASS" >/dev/null 2>&1 && break
		"$OFFROOT" revoke -d "$C" --serial 0c0ffee --reason superseded --unknown-ok \
		    >/dev/null 2>"$T/kerr" &&
		    "$OFFROOT" audit -d "$C" >/dev/null 2>"$T/kerr" &&
		    unrecorded "$C" "$T/out-$sc-$n" >"$T/kerr" 2>&1 &&
		    { ! grep -q " crl-schedule .*outdir=$T/out-$sc-$n/s " "$C/journal" ||
		    [ -f "$T/out-$sc-$n/s/SCHEDULE.txt" ]; }
		ok $? "crl --ahead killed at $sc $n: the next command recovers, audit passes, no unrecorded CRL left outside, a recorded folder is in place"
		[ -s "$T/kerr" ] && diag "$(head -3 "$T/kerr")"
		rm -rf "$C" "$T/out-$sc-$n"
		n=$((n + step))
	done
	[ $n -gt 1 ]; ok $? "$sc: kill points up to $((n - step)) tried, then it completed"
done

done_testing
