#!/bin/sh
# Cross-certification in both directions.  offroot csr: a CSR signed by the
# root key for the root's subject (or --subject), checked by openssl req
# -verify and Python cryptography, carrying root.crt's key, journaled with
# its SHA-256, never over an existing file; also from an Ed25519 and a
# token key.
# offroot cross-sign: another CA's certificate certified once its
# fingerprint is confirmed as verified out of band (--fingerprint, or typed
# on the terminal); the cross-certificate checked by openssl, certtool and
# Python cryptography (issuer our root, subject and key the other CA's, AKI
# our SKI, SKI the other CA's own); the other CA's intermediate and leaf
# verify through it with only our root trusted; a profile's name
# constraints make openssl refuse a name outside them; it is an issued
# certificate like any other (issued/, journal, revoke, CRL, audit); an
# unconfirmed fingerprint, a wrong one, a non-CA, garbage, an expired
# certificate, a broken self-signature, our own root and a subject a
# person could misread (bidi; mixed scripts without its --allow- flag) are
# each refused with one line, changing nothing.
. "$(dirname "$0")/../lib.sh"
. "$ROOT/tests/tui.sh"
K8S="$ROOT/ceremony-scripts/kubernetes/profiles.cnf"
OLD="$T/old"
PART="$T/partner"

new_ca "$OLD" --profiles "$K8S"; ok $? "our root"
"$OFFROOT" init -d "$PART" --subject "/C=DE/O=Partner/CN=Partner Root" \
    --kdf interactive --passphrase-file "$PASS" --profiles "$K8S" \
    --key ec-p256 >/dev/null 2>&1
ok $? "the partner's root (an offroot CA too)"

t_ok "csr --help" "$OFFROOT" csr --help
like '^usage: offroot csr -d DIR -o FILE \[--subject DN\]' "$T/out" "csr --help: the synopsis"
t_ok "cross-sign --help" "$OFFROOT" cross-sign --help
like '^usage: offroot cross-sign -d DIR --cert OTHER.pem --profile NAME -o OUTDIR' \
    "$T/out" "cross-sign --help: the synopsis"

# ---- offroot csr ----

t_ok "csr: the root's own CSR" "$OFFROOT" csr -d "$PART" -o "$T/partner.csr" \
    --passphrase-file "$PASS" --yes
run openssl req -in "$T/partner.csr" -noout -verify
ok $rc "csr: openssl req -verify"
like 'verify OK' "$T/err" "csr: ... says verify OK"
run $PY - "$T/partner.csr" "$PART/root.crt" "$PART/journal" <<'PYEOF'
import hashlib, sys, urllib.parse
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
r = x509.load_pem_x509_csr(open(sys.argv[1], "rb").read())
c = x509.load_pem_x509_certificate(open(sys.argv[2], "rb").read())
assert r.is_signature_valid, "the signature"
spki = lambda k: k.public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
assert spki(r.public_key()) == spki(c.public_key()), "root.crt's key"
assert r.subject == c.subject, "the root's subject"
assert len(list(r.extensions)) == 0 and len(r.attributes) == 0
der = hashlib.sha256(r.public_bytes(Encoding.DER)).hexdigest()
recs = [l.split(" ") for l in open(sys.argv[3]).read().splitlines()[1:]]
recs = [dict(x.split("=", 1) for x in w[4:-1]) for w in recs if w[2] == "csr"]
assert len(recs) == 1, recs
assert recs[0]["csr_sha256"] == der, "the journal records the CSR's SHA-256"
assert recs[0]["pubkey_sha256"] == hashlib.sha256(spki(c.public_key())).hexdigest()
assert urllib.parse.unquote(recs[0]["output"]) == sys.argv[1]
PYEOF
ok $rc "csr: Python cryptography: signature valid, root.crt's key and subject, journaled with its SHA-256"
[ $rc -eq 0 ] || diag "$(tail -3 "$T/err")"
t_ok "csr --subject" "$OFFROOT" csr -d "$PART" -o "$T/other.csr" \
    --subject "/C=DE/O=Partner/CN=Partner Root G2" --passphrase-file "$PASS" --yes
