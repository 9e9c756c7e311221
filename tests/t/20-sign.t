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
like '^issued: +1 certificate, ' "$T/out" "status counts the issued certificate"
serial=$(openssl x509 -in "$out/certificate.pem" -noout -serial | cut -d= -f2 | tr A-F a-f | sed 's/^0*//')
[ -f "$ca/issued/$serial.pem" ]; ok $? "the CA keeps a copy under issued/"
grep -q " issue .*serial=$serial " "$ca/journal"; ok $? "the journal records the issuance"
grep -q " export .*manifest_sha256=" "$ca/journal"; ok $? "the journal records the export"

# Tampering with the bundle.
tamper() {	# tamper NAME REASON CMD: on a copy, then verify must fail naming REASON
	rm -rf "$T/tb"; cp -a "$out" "$T/tb"
	(cd "$T/tb" && eval "$3")
	t_fail "verify refuses: $1" 1 "$OFFROOT" verify "$T/tb" --root "$ca/root.crt"
	like "$2" "$T/err" "... naming it: $2"
}
tamper "a changed certificate" 'certificate\.pem does not match its digest in MANIFEST' 'printf x >>certificate.pem'
tamper "an added file" 'extra\.txt is in the bundle but not in MANIFEST' 'echo hi >extra.txt'
tamper "a removed file" 'crl\.pem is missing' 'rm crl.pem'
tamper "an edited MANIFEST" 'MANIFEST\.sig is not the given root.s signature' 'sed -i "1s/^./0/" MANIFEST'
tamper "a forged MANIFEST.sig" 'MANIFEST\.sig is not the given root.s signature' \
    'printf "\001" | dd of=MANIFEST.sig bs=1 seek=10 conv=notrunc 2>/dev/null'
t_fail "verify refuses another root" 1 "$OFFROOT" verify "$out" --root "$T/ca-ec-p256/root.crt"
like 'MANIFEST\.sig is not the given root.s signature' "$T/err" "... naming the manifest signature"
csr other ec-p256
t_fail "verify refuses a CSR the bundle does not answer" 1 \
    "$OFFROOT" verify "$out" --root "$ca/root.crt" --csr "$T/other.csr"
like "no certificate in the bundle carries the public key and subject of $T/other\.csr" "$T/err" \
    "... naming the CSR"

# A validly signed MANIFEST over a certificate that does not chain: a root
# made with openssl under the same name as the CA's, whose key signs a
# fresh MANIFEST over the CA's certificate.
openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:P-384 -nodes -keyout "$T/forger.key" \
    -subj "/C=DE/O=offroot tests/CN=Test Root" -days 3650 -out "$T/forger.crt" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null &&
    openssl x509 -in "$T/forger.crt" -pubkey -noout >"$T/forger.crt.pub"
ok $? "a look-alike root made with openssl"
rm -rf "$T/forged"; cp -a "$out" "$T/forged"
(
	cd "$T/forged" && cp "$T/forger.crt" root.pem && cat certificate.pem root.pem >chain.pem &&
	    rm MANIFEST MANIFEST.sig && find . -type f | sed 's|^\./||' | LC_ALL=C sort |
	    xargs sha256sum >"$T/MANIFEST.new" && mv "$T/MANIFEST.new" MANIFEST &&
	    openssl dgst -sha384 -sign "$T/forger.key" -out MANIFEST.sig MANIFEST
)
openssl dgst -sha384 -verify "$T/forger.crt.pub" -signature "$T/forged/MANIFEST.sig" "$T/forged/MANIFEST" >/dev/null 2>&1
ok $? "the forged bundle's MANIFEST.sig is a valid signature by the look-alike root"
t_fail "verify refuses a certificate that does not chain to the given root" 1 \
    "$OFFROOT" verify "$T/forged" --root "$T/forger.crt"
like '^offroot: .*certificate\.pem does not chain to the root' "$T/err" "... naming the certificate and the chain"
grep -q 'MANIFEST' "$T/err" && r=1 || r=0
ok $r "... not the manifest (its signature was valid)"

