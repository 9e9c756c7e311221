#!/bin/sh
# Ceremonies killed where a resume used to be impossible (issue 12, item
# 5), each kill placed by strace at an exact system call: the count of
# calls is taken from a traced run first, then the same ceremony is
# killed (SIGKILL) at that call and resumed with the same command.
#   - after step 8's CRL was signed and recorded, with root.crl on the
#     media and before (output missing): the resume signs nothing again;
#   - right after the export step created public/, and after root.pem
#     was in it: the resume finishes the folder, checking what is there;
#   - during steps 1 and 2: the names in the answers file still answer
#     the participants step;
#   - after the transcript was sealed, before the CA journal recorded it,
#     and after, before its copy was on the media: the resume does what
#     follows the seal and nothing else.
# No wall-clock deltas: it may run in parallel with the other tests.
. "$(dirname "$0")/../lib.sh"

command -v strace >/dev/null 2>&1 || { echo "1..0 # SKIP strace is not installed"; exit 0; }
K8S="$ROOT/ceremony-scripts/kubernetes.ceremony"
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-384 -nodes \
    -keyout "$T/vault-int.key" -subj "/CN=Vault Intermediate CA" \
    -out "$T/vault-int.csr" 2>/dev/null
# The air gap is overridden: the point here is the kills, not the network.
cat >"$T/answers" <<'E'
participant: Ceremony Administrator = Alice Admin
participant: Internal Witness = Bob Witness
participant: Crypto Officer 1 = Carol Officer
confirm-all: yes
override airgap: crash tests on a development machine
E
{ cat "$T/answers"; echo "resume: yes"; } >"$T/answers-resume"

