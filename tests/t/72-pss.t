#!/bin/sh
# RSA-PSS (profile key "signature = pss"): a sealed rsa-3072 root and an
# intermediate it signs carry RSASSA-PSS with the hash, MGF1 with the same
# hash and a salt as long as the hash (the CA/B Forum's encodings, byte for
# byte); openssl, certtool and Python cryptography verify them; the same on
# a SoftHSM2 token.  A PSS signature needs an RSA *issuer*: a profile whose
# key_types (the subjects) are EC-only loads, and an RSA root signs EC CSRs
# under it; an EC issuer under "signature = pss" is refused where the issuer
# is known, before its key is unlocked or generated.
. "$(dirname "$0")/../lib.sh"
K8S="$ROOT/ceremony-scripts/kubernetes/profiles.cnf"
MOD=/usr/lib/softhsm/libsofthsm2.so

# The Kubernetes profiles with RSA-PSS for the root (SHA-512) and the
# intermediate (the default digest, SHA-384).
sed -e 's/^\[root\]$/[root]\nsignature      = pss\ndigest         = sha512/' \
    -e 's/^\[intermediate\]$/[intermediate]\nsignature      = pss/' \
    "$K8S" >"$T/pss.cnf"

check_pss() {	# check_pss NAME CERT ISSUER HASH
	run $PY - "$2" "$3" "$4" <<'PYEOF'
import sys
from cryptography import x509
from cryptography.x509.oid import SignatureAlgorithmOID
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
c = x509.load_pem_x509_certificate(open(sys.argv[1], "rb").read())
r = x509.load_pem_x509_certificate(open(sys.argv[2], "rb").read())
h = {"sha256": hashes.SHA256(), "sha384": hashes.SHA384(),
     "sha512": hashes.SHA512()}[sys.argv[3]]
assert c.signature_algorithm_oid == SignatureAlgorithmOID.RSASSA_PSS, \
    c.signature_algorithm_oid
r.public_key().verify(c.signature, c.tbs_certificate_bytes,
    padding.PSS(mgf=padding.MGF1(h), salt_length=h.digest_size), h)
PYEOF
	ok $rc "$1: python cryptography: RSASSA-PSS, $4, MGF1 $4, salt $4 length"
	[ $rc -eq 0 ] || diag "$(tail -3 "$T/err")"
	# The BR's encodings (7.1.3.2), in both algorithm fields.
	case $4 in
	sha256) n=01 s=20 ;; sha384) n=02 s=30 ;; sha512) n=03 s=40 ;;
	esac
	enc="304106092a864886f70d01010a3034a00f300d06096086480165030402${n}0500"
	enc="${enc}a11c301a06092a864886f70d010108300d06096086480165030402${n}0500"
	enc="${enc}a2030201${s}"
	openssl x509 -in "$2" -outform DER | od -An -v -tx1 | tr -d ' \n' \
	    >"$T/hex"
	[ "$(grep -o "$enc" "$T/hex" | wc -l)" -eq 2 ]
	ok $? "$1: both algorithm fields are the BR's RSASSA-PSS $4 encoding"
}

check_root() {	# check_root NAME ROOT
	run openssl verify -x509_strict -CAfile "$2" "$2"
	ok $rc "$1: openssl verify -x509_strict accepts the root"
	run certtool --verify --load-ca-certificate "$2" --infile "$2"
	ok $rc "$1: certtool --verify accepts the root"
	check_pss "$1 root" "$2" "$2" sha512
}

check_int() {	# check_int NAME CERT ROOT
	run openssl verify -x509_strict -CAfile "$3" "$2"
	ok $rc "$1: openssl verify -x509_strict accepts the intermediate"
	cat "$2" "$3" >"$T/chain-check.pem"
	run certtool --verify-chain --infile "$T/chain-check.pem"
	ok $rc "$1: certtool --verify-chain accepts the chain"
	check_pss "$1 intermediate" "$2" "$3" sha384
}

openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-384 -nodes \
    -keyout "$T/int.key" -subj "/CN=PSS Intermediate" -out "$T/int.csr" \
    2>/dev/null

# ---- sealed ----
new_ca "$T/ca" --key rsa-3072 --profiles "$T/pss.cnf"
ok $? "sealed: an rsa-3072 root under signature = pss"
[ -f "$T/ca/root.crt" ] || diag "$(cat "$T/init.err")"
check_root sealed "$T/ca/root.crt"
t_ok "sealed: sign an intermediate CSR under signature = pss" \
    "$OFFROOT" sign -d "$T/ca" -o "$T/bundle" --passphrase-file "$PASS" --yes \
    --csr "$T/int.csr"
check_int sealed "$T/bundle/certificate.pem" "$T/ca/root.crt"
t_ok "sealed: offroot verify accepts the bundle" \
    "$OFFROOT" verify "$T/bundle" --root "$T/ca/root.crt" --csr "$T/int.csr"

# ---- refusals ----
new_ca "$T/ca-ec" --key ec-p384 --profiles "$T/pss.cnf"
[ $? -ne 0 ] && [ ! -e "$T/ca-ec/root.crt" ]
ok $? "an ec-p384 root under signature = pss is refused, nothing written"
like 'RSA-PSS' "$T/init.err" "the refusal names RSA-PSS"
like 'profile root signs with RSA-PSS \(signature = pss\), which needs an RSA root key, not ec-p384' \
    "$T/init.err" "the refusal says PSS needs an RSA root key"
