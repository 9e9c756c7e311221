#!/bin/sh
# offroot renew-root (issue 14): a new self-signed certificate for the
# root's key and subject, with a new serial and validity.
#   - intermediates issued before the renewal verify against the new root
#     with openssl verify -x509_strict, certtool --verify and Python
#     cryptography (signature by the new root's key, AKI = its SKI), and
#     with offroot verify (their bundle holds the earlier root.pem);
#   - the previous certificate is kept, byte for byte, in roots/ under its
#     notBefore and serial, the journal records both digests, and audit,
#     status (text and --json) and backup --check know it; a planted or
#     altered file in roots/ fails audit;
#   - the review comes before the key: no terminal without --yes is exit
#     3, a wrong passphrase, a profile too short or unknown change nothing;
#   - -o writes a signed bundle (root.pem, previous-root.pem, README.txt,
#     transcript.log, MANIFEST.sig) that offroot verify and openssl check;
#   - a kill at each rename, renameat2, fsync and fdatasync leaves a CA
#     that the next command finishes (recover.c) and audit accepts, and no
#     certificate signed by the root that the journal does not record;
#   - status and --json warn of the root's expiry at 90 days and loudly at
#     30 ("renew or roll over"), and stop once it is renewed;
#   - the shipped renew-root.ceremony runs in batch with its answers file,
#     resumes after a kill without renewing twice, and runs in the TUI
#     (tmux, 80x24, TERM=linux), whose home screen warns like status.
. "$(dirname "$0")/../lib.sh"

K8S="$ROOT/ceremony-scripts/kubernetes/profiles.cnf"
SCRIPTS="$ROOT/ceremony-scripts"
renew() {	# renew DIR [options...]
	_d=$1; shift
	"$OFFROOT" renew-root -d "$_d" --passphrase-file "$PASS" --yes "$@"
}
der_sha() { openssl x509 -in "$1" -outform DER | sha256sum | cut -c1-64; }
file_sha() { sha256sum <"$1" | cut -c1-64; }
pubkey_sha() { openssl x509 -in "$1" -noout -pubkey | openssl pkey -pubin -outform DER | sha256sum | cut -c1-64; }
ski() { openssl x509 -in "$1" -noout -ext subjectKeyIdentifier | tail -1 | tr -d ' '; }
jfield() {	# jfield JOURNAL TYPE FIELD: the field of the last TYPE record
	grep " $2 " "$1" | tail -1 | tr ' ' '\n' | sed -n "s/^$3=//p"
}

# signed_recorded JOURNAL ROOT FOLDER...: every certificate under the
# folders (PEM or DER, hidden files too) that the root's key signed is
# one the journal records: a root (init, renew-root, with its DER digest)
# or an issuance (by serial).
signed_recorded() {
	run $PY - "$@" <<'PYEOF'
import base64, hashlib, os, re, sys, urllib.parse
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec
journal, root, folders = sys.argv[1], sys.argv[2], sys.argv[3:]
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
bad = []
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
                    pub.verify(c.signature, c.tbs_certificate_bytes, ec.ECDSA(c.signature_hash_algorithm))
                except Exception:
                    continue
                s = "%x" % c.serial_number
                if known.get(s) != hashlib.sha256(der).hexdigest():
                    bad.append("%s: serial %s" % (p, s))
if bad:
    sys.exit("root-signed, not recorded: " + "; ".join(bad))
PYEOF
	[ $rc -eq 0 ] || diag "$(tail -1 "$T/err")"
	return $rc
}

# ---- a CA with intermediates, then a renewal ------------------------------

new_ca "$T/ca"; ok $? "init"
CA="$T/ca"
issue_intermediate "$CA" etcd-ca
issue_intermediate "$CA" vault-int
t_ok "a CRL before the renewal" "$OFFROOT" crl -d "$CA" -o "$T/crl1.pem" \
    --passphrase-file "$PASS"
mkdir "$T/bk"
t_ok "a backup before the renewal" "$OFFROOT" backup -d "$CA" --to "$T/bk"
BK=$(ls -d "$T"/bk/ca-backup-*)
cp "$CA/root.crt" "$T/old.pem"
OLDSER=$(serial_of "$T/old.pem" | sed 's/^0*//' | tr A-F a-f)
OLDNB=$(openssl x509 -in "$T/old.pem" -noout -startdate | cut -d= -f2)

# What must be refused before the key, leaving the CA as it was.
ca_snapshot "$CA"
t_fail "without a terminal and without --yes: exit 3" 3 setsid "$OFFROOT" \
    renew-root -d "$CA" --passphrase-file "$PASS"
