#!/bin/sh
# offroot renew-root (issue 14): a new self-signed certificate for the
# root's key and subject, with a new serial and validity.
#   - intermediates issued before the renewal verify against the new root
#     with openssl verify -x509_strict, certtool --verify and Python
#     cryptography (signature by the new root's key, AKI = its SKI), and
#     with offroot verify (their bundle holds the earlier root.pem); one
#     issued after it verifies under the previous certificate;
#   - the previous certificate is kept, byte for byte, in roots/ under its
#     notBefore and serial, the journal records both digests, and audit,
#     status (text and --json) and backup --check know it; a planted,
#     altered or missing file in roots/ fails audit;
#   - the key opens as for sign and crl: a passphrase, officers' shares, a
#     token's PIN (SoftHSM2);
#   - the review comes before the key: no terminal without --yes is exit
#     3; a wrong passphrase, a profile too long, unknown or for
#     subordinate CAs change nothing;
#   - -o writes a signed bundle (root.pem, previous-root.pem, README.txt,
#     transcript.log, MANIFEST.sig) that offroot verify and openssl check;
#   - status and --json warn of the root's expiry at 90 days and loudly at
#     30 ("renew or roll over"), and stop once it is renewed;
#   - the shipped renew-root.ceremony runs in batch with its answers file.
# Kills are 44-renew-root-crash.t's, the TUI 89-tui-renew.t's.
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

# old_chain NAME CERT ROOT: an intermediate issued before the renewal
# chains to the renewed root for openssl verify -x509_strict and certtool
# (--verify-chain, and --verify with the root as the only CA); the same
# pair is queued for Python cryptography (py_chains, one run for all).
# Unlike check_chain, not the nesting of validities: the renewed root's
# notBefore comes after the intermediate's, which RFC 5280 allows.
: >"$T/pairs"
old_chain() {
	run openssl verify -x509_strict -CAfile "$3" "$2"
	ok $rc "$1: openssl verify -x509_strict"
	cat "$2" "$3" >"$T/chain-check.pem"
	run certtool --verify-chain --infile "$T/chain-check.pem"
	ok $rc "$1: certtool --verify-chain"
	run certtool --verify --load-ca-certificate "$3" --infile "$2"
	ok $rc "$1: certtool --verify with the root as the only CA"
	printf '%s\t%s\t%s\n' "$2" "$3" "$1" >>"$T/pairs"
}
# py_chains: each queued pair with Python cryptography: the signature
# verifies with the root's key, the root is self-signed, issuer = the
# root's subject, AKI = the root's SKI; one TAP line a pair.
py_chains() {
	$PY - "$T/pairs" >"$T/py.out" 2>&1 <<'PYEOF'
import sys
from cryptography import x509
from cryptography.x509.oid import ExtensionOID
from cryptography.hazmat.primitives.asymmetric import ec
for line in open(sys.argv[1]):
    cert, root, name = line.rstrip("\n").split("\t")
    try:
        c = x509.load_pem_x509_certificate(open(cert, "rb").read())
        r = x509.load_pem_x509_certificate(open(root, "rb").read())
        r.public_key().verify(c.signature, c.tbs_certificate_bytes, ec.ECDSA(c.signature_hash_algorithm))
        r.public_key().verify(r.signature, r.tbs_certificate_bytes, ec.ECDSA(r.signature_hash_algorithm))
        assert c.issuer == r.subject == r.issuer, "names"
        aki = c.extensions.get_extension_for_oid(ExtensionOID.AUTHORITY_KEY_IDENTIFIER).value
        ski = r.extensions.get_extension_for_oid(ExtensionOID.SUBJECT_KEY_IDENTIFIER).value
        assert aki.key_identifier == ski.digest, "AKI is not the root's SKI"
        assert c.not_valid_after <= r.not_valid_after, "outlives the root"
        print("PASS\t" + name)
    except Exception as e:
        print("FAIL\t%s: %r" % (name, e))
PYEOF
	while IFS="$(printf '\t')" read -r _res _name; do
		[ "$_res" = PASS ]
		ok $? "$_name: python cryptography: signature with the root's key, AKI = its SKI"
	done <"$T/py.out"
}
for n in etcd-ca vault-int; do
	old_chain "$n, issued before the renewal, under the new root" \
	    "$T/b-$n/certificate.pem" "$CA/root.crt"
	t_ok "$n: offroot verify of its bundle (written before) against the new root" \
	    "$OFFROOT" verify "$T/b-$n" --root "$CA/root.crt" --csr "$T/$n.csr"
	like "another certificate of the given root" "$T/err" "... saying its root.pem is the earlier certificate"