run openssl req -in "$T/other.csr" -noout -subject -verify
like 'CN = Partner Root G2' "$T/out" "csr --subject: the subject given"
ca_snapshot "$PART"
t_fail "csr: an existing output is never overwritten" 1 \
    "$OFFROOT" csr -d "$PART" -o "$T/partner.csr" --passphrase-file "$PASS" --yes
like 'already exists' "$T/err" "... saying it exists"
t_fail "csr: a subject with a bidi control is refused" 1 \
    "$OFFROOT" csr -d "$PART" -o "$T/bidi.csr" --passphrase-file "$PASS" --yes \
    --subject "$(printf '/CN=Partner \342\200\256Root')"
t_fail "csr: without --yes and without a terminal" 3 \
    setsid "$OFFROOT" csr -d "$PART" -o "$T/nope.csr" --passphrase-file "$PASS"
ca_unchanged "$PART" && [ ! -e "$T/bidi.csr" ] && [ ! -e "$T/nope.csr" ]
ok $? "csr: the refusals wrote nothing and recorded nothing"
t_ok "audit knows the csr records" "$OFFROOT" audit -d "$PART"

# The root's CSR is what another CA signs: offroot sign takes it.
t_ok "csr: another offroot CA signs the root's CSR" "$OFFROOT" sign -d "$OLD" \
    --csr "$T/partner.csr" -o "$T/b-bycsr" --passphrase-file "$PASS" --yes
run openssl verify -x509_strict -CAfile "$OLD/root.crt" "$T/b-bycsr/certificate.pem"
ok $rc "csr: the certificate made from it verifies under the other root"

# ---- offroot cross-sign ----

# The partner's intermediate, and a leaf under it made with openssl.
mkleaf() {	# mkleaf NAME ISSUER.pem ISSUER.key DNSNAME
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -keyout "$T/$1.key" -subj "/CN=$4" -out "$T/$1.csr" 2>/dev/null
	printf '%s\n' 'basicConstraints=critical,CA:FALSE' \
	    'keyUsage=critical,digitalSignature' 'extendedKeyUsage=serverAuth' \
	    "subjectAltName=DNS:$4" 'subjectKeyIdentifier=hash' \
	    'authorityKeyIdentifier=keyid' >"$T/$1.ext"
	openssl x509 -req -in "$T/$1.csr" -CA "$2" -CAkey "$3" -set_serial 0x1234$$ \
	    -days 30 -sha256 -extfile "$T/$1.ext" -out "$T/$1.pem" 2>/dev/null
}
issue_intermediate "$PART" pint
mkleaf leaf "$T/b-pint/certificate.pem" "$T/pint.key" www.partner.test

FP=$(openssl x509 -in "$PART/root.crt" -noout -fingerprint -sha256 | cut -d= -f2)
ca_snapshot "$OLD"
t_fail "cross-sign: no terminal and no --fingerprint: not confirmed" 3 \
    setsid "$OFFROOT" cross-sign -d "$OLD" --cert "$PART/root.crt" \
    --profile intermediate -o "$T/x0" --passphrase-file "$PASS" --yes
like 'fingerprint without a terminal' "$T/err" "... saying so"
like '^SHA-256 of the certificate' "$T/out" "the review shows the certificate's SHA-256"
hexfp=$(echo "$FP" | tr -d : | tr A-F a-f)
got=$(sed -n '/^SHA-256 of the certificate/{n;p;n;p}' "$T/out" | tr -d ' \n' | tr A-F a-f)
[ "$got" = "$hexfp" ]; ok $? "... in hex, the one openssl computes"
words=$(sed -n '/^SHA-256 of the certificate/{n;n;n;p}' "$T/out" | cut -d' ' -f1,2)
[ -n "$words" ]; ok $? "... and in PGP words ($words)"
like '^subject: +CN=Partner Root,O=Partner,C=DE$' "$T/out" "the review shows its subject"
cp "$T/out" "$T/x0.review"
t_fail "cross-sign: a wrong --fingerprint" 1 \
    "$OFFROOT" cross-sign -d "$OLD" --cert "$PART/root.crt" --profile intermediate \
    -o "$T/x0" --passphrase-file "$PASS" --yes --fingerprint "$(echo "$hexfp" | tr 0-9a-f 1-9a-f0)"
