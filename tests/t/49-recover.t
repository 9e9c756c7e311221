#!/bin/sh
# After a crash, the next command that takes the CA lock settles what the
# kill left (recover.c): each crash is reproduced with strace's fault
# injection (SIGKILL at the Nth syscall), then the next ordinary command
# must succeed, say what it did, and leave a CA that audit accepts.
#   - sign killed at its first syncfs: issued/<serial>.pem, root-signed and
#     unrecorded, is moved to quarantine/ with a recover record, never
#     deleted; status reports it, backup copies it, its serial is never
#     signed again;
#   - crl killed after writing crls/N.crl, before recording it: the CRL is
#     quarantined and N stays unused;
#   - crl killed between its transcript's seal and the transcript record:
#     the close is recorded; a 0-byte transcript is set aside;
#   - a kill between a quarantine record and its move: the next run moves;
#   - sign and backup killed at every fdatasync and rename: a complete
#     bundle or backup never exists without its export or backup record,
#     and a staging folder left behind is named by the next run;
#   - what a crash cannot explain (a planted certificate, transcript or
#     quarantine file) still fails audit.
. "$(dirname "$0")/../lib.sh"

if ! command -v strace >/dev/null 2>&1; then
	echo "1..0 # SKIP strace is not installed"
	exit 0
fi

# kill_at SYSCALL N CMD...: runs CMD, killed at its Nth SYSCALL.
kill_at() {
	_sc=$1 _at=$2; shift 2
	strace -f -o /dev/null -e inject="$_sc":signal=KILL:when="$_at" "$@" \
	    >"$T/kout" 2>"$T/kerr"
	[ $? -ne 0 ]
}
sign_to() {	# sign_to CA CSR OUT
	"$OFFROOT" sign -d "$1" --csr "$2" -o "$3" --passphrase-file "$PASS" --yes
}

new_ca "$T/base"; ok $? "init"
mkcsr a; mkcsr b; mkcsr c

# ---- item 1: an unrecorded certificate ----------------------------------

CA="$T/ca"
cp -a "$T/base" "$CA"
kill_at syncfs 1 "$OFFROOT" sign -d "$CA" --csr "$T/a.csr" -o "$T/ka" \
    --passphrase-file "$PASS" --yes
ok $? "sign killed at its first syncfs"
ORPHAN=$(ls "$CA/issued")
[ -n "$ORPHAN" ] && openssl verify -CAfile "$CA/root.crt" "$CA/issued/$ORPHAN" >/dev/null 2>&1
ok $? "it left issued/$ORPHAN, a certificate the root signed"
OSHA=$(sha256sum <"$CA/issued/$ORPHAN" | cut -c1-64)
OSERIAL=${ORPHAN%.pem}
t_fail "audit reports it as planted before any command ran" 1 "$OFFROOT" audit -d "$CA"
like "issued/$ORPHAN is not recorded" "$T/err" "audit names the file"

t_ok "the next sign succeeds" sign_to "$CA" "$T/b.csr" "$T/bb"
like "^offroot: warning: recovered: moved issued/$ORPHAN to quarantine/$ORPHAN: signed by the root, but its issue record was never written" \
    "$T/err" "it tells the officer it moved the certificate to quarantine, and why"
[ "$(grep -c 'recovered:' "$T/err")" -eq 1 ]; ok $? "one line for the one action"
[ ! -e "$CA/issued/$ORPHAN" ] && [ "$(sha256sum <"$CA/quarantine/$ORPHAN" | cut -c1-64)" = "$OSHA" ]
ok $? "the certificate is in quarantine/, byte for byte, and no longer in issued/"
grep -q " recover .*action=quarantine file=issued/$ORPHAN to=quarantine/$ORPHAN sha256=$OSHA serial=$OSERIAL why=" "$CA/journal"
ok $? "a recover record names what, where, its digest, serial and why"
! grep -q " issue .*serial=$OSERIAL " "$CA/journal"
ok $? "the quarantined serial is not recorded as issued"
NSERIAL=$(grep ' issue ' "$CA/journal" | sed 's/.* serial=\([0-9a-f]*\) .*/\1/')
[ -n "$NSERIAL" ] && [ "$NSERIAL" != "$OSERIAL" ]; ok $? "the new certificate has another serial"
t_ok "audit passes after the recovery" "$OFFROOT" audit -d "$CA"
t_ok "status" "$OFFROOT" status -d "$CA"
like "^recovered: +1 action after crashes, 1 file set aside in quarantine/" "$T/out" "status reports the recovery"
t_ok "status --json" "$OFFROOT" status -d "$CA" --json
cp "$T/out" "$T/status.json"
run $PY -c 'import json,sys; d=json.load(open(sys.argv[1])); r=d["recovered"]; sys.exit(0 if r["actions"]==1 and r["quarantined"]==1 else 1)' "$T/status.json"
ok $rc "status --json: recovered.actions 1, recovered.quarantined 1"
t_ok "a second command recovers nothing more" "$OFFROOT" revoke -d "$CA" --serial "$NSERIAL" --reason superseded
! grep -q 'recovered' "$T/err"; ok $? "no recovery line the second time"

