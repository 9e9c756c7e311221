#!/bin/sh
# A killed init leaves a complete second root beside its target (issue
# 12, item 4).  strace kills init (SIGKILL) at every fsync, fdatasync
# and rename it makes, counted from a traced run first; after each kill
# either nothing is left, or the CA is complete and passes audit, or the
# staging folder is there and the rerun refuses with one line naming it
# (and its root.crt fingerprint) until --leftover keep or wipe is given.
# Keep moves it aside with a note, wipe overwrites the key file before
# removing it; either is recorded in the new CA's journal and init
# transcript; a killed quorum init's leftover names the share files it
# wrote.  status warns of one beside a CA.  A folder a running
# init holds is not a leftover.  A killed
# token init's leftover names the key left on the token.  A ceremony
# killed inside its generate-root step asks on resume, and its transcript
# records the decision.
. "$(dirname "$0")/../lib.sh"

command -v strace >/dev/null 2>&1 || { echo "1..0 # SKIP strace is not installed"; exit 0; }
SUBJ="/C=DE/O=offroot tests/CN=Leftover Root"
init() {	# DIR [options...]
	_d=$1; shift
	"$OFFROOT" init -d "$_d" --subject "$SUBJ" --kdf interactive \
	    --passphrase-file "$PASS" "$@"
}
# fp FILE: a certificate's SHA-256, lowercase hex.
fp() { openssl x509 -in "$1" -outform DER | sha256sum | cut -c1-64; }

# Every kill: each leaves nothing, a complete CA, or a refused leftover.
# No count is taken first (a count trace once held none of init's calls
# on a loaded machine): kill at the Nth call of each kind, N = 1, 2, ...,
# until init outlives the injection and completes.  The sanitizer build,
# four times slower, kills at every other call: the normal build covers
# every one.  N is the first fsync whose kill leaves a working key and
# root.crt in the leftover.
step=${OFFROOT_SANITIZED:+2}
step=${step:-1}
leftovers=0 N=
for sc in fsync fdatasync renameat2; do
	i=1 kills=0
	while :; do
		p="$T/k-$sc-$i"; mkdir "$p"
		strace -f -o /dev/null -e "inject=$sc:signal=KILL:when=$i" \
		    "$OFFROOT" init -d "$p/ca" --subject "$SUBJ" --kdf interactive \
		    --passphrase-file "$PASS" >"$p.out" 2>&1
		krc=$?
		[ "$krc" -eq 137 ] || break
		kills=$((kills + 1))
		lo=$(ls -d "$p"/.ca.offroot-init-* 2>/dev/null | head -1)
		if [ -n "$lo" ]; then
			leftovers=$((leftovers + 1))
			[ -z "$N" ] && [ "$sc" = fsync ] && [ -f "$lo/root.crt" ] &&
			    [ -f "$lo/root.key.sealed" ] && N=$i
			t_fail "kill at $sc $i: the rerun refuses the leftover" 1 \
			    init "$p/ca"
			grep -q "offroot: $lo was left by an interrupted init" "$T/err" &&
			    { [ ! -f "$lo/root.crt" ] || grep -q "root.crt SHA-256 $(fp "$lo/root.crt")" "$T/err"; } &&
			    [ ! -e "$p/ca" ] && [ -d "$lo" ]
			ok $? "kill at $sc $i: the line names the folder (and root.crt's fingerprint); nothing made, nothing moved"
		elif [ -e "$p/ca" ]; then
			t_ok "kill at $sc $i: after the last rename the CA is complete" \
			    "$OFFROOT" audit -d "$p/ca"
		else
			ok 0 "kill at $sc $i: nothing was left"
		fi
		i=$((i + step))
	done
	[ "$krc" -eq 0 ] && [ "$kills" -gt 0 ]
	ok $? "init makes $sc calls ($kills killed it), and completes when the kill comes after its last (exit $krc)"
done
[ "$leftovers" -gt 0 ]; ok $? "some kills leave a leftover ($leftovers)"