done
issue_intermediate "$CA" after
old_chain "an intermediate issued after the renewal, under the previous root" \
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
py_chains

# ---- the other key stores: an officer quorum, a token ------------------------
# The same unlock path as sign and crl (op.h): shares, or the token's PIN.
for i in 1 2 3; do printf 'officer %d passphrase\n' "$i" >"$T/p$i"; done
mkdir "$T/shares"
"$OFFROOT" init -d "$T/q" --subject "/C=DE/O=offroot tests/CN=Quorum Root" \
    --kdf interactive --quorum 2/3 --share-dir "$T/shares" --share-passphrase-file "$T/p1" \
    --share-passphrase-file "$T/p2" --share-passphrase-file "$T/p3" >/dev/null 2>&1
ok $? "a 2-of-3 quorum root"
S1=$(ls "$T"/shares/*-share-1-of-3.share) S3=$(ls "$T"/shares/*-share-3-of-3.share)
cp "$T/q/root.crt" "$T/q-old.pem"
t_ok "renew-root opens the key with two officers' shares" "$OFFROOT" renew-root -d "$T/q" --yes \
    --share "$S1" --share-passphrase-file "$T/p1" --share "$S3" --share-passphrase-file "$T/p3"
! cmp -s "$T/q/root.crt" "$T/q-old.pem" && [ "$(pubkey_sha "$T/q/root.crt")" = "$(pubkey_sha "$T/q-old.pem")" ] &&
    "$OFFROOT" audit -d "$T/q" >/dev/null 2>&1
ok $? "... renewed: the same key, a new certificate, audit passes"
MOD=/usr/lib/softhsm/libsofthsm2.so
if [ -r "$MOD" ] && command -v softhsm2-util >/dev/null 2>&1 &&
    sh "$ROOT/hsm/softhsm-setup" "$T/hsm" root-ca 4711-pin 87654321 >/dev/null 2>&1; then
	printf '4711-pin\n' >"$T/pin"
	SOFTHSM2_CONF="$T/hsm/softhsm2.conf" "$OFFROOT" init -d "$T/tok" \
	    --subject "/C=DE/O=offroot tests/CN=Token Root" --store pkcs11 \
	    --token pkcs11:token=root-ca --module "$MOD" --pin-file "$T/pin" --yes >/dev/null 2>&1
	ok $? "a root on a SoftHSM2 token"
	cp "$T/tok/root.crt" "$T/tok-old.pem"
	t_ok "renew-root with the token's PIN" env SOFTHSM2_CONF="$T/hsm/softhsm2.conf" \
	    "$OFFROOT" renew-root -d "$T/tok" --pin-file "$T/pin" --yes -o "$T/tokb"
	! cmp -s "$T/tok/root.crt" "$T/tok-old.pem" &&
	    [ "$(pubkey_sha "$T/tok/root.crt")" = "$(pubkey_sha "$T/tok-old.pem")" ] &&
	    "$OFFROOT" audit -d "$T/tok" >/dev/null 2>&1 &&
	    "$OFFROOT" verify "$T/tokb" --root "$T/tok-old.pem" >/dev/null 2>&1
	ok $? "... renewed with the token key: audit passes, its bundle verifies against the previous root"
else
	ok 0 "# SKIP SoftHSM2 is not installed"
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
new_ca "$T/cer"; ok $? "init for the ceremony"
cp "$T/cer/root.crt" "$T/cer-before.pem"
mkdir "$T/media"
t_ok "renew-root.ceremony runs to the end with the shipped answers" \
    "$OFFROOT" ceremony "$SCRIPTS/renew-root.ceremony" -d "$T/cer" \
    --media "$T/media" --answers "$SCRIPTS/renew-root.answers" --passphrase-file "$PASS"
cat "$T/out" "$T/err" >"$T/ceremony.log"
! grep -q 'never used' "$T/ceremony.log"; ok $? "every answer of the example is used"
t_ok "audit accepts the CA" "$OFFROOT" audit -d "$T/cer"
! cmp -s "$T/cer/root.crt" "$T/cer-before.pem" && cmp -s "$T/media/renewed-root/root.pem" "$T/cer/root.crt" &&
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

done_testing
