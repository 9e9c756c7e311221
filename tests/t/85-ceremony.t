#!/bin/sh
# Ceremony scripts and the ceremony engine: script check refuses every kind
# of broken script with FILE:LINE; every shipped script passes; script
# print has the paper columns and the binary's SHA-256; the Kubernetes
# ceremony run end to end by the batch runner inside a network namespace
# (root, Vault intermediate, first CRL), its artefacts checked with
# openssl; the air-gap check passing inside unshare -n and failing there
# with an interface (d0) up or a (faked) radio not blocked, and the
# recorded override; the clock check when the officer says the clock is
# wrong and enters the reference time; transcript verify catching edited, removed and
# reordered records; a ceremony killed with SIGKILL resumed without a
# second key generation; one killed as its recorded bundle was renamed
# into place resumed by moving it there, without signing again.  What comes before the
# irreversible part of a step: the root's preview, each CSR's SHA-256
# (file and DER) confirmed by the witness (yes/no, words, hex) before
# key-unlocked and signed, a no leaving no issuance and a resume asking
# again with the values on screen; verify: lines; the next CRL's preview,
# and a missing medium refused before the unlock with no CRL number used.
# Slips asked again: an empty name; never a wrong passphrase file.
. "$(dirname "$0")/../lib.sh"

SCRIPTS="$ROOT/ceremony-scripts"
K8S="$SCRIPTS/kubernetes.ceremony"
MEDIA="$T/media"
mkdir -p "$MEDIA"

# ns CMD...: inside a fresh network namespace with only loopback up.
NS=0
if unshare -n true 2>/dev/null; then NS=1; fi
ns() { unshare -n sh -c 'ip link set lo up 2>/dev/null; exec "$@"' sh "$@"; }

# ---- script check ---------------------------------------------------------

for f in "$SCRIPTS"/*.ceremony; do
	t_ok "shipped script $(basename "$f") passes script check" \
	    "$OFFROOT" script check "$f"
done

# broken NAME PATTERN: a script made from the Kubernetes one by the sed
# expression on stdin must be refused with FILE:LINE and PATTERN.
broken() {
	_bn=$1; _pat=$2; _expr=$(cat)
	sed -e "$_expr" "$K8S" >"$T/$_bn.ceremony"
	t_fail "script check refuses $_bn" 1 "$OFFROOT" script check "$T/$_bn.ceremony"
	like "$_bn\.ceremony:[0-9]+: .*$_pat" "$T/err" "$_bn: the error names file, line and why"
}
broken unknown-action 'unknown action "generate-key"' <<'E'
s/^action: generate-root$/action: generate-key/
E
broken missing-param 'needs "param: subject' <<'E'
/^param: subject = /d
E
broken duplicate-step 'step 5 duplicates step 5' <<'E'
s/^step 6: /step 5: /
E
broken decreasing-step 'step 4 follows step 7' <<'E'
s/^step 8: /step 4: /
E
broken sign-before-root 'needs the CA, which step 4 \(generate-root\) creates later' <<'E'
/^step 3: Media$/,/^action: note$/s/^action: note$/action: sign-crl/
E
broken unknown-keyword 'unknown line in step' <<'E'
s/^check: The fingerprint/chekc: The fingerprint/
E
broken undeclared-role 'role "Crypto Officer 2" is not declared' <<'E'
/^step 6:/,/^action:/s/^role: Crypto Officer 1$/role: Crypto Officer 2/
E
broken secret-param 'secrets never go in a script' <<'E'
s/^param: kdf = sensitive$/param: passphrase = hunter22/
E
broken machine-path 'must be a relative name' <<'E'
s|^param: csr = \*.csr$|param: csr = /media/usb0/vault-int.csr|
E
broken bad-key-type 'unknown key type "ec-p999"' <<'E'
s/^param: key = ec-p384$/param: key = ec-p999/
E
printf 'offroot-ceremony 1\nname: x\nversion: 1\nrole: A\n\nstep 1: x\nrole: A\naction: note\n\tdo it\n' >"$T/no-participants.ceremony"
t_fail "script check refuses a script without a participants step" 1 \
    "$OFFROOT" script check "$T/no-participants.ceremony"
like 'no-participants.ceremony:1: no participants step' "$T/err" "and says so"

# ---- script print ----------------------------------------------------------

t_ok "script print renders the Kubernetes ceremony" "$OFFROOT" script print "$K8S"
cp "$T/out" "$T/print.txt"
like '^Step +Role +Time \(UTC\) +Initials' "$T/print.txt" "the printout has step, role, time and initials columns"
BIN_SHA=$(sha256sum "$OFFROOT" | cut -c1-64)
tr -d ' \n' <"$T/print.txt" | grep -q "binarySHA-256$BIN_SHA"
ok $? "the printout carries the binary's SHA-256"
like 'SHA-256  ____ ____' "$T/print.txt" "the printout has blanks for fingerprints written by hand"
like "$(sha256sum "$K8S" | cut -c1-32)" "$T/print.txt" "the printout carries the script's SHA-256"

# ---- the Kubernetes ceremony, end to end -----------------------------------

openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-384 -nodes \
    -keyout "$T/vault-int.key" -subj "/CN=Vault Intermediate CA" \
    -out "$MEDIA/vault-int.csr" 2>/dev/null
cat >"$T/answers" <<'E'
# people
participant: Ceremony Administrator = Alice Admin
participant: Internal Witness = Bob Witness
participant: Crypto Officer 1 = Carol Officer
confirm-all: yes
exception 6: The CSR was copied from the second USB stick.
E
CA="$T/ca"
if [ "$NS" = 1 ]; then
	t_ok "the Kubernetes ceremony runs in batch inside a network namespace" \
	    ns "$OFFROOT" ceremony "$K8S" -d "$CA" --media "$MEDIA" \
	    --answers "$T/answers" --passphrase-file "$PASS" --kdf interactive
else
	diag "unshare -n is not available: the end-to-end run overrides the air gap"
	{ cat "$T/answers"; echo "override airgap: test machine without namespaces"; } >"$T/answers-ov"
	t_ok "the Kubernetes ceremony runs in batch (air gap overridden)" \
	    "$OFFROOT" ceremony "$K8S" -d "$CA" --media "$MEDIA" \
	    --answers "$T/answers-ov" --passphrase-file "$PASS" --kdf interactive
fi
TR=$(ls "$CA"/transcripts/*-ceremony-*.log 2>/dev/null | head -1)
cp "$T/out" "$T/ceremony.out"
# The release check shows the script's SHA-256 beside the binary's (the
# first line of each in hex: eight groups of four), and the end, the
# final hash under a title that fits.
hexline() { sha256sum "$1" | cut -c1-32 | tr a-f A-F | sed 's/..../& /g; s/ $//'; }
grep -A1 "^Script $K8S (sha256sum $K8S):" "$T/ceremony.out" | grep -qx "$(hexline "$K8S")"
ok $? "the release check shows the script's SHA-256"
grep -A1 '^offroot [0-9.]*, this binary (sha256sum "$(command -v offroot)"), for RELEASE.txt:' \
    "$T/ceremony.out" | grep -qx "$(hexline "$OFFROOT")"
ok $? "... beside the binary's"
like '^== Final hash of the transcript$' "$T/ceremony.out" "the final hash has a short title"
# The journal's head after each step that changed it: said for the paper
# log, and in the step-end record of the transcript; the last, after the
# seal, is the journal's last record.
cp "$T/err" "$T/ceremony.err"
grep -o ' step-end .*journal_head=[0-9a-f]*' "$TR" | sed 's/.*journal_head=//' >"$T/heads"
[ "$(wc -l <"$T/heads")" -ge 3 ] &&
    (while read -r h; do grep -q " $h\$" "$CA/journal" || exit 1; done <"$T/heads")
ok $? "step-end records name the CA journal's head after each step that changed it ($(wc -l <"$T/heads"))"
[ "$(grep -c '^journal head: record [0-9]*, [0-9a-f]\{16\} (' "$T/ceremony.err")" -eq "$(($(wc -l <"$T/heads") + 1))" ]
ok $? "... and the head is said after each of them, and after the seal"
[ "$(grep '^journal head: ' "$T/ceremony.err" | tail -n 1 | sed 's/.*, \([0-9a-f]*\) (.*/\1/')" = \
    "$(tail -n 1 "$CA/journal" | awk '{print substr($NF, 1, 16)}')" ]
