#!/bin/sh
# offroot renew-root killed (SIGKILL, strace's fault injection, as in
# 45-init-leftover.t and 49-recover.t) at each rename and renameat2 and at
# every third fsync and fdatasync: the journal records the new
# certificate before root.crt changes, so a kill leaves either the CA as
# it was or a renewal that the next command that takes the lock finishes
# from the journal (recover.c), with nothing signed by the root that the
# journal does not record; audit names the state between and passes once
# it is finished.  A ceremony killed inside its renew-root step resumes
# without renewing twice.
. "$(dirname "$0")/../lib.sh"

command -v strace >/dev/null 2>&1 || { echo "1..0 # SKIP strace is not installed"; exit 0; }
SCRIPTS="$ROOT/ceremony-scripts"
der_sha() { openssl x509 -in "$1" -outform DER | sha256sum | cut -c1-64; }
jfield() {	# jfield JOURNAL TYPE FIELD: the field of the last TYPE record
	grep " $2 " "$1" | tail -1 | tr ' ' '\n' | sed -n "s/^$3=//p"
}

# signed_recorded GROUPS: for each line of GROUPS (JOURNAL, ROOT and
# folders, tab-separated), every certificate under the folders (PEM or
# DER, hidden files too) that the root's key signed is one the journal
# records: a root (init, renew-root, with its DER digest) or an issuance.
# One Python run for all (importing cryptography costs a second).
signed_recorded() {
	run $PY - "$1" <<'PYEOF'
import base64, hashlib, os, re, sys, urllib.parse
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec

def check(journal, root, folders, bad):
    pub = x509.load_pem_x509_certificate(open(root, "rb").read()).public_key()
    known = {}
    for line in open(journal).read().splitlines()[1:]:
        w = line.split(" ")
        f = dict(urllib.parse.unquote(x).split("=", 1) for x in w[4:-1])
        if w[2] in ("init", "renew-root"):
            known[f["serial"].lower().lstrip("0")] = f["root_sha256"]
        if w[2] == "renew-root":
            known[f["previous_serial"].lower().lstrip("0")] = f["previous_sha256"]
        if w[2] == "issue":
            known[f["serial"].lower().lstrip("0")] = f["cert_sha256"]
    for top in folders:
        for d, _, files in os.walk(top):
            for n in files:
                p = os.path.join(d, n)
                data = open(p, "rb").read()
                ders = [base64.b64decode(b"".join(m.group(1).split()))
                        for m in re.finditer(rb"-----BEGIN CERTIFICATE-----(.*?)-----END", data, re.S)]
                if data[:1] == b"\x30":
                    ders.append(data)
                for der in ders:
                    try:
                        c = x509.load_der_x509_certificate(der)
                        pub.verify(c.signature, c.tbs_certificate_bytes,
                                   ec.ECDSA(c.signature_hash_algorithm))
                    except Exception:
                        continue
                    s = "%x" % c.serial_number
                    if known.get(s) != hashlib.sha256(der).hexdigest():
                        bad.append("%s: serial %s" % (p, s))

bad = []
for group in open(sys.argv[1]):
    journal, root, *folders = group.rstrip("\n").split("\t")
    check(journal, root, folders, bad)
if bad:
    sys.exit("root-signed, not recorded: " + "; ".join(bad))
PYEOF
	[ $rc -eq 0 ] || diag "$(tail -1 "$T/err")"
	return $rc
}

# ---- kills ------------------------------------------------------------------
# renew-root killed (SIGKILL) at its Nth call of each kind, N = 1, 2, ...
# (fsync and fdatasync: 1, 4, 7, ...) until it completes.  After each
# kill: nothing root-signed lies in the CA or the output folder that the
# journal does not record; the next command (check-key) finishes an
# interrupted renewal and audit then passes; and root.crt is the
# certificate the journal records last.
new_ca "$T/kbase"; ok $? "init for the kills"
: >"$T/groups"
step=${OFFROOT_SANITIZED:+2}
step=${step:-1}
for sc in rename renameat2 fsync fdatasync; do
	i=1 kills=0 bad= finished=0
	# Every rename; every third fsync and fdatasync (the crash
	# sweep, tests/crash/sweep, kills at every one).
	case $sc in rename*) st=$step ;; *) st=$((step * 3)) ;; esac
	while [ "$i" -lt 40 ]; do
		W="$T/k-$sc-$i"
		cp -a "$T/kbase" "$W"; mkdir "$W.out"
		strace -f -o /dev/null -e "inject=$sc:signal=KILL:when=$i" \
		    "$OFFROOT" renew-root -d "$W" -o "$W.out/r" --passphrase-file "$PASS" \
		    --yes >/dev/null 2>&1
		krc=$?
		[ "$krc" -eq 137 ] || break
		kills=$((kills + 1))
		# The state the kill left, checked with the others below.
		cp -a "$W" "$W.killed"; cp -a "$W.out" "$W.killed-out"
		printf '%s\t%s\t%s\t%s\n' "$W.killed/journal" "$W.killed/root.crt" \
		    "$W.killed" "$W.killed-out" >>"$T/groups"
		"$OFFROOT" check-key -d "$W" --passphrase-file "$PASS" >/dev/null 2>"$W.err" ||
		    bad="$bad $i:next-command"
		grep -q 'recovered: root.crt is now the renewed' "$W.err" && finished=$((finished + 1))
		"$OFFROOT" audit -d "$W" >/dev/null 2>&1 || bad="$bad $i:audit"
		want=$(jfield "$W/journal" renew-root root_sha256)
		[ -n "$want" ] || want=$(jfield "$W/journal" init root_sha256)
		[ "$(der_sha "$W/root.crt")" = "$want" ] || bad="$bad $i:root.crt"
		printf '%s\t%s\t%s\t%s\n' "$W/journal" "$W/root.crt" "$W" "$W.out" >>"$T/groups"
		i=$((i + st))
	done
	[ -z "$bad" ] && [ "$kills" -gt 0 ] && [ "$krc" -eq 0 ]
	ok $? "renew-root killed at $kills of its $sc calls (every ${st}): the next command finishes it ($finished times root.crt rolled forward), audit passes, root.crt is the journal's${bad:+ (failed:$bad)}"
