#!/bin/sh
# offroot rollover: a successor root under a new key, in its own CA
# directory (init's code: sealed, quorum and token stores), certified by
# the old root (cross-sign's code; --both-ways: the new root certifies the
# old one too).  The transition export (root.pem, cross-signed-by-old.pem,
# roots-transition.pem, README.txt with the overlap, MANIFEST signed by the
# new key) is checked with openssl, certtool and Python cryptography: with
# only the old root trusted, an intermediate of the new root verifies
# through cross-signed-by-old.pem; with roots-transition.pem, the old and
# the new hierarchy both verify.  Each journal records the other root
# (rollover, rollover-from), audit knows both, status on the old CA names
# its successor.  Refusals (no old key secret, an overlap longer than the
# old root or the cross-certificate, an existing output, an existing new
# directory, an old CA that does not open) make no key and change nothing.
. "$(dirname "$0")/../lib.sh"
K8S="$ROOT/ceremony-scripts/kubernetes/profiles.cnf"
OLD="$T/old"
NEW="$T/new"
PASS2="$T/pass2"
printf 'the new root key passphrase\n' >"$PASS2"

new_ca "$OLD" --profiles "$K8S"; ok $? "the old root"
issue_intermediate "$OLD" before

t_ok "rollover --help" "$OFFROOT" rollover --help
like '^usage: offroot rollover -d OLD --new-dir NEW -o OUTDIR --subject DN' \
    "$T/out" "rollover --help: the synopsis"

# ---- refusals: nothing made, nothing recorded ----
NEWARGS="--subject /C=DE/O=offroot-tests/CN=Test-Root-G2 --kdf interactive --profiles $K8S"
ca_snapshot "$OLD"
t_fail "the new key's passphrase from a file, the old one's not given" 2 \
    "$OFFROOT" rollover -d "$OLD" --new-dir "$NEW" -o "$T/t" $NEWARGS \
    --passphrase-file "$PASS2" --yes
like 'old-passphrase-file' "$T/err" "... naming --old-passphrase-file"
t_fail "an overlap longer than the cross-certificate lasts" 1 \
    "$OFFROOT" rollover -d "$OLD" --new-dir "$NEW" -o "$T/t" $NEWARGS \
    --passphrase-file "$PASS2" --old-passphrase-file "$PASS" --yes \
    --overlap-days 200
t_fail "an overlap longer than the old root lasts" 1 \
    "$OFFROOT" rollover -d "$OLD" --new-dir "$NEW" -o "$T/t" $NEWARGS \
    --passphrase-file "$PASS2" --old-passphrase-file "$PASS" --yes \
    --overlap-days 400 --cross-days 180
like 'old root expires' "$T/err" "... saying the old root expires first"
t_fail "a cross profile that is not a CA profile" 1 \
    "$OFFROOT" rollover -d "$OLD" --new-dir "$NEW" -o "$T/t" $NEWARGS \
    --passphrase-file "$PASS2" --old-passphrase-file "$PASS" --yes \
    --cross-profile no-such-profile
mkdir "$T/exists"
t_fail "an export folder that exists" 1 \
    "$OFFROOT" rollover -d "$OLD" --new-dir "$NEW" -o "$T/exists" $NEWARGS \
    --passphrase-file "$PASS2" --old-passphrase-file "$PASS" --yes
t_fail "a new directory that holds a CA" 1 \
    "$OFFROOT" rollover -d "$OLD" --new-dir "$OLD" -o "$T/t" $NEWARGS \
    --passphrase-file "$PASS2" --old-passphrase-file "$PASS" --yes
mkdir "$T/full"; echo x >"$T/full/file"
t_fail "a new directory that holds files" 1 \
    "$OFFROOT" rollover -d "$OLD" --new-dir "$T/full" -o "$T/t" $NEWARGS \
    --passphrase-file "$PASS2" --old-passphrase-file "$PASS" --yes
t_fail "an old directory that is no CA" 1 \
    "$OFFROOT" rollover -d "$T/exists" --new-dir "$NEW" -o "$T/t" $NEWARGS \
    --passphrase-file "$PASS2" --old-passphrase-file "$PASS" --yes
ca_unchanged "$OLD" && [ ! -e "$NEW" ] && [ ! -e "$T/t" ] &&
    [ -z "$(ls -A "$T/exists")" ] && ! ls -a "$T" | grep -q offroot-init
ok $? "the refusals made no key, wrote nothing and recorded nothing"

# ---- the rollover, both ways ----
t_ok "rollover --both-ways" "$OFFROOT" rollover -d "$OLD" --new-dir "$NEW" \
    -o "$T/t" $NEWARGS --passphrase-file "$PASS2" \
    --old-passphrase-file "$PASS" --overlap-days 90 --both-ways --yes
