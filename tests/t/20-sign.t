#!/bin/sh
# Signing intermediate CSRs and the signed bundle, checked by openssl,
# certtool and Python cryptography; the bundle checked by a stock openssl
# command and by offroot verify; refusals leave nothing behind.
. "$(dirname "$0")/../lib.sh"
K8S="$ROOT/ceremony-scripts/kubernetes/profiles.cnf"

csr() {	# csr NAME KEYTYPE [SUBJECT]: a CSR as an online issuer would make
	case $2 in
	ec-p256) o="-newkey ec -pkeyopt ec_paramgen_curve:P-256" ;;
	ec-p384) o="-newkey ec -pkeyopt ec_paramgen_curve:P-384" ;;
	rsa-*) o="-newkey rsa:${2#rsa-}" ;;
	ed25519) o="-newkey ed25519" ;;
	esac
	# shellcheck disable=SC2086
	openssl req -new $o -nodes -keyout "$T/$1.key" -subj "${3:-/CN=$1}" \
	    -out "$T/$1.csr" 2>/dev/null
}

sign() {	# sign CADIR OUTDIR CSR... (with the test passphrase, --yes)
	_ca=$1; _out=$2; shift 2
	_args=
	for _c in "$@"; do _args="$_args --csr $_c"; done
	# shellcheck disable=SC2086
	"$OFFROOT" sign -d "$_ca" -o "$_out" --passphrase-file "$PASS" --yes $_args
}

# check_chain (tests/lib.sh): openssl, certtool and Python cryptography.

# Every key type, root and intermediate alike.
for k in ec-p384 ec-p256 rsa-3072 rsa-4096 ed25519; do
	new_ca "$T/ca-$k" --key "$k" --profiles "$K8S"; ok $? "$k: root"
	csr "int-$k" "$k" "/CN=Intermediate $k"
	run sign "$T/ca-$k" "$T/out-$k" "$T/int-$k.csr"
	ok $rc "$k: sign an intermediate CSR"
	[ $rc -eq 0 ] || { diag "$(cat "$T/err")"; continue; }
	check_chain "$k" "$T/out-$k/certificate.pem" "$T/ca-$k/root.crt"
	t_ok "$k: offroot verify accepts the bundle" \
	    "$OFFROOT" verify "$T/out-$k" --root "$T/ca-$k/root.crt" --csr "$T/int-$k.csr"
done

# The k8s intermediate: 180 days inclusive, pathlen 1.
ca="$T/ca-ec-p384"; out="$T/out-ec-p384"
$PY - "$out/certificate.pem" <<'PYEOF'
import sys
from cryptography import x509
from cryptography.x509.oid import ExtensionOID
c = x509.load_pem_x509_certificate(open(sys.argv[1], "rb").read())
assert (c.not_valid_after - c.not_valid_before).total_seconds() == 180 * 86400 - 1
assert c.extensions.get_extension_for_oid(ExtensionOID.BASIC_CONSTRAINTS).value.path_length == 1
PYEOF
ok $? "kubernetes intermediate: exactly 180 days inclusive, pathlen 1"

# The bundle: files, the stock openssl check README.txt spells out, Vault body.
for f in certificate.pem chain.pem root.pem crl.pem vault-set-signed.json \
    transcript.log README.txt MANIFEST MANIFEST.sig; do
	[ -f "$out/$f" ]; ok $? "bundle has $f"
done
(cd "$out" && sha256sum -c --quiet MANIFEST) >/dev/null 2>&1; ok $? "sha256sum -c MANIFEST"
openssl x509 -in "$out/root.pem" -noout -pubkey >"$T/root.pub"
cmd=$(grep -o 'openssl dgst[^$]*MANIFEST$' "$out/README.txt" | head -1)
[ -n "$cmd" ]; ok $? "README.txt spells out the openssl check"
(cd "$out" && cp "$T/root.pub" root.pub && eval "$cmd" && rm root.pub) >/dev/null 2>&1
ok $? "MANIFEST.sig verifies with the README's stock openssl command"
rm -f "$out/root.pub"
$PY -c '
import json,sys
d=json.load(open(sys.argv[1]+"/vault-set-signed.json"))
c=open(sys.argv[1]+"/certificate.pem").read(); r=open(sys.argv[1]+"/root.pem").read()
assert d["certificate"]==c+r, "certificate then root"
' "$out"
ok $? "vault-set-signed.json holds the certificate then the root"
cmp -s "$out/root.pem" "$ca/root.crt"; ok $? "root.pem is the CA's root.crt"
openssl crl -in "$out/crl.pem" -CAfile "$ca/root.crt" -noout 2>/dev/null; ok $? "crl.pem verifies with the root"