like 'not the certificate whose fingerprint' "$T/err" "... saying it is another certificate"
ca_unchanged "$OLD" && [ ! -e "$T/x0" ]
ok $? "cross-sign: unconfirmed, nothing signed, recorded or written"

# Typed on the terminal: three wrong tries end it; the first two words pass.
start 200 50 linux "'$OFFROOT' cross-sign -d '$OLD' --cert '$PART/root.crt' --profile intermediate -o '$T/x0' --passphrase-file '$PASS' --yes"
waitfor 'verified with its owner out of band:'; ok $? "cross-sign asks for the fingerprint on the terminal"
keys "aardvark absurd" Enter
waitfor '1 of 3 tries'
keys "00000000" Enter
waitfor '2 of 3 tries'
keys "$(echo "$hexfp" | cut -c9-16)" Enter
waitfor 'EXIT='
like 'EXIT=1' "$T/screen" "three wrong tries: exit 1"
tmux kill-session -t "=$S" 2>/dev/null
ca_unchanged "$OLD" && [ ! -e "$T/x0" ]; ok $? "... and nothing changed"
start 200 50 linux "'$OFFROOT' cross-sign -d '$OLD' --cert '$PART/root.crt' --profile intermediate -o '$T/x1' --passphrase-file '$PASS' --yes"
waitfor 'verified with its owner out of band:'
keys "$words" Enter
waitfor 'EXIT=' "$LONG"
like 'EXIT=0' "$T/screen" "the first two PGP words typed: cross-signed"
tmux kill-session -t "=$S" 2>/dev/null
grep -q " fingerprint-confirmed .*method=typed" "$OLD"/transcripts/*cross-sign*.log
ok $? "the transcript records how the fingerprint was confirmed"

X="$T/x1/certificate.pem"
for f in certificate.pem chain.pem crl.pem other-ca.pem root.pem transcript.log \
    README.txt MANIFEST MANIFEST.sig; do
	[ -f "$T/x1/$f" ]; ok $? "the bundle has $f"
done
(cd "$T/x1" && sha256sum -c --quiet MANIFEST) >/dev/null 2>&1; ok $? "sha256sum -c MANIFEST"
openssl x509 -in "$OLD/root.crt" -noout -pubkey >"$T/root.pub"
openssl dgst -sha384 -verify "$T/root.pub" -signature "$T/x1/MANIFEST.sig" \
    "$T/x1/MANIFEST" >/dev/null 2>&1; ok $? "MANIFEST.sig verifies with our root's key"
cat "$X" "$OLD/root.crt" | cmp -s - "$T/x1/chain.pem"; ok $? "chain.pem: the cross-certificate, then our root"
cmp -s "$T/x1/other-ca.pem" "$PART/root.crt"; ok $? "other-ca.pem: the partner's certificate"
t_ok "offroot verify checks the cross-certificate's bundle" \
    "$OFFROOT" verify "$T/x1" --root "$OLD/root.crt" --other "$PART/root.crt"
like 'a cross-certificate for the subject, key and key identifier of' "$T/out" \
    "verify --other: the partner's subject, key and SKI"
t_fail "verify --other refuses another CA's certificate" 1 \
    "$OFFROOT" verify "$T/x1" --root "$OLD/root.crt" --other "$OLD/root.crt"
openssl crl -in "$T/x1/crl.pem" -CAfile "$OLD/root.crt" -noout 2>/dev/null
ok $? "crl.pem verifies with our root"
run openssl verify -x509_strict -CAfile "$OLD/root.crt" "$X"
ok $rc "openssl verify -x509_strict: the cross-certificate under our root"
cat "$X" "$OLD/root.crt" >"$T/xchain.pem"
run certtool --verify-chain --infile "$T/xchain.pem"
ok $rc "certtool --verify-chain: the cross-certificate and our root"
run $PY - "$X" "$OLD/root.crt" "$PART/root.crt" "$K8S" <<'PYEOF'
import sys
from cryptography import x509
from cryptography.x509.oid import ExtensionOID as E
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
load = lambda f: x509.load_pem_x509_certificate(open(f, "rb").read())
x, r, o = load(sys.argv[1]), load(sys.argv[2]), load(sys.argv[3])
r.public_key().verify(x.signature, x.tbs_certificate_bytes, ec.ECDSA(x.signature_hash_algorithm))
spki = lambda k: k.public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
ext = lambda c, oid: c.extensions.get_extension_for_oid(oid)
assert x.issuer == r.subject, "issuer: our root"
assert x.subject == o.subject, "subject: the other CA's"
assert spki(x.public_key()) == spki(o.public_key()), "key: the other CA's"
assert ext(x, E.AUTHORITY_KEY_IDENTIFIER).value.key_identifier == ext(r, E.SUBJECT_KEY_IDENTIFIER).value.digest
assert ext(x, E.SUBJECT_KEY_IDENTIFIER).value.digest == ext(o, E.SUBJECT_KEY_IDENTIFIER).value.digest
bc = ext(x, E.BASIC_CONSTRAINTS)
assert bc.critical and bc.value.ca and bc.value.path_length == 1, "the profile's path length"
assert (x.not_valid_after - x.not_valid_before).total_seconds() == 180 * 86400 - 1
assert x.not_valid_after <= r.not_valid_after and x.not_valid_before >= r.not_valid_before
assert x.serial_number.bit_length() >= 128
PYEOF
ok $rc "Python cryptography: issuer our root, subject and key the partner's, AKI our SKI, SKI the partner's, pathlen and validity from the profile"
[ $rc -eq 0 ] || diag "$(tail -3 "$T/err")"
run openssl verify -x509_strict -CAfile "$OLD/root.crt" -untrusted "$X" \
    -untrusted "$T/b-pint/certificate.pem" "$T/leaf.pem"
ok $rc "openssl verify -x509_strict: the partner's leaf, through its intermediate and the cross-certificate, with only our root trusted"
run openssl verify -x509_strict -CAfile "$OLD/root.crt" -untrusted "$X" "$T/b-pint/certificate.pem"
ok $rc "openssl verify -x509_strict: the partner's intermediate through the cross-certificate"
run openssl verify -x509_strict -CAfile "$OLD/root.crt" \
    -untrusted "$T/b-pint/certificate.pem" "$T/leaf.pem"
[ $rc -ne 0 ]; ok $? "... and without the cross-certificate it does not verify"

# Again, the whole fingerprint given in PGP words: a new serial, and a
# warning that this key was certified here before (sign took its CSR).
allwords=$(sed -n '/^SHA-256 of the certificate/{n;n;n;p;n;p;n;p;n;p}' "$T/x0.review" | tr '\n' ' ')
t_ok "cross-sign again, --fingerprint in PGP words" "$OFFROOT" cross-sign -d "$OLD" \
    --cert "$PART/root.crt" --profile intermediate -o "$T/x3" \
    --fingerprint "$allwords" --passphrase-file "$PASS" --yes
like 'warning: .*its public key was certified here before, as serial' "$T/err" \
    "... warning that the key was certified here before"
[ "$(serial_of "$T/x3/certificate.pem")" != "$(serial_of "$X")" ]; ok $? "... under a new serial"

# An issued certificate like any other.
serial=$(serial_of "$X" | tr A-F a-f | sed 's/^0*//')
cmp -s "$X" "$OLD/issued/$serial.pem"; ok $? "the cross-certificate is kept in issued/"
run $PY - "$OLD/journal" "$serial" "$hexfp" "$T/x1" <<'PYEOF'
import sys, urllib.parse
recs = [l.split(" ") for l in open(sys.argv[1]).read().splitlines()[1:]]
recs = [(w[2], dict(x.split("=", 1) for x in w[4:-1])) for w in recs]
iss = [f for t, f in recs if t == "issue" and f["serial"] == sys.argv[2]]
assert len(iss) == 1 and iss[0]["cross_of"] == sys.argv[3], iss
exp = [f for t, f in recs if t == "export" and urllib.parse.unquote(f["outdir"]) == sys.argv[4]]
assert len(exp) == 1 and exp[0]["serials"] == sys.argv[2], exp
PYEOF
ok $rc "the journal: an issue record with cross_of (the partner's SHA-256), and the bundle's export record"
t_ok "audit passes after cross-signing" "$OFFROOT" audit -d "$OLD"
t_ok "revoke takes the cross-certificate" "$OFFROOT" revoke -d "$OLD" --serial "$serial" \
    --reason superseded