like 'without a terminal; answer with --yes' "$T/err" "... saying why"
like '^new root certificate \(becomes root.crt\):' "$T/out" \
    "the review was shown before the question"
like "^current root certificate \(kept as roots/[0-9]{8}T[0-9]{6}Z-$OLDSER\.pem\):" \
    "$T/out" "the review names where the current certificate is kept"
grep -q "$(openssl x509 -in "$T/old.pem" -outform DER | sha256sum | cut -c1-4 | tr a-f A-F)" "$T/out"
ok $? "the review shows the current certificate's SHA-256"
ca_unchanged "$CA"; ok $? "... and nothing changed"
t_fail "--days beyond the profile: exit 1" 1 renew "$CA" --days 20000
t_fail "an unknown profile: exit 1" 1 renew "$CA" --profile nosuch
t_fail "a profile for subordinate CAs: exit 1" 1 renew "$CA" --profile intermediate
like 'profile intermediate is for subordinate CAs' "$T/err" "... saying why"
ca_unchanged "$CA"; ok $? "none of the refusals changed the CA"
printf 'not the passphrase\n' >"$T/wrong"
t_fail "a wrong passphrase: exit 1" 1 "$OFFROOT" renew-root -d "$CA" \
    --passphrase-file "$T/wrong" --yes
cmp -s "$T/journal.before" "$CA/journal" && cmp -s "$T/old.pem" "$CA/root.crt" &&
    [ ! -e "$CA/roots" ] &&
    [ "$( (cd "$CA" && find . | sort) | comm -13 "$T/files.before" - | grep -vc '^./transcripts/')" -eq 0 ]
ok $? "a wrong passphrase changes nothing: the journal, root.crt, no roots/ (only the failed run's transcript)"
t_ok "audit accepts the failed run" "$OFFROOT" audit -d "$CA"

t_ok "renew-root -o" renew "$CA" -o "$T/rb"
like 'SHA-256 fingerprint of the new root.crt' "$T/out" "the new fingerprint is shown to read aloud"
NEWSER=$(serial_of "$CA/root.crt" | sed 's/^0*//' | tr A-F a-f)
[ "$NEWSER" != "$OLDSER" ] && ! cmp -s "$T/old.pem" "$CA/root.crt"
ok $? "root.crt is a new certificate with a new serial ($OLDSER -> $NEWSER)"
[ "$(openssl x509 -in "$CA/root.crt" -noout -subject)" = "$(openssl x509 -in "$T/old.pem" -noout -subject)" ] &&
    [ "$(pubkey_sha "$CA/root.crt")" = "$(pubkey_sha "$T/old.pem")" ] &&
    [ -n "$(ski "$T/old.pem")" ] && [ "$(ski "$CA/root.crt")" = "$(ski "$T/old.pem")" ]
ok $? "the same subject, key and subject key identifier"
openssl verify -x509_strict -CAfile "$CA/root.crt" "$CA/root.crt" >/dev/null 2>&1
ok $? "the new root is self-signed (openssl verify -x509_strict)"
KEPT=$(cd "$CA/roots" && ls)
[ "$(echo "$KEPT" | wc -l)" -eq 1 ] && case $KEPT in [0-9]*T[0-9]*Z-"$OLDSER".pem) true ;; *) false ;; esac &&
    cmp -s "$CA/roots/$KEPT" "$T/old.pem"
ok $? "roots/$KEPT is the previous root.crt, byte for byte, named by its notBefore and serial"
[ "$(jfield "$CA/journal" renew-root root_sha256)" = "$(der_sha "$CA/root.crt")" ] &&
    [ "$(jfield "$CA/journal" renew-root previous_sha256)" = "$(der_sha "$T/old.pem")" ] &&
    [ "$(jfield "$CA/journal" renew-root previous_file)" = "roots/$KEPT" ] &&
    [ "$(jfield "$CA/journal" renew-root previous_file_sha256)" = "$(file_sha "$T/old.pem")" ] &&
    [ "$(jfield "$CA/journal" renew-root root_file_sha256)" = "$(file_sha "$CA/root.crt")" ]
ok $? "the journal's renew-root record names both certificates' digests and the roots/ file"
t_ok "audit accepts the renewed CA" "$OFFROOT" audit -d "$CA"
signed_recorded "$CA/journal" "$CA/root.crt" "$CA" "$T/rb"
ok $? "every certificate the root signed in the CA and the bundle is recorded"

