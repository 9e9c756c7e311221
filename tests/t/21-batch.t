#!/bin/sh
# Batch signing: one unlock for many CSRs, signed on every CPU (workers.c)
# and recorded as if signed one by one, in the order given.  This is the
# file the ThreadSanitizer part of make check runs.
. "$(dirname "$0")/../lib.sh"
K8S="$ROOT/ceremony-scripts/kubernetes/profiles.cnf"

csr() {	# csr NAME [SUBJECT]: an EC P-256 CSR as an online issuer would make
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -keyout "$T/$1.key" -subj "${2:-/CN=$1}" -out "$T/$1.csr" 2>/dev/null
}

sign() {	# sign CADIR OUTDIR CSR... (with the test passphrase, --yes)
	_ca=$1; _out=$2; shift 2
	_args=
	for _c in "$@"; do _args="$_args --csr $_c"; done
	# shellcheck disable=SC2086
	"$OFFROOT" sign -d "$_ca" -o "$_out" --passphrase-file "$PASS" --yes $_args
}


ca="$T/ca"
new_ca "$ca" --key ec-p384 --profiles "$K8S"; ok $? "a root"
unchanged() { cmp -s "$T/j.before" "$ca/journal"; ok $? "$1: the journal is unchanged"; }
# A batch runs on every CPU (workers.c); it must still behave like a loop:
# the first bad CSR in the order given is named even when a later one is bad
# too, nothing is written, and the journal lists the issuances in order.
i=1; list=
while [ $i -le 40 ]; do
	csr "par$i" "/CN=parallel-$i"; list="$list $T/par$i.csr"; i=$((i + 1))
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
export_serials "$ca" "$T/par" 1 "the export record lists all 40 serials"
# offroot export of several serials records them all too.
s1=$(ls "$ca/issued" | sed -n 1p | sed 's/\.pem$//'); s2=$(ls "$ca/issued" | sed -n 2p | sed 's/\.pem$//')
t_ok "offroot export of two serials" "$OFFROOT" export -d "$ca" --serial "$s1" --serial "$s2" \
    -o "$T/re2" --passphrase-file "$PASS"
export_serials "$ca" "$T/re2" 1 "offroot export records both serials"
# More serials than one journal record holds: several records, one commit.
$PY - "$T/many" 1001 <<'PYEOF'
import os, sys
from cryptography import x509
from cryptography.x509.oid import NameOID
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
os.mkdir(sys.argv[1])
for i in range(int(sys.argv[2])):
    k = ec.generate_private_key(ec.SECP256R1())
    r = x509.CertificateSigningRequestBuilder().subject_name(x509.Name(
        [x509.NameAttribute(NameOID.COMMON_NAME, "many-%d" % i)])).sign(k, hashes.SHA256())
    open("%s/%04d.csr" % (sys.argv[1], i), "wb").write(r.public_bytes(serialization.Encoding.PEM))
PYEOF
ok $? "1001 CSRs made"
# shellcheck disable=SC2046
run "$OFFROOT" sign -d "$ca" -o "$T/manyout" --passphrase-file "$PASS" --yes \
    $(for f in "$T"/many/*.csr; do printf ' --csr %s' "$f"; done)
ok $rc "a batch of 1001 CSRs is signed"
[ $rc -eq 0 ] || diag "$(head -3 "$T/err")"
export_serials "$ca" "$T/manyout" 2 "1001 serials: two export records (part=1/2, 2/2) list them all"
t_ok "audit accepts the two-part export" "$OFFROOT" audit -d "$ca"
t_ok "offroot audit after the parallel batch" "$OFFROOT" audit -d "$ca"

done_testing