t_ok "crl after the revocation" "$OFFROOT" crl -d "$OLD" -o "$T/old.crl" \
    --passphrase-file "$PASS" --yes
openssl crl -in "$T/old.crl" -noout -text | grep -qi "Serial Number: 0*$serial\$"
ok $? "the CRL lists the cross-certificate"

# An Ed25519 root: its own CSR, and cross-signed by our ECDSA root.
"$OFFROOT" init -d "$T/ed" --subject "/C=DE/O=Partner/CN=Partner Ed Root" \
    --kdf interactive --passphrase-file "$PASS" --profiles "$K8S" \
    --key ed25519 >/dev/null 2>&1
ok $? "an Ed25519 partner root"
t_ok "csr with an Ed25519 root key" "$OFFROOT" csr -d "$T/ed" -o "$T/ed.csr" \
    --passphrase-file "$PASS" --yes
openssl req -in "$T/ed.csr" -noout -verify >/dev/null 2>&1; ok $? "... openssl req -verify"
t_ok "cross-sign an Ed25519 root" "$OFFROOT" cross-sign -d "$OLD" --cert "$T/ed/root.crt" \
    --profile intermediate -o "$T/xed" --passphrase-file "$PASS" --yes \
    --fingerprint "$(openssl x509 -in "$T/ed/root.crt" -noout -fingerprint -sha256 | cut -d= -f2)"