# old_chain NAME CERT ROOT: an intermediate issued before the renewal
# chains to the renewed root: openssl verify -x509_strict, certtool
# --verify-chain and --verify, Python cryptography (signature with the
# new root's key, issuer = its subject, AKI = its SKI).  Unlike
# check_chain, not the nesting of validities: the renewed root's
# notBefore comes after the intermediate's, which RFC 5280 allows.
old_chain() {
	run openssl verify -x509_strict -CAfile "$3" "$2"
	ok $rc "$1: openssl verify -x509_strict"
	cat "$2" "$3" >"$T/chain-check.pem"
	run certtool --verify-chain --infile "$T/chain-check.pem"
	ok $rc "$1: certtool --verify-chain"
	run certtool --verify --load-ca-certificate "$3" --infile "$2"
	ok $rc "$1: certtool --verify with the new root as the only CA"
	run $PY - "$2" "$3" <<'PYEOF'
import sys
from cryptography import x509
from cryptography.x509.oid import ExtensionOID
from cryptography.hazmat.primitives.asymmetric import ec
c = x509.load_pem_x509_certificate(open(sys.argv[1], "rb").read())
r = x509.load_pem_x509_certificate(open(sys.argv[2], "rb").read())
r.public_key().verify(c.signature, c.tbs_certificate_bytes, ec.ECDSA(c.signature_hash_algorithm))
r.public_key().verify(r.signature, r.tbs_certificate_bytes, ec.ECDSA(r.signature_hash_algorithm))
assert c.issuer == r.subject == r.issuer
aki = c.extensions.get_extension_for_oid(ExtensionOID.AUTHORITY_KEY_IDENTIFIER).value
ski = r.extensions.get_extension_for_oid(ExtensionOID.SUBJECT_KEY_IDENTIFIER).value
assert aki.key_identifier == ski.digest, "AKI is the new root's SKI"
assert c.not_valid_after <= r.not_valid_after
PYEOF
	ok $rc "$1: python cryptography: signature with the new root's key, AKI = its SKI"
	[ $rc -eq 0 ] || diag "$(tail -3 "$T/err")"
}
for n in etcd-ca vault-int; do
	old_chain "$n, issued before the renewal, under the new root" \
	    "$T/b-$n/certificate.pem" "$CA/root.crt"
	t_ok "$n: offroot verify of its bundle (written before) against the new root" \
	    "$OFFROOT" verify "$T/b-$n" --root "$CA/root.crt" --csr "$T/$n.csr"
	like "another certificate of the given root" "$T/err" "... saying its root.pem is the earlier certificate"
done
issue_intermediate "$CA" after
check_chain "an intermediate issued after the renewal, under the previous root" \
    "$T/b-after/certificate.pem" "$CA/roots/$KEPT"
t_ok "a CRL after the renewal" "$OFFROOT" crl -d "$CA" -o "$T/crl2.pem" --passphrase-file "$PASS"
openssl crl -in "$T/crl2.pem" -CAfile "$CA/roots/$KEPT" -noout >/dev/null 2>&1 &&
    openssl crl -in "$T/crl1.pem" -CAfile "$CA/root.crt" -noout >/dev/null 2>&1
ok $? "CRLs verify under either certificate"

# The bundle.
[ "$(ls "$T/rb" | tr '\n' ' ')" = "MANIFEST MANIFEST.sig README.txt previous-root.pem root.pem transcript.log " ]
ok $? "the bundle: root.pem, previous-root.pem, README.txt, transcript.log, MANIFEST, MANIFEST.sig"
cmp -s "$T/rb/root.pem" "$CA/root.crt" && cmp -s "$T/rb/previous-root.pem" "$T/old.pem"
ok $? "root.pem is the new root.crt, previous-root.pem the old one"
(cd "$T/rb" && openssl x509 -in previous-root.pem -noout -pubkey >"$T/root.pub" &&
    openssl dgst -sha384 -verify "$T/root.pub" -signature MANIFEST.sig MANIFEST >/dev/null &&
    sha256sum -c --quiet MANIFEST)
ok $? "MANIFEST.sig verifies with openssl, as README.txt says, and every file matches"
grep -q " export .*outdir=$T/rb manifest_sha256=$(file_sha "$T/rb/MANIFEST") " "$CA/journal"
ok $? "an export record names the bundle and its MANIFEST"
t_ok "offroot verify of the renewal bundle against the new root" "$OFFROOT" verify "$T/rb" --root "$CA/root.crt"
like 'a renewal of the root' "$T/out" "... as a renewal"
t_ok "... and against the previous root" "$OFFROOT" verify "$T/rb" --root "$T/old.pem"
cp -a "$T/rb" "$T/rb-bad"
printf 'x' >>"$T/rb-bad/README.txt"
t_fail "offroot verify refuses an altered renewal bundle" 1 "$OFFROOT" verify "$T/rb-bad" --root "$CA/root.crt"