ok $? "... the last one the journal's last record"
sed -n '/^== The root that will be made (nothing is made yet)$/,/^path length:/p' "$T/out" >"$T/root-preview"
like '^key type: +ec-p384$' "$T/root-preview" "before the root is made: its key type"
like '^key store: +a sealed file under one passphrase \(Argon2id interactive\)$' "$T/root-preview" "... store and KDF"
like '^profile: +root \(.*kubernetes/profiles.cnf, private family\)$' "$T/root-preview" "... profile and its file"
like '^validity: +365 days' "$T/root-preview" "... validity"
like '^path length: +2$' "$T/root-preview" "... and path length"
awk '/ root-preview .*answer=yes/ && !p {p=NR} / root-created / && !r {r=NR} END {exit !(p && r && p < r)}' "$TR"
ok $? "the confirmed preview precedes root-created in the transcript"
csr_hash_first "$TR"
ok $? "the witness confirmed the CSR's SHA-256 before key-unlocked and signed"
B="$MEDIA/vault-int-bundle"
openssl verify -x509_strict -CAfile "$MEDIA/public/root.pem" "$B/certificate.pem" >/dev/null 2>&1
ok $? "the Vault intermediate verifies against the exported root (-x509_strict)"
openssl verify -x509_strict -crl_check -CRLfile "$MEDIA/public/crl.pem" \
    -CAfile "$MEDIA/public/root.pem" "$B/certificate.pem" >/dev/null 2>&1
ok $? "and with the exported CRL checked"
openssl crl -in "$MEDIA/root.crl" -CAfile "$CA/root.crt" -noout >/dev/null 2>&1
ok $? "the first CRL on the media verifies with the root"
openssl x509 -in "$B/certificate.pem" -noout -text >"$T/int.txt" 2>/dev/null
like 'CA:TRUE, pathlen:1' "$T/int.txt" "the intermediate has the profile's pathlen 1"
(cd "$MEDIA/public" && sha256sum -c SHA256SUMS >/dev/null 2>&1)
ok $? "the public export's SHA256SUMS match"
t_ok "offroot verify accepts the bundle" "$OFFROOT" verify "$B" --root "$CA/root.crt" --csr "$MEDIA/vault-int.csr"
t_ok "offroot audit accepts the CA directory" "$OFFROOT" audit -d "$CA"
t_ok "transcript verify accepts the sealed ceremony transcript" \
    "$OFFROOT" transcript verify "$TR" --root "$MEDIA/public/root.pem"
cmp -s "$TR" "$MEDIA/$(basename "$TR")"
ok $? "a copy of the sealed transcript is on the media"
[ ! -e "$T/.ca.ceremony" ]; ok $? "the staging folder is gone"
t_ok "transcript print prints it" "$OFFROOT" transcript print "$TR"
cp "$T/out" "$T/tprint.txt"
like 'participant' "$T/tprint.txt" "the transcript names the participants"
like 'text +The CSR was copied from the second USB stick' "$T/tprint.txt" \
    "the exception note from the answers file is in the transcript"
like 'confirmed_by +Internal Witness \(Bob Witness\)' "$T/tprint.txt" \
    "the witness who confirmed a fingerprint is named"
like 'check +selfcheck' "$T/tprint.txt" "the self-check is recorded"
like "binary_sha256 +$(sha256sum "$OFFROOT" | cut -c1-64)" "$T/tprint.txt" \
    "the ceremony's first record names the binary beside the script"
like 'known-answer test Argon2id .* pass' "$T/tprint.txt" "with its known-answer tests"

# ---- transcript verify detects tampering -----------------------------------

edit() {	# NAME SED-EXPR
	sed -e "$2" "$TR" >"$T/$1.log"
	t_fail "transcript verify detects $1" 1 "$OFFROOT" transcript verify "$T/$1.log" --root "$CA/root.crt"
}
edit "an edited entry" 's/Carol%20Officer/Carol%20Offic3r/'
edit "a removed entry" '5d'
awk 'NR==6{l=$0; next} NR==7{print; print l; next} {print}' "$TR" >"$T/reordered.log"
t_fail "transcript verify detects a reordered entry" 1 \
    "$OFFROOT" transcript verify "$T/reordered.log" --root "$CA/root.crt"
"$OFFROOT" init -d "$T/other" --subject "/CN=Other Root" --kdf interactive \
    --passphrase-file "$PASS" >/dev/null 2>&1