run openssl verify -x509_strict -CAfile "$OLD/root.crt" "$T/xed/certificate.pem"
ok $rc "... the cross-certificate verifies under our root"

# ---- name constraints from the profile ----
# A partner made with openssl, whose own SKI is not the key's hash: the
# cross-certificate must carry it for the partner's AKIs to find it.
cat >"$T/p2.cnf" <<'CNF'
[req]
distinguished_name = dn
x509_extensions = root
prompt = no
[dn]
CN = unused
[root]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = 01:02:03:04:05:06:07:08:09:0a:0b:0c:0d:0e:0f:10:11:12:13:14
[int]
basicConstraints = critical,CA:TRUE,pathlen:0
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
CNF
openssl req -x509 -config "$T/p2.cnf" -newkey ec -pkeyopt ec_paramgen_curve:P-256 \
    -nodes -keyout "$T/p2.key" -subj "/C=DE/O=Partner Two/CN=Partner Two Root" \
    -days 365 -sha256 -out "$T/p2.pem" 2>/dev/null
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$T/p2int.key" \
    -subj "/C=DE/O=Partner Two/CN=Partner Two Issuing" -out "$T/p2int.csr" 2>/dev/null
openssl x509 -req -in "$T/p2int.csr" -CA "$T/p2.pem" -CAkey "$T/p2.key" -set_serial 0x77$$ \
    -days 90 -sha256 -extfile "$T/p2.cnf" -extensions int -out "$T/p2int.pem" 2>/dev/null
ok $? "an openssl-made partner root and intermediate"
mkleaf in "$T/p2int.pem" "$T/p2int.key" www.partner.test
mkleaf out "$T/p2int.pem" "$T/p2int.key" www.elsewhere.test
sed -n '/^\[intermediate\]/,/^authorityKeyIdentifier/p' "$K8S" |
    sed 's/^\[intermediate\]/[cross-partner]/' >"$T/nc.cnf"
