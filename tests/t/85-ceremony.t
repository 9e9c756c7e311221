#!/bin/sh
# Ceremony scripts and the ceremony engine: script check refuses every kind
# of broken script with FILE:LINE; every shipped script passes; script
# print has the paper columns and the binary's SHA-256; the Kubernetes
# ceremony run end to end by the batch runner inside a network namespace
# (root, Vault intermediate, first CRL), its artefacts checked with
# openssl; the air-gap check failing outside the namespace and the
# recorded override; transcript verify catching edited, removed and
# reordered records; a ceremony killed with SIGKILL resumed without a
# second key generation; one killed between issuance and bundle resumed
# by writing the bundle, without signing again.
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
s|^param: csr = vault-int.csr$|param: csr = /media/usb0/vault-int.csr|
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

# ---- the air gap outside the namespace -------------------------------------

if ip -o link 2>/dev/null | grep -v ' lo:' | grep -q '[<,]UP[,>]'; then
	mkdir -p "$T/media2"
	t_fail "the air-gap check fails with a network interface up" 3 \
	    "$OFFROOT" ceremony "$SCRIPTS/crl.ceremony" -d "$CA" --media "$T/media2" \
	    --answers "$T/answers" --passphrase-file "$PASS"
	like 'air gap: FAILED' "$T/err" "the refusal says the air gap failed"
	{ grep -v '^exception' "$T/answers"; echo "override airgap: rehearsal on the lab machine (ticket 42)"; echo "resume: no"; } >"$T/answers-ov2"
	t_ok "an override with a reason lets the ceremony go on" \
	    "$OFFROOT" ceremony "$SCRIPTS/crl.ceremony" -d "$CA" --media "$T/media2" \
	    --answers "$T/answers-ov2" --passphrase-file "$PASS"
	# The newest finished crl ceremony: names sort by the second they
	# began, and a fast run begins several in the same second.
	TR2=$(ls -t $(grep -l 'crl.ceremony' "$CA"/transcripts/*-ceremony-*.log | xargs grep -l ' end ') | head -1)
	"$OFFROOT" transcript print "$TR2" >"$T/tprint2.txt" 2>&1
	like 'reason +rehearsal on the lab machine \(ticket 42\)' "$T/tprint2.txt" \
	    "the override's reason is in the transcript"
	like 'result +fail' "$T/tprint2.txt" "and so is the failed check"
else
	diag "no network interface is up here: the air-gap failure is not exercised"
fi

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
CA3="$T/ca3"; M3="$T/m3"; mkdir -p "$M3"
{ echo "confirm 4: no"; cat "$A"; } >"$T/answers-no"
t_fail "a declined fingerprint stops the ceremony" 1 $RUN "$OFFROOT" ceremony "$K8S" \
    -d "$CA3" --media "$M3" --answers "$T/answers-no" --passphrase-file "$PASS" --kdf interactive
[ -f "$CA3/root.crt" ]; ok $? "the root had been created"
{ echo "kill-at: 6"; cat "$A"; echo "resume: yes"; } >"$T/answers-again"
$RUN "$OFFROOT" ceremony "$K8S" -d "$CA3" --media "$M3" --answers "$T/answers-again" \
    --passphrase-file "$PASS" --kdf interactive >"$T/out" 2>"$T/err"
grep -q ' already-done ' "$CA3"/transcripts/*-ceremony-*.log &&
    [ "$(grep -c '^[0-9]* [^ ]* init ' "$CA3/journal")" -eq 1 ]
ok $? "the re-run step 4 finds the matching init record and does not generate again"

# ---- a crash after the issuance, before the bundle: resume -----------------
# A preloaded shim (test code, compiled here; nothing in offroot) kills the
# process with SIGKILL as it moves the finished bundle into place: the
# journal holds the issuance, not the export.  The resume must write the
# bundle from the issued copy and never sign again.
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
[ "$(grep -c '^[0-9]* [^ ]* issue ' "$CA5/journal")" -eq 1 ] &&
    ! grep -q '^[0-9]* [^ ]* export ' "$CA5/journal" && [ ! -e "$M5/intermediate-bundle" ]
ok $? "at that moment the journal holds the issuance but no export, and there is no bundle"
serial5=$(sed -n 's/^[0-9]* [^ ]* issue [^ ]* serial=\([0-9a-f]*\) .*/\1/p' "$CA5/journal")
{ cat "$T/answers-int"; echo "resume: yes"; } >"$T/answers-int-resume"
# A folder where the bundle goes that the journal does not record: refused,
# nothing signed, nothing overwritten.
mkdir "$M5/intermediate-bundle"; echo "not a bundle" >"$M5/intermediate-bundle/stray"
t_fail "a resume refuses to write over a bundle folder the journal does not record" 1 \
    $RUN "$OFFROOT" ceremony "$INT" -d "$CA5" --media "$M5" \
    --answers "$T/answers-int-resume" --passphrase-file "$PASS"
like 'issued before the interruption, but the journal does not record their bundle' "$T/err" \
    "it says the certificate was issued and the folder is in the way"
[ "$(grep -c '^[0-9]* [^ ]* issue ' "$CA5/journal")" -eq 1 ] && [ -f "$M5/intermediate-bundle/stray" ]
ok $? "nothing was signed again and the folder is untouched"
rm -r "$M5/intermediate-bundle"
t_ok "the signing ceremony resumes and finishes" $RUN "$OFFROOT" ceremony "$INT" -d "$CA5" \
    --media "$M5" --answers "$T/answers-int-resume" --passphrase-file "$PASS"
like 'issued before the interruption .*without signing again' "$T/err" "it says it writes the bundle without signing again"
like 'partial-.* was left half-written' "$T/err" "and names the half-written folder the killed run left"
[ "$(grep -c '^[0-9]* [^ ]* issue ' "$CA5/journal")" -eq 1 ]
ok $? "the journal still holds exactly one issuance: nothing was signed again"
[ "$(grep -c '^[0-9]* [^ ]* export .*intermediate-bundle' "$CA5/journal")" -eq 1 ]
ok $? "the bundle's export is recorded once"
t_ok "offroot verify accepts the bundle written by the resume" "$OFFROOT" verify \
    "$M5/intermediate-bundle" --root "$CA5/root.crt" --csr "$M5/intermediate.csr"
got=$(openssl x509 -in "$M5/intermediate-bundle/certificate.pem" -noout -serial | sed 's/.*=//; s/^0*//' | tr 'A-F' 'a-f')
[ -n "$serial5" ] && [ "$got" = "$serial5" ]
ok $? "the bundle holds the certificate issued before the kill ($serial5)"
t_ok "offroot audit accepts the CA after the resume" "$OFFROOT" audit -d "$CA5"
TR5=$(ls "$CA5"/transcripts/*-ceremony-*.log)
[ "$(echo "$TR5" | wc -l)" -eq 1 ] && grep -q ' resume ' "$TR5" &&
    grep -q " resumed-export .*serials=$serial5 " "$TR5" && ! grep -q ' signed ' "$TR5"
ok $? "one ceremony transcript: the resume and the bundle written for the issued serial"
t_ok "the resumed transcript verifies" "$OFFROOT" transcript verify "$TR5" --root "$CA5/root.crt"
else
	diag "no C compiler: the crash between issuance and export is not exercised"
fi

done_testing