# fresh NAME: an empty media folder $T/NAME-m with the CSR; the CA is $T/NAME.
fresh() { mkdir -p "$T/$1-m"; cp "$T/vault-int.csr" "$T/$1-m/"; }
cer() {	# NAME ANSWERS [strace options...]: the ceremony, output in $T/out, $T/err
	_nm=$1; _ans=$2; shift 2
	if [ $# -gt 0 ]; then set -- strace -f -s 200 -o "$T/$_nm.strace" "$@"; fi
	"$@" "$OFFROOT" ceremony "$K8S" -d "$T/$_nm" --media "$T/$_nm-m" \
	    --answers "$_ans" --passphrase-file "$PASS" --kdf interactive \
	    >"$T/out" 2>"$T/err"
	rc=$?
	cat "$T/out" "$T/err" >"$T/said"
	return $rc
}

# The count: one run traced, every call that a kill may be placed at.
fresh count
cer count "$T/answers" -e trace=write,fsync,fdatasync,mkdir,renameat2
ok $rc "a traced run of the Kubernetes ceremony completes (the count)"
TRACE="$T/count.strace"
# nth SYSCALL FROM-PATTERN: the ordinal of the first SYSCALL call at or
# after the first trace line matching FROM-PATTERN (awk ERE), counted
# from the start of the run; strace's when=N kills there.
nth() {
	awk -v sc="$1" -v pat="$2" '
	NR == 1 { pid = $1 } $1 != pid { next }
	$2 ~ "^" sc "\\(" { n++; if (on) { print n; exit } }
	!on && $0 ~ pat { on = 1 }' "$TRACE"
}
# kill_at NAME SYSCALL N: the ceremony into a fresh $T/NAME, killed at the
# Nth SYSCALL.
kill_at() {
	fresh "$1"
	cer "$1" "$T/answers" -e "inject=$2:signal=KILL:when=$3"
	[ "$rc" -eq 137 ]; ok $? "$1: killed at $2 number $3 (exit $rc)"
}
# resume NAME: the same command again, resuming; then the checks every
# kill must pass.
resume() {
	t_ok "$1: the ceremony resumes and finishes" cer "$1" "$T/answers-resume"
	[ $rc -eq 0 ] || diag "$(tail -3 "$T/err")"
	t_ok "$1: audit accepts the CA" "$OFFROOT" audit -d "$T/$1"
	[ "$(grep -c '^[0-9]* [^ ]* init ' "$T/$1/journal")" -eq 1 ] &&
	    [ "$(grep -c '^[0-9]* [^ ]* issue ' "$T/$1/journal")" -eq 1 ]
	ok $? "$1: one root key, one issuance: nothing made twice"
	(cd "$T/$1-m/public" && sha256sum -c SHA256SUMS >/dev/null 2>&1) &&
	    openssl verify -x509_strict -crl_check -CRLfile "$T/$1-m/public/crl.pem" \
	    -CAfile "$T/$1-m/public/root.pem" "$T/$1-m/vault-int-bundle/certificate.pem" >/dev/null 2>&1
	ok $? "$1: the public export is complete and the intermediate verifies with its CRL"
	_tr=$(ls "$T/$1"/transcripts/*-ceremony-*.log)
	[ "$(echo "$_tr" | wc -l)" -eq 1 ] && grep -q ' resume ' "$_tr" &&
	    grep -q ' end ' "$_tr"
	ok $? "$1: one ceremony transcript, resumed and sealed"
}

# ---- step 8: the CRL signed and recorded ----------------------------------
# The fsync of the media folder after root.crl was renamed into place: the
# CA journal holds CRL 2 and root.crl is on the media, the transcript has
# no crl-signed record.  Before: "root.crl already exists", for ever.
N=$(nth fsync 'renameat2\(.*"[^"]*/root\.crl"')
kill_at crl-out fsync "$N"
grep -q '^[0-9]* [^ ]* crl .*number=2 ' "$T/crl-out/journal" && [ -f "$T/crl-out-m/root.crl" ] &&
    ! grep -q ' crl-signed ' "$T/crl-out"/transcripts/*-ceremony-*.log
ok $? "crl-out: CRL 2 recorded and on the media, the step not done"
resume crl-out
like 'CRL number 2 was signed before the interruption' "$T/said" "crl-out: the resume says the CRL was signed already"
[ "$(grep -c '^[0-9]* [^ ]* crl ' "$T/crl-out/journal")" -eq 2 ] &&
    ! grep -q 'number=3' "$T/crl-out/journal"
ok $? "crl-out: no CRL signed again (CRL 1 of init, CRL 2 of step 8)"
openssl crl -in "$T/crl-out-m/root.crl" -outform DER | sha256sum | grep -q \
    "$(sed -n 's/^[0-9]* [^ ]* crl .*number=2 .*sha256=\([0-9a-f]*\).*/\1/p' "$T/crl-out/journal")"
ok $? "crl-out: root.crl on the media is the recorded CRL 2"

# The first fsync after the CA journal's crl record, that of root.crl's
# temporary file: CRL 2 is recorded, root.crl is not there yet.  The
# resume writes it from the recorded CRL.
N=$(nth fsync 'write\(.*Z crl [0-9a-f]+ number=2 ')
kill_at crl-noout fsync "$N"
grep -q '^[0-9]* [^ ]* crl .*number=2 ' "$T/crl-noout/journal" && [ ! -f "$T/crl-noout-m/root.crl" ]
ok $? "crl-noout: CRL 2 recorded, root.crl not yet on the media"
resume crl-noout
like 'recorded CRL was copied to the media' "$T/said" "crl-noout: the resume writes root.crl from the recorded CRL"
! grep -q 'number=3' "$T/crl-noout/journal"; ok $? "crl-noout: no CRL signed again"

# A root.crl that is not this step's is still refused, nothing signed.
kill_at crl-other fsync "$N"
echo "not a CRL" >"$T/crl-other-m/root.crl"
cp "$T/crl-other/journal" "$T/j.before"
t_fail "crl-other: a root.crl in the way that is not the recorded CRL is refused" 1 \
    cer crl-other "$T/answers-resume"
like 'root.crl already exists and is not the CRL the journal records' "$T/err" "crl-other: and says so"
cmp -s "$T/j.before" "$T/crl-other/journal"; ok $? "crl-other: nothing recorded in the CA journal"

# ---- step 9: the public export begun --------------------------------------
# The fsync of the media folder after mkdir public: an empty public/.
N=$(nth fsync 'mkdir\(".*/public"')
kill_at exp-empty fsync "$N"
[ -d "$T/exp-empty-m/public" ] && [ -z "$(ls -A "$T/exp-empty-m/public")" ]
ok $? "exp-empty: public/ exists and is empty"
resume exp-empty
like 'public was begun by the interrupted run' "$T/said" "exp-empty: the resume finishes the folder"

# After root.pem was renamed into public/: a partial export, and the
# temporary of crl.pem half-way (its fsync is where it dies).
N2=$(awk -v pat='"[^"]*/public/root\\.pem"' '$2 ~ /^fsync\(/ { n++; if (on) { c++; if (c == 2) { print n; exit } } } !on && $0 ~ pat { on = 1 }' "$TRACE")
kill_at exp-part fsync "$N2"
[ -f "$T/exp-part-m/public/root.pem" ] && [ ! -f "$T/exp-part-m/public/SHA256SUMS" ]
ok $? "exp-part: public/ holds root.pem, not yet SHA256SUMS"
ls -A "$T/exp-part-m/public" | sed 's/^/# /'
resume exp-part

# A file the export does not write, in a begun export's folder: refused.
kill_at exp-stray fsync "$N2"
echo stray >"$T/exp-stray-m/public/notes.txt"
t_fail "exp-stray: a file the export does not write is refused" 1 \
    cer exp-stray "$T/answers-resume"
like 'public holds notes.txt, which the export does not write' "$T/err" "exp-stray: and names it"
# A root.pem that differs: refused, never overwritten.
rm "$T/exp-stray-m/public/notes.txt"
echo "not the root" >"$T/exp-stray-m/public/root.pem"
t_fail "exp-stray: a root.pem that is not the CA's is refused" 1 \
    cer exp-stray "$T/answers-resume"
like 'root.pem is not what the interrupted export wrote' "$T/err" "exp-stray: and says so"
grep -qx 'not the root' "$T/exp-stray-m/public/root.pem"; ok $? "exp-stray: and it is untouched"

# ---- the seal: every step done ---------------------------------------------
# Killed at the fdatasync of the transcript's end record, the last before
# the CA journal's transcript record: the transcript is sealed, but the
# journal does not record it and the media holds no copy.  Before: every
# resume stopped with "already exists and is not empty" and audit called
# the transcript planted.  Then killed at the next fdatasync, that of the
# journal's record: recorded, the copy not on the media yet.
N=$(awk 'NR == 1 { pid = $1 } $1 != pid { next } $2 ~ /^fdatasync\(/ { n++ }
	/write\(.* transcript [0-9a-f]+ file=[^ ]*-ceremony-[^ ]* operation=ceremony / { print n; exit }' "$TRACE")
sealed() {	# NAME: the resume finishes what follows the seal, nothing more
	t_ok "$1: the resume finishes" cer "$1" "$T/answers-resume"
	[ $rc -eq 0 ] || diag "$(tail -3 "$T/err")"
	like 'sealed and recorded, its run was interrupted after the seal; every step is done' "$T/said" \
	    "$1: and says every step was done"
	t_ok "$1: audit accepts the CA" "$OFFROOT" audit -d "$T/$1"
	_tr=$(ls "$T/$1"/transcripts/*-ceremony-*.log)
	[ "$(echo "$_tr" | wc -l)" -eq 1 ] && ! grep -q ' resume ' "$_tr" &&
	    cmp -s "$_tr" "$T/$1-m/${_tr##*/}" &&
	    [ "$(grep -c '^[0-9]* [^ ]* init ' "$T/$1/journal")" -eq 1 ] &&
	    [ "$(grep -c '^[0-9]* [^ ]* issue ' "$T/$1/journal")" -eq 1 ] &&
	    [ "$(grep -c '^[0-9]* [^ ]* crl ' "$T/$1/journal")" -eq 2 ]
	ok $? "$1: one transcript, its copy on the media; one key, one issuance, no CRL signed again"
}
kill_at seal-end fdatasync "$N"
_tr=$(ls "$T/seal-end"/transcripts/*-ceremony-*.log)
grep -q ' end ' "$_tr" && ! grep -q ' transcript .*-ceremony-' "$T/seal-end/journal" &&
    [ ! -e "$T/seal-end-m/${_tr##*/}" ]
ok $? "seal-end: the transcript sealed, not recorded, no copy on the media"
sealed seal-end
grep -q " recover .*action=close file=transcripts/${_tr##*/} " "$T/seal-end/journal"
ok $? "seal-end: the recovery recorded the close"
t_fail "seal-end: a further run makes no second root" 1 cer seal-end "$T/answers-resume"
kill_at seal-rec fdatasync $((N + 1))
grep -q ' transcript .*-ceremony-' "$T/seal-rec/journal" && [ -z "$(ls "$T/seal-rec-m"/*.log 2>/dev/null)" ]
ok $? "seal-rec: the seal recorded, no copy on the media"
sealed seal-rec

# ---- steps 1 and 2: the participants ---------------------------------------
for k in 1 2; do
	fresh "kill$k"; { cat "$T/answers"; echo "kill-at: $k"; } >"$T/answers-k$k"
	cer "kill$k" "$T/answers-k$k"
	[ "$rc" -eq 137 ]; ok $? "kill$k: kill-at $k kills the batch runner at step $k (exit $rc)"
	resume "kill$k"
	_tr=$(ls "$T/kill$k"/transcripts/*-ceremony-*.log)
	grep -q ' participant .*name=Carol%20Officer' "$_tr"
	ok $? "kill$k: the participants come from the answers file"
done
# Killed by strace at the fdatasync of the first participant record: one
# name recorded, the others not.
N=$(nth fdatasync 'write\(.* participant ')
kill_at part1 fdatasync "$N"
grep -q ' participant ' "$T/.part1.ceremony"/transcripts/*-ceremony-*.log && ! grep -q 'Carol' "$T/.part1.ceremony"/transcripts/*-ceremony-*.log
ok $? "part1: one participant recorded when the kill came"
resume part1

done_testing
