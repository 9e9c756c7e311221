#!/bin/sh
# reshare killed (SIGKILL, placed by strace) at each of its fsync and
# rename calls (issue 12, item 2).  Before its rename the new key file is
# a temporary beside the recorded one; after it, and before the reshare
# record, root.key.sealed is a key file the journal does not know, and
# audit used to fail for ever.  The next command that takes the lock
# (check-key here) settles either, from public data only: the temporary
# is recorded and wiped (the old passphrase still opens the key); a
# replaced key file whose header names the root's public key and the
# share set the interrupted run's transcript wrote is recorded as the
# reshare (the new share opens it).  A key file that names another key,
# or a share set no transcript wrote, is left for audit to refuse.  A
# reshare ceremony killed there resumes to the end.  The sanitizer build
# kills at every other call.
. "$(dirname "$0")/../lib.sh"

command -v strace >/dev/null 2>&1 || { echo "1..0 # SKIP strace is not installed"; exit 0; }
step=${OFFROOT_SANITIZED:+2}
step=${step:-1}
printf 'a new share passphrase for the crash test\n' >"$T/pass-new"
"$OFFROOT" init -d "$T/ca0" --subject "/C=DE/O=offroot tests/CN=Reshare Crash Root" \
    --kdf interactive --passphrase-file "$PASS" >/dev/null 2>&1
ok $? "a CA under one passphrase"
K0=$(sha256sum "$T/ca0/root.key.sealed" | cut -c1-64)