# The CA's own record.
t_ok "audit passes after signing" "$OFFROOT" audit -d "$ca"
run "$OFFROOT" status -d "$ca"
like '^issued: +1 certificates' "$T/out" "status counts the issued certificate"
serial=$(openssl x509 -in "$out/certificate.pem" -noout -serial | cut -d= -f2 | tr A-F a-f | sed 's/^0*//')
[ -f "$ca/issued/$serial.pem" ]; ok $? "the CA keeps a copy under issued/"
grep -q " issue .*serial=$serial " "$ca/journal"; ok $? "the journal records the issuance"
grep -q " export .*manifest_sha256=" "$ca/journal"; ok $? "the journal records the export"

# Tampering with the bundle.
tamper() {	# tamper NAME CMD: on a copy, then verify must fail
	rm -rf "$T/tb"; cp -a "$out" "$T/tb"
	(cd "$T/tb" && eval "$2")
	t_fail "verify refuses: $1" 1 "$OFFROOT" verify "$T/tb" --root "$ca/root.crt"
}
tamper "a changed certificate" 'printf x >>certificate.pem'
tamper "an added file" 'echo hi >extra.txt'
tamper "a removed file" 'rm crl.pem'
tamper "an edited MANIFEST" 'sed -i "1s/^./0/" MANIFEST'
tamper "a forged MANIFEST.sig" 'printf "\001" | dd of=MANIFEST.sig bs=1 seek=10 conv=notrunc 2>/dev/null'
t_fail "verify refuses another root" 1 "$OFFROOT" verify "$out" --root "$T/ca-ec-p256/root.crt"
csr other ec-p256
t_fail "verify refuses a CSR the bundle does not answer" 1 \
    "$OFFROOT" verify "$out" --root "$ca/root.crt" --csr "$T/other.csr"

# A batch: one unlock, one folder per certificate, one manifest.
csr etcd ec-p256 "/CN=etcd CA"; csr k8s ec-p256 "/CN=Kubernetes CA"; csr fp ec-p256 "/CN=front-proxy CA"
run sign "$ca" "$T/batch" "$T/etcd.csr" "$T/k8s.csr" "$T/fp.csr"
ok $rc "sign a batch of three CSRs"
n=$(find "$T/batch" -name certificate.pem | wc -l); [ "$n" -eq 3 ]; ok $? "three certificates in sub-folders"
ls -d "$T/batch"/etcd-ca-* >/dev/null 2>&1; ok $? "sub-folders are named after the CN and serial"
t_ok "offroot verify accepts the batch bundle" "$OFFROOT" verify "$T/batch" --root "$ca/root.crt" \
    --csr "$T/etcd.csr" --csr "$T/k8s.csr" --csr "$T/fp.csr"

# Refusals: nothing in OUTDIR, nothing in the journal.
cp "$ca/journal" "$T/j.before"
unchanged() { cmp -s "$T/j.before" "$ca/journal"; ok $? "$1: the journal is unchanged"; }
t_fail "an existing OUTDIR is refused" 1 sign "$ca" "$out" "$T/other.csr"
unchanged "existing OUTDIR"
printf 'not the passphrase\n' >"$T/wrong"
t_fail "a wrong passphrase is refused" 1 \
    "$OFFROOT" sign -d "$ca" -o "$T/o1" --csr "$T/other.csr" --passphrase-file "$T/wrong" --yes
[ ! -e "$T/o1" ]; ok $? "wrong passphrase: no bundle"
unchanged "wrong passphrase"
t_fail "--days beyond the profile is refused" 1 \
    "$OFFROOT" sign -d "$ca" -o "$T/o2" --csr "$T/other.csr" --passphrase-file "$PASS" --yes --days 181
t_fail "without --yes and without a terminal, nothing is signed" 3 \
    setsid "$OFFROOT" sign -d "$ca" -o "$T/o3" --csr "$T/other.csr" --passphrase-file "$PASS"
[ ! -e "$T/o3" ]; ok $? "no confirmation: no bundle"
unchanged "refused options"
t_fail "the same public key twice in one batch is refused" 1 sign "$T/ca-ec-p256" "$T/o4" "$T/other.csr" "$T/other.csr"