sed -e 's/^key_types      = ec-p384, ec-p256, rsa-3072, rsa-4096, ed25519$/key_types      = ec-p384/' \
    "$T/pss.cnf" >"$T/ec.cnf"
t_fail "an ec-p384 root under an EC-only root profile with signature = pss is refused" 1 \
    "$OFFROOT" init -d "$T/ca-ec2" --subject /CN=x --kdf interactive \
    --passphrase-file "$PASS" --key ec-p384 --profiles "$T/ec.cnf"
like 'needs an RSA root key, not ec-p384' "$T/err" "... at root creation, naming the key"

# The subjects' key types say nothing about the issuer's: an intermediate
# profile for EC keys only, signed with RSA-PSS by an RSA root.
awk '/^\[/ { sect = $0 } sect == "[intermediate]" && /^key_types / {
    print "key_types      = ec-p384, ec-p256"; next } { print }' \
    "$T/pss.cnf" >"$T/ecint.cnf"
grep -q '^key_types      = ec-p384, ec-p256$' "$T/ecint.cnf"
ok $? "a profile set whose PSS intermediate profile lists only EC key types"
new_ca "$T/ca-ecint" --key rsa-3072 --profiles "$T/ecint.cnf"
ok $? "it loads: an rsa-3072 root made with it"
t_ok "the RSA root signs an EC CSR with RSA-PSS under the EC-only profile" \
    "$OFFROOT" sign -d "$T/ca-ecint" -o "$T/bundle-ecint" --passphrase-file "$PASS" \
    --yes --csr "$T/int.csr"
check_int "EC-only profile" "$T/bundle-ecint/certificate.pem" "$T/ca-ecint/root.crt"
# An EC root (made under PKCS#1 profiles) asked to sign with that profile:
# refused before the key is unlocked, so a wrong passphrase is never tried.
new_ca "$T/ca-ecroot" --key ec-p384
ok $? "an ec-p384 root under the default profiles"
printf 'not the passphrase\n' >"$T/wrongpass"
cp "$T/ca-ecroot/journal" "$T/journal.before"
t_fail "a PSS profile under an EC root is refused" 1 \
    "$OFFROOT" sign -d "$T/ca-ecroot" -o "$T/bundle-ecroot" --profiles "$T/ecint.cnf" \
    --passphrase-file "$T/wrongpass" --yes --csr "$T/int.csr"
like 'profile intermediate signs with RSA-PSS \(signature = pss\), but the issuer.s key is ec-p384' \
    "$T/err" "... with a clear error, before the key is unlocked (not the wrong passphrase)"
[ ! -e "$T/bundle-ecroot" ] && cmp -s "$T/journal.before" "$T/ca-ecroot/journal"
ok $? "... and nothing written"
sed -e 's/^signature      = pss$/signature      = rsa-pss/' "$T/pss.cnf" \
    >"$T/bad.cnf"
t_fail "an unknown signature scheme is refused at load" 1 \
    "$OFFROOT" init -d "$T/ca-bad" --subject /CN=x --kdf interactive \
    --passphrase-file "$PASS" --key rsa-3072 --profiles "$T/bad.cnf"
like 'signature: unknown scheme "rsa-pss" \(pkcs1 or pss\)' "$T/err" \
    "the refusal names the schemes"
[ ! -e "$T/ca-ec2" ] && [ ! -e "$T/ca-bad" ]
ok $? "nothing written for a refused profile"

# ---- a SoftHSM2 token ----
if [ ! -r "$MOD" ] || ! command -v softhsm2-util >/dev/null 2>&1; then
	diag "SoftHSM2 is not installed: token tests skipped"
	done_testing
	exit
fi
PIN="$T/pin"
printf '4711-pin\n' >"$PIN"
t_ok "softhsm-setup makes a throwaway token" \
    sh "$ROOT/hsm/softhsm-setup" "$T/hsm" pss-ca 4711-pin 87654321
SOFTHSM2_CONF="$T/hsm/softhsm2.conf"
export SOFTHSM2_CONF
t_ok "token: an rsa-3072 root on the token under signature = pss" \
    "$OFFROOT" init -d "$T/tca" --subject "/CN=PSS Token Root" \
    --store pkcs11 --module "$MOD" --pin-file "$PIN" --yes \
    --token pkcs11:token=pss-ca --key rsa-3072 --label root-pss \
    --profiles "$T/pss.cnf"
check_root token "$T/tca/root.crt"
t_ok "token: sign an intermediate CSR under signature = pss" \
    "$OFFROOT" sign -d "$T/tca" -o "$T/tout" --pin-file "$PIN" --yes \
    --csr "$T/int.csr"
check_int token "$T/tout/certificate.pem" "$T/tca/root.crt"
# An EC root on the token under signature = pss: refused before a key is
# generated or a PIN tried.
run "$OFFROOT" init -d "$T/tca-ec" --subject "/CN=PSS EC Token Root" \
    --store pkcs11 --module "$MOD" --pin-file "$T/wrongpass" --yes \
    --token pkcs11:token=pss-ca --key ec-p384 --label root-pss-ec \
    --profiles "$T/pss.cnf"
[ "$rc" -eq 1 ] && grep -q 'needs an RSA root key, not ec-p384' "$T/err"
ok $? "token: an ec-p384 root under signature = pss is refused before the PIN"
[ $? -eq 0 ] || diag "exit $rc: $(cat "$T/err")"
! pkcs11-tool --module "$MOD" --token-label pss-ca --login --pin 4711-pin \
    --list-objects 2>/dev/null | grep -q root-pss-ec
ok $? "token: no key was generated for it"

done_testing