# status, backup --check.
t_ok "status" "$OFFROOT" status -d "$CA"
like "^earlier roots: +1 certificate of the same key and subject in roots/" "$T/out" "status lists the earlier roots"
like "^ +roots/$KEPT\$" "$T/out" "... by file"
like "serial $OLDSER, valid " "$T/out" "... with serial and validity"
like "^root serial: +$(serial_of "$CA/root.crt")\$" "$T/out" "status shows the new root"
t_ok "status --json" "$OFFROOT" status -d "$CA" --json
cp "$T/out" "$T/status.json"
run $PY -c 'import json,sys; d=json.load(open(sys.argv[1])); r=d["earlier_roots"]
sys.exit(0 if len(r)==1 and r[0]["file"]=="roots/"+sys.argv[2] and r[0]["serial"]==sys.argv[3] and d["root"]["expiry"]=="ok" else 1)' \
    "$T/status.json" "$KEPT" "$OLDSER"
ok $rc "status --json: earlier_roots names it; expiry ok"
t_ok "backup --check of the backup made before the renewal, against the live CA" \
    "$OFFROOT" backup --check "$BK" -d "$CA"
like "root.crt older than the live one: renewed by the renew-root at journal record [0-9]+ .* as roots/$KEPT" \
    "$T/out" "... which explains the older root.crt"

# Planted and altered files in roots/.
P="$T/planted"
cp -a "$CA" "$P"
cp "$CA/root.crt" "$P/roots/20300101T000000Z-1234.pem"
t_fail "audit reports a planted file in roots/" 1 "$OFFROOT" audit -d "$P"
like "roots/20300101T000000Z-1234.pem is not recorded in the journal" "$T/err" "... naming it"
A="$T/altered"
cp -a "$CA" "$A"
cp "$T/b-etcd-ca/certificate.pem" "$A/roots/$KEPT"
t_fail "audit reports an altered file in roots/" 1 "$OFFROOT" audit -d "$A"
like "roots/$KEPT was altered" "$T/err" "... naming it"
M="$T/missing"
cp -a "$CA" "$M"
rm "$M/roots/$KEPT"
t_fail "audit reports a missing file in roots/" 1 "$OFFROOT" audit -d "$M"
like "roots/$KEPT, named by journal record" "$T/err" "... naming it"

# A second renewal.
t_ok "a second renewal" renew "$CA" --days 3000
[ "$(ls "$CA/roots" | wc -l)" -eq 2 ] && t_ok "audit after two renewals" "$OFFROOT" audit -d "$CA" ||
    ok 1 "audit after two renewals"
run "$OFFROOT" status -d "$CA"
like "^earlier roots: +2 certificates" "$T/out" "status lists both earlier roots"
old_chain "etcd-ca under the twice renewed root" "$T/b-etcd-ca/certificate.pem" "$CA/root.crt"

# ---- kills ------------------------------------------------------------------
# renew-root killed (SIGKILL) at its Nth call of each kind, N = 1, 2, ...
# until it completes.  After each kill: nothing root-signed lies in the CA
# or the output folder that the journal does not record; the next command
# (check-key) finishes an interrupted renewal and audit then passes; and
# root.crt is the certificate the journal records last.
if command -v strace >/dev/null 2>&1; then
	new_ca "$T/kbase"; ok $? "init for the kills"
	step=${OFFROOT_SANITIZED:+2}
	step=${step:-1}
	for sc in rename renameat2 fsync fdatasync; do
		i=1 kills=0 bad= finished=0
		while [ "$i" -lt 40 ]; do
			W="$T/k-$sc-$i"
			cp -a "$T/kbase" "$W"; mkdir "$W.out"
			strace -f -o /dev/null -e "inject=$sc:signal=KILL:when=$i" \
			    "$OFFROOT" renew-root -d "$W" -o "$W.out/r" --passphrase-file "$PASS" \
			    --yes >/dev/null 2>&1
			krc=$?
			[ "$krc" -eq 137 ] || break
			kills=$((kills + 1))
			signed_recorded "$W/journal" "$W/root.crt" "$W" "$W.out" || bad="$bad $i:unrecorded"
			"$OFFROOT" check-key -d "$W" --passphrase-file "$PASS" >/dev/null 2>"$W.err" ||
			    bad="$bad $i:next-command"
			grep -q 'recovered: root.crt is now the renewed' "$W.err" && finished=$((finished + 1))
			"$OFFROOT" audit -d "$W" >/dev/null 2>&1 || bad="$bad $i:audit"
			want=$(jfield "$W/journal" renew-root root_sha256)
			[ -n "$want" ] || want=$(jfield "$W/journal" init root_sha256)
			[ "$(der_sha "$W/root.crt")" = "$want" ] || bad="$bad $i:root.crt"
			signed_recorded "$W/journal" "$W/root.crt" "$W" "$W.out" || bad="$bad $i:unrecorded-after"
			i=$((i + step))
		done
		[ -z "$bad" ] && [ "$kills" -gt 0 ] && [ "$krc" -eq 0 ]
		ok $? "renew-root killed at each of its $kills $sc calls: nothing unrecorded, the next command finishes it ($finished times root.crt rolled forward), audit passes${bad:+ (failed:$bad)}"
	done
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
else
	ok 0 "# SKIP strace is not installed"