mkdir "$T/bk"
t_ok "backup" "$OFFROOT" backup -d "$CA" --to "$T/bk"
BK=$(ls -d "$T"/bk/*-backup-*)
cmp -s "$BK/quarantine/$ORPHAN" "$CA/quarantine/$ORPHAN"; ok $? "the backup holds quarantine/ too"
grep -q " quarantine/$ORPHAN\$" "$BK/MANIFEST"; ok $? "the backup's MANIFEST names the quarantined certificate"
t_ok "backup --check against the live CA" "$OFFROOT" backup --check "$BK" -d "$CA"

# Planted files still fail audit.
P="$T/planted"
cp -a "$CA" "$P"
cp "$P/quarantine/$ORPHAN" "$P/issued/$ORPHAN"
t_ok "a command on a CA with a planted copy of the quarantined certificate" "$OFFROOT" revoke -d "$P" --serial 1234 --unknown-ok --reason superseded
like "issued/$ORPHAN is not recorded in the journal and holds serial $OSERIAL, set aside before: left for audit" "$T/err" "it says it leaves the planted file"
[ -e "$P/issued/$ORPHAN" ]; ok $? "the planted file stays where it was"
t_fail "audit still reports the planted certificate" 1 "$OFFROOT" audit -d "$P"
like "issued/$ORPHAN is not recorded" "$T/err" "audit names it"
cp -a "$CA" "$P.2"
echo junk >"$P.2/quarantine/extra.pem"
t_fail "audit reports a file in quarantine/ no recover record names" 1 "$OFFROOT" audit -d "$P.2"
like "quarantine/extra.pem is not recorded" "$T/err" "audit names it"

# The serial of a quarantined certificate is never signed again: a
# random source that draws the same 20 bytes every time (LD_PRELOAD).
S="$T/serial"
cp -a "$T/base" "$S"
cat >"$T/shim.c" <<'EOF'
#include <string.h>
int RAND_priv_bytes(unsigned char *buf, int num)
{
	memset(buf, 0x5a, (size_t)num);
	return 1;
}
EOF
if cc -shared -fPIC -o "$T/shim.so" "$T/shim.c" 2>/dev/null; then
	export ASAN_OPTIONS="${ASAN_OPTIONS:-}:verify_asan_link_order=0"
	LD_PRELOAD="$T/shim.so" kill_at syncfs 1 "$OFFROOT" sign -d "$S" --csr "$T/a.csr" \
	    -o "$T/sa" --passphrase-file "$PASS" --yes
	ok $? "sign with a fixed serial, killed at its first syncfs"
	FIXED=5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a
	t_fail "a sign that draws the quarantined serial again is refused" 1 \
	    env LD_PRELOAD="$T/shim.so" "$OFFROOT" sign -d "$S" --csr "$T/b.csr" -o "$T/sb" \
	    --passphrase-file "$PASS" --yes
	like "serial $FIXED was drawn, but the root signed it before" "$T/err" "the refusal names the serial"
	[ -e "$S/quarantine/$FIXED.pem" ] && [ ! -e "$T/sb" ] && ! grep -q " issue " "$S/journal"
	ok $? "nothing was issued, the quarantined certificate stays"
	t_ok "audit passes" "$OFFROOT" audit -d "$S"
else
	for i in 1 2 3 4 5; do ok 0 "# SKIP no C compiler for the serial shim"; done
fi

# A kill between the quarantine record and its move: the next run moves.
M="$T/move"
cp -a "$T/base" "$M"
kill_at syncfs 1 "$OFFROOT" sign -d "$M" --csr "$T/a.csr" -o "$T/ma" \
    --passphrase-file "$PASS" --yes
MORPH=$(ls "$M/issued")
kill_at renameat2 1 "$OFFROOT" check-key -d "$M" --passphrase-file "$PASS"
ok $? "check-key killed at the recovery's move"
grep -q " recover .*file=issued/$MORPH " "$M/journal" && [ -e "$M/issued/$MORPH" ]
ok $? "the recover record is there, the file not yet moved"
t_ok "the next command" "$OFFROOT" check-key -d "$M" --passphrase-file "$PASS"
like "recovered: moved issued/$MORPH to quarantine/$MORPH, as the journal already records" "$T/err" "it finishes the move"
[ "$(grep -c " recover " "$M/journal")" -eq 1 ]; ok $? "one recover record for the one certificate"
t_ok "audit passes" "$OFFROOT" audit -d "$M"

# A torn issue record: repair sets it aside, then settles the certificate.
R="$T/torn"
cp -a "$T/base" "$R"
kill_at syncfs 1 "$OFFROOT" sign -d "$R" --csr "$T/a.csr" -o "$T/ra" \
    --passphrase-file "$PASS" --yes
RORPH=$(ls "$R/issued")
printf '3 2026-01-01T00:00:00Z issue 0123' >>"$R/journal"
t_fail "a torn record stops the next command" 1 "$OFFROOT" revoke -d "$R" --serial 12 --unknown-ok --reason superseded
t_ok "repair" "$OFFROOT" repair -d "$R" --yes
like "recovered: moved issued/$RORPH to quarantine/$RORPH" "$T/err" "repair then settles the unrecorded certificate"
t_ok "audit passes after repair" "$OFFROOT" audit -d "$R"

# ---- item 6: an orphan CRL ------------------------------------------------

C="$T/crl"
cp -a "$T/base" "$C"
kill_at fsync 4 "$OFFROOT" crl -d "$C" -o "$T/c.pem" --passphrase-file "$PASS"
ok $? "crl killed after writing crls/1.crl"
[ -e "$C/crls/1.crl" ] && [ "$(tail -1 "$C/journal" | cut -d' ' -f3)" = crl-number ] && [ ! -e "$T/c.pem" ]
ok $? "crls/1.crl exists, the journal ends at its number's reservation, nothing on -o"
t_ok "revoke, the next command" "$OFFROOT" revoke -d "$C" --serial 1234 --unknown-ok --reason superseded
like "recovered: moved crls/1.crl to quarantine/1.crl: .*CRL number 1 stays unused" "$T/err" "it sets the CRL aside"
t_ok "audit passes" "$OFFROOT" audit -d "$C"
t_ok "the next crl" "$OFFROOT" crl -d "$C" -o "$T/c2.pem" --passphrase-file "$PASS"
[ "$(crl_number "$T/c2.pem")" = 02 ]; ok $? "it is CRL number 2: number 1 is never used twice"
t_ok "audit passes" "$OFFROOT" audit -d "$C"

# ---- items 1 and 6: a kill before the rename ------------------------------
# The signed certificate or CRL is written whole and fsynced into a hidden
# temporary file, then renamed into place: a kill at that rename leaves
# the only copy of a root-signed object in .NAME.RANDOM.tmp.  The next
# command sets it aside under NAME, with its serial or number; a temporary
# file that holds nothing signed is set aside too, under its own name.
TM="$T/tmp-sign"
cp -a "$T/base" "$TM"
kill_at renameat2 1 "$OFFROOT" sign -d "$TM" --csr "$T/a.csr" -o "$T/tma" \
    --passphrase-file "$PASS" --yes
ok $? "sign killed at its first rename"
TMP=$(ls -A "$TM/issued" | grep '^\..*\.tmp$')
[ -n "$TMP" ] && openssl verify -CAfile "$TM/root.crt" "$TM/issued/$TMP" >/dev/null 2>&1
ok $? "it left issued/$TMP, a hidden temporary file holding a certificate the root signed"
TSERIAL=$(openssl x509 -in "$TM/issued/$TMP" -noout -serial | sed 's/^serial=0*//' | tr A-F a-f)
printf 'half a cert' >"$TM/issued/.deadbeef.pem.0123456789abcdef.tmp"
t_ok "the next command (revoke) succeeds" "$OFFROOT" revoke -d "$TM" --serial 1234 --unknown-ok --reason superseded
like "recovered: moved issued/$TMP to quarantine/$TSERIAL.pem: signed by the root, but a sign run was interrupted before it was renamed" \
    "$T/err" "the signed temporary file goes to quarantine/ under its serial's name"
like "recovered: moved issued/.deadbeef.pem.0123456789abcdef.tmp to quarantine/deadbeef.pem.0123456789abcdef.tmp: a temporary file" \
    "$T/err" "a temporary file holding nothing signed is set aside under its own name"
[ -z "$(ls -A "$TM/issued")" ]; ok $? "issued/ holds nothing unrecorded, hidden or not"
grep -q " recover .*action=quarantine file=issued/$TMP to=quarantine/$TSERIAL.pem .*serial=$TSERIAL " "$TM/journal"
ok $? "the recover record names the serial, which stays used"
t_ok "audit passes" "$OFFROOT" audit -d "$TM"
t_ok "the next sign" sign_to "$TM" "$T/a.csr" "$T/tmb"
[ "$(grep -c ' issue ' "$TM/journal")" -eq 1 ] && ! grep -q " issue .*serial=$TSERIAL " "$TM/journal"
ok $? "... issues one certificate, under another serial"
t_ok "audit passes" "$OFFROOT" audit -d "$TM"

TC="$T/tmp-crl"
cp -a "$T/base" "$TC"
kill_at renameat2 1 "$OFFROOT" crl -d "$TC" -o "$T/tc.pem" --passphrase-file "$PASS"
ok $? "crl killed at its first rename"
TMP=$(ls -A "$TC/crls" | grep '^\..*\.tmp$')
[ -n "$TMP" ]; ok $? "it left crls/$TMP"
TN=$(openssl crl -in "$TC/crls/$TMP" -inform DER -noout -crlnumber 2>/dev/null | sed "s/crlNumber=0x//")
t_ok "the next crl succeeds" "$OFFROOT" crl -d "$TC" -o "$T/tc2.pem" --passphrase-file "$PASS"
like "recovered: moved crls/$TMP to quarantine/[0-9]+\.crl: signed by the root, but a crl run was interrupted" \
    "$T/err" "the signed CRL goes to quarantine/ under its number"
[ -n "$TN" ] && [ "$(crl_number "$T/tc2.pem")" != "$TN" ]; ok $? "the new CRL does not reuse number $TN"
t_ok "audit passes" "$OFFROOT" audit -d "$TC"

# ---- item 2: transcripts --------------------------------------------------

X="$T/tr"
cp -a "$T/base" "$X"
kill_at fdatasync 5 "$OFFROOT" crl -d "$X" -o "$T/x.pem" --passphrase-file "$PASS"
ok $? "crl killed at its 5th fdatasync"
XT=$(ls "$X/transcripts" | grep -- '-crl-')
! grep -q "file=$XT " "$X/journal"; ok $? "its transcript is sealed but not in the journal"
cp -a "$X" "$X.copy"
t_fail "audit reports it" 1 "$OFFROOT" audit -d "$X"
t_ok "the next command" "$OFFROOT" revoke -d "$X" --serial 1234 --unknown-ok --reason superseded
like "recovered: recorded the close of transcripts/$XT" "$T/err" "it records the transcript's close"
grep -q " transcript .*file=$XT operation=crl " "$X/journal" &&
    grep -q " recover .*action=close file=transcripts/$XT " "$X/journal"
ok $? "a transcript record and a recover record name it"
t_ok "audit passes" "$OFFROOT" audit -d "$X"

# The same sealed transcript under another name, once its run is
# recorded, names an older head: planted.
cp "$X/transcripts/$XT" "$X/transcripts/20991231T000000Z-crl-00000000.log"
t_ok "a command with a planted sealed transcript" "$OFFROOT" revoke -d "$X" --serial 5678 --unknown-ok --reason superseded
like "20991231T000000Z-crl-00000000.log is sealed but names a journal head other than the latest: left for audit" "$T/err" "it leaves it"
t_fail "audit reports the planted transcript" 1 "$OFFROOT" audit -d "$X"
like "20991231T000000Z-crl-00000000.log is not recorded" "$T/err" "audit names it"

E="$T/empty"
cp -a "$T/base" "$E"
kill_at write 2 "$OFFROOT" crl -d "$E" -o "$T/e.pem" --passphrase-file "$PASS"
ok $? "crl killed at its 2nd write"
ET=$(cd "$E/transcripts" && find . -name '*-crl-*' -size 0 | sed 's|^\./||')
[ -n "$ET" ]; ok $? "it left an empty transcript ($ET)"
t_fail "audit reports it" 1 "$OFFROOT" audit -d "$E"
t_ok "the next crl" "$OFFROOT" crl -d "$E" -o "$T/e2.pem" --passphrase-file "$PASS"
like "recovered: moved transcripts/$ET to quarantine/$ET: an empty transcript" "$T/err" "it sets the empty transcript aside"
[ -e "$E/quarantine/$ET" ] && [ ! -e "$E/transcripts/$ET" ]; ok $? "the empty file is in quarantine/"
t_ok "audit passes" "$OFFROOT" audit -d "$E"

# ---- item 6: bundles and backups are recorded before they are complete ----

# sweep SYSCALL KIND [journal]: kills KIND (sign or backup) at its 1st,
# 2nd, ... SYSCALL (with "journal", its writes to the journal only: a
# kill does not lose what was written, so a record is there from its
# write on) until it runs through.  After each kill, and again after the
# next ordinary run, every complete output must have its record; a
# staging folder the kill left is either recorded, and then renamed into
# place by the next run, or named by it in a warning.
# (The sanitizer build kills at every other call; the normal build at
# every one.)
sweep() {
	_sc=$1 _kind=$2 _k=1 _bad= _staged=0 _moved=0 _only=
	_step=${OFFROOT_SANITIZED:+2}
	[ "${3:-}" = journal ] && _only="-P $T/w/journal -e trace=$_sc"
	while [ $_k -lt 60 ]; do
		rm -rf "$T/w" "$T/wo" && cp -a "$T/base" "$T/w" && mkdir "$T/wo"
		if [ "$_kind" = sign ]; then
			strace -f -o /dev/null $_only -e inject="$_sc":signal=KILL:when=$_k \
			    "$OFFROOT" sign -d "$T/w" --csr "$T/a.csr" -o "$T/wo/bundle" \
			    --passphrase-file "$PASS" --yes >/dev/null 2>&1
		else
			strace -f -o /dev/null $_only -e inject="$_sc":signal=KILL:when=$_k \
			    "$OFFROOT" backup -d "$T/w" --to "$T/wo" >/dev/null 2>&1
		fi
		_rc=$?
		all_recorded "$_sc#$_k"
		[ $_rc -eq 0 ] && break
		_stage=$(cd "$T/wo" && ls -a | grep -- '\.partial-' | head -1)
		# The next ordinary run (a sign of another request: the killed
		# one may have issued the first).
		if [ "$_kind" = sign ]; then
			"$OFFROOT" sign -d "$T/w" --csr "$T/b.csr" -o "$T/wo/next" \
			    --passphrase-file "$PASS" --yes >/dev/null 2>"$T/werr"
		else
			sleep 1	# a backup's folder is named to the second
			"$OFFROOT" backup -d "$T/w" --to "$T/wo" >/dev/null 2>"$T/werr"
		fi || _bad="$_bad $_sc#$_k:next-run"
		all_recorded "$_sc#$_k:after"
		if [ -n "$_stage" ]; then
			_staged=$((_staged + 1))
			if grep -q "^offroot: warning: recovered: moved $T/wo/$_stage into place" "$T/werr"; then
				_moved=$((_moved + 1))
			else
				grep -q "^offroot: warning: $T/wo/$_stage is a .* that a killed run left" "$T/werr" ||
				    _bad="$_bad $_sc#$_k:stage-not-named"
			fi
		fi
		"$OFFROOT" audit -d "$T/w" >/dev/null 2>&1 || _bad="$_bad $_sc#$_k:audit"
		_k=$((_k + ${_step:-1}))
	done
	[ -z "$_bad" ] && [ $_rc -eq 0 ]
	ok $? "$_kind killed at each of its $((_k - 1)) ${_sc} calls${3:+ to the journal}: every complete output recorded; of $_staged staging folders, $_moved recorded and moved into place, the others named; audit passes after the next run${_bad:+ (failed:$_bad)}"
}
# all_recorded WHEN: every folder in $T/wo is named by an export or backup
# record of $T/w.
all_recorded() {
	for _o in $(cd "$T/wo" && ls); do
		grep -Eq " (export|backup) .*(outdir|destination)=$T/wo/$_o " "$T/w/journal" ||
		    _bad="$_bad $1:$_o-unrecorded"
	done
}
sweep write sign journal
sweep renameat2 sign
sweep write backup journal
sweep renameat2 backup

done_testing