for f in root.pem old-root.pem roots-transition.pem cross-signed-by-old.pem \
    cross-signed-by-new.pem README.txt transcript.log MANIFEST MANIFEST.sig; do
	[ -s "$T/t/$f" ] || { diag "missing $f"; false; }
done
ok $? "the export holds the roots, both cross-certificates, README, MANIFEST"
[ -d "$T/t-old-cross" ] && [ -d "$T/t-new-cross" ]
ok $? "each root's own cross-sign bundle beside it"
NEWFP=$(openssl x509 -in "$NEW/root.crt" -noout -fingerprint -sha256 | cut -d= -f2 | tr -d :)
OLDFP=$(openssl x509 -in "$OLD/root.crt" -noout -fingerprint -sha256 | cut -d= -f2 | tr -d :)
grep -q "$(echo "$NEWFP" | cut -c1-4) $(echo "$NEWFP" | cut -c5-8)" "$T/out" &&
    grep -q "$(echo "$OLDFP" | cut -c1-4) $(echo "$OLDFP" | cut -c5-8)" "$T/out" &&
    grep -q 'read it aloud' "$T/out"
ok $? "both fingerprints shown in hex"
[ "$(grep -c '^[A-Za-z]* [a-zA-Z]* [a-zA-Z]* [a-zA-Z]* [a-zA-Z]* [a-zA-Z]* [a-zA-Z]* [a-zA-Z]*$' "$T/out")" -ge 8 ]
ok $? "... and in PGP words"
cmp -s "$T/t/root.pem" "$NEW/root.crt" && cmp -s "$T/t/old-root.pem" "$OLD/root.crt" &&
    cat "$NEW/root.crt" "$OLD/root.crt" | cmp -s - "$T/t/roots-transition.pem"
ok $? "root.pem is the new root, roots-transition.pem the new then the old"
like 'It lasts 90 days \(--overlap-days\)' "$T/t/README.txt" "README.txt: the overlap"
like 'Drop the old root' "$T/t/README.txt" "README.txt: when to drop the old root"

openssl x509 -in "$T/t/root.pem" -noout -pubkey >"$T/new.pub"
(cd "$T/t" && openssl dgst -sha384 -verify "$T/new.pub" -signature MANIFEST.sig MANIFEST &&
    sha256sum -c --quiet MANIFEST) >/dev/null 2>&1
ok $? "MANIFEST.sig verifies with the new root's key, every file its digest"
t_ok "offroot verify: the transition export against the new root" \
    "$OFFROOT" verify "$T/t" --root "$NEW/root.crt"
like "a rollover's transition export" "$T/out" "... named as a transition export"
t_fail "offroot verify: not against the old root (the new one signed it)" 1 \
    "$OFFROOT" verify "$T/t" --root "$OLD/root.crt"
cp -R "$T/t" "$T/t-tampered"
cp "$T/t/root.pem" "$T/t-tampered/cross-signed-by-old.pem"
t_fail "offroot verify: a changed cross-signed-by-old.pem is refused" 1 \
    "$OFFROOT" verify "$T/t-tampered" --root "$NEW/root.crt"
t_ok "audit of the old CA" "$OFFROOT" audit -d "$OLD"
t_ok "audit of the new CA" "$OFFROOT" audit -d "$NEW"
# The same command again (as after a crash): the successor is recognised,
# what the journals record is not done again.
cp "$OLD/journal" "$T/old.journal"; cp "$NEW/journal" "$T/new.journal"
t_ok "rollover run again: nothing left to do" "$OFFROOT" rollover -d "$OLD" \
    --new-dir "$NEW" -o "$T/t" $NEWARGS --passphrase-file "$PASS2" \
    --old-passphrase-file "$PASS" --overlap-days 90 --both-ways --yes
like 'successor an interrupted rollover made' "$T/err" "... saying it found the successor"
cmp -s "$OLD/journal" "$T/old.journal" && cmp -s "$NEW/journal" "$T/new.journal"
ok $? "... and recording nothing twice"
t_fail "a new directory that is another CA" 1 \
    "$OFFROOT" rollover -d "$NEW" --new-dir "$OLD" -o "$T/t9" $NEWARGS \
    --passphrase-file "$PASS2" --old-passphrase-file "$PASS" --yes
like 'not the successor' "$T/err" "... refused: not the successor"
t_ok "offroot verify: the old root's cross-sign bundle" \
    "$OFFROOT" verify "$T/t-old-cross" --root "$OLD/root.crt" --other "$NEW/root.crt"