fi

# ---- expiry warnings: 90 days, loudly 30 --------------------------------------
new_ca "$T/d200" --profiles "$K8S" --days 200; ok $? "a 200-day root"
new_ca "$T/d80" --profiles "$K8S" --days 80; ok $? "an 80-day root"
new_ca "$T/d20" --profiles "$K8S" --days 20; ok $? "a 20-day root"
run "$OFFROOT" status -d "$T/d200"
! grep -q 'renew or roll over' "$T/out"; ok $? "200 days: no renewal warning"
run "$OFFROOT" status -d "$T/d80"
like '^WARNING: the root certificate expires in 79 days \([^)]*\): renew or roll over before then \(offroot renew-root' \
    "$T/out" "80 days: status warns to renew or roll over"
run "$OFFROOT" status -d "$T/d20"
like '^WARNING: THE ROOT CERTIFICATE EXPIRES IN 19 DAYS \([^)]*\): renew or roll over NOW' \
    "$T/out" "20 days: status warns loudly"
for d in d200:ok d80:renew d20:renew-now; do
	"$OFFROOT" status -d "$T/${d%%:*}" --json >"$T/status.json"
	run $PY -c 'import json,sys; d=json.load(open(sys.argv[1])); w=[x for x in d["warnings"] if "renew or roll over" in x]
sys.exit(0 if d["root"]["expiry"]==sys.argv[2] and (len(w)==1)==(sys.argv[2]!="ok") else 1)' "$T/status.json" "${d#*:}"
	ok $rc "status --json, ${d%%:*}: root.expiry is ${d#*:}, and the warnings list says so"
done
t_fail "the 20-day root under its profile's shorter path length: refused" 1 \
    renew "$T/d20" --profile intermediate
like 'a path length of 1, shorter than the current one' "$T/err" "... saying why"
t_ok "renewing the 20-day root for 300 days" renew "$T/d20" --days 300 --profile root
run "$OFFROOT" status -d "$T/d20"
! grep -q 'renew or roll over' "$T/out"; ok $? "... and the warning is gone"
t_ok "audit after it" "$OFFROOT" audit -d "$T/d20"

# ---- the shipped ceremony, in batch ------------------------------------------
cp -a "$T/kbase" "$T/cer"
mkdir "$T/media"
t_ok "renew-root.ceremony runs to the end with the shipped answers" \
    "$OFFROOT" ceremony "$SCRIPTS/renew-root.ceremony" -d "$T/cer" \
    --media "$T/media" --answers "$SCRIPTS/renew-root.answers" --passphrase-file "$PASS"
cat "$T/out" "$T/err" >"$T/ceremony.log"
! grep -q 'never used' "$T/ceremony.log"; ok $? "every answer of the example is used"
t_ok "audit accepts the CA" "$OFFROOT" audit -d "$T/cer"
! cmp -s "$T/cer/root.crt" "$T/kbase/root.crt" && cmp -s "$T/media/renewed-root/root.pem" "$T/cer/root.crt" &&
    [ "$(ls "$T/cer/roots" | wc -l)" -eq 1 ]