t_fail "transcript verify refuses another root's key" 1 \
    "$OFFROOT" transcript verify "$TR" --root "$T/other/root.crt"

# ---- the air gap, deterministically ---------------------------------------
# A small script whose pre-flight runs only the air-gap check, against a
# CA of its own.  Inside a fresh network namespace (loopback only) it
# passes; with an interface brought up there (d0: a dummy, or a veth where
# the kernel has no dummy driver) it fails and names d0; a radio is faked
# by a private mount namespace whose /sys/class holds an rfkill entry.
AG="$T/agca"; AGM="$T/agmedia"; mkdir -p "$AGM"
new_ca "$AG"; ok $? "a CA for the pre-flight checks"
preflight_script() {	# FILE CHECKS
	cat >"$1" <<E2
offroot-ceremony 1
name: Pre-flight $2 only
version: 1
role: Ceremony Administrator
role: Internal Witness
role: Crypto Officer 1

step 1: Pre-flight
role: Ceremony Administrator
action: preflight
param: checks = $2

step 2: Participants
role: Ceremony Administrator
action: participants

step 3: Close
role: Ceremony Administrator
action: note
	Nothing else.
E2
}
preflight_script "$T/airgap.ceremony" airgap
t_ok "the air-gap-only script passes script check" "$OFFROOT" script check "$T/airgap.ceremony"
{ grep '^participant' "$T/answers"; echo "confirm-all: yes"; echo "resume: no"; } >"$T/answers-ag"
# agrun NETNS-SETUP [MOUNT-DIR] ANSWERS: the script in a fresh network
# namespace after NETNS-SETUP (shell), with MOUNT-DIR bound over /sys/class.
agrun() {
	_setup=$1; _sys=$2; _ans=$3
	run unshare -n ${_sys:+-m} sh -c 'ip link set lo up || exit 98
eval "$1" || exit 99
[ -z "$2" ] || mount --bind "$2" /sys/class || exit 97
shift 2; exec "$@"' sh "$_setup" "$_sys" \
	    "$OFFROOT" ceremony "$T/airgap.ceremony" -d "$AG" --media "$AGM" \
	    --answers "$_ans" --passphrase-file "$PASS"
}
if [ "$NS" = 1 ] && command -v ip >/dev/null 2>&1; then
	agrun : "" "$T/answers-ag"
	ok $rc "inside unshare -n (loopback only) the air-gap check passes"
	like 'air gap: no network interface up but loopback' "$T/out" "... and says so"
	UP='{ ip link add d0 type dummy 2>/dev/null || ip link add d0 type veth peer name d1; } && ip link set d0 up'
	agrun "$UP" "" "$T/answers-ag"
	[ "$rc" -eq 3 ] && grep -q 'air gap: FAILED: 1 interface up' "$T/err"
	ok $? "with d0 up in the namespace the air-gap check fails (exit $rc)"
	like 'interface d0: .*UP, NOT AIR-GAPPED' "$T/out" "the evidence names d0"
	like 'answers file goes on only with "override airgap: REASON"' "$T/err" \
	    "confirm-all: yes does not override a failed check: only an override line does"
	{ cat "$T/answers-ag"; echo "ask: a reason given as a plain answer"; } >"$T/answers-ask"
	agrun "$UP" "" "$T/answers-ask"
	[ "$rc" -eq 3 ]; ok $? "nor does an ask: line that would answer the reason (exit $rc)"
	{ cat "$T/answers-ag"; echo "override airgap: rehearsal on the lab machine (ticket 42)"; } >"$T/answers-ov2"
	agrun "$UP" "" "$T/answers-ov2"
	ok $rc "an override with a reason lets the ceremony go on"
	TR2=$(ls -t "$AG"/transcripts/*-ceremony-*.log | head -1)
	"$OFFROOT" transcript print "$TR2" >"$T/tprint2.txt" 2>&1
	like 'reason +rehearsal on the lab machine \(ticket 42\)' "$T/tprint2.txt" \
	    "the override's reason is in the transcript"
	like 'result +fail' "$T/tprint2.txt" "and so is the failed check"
	like 'interface d0: .*NOT AIR-GAPPED' "$T/tprint2.txt" "with the evidence naming d0"
	# rfkill: a wireless device not blocked fails; soft or hard blocked passes.
	radio() {	# SOFT HARD
		rm -rf "$T/sysclass"; mkdir -p "$T/sysclass/rfkill/rfkill0"
		echo wlan >"$T/sysclass/rfkill/rfkill0/type"
		echo phy0 >"$T/sysclass/rfkill/rfkill0/name"
		echo "$1" >"$T/sysclass/rfkill/rfkill0/soft"
		echo "$2" >"$T/sysclass/rfkill/rfkill0/hard"
	}
	if unshare -m sh -c 'mount --bind "$1" /sys/class' sh "$AGM" 2>/dev/null; then
		radio 0 0
		agrun : "$T/sysclass" "$T/answers-ag"
		[ "$rc" -eq 3 ] && grep -q 'air gap: FAILED: 0 interfaces up, 1 radio not blocked' "$T/err"
		ok $? "a wireless device not blocked fails the air-gap check (exit $rc)"
		like 'radio phy0 \(wlan, rfkill0\): NOT BLOCKED' "$T/out" "the evidence names the radio"
		radio 1 0
		agrun : "$T/sysclass" "$T/answers-ag"
		ok $rc "a radio blocked in software passes"
		like 'radio phy0 \(wlan\): blocked \(software\)' "$T/out" "... and the evidence says so"
		radio 0 1
		agrun : "$T/sysclass" "$T/answers-ag"
		ok $rc "a radio blocked by its hardware switch passes"
		like 'radio phy0 \(wlan\): blocked \(hardware switch\)' "$T/out" "... and the evidence says so"
	else
		echo "ok $((_n + 1)) # SKIP unshare -m or mount --bind is not available"; _n=$((_n + 1))
	fi
else
	echo "ok $((_n + 1)) # SKIP unshare -n or ip is not available"; _n=$((_n + 1))
fi

# ---- the clock: the officer says it is wrong ------------------------------
# The clock-only pre-flight, answered "no" (the system clock does not match
# the reference): the reference time is asked, checked for its form, and
# recorded with the difference; the check then fails and needs an override.
preflight_script "$T/clock.ceremony" clock
REF=$(date -u -d '@'$(( $(date +%s) - 3600 )) +%Y-%m-%dT%H:%M:%SZ)
{ grep '^participant' "$T/answers"; echo "confirm 1: no"; echo "ask 1: $REF";
  echo "confirm-all: yes"; echo "resume: no"; } >"$T/answers-clock"
t_fail "the officer says the clock is wrong: without an override the ceremony stops" 3 \
    "$OFFROOT" ceremony "$T/clock.ceremony" -d "$AG" --media "$AGM" --answers "$T/answers-clock" \
    --passphrase-file "$PASS"
like "\\[step 1\\] The reference time \\(UTC, YYYY-MM-DDTHH:MM:SSZ\\): $REF" "$T/err" \
    "the reference time is asked and taken from the answers"
# The difference is exactly the system time it shows minus the reference:
# checked against its own numbers, not against this test's clock, which a
# loaded machine may have moved on since REF was taken.
clock_line=$(grep -o 'the system clock ([0-9TZ:-]*) does not match the reference ('"$REF"'): [0-9]* s apart' "$T/err")
sys_t=$(echo "$clock_line" | sed 's/^the system clock (\([^)]*\)).*/\1/')
diff_s=$(echo "$clock_line" | sed 's/.*: \([0-9]*\) s apart$/\1/')
[ -n "$clock_line" ] && [ "$diff_s" -ge 3599 ] &&
    [ "$diff_s" -eq $(( $(date -u -d "$sys_t" +%s) - $(date -u -d "$REF" +%s) )) ]
ok $? "the failed check says by how much the clocks differ"
{ cat "$T/answers-clock"; echo "override clock: the system clock is an hour ahead; times corrected on paper"; } >"$T/answers-clock-ov"
t_ok "with an override the ceremony goes on" "$OFFROOT" ceremony "$T/clock.ceremony" -d "$AG" \
    --media "$AGM" --answers "$T/answers-clock-ov" --passphrase-file "$PASS"
TRC=$(ls -t "$AG"/transcripts/*-ceremony-*.log | head -1)
"$OFFROOT" transcript print "$TRC" >"$T/tprintc.txt" 2>&1
awk '/^ *[0-9]+  [0-9TZ:-]+  clock$/ { on = 1; next } /^ *[0-9]+  [0-9TZ:-]+  / { on = 0 } on' \
    "$T/tprintc.txt" >"$T/clockrec.txt"
like 'matches_reference +no' "$T/clockrec.txt" "the transcript's clock record: the clock does not match"
like "reference_time +$REF" "$T/clockrec.txt" "... the reference time entered"
like 'system_time +20[0-9-]+T[0-9:]+Z' "$T/clockrec.txt" "... the system time"
rec_sys=$(sed -n 's/^ *system_time  *\([0-9TZ:-]*\)$/\1/p' "$T/clockrec.txt")
rec_off=$(sed -n 's/^ *offset_seconds  *\([0-9-]*\)$/\1/p' "$T/clockrec.txt")
[ -n "$rec_sys" ] && [ -n "$rec_off" ] && [ "$rec_off" -ge 3599 ] &&
    [ "$rec_off" -eq $(( $(date -u -d "$rec_sys" +%s) - $(date -u -d "$REF" +%s) )) ]
ok $? "... and the difference in seconds (system time minus reference)"
like 'by +Ceremony Administrator \(Alice Admin\)' "$T/clockrec.txt" "... and who said so"
like 'check +clock' "$T/tprintc.txt" "the clock pre-flight is recorded"
like 'failed +clock: the system clock .* does not match the reference' "$T/tprintc.txt" "... and the override names the failure"
like 'reason +the system clock is an hour ahead' "$T/tprintc.txt" "... with the override's reason"
t_ok "that transcript verifies" "$OFFROOT" transcript verify "$TRC" --root "$AG/root.crt"
for bad in 'yesterday at noon' '2026-02-30T10:00:00Z' '2026-11-25 10:00:00'; do
	{ grep '^participant' "$T/answers"; echo "confirm 1: no"; echo "ask 1: $bad";
	  echo "confirm-all: yes"; echo "resume: no"; } >"$T/answers-badtime"
	run "$OFFROOT" ceremony "$T/clock.ceremony" -d "$AG" --media "$AGM" \
	    --answers "$T/answers-badtime" --passphrase-file "$PASS"
	[ "$rc" -ne 0 ] && grep -q "\"$bad\" is not a UTC time written as YYYY-MM-DDTHH:MM:SSZ" "$T/err"
	ok $? "a reference time \"$bad\" is refused (exit $rc)"
done
t_ok "the CA passes audit after the pre-flight runs" "$OFFROOT" audit -d "$AG"

# ---- a crash after the root, before the signing: resume --------------------

if [ "$NS" = 1 ]; then RUN=ns; A="$T/answers"; else RUN=; A="$T/answers-ov"; fi
CA2="$T/ca2"; M2="$T/m2"; mkdir -p "$M2"; cp "$MEDIA/vault-int.csr" "$M2/"
{ cat "$A"; echo "kill-at: 6"; } >"$T/answers-kill"
$RUN "$OFFROOT" ceremony "$K8S" -d "$CA2" --media "$M2" --answers "$T/answers-kill" \
    --passphrase-file "$PASS" --kdf interactive >"$T/out" 2>"$T/err"
rc=$?
[ "$rc" -eq 137 ] || [ "$rc" -eq 265 ]; ok $? "kill-at 6 kills the ceremony with SIGKILL (exit $rc)"
[ -f "$CA2/root.crt" ] && ! grep -q ' end ' "$CA2"/transcripts/*-ceremony-*.log
ok $? "the root exists and the ceremony transcript is left unclosed"
{ cat "$A"; echo "resume: yes"; } >"$T/answers-resume"
t_ok "the ceremony resumes and finishes" $RUN "$OFFROOT" ceremony "$K8S" -d "$CA2" \
    --media "$M2" --answers "$T/answers-resume" --passphrase-file "$PASS" --kdf interactive
like 'Resume this ceremony from step 6|completed steps: 1, 2, 3, 4, 5' "$T/out" "it showed what was done and resumed at step 6"
[ "$(grep -c '^[0-9]* [^ ]* init ' "$CA2/journal")" -eq 1 ]
ok $? "the journal has exactly one init record: no second key generation"
TR3=$(ls "$CA2"/transcripts/*-ceremony-*.log)
[ "$(grep -c ' root-created ' $TR3)" -eq 1 ] && grep -q ' resume ' $TR3
ok $? "one transcript: one root-created record and a resume record"
t_ok "the resumed CA passes audit" "$OFFROOT" audit -d "$CA2"
openssl verify -x509_strict -CAfile "$CA2/root.crt" "$M2/vault-int-bundle/certificate.pem" >/dev/null 2>&1
ok $? "the resumed ceremony's intermediate verifies"

# A witness declines right after the root is made: resuming finds the CA
# and skips the generation as already done.
CA3="$T/ca3"; M3="$T/m3"; mkdir -p "$M3"; cp "$MEDIA/vault-int.csr" "$M3/"
{ echo "confirm 4: yes"; echo "confirm 4: no"; cat "$A"; } >"$T/answers-no"
t_fail "a declined fingerprint stops the ceremony" 1 $RUN "$OFFROOT" ceremony "$K8S" \
    -d "$CA3" --media "$M3" --answers "$T/answers-no" --passphrase-file "$PASS" --kdf interactive
[ -f "$CA3/root.crt" ]; ok $? "the root had been created"
{ echo "kill-at: 6"; cat "$A"; echo "resume: yes"; } >"$T/answers-again"
$RUN "$OFFROOT" ceremony "$K8S" -d "$CA3" --media "$M3" --answers "$T/answers-again" \
    --passphrase-file "$PASS" --kdf interactive >"$T/out" 2>"$T/err"
grep -q ' already-done ' "$CA3"/transcripts/*-ceremony-*.log &&
    [ "$(grep -c '^[0-9]* [^ ]* init ' "$CA3/journal")" -eq 1 ]
ok $? "the re-run step 4 finds the matching init record and does not generate again"

# ---- a crash after the issuance and export record, before the rename ------
# A preloaded shim (test code, compiled here; nothing in offroot) kills the
# process with SIGKILL as it moves the finished bundle into place: the
# journal holds the issuance and the export (recorded before the rename),
# the bundle is complete in its staging folder.  The resume moves it into
# place and never signs again; it refuses while something else is there.
if command -v cc >/dev/null 2>&1; then
cat >"$T/killrename.c" <<'E'
#define _GNU_SOURCE
#include <dlfcn.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
int
renameat2(int od, const char *op, int nd, const char *np, unsigned int fl)
{
	const char *want = getenv("KILL_ON_RENAME_TO");
	int (*real)(int, const char *, int, const char *, unsigned int);

	if (want != NULL && np != NULL && strcmp(np, want) == 0)
		raise(SIGKILL);
	*(void **)&real = dlsym(RTLD_NEXT, "renameat2");
	return real(od, op, nd, np, fl);
}
E
cc -shared -fPIC -o "$T/killrename.so" "$T/killrename.c" -ldl
ok $? "the kill shim builds"
CA5="$T/ca5"; M5="$T/m5"; mkdir -p "$M5"
new_ca "$CA5"; ok $? "a CA for the signing ceremony"
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-384 -nodes \
    -keyout "$T/int5.key" -subj "/C=DE/O=offroot tests/CN=Resumed Intermediate" \
    -out "$M5/intermediate.csr" 2>/dev/null
{ grep -v '^exception' "$A"; } >"$T/answers-int"
INT="$SCRIPTS/intermediate.ceremony"
KILL_ON_RENAME_TO="$M5/intermediate-bundle" LD_PRELOAD="$T/killrename.so" \
    ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" \
    $RUN "$OFFROOT" ceremony "$INT" -d "$CA5" --media "$M5" \
    --answers "$T/answers-int" --passphrase-file "$PASS" >"$T/out" 2>"$T/err"
rc=$?
[ "$rc" -eq 137 ]; ok $? "killed with SIGKILL as the bundle was moved into place (exit $rc)"
STAGE5=$(cd "$M5" && ls -a | grep -- '^\.intermediate-bundle\.partial-')
[ "$(grep -c '^[0-9]* [^ ]* issue ' "$CA5/journal")" -eq 1 ] &&
    [ "$(grep -c '^[0-9]* [^ ]* export ' "$CA5/journal")" -eq 1 ] &&
    [ ! -e "$M5/intermediate-bundle" ] && [ -f "$M5/$STAGE5/MANIFEST" ]
ok $? "at that moment the journal holds the issuance and the export, and the bundle is staged ($STAGE5)"
serial5=$(sed -n 's/^[0-9]* [^ ]* issue [^ ]* serial=\([0-9a-f]*\) .*/\1/p' "$CA5/journal")
{ cat "$T/answers-int"; echo "resume: yes"; } >"$T/answers-int-resume"
# A folder where the bundle goes that is not the recorded bundle: refused,
# nothing signed, nothing overwritten.
mkdir "$M5/intermediate-bundle"; echo "not a bundle" >"$M5/intermediate-bundle/stray"
t_fail "a resume refuses when the bundle folder does not hold the recorded bundle" 1 \
    $RUN "$OFFROOT" ceremony "$INT" -d "$CA5" --media "$M5" \
    --answers "$T/answers-int-resume" --passphrase-file "$PASS"
like 'the journal records its bundle as written to .*intermediate-bundle .*does not hold it' "$T/err" \
    "it says the bundle is recorded and the folder is in the way"
[ "$(grep -c '^[0-9]* [^ ]* issue ' "$CA5/journal")" -eq 1 ] && [ -f "$M5/intermediate-bundle/stray" ] &&
    [ -f "$M5/$STAGE5/MANIFEST" ]
ok $? "nothing was signed again, the folder is untouched, the staged bundle kept"
rm -r "$M5/intermediate-bundle"
t_ok "the signing ceremony resumes and finishes" $RUN "$OFFROOT" ceremony "$INT" -d "$CA5" \
    --media "$M5" --answers "$T/answers-int-resume" --passphrase-file "$PASS"
like "recovered: moved $M5/$STAGE5 into place as $M5/intermediate-bundle" "$T/err" \
    "it moves the recorded, staged bundle into place"
[ "$(grep -c '^[0-9]* [^ ]* issue ' "$CA5/journal")" -eq 1 ]
ok $? "the journal still holds exactly one issuance: nothing was signed again"
[ "$(grep -c '^[0-9]* [^ ]* export .*intermediate-bundle' "$CA5/journal")" -eq 1 ]
ok $? "the bundle's export is recorded once"
t_ok "offroot verify accepts the bundle" "$OFFROOT" verify \
    "$M5/intermediate-bundle" --root "$CA5/root.crt" --csr "$M5/intermediate.csr"
got=$(openssl x509 -in "$M5/intermediate-bundle/certificate.pem" -noout -serial | sed 's/.*=//; s/^0*//' | tr 'A-F' 'a-f')
[ -n "$serial5" ] && [ "$got" = "$serial5" ]
ok $? "the bundle holds the certificate issued before the kill ($serial5)"
t_ok "offroot audit accepts the CA after the resume" "$OFFROOT" audit -d "$CA5"
TR5=$(ls "$CA5"/transcripts/*-ceremony-*.log)
[ "$(echo "$TR5" | wc -l)" -eq 1 ] && grep -q ' resume ' "$TR5" &&
    grep -q " already-done .*bundle=$M5/intermediate-bundle " "$TR5" && ! grep -q ' signed ' "$TR5"
ok $? "one ceremony transcript: the resume finds the bundle done, nothing signed again"
t_ok "the resumed transcript verifies" "$OFFROOT" transcript verify "$TR5" --root "$CA5/root.crt"
else
	diag "no C compiler: the crash between issuance and export is not exercised"
fi

# ---- the CSR's SHA-256, confirmed before the key ---------------------------
# A no leaves nothing unlocked or issued, with the reason on record; the
# resume shows both SHA-256 values again and asks again.  In words or hex
# mode the witness types the start of the requester's value, which may be
# the file's (sha256sum) or the DER request's.
CA6="$T/ca6"; M6="$T/m6"; mkdir -p "$M6"
new_ca "$CA6"; ok $? "a CA for the CSR hash runs"
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-384 -nodes \
    -keyout "$T/int6.key" -subj "/C=DE/O=offroot tests/CN=Hashed Intermediate" \
    -out "$M6/intermediate.csr" 2>/dev/null
INT="$SCRIPTS/intermediate.ceremony"
{ echo "confirm 4: no"; grep -v '^exception' "$A"; } >"$T/answers-hash-no"
t_fail "a witness's no to the CSR's SHA-256 stops the signing step" 1 $RUN "$OFFROOT" \
    ceremony "$INT" -d "$CA6" --media "$M6" --answers "$T/answers-hash-no" --passphrase-file "$PASS"
like 'did not confirm the SHA-256 of intermediate.csr; nothing was unlocked or signed' "$T/err" \
    "it says why, and that nothing was unlocked or signed"
TR6=$(ls "$CA6"/transcripts/*-ceremony-*.log)
! grep -q '^[0-9]* [^ ]* issue ' "$CA6/journal" && ! grep -q ' key-unlocked \| signed ' "$TR6" &&
    grep -q ' csr-hash .*answer=no' "$TR6" && grep -q ' abandoned .*did%20not%20confirm%20the%20SHA-256' "$TR6"
ok $? "no issue record, no unlock; the transcript records the no and why the run stopped"
fsha=$(sha256sum "$M6/intermediate.csr" | cut -c1-64)
dsha=$(openssl req -in "$M6/intermediate.csr" -outform DER | sha256sum | cut -c1-64)
{ grep -v '^exception' "$A"; echo "resume: yes"; } >"$T/answers-hash-yes"
t_ok "the resumed step asks again and signs" $RUN "$OFFROOT" ceremony "$INT" -d "$CA6" \
    --media "$M6" --answers "$T/answers-hash-yes" --passphrase-file "$PASS"
tr -d ' \n' <"$T/out" | grep -qi "compare.*sha256sum.*$fsha.*DERrequest.*$dsha"
ok $? "the resume shows both SHA-256 values again, labelled: the file (sha256sum) and the DER request"
csr_hash_first "$TR6"
ok $? "after the resume the yes precedes key-unlocked and signed"
[ "$(grep -c '^[0-9]* [^ ]* issue ' "$CA6/journal")" -eq 1 ]; ok $? "one issuance"

# words and hex: a script that has the witness type.
sed 's/^param: confirm_csr = yes$/param: confirm_csr = words/' "$INT" >"$T/int-words.ceremony"
CA7="$T/ca7"; M7="$T/m7"; mkdir -p "$M7"; new_ca "$CA7"
cp "$M6/intermediate.csr" "$M7/"
words=$("$OFFROOT" digest "$M7/intermediate.csr" | sed -n 4p | cut -d' ' -f1-2)
{ grep -v '^exception' "$A"; for i in 1 2 3; do echo "ask 4: hello world"; done; } >"$T/answers-words-bad"
t_fail "three wrong pairs of words stop the step" 1 $RUN "$OFFROOT" ceremony "$T/int-words.ceremony" \
    -d "$CA7" --media "$M7" --answers "$T/answers-words-bad" --passphrase-file "$PASS"
like '"hello world" is not the start of either SHA-256 of intermediate.csr \(3 of 3 tries\)' "$T/err" \
    "each wrong try is named, and the third is the last"
! grep -q '^[0-9]* [^ ]* issue ' "$CA7/journal" &&
    [ "$(grep -c ' csr-hash .*typed=hello%20world .*matched=none' "$CA7"/transcripts/*-ceremony-*.log)" -eq 3 ]
ok $? "nothing issued; every try is in the transcript"
{ grep -v '^exception' "$A"; echo "resume: yes"; echo "ask 4: $(echo "$words" | tr 'a-z' 'A-Z')"; } >"$T/answers-words"
t_ok "the first two PGP words of the file's SHA-256 (any case) let the step sign" $RUN "$OFFROOT" \
    ceremony "$T/int-words.ceremony" -d "$CA7" --media "$M7" --answers "$T/answers-words" --passphrase-file "$PASS"
like 'the value the requester sent is the SHA-256 of the file as it is on the media' "$T/err" \
    "it says which of the two values the requester sent"
grep -q " csr-hash .*method=words .*matched=file .*answer=yes" "$CA7"/transcripts/*-ceremony-*.log
ok $? "recorded: words, matched the file"
sed 's/^param: confirm_csr = yes$/param: confirm_csr = hex/' "$INT" >"$T/int-hex.ceremony"
CA8="$T/ca8"; M8="$T/m8"; mkdir -p "$M8"; new_ca "$CA8"; cp "$M6/intermediate.csr" "$M8/"
{ grep -v '^exception' "$A"; echo "ask 4: $(echo "$dsha" | cut -c1-4) $(echo "$dsha" | cut -c5-8)"; } >"$T/answers-hex"
t_ok "the first two hex groups of the DER request's SHA-256 let the step sign" $RUN "$OFFROOT" \
    ceremony "$T/int-hex.ceremony" -d "$CA8" --media "$M8" --answers "$T/answers-hex" --passphrase-file "$PASS"
grep -q " csr-hash .*method=hex .*matched=der .*answer=yes" "$CA8"/transcripts/*-ceremony-*.log &&
    csr_hash_first "$(ls "$CA8"/transcripts/*-ceremony-*.log)"
ok $? "recorded: hex, matched the DER request, before key-unlocked and signed"
sed 's/^param: confirm_csr = yes$/param: confirm_csr = maybe/' "$INT" >"$T/int-maybe.ceremony"
t_fail "script check refuses an unknown confirm_csr" 1 "$OFFROOT" script check "$T/int-maybe.ceremony"
like 'confirm_csr: expected words' "$T/err" "and names the three ways"

# A verify: line is asked before the action, a check: line after.
sed '/^step 3: Confirm the root fingerprint$/,/^param: of = root$/s/^param: of = root$/param: of = root\nverify: The printout of the root ceremony is on the table./' \
    "$INT" >"$T/int-verify.ceremony"
t_ok "a script with a verify: line passes script check" "$OFFROOT" script check "$T/int-verify.ceremony"
{ echo "confirm 3: no"; grep -v '^exception' "$A"; } >"$T/answers-verify-no"
t_fail "a no to a verify: line stops the step before its action" 1 $RUN "$OFFROOT" ceremony \
    "$T/int-verify.ceremony" -d "$CA8" --media "$M8" --answers "$T/answers-verify-no" --passphrase-file "$PASS"
TRV=$(ls -t "$CA8"/transcripts/*-ceremony-*.log | head -1)
grep -q ' verified .*answer=no' "$TRV" && ! grep -q ' fingerprint ' "$TRV"
ok $? "recorded as verified=no, and the fingerprint was never shown or confirmed"
t_ok "script print marks it as before the action" "$OFFROOT" script print "$T/int-verify.ceremony"
like '\[ \] BEFORE the action: The printout of the root ceremony' "$T/out" "... on the paper"

# A no to the root's preview: nothing made, no CA directory.
{ echo "confirm 4: no"; cat "$A"; } >"$T/answers-root-no"
t_fail "a no to the root's preview stops the step" 1 $RUN "$OFFROOT" ceremony "$K8S" \
    -d "$T/ca-none" --media "$MEDIA" --answers "$T/answers-root-no" --passphrase-file "$PASS" --kdf interactive
like 'did not confirm the root to be made; no key was made' "$T/err" "... saying nothing was made"
[ ! -e "$T/ca-none" ]; ok $? "... and there is no CA directory"

# ---- the CRL step: what it will sign, before the key -----------------------
CRLS="$SCRIPTS/crl.ceremony"
{ grep -v '^exception' "$A"; echo "resume: no"; } >"$T/answers-crl"
M9="$T/m9"; mkdir -p "$M9"
t_ok "crl.ceremony signs the first CRL of a CA" $RUN "$OFFROOT" ceremony "$CRLS" -d "$CA6" \
    --media "$M9" --answers "$T/answers-crl" --passphrase-file "$PASS"
serial6=$(sed -n 's/^[0-9]* [^ ]* issue [^ ]* serial=\([0-9a-f]*\) .*/\1/p' "$CA6/journal")
t_ok "the intermediate is revoked after it" "$OFFROOT" revoke -d "$CA6" --serial "$serial6" \
    --reason superseded
rm -rf "$M9"; mkdir -p "$M9"
t_ok "crl.ceremony signs the next one" $RUN "$OFFROOT" ceremony "$CRLS" -d "$CA6" \
    --media "$M9" --answers "$T/answers-crl" --passphrase-file "$PASS"
sed -n '/^== The next CRL (nothing is signed yet)$/,/^output:/p' "$T/out" >"$T/crl-preview"
like '^CRL number: +[0-9]+ \(the last one is number [0-9]+\)$' "$T/crl-preview" "the preview names the next CRL number and the last one"
like '^thisUpdate: +20[0-9-]+T[0-9:]+Z$' "$T/crl-preview" "... thisUpdate"
like '^nextUpdate: +20[0-9-]+T[0-9:]+Z' "$T/crl-preview" "... nextUpdate"
like '^revoked since the last CRL: 1$' "$T/crl-preview" "... how many were revoked since the last CRL"
like "^  $serial6  superseded  20" "$T/crl-preview" "... each by serial, reason and time"
like '^entries in all: 1$' "$T/crl-preview" "... and the entries in all"
TRC=$(ls -t "$CA6"/transcripts/*-ceremony-*.log | head -1)
awk '/ crl-preview .*answer=yes/ && !p {p=NR} / key-unlocked / && !k {k=NR} / crl-signed / && !s {s=NR}
    END {exit !(p && k && s && p < k && k < s)}' "$TRC"
ok $? "the transcript: the confirmed preview, then key-unlocked, then crl-signed"
# A missing medium, or one that is a file: refused before the unlock, with
# no CRL number reserved (the pre-flight media check is overridden).
{ grep -v '^exception' "$A"; echo "resume: no"; echo "override media: the test removes it"; } >"$T/answers-crl-gone"
for kind in missing file; do
	MG="$T/gone-$kind"; rm -rf "$MG"; [ "$kind" = file ] && echo "not a folder" >"$MG"
	cp "$CA6/journal" "$T/journal.crl-before"
	t_fail "a $kind medium stops the CRL step" 3 $RUN "$OFFROOT" ceremony "$CRLS" -d "$CA6" \
	    --media "$MG" --answers "$T/answers-crl-gone" --passphrase-file "$PASS"
	TRG=$(ls -t "$CA6"/transcripts/*-ceremony-*.log | head -1)
	cmp -s "$CA6/journal" "$T/journal.crl-before" && ! grep -q ' key-unlocked ' "$TRG" &&
	    grep -q ' crl-preview ' "$TRG"
	ok $? "... before the key was unlocked: no CRL number reserved, the journal as it was ($kind)"
done
{ echo "confirm 3: no"; grep -v '^exception' "$A"; echo "resume: no"; } >"$T/answers-crl-no"
cp "$CA6/journal" "$T/journal.crl-before"
rm -rf "$M9"; mkdir -p "$M9"
t_fail "a no to the CRL preview stops the step" 1 $RUN "$OFFROOT" ceremony "$CRLS" -d "$CA6" \
    --media "$M9" --answers "$T/answers-crl-no" --passphrase-file "$PASS"
like 'did not confirm the next CRL; the key was not unlocked and CRL number [0-9]+ was not used' "$T/err" \
    "it says the key was not unlocked and the number not used"
cmp -s "$CA6/journal" "$T/journal.crl-before"; ok $? "... and the journal is as it was"

# ---- slips: asked again, but never in a loop from a file -------------------
# An empty name is asked again; a wrong passphrase from a file is not (the
# same file would give the same answer): one error line.
CA10="$T/ca10"; M10="$T/m10"; mkdir -p "$M10"; new_ca "$CA10"
{ grep -v '^exception\|^participant: Internal Witness' "$A"; echo "resume: no"
  echo "ask 2:"; echo "ask 2: Bob Witness"; } >"$T/answers-empty"
t_ok "an empty name is asked again, and the ceremony completes" $RUN "$OFFROOT" ceremony \
    "$CRLS" -d "$CA10" --media "$M10" --answers "$T/answers-empty" --passphrase-file "$PASS"
like 'Name of the Internal Witness \(the name of the Internal Witness cannot be empty; 2 tries left\): Bob Witness' \
    "$T/err" "the second question says why it is asked again"
grep -q ' participant .*role=Internal%20Witness name=Bob%20Witness ' "$(ls -t "$CA10"/transcripts/*-ceremony-*.log | head -1)"
ok $? "the name given the second time is recorded"
{ grep -v '^exception\|^participant: Internal Witness' "$A"; echo "resume: no"
  for i in 1 2 3; do echo "ask 2:"; done; } >"$T/answers-empty3"; mkdir -p "$T/m10b"
t_fail "three empty names stop the step" 1 $RUN "$OFFROOT" ceremony "$CRLS" -d "$CA10" \
    --media "$T/m10b" --answers "$T/answers-empty3" --passphrase-file "$PASS"
like 'the Internal Witness has no name' "$T/err" "... saying which role"
printf 'not the passphrase\n' >"$T/wrongpass"; chmod 600 "$T/wrongpass"
mkdir -p "$T/m10c"
t_fail "a wrong --passphrase-file in batch fails at once with one line" 1 $RUN "$OFFROOT" ceremony \
    "$CRLS" -d "$CA10" --media "$T/m10c" --answers "$T/answers-crl" --passphrase-file "$T/wrongpass"
like 'wrong passphrase' "$T/err" "... naming the wrong passphrase"
! grep -q 'tries left' "$T/err"; ok $? "... without asking the file again"
t_fail "offroot check-key with a wrong --passphrase-file: one line" 1 "$OFFROOT" check-key \
    -d "$CA10" --passphrase-file "$T/wrongpass"
[ "$(grep -c 'Unlocking the root key' "$T/err")" -eq 1 ]; ok $? "... after one try: a file is not asked again"

# ---- tamper-evident bags: a note step asks each bag's number -----------
bags_script() {	# FILE BAGS
	cat >"$1" <<E2
offroot-ceremony 1
name: Bags
version: 1
role: Ceremony Administrator
role: Internal Witness

step 1: Participants
role: Ceremony Administrator
action: participants

step 2: Seal the backups
role: Internal Witness
action: note
param: bags = $2
	The key backup and the printout go into their bags.
E2
}
BG="$T/bgca"; BGM="$T/bgmedia"; mkdir -p "$BGM"
new_ca "$BG"
bags_script "$T/bags.ceremony" "key backup, printout (A4)"
t_ok "a note step with bags passes script check" "$OFFROOT" script check "$T/bags.ceremony"
bags_script "$T/bad-bags.ceremony" "key backup, key backup"
t_fail "a bag named twice is refused by script check" 1 "$OFFROOT" script check "$T/bad-bags.ceremony"
like 'bags: "key backup" twice' "$T/err" "... naming it"
bags_script "$T/bad-bags.ceremony" 'key;backup'
t_fail "a bag label with a character outside the plain set is refused" 1 \
    "$OFFROOT" script check "$T/bad-bags.ceremony"
{ grep '^participant: \(Ceremony Administrator\|Internal Witness\)' "$T/answers"
  echo "confirm-all: yes"; echo "resume: no"
  echo "ask: "; echo "ask: AB 123;456"; echo "ask:  TE-0042731 "; echo "ask: P 77/2"; } >"$T/answers-bags"
t_ok "the ceremony asks each bag's number; an empty or unplain one is asked again" \
    "$OFFROOT" ceremony "$T/bags.ceremony" -d "$BG" --media "$BGM" \
    --answers "$T/answers-bags" --passphrase-file "$PASS"
[ "$(grep -c 'a bag number is 1 to 32' "$T/err")" -eq 2 ]; ok $? "... twice told what a bag number is"
BTR=$(ls -t "$BG"/transcripts/*-ceremony-*.log | head -1)
"$OFFROOT" transcript print "$BTR" >"$T/bags.print" 2>&1
[ "$(grep -c '^ *[0-9]*  [0-9TZ:-]*  bag$' "$T/bags.print")" -eq 2 ]
ok $? "two bag records in the transcript"
like 'bag +key backup' "$T/bags.print" "the first names its bag"
like 'number +TE-0042731$' "$T/bags.print" "... and the number, trimmed"
like 'number +P 77/2$' "$T/bags.print" "the second bag's number"
like 'by +Internal Witness' "$T/bags.print" "... typed by the step's officer"
t_ok "transcript verify accepts it" "$OFFROOT" transcript verify "$BTR" --root "$BG/root.crt"
{ grep '^participant: \(Ceremony Administrator\|Internal Witness\)' "$T/answers"
  echo "confirm-all: yes"; echo "resume: no"
  echo "ask: "; echo "ask: ;"; echo "ask: "; } >"$T/answers-nobag"
t_fail "three numbers that are not plain stop the step" 1 \
    "$OFFROOT" ceremony "$T/bags.ceremony" -d "$BG" --media "$BGM" \
    --answers "$T/answers-nobag" --passphrase-file "$PASS"
like 'no bag number for "key backup" after 3 tries' "$T/err" "... saying which bag"

done_testing