# Each journal records the other root.
run $PY - "$OLD/journal" "$NEW/journal" "$OLDFP" "$NEWFP" "$T/t/cross-signed-by-old.pem" <<'PYEOF'
import hashlib, sys, urllib.parse
def recs(p):
    out = []
    for l in open(p).read().splitlines()[1:]:
        w = l.split(" ")
        out.append((w[2], {k: urllib.parse.unquote(v) for k, v in (x.split("=", 1) for x in w[4:-1])}))
    return out
old, new = recs(sys.argv[1]), recs(sys.argv[2])
ofp, nfp = sys.argv[3].lower(), sys.argv[4].lower()
ro = [f for t, f in old if t == "rollover"]
assert len(ro) == 1 and ro[0]["new_root_sha256"] == nfp, ro
rf = [f for t, f in new if t == "rollover-from"]
assert len(rf) == 1 and rf[0]["old_root_sha256"] == ofp, rf
x = [f for t, f in old if t == "issue" and f.get("cross_of") == nfp]
assert len(x) == 1 and x[0]["serial"] == ro[0]["cross_serial"]
assert ro[0]["cross_file_sha256"] == hashlib.sha256(open(sys.argv[5], "rb").read()).hexdigest()
b = [f for t, f in new if t == "issue" and f.get("cross_of") == ofp]
assert len(b) == 1, "the new root certified the old one"
e = [f for t, f in new if t == "export" and f.get("rollover_from") == ofp]
assert len(e) == 1, "the transition export"
PYEOF
ok $rc "journals: rollover (old) and rollover-from (new) name each other's root, the cross-certificates are issue records"
[ $rc -eq 0 ] || diag "$(tail -3 "$T/err")"

t_ok "status of the old CA" "$OFFROOT" status -d "$OLD"
like "^rolled over: .*CN=Test-Root-G2" "$T/out" "status: rolled over to the new root"
like "its SHA-256 $(echo "$NEWFP" | tr A-F a-f)" "$T/out" "status: ... with its SHA-256"
t_ok "status of the new CA" "$OFFROOT" status -d "$NEW"
like "^succeeds: .*$(echo "$OLDFP" | tr A-F a-f)" "$T/out" "status: the new CA names its predecessor"
t_ok "status --json" "$OFFROOT" status -d "$OLD" --json
$PY -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["rolled_over_to"]["sha256"] == sys.argv[2].lower()' \
    "$T/out" "$NEWFP"
ok $? "status --json: rolled_over_to"

# ---- the cross-certificates, by three implementations ----
X="$T/t/cross-signed-by-old.pem"
run openssl verify -x509_strict -CAfile "$OLD/root.crt" "$X"
ok $rc "openssl verify -x509_strict: cross-signed-by-old.pem under the old root"
run openssl verify -x509_strict -CAfile "$NEW/root.crt" "$T/t/cross-signed-by-new.pem"
ok $rc "openssl verify -x509_strict: cross-signed-by-new.pem under the new root"
mkcsr after
t_ok "the new root issues an intermediate" "$OFFROOT" sign -d "$NEW" --csr "$T/after.csr" \
    -o "$T/b-after" --passphrase-file "$PASS2" --yes
INT="$T/b-after/certificate.pem"
run openssl verify -x509_strict -CAfile "$OLD/root.crt" -untrusted "$X" "$INT"
ok $rc "openssl: the new root's intermediate, only the old root trusted, through the cross-certificate"
run openssl verify -x509_strict -CAfile "$OLD/root.crt" "$INT"
[ $rc -ne 0 ]; ok $? "... and not without it"
run openssl verify -x509_strict -CAfile "$T/t/roots-transition.pem" "$INT"
ok $rc "openssl: with roots-transition.pem, the new hierarchy verifies"
run openssl verify -x509_strict -CAfile "$T/t/roots-transition.pem" "$T/b-before/certificate.pem"
ok $rc "openssl: with roots-transition.pem, the old hierarchy too"
run openssl verify -x509_strict -CAfile "$NEW/root.crt" -untrusted "$T/t/cross-signed-by-new.pem" \
    "$T/b-before/certificate.pem"
ok $rc "openssl: the old root's intermediate, only the new root trusted, through cross-signed-by-new.pem"
cat "$INT" "$X" >"$T/chain-x.pem"
run certtool --verify --load-ca-certificate "$OLD/root.crt" --infile "$T/chain-x.pem"
ok $rc "certtool --verify: intermediate and cross-certificate, only the old root trusted"
cat "$X" "$OLD/root.crt" >"$T/chain-xr.pem"
run certtool --verify-chain --infile "$T/chain-xr.pem"
ok $rc "certtool --verify-chain: the cross-certificate and the old root"
run certtool --verify --load-ca-certificate "$T/t/roots-transition.pem" --infile "$INT"
ok $rc "certtool --verify: roots-transition.pem as the trust list"
run $PY - "$X" "$OLD/root.crt" "$NEW/root.crt" "$INT" "$T/t/cross-signed-by-new.pem" <<'PYEOF'
import sys
from cryptography import x509
from cryptography.x509.oid import ExtensionOID as E
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
L = lambda p: x509.load_pem_x509_certificate(open(p, "rb").read())
x, old, new, it, back = (L(p) for p in sys.argv[1:6])
spki = lambda c: c.public_key().public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
def signed(c, by):
    by.public_key().verify(c.signature, c.tbs_certificate_bytes, ec.ECDSA(c.signature_hash_algorithm))
    aki = c.extensions.get_extension_for_oid(E.AUTHORITY_KEY_IDENTIFIER).value.key_identifier
    assert aki == by.extensions.get_extension_for_oid(E.SUBJECT_KEY_IDENTIFIER).value.digest
    assert c.issuer == by.subject