done
signed_recorded "$T/groups"
ok $? "after each kill, and after the next command: no certificate the root signed, in the CA or the output folder, that the journal does not record ($(wc -l <"$T/groups") states)"
# The kill at the rename of root.crt: the state between, named.
W="$T/between"
cp -a "$T/kbase" "$W"
strace -f -o /dev/null -e "inject=rename:signal=KILL:when=1" \
    "$OFFROOT" renew-root -d "$W" --passphrase-file "$PASS" --yes >/dev/null 2>&1
cmp -s "$W/root.crt" "$T/kbase/root.crt" && grep -q ' renew-root ' "$W/journal"
ok $? "killed at root.crt's rename: the journal records the renewal, root.crt is the previous one"
t_fail "audit names the interrupted renewal" 1 "$OFFROOT" audit -d "$W"
like 'root.crt is still the root certificate that the renewal of journal record [0-9]+ replaced: that renew-root was interrupted' \
    "$T/err" "... and says the next command finishes it"
run "$OFFROOT" status -d "$W"
like 'WARNING: root.crt is still the certificate that the renewal of journal record [0-9]+ replaced' \
    "$T/out" "status says so too"
t_ok "the next command (revoke) finishes it" "$OFFROOT" revoke -d "$W" --serial 1234 \
    --unknown-ok --reason superseded
like 'recovered: root.crt is now the renewed root certificate that journal record [0-9]+ records' \
    "$T/err" "... saying so"
like 'recovered: moved \.root\.crt\.[0-9a-f]+\.tmp to quarantine/root\.crt\.[0-9a-f]+\.tmp' \
    "$T/err" "... and setting root.crt's temporary file aside"
t_ok "audit passes" "$OFFROOT" audit -d "$W"


# Killed at root.crt's rename inside its renew-root step, then resumed:
# the renewal is finished, not made twice.
cp -a "$T/kbase" "$T/cer2"
mkdir "$T/media2"
strace -f -o /dev/null -e "inject=rename:signal=KILL:when=1" \
    "$OFFROOT" ceremony "$SCRIPTS/renew-root.ceremony" -d "$T/cer2" \
    --media "$T/media2" --answers "$SCRIPTS/renew-root.answers" \
    --passphrase-file "$PASS" >/dev/null 2>&1
grep -q ' renew-root ' "$T/cer2/journal" && cmp -s "$T/cer2/root.crt" "$T/kbase/root.crt"
ok $? "a ceremony killed at root.crt's rename: the renewal is recorded, root.crt not yet replaced"
{ cat "$SCRIPTS/renew-root.answers"; echo "resume: yes"; } >"$T/resume.answers"
t_ok "the resumed ceremony runs to the end" "$OFFROOT" ceremony \
    "$SCRIPTS/renew-root.ceremony" -d "$T/cer2" --media "$T/media2" \
    --answers "$T/resume.answers" --passphrase-file "$PASS"
like 'recovered: root.crt is now the renewed root certificate' "$T/err" "... finishing the renewal"
like "step 4: the CA journal already records this step's renewal" "$T/err" "... without renewing again"
[ "$(grep -c ' renew-root ' "$T/cer2/journal")" -eq 1 ] &&
    cmp -s "$T/media2/renewed-root/root.pem" "$T/cer2/root.crt"
ok $? "one renewal in the journal; the renewed root.pem on the media"
t_ok "audit passes" "$OFFROOT" audit -d "$T/cer2"

done_testing