echo 'nameConstraints = critical,permitted;DNS:partner.test' >>"$T/nc.cnf"
FP2=$(openssl x509 -in "$T/p2.pem" -noout -fingerprint -sha256)
t_ok "cross-sign with a profile's name constraints (--fingerprint: openssl's whole line)" \
    "$OFFROOT" cross-sign -d "$OLD" \
    --cert "$T/p2.pem" --profiles "$T/nc.cnf" --profile cross-partner -o "$T/x2" \
    --fingerprint "$FP2" --passphrase-file "$PASS" --yes
X2="$T/x2/certificate.pem"
openssl x509 -in "$X2" -noout -ext nameConstraints,subjectKeyIdentifier >"$T/x2.txt" 2>&1
like 'Permitted:' "$T/x2.txt" "the cross-certificate carries the profile's name constraints"
like '01:02:03:04:05:06:07:08:09:0A:0B:0C:0D:0E:0F:10:11:12:13:14' "$T/x2.txt" \
    "... and the partner's own SKI"
run openssl verify -x509_strict -CAfile "$OLD/root.crt" -untrusted "$X2" \
    -untrusted "$T/p2int.pem" "$T/in.pem"
ok $rc "openssl verify: a name inside the constraints verifies through the cross-certificate"
run openssl verify -x509_strict -CAfile "$OLD/root.crt" -untrusted "$X2" \
    -untrusted "$T/p2int.pem" "$T/out.pem"
[ $rc -ne 0 ]; ok $? "openssl verify: a name outside them is refused"
cat "$T/out" "$T/err" >"$T/nc-verify"
like 'permitted subtree violation' "$T/nc-verify" "... as a permitted subtree violation"
run openssl verify -x509_strict -CAfile "$T/p2.pem" -untrusted "$T/p2int.pem" "$T/out.pem"
ok $rc "... which the partner's own root accepts (the constraint is ours)"

# ---- refusals: one line each, nothing changed ----
run $PY - "$T" <<'PYEOF'
import datetime, sys
from cryptography import x509
from cryptography.x509.oid import NameOID
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
k = ec.generate_private_key(ec.SECP256R1())
now = datetime.datetime.utcnow()
def mk(fn, cn, nb, na, ca=True, crit=True):
    n = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])
    b = (x509.CertificateBuilder().subject_name(n).issuer_name(n)
         .public_key(k.public_key()).serial_number(x509.random_serial_number())
         .not_valid_before(nb).not_valid_after(na)
         .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=crit)
         .add_extension(x509.KeyUsage(not ca, False, False, False, False, ca, ca, False, False), critical=True)
         .add_extension(x509.SubjectKeyIdentifier.from_public_key(k.public_key()), critical=False))
    open(sys.argv[1] + "/" + fn, "wb").write(b.sign(k, hashes.SHA256()).public_bytes(serialization.Encoding.PEM))