# Validity nesting: a short root refuses an intermediate that would outlive it,
# unless the profile allows clamping.
new_ca "$T/short" --profiles "$K8S" --days 30; ok $? "a 30-day root"
t_fail "an intermediate outliving the root is refused" 1 sign "$T/short" "$T/o5" "$T/other.csr"
like 'outlive' "$T/err" "the refusal says why"
awk '/^\[/{sec=$0} sec=="[intermediate]" && /^clamp_validity/{$0="clamp_validity = yes"} {print}' "$K8S" >"$T/clamp.cnf"
grep -q '^clamp_validity = yes' "$T/clamp.cnf"; ok $? "a profile set with clamping allowed"
run "$OFFROOT" sign -d "$T/short" -o "$T/o6" --csr "$T/other.csr" --profiles "$T/clamp.cnf" \
    --passphrase-file "$PASS" --yes
ok $rc "clamp_validity = yes signs, clamped"
like 'clamped' "$T/err" "the clamping is said"
a=$(openssl x509 -in "$T/o6/certificate.pem" -noout -enddate); b=$(openssl x509 -in "$T/short/root.crt" -noout -enddate)
[ "$a" = "$b" ]; ok $? "the clamped certificate ends with the root"
run "$OFFROOT" status -d "$T/short"
like '^expiring soon: .*CN=other' "$T/out" "status lists the intermediate expiring within 60 days"
like 'WARNING: 1 issued certificate expires within 60 days' "$T/out" "and warns about it"
run "$OFFROOT" status -d "$T/short" --json
$PY -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["expiring_soon"][0]["subject"]=="CN=other", d' "$T/out"
ok $? "status --json lists it too"

# A profile whose pathlen is not below the root's is refused by lint before
# the key is touched.
sed 's/^basicConstraints *= *critical,CA:TRUE,pathlen:1$/basicConstraints = critical,CA:TRUE,pathlen:2/; s/^max_pathlen *= *1$/max_pathlen = 2/' "$K8S" >"$T/deep.cnf"
cp "$ca/journal" "$T/j.before"
t_fail "pathlen not below the root's is refused" 1 \
    "$OFFROOT" sign -d "$ca" -o "$T/o7" --csr "$T/other.csr" --profiles "$T/deep.cnf" --passphrase-file "$T/wrong" --yes
like 'pathLen|path_len' "$T/err" "lint names the path length"
unchanged "lint refusal"
# A batch runs on every CPU (workers.c); it must still behave like a loop:
# the first bad CSR in the order given is named even when a later one is bad
# too, nothing is written, and the journal lists the issuances in order.
i=1; list=
while [ $i -le 40 ]; do
	csr "par$i" ec-p256 "/CN=parallel-$i"; list="$list $T/par$i.csr"; i=$((i + 1))
done
head -c 100 "$T/par25.csr" >"$T/par-trunc.csr"
printf 'garbage\n' >"$T/par-junk.csr"
bad=$(echo "$list" | sed "s|$T/par25.csr|$T/par-trunc.csr|; s|$T/par33.csr|$T/par-junk.csr|")
cp "$ca/journal" "$T/j.before"
# shellcheck disable=SC2086
t_fail "a batch of 40 with two bad CSRs is refused" 1 sign "$ca" "$T/par-bad" $bad
like 'par-trunc.csr' "$T/err" "the first bad CSR in the order given is named"
[ ! -e "$T/par-bad" ] && ! ls "$T"/.par-bad* >/dev/null 2>&1; ok $? "refused batch: nothing in or beside OUTDIR"
unchanged "refused batch"
# shellcheck disable=SC2086
run sign "$ca" "$T/par" $list
ok $rc "a batch of 40 CSRs is signed"
subjects=$(awk '$3 == "issue" { for (i = 5; i <= NF; i++) if ($i ~ /^subject=/) print substr($i, 9) }' "$ca/journal" |
    grep '^CN=parallel-' | tr '\n' ' ')
want=$(i=1; while [ $i -le 40 ]; do printf 'CN=parallel-%d ' $i; i=$((i + 1)); done)
[ "$subjects" = "$want" ]; ok $? "the journal records the 40 issuances in the order given"
[ "$(find "$T/par" -name certificate.pem | wc -l)" -eq 40 ]; ok $? "40 certificates in the bundle"
t_ok "offroot verify accepts the 40-certificate bundle" "$OFFROOT" verify "$T/par" --root "$ca/root.crt"
t_ok "offroot audit after the parallel batch" "$OFFROOT" audit -d "$ca"

done_testing