# fresh W: the CA copied into $T/W/ca, an empty share folder $T/W/s.
fresh() { mkdir -p "$T/$1/s"; cp -a "$T/ca0" "$T/$1/ca"; }
# reshare W [strace options]: 1-of-1, the share into $T/W/s; exit in $rc.
reshare() {
	_w=$1; shift
	if [ $# -gt 0 ]; then set -- strace -f "$@"; fi
	"$@" "$OFFROOT" reshare -d "$T/$_w/ca" --quorum 1/1 --share-dir "$T/$_w/s" \
	    --new-share-passphrase-file "$T/pass-new" --kdf interactive \
	    --passphrase-file "$PASS" --yes >"$T/$_w.out" 2>&1
	rc=$?
}
# opens W: the next command, check-key: the old passphrase or the new
# share opens the key (the first run settles what the kill left).
opens() {
	"$OFFROOT" check-key -d "$T/$1/ca" --passphrase-file "$PASS" >"$T/$1.ck" 2>&1 ||
	    "$OFFROOT" check-key -d "$T/$1/ca" --share "$T/$1/s"/*.share \
	    --share-passphrase-file "$T/pass-new" >>"$T/$1.ck" 2>&1
}

# The count: how many of each call, and the first fsync after
# root.key.sealed's rename (where a kill leaves the key file replaced and
# not recorded).  Every call is a kill point (every other one on the
# sanitizer build, and always that fsync).
fresh count
reshare count -s 256 -o "$T/count.strace" -e trace=fsync,rename,renameat2
FN=$(awk '/[ ]fsync\(/ { n++; if (on) { print n; exit } } /rename\(.*root\.key\.sealed"/ { on = 1 }' "$T/count.strace")
[ "$rc" -eq 0 ] && [ -n "$FN" ]
ok $? "a traced reshare completes (the count: fsync $FN follows the key file's rename)"

fwd=0 back=0
for sc in fsync rename renameat2; do
	c=$(grep -c "[ ]$sc(" "$T/count.strace")
	[ "$c" -gt 0 ]; ok $? "reshare makes $sc calls ($c)"
	for i in $(seq 1 "$step" "$c") $([ "$sc" = fsync ] && echo "$FN"); do
		w="k-$sc-$i"
		[ -d "$T/$w" ] && continue
		fresh "$w"
		reshare "$w" -o /dev/null -e "inject=$sc:signal=KILL:when=$i"
		[ "$rc" -eq 137 ]; ok $? "killed at $sc $i (exit $rc)"
		if [ "$sc" = fsync ] && [ "$i" = "$FN" ]; then
			cp -a "$T/$w" "$T/planted"; cp -a "$T/$w" "$T/notmine"
		fi
		opens "$w"; ok $? "kill at $sc $i: the root key opens (old passphrase or new share)"
		t_ok "kill at $sc $i: audit accepts the CA" "$OFFROOT" audit -d "$T/$w/ca"
		K=$(sha256sum "$T/$w/ca/root.key.sealed" | cut -c1-64)
		J="$T/$w/ca/journal"
		if [ "$K" = "$K0" ]; then
			! grep -q '^[0-9]* [^ ]* reshare ' "$J" &&
			    [ -z "$(ls -A "$T/$w/ca" | grep '^\.root\.key\.sealed\..*\.tmp$')" ]
			ok $? "kill at $sc $i: rolled back: the recorded key file, no reshare record, no temporary left"
			grep -q ' recover .*action=wipe file=\.root\.key\.sealed\.' "$J" &&
			    back=$((back + 1))
		else
			grep -q "^[0-9]* [^ ]* reshare .*key_file_sha256=$K " "$J"
			ok $? "kill at $sc $i: rolled forward: the journal records the key file in place"
			grep -q ' reshare .*recovered_from=transcripts/.*-reshare-' "$J" &&
			    grep -q ' recover .*action=reshare file=root\.key\.sealed ' "$J" &&
			    fwd=$((fwd + 1))
		fi
	done
done
[ "$back" -gt 0 ]; ok $? "a kill before the rename leaves a temporary key file: recorded and wiped ($back)"
[ "$fwd" -gt 0 ]; ok $? "a kill after the rename is rolled forward ($fwd)"

# The kill after the rename, before the record: what the next command
# said and recorded; then (in copies made before it ran) what it refuses.
F="k-fsync-$FN"
like 'recovered: recorded the reshare of root.key.sealed to the 1/1 share set [0-9a-f]{8} that an interrupted run wrote .*; the old passphrase no longer opens it' \
    "$T/$F.ck" "the next command says it recorded the reshare"
grep -q "^[0-9]* [^ ]* reshare .*old_quorum=none old_share_set=none quorum=1/1 share_set=[0-9a-f]* kdf=interactive key_file=root.key.sealed key_file_sha256=$(sha256sum "$T/$F/ca/root.key.sealed" | cut -c1-64) recovered_from=transcripts/" "$T/$F/ca/journal"
ok $? "the reshare record is the one reshare writes, saying where it was recovered from"

# No transcript wrote the key file's share set (it is moved away): the
# file stays unrecorded and audit refuses it.
mkdir "$T/away"; mv "$T/planted/ca/transcripts"/*-reshare-*.log "$T/away/"
opens planted
like "root.key.sealed is not the key file the journal records, and no interrupted run's transcript wrote its share set" \
    "$T/planted.ck" "without the transcript's share records: not rolled forward, and said"
! grep -q ' reshare ' "$T/planted/ca/journal"; ok $? "... nothing recorded"
t_fail "... and audit refuses the CA" 1 "$OFFROOT" audit -d "$T/planted/ca"
# A header naming another public key (its fingerprint altered: the
# header is only authenticated when the key is opened).
$PY - "$T/notmine/ca/root.key.sealed" <<'E'
import sys
p = sys.argv[1]
b = bytearray(open(p, "rb").read())
q = int.from_bytes(b[56:58], "big")
b[58 + q] ^= 1
open(p, "wb").write(bytes(b))
E
"$OFFROOT" check-key -d "$T/notmine/ca" --passphrase-file "$PASS" >"$T/notmine.ck" 2>&1
like "does not seal the root certificate's key under a share set: left for audit" \
    "$T/notmine.ck" "a header naming another key: not rolled forward, and said"
! grep -q ' reshare ' "$T/notmine/ca/journal"; ok $? "... nothing recorded"
t_fail "... and audit refuses the CA" 1 "$OFFROOT" audit -d "$T/notmine/ca"

# The shipped reshare.ceremony (its quorum 1/1 here), killed at the same
# point, resumes to the end: the next run records the reshare, the step
# finds it done, the seal opens the key with the new share.
sed 's|^param: quorum = .*|param: quorum = 1/1|' "$ROOT/ceremony-scripts/reshare.ceremony" >"$T/reshare.ceremony"
cat >"$T/answers" <<E
participant: Ceremony Administrator = Alice Admin
participant: Internal Witness = Bob Witness
participant: Current Crypto Officers = Carol Officer
participant: New Crypto Officers = Carol Officer
confirm-all: yes
ask 5: $T/cer/s
override airgap: crash tests on a development machine
E
cer() {	# ANSWERS [strace options]: the ceremony on $T/cer/ca (a resume:
	# the answers' one share line opens the key with the new passphrase)
	_a=$1; shift
	if [ $# -gt 0 ]; then set -- strace -f "$@"; fi
	set -- "$@" "$OFFROOT" ceremony "$T/reshare.ceremony" -d "$T/cer/ca" --media "$T/cer/m" \
	    --answers "$_a" --passphrase-file "$PASS" --new-share-passphrase-file "$T/pass-new" \
	    --kdf interactive
	if grep -q '^share:' "$_a"; then set -- "$@" --share-passphrase-file "$T/pass-new"; fi
	"$@" >"$T/out" 2>"$T/err"
	rc=$?
}
# The steps before the reshare make no fsync: the command's count holds.
fresh cer; mkdir "$T/cer/m"
cer "$T/answers" -o /dev/null -e "inject=fsync:signal=KILL:when=$FN"
[ "$rc" -eq 137 ] && ! grep -q ' reshare ' "$T/cer/ca/journal" &&
    [ "$(sha256sum "$T/cer/ca/root.key.sealed" | cut -c1-64)" != "$K0" ]
ok $? "the ceremony killed after the key file's rename (fsync $FN), before its record"
{ cat "$T/answers"; echo "resume: yes"; echo "share: $(ls "$T/cer/s"/*.share)"; } >"$T/answers-resume"
cer "$T/answers-resume"
ok $rc "the resume goes to the end"
[ $rc -eq 0 ] || diag "$(tail -3 "$T/err")"
like 'recovered: recorded the reshare' "$T/err" "... recording the reshare first"
like 'step 5: the CA journal already records this step.s reshare' "$T/err" "... and not re-sharing again"
[ "$(grep -c '^[0-9]* [^ ]* reshare ' "$T/cer/ca/journal")" -eq 1 ]; ok $? "... one reshare record"
t_ok "audit accepts the CA" "$OFFROOT" audit -d "$T/cer/ca"

done_testing