day = datetime.timedelta(days=1)
mk("expired.pem", "Expired CA", now - 400 * day, now - day)
mk("leafcert.pem", "Not a CA", now - day, now + day, ca=False)
mk("noncrit.pem", "Lax CA", now - day, now + 30 * day, crit=False)
mk("bidi.pem", "Partner \u202eAC toor", now - day, now + 30 * day)
mk("mixed.pem", "P\u0430rtner Root", now - day, now + 30 * day)
PYEOF
ok $rc "test certificates: expired, not a CA, non-critical basicConstraints, names a person could misread"
openssl x509 -in "$PART/root.crt" -outform DER -out "$T/badsig.der"
$PY -c 'import sys; b=bytearray(open(sys.argv[1],"rb").read()); b[-1]^=1; open(sys.argv[1],"wb").write(b)' "$T/badsig.der"
printf 'hello, this is not a certificate\n' >"$T/garbage.pem"
ca_snapshot "$OLD"
xs() {	# xs NAME WANT CERT: cross-sign CERT must be refused
	t_fail "cross-sign refuses $1" "$2" "$OFFROOT" cross-sign -d "$OLD" --cert "$3" \
	    --profile intermediate -o "$T/xr" --passphrase-file "$PASS" --yes \
	    --fingerprint "$FP"
}
xs "a certificate that is not a CA's" 1 "$T/leafcert.pem"
like 'not a CA certificate' "$T/err" "... saying it is not a CA"
xs "a garbage file" 1 "$T/garbage.pem"
like 'neither a PEM nor a DER certificate' "$T/err" "... saying what it is not"
xs "an expired certificate" 1 "$T/expired.pem"
like 'expired at' "$T/err" "... saying when it expired"
xs "a CA certificate with non-critical basicConstraints" 1 "$T/noncrit.pem"
xs "a self-signed certificate whose signature does not verify" 1 "$T/badsig.der"
like 'does not verify' "$T/err" "... saying so"
xs "our own root" 1 "$OLD/root.crt"
like "this root's own public key" "$T/err" "... saying it is our own key"
xs "a certificate request" 1 "$T/partner.csr"
xs "a subject with a right-to-left override" 1 "$T/bidi.pem"
like 'U\+202E RIGHT-TO-LEFT OVERRIDE' "$T/err" "... naming the character"
xs "a subject that mixes scripts, without --allow-mixed-scripts" 1 "$T/mixed.pem"
like 'allow-mixed-scripts' "$T/err" "... naming the flag that would go on"
t_fail "cross-sign refuses a profile that does not exist" 1 "$OFFROOT" cross-sign \
    -d "$OLD" --cert "$PART/root.crt" --profile nosuch -o "$T/xr" \
    --passphrase-file "$PASS" --yes --fingerprint "$FP"
t_fail "cross-sign refuses an existing output folder" 1 "$OFFROOT" cross-sign \
    -d "$OLD" --cert "$PART/root.crt" --profile intermediate -o "$T/x1" \
    --passphrase-file "$PASS" --yes --fingerprint "$FP"
ca_unchanged "$OLD" && [ ! -e "$T/xr" ]; ok $? "the refusals signed, recorded and wrote nothing"
t_ok "cross-sign: mixed scripts with --allow-mixed-scripts" "$OFFROOT" cross-sign \
    -d "$OLD" --cert "$T/mixed.pem" --profile intermediate -o "$T/xm" \
    --passphrase-file "$PASS" --yes --allow-mixed-scripts \
    --fingerprint "$(openssl x509 -in "$T/mixed.pem" -noout -fingerprint -sha256 | cut -d= -f2)"
grep -q " override .*check=mixed-scripts" "$OLD"/transcripts/*cross-sign*.log
ok $? "... and the override is in the transcript"
t_ok "audit passes at the end" "$OFFROOT" audit -d "$OLD"

# ---- csr from a token key ----
MOD=/usr/lib/softhsm/libsofthsm2.so
if [ -r "$MOD" ] && command -v softhsm2-util >/dev/null 2>&1; then
	sh "$ROOT/hsm/softhsm-setup" "$T/hsm" root-ca 4711-pin >/dev/null 2>&1
	SOFTHSM2_CONF="$T/hsm/softhsm2.conf"; export SOFTHSM2_CONF
	printf '4711-pin\n' >"$T/pin"
	"$OFFROOT" init -d "$T/tok" --subject "/C=DE/O=offroot tests/CN=Token Root" \
	    --store pkcs11 --module "$MOD" --pin-file "$T/pin" --yes \
	    --token pkcs11:token=root-ca --key ec-p256 --label root >/dev/null 2>&1
	ok $? "a root on a SoftHSM2 token"
	t_ok "csr with the token key" "$OFFROOT" csr -d "$T/tok" -o "$T/tok.csr" \
	    --pin-file "$T/pin" --yes
	openssl req -in "$T/tok.csr" -noout -verify >/dev/null 2>&1 &&
	    [ "$(openssl req -in "$T/tok.csr" -noout -pubkey)" = \
	    "$(openssl x509 -in "$T/tok/root.crt" -noout -pubkey)" ]
	ok $? "csr with the token key: openssl req -verify, root.crt's key"
else
	diag "SoftHSM2 not installed: the token case is skipped"
fi
done_testing