signed(x, old)
assert x.subject == new.subject and spki(x) == spki(new), "the new root's subject and key"
ski = lambda c: c.extensions.get_extension_for_oid(E.SUBJECT_KEY_IDENTIFIER).value.digest
assert ski(x) == ski(new), "the new root's own SKI"
bc = x.extensions.get_extension_for_oid(E.BASIC_CONSTRAINTS)
assert bc.critical and bc.value.ca
assert x.not_valid_after <= old.not_valid_after
signed(it, x)       # the new intermediate chains through the cross-certificate
signed(it, new)     # ... and to the new root itself
signed(back, new)
assert back.subject == old.subject and spki(back) == spki(old)
PYEOF
ok $rc "Python cryptography: signatures, subjects, keys, AKI/SKI of both cross-certificates and the chain"
[ $rc -eq 0 ] || diag "$(tail -3 "$T/err")"

# ---- other stores: a quorum; a token ----
mkdir "$T/shares"
# (from $T, with relative paths: the journals record them absolute)
cd "$T"
t_ok "rollover to a 2-of-3 quorum" "$OFFROOT" rollover -d old --new-dir newq \
    -o tq --subject "/C=DE/O=offroot tests/CN=Quorum Root G2" --kdf interactive \
    --profiles "$K8S" --quorum 2/3 --share-dir shares --share-passphrase-file "$PASS2" \
    --share-passphrase-file "$PASS2" --share-passphrase-file "$PASS2" \
    --old-passphrase-file "$PASS" --yes
cd "$ROOT"
R=$(realpath "$T")
grep -q " rollover-from .*old_dir=$R/old " "$T/newq/journal" &&
    grep -q " rollover .*new_dir=$R/newq " "$T/old/journal" &&
    grep -q " export .*outdir=$R/tq " "$T/newq/journal"
ok $? "... the journals record the other CA and the export by absolute paths"
"$OFFROOT" status -d "$T/newq" | grep -q '2-of-3 officer quorum'
ok $? "... the new key under the quorum"
openssl verify -x509_strict -CAfile "$OLD/root.crt" "$T/tq/cross-signed-by-old.pem" >/dev/null 2>&1 &&
    "$OFFROOT" audit -d "$T/newq" >/dev/null 2>&1
ok $? "... cross-signed by the old root; the new CA audits"
MOD=/usr/lib/softhsm/libsofthsm2.so
if [ -r "$MOD" ] && command -v softhsm2-util >/dev/null 2>&1; then
	sh "$ROOT/hsm/softhsm-setup" "$T/hsm" root-g3 4711-pin >/dev/null 2>&1
	SOFTHSM2_CONF="$T/hsm/softhsm2.conf"; export SOFTHSM2_CONF
	printf '4711-pin\n' >"$T/pin"
	t_ok "rollover to a key on a SoftHSM2 token" "$OFFROOT" rollover -d "$OLD" \
	    --new-dir "$T/newt" -o "$T/tt" --subject "/C=DE/O=offroot tests/CN=Token Root G3" \
	    --profiles "$K8S" --store pkcs11 --module "$MOD" --pin-file "$T/pin" \
	    --token pkcs11:token=root-g3 --key ec-p256 --label g3 \
	    --old-passphrase-file "$PASS" --yes
	openssl x509 -in "$T/tt/root.pem" -noout -pubkey >"$T/tok.pub"
	(cd "$T/tt" && openssl dgst -sha256 -verify "$T/tok.pub" -signature MANIFEST.sig MANIFEST) >/dev/null 2>&1 &&
	    openssl verify -x509_strict -CAfile "$OLD/root.crt" "$T/tt/cross-signed-by-old.pem" >/dev/null 2>&1
	ok $? "... the export signed by the token key, the cross-certificate under the old root"
else
	diag "SoftHSM2 not installed: the token case is skipped"
fi
t_ok "audit of the old CA after three rollovers" "$OFFROOT" audit -d "$OLD"
done_testing