# The CRL's dates and the certificate's, on the verifier's clock: a shim
# (test code, compiled here; nothing in offroot) moves time(),
# clock_gettime() and gettimeofday() by SHIFT_SECONDS.
cat >"$T/clockshift.c" <<'E'
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdlib.h>
#include <sys/time.h>
#include <time.h>
static long
shift(void)
{
	const char *s = getenv("SHIFT_SECONDS");

	return s != NULL ? strtol(s, NULL, 10) : 0;
}
time_t
time(time_t *t)
{
	struct timespec ts;
	time_t now;

	clock_gettime(CLOCK_REALTIME, &ts);
	now = ts.tv_sec;
	if (t != NULL)
		*t = now;
	return now;
}
int
clock_gettime(clockid_t id, struct timespec *ts)
{
	int (*real)(clockid_t, struct timespec *);
	int rc;

	*(void **)&real = dlsym(RTLD_NEXT, "clock_gettime");
	rc = real(id, ts);
	if (rc == 0 && (id == CLOCK_REALTIME || id == CLOCK_REALTIME_COARSE))
		ts->tv_sec += shift();
	return rc;
}
int
gettimeofday(struct timeval *tv, void *tz)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_REALTIME, &ts) != 0)
		return -1;
	if (tv != NULL) {
		tv->tv_sec = ts.tv_sec;
		tv->tv_usec = ts.tv_nsec / 1000;
	}
	return 0;
}
E
cc -shared -fPIC -o "$T/clockshift.so" "$T/clockshift.c" -ldl
ok $? "the clock shim builds"
shifted() {	# shifted DAYS CMD...: CMD on a clock moved by DAYS
	_s=$(($1 * 86400)); shift
	SHIFT_SECONDS=$_s LD_PRELOAD="$T/clockshift.so" \
	    ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" "$@"
}
a=$(date +%s); b=$(shifted 40 date +%s)
[ $((b - a)) -ge $((40 * 86400)) ] && [ $((b - a)) -le $((40 * 86400 + 60)) ]
ok $? "the shim moves the clock by 40 days"
run shifted 0 "$OFFROOT" verify "$out" --root "$ca/root.crt"
ok $rc "with the shim and no shift, verify accepts the bundle"
run shifted 40 "$OFFROOT" verify "$out" --root "$ca/root.crt"
[ $rc -eq 1 ] && [ "$(grep -c '' "$T/err")" -eq 1 ]
ok $? "40 days on (the 30-day CRL is past its nextUpdate): exit 1, one line"
like '^offroot: .*crl\.pem has expired' "$T/err" "... naming the expired crl.pem"
run shifted -2 "$OFFROOT" verify "$out" --root "$ca/root.crt"
[ $rc -eq 1 ] && [ "$(grep -c '' "$T/err")" -eq 1 ]
ok $? "2 days back (before the certificate's notBefore): exit 1, one line"
like '^offroot: .*certificate\.pem does not chain to the root: certificate is not yet valid' "$T/err" \
    "... naming the certificate that is not yet valid"
# A CRL whose thisUpdate is ahead of the verifier: signed, and exported with
# the certificate, on a clock 3 days ahead, then verified on today's clock
# (a CA of its own: its newest CRL stays in the future).
new_ca "$T/ca-future" --profiles "$K8S"; ok $? "a CA for the CRL from the future"
csr fut ec-p256
run sign "$T/ca-future" "$T/fut-out" "$T/fut.csr"; ok $rc "... signs a CSR today"
serial=$(openssl x509 -in "$T/fut-out/certificate.pem" -noout -serial | cut -d= -f2)
run shifted 3 "$OFFROOT" crl -d "$T/ca-future" -o "$T/future.crl" --passphrase-file "$PASS"
ok $rc "a CRL signed on a clock 3 days ahead"
run shifted 3 "$OFFROOT" export -d "$T/ca-future" --serial "$serial" -o "$T/future" --passphrase-file "$PASS"
ok $rc "... exported with the certificate"
cmp -s "$T/future/crl.pem" "$T/future.crl"; ok $? "... the bundle carries that CRL"
t_fail "verify refuses a CRL that is not yet valid" 1 "$OFFROOT" verify "$T/future" --root "$T/ca-future/root.crt"
like '^offroot: .*crl\.pem is not yet valid' "$T/err" "... naming crl.pem"
t_ok "... and accepts it 3 days on" shifted 3 "$OFFROOT" verify "$T/future" --root "$T/ca-future/root.crt"

# A batch: one unlock, one folder per certificate, one manifest.
csr etcd ec-p256 "/CN=etcd CA"; csr k8s ec-p256 "/CN=Kubernetes CA"; csr fp ec-p256 "/CN=front-proxy CA"
run sign "$ca" "$T/batch" "$T/etcd.csr" "$T/k8s.csr" "$T/fp.csr"
ok $rc "sign a batch of three CSRs"
n=$(find "$T/batch" -name certificate.pem | wc -l); [ "$n" -eq 3 ]; ok $? "three certificates in sub-folders"
ls -d "$T/batch"/etcd-ca-* >/dev/null 2>&1; ok $? "sub-folders are named after the CN and serial"
t_ok "offroot verify accepts the batch bundle" "$OFFROOT" verify "$T/batch" --root "$ca/root.crt" \
    --csr "$T/etcd.csr" --csr "$T/k8s.csr" --csr "$T/fp.csr"

# export_serials CA OUTDIR PARTS: the journal's export record(s) for OUTDIR
# list every serial of the bundle's certificates (and nothing else), in
# PARTS records marked part=I/PARTS when there is more than one.
export_serials "$ca" "$T/batch" 1 "the export record lists all three serials of the batch"
export_serials "$ca" "$out" 1 "the export record of a single certificate lists its serial"

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

done_testing