ok $? "the root is renewed, the previous one kept, the new root.pem on the media"
TR=$(ls "$T/cer/transcripts/"*-ceremony-*.log)
awk '/ renew-preview .*answer=yes/ && !p {p=NR} / verified .*step=4 / && !v {v=NR}
    / key-unlocked .*step=4 / && !k {k=NR} / root-renewed .*step=4 / && !r {r=NR}
    END {exit !(p && v && k && r && p < k && v < k && k < r)}' "$TR"
ok $? "the transcript: the renewal confirmed and the verify: line answered before the key, then root-renewed"
grep -q " fingerprint .*step=5 .*sha256=$(der_sha "$T/cer/root.crt") " "$TR"
ok $? "step 5 confirmed the new root's fingerprint"
run "$OFFROOT" script print "$SCRIPTS/renew-root.ceremony"
like 'Renewed root certificate fingerprint' "$T/out" "the printout has blanks for the new fingerprint"

# Killed at root.crt's rename inside its renew-root step, then resumed:
# the renewal is finished, not made twice.
if command -v strace >/dev/null 2>&1; then
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
fi

# ---- the TUI (tmux, 80x24, TERM=linux) -----------------------------------------
if command -v tmux >/dev/null 2>&1; then
	secret=$(cat "$PASS")
	. "$ROOT/tests/tui.sh"
	start 80 24 linux "'$OFFROOT' tui -d '$T/d80' --scripts '$SCRIPTS'"
	waitcond 'grep -q "offroot  home" "$T/screen" && lastline "$CLOCK"'
	ok $? "the home screen of the 80-day root (80x24, TERM=linux)"
	like 'Root: the root certificate expires in 79 days' "$T/screen" "it warns of the root's expiry"
	like 'renew or roll over before then: offroot renew-root' "$T/screen" "... renew or roll over"
	like 'Ceremony: Root certificate renewal' "$T/screen" "it offers the renewal ceremony"
	keys q
	waitfor 'EXIT=0' >/dev/null
	start 80 24 linux "'$OFFROOT' tui -d '$T/d20' --scripts '$SCRIPTS'"
	waitcond 'grep -q "offroot  home" "$T/screen" && lastline "$CLOCK"'
	like 'renewed: 1 earlier certificate of this key and subject in roots/' "$T/screen" \
	    "the home screen of the renewed 20-day root counts the earlier certificate"
	! grep -q 'RENEW OR ROLL OVER\|renew or roll over' "$T/screen"; ok $? "... and no longer warns"
	keys q
	waitfor 'EXIT=0' >/dev/null
	new_ca "$T/tui" --profiles "$K8S" --days 20; ok $? "a 20-day root for the TUI ceremony"
	start 80 24 linux "'$OFFROOT' tui -d '$T/tui' --scripts '$SCRIPTS'"
	waitcond 'grep -q "offroot  home" "$T/screen" && lastline "$CLOCK"'
	like 'Root: WARNING: the root certificate expires in 19 days' "$T/screen" "20 days: the home screen warns loudly"
	like 'RENEW OR ROLL OVER NOW' "$T/screen" "... renew or roll over now"
	keys q
	waitfor 'EXIT=0' >/dev/null
	mkdir "$T/tmedia"
	start 80 24 linux "'$OFFROOT' ceremony '$SCRIPTS/renew-root.ceremony' -d '$T/tui' --media '$T/tmedia'"
	waitfor 'Pre-flight checks'; ok $? "renew-root.ceremony in the TUI (80x24, TERM=linux)"
	drive 'grep -q "Renewal of the root certificate" "$T/screen"'
	ok $? "the TUI shows the renewal's review"
	like 'subject: +CN=Test Root,O=offroot tests,C=DE \(unchanged\)' "$T/screen" "... the subject, unchanged"
	drive; ok $? "renew-root.ceremony driven to its end by keystrokes"
	like 'Done' "$T/screen" "... successfully"
	grep -q passphrase "$T/asked"; ok $? "the passphrase was asked in the TUI"
	keys Enter
	waitfor 'EXIT=0'; ok $? "offroot ceremony exits 0"
	t_ok "audit accepts the CA renewed in the TUI" "$OFFROOT" audit -d "$T/tui"
	[ "$(ls "$T/tui/roots" | wc -l)" -eq 1 ] && cmp -s "$T/tmedia/renewed-root/root.pem" "$T/tui/root.crt"
	ok $? "the previous certificate kept, the new root.pem on the media"
	old_chain "the renewed root from the TUI is self-signed" "$T/tui/root.crt" "$T/tui/root.crt"
	! grep -q "$secret" "$SEEN"; ok $? "the passphrase never showed on a screen"
fi

done_testing