# One leftover with a working key and root.crt: N, found above.
[ -n "$N" ]; ok $? "a kill at an fsync leaves a working key and root.crt (fsync $N)"
leftover() {	# NAME: a parent folder $T/NAME with a killed init's leftover
	mkdir "$T/$1"
	strace -f -o /dev/null -e "inject=fsync:signal=KILL:when=$N" \
	    "$OFFROOT" init -d "$T/$1/ca" --subject "$SUBJ" --kdf interactive \
	    --passphrase-file "$PASS" >/dev/null 2>&1
	LO=$(ls -d "$T/$1"/.ca.offroot-init-*)
	SFX=${LO##*.offroot-init-}
	LOFP=$(fp "$LO/root.crt")
	LOKEY=$(sha256sum "$LO/root.key.sealed" | cut -c1-64)
}
leftover keep
[ -f "$LO/root.key.sealed" ] && [ -f "$LO/root.crt" ]
ok $? "keep: the leftover holds a sealed key and root.crt"
t_fail "a ceremony-less rerun in another folder of the same parent is refused too" 1 \
    init "$T/keep/other-ca"
t_fail "--leftover with an unknown decision is a usage error" 2 init "$T/keep/ca" --leftover later
t_ok "--leftover keep: init goes on" init "$T/keep/ca" --leftover keep
KEPT="$T/keep/ca.init-leftover-$SFX.kept-as-evidence"
[ ! -e "$LO" ] && [ -f "$KEPT/root.key.sealed" ] && [ "$(fp "$KEPT/root.crt")" = "$LOFP" ]
ok $? "keep: the folder is moved aside to a name that says so, its key intact"
like "decision: +keep" "$KEPT/LEFTOVER.txt" "keep: LEFTOVER.txt in it records the decision"
like "$LOFP" "$KEPT/LEFTOVER.txt" "keep: ... and the root.crt fingerprint"
like "^2 [^ ]* init-leftover .*decision=keep .*root_sha256=$LOFP .*leftover_key_file_sha256=$LOKEY .*kept_as=" \
    "$T/keep/ca/journal" "keep: the new CA's journal records it right after init"
"$OFFROOT" transcript print "$T/keep/ca"/transcripts/*-init-*.log >"$T/tp" 2>&1
like 'init-leftover' "$T/tp" "keep: and so does the init transcript"
t_ok "keep: audit accepts the new CA" "$OFFROOT" audit -d "$T/keep/ca"
t_ok "keep: the kept folder is no longer a leftover" init "$T/keep/third"

leftover wipe
strace -f -y -o "$T/wipe.strace" -e trace=openat,write,fsync,unlink \
    "$OFFROOT" init -d "$T/wipe/ca" --subject "$SUBJ" --kdf interactive \
    --passphrase-file "$PASS" --leftover wipe >"$T/out" 2>"$T/err"
ok $? "--leftover wipe: init goes on"
[ ! -e "$LO" ]; ok $? "wipe: the folder is gone"
NOTE="$T/wipe/ca.init-leftover-$SFX.wiped.txt"
like "decision: +wipe" "$NOTE" "wipe: a note beside it records the decision"
like "$LOFP" "$NOTE" "wipe: ... with the root.crt fingerprint"
awk -v k="$LO/root.key.sealed" '
	index($0, "<" k ">") && $2 ~ /^write\(/ { w = 1 }
	index($0, "<" k ">") && $2 ~ /^fsync\(/ && w { s = 1 }
	$2 ~ /^unlink\(/ && index($0, "\"" k "\"") && s { u = 1 }
	END { exit !(u) }' "$T/wipe.strace"
ok $? "wipe: the key file is overwritten and fsynced before it is unlinked"
like "^2 [^ ]* init-leftover .*decision=wipe .*by=--leftover%20wipe .*root_sha256=$LOFP" \
    "$T/wipe/ca/journal" "wipe: the new CA's journal records it"
t_ok "wipe: audit accepts the new CA" "$OFFROOT" audit -d "$T/wipe/ca"
t_ok "--leftover wipe with nothing left over goes on" init "$T/wipe/again" --leftover wipe
like 'no folder of an interrupted init' "$T/err" "... and says there was nothing to do"

# A leftover beside a CA that exists: status names it, with its root.crt.
strace -f -o /dev/null -e "inject=fsync:signal=KILL:when=$N" \
    "$OFFROOT" init -d "$T/wipe/other" --subject "$SUBJ" --kdf interactive \
    --passphrase-file "$PASS" >/dev/null 2>&1
LO2=$(ls -d "$T/wipe"/.other.offroot-init-*)
t_ok "status of the CA beside a new leftover" "$OFFROOT" status -d "$T/wipe/ca"
like "^WARNING: $LO2 was left by an interrupted init beside this CA and holds a sealed root key, root.crt SHA-256 $(fp "$LO2/root.crt")" \
    "$T/out" "... warns, naming the folder and its root.crt fingerprint"
"$OFFROOT" status -d "$T/wipe/ca" --json >"$T/json" 2>&1
$PY -c 'import json, sys; w = json.load(open(sys.argv[1]))["warnings"]; sys.exit(not any(sys.argv[2] in x for x in w))' "$T/json" "$LO2"
ok $? "... in --json's warnings too"

# A killed quorum init: its share files are on the officers' media.  The
# leftover names them (from its transcript's share-written records): in
# the refusal, and in the wipe's warning and journal record.
printf 'officer two of the leftover quorum\n' >"$T/p2"
qinit() {	# DIR SHARE-DIR [options...]
	_d=$1 _s=$2; shift 2
	"$OFFROOT" init -d "$_d" --subject "$SUBJ" --kdf interactive --quorum 1/2 \
	    --share-dir "$_s" --share-passphrase-file "$PASS" --share-passphrase-file "$T/p2" "$@"
}
mkdir -p "$T/q0/s" "$T/q/s"
strace -f -s 256 -o "$T/q.strace" -e trace=fsync,renameat2 \
    "$OFFROOT" init -d "$T/q0/ca" --subject "$SUBJ" --kdf interactive --quorum 1/2 \
    --share-dir "$T/q0/s" --share-passphrase-file "$PASS" --share-passphrase-file "$T/p2" >/dev/null 2>&1
QN=$(awk '/[ ]fsync\(/ { n++; if (on) { print n; exit } } /renameat2\(.*offroot-init-.*root\.crt"/ { on = 1 }' "$T/q.strace")
strace -f -o /dev/null -e "inject=fsync:signal=KILL:when=$QN" \
    "$OFFROOT" init -d "$T/q/ca" --subject "$SUBJ" --kdf interactive --quorum 1/2 \
    --share-dir "$T/q/s" --share-passphrase-file "$PASS" --share-passphrase-file "$T/p2" >/dev/null 2>&1
[ $? -eq 137 ] && [ "$(ls "$T/q/s"/*.share | wc -l)" -eq 2 ] && ls -d "$T/q"/.ca.offroot-init-* >/dev/null
ok $? "a quorum init killed after its share files were written leaves a leftover"
S1=$(ls "$T/q/s"/*-share-1-of-2.share) S2=$(ls "$T/q/s"/*-share-2-of-2.share)
mkdir "$T/q/s2"
t_fail "the rerun refuses" 1 qinit "$T/q/ca" "$T/q/s2"
like "its init wrote the share files $S1 $S2" "$T/err" "... naming the share files the killed init wrote"
t_ok "--leftover wipe: the quorum init goes on" qinit "$T/q/ca" "$T/q/s2" --leftover wipe
like "the share files its init wrote open nothing now: destroy them: $S1 $S2" "$T/err" \
    "... saying the old share files open nothing now"
like "init-leftover .*decision=wipe .*share_files=$S1%20$S2" "$T/q/ca/journal" \
    "... and the journal record names them"

# A staging folder a running init holds (its flock) is not a leftover.
mkdir -p "$T/live/.ca.offroot-init-AbCdEf"
touch "$T/live/.ca.offroot-init-AbCdEf/root.key.sealed"
$PY -c 'import fcntl, os, sys, time
fd = os.open(sys.argv[1], os.O_RDONLY)
fcntl.flock(fd, fcntl.LOCK_EX)
open(sys.argv[2], "w").close()
time.sleep(60)' "$T/live/.ca.offroot-init-AbCdEf" "$T/live-locked" &
fl=$!
while [ ! -e "$T/live-locked" ]; do sleep 0.1; done
t_ok "a folder another init holds locked is passed by" init "$T/live/ca"
kill "$fl" 2>/dev/null; wait "$fl" 2>/dev/null
t_fail "once its lock is gone it is a leftover" 1 init "$T/live/ca2"

# ---- a key on a token -------------------------------------------------------
# A killed token init leaves the key on the token and, in the folder, the
# transcript's token-key record naming it: the rerun names its URI; wipe
# removes the folder, says the key is still on the token, and records it.
MOD=/usr/lib/softhsm/libsofthsm2.so
if [ -r "$MOD" ] && command -v softhsm2-util >/dev/null 2>&1; then
	sh "$ROOT/hsm/softhsm-setup" "$T/hsm" lo-ca 4711-pin 87654321 >/dev/null 2>&1
	SOFTHSM2_CONF="$T/hsm/softhsm2.conf"; export SOFTHSM2_CONF
	printf '4711-pin\n' >"$T/pin"
	tinit() {	# DIR LABEL [options]
		_d=$1; _l=$2; shift 2
		"$OFFROOT" init -d "$_d" --subject "$SUBJ" --store pkcs11 \
		    --token pkcs11:token=lo-ca --label "$_l" --module "$MOD" \
		    --pin-file "$T/pin" --yes "$@"
	}
	mkdir "$T/tok0" "$T/tok"
	strace -f -o "$T/tok.strace" -e trace=fsync,renameat2 \
	    "$OFFROOT" init -d "$T/tok0/ca" --subject "$SUBJ" --store pkcs11 \
	    --token pkcs11:token=lo-ca --label count-key --module "$MOD" \
	    --pin-file "$T/pin" --yes >/dev/null 2>&1
	ok $? "a traced token init completes (the count)"
	tpid=$(head -1 "$T/tok.strace" | cut -d' ' -f1)
	TN=$(awk -v pid="$tpid" '$1 != pid { next } $2 ~ /^fsync\(/ { n++; if (on) { print n; exit } } /renameat2\(.*root\.key\.uri"/ { on = 1 }' "$T/tok.strace")
	strace -f -o /dev/null -e "inject=fsync:signal=KILL:when=$TN" \
	    "$OFFROOT" init -d "$T/tok/ca" --subject "$SUBJ" --store pkcs11 \
	    --token pkcs11:token=lo-ca --label lo-key --module "$MOD" \
	    --pin-file "$T/pin" --yes >/dev/null 2>&1
	[ $? -eq 137 ]; ok $? "a token init killed after the key was made"
	t_fail "the rerun refuses the token leftover" 1 tinit "$T/tok/ca" other-key
	like 'holds a record of a root key on a token, pkcs11:.*object=lo-key' "$T/err" \
	    "... naming the token key's URI"
	t_ok "--leftover wipe: the token init goes on" tinit "$T/tok/ca" other-key --leftover wipe
	like 'the key pkcs11:.*object=lo-key.* is still on the token' "$T/err" \
	    "... and says the old key is still on the token"
	like 'init-leftover .*decision=wipe .*key=pkcs11 .*key_uri=pkcs11' "$T/tok/ca/journal" \
	    "the journal records the token key's URI"
	t_ok "audit accepts the token CA" "$OFFROOT" audit -d "$T/tok/ca"
	unset SOFTHSM2_CONF
else
	echo "ok $((_n + 1)) # SKIP SoftHSM2 is not installed"; _n=$((_n + 1))
fi

# ---- a ceremony killed in its generate-root step ---------------------------
RC="$ROOT/ceremony-scripts/root.ceremony"
mkdir -p "$T/cm"
cat >"$T/answers" <<'E'
participant: Ceremony Administrator = Alice Admin
participant: Internal Witness = Bob Witness
participant: Crypto Officer 1 = Carol Officer
confirm-all: yes
override airgap: crash tests on a development machine
E
cer() {	# ANSWERS [strace options]
	_a=$1; shift
	if [ $# -gt 0 ]; then set -- strace -f -o "$T/cer.strace" "$@"; fi
	"$@" "$OFFROOT" ceremony "$RC" -d "$T/cm/ca" --media "$T/cm" \
	    --answers "$_a" --passphrase-file "$PASS" --kdf interactive
}
rm -rf "$T/cm0"; mkdir -p "$T/cm0"
strace -f -o "$T/cer.strace" -e trace=fsync,renameat2 "$OFFROOT" ceremony "$RC" \
    -d "$T/cm0/ca" --media "$T/cm0" --answers "$T/answers" --passphrase-file "$PASS" \
    --kdf interactive >/dev/null 2>&1
ok $? "a traced root ceremony completes (the count)"
cpid=$(head -1 "$T/cer.strace" | cut -d' ' -f1)
CN=$(awk -v pid="$cpid" '$1 != pid { next } $2 ~ /^fsync\(/ { n++; if (on) { print n; exit } } /renameat2\(.*offroot-init-.*root\.crt"/ { on = 1 }' "$T/cer.strace")
strace -f -o /dev/null -e "inject=fsync:signal=KILL:when=$CN" "$OFFROOT" ceremony "$RC" \
    -d "$T/cm/ca" --media "$T/cm" --answers "$T/answers" --passphrase-file "$PASS" \
    --kdf interactive >/dev/null 2>&1
[ $? -eq 137 ] && ls -d "$T/cm"/.ca.offroot-init-* >/dev/null 2>&1 && [ ! -e "$T/cm/ca" ]
ok $? "the ceremony killed in generate-root leaves an init leftover"
CLO=$(ls -d "$T/cm"/.ca.offroot-init-*)
{ cat "$T/answers"; echo "resume: yes"; } >"$T/answers-resume"
t_fail "the resume asks about the leftover; without an answer it stops" 3 cer "$T/answers-resume"
like 'What happens to the folder an interrupted init left behind' "$T/err" "... naming the question"
grep -q "folder: $CLO" "$T/out"; ok $? "... after showing the folder"
[ -d "$CLO" ] && [ ! -e "$T/cm/ca" ]; ok $? "... and nothing was made or moved"
{ cat "$T/answers-resume"; echo "choose: 2"; } >"$T/answers-wipe"
t_ok "answered 'wipe', the ceremony resumes to the end" cer "$T/answers-wipe"
[ ! -e "$CLO" ] && ls "$T/cm"/ca.init-leftover-*.wiped.txt >/dev/null 2>&1
ok $? "the leftover is wiped, the note left beside the CA"
like 'init-leftover .*decision=wipe .*by=the%20officers,%20asked' "$T/cm/ca/journal" \
    "the CA journal records the officers' decision"
like "init-leftover [0-9a-f]+ step=3 folder=$CLO decision=wipe .*by=the%20officers,%20asked" \
    "$(ls "$T/cm/ca"/transcripts/*-ceremony-*.log)" "... and so does the ceremony transcript, at the step"
[ "$(grep -c '^[0-9]* [^ ]* init ' "$T/cm/ca/journal")" -eq 1 ]; ok $? "one init record"
t_ok "audit accepts the ceremony's CA" "$OFFROOT" audit -d "$T/cm/ca"

done_testing
